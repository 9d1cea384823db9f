// One client of the simulator's API socket: its registration, and its output in VPP's framing
// (16-byte header: u64 q, u32 data_len BE, u32 gc_mark_timestamp; vlibmemory/socket_api.c),
// batched into one write per turn, and optionally cut into pieces so clients must reassemble.
import * as net from 'net';

/** A registration's handle is its pool index with this bit set (socket_api.c: index 0 is the listener). */
export const REG_BIT = 0x80000000;
const OUT_INITIAL = 64 * 1024;

export class Conn {
  pend: Buffer | null = null;
  out: Buffer = Buffer.allocUnsafe(OUT_INITIAL);
  outLen = 0;
  closed = false;
  name = '';
  /** want_interface_events: the client_index and pid bytes as registered (echoed in events). */
  events: { ci: number; pid: number } | null = null;
  /** A registration freed by a sockclnt_delete naming it: requests are ignored from then on. */
  freed = false;
  /** Cut the next flush into pieces written a millisecond apart (clients must reassemble). */
  fragmentNext = false;
  /** Pieces still to write, in order (later flushes queue behind them). */
  private frag: Buffer[] = [];
  private fragTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly sock: net.Socket,
    readonly reg: number,
  ) {}

  get handle(): number {
    return (this.reg | REG_BIT) >>> 0;
  }

  /** Reserves a message of `size` payload bytes with its header; returns the payload offset in `out`. */
  begin(id: number, size: number): number {
    const need = this.outLen + 16 + size;
    if (need > this.out.length) {
      const nb = Buffer.allocUnsafe(Math.max(need, this.out.length * 2));
      this.out.copy(nb, 0, 0, this.outLen);
      this.out = nb;
    }
    const o = this.out;
    const h = this.outLen;
    o.fill(0, h, h + 16 + size);
    o.writeUInt32BE(size, h + 8);
    o.writeUInt16BE(id, h + 16);
    this.outLen = need;
    return h + 16;
  }

  flush(): number {
    const n = this.outLen;
    if (n === 0 || this.closed) {
      this.outLen = 0;
      return 0;
    }
    if (this.fragmentNext || this.frag.length > 0) {
      const data = Buffer.from(this.out.subarray(0, n));
      this.outLen = 0;
      if (this.fragmentNext) {
        this.fragmentNext = false;
        // A piece that ends inside the 16-byte header, one inside the body, then the rest.
        const cuts = [7, 4096, 16384];
        let p = 0;
        for (const c of cuts) {
          if (p + c >= data.length) break;
          this.frag.push(data.subarray(p, p + c));
          p += c;
        }
        this.frag.push(data.subarray(p));
      } else this.frag.push(data);
      this.writeFrag();
      return n;
    }
    if (n <= 16384) {
      this.sock.write(Buffer.from(this.out.subarray(0, n)));
    } else {
      this.sock.write(this.out.subarray(0, n));
      this.out = Buffer.allocUnsafe(OUT_INITIAL);
    }
    this.outLen = 0;
    return n;
  }

  /** Ends the socket once everything queued is written (sockclnt_delete: reply, then close). */
  endAfterFlush(): void {
    this.ending = true;
    if (this.frag.length === 0) this.sock.end();
  }
  ending = false;

  private writeFrag(): void {
    if (this.fragTimer || this.closed) return;
    const piece = this.frag.shift();
    if (!piece) return;
    this.sock.write(piece);
    if (this.frag.length === 0 && this.ending) this.sock.end();
    if (this.frag.length > 0) {
      this.fragTimer = setTimeout(() => {
        this.fragTimer = null;
        this.writeFrag();
      }, 1);
    }
  }

  /** Output not yet handed to the socket (fragments waiting). */
  get waiting(): boolean {
    return this.frag.length > 0;
  }
}

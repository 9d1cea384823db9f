// The VPP simulator's socket server: VPP's binary API over a UNIX stream socket (framing, message table, dispatch, handlers) and the JSON-lines control socket.
//
// Wire behaviour is VPP 25.10's (docs/vpp-api.md; vlibmemory/socket_api.c, vlibapi/api_shared.c):
// - every message has a 16-byte header (u64 q, u32 data_len BE, u32 gc_mark_timestamp); messages
//   are reassembled across reads and handled one at a time, from every client, in arrival order
//   (one API thread), so replies come in request order;
// - an id with no handler is logged ("no handler for msg id N") and gets no reply; a message
//   shorter than its computed size (fixed part + VLAs) is dropped and logged; a request whose
//   client_index names no registration is ignored; each of these is counted;
// - a registration exists from accept; its handle is pool index | 0x80000000 (index 0 is the
//   listener), handed out by sockclnt_create_reply together with the message table;
// - dumps stream details and nothing else runs until they are done; the client's control_ping
//   after the dump (answered in order) marks the end.
import * as fs from 'fs';
import * as net from 'net';
import { encode, decodeAt, compileSize, Obj, SizeFn } from './codec';
import { loadDefs, offsetOf, fieldOf, SimDefs, SimMsg, SimType } from './defs';
import { buildTable, MsgTable } from './msgtable';
import { FibModel } from './fib';
import { FibPath, IfaceSpec, NH_PROTO, NO_IF, PathSet, RV, FIB_SOURCE, routesDigest, DEFAULT_INTERFACES } from './fib-types';
import { Prepared, prepare } from './paths';
import { PrefixTable } from './prefix-table';
import { L2Model, macText } from './l2';
import { maskWord, parseAddress, unionToWords, wordsToUnion } from './addr';
import { Rng } from '../gen/rng';

export interface ServerOptions {
  socket: string;
  control?: string;
  seed?: number;
  omit?: string[];
  idMode?: 'module' | 'message';
  padding?: boolean;
  interfaces?: IfaceSpec[];
  delayUs?: number;
  verbose?: boolean;
  jsonDir?: string;
}

const REG_BIT = 0x80000000;
const OUT_INITIAL = 64 * 1024;
const MAX_MESSAGE = 16 * 1024 * 1024;
const DUMP_CHUNK = 2048;
const HIGH_WATER = 8 * 1024 * 1024;
const LOG_KEEP = 20000;
const PATH_CACHE_MAX = 50000;
/** sizeof (vl_api_fib_path_t). */
const FIB_PATH_SIZE = 167;
const FIB_LABEL_SIZE = 7;

class Conn {
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

type HandlerFn = (c: Conn, b: Buffer, off: number, len: number, from: Conn) => void | Iterator<void>;
interface Handler {
  name: string;
  size: SizeFn;
  /** Has client_index at payload offset 2 (every request but sockclnt_create). */
  ci: boolean;
  fn: HandlerFn;
}

/** A queued message: a slice of a received chunk (Node hands each read a fresh Buffer, never reused). */
type QItem = { c: Conn; buf: Buffer; off: number; len: number } | { fn: () => void };

interface Counters {
  calls: Record<string, number>;
  protocol: {
    unknownId: number;
    truncated: number;
    badClientIndex: number;
    unmodelled: number;
    oversize: number;
    handlerErrors: number;
  };
  connections: { accepted: number; closed: number };
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  eventsSent: number;
  /** Route requests answered with the injected failure retval (setFailRate), not applied. */
  injectedFailures: number;
}

function zeroCounters(): Counters {
  return {
    calls: {},
    protocol: { unknownId: 0, truncated: 0, badClientIndex: 0, unmodelled: 0, oversize: 0, handlerErrors: 0 },
    connections: { accepted: 0, closed: 0 },
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    eventsSent: 0,
    injectedFailures: 0,
  };
}

interface CachedPaths {
  paths: FibPath[];
  prep: Prepared;
}

export class VppSimServer {
  readonly defs: SimDefs;
  table!: MsgTable;
  fib!: FibModel;
  l2!: L2Model;
  seed: number;
  delayUs: number;
  /** Fault injection (setFailRate): this fraction of ip_route_add_del(_v2) requests fails with failRetval, unapplied. */
  failFraction = 0;
  failRetval: number = RV.UNSPECIFIED;
  private failRng = new Rng(1);
  private readonly opts: ServerOptions;
  private api: net.Server | null = null;
  private ctl: net.Server | null = null;
  private ctlConns = new Set<net.Socket>();
  private conns = new Set<Conn>();
  private regs = new Map<number, Conn>();
  private handlers: (Handler | undefined)[] = [];
  private queue: QItem[] = [];
  private qHead = 0;
  private cur: { c: Conn; it: Iterator<void> } | null = null;
  private pumping = false;
  private scheduled = false;
  private waitingDrain = false;
  private budget = 0;
  private lastTick = 0;
  private timer: NodeJS.Timeout | null = null;
  private dirty: Conn[] = [];
  private pathCache = new Map<string, CachedPaths>();
  private logLines: string[] = [];
  private tableBuf: Buffer = Buffer.alloc(0);
  counters: Counters = zeroCounters();
  private ids!: Record<string, number>;
  private O!: Record<string, number>;

  constructor(opts: ServerOptions) {
    this.opts = opts;
    this.defs = loadDefs(opts.jsonDir);
    this.seed = opts.seed ?? newSeed();
    this.delayUs = opts.delayUs ?? 0;
    this.computeOffsets();
    this.reset(true);
  }

  // ------------------------------------------------------------ lifecycle

  private reset(empty: boolean): void {
    this.table = buildTable(this.defs, { seed: this.seed, omit: this.opts.omit, idMode: this.opts.idMode, padding: this.opts.padding });
    if (empty || !this.fib) {
      this.fib = new FibModel(this.opts.interfaces ?? DEFAULT_INTERFACES, (l) => this.log(l));
      this.l2 = new L2Model(this.fib);
      this.pathCache.clear();
    }
    this.ids = {};
    for (const [n, id] of this.table.idOf) this.ids[n] = id;
    this.installHandlers();
    // The message table part of sockclnt_create_reply is the same for every client: build it once.
    const ent = this.table.entries;
    const b = Buffer.alloc(ent.length * 66);
    ent.forEach((e, i) => {
      b.writeUInt16BE(e.id, i * 66);
      b.write(e.nameCrc, i * 66 + 2, 63, 'latin1');
    });
    this.tableBuf = b;
    this.log(`start: seed ${this.seed}, ${ent.length} messages in the table (${b.length + 20} bytes), ids ${this.opts.idMode ?? 'module'}-shuffled`);
  }

  async listen(): Promise<void> {
    await this.listenApi();
    if (this.opts.control) {
      try {
        fs.unlinkSync(this.opts.control);
      } catch {
        // not there
      }
      this.ctl = net.createServer((s) => this.onControl(s));
      await new Promise<void>((res, rej) => {
        (this.ctl as net.Server).once('error', rej);
        (this.ctl as net.Server).listen(this.opts.control, () => res());
      });
    }
  }

  private async listenApi(): Promise<void> {
    try {
      fs.unlinkSync(this.opts.socket);
    } catch {
      // not there
    }
    this.api = net.createServer((s) => this.onConnect(s));
    await new Promise<void>((res, rej) => {
      (this.api as net.Server).once('error', rej);
      (this.api as net.Server).listen(this.opts.socket, () => res());
    });
  }

  private async closeApi(): Promise<void> {
    const srv = this.api;
    this.api = null;
    this.dropAll();
    if (srv) await new Promise<void>((res) => srv.close(() => res()));
    try {
      fs.unlinkSync(this.opts.socket);
    } catch {
      // gone
    }
  }

  /** A new VPP instance: connections dropped, new ids; an empty FIB unless `empty` is false. */
  async restart(o: { empty?: boolean; seed?: number; downMs?: number } = {}): Promise<{ seed: number }> {
    await this.closeApi();
    this.queue = [];
    this.qHead = 0;
    this.cur = null;
    this.seed = o.seed ?? newSeed();
    this.counters = zeroCounters();
    if (o.empty !== false && this.fib) this.fib.counters = FibModel.zeroCounters();
    this.reset(o.empty !== false);
    if (o.downMs) await new Promise((r) => setTimeout(r, o.downMs));
    await this.listenApi();
    return { seed: this.seed };
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.closeApi();
    for (const s of this.ctlConns) s.destroy();
    if (this.ctl) await new Promise<void>((res) => (this.ctl as net.Server).close(() => res()));
    if (this.opts.control) {
      try {
        fs.unlinkSync(this.opts.control);
      } catch {
        // gone
      }
    }
  }

  /** Closes every client connection (their registrations go with them). */
  dropAll(): number {
    const n = this.conns.size;
    for (const c of [...this.conns]) this.closeConn(c);
    return n;
  }

  log(line: string): void {
    this.logLines.push(line);
    if (this.logLines.length > LOG_KEEP) this.logLines.splice(0, this.logLines.length - LOG_KEEP);
    if (this.opts.verbose) process.stderr.write(`vpp-sim: ${line}\n`);
  }

  // ------------------------------------------------------------ connections and framing

  private onConnect(sock: net.Socket): void {
    let reg = 1;
    while (this.regs.has(reg)) reg++;
    const c = new Conn(sock, reg);
    this.regs.set(reg, c);
    this.conns.add(c);
    this.counters.connections.accepted++;
    sock.on('data', (d: Buffer) => this.onData(c, d));
    sock.on('error', () => this.closeConn(c));
    sock.on('close', () => this.closeConn(c));
  }

  private closeConn(c: Conn): void {
    if (c.closed) return;
    c.closed = true;
    c.pend = null;
    this.conns.delete(c);
    if (this.regs.get(c.reg) === c) this.regs.delete(c.reg);
    this.counters.connections.closed++;
    c.sock.destroy();
  }

  private onData(c: Conn, chunk: Buffer): void {
    if (c.closed || c.ending) return;
    this.counters.bytesIn += chunk.length;
    let buf = chunk;
    if (c.pend) {
      buf = Buffer.concat([c.pend, chunk]);
      c.pend = null;
    }
    let p = 0;
    const n = buf.length;
    while (n - p >= 16) {
      const len = buf.readUInt32BE(p + 8);
      if (len > MAX_MESSAGE) {
        this.counters.protocol.oversize++;
        this.log(`message data_len ${len} exceeds ${MAX_MESSAGE}: closing the connection (a real VPP would wait for the bytes)`);
        this.closeConn(c);
        return;
      }
      if (n - p - 16 < len) break;
      if (c.closed || c.ending) {
        p = n; // sockclnt_delete earlier in this chunk: nothing more is read from this client
        break;
      }
      if (this.cur === null && this.qHead === this.queue.length && this.delayUs === 0) {
        this.handle(c, buf, p + 16, len);
      } else {
        this.queue.push({ c, buf, off: p + 16, len });
      }
      p += 16 + len;
    }
    if (p < n) c.pend = p === 0 && buf === chunk ? Buffer.from(chunk) : buf.subarray(p);
    this.flushDirty();
    if (this.qHead < this.queue.length || this.cur) this.pump();
  }

  private markDirty(c: Conn): void {
    if (c.outLen === 0) this.dirty.push(c);
  }

  private flushDirty(): void {
    for (const c of this.dirty) this.counters.bytesOut += c.flush();
    this.dirty.length = 0;
  }

  /** One message: dispatch checks as VPP's msg_handler_internal does them. */
  private handle(from: Conn, b: Buffer, off: number, len: number): void {
    this.counters.messagesIn++;
    if (len < 2) {
      this.counters.protocol.truncated++;
      this.log(`Truncated message (${len} bytes, no message id) received, message dropped`);
      return;
    }
    const id = b.readUInt16BE(off);
    const h = this.handlers[id];
    if (!h) {
      this.counters.protocol.unknownId++;
      this.log(`no handler for msg id ${id}`);
      return;
    }
    const need = h.size(b, off, off + len);
    if (need < 0 || need > len) {
      this.counters.protocol.truncated++;
      this.log(`Truncated message '${h.name}' (id ${id}) received, calculated size ${need < 0 ? 'past the end' : need} is bigger than actual size ${len}, message dropped`);
      return;
    }
    let target = from;
    if (h.ci) {
      const ci = b.readUInt32BE(off + 2);
      const t = ci & REG_BIT ? this.regs.get((ci & ~REG_BIT) >>> 0) : undefined;
      if (!t || t.freed || t.closed) {
        this.counters.protocol.badClientIndex++;
        this.log(`${h.name}: client_index 0x${ci.toString(16)} names no registration: ignored (a real VPP ignores it silently)`);
        return;
      }
      target = t;
    }
    this.counters.calls[h.name] = (this.counters.calls[h.name] ?? 0) + 1;
    this.markDirty(target);
    let r: void | Iterator<void>;
    try {
      r = h.fn(target, b, off, len, from);
    } catch (e) {
      // A simulator bug must not look like a dead VPP: log it loudly and carry on.
      this.counters.protocol.handlerErrors++;
      this.log(`BUG: handler of '${h.name}' threw: ${(e as Error).stack ?? String(e)}`);
      return;
    }
    if (r) {
      this.cur = { c: target, it: r };
      this.runCurrent();
    }
  }

  /** Runs the current dump for one chunk; returns true when it finished. */
  private runCurrent(): boolean {
    const cur = this.cur;
    if (!cur) return true;
    if (cur.c.closed) {
      this.cur = null;
      return true;
    }
    this.markDirty(cur.c);
    const r = cur.it.next();
    this.flushDirty();
    if (r.done) {
      this.cur = null;
      return true;
    }
    return false;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        if (this.cur) {
          const c = this.cur.c;
          if (!c.closed && c.sock.writableLength > HIGH_WATER) {
            if (!this.waitingDrain) {
              this.waitingDrain = true;
              c.sock.once('drain', () => {
                this.waitingDrain = false;
                this.pump();
              });
              c.sock.once('close', () => {
                this.waitingDrain = false;
                this.pump();
              });
            }
            return;
          }
          if (!this.runCurrent()) {
            // Let I/O and the control socket run between chunks of a long dump.
            this.schedule();
            return;
          }
          continue;
        }
        if (this.qHead >= this.queue.length) {
          this.queue = [];
          this.qHead = 0;
          return;
        }
        if (this.delayUs > 0) {
          const now = performance.now();
          if (this.lastTick === 0) this.lastTick = now;
          this.budget = Math.min(this.budget + ((now - this.lastTick) * 1000) / this.delayUs, Math.max(1, 20000 / this.delayUs));
          this.lastTick = now;
          if (this.budget < 1) {
            if (!this.timer) {
              this.timer = setTimeout(() => {
                this.timer = null;
                this.pump();
              }, Math.max(1, Math.ceil(((1 - this.budget) * this.delayUs) / 1000)));
            }
            return;
          }
          this.budget -= 1;
        }
        const it = this.queue[this.qHead++];
        if ('fn' in it) it.fn();
        else if (!it.c.closed) this.handle(it.c, it.buf, it.off, it.len);
      }
    } finally {
      // One write per connection for everything answered in this turn.
      this.flushDirty();
      this.pumping = false;
    }
  }

  setDelay(us: number): void {
    this.delayUs = Math.max(0, us);
    this.budget = 0;
    this.lastTick = 0;
    if (this.qHead < this.queue.length) this.pump();
  }

  /** Runs `fn` in API order: after everything received so far (events, like VPP's event process). */
  private later(fn: () => void): void {
    this.queue.push({ fn });
    this.pump();
  }

  // ------------------------------------------------------------ message helpers

  private msg(name: string): SimMsg {
    const m = this.defs.messages.get(name);
    if (!m) throw new Error(`vpp-sim: no message ${name} in the API definitions`);
    return m;
  }

  private id(name: string): number {
    const id = this.ids[name];
    if (id === undefined) throw new Error(`vpp-sim: no id for ${name}`);
    return id;
  }

  /** Sends a reply/details built from an object with the simulator's generic encoder. */
  private sendObj(c: Conn, name: string, o: Obj): void {
    const m = this.msg(name);
    const body = encode(m, { ...o, _vl_msg_id: this.id(name) });
    const p = c.begin(this.id(name), body.length);
    body.copy(c.out, p);
    this.counters.messagesOut++;
  }

  private decode(name: string, b: Buffer, off: number): Obj {
    return decodeAt(this.msg(name), b, off)[0];
  }

  /** A reply with (context, retval) and optionally more fields. */
  private reply(c: Conn, name: string, ctx: number, rv: number, extra: Obj = {}): void {
    this.sendObj(c, name, { context: ctx, retval: rv, ...extra });
  }

  // ------------------------------------------------------------ offsets for the hot paths

  private computeOffsets(): void {
    const m = (n: string): SimMsg => this.msg(n);
    const route = m('ip_route_add_del');
    const route2 = m('ip_route_add_del_v2');
    const pathT = fieldOf(fieldOf(route, 'route').sub as SimType, 'paths').sub as SimType;
    if (pathT.size !== FIB_PATH_SIZE) throw new Error(`vpp-sim: fib_path is ${pathT.size} bytes, expected ${FIB_PATH_SIZE}`);
    const labT = fieldOf(pathT, 'label_stack').sub as SimType;
    if (labT.size !== FIB_LABEL_SIZE) throw new Error(`vpp-sim: fib_mpls_label is ${labT.size} bytes`);
    const det = m('ip_route_details');
    const det2 = m('ip_route_v2_details');
    const mr = m('mpls_route_add_del');
    const mdet = m('mpls_route_details');
    const O: Record<string, number> = {
      isAdd: offsetOf(route, 'is_add'),
      isMp: offsetOf(route, 'is_multipath'),
      table: offsetOf(route, 'route.table_id'),
      af: offsetOf(route, 'route.prefix.address.af'),
      addr: offsetOf(route, 'route.prefix.address.un'),
      len: offsetOf(route, 'route.prefix.len'),
      n: offsetOf(route, 'route.n_paths'),
      paths: offsetOf(route, 'route.paths'),
      v2src: offsetOf(route2, 'route.src'),
      v2paths: offsetOf(route2, 'route.paths'),
      ctx: offsetOf(route, 'context'),
      pSw: offsetOf(pathT, 'sw_if_index'),
      pTable: offsetOf(pathT, 'table_id'),
      pRpf: offsetOf(pathT, 'rpf_id'),
      pWeight: offsetOf(pathT, 'weight'),
      pPref: offsetOf(pathT, 'preference'),
      pType: offsetOf(pathT, 'type'),
      pFlags: offsetOf(pathT, 'flags'),
      pProto: offsetOf(pathT, 'proto'),
      pNh: offsetOf(pathT, 'nh.address'),
      pVia: offsetOf(pathT, 'nh.via_label'),
      pNl: offsetOf(pathT, 'n_labels'),
      pLs: offsetOf(pathT, 'label_stack'),
      lUni: offsetOf(labT, 'is_uniform'),
      lLabel: offsetOf(labT, 'label'),
      lTtl: offsetOf(labT, 'ttl'),
      lExp: offsetOf(labT, 'exp'),
      rCtx: offsetOf(m('ip_route_add_del_reply'), 'context'),
      rRv: offsetOf(m('ip_route_add_del_reply'), 'retval'),
      rStats: offsetOf(m('ip_route_add_del_reply'), 'stats_index'),
      rSize: m('ip_route_add_del_reply').size,
      dCtx: offsetOf(det, 'context'),
      dTable: offsetOf(det, 'route.table_id'),
      dStats: offsetOf(det, 'route.stats_index'),
      dAf: offsetOf(det, 'route.prefix.address.af'),
      dAddr: offsetOf(det, 'route.prefix.address.un'),
      dLen: offsetOf(det, 'route.prefix.len'),
      dN: offsetOf(det, 'route.n_paths'),
      dPaths: offsetOf(det, 'route.paths'),
      d2Src: offsetOf(det2, 'route.src'),
      d2Paths: offsetOf(det2, 'route.paths'),
      mIsAdd: offsetOf(mr, 'mr_is_add'),
      mIsMp: offsetOf(mr, 'mr_is_multipath'),
      mTable: offsetOf(mr, 'mr_route.mr_table_id'),
      mLabel: offsetOf(mr, 'mr_route.mr_label'),
      mEos: offsetOf(mr, 'mr_route.mr_eos'),
      mEosProto: offsetOf(mr, 'mr_route.mr_eos_proto'),
      mMcast: offsetOf(mr, 'mr_route.mr_is_multicast'),
      mN: offsetOf(mr, 'mr_route.mr_n_paths'),
      mPaths: offsetOf(mr, 'mr_route.mr_paths'),
      mdCtx: offsetOf(mdet, 'context'),
      mdTable: offsetOf(mdet, 'mr_route.mr_table_id'),
      mdLabel: offsetOf(mdet, 'mr_route.mr_label'),
      mdEos: offsetOf(mdet, 'mr_route.mr_eos'),
      mdEosProto: offsetOf(mdet, 'mr_route.mr_eos_proto'),
      mdN: offsetOf(mdet, 'mr_route.mr_n_paths'),
      mdPaths: offsetOf(mdet, 'mr_route.mr_paths'),
    };
    // ip_route_v2_details equals ip_route_details up to route.n_paths.
    if (offsetOf(det2, 'route.n_paths') !== O.dN) throw new Error('vpp-sim: ip_route_v2_details layout differs from ip_route_details');
    this.O = O;
  }

  // ------------------------------------------------------------ paths on the wire

  /** fib_path[] at `off` -> FibPaths (what fib_api_path_decode reads; checks are the model's). */
  private readPaths(b: Buffer, off: number, n: number): CachedPaths {
    const key = n === 0 ? '' : b.toString('latin1', off, off + n * FIB_PATH_SIZE);
    const hit = this.pathCache.get(key);
    if (hit) return hit;
    const O = this.O;
    const paths: FibPath[] = [];
    for (let i = 0; i < n; i++) {
      const p = off + i * FIB_PATH_SIZE;
      const proto = b.readUInt32BE(p + O.pProto);
      const nh = new Uint32Array(4);
      // fib_api_next_hop_decode copies 4 bytes for IPv4, 16 for IPv6, nothing otherwise.
      if (proto === NH_PROTO.IP4 || proto === NH_PROTO.IP6) unionToWords(proto, b, p + O.pNh, nh);
      const nLabels = b[p + O.pNl];
      const labels = [];
      for (let l = 0; l < Math.min(nLabels, 16); l++) {
        const lp = p + O.pLs + l * FIB_LABEL_SIZE;
        labels.push({ label: b.readUInt32BE(lp + O.lLabel), ttl: b[lp + O.lTtl], exp: b[lp + O.lExp], uniform: b[lp + O.lUni] !== 0 });
      }
      paths.push({
        swIfIndex: b.readUInt32BE(p + O.pSw),
        tableId: b.readUInt32BE(p + O.pTable),
        weight: b[p + O.pWeight],
        preference: b[p + O.pPref],
        type: b.readUInt32BE(p + O.pType),
        flags: b.readUInt32BE(p + O.pFlags),
        proto,
        nh,
        viaLabel: b.readUInt32BE(p + O.pVia),
        nLabels,
        labels,
      });
    }
    const v: CachedPaths = { paths, prep: prepare(paths) };
    if (this.pathCache.size >= PATH_CACHE_MAX) this.pathCache.clear();
    this.pathCache.set(key, v);
    return v;
  }

  /** The fib_path[] of a path set as VPP's fib_api_path_encode writes them, cached on the set. */
  private encodedPaths(s: PathSet): Buffer {
    if (s.enc) return s.enc;
    const O = this.O;
    const b = Buffer.alloc(s.paths.length * FIB_PATH_SIZE);
    s.paths.forEach((x, i) => {
      const p = i * FIB_PATH_SIZE;
      b.writeUInt32BE(x.swIfIndex >>> 0, p + O.pSw);
      // table_id is reported for paths that resolve in a table (fib index != 0 in fib_api_path_encode).
      const inTable = x.swIfIndex === NO_IF && x.type === 0;
      b.writeUInt32BE(inTable ? x.tableId >>> 0 : 0, p + O.pTable);
      b[p + O.pWeight] = x.weight;
      b[p + O.pPref] = x.preference;
      b.writeUInt32BE(x.type >>> 0, p + O.pType);
      // Path flags read back 0: fib_path_encode (vnet/fib/fib_path.c) never sets
      // FIB_ROUTE_PATH_RESOLVE_VIA_HOST/_ATTACHED, so fib_api_path_encode has none to report
      // (checked on VPP 25.10: a RESOLVE_VIA_HOST route dumps with flags 0).
      b.writeUInt32BE(0, p + O.pFlags);
      b.writeUInt32BE(x.proto >>> 0, p + O.pProto);
      if (x.proto === NH_PROTO.IP4 || x.proto === NH_PROTO.IP6) wordsToUnion(x.proto, x.nh, b, p + O.pNh);
      b[p + O.pNl] = x.labels.length;
      x.labels.forEach((l, k) => {
        const lp = p + O.pLs + k * FIB_LABEL_SIZE;
        // is_uniform is not set by fib_api_path_encode: it reads back 0.
        b.writeUInt32BE(l.label >>> 0, lp + O.lLabel);
        b[lp + O.lTtl] = l.ttl;
        b[lp + O.lExp] = l.exp;
      });
    });
    s.enc = b;
    return b;
  }

  /** The one DROP path a special entry (default route, multicast, broadcast) reports. */
  private specialPath(af: number): Buffer {
    const O = this.O;
    const b = Buffer.alloc(FIB_PATH_SIZE);
    b.writeUInt32BE(NO_IF, O.pSw);
    b[O.pWeight] = 1;
    b.writeUInt32BE(2, O.pType);
    b.writeUInt32BE(af, O.pProto);
    return b;
  }

  // ------------------------------------------------------------ handlers

  private installHandlers(): void {
    const fns = new Map<string, HandlerFn>();
    const def = (name: string, fn: HandlerFn): void => {
      fns.set(name, fn);
    };
    const O = this.O;

    // --- memclnt (vlibmemory/socket_api.c, vlib_api.c)
    def('sockclnt_create', (c, b, off) => {
      // Whatever is already queued goes first; the ~53 KB reply is then written in pieces.
      this.counters.bytesOut += c.flush();
      c.fragmentNext = true;
      const ctx = b.readUInt32BE(off + offsetOf(this.msg('sockclnt_create'), 'context'));
      const name = this.decode('sockclnt_create', b, off).name as string;
      c.name = name;
      const m = this.msg('sockclnt_create_reply');
      const fixed = m.size;
      const p = c.begin(this.id('sockclnt_create_reply'), fixed + this.tableBuf.length);
      const o = c.out;
      o.writeUInt32BE(ctx, p + offsetOf(m, 'context'));
      o.writeInt32BE(0, p + offsetOf(m, 'response'));
      o.writeUInt32BE(c.handle, p + offsetOf(m, 'index'));
      o.writeUInt16BE(this.table.entries.length, p + offsetOf(m, 'count'));
      this.tableBuf.copy(o, p + fixed);
      this.counters.messagesOut++;
    });
    def('sockclnt_delete', (c, b, off) => {
      const o = this.decode('sockclnt_delete', b, off);
      const idx = Number(o.index);
      const target = idx & REG_BIT ? this.regs.get((idx & ~REG_BIT) >>> 0) : undefined;
      if (!target || target.freed) {
        this.log(`sockclnt_delete: unknown client ID ${(idx & ~REG_BIT) >>> 0}`);
        this.sendObj(c, 'sockclnt_delete_reply', { context: o.context, response: -1 });
        return;
      }
      this.sendObj(c, 'sockclnt_delete_reply', { context: o.context, response: 1 });
      // The reply goes out, then the requester's socket is closed and the named registration freed.
      this.counters.bytesOut += c.flush();
      target.freed = true;
      if (this.regs.get(target.reg) === target) this.regs.delete(target.reg);
      c.endAfterFlush();
    });
    def('control_ping', (c, b, off) => {
      this.sendObj(c, 'control_ping_reply', { context: b.readUInt32BE(off + 6), retval: 0, client_index: 0, vpe_pid: process.pid });
    });
    def('memclnt_keepalive', (c, b, off) => this.reply(c, 'memclnt_keepalive_reply', b.readUInt32BE(off + 6), 0));
    def('memclnt_keepalive_reply', () => undefined);
    def('get_first_msg_id', (c, b, off) => {
      const o = this.decode('get_first_msg_id', b, off);
      const first = this.table.ranges.get(o.name as string);
      this.reply(c, 'get_first_msg_id_reply', Number(o.context), first === undefined ? -1 : 0, { first_msg_id: first ?? 0xffff });
    });
    def('api_versions', (c, b, off) => {
      const mods = this.defs.modules.map((m) => ({ major: m.version[0], minor: m.version[1], patch: m.version[2], name: m.name }));
      this.reply(c, 'api_versions_reply', b.readUInt32BE(off + 6), 0, { count: mods.length, api_versions: mods });
    });

    // --- vpe
    def('show_version', (c, b, off) =>
      this.reply(c, 'show_version_reply', b.readUInt32BE(off + 6), 0, { program: 'vpe', version: '25.10-release', build_date: 'vpp-sim', build_directory: '/vpp-sim' }),
    );

    // --- ip tables and routes (vnet/ip/ip_api.c)
    const tableAddDel = (name: string, c: Conn, o: Obj): void => {
      const t = o.table as Obj;
      const rv = this.fib.ipTableAddDel(!!o.is_add, t.is_ip6 ? 1 : 0, Number(t.table_id), t.name as string);
      this.reply(c, `${name}_reply`, Number(o.context), rv);
    };
    def('ip_table_add_del', (c, b, off) => tableAddDel('ip_table_add_del', c, this.decode('ip_table_add_del', b, off)));
    def('ip_table_add_del_v2', (c, b, off) => tableAddDel('ip_table_add_del_v2', c, this.decode('ip_table_add_del_v2', b, off)));
    const tableOp = (name: string, op: (af: number, t: number) => number): HandlerFn => (c, b, off) => {
      const o = this.decode(name, b, off);
      const t = o.table as Obj;
      this.reply(c, `${name}_reply`, Number(o.context), op(t.is_ip6 ? 1 : 0, Number(t.table_id)));
    };
    def('ip_table_flush', tableOp('ip_table_flush', (af, t) => this.fib.ipTableFlush(af, t)));
    def('ip_table_replace_begin', tableOp('ip_table_replace_begin', (af, t) => this.fib.ipTableReplaceBegin(af, t)));
    def('ip_table_replace_end', tableOp('ip_table_replace_end', (af, t) => this.fib.ipTableReplaceEnd(af, t)));
    def('ip_table_dump', (c, b, off) => {
      const ctx = b.readUInt32BE(off + 6);
      for (const af of [0, 1] as const)
        for (const t of this.fib.ip[af].values()) this.sendObj(c, 'ip_table_details', { context: ctx, table: { table_id: t.tableId, is_ip6: af === 1, name: t.name } });
    });

    const routeAddDel = (v2: boolean): HandlerFn => (c, b, off) => {
      const ctx = b.readUInt32BE(off + O.ctx);
      const n = b[off + O.n];
      let rv: number;
      if (this.failFraction > 0 && this.failRng.next() < this.failFraction) {
        // Injected fault: answered like a VPP that refused the request, the FIB left as it was.
        rv = this.failRetval;
        this.fib.lastStats = NO_IF;
        this.counters.injectedFailures++;
      } else if (v2 && b[off + O.v2src] !== 0 && b[off + O.v2src] !== FIB_SOURCE.API) {
        this.log(`ip_route_add_del_v2: src ${b[off + O.v2src]} refused: the simulator models the API source only (0 or ${FIB_SOURCE.API})`);
        rv = RV.INVALID_VALUE;
        this.fib.lastStats = NO_IF;
      } else {
        const cp = this.readPaths(b, off + (v2 ? O.v2paths : O.paths), n);
        const a = off + O.addr;
        const af = b[off + O.af];
        rv = this.fib.ipRoute(
          af,
          b.readUInt32BE(off + O.table),
          b.readUInt32BE(a),
          af === 1 ? b.readUInt32BE(a + 4) : 0,
          af === 1 ? b.readUInt32BE(a + 8) : 0,
          af === 1 ? b.readUInt32BE(a + 12) : 0,
          b[off + O.len],
          b[off + O.isAdd] !== 0,
          b[off + O.isMp] !== 0,
          cp.paths,
          cp.prep,
        );
      }
      const p = c.begin(v2 ? this.ids.ip_route_add_del_v2_reply : this.ids.ip_route_add_del_reply, O.rSize);
      const o = c.out;
      o.writeUInt32BE(ctx, p + O.rCtx);
      o.writeInt32BE(rv, p + O.rRv);
      o.writeUInt32BE(this.fib.lastStats >>> 0, p + O.rStats);
      this.counters.messagesOut++;
    };
    def('ip_route_add_del', routeAddDel(false));
    def('ip_route_add_del_v2', routeAddDel(true));

    const routeDump = (v2: boolean): HandlerFn => (c, b, off) => {
      const name = v2 ? 'ip_route_v2_dump' : 'ip_route_dump';
      const o = this.decode(name, b, off);
      const t = o.table as Obj;
      return this.dumpRoutes(c, Number(o.context), t.is_ip6 ? 1 : 0, Number(t.table_id), v2, v2 ? Number(o.src) : 0);
    };
    def('ip_route_dump', routeDump(false));
    def('ip_route_v2_dump', routeDump(true));

    const lookup = (name: string): HandlerFn => (c, b, off) => {
      const o = this.decode(name, b, off);
      const pfx = o.prefix as Obj;
      const addr = pfx.address as Obj;
      const af = Number(addr.af);
      const w = new Uint32Array(4);
      unionToWords(af, addr.un as Buffer, 0, w);
      const r = this.routeLookup(af, Number(o.table_id), w, Number(pfx.len), !!o.exact);
      if (typeof r === 'number') {
        this.reply(c, `${name}_reply`, Number(o.context), r);
        return;
      }
      const body = this.routeDetailsBody(r.pt, r.e, Number(o.table_id), name.endsWith('_v2'));
      const m = this.msg(`${name}_reply`);
      const roff = offsetOf(m, 'route');
      const p = c.begin(this.id(`${name}_reply`), roff + body.length);
      c.out.writeUInt32BE(Number(o.context), p + offsetOf(m, 'context'));
      body.copy(c.out, p + roff);
      this.counters.messagesOut++;
    };
    def('ip_route_lookup', lookup('ip_route_lookup'));
    def('ip_route_lookup_v2', lookup('ip_route_lookup_v2'));

    // --- mpls (vnet/mpls/mpls_api.c)
    def('mpls_table_add_del', (c, b, off) => {
      const o = this.decode('mpls_table_add_del', b, off);
      const t = o.mt_table as Obj;
      this.reply(c, 'mpls_table_add_del_reply', Number(o.context), this.fib.mplsTableAddDel(!!o.mt_is_add, Number(t.mt_table_id), t.mt_name as string));
    });
    def('mpls_route_add_del', (c, b, off) => {
      const ctx = b.readUInt32BE(off + O.ctx);
      const cp = this.readPaths(b, off + O.mPaths, b[off + O.mN]);
      const rv = this.fib.mplsRoute(
        b.readUInt32BE(off + O.mTable),
        b.readUInt32BE(off + O.mLabel),
        b[off + O.mEos] !== 0,
        b[off + O.mEosProto],
        b[off + O.mMcast] !== 0,
        b[off + O.mIsAdd] !== 0,
        b[off + O.mIsMp] !== 0,
        cp.paths,
        cp.prep,
      );
      this.reply(c, 'mpls_route_add_del_reply', ctx, rv, { stats_index: this.fib.lastStats >>> 0 });
    });
    def('mpls_table_dump', (c, b, off) => {
      const ctx = b.readUInt32BE(off + 6);
      for (const t of this.fib.mpls.values()) this.sendObj(c, 'mpls_table_details', { context: ctx, mt_table: { mt_table_id: t.tableId, mt_name: t.name } });
    });
    def('mpls_route_dump', (c, b, off) => {
      const o = this.decode('mpls_route_dump', b, off);
      return this.dumpMpls(c, Number(o.context), Number((o.table as Obj).mt_table_id));
    });

    // --- interfaces (vnet/interface_api.c)
    def('sw_interface_dump', (c, b, off) => {
      const o = this.decode('sw_interface_dump', b, off);
      const sw = Number(o.sw_if_index);
      const filter = o.name_filter_valid ? String(o.name_filter).toLowerCase() : '';
      for (const i of [...this.fib.ifs.values()].sort((x, y) => x.swIfIndex - y.swIfIndex)) {
        if (sw !== NO_IF && i.swIfIndex !== sw) continue;
        if (filter && !i.name.toLowerCase().includes(filter)) continue;
        this.sendObj(c, 'sw_interface_details', {
          context: o.context,
          sw_if_index: i.swIfIndex,
          sup_sw_if_index: i.sup,
          l2_address: i.mac,
          flags: (i.admin ? 1 : 0) | (i.link ? 2 : 0),
          type: 0,
          link_duplex: i.devType === 'ethernet' ? 2 : 0,
          link_speed: i.devType === 'ethernet' ? 10000000 : 0,
          link_mtu: i.swIfIndex === 0 ? 0 : 9000,
          mtu: i.swIfIndex === 0 ? [0, 0, 0, 0] : [9000, 0, 0, 0],
          vtr_op: 0,
          interface_name: i.name,
          interface_dev_type: i.devType,
          tag: '',
        });
      }
    });
    def('want_interface_events', (c, b, off) => {
      const o = this.decode('want_interface_events', b, off);
      let rv = 0;
      // pub_sub_handler: enabling twice or disabling when not enabled is INVALID_REGISTRATION.
      if (o.enable_disable) {
        if (c.events) rv = RV.INVALID_REGISTRATION;
        else c.events = { ci: Number(o.client_index), pid: Number(o.pid) };
      } else if (!c.events) rv = RV.INVALID_REGISTRATION;
      else c.events = null;
      if (rv !== 0) this.log(`want_interface_events: pid ${o.pid}: already ${o.enable_disable ? 'enabled' : 'disabled'}`);
      this.reply(c, 'want_interface_events_reply', Number(o.context), rv);
    });
    def('sw_interface_set_flags', (c, b, off) => {
      const o = this.decode('sw_interface_set_flags', b, off);
      const sw = Number(o.sw_if_index);
      if (!this.fib.ifs.has(sw)) {
        this.reply(c, 'sw_interface_set_flags_reply', Number(o.context), RV.INVALID_SW_IF_INDEX);
        return;
      }
      const changed = this.fib.setIfState(sw, (Number(o.flags) & 1) !== 0, undefined);
      this.reply(c, 'sw_interface_set_flags_reply', Number(o.context), 0);
      if (changed) this.interfaceEvent(sw, false);
    });

    // --- linux-cp (plugins/linux-cp/lcp_api.c): a cursor get, details then the reply.
    const lcpGet = (name: string): HandlerFn => (c, b, off) => {
      const o = this.decode(name, b, off);
      const filter = o.sw_if_index === undefined ? NO_IF : Number(o.sw_if_index);
      const pairs = [...this.fib.ifs.values()].filter((i) => i.lcp).sort((x, y) => x.swIfIndex - y.swIfIndex);
      let cursor = Number(o.cursor);
      let rv = 0;
      if (pairs.length === 0) {
        this.reply(c, `${name}_reply`, Number(o.context), 0, { cursor: NO_IF });
        return;
      }
      if (cursor >= pairs.length) {
        cursor = NO_IF;
        rv = RV.INVALID_VALUE;
      }
      for (let k = cursor === NO_IF ? pairs.length : cursor; k < pairs.length; k++) {
        const i = pairs[k];
        if (filter !== NO_IF && i.swIfIndex !== filter) continue;
        const l = i.lcp as NonNullable<typeof i.lcp>;
        this.sendObj(c, 'lcp_itf_pair_details', {
          context: o.context,
          phy_sw_if_index: i.swIfIndex,
          host_sw_if_index: l.hostSwIfIndex,
          vif_index: l.hostIfIndex,
          host_if_name: l.hostName,
          host_if_type: 0,
          netns: l.netns,
        });
      }
      this.reply(c, `${name}_reply`, Number(o.context), rv, { cursor: NO_IF });
    };
    def('lcp_itf_pair_get', lcpGet('lcp_itf_pair_get'));
    def('lcp_itf_pair_get_v2', lcpGet('lcp_itf_pair_get_v2'));

    // --- vxlan (plugins/vxlan/vxlan_api.c)
    const vxlan = (name: string): HandlerFn => (c, b, off) => {
      const o = this.decode(name, b, off);
      const s = o.src_address as Obj;
      const d = o.dst_address as Obj;
      const sw = new Uint32Array(4);
      const dw = new Uint32Array(4);
      unionToWords(Number(s.af), s.un as Buffer, 0, sw);
      unionToWords(Number(d.af), d.un as Buffer, 0, dw);
      const r = this.l2.vxlanAddDel({
        isAdd: !!o.is_add,
        instance: o.instance === undefined ? NO_IF : Number(o.instance),
        srcAf: Number(s.af),
        src: sw,
        dstAf: Number(d.af),
        dst: dw,
        srcPort: Number(o.src_port ?? 0),
        dstPort: Number(o.dst_port ?? 0),
        mcastSwIfIndex: Number(o.mcast_sw_if_index),
        encapVrfId: Number(o.encap_vrf_id),
        decapNextIndex: Number(o.decap_next_index),
        vni: Number(o.vni),
        isL3: !!o.is_l3,
      });
      this.reply(c, `${name}_reply`, Number(o.context), r.rv, { sw_if_index: r.swIfIndex });
      if (r.created !== undefined) this.interfaceEvent(r.created, false);
      if (r.deleted !== undefined) this.interfaceEvent(r.deleted, true);
    };
    def('vxlan_add_del_tunnel', vxlan('vxlan_add_del_tunnel'));
    def('vxlan_add_del_tunnel_v2', vxlan('vxlan_add_del_tunnel_v2'));
    def('vxlan_add_del_tunnel_v3', vxlan('vxlan_add_del_tunnel_v3'));
    const vxlanDump = (name: string, details: string): HandlerFn => (c, b, off) => {
      const o = this.decode(name, b, off);
      const sw = Number(o.sw_if_index);
      for (const t of this.l2.tunnels.values()) {
        if (sw !== NO_IF && t.swIfIndex !== sw) continue;
        const su = Buffer.alloc(16);
        const du = Buffer.alloc(16);
        wordsToUnion(t.af, parseAddress(t.src).words, su, 0);
        wordsToUnion(t.af, parseAddress(t.dst).words, du, 0);
        this.sendObj(c, details, {
          context: o.context,
          sw_if_index: t.swIfIndex,
          instance: t.instance,
          src_address: { af: t.af, un: su },
          dst_address: { af: t.af, un: du },
          src_port: t.srcPort,
          dst_port: t.dstPort,
          mcast_sw_if_index: t.mcastSwIfIndex,
          encap_vrf_id: t.encapVrfId,
          decap_next_index: t.decapNextIndex,
          vni: t.vni,
        });
      }
    };
    def('vxlan_tunnel_dump', vxlanDump('vxlan_tunnel_dump', 'vxlan_tunnel_details'));
    def('vxlan_tunnel_v2_dump', vxlanDump('vxlan_tunnel_v2_dump', 'vxlan_tunnel_v2_details'));

    // --- l2 (vnet/l2/l2_api.c)
    const bdAddDel = (name: string): HandlerFn => (c, b, off) => {
      const o = this.decode(name, b, off);
      const r = this.l2.bridgeDomainAddDel(!!o.is_add, Number(o.bd_id), {
        flood: !!o.flood,
        uuFlood: !!o.uu_flood,
        forward: !!o.forward,
        learn: !!o.learn,
        arpTerm: !!o.arp_term,
        arpUfwd: !!o.arp_ufwd,
        macAge: Number(o.mac_age),
        tag: String(o.bd_tag ?? ''),
      });
      this.reply(c, `${name}_reply`, Number(o.context), r.rv, { bd_id: r.bdId });
    };
    def('bridge_domain_add_del', bdAddDel('bridge_domain_add_del'));
    def('bridge_domain_add_del_v2', bdAddDel('bridge_domain_add_del_v2'));
    def('sw_interface_set_l2_bridge', (c, b, off) => {
      const o = this.decode('sw_interface_set_l2_bridge', b, off);
      const rv = this.l2.setL2Bridge(Number(o.rx_sw_if_index), Number(o.bd_id), Number(o.port_type), Number(o.shg), !!o.enable);
      this.reply(c, 'sw_interface_set_l2_bridge_reply', Number(o.context), rv);
    });
    def('l2fib_add_del', (c, b, off) => {
      const o = this.decode('l2fib_add_del', b, off);
      const rv = this.l2.l2fibAddDel(!!o.is_add, o.mac as Buffer, Number(o.bd_id), Number(o.sw_if_index), !!o.static_mac, !!o.filter_mac, !!o.bvi_mac);
      this.reply(c, 'l2fib_add_del_reply', Number(o.context), rv);
    });
    def('l2fib_flush_all', (c, b, off) => this.reply(c, 'l2fib_flush_all_reply', b.readUInt32BE(off + 6), this.l2.flush()));
    def('l2fib_flush_bd', (c, b, off) => {
      const o = this.decode('l2fib_flush_bd', b, off);
      this.reply(c, 'l2fib_flush_bd_reply', Number(o.context), this.l2.flush(Number(o.bd_id)));
    });
    def('l2_fib_table_dump', (c, b, off) => {
      const o = this.decode('l2_fib_table_dump', b, off);
      const bd = Number(o.bd_id);
      for (const e of this.l2.l2fib.values()) {
        if (bd !== NO_IF && e.bdId !== bd) continue;
        this.sendObj(c, 'l2_fib_table_details', {
          context: o.context,
          bd_id: e.bdId,
          mac: Buffer.from(e.mac.split(':').map((x) => parseInt(x, 16))),
          sw_if_index: e.swIfIndex,
          static_mac: e.staticMac,
          filter_mac: e.filterMac,
          bvi_mac: e.bviMac,
        });
      }
    });
    def('bridge_domain_dump', (c, b, off) => {
      const o = this.decode('bridge_domain_dump', b, off);
      const bd = Number(o.bd_id);
      for (const d of this.l2.bds.values()) {
        if (bd !== NO_IF && d.bdId !== bd) continue;
        const members = [...d.members].map(([sw, m]) => ({ context: 0, sw_if_index: sw, shg: m.shg }));
        const bvi = [...d.members].find(([, m]) => m.portType === 1);
        const uu = [...d.members].find(([, m]) => m.portType === 2);
        this.sendObj(c, 'bridge_domain_details', {
          context: o.context,
          bd_id: d.bdId,
          flood: d.flood,
          uu_flood: d.uuFlood,
          forward: d.forward,
          learn: d.learn,
          arp_term: d.arpTerm,
          arp_ufwd: d.arpUfwd,
          mac_age: d.macAge,
          bd_tag: d.tag,
          bvi_sw_if_index: bvi ? bvi[0] : NO_IF,
          uu_fwd_sw_if_index: uu ? uu[0] : NO_IF,
          n_sw_ifs: members.length,
          sw_if_details: members,
        });
      }
    });

    // --- the dispatch table for this start's ids
    const handlers: (Handler | undefined)[] = [];
    for (const [id, name] of this.table.nameOf) {
      if (name.startsWith('~')) {
        handlers[id] = { name: name.slice(1), size: () => 2, ci: false, fn: () => this.unmodelled(name.slice(1)) };
        continue;
      }
      const m = this.msg(name);
      const fn = fns.get(name);
      const isRequest = m.fields[1]?.name === 'client_index' && !/_(reply|details|event)$/.test(name);
      if (!fn && !isRequest && name !== 'sockclnt_create') continue; // VPP has no handler for replies, details, events
      handlers[id] = {
        name,
        size: compileSize(m),
        ci: m.fields[1]?.name === 'client_index',
        fn: fn ?? ((c, b, off) => this.unmodelledRequest(c, name, b, off)),
      };
    }
    this.handlers = handlers;
    this.modelled = [...fns.keys()].filter((n) => this.table.idOf.has(n));
  }

  /** Messages with a modelled handler (control: 'modelled'). */
  modelled: string[] = [];

  private unmodelled(name: string): void {
    this.counters.protocol.unmodelled++;
    this.log(`message '${name}' belongs to a plugin the simulator only announces: not handled`);
  }

  private unmodelledRequest(c: Conn, name: string, b: Buffer, off: number): void {
    this.counters.protocol.unmodelled++;
    this.log(`message '${name}' is not modelled by the simulator: answered UNIMPLEMENTED (-9)`);
    const r = this.defs.messages.get(`${name}_reply`);
    if (r && r.fields[1]?.name === 'context' && r.fields[2]?.name === 'retval') {
      this.reply(c, `${name}_reply`, b.readUInt32BE(off + 6), -9);
    }
  }

  // ------------------------------------------------------------ dumps

  private routeLookup(af: number, tableId: number, w: Uint32Array, len: number, exact: boolean): number | { pt: PrefixTable; e: number } {
    if (af !== 0 && af !== 1) return RV.INVALID_ADDRESS_FAMILY;
    const t = this.fib.ip[af].get(tableId);
    if (!t) return RV.NO_SUCH_FIB;
    let e: number;
    if (exact) {
      e = t.pt.find(
        (w[0] & maskWord(len, 0)) >>> 0,
        af ? (w[1] & maskWord(len, 1)) >>> 0 : 0,
        af ? (w[2] & maskWord(len, 2)) >>> 0 : 0,
        af ? (w[3] & maskWord(len, 3)) >>> 0 : 0,
        len,
      );
    } else e = t.pt.lpm(w, len);
    return e < 0 ? RV.NO_SUCH_ENTRY : { pt: t.pt, e };
  }

  /** The `route` part (ip_route or ip_route_v2) of a details message for one entry. */
  private routeDetailsBody(pt: PrefixTable, e: number, tableId: number, v2: boolean): Buffer {
    const O = this.O;
    const base = O.dTable;
    const set = pt.set[e];
    const paths = set >= 0 ? this.encodedPaths(this.fib.getSet(set)) : this.specialPath(pt.af);
    const fixed = (v2 ? O.d2Paths : O.dPaths) - base;
    const b = Buffer.alloc(fixed + paths.length);
    b.writeUInt32BE(tableId, O.dTable - base);
    b.writeUInt32BE(e, O.dStats - base);
    b[O.dAf - base] = pt.af;
    const w = pt.af === 0 ? [pt.addr[e], 0, 0, 0] : Array.from(pt.addr.subarray(e * 4, e * 4 + 4));
    wordsToUnion(pt.af, w, b, O.dAddr - base);
    b[O.dLen - base] = pt.plen[e];
    b[O.dN - base] = paths.length / FIB_PATH_SIZE;
    if (v2) b[O.d2Src - base] = FibModel.entrySource(pt, e);
    paths.copy(b, fixed);
    return b;
  }

  private *dumpRoutes(c: Conn, ctx: number, af: 0 | 1, tableId: number, v2: boolean, src: number): Generator<void> {
    const t = this.fib.ip[af].get(tableId);
    if (!t) return; // VPP sends nothing for a table it does not have
    const pt = t.pt;
    const O = this.O;
    const id = v2 ? this.ids.ip_route_v2_details : this.ids.ip_route_details;
    const fixed = v2 ? O.d2Paths : O.dPaths;
    const special = [this.specialPath(0), this.specialPath(1)];
    const hi = pt.hi;
    let n = 0;
    for (let e = 0; e < hi; e++) {
      if (c.closed) return;
      if (!(pt.flg[e] & 1)) continue;
      const s = FibModel.entrySource(pt, e);
      if (src !== 0 && s !== src) continue;
      const set = pt.set[e];
      const paths = set >= 0 ? this.encodedPaths(this.fib.getSet(set)) : special[pt.af];
      const p = c.begin(id, fixed + paths.length);
      const o = c.out;
      o.writeUInt32BE(ctx, p + O.dCtx);
      o.writeUInt32BE(tableId, p + O.dTable);
      o.writeUInt32BE(e, p + O.dStats);
      o[p + O.dAf] = af;
      const a = p + O.dAddr;
      if (af === 0) o.writeUInt32BE(pt.addr[e], a);
      else for (let k = 0; k < 4; k++) o.writeUInt32BE(pt.addr[e * 4 + k], a + 4 * k);
      o[p + O.dLen] = pt.plen[e];
      o[p + O.dN] = paths.length / FIB_PATH_SIZE;
      if (v2) o[p + O.d2Src] = s;
      paths.copy(o, p + fixed);
      this.counters.messagesOut++;
      if (++n % DUMP_CHUNK === 0) yield;
    }
  }

  private *dumpMpls(c: Conn, ctx: number, tableId: number): Generator<void> {
    const t = this.fib.mpls.get(tableId);
    if (!t) return;
    const O = this.O;
    const id = this.ids.mpls_route_details;
    let n = 0;
    for (const [k, r] of [...t.routes]) {
      if (c.closed) return;
      const paths = this.encodedPaths(this.fib.getSet(r.set));
      const p = c.begin(id, O.mdPaths + paths.length);
      const o = c.out;
      o.writeUInt32BE(ctx, p + O.mdCtx);
      o.writeUInt32BE(tableId, p + O.mdTable);
      o.writeUInt32BE(Math.floor(k / 2), p + O.mdLabel);
      o[p + O.mdEos] = k & 1;
      o[p + O.mdEosProto] = r.eosProto;
      o[p + O.mdN] = paths.length / FIB_PATH_SIZE;
      paths.copy(o, p + O.mdPaths);
      this.counters.messagesOut++;
      if (++n % DUMP_CHUNK === 0) yield;
    }
  }

  // ------------------------------------------------------------ events

  /** sw_interface_event to every registered client, after what is already queued. */
  interfaceEvent(sw: number, deleted: boolean): void {
    this.later(() => {
      const i = this.fib.ifs.get(sw);
      const flags = i ? (i.admin ? 1 : 0) | (i.link ? 2 : 0) : 0;
      for (const c of this.conns) {
        if (!c.events || c.closed || c.freed) continue;
        this.markDirty(c);
        this.sendObj(c, 'sw_interface_event', { client_index: c.events.ci, pid: c.events.pid, sw_if_index: sw, flags, deleted });
        this.counters.eventsSent++;
      }
    });
  }

  setInterface(sw: number, up: boolean | undefined, admin?: boolean, link?: boolean): boolean {
    const changed = this.fib.setIfState(sw, admin ?? up, link ?? up);
    if (changed) this.interfaceEvent(sw, false);
    return changed;
  }

  // ------------------------------------------------------------ control socket

  private onControl(s: net.Socket): void {
    this.ctlConns.add(s);
    let acc = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      acc += d;
      let nl: number;
      while ((nl = acc.indexOf('\n')) >= 0) {
        const line = acc.slice(0, nl);
        acc = acc.slice(nl + 1);
        if (line.trim()) void this.control(s, line);
      }
    });
    s.on('error', () => undefined);
    s.on('close', () => this.ctlConns.delete(s));
  }

  private async control(s: net.Socket, line: string): Promise<void> {
    let id: unknown = null;
    try {
      const req = JSON.parse(line) as { id?: unknown; cmd: string; args?: Record<string, unknown> };
      id = req.id ?? null;
      const result = await this.command(req.cmd, req.args ?? {});
      s.write(`${JSON.stringify({ id, ok: true, result })}\n`);
    } catch (e) {
      s.write(`${JSON.stringify({ id, ok: false, error: (e as Error).message })}\n`);
    }
  }

  /** Control commands (also callable in-process). */
  async command(cmd: string, a: Record<string, unknown>): Promise<unknown> {
    switch (cmd) {
      case 'ping':
        return 'pong';
      case 'info':
        return {
          pid: process.pid,
          seed: this.seed,
          socket: this.opts.socket,
          messages: this.table.entries.length,
          tableBytes: this.tableBuf.length + 20,
          delayUs: this.delayUs,
          connections: this.conns.size,
        };
      case 'modelled':
        return this.modelled;
      case 'ids':
        return Object.fromEntries([...this.table.entries].map((e) => [e.nameCrc, e.id]));
      case 'setDelay':
        this.setDelay(Number(a.us ?? 0));
        return { delayUs: this.delayUs };
      case 'setFailRate': {
        const f = Number(a.fraction ?? 0);
        if (!(f >= 0 && f <= 1)) throw new Error(`Expected a fraction between 0 and 1 for setFailRate but received ${JSON.stringify(a.fraction)}`);
        this.failFraction = f;
        this.failRetval = a.retval === undefined ? RV.UNSPECIFIED : Number(a.retval);
        if (a.seed !== undefined) this.failRng = new Rng(Number(a.seed));
        return { fraction: this.failFraction, retval: this.failRetval };
      }
      case 'setInterface': {
        const sw = Number(a.sw);
        return { changed: this.setInterface(sw, a.up as boolean | undefined, a.admin as boolean | undefined, a.link as boolean | undefined) };
      }
      case 'addInterface': {
        const i = this.fib.addInterface(a.spec as IfaceSpec);
        this.interfaceEvent(i.swIfIndex, false);
        return { swIfIndex: i.swIfIndex };
      }
      case 'interfaces':
        return [...this.fib.ifs.values()].map((i) => ({ ...i, mac: macText(i.mac) }));
      case 'lookup':
        return this.fib.lookup(Number(a.table ?? 0), String(a.prefix));
      case 'fibDump': {
        const routes = this.fib.exportRoutes({ family: a.family as 'ip4' | undefined, table: a.table as number | undefined, limit: a.limit as number | undefined });
        if (typeof a.file === 'string') {
          const fd = fs.openSync(a.file, 'w');
          try {
            let chunk: string[] = [];
            for (const r of routes) {
              chunk.push(JSON.stringify(r));
              if (chunk.length === 10000) {
                fs.writeSync(fd, `${chunk.join('\n')}\n`);
                chunk = [];
              }
            }
            if (chunk.length) fs.writeSync(fd, `${chunk.join('\n')}\n`);
          } finally {
            fs.closeSync(fd);
          }
          return { count: routes.length, file: a.file };
        }
        return routes;
      }
      case 'fibDigest': {
        const routes = this.fib.exportRoutes({ family: a.family as 'ip4' | undefined, table: a.table as number | undefined });
        return { count: routes.length, digest: routesDigest(routes) };
      }
      case 'tables':
        return this.fib.tablesJson();
      case 'l2':
        return this.l2.toJson();
      case 'counters':
        return {
          ...this.counters,
          fib: this.fib.counters,
          routes: this.fib.routeCount,
          pathSets: this.fib.pathSetCount,
          protocolErrors: Object.values(this.counters.protocol).reduce((x, y) => x + y, 0),
        };
      case 'resetCounters':
        this.counters = zeroCounters();
        this.fib.counters = FibModel.zeroCounters();
        return true;
      case 'log': {
        const lines = this.logLines.slice();
        if (a.clear) this.logLines = [];
        return lines;
      }
      case 'dropSocket':
        return { dropped: this.dropAll() };
      case 'restart':
        return this.restart({ empty: a.empty as boolean | undefined, seed: a.seed as number | undefined, downMs: a.downMs as number | undefined });
      case 'exit':
        setImmediate(() => {
          void this.close().then(() => process.exit(0));
        });
        return true;
      default:
        throw new Error(`unknown command ${cmd}`);
    }
  }
}

function newSeed(): number {
  return (Date.now() ^ (process.pid << 16) ^ Math.floor(Math.random() * 0x7fffffff)) >>> 0;
}

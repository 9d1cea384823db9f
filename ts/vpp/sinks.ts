// Reply sinks: who gets the outcome of a pipelined request. The programmer is one (a token per in-flight
// slot, no object per route); the generic request/dump API is another, resolving promises.
import { MsgDef } from './gen/messages';
import { decode, Values } from './codec';
import { VppApiError } from './errors';

/** Receives the outcome of pipelined requests (one object per user: the programmer, the generic API). */
export interface ReplySink {
  /** The reply (or the fence/ping reply ending a dump) arrived. retval is 0 for messages without one. */
  reply(token: number, retval: number, buf: Uint8Array, dv: DataView, off: number, len: number): void;
  /** One details message of a dump or cursor get (borrowed bytes). */
  details?(token: number, buf: Uint8Array, dv: DataView, off: number, len: number): void;
  /** No reply: timeout, dropped by VPP, or the socket closed. */
  fail(token: number, err: Error): void;
}

/** Generic request/response plumbing: a sink that resolves promises. */
export class PromiseSink implements ReplySink {
  private next = 1;
  private readonly waiting = new Map<number, {
    resolve: (v: Values) => void;
    reject: (e: Error) => void;
    def: MsgDef | null;
    req: string;
    rows?: Values[];
    defs?: (MsgDef | undefined)[];
    onRow?: (buf: Uint8Array, dv: DataView, off: number, len: number) => void;
    /** Message that ends the call: its retval is checked. */
    checkRetval: boolean;
  }>();

  add(
    req: string, def: MsgDef | null, resolve: (v: Values) => void, reject: (e: Error) => void,
    opts: { rows?: Values[]; defs?: (MsgDef | undefined)[]; onRow?: (buf: Uint8Array, dv: DataView, off: number, len: number) => void; checkRetval?: boolean } = {},
  ): number {
    const t = this.next++;
    if (this.next > 0x7fffffff) this.next = 1;
    this.waiting.set(t, { resolve, reject, def, req, rows: opts.rows, defs: opts.defs, onRow: opts.onRow, checkRetval: opts.checkRetval ?? true });
    return t;
  }

  reply(token: number, retval: number, _buf: Uint8Array, dv: DataView, off: number, len: number): void {
    const w = this.waiting.get(token);
    if (!w) return;
    this.waiting.delete(token);
    if (w.checkRetval && retval !== 0) {
      w.reject(new VppApiError(w.req, retval));
      return;
    }
    let v: Values = {};
    try {
      if (w.def) v = decode(dv, off, len, w.def);
    } catch (e) {
      w.reject(e as Error);
      return;
    }
    if (w.rows) v = { ...v, details: w.rows };
    w.resolve(v);
  }

  details(token: number, buf: Uint8Array, dv: DataView, off: number, len: number): void {
    const w = this.waiting.get(token);
    if (!w) return;
    if (w.onRow) {
      w.onRow(buf, dv, off, len);
      return;
    }
    if (w.rows && w.defs) {
      const d = w.defs[dv.getUint16(off)];
      if (d) w.rows.push(decode(dv, off, len, d));
    }
  }

  fail(token: number, err: Error): void {
    const w = this.waiting.get(token);
    if (!w) return;
    this.waiting.delete(token);
    w.reject(err);
  }
}

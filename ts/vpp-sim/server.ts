// The VPP simulator's socket server: VPP's binary API over a UNIX stream socket (reassembly,
// dispatch in arrival order, dumps in chunks, events) and its lifecycle. The handlers are in
// handlers-*.ts, the wire forms of routes in route-wire.ts, the control socket in control.ts.
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
import { encode, decodeAt, compileSize, Obj } from './codec';
import { loadDefs, SimDefs, SimMsg } from './defs';
import { buildTable, MsgTable } from './msgtable';
import { FibModel } from './fib';
import { IfaceSpec, RV, DEFAULT_INTERFACES } from './fib-types';
import { L2Model } from './l2';
import { Rng } from '../gen/rng';
import { Conn, REG_BIT } from './conn';
import { RouteWire } from './route-wire';
import { Counters, Def, Handler, HandlerFn, HandlerHost, zeroCounters } from './host';
import { memclntHandlers } from './handlers-memclnt';
import { ipHandlers } from './handlers-ip';
import { interfaceHandlers } from './handlers-interface';
import { l2Handlers } from './handlers-l2';
import { serveControl } from './control';

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

const MAX_MESSAGE = 16 * 1024 * 1024;
const HIGH_WATER = 8 * 1024 * 1024;
const LOG_KEEP = 20000;

/** A queued message: a slice of a received chunk (Node hands each read a fresh Buffer, never reused). */
type QItem = { c: Conn; buf: Buffer; off: number; len: number } | { fn: () => void };

export class VppSimServer implements HandlerHost {
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
  private logLines: string[] = [];
  tableBuf: Buffer = Buffer.alloc(0);
  counters: Counters = zeroCounters();
  ids!: Record<string, number>;
  readonly wire: RouteWire;

  constructor(opts: ServerOptions) {
    this.opts = opts;
    this.defs = loadDefs(opts.jsonDir);
    this.seed = opts.seed ?? newSeed();
    this.delayUs = opts.delayUs ?? 0;
    this.wire = new RouteWire(this.defs);
    this.reset(true);
  }

  // ------------------------------------------------------------ lifecycle

  private reset(empty: boolean): void {
    this.table = buildTable(this.defs, { seed: this.seed, omit: this.opts.omit, idMode: this.opts.idMode, padding: this.opts.padding });
    if (empty || !this.fib) {
      this.fib = new FibModel(this.opts.interfaces ?? DEFAULT_INTERFACES, (l) => this.log(l));
      this.l2 = new L2Model(this.fib);
      this.wire.clearCache();
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
      this.ctl = net.createServer((s) => {
        this.ctlConns.add(s);
        s.on('close', () => this.ctlConns.delete(s));
        serveControl(this, s);
      });
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

  msg(name: string): SimMsg {
    const m = this.defs.messages.get(name);
    if (!m) throw new Error(`vpp-sim: no message ${name} in the API definitions`);
    return m;
  }

  id(name: string): number {
    const id = this.ids[name];
    if (id === undefined) throw new Error(`vpp-sim: no id for ${name}`);
    return id;
  }

  /** Sends a reply/details built from an object with the simulator's generic encoder. */
  sendObj(c: Conn, name: string, o: Obj): void {
    const m = this.msg(name);
    const body = encode(m, { ...o, _vl_msg_id: this.id(name) });
    const p = c.begin(this.id(name), body.length);
    body.copy(c.out, p);
    this.counters.messagesOut++;
  }

  decode(name: string, b: Buffer, off: number): Obj {
    return decodeAt(this.msg(name), b, off)[0];
  }

  /** A reply with (context, retval) and optionally more fields. */
  reply(c: Conn, name: string, ctx: number, rv: number, extra: Obj = {}): void {
    this.sendObj(c, name, { context: ctx, retval: rv, ...extra });
  }

  // ------------------------------------------------------------ dispatch table

  private installHandlers(): void {
    const fns = new Map<string, HandlerFn>();
    const def: Def = (name, fn) => {
      fns.set(name, fn);
    };
    memclntHandlers(this, def);
    ipHandlers(this, def);
    interfaceHandlers(this, def);
    l2Handlers(this, def);

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

  // ------------------------------------------------------------ for the handlers and the control socket

  registration(index: number): Conn | undefined {
    return index & REG_BIT ? this.regs.get((index & ~REG_BIT) >>> 0) : undefined;
  }

  freeRegistration(c: Conn): void {
    c.freed = true;
    if (this.regs.get(c.reg) === c) this.regs.delete(c.reg);
  }

  injectFailure(): boolean {
    return this.failFraction > 0 && this.failRng.next() < this.failFraction;
  }

  /** Fault injection: `fraction` of route add/dels answered with `retval` and not applied; `seed` restarts the draw. */
  setFailRate(fraction: number, retval: number, seed?: number): void {
    this.failFraction = fraction;
    this.failRetval = retval;
    if (seed !== undefined) this.failRng = new Rng(seed);
  }

  resetCounters(): void {
    this.counters = zeroCounters();
    this.fib.counters = FibModel.zeroCounters();
  }

  /** The log kept so far (the last LOG_KEEP lines); `clear` empties it. */
  takeLog(clear: boolean): string[] {
    const lines = this.logLines.slice();
    if (clear) this.logLines = [];
    return lines;
  }

  get socketPath(): string {
    return this.opts.socket;
  }

  get connectionCount(): number {
    return this.conns.size;
  }
}


function newSeed(): number {
  return (Date.now() ^ (process.pid << 16) ^ Math.floor(Math.random() * 0x7fffffff)) >>> 0;
}

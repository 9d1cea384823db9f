// The VPP binary-API client: connect and message table, pipelined requests matched by context, dumps, events, reconnect.
//
// Facts relied on (docs/vpp-api.md, vlibmemory/socket_api.c, vlibmemory/memclnt_api.c):
// - sockclnt_create (id 15) is answered by sockclnt_create_reply (id 16) carrying `index` (used as
//   client_index afterwards) and the whole message table (name_crc -> id). Only memclnt's ids
//   (10-24) are fixed; every other id is resolved by name_crc on every connect.
// - VPP answers requests in the order it received them (one API process on the main thread), and
//   echoes `context`. A control_ping reply is a fence: everything sent before it was answered.
// - Dumps: X_dump then control_ping with the same context; the details stream ends at the ping reply.
// - A malformed or unknown message gets no reply at all: requests need timeouts, and a reply to a
//   later context proves the earlier ones were dropped.
// - Events (sw_interface_event) carry no context. memclnt_keepalive is answered with its reply.
import { EventEmitter } from 'events';
import { MESSAGES, MsgDef } from './gen/messages';
import { BatchBuffer, VppSocket } from './transport';
import {
  decode,
  encode,
  encodedSize,
  FIB_PATH_SIZE,
  IP_ROUTE_ADD_DEL_FIXED,
  MPLS_ROUTE_ADD_DEL_FIXED,
  Values,
  writeIpRouteAddDel,
  writeIpTableAddDel,
  writeMplsRouteAddDel,
  writeMplsTableAddDel,
} from './codec';
import { InFlight } from './inflight';
import { END_ANY, MEMCLNT_IDS, MSG_INDEX, MSG_NAMES, parseCreateReply, REQUIRED_MESSAGES } from './msgtable';
import { PromiseSink, ReplySink } from './sinks';
import {
  RV,
  VppApiError,
  VppCompatibilityError,
  VppDisconnectedError,
  VppNoReplyError,
  VppTimeoutError,
} from './errors';

export { MEMCLNT_IDS, OPTIONAL_MESSAGES, REQUIRED_MESSAGES } from './msgtable';
export type { ReplySink } from './sinks';

export const DEFAULT_VPP_SOCKET = '/run/vpp/api.sock';

// The typed writers' messages, as in-flight table indexes.
const MI_IP_ROUTE_ADD_DEL = MSG_INDEX.get('ip_route_add_del')!;
const MI_MPLS_ROUTE_ADD_DEL = MSG_INDEX.get('mpls_route_add_del')!;
const MI_IP_TABLE_ADD_DEL = MSG_INDEX.get('ip_table_add_del')!;
const MI_MPLS_TABLE_ADD_DEL = MSG_INDEX.get('mpls_table_add_del')!;

/** The pause between reads of a dump stream (~700 route details at VPP's pace of ~660k/s per ms). */
const DUMP_READ_PAUSE_MS = 1;

/** A read below this many bytes (~800 route replies) counts as small for readPause(). */
const SMALL_READ_BYTES = 24 * 1024;

export interface VppClientOptions {
  socketPath?: string;
  /** Name given in sockclnt_create (shows in `show api clients`). */
  clientName?: string;
  /** Requests in flight at most (1 = strictly one at a time). */
  window?: number;
  /** Pause between reads while VPP is the slower side (ms; 0 = read every reply at once). Default 3. */
  readPauseMs?: number;
  /** No reply within this many ms (and VPP silent as long) fails the request. */
  timeoutMs?: number;
  connectTimeoutMs?: number;
  /** Reconnect with backoff when the socket closes (default true). */
  reconnect?: boolean;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Messages that must be in the message table (default REQUIRED_MESSAGES). */
  required?: readonly string[];
  /** Flush a batch once it holds this many bytes (one socket write per batch). */
  batchBytes?: number;
}

export interface ConnectInfo {
  /** VPP's pid (control_ping_reply.vpe_pid): changes when VPP restarted. */
  vpePid: number;
  /** The pid of the VPP of the previous connection, or -1 on the first. */
  previousVpePid: number;
  /** Messages in VPP's table. */
  messages: number;
  /** Optional messages the running VPP lacks (plugin not loaded). */
  missingOptional: string[];
  clientIndex: number;
}

export interface ClientCounters {
  connects: number;
  disconnects: number;
  sent: number;
  replies: number;
  details: number;
  /** Replies with retval != 0. */
  errors: number;
  timeouts: number;
  /** Requests VPP dropped without a reply (detected by a later context being answered). */
  noReply: number;
  /** Replies whose context matched nothing in flight (late after a timeout). */
  unmatched: number;
  events: number;
  keepalives: number;
  batches: number;
  batchMessagesMax: number;
  bytesOut: number;
  bytesIn: number;
  /** Times the API socket was left unread for readPauseMs (VPP the slower side). */
  readPauses: number;
}

/**
 * A pipelined client of VPP's binary API over its UNIX socket. Users with many requests (the
 * programmer, adoption's sweep) call the typed writers (ipRouteAddDel...), which encode into the
 * current batch, and get replies through a ReplySink; others use request()/dump().
 */
export class VppClient extends EventEmitter {
  readonly socketPath: string;
  readonly clientName: string;
  window: number;
  readonly readPauseMs: number;
  readonly timeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly autoReconnect: boolean;
  private readonly backoffMinMs: number;
  private readonly backoffMaxMs: number;
  private readonly required: readonly string[];
  private readonly batchBytes: number;

  private sock: VppSocket | null = null;
  private state: 'idle' | 'connecting' | 'ready' | 'closing' | 'closed' = 'idle';
  private handshake: { ctx: number; resolve: (b: { index: number; table: Map<string, number> }) => void; reject: (e: Error) => void } | null = null;

  /** Resolved ids of this connection: name -> id (absent when the running VPP lacks the message). */
  ids: Record<string, number> = {};
  /** id -> definition, for decoding by id. */
  private defById: (MsgDef | undefined)[] = [];
  clientIndex = 0;
  vpePid = -1;
  private messageCount = 0;

  /** Requests awaiting a reply, oldest first (VPP answers in order). */
  private readonly q = new InFlight(1024);
  private nextCtx = 1;
  /** When the current batch was started: the send time of every request in it (one clock read per batch). */
  private batchAt = 0;

  private readonly sinks: ReplySink[] = [];
  private readonly generic = new PromiseSink();
  private readonly genericIdx: number;

  private batch: BatchBuffer | null = null;
  private flushScheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private backoff: number;
  private wantEvents = false;
  private eventsRegistered = false;

  readonly counters: ClientCounters = {
    connects: 0, disconnects: 0, sent: 0, replies: 0, details: 0, errors: 0, timeouts: 0, noReply: 0,
    unmatched: 0, events: 0, keepalives: 0, batches: 0, batchMessagesMax: 0, bytesOut: 0, bytesIn: 0, readPauses: 0,
  };

  constructor(opts: VppClientOptions = {}) {
    super();
    this.socketPath = opts.socketPath ?? DEFAULT_VPP_SOCKET;
    this.clientName = opts.clientName ?? 'fibpush';
    this.window = Math.max(1, opts.window ?? 1000);
    this.readPauseMs = Math.max(0, opts.readPauseMs ?? 3);
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
    this.autoReconnect = opts.reconnect ?? true;
    this.backoffMinMs = opts.backoffMinMs ?? 100;
    this.backoffMaxMs = opts.backoffMaxMs ?? 5000;
    this.backoff = this.backoffMinMs;
    this.required = opts.required ?? REQUIRED_MESSAGES;
    this.batchBytes = opts.batchBytes ?? 128 * 1024;
    this.genericIdx = this.addSink(this.generic);
  }

  /** Register a reply sink; returns its index for commit(). */
  addSink(s: ReplySink): number {
    this.sinks.push(s);
    return this.sinks.length - 1;
  }

  get connected(): boolean {
    return this.state === 'ready';
  }

  /** Requests awaiting a reply. */
  get inFlight(): number {
    return this.q.size;
  }

  /** Connect, read the message table, resolve every message; rejects with VppCompatibilityError. */
  async connect(): Promise<ConnectInfo> {
    if (this.state === 'ready') throw new Error('already connected');
    this.state = 'connecting';
    try {
      const info = await this.open();
      this.backoff = this.backoffMinMs;
      return info;
    } catch (e) {
      if (this.state === 'connecting') this.state = 'idle';
      throw e;
    }
  }

  private async open(): Promise<ConnectInfo> {
    const sock = new VppSocket(this.socketPath, {
      onMessage: (buf, dv, off, len) => this.onMessage(buf, dv, off, len),
      onClose: (err) => this.onClose(sock, err),
      readPause: (bytes) => this.readPause(bytes),
    });
    this.sock = sock;
    await sock.connect(this.connectTimeoutMs);
    // sockclnt_create {u16 id=15, u32 context, string name[64]} (memclnt.api; no client_index).
    const ctx = this.allocCtx();
    const got = new Promise<{ index: number; table: Map<string, number> }>((resolve, reject) => {
      this.handshake = { ctx, resolve, reject };
    });
    const b = sock.take();
    const off = b.begin(MESSAGES.sockclnt_create.size);
    const len = encode(b.dv, off, MESSAGES.sockclnt_create, MEMCLNT_IDS.sockclnt_create, { context: ctx, name: this.clientName });
    b.end(len);
    sock.write(b);
    const timer = setTimeout(() => {
      this.handshake?.reject(new VppTimeoutError(`sockclnt_create on ${this.socketPath}`, this.connectTimeoutMs));
    }, this.connectTimeoutMs);
    let hs: { index: number; table: Map<string, number> };
    try {
      hs = await got;
    } catch (e) {
      sock.destroy(null);
      throw e;
    } finally {
      clearTimeout(timer);
      this.handshake = null;
    }
    // Resolve by name_crc; refuse when a required message is missing, naming each (govpp's
    // CompatibilityError): a different VPP version changes CRCs, and plugins may be absent.
    const ids: Record<string, number> = {};
    const defById: (MsgDef | undefined)[] = [];
    const missing: string[] = [];
    const missingOptional: string[] = [];
    for (const name of MSG_NAMES) {
      const def = MESSAGES[name];
      const id = hs.table.get(def.nameCrc);
      if (id === undefined) {
        if (this.required.includes(name)) missing.push(def.nameCrc);
        else if (name !== 'sockclnt_create' && name !== 'sockclnt_create_reply') missingOptional.push(def.nameCrc);
        continue;
      }
      ids[name] = id;
      defById[id] = def;
    }
    for (const name of this.required) if (!MESSAGES[name]) missing.push(name);
    if (missing.length > 0) {
      sock.destroy(null);
      throw new VppCompatibilityError(missing, this.socketPath, `${hs.table.size} messages in its table`);
    }
    this.ids = ids;
    this.defById = defById;
    this.clientIndex = hs.index;
    this.messageCount = hs.table.size;
    this.state = 'ready';
    this.counters.connects++;
    this.armTimer();
    // control_ping_reply.vpe_pid tells a restarted VPP from a reconnect to the same one.
    const previousVpePid = this.vpePid;
    const ping = await this.request('control_ping', {});
    this.vpePid = Number(ping.vpe_pid);
    this.eventsRegistered = false;
    if (this.wantEvents) await this.registerEvents();
    const info: ConnectInfo = {
      vpePid: this.vpePid, previousVpePid, messages: this.messageCount, missingOptional, clientIndex: this.clientIndex,
    };
    this.emit('connect', info);
    return info;
  }

  /** Whether the running VPP has this message (plugins may be absent). */
  has(name: string): boolean {
    return this.ids[name] !== undefined;
  }

  private allocCtx(): number {
    const c = this.nextCtx;
    this.nextCtx = (this.nextCtx + 1) >>> 0;
    if (this.nextCtx === 0) this.nextCtx = 1;
    return c;
  }

  // ---- sending ----

  /**
   * How long to leave VPP's socket unread after a read of `bytes` (transport.ts received()):
   * readPauseMs while at least half the window is still in flight and the read was small (VPP is
   * slower than this client: waiting lets replies gather), else 0. Only bulk work pauses: a
   * single update never has half a window in flight. Against VPP 25.10 with a full table (1.23M
   * routes, bench/fullfeed) fibpush's CPU went from 6.9 s (no pause) to 3.9 s (1 ms) and 3.3 s
   * (3 ms), with VPP's pace unchanged (~100k routes/s): 500 requests still queued last VPP 5 ms.
   */
  private readPause(bytes: number): number {
    if (this.readPauseMs <= 0 || this.state !== 'ready' || bytes >= SMALL_READ_BYTES) return 0;
    // A dump in progress (the oldest request is answered by a details stream): VPP writes each
    // details message on its own too, and keeps generating them while the socket is unread.
    const streaming = this.q.size > 0 && this.q.end[this.q.head] !== END_ANY;
    if (!streaming && (this.q.size * 2 < this.window || this.window < 16)) return 0;
    this.counters.readPauses++;
    return streaming ? DUMP_READ_PAUSE_MS : this.readPauseMs;
  }

  /** True when connected and the window has room for one more request. */
  canSend(): boolean {
    return this.state === 'ready' && this.q.size < this.window;
  }

  /** Free slots in the window. */
  room(): number {
    return this.state === 'ready' ? Math.max(0, this.window - this.q.size) : 0;
  }

  private curBatch(): BatchBuffer {
    if (!this.batch) {
      this.batch = this.sock!.take();
      this.batchAt = performance.now();
    }
    return this.batch;
  }

  // ---- typed writers: the programmer's and adoption's requests, encoded straight into the batch ----
  //
  // Positional arguments, no object per call: these run once per route (codec.ts writes the bytes).
  // Each returns the request's context; the outcome goes to sinks[sink].reply/fail with `token`.

  /** ip_route_add_del (is_multipath 0: an add replaces the route's paths); `paths` holds nPaths encoded fib_paths. */
  ipRouteAddDel(sink: number, token: number, isAdd: boolean, tableId: number, isIp6: boolean, addr: Uint8Array, plen: number, paths: Uint8Array | null, nPaths: number): number {
    const b = this.curBatch();
    const off = b.begin(IP_ROUTE_ADD_DEL_FIXED + nPaths * FIB_PATH_SIZE);
    const len = writeIpRouteAddDel(b.buf, b.dv, off, this.ids.ip_route_add_del, this.clientIndex, 0, isAdd, false, tableId, isIp6, addr, 0, plen, paths, nPaths);
    return this.commit(off, len, sink, token, MI_IP_ROUTE_ADD_DEL, END_ANY, this.timeoutMs);
  }

  /** mpls_route_add_del: one (label, EOS bit) entry of MPLS table `tableId`. */
  mplsRouteAddDel(sink: number, token: number, isAdd: boolean, tableId: number, label: number, eos: boolean, eosProto: number, paths: Uint8Array | null, nPaths: number): number {
    const b = this.curBatch();
    const off = b.begin(MPLS_ROUTE_ADD_DEL_FIXED + nPaths * FIB_PATH_SIZE);
    const len = writeMplsRouteAddDel(b.buf, b.dv, off, this.ids.mpls_route_add_del, this.clientIndex, 0, isAdd, false, tableId, label, eos, eosProto, paths, nPaths);
    return this.commit(off, len, sink, token, MI_MPLS_ROUTE_ADD_DEL, END_ANY, this.timeoutMs);
  }

  /** ip_table_add_del; `name` (latin1, at most 63 bytes) shows in `show ip fib summary`. */
  ipTableAddDel(sink: number, token: number, isAdd: boolean, tableId: number, isIp6: boolean, name: string): number {
    const b = this.curBatch();
    const off = b.begin(MESSAGES.ip_table_add_del.size);
    const len = writeIpTableAddDel(b.buf, b.dv, off, this.ids.ip_table_add_del, this.clientIndex, 0, isAdd, tableId, isIp6, name);
    return this.commit(off, len, sink, token, MI_IP_TABLE_ADD_DEL, END_ANY, this.timeoutMs);
  }

  mplsTableAddDel(sink: number, token: number, isAdd: boolean, tableId: number, name: string): number {
    const b = this.curBatch();
    const off = b.begin(MESSAGES.mpls_table_add_del.size);
    const len = writeMplsTableAddDel(b.buf, b.dv, off, this.ids.mpls_table_add_del, this.clientIndex, 0, isAdd, tableId, name);
    return this.commit(off, len, sink, token, MI_MPLS_TABLE_ADD_DEL, END_ANY, this.timeoutMs);
  }

  /**
   * Finish the request begun last in the current batch: stamps client_index (@2) and a fresh
   * context (@6) — every request but sockclnt_create has them there (memclnt.api, ip.api...) —
   * and queues it. `endId` is the id of the message that ends the exchange (END_ANY: the first reply).
   */
  private commit(payloadOff: number, len: number, sink: number, token: number, msgIdx: number, endId: number, timeoutMs: number): number {
    const b = this.batch!;
    const ctx = this.allocCtx();
    b.dv.setUint32(payloadOff + 2, this.clientIndex);
    b.dv.setUint32(payloadOff + 6, ctx);
    b.end(len);
    this.q.push(ctx, sink, token, endId, msgIdx, this.batchAt, timeoutMs);
    this.counters.sent++;
    if (b.pos >= this.batchBytes) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(this.flushTick);
    }
    return ctx;
  }

  /** Append a message that shares the context of the request committed last (the ping after a dump). */
  private appendSameCtx(ctx: number, write: (dv: DataView, off: number) => number, maxPayload: number): void {
    const b = this.curBatch();
    const off = b.begin(maxPayload);
    const len = write(b.dv, off);
    b.dv.setUint32(off + 2, this.clientIndex);
    b.dv.setUint32(off + 6, ctx);
    b.end(len);
  }

  private readonly flushTick = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  /** Write the current batch now (one socket write). */
  flush(): void {
    const b = this.batch;
    if (!b || b.count === 0) return;
    this.batch = null;
    this.counters.batches++;
    if (b.count > this.counters.batchMessagesMax) this.counters.batchMessagesMax = b.count;
    this.counters.bytesOut += b.pos;
    this.emit('batch', b.count);
    this.sock?.write(b);
  }

  // ---- generic API ----

  private encodeRequest(name: string, values: Values): { off: number; len: number } {
    const def = MESSAGES[name];
    if (!def) throw new Error(`unknown message ${name}`);
    const id = this.ids[name];
    if (id === undefined) throw new VppCompatibilityError([def.nameCrc], this.socketPath, 'message not in its table');
    const b = this.curBatch();
    const off = b.begin(encodedSize(def, values) + 16);
    let len: number;
    try {
      len = encode(b.dv, off, def, id, values);
    } catch (e) {
      b.abort();
      throw e;
    }
    return { off, len };
  }

  /**
   * Send one request and resolve with its decoded reply; rejects with VppApiError when retval
   * is not 0, VppTimeoutError, VppNoReplyError or VppDisconnectedError. Not bound by the window.
   */
  request(name: string, values: Values, opts: { timeoutMs?: number } = {}): Promise<Values> {
    return new Promise((resolve, reject) => {
      if (this.state !== 'ready') {
        reject(new VppDisconnectedError(name, this.socketPath));
        return;
      }
      const def = MESSAGES[name];
      const replyDef = def?.reply ? MESSAGES[def.reply] : null;
      let enc: { off: number; len: number };
      try {
        enc = this.encodeRequest(name, values);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      const hasRetval = !!replyDef?.fields.some((f) => f.name === 'retval');
      const token = this.generic.add(name, replyDef ?? null, resolve, reject, { checkRetval: hasRetval });
      this.commit(enc.off, enc.len, this.genericIdx, token, MSG_INDEX.get(name) ?? 0, END_ANY, opts.timeoutMs ?? this.timeoutMs);
    });
  }

  /**
   * X_dump followed by control_ping with the same context; calls `onRow` for each details
   * message (borrowed bytes, no allocation) and resolves at the ping reply.
   */
  dumpEach(name: string, values: Values, onRow: (buf: Uint8Array, dv: DataView, off: number, len: number) => void, opts: { timeoutMs?: number } = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.state !== 'ready') {
        reject(new VppDisconnectedError(name, this.socketPath));
        return;
      }
      let enc: { off: number; len: number };
      try {
        enc = this.encodeRequest(name, values);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      const token = this.generic.add(name, null, () => resolve(), reject, { onRow, checkRetval: true });
      const ctx = this.commit(enc.off, enc.len, this.genericIdx, token, MSG_INDEX.get(name) ?? 0, MEMCLNT_IDS.control_ping_reply, opts.timeoutMs ?? this.timeoutMs);
      const pingId = this.ids.control_ping;
      this.appendSameCtx(ctx, (dv, off) => {
        dv.setUint16(off, pingId); // control_ping {u16 id, u32 client_index, u32 context}
        return MESSAGES.control_ping.size;
      }, MESSAGES.control_ping.size);
    });
  }

  /** A dump decoded generically: the details as plain objects. */
  async dump(name: string, values: Values = {}): Promise<Values[]> {
    const rows: Values[] = [];
    await this.dumpEach(name, values, (_b, dv, off, len) => {
      const d = this.defById[dv.getUint16(off)];
      if (d) rows.push(decode(dv, off, len, d));
    });
    return rows;
  }

  /**
   * A cursor-style get (lcp_itf_pair_get: details, then X_reply with a cursor; retval EAGAIN
   * (-165) asks for another call from that cursor; vlibapi/api_helper_macros.h REPLY_AND_DETAILS_MACRO).
   */
  async getAll(name: string, values: Values = {}): Promise<Values[]> {
    const def = MESSAGES[name];
    if (!def?.reply) throw new Error(`${name} is not a request`);
    const replyId = this.ids[def.reply];
    const rows: Values[] = [];
    let cursor = 0;
    for (let round = 0; round < 1_000_000; round++) {
      const r = await new Promise<Values>((resolve, reject) => {
        if (this.state !== 'ready') {
          reject(new VppDisconnectedError(name, this.socketPath));
          return;
        }
        let enc: { off: number; len: number };
        try {
          enc = this.encodeRequest(name, { ...values, cursor });
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
          return;
        }
        const token = this.generic.add(name, MESSAGES[def.reply!], resolve, reject, { rows, defs: this.defById, checkRetval: false });
        this.commit(enc.off, enc.len, this.genericIdx, token, MSG_INDEX.get(name) ?? 0, replyId ?? END_ANY, this.timeoutMs);
      });
      const rv = Number(r.retval ?? 0);
      if (rv === RV.EAGAIN) {
        cursor = Number(r.cursor);
        continue;
      }
      if (rv !== 0) throw new VppApiError(name, rv);
      return rows;
    }
    throw new Error(`${name}: cursor did not converge`);
  }

  /** Resolves when everything sent before it has been answered (control_ping fence). */
  async fence(): Promise<void> {
    await this.request('control_ping', {});
  }

  /** Subscribe to sw_interface_event (re-subscribed after every reconnect). */
  async wantInterfaceEvents(): Promise<void> {
    this.wantEvents = true;
    if (this.state === 'ready' && !this.eventsRegistered) await this.registerEvents();
  }

  private async registerEvents(): Promise<void> {
    this.eventsRegistered = true;
    try {
      await this.request('want_interface_events', { enable_disable: 1, pid: process.pid });
    } catch (e) {
      // A second registration of the same client is INVALID_REGISTRATION (-31): already there
      // (vnet/interface_api.c want_interface_events handler).
      if (!(e instanceof VppApiError && e.retval === RV.INVALID_REGISTRATION)) {
        this.eventsRegistered = false;
        throw e;
      }
    }
  }

  // ---- receiving ----

  private onMessage(buf: Uint8Array, dv: DataView, off: number, len: number): void {
    this.counters.bytesIn += len + 16;
    if (len < 2) return;
    const id = dv.getUint16(off);
    if (this.handshake && id === MEMCLNT_IDS.sockclnt_create_reply) {
      this.onCreateReply(buf, dv, off, len);
      return;
    }
    if (id === MEMCLNT_IDS.memclnt_keepalive && len >= 10) {
      // memclnt_keepalive {id, client_index, context} -> memclnt_keepalive_reply {id, context, retval 0}
      this.counters.keepalives++;
      const ctx = dv.getUint32(off + 6);
      const b = this.curBatch();
      const o = b.begin(10);
      b.dv.setUint16(o, MEMCLNT_IDS.memclnt_keepalive_reply);
      b.dv.setUint32(o + 2, ctx);
      b.dv.setInt32(o + 6, 0);
      b.end(10);
      this.flush();
      return;
    }
    if (id === this.ids.sw_interface_event) {
      // sw_interface_event: client_index @2, pid @6, sw_if_index @10, flags @14, deleted @18; no context.
      if (len >= 19) {
        this.counters.events++;
        this.emit('interface', dv.getUint32(off + 10), dv.getUint32(off + 14), dv.getUint8(off + 18) !== 0);
      }
      return;
    }
    if (len < 6) return;
    const ctx = dv.getUint32(off + 2); // every reply and details: context @2
    if (this.q.size === 0 || this.q.ctx[this.q.head] !== ctx) {
      if (!this.skipTo(ctx)) {
        this.counters.unmatched++;
        return;
      }
    }
    const q = this.q;
      const h = q.head;
    const endId = q.end[h];
    const sink = this.sinks[q.sink[h]];
    const token = q.token[h];
    if (endId !== END_ANY && id !== endId) {
      this.counters.details++;
      sink.details?.(token, buf, dv, off, len);
      return;
    }
    q.pop();
    this.counters.replies++;
    const def = this.defById[id];
    // retval sits right after context in every reply that has one (context @2, retval @6).
    const retval = def && def.fields[2]?.name === 'retval' && len >= 10 ? dv.getInt32(off + 6) : 0;
    if (retval !== 0) this.counters.errors++;
    sink.reply(token, retval, buf, dv, off, len);
    // One 'drain' per read, not per reply: the user refills the window once, and the refill
    // goes out as one batch (flushTick runs after it).
    if (this.q.size < this.window && !this.drainScheduled) {
      this.drainScheduled = true;
      process.nextTick(this.drainTick);
    }
  }

  /**
   * Take in the replies VPP already sent (at most about `maxBytes`, never waiting), now rather
   * than at the event loop's next poll: for a caller that holds the loop between its own socket
   * reads. A freed window is refilled through 'drain' once the caller's callback returns.
   * Returns the bytes taken in (0 when nothing is in flight, or when called from a reply handler).
   */
  pollReplies(maxBytes = 64 * 1024): number {
    if (this.state !== 'ready' || this.q.size === 0 || !this.sock) return 0;
    return this.sock.pollRead(maxBytes);
  }

  private drainScheduled = false;
  private readonly drainTick = (): void => {
    this.drainScheduled = false;
    if (this.state === 'ready') this.emit('drain');
  };

  /**
   * A reply for `ctx` when the head is another context: if ctx is further in the FIFO, VPP
   * dropped every request before it (it answers in order). Returns false when ctx is unknown.
   */
  private skipTo(ctx: number): boolean {
    const q = this.q;
    const k = q.depthOf(ctx);
    if (k < 0) return false;
    for (let i = 0; i < k; i++) {
      const h = q.head;
      const sink = this.sinks[q.sink[h]];
      const token = q.token[h];
      const name = MSG_NAMES[q.msg[h]];
      q.pop();
      this.counters.noReply++;
      sink.fail(token, new VppNoReplyError(name));
    }
    return true;
  }

  private onCreateReply(_buf: Uint8Array, dv: DataView, off: number, len: number): void {
    const hs = this.handshake!;
    let t: { index: number; table: Map<string, number> };
    try {
      t = parseCreateReply(dv, off, len);
    } catch (e) {
      hs.reject(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    hs.resolve(t);
  }

  // ---- timeouts ----

  private armTimer(): void {
    if (this.timer) return;
    const every = Math.max(5, Math.min(250, Math.floor(this.timeoutMs / 4)));
    this.timer = setInterval(() => this.checkTimeouts(), every);
    this.timer.unref();
  }

  private checkTimeouts(): void {
    const now = performance.now();
    // Only the head can be overdue first (replies come in order). A request times out when it
    // waited its timeout and VPP has been silent as long (a long dump keeps later requests alive).
    while (this.q.size > 0) {
      const q = this.q;
      const h = q.head;
      const to = q.timeout[h];
      if (now - q.sent[h] < to || now - (this.sock?.lastRead ?? 0) < to) break;
      const sink = this.sinks[q.sink[h]];
      const token = q.token[h];
      const name = MSG_NAMES[q.msg[h]];
      q.pop();
      this.counters.timeouts++;
      sink.fail(token, new VppTimeoutError(name, to));
    }
  }

  // ---- lifecycle ----

  private failAll(err: (name: string) => Error): void {
    while (this.q.size > 0) {
      const q = this.q;
      const h = q.head;
      const sink = this.sinks[q.sink[h]];
      const token = q.token[h];
      const name = MSG_NAMES[q.msg[h]];
      q.pop();
      sink.fail(token, err(name));
    }
  }

  private onClose(sock: VppSocket, err: Error | null): void {
    if (this.sock !== sock) return;
    this.sock = null;
    this.batch = null;
    this.handshake?.reject(err ?? new Error(`VPP API socket ${this.socketPath} closed during sockclnt_create`));
    const wasReady = this.state === 'ready';
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    this.failAll((name) => new VppDisconnectedError(name, this.socketPath));
    if (this.state === 'closing' || this.state === 'closed') {
      this.state = 'closed';
      return;
    }
    this.state = 'idle';
    if (wasReady) {
      this.counters.disconnects++;
      this.emit('disconnect', err);
      if (this.autoReconnect) this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.state === 'closed' || this.state === 'closing') return;
    const delay = Math.round(this.backoff * (0.75 + Math.random() * 0.5));
    this.backoff = Math.min(this.backoffMaxMs, this.backoff * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.state !== 'idle') return;
      this.connect().catch((e: Error) => {
        this.emit('reconnect-failed', e);
        if (this.state === 'idle') this.scheduleReconnect();
      });
    }, delay);
  }

  /** Keep trying to connect in the background (daemon start when VPP is not up yet). */
  connectInBackground(): void {
    if (this.state !== 'idle') return;
    this.connect().catch((e: Error) => {
      this.emit('reconnect-failed', e);
      if (this.autoReconnect && this.state === 'idle') this.scheduleReconnect();
    });
  }

  /** sockclnt_delete, then close (VPP closes its end after replying; response 1 = success). */
  async close(): Promise<void> {
    if (this.reconnectTimer) {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
    }
    if (this.state === 'ready') {
      try {
        await this.request('sockclnt_delete', { index: this.clientIndex }, { timeoutMs: 1000 });
      } catch {
        // Closing the socket cleans up too (socket_api.c vl_socket_api_close).
      }
    }
    this.state = 'closing';
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    const s = this.sock;
    if (s) s.destroy(null);
    this.state = 'closed';
  }

  /** Drop the connection as if VPP went away (tests; an operator's "reconnect now"). */
  dropConnection(): void {
    this.sock?.destroy(new Error('connection dropped'));
  }
}

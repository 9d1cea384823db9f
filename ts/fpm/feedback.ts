// Offload feedback to zebra: per-route RTM_F_OFFLOAD / RTM_F_OFFLOAD_FAILED frames on the FPM
// connection, coalesced (latest result per route) and rate-bounded, never in the reader's way.
//
// Memory: per route slot, one bit (a result waits) and 4 bytes (state, rtm_type, generation) in
// typed arrays, never an object per result; the route's key is read back from the route table
// only when its notification is encoded, so a route withdrawn meanwhile gets none. Waiting
// results go out in slot order from a cursor that goes round, so none waits more than one round.
//
// Format (docs/fpm-extensions.md section 3, FRR >= 8.5 dplane_fpm_nl.c fpm_read, which
// skips any message without NLM_F_REQUEST and hands RTM_NEWROUTE to
// netlink_route_notify_read_ctx): RTM_NEWROUTE + NLM_F_REQUEST, the route's family, dst_len,
// rtm_protocol and rtm_type as zebra sent them, table in rtm_table (RTA_TABLE when >= 256),
// RTA_DST, rtm_flags RTM_F_OFFLOAD (0x4000) or RTM_F_OFFLOAD_FAILED (0x20000000). The bytes
// come from ts/codec/offload.ts writeOffloadFrame (FpmEncoder.offload writes the same).
// Caveat: newer FRR's fpm_read (8.5+) copies the parsed table into the context's VRF id ("In
// the FPM encoding, the vrfid is present") and looks the route up by VRF, so for the default VRF
// it expects rtm_table 0 rather than 254; the table echoed here follows fpm-extensions.md, which
// the frr-patches backport reads.
import { AF_INET, AF_INET6, RTN_UNICAST } from '../codec/codes';
import { OFFLOAD_MAX_FRAME, writeOffloadFrame } from '../codec/offload';

/** The part of the FPM connection feedback needs (ts/fpm/server.ts FpmConnection has it). */
export interface FeedbackSink {
  /**
   * `data` is a view of a reused buffer. The sender writes only while writableLength is below
   * maxQueuedBytes, and rewrites a region only after 2 * maxQueuedBytes more were written: a
   * socket (which counts what it still holds in writableLength) is safe; anything else copies.
   */
  write(data: Uint8Array): boolean;
  /** Bytes written and not yet taken by the kernel. */
  readonly writableLength: number;
  readonly closed: boolean;
}

/** A route as its notification echoes it; `addr` holds the prefix in its first 4 or 16 bytes. */
export interface FeedbackRoute {
  family: number;
  table: number;
  addr: Uint8Array;
  len: number;
  protocol: number;
}

/**
 * Where results are kept and routes read back from: the daemon's FIB mirror (ts/dplane/store.ts
 * via the daemon), or a KeyedRoutes of the sender's own. A handle is an integer below 2^48: bits
 * 30-31 a family code and bits 0-26 a slot id, the rest (bits 27-29, 32-47) the slot's
 * generation; one result waits per slot (the store's RouteView.handle fits this).
 */
export interface FeedbackRoutes {
  /** The handle of the route with this key, or -1 when there is none (then nothing is reported). */
  resolve(family: number, table: number, addr: Uint8Array, len: number, protocol: number): number;
  /** Whether `handle` (from resolve, or the route table's own) names a route results are taken for now. */
  current(handle: number): boolean;
  /** Fills `out` with the route `handle` stands for; false when it is gone (withdrawn, replaced). */
  describe(handle: number, out: FeedbackRoute): boolean;
}

export interface FeedbackOptions {
  /** Send at all (default true). `fibpush run --no-feedback` turns it off. */
  enabled?: boolean;
  /** Notifications per second, at most (default 100000). */
  ratePerSec?: number;
  /** Drain interval (default 10 ms). */
  tickMs?: number;
  /**
   * Stop sending while this many bytes wait in Node for zebra (default 1 MiB): if zebra does not
   * read, results stay coalesced in the table (bounded by the route count) instead of piling
   * up in socket buffers. One tick also writes at most about this many bytes.
   */
  maxQueuedBytes?: number;
  /** The route table results are kept against (default: a KeyedRoutes of its own). */
  routes?: FeedbackRoutes;
}

export interface FeedbackCounters {
  /** report() calls while enabled. */
  reported: number;
  /** Reports that replaced a result still waiting for the same route. */
  coalesced: number;
  /** Notifications written to zebra, of which offload-failed. */
  sent: number;
  sentFailed: number;
  /** Frames' bytes written. */
  bytes: number;
  /** Ticks that sent nothing because zebra's socket had maxQueuedBytes waiting. */
  backpressured: number;
  /** Reports ignored because feedback is off. */
  disabled: number;
  /** Results dropped because their route was gone (never existed, or withdrawn before sending). */
  gone: number;
  /**
   * Results dropped because the connection they answer closed (queued at its close, or reported
   * while no connection was attached): a result belongs to its connection, never to the next
   * one (which replays, and gets its own).
   */
  closedDropped: number;
}

const ID_MASK = 0x7ffffff;
const GEN_SHIFT = 27;
const TWO32 = 4294967296;
// Slot state bits: a result is waiting; it is a failure; the handle's bits 27-29 (its bits 32-47
// are kept in `genHi`).
const ST_PENDING = 1;
const ST_FAILED = 2;
const ST_GEN_SHIFT = 2;
/** Ring entries looked at per tick beyond the ones sent (results of withdrawn routes are skipped). */
const SKIP_BUDGET = 65536;

/**
 * A route table of the sender's own, for users without a FIB mirror (tests, the FRR harness):
 * every key reported gets a slot for good. Not for full tables (about 40 B per route).
 */
export class KeyedRoutes implements FeedbackRoutes {
  private readonly ids = new Map<string, number>();
  private family = new Uint8Array(64);
  private table = new Uint32Array(64);
  private len = new Uint8Array(64);
  private protocol = new Uint8Array(64);
  private addr = new Uint8Array(64 * 16);
  private n = 0;

  resolve(family: number, table: number, addr: Uint8Array, len: number, protocol: number): number {
    if (family !== AF_INET && family !== AF_INET6) return -1;
    const alen = family === AF_INET ? 4 : 16;
    let k = `${family}/${table}/${len}/`;
    for (let i = 0; i < alen; i++) k += String.fromCharCode(addr[i]);
    let id = this.ids.get(k);
    if (id === undefined) {
      id = this.n++;
      if (id === this.family.length) this.grow();
      this.ids.set(k, id);
      this.family[id] = family;
      this.table[id] = table;
      this.len[id] = len;
      this.addr.set(addr.subarray(0, alen), id * 16);
    }
    this.protocol[id] = protocol;
    return id;
  }

  current(handle: number): boolean {
    return (handle & ID_MASK) < this.n;
  }

  describe(handle: number, out: FeedbackRoute): boolean {
    const id = handle & ID_MASK;
    if (id >= this.n) return false;
    out.family = this.family[id];
    out.table = this.table[id];
    out.len = this.len[id];
    out.protocol = this.protocol[id];
    out.addr.set(this.addr.subarray(id * 16, id * 16 + 16));
    return true;
  }

  private grow(): void {
    const c = this.family.length * 2;
    const g = <T extends Uint8Array | Uint32Array>(a: T, size: number): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.family = g(this.family, c);
    this.table = g(this.table, c);
    this.len = g(this.len, c);
    this.protocol = g(this.protocol, c);
    this.addr = g(this.addr, c * 16);
  }
}

export class FeedbackSender {
  readonly counters: FeedbackCounters = { reported: 0, coalesced: 0, sent: 0, sentFailed: 0, bytes: 0, backpressured: 0, disabled: 0, gone: 0, closedDropped: 0 };
  private enabled: boolean;
  private rate: number;
  private readonly tickMs: number;
  private readonly maxQueued: number;
  private readonly routes: FeedbackRoutes;
  // Per family code (handle >>> 30), indexed by slot id: ST_* bits and the rtm_type to echo.
  private readonly state: Uint8Array[] = [new Uint8Array(0), new Uint8Array(0), new Uint8Array(0), new Uint8Array(0)];
  private readonly rtype: Uint8Array[] = [new Uint8Array(0), new Uint8Array(0), new Uint8Array(0), new Uint8Array(0)];
  private readonly genHi: Uint16Array[] = [new Uint16Array(0), new Uint16Array(0), new Uint16Array(0), new Uint16Array(0)];
  // Per family code: one bit per slot id, set while its result waits.
  private readonly pend: Uint32Array[] = [new Uint32Array(0), new Uint32Array(0), new Uint32Array(0), new Uint32Array(0)];
  // Per family code: one bit per 32 words of `pend` (1,024 slots), clear only when they are all
  // zero. A tick that has caught up with the results skips a full table's empty slots in ~40
  // reads instead of ~40,000 (set when a result waits, cleared lazily by the scan).
  private readonly sum: Uint32Array[] = [new Uint32Array(0), new Uint32Array(0), new Uint32Array(0), new Uint32Array(0)];
  private count = 0;
  // Where the next tick resumes: family code and word of `pend`.
  private curFc = 0;
  private curWord = 0;
  private sink: FeedbackSink | null = null;
  private timer: NodeJS.Timeout | null = null;
  private tokens = 0;
  private last = 0;
  // Ticks' frames are written straight into this ring (4 * maxQueued) and go out as views of it, not as a new Buffer each: at
  // 100,000/s that would be 4 MB/s of short-lived off-heap buffers, which V8 frees late (RSS).
  // A write is at most maxQueued bytes and happens only while the sink holds less than that, so
  // a region comes round again only after 2 * maxQueued newer bytes, when the sink let it go.
  private slab: Buffer | null = null;
  private slabPos = 0;
  private readonly route: FeedbackRoute = { family: 0, table: 0, addr: new Uint8Array(16), len: 0, protocol: 0 };

  constructor(opts: FeedbackOptions = {}) {
    this.enabled = opts.enabled ?? true;
    this.rate = Math.max(1, opts.ratePerSec ?? 100000);
    this.tickMs = Math.max(1, opts.tickMs ?? 10);
    this.maxQueued = opts.maxQueuedBytes ?? 1 << 20;
    this.routes = opts.routes ?? new KeyedRoutes();
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  /** Results waiting to be sent. */
  get queued(): number {
    return this.count;
  }

  /** Bytes held for waiting results (bitmap and per-slot state), for sizing. */
  get bytesHeld(): number {
    let b = 0;
    for (let fc = 0; fc < 4; fc++) b += this.pend[fc].byteLength + this.sum[fc].byteLength + this.state[fc].byteLength + this.rtype[fc].byteLength + this.genHi[fc].byteLength;
    return b;
  }

  setEnabled(on: boolean): void {
    this.enabled = on;
    if (!on) {
      this.clear();
      this.stop();
    }
  }

  setRate(perSec: number): void {
    this.rate = Math.max(1, perSec);
  }

  /** Sends on this connection from now on. */
  attach(sink: FeedbackSink): void {
    if (this.sink !== sink) this.dropQueued();
    this.sink = sink;
    this.kick();
  }

  /** The connection went away: what was queued for it is dropped (counted in closedDropped). */
  detach(): void {
    this.sink = null;
    this.stop();
    this.dropQueued();
  }

  private dropQueued(): void {
    if (this.count === 0) return;
    this.counters.closedDropped += this.count;
    this.clear();
  }

  /** Drops every queued result (e.g. when the route table is reset). */
  clear(): void {
    for (let fc = 0; fc < 4; fc++) {
      this.state[fc].fill(0);
      this.pend[fc].fill(0);
      this.sum[fc].fill(0);
    }
    this.count = 0;
  }

  /**
   * Records the dataplane's result for one route, looked up by key (no copy is kept: `dst` may be
   * a reused view). A key the route table does not have is dropped (counted in `gone`).
   */
  report(family: number, table: number, dst: Uint8Array, dstLen: number, protocol: number, ok: boolean, rtype = RTN_UNICAST): void {
    if (!this.enabled) {
      this.counters.disabled++;
      return;
    }
    const h = this.routes.resolve(family, table, dst, dstLen, protocol);
    if (h < 0) {
      this.counters.reported++;
      this.counters.gone++;
      return;
    }
    this.reportHandle(h, ok, rtype);
  }

  /**
   * As report(), for a route known by its handle: no key lookup. A handle that no longer names a
   * route results are taken for (withdrawn, reused, refused) is dropped (counted in `gone`).
   */
  reportCurrent(handle: number, ok: boolean, rtype = RTN_UNICAST): void {
    if (!this.enabled) {
      this.counters.disabled++;
      return;
    }
    if (!this.routes.current(handle)) {
      this.counters.reported++;
      this.counters.gone++;
      return;
    }
    this.reportHandle(handle, ok, rtype);
  }

  /**
   * Records the result for the route `handle` stands for. Never blocks and never writes
   * synchronously: a later tick sends it, unless a newer result for the same route replaces it
   * first.
   */
  reportHandle(handle: number, ok: boolean, rtype = RTN_UNICAST): void {
    if (!this.enabled) {
      this.counters.disabled++;
      return;
    }
    this.counters.reported++;
    const sink = this.sink;
    if (sink === null || sink.closed) {
      this.counters.closedDropped++;
      return;
    }
    const lo = handle % TWO32 >>> 0;
    const fc = lo >>> 30;
    const id = lo & ID_MASK;
    let st = this.state[fc];
    if (id >= st.length) st = this.growSlots(fc, id);
    const s = st[id];
    st[id] = ST_PENDING | (ok ? 0 : ST_FAILED) | (((lo >>> GEN_SHIFT) & 7) << ST_GEN_SHIFT);
    this.rtype[fc][id] = rtype;
    this.genHi[fc][id] = handle / TWO32;
    if ((s & ST_PENDING) !== 0) {
      this.counters.coalesced++;
      return;
    }
    this.pend[fc][id >>> 5] |= 1 << (id & 31);
    this.sum[fc][id >>> 15] |= 1 << ((id >>> 10) & 31);
    this.count++;
    this.kick();
  }

  private growSlots(fc: number, id: number): Uint8Array {
    let size = Math.max(1024, this.state[fc].length * 2);
    while (size <= id) size *= 2;
    const st = new Uint8Array(size);
    st.set(this.state[fc]);
    const rt = new Uint8Array(size);
    rt.set(this.rtype[fc]);
    const gh = new Uint16Array(size);
    gh.set(this.genHi[fc]);
    const pd = new Uint32Array(size >>> 5);
    pd.set(this.pend[fc]);
    this.pend[fc] = pd;
    const sm = new Uint32Array(Math.ceil(size / 32768));
    sm.set(this.sum[fc]);
    this.sum[fc] = sm;
    this.state[fc] = st;
    this.rtype[fc] = rt;
    this.genHi[fc] = gh;
    return st;
  }

  private kick(): void {
    if (this.timer || !this.sink || this.count === 0) return;
    this.last = Date.now();
    // Start with one tick's worth so a lone result goes out on the first tick.
    this.tokens = Math.max(this.tokens, Math.min(this.rate, (this.rate * this.tickMs) / 1000));
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One drain step: up to the token budget, one socket write. Exposed for tests. */
  tick(): number {
    const sink = this.sink;
    if (!sink || sink.closed) {
      this.stop();
      return 0;
    }
    const now = Date.now();
    // A bucket of at most 100 ms worth of tokens: bursts stay small, the average is `rate`.
    this.tokens = Math.min(this.tokens + ((now - this.last) * this.rate) / 1000, Math.max(1, this.rate / 10));
    this.last = now;
    if (this.count === 0) {
      this.stop();
      return 0;
    }
    if (sink.writableLength >= this.maxQueued) {
      this.counters.backpressured++;
      return 0;
    }
    // One write of at most about maxQueuedBytes, so what waits in Node stays near that bound.
    const n = Math.min(Math.floor(this.tokens), this.count, Math.max(1, Math.floor(this.maxQueued / OFFLOAD_MAX_FRAME)));
    if (n <= 0) return 0;
    // Frames go straight into the ring; a tick writes at most n * OFFLOAD_MAX_FRAME <= maxQueued bytes.
    const slab = (this.slab ??= Buffer.allocUnsafe(4 * Math.max(this.maxQueued, 16 * 1024)));
    if (this.slabPos + n * OFFLOAD_MAX_FRAME > slab.length) this.slabPos = 0;
    const at = this.slabPos;
    let pos = at;
    const route = this.route;
    let sent = 0;
    let failed = 0;
    let looked = 0;
    // Round the slots from the cursor: whole words of waiting bits at a time, empty runs skipped.
    let fc = this.curFc;
    let wi = this.curWord;
    // Five family visits at most: the four, then the start of the first one again.
    let visits = 0;
    while (sent < n && this.count > 0 && looked < n + SKIP_BUDGET) {
      const pd = this.pend[fc];
      wi = this.nextWord(fc, wi);
      if (wi >= pd.length) {
        if (++visits > 4) break;
        fc = (fc + 1) & 3;
        wi = 0;
        continue;
      }
      let bits = pd[wi];
      while (bits !== 0 && sent < n && looked < n + SKIP_BUDGET) {
        const bit = 31 - Math.clz32(bits & -bits);
        bits &= ~(1 << bit);
        this.count--;
        looked++;
        const id = (wi << 5) | bit;
        const st = this.state[fc];
        const s = st[id];
        st[id] = 0;
        const handle = this.genHi[fc][id] * TWO32 + (((fc << 30) | (((s >>> ST_GEN_SHIFT) & 7) << GEN_SHIFT) | id) >>> 0);
        if (!this.routes.describe(handle, route)) {
          this.counters.gone++;
          continue;
        }
        const isFailed = (s & ST_FAILED) !== 0;
        pos += writeOffloadFrame(slab, pos, route.family, route.addr, route.len, route.table, route.protocol, this.rtype[fc][id], isFailed);
        sent++;
        if (isFailed) failed++;
      }
      pd[wi] = bits;
      if (bits === 0) wi++;
    }
    this.curFc = fc;
    this.curWord = wi;
    this.tokens -= sent;
    if (sent > 0) {
      const len = pos - at;
      this.slabPos = pos;
      this.counters.sent += sent;
      this.counters.sentFailed += failed;
      this.counters.bytes += len;
      sink.write(slab.subarray(at, pos));
    }
    if (this.count === 0) this.stop();
    return sent;
  }

  /** The first word of `pend[fc]` at or after `wi` with a waiting result, or its length. */
  private nextWord(fc: number, wi: number): number {
    const pd = this.pend[fc];
    const sum = this.sum[fc];
    const nw = pd.length;
    while (wi < nw) {
      const g = wi >>> 5;
      const sw = sum[g >>> 5];
      if (sw === 0) {
        wi = ((g >>> 5) + 1) << 10;
        continue;
      }
      if ((sw & (1 << (g & 31))) === 0) {
        wi = (g + 1) << 5;
        continue;
      }
      const end = Math.min(nw, (g + 1) << 5);
      for (; wi < end; wi++) if (pd[wi] !== 0) return wi;
      // Nothing left in this group: clear its bit when nothing waits before the cursor either.
      let j = g << 5;
      while (j < end && pd[j] === 0) j++;
      if (j === end) sum[g >>> 5] = sw & ~(1 << (g & 31));
    }
    return nw;
  }

  close(): void {
    this.stop();
    this.sink = null;
    this.clear();
  }
}

// Offload feedback to zebra: per-route RTM_F_OFFLOAD / RTM_F_OFFLOAD_FAILED frames on the FPM
// connection, coalesced (latest result per route) and rate-bounded, never in the reader's way.
//
// Format (shared/docs/fpm-extensions.md section 3, FRR >= 8.5 dplane_fpm_nl.c fpm_read, which
// skips any message without NLM_F_REQUEST and hands RTM_NEWROUTE to
// netlink_route_notify_read_ctx): RTM_NEWROUTE + NLM_F_REQUEST, the route's family, dst_len,
// rtm_protocol and rtm_type as zebra sent them, table in rtm_table (RTA_TABLE when >= 256),
// RTA_DST, rtm_flags RTM_F_OFFLOAD (0x4000) or RTM_F_OFFLOAD_FAILED (0x20000000). The bytes
// come from ts/codec/encoder.ts FpmEncoder.offload.
// Caveat: newer FRR's fpm_read (8.5+) copies the parsed table into the context's VRF id ("In
// the FPM encoding, the vrfid is present") and looks the route up by VRF, so for the default VRF
// it expects rtm_table 0 rather than 254; the table echoed here follows fpm-extensions.md, which
// the frr-patches backport reads.
import { FpmEncoder, RTN_UNICAST } from '../codec/encoder';

/** The part of the FPM connection feedback needs (ts/fpm/server.ts FpmConnection has it). */
export interface FeedbackSink {
  write(data: Uint8Array): boolean;
  readonly writableLength: number;
  readonly closed: boolean;
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
   * up in socket buffers.
   */
  maxQueuedBytes?: number;
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
}

interface Pending {
  family: number;
  table: number;
  dst: Uint8Array;
  dstLen: number;
  protocol: number;
  rtype: number;
  failed: boolean;
}

const AF_INET = 2;
const RT_TABLE_MAIN = 254;

export class FeedbackSender {
  readonly counters: FeedbackCounters = { reported: 0, coalesced: 0, sent: 0, sentFailed: 0, bytes: 0, backpressured: 0, disabled: 0 };
  private enabled: boolean;
  private rate: number;
  private readonly tickMs: number;
  private readonly maxQueued: number;
  // Insertion-ordered: the oldest unsent result goes first. Keys: a number for IPv4 main-table
  // routes (addr * 64 + len, the bulk of any table), a string for everything else.
  private readonly pending = new Map<number | string, Pending>();
  private sink: FeedbackSink | null = null;
  private timer: NodeJS.Timeout | null = null;
  private tokens = 0;
  private last = 0;
  private readonly enc = new FpmEncoder({ initialSize: 64 * 1024 });

  constructor(opts: FeedbackOptions = {}) {
    this.enabled = opts.enabled ?? true;
    this.rate = Math.max(1, opts.ratePerSec ?? 100000);
    this.tickMs = Math.max(1, opts.tickMs ?? 10);
    this.maxQueued = opts.maxQueuedBytes ?? 1 << 20;
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  /** Results waiting to be sent. */
  get queued(): number {
    return this.pending.size;
  }

  setEnabled(on: boolean): void {
    this.enabled = on;
    if (!on) {
      this.pending.clear();
      this.stop();
    }
  }

  setRate(perSec: number): void {
    this.rate = Math.max(1, perSec);
  }

  /** Sends on this connection from now on (results queued while none was attached go out too). */
  attach(sink: FeedbackSink): void {
    this.sink = sink;
    this.kick();
  }

  /** The connection went away; results stay queued for the next one. */
  detach(): void {
    this.sink = null;
    this.stop();
  }

  /** Drops every queued result (e.g. when the route table is reset). */
  clear(): void {
    this.pending.clear();
  }

  /**
   * Records the dataplane's result for one route. Never blocks and never writes synchronously:
   * a later tick sends it, unless a newer result for the same route replaces it first.
   * `dst` is copied (callers pass reused views).
   */
  report(family: number, table: number, dst: Uint8Array, dstLen: number, protocol: number, ok: boolean, rtype = RTN_UNICAST): void {
    if (!this.enabled) {
      this.counters.disabled++;
      return;
    }
    this.counters.reported++;
    const alen = family === AF_INET ? 4 : 16;
    let key: number | string;
    if (family === AF_INET && table === RT_TABLE_MAIN) {
      key = (((dst[0] << 24) | (dst[1] << 16) | (dst[2] << 8) | dst[3]) >>> 0) * 64 + dstLen;
    } else {
      let s = `${family}/${table}/${dstLen}/`;
      for (let i = 0; i < alen; i++) s += String.fromCharCode(dst[i]);
      key = s;
    }
    const p = this.pending.get(key);
    if (p) {
      this.counters.coalesced++;
      p.failed = !ok;
      p.protocol = protocol;
      p.rtype = rtype;
      return;
    }
    this.pending.set(key, { family, table, dst: Uint8Array.from(dst.subarray(0, alen)), dstLen, protocol, rtype, failed: !ok });
    this.kick();
  }

  private kick(): void {
    if (this.timer || !this.sink || this.pending.size === 0) return;
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
    if (this.pending.size === 0) {
      this.stop();
      return 0;
    }
    if (sink.writableLength >= this.maxQueued) {
      this.counters.backpressured++;
      return 0;
    }
    const n = Math.min(Math.floor(this.tokens), this.pending.size);
    if (n <= 0) return 0;
    const enc = this.enc;
    enc.reset();
    let sent = 0;
    let failed = 0;
    for (const [key, p] of this.pending) {
      if (sent === n) break;
      enc.offload({ family: p.family, dst: p.dst, dstLen: p.dstLen, table: p.table, protocol: p.protocol, rtype: p.rtype, failed: p.failed, pid: 0 });
      this.pending.delete(key);
      sent++;
      if (p.failed) failed++;
    }
    this.tokens -= sent;
    const out = enc.toBuffer();
    this.counters.sent += sent;
    this.counters.sentFailed += failed;
    this.counters.bytes += out.length;
    sink.write(out);
    if (this.pending.size === 0) this.stop();
    return sent;
  }

  close(): void {
    this.stop();
    this.sink = null;
    this.pending.clear();
  }
}

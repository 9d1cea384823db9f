// The daemon's wiring: FPM server -> FibStore -> dataplane, offload feedback, replay clock, control socket, metrics, progress.
//
// The reader side (FpmServer's onread -> store.ingest) only ingests and kicks; the dataplane drains the
// store's ChangeSource on its own schedule (setImmediate slices, or VPP replies). zebra resets an FPM
// session whose output buffer stalls (dplane_fpm_nl.c: 1 MiB, then a replay restart), so nothing here
// may make the reader wait for the dataplane.
import * as fs from 'fs';
import * as net from 'net';
import { selfCheck } from '../node-internals';
import * as path from 'path';
import type { Batch } from '../codec/layout';
import { Meta } from '../codec/layout';
import { RTN_BLACKHOLE, RTN_PROHIBIT, RTN_UNICAST, RTN_UNREACHABLE } from '../codec/codes';
import { FibStore, RouteKey } from '../dplane/store';
import { AF_INET, AF_INET6, Target } from '../dplane/types';
import { FpmConnection, FpmServer, DropReason } from '../fpm/server';
import { FeedbackRoute, FeedbackRoutes, FeedbackSender } from '../fpm/feedback';
import type { DaemonConfig } from './config';
import { ControlServer, serveControl } from './control';
import { Dataplane, MemoryDataplaneAdapter, RouteResult } from './dataplane';
import type { Logger } from './logger';
import { Histogram, MetricsServer, Registry, serveMetrics } from './metrics';
import { formatAddr } from '../addr';
import { fmtCount, fmtDuration, fmtRate, ProgressLine } from './progress';
import type { StatusReport } from './status';

/** Route failures logged one by one per window; the rest are counted in one line. */
const FAIL_LOG_BURST = 10;
const FAIL_LOG_WINDOW_MS = 10_000;

/** The rtm_type of a route with each Target (RTN_* in codes.ts): offload feedback echoes what zebra sent. */
const RTN_OF_TARGET: Readonly<Record<Target, number>> = {
  [Target.Nhg]: RTN_UNICAST,
  [Target.Blackhole]: RTN_BLACKHOLE,
  [Target.Unreachable]: RTN_UNREACHABLE,
  [Target.Prohibit]: RTN_PROHIBIT,
};

/**
 * Offload feedback keeps results against the FIB mirror's route handles, and reads a route's key
 * back only when its notification is encoded: a route zebra withdrew meanwhile (or whose result
 * is for its withdrawal) has no handle and gets no notification, whichever dataplane reported it.
 */
export function feedbackRoutes(store: FibStore): FeedbackRoutes {
  const key: RouteKey = { family: AF_INET, table: 0, addr: new Uint8Array(16), len: 0, label: 0, protocol: 0 };
  return {
    resolve: (family, table, addr, len) => {
      const h = store.routeHandle(family, table, addr, len);
      // A refused route's only answer is the offload-failed given at its refusal.
      return h >= 0 && store.routeRefused(h) ? -1 : h;
    },
    current: (handle) => store.routeLive(handle) && !store.routeRefused(handle),
    describe(handle: number, out: FeedbackRoute): boolean {
      // routeKeyFor also answers for a withdrawn entry whose Del is not drained yet: only a route
      // zebra still has, under the same handle, is notified.
      if (!store.routeLive(handle)) return false;
      const k = store.routeKeyFor(handle, key);
      if (k === null) return false;
      out.family = k.family;
      out.table = k.table;
      const a = out.addr;
      const b = k.addr;
      for (let i = 0; i < 16; i++) a[i] = b[i];
      out.len = k.len;
      out.protocol = k.protocol;
      return true;
    },
  };
}

export function packageVersion(): string {
  for (const p of [path.join(__dirname, '../../../package.json'), path.join(__dirname, '../../package.json')]) {
    try {
      const v = (JSON.parse(fs.readFileSync(p, 'utf8')) as { version?: string }).version;
      if (v) return v;
    } catch {
      /* try the next layout */
    }
  }
  return '0.0.0';
}

/** Builds the dataplane named by the config. The VPP one is provided by the caller (see ts/daemon/vpp.ts). */
export type DataplaneFactory = (store: FibStore, onResult: (r: RouteResult) => void, log: Logger) => Dataplane;

export interface DaemonOptions {
  config: DaemonConfig;
  log: Logger;
  /** Listen on this already-bound socket (e.g. one made in zebra's network namespace) instead of config.listen. */
  listenHandle?: net.Server;
  /** The sync progress line; none when omitted. */
  progress?: ProgressLine;
  /** Builds the dataplane; default: the memory dataplane (config.dataplane 'vpp' needs a factory). */
  dataplane?: DataplaneFactory;
  /** Clock for the replay quiet period (ms). */
  now?: () => number;
  /**
   * Where FPM peers' sockets are looked up, asked at each connection (default /proc/self/net).
   * A listenHandle made in another network namespace needs that namespace's view: the
   * /proc/PID/net of a process living there (e.g. zebra's).
   */
  peerProcNet?: () => string;
}

interface SyncState {
  active: boolean;
  startedAt: number;
  received0: number;
  programmed: number;
  announced: boolean;
}

export class Daemon {
  readonly store: FibStore;
  readonly server: FpmServer;
  readonly feedback: FeedbackSender;
  readonly dataplane: Dataplane;
  readonly registry = new Registry();
  readonly version = packageVersion();
  private readonly cfg: DaemonConfig;
  private readonly log: Logger;
  private readonly progress: ProgressLine | null;
  private readonly now: () => number;
  private readonly startedAt = Date.now();
  private readonly batchRows: Histogram;
  private control: ControlServer | null = null;
  private metricsServer: MetricsServer | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private listenAddr = '';
  private lastDone = 0;
  /** Mirrors the store's replay state (its replayStatus() walks every entry; this is read per redraw). */
  private replayState: 'waiting' | 'replaying' | 'ended' = 'waiting';
  /** The dataplane's rewritesAvoided when the current connection's replay started. */
  private rewritesAtReplay = 0;
  private replaySeconds = 0;
  private routeResultsOk = 0;
  /** Control connections closed for leaving too much output unread. */
  private controlClosed = 0;
  private routeResultsFailed = 0;
  private failLogWindow = -Infinity;
  private failLogCount = 0;
  private failLogSuppressed = 0;
  private closed = false;
  private readonly sync: SyncState = { active: false, startedAt: 0, received0: 0, programmed: 0, announced: false };
  private syncWaiters: (() => void)[] = [];

  private constructor(opts: DaemonOptions) {
    this.cfg = opts.config;
    this.log = opts.log;
    this.progress = opts.progress ?? null;
    this.now = opts.now ?? Date.now;
    const cfg = this.cfg;
    this.store = new FibStore({ quietMs: cfg.quietPeriodMs, now: this.now, expectedRoutes: cfg.expectedRoutes, maxParked: cfg.maxParked });
    this.feedback = new FeedbackSender({ enabled: cfg.feedback, ratePerSec: cfg.feedbackRate, routes: feedbackRoutes(this.store) });
    const onResult = (r: RouteResult) => this.onRouteResult(r);
    if (cfg.dataplane === 'vpp') {
      if (!opts.dataplane) throw new Error('the VPP dataplane needs a dataplane factory');
      this.dataplane = opts.dataplane(this.store, onResult, this.log.child({ component: 'vpp' }));
    } else {
      this.dataplane = opts.dataplane
        ? opts.dataplane(this.store, onResult, this.log.child({ component: 'dataplane' }))
        : new MemoryDataplaneAdapter(this.store, onResult);
    }
    this.server = new FpmServer(
      {
        host: cfg.listen.host,
        port: cfg.listen.port,
        allowNonLoopback: cfg.allowNonLoopback,
        handle: opts.listenHandle,
        idleTimeoutMs: cfg.idleTimeoutMs,
        peer: cfg.peer,
        procNet: opts.peerProcNet,
        decoder: cfg.decoder,
        logger: this.log.child({ component: 'fpm' }),
      },
      {
        connect: (c) => this.onConnect(c),
        batch: (b, chunk, c) => this.onBatch(b, chunk, c),
        disconnect: (c, reason, detail) => this.onDisconnect(c, reason, detail),
      },
    );
    this.batchRows = this.registry.histogram(
      'fibpush_batch_rows',
      'Netlink messages per decoded batch.',
      [1, 4, 16, 64, 256, 1024, 4096, 8192],
    );
    this.registerMetrics();
  }

  /** Starts every part; on failure whatever started is stopped again. */
  static async start(opts: DaemonOptions): Promise<Daemon> {
    const d = new Daemon(opts);
    try {
      await d.listen();
    } catch (e) {
      await d.close();
      throw e;
    }
    return d;
  }

  private async listen(): Promise<void> {
    const cfg = this.cfg;
    this.log.info('fibpush starting', {
      version: this.version,
      pid: process.pid,
      dataplane: cfg.dataplane,
      why: cfg.dataplaneReason,
      mode: cfg.mode,
      feedback: cfg.feedback,
      decoder: cfg.decoder,
      quietPeriodMs: cfg.quietPeriodMs,
      zebraPeer: cfg.peer.kind === 'any' ? 'any (--any-peer)' : `uid ${cfg.peer.uid} (${cfg.peer.name})`,
    });
    if (cfg.dataplane === 'memory') this.log.info(`using the built-in memory dataplane (${cfg.dataplaneReason})`);
    // The two uses of Node internals (ts/node-internals.ts) checked before anything depends on them.
    const internals = await selfCheck();
    if (internals) throw new Error(`Node ${process.version} does not behave as fibpush needs (ts/node-internals.ts): ${internals}`);
    await this.dataplane.start();
    if (cfg.control) {
      this.control = await serveControl(
        cfg.control,
        {
          status: () => this.status(),
          lookup: (r) => this.dataplane.lookup(typeof r.addr === 'string' ? r.addr : '', typeof r.table === 'number' ? r.table : 254),
          ping: () => 'pong',
        },
        (e) => this.log.warn('control request failed', { error: e.message }),
        (what) => {
          this.controlClosed++;
          this.log.warn(what, { path: cfg.control, count: this.controlClosed });
        },
      );
      this.log.info('control socket ready', { path: cfg.control });
    }
    if (cfg.metrics) {
      this.metricsServer = await serveMetrics(this.registry, cfg.metrics.host, cfg.metrics.port);
      const a = this.metricsServer.address;
      this.log.info('metrics endpoint ready', { url: `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}/metrics` });
    }
    const a = await this.server.listen();
    this.listenAddr = a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
    // The quiet-period clock and sync completion: cheap checks, a few times per quiet period.
    const every = Math.max(20, Math.min(250, Math.floor(cfg.quietPeriodMs / 4)));
    this.ticker = setInterval(() => this.tick(), every);
    this.ticker.unref();
  }

  /** The FPM address actually bound (port 0 in the config picks a free one). */
  get listenAddress(): net.AddressInfo {
    const a = this.server.address();
    if (!a) throw new Error('not listening');
    return a;
  }

  get controlPath(): string | null {
    return this.control?.path ?? null;
  }

  get metricsAddress(): net.AddressInfo | null {
    return this.metricsServer?.address ?? null;
  }

  // ------------------------------------------------------------------ FPM events

  private onConnect(c: FpmConnection): void {
    // Nothing changes until zebra has spoken: the store starts the epoch (and the quiet-period
    // clock) at the connection's first message (FibStore.connectionOpen).
    this.store.connectionOpen();
    this.feedback.attach(c);
  }

  /** The connection delivered its first message: its replay (a new epoch) has started. */
  private onReplayStart(c: FpmConnection, doneBefore: number): void {
    const epoch = this.store.counts().epoch;
    this.replayState = 'replaying';
    this.log.debug('replay starts', { remote: c.remote, epoch });
    const s = this.sync;
    s.active = true;
    s.startedAt = this.now();
    s.received0 = this.receivedTotal();
    s.programmed = 0;
    s.announced = false;
    this.rewritesAtReplay = this.dataplane.status().counters?.rewritesAvoided ?? 0;
    // The end markers counted before this connection's first batch: a marker in that same batch
    // (a whole short replay in one read) still ends this replay below.
    this.lastDone = doneBefore;
    this.progress?.start(() => ({
      received: this.receivedTotal() - s.received0,
      programmed: s.programmed,
      replayEnded: this.replayState !== 'replaying',
    }));
  }

  private onBatch(b: Batch, chunk: Uint8Array, c: FpmConnection): void {
    this.batchRows.observe(b.meta[Meta.Rows]);
    const started = this.store.connectionStarted;
    const doneBefore = this.store.counters.doneRows;
    this.store.ingest(b, chunk);
    if (!started && this.store.connectionStarted) this.onReplayStart(c, doneBefore);
    const refused = this.store.takeRefused();
    if (refused.log) {
      this.log.warn('parking bound reached: routes naming nexthop groups zebra has not sent are refused (offload-failed)', {
        maxParked: this.cfg.maxParked,
        refused: this.store.counters.routeRefusedParked,
      });
    }
    if (refused.failedLog) {
      // The store applied the rest of the batch: the session goes on (a reconnect would replay into the same failure).
      const f = this.store.lastRowFailure();
      this.log.warn('zebra message not applied: counted, its route answered offload-failed', {
        failed: this.store.counters.rowsFailed,
        error: f?.error,
        route: f?.route ? describeKey(f.route) : undefined,
      });
    }
    for (const h of refused.handles) this.feedback.reportHandle(h, false);
    this.dataplane.kick();
    if (this.store.counters.doneRows !== this.lastDone) {
      this.lastDone = this.store.counters.doneRows;
      this.replayEnded();
    }
  }

  private onDisconnect(c: FpmConnection, reason: DropReason, detail: string): void {
    const wasReplaying = this.replayState === 'replaying';
    this.store.connectionEnd();
    if (wasReplaying) this.replayState = 'waiting';
    this.feedback.detach();
    if (this.sync.active) {
      this.sync.active = false;
      this.progress?.stop();
    }
    // The server logged the disconnect and its reason; what matters here is the replay.
    if (wasReplaying) this.log.info('replay interrupted: nothing swept until the next one ends', { epoch: c.epoch, reason, detail: detail || undefined });
    this.wakeSyncWaiters();
  }

  private receivedTotal(): number {
    const c = this.store.counters;
    return c.routeNew + c.routeDel;
  }

  private onRouteResult(r: RouteResult): void {
    if (r.ok) this.routeResultsOk++;
    else {
      this.routeResultsFailed++;
      // One missing interface can fail every route behind it: a few lines, then a count.
      this.flushFailLog(this.now());
      if (++this.failLogCount <= FAIL_LOG_BURST) this.log.warn('route not programmed', { route: describeRoute(r), error: r.error });
      else this.failLogSuppressed++;
    }
    if (this.sync.active) this.sync.programmed++;
    if (r.family === AF_INET || r.family === AF_INET6) {
      const rtype = RTN_OF_TARGET[r.target as Target] ?? RTN_UNICAST;
      // The view's handle saves a key lookup per result (a full table is 1.2M of them).
      if (r.handle >= 0) this.feedback.reportCurrent(r.handle, r.ok, rtype);
      else this.feedback.report(r.family, r.table, r.addr, r.len, r.protocol, r.ok, rtype);
    }
  }

  /** Starts a new failure-log window once the last one is over, reporting what it left unlogged. */
  private flushFailLog(now: number): void {
    if (now - this.failLogWindow < FAIL_LOG_WINDOW_MS) return;
    if (this.failLogSuppressed > 0) {
      this.log.warn('more routes not programmed (not logged one by one)', { count: this.failLogSuppressed, seconds: FAIL_LOG_WINDOW_MS / 1000 });
    }
    this.failLogWindow = now;
    this.failLogCount = 0;
    this.failLogSuppressed = 0;
  }

  private replayEnded(): void {
    this.replayState = 'ended';
    const rs = this.store.replayStatus();
    this.replaySeconds = (rs.durationMs ?? 0) / 1000;
    this.log.info('replay ended', {
      epoch: rs.epoch,
      by: rs.endedBy ?? undefined,
      seconds: this.replaySeconds,
      received: rs.received,
      swept: rs.swept,
      stale: rs.stale.routes + rs.stale.nhgs + rs.stale.macs,
    });
    // The sweep queued withdrawals; the dataplane may have its own (adopted routes).
    this.dataplane.replayEnded(rs.endedBy === 'marker');
  }

  private tick(): void {
    if (this.store.tick(this.now())) this.replayEnded();
    if (this.failLogSuppressed > 0) this.flushFailLog(this.now());
    const s = this.sync;
    if (s.active && !s.announced && this.isSynced()) {
      s.announced = true;
      s.active = false;
      const secs = (this.now() - s.startedAt) / 1000;
      const received = this.receivedTotal() - s.received0;
      const msg =
        `synced: ${fmtCount(received)} routes received, ${fmtCount(s.programmed)} programmed in ${fmtDuration(secs)}` +
        (secs > 0 ? ` (${fmtRate(s.programmed / secs)})` : '');
      this.progress?.stop(msg);
      this.log.info('sync complete', { received, programmed: s.programmed, seconds: secs, routes: this.store.counts().routes });
    }
    if (this.syncWaiters.length > 0 && this.isSynced()) this.wakeSyncWaiters();
  }

  /** The replay has ended and the dataplane has caught up with the store. */
  isSynced(): boolean {
    return (
      this.replayState === 'ended' && this.store.pending() === 0 && this.dataplane.inFlight() === 0 && !this.dataplane.busy()
    );
  }

  /** Resolves when isSynced() (checked on the daemon's tick), or when zebra disconnects. */
  whenSynced(): Promise<void> {
    if (this.isSynced()) return Promise.resolve();
    return new Promise((r) => this.syncWaiters.push(r));
  }

  private wakeSyncWaiters(): void {
    for (const w of this.syncWaiters.splice(0)) w();
  }

  // ------------------------------------------------------------------ status and metrics

  status(): StatusReport {
    const st = this.store;
    const counts = st.counts();
    const rs = st.replayStatus();
    const conn = this.server.connection;
    const dp = this.dataplane.status();
    const depth = counts.depth;
    const sc = this.server.counters;
    const p = counts.parked;
    const parked = p.routesNhgMissing + p.routesNhgIncomplete;
    return {
      version: this.version,
      pid: process.pid,
      uptimeSec: Math.round((Date.now() - this.startedAt) / 100) / 10,
      listen: this.listenAddr,
      zebra: conn ? 'connected' : 'disconnected',
      zebraPeer: conn ? conn.remote : null,
      epoch: counts.epoch,
      routes: counts.routes,
      routesByTable: counts.byTable,
      nhgs: counts.nhgs,
      nhgObjects: dp.counters?.nhgObjects ?? 0,
      macs: counts.macs,
      parked,
      queueDepth: depth[0] + depth[1] + depth[2],
      lanes: { connected: depth[0], igp: depth[1], bgp: depth[2] },
      vppInFlight: dp.inFlight,
      failures: dp.failures,
      replay: {
        state: rs.state,
        endedBy: rs.endedBy,
        received: rs.received,
        programmed: this.sync.active || this.sync.announced ? this.sync.programmed : 0,
        seconds: rs.durationMs === null ? null : rs.durationMs / 1000,
        swept: rs.swept,
        refreshed: rs.refreshed,
        stale: rs.stale,
        rewritesAvoided: (dp.counters?.rewritesAvoided ?? 0) - this.rewritesAtReplay,
      },
      dataplane: this.cfg.dataplane === 'vpp' ? { ...dp, socket: this.cfg.vppSocket } : dp,
      feedback: { enabled: this.feedback.isEnabled, counters: { ...this.feedback.counters, queued: this.feedback.queued } },
      counters: {
        bytes: sc.bytes,
        frames: sc.frames,
        badFrames: sc.drops['stream-error'],
        badMessages: sc.badRows,
        messages: sc.rows,
        batches: sc.batches,
        connections: sc.connections,
        refused: sc.drops.busy,
        refusedPeer: sc.refusedPeer,
        controlClosed: this.controlClosed,
        feedbackClosedDropped: this.feedback.counters.closedDropped,
        idleDrops: sc.drops.idle,
        noFrameDrops: sc.drops['no-frame'],
        resultsOk: this.routeResultsOk,
        resultsFailed: this.routeResultsFailed,
        parkedMacs: p.macsNhgMissing + p.macsNhgIncomplete,
        groupsMemberMissing: p.groupsMemberMissing,
        implicitNhgs: counts.implicitNhgs,
        failedRoutes: counts.failedRoutes,
        ...prefixed('store.', st.counterValues()),
      },
    };
  }

  private registerMetrics(): void {
    const r = this.registry;
    const sc = this.server.counters;
    const st = this.store;
    // Built once per scrape, however many metrics read them.
    const counts = r.perRender(() => st.counts());
    const dp = r.perRender(() => this.dataplane.status());
    r.counter('fibpush_fpm_bytes_total', 'Bytes read from zebra.', () => sc.bytes);
    r.counter('fibpush_fpm_frames_total', 'FPM frames decoded.', () => sc.frames);
    r.counter('fibpush_fpm_messages_total', 'Netlink messages decoded.', () => sc.rows);
    r.counter('fibpush_fpm_bad_frames_total', 'FPM stream errors (each drops the connection).', () => sc.drops['stream-error']);
    r.counter('fibpush_fpm_bad_messages_total', 'Malformed netlink messages skipped.', () => sc.badRows);
    r.counter('fibpush_store_rows_failed_total', 'zebra messages the FIB mirror failed to apply (counted; the session goes on).', () => st.counters.rowsFailed);
    r.counter('fibpush_fpm_connections_total', 'zebra connections accepted.', () => sc.connections);
    r.counter('fibpush_fpm_refused_total', 'Connections refused while zebra was connected.', () => sc.drops.busy);
    r.counter('fibpush_fpm_refused_peer_total', 'Connections refused because the peer is not zebra\'s user.', () => sc.refusedPeer);
    r.counter('fibpush_fpm_drops_total', 'zebra connections ended, by reason.', () =>
      Object.entries(sc.drops).map(([reason, v]) => [{ reason }, v] as const),
    );
    r.gauge('fibpush_zebra_connected', '1 while zebra is connected.', () => (this.server.connection ? 1 : 0));
    r.gauge('fibpush_epoch', 'zebra connection generation.', () => counts().epoch);
    r.gauge('fibpush_routes', 'Routes in the mirror of zebra\'s FIB, by family and table.', () =>
      Object.entries(counts().byTable).map(([table, v]) => [{ table }, v] as const),
    );
    r.gauge('fibpush_nhgs', 'Nexthop groups from zebra.', () => counts().nhgs);
    r.gauge('fibpush_nhg_objects', 'Nexthop groups as the dataplane holds them (VPP PIC host routes).', () =>
      dp().counters?.nhgObjects ?? 0);
    r.counter('fibpush_route_rewrites_avoided_total', 'Route changes acknowledged without a write: the new group forwards like the one the dataplane has.', () =>
      dp().counters?.rewritesAvoided ?? 0);
    r.gauge('fibpush_macs', 'EVPN remote MACs.', () => counts().macs);
    r.gauge('fibpush_parked', 'Routes waiting for a nexthop group that has not arrived.', () => {
      const p = st.parked();
      return p.routesNhgMissing + p.routesNhgIncomplete;
    });
    r.gauge('fibpush_queue_depth', 'Changes waiting for the dataplane, by lane.', () => {
      const d = st.depth();
      return [
        [{ lane: 'connected' }, d[0]],
        [{ lane: 'igp' }, d[1]],
        [{ lane: 'bgp' }, d[2]],
      ] as const;
    });
    r.gauge('fibpush_dataplane_in_flight', 'Dataplane requests sent and not answered.', () => this.dataplane.inFlight());
    r.gauge('fibpush_vpp_in_flight', 'VPP API requests in flight (0 for the memory dataplane).', () =>
      this.dataplane.kind === 'vpp' ? this.dataplane.inFlight() : 0,
    );
    r.gauge('fibpush_dataplane_connected', '1 while the dataplane is reachable.', () => (dp().connected ? 1 : 0));
    r.gauge('fibpush_dataplane_routes', 'Routes the dataplane holds or acknowledged.', () => dp().routes);
    r.counter('fibpush_dataplane_failures_total', 'Dataplane failures after retries.', () => dp().failures);
    r.counter('fibpush_route_results_total', 'Route results reported by the dataplane.', () => [
      [{ result: 'ok' }, this.routeResultsOk],
      [{ result: 'failed' }, this.routeResultsFailed],
    ]);
    r.counter('fibpush_feedback_sent_total', 'Offload notifications sent to zebra.', () => this.feedback.counters.sent);
    r.counter('fibpush_feedback_coalesced_total', 'Offload results replaced before they were sent.', () => this.feedback.counters.coalesced);
    r.gauge('fibpush_replay_seconds', 'Duration of the last completed replay.', () => this.replaySeconds);
    r.counter('fibpush_swept_total', 'Stale entries withdrawn after replays.', () => st.counters.swept);
  }

  // ------------------------------------------------------------------ shutdown

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ticker) clearInterval(this.ticker);
    this.progress?.stop();
    await this.server.close().catch((e: Error) => this.log.warn('FPM server close failed', { error: e.message }));
    this.feedback.close();
    await this.dataplane.close().catch((e: Error) => this.log.warn('dataplane close failed', { error: e.message }));
    if (this.control) await this.control.close();
    if (this.metricsServer) await this.metricsServer.close();
    this.wakeSyncWaiters();
    this.log.info('fibpush stopped');
  }
}

function prefixed(p: string, o: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) out[p + k] = v;
  return out;
}

function describeKey(k: RouteKey): string {
  if (k.family !== AF_INET && k.family !== AF_INET6) return `mpls label ${k.label}`;
  return `${formatAddr(k.family === AF_INET ? 4 : 6, k.addr)}/${k.len} table ${k.table}`;
}

function describeRoute(r: RouteResult): string {
  if (r.family !== AF_INET && r.family !== AF_INET6) return `mpls label ${r.len}`;
  const kind = r.target === Target.Nhg ? '' : ` ${['', 'blackhole', 'unreachable', 'prohibit'][r.target]}`;
  return `${formatAddr(r.family === AF_INET ? 4 : 6, r.addr)}/${r.len} table ${r.table}${kind}`;
}

// FibStore: fibpush's mirror of zebra's FIB (routes, nexthop groups, EVPN MACs), its replay epochs, and the ChangeSource the dataplane drains.
//
// A thin facade over parts with one job each (docs/design.md, "Parts and their contracts"):
//   tables.ts   entry storage: route KeyTables per family, the MAC table, netlink table ids
//   ingest.ts   applies decoded batch rows; a row that throws is counted, never the session's end
//   implicit.ts inline-mode path sets -> content-hashed implicit groups
//   groups.ts   nexthop-group registry: refcounts, parking of routes naming unsent ids, backups
//   queue.ts    the change queue (groups, MACs, route lanes) and dataplane results
//   epochs.ts   connections as epochs, end of replay, the sweep
//   queries.ts  read-only lookups, iterators and status counts
// Routes live in KeyTables; a route holds a target (special, or a nexthop-group ref), the target
// last handed to the dataplane, an epoch, and an intrusive queue link. The dataplane side is a
// pull: next() compares what zebra wants with what was last handed out, so a key has at most one
// pending change however often zebra changes it, and the queue never outgrows the table.
import { Batch } from '../codec/layout';
import { BackupLinks, ProtectionInfo } from '../backup-nhg';
import { ChangeKind, ChangeSource, MacView, NhgView, RouteView } from './types';
import {
  DEFAULT_MAX_PARKED,
  FibStoreOptions,
  MacInfo,
  NhgInfo,
  ParkedStatus,
  ReplayEnd,
  ReplayStatus,
  RouteInfo,
  RouteKey,
  RouteLookup,
  StoreCounters,
  StoreCounts,
} from './model';
import { Tables } from './tables';
import { Groups } from './groups';
import { ImplicitGroups } from './implicit';
import { ChangeQueue } from './queue';
import { Epochs } from './epochs';
import { Ingest, RowFailure } from './ingest';
import { Queries } from './queries';

export { DEFAULT_MAX_PARKED, StoreCounters };
export type {
  FibStoreOptions,
  MacInfo,
  NhgInfo,
  ParkedStatus,
  PathInfo,
  ReplayEnd,
  ReplayState,
  ReplayStatus,
  RouteInfo,
  RouteKey,
  RouteLookup,
  StoreCounts,
} from './model';
export type { RowFailure } from './ingest';

export class FibStore implements ChangeSource {
  readonly counters = new StoreCounters();
  /** Backup-group links (ts/backup-nhg). */
  readonly backups = new BackupLinks();
  // The parts (for tests of one part and for the bench; the rest of the code uses the methods).
  readonly tables: Tables;
  readonly groups: Groups;
  readonly queue: ChangeQueue;
  readonly epochs: Epochs;
  readonly rows: Ingest;
  readonly queries: Queries;
  readonly nhg: NhgView;
  readonly route: RouteView;
  readonly mac: MacView;

  constructor(opts: FibStoreOptions = {}) {
    const c = this.counters;
    const t = (this.tables = new Tables(opts));
    const g = (this.groups = new Groups(c, this.backups, opts.maxParked ?? DEFAULT_MAX_PARKED));
    const q = (this.queue = new ChangeQueue(t, g, c));
    const ep = (this.epochs = new Epochs(opts, c));
    const rows = (this.rows = new Ingest(c, t, g, new ImplicitGroups(g), q, ep));
    this.queries = new Queries(t, g, q, ep);
    g.t = t;
    g.q = q;
    g.ep = ep;
    ep.t = t;
    ep.g = g;
    ep.rows = rows;
    this.nhg = q.nhg;
    this.route = q.route;
    this.mac = q.mac;
  }

  // ---------------------------------------------------------------- ingest (ingest.ts)

  /**
   * Applies every good row of a decoded batch. `chunk` is the buffer the batch was decoded from;
   * it is only read during this call. Returns the number of rows looked at.
   */
  ingest(batch: Batch, chunk: Uint8Array): number {
    return this.rows.ingest(batch, chunk);
  }

  /**
   * Handles of the routes refused (parking bound) or failed (a message that threw) since the last
   * call, for offload-failed answers; `log`/`failedLog`: whether to log either now.
   */
  takeRefused(): { handles: number[]; log: boolean; failedLog: boolean } {
    return this.rows.takeRefused();
  }

  /** The last message that failed to apply (counted in counters.rowsFailed), or null. */
  lastRowFailure(): RowFailure | null {
    return this.rows.lastRowFailure;
  }

  // ---------------------------------------------------------------- lifecycle (epochs.ts)

  /**
   * A zebra connection opened. Nothing changes yet: the epoch starts (connectionStart) with the
   * connection's first route, nexthop or neighbour message, and the quiet period counts from it.
   */
  connectionOpen(): void {
    this.epochs.connectionOpen();
  }

  /** Whether the open connection has started its epoch (delivered a message). */
  get connectionStarted(): boolean {
    return this.epochs.connectionStarted;
  }

  /** A zebra connection's replay starts: a new epoch; its replay refreshes what still exists. */
  connectionStart(now?: number): number {
    return this.epochs.connectionStart(now);
  }

  /** The zebra connection closed. An unfinished replay sweeps nothing (the next one will). */
  connectionEnd(): void {
    this.epochs.connectionEnd();
  }

  /** Ends a replay that has seen no input for the quiet period. Returns true when it ended now. */
  tick(now?: number): boolean {
    return this.epochs.tick(now);
  }

  /** End of replay: sweeps what the connection did not refresh. Returns how many entries went. */
  endReplay(by: ReplayEnd, now?: number): number {
    return this.epochs.endReplay(by, now);
  }

  replayStatus(): ReplayStatus {
    return this.epochs.replayStatus();
  }

  // ---------------------------------------------------------------- ChangeSource (queue.ts)

  /** ChangeSource.nhgStale: gone (deleted by zebra, its Del maybe still queued), or not (re)announced in the current epoch. */
  nhgStale(id: number): boolean {
    const n = this.groups.byId.get(id);
    return n === undefined || !n.present || n.epoch !== this.epochs.epoch;
  }

  next(): ChangeKind {
    return this.queue.next();
  }

  /** next() for group changes only: routes and MACs wait (adoption while VPP's tables are dumped). */
  nextNhg(): ChangeKind {
    return this.queue.nextNhg();
  }

  /** The target and group of the queued, never programmed Set of `handle`; false when there is none (queue.ts). */
  peekUnprogrammed(handle: number, out: { target: number; nhgId: number }): boolean {
    return this.queue.peekUnprogrammed(handle, out);
  }

  /** Route entry (fc, id) as programmedAhead() left it, `route` filled: its handle, or -1 when zebra changed it since. */
  aheadView(fc: number, id: number): number {
    return this.queue.aheadView(fc, id);
  }

  /** The route peekUnprogrammed() described is in the dataplane as it would be written: programmed now. */
  programmedAhead(handle: number): void {
    this.queue.programmedAhead(handle);
  }

  depth(): number[] {
    return this.queue.depth();
  }

  /** Pending changes, all lanes. */
  pending(): number {
    return this.queue.pending();
  }

  routeResult(handle: number, ok: boolean, error?: string): void {
    this.queue.routeResult(handle, ok, error);
  }

  /** Routes the dataplane holds as far as its results tell: acknowledged Sets, less Dels handed out since. */
  get installedRoutes(): number {
    return this.queue.installed;
  }

  /** The dataplane lost everything (a restarted VPP): no route is held until acknowledged again. */
  clearInstalled(): void {
    this.queue.clearInstalled();
  }

  /** Queues a Set again for every programmed group using `ifindex`. Returns how many were queued. */
  reemitIfindex(ifindex: number): number {
    return this.queue.reemitIfindex(ifindex);
  }

  /** Queues a Set again for every programmed route using group `nhgId`. Returns how many were queued. */
  reemitRoutesUsing(nhgId: number): number {
    return this.queue.reemitRoutesUsing(nhgId);
  }

  /** The dataplane lost its state: queue a Set for everything programmable. Returns how many were queued. */
  replayAll(): number {
    return this.queue.replayAll();
  }

  // ---------------------------------------------------------------- interfaces, backups

  /** zebra ids (and implicit ids) of every group whose forwarding legs use `ifindex`. */
  groupsUsingIfindex(ifindex: number): number[] {
    return this.groups.groupsUsingIfindex(ifindex);
  }

  /** Link state of an interface as the dataplane sees it (status of backup protection). */
  setLinkState(ifindex: number, up: boolean): void {
    this.backups.setLinkState(ifindex, up);
  }

  /** Failover state of group `id`: its backup, whether the primary or the backup set forwards. */
  protection(id: number): ProtectionInfo | undefined {
    return this.queries.protection(id);
  }

  // ---------------------------------------------------------------- queries (queries.ts)

  counts(): StoreCounts {
    return this.queries.counts();
  }

  parked(): ParkedStatus {
    return this.queries.parked();
  }

  /** The last failure the dataplane reported, with the route it was for. */
  lastFailure(): { error: string; route: RouteKey | null } | null {
    return this.queue.lastError;
  }

  /** Bytes held by the route/MAC tables (typed arrays; excludes group objects). */
  tableBytes(): number {
    return this.tables.bytes();
  }

  /** Whether the route `handle` stands for was refused (parking bound, or a failed message): it has no target. */
  routeRefused(handle: number): boolean {
    return this.queries.routeRefused(handle);
  }

  /** The handle of the route zebra has under this key, or -1. Allocation-free. */
  routeHandle(family: number, table: number, addr: Uint8Array, len: number): number {
    return this.queries.routeHandle(family, table, addr, len);
  }

  /** Whether `handle` still names a route zebra has (not withdrawn, entry not reused). No key lookup. */
  routeLive(handle: number): boolean {
    return this.queries.routeLive(handle);
  }

  /** The route a handle stands for (the daemon's offload feedback), or null when it is gone. */
  routeKeyFor(handle: number, out?: RouteKey): RouteKey | null {
    return this.queries.routeKeyFor(handle, out);
  }

  /** Every route zebra currently has (parked ones included), in no particular order. */
  routes(): IterableIterator<RouteInfo> {
    return this.queries.routes();
  }

  /** One route with its group's resolved legs, or undefined. AF_MPLS: addr is ignored, len = label. */
  lookup(family: number, table: number, addr: Uint8Array | null, len: number): RouteLookup | undefined {
    return this.queries.lookup(family, table, addr, len);
  }

  /** A nexthop object by zebra id (or implicit id), present or placeholder. */
  nhgById(id: number): NhgInfo | undefined {
    return this.queries.nhgById(id);
  }

  /** Every nexthop object zebra has sent and not deleted (implicit groups with `implicit`). */
  nhgs(implicit = false): IterableIterator<NhgInfo> {
    return this.queries.nhgs(implicit);
  }

  macEntries(): IterableIterator<MacInfo> {
    return this.queries.macEntries();
  }

  /** Named counters for status/metrics. */
  counterValues(): Record<string, number> {
    return { ...this.counters };
  }
}

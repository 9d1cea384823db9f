// Epochs, replay and sweep: each zebra connection is a mark-and-sweep generation. Entries carry the
// epoch they were last received or refreshed in; when the replay ends (zebra's end marker, or a
// quiet period) what the connection did not refresh is withdrawn.
//
// Contract: a connection changes nothing until its first message (connectionOpen, then
// connectionStart on that message); an interrupted replay sweeps nothing; without the end marker
// only main-table routes, LSPs and nexthop objects are swept (what stock zebra replays). The
// refreshed/stale counts are kept as entries change: a status poll walks nothing.
import { EF } from './keytable';
import { FC_MPLS, FibStoreOptions, ReplayEnd, ReplayState, ReplayStatus, RT_TABLE_MAIN, StoreCounters } from './model';
import type { Groups } from './groups';
import type { Ingest } from './ingest';
import type { Tables } from './tables';

export class Epochs {
  readonly quietMs: number;
  /** Clock for the quiet period (ms). */
  readonly now: () => number;
  /** 1..255 stamped on entries; 0 = older than any live epoch. */
  epoch = 1;
  /** Connections seen (the mark-and-sweep generation reported in status). */
  epochSeq = 0;
  state: ReplayState = 'waiting';
  // A connection opened (connectionOpen) and has not delivered a message yet: its epoch starts
  // with its first route, nexthop or neighbour message, so a silent or empty connection changes
  // nothing (not even the epoch) and its end marker sweeps nothing.
  pendingStart = false;
  private endedBy: ReplayEnd | null = null;
  private startedAt = 0;
  private endedAt = 0;
  lastInputAt = 0;
  /** Route messages received since the connection opened. */
  received = 0;
  private sweptThisConn = 0;
  // Routes/MACs zebra has that carry the current epoch (replayStatus's refreshed counts; the rest
  // of routeTotal/macTotal is stale). Kept where entries are added, refreshed and deleted.
  routesCur = 0;
  macsCur = 0;
  // zebra's nexthop objects present, and those of them carrying the current epoch.
  nhgsPresent = 0;
  nhgsCur = 0;
  // The other parts (set once by the FibStore that composes them).
  t!: Tables;
  g!: Groups;
  rows!: Ingest;

  constructor(
    opts: FibStoreOptions,
    readonly counters: StoreCounters,
  ) {
    this.quietMs = opts.quietMs ?? 3000;
    this.now = opts.now ?? Date.now;
  }

  /**
   * A zebra connection opened. Nothing changes yet: the epoch starts (connectionStart) with the
   * connection's first route, nexthop or neighbour message, and the quiet period counts from it.
   */
  connectionOpen(): void {
    this.pendingStart = true;
  }

  /** Whether the open connection has started its epoch (delivered a message). */
  get connectionStarted(): boolean {
    return !this.pendingStart;
  }

  /** A zebra connection's replay starts: a new epoch; its replay refreshes what still exists. */
  connectionStart(now: number = this.now()): number {
    this.pendingStart = false;
    if (++this.epoch > 255) {
      // Epochs are compared for equality only; on wrap, age every entry to 0 so none aliases.
      for (const t of [...this.t.rt, this.t.macs]) t.epoch.fill(0);
      for (const n of this.g.byId.values()) n.epoch = 0;
      this.epoch = 1;
    }
    this.epochSeq++;
    // No entry carries the new epoch yet: everything zebra had is stale until refreshed.
    this.routesCur = 0;
    this.macsCur = 0;
    this.nhgsCur = 0;
    this.state = 'replaying';
    this.endedBy = null;
    this.startedAt = now;
    this.lastInputAt = now;
    this.received = 0;
    this.sweptThisConn = 0;
    return this.epochSeq;
  }

  /** The zebra connection closed. An unfinished replay sweeps nothing (the next one will). */
  connectionEnd(): void {
    this.pendingStart = false;
    if (this.state === 'replaying') this.state = 'waiting';
  }

  /** Ends a replay that has seen no input for the quiet period. Returns true when it ended now. */
  tick(now: number = this.now()): boolean {
    if (this.state !== 'replaying' || now - this.lastInputAt < this.quietMs) return false;
    this.endReplay('quiet-period', now);
    return true;
  }

  /**
   * End of replay. With zebra's end marker (NLMSG_DONE, docs/fpm-extensions.md section 2)
   * everything not refreshed is stale. Without it, stock zebra 8.4.4 does not replay non-main
   * tables (rib_tables_iter_next walks each VRF's main table only) nor EVPN remote MACs, so only
   * main-table routes, LSPs and nexthop objects are swept.
   */
  endReplay(by: ReplayEnd, now: number = this.now()): number {
    this.g.flushMissing();
    this.g.flushRescan();
    const swept = this.sweep(by === 'marker');
    this.g.flushRescan();
    if (this.state === 'replaying' || this.endedBy !== 'marker') {
      this.endedBy = by;
      this.endedAt = now;
    }
    this.state = 'ended';
    this.sweptThisConn += swept;
    return swept;
  }

  sweep(full: boolean): number {
    const e = this.epoch;
    let swept = 0;
    const main = this.t.tableIdx.get(RT_TABLE_MAIN) ?? -1;
    for (let fc = 0; fc < 3; fc++) {
      const t = this.t.rt[fc];
      for (let id = 0; id < t.hi; id++) {
        if ((t.flags[id] & EF.Exists) === 0 || t.epoch[id] === e) continue;
        if (!full && fc !== FC_MPLS && t.tbl[id] !== main) continue;
        this.rows.deleteRoute(fc, id);
        swept++;
      }
    }
    if (full) {
      const m = this.t.macs;
      for (let id = 0; id < m.hi; id++) {
        if ((m.flags[id] & EF.Exists) === 0 || m.epoch[id] === e) continue;
        this.rows.deleteMac(id);
        swept++;
      }
    }
    // Nexthop objects (all replayed by zebra's NHG walk): unused stale ones go, groups before the
    // members they free. Stale ones still used (by routes this sweep keeps) stay.
    let progress = true;
    while (progress) {
      progress = false;
      for (const n of [...this.g.byId.values()]) {
        if (!n.present || n.epoch === e || this.g.inUse(n)) continue;
        this.g.removeNhg(n);
        swept++;
        progress = true;
      }
    }
    for (const n of this.g.byId.values()) if (n.present && n.epoch !== e) this.counters.sweepKeptInUse++;
    this.counters.sweeps++;
    this.counters.swept += swept;
    return swept;
  }

  replayStatus(): ReplayStatus {
    // Counters kept as entries are added, refreshed, swept and deleted and reset by
    // connectionStart: a status poll walks nothing, whatever the table size.
    const refreshed = { routes: this.routesCur, nhgs: this.nhgsCur, macs: this.macsCur };
    const stale = { routes: this.t.routeTotal - this.routesCur, nhgs: this.nhgsPresent - this.nhgsCur, macs: this.t.macTotal - this.macsCur };
    return {
      state: this.state,
      endedBy: this.endedBy,
      epoch: this.epochSeq,
      received: this.received,
      refreshed,
      stale,
      swept: this.sweptThisConn,
      durationMs: this.state === 'ended' ? this.endedAt - this.startedAt : null,
    };
  }
}

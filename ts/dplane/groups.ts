// The nexthop-group registry: zebra's nexthop objects by id, inline-mode implicit groups, the
// compact records of ids routes name before zebra sends them (parking, bounded by maxParked), the
// backup-group links, and the reference counts that decide when an object may go.
//
// Contract: a route or MAC holds a target (model.ts: special, TGT_REF + ref, TGT_MISSING + slot);
// use()/unuse() move one reference. An object is freed only when absent (or an unused implicit
// group), unreferenced by routes, groups and backups, and not held by the dataplane. A content
// change propagates to the groups containing it and the groups it protects (one change each).
import { BackupLinks } from '../backup-nhg';
import { EF, KeyTable } from './keytable';
import { LANE_OF_PROTOCOL } from './lanes';
import { MissingIds } from './missing';
import { computeResolved, Nhg, NhgKind } from './nhg';
import { AF_BRIDGE, AF_INET, AF_INET6 } from './types';
import { IMPLICIT_BASE, StoreCounters, TGT_MISSING, TGT_REF } from './model';
import type { Tables } from './tables';
import type { ChangeQueue } from './queue';
import type { Epochs } from './epochs';

/** Entries of the implicit-group cache keyed by path-set hash (a power of two). */
export const IMPLICIT_CACHE = 256;

/** The address family a group forwards (its first gateway's, else what zebra said). */
export function familyOf(n: Nhg, depth = 0): number {
  if (n.fdb) return AF_BRIDGE;
  if (n.kind === NhgKind.Single) {
    if (n.leg.gwFamily === 4) return AF_INET;
    if (n.leg.gwFamily === 6) return AF_INET6;
    return n.family === AF_INET6 ? AF_INET6 : AF_INET;
  }
  if (n.kind === NhgKind.Implicit) {
    for (const l of n.legs) if (l.gwFamily !== 0) return l.gwFamily === 4 ? AF_INET : AF_INET6;
    return n.routeFamily === AF_INET6 ? AF_INET6 : AF_INET;
  }
  if (n.members.length > 0 && depth < 4) return familyOf(n.members[0], depth + 1);
  return n.family === AF_INET6 ? AF_INET6 : AF_INET;
}

export class Groups {
  readonly byId = new Map<number, Nhg>();
  readonly implicitById = new Map<number, Nhg>();
  readonly implicitByHash = new Map<number, Nhg[]>();
  readonly implicitCache: (Nhg | null)[] = new Array<Nhg | null>(IMPLICIT_CACHE).fill(null);
  /** Objects by ref (a target is TGT_REF + ref). */
  readonly slots: (Nhg | undefined)[] = [];
  private readonly freeRefs: number[] = [];
  private nextImplicit = IMPLICIT_BASE;
  private readonly nhgCacheId = new Float64Array(256).fill(-1);
  private readonly nhgCache: (Nhg | null)[] = new Array<Nhg | null>(256).fill(null);
  private readonly byIfindex = new Map<number, Set<Nhg>>();
  // Ids routes name before they arrive (compact records, see missing.ts), and those that arrived
  // in the current batch: their routes still carry TGT_MISSING + slot until flushMissing.
  readonly missing = new MissingIds();
  private readonly movedMissing = new Map<number, Nhg>();
  markSeq = 0;
  private readonly rescan: Nhg[] = [];
  // While one nexthop message is applied, frees wait (see Ingest.nexthopRow).
  deferring = false;
  private readonly deferred: Nhg[] = [];
  // The other parts (set once by the FibStore that composes them).
  t!: Tables;
  q!: ChangeQueue;
  ep!: Epochs;

  constructor(
    readonly counters: StoreCounters,
    /** Backup-group links (ts/backup-nhg). */
    readonly backups: BackupLinks,
    readonly maxParked: number,
  ) {}

  /** An object by zebra id or implicit id. */
  byAnyId(id: number): Nhg | undefined {
    return id >= IMPLICIT_BASE ? this.implicitById.get(id) : this.byId.get(id);
  }

  /** Frees what a nexthop message stopped referencing, once the message is applied as a whole. */
  endDeferring(): void {
    this.deferring = false;
    const d = this.deferred;
    for (let i = 0; i < d.length; i++) {
      this.checkPendingDelete(d[i]);
      this.maybeFree(d[i]);
    }
    d.length = 0;
  }

  /**
   * The target of a route naming nexthop `id`: the object when zebra sent it (or a group names
   * it), else a compact missing-id slot, or 0 when maxParked routes already wait for ids
   * (unless this route already waits for this very id).
   */
  routeTargetForId(id: number, t: KeyTable): number {
    const c = id & 255;
    if (this.nhgCacheId[c] === id) return this.nhgCache[c]!.ref + TGT_REF;
    const n = this.byId.get(id);
    if (n !== undefined) return n.ref + TGT_REF;
    const m = this.missing;
    let slot = m.find(id);
    if (m.totalUsers >= this.maxParked) {
      const e = t.find();
      const same = slot >= 0 && e >= 0 && (t.flags[e] & EF.Exists) !== 0 && t.tgt[e] === TGT_MISSING + slot;
      if (!same) return 0;
    }
    if (slot < 0) slot = m.slotFor(id);
    return TGT_MISSING + slot;
  }

  /**
   * A route past the parking bound: kept without a target, so nothing is programmed for it (an
   * older programmed version is withdrawn) and the daemon can answer it offload-failed.

  /** Routes that named an id which has arrived in this batch now target its object. */
  flushMissing(): void {
    const mv = this.movedMissing;
    if (mv.size === 0) return;
    for (let fc = 0; fc < 3; fc++) {
      const t = this.t.rt[fc];
      const tg = t.tgt;
      for (let id = 0; id < t.hi; id++) {
        const g = tg[id];
        if (g < TGT_MISSING) continue;
        const n = mv.get(g - TGT_MISSING);
        if (n !== undefined) tg[id] = n.ref + TGT_REF;
      }
    }
    for (const slot of mv.keys()) this.missing.take(slot);
    mv.clear();
  }

  allocImplicitId(): number {
    for (;;) {
      const id = this.nextImplicit;
      this.nextImplicit = id === 0xffffffff ? IMPLICIT_BASE : id + 1;
      if (!this.implicitById.has(id)) return id;
    }
  }

  newNhg(id: number): Nhg {
    const ref = this.freeRefs.length > 0 ? this.freeRefs.pop()! : this.slots.length;
    const n = new Nhg(id, ref);
    this.slots[ref] = n;
    return n;
  }

  /** The object for a zebra id, a placeholder (absent) when it has not arrived. */
  nhgFor(id: number): Nhg {
    // A full table names a few dozen groups in no order: a small direct-mapped cache in front
    // of the Map saves a hash lookup per route.
    const c = id & 255;
    if (this.nhgCacheId[c] === id) return this.nhgCache[c]!;
    let n = this.byId.get(id);
    if (n === undefined) {
      n = this.newNhg(id);
      this.byId.set(id, n);
      // Routes waiting for this id become its users; their targets move at flushMissing.
      const slot = this.missing.find(id);
      if (slot >= 0 && !this.movedMissing.has(slot)) {
        n.users = this.missing.users[slot];
        this.movedMissing.set(slot, n);
      }
    }
    this.nhgCacheId[c] = id;
    this.nhgCache[c] = n;
    return n;
  }

  refForId(id: number): number {
    return this.nhgFor(id).ref;
  }

  /** A route or MAC starts using target `tgt`. */
  use(tgt: number, mac: boolean): void {
    if (tgt < TGT_REF) return;
    if (tgt >= TGT_MISSING) {
      const mv = this.movedMissing.get(tgt - TGT_MISSING);
      if (mv === undefined) {
        this.missing.use(tgt - TGT_MISSING);
        return;
      }
      tgt = mv.ref + TGT_REF;
    }
    const n = this.slots[tgt - TGT_REF]!;
    n.users++;
    if (mac) n.macUsers++;
    if (n.users === 1) this.q.queueNhg(n);
  }

  /** A route or MAC stops using target `tgt`. */
  unuse(tgt: number, mac: boolean): void {
    if (tgt < TGT_REF) return;
    if (tgt >= TGT_MISSING) {
      const mv = this.movedMissing.get(tgt - TGT_MISSING);
      if (mv === undefined) {
        this.missing.unuse(tgt - TGT_MISSING);
        return;
      }
      tgt = mv.ref + TGT_REF;
    }
    const n = this.slots[tgt - TGT_REF]!;
    n.users--;
    if (mac) n.macUsers--;
    if (n.users === 0) {
      this.q.queueNhg(n);
      this.checkPendingDelete(n);
      this.maybeFree(n);
    }
  }

  inUse(n: Nhg): boolean {
    return n.users > 0 || n.parents.length > 0 || this.backups.isBackup(n.id);
  }

  private checkPendingDelete(n: Nhg): void {
    if (this.deferring) {
      this.deferred.push(n);
      return;
    }
    if (n.delPending && n.present && !this.inUse(n)) this.removeNhg(n);
  }

  /** Drops an object nobody needs any more: absent (or an unused implicit group) and not in the dataplane. */
  maybeFree(n: Nhg): void {
    if (this.deferring) {
      this.deferred.push(n);
      return;
    }
    if (this.slots[n.ref] !== n) return;
    if (n.present && !n.implicit) return;
    if (n.users > 0 || n.parents.length > 0 || n.programmed || n.queued || n.progUsers > 0) return;
    if (n.implicit) {
      this.implicitById.delete(n.id);
      const cands = this.implicitByHash.get(n.hash);
      if (cands !== undefined) {
        const i = cands.indexOf(n);
        if (i >= 0) cands.splice(i, 1);
        if (cands.length === 0) this.implicitByHash.delete(n.hash);
      }
      for (const l of n.legs) this.indexIfindex(n, l.ifindex, false);
    } else {
      if (this.backups.isBackup(n.id)) return;
      this.byId.delete(n.id);
    }
    const c = n.id & 255;
    if (this.nhgCache[c] === n) {
      this.nhgCache[c] = null;
      this.nhgCacheId[c] = -1;
    }
    this.slots[n.ref] = undefined;
    this.freeRefs.push(n.ref);
  }

  indexIfindex(n: Nhg, ifindex: number, add: boolean): void {
    if (ifindex === 0) return;
    let s = this.byIfindex.get(ifindex);
    if (add) {
      if (s === undefined) this.byIfindex.set(ifindex, (s = new Set()));
      s.add(n);
    } else if (s !== undefined) {
      s.delete(n);
      if (s.size === 0) this.byIfindex.delete(ifindex);
    }
  }

  /** Drops `n` from its members' parent lists (after the new members are linked, so a member kept is never freed on the way). */
  unlinkMembers(n: Nhg, members: Nhg[] = n.members): void {
    if (members === n.members) {
      n.members = [];
      n.weights = [];
    }
    for (const m of members) {
      const i = m.parents.indexOf(n);
      if (i >= 0) m.parents.splice(i, 1);
      this.checkPendingDelete(m);
      this.maybeFree(m);
    }
  }

  setBackup(n: Nhg, backup: number): void {
    const old = n.backupId;
    if (old === backup) return;
    this.backups.set(n.id, backup);
    n.backupId = backup;
    if (backup !== 0) this.nhgFor(backup); // placeholder until it arrives: its arrival re-emits n
    if (old !== 0) {
      const o = this.byId.get(old);
      if (o !== undefined) {
        this.checkPendingDelete(o);
        this.maybeFree(o);
      }
    }
  }

  deleteNhgById(id: number): void {
    const n = this.byId.get(id);
    if (n === undefined || !n.present) {
      this.counters.nhgDelUnknown++;
      return;
    }
    if (this.inUse(n)) {
      // Refused: routes, groups or a protected group still name it (zebra deletes users first:
      // zebra_nhg.c zebra_nhg_uninstall_kernel runs once the NHE's refcount is 0). Remembered:
      // it goes when its last user does.
      this.counters.nhgDelRefused++;
      n.delPending = true;
      return;
    }
    this.removeNhg(n);
  }

  removeNhg(n: Nhg): void {
    if (n.present) {
      this.ep.nhgsPresent--;
      if (n.epoch === this.ep.epoch) this.ep.nhgsCur--;
    }
    n.present = false;
    n.delPending = false;
    if (n.kind === NhgKind.Group) this.unlinkMembers(n);
    else this.indexIfindex(n, n.leg.ifindex, false);
    n.kind = NhgKind.Single;
    this.setBackup(n, 0);
    this.nhgChanged(n);
    this.maybeFree(n);
  }

  /**
   * Content of `n` changed: bump its version (re-emitted if programmed and wanted), recompute
   * whether it can be programmed, and do the same for every group containing it and every group
   * it protects as a backup (one group change each; routes are not touched unless a group's
   * programmability flipped under them).
   */
  nhgChanged(n: Nhg): void {
    this.propagate(n, ++this.markSeq, 0);
  }

  private propagate(n: Nhg, stamp: number, depth: number): void {
    if (n.mark === stamp || depth > 8) return;
    n.mark = stamp;
    n.version++;
    const was = n.resolved;
    n.resolved = computeResolved(n);
    if (was !== n.resolved && n.users > 0) this.rescan.push(n);
    this.q.queueNhg(n);
    for (const p of n.parents) this.propagate(p, stamp, depth + 1);
    for (const pid of this.backups.protectedBy(n.id)) {
      const p = this.byId.get(pid);
      if (p !== undefined) this.propagate(p, stamp, depth + 1);
    }
  }

  /** Routes/MACs whose group became (un)programmable are queued (one pass over the tables per batch). */
  flushRescan(): void {
    if (this.rescan.length === 0) return;
    const mark = new Uint8Array(this.slots.length);
    for (const n of this.rescan) if (this.slots[n.ref] === n) mark[n.ref] = 1;
    this.rescan.length = 0;
    for (let fc = 0; fc < 3; fc++) {
      const t = this.t.rt[fc];
      for (let id = 0; id < t.hi; id++) {
        const g = t.tgt[id];
        if (g >= TGT_REF && mark[g - TGT_REF] === 1 && (t.flags[id] & EF.Exists) !== 0)
          this.q.enqueueRoute(fc, id, LANE_OF_PROTOCOL[t.proto[id]]);
      }
    }
    const m = this.t.macs;
    for (let id = 0; id < m.hi; id++) {
      const g = m.tgt[id];
      if (g >= TGT_REF && mark[g - TGT_REF] === 1 && (m.flags[id] & EF.Exists) !== 0) this.q.enqueueMac(id);
    }
  }

  /**
   * zebra ids (and implicit ids) of every group whose forwarding legs use `ifindex`: the singletons
   * naming it, the groups containing those, and the groups they protect as backups.
   */
  groupsUsingIfindex(ifindex: number): number[] {
    const out: Nhg[] = [];
    const stamp = ++this.markSeq;
    const visit = (n: Nhg, depth: number): void => {
      if (n.mark === stamp || depth > 8) return;
      n.mark = stamp;
      out.push(n);
      for (const p of n.parents) visit(p, depth + 1);
      for (const pid of this.backups.protectedBy(n.id)) {
        const p = this.byId.get(pid);
        if (p !== undefined) visit(p, depth + 1);
      }
    };
    const s = this.byIfindex.get(ifindex);
    if (s !== undefined) for (const n of s) if (n.present) visit(n, 0);
    return out.map((n) => n.id).sort((a, b) => a - b);
  }
}

// The change queue: what the dataplane pulls (ChangeSource.next). Groups first (a FIFO of objects,
// deduplicated by Nhg.queued), then EVPN MACs, then routes in three lanes by protocol (intrusive
// lists through KeyTable.qnext, so the queue never allocates and never outgrows the tables).
//
// Contract: a key is queued at most once however often zebra changes it; next() compares what
// zebra wants (the target) with what was last handed out (prog) and emits at most one change for
// it, so an undone change emits nothing. Results come back through routeResult() by handle.
import { EF, KeyTable, NIL } from './keytable';
import { LANE_OF_PROTOCOL } from './lanes';
import { flatten, Leg, Nhg } from './nhg';
import { ChangeKind, LANES, MacView, NhgView, Op, PathView, RouteView, Target, newMacView, newNhgView, newRouteView } from './types';
import { FC_FAMILY, FC_MAC, FC_MPLS, RouteKey, StoreCounters, TGT_MISSING, TGT_REF } from './model';
import { familyOf, Groups } from './groups';
import type { Tables } from './tables';

function newPathView(): PathView {
  return { gwFamily: 0, gw: new Uint8Array(16), ifindex: 0, weight: 1, labels: [], blackhole: false, encap: 0 };
}

export class ChangeQueue {
  readonly nhg: NhgView = newNhgView();
  readonly route: RouteView = newRouteView();
  readonly mac: MacView = newMacView();
  // Groups: a FIFO of objects. MACs and route lanes: intrusive lists of handles.
  nq: Nhg[] = [];
  private nqHead = 0;
  private macHead = NIL;
  private macTail = NIL;
  private macPending = 0;
  private readonly laneHead = new Uint32Array(LANES).fill(NIL);
  private readonly laneTail = new Uint32Array(LANES).fill(NIL);
  private readonly laneCount = [0, 0, 0];
  /** Routes the dataplane acknowledged and holds (EF.Installed), as far as results tell. */
  installed = 0;
  /** Routes whose last change the dataplane reported as failed. */
  failedRoutes = 0;
  lastError: { error: string; route: RouteKey | null } | null = null;
  // Views: reused PathView objects, filled by flatten().
  private readonly pvPool: PathView[] = [];
  private readonly bvPool: PathView[] = [];
  private readonly pushPrimary = (l: Leg, w: number): void => this.pushPath(this.nhg.primary, this.pvPool, l, w);
  private readonly pushBackup = (l: Leg, w: number): void => this.pushPath(this.nhg.backup, this.bvPool, l, w);

  constructor(
    private readonly t: Tables,
    private readonly g: Groups,
    readonly counters: StoreCounters,
  ) {}

  /** Routes the dataplane holds as far as its results tell: acknowledged Sets, less Dels handed out since. */
  get installedRoutes(): number {
    return this.installed;
  }

  /** The dataplane lost everything (a restarted VPP): no route is held until acknowledged again. */
  clearInstalled(): void {
    for (const t of this.t.rt) {
      for (let id = 0; id < t.hi; id++) t.flags[id] &= ~EF.Installed;
    }
    this.installed = 0;
  }

  release(t: KeyTable, id: number): void {
    if ((t.flags[id] & EF.Failed) !== 0 && t !== this.t.macs) this.failedRoutes--;
    if ((t.flags[id] & EF.Installed) !== 0) this.installed--;
    t.remove(id);
  }

  enqueueRoute(fc: number, id: number, lane: number): void {
    const t = this.t.rt[fc];
    const f = t.flags[id];
    if ((f & EF.Dirty) !== 0) return;
    t.flags[id] = f | EF.Dirty;
    const h = ((fc << 30) | id) >>> 0;
    t.qnext[id] = NIL;
    const tail = this.laneTail[lane];
    if (tail === NIL) this.laneHead[lane] = h;
    else this.t.rt[tail >>> 30].qnext[tail & 0x3fffffff] = h;
    this.laneTail[lane] = h;
    this.laneCount[lane]++;
  }

  // Inline-mode paths -> one implicit group per distinct path set (content-hashed).

  queueNhg(n: Nhg): void {
    if (n.queued || (!n.programmed && !n.wanted)) return;
    n.queued = true;
    this.nq.push(n);
  }

  enqueueMac(id: number): void {
    const m = this.t.macs;
    if ((m.flags[id] & EF.Dirty) !== 0) return;
    m.flags[id] |= EF.Dirty;
    m.qnext[id] = NIL;
    if (this.macTail === NIL) this.macHead = id;
    else m.qnext[this.macTail] = id;
    this.macTail = id;
    this.macPending++;
  }

  /** next() for group changes only (routes and MACs wait): ChangeKind.Nhg, or None when none is queued. */
  nextNhg(): ChangeKind {
    while (this.nqHead < this.nq.length) {
      const n = this.nq[this.nqHead++];
      if (this.nqHead > 1024 && this.nqHead * 2 > this.nq.length) {
        this.nq = this.nq.slice(this.nqHead);
        this.nqHead = 0;
      }
      n.queued = false;
      if (n.wanted) {
        if (!n.programmed || n.progVersion !== n.version) {
          n.programmed = true;
          n.progVersion = n.version;
          this.fillNhg(n, Op.Set);
          this.counters.changesNhg++;
          return ChangeKind.Nhg;
        }
      } else if (n.programmed && n.progUsers === 0) {
        n.programmed = false;
        this.fillNhg(n, Op.Del);
        this.g.maybeFree(n);
        this.counters.changesNhg++;
        return ChangeKind.Nhg;
      }
      this.g.maybeFree(n);
    }
    return ChangeKind.None;
  }

  /**
   * For the Set route `handle` stands for, when it waits in the queue and was never programmed:
   * its target and group id into `out` (adoption compares what it would write with what VPP
   * holds before its turn). False otherwise (not queued, a Del, parked, programmed before, a
   * re-install asked for). Reads three columns of the entry, no key.
   */
  peekUnprogrammed(handle: number, out: { target: number; nhgId: number }): boolean {
    const fc = handle >>> 30;
    if (fc === FC_MAC) return false;
    const t = this.t.rt[fc];
    const id = t.live(handle);
    if (id < 0) return false;
    const f = t.flags[id];
    if ((f & (EF.Exists | EF.Dirty | EF.Force)) !== (EF.Exists | EF.Dirty) || t.prog[id] !== 0) return false;
    const desired = this.desired(t.tgt[id]);
    if (desired === 0) return false;
    if (desired >= TGT_REF) {
      out.target = Target.Nhg;
      out.nhgId = this.g.slots[desired - TGT_REF]!.id;
    } else {
      out.target = desired;
      out.nhgId = 0;
    }
    return true;
  }

  /**
   * The handle of route entry `id` of family code `fc` when programmedAhead() took it and zebra
   * has not changed it since (its Set would be the one VPP holds), with `route` filled as next()
   * would; else -1.
   */
  aheadView(fc: number, id: number): number {
    const t = this.t.rt[fc];
    if (id >= t.hi || (t.flags[id] & EF.Exists) === 0) return -1;
    const prog = t.prog[id];
    if (prog === 0 || this.desired(t.tgt[id]) !== prog) return -1;
    this.fillRoute(fc, id, Op.Set, prog, LANE_OF_PROTOCOL[t.proto[id]]);
    return this.route.handle;
  }

  /**
   * The route peekUnprogrammed() described is in the dataplane exactly as it would be written: it
   * counts as programmed from now on, and its turn in the queue passes it by (unless zebra
   * changes it before then: that change is handed out as usual).
   */
  programmedAhead(handle: number): void {
    const fc = handle >>> 30;
    const t = this.t.rt[fc];
    const id = t.live(handle);
    if (id < 0 || t.prog[id] !== 0) return;
    const desired = this.desired(t.tgt[id]);
    this.reprogram(0, desired);
    t.prog[id] = desired;
  }

  next(): ChangeKind {
    // 1. Groups: Sets before any route/MAC can name them; Dels once nothing programmed uses them.
    if (this.nextNhg() === ChangeKind.Nhg) return ChangeKind.Nhg;
    // 2. MACs.
    const m = this.t.macs;
    while (this.macHead !== NIL) {
      const id = this.macHead;
      this.macHead = m.qnext[id];
      if (this.macHead === NIL) this.macTail = NIL;
      this.macPending--;
      const f = m.flags[id];
      m.flags[id] = f & ~EF.Dirty;
      const desired = (f & EF.Exists) !== 0 ? this.desired(m.tgt[id]) : 0;
      const prog = m.prog[id];
      if (desired === prog && (desired === 0 || (f & EF.Force) === 0)) {
        if ((f & EF.Exists) === 0 && prog === 0) m.remove(id);
        continue;
      }
      this.fillMac(id, desired !== 0 ? Op.Set : Op.Del, desired !== 0 ? desired : prog);
      this.reprogram(prog, desired);
      m.prog[id] = desired;
      m.flags[id] &= ~EF.Force;
      if (desired === 0 && (f & EF.Exists) === 0) m.remove(id);
      this.counters.changesMac++;
      return ChangeKind.Mac;
    }
    // 3. Routes, lane by lane.
    for (let lane = 0; lane < LANES; lane++) {
      while (this.laneHead[lane] !== NIL) {
        const h = this.laneHead[lane];
        const fc = h >>> 30;
        const id = h & 0x3fffffff;
        const t = this.t.rt[fc];
        this.laneHead[lane] = t.qnext[id];
        if (this.laneHead[lane] === NIL) this.laneTail[lane] = NIL;
        this.laneCount[lane]--;
        const f = t.flags[id];
        t.flags[id] = f & ~EF.Dirty;
        const desired = (f & EF.Exists) !== 0 ? this.desired(t.tgt[id]) : 0;
        const prog = t.prog[id];
        if (desired === prog && (desired === 0 || (f & EF.Force) === 0)) {
          if ((f & EF.Exists) === 0 && prog === 0) this.release(t, id);
          continue;
        }
        const held = (t.flags[id] & EF.Installed) !== 0;
        if (desired === 0 && held) {
          t.flags[id] &= ~EF.Installed;
          this.installed--;
        }
        this.fillRoute(fc, id, desired !== 0 ? Op.Set : Op.Del, desired !== 0 ? desired : prog, lane);
        // Forced (a re-install asked for): never "already there".
        this.route.prevNhgId = held && prog >= TGT_REF && (f & EF.Force) === 0 ? this.g.slots[prog - TGT_REF]!.id : 0;
        this.reprogram(prog, desired);
        t.prog[id] = desired;
        t.flags[id] &= ~EF.Force;
        if (desired === 0 && (f & EF.Exists) === 0) this.release(t, id);
        this.counters.changesRoute++;
        return ChangeKind.Route;
      }
    }
    return ChangeKind.None;
  }

  /** What the dataplane should have for a target: itself, or nothing while its group is parked. */
  private desired(tgt: number): number {
    if (tgt < TGT_REF) return tgt;
    if (tgt >= TGT_MISSING) return 0;
    const n = this.g.slots[tgt - TGT_REF]!;
    return n.present && n.resolved ? tgt : 0;
  }

  /** Moves one programmed user from group `from` to group `to` (targets, 0/special = none). */
  private reprogram(from: number, to: number): void {
    if (to >= TGT_REF) this.g.slots[to - TGT_REF]!.progUsers++;
    if (from >= TGT_REF) {
      const o = this.g.slots[from - TGT_REF]!;
      o.progUsers--;
      if (o.progUsers === 0 && !o.wanted) {
        if (o.programmed) this.queueNhg(o);
        else this.g.maybeFree(o);
      }
    }
  }

  depth(): number[] {
    return [this.nq.length - this.nqHead + this.macPending + this.laneCount[0], this.laneCount[1], this.laneCount[2]];
  }

  /** Pending changes, all lanes. */
  pending(): number {
    return this.nq.length - this.nqHead + this.macPending + this.laneCount[0] + this.laneCount[1] + this.laneCount[2];
  }

  routeResult(handle: number, ok: boolean, error?: string): void {
    const c = this.counters;
    const fc = handle >>> 30;
    const t = fc === FC_MAC ? this.t.macs : this.t.rt[fc];
    const id = t.live(handle);
    if (id < 0) {
      c.resultsStale++;
      return;
    }
    const f = t.flags[id];
    if (ok) {
      c.resultsOk++;
      if (fc !== FC_MAC && (f & (EF.Exists | EF.Installed)) === EF.Exists) {
        t.flags[id] |= EF.Installed;
        this.installed++;
      }
      if ((f & EF.Failed) !== 0) {
        // Not `f & ~Failed`: that would drop the Installed bit just set (the count would drift).
        t.flags[id] &= ~EF.Failed;
        if (fc !== FC_MAC) this.failedRoutes--;
      }
      return;
    }
    c.resultsFailed++;
    if ((f & EF.Failed) === 0) {
      t.flags[id] = f | EF.Failed;
      if (fc !== FC_MAC) this.failedRoutes++;
    }
    this.lastError = { error: error ?? 'failed', route: fc === FC_MAC ? null : this.t.routeKeyOf(fc, id) };
  }

  private pushPath(arr: PathView[], pool: PathView[], l: Leg, w: number): void {
    const i = arr.length;
    if (i === pool.length) pool.push(newPathView());
    const p = pool[i];
    p.gwFamily = l.gwFamily;
    p.gw.set(l.gw);
    p.ifindex = l.ifindex;
    p.weight = w;
    p.labels.length = 0;
    for (let j = 0; j < l.labels.length; j++) p.labels.push(l.labels[j]);
    p.blackhole = l.blackhole;
    p.encap = l.encap;
    arr.push(p);
  }

  private fillNhg(n: Nhg, op: Op): void {
    const v = this.nhg;
    v.op = op;
    v.id = n.id;
    v.fdb = n.fdb;
    v.primary.length = 0;
    v.backup.length = 0;
    if (op === Op.Set) {
      flatten(n, 1, this.pushPrimary);
      const bk = n.backupId !== 0 ? this.g.byId.get(n.backupId) : undefined;
      if (bk !== undefined && bk.present && bk.resolved) flatten(bk, 1, this.pushBackup);
    }
    v.family = familyOf(n);
  }

  /** `lane`: the lane the change was queued in (a key changing protocol while queued keeps its place). */
  private fillRoute(fc: number, id: number, op: Op, tgt: number, lane: number): void {
    const t = this.t.rt[fc];
    const v = this.route;
    v.op = op;
    v.family = FC_FAMILY[fc];
    v.len = t.len[id];
    v.protocol = t.proto[id];
    v.lane = lane;
    v.handle = t.handle(fc, id);
    v.prevNhgId = 0;
    if (tgt >= TGT_REF) {
      v.target = Target.Nhg;
      v.nhgId = this.g.slots[tgt - TGT_REF]!.id;
    } else {
      v.target = tgt;
      v.nhgId = 0;
    }
    this.t.keyBytes(fc, id, v.addr);
    if (fc === FC_MPLS) {
      v.table = 0;
      v.label = t.key[id];
    } else {
      v.table = this.t.tableIds[t.tbl[id]];
      v.label = 0;
    }
  }

  private fillMac(id: number, op: Op, tgt: number): void {
    const m = this.t.macs;
    const v = this.mac;
    v.op = op;
    v.ifindex = m.key[id * 3];
    const k1 = m.key[id * 3 + 1];
    const k2 = m.key[id * 3 + 2];
    v.vlan = k1 >>> 16;
    v.mac[0] = (k1 >>> 8) & 0xff;
    v.mac[1] = k1 & 0xff;
    v.mac[2] = k2 >>> 24;
    v.mac[3] = (k2 >>> 16) & 0xff;
    v.mac[4] = (k2 >>> 8) & 0xff;
    v.mac[5] = k2 & 0xff;
    v.vni = this.t.macVni[id];
    v.handle = m.handle(FC_MAC, id);
    if (tgt >= TGT_REF) {
      v.nhgId = this.g.slots[tgt - TGT_REF]!.id;
      v.vtepFamily = 0;
      v.vtep.fill(0);
    } else {
      v.nhgId = 0;
      v.vtepFamily = this.t.macVtepFam[id] as 0 | 4 | 6;
      v.vtep.set(this.t.macVtep.subarray(id * 16, id * 16 + 16));
    }
  }

  /**
   * Queues a Set again for every programmed group using `ifindex` (the dataplane learnt or changed
   * its mapping of that interface). Returns how many were queued.
   */
  reemitIfindex(ifindex: number): number {
    let k = 0;
    for (const id of this.g.groupsUsingIfindex(ifindex)) {
      const n = this.g.byAnyId(id);
      if (n === undefined || !n.programmed || !n.wanted) continue;
      n.version++;
      this.queueNhg(n);
      k++;
    }
    return k;
  }

  /**
   * Queues a Set again for every programmed route using group `nhgId` (for a dataplane that
   * programs paths per route instead of through a shared group). Returns how many were queued.
   */
  reemitRoutesUsing(nhgId: number): number {
    const n = this.g.byAnyId(nhgId);
    if (n === undefined) return 0;
    const tgt = n.ref + TGT_REF;
    let k = 0;
    for (let fc = 0; fc < 3; fc++) {
      const t = this.t.rt[fc];
      for (let id = 0; id < t.hi; id++) {
        if (t.prog[id] !== tgt || (t.flags[id] & EF.Exists) === 0) continue;
        t.flags[id] |= EF.Force;
        this.enqueueRoute(fc, id, LANE_OF_PROTOCOL[t.proto[id]]);
        k++;
      }
    }
    return k;
  }

  /**
   * The dataplane lost its state (VPP restarted): forget what was handed out and queue a Set for
   * everything programmable, groups first (the queue order), then MACs and routes by lane.
   * Pending deletes of things the dataplane no longer has are dropped. Returns how many entries
   * were queued.
   */
  replayAll(): number {
    let k = 0;
    for (const n of [...this.g.byId.values(), ...this.g.implicitById.values()]) {
      n.programmed = false;
      n.progVersion = -1;
      n.progUsers = 0;
    }
    for (const n of [...this.g.byId.values(), ...this.g.implicitById.values()]) {
      if (n.wanted) {
        this.queueNhg(n);
        k++;
      } else this.g.maybeFree(n);
    }
    for (let fc = 0; fc < 3; fc++) {
      const t = this.t.rt[fc];
      for (let id = 0; id < t.hi; id++) {
        const f = t.flags[id];
        if ((f & EF.InUse) === 0) continue;
        t.prog[id] = 0;
        t.flags[id] = f & ~EF.Force;
        if ((f & EF.Exists) === 0) {
          if ((f & EF.Dirty) === 0) this.release(t, id);
          continue;
        }
        if (this.desired(t.tgt[id]) === 0) continue;
        this.enqueueRoute(fc, id, LANE_OF_PROTOCOL[t.proto[id]]);
        k++;
      }
    }
    const m = this.t.macs;
    for (let id = 0; id < m.hi; id++) {
      const f = m.flags[id];
      if ((f & EF.InUse) === 0) continue;
      m.prog[id] = 0;
      m.flags[id] = f & ~EF.Force;
      if ((f & EF.Exists) === 0) {
        if ((f & EF.Dirty) === 0) m.remove(id);
        continue;
      }
      if (this.desired(m.tgt[id]) === 0) continue;
      this.enqueueMac(id);
      k++;
    }
    return k;
  }
}

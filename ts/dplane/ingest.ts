// Ingest: applies the rows of a decoded batch (ts/codec/layout.ts) to the mirror. Routes
// (RTM_NEWROUTE/DELROUTE), nexthop objects (RTM_NEWNEXTHOP/DELNEXTHOP) and EVPN MACs
// (RTM_NEWNEIGH/DELNEIGH, AF_BRIDGE); the batch's variable data points into a borrowed chunk, so
// everything kept is copied into the tables here.
//
// Contract: every row is looked at once and counted (StoreCounters); a row that throws is counted
// in rowsFailed, its route (when its key could be read) kept without a target and handed out by
// takeRefused() for an offload-failed answer, and the rest of the batch goes on. The hot loop
// allocates nothing per row: the batch's columns are fixed fields (cols.ts), keys are probed in
// place (KeyTable.k), and a window of index slots is read ahead of the rows that need them.
import { Attr, Batch, Kind, Meta } from '../codec/layout';
import { RowError } from '../codec/codes';
import { BatchCols } from './cols';
import { EF, KeyTable } from './keytable';
import { LANE_OF_PROTOCOL } from './lanes';
import { Leg, Nhg, NhgKind } from './nhg';
import { AF_BRIDGE, AF_INET, AF_INET6, AF_MPLS, Target } from './types';
import {
  FC_FAMILY,
  FC_MPLS,
  FC_V4,
  FC_V6,
  LWTUNNEL_ENCAP_MPLS,
  RouteKey,
  RTM_NEWNEIGH,
  RTM_NEWNEXTHOP,
  RTM_NEWROUTE,
  RTN_BLACKHOLE,
  RTN_PROHIBIT,
  RTN_UNICAST,
  RTN_UNREACHABLE,
  StoreCounters,
  TGT_REF,
  TGT_VTEP,
} from './model';
import type { ChangeQueue } from './queue';
import type { Epochs } from './epochs';
import type { Groups } from './groups';
import type { ImplicitGroups } from './implicit';
import type { Tables } from './tables';

/** Rows ingest hashes and touches ahead of applying them (a power of two). */
const TOUCH_WINDOW = 32;
/** Refused routes kept for takeRefused() between two drains, at most (the rest are only counted). */
const REFUSED_KEEP = 65536;
/** The address of a route without RTA_DST (a default route): all zero. */
const NO_DST = new Uint8Array(16);

/** The last row that failed to apply (status, logs). */
export interface RowFailure {
  /** Row kind (ts/codec/layout.ts Kind) and netlink message type. */
  kind: number;
  msgType: number;
  error: string;
  /** The route's key when it could be read. */
  route: RouteKey | null;
}

export class Ingest {
  // Ingest's look-ahead: index homes and family codes of the next window of rows.
  private readonly touchHome = new Int32Array(TOUCH_WINDOW);
  private readonly touchFc = new Uint8Array(TOUCH_WINDOW);
  // The batch's columns as fixed fields (see cols.ts), rebound by each ingest call.
  private readonly cols = new BatchCols();
  /** @internal Keeps the look-ahead loads live; never read. */
  touchSink = 0;
  private refused: number[] = [];
  /** Set when a route was refused for the parking bound since the last take (first and every 65536th). */
  private refusedLog = false;
  /** Set when a row failed since the last take (first and every 4096th). */
  private failedLog = false;
  lastRowFailure: RowFailure | null = null;
  private readonly scratchLeg = new Leg();

  constructor(
    readonly counters: StoreCounters,
    private readonly t: Tables,
    private readonly g: Groups,
    private readonly imp: ImplicitGroups,
    private readonly q: ChangeQueue,
    private readonly ep: Epochs,
  ) {}

  /**
   * Applies every good row of a decoded batch. `chunk` is the buffer the batch was decoded from;
   * it is only read during this call. Returns the number of rows looked at.
   */
  ingest(batch: Batch, chunk: Uint8Array): number {
    const rows = batch.meta[Meta.Rows];
    if (rows === 0) return 0;
    const b = this.cols.bind(batch);
    const ep = this.ep;
    ep.lastInputAt = ep.now();
    const c = this.counters;
    c.rows += rows;
    const kind = b.kind;
    const err = b.err;
    const rt = this.t.rt;
    const homes = this.touchHome;
    const fcs = this.touchFc;
    let sink = 0;
    for (let r = 0; r < rows; r++) {
      if ((r & (TOUCH_WINDOW - 1)) === 0) {
        // Hash the next window of routes, then read their index slots in one tight loop: the
        // misses overlap there instead of stalling each row in turn (see KeyTable.home). Only
        // known tables: the look-ahead creates nothing and cannot throw.
        const end = Math.min(rows, r + TOUCH_WINDOW);
        for (let q = r; q < end; q++) {
          const fc = kind[q] === Kind.Route && err[q] === RowError.None ? this.routeKey(b, chunk, q, false) : -1;
          fcs[q - r] = fc < 0 ? 255 : fc;
          if (fc >= 0) homes[q - r] = rt[fc].home();
        }
        sink ^= rt[FC_V4].touch(homes, fcs, FC_V4, end - r) ^ rt[FC_V6].touch(homes, fcs, FC_V6, end - r);
      }
      if (err[r] !== RowError.None) {
        c.badRows++;
        continue;
      }
      // One row's failure (a bug, a limit) is that row's: counted and answered, never the session's.
      try {
        this.row(b, chunk, r, kind[r]);
      } catch (e) {
        this.rowFailed(b, chunk, r, e);
      }
    }
    this.g.flushMissing();
    this.g.flushRescan();
    this.touchSink = sink;
    return rows;
  }

  private row(b: BatchCols, chunk: Uint8Array, r: number, kind: number): void {
    const ep = this.ep;
    switch (kind) {
      case Kind.Route:
        if (ep.pendingStart) ep.connectionStart();
        this.routeRow(b, chunk, r);
        break;
      case Kind.Nexthop:
        if (ep.pendingStart) ep.connectionStart();
        this.nexthopRow(b, chunk, r);
        break;
      case Kind.Neigh:
        if (ep.pendingStart) ep.connectionStart();
        this.neighRow(b, chunk, r);
        break;
      case Kind.Done:
        if (ep.pendingStart) {
          this.counters.doneIgnored++;
          break;
        }
        this.counters.doneRows++;
        this.g.flushMissing();
        this.g.flushRescan();
        ep.endReplay('marker');
        break;
      default:
        this.counters.otherRows++;
    }
  }

  /**
   * Row `r` threw `e`: counted and remembered; a new route whose key can be read is kept without
   * a target (nothing programmed, an older programmed version withdrawn) and queued for an
   * offload-failed answer. The recovery is itself guarded: a second failure only counts.
   */
  private rowFailed(b: BatchCols, chunk: Uint8Array, r: number, e: unknown): void {
    const c = this.counters;
    if (c.rowsFailed++ === 0 || (c.rowsFailed & 0xfff) === 0) this.failedLog = true;
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    const f: RowFailure = { kind: b.kind[r], msgType: b.msgType[r], error, route: null };
    this.lastRowFailure = f;
    if (b.kind[r] !== Kind.Route || b.msgType[r] !== RTM_NEWROUTE) return;
    try {
      const fc = this.routeKey(b, chunk, r, false);
      if (fc < 0) return;
      const t = this.t.rt[fc];
      this.keepWithoutTarget(fc, t, b.protocol[r]);
      const id = t.find();
      if (id >= 0) f.route = this.t.routeKeyOf(fc, id);
    } catch {
      // Counted above; the route stays as it was.
    }
  }

  /**
   * Sets the probe key of the row's route table; returns the family code, or -1 (counted by the
   * caller). A table not seen yet gets its index only when `create` (look-ahead does not create).
   */
  private routeKey(b: BatchCols, chunk: Uint8Array, r: number, create: boolean): number {
    const fam = b.family[r];
    const len = b.dstLen[r];
    const hasDst = (b.attrs[r] & Attr.Dst) !== 0;
    if (fam === AF_INET || fam === AF_INET6) {
      const fc = fam === AF_INET ? FC_V4 : FC_V6;
      if (len > (fam === AF_INET ? 32 : 128)) return -1;
      const ix = this.t.tableIndex(b.table[r], create);
      if (ix < 0) return -1;
      this.t.rt[fc].probePrefix(hasDst ? chunk : NO_DST, hasDst ? b.dstOff[r] : 0, len, ix);
      return fc;
    }
    if (fam === AF_MPLS) {
      // RTA_DST of an AF_MPLS route is one label stack entry (label << 12 | tc << 9 | bos << 8 | ttl).
      if (!hasDst) return -1;
      const ix = this.t.tableIndex(0, create);
      if (ix < 0) return -1;
      const t = this.t.rt[FC_MPLS];
      const o = b.dstOff[r];
      t.k[0] = (((chunk[o] << 24) | (chunk[o + 1] << 16) | (chunk[o + 2] << 8) | chunk[o + 3]) >>> 12) & 0xfffff;
      t.kLen = 20;
      t.kTbl = ix;
      return FC_MPLS;
    }
    return -1;
  }

  private routeRow(b: BatchCols, chunk: Uint8Array, r: number): void {
    const c = this.counters;
    const fc = this.routeKey(b, chunk, r, true);
    if (fc < 0) {
      c.routeBadPrefix++;
      return;
    }
    const t = this.t.rt[fc];
    if (b.msgType[r] !== RTM_NEWROUTE) {
      // RTM_DELROUTE: zebra sends dst/len, table, protocol, priority; no nexthop, rtm_type 0
      // (dplane_fpm_nl.c fpm_nl_enqueue -> netlink_route_multipath_msg_encode with cmd DELROUTE).
      c.routeDel++;
      const id = t.find();
      if (id < 0 || (t.flags[id] & EF.Exists) === 0) {
        c.routeDelUnknown++;
        return;
      }
      this.deleteRoute(fc, id);
      return;
    }
    c.routeNew++;
    const ep = this.ep;
    ep.received++;
    const attrs = b.attrs[r];
    const rtype = b.rtype[r];
    let tgt: number;
    if (rtype === RTN_UNICAST) {
      if ((attrs & Attr.NhId) !== 0) {
        tgt = this.g.routeTargetForId(b.nhId[r], t);
        if (tgt === 0) {
          this.refuseRoute(fc, t, b.protocol[r]);
          return;
        }
      } else if ((attrs & (Attr.Multipath | Attr.Gateway | Attr.Oif | Attr.Via)) !== 0)
        tgt = this.imp.implicitFor(b, chunk, r, FC_FAMILY[fc]) + TGT_REF;
      else {
        c.routeNoNexthop++;
        return;
      }
    } else if (rtype === RTN_BLACKHOLE) tgt = Target.Blackhole;
    else if (rtype === RTN_UNREACHABLE) tgt = Target.Unreachable;
    else if (rtype === RTN_PROHIBIT) tgt = Target.Prohibit;
    else {
      // local/broadcast/anycast/multicast/throw/nat: not FIB forwarding entries for the dataplane.
      c.routeUnsupportedType++;
      return;
    }
    const id = t.insert();
    const f = t.flags[id];
    const epoch = ep.epoch;
    const proto = b.protocol[r];
    let dirty = false;
    let force = false;
    if ((f & EF.Exists) === 0) {
      this.t.routeCounts[t.kTbl * 3 + fc]++;
      this.t.routeTotal++;
      this.g.use(tgt, false);
      dirty = true;
      // Revived by a DEL+NEW (dplane_fpm_nl sends a route update as both in one frame): still one
      // change downstream, and a Set even when nothing changed, since zebra awaits its result.
      if (t.prog[id] !== 0 && t.prog[id] === tgt) force = true;
    } else if (t.tgt[id] !== tgt) {
      // Take the new reference first: dropping the old one may free objects the new target
      // still needs (a placeholder member of a group going away).
      this.g.use(tgt, false);
      this.g.unuse(t.tgt[id], false);
      dirty = true;
    } else if (t.proto[id] !== proto) {
      dirty = force = true;
    } else if (ep.state === 'replaying' && t.epoch[id] !== epoch) {
      // First sight in this replay of an unchanged route: a refresh, nothing to program.
    } else {
      dirty = force = true; // a live re-install of the same route
    }
    t.tgt[id] = tgt;
    t.proto[id] = proto;
    if ((f & EF.Exists) === 0 || t.epoch[id] !== epoch) ep.routesCur++;
    t.flags[id] = f | EF.Exists | (force ? EF.Force : 0);
    t.epoch[id] = epoch;
    if (dirty) this.q.enqueueRoute(fc, id, LANE_OF_PROTOCOL[proto]);
  }

  /** A route past the parking bound: kept without a target and answered offload-failed. */
  private refuseRoute(fc: number, t: KeyTable, proto: number): void {
    const c = this.counters;
    if (c.routeRefusedParked++ === 0 || (c.routeRefusedParked & 0xffff) === 0) this.refusedLog = true;
    this.keepWithoutTarget(fc, t, proto);
  }

  /**
   * The probe key's route is kept without a target, so nothing is programmed for it (an older
   * programmed version is withdrawn), and its handle is kept for an offload-failed answer.
   */
  private keepWithoutTarget(fc: number, t: KeyTable, proto: number): void {
    const id = t.insert();
    const f = t.flags[id];
    if ((f & EF.Exists) === 0) {
      this.t.routeCounts[t.kTbl * 3 + fc]++;
      this.t.routeTotal++;
    } else this.g.unuse(t.tgt[id], false);
    const ep = this.ep;
    if ((f & EF.Exists) === 0 || t.epoch[id] !== ep.epoch) ep.routesCur++;
    t.tgt[id] = 0;
    t.proto[id] = proto;
    t.flags[id] = f | EF.Exists;
    t.epoch[id] = ep.epoch;
    this.q.enqueueRoute(fc, id, LANE_OF_PROTOCOL[proto]);
    if (this.refused.length < REFUSED_KEEP) this.refused.push(t.handle(fc, id));
  }

  /**
   * Handles of the routes refused (parking bound) or failed (a row that threw) since the last
   * call, for offload-failed answers; and whether to log either (first and every so many).
   */
  takeRefused(): { handles: number[]; log: boolean; failedLog: boolean } {
    const out = { handles: this.refused, log: this.refusedLog, failedLog: this.failedLog };
    if (out.handles.length > 0) this.refused = [];
    this.refusedLog = false;
    this.failedLog = false;
    return out;
  }

  /** Withdraws route `id` (zebra's DELROUTE, or the sweep). */
  deleteRoute(fc: number, id: number): void {
    const t = this.t.rt[fc];
    this.g.unuse(t.tgt[id], false);
    t.tgt[id] = 0;
    t.flags[id] &= ~(EF.Exists | EF.Force);
    this.t.routeCounts[t.tbl[id] * 3 + fc]--;
    this.t.routeTotal--;
    if (t.epoch[id] === this.ep.epoch) this.ep.routesCur--;
    if (t.prog[id] !== 0) this.q.enqueueRoute(fc, id, LANE_OF_PROTOCOL[t.proto[id]]);
    else if ((t.flags[id] & EF.Dirty) === 0) this.q.release(t, id);
  }

  /**
   * One nexthop message is applied as a whole before anything it stopped referencing is
   * released: a group re-sent with other members and a backup that is a former member must not
   * free that member half way.
   */
  private nexthopRow(b: BatchCols, chunk: Uint8Array, r: number): void {
    this.g.deferring = true;
    try {
      this.applyNexthop(b, chunk, r);
    } finally {
      this.g.endDeferring();
    }
  }

  private applyNexthop(b: BatchCols, chunk: Uint8Array, r: number): void {
    const c = this.counters;
    const attrs = b.attrs[r];
    const id = b.nhId[r];
    if ((attrs & Attr.NhId) === 0 || id === 0) {
      c.nhgBad++;
      return;
    }
    if (b.msgType[r] !== RTM_NEWNEXTHOP) {
      c.nhgDel++;
      this.g.deleteNhgById(id);
      return;
    }
    if ((attrs & Attr.Group) !== 0 && this.nestsGroups(id, b, r)) {
      c.nhgBad++;
      c.nhgNested++;
      return;
    }
    c.nhgNew++;
    const n = this.g.nhgFor(id);
    let changed = !n.present;
    if ((attrs & Attr.Group) !== 0) {
      const gs = b.groupStart[r];
      const gc = b.groupCount[r];
      if (n.kind !== NhgKind.Group || n.members.length !== gc) changed = true;
      else
        for (let i = 0; i < gc; i++)
          if (n.members[i].id !== b.gId[gs + i] || n.weights[i] !== b.gWeight[gs + i]) {
            changed = true;
            break;
          }
      if (changed) {
        const old = n.kind === NhgKind.Group ? n.members : [];
        if (n.kind !== NhgKind.Group) this.g.indexIfindex(n, n.leg.ifindex, false);
        n.kind = NhgKind.Group;
        const members: Nhg[] = [];
        const weights: number[] = [];
        for (let i = 0; i < gc; i++) {
          const mid = b.gId[gs + i];
          if (mid === id) continue; // a group cannot contain itself (the kernel refuses it too)
          const m = this.g.nhgFor(mid);
          members.push(m);
          weights.push(b.gWeight[gs + i] || 1);
          m.parents.push(n);
        }
        n.members = members;
        n.weights = weights;
        this.g.unlinkMembers(n, old);
      }
    } else {
      // A singleton: NHA_GATEWAY (4 or 16 bytes whatever nh_family: zebra sends AF_UNSPEC for some,
      // see fixture mpls-nhg-replay NHG 25), NHA_OIF, NHA_BLACKHOLE, NHA_ENCAP labels.
      const s = this.scratchLeg;
      const gl = b.gwLen[r];
      s.gwFamily = (attrs & Attr.Gateway) !== 0 ? (gl === 4 ? 4 : gl === 16 ? 6 : 0) : 0;
      s.gw.fill(0);
      if (s.gwFamily !== 0) for (let j = 0; j < gl; j++) s.gw[j] = chunk[b.gwOff[r] + j];
      s.ifindex = (attrs & Attr.Oif) !== 0 ? b.oif[r] : 0;
      s.weight = 1;
      s.blackhole = (attrs & Attr.Blackhole) !== 0;
      s.flags = b.flags[r] & 0xff;
      s.labels.length = 0;
      s.encap = 0;
      if ((attrs & Attr.Encap) !== 0 && b.encapType[r] === LWTUNNEL_ENCAP_MPLS) {
        const ls = b.labelStart[r];
        for (let j = 0; j < b.labelCount[r]; j++) s.labels.push((b.label[ls + j] >>> 12) & 0xfffff);
      } else if ((attrs & Attr.Encap) !== 0 && (attrs & Attr.EncapType) !== 0 && b.encapType[r] !== 0) {
        // seg6 / seg6local (SRv6) and other encaps: kept on the leg so the dataplane reports the
        // group's routes failed instead of forwarding them without the encap.
        s.encap = b.encapType[r];
        c.nhgUnsupportedEncap++;
      }
      if (n.kind !== NhgKind.Single || !n.leg.equals(s)) changed = true;
      if (changed) {
        if (n.kind === NhgKind.Group) this.g.unlinkMembers(n);
        else this.g.indexIfindex(n, n.leg.ifindex, false);
        n.kind = NhgKind.Single;
        n.leg.copyFrom(s);
        this.g.indexIfindex(n, n.leg.ifindex, true);
      }
    }
    const fdb = (attrs & Attr.Fdb) !== 0;
    const fam = b.family[r];
    const gt = (attrs & Attr.GroupType) !== 0 ? b.groupType[r] : 0;
    if (n.fdb !== fdb || n.family !== fam || n.groupType !== gt) changed = true;
    n.fdb = fdb;
    n.family = fam;
    n.groupType = gt;
    n.protocol = b.protocol[r];
    const bk = (attrs & Attr.BackupNhg) !== 0 && b.backupNhg[r] !== id ? b.backupNhg[r] : 0;
    if (bk !== n.backupId) {
      this.g.setBackup(n, bk);
      changed = true;
    }
    if (!n.present) this.ep.nhgsPresent++;
    if (!n.present || n.epoch !== this.ep.epoch) this.ep.nhgsCur++;
    n.present = true;
    n.delPending = false;
    n.epoch = this.ep.epoch;
    if (changed) this.g.nhgChanged(n);
  }

  /**
   * Whether group `id` with row r's members would nest groups: a member that is a group, or `id`
   * itself a member of a group. The kernel refuses both (net/ipv4/nexthop.c valid_group_nh:
   * "Nesting groups within groups is not supported"), zebra never sends them, and two
   * groups naming each other would hold each other in use forever (never swept).
   */
  private nestsGroups(id: number, b: BatchCols, r: number): boolean {
    const cur = this.g.byId.get(id);
    if (cur !== undefined && cur.parents.length > 0) return true;
    const gs = b.groupStart[r];
    const gc = b.groupCount[r];
    for (let i = 0; i < gc; i++) {
      const m = this.g.byId.get(b.gId[gs + i]);
      if (m !== undefined && m.present && m.kind === NhgKind.Group) return true;
    }
    return false;
  }

  private neighRow(b: BatchCols, chunk: Uint8Array, r: number): void {
    const c = this.counters;
    if (b.family[r] !== AF_BRIDGE) {
      // ARP/ND entries (EVPN neighbour suppression) are not FIB state for this dataplane.
      c.neighIgnored++;
      return;
    }
    const attrs = b.attrs[r];
    if ((attrs & Attr.LlAddr) === 0 || b.lladdrLen[r] !== 6) {
      c.neighBad++;
      return;
    }
    const m = this.t.macs;
    const o = b.lladdrOff[r];
    const vlan = (attrs & Attr.Vlan) !== 0 ? b.vlan[r] : 0;
    m.k[0] = b.oif[r];
    m.k[1] = ((vlan << 16) | (chunk[o] << 8) | chunk[o + 1]) >>> 0;
    m.k[2] = ((chunk[o + 2] << 24) | (chunk[o + 3] << 16) | (chunk[o + 4] << 8) | chunk[o + 5]) >>> 0;
    m.kLen = 0;
    m.kTbl = 0;
    if (b.msgType[r] !== RTM_NEWNEIGH) {
      c.neighDel++;
      const id = m.find();
      if (id < 0 || (m.flags[id] & EF.Exists) === 0) {
        c.neighDelUnknown++;
        return;
      }
      this.deleteMac(id);
      return;
    }
    let tgt: number;
    let vf: 0 | 4 | 6 = 0;
    if ((attrs & Attr.NhId) !== 0 && b.nhId[r] !== 0) tgt = this.g.refForId(b.nhId[r]) + TGT_REF;
    else if ((attrs & Attr.Dst) !== 0 && (b.dstAttrLen[r] === 4 || b.dstAttrLen[r] === 16)) {
      tgt = TGT_VTEP;
      vf = b.dstAttrLen[r] === 4 ? 4 : 6;
    } else {
      c.neighBad++;
      return;
    }
    c.neighNew++;
    const id = m.insert();
    if (m.cap > this.t.macVni.length) this.t.growMacColumns();
    const f = m.flags[id];
    const vni = (attrs & Attr.Vni) !== 0 ? b.vni[r] : 0;
    let same = (f & EF.Exists) !== 0 && m.tgt[id] === tgt && this.t.macVni[id] === vni && this.t.macVtepFam[id] === vf;
    if (vf !== 0) {
      const d = b.dstOff[r];
      const n = vf === 4 ? 4 : 16;
      for (let j = 0; j < 16; j++) {
        const v = j < n ? chunk[d + j] : 0;
        if (this.t.macVtep[id * 16 + j] !== v) {
          same = false;
          this.t.macVtep[id * 16 + j] = v;
        }
      }
    } else this.t.macVtep.fill(0, id * 16, id * 16 + 16);
    if ((f & EF.Exists) === 0) {
      this.t.macTotal++;
      this.g.use(tgt, true);
    } else if (m.tgt[id] !== tgt) {
      this.g.use(tgt, true);
      this.g.unuse(m.tgt[id], true);
    }
    const force = !same && m.prog[id] !== 0 && m.prog[id] === tgt;
    m.tgt[id] = tgt;
    m.proto[id] = b.protocol[r];
    this.t.macVtepFam[id] = vf;
    this.t.macVni[id] = vni;
    if ((f & EF.Exists) === 0 || m.epoch[id] !== this.ep.epoch) this.ep.macsCur++;
    m.flags[id] = f | EF.Exists | (force ? EF.Force : 0);
    m.epoch[id] = this.ep.epoch;
    if (!same) this.q.enqueueMac(id);
  }

  /** Withdraws MAC `id` (zebra's DELNEIGH, or the sweep). */
  deleteMac(id: number): void {
    const m = this.t.macs;
    this.g.unuse(m.tgt[id], true);
    m.tgt[id] = 0;
    m.flags[id] &= ~(EF.Exists | EF.Force);
    this.t.macTotal--;
    if (m.epoch[id] === this.ep.epoch) this.ep.macsCur--;
    if (m.prog[id] !== 0) this.q.enqueueMac(id);
    else if ((m.flags[id] & EF.Dirty) === 0) m.remove(id);
  }
}

// Read-only queries over the mirror: status counts, parking, lookups by key or handle, iterators
// over routes, nexthop objects and MACs, and the failover state of protected groups.
//
// Contract: nothing here changes the mirror or the change queue. routeHandle() and routeKeyFor()
// with `out` are allocation-free (offload feedback calls them per result); the rest build
// objects and are for status, the CLI and tests.
import { ProtectionInfo } from '../backup-nhg';
import { EF } from './keytable';
import { LANE_OF_PROTOCOL } from './lanes';
import { flatten, Leg, Nhg, NhgKind } from './nhg';
import { AF_INET, AF_INET6, AF_MPLS, Target } from './types';
import {
  FAMILY_NAME,
  FC_FAMILY,
  FC_MAC,
  FC_MPLS,
  FC_V4,
  FC_V6,
  IMPLICIT_BASE,
  MacInfo,
  NhgInfo,
  ParkedStatus,
  PathInfo,
  RouteInfo,
  RouteKey,
  RouteLookup,
  StoreCounts,
  TGT_MISSING,
  TGT_REF,
} from './model';
import { familyOf, Groups } from './groups';
import type { ChangeQueue } from './queue';
import type { Epochs } from './epochs';
import type { Tables } from './tables';

function pathInfo(l: Leg, weight: number): PathInfo {
  return {
    gwFamily: l.gwFamily,
    gw: l.gw.slice(0, l.gwFamily === 4 ? 4 : l.gwFamily === 6 ? 16 : 0),
    ifindex: l.ifindex,
    weight,
    labels: l.labels.slice(),
    blackhole: l.blackhole,
  };
}

export class Queries {
  constructor(
    private readonly t: Tables,
    private readonly g: Groups,
    private readonly q: ChangeQueue,
    private readonly ep: Epochs,
  ) {}

  /** Whether the route `handle` stands for was refused (parking bound, or a failed message): it has no target. */
  routeRefused(handle: number): boolean {
    const fc = handle >>> 30;
    if (fc >= 3) return false;
    const t = this.t.rt[fc];
    const id = t.live(handle);
    return id >= 0 && (t.flags[id] & EF.Exists) !== 0 && t.tgt[id] === 0;
  }

  /** Failover state of group `id`: its backup, whether the primary or the backup set forwards. */
  protection(id: number): ProtectionInfo | undefined {
    const n = this.g.byId.get(id);
    if (n === undefined || !n.present) return undefined;
    const prim = this.legsOf(n);
    const bk = n.backupId !== 0 ? this.g.byId.get(n.backupId) : undefined;
    const back = bk !== undefined && bk.present && bk.resolved ? this.legsOf(bk) : null;
    return this.g.backups.protection(id, prim, back);
  }

  private legsOf(n: Nhg): { ifindex: number; blackhole: boolean; flags: number }[] {
    const out: { ifindex: number; blackhole: boolean; flags: number }[] = [];
    flatten(n, 1, (l) => out.push({ ifindex: l.ifindex, blackhole: l.blackhole, flags: l.flags }));
    return out;
  }

  counts(): StoreCounts {
    const byTable: Record<string, number> = {};
    for (let ix = 0; ix < this.t.tableIds.length; ix++)
      for (let fc = 0; fc < 3; fc++) {
        const n = this.t.routeCounts[ix * 3 + fc];
        if (n !== 0) byTable[`${FAMILY_NAME[fc]}:${this.t.tableIds[ix]}`] = n;
      }
    let nhgs = 0;
    for (const n of this.g.byId.values()) if (n.present) nhgs++;
    return {
      routes: this.t.routeTotal,
      byTable,
      nhgs,
      implicitNhgs: this.g.implicitById.size,
      macs: this.t.macTotal,
      parked: this.parked(),
      epoch: this.ep.epochSeq,
      depth: this.q.depth(),
      failedRoutes: this.q.failedRoutes,
    };
  }

  parked(): ParkedStatus {
    const p: ParkedStatus = {
      routesNhgMissing: 0,
      routesNhgIncomplete: 0,
      macsNhgMissing: 0,
      macsNhgIncomplete: 0,
      groupsMemberMissing: 0,
      backupMissing: 0,
      missingIds: [],
    };
    for (const n of this.g.byId.values()) {
      if (!n.present) {
        if (n.users > 0 || n.parents.length > 0) if (p.missingIds.length < 32) p.missingIds.push(n.id);
        p.routesNhgMissing += n.users - n.macUsers;
        p.macsNhgMissing += n.macUsers;
        continue;
      }
      if (!n.resolved) {
        p.groupsMemberMissing++;
        p.routesNhgIncomplete += n.users - n.macUsers;
        p.macsNhgIncomplete += n.macUsers;
      }
      if (n.backupId !== 0) {
        const b = this.g.byId.get(n.backupId);
        if (b === undefined || !b.present) p.backupMissing++;
      }
    }
    // Routes naming ids never sent are kept compactly (missing.ts), not as placeholder objects.
    p.routesNhgMissing += this.g.missing.totalUsers;
    if (p.missingIds.length < 32) p.missingIds.push(...this.g.missing.someIds(32 - p.missingIds.length));
    p.missingIds.sort((a, b) => a - b);
    return p;
  }

  /**
   * The handle of the route zebra has under this key, or -1 when it has none (withdrawn, or never
   * sent). Allocation-free: offload feedback resolves every result through it.
   */
  routeHandle(family: number, table: number, addr: Uint8Array, len: number): number {
    const fc = family === AF_INET ? FC_V4 : family === AF_INET6 ? FC_V6 : -1;
    if (fc < 0) return -1;
    const ix = this.t.tableIdx.get(table);
    if (ix === undefined) return -1;
    const t = this.t.rt[fc];
    t.probePrefix(addr, 0, len, ix);
    const id = t.find();
    if (id < 0 || (t.flags[id] & EF.Exists) === 0) return -1;
    return t.handle(fc, id);
  }

  /**
   * Whether `handle` still names a route zebra has: its entry not withdrawn, not reused since. No
   * key lookup (offload feedback checks every result and every notification through it).
   */
  routeLive(handle: number): boolean {
    const fc = handle >>> 30;
    if (fc === FC_MAC) return false;
    const t = this.t.rt[fc];
    const id = t.live(handle);
    return id >= 0 && (t.flags[id] & EF.Exists) !== 0;
  }

  /** The route a handle stands for (the daemon's offload feedback), or null when it is gone. */
  routeKeyFor(handle: number, out?: RouteKey): RouteKey | null {
    const fc = handle >>> 30;
    if (fc === FC_MAC) return null;
    const id = this.t.rt[fc].live(handle);
    if (id < 0) return null;
    if (out === undefined) return this.t.routeKeyOf(fc, id);
    // Filled in place (`out.addr` holds 16 bytes): feedback reads one key per notification sent.
    const t = this.t.rt[fc];
    out.family = FC_FAMILY[fc];
    out.table = fc === FC_MPLS ? 0 : this.t.tableIds[t.tbl[id]];
    out.len = t.len[id];
    out.label = fc === FC_MPLS ? t.key[id] : 0;
    out.protocol = t.proto[id];
    this.t.keyBytes(fc, id, out.addr);
    return out;
  }

  private routeInfo(fc: number, id: number): RouteInfo {
    const t = this.t.rt[fc];
    const g = t.tgt[id];
    const protocol = t.proto[id];
    // Parked on an id zebra has not sent, or refused past the parking bound (no target): no slot.
    const missing = g >= TGT_MISSING || g === 0;
    const n = !missing && g >= TGT_REF ? this.g.slots[g - TGT_REF]! : null;
    return {
      family: FC_FAMILY[fc],
      table: fc === FC_MPLS ? 0 : this.t.tableIds[t.tbl[id]],
      addr: this.t.addrOf(fc, id),
      len: t.len[id],
      label: fc === FC_MPLS ? t.key[id] : 0,
      protocol,
      lane: LANE_OF_PROTOCOL[protocol],
      target: missing || n !== null ? Target.Nhg : (g),
      nhgId: missing ? (g === 0 ? 0 : this.g.missing.ids[g - TGT_MISSING]) : n !== null ? n.id : 0,
      parked: missing || (n !== null && !(n.present && n.resolved)),
      programmed: !missing && t.prog[id] === g && (t.flags[id] & (EF.Dirty | EF.Force)) === 0 && t.prog[id] !== 0,
      failed: (t.flags[id] & EF.Failed) !== 0,
      handle: t.handle(fc, id),
    };
  }

  /** Every route zebra currently has (parked ones included), in no particular order. */
  *routes(): IterableIterator<RouteInfo> {
    for (let fc = 0; fc < 3; fc++) {
      const t = this.t.rt[fc];
      for (let id = 0; id < t.hi; id++) if ((t.flags[id] & EF.Exists) !== 0) yield this.routeInfo(fc, id);
    }
  }

  /** One route with its group's resolved legs, or undefined. AF_MPLS: addr is ignored, len = label. */
  lookup(family: number, table: number, addr: Uint8Array | null, len: number): RouteLookup | undefined {
    let fc: number;
    if (family === AF_INET) fc = FC_V4;
    else if (family === AF_INET6) fc = FC_V6;
    else if (family === AF_MPLS) fc = FC_MPLS;
    else return undefined;
    const t = this.t.rt[fc];
    if (fc === FC_MPLS) {
      t.k[0] = len;
      t.kLen = 20;
      const ix = this.t.tableIdx.get(0);
      if (ix === undefined) return undefined;
      t.kTbl = ix;
    } else {
      const ix = this.t.tableIdx.get(table);
      if (ix === undefined || addr === null) return undefined;
      t.probePrefix(addr, 0, len, ix);
    }
    const id = t.find();
    if (id < 0 || (t.flags[id] & EF.Exists) === 0) return undefined;
    const info = this.routeInfo(fc, id) as RouteLookup;
    const primary: PathInfo[] = [];
    const backup: PathInfo[] = [];
    const g = t.tgt[id];
    if (g >= TGT_REF && g < TGT_MISSING && !info.parked) {
      const n = this.g.slots[g - TGT_REF]!;
      flatten(n, 1, (l, w) => primary.push(pathInfo(l, w)));
      const bk = n.backupId !== 0 ? this.g.byId.get(n.backupId) : undefined;
      if (bk !== undefined && bk.present && bk.resolved) flatten(bk, 1, (l, w) => backup.push(pathInfo(l, w)));
    }
    info.primary = primary;
    info.backup = backup;
    return info;
  }

  private nhgInfo(n: Nhg): NhgInfo {
    const primary: PathInfo[] = [];
    const backup: PathInfo[] = [];
    flatten(n, 1, (l, w) => primary.push(pathInfo(l, w)));
    const bk = n.backupId !== 0 ? this.g.byId.get(n.backupId) : undefined;
    if (bk !== undefined && bk.present && bk.resolved) flatten(bk, 1, (l, w) => backup.push(pathInfo(l, w)));
    return {
      id: n.id,
      present: n.present,
      kind: n.kind === NhgKind.Single ? 'single' : n.kind === NhgKind.Group ? 'group' : 'implicit',
      family: familyOf(n),
      fdb: n.fdb,
      members: n.members.map((m, i) => ({ id: m.id, weight: n.weights[i] })),
      primary,
      backup,
      backupId: n.backupId,
      users: n.users,
      resolved: n.present && n.resolved,
      programmed: n.programmed,
      epoch: n.epoch,
    };
  }

  /** A nexthop object by zebra id (or implicit id), present or placeholder. */
  nhgById(id: number): NhgInfo | undefined {
    const n = this.g.byAnyId(id);
    if (n === undefined && id < IMPLICIT_BASE) {
      const slot = this.g.missing.find(id);
      if (slot < 0) return undefined;
      // An id only routes name: a placeholder without content.
      return {
        id, present: false, kind: 'single', family: AF_INET, fdb: false, members: [], primary: [], backup: [], backupId: 0,
        users: this.g.missing.users[slot], resolved: false, programmed: false, epoch: 0,
      };
    }
    return n === undefined ? undefined : this.nhgInfo(n);
  }

  /** Every nexthop object zebra has sent and not deleted (implicit groups with `implicit`). */
  *nhgs(implicit = false): IterableIterator<NhgInfo> {
    for (const n of this.g.byId.values()) if (n.present) yield this.nhgInfo(n);
    if (implicit) for (const n of this.g.implicitById.values()) yield this.nhgInfo(n);
  }

  *macEntries(): IterableIterator<MacInfo> {
    const m = this.t.macs;
    for (let id = 0; id < m.hi; id++) {
      if ((m.flags[id] & EF.Exists) === 0) continue;
      const k1 = m.key[id * 3 + 1];
      const k2 = m.key[id * 3 + 2];
      const g = m.tgt[id];
      const n = g >= TGT_REF && g < TGT_MISSING ? this.g.slots[g - TGT_REF]! : null;
      const vf = this.t.macVtepFam[id] as 0 | 4 | 6;
      yield {
        ifindex: m.key[id * 3],
        vlan: k1 >>> 16,
        mac: Uint8Array.of((k1 >>> 8) & 0xff, k1 & 0xff, k2 >>> 24, (k2 >>> 16) & 0xff, (k2 >>> 8) & 0xff, k2 & 0xff),
        vtepFamily: n !== null ? 0 : vf,
        vtep: n !== null ? new Uint8Array(0) : this.t.macVtep.slice(id * 16, id * 16 + (vf === 4 ? 4 : 16)),
        nhgId: n !== null ? n.id : 0,
        vni: this.t.macVni[id],
        parked: n !== null && !(n.present && n.resolved),
        programmed: m.prog[id] !== 0,
      };
    }
  }

}

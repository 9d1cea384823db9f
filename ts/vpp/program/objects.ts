// PIC objects: nexthop groups as VPP holds them in PIC mode. One host route (/32 or /128) in a private
// table per family, identified by what it forwards to (its content), not by zebra's id: zebra numbers
// its groups as it creates them and renumbers them when it restarts; a new id with the content of a
// stale one (not announced in zebra's current replay) maps onto its object, so a renumbered replay
// points its routes at the object they already use and writes none of them. Live groups never share
// an object: a change of one would have to move its routes off it, a write per route. Routes reach an object through one recursive path (sw_if_index ~0,
// table_id = the private table, RESOLVE_VIA_HOST): changing the object is one call, and VPP's
// back-walk moves every route (vnet/fib/fib_entry.c).
import { encodePaths, NhProto, NO_SW_IF_INDEX, PathFlags, PathType } from '../codec';
import { digestEncoded, PathDigest } from '../pathdigest';
import type { NhgState } from './groups';

/** Default id of the private PIC tables (one IPv4, one IPv6; VPP table ids are per protocol). */
export const DEFAULT_PIC_TABLE = 1_000_000_000;

/**
 * IPv6 PIC host addresses: fd66:6962:7075:7368::<id>/128 (a ULA whose 64-bit prefix spells
 * "fibpush"), the low 32 bits the group id. IPv4 host addresses are the group id itself.
 */
export const PIC6_PREFIX = Uint8Array.of(0xfd, 0x66, 0x69, 0x62, 0x70, 0x75, 0x73, 0x68, 0, 0, 0, 0);

const ZERO16 = new Uint8Array(16);

export interface NhgObject {
  /** The host address's id: IPv4 /32 = the id, IPv6 /128 = PIC6_PREFIX + the id. */
  oid: number;
  key: string;
  hostFam: 4 | 6;
  host: Uint8Array;
  paths: Uint8Array;
  nPaths: number;
  /** The one recursive path routes using this object carry. */
  picPath: Uint8Array;
  /** How many zebra ids map onto it (users.length). */
  refs: number;
  /** The zebra ids mapped onto it: one, except while a renumbered replay shares it (map()). */
  users: number[];
  /** Routes in VPP may go through it: one was written, kept (rewritesAvoided) or adopted through it. rebindAdopted() moves only an unused object. */
  used: boolean;
  /** A route is known to go through it (written, kept, or found unchanged by adoption): swapAdopted() leaves it alone. */
  routed: boolean;
  /** Its host route is in VPP with these paths (sent, adopted; cleared by a failure or a new VPP). */
  programmed: boolean;
  /** Bumped per write: a failed reply of an older write does not clear `programmed`. */
  version: number;
}

export function hostAddress(id: number, fam: 4 | 6): Uint8Array {
  if (fam === 4) return Uint8Array.of(id >>> 24, (id >>> 16) & 255, (id >>> 8) & 255, id & 255);
  const a = new Uint8Array(16);
  a.set(PIC6_PREFIX, 0);
  a[12] = id >>> 24;
  a[13] = (id >>> 16) & 255;
  a[14] = (id >>> 8) & 255;
  a[15] = id & 255;
  return a;
}

/** Writes an object's host route: an add with its paths for group `nhgId` at `nhgVersion`, or a delete (0, 0). */
export type HostRouteWriter = (o: NhgObject, isAdd: boolean, nhgId: number, nhgVersion: number) => void;

export interface ObjectCounters {
  nhgInPlace: number;
  objectsWithdrawn: number;
  objectsNotShared: number;
  adoptedRebound: number;
}

/**
 * Objects by content (NhgObject.key). Equal content may sit on several objects: groups alive at
 * the same time each keep their own (PicObjects.map), and a renumbered replay finds each old one.
 */
class ObjectIndex {
  private readonly m = new Map<string, NhgObject[]>();

  add(o: NhgObject): void {
    const l = this.m.get(o.key);
    if (!l) this.m.set(o.key, [o]);
    else if (!l.includes(o)) l.push(o);
  }

  /** Call before changing o.key. */
  remove(o: NhgObject): void {
    const l = this.m.get(o.key);
    if (!l) return;
    const i = l.indexOf(o);
    if (i >= 0) l.splice(i, 1);
    if (l.length === 0) this.m.delete(o.key);
  }

  has(key: string): boolean {
    return this.m.has(key);
  }

  /** The first object with this content that `ok` accepts. */
  find(key: string, ok: (o: NhgObject) => boolean): NhgObject | undefined {
    const l = this.m.get(key);
    if (l) for (const o of l) if (ok(o)) return o;
    return undefined;
  }
}

/** The objects, by content and by id; the adopted host routes still to be claimed; the withdrawals. */
export class PicObjects {
  private readonly byKey = new ObjectIndex();
  private readonly byId = new Map<number, NhgObject>();
  /** Objects no zebra id maps onto, withdrawn once the source has run dry. */
  readonly orphans = new Set<NhgObject>();
  private readonly freeOids: number[] = [];
  private lastOid = 0;
  /** Adopted host routes not claimed yet: "family:digest" -> object ids, and the ids reserved. */
  private readonly adopted = new Map<string, number[]>();
  private readonly adoptedOids = new Set<number>();
  private adoptedHostOf = new Map<number, { family: 4 | 6; oid: number }>();
  private readonly dg = new PathDigest();
  /** Objects whose host route delete is in flight (for a retry if VPP refuses it). */
  private readonly withdrawing = new Map<number, NhgObject>();

  constructor(
    private readonly picTable4: number,
    private readonly picTable6: number,
    private readonly writer: HostRouteWriter,
    private readonly counters: ObjectCounters,
    /** Whether zebra group `id` exists and was not announced in its current replay (ChangeSource.nhgStale). */
    private readonly stale: ((id: number) => boolean) | null = null,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  get(oid: number): NhgObject | undefined {
    return this.byId.get(oid);
  }

  /**
   * Maps a PIC group onto the object that forwards like it (g.key). Returns true when the
   * group's routes must move to another object (re-sent by the caller); false when they stay
   * (same object, or the object was changed in place). Writes nothing: the caller writes g.obj
   * when it is not programmed (write()), once its own state is consistent should that throw.
   *
   * - Same content as its object: nothing to write (a replayed group), unless VPP lacks it.
   * - New content, and no other zebra id shares the object: the object changes in place, one
   *   ip_route_add_del, and VPP's back-walk moves every route (prefix-independent convergence).
   * - New content, the object shared: this id gets the object of its new content (an adopted
   *   host route with those paths, an orphan, one only stale groups use, or a new one) and only
   *   its routes move.
   */
  map(g: NhgState): boolean {
    const o = g.obj;
    if (o && o.key === g.key) return false;
    if (o && o.refs === 1 && o.hostFam === g.hostFam) {
      this.byKey.remove(o);
      o.key = g.key;
      o.paths = g.paths!;
      o.nPaths = g.nPaths;
      this.byKey.add(o);
      o.programmed = false; // VPP has the old content
      this.counters.nhgInPlace++;
      return false;
    }
    // An adopted host route this group's routes use comes first: equal content may sit on two
    // host routes in VPP (a group changed in place to what another forwards to), each kept.
    const adopted = this.claimAdopted(g);
    // Another live group forwards the same: sharing its object would make every later change of
    // either a write per route (the group must leave it). Shared only with stale groups, which a
    // renumbering zebra replaces (their sweep leaves this group alone on it), and orphans.
    let n = adopted === undefined ? this.byKey.find(g.key, (x) => x.refs === 0 || this.mayJoin(x, g.id)) : undefined;
    if (!n && adopted === undefined && this.byKey.has(g.key)) this.counters.objectsNotShared++;
    if (!n) {
      n = this.create(g, adopted ?? this.allocOid());
      this.byKey.add(n);
      // An adopted host route: VPP's routes already go through it.
      if (adopted !== undefined) n.programmed = n.used = true;
    }
    n.refs++;
    n.users.push(g.id);
    this.orphans.delete(n);
    if (o) this.unref(o, g.id);
    g.obj = n;
    return o !== null;
  }

  /** Whether group `id` may map onto `n`, which other groups use: only when all of them are stale. */
  private mayJoin(n: NhgObject, id: number): boolean {
    if (!this.stale) return true;
    for (const u of n.users) if (u !== id && !this.stale(u)) return false;
    return true;
  }

  /** The group no longer maps onto its object (deleted, or inline now). */
  unmap(g: NhgState): void {
    const o = g.obj;
    g.obj = null;
    if (o) this.unref(o, g.id);
  }

  /**
   * An object no zebra id maps onto is withdrawn once the source has run dry: routes that
   * pointed at it were re-sent before that, and withdrawing it earlier would drop them meanwhile.
   */
  private unref(o: NhgObject, id: number): void {
    const i = o.users.indexOf(id);
    if (i >= 0) o.users.splice(i, 1);
    if (--o.refs === 0) this.orphans.add(o);
  }

  /** Withdraw orphans while `canSend()` (called once the source has run dry). */
  withdrawOrphans(canSend: () => boolean): void {
    for (const o of this.orphans) {
      if (!canSend()) return;
      this.orphans.delete(o);
      if (o.refs > 0) continue;
      this.forget(o);
      this.counters.objectsWithdrawn++;
      if (o.programmed) this.sendDelete(o);
    }
  }

  private forget(o: NhgObject): void {
    this.byKey.remove(o);
    this.byId.delete(o.oid);
    this.freeOids.push(o.oid);
  }

  /** A host route delete again (its earlier one failed); false when a new object took the address meanwhile (its add rewrote it). */
  resendDelete(o: NhgObject): boolean {
    if (this.byId.has(o.oid)) return false;
    this.sendDelete(o);
    return true;
  }

  private sendDelete(o: NhgObject): void {
    this.withdrawing.set(o.oid, o);
    this.writer(o, false, 0, 0);
  }

  /** The delete of host route `oid` succeeded. */
  deleted(oid: number): void {
    this.withdrawing.delete(oid);
  }

  /** VPP refused the delete of `oid` at `objVersion`: the object to delete again, or undefined (superseded). */
  deleteFailed(oid: number, objVersion: number): NhgObject | undefined {
    const o = this.withdrawing.get(oid);
    this.withdrawing.delete(oid);
    if (!o || o.version !== objVersion || this.byId.has(oid)) return undefined;
    return o;
  }

  /** A host route add failed: the object is not in VPP as written (unless a newer write is on its way). */
  writeFailed(oid: number, objVersion: number): void {
    const o = this.byId.get(oid);
    if (o && o.version === objVersion) o.programmed = false;
  }

  /** A new VPP has none of the host routes: objects are written again as their groups come; orphans are forgotten. */
  reset(): void {
    for (const o of this.byId.values()) o.programmed = false;
    for (const o of this.orphans) if (o.refs === 0) this.forget(o);
    this.orphans.clear();
    this.dropAdopted();
  }

  /** Write object `o`'s host route with its paths, for group `g` (its version: a failed reply is retried for it). */
  write(o: NhgObject, g: NhgState): void {
    o.programmed = true;
    o.version++;
    try {
      this.writer(o, true, g.id, g.version);
    } catch (e) {
      o.programmed = false;
      throw e;
    }
  }

  private create(g: NhgState, oid: number): NhgObject {
    const host = hostAddress(oid, g.hostFam);
    const picPath = encodePaths([{
      swIfIndex: NO_SW_IF_INDEX, tableId: g.hostFam === 6 ? this.picTable6 : this.picTable4, weight: 1, preference: 0,
      type: PathType.Normal, flags: PathFlags.ResolveViaHost, proto: g.hostFam === 6 ? NhProto.Ip6 : NhProto.Ip4, nh: host,
    }]);
    const o: NhgObject = { oid, key: g.key, hostFam: g.hostFam, host, paths: g.paths!, nPaths: g.nPaths, picPath, refs: 0, users: [], used: false, routed: false, programmed: false, version: 0 };
    this.byId.set(oid, o);
    return o;
  }

  /** An object id no object and no adopted host route (still to be matched or withdrawn) uses. */
  private allocOid(): number {
    for (;;) {
      const id = this.freeOids.pop() ?? ++this.lastOid;
      if (!this.adoptedOids.has(id)) return id;
    }
  }

  // ---- adoption: host routes a previous fibpush left in the private tables

  /** See VppProgrammer.offerAdoptedHost. */
  offerAdopted(family: 4 | 6, oid: number, digest: PathDigest): void {
    const k = `${family}:${digest.a}:${digest.b}`;
    let l = this.adopted.get(k);
    if (!l) this.adopted.set(k, (l = []));
    l.push(oid);
    this.adoptedOids.add(oid);
    if (oid > this.lastOid) this.lastOid = oid;
  }

  /** Adopted host routes whose paths another one has too (a group's claim by content is then ambiguous). */
  adoptedShared(): { family: 4 | 6; oid: number }[] {
    const out: { family: 4 | 6; oid: number }[] = [];
    for (const [k, l] of this.adopted) {
      if (l.length < 2) continue;
      const family: 4 | 6 = k.startsWith('6:') ? 6 : 4;
      for (const oid of l) out.push({ family, oid });
    }
    return out;
  }

  setAdoptedGroupHosts(m: Map<number, { family: 4 | 6; oid: number }>): void {
    this.adoptedHostOf = m;
  }

  /**
   * An adopted host route with the group's content, if any: the one its routes use when adoption
   * saw them, else any with those paths. Returns its object id, or undefined.
   */
  private claimAdopted(g: NhgState): number | undefined {
    if (this.adopted.size === 0) return undefined;
    const d = digestEncoded(g.paths!, g.nPaths, ZERO16, 0, g.hostFam === 6, this.dg);
    const k = `${g.hostFam}:${d.a}:${d.b}`;
    const l = this.adopted.get(k);
    if (!l) return undefined;
    const used = this.adoptedHostOf.get(g.id);
    let i = used && used.family === g.hostFam ? l.indexOf(used.oid) : -1;
    // No route tells: any adopted host with these paths (groups alive together each had their own).
    if (i < 0) i = l.length - 1;
    const oid = l[i];
    l.splice(i, 1);
    if (l.length === 0) this.adopted.delete(k);
    this.adoptedOids.delete(oid);
    return oid;
  }

  /**
   * Adoption found a route of group `g` that VPP forwards through adopted host route `oid`, which
   * no group claimed (zebra changed the group while fibpush was away, so no content matched).
   * When the group's own object is new and no route uses it yet, the group takes the host route
   * over instead: one write (by the caller: g.obj is not programmed) changes its paths, and the
   * group's routes VPP holds stay as they are. Returns true when it did.
   */
  rebindAdopted(g: NhgState, family: 4 | 6, oid: number): boolean {
    const o = g.obj;
    if (!o || g.inline || o.used || o.refs !== 1 || o.hostFam !== family || !this.adoptedOids.has(oid)) return false;
    const pre = `${family}:`;
    let found = false;
    for (const [k, l] of this.adopted) {
      if (!k.startsWith(pre)) continue;
      const i = l.indexOf(oid);
      if (i < 0) continue;
      l.splice(i, 1);
      if (l.length === 0) this.adopted.delete(k);
      found = true;
      break;
    }
    if (!found) return false;
    this.adoptedOids.delete(oid);
    const n = this.create(g, oid);
    n.used = true; // the routes VPP holds go through it
    this.byKey.add(n);
    n.refs++;
    n.users.push(g.id);
    g.obj = n;
    // The new object was written but nothing routes through it: withdrawn once the source is idle.
    this.unref(o, g.id);
    this.counters.adoptedRebound++;
    return true;
  }

  /**
   * Adoption found a route of group `g` that VPP forwards through adopted host route `oid`, which
   * group `x` claimed, while `g` claimed another with the same paths: with no route to tell
   * them apart when they were claimed (groups come before their routes), two groups with equal
   * content can take each other's. When neither object has a route through it yet, they trade:
   * nothing is written, and both groups' routes stay as VPP holds them. Returns true when they did.
   */
  swapAdopted(g: NhgState, x: NhgState, oid: number): boolean {
    const o = g.obj;
    const h = x.obj;
    if (!o || !h || o === h || h.oid !== oid || g.inline || x.inline || o.key !== h.key || o.hostFam !== h.hostFam) return false;
    if (o.routed || h.routed || o.refs !== 1 || h.refs !== 1) return false;
    g.obj = h;
    x.obj = o;
    h.users[0] = g.id;
    o.users[0] = x.id;
    this.counters.adoptedRebound++;
    return true;
  }

  /** Whether an object holds host route `oid` of `family`. */
  owns(family: 4 | 6, oid: number): boolean {
    const o = this.byId.get(oid);
    return o !== undefined && o.hostFam === family && o.refs > 0;
  }

  /** Adopted host routes no group claimed are forgotten, except `keep` (their addresses stay reserved). */
  dropAdopted(keep: readonly number[] = []): void {
    this.adopted.clear();
    this.adoptedOids.clear();
    for (const oid of keep) if (!this.byId.has(oid)) this.adoptedOids.add(oid);
    this.adoptedHostOf.clear();
  }
}

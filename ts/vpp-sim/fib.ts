// The VPP simulator's FIB model: IP and MPLS tables, API-sourced routes with VPP's path-set semantics, interfaces, and what a prefix forwards to.
//
// Semantics follow VPP 25.10 as docs/vpp-api.md states them and as these sources implement them:
// - vnet/fib/fib_api.c fib_api_path_decode / fib_api_route_add_del: weight 0 counts as 1; an
//   attached path needs an existing sw_if_index (else NO_MATCHING_INTERFACE -54); a recursive
//   path (sw_if_index ~0) needs its next-hop table (else NO_SUCH_FIB -3); add with no paths, or
//   is_multipath with no paths, is NO_PATHS_IN_ROUTE -52; add + is_multipath=0 replaces the path
//   set, add + is_multipath=1 adds paths, del + is_multipath=1 removes paths, del + is_multipath=0
//   deletes the entry (deleting a missing one is 0).
// - vnet/ip/ip_api.c ip_route_add_del_t_handler: the route's table is checked first (-3), then
//   each path in order (first error wins), all before the add/delete.
// - vnet/fib/fib_path_list.c: a path added that equals an existing one (fib_path_cmp: same type,
//   protocol, next hop and interface/table; weight and preference ignored) replaces it; removal
//   matches the same way; paths are kept sorted by preference first (fib_path_cmp_for_sort).
// - vnet/fib/fib_path.c: a DROP path never resolves; an attached path resolves while its
//   interface is up (admin and link); a recursive path resolves through the longest match of its
//   next hop in its table, only through a host prefix with RESOLVE_VIA_HOST, never through a loop.
// - forwarding uses the best (lowest) preference among resolved paths, weighted (fib_entry_src.c
//   collect forwarding); an entry without one drops.
// - every IPv4 table holds VPP's special drop entries (0.0.0.0/0 default-route, 0.0.0.0/32,
//   224.0.0.0/4, 240.0.0.0/4, 255.255.255.255/32), every IPv6 table ::/0 and fe80::/10; an API
//   route on the same prefix takes precedence (API source 0x80 beats default-route 0xfd).
// Prefix keys are masked 32-bit words in typed-array hash tables (one per VPP table), path sets
// are interned and shared, so a million routes cost tens of bytes each beyond their path sets.
import { formatAddress, maskWord, parsePrefix } from './addr';
import {
  DEFAULT_INTERFACES,
  FibCounters,
  FibPath,
  FIB_SOURCE,
  Forwarding,
  Iface,
  IfaceSpec,
  Leg,
  MplsRouteJson,
  NH_PROTO,
  NO_IF,
  PathJson,
  PathSet,
  PATH_FLAG,
  PATH_TYPE,
  RouteJson,
  RV,
  RV_NAME,
} from './fib-types';
import { fixupPaths, K_ANH, K_ATT, K_DEAG, nhIsZero, pathCmp, pathKind, Prepared, prepare } from './paths';
import { PrefixTable } from './prefix-table';

const PATH_TYPE_NAME: Record<number, string> = Object.fromEntries(Object.entries(PATH_TYPE).map(([k, v]) => [v, k.toLowerCase()]));
const PROTO_NAME = ['ip4', 'ip6', 'mpls', 'ethernet', 'bier'];

// Entry flags.
const F_USED = 1;
const F_SPECIAL = 2;
const F_DEFAULT_ROUTE = 4;
const F_STALE = 8;

export interface IpTable {
  readonly af: 0 | 1;
  readonly tableId: number;
  name: string;
  readonly serial: number;
  readonly pt: PrefixTable;
}

export interface MplsEntry {
  set: number;
  eosProto: number;
  stats: number;
}

export interface MplsTable {
  readonly tableId: number;
  name: string;
  readonly serial: number;
  /** key label * 2 + eos. */
  readonly routes: Map<number, MplsEntry>;
}

const SPECIALS4: [string, boolean][] = [
  ['0.0.0.0/0', true],
  ['0.0.0.0/32', false],
  ['224.0.0.0/4', false],
  ['240.0.0.0/4', false],
  ['255.255.255.255/32', false],
];
const SPECIALS6: [string, boolean][] = [
  ['::/0', true],
  ['fe80::/10', false],
];

const MAX_DEPTH = 32;

export type FibLog = (line: string) => void;

export class FibModel {
  readonly ip: [Map<number, IpTable>, Map<number, IpTable>] = [new Map<number, IpTable>(), new Map<number, IpTable>()];
  readonly mpls = new Map<number, MplsTable>();
  readonly ifs = new Map<number, Iface>();
  private sets: (PathSet | undefined)[] = [];
  private setByKey = new Map<string, PathSet>();
  private freeSetIds: number[] = [];
  private serial = 0;
  private mplsStats = 0;
  /** Stats index of the last successful add (the reply's stats_index). */
  lastStats = NO_IF;
  counters: FibCounters = FibModel.zeroCounters();

  constructor(
    interfaces: IfaceSpec[] = DEFAULT_INTERFACES,
    private readonly log: FibLog = () => undefined,
  ) {
    this.addInterface({ swIfIndex: 0, name: 'local0', up: false, devType: 'local' });
    // Interfaces with explicit indexes first, then the linux-cp taps, which take the next free ones.
    const made = interfaces.map((s) => this.addInterface(s, false));
    interfaces.forEach((s, k) => this.pairLcp(made[k], s));
    this.createIpTable(0, 0, '');
    this.createIpTable(1, 0, '');
  }

  static zeroCounters(): FibCounters {
    return {
      routeAdds: 0,
      routeReplaces: 0,
      routeUnchanged: 0,
      routeDeletes: 0,
      routeDeleteMissing: 0,
      pathAdds: 0,
      pathRemoves: 0,
      mplsAdds: 0,
      mplsReplaces: 0,
      mplsDeletes: 0,
      tableAdds: 0,
      tableDeletes: 0,
      errors: {},
    };
  }

  private fail(rv: number): number {
    const n = RV_NAME[rv] ?? String(rv);
    this.counters.errors[n] = (this.counters.errors[n] ?? 0) + 1;
    return rv;
  }

  // ------------------------------------------------------------ interfaces

  addInterface(s: IfaceSpec, pair = true): Iface {
    let sw = s.swIfIndex;
    if (sw === undefined) {
      sw = 0;
      while (this.ifs.has(sw)) sw++;
    }
    if (this.ifs.has(sw)) throw new Error(`vpp-sim: sw_if_index ${sw} defined twice`);
    const up = s.up ?? true;
    const mac = Buffer.alloc(6);
    if (s.mac) Buffer.from(s.mac.split(':').map((x) => parseInt(x, 16))).copy(mac);
    else if (sw !== 0) Buffer.from([0x02, 0xfe, 0, 0, (sw >> 8) & 255, sw & 255]).copy(mac);
    const i: Iface = {
      swIfIndex: sw,
      name: s.name,
      admin: s.admin ?? up,
      link: s.link ?? up,
      mac,
      devType: s.devType ?? (s.name.startsWith('loop') ? 'Loopback' : 'ethernet'),
      sup: sw,
    };
    this.ifs.set(sw, i);
    if (pair) this.pairLcp(i, s);
    return i;
  }

  /** A linux-cp pair: VPP creates a tap (tapN) whose host side is the Linux interface. */
  private pairLcp(i: Iface, s: IfaceSpec): void {
    if (s.hostIfIndex === undefined) return;
    let tap = 1;
    while ([...this.ifs.values()].some((x) => x.name === `tap${tap}`)) tap++;
    const host = this.addInterface({ name: `tap${tap}`, up: true, devType: 'virtio' }, false);
    i.lcp = { hostIfIndex: s.hostIfIndex, hostName: s.hostName ?? `e${i.swIfIndex}`, netns: s.netns ?? '', hostSwIfIndex: host.swIfIndex };
  }

  removeInterface(sw: number): void {
    this.ifs.delete(sw);
  }

  ifUp(sw: number): boolean {
    const i = this.ifs.get(sw);
    return !!i && i.admin && i.link;
  }

  /** Sets admin and/or link state; returns true if either changed. */
  setIfState(sw: number, admin?: boolean, link?: boolean): boolean {
    const i = this.ifs.get(sw);
    if (!i) throw new Error(`vpp-sim: no interface ${sw}`);
    const before = (i.admin ? 1 : 0) | (i.link ? 2 : 0);
    if (admin !== undefined) i.admin = admin;
    if (link !== undefined) i.link = link;
    return before !== ((i.admin ? 1 : 0) | (i.link ? 2 : 0));
  }

  // ------------------------------------------------------------ tables

  private createIpTable(af: 0 | 1, tableId: number, name: string): IpTable {
    const t: IpTable = { af, tableId, name, serial: ++this.serial, pt: new PrefixTable(af) };
    for (const [p, dflt] of af === 0 ? SPECIALS4 : SPECIALS6) {
      const pp = parsePrefix(p);
      const e = t.pt.insert(pp.words[0], pp.words[1], pp.words[2], pp.words[3], pp.len);
      t.pt.flg[e] |= F_SPECIAL | (dflt ? F_DEFAULT_ROUTE : 0);
    }
    this.ip[af].set(tableId, t);
    return t;
  }

  /** ip_table_add_del: table 0 is always there and never deleted; adding twice is fine; deleting flushes its API routes. */
  ipTableAddDel(isAdd: boolean, af: number, tableId: number, name = ''): number {
    if (af !== 0 && af !== 1) return this.fail(RV.INVALID_ADDRESS_FAMILY);
    if (tableId === 0) return RV.OK;
    const have = this.ip[af].get(tableId);
    if (isAdd) {
      if (!have) {
        this.createIpTable(af, tableId, name);
        this.counters.tableAdds++;
      }
      return RV.OK;
    }
    if (have) {
      const pt = have.pt;
      for (let e = 0; e < pt.hi; e++) if (pt.flg[e] & F_USED && pt.set[e] >= 0) this.unref(pt.set[e]);
      this.ip[af].delete(tableId);
      this.counters.tableDeletes++;
    }
    return RV.OK;
  }

  /** mpls_table_add_del: every MPLS table, 0 included, must be created (mpls_api.c mpls_table_create). */
  mplsTableAddDel(isAdd: boolean, tableId: number, name = ''): number {
    const have = this.mpls.get(tableId);
    if (isAdd) {
      if (!have) {
        this.mpls.set(tableId, { tableId, name, serial: ++this.serial, routes: new Map() });
        this.counters.tableAdds++;
      }
      return RV.OK;
    }
    if (have) {
      for (const r of have.routes.values()) this.unref(r.set);
      this.mpls.delete(tableId);
      this.counters.tableDeletes++;
    }
    return RV.OK;
  }

  // ------------------------------------------------------------ path sets

  /** Interns a path list (already sorted) by its key; the caller takes a reference. */
  private internSorted(paths: FibPath[], key: string): PathSet {
    let s = this.setByKey.get(key);
    if (s) return s;
    const id = this.freeSetIds.length > 0 ? (this.freeSetIds.pop() as number) : this.sets.length;
    s = { id, paths, key, refs: 0 };
    this.sets[id] = s;
    this.setByKey.set(key, s);
    return s;
  }

  /** Sorts (a copy of) the paths as VPP's path list does, normalises weights, interns. */
  intern(paths: readonly FibPath[], prep: Prepared | null = null): PathSet {
    const p = prep ?? prepare(paths);
    return this.internSorted(p.sorted, p.key);
  }

  getSet(id: number): PathSet {
    return this.sets[id] as PathSet;
  }

  private ref(id: number): void {
    (this.sets[id] as PathSet).refs++;
  }

  private unref(id: number): void {
    const s = this.sets[id] as PathSet;
    if (--s.refs === 0) {
      this.setByKey.delete(s.key);
      this.sets[id] = undefined;
      this.freeSetIds.push(id);
    }
  }

  get pathSetCount(): number {
    return this.setByKey.size;
  }

  // ------------------------------------------------------------ validation

  /** fib_api_path_decode's checks for one path, in its order; 0 when fine. */
  validatePath(p: FibPath): number {
    if (p.proto > NH_PROTO.BIER) return RV.UNSPECIFIED; // fib_api_path_nh_proto_to_dpo returns -1
    if (p.nLabels > 16) {
      this.log(`path with n_labels ${p.nLabels} refused: label_stack holds 16`);
      return RV.INVALID_VALUE;
    }
    switch (p.type) {
      case PATH_TYPE.DROP:
      case PATH_TYPE.ICMP_UNREACH:
      case PATH_TYPE.ICMP_PROHIBIT:
      case PATH_TYPE.LOCAL:
        return RV.OK;
      case PATH_TYPE.NORMAL:
        break;
      default:
        this.log(`path type ${p.type} is not modelled by the simulator`);
        return RV.UNSUPPORTED;
    }
    if (p.proto === NH_PROTO.IP4 || p.proto === NH_PROTO.IP6) {
      if (p.swIfIndex === NO_IF) return this.ip[p.proto].has(p.tableId) ? RV.OK : RV.NO_SUCH_FIB;
      return this.ifs.has(p.swIfIndex) ? RV.OK : RV.NO_MATCHING_INTERFACE;
    }
    if (p.proto === NH_PROTO.BIER) {
      this.log('BIER paths are not modelled by the simulator');
      return RV.UNSUPPORTED;
    }
    return RV.OK;
  }

  private validateAll(paths: readonly FibPath[]): number {
    for (let i = 0; i < paths.length; i++) {
      const rv = this.validatePath(paths[i]);
      if (rv !== 0) return rv;
    }
    return RV.OK;
  }

  // ------------------------------------------------------------ routes

  /**
   * ip_route_add_del(_v2). `w*` is the prefix address (masked here, as VPP's table lookups mask),
   * `paths` in request order, `prep` their prepared form if the caller has it cached.
   * Returns the retval; on a successful add `lastStats` is the entry's stats index.
   */
  ipRoute(
    af: number,
    tableId: number,
    w0: number,
    w1: number,
    w2: number,
    w3: number,
    len: number,
    isAdd: boolean,
    isMultipath: boolean,
    paths: readonly FibPath[],
    prep: Prepared | null = null,
  ): number {
    this.lastStats = NO_IF;
    if (af !== 0 && af !== 1) return this.fail(RV.INVALID_ADDRESS_FAMILY);
    const t = this.ip[af].get(tableId);
    if (!t) return this.fail(RV.NO_SUCH_FIB);
    if (len > (af === 0 ? 32 : 128)) {
      this.log(`prefix length ${len} out of range for ${af === 0 ? 'IPv4' : 'IPv6'}`);
      return this.fail(RV.INVALID_VALUE);
    }
    const rv = this.validateAll(paths);
    if (rv !== 0) return this.fail(rv);
    if ((isAdd || isMultipath) && paths.length === 0) return this.fail(RV.NO_PATHS_IN_ROUTE);
    const pt = t.pt;
    const m0 = (w0 & maskWord(len, 0)) >>> 0;
    const m1 = af === 0 ? 0 : (w1 & maskWord(len, 1)) >>> 0;
    const m2 = af === 0 ? 0 : (w2 & maskWord(len, 2)) >>> 0;
    const m3 = af === 0 ? 0 : (w3 & maskWord(len, 3)) >>> 0;
    if (isAdd) {
      const fixed = fixupPaths(af, len, m0, m1, m2, m3, paths);
      if (fixed !== paths) {
        paths = fixed;
        prep = null;
      }
    }
    let e = pt.find(m0, m1, m2, m3, len);
    const c = this.counters;
    if (isAdd && !isMultipath) {
      const s = this.intern(paths, prep);
      if (e < 0) e = pt.insert(m0, m1, m2, m3, len);
      pt.flg[e] &= ~F_STALE;
      const old = pt.set[e];
      if (old === s.id) c.routeUnchanged++;
      else {
        this.ref(s.id);
        if (old >= 0) {
          this.unref(old);
          c.routeReplaces++;
        } else {
          pt.routes++;
          c.routeAdds++;
        }
        pt.set[e] = s.id;
      }
      this.lastStats = e;
      return RV.OK;
    }
    if (isAdd) {
      // Path add: an equal path is replaced by the new one (fib_path_list_copy_and_path_add).
      if (e < 0) e = pt.insert(m0, m1, m2, m3, len);
      pt.flg[e] &= ~F_STALE;
      const old = pt.set[e];
      const merged = old >= 0 ? this.mergePaths((this.sets[old] as PathSet).paths, paths) : paths;
      const s = this.intern(merged);
      c.pathAdds += paths.length;
      if (old !== s.id) {
        this.ref(s.id);
        if (old >= 0) this.unref(old);
        else {
          pt.routes++;
          c.routeAdds++;
        }
        pt.set[e] = s.id;
      }
      this.lastStats = e;
      return RV.OK;
    }
    if (e < 0 || pt.set[e] < 0) {
      c.routeDeleteMissing++;
      return RV.OK;
    }
    const old = pt.set[e];
    if (isMultipath) {
      const left = (this.sets[old] as PathSet).paths.filter((p) => !paths.some((q) => pathCmp(p, q) === 0));
      c.pathRemoves += (this.sets[old] as PathSet).paths.length - left.length;
      if (left.length > 0) {
        const s = this.intern(left);
        if (s.id !== old) {
          this.ref(s.id);
          this.unref(old);
          pt.set[e] = s.id;
        }
        return RV.OK;
      }
    }
    this.dropEntry(pt, e);
    return RV.OK;
  }

  private dropEntry(pt: PrefixTable, e: number): void {
    this.unref(pt.set[e]);
    pt.set[e] = -1;
    pt.routes--;
    this.counters.routeDeletes++;
    pt.flg[e] &= ~F_STALE;
    if (!(pt.flg[e] & F_SPECIAL)) pt.remove(e);
  }

  /** ip_table_flush: every API route of the table goes. */
  ipTableFlush(af: number, tableId: number): number {
    const t = af === 0 || af === 1 ? this.ip[af].get(tableId) : undefined;
    if (!t) return this.fail(RV.NO_SUCH_FIB);
    const pt = t.pt;
    for (let e = 0; e < pt.hi; e++) if (pt.flg[e] & F_USED && pt.set[e] >= 0) this.dropEntry(pt, e);
    return RV.OK;
  }

  /** ip_table_replace_begin: mark every API route stale; an add or update before the end refreshes it. */
  ipTableReplaceBegin(af: number, tableId: number): number {
    const t = af === 0 || af === 1 ? this.ip[af].get(tableId) : undefined;
    if (!t) return this.fail(RV.NO_SUCH_FIB);
    const pt = t.pt;
    for (let e = 0; e < pt.hi; e++) if (pt.flg[e] & F_USED && pt.set[e] >= 0) pt.flg[e] |= F_STALE;
    return RV.OK;
  }

  /** ip_table_replace_end: the routes still stale go. */
  ipTableReplaceEnd(af: number, tableId: number): number {
    const t = af === 0 || af === 1 ? this.ip[af].get(tableId) : undefined;
    if (!t) return this.fail(RV.NO_SUCH_FIB);
    const pt = t.pt;
    for (let e = 0; e < pt.hi; e++) if (pt.flg[e] & F_USED && pt.flg[e] & F_STALE && pt.set[e] >= 0) this.dropEntry(pt, e);
    return RV.OK;
  }

  private mergePaths(have: readonly FibPath[], add: readonly FibPath[]): FibPath[] {
    let out = have.slice();
    for (const p of add) {
      out = out.filter((q) => pathCmp(p, q) !== 0);
      out.push(p);
    }
    return out;
  }

  /** mpls_route_add_del: same semantics keyed by (label, eos) in an MPLS table that must exist. */
  mplsRoute(
    tableId: number,
    label: number,
    eos: boolean,
    eosProto: number,
    isMulticast: boolean,
    isAdd: boolean,
    isMultipath: boolean,
    paths: readonly FibPath[],
    prep: Prepared | null = null,
  ): number {
    this.lastStats = NO_IF;
    const t = this.mpls.get(tableId);
    if (!t) return this.fail(RV.NO_SUCH_FIB);
    if (label >= 1 << 20) {
      this.log(`MPLS label ${label} does not fit 20 bits`);
      return this.fail(RV.INVALID_VALUE);
    }
    if (isMulticast) {
      this.log('multicast MPLS routes are not modelled by the simulator');
      return this.fail(RV.UNSUPPORTED);
    }
    const rv = this.validateAll(paths);
    if (rv !== 0) return this.fail(rv);
    if ((isAdd || isMultipath) && paths.length === 0) return this.fail(RV.NO_PATHS_IN_ROUTE);
    const key = label * 2 + (eos ? 1 : 0);
    const have = t.routes.get(key);
    const c = this.counters;
    if (isAdd) {
      const s = isMultipath && have ? this.intern(this.mergePaths((this.sets[have.set] as PathSet).paths, paths)) : this.intern(paths, prep);
      if (isMultipath) c.pathAdds += paths.length;
      if (!have) {
        this.ref(s.id);
        const st = this.mplsStats++;
        t.routes.set(key, { set: s.id, eosProto: eos ? eosProto : NH_PROTO.MPLS, stats: st });
        c.mplsAdds++;
        this.lastStats = st;
      } else {
        if (have.set !== s.id) {
          this.ref(s.id);
          this.unref(have.set);
          have.set = s.id;
          c.mplsReplaces++;
        } else c.routeUnchanged++;
        this.lastStats = have.stats;
      }
      return RV.OK;
    }
    if (!have) {
      c.routeDeleteMissing++;
      return RV.OK;
    }
    if (isMultipath) {
      const cur = (this.sets[have.set] as PathSet).paths;
      const left = cur.filter((p) => !paths.some((q) => pathCmp(p, q) === 0));
      c.pathRemoves += cur.length - left.length;
      if (left.length > 0) {
        const s = this.intern(left);
        if (s.id !== have.set) {
          this.ref(s.id);
          this.unref(have.set);
          have.set = s.id;
        }
        return RV.OK;
      }
    }
    this.unref(have.set);
    t.routes.delete(key);
    c.mplsDeletes++;
    return RV.OK;
  }

  // ------------------------------------------------------------ walking

  /** API routes of a table: cb(entry). Specials without an API route are skipped unless asked for. */
  forEachEntry(af: 0 | 1, tableId: number, withSpecials: boolean, cb: (pt: PrefixTable, e: number) => void): boolean {
    const t = this.ip[af].get(tableId);
    if (!t) return false;
    const pt = t.pt;
    for (let e = 0; e < pt.hi; e++) {
      if (!(pt.flg[e] & F_USED)) continue;
      if (pt.set[e] < 0 && !withSpecials) continue;
      cb(pt, e);
    }
    return true;
  }

  /** The FIB source an entry reports (ip_route_v2_details.src). */
  static entrySource(pt: PrefixTable, e: number): number {
    if (pt.set[e] >= 0) return FIB_SOURCE.API;
    return pt.flg[e] & F_DEFAULT_ROUTE ? FIB_SOURCE.DEFAULT_ROUTE : FIB_SOURCE.SPECIAL;
  }

  get routeCount(): number {
    let n = 0;
    for (const m of this.ip) for (const t of m.values()) n += t.pt.routes;
    for (const t of this.mpls.values()) n += t.routes.size;
    return n;
  }

  // ------------------------------------------------------------ forwarding

  /** What an IP prefix (longest match of its address, no longer than its length) forwards to now. */
  lookupIp(af: 0 | 1, tableId: number, words: ArrayLike<number>, len: number): Forwarding {
    const family = af === 0 ? 'ip4' : 'ip6';
    const t = this.ip[af].get(tableId);
    if (!t) return { family, table: tableId, matched: null, action: 'drop', legs: [] };
    const e = t.pt.lpm(words, len);
    if (e < 0) return { family, table: tableId, matched: null, action: 'drop', legs: [] };
    const legs = t.pt.set[e] >= 0 ? this.resolveSet(t.pt.set[e], [t.serial * 2 ** 26 + e], 0) : null;
    return finish(family, tableId, t.pt.prefixOf(e), legs);
  }

  lookupMpls(tableId: number, label: number, eos: boolean): Forwarding {
    const t = this.mpls.get(tableId);
    const name = `${label}/${eos ? 'eos' : 'neos'}`;
    const r = t?.routes.get(label * 2 + (eos ? 1 : 0));
    if (!t || !r) return { family: 'mpls', table: tableId, matched: null, action: 'drop', legs: [] };
    return finish('mpls', tableId, name, this.resolveSet(r.set, [-(t.serial * 2 ** 22 + label * 2 + (eos ? 1 : 0) + 1)], 0));
  }

  /** Parses "10.0.0.0/24", "2001:db8::1", "mpls:100" or "mpls:100/neos" and looks it up. */
  lookup(tableId: number, what: string): Forwarding {
    const m = /^mpls:(\d+)(?:\/(eos|neos))?$/.exec(what);
    if (m) return this.lookupMpls(tableId, Number(m[1]), m[2] !== 'neos');
    const p = parsePrefix(what);
    return this.lookupIp(p.af, tableId, p.words, p.len);
  }

  private resolveSet(id: number, visiting: number[], depth: number): Leg[] | null {
    const paths = (this.sets[id] as PathSet).paths;
    let i = 0;
    while (i < paths.length) {
      const pref = paths[i].preference;
      let j = i;
      const got: [number, Leg[]][] = [];
      for (; j < paths.length && paths[j].preference === pref; j++) {
        const r = this.resolvePath(paths[j], visiting, depth);
        if (r) got.push([paths[j].weight, r]);
      }
      if (got.length > 0) {
        let total = 0;
        for (const [w] of got) total += w;
        const out: Leg[] = [];
        for (const [w, legs] of got) for (const l of legs) out.push({ ...l, share: (l.share * w) / total });
        return out;
      }
      i = j;
    }
    return null;
  }

  private resolvePath(p: FibPath, visiting: number[], depth: number): Leg[] | null {
    const labels = p.labels.map((l) => l.label);
    switch (p.type) {
      case PATH_TYPE.DROP:
        return null;
      case PATH_TYPE.ICMP_UNREACH:
        return [{ kind: 'unreach', swIfIndex: NO_IF, nh: '', weight: p.weight, share: 1, labels: [] }];
      case PATH_TYPE.ICMP_PROHIBIT:
        return [{ kind: 'prohibit', swIfIndex: NO_IF, nh: '', weight: p.weight, share: 1, labels: [] }];
      case PATH_TYPE.LOCAL:
        return [{ kind: 'local', swIfIndex: p.swIfIndex, nh: '', weight: p.weight, share: 1, labels: [] }];
    }
    const kind = pathKind(p);
    if (kind === K_ANH || kind === K_ATT) {
      if (!this.ifUp(p.swIfIndex)) return null;
      const nh = kind === K_ANH && p.proto <= NH_PROTO.IP6 ? formatAddress(p.proto, p.nh) : '';
      return [{ kind: 'via', swIfIndex: p.swIfIndex, nh, weight: p.weight, share: 1, labels }];
    }
    if (kind === K_DEAG) {
      if (!this.ip[p.proto as 0 | 1]?.has(p.tableId)) return null;
      return [{ kind: 'lookup', swIfIndex: NO_IF, nh: '', weight: p.weight, share: 1, labels, tableId: p.tableId }];
    }
    // Recursive.
    if (depth >= MAX_DEPTH) return null;
    let sub: Leg[] | null;
    if (p.proto === NH_PROTO.MPLS) {
      const t = this.mpls.get(p.tableId);
      const r = t?.routes.get(p.viaLabel * 2);
      if (!t || !r) return null;
      const key = -(t.serial * 2 ** 22 + p.viaLabel * 2 + 1);
      if (visiting.includes(key)) return null;
      visiting.push(key);
      sub = this.resolveSet(r.set, visiting, depth + 1);
      visiting.pop();
    } else {
      const af = p.proto as 0 | 1;
      const t = this.ip[af].get(p.tableId);
      if (!t) return null;
      const host = af === 0 ? 32 : 128;
      const e = t.pt.lpm(p.nh, host);
      if (e < 0 || t.pt.set[e] < 0) return null; // the special drop entries never resolve
      if (p.flags & PATH_FLAG.RESOLVE_VIA_HOST && t.pt.plen[e] !== host) return null;
      const key = t.serial * 2 ** 26 + e;
      if (visiting.includes(key)) return null; // a recursive loop forwards nothing
      visiting.push(key);
      sub = this.resolveSet(t.pt.set[e], visiting, depth + 1);
      visiting.pop();
      if (sub && p.flags & PATH_FLAG.RESOLVE_VIA_ATTACHED && !sub.every((l) => l.kind === 'via' && l.nh === '')) return null;
    }
    if (!sub) return null;
    return sub.map((l) => ({ ...l, labels: [...l.labels, ...labels] }));
  }

  // ------------------------------------------------------------ export

  pathJson(p: FibPath): PathJson {
    const j: PathJson = {
      type: PATH_TYPE_NAME[p.type] ?? String(p.type),
      swIfIndex: p.swIfIndex,
      tableId: p.tableId,
      nh: p.proto <= NH_PROTO.IP6 && !nhIsZero(p) ? formatAddress(p.proto, p.nh) : '',
      proto: PROTO_NAME[p.proto] ?? String(p.proto),
      weight: p.weight,
      preference: p.preference,
      flags: p.flags,
      labels: p.labels.map((l) => l.label),
    };
    if (p.proto === NH_PROTO.MPLS) j.viaLabel = p.viaLabel;
    return j;
  }

  /** Every API route (IP and MPLS), optionally one family or table. */
  exportRoutes(opt: { family?: 'ip4' | 'ip6' | 'mpls'; table?: number; limit?: number } = {}): (RouteJson | MplsRouteJson)[] {
    const out: (RouteJson | MplsRouteJson)[] = [];
    const limit = opt.limit ?? Infinity;
    const setJson = new Map<number, PathJson[]>();
    const pj = (id: number): PathJson[] => {
      let v = setJson.get(id);
      if (!v) {
        v = (this.sets[id] as PathSet).paths.map((p) => this.pathJson(p));
        setJson.set(id, v);
      }
      return v;
    };
    for (const af of [0, 1] as const) {
      const family = af === 0 ? 'ip4' : 'ip6';
      if (opt.family && opt.family !== family) continue;
      for (const t of this.ip[af].values()) {
        if (opt.table !== undefined && t.tableId !== opt.table) continue;
        const pt = t.pt;
        for (let e = 0; e < pt.hi && out.length < limit; e++) {
          if (!(pt.flg[e] & F_USED) || pt.set[e] < 0) continue;
          out.push({ family, table: t.tableId, prefix: pt.prefixOf(e), paths: pj(pt.set[e]) });
        }
      }
    }
    if (!opt.family || opt.family === 'mpls') {
      for (const t of this.mpls.values()) {
        if (opt.table !== undefined && t.tableId !== opt.table) continue;
        for (const [k, r] of t.routes) {
          if (out.length >= limit) break;
          out.push({ family: 'mpls', table: t.tableId, label: Math.floor(k / 2), eos: (k & 1) === 1, eosProto: r.eosProto, paths: pj(r.set) });
        }
      }
    }
    return out;
  }

  tablesJson(): { ip4: { table: number; name: string; routes: number }[]; ip6: { table: number; name: string; routes: number }[]; mpls: { table: number; name: string; routes: number }[] } {
    const ipj = (af: 0 | 1): { table: number; name: string; routes: number }[] =>
      [...this.ip[af].values()].map((t) => ({ table: t.tableId, name: t.name, routes: t.pt.routes }));
    return { ip4: ipj(0), ip6: ipj(1), mpls: [...this.mpls.values()].map((t) => ({ table: t.tableId, name: t.name, routes: t.routes.size })) };
  }
}

function finish(family: Forwarding['family'], table: number, matched: string, legs: Leg[] | null): Forwarding {
  if (!legs || legs.length === 0) return { family, table, matched, action: 'drop', legs: [] };
  let action: Forwarding['action'];
  if (legs.every((l) => l.kind === 'via' || l.kind === 'lookup')) action = 'forward';
  else if (legs.every((l) => l.kind === legs[0].kind)) action = legs[0].kind as Forwarding['action'];
  else action = 'mixed';
  return { family, table, matched, action, legs };
}

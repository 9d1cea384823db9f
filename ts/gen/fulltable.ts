// Deterministic full-Internet-table generator, and its encoding as zebra would replay it over FPM.
//
// Used by the codec, dplane and full-feed benchmarks and by tests. Everything follows from
// (options, seed): same inputs, same table, same bytes.
//
// What it models: a box with a handful of upstreams (ifindex 2..N+1, each a /24 + /64 link with
// two routers on it), seeing a full table over BGP. Routes use a few dozen nexthop objects: one
// singleton per (upstream, router), 2- and 4-way ECMP groups, weighted groups (BGP link-bandwidth,
// like fixtures/frr-8.4/bgp-nhg-converge's 25/75 group), and groups with a backup group
// (NHA_FPM_BACKUP_NHG, docs/fpm-extensions.md section 1). The links' connected routes
// (proto kernel) and a few statics (some blackhole) complete it.
//
// Prefixes are unique per family, drawn per prefix length through a seeded bijection (a Feistel
// permutation), so there is no rejection on duplicates and no hash set: IPv4 from unicast space
// (first octet 1..223, not 10 or 127), IPv6 from 2000::/3. The length mix follows today's tables:
// IPv4 mostly /24 (~60%), then /22, /23, /21, /20, /19, /16...; IPv6 mostly /48, then /32, /44,
// /40, /36, /29... Routes are in (address, length) order per family, IPv4 first: the order of
// zebra's RIB walk (route_next pre-order per table; zrouter.tables ordered by afi).
import * as fs from 'fs';
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  encodeRouteNexthopAttrs,
  FpmEncoder,
  PathSpec,
  RTN_BLACKHOLE,
  RTN_UNICAST,
  RTPROT_BGP,
  RTPROT_KERNEL,
  RTPROT_ZEBRA,
  RTPROT_ZSTATIC,
  RT_TABLE_MAIN,
} from '../codec/encoder';
import { Rng, Weighted } from './rng';

export interface FullTableOptions {
  /** IPv4 routes in total (default 1,000,000). */
  v4?: number;
  /** IPv6 routes in total (default 230,000). */
  v6?: number;
  /** Nexthop objects that BGP routes point at, both families together (default 32). */
  nhgs?: number;
  /** Upstream interfaces (default 4; ifindex 2..N+1, lo is 1). */
  upstreams?: number;
  seed?: number;
  /** Routing table of every route (default 254, main). */
  table?: number;
}

export interface Upstream {
  ifindex: number;
  name: string;
  /** Link prefixes and the two routers' addresses on them. */
  v4Prefix: Uint8Array; // /24
  v6Prefix: Uint8Array; // /64
  v4Gw: [Uint8Array, Uint8Array];
  v6Gw: [Uint8Array, Uint8Array];
}

/** One RTM_NEWNEXTHOP object (fields as in the encoder's NexthopMsg). */
export interface NexthopObject {
  id: number;
  /** AF_INET / AF_INET6 for singletons, AF_UNSPEC for groups. */
  family: number;
  gateway?: Uint8Array;
  oif?: number;
  blackhole?: boolean;
  /** Members (singleton ids) with weights 1..256. */
  group?: { id: number; weight: number }[];
  /** Id of the group holding this object's backup nexthops. */
  backupNhg?: number;
  /** Short description, e.g. "ecmp4", "single b-up1/1", "w25/75", "backup". */
  label: string;
}

/** The routes of one family, struct-of-arrays, sorted by (address, length). */
export interface RouteSet {
  family: number;
  count: number;
  /** Address words per route: 1 (IPv4) or 4 (IPv6). Word = 4 address bytes, the first the most significant. */
  words: number;
  addr: Uint32Array;
  len: Uint8Array;
  /** Index into FullTable.nexthops of the object the route uses; NO_NH for blackhole routes. */
  nh: Uint16Array;
  proto: Uint8Array;
  /** rtm_type: RTN_UNICAST or RTN_BLACKHOLE. */
  rtype: Uint8Array;
}

export const NO_NH = 0xffff;

export interface FullTable {
  seed: number;
  table: number;
  upstreams: Upstream[];
  /** Every nexthop object, in replay order: members and backups before the groups naming them. */
  nexthops: NexthopObject[];
  v4: RouteSet;
  v6: RouteSet;
}

// ---- prefix-length mixes (share of routes per length) ----

const V4_MIX: [number, number][] = [
  [24, 60],
  [22, 11],
  [23, 10],
  [21, 5],
  [20, 4.5],
  [19, 3],
  [18, 1.8],
  [16, 1.5],
  [17, 1],
  [15, 0.4],
  [14, 0.35],
  [13, 0.25],
  [12, 0.12],
  [11, 0.05],
  [10, 0.03],
  [9, 0.01],
  [8, 0.01],
];

const V6_MIX: [number, number][] = [
  [48, 46],
  [32, 12],
  [44, 7],
  [40, 6],
  [36, 4],
  [29, 4],
  [46, 3],
  [47, 2.5],
  [42, 2],
  [45, 1.5],
  [43, 1],
  [38, 1],
  [39, 1],
  [34, 1],
  [33, 1],
  [30, 1],
  [28, 1],
  [41, 0.5],
  [37, 0.5],
  [35, 0.5],
  [31, 0.5],
  [27, 0.3],
  [24, 0.3],
  [26, 0.2],
  [20, 0.2],
];

// ---- a seeded bijection on [0, 2^bits) ----

function roundF(r: number, key: number): number {
  let x = Math.imul(r ^ key, 0x9e3779b1);
  x ^= x >>> 15;
  x = Math.imul(x, 0x85ebca77);
  x ^= x >>> 13;
  return x >>> 0;
}

/** A balanced 4-round Feistel permutation on 2h bits, cycle-walked down to `bits` (h <= 26). */
function permute(k: number, bits: number, keys: Uint32Array): number {
  const h = (bits + 1) >> 1;
  const half = 2 ** h;
  const mask = half - 1;
  const lim = 2 ** bits;
  let x = k;
  do {
    let l = Math.floor(x / half);
    let r = x % half;
    for (let i = 0; i < 4; i++) {
      const t = (l ^ (roundF(r, keys[i]) & mask)) >>> 0;
      l = r;
      r = t % half;
    }
    x = l * half + r;
  } while (x >= lim);
  return x;
}

/** Splits n routes over a length mix, never more than half of a length's address space. */
function lengthCounts(n: number, mix: [number, number][], space: (len: number) => number): Map<number, number> {
  const total = mix.reduce((s, [, w]) => s + w, 0);
  const out = new Map<number, number>();
  let used = 0;
  for (const [len, w] of mix) {
    const c = Math.min(Math.round((n * w) / total), Math.floor(space(len) / 2));
    out.set(len, c);
    used += c;
  }
  // rounding and caps: the remainder goes to the most common length
  const top = mix[0][0];
  out.set(top, (out.get(top) ?? 0) + (n - used));
  if ((out.get(top) ?? 0) > space(top)) throw new RangeError(`cannot fit ${n} unique prefixes`);
  return out;
}

function v4Ok(firstOctet: number): boolean {
  return firstOctet >= 1 && firstOctet <= 223 && firstOctet !== 10 && firstOctet !== 127;
}

/** Unique IPv4 prefixes as sort keys addr * 64 + len, sorted. */
function genV4Keys(n: number, rng: Rng): Float64Array {
  const counts = lengthCounts(n, V4_MIX, (len) => Math.floor(2 ** len * (212 / 256)));
  const keys = new Float64Array(n);
  let o = 0;
  const k4 = new Uint32Array(4);
  for (const [len, c] of counts) {
    for (let i = 0; i < 4; i++) k4[i] = rng.u32();
    const shift = 2 ** (32 - len);
    for (let k = 0, got = 0; got < c; k++) {
      const x = permute(k, len, k4);
      const addr = x * shift;
      if (!v4Ok(Math.floor(addr / 16777216))) continue;
      keys[o++] = addr * 64 + len;
      got++;
    }
  }
  keys.sort();
  return keys;
}

/** Unique IPv6 prefixes in 2000::/3 as sort keys (top 48 bits - 2^45) * 64 + len, sorted. */
function genV6Keys(n: number, rng: Rng): Float64Array {
  const counts = lengthCounts(n, V6_MIX, (len) => 2 ** (len - 3));
  const keys = new Float64Array(n);
  let o = 0;
  const k4 = new Uint32Array(4);
  for (const [len, c] of counts) {
    for (let i = 0; i < 4; i++) k4[i] = rng.u32();
    const shift = 2 ** (48 - len);
    for (let k = 0; k < c; k++) {
      const x = permute(k, len - 3, k4); // the bits after the 001 of 2000::/3
      keys[o++] = x * shift * 64 + len;
    }
  }
  keys.sort();
  return keys;
}

// ---- nexthop objects ----

interface Plan {
  nexthops: NexthopObject[];
  /** Indices (into nexthops) BGP routes use, per family, most used first. */
  bgp4: number[];
  bgp6: number[];
  conn4: number[]; // per upstream
  conn6: number[];
  static4: number; // the singleton statics use
  static6: number;
}

function addrFrom(words: number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const dv = new DataView(out.buffer);
  words.forEach((w, i) => dv.setUint32(4 * i, w >>> 0));
  return out;
}

function makeUpstreams(n: number): Upstream[] {
  const ups: Upstream[] = [];
  for (let i = 0; i < n; i++) {
    const net = i + 1;
    ups.push({
      ifindex: i + 2,
      name: `up${net}`,
      v4Prefix: addrFrom([(10 << 24) | (255 << 16) | (net << 8)]),
      v6Prefix: addrFrom([0xfd000255, net << 16, 0, 0]),
      v4Gw: [addrFrom([(10 << 24) | (255 << 16) | (net << 8) | 2]), addrFrom([(10 << 24) | (255 << 16) | (net << 8) | 3])],
      v6Gw: [addrFrom([0xfd000255, net << 16, 0, 2]), addrFrom([0xfd000255, net << 16, 0, 3])],
    });
  }
  return ups;
}

/** Builds the nexthop objects: singletons first, then plain groups, then objects with backups. */
function planNexthops(ups: Upstream[], nhgs: number): Plan {
  const nexthops: NexthopObject[] = [];
  let nextId = 10; // zebra's ids start low and grow as NHEs are created
  const add = (o: Omit<NexthopObject, 'id'>): number => {
    nexthops.push({ id: nextId++, ...o });
    return nexthops.length - 1;
  };
  const U = ups.length;
  const plan: Plan = { nexthops, bgp4: [], bgp6: [], conn4: [], conn6: [], static4: 0, static6: 0 };
  const fams: [number, number, number[]][] = [
    [AF_INET, Math.max(1, Math.ceil(nhgs * 0.6)), plan.bgp4],
    [AF_INET6, Math.max(1, nhgs - Math.ceil(nhgs * 0.6)), plan.bgp6],
  ];
  for (const [family, want, out] of fams) {
    const v6 = family === AF_INET6;
    // connected: interface-only singletons
    for (const u of ups) (v6 ? plan.conn6 : plan.conn4).push(add({ family, oif: u.ifindex, label: `connected ${u.name}` }));
    // one singleton per (upstream, router)
    const single: number[][] = ups.map((u) =>
      [0, 1].map((r) => add({ family, gateway: (v6 ? u.v6Gw : u.v4Gw)[r], oif: u.ifindex, label: `single ${u.name}/${r + 1}` })),
    );
    if (v6) plan.static6 = single[0][0];
    else plan.static4 = single[0][0];
    const sid = (i: number, r = 0) => nexthops[single[i % U][r]].id;
    // candidates in order of how many routes use them
    const cands: (() => number)[] = [];
    if (U >= 4) cands.push(() => add({ family: AF_UNSPEC, group: [0, 1, 2, 3].map((i) => ({ id: sid(i), weight: 1 })), label: 'ecmp4' }));
    for (let i = 0; i < U; i++) for (let j = i + 1; j < U; j++) cands.push(() => add({ family: AF_UNSPEC, group: [{ id: sid(i), weight: 1 }, { id: sid(j), weight: 1 }], label: `ecmp2 ${i + 1}+${j + 1}` }));
    for (let i = 0; i < U; i++) cands.push(() => single[i][0]);
    const weights: [number, number][] = [[25, 75], [1, 3], [2, 1], [64, 192], [10, 90], [1, 2]];
    for (let w = 0; w < weights.length; w++) {
      const [a, c] = weights[w];
      const i = w % U;
      const j = (w + 1) % U;
      cands.push(() => add({ family: AF_UNSPEC, group: [{ id: sid(i), weight: a }, { id: sid(j), weight: c }], label: `w${a}/${c}` }));
    }
    if (U >= 3) cands.push(() => add({ family: AF_UNSPEC, group: [{ id: sid(0), weight: 1 }, { id: sid(1), weight: 2 }, { id: sid(2), weight: 1 }], label: 'w1/2/1' }));
    for (let i = 0; i < U; i++) cands.push(() => single[i][1]);
    // objects with a backup group (created last: the backups they name exist already)
    const backups: (() => number)[] = [];
    for (let i = 0; i < U; i++) {
      backups.push(() => {
        const b = single[(i + 1) % U][0];
        return add({ family, gateway: nexthops[single[i][0]].gateway, oif: ups[i].ifindex, backupNhg: nexthops[b].id, label: `single ${ups[i].name}/1 backup ${ups[(i + 1) % U].name}` });
      });
      if (U >= 4) {
        backups.push(() => {
          const j = (i + 1) % U;
          const bk = add({ family: AF_UNSPEC, group: [{ id: sid(i + 2), weight: 1 }, { id: sid(i + 3), weight: 1 }], label: `ecmp2 ${((i + 2) % U) + 1}+${((i + 3) % U) + 1} (backup)` });
          return add({ family: AF_UNSPEC, group: [{ id: sid(i), weight: 1 }, { id: sid(j), weight: 1 }], backupNhg: nexthops[bk].id, label: `ecmp2 ${i + 1}+${j + 1} backup` });
        });
      }
    }
    // the most used shapes first, with an object carrying a backup every third slot
    let ci = 0;
    let bi = 0;
    let extra = 0;
    for (let k = 0; k < want; k++) {
      if ((k % 3 === 2 || ci >= cands.length) && bi < backups.length) out.push(backups[bi++]());
      else if (ci < cands.length) out.push(cands[ci++]());
      else {
        // more objects than the shapes above: further weighted pairs
        const x = extra++;
        const i = x % U;
        const j = (i + 1 + (Math.floor(x / U) % Math.max(1, U - 1))) % U;
        const a = 1 + (x % 7);
        out.push(add({ family: AF_UNSPEC, group: [{ id: sid(i), weight: a }, { id: sid(j === i ? i + 1 : j), weight: 8 - a + Math.floor(x / 7) }], label: `w${a}/${8 - a + Math.floor(x / 7)} #${x}` }));
      }
    }
  }
  // the blackhole nexthop zebra creates for blackhole statics (sent although routes do not name it)
  add({ family: AF_INET, blackhole: true, label: 'blackhole' });
  add({ family: AF_INET6, blackhole: true, label: 'blackhole' });
  // replay order: singletons, then groups without backups, then objects with backups
  const order = nexthops
    .map((o, i) => ({ o, i, rank: o.backupNhg !== undefined ? 2 : o.group !== undefined ? 1 : 0 }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i);
  const remap = new Map<number, number>();
  order.forEach((e, k) => remap.set(e.i, k));
  const re = (a: number[]) => a.map((i) => remap.get(i) as number);
  return {
    nexthops: order.map((e) => e.o),
    bgp4: re(plan.bgp4),
    bgp6: re(plan.bgp6),
    conn4: re(plan.conn4),
    conn6: re(plan.conn6),
    static4: remap.get(plan.static4) as number,
    static6: remap.get(plan.static6) as number,
  };
}

// ---- the table ----

function makeRouteSet(family: number, count: number): RouteSet {
  const words = family === AF_INET ? 1 : 4;
  return {
    family,
    count,
    words,
    addr: new Uint32Array(count * words),
    len: new Uint8Array(count),
    nh: new Uint16Array(count),
    proto: new Uint8Array(count),
    rtype: new Uint8Array(count),
  };
}

/** Share of non-connected routes that are statics (half of them blackhole). */
const STATIC_SHARE = 0.0005;

/** Generates the table. 1,000,000 + 230,000 routes take well under two seconds. */
export function generateFullTable(opts: FullTableOptions = {}): FullTable {
  const nV4 = opts.v4 ?? 1_000_000;
  const nV6 = opts.v6 ?? 230_000;
  const seed = opts.seed ?? 1;
  const U = opts.upstreams ?? 4;
  if (!(U >= 1 && U <= 250)) throw new RangeError('upstreams must be 1..250');
  const table = opts.table ?? RT_TABLE_MAIN;
  const rng = new Rng(seed);
  const ups = makeUpstreams(U);
  const plan = planNexthops(ups, opts.nhgs ?? 32);
  const v4 = fill(AF_INET, nV4, ups, plan, rng);
  const v6 = fill(AF_INET6, nV6, ups, plan, rng);
  return { seed, table, upstreams: ups, nexthops: plan.nexthops, v4, v6 };
}

function fill(family: number, n: number, ups: Upstream[], plan: Plan, rng: Rng): RouteSet {
  const v6 = family === AF_INET6;
  const set = makeRouteSet(family, n);
  const nConn = Math.min(n, ups.length);
  const nGen = n - nConn;
  const keys = v6 ? genV6Keys(nGen, rng) : genV4Keys(nGen, rng);
  const bgp = v6 ? plan.bgp6 : plan.bgp4;
  // Zipf-like use: the first objects carry most routes
  const pickBgp = new Weighted(bgp.map((_, r) => 1 / Math.pow(r + 1, 0.8)));
  const staticNh = v6 ? plan.static6 : plan.static4;
  // connected routes sort before every generated prefix (10.255/16 and fd00::/8 are outside the
  // generated space but not always below it), so merge them into place
  const conn: { key: number; i: number }[] = [];
  for (let i = 0; i < nConn; i++) {
    const p = v6 ? ups[i].v6Prefix : ups[i].v4Prefix;
    conn.push({ key: v6 ? -1 : new DataView(p.buffer).getUint32(0) * 64 + 24, i });
  }
  let o = 0;
  let g = 0;
  let c = 0;
  const w = set.words;
  const putConn = (i: number) => {
    const u = ups[i];
    const p = v6 ? u.v6Prefix : u.v4Prefix;
    const dv = new DataView(p.buffer);
    for (let k = 0; k < w; k++) set.addr[o * w + k] = dv.getUint32(4 * k);
    set.len[o] = v6 ? 64 : 24;
    set.nh[o] = (v6 ? plan.conn6 : plan.conn4)[i];
    set.proto[o] = RTPROT_KERNEL;
    set.rtype[o] = RTN_UNICAST;
    o++;
  };
  if (v6) {
    // fd00::/8 sorts after 2000::/3: all generated prefixes first
    c = nConn; // placed at the end below
  }
  while (g < nGen || (!v6 && c < nConn)) {
    if (!v6 && c < nConn && (g >= nGen || conn[c].key <= keys[g])) {
      putConn(conn[c++].i);
      continue;
    }
    const key = keys[g++];
    const len = key % 64;
    const a = (key - len) / 64;
    if (v6) {
      const v48 = a + 2 ** 45;
      set.addr[o * 4] = Math.floor(v48 / 65536) >>> 0;
      set.addr[o * 4 + 1] = ((v48 % 65536) * 65536) >>> 0;
      set.addr[o * 4 + 2] = 0;
      set.addr[o * 4 + 3] = 0;
    } else {
      set.addr[o] = a >>> 0;
    }
    set.len[o] = len;
    if (rng.next() < STATIC_SHARE) {
      set.proto[o] = RTPROT_ZSTATIC;
      if (rng.bool()) {
        set.rtype[o] = RTN_BLACKHOLE;
        set.nh[o] = NO_NH;
      } else {
        set.rtype[o] = RTN_UNICAST;
        set.nh[o] = staticNh;
      }
    } else {
      set.proto[o] = RTPROT_BGP;
      set.rtype[o] = RTN_UNICAST;
      set.nh[o] = bgp[pickBgp.draw(rng)];
    }
    o++;
  }
  if (v6) for (let i = 0; i < nConn; i++) putConn(i);
  return set;
}

// ---- encoding ----

export interface EncodeTableOptions {
  /** true: nexthop objects then routes with RTA_NH_ID (zebra's default); false: inline nexthops. */
  nhgMode: boolean;
  /** nlmsg_pid zebra would put (default 3939821017, the pid in the static-* captures). */
  pid?: number;
  /** End with the NLMSG_DONE end-of-replay frame (fpm-extensions.md section 2). Default false. */
  endMarker?: boolean;
  /** Skip the nexthop objects (NHG mode only): for tests that feed them separately. */
  routesOnly?: boolean;
  /** The order nexthop objects are sent in (indices into `nexthops`); default their array order. */
  nexthopOrder?: readonly number[];
}

/**
 * The same table as a restarted zebra would send it: every nexthop object under a new id (zebra
 * numbers them as it creates them, in whatever order routes arrive), members and backup groups
 * renamed alike, and a seeded order to send them in. Routes keep their nexthop objects (indices).
 */
export function renumbered(t: FullTable, seed: number): { table: FullTable; order: number[] } {
  const rng = new Rng(seed >>> 0);
  const n = t.nexthops.length;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  // New ids in the new sending order, above every old one (zebra restarts counting, and ids
  // differ from before whatever the base).
  const base = Math.max(0, ...t.nexthops.map((o) => o.id)) + 1000;
  const idOf = new Map<number, number>();
  order.forEach((k, pos) => idOf.set(t.nexthops[k].id, base + pos));
  const nexthops = t.nexthops.map((o) => ({
    ...o,
    id: idOf.get(o.id)!,
    group: o.group?.map((m) => ({ id: idOf.get(m.id)!, weight: m.weight })),
    backupNhg: o.backupNhg === undefined ? undefined : idOf.get(o.backupNhg),
  }));
  return { table: { ...t, nexthops }, order };
}

/** The PathSpec list of a nexthop object, for inline mode (groups expand to their members). */
export function inlinePaths(t: FullTable, nhIndex: number): PathSpec[] {
  const o = t.nexthops[nhIndex];
  const byId = new Map(t.nexthops.map((x) => [x.id, x]));
  if (o.group === undefined) return [{ gateway: o.gateway, oif: o.oif }];
  return o.group.map((m) => {
    const s = byId.get(m.id) as NexthopObject;
    return { gateway: s.gateway, oif: s.oif, weight: m.weight };
  });
}

/** Bytes of the whole table as zebra replays it: one FPM frame per message. */
export function encodeTable(t: FullTable, opts: EncodeTableOptions): Buffer {
  const perRoute = opts.nhgMode ? 60 : 100;
  const e = new FpmEncoder({ pid: opts.pid ?? 3939821017, initialSize: (t.v4.count + t.v6.count) * perRoute + t.nexthops.length * 128 + 1024 });
  if (opts.nhgMode && !opts.routesOnly) {
    for (const k of opts.nexthopOrder ?? t.nexthops.keys()) {
      const o = t.nexthops[k];
      e.nexthop({ id: o.id, family: o.family, protocol: RTPROT_ZEBRA, gateway: o.gateway, oif: o.oif, blackhole: o.blackhole, group: o.group, backupNhg: o.backupNhg });
    }
  }
  const tails = new Array<Buffer | undefined>(t.nexthops.length);
  for (const set of [t.v4, t.v6]) {
    const { family, count, words, addr, len, nh, proto, rtype } = set;
    for (let i = 0; i < count; i++) {
      const k = nh[i];
      if (k === NO_NH) {
        // blackhole/unreachable routes carry no nexthop id: rtm_type says it (fixtures README)
        e.routeRawWords(family, addr, i * words, len[i], proto[i], t.table, rtype[i], null);
      } else if (opts.nhgMode) {
        e.routeNhgWords(family, addr, i * words, len[i], t.nexthops[k].id, proto[i], t.table);
      } else {
        let tail = tails[k];
        if (tail === undefined) tail = tails[k] = encodeRouteNexthopAttrs(family, inlinePaths(t, k));
        e.routeRawWords(family, addr, i * words, len[i], proto[i], t.table, rtype[i], tail);
      }
    }
  }
  if (opts.endMarker) e.done();
  return e.toBuffer();
}

// ---- command line: node dist/ts/gen/fulltable.js --out FILE [--v4 N] [--v6 N] [--nhgs N] [--seed S] [--inline] [--end-marker] ----

function cli(argv: string[]): number {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string, def: number): number => {
    const v = get(name);
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Expected a non-negative integer for --${name} but received "${v}"`);
    return n;
  };
  const out = get('out');
  if (argv.includes('--help') || !out) {
    process.stdout.write(
      'Usage: node dist/ts/gen/fulltable.js --out FILE [--v4 N] [--v6 N] [--nhgs N] [--upstreams N] [--seed S] [--inline] [--end-marker]\n' +
        'Writes a generated full table as zebra replays it over FPM (NHG mode unless --inline).\n',
    );
    return out ? 0 : 1;
  }
  const t0 = process.hrtime.bigint();
  const t = generateFullTable({ v4: num('v4', 1_000_000), v6: num('v6', 230_000), nhgs: num('nhgs', 32), upstreams: num('upstreams', 4), seed: num('seed', 1) });
  const buf = encodeTable(t, { nhgMode: !argv.includes('--inline'), endMarker: argv.includes('--end-marker') });
  fs.writeFileSync(out, buf);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stderr.write(`${t.v4.count} IPv4 + ${t.v6.count} IPv6 routes, ${t.nexthops.length} nexthop objects, ${buf.length} bytes -> ${out} (${ms.toFixed(0)} ms)\n`);
  return 0;
}

if (require.main === module) process.exitCode = cli(process.argv.slice(2));

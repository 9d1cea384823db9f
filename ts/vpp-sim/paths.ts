// Paths as VPP's path lists treat them (vnet/fib/fib_path.c, fib_path_list.c): identity
// (fib_path_cmp), sort order (fib_path_cmp_for_sort), the route-path fixup of an add, the
// interning key of a path list, and paths built from a friendly spec for tests and the control socket.
import { FibPath, MplsLabel, NH_PROTO, NO_IF, PATH_TYPE } from './fib-types';
import { parseAddress } from './addr';

// Path kinds in fib_path.h's fib_path_type_t order (used for sorting and identity).
export const K_ANH = 0; // attached next hop
export const K_ATT = 1; // attached
const K_REC = 2; // recursive
const K_SPECIAL = 3; // drop / ICMP
export const K_DEAG = 5; // lookup in a table
const K_RECEIVE = 7; // local

/**
 * vnet/fib/fib_table.c fib_table_route_path_fixup, applied to every path of an add: a recursive
 * path via the route's own address becomes a drop ("prefix recurses via itself"), and an attached
 * path (an interface, no next hop) on a host prefix (/32, /128) becomes an attached next hop via
 * the prefix's own address: VPP forwards it to a neighbour adjacency for that address (ARP/ND for
 * it), not to a glean. So a route recursive via such a host route ARPs for the host route's
 * address, whatever the packet's destination. Returns `paths` itself when nothing changes.
 */
export function fixupPaths(af: number, len: number, w0: number, w1: number, w2: number, w3: number, paths: readonly FibPath[]): readonly FibPath[] {
  const host = len === (af === 0 ? 32 : 128);
  let out: FibPath[] | null = null;
  for (let i = 0; i < paths.length; i++) {
    const p = paths[i];
    if (p.type !== PATH_TYPE.NORMAL || (p.proto !== NH_PROTO.IP4 && p.proto !== NH_PROTO.IP6) || p.proto !== af) continue;
    const self = p.nh[0] === w0 && (af === 0 || (p.nh[1] === w1 && p.nh[2] === w2 && p.nh[3] === w3));
    let q: FibPath | null = null;
    if (p.swIfIndex === NO_IF && self && !nhIsZero(p)) q = { ...p, type: PATH_TYPE.DROP };
    else if (host && p.swIfIndex !== NO_IF && nhIsZero(p)) q = { ...p, nh: Uint32Array.of(w0, w1, w2, w3) };
    if (!q) continue;
    out ??= paths.slice();
    out[i] = q;
  }
  return out ?? paths;
}

export function nhIsZero(p: FibPath): boolean {
  return p.nh[0] === 0 && p.nh[1] === 0 && p.nh[2] === 0 && p.nh[3] === 0;
}

export function pathKind(p: FibPath): number {
  if (p.type === PATH_TYPE.DROP || p.type === PATH_TYPE.ICMP_UNREACH || p.type === PATH_TYPE.ICMP_PROHIBIT) return K_SPECIAL;
  if (p.type === PATH_TYPE.LOCAL) return K_RECEIVE;
  if (p.proto === NH_PROTO.MPLS) return K_REC;
  if (p.proto === NH_PROTO.ETHERNET) return K_ATT;
  if (p.swIfIndex === NO_IF) return nhIsZero(p) ? K_DEAG : K_REC;
  return nhIsZero(p) ? K_ATT : K_ANH;
}

/** fib_path_cmp_i: 0 when the two are the same path (weight and preference ignored). */
export function pathCmp(a: FibPath, b: FibPath): number {
  const ka = pathKind(a);
  const kb = pathKind(b);
  if (ka !== kb) return ka - kb;
  if (a.proto !== b.proto) return a.proto - b.proto;
  switch (ka) {
    case K_ANH: {
      const c = nhCmp(a, b);
      return c !== 0 ? c : cmpU32(a.swIfIndex, b.swIfIndex);
    }
    case K_ATT:
      return cmpU32(a.swIfIndex, b.swIfIndex);
    case K_REC: {
      const c = a.proto === NH_PROTO.MPLS ? cmpU32(a.viaLabel, b.viaLabel) : nhCmp(a, b);
      return c !== 0 ? c : cmpU32(a.tableId, b.tableId);
    }
    case K_DEAG:
      return cmpU32(a.tableId, b.tableId);
    default:
      return 0;
  }
}

function cmpU32(a: number, b: number): number {
  return a === b ? 0 : a < b ? -1 : 1;
}
function nhCmp(a: FibPath, b: FibPath): number {
  for (let i = 0; i < 4; i++) if (a.nh[i] !== b.nh[i]) return a.nh[i] < b.nh[i] ? -1 : 1;
  return 0;
}

/** fib_path_cmp_for_sort: preference first, then path identity. */
function pathSortCmp(a: FibPath, b: FibPath): number {
  if (a.preference !== b.preference) return a.preference - b.preference;
  return pathCmp(a, b);
}

function pathFullKey(p: FibPath): string {
  let s = `${p.type},${p.proto},${p.swIfIndex},${p.tableId},${p.nh[0]},${p.nh[1]},${p.nh[2]},${p.nh[3]},${p.viaLabel},${p.weight},${p.preference},${p.flags}`;
  for (const l of p.labels) s += `;${l.label}/${l.ttl}/${l.exp}/${l.uniform ? 1 : 0}`;
  return s;
}

/** A path list sorted and normalised the way the model stores it, with its interning key. */
export interface Prepared {
  readonly sorted: FibPath[];
  readonly key: string;
}

/** Sorts (a copy of) the paths as VPP's path list does and normalises weight 0 to 1. */
export function prepare(paths: readonly FibPath[]): Prepared {
  const sorted = paths.map((p) => (p.weight === 0 ? { ...p, weight: 1 } : p)).sort(pathSortCmp);
  return { sorted, key: pathsKey(sorted) };
}

/** A canonical text of a path list (the interning key). */
export function pathsKey(paths: readonly FibPath[]): string {
  let s = '';
  for (let i = 0; i < paths.length; i++) s += (i ? '|' : '') + pathFullKey(paths[i]);
  return s;
}

export interface PathSpec {
  /** Next hop address; '' or omitted for attached / special paths. */
  nh?: string;
  /** Interface; omitted with a next hop means recursive (~0). */
  sw?: number;
  table?: number;
  weight?: number;
  preference?: number;
  type?: 'normal' | 'local' | 'drop' | 'unreach' | 'prohibit' | number;
  flags?: number;
  /** Defaults from the next hop's family, else from `family`. */
  proto?: number;
  family?: 'ip4' | 'ip6';
  viaLabel?: number;
  labels?: (number | Partial<MplsLabel>)[];
}

const TYPE_BY_NAME: Record<string, number> = { normal: 0, local: 1, drop: 2, unreach: 5, prohibit: 6 };

/** A FibPath from a friendly spec, with the wire's defaults (weight as given: 0 is normalised by the model). */
export function mkPath(s: PathSpec): FibPath {
  const nh = new Uint32Array(4);
  let proto = s.proto ?? (s.family === 'ip6' ? NH_PROTO.IP6 : NH_PROTO.IP4);
  if (s.nh) {
    const a = parseAddress(s.nh);
    nh.set(a.words);
    if (s.proto === undefined) proto = a.af;
  }
  const type = typeof s.type === 'number' ? s.type : TYPE_BY_NAME[s.type ?? 'normal'];
  const labels = (s.labels ?? []).map((l) =>
    typeof l === 'number' ? { label: l, ttl: 0, exp: 0, uniform: false } : { label: l.label ?? 0, ttl: l.ttl ?? 0, exp: l.exp ?? 0, uniform: !!l.uniform },
  );
  return {
    swIfIndex: s.sw ?? NO_IF,
    tableId: s.table ?? 0,
    weight: s.weight ?? 1,
    preference: s.preference ?? 0,
    type,
    flags: s.flags ?? 0,
    proto,
    nh,
    viaLabel: s.viaLabel ?? 0,
    nLabels: labels.length,
    labels,
  };
}

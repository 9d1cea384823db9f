// The VPP simulator's FIB vocabulary: retvals, path types and flags as VPP's API numbers them, the
// shapes of paths, interfaces, forwarding answers and dumped routes, shared by the model, the
// server and VppSimulator; the default interfaces, and an order-independent digest of a route list.

/** retvals (vnet/error.h). */
export const RV = {
  OK: 0,
  UNSPECIFIED: -1,
  INVALID_SW_IF_INDEX: -2,
  NO_SUCH_FIB: -3,
  NO_SUCH_ENTRY: -6,
  INVALID_VALUE: -7,
  INVALID_REGISTRATION: -31,
  NO_PATHS_IN_ROUTE: -52,
  NO_MATCHING_INTERFACE: -54,
  TUNNEL_EXIST: -75,
  SAME_SRC_DST: -82,
  INVALID_ADDRESS_FAMILY: -97,
  BD_ALREADY_EXISTS: -119,
  BD_IN_USE: -120,
  BD_NOT_MODIFIABLE: -121,
  BD_ID_EXCEED_MAX: -122,
  UNSUPPORTED: -126,
} as const;

export const RV_NAME: Record<number, string> = Object.fromEntries(Object.entries(RV).map(([k, v]) => [v, k]));

export const PATH_TYPE = {
  NORMAL: 0,
  LOCAL: 1,
  DROP: 2,
  UDP_ENCAP: 3,
  BIER_IMP: 4,
  ICMP_UNREACH: 5,
  ICMP_PROHIBIT: 6,
  SOURCE_LOOKUP: 7,
  DVR: 8,
  INTERFACE_RX: 9,
  CLASSIFY: 10,
} as const;
export const PATH_FLAG = { RESOLVE_VIA_ATTACHED: 1, RESOLVE_VIA_HOST: 2, POP_PW_CW: 4 } as const;
export const NH_PROTO = { IP4: 0, IP6: 1, MPLS: 2, ETHERNET: 3, BIER: 4 } as const;
/** ~0: "no interface"; a recursive path's sw_if_index (vpp-api.md). */
export const NO_IF = 0xffffffff;
/** FIB sources as ip_route_v2_details reports them (vnet/fib/fib_source.h enum order). */
export const FIB_SOURCE = { SPECIAL: 1, API: 8, DEFAULT_ROUTE: 20 } as const;

export interface MplsLabel {
  label: number;
  ttl: number;
  exp: number;
  uniform: boolean;
}

export interface FibPath {
  swIfIndex: number;
  tableId: number;
  /** Normalised: 0 on the wire counts as 1 (fib_api.c). */
  weight: number;
  preference: number;
  type: number;
  flags: number;
  proto: number;
  /** Next hop as 4 big-endian words; only the bytes of `proto` are read (IPv4: word 0). */
  nh: Uint32Array;
  viaLabel: number;
  /** n_labels as sent (may exceed 16, which is refused). */
  nLabels: number;
  labels: MplsLabel[];
}

export interface PathSet {
  readonly id: number;
  /** Sorted as VPP keeps a path list: preference, then path type, protocol, next hop, interface. */
  readonly paths: readonly FibPath[];
  readonly key: string;
  refs: number;
  /** The paths encoded as fib_path[] for dumps (filled by the server on first use). */
  enc?: Buffer;
}

export interface Leg {
  /** via: out an interface (nh '' = attached); local: receive; unreach/prohibit: ICMP; lookup: in another table. */
  kind: 'via' | 'local' | 'unreach' | 'prohibit' | 'lookup';
  swIfIndex: number;
  nh: string;
  /** The leaf path's weight. */
  weight: number;
  /** Fraction of the traffic this leg gets (weights and recursion combined). */
  share: number;
  /** Labels imposed, outermost first. */
  labels: number[];
  tableId?: number;
}

export interface Forwarding {
  family: 'ip4' | 'ip6' | 'mpls';
  table: number;
  /** The entry that matched ("10.0.0.0/24", "100/eos"), or null when none did. */
  matched: string | null;
  /** forward: every leg goes out (or into a lookup); drop: nothing usable; else the one special kind all legs share. */
  action: 'forward' | 'drop' | 'unreach' | 'prohibit' | 'local' | 'mixed';
  legs: Leg[];
}

export interface IfaceSpec {
  swIfIndex?: number;
  name: string;
  /** Admin and link up (default true). */
  up?: boolean;
  admin?: boolean;
  link?: boolean;
  mac?: string;
  devType?: string;
  /** linux-cp pair: the host (Linux) interface index and name. A tap interface is created for it. */
  hostIfIndex?: number;
  hostName?: string;
  netns?: string;
}

export interface Iface {
  swIfIndex: number;
  name: string;
  admin: boolean;
  link: boolean;
  mac: Buffer;
  devType: string;
  /** sup_sw_if_index (itself for a hardware interface). */
  sup: number;
  lcp?: { hostIfIndex: number; hostName: string; netns: string; hostSwIfIndex: number };
  /** vxlan tunnels: deletable by the API. */
  vxlan?: boolean;
}

export interface RouteJson {
  family: 'ip4' | 'ip6';
  table: number;
  prefix: string;
  paths: PathJson[];
}
export interface MplsRouteJson {
  family: 'mpls';
  table: number;
  label: number;
  eos: boolean;
  eosProto: number;
  paths: PathJson[];
}
export interface PathJson {
  type: string;
  swIfIndex: number;
  tableId: number;
  nh: string;
  proto: string;
  weight: number;
  preference: number;
  flags: number;
  viaLabel?: number;
  labels: number[];
}

export interface FibCounters {
  routeAdds: number;
  routeReplaces: number;
  routeUnchanged: number;
  routeDeletes: number;
  routeDeleteMissing: number;
  pathAdds: number;
  pathRemoves: number;
  mplsAdds: number;
  mplsReplaces: number;
  mplsDeletes: number;
  tableAdds: number;
  tableDeletes: number;
  /** Failed route/table requests by retval name. */
  errors: Record<string, number>;
}

/** The interfaces a simulator has unless told otherwise (local0 is always added as sw_if_index 0). */
export const DEFAULT_INTERFACES: IfaceSpec[] = [
  { swIfIndex: 1, name: 'GigabitEthernet0/8/0', hostIfIndex: 2, hostName: 'e0' },
  { swIfIndex: 2, name: 'GigabitEthernet0/9/0', hostIfIndex: 3, hostName: 'e1' },
  { swIfIndex: 3, name: 'loop0', devType: 'Loopback' },
  { swIfIndex: 4, name: 'loop1', devType: 'Loopback' },
];

/** Order-independent digest of a route list (count + two 32-bit sums of per-route FNV-1a hashes). */
export function routesDigest(routes: readonly (RouteJson | MplsRouteJson)[]): string {
  let a = 0;
  let b = 0;
  for (const r of routes) {
    const head = r.family === 'mpls' ? `mpls|${r.table}|${r.label}|${r.eos ? 1 : 0}|${r.eosProto}` : `${r.family}|${r.table}|${r.prefix}`;
    const paths = r.paths
      .map((p) => `${p.type},${p.swIfIndex},${p.tableId},${p.nh},${p.proto},${p.weight},${p.preference},${p.flags},${p.viaLabel ?? ''},${p.labels.join('.')}`)
      .sort()
      .join('|');
    const s = `${head}#${paths}`;
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
    }
    a = (a + (h1 >>> 0)) >>> 0;
    b = (b + (h2 >>> 0)) >>> 0;
  }
  return `${routes.length}:${a.toString(16).padStart(8, '0')}${b.toString(16).padStart(8, '0')}`;
}

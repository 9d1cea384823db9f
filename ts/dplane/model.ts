// The FIB mirror's shared vocabulary: netlink constants, how targets and handles are encoded, the
// store's options, status shapes and counters. Every part of ts/dplane/ speaks in these terms.
import { Family, AF_INET, AF_INET6, AF_MPLS, Lane, Target } from './types';

// Netlink message types (include/uapi/linux/rtnetlink.h).
export const RTM_NEWROUTE = 24;
export const RTM_NEWNEIGH = 28;
export const RTM_NEWNEXTHOP = 104;
// rtm_type values (include/uapi/linux/rtnetlink.h).
export const RTN_UNICAST = 1;
export const RTN_BLACKHOLE = 6;
export const RTN_UNREACHABLE = 7;
export const RTN_PROHIBIT = 8;
export const LWTUNNEL_ENCAP_MPLS = 1; // include/uapi/linux/lwtunnel.h
export const RT_TABLE_MAIN = 254;

/** Family codes in handles and queue links (top 2 bits). */
export const FC_V4 = 0;
export const FC_V6 = 1;
export const FC_MPLS = 2;
export const FC_MAC = 3;
export const FC_FAMILY: readonly Family[] = [AF_INET, AF_INET6, AF_MPLS];
export const FAMILY_NAME = ['inet', 'inet6', 'mpls'] as const;

/** Route/MAC target values below this are special (Target.*); from it on, nexthop-group ref + 4. */
export const TGT_REF = 4;
/** MAC target: a remote VTEP address (NDA_DST) rather than an L2 group. */
export const TGT_VTEP = 1;

/** Implicit (inline-mode) group ids start here: zebra's own ids stay below. */
export const IMPLICIT_BASE = 0x80000000;
/** Route target of a route naming a nexthop id not sent yet: TGT_MISSING + its MissingIds slot. */
export const TGT_MISSING = 0x80000000;
export const DEFAULT_MAX_PARKED = 2_460_000;

export type ReplayState = 'waiting' | 'replaying' | 'ended';
export type ReplayEnd = 'marker' | 'quiet-period';

export interface FibStoreOptions {
  /** Quiet period (ms) after which a replay without an end marker is taken as complete. Default 3000. */
  quietMs?: number;
  /** Clock for the quiet period (ms). Default Date.now. */
  now?: () => number;
  /** Expected routes per family, to size the tables once (they double as they fill otherwise). */
  capacity?: { inet?: number; inet6?: number; mpls?: number; macs?: number };
  /**
   * Expected routes in all (IPv4 + IPv6), e.g. the size of the last full table: the IPv4 and IPv6
   * tables are sized once for it, split as in a full Internet table (about 4:1), with room to
   * spare on each side. `capacity` wins for a family it names. A hint only: a wrong one costs a
   * regrow or some unused address space, never a route.
   */
  expectedRoutes?: number;
  /**
   * Routes naming a nexthop id zebra has not sent, at most (default 2,460,000: two full
   * tables). Past it such a route is refused: kept without a target (nothing programmed),
   * counted in routeRefusedParked and handed out by takeRefused() for an offload-failed answer.
   */
  maxParked?: number;
}

export interface ReplayStatus {
  state: ReplayState;
  endedBy: ReplayEnd | null;
  /** Connections seen (the mark-and-sweep generation). */
  epoch: number;
  /** Route messages received since the connection opened. */
  received: number;
  /** Entries carrying the current epoch (received or refreshed since the connection opened). */
  refreshed: { routes: number; nhgs: number; macs: number };
  /** Entries still from an older epoch (candidates for the sweep). */
  stale: { routes: number; nhgs: number; macs: number };
  /** Entries withdrawn by the sweeps of this connection. */
  swept: number;
  /** ms from connect to the end of replay (null while replaying). */
  durationMs: number | null;
}

export interface ParkedStatus {
  /** Routes whose nexthop group has not arrived (netns-VRF zebra never sends them). */
  routesNhgMissing: number;
  /** Routes whose group names a member that has not arrived. */
  routesNhgIncomplete: number;
  macsNhgMissing: number;
  macsNhgIncomplete: number;
  /** Groups (used or not) waiting for a member. */
  groupsMemberMissing: number;
  /** Groups naming a backup group that has not arrived (programmed unprotected meanwhile). */
  backupMissing: number;
  /** Some of the missing ids (at most 32), for logs. */
  missingIds: number[];
}

export interface StoreCounts {
  routes: number;
  /** "<family>:<table>" -> routes, e.g. "inet:254", "inet6:254", "mpls:0". */
  byTable: Record<string, number>;
  /** zebra's nexthop objects present (singletons and groups, L3 and L2). */
  nhgs: number;
  /** Inline-mode groups (content-hashed route paths). */
  implicitNhgs: number;
  macs: number;
  parked: ParkedStatus;
  epoch: number;
  /** Pending changes per lane (groups and MACs in lane 0). */
  depth: number[];
  /** Routes whose last change the dataplane reported as failed. */
  failedRoutes: number;
}

/** A leg, copied out (lookups, iterators). */
export interface PathInfo {
  gwFamily: 0 | 4 | 6;
  gw: Uint8Array;
  ifindex: number;
  weight: number;
  labels: number[];
  blackhole: boolean;
}

export interface RouteInfo {
  family: Family;
  table: number;
  /** 4 or 16 address bytes (AF_MPLS: empty). */
  addr: Uint8Array;
  len: number;
  label: number;
  protocol: number;
  lane: Lane;
  target: Target;
  /** zebra's id (or implicit id) of the target group, 0 for special targets. */
  nhgId: number;
  /** Waiting for its group (or a member of it). */
  parked: boolean;
  /** The dataplane was handed this route's current state. */
  programmed: boolean;
  failed: boolean;
  handle: number;
}

export interface RouteLookup extends RouteInfo {
  /** The group's forwarding legs (flattened), empty for special targets or parked routes. */
  primary: PathInfo[];
  backup: PathInfo[];
}

export interface NhgInfo {
  id: number;
  present: boolean;
  kind: 'single' | 'group' | 'implicit';
  family: number;
  fdb: boolean;
  members: { id: number; weight: number }[];
  primary: PathInfo[];
  backup: PathInfo[];
  backupId: number;
  /** Routes and MACs using it. */
  users: number;
  resolved: boolean;
  programmed: boolean;
  epoch: number;
}

export interface MacInfo {
  ifindex: number;
  vlan: number;
  mac: Uint8Array;
  vtepFamily: 0 | 4 | 6;
  vtep: Uint8Array;
  nhgId: number;
  vni: number;
  parked: boolean;
  programmed: boolean;
}

export interface RouteKey {
  family: Family;
  table: number;
  addr: Uint8Array;
  len: number;
  label: number;
  protocol: number;
}

/** Counters (FRR's `show fpm counters` spirit): every skip and refusal is counted. */
export class StoreCounters {
  rows = 0;
  badRows = 0;
  otherRows = 0;
  doneRows = 0;
  /** End markers on a connection that had delivered nothing else: ignored, nothing swept. */
  doneIgnored = 0;
  routeNew = 0;
  routeDel = 0;
  routeDelUnknown = 0;
  routeNoNexthop = 0;
  routeUnsupportedType = 0;
  routeBadPrefix = 0;
  nhgNew = 0;
  nhgDel = 0;
  nhgDelUnknown = 0;
  nhgDelRefused = 0;
  nhgBad = 0;
  /** Group messages refused because a group would contain a group (nexthop objects do not nest; a cycle is one case). */
  nhgNested = 0;
  /** Routes refused because maxParked routes already wait for nexthop ids zebra has not sent. */
  routeRefusedParked = 0;
  /** Nexthop objects with a non-MPLS encap (seg6, seg6local): kept, their routes reported failed. */
  nhgUnsupportedEncap = 0;
  neighNew = 0;
  neighDel = 0;
  neighDelUnknown = 0;
  neighIgnored = 0;
  neighBad = 0;
  sweeps = 0;
  swept = 0;
  sweepKeptInUse = 0;
  /**
   * Messages whose application threw (a bug or a limit such as the 65536 routing tables): counted,
   * the route (when its key could be read) kept without a target and answered offload-failed, the
   * rest of the batch applied. Never a dropped zebra session.
   */
  rowsFailed = 0;
  changesNhg = 0;
  changesRoute = 0;
  changesMac = 0;
  resultsOk = 0;
  resultsFailed = 0;
  resultsStale = 0;
}

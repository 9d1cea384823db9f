// The contract between the FIB mirror (ts/dplane/) and whatever programs a dataplane (ts/vpp/
// programmer, the memory dataplane, tests). The store decides WHAT must change; the consumer
// pulls changes in dependency order and reports results. Views are reused objects filled by
// the store (no allocation per route on the drain path); copy what you keep.

export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_MPLS = 28;
export const AF_BRIDGE = 7;
export type Family = typeof AF_INET | typeof AF_INET6 | typeof AF_MPLS;

/** Lanes, drained in this order (DESIGN.md: connected/static before IGP before BGP). */
export const enum Lane {
  Connected = 0, // kernel/connected (2), static (196), boot (3), anything zebra-local
  Igp = 1, // ospf (188), isis (187), rip, eigrp, babel, openfabric
  Bgp = 2, // bgp (186) and everything else
}
export const LANES = 3;

export const enum Op {
  Set = 1, // add or replace
  Del = 2,
}

/** Route targets: a nexthop group, or a special route with no nexthops (rtm_type). */
export const enum Target {
  Nhg = 0,
  Blackhole = 1, // RTN_BLACKHOLE 6
  Unreachable = 2, // RTN_UNREACHABLE 7
  Prohibit = 3, // RTN_PROHIBIT 8
}

/** One forwarding leg of a group, flattened (a group of groups becomes its leaves). */
export interface PathView {
  /** 0 = none (interface-only path), 4 = IPv4 gateway, 6 = IPv6 gateway. */
  gwFamily: 0 | 4 | 6;
  /** Gateway address in the first 4 or 16 bytes. */
  gw: Uint8Array;
  /** Linux ifindex as zebra names it; 0 = none (recursive/unresolved in the kernel sense). */
  ifindex: number;
  /** Unequal-cost weight, >= 1. */
  weight: number;
  /** MPLS labels to push (20-bit values, outermost first); empty when none. */
  labels: number[];
  /** The leg is a blackhole (NHA_BLACKHOLE). */
  blackhole: boolean;
  /**
   * A lightweight-tunnel encap other than MPLS the leg carries (linux/lwtunnel.h: 5 seg6, 7
   * seg6local; zebra >= 9 sends them for SRv6), 0 or absent = none. A dataplane that cannot
   * program it must report the group's routes failed, never forward them without it.
   */
  encap?: number;
}

/** A nexthop group as the dataplane must program it. */
export interface NhgView {
  op: Op;
  /** zebra's NHA_ID, or a synthetic id >= 0x80000000 for inline-mode implicit groups. */
  id: number;
  /** Address family of the group's gateways (AF_INET / AF_INET6); AF_BRIDGE for L2 (fdb) groups. */
  family: number;
  /** Primary legs: forward on these while any is usable. */
  primary: PathView[];
  /** Backup legs (NHA_FPM_BACKUP_NHG): used when no primary leg is. Empty when unprotected. */
  backup: PathView[];
  /** An L2 (NHA_FDB) group: legs are VTEP addresses. */
  fdb: boolean;
}

/** A route change. `addr` is reused between calls: copy it if you keep it. */
export interface RouteView {
  op: Op;
  family: Family;
  /** Netlink table id (254 = main). For AF_MPLS: 0. */
  table: number;
  /** Destination address in the first 4 or 16 bytes (unused for AF_MPLS). */
  addr: Uint8Array;
  /** Prefix length (AF_MPLS: 20 for the label). */
  len: number;
  /** AF_MPLS: the incoming label; else 0. */
  label: number;
  target: Target;
  /** Target.Nhg: the group id (see NhgView.id). */
  nhgId: number;
  /**
   * The group the dataplane holds this route with now (it acknowledged that Set and no Del went
   * out since), or 0. A Set to a group that forwards the same (zebra renumbered it) need not be
   * written again.
   */
  prevNhgId: number;
  /** rtm_protocol as zebra sent it (feedback echoes it). */
  protocol: number;
  lane: Lane;
  /** Opaque handle for reporting the result of this change back (routeResult). */
  handle: number;
}

/** An EVPN remote MAC (RTM_NEWNEIGH AF_BRIDGE). */
export interface MacView {
  op: Op;
  /** The VxLAN device's ifindex (ndm_ifindex). */
  ifindex: number;
  vlan: number;
  mac: Uint8Array; // 6 bytes
  /** Remote VTEP (NDA_DST), family 0 when the MAC points at an L2 group instead. */
  vtepFamily: 0 | 4 | 6;
  vtep: Uint8Array;
  /** L2 nexthop group (NDA_NH_ID), 0 when none. */
  nhgId: number;
  vni: number;
  handle: number;
}

export const enum ChangeKind {
  None = 0,
  Nhg = 1,
  Route = 2,
  Mac = 3,
}

/**
 * What the store offers a dataplane. `next()` fills the matching view and returns its kind;
 * ChangeKind.None when nothing is ready. Ordering guarantees: a group is returned (Set) before
 * any route or MAC that uses it, and deleted only after every route/MAC using it was returned
 * as Del or re-pointed; at most one pending change per key (last writer wins).
 */
export interface ChangeSource {
  readonly nhg: NhgView;
  readonly route: RouteView;
  readonly mac: MacView;
  next(): ChangeKind;
  /** Pending changes, per lane (groups and MACs count in lane 0). */
  depth(): number[];
  /** Report a route's programming result (for offload feedback and status). */
  routeResult(handle: number, ok: boolean, error?: string): void;
  /**
   * Optional. Queue a Set again for every route currently handed out with group `nhgId` (a
   * dataplane that copies a group's paths into each route, or that held routes back while the
   * group could not be programmed). Returns how many were queued.
   */
  reemitRoutesUsing?(nhgId: number): number;
  /**
   * Optional. Queue a Set again for everything currently handed out (groups first, then routes
   * and MACs), as if the dataplane had never seen it: the dataplane lost its state (VPP
   * restarted). Returns how many were queued. Without it a dataplane can recover only what it
   * shadows itself.
   */
  replayAll?(): number;
  /**
   * Optional. Whether group `id` is gone (zebra deleted it) or was not announced in zebra's
   * current replay: a replay is under way or its sweep is pending, and zebra may have renumbered
   * the group (a restarted zebra gives new ids). A dataplane that shares one object among groups with equal
   * content lets a new group join an object only while every group using it is stale: live
   * groups sharing an object would turn a change of one into a write per route.
   */
  nhgStale?(id: number): boolean;
}

/** A blank NhgView for a ChangeSource to fill and reuse. */
export function newNhgView(): NhgView {
  return { op: Op.Set, id: 0, family: AF_INET, primary: [], backup: [], fdb: false };
}

/** A blank RouteView for a ChangeSource to fill and reuse. */
export function newRouteView(): RouteView {
  return {
    op: Op.Set,
    family: AF_INET,
    table: 254,
    addr: new Uint8Array(16),
    len: 0,
    label: 0,
    target: Target.Nhg,
    nhgId: 0,
    prevNhgId: 0,
    protocol: 0,
    lane: Lane.Connected,
    handle: 0,
  };
}

/** A blank MacView for a ChangeSource to fill and reuse. */
export function newMacView(): MacView {
  return { op: Op.Set, ifindex: 0, vlan: 0, mac: new Uint8Array(6), vtepFamily: 0, vtep: new Uint8Array(16), nhgId: 0, vni: 0, handle: 0 };
}

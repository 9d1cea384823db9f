// The VPP programmer's options, counters and status (what the daemon configures and reports).
import type { RouteView } from '../../dplane/types';
import type { EvpnOptions } from '../evpn';

/** How routes reach their nexthop group's paths: one recursive path to the group's host route (PIC), or the paths themselves (inline). */
export type ProgrammingMode = 'pic' | 'inline';

export interface ProgrammerOptions {
  mode?: ProgrammingMode;
  /** Netlink table -> VPP table id. 254 -> 0 unless given; unmapped tables keep their id. */
  tableMap?: ReadonlyMap<number, number> | Readonly<Record<string, number>>;
  /** Private PIC table id for IPv4 host routes (created at start). */
  picTable4?: number;
  picTable6?: number;
  /** Static Linux ifindex -> sw_if_index map (wins over linux-cp). */
  interfaceMap?: ReadonlyMap<number, number>;
  /** File with the static map (ifindex=sw_if_index lines or JSON; see docs/vpp.md). */
  interfaceMapFile?: string;
  /** Read linux-cp pairs over the API when VPP has the plugin (default true). */
  linuxCp?: boolean;
  /** Re-read linux-cp pairs this often (ms; 0 = only at connect and on interface events). */
  lcpRefreshMs?: number;
  /** Retries of a failed call before it is reported failed (default 4); it is retried every retryMaxMs after that. */
  maxRetries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Called for each route result while `route` holds that route (offload feedback). */
  onRouteResult?: (route: RouteView, ok: boolean, error?: string) => void;
  evpn?: EvpnOptions;
}

export interface ProgrammerCounters {
  routesOk: number;
  routesFailed: number;
  routeRetries: number;
  /** Routes held back because their group is parked (cumulative). */
  routesHeld: number;
  routesDeleted: number;
  nhgCalls: number;
  nhgsFailed: number;
  /** Groups refused because they have more than 255 legs (VPP's n_paths is a u8); their routes are reported failed. */
  nhgsTooManyPaths: number;
  /** Groups refused because a leg carries an SRv6 (seg6/seg6local) or other non-MPLS encap; routes reported failed. */
  nhgsUnsupportedEncap: number;
  nhgsParkedEvents: number;
  nhgsReleased: number;
  tableCalls: number;
  tableErrors: number;
  lspCalls: number;
  macsUnprogrammed: number;
  resyncs: number;
  connects: number;
  supersededRetries: number;
  /** Calls retried after being reported failed (every retryMaxMs until they succeed). */
  lateRetries: number;
  inlineStale: number;
  /** PIC groups whose new content was written into their own object (one call, no route moved). */
  /** Groups given an object of their own although one with their content existed (used by live groups). */
  objectsNotShared: number;
  /** Groups changed while fibpush was away that took over the adopted host route their routes use (rebindAdopted). */
  adoptedRebound: number;
  nhgInPlace: number;
  /** Route Sets acknowledged without a write: the group they move to forwards like the one VPP has. */
  rewritesAvoided: number;
  /** Host routes withdrawn because no group maps onto them any more. */
  objectsWithdrawn: number;
  /** Connection setups that failed (interfaces, tables): retried on the next connection. */
  setupFailures: number;
  /** Changes whose writing threw inside the pump: each is retried like a failed call (and reported failed once its retries are spent). */
  pumpFailures: number;
}

export interface VppProgrammerStatus {
  kind: 'vpp';
  socket: string;
  connected: boolean;
  mode: ProgrammingMode;
  inFlight: number;
  routes: number;
  nhgs: number;
  /** PIC objects: host routes in VPP, one per distinct content. */
  nhgObjects: number;
  nhgsParked: number;
  failures: number;
  lastError: string | null;
  retriesPending: number;
  /** Routes and groups reported failed, still retried every retryMaxMs. */
  retriesAfterFailure: number;
  interfaces: number;
  counters: Record<string, number>;
}

// The full-feed benchmark's shapes: what the parent hands each case process, and what a case reports.
import type { FibCheck } from './fibcheck';
import type { TableSpec } from './model';
import type { RawResult } from './rawclient';

export type DataplaneKind = 'simulator' | 'vpp' | 'memory';

/** What the parent hands every case process (as a JSON file). */
export interface Spec {
  table: TableSpec;
  dataplane: DataplaneKind;
  vppSocket: string | null;
  /** Start a fresh real VPP per case in this directory (tools/vpp/run.sh), stopped after the case. */
  vppRun: string | null;
  /** The table as zebra replays it: NHG mode (with the end-of-replay marker unless disabled) and inline nexthops. */
  files: { nhg: string; inline: string };
  endMarker: boolean;
  churnRate: number;
  churnSeconds: number;
  /** Replaces, withdrawals, NHG changes: shares of churn events. */
  churnMix: [number, number, number];
  window: number;
  /** fibpush's --feedback-rate (notifications per second). */
  feedbackRate: number;
  /** fibpush's --expected-routes (0 = tables grow as routes come). */
  expectedRoutes: number;
  sampleMs: number;
  lookups: number;
  seed: number;
  timeoutMs: number;
  /** Node flags for each case's fibpush (e.g. --cpu-prof): profiling, not measuring. */
  nodeArgs: string[];
}

export const CASES = ['tcp-read', 'fibpush', 'fibpush-ts', 'fibpush-inline', 'zebra-inline', 'raw-client', 'stalled'] as const;
export type CaseName = (typeof CASES)[number];

export const DESCRIPTION: Record<CaseName, string> = {
  'tcp-read': 'floor: the same bytes read off loopback TCP and thrown away',
  fibpush: 'fibpush run, PIC, native decoder (load, NHG change, churn, failover)',
  'fibpush-ts': 'fibpush run --decoder ts (TS reference decoder)',
  'fibpush-inline': 'fibpush run --inline (every route carries its paths)',
  'zebra-inline': 'fibpush run, zebra without NHGs (inline nexthops on the wire)',
  'raw-client': 'minimal pipelined client: routes straight to the dataplane, no FIB logic',
  stalled: 'fibpush run with the dataplane stalled (1 API message/s)',
};

export interface Sample {
  t: number;
  read: number;
  programmed: number;
}

export interface NhgChange {
  nhg: number;
  label: string;
  /** Routes using the group. */
  dependents: number;
  /** ip_route_add_del calls the dataplane served for it (simulator counters; else fibpush's own count). */
  apiCalls: number;
  callsSource: 'simulator' | 'fibpush';
  seconds: number;
}

export interface Latency {
  events: number;
  acked: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export interface Churn {
  seconds: number;
  rateAsked: number;
  events: number;
  replace: Latency;
  withdraw: Latency;
  nhg: Latency;
  /** How withdrawal and NHG-change latency were taken. */
  withdrawMethod: string;
  nhgMethod: string;
  apiCalls: number | null;
  /** The slowest events: seconds into the churn when sent, latency. */
  slowest: { atS: number; ms: number; kind: string }[];
}

export interface Failover {
  swIfIndex: number;
  nhg: number;
  label: string;
  affectedNhgs: number;
  affectedRoutes: number;
  /** setInterface -> every probed route (one per affected group) forwards as expected. */
  seconds: number;
  /** ip_route_add_del calls from the link going down until fibpush was idle again. */
  apiCalls: number;
  apiCallsByName: Record<string, number>;
  /** What fibpush did about it (its VPP programmer counters that moved). */
  fibpushReaction: Record<string, number>;
}

export interface CaseResult {
  name: CaseName;
  description: string;
  ok: boolean;
  error?: string;
  routes: number;
  bytes: number;
  readSeconds: number | null;
  readSource: string | null;
  programmedSeconds: number | null;
  acked: number | null;
  failed: number | null;
  cpuSeconds: number | null;
  dataplaneCpuSeconds: number | null;
  rssBaselineBytes: number | null;
  rssPeakBytes: number | null;
  rssBytesPerRoute: number | null;
  apiCalls: number | null;
  apiCallsByName: Record<string, number> | null;
  samples: Sample[];
  fib: { phase: string; check: FibCheck }[];
  nhgChange?: NhgChange;
  /** zebra restarted with every nexthop id renumbered: what it cost. */
  renumber?: Renumber;
  churn?: Churn;
  failover?: Failover;
  stalled?: { routesStored: number; queueDepth: number; vppInFlight: number; window: number; rssGrowthAfterReadBytes: number };
  raw?: RawResult;
  notes: string[];
}

export interface Renumber {
  routes: number;
  /** Route API calls during the renumbered replay, until it was swept (the dataplane's count, or fibpush's requests). */
  apiCalls: number;
  callsSource: 'simulator' | 'fibpush';
  /** Route writes fibpush avoided: the new group forwards like the one the dataplane holds. */
  rewritesAvoided: number;
  seconds: number;
}

/** A case's result before it ran: nothing measured, not ok. */
export function newResult(name: CaseName, routes: number, bytes: number): CaseResult {
  return {
    name, description: DESCRIPTION[name], ok: false, routes, bytes, readSeconds: null, readSource: null, programmedSeconds: null,
    acked: null, failed: null, cpuSeconds: null, dataplaneCpuSeconds: null, rssBaselineBytes: null, rssPeakBytes: null,
    rssBytesPerRoute: null, apiCalls: null, apiCallsByName: null, samples: [], fib: [], notes: [],
  };
}

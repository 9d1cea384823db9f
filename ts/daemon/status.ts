// The status model: what `fibpush status` returns over the control socket, and its readable rendering.
import { fmtCount, fmtDuration } from './progress';

export type ReplayState = 'waiting' | 'replaying' | 'ended';

export interface ReplayStatus {
  /** waiting: no zebra yet; replaying: replay not ended; ended: by marker or quiet period. */
  state: ReplayState;
  endedBy: 'marker' | 'quiet-period' | null;
  /** Routes received since the connection opened. */
  received: number;
  /** Routes the dataplane answered for during the initial sync (it stops counting when the sync completes). */
  programmed: number;
  /** Seconds from connect to the end of replay (null while replaying). */
  seconds: number | null;
  /** Stale entries withdrawn by the sweeps of this connection. */
  swept: number;
  /** Entries refreshed by this connection's replay, and those still from an older epoch. */
  refreshed: { routes: number; nhgs: number; macs: number };
  stale: { routes: number; nhgs: number; macs: number };
  /** Route writes this connection's replay did not need: the group a route moved to forwards like the one the dataplane holds (zebra renumbered it). */
  rewritesAvoided: number;
}

export interface DataplaneStatus {
  kind: 'memory' | 'vpp';
  /** The VPP socket, when kind is vpp. */
  socket?: string;
  connected: boolean;
  inFlight: number;
  /** Routes the dataplane holds (memory) or has acknowledged (vpp). */
  routes: number;
  nhgs: number;
  failures: number;
  lastError: string | null;
  /** Further counters the dataplane reports (reconnects, retries, adopted, withdrawn...). */
  counters: Record<string, number>;
}

export interface StatusReport {
  version: string;
  pid: number;
  uptimeSec: number;
  listen: string;
  zebra: 'connected' | 'disconnected';
  zebraPeer: string | null;
  /** Incremented on every zebra connection (mark-and-sweep generation). */
  epoch: number;
  routes: number;
  /** "<family>:<table>" -> routes, e.g. "inet:254". */
  routesByTable: Record<string, number>;
  /** Nexthop groups by zebra id, and as the dataplane holds them (one per distinct content; 0 without PIC objects). */
  nhgs: number;
  nhgObjects: number;
  macs: number;
  /** Routes waiting for a nexthop group (or interface) that has not arrived. */
  parked: number;
  /** Pending changes to the dataplane, all lanes. */
  queueDepth: number;
  lanes: { connected: number; igp: number; bgp: number };
  vppInFlight: number;
  failures: number;
  replay: ReplayStatus;
  dataplane: DataplaneStatus;
  feedback: { enabled: boolean; counters: Record<string, number> };
  /** FPM input and store counters (bytes, frames, badFrames, badMessages, connections, ...). */
  counters: Record<string, number>;
}

function kv(rows: [string, string][]): string[] {
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`);
}

function counterLine(c: Record<string, number>, keys?: readonly string[]): string {
  const e = keys ? keys.filter((k) => k in c).map((k) => [k, c[k]] as const) : Object.entries(c);
  return e.length === 0 ? '-' : e.map(([k, v]) => `${k}=${fmtCount(v)}`).join(' ');
}

/** The readable summary `fibpush status` prints without --json. */
export function formatStatus(s: StatusReport): string {
  const tables = Object.entries(s.routesByTable)
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([k, v]) => `${k}=${fmtCount(v)}`)
    .join(' ');
  const r = s.replay;
  const replay =
    r.state === 'waiting'
      ? 'waiting for zebra'
      : r.state === 'replaying'
        ? `replaying: ${fmtCount(r.received)} received, ${fmtCount(r.programmed)} programmed`
        : // `received` counts on after the replay (every update since connect): say so, apart from the replay.
          `ended by ${r.endedBy === 'marker' ? 'end marker' : 'quiet period'} after ${fmtDuration(r.seconds ?? 0)}, ` +
          `${fmtCount(r.swept)} swept${r.rewritesAvoided ? `, ${fmtCount(r.rewritesAvoided)} rewrites avoided` : ''}; ` +
          `${fmtCount(r.received)} routes received since zebra connected`;
  const dp = s.dataplane;
  const lines = [
    `fibpush ${s.version}, pid ${s.pid}, up ${fmtDuration(s.uptimeSec)}, listening on ${s.listen}`,
    ...kv([
      ['zebra', s.zebra === 'connected' ? `connected${s.zebraPeer ? ` from ${s.zebraPeer}` : ''}, epoch ${s.epoch}` : `disconnected, epoch ${s.epoch}`],
      ['replay', replay],
      ['routes', `${fmtCount(s.routes)}${tables ? ` (${tables})` : ''}`],
      ['nexthop groups', s.nhgObjects ? `${fmtCount(s.nhgs)} (${fmtCount(s.nhgObjects)} in the dataplane by content)` : fmtCount(s.nhgs)],
      ['MACs', fmtCount(s.macs)],
      ['parked', fmtCount(s.parked)],
      ['queue', `${fmtCount(s.queueDepth)} (connected ${fmtCount(s.lanes.connected)}, igp ${fmtCount(s.lanes.igp)}, bgp ${fmtCount(s.lanes.bgp)})`],
      [
        'dataplane',
        `${dp.kind}${dp.socket ? ` ${dp.socket}` : ''}, ${dp.connected ? 'connected' : 'NOT connected'}, ` +
          `${fmtCount(dp.routes)} routes, ${fmtCount(dp.inFlight)} in flight, ${fmtCount(dp.failures)} failures` +
          (dp.lastError ? ` (last: ${dp.lastError})` : ''),
      ],
      ['feedback', s.feedback.enabled ? counterLine(s.feedback.counters, ['sent', 'sentFailed', 'coalesced', 'queued', 'gone']) : 'off'],
      // The summary keeps to the FPM input; `--json` has every counter.
      ['fpm input', counterLine(s.counters, ['bytes', 'frames', 'messages', 'badFrames', 'badMessages', 'connections', 'refused', 'refusedPeer'])],
    ]),
  ];
  return lines.join('\n');
}

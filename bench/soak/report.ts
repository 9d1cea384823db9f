// The soak's report: one JSON document, and the one-screen summary printed at the end.
import * as os from 'os';
import { divergence, exact, judgeResources, ResourceVerdict } from './checks';
import type { LogScan } from './daemon';
import type { ChurnFigures } from './player';
import type { FaultRecord, RunRecord } from './run';
import type { SoakOptions } from './options';
import type { FaultKind } from './schedule';

export interface KindSummary {
  kind: FaultKind;
  injected: number;
  recovered: number;
  convergeP50S: number | null;
  convergeMaxS: number | null;
  maxDivergence: number;
  lost: number | null;
  routeCallsMax: number | null;
}

export interface Report {
  ok: boolean;
  /** Every reason the soak failed, each naming what diverged. */
  failures: string[];
  startedAt: string;
  durationS: number;
  options: Omit<SoakOptions, 'fibpush'> & { fibpush: string };
  machine: { node: string; cpus: number; loadavg: number[] };
  zebra: string;
  dataplane: string;
  /** Routes zebra had after the load, and at the end. */
  routesAtLoad: number | null;
  routes: number;
  loadS: number | null;
  churn: ChurnFigures;
  flaps: RunRecord['flaps'];
  faultsByKind: KindSummary[];
  notInjected: FaultKind[];
  largestDivergence: { routes: number; kind: FaultKind | 'load' | 'end' | null; at: number | null; lastedS: number | null };
  resources: ResourceVerdict & { samples: RunRecord['samples']; cycles: RunRecord['cycles']; rssStartMB: number | null; rssEndMB: number | null; fdsMin: number | null; fdsMax: number | null };
  daemon: { starts: number; unexpectedExits: { at: number; code: number | null; signal: string | null; tail: string[] }[]; log: LogScan; logFile: string };
  finalCheck: RunRecord['finalCheck'];
  faults: FaultRecord[];
  divergenceSeries: RunRecord['divergence'];
  errors: string[];
}

function pct(a: number[], p: number): number | null {
  if (a.length === 0) return null;
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export function buildReport(a: {
  o: SoakOptions;
  r: RunRecord;
  startedAt: Date;
  durationS: number;
  zebra: string;
  dataplane: string;
  routes: number;
  churn: ChurnFigures;
  kinds: FaultKind[];
  daemon: { starts: number; unexpectedExits: Report['daemon']['unexpectedExits']; log: LogScan; logFile: string };
}): Report {
  const { o, r } = a;
  const failures: string[] = [...r.errors];
  const byKind: KindSummary[] = a.kinds.map((kind) => {
    const fs = r.faults.filter((f) => f.kind === kind);
    const conv = fs.map((f) => f.convergeS).filter((x): x is number => x !== null);
    const lost = fs.map((f) => f.lost).filter((x): x is number => x !== null);
    const calls = fs.map((f) => f.routeCalls).filter((x): x is number => x !== null);
    return {
      kind,
      injected: fs.length,
      recovered: fs.filter((f) => f.ok).length,
      convergeP50S: pct(conv, 50),
      convergeMaxS: conv.length ? Math.max(...conv) : null,
      maxDivergence: fs.reduce((m, f) => Math.max(m, f.maxDivergence), 0),
      lost: lost.length ? lost.reduce((x, y) => x + y, 0) : null,
      routeCallsMax: calls.length ? Math.max(...calls) : null,
    };
  });
  for (const f of r.faults) if (!f.ok) failures.push(`fault #${f.n} ${f.kind} at ${f.at.toFixed(0)} s: ${f.error}`);
  const notInjected = a.kinds.filter((k) => !r.faults.some((f) => f.kind === k));
  if (notInjected.length) failures.push(`fault kinds never injected (run longer or space faults closer): ${notInjected.join(', ')}`);
  if (a.daemon.unexpectedExits.length) {
    for (const x of a.daemon.unexpectedExits) failures.push(`fibpush exited unasked at ${x.at.toFixed(0)} s (code ${x.code}, signal ${x.signal}): ${x.tail.slice(-3).join(' | ')}`);
  }
  if (a.daemon.log.nonJson.length) failures.push(`fibpush wrote ${a.daemon.log.nonJson.length} non-log line(s) (an exception?): ${a.daemon.log.nonJson.slice(0, 3).join(' | ')}`);
  const errLines = a.daemon.log.byLevel.error ?? 0;
  if (errLines) failures.push(`fibpush logged ${errLines} error line(s): ${Object.keys(a.daemon.log.warnings).slice(0, 5).join('; ')}`);
  const res = judgeResources(r.cycles, o.rssTolerance);
  if (res.rssOk === false) failures.push(`fibpush's RSS grew ${res.rssGrowthPct}% over the first cycle's (limit ${o.rssTolerance}%): ${res.note}`);
  if (res.fdsOk === false) failures.push(`fibpush's file descriptors grew by ${res.fdGrowth} over the first cycle's: ${res.note}`);
  if (r.finalCheck && !exact(r.finalCheck) && !failures.some((x) => x.startsWith('end:'))) failures.push(`end: FIB differs: ${r.finalCheck.examples.join('; ')}`);
  // The largest divergence and how long it lasted (injection -> convergence of that fault).
  let largest: Report['largestDivergence'] = { routes: 0, kind: null, at: null, lastedS: null };
  for (const f of r.faults) {
    if (f.maxDivergence > largest.routes) largest = { routes: f.maxDivergence, kind: f.kind, at: f.at, lastedS: f.divergedS };
  }
  if (r.finalCheck && divergence(r.finalCheck) > largest.routes) largest = { routes: divergence(r.finalCheck), kind: 'end', at: r.finalCheck.t, lastedS: null };
  const rss = r.samples.map((s) => s.rssMB);
  const fds = r.samples.map((s) => s.fds);
  return {
    ok: failures.length === 0,
    failures,
    startedAt: a.startedAt.toISOString(),
    durationS: a.durationS,
    options: { ...o },
    machine: { node: process.version, cpus: os.cpus().length, loadavg: os.loadavg() },
    zebra: a.zebra,
    dataplane: a.dataplane,
    routesAtLoad: r.loadCheck?.expected ?? null,
    routes: a.routes,
    loadS: r.loadS,
    churn: a.churn,
    flaps: r.flaps,
    faultsByKind: byKind,
    notInjected,
    largestDivergence: largest,
    resources: {
      ...res,
      samples: r.samples,
      cycles: r.cycles,
      rssStartMB: rss.length ? rss[0] : null,
      rssEndMB: rss.length ? rss[rss.length - 1] : null,
      fdsMin: fds.length ? Math.min(...fds) : null,
      fdsMax: fds.length ? Math.max(...fds) : null,
    },
    daemon: a.daemon,
    finalCheck: r.finalCheck,
    faults: r.faults,
    divergenceSeries: r.divergence,
    errors: r.errors,
  };
}

const n0 = (x: number | null | undefined) => (x === null || x === undefined ? '-' : Math.round(x).toLocaleString('en-US'));
const s2 = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x.toFixed(2));

/** The one-screen summary. */
export function summary(rep: Report): string {
  const L: string[] = [];
  const o = rep.options;
  L.push(`fibpush soak: ${rep.ok ? 'PASSED' : 'FAILED'} after ${(rep.durationS / 60).toFixed(1)} min (${rep.startedAt})`);
  L.push(`  zebra: ${rep.zebra}; dataplane: ${rep.dataplane}`);
  L.push(`  table: ${n0(rep.routesAtLoad)} routes, loaded in ${s2(rep.loadS)} s (${n0(rep.routes)} at the end); churn ${n0(o.churnRate)}/s: ${Object.entries(rep.churn.counts).map(([k, v]) => `${k} ${n0(v)}`).join(', ')}`);
  L.push(`  zebra connections ${rep.churn.connects}, offload notifications ${n0(rep.churn.offloads)} (failed ${n0(rep.churn.offloadFailed)}); interface flaps ${rep.flaps.flaps} (group failovers to a backup: ${rep.flaps.backupActivations})`);
  L.push('');
  const rows = [['fault', 'injected', 'recovered', 'converge p50 s', 'max s', 'max divergence', 'lost', 'route calls (max)']];
  for (const k of rep.faultsByKind) rows.push([k.kind, String(k.injected), String(k.recovered), s2(k.convergeP50S), s2(k.convergeMaxS), n0(k.maxDivergence), k.lost === null ? '-' : n0(k.lost), n0(k.routeCallsMax)]);
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  rows.forEach((r, i) => {
    L.push('  ' + r.map((x, c) => (c === 0 ? x.padEnd(w[c]) : x.padStart(w[c]))).join('  '));
    if (i === 0) L.push('  ' + w.map((x) => '-'.repeat(x)).join('  '));
  });
  L.push('  (converge: fault undone -> fibpush idle with the FIB equal to zebra\'s; divergence: routes missing + wrong + extra in a check;');
  L.push('   lost: routes zebra had and did not change, missing from the dataplane during a fault of the control side; route calls: add/dels to converge)');
  const ld = rep.largestDivergence;
  L.push('');
  L.push(`  largest divergence: ${n0(ld.routes)} routes${ld.kind ? ` (${ld.kind} at ${n0(ld.at)} s, lasted ${s2(ld.lastedS)} s from injection to convergence)` : ''}`);
  const rs = rep.resources;
  L.push(`  fibpush RSS: ${s2(rs.rssStartMB)} MB at the first sample, ${s2(rs.rssEndMB)} MB at the last; ${rs.note}; growth ${rs.rssGrowthPct === null ? '-' : `${rs.rssGrowthPct}%`} (limit ${o.rssTolerance}%): ${rs.rssOk === null ? 'n/a' : rs.rssOk ? 'ok' : 'EXCEEDED'}`);
  L.push(`  fibpush fds: ${rs.fdsMin}..${rs.fdsMax} over the run; cycle-end growth ${rs.fdGrowth ?? '-'}: ${rs.fdsOk === null ? 'n/a' : rs.fdsOk ? 'flat' : 'GREW'}`);
  L.push(`  fibpush: ${rep.daemon.starts} starts, ${rep.daemon.unexpectedExits.length} unexpected exits, ${n0(rep.daemon.log.lines)} log lines (${Object.entries(rep.daemon.log.byLevel).map(([k, v]) => `${k} ${v}`).join(', ')}), log ${rep.daemon.logFile}`);
  const fc = rep.finalCheck;
  L.push(`  final check: ${fc ? `${exact(fc) ? 'FIB equals zebra\'s' : 'FIB DIFFERS'}: ${n0(fc.expected)} routes, ${n0(fc.missing)} missing, ${n0(fc.wrong)} wrong, ${n0(fc.extra)} extra` : 'not run'}`);
  if (!rep.ok) {
    L.push('');
    L.push('  failures:');
    for (const f of rep.failures.slice(0, 12)) L.push(`  - ${f.slice(0, 400)}`);
    if (rep.failures.length > 12) L.push(`  - ... and ${rep.failures.length - 12} more (see the JSON report)`);
  }
  return L.join('\n');
}

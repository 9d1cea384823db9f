// The soak's checks: the dataplane's FIB against zebra's (the generator's model, or a real zebra's FIB), prefix by prefix; routes lost during a fault; fibpush's RSS and file descriptors.
import { dumpCheck } from '../fullfeed/fibcheck';
import { diffFib, Fib, FibRoute } from '../../ts/frr-lab/fib';
import type { GeneratedZebra } from './zebra-gen';

export interface FibResult {
  /** Seconds since the soak started. */
  t: number;
  /** Routes zebra has, and those compared. */
  expected: number;
  missing: number;
  wrong: number;
  extra: number;
  /**
   * Routes zebra had before `since` and did not change since, yet missing or forwarding wrongly
   * in the dataplane: what a fault of the control side must never cause (null: not asked).
   */
  lost: number | null;
  /** Present routes whose last offload notification to zebra said failed (generated zebra only). */
  reportedFailed: number | null;
  examples: string[];
  seconds: number;
}

export const divergence = (r: FibResult): number => r.missing + r.wrong + r.extra;

/** Exact: nothing missing, wrong or extra, and zebra not left believing a route failed. */
export const exact = (r: FibResult): boolean => divergence(r) === 0 && !r.reportedFailed;

/**
 * The generated zebra's model against the dataplane behind `socket` (ip_route_v2_dump of every
 * table involved, each route resolved as VPP forwards: bench/fullfeed/fibcheck.ts).
 */
export async function checkGenerated(socket: string, z: GeneratedZebra, t0: number, since: number | null): Promise<FibResult> {
  const start = performance.now();
  let lost = 0;
  const lostEx: string[] = [];
  const c = await dumpCheck(socket, z.m, (kind, f, i) => {
    if (since === null || i < 0 || kind === 'extra') return;
    if (z.lastChange(f, i) < since) {
      lost++;
      if (lostEx.length < 4) lostEx.push(`lost: ${z.m.prefix(f, i)} (${kind}; unchanged in zebra since before the fault)`);
    }
  });
  const failed = z.failedNow();
  const examples = [...lostEx, ...c.examples];
  if (failed.count > 0) examples.push(`zebra was last told RTM_F_OFFLOAD_FAILED for ${failed.count} routes it has, e.g. ${failed.examples.join(', ')}`);
  return {
    t: (start - t0) / 1000,
    expected: c.expected,
    missing: c.missing,
    wrong: c.wrong,
    extra: c.extra,
    lost: since === null ? null : lost,
    reportedFailed: failed.count,
    examples: examples.slice(0, 10),
    seconds: (performance.now() - start) / 1000,
  };
}

/** Route equality as diffFib sees it: type and normalised next hops (gateway, ifindex, weight). */
const show = (r: FibRoute | undefined): string => (r ? `${r.type} [${r.nexthops.map((n) => `${n.gw ?? '-'}%${n.ifindex}*${n.weight}`).join(', ')}]` : '');
const same = (a: FibRoute | undefined, b: FibRoute | undefined): boolean => show(a) === show(b);

/**
 * A real zebra's FIB against the dataplane's (both in ts/frr-lab/fib.ts's shape). `before` is
 * zebra's FIB when the fault began: a route equal in `before` and now, not `touched` by churn
 * meanwhile, but different in the dataplane is lost.
 */
export function compareFibs(zebra: Fib, dp: Fib, t: number, seconds: number, before: Fib | null, touched: ReadonlySet<string> = new Set()): FibResult {
  let missing = 0;
  let wrong = 0;
  let extra = 0;
  let lost = 0;
  const examples: string[] = [];
  for (const [k, e] of zebra) {
    const d = dp.get(k);
    if (same(e, d)) continue;
    if (!d) missing++;
    else wrong++;
    if (before && !touched.has(k) && same(before.get(k), e)) {
      lost++;
      if (examples.length < 4) examples.push(`lost: ${k} (unchanged in zebra since before the fault)`);
    }
  }
  for (const k of dp.keys()) if (!zebra.has(k)) extra++;
  examples.push(...diffFib(zebra, dp).slice(0, 8 - Math.min(4, examples.length)));
  return { t, expected: zebra.size, missing, wrong, extra, lost: before ? lost : null, reportedFailed: null, examples, seconds };
}

export interface ProcSample {
  t: number;
  rssMB: number;
  fds: number;
  cpuS: number;
}

export interface CycleMark {
  cycle: number;
  t: number;
  rssMB: number;
  fds: number;
  /** The fibpush process measured (restart faults start a new one). */
  pid?: number;
}

export interface ResourceVerdict {
  rssOk: boolean | null;
  fdsOk: boolean | null;
  /** Largest growth over the first cycle's, in percent (RSS) and descriptors. */
  rssGrowthPct: number | null;
  fdGrowth: number | null;
  note: string;
}

/**
 * RSS and descriptors at the end of each full cycle (taken idle, churn paused, after the same
 * sequence of faults) against the first cycle's. Growth beyond `tolerancePct` is a leak; so is
 * any growth in descriptors beyond 2 (a metrics scrape or status request may be in progress).
 *
 * When fibpush was restarted within the cycles (a kill or term fault), each mark is another
 * process, whose RSS differs by the V8 heap's state more than by anything it carries over: a
 * leak then shows as growth that stays, so it needs three cycles and is judged on the smaller
 * of the last two marks.
 */
export function judgeResources(marks: CycleMark[], tolerancePct: number): ResourceVerdict {
  if (marks.length < 2) return { rssOk: null, fdsOk: null, rssGrowthPct: null, fdGrowth: null, note: `${marks.length} full cycle(s): RSS and fds need two to compare` };
  const base = marks[0];
  const note = `cycle ends: ${marks.map((m) => `#${m.cycle} ${m.rssMB.toFixed(1)} MB/${m.fds} fds`).join(', ')}`;
  const restarted = marks.some((m) => m.pid !== base.pid);
  let fg = -Infinity;
  for (const m of marks.slice(1)) fg = Math.max(fg, m.fds - base.fds);
  const pct = (m: CycleMark) => ((m.rssMB - base.rssMB) / base.rssMB) * 100;
  let g: number;
  if (restarted) {
    if (marks.length < 3) {
      return { rssOk: null, fdsOk: fg <= 2, rssGrowthPct: null, fdGrowth: fg, note: `${note}; a new fibpush each cycle: RSS growth needs three cycles to compare` };
    }
    g = Math.min(pct(marks[marks.length - 1]), pct(marks[marks.length - 2]));
  } else {
    g = -Infinity;
    for (const m of marks.slice(1)) g = Math.max(g, pct(m));
  }
  return {
    rssOk: g <= tolerancePct,
    fdsOk: fg <= 2,
    rssGrowthPct: Math.round(g * 10) / 10,
    fdGrowth: fg,
    note: restarted ? `${note} (a new fibpush each cycle: growth that stays over the last two)` : note,
  };
}

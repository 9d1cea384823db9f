// The soak's fault kinds and their schedule: one fixed order per cycle, so that the end of every cycle finds fibpush with the same history (what makes cycle-end RSS comparable).

export const ALL_FAULTS = [
  'zebra-cut',
  'zebra-restart',
  'fibpush-kill',
  'fibpush-term',
  'dp-close',
  'dp-restart',
  'dp-slow',
  'dp-fail',
  'garbage-client',
  'silent-client',
  'done-client',
] as const;
export type FaultKind = (typeof ALL_FAULTS)[number];

/**
 * Fault kinds left out of the default set (none: the silent and end-marker-only clients, which
 * once made fibpush sweep every route, are held off by its trust boundary, docs/security.md).
 */
export const KNOWN_FAILING: readonly FaultKind[] = [];
export const DEFAULT_FAULTS: readonly FaultKind[] = ALL_FAULTS.filter((f) => !KNOWN_FAILING.includes(f));

export const FAULT_DESCRIPTION: Record<FaultKind, string> = {
  'zebra-cut': "zebra's FPM connection cut; zebra reconnects after the hold and replays",
  'zebra-restart': 'zebra killed and started again after the hold: replay with renumbered groups',
  'fibpush-kill': 'fibpush kill -9, started again (adopts what VPP holds)',
  'fibpush-term': 'fibpush SIGTERM, started again',
  'dp-close': "the dataplane closes fibpush's API socket",
  'dp-restart': 'the dataplane restarts empty (new message ids, empty FIB)',
  'dp-slow': 'the dataplane answers slowly for the hold (--slow-us per message)',
  'dp-fail': 'the dataplane fails a fraction of route requests for the hold (--fail-fraction)',
  'garbage-client': "zebra cut, a client sending garbage connects in the gap; another while zebra is back",
  'silent-client': 'zebra cut, a client that sends nothing holds the FPM port past the quiet period',
  'done-client': 'zebra cut, a client sends one NLMSG_DONE (an empty "replay") and stays',
};

/** Faults that need a dataplane the soak controls (the simulator). */
export const DATAPLANE_FAULTS: readonly FaultKind[] = ['dp-close', 'dp-restart', 'dp-slow', 'dp-fail'];

/**
 * Faults of the control side only: VPP keeps forwarding through them, so a route zebra had before
 * the fault and did not change must stay in the dataplane all along ("not one route lost").
 */
export const CONTROL_FAULTS: readonly FaultKind[] = ['zebra-cut', 'zebra-restart', 'fibpush-kill', 'fibpush-term', 'garbage-client', 'silent-client', 'done-client'];

export const FAULT_HELP = ALL_FAULTS.map((f) => `                          ${f.padEnd(15)} ${FAULT_DESCRIPTION[f]}${KNOWN_FAILING.includes(f) ? ' [not default: fails on the daemon as it is]' : ''}`).join('\n');

export interface Slot {
  /** Seconds after the load ended at which the fault is due. */
  at: number;
  kind: FaultKind;
  cycle: number;
  /** Last fault of its cycle: the cycle's RSS and fds are taken after it settles. */
  endsCycle: boolean;
}

/** Spacing that fits two full cycles (and the warm-up) into the churn time, kept between 15 and 60 s. */
export function autoSpacing(churnSeconds: number, kinds: number): number {
  if (kinds === 0) return 60;
  return Math.max(15, Math.min(60, Math.floor((churnSeconds - 10) / (2 * kinds + 1))));
}

/**
 * The faults of a run: `kinds` in order, cycle after cycle, the first a short warm-up into the
 * churn, then one every `every` seconds; the last one due no later than `every` before the end
 * (so that it can settle and be checked).
 */
export function plan(kinds: readonly FaultKind[], churnSeconds: number, every: number): Slot[] {
  const out: Slot[] = [];
  if (kinds.length === 0) return out;
  const warm = Math.min(every, 10);
  for (let n = 0; ; n++) {
    const at = warm + n * every;
    if (at + every > churnSeconds) break;
    out.push({ at, kind: kinds[n % kinds.length], cycle: Math.floor(n / kinds.length) + 1, endsCycle: n % kinds.length === kinds.length - 1 });
  }
  return out;
}

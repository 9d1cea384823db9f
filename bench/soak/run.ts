// The soak's run: load, churn, interface flaps, faults on the schedule, a settle-and-compare after each, resource samples; everything recorded for the report.
import type { StatusReport } from '../../ts/daemon/status';
import { sleep } from '../fullfeed/procs';
import { CycleMark, divergence, exact, FibResult, ProcSample } from './checks';
import type { Daemon } from './daemon';
import { settled, unsettled } from './daemon';
import type { Dataplane } from './dataplane';
import type { SoakOptions } from './options';
import type { Player } from './player';
import { CONTROL_FAULTS, FaultKind, Slot } from './schedule';

export interface FaultRecord {
  n: number;
  kind: FaultKind;
  cycle: number;
  /** Seconds since the start when it was injected, and when it was undone. */
  at: number;
  undoneAt: number | null;
  ok: boolean;
  error: string | null;
  /** Undone -> fibpush idle with a FIB that compared equal (seconds). */
  convergeS: number | null;
  /** Injected -> converged: how long the dataplane may have differed from zebra. */
  divergedS: number | null;
  /** Largest divergence any check of this fault saw (routes missing + wrong + extra). */
  maxDivergence: number;
  /** Routes lost during a fault of the control side (must be 0), from checks taken while it lasted. */
  lost: number | null;
  checks: FibResult[];
  /** Route add/dels the dataplane served from the undo to convergence (simulator). */
  routeCalls: number | null;
  notes: string[];
}

export interface FlapFigures {
  flaps: number;
  /** Group failovers to a backup the flaps caused (the model's count). */
  backupActivations: number;
}

export interface RunRecord {
  t0: number;
  loadS: number | null;
  loadCheck: FibResult | null;
  faults: FaultRecord[];
  skipped: Slot[];
  samples: ProcSample[];
  cycles: CycleMark[];
  flaps: FlapFigures;
  finalCheck: FibResult | null;
  errors: string[];
  divergence: { t: number; routes: number }[];
}

const now = () => performance.now();

export class SoakRun {
  readonly r: RunRecord;
  private flapsPaused = 0;
  private flapBusy: Promise<void> = Promise.resolve();
  private stopFlaps = false;
  private sampling = true;
  /** What fibpush last said it still had to do, while waiting for it to settle. */
  private pending = '';

  constructor(
    readonly o: SoakOptions,
    readonly player: Player,
    readonly daemon: Daemon,
    readonly dp: Dataplane,
    readonly swIfIndexes: number[],
    readonly progress: (s: string) => void,
    t0: number,
    /** Churn pauses from each undo until convergence: without an end-of-replay marker a replay only ends once zebra is quiet. */
    readonly quietAfterFault = false,
  ) {
    this.r = { t0, loadS: null, loadCheck: null, faults: [], skipped: [], samples: [], cycles: [], flaps: { flaps: 0, backupActivations: 0 }, finalCheck: null, errors: [], divergence: [] };
  }

  private sec(t = now()): number {
    return (t - this.r.t0) / 1000;
  }

  private note(c: FibResult): FibResult {
    this.r.divergence.push({ t: c.t, routes: divergence(c) });
    return c;
  }

  // ---------------------------------------------------------------- waiting

  /** Polls fibpush's status until it is settled (replay over, nothing queued or in flight). */
  async waitSettled(ms: number): Promise<StatusReport | null> {
    const until = now() + ms;
    while (now() < until) {
      if (this.daemon.alive) {
        try {
          const s = await this.daemon.status(5000);
          if (settled(s)) return s;
          this.pending = unsettled(s).join(', ');
        } catch {
          /* restarting, or busy: ask again */
        }
      }
      await sleep(250);
    }
    return null;
  }

  /** Churn and flaps paused, fibpush settled, then the FIB compared; churn resumes. */
  async quietCheck(sinceMark: boolean, settleMs = 20_000): Promise<{ check: FibResult | null; status: StatusReport | null }> {
    this.player.pause();
    await this.pauseFlaps();
    try {
      const st = await this.waitSettled(settleMs);
      if (!st) return { check: null, status: null };
      return { check: this.note(await this.player.check(sinceMark)), status: st };
    } finally {
      this.resumeFlaps();
      this.player.resume();
    }
  }

  // ---------------------------------------------------------------- load

  async load(): Promise<boolean> {
    const t = now();
    await this.player.start();
    const until = t + Math.max(120_000, this.o.routes / 2) + this.o.convergeTimeout * 1000;
    let last: FibResult | null = null;
    // zebra's table may still be arriving (a real zebra installs the BGP feed over seconds): compare until equal.
    while (now() < until) {
      const { check } = await this.quietCheck(false, until - now());
      if (!check) break;
      last = check;
      if (exact(check)) {
        this.r.loadS = (check.t * 1000 + this.r.t0 - t) / 1000;
        this.r.loadCheck = check;
        this.progress(`loaded ${this.player.routes().toLocaleString('en-US')} routes in ${this.r.loadS.toFixed(1)} s; FIB equals zebra's`);
        return true;
      }
      await sleep(1000);
    }
    this.r.loadCheck = last;
    this.r.errors.push(`load: the dataplane's FIB never equalled zebra's after the initial sync: ${last ? last.examples.slice(0, 3).join('; ') : 'fibpush did not settle'}`);
    return false;
  }

  // ---------------------------------------------------------------- background: samples and flaps

  async sampler(): Promise<void> {
    while (this.sampling) {
      if (this.daemon.alive) {
        try {
          this.r.samples.push({ t: this.sec(), rssMB: this.daemon.rss() / 1048576, fds: this.daemon.fds(), cpuS: this.daemon.cpuSeconds() });
        } catch {
          /* the process went away between the check and the read */
        }
      }
      await sleep(2000);
    }
  }

  private async pauseFlaps(): Promise<void> {
    this.flapsPaused++;
    await this.flapBusy;
  }

  private resumeFlaps(): void {
    this.flapsPaused = Math.max(0, this.flapsPaused - 1);
  }

  async flapper(): Promise<void> {
    if (this.o.flapEvery <= 0 || !this.dp.sim || this.swIfIndexes.length === 0) return;
    let k = 0;
    while (!this.stopFlaps) {
      await sleep(this.o.flapEvery * 1000);
      if (this.stopFlaps || this.flapsPaused > 0) continue;
      const sw = this.swIfIndexes[k++ % this.swIfIndexes.length];
      this.flapBusy = (async () => {
        await this.dp.setInterface(sw, false);
        this.r.flaps.backupActivations += this.player.interfaceChanged(sw, false);
        await sleep(2000);
        await this.dp.setInterface(sw, true);
        this.player.interfaceChanged(sw, true);
        this.r.flaps.flaps++;
      })().catch((e: Error) => {
        this.r.errors.push(`interface flap of sw_if_index ${sw}: ${e.message}`);
      });
      await this.flapBusy;
    }
  }

  stopBackground(): void {
    this.sampling = false;
    this.stopFlaps = true;
  }

  // ---------------------------------------------------------------- faults

  async fault(slot: Slot, n: number): Promise<FaultRecord> {
    const o = this.o;
    const rec: FaultRecord = {
      n, kind: slot.kind, cycle: slot.cycle, at: 0, undoneAt: null, ok: false, error: null, convergeS: null, divergedS: null,
      maxDivergence: 0, lost: null, checks: [], routeCalls: null, notes: [],
    };
    const control = CONTROL_FAULTS.includes(slot.kind);
    const holdMs = o.holdSeconds * 1000;
    // Start from a dataplane equal to zebra (churn paused until it is): every route zebra has
    // when the fault begins is then known to be in the dataplane, and "lost" means lost.
    this.player.pause();
    await this.pauseFlaps();
    let pre = false;
    const preUntil = now() + 30_000;
    while (!pre && now() < preUntil) {
      if (!(await this.waitSettled(preUntil - now()))) break;
      const c = await this.player.check(false).catch(() => null);
      if (c && exact(c)) pre = true;
      else await sleep(300);
    }
    if (pre) await this.player.markBefore();
    this.player.resume();
    if (!pre) rec.notes.push('the dataplane did not equal zebra before the fault (lost routes are then not counted)');
    const sample = async (what: string) => {
      try {
        const c = this.note(await this.player.check(control && pre));
        rec.checks.push(c);
        rec.maxDivergence = Math.max(rec.maxDivergence, divergence(c));
        if (c.lost !== null) rec.lost = (rec.lost ?? 0) + c.lost;
        if (c.lost) rec.notes.push(`${what}: ${c.lost} routes lost: ${c.examples.slice(0, 2).join('; ')}`);
      } catch (e) {
        rec.notes.push(`${what}: no check (${(e as Error).message})`);
      }
    };
    const t0 = now();
    rec.at = this.sec(t0);
    let calls0: number | null = null;
    let failBefore: Record<string, number> | null = null;
    const undone = async () => {
      rec.undoneAt = this.sec();
      calls0 = await this.dp.routeCalls();
    };
    try {
      switch (slot.kind) {
        case 'zebra-cut':
          await this.player.away();
          await sleep(holdMs);
          await sample('while zebra was away');
          await this.player.back();
          await undone();
          break;
        case 'zebra-restart':
          await this.player.kill();
          await sleep(holdMs);
          await sample('while zebra was down');
          await this.player.restart();
          await undone();
          break;
        case 'fibpush-kill':
        case 'fibpush-term': {
          const sig = slot.kind === 'fibpush-kill' ? 'SIGKILL' : 'SIGTERM';
          const ex = await this.daemon.stop(sig);
          if (sig === 'SIGTERM' && ex.code !== 0) rec.notes.push(`fibpush exited with code ${ex.code} signal ${ex.signal} on SIGTERM (expected a clean exit 0)`);
          if (sig === 'SIGTERM') rec.notes.push(`SIGTERM -> exit in ${Math.round(ex.ms)} ms`);
          await sleep(holdMs);
          await sample('while fibpush was down');
          await this.daemon.start();
          await undone();
          break;
        }
        case 'dp-close':
          rec.notes.push(`${await this.dp.closeSocket()} API connection(s) closed`);
          await undone();
          break;
        case 'dp-restart':
          await this.dp.restartEmpty(Math.min(holdMs, 2000));
          await undone();
          await sample('right after the restart');
          break;
        case 'dp-slow': {
          await this.dp.setDelay(o.slowUs);
          await sleep(holdMs);
          // No dump while slowed (it would crawl at the same pace): the backlog tells the story.
          const st = await this.daemon.status().catch(() => null);
          if (st) rec.notes.push(`backlog at the end of the slow stretch: ${st.queueDepth} queued, ${st.vppInFlight} in flight`);
          await this.dp.setDelay(0);
          await undone();
          break;
        }
        case 'dp-fail': {
          failBefore = await this.failFigures();
          await this.dp.setFailRate(o.failFraction, o.seed + n);
          await sleep(holdMs);
          await sample('while requests failed');
          await this.dp.setFailRate(0, 0);
          await undone();
          break;
        }
        case 'garbage-client':
        case 'silent-client':
        case 'done-client': {
          await this.player.away();
          await sleep(300);
          const kind = slot.kind === 'garbage-client' ? 'garbage' : slot.kind === 'silent-client' ? 'silent' : 'done';
          // The silent client stays past fibpush's quiet period: that is when a replay with nothing in it would "end".
          const hold = kind === 'silent' ? QUIET_PERIOD_MS + 2500 : Math.max(1500, holdMs);
          const c0 = await this.fpmCounters();
          const cl = this.player.client(kind, hold, o.seed + n);
          await sleep(hold - 800);
          await sample(`while the ${kind} client held the FPM port`);
          const res = await cl;
          const c1 = await this.fpmCounters();
          const d = (k: string) => (c1[k] ?? 0) - (c0[k] ?? 0);
          rec.notes.push(`${kind} client: fibpush accepted ${d('connections')}, refused ${d('refused')}, refused as not zebra's user ${d('refusedPeer')}, ` +
            `stream errors ${d('badFrames')}; closed by ${res.closedBy === 'us' ? 'the client' : 'fibpush'} after ${Math.round(res.ms)} ms`);
          // A client of another user than zebra's (the soak's own uid, with a real zebra running as frr)
          // is turned away unread by the peer check; one of zebra's user gets as far as a stream error.
          const dropped = d('badFrames') >= 1 || d('refusedPeer') >= 1;
          // fibpush ends it (a close, or a reset the client sees as an error), not the client's timer.
          if (kind === 'garbage' && (res.closedBy === 'us' || !dropped)) rec.notes.push('fibpush did not drop the garbage connection on a stream error');
          await this.player.back();
          if (kind === 'garbage') {
            // And one while zebra is connected: refused at once, zebra undisturbed.
            await this.waitZebra(15_000);
            const e0 = await this.fpmCounters();
            await this.player.client('garbage', 1000, o.seed + n + 1);
            const e1 = await this.fpmCounters();
            // Refused as a second client, or (another user's) by the peer check: either way unread.
            const refused = (e1.refused ?? 0) - (e0.refused ?? 0) + (e1.refusedPeer ?? 0) - (e0.refusedPeer ?? 0);
            rec.notes.push(`garbage client while zebra was connected: ${refused === 1 ? 'refused' : `refused ${refused} times`}`);
            if (refused !== 1) rec.notes.push('a second FPM client was accepted while zebra was connected');
          }
          await undone();
          break;
        }
      }
    } catch (e) {
      rec.error = `injecting ${slot.kind}: ${(e as Error).message}`;
    } finally {
      this.resumeFlaps();
    }
    if (!rec.error) await this.converge(rec, t0, calls0);
    await this.judge(rec, failBefore);
    return rec;
  }

  private async fpmCounters(): Promise<Record<string, number>> {
    try {
      return (await this.daemon.status(5000)).counters;
    } catch {
      return {};
    }
  }

  private async waitZebra(ms: number): Promise<void> {
    const until = now() + ms;
    while (now() < until) {
      try {
        if ((await this.daemon.status(5000)).zebra === 'connected') return;
      } catch {
        /* ask again */
      }
      await sleep(200);
    }
  }

  /** Settle-and-compare until exact or the timeout; records convergence and divergence. */
  private async converge(rec: FaultRecord, t0: number, calls0: number | null): Promise<void> {
    const tu = now();
    const until = tu + this.o.convergeTimeout * 1000;
    let last: FibResult | null = null;
    if (this.quietAfterFault) this.player.pause();
    try {
      await this.convergeLoop(rec, t0, calls0, tu, until, (c) => (last = c));
    } finally {
      if (this.quietAfterFault) this.player.resume();
    }
    if (rec.convergeS !== null || rec.error) return;
    const l = last as FibResult | null;
    rec.error = `no convergence within ${this.o.convergeTimeout} s of the undo: ${l ? `${l.missing} missing, ${l.wrong} wrong, ${l.extra} extra, e.g. ${l.examples.slice(0, 4).join('; ')}` : `fibpush never settled (last seen: ${this.pending || 'no status'})`}`;
  }

  private async convergeLoop(rec: FaultRecord, t0: number, calls0: number | null, tu: number, until: number, setLast: (c: FibResult) => void): Promise<void> {
    while (now() < until) {
      if (!this.daemon.alive) {
        rec.error = 'fibpush is not running';
        return;
      }
      const st = await this.waitSettled(until - now());
      if (!st) break;
      const tSettled = now();
      const { check } = await this.quietCheck(false, Math.max(1000, until - now()));
      if (!check) break;
      setLast(check);
      rec.checks.push(check);
      rec.maxDivergence = Math.max(rec.maxDivergence, divergence(check));
      if (exact(check)) {
        rec.convergeS = (tSettled - tu) / 1000;
        rec.divergedS = (tSettled - t0) / 1000;
        const calls1 = await this.dp.routeCalls();
        if (calls0 !== null && calls1 !== null) rec.routeCalls = calls1 - calls0;
        return;
      }
      await sleep(1000);
    }
  }

  private async failFigures(): Promise<Record<string, number>> {
    const st = await this.daemon.status();
    const c = st.dataplane.counters ?? {};
    const sc = await this.dp.counters();
    const f = this.player.figures();
    return {
      injected: sc?.injectedFailures ?? 0,
      retries: c.routeRetries ?? 0,
      superseded: c.supersededRetries ?? 0,
      routesFailed: c.routesFailed ?? 0,
      nhgsFailed: c.nhgsFailed ?? 0,
      failures: st.failures,
      offloadFailed: f.offloadFailed ?? 0,
      logLines: this.daemon.log.routeFailureLines,
    };
  }

  /** The verdict of one fault: converged, nothing lost on the control side, failures seen and reported. */
  private async judge(rec: FaultRecord, before: Record<string, number> | null): Promise<void> {
    const problems: string[] = [];
    if (rec.error) problems.push(rec.error);
    if (rec.lost) problems.push(`${rec.lost} routes zebra did not change were lost from the dataplane during the fault`);
    const bad = rec.notes.filter((x) => /expected a clean exit|did not drop the garbage|was accepted while zebra/.test(x));
    problems.push(...bad);
    if (before) {
      try {
        const after = await this.failFigures();
        const d = (x: string) => (after[x] ?? 0) - (before[x] ?? 0);
        const injected = d('injected');
        const seen = d('retries') + d('superseded') + d('routesFailed') + d('nhgsFailed');
        rec.notes.push(
          `dp-fail: ${injected} requests failed on purpose; fibpush retried ${d('retries')}, superseded ${d('superseded')}, gave up on ${d('routesFailed')} routes and ${d('nhgsFailed')} group calls; ` +
            `status failures +${d('failures')}, route failure log lines +${d('logLines')}, RTM_F_OFFLOAD_FAILED to zebra +${d('offloadFailed')}`,
        );
        if (injected === 0) problems.push('dp-fail: no request failed (fault not effective)');
        if (seen < injected) problems.push(`dp-fail: ${injected} failures injected but fibpush accounted for only ${seen}`);
        if (d('routesFailed') > 0 && (d('logLines') === 0 || d('failures') === 0)) problems.push('dp-fail: routes given up on without a log line or a failure count');
        if (d('routesFailed') > 0 && this.player.figures().offloadFailed !== null && d('offloadFailed') === 0) problems.push('dp-fail: routes given up on but zebra was never told RTM_F_OFFLOAD_FAILED');
      } catch (e) {
        problems.push(`dp-fail: figures unavailable: ${(e as Error).message}`);
      }
    }
    rec.ok = problems.length === 0;
    if (!rec.ok) rec.error = problems.join('; ');
  }

  // ---------------------------------------------------------------- the whole run

  async run(slots: Slot[], churnEnd: number): Promise<void> {
    const churnStart = now();
    this.player.startChurn();
    const bg = [this.sampler(), this.flapper()];
    let n = 0;
    for (const slot of slots) {
      const due = churnStart + slot.at * 1000;
      if (now() < due) await sleep(due - now());
      // Not enough time left for this fault to settle and be checked: skip it (and the rest).
      if (now() + Math.min(this.o.convergeTimeout, 20) * 1000 > churnEnd) {
        this.r.skipped.push(...slots.slice(n));
        break;
      }
      n++;
      const rec = await this.fault(slot, n);
      this.r.faults.push(rec);
      this.progress(
        `${this.sec().toFixed(0).padStart(5)} s  #${n} ${slot.kind.padEnd(14)} ${rec.ok ? 'ok ' : 'FAILED'} ` +
          `converged in ${rec.convergeS === null ? '-' : rec.convergeS.toFixed(2)} s, max divergence ${rec.maxDivergence.toLocaleString('en-US')}` +
          `${rec.lost !== null ? `, lost ${rec.lost}` : ''}${rec.error ? `: ${rec.error.slice(0, 300)}` : ''}`,
      );
      if (slot.endsCycle && rec.ok && this.daemon.alive) {
        // Cycle end: the same faults behind it every time, fibpush idle and churn paused while it is read.
        this.r.cycles.push({ cycle: slot.cycle, t: this.sec(), rssMB: this.daemon.rss() / 1048576, fds: this.daemon.fds(), pid: this.daemon.pid });
      }
    }
    if (now() < churnEnd) await sleep(churnEnd - now());
    // Churn stops; zebra may still be passing on its last changes (bgpd -> zebra -> FPM): compare until equal or the timeout.
    this.player.pause();
    const finUntil = now() + Math.max(30_000, this.o.convergeTimeout * 1000);
    let fin: FibResult | null = null;
    while (now() < finUntil) {
      const c = await this.quietCheck(false, finUntil - now());
      if (!c.check) break;
      fin = c.check;
      if (exact(fin)) break;
      await sleep(1000);
    }
    this.r.finalCheck = fin;
    if (!fin) this.r.errors.push('end: fibpush did not settle for the final check');
    else if (!exact(fin)) this.r.errors.push(`end: the dataplane's FIB differs from zebra's: ${fin.examples.slice(0, 4).join('; ')}`);
    this.stopBackground();
    await Promise.all(bg);
  }
}

/** fibpush's --quiet-period in the soak (the silent client outlasts it). */
export const QUIET_PERIOD_MS = 2000;

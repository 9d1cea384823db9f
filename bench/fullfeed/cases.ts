// The full-feed benchmark's cases, each run in a fresh process: the raw TCP floor, fibpush (load, NHG change, churn, failover, FIB checks), its variants, the minimal client, and the stalled dataplane.
//
// Every fibpush case starts its own dataplane (a fresh simulator unless a real VPP is given) and
// its own `fibpush run`, then plays zebra over TCP loopback: the whole table written as fast as
// the socket takes it, then changes. "Acknowledged" is what zebra would see: the offload
// notification (RTM_F_OFFLOAD) fibpush sends back once the dataplane answered for that route
// (ts/fpm/feedback.ts; fpm-extensions.md section 3). fibpush only sends it after VPP's reply
// with retval 0, so the arrival time at zebra bounds the programming time from above; its rate
// limit is raised so that it never paces the measurement (it still ticks every 10 ms).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FpmEncoder } from '../../ts/codec/encoder';
import type { StatusReport } from '../../ts/daemon/status';
import { Rng } from '../../ts/gen/rng';
import { encodeTable, NO_NH, renumbered } from '../../ts/gen/fulltable';
import { DEFAULT_PIC_TABLE } from '../../ts/vpp/programmer';
import { VppSimulator } from '../../ts/vpp-sim';
import type { IfaceSpec, SimCounters } from '../../ts/vpp-sim';
import { dumpCheck, FibCheck, memoryCheck, memorySig, ControlConn, normPrefix, simLookupCheck, simSig } from './fibcheck';
import { FamilyIx, FeedModel } from './model';
import { cpuSeconds, FibpushProc, sleep, waitFor } from './procs';
import { startVpp, stopVpp } from '../vpp-run';
import { formatAddr } from '../../ts/addr';
import { cleanVpp, rawClient } from './rawclient';
import { changedGroup, encodeNexthop, encodeReplace, encodeWithdraw, ZebraSide } from './zebra';

export * from './types';
import { newResult } from './types';
import type { CaseName, CaseResult, Churn, Failover, Latency, NhgChange, Renumber, Spec } from './types';
import { floorCase } from './floor';
export { floorServer } from './floor';

const log = (s: string) => process.stderr.write(`  ${s}\n`);

function percentile(a: number[], p: number): number | null {
  if (a.length === 0) return null;
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function latency(events: number, ms: number[]): Latency {
  const r = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
  return { events, acked: ms.length, p50Ms: r(percentile(ms, 50)), p99Ms: r(percentile(ms, 99)), maxMs: r(ms.length ? Math.max(...ms) : null) };
}

function callDelta(a: SimCounters, b: SimCounters): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(b.calls)) {
    const d = v - (a.calls[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

const routeCalls = (d: Record<string, number>) => (d.ip_route_add_del ?? 0) + (d.ip_route_add_del_v2 ?? 0);

// ---------------------------------------------------------------- the environment of one case

/** The dataplane of a case: a fresh simulator, a real VPP, or none (memory). */
class Env {
  sim: VppSimulator | null = null;
  socket: string | null = null;
  readonly dir: string;
  readonly mapFile: string;

  constructor(
    readonly spec: Spec,
    readonly m: FeedModel,
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-fullfeed-'));
    this.mapFile = path.join(this.dir, 'interfaces.map');
    fs.writeFileSync(this.mapFile, m.interfaceMapText());
  }

  async start(): Promise<void> {
    if (this.spec.dataplane === 'simulator') {
      // One VPP interface per upstream, a linux-cp pair with the Linux ifindex the stream names.
      const interfaces: IfaceSpec[] = [...this.m.ifSw].map(([ifindex, sw], i) => ({
        swIfIndex: sw,
        name: `GigabitEthernet0/${8 + i}/0`,
        hostIfIndex: ifindex,
        hostName: this.m.t.upstreams[i]?.name ?? `up${i + 1}`,
      }));
      this.sim = await VppSimulator.start({ interfaces, seed: this.spec.seed });
      this.socket = this.sim.apiSocket;
    } else if (this.spec.vppRun) {
      this.vppPid = startCaseVpp(this.spec.vppRun, this.m);
      this.socket = path.join(this.spec.vppRun, 'api.sock');
    } else if (this.spec.dataplane === 'vpp') {
      // A real VPP is shared by every case: start each from the state a fresh one has.
      const socket = this.spec.vppSocket;
      if (socket === null) throw new Error('a case on a real VPP needs its API socket (--vpp-socket)');
      this.socket = socket;
      await cleanVpp(socket, this.m, DEFAULT_PIC_TABLE, this.spec.timeoutMs * 0.3);
    }
  }

  /** The real VPP this case started (--vpp-run), or 0. */
  vppPid = 0;

  daemonArgs(extra: string[]): string[] {
    const dp = this.spec.dataplane === 'memory'
      ? ['--dataplane', 'memory']
      : ['--dataplane', 'vpp', '--vpp-socket', this.socket as string, '--interface-map', this.mapFile];
    // Feedback is how zebra (and this benchmark) learns a route is in: by default at its highest
    // rate, so that it does not pace the measurement.
    const sized = this.spec.expectedRoutes > 0 ? ['--expected-routes', String(this.spec.expectedRoutes)] : [];
    return [...dp, '--feedback-rate', String(this.spec.feedbackRate), ...sized, '--quiet-period', '1000', ...extra];
  }

  async counters(): Promise<SimCounters | null> {
    return this.sim ? this.sim.counters() : null;
  }

  dataplaneCpu(): number | null {
    if (this.vppPid) return cpuSeconds(this.vppPid);
    return this.sim ? this.sim.cpuMs() / 1000 : null;
  }

  async close(): Promise<void> {
    if (this.sim) await this.sim.stop().catch(() => undefined);
    if (this.vppPid) stopVpp(this.vppPid);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A fresh real VPP in `dir` with one loopback per upstream of the table, each on the link of the next hops --nexthops gives it. */
function startCaseVpp(dir: string, m: FeedModel): number {
  const sws = [...new Set([...m.ifSw.values()])].sort((a, b) => a - b);
  const lines: string[] = [];
  for (let i = 0; i < (sws[sws.length - 1] ?? 0); i++) lines.push('create loopback interface');
  for (const a of m.nexthopArgs) {
    const itf = `loop${a.sw - 1}`;
    if (a.family === 4) lines.push(`set interface ip address ${itf} ${a.addr[0]}.${a.addr[1]}.${a.addr[2]}.${a.addr[3] === 1 ? 254 : 1}/24`);
    else lines.push(`set interface ip address ${itf} ${formatAddr(6, Uint8Array.from([...a.addr.subarray(0, 8), 0, 0, 0, 0, 0, 0, 0, a.addr[15] === 1 ? 254 : 1]))}/64`);
  }
  for (const sw of sws) lines.push(`set interface state loop${sw - 1} up`);
  return startVpp(dir, lines);
}

/** Whether fibpush has nothing left to do: queue empty, nothing in flight, no retry or feedback waiting. */
function idle(s: StatusReport): boolean {
  const c = s.dataplane.counters ?? {};
  return s.queueDepth === 0 && s.vppInFlight === 0 && (c.retriesPending ?? 0) === 0 && (s.feedback.counters.queued ?? 0) === 0;
}

// ---------------------------------------------------------------- load: zebra's replay

interface Load {
  zebra: ZebraSide;
  /** Called for offloads outside the load (churn); set by the caller after the load. */
  onOther: ((f: FamilyIx, i: number, failed: boolean, now: number) => void) | null;
}

/**
 * Connects as zebra, writes the whole table and waits until every route is acknowledged (or,
 * with `waitAcks` false, only until fibpush has read it all). Fills the load figures of `r`.
 */
async function load(env: Env, fp: FibpushProc, bytes: Buffer, r: CaseResult, waitAcks: boolean): Promise<Load> {
  const m = env.m;
  const total = m.routes;
  const acked: [Uint8Array, Uint8Array] = [new Uint8Array(m.sets[0].count), new Uint8Array(m.sets[1].count)];
  let nOk = 0;
  let nFailed = 0;
  let lastAck = 0;
  let loading = true;
  const st: Load = { zebra: null as unknown as ZebraSide, onOther: null };
  const hook = (f: FamilyIx, i: number, failed: boolean, now: number) => {
    if (loading && acked[f][i] === 0) {
      acked[f][i] = failed ? 2 : 1;
      if (failed) nFailed++;
      else nOk++;
      lastAck = now;
      return;
    }
    st.onOther?.(f, i, failed, now);
  };
  r.rssBaselineBytes = fp.rss('VmRSS');
  const cpu0 = fp.cpuSeconds();
  const dcpu0 = env.dataplaneCpu();
  const calls0 = await env.counters();
  const zebra = await ZebraSide.connect(fp.port, m, hook);
  st.zebra = zebra;
  const t0 = zebra.connectedAt;
  // Metrics every sampleMs: routes read and programmed over time (the plot), and when the read ended.
  let sampling = true;
  let readPolled: number | null = null;
  let replaySeconds = 0;
  const sampler = (async () => {
    while (sampling) {
      const t = performance.now();
      try {
        const mx = await fp.metrics();
        // Stamped when the answer arrived: what it reports had happened by then.
        const ta = performance.now();
        r.samples.push({
          t: (ta - t0) / 1000,
          read: mx.sum('fibpush_routes'),
          programmed: mx.sum('fibpush_route_results_total'),
        });
        if (readPolled === null && mx.sum('fibpush_fpm_bytes_total') >= bytes.length) readPolled = (ta - t0) / 1000;
        replaySeconds = mx.sum('fibpush_replay_seconds');
      } catch {
        /* a slow answer is a gap in the plot, not a failure */
      }
      const wait = env.spec.sampleMs - (performance.now() - t);
      if (wait > 0) await sleep(wait);
    }
  })();
  try {
    await zebra.write(bytes);
    const deadline = env.spec.timeoutMs * 0.6;
    if (env.spec.endMarker) {
      // fibpush_replay_seconds: zebra connected -> end-of-replay marker ingested, timed by fibpush itself.
      await waitFor('fibpush to read the whole table (end of replay)', () => replaySeconds > 0 || !fp.alive, deadline, 10);
      r.readSeconds = replaySeconds;
      r.readSource = 'fibpush: zebra connected -> end-of-replay marker ingested';
    } else {
      await waitFor('fibpush to read every byte', () => readPolled !== null || !fp.alive, deadline, 10);
      r.readSeconds = readPolled;
      r.readSource = `metrics polled every ${env.spec.sampleMs} ms until every byte was read`;
    }
    if (!fp.alive) throw new Error(`fibpush exited: ${fp.logTail()}`);
    if (waitAcks) {
      await waitFor(`offload notifications for all ${total} routes`, () => nOk + nFailed >= total || !fp.alive, deadline, 10);
      if (!fp.alive) throw new Error(`fibpush exited: ${fp.logTail()}`);
      r.programmedSeconds = (lastAck - t0) / 1000;
    }
  } finally {
    sampling = false;
    await sampler;
  }
  loading = false;
  if (zebra.unknown > 0) r.notes.push(`${zebra.unknown} offload notifications named routes zebra never sent`);
  r.acked = nOk;
  r.failed = nFailed;
  r.cpuSeconds = fp.cpuSeconds() - cpu0;
  const dcpu1 = env.dataplaneCpu();
  r.dataplaneCpuSeconds = dcpu0 !== null && dcpu1 !== null ? dcpu1 - dcpu0 : null;
  r.rssPeakBytes = fp.rss('VmHWM');
  r.rssBytesPerRoute = (r.rssPeakBytes - r.rssBaselineBytes) / total;
  const calls1 = await env.counters();
  if (calls0 && calls1) {
    r.apiCallsByName = callDelta(calls0, calls1);
    r.apiCalls = routeCalls(r.apiCallsByName);
  } else {
    const s = await fp.status();
    r.apiCalls = s.dataplane.counters?.client_sent ?? null;
  }
  return st;
}

// ---------------------------------------------------------------- forwarding probes

/** How the case reads one route's forwarding from the dataplane itself (null: it cannot). */
type Probe = ((f: FamilyIx, i: number) => Promise<string>) | null;
/** The prefix the dataplane's longest-prefix match finds for a route's own prefix ('' for none). */
type MatchProbe = ((f: FamilyIx, i: number) => Promise<string>) | null;

function makeProbes(env: Env, conn: ControlConn | null): { sig: Probe; match: MatchProbe } {
  const m = env.m;
  if (env.sim) {
    const sim = env.sim;
    return { sig: async (f, i) => (await simSig(sim, m.prefix(f, i))).sig, match: async (f, i) => (await simSig(sim, m.prefix(f, i))).matched };
  }
  if (conn) {
    return { sig: async (f, i) => (await memorySig(conn, m, m.prefix(f, i))).sig, match: async (f, i) => (await memorySig(conn, m, m.prefix(f, i))).matched };
  }
  return { sig: null, match: null };
}

/** What the probe should read for a route now. */
function want(env: Env, f: FamilyIx, i: number): string {
  const k = env.m.nh[f][i];
  return env.spec.dataplane === 'memory' ? env.m.configSig(k) : env.m.sig(k);
}

/** The first present user of every nexthop object: reserved as probes, never churned. */
function probesByObject(m: FeedModel): Map<number, { f: FamilyIx; i: number }[]> {
  const out = new Map<number, { f: FamilyIx; i: number }[]>();
  for (const f of [0, 1] as const) {
    for (let i = 0; i < m.nh[f].length; i++) {
      if (!m.present[f][i]) continue;
      const k = m.nh[f][i];
      let a = out.get(k);
      if (!a) out.set(k, (a = []));
      if (a.length < 3) a.push({ f, i });
    }
  }
  return out;
}

async function fibCheck(env: Env, fp: FibpushProc, phase: string, r: CaseResult): Promise<FibCheck> {
  let c: FibCheck;
  if (env.spec.dataplane === 'memory') {
    const s = await fp.status();
    c = await memoryCheck(fp.control, env.m, s.dataplane.routes, env.spec.seed + r.fib.length);
  } else {
    c = await dumpCheck(env.socket as string, env.m);
    if (env.sim) await simLookupCheck(env.sim, env.m, c, env.spec.lookups, env.spec.seed + 17 * (r.fib.length + 1));
  }
  r.fib.push({ phase, check: c });
  log(`FIB check (${phase}): ${c.ok ? 'matches' : 'DIFFERS'}: ${c.checked}/${c.expected} routes compared, ${c.missing} missing, ${c.wrong} wrong, ${c.extra} extra, ${c.lookupsWrong}/${c.lookups} lookups wrong (${c.seconds.toFixed(1)} s)`);
  for (const e of c.examples) log(`  ${e}`);
  return c;
}

/** Waits (polling metrics, which cost fibpush little) until its queue is empty and nothing is in flight; then one status. */
async function waitIdle(fp: FibpushProc, ms: number): Promise<StatusReport> {
  await waitFor('fibpush to be idle', async () => {
    const mx = await fp.metrics();
    return mx.sum('fibpush_queue_depth') === 0 && mx.sum('fibpush_dataplane_in_flight') === 0;
  }, ms, 5);
  return waitFor('fibpush to be idle', async () => {
    const s = await fp.status();
    return idle(s) ? s : undefined;
  }, ms, 20);
}

// ---------------------------------------------------------------- NHG change: PIC vs inline

async function nhgChange(env: Env, fp: FibpushProc, z: ZebraSide, probe: Probe): Promise<NhgChange> {
  const m = env.m;
  const users = m.users();
  const k = m.busiest().find((x) => (m.obj(x).group?.length ?? 0) >= 2);
  if (k === undefined) throw new Error('no nexthop group with two or more members to change');
  const before = m.obj(k);
  const after = changedGroup(before, true);
  if (!after) throw new Error(`nexthop object ${before.id} cannot be changed`);
  // Probes: the first, middle and last dependent in table order.
  const deps: { f: FamilyIx; i: number }[] = [];
  for (const f of [0, 1] as const) for (let i = 0; i < m.nh[f].length; i++) if (m.present[f][i] && m.nh[f][i] === k) deps.push({ f, i });
  const probes = [deps[0], deps[deps.length >> 1], deps[deps.length - 1]];
  const s0 = await waitIdle(fp, 30_000);
  const messages0 = (await fp.metrics()).sum('fibpush_fpm_messages_total');
  const c0 = await env.counters();
  const e = new FpmEncoder();
  encodeNexthop(e, after);
  const t0 = performance.now();
  await z.write(e.toBuffer());
  m.setObject(k, after);
  await waitFor('fibpush to take the NHG change', async () => (await fp.metrics()).sum('fibpush_fpm_messages_total') > messages0, 30_000, 2);
  await waitFor('the NHG change to reach the dataplane', async () => {
    if (probe) for (const p of probes) if ((await probe(p.f, p.i)) !== want(env, p.f, p.i)) return false;
    const mx = await fp.metrics();
    return mx.sum('fibpush_queue_depth') === 0 && mx.sum('fibpush_dataplane_in_flight') === 0;
  }, 60_000, 2);
  const seconds = (performance.now() - t0) / 1000;
  const c1 = await env.counters();
  const s1 = await fp.status();
  const apiCalls = c0 && c1 ? routeCalls(callDelta(c0, c1)) : (s1.dataplane.counters?.client_sent ?? 0) - (s0.dataplane.counters?.client_sent ?? 0);
  log(`NHG change: group ${before.id} "${before.label}" (${users.get(k)} routes) -> "${after.label}": ${apiCalls} API calls, ${(seconds * 1000).toFixed(1)} ms`);
  return { nhg: before.id, label: before.label, dependents: users.get(k) ?? 0, apiCalls, callsSource: c0 ? 'simulator' : 'fibpush', seconds };
}

// ---------------------------------------------------------------- renumber: zebra restarts

/**
 * zebra restarts: it reconnects and replays the same table with every nexthop id renumbered and
 * the groups in another order (a restarted zebra numbers them as it creates them). Nothing
 * forwards differently, so nothing should be written. The new connection replaces ld.zebra.
 */
async function renumber(env: Env, fp: FibpushProc, ld: Load): Promise<Renumber> {
  const m = env.m;
  const s0 = await waitIdle(fp, 60_000);
  const c0 = await env.counters();
  ld.zebra.close();
  await waitFor('fibpush to see zebra go', async () => (await fp.status()).zebra === 'disconnected', 30_000, 10);
  const r = renumbered(m.t, env.spec.seed + 7);
  const bytes = encodeTable(r.table, { nhgMode: true, endMarker: true, nexthopOrder: r.order });
  const t0 = performance.now();
  const hook = ld.zebra.hook;
  ld.zebra = await ZebraSide.connect(fp.port, m, hook);
  await ld.zebra.write(bytes);
  m.renumberTo(r.table.nexthops);
  const s1 = await waitFor('the renumbered replay swept', async () => {
    const x = await fp.status();
    const c = x.dataplane.counters ?? {};
    return x.epoch > s0.epoch && x.replay.state === 'ended' && x.nhgs === s0.nhgs && x.queueDepth === 0 && x.vppInFlight === 0 &&
      (c.retriesPending ?? 0) === 0 ? x : undefined;
  }, 600_000, 20);
  const seconds = (performance.now() - t0) / 1000;
  const c1 = await env.counters();
  const d0 = s0.dataplane.counters ?? {};
  const d1 = s1.dataplane.counters ?? {};
  const apiCalls = c0 && c1 ? routeCalls(callDelta(c0, c1)) : (d1.client_sent ?? 0) - (d0.client_sent ?? 0);
  const out: Renumber = {
    routes: m.routes, apiCalls, callsSource: c0 ? 'simulator' : 'fibpush', rewritesAvoided: (d1.rewritesAvoided ?? 0) - (d0.rewritesAvoided ?? 0), seconds,
  };
  log(`renumber: zebra back with every nexthop id renumbered: ${apiCalls} route API calls for ${m.routes} routes, ${out.rewritesAvoided} writes avoided, swept after ${seconds.toFixed(2)} s`);
  return out;
}

// ---------------------------------------------------------------- churn

async function churn(env: Env, fp: FibpushProc, ld: Load, probe: Probe, match: MatchProbe, reserved: Set<number>): Promise<Churn> {
  const m = env.m;
  const spec = env.spec;
  const rng = new Rng((spec.seed ^ 0x5eed) >>> 0);
  // Routes that churn may touch: BGP routes, each at most once, in a seeded order; probes excluded.
  const pool: number[] = [];
  const n4 = m.sets[0].count;
  for (const f of [0, 1] as const) {
    const s = m.sets[f];
    for (let i = 0; i < s.count; i++) if (m.present[f][i] && s.proto[i] === 186 && !reserved.has(f * n4 + i)) pool.push(f * n4 + i);
  }
  for (let i = pool.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  // Replacement targets per family: the objects BGP routes of that family use.
  const targets: [number[], number[]] = [[], []];
  for (const f of [0, 1] as const) {
    const seen = new Set<number>();
    for (let i = 0; i < m.sets[f].count; i++) if (m.sets[f].proto[i] === 186 && m.nh[f][i] !== NO_NH) seen.add(m.nh[f][i]);
    targets[f] = [...seen].sort((a, b) => a - b);
  }
  const probeOf = probesByObject(m);
  const groups = [...probeOf.keys()].filter((k) => k !== NO_NH && (m.obj(k).group?.length ?? 0) >= 2);
  const pending = new Map<number, { t: number; kind: 0 | 1 }>();
  const lat: [number[], number[], number[]] = [[], [], []];
  const slow: { atS: number; ms: number; kind: string }[] = [];
  const KIND = ['replace', 'withdraw', 'NHG change'];
  const record = (kind: 0 | 1 | 2, sent: number, ms: number) => {
    lat[kind].push(ms);
    slow.push({ atS: Math.round((sent - t0) / 10) / 100, ms: Math.round(ms * 100) / 100, kind: KIND[kind] });
    if (slow.length > 4096) {
      slow.sort((x, y) => y.ms - x.ms);
      slow.length = 512;
    }
  };
  const events: [number, number, number] = [0, 0, 0];
  ld.onOther = (f, i, _failed, now) => {
    const key = f * n4 + i;
    const p = pending.get(key);
    if (!p) return;
    pending.delete(key);
    record(p.kind, p.t, now - p.t);
  };
  // A withdrawal is acknowledged when the dataplane no longer has the prefix (its own lookup),
  // where it can be asked; else by fibpush's notification for it (a real VPP).
  const gone = new Map<number, number>();
  let watching = true;
  const watcher = (async () => {
    while (match && (watching || gone.size > 0)) {
      for (const [key, t] of [...gone]) {
        const f: FamilyIx = key < n4 ? 0 : 1;
        const i = f === 0 ? key : key - n4;
        if ((await match(f, i)) !== normPrefix(m.prefix(f, i))) {
          gone.delete(key);
          record(1, t, performance.now() - t);
        }
      }
      await sleep(1);
    }
  })();
  const nhgBusy = new Set<number>();
  const nhgProbes: Promise<void>[] = [];
  const c0 = await env.counters();
  const t0 = performance.now();
  const [mr, mw] = spec.churnMix;
  const mixTotal = spec.churnMix[0] + spec.churnMix[1] + spec.churnMix[2];
  let next = 0;
  let done = 0;
  const end = t0 + spec.churnSeconds * 1000;
  const e = new FpmEncoder({ initialSize: 1 << 16 });
  while (performance.now() < end && next < pool.length) {
    const due = Math.floor(((performance.now() - t0) / 1000) * spec.churnRate);
    e.reset();
    const nhgNow: { k: number; f: FamilyIx; i: number }[] = [];
    const routeNow: { key: number; kind: 0 | 1 }[] = [];
    for (; done < due && next < pool.length; done++) {
      const x = rng.next() * mixTotal;
      if (x >= mr + mw && probe) {
        const free = groups.filter((k) => !nhgBusy.has(k));
        if (free.length > 0) {
          const k = free[rng.int(free.length)];
          const after = changedGroup(m.obj(k), false);
          if (after) {
            encodeNexthop(e, after);
            m.setObject(k, after);
            nhgBusy.add(k);
            const pr = (probeOf.get(k) as { f: FamilyIx; i: number }[])[0];
            nhgNow.push({ k, f: pr.f, i: pr.i });
            events[2]++;
            continue;
          }
        }
      }
      const key = pool[next++];
      const f: FamilyIx = key < n4 ? 0 : 1;
      const i = f === 0 ? key : key - n4;
      if (x < mr || x >= mr + mw) {
        const cur = m.nh[f][i];
        const opts = targets[f].filter((k) => k !== cur);
        if (opts.length === 0) continue;
        const k = opts[rng.int(opts.length)];
        encodeReplace(e, m, f, i, m.obj(k).id);
        m.replace(f, i, k);
        routeNow.push({ key, kind: 0 });
        events[0]++;
      } else {
        encodeWithdraw(e, m, f, i);
        m.withdraw(f, i);
        routeNow.push({ key, kind: 1 });
        events[1]++;
      }
    }
    if (e.pos > 0) {
      const t = performance.now();
      for (const r of routeNow) {
        if (r.kind === 1 && match) gone.set(r.key, t);
        else pending.set(r.key, { t, kind: r.kind });
      }
      await ld.zebra.write(e.toBuffer());
      for (const n of nhgNow) {
        // Latency of an NHG change: until the dataplane forwards one of its routes the new way.
        const target = want(env, n.f, n.i);
        nhgProbes.push((async () => {
          try {
            await waitFor('an NHG change in the dataplane', async () => (await (probe as NonNullable<Probe>)(n.f, n.i)) === target, 30_000, 1);
            record(2, t, performance.now() - t);
          } catch {
            /* counted as not acknowledged */
          } finally {
            nhgBusy.delete(n.k);
          }
        })());
      }
    }
    await sleep(10);
  }
  const seconds = (performance.now() - t0) / 1000;
  await waitFor('offload notifications for every churned route', () => pending.size === 0 && gone.size === 0, 30_000, 10).catch(() => undefined);
  watching = false;
  gone.clear();
  await watcher;
  await Promise.all(nhgProbes);
  await waitIdle(fp, 30_000).catch(() => undefined);
  const c1 = await env.counters();
  const out: Churn = {
    seconds,
    rateAsked: spec.churnRate,
    events: events[0] + events[1] + events[2],
    replace: latency(events[0], lat[0]),
    withdraw: latency(events[1], lat[1]),
    nhg: latency(events[2], lat[2]),
    withdrawMethod: env.sim
      ? 'sent -> the simulator\'s lookup no longer matches the prefix (polled every ~1 ms)'
      : match
        ? 'sent -> the memory dataplane\'s lookup no longer matches the prefix'
        : 'sent -> fibpush\'s notification for the prefix reached zebra',
    nhgMethod: env.sim
      ? 'sent -> the simulator\'s lookup of a route using the group shows the new legs (polled every ~1 ms)'
      : probe
        ? 'sent -> the memory dataplane\'s lookup of a route using the group shows the new legs'
        : 'not measured (no way to read forwarding from this dataplane)',
    apiCalls: c0 && c1 ? routeCalls(callDelta(c0, c1)) : null,
    // One per send batch: the events of one batch share their fate.
    slowest: slow.sort((x, y) => y.ms - x.ms).filter((x, j, a) => a.findIndex((y) => y.atS === x.atS) === j).slice(0, 5),
  };
  ld.onOther = null;
  log(
    `churn: ${out.events} events in ${seconds.toFixed(1)} s (slowest: ${out.slowest.map((x) => `${x.kind} at ${x.atS} s ${x.ms} ms`).join(', ')}); replace p50/p99 ${out.replace.p50Ms}/${out.replace.p99Ms} ms (${out.replace.acked}/${out.replace.events}), ` +
      `withdraw ${out.withdraw.p50Ms}/${out.withdraw.p99Ms} ms (${out.withdraw.acked}/${out.withdraw.events}), NHG ${out.nhg.p50Ms}/${out.nhg.p99Ms} ms (${out.nhg.acked}/${out.nhg.events})`,
  );
  return out;
}

// ---------------------------------------------------------------- failover

async function failover(env: Env, fp: FibpushProc): Promise<Failover> {
  const m = env.m;
  const sim = env.sim as VppSimulator;
  const users = m.users();
  const k = m.busiest()[0];
  const o = m.obj(k);
  const leg = (m.legs(o) ?? []).find((l) => l.sw >= 0);
  if (!leg) throw new Error(`the busiest nexthop object ${o.id} has no interface`);
  const sw = leg.sw;
  // Every object with a leg on that interface is affected; one route of each is watched.
  const probeOf = probesByObject(m);
  const affected: number[] = [];
  for (const [x] of probeOf) {
    if (x === NO_NH) continue;
    const ob = m.obj(x);
    const legs = [...(m.legs(ob) ?? []), ...(ob.backupNhg !== undefined ? (m.legs(m.obj(m.nexthopIndex(ob.backupNhg))) ?? []) : [])];
    if (legs.some((l) => l.sw === sw)) affected.push(x);
  }
  const probes = affected.map((x) => (probeOf.get(x) as { f: FamilyIx; i: number }[])[0]);
  const s0 = await waitIdle(fp, 30_000);
  const c0 = await sim.counters();
  const t0 = performance.now();
  await sim.setInterface(sw, false);
  m.setInterface(sw, false);
  await waitFor('every affected route to forward around the failed link', async () => {
    for (const p of probes) if ((await simSig(sim, m.prefix(p.f, p.i))).sig !== m.sig(m.nh[p.f][p.i])) return false;
    return true;
  }, 30_000, 1);
  const seconds = (performance.now() - t0) / 1000;
  // fibpush hears sw_interface_event: give it time to react, then count what it sent.
  await sleep(500);
  const s1 = await waitIdle(fp, 30_000);
  const c1 = await sim.counters();
  const byName = callDelta(c0, c1);
  const reaction: Record<string, number> = {};
  const a = s0.dataplane.counters ?? {};
  const b = s1.dataplane.counters ?? {};
  for (const key of Object.keys(b)) if (!/bytes/i.test(key) && b[key] !== a[key]) reaction[key] = b[key] - (a[key] ?? 0);
  let affectedRoutes = 0;
  for (const x of affected) affectedRoutes += users.get(x) ?? 0;
  const out: Failover = {
    swIfIndex: sw, nhg: o.id, label: o.label, affectedNhgs: affected.length, affectedRoutes, seconds,
    apiCalls: routeCalls(byName), apiCallsByName: byName, fibpushReaction: reaction,
  };
  log(`failover: sw_if_index ${sw} down (member of group ${o.id} "${o.label}"): ${affected.length} groups, ${affectedRoutes} routes forward around it after ${(seconds * 1000).toFixed(1)} ms; ${out.apiCalls} route API calls (${JSON.stringify(byName)}); fibpush: ${JSON.stringify(reaction)}`);
  return out;
}

// ---------------------------------------------------------------- the cases

async function fibpushCase(name: CaseName, spec: Spec, m: FeedModel): Promise<CaseResult> {
  const file = name === 'zebra-inline' ? spec.files.inline : spec.files.nhg;
  const bytes = fs.readFileSync(file);
  const r = newResult(name, m.routes, bytes.length);
  const env = new Env(spec, m);
  let fp: FibpushProc | null = null;
  let conn: ControlConn | null = null;
  let ld: Load | null = null;
  try {
    await env.start();
    const extra = name === 'fibpush-ts' ? ['--decoder', 'ts'] : name === 'fibpush-inline' ? ['--inline'] : [];
    fp = await FibpushProc.start({ dir: env.dir, args: env.daemonArgs(extra), nodeArgs: spec.nodeArgs });
    const f = fp;
    if (spec.dataplane !== 'memory') {
      await waitFor('fibpush to connect to the dataplane', async () => (await f.status()).dataplane.connected, 30_000, 20);
    }
    if (name === 'stalled') return await stalledCase(env, fp, bytes, r);
    ld = await load(env, fp, bytes, r, true);
    log(`${name}: read in ${r.readSeconds?.toFixed(3)} s, ${r.acked} acked (${r.failed} failed) in ${r.programmedSeconds?.toFixed(3)} s, fibpush CPU ${r.cpuSeconds?.toFixed(2)} s, peak RSS ${((r.rssPeakBytes ?? 0) / 1048576).toFixed(0)} MB`);
    if (name === 'zebra-inline') {
      await waitIdle(fp, 60_000);
      await fibCheck(env, fp, 'after the full table', r);
    }
    if (name === 'fibpush' || name === 'fibpush-inline') {
      if (spec.dataplane === 'memory') conn = await ControlConn.open(fp.control);
      const { sig: probe, match } = makeProbes(env, conn);
      await waitIdle(fp, 60_000);
      await fibCheck(env, fp, 'after the full table', r);
      if (spec.dataplane !== 'memory') r.nhgChange = await nhgChange(env, fp, ld.zebra, probe);
      if (name === 'fibpush') {
        r.renumber = await renumber(env, fp, ld);
        await fibCheck(env, fp, 'after the renumbered replay', r);
      }
      if (name === 'fibpush') {
        const reserved = new Set<number>();
        for (const list of probesByObject(m).values()) for (const p of list) reserved.add(p.f * m.sets[0].count + p.i);
        if (spec.churnSeconds > 0 && spec.churnRate > 0) {
          r.churn = await churn(env, fp, ld, probe, match, reserved);
          await fibCheck(env, fp, 'after churn', r);
        }
        if (env.sim) {
          r.failover = await failover(env, fp);
          await fibCheck(env, fp, 'after the failover', r);
        } else {
          r.notes.push('failover: needs the simulator (it takes an interface down in the dataplane)');
        }
      }
    }
    r.ok = r.acked === r.routes && r.fib.every((x) => x.check.ok);
    return r;
  } finally {
    conn?.close();
    ld?.zebra.close();
    if (fp) await fp.stop();
    await env.close();
  }
}

async function stalledCase(env: Env, fp: FibpushProc, bytes: Buffer, r: CaseResult): Promise<CaseResult> {
  const sim = env.sim as VppSimulator;
  // At most one API message per second from now on: the dataplane has, in effect, stopped.
  await sim.setDelay(1_000_000);
  const ld = await load(env, fp, bytes, r, false);
  try {
    const afterRead = fp.rss('VmRSS');
    await sleep(2000);
    const s = await fp.status();
    r.rssPeakBytes = fp.rss('VmHWM');
    r.rssBytesPerRoute = (r.rssPeakBytes - (r.rssBaselineBytes ?? 0)) / r.routes;
    r.stalled = {
      routesStored: s.routes,
      queueDepth: s.queueDepth,
      vppInFlight: s.vppInFlight,
      window: 1000,
      rssGrowthAfterReadBytes: fp.rss('VmRSS') - afterRead,
    };
    r.acked = null;
    r.ok = s.routes === r.routes && s.counters.bytes === bytes.length && s.vppInFlight <= 1000;
    log(`stalled: read in ${r.readSeconds?.toFixed(3)} s; ${s.routes} routes stored, ${s.queueDepth} queued, ${s.vppInFlight} in flight; peak RSS ${((r.rssPeakBytes ?? 0) / 1048576).toFixed(0)} MB`);
    return r;
  } finally {
    ld.zebra.close();
  }
}

async function rawCase(spec: Spec, m: FeedModel): Promise<CaseResult> {
  const r = newResult('raw-client', m.routes, 0);
  const env = new Env(spec, m);
  try {
    await env.start();
    const c0 = await env.counters();
    const cpu0 = env.dataplaneCpu();
    const own0 = process.cpuUsage();
    const res = await rawClient(env.socket as string, m, spec.window, spec.timeoutMs * 0.8);
    const own = process.cpuUsage(own0);
    const c1 = await env.counters();
    const cpu1 = env.dataplaneCpu();
    r.raw = res;
    r.programmedSeconds = res.seconds;
    r.acked = res.replies - res.errors;
    r.failed = res.errors;
    // The client runs in this process (which does nothing else meanwhile).
    r.cpuSeconds = (own.user + own.system) / 1e6;
    r.dataplaneCpuSeconds = cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null;
    if (c0 && c1) {
      r.apiCallsByName = callDelta(c0, c1);
      r.apiCalls = routeCalls(r.apiCallsByName);
    }
    r.ok = res.errors === 0 && res.replies === m.routes;
    log(`raw client: ${res.replies} replies (${res.errors} errors) in ${res.seconds.toFixed(3)} s, window ${res.window}`);
    return r;
  } finally {
    await env.close();
  }
}

export async function runCase(name: CaseName, spec: Spec, self: string): Promise<CaseResult> {
  const m = new FeedModel(spec.table);
  try {
    if (name === 'tcp-read') return await floorCase(spec, m, self);
    if (name === 'raw-client') return await rawCase(spec, m);
    return await fibpushCase(name, spec, m);
  } catch (e) {
    const r = newResult(name, m.routes, 0);
    r.error = (e as Error).message;
    log(`${name}: FAILED: ${r.error}`);
    return r;
  }
}

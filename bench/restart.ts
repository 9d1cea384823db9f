// fibpush killed (-9) and restarted while the dataplane forwards a full table: how long until it has reconciled, and how many routes it wrote or withdrew (zero for an unchanged table).
//
// Load a generated table through `fibpush run` into the dataplane (a real VPP with --vpp-socket
// or --vpp-run, else the simulator), kill fibpush with SIGKILL, start it again and let zebra (the
// generator) replay the same table. Reconciled = from the new process's start until adoption is
// complete (VPP's tables dumped, the replay matched, the sweep done) with nothing queued or in
// flight. VPP dumps 1M routes in ~1.5 s and zebra replays them in ~1.25 s; both run side by side.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encodeTable, renumbered } from '../ts/gen/fulltable';
import { FeedModel } from './fullfeed/model';
import { cpuSeconds, FibpushProc, waitFor, sleep } from './fullfeed/procs';
import { ZebraSide } from './fullfeed/zebra';
import { dumpCheck } from './fullfeed/fibcheck';
import { VppSimulator, IfaceSpec } from '../ts/vpp-sim';
import { startVpp, stopVpp, TWO_LOOPS } from './vpp-run';

const HELP = `Usage: node dist/bench/restart.js [options]   (npm run bench:restart -- [options])

Loads a generated table through fibpush into the dataplane, kills fibpush with SIGKILL, restarts
it and replays the same table: prints the reconcile time and the routes written or withdrawn.

  --v4 N, --v6 N     routes per family (default 1,000,000 and 0)
  --nhgs N           nexthop objects (default 32)      --seed S   generator seed (default 1)
  --vpp-socket PATH  a running real VPP with loop0 (sw 1) and loop1 (sw 2) up
  --vpp-run DIR      start a real VPP in DIR with tools/vpp/run.sh (two loopbacks) and stop it after
  --nexthops LIST    ADDR@SW_IF_INDEX,... (default 10.0.0.2@1,10.0.1.2@2,fd00:0:0:1::2@1)
  --renumber         zebra comes back with every nexthop id renumbered (and sent in another order):
                     first zebra alone restarts (fibpush stays), then both fibpush and zebra
  --json FILE        the figures as JSON
  --verbose          a timeline of the reconcile (fibpush's status every poll)
  --node-args FLAGS  node flags for the restarted fibpush, split at spaces (e.g. "--cpu-prof --cpu-prof-dir DIR");
                     profiling slows it, so such a run's figures are not comparable
  --help             this text
Without --vpp-socket/--vpp-run the VPP simulator is the dataplane.`;

interface Args {
  v4: number;
  v6: number;
  nhgs: number;
  seed: number;
  vppSocket: string | null;
  vppRun: string | null;
  nexthops: string;
  json: string | null;
  verbose: boolean;
  nodeArgs: string[];
  renumber: boolean;
}

function parse(argv: string[]): Args {
  const a: Args = { v4: 1_000_000, v6: 0, nhgs: 32, seed: 1, vppSocket: null, vppRun: null, nexthops: '10.0.0.2@1,10.0.1.2@2,fd00:0:0:1::2@1', json: null, verbose: false, nodeArgs: [], renumber: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`Expected a value after ${k}`);
      return x;
    };
    const n = () => {
      const x = v();
      if (!/^\d+$/.test(x)) throw new Error(`Expected a whole number for ${k} but received "${x}"`);
      return Number(x);
    };
    if (k === '--help' || k === '-h') {
      process.stdout.write(HELP + '\n');
      process.exit(0);
    } else if (k === '--v4') a.v4 = n();
    else if (k === '--v6') a.v6 = n();
    else if (k === '--nhgs') a.nhgs = n();
    else if (k === '--seed') a.seed = n();
    else if (k === '--vpp-socket') a.vppSocket = v();
    else if (k === '--vpp-run') a.vppRun = v();
    else if (k === '--nexthops') a.nexthops = v();
    else if (k === '--json') a.json = v();
    else if (k === '--verbose') a.verbose = true;
    else if (k === '--node-args') a.nodeArgs = v().split(' ').filter(Boolean);
    else if (k === '--renumber') a.renumber = true;
    else throw new Error(`Unknown option ${k} (see --help)`);
  }
  return a;
}

async function main(): Promise<void> {
  const a = parse(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-restart-'));
  const m = new FeedModel({ v4: a.v4, v6: a.v6, nhgs: a.nhgs, seed: a.seed, nexthops: a.vppSocket || a.vppRun ? a.nexthops : null });
  const mapFile = path.join(dir, 'interfaces.map');
  fs.writeFileSync(mapFile, m.interfaceMapText());
  const bytes = encodeTable(m.t, { nhgMode: true, endMarker: true });
  let sim: VppSimulator | null = null;
  let socket = a.vppSocket;
  let vppPid = 0;
  if (a.vppRun) {
    vppPid = startVpp(a.vppRun, TWO_LOOPS);
    socket = path.join(a.vppRun, 'api.sock');
  } else if (!socket) {
    const interfaces: IfaceSpec[] = [...m.ifSw].map(([ifindex, sw], i) => ({ swIfIndex: sw, name: `GigabitEthernet0/${8 + i}/0`, hostIfIndex: ifindex, hostName: `up${i + 1}` }));
    sim = await VppSimulator.start({ interfaces, seed: a.seed });
    socket = sim.apiSocket;
  }
  const args = ['--dataplane', 'vpp', '--vpp-socket', socket, '--interface-map', mapFile, '--quiet-period', '1000', '--expected-routes', String(m.routes)];
  const total = m.routes;
  // Polled through the metrics (counters and small aggregates): `status` walks every route for
  // the replay state, which would slow the process under measurement.
  const quiet = async (fp: FibpushProc) => {
    const x = await fp.metrics(30_000);
    return x.sum('fibpush_routes') === total && x.sum('fibpush_queue_depth') === 0 && x.sum('fibpush_dataplane_in_flight') === 0 &&
      x.sum('fibpush_dataplane_routes') === total;
  };
  const done = async (fp: FibpushProc) => {
    if (!(await quiet(fp))) return undefined;
    const s = await fp.status(30_000);
    const c = s.dataplane.counters ?? {};
    return s.replay.state === 'ended' && s.routes === total && s.queueDepth === 0 && s.vppInFlight === 0 && (c.retriesPending ?? 0) === 0 ? s : undefined;
  };
  try {
    process.stderr.write(`loading ${total.toLocaleString('en-US')} routes into ${a.vppRun || a.vppSocket ? 'VPP' : 'the simulator'}...\n`);
    let fp = await FibpushProc.start({ dir, args });
    let z = await ZebraSide.connect(fp.port, m, () => undefined);
    await z.write(bytes);
    const l0 = performance.now();
    await waitFor('the table loaded', () => done(fp), 1_200_000, 200);
    const loadSeconds = (performance.now() - l0) / 1000;
    let zebraRestart: Record<string, number> | null = null;
    let replayBytes = bytes;
    if (a.renumber) {
      // zebra restarts alone: it comes back with new ids for the same groups.
      process.stderr.write(`loaded in ${loadSeconds.toFixed(1)} s; zebra restarts with renumbered nexthop ids\n`);
      const r1 = renumbered(m.t, a.seed + 1);
      const s0 = await fp.status(30_000);
      z.sock.destroy();
      await waitFor('fibpush to see zebra go', async () => (await fp.status(30_000)).zebra === 'disconnected', 30_000, 50);
      const z0 = performance.now();
      z = await ZebraSide.connect(fp.port, m, () => undefined);
      await z.write(encodeTable(r1.table, { nhgMode: true, endMarker: true, nexthopOrder: r1.order }));
      const s1 = await waitFor('the renumbered replay settled', async () => {
        const x = await done(fp);
        return x && x.epoch > s0.epoch && x.nhgs === m.t.nexthops.length ? x : undefined;
      }, 600_000, 50);
      const c0 = s0.dataplane.counters ?? {};
      const c1 = s1.dataplane.counters ?? {};
      zebraRestart = {
        seconds: (performance.now() - z0) / 1000,
        apiRequests: (c1.client_sent ?? 0) - (c0.client_sent ?? 0),
        rewritesAvoided: (c1.rewritesAvoided ?? 0) - (c0.rewritesAvoided ?? 0),
        nhgObjects: c1.nhgObjects ?? -1,
      };
      process.stdout.write(
        `zebra restart, every nexthop id renumbered, ${total.toLocaleString('en-US')} routes: ${zebraRestart.apiRequests} API requests ` +
          `(${((100 * zebraRestart.apiRequests) / total).toFixed(3)}% of routes), ${zebraRestart.rewritesAvoided} route writes avoided, ` +
          `settled in ${zebraRestart.seconds.toFixed(2)} s\n`,
      );
      const r2 = renumbered(m.t, a.seed + 2);
      replayBytes = encodeTable(r2.table, { nhgMode: true, endMarker: true, nexthopOrder: r2.order });
      process.stderr.write('kill -9 fibpush, restart, zebra (restarted too) replays with other ids\n');
    } else process.stderr.write(`loaded in ${loadSeconds.toFixed(1)} s; kill -9 fibpush, restart, replay\n`);
    fp.child.kill('SIGKILL');
    z.sock.destroy();
    await sleep(200);
    const t0 = performance.now();
    fp = await FibpushProc.start({ dir, args, nodeArgs: a.nodeArgs });
    z = await ZebraSide.connect(fp.port, m, () => undefined);
    await z.write(replayBytes);
    const timeline: string[] = [];
    const s = await waitFor('adoption complete', async () => {
      const r = await done(fp);
      if (a.verbose) {
        const x = await fp.metrics(30_000);
        timeline.push(`${((performance.now() - t0) / 1000).toFixed(2)}s routes=${x.sum('fibpush_routes')} queue=${x.sum('fibpush_queue_depth')} ` +
          `in-flight=${x.sum('fibpush_dataplane_in_flight')} vpp-holds=${x.sum('fibpush_dataplane_routes')} cpu=${fp.cpuSeconds().toFixed(2)}`);
      }
      const c = r?.dataplane.counters ?? {};
      return r && (c.adopt_unchanged ?? 0) + (c.adopt_rewritten ?? 0) >= total && (c.adopt_dumpMs ?? 0) > 0 ? r : undefined;
    }, 600_000, a.verbose ? 200 : 20);
    const reconcileSeconds = (performance.now() - t0) / 1000;
    if (a.verbose) process.stderr.write(timeline.join('\n') + '\n');
    const c = s.dataplane.counters ?? {};
    const check = await dumpCheck(socket, m);
    const out = {
      dataplane: a.vppRun || a.vppSocket ? 'vpp' : 'simulator',
      routes: total,
      loadSeconds,
      reconcileSeconds,
      dumpMs: c.adopt_dumpMs,
      unchanged: c.adopt_unchanged,
      matchedInDump: c.adopt_matchedInDump,
      rewritten: c.adopt_rewritten,
      withdrawn: c.adopt_withdrawn,
      apiRequests: c.client_sent,
      fibpushCpuSeconds: fp.cpuSeconds(),
      vppCpuSeconds: vppPid ? cpuSeconds(vppPid) : null,
      fibMatches: check.ok,
      renumbered: a.renumber,
      zebraRestart,
    };
    process.stdout.write(
      `${a.renumber ? 'fibpush and zebra restart (renumbered ids)' : 'fibpush restart'} with ${total.toLocaleString('en-US')} routes in ${out.dataplane}: reconciled in ${reconcileSeconds.toFixed(2)} s ` +
        `(VPP dump ${out.dumpMs} ms), ${out.unchanged} unchanged (${out.matchedInDump} matched during the dump), ${out.rewritten} rewritten, ${out.withdrawn} withdrawn, ` +
        `${out.apiRequests} API requests, fibpush CPU ${out.fibpushCpuSeconds.toFixed(2)} s; FIB ${check.ok ? 'matches' : 'DIFFERS'}\n`,
    );
    if (a.json) fs.writeFileSync(a.json, JSON.stringify(out, null, 2) + '\n');
    await fp.stop();
    z.sock.destroy();
  } finally {
    await sim?.stop();
    if (vppPid) stopVpp(vppPid);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench/restart: ${(e as Error).message}\n`);
  process.exit(1);
});

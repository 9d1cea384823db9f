// `npm run soak`: fibpush under a loaded table, churn and faults for N minutes; exits 0 only if the dataplane always came back to zebra's FIB. Options: options.ts (--help).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { IfaceSpec } from '../../ts/vpp-sim';
import { FeedModel } from '../fullfeed/model';
import { freePort, repoRoot } from '../fullfeed/procs';
import { Daemon } from './daemon';
import { Dataplane } from './dataplane';
import { HELP, parseOptions, SoakOptions } from './options';
import type { Player } from './player';
import { soakSvg } from './plot';
import { buildReport, summary } from './report';
import { QUIET_PERIOD_MS, SoakRun } from './run';
import { autoSpacing, DATAPLANE_FAULTS, FaultKind, plan } from './schedule';
import { GeneratedPlayer, GeneratedZebra } from './zebra-gen';
import { startVpp, stopVpp, TWO_LOOPS } from '../vpp-run';

interface Env {
  player: Player;
  daemon: Daemon;
  dp: Dataplane;
  swIfIndexes: number[];
  zebraName: string;
  dataplaneName: string;
  /** See SoakRun: replays end by fibpush's quiet period only. */
  quietAfterFault: boolean;
  close: () => Promise<void>;
}

/** The generator as zebra, fibpush on loopback, the simulator (or a given VPP) as the dataplane. */
async function generatedEnv(o: SoakOptions, dir: string, logFile: string, t0: number): Promise<Env> {
  const v4 = Math.round(o.routes * 0.813); // a full table's IPv4 : IPv6 ratio (1,000,000 : 230,000)
  const m = new FeedModel({ v4, v6: o.routes - v4, nhgs: o.nhgs, seed: o.seed, nexthops: o.nexthops });
  const mapFile = path.join(dir, 'interfaces.map');
  fs.writeFileSync(mapFile, m.interfaceMapText());
  let dp: Dataplane;
  let vppPid = 0;
  if (o.vppRun) {
    // A real VPP of the soak's own; it sleeps between polls (a soak checks correctness, and VPP
    // would otherwise take a core from fibpush and the generator on a small box).
    vppPid = startVpp(o.vppRun, TWO_LOOPS, { pollSleepUs: 100 });
    dp = Dataplane.external(path.join(o.vppRun, 'api.sock'));
  } else if (o.vppSocket) dp = Dataplane.external(o.vppSocket);
  else {
    // One VPP interface per upstream, linux-cp paired with the Linux ifindex the stream names.
    const interfaces: IfaceSpec[] = [...m.ifSw].map(([ifindex, sw], i) => ({ swIfIndex: sw, name: `GigabitEthernet0/${8 + i}/0`, hostIfIndex: ifindex, hostName: m.t.upstreams[i]?.name ?? `up${i + 1}` }));
    dp = await Dataplane.simulator(interfaces, o.seed);
  }
  const port = await freePort();
  const daemon = new Daemon(
    {
      fibpush: o.fibpush, listenHost: '127.0.0.1', port, control: path.join(dir, 'control.sock'), vppSocket: dp.socket,
      // The generator plays zebra from this process's uid: it is zebra's user here (fibpush's peer check).
      interfaceMap: mapFile, quietPeriodMs: QUIET_PERIOD_MS, expectedRoutes: o.routes, extra: ['--zebra-user', String(process.getuid?.() ?? 0), ...o.daemonArgs],
    },
    logFile,
    undefined,
    t0,
  );
  await daemon.start();
  // zebra 8.4 reconnects every 3 s; 1 s here keeps the soak's time on the faults rather than on waiting.
  const z = new GeneratedZebra({ port, model: m, seed: o.seed, churnRate: o.churnRate, churnMix: o.churnMix, endMarker: o.endMarker, reconnectMs: 1000 });
  const player = new GeneratedPlayer(z, dp.socket, t0);
  return {
    player,
    daemon,
    dp,
    swIfIndexes: [...new Set(m.ifSw.values())],
    zebraName: `generated (${o.endMarker ? 'with' : 'without'} the end-of-replay marker)`,
    dataplaneName: dp.sim ? 'VPP simulator (ts/vpp-sim)' : `VPP at ${o.vppRun ? path.join(o.vppRun, 'api.sock') : o.vppSocket}`,
    quietAfterFault: !o.endMarker,
    close: async () => {
      await player.close();
      await daemon.stop('SIGTERM');
      daemon.close();
      await dp.stop();
      if (vppPid) stopVpp(vppPid);
    },
  };
}

async function main(argv: string[]): Promise<number> {
  const root = repoRoot();
  const parsed = parseOptions(argv, root);
  if (parsed === 'help') {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const o = parsed;
  const progress = (s: string) => {
    if (!o.quiet) process.stderr.write(`soak: ${s}\n`);
  };
  const startedAt = new Date();
  const t0 = performance.now();
  const endAt = t0 + o.minutes * 60_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-soak-'));
  const logFile = o.log ?? path.join(os.tmpdir(), `fibpush-soak-${process.pid}.log`);
  let env: Env | null = null;
  let kinds: FaultKind[] = [...o.faults];
  try {
    if (o.zebra === 'real') {
      const { realEnv } = await import('./zebra-real');
      env = await realEnv(o, dir, logFile, t0, progress);
    } else env = await generatedEnv(o, dir, logFile, t0);
    if (!env.dp.sim) {
      const drop = kinds.filter((k) => DATAPLANE_FAULTS.includes(k));
      if (drop.length) progress(`a VPP the soak does not control: skipping ${drop.join(', ')} and interface flaps`);
      kinds = kinds.filter((k) => !DATAPLANE_FAULTS.includes(k));
    }
    progress(`zebra: ${env.zebraName}; dataplane: ${env.dataplaneName}; fibpush pid ${env.daemon.pid}, log ${logFile}`);
    const run = new SoakRun(o, env.player, env.daemon, env.dp, env.swIfIndexes, progress, t0, env.quietAfterFault);
    const loaded = await run.load();
    if (loaded) {
      const churnSeconds = Math.max(0, (endAt - performance.now()) / 1000 - 5);
      const every = o.faultEvery ?? autoSpacing(churnSeconds, kinds.length);
      const slots = plan(kinds, churnSeconds, every);
      progress(`churn ${o.churnRate}/s for ${churnSeconds.toFixed(0)} s; ${slots.length} faults, one every ${every} s: ${kinds.join(', ') || 'none'}`);
      await run.run(slots, performance.now() + churnSeconds * 1000);
    }
    const rep = buildReport({
      o,
      r: run.r,
      startedAt,
      durationS: (performance.now() - t0) / 1000,
      zebra: env.zebraName,
      dataplane: env.dataplaneName,
      routes: env.player.routes(),
      churn: env.player.figures(),
      kinds,
      daemon: { starts: env.daemon.starts, unexpectedExits: env.daemon.unexpectedExits, log: env.daemon.log, logFile },
    });
    if (o.json) fs.writeFileSync(o.json, JSON.stringify(rep, null, 1) + '\n');
    if (o.plot) fs.writeFileSync(o.plot, soakSvg(rep));
    process.stdout.write(summary(rep) + '\n');
    if (o.json) process.stdout.write(`  report: ${o.json}\n`);
    if (o.plot) process.stdout.write(`  plot: ${o.plot}\n`);
    return rep.ok ? 0 : 1;
  } finally {
    await env?.close().catch((e: Error) => progress(`cleanup: ${e.message}`));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(e instanceof RangeError ? `soak: ${e.message}\n` : `soak: ${e.stack ?? e.message}\n`);
    process.exit(e instanceof RangeError ? 2 : 1);
  },
);

// The soak's command line: every option, its default and its check, and the --help text that lists exactly these.
import * as fs from 'fs';
import * as path from 'path';
import { parseNexthops } from '../fullfeed/model';
import { ALL_FAULTS, DEFAULT_FAULTS, FaultKind, FAULT_HELP } from './schedule';

export type ZebraKind = 'generated' | 'real';

export interface SoakOptions {
  minutes: number;
  zebra: ZebraKind;
  /** Routes in the table: generated table size, or the BGP feed size with a real zebra. */
  routes: number;
  nhgs: number;
  seed: number;
  churnRate: number;
  /** Shares of route replaces (incl. re-adds), withdrawals and group changes. */
  churnMix: [number, number, number];
  /** Seconds between interface flaps in the dataplane (0: none). */
  flapEvery: number;
  faults: FaultKind[];
  /** Seconds from one fault to the next (null: spread so that the run holds two full cycles). */
  faultEvery: number | null;
  holdSeconds: number;
  convergeTimeout: number;
  slowUs: number;
  failFraction: number;
  rssTolerance: number;
  endMarker: boolean;
  vppSocket: string | null;
  vppRun: string | null;
  nexthops: string | null;
  fibpush: string;
  daemonArgs: string[];
  json: string | null;
  plot: string | null;
  log: string | null;
  quiet: boolean;
}

export const HELP = `Usage: npm run soak -- [options]      (node dist/bench/soak/main.js [options])

Runs the real \`fibpush run\` for a while under a loaded table, sustained churn and faults on a
schedule, and checks after every fault that the dataplane's FIB equals zebra's, prefix by prefix.
Exits 0 when every check passed, 1 when one failed (the summary names it), 2 on a usage error.

Run:
  --minutes N           how long to run, load included (default 60; CI runs 5)
  --zebra KIND          generated (default): this process plays zebra 8.4.4's FPM stream from a
                        generated table (ts/gen/fulltable.ts) and keeps the model of zebra's FIB;
                        real: Debian's FRR 8.4 zebra in network namespaces (root), fed by a BGP
                        speaker (ts/frr-lab/bgp.ts) and staticd; fibpush runs in zebra's namespace
  --routes N            table size (default 200,000; a full table: 1,230,000; with --zebra real
                        the BGP feed, default 10,000)
  --nhgs N              nexthop objects of the generated table (default 32)
  --seed S              seed of the table, the churn and the fault details (default 1)
  --no-end-marker       the generated zebra sends no end-of-replay marker (stock 8.4.4); fibpush then
                        ends a replay after its quiet period without input, so churn pauses from
                        each fault's undo until the FIB has converged (as with --zebra real)
Churn:
  --churn-rate N        updates per second (default 2000)
  --churn-mix R,W,G     shares of route replaces/re-adds, withdrawals and nexthop-group changes
                        (members and weights) (default 88,10,2)
  --flap-every S        an interface of the dataplane down for 2 s every S seconds (groups with a
                        backup fail over to it) (default 20; 0: none; simulator only)
Faults:
  --faults LIST         comma-separated kinds, or "all" (default: ${DEFAULT_FAULTS.join(',')})
${FAULT_HELP}
  --fault-every S       seconds from one fault to the next (default: spread so that the run holds
                        two full cycles, 15 to 60 s apart)
  --hold S              how long a fault lasts before it is undone (default 3)
  --converge-timeout S  how long after a fault the FIB may take to equal zebra's (default 90)
  --slow-us N           dp-slow: microseconds per API message (default 1000: slower than the churn)
  --fail-fraction F     dp-fail: fraction of route requests failed (default 0.2)
Dataplane (default: the VPP simulator, ts/vpp-sim):
  --vpp-socket PATH     a running VPP's API socket; dataplane faults and flaps are then skipped
  --vpp-run DIR         a real VPP started in DIR by tools/vpp/run.sh (two loopbacks; next hops
                        10.0.0.2@1,10.0.1.2@2,fd00:0:0:1::2@1,fd00:0:0:2::2@2 unless --nexthops
                        says) and stopped at the end; dataplane faults and flaps are skipped as
                        with --vpp-socket
  --nexthops LIST       with --vpp-socket or --vpp-run: ADDR@SW_IF_INDEX,... the generated groups use
                        (a family with no address on an interface gets attached legs there: those
                        groups are programmed inline, and each change of one rewrites its routes)
Checks:
  --rss-tolerance P     fibpush's RSS at the end of each full cycle may exceed the first cycle's
                        by at most P percent (default 5)
Daemon:
  --fibpush FILE        the fibpush.js to run (default: this checkout's bin/fibpush.js; a patched
                        copy shows that the soak catches a broken build)
  --daemon-arg ARG      one more argument for \`fibpush run\` (repeatable)
Output:
  --json FILE           the report as JSON
  --plot FILE.svg       fibpush's RSS and the FIB divergence over time
  --log FILE            fibpush's log (JSON lines; default: a temp file, named in the summary)
  --quiet               no progress lines on stderr
  --help                this text`;

const VALUE = new Set([
  'minutes', 'zebra', 'routes', 'nhgs', 'seed', 'churn-rate', 'churn-mix', 'flap-every', 'faults', 'fault-every', 'hold',
  'converge-timeout', 'slow-us', 'fail-fraction', 'rss-tolerance', 'vpp-socket', 'vpp-run', 'nexthops', 'fibpush',
  'daemon-arg', 'json', 'plot', 'log',
]);
const FLAG = new Set(['no-end-marker', 'quiet', 'help']);

export function parseOptions(argv: string[], repoRoot: string): SoakOptions | 'help' {
  const vals = new Map<string, string>();
  const daemonArgs: string[] = [];
  const on = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new RangeError(`Unexpected argument "${a}" (see --help)`);
    const eq = a.indexOf('=');
    const name = a.slice(2, eq > 0 ? eq : undefined);
    if (FLAG.has(name) && eq < 0) on.add(name);
    else if (VALUE.has(name)) {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new RangeError(`Expected a value for --${name}`);
      if (name === 'daemon-arg') daemonArgs.push(v);
      else vals.set(name, v);
    } else throw new RangeError(`Unknown option "${a}" (see --help)`);
  }
  if (on.has('help')) return 'help';
  const num = (name: string, def: number, min: number, max: number, integer = true): number => {
    const v = vals.get(name);
    if (v === undefined) return def;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new RangeError(`Expected ${integer ? 'an integer' : 'a number'} between ${min} and ${max} for --${name} but received "${v}"`);
    }
    return n;
  };
  const zebra = vals.get('zebra') ?? 'generated';
  if (zebra !== 'generated' && zebra !== 'real') throw new RangeError(`Expected generated or real for --zebra but received "${zebra}"`);
  const mixText = vals.get('churn-mix') ?? '88,10,2';
  const mix = mixText.split(',').map((x) => Number(x));
  if (mix.length !== 3 || mix.some((x) => !(x >= 0)) || mix[0] + mix[1] + mix[2] <= 0) {
    throw new RangeError(`Expected three non-negative shares R,W,G for --churn-mix but received "${mixText}"`);
  }
  let faults: FaultKind[] = [...DEFAULT_FAULTS];
  const fl = vals.get('faults');
  if (fl !== undefined) {
    if (fl === 'all') faults = [...ALL_FAULTS];
    else if (fl === 'none' || fl === '') faults = [];
    else {
      faults = fl.split(',').map((x) => x.trim()).filter(Boolean) as FaultKind[];
      for (const f of faults) if (!(ALL_FAULTS as readonly string[]).includes(f)) throw new RangeError(`Unknown fault "${f}" for --faults (known: ${ALL_FAULTS.join(', ')}, or all)`);
    }
  }
  const vppSocket = vals.get('vpp-socket') ?? null;
  const vppRun = vals.get('vpp-run') ?? null;
  if (vppSocket && vppRun) throw new RangeError('Expected at most one of --vpp-socket and --vpp-run');
  if (vppRun && zebra === 'real') throw new RangeError('--zebra real compares zebra with the simulator\'s FIB; with --vpp-run use --zebra generated');
  if (vppSocket && zebra === 'real') throw new RangeError('--zebra real compares zebra with the simulator\'s FIB; with --vpp-socket use --zebra generated');
  if (vppSocket && !fs.existsSync(vppSocket)) throw new RangeError(`--vpp-socket ${vppSocket}: no such socket`);
  const nexthops = vals.get('nexthops') ?? (vppRun ? '10.0.0.2@1,10.0.1.2@2,fd00:0:0:1::2@1,fd00:0:0:2::2@2' : null);
  if (nexthops) parseNexthops(nexthops);
  if (nexthops && !vppSocket && !vppRun) throw new RangeError('--nexthops is for --vpp-socket (the simulator gets the generated interfaces)');
  const fibpush = path.resolve(vals.get('fibpush') ?? path.join(repoRoot, 'bin', 'fibpush.js'));
  if (!fs.existsSync(fibpush)) throw new RangeError(`--fibpush ${fibpush}: no such file`);
  const fe = vals.get('fault-every');

  return {
    minutes: num('minutes', 60, 1, 7 * 24 * 60, false),
    zebra,
    routes: num('routes', zebra === 'real' ? 10_000 : 200_000, 100, 5_000_000),
    nhgs: num('nhgs', 32, 4, 60_000),
    seed: num('seed', 1, 0, 0xffffffff),
    churnRate: num('churn-rate', 2000, 0, 1_000_000),
    churnMix: mix as [number, number, number],
    flapEvery: num('flap-every', 20, 0, 86_400),
    faults,
    faultEvery: fe === undefined ? null : num('fault-every', 0, 5, 86_400),
    holdSeconds: num('hold', 3, 0.5, 3600, false),
    convergeTimeout: num('converge-timeout', 90, 5, 3600),
    slowUs: num('slow-us', 1000, 1, 1_000_000),
    failFraction: num('fail-fraction', 0.2, 0.001, 1, false),
    rssTolerance: num('rss-tolerance', 5, 0, 1000, false),
    endMarker: !on.has('no-end-marker'),
    vppSocket,
    vppRun,
    nexthops,
    fibpush,
    daemonArgs,
    json: vals.get('json') ?? null,
    plot: vals.get('plot') ?? null,
    log: vals.get('log') ?? null,
    quiet: on.has('quiet'),
  };
}

// Full-table benchmark: the real `fibpush run` driven as zebra drives it (full table, churn, failover) against the VPP simulator, a real VPP or the memory dataplane, beside the TCP floor and a minimal client.
//
//   node dist/bench/fullfeed.js [--small] [--v4 N] [--v6 N] [--nhgs N] [--seed S]
//        [--dataplane simulator|vpp|memory] [--vpp-socket PATH] [--nexthops ADDR@SW,...]
//        [--churn-rate N] [--churn-seconds S] [--churn-mix R,W,N] [--window N] [--feedback-rate N]
//        [--cases a,b,...] [--no-end-marker] [--json FILE] [--plot FILE.svg]
//
// The parent generates the table once (ts/gen/fulltable.ts, seeded), encodes it as zebra 8.4.4
// replays it (NHG mode and inline nexthops) into temp files, then runs every case in a fresh
// process (bench/codec.ts's structure) with its own dataplane and daemon, and prints one table
// comparing them side by side. Case logic: bench/fullfeed/cases.ts.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encodeTable } from '../ts/gen/fulltable';
import { CaseName, CaseResult, CASES, DataplaneKind, DESCRIPTION, floorServer, runCase, Spec } from './fullfeed/cases';
import { FeedModel, parseNexthops } from './fullfeed/model';
import { Series, svgChart } from './fullfeed/plot';
import { track } from './fullfeed/procs';
import { fmt } from './lib';

const HELP = `Usage: node dist/bench/fullfeed.js [options]   (npm run fullfeed -- [options])

Drives the real \`fibpush run\` the way zebra does: the whole generated table over TCP, then churn,
then a link failure in the dataplane; compares it side by side with the raw TCP floor, the TS
decoder, inline programming and a minimal pipelined client. Prints a table; --json writes the
figures, --plot an SVG of routes read and programmed over time.

Table:
  --v4 N, --v6 N        routes per family (default 1,000,000 and 230,000)
  --small               a reduced table: 20,000 + 5,000 routes, 3 s of churn (explicit flags win)
  --nhgs N              nexthop objects routes use (default 32)
  --seed S              generator seed (default 1)
  --no-end-marker       no NLMSG_DONE after the replay (stock zebra 8.4.4; read time is then polled)
Dataplane:
  --dataplane D         simulator (default), vpp, or memory
  --vpp-socket PATH     a real VPP's API socket (implies --dataplane vpp); cases share it, cleaned between
  --vpp-run DIR         start a fresh real VPP for each case in DIR (tools/vpp/run.sh, loopbacks from
                        --nexthops; default next hops 10.0.0.2@1,10.0.1.2@2) and stop it after: every
                        case starts from the same VPP state, and VPP's CPU is measured
  --nexthops LIST       ADDR@SW_IF_INDEX,...: the attached next hops the groups are built from
                        (one upstream per distinct sw_if_index; fibpush gets the matching interface map)
Phases:
  --churn-rate N        churn events per second (default 1000)
  --churn-seconds S     churn duration (default 10; 0 = no churn)
  --churn-mix R,W,N     shares of route replaces, withdrawals and NHG changes (default 75,24,1)
  --window N            requests in flight for the minimal client (default 1000, fibpush's default)
  --feedback-rate N     fibpush's offload notifications per second (default 10,000,000: never the pace;
                        fibpush's own default is 100,000)
  --expected-routes N   fibpush's --expected-routes, its route tables sized up front (default: the
                        generated table's size, as an operator sizing for a full table sets it; 0 = off)
  --lookups N           simulator lookups per FIB check besides the full dump comparison (default 500)
  --cases LIST          run only these of: ${CASES.join(', ')}
  --timeout S           per case, after which it is stopped (default: 120 + 1 per 5,000 routes)
Output:
  --json FILE           the figures as JSON
  --node-args "FLAGS"   node flags for each case's fibpush, split at spaces: "--cpu-prof --cpu-prof-dir DIR"
                        writes a V8 CPU profile per case, "--perf-basic-prof" names JavaScript frames for
                        perf record; profiling slows fibpush, so such a run's figures are not comparable
  --plot FILE.svg       routes read and programmed over time
  --help                this text`;

interface Args {
  v4: number;
  v6: number;
  nhgs: number;
  seed: number;
  small: boolean;
  endMarker: boolean;
  dataplane: DataplaneKind;
  vppSocket: string | null;
  vppRun: string | null;
  nexthops: string | null;
  churnRate: number;
  churnSeconds: number;
  churnMix: [number, number, number];
  window: number;
  feedbackRate: number;
  expectedRoutes: number;
  lookups: number;
  cases: CaseName[];
  timeoutMs: number;
  json: string | null;
  plot: string | null;
  nodeArgs: string[];
}

function parseArgs(argv: string[]): Args {
  const known = new Set(['v4', 'v6', 'nhgs', 'seed', 'dataplane', 'vpp-socket', 'vpp-run', 'nexthops', 'churn-rate', 'churn-seconds', 'churn-mix', 'window', 'feedback-rate', 'expected-routes', 'lookups', 'cases', 'timeout', 'json', 'plot', 'node-args']);
  const flags = new Set(['small', 'no-end-marker', 'help']);
  const vals = new Map<string, string>();
  const on = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new RangeError(`Unexpected argument "${a}" (see --help)`);
    const name = a.slice(2);
    if (flags.has(name)) on.add(name);
    else if (known.has(name)) {
      const v = argv[++i];
      if (v === undefined) throw new RangeError(`Expected a value for --${name}`);
      vals.set(name, v);
    } else throw new RangeError(`Unknown option "${a}" (see --help)`);
  }
  if (on.has('help')) {
    process.stdout.write(HELP + '\n');
    process.exit(0);
  }
  const int = (name: string, def: number, min = 0, max = Number.MAX_SAFE_INTEGER): number => {
    const v = vals.get(name);
    if (v === undefined) return def;
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) throw new RangeError(`Expected an integer between ${min} and ${max} for --${name} but received "${v}"`);
    return n;
  };
  const small = on.has('small');
  const vppRun = vals.get('vpp-run') ?? null;
  if (vppRun && vals.has('vpp-socket')) throw new RangeError('Expected at most one of --vpp-run and --vpp-socket but received both');
  const vppSocket = vppRun ? `${vppRun}/api.sock` : (vals.get('vpp-socket') ?? null);
  const dpv = vals.get('dataplane') ?? (vppSocket ? 'vpp' : 'simulator');
  if (dpv !== 'simulator' && dpv !== 'vpp' && dpv !== 'memory') throw new RangeError(`Expected simulator, vpp or memory for --dataplane but received "${dpv}"`);
  if (dpv === 'vpp' && !vppSocket) throw new RangeError('Expected --vpp-socket PATH with --dataplane vpp');
  const nexthops = vals.get('nexthops') ?? (vppRun ? '10.0.0.2@1,10.0.1.2@2' : null);
  if (nexthops) parseNexthops(nexthops);
  const mix = (vals.get('churn-mix') ?? '75,24,1').split(',').map(Number);
  if (mix.length !== 3 || mix.some((x) => !(x >= 0)) || mix[0] + mix[1] + mix[2] <= 0) {
    throw new RangeError(`Expected three non-negative shares R,W,N for --churn-mix but received "${vals.get('churn-mix')}"`);
  }
  let cases: CaseName[] = [...CASES];
  if (vals.has('cases')) {
    cases = (vals.get('cases') as string).split(',').map((c) => c.trim()).filter(Boolean) as CaseName[];
    for (const c of cases) if (!(CASES as readonly string[]).includes(c)) throw new RangeError(`Unknown case "${c}" for --cases (known: ${CASES.join(', ')})`);
  }
  // What a dataplane cannot do: a real VPP cannot be stalled on request; the memory one has no socket.
  if (dpv === 'vpp') cases = cases.filter((c) => c !== 'stalled');
  if (dpv === 'memory') cases = cases.filter((c) => c !== 'stalled' && c !== 'raw-client' && c !== 'fibpush-inline');
  const v4 = int('v4', small ? 20_000 : 1_000_000);
  const v6 = int('v6', small ? 5_000 : 230_000);
  return {
    v4,
    v6,
    nhgs: int('nhgs', 32, 1, 60_000),
    seed: int('seed', 1, 0, 0xffffffff),
    small,
    endMarker: !on.has('no-end-marker'),
    dataplane: dpv,
    vppSocket,
    vppRun,
    nexthops,
    churnRate: int('churn-rate', 1000, 0, 1_000_000),
    churnSeconds: int('churn-seconds', small ? 3 : 10, 0, 3600),
    churnMix: mix as [number, number, number],
    window: int('window', 1000, 1, 1_000_000),
    feedbackRate: int('feedback-rate', 10_000_000, 1, 10_000_000),
    expectedRoutes: int('expected-routes', v4 + v6, 0, 100_000_000),
    lookups: int('lookups', 500, 0, 1_000_000),
    cases,
    timeoutMs: 1000 * int('timeout', 120 + Math.ceil((v4 + v6) / 5000), 10, 86_400),
    json: vals.get('json') ?? null,
    plot: vals.get('plot') ?? null,
    nodeArgs: (vals.get('node-args') ?? '').split(' ').filter(Boolean),
  };
}

// ---------------------------------------------------------------- running the cases

function runChild(self: string, name: CaseName, specFile: string, timeoutMs: number): Promise<CaseResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [self, '--case', name, specFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    track(child);
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as CaseResult);
      } catch {
        resolve({
          name, description: DESCRIPTION[name], ok: false,
          error: timedOut ? `stopped after ${timeoutMs / 1000} s` : `case process exited with code ${code}`,
          routes: 0, bytes: 0, readSeconds: null, readSource: null, programmedSeconds: null, acked: null, failed: null,
          cpuSeconds: null, dataplaneCpuSeconds: null, rssBaselineBytes: null, rssPeakBytes: null, rssBytesPerRoute: null,
          apiCalls: null, apiCallsByName: null, samples: [], fib: [], notes: [],
        });
      }
    });
  });
}

// ---------------------------------------------------------------- report


/** The report fits a terminal this wide: tables are split, prose is wrapped. */
const WIDTH = 120;

/** Splits `text` into lines of at most `width` characters at spaces; continuation lines start with `indent`. */
function wrap(text: string, width: number, indent: string): string[] {
  const lead = /^ */.exec(text)![0];
  const lines: string[] = [];
  let line = lead;
  for (const word of text.slice(lead.length).split(' ')) {
    if (line.trim() !== '' && line.length + 1 + word.length > width) {
      lines.push(line.trimEnd());
      line = lead + indent + word;
    } else line = line.trim() === '' ? line + word : `${line} ${word}`;
  }
  if (line.trim() !== '') lines.push(line.trimEnd());
  return lines;
}

/** A full table is about 1.23M routes; below this the run is a functional check, not a sizing one. */
const SIZING_MIN_ROUTES = 1_000_000;

/** console.log, wrapped to WIDTH (continuation lines indented). */
function say(text = ''): void {
  for (const line of text.split('\n')) for (const l of line === '' ? [''] : wrap(line, WIDTH, '    ')) console.log(l);
}

/** The line a person sizing a box acts on: what the whole table cost fibpush here, in one sentence. */
function sizingLine(main: CaseResult | undefined, routes: number, dataplane: string, small: boolean): string {
  const table = small ? `${fmt(routes)} routes` : `full table (${fmt(routes / 1e6, 2)}M)`;
  const caveat = small ? ' (not a full table: run without --small to size a box)' : '';
  if (!main || !main.ok || main.programmedSeconds === null) return `this box: ${table} into ${dataplane}: the fibpush case did not complete, no figure to size with`;
  return (
    `this box: ${table} into ${dataplane} in ${fmt(main.programmedSeconds, 1)} s, ` +
    `fibpush CPU ${fmt(main.cpuSeconds, 1)} s, RSS ${main.rssPeakBytes ? fmt(main.rssPeakBytes / 1048576) : '-'} MB${caveat}`
  );
}

/** Columns of figures are right-aligned, columns of words (and the first) left-aligned. */
function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const words = rows[0].map((_, c) => c === 0 || rows.slice(1).some((r) => !/^[-\d.,x%]*$/.test(r[c] ?? '')));
  rows.forEach((row, k) => {
    console.log(row.map((cell, c) => (words[c] ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd());
    if (k === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  });
}

const verdict = (ok: boolean | null) => (ok === null ? 'n/a' : ok ? 'met' : 'MISSED');

async function parent(argv: string[]): Promise<number> {
  const a = parseArgs(argv);
  const self = __filename;
  const t0 = performance.now();
  const m = new FeedModel({ v4: a.v4, v6: a.v6, nhgs: a.nhgs, seed: a.seed, nexthops: a.nexthops });
  const t1 = performance.now();
  const nhgBytes = encodeTable(m.t, { nhgMode: true, endMarker: a.endMarker });
  const inlineBytes = encodeTable(m.t, { nhgMode: false, endMarker: a.endMarker });
  const t2 = performance.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-fullfeed-run-'));
  const files = { nhg: path.join(dir, 'fulltable-nhg.fpm'), inline: path.join(dir, 'fulltable-inline.fpm') };
  fs.writeFileSync(files.nhg, nhgBytes);
  fs.writeFileSync(files.inline, inlineBytes);
  const routes = m.routes;
  const spec: Spec = {
    table: { v4: a.v4, v6: a.v6, nhgs: a.nhgs, seed: a.seed, nexthops: a.nexthops },
    dataplane: a.dataplane,
    vppSocket: a.vppSocket,
    vppRun: a.vppRun,
    files,
    endMarker: a.endMarker,
    churnRate: a.churnRate,
    churnSeconds: a.churnSeconds,
    churnMix: a.churnMix,
    window: a.window,
    feedbackRate: a.feedbackRate,
    expectedRoutes: a.expectedRoutes,
    sampleMs: 100,
    lookups: a.lookups,
    seed: a.seed,
    timeoutMs: a.timeoutMs,
    nodeArgs: a.nodeArgs,
  };
  const specFile = path.join(dir, 'spec.json');
  fs.writeFileSync(specFile, JSON.stringify(spec));
  const dpName = a.dataplane === 'simulator' ? 'VPP simulator (ts/vpp-sim)' : a.dataplane === 'vpp' ? `VPP at ${a.vppSocket}` : 'memory dataplane';
  say(
    `table: ${fmt(m.t.v4.count)} IPv4 + ${fmt(m.t.v6.count)} IPv6 routes, ${m.t.nexthops.length} nexthop objects, seed ${a.seed}; ` +
      `as zebra 8.4.4 replays it: NHG mode ${fmt(nhgBytes.length / 1048576, 1)} MiB (${fmt(nhgBytes.length / routes, 1)} B/route), ` +
      `inline ${fmt(inlineBytes.length / 1048576, 1)} MiB${a.endMarker ? ', end-of-replay marker' : ''}`,
  );
  say(`generated in ${fmt(t1 - t0)} ms, encoded in ${fmt(t2 - t1)} ms; dataplane: ${dpName}; each case in a fresh process with its own dataplane and daemon`);
  say(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  say('');

  const results: CaseResult[] = [];
  try {
    for (const name of a.cases) {
      process.stderr.write(`[${name}] ${DESCRIPTION[name]}\n`);
      results.push(await runChild(self, name, specFile, a.timeoutMs));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const by = (n: CaseName) => results.find((r) => r.name === n);
  const main = by('fibpush');
  const raw = by('raw-client');
  const rawRate = raw?.ok && raw.programmedSeconds ? routes / raw.programmedSeconds : null;

  // Two tables of at most ~100 columns (a terminal of 120 holds them), then the cases in words.
  const timing: string[][] = [['case', 'read s', 'read routes/s', 'programmed s', 'routes/s', 'x raw']];
  const resources: string[][] = [['case', 'CPU s', 'dataplane CPU s', 'peak RSS MB', 'B/route', 'route API calls']];
  const described: string[] = [];
  for (const r of results) {
    const rate = r.programmedSeconds ? routes / r.programmedSeconds : null;
    timing.push([
      r.name,
      fmt(r.readSeconds, 3),
      r.readSeconds ? fmt(routes / r.readSeconds) : '-',
      fmt(r.programmedSeconds, 3),
      fmt(rate),
      rate && rawRate ? fmt(rate / rawRate, 2) : '-',
    ]);
    resources.push([
      r.name,
      fmt(r.cpuSeconds, 2),
      fmt(r.dataplaneCpuSeconds, 2),
      r.rssPeakBytes ? fmt(r.rssPeakBytes / 1048576) : '-',
      fmt(r.rssBytesPerRoute, 1),
      fmt(r.apiCalls),
    ]);
    const note = r.error ? `FAILED: ${r.error.slice(0, 200)}` : r.description + (r.ok ? '' : ' (NOT OK: see above)');
    described.push(...wrap(`${r.name.padEnd(15)} ${note}`, WIDTH, ' '.repeat(16)));
  }
  printTable(timing);
  say('');
  printTable(resources);
  say('');
  for (const l of described) say(l);
  say('');
  const readHow = results.find((r) => r.name !== 'tcp-read' && r.readSource)?.readSource ?? 'zebra connected -> fibpush ingested the end-of-replay marker';
  const dpCpu =
    a.dataplane === 'simulator'
      ? "the VPP simulator's user+system CPU over the same interval (the dataplane's share of the work)"
      : a.dataplane === 'vpp'
        ? a.vppRun
          ? "the real VPP's user+system CPU over the same interval (a fresh VPP per case, started with --vpp-run)"
          : "not measured against a VPP this benchmark did not start (--vpp-run starts its own): '-'"
        : "'-': the memory dataplane runs inside fibpush and is counted in CPU s";
  const legend: [string, string][] = [
    ['read s', `${readHow} (tcp-read: the reader's last byte)`],
    ['read routes/s', 'routes / read s: how fast the table is read and ingested'],
    ['programmed s', 'zebra connected -> the last RTM_F_OFFLOAD reached zebra (raw-client: its last reply)'],
    ['routes/s', 'routes / programmed s: end to end'],
    ['x raw', "routes/s / raw-client's routes/s (1.00 = as fast as a client with no FIB logic at all)"],
    ['CPU s', "the case process's user+system CPU from connect to the last notification: fibpush's own (tcp-read: the reader's, raw-client: the client's)"],
    ['dataplane CPU s', dpCpu],
    ['peak RSS MB', "fibpush's peak resident memory (VmHWM) over the case"],
    ['B/route', "(peak RSS - RSS before zebra connected) / routes: fibpush's memory per route"],
    ['route API calls', 'ip_route_add_del calls the dataplane served (simulator counters; with a real VPP, every request fibpush sent)'],
  ];
  for (const [k, v] of legend) say(wrap(`${k.padEnd(17)}${v}`, WIDTH, ' '.repeat(17)).join('\n'));
  const smallTable = routes < SIZING_MIN_ROUTES;
  if (smallTable) {
    say('');
    for (const l of wrap(
      `note: a small table (${fmt(routes)} routes). Per-route and per-second figures are dominated by fixed costs here (process ` +
        'start, JIT warm-up, table set-up, the first connect) and mean little: use them to check that everything works, and a ' +
        'full table (no --small) to size a box. The targets below are set for a full table.',
      WIDTH,
      '      ',
    )) say(l);
  }
  say('');
  for (const r of results) for (const n of r.notes) say(`note (${r.name}): ${n}`);
  // How much programming overlapped the read: the first sample that saw the whole table read.
  const overlap = (r: CaseResult | undefined): number | null => r?.samples.find((x) => x.read >= routes)?.programmed ?? null;
  const withSamples = results.filter((r) => r.name !== 'stalled' && overlap(r) !== null);
  if (withSamples.length > 0) {
    say(`programmed by the time the whole table was read (first metrics sample after it): ${withSamples.map((r) => `${r.name} ${fmt(overlap(r))}`).join(', ')}`);
  }

  const nhgPic = main?.nhgChange ?? null;
  const nhgInline = by('fibpush-inline')?.nhgChange ?? null;
  if (nhgPic || nhgInline) {
    say('');
    const n = nhgPic ?? nhgInline;
    say(`NHG change (group ${n?.nhg} "${n?.label}", ${fmt(n?.dependents)} routes, a member removed):`);
    if (nhgPic) say(`  PIC:    ${fmt(nhgPic.apiCalls)} route API calls, converged in ${fmt(nhgPic.seconds * 1000, 1)} ms`);
    if (nhgInline) say(`  inline: ${fmt(nhgInline.apiCalls)} route API calls, converged in ${fmt(nhgInline.seconds * 1000, 1)} ms`);
  }
  const ch = main?.churn;
  if (ch) {
    say('');
    say(`churn: ${fmt(ch.events)} events in ${fmt(ch.seconds, 1)} s (asked ${fmt(ch.rateAsked)}/s), ${fmt(ch.apiCalls)} route API calls; latency sent -> acknowledged:`);
    printTable([
      ['event', 'sent', 'acked', 'p50 ms', 'p99 ms', 'max ms'],
      ['replace', fmt(ch.replace.events), fmt(ch.replace.acked), fmt(ch.replace.p50Ms, 2), fmt(ch.replace.p99Ms, 2), fmt(ch.replace.maxMs, 2)],
      ['withdraw', fmt(ch.withdraw.events), fmt(ch.withdraw.acked), fmt(ch.withdraw.p50Ms, 2), fmt(ch.withdraw.p99Ms, 2), fmt(ch.withdraw.maxMs, 2)],
      ['NHG change', fmt(ch.nhg.events), fmt(ch.nhg.acked), fmt(ch.nhg.p50Ms, 2), fmt(ch.nhg.p99Ms, 2), fmt(ch.nhg.maxMs, 2)],
    ]);
    say('acknowledged when:');
    say(`  replace: its RTM_F_OFFLOAD reached zebra`);
    say(`  withdraw: ${ch.withdrawMethod}`);
    say(`  NHG change: ${ch.nhgMethod}`);
  }
  const fo = main?.failover;
  if (fo) {
    say('');
    say(
      `failover: sw_if_index ${fo.swIfIndex} down in the dataplane (a member of the busiest group ${fo.nhg} "${fo.label}"): ` +
        `${fmt(fo.affectedNhgs)} groups / ${fmt(fo.affectedRoutes)} routes affected; all forward around it after ${fmt(fo.seconds * 1000, 1)} ms; ` +
        `${fmt(fo.apiCalls)} route API calls (all calls: ${JSON.stringify(fo.apiCallsByName)}); fibpush's reaction: ${JSON.stringify(fo.fibpushReaction)}`,
    );
  }
  const st = by('stalled');
  if (st?.stalled) {
    say('');
    say(
      `stalled dataplane: the whole table read in ${fmt(st.readSeconds, 3)} s (${fmt(st.readSeconds ? routes / st.readSeconds : null)} routes/s); ` +
        `${fmt(st.stalled.routesStored)} routes stored, ${fmt(st.stalled.queueDepth)} queued, ${fmt(st.stalled.vppInFlight)} in flight (window ${st.stalled.window}); ` +
        `${fmt(st.rssBytesPerRoute, 1)} B/route; RSS change in the 2 s after: ${fmt(st.stalled.rssGrowthAfterReadBytes / 1048576, 1)} MB`,
    );
  }
  const checks = results.flatMap((r) => r.fib.map((f) => ({ name: r.name, ...f })));
  if (checks.length > 0) {
    say('');
    for (const c of checks) {
      const k = c.check;
      say(
        `FIB ${k.ok ? 'matches' : 'DIFFERS'} (${c.name}, ${c.phase}): ${fmt(k.checked)} of ${fmt(k.expected)} routes compared, ${fmt(k.missing)} missing, ` +
          `${fmt(k.wrong)} wrong, ${fmt(k.extra)} extra; ${fmt(k.lookupsWrong)} of ${fmt(k.lookups)} lookups wrong`,
      );
    }
  }

  // Targets (DESIGN.md performance budget).
  const readRate = main?.readSeconds ? routes / main.readSeconds : null;
  const progRate = main?.programmedSeconds ? routes / main.programmedSeconds : null;
  const ratio = progRate && rawRate ? progRate / rawRate : null;
  const fibMatches = checks.length > 0 && checks.every((c) => c.check.ok);
  say('');
  say(
    smallTable
      ? `targets (set for a full table of ~1.23M routes; at ${fmt(routes)} routes a MISSED rate, memory or CPU line below says little):`
      : 'targets:',
  );
  say(`  read + ingest >= 5M routes/s (< 0.25 s for 1.23M): ${fmt(readRate)} routes/s, ${fmt(main?.readSeconds, 3)} s: ${verdict(readRate === null ? null : readRate >= 5e6)}`);
  say(`  fibpush memory <= 64 B/route: ${fmt(main?.rssBytesPerRoute, 1)} B/route (peak ${fmt((main?.rssPeakBytes ?? 0) / 1048576)} MB): ${verdict(main?.rssBytesPerRoute == null ? null : main.rssBytesPerRoute <= 64)}`);
  say(`  end to end >= 0.9x the minimal client: ${fmt(progRate)} vs ${fmt(rawRate)} routes/s = ${fmt(ratio, 2)}x: ${verdict(ratio === null ? null : ratio >= 0.9)}`);
  const cpuRatio = main?.cpuSeconds && main.dataplaneCpuSeconds ? main.cpuSeconds / main.dataplaneCpuSeconds : null;
  say(`  fibpush CPU a small fraction (< 0.5x) of the dataplane's during the load: ${fmt(main?.cpuSeconds, 2)} s vs ${fmt(main?.dataplaneCpuSeconds, 2)} s = ${fmt(cpuRatio, 2)}x: ${verdict(cpuRatio === null ? null : cpuRatio < 0.5)}`);
  say(`  NHG change in PIC mode = 1 API call: ${fmt(nhgPic?.apiCalls)}: ${verdict(nhgPic ? nhgPic.apiCalls === 1 : null)}`);
  say(`  dataplane stalled: table still read completely, memory bounded: ${st?.stalled ? `${fmt(st.stalled.routesStored)} of ${fmt(routes)} routes read, ${fmt(st.rssBytesPerRoute, 1)} B/route` : '-'}: ${verdict(st ? st.ok : null)}`);
  say(`  every route acknowledged, FIB equals zebra's table: ${fmt(main?.acked)} of ${fmt(routes)} acked, FIB ${fibMatches ? 'matches' : 'differs or unchecked'}: ${verdict(main ? main.acked === routes && fibMatches : null)}`);

  const summary = {
    routes,
    acked: main?.acked ?? null,
    readSeconds: main?.readSeconds ?? null,
    programmedSeconds: main?.programmedSeconds ?? null,
    routesPerSecondRead: readRate,
    routesPerSecondProgrammed: progRate,
    rssBytesPerRoute: main?.rssBytesPerRoute ?? null,
    ratioVsRawClient: ratio,
    cpuRatioVsDataplane: cpuRatio,
    programmedWhenReadEnded: overlap(main),
    picNhgChangeApiCalls: nhgPic?.apiCalls ?? null,
    renumberApiCalls: main?.renumber?.apiCalls ?? null,
    rawClient: raw ? { cpuSeconds: raw.cpuSeconds, vppRoutesPerSecond: rawRate } : null,
    inlineNhgChangeApiCalls: nhgInline?.apiCalls ?? null,
    dataplane: a.dataplane,
    fibMatches,
    table: { v4: m.t.v4.count, v6: m.t.v6.count, nexthopObjects: m.t.nexthops.length, seed: a.seed, nhgBytes: nhgBytes.length, inlineBytes: inlineBytes.length, endMarker: a.endMarker },
    config: { feedbackRate: a.feedbackRate, expectedRoutes: a.expectedRoutes, window: a.window, churnRate: a.churnRate, churnSeconds: a.churnSeconds, churnMix: a.churnMix, nexthops: a.nexthops },
    machine: { node: process.version, cpu: os.cpus()[0]?.model ?? '', cpus: os.cpus().length, loadavg: os.loadavg() },
    floorReadSeconds: by('tcp-read')?.readSeconds ?? null,
    rawClientSeconds: raw?.programmedSeconds ?? null,
    churn: ch ?? null,
    failover: fo ?? null,
    stalled: st ? { ok: st.ok, readSeconds: st.readSeconds, rssBytesPerRoute: st.rssBytesPerRoute, ...st.stalled } : null,
    cases: results,
  };
  if (a.json) {
    fs.writeFileSync(a.json, JSON.stringify(summary, null, 2) + '\n');
    say(`\nJSON: ${a.json}`);
  }
  if (a.plot) {
    const palette: Record<string, string> = { fibpush: '#1f77b4', 'fibpush-ts': '#ff7f0e', 'fibpush-inline': '#2ca02c', 'zebra-inline': '#9467bd', stalled: '#d62728' };
    const series: Series[] = [];
    for (const r of results) {
      if (r.samples.length === 0) continue;
      const color = palette[r.name] ?? '#555';
      series.push({ label: `${r.name}: read`, color, dashed: true, points: [[0, 0], ...r.samples.map((s) => [s.t, s.read] as [number, number])] });
      if (r.name !== 'stalled') series.push({ label: `${r.name}: programmed`, color, points: [[0, 0], ...r.samples.map((s) => [s.t, s.programmed] as [number, number])] });
    }
    fs.writeFileSync(a.plot, svgChart(`fibpush full feed: ${fmt(routes)} routes into the ${dpName}`, `routes read (dashed) and programmed (solid), fibpush metrics every 100 ms; ${os.cpus().length} CPUs, node ${process.version}`, series));
    say(`plot: ${a.plot}`);
  }
  say('');
  say(sizingLine(main, routes, a.dataplane === 'simulator' ? 'the VPP simulator' : a.dataplane === 'vpp' ? `VPP (${a.vppSocket})` : 'the memory dataplane', smallTable));
  const allOk = results.every((r) => r.ok);
  return allOk ? 0 : 1;
}

// ---------------------------------------------------------------- entry

const argv = process.argv.slice(2);
if (argv[0] === '--case') {
  const spec = JSON.parse(fs.readFileSync(argv[2], 'utf8')) as Spec;
  runCase(argv[1] as CaseName, spec, __filename).then(
    (r) => {
      process.stdout.write(JSON.stringify(r) + '\n');
      process.exit(0);
    },
    (e: Error) => {
      console.error(e.stack ?? e.message);
      process.exit(1);
    },
  );
} else if (argv[0] === '--floor-server') {
  floorServer(Number(argv[1]));
} else {
  parent(argv).then(
    (code) => process.exit(code),
    (e: Error) => {
      console.error(e instanceof RangeError ? `fullfeed: ${e.message}` : (e.stack ?? e.message));
      process.exit(2);
    },
  );
}

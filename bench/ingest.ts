// Ingest benchmark: a generated full table through decode + FibStore (NHG and inline mode), routes/s and RSS per route, each case in a fresh process.
//
//   node dist/bench/ingest.js [--v4 N] [--v6 N] [--seed S] [--runs R] [--nhgs N]
//
// The parent generates the table once (ts/gen/fulltable.ts), encodes it as zebra replays it, in
// NHG mode and in inline mode (`no fpm use-next-hop-groups`), writes both to temp files, and runs
// every case in a child (`node --expose-gc`): each child reads its capture, builds its decoder,
// takes an RSS baseline after a GC, ingests into a fresh store (the RSS figure), then times
// `--runs` more passes, each into a fresh store.
import * as fs from 'fs';
import { createDecoder, DecoderImpl } from '../ts/codec/decoder';
import { FibStore } from '../ts/dplane/store';
import { ChangeKind } from '../ts/dplane/types';
import { decodeBuffer, fmt, intArg, machineLine, median, printTable, runChild, tableArgs, withTableFiles } from './lib';

interface Result {
  name: string;
  /** Wall time per pass, ms. */
  ms: number[];
  /** CPU time (user + system, all threads) per pass, ms: steadier than wall time on a shared machine. */
  cpu: number[];
  routes: number;
  rssPerRoute: number;
  arraysPerRoute: number;
  changes: number;
  implicit: number;
  note?: string;
}

const CASES = [
  ['native', 'nhg', 'decode only (native), the floor'],
  ['native+store', 'nhg', 'native decode + FibStore.ingest, NHG mode'],
  ['ts+store', 'nhg', 'TS decode + FibStore.ingest, NHG mode'],
  ['native+store+hint', 'nhg', 'as native+store, tables sized up front (expectedRoutes option)'],
  ['native+store', 'inline', 'native decode + FibStore.ingest, inline paths'],
  ['ts+store', 'inline', 'TS decode + FibStore.ingest, inline paths'],
  ['replay', 'nhg', 'same table again on a new connection (refresh, no change)'],
  ['drain', 'nhg', 'ChangeSource.next() over every change of a full ingest'],
] as const;

// ---- children ----

declare const gc: () => void;

/** Runs f, returns [wall ms, cpu ms]. */
function timed(f: () => void): [number, number] {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  f();
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  return [wall, (c.user + c.system) / 1000];
}

function child(name: string, file: string, runs: number, hint: { inet: number; inet6: number }): Result {
  const newStore = (): FibStore => new FibStore(name.endsWith('+hint') ? { expectedRoutes: hint.inet + hint.inet6 } : {});
  const buf = fs.readFileSync(file);
  const impl: DecoderImpl = name.startsWith('ts') ? 'ts' : 'native';
  const d = createDecoder(impl);
  let routes = 0;
  const pass = (store: FibStore | null): void => {
    routes = 0;
    if (store === null) {
      decodeBuffer(d, buf);
      return;
    }
    decodeBuffer(d, buf, () => store.ingest(d.batch, buf));
    routes = store.counts().routes;
  };
  const drain = (s: FibStore): number => {
    let n = 0;
    while (s.next() !== ChangeKind.None) n++;
    return n;
  };
  const ms: number[] = [];
  const cpu: number[] = [];
  const record = (f: () => void): void => {
    const [w, c] = timed(f);
    ms.push(w);
    cpu.push(c);
  };
  if (name === 'native') {
    pass(null); // warm-up
    for (let r = 0; r < runs; r++) record(() => pass(null));
    const s = new FibStore();
    pass(s);
    return { name, ms, cpu, routes, rssPerRoute: 0, arraysPerRoute: 0, changes: 0, implicit: 0 };
  }
  // RSS: baseline after GC, one store filled, GC, measure. The first pass is also the cold run.
  // Two collections: array buffers of the first are released by the second.
  gc();
  gc();
  const rss0 = process.memoryUsage().rss;
  const first = newStore();
  first.connectionStart(0);
  const cold = timed(() => pass(first));
  gc();
  gc();
  const rss1 = process.memoryUsage().rss;
  const rssPerRoute = (rss1 - rss0) / routes;
  const arraysPerRoute = first.tableBytes() / routes;
  const implicit = first.counts().implicitNhgs;
  let changes = 0;
  if (name === 'replay') {
    changes = drain(first);
    for (let r = 0; r < runs; r++) {
      first.connectionStart(0);
      record(() => pass(first));
      changes = drain(first);
    }
  } else if (name === 'drain') {
    for (let r = 0; r < runs; r++) {
      const s = r === 0 ? first : newStore();
      if (r > 0) pass(s);
      record(() => (changes = drain(s)));
    }
  } else {
    ms.push(cold[0]);
    cpu.push(cold[1]);
    for (let r = 0; r < runs; r++) {
      const s = newStore();
      record(() => pass(s));
    }
    changes = drain(first);
  }
  return { name, ms, cpu, routes, rssPerRoute, arraysPerRoute, changes, implicit };
}

// ---- parent ----

function parent(argv: string[]): void {
  const opts = tableArgs(argv);
  const runs = Math.max(1, intArg(argv, 'runs', 3));
  const rows: string[][] = [['case', 'mode', 'median ms', 'cpu ms', 'cold ms', 'routes/s', 'RSS B/route', 'arrays B/route', 'changes', '']];
  withTableFiles(opts, { nhg: true, inline: false }, (table, files) => {
    const total = table.v4.count + table.v6.count;
    console.log(`full table: ${fmt(table.v4.count)} IPv4 + ${fmt(table.v6.count)} IPv6 routes, ${table.nexthops.length} nexthop objects, seed ${opts.seed}`);
    console.log(`${machineLine()}; each case in a fresh process, median of ${runs} (+ the cold first pass)`);
    console.log('');
    for (const [name, mode, what] of CASES) {
      const res = runChild<Result>(__filename, ['--child', name, files[mode], String(runs), String(table.v4.count), String(table.v6.count)], ['--expose-gc']);
      if ('failed' in res) {
        rows.push([name, mode, '-', '-', '-', '-', '-', '-', '-', `failed: ${res.failed}`]);
        continue;
      }
      const warm = name === 'replay' || name === 'drain' || name === 'native' ? 0 : 1;
      const med = median(res.ms.slice(warm));
      const medCpu = median(res.cpu.slice(warm));
      const perS = (name === 'drain' ? res.changes : total) / (med / 1000);
      rows.push([
        name,
        mode,
        fmt(med, 1),
        fmt(medCpu, 1),
        name === 'replay' || name === 'drain' || name === 'native' ? '-' : fmt(res.ms[0], 1),
        fmt(perS),
        res.rssPerRoute ? fmt(res.rssPerRoute, 1) : '-',
        res.arraysPerRoute ? fmt(res.arraysPerRoute, 1) : '-',
        name === 'native' ? '-' : fmt(res.changes),
        `${what}${res.implicit ? ` (${res.implicit} implicit groups)` : ''}${name === 'drain' ? ' [per s: changes]' : ''}`,
      ]);
      if (res.routes !== total && name !== 'native') rows[rows.length - 1][9] += ` ROUTES ${res.routes} != ${total}`;
    }
  });
  printTable(rows, (c) => c < 2 || c === 9);
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  process.stdout.write(JSON.stringify(child(argv[1], argv[2], Number(argv[3]), { inet: Number(argv[4]), inet6: Number(argv[5]) })) + '\n');
} else {
  parent(argv);
}

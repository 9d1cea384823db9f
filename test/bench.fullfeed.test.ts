// CI smoke check of bench/fullfeed: its FIB comparison tells a right FIB from a wrong one, and `--small` against the VPP simulator acknowledges every route with a FIB equal to the generated table (no timings asserted).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { VppSimulator } from '../ts/vpp-sim';
import { FeedModel, TableSpec } from '../bench/fullfeed/model';
import { dumpCheck, simLookupCheck } from '../bench/fullfeed/fibcheck';
import { rawClient } from '../bench/fullfeed/rawclient';

const BENCH = path.join(__dirname, '..', 'bench', 'fullfeed.js');

test('the FIB check finds a missing, a wrong and an extra route, and follows a link going down', async () => {
  const spec: TableSpec = { v4: 3000, v6: 800, nhgs: 12, seed: 7, nexthops: null };
  const programmed = new FeedModel(spec);
  const sim = await VppSimulator.start({
    interfaces: [...programmed.ifSw].map(([ifindex, sw]) => ({ swIfIndex: sw, name: `eth${sw}`, hostIfIndex: ifindex, hostName: `up${sw}` })),
  });
  try {
    // What is programmed: the generated table minus one route.
    programmed.withdraw(0, 5);
    const res = await rawClient(sim.apiSocket, programmed, 64, 30_000);
    assert.is(res.errors, 0);
    assert.is(res.replies, programmed.routes);

    const same = await dumpCheck(sim.apiSocket, programmed);
    await simLookupCheck(sim, programmed, same, 50, 1);
    assert.ok(same.ok, same.examples.join('\n'));
    assert.is(same.checked, programmed.routes);
    assert.ok(same.lookups > 50);

    // What zebra has: route 5 present, route 7 withdrawn, route 9 via another nexthop object.
    const zebra = new FeedModel(spec);
    zebra.withdraw(0, 7);
    const other = zebra.busiest().find((k) => zebra.sig(k) !== zebra.sig(zebra.nh[0][9])) as number;
    zebra.replace(0, 9, other);
    const diff = await dumpCheck(sim.apiSocket, zebra);
    assert.is(diff.ok, false);
    assert.is(diff.missing, 1);
    assert.is(diff.extra, 1);
    assert.is(diff.wrong, 1);
    assert.ok(diff.examples.some((e) => e.includes(zebra.prefix(0, 5))), diff.examples.join('\n'));

    // A link down in the dataplane: the FIB and the model move the same way (backups take over).
    const sw = [...programmed.ifSw.values()][0];
    const before = programmed.sig(programmed.busiest()[0]);
    await sim.setInterface(sw, false);
    programmed.setInterface(sw, false);
    assert.is.not(programmed.sig(programmed.busiest()[0]), before);
    const down = await dumpCheck(sim.apiSocket, programmed);
    await simLookupCheck(sim, programmed, down, 50, 2);
    assert.ok(down.ok, down.examples.join('\n'));
    // ...and a model that ignores the link tells it apart.
    programmed.setInterface(sw, true);
    const stale = await dumpCheck(sim.apiSocket, programmed);
    assert.ok(stale.wrong > 0);
  } finally {
    await sim.stop();
  }
});

interface Summary {
  [k: string]: unknown;
  rawClient?: { cpuSeconds: number; vppRoutesPerSecond: number } | null;
  cases: { name: string; ok: boolean; error?: string; acked: number | null; fib: { phase: string; check: { ok: boolean; checked: number; expected: number; lookups: number } }[]; nhgChange?: { apiCalls: number; dependents: number } }[];
  churn: { replace: { events: number; acked: number }; withdraw: { events: number; acked: number }; nhg: { events: number; acked: number } } | null;
}

test('npm run fullfeed -- --small: every route acknowledged, FIB equals the generated table, JSON complete', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fullfeed-test-'));
  const json = path.join(dir, 'out.json');
  const plot = path.join(dir, 'out.svg');
  try {
    let report = '';
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const c = spawn(process.execPath, [BENCH, '--small', '--churn-seconds', '2', '--json', json, '--plot', plot], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      c.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        report += d.toString();
      });
      c.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const t = setTimeout(() => c.kill('SIGTERM'), 110_000);
      c.on('exit', (code) => {
        clearTimeout(t);
        resolve({ code, out });
      });
    });
    assert.is(code, 0, out.slice(-3000));
    const s = JSON.parse(fs.readFileSync(json, 'utf8')) as Summary;

    // The report as a person reads it: 120 columns, every table column explained, the small-table
    // caveat, and the closing sizing line.
    const lines = report.split('\n');
    for (const l of lines) assert.ok(l.length <= 120, `a report line of ${l.length} columns: ${l}`);
    const headers = lines.filter((l, i) => /^case\s{2,}/.test(l) && /^-+(\s+-+)+$/.test(lines[i + 1] ?? ''));
    assert.is(headers.length, 2, report);
    for (const h of headers) {
      for (const col of h.split(/\s{2,}/).slice(1)) {
        assert.ok(lines.some((l) => l.startsWith(col.padEnd(17))), `column "${col}" is in the legend`);
      }
    }
    assert.match(report, /^note: a small table \(25,000 routes\)\. Per-route and per-second figures are dominated by fixed costs/m);
    const closing = lines.filter((l) => l !== '').slice(-2).join(' ').replace(/\s+/g, ' ');
    assert.match(closing, /^this box: 25,000 routes into the VPP simulator in [\d.]+ s, fibpush CPU [\d.]+ s, RSS [\d,]+ MB \(not a full table: run without --small to size a box\)$/);

    // The fields outside checks read, with their types.
    const numbers = ['routes', 'acked', 'readSeconds', 'programmedSeconds', 'routesPerSecondRead', 'routesPerSecondProgrammed', 'rssBytesPerRoute', 'ratioVsRawClient', 'picNhgChangeApiCalls', 'inlineNhgChangeApiCalls', 'renumberApiCalls'];
    for (const k of numbers) assert.type(s[k], 'number', `${k} is a number`);
    for (const k of ['readSeconds', 'programmedSeconds', 'routesPerSecondRead', 'routesPerSecondProgrammed', 'ratioVsRawClient']) assert.ok((s[k] as number) > 0, `${k} > 0`);
    assert.is(s.dataplane, 'simulator');
    assert.is(s.fibMatches, true);

    // Every route acknowledged; every FIB check compared every route and matched.
    assert.is(s.routes, 25_000);
    assert.is(s.acked, s.routes);
    for (const c of s.cases) {
      assert.ok(c.ok, `${c.name}: ${c.error ?? 'not ok'}`);
      if (c.acked !== null && c.name !== 'raw-client') assert.is(c.acked, s.routes, `${c.name} acked`);
      for (const f of c.fib) {
        assert.ok(f.check.ok, `${c.name} ${f.phase}`);
        assert.is(f.check.checked, f.check.expected);
        assert.ok(f.check.lookups > 0);
      }
    }
    const main = s.cases.find((c) => c.name === 'fibpush');
    assert.is(main?.fib.length, 4, 'checked after the load, the renumbered replay, the churn and the failover');
    assert.ok(s.cases.find((c) => c.name === 'fibpush-inline')?.fib.length === 1);

    // PIC: a group change is one call (DESIGN.md); inline mode sends every route using the group again.
    assert.is(s.picNhgChangeApiCalls, 1);
    // zebra back with every nexthop id renumbered: nothing forwards differently, nothing is written.
    assert.is(s.renumberApiCalls, 0, 'route API calls on the renumbered replay');
    assert.type(s.rawClient?.cpuSeconds, 'number');
    assert.ok((s.rawClient?.vppRoutesPerSecond ?? 0) > 0);
    const inl = s.cases.find((c) => c.name === 'fibpush-inline')?.nhgChange;
    assert.is(s.inlineNhgChangeApiCalls, inl?.dependents);

    // Churn: every event acknowledged.
    const ch = s.churn;
    assert.ok(ch && ch.replace.events > 0 && ch.withdraw.events > 0);
    if (ch) for (const e of [ch.replace, ch.withdraw, ch.nhg]) assert.is(e.acked, e.events);
    assert.match(fs.readFileSync(plot, 'utf8'), /^<svg /);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();

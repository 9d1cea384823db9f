// The real-FRR harness itself: zebra + staticd in namespaces stream their FIB to a plain recording
// FPM listener; what `show ip route json` reports is exactly what arrived, through flaps and reconnects.
import { test as uvuTest } from 'uvu';
import * as assert from 'uvu/assert';
import { FrrLab, waitFor, BUFFER_FULL_KEY, parseNhgRib } from '../ts/frr-lab/harness';
import { FrrGate } from './frr/gate';
import { FpmRecorder, RecordedConnection } from './frr/recorder';
import { Fib, FibRoute } from '../ts/frr-lab/fib';
import { FpmEncoder, RTPROT_ZSTATIC } from '../ts/codec/encoder';
import { STATIC_ROUTES as STATIC } from '../ts/frr-lab/static-routes';

interface Ctx {
  lab: FrrLab | null;
  rec: FpmRecorder | null;
  conn: RecordedConnection | null;
  ifs: Record<string, number>;
}
const ctx: Ctx = { lab: null, rec: null, conn: null, ifs: {} };
const gate = new FrrGate('frr.harness');
const test = gate.guard(uvuTest);

const fpmFib = (c: RecordedConnection) => () => c.fib.fib().fib;
const route = (f: Fib, key: string): FibRoute => {
  const r = f.get(key);
  if (!r) throw new Error(`no route ${key}`);
  return r;
};

test.before(async () => {
  if (!gate.available) return;
  try {
    const lab = await FrrLab.create({ links: 3 });
    ctx.lab = lab;
    ctx.rec = new FpmRecorder(await lab.listenFpm());
    await lab.startZebra();
    await lab.startStaticd();
    for (const l of lab.links) ctx.ifs[l.dut] = await lab.ifindex(l.dut);
    ctx.conn = await ctx.rec.waitConnection(1, 20000);
  } catch (e) {
    gate.fail(e);
  }
});

test.after(async () => {
  await ctx.rec?.close();
  await ctx.lab?.destroy();
});

test('static routes zebra reports (all tables, IPv4 and IPv6) arrive over FPM as the same FIB', async () => {
  if (!gate.check()) return;
  const { lab, conn } = ctx as Required<{ [K in keyof Ctx]: NonNullable<Ctx[K]> }>;
  await lab.configure(...STATIC);
  await waitFor('the last static routes on the FPM stream', () => conn.fib.routes.has('1001 fd00:99:110::/64') && conn.fib.routes.has('254 10.99.112.0/24'), 15000);
  const z = await lab.waitFibMatch(fpmFib(conn));
  const { fib, unresolved } = conn.fib.fib();
  assert.equal(unresolved, []);
  assert.is(conn.error, null);
  assert.is(conn.fib.counts.badRows, 0);
  // The shapes the scenario is made of, as zebra states them (so both sides hold them).
  const s = ctx.ifs;
  assert.equal(route(z, '254 10.99.101.0/24').nexthops, [
    { gw: '10.99.1.2', ifindex: s['s-p1'], weight: 1 },
    { gw: '10.99.2.2', ifindex: s['s-p2'], weight: 1 },
    { gw: '10.99.3.2', ifindex: s['s-p3'], weight: 1 },
  ]);
  assert.is(route(z, '254 10.99.102.0/24').type, 'blackhole');
  assert.is(route(z, '254 10.99.104.0/24').type, 'blackhole');
  assert.is(route(z, '254 10.99.103.0/24').type, 'unreachable');
  assert.is(route(z, '254 fd00:99:103::/64').type, 'unreachable');
  assert.equal(route(z, '254 10.99.106.0/24').nexthops, [{ gw: null, ifindex: s['s-p1'], weight: 1 }]);
  assert.equal(route(z, '254 10.99.108.0/24').nexthops, [{ gw: '10.99.1.2', ifindex: s['s-p1'], weight: 1 }], 'recursive route resolved');
  assert.equal(route(z, '100 10.99.111.0/24').nexthops, [{ gw: '10.99.2.2', ifindex: s['s-p2'], weight: 1 }]);
  assert.ok(z.has('1001 10.99.110.0/24') && z.has('1001 fd00:99:110::/64'));
  assert.equal(Object.keys(await lab.showRoutes(4, 100)), ['10.99.111.0/24']);
  assert.ok('fd00:99:106::/64' in (await lab.showRoutes(6)));
  assert.is(route(z, '254 fd00:99:101::/64').nexthops.length, 3);
  assert.ok(fib.size >= STATIC.length - 4 + 6, `${fib.size} routes incl. connected`);

  // NHG objects: every group a route points at exists in zebra's `show nexthop-group rib`.
  const rib = await lab.nhgRib();
  const installed = new Set(rib.filter((n) => n.installed).map((n) => n.id));
  const used = new Set([...conn.fib.routes.values()].map((r) => r.nhId).filter((id) => id > 0));
  assert.ok(used.size > 5);
  for (const id of used) assert.ok(installed.has(id), `NHG ${id} installed in zebra`);

  // `show fpm counters json`: every byte zebra sent was received, no buffer-full event.
  const fc = await lab.fpmCounters();
  assert.is(fc[BUFFER_FULL_KEY], 0);
  assert.is(fc['bytes-sent'], conn.bytes);
  assert.is(fc['connection-closes'], 0);
  assert.type(fc['obuf-bytes-peak'], 'number');
});

test('a link going down and up: the FPM stream follows zebra', async () => {
  if (!gate.check()) return;
  const { lab, conn } = ctx as Required<{ [K in keyof Ctx]: NonNullable<Ctx[K]> }>;
  const legs = () => conn.fib.fib().fib.get('254 10.99.101.0/24')?.nexthops.length ?? 0;
  await lab.linkDown('s-p3');
  await waitFor('10.99.101.0/24 down to 2 legs on FPM', () => legs() === 2, 15000);
  const z = await lab.waitFibMatch(fpmFib(conn));
  assert.not.ok(z.has('254 10.99.3.0/24'), 'connected route gone');
  assert.ok([...conn.fib.fib().fib.values()].every((r) => r.nexthops.every((n) => n.ifindex !== ctx.ifs['s-p3'])));
  await lab.linkUp('s-p3');
  await waitFor('10.99.101.0/24 back to 3 legs on FPM', () => legs() === 3, 15000);
  await lab.waitFibMatch(fpmFib(conn));
  assert.ok(conn.fib.counts.delNhg + conn.fib.counts.delRoute > 0, 'deletes were streamed');
});

test('zebra 8.4.4 reads (and ignores) offload frames sent back: bytes-read counts them', async () => {
  if (!gate.check()) return;
  const { lab, rec } = ctx as Required<{ [K in keyof Ctx]: NonNullable<Ctx[K]> }>;
  const before = (await lab.fpmCounters())['bytes-read'];
  const enc = new FpmEncoder();
  enc.offload({ family: 2, dst: '10.99.100.0', dstLen: 24, protocol: RTPROT_ZSTATIC });
  enc.offload({ family: 10, dst: 'fd00:99:100::', dstLen: 64, protocol: RTPROT_ZSTATIC, failed: true });
  const bytes = enc.toBuffer();
  rec.send(bytes);
  await waitFor('zebra to read the frames', async () => (await lab.fpmCounters())['bytes-read'] === before + bytes.length, 10000);
  const fc = await lab.fpmCounters();
  assert.is(fc['connection-closes'], 0, 'zebra kept the connection');
});

test('after a dropped connection zebra reconnects and replays the main table (not tables 100/1001)', async () => {
  if (!gate.check()) return;
  const { lab, rec, conn } = ctx as Required<{ [K in keyof Ctx]: NonNullable<Ctx[K]> }>;
  rec.dropAll();
  const c2 = await rec.waitConnection(2, 20000);
  assert.ok(conn.closed);
  await rec.waitQuiet(c2, 1500, 30000);
  const z = await lab.fib();
  const replay = c2.fib.fib();
  assert.equal(replay.unresolved, []);
  // FRR 8.4.4 replays only the main table (docs/fpm-extensions.md: "Routes in non-main
  // tables ... are sent live but not replayed").
  const main = new Map([...z].filter(([, r]) => r.table === 254));
  assert.ok(main.size < z.size, 'zebra has routes outside the main table');
  assert.equal([...replay.fib.keys()].sort(), [...main.keys()].sort());
  for (const [k, r] of main) assert.equal(replay.fib.get(k), r, k);
  const fc = await lab.fpmCounters();
  assert.is(fc['connection-closes'] + fc['connection-errors'] >= 1, true);
  assert.is(fc[BUFFER_FULL_KEY], 0);
  ctx.conn = c2;
});

test('parseNhgRib reads FRR 8.4 `show nexthop-group rib` text', () => {
  const text = [
    'ID: 26 (zebra)',
    '     RefCnt: 1',
    '     Uptime: 00:00:03',
    '     VRF: default',
    '     Valid, Installed',
    '     Depends: (25) (27)',
    '           via 10.99.1.2, s-p1 (vrf default), weight 1',
    '           via 10.99.2.2, s-p2 (vrf default), weight 1',
    'ID: 35 (zebra)',
    '     RefCnt: 1',
    '     Valid',
    '        via 10.99.100.1 (vrf default) (recursive), weight 1',
  ].join('\n');
  const n = parseNhgRib(text);
  assert.is(n.length, 2);
  assert.equal(n[0], {
    id: 26,
    owner: 'zebra',
    refcnt: 1,
    valid: true,
    installed: true,
    depends: [25, 27],
    nexthops: ['via 10.99.1.2, s-p1 (vrf default), weight 1', 'via 10.99.2.2, s-p2 (vrf default), weight 1'],
  });
  assert.is(n[1].installed, false);
  assert.is(n[1].valid, true);
});

test.run();

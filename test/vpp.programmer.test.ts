// The VPP programmer against the VPP simulator: PIC vs inline, one call per group change, backup failover, tables, parking, restart, EVPN.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VppSimulator, Forwarding } from '../ts/vpp-sim';
import { TestSource, NhgSpec, RouteSpec } from './vpp.source';
import { FakeVpp } from './vpp.fake';
import { VppClient } from '../ts/vpp/client';
import { VppProgrammer, ProgrammerOptions, DEFAULT_PIC_TABLE } from '../ts/vpp/programmer';
import { VppCompatibilityError } from '../ts/vpp/errors';
import { Target } from '../ts/dplane/types';

// The simulator's default interfaces: sw 1 (GigabitEthernet0/8/0) paired with Linux ifindex 2,
// sw 2 (GigabitEthernet0/9/0) with ifindex 3 (linux-cp), loop0 = 3, loop1 = 4.
const IF_A = 2; // -> sw 1
const IF_B = 3; // -> sw 2

const sims: VppSimulator[] = [];
const progs: VppProgrammer[] = [];
const fakes: FakeVpp[] = [];

async function sim(o: Parameters<typeof VppSimulator.start>[0] = {}): Promise<VppSimulator> {
  const s = await VppSimulator.start(o);
  sims.push(s);
  return s;
}

function programmer(s: { apiSocket: string } | { path: string }, src: TestSource, o: ProgrammerOptions & { window?: number; timeoutMs?: number } = {}): VppProgrammer {
  const path = 'apiSocket' in s ? s.apiSocket : s.path;
  const c = new VppClient({ socketPath: path, window: o.window ?? 256, backoffMinMs: 20, backoffMaxMs: 100, timeoutMs: o.timeoutMs ?? 3000 });
  const p = new VppProgrammer(c, src, { retryBaseMs: 10, retryMaxMs: 50, lcpRefreshMs: 0, ...o });
  progs.push(p);
  return p;
}

test.after.each(async () => {
  for (const p of progs.splice(0)) await p.close();
  for (const s of sims.splice(0)) await s.stop();
  for (const f of fakes.splice(0)) await f.dispose();
});

function timeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const limit = new Promise<T>((_, rej) => {
    t = setTimeout(() => rej(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(t));
}

/** A forwarding answer with weights normalised, independent of how VPP got there (recursion or not). */
function answer(f: Forwarding): string {
  const legs = f.legs
    .map((l) => `${l.kind}:${l.swIfIndex}:${l.nh}:${l.share.toFixed(4)}:${l.labels.join('/')}`)
    .sort();
  return `${f.action} ${legs.join(' ')}`;
}

const GROUPS: NhgSpec[] = [
  { id: 10, primary: [{ gw: '10.0.1.1', ifindex: IF_A }] },
  { id: 11, primary: [{ gw: '10.0.1.1', ifindex: IF_A, weight: 3 }, { gw: '10.0.2.1', ifindex: IF_B, weight: 1 }] },
  { id: 12, primary: [{ gw: '10.0.1.1', ifindex: IF_A, labels: [16001, 16002] }] },
  { id: 13, primary: [{ gw: '10.0.1.1', ifindex: IF_A }], backup: [{ gw: '10.0.2.1', ifindex: IF_B }] },
  { id: 14, primary: [{ ifindex: IF_B }] },
  { id: 20, primary: [{ gw: 'fe80::1', ifindex: IF_A }, { gw: 'fe80::2', ifindex: IF_B }] },
  { id: 21, primary: [{ gw: '2001:db8:1::1', ifindex: IF_A, labels: [24000] }], backup: [{ gw: '2001:db8:2::1', ifindex: IF_B }] },
  { id: 0x80000001, primary: [{ gw: '10.0.2.1', ifindex: IF_B }] },
];

function routeSet(): RouteSpec[] {
  const r: RouteSpec[] = [];
  const v4 = [10, 11, 12, 13, 14, 0x80000001];
  for (let i = 0; i < 60; i++) r.push({ prefix: `100.${i}.0.0/16`, nhg: v4[i % v4.length] });
  for (let i = 0; i < 20; i++) r.push({ prefix: `2001:db8:${(100 + i).toString(16)}::/48`, nhg: i % 2 ? 20 : 21 });
  r.push({ prefix: '100.200.0.0/24', nhg: 11, table: 100 }); // a VRF table
  r.push({ prefix: '2001:db8:ffff::/64', nhg: 20, table: 100 });
  r.push({ prefix: '192.0.2.0/24', target: Target.Blackhole });
  r.push({ prefix: '198.51.100.0/24', target: Target.Unreachable });
  r.push({ prefix: '203.0.113.0/24', target: Target.Prohibit });
  r.push({ prefix: '2001:db8:dead::/48', target: Target.Unreachable });
  r.push({ prefix: '5.0.0.0/8', nhg: 20 }); // IPv4 over IPv6 next hops (RFC 5549)
  return r;
}

function fill(src: TestSource): RouteSpec[] {
  for (const g of GROUPS) src.setNhg(g);
  const routes = routeSet();
  for (const r of routes) src.setRoute(r);
  return routes;
}

/** (VPP table, an address inside the route's prefix) for a longest-prefix-match lookup. */
function lookupTarget(r: RouteSpec): [number, string] {
  const table = r.table === undefined || r.table === 254 ? 0 : r.table;
  const a = r.prefix.split('/')[0];
  return [table, a.includes(':') ? a.replace(/::$/, '::5') : a.replace(/\.0$/, '.5')];
}

test('PIC and inline give the same forwarding answer for every prefix; every route reported ok', async () => {
  const [a, b] = await Promise.all([sim({ seed: 11 }), sim({ seed: 12 })]);
  const sa = new TestSource();
  const sb = new TestSource();
  const routes = fill(sa);
  fill(sb);
  const pa = programmer(a, sa, { mode: 'pic' });
  const pb = programmer(b, sb, { mode: 'inline' });
  await Promise.all([pa.start(), pb.start()]);
  await timeout(Promise.all([pa.whenIdle(), pb.whenIdle()]), 10000, 'idle');
  for (const r of routes) {
    assert.equal(sa.resultOf(r.prefix, r.table), [true, undefined], `pic ${r.prefix}`);
    assert.equal(sb.resultOf(r.prefix, r.table), [true, undefined], `inline ${r.prefix}`);
    const [table, what] = lookupTarget(r);
    const fa = await a.lookup(table, what);
    const fb = await b.lookup(table, what);
    assert.is(fa.matched, r.prefix, `pic matched ${r.prefix}`);
    assert.is(answer(fa), answer(fb), r.prefix);
    if (r.target === undefined) assert.is(fa.action, 'forward', `${r.prefix} forwards`);
  }
  // spot checks of the answer itself
  assert.is(answer(await a.lookup(0, '100.1.0.5')), 'forward via:1:10.0.1.1:0.7500: via:2:10.0.2.1:0.2500:');
  assert.is(answer(await a.lookup(0, '100.2.0.5')), 'forward via:1:10.0.1.1:1.0000:16001/16002');
  assert.is((await a.lookup(0, '198.51.100.5')).action, 'unreach');
  assert.is((await a.lookup(0, '203.0.113.5')).action, 'prohibit');
  assert.is((await a.lookup(0, '192.0.2.5')).action, 'drop');
  // PIC: one path per route, recursive into the private table; inline: the group's paths
  const dumpA = await a.fibDump({ family: 'ip4', table: 0 });
  const r1 = dumpA.find((x) => 'prefix' in x && x.prefix === '100.1.0.0/16')!;
  assert.is(r1.paths.length, 1);
  assert.is(r1.paths[0].swIfIndex, 0xffffffff);
  assert.is(r1.paths[0].tableId, DEFAULT_PIC_TABLE);
  const dumpB = await b.fibDump({ family: 'ip4', table: 0 });
  assert.is(dumpB.find((x) => 'prefix' in x && x.prefix === '100.1.0.0/16')!.paths.length, 2);
  // the strict simulator saw no malformed or unknown message from either
  assert.is((await a.counters()).protocolErrors, 0);
  assert.is((await b.counters()).protocolErrors, 0);
});

test('VPP limits: 16-bit weights scaled to u8 keeping the split; 256 legs and SRv6 legs refused, counted, their routes reported failed', async () => {
  const s = await sim({ seed: 21 });
  const src = new TestSource();
  src.setNhg({ id: 40, primary: [{ gw: '10.0.1.1', ifindex: IF_A, weight: 1000 }, { gw: '10.0.2.1', ifindex: IF_B, weight: 3000 }] });
  const wide = [];
  for (let i = 0; i < 256; i++) wide.push({ gw: `10.0.${1 + (i >> 7)}.${(i & 0x7f) + 2}`, ifindex: i < 128 ? IF_A : IF_B });
  src.setNhg({ id: 41, primary: wide });
  src.setNhg({ id: 42, family: 10, primary: [{ gw: 'fd00:99:1::2', ifindex: IF_A, encap: 5 }] });
  src.setRoute({ prefix: '100.40.0.0/16', nhg: 40 });
  src.setRoute({ prefix: '100.41.0.0/16', nhg: 41 });
  src.setRoute({ prefix: '2001:db8:42::/48', nhg: 42 });
  const p = programmer(s, src, { mode: 'pic' });
  await p.start();
  await timeout(p.whenIdle(), 10000, 'idle');
  assert.equal(src.resultOf('100.40.0.0/16'), [true, undefined]);
  const f = await s.lookup(0, '100.40.0.5');
  assert.equal(f.legs.map((l) => Math.round(l.share * 4)).sort(), [1, 3], 'weights 1000:3000 become 85:255, still 1:3');
  const [ok41, err41] = src.resultOf('100.41.0.0/16') ?? [];
  assert.is(ok41, false, '256 legs: offload failed');
  assert.match(String(err41), /256 paths exceed VPP's 255/);
  const [ok42, err42] = src.resultOf('2001:db8:42::/48') ?? [];
  assert.is(ok42, false, 'an SRv6 leg: offload failed, not forwarded without its SID list');
  assert.match(String(err42), /seg6/);
  const c = p.counters;
  assert.is(c.nhgsTooManyPaths, 1);
  assert.is(c.nhgsUnsupportedEncap, 1);
  assert.is((await s.lookup(0, '100.41.0.5')).matched, '0.0.0.0/0', 'nothing programmed for it: only the default entry matches');
});

test('tables are created before their routes (netlink 254 -> VPP 0, table map, private PIC tables, MPLS 0)', async () => {
  const s = await sim({ seed: 21 });
  const src = new TestSource();
  src.setNhg({ id: 1, primary: [{ gw: '10.0.1.1', ifindex: IF_A }] });
  src.setNhg({ id: 2, primary: [{ gw: '10.0.2.1', ifindex: IF_B, labels: [300] }] });
  src.setRoute({ prefix: '10.10.0.0/16', nhg: 1 });
  src.setRoute({ prefix: '10.11.0.0/16', nhg: 1, table: 1001 });
  src.setRoute({ prefix: '10.12.0.0/16', nhg: 1, table: 7 });
  src.setRoute({ prefix: 'mpls:100', nhg: 2 });
  const p = programmer(s, src, { tableMap: { 1001: 42 } });
  await p.start();
  await timeout(p.whenIdle(), 5000, 'idle');
  const t = await s.tables();
  assert.ok(t.ip4.some((x) => x.table === 42), 'mapped table 42');
  assert.ok(t.ip4.some((x) => x.table === 7), 'identity table 7');
  assert.ok(!t.ip4.some((x) => x.table === 1001 || x.table === 254));
  assert.ok(t.ip4.some((x) => x.table === DEFAULT_PIC_TABLE) && t.ip6.some((x) => x.table === DEFAULT_PIC_TABLE), 'private tables');
  assert.ok(t.mpls.some((x) => x.table === 0), 'mpls table 0');
  for (const r of ['10.10.0.0/16', '10.11.0.0/16', '10.12.0.0/16', 'mpls:100']) assert.equal(src.resultOf(r, r === '10.11.0.0/16' ? 1001 : r === '10.12.0.0/16' ? 7 : 254), [true, undefined], r);
  assert.is((await s.lookup(42, '10.11.0.5')).matched, '10.11.0.0/16');
  // the LSP: both EOS and non-EOS entries swap to 300 via 10.0.2.1
  for (const what of ['mpls:100', 'mpls:100/neos']) {
    const f = await s.lookup(0, what);
    assert.is(f.action, 'forward', what);
    assert.equal(f.legs.map((l) => [l.swIfIndex, l.nh, l.labels]), [[2, '10.0.2.1', [300]]], what);
  }
  // nothing was refused by the simulator (a route before its table would be NO_SUCH_FIB)
  const c = await s.counters();
  assert.is(c.protocolErrors, 0);
  assert.is(p.counters.routesFailed, 0);
});

test('kick: never drains synchronously; the drain runs as soon as the caller returns, bounded by the window', async () => {
  const s = await sim({ seed: 37 });
  const src = new TestSource();
  src.setNhg({ id: 5, primary: [{ gw: '10.0.1.1', ifindex: IF_A }] });
  const p = programmer(s, src, { window: 8 });
  await p.start();
  await timeout(p.whenIdle(), 5000, 'idle after start');
  for (let i = 0; i < 50; i++) src.setRoute({ prefix: `40.${i}.0.0/16`, nhg: 5 });
  const sent0 = p.client.counters.sent;
  p.kick();
  assert.is(p.client.counters.sent, sent0, 'the caller (the reader) is never held by the drain');
  // Between the reader's socket reads (its callback returned, no event-loop turn yet): one window.
  await new Promise<void>((r) => process.nextTick(r));
  assert.is(p.client.counters.sent - sent0, 8);
  await timeout(p.whenIdle(), 5000, 'idle after 50 routes');
  assert.is(p.counters.routesOk, 50);
});

test('PIC: changing a group used by 100k routes is exactly 1 API call', async () => {
  const s = await sim({ seed: 31 });
  const src = new TestSource();
  src.setNhg({ id: 5, primary: [{ gw: '10.0.1.1', ifindex: IF_A }] });
  const N = 100_000;
  for (let i = 0; i < N; i++) src.setRoute({ prefix: `${20 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24`, nhg: 5 });
  const p = programmer(s, src, { window: 1000 });
  await p.start();
  await timeout(p.whenIdle(), 60000, 'idle after 100k');
  assert.is(p.counters.routesOk, N);
  assert.is((await s.lookup(0, '21.1.7.9')).legs[0].nh, '10.0.1.1');
  await s.resetCounters();
  src.setNhg({ id: 5, primary: [{ gw: '10.0.2.1', ifindex: IF_B }] });
  p.kick();
  await timeout(p.whenIdle(), 5000, 'idle after change');
  const c = await s.counters();
  const calls = Object.entries(c.calls).filter(([n]) => n !== 'control_ping');
  assert.equal(calls, [['ip_route_add_del', 1]]);
  for (const probe of ['20.0.0.1', '21.1.7.9', '21.134.159.3']) {
    const f = await s.lookup(0, probe);
    assert.equal(f.legs.map((l) => [l.swIfIndex, l.nh]), [[2, '10.0.2.1']], probe);
  }
});

test('a primary interface going down moves the group to its backup with 0 API calls', async () => {
  const s = await sim({ seed: 41 });
  const src = new TestSource();
  src.setNhg({ id: 7, primary: [{ gw: '10.0.1.1', ifindex: IF_A }], backup: [{ gw: '10.0.2.1', ifindex: IF_B }] });
  for (let i = 0; i < 50; i++) src.setRoute({ prefix: `30.${i}.0.0/16`, nhg: 7 });
  const p = programmer(s, src);
  const links: [number, boolean][] = [];
  p.on('link', (ifindex: number, up: boolean) => links.push([ifindex, up]));
  await p.start();
  await timeout(p.whenIdle(), 5000, 'idle');
  assert.equal((await s.lookup(0, '30.7.1.1')).legs.map((l) => l.nh), ['10.0.1.1']);
  await s.resetCounters();
  await s.setInterface(1, false);
  for (let i = 0; i < 100 && links.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  await timeout(p.whenIdle(), 5000, 'idle');
  for (const probe of ['30.0.0.1', '30.7.1.1', '30.49.9.9']) assert.equal((await s.lookup(0, probe)).legs.map((l) => [l.swIfIndex, l.nh]), [[2, '10.0.2.1']], probe);
  const c = await s.counters();
  assert.equal(Object.keys(c.calls), [], 'no API call at all');
  assert.equal(links, [[IF_A, false]], 'link event seen, mapped back to its Linux ifindex');
  await s.setInterface(1, true);
  for (let i = 0; i < 100 && links.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal((await s.lookup(0, '30.7.1.1')).legs.map((l) => l.nh), ['10.0.1.1']);
});

test('unmapped interfaces park the group and hold its routes; a linux-cp pair appearing releases them', async () => {
  const s = await sim({ seed: 51 });
  const src = new TestSource();
  src.setNhg({ id: 8, primary: [{ gw: '10.0.9.1', ifindex: 9 }] });
  src.setNhg({ id: 9, primary: [{ gw: '10.0.1.1', ifindex: IF_A }], backup: [{ gw: '10.0.9.1', ifindex: 9 }] });
  src.setRoute({ prefix: '40.0.0.0/16', nhg: 8 });
  src.setRoute({ prefix: '40.1.0.0/16', nhg: 9 });
  src.setRoute({ prefix: '40.2.0.0/16', nhg: 10 }); // a group never announced: a contract breach, reported
  const p = programmer(s, src);
  const parked: number[] = [];
  const released: number[] = [];
  p.on('parked', (id: number) => parked.push(id));
  p.on('released', (id: number) => released.push(id));
  await p.start();
  await timeout(p.whenIdle(), 5000, 'idle');
  assert.equal(parked.sort(), [8, 9]);
  assert.equal(p.parked(), new Map([[8, [9]], [9, [9]]]));
  const r0 = src.resultOf('40.0.0.0/16')!;
  assert.is(r0[0], false);
  assert.match(r0[1]!, 'parked');
  assert.match(r0[1]!, 'ifindex 9');
  assert.is(src.resultOf('40.1.0.0/16')![0], false);
  assert.is(src.resultOf('40.2.0.0/16')![0], false);
  assert.is((await s.lookup(0, '40.0.0.1')).matched, '0.0.0.0/0', 'nothing programmed for a parked group');
  // VPP gets the interface and its linux-cp pair (host ifindex 9): event -> pairs re-read -> released
  const sw = await s.addInterface({ name: 'GigabitEthernet0/a/0', hostIfIndex: 9, hostName: 'e9' });
  for (let i = 0; i < 200 && released.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
  await timeout(p.whenIdle(), 5000, 'idle');
  assert.equal(released.sort(), [8, 9]);
  assert.equal(src.resultOf('40.0.0.0/16'), [true, undefined]);
  assert.equal(src.resultOf('40.1.0.0/16'), [true, undefined]);
  assert.equal((await s.lookup(0, '40.0.0.1')).legs.map((l) => [l.swIfIndex, l.nh]), [[sw, '10.0.9.1']]);
  assert.equal(p.parked(), new Map());
});

test('a static map file maps interfaces; a source without hooks still gets held routes released', async () => {
  const s = await sim({ seed: 52 });
  const src = new TestSource();
  src.hooks = false;
  src.setNhg({ id: 3, primary: [{ gw: '10.0.2.1', ifindex: 77 }] });
  src.setRoute({ prefix: '41.0.0.0/16', nhg: 3 });
  const p = programmer(s, src, { linuxCp: false, interfaceMap: new Map([[IF_A, 1]]) });
  await p.start();
  await timeout(p.whenIdle(), 5000, 'idle');
  assert.is(src.resultOf('41.0.0.0/16')![0], false);
  p.setInterface(77, 2);
  await timeout(p.whenIdle(), 5000, 'idle');
  assert.equal(src.resultOf('41.0.0.0/16'), [true, undefined]);
  assert.equal((await s.lookup(0, '41.0.0.1')).legs.map((l) => [l.swIfIndex, l.nh]), [[2, '10.0.2.1']]);
  // a mapping to an interface VPP does not have is no mapping
  p.setInterface(77, 99);
  await timeout(p.whenIdle(), 5000, 'idle');
  assert.equal(p.parked(), new Map([[3, [77]]]));
});

test('VPP restarted empty: tables, groups and routes are programmed again', async () => {
  const s = await sim({ seed: 61 });
  const src = new TestSource();
  const routes = fill(src);
  const p = programmer(s, src);
  await p.start();
  await timeout(p.whenIdle(), 10000, 'idle');
  const before = await s.fibDigest();
  const beforeDump = (await s.fibDump()).length;
  assert.ok(before.count >= routes.length);
  const reconnected = new Promise<{ restarted: boolean }>((r) => p.once('reconnect', r));
  await s.restart({ empty: true, seed: 62 });
  assert.is((await s.fibDigest()).count === before.count, false, 'the simulator lost its FIB');
  const how = await timeout(reconnected, 5000, 'reconnect');
  assert.is(how.restarted, true);
  await timeout(p.whenIdle(), 10000, 'idle after restart');
  const after = await s.fibDigest();
  assert.is(after.digest, before.digest);
  assert.is((await s.fibDump()).length, beforeDump);
  assert.is(p.counters.resyncs, 1);
  assert.is(src.replays, 1);
  assert.equal(answer(await s.lookup(0, '100.1.0.5')), 'forward via:1:10.0.1.1:0.7500: via:2:10.0.2.1:0.2500:');
});

test('socket dropped, same VPP: no resync, programming goes on', async () => {
  const s = await sim({ seed: 63 });
  const src = new TestSource();
  src.setNhg({ id: 1, primary: [{ gw: '10.0.1.1', ifindex: IF_A }] });
  for (let i = 0; i < 20; i++) src.setRoute({ prefix: `50.${i}.0.0/16`, nhg: 1 });
  const p = programmer(s, src);
  await p.start();
  await timeout(p.whenIdle(), 5000, 'idle');
  const reconnected = new Promise<{ restarted: boolean }>((r) => p.once('reconnect', r));
  await s.dropSocket();
  assert.is((await timeout(reconnected, 5000, 'reconnect')).restarted, false);
  src.setRoute({ prefix: '50.100.0.0/16', nhg: 1 });
  p.kick();
  await timeout(p.whenIdle(), 5000, 'idle');
  assert.is(p.counters.resyncs, 0);
  assert.is((await s.lookup(0, '50.100.1.1')).matched, '50.100.0.0/16');
  assert.is((await s.lookup(0, '50.3.1.1')).matched, '50.3.0.0/16');
});

test('a VPP without a required message: VppCompatibilityError naming it, nothing programmed', async () => {
  const s = await sim({ seed: 71, omit: ['ip_route_add_del_b8ecfe0d', 'mpls_route_add_del_8e1d1e07'] });
  const src = new TestSource();
  fill(src);
  const p = programmer(s, src);
  const e = await p.start().catch((x) => x);
  assert.instance(e, VppCompatibilityError);
  assert.equal([...(e as VppCompatibilityError).missing].sort(), ['ip_route_add_del_b8ecfe0d', 'mpls_route_add_del_8e1d1e07']);
  assert.match((e as Error).message, s.apiSocket);
});

test('a failing route is retried with backoff, then reported with the retval name; the queue keeps moving', async () => {
  const f = new FakeVpp();
  fakes.push(f);
  await f.listen();
  // enough of VPP for the programmer's setup
  f.on('sw_interface_dump', () => {});
  f.on('control_ping', (r, c) => c.pingReply(r.ctx));
  f.on('ip_table_add_del', (r, c) => c.reply('ip_table_add_del_reply', r.ctx));
  f.on('ip_table_dump', () => {});
  let bad = 0;
  f.on('ip_route_add_del', (r, c) => {
    // prefix @21..24, len @37: 60.0.0.0/16 always fails with -54, 60.1.0.0/16 fails twice
    const a = r.body.readUInt8(22);
    if (a === 0 && r.body.readUInt8(21) === 60) return c.reply('ip_route_add_del_reply', r.ctx, -54, [0]);
    if (a === 1 && bad++ < 2) return c.reply('ip_route_add_del_reply', r.ctx, -3, [0]);
    c.reply('ip_route_add_del_reply', r.ctx, 0, [0]);
  });
  const src = new TestSource();
  src.setRoute({ prefix: '60.0.0.0/16', target: Target.Blackhole });
  src.setRoute({ prefix: '60.1.0.0/16', target: Target.Blackhole });
  for (let i = 2; i < 10; i++) src.setRoute({ prefix: `60.${i}.0.0/16`, target: Target.Blackhole });
  const p = programmer(f, src, { maxRetries: 3, linuxCp: false });
  await p.start();
  await timeout(p.whenIdle(), 5000, 'idle');
  const r0 = src.resultOf('60.0.0.0/16')!;
  assert.is(r0[0], false);
  assert.match(r0[1]!, 'NO_MATCHING_INTERFACE (-54)');
  assert.equal(src.resultOf('60.1.0.0/16'), [true, undefined]);
  for (let i = 2; i < 10; i++) assert.equal(src.resultOf(`60.${i}.0.0/16`), [true, undefined]);
  const sent = f.log.filter((r) => r.name === 'ip_route_add_del');
  const tries0 = sent.filter((r) => r.body.readUInt8(21) === 60 && r.body.readUInt8(22) === 0).length;
  assert.is(tries0, 4, '1 + 3 retries');
  // the other routes were not held up behind the failing one
  const firstRetry = sent.findIndex((r, i) => i > 0 && r.body.readUInt8(22) === 0);
  assert.ok(sent.slice(0, firstRetry).filter((r) => r.body.readUInt8(22) >= 2).length === 8, 'all routes sent before the first retry');
  assert.is(p.counters.routeRetries, 5);
});

test('a dataplane that refused for longer than the retries: reported failed, then retried until it succeeds', async () => {
  const s = await sim({ seed: 83 });
  const src = new TestSource();
  src.setNhg({ id: 1, primary: [{ gw: '10.0.1.1', ifindex: IF_A }] });
  src.setRoute({ prefix: '10.20.0.0/16', nhg: 1 });
  src.setRoute({ prefix: '10.21.0.0/16', nhg: 1 });
  src.setRoute({ prefix: '10.22.0.0/16', target: Target.Blackhole });
  await s.setFailRate(1); // every route add/del, the group's host route included
  const p = programmer(s, src, { maxRetries: 2, retryBaseMs: 5, retryMaxMs: 40 });
  await p.start();
  // Not idle while retries are under way; idle (nothing but late retries left) once every route was reported.
  await timeout(p.whenIdle(), 5000, 'idle after the retries');
  for (const r of ['10.20.0.0/16', '10.21.0.0/16', '10.22.0.0/16']) assert.is(src.resultOf(r)?.[0], false, `${r} reported failed`);
  assert.ok(p.status().retriesAfterFailure >= 2, 'the group and the blackhole route are still being retried');
  const late0 = p.counters.lateRetries;
  await new Promise((r) => setTimeout(r, 150));
  assert.ok(p.counters.lateRetries > late0, 'retried every retryMaxMs while the dataplane refuses');
  assert.is((await s.counters()).routes, 0);
  await s.setFailRate(0);
  const deadline = Date.now() + 5000;
  while (!['10.20.0.0/16', '10.21.0.0/16', '10.22.0.0/16'].every((r) => src.resultOf(r)?.[0] === true)) {
    assert.ok(Date.now() < deadline, `not all routes succeeded after the fault: ${JSON.stringify(['10.20.0.0/16', '10.21.0.0/16', '10.22.0.0/16'].map((r) => src.resultOf(r)))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await timeout(p.whenIdle(), 5000, 'idle after recovery');
  assert.is(p.status().retriesAfterFailure, 0);
  assert.equal((await s.lookup(0, '10.20.1.1')).legs.map((l) => [l.swIfIndex, l.nh]), [[1, '10.0.1.1']]);
  assert.equal((await s.lookup(0, '10.21.1.1')).legs.map((l) => [l.swIfIndex, l.nh]), [[1, '10.0.1.1']]);
  assert.is((await s.lookup(0, '10.22.1.1')).action, 'drop');
  assert.ok((await s.counters()).injectedFailures > 0);
});

test('a route whose writing throws in the pump is retried, then reported failed; the changes after it go on; counted as a pump failure', async () => {
  const s = await sim({ seed: 89 });
  const src = new TestSource();
  src.setNhg({ id: 1, primary: [{ gw: '10.0.1.1', ifindex: IF_A }] });
  for (let i = 0; i < 10; i++) src.setRoute({ prefix: `70.${i}.0.0/16`, nhg: 1 });
  const p = programmer(s, src, { maxRetries: 2, retryBaseMs: 5, retryMaxMs: 40 });
  // Fault: writing 70.3/16 throws once (then succeeds); writing 70.4/16 throws until cleared.
  const write = p.client.ipRouteAddDel.bind(p.client);
  let once = 1;
  let always = true;
  p.client.ipRouteAddDel = (sink, token, isAdd, table, v6, addr, plen, paths, n) => {
    if (addr[0] === 70 && addr[1] === 3 && once > 0) {
      once--;
      throw new Error('injected: batch gone');
    }
    if (addr[0] === 70 && addr[1] === 4 && always) throw new Error('injected: always');
    return write(sink, token, isAdd, table, v6, addr, plen, paths, n);
  };
  const pumpEvents: string[] = [];
  let setupEvents = 0;
  p.on('pump-failed', (e: Error) => pumpEvents.push(e.message));
  p.on('setup-failed', () => setupEvents++);
  await p.start();
  await timeout(p.whenIdle(), 5000, 'idle');
  // Every route has a result: 70.3 retried and programmed (never reported failed), 70.4 reported
  // failed after its 2 retries, naming the failure; the others untouched by either.
  assert.equal(src.results.get([...src.handleKey].find(([, k]) => k === '254|70.3.0.0/16')![0]), [[true, undefined]]);
  const r4 = src.resultOf('70.4.0.0/16')!;
  assert.is(r4[0], false);
  assert.match(r4[1]!, 'programming failed: injected: always');
  for (const i of [0, 1, 2, 5, 6, 7, 8, 9]) assert.equal(src.resultOf(`70.${i}.0.0/16`), [true, undefined], `70.${i}`);
  assert.is(p.counters.pumpFailures, 1 + 3, '70.3 once, 70.4 on its first try and 2 retries');
  assert.is(pumpEvents.length, p.counters.pumpFailures);
  assert.is(setupEvents, 0);
  assert.is(p.counters.setupFailures, 0);
  assert.match(p.status().lastError!, 'injected');
  assert.ok(p.status().retriesAfterFailure >= 1, '70.4 is still retried');
  assert.is((await s.lookup(0, '70.3.1.1')).matched, '70.3.0.0/16');
  assert.is.not((await s.lookup(0, '70.4.1.1')).matched, '70.4.0.0/16');
  // The fault clears: the late retry programs it.
  always = false;
  const deadline = Date.now() + 5000;
  while (src.resultOf('70.4.0.0/16')?.[0] !== true) {
    assert.ok(Date.now() < deadline, '70.4 not programmed after the fault cleared');
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.is((await s.lookup(0, '70.4.1.1')).matched, '70.4.0.0/16');
});

test('a group whose host route write throws is programmed again from its shadow; its routes follow', async () => {
  const s = await sim({ seed: 97 });
  const src = new TestSource();
  src.setNhg({ id: 1, primary: [{ gw: '10.0.1.1', ifindex: IF_A }] });
  src.setRoute({ prefix: '71.0.0.0/16', nhg: 1 });
  const p = programmer(s, src, { maxRetries: 2, retryBaseMs: 5, retryMaxMs: 40 });
  const write = p.client.ipRouteAddDel.bind(p.client);
  let once = 1;
  p.client.ipRouteAddDel = (sink, token, isAdd, table, v6, addr, plen, paths, n) => {
    if (table === DEFAULT_PIC_TABLE && once-- > 0) throw new Error('injected: host route');
    return write(sink, token, isAdd, table, v6, addr, plen, paths, n);
  };
  await p.start();
  await timeout(p.whenIdle(), 5000, 'idle');
  assert.is(p.counters.pumpFailures, 1);
  assert.equal(src.resultOf('71.0.0.0/16'), [true, undefined]);
  assert.equal((await s.lookup(0, '71.0.1.1')).legs.map((l) => [l.swIfIndex, l.nh]), [[1, '10.0.1.1']]);
});

test('a failed connection setup is its own event and counter (not a pump failure), and is retried on the next connection', async () => {
  const f = new FakeVpp();
  fakes.push(f);
  await f.listen();
  f.on('sw_interface_dump', () => {});
  f.on('control_ping', (r, c) => c.pingReply(r.ctx));
  f.on('ip_table_add_del', (r, c) => c.reply('ip_table_add_del_reply', r.ctx));
  f.on('ip_table_dump', () => {});
  f.on('ip_route_add_del', (r, c) => c.reply('ip_route_add_del_reply', r.ctx, 0, [0]));
  let refuse = 1;
  // The first registration is refused (UNSPECIFIED): the programmer's setup fails.
  f.on('want_interface_events', (r, c) => c.reply('want_interface_events_reply', r.ctx, refuse-- > 0 ? -1 : 0));
  const src = new TestSource();
  src.setRoute({ prefix: '72.0.0.0/16', target: Target.Blackhole });
  const p = programmer(f, src, { linuxCp: false });
  const setup: Error[] = [];
  let pumpEvents = 0;
  p.on('setup-failed', (e: Error) => setup.push(e));
  p.on('pump-failed', () => pumpEvents++);
  await p.start();
  assert.is(setup.length, 1);
  assert.match(setup[0].message, 'want_interface_events');
  assert.is(p.counters.setupFailures, 1);
  assert.is(p.counters.pumpFailures, 0);
  assert.is(pumpEvents, 0);
  // Nothing was programmed on the failed setup, nothing was lost: the next connection programs it.
  assert.is(f.log.filter((r) => r.name === 'ip_route_add_del').length, 0);
  assert.is(src.resultOf('72.0.0.0/16'), undefined);
  const ready = new Promise((r) => p.once('ready', r));
  p.client.dropConnection();
  await timeout(ready, 5000, 'ready on the next connection');
  await timeout(p.whenIdle(), 5000, 'idle');
  assert.equal(src.resultOf('72.0.0.0/16'), [true, undefined]);
  assert.is(p.counters.setupFailures, 1);
  assert.is(pumpEvents, 0);
});

test('a retry never overwrites a newer change for the same route', async () => {
  const f = new FakeVpp();
  fakes.push(f);
  await f.listen();
  f.on('sw_interface_dump', () => {});
  f.on('ip_table_dump', () => {});
  let first = true;
  f.on('ip_route_add_del', (r, c) => {
    const fail = first;
    first = false;
    c.reply('ip_route_add_del_reply', r.ctx, fail ? -7 : 0, [0]);
  });
  const src = new TestSource();
  src.setRoute({ prefix: '61.0.0.0/16', target: Target.Blackhole });
  src.delRoute('61.0.0.0/16');
  const p = programmer(f, src, { linuxCp: false });
  await p.start();
  await timeout(p.whenIdle(), 5000, 'idle');
  const sent = f.log.filter((r) => r.name === 'ip_route_add_del').map((r) => r.body.readUInt8(10));
  assert.equal(sent, [1, 0], 'the failed add is not retried after the delete');
  assert.is(p.counters.supersededRetries, 1);
});

test('EVPN: remote MACs become a VXLAN tunnel per VTEP in the VNI bridge domain and static L2 FIB entries', async () => {
  const s = await sim({ seed: 81 });
  const src = new TestSource();
  src.setMac({ mac: '02:00:00:00:00:01', vni: 100, vtep: '192.0.2.11' });
  src.setMac({ mac: '02:00:00:00:00:02', vni: 100, vtep: '192.0.2.11' });
  src.setMac({ mac: '02:00:00:00:00:03', vni: 100, vtep: '192.0.2.12' });
  src.setNhg({ id: 500, fdb: true, family: 7, primary: [{ gw: '192.0.2.13' }, { gw: '192.0.2.14' }] });
  src.setMac({ mac: '02:00:00:00:00:04', vni: 200, nhg: 500 });
  const p = programmer(s, src, { evpn: { vtepSource: '192.0.2.1' } });
  await p.start();
  await timeout(p.whenIdle(), 5000, 'idle');
  const l2 = (await s.l2()) as { bridgeDomains: { bdId: number }[]; l2fib: { bdId: number; mac: string; swIfIndex: number; staticMac: boolean }[]; vxlanTunnels: { swIfIndex: number; dst: string; vni: number; src: string }[] };
  const tunnels = l2.vxlanTunnels.map((t) => `${t.src}>${t.dst}/${t.vni}`).sort();
  assert.equal(tunnels, ['192.0.2.1>192.0.2.11/100', '192.0.2.1>192.0.2.12/100', '192.0.2.1>192.0.2.13/200']);
  const swOf = (dst: string, vni: number) => l2.vxlanTunnels.find((t) => t.dst === dst && t.vni === vni)!.swIfIndex;
  const fib = l2.l2fib.map((e) => [e.bdId, e.mac, e.swIfIndex, e.staticMac]).sort();
  assert.equal(fib, [
    [100, '02:00:00:00:00:01', swOf('192.0.2.11', 100), true],
    [100, '02:00:00:00:00:02', swOf('192.0.2.11', 100), true],
    [100, '02:00:00:00:00:03', swOf('192.0.2.12', 100), true],
    [200, '02:00:00:00:00:04', swOf('192.0.2.13', 200), true],
  ]);
  src.delMac('02:00:00:00:00:02');
  p.kick();
  await timeout(p.whenIdle(), 5000, 'idle');
  const l2b = (await s.l2()) as { l2fib: { mac: string }[] };
  assert.equal(l2b.l2fib.map((e) => e.mac).sort(), ['02:00:00:00:00:01', '02:00:00:00:00:03', '02:00:00:00:00:04']);
  for (const [, r] of src.results) assert.equal(r[r.length - 1], [true, undefined]);
});

test('EVPN without a local VTEP address: MACs are counted and reported, not guessed', async () => {
  const s = await sim({ seed: 82 });
  const src = new TestSource();
  src.setMac({ mac: '02:00:00:00:00:09', vni: 100, vtep: '192.0.2.11' });
  const p = programmer(s, src);
  await p.start();
  await timeout(p.whenIdle(), 5000, 'idle');
  assert.is(p.counters.macsUnprogrammed, 1);
  const [[, r]] = [...src.results];
  assert.is(r[0][0], false);
  assert.match(r[0][1]!, 'no local VTEP address');
  assert.equal(((await s.l2()) as { l2fib: unknown[] }).l2fib, []);
});

test('adoption: the routes fibpush programmed can be dumped back from VPP (ip_route_v2_dump)', async () => {
  const s = await sim({ seed: 91 });
  const src = new TestSource();
  fill(src);
  const p = programmer(s, src);
  await p.start();
  await timeout(p.whenIdle(), 5000, 'idle');
  const seen: string[] = [];
  const n = await p.dumpRoutes(4, 0, (r) => {
    if (r.nPaths === 1 && r.path(0).tableId === DEFAULT_PIC_TABLE) seen.push(`${Array.from(r.addr.subarray(0, 4)).join('.')}/${r.len}`);
  });
  assert.ok(n >= 60);
  // Groups with an attached leg (14) are programmed inline: their routes carry the paths.
  const attached = new Set(GROUPS.filter((g) => [...g.primary, ...(g.backup ?? [])].some((l) => l.gw === undefined)).map((g) => g.id));
  assert.equal([...attached], [14]);
  const expect = routeSet().filter((r) => r.nhg !== undefined && !attached.has(r.nhg) && !r.prefix.includes(':') && r.table === undefined).map((r) => r.prefix).sort();
  assert.equal(seen.sort(), expect);
  // the private table holds one host route per group in use
  const hosts: string[] = [];
  await p.dumpRoutes(4, DEFAULT_PIC_TABLE, (r) => {
    if (r.len === 32 && r.nPaths > 0) hosts.push(Array.from(r.addr.subarray(0, 4)).join('.'));
  });
  // Host routes are objects (one per distinct content), not zebra ids: group 11 and the implicit
  // group 0x80000001 each have one, at the address hostOf() names.
  for (const id of [11, 0x80000001]) {
    const h = p.hostOf(id)!;
    assert.ok(h && hosts.includes(Array.from(h.addr).join('.')), `${id}: ${hosts.join(',')}`);
  }
});

test.run();

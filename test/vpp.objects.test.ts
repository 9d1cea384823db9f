// Nexthop groups keyed by what they forward to: a renumbered id maps onto the object of the stale id with its content, writing no route; live ids keep objects of their own, so a change is one call; a shared one moves only its routes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VppSimulator } from '../ts/vpp-sim';
import { TestSource } from './vpp.source';
import { VppClient } from '../ts/vpp/client';
import { VppProgrammer } from '../ts/vpp/programmer';

const IF_A = 2; // -> sw 1
const IF_B = 3; // -> sw 2
const A = { gw: '10.0.1.1', ifindex: IF_A };
const B = { gw: '10.0.2.1', ifindex: IF_B };

const open: { p: VppProgrammer; s: VppSimulator }[] = [];
test.after.each(async () => {
  for (const { p, s } of open.splice(0)) {
    await p.close();
    await s.stop();
  }
});

async function setup(mode: 'pic' | 'inline' = 'pic'): Promise<{ p: VppProgrammer; s: VppSimulator; src: TestSource }> {
  const s = await VppSimulator.start({ seed: 77 });
  const src = new TestSource();
  const c = new VppClient({ socketPath: s.apiSocket, window: 1000, backoffMinMs: 20, backoffMaxMs: 100, timeoutMs: 5000 });
  const p = new VppProgrammer(c, src, { mode, retryBaseMs: 10, retryMaxMs: 50, lcpRefreshMs: 0 });
  open.push({ p, s });
  await p.start();
  return { p, s, src };
}

async function idle(p: VppProgrammer): Promise<void> {
  p.kick();
  await p.whenIdle();
}

/** ip_route_add_del calls since the last reset. */
async function calls(s: VppSimulator): Promise<number> {
  return (await s.counters()).calls.ip_route_add_del ?? 0;
}

const N = 20_000;
const prefix = (i: number) => `${20 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24`;

for (const mode of ['pic', 'inline'] as const) {
  test(`${mode}: zebra renumbers every group (a restart): no route is written, the old ids' objects stay while used`, async () => {
    const { p, s, src } = await setup(mode);
    src.setNhg({ id: 1, primary: [A] });
    src.setNhg({ id: 2, primary: [A, B] });
    src.setNhg({ id: 3, primary: [A], backup: [B] });
    for (let i = 0; i < N; i++) src.setRoute({ prefix: prefix(i), nhg: 1 + (i % 3) });
    await idle(p);
    assert.is(p.counters.routesOk, N);
    const before = await s.lookup(0, '20.0.4.9');
    await s.resetCounters();
    // zebra restarted: its old ids are stale until the sweep. The same groups under new ids, in
    // another order; the routes move to them; the old ids go.
    for (const id of [1, 2, 3]) src.stale.add(id);
    src.setNhg({ id: 102, primary: [A, B] });
    src.setNhg({ id: 103, primary: [A], backup: [B] });
    src.setNhg({ id: 101, primary: [A] });
    for (let i = 0; i < N; i++) src.setRoute({ prefix: prefix(i), nhg: 101 + (i % 3) });
    src.delNhg(1).delNhg(2).delNhg(3);
    await idle(p);
    assert.is(await calls(s), 0, 'no route and no host route written');
    assert.is(p.counters.rewritesAvoided, N);
    assert.equal(await s.lookup(0, '20.0.4.9'), before);
    for (let i = 0; i < N; i += 997) assert.equal(src.resultOf(prefix(i)), [true, undefined]);
    if (mode === 'pic') assert.is(p.status().nhgObjects, 3, 'one object per content');
  });
}

test('pic: live groups with equal content keep objects of their own, so a change of either is one call', async () => {
  const { p, s, src } = await setup();
  src.setNhg({ id: 1, primary: [A] });
  src.setNhg({ id: 2, primary: [A] }); // same content as 1, both live: each its own object
  for (let i = 0; i < N; i++) src.setRoute({ prefix: prefix(i), nhg: i < 100 ? 2 : 1 });
  src.setNhg({ id: 5, primary: [B] });
  for (let i = N; i < 2 * N; i++) src.setRoute({ prefix: prefix(i), nhg: 5 });
  await idle(p);
  assert.is(p.status().nhgObjects, 3);
  assert.is(p.counters.objectsNotShared, 1);
  assert.is.not(p.hostOf(1)!.addr, p.hostOf(2)!.addr, 'ids 1 and 2 have host routes of their own');
  // Each changes in place: one call, whatever the number of routes.
  await s.resetCounters();
  src.setNhg({ id: 5, primary: [A, B] });
  await idle(p);
  assert.is(await calls(s), 1);
  assert.is((await s.lookup(0, prefix(N + 7).replace('.0/24', '.1'))).legs.length, 2);
  await s.resetCounters();
  src.setNhg({ id: 2, primary: [B] });
  await idle(p);
  assert.is(await calls(s), 1, 'one host route rewritten, no route');
  assert.is(p.counters.nhgInPlace, 2);
  assert.is((await s.lookup(0, '20.0.5.1')).legs[0].nh, '10.0.2.1', 'a route of id 2 follows it');
  assert.is((await s.lookup(0, '20.1.5.1')).legs[0].nh, '10.0.1.1', 'the routes of id 1 stay');
  // The last id of an object goes: its host route is withdrawn once nothing points at it.
  for (let i = 0; i < 100; i++) src.setRoute({ prefix: prefix(i), nhg: 1 });
  src.delNhg(2);
  await idle(p);
  assert.is(p.status().nhgObjects, 2);
  assert.is(p.counters.objectsWithdrawn, 1);
  assert.is((await s.lookup(0, '20.0.5.1')).legs[0].nh, '10.0.1.1');
});

test('pic: a renumbered id shares the stale id\'s object; changed while both exist, it gets its own and only its routes move', async () => {
  const { p, s, src } = await setup();
  src.setNhg({ id: 1, primary: [A] });
  for (let i = 0; i < N; i++) src.setRoute({ prefix: prefix(i), nhg: 1 });
  await idle(p);
  src.stale.add(1);
  await s.resetCounters();
  src.setNhg({ id: 7, primary: [A] });
  for (let i = 0; i < 100; i++) src.setRoute({ prefix: prefix(i), nhg: 7 });
  await idle(p);
  assert.is(await calls(s), 0, 'the same object: nothing written');
  assert.equal(p.hostOf(7)!.addr, p.hostOf(1)!.addr);
  // Shared, 7 changes: a new host route, then its 100 routes; the stale id's routes stay.
  await s.resetCounters();
  src.setNhg({ id: 7, primary: [B] });
  await idle(p);
  assert.is(await calls(s), 1 + 100);
  assert.is((await s.lookup(0, '20.0.5.1')).legs[0].nh, '10.0.2.1');
  assert.is((await s.lookup(0, '20.1.5.1')).legs[0].nh, '10.0.1.1');
});

test('EVPN: MACs on an L2 group that zebra renumbers are not written again', async () => {
  const s = await VppSimulator.start({ seed: 78 });
  const src = new TestSource();
  const c = new VppClient({ socketPath: s.apiSocket, window: 256, timeoutMs: 5000 });
  const p = new VppProgrammer(c, src, { retryBaseMs: 10, retryMaxMs: 50, lcpRefreshMs: 0, evpn: { vtepSource: '192.0.2.1' } });
  open.push({ p, s });
  await p.start();
  src.setNhg({ id: 500, fdb: true, family: 7, primary: [{ gw: '192.0.2.13' }, { gw: '192.0.2.14' }] });
  for (let i = 1; i <= 50; i++) src.setMac({ mac: `02:00:00:00:00:${i.toString(16).padStart(2, '0')}`, vni: 200, nhg: 500 });
  await idle(p);
  await s.resetCounters();
  src.setNhg({ id: 900, fdb: true, family: 7, primary: [{ gw: '192.0.2.13' }, { gw: '192.0.2.14' }] });
  for (let i = 1; i <= 50; i++) src.setMac({ mac: `02:00:00:00:00:${i.toString(16).padStart(2, '0')}`, vni: 200, nhg: 900 });
  src.delNhg(500);
  await idle(p);
  const calls = Object.entries((await s.counters()).calls).filter(([n]) => n !== 'control_ping');
  assert.equal(calls, [], 'no API call');
  assert.is(p.counters.rewritesAvoided, 50);
  // A MAC that really moves is written.
  src.setMac({ mac: '02:00:00:00:00:01', vni: 200, vtep: '192.0.2.20' });
  await idle(p);
  assert.ok(((await s.counters()).calls.l2fib_add_del ?? 0) >= 1);
});

test.run();

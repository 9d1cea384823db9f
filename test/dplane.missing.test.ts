// Routes naming nexthop ids zebra has not sent: the compact missing-id table (ts/dplane/missing.ts)
// against a Map, ids arriving in bulk while routes change in the same batch, and the parking bound.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FibStore } from '../ts/dplane/store';
import { MissingIds } from '../ts/dplane/missing';
import { AF_INET } from '../ts/dplane/types';
import { BatchWriter } from './helpers/dplane-batch';
import { FibModel } from './helpers/dplane-model';
import { parseIp } from './helpers/dplane-net';
import { uniformSource as prng } from '../ts/gen/rng';

const w = new BatchWriter();
function feed(s: FibStore, build: (w: BatchWriter) => void): void {
  w.reset();
  build(w);
  s.ingest(w.batch, w.chunk);
}
const dst = (i: number) => `10.${(i >>> 8) & 255}.${i & 255}.0/24`;

test('MissingIds agrees with a Map through growth, rehashes, removals and slot reuse', () => {
  const m = new MissingIds();
  const model = new Map<number, { slot: number; users: number }>();
  const rnd = prng(11);
  let total = 0;
  for (let step = 0; step < 60_000; step++) {
    // Ids cluster (colliding home slots) and spread (random u32) alike.
    const id = rnd() < 0.5 ? Math.floor(rnd() * 2000) * 1024 : Math.floor(rnd() * 0xffffffff);
    const op = rnd();
    const cur = model.get(id);
    if (op < 0.55 || cur === undefined) {
      const slot = m.slotFor(id);
      if (cur) assert.is(slot, cur.slot, 'an id keeps its slot while it has users');
      m.use(slot);
      model.set(id, { slot, users: (cur?.users ?? 0) + 1 });
      total++;
    } else if (op < 0.95) {
      m.unuse(cur.slot);
      total--;
      if (--cur.users === 0) model.delete(id);
    } else {
      assert.is(m.take(cur.slot), cur.users);
      total -= cur.users;
      model.delete(id);
    }
    if (step % 997 === 0) {
      for (const [k, v] of model) assert.is(m.find(k), v.slot, `find ${k}`);
      assert.is(m.size, model.size);
      assert.is(m.totalUsers, total);
    }
  }
  for (const [k, v] of model) {
    assert.is(m.find(k), v.slot);
    assert.is(m.users[v.slot], v.users);
  }
  for (const [, v] of model) m.take(v.slot);
  assert.is(m.size, 0);
  assert.is(m.totalUsers, 0);
  assert.is(m.find(1024), -1);
});

test('many missing ids arrive in one batch while their routes change in it: every route follows its group', () => {
  const s = new FibStore();
  const model = new FibModel();
  feed(s, (w) => {
    for (let i = 0; i < 300; i++) w.route('new', { dst: dst(i), nhId: 5000 + i });
  });
  assert.is(s.parked().routesNhgMissing, 300);
  assert.is(s.nhgById(5007)!.users, 1);
  assert.is(model.drain(s).route, 0);
  feed(s, (w) => {
    for (let i = 0; i < 200; i++) {
      w.nexthop('new', { id: 5000 + i, gw: `10.255.${i >>> 8}.${i & 255}`, oif: 2 });
      // In the same batch, after its group arrived: a route moves to another (missing) id, one is
      // withdrawn, one moves from a missing id to an arrived one.
      if (i % 10 === 1) w.route('new', { dst: dst(i), nhId: 5000 + i + 250 });
      if (i % 10 === 2) w.route('del', { dst: dst(i) });
      if (i % 10 === 3) w.route('new', { dst: dst(250 + i / 10), nhId: 5000 + i });
    }
  });
  const d = model.drain(s);
  assert.ok(d.routeSet > 0);
  for (let i = 0; i < 300; i++) {
    const r = s.lookup(AF_INET, 254, parseIp(dst(i).split('/')[0]), 24);
    if (i < 200 && i % 10 === 2) {
      assert.is(r, undefined, `${dst(i)} withdrawn`);
      continue;
    }
    let want = 5000 + i;
    if (i < 200 && i % 10 === 1) want = 5000 + i + 250;
    if (i >= 250 && (i - 250) * 10 + 3 < 200) want = 5000 + (i - 250) * 10 + 3;
    assert.ok(r, `${dst(i)} present`);
    assert.is(r.nhgId, want, `${dst(i)} names ${want}`);
    assert.is(r.parked, want >= 5200, `${dst(i)} parked iff its group is missing`);
  }
  const p = s.parked();
  let parked = 0;
  for (let i = 0; i < 300; i++) {
    const r = s.lookup(AF_INET, 254, parseIp(dst(i).split('/')[0]), 24);
    if (r?.parked) parked++;
  }
  assert.is(p.routesNhgMissing, parked);
  // The rest arrive: nothing stays parked, every route programmed once with its group.
  feed(s, (w) => {
    for (let i = 200; i < 500; i++) w.nexthop('new', { id: 5000 + i, gw: '10.254.0.1', oif: 3 });
  });
  model.drain(s);
  assert.is(s.parked().routesNhgMissing, 0);
  assert.equal(s.parked().missingIds, []);
  assert.is(model.resolved().size, s.counts().routes);
});

test('the parking bound: past maxParked a route is refused (no target, its old programming withdrawn), answered later when zebra re-sends it', () => {
  const s = new FibStore({ maxParked: 2 });
  const model = new FibModel();
  feed(s, (w) => w.nexthop('new', { id: 1, gw: '10.255.0.1', oif: 2 }).route('new', { dst: dst(0), nhId: 1 }));
  model.drain(s);
  assert.is(model.resolved().size, 1);
  feed(s, (w) => {
    w.route('new', { dst: dst(1), nhId: 901 });
    w.route('new', { dst: dst(2), nhId: 902 });
    w.route('new', { dst: dst(1), nhId: 901 }); // re-sent while waiting: not a new parked route
    w.route('new', { dst: dst(0), nhId: 903 }); // past the bound: refused
    w.route('new', { dst: dst(3), nhId: 902 }); // an id already waited for: still a route more, refused
  });
  assert.is(s.counters.routeRefusedParked, 2);
  assert.is(s.parked().routesNhgMissing, 2);
  const refused = s.takeRefused();
  assert.is(refused.handles.length, 2);
  assert.ok(refused.log, 'the first refusal asks for a log line');
  for (const h of refused.handles) assert.ok(s.routeRefused(h));
  assert.equal(s.takeRefused().handles, []);
  const d = model.drain(s);
  assert.is(d.routeDel, 1, 'the refused route\'s old programming is withdrawn');
  assert.is(model.resolved().size, 0);
  // zebra re-sends it with its group: programmed again, no longer refused.
  feed(s, (w) => w.route('new', { dst: dst(0), nhId: 1 }));
  model.drain(s);
  assert.is(model.resolved().get(`inet:254 ${dst(0)}`), '10.255.0.1%2*1');
  assert.not.ok(s.routeRefused(s.routeHandle(AF_INET, 254, parseIp('10.0.0.0'), 24)));
});

test('groups do not nest: a group naming a group, or a member sent as a group, is refused and counted', () => {
  const s = new FibStore();
  feed(s, (w) => w.nexthop('new', { id: 1, gw: '10.255.0.1', oif: 2 }).nexthop('new', { id: 10, group: [[1, 1], [11, 1]] }));
  feed(s, (w) => w.nexthop('new', { id: 11, group: [[10, 1]] })); // 11 is a member of 10: a cycle
  feed(s, (w) => w.nexthop('new', { id: 12, group: [[10, 1]] })); // 10 is a group
  assert.is(s.counters.nhgNested, 2);
  assert.is(s.counters.nhgBad, 2);
  assert.not.ok(s.nhgById(11)!.present);
  assert.is(s.nhgById(12), undefined);
  // 11 as a singleton is fine: the group resolves.
  feed(s, (w) => w.nexthop('new', { id: 11, gw: '10.255.0.2', oif: 3 }).route('new', { dst: dst(0), nhId: 10 }));
  assert.ok(s.nhgById(10)!.resolved);
});

test.run();

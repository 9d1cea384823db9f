// FibStore unit behaviour: parking, refusals, coalescing, lanes, sweeps, implicit groups, backups, MACs, interfaces.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FibStore } from '../ts/dplane/store';
import { EF, KeyTable } from '../ts/dplane/keytable';
import { AF_INET, AF_INET6, AF_MPLS, ChangeKind, Lane, Op, Target } from '../ts/dplane/types';
import { BatchWriter } from './helpers/dplane-batch';
import { FibModel, pathText } from './helpers/dplane-model';
import { parseIp } from './helpers/dplane-net';

const w = new BatchWriter();

function feed(s: FibStore, build: (w: BatchWriter) => void): void {
  w.reset();
  build(w);
  s.ingest(w.batch, w.chunk);
}

function legs(s: FibStore, dst: string, table = 254): string[] | undefined {
  const [a, l] = dst.split('/');
  const ip = parseIp(a);
  const r = s.lookup(ip.length === 4 ? AF_INET : AF_INET6, table, ip, Number(l));
  return r?.primary.map(pathText);
}

test('a route before its group is parked, then released when the group arrives', () => {
  const s = new FibStore();
  const m = new FibModel();
  feed(s, (w) => w.route('new', { dst: '10.1.0.0/24', nhId: 7 }));
  assert.is(s.counts().routes, 1);
  assert.is(s.parked().routesNhgMissing, 1);
  assert.equal(s.parked().missingIds, [7]);
  assert.ok(s.lookup(AF_INET, 254, parseIp('10.1.0.0'), 24)!.parked);
  let d = m.drain(s);
  assert.is(d.route, 0, 'nothing programmed while parked');
  assert.is(d.nhg, 0);
  feed(s, (w) => w.nexthop('new', { id: 7, gw: '10.99.1.2', oif: 2 }));
  assert.is(s.parked().routesNhgMissing, 0);
  d = m.drain(s);
  assert.is(d.nhgSet, 1);
  assert.is(d.routeSet, 1);
  assert.equal(legs(s, '10.1.0.0/24'), ['10.99.1.2%2*1']);
  assert.equal(m.resolved().get('inet:254 10.1.0.0/24'), '10.99.1.2%2*1');
});

test('a group before its members waits for them; its route follows the group', () => {
  const s = new FibStore();
  const m = new FibModel();
  feed(s, (w) => w.nexthop('new', { id: 30, group: [[31, 1], [32, 3]] }).route('new', { dst: '10.2.0.0/16', nhId: 30 }));
  assert.is(s.parked().groupsMemberMissing, 1);
  assert.is(s.parked().routesNhgIncomplete, 1);
  assert.is(m.drain(s).route, 0);
  feed(s, (w) => w.nexthop('new', { id: 31, gw: '10.99.1.2', oif: 2 }));
  assert.is(m.drain(s).route, 0, 'one member still missing');
  feed(s, (w) => w.nexthop('new', { id: 32, gw: '10.99.2.2', oif: 3 }));
  const d = m.drain(s);
  assert.is(d.nhgSet, 1, 'only the used group is programmed, not its members');
  assert.is(d.routeSet, 1);
  assert.equal(m.nhgs.get(30)!.primary, ['10.99.1.2%2*1', '10.99.2.2%3*3']);
  assert.is(s.parked().groupsMemberMissing, 0);
});

test('deleting a group still in use is refused, counted, and done once its last user goes', () => {
  const s = new FibStore();
  const m = new FibModel();
  feed(s, (w) => w.nexthop('new', { id: 5, gw: '10.99.1.2', oif: 2 }).route('new', { dst: '10.3.0.0/24', nhId: 5 }));
  m.drain(s);
  feed(s, (w) => w.nexthop('del', { id: 5 }));
  assert.is(s.counters.nhgDelRefused, 1);
  assert.ok(s.nhgById(5)!.present);
  assert.is(m.drain(s).nhg, 0);
  // A member of a group is in use too.
  feed(s, (w) => w.nexthop('new', { id: 6, gw: '10.99.2.2', oif: 3 }).nexthop('new', { id: 9, group: [[6, 1]] }).nexthop('del', { id: 6 }));
  assert.is(s.counters.nhgDelRefused, 2);
  feed(s, (w) => w.route('del', { dst: '10.3.0.0/24' }));
  const d = m.drain(s);
  assert.equal(d.log, ['del inet:254 10.3.0.0/24 0']);
  assert.is(d.nhgDel, 1, 'group 5 goes after its last user');
  assert.is(s.nhgById(5), undefined);
  feed(s, (w) => w.nexthop('del', { id: 9 }));
  assert.is(s.nhgById(6), undefined, 'member 6, refused while in group 9, went with it');
  assert.is(s.counts().nhgs, 0);
});

test('DEL+NEW of one key in a batch is one change; unchanged DEL+NEW still one Set (zebra awaits its result)', () => {
  const s = new FibStore();
  const m = new FibModel();
  feed(s, (w) =>
    w
      .nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 })
      .nexthop('new', { id: 2, gw: '10.99.2.2', oif: 3 })
      .route('new', { dst: '10.4.0.0/24', nhId: 1 }),
  );
  m.drain(s);
  feed(s, (w) => w.route('del', { dst: '10.4.0.0/24' }).route('new', { dst: '10.4.0.0/24', nhId: 2 }));
  let d = m.drain(s);
  assert.equal(d.log, ['set inet:254 10.4.0.0/24 0']);
  assert.is(d.nhgDel, 1, 'group 1 lost its last programmed user');
  assert.is(m.routes.get('inet:254 10.4.0.0/24')!.nhgId, 2);
  feed(s, (w) => w.route('del', { dst: '10.4.0.0/24' }).route('new', { dst: '10.4.0.0/24', nhId: 2 }));
  d = m.drain(s);
  assert.equal(d.log, ['set inet:254 10.4.0.0/24 0']);
  assert.is(d.nhg, 0);
});

test('a route update as one RTM_NEWROUTE (zebra 10.3, NLM_F_REPLACE): one change, the old group released, no delete', () => {
  const s = new FibStore();
  const m = new FibModel();
  feed(s, (w) =>
    w
      .nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 })
      .nexthop('new', { id: 2, gw: '10.99.2.2', oif: 3 })
      .route('new', { dst: '10.5.0.0/24', nhId: 1 })
      .route('new', { dst: 'fd00:5::/64', nhId: 1 }),
  );
  m.drain(s);
  // fixtures/frr-10.3/static-nhg-flap: NEWROUTE REQUEST|CREATE|REPLACE for IPv4 and IPv6 alike.
  feed(s, (w) => w.route('new', { dst: '10.5.0.0/24', nhId: 2 }).route('new', { dst: 'fd00:5::/64', nhId: 2 }));
  const d = m.drain(s);
  assert.equal(d.log.sort(), ['set inet6:254 fd00:5::/64 0', 'set inet:254 10.5.0.0/24 0']);
  assert.is(d.nhgDel, 1, 'group 1 lost its last programmed user');
  assert.is(m.routes.get('inet:254 10.5.0.0/24')!.nhgId, 2);
  assert.is(s.counters.routeDel, 0, 'no delete was needed');
  const l = legs(s, '10.5.0.0/24')!;
  assert.is(l.length, 1);
  assert.ok(l[0].includes('10.99.2.2'), `forwards via the new group: ${l[0]}`);
});

test('last writer wins under churn: 100 flaps are one change; add+delete before a drain is none', () => {
  const s = new FibStore();
  const m = new FibModel();
  feed(s, (w) => {
    for (let i = 1; i <= 4; i++) w.nexthop('new', { id: i, gw: `10.99.${i}.2`, oif: i + 1 });
    w.route('new', { dst: '10.5.0.0/24', nhId: 1 });
  });
  m.drain(s);
  for (let i = 0; i < 100; i++)
    feed(s, (w) => w.route('del', { dst: '10.5.0.0/24' }).route('new', { dst: '10.5.0.0/24', nhId: 1 + (i % 4) }));
  assert.ok(s.depth()[0] <= 5, 'one pending route (plus at most one entry per group)');
  let d = m.drain(s);
  assert.is(d.route, 1);
  assert.equal([d.nhgSet, d.nhgDel], [1, 1], 'group 4 in, group 1 out; 2 and 3 never programmed');
  assert.is(m.routes.get('inet:254 10.5.0.0/24')!.nhgId, 4, 'the last writer');
  for (let i = 0; i < 100; i++) feed(s, (w) => w.route('new', { dst: '10.6.0.0/24', nhId: 1 + (i % 3) }).route('del', { dst: '10.6.0.0/24' }));
  d = m.drain(s);
  assert.is(d.route, 0, 'never programmed, nothing to undo');
  assert.is(s.counts().routes, 1);
});

test('lanes: connected/static, then IGP, then BGP; groups before all', () => {
  const s = new FibStore();
  feed(s, (w) =>
    w
      .route('new', { dst: '10.7.1.0/24', nhId: 1, protocol: 186 })
      .route('new', { dst: '10.7.2.0/24', nhId: 1, protocol: 187 })
      .route('new', { dst: '10.7.3.0/24', nhId: 1, protocol: 196 })
      .route('new', { dst: '10.7.4.0/24', nhId: 1, protocol: 2 })
      .route('new', { dst: '10.7.5.0/24', nhId: 1, protocol: 188 })
      .nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 }),
  );
  assert.equal(s.depth(), [3, 2, 1], 'the group and two routes in lane 0');
  const kinds: ChangeKind[] = [];
  const lanes: Lane[] = [];
  for (let k = s.next(); k !== ChangeKind.None; k = s.next()) {
    kinds.push(k);
    if (k === ChangeKind.Route) lanes.push(s.route.lane);
  }
  assert.equal(kinds, [ChangeKind.Nhg, ChangeKind.Route, ChangeKind.Route, ChangeKind.Route, ChangeKind.Route, ChangeKind.Route]);
  assert.equal(lanes, [Lane.Connected, Lane.Connected, Lane.Igp, Lane.Igp, Lane.Bgp]);
  assert.equal(s.depth(), [0, 0, 0]);
});

test('special routes: blackhole, unreachable, prohibit; other rtm_types are skipped and counted', () => {
  const s = new FibStore();
  const m = new FibModel();
  feed(s, (w) =>
    w
      .route('new', { dst: '10.8.1.0/24', type: 6 })
      .route('new', { dst: '10.8.2.0/24', type: 7 })
      .route('new', { dst: 'fd00:8::/64', type: 8 })
      .route('new', { dst: '10.8.3.0/24', type: 2 })
      .route('new', { dst: '10.8.4.0/24' }),
  );
  assert.is(s.counters.routeUnsupportedType, 1);
  assert.is(s.counters.routeNoNexthop, 1);
  m.drain(s);
  assert.equal([...m.resolved()].sort(), [
    ['inet6:254 fd00:8::/64', 'prohibit'],
    ['inet:254 10.8.1.0/24', 'blackhole'],
    ['inet:254 10.8.2.0/24', 'unreachable'],
  ]);
  assert.is(s.lookup(AF_INET, 254, parseIp('10.8.2.0'), 24)!.target, Target.Unreachable);
});

test('bad and other rows are counted and skipped; the rest of the batch applies', () => {
  const s = new FibStore();
  feed(s, (w) => w.bad().other().route('new', { dst: '10.9.0.0/24', type: 6 }).bad(3));
  assert.is(s.counters.badRows, 2);
  assert.is(s.counters.otherRows, 1);
  assert.is(s.counts().routes, 1);
});

test('unreferenced groups are kept but cost the dataplane nothing until used', () => {
  const s = new FibStore();
  const m = new FibModel();
  feed(s, (w) => w.nexthop('new', { id: 30, blackhole: true }).nexthop('new', { id: 31, gw: '10.99.1.2', oif: 2 }));
  assert.is(s.counts().nhgs, 2);
  assert.is(m.drain(s).nhg, 0);
  feed(s, (w) => w.route('new', { dst: '10.10.0.0/24', nhId: 30 }));
  const d = m.drain(s);
  assert.is(d.nhgSet, 1);
  assert.equal(m.nhgs.get(30)!.primary, ['blackhole%0*1']);
});

test('inline multipath: one implicit group per path set, shared by every route, freed with the last', () => {
  const s = new FibStore();
  const m = new FibModel();
  const paths = [
    { gw: '10.99.1.2', ifindex: 2 },
    { gw: '10.99.2.2', ifindex: 3 },
  ];
  for (let b = 0; b < 4; b++)
    feed(s, (w) => {
      for (let i = 0; i < 250; i++) w.route('new', { dst: `100.${b}.${i}.0/24`, paths, protocol: 186 });
    });
  feed(s, (w) => w.route('new', { dst: '10.11.0.0/24', gw: '10.99.1.2', oif: 2 }).route('new', { dst: '10.11.1.0/24', gw: '10.99.1.2', oif: 2 }));
  feed(s, (w) => w.route('new', { dst: 'fd00:11::/64', oif: 2 }).route('new', { dst: '10.11.2.0/24', oif: 2 }));
  const c = s.counts();
  assert.is(c.routes, 1004);
  assert.is(c.implicitNhgs, 4, 'ECMP pair, single gateway, v4 interface, v6 interface');
  const d = m.drain(s);
  assert.is(d.nhgSet, 4);
  assert.is(d.routeSet, 1004);
  const r = s.lookup(AF_INET, 254, parseIp('100.3.7.0'), 24)!;
  assert.ok(r.nhgId >= 0x80000000);
  assert.equal(r.primary.map(pathText), ['10.99.1.2%2*1', '10.99.2.2%3*1']);
  assert.is(s.nhgById(r.nhgId)!.users, 1000);
  for (let b = 0; b < 4; b++)
    feed(s, (w) => {
      for (let i = 0; i < 250; i++) w.route('del', { dst: `100.${b}.${i}.0/24` });
    });
  const d2 = m.drain(s);
  assert.is(d2.routeDel, 1000);
  assert.is(d2.nhgDel, 1);
  assert.is(s.counts().implicitNhgs, 3);
  assert.is(s.nhgById(r.nhgId), undefined);
});

test('MPLS LSPs: in-label -> swap labels via RTA_VIA; pop (implicit-null) has no out label', () => {
  const s = new FibStore();
  const m = new FibModel();
  feed(s, (w) =>
    w
      .route('new', { label: 1000, gw: '10.99.1.2', oif: 2, labels: [2000] })
      .route('new', { label: 1001, gw: '10.99.2.2', oif: 3 })
      .route('new', { label: 1002, paths: [{ gw: '10.99.1.2', ifindex: 2, labels: [3000] }, { gw: '10.99.2.2', ifindex: 3, labels: [3001] }] }),
  );
  assert.equal(s.counts().byTable, { 'mpls:0': 3 });
  m.drain(s);
  assert.equal(m.resolved().get('mpls:0 1000'), '10.99.1.2%2*1[2000]');
  assert.equal(m.resolved().get('mpls:0 1001'), '10.99.2.2%3*1');
  assert.equal(s.lookup(AF_MPLS, 0, null, 1002)!.primary.map(pathText), ['10.99.1.2%2*1[3000]', '10.99.2.2%3*1[3001]']);
  feed(s, (w) => w.route('del', { label: 1001 }));
  assert.equal(m.drain(s).log, ['del mpls:0 1001 0']);
});

test('sweep without the end marker: main table, LSPs and groups only; non-main tables and MACs kept', () => {
  let now = 1000;
  const s = new FibStore({ quietMs: 3000, now: () => now });
  const m = new FibModel();
  s.connectionStart();
  feed(s, (w) =>
    w
      .nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 })
      .nexthop('new', { id: 2, gw: '10.99.2.2', oif: 3 })
      .nexthop('new', { id: 3, blackhole: true })
      .route('new', { dst: '10.12.1.0/24', nhId: 1 })
      .route('new', { dst: '10.12.2.0/24', nhId: 1 })
      .route('new', { dst: '10.12.3.0/24', nhId: 2, table: 1001 })
      .route('new', { label: 500, gw: '10.99.1.2', oif: 2 })
      .neigh('new', { ifindex: 4, mac: '02:00:00:00:00:01', dst: '10.99.31.2' }),
  );
  now += 5000;
  assert.ok(s.tick());
  m.drain(s);
  assert.is(m.routes.size, 4);
  // Reconnect: zebra replays group 1 and 10.12.1.0/24 only (stock: no table 1001, no MACs).
  s.connectionStart();
  assert.is(s.replayStatus().state, 'replaying');
  feed(s, (w) => w.nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 }).route('new', { dst: '10.12.1.0/24', nhId: 1 }));
  assert.is(m.drain(s).route, 0, 'a replay of unchanged state programs nothing');
  now += 2999;
  assert.not.ok(s.tick(), 'not quiet long enough');
  now += 1;
  assert.ok(s.tick());
  const st = s.replayStatus();
  assert.is(st.state, 'ended');
  assert.is(st.endedBy, 'quiet-period');
  const d = m.drain(s);
  assert.equal(d.log.sort(), ['del inet:254 10.12.2.0/24 0', 'del mpls:0 500 0']);
  assert.ok(m.routes.has('inet:1001 10.12.3.0/24'), 'non-main table never swept without the marker');
  assert.is(m.macs.size, 1, 'MACs never swept without the marker');
  assert.ok(s.nhgById(2)!.present, 'stale group still used by a kept route stays');
  assert.is(s.nhgById(3), undefined, 'stale unused group swept');
  assert.equal(s.counts().byTable, { 'inet:254': 1, 'inet:1001': 1 });
});

test('sweep with the end marker: everything not refreshed goes, groups after their users', () => {
  const s = new FibStore({ now: () => 0 });
  const m = new FibModel();
  s.connectionStart();
  feed(s, (w) =>
    w
      .nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 })
      .nexthop('new', { id: 2, gw: '10.99.2.2', oif: 3 })
      .route('new', { dst: '10.13.1.0/24', nhId: 1 })
      .route('new', { dst: '10.13.3.0/24', nhId: 2, table: 1001 })
      .neigh('new', { ifindex: 4, mac: '02:00:00:00:00:01', dst: '10.99.31.2' })
      .done(),
  );
  assert.is(s.replayStatus().endedBy, 'marker');
  m.drain(s);
  s.connectionStart();
  feed(s, (w) => w.nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 }).route('new', { dst: '10.13.1.0/24', nhId: 1 }).done());
  const st = s.replayStatus();
  assert.is(st.state, 'ended');
  assert.is(st.swept, 3, 'route in table 1001, the MAC, group 2');
  const d = m.drain(s);
  assert.equal(d.log, ['del inet:1001 10.13.3.0/24 0']);
  assert.is(d.nhgDel, 1);
  assert.is(m.macs.size, 0);
  assert.equal([...m.nhgs.keys()], [1]);
});

test('a live re-send of an unchanged route is re-emitted (zebra awaits its result); a replay refresh is not', () => {
  const s = new FibStore({ now: () => 0 });
  const m = new FibModel();
  feed(s, (w) => w.nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 }).route('new', { dst: '10.14.0.0/24', nhId: 1 }));
  m.drain(s);
  feed(s, (w) => w.route('new', { dst: '10.14.0.0/24', nhId: 1 }));
  assert.is(m.drain(s).routeSet, 1);
  s.connectionStart();
  feed(s, (w) => w.route('new', { dst: '10.14.0.0/24', nhId: 1 }));
  assert.is(m.drain(s).route, 0);
  feed(s, (w) => w.route('new', { dst: '10.14.0.0/24', nhId: 1, protocol: 186 }));
  assert.equal(m.drain(s).log, ['set inet:254 10.14.0.0/24 2'], 'a protocol change is re-emitted in its new lane');
});

test('backup group: primary and backup legs in one view; a backup change re-emits only the groups it protects', () => {
  const s = new FibStore();
  const m = new FibModel();
  feed(s, (w) =>
    w
      .nexthop('new', { id: 20, gw: '10.99.22.3', oif: 3 })
      .nexthop('new', { id: 10, gw: '10.99.21.2', oif: 2, backup: 20 })
      .nexthop('new', { id: 11, gw: '10.99.21.2', oif: 2 })
      .nexthop('new', { id: 30, group: [[11, 1]], backup: 20 })
      .route('new', { dst: '10.15.1.0/24', nhId: 10 })
      .route('new', { dst: '10.15.2.0/24', nhId: 30 })
      .route('new', { dst: '10.15.3.0/24', nhId: 30 })
      .route('new', { dst: '10.15.4.0/24', nhId: 11 }),
  );
  m.drain(s);
  assert.equal(m.nhgs.get(10), { family: AF_INET, fdb: false, primary: ['10.99.21.2%2*1'], backup: ['10.99.22.3%3*1'] });
  assert.equal(m.nhgs.get(30)!.backup, ['10.99.22.3%3*1']);
  assert.equal(m.nhgs.get(11)!.backup, [], 'unprotected');
  assert.not.ok(m.nhgs.has(20), 'a backup-only group is not programmed on its own');
  assert.equal(s.lookup(AF_INET, 254, parseIp('10.15.2.0'), 24)!.backup.map(pathText), ['10.99.22.3%3*1']);
  assert.equal(s.backups.stats(), { protected: 2, backups: 1, linksDown: 0 });
  let p = s.protection(10)!;
  assert.equal([p.backupId, p.backupPresent, p.active], [20, true, 'primary']);
  s.setLinkState(2, false);
  p = s.protection(10)!;
  assert.equal([p.primaryUsable, p.backupUsable, p.active], [false, true, 'backup']);
  s.setLinkState(2, true);
  // The backup changes: one group change per protected group, no route change.
  feed(s, (w) => w.nexthop('new', { id: 20, gw: '10.99.22.9', oif: 3 }));
  const d = m.drain(s);
  assert.is(d.route, 0);
  assert.equal([d.nhgSet, d.nhgDel], [2, 0]);
  assert.equal(m.nhgs.get(10)!.backup, ['10.99.22.9%3*1']);
  assert.equal(m.nhgs.get(30)!.backup, ['10.99.22.9%3*1']);
  // A backup in use is not deleted; unlinking it makes it deletable.
  feed(s, (w) => w.nexthop('del', { id: 20 }));
  assert.is(s.counters.nhgDelRefused, 1);
  feed(s, (w) => w.nexthop('new', { id: 10, gw: '10.99.21.2', oif: 2 }).nexthop('new', { id: 30, group: [[11, 1]] }));
  assert.is(s.nhgById(20), undefined, 'pending delete done once no group names it');
  const d2 = m.drain(s);
  assert.equal([d2.nhgSet, d2.route], [2, 0]);
  assert.equal(m.nhgs.get(10)!.backup, []);
});

test('a backup named before it arrives: primary programmed unprotected, re-emitted when the backup comes', () => {
  const s = new FibStore();
  const m = new FibModel();
  feed(s, (w) => w.nexthop('new', { id: 10, gw: '10.99.21.2', oif: 2, backup: 99 }).route('new', { dst: '10.16.0.0/24', nhId: 10 }));
  assert.is(s.parked().backupMissing, 1);
  m.drain(s);
  assert.equal(m.nhgs.get(10)!.backup, []);
  feed(s, (w) => w.nexthop('new', { id: 99, gw: '10.99.22.3', oif: 3 }));
  const d = m.drain(s);
  assert.equal([d.nhgSet, d.route], [1, 0]);
  assert.equal(m.nhgs.get(10)!.backup, ['10.99.22.3%3*1']);
  assert.is(s.parked().backupMissing, 0);
});

test('EVPN MACs: to a VTEP, or to an L2 group emitted first; delete, then the group goes', () => {
  const s = new FibStore();
  const m = new FibModel();
  feed(s, (w) =>
    w
      .neigh('new', { ifindex: 4, mac: '02:99:00:00:02:01', dst: '10.99.31.2', vni: 100 })
      .neigh('new', { ifindex: 4, mac: '02:99:00:00:02:02', nhId: 50, vlan: 10 })
      .nexthop('new', { id: 51, gw: '10.99.31.2', fdb: true })
      .nexthop('new', { id: 52, gw: '10.99.31.3', fdb: true })
      .nexthop('new', { id: 50, group: [[51, 1], [52, 1]], fdb: true }),
  );
  assert.is(s.counts().macs, 2);
  m.drain(s);
  assert.equal(m.macs.get('4/0/02:99:00:00:02:01'), { vtep: '10.99.31.2', nhgId: 0, vni: 100 });
  assert.equal(m.macs.get('4/10/02:99:00:00:02:02'), { vtep: '', nhgId: 50, vni: 0 });
  assert.equal(m.nhgs.get(50)!.primary, ['10.99.31.2%0*1', '10.99.31.3%0*1']);
  assert.ok(m.nhgs.get(50)!.fdb);
  assert.is(m.nhgs.get(50)!.family, 7);
  feed(s, (w) => w.nexthop('del', { id: 50 }));
  assert.is(s.counters.nhgDelRefused, 1);
  feed(s, (w) => w.neigh('del', { ifindex: 4, mac: '02:99:00:00:02:02', vlan: 10 }).neigh('new', { ifindex: 4, mac: '02:99:00:00:02:01', dst: '10.99.31.9', vni: 100 }));
  const d = m.drain(s);
  assert.equal([d.mac, d.nhgDel], [2, 1]);
  assert.equal(m.macs.get('4/0/02:99:00:00:02:01')!.vtep, '10.99.31.9');
  assert.is(s.counts().macs, 1);
});

test('interfaces: groups using an ifindex (members, their groups, groups they protect) and re-emission', () => {
  const s = new FibStore();
  const m = new FibModel();
  feed(s, (w) =>
    w
      .nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 })
      .nexthop('new', { id: 2, gw: '10.99.2.2', oif: 3 })
      .nexthop('new', { id: 3, group: [[1, 1], [2, 1]] })
      .nexthop('new', { id: 4, gw: '10.99.3.2', oif: 4, backup: 2 })
      .route('new', { dst: '10.17.0.0/24', nhId: 3 })
      .route('new', { dst: '10.17.1.0/24', nhId: 4 })
      .route('new', { dst: '10.17.2.0/24', gw: '10.99.2.2', oif: 3 }),
  );
  m.drain(s);
  const ids = s.groupsUsingIfindex(3);
  const implicitId = s.lookup(AF_INET, 254, parseIp('10.17.2.0'), 24)!.nhgId;
  assert.equal(ids, [2, 3, 4, implicitId]);
  assert.equal(s.groupsUsingIfindex(4), [4]);
  assert.equal(s.groupsUsingIfindex(9), []);
  assert.is(s.reemitIfindex(3), 3, 'programmed ones: 3, 4 and the implicit group (2 is not programmed)');
  const d = m.drain(s);
  assert.equal([d.nhgSet, d.route], [3, 0]);
});

test('routeResult: failures are counted and reported with the route; stale handles ignored', () => {
  const s = new FibStore();
  const m = new FibModel();
  feed(s, (w) => w.route('new', { dst: '10.18.0.0/24', type: 6, protocol: 186 }).route('new', { dst: '10.18.1.0/24', type: 6 }));
  m.drain(s, (k) => (k === 'inet:254 10.18.0.0/24' ? 'VNET_API_ERROR_NO_SUCH_FIB' : undefined));
  assert.is(s.counts().failedRoutes, 1);
  const f = s.lastFailure()!;
  assert.is(f.error, 'VNET_API_ERROR_NO_SUCH_FIB');
  assert.equal([f.route!.family, f.route!.table, Array.from(f.route!.addr), f.route!.len, f.route!.protocol], [AF_INET, 254, [10, 18, 0, 0], 24, 186]);
  const h = s.lookup(AF_INET, 254, parseIp('10.18.0.0'), 24)!.handle;
  assert.ok(s.lookup(AF_INET, 254, parseIp('10.18.0.0'), 24)!.failed);
  feed(s, (w) => w.route('del', { dst: '10.18.0.0/24' }));
  assert.is(s.next(), ChangeKind.Route);
  assert.is(s.route.op, Op.Del);
  assert.is(s.counts().failedRoutes, 0);
  s.routeResult(h, false, 'late');
  assert.is(s.counters.resultsStale, 1);
  assert.is(s.routeKeyFor(h), null);
});

test('a group becoming incomplete withdraws its routes; complete again, they come back', () => {
  const s = new FibStore();
  const m = new FibModel();
  feed(s, (w) =>
    w
      .nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 })
      .nexthop('new', { id: 3, group: [[1, 1]] })
      .route('new', { dst: '10.19.0.0/24', nhId: 3 }),
  );
  m.drain(s);
  feed(s, (w) => w.nexthop('new', { id: 3, group: [[1, 1], [77, 1]] }));
  let d = m.drain(s);
  assert.equal(d.log, ['del inet:254 10.19.0.0/24 0']);
  assert.is(d.nhgDel, 1);
  assert.is(s.parked().routesNhgIncomplete, 1);
  feed(s, (w) => w.nexthop('new', { id: 77, gw: '10.99.7.2', oif: 7 }));
  d = m.drain(s);
  assert.equal(d.log, ['set inet:254 10.19.0.0/24 0']);
  assert.equal(m.nhgs.get(3)!.primary, ['10.99.1.2%2*1', '10.99.7.2%7*1']);
});

test('replayAll: a dataplane that lost its state gets everything programmable again, and no Del', () => {
  const s = new FibStore();
  const m = new FibModel();
  feed(s, (w) =>
    w
      .nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 })
      .nexthop('new', { id: 2, gw: '10.99.2.2', oif: 3 })
      .nexthop('new', { id: 3, group: [[1, 1], [2, 1]] })
      .route('new', { dst: '10.21.0.0/24', nhId: 3, protocol: 186 })
      .route('new', { dst: '10.21.1.0/24', nhId: 1 })
      .route('new', { dst: '10.21.2.0/24', nhId: 99 })
      .route('new', { dst: 'fd00:21::/64', type: 6 })
      .route('new', { dst: '10.21.3.0/24', paths: [{ gw: '10.99.1.2', ifindex: 2 }] })
      .neigh('new', { ifindex: 4, mac: '02:00:00:00:00:01', dst: '10.99.31.2' }),
  );
  m.drain(s);
  feed(s, (w) => w.route('del', { dst: '10.21.1.0/24' }));
  const fresh = new FibModel();
  assert.is(s.replayAll(), 2 + 3 + 1, 'group 3 and the implicit one; 3 routes (not the parked one); 1 MAC');
  const d = fresh.drain(s); // throws on a Del of something it never got
  assert.is(d.routeDel, 0);
  assert.is(d.nhgDel, 0);
  const want = m.resolved();
  want.delete('inet:254 10.21.1.0/24');
  assert.equal(Object.fromEntries([...fresh.resolved()].sort()), Object.fromEntries([...want].sort()));
  assert.equal([...fresh.nhgs.keys()].sort(), [...m.nhgs.keys()].filter((id) => id !== 1).sort(), 'group 1 lost its only user');
  assert.is(fresh.macs.size, 1);
  assert.equal(s.depth(), [0, 0, 0]);
});

test('reemitRoutesUsing: routes handed out with a group are queued again, the group is not', () => {
  const s = new FibStore();
  const m = new FibModel();
  feed(s, (w) =>
    w
      .nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 })
      .route('new', { dst: '10.22.0.0/24', nhId: 1 })
      .route('new', { dst: '10.22.1.0/24', nhId: 1 })
      .route('new', { dst: '10.22.2.0/24', nhId: 7 }),
  );
  m.drain(s);
  assert.is(s.reemitRoutesUsing(1), 2);
  assert.is(s.reemitRoutesUsing(7), 0, 'parked routes were never handed out');
  const d = m.drain(s);
  assert.equal([d.routeSet, d.nhg], [2, 0]);
});

test('routes iterator and per-table counts; the chunk is not kept', () => {
  const s = new FibStore();
  feed(s, (w) =>
    w
      .route('new', { dst: '10.20.0.0/16', type: 6 })
      .route('new', { dst: '10.20.0.0/24', type: 6 })
      .route('new', { dst: '10.20.0.0/24', type: 6, table: 100 })
      .route('new', { dst: '2001:db8::/32', type: 6 })
      .route('new', { dst: '0.0.0.0/0', type: 7 }),
  );
  w.chunk.fill(0xee); // the store must not read the chunk after ingest
  const keys = [...s.routes()].map((r) => `${r.family}:${r.table}:${Array.from(r.addr).join('.')}/${r.len}`).sort();
  assert.equal(keys, ['10:254:32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.0/32', '2:100:10.20.0.0/24', '2:254:0.0.0.0/0', '2:254:10.20.0.0/16', '2:254:10.20.0.0/24']);
  assert.equal(s.counts().byTable, { 'inet:254': 3, 'inet:100': 1, 'inet6:254': 1 });
});


test('routeResult: a handle stays stale after its entry id is reused many times (wide generation)', () => {
  const s = new FibStore();
  const m = new FibModel();
  feed(s, (w) => w.route('new', { dst: '10.40.0.0/24', type: 6 }));
  m.drain(s);
  const h = s.lookup(AF_INET, 254, parseIp('10.40.0.0'), 24)!.handle;
  feed(s, (w) => w.route('del', { dst: '10.40.0.0/24' }));
  m.drain(s);
  // The freed id is reused by the next new key; 48 releases in all (a multiple of 8) would bring a
  // 3-bit generation back to the handle's.
  for (let i = 0; i < 47; i++) {
    feed(s, (w) => w.route('new', { dst: '10.41.0.0/24', type: 6 }));
    m.drain(s);
    feed(s, (w) => w.route('del', { dst: '10.41.0.0/24' }));
    m.drain(s);
  }
  feed(s, (w) => w.route('new', { dst: '10.42.0.0/24', type: 6 }));
  m.drain(s);
  const h2 = s.lookup(AF_INET, 254, parseIp('10.42.0.0'), 24)!.handle;
  assert.is(h2 % 2 ** 30, h % 2 ** 30, 'same family and entry id');
  assert.is.not(h2, h);
  const stale = s.counters.resultsStale;
  s.routeResult(h, false, 'late');
  assert.is(s.counters.resultsStale, stale + 1);
  assert.is(s.counts().failedRoutes, 0, 'the reused entry is not marked failed');
  assert.is(s.routeKeyFor(h), null);
  s.routeResult(h2, false, 'now');
  assert.is(s.counts().failedRoutes, 1);
});

test('expectedRoutes sizes the tables once; routes are the same with or without it', () => {
  const plain = new FibStore();
  const sized = new FibStore({ expectedRoutes: 100_000 });
  assert.ok(sized.tableBytes() > 40 * 100_000, 'columns and index allocated up front');
  assert.ok(plain.tableBytes() < sized.tableBytes() / 10);
  const before = sized.tableBytes();
  for (const s of [plain, sized])
    for (let i = 0; i < 5000; i += 250)
      feed(s, (w) => {
        for (let j = i; j < i + 250; j++) w.route('new', { dst: `10.${(j >> 8) & 255}.${j & 255}.0/24`, type: 6 });
        w.route('new', { dst: `2001:db8:${i.toString(16)}::/48`, type: 6 });
      });
  assert.is(sized.tableBytes(), before, 'no regrowth below the hint');
  assert.is(plain.counts().routes, 5020);
  assert.is(sized.counts().routes, 5020);
  assert.ok(sized.lookup(AF_INET, 254, parseIp('10.19.135.0'), 24));
  assert.ok(plain.lookup(AF_INET, 254, parseIp('10.19.135.0'), 24));
});

test('KeyTable: inserts, finds and removes agree with a Map through index doublings and reuse', () => {
  for (const words of [1, 4]) {
    const t = new KeyTable(words, 16);
    const model = new Map<string, number>();
    let seed = 12345;
    const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const setKey = (x: number): string => {
      for (let i = 0; i < words; i++) t.k[i] = i === 0 ? x & 0xfffff : Math.imul(x, i + 1) >>> 0;
      t.kLen = x % 33;
      t.kTbl = x % 3;
      return `${x & 0xfffff}/${x % 33}/${x % 3}`;
    };
    for (let op = 0; op < 40_000; op++) {
      const x = rnd() % 20_000;
      const key = setKey(x);
      if (rnd() % 3 !== 0) {
        const id = t.insert();
        assert.is(t.created, !model.has(key), key);
        if (model.has(key)) assert.is(id, model.get(key));
        model.set(key, id);
      } else {
        const id = t.find();
        assert.is(id, model.has(key) ? model.get(key) : -1, key);
        if (id >= 0) {
          t.remove(id);
          model.delete(key);
        }
      }
    }
    assert.is(t.size, model.size);
    let inUse = 0;
    for (let id = 0; id < t.hi; id++) if ((t.flags[id] & EF.InUse) !== 0) inUse++;
    assert.is(inUse, model.size);
    t.reserve(50_000);
    for (let x = 0; x < 20_000; x++) {
      const key = setKey(x);
      assert.is(t.find(), model.has(key) ? model.get(key) : -1, key);
    }
  }
});

test.run();

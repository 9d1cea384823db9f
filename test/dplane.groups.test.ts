// The nexthop-group registry (ts/dplane/groups.ts): reference counts, parking of routes that name ids not sent yet, refused deletes, backup links.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FibStore } from '../ts/dplane/store';
import { AF_INET } from '../ts/dplane/types';
import { BatchWriter } from './helpers/dplane-batch';
import { drainLines } from './helpers/dplane-drain';

const w = new BatchWriter();
function feed(s: FibStore, build: (w: BatchWriter) => void): void {
  w.reset();
  build(w);
  s.ingest(w.batch, w.chunk);
}
const v4 = (a: string) => Uint8Array.from(a.split('.').map(Number));

test('routes naming an id before it arrives wait in the compact records, then become its users', () => {
  const s = new FibStore();
  s.connectionOpen();
  feed(s, (w) => w.route('new', { dst: '10.1.0.0/24', nhId: 7 }).route('new', { dst: '10.2.0.0/24', nhId: 7 }));
  assert.not.ok(s.groups.byId.has(7), 'no placeholder object per missing id');
  assert.is(s.nhgById(7)!.users, 2);
  assert.is(s.parked().routesNhgMissing, 2);
  assert.equal(drainLines(s), [], 'nothing programmable');
  feed(s, (w) => w.nexthop('new', { id: 7, gw: '10.99.1.2', oif: 2 }));
  assert.is(s.groups.missing.size, 0, 'the record went with the arrival');
  assert.is(s.nhgById(7)!.users, 2);
  assert.is(s.parked().routesNhgMissing, 0);
  assert.equal(drainLines(s), ['set nhg 7', 'set 10.1.0.0/24 nhg 7', 'set 10.2.0.0/24 nhg 7']);
  // Users follow the routes.
  feed(s, (w) => w.route('new', { dst: '10.2.0.0/24', type: 6 }));
  assert.is(s.nhgById(7)!.users, 1);
  feed(s, (w) => w.route('del', { dst: '10.1.0.0/24' }));
  assert.is(s.nhgById(7)!.users, 0);
  assert.equal(drainLines(s), ['set 10.2.0.0/24', 'del 10.1.0.0/24', 'del nhg 7'], 'an unused group leaves the dataplane');
  assert.ok(s.nhgById(7)!.present, 'zebra still has it');
});

test('a delete of a group in use is refused and remembered: it goes with its last user', () => {
  const s = new FibStore();
  s.connectionOpen();
  feed(s, (w) => w.nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 }).route('new', { dst: '10.1.0.0/24', nhId: 1 }));
  drainLines(s);
  feed(s, (w) => w.nexthop('del', { id: 1 }));
  assert.is(s.counters.nhgDelRefused, 1);
  assert.ok(s.nhgById(1)!.present);
  feed(s, (w) => w.route('del', { dst: '10.1.0.0/24' }));
  assert.equal(drainLines(s), ['del 10.1.0.0/24', 'del nhg 1']);
  assert.is(s.nhgById(1), undefined, 'freed once nothing holds it');
  assert.is(s.groups.byId.size, 0);
});

test('members: a group waits for a member not sent yet; an object freed by a re-sent group is freed only after the whole message', () => {
  const s = new FibStore();
  s.connectionOpen();
  feed(s, (w) => w.nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 }).nexthop('new', { id: 10, group: [[1, 1], [2, 1]] }).route('new', { dst: '10.1.0.0/24', nhId: 10 }));
  assert.is(s.parked().groupsMemberMissing, 1);
  assert.is(s.parked().routesNhgIncomplete, 1);
  assert.equal(drainLines(s), []);
  feed(s, (w) => w.nexthop('new', { id: 2, gw: '10.99.2.2', oif: 3 }));
  assert.equal(drainLines(s), ['set nhg 10', 'set 10.1.0.0/24 nhg 10']);
  // Member 2 leaves the group and becomes its backup in the same message: never freed on the way.
  feed(s, (w) => w.nexthop('new', { id: 10, group: [[1, 1]], backup: 2 }));
  assert.ok(s.groups.backups.isBackup(2));
  assert.ok(s.nhgById(2)!.present);
  assert.equal(drainLines(s), ['set nhg 10 backup 1']);
});

test('backup links: a backup not sent yet is a placeholder (programmed unprotected); its arrival re-emits the protected group', () => {
  const s = new FibStore();
  s.connectionOpen();
  feed(s, (w) => w.nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 }).nexthop('new', { id: 10, group: [[1, 1]], backup: 20 }).route('new', { dst: '10.1.0.0/24', nhId: 10 }));
  assert.is(s.parked().backupMissing, 1);
  assert.equal(drainLines(s), ['set nhg 10', 'set 10.1.0.0/24 nhg 10']);
  feed(s, (w) => w.nexthop('new', { id: 20, gw: '10.99.9.2', oif: 9 }));
  assert.is(s.parked().backupMissing, 0);
  assert.equal(drainLines(s), ['set nhg 10 backup 1'], 'one group change, no route change');
  assert.equal(s.groupsUsingIfindex(9), [10, 20]);
  assert.equal(s.lookup(AF_INET, 254, v4('10.1.0.0'), 24)!.backup.map((p) => p.ifindex), [9]);
});

test('the parking bound: past maxParked waiting routes a route is refused; one already waiting for that id stays', () => {
  const s = new FibStore({ maxParked: 2 });
  s.connectionOpen();
  feed(s, (w) => w.route('new', { dst: '10.1.0.0/24', nhId: 9 }).route('new', { dst: '10.2.0.0/24', nhId: 9 }).route('new', { dst: '10.3.0.0/24', nhId: 9 }));
  assert.is(s.counters.routeRefusedParked, 1);
  const r = s.takeRefused();
  assert.is(r.handles.length, 1);
  assert.ok(r.log);
  assert.ok(s.routeRefused(r.handles[0]));
  assert.is(s.groups.missing.totalUsers, 2);
  feed(s, (w) => w.route('new', { dst: '10.1.0.0/24', nhId: 9 }));
  assert.is(s.counters.routeRefusedParked, 1, 'a route re-sent while waiting keeps its place');
  feed(s, (w) => w.nexthop('new', { id: 9, gw: '10.99.1.2', oif: 2 }));
  assert.is(s.nhgById(9)!.users, 2);
});

test.run();

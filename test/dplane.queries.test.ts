// Read-only queries (ts/dplane/queries.ts): keys masked as ingest masks them, handles and keys both ways, status that changes nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FibStore, RouteKey } from '../ts/dplane/store';
import { AF_INET, AF_INET6, AF_MPLS, Target } from '../ts/dplane/types';
import { BatchWriter } from './helpers/dplane-batch';
import { parseIp } from './helpers/dplane-net';

const w = new BatchWriter();
function feed(s: FibStore, build: (w: BatchWriter) => void): void {
  w.reset();
  build(w);
  s.ingest(w.batch, w.chunk);
}
const ip = (a: string) => parseIp(a);

function store(): FibStore {
  const s = new FibStore();
  s.connectionOpen();
  feed(s, (w) =>
    w
      .nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 })
      .route('new', { dst: '10.1.2.3/24', nhId: 1 }) // host bits as configured: the mirror keys the network
      .route('new', { dst: '2001:db8:1:2:ffff::1/61', type: 6, table: 1001 })
      .route('new', { family: AF_MPLS, label: 100, nhId: 1 })
      .route('new', { dst: '10.9.0.0/16', nhId: 5 }),
  );
  return s;
}

test('lookup and routeHandle mask host bits exactly as ingest does', () => {
  const s = store();
  const a = s.lookup(AF_INET, 254, ip('10.1.2.200'), 24)!;
  assert.equal(Array.from(a.addr), [10, 1, 2, 0]);
  assert.equal(a.primary.map((p) => p.ifindex), [2]);
  assert.is(s.routeHandle(AF_INET, 254, ip('10.1.2.77'), 24), a.handle);
  const b = s.lookup(AF_INET6, 1001, ip('2001:db8:1:7::'), 61)!;
  assert.equal(Array.from(b.addr), Array.from(ip('2001:db8:1::')), '/61 clears the low 3 bits of the fourth group');
  assert.is(b.target, Target.Blackhole);
  assert.is(s.routeHandle(AF_INET6, 1001, ip('2001:db8:1:2::'), 61), b.handle);
  assert.is(s.lookup(AF_MPLS, 0, null, 100)!.label, 100);
  assert.is(s.routeHandle(AF_INET, 254, ip('10.1.3.0'), 24), -1);
  assert.is(s.routeHandle(AF_INET, 77, ip('10.1.2.0'), 24), -1, 'a table never seen');
  assert.is(s.routeHandle(AF_MPLS, 0, ip('10.1.2.0'), 24), -1);
  assert.is(s.lookup(AF_INET, 254, ip('10.1.2.0'), 25), undefined);
});

test('routeKeyFor fills the caller\'s key in place and answers null for a handle that is gone', () => {
  const s = store();
  const h = s.routeHandle(AF_INET6, 1001, ip('2001:db8:1::'), 61);
  const out: RouteKey = { family: AF_INET, table: 0, addr: new Uint8Array(16).fill(9), len: 0, label: 0, protocol: 0 };
  assert.is(s.routeKeyFor(h, out), out);
  assert.equal(out, { family: AF_INET6, table: 1001, addr: ip('2001:db8:1::'), len: 61, label: 0, protocol: 196 });
  feed(s, (w) => w.route('del', { dst: '2001:db8:1::/61', table: 1001 }));
  while (s.next() !== 0);
  assert.is(s.routeKeyFor(h), null);
  assert.is(s.routeKeyFor((3 << 30) >>> 0), null, 'a MAC handle is not a route');
});

test('iterators and status: parked routes included and named, and asking changes nothing', () => {
  const s = store();
  const before = [s.pending(), ...s.depth()];
  const c = s.counts();
  assert.equal(c.byTable, { 'inet:254': 2, 'inet6:1001': 1, 'mpls:0': 1 });
  assert.is(c.routes, 4);
  assert.is(c.nhgs, 1);
  assert.is(c.parked.routesNhgMissing, 1);
  assert.equal(c.parked.missingIds, [5]);
  const routes = [...s.routes()];
  assert.is(routes.length, 4);
  const parked = routes.find((r) => r.parked)!;
  assert.equal([parked.len, parked.nhgId, parked.programmed], [16, 5, false]);
  assert.equal(s.nhgById(5), {
    id: 5, present: false, kind: 'single', family: AF_INET, fdb: false, members: [], primary: [], backup: [], backupId: 0,
    users: 1, resolved: false, programmed: false, epoch: 0,
  });
  assert.equal([...s.nhgs()].map((n) => [n.id, n.users, n.kind]), [[1, 2, 'single']]);
  assert.equal([s.pending(), ...s.depth()], before, 'queries leave the queue alone');
  assert.ok(s.tableBytes() > 0);
});

test.run();

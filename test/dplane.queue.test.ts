// The change queue (ts/dplane/queue.ts): groups before what names them, lanes by protocol, one pending change per key, results by handle.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FibStore } from '../ts/dplane/store';
import { AF_INET, ChangeKind, Op, Target } from '../ts/dplane/types';
import { BatchWriter } from './helpers/dplane-batch';
import { drainLines } from './helpers/dplane-drain';

const w = new BatchWriter();
function feed(s: FibStore, build: (w: BatchWriter) => void): void {
  w.reset();
  build(w);
  s.ingest(w.batch, w.chunk);
}
const v4 = (a: string) => Uint8Array.from(a.split('.').map(Number));

test('groups drain first, then routes lane by lane: connected/static, IGP, BGP', () => {
  const s = new FibStore();
  s.connectionOpen();
  feed(s, (w) =>
    w
      .route('new', { dst: '10.3.0.0/24', nhId: 1, protocol: 186 }) // BGP
      .route('new', { dst: '10.2.0.0/24', nhId: 1, protocol: 188 }) // OSPF
      .route('new', { dst: '10.1.0.0/24', nhId: 1, protocol: 196 }) // static
      .nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 }),
  );
  assert.equal(s.depth(), [2, 1, 1], 'lane 0 holds the group and the static route');
  assert.is(s.pending(), 4);
  assert.equal(drainLines(s), ['set nhg 1', 'set 10.1.0.0/24 nhg 1', 'set 10.2.0.0/24 nhg 1', 'set 10.3.0.0/24 nhg 1']);
  assert.is(s.pending(), 0);
  assert.equal(s.depth(), [0, 0, 0]);
});

test('one pending change per key: the last state wins, and a change undone before the drain emits nothing', () => {
  const s = new FibStore();
  s.connectionOpen();
  feed(s, (w) => w.route('new', { dst: '10.1.0.0/24', type: 6 }).route('new', { dst: '10.1.0.0/24', type: 7 }).route('new', { dst: '10.1.0.0/24', type: 8 }));
  assert.is(s.pending(), 1);
  assert.equal(drainLines(s), ['set 10.1.0.0/24']);
  assert.is(s.counters.changesRoute, 1);
  feed(s, (w) => w.route('del', { dst: '10.1.0.0/24' }).route('new', { dst: '10.1.0.0/24', type: 8 }));
  assert.equal(drainLines(s), ['set 10.1.0.0/24'], 'a DEL+NEW frame is one Set (zebra awaits its result)');
  feed(s, (w) => w.route('new', { dst: '10.9.0.0/24', type: 6 }).route('del', { dst: '10.9.0.0/24' }));
  assert.equal(drainLines(s), [], 'added and withdrawn before the drain: nothing reaches the dataplane');
  assert.is(s.counts().routes, 1);
});

test('results by handle: installed and failed counts, a result for a reused entry is stale', () => {
  const s = new FibStore();
  s.connectionOpen();
  feed(s, (w) => w.route('new', { dst: '10.1.0.0/24', type: 6 }).route('new', { dst: '10.2.0.0/24', type: 6 }));
  drainLines(s, false);
  assert.is(s.counts().failedRoutes, 2);
  assert.is(s.installedRoutes, 0);
  assert.equal(s.lastFailure(), { error: 'failed', route: { family: AF_INET, table: 254, addr: v4('10.2.0.0'), len: 24, label: 0, protocol: 196 } });
  const h = s.routeHandle(AF_INET, 254, v4('10.1.0.0'), 24);
  s.routeResult(h, true);
  assert.is(s.counts().failedRoutes, 1);
  assert.is(s.installedRoutes, 1);
  feed(s, (w) => w.route('del', { dst: '10.1.0.0/24' }));
  assert.equal(drainLines(s), ['del 10.1.0.0/24']);
  assert.is(s.installedRoutes, 0, 'a Del handed out: no longer held');
  feed(s, (w) => w.route('new', { dst: '10.1.0.0/24', type: 6 }));
  const stale = s.counters.resultsStale;
  s.routeResult(h, true);
  assert.is(s.counters.resultsStale, stale + 1, 'the old handle does not name the new entry');
});

test('adoption ahead of the queue: groups alone, a queued Set peeked and counted programmed, its turn passes it by unless zebra changed it', () => {
  const s = new FibStore();
  s.connectionOpen();
  feed(s, (w) =>
    w
      .nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 })
      .nexthop('new', { id: 2, gw: '10.99.2.2', oif: 3 })
      .route('new', { dst: '10.1.0.0/24', nhId: 1, protocol: 186 })
      .route('new', { dst: '10.2.0.0/24', nhId: 1, protocol: 186 })
      .route('new', { dst: '10.3.0.0/24', nhId: 1, protocol: 186 })
      .route('new', { dst: '10.4.0.0/24', nhId: 9, protocol: 186 }), // parked: group 9 never sent
  );
  const h = (a: string) => s.routeHandle(AF_INET, 254, v4(a), 24);
  // Groups go out alone; routes wait.
  const groups: number[] = [];
  for (let k = s.nextNhg(); k !== 0; k = s.nextNhg()) groups.push(s.nhg.id);
  assert.equal(groups, [1], 'the group routes use (group 2 has none yet)');
  const out = { target: 0, nhgId: 0 };
  assert.ok(s.peekUnprogrammed(h('10.1.0.0'), out));
  assert.equal(out, { target: Target.Nhg, nhgId: 1 });
  s.programmedAhead(h('10.1.0.0'));
  assert.ok(s.peekUnprogrammed(h('10.2.0.0'), out));
  s.programmedAhead(h('10.2.0.0'));
  assert.not.ok(s.peekUnprogrammed(h('10.1.0.0'), out), 'programmed already');
  assert.not.ok(s.peekUnprogrammed(h('10.4.0.0'), out), 'parked');
  assert.not.ok(s.peekUnprogrammed(-1 >>> 0, out), 'no such route');
  // Their results, in entry order, with the view next() would have given.
  const id = (a: string) => h(a) % 2 ** 30;
  assert.is(s.aheadView(0, id('10.1.0.0')), h('10.1.0.0'));
  assert.equal([s.route.op, s.route.len, s.route.nhgId, Array.from(s.route.addr.subarray(0, 4))], [Op.Set, 24, 1, [10, 1, 0, 0]]);
  assert.is(s.aheadView(0, id('10.3.0.0')), -1, 'not taken ahead');
  s.routeResult(h('10.1.0.0'), true);
  s.routeResult(h('10.2.0.0'), true);
  assert.is(s.installedRoutes, 2);
  // zebra moves 10.2/24 to group 2 before its turn: that change goes out, with the group VPP has.
  feed(s, (w) => w.route('new', { dst: '10.2.0.0/24', nhId: 2, protocol: 186 }));
  assert.is(s.aheadView(0, id('10.2.0.0')), -1, 'changed since: its change goes out instead');
  const lines: string[] = [];
  for (let k = s.next(); k !== 0; k = s.next()) if (k === ChangeKind.Route) lines.push(`${s.route.op === Op.Set ? 'set' : 'del'} ${s.route.addr[1]} nhg ${s.route.nhgId} prev ${s.route.prevNhgId}`);
  assert.equal(lines, ['set 2 nhg 2 prev 1', 'set 3 nhg 1 prev 0']);
  // Withdrawn after it was matched: the Del reaches the dataplane.
  feed(s, (w) => w.route('del', { dst: '10.1.0.0/24', protocol: 186 }));
  assert.equal(drainLines(s), ['del 10.1.0.0/24']);
});

test('replayAll: after the dataplane lost its state, everything programmable is queued again, groups first', () => {
  const s = new FibStore();
  s.connectionOpen();
  feed(s, (w) =>
    w
      .nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 })
      .route('new', { dst: '10.1.0.0/24', nhId: 1, protocol: 186 })
      .route('new', { dst: '10.2.0.0/24', type: 6 })
      .route('new', { dst: '10.3.0.0/24', nhId: 5 }), // parked: not programmable
  );
  drainLines(s);
  s.clearInstalled();
  assert.is(s.installedRoutes, 0);
  assert.is(s.replayAll(), 3);
  assert.equal(drainLines(s), ['set nhg 1', 'set 10.2.0.0/24', 'set 10.1.0.0/24 nhg 1']);
  assert.is(s.reemitRoutesUsing(1), 1);
  assert.equal(drainLines(s), ['set 10.1.0.0/24 nhg 1']);
  assert.is(s.reemitIfindex(2), 1);
  assert.equal(drainLines(s), ['set nhg 1']);
});

test.run();

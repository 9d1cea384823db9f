// Epochs, replay and sweep (ts/dplane/epochs.ts): a connection is a generation; what its replay does not refresh is withdrawn at its end.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FibStore } from '../ts/dplane/store';
import { BatchWriter } from './helpers/dplane-batch';
import { drainLines } from './helpers/dplane-drain';

const w = new BatchWriter();
function feed(s: FibStore, build: (w: BatchWriter) => void): void {
  w.reset();
  build(w);
  s.ingest(w.batch, w.chunk);
}

function store(): { s: FibStore; clock: { t: number } } {
  const clock = { t: 1000 };
  return { s: new FibStore({ quietMs: 500, now: () => clock.t }), clock };
}

function first(s: FibStore): void {
  s.connectionOpen();
  feed(s, (w) =>
    w
      .nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 })
      .route('new', { dst: '10.1.0.0/24', nhId: 1 })
      .route('new', { dst: '10.2.0.0/24', nhId: 1 })
      .route('new', { dst: '10.3.0.0/24', type: 6, table: 100 })
      .done(),
  );
  drainLines(s);
}

test('a silent connection changes nothing: no new epoch, and its end marker sweeps nothing', () => {
  const { s } = store();
  first(s);
  assert.is(s.counts().epoch, 1);
  s.connectionEnd();
  s.connectionOpen();
  assert.not.ok(s.connectionStarted);
  feed(s, (w) => w.done());
  assert.is(s.counters.doneIgnored, 1);
  assert.is(s.counts().epoch, 1);
  assert.is(s.counts().routes, 3);
  assert.equal(drainLines(s), []);
});

test('with the end marker everything not refreshed is swept; what was refreshed is not reprogrammed', () => {
  const { s } = store();
  first(s);
  s.connectionEnd();
  s.connectionOpen();
  feed(s, (w) => w.nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 }).route('new', { dst: '10.1.0.0/24', nhId: 1 }));
  assert.ok(s.connectionStarted);
  assert.is(s.counts().epoch, 2);
  let st = s.replayStatus();
  assert.equal([st.state, st.refreshed, st.stale], ['replaying', { routes: 1, nhgs: 1, macs: 0 }, { routes: 2, nhgs: 0, macs: 0 }]);
  assert.equal(drainLines(s), [], 'a refresh is not a change');
  feed(s, (w) => w.done());
  st = s.replayStatus();
  assert.equal([st.state, st.endedBy, st.swept], ['ended', 'marker', 2]);
  assert.equal(drainLines(s), ['del 10.2.0.0/24', 'del 10.3.0.0/24']);
});

test('the quiet period ends a replay without a marker, and then only main-table routes are swept', () => {
  const { s, clock } = store();
  first(s);
  s.connectionEnd();
  s.connectionOpen();
  feed(s, (w) => w.route('new', { dst: '10.1.0.0/24', nhId: 1 }));
  clock.t += 499;
  assert.not.ok(s.tick());
  clock.t += 1;
  assert.ok(s.tick());
  const st = s.replayStatus();
  assert.equal([st.endedBy, st.swept, st.durationMs], ['quiet-period', 1, 500]);
  assert.equal(drainLines(s), ['del 10.2.0.0/24'], 'table 100 stays: stock zebra does not replay it');
  assert.equal(s.counts().byTable, { 'inet:254': 1, 'inet:100': 1 });
});

test('an interrupted replay sweeps nothing; the next complete one does', () => {
  const { s } = store();
  first(s);
  s.connectionEnd();
  s.connectionOpen();
  feed(s, (w) => w.route('new', { dst: '10.1.0.0/24', nhId: 1 }));
  s.connectionEnd();
  assert.is(s.replayStatus().state, 'waiting');
  assert.equal(drainLines(s), []);
  assert.is(s.counts().routes, 3);
  s.connectionOpen();
  feed(s, (w) => w.nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 }).route('new', { dst: '10.2.0.0/24', nhId: 1 }).done());
  assert.is(s.replayStatus().swept, 2);
  assert.equal(drainLines(s), ['del 10.1.0.0/24', 'del 10.3.0.0/24']);
});

test('stale nexthop objects go once unused, groups before the members they free; one still used stays', () => {
  const { s } = store();
  s.connectionOpen();
  feed(s, (w) =>
    w
      .nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 })
      .nexthop('new', { id: 2, gw: '10.99.2.2', oif: 3 })
      .nexthop('new', { id: 10, group: [[1, 1], [2, 1]] })
      .route('new', { dst: '10.1.0.0/24', nhId: 10 })
      .route('new', { dst: '10.3.0.0/24', nhId: 2, table: 100 }),
  );
  drainLines(s);
  s.connectionEnd();
  s.connectionOpen();
  feed(s, (w) => w.route('new', { dst: '10.9.0.0/24', type: 6 }));
  s.endReplay('quiet-period');
  assert.equal([...s.nhgs()].map((n) => n.id), [2], 'kept for the table-100 route that was not swept');
  assert.ok(s.counters.sweepKeptInUse >= 1);
});

test.run();

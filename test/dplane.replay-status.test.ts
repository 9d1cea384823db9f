// replayStatus() keeps its refreshed/stale counts as entries change: after any sequence of rows, sweeps and reconnects they equal a full walk of the tables.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FibStore } from '../ts/dplane/store';
import { EF, KeyTable } from '../ts/dplane/keytable';
import { ChangeKind } from '../ts/dplane/types';
import { BatchWriter } from './helpers/dplane-batch';
import { uniformSource as rng } from '../ts/gen/rng';

interface Counts {
  routes: number;
  nhgs: number;
  macs: number;
}

/** What replayStatus reports, by walking every route, MAC and nexthop object of the store. */
function walk(s: FibStore): { refreshed: Counts; stale: Counts } {
  const e = s.epochs.epoch;
  const refreshed = { routes: 0, nhgs: 0, macs: 0 };
  const stale = { routes: 0, nhgs: 0, macs: 0 };
  const count = (t: KeyTable, k: 'routes' | 'macs'): void => {
    for (let id = 0; id < t.hi; id++)
      if ((t.flags[id] & EF.Exists) !== 0) {
        if (t.epoch[id] === e) refreshed[k]++;
        else stale[k]++;
      }
  };
  for (const t of s.tables.rt) count(t, 'routes');
  count(s.tables.macs, 'macs');
  for (const n of s.groups.byId.values())
    if (n.present) {
      if (n.epoch === e) refreshed.nhgs++;
      else stale.nhgs++;
    }
  return { refreshed, stale };
}

function check(s: FibStore, what: string): void {
  const st = s.replayStatus();
  const w = walk(s);
  assert.equal({ refreshed: st.refreshed, stale: st.stale }, w, what);
  const c = s.counts();
  assert.is(st.refreshed.routes + st.stale.routes, c.routes, `${what}: routes`);
  assert.is(st.refreshed.macs + st.stale.macs, c.macs, `${what}: macs`);
}

for (const seed of [1, 2, 3, 4]) {
  test(`incremental refreshed/stale counts equal a full walk after random churn (seed ${seed})`, () => {
    const r = rng(seed);
    let now = 0;
    const s = new FibStore({ now: () => now, quietMs: 1000 });
    const w = new BatchWriter();
    const pick = (n: number): number => Math.floor(r() * n);
    const dst = (): string => (r() < 0.7 ? `10.${pick(4)}.${pick(40)}.0/24` : `2001:db8:${pick(40).toString(16)}::/48`);
    const mac = (): string => `02:00:00:00:00:${pick(30).toString(16).padStart(2, '0')}`;
    let steps = 0;
    for (let step = 0; step < 400; step++) {
      const op = r();
      if (op < 0.04) {
        s.connectionStart(now);
        check(s, `step ${step}: connectionStart`);
        continue;
      }
      if (op < 0.06) {
        s.endReplay(r() < 0.5 ? 'marker' : 'quiet-period', now);
        check(s, `step ${step}: endReplay`);
        continue;
      }
      if (op < 0.08) {
        now += 2000;
        s.tick(now);
        check(s, `step ${step}: tick`);
        continue;
      }
      if (op < 0.09) {
        s.connectionEnd();
        continue;
      }
      if (op < 0.12) {
        while (s.next() !== ChangeKind.None);
        check(s, `step ${step}: drain`);
        continue;
      }
      w.reset();
      const rows = 1 + pick(30);
      for (let k = 0; k < rows; k++) {
        const x = r();
        const table = r() < 0.8 ? 254 : 100 + pick(3);
        if (x < 0.35) w.route('new', { dst: dst(), table, nhId: 1 + pick(6) });
        else if (x < 0.5) w.route('new', { dst: dst(), table, gw: `10.99.0.${1 + pick(3)}`, oif: 2 });
        else if (x < 0.6) w.route('new', { dst: dst(), table, type: 6 });
        else if (x < 0.62) w.route('new', { label: 16 + pick(10), gw: '10.99.0.1', oif: 2, labels: [100 + pick(3)] });
        else if (x < 0.75) w.route('del', { dst: dst(), table });
        else if (x < 0.78) w.route('del', { label: 16 + pick(10) });
        else if (x < 0.85) w.nexthop('new', { id: 1 + pick(6), gw: `10.99.0.${1 + pick(3)}`, oif: 2 });
        else if (x < 0.87) w.nexthop('del', { id: 1 + pick(6) });
        else if (x < 0.95) w.neigh('new', { ifindex: 4, mac: mac(), dst: `10.99.31.${1 + pick(3)}` });
        else w.neigh('del', { ifindex: 4, mac: mac() });
      }
      s.ingest(w.batch, w.chunk);
      if (r() < 0.3) now += 10;
      check(s, `step ${step}: ${rows} rows`);
      steps++;
    }
    assert.ok(steps > 300);
    const st = s.replayStatus();
    assert.ok(st.epoch > 5, 'several connections');
    assert.ok(st.swept > 0 || s.counters.swept > 0, 'sweeps happened');
  });
}

test('counts stay right across the epoch wrap (more than 255 connections)', () => {
  const r = rng(9);
  const s = new FibStore();
  const w = new BatchWriter();
  for (let conn = 0; conn < 300; conn++) {
    s.connectionStart();
    w.reset();
    for (let k = 0; k < 8; k++) {
      const i = Math.floor(r() * 16);
      if (r() < 0.8) w.route('new', { dst: `10.2.${i}.0/24`, type: 6 });
      else w.route('del', { dst: `10.2.${i}.0/24` });
      if (r() < 0.3) w.neigh('new', { ifindex: 4, mac: `02:00:00:00:01:${i.toString(16).padStart(2, '0')}`, dst: '10.99.31.2' });
      if (r() < 0.3) w.nexthop('new', { id: 1 + (i & 3), gw: '10.99.0.1', oif: 2 });
    }
    s.ingest(w.batch, w.chunk);
    check(s, `connection ${conn}`);
    if (r() < 0.3) {
      s.endReplay('marker');
      check(s, `connection ${conn} swept`);
    }
  }
});

test('replayStatus does not walk the route table (it reads counters)', () => {
  const s = new FibStore();
  const w = new BatchWriter();
  w.reset();
  for (let i = 0; i < 200; i++) w.route('new', { dst: `10.1.${i}.0/24`, nhId: 1 });
  s.ingest(w.batch, w.chunk);
  s.connectionStart();
  w.reset();
  for (let i = 0; i < 50; i++) w.route('new', { dst: `10.1.${i}.0/24`, nhId: 1 });
  s.ingest(w.batch, w.chunk);
  // Entry flags hidden from any walk: the figures must still come out right.
  const rt = s.tables.rt[0];
  const saved = rt.flags.slice();
  rt.flags.fill(0);
  const st = s.replayStatus();
  rt.flags.set(saved);
  assert.equal(st.refreshed.routes, 50);
  assert.equal(st.stale.routes, 150);
});

test.run();

// Ingest (ts/dplane/ingest.ts): a message whose application throws is that message's failure only, counted and answered offload-failed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FibStore } from '../ts/dplane/store';
import { ChangeKind, Op, Target } from '../ts/dplane/types';
import { BatchWriter } from './helpers/dplane-batch';
import { FeedbackSender } from '../ts/fpm/feedback';
import { feedbackRoutes } from '../ts/daemon/daemon';
import { FpmStreamReader } from '../ts/codec/stream';
import { createDecoder } from '../ts/codec/decoder';
import { Kind } from '../ts/codec/layout';

const AF_INET = 2;
const RTM_F_OFFLOAD_FAILED = 0x20000000;

const v4 = (s: string) => Uint8Array.from(s.split('.').map(Number));

type RowFn = (b: unknown, chunk: Uint8Array, r: number) => void;

/**
 * Test seam: the store's ingest part gets an own-property `method` that throws for the rows
 * `fails` picks and otherwise runs the real one (only this instance changes shape).
 */
function failRows(s: FibStore, method: 'routeRow' | 'applyNexthop' | 'neighRow', fails: (r: number) => boolean): void {
  const part = s.rows as unknown as Record<string, RowFn>;
  const real = part[method];
  part[method] = function (this: unknown, b, chunk, r) {
    if (fails(r)) throw new RangeError(`forced failure of row ${r}`);
    return real.call(this, b, chunk, r);
  };
}

function drain(s: FibStore): string[] {
  const out: string[] = [];
  for (let k = s.next(); k !== ChangeKind.None; k = s.next()) {
    if (k === ChangeKind.Route) {
      const v = s.route;
      out.push(`${v.op === Op.Set ? 'set' : 'del'} ${v.addr.slice(0, 4).join('.')}/${v.len}`);
      s.routeResult(v.handle, true);
    } else if (k === ChangeKind.Nhg) out.push(`${s.nhg.op === Op.Set ? 'set' : 'del'} nhg ${s.nhg.id}`);
  }
  return out;
}

/** Offload notifications in `bytes`: "10.1.2.0/24" -> rtm_flags. */
function notifications(bytes: Uint8Array): Map<string, number> {
  const out = new Map<string, number>();
  new FpmStreamReader(createDecoder('ts')).push(bytes, (b, c) => {
    for (let i = 0; i < b.meta[0]; i++) {
      assert.is(b.kind[i], Kind.Route);
      out.set(`${Array.from(c.subarray(b.dstOff[i], b.dstOff[i] + 4)).join('.')}/${b.dstLen[i]}`, b.flags[i]);
    }
  });
  return out;
}

test('a route message that throws is counted and answered offload-failed; the rest of the batch is applied', () => {
  const s = new FibStore();
  s.connectionOpen();
  const w = new BatchWriter();
  w.route('new', { dst: '10.1.0.0/24', type: 6, protocol: 196 });
  w.route('new', { dst: '10.2.0.0/24', type: 6, protocol: 196 });
  w.route('new', { dst: '10.3.0.0/24', type: 6, protocol: 196 });
  s.ingest(w.batch, w.chunk); // the table and the first routes exist: a failure can name its route
  const fb = new FeedbackSender({ routes: feedbackRoutes(s), tickMs: 60_000, ratePerSec: 1_000_000 });
  const sent: Buffer[] = [];
  fb.attach({ closed: false, writableLength: 0, write: (d: Uint8Array) => (sent.push(Buffer.from(d)), true) });
  assert.equal(drain(s), ['set 10.1.0.0/24', 'set 10.2.0.0/24', 'set 10.3.0.0/24']);

  failRows(s, 'routeRow', (r) => r === 1);
  w.reset();
  w.route('new', { dst: '10.4.0.0/24', type: 6, protocol: 196 });
  w.route('new', { dst: '10.2.0.0/24', type: 7, protocol: 196 }); // throws
  w.route('new', { dst: '10.5.0.0/24', type: 6, protocol: 196 });
  assert.is(s.ingest(w.batch, w.chunk), 3);
  assert.is(s.counters.rowsFailed, 1);
  assert.is(s.counterValues().rowsFailed, 1, 'in the named counters the daemon puts in status');
  const f = s.lastRowFailure()!;
  assert.is(f.error, 'RangeError: forced failure of row 1');
  assert.equal([f.route!.table, Array.from(f.route!.addr).join('.'), f.route!.len], [254, '10.2.0.0', 24]);
  // The rows around it went in; the failed route is kept without a target.
  assert.is(s.lookup(AF_INET, 254, v4('10.4.0.0'), 24)!.target, Target.Blackhole);
  assert.is(s.lookup(AF_INET, 254, v4('10.5.0.0'), 24)!.target, Target.Blackhole);
  const h = s.routeHandle(AF_INET, 254, v4('10.2.0.0'), 24);
  assert.ok(h >= 0);
  assert.ok(s.routeRefused(h));
  const taken = s.takeRefused();
  assert.equal(taken.handles, [h]);
  assert.is(taken.failedLog, true);
  assert.is(taken.log, false, 'not a parking-bound refusal');
  assert.is(s.takeRefused().failedLog, false, 'logged once per burst');
  // What was programmed for it is withdrawn: the dataplane must not forward a version zebra replaced.
  assert.equal(drain(s), ['set 10.4.0.0/24', 'del 10.2.0.0/24', 'set 10.5.0.0/24']);
  // The daemon answers it through the feedback path (Daemon.onBatch: reportHandle(h, false)).
  for (const x of taken.handles) fb.reportHandle(x, false);
  assert.is(fb.tick(), 1);
  assert.equal([...notifications(Buffer.concat(sent))], [['10.2.0.0/24', RTM_F_OFFLOAD_FAILED]]);
  fb.close();

  // The next message for the key is applied as usual.
  w.reset();
  w.route('new', { dst: '10.2.0.0/24', type: 6, protocol: 196 });
  s.ingest(w.batch, w.chunk);
  assert.not.ok(s.routeRefused(h));
  assert.equal(drain(s), ['set 10.2.0.0/24']);
  assert.is(s.counters.rowsFailed, 1);
});

test('every failing message counts; a route whose key cannot be read is counted without an answer', () => {
  const s = new FibStore();
  s.connectionOpen();
  failRows(s, 'routeRow', () => true);
  const w = new BatchWriter();
  // Table 77 is new: the seam throws before the row names it, so there is no key to answer for.
  for (let i = 0; i < 40; i++) w.route('new', { dst: `10.9.${i}.0/24`, type: 6, protocol: 196, table: 77 });
  s.ingest(w.batch, w.chunk);
  assert.is(s.counters.rowsFailed, 40);
  assert.is(s.counts().routes, 0);
  assert.equal(s.takeRefused().handles, []);
  assert.is(s.lastRowFailure()!.route, null);
});

test('a nexthop message that throws leaves no deferred frees behind and the next one applies', () => {
  const s = new FibStore();
  s.connectionOpen();
  const w = new BatchWriter();
  w.nexthop('new', { id: 1, gw: '10.99.1.2', oif: 2 });
  w.nexthop('new', { id: 2, gw: '10.99.2.2', oif: 3 });
  w.nexthop('new', { id: 10, group: [[1, 1], [2, 1]] });
  w.route('new', { dst: '10.1.0.0/24', nhId: 10 });
  s.ingest(w.batch, w.chunk);
  assert.equal(drain(s), ['set nhg 10', 'set 10.1.0.0/24']);
  let fail = true;
  failRows(s, 'applyNexthop', () => fail);
  w.reset();
  w.nexthop('new', { id: 10, group: [[1, 1]] });
  s.ingest(w.batch, w.chunk);
  assert.is(s.counters.rowsFailed, 1);
  assert.is(s.groups.deferring, false);
  assert.equal(s.takeRefused().handles, [], 'no route to answer for');
  assert.equal(s.nhgById(10)!.members, [{ id: 1, weight: 1 }, { id: 2, weight: 1 }], 'unchanged');
  fail = false;
  s.ingest(w.batch, w.chunk);
  assert.equal(s.nhgById(10)!.members, [{ id: 1, weight: 1 }]);
  assert.equal(drain(s), ['set nhg 10']);
});

test('a neighbour message that throws is counted; the MACs around it are applied', () => {
  const s = new FibStore();
  s.connectionOpen();
  failRows(s, 'neighRow', (r) => r === 0);
  const w = new BatchWriter();
  w.neigh('new', { ifindex: 5, mac: '02:00:00:00:00:01', dst: '192.0.2.1' });
  w.neigh('new', { ifindex: 5, mac: '02:00:00:00:00:02', dst: '192.0.2.2' });
  s.ingest(w.batch, w.chunk);
  assert.is(s.counters.rowsFailed, 1);
  assert.equal([...s.macEntries()].map((m) => m.mac[5]), [2]);
});

test.run();

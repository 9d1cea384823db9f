// Measures the RSS a FibStore gains for N routes, each naming its own missing nexthop group
// ("missing") or all naming one present group ("present"). Run with node --expose-gc:
//   node --expose-gc dist/test/helpers/parked-rss.js missing 100000
// Prints one JSON line: { mode, routes, parked, rssBytes, perRoute, heapBytes, extBytes }.
import { FibStore } from '../../ts/dplane/store';
import { BatchWriter } from './dplane-batch';

const mode = process.argv[2] === 'present' ? 'present' : 'missing';
const n = Number(process.argv[3] ?? 100000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function settle(): NodeJS.MemoryUsage {
  for (let i = 0; i < 4; i++) gc!();
  return process.memoryUsage();
}

const addr = (i: number) => `${10 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}.0/24`;
const w = new BatchWriter();
function load(store: FibStore, count: number): void {
  w.reset();
  w.nexthop('new', { id: 1, gw: '10.255.0.1', oif: 2 });
  store.ingest(w.batch, w.chunk);
  for (let i = 0; i < count; ) {
    w.reset();
    for (let k = 0; k < 1000 && i < count; k++, i++) w.route('new', { dst: addr(i), nhId: mode === 'missing' ? 1000 + i : 1 });
    store.ingest(w.batch, w.chunk);
  }
}
// A first store of the same size, then dropped: the JIT, V8's heap spaces and malloc's arenas
// reach their working size, so what the second one adds is what it keeps.
let warm: FibStore | null = new FibStore({ capacity: { inet: 2 * n }, maxParked: 2 * n });
load(warm, n);
warm = null;
const m0 = settle();
const store = new FibStore({ capacity: { inet: 2 * n }, maxParked: 2 * n });
load(store, n);
const m1 = settle();
const p = store.parked();
const out = {
  mode,
  routes: store.counts().routes,
  parked: p.routesNhgMissing + p.routesNhgIncomplete,
  rssBytes: m1.rss - m0.rss,
  perRoute: (m1.rss - m0.rss) / n,
  heapBytes: m1.heapUsed - m0.heapUsed,
  extBytes: m1.external + m1.arrayBuffers - (m0.external + m0.arrayBuffers),
};
process.stdout.write(JSON.stringify(out) + '\n');

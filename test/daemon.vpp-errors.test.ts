// The daemon's VPP dataplane on programming errors: a failed connection setup and a failure while
// writing a change are told apart (their own log lines and counters), and the change still gets a result.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VppSimulator } from '../ts/vpp-sim';
import { FibStore } from '../ts/dplane/store';
import { createLogger } from '../ts/daemon/logger';
import { resolveConfig } from '../ts/daemon/config';
import { VppDataplane } from '../ts/daemon/vpp';
import type { RouteResult } from '../ts/daemon/dataplane';
import { BatchWriter } from './helpers/dplane-batch';

test('setup failure and pump failure: distinct log lines and counters; the failing route is reported failed', async () => {
  const sim = await VppSimulator.start({ seed: 101 });
  const cfg = resolveConfig(new Map<string, string | true>([['dataplane', 'vpp'], ['vpp-socket', sim.apiSocket]]), [], { exists: () => true });
  const store = new FibStore();
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ level: 'debug', format: 'json', write: (l) => void lines.push(JSON.parse(l)) });
  const results: RouteResult[] = [];
  const dp = new VppDataplane(store, (r) => results.push({ ...r, addr: r.addr.slice() }), log, cfg, { adopt: false });
  const p = dp.programmer;
  // Fault 1: the first private PIC table create throws (connection setup).
  const tableAdd = dp.client.ipTableAddDel.bind(dp.client);
  let tableFaults = 1;
  dp.client.ipTableAddDel = (...a: Parameters<typeof tableAdd>) => {
    if (tableFaults-- > 0) throw new Error('injected: table');
    return tableAdd(...a);
  };
  // Fault 2: writing 73.0.0.0/16 always throws (a change in the pump).
  const routeAdd = dp.client.ipRouteAddDel.bind(dp.client);
  dp.client.ipRouteAddDel = (...a: Parameters<typeof routeAdd>) => {
    const addr = a[5];
    if (addr[0] === 73 && addr[1] === 0) throw new Error('injected: route');
    return routeAdd(...a);
  };
  try {
    await dp.start();
    assert.is(p.counters.setupFailures, 1);
    assert.ok(lines.some((l) => l.msg === 'VPP setup failed: retrying on the next connection' && l.error === 'injected: table'));
    // The next connection sets up.
    const ready = new Promise((r) => p.once('ready', r));
    dp.client.dropConnection();
    await ready;
    const w = new BatchWriter();
    w.reset();
    w.nexthop('new', { id: 7, gw: '10.0.1.1', oif: 2 });
    w.route('new', { dst: '73.0.0.0/16', nhId: 7 });
    w.route('new', { dst: '73.1.0.0/16', nhId: 7 });
    store.ingest(w.batch, w.chunk);
    dp.kick();
    const deadline = Date.now() + 10_000;
    const resultFor = (b: number) => results.find((r) => r.addr[0] === 73 && r.addr[1] === b);
    while (!resultFor(0) || !resultFor(1)) {
      assert.ok(Date.now() < deadline, `results: ${JSON.stringify(results.map((r) => [[...r.addr.slice(0, 4)].join('.'), r.ok]))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.is(resultFor(0)!.ok, false, 'the route whose write throws is reported failed');
    assert.is(resultFor(1)!.ok, true, 'the route after it is programmed');
    assert.ok(p.counters.pumpFailures >= 5, `1 try + 4 retries counted: ${p.counters.pumpFailures}`);
    assert.is(p.counters.setupFailures, 1, 'a pump failure is not a setup failure');
    const pumpLines = lines.filter((l) => l.msg === 'VPP programming failed: the change is retried, then reported failed');
    assert.is(pumpLines.length, 1, 'one line per 10 s');
    assert.is(pumpLines[0].error, 'injected: route');
    assert.is(pumpLines[0].level, 'error');
    assert.is(lines.filter((l) => /VPP setup failed/.test(String(l.msg))).length, 1);
    assert.is(dp.status().counters.pumpFailures, p.counters.pumpFailures);
  } finally {
    await dp.close();
    await sim.stop();
  }
});

test.run();

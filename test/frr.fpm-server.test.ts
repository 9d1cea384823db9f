// fibpush's FPM server and feedback against a real zebra: the stream it decodes (native decoder)
// is zebra's FIB, offload frames reach zebra, and a dropped connection comes back as a new epoch.
import { test as uvuTest } from 'uvu';
import * as assert from 'uvu/assert';
import { FrrLab, waitFor, BUFFER_FULL_KEY } from '../ts/frr-lab/harness';
import { FrrGate } from './frr/gate';
import { FpmFib } from '../ts/frr-lab/fib';
import { DropReason, FpmConnection, FpmServer } from '../ts/fpm/server';
import { FeedbackSender } from '../ts/fpm/feedback';
import { Kind } from '../ts/codec/layout';

const RTM_NEWROUTE = 24;
const gate = new FrrGate('frr.fpm-server');
const test = gate.guard(uvuTest);
let lab: FrrLab | null = null;
let server: FpmServer | null = null;
const fb = new FeedbackSender({ ratePerSec: 50000 });
/** One FIB per epoch, built from the server's batches. */
const fibs: FpmFib[] = [];
const ends: { epoch: number; reason: DropReason }[] = [];
const logs: string[] = [];

test.before(async () => {
  if (!gate.available) return;
  try {
    lab = await FrrLab.create({ links: 2 });
    const log = (lvl: string) => (m: string, f?: object) => logs.push(`${lvl} ${m} ${JSON.stringify(f ?? {})}`);
    server = new FpmServer(
      { handle: await lab.listenFpm(), decoder: 'native', logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } },
      {
        connect(c: FpmConnection) {
          fibs[c.epoch - 1] = new FpmFib();
          fb.attach(c);
        },
        batch(b, chunk, c) {
          fibs[c.epoch - 1].apply(b, chunk);
          // Report every installed route as offloaded, as a dataplane would after programming it.
          for (let i = 0; i < b.meta[0]; i++) {
            if (b.kind[i] !== Kind.Route || b.msgType[i] !== RTM_NEWROUTE || b.err[i]) continue;
            fb.report(b.family[i], b.table[i], chunk.subarray(b.dstOff[i], b.dstOff[i] + b.dstAttrLen[i]), b.dstLen[i], b.protocol[i], true, b.rtype[i]);
          }
        },
        disconnect(c, reason) {
          ends.push({ epoch: c.epoch, reason });
          fb.detach();
        },
      },
    );
    await server.listen();
    await lab.startZebra();
    await lab.startStaticd();
    await waitFor('zebra to connect to the FPM server', () => server!.connection !== null, 20000);
  } catch (e) {
    gate.fail(e);
  }
});

test.after(async () => {
  fb.close();
  await server?.close();
  await lab?.destroy();
});

test('zebra streams into FpmServer; the decoded FIB equals zebra\'s and offload frames reach zebra', async () => {
  if (!gate.check() || !lab || !server) return;
  await lab.configure(
    'ip route 10.99.100.0/24 10.99.1.2',
    'ip route 10.99.101.0/24 10.99.1.2',
    'ip route 10.99.101.0/24 10.99.2.2',
    'ip route 10.99.102.0/24 blackhole',
    'ip route 10.99.111.0/24 10.99.2.2 table 100',
    'ipv6 route fd00:99:101::/64 fd00:99:1::2',
    'ipv6 route fd00:99:101::/64 fd00:99:2::2',
  );
  const f = fibs[0];
  await waitFor('statics on the stream', () => f.routes.has('100 10.99.111.0/24') && f.routes.has('254 fd00:99:101::/64'), 15000);
  await lab.waitFibMatch(() => f.fib().fib);
  assert.equal(f.fib().unresolved, []);
  assert.is(server.counters.badRows, 0);
  await waitFor('feedback drained', () => fb.queued === 0 && fb.counters.sent > 0, 10000);
  await waitFor('zebra read every feedback byte', async () => (await lab!.fpmCounters())['bytes-read'] === fb.counters.bytes, 10000);
  const fc = await lab.fpmCounters();
  assert.is(fc['bytes-sent'], server.counters.bytes);
  assert.is(fc[BUFFER_FULL_KEY], 0);
  assert.is(fc['connection-closes'], 0, 'zebra kept the connection while reading feedback');
  assert.ok(fb.counters.sent >= f.routes.size, `${fb.counters.sent} notifications for ${f.routes.size} routes`);
});

test('a dropped connection: zebra reconnects as epoch 2 and replays the main table', async () => {
  if (!gate.check() || !lab || !server) return;
  server.drop('shutdown', 'test');
  await waitFor('epoch 2', () => server!.connection?.epoch === 2, 20000);
  assert.equal(ends, [{ epoch: 1, reason: 'shutdown' }]);
  const f2 = () => fibs[1];
  const z = await lab.fib();
  const main = [...z.values()].filter((r) => r.table === 254);
  await waitFor('the replay', () => f2().routes.size === main.length, 20000);
  const { fib, unresolved } = f2().fib();
  assert.equal(unresolved, []);
  for (const r of main) assert.equal(fib.get(`254 ${r.prefix}`), r, r.prefix);
  assert.not.ok(fib.has('100 10.99.111.0/24'), 'zebra 8.4.4 does not replay non-main tables');
  assert.is(server.counters.connections, 2);
  assert.ok(logs.some((l) => l.includes('zebra connected over FPM') && l.includes('"epoch":2')));
  assert.is((await lab.fpmCounters())[BUFFER_FULL_KEY], 0);
});

test.run();

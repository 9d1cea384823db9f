// The operations surface on its own: logger lines, metrics exposition over HTTP, the control socket, the progress line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { createLogger } from '../ts/daemon/logger';
import { Registry, serveMetrics } from '../ts/daemon/metrics';
import { controlRequest, serveControl } from '../ts/daemon/control';
import { fmtCount, ProgressLine, progressText } from '../ts/daemon/progress';
import { formatAddr, parseAddr, parsePrefix } from '../ts/addr';

/** The terminal's escape character, which the progress line's control sequences start with. */
const ESC = '\x1b';

async function rejects(p: Promise<unknown>, re: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected a rejection matching ${re}`);
}

function get(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
      })
      .on('error', reject);
  });
}

test('logger: json and logfmt lines, level filter, child fields', () => {
  const lines: string[] = [];
  const now = () => new Date(0);
  const j = createLogger({ level: 'info', format: 'json', write: (l) => lines.push(l), now });
  j.debug('hidden');
  j.child({ component: 'fpm' }).warn('bad frame', { code: 'FPM_BAD_VERSION', offset: 12 });
  assert.is(lines.length, 1);
  assert.equal(JSON.parse(lines[0]), {
    ts: '1970-01-01T00:00:00.000Z',
    level: 'warn',
    msg: 'bad frame',
    component: 'fpm',
    code: 'FPM_BAD_VERSION',
    offset: 12,
  });
  const l = createLogger({ level: 'debug', format: 'logfmt', write: (x) => lines.push(x), now });
  l.debug('zebra connected', { peer: '127.0.0.1:4000', note: 'a "b" c', n: 3 });
  assert.is(lines[1], 'ts=1970-01-01T00:00:00.000Z level=debug msg="zebra connected" peer=127.0.0.1:4000 note="a \\"b\\" c" n=3\n');
});

test('metrics: exposition format over HTTP, values read at scrape time', async () => {
  const reg = new Registry();
  let bytes = 10;
  reg.counter('fibpush_fpm_bytes_total', 'Bytes read from zebra.', () => bytes);
  reg.gauge('fibpush_routes', 'Routes by table.', () => [
    [{ table: 'inet:254' }, 3],
    [{ table: 'inet6:254' }, 1],
  ]);
  const h = reg.histogram('fibpush_batch_rows', 'Rows per decoded batch.', [1, 10, 100]);
  h.observe(1);
  h.observe(50);
  h.observe(1000);
  assert.throws(() => reg.gauge('fibpush_routes', 'again', () => 0), /registered twice/);
  const srv = await serveMetrics(reg, '127.0.0.1', 0);
  try {
    bytes = 42;
    const r = await get(`http://127.0.0.1:${srv.address.port}/metrics`);
    assert.is(r.status, 200);
    assert.match(r.type, /text\/plain; version=0\.0\.4/);
    const want = [
      '# HELP fibpush_fpm_bytes_total Bytes read from zebra.',
      '# TYPE fibpush_fpm_bytes_total counter',
      'fibpush_fpm_bytes_total 42',
      '# TYPE fibpush_routes gauge',
      'fibpush_routes{table="inet:254"} 3',
      'fibpush_routes{table="inet6:254"} 1',
      '# TYPE fibpush_batch_rows histogram',
      'fibpush_batch_rows_bucket{le="1"} 1',
      'fibpush_batch_rows_bucket{le="10"} 1',
      'fibpush_batch_rows_bucket{le="100"} 2',
      'fibpush_batch_rows_bucket{le="+Inf"} 3',
      'fibpush_batch_rows_sum 1051',
      'fibpush_batch_rows_count 3',
    ];
    for (const w of want) assert.ok(r.body.split('\n').includes(w), `missing line: ${w}\n${r.body}`);
    assert.is((await get(`http://127.0.0.1:${srv.address.port}/`)).status, 404);
  } finally {
    await srv.close();
  }
});

test('metrics: a snapshot read by several metrics is built once per scrape, and again at the next', () => {
  const r = new Registry();
  let builds = 0;
  const snap = r.perRender(() => ({ a: ++builds * 10, b: builds * 100 }));
  r.gauge('x_a', 'a', () => snap().a);
  r.gauge('x_b', 'b', () => snap().b);
  assert.match(r.render(), /x_a 10\n[^]*x_b 100\n/);
  assert.is(builds, 1);
  assert.match(r.render(), /x_a 20\n[^]*x_b 200\n/);
  assert.is(builds, 2);
});

test('fmtCount: thousands separated as en-US writes them, rounded, signed', () => {
  for (const n of [0, 7, 999, 999.6, 1000, 12_345, 123_456, 1_234_567, 1_230_000.4, -5, -1_234_567, 4_294_967_296]) {
    assert.is(fmtCount(n), Math.round(n).toLocaleString('en-US'), String(n));
  }
  assert.is(fmtCount(NaN), 'NaN');
});

test('control socket: requests answered in order, errors named, stale socket replaced, live one refused', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-ctl-'));
  const sock = path.join(dir, 'sub', 'control.sock');
  let calls = 0;
  const srv = await serveControl(sock, {
    status: () => ({ calls: ++calls }),
    slow: async (r) => {
      await new Promise((res) => setTimeout(res, 20));
      return { echo: r.x };
    },
    boom: () => {
      throw new Error('exploded');
    },
  });
  try {
    assert.equal(await controlRequest(sock, { cmd: 'status' }), { calls: 1 });
    assert.equal(await controlRequest(sock, { cmd: 'slow', x: 5 }), { echo: 5 });
    await rejects(controlRequest(sock, { cmd: 'nope' }), /unknown command "nope" \(known: status, slow, boom\)/);
    await rejects(controlRequest(sock, { cmd: 'boom' }), /exploded/);
    await rejects(serveControl(sock, {}), /in use by a running fibpush/);
  } finally {
    await srv.close();
  }
  assert.not.ok(fs.existsSync(sock), 'socket removed on close');
  await rejects(controlRequest(sock, { cmd: 'status' }), /cannot reach the control socket .*ENOENT/);
  // A socket file left behind by a killed process is replaced.
  const cp = await import('child_process');
  const child = cp.spawn(process.execPath, [
    '-e',
    `require('net').createServer().listen(${JSON.stringify(sock)}, () => console.log('up'))`,
  ]);
  await new Promise<void>((r) => child.stdout.once('data', () => r()));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  assert.ok(fs.existsSync(sock), 'a killed listener leaves its socket file');
  const again = await serveControl(sock, { status: () => 'ok' });
  assert.is(await controlRequest(sock, { cmd: 'status' }), 'ok');
  await again.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('progress: text carries received, programmed, rate and ETA; log lines step around it', () => {
  assert.is(
    progressText({ received: 200000, programmed: 50000, replayEnded: true }, 50000),
    'sync: received 200,000 routes, programmed 50,000 (25%), 50.0k/s, ETA 3.0s',
  );
  assert.match(progressText({ received: 10, programmed: 0, replayEnded: false }, 0), /received 10\+ routes.*ETA \?/);
  const out: string[] = [];
  let t = 0;
  const sample = { received: 100, programmed: 0, replayEnded: false };
  const p = new ProgressLine({ write: (s) => (out.push(s), true), isTTY: true, columns: 200 }, true, 1e6, () => t);
  p.start(() => sample);
  assert.match(out[out.length - 1], new RegExp(`^\r${ESC}\\[Ksync: received 100\\+ routes, programmed 0 \\(0%\\)`));
  t = 1000;
  sample.programmed = 60;
  p.redraw();
  assert.match(out[out.length - 1], /programmed 60 \(60%\), 60\/s, ETA 0\.7s/);
  p.writeAbove('log line\n');
  assert.match(out[out.length - 1], new RegExp(`^\r${ESC}\\[Klog line\nsync: `));
  p.stop('synced');
  assert.equal(out.slice(-2), ['\r\x1b[K', 'synced\n']);
  const off: string[] = [];
  const q = new ProgressLine({ write: (s) => (off.push(s), true), isTTY: false }, false);
  q.start(() => sample);
  q.writeAbove('x\n');
  q.stop('done');
  assert.equal(off, ['x\n']);
});

test('addresses: parse and format round trip', () => {
  for (const s of ['10.1.2.3', '2001:db8::1', '::', '::1', 'fe80::1:0:0:1', '2001:db8:0:1:1:1:1:1']) {
    const a = parseAddr(s)!;
    assert.is(formatAddr(a.family, a.bytes), s);
  }
  // IPv4-mapped addresses print as inet_ntop (and zebra's JSON) print them
  assert.is(formatAddr(6, parseAddr('::ffff:10.0.0.1')!.bytes), '::ffff:10.0.0.1');
  assert.is(formatAddr(6, parseAddr('2001:0db8:0000:0000:0001:0000:0000:0001')!.bytes), '2001:db8::1:0:0:1');
  assert.is(parseAddr('10.1.2'), null);
  assert.equal(parsePrefix('10.0.0.0/8'), { family: 4, bytes: Uint8Array.of(10, 0, 0, 0), len: 8 });
  assert.is(parsePrefix('10.0.0.0/33'), null);
});

test.run();

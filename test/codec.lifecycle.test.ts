// The native addon's lifecycle, after classic-level's tests of its own (worker-test.js,
// env-cleanup-hook-test.js): the addon loaded into worker threads decodes as the main thread
// does; environments that load it come and go (in sequence, several at once, terminated in the
// middle of a decode, exiting with decoders still bound) without a crash or growing memory; and
// memory taken away from it (an ArrayBuffer transferred with postMessage or structuredClone) is
// refused by name at every entry point that takes a buffer, never read or written.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fork } from 'child_process';
import * as path from 'path';
import { MessageChannel, Worker } from 'worker_threads';
import { createDecoder, DecoderImpl } from '../ts/codec/decoder';
import { FpmStreamReader } from '../ts/codec/stream';
import { createBatch, Meta } from '../ts/codec/layout';
import { loadBinding, nativeAvailable } from '../ts/native/binding';
import { captureDigest, JOB_ENV, WorkerJob } from './helpers/codec-worker';
import { fixtureNames, readFixture } from './helpers/fixtures';
import { gateSuite } from './helpers/skip';

const native = nativeAvailable();
const run = gateSuite(test, native ? null : 'the native addon is not built (npm run build)', 'ci-installs');

const WORKER = path.join(__dirname, 'helpers', 'codec-worker.js');

interface Ended {
  message: string | undefined;
  code: number;
}

/**
 * Runs one job in a worker thread. `terminateAfter` ends it with terminate() that many ms after
 * its first message (a running decode loop, or a worker holding bound decoders).
 */
function inWorker(job: WorkerJob, terminateAfter?: number): Promise<Ended> {
  const w = new Worker(WORKER, { workerData: job });
  let message: string | undefined;
  return new Promise((resolve, reject) => {
    w.on('message', (m: string) => {
      if (message === undefined && terminateAfter !== undefined) setTimeout(() => void w.terminate(), terminateAfter);
      message ??= m;
    });
    w.once('error', reject);
    w.once('exit', (code) => resolve({ message, code }));
  });
}

/** Runs one job in a child process (a whole Node.js environment, torn down at exit). */
function inChild(job: WorkerJob): Promise<{ message: string | undefined; code: number | null; signal: NodeJS.Signals | null }> {
  const c = fork(WORKER, [], { env: { ...process.env, [JOB_ENV]: JSON.stringify(job) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let message: string | undefined;
  return new Promise((resolve, reject) => {
    c.on('message', (m: unknown) => {
      message ??= typeof m === 'string' ? m : JSON.stringify(m);
      c.disconnect(); // nothing else keeps the child's loop alive: it exits with its decoders bound
    });
    c.once('error', reject);
    c.once('exit', (code, signal) => resolve({ message, code, signal }));
  });
}

const MiB = 1024 * 1024;

let mainDigest = '';
function digest(): string {
  return (mainDigest ||= captureDigest());
}

run('a worker thread decodes every frr-8.4 capture into the same bytes as the main thread', async () => {
  const here = digest();
  assert.is(here.split('\n').length, fixtureNames().length);
  assert.ok(fixtureNames().length >= 30, 'the frr-8.4 captures are there');
  const r = await inWorker({ job: 'digest' });
  assert.is(r.code, 0);
  assert.is(r.message, here);
});

run('20 environments load, decode and unload the addon in sequence, then 4 at a time: no crash, RSS bounded', async () => {
  const here = digest();
  // Warm up first: the first workers grow the heap, code space and malloc arenas to their
  // working size; what is measured is what every later environment leaves behind.
  for (let i = 0; i < 3; i++) assert.is((await inWorker({ job: 'digest' })).message, here);
  const before = process.memoryUsage().rss;
  for (let i = 0; i < 20; i++) {
    // Every other one is terminated from outside right after it answers rather than left to exit.
    const r = await inWorker({ job: 'digest' }, i % 2 ? 0 : undefined);
    assert.is(r.message, here, `worker ${i}`);
    assert.ok(r.code === 0 || (i % 2 === 1 && r.code === 1), `worker ${i} exit code ${r.code}`);
  }
  for (let round = 0; round < 3; round++) {
    const rs = await Promise.all([0, 1, 2, 3].map(() => inWorker({ job: 'digest' })));
    for (const r of rs) {
      assert.is(r.code, 0);
      assert.is(r.message, here);
    }
  }
  const grown = (process.memoryUsage().rss - before) / MiB;
  if (process.env.FIBPUSH_TEST_VERBOSE) console.log(`RSS grew ${grown.toFixed(1)} MiB over 32 worker environments`);
  // Each worker decodes every capture into a fresh 1.5 MiB batch (31 of them, ~46 MiB): an
  // environment whose batches outlived it would add that much per worker, 1.5 GiB over these 32.
  // What stays is the main thread's malloc arenas and code caches: 7 to 100 MiB here, the most
  // on a loaded box. The bound is a quarter of what leaked environments would add.
  assert.ok(grown < 368, `RSS grew ${grown.toFixed(1)} MiB over 32 worker environments`);
  // The main thread's own decoders were untouched by their siblings' teardown.
  assert.is(captureDigest(), here);
});

run('environments terminated in the middle of a decode loop end cleanly, in sequence and 3 at once', async () => {
  for (let i = 0; i < 5; i++) {
    const r = await inWorker({ job: 'spin' }, 5 * i);
    assert.is(r.message, 'ready');
    assert.is(r.code, 1, 'terminate() ends a running worker with exit code 1');
  }
  const rs = await Promise.all([0, 1, 2].map((i) => inWorker({ job: 'spin' }, 10 * i)));
  for (const r of rs) assert.equal([r.message, r.code], ['ready', 1]);
  assert.is(captureDigest(), digest());
});

// env-cleanup-hook-test.js's stages: the environment ends with nothing bound, one decoder, many.
for (const decoders of [0, 1, 16]) {
  run(`a worker thread and a process exit with ${decoders} decoder(s) still bound: exit code 0, no signal`, async () => {
    const w = await inWorker({ job: 'hold', decoders });
    assert.equal([w.message, w.code], ['ready', 0]);
    const c = await inChild({ job: 'hold', decoders });
    assert.equal([c.message, c.code, c.signal], ['ready', 0, null]);
  });
}

/** Takes `buf` away from this thread, as a postMessage with a transfer list does. */
function transferAway(buf: ArrayBuffer, how: 'structuredClone' | 'postMessage'): void {
  if (how === 'structuredClone') {
    structuredClone(buf, { transfer: [buf] });
  } else {
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(buf, [buf]);
    port1.close();
    port2.close();
  }
  assert.is(buf.byteLength, 0, 'the ArrayBuffer is detached');
}

const capture = (): Buffer => readFixture(fixtureNames()[0]);
const HOWS = ['structuredClone', 'postMessage'] as const;

for (const how of HOWS) {
  run(`Decoder(): a batch buffer, offsets, capacities or meta transferred away (${how}) is refused by name`, () => {
    const { Decoder } = loadBinding();
    const args = () => {
      const b = createBatch();
      return [b.buffer, b.offsets.slice(), Uint32Array.of(b.cap.rows, b.cap.paths, b.cap.groups, b.cap.labels), b.meta] as const;
    };
    const ok = args();
    new Decoder(...ok).decode(capture(), 0, 0); // the arguments as given bind
    for (const [i, name] of ['buffer', 'offsets', 'capacities', 'meta'].entries()) {
      const a = args();
      const target = i === 0 ? a[0] : (a[i] as Uint32Array | Int32Array).buffer as ArrayBuffer;
      transferAway(target, how);
      assert.throws(() => new Decoder(...a), (e: Error) => e instanceof TypeError && e.message.startsWith(`Decoder: ${name}'s ArrayBuffer was transferred (detached)`), name);
    }
    // Through createDecoder too: a batch whose memory is gone cannot be bound.
    const b = createBatch();
    transferAway(b.buffer, how);
    assert.throws(() => createDecoder('native', b), /Decoder: buffer's ArrayBuffer was transferred/);
  });
}

for (const impl of ['native', 'ts'] as DecoderImpl[]) {
  for (const how of HOWS) {
    run(`${impl} decode(): a bound batch or meta transferred away (${how}) is refused, not written into`, () => {
      const b = capture();
      const d = createDecoder(impl);
      d.decode(b, 0, b.length);
      const rows = d.batch.meta[Meta.Rows];
      assert.ok(rows > 0);
      transferAway(d.batch.buffer, how);
      assert.throws(() => d.decode(b, 0, b.length), /batch's memory is gone: its ArrayBuffer was transferred \(detached\)/);
      assert.is(d.batch.meta[Meta.Rows], rows, 'meta left as the last decode wrote it');

      const m = createDecoder(impl);
      m.decode(b, 0, b.length);
      transferAway(m.batch.meta.buffer as ArrayBuffer, how);
      assert.throws(() => m.decode(b, 0, b.length), /batch's memory is gone: the meta array's buffer was transferred \(detached\)/);
      // And through the stream reader that owns a decoder.
      const r = new FpmStreamReader(createDecoder(impl));
      transferAway(r.decoder.batch.buffer, how);
      assert.throws(() => r.push(b, () => assert.unreachable('no batch')), /batch's memory is gone/);
    });

    run(`${impl} decode(): a chunk transferred away (${how}) is refused by name, even for an empty range`, () => {
      const d = createDecoder(impl);
      const c = new Uint8Array(capture());
      const n = c.length;
      transferAway(c.buffer, how);
      assert.throws(() => d.decode(c, 0, n), /decode: the chunk's ArrayBuffer was transferred \(detached\)/);
      assert.throws(() => d.decode(c, 0, 0), /decode: the chunk's ArrayBuffer was transferred \(detached\)/);
      assert.is(d.batch.meta[Meta.Rows], 0, 'nothing decoded');
      const r = new FpmStreamReader(createDecoder(impl));
      assert.throws(() => r.push(c, () => assert.unreachable('no batch')), /the chunk's ArrayBuffer was transferred/);
    });
  }
}

run('native decode(): a resizable batch buffer shrunk after binding is refused', () => {
  const b = createBatch();
  type Resizable = ArrayBuffer & { resize(n: number): void };
  const Ctor = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => Resizable;
  const buf = new Ctor(b.buffer.byteLength, { maxByteLength: b.buffer.byteLength });
  const { Decoder } = loadBinding();
  const meta = new Int32Array(Meta.Size);
  const h = new Decoder(buf, b.offsets, Uint32Array.of(b.cap.rows, b.cap.paths, b.cap.groups, b.cap.labels), meta);
  const c = capture();
  h.decode(c, 0, c.length);
  assert.ok(meta[Meta.Rows] > 0);
  buf.resize(64);
  assert.throws(() => h.decode(c, 0, c.length), /batch's memory is gone: its ArrayBuffer moved or changed size/);
});

test.run();

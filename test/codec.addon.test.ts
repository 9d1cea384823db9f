// The native addon's lifecycle: decoding in worker threads, many environments loading and unloading it, and memory taken away from it refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { createDecoder } from '../ts/codec/decoder';
import { Meta } from '../ts/codec/layout';
import { nativeAvailable } from '../ts/native/binding';
import { fixtureNames, readFixture } from './helpers/fixtures';
import { gateSuite } from './helpers/skip';

const native = nativeAvailable();
const run = gateSuite(test, native ? null : 'the native addon is not built (npm run build)', 'ci-installs');

/** Rows, frames and a checksum of the row kinds of every fixture, decoded here. */
function decodeAll(): string {
  const d = createDecoder('native');
  const out: string[] = [];
  for (const name of fixtureNames()) {
    const b = readFixture(name);
    d.decode(b, 0, b.length);
    const rows = d.batch.meta[Meta.Rows];
    let sum = 0;
    for (let i = 0; i < rows; i++) sum = (sum * 31 + d.batch.kind[i]) >>> 0;
    out.push(`${name}:${rows}:${d.batch.meta[Meta.Frames]}:${sum}`);
  }
  return out.join('\n');
}

/** The same, in a worker thread of its own (the addon loaded into another environment). */
function inWorker(): Promise<string> {
  const code = `
    const { parentPort, workerData } = require('worker_threads');
    const { createDecoder } = require(workerData.decoder);
    const { fixtureNames, readFixture } = require(workerData.fixtures);
    const d = createDecoder('native');
    const out = [];
    for (const name of fixtureNames()) {
      const b = readFixture(name);
      d.decode(b, 0, b.length);
      const rows = d.batch.meta[workerData.rows];
      let sum = 0;
      for (let i = 0; i < rows; i++) sum = (sum * 31 + d.batch.kind[i]) >>> 0;
      out.push(name + ':' + rows + ':' + d.batch.meta[workerData.frames] + ':' + sum);
    }
    parentPort.postMessage(out.join('\\n'));`;
  const dist = path.resolve(__dirname, '..');
  const w = new Worker(code, {
    eval: true,
    workerData: {
      decoder: path.join(dist, 'ts', 'codec', 'decoder.js'),
      rows: Meta.Rows,
      frames: Meta.Frames,
      fixtures: path.join(dist, 'test', 'helpers', 'fixtures.js'),
    },
  });
  return new Promise((resolve, reject) => {
    w.once('message', (m: string) => resolve(m));
    w.once('error', reject);
    w.once('exit', (c) => (c !== 0 ? reject(new Error(`worker exited with ${c}`)) : undefined));
  });
}

run('a worker thread decodes every capture exactly as the main thread does', async () => {
  const here = decodeAll();
  assert.ok(here.split('\n').length > 20);
  assert.is(await inWorker(), here);
});

run('many environments load and unload the addon, two at a time, and all agree', async () => {
  const here = decodeAll();
  for (let i = 0; i < 4; i++) {
    const [a, b] = await Promise.all([inWorker(), inWorker()]);
    assert.is(a, here);
    assert.is(b, here);
  }
  // The main thread's decoder still works after its siblings' environments were torn down.
  assert.is(decodeAll(), here);
});

run('a batch whose memory was transferred away is refused, not written into', () => {
  const d = createDecoder('native');
  const b = readFixture(fixtureNames()[0]);
  d.decode(b, 0, b.length);
  structuredClone(d.batch.buffer, { transfer: [d.batch.buffer] });
  assert.is(d.batch.buffer.byteLength, 0, 'detached');
  assert.throws(() => d.decode(b, 0, b.length), /batch's memory is gone: its ArrayBuffer was transferred/);
});

run('a chunk that was transferred away decodes nothing: its range is refused', () => {
  const d = createDecoder('native');
  const b = new Uint8Array(readFixture(fixtureNames()[0]));
  const n = b.length;
  structuredClone(b.buffer, { transfer: [b.buffer] });
  assert.throws(() => d.decode(b, 0, n), /bad range/);
  d.decode(b, 0, 0);
  assert.is(d.batch.meta[Meta.Rows], 0);
});

test.run();

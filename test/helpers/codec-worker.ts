// A worker thread (or child process) that loads the native addon into an environment of its own:
// test/codec.lifecycle.test.ts starts it to decode, to be terminated while decoding, or to exit
// with live decoders (classic-level's env-cleanup-hook pattern: each stage must end cleanly).
import { createHash } from 'crypto';
import { isMainThread, parentPort, workerData } from 'worker_threads';
import { createDecoder, Decoder } from '../../ts/codec/decoder';
import { createBatch, Meta } from '../../ts/codec/layout';
import { fixtureNames, readFixture } from './fixtures';

export type WorkerJob =
  /** Decode every frr-8.4 capture; post the digest (captureDigest). */
  | { job: 'digest' }
  /** Post 'ready', then decode captures until terminated. */
  | { job: 'spin' }
  /** Bind `decoders` decoders, decode into them, post 'ready' and return with them still live. */
  | { job: 'hold'; decoders: number };

/**
 * One line per capture: name, and a SHA-256 of the whole batch (every column's bytes, so a stale
 * or misplaced write shows) and its meta after decoding the capture into a fresh batch.
 */
export function captureDigest(): string {
  const out: string[] = [];
  for (const name of fixtureNames()) {
    const d = createDecoder('native', createBatch());
    const b = readFixture(name);
    d.decode(b, 0, b.length);
    const h = createHash('sha256');
    h.update(new Uint8Array(d.batch.buffer));
    h.update(new Uint8Array(d.batch.meta.buffer, d.batch.meta.byteOffset, d.batch.meta.byteLength));
    out.push(`${name} ${h.digest('hex')}`);
  }
  return out.join('\n');
}

function decodeOnce(d: Decoder, names: string[], bufs: Buffer[]): number {
  let rows = 0;
  for (let i = 0; i < names.length; i++) {
    d.decode(bufs[i], 0, bufs[i].length);
    rows += d.batch.meta[Meta.Rows];
  }
  return rows;
}

function post(msg: string): void {
  if (parentPort) parentPort.postMessage(msg);
  else if (process.send) process.send(msg);
}

function main(w: WorkerJob): void {
  const names = fixtureNames();
  const bufs = names.map((n) => readFixture(n));
  switch (w.job) {
    case 'digest':
      post(captureDigest());
      return;
    case 'spin': {
      const d = createDecoder('native');
      decodeOnce(d, names, bufs);
      post('ready');
      // Synchronous on purpose: terminate() must stop the environment inside a decode loop.
      for (;;) decodeOnce(d, names, bufs);
    }
    case 'hold': {
      const held: Decoder[] = [];
      for (let i = 0; i < w.decoders; i++) {
        const d = createDecoder('native');
        decodeOnce(d, names, bufs);
        held.push(d);
      }
      (globalThis as { fibpushHeld?: Decoder[] }).fibpushHeld = held;
      post('ready');
      return;
    }
  }
}

/** Set (to a WorkerJob as JSON) in the environment of a child process that runs this file. */
export const JOB_ENV = 'FIBPUSH_CODEC_WORKER_JOB';

if (!isMainThread) main(workerData as WorkerJob);
else if (process.send && process.env[JOB_ENV]) main(JSON.parse(process.env[JOB_ENV]) as WorkerJob);

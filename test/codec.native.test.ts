// The native addon: loads, agrees with layout.ts, stops at capacity and resumes, honours ranges.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as path from 'path';
import { FIXTURE_DIR } from './helpers/fixtures';
import * as os from 'os';
import { ALL_COLUMN_NAMES, Batch, createBatch, Meta, ROW_COLUMNS } from '../ts/codec/layout';
import { createDecoder } from '../ts/codec/decoder';
import { loadBinding } from '../ts/native/binding';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = FIXTURE_DIR;
const load = (f: string): Buffer => fs.readFileSync(path.join(FIXTURES, f));

test('the addon loads and reports the layout of layout.ts', () => {
  const b = loadBinding();
  assert.equal(b.columnNames(), [...ALL_COLUMN_NAMES]);
  const batch = createBatch();
  const sizes = ALL_COLUMN_NAMES.map((n) => (batch as unknown as Record<string, ArrayBufferView & { BYTES_PER_ELEMENT: number }>)[n].BYTES_PER_ELEMENT);
  assert.equal(b.columnSizes(), sizes);
  assert.is(b.metaSize, Meta.Size);
});

test('a missing addon gives an error that says how to fix it', () => {
  // binding.js finds the addon relative to itself: a copy in a tree without build/ has none.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-binding-'));
  try {
    const dir = path.join(tmp, 'dist', 'ts', 'native');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'dist', 'ts', 'native', 'binding.js'), path.join(dir, 'binding.js'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a copy of the module at a path known at run time
    const copy = require(path.join(dir, 'binding.js')) as typeof import('../ts/native/binding');
    assert.is(copy.nativeAvailable(), false);
    assert.throws(() => copy.loadBinding(), (e: unknown) => {
      const m = (e as Error).message;
      return /Possible solutions:/.test(m) && /npm install/.test(m) && /npm run build/.test(m) && /g\+\+/.test(m) && m.includes(tmp);
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('binding a batch that does not match the layout is refused', () => {
  const { Decoder } = loadBinding();
  const batch = createBatch();
  const caps = Uint32Array.of(batch.cap.rows, batch.cap.paths, batch.cap.groups, batch.cap.labels);
  assert.throws(() => new Decoder(batch.buffer, batch.offsets.subarray(1), caps, batch.meta), /column count/);
  // the label column is the last one: a bigger capacity would run past the ArrayBuffer
  const small = Uint32Array.of(batch.cap.rows, batch.cap.paths, batch.cap.groups, batch.cap.labels + 2);
  assert.throws(() => new Decoder(batch.buffer, batch.offsets, small, batch.meta), /outside the buffer/);
  const odd = Uint32Array.from(batch.offsets);
  odd[3] += 1; // seq is u32
  assert.throws(() => new Decoder(batch.buffer, odd, caps, batch.meta), /misaligned/);
  assert.throws(() => new Decoder(batch.buffer, batch.offsets, Uint32Array.of(1, 1, 1, 1), batch.meta), /minimums/);
  assert.throws(() => new Decoder(batch.buffer, batch.offsets, caps, new Int32Array(2)), /meta/);
});

test('bad decode arguments throw instead of reading out of bounds', () => {
  const d = createDecoder('native');
  const c = load('static-nhg-add.bin');
  assert.throws(() => d.decode(c, 0, c.length + 1), RangeError);
  assert.throws(() => d.decode(c, 10, 5), RangeError);
  assert.throws(() => d.decode(c, -1, 5), RangeError);
  assert.throws(() => d.decode(c, 0.5, 5), RangeError);
  assert.throws(() => d.decode(new Uint16Array(8) as unknown as Uint8Array, 0, 4), TypeError);
  assert.throws(() => d.decode('abc' as unknown as Uint8Array, 0, 1), TypeError);
});

/** Decodes the whole chunk call by call; returns per-call row counts and all nlmsg offsets. */
function drain(b: Batch, decode: (s: number) => void, len: number): { calls: number[]; msgOffs: number[] } {
  const calls: number[] = [];
  const msgOffs: number[] = [];
  let s = 0;
  for (;;) {
    decode(s);
    assert.is(b.meta[Meta.StreamErr], 0);
    if (b.meta[Meta.Consumed] === 0) break;
    calls.push(b.meta[Meta.Rows]);
    for (let i = 0; i < b.meta[Meta.Rows]; i++) msgOffs.push(b.msgOff[i]);
    s += b.meta[Meta.Consumed];
    if (s === len) break;
  }
  return { calls, msgOffs };
}

test('a batch at minimum capacity stops before a frame that may not fit, and resumes', () => {
  // Several fixtures back to back: more rows than MIN_ROWS.
  const c = Buffer.concat([load('bgp-nhg-peer-down.bin'), load('bgp-nhg-peer-up.bin')]);
  const tiny = createDecoder('native', createBatch({ rows: 1, paths: 1, groups: 1, labels: 1 }));
  const big = createDecoder('native', createBatch({ rows: 20000 }));
  const a = drain(tiny.batch, (s) => tiny.decode(c, s, c.length), c.length);
  const b = drain(big.batch, (s) => big.decode(c, s, c.length), c.length);
  assert.ok(a.calls.length >= 3, `calls: ${a.calls.join(',')}`);
  assert.is(b.calls.length, 1);
  for (const n of a.calls) assert.ok(n <= tiny.batch.cap.rows);
  assert.equal(a.msgOffs, b.msgOffs);
  assert.is(a.msgOffs.length, 5407 + 5412);
});

test('a partial frame at the end is left for the next call; meta counts whole frames only', () => {
  const c = load('static-nhg-flap.bin');
  const d = createDecoder('native');
  const m = d.batch.meta;
  d.decode(c, 0, c.length);
  const frames = m[Meta.Frames];
  const rows = m[Meta.Rows];
  for (const cut of [1, 3, 4, 5, 20, 50]) {
    const end = c.length - cut;
    d.decode(c, 0, end);
    assert.is(m[Meta.StreamErr], 0);
    assert.ok(m[Meta.Consumed] < end && m[Meta.Consumed] > 0);
    assert.is(m[Meta.Frames], frames - 1, `cut ${cut}`);
    assert.ok(m[Meta.Rows] < rows);
    // the rest decodes from where it stopped, given the missing bytes
    const from = m[Meta.Consumed];
    d.decode(c, from, c.length);
    assert.is(m[Meta.Frames], 1);
    assert.is(m[Meta.Consumed], c.length - from);
  }
  d.decode(c, 0, 3); // not even a header
  assert.equal(Array.from(m), [0, 0, 0, 0, 0, 0, 0, 0]);
});

test('offsets are relative to the view passed in (Buffer slices of a pool, subarrays)', () => {
  const c = load('mpls-nhg-replay.bin');
  const pool = Buffer.alloc(c.length + 100);
  c.copy(pool, 37);
  const view = pool.subarray(37, 37 + c.length);
  const d = createDecoder('native');
  const b = d.batch;
  d.decode(view, 0, view.length);
  const rows = b.meta[Meta.Rows];
  const dst: string[] = [];
  for (let i = 0; i < rows; i++) dst.push(view.subarray(b.dstOff[i], b.dstOff[i] + b.dstAttrLen[i]).toString('hex'));
  d.decode(c, 0, c.length);
  assert.is(b.meta[Meta.Rows], rows);
  for (let i = 0; i < rows; i++) assert.is(c.subarray(b.dstOff[i], b.dstOff[i] + b.dstAttrLen[i]).toString('hex'), dst[i]);
  // a start in the middle: the first frame there is frame #2 of the capture, offsets stay chunk-absolute
  const second = (c[2] << 8) | c[3];
  d.decode(c, second, c.length);
  assert.is(b.frameOff[0], second);
  assert.is(b.meta[Meta.Consumed], c.length - second);
});

test('rows are fully rewritten: no value leaks from a previous decode', () => {
  const d = createDecoder('native');
  const b = d.batch;
  const rich = load('mpls-nhg-replay.bin');
  const plain = load('static-nhg-delete.bin');
  d.decode(plain, 0, plain.length);
  // row columns (the side tables hold only what meta says is used)
  const snap = () => ROW_COLUMNS.map(([n]) => Array.from((b as unknown as Record<string, Uint32Array>)[n].subarray(0, b.meta[Meta.Rows])));
  const before = snap();
  d.decode(rich, 0, rich.length);
  d.decode(plain, 0, plain.length);
  assert.equal(snap(), before);
});

test.run();

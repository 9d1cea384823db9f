// FpmStreamReader: frames split at every byte boundary, tail handling, capacity, counters, errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as path from 'path';
import { FIXTURE_DIR } from './helpers/fixtures';
import { Batch, createBatch, Kind, Meta, ROW_COLUMNS } from '../ts/codec/layout';
import { createDecoder, DecoderImpl } from '../ts/codec/decoder';
import { FpmStreamReader } from '../ts/codec/stream';
import { FpmFrameError } from '../ts/codec/codes';

const FIXTURES = FIXTURE_DIR;
const load = (f: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(FIXTURES, f)));
const IMPLS: DecoderImpl[] = ['native', 'ts'];
// One batch per implementation, reused: a batch is over a megabyte.
const BATCHES: Record<DecoderImpl, Batch> = { native: createBatch(), ts: createBatch() };

/** Every row column, offsets made absolute; plus the bytes an offset points at (dst, gateway). */
function rowsOf(out: string[], b: Batch, chunk: Uint8Array, base: number): void {
  const cols = b as unknown as Record<string, ArrayLike<number>>;
  for (let i = 0; i < b.meta[Meta.Rows]; i++) {
    const v: (number | string)[] = [];
    for (const [name] of ROW_COLUMNS) {
      if (name === 'labelStart' || name === 'pathStart' || name === 'groupStart') continue;
      const x = cols[name][i];
      v.push(name.endsWith('Off') && (x !== 0 || name === 'frameOff') ? base + x : x);
    }
    v.push(Buffer.from(chunk.subarray(b.dstOff[i], b.dstOff[i] + b.dstAttrLen[i])).toString('hex'));
    v.push(Buffer.from(chunk.subarray(b.gwOff[i], b.gwOff[i] + b.gwLen[i])).toString('hex'));
    v.push(Array.from(b.label.subarray(b.labelStart[i], b.labelStart[i] + b.labelCount[i])).join('/'));
    for (let p = b.pathStart[i]; p < b.pathStart[i] + b.pathCount[i]; p++) {
      v.push(`${b.pIfindex[p]}:${b.pWeight[p]}:${Buffer.from(chunk.subarray(b.pGwOff[p], b.pGwOff[p] + b.pGwLen[p])).toString('hex')}`);
    }
    for (let g = b.groupStart[i]; g < b.groupStart[i] + b.groupCount[i]; g++) v.push(`g${b.gId[g]}w${b.gWeight[g]}`);
    out.push(v.join(','));
  }
}

function readChunks(impl: DecoderImpl, chunks: Uint8Array[], batch = BATCHES[impl]): { rows: string[]; reader: FpmStreamReader } {
  const reader = new FpmStreamReader(createDecoder(impl, batch));
  const rows: string[] = [];
  for (const c of chunks) reader.push(c, (b, chunk) => rowsOf(rows, b, chunk, reader.base));
  return { rows, reader };
}

test('a frame split at every possible byte boundary gives identical rows', () => {
  // static-nhg-flap has multi-message frames (DEL+NEW) and NHG groups; mpls-nhg-replay labels.
  for (const f of ['static-nhg-flap.bin', 'mpls-nhg-replay.bin', 'static-nonhg-add.bin', 'evpn-l2vni-macs.bin']) {
    const c = load(f);
    for (const impl of IMPLS) {
      const whole = readChunks(impl, [c]).rows;
      assert.ok(whole.length > 0);
      for (let cut = 0; cut <= c.length; cut++) {
        const got = readChunks(impl, [c.subarray(0, cut), c.subarray(cut)]);
        if (got.rows.length !== whole.length || got.rows.some((r, i) => r !== whole[i])) {
          assert.equal(got.rows, whole, `${impl} ${f} cut at ${cut}`);
        }
        assert.is(got.reader.pending, 0);
      }
    }
  }
});

test('one byte at a time', () => {
  const c = load('static-nhg-add.bin');
  for (const impl of IMPLS) {
    const whole = readChunks(impl, [c]).rows;
    const bytes: Uint8Array[] = [];
    for (let i = 0; i < c.length; i++) bytes.push(c.subarray(i, i + 1));
    const got = readChunks(impl, bytes);
    assert.equal(got.rows, whole);
    assert.is(got.reader.bytes, c.length);
    assert.is(got.reader.frames, 48);
  }
});

test('whole frames are decoded from the pushed chunk itself, only the tail is copied', () => {
  const c = load('static-nhg-add.bin');
  const cut = 1000; // inside a frame
  const first = c.subarray(0, cut);
  const reader = new FpmStreamReader(createDecoder('native'));
  const seen: Uint8Array[] = [];
  reader.push(first, (_b, chunk) => seen.push(chunk));
  assert.equal(seen, [first]);
  assert.ok(reader.pending > 0 && reader.pending < 100, `tail ${reader.pending}`);
  const second = c.subarray(cut);
  seen.length = 0;
  reader.push(second, (_b, chunk) => seen.push(chunk));
  assert.is(seen.length, 2, 'the completed tail frame, then the rest of the chunk');
  assert.ok(seen[0] !== second && seen[1] === second);
});

/** One frame of `n` bytes holding NLMSG_NOOP (1) messages: Other rows. */
function bigFrame(n: number): Uint8Array {
  const f = new Uint8Array(n);
  f[0] = 1;
  f[1] = 1;
  f[2] = n >> 8;
  f[3] = n & 255;
  let p = 4;
  while (p < n) {
    const len = n - p >= 32 ? 16 : n - p; // the last message takes what is left
    f[p] = len & 255;
    f[p + 1] = len >> 8;
    f[p + 4] = 1;
    p += len;
  }
  return f;
}

test('a 65535-byte frame arriving in small pieces grows the tail and decodes', () => {
  const f = bigFrame(65535);
  for (const impl of IMPLS) {
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < f.length; i += 1000) pieces.push(f.subarray(i, i + 1000));
    const { rows, reader } = readChunks(impl, pieces);
    assert.is(reader.frames, 1);
    assert.is(rows.length, 4095);
    assert.is(reader.otherRows, 4095);
    assert.is(reader.pending, 0);
  }
});

test('more rows than a batch holds: several callbacks, same rows', () => {
  const c = load('bgp-nhg-peer-down.bin'); // 5407 rows in 2707 frames
  for (const impl of IMPLS) {
    const whole = readChunks(impl, [c]).rows;
    let calls = 0;
    const reader = new FpmStreamReader(createDecoder(impl, createBatch({ rows: 1 })));
    const rows: string[] = [];
    reader.push(c, (b, chunk) => {
      calls++;
      assert.ok(b.meta[Meta.Rows] <= b.cap.rows);
      rowsOf(rows, b, chunk, reader.base);
    });
    assert.ok(calls >= 2, `${calls} callbacks`);
    assert.equal(rows, whole);
  }
});

test('counters: bytes, frames, rows, bad, other, done', () => {
  // A Done frame (fpm-extensions.md section 2), an Other message, a bad row, and fixture rows.
  const done = Uint8Array.from([1, 1, 0, 24, 20, 0, 0, 0, 3, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const other = bigFrame(36); // two NLMSG_NOOP messages
  const bad = Uint8Array.from([1, 1, 0, 28, 24, 0, 0, 0, 24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 24, 0, 0, 254, 0, 0, 0]); // short rtmsg
  const fx = load('static-nhg-add.bin');
  const all = Buffer.concat([fx, done, other, bad]);
  for (const impl of IMPLS) {
    const { rows, reader } = readChunks(impl, [all.subarray(0, 777), all.subarray(777)]);
    assert.is(reader.bytes, all.length);
    assert.is(reader.frames, 48 + 3);
    assert.is(reader.rows, 48 + 1 + 2 + 1);
    assert.is(rows.length, reader.rows);
    assert.is(reader.doneRows, 1);
    assert.is(reader.otherRows, 2);
    assert.is(reader.badRows, 1);
  }
});

test('a stream error: rows before it delivered, then FpmFrameError at the absolute offset', () => {
  const c = load('static-nhg-add.bin');
  const broken = Buffer.concat([c, Uint8Array.from([1, 1, 0, 8, 0, 0, 0, 0])]); // frame with 4 bytes of nlmsghdr
  for (const impl of IMPLS) {
    const reader = new FpmStreamReader(createDecoder(impl));
    let rows = 0;
    let err: unknown;
    try {
      reader.push(broken.subarray(0, 500), (b) => (rows += b.meta[Meta.Rows]));
      reader.push(broken.subarray(500), (b) => (rows += b.meta[Meta.Rows]));
    } catch (e) {
      err = e;
    }
    assert.instance(err, FpmFrameError);
    assert.is((err as FpmFrameError).code, 'NLMSG_SHORT_HEADER');
    assert.is((err as FpmFrameError).offset, c.length + 4);
    assert.is(rows, 48);
    assert.throws(() => reader.push(c, () => {}), (e: unknown) => e instanceof FpmFrameError);
    reader.reset();
    reader.push(c, (b) => (rows += b.meta[Meta.Rows]));
    assert.is(rows, 96, 'reset() starts a new stream');
  }
});

test('a bad header is reported as soon as its 4 bytes are in', () => {
  for (const impl of IMPLS) {
    const reader = new FpmStreamReader(createDecoder(impl));
    reader.push(Uint8Array.from([1, 7]), () => {});
    assert.is(reader.pending, 2);
    assert.throws(
      () => reader.push(Uint8Array.from([0, 60]), () => {}),
      (e: unknown) => e instanceof FpmFrameError && e.code === 'FPM_BAD_TYPE' && e.offset === 0,
    );
  }
});

test('an empty frame (length 4) is legal and yields no rows', () => {
  for (const impl of IMPLS) {
    const { rows, reader } = readChunks(impl, [Uint8Array.from([1, 1, 0, 4, 1, 1]), Uint8Array.from([0, 4])]);
    assert.is(rows.length, 0);
    assert.is(reader.frames, 2);
    assert.is(reader.pending, 0);
  }
});

test('the batch is reused between callbacks (rows are consumed synchronously)', () => {
  const c = load('bgp-nhg-peer-down.bin');
  const reader = new FpmStreamReader(createDecoder('native', createBatch({ rows: 1 })));
  const batches = new Set<Batch>();
  let calls = 0;
  reader.push(c, (b) => {
    calls++;
    batches.add(b);
    assert.ok(b.kind[0] === Kind.Route || b.kind[0] === Kind.Nexthop);
  });
  assert.ok(calls >= 2);
  assert.is(batches.size, 1);
});

test.run();

// Native vs TypeScript reference decoder: identical columns on every fixture, on thousands of
// mutants of them, and through FpmStreamReader at random chunk splits.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as path from 'path';
import { FIXTURE_SETS } from './helpers/fixtures';
import { FIXTURES_DIR } from '../ts/paths';
import { Batch, createBatch, Meta, ROW_COLUMNS, PATH_COLUMNS, GROUP_COLUMNS, LABEL_COLUMNS } from '../ts/codec/layout';
import { createDecoder, Decoder } from '../ts/codec/decoder';
import { FpmStreamReader } from '../ts/codec/stream';
import { FpmFrameError } from '../ts/codec/codes';
import { uniformSource as prng } from '../ts/gen/rng';

// Both capture sets (zebra 8.4.4 and 10.3), as SET/NAME.bin.
const FIXTURES = FIXTURES_DIR;
const files = FIXTURE_SETS.flatMap((set) =>
  fs.existsSync(path.join(FIXTURES, set))
    ? fs
        .readdirSync(path.join(FIXTURES, set))
        .filter((f) => f.endsWith('.bin'))
        .sort()
        .map((f) => `${set}/${f}`)
    : [],
);
const load = (f: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(FIXTURES, f)));

type Cols = Record<string, ArrayLike<number>>;

/** First difference between two decoders' outputs after a decode call, or null. */
function diff(a: Batch, b: Batch): string | null {
  for (let i = 0; i < Meta.Size; i++) if (a.meta[i] !== b.meta[i]) return `meta[${i}] ${a.meta[i]} != ${b.meta[i]}`;
  const tables: [readonly (readonly [string, string])[], number][] = [
    [ROW_COLUMNS, a.meta[Meta.Rows]],
    [PATH_COLUMNS, a.meta[Meta.Paths]],
    [GROUP_COLUMNS, a.meta[Meta.Groups]],
    [LABEL_COLUMNS, a.meta[Meta.Labels]],
  ];
  for (const [cols, n] of tables) {
    for (const [name] of cols) {
      const x = (a as unknown as Cols)[name];
      const y = (b as unknown as Cols)[name];
      for (let i = 0; i < n; i++) if (x[i] !== y[i]) return `${name}[${i}] ${x[i]} != ${y[i]}`;
    }
  }
  return null;
}

const seenStream = new Set<number>();
const seenRow = new Set<number>();

/** Runs both decoders over the whole chunk, call by call, comparing after each call. */
function compareWhole(nat: Decoder, ts: Decoder, c: Uint8Array, what: string): { rows: number; bad: number; err: number; consumed: number } {
  let s = 0;
  let rows = 0;
  let bad = 0;
  for (;;) {
    nat.decode(c, s, c.length);
    ts.decode(c, s, c.length);
    const d = diff(nat.batch, ts.batch);
    if (d) assert.unreachable(`${what}: native and ts differ after decode(${s}, ${c.length}): ${d}`);
    const m = nat.batch.meta;
    rows += m[Meta.Rows];
    for (let i = 0; i < m[Meta.Rows]; i++) {
      if (nat.batch.err[i] !== 0) {
        bad++;
        seenRow.add(nat.batch.err[i]);
      }
    }
    if (m[Meta.StreamErr] !== 0) seenStream.add(m[Meta.StreamErr]);
    if (m[Meta.StreamErr] !== 0) return { rows, bad, err: m[Meta.StreamErr], consumed: s + m[Meta.Consumed] };
    if (m[Meta.Consumed] === 0) return { rows, bad, err: 0, consumed: s };
    s += m[Meta.Consumed];
  }
}

const nat = createDecoder('native');
const ts = createDecoder('ts');

test('fixtures are all there', () => {
  assert.is(files.filter((f) => f.startsWith('frr-8.4/')).length, 31, `zebra 8.4.4 fixtures in ${FIXTURES}`);
  assert.ok(files.filter((f) => f.startsWith('frr-10.3/')).length >= 15, `zebra 10.3 fixtures in ${FIXTURES}`);
});

test('every fixture: native == ts, column by column', () => {
  for (const f of files) {
    const c = load(f);
    const r = compareWhole(nat, ts, c, f);
    assert.is(r.consumed, c.length, `${f}: all bytes consumed`);
    assert.is(r.err, 0, `${f}: no stream error`);
    assert.ok(r.rows > 0, `${f}: has rows`);
    if (!f.includes('-to-zebra')) assert.is(r.bad, 0, `${f}: zebra's own output has no bad row`);
  }
});

test('fixtures at an odd start offset inside a bigger buffer: same rows, offsets shifted', () => {
  const c = load('frr-8.4/mpls-nhg-replay.bin');
  const big = new Uint8Array(c.length + 13);
  big.set(c, 7);
  nat.decode(big, 7, 7 + c.length);
  const rowsShifted = nat.batch.meta[Meta.Rows];
  const msgOff = Array.from(nat.batch.msgOff.subarray(0, rowsShifted));
  ts.decode(big, 7, 7 + c.length);
  assert.is(diff(nat.batch, ts.batch), null);
  nat.decode(c, 0, c.length);
  assert.is(nat.batch.meta[Meta.Rows], rowsShifted);
  assert.equal(msgOff, Array.from(nat.batch.msgOff.subarray(0, rowsShifted), (o) => o + 7));
});

/** Offsets of every FPM frame, nlmsghdr and top-level attribute header in a valid capture. */
function lengthFields(c: Uint8Array): { fpm: number[]; nl: number[]; rta: number[] } {
  const out = { fpm: [] as number[], nl: [] as number[], rta: [] as number[] };
  let p = 0;
  while (p + 4 <= c.length) {
    const flen = (c[p + 2] << 8) | c[p + 3];
    out.fpm.push(p);
    let q = p + 4;
    while (q + 16 <= p + flen) {
      const nlen = c[q] | (c[q + 1] << 8);
      out.nl.push(q);
      if (nlen < 16) break; // an earlier edit broke it: stop here
      const type = c[q + 4];
      const body = type === 104 || type === 105 ? 8 : 12;
      let a = q + 16 + body;
      while (a + 4 <= q + nlen) {
        const alen = c[a] | (c[a + 1] << 8);
        if (alen < 4) break;
        out.rta.push(a);
        a += (alen + 3) & ~3;
      }
      q += (nlen + 3) & ~3;
    }
    p += Math.max(flen, 4);
  }
  return out;
}

/** A window of whole frames from a fixture: small enough to mutate thousands of times quickly. */
function window(c: Uint8Array, rnd: () => number, maxFrames: number): Uint8Array {
  const starts: number[] = [];
  for (let p = 0; p + 4 <= c.length; p += (c[p + 2] << 8) | c[p + 3]) starts.push(p);
  starts.push(c.length);
  const i = Math.floor(rnd() * (starts.length - 1));
  const j = Math.min(starts.length - 1, i + 1 + Math.floor(rnd() * maxFrames));
  return c.slice(starts[i], starts[j]);
}

test('random mutants of the fixtures: native == ts, never a throw', () => {
  const rnd = prng(0x5eed1234);
  const pool = files.map(load);
  const N = 4000;
  const kinds = [0, 0, 0, 0, 0, 0];
  let streamErrs = 0;
  let badRows = 0;
  for (let n = 0; n < N; n++) {
    const src = pool[Math.floor(rnd() * pool.length)];
    const m = window(src, rnd, 6);
    const kind = Math.floor(rnd() * 6);
    kinds[kind]++;
    const edits = 1 + Math.floor(rnd() * 3);
    let buf = m;
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rnd() * buf.length);
      switch (kind) {
        case 0: // bit flip
          buf[at] ^= 1 << Math.floor(rnd() * 8);
          break;
        case 1: // byte set to a boundary value
          buf[at] = [0, 1, 3, 4, 7, 8, 0x7f, 0x80, 0xff][Math.floor(rnd() * 9)];
          break;
        case 2: // truncation
          buf = buf.slice(0, at);
          break;
        case 3: {
          // a length field (FPM u16 BE, nlmsg_len u32 LE, rta_len u16 LE) nudged or replaced
          const f = lengthFields(buf);
          const which = Math.floor(rnd() * 3);
          const list = which === 0 ? f.fpm : which === 1 ? f.nl : f.rta;
          if (list.length === 0) break;
          const p = list[Math.floor(rnd() * list.length)];
          const cur = which === 0 ? (buf[p + 2] << 8) | buf[p + 3] : buf[p] | (buf[p + 1] << 8);
          const v = rnd() < 0.5 ? cur + Math.floor(rnd() * 17) - 8 : Math.floor(rnd() * 70);
          const w = v & 0xffff;
          if (which === 0) {
            buf[p + 2] = w >> 8;
            buf[p + 3] = w & 255;
          } else {
            buf[p] = w & 255;
            buf[p + 1] = w >> 8;
          }
          break;
        }
        case 4: {
          // a few bytes deleted or duplicated (shifts everything after)
          const k = 1 + Math.floor(rnd() * 8);
          buf =
            rnd() < 0.5
              ? Uint8Array.from([...buf.subarray(0, at), ...buf.subarray(at + k)])
              : Uint8Array.from([...buf.subarray(0, at + k), ...buf.subarray(at)]);
          break;
        }
        default: // random bytes over a short run
          for (let k = 0; k < 4 && at + k < buf.length; k++) buf[at + k] = Math.floor(rnd() * 256);
      }
    }
    let r;
    try {
      r = compareWhole(nat, ts, buf, `mutant #${n} (kind ${kind})`);
    } catch (e) {
      if ((e as Error).name === 'Assertion') throw e;
      throw new Error(`mutant #${n} (kind ${kind}) threw: ${(e as Error).message}; bytes ${Buffer.from(buf).toString('hex')}`);
    }
    if (r.err) streamErrs++;
    badRows += r.bad;
  }
  // The mutants must actually exercise both error tiers, or this test proves little.
  assert.ok(streamErrs > N / 20, `stream errors seen: ${streamErrs}`);
  assert.ok(badRows > N / 20, `bad rows seen: ${badRows}`);
  assert.ok(seenStream.size >= 5, `stream error codes seen: ${[...seenStream].join(',')}`);
  assert.ok(seenRow.size >= 5, `row error codes seen: ${[...seenRow].join(',')}`);
});

/** Rows as plain values with offsets made absolute and side-table lists inlined. */
function collect(out: unknown[][], b: Batch, base: number): void {
  const rel = (o: number) => (o === 0 ? 0 : base + o);
  const offCols = new Set(['errOff', 'dstOff', 'gwOff', 'srcOff', 'lladdrOff', 'encapOff']);
  const skip = new Set(['labelStart', 'pathStart', 'groupStart']);
  const cols = b as unknown as Cols;
  for (let i = 0; i < b.meta[Meta.Rows]; i++) {
    const row: unknown[] = [];
    for (const [name] of ROW_COLUMNS) {
      if (skip.has(name)) continue;
      const v = cols[name][i];
      row.push(name === 'frameOff' || name === 'msgOff' ? base + v : offCols.has(name) ? rel(v) : v);
    }
    row.push(Array.from(b.label.subarray(b.labelStart[i], b.labelStart[i] + b.labelCount[i])));
    for (let g = b.groupStart[i]; g < b.groupStart[i] + b.groupCount[i]; g++) row.push([b.gId[g], b.gWeight[g]]);
    for (let p = b.pathStart[i]; p < b.pathStart[i] + b.pathCount[i]; p++) {
      row.push([
        b.pIfindex[p],
        b.pWeight[p],
        b.pFlags[p],
        rel(b.pGwOff[p]),
        b.pGwLen[p],
        b.pGwFamily[p],
        b.pEncapType[p],
        Array.from(b.label.subarray(b.pLabelStart[p], b.pLabelStart[p] + b.pLabelCount[p])),
      ]);
    }
    out.push(row);
  }
}

// Reused: a batch is over a megabyte.
const readerBatches = { native: createBatch(), ts: createBatch() };

function readAll(impl: 'native' | 'ts', chunks: Uint8Array[]): { rows: unknown[][]; error: string } {
  const reader = new FpmStreamReader(createDecoder(impl, readerBatches[impl]));
  const rows: unknown[][] = [];
  let error = '';
  try {
    for (const ch of chunks) reader.push(ch, (b) => collect(rows, b, reader.base));
  } catch (e) {
    if (!(e instanceof FpmFrameError)) throw e;
    error = `${e.code}@${e.offset}`;
  }
  return { rows, error };
}

function split(c: Uint8Array, rnd: () => number, pieces: number): Uint8Array[] {
  const cuts = new Set<number>();
  for (let i = 0; i < pieces - 1; i++) cuts.add(Math.floor(rnd() * (c.length + 1)));
  const sorted = [0, ...[...cuts].sort((x, y) => x - y), c.length];
  const out: Uint8Array[] = [];
  for (let i = 1; i < sorted.length; i++) out.push(c.subarray(sorted[i - 1], sorted[i]));
  return out;
}

test('random chunk splits through FpmStreamReader give the rows of one whole decode', () => {
  const rnd = prng(42);
  for (const f of files) {
    const c = load(f);
    const whole = readAll('native', [c]);
    assert.is(whole.error, '');
    const wholeTs = readAll('ts', [c]);
    assert.equal(wholeTs.rows, whole.rows, `${f}: ts == native`);
    const rounds = c.length > 100000 ? 2 : 6;
    for (let k = 0; k < rounds; k++) {
      const pieces = split(c, rnd, 2 + Math.floor(rnd() * Math.min(200, c.length / 8)));
      const impl = k % 2 ? 'ts' : 'native';
      const got = readAll(impl, pieces);
      assert.is(got.error, '', `${f}: ${impl} split ${k}`);
      assert.equal(got.rows, whole.rows, `${f}: ${impl} split into ${pieces.length}`);
    }
  }
});

test('split mutants: same rows and the same stream error (absolute offset) as a whole decode', () => {
  const rnd = prng(7);
  const pool = files.filter((f) => !f.includes('/bgp')).map(load);
  for (let n = 0; n < 300; n++) {
    const m = pool[Math.floor(rnd() * pool.length)].slice();
    for (let e = 0; e < 2; e++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
    const whole = readAll('ts', [m]);
    const got = readAll(n % 2 ? 'ts' : 'native', split(m, rnd, 2 + Math.floor(rnd() * 20)));
    assert.is(got.error, whole.error, `mutant ${n}`);
    assert.equal(got.rows, whole.rows, `mutant ${n}`);
  }
});

test.run();

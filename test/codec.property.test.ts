// decode(encode(x)) == x for random routes, nexthops, neighbours and end markers; native == TS column by column; chunking does not matter.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDecoder, Decoder, DecoderImpl } from '../ts/codec/decoder';
import { ALL_COLUMN_NAMES, Batch, createBatch, GROUP_COLUMNS, LABEL_COLUMNS, Meta, PATH_COLUMNS, ROW_COLUMNS } from '../ts/codec/layout';
import { FpmStreamReader } from '../ts/codec/stream';
import { DecodedMessage, formatIp, formatMac, messageFromRow } from '../ts/codec/format';
import { AF_BRIDGE, AF_INET, AF_INET6, AF_MPLS, AF_UNSPEC, AnyMsg, encodeMessage, FpmEncoder, parseIp, PathSpec } from '../ts/codec/encoder';
import { Rng } from '../ts/gen/rng';
import { testIf } from './helpers/skip';

const SEEDS = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233];
const MESSAGES_PER_SEED = 300;

function ip(rng: Rng, len: number): string {
  return formatIp(rng.bytes(len), 0, len);
}

function labels(rng: Rng): number[] {
  const n = rng.range(1, 16);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(rng.int(1 << 20));
  return out;
}

function u32(rng: Rng): number {
  return rng.u32();
}

/** A random route in messageFromRow's canonical form (every field explicit). */
function randomRoute(rng: Rng): DecodedMessage {
  const family = rng.pick([AF_INET, AF_INET6, AF_MPLS]);
  const del = rng.bool(0.2);
  const alen = family === AF_INET6 ? 16 : 4;
  const r: DecodedMessage & { kind: 'route' } = {
    kind: 'route',
    del,
    family,
    dst: family === AF_MPLS ? rng.int(1 << 20) : ip(rng, alen),
    dstLen: family === AF_MPLS ? 20 : rng.range(0, alen * 8),
    table: rng.bool(0.7) ? 254 : rng.bool() ? rng.range(1, 255) : rng.range(256, 0xffffffff),
    protocol: rng.int(256),
    rtype: rng.int(12),
    scope: rng.pick([0, 0, 200, 253, 254]),
    flags: rng.bool(0.8) ? 0 : u32(rng),
    priority: rng.bool(0.8) ? 20 : rng.bool() ? null : u32(rng),
    nlFlags: rng.int(0x10000),
    seq: u32(rng),
  };
  if (family === AF_MPLS) {
    if (rng.bool(0.3)) {
      const n = rng.range(1, 4);
      const paths: PathSpec[] = [];
      for (let i = 0; i < n; i++) {
        const leg: PathSpec = { oif: rng.int(2 ** 31), weight: rng.range(1, 256), flags: rng.int(256) };
        if (rng.bool(0.7)) leg.newDst = labels(rng);
        if (rng.bool(0.9)) leg.via = ip(rng, rng.bool() ? 4 : 16);
        paths.push(leg);
      }
      r.paths = paths;
    } else {
      if (rng.bool(0.7)) r.newDst = labels(rng);
      if (rng.bool(0.9)) r.via = ip(rng, rng.bool() ? 4 : 16);
      if (rng.bool(0.9)) r.oif = rng.int(2 ** 31);
    }
    return r;
  }
  const shape = rng.int(4);
  if (shape === 0) r.nhId = u32(rng);
  else if (shape === 1) {
    if (rng.bool(0.3)) {
      r.encapType = 1; // labels only under LWTUNNEL_ENCAP_MPLS; other encap types: test/codec.frr10.test.ts
      r.labels = labels(rng);
    }
    if (rng.bool(0.8)) r.gateway = ip(rng, alen);
    if (rng.bool(0.2)) r.prefSrc = ip(rng, alen);
    if (rng.bool(0.9)) r.oif = u32(rng);
  } else if (shape === 2) {
    const n = rng.range(1, 8);
    const paths: PathSpec[] = [];
    for (let i = 0; i < n; i++) {
      const leg: PathSpec = { oif: rng.int(2 ** 31), weight: rng.range(1, 256), flags: rng.int(256) };
      if (rng.bool(0.3)) {
        leg.encapType = 1; // labels only under LWTUNNEL_ENCAP_MPLS; other encap types: test/codec.frr10.test.ts
        leg.labels = labels(rng);
      }
      if (rng.bool(0.9)) leg.gateway = ip(rng, alen);
      paths.push(leg);
    }
    r.paths = paths;
    if (rng.bool(0.2)) r.prefSrc = ip(rng, alen);
  }
  // shape 3: no nexthop at all (deletes, blackhole/unreachable routes)
  return r;
}

function randomNexthop(rng: Rng): DecodedMessage {
  const family = rng.pick([AF_UNSPEC, AF_INET, AF_INET6, AF_BRIDGE]);
  const n: DecodedMessage & { kind: 'nexthop' } = {
    kind: 'nexthop',
    del: rng.bool(0.2),
    id: u32(rng),
    family,
    protocol: rng.int(256),
    scope: rng.int(256),
    flags: rng.bool(0.8) ? 0 : u32(rng),
    nlFlags: rng.int(0x10000),
    seq: u32(rng),
  };
  if (rng.bool(0.2)) n.fdb = true;
  if (rng.bool(0.4)) {
    const g: { id: number; weight: number }[] = [];
    const k = rng.range(1, 32);
    for (let i = 0; i < k; i++) g.push({ id: u32(rng), weight: rng.range(1, 256) });
    n.group = g;
    if (rng.bool(0.3)) n.groupType = rng.int(0x10000);
  } else {
    if (rng.bool(0.8)) n.gateway = ip(rng, family === AF_INET ? 4 : family === AF_INET6 ? 16 : rng.bool() ? 4 : 16);
    if (rng.bool(0.1)) n.blackhole = true;
    if (rng.bool(0.8)) n.oif = u32(rng);
    if (rng.bool(0.3)) {
      n.encapType = 1; // labels only under LWTUNNEL_ENCAP_MPLS; other encap types: test/codec.frr10.test.ts
      n.labels = labels(rng);
    }
  }
  if (rng.bool(0.3)) n.backupNhg = u32(rng);
  return n;
}

function randomNeigh(rng: Rng): DecodedMessage {
  const family = rng.pick([AF_BRIDGE, AF_BRIDGE, AF_INET, AF_INET6]);
  const n: DecodedMessage & { kind: 'neigh' } = {
    kind: 'neigh',
    del: rng.bool(0.2),
    family,
    ifindex: rng.int(2 ** 31),
    state: rng.int(0x10000),
    flags: rng.int(256),
    ntype: rng.int(256),
    protocol: rng.bool(0.8) ? rng.int(256) : null,
    nlFlags: rng.int(0x10000),
    seq: u32(rng),
  };
  if (rng.bool(0.9)) {
    const b = rng.bytes(rng.bool(0.9) ? 6 : rng.range(1, 32));
    n.lladdr = formatMac(b, 0, b.length);
  }
  if (rng.bool(0.5)) n.nhId = u32(rng);
  if (rng.bool(0.8)) n.dst = ip(rng, family === AF_INET ? 4 : family === AF_INET6 ? 16 : rng.bool() ? 4 : 16);
  if (rng.bool(0.3)) n.vlan = rng.int(0x10000);
  if (rng.bool(0.3)) n.vni = u32(rng);
  if (rng.bool(0.8)) n.master = u32(rng);
  return n;
}

function randomMessage(rng: Rng): DecodedMessage {
  const k = rng.int(10);
  if (k < 5) return randomRoute(rng);
  if (k < 8) return randomNexthop(rng);
  if (k < 9) return randomNeigh(rng);
  // NLMSG_DONE: the encoder always writes NLM_F_MULTI
  return { kind: 'done', seq: u32(rng), nlFlags: 2 };
}

/** Encodes messages, 1..4 per frame, with random nlmsg pids; returns the bytes and each message's frame offset. */
function encodeAll(rng: Rng, msgs: DecodedMessage[]): { buf: Buffer; frameOffs: number[] } {
  const e = new FpmEncoder({ pid: rng.u32(), initialSize: 512 });
  const frameOffs: number[] = [];
  for (let i = 0; i < msgs.length; ) {
    const n = Math.min(rng.range(1, 4), msgs.length - i);
    const off = e.pos;
    e.beginFrame();
    for (let k = 0; k < n; k++, i++) {
      encodeMessage(e, { ...msgs[i], pid: rng.u32() } as AnyMsg);
      frameOffs.push(off);
    }
    e.endFrame();
  }
  return { buf: e.toBuffer(), frameOffs };
}

function bigBatch(): Batch {
  return createBatch({ rows: 1 << 15, paths: 1 << 16, groups: 1 << 16, labels: 1 << 17 });
}

function rowsOf(d: Decoder, buf: Uint8Array): { msgs: DecodedMessage[]; frameOffs: number[] } {
  d.decode(buf, 0, buf.length);
  const b = d.batch;
  assert.is(b.meta[Meta.StreamErr], 0);
  assert.is(b.meta[Meta.Consumed], buf.length);
  const msgs: DecodedMessage[] = [];
  const frameOffs: number[] = [];
  for (let i = 0; i < b.meta[Meta.Rows]; i++) {
    assert.is(b.err[i], 0, `row ${i}: err ${b.err[i]} attr ${b.errAttr[i]}`);
    msgs.push(messageFromRow(b, i, buf));
    frameOffs.push(b.frameOff[i]);
  }
  return { msgs, frameOffs };
}

/** Why the native decoder cannot be used here (null when it can); `npm install` builds it. */
function nativeMissing(): string | null {
  try {
    createDecoder('native');
    return null;
  } catch (e) {
    return `native decoder not built: ${(e as Error).message.split('\n')[0]}`;
  }
}
const NATIVE_MISSING = nativeMissing();
const whenNative = (impl: DecoderImpl) => (impl === 'native' ? NATIVE_MISSING : null);

test('IPv4/IPv6 text round-trips through parseIp and formatIp', () => {
  const rng = new Rng(7);
  for (let i = 0; i < 2000; i++) {
    const len = rng.bool() ? 4 : 16;
    // sparse addresses exercise "::" compression
    const b = rng.bytes(len).map((x) => (rng.bool(0.6) ? 0 : x));
    const s = formatIp(b, 0, len);
    assert.equal(Array.from(parseIp(s)), Array.from(b), s);
  }
  assert.is(formatIp(parseIp('2001:db8:0:0:1:0:0:1'), 0, 16), '2001:db8::1:0:0:1');
  assert.is(formatIp(parseIp('::ffff:10.1.2.3'), 0, 16), '::ffff:10.1.2.3');
});

for (const impl of ['ts', 'native'] as DecoderImpl[]) {
  testIf(test, whenNative(impl), 'ci-installs', `${impl}: decode(encode(x)) == x`, () => {
    const d = createDecoder(impl, bigBatch());
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      const msgs: DecodedMessage[] = [];
      for (let i = 0; i < MESSAGES_PER_SEED; i++) msgs.push(randomMessage(rng));
      const { buf, frameOffs } = encodeAll(rng, msgs);
      const got = rowsOf(d, buf);
      assert.is(got.msgs.length, msgs.length, `seed ${seed}: one row per message`);
      for (let i = 0; i < msgs.length; i++) assert.equal(got.msgs[i], msgs[i], `seed ${seed} message ${i}`);
      assert.equal(got.frameOffs, frameOffs, `seed ${seed}: frame offsets`);
    }
  });
}

testIf(test, NATIVE_MISSING, 'ci-installs', 'native == TS, every column of every row and side table', () => {
  const ts = createDecoder('ts', bigBatch());
  const nat = createDecoder('native', bigBatch());
  for (const seed of SEEDS) {
    const rng = new Rng(seed * 7919);
    const msgs: DecodedMessage[] = [];
    for (let i = 0; i < MESSAGES_PER_SEED; i++) msgs.push(randomMessage(rng));
    const { buf } = encodeAll(rng, msgs);
    ts.decode(buf, 0, buf.length);
    nat.decode(buf, 0, buf.length);
    assert.equal(Array.from(nat.batch.meta), Array.from(ts.batch.meta), `seed ${seed}: meta`);
    const m = ts.batch.meta;
    const used: [readonly (readonly [string, string])[], number][] = [
      [ROW_COLUMNS, m[Meta.Rows]],
      [PATH_COLUMNS, m[Meta.Paths]],
      [GROUP_COLUMNS, m[Meta.Groups]],
      [LABEL_COLUMNS, m[Meta.Labels]],
    ];
    let cols = 0;
    for (const [columns, n] of used) {
      for (const [name] of columns) {
        const a = (ts.batch as unknown as Record<string, ArrayLike<number>>)[name];
        const b = (nat.batch as unknown as Record<string, ArrayLike<number>>)[name];
        for (let i = 0; i < n; i++) if (a[i] !== b[i]) assert.is(b[i], a[i], `seed ${seed}: column ${name}[${i}]`);
        cols++;
      }
    }
    assert.is(cols, ALL_COLUMN_NAMES.length);
  }
});

for (const impl of ['ts', 'native'] as DecoderImpl[]) {
  testIf(test, whenNative(impl), 'ci-installs', `${impl}: random chunk splits through FpmStreamReader give the same messages and stream offsets`, () => {
    for (const seed of SEEDS.slice(0, 6)) {
      const rng = new Rng(seed + 1000);
      const msgs: DecodedMessage[] = [];
      for (let i = 0; i < MESSAGES_PER_SEED; i++) msgs.push(randomMessage(rng));
      const { buf, frameOffs } = encodeAll(rng, msgs);
      for (let round = 0; round < 5; round++) {
        const reader = new FpmStreamReader(createDecoder(impl));
        const got: DecodedMessage[] = [];
        const offs: number[] = [];
        let pos = 0;
        while (pos < buf.length) {
          const n = Math.min(buf.length - pos, rng.bool(0.3) ? rng.range(1, 8) : rng.range(1, 3000));
          // copy: the reader may keep a partial frame, never the caller's chunk
          const chunk = Buffer.from(buf.subarray(pos, pos + n));
          reader.push(chunk, (b, c) => {
            for (let i = 0; i < b.meta[Meta.Rows]; i++) {
              got.push(messageFromRow(b, i, c));
              offs.push(reader.base + b.frameOff[i]);
            }
          });
          chunk.fill(0xee); // whatever the reader did not copy must not be read later
          pos += n;
        }
        assert.is(reader.pending, 0, `${impl} seed ${seed}: no partial frame left`);
        assert.is(got.length, msgs.length, `${impl} seed ${seed} round ${round}: message count`);
        for (let i = 0; i < msgs.length; i++) assert.equal(got[i], msgs[i], `${impl} seed ${seed} round ${round} message ${i}`);
        assert.equal(offs, frameOffs, `${impl} seed ${seed} round ${round}: stream offsets`);
      }
    }
  });
}

test.run();

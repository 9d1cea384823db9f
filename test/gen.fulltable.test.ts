// The full-table generator: deterministic, unique prefixes with a realistic length mix, and bytes that decode back to the table.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDecoder } from '../ts/codec/decoder';
import { Attr, createBatch, Kind, Meta } from '../ts/codec/layout';
import { messageFromRow } from '../ts/codec/format';
import { AF_INET, AF_INET6, RTN_BLACKHOLE } from '../ts/codec/encoder';
import { encodeTable, FullTable, generateFullTable, inlinePaths, NO_NH, RouteSet } from '../ts/gen/fulltable';

const OPTS = { v4: 60_000, v6: 14_000, seed: 42 };
const table = generateFullTable(OPTS);

function share(set: RouteSet, len: number): number {
  let n = 0;
  for (let i = 0; i < set.count; i++) if (set.len[i] === len) n++;
  return n / set.count;
}

function keyCmp(set: RouteSet, i: number, j: number): number {
  for (let k = 0; k < set.words; k++) {
    const d = set.addr[i * set.words + k] - set.addr[j * set.words + k];
    if (d !== 0) return d;
  }
  return set.len[i] - set.len[j];
}

test('same seed, same bytes; another seed, another table', () => {
  const again = encodeTable(generateFullTable(OPTS), { nhgMode: true });
  assert.ok(again.equals(encodeTable(table, { nhgMode: true })));
  const other = generateFullTable({ ...OPTS, seed: 43 });
  assert.not.ok(Buffer.from(other.v4.addr.buffer).equals(Buffer.from(table.v4.addr.buffer)));
});

test('counts, strict (address, length) order (so every prefix is unique), host bits clear', () => {
  for (const [set, n] of [
    [table.v4, OPTS.v4],
    [table.v6, OPTS.v6],
  ] as const) {
    assert.is(set.count, n);
    for (let i = 1; i < set.count; i++) if (!(keyCmp(set, i - 1, i) < 0)) assert.unreachable(`route ${i} out of order or duplicate`);
    for (let i = 0; i < set.count; i++) {
      const len = set.len[i];
      for (let k = 0; k < set.words; k++) {
        const bitsHere = Math.max(0, Math.min(32, len - 32 * k));
        const hostMask = bitsHere === 32 ? 0 : (0xffffffff >>> bitsHere) >>> 0;
        if ((set.addr[i * set.words + k] & hostMask) !== 0) assert.unreachable(`route ${i}: host bits set`);
      }
    }
  }
});

test('prefix-length mix: IPv4 mostly /24, IPv6 mostly /48; addresses from unicast space', () => {
  const v24 = share(table.v4, 24);
  assert.ok(v24 > 0.55 && v24 < 0.65, `/24 ${v24}`);
  for (const l of [22, 23, 21, 20, 19, 16]) assert.ok(share(table.v4, l) > 0.01, `/${l}`);
  assert.ok(share(table.v4, 22) > share(table.v4, 20));
  const v48 = share(table.v6, 48);
  assert.ok(v48 > 0.4 && v48 < 0.52, `/48 ${v48}`);
  for (const l of [32, 44, 40, 36, 29]) assert.ok(share(table.v6, l) > 0.02, `/${l}`);
  for (let i = 0; i < table.v4.count; i++) {
    const o = table.v4.addr[i] >>> 24;
    const connected = table.v4.proto[i] === 2;
    if (!connected && (o === 0 || o === 10 || o === 127 || o >= 224)) assert.unreachable(`route ${i}: first octet ${o}`);
  }
  for (let i = 0; i < table.v6.count; i++) {
    const top = table.v6.addr[i * 4] >>> 29;
    if (table.v6.proto[i] !== 2 && top !== 1) assert.unreachable(`route ${i}: outside 2000::/3`);
  }
});

test('nexthop objects: singletons per upstream, 2/4-way ECMP, weighted, backups; each named only after it is sent', () => {
  const t: FullTable = table;
  const seen = new Set<number>();
  const ids = new Set(t.nexthops.map((o) => o.id));
  assert.is(ids.size, t.nexthops.length, 'ids unique');
  for (const o of t.nexthops) {
    for (const m of o.group ?? []) assert.ok(seen.has(m.id), `group ${o.id}: member ${m.id} sent before`);
    if (o.backupNhg !== undefined) assert.ok(seen.has(o.backupNhg), `${o.id}: backup ${o.backupNhg} sent before`);
    seen.add(o.id);
  }
  const groups = t.nexthops.filter((o) => o.group);
  assert.ok(groups.some((g) => g.group?.length === 4));
  assert.ok(groups.some((g) => g.group?.length === 2 && g.group.every((m) => m.weight === 1)));
  assert.ok(groups.some((g) => g.group?.some((m) => m.weight !== 1)));
  assert.ok(t.nexthops.filter((o) => o.backupNhg !== undefined).length >= 2);
  const oifs = new Set(t.nexthops.filter((o) => o.oif !== undefined).map((o) => o.oif));
  assert.equal([...oifs].sort(), [2, 3, 4, 5]);
  // routes spread over many objects, most of them BGP, some statics and blackholes
  const used = new Set<number>();
  let bgp = 0;
  let blackhole = 0;
  for (const set of [t.v4, t.v6]) {
    for (let i = 0; i < set.count; i++) {
      if (set.nh[i] !== NO_NH) used.add(set.nh[i]);
      if (set.proto[i] === 186) bgp++;
      if (set.rtype[i] === RTN_BLACKHOLE) blackhole++;
    }
  }
  assert.ok(used.size >= 30, `${used.size} objects used`);
  assert.ok(bgp / (t.v4.count + t.v6.count) > 0.99);
  assert.ok(blackhole > 0);
});

function decodeAll(buf: Buffer) {
  const d = createDecoder('ts', createBatch({ rows: 1 << 17, paths: 1 << 18, groups: 1 << 16, labels: 1 << 16 }));
  d.decode(buf, 0, buf.length);
  assert.is(d.batch.meta[Meta.Consumed], buf.length);
  return d.batch;
}

test('NHG mode: nexthop objects first, then every route with its RTA_NH_ID, then the end marker', () => {
  const buf = encodeTable(table, { nhgMode: true, endMarker: true });
  const b = decodeAll(buf);
  const nn = table.nexthops.length;
  assert.is(b.meta[Meta.Rows], nn + table.v4.count + table.v6.count + 1);
  for (let i = 0; i < nn; i++) {
    const o = table.nexthops[i];
    const m = messageFromRow(b, i, buf);
    assert.is(m.kind, 'nexthop');
    if (m.kind !== 'nexthop') return;
    assert.is(m.id, o.id);
    assert.equal(m.group, o.group);
    assert.is(m.backupNhg, o.backupNhg);
    assert.is(m.oif, o.oif);
    assert.is(m.blackhole, o.blackhole);
  }
  let row = nn;
  for (const set of [table.v4, table.v6]) {
    for (let i = 0; i < set.count; i++, row++) {
      if (b.kind[row] !== Kind.Route || b.err[row] !== 0 || b.family[row] !== set.family || b.dstLen[row] !== set.len[i] || b.protocol[row] !== set.proto[i] || b.rtype[row] !== set.rtype[i]) {
        assert.unreachable(`route row ${row}`);
      }
      const off = b.dstOff[row];
      for (let k = 0; k < set.words; k++) if (buf.readUInt32BE(off + 4 * k) !== set.addr[i * set.words + k]) assert.unreachable(`route row ${row}: dst`);
      const hasNh = (b.attrs[row] & Attr.NhId) !== 0;
      if (set.nh[i] === NO_NH ? hasNh : !hasNh || b.nhId[row] !== table.nexthops[set.nh[i]].id) assert.unreachable(`route row ${row}: nh`);
    }
  }
  assert.is(b.kind[row], Kind.Done);
});

test('inline mode: routes carry their nexthops (RTA_GATEWAY/RTA_OIF or RTA_MULTIPATH), no nexthop objects', () => {
  const small = generateFullTable({ v4: 3000, v6: 1000, seed: 5 });
  const buf = encodeTable(small, { nhgMode: false });
  const b = decodeAll(buf);
  assert.is(b.meta[Meta.Rows], small.v4.count + small.v6.count);
  let row = 0;
  for (const set of [small.v4, small.v6]) {
    for (let i = 0; i < set.count; i++, row++) {
      const m = messageFromRow(b, row, buf);
      if (m.kind !== 'route') return assert.unreachable('route');
      assert.is(m.nhId, undefined);
      if (set.nh[i] === NO_NH) {
        assert.ok(m.gateway === undefined && m.paths === undefined && m.oif === undefined);
        continue;
      }
      const want = inlinePaths(small, set.nh[i]);
      if (want.length === 1) {
        assert.is(m.oif, want[0].oif);
        const gw = want[0].gateway;
        assert.is(m.gateway === undefined, gw === undefined);
      } else {
        assert.equal(
          m.paths?.map((p) => [p.oif, p.weight]),
          want.map((p) => [p.oif, p.weight]),
        );
      }
      assert.is(m.family, set.family === AF_INET ? AF_INET : AF_INET6);
    }
  }
});

test.run();

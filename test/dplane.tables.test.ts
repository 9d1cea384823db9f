// Entry storage (ts/dplane/tables.ts) and prefix keys (KeyTable.probePrefix, maskWord): the one masking rule every key goes through.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KeyTable, maskWord } from '../ts/dplane/keytable';
import { Tables } from '../ts/dplane/tables';
import { FC_MPLS, FC_V4, FC_V6 } from '../ts/dplane/model';
import { uniformSource as prng } from '../ts/gen/rng';

/** The prefix's network address by BigInt arithmetic, as 4-byte words. */
function reference(addr: Uint8Array, len: number): number[] {
  const bits = addr.length * 8;
  let a = 0n;
  for (const b of addr) a = (a << 8n) | BigInt(b);
  const mask = len === 0 ? 0n : ((1n << BigInt(len)) - 1n) << BigInt(bits - len);
  const n = a & mask;
  const out: number[] = [];
  for (let w = addr.length / 4 - 1; w >= 0; w--) out.push(Number((n >> BigInt(32 * w)) & 0xffffffffn));
  return out;
}

test('maskWord clears the bits past the prefix, at every boundary', () => {
  assert.is(maskWord(0xffffffff, 0), 0);
  assert.is(maskWord(0xffffffff, -5), 0, 'a word wholly past the prefix');
  assert.is(maskWord(0xffffffff, 1), 0x80000000);
  assert.is(maskWord(0xffffffff, 31), 0xfffffffe);
  assert.is(maskWord(0xffffffff, 32), 0xffffffff);
  assert.is(maskWord(0xffffffff, 33), 0xffffffff, 'a word wholly inside the prefix');
  assert.is(maskWord(0x0a0102ff, 24), 0x0a010200);
  assert.ok(maskWord(0x80000000, 1) >= 0, 'unsigned');
});

test('probePrefix keys every length like the BigInt reference, IPv4 and IPv6, at any offset', () => {
  const rnd = prng(5);
  for (const words of [1, 4]) {
    const t = new KeyTable(words, 16);
    const bytes = new Uint8Array(40);
    for (let len = 0; len <= 32 * words; len++) {
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rnd() * 256);
      const off = 3 + (len % 7);
      t.probePrefix(bytes, off, len, 9);
      assert.equal(Array.from(t.k.subarray(0, words)), reference(bytes.subarray(off, off + 4 * words), len), `/${len} of ${words} words`);
      assert.is(t.kLen, len);
      assert.is(t.kTbl, 9);
    }
  }
});

test('table indexes: created on demand, looked up without creating, and a 65537th table is a RangeError naming it', () => {
  const t = new Tables({});
  assert.is(t.tableIndex(254, false), -1);
  assert.is(t.tableIndex(254, true), 0);
  assert.is(t.tableIndex(254, false), 0);
  assert.is(t.tableIndex(1000, true), 1);
  assert.is(t.tableIndex(254, true), 0);
  assert.equal(t.tableIds, [254, 1000]);
  assert.equal(t.routeCounts, [0, 0, 0, 0, 0, 0], 'a count per family per table');
  for (let i = 2; i < 65536; i++) t.tableIndex(5000 + i, true);
  assert.is(t.tableIndex(5000 + 65535, true), 65535);
  assert.throws(() => t.tableIndex(77, true), (e: Error) => e instanceof RangeError && /routing table 77: more than 65536 routing tables/.test(e.message));
  assert.is(t.tableIndex(77, false), -1, 'nothing half-created');
  assert.is(t.tableIds.length, 65536);
});

test('sizing: expectedRoutes splits as a full table does; MAC columns follow the MAC table', () => {
  const t = new Tables({ expectedRoutes: 1_000_000 });
  assert.ok(t.rt[FC_V4].cap >= 850_000 && t.rt[FC_V4].cap < 1_000_000);
  assert.ok(t.rt[FC_V6].cap >= 220_000 && t.rt[FC_V6].cap < 400_000);
  const small = new Tables({ capacity: { inet: 16, macs: 16 } });
  const m = small.macs;
  for (let i = 0; i < 100; i++) {
    m.k[0] = i;
    m.k[1] = 0;
    m.k[2] = i;
    m.insert();
    small.growMacColumns();
    assert.ok(small.macVni.length >= m.cap && small.macVtepFam.length >= m.cap && small.macVtep.length >= m.cap * 16);
  }
  assert.ok(small.bytes() > 0);
});

test('keys read back: address bytes and route key of an entry', () => {
  const t = new Tables({});
  const ix = t.tableIndex(1001, true);
  const v6 = t.rt[FC_V6];
  v6.probePrefix(Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), 0, 32, ix);
  const id = v6.insert();
  v6.proto[id] = 186;
  const out = new Uint8Array(16).fill(7);
  t.keyBytes(FC_V6, id, out);
  assert.equal(Array.from(out), [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(t.routeKeyOf(FC_V6, id), { family: 10, table: 1001, addr: out, len: 32, label: 0, protocol: 186 });
  const mpls = t.rt[FC_MPLS];
  mpls.k[0] = 100;
  mpls.kLen = 20;
  mpls.kTbl = t.tableIndex(0, true);
  const l = mpls.insert();
  assert.equal(t.routeKeyOf(FC_MPLS, l), { family: 28, table: 0, addr: new Uint8Array(0), len: 20, label: 100, protocol: 0 });
});

test.run();

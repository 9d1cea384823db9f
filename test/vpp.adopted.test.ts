// The adoption's compact route table (ts/vpp/adopt/adopted.ts) against a Map: add, take, sweep, growth, tombstones.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AdoptedRoutes } from '../ts/vpp/adopt/adopted';
import { Rng } from '../ts/gen/rng';

for (const words of [1, 4] as const) {
  test(`${words === 1 ? 'IPv4' : 'IPv6'}: 20,000 random operations agree with a Map`, () => {
    const t = new AdoptedRoutes(words, 16);
    const model = new Map<string, [number, number, number]>();
    const rng = new Rng(words * 77);
    const k = new Uint32Array(words);
    const keyOf = () => {
      for (let w = 0; w < words; w++) k[w] = rng.int(64) * 0x01000000; // few distinct keys: many collisions
      return { len: 8 + rng.int(3), tbl: rng.int(3) };
    };
    for (let i = 0; i < 20_000; i++) {
      const { len, tbl } = keyOf();
      const name = `${Array.from(k).join('.')}/${len}@${tbl}`;
      if (rng.int(3) > 0) {
        const v: [number, number, number] = [rng.int(1 << 30), rng.int(1 << 30), rng.int(100)];
        t.add(k, len, tbl, ...v);
        model.set(name, v);
      } else {
        const had = model.get(name);
        assert.is(t.take(k, len, tbl), had !== undefined, name);
        if (had) assert.equal([t.a, t.b, t.host], had);
        model.delete(name);
        // Exact after a lookup (records added since are sorted in first).
        assert.is(t.size, model.size);
      }
    }
    const left: string[] = [];
    t.sweep((kk, len, tbl) => {
      left.push(`${Array.from(kk).join('.')}/${len}@${tbl}`);
      return left.length % 2 === 0;
    });
    assert.equal(left.sort(), [...model.keys()].sort());
    assert.is(t.size, model.size - Math.floor(model.size / 2));
  });
}

test('records come in any order; lookups in prefix order (zebra\'s replay), in reverse and at random all find each route once', () => {
  const n = 50_000;
  const rng = new Rng(5);
  const keys: [number, number, number][] = [];
  for (let i = 0; i < n; i++) keys.push([rng.int(3), (rng.int(1 << 24) << 8) >>> 0, 16 + rng.int(9)]);
  const uniq = [...new Map(keys.map((x) => [x.join('/'), x])).values()];
  const k = new Uint32Array(1);
  const byOrder = {
    prefix: [...uniq].sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2]),
    reverse: [...uniq].sort((x, y) => y[0] - x[0] || y[1] - x[1] || y[2] - x[2]),
    random: uniq.map((x) => [rng.int(1 << 30), x] as const).sort((p, q) => p[0] - q[0]).map((p) => p[1]),
  };
  for (const [name, order] of Object.entries(byOrder)) {
    const t = new AdoptedRoutes(1, 16);
    for (const [tbl, a, len] of uniq) {
      k[0] = a;
      t.add(k, len, tbl, (a ^ 1) >>> 0, len, tbl + 1);
    }
    for (const [tbl, a, len] of order) {
      k[0] = a;
      if (!t.take(k, len, tbl) || t.a !== (a ^ 1) >>> 0 || t.b !== len || t.host !== tbl + 1) assert.unreachable(`${name}: ${tbl}/${a}/${len}`);
      if (t.take(k, len, tbl)) assert.unreachable(`${name}: taken twice`);
      // A neighbour that was never added is not found.
      k[0] = a + 1;
      if (t.take(k, len, tbl)) assert.unreachable(`${name}: ${a + 1} found`);
    }
    assert.is(t.size, 0, name);
  }
});

test('a million routes: every one found once, then none', () => {
  const t = new AdoptedRoutes(1);
  const k = new Uint32Array(1);
  for (let i = 0; i < 1_000_000; i++) {
    k[0] = Math.imul(i, 2654435761) >>> 0;
    t.add(k, 24, 0, i, ~i >>> 0, 0);
  }
  assert.is(t.size, 1_000_000);
  for (let i = 0; i < 1_000_000; i++) {
    k[0] = Math.imul(i, 2654435761) >>> 0;
    if (!t.take(k, 24, 0) || t.a !== i) assert.unreachable(`route ${i}`);
  }
  assert.is(t.size, 0);
  k[0] = 0;
  assert.is(t.take(k, 24, 0), false);
});

test.run();

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
      }
      assert.is(t.size, model.size);
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

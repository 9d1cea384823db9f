// VPP's u8 path weights: zebra's weights above 255 are scaled with the error bound ts/vpp/weights.ts documents.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scaleWeights, VPP_MAX_WEIGHT } from '../ts/vpp/weights';
import { Rng } from '../ts/gen/rng';

test('weights that fit in a u8 are kept as zebra sent them (8.4.4 and 10.3 never exceed 256)', () => {
  assert.equal(scaleWeights([1, 3]), [1, 3]);
  assert.equal(scaleWeights([84, 254]), [84, 254]);
  assert.equal(scaleWeights([255, 1, 7]), [255, 1, 7]);
  assert.equal(scaleWeights([]), []);
});

test('16-bit weights: the heaviest leg becomes 255, the ratios are kept', () => {
  assert.equal(scaleWeights([256, 1]), [255, 1]);
  assert.equal(scaleWeights([65536, 16384]), [255, 64]);
  assert.equal(scaleWeights([1000, 3000]), [85, 255]);
  // 256:1 must not become 255:1 by clamping a single leg: the lighter leg is scaled with it.
  assert.equal(scaleWeights([300, 300, 600]), [128, 128, 255]);
});

test('the documented bound holds on random groups (relative weight within half a step; shares within (e + s*n*e)/W\')', () => {
  const rng = new Rng(10);
  for (let round = 0; round < 20000; round++) {
    const n = rng.range(1, 64);
    const w: number[] = [];
    const top = rng.bool(0.5) ? 65536 : rng.range(256, 4096);
    for (let i = 0; i < n; i++) w.push(rng.range(1, top + 1));
    const s = scaleWeights(w);
    const max = Math.max(...w);
    assert.is(s.length, n);
    if (max <= VPP_MAX_WEIGHT) {
      assert.equal(s, w);
      continue;
    }
    assert.is(Math.max(...s), VPP_MAX_WEIGHT, 'the heaviest leg is 255');
    let raised = false;
    for (let i = 0; i < n; i++) {
      assert.ok(Number.isInteger(s[i]) && s[i] >= 1 && s[i] <= 255, `u8 weight ${s[i]}`);
      const rel = w[i] / max;
      if (rel * 255 < 0.5) {
        assert.is(s[i], 1, 'a leg lighter than max/510 is raised to 1, never dropped');
        raised = true;
      } else assert.ok(Math.abs(s[i] / 255 - rel) <= 0.5 / 255 + 1e-12, `leg ${i}: ${w[i]}/${max} -> ${s[i]}/255`);
    }
    const W = w.reduce((a, b) => a + b, 0);
    const W2 = s.reduce((a, b) => a + b, 0);
    const e = raised ? 1 : 0.5;
    for (let i = 0; i < n; i++) {
      const sh = w[i] / W;
      assert.ok(Math.abs(s[i] / W2 - sh) <= (e + sh * n * e) / W2 + 1e-12, `share of leg ${i}`);
    }
  }
});

test.run();

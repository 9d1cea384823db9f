// The batch layout: column placement is deterministic and every column fits its capacity.
import { test } from 'uvu';
import { execFileSync } from 'child_process';
import * as path from 'path';
import * as assert from 'uvu/assert';
import { createBatch, layoutOffsets, ALL_COLUMN_NAMES, MIN_ROWS } from '../ts/codec/layout';

test('columns are 8-byte aligned, disjoint and inside the buffer', () => {
  const b = createBatch({ rows: 5000 });
  const names = ALL_COLUMN_NAMES;
  const spans = names.map((n) => {
    const a = (b as unknown as Record<string, ArrayBufferView>)[n];
    return [a.byteOffset, a.byteOffset + a.byteLength, n] as const;
  });
  spans.sort((x, y) => x[0] - y[0]);
  for (let i = 0; i < spans.length; i++) {
    assert.is(spans[i][0] % 8, 0, `${spans[i][2]} aligned`);
    if (i > 0) assert.ok(spans[i][0] >= spans[i - 1][1], `${spans[i][2]} after ${spans[i - 1][2]}`);
  }
  assert.ok(spans[spans.length - 1][1] <= b.buffer.byteLength);
  assert.is(b.offsets.length, names.length);
});

test('capacities below the minimum are raised', () => {
  const b = createBatch({ rows: 1 });
  assert.is(b.cap.rows, MIN_ROWS);
  assert.is(b.kind.length, MIN_ROWS);
  assert.is(layoutOffsets(b.cap).byteLength, b.buffer.byteLength);
});

test('a batch has a fixed shape (fast properties), not a dictionary', () => {
  // V8 turns an object into a hash table when ~60 properties are added under computed names;
  // every column access of a decoder or consumer would then be a lookup. Checked in a child
  // process because the probe needs --allow-natives-syntax.
  const layout = path.join(__dirname, '..', 'ts', 'codec', 'layout.js');
  const out = execFileSync(
    process.execPath,
    ['--allow-natives-syntax', '-e', `const b = require(${JSON.stringify(layout)}).createBatch(); process.stdout.write(String(%HasFastProperties(b)))`],
    { encoding: 'utf8' },
  );
  assert.is(out, 'true');
});

test.run();

// Parking costs a few bytes per route, not an object per missing group: 100,000 routes, each
// naming its own nexthop id zebra never sent, against the same routes on one present group.
// Measured in fresh processes (test/helpers/parked-rss.ts), the median of three runs each.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'child_process';
import * as path from 'path';

const N = 100_000;
const BOUND = 64; // bytes of RSS per parked route, over the route itself
const SCRIPT = path.join(__dirname, 'helpers', 'parked-rss.js');

interface Run {
  mode: string;
  routes: number;
  parked: number;
  rssBytes: number;
  perRoute: number;
}

function run(mode: 'missing' | 'present'): Run {
  return JSON.parse(execFileSync(process.execPath, ['--expose-gc', SCRIPT, mode, String(N)], { encoding: 'utf8', timeout: 120_000 }));
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test(`100k routes parked on 100k distinct missing groups add at most ${BOUND} B/route of RSS`, () => {
  const missing: Run[] = [];
  const present: Run[] = [];
  for (let i = 0; i < 3; i++) {
    missing.push(run('missing'));
    present.push(run('present'));
  }
  for (const r of missing) {
    assert.is(r.routes, N);
    assert.is(r.parked, N, 'every route waits for its group');
  }
  for (const r of present) assert.is(r.parked, 0);
  const m = median(missing.map((r) => r.perRoute));
  const p = median(present.map((r) => r.perRoute));
  const extra = m - p;
  console.log(`  parked on distinct missing groups: ${m.toFixed(1)} B/route RSS; on one present group: ${p.toFixed(1)} B/route; parking adds ${extra.toFixed(1)} B/route`);
  assert.ok(extra <= BOUND, `parking adds ${extra.toFixed(1)} B/route (bound ${BOUND})`);
});

test.run();

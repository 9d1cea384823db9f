// The soak harness's own parts (bench/soak/): schedule, options, checks and stray clients' bytes; the soak itself runs from .ci/run, not here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { autoSpacing, DEFAULT_FAULTS, plan } from '../bench/soak/schedule';
import { parseOptions, SoakOptions } from '../bench/soak/options';
import { compareFibs, judgeResources } from '../bench/soak/checks';
import { payload } from '../bench/soak/clients';
import type { Fib } from '../ts/frr-lab/fib';
import { repoRoot } from './helpers/fixtures';

const parse = (...a: string[]) => parseOptions(a, repoRoot()) as SoakOptions;

test('plan: kinds in order, cycle after cycle, each due at least one spacing before the end', () => {
  const kinds = ['zebra-cut', 'dp-close', 'fibpush-kill'] as const;
  const slots = plan(kinds, 100, 15);
  assert.equal(slots.map((s) => s.at), [10, 25, 40, 55, 70, 85]);
  assert.equal(slots.map((s) => s.kind), ['zebra-cut', 'dp-close', 'fibpush-kill', 'zebra-cut', 'dp-close', 'fibpush-kill']);
  assert.equal(slots.map((s) => s.cycle), [1, 1, 1, 2, 2, 2]);
  assert.equal(slots.map((s) => s.endsCycle), [false, false, true, false, false, true]);
  for (const s of slots) assert.ok(s.at + 15 <= 100);
  assert.equal(plan([], 100, 15), []);
});

test('autoSpacing: two full cycles of the default faults in the 5-minute CI soak', () => {
  const churn = 5 * 60 - 25; // minus the load and the final check
  const every = autoSpacing(churn, DEFAULT_FAULTS.length);
  const slots = plan(DEFAULT_FAULTS, churn, every);
  assert.ok(slots.filter((s) => s.endsCycle).length >= 1, `${slots.length} slots every ${every} s`);
  assert.ok(new Set(slots.map((s) => s.kind)).size === DEFAULT_FAULTS.length, 'every default kind at least once');
  assert.is(autoSpacing(3600, 9), 60);
  assert.is(autoSpacing(60, 9), 15);
});

test('options: defaults (every fault kind), a chosen set, and errors that name the option', () => {
  const o = parse();
  assert.is(o.minutes, 60);
  assert.is(o.routes, 200_000);
  assert.is(o.churnRate, 2000);
  assert.is(o.zebra, 'generated');
  // The silent and end-marker-only clients are held off by the trust boundary: in the default set.
  assert.ok(o.faults.includes('silent-client'));
  assert.ok(o.faults.includes('done-client'));
  assert.ok(parse('--faults', 'all').faults.includes('silent-client'));
  assert.equal(parse('--faults', 'silent-client,zebra-cut').faults, ['silent-client', 'zebra-cut']);
  assert.is(parse('--zebra', 'real').routes, 10_000);
  assert.equal(parse('--daemon-arg', '--zebra-user', '--daemon-arg', 'frr').daemonArgs, ['--zebra-user', 'frr']);
  assert.throws(() => parse('--minutes', 'abc'), /Expected a number between 1 and \d+ for --minutes but received "abc"/);
  assert.throws(() => parse('--faults', 'zebra-cut,nope'), /Unknown fault "nope" for --faults/);
  assert.throws(() => parse('--churn-mix', '1,2'), /three non-negative shares/);
  assert.is(parse('--vpp-run', '/tmp/x').vppRun, '/tmp/x');
  assert.equal(parse('--vpp-run', '/tmp/x').nexthops, '10.0.0.2@1,10.0.1.2@2,fd00:0:0:1::2@1,fd00:0:0:2::2@2', 'the run script\'s loopbacks');
  assert.throws(() => parse('--vpp-run', '/tmp/x', '--zebra', 'real'), /with --vpp-run use --zebra generated/);
  assert.throws(() => parse('--bogus'), /Unknown option "--bogus"/);
  assert.is(parseOptions(['--help'], repoRoot()), 'help');
});

const fib = (rows: [string, string[]][]): Fib =>
  new Map(rows.map(([k, gws]) => [k, { table: 254, prefix: k.split(' ')[1], type: 'unicast', nexthops: gws.map((gw) => ({ gw, ifindex: 2, weight: 1 })) }]));

test('compareFibs: missing, wrong, extra; lost only for routes unchanged and untouched since the mark', () => {
  const before = fib([['254 10.0.0.0/24', ['10.9.0.1']], ['254 10.0.1.0/24', ['10.9.0.1']], ['254 10.0.2.0/24', ['10.9.0.1']], ['254 10.0.3.0/24', ['10.9.0.1']]]);
  const zebra = fib([['254 10.0.0.0/24', ['10.9.0.1']], ['254 10.0.1.0/24', ['10.9.0.2']], ['254 10.0.2.0/24', ['10.9.0.1']], ['254 10.0.3.0/24', ['10.9.0.1']]]);
  const dp = fib([['254 10.0.1.0/24', ['10.9.0.1']], ['254 10.0.2.0/24', ['10.9.0.2']], ['254 10.0.3.0/24', ['10.9.0.1']], ['254 10.0.9.0/24', ['10.9.0.1']]]);
  const r = compareFibs(zebra, dp, 1, 0, before, new Set(['254 10.0.2.0/24']));
  assert.is(r.missing, 1); // 10.0.0.0/24
  assert.is(r.wrong, 2); // 10.0.1.0/24 (zebra changed it: not lost), 10.0.2.0/24 (touched by churn: not lost)
  assert.is(r.extra, 1);
  assert.is(r.lost, 1);
  assert.match(r.examples[0], 'lost: 254 10.0.0.0/24');
  assert.is(compareFibs(zebra, zebra, 1, 0, null).lost, null);
});

test('judgeResources: growth over the first cycle within the tolerance passes, beyond fails; fds may not climb', () => {
  const m = (cycle: number, rssMB: number, fds: number) => ({ cycle, t: cycle * 100, rssMB, fds });
  assert.is(judgeResources([m(1, 100, 20)], 5).rssOk, null);
  const ok = judgeResources([m(1, 100, 20), m(2, 104.9, 21), m(3, 98, 20)], 5);
  assert.is(ok.rssOk, true);
  assert.is(ok.fdsOk, true);
  const bad = judgeResources([m(1, 100, 20), m(2, 103, 20), m(3, 106, 25)], 5);
  assert.is(bad.rssOk, false);
  assert.is(bad.rssGrowthPct, 6);
  assert.is(bad.fdsOk, false);
  assert.is(bad.fdGrowth, 5);
});

test('judgeResources: a new fibpush each cycle is judged on growth that stays, from three cycles', () => {
  const m = (cycle: number, rssMB: number, pid: number) => ({ cycle, t: cycle * 100, rssMB, fds: 20, pid });
  const two = judgeResources([m(1, 100, 1), m(2, 111, 2)], 5);
  assert.is(two.rssOk, null, 'two processes cannot tell a leak from heap state');
  assert.is(two.fdsOk, true);
  assert.is(judgeResources([m(1, 100, 1), m(2, 111, 2), m(3, 101, 3)], 5).rssOk, true, 'a bump that does not stay');
  const leak = judgeResources([m(1, 100, 1), m(2, 108, 2), m(3, 112, 3)], 5);
  assert.is(leak.rssOk, false);
  assert.is(leak.rssGrowthPct, 8);
});

test('stray clients: garbage is not FPM version 1; done is one frame holding a lone NLMSG_DONE', () => {
  const g = payload('garbage', 7);
  assert.is(g.length, 4096);
  assert.is.not(g[0], 1);
  assert.equal(payload('garbage', 7), g, 'seeded');
  assert.is(payload('silent', 1).length, 0);
  const d = payload('done', 1);
  assert.equal([d[0], d[1], d.readUInt16BE(2)], [1, 1, d.length], 'FPM header: version 1, netlink, frame length');
  assert.is(d.readUInt32LE(4), d.length - 4, 'one netlink message fills the frame');
  assert.is(d.readUInt16LE(8), 3, 'NLMSG_DONE');
});

test.run();

// `fibpush demo` as a new user runs it: the whole pipeline on embedded defaults, its report, and nothing left behind.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from './helpers/fixtures';
import { fibFromTable } from '../ts/frr-lab/sim-fib';
import { generateFullTable } from '../ts/gen/fulltable';

const BIN = path.join(repoRoot(), 'bin', 'fibpush.js');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const tmpEntries = () => new Set(fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith('fibpush-demo-')));

test('the demo syncs a generated table through fibpush into the VPP simulator and reports it', async () => {
  const before = tmpEntries();
  const r = await run(['demo', '--routes', '6000', '--show', '4', '--seed', '3']);
  assert.is(r.code, 0, r.stderr);
  const out = r.stdout;
  const m = /a generated table: ([\d,]+) IPv4 \+ ([\d,]+) IPv6 routes/.exec(out);
  assert.ok(m, out);
  const total = Number(m[1].replace(/,/g, '')) + Number(m[2].replace(/,/g, ''));
  assert.is(total, 6000);
  assert.match(out, /synced 6,000 routes into VPP in /);
  assert.match(out, /^\s+routes\s+6,000 \(inet:254=[\d,]+ inet6:254=[\d,]+\)$/m);
  assert.match(out, /^\s+queue\s+0 \(/m);
  assert.match(out, /^\s+dataplane\s+vpp \S+, connected, 6,000 routes, 0 in flight, 0 failures$/m);
  assert.match(out, /zebra received 6,000 RTM_F_OFFLOAD and 0 RTM_F_OFFLOAD_FAILED notifications/);
  // Lookups: 3 IPv4 routes (one per nexthop object) and one IPv6, each answered by the simulator's FIB.
  const lookups = out.split('\n').filter((l) => /^\s{2}\S+\/\d+\s+(via |drop)/.test(l));
  assert.is(lookups.length, 4, out);
  assert.ok(lookups.every((l) => /\[zebra: (nexthop object \d+|static blackhole)/.test(l)), lookups.join('\n'));
  assert.ok(lookups.some((l) => /\d+%/.test(l)), 'an ECMP route shows its split');
  // What the demo shows VPP forwarding with is what the generated zebra table says.
  const v4 = Number(m[1].replace(/,/g, ''));
  const want = fibFromTable(generateFullTable({ v4, v6: total - v4, seed: 3, upstreams: 4 }));
  for (const l of lookups) {
    const prefix = l.trim().split(/\s+/)[0];
    const r = want.get(`254 ${prefix}`);
    assert.ok(r, `${prefix} is a route of the table`);
    const gws = [...l.matchAll(/via (\S+)/g)].map((x) => x[1]).sort();
    assert.equal(gws, r.nexthops.map((n) => n.gw).sort(), l);
  }
  assert.match(out, /VPP simulator: [\d,]+ routes, [\d,]+ API messages in, 0 protocol errors/);
  // Not a terminal: no progress line, and no warnings.
  assert.not.match(r.stderr, /sync:/);
  assert.is(r.stderr.trim(), '');
  const left = [...tmpEntries()].filter((d) => !before.has(d));
  assert.equal(left, [], 'temporary directories removed');
  const api = /API socket (\S+)/.exec(out)![1];
  assert.not.ok(fs.existsSync(path.dirname(api)), 'the simulator is gone with its directory');
  const control = /control (\S+\.sock)/.exec(out)![1];
  assert.not.ok(fs.existsSync(control), 'the control socket is gone');
});

test('--help and bad options', async () => {
  const h = await run(['demo', '--help']);
  assert.is(h.code, 0);
  assert.match(h.stdout, /--routes N/);
  assert.match(h.stdout, /--real-zebra/);
  const bad = await run(['demo', '--routes', 'lots']);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /Expected a route count between 100 and 5000000 for --routes but received "lots"/);
});

test.run();

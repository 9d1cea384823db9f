// `fibpush run` options: the parser, the --config file and --help agree, and bad values get sharp-style messages.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hostPortOption, parseArgs, UsageError } from '../ts/options';
import { RUN_OPTIONS, ResolveEnv, resolveConfig, runHelp, runOptionSpec } from '../ts/daemon/config';
import { isLoopbackAddress } from '../ts/fpm/server';

const none: ResolveEnv = { exists: () => false, isTTY: false, env: {} };
const parse = (argv: string[], renv = none) => {
  const { opts, positionals } = parseArgs(argv, runOptionSpec());
  return resolveConfig(opts, positionals, renv);
};
const throwsUsage = (fn: () => unknown, re: RegExp) => {
  try {
    fn();
  } catch (e) {
    assert.instance(e, UsageError);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected a UsageError matching ${re}`);
};

test('defaults: loopback 2620, memory dataplane announced when no VPP socket', () => {
  const c = parse([]);
  assert.equal(c.listen, { host: '127.0.0.1', port: 2620 });
  assert.is(c.dataplane, 'memory');
  assert.match(c.dataplaneReason, /no VPP socket at \/run\/vpp\/api\.sock/);
  assert.is(c.metrics, null);
  assert.is(c.mode, 'pic');
  assert.is(c.feedback, true);
  assert.is(c.tableMap.get(254), 0);
  assert.is(c.logFormat, 'json');
});

test('the VPP dataplane is the default when its socket exists', () => {
  const c = parse([], { ...none, exists: (p: string) => p === '/run/vpp/api.sock' });
  assert.is(c.dataplane, 'vpp');
  assert.is(c.vppSocket, '/run/vpp/api.sock');
  const d = parse(['--vpp-socket', '/tmp/x.sock']);
  assert.is(d.dataplane, 'vpp');
  assert.is(d.vppSocket, '/tmp/x.sock');
  assert.is(parse(['--dataplane', 'memory', '--vpp-socket', '/tmp/x.sock']).dataplane, 'memory');
});

test('every option in --help is accepted, and every accepted option is in --help', () => {
  const help = runHelp();
  const inHelp = new Set([...help.matchAll(/^\s+--([a-z-]+)/gm)].map((m) => m[1]));
  inHelp.delete('help');
  const spec = runOptionSpec();
  assert.equal([...inHelp].sort(), Object.keys(spec).sort());
  // Each documented option with its documented placeholder parses (values chosen per placeholder).
  const sample: Record<string, string> = {
    'HOST:PORT': '127.0.0.1:9999',
    'memory|vpp': 'memory',
    PATH: '/tmp/fibpush-test.sock',
    FILE: __filename,
    'LNX=VPP,...': '1001=5',
    N: '10',
    DURATION: '5s',
    'debug|info|warn|error': 'debug',
    'json|logfmt': 'logfmt',
    'native|ts': 'ts',
    'auto|on|off': 'off',
    ADDR: '10.0.0.1',
    'NAME|UID': '0',
  };
  for (const o of RUN_OPTIONS) {
    if (o.name === 'config') continue;
    const argv = o.arg ? [`--${o.name}`, sample[o.arg]] : [`--${o.name}`];
    assert.ok(o.arg === undefined || sample[o.arg] !== undefined, `sample for ${o.arg}`);
    assert.not.throws(() => parse(argv, { ...none, exists: (p: string) => p === __filename }), `--${o.name}`);
    assert.ok(help.includes(`--${o.name}${o.arg ? ` ${o.arg}` : ''}`), `help shows --${o.name}`);
  }
  throwsUsage(() => parse(['--bogus']), /Unknown option --bogus/);
});

test('sharp-style messages for bad values', () => {
  throwsUsage(() => parse(['--listen', 'abc']), /Expected HOST:PORT with a port number between 1 and 65535 for --listen but received "abc"/);
  throwsUsage(() => parse(['--listen', '127.0.0.1:70000']), /for --listen but received "127.0.0.1:70000"/);
  throwsUsage(() => parse(['--dataplane', 'dpdk']), /Expected one of memory, vpp for --dataplane but received "dpdk"/);
  throwsUsage(() => parse(['--quiet-period', '5 sec']), /Expected a duration between 100ms and 600s for --quiet-period \(e.g. 3s or 3000ms; a bare number is milliseconds\) but received "5 sec"/);
  throwsUsage(() => parse(['--idle-timeout', '-1']), /Expected a duration between 0s and 86400s for --idle-timeout \(e.g. 3s or 3000ms; a bare number is seconds\) but received "-1"/);
  throwsUsage(() => parse(['--feedback-rate', '0']), /between 1 and 10000000 for --feedback-rate but received "0"/);
  throwsUsage(() => parse(['--table-map', '254=x']), /LINUX_TABLE=VPP_TABLE .* but received "254=x"/);
  throwsUsage(() => parse(['--pic', '--inline']), /at most one of --pic and --inline/);
  throwsUsage(() => parse(['--interface-map', '/nonexistent/map']), /does not exist/);
  throwsUsage(() => parse(['--vtep-source', 'vtep1']), /Expected an IPv4 or IPv6 address for --vtep-source but received "vtep1"/);
  throwsUsage(() => parse(['extra']), /Unexpected argument "extra"/);
  throwsUsage(() => parse(['--zebra-user', 'no-such-user-here']), /Expected a user name or uid for --zebra-user but received "no-such-user-here" \(no such user\)/);
  throwsUsage(() => parse(['--zebra-user', '0', '--any-peer']), /at most one of --zebra-user and --any-peer/);
  throwsUsage(() => parse(['--control', `/tmp/${'x'.repeat(110)}.sock`]), /Expected a path of at most 107 bytes for --control but received ".*" \(120 bytes\)/);
});

test('the FPM peer: zebra\'s user by default (frr when it exists, else our own), --zebra-user by name or uid, --any-peer', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-passwd-'));
  const withFrr = path.join(dir, 'with-frr');
  const without = path.join(dir, 'without');
  fs.writeFileSync(withFrr, 'root:x:0:0:root:/root:/bin/bash\nfrr:x:102:106:Frr routing suite:/nonexistent:/usr/sbin/nologin\n');
  fs.writeFileSync(without, 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
  try {
    const p = (argv: string[], passwd: string) => parse(argv, { ...none, passwd }).peer;
    assert.equal(p([], withFrr), { kind: 'uid', uid: 102, name: 'frr' });
    assert.equal(p([], without), { kind: 'uid', uid: process.getuid!(), name: process.getuid!() === 0 ? 'root' : String(process.getuid!()) });
    assert.equal(p(['--zebra-user', 'nobody'], without), { kind: 'uid', uid: 65534, name: 'nobody' });
    assert.equal(p(['--zebra-user', '4242'], without), { kind: 'uid', uid: 4242, name: '4242' });
    assert.equal(p(['--any-peer'], withFrr), { kind: 'any' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('--quiet-period and --idle-timeout take a unit (ms, s, m); a bare number keeps the unit each option had', () => {
  const q = (v: string) => parse(['--quiet-period', v]).quietPeriodMs;
  const i = (v: string) => parse(['--idle-timeout', v]).idleTimeoutMs;
  assert.is(parse([]).quietPeriodMs, 3000);
  assert.is(parse([]).idleTimeoutMs, 0, 'never, by default');
  // Bare numbers: milliseconds for --quiet-period, seconds for --idle-timeout, as before.
  assert.is(q('3000'), 3000);
  assert.is(i('30'), 30_000);
  // With a unit, the same on both.
  for (const [text, ms] of [['3s', 3000], ['3000ms', 3000], ['1.5s', 1500], ['2m', 120_000], ['250ms', 250]] as const) {
    assert.is(q(text), ms, `--quiet-period ${text}`);
    assert.is(i(text), ms, `--idle-timeout ${text}`);
  }
  assert.is(i('0s'), 0);
  // Ranges are checked after conversion: 100ms .. 600s for the quiet period, up to a day idle.
  throwsUsage(() => q('99ms'), /between 100ms and 600s for --quiet-period .* but received "99ms"/);
  throwsUsage(() => q('11m'), /but received "11m"/);
  throwsUsage(() => i('86401'), /between 0s and 86400s for --idle-timeout .* but received "86401"/);
  throwsUsage(() => i('1.0005s'), /but received "1.0005s"/);
  for (const bad of ['', 's', '3h', '3 s', '3S', '0x10', '1e3', '-5ms']) throwsUsage(() => i(bad), /for --idle-timeout/);
  const help = runHelp();
  assert.match(help, /--quiet-period DURATION .*a bare number is milliseconds/);
  assert.match(help, /--idle-timeout DURATION .*a bare number is seconds/);
  // A --config file's number keeps the bare meaning; a string may carry a unit.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-cfg-'));
  try {
    const f = path.join(dir, 'c.json');
    fs.writeFileSync(f, JSON.stringify({ 'quiet-period': 1500, 'idle-timeout': 20 }));
    assert.equal([parse(['--config', f]).quietPeriodMs, parse(['--config', f]).idleTimeoutMs], [1500, 20_000]);
    fs.writeFileSync(f, JSON.stringify({ 'quiet-period': '2s', 'idle-timeout': '500ms' }));
    assert.equal([parse(['--config', f]).quietPeriodMs, parse(['--config', f]).idleTimeoutMs], [2000, 500]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('loopback is one test: 127.0.0.0/8, ::1 and IPv4-mapped 127.0.0.0/8 in any spelling', () => {
  for (const a of ['127.0.0.1', '127.255.255.254', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::FFFF:127.1.2.3', '::ffff:7f00:1', '0:0:0:0:0:ffff:7f00:2', 'localhost']) {
    assert.ok(isLoopbackAddress(a), a);
  }
  for (const a of ['128.0.0.1', '0.0.0.0', '::', '::2', '::ffff:10.0.0.1', '::ffff:128.0.0.1', '::127.0.0.1', '::ffff:0:127.0.0.1', 'fe80::1', '127.1', '127.0.0.256', 'example.com', '']) {
    assert.not.ok(isLoopbackAddress(a), a);
  }
  // The options and the listener agree (config.ts asks the same function).
  assert.equal(parse(['--listen', '[::ffff:127.0.0.2]:2620']).listen, { host: '::ffff:127.0.0.2', port: 2620 });
  assert.equal(parse(['--metrics', '[::ffff:7f00:1]:9101']).metrics, { host: '::ffff:7f00:1', port: 9101 });
  throwsUsage(() => parse(['--listen', '[::ffff:10.0.0.1]:2620']), /Expected a loopback address for --listen but received "::ffff:10.0.0.1"/);
  throwsUsage(() => parse(['--listen', '[::127.0.0.1]:2620']), /loopback address for --listen/);
});

test('non-loopback addresses need --allow-non-loopback', () => {
  throwsUsage(() => parse(['--listen', '0.0.0.0:2620']), /Expected a loopback address for --listen but received "0.0.0.0"/);
  throwsUsage(() => parse(['--metrics', '10.0.0.1:9101']), /loopback address for --metrics/);
  assert.equal(parse(['--listen', '0.0.0.0:2620', '--allow-non-loopback']).listen, { host: '0.0.0.0', port: 2620 });
  assert.equal(parse(['--listen', '[::1]:2620']).listen, { host: '::1', port: 2620 });
});

test('port 0 (a free port) for the addresses fibpush binds, never for a connect target', () => {
  assert.equal(parse(['--listen', '127.0.0.1:0']).listen, { host: '127.0.0.1', port: 0 });
  assert.equal(parse(['--listen', '[::1]:0']).listen, { host: '::1', port: 0 });
  assert.equal(parse(['--metrics', '127.0.0.1:0']).metrics, { host: '127.0.0.1', port: 0 });
  assert.equal(hostPortOption('127.0.0.1:0', 'listen', { listen: true }), { host: '127.0.0.1', port: 0 });
  assert.throws(() => hostPortOption('127.0.0.1:0', 'to'), (e: Error) => e instanceof UsageError && /between 1 and 65535 for --to but received "127.0.0.1:0"/.test(e.message));
  assert.throws(() => hostPortOption('127.0.0.1:65536', 'listen', { listen: true }), (e: Error) => e instanceof UsageError);
  assert.throws(() => hostPortOption('127.0.0.1:-1', 'listen', { listen: true }), (e: Error) => e instanceof UsageError);
  assert.match(runHelp(), /port 0: a free one/);
});

test('--config: same keys as the flags; flags override; unknown keys refused', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-cfg-'));
  try {
    const f = path.join(dir, 'c.json');
    fs.writeFileSync(
      f,
      JSON.stringify({ listen: '127.0.0.2:2700', 'quiet-period': 1500, inline: true, 'table-map': { '1001': 7 }, 'no-feedback': true }),
    );
    const c = parse(['--config', f, '--quiet-period', '900']);
    assert.equal(c.listen, { host: '127.0.0.2', port: 2700 });
    assert.is(c.quietPeriodMs, 900);
    assert.is(c.mode, 'inline');
    assert.is(c.feedback, false);
    assert.is(c.tableMap.get(1001), 7);
    assert.is(c.tableMap.get(254), 0);
    fs.writeFileSync(f, JSON.stringify({ lisen: '127.0.0.1:1' }));
    throwsUsage(() => parse(['--config', f]), /Unknown key "lisen"/);
    fs.writeFileSync(f, '{nope');
    throwsUsage(() => parse(['--config', f]), /Expected JSON in --config file/);
    fs.writeFileSync(f, JSON.stringify({ inline: 'yes' }));
    throwsUsage(() => parse(['--config', f]), /Expected true or false for "inline"/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();

// `fibpush decode` run as a user would: the built CLI on a capture and on corrupted copies of it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FIXTURE_DIR, readFixture, repoRoot } from './helpers/fixtures';
import { testIf } from './helpers/skip';

const BIN = path.join(repoRoot(), 'bin', 'fibpush.js');
const CAPTURE = path.join(FIXTURE_DIR, 'static-nhg-add.bin');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-decode-'));

function fibpush(...args: string[]): { code: number | null; out: string; err: string; lines: string[] } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30000 });
  return { code: r.status, out: r.stdout, err: r.stderr, lines: r.stdout.split('\n').filter((l) => l !== '') };
}

/** A copy of the capture with some bytes changed, in the test's temp dir. */
function corrupt(name: string, edit: (b: Buffer) => Buffer): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, edit(Buffer.from(readFixture('static-nhg-add'))));
  return file;
}

/** Why the CLI cannot decode with the native decoder here (null when it can); `npm install` builds it. */
function nativeMissing(): string | null {
  const r = fibpush('decode', CAPTURE, '--impl', 'native');
  return r.code === 0 ? null : `native decoder not usable by the CLI: ${r.err.trim().split('\n')[0]}`;
}

test('a capture decodes to one ip-monitor-style line per message, exit 0', () => {
  const r = fibpush('decode', CAPTURE, '--impl', 'ts');
  assert.is(r.code, 0, r.err);
  assert.is(r.lines.length, 48);
  assert.is(r.lines[0], '[NEXTHOP]id 8 dev 3 proto zebra');
  assert.ok(r.lines.includes('[ROUTE]10.99.1.0/24 nhid 7 proto kernel metric 20'));
  assert.ok(r.lines.includes('[NEXTHOP]id 27 group 26/28/29 proto zebra'));
  assert.ok(r.lines.includes('[ROUTE]blackhole 10.99.102.0/24 proto static metric 20'));
  assert.ok(r.lines.includes('[ROUTE]10.99.110.0/24 nhid 26 table 1001 proto static metric 20'));
  assert.match(r.err, /2648 bytes, 48 frames, 48 messages \(route 26, nexthop 22, neigh 0, done 0, other 0\), 0 bad/);
});

test('--json: one object per line with kind, frame offset and fields', () => {
  const r = fibpush('decode', CAPTURE, '--json', '--impl', 'ts');
  assert.is(r.code, 0, r.err);
  const objs = r.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.is(objs.length, 48);
  assert.equal(objs.slice(0, 3).map((o) => o.offset), [0, 44, 88]);
  assert.equal(objs[0], { kind: 'nexthop', offset: 0, msgOffset: 4, type: 'RTM_NEWNEXTHOP', del: false, id: 8, family: 'inet', protocol: 11, scope: 0, flags: 0, nlFlags: 0x501, seq: 0, oif: 3 });
  const route = objs.find((o) => o.dst === '10.99.101.0');
  assert.equal(route, { kind: 'route', offset: 980, msgOffset: 984, type: 'RTM_NEWROUTE', del: false, family: 'inet', dst: '10.99.101.0', dstLen: 24, table: 254, protocol: 196, rtype: 1, scope: 0, flags: 0, priority: 20, nlFlags: 0x501, seq: 0, nhId: 27 });
});

test('a bad message is printed as an error naming field, sizes, offset and seq; decoding goes on', () => {
  // frame 7 (@264) is RTM_NEWROUTE 10.99.1.0/24; its RTA_PRIORITY header is at 304: rta_len 8 -> 6
  const file = corrupt('badrow.bin', (b) => {
    assert.is(b.readUInt16LE(304 + 2), 6, 'RTA_PRIORITY at 304');
    b.writeUInt16LE(6, 304);
    return b;
  });
  const r = fibpush('decode', file, '--impl', 'ts');
  assert.is(r.code, 0, r.err);
  assert.is(r.lines.length, 48);
  assert.is(r.lines[6], '[ERROR]RTA_PRIORITY(6) not u32: len 2 at byte 304, seq 0');
  assert.is(r.lines[7], '[ROUTE]10.99.2.0/24 nhid 8 proto kernel metric 20');
  assert.match(r.err, /48 messages \(route 25, nexthop 22, neigh 0, done 0, other 0\), 1 bad/);
  const j = fibpush('decode', file, '--json', '--impl', 'ts');
  const bad = JSON.parse(j.lines[6]);
  assert.equal(bad, { kind: 'route', offset: 264, msgOffset: 268, type: 'RTM_NEWROUTE', seq: 0, error: { code: 'ATTR_BAD_SIZE', message: 'RTA_PRIORITY(6) not u32: len 2 at byte 304, seq 0' } });
});

test('a stream error: the messages before it are printed, then code and offset on stderr, exit 2', () => {
  const file = corrupt('badversion.bin', (b) => {
    b[44] = 2; // version byte of the second frame
    return b;
  });
  const r = fibpush('decode', file, '--impl', 'ts');
  assert.is(r.code, 2);
  assert.equal(r.lines, ['[NEXTHOP]id 8 dev 3 proto zebra']);
  assert.match(r.err, /FPM_BAD_VERSION at byte 44/);
  assert.match(r.err, /1 frames, 1 messages/);

  const nl = corrupt('badnlmsg.bin', (b) => {
    b.writeUInt32LE(200, 88 + 4); // nlmsg_len of the third frame's message, past its 44-byte frame
    return b;
  });
  const n = fibpush('decode', nl, '--impl', 'ts');
  assert.is(n.code, 2);
  assert.is(n.lines.length, 2);
  assert.match(n.err, /NLMSG_PAST_FRAME at byte 92/);
});

test('a file that ends inside a frame is a stream error too', () => {
  const file = corrupt('truncated.bin', (b) => b.subarray(0, 1000));
  const r = fibpush('decode', file, '--impl', 'ts');
  assert.is(r.code, 2);
  assert.is(r.lines.length, 18);
  assert.match(r.err, /FPM_TRUNCATED at byte 980: the file ends inside a frame \(20 bytes of it\)/);
});

testIf(test, nativeMissing(), 'ci-installs', 'native and TS decoders print the same', () => {
  for (const args of [[], ['--json']]) {
    const a = fibpush('decode', CAPTURE, '--impl', 'ts', ...args);
    const b = fibpush('decode', CAPTURE, '--impl', 'native', ...args);
    assert.is(b.code, 0);
    assert.is(b.out, a.out);
  }
});

test('--help is shown with exit 0; usage errors exit 1', () => {
  const h = fibpush('decode', '--help');
  assert.is(h.code, 0);
  assert.match(h.out, /Usage: fibpush decode FILE \[--json\] \[--impl native\|ts\]/);
  assert.is(fibpush('decode').code, 1);
  const bad = fibpush('decode', CAPTURE, '--impl', 'rust');
  assert.is(bad.code, 1);
  assert.match(bad.err, /Expected "native" or "ts" for --impl but received "rust"/);
  const missing = fibpush('decode', path.join(tmp, 'nope.bin'));
  assert.is(missing.code, 1);
  assert.match(missing.err, /cannot open/);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test.run();

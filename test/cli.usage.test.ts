// The CLI's small promises: --version, usage errors exit 1 with the option named, and start-up
// failures in plain words as the last line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from './helpers/fixtures';

const BIN = path.join(repoRoot(), 'bin', 'fibpush.js');
const VERSION = (JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version;

function fibpush(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (e, out, err) => {
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out, err });
    });
  });
}

test('--version and -V print the package version, exit 0', async () => {
  for (const flag of ['--version', '-V']) {
    const r = await fibpush(flag);
    assert.is(r.code, 0, r.err);
    assert.is(r.out, `fibpush ${VERSION}\n`);
  }
});

test('status --lookup with something that is not an address is a usage error, before any daemon is asked', async () => {
  const r = await fibpush('status', '--control', path.join(os.tmpdir(), 'fibpush-no-such-daemon.sock'), '--lookup', 'notanip');
  assert.is(r.code, 1);
  assert.match(r.err, /Expected an IPv4 or IPv6 address for --lookup but received "notanip"/);
});

test('decode of a directory says so', async () => {
  const r = await fibpush('decode', os.tmpdir());
  assert.is(r.code, 1);
  assert.match(r.err, new RegExp(`fibpush decode: ${os.tmpdir().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is a directory; expected an FPM capture file`));
  assert.not.match(r.err, /EISDIR/);
});

test('run on a port in use: exit 1, the last stderr line says which address and what to do', async () => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as net.AddressInfo).port;
  try {
    const r = await fibpush('run', '--listen', `127.0.0.1:${port}`, '--dataplane', 'memory', '--no-control', '--log-format', 'json');
    assert.is(r.code, 1);
    const last = r.err.trim().split('\n').pop();
    assert.is(last, `fibpush run: cannot listen on 127.0.0.1:${port}: it is already in use (another fibpush or FPM server?); stop it or pick another address with --listen or --metrics`);
  } finally {
    taken.close();
  }
});

test.run();

// `fibpush record` and `fibpush replay` as processes: a capture replayed into the recorder comes back byte for byte.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { readFixture, FIXTURE_DIR, repoRoot } from './helpers/fixtures';

const BIN = path.join(repoRoot(), 'bin', 'fibpush.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-rr-'));

interface Proc {
  child: ChildProcess;
  stderr: string;
  exit: Promise<number>;
}

function fibpush(args: string[]): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Proc = { child, stderr: '', exit: Promise.resolve(0) };
  child.stderr.on('data', (d: Buffer) => (p.stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (p.stderr += d.toString()));
  p.exit = new Promise((r) => child.on('exit', (code, sig) => r(code ?? (sig ? 128 : 1))));
  return p;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen({ host: '127.0.0.1', port: 0 }, () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitText(p: Proc, re: RegExp, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!re.test(p.stderr)) {
    if (Date.now() > end || p.child.exitCode !== null) throw new Error(`no ${re} in output:\n${p.stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts a recorder for one connection and waits until it listens. */
async function recorder(out: string, extra: string[] = []): Promise<{ rec: Proc; port: number }> {
  const port = await freePort();
  const rec = fibpush(['record', '--listen', `127.0.0.1:${port}`, '--out', out, '--max-conns', '1', ...extra]);
  await waitText(rec, /listening for zebra/);
  return { rec, port };
}

for (const name of ['bgp-nhg-converge', 'mpls-nhg-replay', 'evpn-l2vni-macs']) {
  test(`replay ${name} into record: the saved file equals the capture byte for byte`, async () => {
    const out = path.join(tmp, `${name}.bin`);
    const { rec, port } = await recorder(out);
    const rep = fibpush(['replay', path.join(FIXTURE_DIR, `${name}.bin`), '--to', `127.0.0.1:${port}`]);
    assert.is(await rep.exit, 0, rep.stderr);
    assert.is(await rec.exit, 0, rec.stderr);
    assert.ok(Buffer.compare(fs.readFileSync(out), readFixture(name)) === 0, 'identical bytes');
    assert.match(rep.stderr, /connection closed cleanly/);
    // The live count decoded the stream: the summary names the frames the file holds.
    const frames = (fs.readFileSync(path.join(FIXTURE_DIR, `${name}.md`), 'utf8').match(/frames: (\d+)/) ?? [])[1];
    assert.ok(frames, 'frame count in the fixture notes');
    assert.match(rec.stderr, new RegExp(`${Number(frames).toLocaleString('en-US')} frames`));
  });
}

test('--rate paces frames: 48 frames at 40/s take about a second and still arrive intact', async () => {
  const name = 'static-nhg-add';
  const out = path.join(tmp, 'paced.bin');
  const { rec, port } = await recorder(out, ['--quiet']);
  const t0 = Date.now();
  const rep = fibpush(['replay', path.join(FIXTURE_DIR, `${name}.bin`), '--to', `127.0.0.1:${port}`, '--rate', '40']);
  assert.is(await rep.exit, 0, rep.stderr);
  const took = Date.now() - t0;
  assert.is(await rec.exit, 0, rec.stderr);
  // The bucket starts with one frame and holds at most 100 ms worth: 48 frames need >= ~1.1 s.
  assert.ok(took >= 900, `took ${took} ms`);
  assert.ok(Buffer.compare(fs.readFileSync(out), readFixture(name)) === 0);
});

test('record keeps saving a stream it cannot decode and says where decoding stopped', async () => {
  const garbage = Buffer.concat([readFixture('static-nhg-add').subarray(0, 704), Buffer.from([9, 1, 0, 8, 1, 2, 3, 4]), Buffer.alloc(100, 0xab)]);
  const file = path.join(tmp, 'garbage.in');
  fs.writeFileSync(file, garbage);
  const out = path.join(tmp, 'garbage.bin');
  const { rec, port } = await recorder(out);
  const rep = fibpush(['replay', file, '--to', `127.0.0.1:${port}`]);
  assert.is(await rep.exit, 0, rep.stderr);
  assert.is(await rec.exit, 0, rec.stderr);
  assert.ok(Buffer.compare(fs.readFileSync(out), garbage) === 0);
  assert.match(rec.stderr, /decoding stopped: FPM stream error FPM_BAD_VERSION at byte 704/);
  assert.match(rep.stderr, /not whole FPM frames after byte 704/);
});

test('replay fails (exit 1) when nothing listens, and when the server drops the connection early', async () => {
  const port = await freePort();
  const rep = fibpush(['replay', path.join(FIXTURE_DIR, 'static-nhg-add.bin'), '--to', `127.0.0.1:${port}`]);
  assert.is(await rep.exit, 1);
  assert.match(rep.stderr, /ECONNREFUSED/);

  // A server that closes after the first bytes: the capture was not delivered.
  const srv = net.createServer((s) => s.once('data', () => s.destroy()));
  await new Promise<void>((r) => srv.listen({ host: '127.0.0.1', port: 0 }, () => r()));
  const p2 = (srv.address() as net.AddressInfo).port;
  const big = path.join(FIXTURE_DIR, 'bgp-nhg-peer-up.bin');
  const rep2 = fibpush(['replay', big, '--to', `127.0.0.1:${p2}`, '--rate', '500']);
  assert.is(await rep2.exit, 1, rep2.stderr);
  assert.match(rep2.stderr, /after \d+ of 282668 bytes/);
  await new Promise<void>((r) => srv.close(() => r()));
});

test('replay --received saves what the server sent back; record refuses a non-loopback --listen', async () => {
  const back = Buffer.from([1, 1, 0, 4, 1, 1, 0, 4]);
  const srv = net.createServer((s) => {
    s.write(back);
    s.resume();
    s.on('end', () => s.end());
  });
  await new Promise<void>((r) => srv.listen({ host: '127.0.0.1', port: 0 }, () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  const recv = path.join(tmp, 'received.bin');
  const rep = fibpush(['replay', path.join(FIXTURE_DIR, 'static-nhg-add.bin'), '--to', `127.0.0.1:${port}`, '--received', recv]);
  assert.is(await rep.exit, 0, rep.stderr);
  assert.equal(fs.readFileSync(recv), back);
  assert.match(rep.stderr, /received 8 bytes/);
  await new Promise<void>((r) => srv.close(() => r()));

  const bad = fibpush(['record', '--listen', '0.0.0.0:2620', '--out', path.join(tmp, 'x.bin')]);
  assert.is(await bad.exit, 1);
  assert.match(bad.stderr, /not a loopback address/);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test.run();

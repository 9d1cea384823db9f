// The control socket as a trust boundary: a client that pipelines and never reads, a runtime
// directory another user made, a path longer than sun_path, the socket's mode. Each case ends
// with the FIB unchanged (the mirror's counts and the dataplane's answer for every route).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { readFixture } from './helpers/fixtures';
import { BIN, Fibpush, connect, fibSnapshot, groupOf, routesOf, send, settled, sleep, startFibpush, status, stopFibpush, waitFor } from './helpers/fibpush-proc';
import { controlRequest } from '../ts/daemon/control';

const ADD = 'static-nhg-add';
const ROUTES = routesOf(ADD);
const OWN = String(process.getuid!());
const OTHER = 'nobody';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-secctl-'));
let f: Fibpush | null = null;
let before: Record<string, unknown>;

test.after(async () => {
  await stopFibpush(f);
  fs.rmSync(dir, { recursive: true, force: true });
});

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** Runs a command (`fibpush ...` by default) as `user`, optionally with another env; resolves to code and output. */
function runCmdAs(user: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('setpriv', [`--reuid=${user}`, `--regid=${groupOf(user)}`, '--clear-groups', process.execPath, BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => child.kill('SIGKILL'), 15000);
    child.once('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

test('setup: zebra replays a capture', async () => {
  f = await startFibpush(path.join(dir, 'control.sock'), ['--zebra-user', OWN, '--quiet-period', '500']);
  const z = await connect(f.port);
  await send(z, readFixture(ADD));
  await settled(f, ROUTES.length);
  z.sock.end();
  await z.closed;
  before = await fibSnapshot(f, ROUTES);
});

test('6. a control client that pipelines 80,000 requests and never reads is closed; memory stays bounded', async () => {
  const pid = (await status(f!)).pid as number;
  const rss0 = rssKb(pid);
  const s = net.connect(f!.control);
  s.pause(); // never read
  const closed = new Promise<void>((r) => s.once('close', () => r()));
  s.on('error', () => {});
  await new Promise<void>((r) => s.once('connect', () => r()));
  const line = Buffer.from('{"cmd":"status"}\n');
  s.write(Buffer.concat(new Array(80_000).fill(line)));
  await Promise.race([closed, sleep(20000).then(() => assert.unreachable('the control connection was not closed'))]);
  const rss1 = rssKb(pid);
  const st = await status(f!);
  assert.is(st.counters.controlClosed, 1);
  assert.ok(f!.logs.some((l) => l.level === 'warn' && /unread: connection closed/.test(String(l.msg))), 'a clear log line');
  // The answers a client may leave unread are bounded (1 MiB) and the rest is never computed.
  assert.ok(rss1 - rss0 < 40 * 1024, `RSS grew by ${rss1 - rss0} kB`);
  assert.equal(await fibSnapshot(f!, ROUTES), before, 'the FIB is unchanged');
});

test('7. a runtime directory another user made (mode 0777) is refused at start; fibpush status does not ask a socket there', async () => {
  // Without XDG_RUNTIME_DIR a non-root fibpush defaults to $TMPDIR/fibpush-<uid>/control.sock.
  const tmp = path.join(dir, 'tmp');
  fs.mkdirSync(tmp, { mode: 0o755 });
  fs.chmodSync(dir, 0o755);
  const nobodyUid = Number(fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${OTHER}:`))!.split(':')[2]);
  const planted = path.join(tmp, `fibpush-${nobodyUid}`);
  fs.mkdirSync(planted);
  fs.chmodSync(planted, 0o777); // made by root (another uid than nobody), writable by all
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: tmp };
  const r = await runCmdAs(OTHER, ['run', '--listen', '127.0.0.1:0', '--dataplane', 'memory', '--log-format', 'json', '--progress', 'off'], env);
  assert.is(r.code, 1, `refused to start: ${r.stderr}`);
  // One plain line for a person (besides the JSON log record for a collector).
  const lines = r.stderr.trim().split('\n').filter((l) => /control socket directory/.test(l) && !l.startsWith('{'));
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0], new RegExp(`control socket directory ${planted.replace(/[/.]/g, '\\$&')} is owned by uid 0, not ${nobodyUid}`));
  assert.equal(fs.readdirSync(planted), [], 'nothing created there');
  // The other uid's stand-in socket in that directory: fibpush status will not believe it.
  const forged = net.createServer((c) => c.end(JSON.stringify({ ok: true, result: { version: 'forged', routes: 0 } }) + '\n'));
  const sockPath = path.join(planted, 'control.sock');
  await new Promise<void>((res) => forged.listen(sockPath, () => res()));
  fs.chmodSync(sockPath, 0o777);
  try {
    const st = await runCmdAs(OTHER, ['status', '--json'], env);
    assert.is(st.code, 1, st.stdout);
    assert.not.match(st.stdout, /forged/);
    assert.match(st.stderr, /not asking .*control\.sock: control socket directory .* is writable by others/);
    // Root-owned but writable by others: refused too, whoever asks.
    let err = '';
    await controlRequest(sockPath, { cmd: 'status' }).catch((e: Error) => (err = e.message));
    assert.match(err, /writable by others/);
  } finally {
    await new Promise<void>((res) => forged.close(() => res()));
  }
  assert.equal(await fibSnapshot(f!, ROUTES), before, 'the FIB is unchanged');
});

test('8. a --control path longer than sun_path is refused at start and nothing is left behind; the socket is 0660 whatever the umask', async () => {
  const deep = path.join(dir, 'd'.repeat(60), 'e'.repeat(60));
  const long = path.join(deep, 'control.sock');
  assert.ok(Buffer.byteLength(long) > 107);
  const r = await new Promise<{ code: number | null; stderr: string }>((res) => {
    const c = spawn(process.execPath, [BIN, 'run', '--listen', '127.0.0.1:0', '--dataplane', 'memory', '--control', long, '--zebra-user', OWN]);
    let stderr = '';
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => c.kill('SIGKILL'), 10000); // a daemon that started after all
    c.once('exit', (code) => {
      clearTimeout(t);
      res({ code, stderr });
    });
  });
  assert.is(r.code, 1);
  assert.match(r.stderr, new RegExp(`Expected a path of at most 107 bytes for --control but received ".*" \\(${Buffer.byteLength(long)} bytes\\)`));
  assert.not.ok(fs.existsSync(path.join(dir, 'd'.repeat(60))), 'nothing created');
  // A second start with a good path works (no stale truncated name in the way).
  const okPath = path.join(dir, 'umask0.sock');
  const g = await new Promise<{ mode: number; code: number | null }>((res) => {
    const c = spawn('sh', ['-c', `umask 000; exec "$0" "$@"`, process.execPath, BIN, 'run', '--listen', '127.0.0.1:0', '--dataplane', 'memory',
      '--control', okPath, '--zebra-user', OWN, '--log-format', 'json', '--progress', 'off'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let mode = -1;
    c.stderr.on('data', (d: Buffer) => {
      if (mode < 0 && /FPM server listening/.test(d.toString())) {
        mode = fs.statSync(okPath).mode & 0o777;
        // SIGTERM handlers are installed once the start has resolved.
        setTimeout(() => c.kill('SIGTERM'), 300);
      }
    });
    c.once('exit', (code) => res({ mode, code }));
  });
  assert.is(g.mode, 0o660, `socket mode ${g.mode.toString(8)}`);
  assert.is(g.code, 0);
  assert.equal(await fibSnapshot(f!, ROUTES), before, 'the FIB is unchanged');
});

test('status answers stay bounded while zebra is connected', async () => {
  await waitFor('idle', async () => (await status(f!)).queueDepth === 0);
  const s = JSON.stringify(await status(f!));
  assert.ok(s.length < 16 * 1024, `status is ${s.length} bytes`);
});

test.run();

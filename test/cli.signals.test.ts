// `fibpush run` stops on SIGTERM however it was started: directly, and under npm (npx / npm run),
// which starts bins as `sh -c '...'` and forwards SIGTERM to that shell only.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, ChildProcess } from 'child_process';
import * as path from 'path';
import { repoRoot } from './helpers/fixtures';
import { waitFor } from '../ts/frr-lab/proc';

const BIN = path.join(repoRoot(), 'bin', 'fibpush.js');
const ARGS = ['run', '--listen', '127.0.0.1:0', '--dataplane', 'memory', '--no-control', '--log-format', 'json', '--progress', 'off'];

interface Started {
  proc: ChildProcess;
  /** The fibpush process's pid, from its "fibpush starting" log line. */
  pid: number;
  log: () => string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function start(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Started> {
  const proc = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d: Buffer) => (log += d.toString()));
  await waitFor('fibpush listening', () => /"msg":"FPM server listening"/.test(log), 30_000);
  const m = /"msg":"fibpush starting".*?"pid":(\d+)/.exec(log);
  assert.ok(m, log);
  return { proc, pid: Number(m[1]), log: () => log };
}

/** The environment without npm's variables (the test itself may run under `npm test`). */
function plainEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

test('started directly: SIGTERM stops it with exit status 0', async () => {
  const s = await start(process.execPath, [BIN, ...ARGS], plainEnv());
  assert.is(s.pid, s.proc.pid);
  const exited = new Promise<number | null>((resolve) => s.proc.on('exit', (code) => resolve(code)));
  s.proc.kill('SIGTERM');
  assert.is(await exited, 0, s.log());
  assert.match(s.log(), /"msg":"stopping","signal":"SIGTERM"/);
});

test('started by npm (`sh -c`, npm_command set): SIGTERM to the shell stops fibpush too', async () => {
  // As @npmcli/run-script does it: the shell stays fibpush's parent; `; true` keeps dash from
  // exec'ing the command in place of itself, as it does not with npm's quoting either.
  const s = await start('sh', ['-c', `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${ARGS.join(' ')}; true`], plainEnv({ npm_command: 'exec' }));
  try {
    assert.is.not(s.pid, s.proc.pid, 'fibpush runs under the shell');
    s.proc.kill('SIGTERM'); // what npm forwards; dash dies of it without passing it on
    await waitFor('fibpush gone after its npm parent', () => !alive(s.pid), 15_000);
    assert.match(s.log(), /the npm process that started fibpush is gone/);
    assert.match(s.log(), /"msg":"fibpush stopped"/);
  } finally {
    // A failure above must not leave an orphaned daemon behind.
    if (alive(s.pid)) process.kill(s.pid, 'SIGKILL');
  }
});

test('started by something else that goes away (nohup-like): fibpush keeps running', async () => {
  const s = await start('sh', ['-c', `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${ARGS.join(' ')}; true`], plainEnv());
  try {
    s.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500)); // three of the parent checks' periods
    assert.ok(alive(s.pid), 'a daemon its shell left behind on purpose keeps running');
  } finally {
    if (alive(s.pid)) process.kill(s.pid, 'SIGTERM');
    await waitFor('fibpush stopped', () => !alive(s.pid), 15_000);
  }
});

test.run();

// Process and network-namespace plumbing for the real-FRR harness: run commands, create and
// delete namespaces, find and kill what runs inside them, reap leftovers of crashed runs.
import { execFile, execFileSync, spawn, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** Every namespace and temp dir of the harness is named `${PREFIX}-${pid}-${seq}-...`. */
export const PREFIX = 'fpt';
const NAME_RE = new RegExp(`^${PREFIX}-(\\d+)-`);

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command without blocking the event loop (the FPM reader of a test lives in this same
 * process and must keep draining zebra while vtysh or ip run). Rejects on a non-zero exit unless
 * `allowFail` is set.
 */
export function run(
  cmd: string,
  args: readonly string[],
  opts: { allowFail?: boolean; timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args as string[],
      { timeout: opts.timeoutMs ?? 30000, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as NodeJS.ErrnoException).code) : 1) : 0;
        if (err && !opts.allowFail) {
          reject(new Error(`${cmd} ${args.join(' ')} failed (${err.message.split('\n')[0]}): ${stderr.trim() || stdout.trim()}`));
          return;
        }
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** `ip netns exec NS cmd args...` */
export function runIn(ns: string, cmd: string, args: readonly string[], opts: { allowFail?: boolean; timeoutMs?: number } = {}) {
  return run('ip', ['netns', 'exec', ns, cmd, ...args], opts);
}

/** Why the lab cannot run here (real FRR in network namespaces), or null when it can. */
export function frrUnavailableReason(): string | null {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not running as root (network namespaces need it)';
  for (const f of ['/usr/lib/frr/zebra', '/usr/lib/frr/staticd', '/usr/lib/frr/bgpd', '/usr/bin/vtysh']) {
    if (!fs.existsSync(f)) return `${f} is missing (install Debian's frr package: apt-get install frr)`;
  }
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    execFileSync('unshare', ['--version'], { stdio: 'ignore' });
  } catch {
    return '`ip netns` or `unshare` is not usable';
  }
  return null;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie answers kill(0) but is gone for our purposes.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export function listNetns(): string[] {
  try {
    return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0])
      .filter((n) => n.length > 0);
  } catch {
    return [];
  }
}

/** Pids of every process whose network namespace is `ns` (`ip netns pids`). */
export function netnsPidsSync(ns: string): number[] {
  try {
    return execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' })
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [];
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Kills every process in the namespace (TERM, then KILL after `graceMs`) and deletes it.
 * Synchronous so it also works from an 'exit' handler. Everything inside a namespace the
 * harness created was started by the harness.
 */
export function destroyNetnsSync(ns: string, graceMs = 2000): void {
  let pids = netnsPidsSync(ns);
  for (const p of pids) killQuiet(p, 'SIGTERM');
  const until = Date.now() + graceMs;
  while (pids.length > 0 && Date.now() < until) {
    sleepSync(50);
    pids = pids.filter(pidAlive);
  }
  for (const p of netnsPidsSync(ns)) killQuiet(p, 'SIGKILL');
  try {
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  } catch {
    // already gone
  }
}

export function killQuiet(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

/**
 * Removes namespaces and temp dirs left by harness runs whose process is gone (a crashed or
 * killed test run): anything named `${PREFIX}-<pid>-...` where <pid> is not alive.
 */
export function cleanupStale(): string[] {
  const removed: string[] = [];
  for (const ns of listNetns()) {
    const m = NAME_RE.exec(ns);
    if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) {
      destroyNetnsSync(ns, 500);
      removed.push(ns);
    }
  }
  const tmp = os.tmpdir();
  for (const d of fs.readdirSync(tmp)) {
    const m = NAME_RE.exec(d);
    if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) {
      fs.rmSync(path.join(tmp, d), { recursive: true, force: true });
      removed.push(path.join(tmp, d));
    }
  }
  return removed;
}

let seq = 0;
/** A fresh `${PREFIX}-${pid}-${n}` stem for one lab's namespaces and temp dir. */
export function nextStem(): string {
  return `${PREFIX}-${process.pid}-${++seq}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `fn` until it returns a value that is not undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() > until) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`);
    }
    await sleep(everyMs);
  }
}

const LISTEN_CHILD = path.join(__dirname, 'ns-listen.js');

/**
 * A listening TCP socket that lives in network namespace `ns`, handed to this process.
 *
 * Loopback is per namespace: zebra's `fpm address 127.0.0.1` reaches only a server bound in
 * zebra's own namespace. A short-lived child (`ip netns exec NS node ns-listen.js`) binds there
 * and sends the listening handle back over Node's IPC channel (SCM_RIGHTS); the socket keeps
 * its namespace, so this process accepts zebra's connection directly: no relay, no extra hop.
 * Pass the result to `net.Server.listen(handle)` (or FpmServer's `handle` option).
 */
export function listenInNetns(ns: string, host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, LISTEN_CHILD, host, String(port)], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    let done = false;
    child.on('message', (m: unknown, handle: unknown) => {
      const msg = m as { ok: boolean; error?: string };
      if (done) return;
      done = true;
      if (msg.ok && handle instanceof net.Server) resolve(handle);
      else reject(new Error(`cannot listen on ${host}:${port} in netns ${ns}: ${msg.error ?? 'no handle received'}`));
    });
    child.on('exit', (code) => {
      if (!done) {
        done = true;
        reject(new Error(`ns-listen child exited with ${code} before handing over a socket: ${stderr.trim()}`));
      }
    });
  });
}

/**
 * Spawns a long-running process inside `ns` (e.g. `fibpush run` for end-to-end tests). The
 * child is killed by the lab's teardown anyway (everything in the namespace is).
 */
export function spawnInNetns(ns: string, cmd: string, args: readonly string[], opts: { stdio?: 'pipe' | 'inherit' | 'ignore'; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: opts.stdio ?? 'pipe', env: opts.env ?? process.env });
}

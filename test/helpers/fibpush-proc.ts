// `fibpush run` as a child process for tests that attack it from outside: start it, play zebra
// (or an intruder) over real TCP, read its status over the control socket, and take a snapshot
// of its FIB (the mirror's counts and the dataplane's answer for every route) to compare.
import * as assert from 'uvu/assert';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { readFixtureText, repoRoot } from './fixtures';
import { parseIpmonFile } from './ipmon';
import { collectJsonLogs } from './logs';
import { controlRequest } from '../../ts/daemon/control';
import { waitFor as pollFor } from '../../ts/frr-lab/proc';

export const BIN = path.join(repoRoot(), 'bin', 'fibpush.js');

export interface Fibpush {
  child: ChildProcess;
  logs: Record<string, unknown>[];
  port: number;
  control: string;
  exited: Promise<number | null>;
  stderr: () => string;
}

export function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, ms = 8000): Promise<T> {
  return pollFor(what, fn, ms, 25);
}

/** Starts `fibpush run --listen 127.0.0.1:0` with `args` (the memory dataplane unless they name one); resolves once it listens. */
export async function startFibpush(control: string, args: string[], opts: { uidArgs?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<Fibpush> {
  const child = spawn(
    opts.uidArgs ? 'setpriv' : process.execPath,
    [
      ...(opts.uidArgs ? [...opts.uidArgs, process.execPath] : []),
      BIN, 'run', '--listen', '127.0.0.1:0', ...(args.includes('--vpp-socket') || args.includes('--dataplane') ? [] : ['--dataplane', 'memory']), '--control', control,
      '--log-format', 'json', '--progress', 'off', ...args,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: opts.env ?? process.env },
  );
  let text = '';
  child.stderr.on('data', (d: Buffer) => (text += d.toString()));
  const logs: Record<string, unknown>[] = [];
  collectJsonLogs(child.stderr, logs, (line) => ({ msg: `(not JSON) ${line}` }));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const listening = await Promise.race([
    waitFor('fibpush to listen', () => logs.find((l) => l.msg === 'FPM server listening'), 15000),
    exited.then((code) => {
      throw new Error(`fibpush run exited with ${code}: ${text}`);
    }),
  ]);
  return { child, logs, port: Number(listening.port), control, exited, stderr: () => text };
}

export async function stopFibpush(f: Fibpush | null): Promise<void> {
  if (!f || f.child.exitCode !== null || f.child.signalCode !== null) return;
  f.child.kill('SIGKILL');
  await f.exited;
}

 
export const status = async (f: Fibpush) => (await controlRequest(f.control, { cmd: 'status' })) as Record<string, any>;

export interface Client {
  sock: net.Socket;
  received: Buffer[];
  closed: Promise<void>;
}

export function connect(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    sock.on('data', (b: Buffer) => received.push(b));
    const closed = new Promise<void>((r) => sock.once('close', () => r()));
    sock.on('error', () => {});
    sock.once('connect', () => resolve({ sock, received, closed }));
    sock.once('error', reject);
  });
}

export function send(c: Client, bytes: Uint8Array): Promise<void> {
  return new Promise((r) => c.sock.write(bytes, () => r()));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** zebra's routes after a capture, as iproute2 decoded it: [family, table, prefix]. */
export function routesOf(name: string): { family: 'inet' | 'inet6'; table: number; prefix: string }[] {
  const f = parseIpmonFile(readFixtureText(name, '.ipmon.txt'));
  const out = new Map<string, { family: 'inet' | 'inet6'; table: number; prefix: string }>();
  for (const l of f.head) {
    if (l.what !== 'route') continue;
    const family = l.dst.includes(':') ? 'inet6' : 'inet';
    const prefix = l.dst.includes('/') ? l.dst : `${l.dst}/${family === 'inet' ? 32 : 128}`;
    const table = l.table ?? 254;
    const key = `${family}:${table} ${prefix}`;
    if (l.deleted) out.delete(key);
    else out.set(key, { family, table, prefix });
  }
  return [...out.values()];
}

/**
 * The FIB as fibpush holds it: the mirror's counts, the dataplane's route count, and the
 * dataplane's forwarding answer for the first address of every route zebra sent.
 */
export async function fibSnapshot(f: Fibpush, routes: { table: number; prefix: string }[]): Promise<Record<string, unknown>> {
  const s = await status(f);
  const lookups: Record<string, unknown> = {};
  for (const r of routes) {
    const addr = r.prefix.split('/')[0];
    lookups[`${r.table} ${r.prefix}`] = await controlRequest(f.control, { cmd: 'lookup', addr, table: r.table });
  }
  return {
    routes: s.routes,
    routesByTable: s.routesByTable,
    nhgs: s.nhgs,
    parked: s.parked,
    dataplaneRoutes: s.dataplane.routes,
    lookups,
  };
}

/** Waits until the daemon is idle with `n` routes, all programmed. */
export function settled(f: Fibpush, n: number): Promise<Record<string, unknown>> {
  return waitFor(`${n} routes programmed`, async () => {
    const s = await status(f);
    return s.routes === n && s.queueDepth === 0 && s.dataplane.routes === n ? s : undefined;
  });
}

/** Runs `node -e script` as another user (setpriv), `stdin` piped in; resolves to its exit code and stdout. */
export function runAs(user: string, script: string, stdin?: Uint8Array): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('setpriv', [`--reuid=${user}`, `--regid=${groupOf(user)}`, '--clear-groups', process.execPath, '-e', script], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => {});
    child.stdin.end(stdin ? Buffer.from(stdin) : undefined);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The primary group of `user` (for setpriv --regid). */
export function groupOf(user: string): string {
  for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === user) return f[3];
  }
  throw new Error(`no user ${user}`);
}

export function assertSameFib(after: Record<string, unknown>, before: Record<string, unknown>, what: string): void {
  assert.equal(after, before, `${what}: the FIB is unchanged`);
}

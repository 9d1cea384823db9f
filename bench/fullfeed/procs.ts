// Processes of the full-feed benchmark: the real `fibpush run` as a child, /proc figures (CPU, RSS), free ports, and cleanup of every child on any exit.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { controlRequest } from '../../ts/daemon/control';
import type { StatusReport } from '../../ts/daemon/status';

/** The checkout's root (where package.json and bin/ are), from dist/bench/... or bench/... */
export function repoRoot(): string {
  let d = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'bin', 'fibpush.js'))) return d;
    d = path.dirname(d);
  }
  throw new Error(`cannot find the fibpush checkout above ${__dirname}`);
}

// ---- cleanup: children die with us, whatever the reason ----

const children = new Set<ChildProcess>();
let hooked = false;

export function track(c: ChildProcess): void {
  children.add(c);
  c.once('exit', () => children.delete(c));
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const ch of children) if (ch.pid) ch.kill('SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => process.exit(sig === 'SIGINT' ? 130 : 143));
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export function stopChild(c: ChildProcess, graceMs = 3000): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => c.kill('SIGKILL'), graceMs);
    c.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    c.kill('SIGTERM');
  });
}

// ---- /proc ----

/** user + system CPU seconds of a process (/proc/PID/stat fields 14 and 15, in USER_HZ = 100 ticks). */
export function cpuSeconds(pid: number): number {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** A field of /proc/PID/status in bytes (VmHWM: peak resident set; VmRSS: now). */
export function procStatusBytes(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(s);
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---- the daemon ----

export interface FibpushOptions {
  dir: string;
  /** Flags after `fibpush run` besides --listen, --control, logging and progress. */
  args: string[];
  /** Node flags before the script (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

/** `node bin/fibpush.js run ...` as a child process, asked over its control socket. */
export class FibpushProc {
  readonly child: ChildProcess;
  readonly pid: number;
  private stderrTail = '';

  private constructor(
    child: ChildProcess,
    readonly port: number,
    readonly metricsPort: number,
    readonly control: string,
    readonly argv: string[],
  ) {
    this.child = child;
    this.pid = child.pid as number;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      this.stderrTail = (this.stderrTail + d).slice(-6000);
    });
  }

  static async start(o: FibpushOptions): Promise<FibpushProc> {
    const port = await freePort();
    const metricsPort = await freePort();
    const control = path.join(o.dir, `control-${port}.sock`);
    const argv = [
      path.join(repoRoot(), 'bin', 'fibpush.js'), 'run',
      '--listen', `127.0.0.1:${port}`, '--control', control, '--metrics', `127.0.0.1:${metricsPort}`,
      '--log-format', 'json', '--log-level', 'warn', '--progress', 'off',
      // the bench plays zebra from this process's user
      '--zebra-user', String(process.getuid?.() ?? 0), ...o.args,
    ];
    const child = spawn(process.execPath, [...(o.nodeArgs ?? []), ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
    track(child);
    const p = new FibpushProc(child, port, metricsPort, control, argv.slice(1));
    const until = Date.now() + 20000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`fibpush run exited with code ${child.exitCode}: ${p.logTail()}`);
      try {
        await controlRequest(control, { cmd: 'ping' }, 1000);
        break;
      } catch {
        if (Date.now() > until) {
          await stopChild(child);
          throw new Error(`fibpush run did not answer on ${control} within 20 s: ${p.logTail()}`);
        }
        await sleep(50);
      }
    }
    return p;
  }

  status(timeoutMs = 10000): Promise<StatusReport> {
    return controlRequest(this.control, { cmd: 'status' }, timeoutMs) as Promise<StatusReport>;
  }

  /**
   * The Prometheus metrics, as "name{labels}" -> value. Polled during the load instead of
   * `status`: status reports the replay state, which walks every route entry (ts/dplane/store.ts
   * replayStatus), while every metric is a counter or a small aggregate, so sampling them every
   * 100 ms costs fibpush next to nothing.
   */
  metrics(timeoutMs = 10000): Promise<Metrics> {
    return new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: this.metricsPort, path: '/metrics', timeout: timeoutMs }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve(new Metrics(body)));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`metrics: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
    });
  }

  cpuSeconds(): number {
    return cpuSeconds(this.pid);
  }

  rss(field: 'VmHWM' | 'VmRSS'): number {
    return procStatusBytes(this.pid, field);
  }

  logTail(): string {
    return this.stderrTail.trim().split('\n').slice(-6).join('\n');
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}

/** Resolves when `fn` returns a value other than undefined/false; throws after `ms`. */
export { waitFor } from '../../ts/frr-lab/proc';

/** A parsed Prometheus text exposition. */
export class Metrics {
  readonly values = new Map<string, number>();
  constructor(text: string) {
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const sp = line.lastIndexOf(' ');
      if (sp > 0) this.values.set(line.slice(0, sp), Number(line.slice(sp + 1)));
    }
  }

  /** Sum of every series of a metric (all label sets). */
  sum(name: string): number {
    let s = 0;
    for (const [k, v] of this.values) if (k === name || k.startsWith(`${name}{`)) s += v;
    return s;
  }

  get(series: string): number {
    return this.values.get(series) ?? 0;
  }
}

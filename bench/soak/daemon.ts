// `fibpush run` as the soak runs it: one argv builder, start/kill/restart on a fixed FPM port, its log kept and scanned, /proc figures.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import { controlRequest } from '../../ts/daemon/control';
import type { StatusReport } from '../../ts/daemon/status';
import { cpuSeconds, procStatusBytes, sleep, track } from '../fullfeed/procs';

export interface DaemonConfig {
  /** The fibpush.js to run. */
  fibpush: string;
  listenHost: string;
  port: number;
  control: string;
  vppSocket: string;
  interfaceMap: string | null;
  quietPeriodMs: number;
  expectedRoutes: number;
  /** --daemon-arg values, appended last. */
  extra: string[];
}

/**
 * The one place the daemon's command line is built. The generated zebra, the garbage and silent
 * clients all connect from the soak's own uid over loopback: with the generator as zebra the
 * caller names that uid as zebra's (`--zebra-user` in `extra`, bench/soak/main.ts); with a real
 * zebra fibpush's default (the `frr` user) applies and the stray clients are refused by it.
 */
export function daemonArgv(c: DaemonConfig): string[] {
  return [
    c.fibpush, 'run',
    '--listen', `${c.listenHost}:${c.port}`,
    '--control', c.control,
    '--dataplane', 'vpp', '--vpp-socket', c.vppSocket,
    ...(c.interfaceMap ? ['--interface-map', c.interfaceMap] : []),
    '--quiet-period', String(c.quietPeriodMs),
    ...(c.expectedRoutes > 0 ? ['--expected-routes', String(c.expectedRoutes)] : []),
    '--log-format', 'json', '--log-level', 'info', '--progress', 'off',
    ...c.extra,
  ];
}

export type Spawner = (cmd: string, args: string[]) => ChildProcess;
const plainSpawn: Spawner = (cmd, args) => spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });

export interface LogScan {
  lines: number;
  byLevel: Record<string, number>;
  /** Count per message text (warn and error only). */
  warnings: Record<string, number>;
  /** Lines that are not JSON: a crash's stack trace, or anything printed around the logger. */
  nonJson: string[];
  /** Failure log lines for routes ("route not programmed" and its summary line, group failures). */
  routeFailureLines: number;
}

export class Daemon {
  child: ChildProcess | null = null;
  starts = 0;
  /** Exits nobody asked for: code/signal and the log lines just before. */
  readonly unexpectedExits: { at: number; code: number | null; signal: string | null; tail: string[] }[] = [];
  readonly log: LogScan = { lines: 0, byLevel: {}, warnings: {}, nonJson: [], routeFailureLines: 0 };
  private expectingExit = false;
  private tail: string[] = [];
  private readonly out: number;

  constructor(
    readonly cfg: DaemonConfig,
    readonly logFile: string,
    private readonly spawner: Spawner = plainSpawn,
    private readonly t0 = performance.now(),
  ) {
    this.out = fs.openSync(logFile, 'a');
  }

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  get alive(): boolean {
    const c = this.child;
    return !!c && c.exitCode === null && c.signalCode === null;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    const child = this.spawner(process.execPath, daemonArgv(this.cfg));
    track(child);
    this.child = child;
    this.starts++;
    this.expectingExit = false;
    let buf = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      fs.writeSync(this.out, d);
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        this.scan(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
    child.once('exit', (code, signal) => {
      if (buf) this.scan(buf);
      if (!this.expectingExit) {
        this.unexpectedExits.push({ at: (performance.now() - this.t0) / 1000, code, signal, tail: this.tail.slice(-8) });
      }
    });
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (!this.alive) throw new Error(`fibpush run exited at start (code ${child.exitCode}, signal ${child.signalCode}): ${this.tail.slice(-5).join('\n')}`);
      try {
        await controlRequest(this.cfg.control, { cmd: 'ping' }, 1000);
        return;
      } catch {
        if (Date.now() > until) throw new Error(`fibpush run did not answer on ${this.cfg.control} within ${timeoutMs / 1000} s: ${this.tail.slice(-5).join('\n')}`);
        await sleep(50);
      }
    }
  }

  private scan(line: string): void {
    if (line === '') return;
    this.log.lines++;
    this.tail.push(line);
    if (this.tail.length > 40) this.tail.splice(0, 20);
    let o: { level?: string; msg?: string } | null = null;
    try {
      o = JSON.parse(line) as { level?: string; msg?: string };
    } catch {
      o = null;
    }
    if (!o || typeof o !== 'object') {
      if (this.log.nonJson.length < 40) this.log.nonJson.push(line.slice(0, 300));
      return;
    }
    const level = String(o.level ?? '?');
    this.log.byLevel[level] = (this.log.byLevel[level] ?? 0) + 1;
    const msg = String(o.msg ?? '');
    if (level === 'warn' || level === 'error' || level === 'fatal') this.log.warnings[msg] = (this.log.warnings[msg] ?? 0) + 1;
    if (msg.startsWith('route not programmed') || msg.startsWith('more routes not programmed') || msg.startsWith('nexthop group not programmed')) this.log.routeFailureLines++;
  }

  /** Sends `signal` and waits for the exit (SIGKILL after `graceMs` for a SIGTERM that hangs). */
  async stop(signal: NodeJS.Signals, graceMs = 10_000): Promise<{ code: number | null; signal: string | null; ms: number }> {
    const c = this.child;
    const t = performance.now();
    if (!c || !this.alive) return { code: c?.exitCode ?? null, signal: c?.signalCode ?? null, ms: 0 };
    this.expectingExit = true;
    const gone = new Promise<{ code: number | null; signal: string | null }>((r) => c.once('exit', (code, sig) => r({ code, signal: sig })));
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), graceMs);
    const r = await gone;
    clearTimeout(timer);
    return { ...r, ms: performance.now() - t };
  }

  status(timeoutMs = 10_000): Promise<StatusReport> {
    return controlRequest(this.cfg.control, { cmd: 'status' }, timeoutMs) as Promise<StatusReport>;
  }

  rss(): number {
    return procStatusBytes(this.pid, 'VmRSS');
  }

  /** Open file descriptors (/proc/PID/fd). */
  fds(): number {
    return fs.readdirSync(`/proc/${this.pid}/fd`).length;
  }

  cpuSeconds(): number {
    return cpuSeconds(this.pid);
  }

  close(): void {
    fs.closeSync(this.out);
  }
}

/** Whether fibpush has nothing left to do: zebra's replay over, queue empty, nothing in flight, no retry or feedback waiting. */
export function settled(s: StatusReport): boolean {
  return unsettled(s).length === 0;
}

/** What fibpush still has to do, as "name value" items (empty when settled). */
export function unsettled(s: StatusReport): string[] {
  const c = s.dataplane.counters ?? {};
  const out: string[] = [];
  if (s.zebra !== 'connected') out.push(`zebra ${s.zebra}`);
  if (s.replay.state !== 'ended') out.push(`replay ${s.replay.state}`);
  if (!s.dataplane.connected) out.push('dataplane not connected');
  const n = (k: string, v: number | undefined) => {
    if ((v ?? 0) !== 0) out.push(`${k} ${v}`);
  };
  n('queueDepth', s.queueDepth);
  n('vppInFlight', s.vppInFlight);
  n('retriesPending', c.retriesPending);
  n('retriesAfterFailure', c.retriesAfterFailure);
  n('feedback queued', s.feedback.counters.queued);
  n('parked', s.parked);
  return out;
}

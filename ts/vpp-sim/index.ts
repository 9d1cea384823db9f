// VppSimulator: spawns the VPP simulator process (ts/vpp-sim/main.ts) and drives it over its control socket, for tests, benches and demos.
//
//   const sim = await VppSimulator.start({ seed: 1 });
//   ... point a client at sim.apiSocket ...
//   await sim.setInterface(1, false);
//   const fwd = await sim.lookup(0, '10.1.0.0/24');
//   await sim.stop();
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { Forwarding, IfaceSpec, MplsRouteJson, RouteJson, FibCounters } from './fib-types';
import type { Counters } from './host';

export type { Forwarding, Leg, IfaceSpec, RouteJson, MplsRouteJson, PathJson, FibCounters } from './fib-types';
export { routesDigest, DEFAULT_INTERFACES } from './fib-types';

export interface SimOptions {
  /** Seed of the message-id assignment (default: from the clock, different every start). */
  seed?: number;
  /** Interfaces besides local0 (default DEFAULT_INTERFACES: two linux-cp paired NICs, two loopbacks). */
  interfaces?: IfaceSpec[];
  /** name_crc entries left out of the message table, e.g. ['ip_route_add_del_b8ecfe0d']. */
  omit?: string[];
  /** 'module' (contiguous ranges like VPP, default) or 'message' (ids shuffled inside them too). */
  idMode?: 'module' | 'message';
  /** Pad the table with plugin messages to a real VPP's ~800 entries (default true). */
  padding?: boolean;
  /** Processing delay per message in microseconds (default 0). */
  delayUs?: number;
  /** Directory for the sockets (default: a new temp dir, removed by stop()). */
  dir?: string;
  /** Mirror the simulator's log to this process's stderr. */
  verbose?: boolean;
  /** Milliseconds to wait for the process to be ready (default 15000). */
  startTimeoutMs?: number;
}

/** What the simulator counts (host.ts Counters: calls, protocol errors, traffic), and its FIB's size. */
export interface SimCounters extends Counters {
  /** Sum of `protocol`. */
  protocolErrors: number;
  fib: FibCounters;
  routes: number;
  pathSets: number;
}

/** Running children and the temp dir each owns (removed with it). */
const live = new Map<ChildProcess, string | null>();
let exitHook = false;

function mainJs(): string {
  return path.join(__dirname, 'main.js');
}

export class VppSimulator {
  apiSocket = '';
  controlSocket = '';
  pid = 0;
  seed = 0;
  private dir = '';
  private ownDir = false;
  private child: ChildProcess | null = null;
  private ctl: net.Socket | null = null;
  private nextId = 1;
  private pending = new Map<number, { res: (v: unknown) => void; rej: (e: Error) => void }>();
  private stderr = '';

  static async start(o: SimOptions = {}): Promise<VppSimulator> {
    const s = new VppSimulator();
    await s.start(o);
    return s;
  }

  async start(o: SimOptions = {}): Promise<void> {
    if (this.child) throw new Error('VppSimulator: already started');
    this.ownDir = !o.dir;
    this.dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vpp-sim-'));
    this.apiSocket = path.join(this.dir, 'api.sock');
    this.controlSocket = path.join(this.dir, 'control.sock');
    const args = [mainJs(), '--socket', this.apiSocket, '--control', this.controlSocket, '--exit-on-stdin-close'];
    if (o.seed !== undefined) args.push('--seed', String(o.seed >>> 0));
    if (o.omit?.length) args.push('--omit', o.omit.join(','));
    if (o.interfaces) args.push('--interfaces-json', JSON.stringify(o.interfaces));
    if (o.idMode) args.push('--id-mode', o.idMode);
    if (o.padding === false) args.push('--no-padding');
    if (o.delayUs) args.push('--delay-us', String(o.delayUs));
    if (o.verbose) args.push('--verbose');
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    live.set(child, this.ownDir ? this.dir : null);
    if (!exitHook) {
      // A test that fails or exits without stop() must not leave a simulator or its sockets behind.
      exitHook = true;
      process.on('exit', () => {
        for (const [c, dir] of live) {
          c.kill('SIGKILL');
          if (dir) fs.rmSync(dir, { recursive: true, force: true });
        }
      });
    }
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      this.stderr = (this.stderr + d).slice(-8000);
      if (o.verbose) process.stderr.write(d);
    });
    child.on('exit', () => {
      live.delete(child);
      for (const p of this.pending.values()) p.rej(new Error(`vpp-sim exited${this.stderr ? `: ${this.stderr.trim()}` : ''}`));
      this.pending.clear();
    });
    const ready = await new Promise<{ pid: number; seed: number }>((res, rej) => {
      let out = '';
      const timer = setTimeout(() => rej(new Error(`vpp-sim did not start within ${o.startTimeoutMs ?? 15000} ms: ${this.stderr.trim()}`)), o.startTimeoutMs ?? 15000);
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (d: string) => {
        out += d;
        const m = /^ready (.*)$/m.exec(out);
        if (m) {
          clearTimeout(timer);
          res(JSON.parse(m[1]) as { pid: number; seed: number });
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        rej(new Error(`vpp-sim exited with code ${code}: ${this.stderr.trim()}`));
      });
    }).catch((e: Error) => {
      child.kill('SIGKILL');
      if (this.ownDir) fs.rmSync(this.dir, { recursive: true, force: true });
      throw e;
    });
    this.pid = ready.pid;
    this.seed = ready.seed;
    await this.connectControl();
    await this.waitApi();
  }

  private async connectControl(): Promise<void> {
    const s = net.createConnection(this.controlSocket);
    await new Promise<void>((res, rej) => {
      s.once('connect', () => res());
      s.once('error', rej);
    });
    this.ctl = s;
    let acc = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      acc += d;
      let nl: number;
      while ((nl = acc.indexOf('\n')) >= 0) {
        const line = acc.slice(0, nl);
        acc = acc.slice(nl + 1);
        const r = JSON.parse(line) as { id: number; ok: boolean; result?: unknown; error?: string };
        const p = this.pending.get(r.id);
        if (!p) continue;
        this.pending.delete(r.id);
        if (r.ok) p.res(r.result);
        else p.rej(new Error(`vpp-sim: ${r.error}`));
      }
    });
    s.on('error', () => undefined);
  }

  /** Resolves once the API socket accepts a connection (the probe connection is closed again). */
  async waitApi(timeoutMs = 5000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const ok = await new Promise<boolean>((res) => {
        const s = net.createConnection(this.apiSocket);
        s.once('connect', () => {
          s.destroy();
          res(true);
        });
        s.once('error', () => res(false));
      });
      if (ok) return;
      if (Date.now() > end) throw new Error(`vpp-sim API socket ${this.apiSocket} does not accept`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Sends one control command. */
  call<T = unknown>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const s = this.ctl;
    if (!s) return Promise.reject(new Error('VppSimulator: not started'));
    const id = this.nextId++;
    return new Promise<T>((res, rej) => {
      this.pending.set(id, { res: res as (v: unknown) => void, rej });
      s.write(`${JSON.stringify({ id, cmd, args })}\n`);
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((res) => child.once('exit', () => res()));
      this.call('exit').catch(() => undefined);
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(t);
    }
    this.ctl?.destroy();
    this.ctl = null;
    if (this.ownDir) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** A new VPP instance on the same socket: connections dropped, new ids, empty FIB (unless empty: false). */
  async restart(o: { empty?: boolean; seed?: number; downMs?: number } = {}): Promise<void> {
    const r = await this.call<{ seed: number }>('restart', o);
    this.seed = r.seed;
  }

  /** Closes every client connection. Returns how many there were. */
  async dropSocket(): Promise<number> {
    return (await this.call<{ dropped: number }>('dropSocket')).dropped;
  }

  /** Slows the API down: at most one message per `us` microseconds (0 = full speed). */
  async setDelay(us: number): Promise<void> {
    await this.call('setDelay', { us });
  }

  /**
   * Fault injection: from now on this fraction (0..1) of ip_route_add_del(_v2) requests is
   * answered with `retval` (default -1 UNSPECIFIED) and not applied; 0 turns it off. Counted in
   * counters().injectedFailures.
   */
  async setFailRate(fraction: number, o: { retval?: number; seed?: number } = {}): Promise<void> {
    await this.call('setFailRate', { fraction, ...o });
  }

  /** Sets an interface's admin and link state (or one of them); sends sw_interface_event on a change. */
  async setInterface(sw: number, up: boolean, which: 'both' | 'admin' | 'link' = 'both'): Promise<boolean> {
    const args: Record<string, unknown> = { sw };
    if (which === 'both') args.up = up;
    else args[which] = up;
    return (await this.call<{ changed: boolean }>('setInterface', args)).changed;
  }

  async addInterface(spec: IfaceSpec): Promise<number> {
    return (await this.call<{ swIfIndex: number }>('addInterface', { spec })).swIfIndex;
  }

  async interfaces(): Promise<unknown[]> {
    return this.call('interfaces');
  }

  /** What `prefix` ("10.0.0.0/24", "10.0.0.1", "2001:db8::/32", "mpls:100", "mpls:100/neos") forwards to in VPP table `table`. */
  async lookup(table: number, prefix: string): Promise<Forwarding> {
    return this.call('lookup', { table, prefix });
  }

  /** Every API route with its paths (for "FIB equals" comparisons); `file` writes JSON lines there instead. */
  async fibDump(o: { family?: 'ip4' | 'ip6' | 'mpls'; table?: number; limit?: number } = {}): Promise<(RouteJson | MplsRouteJson)[]> {
    return this.call('fibDump', o);
  }

  async fibDumpToFile(file: string, o: { family?: 'ip4' | 'ip6' | 'mpls'; table?: number } = {}): Promise<number> {
    return (await this.call<{ count: number }>('fibDump', { ...o, file })).count;
  }

  /** Order-independent digest of the FIB (compare with routesDigest() of the expected routes). */
  async fibDigest(o: { family?: 'ip4' | 'ip6' | 'mpls'; table?: number } = {}): Promise<{ count: number; digest: string }> {
    return this.call('fibDigest', o);
  }

  async tables(): Promise<{ ip4: { table: number; name: string; routes: number }[]; ip6: { table: number; name: string; routes: number }[]; mpls: { table: number; name: string; routes: number }[] }> {
    return this.call('tables');
  }

  async l2(): Promise<{ bridgeDomains: unknown[]; l2fib: unknown[]; vxlanTunnels: unknown[] }> {
    return this.call('l2');
  }

  async counters(): Promise<SimCounters> {
    return this.call('counters');
  }

  async resetCounters(): Promise<void> {
    await this.call('resetCounters');
  }

  /** The simulator's error log lines (protocol errors and refusals). */
  async log(clear = false): Promise<string[]> {
    return this.call('log', { clear });
  }

  /** This start's message table: name_crc -> id. */
  async ids(): Promise<Record<string, number>> {
    return this.call('ids');
  }

  /** Names of the messages the simulator models (answers with real semantics). */
  async modelled(): Promise<string[]> {
    return this.call('modelled');
  }

  async info(): Promise<{ pid: number; seed: number; messages: number; tableBytes: number; delayUs: number; connections: number }> {
    return this.call('info');
  }

  /** CPU time the simulator process has used so far (user + system, ms), from /proc. */
  cpuMs(): number {
    try {
      const f = fs.readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
      return ((Number(parts[11]) + Number(parts[12])) * 1000) / 100;
    } catch {
      return NaN;
    }
  }
}

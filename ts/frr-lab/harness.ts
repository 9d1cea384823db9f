// FrrLab: a real FRR 8.4 zebra (+ staticd/bgpd on demand) in network namespaces of its own,
// every path in a temp dir, for the tests, the soak and `fibpush demo --real-zebra`, which need
// zebra's real FPM stream. See docs/frr-testing.md.
import { spawn, ChildProcess, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import {
  cleanupStale,
  destroyNetnsSync,
  killQuiet,
  listenInNetns,
  nextStem,
  run,
  RunResult,
  sleep,
  spawnInNetns,
  waitFor,
} from './proc';
import { diffFib, Fib, fibFromZebraJson, parseConcatenatedJson } from './fib';

export { frrUnavailableReason, listenInNetns, spawnInNetns, waitFor, sleep } from './proc';

const FRR_BIN = '/usr/lib/frr';

export type Daemon = 'mgmtd' | 'zebra' | 'staticd' | 'bgpd' | 'sharpd';

export interface LabOptions {
  /** veth pairs DUT<->peer (default 3). Link i (1-based): DUT `s-p<i>` 10.99.<i>.1/24 and
   *  fd00:99:<i>::1/64, peer `p<i>` 10.99.<i>.2 and fd00:99:<i>::2. */
  links?: number;
  /** FPM address zebra connects to, inside its namespace (default 127.0.0.1); null: no `fpm address`. */
  fpmAddress?: string | null;
  /** FPM port (default 2620: the namespace has its own loopback, so nothing collides). */
  fpmPort?: number;
  /** `fpm use-next-hop-groups` (default on, as zebra's default). */
  nhg?: boolean;
  /** Extra zebra.conf lines. */
  zebraConf?: string[];
  /** Extra zebra command-line arguments. */
  zebraArgs?: string[];
  /** `debug zebra fpm` + `--log-level debug` (big logs with many routes). */
  debug?: boolean;
  /** Keep the temp dir after teardown (also with env FIBPUSH_FRR_KEEP=1). */
  keep?: boolean;
  /** Directory of the daemons (default /usr/lib/frr, Debian's package; e.g. a build of frr-patches/). */
  frrBin?: string;
  /** vtysh to use (default `vtysh` from PATH); a build's own one knows its daemons' commands (sharpd). */
  vtysh?: string;
  /**
   * A root directory holding another FRR (test/frr/debian13-root.sh: Debian 13's FRR 10.3): the
   * daemons and vtysh run from it with `chroot`, inside the lab's namespaces, in a private mount
   * namespace per process (ROOT_MOUNT_SCRIPT), so nothing is mounted on the host. FRR >= 9
   * keeps staticd's configuration in mgmtd: `startZebra` starts mgmtd first with a root.
   */
  root?: string;
}

export interface Link {
  /** 1-based link number. */
  n: number;
  dut: string;
  peer: string;
  dutV4: string;
  peerV4: string;
  dutV6: string;
  peerV6: string;
}

/** `show fpm counters json` of FRR 8.4.4 (dplane_fpm_nl.c fpm_show_counters_json). */
export interface FpmCounters {
  'bytes-read': number;
  'bytes-sent': number;
  'obuf-bytes': number;
  'obuf-bytes-peak': number;
  'connection-closes': number;
  'connection-errors': number;
  'data-plane-contexts': number;
  'data-plane-contexts-queue': number;
  'data-plane-contexts-queue-peak': number;
  /** Times zebra's 1 MiB output buffer was full: the replay walk pauses 1 s and restarts. */
  'buffer-full-hits': number;
  'user-configures': number;
  'user-disables': number;
}

/** The key in `show fpm counters json` that counts output-buffer-full events ("Buffer full hits"). */
export const BUFFER_FULL_KEY = 'buffer-full-hits' as const;

/** One entry of `show nexthop-group rib` (8.4 has no JSON form of it; parsed from text). */
export interface NhgRibEntry {
  id: number;
  owner: string;
  refcnt: number;
  valid: boolean;
  installed: boolean;
  depends: number[];
  /** Nexthop lines as printed ("via 10.99.1.2, s-p1 (vrf default), weight 1"), indentation removed. */
  nexthops: string[];
}

const live = new Set<FrrLab>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test that throws, times out or is interrupted must not leave zebra running: tear down
  // whatever is still alive synchronously on the way out.
  const sweep = () => {
    for (const lab of live) lab.destroySync();
  };
  process.on('exit', sweep);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      sweep();
      process.exit(130);
    });
  }
}

function frrIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'frr'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'frr'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

// Run inside `unshare -m --propagation private`: zebra and friends write crash/log buffers
// under /var/tmp/frr and sockets/pids under /run/frr by default; private bind mounts keep each
// lab's daemons out of the host's (and each other's) directories. $0 is the lab dir.
const MOUNT_SCRIPT = 'mount --bind "$0/_vartmp" /var/tmp && mkdir -p /run/frr && mount --bind "$0/_varrun" /run/frr && exec "$@"';

// The same for a daemon or vtysh run from another root (LabOptions.root): $0 the lab dir, $1 the
// root. Inside the root, /tmp is a fresh tmpfs holding the lab dir at its own path (so every path
// given to the daemons is the same inside and out), /run/frr and /var/tmp are the lab's, /proc,
// /sys and /dev are the namespace's own (this runs after `ip netns exec`, whose /sys it is).
const ROOT_MOUNT_SCRIPT = [
  'd=$0; r=$1; shift',
  'mount -t tmpfs -o mode=1777 fibpush-tmp "$r/tmp"',
  'mkdir -p "$r$d"',
  'mount --bind "$d" "$r$d"',
  'mount -t tmpfs -o mode=755 fibpush-run "$r/run"',
  'mkdir -p "$r/run/frr"',
  'mount --bind "$d/_varrun" "$r/run/frr"',
  'mount --bind "$d/_vartmp" "$r/var/tmp"',
  'mount --rbind /proc "$r/proc"',
  'mount --rbind /sys "$r/sys"',
  'mount --rbind /dev "$r/dev"',
  'exec chroot "$r" "$@"',
].join(' && ');

/** argv that runs `cmd` from `root` for a lab dir (see ROOT_MOUNT_SCRIPT); `unshare` is argv[0]. */
export function inRoot(root: string, dir: string, cmd: string[]): string[] {
  return ['unshare', '-m', '--propagation', 'private', '--', 'sh', '-c', ROOT_MOUNT_SCRIPT, dir, root, ...cmd];
}

export class FrrLab {
  readonly stem: string;
  /** Namespace of zebra, its daemons and the FPM server. */
  readonly ns: string;
  /** Namespace of the peers (BGP feeder side, gateways). */
  readonly peerNs: string;
  readonly dir: string;
  readonly links: Link[];
  readonly fpmAddress: string | null;
  readonly fpmPort: number;
  private readonly opts: LabOptions;
  private readonly procs = new Map<Daemon, ChildProcess>();
  private destroyed = false;

  private constructor(opts: LabOptions) {
    this.opts = opts;
    this.stem = nextStem();
    this.ns = `${this.stem}-dut`;
    this.peerNs = `${this.stem}-peer`;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `${this.stem}-`));
    this.fpmAddress = opts.fpmAddress === undefined ? '127.0.0.1' : opts.fpmAddress;
    this.fpmPort = opts.fpmPort ?? 2620;
    this.links = [];
    for (let n = 1; n <= (opts.links ?? 3); n++) {
      this.links.push({
        n,
        dut: `s-p${n}`,
        peer: `p${n}`,
        dutV4: `10.99.${n}.1`,
        peerV4: `10.99.${n}.2`,
        dutV6: `fd00:99:${n}::1`,
        peerV6: `fd00:99:${n}::2`,
      });
    }
  }

  /**
   * Creates the namespaces, links and lab dir (no daemon yet). Reaps what crashed earlier runs
   * left behind first. On failure everything created so far is removed.
   */
  static async create(opts: LabOptions = {}): Promise<FrrLab> {
    installExitHook();
    cleanupStale();
    const lab = new FrrLab(opts);
    live.add(lab);
    try {
      await lab.setup();
    } catch (e) {
      await lab.destroy();
      throw e;
    }
    return lab;
  }

  private async setup(): Promise<void> {
    const { uid, gid } = frrIds();
    for (const sub of ['_vartmp', '_varrun']) {
      fs.mkdirSync(path.join(this.dir, sub));
      fs.chmodSync(path.join(this.dir, sub), 0o1777);
    }
    // The daemons drop to user frr and write their pid files and logs here.
    fs.chownSync(this.dir, uid, gid);
    fs.chmodSync(this.dir, 0o777);
    for (const ns of [this.ns, this.peerNs]) {
      await run('ip', ['netns', 'add', ns]);
      await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      // No duplicate address detection (addresses usable at once), and IPv6 addresses survive a
      // link flap like IPv4 ones do (the kernel default drops them on down).
      await run('ip', [
        'netns', 'exec', ns, 'sysctl', '-qw',
        'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0',
        'net.ipv6.conf.all.keep_addr_on_down=1', 'net.ipv6.conf.default.keep_addr_on_down=1',
      ]);
    }
    await run('ip', ['netns', 'exec', this.ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
    for (const l of this.links) {
      await run('ip', ['link', 'add', l.dut, 'netns', this.ns, 'type', 'veth', 'peer', 'name', l.peer, 'netns', this.peerNs]);
      await run('ip', ['-n', this.ns, 'addr', 'add', `${l.dutV4}/24`, 'dev', l.dut]);
      await run('ip', ['-n', this.ns, 'addr', 'add', `${l.dutV6}/64`, 'dev', l.dut, 'nodad']);
      await run('ip', ['-n', this.peerNs, 'addr', 'add', `${l.peerV4}/24`, 'dev', l.peer]);
      await run('ip', ['-n', this.peerNs, 'addr', 'add', `${l.peerV6}/64`, 'dev', l.peer, 'nodad']);
      await run('ip', ['-n', this.ns, 'link', 'set', l.dut, 'up']);
      await run('ip', ['-n', this.peerNs, 'link', 'set', l.peer, 'up']);
    }
  }

  link(n: number): Link {
    const l = this.links[n - 1];
    if (!l) throw new Error(`no link ${n} (the lab has ${this.links.length})`);
    return l;
  }

  /** Linux ifindex of `dev` in the DUT namespace (zebra's RTA_OIF / NHA_OIF values). */
  async ifindex(dev: string, ns = this.ns): Promise<number> {
    const r = await run('ip', ['-n', ns, '-j', 'link', 'show', 'dev', dev]);
    return (JSON.parse(r.stdout) as { ifindex: number }[])[0].ifindex;
  }

  /** A TCP listener bound on the FPM address inside zebra's namespace (see proc.ts). */
  listenFpm(host = this.fpmAddress ?? '127.0.0.1', port = this.fpmPort): Promise<net.Server> {
    return listenInNetns(this.ns, host, port);
  }

  /** A TCP listener inside the peer namespace (the BGP feeder's port 179). */
  listenInPeer(host: string, port: number): Promise<net.Server> {
    return listenInNetns(this.peerNs, host, port);
  }

  /** Spawns `cmd` inside the DUT namespace (e.g. `node bin/fibpush.js run`). */
  spawnInDut(cmd: string, args: readonly string[], opts: { stdio?: 'pipe' | 'inherit' | 'ignore'; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
    return spawnInNetns(this.ns, cmd, args, opts);
  }

  zebraConf(): string {
    const lines = ['hostname fpt-dut', 'log timestamp precision 3', 'zebra nexthop-group keep 1'];
    if (this.opts.debug) lines.push('debug zebra fpm', 'debug zebra dplane');
    if (this.fpmAddress !== null) lines.push(`fpm address ${this.fpmAddress} port ${this.fpmPort}`);
    if (this.opts.nhg === false) lines.push('no fpm use-next-hop-groups');
    lines.push(...(this.opts.zebraConf ?? []));
    return lines.join('\n') + '\n';
  }

  /** Starts zebra with `-M dplane_fpm_nl`; resolves once its vty answers. */
  async startZebra(): Promise<void> {
    // FRR >= 9: mgmtd holds staticd's configuration and zebra is one of its back ends.
    if (this.opts.root && !this.procs.has('mgmtd')) await this.startDaemon('mgmtd', '', []);
    await this.startDaemon('zebra', this.zebraConf(), ['-M', 'dplane_fpm_nl', ...(this.opts.zebraArgs ?? [])]);
  }

  /** Starts staticd (after zebra). */
  async startStaticd(conf = ''): Promise<void> {
    await this.startDaemon('staticd', conf, []);
    if (this.opts.root && conf.trim() !== '') await this.configure(...conf.split('\n').filter((l) => l.trim() !== ''));
  }

  /** Starts bgpd with `conf` (after zebra). bgpd listens on port 179 of the DUT namespace. */
  async startBgpd(conf: string): Promise<void> {
    await this.startDaemon('bgpd', conf, []);
  }

  /** Starts sharpd (after zebra; built from source only, see `frrBin`). */
  async startSharpd(conf = ''): Promise<void> {
    await this.startDaemon('sharpd', conf, []);
  }

  private async startDaemon(d: Daemon, conf: string, extra: string[]): Promise<void> {
    if (this.procs.has(d)) throw new Error(`${d} already running`);
    const { uid, gid } = frrIds();
    const confFile = path.join(this.dir, `${d}.conf`);
    fs.writeFileSync(confFile, conf);
    fs.chownSync(confFile, uid, gid);
    const out = fs.openSync(path.join(this.dir, `${d}.out`), 'a');
    const daemonArgv = [
      path.join(this.opts.frrBin ?? FRR_BIN, d),
      '-P', '0',
      // FRR 10's mgmtd and its back end staticd take no -f: their configuration goes through
      // mgmtd (vtysh), see startStaticd.
      ...(d === 'mgmtd' || (d === 'staticd' && this.opts.root) ? [] : ['-f', confFile]),
      '-i', path.join(this.dir, `${d}.pid`),
      '--vty_socket', this.dir,
      // mgmtd is no zebra client (it has no -z).
      ...(d === 'mgmtd' ? [] : ['-z', path.join(this.dir, 'zserv.api')]),
      '--log', `file:${path.join(this.dir, `${d}.log`)}`,
      ...(this.opts.debug ? ['--log-level', 'debug'] : []),
      ...extra,
    ];
    const argv = this.opts.root
      ? ['ip', 'netns', 'exec', this.ns, ...inRoot(this.opts.root, this.dir, daemonArgv)]
      : ['unshare', '-m', '--propagation', 'private', '--', 'sh', '-c', MOUNT_SCRIPT, this.dir, 'ip', 'netns', 'exec', this.ns, ...daemonArgv];
    // Foreground (no -d): unshare, sh and `ip netns exec` all exec, so the child's pid is the
    // daemon's and this process reaps it.
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    this.procs.set(d, child);
    let exited: string | null = null;
    child.on('exit', (code, sig) => {
      exited = `${d} exited (code ${code}, signal ${sig})`;
      this.procs.delete(d);
    });
    const vty = path.join(this.dir, `${d}.vty`);
    await waitFor(
      `${d} vty`,
      async () => {
        if (exited) throw new Error(`${exited}; log:\n${this.logTail(d)}`);
        if (!fs.existsSync(vty)) return false;
        const [cmd, ...args] = this.vtyshArgv(['--vty_socket', this.dir, '-d', d, '-c', 'show version']);
        const r = await run(cmd, args, { allowFail: true, timeoutMs: 5000 });
        return r.code === 0;
      },
      15000,
      50,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${this.logTail(d)}`);
    });
  }

  /** Pid of a running daemon, or 0. */
  pid(d: Daemon): number {
    return this.procs.get(d)?.pid ?? 0;
  }

  /** Stops one daemon (TERM, then KILL after 3 s). */
  async stopDaemon(d: Daemon): Promise<void> {
    const p = this.procs.get(d);
    if (!p || p.exitCode !== null) return;
    const gone = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(t);
  }

  /** Runs vtysh commands (each a `-c`); rejects when vtysh reports a failure. */
  async vtysh(...cmds: string[]): Promise<string> {
    const args = ['--vty_socket', this.dir];
    for (const c of cmds) args.push('-c', c);
    const [cmd, ...rest] = this.vtyshArgv(args);
    const r: RunResult = await run(cmd, rest, { timeoutMs: 60000 });
    return r.stdout;
  }

  /** vtysh with `args`: the root's own with LabOptions.root (it must know its daemons' commands). */
  private vtyshArgv(args: string[]): string[] {
    if (this.opts.root) return inRoot(this.opts.root, this.dir, [this.opts.vtysh ?? 'vtysh', ...args]);
    return [this.opts.vtysh ?? 'vtysh', ...args];
  }

  /** `configure terminal` + lines, in one vtysh call. */
  async configure(...lines: string[]): Promise<void> {
    const out = await this.vtysh('configure terminal', ...lines);
    if (/% (Unknown|Ambiguous|Command incomplete|Invalid)/i.test(out)) throw new Error(`vtysh configure failed: ${out.trim()}`);
  }

  async showJson(cmd: string): Promise<unknown> {
    return JSON.parse(await this.vtysh(cmd));
  }

  /** `show ip route [table N] json` (af 4) or `show ipv6 route [table N] json` (af 6). */
  async showRoutes(af: 4 | 6, table?: number): Promise<Record<string, unknown[]>> {
    const cmd = `show ${af === 4 ? 'ip' : 'ipv6'} route${table === undefined ? '' : ` table ${table}`} json`;
    return (await this.showJson(cmd)) as Record<string, unknown[]>;
  }

  /** Every table (`show ip[v6] route table all json`, one object per table) and main. */
  async routesJson(): Promise<unknown[]> {
    const v4 = parseConcatenatedJson(await this.vtysh('show ip route table all json'));
    const v6 = parseConcatenatedJson(await this.vtysh('show ipv6 route table all json'));
    return [...v4, ...v6];
  }

  /** zebra's FIB, normalised (fib.ts fibFromZebraJson): what it should have sent over FPM. */
  async fib(): Promise<Fib> {
    return fibFromZebraJson(await this.routesJson());
  }

  /**
   * Polls until zebra's FIB (JSON) equals `current()` (e.g. an FpmFib's view of the stream);
   * resolves to zebra's FIB, or rejects with the remaining differences. Wait for the change you
   * expect first: before zebra starts on it, both sides still agree on the old state.
   */
  async waitFibMatch(current: () => Fib, timeoutMs = 30000): Promise<Fib> {
    let last: string[] = [];
    try {
      return await waitFor(
        "the FPM stream's FIB to match zebra's",
        async () => {
          const z = await this.fib();
          last = diffFib(z, current());
          return last.length === 0 ? z : false;
        },
        timeoutMs,
        250,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}\nzebra -> FPM differences:\n  ${last.join('\n  ')}`);
    }
  }

  async fpmCounters(): Promise<FpmCounters> {
    return (await this.showJson('show fpm counters json')) as FpmCounters;
  }

  /** `show nexthop-group rib`, parsed (FRR 8.4 zebra_nhg vty output; no JSON form there). */
  async nhgRib(): Promise<NhgRibEntry[]> {
    return parseNhgRib(await this.vtysh('show nexthop-group rib'));
  }

  /** `ip link set dev X down` in the DUT (default) or peer namespace. */
  async linkDown(dev: string, side: 'dut' | 'peer' = 'dut'): Promise<void> {
    await run('ip', ['-n', side === 'dut' ? this.ns : this.peerNs, 'link', 'set', 'dev', dev, 'down']);
  }

  async linkUp(dev: string, side: 'dut' | 'peer' = 'dut'): Promise<void> {
    await run('ip', ['-n', side === 'dut' ? this.ns : this.peerNs, 'link', 'set', 'dev', dev, 'up']);
  }

  logTail(d: Daemon, lines = 30): string {
    const parts: string[] = [];
    for (const f of [`${d}.log`, `${d}.out`]) {
      try {
        const t = fs.readFileSync(path.join(this.dir, f), 'utf8').trimEnd().split('\n');
        parts.push(`--- ${f} (last ${lines} lines)\n${t.slice(-lines).join('\n')}`);
      } catch {
        // not written
      }
    }
    return parts.join('\n');
  }

  /** Kills everything in both namespaces, deletes them and the lab dir. Safe to call twice. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    for (const d of ['sharpd', 'bgpd', 'staticd', 'zebra', 'mgmtd'] as const) await this.stopDaemon(d).catch(() => undefined);
    // Let the 'exit' events land before the namespace sweep kills whatever is left.
    await sleep(10);
    this.destroySync();
  }

  /** Synchronous teardown (exit hook, failures): by namespace, so nothing started in it survives. */
  destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    live.delete(this);
    for (const p of this.procs.values()) if (p.pid) killQuiet(p.pid, 'SIGKILL');
    destroyNetnsSync(this.ns);
    destroyNetnsSync(this.peerNs);
    if (!this.opts.keep && !process.env.FIBPUSH_FRR_KEEP) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export function parseNhgRib(text: string): NhgRibEntry[] {
  const out: NhgRibEntry[] = [];
  let cur: NhgRibEntry | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const m = /^ID: (\d+) \(([^)]*)\)/.exec(line);
    if (m) {
      cur = { id: Number(m[1]), owner: m[2], refcnt: 0, valid: false, installed: false, depends: [], nexthops: [] };
      out.push(cur);
      continue;
    }
    if (!cur || line === '') continue;
    let mm: RegExpExecArray | null;
    if ((mm = /^RefCnt: (\d+)/.exec(line))) cur.refcnt = Number(mm[1]);
    else if (/^(Valid|Installed)/.test(line) || /^Valid,/.test(line)) {
      cur.valid = /\bValid\b/.test(line);
      cur.installed = /\bInstalled\b/.test(line);
    } else if ((mm = /^Depends: (.*)$/.exec(line))) cur.depends = [...mm[1].matchAll(/\((\d+)\)/g)].map((x) => Number(x[1]));
    else if (/^(via |is directly connected|unreachable|blackhole)/.test(line)) cur.nexthops.push(line);
  }
  return out;
}

// A real VPP for tests: found (FIBPUSH_VPP_BIN, `vpp` on PATH, the build cache) or built (FIBPUSH_VPP_SRC), started with its own sockets through tools/vpp/run.sh, read through vppctl.
import { execFileSync, spawnSync } from 'child_process';
import { startVpp, stopVpp, TWO_LOOPS } from '../../bench/vpp-run';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from '../../ts/paths';

const BUILD = path.join(REPO_ROOT, 'tools', 'vpp', 'build.sh');
const CACHE_BIN = path.join(os.homedir(), '.cache', 'fibpush', 'vpp-25.10', 'build', 'bin', 'vpp');

/** The vpp binary to use, or why there is none (the suite is then skipped with that reason). */
export function findVpp(): { bin: string } | { skip: string } {
  const env = process.env.FIBPUSH_VPP_BIN;
  if (env) return fs.existsSync(env) ? { bin: env } : { skip: `FIBPUSH_VPP_BIN=${env} does not exist` };
  const onPath = spawnSync('sh', ['-c', 'command -v vpp'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return { bin: onPath };
  if (fs.existsSync(path.join(path.dirname(path.dirname(CACHE_BIN)), '.done')) && fs.existsSync(CACHE_BIN)) return { bin: CACHE_BIN };
  if (process.env.FIBPUSH_VPP_SRC) {
    const r = spawnSync('bash', [BUILD], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const bin = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status === 0 && fs.existsSync(bin)) return { bin };
    return { skip: `building VPP from FIBPUSH_VPP_SRC failed: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}` };
  }
  if (process.getuid?.() !== 0) return { skip: 'a real VPP needs root' };
  return { skip: 'no real VPP: set FIBPUSH_VPP_BIN, put vpp on PATH, or FIBPUSH_VPP_SRC=vpp-25.10-src.tar.xz to build one' };
}

/** Two loopback interfaces (sw_if_index 1 and 2, both up) with IPv4 and IPv6 link prefixes. */
export { TWO_LOOPS } from '../../bench/vpp-run';

export class RealVpp {
  readonly apiSocket: string;
  readonly cliSocket: string;
  private readonly vppctl: string;

  private constructor(
    readonly bin: string,
    readonly dir: string,
    private readonly setup: readonly string[],
  ) {
    this.apiSocket = path.join(dir, 'api.sock');
    this.cliSocket = path.join(dir, 'cli.sock');
    this.vppctl = path.join(path.dirname(bin), 'vppctl');
  }

  /**
   * Starts a VPP whose main loop sleeps between polls (VPP_POLL_SLEEP): a test VPP must not take
   * a core from the processes under test. Benches start theirs without it.
   */
  static start(bin: string, setup: readonly string[] = TWO_LOOPS): RealVpp {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-vpp-real-'));
    const v = new RealVpp(bin, dir, setup);
    v.boot();
    return v;
  }

  private boot(): void {
    startVpp(this.dir, this.setup, { bin: this.bin, pollSleepUs: Number(process.env.VPP_POLL_SLEEP ?? 100), heap: '1G' });
  }

  get pid(): number {
    return Number(fs.readFileSync(path.join(this.dir, 'vpp.pid'), 'utf8'));
  }

  /** Runs one CLI command (vppctl -s cli.sock) and returns its output. */
  ctl(cmd: string): string {
    return execFileSync(this.vppctl, ['-s', this.cliSocket, ...cmd.split(' ')], { encoding: 'utf8', timeout: 30_000 });
  }

  /** VPP's CPU time so far (utime + stime of its process), in seconds. */
  cpuSeconds(): number {
    const f = fs.readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(parts[11]) + Number(parts[12])) / 100;
  }

  /** Kills VPP (state lost) and starts a fresh one with the same sockets and setup. */
  restart(): void {
    this.kill();
    this.boot();
  }

  kill(): void {
    stopVpp(this.pid);
  }

  stop(): void {
    this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * The final adjacencies of a prefix's forwarding chain in `table` (`show ip[6] fib table T
   * PREFIX`): "via ADDR IFNAME" (a neighbour), "mpls L1,L2 via ADDR IFNAME" (labels pushed towards a
   * neighbour), "glean IFNAME", "drop", "unreach", "prohibit";
   * sorted and unique (ECMP buckets repeat them).
   */
  chain(prefix: string, table = 0): string[] {
    const v6 = prefix.includes(':');
    const out = this.ctl(`show ${v6 ? 'ip6' : 'ip'} fib table ${table} ${prefix}`);
    const fw = out.slice(out.indexOf('forwarding:'));
    const seen = new Set<string>();
    let labels = '';
    for (const line of fw.split('\n')) {
      let m: RegExpExecArray | null;
      if ((m = /mpls-label\[@\d+\]:((?:\[\d+:[^\]]*\])+)/.exec(line))) labels = [...m[1].matchAll(/\[(\d+):/g)].map((x) => x[1]).join(',');
      else if ((m = /arp-mpls: via (\S+) (\S+)/.exec(line))) seen.add(`mpls ${labels} via ${m[1]} ${m[2]}`);
      else if ((m = /arp-ipv[46]: via (\S+) (\S+)/.exec(line))) seen.add(`via ${m[1]} ${m[2]}`);
      else if ((m = /ip[v]?[46]-glean: \[src:[^\]]*\] (\S+?):/.exec(line)) || (m = /glean: (\S+?):/.exec(line))) seen.add(`glean ${m[1]}`);
      else if (/dpo-drop/.test(line)) seen.add('drop');
      else if (/icmp-unreachable|ip[46]-icmp-unreach|unreach/.test(line)) seen.add('unreach');
      else if (/prohibit/.test(line)) seen.add('prohibit');
    }
    return [...seen].sort();
  }

  /** Share of traffic per final adjacency (chain() names), from the load-balance buckets VPP shows. */
  shares(prefix: string, table = 0): Record<string, number> {
    const v6 = prefix.includes(':');
    const out = this.ctl(`show ${v6 ? 'ip6' : 'ip'} fib table ${table} ${prefix}`);
    const fw = out.slice(out.indexOf('forwarding:'));
    const n = new Map<string, number>();
    let total = 0;
    for (const line of fw.split('\n')) {
      const m = /arp-ipv[46]: via (\S+) (\S+)/.exec(line);
      if (!m) continue;
      const k = `via ${m[1]} ${m[2]}`;
      n.set(k, (n.get(k) ?? 0) + 1);
      total++;
    }
    return Object.fromEntries([...n].map(([k, c]) => [k, c / total]));
  }
}

// A real zebra as the soak's zebra: Debian's FRR 8.4 in network namespaces (ts/frr-lab/harness.ts), routes from staticd and the test BGP speaker (ts/frr-lab/bgp.ts), fibpush in zebra's namespace, the simulator as the dataplane.
//
// Churn is BGP: peer 0 withdraws and re-announces prefixes that peer 1 also announces, so zebra's
// groups lose and regain a member (ECMP 2 <-> 1) and weighted prefixes come back with another
// link bandwidth (FRR turns the bandwidth ratio into nexthop weights). zebra's FPM connection is
// cut with `no fpm address` / `fpm address` (zebra/dplane_fpm_nl.c: the disable event closes the
// socket, the address command reconnects), and zebra is killed and started again (it numbers its
// nexthop groups afresh; bgpd and staticd reconnect to it and install their routes again).
import * as fs from 'fs';
import * as path from 'path';
import { simFib } from '../../ts/frr-lab/sim-fib';
import { BgpFeeder, FeedRoute, standardFeed, StandardFeed } from '../../ts/frr-lab/bgp';
import type { Fib } from '../../ts/frr-lab/fib';
import { FrrLab, frrUnavailableReason, waitFor } from '../../ts/frr-lab/harness';
import { STATIC_ROUTES } from '../../ts/frr-lab/static-routes';
import type { IfaceSpec } from '../../ts/vpp-sim';
import { Rng } from '../../ts/gen/rng';
import { FibResult, compareFibs } from './checks';
import type { ClientKind, ClientResult } from './clients';
import { Daemon } from './daemon';
import { Dataplane } from './dataplane';
import type { SoakOptions } from './options';
import type { ChurnFigures, Player } from './player';
import { QUIET_PERIOD_MS } from './run';

const FPM_PORT = 2620;

/**
 * The static-route scenario without its routes in tables 1001 and 100: stock zebra 8.4 leaves
 * tables other than main out of its FPM walk, and docs/operations.md ("Lifecycles", VPP restarts)
 * names the case fibpush cannot repair with it: such routes adopted after a fibpush restart are
 * lost by a later VPP restart until zebra sends them again. The soak found exactly that
 * (fibpush-kill, then dp-restart); with frr-patches/ (full replay) they can be soaked too.
 */
const MAIN_STATICS = STATIC_ROUTES.filter((l) => !/ table \d+$/.test(l));

class RealPlayer implements Player {
  readonly name: string;
  private readonly rng: Rng;
  private readonly churnable: string[];
  private readonly weighted: Set<string>;
  /** Prefixes peer 0 has withdrawn (peer 1 still announces them). */
  private readonly withdrawn = new Set<string>();
  private readonly counts = { withdrawals: 0, readds: 0, weightChanges: 0 };
  private timer: NodeJS.Timeout | null = null;
  private paused = 0;
  private before: Fib | null = null;
  /** Keys ("254 prefix") churn touched since markBefore: a withdraw and re-add in between looks unchanged in zebra. */
  private readonly touched = new Set<string>();
  private zebraStarts = 1;
  /** zebra's FIB size at the last check. */
  private lastSize = 0;

  constructor(
    readonly lab: FrrLab,
    readonly feeder: BgpFeeder,
    readonly feed: StandardFeed,
    readonly dp: Dataplane,
    readonly ifindexOfSw: Map<number, number>,
    readonly o: SoakOptions,
    readonly t0: number,
  ) {
    this.name = 'real zebra (FRR 8.4, stock: no end-of-replay marker) with staticd and a BGP feed';
    this.rng = new Rng((o.seed ^ 0xb69) >>> 0);
    this.churnable = [...feed.ecmp4, ...feed.ecmp6, ...feed.weighted];
    this.weighted = new Set(feed.weighted);
  }

  routes(): number {
    return this.lastSize || this.feed.total;
  }

  async start(): Promise<void> {
    await this.feeder.waitEstablished(0, 60_000);
    await this.feeder.waitEstablished(1, 60_000);
    const last = `254 ${this.feed.weighted[this.feed.weighted.length - 1]}`;
    await waitFor('zebra to install the BGP feed', async () => (await this.lab.fib()).get(last)?.nexthops.length === 2, 120_000, 500);
  }

  startChurn(): void {
    if (this.timer || this.o.churnRate === 0) return;
    const t0 = performance.now();
    let done = 0;
    this.timer = setInterval(() => {
      const due = Math.floor(((performance.now() - t0) / 1000) * this.o.churnRate);
      if (this.paused > 0) {
        done = due;
        return;
      }
      const n = Math.min(due - done, Math.ceil(this.o.churnRate / 2));
      done = due;
      const wd: string[] = [];
      const ann: FeedRoute[] = [];
      for (let k = 0; k < n; k++) {
        const p = this.churnable[this.rng.int(this.churnable.length)];
        if (wd.includes(p) || ann.some((r) => r.prefix === p)) continue;
        this.touched.add(`254 ${p}`);
        if (this.withdrawn.has(p)) {
          this.withdrawn.delete(p);
          if (this.weighted.has(p)) {
            ann.push({ prefix: p, linkBandwidth: [125e6, 250e6, 625e6][this.rng.int(3)] });
            this.counts.weightChanges++;
          } else ann.push({ prefix: p });
          this.counts.readds++;
        } else {
          this.withdrawn.add(p);
          wd.push(p);
          this.counts.withdrawals++;
        }
      }
      if (wd.length) this.feeder.withdraw(0, wd);
      if (ann.length) this.feeder.announce(0, ann);
    }, 20);
  }

  pause(): void {
    this.paused++;
  }

  resume(): void {
    this.paused = Math.max(0, this.paused - 1);
  }

  async away(): Promise<void> {
    await this.lab.configure('no fpm address');
  }

  async back(): Promise<void> {
    await this.lab.configure(`fpm address 127.0.0.1 port ${FPM_PORT}`);
  }

  async kill(): Promise<void> {
    await this.lab.stopDaemon('zebra');
  }

  async restart(): Promise<void> {
    await this.lab.startZebra();
    this.zebraStarts++;
  }

  client(kind: ClientKind, holdMs: number, seed: number): Promise<ClientResult> {
    const js = path.join(__dirname, 'clients.js');
    const child = this.lab.spawnInDut(process.execPath, [js, kind, '127.0.0.1', String(FPM_PORT), String(holdMs), String(seed)]);
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => (out += d));
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => {
        try {
          resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as ClientResult);
        } catch {
          reject(new Error(`the ${kind} client in zebra's namespace exited with code ${code}: ${out.trim()}`));
        }
      });
    });
  }

  async markBefore(): Promise<void> {
    this.before = await this.lab.fib();
    this.touched.clear();
  }

  async check(sinceMark: boolean): Promise<FibResult> {
    const t = performance.now();
    const dp = await simFib(this.dp.sim!, { ifindexOfSw: this.ifindexOfSw });
    let z: Fib;
    try {
      z = await this.lab.fib();
    } catch (e) {
      // zebra is down: the dataplane must still hold what zebra had when the fault began.
      if (!sinceMark || !this.before) throw e;
      z = this.before;
    }
    this.lastSize = z.size;
    return compareFibs(z, dp, (t - this.t0) / 1000, (performance.now() - t) / 1000, sinceMark ? this.before : null, this.touched);
  }

  interfaceChanged(): number {
    return 0; // the comparison is with zebra's FIB, which does not see the dataplane's links
  }

  figures(): ChurnFigures {
    const sessions = this.feeder.peers.reduce((n, p) => n + p.sessions, 0);
    const notifications = this.feeder.peers.reduce((n, p) => n + p.notifications.length, 0);
    return { counts: { ...this.counts, zebraStarts: this.zebraStarts, bgpSessions: sessions, bgpNotifications: notifications }, offloads: null, offloadFailed: null, connects: this.zebraStarts };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.feeder.close();
  }
}

export async function realEnv(o: SoakOptions, dir: string, logFile: string, t0: number, progress: (s: string) => void) {
  const why = frrUnavailableReason();
  if (why) throw new RangeError(`--zebra real cannot run here: ${why}`);
  const lab = await FrrLab.create({ links: 3 });
  let dp: Dataplane | null = null;
  let daemon: Daemon | null = null;
  let player: RealPlayer | null = null;
  try {
    const interfaces: IfaceSpec[] = [];
    for (const l of lab.links) interfaces.push({ swIfIndex: l.n, name: `GigabitEthernet0/${7 + l.n}/0`, hostIfIndex: await lab.ifindex(l.dut), hostName: l.dut });
    dp = await Dataplane.simulator(interfaces, o.seed);
    fs.chmodSync(dir, 0o755);
    daemon = new Daemon(
      {
        fibpush: o.fibpush, listenHost: '127.0.0.1', port: FPM_PORT, control: path.join(dir, 'control.sock'), vppSocket: dp.socket,
        interfaceMap: null, quietPeriodMs: QUIET_PERIOD_MS, expectedRoutes: 0, extra: o.daemonArgs,
      },
      logFile,
      (cmd, args) => lab.spawnInDut(cmd, args),
      t0,
    );
    await daemon.start();
    const d0 = daemon;
    // The feed: ~76% ECMP IPv4, 10% ECMP IPv6, 10% weighted, 4% from one peer only.
    const n = o.routes;
    const feed = standardFeed({ ecmp4: Math.round(n * 0.76), ecmp6: Math.round(n * 0.1), weighted: Math.round(n * 0.1), single: Math.max(1, Math.round(n * 0.04)) });
    await lab.startZebra();
    await lab.startStaticd();
    await waitFor('zebra to connect to fibpush', async () => (await d0.status()).zebra === 'connected', 60_000, 200);
    await lab.configure(...MAIN_STATICS);
    const feeder = await BgpFeeder.start(lab, feed.peers);
    await lab.startBgpd(BgpFeeder.bgpdConf(lab, feed.peers));
    progress(`FRR lab ${lab.stem}: zebra, staticd, bgpd with ${feed.total.toLocaleString('en-US')} BGP prefixes from 2 peers`);
    player = new RealPlayer(lab, feeder, feed, dp, new Map(interfaces.map((i) => [i.swIfIndex!, i.hostIfIndex!])), o, t0);
  } catch (e) {
    await daemon?.stop('SIGKILL');
    daemon?.close();
    await dp?.stop();
    await lab.destroy();
    throw e;
  }
  const d = daemon;
  const p = player;
  const sim = dp;
  return {
    player: p,
    daemon: d,
    dp: sim,
    swIfIndexes: lab.links.map((l) => l.n),
    zebraName: p.name,
    dataplaneName: 'VPP simulator (ts/vpp-sim)',
    /** Stock zebra sends no end-of-replay marker: a replay ends by fibpush's quiet period, which churn would keep from expiring. */
    quietAfterFault: true,
    close: async () => {
      await p.close();
      await d.stop('SIGTERM');
      d.close();
      await sim.stop();
      await lab.destroy();
    },
  };
}

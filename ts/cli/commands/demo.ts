// `fibpush demo`: the whole pipeline on embedded defaults: VPP simulator, the daemon, and a generated (or real) zebra.
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { DecoderImpl } from '../../codec/decoder';
import type { Command } from '../command';
import { UsageError, intOption, parseArgs } from '../../options';
import { DaemonConfig, DEFAULT_FEEDBACK_RATE, DEFAULT_MAX_PARKED, parseTableMap } from '../../daemon/config';
import { defaultPeerPolicy, ownPeerPolicy, PeerPolicy } from '../../fpm/peer';
import { stopWithNpmParent } from '../parent';
import { Daemon } from '../../daemon/daemon';
import { createLogger } from '../../daemon/logger';
import { fmtCount, fmtDuration, fmtRate, ProgressLine } from '../../daemon/progress';
import { formatStatus } from '../../daemon/status';
import { vppDataplaneFactory } from '../../daemon/vpp';
import { AF_INET6 } from '../../dplane/types';
import { formatAddr, parsePrefix } from '../../addr';
import { VppSimulator } from '../../vpp-sim';
import type { Forwarding, IfaceSpec } from '../../vpp-sim';
import type { FrrLab } from '../../frr-lab/harness';
import type { BgpFeeder as Feeder } from '../../frr-lab/bgp';

const SPEC = {
  routes: { value: true },
  seed: { value: true },
  show: { value: true },
  inline: { value: false },
  decoder: { value: true },
  'real-zebra': { value: false },
  keep: { value: false },
  verbose: { value: false },
};

const DEFAULT_ROUTES = 100_000;
const DEFAULT_REAL_ROUTES = 10_000;

const HELP = `Usage: fibpush demo [options]

Runs the whole pipeline on this machine with nothing else installed: a VPP simulator (fibpush's
model of VPP's API socket and FIB) as the dataplane, the fibpush daemon, and zebra's side played by a generated full
table encoded exactly as zebra replays it over FPM. Shows progress while it syncs, then the
daemon's status and a few routes as VPP forwards them (lookups in the simulator's FIB).

Options:
  --routes N     routes in the generated table (default ${fmtCount(DEFAULT_ROUTES)}; about 80% IPv4, 20% IPv6;
                 with --real-zebra: BGP prefixes fed to zebra, default ${fmtCount(DEFAULT_REAL_ROUTES)})
  --seed N       generator seed (default 1)
  --show N       routes to look up in the simulator afterwards (default 6)
  --inline       program every route with its own paths instead of shared nexthop groups (PIC)
  --decoder D    native or ts (default native)
  --real-zebra   a real zebra (+ staticd, bgpd and a BGP feeder) in network namespaces instead of
                 the generated stream; needs root and Debian's frr package
  --keep         keep everything running afterwards (try \`fibpush status\`); Ctrl-C ends it
  --verbose      the daemon's info logs on stderr
  --help         this text`;

/** The real-FRR lab, loaded only for --real-zebra. */
function loadLab(): typeof import('../../frr-lab/harness') & typeof import('../../frr-lab/bgp') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand: only --real-zebra needs FRR's lab
  return { ...(require('../../frr-lab/harness') as typeof import('../../frr-lab/harness')), ...(require('../../frr-lab/bgp') as typeof import('../../frr-lab/bgp')) };
}

interface DemoOpts {
  routes: number;
  seed: number;
  show: number;
  inline: boolean;
  decoder: DecoderImpl;
  keep: boolean;
  verbose: boolean;
}

/** The daemon's progress line (on stderr), taken off the screen before each line of the demo's own output. */
let progressLine: ProgressLine | null = null;
/** Ctrl-C: the teardown runs; nothing more is reported. */
let interrupted = false;
const say = (s = '') => {
  if (interrupted) return;
  progressLine?.clear();
  process.stdout.write(s + '\n');
};

function demoConfig(o: DemoOpts, vppSocket: string, control: string, peer: PeerPolicy): DaemonConfig {
  return {
    // Port 0: the demo must not collide with a real fibpush (or zebra's peer) on 2620.
    listen: { host: '127.0.0.1', port: 0 },
    allowNonLoopback: false,
    peer,
    maxParked: DEFAULT_MAX_PARKED,
    dataplane: 'vpp',
    dataplaneReason: 'the demo runs the VPP simulator',
    vppSocket,
    control,
    metrics: null,
    mode: o.inline ? 'inline' : 'pic',
    tableMap: parseTableMap(undefined),
    interfaceMap: null,
    vtepSource: null,
    feedback: true,
    feedbackRate: DEFAULT_FEEDBACK_RATE,
    quietPeriodMs: 3000,
    // the generated table's size is known, so the route tables are sized for it up front
    expectedRoutes: o.routes,
    idleTimeoutMs: 0,
    logLevel: o.verbose ? 'info' : 'warn',
    logFormat: process.stderr.isTTY ? 'logfmt' : 'json',
    decoder: o.decoder,
    progress: 'auto',
  };
}

function startDaemon(cfg: DaemonConfig, listenHandle?: net.Server, peerProcNet?: () => string): Promise<Daemon> {
  const on = Boolean(process.stderr.isTTY);
  const progress = new ProgressLine(process.stderr, on);
  progressLine = progress;
  const log = createLogger({
    level: cfg.logLevel,
    format: cfg.logFormat,
    write: on ? (l) => progress.writeAbove(l) : (l) => void process.stderr.write(l),
  });
  return Daemon.start({ config: cfg, log, progress, dataplane: vppDataplaneFactory(cfg), listenHandle, peerProcNet });
}

/** Counts offload notifications in bytes sent back to zebra (RTM_NEWROUTE, rtm_flags at byte 16+8). */
function countOffloads(bufs: Buffer[]): { ok: number; failed: number } {
  const b = Buffer.concat(bufs);
  let ok = 0;
  let failed = 0;
  for (let off = 0; off + 4 <= b.length; ) {
    const flen = b.readUInt16BE(off + 2);
    if (flen < 4 || off + flen > b.length) break;
    // fpm-extensions.md section 3: one RTM_NEWROUTE per frame; struct rtmsg follows the 16-byte nlmsghdr.
    for (let m = off + 4; m + 28 <= off + flen; ) {
      const nlen = b.readUInt32LE(m);
      const flags = b.readUInt32LE(m + 16 + 8);
      if (flags & 0x4000) ok++;
      if (flags & 0x20000000) failed++;
      if (nlen < 16) break;
      m += (nlen + 3) & ~3;
    }
    off += flen;
  }
  return { ok, failed };
}

function formatForwarding(f: Forwarding, ifName: Map<number, string>, asked: string): string {
  if (!f.matched) return 'no route';
  // Name the entry only when it is not the one asked about (a longest-prefix match elsewhere).
  const head = canonical(f.matched) === canonical(asked) ? '' : `(${f.matched}) `;
  if (f.action !== 'forward' && f.action !== 'mixed') return `${head}${f.action}`;
  const legs = f.legs.map((l) => {
    const where = l.kind === 'via' ? `via ${l.nh || '(attached)'} ${ifName.get(l.swIfIndex) ?? `sw_if_index ${l.swIfIndex}`}` : l.kind;
    return `${where}${f.legs.length > 1 ? ` ${Math.round(l.share * 100)}%` : ''}`;
  });
  return `${head}${legs.join(', ')}`;
}

function canonical(prefix: string): string {
  const p = parsePrefix(prefix);
  return p ? `${formatAddr(p.family, p.bytes)}/${p.len}` : prefix;
}

/**
 * What the demo started, stopped in reverse order on the way out: at the end, on an error, or on
 * Ctrl-C (a demo must not leave a simulator or temp directories behind).
 */
class Teardown {
  private steps: (() => Promise<void> | void)[] = [];
  add(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }
  async run(): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step();
      } catch {
        /* keep tearing down the rest */
      }
    }
  }
}

const teardown = new Teardown();
/** Set while --keep waits: a signal then ends the wait instead of interrupting. */
let endKeep: (() => void) | null = null;

function onSignal(): void {
  if (endKeep) {
    endKeep();
    endKeep = null;
    return;
  }
  if (interrupted) return;
  interrupted = true;
  progressLine?.stop();
  process.stderr.write('\nfibpush demo: interrupted, stopping what it started\n');
  void teardown.run().finally(() => process.exit(130));
}

async function keepRunning(control: string): Promise<void> {
  say(`\nStill running. In another shell: fibpush status --control ${control}`);
  say('Ctrl-C ends the demo.');
  await new Promise<void>((resolve) => {
    endKeep = resolve;
  });
}

async function demoGenerated(o: DemoOpts): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the generator loads only for this demo
  const { generateFullTable, encodeTable, NO_NH } = require('../../gen/fulltable') as typeof import('../../gen/fulltable');
  const upstreams = 4;
  const v6 = Math.round((o.routes * 230) / 1230);
  const v4 = o.routes - v6;
  say(`fibpush demo: zebra (a generated table: ${fmtCount(v4)} IPv4 + ${fmtCount(v6)} IPv6 routes) -> fibpush -> VPP (simulator)`);
  // A million routes take seconds to generate and encode: say what is happening before it does.
  say(`  generating the table and encoding it as zebra 8.4.4 would send it${o.routes >= 500_000 ? ' (a few seconds for this size)' : ''}...`);
  let t = performance.now();
  const table = generateFullTable({ v4, v6, seed: o.seed, upstreams });
  // The end-of-replay marker is what zebra with frr-patches/ sends; stock zebra needs --quiet-period instead.
  const bytes = encodeTable(table, { nhgMode: true, endMarker: true });
  say(`  generated and FPM-encoded in ${fmtDuration((performance.now() - t) / 1000)}: ${fmtCount(bytes.length)} bytes, ${table.nexthops.length} nexthop objects`);

  // The simulator's interfaces stand for the upstreams: linux-cp pairs Linux ifindex 2.. <-> VPP sw_if_index 1..
  const interfaces: IfaceSpec[] = table.upstreams.map((u, i) => ({
    swIfIndex: i + 1,
    name: `GigabitEthernet0/${8 + i}/0`,
    hostIfIndex: u.ifindex,
    hostName: u.name,
  }));
  const sim = await VppSimulator.start({ interfaces });
  teardown.add(() => sim.stop());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-demo-'));
  teardown.add(() => fs.rmSync(dir, { recursive: true, force: true }));
  const control = path.join(dir, 'control.sock');
  let daemon: Daemon | null = null;
  let zebra: net.Socket | null = null;
  try {
    say(`  VPP simulator pid ${sim.pid}, API socket ${sim.apiSocket}`);
    // The demo plays zebra itself, from this process's user.
    const cfg = demoConfig(o, sim.apiSocket, control, ownPeerPolicy());
    daemon = await startDaemon(cfg);
    const d = daemon;
    teardown.add(() => d.close());
    const addr = daemon.listenAddress;
    say(`  fibpush listening for zebra on ${addr.address}:${addr.port} (${cfg.mode.toUpperCase()} mode), control ${control}`);
    const received: Buffer[] = [];
    zebra = net.connect(addr.port, addr.address);
    const z = zebra;
    teardown.add(() => void z.destroy());
    zebra.on('data', (b: Buffer) => received.push(b));
    zebra.on('error', () => undefined);
    await new Promise<void>((r, j) => {
      zebra!.once('connect', () => r());
      zebra!.once('error', j);
    });
    say('  zebra connected; replaying...');
    t = performance.now();
    const cpu0 = process.cpuUsage();
    const simCpu0 = sim.cpuMs();
    zebra.write(bytes);
    await daemon.whenSynced();
    if (interrupted) return 130;
    if (!daemon.isSynced()) throw new Error('the sync did not complete (the connection to fibpush ended)');
    const secs = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const st = daemon.status();
    say(`  synced ${fmtCount(st.routes)} routes into VPP in ${fmtDuration(secs)} (${fmtRate(st.routes / secs)} end to end)`);
    say(
      `  CPU meanwhile: fibpush (with this demo's zebra) ${fmtDuration((cpu.user + cpu.system) / 1e6)}, ` +
        `VPP simulator ${fmtDuration((sim.cpuMs() - simCpu0) / 1000)}`,
    );
    // Offload feedback is rate-bounded; give it a moment to reach "zebra".
    const until = Date.now() + Math.max(3000, (2000 * st.routes) / DEFAULT_FEEDBACK_RATE);
    while (daemon.feedback.queued > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 50));
    say('');
    say(formatStatus(daemon.status()));
    const fb = countOffloads(received);
    say(`\nzebra received ${fmtCount(fb.ok)} RTM_F_OFFLOAD and ${fmtCount(fb.failed)} RTM_F_OFFLOAD_FAILED notifications`);

    // A few routes as VPP forwards them: one per kind of nexthop object, a blackhole, IPv6.
    const ifName = new Map(interfaces.map((i) => [i.swIfIndex!, i.name]));
    const picks: { addr: string; why: string }[] = [];
    const pick = (set: typeof table.v4, i: number) => {
      const fam = set.family === AF_INET6 ? 6 : 4;
      const a = new Uint8Array(16);
      for (let w = 0; w < set.words; w++) {
        const x = set.addr[i * set.words + w];
        a.set([x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255], 4 * w);
      }
      const nh = set.nh[i];
      const why = nh === NO_NH ? 'static blackhole' : `nexthop object ${table.nexthops[nh].id} "${table.nexthops[nh].label}"`;
      // The prefix itself: an address inside it may belong to a more specific route.
      picks.push({ addr: `${formatAddr(fam, a)}/${set.len[i]}`, why });
    };
    // One IPv4 route per distinct nexthop object (blackholes included), then one IPv6 route.
    const seen = new Set<number>();
    for (let i = 0; i < table.v4.count && picks.length < o.show - 1; i++) {
      if (seen.has(table.v4.nh[i])) continue;
      seen.add(table.v4.nh[i]);
      pick(table.v4, i);
    }
    if (o.show > 0 && table.v6.count > 0) pick(table.v6, 0);
    if (picks.length > 0) say('\nRoutes as VPP forwards them (lookups in the simulator\'s FIB, table 0):');
    for (const p of picks) {
      const f = await sim.lookup(0, p.addr);
      say(`  ${p.addr.padEnd(22)} ${formatForwarding(f, ifName, p.addr)}   [zebra: ${p.why}]`);
    }
    const sc = await sim.counters();
    say(`\nVPP simulator: ${fmtCount(sc.routes)} routes, ${fmtCount(sc.messagesIn)} API messages in, ${sc.protocolErrors} protocol errors`);
    if (o.keep) await keepRunning(control);
    return 0;
  } finally {
    await teardown.run();
  }
}

async function demoRealZebra(o: DemoOpts): Promise<number> {
  const lab = loadLab();
  const why = lab.frrUnavailableReason();
  if (why) {
    process.stderr.write(`fibpush demo --real-zebra: ${why}. Without it, \`fibpush demo\` plays zebra with a generated table.\n`);
    return 1;
  }
  const { BgpFeeder, standardFeed } = lab;
  const n = o.routes;
  const feed = standardFeed({ ecmp4: Math.round(n * 0.7), ecmp6: Math.round(n * 0.1), weighted: Math.round(n * 0.1), single: Math.round(n * 0.1) });
  say(`fibpush demo: real zebra (FRR, in network namespaces) + bgpd fed ${fmtCount(feed.total)} prefixes by 2 eBGP peers -> fibpush -> VPP (simulator)`);
  let frr: FrrLab | null = null;
  let sim: VppSimulator | null = null;
  let daemon: Daemon | null = null;
  let feeder: Feeder | null = null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-demo-'));
  teardown.add(() => fs.rmSync(dir, { recursive: true, force: true }));
  try {
    frr = await lab.FrrLab.create({ links: 3 });
    const f = frr;
    teardown.add(() => f.destroy());
    const interfaces: IfaceSpec[] = [];
    for (const l of frr.links) interfaces.push({ swIfIndex: l.n, name: `GigabitEthernet0/${7 + l.n}/0`, hostIfIndex: await frr.ifindex(l.dut), hostName: l.dut });
    sim = await VppSimulator.start({ interfaces });
    const sm = sim;
    teardown.add(() => sm.stop());
    const control = path.join(dir, 'control.sock');
    // zebra runs as its own user in its namespace: the peer check looks its socket up there.
    const cfg = demoConfig(o, sim.apiSocket, control, defaultPeerPolicy());
    // zebra's `fpm address 127.0.0.1` is its own namespace's loopback: listen there (the socket keeps its namespace).
    daemon = await startDaemon(cfg, await frr.listenFpm(), () => `/proc/${f.pid('zebra')}/net`);
    const d = daemon;
    teardown.add(() => d.close());
    say(`  namespaces ${frr.ns} (zebra, staticd, bgpd) and ${frr.peerNs} (BGP peers); VPP simulator pid ${sim.pid}`);
    await frr.startZebra();
    await frr.startStaticd();
    await frr.configure('ip route 192.0.2.0/24 10.99.3.2', 'ip route 198.51.100.0/24 blackhole', 'ipv6 route 2001:db8:ffff::/48 fd00:99:3::2');
    feeder = await BgpFeeder.start(frr, feed.peers);
    const fd = feeder;
    teardown.add(() => fd.close());
    await frr.startBgpd(BgpFeeder.bgpdConf(frr, feed.peers));
    say('  zebra, staticd and bgpd started; waiting for zebra to connect (about 3 s) and the feed to converge...');
    const t = performance.now();
    const want = feed.total;
    // The replay of a stock zebra ends by quiet period; then wait for the BGP routes too.
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      const s = daemon.status();
      if (s.routes >= want && s.queueDepth === 0 && s.vppInFlight === 0 && s.replay.state === 'ended') break;
      if (performance.now() - t > 120_000) throw new Error(`not converged after 120 s: ${s.routes} routes of ${want}+`);
    }
    say(`  converged in ${fmtDuration((performance.now() - t) / 1000)}`);
    say('');
    say(formatStatus(daemon.status()));
    const counters = await frr.fpmCounters();
    say(`\nzebra's FPM counters: ${fmtCount(counters['bytes-sent'])} bytes sent, buffer full hits ${counters['buffer-full-hits']}`);
    const ifName = new Map(interfaces.map((i) => [i.swIfIndex!, i.name]));
    say('\nRoutes as VPP forwards them (lookups in the simulator\'s FIB, table 0):');
    const picks = [feed.ecmp4[0], feed.weighted[0], feed.single[0], '192.0.2.0/24', '198.51.100.0/24', feed.ecmp6[0]].filter(Boolean).slice(0, Math.max(1, o.show));
    for (const p of picks) {
      const f = await sim.lookup(0, p);
      say(`  ${p.padEnd(22)} ${formatForwarding(f, ifName, p)}`);
    }
    if (o.keep) await keepRunning(control);
    return 0;
  } finally {
    await teardown.run();
  }
}

export const command: Command = {
  summary: 'see it work: VPP simulator + fibpush + a generated (or real) zebra, on this machine',
  help: HELP,
  async run(argv: string[]): Promise<number> {
    const { opts, positionals } = parseArgs(argv, SPEC);
    if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}"`);
    const real = opts.get('real-zebra') === true;
    const dec = opts.get('decoder') ?? 'native';
    if (dec !== 'native' && dec !== 'ts') throw new UsageError(`Expected one of native, ts for --decoder but received "${dec}"`);
    const o: DemoOpts = {
      routes: intOption(opts, 'routes', real ? DEFAULT_REAL_ROUTES : DEFAULT_ROUTES, real ? 10 : 100, real ? 200_000 : 5_000_000, 'a route count'),
      seed: intOption(opts, 'seed', 1, 0, 0xffffffff, 'a seed'),
      show: intOption(opts, 'show', 6, 0, 50, 'a number of routes'),
      inline: opts.get('inline') === true,
      decoder: dec,
      keep: opts.get('keep') === true,
      verbose: opts.get('verbose') === true,
    };
    // `fibpush demo | head` closes stdout early: keep going to the teardown instead of dying on EPIPE.
    process.stdout.on('error', () => {});
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const unwatch = stopWithNpmParent(onSignal);
    try {
      return await (real ? demoRealZebra(o) : demoGenerated(o));
    } finally {
      unwatch();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

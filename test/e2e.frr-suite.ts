// The end-to-end scenarios with a real zebra, for each supported FRR: zebra -> `fibpush run` (a
// separate process in zebra's namespace) -> VPP simulator; every scenario ends with the
// simulator's FIB equal to zebra's and zebra's buffer-full-hits at 0. e2e.frr.test.ts runs them
// against the host's FRR 8.4.4 (Debian 12), e2e.frr10.test.ts against FRR 10.3 from the Debian 13
// root (test/frr/debian13-root.sh).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BUFFER_FULL_KEY, FrrLab, waitFor } from '../ts/frr-lab/harness';
import { FrrGate } from './frr/gate';
import { BgpFeeder, standardFeed, StandardFeed } from '../ts/frr-lab/bgp';
import { diffFib, Fib } from '../ts/frr-lab/fib';
import { IfaceSpec, VppSimulator } from '../ts/vpp-sim';
import { simFib } from '../ts/frr-lab/sim-fib';
import { repoRoot } from './helpers/fixtures';
import { controlRequest } from '../ts/daemon/control';
import { STATIC_ROUTES as STATIC } from '../ts/frr-lab/static-routes';
import { collectJsonLogs } from './helpers/logs';

const BIN = path.join(repoRoot(), 'bin', 'fibpush.js');
// Long enough that a CPU-starved zebra (2 shared cores) does not look done between its replay walks.
const QUIET_MS = 2500;

interface Ctx {
  lab: FrrLab;
  sim: VppSimulator;
  ifindexOfSw: Map<number, number>;
  dir: string;
  fibpush: ChildProcess | null;
  logs: Record<string, unknown>[];
  control: string;
  feeder: BgpFeeder | null;
  feed: StandardFeed;
  frr: '8.4' | '10.3';
}

/**
 * The connected and local routes of the lab's links, with zebra 10.3 only
 * (fixtures/frr-10.3/README.md, differences 3 and 10): it never sends their deletion when a link
 * goes down (system routes' removals are not handed to the dataplane, zebra_rib.c rib_process
 * `old_fib && !RIB_SYSTEM_ROUTE(old_fib)`; FRRouting/frr issue 19637), and when the link comes
 * back it re-sends them with nexthop ids whose RTM_NEWNEXTHOP comes only with the next replay, so
 * the mirror parks them. Those two directions for those prefixes are allowed; every other
 * difference fails. (VPP with linux-cp has the interface's own connected and local entries.)
 */
const LAB_CONNECTED = /^(unexpected|missing) 254 (10\.99\.\d+\.0\/24|10\.99\.\d+\.1\/32|fd00:99:\d+::\/64|fd00:99:\d+::1\/128): /;
export interface E2eOptions {
  /** Suite name (also the gate's). */
  name: string;
  /** The FRR under test: 8.4 from the host, 10.3 from `root`. */
  frr: '8.4' | '10.3';
  root?: string;
  /** Why the suite cannot run beyond the host's checks (e.g. no Debian 13 root), or null. */
  unavailable?: string | null;
}

/** The uid of user frr in `root`'s /etc/passwd (the host's without a root). */
function frrUidOf(root: string | undefined): number {
  // Read when the suite is defined; a missing root or user (the suite is then gated) gives -1.
  let passwd = '';
  try {
    passwd = fs.readFileSync(path.join(root ?? '/', 'etc', 'passwd'), 'utf8');
  } catch {
    return -1;
  }
  const line = passwd.split('\n').find((l) => l.startsWith('frr:'));
  return line ? Number(line.split(':')[2]) : -1;
}

export function runE2eSuite(o: E2eOptions): void {
const gate = new FrrGate(o.name, o.unavailable ?? null);
const test = gate.guard(suite(o.name));
// zebra's user, as fibpush's default peer check expects it: `frr` of the FRR under test (the
// root's own passwd for 10.3: its uid need not be the host's).
const zebraUid = frrUidOf(o.root);
let ctx: Ctx | null = null;
let lab: FrrLab | null = null;
let sim: VppSimulator | null = null;

function spawnFibpush(c: Ctx): void {
  const child = c.lab.spawnInDut(process.execPath, [
    BIN, 'run', '--listen', '127.0.0.1:2620', '--vpp-socket', c.sim.apiSocket, '--control', c.control,
    '--quiet-period', String(QUIET_MS), '--log-format', 'json', '--progress', 'off', '--zebra-user', String(zebraUid),
  ]);
  collectJsonLogs(child.stderr!, c.logs);
  c.fibpush = child;
}

async function killFibpush(c: Ctx, sig: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  const p = c.fibpush;
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise<void>((r) => p.once('exit', () => r()));
  // `ip netns exec` execs node: the child's pid is fibpush's.
  p.kill(sig);
  await gone;
  c.fibpush = null;
}

const status = (c: Ctx) => controlRequest(c.control, { cmd: 'status' }) as Promise<Record<string, any>>;

/** Polls until the simulator's FIB equals zebra's; fails with the differences. */
async function fibsEqual(c: Ctx, what: string, ms = 45000): Promise<Fib> {
  let last: string[] = [];
  try {
    return await waitFor(
      `${what}: the simulator's FIB to equal zebra's`,
      async () => {
        const z = await c.lab.fib();
        last = diffFib(z, await simFib(c.sim, { ifindexOfSw: c.ifindexOfSw }), 1000);
        if (c.frr === '10.3') last = last.filter((d) => !LAB_CONNECTED.test(d));
        return last.length === 0 ? z : false;
      },
      ms,
      300,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}\nzebra -> VPP differences:\n  ${last.join('\n  ')}\nfibpush log tail:\n${c.logs.slice(-15).map((l) => JSON.stringify(l)).join('\n')}`);
  }
}

/**
 * Waits until zebra holds the whole BGP feed, each kind's last prefix with its legs, for 2 s on
 * end: after `clear bgp *` the old routes may still be there before the sessions drop.
 */
async function feedInstalled(c: Ctx, what: string): Promise<void> {
  const f = c.feed;
  let since = 0;
  await waitFor(what, async () => {
    const z = await c.lab.fib();
    const ok = [...z.keys()].filter((k) => k.startsWith('254 ')).length >= f.total &&
      z.get(`254 ${f.weighted[f.weighted.length - 1]}`)?.nexthops.length === 2 &&
      z.get(`254 ${f.ecmp6[f.ecmp6.length - 1]}`)?.nexthops.length === 2 &&
      z.has(`254 ${f.single[f.single.length - 1]}`);
    if (!ok) since = 0;
    else if (since === 0) since = Date.now();
    return ok && Date.now() - since >= 2000;
  }, 90000);
}

async function noBufferFull(c: Ctx): Promise<void> {
  const fc = await c.lab.fpmCounters();
  assert.is(fc[BUFFER_FULL_KEY], 0, "zebra's FPM output buffer never filled");
}

test.before(async () => {
  if (!gate.available) return;
  try {
    lab = await FrrLab.create({ links: 3, root: o.root });
    const interfaces: IfaceSpec[] = [];
    for (const l of lab.links) interfaces.push({ swIfIndex: l.n, name: `GigabitEthernet0/${7 + l.n}/0`, hostIfIndex: await lab.ifindex(l.dut), hostName: l.dut });
    sim = await VppSimulator.start({ interfaces });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-e2e-'));
    ctx = {
      lab,
      sim,
      ifindexOfSw: new Map(interfaces.map((i) => [i.swIfIndex!, i.hostIfIndex!])),
      dir,
      fibpush: null,
      logs: [],
      control: path.join(dir, 'control.sock'),
      feeder: null,
      feed: standardFeed(),
      frr: o.frr,
    };
    spawnFibpush(ctx);
    await waitFor('fibpush to listen', () => ctx!.logs.some((l) => l.msg === 'FPM server listening'), 15000);
    await lab.startZebra();
    await lab.startStaticd();
    await waitFor('zebra to connect to fibpush', async () => (await status(ctx!)).zebra === 'connected', 20000);
  } catch (e) {
    gate.fail(e);
  }
});

test.after(async () => {
  if (ctx) {
    await ctx.feeder?.close();
    await killFibpush(ctx);
    fs.rmSync(ctx.dir, { recursive: true, force: true });
  }
  await sim?.stop();
  await lab?.destroy();
});

test('static routes: ECMP, blackhole, reject, interface, recursive, IPv6, tables 1001 and 100', async () => {
  if (!gate.check()) return;
  const c = ctx!;
  await c.lab.configure(...STATIC);
  const z = await fibsEqual(c, 'statics');
  assert.ok(z.has('1001 10.99.110.0/24') && z.has('100 10.99.111.0/24') && z.has('254 fd00:99:102::/64'));
  assert.is(z.get('254 10.99.101.0/24')!.nexthops.length, 3);
  // Live updates right after the connect keep the replay open until zebra has been quiet.
  const s = await waitFor('the replay to end', async () => {
    const x = await status(c);
    return x.replay.state === 'ended' ? x : undefined;
  }, 15000);
  assert.is(s.failures, 0);
  assert.is(s.parked, 0);
  assert.is(s.replay.endedBy, 'quiet-period', 'stock zebra sends no end marker');
  assert.is(s.routes, z.size, 'the mirror holds what zebra has');
  const f = await c.sim.lookup(0, '10.99.101.9');
  assert.is(f.legs.length, 3, 'ECMP-3 in VPP');
  assert.is((await c.sim.lookup(0, '10.99.102.1')).action, 'drop');
  assert.is((await c.sim.lookup(0, '10.99.103.1')).action, 'unreach');
  await noBufferFull(c);
});

test('a link flap: ECMP shrinks and grows back', async () => {
  if (!gate.check()) return;
  const c = ctx!;
  await c.lab.linkDown('s-p3');
  if (c.frr === '8.4') await waitFor('zebra to drop the leg', async () => (await c.lab.fib()).get('254 10.99.101.0/24')?.nexthops.length === 2, 15000);
  // zebra 10.3 sends nothing for a group whose member's link went down: it leaves that to the
  // kernel (net/ipv4/nexthop.c drops the dead member) and keeps the leg `"fib": true` in its own
  // view (fixtures/frr-10.3/README.md, difference 8); on link up it re-sends the group in place.
  else await waitFor('zebra to see s-p3 down', async () => !(await c.lab.fib()).has('254 10.99.3.1/32'), 15000);
  await fibsEqual(c, 's-p3 down');
  await c.lab.linkUp('s-p3');
  await waitFor('zebra to restore the leg', async () => (await c.lab.fib()).get('254 10.99.101.0/24')?.nexthops.length === 3, 15000);
  await fibsEqual(c, 's-p3 up');
  await noBufferFull(c);
});

test('every static deleted, then added again', async () => {
  if (!gate.check()) return;
  const c = ctx!;
  await c.lab.configure(...STATIC.map((l) => `no ${l}`));
  await waitFor('zebra to drop the statics', async () => !(await c.lab.fib()).has('254 10.99.100.0/24'), 15000);
  const z = await fibsEqual(c, 'statics deleted');
  assert.not.ok(z.has('1001 10.99.110.0/24'));
  const sf = await simFib(c.sim, { ifindexOfSw: c.ifindexOfSw });
  assert.not.ok(sf.has('100 10.99.111.0/24'), 'gone from VPP table 100 too');
  await c.lab.configure(...STATIC);
  await waitFor('zebra to have the statics again', async () => (await c.lab.fib()).has('1001 fd00:99:110::/64'), 15000);
  await fibsEqual(c, 'statics re-added');
  await noBufferFull(c);
});

test('a BGP feed of 10,500 prefixes (ECMP, weighted 1:3, single, IPv6), then a peer down and up', async () => {
  if (!gate.check()) return;
  const c = ctx!;
  c.feeder = await BgpFeeder.start(c.lab, c.feed.peers);
  await c.lab.startBgpd(BgpFeeder.bgpdConf(c.lab, c.feed.peers));
  const last = `254 ${c.feed.weighted[c.feed.weighted.length - 1]}`;
  await waitFor('zebra to install the feed', async () => {
    const z = await c.lab.fib();
    return z.get(last)?.nexthops.length === 2 && z.get(`254 ${c.feed.ecmp6[c.feed.ecmp6.length - 1]}`)?.nexthops.length === 2;
  }, 60000);
  const z = await fibsEqual(c, 'BGP converged', 60000);
  assert.ok(z.size >= c.feed.total, `${z.size} routes`);
  const w = z.get(last)!.nexthops.map((n) => n.weight ?? 1).sort((a, b) => a - b);
  if (o.frr === '8.4') assert.equal(w, [1, 3], 'weighted ECMP as zebra has it');
  // zebra 10.3 rescales daemons' weights to 254 (zapi_msg.c zapi_read_nexthops): 84:254 on the
  // wire, 42:127 here (fib.ts divides a route's weights by their gcd).
  else assert.ok(w.length === 2 && w[1] <= 255 && Math.abs(w[1] / w[0] - 3) < 0.1, `weighted ECMP 1:3 as zebra 10.3 scales it: ${w.join(':')}`);
  const f = await c.sim.lookup(0, c.feed.weighted[0].replace('.0/24', '.9'));
  assert.equal(f.legs.map((l) => Math.round(l.share * 4)).sort(), [1, 3], 'VPP splits 1:3');
  await c.feeder.peerDown(0);
  await waitFor('peer A routes gone from zebra', async () => !(await c.lab.fib()).has(`254 ${c.feed.single[0]}`), 30000);
  await fibsEqual(c, 'peer A down', 60000);
  await c.feeder.peerUp(0);
  await waitFor('peer A back in zebra', async () => (await c.lab.fib()).get(last)?.nexthops.length === 2, 60000);
  await fibsEqual(c, 'peer A up', 60000);
  const s = await status(c);
  assert.is(s.failures, 0);
  await noBufferFull(c);
});

test('zebra killed and restarted: a new epoch, its replay, the sweep; then BGP back', async () => {
  if (!gate.check()) return;
  const c = ctx!;
  const epoch = (await status(c)).epoch;
  const swept0 = (await status(c)).counters['store.swept'];
  process.kill(c.lab.pid('zebra'), 'SIGKILL');
  await waitFor('fibpush to see zebra gone', async () => (await status(c)).zebra === 'disconnected', 15000);
  await waitFor('zebra to be reaped', () => c.lab.pid('zebra') === 0, 5000);
  await c.lab.startZebra();
  await waitFor('the new replay to end', async () => {
    const s = await status(c);
    return s.epoch > epoch && s.replay.state === 'ended';
  }, 30000);
  // staticd re-registers with the new zebra by itself; bgpd 8.4 keeps its sessions and does not
  // reinstall (its nexthops never went invalid), so zebra's FIB lost the BGP routes: the replay
  // did not refresh them and the sweep must withdraw them from VPP.
  await waitFor('staticd to repopulate zebra', async () => (await c.lab.fib()).has('254 10.99.112.0/24'), 60000);
  const z = await fibsEqual(c, 'after zebra restart', 60000);
  if (!z.has(`254 ${c.feed.ecmp4[0]}`)) {
    const s = await status(c);
    assert.ok(s.counters['store.swept'] > swept0, 'the sweep withdrew what the new zebra did not replay');
  } else assert.ok(o.frr !== '8.4', 'bgpd 8.4 does not reinstall into a restarted zebra');
  await c.lab.vtysh('clear bgp *');
  await feedInstalled(c, 'the whole feed back in zebra after clear bgp');
  await fibsEqual(c, 'BGP back after zebra restart', 60000);
  await noBufferFull(c);
});

test('the VPP simulator restarted empty: everything programmed again', async () => {
  if (!gate.check()) return;
  const c = ctx!;
  await c.sim.restart({ empty: true });
  await fibsEqual(c, 'after VPP restart', 60000);
  assert.ok(c.logs.some((l) => /VPP restarted/.test(String(l.msg))));
  await noBufferFull(c);
});

test('fibpush killed and restarted while VPP keeps its FIB: no unchanged route withdrawn', async () => {
  if (!gate.check()) return;
  const c = ctx!;
  // zebra's table complete and programmed first: a BGP session still settling would add routes.
  await feedInstalled(c, 'the whole feed in zebra before the kill');
  await fibsEqual(c, 'before the kill', 60000);
  const before = await simFib(c.sim, { ifindexOfSw: c.ifindexOfSw });
  await killFibpush(c);
  await c.sim.resetCounters();
  c.logs = [];
  spawnFibpush(c);
  await waitFor('zebra to reconnect and its replay to end', async () => {
    const s = await status(c);
    return s.zebra === 'connected' && s.replay.state === 'ended' && s.queueDepth === 0 && s.vppInFlight === 0 ? s : undefined;
  }, 30000);
  await fibsEqual(c, 'after fibpush restart');
  const counters = await c.sim.counters();
  assert.is(counters.fib.routeDeletes, 0, 'no route withdrawn');
  assert.is(counters.fib.routeAdds, 0, 'no route added');
  const after = await simFib(c.sim, { ifindexOfSw: c.ifindexOfSw });
  assert.equal(diffFib(before, after), [], 'VPP forwarded the same all along');
  const s = await status(c);
  const z = await c.lab.fib();
  const main = [...z.values()].filter((r) => r.table === 254).length;
  assert.is(s.routes, main, `the replay brought zebra's main table (${JSON.stringify(s.replay)}; log: ${c.logs.slice(-12).map((l) => JSON.stringify(l)).join('\n')})`);
  assert.is(s.dataplane.counters.adopt_unchanged, s.routes, 'every replayed route was already in VPP: none rewritten');
  await noBufferFull(c);
});

test('garbage on the FPM port: refused while zebra is connected; as the active stream, dropped and zebra replays', async () => {
  if (!gate.check()) return;
  const c = ctx!;
  const garbage = `const s=require('net').connect(2620,'127.0.0.1',()=>s.write(Buffer.from([2,1,0,8,0xde,0xad,0xbe,0xef])));` +
    `s.on('close',()=>process.exit(0));s.on('error',()=>process.exit(0));setTimeout(()=>process.exit(3),10000)`;
  // As zebra's user (the default peer check's user), so it gets past the owner check.
  const sendGarbage = (asRoot = false) =>
    new Promise<number | null>((r) =>
      (asRoot
        ? c.lab.spawnInDut(process.execPath, ['-e', garbage], { stdio: 'ignore' })
        : c.lab.spawnInDut('setpriv', [`--reuid=${zebraUid}`, `--regid=${zebraUid}`, '--clear-groups', process.execPath, '-e', garbage], { stdio: 'ignore' })
      ).once('exit', (code) => r(code)),
    );
  const s0 = await status(c);
  assert.is(await sendGarbage(), 0, 'closed by fibpush');
  const s1 = await status(c);
  assert.is(s1.counters.refused, s0.counters.refused + 1);
  assert.is(s1.zebra, 'connected');
  // zebra away (no fpm address): the garbage client is the active connection now.
  await c.lab.configure('no fpm address');
  await waitFor('zebra to disconnect', async () => (await status(c)).zebra === 'disconnected', 15000);
  // Another user's client (root here) is turned away by the default peer check, unread.
  assert.is(await sendGarbage(true), 0);
  await waitFor('the peer refusal to be counted', async () => (await status(c)).counters.refusedPeer === s0.counters.refusedPeer + 1, 10000);
  assert.is((await status(c)).counters.badFrames, s0.counters.badFrames, 'nothing of it was read');
  assert.is(await sendGarbage(), 0);
  await waitFor('the stream error to be counted', async () => (await status(c)).counters.badFrames === s0.counters.badFrames + 1, 10000);
  assert.ok(c.logs.some((l) => l.code === 'FPM_BAD_VERSION'), 'the defect is logged');
  await c.lab.configure('fpm address 127.0.0.1 port 2620');
  await waitFor('zebra back', async () => {
    const s = await status(c);
    return s.zebra === 'connected' && s.replay.state === 'ended';
  }, 30000);
  await fibsEqual(c, 'after garbage');
  await noBufferFull(c);
});

test.run();
}

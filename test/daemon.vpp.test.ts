// `fibpush run` against the VPP simulator, from outside: FIB equality, fibpush restart with adoption, VPP restart, VPP late.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from './helpers/fixtures';
import { VppSimulator, IfaceSpec } from '../ts/vpp-sim';
import { diffFib } from '../ts/frr-lab/fib';
import { fibFromTable, simFib } from '../ts/frr-lab/sim-fib';
import { encodeTable, FullTable, generateFullTable } from '../ts/gen/fulltable';
import { controlRequest } from '../ts/daemon/control';
import { waitFor as pollFor } from '../ts/frr-lab/proc';
import { collectJsonLogs } from './helpers/logs';

const BIN = path.join(repoRoot(), 'bin', 'fibpush.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-vpp-'));
const V4 = 3000;
const V6 = 600;
// Seed 9 puts static blackhole routes among the first 2,600 IPv4 routes (checked below): routes
// without a nexthop group must survive a VPP restart too.
const table: FullTable = generateFullTable({ v4: V4, v6: V6, seed: 9, upstreams: 4 });
const bytes = encodeTable(table, { nhgMode: true, endMarker: true });
const interfaces: IfaceSpec[] = table.upstreams.map((u, i) => ({ swIfIndex: i + 1, name: `GigabitEthernet0/${8 + i}/0`, hostIfIndex: u.ifindex, hostName: u.name }));
const ifindexOfSw = new Map(interfaces.map((i) => [i.swIfIndex!, i.hostIfIndex!]));

function simDir(name: string): string {
  const d = path.join(dir, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

/** The same table without its last routes (zebra lost them while fibpush was away). */
function truncated(t: FullTable, v4: number, v6: number): FullTable {
  return { ...t, v4: { ...t.v4, count: v4 }, v6: { ...t.v6, count: v6 } };
}

/** Polls until `fn` gives a value (ts/frr-lab/proc.ts waitFor) with this suite's defaults. */
function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, ms = 15000): Promise<T> {
  return pollFor(what, fn, ms, 40);
}

interface Fibpush {
  child: ChildProcess;
  logs: Record<string, unknown>[];
  port: number;
  control: string;
  exited: Promise<number | null>;
}

let seq = 0;
async function startFibpush(vppSocket: string): Promise<Fibpush> {
  const control = path.join(dir, `control-${++seq}.sock`);
  const child = spawn(
    process.execPath,
    [BIN, 'run', '--listen', '127.0.0.1:0', '--vpp-socket', vppSocket, '--control', control,
      '--quiet-period', '300', '--log-format', 'json', '--progress', 'off', '--zebra-user', String(process.getuid!())],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const logs: Record<string, unknown>[] = [];
  collectJsonLogs(child.stderr, logs);
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  const listening = await waitFor('fibpush to listen', () => logs.find((l) => l.msg === 'FPM server listening'));
  return { child, logs, port: Number(listening.port), control, exited };
}

async function zebraSends(port: number, data: Buffer): Promise<net.Socket> {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => {});
  s.on('data', () => {}); // offload notifications
  await new Promise<void>((r) => s.once('connect', () => r()));
  s.write(data);
  return s;
}

const status = (f: Fibpush) => controlRequest(f.control, { cmd: 'status' }) as Promise<Record<string, any>>;

async function synced(f: Fibpush, routes: number): Promise<Record<string, any>> {
  return waitFor(`${routes} routes synced`, async () => {
    const s = await status(f);
    return s.replay.state === 'ended' && s.routes === routes && s.queueDepth === 0 && s.vppInFlight === 0 ? s : undefined;
  });
}

async function fibDiff(sim: VppSimulator, t: FullTable, v4 = V4, v6 = V6): Promise<string[]> {
  return diffFib(fibFromTable(t, { v4, v6 }), await simFib(sim, { ifindexOfSw }));
}

let sim: VppSimulator;
let fp: Fibpush;
let zebra: net.Socket;

async function kill(f: Fibpush): Promise<void> {
  f.child.kill('SIGKILL');
  await f.exited;
}

test.after(async () => {
  zebra?.destroy();
  if (fp && fp.child.exitCode === null && fp.child.signalCode === null) await kill(fp);
  await sim?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a generated table into VPP: the simulator forwards exactly what zebra has', async () => {
  sim = await VppSimulator.start({ interfaces, dir: simDir('vpp1') });
  fp = await startFibpush(sim.apiSocket);
  zebra = await zebraSends(fp.port, bytes);
  const s = await synced(fp, V4 + V6);
  assert.is(s.dataplane.kind, 'vpp');
  assert.is(s.dataplane.connected, true);
  assert.is(s.dataplane.failures, 0);
  assert.is(s.replay.endedBy, 'marker');
  assert.equal(await fibDiff(sim, table), []);
  // A lookup through the simulator follows PIC recursion to the group's legs.
  const ecmp4 = table.nexthops.find((n) => n.label === 'ecmp4')!;
  const i = Array.from(table.v4.nh).findIndex((k) => table.nexthops[k]?.id === ecmp4.id);
  const a = table.v4.addr[i];
  const f = await sim.lookup(0, `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`);
  assert.is(f.action, 'forward');
  assert.is(f.legs.length, 4);
});

test('fibpush killed and restarted while VPP forwards: unchanged routes are neither withdrawn nor rewritten', async () => {
  zebra.destroy();
  await kill(fp);
  await sim.resetCounters();
  fp = await startFibpush(sim.apiSocket);
  zebra = await zebraSends(fp.port, bytes);
  const s = await synced(fp, V4 + V6);
  const c = await sim.counters();
  assert.is(c.fib.routeDeletes, 0, 'nothing withdrawn');
  assert.is(c.fib.routeAdds, 0, 'nothing added');
  // Only the groups' host routes are written again (same content: VPP leaves them as they are).
  assert.ok((c.calls.ip_route_add_del ?? 0) <= table.nexthops.length, `writes: ${c.calls.ip_route_add_del} for ${table.nexthops.length} groups`);
  assert.is(s.dataplane.counters.adopt_unchanged, V4 + V6);
  assert.is(s.dataplane.counters.adopt_withdrawn, 0);
  assert.ok(fp.logs.some((l) => l.msg === 'adopted what VPP forwards' && l.routes === V4 + V6));
  assert.equal(await fibDiff(sim, table), []);
});

test('restarted, zebra\'s replay read before VPP answers: every route is matched while VPP\'s tables are dumped, none written', async () => {
  zebra.destroy();
  await kill(fp);
  await sim.resetCounters();
  // VPP's socket appears only once the replay is in: fibpush retries meanwhile.
  const later = path.join(dir, `later-${seq}.sock`);
  fp = await startFibpush(later);
  zebra = await zebraSends(fp.port, bytes);
  await waitFor('the replay read', async () => {
    const s = await status(fp);
    return s.replay.state === 'ended' && s.routes === V4 + V6;
  });
  fs.symlinkSync(sim.apiSocket, later);
  const s = await synced(fp, V4 + V6);
  const c = await sim.counters();
  assert.is(c.fib.routeDeletes, 0, 'nothing withdrawn');
  assert.is(c.fib.routeAdds, 0, 'nothing added');
  const a = s.dataplane.counters;
  assert.is(a.adopt_unchanged, V4 + V6);
  assert.is(a.adopt_matchedInDump, V4 + V6, 'each route matched as VPP listed it');
  assert.is(a.adopt_rewritten, 0);
  assert.is(s.dataplane.routes, V4 + V6, 'matched routes count as held');
  assert.equal(await fibDiff(sim, table), []);
});

test('restarted while zebra lost routes: exactly those are withdrawn after the replay', async () => {
  zebra.destroy();
  await kill(fp);
  await sim.resetCounters();
  fp = await startFibpush(sim.apiSocket);
  const v4 = V4 - 400;
  const v6 = V6 - 100;
  zebra = await zebraSends(fp.port, encodeTable(truncated(table, v4, v6), { nhgMode: true, endMarker: true }));
  await synced(fp, v4 + v6);
  await waitFor('the adoption sweep', () => fp.logs.find((l) => l.msg === 'adoption complete'));
  const c = await sim.counters();
  assert.is(c.fib.routeDeletes, 500);
  assert.is(c.fib.routeAdds, 0);
  assert.equal(await fibDiff(sim, table, v4, v6), []);
});

test('VPP restarted empty: groups and routes are programmed again', async () => {
  const v4 = V4 - 400;
  const v6 = V6 - 100;
  const expected = fibFromTable(table, { v4, v6 });
  assert.ok([...expected.values()].some((r) => r.type === 'blackhole'), 'the table has a blackhole route');
  await sim.restart({ empty: true });
  await waitFor('the FIB to be rebuilt', async () => (await fibDiff(sim, table, v4, v6)).length === 0, 20000);
  assert.ok(fp.logs.some((l) => /VPP restarted/.test(String(l.msg))), 'the restart is logged');
  const s = await status(fp);
  assert.is(s.dataplane.connected, true);
  assert.is(s.routes, v4 + v6);
});

test('started before VPP: zebra is read meanwhile, VPP is programmed when it appears', async () => {
  zebra.destroy();
  await kill(fp);
  await sim.stop();
  const sock = path.join(simDir('vpp2'), 'api.sock');
  fp = await startFibpush(sock);
  assert.ok(fp.logs.some((l) => l.level === 'warn' && /VPP not reachable/.test(String(l.msg))));
  zebra = await zebraSends(fp.port, bytes);
  const before = await waitFor('the mirror', async () => {
    const s = await status(fp);
    return s.routes === V4 + V6 ? s : undefined;
  });
  assert.is(before.dataplane.connected, false);
  assert.ok(before.queueDepth > 0, 'changes wait for VPP');
  sim = await VppSimulator.start({ interfaces, dir: simDir('vpp2') });
  await synced(fp, V4 + V6);
  assert.equal(await fibDiff(sim, table), []);
});

test('a nexthop on an interface VPP does not have: its routes fail, zebra hears RTM_F_OFFLOAD_FAILED, the log stays short', async () => {
  zebra.destroy();
  await kill(fp);
  await sim.stop();
  // Upstream 4 (Linux ifindex 5) has no VPP interface in this simulator.
  const missing = table.upstreams[3].ifindex;
  sim = await VppSimulator.start({ interfaces: interfaces.slice(0, 3), dir: simDir('vpp3') });
  fp = await startFibpush(sim.apiSocket);
  // A group is programmed with its backup legs (preference 1) or not at all.
  const byId = new Map(table.nexthops.map((n) => [n.id, n]));
  const legsOf = (id: number): { oif?: number }[] => {
    const o = byId.get(id)!;
    const own = o.group ? o.group.flatMap((m) => legsOf(m.id)) : [o];
    return o.backupNhg ? [...own, ...legsOf(o.backupNhg)] : own;
  };
  const usesMissing = (k: number) => k < table.nexthops.length && legsOf(table.nexthops[k].id).some((l) => l.oif === missing);
  let failing = 0;
  for (const set of [table.v4, table.v6]) for (let i = 0; i < set.count; i++) if (usesMissing(set.nh[i])) failing++;
  assert.ok(failing > 10, `${failing} routes use ifindex ${missing}`);
  const received: Buffer[] = [];
  zebra = net.connect(fp.port, '127.0.0.1');
  zebra.on('data', (b: Buffer) => received.push(b));
  await new Promise<void>((r) => zebra.once('connect', () => r()));
  zebra.write(bytes);
  const s = await synced(fp, V4 + V6);
  assert.is(s.failures, failing);
  assert.is(s.dataplane.routes, V4 + V6 - failing);
  // Offload results back to zebra: FPM frames of one RTM_NEWROUTE each (rtm_flags at 4 + 16 + 8).
  const flags = await waitFor('every result sent back', () => {
    const b = Buffer.concat(received);
    const out: number[] = [];
    for (let o = 0; o + 4 <= b.length; o += b.readUInt16BE(o + 2)) out.push(b.readUInt32LE(o + 4 + 16 + 8));
    return out.length >= V4 + V6 ? out : undefined;
  });
  assert.is(flags.filter((f) => (f & 0x20000000) !== 0).length, failing, 'RTM_F_OFFLOAD_FAILED');
  assert.is(flags.filter((f) => (f & 0x4000) !== 0).length, V4 + V6 - failing, 'RTM_F_OFFLOAD');
  const lines = fp.logs.filter((l) => l.msg === 'route not programmed');
  assert.ok(lines.length >= 1 && lines.length <= 10, `${lines.length} failure lines`);
  assert.ok(fp.logs.some((l) => /parked/.test(String(l.msg)) && String(l.ifindex).includes(String(missing))), 'the parked group names the ifindex');
});

test('restarted while zebra changed its groups\' weights: each changed group takes over its host route, no route is rewritten', async () => {
  zebra.destroy();
  await kill(fp);
  await sim.stop();
  sim = await VppSimulator.start({ interfaces, dir: simDir('vpp4') });
  fp = await startFibpush(sim.apiSocket);
  zebra = await zebraSends(fp.port, bytes);
  await synced(fp, V4 + V6);
  zebra.destroy();
  await kill(fp);
  // While fibpush is away zebra reweighs every multipath group: no host route in VPP has the new
  // paths, but the routes still point at the host routes their groups had.
  const changed: FullTable = {
    ...table,
    nexthops: table.nexthops.map((n) => (n.group && n.group.length > 1 ? { ...n, group: n.group.map((m, i) => ({ id: m.id, weight: i === 0 ? 3 : 1 })) } : n)),
  };
  const reweighed = changed.nexthops.filter((n, k) => n.group && n.group.length > 1 && JSON.stringify(n.group) !== JSON.stringify(table.nexthops[k].group));
  assert.ok(reweighed.length >= 2, `${reweighed.length} groups reweighed`);
  await sim.resetCounters();
  fp = await startFibpush(sim.apiSocket);
  zebra = await zebraSends(fp.port, encodeTable(changed, { nhgMode: true, endMarker: true }));
  const s = await synced(fp, V4 + V6);
  await waitFor('the adoption sweep', () => fp.logs.find((l) => l.msg === 'adoption complete'));
  const c = s.dataplane.counters;
  assert.is(c.adopt_rewritten, 0, 'no route written again');
  assert.is(c.adopt_unchanged, V4 + V6);
  assert.ok(c.adoptedRebound >= 1 && c.adoptedRebound <= reweighed.length, `${c.adoptedRebound} groups took over their host route`);
  // Each rebound group: its host route rewritten (and a fresh one made and withdrawn meanwhile).
  const calls = (await sim.counters()).calls.ip_route_add_del ?? 0;
  assert.ok(calls <= table.nexthops.length + 2 * reweighed.length, `${calls} writes for ${reweighed.length} reweighed groups and ${V4 + V6} routes`);
  assert.equal(await fibDiff(sim, changed), []);
});

test.run();

// Fixture replays: real zebra 8.4.4 FPM captures through the TS decoder into FibStore, compared with zebra's/the kernel's state at each step.
//
// Each scenario is one store (one zebra session): its captures are fed in their natural order,
// a replay capture being a new connection. After each step the quiet period passes (the state
// dumps were taken seconds later), the ChangeSource is drained into a naive dataplane model, and
// the store is compared with what that step's *.state.txt lists. Where the state legitimately
// differs from what FPM carried, the difference is asserted explicitly, with the reason.
import * as fs from 'fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDecoder } from '../ts/codec/decoder';
import { FpmStreamReader } from '../ts/codec/stream';
import { FibStore, NhgInfo, RouteInfo, RouteLookup } from '../ts/dplane/store';
import { AF_INET, AF_INET6, AF_MPLS, Target } from '../ts/dplane/types';
import { DrainStats, FibModel, pathText } from './helpers/dplane-model';
import { fmtIp, parseIp } from './helpers/dplane-net';
import {
  fixture,
  fixtureText,
  configuredLabels,
  ipmonRoutes,
  interfaceMap,
  KernelNexthop,
  KernelRoute,
  parseEvpn,
  parseKernelNexthops,
  parseKernelRoutes,
  parseRouteSummary,
  parseSampleRoutes,
  parseShowRoute,
  parseZebraNhgs,
  section,
  sections,
  ShowRoute,
  ZebraNexthop,
  ZebraNhg,
} from './helpers/dplane-state';

const QUIET = 3000;
// iproute2 names for rtm_protocol (/etc/iproute2/rt_protos and FRR's rt_protos.d/frr.conf).
const PROTO: Record<string, number> = { kernel: 2, boot: 3, zebra: 11, bgp: 186, isis: 187, ospf: 188, static: 196 };
const TARGET_TEXT = ['nhg', 'blackhole', 'unreachable', 'prohibit'];

class Session {
  readonly store: FibStore;
  readonly model = new FibModel();
  lastDrain: DrainStats | null = null;
  private clock = 1_000_000;
  private readonly reader = new FpmStreamReader(createDecoder('ts'));
  private started = false;

  constructor() {
    this.store = new FibStore({ quietMs: QUIET, now: () => this.clock });
  }

  /** Feeds one capture (in uneven chunks, as TCP would), lets the quiet period pass, drains. */
  step(name: string, opts: { reconnect?: boolean; bytes?: [number, number] } = {}): void {
    if (!this.started || opts.reconnect) {
      this.store.connectionStart();
      this.reader.reset();
      this.started = true;
    }
    const all = fs.readFileSync(fixture(name, '.bin'));
    const buf = opts.bytes ? all.subarray(opts.bytes[0], opts.bytes[1]) : all;
    let pos = 0;
    let k = 0;
    while (pos < buf.length) {
      const n = Math.min(buf.length - pos, 700 + ((k++ * 977) % 3000));
      // A fresh copy per chunk, scribbled over afterwards: the store must not keep the chunk.
      const chunk = Uint8Array.from(buf.subarray(pos, pos + n));
      this.reader.push(chunk, (b, c) => this.store.ingest(b, c));
      chunk.fill(0xa5);
      pos += n;
    }
    this.clock += QUIET + 1;
    this.store.tick();
    this.lastDrain = this.model.drain(this.store);
  }
}

function routeKey(family: number | string, table: number, prefix: string): string {
  const f = family === AF_INET || family === 'inet' ? 'inet' : family === AF_INET6 || family === 'inet6' ? 'inet6' : 'mpls';
  return `${f}:${table} ${prefix}`;
}

function storeRoutes(s: FibStore): Map<string, RouteInfo> {
  const m = new Map<string, RouteInfo>();
  for (const r of s.routes()) {
    const k = r.family === AF_MPLS ? `mpls:0 ${r.label}` : routeKey(r.family, r.table, `${fmtIp(r.addr)}/${r.len}`);
    m.set(k, r);
  }
  return m;
}

function lookup(s: FibStore, key: string): RouteLookup | undefined {
  const [ft, p] = key.split(' ');
  const [fam, table] = ft.split(':');
  const [a, l] = p.split('/');
  return s.lookup(fam === 'inet' ? AF_INET : AF_INET6, Number(table), parseIp(a), Number(l));
}

/** The store's forwarding for a route as text: target name, or its legs sorted. */
function storeForwarding(r: RouteLookup): string {
  if (r.target !== Target.Nhg) return TARGET_TEXT[r.target];
  if (r.parked) return `parked(${r.nhgId})`;
  return r.primary.map(pathText).sort().join(',');
}

function legText(gw: string | null, ifindex: number, weight: number): string {
  return `${gw === null ? '-' : fmtIp(parseIp(gw))}%${ifindex}*${weight}`;
}

function ifx(ifmap: Map<string, number>, name: string | null): number {
  if (name === null) return 0;
  const i = ifmap.get(name);
  if (i === undefined) throw new Error(`interface ${name} not in the scenario's ifindex map`);
  return i;
}

function kernelForwarding(r: KernelRoute, ifmap: Map<string, number>): string {
  if (r.type !== 'unicast') return r.type;
  return r.legs
    .map((l) => legText(l.gw, ifx(ifmap, l.dev), l.weight))
    .sort()
    .join(',');
}

function zebraLegs(nhs: ZebraNexthop[], ifmap: Map<string, number>): string {
  return nhs
    .map((n) => (n.blackhole ? 'blackhole%0*1' : legText(n.gw, ifx(ifmap, n.ifname), n.weight)))
    .sort()
    .join(',');
}

function kernelNexthopText(n: KernelNexthop, ifmap: Map<string, number>): string {
  if (n.group) return `group ${n.group.map((g) => `${g.id}*${g.weight}`).join('/')}`;
  if (n.blackhole) return 'blackhole';
  return legText(n.gw, ifx(ifmap, n.dev), 1);
}

function storeNhgText(n: NhgInfo): string {
  if (n.kind === 'group') return `group ${n.members.map((m) => `${m.id}*${m.weight}`).join('/')}`;
  const p = n.primary[0];
  if (p.blackhole) return 'blackhole';
  return pathText(p);
}

/** The model (what the dataplane got) equals the store's programmable routes. */
function assertDataplaneMatches(sess: Session, step: string): void {
  const want = new Map<string, string>();
  for (const [k, r] of storeRoutes(sess.store)) {
    if (r.parked) continue;
    const l = k.startsWith('mpls') ? sess.store.lookup(AF_MPLS, 0, null, r.label)! : lookup(sess.store, k)!;
    want.set(k, storeForwarding(l));
  }
  const got = new Map<string, string>();
  for (const [k, v] of sess.model.resolved()) got.set(k, v.split(',').sort().join(','));
  assert.equal(Object.fromEntries([...got].sort()), Object.fromEntries([...want].sort()), `${step}: dataplane model = store`);
}

interface KernelCheck {
  /** Keys present in the kernel that FPM legitimately did not carry (with the reason in the caller). */
  kernelOnly?: (k: string) => boolean;
  /** Store NHGs the kernel no longer lists, each with the reason asserted by the caller. */
  nhgMode: boolean;
}

/**
 * Static scenarios: the kernel's routes (every table but local) and nexthops are what zebra
 * installed; compare key by key, forwarding by forwarding, and the groups one by one.
 */
function checkKernelState(sess: Session, name: string, chk: KernelCheck): { extraNhgs: number[] } {
  const st = sections(fixtureText(name, '.state.txt'));
  const zebraNhgLines = section(st, 'zebra nexthop-group rib') ?? [];
  const ifmap = interfaceMap(fixtureText(name, '.md'), zebraNhgLines);
  const kroutes = parseKernelRoutes(section(st, 'kernel routes')!).filter(
    (r) => r.table !== 255 && !['local', 'broadcast', 'anycast', 'multicast'].includes(r.type),
  );
  // The kernel keeps one connected fe80::/64 per interface; zebra's RIB selects one of them and
  // FPM carries that one (rib_process: one selected route per prefix). Group alternatives by key.
  const kernel = new Map<string, KernelRoute[]>();
  for (const r of kroutes) {
    const k = routeKey(r.family, r.table, r.prefix);
    kernel.set(k, [...(kernel.get(k) ?? []), r]);
  }
  const store = storeRoutes(sess.store);
  const missing = [...kernel.keys()].filter((k) => !store.has(k) && !chk.kernelOnly?.(k));
  assert.equal(missing, [], `${name}: every kernel route is in the store`);
  const extra = [...store.keys()].filter((k) => !kernel.has(k));
  assert.equal(extra, [], `${name}: nothing extra in the store`);
  for (const [k, alts] of kernel) {
    const r = store.get(k);
    if (!r) continue;
    const fwd = storeForwarding(lookup(sess.store, k)!);
    const options = alts.map((a) => kernelForwarding(a, ifmap));
    assert.ok(options.includes(fwd), `${name} ${k}: store ${fwd}, kernel ${options.join(' | ')}`);
    if (alts.length === 1) {
      assert.is(r.protocol, PROTO[alts[0].proto], `${name} ${k}: protocol`);
      if (chk.nhgMode && alts[0].nhid !== 0) assert.is(r.nhgId, alts[0].nhid, `${name} ${k}: nhid`);
    }
  }
  // Counts per table equal the kernel's distinct keys.
  const byTable: Record<string, number> = {};
  for (const k of kernel.keys()) if (store.has(k)) byTable[k.split(' ')[0]] = (byTable[k.split(' ')[0]] ?? 0) + 1;
  assert.equal(sess.store.counts().byTable, byTable, `${name}: counts per table`);

  const knh = parseKernelNexthops(section(st, 'kernel nexthops')!);
  const znh = parseZebraNhgs(zebraNhgLines);
  if (!chk.nhgMode) {
    // `no fpm use-next-hop-groups`: zebra still uses nexthop objects in the kernel, but FPM
    // carries routes with inline paths only; the store holds implicit groups and no zebra ids.
    assert.is(sess.store.counts().nhgs, 0, `${name}: no nexthop objects on the wire`);
    return { extraNhgs: [] };
  }
  for (const n of knh) {
    const s = sess.store.nhgById(n.id);
    assert.ok(s && s.present, `${name}: kernel nexthop ${n.id} in the store`);
    assert.is(storeNhgText(s), kernelNexthopText(n, ifmap), `${name}: nexthop ${n.id}`);
  }
  for (const z of znh) {
    if (!z.installed || z.recursive) continue;
    const s = sess.store.nhgById(z.id);
    assert.ok(s && s.present, `${name}: zebra's installed group ${z.id} in the store`);
    assert.is(s.primary.map(pathText).sort().join(','), zebraLegs(z.nexthops, ifmap), `${name}: zebra group ${z.id} legs`);
  }
  const kset = new Set(knh.map((n) => n.id));
  const extraNhgs = [...sess.store.nhgs()].filter((n) => !kset.has(n.id));
  for (const n of extraNhgs) assert.is(n.users, 0, `${name}: group ${n.id} not in the kernel is unused`);
  for (const n of extraNhgs) assert.not.ok(sess.model.nhgs.has(n.id), `${name}: group ${n.id} costs the dataplane nothing`);
  return { extraNhgs: extraNhgs.map((n) => n.id).sort((a, b) => a - b) };
}

function zebraIds(name: string, pred: (z: ZebraNhg) => boolean): number[] {
  const st = sections(fixtureText(name, '.state.txt'));
  return parseZebraNhgs(section(st, 'zebra nexthop-group rib') ?? section(st, 'nexthop-group rib') ?? [])
    .filter(pred)
    .map((z) => z.id)
    .sort((a, b) => a - b);
}

function staticScenario(mode: 'nhg' | 'nonhg'): void {
  const p = `static-${mode}`;
  test(`${p}: add, flap, delete, readd, replay against the kernel's and zebra's state`, () => {
    const sess = new Session();
    const nhgMode = mode === 'nhg';

    sess.step(`${p}-add`);
    let r = checkKernelState(sess, `${p}-add`, { nhgMode });
    assert.equal(r.extraNhgs, [], 'add: the store holds exactly the kernel nexthops');
    assertDataplaneMatches(sess, 'add');

    sess.step(`${p}-flap`);
    r = checkKernelState(sess, `${p}-flap`, { nhgMode });
    if (nhgMode) {
      // On link down the kernel flushes every nexthop object using s-p3 (net/ipv4/nexthop.c
      // nexthop_flush_dev) and zebra drops its copies on the kernel's notification, so no
      // RTM_DELNEXTHOP reaches FPM for them. They stay in the store, unused (no dataplane cost),
      // until a replay's sweep. Each is a singleton on s-p3 (ifindex 4) that zebra no longer
      // lists as installed.
      assert.ok(r.extraNhgs.length > 0);
      const installed = new Set(zebraIds(`${p}-flap`, (z) => z.installed));
      for (const id of r.extraNhgs) {
        const n = sess.store.nhgById(id)!;
        assert.is(n.kind, 'single', `flushed ${id} is a singleton`);
        assert.is(n.primary[0].ifindex, 4, `flushed ${id} was on s-p3`);
        assert.not.ok(installed.has(id), `zebra no longer has ${id} installed`);
      }
    }
    assertDataplaneMatches(sess, 'flap');
    const flushed = r.extraNhgs;

    sess.step(`${p}-delete`);
    r = checkKernelState(sess, `${p}-delete`, { nhgMode });
    assert.equal(r.extraNhgs, flushed, 'delete: only the flushed ones remain extra');
    assertDataplaneMatches(sess, 'delete');

    sess.step(`${p}-readd`);
    r = checkKernelState(sess, `${p}-readd`, { nhgMode });
    assert.equal(r.extraNhgs, flushed, 'readd: only the flushed ones remain extra');
    assertDataplaneMatches(sess, 'readd');
    const routesBefore = sess.store.counts().byTable;

    // Replay on a new connection: no end marker, so the quiet period ends it. Tables 100 and
    // 1001 are not replayed by stock zebra (rib_tables_iter_next walks main tables only) but
    // the kernel still has them: the store must keep them (not swept) to still equal the kernel.
    const drainedBefore = sess.model.routes.size;
    sess.step(`${p}-replay`, { reconnect: true });
    const rs = sess.store.replayStatus();
    assert.is(rs.state, 'ended');
    assert.is(rs.endedBy, 'quiet-period');
    assert.ok(rs.stale.routes >= 3, 'routes of tables 100/1001 not refreshed, kept');
    r = checkKernelState(sess, `${p}-replay`, { nhgMode });
    assert.equal(sess.store.counts().byTable, routesBefore);
    assert.is(sess.model.routes.size, drainedBefore);
    if (nhgMode) {
      // The replay swept the flushed objects; it re-sent NHG 12 (zebra: Valid, not installed,
      // kept since the v6 address of s-p3 is gone) which no route uses.
      const notInstalled = zebraIds(`${p}-replay`, (z) => z.valid && !z.installed && !z.recursive);
      assert.equal(r.extraNhgs, notInstalled.filter((id) => sess.store.nhgById(id)?.present));
      for (const id of flushed) assert.ok(!sess.store.nhgById(id)?.present || notInstalled.includes(id), `flushed ${id} swept`);
    }
    assertDataplaneMatches(sess, 'replay');
  });
}

function staticReplayProgramsNothing(): void {
  test('static-nhg: a replay of unchanged state produces no route change; a sweep without marker spares tables 100/1001', () => {
    const sess = new Session();
    for (const s of ['add', 'flap', 'delete', 'readd']) sess.step(`static-nhg-${s}`);
    let routeChanges = 0;
    const before = sess.store.counters.changesRoute;
    sess.step('static-nhg-replay', { reconnect: true });
    routeChanges = sess.store.counters.changesRoute - before;
    assert.is(routeChanges, 0);
    assert.ok(sess.model.routes.has('inet:1001 10.99.110.0/24'));
    assert.ok(sess.model.routes.has('inet:100 10.99.111.0/24'));
    assert.ok(sess.model.routes.has('inet6:1001 fd00:99:110::/64'));
  });
}

function feedbackMatchesReadback(mode: 'nhg' | 'nonhg'): void {
  test(`static-${mode}: what the store keeps per handle is what the offload feedback to zebra needs`, () => {
    const sess = new Session();
    for (const s of ['add', 'flap', 'delete', 'readd']) sess.step(`static-${mode}-${s}`);
    sess.step(`static-${mode}-replay`, { reconnect: true });
    // static-*-readback-to-zebra.bin: the frames a listener sent back on the replay connection,
    // one RTM_NEWROUTE + RTM_F_OFFLOAD per route last seen (fpm-extensions.md section 3). The
    // store's key for each programmed route's handle must give the same family/table/dst/len/protocol.
    const want: string[] = [];
    const reader = new FpmStreamReader(createDecoder('ts'));
    reader.push(fs.readFileSync(fixture(`static-${mode}-readback-to-zebra`, '.bin')), (b, c) => {
      for (let r = 0; r < b.meta[0]; r++) {
        assert.is(b.flags[r] & 0x4000, 0x4000, 'RTM_F_OFFLOAD');
        const ip = c.subarray(b.dstOff[r], b.dstOff[r] + (b.family[r] === AF_INET ? 4 : 16));
        want.push(`${routeKey(b.family[r], b.table[r], `${fmtIp(ip)}/${b.dstLen[r]}`)} p${b.protocol[r]}`);
      }
    });
    const got: string[] = [];
    for (const r of sess.store.routes()) {
      if (r.table !== 254) continue; // tables 100 and 1001 are not replayed by stock zebra
      const k = sess.store.routeKeyFor(r.handle)!;
      assert.ok(r.programmed, 'acknowledged by the dataplane model');
      got.push(`${routeKey(k.family, k.table, `${fmtIp(k.addr)}/${k.len}`)} p${k.protocol}`);
    }
    assert.equal(got.sort(), want.sort());
  });
}

for (const mode of ['nhg', 'nonhg'] as const) staticScenario(mode);
staticReplayProgramsNothing();
for (const mode of ['nhg', 'nonhg'] as const) feedbackMatchesReadback(mode);

// ---------------------------------------------------------------- BGP

/** Interfaces zebra has a connected nexthop on ("is directly connected, X"). */
function connectedIfnames(z: ZebraNhg[]): Set<string> {
  const s = new Set<string>();
  for (const n of z) for (const h of n.nexthops) if (h.gw === null && h.ifname !== null && !h.blackhole) s.add(h.ifname);
  return s;
}

function checkBgpState(sess: Session, name: string, nhgMode: boolean): { storeOnly: NhgInfo[] } {
  const st = sections(fixtureText(name, '.state.txt'));
  const znhLines = section(st, 'nexthop-group rib')!;
  const znh = parseZebraNhgs(znhLines);
  const ifmap = interfaceMap(fixtureText(name, '.md'), znhLines);
  const store = sess.store;
  // Route summary: BGP routes exactly; connected IPv4 exactly; connected IPv6 counts fe80::/64
  // once per interface in zebra's RIB (one route entry per connected address) while FPM carries
  // the selected one: one per up interface beyond the first is not a separate key.
  const [v4, v6] = parseRouteSummary(section(st, 'route summary')!);
  const all = [...store.routes()];
  const byProto = (fam: number, proto: number) => all.filter((r) => r.family === fam && r.protocol === proto).length;
  assert.is(byProto(AF_INET, 186), v4.sources.ebgp + v4.sources.ibgp, `${name}: IPv4 BGP routes`);
  assert.is(byProto(AF_INET6, 186), v6.sources.ebgp + v6.sources.ibgp, `${name}: IPv6 BGP routes`);
  assert.is(byProto(AF_INET, 2), v4.sources.connected, `${name}: IPv4 connected`);
  const linkLocalDup = connectedIfnames(znh).size - 1;
  assert.is(byProto(AF_INET6, 2), v6.sources.connected - linkLocalDup, `${name}: IPv6 connected`);
  const c = store.counts();
  assert.equal(c.byTable, { 'inet:254': v4.fib, 'inet6:254': v6.fib - linkLocalDup }, `${name}: counts = zebra's FIB`);
  assert.is(c.parked.routesNhgMissing + c.parked.routesNhgIncomplete, 0);
  // Sample routes: forwarding equal.
  for (const smp of parseSampleRoutes(section(st, 'sample routes')!)) {
    const fam = smp.prefix.includes(':') ? 'inet6' : 'inet';
    const r = lookup(store, `${fam}:254 ${smp.prefix}`);
    assert.ok(r, `${name}: sample ${smp.prefix} present`);
    assert.is(storeForwarding(r), zebraLegs(smp.nexthops, ifmap), `${name}: sample ${smp.prefix}`);
  }
  // zebra's installed groups, and how many routes use each. zebra_nhg.c refcounts an NHE once
  // per route entry and once per dependent group (plus that group's own count), so for a group
  // with a gateway: RefCnt = routes on it + sum over its dependents of (their RefCnt + 1).
  // Connected NHEs also carry interface references: their refcounts are not compared.
  const users = new Map<number, number>();
  for (const r of all) users.set(r.nhgId, (users.get(r.nhgId) ?? 0) + 1);
  const ref = new Map(znh.map((z) => [z.id, z.refcnt]));
  for (const z of znh) {
    if (!z.installed) continue;
    if (!nhgMode) {
      assert.is(store.nhgById(z.id), undefined, `${name}: no zebra ids without NHGs on the wire`);
      continue;
    }
    const n = store.nhgById(z.id);
    assert.ok(n && n.present, `${name}: zebra group ${z.id} in the store`);
    // A singleton nexthop object carries no weight (the weight is the group's, NHA_GROUP's
    // nexthop_grp.weight); zebra prints its NHE's weight on the singleton too.
    const zl = z.depends.length === 0 ? z.nexthops.map((h) => ({ ...h, weight: 1 })) : z.nexthops;
    assert.is(n.primary.map(pathText).sort().join(','), zebraLegs(zl, ifmap), `${name}: group ${z.id} legs`);
    if (z.nexthops.some((h) => h.gw !== null)) {
      const expect = z.refcnt - z.dependents.reduce((a, d) => a + ref.get(d)! + 1, 0);
      assert.is(users.get(z.id) ?? 0, expect, `${name}: routes on group ${z.id}`);
    }
  }
  const zset = new Set(znh.map((z) => z.id));
  const storeOnly = [...store.nhgs()].filter((n) => !zset.has(n.id));
  for (const n of storeOnly) {
    assert.is(n.users, 0, `${name}: group ${n.id} unknown to zebra is unused`);
    assert.not.ok(sess.model.nhgs.has(n.id), `${name}: group ${n.id} costs the dataplane nothing`);
  }
  return { storeOnly };
}

test('bgp-nhg: converge, peer-down, peer-up, replay, then the switch to inline (nonhg) replay', () => {
  const sess = new Session();
  sess.step('bgp-nhg-converge');
  assert.equal(checkBgpState(sess, 'bgp-nhg-converge', true).storeOnly, []);
  assertDataplaneMatches(sess, 'converge');
  // 3700 prefixes over 6 groups: the dataplane got each group once.
  assert.is(sess.model.nhgs.size, new Set([...sess.model.routes.values()].map((r) => r.nhgId)).size);

  let before = sess.store.counters.changesRoute;
  sess.step('bgp-nhg-peer-down');
  // b-p2 went down: the kernel flushed the nexthops on it and zebra forgot them without an
  // RTM_DELNEXTHOP (only groups 14, 25, 26, 28 were deleted over FPM). They stay, unused.
  const down = checkBgpState(sess, 'bgp-nhg-peer-down', true).storeOnly;
  const bp2 = interfaceMap('', section(sections(fixtureText('bgp-nhg-converge', '.state.txt')), 'nexthop-group rib')).get('b-p2');
  assert.ok(down.length > 0);
  for (const n of down) assert.is(n.primary[0].ifindex, bp2, `flushed group ${n.id} was on b-p2`);
  // 2700 routes re-pointed by DEL+NEW pairs (bgp-nhg-peer-down.md), each one change.
  const log = sess.lastDrain!.log;
  assert.is(new Set(log.map((l) => l.split(' ').slice(1, 3).join(' '))).size, log.length, 'one change per key');
  assert.ok(log.filter((l) => l.startsWith('set') && l.endsWith(' 2')).length >= 2700);
  assert.is(sess.store.counters.changesRoute - before, log.length);
  assertDataplaneMatches(sess, 'peer-down');

  sess.step('bgp-nhg-peer-up');
  const up = checkBgpState(sess, 'bgp-nhg-peer-up', true).storeOnly;
  assert.equal(up.map((n) => n.id), down.map((n) => n.id), 'still there until the next replay');
  assertDataplaneMatches(sess, 'peer-up');

  before = sess.store.counters.changesRoute;
  const nhgBefore = sess.store.counters.changesNhg;
  sess.step('bgp-nhg-replay', { reconnect: true });
  assert.is(sess.store.counters.changesRoute - before, 0, 'an unchanged replay programs no route');
  assert.is(sess.store.counters.changesNhg - nhgBefore, 0, 'nor any group');
  assert.equal(checkBgpState(sess, 'bgp-nhg-replay', true).storeOnly, [], 'the replay swept the flushed groups');
  assert.is(sess.store.replayStatus().swept, down.length);
  assertDataplaneMatches(sess, 'replay');

  sess.step('bgp-nonhg-replay', { reconnect: true });
  checkBgpState(sess, 'bgp-nonhg-replay', false);
  const c = sess.store.counts();
  assert.is(c.nhgs, 0, 'every zebra group swept once no route used it');
  // Inline paths: one implicit group per distinct path set (v4 ECMP, weighted ECMP, 3 single
  // gateways, v6 ECMP, and an interface route per connected interface and family).
  assert.is(c.implicitNhgs, new Set([...sess.store.routes()].map((r) => r.nhgId)).size);
  assert.ok(c.implicitNhgs <= 10);
  assert.is(sess.model.nhgs.size, c.implicitNhgs, 'old groups deleted from the dataplane, implicit ones set');
  assertDataplaneMatches(sess, 'nonhg-replay');
});

// ---------------------------------------------------------------- IS-IS (LFA backups)

function checkShowRoutes(sess: Session, name: string, nhgMode: boolean, withBackups: boolean): void {
  const st = sections(fixtureText(name, '.state.txt'));
  const znhLines = section(st, 'nexthop-group rib') ?? [];
  const ifmap = interfaceMap(fixtureText(name, '.md'), znhLines);
  const fib = parseShowRoute(section(st, 'routes')!).filter((r) => r.selected && r.fib);
  const want = new Map<string, ShowRoute>(fib.map((r) => [routeKey(r.family, 254, r.prefix), r]));
  const store = storeRoutes(sess.store);
  assert.equal([...store.keys()].sort(), [...want.keys()].sort(), `${name}: the store's routes = zebra's selected FIB routes`);
  for (const [k, r] of want) {
    const l = lookup(sess.store, k)!;
    assert.is(storeForwarding(l), r.blackhole ? 'blackhole' : zebraLegs(r.fibNexthops, ifmap), `${name} ${k}`);
    // Stock zebra never encodes backup nexthops (fpm-extensions.md section 1): zebra shows them
    // ("b" lines), the store has the group unprotected.
    assert.equal(l.backup, [], `${name} ${k}: no backup on the wire`);
  }
  if (withBackups) assert.ok(fib.some((r) => r.backups.length > 0), `${name}: zebra does have LFA backups`);
  const knh = parseKernelNexthops(section(st, 'kernel nexthops')!);
  if (!nhgMode) {
    assert.is(sess.store.counts().nhgs, 0);
    return;
  }
  for (const n of knh) {
    const s = sess.store.nhgById(n.id);
    assert.ok(s && s.present, `${name}: kernel nexthop ${n.id} in the store`);
    assert.is(storeNhgText(s), kernelNexthopText(n, ifmap), `${name}: nexthop ${n.id}`);
  }
  for (const z of parseZebraNhgs(znhLines)) {
    const s = sess.store.nhgById(z.id);
    if (z.backups.length > 0 && s?.present) {
      assert.is(s.backupId, 0, `${name}: zebra group ${z.id} has backups, the wire does not say so`);
      assert.equal(s.backup, []);
    }
  }
}

for (const mode of ['nhg', 'nonhg'] as const) {
  test(`isis-lfa-${mode}: converge, link-down, link-up, replay against zebra's FIB`, () => {
    const sess = new Session();
    const nhgMode = mode === 'nhg';
    for (const [step, reconnect] of [
      ['converge', false],
      ['link-down', false],
      ['link-up', false],
      ['replay', true],
    ] as const) {
      const name = `isis-lfa-${mode}-${step}`;
      const before = sess.store.counters.changesRoute;
      sess.step(name, { reconnect });
      checkShowRoutes(sess, name, nhgMode, step !== 'link-down');
      assertDataplaneMatches(sess, step);
      if (step === 'replay') {
        assert.is(sess.store.counters.changesRoute - before, 0, 'replay: no route change');
        // The NHG walk also sends groups no route uses (inactive IS-IS NHEs with backups).
        const unused = [...sess.store.nhgs()].filter((n) => n.users === 0 && !sess.model.nhgs.has(n.id));
        if (nhgMode) assert.ok(unused.length > 0);
        for (const n of unused) assert.not.ok(n.programmed);
      }
    }
  });
}

// ---------------------------------------------------------------- MPLS

function checkMpls(sess: Session, name: string, configMd: string): void {
  const want = ipmonRoutes(fixtureText(name, '.ipmon.txt'));
  const store = storeRoutes(sess.store);
  assert.equal([...store.keys()].sort(), [...want.keys()].sort(), `${name}: routes = what iproute2 decoded`);
  const cfg = configuredLabels(configMd);
  const ifmap = interfaceMap(fixtureText('static-nhg-add', '.md'));
  // LSPs: in-label -> out label via gateway (implicit-null: no out label), as configured.
  for (const [label, legs] of cfg.lsps) {
    const r = sess.store.lookup(AF_MPLS, 0, null, label);
    assert.ok(r, `${name}: LSP ${label}`);
    const dev = (gw: string) => ifmap.get(`s-p${gw.split('.')[2]}`)!;
    const expect = legs.map((l) => `${l.gw}%${dev(l.gw)}*1${l.out.length ? `[${l.out.join('/')}]` : ''}`).sort();
    assert.equal(r.primary.map(pathText).sort(), expect, `${name}: LSP ${label} paths`);
  }
  assert.is(sess.store.counts().byTable['mpls:0'], cfg.lsps.size);
  // Labelled IP routes, where FPM carried them.
  for (const [key, legs] of cfg.routes) {
    if (!want.has(key)) continue;
    const r = lookup(sess.store, key)!;
    const got = r.primary.map((p) => `${fmtIp(p.gw.subarray(0, p.gwFamily === 4 ? 4 : 16))}[${p.labels.join('/')}]`).sort();
    const exp = legs.map((l) => `${fmtIp(parseIp(l.gw))}[${l.labels.join('/')}]`).sort();
    if (key === 'inet:254 10.99.116.0/24' && r.nhgId !== 0 && r.nhgId < 0x80000000) {
      // zebra 8.4.4 encodes the 2-path labelled ECMP NHE as a singleton with only its first
      // nexthop (nh_family AF_UNSPEC): the store holds what the wire says, one leg.
      assert.equal(got, [exp[0]], `${name}: ${key} as zebra encoded it`);
      assert.is(sess.store.nhgById(r.nhgId)!.kind, 'single');
      continue;
    }
    assert.equal(got, exp, `${name}: ${key} labels`);
  }
}

test('mpls: LSPs at connect, labelled routes via NHGs on replay, then inline labels', () => {
  const sess = new Session();
  const md = fixtureText('mpls-live', '.md');
  sess.step('mpls-live');
  checkMpls(sess, 'mpls-live', md);
  // The labelled routes never came live: the kernel refused them and zebra's dplane does not
  // pass failed contexts on to FPM. Only the unlabelled control route is there.
  const cfg = configuredLabels(md);
  const present = [...cfg.routes.keys()].filter((k) => lookup(sess.store, k) !== undefined);
  assert.equal(present, ['inet:254 10.99.100.0/24']);
  assertDataplaneMatches(sess, 'mpls-live');

  sess.step('mpls-nhg-replay', { reconnect: true });
  checkMpls(sess, 'mpls-nhg-replay', md);
  assert.equal(
    [...cfg.routes.keys()].filter((k) => lookup(sess.store, k) === undefined),
    [],
    'failed installs are sent on replay',
  );
  assertDataplaneMatches(sess, 'mpls-nhg-replay');

  sess.step('mpls-nonhg-replay', { reconnect: true });
  checkMpls(sess, 'mpls-nonhg-replay', md);
  assert.is(sess.store.counts().nhgs, 0, 'every zebra group swept after the inline replay');
  assertDataplaneMatches(sess, 'mpls-nonhg-replay');
});

// ---------------------------------------------------------------- EVPN

function macText(m: { ifindex: number; mac: Uint8Array; vtep: Uint8Array }): string {
  return `${m.ifindex} ${Array.from(m.mac, (x) => x.toString(16).padStart(2, '0')).join(':')} ${fmtIp(m.vtep)}`;
}

test('evpn-l2vni: remote MACs to a VTEP, a withdrawal, and a replay that does not re-send them', () => {
  const sess = new Session();
  // Bytes [0, 728) are the connect replay and the MAC installs; the state was captured then,
  // before the withdrawal of 02:99:00:00:02:04 in [728, 796) (evpn-l2vni-macs.md).
  sess.step('evpn-l2vni-macs', { bytes: [0, 728] });
  const ev = parseEvpn(section(sections(fixtureText('evpn-l2vni-macs', '.state.txt')), 'evpn state')!);
  const vxlan = interfaceMap(fixtureText('evpn-l2vni-macs', '.md')).get('vxlan100');
  assert.is(ev.vxlanIfindex, vxlan);
  const want = ev.remote.map((m) => `${vxlan} ${m.mac} ${m.vtep}`).sort();
  const macs = () => [...sess.store.macEntries()].map(macText).sort();
  assert.equal(macs(), want);
  assert.is(sess.model.macs.size, want.length, 'every MAC reached the dataplane');
  // The kernel's FDB: zebra's remote MACs are the extern_learn entries with a VTEP (`dst`).
  const ifmap = interfaceMap(fixtureText('evpn-l2vni-macs', '.md'));
  const fdb = section(sections(fixtureText('evpn-l2vni-macs', '.state.txt')), 'kernel fdb')!
    .map((l) => /^(\S+) dev (\S+) dst (\S+) self extern_learn/.exec(l))
    .filter((m) => m !== null)
    .map((m) => `${ifmap.get(m[2])} ${m[1]} ${m[3]}`)
    .sort();
  assert.equal(macs(), fdb);
  sess.step('evpn-l2vni-macs', { bytes: [728, 796] });
  assert.equal(macs(), want.filter((m) => !m.includes('02:99:00:00:02:04')));
  assert.equal(
    [...storeRoutes(sess.store).keys()].sort(),
    [...ipmonRoutes(fixtureText('evpn-l2vni-macs', '.ipmon.txt')).keys()].sort(),
  );

  sess.step('evpn-l2vni-replay', { reconnect: true });
  const ev2 = parseEvpn(section(sections(fixtureText('evpn-l2vni-replay', '.state.txt')), 'evpn state')!);
  // Stock zebra does not replay remote L2 MACs; without an end marker they are never swept, so
  // the store still equals zebra's MAC table.
  assert.equal(macs(), ev2.remote.map((m) => `${vxlan} ${m.mac} ${m.vtep}`).sort());
  assert.is(sess.store.replayStatus().stale.macs, ev2.remote.length);
  assert.is(sess.model.macs.size, ev2.remote.length);
  assert.equal(
    [...storeRoutes(sess.store).keys()].sort(),
    [...ipmonRoutes(fixtureText('evpn-l2vni-replay', '.ipmon.txt')).keys()].sort(),
  );
});

// ---------------------------------------------------------------- VRF (netns backend)

test('vrf-netns-nhg: routes name NH ids that never arrive: parked and reported, not guessed', () => {
  const sess = new Session();
  sess.step('vrf-netns-nhg');
  const wire = ipmonRoutes(fixtureText('vrf-netns-nhg', '.ipmon.txt'));
  const store = storeRoutes(sess.store);
  assert.equal([...store.keys()].sort(), [...wire.keys()].sort());
  // zebra's state: the routes of three VRFs. Nothing on the wire names the VRF (all table 254),
  // so a prefix in two VRFs is one key, the last writer's.
  const zr = parseShowRoute(section(sections(fixtureText('vrf-netns-nhg', '.state.txt')), 'zebra state')!).filter((r) => r.selected && r.fib);
  const vrfKeys = new Set(zr.map((r) => routeKey(r.family, 254, r.prefix)));
  for (const k of vrfKeys) assert.ok(store.has(k), `${k} from zebra's VRFs`);
  assert.ok(zr.length > vrfKeys.size, 'some prefixes exist in several VRFs');
  const p = sess.store.parked();
  const unicast = [...wire.values()].filter((r) => r.type === 'unicast');
  assert.is(p.routesNhgMissing, unicast.length);
  assert.equal(p.missingIds, [...new Set(unicast.map((r) => r.nhid))].sort((a, b) => a - b));
  for (const r of unicast) assert.ok(store.get(r.key)!.parked);
  assert.is(sess.store.counts().nhgs, 0);
  // Only the blackhole route is programmable.
  assert.equal([...sess.model.resolved()], [['inet:254 10.99.201.0/24', 'blackhole']]);
});

test.run();

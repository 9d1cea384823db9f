// The four FPM extensions of docs/fpm-extensions.md, with zebra built from frr-patches/
// (bash frr-patches/build.sh) and fibpush's TS decoder: backup nexthop groups
// (NHA_FPM_BACKUP_NHG), the end-of-replay marker (NLMSG_DONE), offload feedback to zebra, and the
// replay of every table. Opt-in: without the patched build the suite is a loud skip.
import { test as uvuTest } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as path from 'path';
import { FrrLab, waitFor } from '../ts/frr-lab/harness';
import { FpmRecorder, RecordedConnection } from './frr/recorder';
import { decodeMessages, isNexthop, isRoute, NexthopMessage, PatchedGate, RouteMessage, routeKey } from './frr/patched-frr';
import { FpmEncoder } from '../ts/codec/encoder';
import { DecodedMessage } from '../ts/codec/format';

const NLM_F_MULTI = 2;

const STATIC = [
  'ip route 10.99.100.0/24 10.99.1.2',
  'ipv6 route fd00:99:100::/64 fd00:99:1::2',
  'ip route 10.99.110.0/24 10.99.1.2 table 1001',
  'ipv6 route fd00:99:110::/64 fd00:99:1::2 table 1001',
];

// sharpd: one backup nexthop per route, and a named group whose backups are a group of two.
const SHARP_SINGLE = 'sharp install routes 10.200.0.0 nexthop 10.99.1.2 backup 10.99.2.2 5';
const SHARP_GROUP_CONF = [
  'nexthop-group BK',
  'nexthop 10.99.2.2 s-p2',
  'nexthop 10.99.3.2 s-p3',
  'exit',
  'nexthop-group PR',
  'nexthop 10.99.1.2 s-p1 backup-idx 0,1',
  'backup-group BK',
  'exit',
];
const SHARP_GROUP = 'sharp install routes 10.201.0.0 nexthop-group PR 3';

interface Ctx {
  lab: FrrLab | null;
  rec: FpmRecorder | null;
  conn: RecordedConnection | null;
  ifs: Record<string, number>;
}
const ctx: Ctx = { lab: null, rec: null, conn: null, ifs: {} };
const gate = new PatchedGate('frr-patched.extensions');
const test = gate.guard(uvuTest);
const need = () => ctx as Required<{ [K in keyof Ctx]: NonNullable<Ctx[K]> }>;

const dones = (msgs: DecodedMessage[]) => msgs.filter((m) => m.kind === 'done');

/** Messages of `c` up to and including its first end-of-replay marker (waits for it). */
async function replayOf(c: RecordedConnection, timeoutMs = 30000): Promise<DecodedMessage[]> {
  return waitFor(
    'the end-of-replay marker',
    () => {
      const msgs = decodeMessages(c.chunks);
      const i = msgs.findIndex((m) => m.kind === 'done');
      return i < 0 ? false : msgs.slice(0, i + 1);
    },
    timeoutMs,
    50,
  );
}

/**
 * Everything a message refers to was sent before it: group members and the backup group of a
 * nexthop object, the nexthop object of a route. Returns the latest nexthop object per id.
 */
function assertReferencesSentFirst(msgs: DecodedMessage[]): Map<number, NexthopMessage> {
  const known = new Map<number, NexthopMessage>();
  msgs.forEach((m, i) => {
    if (isNexthop(m)) {
      if (m.del) {
        known.delete(m.id);
        return;
      }
      for (const g of m.group ?? []) assert.ok(known.has(g.id), `#${i}: group ${m.id} names member ${g.id} before it was sent`);
      if (m.backupNhg !== undefined) assert.ok(known.has(m.backupNhg), `#${i}: ${m.id} names backup group ${m.backupNhg} before it was sent`);
      known.set(m.id, m);
    } else if (isRoute(m) && !m.del && m.nhId !== undefined) {
      assert.ok(known.has(m.nhId), `#${i}: route ${routeKey(m)} uses nexthop ${m.nhId} before it was sent`);
    }
  });
  return known;
}

/** The last RTM_NEWROUTE of `key` ("<table> <prefix>") in `msgs`. */
function lastRoute(msgs: DecodedMessage[], key: string): RouteMessage {
  let r: RouteMessage | undefined;
  for (const m of msgs) if (isRoute(m) && !m.del && routeKey(m) === key) r = m;
  if (!r) throw new Error(`no RTM_NEWROUTE for ${key}`);
  return r;
}

/** The (gateway, oif) pairs a nexthop object stands for, members resolved. */
function legs(nh: NexthopMessage, known: Map<number, NexthopMessage>): string[] {
  if (nh.group) return nh.group.flatMap((g) => legs(known.get(g.id)!, known)).sort();
  return [`${String(nh.gateway)} ${nh.oif}`];
}

/** Checks that route `key`'s nexthop object names a backup group holding exactly `backups`. */
function assertBackup(msgs: DecodedMessage[], known: Map<number, NexthopMessage>, key: string, primary: string[], backups: string[]): void {
  const r = lastRoute(msgs, key);
  const nh = known.get(r.nhId!);
  assert.ok(nh, `${key}: nexthop ${r.nhId} sent`);
  assert.equal(legs(nh, known), primary.sort(), `${key}: primary legs`);
  assert.type(nh.backupNhg, 'number', `${key}: nexthop ${nh.id} carries NHA_FPM_BACKUP_NHG`);
  const b = known.get(nh.backupNhg!);
  assert.ok(b, `${key}: backup group ${nh.backupNhg} sent`);
  assert.equal(legs(b, known), backups.sort(), `${key}: backup legs`);
}

async function routeJson(lab: FrrLab, prefix: string, table?: number): Promise<Record<string, unknown>> {
  const af = prefix.includes(':') ? 6 : 4;
  const j = table === undefined ? ((await lab.showJson(`show ${af === 6 ? 'ipv6' : 'ip'} route ${prefix} json`)) as Record<string, Record<string, unknown>[]>) : ((await lab.showRoutes(af, table)) as Record<string, Record<string, unknown>[]>);
  const entries = j[prefix];
  if (!entries) throw new Error(`zebra has no ${prefix}${table === undefined ? '' : ` in table ${table}`}`);
  const sel = entries.find((e) => e.selected === true);
  if (!sel) throw new Error(`no selected route for ${prefix}`);
  return sel;
}

test.before(async () => {
  if (!gate.available) return;
  try {
    const lab = await FrrLab.create({ links: 3, frrBin: gate.frr.bin, vtysh: gate.frr.vtysh });
    ctx.lab = lab;
    ctx.rec = new FpmRecorder(await lab.listenFpm());
    await lab.startZebra();
    await lab.startStaticd();
    await lab.startSharpd();
    for (const l of lab.links) ctx.ifs[l.dut] = await lab.ifindex(l.dut);
    ctx.conn = await ctx.rec.waitConnection(1, 20000);
  } catch (e) {
    gate.fail(e);
  }
});

test.after(async () => {
  await ctx.rec?.close();
  await ctx.lab?.destroy();
});

test('the replay on connect ends with one NLMSG_DONE frame (Done row)', async () => {
  if (!gate.check()) return;
  const { conn } = need();
  const replay = await replayOf(conn);
  const done = replay[replay.length - 1];
  assert.equal(done, { kind: 'done', seq: 0, nlFlags: NLM_F_MULTI });
  assert.ok(replay.some((m) => isRoute(m) && routeKey(m) === '254 10.99.1.0/24'), 'connected routes replayed before it');
  assertReferencesSentFirst(replay);
  assert.is(dones(decodeMessages(conn.chunks)).length, 1, 'one marker per replay');
});

test('backup nexthops: NHA_FPM_BACKUP_NHG names the backup group, sent before it (live)', async () => {
  if (!gate.check()) return;
  const { lab, conn } = need();
  const s = ctx.ifs;
  await lab.configure(...STATIC);
  await lab.vtysh(SHARP_SINGLE);
  await lab.configure(...SHARP_GROUP_CONF);
  await lab.vtysh(SHARP_GROUP);
  await waitFor(
    'the sharp routes on the FPM stream',
    () => conn.fib.routes.has('254 10.200.0.4/32') && conn.fib.routes.has('254 10.201.0.2/32') && conn.fib.routes.has('1001 fd00:99:110::/64'),
    20000,
  );
  const msgs = decodeMessages(conn.chunks);
  const known = assertReferencesSentFirst(msgs);
  for (let i = 0; i < 5; i++) assertBackup(msgs, known, `254 10.200.0.${i}/32`, [`10.99.1.2 ${s['s-p1']}`], [`10.99.2.2 ${s['s-p2']}`]);
  for (let i = 0; i < 3; i++) {
    assertBackup(msgs, known, `254 10.201.0.${i}/32`, [`10.99.1.2 ${s['s-p1']}`], [`10.99.2.2 ${s['s-p2']}`, `10.99.3.2 ${s['s-p3']}`]);
  }
  // A group of two backups is a nexthop group of its own.
  const grp = known.get(known.get(lastRoute(msgs, '254 10.201.0.0/32').nhId!)!.backupNhg!)!;
  assert.is(grp.group?.length, 2);
  // zebra agrees: the routes have backup nexthops, the static ones have none.
  const sharp = await routeJson(lab, '10.201.0.1/32');
  assert.is((sharp.backupNexthops as unknown[]).length, 2);
  const st = lastRoute(msgs, '254 10.99.100.0/24');
  assert.is(known.get(st.nhId!)!.backupNhg, undefined, 'no backup, no attribute');
});

test('a reconnect replays every table (table 1001 included) and the backup groups, then Done', async () => {
  if (!gate.check()) return;
  const { lab, rec, conn } = need();
  const s = ctx.ifs;
  rec.dropAll();
  const c2 = await rec.waitConnection(2, 20000);
  assert.ok(conn.closed);
  const replay = await replayOf(c2);
  assert.equal(replay[replay.length - 1], { kind: 'done', seq: 0, nlFlags: NLM_F_MULTI });
  const keys = new Set(replay.filter(isRoute).map(routeKey));
  for (const k of ['1001 10.99.110.0/24', '1001 fd00:99:110::/64', '254 10.99.100.0/24', '254 fd00:99:100::/64', '254 10.200.0.4/32', '254 10.201.0.2/32']) {
    assert.ok(keys.has(k), `${k} replayed`);
  }
  // Order within the replay: members and backup groups before the objects naming them.
  const known = assertReferencesSentFirst(replay);
  assertBackup(replay, known, '254 10.200.0.3/32', [`10.99.1.2 ${s['s-p1']}`], [`10.99.2.2 ${s['s-p2']}`]);
  assertBackup(replay, known, '254 10.201.0.2/32', [`10.99.1.2 ${s['s-p1']}`], [`10.99.2.2 ${s['s-p2']}`, `10.99.3.2 ${s['s-p3']}`]);
  // The replay alone is zebra's whole FIB, every table.
  const z = await lab.waitFibMatch(() => c2.fib.fib().fib);
  assert.ok([...z.values()].some((r) => r.table === 1001));
  assert.equal(c2.fib.fib().unresolved, []);
  ctx.conn = c2;
});

test('offload feedback: RTM_F_OFFLOAD marks routes offloaded, RTM_F_OFFLOAD_FAILED failed', async () => {
  if (!gate.check()) return;
  const { lab, rec, conn } = need();
  const msgs = decodeMessages(conn.chunks);
  const before = await lab.fpmCounters();
  // Echo each route as zebra sent it (family, prefix, protocol, table): fpm-extensions.md section 3.
  const send = (items: { key: string; failed: boolean }[]) => {
    const enc = new FpmEncoder();
    for (const { key, failed } of items) {
      const r = lastRoute(msgs, key);
      enc.offload({ family: r.family, dst: r.dst, dstLen: r.dstLen, table: r.table, protocol: r.protocol, rtype: r.rtype, failed });
    }
    const buf = enc.toBuffer();
    rec.send(buf);
    return buf.length;
  };
  let sent = send([
    { key: '254 10.99.100.0/24', failed: false },
    { key: '254 fd00:99:100::/64', failed: true },
    { key: '1001 10.99.110.0/24', failed: false },
    { key: '1001 fd00:99:110::/64', failed: true },
    { key: '254 10.200.0.1/32', failed: false },
    { key: '254 10.201.0.1/32', failed: true },
  ]);
  await waitFor('zebra to apply the offload results', async () => (await routeJson(lab, '10.201.0.1/32')).failed === true, 10000);
  const r100 = await routeJson(lab, '10.99.100.0/24');
  assert.is(r100.offloaded, true);
  assert.is(r100.failed, undefined);
  const r100v6 = await routeJson(lab, 'fd00:99:100::/64');
  assert.is(r100v6.failed, true);
  assert.is(r100v6.offloaded, false);
  assert.is((await routeJson(lab, '10.99.110.0/24', 1001)).offloaded, true, 'table 1001 (RTA_TABLE)');
  assert.is((await routeJson(lab, 'fd00:99:110::/64', 1001)).failed, true, 'table 1001, IPv6');
  assert.is((await routeJson(lab, '10.200.0.1/32')).offloaded, true, 'sharp route');
  const other = await routeJson(lab, '10.200.0.2/32');
  assert.is(other.offloaded, undefined, 'a route nobody reported on is left alone');
  assert.is(other.failed, undefined);
  assert.is(other.installed, true);
  // A later success replaces a failure.
  sent += send([{ key: '254 10.201.0.1/32', failed: false }]);
  await waitFor('10.201.0.1/32 offloaded after all', async () => (await routeJson(lab, '10.201.0.1/32')).offloaded === true, 10000);
  assert.is((await routeJson(lab, '10.201.0.1/32')).failed, undefined);
  // zebra read it all and kept the connection; the routes stay installed.
  const after = await lab.fpmCounters();
  assert.is(after['bytes-read'] - before['bytes-read'], sent);
  assert.is(after['connection-closes'], before['connection-closes']);
  assert.is(after['connection-errors'], before['connection-errors']);
  assert.is(r100.installed, true);
  assert.ok(conn.fib.routes.has('254 10.201.0.1/32'), 'no delete went out');
});

test('backup groups are released with their routes, and zebra stops cleanly', async () => {
  if (!gate.check()) return;
  const { lab, conn } = need();
  const removed = (k: string) => !conn.fib.routes.has(k);
  await lab.vtysh('sharp remove routes 10.200.0.0 5');
  await lab.vtysh('sharp remove routes 10.201.0.0 3');
  await waitFor('the sharp routes deleted on the FPM stream', () => removed('254 10.200.0.4/32') && removed('254 10.201.0.2/32'), 20000);
  await lab.waitFibMatch(() => conn.fib.fib().fib);
  for (const d of ['sharpd', 'staticd', 'zebra'] as const) await lab.stopDaemon(d);
  const log = fs.readFileSync(path.join(lab.dir, 'zebra.log'), 'utf8');
  assert.not.match(log, /Received signal|Backtrace|assert/i, 'zebra did not crash');
});

test.run();

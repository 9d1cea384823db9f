// The BGP feeder against real bgpd: 10,500 prefixes over two eBGP sessions (ECMP, weighted ECMP,
// single paths, IPv6) reach zebra's FPM stream as zebra reports them, through peer down/up.
import { test as uvuTest } from 'uvu';
import * as assert from 'uvu/assert';
import { FrrLab, waitFor, BUFFER_FULL_KEY } from '../ts/frr-lab/harness';
import { FrrGate } from './frr/gate';
import { FpmRecorder, RecordedConnection } from './frr/recorder';
import { BgpFeeder, standardFeed, StandardFeed, prefixRange, updateMessages, withdrawMessages } from '../ts/frr-lab/bgp';
import { FibRoute } from '../ts/frr-lab/fib';

interface Ctx {
  lab: FrrLab;
  rec: FpmRecorder;
  conn: RecordedConnection;
  feeder: BgpFeeder;
  feed: StandardFeed;
  ifs: number[];
}
let ctx: Ctx | null = null;
const gate = new FrrGate('frr.bgp');
const test = gate.guard(uvuTest);
let lab: FrrLab | null = null;
let rec: FpmRecorder | null = null;
let feeder: BgpFeeder | null = null;

test.before(async () => {
  if (!gate.available) return;
  try {
    lab = await FrrLab.create({ links: 2 });
    rec = new FpmRecorder(await lab.listenFpm());
    await lab.startZebra();
    const conn = await rec.waitConnection(1, 20000);
    const feed = standardFeed();
    feeder = await BgpFeeder.start(lab, feed.peers);
    await lab.startBgpd(BgpFeeder.bgpdConf(lab, feed.peers));
    const ifs = [await lab.ifindex('s-p1'), await lab.ifindex('s-p2')];
    ctx = { lab, rec, conn, feeder, feed, ifs };
  } catch (e) {
    gate.fail(e);
  }
});

test.after(async () => {
  await feeder?.close();
  await rec?.close();
  await lab?.destroy();
});

const fpmRoute = (c: RecordedConnection, key: string): FibRoute | undefined => c.fib.fib().fib.get(key);
const legs = (r: FibRoute | undefined) => (r ? r.nexthops.map((n) => `${n.gw}%${n.ifindex}*${n.weight}`).join(' ') : 'none');

/** Every prefix of `list` in the FPM FIB with exactly `n` legs (after waiting for it). */
async function waitLegs(c: RecordedConnection, list: string[], n: number, what: string, ms = 30000): Promise<void> {
  await waitFor(
    what,
    () => {
      const { fib } = c.fib.fib();
      return list.every((p) => fib.get(`254 ${p}`)?.nexthops.length === n);
    },
    ms,
    200,
  );
}

test('the feeder encodes UPDATEs within the 4096-byte limit and covers every prefix', () => {
  const v4 = prefixRange('100.64.0.0', 24, 3000);
  const v6 = prefixRange('2001:db8::', 48, 700);
  assert.is(v4[1], '100.64.1.0/24');
  assert.is(v4[2999], '100.75.183.0/24');
  assert.is(v6[1], '2001:db8:1::/48');
  const msgs = updateMessages(65002, [...v4, ...v6].map((prefix) => ({ prefix })), '10.99.1.2', 'fd00:99:1::2');
  let nlriBytes = 0;
  for (const m of msgs) {
    assert.ok(m.length <= 4096, `${m.length} bytes`);
    assert.ok(m.subarray(0, 16).every((b) => b === 0xff), 'marker');
    assert.is(m.readUInt16BE(16), m.length);
    assert.is(m[18], 2);
    const withdrawn = m.readUInt16BE(19);
    const attrLen = m.readUInt16BE(21 + withdrawn);
    nlriBytes += m.length - 23 - withdrawn - attrLen; // IPv4 NLRI after the attributes
  }
  assert.is(nlriBytes, 3000 * 4, 'every IPv4 /24 once (1 length byte + 3 address bytes)');
  const w = withdrawMessages([...v4.slice(0, 10), ...v6.slice(0, 10)]);
  assert.is(w.length, 2);
  assert.is(w[0].readUInt16BE(19), 40, 'ten IPv4 /24 withdrawn');
});

test('10,500 BGP prefixes over two sessions converge: ECMP, weighted 1:3, single, IPv6; FPM == zebra', async () => {
  if (!gate.check() || !ctx) return;
  const { lab, conn, feeder, feed, ifs } = ctx;
  assert.ok(feed.total >= 10000, `${feed.total} prefixes`);
  await feeder.waitEstablished(0);
  await feeder.waitEstablished(1);
  await waitFor('every BGP prefix on the FPM stream', () => conn.fib.routes.size >= feed.total, 60000, 200);
  await waitLegs(conn, [...feed.ecmp4, ...feed.ecmp6], 2, 'ECMP on both peers');
  const z = await lab.waitFibMatch(() => conn.fib.fib().fib, 60000);
  const bgp = [...z.values()].filter((r) => r.prefix.startsWith('100.') || r.prefix.startsWith('2001:db8:'));
  assert.is(bgp.length, feed.total);
  assert.is(legs(z.get('254 100.64.0.0/24')), `10.99.1.2%${ifs[0]}*1 10.99.2.2%${ifs[1]}*1`);
  assert.is(legs(z.get(`254 ${feed.ecmp6[feed.ecmp6.length - 1]}`)), `fd00:99:1::2%${ifs[0]}*1 fd00:99:2::2%${ifs[1]}*1`);
  // link-bandwidth 125e6 vs 375e6 bytes/s: bgpd weighs the legs 1:3 (zebra normalises them).
  for (const p of feed.weighted) assert.is(legs(z.get(`254 ${p}`)), `10.99.1.2%${ifs[0]}*1 10.99.2.2%${ifs[1]}*3`, p);
  assert.is(legs(z.get(`254 ${feed.single[0]}`)), `10.99.1.2%${ifs[0]}*1`);
  const fc = await lab.fpmCounters();
  assert.is(fc[BUFFER_FULL_KEY], 0);
  assert.is(fc['bytes-sent'], conn.bytes);
  // zebra shares a handful of groups between all of them.
  const groups = new Set([...conn.fib.routes.values()].filter((r) => r.prefix.startsWith('100.')).map((r) => r.nhId));
  assert.ok(groups.size <= 6, `${groups.size} NHGs for the IPv4 BGP routes`);
});

test('a peer going down (NOTIFICATION) leaves single paths; back up restores ECMP and weights', async () => {
  if (!gate.check() || !ctx) return;
  const { lab, conn, feeder, feed, ifs } = ctx;
  const del0 = conn.fib.counts.delRoute;
  await feeder.peerDown(1, 'session');
  await waitLegs(conn, [...feed.ecmp4, ...feed.ecmp6, ...feed.weighted], 1, 'single paths after peer B went down');
  let z = await lab.waitFibMatch(() => conn.fib.fib().fib, 60000);
  assert.is(legs(z.get('254 100.64.0.0/24')), `10.99.1.2%${ifs[0]}*1`);
  assert.is(legs(z.get(`254 ${feed.weighted[0]}`)), `10.99.1.2%${ifs[0]}*1`);
  assert.ok(feeder.peer(1).notifications.length === 0, 'bgpd did not complain');
  // zebra 8.4.4 re-points routes one by one (DEL+NEW per route) rather than editing the group.
  assert.ok(conn.fib.counts.delRoute - del0 >= feed.ecmp4.length, `${conn.fib.counts.delRoute - del0} route deletes`);

  await feeder.peerUp(1, 'session');
  await feeder.waitEstablished(1, 30000);
  await waitLegs(conn, [...feed.ecmp4, ...feed.ecmp6, ...feed.weighted], 2, 'ECMP again after peer B came back');
  z = await lab.waitFibMatch(() => conn.fib.fib().fib, 60000);
  assert.is(legs(z.get(`254 ${feed.weighted[7]}`)), `10.99.1.2%${ifs[0]}*1 10.99.2.2%${ifs[1]}*3`);
  assert.is(feeder.peer(1).sessions, 2);
  assert.is((await lab.fpmCounters())[BUFFER_FULL_KEY], 0);
});

test('the DUT link to peer A going down: everything moves to peer B, single-homed prefixes go away', async () => {
  if (!gate.check() || !ctx) return;
  const { lab, conn, feeder, feed, ifs } = ctx;
  await feeder.peerDown(0, 'link');
  await waitLegs(conn, [...feed.ecmp4, ...feed.ecmp6, ...feed.weighted], 1, 'single paths via peer B');
  await waitFor('peer A only prefixes withdrawn', () => feed.single.every((p) => !conn.fib.routes.has(`254 ${p}`)), 30000);
  const z = await lab.waitFibMatch(() => conn.fib.fib().fib, 60000);
  assert.is(legs(z.get('254 100.64.0.0/24')), `10.99.2.2%${ifs[1]}*1`);
  assert.not.ok(z.has(`254 ${feed.single[0]}`));
  await feeder.peerUp(0, 'link');
  await feeder.waitEstablished(0, 30000);
  await waitFor('peer A prefixes back', () => feed.single.every((p) => conn.fib.routes.has(`254 ${p}`)), 30000);
  await waitLegs(conn, [...feed.ecmp4, ...feed.ecmp6, ...feed.weighted], 2, 'ECMP after the link came back');
  await lab.waitFibMatch(() => conn.fib.fib().fib, 60000);
  assert.equal(fpmRoute(conn, `254 ${feed.weighted[0]}`)?.nexthops.map((n) => n.weight), [1, 3]);
});

test.run();

// `fibpush run` against a real VPP 25.10, driven as zebra drives it: the FIB checked twice (VPP's dumped FIB against zebra's table, and forwarding chains read through vppctl), then the lifecycles.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { encodeTable, NO_NH, renumbered } from '../../ts/gen/fulltable';
import { FpmEncoder } from '../../ts/codec/encoder';
import { controlRequest } from '../../ts/daemon/control';
import { FeedModel, FamilyIx } from '../../bench/fullfeed/model';
import { dumpCheck } from '../../bench/fullfeed/fibcheck';
import { changedGroup, encodeNexthop } from '../../bench/fullfeed/zebra';
import { waitFor as pollFor } from '../../ts/frr-lab/proc';
import { Fibpush, startFibpush as startProc } from '../helpers/fibpush-proc';
import { gateSuite } from '../helpers/skip';
import { playZebra } from './scenario';
import { findVpp, RealVpp } from './vpp';

const found = findVpp();
// With FIBPUSH_VPP_BIN set (as .ci/run sets it when it built VPP), a missing VPP is a failure, not a skip.
const run = gateSuite(test, 'skip' in found ? found.skip : null, process.env.FIBPUSH_VPP_BIN ? 'ci-installs' : 'optional');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-vpp-real-t-'));
// IPv4 next hops on both loops; IPv6 ones only on loop0, so IPv6 groups on loop1 are attached legs.
const m = new FeedModel({ v4: 20_000, v6: 5_000, nhgs: 32, seed: 7, nexthops: '10.0.0.2@1,10.0.1.2@2,fd00:0:0:1::2@1' });
const TOTAL = m.routes;
const mapFile = path.join(dir, 'interfaces.map');
fs.writeFileSync(mapFile, m.interfaceMapText());
const bytes = encodeTable(m.t, { nhgMode: true, endMarker: true });

const waitFor = <T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, ms = 60_000) => pollFor(what, fn, ms, 50);

let seq = 0;
function startFibpush(vppSocket: string): Promise<Fibpush> {
  return startProc(path.join(dir, `control-${++seq}.sock`), ['--vpp-socket', vppSocket, '--interface-map', mapFile, '--quiet-period', '1000',
    '--zebra-user', String(process.getuid!())]);
}

const status = (f: Fibpush) => controlRequest(f.control, { cmd: 'status' }) as Promise<Record<string, any>>;
const sent = (s: Record<string, any>) => Number(s.dataplane.counters?.client_sent ?? 0);

async function synced(f: Fibpush, routes = TOTAL): Promise<Record<string, any>> {
  return waitFor(`${routes} routes synced`, async () => {
    const s = await status(f);
    const c = s.dataplane.counters ?? {};
    return s.replay.state === 'ended' && s.routes === routes && s.queueDepth === 0 && s.vppInFlight === 0 && (c.retriesPending ?? 0) === 0 ? s : undefined;
  }, 120_000);
}

/** What vppctl should show for route i: the legs it forwards on now (model.ts sig()) as final adjacencies. */
function expectedChain(f: FamilyIx, i: number): string[] {
  const sig = m.sig(m.nh[f][i]);
  if (sig === 'drop') return ['drop'];
  return [...new Set(sig.split(',').map((x) => {
    const leg = x.slice(0, x.lastIndexOf(':')); // "sw@nh:share"
    const sw = leg.slice(0, leg.indexOf('@'));
    const nh = leg.slice(leg.indexOf('@') + 1);
    return nh === '' ? `glean loop${Number(sw) - 1}` : `via ${nh} loop${Number(sw) - 1}`;
  }))].sort();
}

const labelOf = (f: FamilyIx, i: number) => (m.nh[f][i] === NO_NH ? 'blackhole' : m.obj(m.nh[f][i]).label);

/** Sampled routes: the first user of every nexthop object, and a spread of others. */
function samples(): { f: FamilyIx; i: number }[] {
  const out: { f: FamilyIx; i: number }[] = [];
  const seen = new Set<number>();
  for (const f of [0, 1] as const) {
    const s = m.sets[f];
    for (let i = 0; i < s.count; i++) {
      const host = s.len[i] === (f === 0 ? 32 : 128);
      if (!host && (!seen.has(m.nh[f][i]) || i % 997 === 0)) {
        seen.add(m.nh[f][i]);
        out.push({ f, i });
      }
    }
  }
  return out;
}

function chainsWrong(vpp: RealVpp): string[] {
  const wrong: string[] = [];
  for (const { f, i } of samples()) {
    const want = expectedChain(f, i);
    const got = vpp.chain(m.prefix(f, i));
    if (want.join(',') !== got.join(',')) wrong.push(`${m.prefix(f, i)} (${labelOf(f, i)}): want ${want.join(',')} got ${got.join(',')}`);
  }
  return wrong;
}

async function fibOk(vpp: RealVpp): Promise<void> {
  const c = await dumpCheck(vpp.apiSocket, m);
  assert.ok(c.ok, `VPP's FIB differs from zebra's: ${c.missing} missing, ${c.wrong} wrong, ${c.extra} extra; ${c.examples.join('; ')}`);
  assert.is(c.checked, TOTAL);
  assert.equal(chainsWrong(vpp), []);
}

let vpp: RealVpp | null = null;
let fp: Fibpush | null = null;
let zebra: net.Socket | null = null;

async function kill(f: Fibpush): Promise<void> {
  f.child.kill('SIGKILL');
  await f.exited;
}

test.after(async () => {
  zebra?.destroy();
  if (fp && fp.child.exitCode === null && fp.child.signalCode === null) await kill(fp);
  vpp?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

run('a table of every route kind the generator makes, into a real VPP: dumped FIB and vppctl chains equal zebra\'s', async () => {
  vpp = RealVpp.start((found as { bin: string }).bin);
  fp = await startFibpush(vpp.apiSocket);
  zebra = await playZebra(fp.port, bytes);
  const s = await synced(fp);
  assert.is(s.dataplane.connected, true);
  assert.is(s.dataplane.failures, 0, String(s.dataplane.lastError));
  // What VPP holds as fibpush knows it: every route acknowledged.
  assert.is(s.dataplane.routes, TOTAL);
  const kinds = new Set(samples().map(({ f, i }) => labelOf(f, i).split(' ')[0]));
  for (const k of ['connected', 'single', 'ecmp2', 'blackhole']) assert.ok(kinds.has(k), `the table has ${k} routes`);
  await fibOk(vpp);
});

run('a nexthop group changes: one API call, every dependent follows', async () => {
  const k = m.busiest().find((x) => (m.obj(x).group?.length ?? 0) >= 2)!;
  const after = changedGroup(m.obj(k), true)!;
  const s0 = await status(fp!);
  const e = new FpmEncoder();
  encodeNexthop(e, after);
  zebra!.write(e.toBuffer());
  m.setObject(k, after);
  await waitFor('the change to be sent', async () => sent(await status(fp!)) > sent(s0));
  const s1 = await synced(fp!);
  assert.is(sent(s1) - sent(s0), 1, 'one ip_route_add_del for the group');
  await fibOk(vpp!);
});

run('an interface goes down: routes with a backup forward over it with no API call', async () => {
  const s0 = await synced(fp!);
  vpp!.ctl('set interface state loop0 down');
  m.setInterface(1, false);
  // Forwarding moves inside VPP (preference 1 legs); fibpush writes nothing.
  const backups = samples().filter(({ f, i }) => /backup/.test(labelOf(f, i)));
  assert.ok(backups.length > 0, 'the table has groups with backups');
  for (const { f, i } of backups) assert.equal(vpp!.chain(m.prefix(f, i)), expectedChain(f, i), m.prefix(f, i));
  await fibOk(vpp!);
  assert.is(sent(await status(fp!)) - sent(s0), 0);
  vpp!.ctl('set interface state loop0 up');
  m.setInterface(1, true);
  await fibOk(vpp!);
});

run('zebra reconnects and replays the same table: nothing written', async () => {
  const s0 = await synced(fp!);
  zebra!.destroy();
  await waitFor('fibpush to see zebra go', async () => (await status(fp!)).zebra === 'disconnected', 10_000);
  zebra = await playZebra(fp!.port, encodeTable(m.t, { nhgMode: true, endMarker: true }));
  await waitFor('the new replay', async () => (await status(fp!)).epoch > s0.epoch);
  const s1 = await synced(fp!);
  assert.is(s1.routes, TOTAL);
  // Groups are sent again (the programmer re-reads them); routes are not.
  assert.ok(sent(s1) - sent(s0) <= m.t.nexthops.length, `${sent(s1) - sent(s0)} calls for ${m.t.nexthops.length} groups`);
  await fibOk(vpp!);
});

run('fibpush killed and restarted while VPP forwards: no route rewritten or withdrawn', async () => {
  zebra!.destroy();
  await kill(fp!);
  fp = await startFibpush(vpp!.apiSocket);
  zebra = await playZebra(fp.port, encodeTable(m.t, { nhgMode: true, endMarker: true }));
  await waitFor('adoption to complete', () => fp!.logs.find((l) => l.msg === 'adoption complete'), 120_000);
  const s = await synced(fp);
  const c = s.dataplane.counters;
  assert.is(c.adopt_rewritten, 0, 'routes rewritten');
  assert.is(c.adopt_withdrawn, 0, 'routes withdrawn');
  assert.is(c.adopt_unchanged, TOTAL);
  assert.is(s.dataplane.routes, TOTAL, 'adopted routes count as held');
  await fibOk(vpp!);
});

run('zebra restarts and renumbers every nexthop group: no route written', async () => {
  const s0 = await synced(fp!);
  zebra!.destroy();
  await waitFor('fibpush to see zebra go', async () => (await status(fp!)).zebra === 'disconnected', 10_000);
  const r = renumbered(m.t, 11);
  zebra = await playZebra(fp!.port, encodeTable(r.table, { nhgMode: true, endMarker: true, nexthopOrder: r.order }));
  const s1 = await waitFor('the renumbered replay swept', async () => {
    const x = await synced(fp!);
    return x.epoch > s0.epoch && x.nhgs === m.t.nexthops.length ? x : undefined;
  });
  assert.is(sent(s1) - sent(s0), 0, 'API calls');
  assert.ok(s1.dataplane.counters.rewritesAvoided - s0.dataplane.counters.rewritesAvoided > TOTAL * 0.99);
  assert.ok(s1.replay.rewritesAvoided > TOTAL * 0.99, 'status: rewrites avoided on this replay');
  assert.ok(s1.nhgObjects > 0 && s1.nhgObjects <= s1.nhgs, `status: ${s1.nhgs} groups by id, ${s1.nhgObjects} by content`);
  await fibOk(vpp!);
});

run('fibpush and zebra restart together, ids renumbered again: no route rewritten or withdrawn', async () => {
  zebra!.destroy();
  await kill(fp!);
  fp = await startFibpush(vpp!.apiSocket);
  const r = renumbered(m.t, 12);
  zebra = await playZebra(fp.port, encodeTable(r.table, { nhgMode: true, endMarker: true, nexthopOrder: r.order }));
  await waitFor('adoption to complete', () => fp!.logs.find((l) => l.msg === 'adoption complete'), 120_000);
  const s = await synced(fp);
  const c = s.dataplane.counters;
  assert.is(c.adopt_rewritten, 0, 'routes rewritten');
  assert.is(c.adopt_withdrawn, 0, 'routes withdrawn');
  assert.is(c.adopt_unchanged, TOTAL);
  await fibOk(vpp!);
});

run('VPP restarted empty: fibpush programs everything again', async () => {
  vpp!.restart();
  await waitFor('fibpush to reprogram the new VPP', async () => {
    const s = await status(fp!);
    return s.dataplane.connected && s.queueDepth === 0 && s.vppInFlight === 0 && s.dataplane.routes === TOTAL ? s : undefined;
  }, 120_000);
  await fibOk(vpp!);
});

test.run();

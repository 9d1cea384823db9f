// The FPM port as a trust boundary, attacked from outside the way a process on the same box
// would: silent and dribbling clients, empty frames, a stray end marker, another user's client,
// feedback left over from a closed connection, routes naming groups that never come, groups
// naming each other. Each case ends by comparing the FIB (the mirror's counts and the
// dataplane's answer for every route) with the one before the attack. docs/security.md.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readFixture } from './helpers/fixtures';
import { FpmEncoder } from '../ts/codec/encoder';
import { createDecoder } from '../ts/codec/decoder';
import { FpmStreamReader } from '../ts/codec/stream';
import {
  Client, Fibpush, connect, fibSnapshot, routesOf, runAs, send, settled, sleep, startFibpush, status, stopFibpush, waitFor,
} from './helpers/fibpush-proc';

const ADD = 'static-nhg-add';
const ROUTES = routesOf(ADD);
const QUIET_MS = 1000;
const FIRST_MESSAGE_MS = 5000; // ts/fpm/server.ts DEFAULT_FIRST_FRAME_TIMEOUT_MS
const OWN = String(process.getuid!());
const OTHER = 'nobody';
const RTM_F_OFFLOAD_FAILED = 0x20000000;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-sec-'));
const started: Fibpush[] = [];
async function start(name: string, args: string[]): Promise<Fibpush> {
  const f = await startFibpush(path.join(dir, `${name}.sock`), args);
  started.push(f);
  return f;
}

/** zebra (this process, fibpush's own user here) replays the capture, the replay ends by quiet period, zebra leaves. */
async function zebraReplays(f: Fibpush): Promise<void> {
  const z = await connect(f.port);
  await send(z, readFixture(ADD));
  await settled(f, ROUTES.length);
  await waitFor('the replay to end', async () => (await status(f)).replay.state === 'ended');
  z.sock.end();
  await z.closed;
  await waitFor('zebra gone', async () => (await status(f)).zebra === 'disconnected');
}

/** Resolves with the ms until the server closed `c` (or rejects after `ms`). */
function closedWithin(c: Client, ms: number): Promise<number> {
  const t0 = Date.now();
  return Promise.race([
    c.closed.then(() => Date.now() - t0),
    sleep(ms).then(() => {
      throw new Error(`connection not closed by fibpush within ${ms} ms`);
    }),
  ]);
}

/** Offload notifications in bytes zebra read back: [prefix, failed]. */
function offloads(bytes: Buffer): { dst: string; failed: boolean }[] {
  const out: { dst: string; failed: boolean }[] = [];
  new FpmStreamReader(createDecoder('ts')).push(bytes, (b, chunk) => {
    for (let i = 0; i < b.meta[0]; i++) {
      const o = b.dstOff[i];
      out.push({ dst: `${chunk[o]}.${chunk[o + 1]}.${chunk[o + 2]}.${chunk[o + 3]}/${b.dstLen[i]}`, failed: (b.flags[i] & RTM_F_OFFLOAD_FAILED) !== 0 });
    }
  });
  return out;
}

let a: Fibpush;
let before: Record<string, unknown>;

test.after(async () => {
  for (const f of started) await stopFibpush(f);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('setup: zebra replays a capture and leaves; the FIB stays', async () => {
  a = await start('a', ['--zebra-user', OWN, '--quiet-period', String(QUIET_MS)]);
  await zebraReplays(a);
  before = await fibSnapshot(a, ROUTES);
  assert.is(before.routes, ROUTES.length);
  assert.is(before.dataplaneRoutes, ROUTES.length);
});

test('1. a client that connects and sends nothing, or dribbles a route frame, changes nothing and is dropped after the first-message timeout', async () => {
  const s0 = await status(a);
  const silent = await connect(a.port);
  const took = await closedWithin(silent, FIRST_MESSAGE_MS + 3000);
  assert.ok(took >= FIRST_MESSAGE_MS - 200, `dropped after ${took} ms`);
  assert.equal(await fibSnapshot(a, ROUTES), before, 'silent client: the FIB is unchanged (no quiet-period sweep)');
  // One byte at a time of a real route frame: the frame never completes in time.
  const frame = new FpmEncoder().route({ family: 2, dst: '10.123.0.0', dstLen: 24, protocol: 196, nhId: 999 }).toBuffer();
  const drip = await connect(a.port);
  let i = 0;
  const timer = setInterval(() => {
    if (i < frame.length && !drip.sock.destroyed) drip.sock.write(frame.subarray(i, ++i));
  }, 250);
  try {
    await closedWithin(drip, FIRST_MESSAGE_MS + 3000);
  } finally {
    clearInterval(timer);
  }
  const s = await status(a);
  assert.is(s.counters.noFrameDrops, s0.counters.noFrameDrops + 2);
  assert.is(s.epoch, s0.epoch, 'neither connection started an epoch');
  assert.is(s.counters['store.swept'], s0.counters['store.swept']);
  assert.equal(await fibSnapshot(a, ROUTES), before, 'dribbling client: the FIB is unchanged');
});

test('2. empty frames do not count as messages: the slot is freed after the first-message timeout, zebra gets in', async () => {
  const s0 = await status(a);
  const holder = await connect(a.port);
  const timer = setInterval(() => {
    if (!holder.sock.destroyed) holder.sock.write(Buffer.from([1, 1, 0, 4]));
  }, 200);
  try {
    await sleep(500);
    // zebra meanwhile: refused while the slot is held.
    const early = await connect(a.port);
    await closedWithin(early, 3000);
    await closedWithin(holder, FIRST_MESSAGE_MS + 3000);
  } finally {
    clearInterval(timer);
  }
  const s = await status(a);
  assert.ok(s.counters.frames >= s0.counters.frames + 10, 'the empty frames were read');
  assert.is(s.counters.noFrameDrops, s0.counters.noFrameDrops + 1);
  assert.is(s.epoch, s0.epoch);
  assert.equal(await fibSnapshot(a, ROUTES), before, 'the FIB is unchanged');
  // The slot is free again: zebra's replay is served (a new epoch, nothing swept).
  await zebraReplays(a);
  const s2 = await status(a);
  assert.is(s2.epoch, s0.epoch + 1);
  assert.is(s2.counters['store.swept'], s0.counters['store.swept']);
  assert.equal(await fibSnapshot(a, ROUTES), before, 'after zebra\'s replay');
});

test('3. an end marker while zebra is away: another user\'s client is refused unread; one of zebra\'s user alone sweeps nothing', async () => {
  const s0 = await status(a);
  const done = new FpmEncoder().done().toBuffer();
  const script = `const s=require('net').connect(${a.port},'127.0.0.1');let n=0;s.on('data',(d)=>n+=d.length);` +
    `s.on('connect',()=>s.write(Buffer.from('${done.toString('hex')}','hex')));s.on('error',()=>{});` +
    `s.on('close',()=>{console.log(JSON.stringify({received:n}));process.exit(0)});setTimeout(()=>{console.log('{"timeout":true}');process.exit(3)},5000)`;
  const r = await runAs(OTHER, script);
  assert.is(r.code, 0, `closed by fibpush: ${r.stdout} ${r.stderr}`);
  assert.equal(JSON.parse(r.stdout), { received: 0 }, 'the refused peer got no byte');
  await sleep(300);
  assert.equal(await fibSnapshot(a, ROUTES), before, 'another user\'s end marker: the FIB is unchanged');
  const s1 = await status(a);
  assert.is(s1.counters.refusedPeer, s0.counters.refusedPeer + 1);
  assert.is(s1.counters.bytes, s0.counters.bytes, 'nothing of it was read');
  const warn = a.logs.filter((l) => l.level === 'warn' && /not zebra's user/.test(String(l.msg)));
  assert.is(warn.length, 1, 'logged once');
  assert.is(warn[0].zebraUid, Number(OWN));
  assert.is(warn[0].peerUid, 65534);
  // Again from the same address within the minute: counted, not logged again.
  assert.is((await runAs(OTHER, script)).code, 0);
  await waitFor('the second refusal', async () => (await status(a)).counters.refusedPeer === s0.counters.refusedPeer + 2);
  assert.is(a.logs.filter((l) => l.level === 'warn' && /not zebra's user/.test(String(l.msg))).length, 1);
  // zebra's own user, but only the marker: no replay, nothing swept.
  const m = await connect(a.port);
  await send(m, done);
  await waitFor('the marker to be read', async () => (await status(a)).counters.bytes === s0.counters.bytes + done.length);
  await sleep(300);
  assert.equal(await fibSnapshot(a, ROUTES), before, 'zebra\'s user, a lone end marker: the FIB is unchanged');
  assert.is((await status(a)).counters['store.doneIgnored'], s0.counters['store.doneIgnored'] + 1);
  m.sock.end();
  await m.closed;
  const s2 = await status(a);
  assert.is(s2.counters['store.swept'], s0.counters['store.swept']);
  assert.is(s2.epoch, s0.epoch);
  assert.is(s2.replay.endedBy, s0.replay.endedBy);
  assert.equal(await fibSnapshot(a, ROUTES), before, 'the FIB is unchanged');
});

test('4. offload results of a closed connection are dropped, never sent to the next one', async () => {
  // One notification per second: most results still wait when zebra leaves.
  const b = await start('b', ['--zebra-user', OWN, '--quiet-period', String(QUIET_MS), '--feedback-rate', '1']);
  const z = await connect(b.port);
  await send(z, readFixture(ADD));
  await settled(b, ROUTES.length);
  z.sock.end();
  await z.closed;
  await waitFor('zebra gone', async () => (await status(b)).zebra === 'disconnected');
  const fibB = await fibSnapshot(b, ROUTES);
  const next = await connect(b.port);
  await sleep(2500);
  assert.is(Buffer.concat(next.received).length, 0, 'the next connection got nothing meant for the last one');
  next.sock.destroy();
  await next.closed;
  const s = await status(b);
  assert.ok(s.counters.feedbackClosedDropped >= ROUTES.length - 5, `dropped ${s.counters.feedbackClosedDropped} queued results`);
  assert.is(s.feedback.counters.queued, 0);
  assert.equal(await fibSnapshot(b, ROUTES), fibB, 'the FIB is unchanged');
});

test('5. routes naming groups zebra never sends: parked up to --max-parked, refused past it and answered offload-failed', async () => {
  const c = await start('c', ['--zebra-user', OWN, '--quiet-period', String(QUIET_MS), '--max-parked', '10']);
  const z = await connect(c.port);
  await send(z, readFixture(ADD));
  await settled(c, ROUTES.length);
  const fib0 = await fibSnapshot(c, ROUTES);
  const e = new FpmEncoder();
  for (let i = 0; i < 20; i++) e.route({ family: 2, dst: `10.124.${i}.0`, dstLen: 24, protocol: 196, nhId: 700_000 + i });
  await send(z, e.toBuffer());
  const s = await waitFor('20 routes taken', async () => {
    const x = await status(c);
    return x.routes === ROUTES.length + 20 && x.queueDepth === 0 ? x : undefined;
  });
  assert.is(s.counters['store.routeRefusedParked'], 10);
  assert.is(s.parked, 10, '10 wait for their group; the 10 refused wait for nothing');
  assert.ok(c.logs.some((l) => l.level === 'warn' && /parking bound reached/.test(String(l.msg)) && l.maxParked === 10), 'a clear log line');
  const failed = await waitFor('offload-failed for the refused routes', () => {
    const f = offloads(Buffer.concat(z.received)).filter((o) => o.failed);
    return f.length >= 10 ? f : undefined;
  });
  assert.equal(failed.map((f) => f.dst).sort(), Array.from({ length: 10 }, (_, i) => `10.124.${i + 10}.0/24`).sort());
  const fib1 = await fibSnapshot(c, ROUTES);
  assert.is(fib1.dataplaneRoutes, fib0.dataplaneRoutes, 'nothing programmed for them');
  assert.equal(fib1.lookups, fib0.lookups, 'the dataplane forwards as before');
  z.sock.destroy();
});

test('9. two groups naming each other: the second is refused at ingest, the first is swept when zebra no longer has it', async () => {
  const g = await start('g', ['--zebra-user', OWN, '--quiet-period', String(QUIET_MS)]);
  await zebraReplays(g);
  const fib0 = await fibSnapshot(g, ROUTES);
  const s0 = await status(g);
  const cyc = new FpmEncoder().nexthop({ id: 9001, group: [{ id: 9002 }] }).nexthop({ id: 9002, group: [{ id: 9001 }] }).toBuffer();
  const done = new FpmEncoder().done().toBuffer();
  for (let round = 0; round < 3; round++) {
    const z = await connect(g.port);
    await send(z, Buffer.concat([readFixture(ADD), round === 0 ? cyc : Buffer.alloc(0), done]));
    await waitFor('the marker', async () => {
      const x = await status(g);
      return x.replay.state === 'ended' && x.counters['store.doneRows'] === s0.counters['store.doneRows'] + round + 1;
    });
    z.sock.end();
    await z.closed;
    await waitFor('zebra gone', async () => (await status(g)).zebra === 'disconnected');
  }
  const s = await status(g);
  assert.is(s.counters['store.nhgNested'], s0.counters['store.nhgNested'] + 1);
  assert.is(s.counters['store.sweepKeptInUse'], s0.counters['store.sweepKeptInUse'], 'no group kept in use by another forever');
  assert.is(s.nhgs, fib0.nhgs);
  assert.equal(await fibSnapshot(g, ROUTES), fib0, 'the FIB is unchanged');
});

test('peer identity: another user\'s client is refused by default; with --zebra-user naming it, it is served', async () => {
  const d = await start('d', ['--zebra-user', OTHER, '--quiet-period', String(QUIET_MS)]);
  const script = `const c=require('fs').readFileSync(0);const s=require('net').connect(${d.port},'127.0.0.1',()=>s.write(c));` +
    `s.on('error',()=>{});setTimeout(()=>process.exit(0),1500)`;
  const r = await runAs(OTHER, script, readFixture(ADD));
  assert.is(r.code, 0, r.stderr);
  const s = await waitFor('the routes of the served peer', async () => {
    const x = await status(d);
    return x.routes === ROUTES.length ? x : undefined;
  });
  assert.is(s.counters.refusedPeer, 0);
  // This process (another user than nobody) is refused there.
  const me = await connect(d.port);
  await closedWithin(me, 3000);
  assert.is((await status(d)).counters.refusedPeer, 1);
  // No option: zebra's user is frr when it exists, else fibpush's own.
  const e = await start('e', ['--quiet-period', String(QUIET_MS)]);
  const frr = fs.readFileSync('/etc/passwd', 'utf8').split('\n').some((l) => l.startsWith('frr:'));
  const probe = await connect(e.port);
  await send(probe, readFixture(ADD));
  if (frr) {
    await closedWithin(probe, 3000);
    assert.is((await status(e)).counters.refusedPeer, 1, 'root is not zebra\'s user');
    assert.ok(e.logs.some((l) => l.msg === 'fibpush starting' && l.zebraPeer === `uid ${uidOf('frr')} (frr)`), 'the start line names zebra\'s user');
  } else {
    await settled(e, ROUTES.length);
  }
  probe.sock.destroy();
});

function uidOf(user: string): number {
  for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === user) return Number(f[2]);
  }
  return -1;
}

test.run();

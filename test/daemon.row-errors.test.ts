// `fibpush run` with a zebra message the FIB mirror cannot apply: the message is counted and logged, the session goes on.
//
// The failure is a real, repeatable one: the mirror keeps a u16 index per route for its netlink
// table, so a route in a 65537th distinct table throws a RangeError in the store. Before per-row
// isolation any such exception dropped zebra's session, and zebra's replay on reconnect hit it
// again: a reconnect loop.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from './helpers/fixtures';
import { AF_INET, FpmEncoder, RTN_BLACKHOLE, RTPROT_ZSTATIC } from '../ts/codec/encoder';
import { controlRequest } from '../ts/daemon/control';
import { waitFor } from '../ts/frr-lab/proc';
import { collectJsonLogs } from './helpers/logs';

const BIN = path.join(repoRoot(), 'bin', 'fibpush.js');
const TABLES = 65536; // what the mirror's u16 table index holds
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-rowerr-'));
let child: ChildProcess | null = null;

test.after(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A blackhole route 10.x.y.0/24 in netlink table `table` (no nexthop group needed). */
function route(e: FpmEncoder, i: number, table: number): FpmEncoder {
  return e.route({ family: AF_INET, dst: `10.${(i >> 8) & 255}.${i & 255}.0`, dstLen: 24, table, protocol: RTPROT_ZSTATIC, rtype: RTN_BLACKHOLE });
}

test('a route in a 65537th table is counted and logged, the rest applied, zebra stays connected', async () => {
  const control = path.join(dir, 'control.sock');
  child = spawn(
    process.execPath,
    [BIN, 'run', '--listen', '127.0.0.1:0', '--control', control, '--quiet-period', '60000', '--log-format', 'json', '--progress', 'off',
      '--zebra-user', String(process.getuid!())],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: Record<string, unknown>[] = [];
  collectJsonLogs(child.stderr!, logs, (line) => ({ msg: `(not JSON) ${line}` }));
  const listening = await waitFor('the daemon to listen', () => logs.find((l) => l.msg === 'FPM server listening'), 8000, 25);
  const sock = net.connect(Number(listening.port), '127.0.0.1');
  sock.on('error', () => {});
  let closed = false;
  sock.once('close', () => (closed = true));
  await new Promise((r) => sock.once('connect', r));
  const status = async () => (await controlRequest(control, { cmd: 'status' })) as Record<string, any>;
  const send = (e: FpmEncoder) => new Promise<void>((r) => sock.write(e.toBuffer(), () => r()));

  // Every table the index holds, one route each (tables from 1000: RTA_TABLE as zebra sends them).
  const e = new FpmEncoder();
  for (let i = 0; i < TABLES; i++) route(e, i, 1000 + i);
  // One more table: the store throws for this route; the one after it (a known table) is applied.
  route(e, TABLES, 1000 + TABLES);
  route(e, TABLES + 1, 1000);
  await send(e);
  const st = await waitFor('the batch applied', async () => {
    const s = await status();
    return s.routes === TABLES + 1 ? s : undefined;
  }, 20000, 50);
  assert.is(st.counters['store.rowsFailed'], 1, 'the failing message is counted');
  assert.is(st.zebra, 'connected');
  assert.is(st.routesByTable['inet:1000'], 2);
  assert.is(st.routesByTable[`inet:${1000 + TABLES}`], undefined);
  const warn = logs.find((l) => l.msg === 'zebra message not applied: counted, its route answered offload-failed');
  assert.ok(warn, 'logged once');
  assert.match(String(warn.error), /RangeError: routing table 66536: more than 65536 routing tables/);

  // The same message again (what zebra's replay would resend): counted again, still connected.
  await send(route(new FpmEncoder(), TABLES, 1000 + TABLES));
  await waitFor('counted again', async () => ((await status()).counters['store.rowsFailed'] === 2 ? true : undefined), 8000, 25);
  const after = await status();
  assert.is(after.zebra, 'connected');
  assert.is(after.counters.connections, 1, 'one session from start to end');
  assert.is(closed, false);
  assert.not.ok(logs.some((l) => l.msg === 'FPM batch consumer failed: dropping the connection'));
  sock.destroy();
});

test.run();

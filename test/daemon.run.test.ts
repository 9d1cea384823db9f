// `fibpush run` driven from outside: a real TCP FPM client in (zebra's captured bytes), `fibpush status --json`, metrics and logs out.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { readFixture, readFixtureText, repoRoot } from './helpers/fixtures';
import { parseIpmonFile } from './helpers/ipmon';
import { createDecoder } from '../ts/codec/decoder';
import { FpmStreamReader } from '../ts/codec/stream';
import { messageFromRow } from '../ts/codec/format';
import { FpmEncoder, NLM_F_REQUEST, RTM_F_OFFLOAD, RTM_NEWROUTE } from '../ts/codec/encoder';
import { controlRequest } from '../ts/daemon/control';
import { runHelp } from '../ts/daemon/config';
import { waitFor as pollFor } from '../ts/frr-lab/proc';
import { collectJsonLogs } from './helpers/logs';

const BIN = path.join(repoRoot(), 'bin', 'fibpush.js');
const QUIET_MS = 300;

// ---------------------------------------------------------------- expectations from iproute2's decode

/** zebra's FIB after a capture, as iproute2 decoded it: "inet:254 10.0.0.0/24" -> present. */
function fibFromIpmon(name: string, start: Set<string> = new Set()): Set<string> {
  const f = parseIpmonFile(readFixtureText(name, '.ipmon.txt'));
  assert.is(f.omitted, 0, `${name}.ipmon.txt is complete`);
  const out = new Set(start);
  for (const l of f.head) {
    if (l.what !== 'route') continue;
    const fam = l.dst.includes(':') ? 'inet6' : 'inet';
    const dst = l.dst.includes('/') ? l.dst : `${l.dst}/${fam === 'inet' ? 32 : 128}`;
    const key = `${fam}:${l.table ?? 254} ${dst}`;
    if (l.deleted) out.delete(key);
    else out.add(key);
  }
  return out;
}

function nhgsFromIpmon(name: string): Set<number> {
  const out = new Set<number>();
  for (const l of parseIpmonFile(readFixtureText(name, '.ipmon.txt')).head) {
    if (l.what !== 'nexthop') continue;
    if (l.deleted) out.delete(l.id);
    else out.add(l.id);
  }
  return out;
}

function byTable(fib: Set<string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of fib) {
    const t = k.split(' ')[0];
    out[t] = (out[t] ?? 0) + 1;
  }
  return out;
}

const sorted = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

// ---------------------------------------------------------------- processes and sockets

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 20000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Polls until `fn` gives a value (ts/frr-lab/proc.ts waitFor) with this suite's defaults. */
function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, ms = 8000): Promise<T> {
  return pollFor(what, fn, ms, 25);
}

interface Daemon {
  child: ChildProcess;
  logs: Record<string, unknown>[];
  port: number;
  metricsPort: number;
  control: string;
  exited: Promise<number | null>;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-run-'));
let d: Daemon;

let daemons = 0;

/** Starts `fibpush run` on ephemeral FPM and metrics ports (port 0) and reads back the ones bound. */
async function startDaemon(extra: string[] = []): Promise<Daemon> {
  const control = path.join(dir, `control-${++daemons}.sock`);
  const child = spawn(
    process.execPath,
    [BIN, 'run', '--listen', '127.0.0.1:0', '--control', control, '--metrics', '127.0.0.1:0',
      '--quiet-period', String(QUIET_MS), '--log-format', 'json', '--progress', 'off',
      // this test process plays zebra
      ...(extra.includes('--any-peer') || extra.includes('--zebra-user') ? [] : ['--zebra-user', String(process.getuid!())]), ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: Record<string, unknown>[] = [];
  collectJsonLogs(child.stderr, logs, (line) => ({ msg: `(not JSON) ${line}` }));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const listening = await waitFor('the daemon to listen', () => logs.find((l) => l.msg === 'FPM server listening'));
  const port = Number(listening.port);
  const metricsUrl = String(logs.find((l) => l.msg === 'metrics endpoint ready')?.url);
  const metricsPort = Number(/:(\d+)\/metrics$/.exec(metricsUrl)?.[1]);
  assert.ok(port > 0, `bound FPM port ${port}`);
  assert.ok(metricsPort > 0, `bound metrics port from ${metricsUrl}`);
  return { child, logs, port, metricsPort, control, exited };
}

async function statusCli(): Promise<Record<string, any>> {
  const r = await cli(['status', '--control', d.control, '--json']);
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const status = async () => (await controlRequest(d.control, { cmd: 'status' })) as Record<string, any>;

interface Client {
  sock: net.Socket;
  received: Buffer[];
  closed: Promise<void>;
}

function connect(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    sock.on('data', (b: Buffer) => received.push(b));
    const closed = new Promise<void>((r) => sock.once('close', () => r()));
    sock.on('error', () => {});
    sock.once('connect', () => resolve({ sock, received, closed }));
    sock.once('error', reject);
  });
}

function send(c: Client, bytes: Uint8Array): Promise<void> {
  return new Promise((r) => c.sock.write(bytes, () => r()));
}

function httpGet(port: number, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: p }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (x) => (body += x));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** Offload notifications zebra would read back: "inet:254 10.0.0.0/24" -> flags of the last one. */
function offloads(bytes: Buffer): Map<string, number> {
  const out = new Map<string, number>();
  const r = new FpmStreamReader(createDecoder('ts'));
  r.push(bytes, (b, chunk) => {
    for (let i = 0; i < b.meta[0]; i++) {
      const m = messageFromRow(b, i, chunk);
      assert.is(m.kind, 'route');
      if (m.kind !== 'route') continue;
      assert.is(b.msgType[i], RTM_NEWROUTE);
      assert.ok((b.nlFlags[i] & NLM_F_REQUEST) !== 0, 'NLM_F_REQUEST set (FRR 8.5 fpm_read skips others)');
      out.set(`${m.family === 10 ? 'inet6' : 'inet'}:${m.table} ${String(m.dst)}/${m.dstLen}`, m.flags ?? 0);
    }
  });
  return out;
}

// ---------------------------------------------------------------- the tests

test.after(async () => {
  if (d && d.child.exitCode === null) {
    d.child.kill('SIGKILL');
    await d.exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('--help is the option table; unknown options and bad values are refused with exit 1', async () => {
  const h = await cli(['run', '--help']);
  assert.is(h.code, 0);
  assert.is(h.stdout.trimEnd(), runHelp());
  for (const m of h.stdout.matchAll(/^\s+--([a-z-]+)/gm)) assert.ok(m[1] === 'help' || /\S/.test(m[1]));
  const bad = await cli(['run', '--frobnicate']);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /Unknown option --frobnicate/);
  const port = await cli(['run', '--listen', '127.0.0.1:abc']);
  assert.is(port.code, 1);
  assert.match(port.stderr, /Expected HOST:PORT with a port number between 1 and 65535 for --listen but received "127.0.0.1:abc"/);
  const nonLo = await cli(['run', '--listen', '0.0.0.0:2620']);
  assert.is(nonLo.code, 1);
  assert.match(nonLo.stderr, /loopback address for --listen/);
  const top = await cli(['--help']);
  assert.match(top.stdout, /^\s+run\s/m);
  assert.match(top.stdout, /^\s+status\s/m);
});

test('starts on the memory dataplane when no VPP socket exists, and says so', async () => {
  d = await startDaemon();
  const start = d.logs.find((l) => l.msg === 'fibpush starting')!;
  assert.ok(start, 'a start line');
  assert.is(start.level, 'info');
  if (!fs.existsSync('/run/vpp/api.sock')) {
    assert.is(start.dataplane, 'memory');
    assert.ok(d.logs.some((l) => /built-in memory dataplane/.test(String(l.msg))), 'the memory dataplane is announced');
  }
  const s = await statusCli();
  assert.is(s.listen, `127.0.0.1:${d.port}`, 'status names the port bound for --listen 127.0.0.1:0');
  assert.is(s.zebra, 'disconnected');
  assert.is(s.routes, 0);
  assert.is(s.epoch, 0);
  assert.is(s.replay.state, 'waiting');
});

let zebra: Client;
const ADD = 'static-nhg-add';
const REPLAY = 'static-nhg-replay';

test('a captured zebra session: status counts equal what was sent, every route offloaded back', async () => {
  zebra = await connect(d.port);
  const bytes = readFixture(ADD);
  await send(zebra, bytes);
  const want = fibFromIpmon(ADD);
  const s = await waitFor('the routes', async () => {
    const x = await status();
    return x.routes === want.size && x.queueDepth === 0 ? x : undefined;
  });
  const cliView = await statusCli();
  for (const st of [s, cliView]) {
    assert.is(st.zebra, 'connected');
    assert.is(st.epoch, 1);
    assert.equal(sorted(st.routesByTable), sorted(byTable(want)));
    assert.is(st.nhgs, nhgsFromIpmon(ADD).size);
    assert.is(st.macs, 0);
    assert.is(st.parked, 0);
    assert.is(st.queueDepth, 0);
    assert.is(st.vppInFlight, 0);
    assert.is(st.failures, 0);
    assert.is(st.replay.state, 'replaying', 'stock zebra: no marker yet, quiet period not over while connected and sending');
  }
  assert.is(cliView.counters.bytes, bytes.length);
  assert.is(cliView.counters.badMessages, 0);
  assert.is(cliView.dataplane.kind, 'memory');
  assert.is(cliView.dataplane.routes, want.size);
  // Offload feedback: one RTM_NEWROUTE + RTM_F_OFFLOAD per route, back on zebra's connection.
  const got = await waitFor('offload notifications', () => {
    const m = offloads(Buffer.concat(zebra.received));
    return m.size >= want.size ? m : undefined;
  });
  assert.equal([...got.keys()].sort(), [...want].sort());
  for (const [k, flags] of got) assert.ok((flags & RTM_F_OFFLOAD) !== 0, `${k} offloaded`);
  // The readable summary names the same numbers.
  const text = await cli(['status', '--control', d.control]);
  assert.is(text.code, 0);
  assert.match(text.stdout, new RegExp(`routes\\s+${want.size} \\(`));
  assert.match(text.stdout, /zebra\s+connected from 127\.0\.0\.1:\d+, epoch 1/);
  assert.match(text.stdout, /dataplane\s+memory, connected/);
});

test('lookups answer as the memory dataplane forwards', async () => {
  const r = await cli(['status', '--control', d.control, '--json', '--lookup', '10.99.101.9']);
  const l = JSON.parse(r.stdout).lookup;
  assert.is(l.answeredBy, 'memory');
  assert.is(l.match.prefix, '10.99.101.0/24');
  // static-nhg-add: ip route 10.99.101.0/24 via 10.99.1.2, 10.99.2.2, 10.99.3.2 (ECMP-3)
  assert.equal(l.match.paths.map((p: { gw: string }) => p.gw).sort(), ['10.99.1.2', '10.99.2.2', '10.99.3.2']);
  const t = await cli(['status', '--control', d.control, '--lookup', '10.99.110.1', '--table', '1001']);
  assert.match(t.stdout, /lookup 10\.99\.110\.1 table 1001: 10\.99\.110\.0\/24 table 1001 nhg \d+\n\s+via 10\.99\.1\.2 ifindex 2/);
});

test('a second FPM connection is refused while zebra is connected', async () => {
  const before = (await status()).counters.refused;
  const intruder = await connect(d.port);
  await Promise.race([
    intruder.closed,
    new Promise((_, rej) => setTimeout(() => rej(new Error('second connection was not closed')), 3000)),
  ]);
  const s = await status();
  assert.is(s.counters.refused, before + 1);
  assert.is(s.zebra, 'connected');
  assert.is(s.epoch, 1, 'the refused connection is no epoch');
  assert.ok(d.logs.some((l) => l.level === 'warn' && /refused/.test(String(l.msg))), 'logged');
});

test('zebra\'s end marker ends the replay', async () => {
  await send(zebra, new FpmEncoder().done().toBuffer());
  const s = await waitFor('the end of replay', async () => {
    const x = await status();
    return x.replay.state === 'ended' ? x : undefined;
  });
  assert.is(s.replay.endedBy, 'marker');
  assert.is(s.replay.swept, 0);
  assert.is(s.routes, fibFromIpmon(ADD).size);
  assert.ok(d.logs.some((l) => l.msg === 'replay ended' && l.by === 'marker'));
});

test('metrics: the Prometheus endpoint carries the same numbers', async () => {
  const s = await status();
  const m = await httpGet(d.metricsPort, '/metrics');
  assert.is(m.status, 200);
  const val = (line: string) => {
    const hit = m.body.split('\n').find((l) => l.startsWith(line + ' '));
    assert.ok(hit, `metric ${line} present`);
    return Number(hit.slice(line.length + 1));
  };
  for (const [t, n] of Object.entries(s.routesByTable)) assert.is(val(`fibpush_routes{table="${t}"}`), n);
  assert.is(val('fibpush_fpm_bytes_total'), s.counters.bytes);
  assert.is(val('fibpush_fpm_frames_total'), s.counters.frames);
  assert.is(val('fibpush_fpm_connections_total'), 1);
  assert.is(val('fibpush_fpm_refused_total'), 1);
  assert.is(val('fibpush_nhgs'), s.nhgs);
  assert.is(val('fibpush_zebra_connected'), 1);
  assert.is(val('fibpush_queue_depth{lane="bgp"}'), 0);
  assert.is(val('fibpush_feedback_sent_total'), s.feedback.counters.sent);
  assert.ok(val('fibpush_batch_rows_count') >= 1);
  assert.is((await httpGet(d.metricsPort, '/nope')).status, 404);
});

test('garbage on the FPM port drops that connection with a log line; the daemon keeps serving', async () => {
  zebra.sock.end();
  await zebra.closed;
  await waitFor('zebra to be gone', async () => (await status()).zebra === 'disconnected');
  const junk = await connect(d.port);
  // FPM header with version 2 (fpm/fpm.h FPM_PROTO_VERSION is 1).
  await send(junk, Buffer.from([2, 1, 0, 8, 0xde, 0xad, 0xbe, 0xef]));
  await junk.closed;
  const s = await waitFor('the stream error to be counted', async () => {
    const x = await status();
    return x.counters.badFrames === 1 ? x : undefined;
  });
  assert.is(s.routes, fibFromIpmon(ADD).size, 'nothing lost or swept');
  const warn = d.logs.find((l) => l.level === 'warn' && l.code === 'FPM_BAD_VERSION');
  assert.ok(warn, 'a warning names the defect');
  assert.is(warn.offset, 0);
  // Still serving: a reconnecting zebra replays.
  zebra = await connect(d.port);
  await send(zebra, readFixture(REPLAY));
  const after = await waitFor('the replay to end by quiet period', async () => {
    const x = await status();
    return x.replay.state === 'ended' ? x : undefined;
  });
  assert.is(after.replay.endedBy, 'quiet-period');
  // The garbage connection never delivered a message: it started no epoch.
  assert.is(after.epoch, after.counters.connections - 1);
  // Without the marker only main-table routes are swept: non-main tables are not replayed by stock zebra.
  const before = fibFromIpmon(ADD);
  const want = fibFromIpmon(REPLAY, new Set([...before].filter((k) => !/^inet6?:254 /.test(k))));
  assert.equal(sorted(after.routesByTable), sorted(byTable(want)));
  assert.is(after.routes, want.size);
  await waitFor('the dataplane to follow', async () => {
    const x = await status();
    return x.dataplane.routes === want.size && x.queueDepth === 0;
  });
});

test('SIGTERM stops the daemon cleanly and removes its control socket', async () => {
  d.child.kill('SIGTERM');
  assert.is(await d.exited, 0);
  assert.not.ok(fs.existsSync(d.control));
  assert.ok(d.logs.some((l) => l.msg === 'fibpush stopped'));
  await zebra.closed;
});

test.run();

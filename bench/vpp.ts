// VPP programming benchmark: N IPv4 routes through the programmer and client into the VPP simulator (or a real VPP), per window size and mode, plus encode cost.
//
//   node dist/bench/vpp.js [--routes N] [--windows 1,64,1000] [--modes pic,inline] [--vpp-socket PATH]
//                          [--sw-if-index N] [--no-cleanup] [--encode-only]
// Each case runs in a fresh child process (its own simulator when no --vpp-socket is given) and
// the parent prints one table. Routes are /24s from 16.0.0.0 via one nexthop group whose leg is
// 10.255.0.1 (recursive in table 0, so no interface is needed; --sw-if-index N gives the leg that
// interface instead). Against a real VPP the routes are deleted again afterwards (timed too)
// unless --no-cleanup.
import { spawn } from 'child_process';
import * as path from 'path';
import { AF_INET, ChangeKind, ChangeSource, Lane, MacView, NhgView, Op, RouteView, Target } from '../ts/dplane/types';
import { VppClient } from '../ts/vpp/client';
import { VppProgrammer, ProgrammingMode } from '../ts/vpp/programmer';
import { encode, encodePaths, writeIpRouteAddDel, FIB_PATH_SIZE, decode } from '../ts/vpp/codec';
import { MESSAGES } from '../ts/vpp/gen/messages';
import { VppSimulator } from '../ts/vpp-sim';
import { fmt } from './lib';

interface Args {
  routes: number;
  windows: number[];
  modes: ProgrammingMode[];
  vppSocket: string | null;
  swIfIndex: number | null;
  cleanup: boolean;
  encodeOnly: boolean;
  child: { window: number; mode: ProgrammingMode } | null;
}

function fail(msg: string): never {
  process.stderr.write(`bench/vpp: ${msg}\n`);
  process.exit(2);
}

function intArg(flag: string, v: string | undefined, min: number, max: number): number {
  const n = Number(v);
  if (v === undefined || !/^\d+$/.test(v) || n < min || n > max) fail(`Expected an integer between ${min} and ${max} for ${flag} but received ${JSON.stringify(v)}`);
  return n;
}

function parse(argv: string[]): Args {
  const a: Args = { routes: 1_000_000, windows: [1, 64, 1000], modes: ['pic', 'inline'], vppSocket: null, swIfIndex: null, cleanup: true, encodeOnly: false, child: null };
  let cw = -1;
  let cm: ProgrammingMode | null = null;
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    const val = () => argv[++i];
    switch (f) {
      case '--routes':
        a.routes = intArg(f, val(), 1, 16_000_000);
        break;
      case '--windows':
        a.windows = (val() ?? '').split(',').map((x) => intArg(f, x, 1, 100_000));
        break;
      case '--modes':
        a.modes = (val() ?? '').split(',').map((m) => (m === 'pic' || m === 'inline' ? m : fail(`Expected pic or inline for --modes but received ${JSON.stringify(m)}`)));
        break;
      case '--vpp-socket':
        a.vppSocket = val() ?? fail('--vpp-socket needs a path');
        break;
      case '--sw-if-index':
        a.swIfIndex = intArg(f, val(), 0, 0xfffffffe);
        break;
      case '--no-cleanup':
        a.cleanup = false;
        break;
      case '--encode-only':
        a.encodeOnly = true;
        break;
      case '--child-window':
        cw = intArg(f, val(), 1, 100_000);
        break;
      case '--child-mode': {
        const m = val();
        cm = m === 'pic' || m === 'inline' ? m : fail(`bad --child-mode ${m}`);
        break;
      }
      default:
        fail(`unknown option ${f}`);
    }
  }
  if (cw > 0 && cm) a.child = { window: cw, mode: cm };
  return a;
}

/** N route Sets (then, optionally, N Dels) generated on the fly: no queue, no object per route. */
class SyntheticSource implements ChangeSource {
  readonly nhg: NhgView;
  readonly route: RouteView = {
    op: Op.Set, family: AF_INET, table: 254, addr: new Uint8Array(16), len: 24, label: 0, target: Target.Nhg, nhgId: 1, prevNhgId: 0, protocol: 186, lane: Lane.Bgp, handle: 0,
  };
  readonly mac: MacView = { op: Op.Set, ifindex: 0, vlan: 0, mac: new Uint8Array(6), vtepFamily: 0, vtep: new Uint8Array(16), nhgId: 0, vni: 0, handle: 0 };
  private i = -1;
  private phaseEnd: number;
  ok = 0;
  failed = 0;
  lastError = '';
  deleting = false;

  constructor(private readonly n: number, ifindex: number) {
    const gw = new Uint8Array(16);
    gw.set([10, 255, 0, 1]);
    this.nhg = { op: Op.Set, id: 1, family: AF_INET, primary: [{ gwFamily: 4, gw, ifindex, weight: 1, labels: [], blackhole: false }], backup: [], fdb: false };
    this.phaseEnd = n;
  }

  /** Queue deletes of every route. */
  startDeletes(): void {
    this.deleting = true;
    this.i = 0;
    this.phaseEnd = this.n;
    this.route.op = Op.Del;
  }

  next(): ChangeKind {
    if (this.i < 0) {
      this.i = 0;
      return ChangeKind.Nhg;
    }
    if (this.i >= this.phaseEnd) return ChangeKind.None;
    const k = this.i++;
    const v = 0x10000000 + k * 256; // 16.0.0.0/24 upwards
    const a = this.route.addr;
    a[0] = v >>> 24;
    a[1] = (v >>> 16) & 255;
    a[2] = (v >>> 8) & 255;
    a[3] = 0;
    this.route.handle = k;
    return ChangeKind.Route;
  }

  depth(): number[] {
    return [0, 0, Math.max(0, this.phaseEnd - this.i)];
  }

  routeResult(_h: number, ok: boolean, error?: string): void {
    if (ok) this.ok++;
    else {
      this.failed++;
      this.lastError = error ?? '';
    }
  }
}

interface CaseResult {
  mode: ProgrammingMode;
  window: number;
  routes: number;
  ms: number;
  routesPerSec: number;
  ok: number;
  failed: number;
  lastError: string;
  clientCpuMs: number;
  dataplaneCpuMs: number;
  batches: number;
  avgBatch: number;
  apiCalls: number;
  rssMb: number;
  deleteMs: number;
}

async function runCase(a: Args, window: number, mode: ProgrammingMode): Promise<CaseResult> {
  let sim: VppSimulator | null = null;
  let socketPath = a.vppSocket;
  if (!socketPath) {
    sim = await VppSimulator.start({ seed: 1 });
    socketPath = sim.apiSocket;
  }
  const ifindex = a.swIfIndex !== null ? 1 : 0;
  const src = new SyntheticSource(a.routes, ifindex);
  const client = new VppClient({ socketPath, window, timeoutMs: 30_000 });
  const prog = new VppProgrammer(client, src, {
    mode,
    linuxCp: false,
    lcpRefreshMs: 0,
    interfaceMap: a.swIfIndex !== null ? new Map([[1, a.swIfIndex]]) : undefined,
  });
  await prog.start();
  const cpu0 = process.cpuUsage();
  const dp0 = sim ? sim.cpuMs() : NaN;
  const sent0 = client.counters.sent;
  const t0 = performance.now();
  prog.kick();
  await prog.whenIdle();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const dp = sim ? sim.cpuMs() - dp0 : NaN;
  const apiCalls = client.counters.sent - sent0;
  const batches = client.counters.batches;
  const res: CaseResult = {
    mode, window, routes: a.routes, ms, routesPerSec: (a.routes / ms) * 1000, ok: src.ok, failed: src.failed, lastError: src.lastError,
    clientCpuMs: (cpu.user + cpu.system) / 1000, dataplaneCpuMs: dp, batches, avgBatch: client.counters.sent / Math.max(1, batches),
    apiCalls, rssMb: process.memoryUsage().rss / 1e6, deleteMs: NaN,
  };
  if (a.vppSocket && a.cleanup) {
    src.startDeletes();
    const t1 = performance.now();
    prog.kick();
    await prog.whenIdle();
    res.deleteMs = performance.now() - t1;
  }
  await prog.close();
  if (sim) await sim.stop();
  return res;
}

/** ns per message: the route fast path, the generic encoder, and decoding a reply. */
function encodeCost(): { name: string; ns: number }[] {
  const out: { name: string; ns: number }[] = [];
  const buf = Buffer.alloc(1 << 20);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const paths = encodePaths([{ swIfIndex: 0xffffffff, tableId: 1e9, weight: 1, preference: 0, type: 0, flags: 2, proto: 0, nh: Uint8Array.of(0, 0, 0, 1) }]);
  const addr = new Uint8Array(16);
  const per = 39 + FIB_PATH_SIZE;
  const slots = Math.floor(buf.length / per);
  const time = (name: string, n: number, f: (i: number) => void) => {
    for (let i = 0; i < Math.min(n, 100_000); i++) f(i); // warm-up
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f(i);
    out.push({ name, ns: Number(process.hrtime.bigint() - t0) / n });
  };
  time('ip_route_add_del fast path (1 path, 206 B)', 5_000_000, (i) => {
    addr[2] = i & 255;
    addr[1] = (i >> 8) & 255;
    writeIpRouteAddDel(buf, dv, (i % slots) * per, 1234, 0x80000001, i, true, false, 0, false, addr, 0, 24, paths, 1);
  });
  const values = {
    client_index: 1, context: 0, is_add: true, is_multipath: false,
    route: { table_id: 0, prefix: { address: { af: 0, un: Uint8Array.of(16, 0, 0, 0) }, len: 24 }, paths: [{ sw_if_index: 0xffffffff, table_id: 1e9, weight: 1, flags: 2, nh: { address: Uint8Array.of(0, 0, 0, 1) } }] },
  };
  time('ip_route_add_del generic encoder (1 path)', 200_000, (i) => {
    encode(dv, (i % slots) * per, MESSAGES.ip_route_add_del, 1234, values);
  });
  const rep = Buffer.alloc(14);
  rep.writeUInt16BE(77, 0);
  const rdv = new DataView(rep.buffer, rep.byteOffset, rep.length);
  let sink = 0;
  time('reply context+retval read (client hot path)', 10_000_000, (i) => {
    sink += rdv.getUint32(2) + rdv.getInt32(6) + i;
  });
  time('ip_route_add_del_reply generic decode', 500_000, () => {
    sink += (decode(rdv, 0, 14, MESSAGES.ip_route_add_del_reply).retval as number) | 0;
  });
  if (sink === 0.5) process.stdout.write('');
  return out;
}

function runChild(a: Args, window: number, mode: ProgrammingMode, argv: string[]): Promise<CaseResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'vpp.js'), ...argv, '--child-window', String(window), '--child-mode', mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`case ${mode}/w${window} failed (exit ${code})`));
      else resolve(JSON.parse(line.slice(7)) as CaseResult);
    });
  });
}


async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const a = parse(argv);
  if (a.child) {
    const r = await runCase(a, a.child.window, a.child.mode);
    process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
    return;
  }
  const target = a.vppSocket ? `VPP at ${a.vppSocket}` : 'the VPP simulator (ts/vpp-sim)';
  process.stdout.write(`fibpush VPP programming: ${fmt(a.routes)} IPv4 /24 routes via one nexthop group into ${target}\n\n`);
  const enc = encodeCost();
  process.stdout.write('encode/decode cost per message\n');
  for (const e of enc) process.stdout.write(`  ${e.name.padEnd(48)} ${fmt(e.ns, 1).padStart(8)} ns\n`);
  if (a.encodeOnly) return;
  const rows: CaseResult[] = [];
  for (const mode of a.modes) {
    for (const w of mode === 'inline' ? [a.windows[a.windows.length - 1]] : a.windows) {
      process.stderr.write(`  running ${mode} window ${w}...\n`);
      rows.push(await runChild(a, w, mode, argv));
    }
  }
  process.stdout.write('\n');
  const withDelete = !!a.vppSocket && a.cleanup;
  const head = ['mode', 'window', 'routes', 'seconds', 'routes/s', 'ok', 'failed', 'API calls', 'avg batch', 'fibpush CPU s', 'dataplane CPU s', 'RSS MB'];
  if (withDelete) head.push('delete routes/s');
  const table = rows.map((r) => {
    const cells = [
      r.mode, String(r.window), fmt(r.routes), fmt(r.ms / 1000, 2), fmt(r.routesPerSec), fmt(r.ok), fmt(r.failed), fmt(r.apiCalls), fmt(r.avgBatch, 1),
      fmt(r.clientCpuMs / 1000, 2), fmt(r.dataplaneCpuMs / 1000, 2), fmt(r.rssMb),
    ];
    if (withDelete) cells.push(fmt((r.routes / r.deleteMs) * 1000));
    return cells;
  });
  const w = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ')} |\n`;
  process.stdout.write(line(head));
  process.stdout.write(`|${w.map((x) => '-'.repeat(x + 2)).join('|')}|\n`);
  for (const t of table) process.stdout.write(line(t));
  for (const r of rows) if (r.failed > 0) process.stdout.write(`\n${r.mode}/w${r.window}: ${r.failed} failed, last error: ${r.lastError}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench/vpp: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});

// The simulator against a real VPP 25.10: the same zebra stream through `fibpush run` into each, and what each then lists (ip_route_v2_dump) and forwards must be the same.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { VppClient } from '../../ts/vpp/client';
import { FIB_PATH_SIZE, readFibPath, RouteDetailsView } from '../../ts/vpp/codec';
import { DEFAULT_PIC_TABLE } from '../../ts/vpp/programmer';
import { formatAddr } from '../../ts/addr';
import { VppSimulator, Forwarding } from '../../ts/vpp-sim';
import { gateSuite } from '../helpers/skip';
import { findVpp, RealVpp, TWO_LOOPS } from './vpp';
import { INTERFACE_MAP, playZebra, ROUTES, scenarioFibpush, stream, synced } from './scenario';
import { Fibpush, stopFibpush } from '../helpers/fibpush-proc';

const found = findVpp();
// With FIBPUSH_VPP_BIN set (as .ci/run sets it when it built VPP), a missing VPP is a failure, not a skip.
const run = gateSuite(test, 'skip' in found ? found.skip : null, process.env.FIBPUSH_VPP_BIN ? 'ci-installs' : 'optional');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-vpp-conf-'));
const mapFile = path.join(dir, 'interfaces.map');
fs.writeFileSync(mapFile, INTERFACE_MAP);

const procs: Fibpush[] = [];
let vpp: RealVpp | null = null;
let sim: VppSimulator | null = null;
const sockets: net.Socket[] = [];

test.after(async () => {
  for (const s of sockets) s.destroy();
  for (const f of procs) await stopFibpush(f);
  vpp?.stop();
  await sim?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** fibpush into `apiSocket`, fed the scenario, until synced. */
async function programmed(apiSocket: string, name: string): Promise<void> {
  const f = await scenarioFibpush(dir, name, apiSocket, mapFile);
  procs.push(f);
  sockets.push(await playZebra(f.port, stream()));
  const s = await synced(f);
  assert.is(s.dataplane.failures, 0, `${name}: ${s.dataplane.lastError}`);
}

/** Every API route of the tables fibpush uses, with its paths as VPP reports them, sorted. */
async function listed(apiSocket: string): Promise<string[]> {
  const c = new VppClient({ socketPath: apiSocket, reconnect: false });
  await c.connect();
  const out: string[] = [];
  const v = new RouteDetailsView();
  try {
    for (const table of [0, 1001, DEFAULT_PIC_TABLE]) {
      for (const v6 of [false, true]) {
        await c.dumpEach('ip_route_v2_dump', { src: 0, table: { table_id: table, is_ip6: v6 } }, (buf, dv, off, len) => {
          v.fill(buf, dv, off, len, true);
          if (v.src !== 8) return;
          const paths: string[] = [];
          for (let i = 0; i < v.nPaths; i++) {
            const p = readFibPath(dv, v.pathsOff + i * FIB_PATH_SIZE, p6(dv, v.pathsOff + i * FIB_PATH_SIZE));
            paths.push(`${p.type}/sw${p.swIfIndex === 0xffffffff ? '-' : p.swIfIndex}/t${p.tableId}/w${p.weight}/p${p.preference}/f${p.flags}/${formatAddr(p.nh.length === 16 ? 6 : 4, p.nh)}/${(p.labels ?? []).join('.')}`);
          }
          out.push(`${table} ${formatAddr(v6 ? 6 : 4, v.addr.subarray(0, v6 ? 16 : 4))}/${v.len} ${paths.sort().join(' ')}`);
        });
      }
    }
  } finally {
    await c.close();
  }
  return out.sort();
}

/** A path's next-hop family from its proto field (fib_path @22). */
function p6(dv: DataView, off: number): number {
  return dv.getUint32(off + 22) === 1 ? 1 : 0;
}

/** The simulator's forwarding answer in vppctl chain() terms (loopN = sw_if_index N + 1 on the real VPP). */
function simChain(f: Forwarding): string[] {
  if (f.action === 'drop' || f.legs.length === 0) return ['drop'];
  return [...new Set(f.legs.map((l) => {
    if (l.kind === 'unreach') return 'unreach';
    if (l.kind === 'prohibit') return 'prohibit';
    const itf = `loop${l.swIfIndex - 1}`;
    if (l.nh === '') return `glean ${itf}`;
    return l.labels.length > 0 ? `mpls ${l.labels.join(',')} via ${l.nh} ${itf}` : `via ${l.nh} ${itf}`;
  }))].sort();
}

run('the same stream into the simulator and into a real VPP: the same routes listed, the same forwarding', async () => {
  vpp = RealVpp.start((found as { bin: string }).bin, [...TWO_LOOPS, 'mpls table add 0', 'set interface mpls loop0 enable', 'set interface mpls loop1 enable']);
  sim = await VppSimulator.start({ seed: 5 });
  await programmed(vpp.apiSocket, 'vpp');
  await programmed(sim.apiSocket, 'sim');
  const real = await listed(vpp.apiSocket);
  const model = await listed(sim.apiSocket);
  assert.ok(real.length >= ROUTES.length, real.join('\n'));
  assert.equal(model, real, 'ip_route_v2_dump: simulator vs VPP');
  for (const [table, prefix] of ROUTES) {
    const want = vpp.chain(prefix, table);
    const got = simChain(await sim.lookup(table, prefix.replace(/\.0\/24$/, '.5').replace(/::\/48$/, '::5')));
    assert.equal(got, want, `${table} ${prefix}: simulator vs VPP`);
  }
});

test.run();

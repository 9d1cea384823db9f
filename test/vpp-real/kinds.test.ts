// Every route kind the codec knows, through `fibpush run` into a real VPP 25.10, each read back as VPP forwards it (vppctl) and as VPP lists it (the binary API's dumps).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { VppClient } from '../../ts/vpp/client';
import { RouteDetailsView } from '../../ts/vpp/codec';
import { gateSuite } from '../helpers/skip';
import { findVpp, RealVpp, TWO_LOOPS } from './vpp';
import { INTERFACE_MAP, playZebra, scenarioFibpush, stream, synced } from './scenario';
import { Fibpush, stopFibpush } from '../helpers/fibpush-proc';

const found = findVpp();
// With FIBPUSH_VPP_BIN set (as .ci/run sets it when it built VPP), a missing VPP is a failure, not a skip.
const run = gateSuite(test, 'skip' in found ? found.skip : null, process.env.FIBPUSH_VPP_BIN ? 'ci-installs' : 'optional');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-vpp-kinds-'));
const mapFile = path.join(dir, 'interfaces.map');
fs.writeFileSync(mapFile, INTERFACE_MAP);
const SETUP = [...TWO_LOOPS, 'mpls table add 0', 'set interface mpls loop0 enable', 'set interface mpls loop1 enable'];

let vpp: RealVpp | null = null;
let fp: Fibpush | null = null;
let zebra: net.Socket | null = null;

test.after(async () => {
  zebra?.destroy();
  await stopFibpush(fp);
  vpp?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

run('every route kind into a real VPP: what VPP forwards and lists is what zebra has', async () => {
  vpp = RealVpp.start((found as { bin: string }).bin, SETUP);
  fp = await scenarioFibpush(dir, 'kinds', vpp.apiSocket, mapFile);
  zebra = await playZebra(fp.port, stream());
  const s = await synced(fp);
  assert.is(s.dataplane.failures, 0, String(s.dataplane.lastError));
  assert.is(s.dataplane.routes, 14, 'routes VPP holds: 13 IP routes and the LSP');
  const c = (p: string, t = 0) => vpp!.chain(p, t);
  assert.equal(c('20.0.0.0/24'), ['via 10.0.0.2 loop0'], 'single');
  assert.equal(c('20.0.1.0/24'), ['via 10.0.0.2 loop0', 'via 10.0.1.2 loop1'], 'weighted ECMP');
  assert.equal(vpp.shares('20.0.1.0/24'), { 'via 10.0.0.2 loop0': 0.75, 'via 10.0.1.2 loop1': 0.25 }, 'weights 3:1');
  assert.equal(c('20.0.2.0/24'), ['mpls 16001,16002 via 10.0.1.2 loop1'], 'labels pushed: ' + vpp.ctl('show ip fib table 0 20.0.2.0/24'));
  assert.equal(c('20.0.3.0/24'), ['drop'], 'blackhole');
  assert.equal(c('20.0.4.0/24'), ['unreach'], 'unreachable');
  assert.equal(c('20.0.5.0/24'), ['prohibit'], 'prohibit');
  assert.equal(c('20.0.6.0/24'), ['glean loop0'], 'attached IPv4 leg: glean for the destination');
  assert.equal(c('20.0.7.0/24'), ['via 10.0.1.2 loop1'], 'primary of a group with a backup');
  assert.equal(c('20.0.8.1/32'), ['via 20.0.8.1 loop0'], 'attached leg on a host prefix: a neighbour for the prefix itself');
  assert.equal(c('21.0.0.0/24', 1001), ['via 10.0.0.2 loop0'], 'non-main table');
  assert.equal(c('2001:db8:1::/48'), ['via fd00:0:0:1::2 loop0'], 'IPv6');
  assert.equal(c('2001:db8:2::/48'), ['glean loop1'], 'attached IPv6 leg');
  assert.equal(c('2001:db8:3::/48', 1001), ['via fd00:0:0:1::2 loop0'], 'IPv6 non-main table');
  assert.match(vpp.ctl('show mpls fib table 0 5000'), /6000/, 'LSP swaps 5000 to 6000');
  const l2 = vpp.ctl('show l2fib verbose');
  assert.match(l2, /aa:bb:cc:00:00:01/, 'the MAC is in the L2 FIB');
  assert.match(vpp.ctl('show vxlan tunnel'), /src 10\.0\.0\.1 dst 10\.0\.1\.2 .*vni 100/, 'a VXLAN tunnel to the VTEP');
  // The backup takes over inside VPP when the primary's interface goes down.
  vpp.ctl('set interface state loop1 down');
  assert.equal(c('20.0.7.0/24'), ['via 10.0.0.2 loop0'], 'backup after loop1 down');
  vpp.ctl('set interface state loop1 up');

  // The binary API lists the same routes, with fibpush's source and the tables it created.
  const api = new VppClient({ socketPath: vpp.apiSocket, reconnect: false });
  await api.connect();
  try {
    const tables = (await api.dump('ip_table_dump', {})).map((r) => `${(r.table as any).is_ip6 ? 6 : 4}:${(r.table as any).table_id}`).sort();
    for (const t of ['4:0', '4:1001', '6:0', '6:1001']) assert.ok(tables.includes(t), `table ${t} exists (${tables.join(' ')})`);
    const listed: string[] = [];
    const v = new RouteDetailsView();
    for (const [t, v6] of [[0, false], [0, true], [1001, false], [1001, true]] as const) {
      await api.dumpEach('ip_route_v2_dump', { src: 0, table: { table_id: t, is_ip6: v6 } }, (buf, dv, off, len) => {
        v.fill(buf, dv, off, len, true);
        if (v.src === 8) listed.push(`${t} ${v6 ? Buffer.from(v.addr).toString('hex').slice(0, 12) : Array.from(v.addr.subarray(0, 4)).join('.')}/${v.len} ${v.path(0).type}`);
      });
    }
    assert.equal(listed.sort(), [
      '0 2001:0db8:0001/48 0', '0 2001:0db8:0002/48 0', '0 20.0.0.0/24 0', '0 20.0.1.0/24 0', '0 20.0.2.0/24 0', '0 20.0.3.0/24 2',
      '0 20.0.4.0/24 5', '0 20.0.5.0/24 6', '0 20.0.6.0/24 0', '0 20.0.7.0/24 0', '0 20.0.8.1/32 0', '1001 20010db80003/48 0', '1001 21.0.0.0/24 0',
    ].map((x) => x.replace('2001:0db8:0001', '20010db80001').replace('2001:0db8:0002', '20010db80002')).sort());
  } finally {
    await api.close();
  }
});

test.run();

import { FrrLab, sleep } from './harness';
import { FpmRecorder } from './recorder';
import { patchedFrr, decodeMessages } from './patched-frr';
import { formatJson } from '../../ts/codec/format';
void formatJson;

async function main() {
  const p = patchedFrr();
  const lab = await FrrLab.create({ links: 3, frrBin: p.bin, vtysh: p.vtysh, debug: true, keep: true });
  try {
    const rec = new FpmRecorder(await lab.listenFpm());
    await lab.startZebra();
    await lab.startStaticd();
    await lab.startSharpd();
    const c1 = await rec.waitConnection(1, 20000);
    await sleep(1500);
    await lab.configure('ip route 10.99.100.0/24 10.99.1.2', 'ip route 10.99.110.0/24 10.99.1.2 table 1001');
    await lab.vtysh('sharp install routes 10.200.0.0 nexthop 10.99.1.2 backup 10.99.2.2 3');
    await lab.configure('nexthop-group B', 'nexthop 10.99.2.2 s-p2', 'nexthop 10.99.3.2 s-p3', 'exit', 'nexthop-group A', 'nexthop 10.99.1.2 s-p1 backup-idx 0,1', 'backup-group B', 'exit');
    await sleep(500);
    console.log(await lab.vtysh('sharp install routes 10.201.0.0 nexthop-group A 2'));
    await sleep(2000);
    for (const m of decodeMessages(c1.chunks)) console.log('C1', JSON.stringify(m));
    console.log(await lab.vtysh('show nexthop-group rib'));
    console.log(await lab.vtysh('show ip route'));
    rec.dropAll();
    const c2 = await rec.waitConnection(2, 20000);
    await rec.waitQuiet(c2, 1500);
    for (const m of decodeMessages(c2.chunks)) console.log('C2', JSON.stringify(m));
    const { FpmEncoder } = await import('../../ts/codec/encoder');
    const enc = new FpmEncoder();
    enc.offload({ family: 2, dst: '10.99.100.0', dstLen: 24, protocol: 196 });
    enc.offload({ family: 2, dst: '10.200.0.1', dstLen: 32, protocol: 194, failed: true });
    enc.offload({ family: 2, dst: '10.99.110.0', dstLen: 24, protocol: 196, table: 1001 });
    rec.send(enc.toBuffer());
    await sleep(1000);
    console.log(await lab.vtysh('show ip route 10.99.100.0/24 json'));
    console.log(await lab.vtysh('show ip route 10.200.0.1/32 json'));
    console.log(await lab.vtysh('show ip route table 1001 json'));
    console.log(await lab.vtysh('show fpm counters'));
    await rec.close();
  } finally {
    console.log('dir', lab.dir);
    await lab.destroy();
  }
}
main().catch((e) => { console.error(e); process.exit(1); });

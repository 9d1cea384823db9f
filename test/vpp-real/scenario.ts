// A zebra stream with every route kind the codec knows, for the real-VPP suites: groups, routes of each kind, an LSP, an EVPN MAC, the end marker.
import * as net from 'net';
import * as path from 'path';
import { controlRequest } from '../../ts/daemon/control';
import { Fibpush, startFibpush, waitFor } from '../helpers/fibpush-proc';
import { AF_BRIDGE, AF_INET, AF_INET6, AF_MPLS, FpmEncoder, RTN_PROHIBIT, RTN_UNREACHABLE, RTN_BLACKHOLE, RTPROT_BGP, RTPROT_ZSTATIC } from '../../ts/codec/encoder';

/** Linux ifindex 2 and 3 (zebra's names) are VPP's loop0 (sw 1) and loop1 (sw 2). */
export const INTERFACE_MAP = '2=1\n3=2\n';

/** The IP routes of stream(): [VPP table, prefix]. */
export const ROUTES: [number, string][] = [
  [0, '20.0.0.0/24'], [0, '20.0.1.0/24'], [0, '20.0.2.0/24'], [0, '20.0.3.0/24'], [0, '20.0.4.0/24'], [0, '20.0.5.0/24'],
  [0, '20.0.6.0/24'], [0, '20.0.7.0/24'], [0, '20.0.8.1/32'], [1001, '21.0.0.0/24'], [0, '2001:db8:1::/48'], [0, '2001:db8:2::/48'], [1001, '2001:db8:3::/48'],
];

/** zebra's stream: groups, then routes of every kind, then an EVPN MAC, then the end marker. */
export function stream(): Buffer {
  const e = new FpmEncoder();
  const v4 = (s: string) => s;
  e.nexthop({ id: 1, gateway: v4('10.0.0.2'), oif: 2 });
  e.nexthop({ id: 2, gateway: v4('10.0.1.2'), oif: 3 });
  e.nexthop({ id: 3, group: [{ id: 1, weight: 3 }, { id: 2, weight: 1 }] });
  e.nexthop({ id: 4, gateway: v4('10.0.1.2'), oif: 3, labels: [16001, 16002] });
  e.nexthop({ id: 5, family: AF_INET6, oif: 3 }); // attached IPv6 leg
  e.nexthop({ id: 6, gateway: 'fd00:0:0:1::2', oif: 2 });
  e.nexthop({ id: 7, oif: 2 }); // attached IPv4 leg
  e.nexthop({ id: 8, gateway: v4('10.0.1.2'), oif: 3, backupNhg: 1 });
  const r = (dst: string, len: number, o: Record<string, unknown>) => e.route({ family: dst.includes(':') ? AF_INET6 : AF_INET, dst, dstLen: len, protocol: RTPROT_BGP, ...o });
  r('20.0.0.0', 24, { nhId: 1 });
  r('20.0.1.0', 24, { nhId: 3 });
  r('20.0.2.0', 24, { nhId: 4 });
  r('20.0.3.0', 24, { rtype: RTN_BLACKHOLE, protocol: RTPROT_ZSTATIC });
  r('20.0.4.0', 24, { rtype: RTN_UNREACHABLE, protocol: RTPROT_ZSTATIC });
  r('20.0.5.0', 24, { rtype: RTN_PROHIBIT, protocol: RTPROT_ZSTATIC });
  r('20.0.6.0', 24, { nhId: 7 });
  r('20.0.7.0', 24, { nhId: 8 });
  r('20.0.8.1', 32, { nhId: 7 }); // an attached leg on a host prefix: VPP ARPs for the prefix itself
  r('21.0.0.0', 24, { nhId: 1, table: 1001 });
  r('2001:db8:1::', 48, { nhId: 6 });
  r('2001:db8:2::', 48, { nhId: 5 });
  r('2001:db8:3::', 48, { nhId: 6, table: 1001 });
  // An LSP: local label 5000 swapped to 6000 towards 10.0.0.2 (zebra sends LSPs with inline paths).
  e.route({ family: AF_MPLS, dst: 5000, dstLen: 20, protocol: RTPROT_BGP, via: '10.0.0.2', oif: 2, newDst: [6000] });
  // An EVPN remote MAC in VNI 100 behind VTEP 10.0.1.2.
  e.neigh({ family: AF_BRIDGE, ifindex: 9, lladdr: 'aa:bb:cc:00:00:01', dst: '10.0.1.2', vni: 100 });
  e.done();
  return e.toBuffer();
}


/** `fibpush run` for the scenario: into `vppSocket`, the interface map in `mapFile`, EVPN on, this process's uid as zebra's. */
export function scenarioFibpush(dir: string, name: string, vppSocket: string, mapFile: string): Promise<Fibpush> {
  return startFibpush(path.join(dir, `${name}.sock`), ['--vpp-socket', vppSocket, '--interface-map', mapFile, '--vtep-source', '10.0.0.1',
    '--zebra-user', String(process.getuid!())]);
}

/** Plays zebra: connects, sends `bytes`, and keeps the connection (returned) open. */
export async function playZebra(port: number, bytes: Buffer): Promise<net.Socket> {
  const z = net.connect(port, '127.0.0.1');
  z.on('error', () => {});
  z.on('data', () => {});
  await new Promise<void>((r) => z.once('connect', () => r()));
  z.write(bytes);
  return z;
}

/** fibpush's status once the replay ended and nothing is queued, in flight or waiting for a retry. */
export function synced(f: Fibpush): Promise<Record<string, any>> {
  return waitFor('synced', async () => {
    const x = (await controlRequest(f.control, { cmd: 'status' })) as Record<string, any>;
    return x.replay.state === 'ended' && x.queueDepth === 0 && x.vppInFlight === 0 && (x.dataplane.counters?.retriesPending ?? 0) === 0 ? x : undefined;
  }, 30_000);
}

// The VPP simulator's L2 model: bridge domains and their members, L2 FIB entries and VXLAN tunnels (recorded and checked, not forwarded).
//
// Checks follow VPP's handlers (vnet/l2/l2_api.c, plugins/vxlan/vxlan_api.c and vxlan.c):
// bridge domain 0 cannot be added or deleted (BD_NOT_MODIFIABLE -121), ids above 16M are refused
// (BD_ID_EXCEED_MAX -122), adding an existing one is BD_ALREADY_EXISTS -119, deleting a missing
// one NO_SUCH_ENTRY -6, deleting one with members BD_IN_USE -120; sw_interface_set_l2_bridge
// needs a valid interface (INVALID_SW_IF_INDEX -2) and creates the domain if needed
// (bd_find_or_add_bd_index); l2fib_add_del needs the domain (NO_SUCH_ENTRY -6) and, to add, an
// interface that is in a bridge (INVALID_SW_IF_INDEX -2); deleting a missing MAC is -6. A VXLAN
// tunnel needs its encap table (NO_SUCH_FIB -3) and distinct addresses of one family
// (SAME_SRC_DST -82); adding an existing one is TUNNEL_EXIST -75, deleting a missing one -6. A
// tunnel is an interface (vxlan_tunnelN, admin and link up) that l2fib entries can point at.
import { formatAddress } from './addr';
import { FibModel } from './fib';
import { NO_IF, RV } from './fib-types';

export interface BridgeDomain {
  bdId: number;
  flood: boolean;
  uuFlood: boolean;
  forward: boolean;
  learn: boolean;
  arpTerm: boolean;
  arpUfwd: boolean;
  macAge: number;
  tag: string;
  /** sw_if_index -> port type (0 normal, 1 BVI, 2 UU-fwd) and split-horizon group. */
  members: Map<number, { portType: number; shg: number }>;
}

export interface L2FibEntry {
  bdId: number;
  mac: string;
  swIfIndex: number;
  staticMac: boolean;
  filterMac: boolean;
  bviMac: boolean;
}

export interface VxlanTunnel {
  swIfIndex: number;
  instance: number;
  af: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  mcastSwIfIndex: number;
  encapVrfId: number;
  decapNextIndex: number;
  vni: number;
  isL3: boolean;
}

export interface VxlanArgs {
  isAdd: boolean;
  instance: number;
  srcAf: number;
  src: Uint32Array;
  dstAf: number;
  dst: Uint32Array;
  srcPort: number;
  dstPort: number;
  mcastSwIfIndex: number;
  encapVrfId: number;
  decapNextIndex: number;
  vni: number;
  isL3: boolean;
}

const BD_MAX = 0xffffff;
const VXLAN_PORT = 4789;

export function macText(b: Uint8Array): string {
  return Array.from(b.subarray(0, 6), (x) => x.toString(16).padStart(2, '0')).join(':');
}

export class L2Model {
  readonly bds = new Map<number, BridgeDomain>();
  /** key `${bdId}/${mac}`. */
  readonly l2fib = new Map<string, L2FibEntry>();
  readonly tunnels = new Map<number, VxlanTunnel>();
  private tunnelByKey = new Map<string, number>();

  constructor(private readonly fib: FibModel) {}

  bridgeDomainAddDel(isAdd: boolean, bdId: number, o: Partial<Omit<BridgeDomain, 'bdId' | 'members'>> = {}): { rv: number; bdId: number } {
    if (isAdd && bdId === NO_IF) {
      bdId = 1;
      while (this.bds.has(bdId)) bdId++;
    }
    if (bdId === 0) return { rv: RV.BD_NOT_MODIFIABLE, bdId };
    if (bdId > BD_MAX) return { rv: RV.BD_ID_EXCEED_MAX, bdId };
    const have = this.bds.get(bdId);
    if (isAdd) {
      if (have) return { rv: RV.BD_ALREADY_EXISTS, bdId };
      this.bds.set(bdId, {
        bdId,
        flood: o.flood ?? true,
        uuFlood: o.uuFlood ?? true,
        forward: o.forward ?? true,
        learn: o.learn ?? true,
        arpTerm: o.arpTerm ?? false,
        arpUfwd: o.arpUfwd ?? false,
        macAge: o.macAge ?? 0,
        tag: o.tag ?? '',
        members: new Map(),
      });
      return { rv: RV.OK, bdId };
    }
    if (!have) return { rv: RV.NO_SUCH_ENTRY, bdId };
    if (have.members.size > 0) return { rv: RV.BD_IN_USE, bdId };
    for (const [k, v] of this.l2fib) if (v.bdId === bdId) this.l2fib.delete(k);
    this.bds.delete(bdId);
    return { rv: RV.OK, bdId };
  }

  bdOf(sw: number): BridgeDomain | undefined {
    for (const bd of this.bds.values()) if (bd.members.has(sw)) return bd;
    return undefined;
  }

  setL2Bridge(sw: number, bdId: number, portType: number, shg: number, enable: boolean): number {
    if (!this.fib.ifs.has(sw)) return RV.INVALID_SW_IF_INDEX;
    const cur = this.bdOf(sw);
    if (!enable) {
      if (cur) cur.members.delete(sw);
      return RV.OK;
    }
    if (bdId > BD_MAX) return RV.BD_ID_EXCEED_MAX;
    if (!this.bds.has(bdId)) this.bridgeDomainAddDel(true, bdId);
    if (cur) cur.members.delete(sw);
    (this.bds.get(bdId) as BridgeDomain).members.set(sw, { portType, shg });
    return RV.OK;
  }

  l2fibAddDel(isAdd: boolean, mac: Uint8Array, bdId: number, sw: number, staticMac: boolean, filterMac: boolean, bviMac: boolean): number {
    if (!this.bds.has(bdId)) return RV.NO_SUCH_ENTRY;
    const m = macText(mac);
    const key = `${bdId}/${m}`;
    if (isAdd) {
      if (!this.fib.ifs.has(sw)) return RV.INVALID_SW_IF_INDEX;
      if (!this.bdOf(sw)) return RV.INVALID_SW_IF_INDEX;
      this.l2fib.set(key, { bdId, mac: m, swIfIndex: sw, staticMac, filterMac, bviMac });
      return RV.OK;
    }
    if (!this.l2fib.delete(key)) return RV.NO_SUCH_ENTRY;
    return RV.OK;
  }

  /** l2fib_flush_all / l2fib_flush_bd: learned (non-static) entries go. */
  flush(bdId?: number): number {
    if (bdId !== undefined && !this.bds.has(bdId)) return RV.NO_SUCH_ENTRY;
    for (const [k, v] of this.l2fib) if (!v.staticMac && (bdId === undefined || v.bdId === bdId)) this.l2fib.delete(k);
    return RV.OK;
  }

  /** vxlan_add_del_tunnel(_v2/_v3). Returns the retval and the tunnel's sw_if_index. */
  vxlanAddDel(a: VxlanArgs): { rv: number; swIfIndex: number; created?: number; deleted?: number } {
    if (a.srcAf !== a.dstAf || (a.srcAf !== 0 && a.srcAf !== 1)) return { rv: RV.INVALID_VALUE, swIfIndex: NO_IF };
    const af = a.srcAf;
    if (!this.fib.ip[af].has(a.encapVrfId)) return { rv: RV.NO_SUCH_FIB, swIfIndex: NO_IF };
    const src = formatAddress(af, a.src);
    const dst = formatAddress(af, a.dst);
    if (src === dst) return { rv: RV.SAME_SRC_DST, swIfIndex: NO_IF };
    const mcast = af === 0 ? a.dst[0] >>> 28 === 0xe : a.dst[0] >>> 24 === 0xff;
    if (mcast && !this.fib.ifs.has(a.mcastSwIfIndex)) return { rv: RV.INVALID_SW_IF_INDEX, swIfIndex: NO_IF };
    if (a.vni >= 1 << 24) return { rv: RV.INVALID_VALUE, swIfIndex: NO_IF };
    const dstPort = a.dstPort || VXLAN_PORT;
    const srcPort = a.srcPort || VXLAN_PORT;
    const key = `${src}|${dst}|${a.vni}|${a.encapVrfId}|${dstPort}`;
    const have = this.tunnelByKey.get(key);
    if (a.isAdd) {
      if (have !== undefined) return { rv: RV.TUNNEL_EXIST, swIfIndex: have };
      let instance = a.instance;
      const used = new Set([...this.tunnels.values()].map((t) => t.instance));
      if (instance === NO_IF) {
        instance = 0;
        while (used.has(instance)) instance++;
      } else if (used.has(instance)) return { rv: RV.INVALID_VALUE, swIfIndex: NO_IF };
      const i = this.fib.addInterface({ name: `vxlan_tunnel${instance}`, up: true, devType: 'VXLAN' });
      i.vxlan = true;
      this.tunnels.set(i.swIfIndex, {
        swIfIndex: i.swIfIndex,
        instance,
        af,
        src,
        dst,
        srcPort,
        dstPort,
        mcastSwIfIndex: a.mcastSwIfIndex,
        encapVrfId: a.encapVrfId,
        decapNextIndex: a.decapNextIndex,
        vni: a.vni,
        isL3: a.isL3,
      });
      this.tunnelByKey.set(key, i.swIfIndex);
      return { rv: RV.OK, swIfIndex: i.swIfIndex, created: i.swIfIndex };
    }
    if (have === undefined) return { rv: RV.NO_SUCH_ENTRY, swIfIndex: NO_IF };
    this.tunnelByKey.delete(key);
    this.tunnels.delete(have);
    const bd = this.bdOf(have);
    if (bd) bd.members.delete(have);
    for (const [k, v] of this.l2fib) if (v.swIfIndex === have) this.l2fib.delete(k);
    this.fib.removeInterface(have);
    return { rv: RV.OK, swIfIndex: have, deleted: have };
  }

  toJson(): { bridgeDomains: unknown[]; l2fib: L2FibEntry[]; vxlanTunnels: VxlanTunnel[] } {
    return {
      bridgeDomains: [...this.bds.values()].map((b) => ({ ...b, members: [...b.members].map(([sw, m]) => ({ swIfIndex: sw, ...m })) })),
      l2fib: [...this.l2fib.values()],
      vxlanTunnels: [...this.tunnels.values()],
    };
  }
}

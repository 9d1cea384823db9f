// EVPN remote MACs into VPP: a VXLAN tunnel per (remote VTEP, VNI) in the VNI's bridge domain, and a static L2 FIB entry per MAC.
//
// VPP facts (plugins/vxlan/vxlan.c vnet_vxlan_add_del_tunnel, vnet/l2/l2_api.c): a tunnel is keyed
// by (src, dst, encap table, vni); adding one that exists is TUNNEL_EXIST (-75); decap_next_index
// ~0 means l2-input; a new tunnel comes up admin-up and must join the bridge domain
// (sw_interface_set_l2_bridge, which creates the domain when missing) before l2fib_add_del can
// point a MAC at it. Ports 0 select VPP's defaults (vxlan_api.c: 4789, or its IPv6 port). Tunnels join with split-horizon group 1 so BUM traffic is never sent from
// one tunnel to another (EVPN's split horizon). MAC changes are rare next to routes: they are
// applied one at a time, in order, through the generic request API.
import { VppClient } from './client';
import { RV, VppApiError } from './errors';
import { parseAddr } from '../addr';
import { Values } from './codec';

export interface EvpnOptions {
  /** Local VTEP address (the tunnels' source), IPv4 or IPv6 text. Without it MACs are not programmed. */
  vtepSource?: string;
  /** Bridge domain of a VNI (default: the VNI itself). */
  bdOfVni?: (vni: number) => number;
  /** Underlay table for the tunnels' encapsulation (VPP table id, default 0). */
  encapVrfId?: number;
}

export interface MacChange {
  isAdd: boolean;
  mac: Uint8Array;
  vni: number;
  /** Remote VTEP: 4 or 16 bytes; empty when none could be chosen. */
  vtep: Uint8Array;
  handle: number;
}

function addrValue(b: Uint8Array): Values {
  return { af: b.length === 16 ? 1 : 0, un: b };
}

export class EvpnProgrammer {
  private readonly src: Uint8Array | null;
  private readonly bdOfVni: (vni: number) => number;
  private readonly encapVrfId: number;
  /** "<vtep hex>/<vni>" -> tunnel sw_if_index (in its bridge domain). */
  private tunnels = new Map<string, number>();
  private bds = new Set<number>();
  private chain: Promise<void> = Promise.resolve();
  pending = 0;
  readonly counters = { macsProgrammed: 0, macsFailed: 0, macsDeleted: 0, tunnelsCreated: 0, bridgeDomainsCreated: 0 };

  constructor(
    private readonly client: VppClient,
    opts: EvpnOptions,
    private readonly report: (handle: number, ok: boolean, error?: string) => void,
  ) {
    this.src = opts.vtepSource ? (parseAddr(opts.vtepSource)?.bytes ?? null) : null;
    if (opts.vtepSource && !this.src) throw new Error(`Expected an IPv4 or IPv6 address for the VXLAN source but received "${opts.vtepSource}"`);
    this.bdOfVni = opts.bdOfVni ?? ((vni) => vni);
    this.encapVrfId = opts.encapVrfId ?? 0;
  }

  /** Why MACs cannot be programmed now, or null when they can. */
  unavailable(): string | null {
    if (!this.src) return 'no local VTEP address configured (vxlan source)';
    for (const m of ['vxlan_add_del_tunnel_v3', 'l2fib_add_del', 'sw_interface_set_l2_bridge', 'bridge_domain_add_del_v2']) {
      if (!this.client.has(m)) return `VPP lacks ${m} (vxlan plugin not loaded?)`;
    }
    return null;
  }

  /** Forget what VPP had (it restarted). */
  reset(): void {
    this.tunnels.clear();
    this.bds.clear();
  }

  /** Queue one MAC change; changes apply in order. */
  apply(c: MacChange): void {
    this.pending++;
    this.chain = this.chain.then(() => this.applyOne(c)).finally(() => {
      this.pending--;
    });
  }

  idle(): Promise<void> {
    return this.chain;
  }

  private async applyOne(c: MacChange): Promise<void> {
    try {
      const bd = this.bdOfVni(c.vni);
      if (!c.isAdd) {
        try {
          await this.client.request('l2fib_add_del', { mac: c.mac, bd_id: bd, sw_if_index: 0, is_add: false });
        } catch (e) {
          // Deleting a MAC (or in a domain) VPP does not have: nothing to do.
          if (!(e instanceof VppApiError && e.retval === RV.NO_SUCH_ENTRY)) throw e;
        }
        this.counters.macsDeleted++;
        this.report(c.handle, true);
        return;
      }
      if (c.vtep.length === 0) throw new Error('no remote VTEP for this MAC');
      const sw = await this.tunnel(c.vtep, c.vni, bd);
      await this.client.request('l2fib_add_del', { mac: c.mac, bd_id: bd, sw_if_index: sw, is_add: true, static_mac: true });
      this.counters.macsProgrammed++;
      this.report(c.handle, true);
    } catch (e) {
      this.counters.macsFailed++;
      this.report(c.handle, false, (e as Error).message);
    }
  }

  private async bridgeDomain(bd: number): Promise<void> {
    if (this.bds.has(bd)) return;
    try {
      await this.client.request('bridge_domain_add_del_v2', {
        bd_id: bd, flood: true, uu_flood: true, forward: true, learn: true, arp_term: false, arp_ufwd: false, mac_age: 0,
        bd_tag: `fibpush-vni`, is_add: true,
      });
      this.counters.bridgeDomainsCreated++;
    } catch (e) {
      if (!(e instanceof VppApiError && e.retval === RV.BD_ALREADY_EXISTS)) throw e;
    }
    this.bds.add(bd);
  }

  private async tunnel(vtep: Uint8Array, vni: number, bd: number): Promise<number> {
    const key = `${Buffer.from(vtep).toString('hex')}/${vni}`;
    const have = this.tunnels.get(key);
    if (have !== undefined) return have;
    const src = this.src!;
    if (src.length !== vtep.length) throw new Error('VXLAN source and remote VTEP are of different families');
    await this.bridgeDomain(bd);
    let sw: number;
    try {
      const r = await this.client.request('vxlan_add_del_tunnel_v3', {
        is_add: true, instance: 0xffffffff, src_address: addrValue(src), dst_address: addrValue(vtep),
        src_port: 0, dst_port: 0, mcast_sw_if_index: 0xffffffff, encap_vrf_id: this.encapVrfId,
        decap_next_index: 0xffffffff, vni, is_l3: false,
      });
      sw = Number(r.sw_if_index);
      this.counters.tunnelsCreated++;
    } catch (e) {
      if (!(e instanceof VppApiError && e.retval === RV.TUNNEL_EXIST)) throw e;
      sw = await this.findTunnel(src, vtep, vni);
    }
    await this.client.request('sw_interface_set_l2_bridge', { rx_sw_if_index: sw, bd_id: bd, port_type: 0, shg: 1, enable: true });
    this.tunnels.set(key, sw);
    return sw;
  }

  private async findTunnel(src: Uint8Array, dst: Uint8Array, vni: number): Promise<number> {
    const rows = await this.client.dump('vxlan_tunnel_v2_dump', { sw_if_index: 0xffffffff });
    const same = (a: unknown, b: Uint8Array) => {
      const u = (a as Values).un as Uint8Array;
      return u instanceof Uint8Array && Buffer.from(u.subarray(0, b.length)).equals(Buffer.from(b));
    };
    for (const r of rows) {
      if (Number(r.vni) === vni && same(r.src_address, src) && same(r.dst_address, dst) && Number(r.encap_vrf_id) === this.encapVrfId) {
        return Number(r.sw_if_index);
      }
    }
    throw new Error(`VXLAN tunnel to VTEP vni ${vni} exists but is not listed by vxlan_tunnel_v2_dump`);
  }
}

// The simulator's L2 handlers (plugins/vxlan/vxlan_api.c, vnet/l2/l2_api.c): VXLAN tunnels,
// bridge domains and their members, the L2 FIB.
import { Obj } from './codec';
import { NO_IF } from './fib-types';
import { parseAddress, unionToWords, wordsToUnion } from './addr';
import type { Def, HandlerFn, HandlerHost } from './host';

export function l2Handlers(sim: HandlerHost, def: Def): void {
  const vxlan = (name: string): HandlerFn => (c, b, off) => {
    const o = sim.decode(name, b, off);
    const s = o.src_address as Obj;
    const d = o.dst_address as Obj;
    const sw = new Uint32Array(4);
    const dw = new Uint32Array(4);
    unionToWords(Number(s.af), s.un as Buffer, 0, sw);
    unionToWords(Number(d.af), d.un as Buffer, 0, dw);
    const r = sim.l2.vxlanAddDel({
      isAdd: !!o.is_add,
      instance: o.instance === undefined ? NO_IF : Number(o.instance),
      srcAf: Number(s.af),
      src: sw,
      dstAf: Number(d.af),
      dst: dw,
      srcPort: Number(o.src_port ?? 0),
      dstPort: Number(o.dst_port ?? 0),
      mcastSwIfIndex: Number(o.mcast_sw_if_index),
      encapVrfId: Number(o.encap_vrf_id),
      decapNextIndex: Number(o.decap_next_index),
      vni: Number(o.vni),
      isL3: !!o.is_l3,
    });
    sim.reply(c, `${name}_reply`, Number(o.context), r.rv, { sw_if_index: r.swIfIndex });
    if (r.created !== undefined) sim.interfaceEvent(r.created, false);
    if (r.deleted !== undefined) sim.interfaceEvent(r.deleted, true);
  };
  def('vxlan_add_del_tunnel', vxlan('vxlan_add_del_tunnel'));
  def('vxlan_add_del_tunnel_v2', vxlan('vxlan_add_del_tunnel_v2'));
  def('vxlan_add_del_tunnel_v3', vxlan('vxlan_add_del_tunnel_v3'));
  const vxlanDump = (name: string, details: string): HandlerFn => (c, b, off) => {
    const o = sim.decode(name, b, off);
    const sw = Number(o.sw_if_index);
    for (const t of sim.l2.tunnels.values()) {
      if (sw !== NO_IF && t.swIfIndex !== sw) continue;
      const su = Buffer.alloc(16);
      const du = Buffer.alloc(16);
      wordsToUnion(t.af, parseAddress(t.src).words, su, 0);
      wordsToUnion(t.af, parseAddress(t.dst).words, du, 0);
      sim.sendObj(c, details, {
        context: o.context,
        sw_if_index: t.swIfIndex,
        instance: t.instance,
        src_address: { af: t.af, un: su },
        dst_address: { af: t.af, un: du },
        src_port: t.srcPort,
        dst_port: t.dstPort,
        mcast_sw_if_index: t.mcastSwIfIndex,
        encap_vrf_id: t.encapVrfId,
        decap_next_index: t.decapNextIndex,
        vni: t.vni,
      });
    }
  };
  def('vxlan_tunnel_dump', vxlanDump('vxlan_tunnel_dump', 'vxlan_tunnel_details'));
  def('vxlan_tunnel_v2_dump', vxlanDump('vxlan_tunnel_v2_dump', 'vxlan_tunnel_v2_details'));

  // bridge domains and the L2 FIB (vnet/l2/l2_api.c)
  const bdAddDel = (name: string): HandlerFn => (c, b, off) => {
    const o = sim.decode(name, b, off);
    const r = sim.l2.bridgeDomainAddDel(!!o.is_add, Number(o.bd_id), {
      flood: !!o.flood,
      uuFlood: !!o.uu_flood,
      forward: !!o.forward,
      learn: !!o.learn,
      arpTerm: !!o.arp_term,
      arpUfwd: !!o.arp_ufwd,
      macAge: Number(o.mac_age),
      tag: typeof o.bd_tag === 'string' ? o.bd_tag : '',
    });
    sim.reply(c, `${name}_reply`, Number(o.context), r.rv, { bd_id: r.bdId });
  };
  def('bridge_domain_add_del', bdAddDel('bridge_domain_add_del'));
  def('bridge_domain_add_del_v2', bdAddDel('bridge_domain_add_del_v2'));
  def('sw_interface_set_l2_bridge', (c, b, off) => {
    const o = sim.decode('sw_interface_set_l2_bridge', b, off);
    const rv = sim.l2.setL2Bridge(Number(o.rx_sw_if_index), Number(o.bd_id), Number(o.port_type), Number(o.shg), !!o.enable);
    sim.reply(c, 'sw_interface_set_l2_bridge_reply', Number(o.context), rv);
  });
  def('l2fib_add_del', (c, b, off) => {
    const o = sim.decode('l2fib_add_del', b, off);
    const rv = sim.l2.l2fibAddDel(!!o.is_add, o.mac as Buffer, Number(o.bd_id), Number(o.sw_if_index), !!o.static_mac, !!o.filter_mac, !!o.bvi_mac);
    sim.reply(c, 'l2fib_add_del_reply', Number(o.context), rv);
  });
  def('l2fib_flush_all', (c, b, off) => sim.reply(c, 'l2fib_flush_all_reply', b.readUInt32BE(off + 6), sim.l2.flush()));
  def('l2fib_flush_bd', (c, b, off) => {
    const o = sim.decode('l2fib_flush_bd', b, off);
    sim.reply(c, 'l2fib_flush_bd_reply', Number(o.context), sim.l2.flush(Number(o.bd_id)));
  });
  def('l2_fib_table_dump', (c, b, off) => {
    const o = sim.decode('l2_fib_table_dump', b, off);
    const bd = Number(o.bd_id);
    for (const e of sim.l2.l2fib.values()) {
      if (bd !== NO_IF && e.bdId !== bd) continue;
      sim.sendObj(c, 'l2_fib_table_details', {
        context: o.context,
        bd_id: e.bdId,
        mac: Buffer.from(e.mac.split(':').map((x) => parseInt(x, 16))),
        sw_if_index: e.swIfIndex,
        static_mac: e.staticMac,
        filter_mac: e.filterMac,
        bvi_mac: e.bviMac,
      });
    }
  });
  def('bridge_domain_dump', (c, b, off) => {
    const o = sim.decode('bridge_domain_dump', b, off);
    const bd = Number(o.bd_id);
    for (const d of sim.l2.bds.values()) {
      if (bd !== NO_IF && d.bdId !== bd) continue;
      const members = [...d.members].map(([sw, m]) => ({ context: 0, sw_if_index: sw, shg: m.shg }));
      const bvi = [...d.members].find(([, m]) => m.portType === 1);
      const uu = [...d.members].find(([, m]) => m.portType === 2);
      sim.sendObj(c, 'bridge_domain_details', {
        context: o.context,
        bd_id: d.bdId,
        flood: d.flood,
        uu_flood: d.uuFlood,
        forward: d.forward,
        learn: d.learn,
        arp_term: d.arpTerm,
        arp_ufwd: d.arpUfwd,
        mac_age: d.macAge,
        bd_tag: d.tag,
        bvi_sw_if_index: bvi ? bvi[0] : NO_IF,
        uu_fwd_sw_if_index: uu ? uu[0] : NO_IF,
        n_sw_ifs: members.length,
        sw_if_details: members,
      });
    }
  });
}

// The simulator's interface handlers (vnet/interface_api.c, plugins/linux-cp/lcp_api.c): dumps,
// admin state with sw_interface_event to the registered clients, and the linux-cp pairs.
import { NO_IF, RV } from './fib-types';
import type { Def, HandlerFn, HandlerHost } from './host';

export function interfaceHandlers(sim: HandlerHost, def: Def): void {
  def('sw_interface_dump', (c, b, off) => {
    const o = sim.decode('sw_interface_dump', b, off);
    const sw = Number(o.sw_if_index);
    const filter = o.name_filter_valid && typeof o.name_filter === 'string' ? o.name_filter.toLowerCase() : '';
    for (const i of [...sim.fib.ifs.values()].sort((x, y) => x.swIfIndex - y.swIfIndex)) {
      if (sw !== NO_IF && i.swIfIndex !== sw) continue;
      if (filter && !i.name.toLowerCase().includes(filter)) continue;
      sim.sendObj(c, 'sw_interface_details', {
        context: o.context,
        sw_if_index: i.swIfIndex,
        sup_sw_if_index: i.sup,
        l2_address: i.mac,
        flags: (i.admin ? 1 : 0) | (i.link ? 2 : 0),
        type: 0,
        link_duplex: i.devType === 'ethernet' ? 2 : 0,
        link_speed: i.devType === 'ethernet' ? 10000000 : 0,
        link_mtu: i.swIfIndex === 0 ? 0 : 9000,
        mtu: i.swIfIndex === 0 ? [0, 0, 0, 0] : [9000, 0, 0, 0],
        vtr_op: 0,
        interface_name: i.name,
        interface_dev_type: i.devType,
        tag: '',
      });
    }
  });
  def('want_interface_events', (c, b, off) => {
    const o = sim.decode('want_interface_events', b, off);
    let rv = 0;
    // pub_sub_handler: enabling twice or disabling when not enabled is INVALID_REGISTRATION.
    if (o.enable_disable) {
      if (c.events) rv = RV.INVALID_REGISTRATION;
      else c.events = { ci: Number(o.client_index), pid: Number(o.pid) };
    } else if (!c.events) rv = RV.INVALID_REGISTRATION;
    else c.events = null;
    if (rv !== 0) sim.log(`want_interface_events: pid ${Number(o.pid)}: already ${o.enable_disable ? 'enabled' : 'disabled'}`);
    sim.reply(c, 'want_interface_events_reply', Number(o.context), rv);
  });
  def('sw_interface_set_flags', (c, b, off) => {
    const o = sim.decode('sw_interface_set_flags', b, off);
    const sw = Number(o.sw_if_index);
    if (!sim.fib.ifs.has(sw)) {
      sim.reply(c, 'sw_interface_set_flags_reply', Number(o.context), RV.INVALID_SW_IF_INDEX);
      return;
    }
    const changed = sim.fib.setIfState(sw, (Number(o.flags) & 1) !== 0, undefined);
    sim.reply(c, 'sw_interface_set_flags_reply', Number(o.context), 0);
    if (changed) sim.interfaceEvent(sw, false);
  });

  // --- linux-cp (plugins/linux-cp/lcp_api.c): a cursor get, details then the reply.
  const lcpGet = (name: string): HandlerFn => (c, b, off) => {
    const o = sim.decode(name, b, off);
    const filter = o.sw_if_index === undefined ? NO_IF : Number(o.sw_if_index);
    const pairs = [...sim.fib.ifs.values()].filter((i) => i.lcp).sort((x, y) => x.swIfIndex - y.swIfIndex);
    let cursor = Number(o.cursor);
    let rv = 0;
    if (pairs.length === 0) {
      sim.reply(c, `${name}_reply`, Number(o.context), 0, { cursor: NO_IF });
      return;
    }
    if (cursor >= pairs.length) {
      cursor = NO_IF;
      rv = RV.INVALID_VALUE;
    }
    for (let k = cursor === NO_IF ? pairs.length : cursor; k < pairs.length; k++) {
      const i = pairs[k];
      if (filter !== NO_IF && i.swIfIndex !== filter) continue;
      const l = i.lcp as NonNullable<typeof i.lcp>;
      sim.sendObj(c, 'lcp_itf_pair_details', {
        context: o.context,
        phy_sw_if_index: i.swIfIndex,
        host_sw_if_index: l.hostSwIfIndex,
        vif_index: l.hostIfIndex,
        host_if_name: l.hostName,
        host_if_type: 0,
        netns: l.netns,
      });
    }
    sim.reply(c, `${name}_reply`, Number(o.context), rv, { cursor: NO_IF });
  };
  def('lcp_itf_pair_get', lcpGet('lcp_itf_pair_get'));
  def('lcp_itf_pair_get_v2', lcpGet('lcp_itf_pair_get_v2'));
}

// The VPP simulator's message table: which id each message gets on this start, and the name_crc table sockclnt_create_reply announces.
//
// VPP numbers messages per module: memclnt loads first at base 1 (so get_first_msg_id is 10,
// sockclnt_create 15, control_ping 23: vpp-api.md), every other module gets a contiguous range
// whose base depends on build and plugin load order (get_first_msg_id "<module>_<crc>" returns
// it). The simulator shuffles the module order with a seed and leaves random gaps, so ids differ
// on every start and hard-coded ids fail; `message` mode also shuffles ids inside the ranges.
// Plausible plugin modules pad the table to the ~800 entries (~53 KB) of a real VPP, so a client
// must reassemble the reply across reads.
import { SimDefs } from './defs';
import { uniformSource } from '../gen/rng';

export interface MsgTable {
  /** name -> id for every message the simulator knows (announced or not). */
  readonly idOf: ReadonlyMap<string, number>;
  /** id -> name for the announced entries only. */
  readonly nameOf: ReadonlyMap<number, string>;
  /** The announced (id, name_crc) entries in id order. */
  readonly entries: readonly { id: number; nameCrc: string }[];
  /** "<module>_<crc>" -> first id (get_first_msg_id). */
  readonly ranges: ReadonlyMap<string, number>;
  readonly seed: number;
}

function shuffle<T>(a: T[], rnd: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

// Plugins a typical VPP build loads, with the kind of messages they define. Their CRCs are made
// up: the simulator announces them only so the table has a realistic size and id spread.
const PAD_PLUGINS: [string, string[]][] = [
  ['acl', ['acl_add_replace', 'acl_del', 'acl_interface_add_del', 'acl_interface_set_acl_list', 'acl_dump', 'acl_details', 'acl_interface_list_dump', 'acl_interface_list_details', 'macip_acl_add', 'macip_acl_add_replace', 'macip_acl_del', 'macip_acl_interface_add_del', 'macip_acl_dump', 'macip_acl_details', 'acl_plugin_get_version', 'acl_plugin_control_ping', 'acl_stats_intf_counters_enable', 'acl_plugin_use_hash_lookup_set', 'acl_plugin_use_hash_lookup_get']],
  ['nat44_ed', ['nat44_ed_plugin_enable_disable', 'nat44_add_del_address_range', 'nat44_address_dump', 'nat44_address_details', 'nat44_interface_add_del_feature', 'nat44_interface_dump', 'nat44_interface_details', 'nat44_add_del_static_mapping', 'nat44_static_mapping_dump', 'nat44_static_mapping_details', 'nat44_user_session_dump', 'nat44_user_session_details', 'nat44_del_session', 'nat44_forwarding_enable_disable', 'nat44_set_session_limit', 'nat44_show_running_config', 'nat_set_timeouts', 'nat_set_log_level', 'nat44_ed_add_del_vrf_table', 'nat44_ed_vrf_tables_dump', 'nat44_ed_vrf_tables_details']],
  ['ipsec', ['ipsec_spd_add_del', 'ipsec_interface_add_del_spd', 'ipsec_spd_entry_add_del', 'ipsec_sad_entry_add_del', 'ipsec_sad_entry_add', 'ipsec_sad_entry_del', 'ipsec_sa_dump', 'ipsec_sa_details', 'ipsec_spds_dump', 'ipsec_spds_details', 'ipsec_spd_dump', 'ipsec_spd_details', 'ipsec_tunnel_protect_update', 'ipsec_tunnel_protect_del', 'ipsec_tunnel_protect_dump', 'ipsec_tunnel_protect_details', 'ipsec_select_backend', 'ipsec_backend_dump', 'ipsec_backend_details', 'ipsec_set_async_mode']],
  ['dhcp', ['dhcp_proxy_config', 'dhcp_proxy_set_vss', 'dhcp_client_config', 'dhcp_compl_event', 'dhcp_client_dump', 'dhcp_client_details', 'dhcp_proxy_dump', 'dhcp_proxy_details', 'dhcp6_duid_ll_set', 'dhcp6_clients_enable_disable', 'dhcp6_send_client_message', 'dhcp6_pd_send_client_message', 'dhcp_plugin_get_version', 'dhcp_plugin_control_ping']],
  ['wireguard', ['wireguard_interface_create', 'wireguard_interface_delete', 'wireguard_interface_dump', 'wireguard_interface_details', 'wireguard_peer_add', 'wireguard_peer_remove', 'wireguard_peers_dump', 'wireguard_peers_details', 'want_wireguard_peer_events', 'wireguard_peer_event', 'wg_set_async_mode']],
  ['abf', ['abf_plugin_get_version', 'abf_policy_add_del', 'abf_policy_dump', 'abf_policy_details', 'abf_itf_attach_add_del', 'abf_itf_attach_dump', 'abf_itf_attach_details']],
  ['policer', ['policer_add_del', 'policer_add', 'policer_del', 'policer_update', 'policer_reset', 'policer_bind', 'policer_input', 'policer_output', 'policer_dump', 'policer_details', 'policer_dump_v2']],
  ['bfd', ['bfd_udp_set_echo_source', 'bfd_udp_del_echo_source', 'bfd_udp_get_echo_source', 'bfd_udp_add', 'bfd_udp_upd', 'bfd_udp_mod', 'bfd_udp_del', 'bfd_udp_session_dump', 'bfd_udp_session_details', 'bfd_udp_session_set_flags', 'want_bfd_events', 'bfd_auth_set_key', 'bfd_auth_del_key', 'bfd_auth_keys_dump', 'bfd_auth_keys_details', 'bfd_udp_auth_activate', 'bfd_udp_auth_deactivate', 'bfd_udp_session_event']],
  ['gre', ['gre_tunnel_add_del', 'gre_tunnel_dump', 'gre_tunnel_details']],
  ['ipip', ['ipip_add_tunnel', 'ipip_del_tunnel', 'ipip_6rd_add_tunnel', 'ipip_6rd_del_tunnel', 'ipip_tunnel_dump', 'ipip_tunnel_details']],
  ['tapv2', ['tap_create_v3', 'tap_delete_v2', 'sw_interface_tap_v2_dump', 'sw_interface_tap_v2_details']],
  ['virtio', ['virtio_pci_create_v2', 'virtio_pci_delete', 'virtio_pci_enable_disable_offloads', 'sw_interface_virtio_pci_dump', 'sw_interface_virtio_pci_details']],
  ['af_packet', ['af_packet_create_v3', 'af_packet_delete', 'af_packet_set_l4_cksum_offload', 'af_packet_dump', 'af_packet_details']],
  ['memif', ['memif_socket_filename_add_del_v2', 'memif_create_v2', 'memif_delete', 'memif_details', 'memif_dump', 'memif_socket_filename_details', 'memif_socket_filename_dump']],
  ['arping', ['arping', 'arping_acd']],
  ['cnat', ['cnat_translation_update', 'cnat_translation_del', 'cnat_translation_dump', 'cnat_translation_details', 'cnat_session_purge', 'cnat_session_dump', 'cnat_session_details', 'cnat_set_snat_addresses', 'cnat_get_snat_addresses', 'cnat_snat_policy_add_del_exclude_pfx', 'cnat_snat_policy_add_del_if', 'cnat_set_snat_policy']],
  ['flowprobe', ['flowprobe_tx_interface_add_del', 'flowprobe_interface_add_del', 'flowprobe_interface_dump', 'flowprobe_interface_details', 'flowprobe_params', 'flowprobe_set_params', 'flowprobe_get_params']],
  ['geneve', ['geneve_add_del_tunnel', 'geneve_add_del_tunnel2', 'geneve_tunnel_dump', 'geneve_tunnel_details', 'sw_interface_set_geneve_bypass']],
  ['gtpu', ['gtpu_add_del_tunnel', 'gtpu_add_del_tunnel_v2', 'gtpu_tunnel_update_tteid', 'gtpu_tunnel_dump', 'gtpu_tunnel_details', 'gtpu_tunnel_v2_dump', 'gtpu_tunnel_v2_details', 'sw_interface_set_gtpu_bypass', 'gtpu_offload_rx', 'gtpu_add_del_forward', 'gtpu_get_transfer_counts']],
  ['ikev2', ['ikev2_plugin_get_version', 'ikev2_profile_add_del', 'ikev2_profile_set_auth', 'ikev2_profile_set_id', 'ikev2_profile_set_ts', 'ikev2_set_local_key', 'ikev2_set_responder', 'ikev2_set_ike_transforms', 'ikev2_set_esp_transforms', 'ikev2_set_sa_lifetime', 'ikev2_initiate_sa_init', 'ikev2_initiate_del_ike_sa', 'ikev2_initiate_del_child_sa', 'ikev2_initiate_rekey_child_sa', 'ikev2_profile_dump', 'ikev2_profile_details', 'ikev2_sa_dump', 'ikev2_sa_details', 'ikev2_child_sa_dump', 'ikev2_child_sa_details']],
  ['l2tp', ['l2tpv3_create_tunnel', 'l2tpv3_set_tunnel_cookies', 'sw_if_l2tpv3_tunnel_details', 'sw_if_l2tpv3_tunnel_dump', 'l2tpv3_interface_enable_disable', 'l2tpv3_set_lookup_key']],
  ['lisp', ['lisp_add_del_locator_set', 'lisp_add_del_locator', 'lisp_add_del_local_eid', 'lisp_add_del_map_server', 'lisp_add_del_map_resolver', 'lisp_enable_disable', 'lisp_map_register_enable_disable', 'lisp_rloc_probe_enable_disable', 'lisp_add_del_remote_mapping', 'lisp_add_del_adjacency', 'lisp_eid_table_dump', 'lisp_eid_table_details', 'lisp_locator_set_dump', 'lisp_locator_set_details', 'lisp_map_resolver_dump', 'lisp_map_resolver_details', 'show_lisp_status', 'lisp_get_map_request_itr_rlocs']],
  ['map', ['map_add_domain', 'map_del_domain', 'map_add_del_rule', 'map_domain_dump', 'map_domain_details', 'map_domains_get', 'map_rule_dump', 'map_rule_details', 'map_if_enable_disable', 'map_summary_stats', 'map_param_set_fragmentation', 'map_param_set_icmp', 'map_param_set_icmp6', 'map_param_add_del_pre_resolve', 'map_param_set_security_check', 'map_param_set_traffic_class', 'map_param_set_tcp', 'map_param_get']],
  ['pppoe', ['pppoe_add_del_session', 'pppoe_session_dump', 'pppoe_session_details', 'pppoe_add_del_cp']],
  ['qos', ['qos_store_enable_disable', 'qos_store_dump', 'qos_store_details', 'qos_record_enable_disable', 'qos_record_dump', 'qos_record_details', 'qos_egress_map_update', 'qos_egress_map_delete', 'qos_egress_map_dump', 'qos_egress_map_details', 'qos_mark_enable_disable', 'qos_mark_dump', 'qos_mark_details']],
  ['sr', ['sr_localsid_add_del', 'sr_policy_add', 'sr_policy_mod', 'sr_policy_del', 'sr_set_encap_source', 'sr_set_encap_hop_limit', 'sr_steering_add_del', 'sr_localsids_dump', 'sr_localsids_details', 'sr_policies_dump', 'sr_policies_details', 'sr_steering_pol_dump', 'sr_steering_pol_details', 'sr_policy_add_v2', 'sr_policies_v2_dump', 'sr_policies_v2_details']],
  ['session', ['app_attach', 'application_detach', 'app_add_cert_key_pair', 'app_del_cert_key_pair', 'app_worker_add_del', 'session_enable_disable', 'session_sapi_enable_disable', 'app_namespace_add_del_v4', 'session_rule_add_del', 'session_rules_dump', 'session_rules_details', 'session_sdl_add_del']],
  ['udp', ['udp_encap_add', 'udp_encap_del', 'udp_encap_dump', 'udp_encap_details', 'udp_decap_add_del']],
  ['vrrp', ['vrrp_vr_add_del', 'vrrp_vr_update', 'vrrp_vr_del', 'vrrp_vr_dump', 'vrrp_vr_details', 'vrrp_vr_start_stop', 'vrrp_vr_set_peers', 'vrrp_vr_peer_dump', 'vrrp_vr_peer_details', 'vrrp_vr_track_if_add_del', 'vrrp_vr_track_if_dump', 'vrrp_vr_track_if_details', 'want_vrrp_vr_events', 'vrrp_vr_event']],
  ['urpf', ['urpf_update', 'urpf_update_v2', 'urpf_interface_dump', 'urpf_interface_details']],
  ['teib', ['teib_entry_add_del', 'teib_dump', 'teib_details']],
  ['pnat', ['pnat_binding_add', 'pnat_binding_add_v2', 'pnat_binding_del', 'pnat_binding_attach', 'pnat_binding_detach', 'pnat_bindings_get', 'pnat_bindings_details', 'pnat_interfaces_get', 'pnat_interfaces_details']],
  ['span', ['sw_interface_span_enable_disable', 'sw_interface_span_dump', 'sw_interface_span_details']],
  ['punt', ['set_punt', 'punt_socket_register', 'punt_socket_dump', 'punt_socket_details', 'punt_socket_deregister', 'punt_reason_dump', 'punt_reason_details']],
  ['feature', ['feature_enable_disable', 'feature_is_enabled']],
  ['classify', ['classify_add_del_table', 'classify_add_del_session', 'classify_set_interface_ip_table', 'classify_set_interface_l2_tables', 'classify_table_ids', 'classify_table_by_interface', 'classify_table_info', 'classify_session_dump', 'classify_session_details', 'policer_classify_set_interface', 'policer_classify_dump', 'policer_classify_details', 'flow_classify_set_interface', 'flow_classify_dump', 'flow_classify_details', 'classify_set_interface_ip_table', 'classify_pcap_lookup_table', 'classify_pcap_set_table', 'classify_pcap_get_tables', 'classify_trace_lookup_table', 'classify_trace_set_table', 'classify_trace_get_tables']],
  ['ip6_nd', ['sw_interface_ip6nd_ra_config', 'sw_interface_ip6nd_ra_prefix', 'ip6nd_proxy_add_del', 'ip6nd_proxy_dump', 'ip6nd_proxy_details', 'ip6nd_send_router_solicitation', 'want_ip6_ra_events', 'ip6_ra_event', 'sw_interface_ip6nd_ra_dump', 'sw_interface_ip6nd_ra_details']],
  ['arp', ['proxy_arp_add_del', 'proxy_arp_dump', 'proxy_arp_details', 'proxy_arp_intfc_enable_disable', 'proxy_arp_intfc_dump', 'proxy_arp_intfc_details']],
  ['bond', ['bond_create', 'bond_create2', 'bond_delete', 'bond_add_member', 'bond_detach_member', 'sw_bond_interface_dump', 'sw_bond_interface_details', 'sw_member_interface_dump', 'sw_member_interface_details', 'sw_interface_set_bond_weight']],
  ['ethernet', ['want_l2_macs_events2', 'l2_xconnect_dump', 'l2_xconnect_details']],
  ['pg', ['pg_create_interface_v2', 'pg_capture', 'pg_enable_disable', 'pg_interface_enable_disable_coalesce']],
  ['syslog', ['syslog_set_sender', 'syslog_get_sender', 'syslog_set_filter', 'syslog_get_filter']],
  ['stats', ['want_stats', 'want_interface_simple_stats', 'vnet_get_summary_stats', 'want_ip4_fib_stats', 'want_ip6_fib_stats']],
  ['tracedump', ['trace_set_filters', 'trace_capture_packets', 'trace_clear_capture', 'trace_dump', 'trace_details', 'trace_v2_dump', 'trace_v2_details', 'trace_clear_cache', 'trace_set_filter_function', 'trace_filter_function_dump', 'trace_filter_function_details']],
  ['crypto', ['crypto_set_async_dispatch', 'crypto_set_async_dispatch_v2', 'crypto_set_handler', 'crypto_sw_scheduler_set_worker']],
  ['dev', ['dev_attach', 'dev_detach', 'dev_create_port_if', 'dev_remove_port_if']],
];

function padModules(): { name: string; crc: string; messages: { name: string; nameCrc: string }[] }[] {
  return PAD_PLUGINS.map(([mod, msgs]) => {
    const all: string[] = [];
    for (const m of new Set(msgs)) {
      all.push(m);
      if (!/_details$|_event$/.test(m)) all.push(`${m}_reply`);
    }
    return { name: mod, crc: fnv(`module:${mod}`), messages: all.map((n) => ({ name: n, nameCrc: `${n}_${fnv(n)}` })) };
  });
}

export interface TableOptions {
  seed: number;
  /** name_crc entries to leave out of the announced table. */
  omit?: readonly string[];
  /** 'module' (contiguous per module, like VPP) or 'message' (also shuffled inside ranges). */
  idMode?: 'module' | 'message';
  /** Add the plugin padding (default true). */
  padding?: boolean;
  /** Entries to pad the table up to (default 800, about a real VPP 25.10's count). */
  target?: number;
}

export function buildTable(defs: SimDefs, o: TableOptions): MsgTable {
  const rnd = uniformSource(o.seed); // reproducible from --seed
  const omit = new Set(o.omit ?? []);
  const idOf = new Map<string, number>();
  const nameOf = new Map<number, string>();
  const ranges = new Map<string, number>();
  const entries: { id: number; nameCrc: string }[] = [];
  type Mod = { name: string; crc: string; messages: { name: string; nameCrc: string; real: boolean }[] };
  const mods: Mod[] = defs.modules.map((m) => ({
    name: m.name,
    crc: m.crc,
    messages: m.messages.map((n) => ({ name: n, nameCrc: defs.messages.get(n)?.nameCrc ?? n, real: true })),
  }));
  const memclnt = mods.find((m) => m.name === 'memclnt');
  if (!memclnt) throw new Error('vpp-sim: memclnt.api.json is missing: the fixed ids 10-24 come from it');
  const others = mods.filter((m) => m !== memclnt);
  if (o.padding !== false) {
    let total = mods.reduce((n, m) => n + m.messages.length, 0);
    for (const p of padModules()) {
      if (total >= (o.target ?? 800)) break;
      others.push({ ...p, messages: p.messages.map((x) => ({ ...x, real: false })) });
      total += p.messages.length;
    }
  }
  shuffle(others, rnd);
  // memclnt first at base 1 (id 0 is never used): get_first_msg_id 10, control_ping 23.
  let next = 1;
  const place = (m: Mod): void => {
    ranges.set(`${m.name}_${m.crc}`, next);
    const ids = m.messages.map((_, i) => next + i);
    if (o.idMode === 'message' && m !== memclnt) shuffle(ids, rnd);
    m.messages.forEach((x, i) => {
      const id = ids[i];
      if (x.real) idOf.set(x.name, id);
      if (!omit.has(x.nameCrc)) {
        nameOf.set(id, x.real ? x.name : `~${x.name}`);
        entries.push({ id, nameCrc: x.nameCrc });
      }
    });
    next += m.messages.length;
  };
  place(memclnt);
  for (const m of others) {
    next += Math.floor(rnd() * 24);
    place(m);
  }
  if (next > 0xffff) throw new Error('vpp-sim: message ids overflow u16');
  entries.sort((a, b) => a.id - b.id);
  return { idOf, nameOf, entries, ranges, seed: o.seed };
}

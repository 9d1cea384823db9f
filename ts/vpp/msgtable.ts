// The message table as the client sees it: memclnt's fixed ids, what fibpush requires of a VPP, and a
// dense index per message name for the in-flight table (names are not stored per request).
import { MESSAGES } from './gen/messages';

/** memclnt's fixed message ids (memclnt.api is registered first; docs/vpp-api.md). */
export const MEMCLNT_IDS = {
  get_first_msg_id: 10,
  get_first_msg_id_reply: 11,
  api_versions: 12,
  api_versions_reply: 13,
  sockclnt_create: 15,
  sockclnt_create_reply: 16,
  sockclnt_delete: 17,
  sockclnt_delete_reply: 18,
  memclnt_keepalive: 21,
  memclnt_keepalive_reply: 22,
  control_ping: 23,
  control_ping_reply: 24,
} as const;

/** Messages fibpush cannot run without: routes, tables, dumps, interfaces (all in VPP's core). */
export const REQUIRED_MESSAGES: readonly string[] = [
  'control_ping', 'control_ping_reply', 'sockclnt_delete', 'sockclnt_delete_reply',
  'memclnt_keepalive', 'memclnt_keepalive_reply',
  'ip_table_add_del', 'ip_table_add_del_reply', 'ip_table_dump', 'ip_table_details',
  'ip_route_add_del', 'ip_route_add_del_reply', 'ip_route_v2_dump', 'ip_route_v2_details',
  'mpls_table_add_del', 'mpls_table_add_del_reply', 'mpls_route_add_del', 'mpls_route_add_del_reply',
  'mpls_route_dump', 'mpls_route_details',
  'sw_interface_dump', 'sw_interface_details', 'want_interface_events', 'want_interface_events_reply',
  'sw_interface_event',
];

/**
 * Messages of plugins that may not be loaded (linux-cp, vxlan) or of features fibpush can do
 * without: resolved when present; the feature using them reports itself unavailable otherwise.
 */
export const OPTIONAL_MESSAGES: readonly string[] = Object.keys(MESSAGES).filter(
  (n) => !REQUIRED_MESSAGES.includes(n) && n !== 'sockclnt_create' && n !== 'sockclnt_create_reply',
);

/** Every message the generated table knows, in a fixed order: the in-flight table stores the index. */
export const MSG_NAMES = Object.keys(MESSAGES);
export const MSG_INDEX = new Map(MSG_NAMES.map((n, i) => [n, i]));

/** The in-flight entry ends at the first message with its context (else at the message id it names). */
export const END_ANY = -1;

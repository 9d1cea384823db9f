// The message table as the client sees it: memclnt's fixed ids, what fibpush requires of a VPP, a dense
// index per message name for the in-flight table (names are not stored per request), and VPP's table
// as sockclnt_create_reply carries it.
import { MESSAGES } from './gen/messages';
import { VppApiError } from './errors';

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

/**
 * sockclnt_create_reply: client_index @2, context @6, response i32 @10, index u32 @14, count u16 @18,
 * then count x {u16 index, string name[64]} @20 (memclnt.api message_table_entry). Returns the
 * client index and VPP's message table (name_crc -> id); throws when VPP refused or the reply is short.
 */
export function parseCreateReply(dv: DataView, off: number, len: number): { index: number; table: Map<string, number> } {
  if (len < 20) throw new Error(`sockclnt_create_reply of ${len} bytes`);
  const response = dv.getInt32(off + 10);
  if (response !== 0) throw new VppApiError('sockclnt_create', response);
  const index = dv.getUint32(off + 14);
  const count = dv.getUint16(off + 18);
  if (len < 20 + count * 66) throw new Error(`sockclnt_create_reply: ${count} table entries need ${20 + count * 66} bytes, got ${len}`);
  const table = new Map<string, number>();
  const bytes = new Uint8Array(dv.buffer, dv.byteOffset + off, len);
  for (let i = 0; i < count; i++) {
    const e = 20 + i * 66;
    const id = dv.getUint16(off + e);
    let end = e + 2;
    while (end < e + 66 && bytes[end] !== 0) end++;
    table.set(Buffer.from(bytes.buffer, bytes.byteOffset + e + 2, end - e - 2).toString('latin1'), id);
  }
  return { index, table };
}

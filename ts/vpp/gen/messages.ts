// GENERATED from vpp-api/json/*.api.json (VPP 25.10) by ts/vpp/gen/generate.ts: do not edit; regenerate with `npm run gen:vpp`.
// Message definitions as data (govpp style): name, CRC, name_crc and fields in wire order.
// Offsets are from the start of the message (or type) payload, -1 after a variable-length field;
// `size` of a message is its fixed part (a VLA string counts its u32 length word).

export const VPP_VERSION = "25.10";

/** Version of each .api module these definitions come from (the `option version` line). */
export const API_VERSIONS: Record<string, string> = {
  ethernet_types: "1.0.0",
  fib: "1.0.0",
  fib_types: "2.0.1",
  interface: "3.2.3",
  interface_types: "1.0.0",
  ip: "3.2.0",
  ip_neighbor: "1.0.1",
  ip_types: "3.0.0",
  l2: "3.2.0",
  lcp: "1.0.0",
  memclnt: "2.1.0",
  mfib_types: "1.0.0",
  mpls: "1.1.1",
  vlib: "1.0.0",
  vpe: "1.7.0",
  vxlan: "2.1.0",
};

export type Wire = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'u64' | 'i64' | 'f64' | 'bool';
export type FieldKind = 'int' | 'bool' | 'float' | 'enum' | 'string' | 'struct' | 'union';

export interface FieldDef {
  /** Field name as in the .api file. */
  readonly name: string;
  /** Declared type without vl_api_/_t (aliases kept: 'interface_index', 'mac_address'). */
  readonly type: string;
  /** What the bytes are once aliases are followed. */
  readonly kind: FieldKind;
  /** Wire integer for int/bool/float/enum (an enum's enumtype); null for string/struct/union. */
  readonly wire: Wire | null;
  /** Bytes per element (string: 1 per char). */
  readonly elemSize: number;
  /** 1 = scalar, N = fixed array (string[N] is N bytes NUL-padded), 0 = variable length. */
  readonly count: number;
  /** Variable-length arrays: the earlier field holding the element count. */
  readonly countField?: string;
  /** Bytes in the fixed part: elemSize * count; 0 for a VLA; 4 for a VLA string (u32 length). */
  readonly size: number;
  /** Byte offset from the start of the message/type; -1 when it follows a variable-length field. */
  readonly offset: number;
  /** struct/union/enum: its name in TYPES / UNIONS / ENUMS. */
  readonly ref?: string;
  readonly default?: number | boolean | string;
}

export interface MsgDef {
  readonly name: string;
  /** '0x'-prefixed CRC from the .api.json. */
  readonly crc: string;
  /** name + '_' + crc without 0x: the key of VPP's message table (sockclnt_create_reply). */
  readonly nameCrc: string;
  /** The .api module (file) defining it. */
  readonly module: string;
  /** Fields in wire order, starting with _vl_msg_id. */
  readonly fields: readonly FieldDef[];
  /** Fixed size in bytes (up to and including the first variable-length field's fixed part). */
  readonly size: number;
  /** Has a variable-length field (directly or inside a type): the wire size is size + the elements. */
  readonly variable: boolean;
  /** Requests: the reply (or, for dumps, the details) message name from the .api services. */
  readonly reply?: string;
  /** True for X_dump: details stream, terminated by a control_ping reply. */
  readonly stream?: boolean;
  /** Cursor-style gets (lcp_itf_pair_get): details message streamed before the reply. */
  readonly streamMsg?: string;
}

export interface TypeDef {
  readonly name: string;
  readonly fields: readonly FieldDef[];
  /** Fixed size (union: its largest member). */
  readonly size: number;
  readonly variable: boolean;
}

export interface EnumDef {
  readonly name: string;
  readonly wire: Wire;
  readonly size: number;
  /** Declared with `enumflag` (values are OR-ed bits). */
  readonly flags: boolean;
  readonly values: Readonly<Record<string, number>>;
}

export const TYPES: Readonly<Record<string, TypeDef>> = {
  address: {
    name: "address", size: 17, variable: false,
    fields: [
      { name: "af", type: "address_family", kind: "enum", wire: "u8", elemSize: 1, count: 1, size: 1, offset: 0, ref: "address_family" },
      { name: "un", type: "address_union", kind: "union", wire: null, elemSize: 16, count: 1, size: 16, offset: 1, ref: "address_union" },
    ],
  },
  fib_mpls_label: {
    name: "fib_mpls_label", size: 7, variable: false,
    fields: [
      { name: "is_uniform", type: "u8", kind: "int", wire: "u8", elemSize: 1, count: 1, size: 1, offset: 0 },
      { name: "label", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 1 },
      { name: "ttl", type: "u8", kind: "int", wire: "u8", elemSize: 1, count: 1, size: 1, offset: 5 },
      { name: "exp", type: "u8", kind: "int", wire: "u8", elemSize: 1, count: 1, size: 1, offset: 6 },
    ],
  },
  fib_path: {
    name: "fib_path", size: 167, variable: false,
    fields: [
      { name: "sw_if_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 0 },
      { name: "table_id", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 4 },
      { name: "rpf_id", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 8 },
      { name: "weight", type: "u8", kind: "int", wire: "u8", elemSize: 1, count: 1, size: 1, offset: 12 },
      { name: "preference", type: "u8", kind: "int", wire: "u8", elemSize: 1, count: 1, size: 1, offset: 13 },
      { name: "type", type: "fib_path_type", kind: "enum", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 14, ref: "fib_path_type" },
      { name: "flags", type: "fib_path_flags", kind: "enum", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 18, ref: "fib_path_flags" },
      { name: "proto", type: "fib_path_nh_proto", kind: "enum", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 22, ref: "fib_path_nh_proto" },
      { name: "nh", type: "fib_path_nh", kind: "struct", wire: null, elemSize: 28, count: 1, size: 28, offset: 26, ref: "fib_path_nh" },
      { name: "n_labels", type: "u8", kind: "int", wire: "u8", elemSize: 1, count: 1, size: 1, offset: 54 },
      { name: "label_stack", type: "fib_mpls_label", kind: "struct", wire: null, elemSize: 7, count: 16, size: 112, offset: 55, ref: "fib_mpls_label" },
    ],
  },
  fib_path_nh: {
    name: "fib_path_nh", size: 28, variable: false,
    fields: [
      { name: "address", type: "address_union", kind: "union", wire: null, elemSize: 16, count: 1, size: 16, offset: 0, ref: "address_union" },
      { name: "via_label", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 16 },
      { name: "obj_id", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 20 },
      { name: "classify_table_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 24 },
    ],
  },
  ip_route: {
    name: "ip_route", size: 27, variable: true,
    fields: [
      { name: "table_id", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 0 },
      { name: "stats_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 4 },
      { name: "prefix", type: "prefix", kind: "struct", wire: null, elemSize: 18, count: 1, size: 18, offset: 8, ref: "prefix" },
      { name: "n_paths", type: "u8", kind: "int", wire: "u8", elemSize: 1, count: 1, size: 1, offset: 26 },
      { name: "paths", type: "fib_path", kind: "struct", wire: null, elemSize: 167, count: 0, size: 0, offset: 27, countField: "n_paths", ref: "fib_path" },
    ],
  },
  ip_route_v2: {
    name: "ip_route_v2", size: 28, variable: true,
    fields: [
      { name: "table_id", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 0 },
      { name: "stats_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 4 },
      { name: "prefix", type: "prefix", kind: "struct", wire: null, elemSize: 18, count: 1, size: 18, offset: 8, ref: "prefix" },
      { name: "n_paths", type: "u8", kind: "int", wire: "u8", elemSize: 1, count: 1, size: 1, offset: 26 },
      { name: "src", type: "u8", kind: "int", wire: "u8", elemSize: 1, count: 1, size: 1, offset: 27 },
      { name: "paths", type: "fib_path", kind: "struct", wire: null, elemSize: 167, count: 0, size: 0, offset: 28, countField: "n_paths", ref: "fib_path" },
    ],
  },
  ip_table: {
    name: "ip_table", size: 69, variable: false,
    fields: [
      { name: "table_id", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 0 },
      { name: "is_ip6", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 4 },
      { name: "name", type: "string", kind: "string", wire: null, elemSize: 1, count: 64, size: 64, offset: 5 },
    ],
  },
  message_table_entry: {
    name: "message_table_entry", size: 66, variable: false,
    fields: [
      { name: "index", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "name", type: "string", kind: "string", wire: null, elemSize: 1, count: 64, size: 64, offset: 2 },
    ],
  },
  module_version: {
    name: "module_version", size: 76, variable: false,
    fields: [
      { name: "major", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 0 },
      { name: "minor", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 4 },
      { name: "patch", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 8 },
      { name: "name", type: "string", kind: "string", wire: null, elemSize: 1, count: 64, size: 64, offset: 12 },
    ],
  },
  mpls_route: {
    name: "mpls_route", size: 12, variable: true,
    fields: [
      { name: "mr_table_id", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 0 },
      { name: "mr_label", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 4 },
      { name: "mr_eos", type: "u8", kind: "int", wire: "u8", elemSize: 1, count: 1, size: 1, offset: 8 },
      { name: "mr_eos_proto", type: "u8", kind: "int", wire: "u8", elemSize: 1, count: 1, size: 1, offset: 9 },
      { name: "mr_is_multicast", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 10 },
      { name: "mr_n_paths", type: "u8", kind: "int", wire: "u8", elemSize: 1, count: 1, size: 1, offset: 11 },
      { name: "mr_paths", type: "fib_path", kind: "struct", wire: null, elemSize: 167, count: 0, size: 0, offset: 12, countField: "mr_n_paths", ref: "fib_path" },
    ],
  },
  mpls_table: {
    name: "mpls_table", size: 68, variable: false,
    fields: [
      { name: "mt_table_id", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 0 },
      { name: "mt_name", type: "string", kind: "string", wire: null, elemSize: 1, count: 64, size: 64, offset: 4 },
    ],
  },
  prefix: {
    name: "prefix", size: 18, variable: false,
    fields: [
      { name: "address", type: "address", kind: "struct", wire: null, elemSize: 17, count: 1, size: 17, offset: 0, ref: "address" },
      { name: "len", type: "u8", kind: "int", wire: "u8", elemSize: 1, count: 1, size: 1, offset: 17 },
    ],
  },
};

export const UNIONS: Readonly<Record<string, TypeDef>> = {
  address_union: {
    name: "address_union", size: 16, variable: false,
    fields: [
      { name: "ip4", type: "ip4_address", kind: "int", wire: "u8", elemSize: 1, count: 4, size: 4, offset: 0 },
      { name: "ip6", type: "ip6_address", kind: "int", wire: "u8", elemSize: 1, count: 16, size: 16, offset: 0 },
    ],
  },
};

export const ENUMS: Readonly<Record<string, EnumDef>> = {
  address_family: {
    name: "address_family", wire: "u8", size: 1, flags: false,
    values: {
      ADDRESS_IP4: 0,
      ADDRESS_IP6: 1,
    },
  },
  fib_path_flags: {
    name: "fib_path_flags", wire: "u32", size: 4, flags: false,
    values: {
      FIB_API_PATH_FLAG_NONE: 0,
      FIB_API_PATH_FLAG_RESOLVE_VIA_ATTACHED: 1,
      FIB_API_PATH_FLAG_RESOLVE_VIA_HOST: 2,
      FIB_API_PATH_FLAG_POP_PW_CW: 4,
    },
  },
  fib_path_nh_proto: {
    name: "fib_path_nh_proto", wire: "u32", size: 4, flags: false,
    values: {
      FIB_API_PATH_NH_PROTO_IP4: 0,
      FIB_API_PATH_NH_PROTO_IP6: 1,
      FIB_API_PATH_NH_PROTO_MPLS: 2,
      FIB_API_PATH_NH_PROTO_ETHERNET: 3,
      FIB_API_PATH_NH_PROTO_BIER: 4,
    },
  },
  fib_path_type: {
    name: "fib_path_type", wire: "u32", size: 4, flags: false,
    values: {
      FIB_API_PATH_TYPE_NORMAL: 0,
      FIB_API_PATH_TYPE_LOCAL: 1,
      FIB_API_PATH_TYPE_DROP: 2,
      FIB_API_PATH_TYPE_UDP_ENCAP: 3,
      FIB_API_PATH_TYPE_BIER_IMP: 4,
      FIB_API_PATH_TYPE_ICMP_UNREACH: 5,
      FIB_API_PATH_TYPE_ICMP_PROHIBIT: 6,
      FIB_API_PATH_TYPE_SOURCE_LOOKUP: 7,
      FIB_API_PATH_TYPE_DVR: 8,
      FIB_API_PATH_TYPE_INTERFACE_RX: 9,
      FIB_API_PATH_TYPE_CLASSIFY: 10,
    },
  },
  if_status_flags: {
    name: "if_status_flags", wire: "u32", size: 4, flags: false,
    values: {
      IF_STATUS_API_FLAG_ADMIN_UP: 1,
      IF_STATUS_API_FLAG_LINK_UP: 2,
    },
  },
  if_type: {
    name: "if_type", wire: "u32", size: 4, flags: false,
    values: {
      IF_API_TYPE_HARDWARE: 0,
      IF_API_TYPE_SUB: 1,
      IF_API_TYPE_P2P: 2,
      IF_API_TYPE_PIPE: 3,
    },
  },
  l2_port_type: {
    name: "l2_port_type", wire: "u32", size: 4, flags: false,
    values: {
      L2_API_PORT_TYPE_NORMAL: 0,
      L2_API_PORT_TYPE_BVI: 1,
      L2_API_PORT_TYPE_UU_FWD: 2,
    },
  },
  lcp_itf_host_type: {
    name: "lcp_itf_host_type", wire: "u8", size: 1, flags: false,
    values: {
      LCP_API_ITF_HOST_TAP: 0,
      LCP_API_ITF_HOST_TUN: 1,
    },
  },
  link_duplex: {
    name: "link_duplex", wire: "u32", size: 4, flags: false,
    values: {
      LINK_DUPLEX_API_UNKNOWN: 0,
      LINK_DUPLEX_API_HALF: 1,
      LINK_DUPLEX_API_FULL: 2,
    },
  },
  sub_if_flags: {
    name: "sub_if_flags", wire: "u32", size: 4, flags: false,
    values: {
      SUB_IF_API_FLAG_NO_TAGS: 1,
      SUB_IF_API_FLAG_ONE_TAG: 2,
      SUB_IF_API_FLAG_TWO_TAGS: 4,
      SUB_IF_API_FLAG_DOT1AD: 8,
      SUB_IF_API_FLAG_EXACT_MATCH: 16,
      SUB_IF_API_FLAG_DEFAULT: 32,
      SUB_IF_API_FLAG_OUTER_VLAN_ID_ANY: 64,
      SUB_IF_API_FLAG_INNER_VLAN_ID_ANY: 128,
      SUB_IF_API_FLAG_MASK_VNET: 254,
      SUB_IF_API_FLAG_DOT1AH: 256,
    },
  },
};

export const MESSAGES: Readonly<Record<string, MsgDef>> = {
  api_versions: {
    name: "api_versions", crc: "0x51077d14", nameCrc: "api_versions_51077d14", module: "memclnt", size: 10, variable: false, reply: "api_versions_reply",
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
    ],
  },
  api_versions_reply: {
    name: "api_versions_reply", crc: "0x5f0d99d6", nameCrc: "api_versions_reply_5f0d99d6", module: "memclnt", size: 14, variable: true,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "retval", type: "i32", kind: "int", wire: "i32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "count", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10 },
      { name: "api_versions", type: "module_version", kind: "struct", wire: null, elemSize: 76, count: 0, size: 0, offset: 14, countField: "count", ref: "module_version" },
    ],
  },
  bridge_domain_add_del_v2: {
    name: "bridge_domain_add_del_v2", crc: "0x600b7170", nameCrc: "bridge_domain_add_del_v2_600b7170", module: "l2", size: 86, variable: false, reply: "bridge_domain_add_del_v2_reply",
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "bd_id", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10 },
      { name: "flood", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 14 },
      { name: "uu_flood", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 15 },
      { name: "forward", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 16 },
      { name: "learn", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 17 },
      { name: "arp_term", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 18 },
      { name: "arp_ufwd", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 19 },
      { name: "mac_age", type: "u8", kind: "int", wire: "u8", elemSize: 1, count: 1, size: 1, offset: 20 },
      { name: "bd_tag", type: "string", kind: "string", wire: null, elemSize: 1, count: 64, size: 64, offset: 21 },
      { name: "is_add", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 85, default: true },
    ],
  },
  bridge_domain_add_del_v2_reply: {
    name: "bridge_domain_add_del_v2_reply", crc: "0xfcb1e980", nameCrc: "bridge_domain_add_del_v2_reply_fcb1e980", module: "l2", size: 14, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "retval", type: "i32", kind: "int", wire: "i32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "bd_id", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10 },
    ],
  },
  control_ping: {
    name: "control_ping", crc: "0x51077d14", nameCrc: "control_ping_51077d14", module: "memclnt", size: 10, variable: false, reply: "control_ping_reply",
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
    ],
  },
  control_ping_reply: {
    name: "control_ping_reply", crc: "0xf6b0b8ca", nameCrc: "control_ping_reply_f6b0b8ca", module: "memclnt", size: 18, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "retval", type: "i32", kind: "int", wire: "i32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10 },
      { name: "vpe_pid", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 14 },
    ],
  },
  get_first_msg_id: {
    name: "get_first_msg_id", crc: "0xebf79a66", nameCrc: "get_first_msg_id_ebf79a66", module: "memclnt", size: 74, variable: false, reply: "get_first_msg_id_reply",
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "name", type: "string", kind: "string", wire: null, elemSize: 1, count: 64, size: 64, offset: 10 },
    ],
  },
  get_first_msg_id_reply: {
    name: "get_first_msg_id_reply", crc: "0x7d337472", nameCrc: "get_first_msg_id_reply_7d337472", module: "memclnt", size: 12, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "retval", type: "i32", kind: "int", wire: "i32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "first_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 10 },
    ],
  },
  ip_route_add_del: {
    name: "ip_route_add_del", crc: "0xb8ecfe0d", nameCrc: "ip_route_add_del_b8ecfe0d", module: "ip", size: 39, variable: true, reply: "ip_route_add_del_reply",
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "is_add", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 10, default: true },
      { name: "is_multipath", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 11 },
      { name: "route", type: "ip_route", kind: "struct", wire: null, elemSize: 27, count: 1, size: 27, offset: 12, ref: "ip_route" },
    ],
  },
  ip_route_add_del_reply: {
    name: "ip_route_add_del_reply", crc: "0x1992deab", nameCrc: "ip_route_add_del_reply_1992deab", module: "ip", size: 14, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "retval", type: "i32", kind: "int", wire: "i32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "stats_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10 },
    ],
  },
  ip_route_add_del_v2: {
    name: "ip_route_add_del_v2", crc: "0x521ef330", nameCrc: "ip_route_add_del_v2_521ef330", module: "ip", size: 40, variable: true, reply: "ip_route_add_del_v2_reply",
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "is_add", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 10, default: true },
      { name: "is_multipath", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 11 },
      { name: "route", type: "ip_route_v2", kind: "struct", wire: null, elemSize: 28, count: 1, size: 28, offset: 12, ref: "ip_route_v2" },
    ],
  },
  ip_route_add_del_v2_reply: {
    name: "ip_route_add_del_v2_reply", crc: "0x1992deab", nameCrc: "ip_route_add_del_v2_reply_1992deab", module: "ip", size: 14, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "retval", type: "i32", kind: "int", wire: "i32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "stats_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10 },
    ],
  },
  ip_route_details: {
    name: "ip_route_details", crc: "0xbda8f315", nameCrc: "ip_route_details_bda8f315", module: "ip", size: 33, variable: true,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "route", type: "ip_route", kind: "struct", wire: null, elemSize: 27, count: 1, size: 27, offset: 6, ref: "ip_route" },
    ],
  },
  ip_route_dump: {
    name: "ip_route_dump", crc: "0xb9d2e09e", nameCrc: "ip_route_dump_b9d2e09e", module: "ip", size: 79, variable: false, reply: "ip_route_details", stream: true,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "table", type: "ip_table", kind: "struct", wire: null, elemSize: 69, count: 1, size: 69, offset: 10, ref: "ip_table" },
    ],
  },
  ip_route_lookup: {
    name: "ip_route_lookup", crc: "0x710d6471", nameCrc: "ip_route_lookup_710d6471", module: "ip", size: 33, variable: false, reply: "ip_route_lookup_reply",
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "table_id", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10 },
      { name: "exact", type: "u8", kind: "int", wire: "u8", elemSize: 1, count: 1, size: 1, offset: 14 },
      { name: "prefix", type: "prefix", kind: "struct", wire: null, elemSize: 18, count: 1, size: 18, offset: 15, ref: "prefix" },
    ],
  },
  ip_route_lookup_reply: {
    name: "ip_route_lookup_reply", crc: "0x5d8febcb", nameCrc: "ip_route_lookup_reply_5d8febcb", module: "ip", size: 37, variable: true,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "retval", type: "i32", kind: "int", wire: "i32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "route", type: "ip_route", kind: "struct", wire: null, elemSize: 27, count: 1, size: 27, offset: 10, ref: "ip_route" },
    ],
  },
  ip_route_v2_details: {
    name: "ip_route_v2_details", crc: "0xb09aa6c0", nameCrc: "ip_route_v2_details_b09aa6c0", module: "ip", size: 34, variable: true,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "route", type: "ip_route_v2", kind: "struct", wire: null, elemSize: 28, count: 1, size: 28, offset: 6, ref: "ip_route_v2" },
    ],
  },
  ip_route_v2_dump: {
    name: "ip_route_v2_dump", crc: "0xd16f72e6", nameCrc: "ip_route_v2_dump_d16f72e6", module: "ip", size: 80, variable: false, reply: "ip_route_v2_details", stream: true,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "src", type: "u8", kind: "int", wire: "u8", elemSize: 1, count: 1, size: 1, offset: 10 },
      { name: "table", type: "ip_table", kind: "struct", wire: null, elemSize: 69, count: 1, size: 69, offset: 11, ref: "ip_table" },
    ],
  },
  ip_table_add_del: {
    name: "ip_table_add_del", crc: "0x0ffdaec0", nameCrc: "ip_table_add_del_0ffdaec0", module: "ip", size: 80, variable: false, reply: "ip_table_add_del_reply",
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "is_add", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 10, default: true },
      { name: "table", type: "ip_table", kind: "struct", wire: null, elemSize: 69, count: 1, size: 69, offset: 11, ref: "ip_table" },
    ],
  },
  ip_table_add_del_reply: {
    name: "ip_table_add_del_reply", crc: "0xe8d4e804", nameCrc: "ip_table_add_del_reply_e8d4e804", module: "ip", size: 10, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "retval", type: "i32", kind: "int", wire: "i32", elemSize: 4, count: 1, size: 4, offset: 6 },
    ],
  },
  ip_table_details: {
    name: "ip_table_details", crc: "0xc79fca0f", nameCrc: "ip_table_details_c79fca0f", module: "ip", size: 75, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "table", type: "ip_table", kind: "struct", wire: null, elemSize: 69, count: 1, size: 69, offset: 6, ref: "ip_table" },
    ],
  },
  ip_table_dump: {
    name: "ip_table_dump", crc: "0x51077d14", nameCrc: "ip_table_dump_51077d14", module: "ip", size: 10, variable: false, reply: "ip_table_details", stream: true,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
    ],
  },
  l2_fib_table_details: {
    name: "l2_fib_table_details", crc: "0xa44ef6b8", nameCrc: "l2_fib_table_details_a44ef6b8", module: "l2", size: 23, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "bd_id", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "mac", type: "mac_address", kind: "int", wire: "u8", elemSize: 1, count: 6, size: 6, offset: 10 },
      { name: "sw_if_index", type: "interface_index", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 16 },
      { name: "static_mac", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 20 },
      { name: "filter_mac", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 21 },
      { name: "bvi_mac", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 22 },
    ],
  },
  l2_fib_table_dump: {
    name: "l2_fib_table_dump", crc: "0xc25fdce6", nameCrc: "l2_fib_table_dump_c25fdce6", module: "l2", size: 14, variable: false, reply: "l2_fib_table_details", stream: true,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "bd_id", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10 },
    ],
  },
  l2fib_add_del: {
    name: "l2fib_add_del", crc: "0xeddda487", nameCrc: "l2fib_add_del_eddda487", module: "l2", size: 28, variable: false, reply: "l2fib_add_del_reply",
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "mac", type: "mac_address", kind: "int", wire: "u8", elemSize: 1, count: 6, size: 6, offset: 10 },
      { name: "bd_id", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 16 },
      { name: "sw_if_index", type: "interface_index", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 20 },
      { name: "is_add", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 24, default: true },
      { name: "static_mac", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 25 },
      { name: "filter_mac", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 26 },
      { name: "bvi_mac", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 27 },
    ],
  },
  l2fib_add_del_reply: {
    name: "l2fib_add_del_reply", crc: "0xe8d4e804", nameCrc: "l2fib_add_del_reply_e8d4e804", module: "l2", size: 10, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "retval", type: "i32", kind: "int", wire: "i32", elemSize: 4, count: 1, size: 4, offset: 6 },
    ],
  },
  lcp_itf_pair_details: {
    name: "lcp_itf_pair_details", crc: "0x8b5481af", nameCrc: "lcp_itf_pair_details_8b5481af", module: "lcp", size: 67, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "phy_sw_if_index", type: "interface_index", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "host_sw_if_index", type: "interface_index", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10 },
      { name: "vif_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 14 },
      { name: "host_if_name", type: "string", kind: "string", wire: null, elemSize: 1, count: 16, size: 16, offset: 18 },
      { name: "host_if_type", type: "lcp_itf_host_type", kind: "enum", wire: "u8", elemSize: 1, count: 1, size: 1, offset: 34, ref: "lcp_itf_host_type" },
      { name: "netns", type: "string", kind: "string", wire: null, elemSize: 1, count: 32, size: 32, offset: 35 },
    ],
  },
  lcp_itf_pair_get: {
    name: "lcp_itf_pair_get", crc: "0xf75ba505", nameCrc: "lcp_itf_pair_get_f75ba505", module: "lcp", size: 14, variable: false, reply: "lcp_itf_pair_get_reply", stream: true, streamMsg: "lcp_itf_pair_details",
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "cursor", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10 },
    ],
  },
  lcp_itf_pair_get_reply: {
    name: "lcp_itf_pair_get_reply", crc: "0x53b48f5d", nameCrc: "lcp_itf_pair_get_reply_53b48f5d", module: "lcp", size: 14, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "retval", type: "i32", kind: "int", wire: "i32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "cursor", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10 },
    ],
  },
  memclnt_keepalive: {
    name: "memclnt_keepalive", crc: "0x51077d14", nameCrc: "memclnt_keepalive_51077d14", module: "memclnt", size: 10, variable: false, reply: "memclnt_keepalive_reply",
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
    ],
  },
  memclnt_keepalive_reply: {
    name: "memclnt_keepalive_reply", crc: "0xe8d4e804", nameCrc: "memclnt_keepalive_reply_e8d4e804", module: "memclnt", size: 10, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "retval", type: "i32", kind: "int", wire: "i32", elemSize: 4, count: 1, size: 4, offset: 6 },
    ],
  },
  mpls_route_add_del: {
    name: "mpls_route_add_del", crc: "0x8e1d1e07", nameCrc: "mpls_route_add_del_8e1d1e07", module: "mpls", size: 24, variable: true, reply: "mpls_route_add_del_reply",
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "mr_is_add", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 10 },
      { name: "mr_is_multipath", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 11 },
      { name: "mr_route", type: "mpls_route", kind: "struct", wire: null, elemSize: 12, count: 1, size: 12, offset: 12, ref: "mpls_route" },
    ],
  },
  mpls_route_add_del_reply: {
    name: "mpls_route_add_del_reply", crc: "0x1992deab", nameCrc: "mpls_route_add_del_reply_1992deab", module: "mpls", size: 14, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "retval", type: "i32", kind: "int", wire: "i32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "stats_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10 },
    ],
  },
  mpls_route_details: {
    name: "mpls_route_details", crc: "0x9b5043dc", nameCrc: "mpls_route_details_9b5043dc", module: "mpls", size: 18, variable: true,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "mr_route", type: "mpls_route", kind: "struct", wire: null, elemSize: 12, count: 1, size: 12, offset: 6, ref: "mpls_route" },
    ],
  },
  mpls_route_dump: {
    name: "mpls_route_dump", crc: "0x935fdefa", nameCrc: "mpls_route_dump_935fdefa", module: "mpls", size: 78, variable: false, reply: "mpls_route_details", stream: true,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "table", type: "mpls_table", kind: "struct", wire: null, elemSize: 68, count: 1, size: 68, offset: 10, ref: "mpls_table" },
    ],
  },
  mpls_table_add_del: {
    name: "mpls_table_add_del", crc: "0x57817512", nameCrc: "mpls_table_add_del_57817512", module: "mpls", size: 79, variable: false, reply: "mpls_table_add_del_reply",
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "mt_is_add", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 10, default: true },
      { name: "mt_table", type: "mpls_table", kind: "struct", wire: null, elemSize: 68, count: 1, size: 68, offset: 11, ref: "mpls_table" },
    ],
  },
  mpls_table_add_del_reply: {
    name: "mpls_table_add_del_reply", crc: "0xe8d4e804", nameCrc: "mpls_table_add_del_reply_e8d4e804", module: "mpls", size: 10, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "retval", type: "i32", kind: "int", wire: "i32", elemSize: 4, count: 1, size: 4, offset: 6 },
    ],
  },
  mpls_table_details: {
    name: "mpls_table_details", crc: "0xf03ecdc8", nameCrc: "mpls_table_details_f03ecdc8", module: "mpls", size: 74, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "mt_table", type: "mpls_table", kind: "struct", wire: null, elemSize: 68, count: 1, size: 68, offset: 6, ref: "mpls_table" },
    ],
  },
  mpls_table_dump: {
    name: "mpls_table_dump", crc: "0x51077d14", nameCrc: "mpls_table_dump_51077d14", module: "mpls", size: 10, variable: false, reply: "mpls_table_details", stream: true,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
    ],
  },
  sockclnt_create: {
    name: "sockclnt_create", crc: "0x455fb9c4", nameCrc: "sockclnt_create_455fb9c4", module: "memclnt", size: 70, variable: false, reply: "sockclnt_create_reply",
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "name", type: "string", kind: "string", wire: null, elemSize: 1, count: 64, size: 64, offset: 6 },
    ],
  },
  sockclnt_create_reply: {
    name: "sockclnt_create_reply", crc: "0x35166268", nameCrc: "sockclnt_create_reply_35166268", module: "memclnt", size: 20, variable: true,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "response", type: "i32", kind: "int", wire: "i32", elemSize: 4, count: 1, size: 4, offset: 10 },
      { name: "index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 14 },
      { name: "count", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 18 },
      { name: "message_table", type: "message_table_entry", kind: "struct", wire: null, elemSize: 66, count: 0, size: 0, offset: 20, countField: "count", ref: "message_table_entry" },
    ],
  },
  sockclnt_delete: {
    name: "sockclnt_delete", crc: "0x8ac76db6", nameCrc: "sockclnt_delete_8ac76db6", module: "memclnt", size: 14, variable: false, reply: "sockclnt_delete_reply",
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10 },
    ],
  },
  sockclnt_delete_reply: {
    name: "sockclnt_delete_reply", crc: "0x8f38b1ee", nameCrc: "sockclnt_delete_reply_8f38b1ee", module: "memclnt", size: 10, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "response", type: "i32", kind: "int", wire: "i32", elemSize: 4, count: 1, size: 4, offset: 6 },
    ],
  },
  sw_interface_details: {
    name: "sw_interface_details", crc: "0x6c221fc7", nameCrc: "sw_interface_details_6c221fc7", module: "interface", size: 295, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "sw_if_index", type: "interface_index", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "sup_sw_if_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10 },
      { name: "l2_address", type: "mac_address", kind: "int", wire: "u8", elemSize: 1, count: 6, size: 6, offset: 14 },
      { name: "flags", type: "if_status_flags", kind: "enum", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 20, ref: "if_status_flags" },
      { name: "type", type: "if_type", kind: "enum", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 24, ref: "if_type" },
      { name: "link_duplex", type: "link_duplex", kind: "enum", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 28, ref: "link_duplex" },
      { name: "link_speed", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 32 },
      { name: "link_mtu", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 36 },
      { name: "mtu", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 4, size: 16, offset: 38 },
      { name: "sub_id", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 54 },
      { name: "sub_number_of_tags", type: "u8", kind: "int", wire: "u8", elemSize: 1, count: 1, size: 1, offset: 58 },
      { name: "sub_outer_vlan_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 59 },
      { name: "sub_inner_vlan_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 61 },
      { name: "sub_if_flags", type: "sub_if_flags", kind: "enum", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 63, ref: "sub_if_flags" },
      { name: "vtr_op", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 67 },
      { name: "vtr_push_dot1q", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 71 },
      { name: "vtr_tag1", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 75 },
      { name: "vtr_tag2", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 79 },
      { name: "outer_tag", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 83 },
      { name: "b_dmac", type: "mac_address", kind: "int", wire: "u8", elemSize: 1, count: 6, size: 6, offset: 85 },
      { name: "b_smac", type: "mac_address", kind: "int", wire: "u8", elemSize: 1, count: 6, size: 6, offset: 91 },
      { name: "b_vlanid", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 97 },
      { name: "i_sid", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 99 },
      { name: "interface_name", type: "string", kind: "string", wire: null, elemSize: 1, count: 64, size: 64, offset: 103 },
      { name: "interface_dev_type", type: "string", kind: "string", wire: null, elemSize: 1, count: 64, size: 64, offset: 167 },
      { name: "tag", type: "string", kind: "string", wire: null, elemSize: 1, count: 64, size: 64, offset: 231 },
    ],
  },
  sw_interface_dump: {
    name: "sw_interface_dump", crc: "0xaa610c27", nameCrc: "sw_interface_dump_aa610c27", module: "interface", size: 19, variable: true, reply: "sw_interface_details", stream: true,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "sw_if_index", type: "interface_index", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10, default: 4294967295 },
      { name: "name_filter_valid", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 14 },
      { name: "name_filter", type: "string", kind: "string", wire: null, elemSize: 1, count: 0, size: 4, offset: 15 },
    ],
  },
  sw_interface_event: {
    name: "sw_interface_event", crc: "0x2d3d95a7", nameCrc: "sw_interface_event_2d3d95a7", module: "interface", size: 19, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "pid", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "sw_if_index", type: "interface_index", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10 },
      { name: "flags", type: "if_status_flags", kind: "enum", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 14, ref: "if_status_flags" },
      { name: "deleted", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 18 },
    ],
  },
  sw_interface_set_flags: {
    name: "sw_interface_set_flags", crc: "0xf5aec1b8", nameCrc: "sw_interface_set_flags_f5aec1b8", module: "interface", size: 18, variable: false, reply: "sw_interface_set_flags_reply",
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "sw_if_index", type: "interface_index", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10 },
      { name: "flags", type: "if_status_flags", kind: "enum", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 14, ref: "if_status_flags" },
    ],
  },
  sw_interface_set_flags_reply: {
    name: "sw_interface_set_flags_reply", crc: "0xe8d4e804", nameCrc: "sw_interface_set_flags_reply_e8d4e804", module: "interface", size: 10, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "retval", type: "i32", kind: "int", wire: "i32", elemSize: 4, count: 1, size: 4, offset: 6 },
    ],
  },
  sw_interface_set_l2_bridge: {
    name: "sw_interface_set_l2_bridge", crc: "0xd0678b13", nameCrc: "sw_interface_set_l2_bridge_d0678b13", module: "l2", size: 24, variable: false, reply: "sw_interface_set_l2_bridge_reply",
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "rx_sw_if_index", type: "interface_index", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10 },
      { name: "bd_id", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 14 },
      { name: "port_type", type: "l2_port_type", kind: "enum", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 18, ref: "l2_port_type" },
      { name: "shg", type: "u8", kind: "int", wire: "u8", elemSize: 1, count: 1, size: 1, offset: 22 },
      { name: "enable", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 23, default: true },
    ],
  },
  sw_interface_set_l2_bridge_reply: {
    name: "sw_interface_set_l2_bridge_reply", crc: "0xe8d4e804", nameCrc: "sw_interface_set_l2_bridge_reply_e8d4e804", module: "l2", size: 10, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "retval", type: "i32", kind: "int", wire: "i32", elemSize: 4, count: 1, size: 4, offset: 6 },
    ],
  },
  vxlan_add_del_tunnel_v3: {
    name: "vxlan_add_del_tunnel_v3", crc: "0x0072b037", nameCrc: "vxlan_add_del_tunnel_v3_0072b037", module: "vxlan", size: 70, variable: false, reply: "vxlan_add_del_tunnel_v3_reply",
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "is_add", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 10, default: true },
      { name: "instance", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 11, default: 4294967295 },
      { name: "src_address", type: "address", kind: "struct", wire: null, elemSize: 17, count: 1, size: 17, offset: 15, ref: "address" },
      { name: "dst_address", type: "address", kind: "struct", wire: null, elemSize: 17, count: 1, size: 17, offset: 32, ref: "address" },
      { name: "src_port", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 49 },
      { name: "dst_port", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 51 },
      { name: "mcast_sw_if_index", type: "interface_index", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 53 },
      { name: "encap_vrf_id", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 57 },
      { name: "decap_next_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 61 },
      { name: "vni", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 65 },
      { name: "is_l3", type: "bool", kind: "bool", wire: "bool", elemSize: 1, count: 1, size: 1, offset: 69, default: false },
    ],
  },
  vxlan_add_del_tunnel_v3_reply: {
    name: "vxlan_add_del_tunnel_v3_reply", crc: "0x5383d31f", nameCrc: "vxlan_add_del_tunnel_v3_reply_5383d31f", module: "vxlan", size: 14, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "retval", type: "i32", kind: "int", wire: "i32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "sw_if_index", type: "interface_index", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10 },
    ],
  },
  vxlan_tunnel_v2_details: {
    name: "vxlan_tunnel_v2_details", crc: "0xd3bdd4d9", nameCrc: "vxlan_tunnel_v2_details_d3bdd4d9", module: "vxlan", size: 68, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "sw_if_index", type: "interface_index", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "instance", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10 },
      { name: "src_address", type: "address", kind: "struct", wire: null, elemSize: 17, count: 1, size: 17, offset: 14, ref: "address" },
      { name: "dst_address", type: "address", kind: "struct", wire: null, elemSize: 17, count: 1, size: 17, offset: 31, ref: "address" },
      { name: "src_port", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 48 },
      { name: "dst_port", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 50 },
      { name: "mcast_sw_if_index", type: "interface_index", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 52 },
      { name: "encap_vrf_id", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 56 },
      { name: "decap_next_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 60 },
      { name: "vni", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 64 },
    ],
  },
  vxlan_tunnel_v2_dump: {
    name: "vxlan_tunnel_v2_dump", crc: "0xf9e6675e", nameCrc: "vxlan_tunnel_v2_dump_f9e6675e", module: "vxlan", size: 14, variable: false, reply: "vxlan_tunnel_v2_details", stream: true,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "sw_if_index", type: "interface_index", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10 },
    ],
  },
  want_interface_events: {
    name: "want_interface_events", crc: "0x476f5a08", nameCrc: "want_interface_events_476f5a08", module: "interface", size: 18, variable: false, reply: "want_interface_events_reply",
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "client_index", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 6 },
      { name: "enable_disable", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 10 },
      { name: "pid", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 14 },
    ],
  },
  want_interface_events_reply: {
    name: "want_interface_events_reply", crc: "0xe8d4e804", nameCrc: "want_interface_events_reply_e8d4e804", module: "interface", size: 10, variable: false,
    fields: [
      { name: "_vl_msg_id", type: "u16", kind: "int", wire: "u16", elemSize: 2, count: 1, size: 2, offset: 0 },
      { name: "context", type: "u32", kind: "int", wire: "u32", elemSize: 4, count: 1, size: 4, offset: 2 },
      { name: "retval", type: "i32", kind: "int", wire: "i32", elemSize: 4, count: 1, size: 4, offset: 6 },
    ],
  },
};

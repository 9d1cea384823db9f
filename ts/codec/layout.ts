// The columnar batch: one row per netlink message, struct-of-arrays in one ArrayBuffer owned by JS.
//
// This file is the contract between the native decoder (native/fpm_decode.h, which lists the
// same columns in the same order in native/batch_layout.h), the TypeScript reference decoder
// (ts/codec/ref-decoder.ts) and every consumer (ts/dplane/). Variable-length data is never
// copied: it is an (offset, length) into the input chunk the batch was decoded from, valid
// until that chunk is reused. Offset 0 means "absent" (offset 0 of a chunk is always an FPM
// header, never attribute data). Lists (multipath legs, group members, MPLS labels) live in
// side tables; a row holds (start, count) into them.

/** Row kinds. */
export const enum Kind {
  Route = 0, // RTM_NEWROUTE / RTM_DELROUTE
  Nexthop = 1, // RTM_NEWNEXTHOP / RTM_DELNEXTHOP
  Neigh = 2, // RTM_NEWNEIGH / RTM_DELNEIGH
  Done = 3, // NLMSG_DONE (end-of-replay marker, docs/fpm-extensions.md section 2)
  Other = 4, // any other nlmsg type: skipped and counted, not an error
}

/** Bits of the `attrs` column: which attributes the message carried. */
export const enum Attr {
  Dst = 1 << 0, // RTA_DST / NDA_DST
  Table = 1 << 1, // RTA_TABLE (the `table` column holds it; else rtm_table)
  Priority = 1 << 2, // RTA_PRIORITY
  NhId = 1 << 3, // RTA_NH_ID / NHA_ID / NDA_NH_ID
  Gateway = 1 << 4, // RTA_GATEWAY / NHA_GATEWAY
  Oif = 1 << 5, // RTA_OIF / NHA_OIF (for neigh rows `oif` is ndm_ifindex and this bit is set)
  PrefSrc = 1 << 6, // RTA_PREFSRC
  Multipath = 1 << 7, // RTA_MULTIPATH
  EncapType = 1 << 8, // RTA_ENCAP_TYPE / NHA_ENCAP_TYPE
  Encap = 1 << 9, // RTA_ENCAP / NHA_ENCAP (labels in the label side table)
  Via = 1 << 10, // RTA_VIA (gateway columns hold its address, gwFamily its family)
  NewDst = 1 << 11, // RTA_NEWDST (MPLS out labels, in the label side table)
  Group = 1 << 12, // NHA_GROUP
  GroupType = 1 << 13, // NHA_GROUP_TYPE
  Blackhole = 1 << 14, // NHA_BLACKHOLE
  Fdb = 1 << 15, // NHA_FDB
  BackupNhg = 1 << 16, // NHA_FPM_BACKUP_NHG (0x3F01)
  LlAddr = 1 << 17, // NDA_LLADDR
  Vlan = 1 << 18, // NDA_VLAN
  Master = 1 << 19, // NDA_MASTER
  NdaProtocol = 1 << 20, // NDA_PROTOCOL (value in `protocol`)
  Vni = 1 << 21, // NDA_VNI (value in `vni`)
}

type ColType = 'u8' | 'u16' | 'u32' | 'i32';

/** Row columns, in order. The native side lists the same names in the same order. */
export const ROW_COLUMNS = [
  ['kind', 'u8'], // Kind
  ['msgType', 'u16'], // nlmsg_type
  ['nlFlags', 'u16'], // nlmsg_flags
  ['seq', 'u32'], // nlmsg_seq
  ['frameOff', 'u32'], // offset of the FPM frame header in the chunk
  ['msgOff', 'u32'], // offset of the nlmsghdr in the chunk
  ['err', 'u8'], // RowError, 0 = good row
  ['errAttr', 'u16'], // attribute type at fault (0 when the fault is not an attribute)
  ['errOff', 'u32'], // offset in the chunk of the faulty attribute header / structure
  ['family', 'u8'], // rtm_family / nh_family / ndm_family
  ['attrs', 'u32'], // Attr bits
  ['dstLen', 'u8'], // rtm_dst_len (0 for nexthop/neigh rows)
  ['table', 'u32'], // RTA_TABLE when present, else rtm_table
  ['protocol', 'u8'], // rtm_protocol / nh_protocol / NDA_PROTOCOL
  ['rtype', 'u8'], // rtm_type / ndm_type
  ['scope', 'u8'], // rtm_scope / nh_scope
  ['flags', 'u32'], // rtm_flags / nh_flags / ndm_flags
  ['priority', 'u32'], // RTA_PRIORITY
  ['nhId', 'u32'], // RTA_NH_ID / NHA_ID / NDA_NH_ID
  ['oif', 'u32'], // RTA_OIF / NHA_OIF / ndm_ifindex
  ['dstOff', 'u32'], // RTA_DST / NDA_DST payload offset (AF_MPLS routes: one 4-byte label entry)
  ['dstAttrLen', 'u8'], // its payload length
  ['gwOff', 'u32'], // RTA_GATEWAY / NHA_GATEWAY payload, or RTA_VIA's address bytes
  ['gwLen', 'u8'],
  ['gwFamily', 'u8'], // row family for RTA_GATEWAY; by size for NHA_GATEWAY (4 AF_INET, 16 AF_INET6); rtvia_family for RTA_VIA
  ['srcOff', 'u32'], // RTA_PREFSRC payload
  ['srcLen', 'u8'],
  ['lladdrOff', 'u32'], // NDA_LLADDR payload
  ['lladdrLen', 'u8'],
  ['encapType', 'u16'], // RTA_ENCAP_TYPE / NHA_ENCAP_TYPE (1 = LWTUNNEL_ENCAP_MPLS)
  ['labelStart', 'u32'], // labels of RTA_ENCAP/NHA_ENCAP (MPLS_IPTUNNEL_DST) or RTA_NEWDST
  ['labelCount', 'u8'],
  ['pathStart', 'u32'], // RTA_MULTIPATH legs
  ['pathCount', 'u16'],
  ['groupStart', 'u32'], // NHA_GROUP members
  ['groupCount', 'u16'],
  ['groupType', 'u16'], // NHA_GROUP_TYPE
  ['backupNhg', 'u32'], // NHA_FPM_BACKUP_NHG
  ['state', 'u16'], // ndm_state
  ['vlan', 'u16'], // NDA_VLAN
  ['master', 'u32'], // NDA_MASTER
  ['vni', 'u32'], // NDA_VNI
  ['encapOff', 'u32'], // RTA_ENCAP / NHA_ENCAP payload (any encap type: seg6 SRHs and seg6local actions are kept here)
  ['encapLen', 'u16'],
] as const satisfies readonly (readonly [string, ColType])[];

/** Multipath legs (struct rtnexthop and its nested attributes). */
export const PATH_COLUMNS = [
  ['pIfindex', 'u32'], // rtnh_ifindex
  ['pWeight', 'u16'], // rtnh_hops + 1
  ['pFlags', 'u8'], // rtnh_flags
  ['pGwOff', 'u32'], // nested RTA_GATEWAY payload, or RTA_VIA's address bytes; 0 = none
  ['pGwLen', 'u8'],
  ['pGwFamily', 'u8'], // route family for RTA_GATEWAY, rtvia_family for RTA_VIA
  ['pEncapType', 'u16'], // nested RTA_ENCAP_TYPE
  ['pLabelStart', 'u32'], // nested RTA_ENCAP (MPLS_IPTUNNEL_DST) or RTA_NEWDST labels
  ['pLabelCount', 'u8'],
] as const satisfies readonly (readonly [string, ColType])[];

/** Nexthop group members (struct nexthop_grp). */
export const GROUP_COLUMNS = [
  ['gId', 'u32'],
  ['gWeight', 'u32'], // (nexthop_grp.weight_high << 8 | weight) + 1, 1..65536 (as iproute2 prints it)
] as const satisfies readonly (readonly [string, ColType])[];

/** MPLS label stack entries: the 32-bit big-endian word as a number (label<<12 | tc<<9 | bos<<8 | ttl). */
export const LABEL_COLUMNS = [['label', 'u32']] as const satisfies readonly (readonly [string, ColType])[];

/** Meta slots (Int32Array) the decoder writes after each call. */
export const enum Meta {
  Rows = 0,
  Paths = 1,
  Groups = 2,
  Labels = 3,
  Consumed = 4, // bytes consumed from `start` (whole frames only)
  StreamErr = 5, // StreamError, 0 = none
  StreamErrOff = 6, // chunk offset of the defect
  Frames = 7, // whole frames decoded in this call
  Size = 8,
}

/** Minimum capacities: one maximal 65535-byte frame always fits an empty batch. */
export const MIN_ROWS = 4096; // 65535 / 16-byte nlmsghdr
export const MIN_PATHS = 8192; // 65535 / 8-byte rtnexthop
export const MIN_GROUPS = 8192; // 65535 / 8-byte nexthop_grp
export const MIN_LABELS = 16384; // 65535 / 4-byte label entry

export type RowColumn = (typeof ROW_COLUMNS)[number][0];
export type PathColumn = (typeof PATH_COLUMNS)[number][0];
export type GroupColumn = (typeof GROUP_COLUMNS)[number][0];
export type LabelColumn = (typeof LABEL_COLUMNS)[number][0];
type ArrayOf<T extends ColType> = T extends 'u8'
  ? Uint8Array
  : T extends 'u16'
    ? Uint16Array
    : T extends 'u32'
      ? Uint32Array
      : Int32Array;
type ColsOf<C extends readonly (readonly [string, ColType])[]> = {
  [K in C[number] as K[0]]: ArrayOf<K[1]>;
};

export interface Capacities {
  rows: number;
  paths: number;
  groups: number;
  labels: number;
}

const SIZE: Record<ColType, number> = { u8: 1, u16: 2, u32: 4, i32: 4 };

/** Column offsets inside the batch's ArrayBuffer, in contract order (rows, paths, groups, labels). */
export function layoutOffsets(cap: Capacities): { offsets: number[]; byteLength: number } {
  const offsets: number[] = [];
  let off = 0;
  const place = (cols: readonly (readonly [string, ColType])[], n: number) => {
    for (const [, t] of cols) {
      off = (off + 7) & ~7;
      offsets.push(off);
      off += SIZE[t] * n;
    }
  };
  place(ROW_COLUMNS, cap.rows);
  place(PATH_COLUMNS, cap.paths);
  place(GROUP_COLUMNS, cap.groups);
  place(LABEL_COLUMNS, cap.labels);
  return { offsets, byteLength: (off + 7) & ~7 };
}

export type Batch = ColsOf<typeof ROW_COLUMNS> &
  ColsOf<typeof PATH_COLUMNS> &
  ColsOf<typeof GROUP_COLUMNS> &
  ColsOf<typeof LABEL_COLUMNS> & {
    readonly cap: Readonly<Capacities>;
    readonly buffer: ArrayBuffer;
    /** Column byte offsets in contract order (handed to the native decoder once). */
    readonly offsets: Uint32Array;
    /** Meta slots written by the decoder. */
    readonly meta: Int32Array;
  };

export const DEFAULT_CAPACITIES: Capacities = {
  rows: 8192,
  paths: MIN_PATHS * 2,
  groups: MIN_GROUPS * 2,
  labels: MIN_LABELS * 2,
};

/** Allocates a batch. Capacities below the minimums are raised to them. */
export function createBatch(want: Partial<Capacities> = {}): Batch {
  const cap: Capacities = {
    rows: Math.max(MIN_ROWS, want.rows ?? DEFAULT_CAPACITIES.rows),
    paths: Math.max(MIN_PATHS, want.paths ?? DEFAULT_CAPACITIES.paths),
    groups: Math.max(MIN_GROUPS, want.groups ?? DEFAULT_CAPACITIES.groups),
    labels: Math.max(MIN_LABELS, want.labels ?? DEFAULT_CAPACITIES.labels),
  };
  const { offsets, byteLength } = layoutOffsets(cap);
  const buffer = new ArrayBuffer(byteLength);
  const cols: ArrayBufferView[] = [];
  let i = 0;
  const make = (list: readonly (readonly [string, ColType])[], n: number) => {
    for (const [, t] of list) {
      const o = offsets[i++];
      cols.push(
        t === 'u8'
          ? new Uint8Array(buffer, o, n)
          : t === 'u16'
            ? new Uint16Array(buffer, o, n)
            : t === 'u32'
              ? new Uint32Array(buffer, o, n)
              : new Int32Array(buffer, o, n),
      );
    }
  };
  make(ROW_COLUMNS, cap.rows);
  make(PATH_COLUMNS, cap.paths);
  make(GROUP_COLUMNS, cap.groups);
  make(LABEL_COLUMNS, cap.labels);
  return new BatchShape(cap, buffer, Uint32Array.from(offsets), new Int32Array(Meta.Size), cols) as unknown as Batch;
}

/** All column names in contract order (the native addon reports its own list for a self-check). */
export const ALL_COLUMN_NAMES: readonly string[] = [
  ...ROW_COLUMNS.map((c) => c[0]),
  ...PATH_COLUMNS.map((c) => c[0]),
  ...GROUP_COLUMNS.map((c) => c[0]),
  ...LABEL_COLUMNS.map((c) => c[0]),
];

// A batch has ~60 columns. Added one by one under computed names, V8 keeps such an object as a
// hash table ("dictionary mode") and every `batch.col[r]` in a decoder or consumer becomes a
// lookup. A constructor that assigns every column by its literal name gives the object a fixed
// shape instead. It is generated once from the column list, so the list stays the only source.
type BatchCtor = new (
  cap: Readonly<Capacities>,
  buffer: ArrayBuffer,
  offsets: Uint32Array,
  meta: Int32Array,
  cols: ArrayBufferView[],
) => object;
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const BatchShape = new Function(
  'cap',
  'buffer',
  'offsets',
  'meta',
  'cols',
  ['this.cap = cap;', 'this.buffer = buffer;', 'this.offsets = offsets;', 'this.meta = meta;']
    .concat(ALL_COLUMN_NAMES.map((n, k) => `this.${n} = cols[${k}];`))
    .join('\n'),
) as unknown as BatchCtor;

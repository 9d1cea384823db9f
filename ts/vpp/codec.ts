// Encoding and decoding of VPP API payloads, driven by the generated definitions, plus fast paths for routes.
//
// Wire rules (docs/vpp-api.md; vppapigen's C output, vlibapi/api_helper_macros.h): payloads are
// packed, every integer big-endian (VPP byte-swaps with clib_host_to_net_*), `string x[N]` is N
// bytes NUL-padded, `string x[]` is u32 length + bytes, a variable-length array follows the count
// field declared before it. Encoders write into a caller's DataView (a batch buffer): no Buffer
// per message.
import { MESSAGES, TYPES, UNIONS, ENUMS, FieldDef, MsgDef, TypeDef, Wire } from './gen/messages';

export class VppDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VppDecodeError';
  }
}

export type Value = number | bigint | boolean | string | Uint8Array | Value[] | { [k: string]: Value };
export type Values = { [k: string]: Value };

const enc = new TextEncoder();
const dec = new TextDecoder();

function writeScalar(dv: DataView, off: number, wire: Wire, v: Value | undefined): void {
  const n = v === undefined ? 0 : typeof v === 'boolean' ? (v ? 1 : 0) : v;
  switch (wire) {
    case 'u8':
    case 'bool':
      dv.setUint8(off, Number(n));
      return;
    case 'i8':
      dv.setInt8(off, Number(n));
      return;
    case 'u16':
      dv.setUint16(off, Number(n));
      return;
    case 'i16':
      dv.setInt16(off, Number(n));
      return;
    case 'u32':
      dv.setUint32(off, Number(n) >>> 0);
      return;
    case 'i32':
      dv.setInt32(off, Number(n));
      return;
    case 'u64':
      dv.setBigUint64(off, BigInt(n as number | bigint));
      return;
    case 'i64':
      dv.setBigInt64(off, BigInt(n as number | bigint));
      return;
    case 'f64':
      dv.setFloat64(off, Number(n));
      return;
  }
}

function readScalar(dv: DataView, off: number, wire: Wire): number | bigint | boolean {
  switch (wire) {
    case 'u8':
      return dv.getUint8(off);
    case 'bool':
      return dv.getUint8(off) !== 0;
    case 'i8':
      return dv.getInt8(off);
    case 'u16':
      return dv.getUint16(off);
    case 'i16':
      return dv.getInt16(off);
    case 'u32':
      return dv.getUint32(off);
    case 'i32':
      return dv.getInt32(off);
    case 'u64':
      return dv.getBigUint64(off);
    case 'i64':
      return dv.getBigInt64(off);
    case 'f64':
      return dv.getFloat64(off);
  }
}

function composite(f: FieldDef): TypeDef {
  const t = f.kind === 'union' ? UNIONS[f.ref!] : TYPES[f.ref!];
  if (!t) throw new Error(`no definition for ${f.kind} ${f.ref}`);
  return t;
}

function defaultOf(f: FieldDef): Value | undefined {
  return f.default === undefined ? undefined : f.default;
}

/** Write one element of field `f` at `off`; returns bytes written. */
function writeElem(dv: DataView, off: number, f: FieldDef, v: Value | undefined): number {
  switch (f.kind) {
    case 'int':
    case 'bool':
    case 'float':
      writeScalar(dv, off, f.wire!, v ?? defaultOf(f));
      return f.elemSize;
    case 'enum': {
      let n = v ?? defaultOf(f) ?? 0;
      if (typeof n === 'string') {
        const e = ENUMS[f.ref!];
        const x = e.values[n];
        if (x === undefined) throw new Error(`${f.name}: ${n} is not a value of enum ${f.ref}`);
        n = x;
      }
      writeScalar(dv, off, f.wire!, n);
      return f.elemSize;
    }
    case 'struct':
      return writeFields(dv, off, composite(f).fields, (v ?? {}) as Values);
    case 'union': {
      const u = composite(f);
      // A union is written as raw bytes (Uint8Array, zero-padded) or as {member: value}.
      for (let i = 0; i < u.size; i++) dv.setUint8(off + i, 0);
      if (v instanceof Uint8Array) {
        for (let i = 0; i < Math.min(v.length, u.size); i++) dv.setUint8(off + i, v[i]);
      } else if (v && typeof v === 'object' && !Array.isArray(v)) {
        const keys = Object.keys(v);
        if (keys.length !== 1) throw new Error(`${f.name}: union value needs exactly one member`);
        const m = u.fields.find((x) => x.name === keys[0]);
        if (!m) throw new Error(`${f.name}: ${keys[0]} is not a member of union ${f.ref}`);
        writeField(dv, off, m, (v)[keys[0]]);
      }
      return u.size;
    }
    case 'string':
      throw new Error('string element');
  }
}

/** Write field `f` (scalar, fixed array, VLA, string) at `off`; returns bytes written. */
function writeField(dv: DataView, off: number, f: FieldDef, v: Value | undefined): number {
  if (f.kind === 'string') {
    const bytes = typeof v === 'string' ? enc.encode(v) : v instanceof Uint8Array ? v : new Uint8Array(0);
    if (f.count === 0) {
      dv.setUint32(off, bytes.length);
      for (let i = 0; i < bytes.length; i++) dv.setUint8(off + 4 + i, bytes[i]);
      return 4 + bytes.length;
    }
    // string x[N]: N bytes, NUL-padded; VPP reads it as a C string, so keep one NUL.
    if (bytes.length >= f.count) throw new Error(`${f.name}: string of ${bytes.length} bytes does not fit string[${f.count}]`);
    for (let i = 0; i < f.count; i++) dv.setUint8(off + i, i < bytes.length ? bytes[i] : 0);
    return f.count;
  }
  if (f.count === 1) return writeElem(dv, off, f, v);
  const arr = v === undefined ? [] : v instanceof Uint8Array ? Array.from(v) : (v as Value[]);
  if (!Array.isArray(arr)) throw new Error(`${f.name}: expected an array`);
  const n = f.count === 0 ? arr.length : f.count;
  if (f.count > 0 && arr.length > f.count) throw new Error(`${f.name}: ${arr.length} elements exceed [${f.count}]`);
  let p = off;
  for (let i = 0; i < n; i++) {
    if (i < arr.length) p += writeElem(dv, p, f, arr[i]);
    else {
      for (let j = 0; j < f.elemSize; j++) dv.setUint8(p + j, 0);
      p += f.elemSize;
    }
  }
  return p - off;
}

function vlaLength(fields: readonly FieldDef[], countField: string, values: Values): number {
  for (const f of fields) {
    if (f.countField === countField) {
      const v = values[f.name];
      return v === undefined ? 0 : (v as ArrayLike<unknown>).length;
    }
  }
  return 0;
}

function writeFields(dv: DataView, off: number, fields: readonly FieldDef[], values: Values): number {
  let p = off;
  for (const f of fields) {
    let v = values[f.name];
    // A VLA count left out is taken from the array it counts.
    if (v === undefined && fields.some((x) => x.countField === f.name)) v = vlaLength(fields, f.name, values);
    p += writeField(dv, p, f, v);
  }
  return p - off;
}

/**
 * Encode a whole message payload at `off` (msg id and the values given; missing fields are zero
 * or their .api default). Returns the payload length. For infrequent messages; routes use the
 * fast path below.
 */
export function encode(dv: DataView, off: number, def: MsgDef, msgId: number, values: Values): number {
  const v: Values = { ...values, _vl_msg_id: msgId };
  return writeFields(dv, off, def.fields, v);
}

/** Upper bound of encode()'s output for these values (sizes the batch slot). */
export function encodedSize(def: MsgDef | TypeDef, values: Values): number {
  let n = 0;
  for (const f of def.fields) {
    const v = values[f.name];
    if (f.kind === 'string' && f.count === 0) {
      n += 4 + (typeof v === 'string' ? enc.encode(v).length : v instanceof Uint8Array ? v.length : 0);
    } else if (f.count === 0) {
      const arr = (v ?? []) as Value[];
      if (f.kind === 'struct') for (const e of arr) n += encodedSize(composite(f), e as Values);
      else n += f.elemSize * arr.length;
    } else if (f.kind === 'struct' && composite(f).size !== f.elemSize) {
      n += encodedSize(composite(f), (v ?? {}) as Values);
    } else if (f.kind === 'struct' && f.count === 1 && isVariableType(composite(f))) {
      n += encodedSize(composite(f), (v ?? {}) as Values);
    } else n += f.size;
  }
  return n;
}

function isVariableType(t: TypeDef): boolean {
  return t.variable;
}

function readField(dv: DataView, off: number, end: number, f: FieldDef, out: Values, where: string, countOf: Values): number {
  const need = (n: number) => {
    if (off + n > end) throw new VppDecodeError(`${where}.${f.name}: needs ${n} bytes at ${off}, message ends at ${end}`);
  };
  if (f.kind === 'string') {
    if (f.count === 0) {
      need(4);
      const n = dv.getUint32(off);
      need(4 + n);
      out[f.name] = dec.decode(new Uint8Array(dv.buffer, dv.byteOffset + off + 4, n));
      return 4 + n;
    }
    need(f.count);
    const bytes = new Uint8Array(dv.buffer, dv.byteOffset + off, f.count);
    let z = bytes.indexOf(0);
    if (z < 0) z = f.count;
    out[f.name] = dec.decode(bytes.subarray(0, z));
    return f.count;
  }
  let n = f.count;
  if (n === 0) {
    const c = countOf[f.countField!];
    n = typeof c === 'number' ? c : Number(c ?? 0);
  }
  const one = (p: number, sink: Values, key: string): number => {
    switch (f.kind) {
      case 'int':
      case 'bool':
      case 'float':
      case 'enum':
        need(f.elemSize);
        sink[key] = readScalar(dv, p, f.wire!);
        return f.elemSize;
      case 'struct': {
        const t = composite(f);
        const o: Values = {};
        const used = readFields(dv, p, end, t.fields, o, `${where}.${f.name}`);
        sink[key] = o;
        return used;
      }
      case 'union': {
        const u = composite(f);
        need(u.size);
        sink[key] = new Uint8Array(dv.buffer.slice(dv.byteOffset + p, dv.byteOffset + p + u.size));
        return u.size;
      }
      default:
        throw new Error('unreachable');
    }
  };
  if (f.count === 1) return one(off, out, f.name);
  // Byte arrays (mac_address, ip4_address) decode to a Uint8Array copy.
  if ((f.kind === 'int' && f.wire === 'u8') || f.kind === 'bool') {
    need(n);
    out[f.name] = new Uint8Array(dv.buffer.slice(dv.byteOffset + off, dv.byteOffset + off + n));
    return n;
  }
  const arr: Value[] = [];
  const tmp: Values = {};
  let p = off;
  for (let i = 0; i < n; i++) {
    p += one(p, tmp, 'x');
    arr.push(tmp.x);
  }
  out[f.name] = arr;
  return p - off;
}

function readFields(dv: DataView, off: number, end: number, fields: readonly FieldDef[], out: Values, where: string): number {
  let p = off;
  for (const f of fields) p += readField(dv, p, end, f, out, where, out);
  return p - off;
}

/** Decode a whole payload into a plain object (bounds-checked; VppDecodeError on a short message). */
export function decode(dv: DataView, off: number, len: number, def: MsgDef): Values {
  const out: Values = {};
  readFields(dv, off, off + len, def.fields, out, def.name);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Fast paths. Offsets below are LAYOUTS.md's, and test/vpp.conformance.test.ts checks them
// against bytes built independently; test/vpp.messages.test.ts checks LAYOUTS.md against the
// generated definitions.

/** fib_path (fib_types.api): 167 bytes. */
export const FIB_PATH_SIZE = TYPES.fib_path.size;
/** ip_route_add_del: paths start at 39 (route @12: table_id, stats_index, prefix(18), n_paths). */
export const IP_ROUTE_ADD_DEL_FIXED = MESSAGES.ip_route_add_del.size;
/** mpls_route_add_del: paths start at 24. */
export const MPLS_ROUTE_ADD_DEL_FIXED = MESSAGES.mpls_route_add_del.size;
/** n_paths / mr_n_paths are u8: at most 255 paths per route (docs/vpp-api.md). */
export const MAX_PATHS = 255;
/** fib_path.label_stack[16]. */
export const MAX_LABELS = 16;

export const enum PathType {
  Normal = 0, // FIB_API_PATH_TYPE_NORMAL
  Local = 1,
  Drop = 2, // FIB_API_PATH_TYPE_DROP
  IcmpUnreach = 5, // FIB_API_PATH_TYPE_ICMP_UNREACH
  IcmpProhibit = 6, // FIB_API_PATH_TYPE_ICMP_PROHIBIT
}

export const enum PathFlags {
  None = 0,
  ResolveViaAttached = 1, // FIB_API_PATH_FLAG_RESOLVE_VIA_ATTACHED
  ResolveViaHost = 2, // FIB_API_PATH_FLAG_RESOLVE_VIA_HOST
}

export const enum NhProto {
  Ip4 = 0, // FIB_API_PATH_NH_PROTO_IP4
  Ip6 = 1,
  Mpls = 2,
  Ethernet = 3,
}

/** sw_if_index ~0: "no interface" (a recursive path; 0 is local0, never leave it zero). */
export const NO_SW_IF_INDEX = 0xffffffff;

/** One fib_path as fibpush builds it. */
export interface FibPath {
  swIfIndex: number;
  tableId: number;
  weight: number;
  preference: number;
  type: number;
  flags: number;
  proto: number;
  /** Next-hop address: 4 bytes (IPv4) or 16 (IPv6), or empty for none. */
  nh: Uint8Array;
  viaLabel?: number;
  /** Labels to push, outermost first. */
  labels?: readonly number[];
  rpfId?: number;
}

/** MPLS_LABEL_INVALID (vnet/mpls/packet.h): via_label "none". */
export const MPLS_LABEL_INVALID = 0x100000;

/** Write one fib_path at `off` (167 bytes, every byte written). */
export function writeFibPath(dv: DataView, off: number, p: FibPath): void {
  dv.setUint32(off, p.swIfIndex >>> 0); // sw_if_index @0
  dv.setUint32(off + 4, p.tableId >>> 0); // table_id @4
  dv.setUint32(off + 8, (p.rpfId ?? 0) >>> 0); // rpf_id @8
  dv.setUint8(off + 12, p.weight); // weight @12 (0 counts as 1)
  dv.setUint8(off + 13, p.preference); // preference @13 (0 best)
  dv.setUint32(off + 14, p.type); // type @14
  dv.setUint32(off + 18, p.flags); // flags @18
  dv.setUint32(off + 22, p.proto); // proto @22
  // nh @26: address union (16) @26, via_label @42, obj_id @46, classify_table_index @50
  const nh = p.nh;
  for (let i = 0; i < 16; i++) dv.setUint8(off + 26 + i, i < nh.length ? nh[i] : 0);
  dv.setUint32(off + 42, p.viaLabel ?? MPLS_LABEL_INVALID);
  dv.setUint32(off + 46, 0xffffffff); // obj_id: unused (~0)
  dv.setUint32(off + 50, 0xffffffff); // classify_table_index: unused (~0)
  const labels = p.labels ?? [];
  if (labels.length > MAX_LABELS) throw new Error(`fib_path: ${labels.length} labels exceed label_stack[16]`);
  dv.setUint8(off + 54, labels.length); // n_labels @54
  // label_stack[16] @55, 7 bytes each: is_uniform u8, label u32, ttl u8, exp u8
  for (let i = 0; i < MAX_LABELS; i++) {
    const o = off + 55 + i * 7;
    if (i < labels.length) {
      dv.setUint8(o, 0);
      dv.setUint32(o + 1, labels[i] >>> 0);
      dv.setUint8(o + 5, 0);
      dv.setUint8(o + 6, 0);
    } else {
      dv.setUint32(o, 0);
      dv.setUint16(o + 4, 0);
      dv.setUint8(o + 6, 0);
    }
  }
}

/** Encode a set of paths once into bytes that route messages copy in (per NHG, not per route). */
export function encodePaths(paths: readonly FibPath[]): Uint8Array {
  if (paths.length > MAX_PATHS) throw new Error(`${paths.length} paths exceed n_paths (u8)`);
  const b = new Uint8Array(paths.length * FIB_PATH_SIZE);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < paths.length; i++) writeFibPath(dv, i * FIB_PATH_SIZE, paths[i]);
  return b;
}

/** Read one fib_path (allocates: for dumps and tests, not the hot path). */
export function readFibPath(dv: DataView, off: number, af: number): FibPath {
  const n = dv.getUint8(off + 54);
  const labels: number[] = [];
  for (let i = 0; i < Math.min(n, MAX_LABELS); i++) labels.push(dv.getUint32(off + 55 + i * 7 + 1));
  const nhLen = af === 1 ? 16 : 4;
  const nh = new Uint8Array(nhLen);
  for (let i = 0; i < nhLen; i++) nh[i] = dv.getUint8(off + 26 + i);
  return {
    swIfIndex: dv.getUint32(off),
    tableId: dv.getUint32(off + 4),
    rpfId: dv.getUint32(off + 8),
    weight: dv.getUint8(off + 12),
    preference: dv.getUint8(off + 13),
    type: dv.getUint32(off + 14),
    flags: dv.getUint32(off + 18),
    proto: dv.getUint32(off + 22),
    nh,
    viaLabel: dv.getUint32(off + 42),
    labels,
  };
}

/**
 * ip_route_add_del (ip.api 3.2.0, crc 0xb8ecfe0d), the hot message: fixed part written field by
 * field, then `nPaths` pre-encoded paths copied from `paths` (a Uint8Array view of the same
 * buffer kind). `buf` and `dv` cover the same bytes. Returns the payload length.
 *
 * is_multipath=0 with is_add=1 replaces the route's whole path set (fib_api.c
 * fib_api_route_add_del -> fib_table_entry_update), which is what "set" means here.
 */
export function writeIpRouteAddDel(
  buf: Uint8Array, dv: DataView, off: number,
  msgId: number, clientIndex: number, context: number,
  isAdd: boolean, isMultipath: boolean, tableId: number,
  isIp6: boolean, addr: Uint8Array, addrOff: number, plen: number,
  paths: Uint8Array | null, nPaths: number,
): number {
  dv.setUint16(off, msgId); // _vl_msg_id @0
  dv.setUint32(off + 2, clientIndex); // client_index @2
  dv.setUint32(off + 6, context); // context @6
  dv.setUint8(off + 10, isAdd ? 1 : 0); // is_add @10
  dv.setUint8(off + 11, isMultipath ? 1 : 0); // is_multipath @11
  dv.setUint32(off + 12, tableId >>> 0); // route.table_id @12
  dv.setUint32(off + 16, 0); // route.stats_index @16 (output only)
  dv.setUint8(off + 20, isIp6 ? 1 : 0); // route.prefix.address.af @20 (ADDRESS_IP4 0 / ADDRESS_IP6 1)
  // route.prefix.address.un @21 (16 bytes; IPv4 in the first 4)
  if (isIp6) {
    for (let i = 0; i < 16; i++) buf[off + 21 + i] = addr[addrOff + i];
  } else {
    buf[off + 21] = addr[addrOff];
    buf[off + 22] = addr[addrOff + 1];
    buf[off + 23] = addr[addrOff + 2];
    buf[off + 24] = addr[addrOff + 3];
    dv.setUint32(off + 25, 0);
    dv.setUint32(off + 29, 0);
    dv.setUint32(off + 33, 0);
  }
  buf[off + 37] = plen; // route.prefix.len @37
  buf[off + 38] = nPaths; // route.n_paths @38
  if (nPaths > 0 && paths) setPaths(buf, off + 39, paths, nPaths);
  return IP_ROUTE_ADD_DEL_FIXED + nPaths * FIB_PATH_SIZE;
}

/** Copy `nPaths` encoded paths to `at`; no view is allocated when `paths` holds exactly those (every route does). */
function setPaths(buf: Uint8Array, at: number, paths: Uint8Array, nPaths: number): void {
  const n = nPaths * FIB_PATH_SIZE;
  buf.set(paths.length === n ? paths : paths.subarray(0, n), at);
}

/** mpls_route_add_del (mpls.api 1.1.1, crc 0x8e1d1e07). Returns the payload length. */
export function writeMplsRouteAddDel(
  buf: Uint8Array, dv: DataView, off: number,
  msgId: number, clientIndex: number, context: number,
  isAdd: boolean, isMultipath: boolean, tableId: number,
  label: number, eos: boolean, eosProto: number,
  paths: Uint8Array | null, nPaths: number,
): number {
  dv.setUint16(off, msgId);
  dv.setUint32(off + 2, clientIndex);
  dv.setUint32(off + 6, context);
  dv.setUint8(off + 10, isAdd ? 1 : 0); // mr_is_add @10
  dv.setUint8(off + 11, isMultipath ? 1 : 0); // mr_is_multipath @11
  dv.setUint32(off + 12, tableId >>> 0); // mr_route.mr_table_id @12
  dv.setUint32(off + 16, label >>> 0); // mr_label @16
  dv.setUint8(off + 20, eos ? 1 : 0); // mr_eos @20
  dv.setUint8(off + 21, eosProto); // mr_eos_proto @21 (fib_path_nh_proto as u8)
  dv.setUint8(off + 22, 0); // mr_is_multicast @22
  dv.setUint8(off + 23, nPaths); // mr_n_paths @23
  if (nPaths > 0 && paths) setPaths(buf, off + 24, paths, nPaths);
  return MPLS_ROUTE_ADD_DEL_FIXED + nPaths * FIB_PATH_SIZE;
}

/** ip_table_add_del (ip.api, crc 0x0ffdaec0): 80 bytes. name is latin1, at most 63 bytes (NUL kept). */
export function writeIpTableAddDel(
  buf: Buffer, dv: DataView, off: number, msgId: number, clientIndex: number, context: number,
  isAdd: boolean, tableId: number, isIp6: boolean, name: string,
): number {
  const n = MESSAGES.ip_table_add_del.size;
  buf.fill(0, off, off + n);
  dv.setUint16(off, msgId);
  dv.setUint32(off + 2, clientIndex);
  dv.setUint32(off + 6, context);
  buf[off + 10] = isAdd ? 1 : 0; // is_add @10
  dv.setUint32(off + 11, tableId >>> 0); // table.table_id @11
  buf[off + 15] = isIp6 ? 1 : 0; // table.is_ip6 @15
  buf.write(name, off + 16, 63, 'latin1'); // table.name[64] @16
  return n;
}

/** mpls_table_add_del (mpls.api, crc 0x57817512): 79 bytes. */
export function writeMplsTableAddDel(
  buf: Buffer, dv: DataView, off: number, msgId: number, clientIndex: number, context: number,
  isAdd: boolean, tableId: number, name: string,
): number {
  const n = MESSAGES.mpls_table_add_del.size;
  buf.fill(0, off, off + n);
  dv.setUint16(off, msgId);
  dv.setUint32(off + 2, clientIndex);
  dv.setUint32(off + 6, context);
  buf[off + 10] = isAdd ? 1 : 0; // mt_is_add @10
  dv.setUint32(off + 11, tableId >>> 0); // mt_table.mt_table_id @11
  buf.write(name, off + 15, 63, 'latin1'); // mt_table.mt_name[64] @15
  return n;
}

/**
 * One ip_route_v2_details / ip_route_details row, filled in place (no allocation per row).
 * Offsets: context @2, route @6 (table_id, stats_index, prefix @14: af, un[16], len @31, n_paths @32,
 * v2: src @33, paths @34; v1: paths @33).
 */
export class RouteDetailsView {
  tableId = 0;
  isIp6 = false;
  readonly addr = new Uint8Array(16);
  len = 0;
  nPaths = 0;
  src = 0;
  /** The payload and where its paths start (valid during the callback only). */
  dv: DataView | null = null;
  pathsOff = 0;

  /** Fill from a details payload; throws VppDecodeError when it is shorter than its paths. */
  fill(buf: Uint8Array, dv: DataView, off: number, len: number, v2: boolean): this {
    const fixed = v2 ? 34 : 33;
    if (len < fixed) throw new VppDecodeError(`ip_route${v2 ? '_v2' : ''}_details: ${len} bytes, fixed part is ${fixed}`);
    this.tableId = dv.getUint32(off + 6);
    this.isIp6 = buf[off + 14] === 1;
    for (let i = 0; i < 16; i++) this.addr[i] = buf[off + 15 + i];
    this.len = buf[off + 31];
    this.nPaths = buf[off + 32];
    this.src = v2 ? buf[off + 33] : 0;
    if (len < fixed + this.nPaths * FIB_PATH_SIZE) {
      throw new VppDecodeError(`ip_route details: ${this.nPaths} paths need ${fixed + this.nPaths * FIB_PATH_SIZE} bytes, got ${len}`);
    }
    this.dv = dv;
    this.pathsOff = off + fixed;
    return this;
  }

  path(i: number): FibPath {
    return readFibPath(this.dv!, this.pathsOff + i * FIB_PATH_SIZE, this.isIp6 ? 1 : 0);
  }
}

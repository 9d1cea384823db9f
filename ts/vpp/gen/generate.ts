// Generator of ts/vpp/gen/messages.ts: VPP .api.json definitions -> message/type/enum/union tables as data.
//
// Usage: node dist/ts/vpp/gen/generate.js <dir of *.api.json> [out.ts]   (npm run gen:vpp)
// The output is deterministic: the same JSON gives the same bytes, so a test regenerates it in memory
// and fails on any difference from the committed file.
import * as fs from 'fs';
import * as path from 'path';
import { VPP_API_JSON_DIR } from '../../paths';

/** The VPP release the .api.json files come from (they carry only per-module versions). */
export const DEFAULT_VPP_VERSION = '25.10';

/**
 * Every message fibpush encodes or decodes. Replies and details of these are added from each
 * module's `services` section, so a request's reply never goes missing from the table.
 */
export const WANTED_MESSAGES: readonly string[] = [
  // memclnt (vlibmemory/memclnt.api): connect, fence, keepalive.
  'sockclnt_create', 'sockclnt_delete', 'control_ping', 'memclnt_keepalive', 'get_first_msg_id', 'api_versions',
  // ip.api
  'ip_table_add_del', 'ip_table_dump', 'ip_route_add_del', 'ip_route_add_del_v2', 'ip_route_dump',
  'ip_route_v2_dump', 'ip_route_lookup',
  // mpls.api
  'mpls_table_add_del', 'mpls_table_dump', 'mpls_route_add_del', 'mpls_route_dump',
  // interface.api
  'sw_interface_dump', 'want_interface_events', 'sw_interface_event', 'sw_interface_set_flags',
  // lcp.api (linux-cp plugin): Linux ifindex <-> sw_if_index pairs.
  'lcp_itf_pair_get',
  // vxlan.api (vxlan plugin) and l2.api: EVPN remote MACs.
  'vxlan_add_del_tunnel_v3', 'vxlan_tunnel_v2_dump', 'bridge_domain_add_del_v2', 'sw_interface_set_l2_bridge',
  'l2fib_add_del', 'l2_fib_table_dump',
];

export type Wire = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'u64' | 'i64' | 'f64' | 'bool';
export type FieldKind = 'int' | 'bool' | 'float' | 'enum' | 'string' | 'struct' | 'union';

export interface GenField {
  name: string;
  type: string;
  kind: FieldKind;
  wire: Wire | null;
  elemSize: number;
  count: number;
  countField?: string;
  size: number;
  offset: number;
  ref?: string;
  default?: number | boolean | string;
}

interface ApiJson {
  types: unknown[][];
  messages: unknown[][];
  unions: unknown[][];
  enums: unknown[][];
  enumflags?: unknown[][];
  services: Record<string, { reply: string; stream?: boolean; stream_msg?: string; events?: string[] }>;
  options: { version?: string };
  aliases: Record<string, { type: string; length?: number }>;
}

const SCALARS: Record<string, [FieldKind, Wire, number]> = {
  u8: ['int', 'u8', 1], i8: ['int', 'i8', 1], u16: ['int', 'u16', 2], i16: ['int', 'i16', 2],
  u32: ['int', 'u32', 4], i32: ['int', 'i32', 4], u64: ['int', 'u64', 8], i64: ['int', 'i64', 8],
  f64: ['float', 'f64', 8], bool: ['bool', 'bool', 1],
};

function strip(t: string): string {
  return t.startsWith('vl_api_') && t.endsWith('_t') ? t.slice(7, -2) : t;
}

interface EnumDefG { name: string; wire: Wire; size: number; flags: boolean; values: [string, number][] }
interface CompositeG { name: string; fields: GenField[]; size: number; union: boolean; variable: boolean }

class Model {
  rawTypes = new Map<string, unknown[]>();
  rawUnions = new Map<string, unknown[]>();
  rawEnums = new Map<string, { def: unknown[]; flags: boolean }>();
  aliases = new Map<string, { type: string; length?: number }>();
  rawMsgs = new Map<string, { def: unknown[]; module: string }>();
  services = new Map<string, { reply: string; stream?: boolean; stream_msg?: string; events?: string[] }>();
  versions = new Map<string, string>();
  types = new Map<string, CompositeG>();
  enums = new Map<string, EnumDefG>();

  add(module: string, j: ApiJson): void {
    this.versions.set(module, j.options.version ?? '');
    // Imported definitions are inlined in every file that imports them: first definition wins,
    // and a conflicting re-definition is an error (the files would come from different VPPs).
    const put = <T>(m: Map<string, T>, k: string, v: T, what: string) => {
      const old = m.get(k);
      if (old !== undefined && JSON.stringify(old) !== JSON.stringify(v)) throw new Error(`${what} ${k} differs between files (${module})`);
      if (old === undefined) m.set(k, v);
    };
    for (const t of j.types) put(this.rawTypes, t[0] as string, t, 'type');
    for (const u of j.unions) put(this.rawUnions, u[0] as string, u, 'union');
    for (const e of j.enums) put(this.rawEnums, e[0] as string, { def: e, flags: false }, 'enum');
    for (const e of j.enumflags ?? []) put(this.rawEnums, e[0] as string, { def: e, flags: true }, 'enumflag');
    for (const [k, v] of Object.entries(j.aliases)) put(this.aliases, k, v, 'alias');
    for (const m of j.messages) {
      if (this.rawMsgs.has(m[0] as string)) throw new Error(`message ${String(m[0])} defined twice`);
      this.rawMsgs.set(m[0] as string, { def: m, module });
    }
    for (const [k, v] of Object.entries(j.services)) this.services.set(k, v);
  }

  enumDef(name: string): EnumDefG {
    let e = this.enums.get(name);
    if (e) return e;
    const raw = this.rawEnums.get(name);
    if (!raw) throw new Error(`unknown enum ${name}`);
    let wire: Wire = 'u32';
    const values: [string, number][] = [];
    for (const x of raw.def.slice(1)) {
      if (Array.isArray(x)) values.push([x[0] as string, x[1] as number]);
      else if (x && typeof x === 'object' && 'enumtype' in x) wire = (x as { enumtype: Wire }).enumtype;
    }
    e = { name, wire, size: SCALARS[wire][2], flags: raw.flags, values };
    this.enums.set(name, e);
    return e;
  }

  composite(name: string): CompositeG {
    const got = this.types.get(name);
    if (got) return got;
    const rawT = this.rawTypes.get(name);
    const rawU = this.rawUnions.get(name);
    const raw = rawT ?? rawU;
    if (!raw) throw new Error(`unknown type ${name}`);
    const union = !rawT;
    const fields = this.fields(raw.slice(1), union, `type ${name}`);
    let size = 0;
    for (const f of fields) size = union ? Math.max(size, f.size) : size + f.size;
    const c = { name, fields, size, union, variable: fields.some((f) => this.isVariable(f)) };
    this.types.set(name, c);
    return c;
  }

  isVariable(f: GenField): boolean {
    if (f.count === 0) return true;
    return (f.kind === 'struct' || f.kind === 'union') && f.ref !== undefined && this.composite(f.ref).variable;
  }

  /** Resolve one declared type to (kind, wire, elemSize, ref); aliases are followed. */
  resolve(t: string): { kind: FieldKind; wire: Wire | null; elemSize: number; ref?: string; aliasLen?: number } {
    if (t === 'string') return { kind: 'string', wire: null, elemSize: 1 };
    const sc = SCALARS[t];
    if (sc) return { kind: sc[0], wire: sc[1], elemSize: sc[2] };
    const n = strip(t);
    const al = this.aliases.get(n);
    if (al) {
      const r = this.resolve(al.type);
      if (al.length !== undefined) return { ...r, aliasLen: al.length };
      return r;
    }
    if (this.rawEnums.has(n)) {
      const e = this.enumDef(n);
      return { kind: 'enum', wire: e.wire, elemSize: e.size, ref: n };
    }
    if (this.rawTypes.has(n) || this.rawUnions.has(n)) {
      const c = this.composite(n);
      return { kind: c.union ? 'union' : 'struct', wire: null, elemSize: c.size, ref: n };
    }
    throw new Error(`unknown type ${t}`);
  }

  fields(raw: unknown[], union: boolean, where: string): GenField[] {
    const out: GenField[] = [];
    let off = 0;
    for (const x of raw) {
      if (!Array.isArray(x)) continue; // the trailing options object of a message
      const [t, name] = x as [string, string];
      let count = 1;
      let countField: string | undefined;
      let def: number | boolean | string | undefined;
      for (const extra of x.slice(2)) {
        if (typeof extra === 'number') count = extra;
        else if (typeof extra === 'string') countField = extra;
        else if (extra && typeof extra === 'object' && 'default' in extra) def = (extra as { default: number | boolean | string }).default;
      }
      const r = this.resolve(t);
      if (r.aliasLen !== undefined) {
        if (x.length > 2 && typeof x[2] === 'number') throw new Error(`${where}.${name}: array of array alias`);
        count = r.aliasLen;
      }
      let size: number;
      if (r.kind === 'string' && count === 0) size = 4; // vl_api_string_t: u32 length, bytes follow
      else size = r.elemSize * count;
      if (count === 0 && r.kind !== 'string' && !countField) throw new Error(`${where}.${name}: VLA without count field`);
      if (countField && !out.some((f) => f.name === countField)) throw new Error(`${where}.${name}: count field ${countField} not declared before`);
      const f: GenField = {
        name, type: strip(t), kind: r.kind, wire: r.wire, elemSize: r.elemSize, count, size,
        offset: union ? 0 : off,
      };
      if (countField) f.countField = countField;
      if (r.ref) f.ref = r.ref;
      if (def !== undefined) f.default = def === 'true' ? true : def === 'false' ? false : def;
      out.push(f);
      if (!union) off = off < 0 || this.isVariable(f) ? -1 : off + size;
    }
    return out;
  }
}

function lit(v: unknown): string {
  return JSON.stringify(v);
}

function fieldLit(f: GenField): string {
  const parts = [
    `name: ${lit(f.name)}`, `type: ${lit(f.type)}`, `kind: ${lit(f.kind)}`, `wire: ${lit(f.wire)}`,
    `elemSize: ${f.elemSize}`, `count: ${f.count}`, `size: ${f.size}`, `offset: ${f.offset}`,
  ];
  if (f.countField !== undefined) parts.push(`countField: ${lit(f.countField)}`);
  if (f.ref !== undefined) parts.push(`ref: ${lit(f.ref)}`);
  if (f.default !== undefined) parts.push(`default: ${lit(f.default)}`);
  return `{ ${parts.join(', ')} }`;
}

/** Render messages.ts from the *.api.json files (name -> parsed JSON). */
export function generate(files: Record<string, unknown>, opts: { vppVersion?: string; source?: string } = {}): string {
  const vppVersion = opts.vppVersion ?? DEFAULT_VPP_VERSION;
  const m = new Model();
  const names = Object.keys(files).sort();
  for (const fname of names) m.add(fname.replace(/\.api\.json$/, ''), files[fname] as ApiJson);

  // Close the wanted set over replies, details and the fence/ping used by dumps.
  const wanted = new Set<string>();
  for (const n of WANTED_MESSAGES) {
    if (!m.rawMsgs.has(n)) throw new Error(`message ${n} is not in the API definitions`);
    wanted.add(n);
    const s = m.services.get(n);
    if (s) {
      if (s.reply && s.reply !== 'null') wanted.add(s.reply);
      if (s.stream_msg) wanted.add(s.stream_msg);
      for (const e of s.events ?? []) wanted.add(e);
    }
  }
  for (const n of wanted) if (!m.rawMsgs.has(n)) throw new Error(`message ${n} (reply/details) is not in the API definitions`);

  const msgNames = [...wanted].sort();
  const msgs = msgNames.map((n) => {
    const raw = m.rawMsgs.get(n)!;
    const opt = raw.def[raw.def.length - 1] as { crc: string };
    const fields = m.fields(raw.def.slice(1), false, `message ${n}`);
    let size = 0;
    let variable = false;
    for (const f of fields) {
      if (variable) break;
      size += f.size;
      variable = m.isVariable(f);
    }
    const s = m.services.get(n);
    return { n, module: raw.module, crc: opt.crc, fields, size, variable, service: s };
  });

  const out: string[] = [];
  out.push(
    `// GENERATED from ${opts.source ?? 'vpp-api/json/*.api.json'} (VPP ${vppVersion}) by ts/vpp/gen/generate.ts: do not edit; regenerate with \`npm run gen:vpp\`.`,
  );
  out.push('// Message definitions as data (govpp style): name, CRC, name_crc and fields in wire order.');
  out.push('// Offsets are from the start of the message (or type) payload, -1 after a variable-length field;');
  out.push('// `size` of a message is its fixed part (a VLA string counts its u32 length word).');
  out.push('');
  out.push(`export const VPP_VERSION = ${lit(vppVersion)};`);
  out.push('');
  out.push('/** Version of each .api module these definitions come from (the `option version` line). */');
  out.push('export const API_VERSIONS: Record<string, string> = {');
  for (const n of names) {
    const mod = n.replace(/\.api\.json$/, '');
    out.push(`  ${mod}: ${lit(m.versions.get(mod))},`);
  }
  out.push('};');
  out.push('');
  out.push(`export type Wire = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'u64' | 'i64' | 'f64' | 'bool';`);
  out.push(`export type FieldKind = 'int' | 'bool' | 'float' | 'enum' | 'string' | 'struct' | 'union';`);
  out.push('');
  out.push('export interface FieldDef {');
  out.push('  /** Field name as in the .api file. */');
  out.push('  readonly name: string;');
  out.push("  /** Declared type without vl_api_/_t (aliases kept: 'interface_index', 'mac_address'). */");
  out.push('  readonly type: string;');
  out.push('  /** What the bytes are once aliases are followed. */');
  out.push('  readonly kind: FieldKind;');
  out.push('  /** Wire integer for int/bool/float/enum (an enum\'s enumtype); null for string/struct/union. */');
  out.push('  readonly wire: Wire | null;');
  out.push('  /** Bytes per element (string: 1 per char). */');
  out.push('  readonly elemSize: number;');
  out.push('  /** 1 = scalar, N = fixed array (string[N] is N bytes NUL-padded), 0 = variable length. */');
  out.push('  readonly count: number;');
  out.push('  /** Variable-length arrays: the earlier field holding the element count. */');
  out.push('  readonly countField?: string;');
  out.push('  /** Bytes in the fixed part: elemSize * count; 0 for a VLA; 4 for a VLA string (u32 length). */');
  out.push('  readonly size: number;');
  out.push('  /** Byte offset from the start of the message/type; -1 when it follows a variable-length field. */');
  out.push('  readonly offset: number;');
  out.push('  /** struct/union/enum: its name in TYPES / UNIONS / ENUMS. */');
  out.push('  readonly ref?: string;');
  out.push('  readonly default?: number | boolean | string;');
  out.push('}');
  out.push('');
  out.push('export interface MsgDef {');
  out.push('  readonly name: string;');
  out.push("  /** '0x'-prefixed CRC from the .api.json. */");
  out.push('  readonly crc: string;');
  out.push("  /** name + '_' + crc without 0x: the key of VPP's message table (sockclnt_create_reply). */");
  out.push('  readonly nameCrc: string;');
  out.push('  /** The .api module (file) defining it. */');
  out.push('  readonly module: string;');
  out.push('  /** Fields in wire order, starting with _vl_msg_id. */');
  out.push('  readonly fields: readonly FieldDef[];');
  out.push('  /** Fixed size in bytes (up to and including the first variable-length field\'s fixed part). */');
  out.push('  readonly size: number;');
  out.push('  /** Has a variable-length field (directly or inside a type): the wire size is size + the elements. */');
  out.push('  readonly variable: boolean;');
  out.push('  /** Requests: the reply (or, for dumps, the details) message name from the .api services. */');
  out.push('  readonly reply?: string;');
  out.push('  /** True for X_dump: details stream, terminated by a control_ping reply. */');
  out.push('  readonly stream?: boolean;');
  out.push('  /** Cursor-style gets (lcp_itf_pair_get): details message streamed before the reply. */');
  out.push('  readonly streamMsg?: string;');
  out.push('}');
  out.push('');
  out.push('export interface TypeDef {');
  out.push('  readonly name: string;');
  out.push('  readonly fields: readonly FieldDef[];');
  out.push('  /** Fixed size (union: its largest member). */');
  out.push('  readonly size: number;');
  out.push('  readonly variable: boolean;');
  out.push('}');
  out.push('');
  out.push('export interface EnumDef {');
  out.push('  readonly name: string;');
  out.push('  readonly wire: Wire;');
  out.push('  readonly size: number;');
  out.push('  /** Declared with `enumflag` (values are OR-ed bits). */');
  out.push('  readonly flags: boolean;');
  out.push('  readonly values: Readonly<Record<string, number>>;');
  out.push('}');
  out.push('');

  // Types and unions reached from the wanted messages, in name order.
  const tnames = [...m.types.keys()].sort();
  out.push('export const TYPES: Readonly<Record<string, TypeDef>> = {');
  for (const n of tnames) {
    const c = m.types.get(n)!;
    if (c.union) continue;
    out.push(`  ${n}: {`);
    out.push(`    name: ${lit(n)}, size: ${c.size}, variable: ${c.variable},`);
    out.push('    fields: [');
    for (const f of c.fields) out.push(`      ${fieldLit(f)},`);
    out.push('    ],');
    out.push('  },');
  }
  out.push('};');
  out.push('');
  out.push('export const UNIONS: Readonly<Record<string, TypeDef>> = {');
  for (const n of tnames) {
    const c = m.types.get(n)!;
    if (!c.union) continue;
    out.push(`  ${n}: {`);
    out.push(`    name: ${lit(n)}, size: ${c.size}, variable: ${c.variable},`);
    out.push('    fields: [');
    for (const f of c.fields) out.push(`      ${fieldLit(f)},`);
    out.push('    ],');
    out.push('  },');
  }
  out.push('};');
  out.push('');
  out.push('export const ENUMS: Readonly<Record<string, EnumDef>> = {');
  for (const n of [...m.enums.keys()].sort()) {
    const e = m.enums.get(n)!;
    out.push(`  ${n}: {`);
    out.push(`    name: ${lit(n)}, wire: ${lit(e.wire)}, size: ${e.size}, flags: ${e.flags},`);
    out.push('    values: {');
    for (const [k, v] of e.values) out.push(`      ${k}: ${v},`);
    out.push('    },');
    out.push('  },');
  }
  out.push('};');
  out.push('');
  out.push('export const MESSAGES: Readonly<Record<string, MsgDef>> = {');
  for (const x of msgs) {
    out.push(`  ${x.n}: {`);
    const head = [`name: ${lit(x.n)}`, `crc: ${lit(x.crc)}`, `nameCrc: ${lit(`${x.n}_${x.crc.replace(/^0x/, '')}`)}`, `module: ${lit(x.module)}`, `size: ${x.size}`, `variable: ${x.variable}`];
    if (x.service) {
      head.push(`reply: ${lit(x.service.reply)}`);
      if (x.service.stream) head.push('stream: true');
      if (x.service.stream_msg) head.push(`streamMsg: ${lit(x.service.stream_msg)}`);
    }
    out.push(`    ${head.join(', ')},`);
    out.push('    fields: [');
    for (const f of x.fields) out.push(`      ${fieldLit(f)},`);
    out.push('    ],');
    out.push('  },');
  }
  out.push('};');
  out.push('');
  return out.join('\n');
}

/** Read every *.api.json of a directory (name -> parsed JSON). */
export function readApiDir(dir: string): Record<string, unknown> {
  const files: Record<string, unknown> = {};
  for (const f of fs.readdirSync(dir).sort()) {
    if (f.endsWith('.api.json')) files[f] = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  }
  return files;
}

if (require.main === module) {
  const dir = process.argv[2] ?? VPP_API_JSON_DIR;
  const outFile = process.argv[3] ?? path.resolve(__dirname, '../../../../ts/vpp/gen/messages.ts');
  const text = generate(readApiDir(dir));
  fs.writeFileSync(outFile, text);
  process.stdout.write(`wrote ${outFile} (${text.length} bytes)\n`);
}

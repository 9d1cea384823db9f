// The VPP simulator's message definitions: every message of vpp-api/json (the message table), with layouts from ts/vpp/gen/messages.ts where it has them.
//
// The simulator must know every message a VPP 25.10 with these modules announces (the table in
// sockclnt_create_reply), so it reads all *.api.json files itself. For the messages the generated
// file defines, the field list comes from there (one source of definitions for client and
// simulator); sizes and offsets are always computed here, independently of ts/vpp, and
// `crossCheckGenerated()` reports any disagreement between the two readings.
import * as fs from 'fs';
import * as path from 'path';
import { VPP_API_JSON_DIR } from '../paths';
import * as gen from '../vpp/gen/messages';

export type Prim = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'u64' | 'i64' | 'f64' | 'bool';

const PRIM_SIZE: Record<Prim, number> = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, u64: 8, i64: 8, f64: 8, bool: 1 };

export interface SimField {
  readonly name: string;
  /** Integer/bool/float/enum wire type; absent for strings and composites. */
  readonly prim?: Prim;
  /** A string: fixed `count` bytes NUL-padded, or (count 0) vl_api_string_t = u32 length + bytes. */
  readonly str?: boolean;
  /** A struct or union. */
  readonly sub?: SimType;
  /** 1 scalar, N fixed array, 0 variable length. */
  readonly count: number;
  /** VLA: the earlier sibling field holding the element count. */
  readonly countField?: string;
  /** Bytes per element. */
  readonly elemSize: number;
}

export interface SimType {
  readonly name: string;
  readonly union: boolean;
  readonly fields: readonly SimField[];
  /** Bytes of the fixed part (a VLA contributes 0, a VLA string its u32 length word). */
  readonly size: number;
  /** Contains a variable-length part (directly or in a member type). */
  readonly variable: boolean;
}

export interface SimMsg extends SimType {
  readonly crc: string;
  readonly nameCrc: string;
  readonly module: string;
  /** Where the field list came from. */
  readonly source: 'generated' | 'json';
}

export interface SimModule {
  readonly name: string;
  /** The module's file CRC (vl_api_version): get_first_msg_id names a range "<module>_<crc>". */
  readonly crc: string;
  readonly version: [number, number, number];
  /** Message names in definition order: VPP numbers a module's messages base + position. */
  readonly messages: readonly string[];
}

export interface SimDefs {
  readonly messages: ReadonlyMap<string, SimMsg>;
  readonly modules: readonly SimModule[];
  readonly jsonDir: string;
}

function fieldSize(f: SimField): number {
  if (f.count === 0) return f.str ? 4 : 0;
  return f.elemSize * f.count;
}

function mkType(name: string, union: boolean, fields: SimField[]): SimType {
  let size = 0;
  let variable = false;
  for (const f of fields) {
    const s = fieldSize(f);
    size = union ? Math.max(size, s) : size + s;
    if (f.count === 0 || (f.sub && f.sub.variable)) variable = true;
  }
  return { name, union, fields, size, variable };
}

// ---------------------------------------------------------------- JSON reading

type Raw = unknown[];
interface ApiFile {
  types: Raw[];
  messages: Raw[];
  unions: Raw[];
  enums: Raw[];
  enumflags?: Raw[];
  aliases: Record<string, { type: string; length?: number }>;
  vl_api_version: string;
  options: { version?: string };
}

class JsonReader {
  private rawTypes = new Map<string, Raw>();
  private rawUnions = new Map<string, Raw>();
  private enums = new Map<string, Prim>();
  private aliases = new Map<string, { type: string; length?: number }>();
  private built = new Map<string, SimType>();

  add(f: ApiFile): void {
    for (const t of f.types) this.rawTypes.set(t[0] as string, t);
    for (const u of f.unions) this.rawUnions.set(u[0] as string, u);
    for (const e of [...f.enums, ...(f.enumflags ?? [])]) {
      const opt = e[e.length - 1] as { enumtype?: string };
      this.enums.set(e[0] as string, (opt.enumtype ?? 'u32') as Prim);
    }
    for (const [k, v] of Object.entries(f.aliases)) this.aliases.set(k, v);
  }

  type(name: string): SimType {
    const have = this.built.get(name);
    if (have) return have;
    const raw = this.rawTypes.get(name) ?? this.rawUnions.get(name);
    if (!raw) throw new Error(`vpp-sim: unknown API type ${name}`);
    const t = mkType(name, this.rawUnions.has(name), this.fields(raw.slice(1)));
    this.built.set(name, t);
    return t;
  }

  /** Fields of a type or message (the trailing options object, if any, is skipped). */
  fields(raw: Raw): SimField[] {
    const out: SimField[] = [];
    for (const r of raw) {
      if (!Array.isArray(r)) continue;
      out.push(this.field(r));
    }
    return out;
  }

  private field(r: unknown[]): SimField {
    const tname = r[0] as string;
    const name = r[1] as string;
    let count = 1;
    let countField: string | undefined;
    if (typeof r[2] === 'number') {
      count = r[2];
      if (typeof r[3] === 'string') countField = r[3];
    }
    return this.resolve(tname, name, count, countField);
  }

  private resolve(tname: string, name: string, count: number, countField?: string): SimField {
    if (tname === 'string') return { name, str: true, count, countField, elemSize: 1 };
    if (tname in PRIM_SIZE) return { name, prim: tname as Prim, count, countField, elemSize: PRIM_SIZE[tname as Prim] };
    const bare = tname.startsWith('vl_api_') && tname.endsWith('_t') ? tname.slice(7, -2) : tname;
    const en = this.enums.get(bare);
    if (en) return { name, prim: en, count, countField, elemSize: PRIM_SIZE[en] };
    const al = this.aliases.get(bare);
    if (al) {
      if (al.length !== undefined) {
        // An array alias (mac_address = u8[6]); an array of it is not used by the modelled messages.
        const inner = this.resolve(al.type, name, al.length);
        if (count !== 1) throw new Error(`vpp-sim: array of array alias ${bare} in ${name}`);
        return inner;
      }
      return this.resolve(al.type, name, count, countField);
    }
    const sub = this.type(bare);
    return { name, sub, count, countField, elemSize: sub.size };
  }
}

// ---------------------------------------------------------------- generated file conversion

function fromGenFields(fields: readonly gen.FieldDef[]): SimField[] {
  return fields.map((f) => {
    const base = { name: f.name, count: f.count, countField: f.countField };
    switch (f.kind) {
      case 'string':
        return { ...base, str: true, elemSize: 1 };
      case 'struct':
      case 'union': {
        const src = f.kind === 'struct' ? gen.TYPES[f.ref as string] : gen.UNIONS[f.ref as string];
        if (!src) throw new Error(`vpp-sim: generated ${f.kind} ${f.ref} missing`);
        const sub = mkType(src.name, f.kind === 'union', fromGenFields(src.fields));
        return { ...base, sub, elemSize: sub.size };
      }
      default:
        return { ...base, prim: f.wire as Prim, elemSize: PRIM_SIZE[f.wire as Prim] };
    }
  });
}

// ---------------------------------------------------------------- loading

export function defaultJsonDir(): string {
  return VPP_API_JSON_DIR;
}

function parseVersion(v: string | undefined): [number, number, number] {
  const p = (v ?? '0.0.0').split('.').map((x) => Number(x) || 0);
  return [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0];
}

let cached: SimDefs | null = null;

export function loadDefs(jsonDir = defaultJsonDir()): SimDefs {
  if (cached && cached.jsonDir === jsonDir) return cached;
  const files = fs.readdirSync(jsonDir).filter((f) => f.endsWith('.api.json')).sort();
  if (files.length === 0) throw new Error(`vpp-sim: no *.api.json in ${jsonDir}`);
  const reader = new JsonReader();
  const parsed: [string, ApiFile][] = [];
  for (const f of files) {
    const j = JSON.parse(fs.readFileSync(path.join(jsonDir, f), 'utf8')) as ApiFile;
    reader.add(j);
    parsed.push([f.replace(/\.api\.json$/, ''), j]);
  }
  const messages = new Map<string, SimMsg>();
  const modules: SimModule[] = [];
  for (const [mod, j] of parsed) {
    if (j.messages.length === 0) continue;
    const names: string[] = [];
    for (const m of j.messages) {
      const name = m[0] as string;
      const opt = m[m.length - 1] as { crc: string };
      const crc = opt.crc;
      const g = gen.MESSAGES[name];
      const useGen = g !== undefined && g.crc === crc;
      const fields = useGen ? fromGenFields(g.fields) : reader.fields(m.slice(1));
      const t = mkType(name, false, fields);
      messages.set(name, {
        ...t, crc, nameCrc: `${name}_${crc.replace(/^0x/, '')}`, module: mod,
        source: useGen ? 'generated' : 'json',
      });
      names.push(name);
    }
    modules.push({ name: mod, crc: j.vl_api_version.replace(/^0x/, ''), version: parseVersion(j.options.version), messages: names });
  }
  cached = { messages, modules, jsonDir };
  return cached;
}

/**
 * Compares, for every message the generated file defines, its fixed size and field offsets with
 * the ones computed here from the JSON. Returns one line per disagreement (empty when they agree).
 */
export function crossCheckGenerated(jsonDir = defaultJsonDir()): string[] {
  const reader = new JsonReader();
  const bad: string[] = [];
  const jsonMsgs = new Map<string, Raw>();
  for (const f of fs.readdirSync(jsonDir).filter((x) => x.endsWith('.api.json'))) {
    const j = JSON.parse(fs.readFileSync(path.join(jsonDir, f), 'utf8')) as ApiFile;
    reader.add(j);
    for (const m of j.messages) jsonMsgs.set(m[0] as string, m);
  }
  for (const g of Object.values(gen.MESSAGES)) {
    const raw = jsonMsgs.get(g.name);
    if (!raw) {
      bad.push(`${g.name}: not in the API JSON`);
      continue;
    }
    const crc = (raw[raw.length - 1] as { crc: string }).crc;
    if (crc !== g.crc) bad.push(`${g.name}: crc ${g.crc} in generated file, ${crc} in JSON`);
    const mine = mkType(g.name, false, reader.fields(raw.slice(1)));
    if (mine.size !== g.size) bad.push(`${g.name}: fixed size ${g.size} generated, ${mine.size} computed`);
    let off = 0;
    for (let i = 0; i < g.fields.length; i++) {
      const gf = g.fields[i];
      const mf = mine.fields[i];
      if (!mf || mf.name !== gf.name) {
        bad.push(`${g.name}: field ${i} is ${gf.name} generated, ${mf?.name} in JSON`);
        break;
      }
      if (off >= 0 && gf.offset !== off) bad.push(`${g.name}.${gf.name}: offset ${gf.offset} generated, ${off} computed`);
      if (off >= 0 && gf.size !== fieldSize(mf)) bad.push(`${g.name}.${gf.name}: size ${gf.size} generated, ${fieldSize(mf)} computed`);
      if (gf.countField !== mf.countField) bad.push(`${g.name}.${gf.name}: count field ${gf.countField} generated, ${mf.countField} in JSON`);
      off = mf.count === 0 || (mf.sub && mf.sub.variable) ? -1 : off + fieldSize(mf);
    }
  }
  return bad;
}

/** Byte offset of a (dotted) fixed-position field of a type, e.g. 'route.paths'. Throws if it follows a VLA. */
export function offsetOf(t: SimType, dotted: string): number {
  let off = 0;
  let cur: SimType = t;
  const parts = dotted.split('.');
  for (let p = 0; p < parts.length; p++) {
    let here = 0;
    let found: SimField | undefined;
    for (const f of cur.fields) {
      if (f.name === parts[p]) {
        found = f;
        break;
      }
      if (f.count === 0 || (f.sub && f.sub.variable)) throw new Error(`vpp-sim: ${dotted} of ${t.name} follows a variable-length field`);
      if (!cur.union) here += fieldSize(f);
    }
    if (!found) throw new Error(`vpp-sim: no field ${dotted} in ${t.name}`);
    off += here;
    if (p < parts.length - 1) {
      if (!found.sub) throw new Error(`vpp-sim: ${parts[p]} of ${t.name} is not a composite`);
      cur = found.sub;
    }
  }
  return off;
}

export function fieldOf(t: SimType, name: string): SimField {
  const f = t.fields.find((x) => x.name === name);
  if (!f) throw new Error(`vpp-sim: no field ${name} in ${t.name}`);
  return f;
}

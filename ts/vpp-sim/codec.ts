// The VPP simulator's own message codec: computed sizes, generic decode to objects and encode from objects (big-endian, packed).
//
// Written apart from ts/vpp/codec.ts on purpose: the client and the simulator each read the
// definitions their own way, so a layout bug on one side shows up as a failure, not as two
// matching mistakes. Wire rules (vpp-api.md, vlibapi/api_common.h): every integer big-endian,
// no padding, `string x[N]` N bytes NUL-padded, `string x[]` u32 length + bytes, a VLA follows
// its count field.
import { SimField, SimType } from './defs';

export type Value = number | boolean | string | Buffer | Value[] | { [k: string]: Value };
export type Obj = { [k: string]: Value };

/** The size computation VPP's generated *_calc_size does, or -1 when a count lies past `end`. */
export type SizeFn = (buf: Buffer, off: number, end: number) => number;

function countFieldsOf(t: SimType): Set<string> {
  const s = new Set<string>();
  for (const f of t.fields) if (f.countField) s.add(f.countField);
  return s;
}

function readPrimNum(buf: Buffer, p: number, f: SimField): number {
  switch (f.prim) {
    case 'u8':
    case 'bool':
      return buf[p];
    case 'i8':
      return buf.readInt8(p);
    case 'u16':
      return buf.readUInt16BE(p);
    case 'i16':
      return buf.readInt16BE(p);
    case 'u32':
      return buf.readUInt32BE(p);
    case 'i32':
      return buf.readInt32BE(p);
    case 'u64':
      return Number(buf.readBigUInt64BE(p));
    case 'i64':
      return Number(buf.readBigInt64BE(p));
    case 'f64':
      return buf.readDoubleBE(p);
    default:
      return 0;
  }
}

/** Size in bytes of an instance of `t` at `off`; -1 if a count or length word lies past `end`. */
export function sizeAt(t: SimType, buf: Buffer, off: number, end: number): number {
  if (!t.variable) return t.size;
  const need = countFieldsOf(t);
  const counts = new Map<string, number>();
  let p = off;
  for (const f of t.fields) {
    if (f.count === 0 && f.str) {
      if (p + 4 > end) return -1;
      p += 4 + buf.readUInt32BE(p);
      continue;
    }
    let n = f.count;
    if (n === 0) n = f.countField ? counts.get(f.countField) ?? 0 : 0;
    if (f.sub && f.sub.variable) {
      for (let i = 0; i < n; i++) {
        const s = sizeAt(f.sub, buf, p, end);
        if (s < 0) return -1;
        p += s;
      }
      continue;
    }
    if (need.has(f.name) && f.prim) {
      if (p + f.elemSize > end) return -1;
      counts.set(f.name, readPrimNum(buf, p, f));
    }
    p += f.elemSize * n;
  }
  return p - off;
}

/**
 * A size function for `t`: a constant when it has no variable part, `fixed + count * elem` when its
 * only variable part is a trailing VLA (the route messages: ip_route_add_del is 39 + n_paths * 167),
 * else the general walk.
 */
export function compileSize(t: SimType): SizeFn {
  if (!t.variable) {
    const s = t.size;
    return () => s;
  }
  const simple = trailingVla(t, 0);
  if (simple) {
    const { countOff, countSize, elemSize } = simple;
    const fixed = t.size;
    if (countSize === 1) return (buf, off, end) => (off + countOff < end ? fixed + buf[off + countOff] * elemSize : -1);
    if (countSize === 2)
      return (buf, off, end) => (off + countOff + 2 <= end ? fixed + buf.readUInt16BE(off + countOff) * elemSize : -1);
    return (buf, off, end) => (off + countOff + 4 <= end ? fixed + buf.readUInt32BE(off + countOff) * elemSize : -1);
  }
  return (buf, off, end) => sizeAt(t, buf, off, end);
}

function trailingVla(t: SimType, base: number): { countOff: number; countSize: number; elemSize: number } | null {
  let off = base;
  const offs = new Map<string, [number, number]>();
  for (let i = 0; i < t.fields.length; i++) {
    const f = t.fields[i];
    const last = i === t.fields.length - 1;
    if (f.count === 0) {
      if (!last || f.str || !f.countField || (f.sub && f.sub.variable)) return null;
      const c = offs.get(f.countField);
      if (!c) return null;
      return { countOff: c[0], countSize: c[1], elemSize: f.elemSize };
    }
    if (f.sub && f.sub.variable) {
      if (!last || f.count !== 1) return null;
      return trailingVla(f.sub, off);
    }
    if (f.prim && f.count === 1) offs.set(f.name, [off, f.elemSize]);
    off += f.elemSize * f.count;
  }
  return null;
}

// ---------------------------------------------------------------- decode

function readCString(buf: Buffer, p: number, n: number): string {
  let e = p;
  const end = p + n;
  while (e < end && buf[e] !== 0) e++;
  return buf.toString('utf8', p, e);
}

/** Decodes an instance of `t` at `off` into a plain object; returns it with its size. */
export function decodeAt(t: SimType, buf: Buffer, off: number): [Obj, number] {
  const o: Obj = {};
  let p = off;
  for (const f of t.fields) {
    if (f.str) {
      if (f.count === 0) {
        const n = buf.readUInt32BE(p);
        o[f.name] = buf.toString('utf8', p + 4, p + 4 + n);
        p += 4 + n;
      } else {
        o[f.name] = readCString(buf, p, f.count);
        p += f.count;
      }
      continue;
    }
    let n = f.count;
    const isArray = n !== 1;
    if (n === 0) n = f.countField ? Number(o[f.countField] ?? 0) : 0;
    if (f.sub) {
      if (f.sub.union) {
        const parts: Value[] = [];
        for (let i = 0; i < n; i++) {
          parts.push(Buffer.from(buf.subarray(p, p + f.sub.size)));
          p += f.sub.size;
        }
        o[f.name] = isArray ? parts : parts[0];
        continue;
      }
      const parts: Value[] = [];
      for (let i = 0; i < n; i++) {
        const [v, s] = decodeAt(f.sub, buf, p);
        parts.push(v);
        p += s;
      }
      o[f.name] = isArray ? parts : parts[0];
      continue;
    }
    if (isArray && (f.prim === 'u8' || f.prim === 'i8')) {
      o[f.name] = Buffer.from(buf.subarray(p, p + n));
      p += n;
      continue;
    }
    if (isArray) {
      const arr: Value[] = [];
      for (let i = 0; i < n; i++) {
        arr.push(f.prim === 'bool' ? buf[p] !== 0 : readPrimNum(buf, p, f));
        p += f.elemSize;
      }
      o[f.name] = arr;
      continue;
    }
    o[f.name] = f.prim === 'bool' ? buf[p] !== 0 : readPrimNum(buf, p, f);
    p += f.elemSize;
  }
  return [o, p - off];
}

// ---------------------------------------------------------------- encode

function elemsOf(f: SimField, v: Value | undefined, counts: Obj): number {
  if (f.count !== 0) return f.count;
  if (Array.isArray(v) || Buffer.isBuffer(v)) return v.length;
  return f.countField ? Number(counts[f.countField] ?? 0) : 0;
}

/** Bytes `obj` needs as an instance of `t` (VLA lengths from the arrays given). */
export function sizeOfValue(t: SimType, obj: Obj): number {
  if (!t.variable) return t.size;
  let s = 0;
  for (const f of t.fields) {
    const v = obj[f.name];
    if (f.str && f.count === 0) {
      s += 4 + Buffer.byteLength(typeof v === 'string' ? v : '');
      continue;
    }
    const n = elemsOf(f, v, obj);
    if (f.sub && f.sub.variable) {
      const arr = (f.count === 1 ? [v] : (v as Value[] | undefined) ?? []) as Obj[];
      for (let i = 0; i < n; i++) s += sizeOfValue(f.sub, arr[i] ?? {});
    } else s += f.elemSize * n;
  }
  return s;
}

function writePrim(buf: Buffer, p: number, f: SimField, v: Value | undefined): void {
  const x = typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'number' ? v : 0;
  switch (f.prim) {
    case 'u8':
    case 'bool':
      buf[p] = x & 0xff;
      break;
    case 'i8':
      buf.writeInt8(x, p);
      break;
    case 'u16':
      buf.writeUInt16BE(x & 0xffff, p);
      break;
    case 'i16':
      buf.writeInt16BE(x, p);
      break;
    case 'u32':
      buf.writeUInt32BE(x >>> 0, p);
      break;
    case 'i32':
      buf.writeInt32BE(x | 0, p);
      break;
    case 'u64':
      buf.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(x))), p);
      break;
    case 'i64':
      buf.writeBigInt64BE(BigInt(Math.floor(x)), p);
      break;
    case 'f64':
      buf.writeDoubleBE(x, p);
      break;
  }
}

/** Writes `obj` as `t` at `off` (missing fields are zero; count fields default to the array length). */
export function encodeInto(t: SimType, obj: Obj, buf: Buffer, off: number): number {
  let p = off;
  for (const f of t.fields) {
    let v = obj[f.name];
    if (v === undefined && t.fields.some((g) => g.countField === f.name)) {
      const g = t.fields.find((x) => x.countField === f.name) as SimField;
      const arr = obj[g.name];
      v = Array.isArray(arr) || Buffer.isBuffer(arr) ? arr.length : 0;
    }
    if (f.str) {
      const s = typeof v === 'string' ? v : '';
      if (f.count === 0) {
        const n = buf.write(s, p + 4, 'utf8');
        buf.writeUInt32BE(n, p);
        p += 4 + n;
      } else {
        buf.fill(0, p, p + f.count);
        // Always leave room for the NUL: VPP's C strings are NUL-terminated.
        buf.write(s, p, Math.min(Buffer.byteLength(s), f.count - 1), 'utf8');
        p += f.count;
      }
      continue;
    }
    const n = elemsOf(f, v, obj);
    const isArray = f.count !== 1;
    if (f.sub) {
      const arr = (isArray ? (v as Value[] | undefined) ?? [] : [v]) as (Obj | Buffer | undefined)[];
      for (let i = 0; i < n; i++) {
        const e = arr[i];
        if (f.sub.union) {
          buf.fill(0, p, p + f.sub.size);
          if (Buffer.isBuffer(e)) e.copy(buf, p, 0, Math.min(e.length, f.sub.size));
          p += f.sub.size;
        } else p = encodeInto(f.sub, (e as Obj | undefined) ?? {}, buf, p);
      }
      continue;
    }
    if (isArray) {
      if (Buffer.isBuffer(v)) {
        buf.fill(0, p, p + n * f.elemSize);
        v.copy(buf, p, 0, Math.min(v.length, n * f.elemSize));
        p += n * f.elemSize;
      } else {
        const arr = (v as Value[] | undefined) ?? [];
        for (let i = 0; i < n; i++) {
          writePrim(buf, p, f, arr[i]);
          p += f.elemSize;
        }
      }
      continue;
    }
    writePrim(buf, p, f, v);
    p += f.elemSize;
  }
  return p;
}

export function encode(t: SimType, obj: Obj): Buffer {
  const buf = Buffer.alloc(sizeOfValue(t, obj));
  encodeInto(t, obj, buf, 0);
  return buf;
}

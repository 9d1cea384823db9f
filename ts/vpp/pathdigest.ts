// A route's path set reduced to 64 bits, the same from the paths fibpush would write and from the paths VPP reports in ip_route_v2_details: what adoption compares.
//
// VPP does not report a path the way it was added (vnet/fib/fib_path.c fib_path_encode and
// vnet/fib/fib_api.c fib_api_path_encode, VPP 25.10), so the digest covers only what VPP keeps:
// - path flags (RESOLVE_VIA_HOST, RESOLVE_VIA_ATTACHED) are lost: fib_path_encode never sets them;
// - weight 0 is stored as 1; the path order is VPP's own (fib_path_list sorts its paths), so the
//   per-path hashes are summed, not chained;
// - an attached path (interface, no next hop) on a host prefix comes back as an attached next hop
//   via the prefix's own address (vnet/fib/fib_table.c fib_table_route_path_fixup);
// - special paths (drop, unreachable, prohibit) keep only their type and preference;
// - labels keep their value; is_uniform, ttl and exp are not compared.
// Two independent 32-bit sums give 64 bits: a collision between two different path sets of the
// same prefix is a 2^-64 event per route.
import { FIB_PATH_SIZE, NO_SW_IF_INDEX, PathType } from './codec';

export class PathDigest {
  a = 0;
  b = 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

// Two streams with different multipliers (the constants of murmur3 and xxhash32).
let ha = 0;
let hb = 0;
function mix(x: number): void {
  ha = Math.imul((ha ^ x) >>> 0, 0xcc9e2d51);
  ha = ((ha << 15) | (ha >>> 17)) >>> 0;
  hb = Math.imul((hb ^ x) >>> 0, 0x9e3779b1);
  hb = ((hb << 13) | (hb >>> 19)) >>> 0;
}

/**
 * Digest of `n` encoded fib_paths at `off` in `dv`, for a route of `addr`/`len` (IPv6 when
 * `isIp6`). Writes `out` and returns it.
 */
export function digestPaths(dv: DataView, off: number, n: number, addr: Uint8Array, len: number, isIp6: boolean, out: PathDigest): PathDigest {
  let a = 0;
  let b = 0;
  const host = len === (isIp6 ? 128 : 32);
  for (let i = 0; i < n; i++) {
    const o = off + i * FIB_PATH_SIZE;
    ha = 0x3c6ef372;
    hb = 0x6a09e667;
    const type = dv.getUint32(o + 14);
    mix(type);
    mix(dv.getUint8(o + 13)); // preference
    if (type === PathType.Normal) {
      const sw = dv.getUint32(o);
      const proto = dv.getUint32(o + 22);
      mix(sw);
      mix(dv.getUint32(o + 4)); // table_id
      mix(dv.getUint8(o + 12) || 1); // weight
      mix(proto);
      const words = proto === 1 ? 4 : 1;
      let self = host && sw !== NO_SW_IF_INDEX && (proto === 1) === isIp6;
      for (let w = 0; w < words && self; w++) {
        if (dv.getUint32(o + 26 + 4 * w) !== ((addr[4 * w] << 24) | (addr[4 * w + 1] << 16) | (addr[4 * w + 2] << 8) | addr[4 * w + 3]) >>> 0) self = false;
      }
      for (let w = 0; w < words; w++) mix(self ? 0 : dv.getUint32(o + 26 + 4 * w));
      const nl = dv.getUint8(o + 54);
      mix(nl);
      for (let l = 0; l < nl && l < 16; l++) mix(dv.getUint32(o + 55 + 7 * l + 1));
    }
    a = (a + fmix(ha)) >>> 0;
    b = (b + fmix(hb ^ 0x5bd1e995)) >>> 0;
  }
  out.a = a;
  out.b = fmix((b ^ Math.imul(n, 0x27d4eb2f)) >>> 0);
  return out;
}

/** Digest of encoded paths held in a Uint8Array (the programmer's own). */
export function digestEncoded(paths: Uint8Array, n: number, addr: Uint8Array, len: number, isIp6: boolean, out: PathDigest): PathDigest {
  return digestPaths(new DataView(paths.buffer, paths.byteOffset, paths.byteLength), 0, n, addr, len, isIp6, out);
}

// Address helpers of the VPP simulator: IPv4/IPv6 text <-> 32-bit words and 16-byte VPP address unions.
//
// VPP's `address_union` is 16 bytes with an IPv4 address in its first 4 (ip_types.api); the FIB
// model keys prefixes by big-endian 32-bit words so no string is built per route.

export interface ParsedPrefix {
  /** 0 IPv4, 1 IPv6 (VPP's address_family). */
  af: 0 | 1;
  /** Address as 4 big-endian words (IPv4 uses words[0]). */
  words: Uint32Array;
  len: number;
}

export function parseIp4(s: string): number {
  const p = s.split('.');
  if (p.length !== 4) throw new Error(`not an IPv4 address: ${s}`);
  let v = 0;
  for (const x of p) {
    if (!/^\d{1,3}$/.test(x) || Number(x) > 255) throw new Error(`not an IPv4 address: ${s}`);
    v = v * 256 + Number(x);
  }
  return v >>> 0;
}

export function formatIp4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

export function parseIp6(s: string): Uint32Array {
  const out = new Uint32Array(4);
  let str = s;
  let tail: number[] = [];
  // An embedded IPv4 tail (::ffff:1.2.3.4).
  const m = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(str);
  if (m) {
    const v4 = parseIp4(m[2]);
    tail = [v4 >>> 16, v4 & 0xffff];
    str = m[1].endsWith('::') ? m[1] : m[1].slice(0, -1);
  }
  const halves = str.split('::');
  if (halves.length > 2) throw new Error(`not an IPv6 address: ${s}`);
  const grp = (h: string): number[] =>
    h === ''
      ? []
      : h.split(':').map((x) => {
          if (!/^[0-9a-fA-F]{1,4}$/.test(x)) throw new Error(`not an IPv6 address: ${s}`);
          return parseInt(x, 16);
        });
  const head = grp(halves[0]);
  const back = halves.length === 2 ? [...grp(halves[1]), ...tail] : [];
  const front = halves.length === 2 ? head : [...head, ...tail];
  const zeros = 8 - front.length - back.length;
  if (zeros < 0 || (halves.length === 1 && zeros !== 0)) throw new Error(`not an IPv6 address: ${s}`);
  const all = [...front, ...new Array<number>(zeros).fill(0), ...back];
  for (let i = 0; i < 4; i++) out[i] = ((all[2 * i] << 16) | all[2 * i + 1]) >>> 0;
  return out;
}

export function formatIp6(w: ArrayLike<number>): string {
  const g: number[] = [];
  for (let i = 0; i < 4; i++) g.push(w[i] >>> 16, w[i] & 0xffff);
  // RFC 5952: compress the longest run (of two or more) of zero groups.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

export function parseAddress(s: string): { af: 0 | 1; words: Uint32Array } {
  if (s.includes(':')) return { af: 1, words: parseIp6(s) };
  const w = new Uint32Array(4);
  w[0] = parseIp4(s);
  return { af: 0, words: w };
}

/** "10.0.0.0/24", "2001:db8::/32"; a bare address is a host prefix. */
export function parsePrefix(s: string): ParsedPrefix {
  const slash = s.indexOf('/');
  const a = parseAddress(slash < 0 ? s : s.slice(0, slash));
  const max = a.af === 0 ? 32 : 128;
  const len = slash < 0 ? max : Number(s.slice(slash + 1));
  if (!Number.isInteger(len) || len < 0 || len > max) throw new Error(`bad prefix length in ${s}`);
  return { af: a.af, words: a.words, len };
}

export function formatAddress(af: number, w: ArrayLike<number>): string {
  return af === 0 ? formatIp4(w[0]) : formatIp6(w);
}

/** Mask of the `i`th word for a prefix length. */
export function maskWord(len: number, i: number): number {
  const bits = len - 32 * i;
  if (bits >= 32) return 0xffffffff;
  if (bits <= 0) return 0;
  return (0xffffffff << (32 - bits)) >>> 0;
}

/** Reads a 16-byte address union (IPv4 in its first 4 bytes) into words. */
export function unionToWords(af: number, b: Uint8Array, off: number, out: Uint32Array): void {
  const rd = (o: number): number => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  out[0] = rd(off);
  if (af === 0) {
    out[1] = out[2] = out[3] = 0;
  } else {
    out[1] = rd(off + 4);
    out[2] = rd(off + 8);
    out[3] = rd(off + 12);
  }
}

export function wordsToUnion(af: number, w: ArrayLike<number>, b: Uint8Array, off: number): void {
  const n = af === 0 ? 1 : 4;
  for (let i = 0; i < 4; i++) {
    const v = i < n ? w[i] : 0;
    b[off + 4 * i] = v >>> 24;
    b[off + 4 * i + 1] = (v >>> 16) & 255;
    b[off + 4 * i + 2] = (v >>> 8) & 255;
    b[off + 4 * i + 3] = v & 255;
  }
}

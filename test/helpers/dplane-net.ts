// Test helper: address text <-> bytes and small formatting used by the dplane tests.
import { isIPv4, isIPv6 } from 'net';

const parsed = new Map<string, Uint8Array>();

/** IPv4 or IPv6 text -> 4 or 16 bytes (throws on anything else). Returns a fresh copy. */
export function parseIp(s: string): Uint8Array {
  let b = parsed.get(s);
  if (b === undefined) {
    b = parseIpText(s);
    if (parsed.size < 10000) parsed.set(s, b);
  }
  return b.slice();
}

function parseIpText(s: string): Uint8Array {
  if (isIPv4(s)) return Uint8Array.from(s.split('.').map(Number));
  if (!isIPv6(s)) throw new Error(`not an IP address: ${s}`);
  const parse = (x: string) => (x === '' ? [] : x.split(':').map((p) => parseInt(p, 16)));
  const dc = s.indexOf('::');
  let g: number[];
  if (dc < 0) g = parse(s);
  else {
    const h = parse(s.slice(0, dc));
    const t = parse(s.slice(dc + 2));
    g = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = g[i] >> 8;
    out[2 * i + 1] = g[i] & 0xff;
  }
  return out;
}

/** Canonical text of 4 or 16 bytes (IPv6: RFC 5952, as iproute2/FRR print it). */
const formatted = new Map<string, string>();

export function fmtIp(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const k = String.fromCharCode(...b);
  let s = formatted.get(k);
  if (s === undefined) {
    s = fmtV6(b);
    if (formatted.size < 10000) formatted.set(k, s);
  }
  return s;
}

function fmtV6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[2 * i] << 8) | b[2 * i + 1]);
  let bs = -1;
  let bl = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bl) {
      bs = i;
      bl = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  return bs < 0 ? hex(g) : `${hex(g.slice(0, bs))}::${hex(g.slice(bs + bl))}`;
}

/** Canonical prefix text: "10.0.0.0/24", "fd00::/64". */
export function fmtPrefix(b: Uint8Array, len: number): string {
  return `${fmtIp(b)}/${len}`;
}

/** Normalises "a.b.c.d" / "a.b.c.d/len" / IPv6 text to the canonical "addr/len" form (host bits cleared). */
export function normPrefix(s: string): string {
  const [a, l] = s.split('/');
  const b = parseIp(a);
  const len = l === undefined ? b.length * 8 : Number(l);
  for (let i = 0; i < b.length; i++) {
    const bits = len - 8 * i;
    if (bits <= 0) b[i] = 0;
    else if (bits < 8) b[i] &= (0xff << (8 - bits)) & 0xff;
  }
  return fmtPrefix(b, len);
}

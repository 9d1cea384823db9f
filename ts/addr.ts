// IP address text <-> bytes, shared by the daemon's operations surface (status, lookups, logs) and the VPP side's options (VXLAN source); not used per route.
import { isIPv4, isIPv6 } from 'net';
import { formatIp } from './codec/format';

/** Dotted quad. */
export function formatV4(b: Uint8Array, off = 0): string {
  return formatIp(b, off, 4);
}

/** inet_ntop's form (RFC 5952), the text zebra's JSON uses too. */
export function formatV6(b: Uint8Array, off = 0): string {
  return formatIp(b, off, 16);
}

export function formatAddr(family: 4 | 6, b: Uint8Array, off = 0): string {
  return family === 4 ? formatV4(b, off) : formatV6(b, off);
}

/** Parses an IPv4 or IPv6 address into 4 or 16 bytes; null when it is neither. */
export function parseAddr(s: string): { family: 4 | 6; bytes: Uint8Array } | null {
  if (isIPv4(s)) return { family: 4, bytes: Uint8Array.from(s.split('.').map(Number)) };
  if (!isIPv6(s)) return null;
  let text = s;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    // IPv4-suffixed form, e.g. ::ffff:10.0.0.1: rewrite the tail as two hex groups.
    const v4 = text.slice(lastColon + 1).split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const parse = (x: string) => (x === '' ? [] : x.split(':').map((p) => parseInt(p, 16)));
  const dc = text.indexOf('::');
  let groups: number[];
  if (dc < 0) {
    groups = parse(text);
  } else {
    const h = parse(text.slice(0, dc));
    const r = parse(text.slice(dc + 2));
    groups = [...h, ...new Array<number>(8 - h.length - r.length).fill(0), ...r];
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = groups[i] >> 8;
    out[2 * i + 1] = groups[i] & 0xff;
  }
  return { family: 6, bytes: out };
}

/** Parses "ADDR/LEN" (or a bare address as a host prefix). */
export function parsePrefix(s: string): { family: 4 | 6; bytes: Uint8Array; len: number } | null {
  const slash = s.indexOf('/');
  const a = parseAddr(slash < 0 ? s : s.slice(0, slash));
  if (!a) return null;
  const max = a.family === 4 ? 32 : 128;
  const len = slash < 0 ? max : /^\d+$/.test(s.slice(slash + 1)) ? Number(s.slice(slash + 1)) : NaN;
  if (!(len >= 0 && len <= max)) return null;
  return { ...a, len };
}

// Test access to the FRR 8.4.4 captures in test/fixtures/frr-8.4 and byte helpers.
import * as fs from 'fs';
import * as path from 'path';
import { FIXTURES_DIR, REPO_ROOT } from '../../ts/paths';

/** The repo root (ts/paths.ts). */
export function repoRoot(): string {
  return REPO_ROOT;
}

export const FIXTURE_DIR = path.join(FIXTURES_DIR, 'frr-8.4');

/** The capture sets: zebra 8.4.4 (Debian 12) and zebra 10.3 (Debian 13). */
export type FixtureSet = 'frr-8.4' | 'frr-10.3';
export const FIXTURE_SETS: readonly FixtureSet[] = ['frr-8.4', 'frr-10.3'];

/** Fixture names (without .bin) of a set, sorted; frames sent *to* zebra (`*-to-zebra`) excluded for 10.3. */
export function fixtureNames(set: FixtureSet = 'frr-8.4'): string[] {
  const dir = path.join(FIXTURES_DIR, set);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.bin') && (set === 'frr-8.4' || !f.includes('-to-zebra')))
    .map((f) => f.slice(0, -4))
    .sort();
}

export function readFixture(name: string, ext = '.bin', set: FixtureSet = 'frr-8.4'): Buffer {
  return fs.readFileSync(path.join(FIXTURES_DIR, set, name + ext));
}

export function readFixtureText(name: string, ext: string, set: FixtureSet = 'frr-8.4'): string {
  return fs.readFileSync(path.join(FIXTURES_DIR, set, name + ext), 'utf8');
}

/**
 * A copy of FPM bytes with every attribute's alignment padding set to zero. zebra's nl_attr_put
 * (zebra/kernel_netlink.c) copies RTA_PAYLOAD bytes and advances by RTA_ALIGN
 * without clearing the gap, so after a 2-byte RTA_ENCAP_TYPE/NHA_ENCAP_TYPE or a 6-byte RTA_VIA
 * the captures hold stale buffer bytes (mpls-*.bin). Those bytes carry no meaning; an encoder
 * writes zeros there like the kernel's nla_put. Only lengths are read here: message and attribute
 * lengths, and the nesting of RTA_MULTIPATH (rtnexthop legs) and NLA_F_NESTED attributes.
 */
export function zeroPadding(src: Uint8Array): Buffer {
  const b = Buffer.from(src);
  const walk = (o: number, end: number, multipathType: number): void => {
    while (o + 4 <= end) {
      const len = b.readUInt16LE(o);
      const type = b.readUInt16LE(o + 2);
      if (len < 4 || o + len > end) return;
      const padEnd = Math.min(o + ((len + 3) & ~3), end);
      b.fill(0, o + len, padEnd);
      if ((type & 0x3fff) === multipathType) {
        let q = o + 4;
        while (q + 8 <= o + len) {
          const rl = b.readUInt16LE(q);
          if (rl < 8 || q + rl > o + len) break;
          walk(q + 8, q + rl, -1);
          b.fill(0, q + rl, Math.min(q + ((rl + 3) & ~3), o + len));
          q += (rl + 3) & ~3;
        }
      } else if (type & 0x8000) {
        walk(o + 4, o + len, -1);
      }
      o = padEnd;
    }
  };
  let o = 0;
  while (o + 4 <= b.length) {
    const flen = b.readUInt16BE(o + 2);
    if (flen < 4 || o + flen > b.length) break;
    let p = o + 4;
    while (p + 16 <= o + flen) {
      const ml = b.readUInt32LE(p);
      const mt = b.readUInt16LE(p + 4);
      if (ml < 16 || p + ml > o + flen) break;
      const body = mt === 24 || mt === 25 || mt === 28 || mt === 29 ? 12 : mt === 104 || mt === 105 ? 8 : -1;
      // RTA_MULTIPATH (9) exists only in route messages
      if (body >= 0) walk(p + 16 + body, p + ml, mt === 24 || mt === 25 ? 9 : -1);
      b.fill(0, p + ml, Math.min(p + ((ml + 3) & ~3), o + flen));
      p += (ml + 3) & ~3;
    }
    o += flen;
  }
  return b;
}

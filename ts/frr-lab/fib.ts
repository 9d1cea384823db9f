// Comparable FIBs: zebra's `show ip[v6] route ... json` and a decoded FPM stream both reduce to
// the same shape (table, prefix, type, resolved nexthops), so tests and the soak can diff them route by route.
import { Attr, Batch, Kind } from '../codec/layout';

export type RouteType = 'unicast' | 'blackhole' | 'unreachable' | 'prohibit';

export interface FibNexthop {
  /** Gateway address in canonical text form, null for an interface-only (connected) leg. */
  gw: string | null;
  ifindex: number;
  /** Weight after dividing all legs of the route by their gcd (equal-cost legs are all 1). */
  weight: number;
}

export interface FibRoute {
  table: number;
  prefix: string;
  type: RouteType;
  /** Sorted by (gw, ifindex, weight); empty for blackhole/unreachable/prohibit. */
  nexthops: FibNexthop[];
}

/** Key: `${table} ${prefix}`. */
export type Fib = Map<string, FibRoute>;

export const fibKey = (table: number, prefix: string): string => `${table} ${prefix}`;

// ---------------------------------------------------------------------------------------------
// Addresses

import { formatV4, formatV6 } from '../addr';

export { formatV4, formatV6 };

/** Parses an IPv4 or IPv6 address to bytes (4 or 16). */
export function parseAddr(s: string): Uint8Array {
  if (!s.includes(':')) {
    const p = s.split('.').map(Number);
    if (p.length !== 4 || p.some((x) => !(x >= 0 && x <= 255))) throw new Error(`bad IPv4 address "${s}"`);
    return Uint8Array.from(p);
  }
  let str = s;
  let tail4: number[] = [];
  const lastColon = str.lastIndexOf(':');
  if (str.slice(lastColon + 1).includes('.')) {
    tail4 = Array.from(parseAddr(str.slice(lastColon + 1)));
    str = str.slice(0, lastColon + 1) + '0:0';
  }
  const [head, tail] = str.includes('::') ? str.split('::') : [str, null];
  const parse = (x: string) => (x === '' ? [] : x.split(':').map((h) => parseInt(h, 16)));
  const hs = parse(head);
  const ts = tail === null ? [] : parse(tail);
  const fill = tail === null ? 0 : 8 - hs.length - ts.length;
  const groups = [...hs, ...new Array<number>(fill).fill(0), ...ts];
  if (groups.length !== 8 || groups.some((x) => !(x >= 0 && x <= 0xffff))) throw new Error(`bad IPv6 address "${s}"`);
  const out = new Uint8Array(16);
  groups.forEach((x, i) => {
    out[2 * i] = x >> 8;
    out[2 * i + 1] = x & 0xff;
  });
  if (tail4.length) out.set(tail4, 12);
  return out;
}

export function canonicalAddr(s: string): string {
  const b = parseAddr(s);
  return b.length === 4 ? formatV4(b) : formatV6(b);
}

export function canonicalPrefix(p: string): string {
  const [a, l] = p.split('/');
  return `${canonicalAddr(a)}/${Number(l)}`;
}

// ---------------------------------------------------------------------------------------------
// Shared normalisation

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function finish(nhs: FibNexthop[]): FibNexthop[] {
  const g = nhs.reduce((acc, n) => gcd(acc, n.weight), 0) || 1;
  for (const n of nhs) n.weight /= g;
  return nhs.sort(
    (x, y) => (x.gw ?? '').localeCompare(y.gw ?? '') || x.ifindex - y.ifindex || x.weight - y.weight,
  );
}

/** Human-readable differences `expected` -> `actual` (empty when equal). */
export function diffFib(expected: Fib, actual: Fib, limit = 20): string[] {
  const out: string[] = [];
  const show = (r: FibRoute) =>
    `${r.type} [${r.nexthops.map((n) => `${n.gw ?? '-'}%${n.ifindex}*${n.weight}`).join(', ')}]`;
  for (const [k, e] of expected) {
    const a = actual.get(k);
    if (!a) out.push(`missing ${k}: ${show(e)}`);
    else if (show(a) !== show(e)) out.push(`differs ${k}: expected ${show(e)}, got ${show(a)}`);
  }
  for (const [k, a] of actual) if (!expected.has(k)) out.push(`unexpected ${k}: ${show(a)}`);
  if (out.length > limit) return [...out.slice(0, limit), `... and ${out.length - limit} more`];
  return out;
}

// ---------------------------------------------------------------------------------------------
// zebra's JSON (`show ip route [table N|all] json`, `show ipv6 route ... json`, FRR 8.4)

interface ZebraNexthopJson {
  fib?: boolean;
  ip?: string;
  interfaceIndex?: number;
  weight?: number;
  blackhole?: boolean;
  reject?: boolean;
  'admin-prohibited'?: boolean;
  unreachable?: boolean;
}

interface ZebraRouteJson {
  prefix: string;
  table?: number;
  selected?: boolean;
  installed?: boolean;
  nexthops?: ZebraNexthopJson[];
}

/**
 * `show ip route table all json` prints one JSON object per table back to back (FRR 8.4
 * zebra_vty.c do_show_route_all_table loops over tables); this splits such output.
 */
export function parseConcatenatedJson(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}') {
      if (--depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return out;
}

/**
 * The FIB zebra believes it pushed: every selected, installed route with its FIB nexthops.
 * Recursive routes list the recursive nexthop (no "fib") and its resolution ("fib": true); only
 * the latter is what zebra hands the dataplane (zebra_rib.c: NEXTHOP_FLAG_FIB). Blackhole
 * nexthops give the route type (zebra_vty.c nexthop JSON: "blackhole", "reject",
 * "admin-prohibited"), which on the wire is rtm_type 6/7/8 with no nexthop.
 */
export function fibFromZebraJson(docs: unknown[], into: Fib = new Map()): Fib {
  for (const doc of docs) {
    for (const entries of Object.values(doc as Record<string, ZebraRouteJson[]>)) {
      for (const r of entries) {
        if (!r.selected || !r.installed) continue;
        const table = r.table ?? 254;
        const prefix = canonicalPrefix(r.prefix);
        let type: RouteType = 'unicast';
        const nhs: FibNexthop[] = [];
        for (const nh of r.nexthops ?? []) {
          if (nh.blackhole) type = 'blackhole';
          else if (nh.reject) type = 'unreachable';
          else if (nh['admin-prohibited']) type = 'prohibit';
          else if (nh.fib) {
            nhs.push({ gw: nh.ip ? canonicalAddr(nh.ip) : null, ifindex: nh.interfaceIndex ?? 0, weight: nh.weight ?? 1 });
          }
        }
        into.set(fibKey(table, prefix), { table, prefix, type, nexthops: type === 'unicast' ? finish(nhs) : [] });
      }
    }
  }
  return into;
}

// ---------------------------------------------------------------------------------------------
// A decoded FPM stream

const RTM_NEWROUTE = 24;
const RTM_DELROUTE = 25;
const RTM_NEWNEXTHOP = 104;
const RTM_DELNEXTHOP = 105;
const AF_INET = 2;
const AF_INET6 = 10;
const RTN_BLACKHOLE = 6;
const RTN_UNREACHABLE = 7;
const RTN_PROHIBIT = 8;

interface Leg {
  gw: string | null;
  ifindex: number;
  weight: number;
}

interface NhgObj {
  members: { id: number; weight: number }[] | null; // null: a singleton
  leg: Leg | null; // singleton's leg (null for a blackhole singleton)
  blackhole: boolean;
}

interface RouteObj {
  table: number;
  prefix: string;
  rtype: number;
  nhId: number; // 0 = inline legs
  legs: Leg[];
}

function addrAt(chunk: Uint8Array, off: number, len: number): string {
  return len === 4 ? formatV4(chunk, off) : formatV6(chunk, off);
}

/**
 * Replays decoded batches into zebra's FIB as the FPM stream describes it: routes (NHG id or
 * inline legs) and nexthop objects; `fib()` resolves routes through their groups. Test code:
 * clarity over speed.
 */
export class FpmFib {
  readonly routes = new Map<string, RouteObj>();
  readonly nhgs = new Map<number, NhgObj>();
  counts = { newRoute: 0, delRoute: 0, newNhg: 0, delNhg: 0, badRows: 0, other: 0 };

  apply(b: Batch, chunk: Uint8Array): void {
    const rows = b.meta[0];
    for (let i = 0; i < rows; i++) {
      if (b.err[i] !== 0) {
        this.counts.badRows++;
        continue;
      }
      const kind = b.kind[i];
      const t = b.msgType[i];
      if (kind === Kind.Route && (b.family[i] === AF_INET || b.family[i] === AF_INET6)) {
        const alen = b.family[i] === AF_INET ? 4 : 16;
        const dst = b.attrs[i] & Attr.Dst ? addrAt(chunk, b.dstOff[i], alen) : alen === 4 ? '0.0.0.0' : '::';
        const prefix = `${dst}/${b.dstLen[i]}`;
        const key = fibKey(b.table[i], prefix);
        if (t === RTM_DELROUTE) {
          this.counts.delRoute++;
          this.routes.delete(key);
          continue;
        }
        if (t !== RTM_NEWROUTE) continue;
        this.counts.newRoute++;
        const legs: Leg[] = [];
        if (b.attrs[i] & Attr.Multipath) {
          for (let p = b.pathStart[i]; p < b.pathStart[i] + b.pathCount[i]; p++) {
            const gl = b.pGwLen[p];
            legs.push({ gw: b.pGwOff[p] ? addrAt(chunk, b.pGwOff[p], gl) : null, ifindex: b.pIfindex[p], weight: b.pWeight[p] });
          }
        } else if (b.attrs[i] & (Attr.Gateway | Attr.Oif)) {
          legs.push({
            gw: b.attrs[i] & Attr.Gateway ? addrAt(chunk, b.gwOff[i], b.gwLen[i]) : null,
            ifindex: b.attrs[i] & Attr.Oif ? b.oif[i] : 0,
            weight: 1,
          });
        }
        this.routes.set(key, {
          table: b.table[i],
          prefix,
          rtype: b.rtype[i],
          nhId: b.attrs[i] & Attr.NhId ? b.nhId[i] : 0,
          legs,
        });
      } else if (kind === Kind.Nexthop) {
        const id = b.nhId[i];
        if (t === RTM_DELNEXTHOP) {
          this.counts.delNhg++;
          this.nhgs.delete(id);
          continue;
        }
        if (t !== RTM_NEWNEXTHOP) continue;
        this.counts.newNhg++;
        if (b.attrs[i] & Attr.Group) {
          const members: { id: number; weight: number }[] = [];
          for (let g = b.groupStart[i]; g < b.groupStart[i] + b.groupCount[i]; g++) members.push({ id: b.gId[g], weight: b.gWeight[g] });
          this.nhgs.set(id, { members, leg: null, blackhole: false });
        } else if (b.attrs[i] & Attr.Blackhole) {
          this.nhgs.set(id, { members: null, leg: null, blackhole: true });
        } else {
          this.nhgs.set(id, {
            members: null,
            leg: {
              gw: b.attrs[i] & Attr.Gateway ? addrAt(chunk, b.gwOff[i], b.gwLen[i]) : null,
              ifindex: b.attrs[i] & Attr.Oif ? b.oif[i] : 0,
              weight: 1,
            },
            blackhole: false,
          });
        }
      } else if (kind === Kind.Other) {
        this.counts.other++;
      }
    }
  }

  /** Legs of group `id`, flattened; null when the group (or a member) is unknown. */
  private resolve(id: number, weight: number, depth = 0): Leg[] | null {
    const n = this.nhgs.get(id);
    if (!n || depth > 4) return null;
    if (n.members === null) return n.leg ? [{ ...n.leg, weight }] : [];
    const out: Leg[] = [];
    for (const m of n.members) {
      const sub = this.resolve(m.id, m.weight * weight, depth + 1);
      if (sub === null) return null;
      out.push(...sub);
    }
    return out;
  }

  /** The FIB now described by the stream; routes whose group is unknown are listed in `unresolved`. */
  fib(): { fib: Fib; unresolved: string[] } {
    const fib: Fib = new Map();
    const unresolved: string[] = [];
    for (const [k, r] of this.routes) {
      let type: RouteType = 'unicast';
      if (r.rtype === RTN_BLACKHOLE) type = 'blackhole';
      else if (r.rtype === RTN_UNREACHABLE) type = 'unreachable';
      else if (r.rtype === RTN_PROHIBIT) type = 'prohibit';
      let legs: Leg[] = r.legs;
      if (type === 'unicast' && r.nhId) {
        const res = this.resolve(r.nhId, 1);
        if (res === null) {
          unresolved.push(`${k} (nh id ${r.nhId})`);
          continue;
        }
        legs = res;
      }
      fib.set(k, {
        table: r.table,
        prefix: canonicalPrefix(r.prefix),
        type,
        nexthops: type === 'unicast' ? finish(legs.map((l) => ({ ...l }))) : [],
      });
    }
    return { fib, unresolved };
  }
}

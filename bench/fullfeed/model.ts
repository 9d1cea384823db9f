// The full-feed benchmark's model of zebra's table: the generated routes as they change, their nexthop objects, and the forwarding each route must have.
//
// The table comes from ts/gen/fulltable.ts (seeded, so every process of one run builds the same
// one). Routes are kept as the generator's struct-of-arrays; churn changes a route's nexthop
// object or withdraws it, and replaces nexthop objects in place (same id). Expected forwarding is
// written as a signature string: the legs (sw_if_index, next hop, share of traffic) of the best
// preference that has a usable leg, as VPP forwards (docs/vpp-api.md "FIB semantics": preference
// 0 is best, a backup at preference 1 is used when every better path is down).
import { formatAddr } from '../../ts/addr';
import { parseIp } from '../../ts/codec/encoder';
import { FullTable, generateFullTable, NexthopObject, NO_NH, RouteSet } from '../../ts/gen/fulltable';

/** One `--nexthops` entry: an attached next hop on a VPP interface. */
export interface NexthopArg {
  addr: Uint8Array;
  family: 4 | 6;
  sw: number;
}

export interface TableSpec {
  v4: number;
  v6: number;
  nhgs: number;
  seed: number;
  /** `--nexthops` as given (ADDR@SW,...), or null for the generator's own upstream addresses. */
  nexthops: string | null;
}

/** Parses `10.0.0.2@1,10.0.1.2@2,fd00::2@1`. */
export function parseNexthops(s: string): NexthopArg[] {
  const out: NexthopArg[] = [];
  for (const part of s.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const m = /^(.+)@(\d+)$/.exec(p);
    let addr: Uint8Array | null = null;
    if (m) {
      try {
        addr = parseIp(m[1]);
      } catch {
        addr = null;
      }
    }
    if (!m || !addr || Number(m[2]) > 0xfffffffe) {
      throw new RangeError(`Expected ADDRESS@SW_IF_INDEX entries for --nexthops (e.g. 10.0.0.2@1) but received "${p}"`);
    }
    out.push({ addr, family: addr.length === 4 ? 4 : 6, sw: Number(m[2]) });
  }
  if (out.length === 0) throw new RangeError('Expected at least one ADDRESS@SW_IF_INDEX for --nexthops');
  return out;
}

export type FamilyIx = 0 | 1; // 0 IPv4, 1 IPv6

/** A leg as forwarding uses it. */
export interface Leg {
  sw: number;
  /** Next-hop address text ('' for an attached interface-only leg). */
  nh: string;
  weight: number;
}

/** The signature of forwarding: legs merged by (sw, next hop), sorted, with their share of traffic. */
export function sigOf(legs: readonly Leg[] | null): string {
  if (!legs || legs.length === 0) return 'drop';
  const merged = new Map<string, number>();
  let total = 0;
  for (const l of legs) {
    const w = l.weight > 0 ? l.weight : 1;
    const k = `${l.sw}@${l.nh}`;
    merged.set(k, (merged.get(k) ?? 0) + w);
    total += w;
  }
  return [...merged]
    .map(([k, w]) => `${k}:${(w / total).toFixed(4)}`)
    .sort()
    .join(',');
}

/** Normalises an address text (RFC 5952 for IPv6) so strings from any source compare equal. */
export function normAddr(s: string): string {
  if (s === '') return '';
  const b = parseIp(s);
  return formatAddr(b.length === 4 ? 4 : 6, b);
}

export class FeedModel {
  readonly t: FullTable;
  readonly sets: [RouteSet, RouteSet];
  /** Linux ifindex (as the generated stream names interfaces) -> VPP sw_if_index. */
  readonly ifSw = new Map<number, number>();
  /** sw_if_index -> up; absent = up. */
  readonly swDown = new Set<number>();
  /** Current nexthop index per route (the generator's nh arrays, changed by churn). */
  readonly nh: [Uint16Array, Uint16Array];
  /** 1 while the route is in zebra's table. */
  readonly present: [Uint8Array, Uint8Array];
  private readonly byId = new Map<number, number>();
  private sigCache = new Map<number, string>();
  private presentCount: number;

  /** The --nexthops given (empty for the generator's own addresses). */
  readonly nexthopArgs: NexthopArg[];

  constructor(spec: TableSpec) {
    const args = spec.nexthops ? parseNexthops(spec.nexthops) : null;
    this.nexthopArgs = args ?? [];
    const sws = args ? [...new Set(args.map((a) => a.sw))] : null;
    const upstreams = sws ? sws.length : 4;
    this.t = generateFullTable({ v4: spec.v4, v6: spec.v6, nhgs: spec.nhgs, seed: spec.seed, upstreams });
    this.sets = [this.t.v4, this.t.v6];
    this.t.upstreams.forEach((u, i) => this.ifSw.set(u.ifindex, sws ? sws[i] : i + 1));
    if (args && sws) this.useNexthops(args, sws);
    this.t.nexthops.forEach((o, i) => this.byId.set(o.id, i));
    this.nh = [this.t.v4.nh.slice(), this.t.v6.nh.slice()];
    this.present = [new Uint8Array(this.t.v4.count).fill(1), new Uint8Array(this.t.v6.count).fill(1)];
    this.presentCount = this.t.v4.count + this.t.v6.count;
    for (const s of this.sets) checkSorted(s);
  }

  /**
   * Points the generated nexthops at the given attached next hops: upstream i is the i-th
   * distinct sw_if_index; its singletons' gateways become the addresses given for it (router 1
   * and 2 take the first and second address of the family, or both the first). A family with no
   * address for an interface gets interface-only (attached) legs there.
   */
  private useNexthops(args: NexthopArg[], sws: number[]): void {
    const ups = this.t.upstreams;
    for (let i = 0; i < ups.length; i++) {
      const u = ups[i];
      for (const fam of [4, 6] as const) {
        const given = args.filter((a) => a.sw === sws[i] && a.family === fam).map((a) => a.addr);
        const gws = fam === 4 ? u.v4Gw : u.v6Gw;
        for (const o of this.t.nexthops) {
          if (o.group || o.oif !== u.ifindex || !o.gateway || o.gateway.length !== (fam === 4 ? 4 : 16)) continue;
          const r = sameBytes(o.gateway, gws[1]) ? 1 : 0;
          if (given.length === 0) o.gateway = undefined;
          else o.gateway = given[Math.min(r, given.length - 1)];
        }
      }
    }
  }

  get routes(): number {
    return this.presentCount;
  }

  nexthopIndex(id: number): number {
    const k = this.byId.get(id);
    if (k === undefined) throw new Error(`no nexthop object ${id}`);
    return k;
  }

  obj(k: number): NexthopObject {
    return this.t.nexthops[k];
  }

  /** The interface-map file fibpush is given: ifindex=sw_if_index lines. */
  interfaceMapText(): string {
    return [...this.ifSw].map(([ifx, sw]) => `${ifx}=${sw}`).join('\n') + '\n';
  }

  // ---- route addressing ----

  /** The route's address as bytes (4 or 16). */
  addrBytes(f: FamilyIx, i: number, out?: Uint8Array): Uint8Array {
    const s = this.sets[f];
    const b = out ?? new Uint8Array(f === 0 ? 4 : 16);
    for (let w = 0; w < s.words; w++) {
      const x = s.addr[i * s.words + w];
      b[4 * w] = x >>> 24;
      b[4 * w + 1] = (x >>> 16) & 255;
      b[4 * w + 2] = (x >>> 8) & 255;
      b[4 * w + 3] = x & 255;
    }
    return b;
  }

  prefix(f: FamilyIx, i: number): string {
    return `${formatAddr(f === 0 ? 4 : 6, this.addrBytes(f, i))}/${this.sets[f].len[i]}`;
  }

  /** Index of the route (address bytes at `off`, length), or -1. Routes are sorted by (address, length). */
  find(f: FamilyIx, b: Uint8Array, off: number, len: number): number {
    const s = this.sets[f];
    const w = s.words;
    let lo = 0;
    let hi = s.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      let c = 0;
      for (let k = 0; k < w && c === 0; k++) {
        const x = ((b[off + 4 * k] << 24) | (b[off + 4 * k + 1] << 16) | (b[off + 4 * k + 2] << 8) | b[off + 4 * k + 3]) >>> 0;
        const y = s.addr[mid * w + k];
        c = x < y ? -1 : x > y ? 1 : 0;
      }
      if (c === 0) c = len < s.len[mid] ? -1 : len > s.len[mid] ? 1 : 0;
      if (c === 0) return mid;
      if (c < 0) hi = mid - 1;
      else lo = mid + 1;
    }
    return -1;
  }

  // ---- changes ----

  replace(f: FamilyIx, i: number, k: number): void {
    if (!this.present[f][i]) {
      this.present[f][i] = 1;
      this.presentCount++;
    }
    this.nh[f][i] = k;
  }

  withdraw(f: FamilyIx, i: number): void {
    if (this.present[f][i]) {
      this.present[f][i] = 0;
      this.presentCount--;
    }
  }

  setObject(k: number, o: NexthopObject): void {
    this.t.nexthops[k] = o;
    this.sigCache.clear();
  }

  /** zebra renumbered its nexthop objects as `nexthops` (same index, new ids): later changes name the new ids. */
  renumberTo(nexthops: readonly NexthopObject[]): void {
    this.byId.clear();
    nexthops.forEach((o, k) => {
      this.t.nexthops[k] = o;
      this.byId.set(o.id, k);
    });
    this.sigCache.clear();
  }

  /**
   * A restarted zebra numbers its nexthop objects afresh (zebra_nhg.c hands ids out from a
   * counter that starts over): every object, group member and backup reference becomes
   * `renumber(id)`. Routes keep their object (they hold its index), so forwarding is unchanged.
   */
  renumber(renumber: (id: number) => number): void {
    this.byId.clear();
    this.t.nexthops.forEach((o, k) => {
      o.id = renumber(o.id);
      if (o.group) o.group = o.group.map((g) => ({ id: renumber(g.id), weight: g.weight }));
      if (o.backupNhg !== undefined) o.backupNhg = renumber(o.backupNhg);
      this.byId.set(o.id, k);
    });
    this.sigCache.clear();
  }

  setInterface(sw: number, up: boolean): void {
    if (up) this.swDown.delete(sw);
    else this.swDown.add(sw);
    this.sigCache.clear();
  }

  // ---- expected forwarding ----

  /** The legs an object stands for (a group: its members, weighted), or null for a blackhole. */
  legs(o: NexthopObject): Leg[] | null {
    if (o.blackhole) return null;
    const one = (s: NexthopObject, weight: number): Leg => ({
      sw: s.oif !== undefined ? (this.ifSw.get(s.oif) ?? -1) : -1,
      nh: s.gateway ? formatAddr(s.gateway.length === 4 ? 4 : 6, s.gateway) : '',
      weight,
    });
    if (!o.group) return [one(o, 1)];
    return o.group.map((m) => one(this.obj(this.nexthopIndex(m.id)), m.weight));
  }

  /** Expected forwarding of nexthop object k: primary legs that are up, else backup legs that are up, else drop. */
  sig(k: number): string {
    if (k === NO_NH) return 'drop';
    let s = this.sigCache.get(k);
    if (s !== undefined) return s;
    const o = this.obj(k);
    const up = (l: Leg) => !this.swDown.has(l.sw);
    let legs = (this.legs(o) ?? []).filter(up);
    if (legs.length === 0 && o.backupNhg !== undefined) legs = (this.legs(this.obj(this.nexthopIndex(o.backupNhg))) ?? []).filter(up);
    s = sigOf(legs);
    this.sigCache.set(k, s);
    return s;
  }

  /** What a dataplane that keeps groups as configured holds for object k: primary and backup legs (the memory dataplane). */
  configSig(k: number): string {
    if (k === NO_NH) return 'drop';
    const o = this.obj(k);
    const p = sigOf(this.legs(o));
    const b = o.backupNhg !== undefined ? sigOf(this.legs(this.obj(this.nexthopIndex(o.backupNhg)))) : '-';
    return `${p} | ${b}`;
  }

  /** Route counts per nexthop index (present routes), both families. */
  users(): Map<number, number> {
    const m = new Map<number, number>();
    for (const f of [0, 1] as const) {
      const nh = this.nh[f];
      const pr = this.present[f];
      for (let i = 0; i < nh.length; i++) if (pr[i]) m.set(nh[i], (m.get(nh[i]) ?? 0) + 1);
    }
    return m;
  }

  /** Indexes of the objects routes use, most used first. */
  busiest(): number[] {
    return [...this.users()]
      .filter(([k]) => k !== NO_NH)
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .map(([k]) => k);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The generator promises (address, length) order per family; binary search depends on it. */
function checkSorted(s: RouteSet): void {
  const w = s.words;
  for (let i = 1; i < s.count; i++) {
    let c = 0;
    for (let k = 0; k < w && c === 0; k++) {
      const x = s.addr[(i - 1) * w + k];
      const y = s.addr[i * w + k];
      c = x < y ? -1 : x > y ? 1 : 0;
    }
    if (c === 0) c = s.len[i - 1] < s.len[i] ? -1 : s.len[i - 1] > s.len[i] ? 1 : 0;
    if (c >= 0) throw new Error(`generated routes are not in (address, length) order at index ${i} of family ${s.family}`);
  }
}

// Comparable FIBs for the daemon tests, the end-to-end suites and the soak: the VPP simulator's FIB and a generated table's, in fib.ts's shape (zebra's FIB).
import type { VppSimulator, PathJson, RouteJson } from '../vpp-sim';
import { canonicalAddr, canonicalPrefix, Fib, FibNexthop, fibKey, RouteType } from './fib';
import type { FullTable } from '../gen/fulltable';
import { NO_NH } from '../gen/fulltable';
import { DEFAULT_PIC_TABLE } from '../vpp/programmer';
import { formatAddr } from '../addr';

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** fib.ts normalisation: weights divided by their gcd, legs sorted. */
export function normalise(nhs: FibNexthop[]): FibNexthop[] {
  const g = nhs.reduce((acc, n) => gcd(acc, n.weight), 0) || 1;
  for (const n of nhs) n.weight /= g;
  return nhs.sort((x, y) => (x.gw ?? '').localeCompare(y.gw ?? '') || x.ifindex - y.ifindex || x.weight - y.weight);
}

export interface SimFibOptions {
  /** VPP sw_if_index -> Linux ifindex (the linux-cp pairs the simulator was started with). */
  ifindexOfSw: ReadonlyMap<number, number>;
  /** The programmer's private PIC tables (default ts/vpp/programmer.ts DEFAULT_PIC_TABLE). */
  picTable?: number;
  /** VPP table -> netlink table (default: 0 -> 254, others unchanged). */
  nlTableOf?: (vppTable: number) => number;
}

const SPECIAL: Record<string, RouteType> = { drop: 'blackhole', icmp_unreach: 'unreachable', icmp_prohibit: 'prohibit' };

/**
 * The FIB VPP forwards with, as zebra would describe it: every API route outside the private PIC
 * tables, its recursive path through a group's host route replaced by that host route's best
 * (lowest preference) paths, interfaces named by Linux ifindex.
 */
export async function simFib(sim: VppSimulator, o: SimFibOptions): Promise<Fib> {
  const pic = o.picTable ?? DEFAULT_PIC_TABLE;
  const nlTableOf = o.nlTableOf ?? ((t: number) => (t === 0 ? 254 : t));
  const all = (await sim.fibDump()).filter((r): r is RouteJson => r.family !== 'mpls');
  const hosts = new Map<string, PathJson[]>();
  for (const r of all) if (r.table === pic) hosts.set(`${r.family} ${canonicalPrefix(r.prefix).split('/')[0]}`, r.paths);
  const fib: Fib = new Map();
  for (const r of all) {
    if (r.table === pic) continue;
    let paths: PathJson[] = [];
    for (const p of r.paths) {
      if (p.type === 'normal' && p.tableId === pic && p.swIfIndex === 0xffffffff) {
        const hp = hosts.get(`${p.proto} ${canonicalAddr(p.nh)}`) ?? [];
        const best = Math.min(...hp.map((x) => x.preference));
        paths.push(...hp.filter((x) => x.preference === best));
      } else {
        paths.push(p);
      }
    }
    let type: RouteType = 'unicast';
    if (paths.length > 0 && paths.every((p) => SPECIAL[p.type] !== undefined)) {
      type = SPECIAL[paths[0].type];
      paths = [];
    }
    const table = nlTableOf(r.table);
    const prefix = canonicalPrefix(r.prefix);
    // VPP keeps an attached path on a host prefix as a next hop via the prefix itself
    // (fib_table_route_path_fixup): for zebra that is the interface route it sent.
    const [addr, len] = prefix.split('/');
    const self = (len === '32' || len === '128') ? addr : null;
    const nhs: FibNexthop[] = paths.map((p) => {
      const gw = p.nh ? canonicalAddr(p.nh) : null;
      return {
        gw: gw !== null && gw === self && p.swIfIndex !== 0xffffffff ? null : gw,
        ifindex: p.swIfIndex === 0xffffffff ? 0 : (o.ifindexOfSw.get(p.swIfIndex) ?? -p.swIfIndex),
        weight: p.weight || 1,
      };
    });
    fib.set(fibKey(table, prefix), { table, prefix, type, nexthops: normalise(nhs) });
  }
  return fib;
}

/** The FIB a generated table describes (ts/gen/fulltable.ts): what zebra would have. */
export function fibFromTable(t: FullTable, routes?: { v4: number; v6: number }): Fib {
  const fib: Fib = new Map();
  const byId = new Map(t.nexthops.map((n) => [n.id, n]));
  for (const set of [t.v4, t.v6]) {
    const fam = set.words === 1 ? 4 : 6;
    const count = routes ? (fam === 4 ? routes.v4 : routes.v6) : set.count;
    const a = new Uint8Array(16);
    for (let i = 0; i < count; i++) {
      for (let w = 0; w < set.words; w++) {
        const x = set.addr[i * set.words + w];
        a[4 * w] = x >>> 24;
        a[4 * w + 1] = (x >>> 16) & 255;
        a[4 * w + 2] = (x >>> 8) & 255;
        a[4 * w + 3] = x & 255;
      }
      const prefix = `${formatAddr(fam, a)}/${set.len[i]}`;
      const k = set.nh[i];
      if (k === NO_NH) {
        fib.set(fibKey(t.table, prefix), { table: t.table, prefix, type: set.rtype[i] === 6 ? 'blackhole' : 'unreachable', nexthops: [] });
        continue;
      }
      const o = t.nexthops[k];
      const legs = o.group ? o.group.map((m) => ({ n: byId.get(m.id)!, w: m.weight })) : [{ n: o, w: 1 }];
      const nhs = legs.map(({ n, w }) => ({
        gw: n.gateway ? formatAddr(n.gateway.length === 4 ? 4 : 6, n.gateway) : null,
        ifindex: n.oif ?? 0,
        weight: w,
      }));
      fib.set(fibKey(t.table, prefix), { table: t.table, prefix, type: 'unicast', nexthops: normalise(nhs) });
    }
  }
  return fib;
}

// The built-in memory dataplane: drains a ChangeSource into the FIB it would program, and answers lookups and status.
//
// It is what `fibpush run` uses when no VPP is present, and what tests compare against zebra's FIB. It follows the
// same contract as the VPP programmer (ts/dplane/types.ts): pull in bounded slices on setImmediate so the FPM reader
// is never held up, report every route's result through routeResult, and keep nothing from the reused views.
import {
  AF_INET,
  AF_INET6,
  AF_MPLS,
  ChangeKind,
  ChangeSource,
  Op,
  PathView,
  RouteView,
  Target,
} from '../dplane/types';
import { formatAddr, formatV4, formatV6, parseAddr } from '../addr';
import { maskWord } from '../dplane/keytable';

export interface MemoryPath {
  gw: string | null;
  ifindex: number;
  weight: number;
  labels: number[];
  blackhole: boolean;
}

export interface MemoryNhg {
  id: number;
  family: number;
  primary: MemoryPath[];
  backup: MemoryPath[];
  fdb: boolean;
}

export type TargetName = 'nhg' | 'blackhole' | 'unreachable' | 'prohibit';
const TARGET_NAMES: readonly TargetName[] = ['nhg', 'blackhole', 'unreachable', 'prohibit'];

export interface MemoryRoute {
  family: 'inet' | 'inet6' | 'mpls';
  table: number;
  /** "10.0.0.0/24", "2001:db8::/32", or the label for MPLS. */
  prefix: string;
  target: TargetName;
  nhgId: number;
  /** The group's paths as forwarding would use them (empty for special targets or an unknown group). */
  paths: MemoryPath[];
  backup: MemoryPath[];
}

export interface MemoryMac {
  ifindex: number;
  vlan: number;
  mac: string;
  vtep: string | null;
  nhgId: number;
  vni: number;
}

export interface MemoryDataplaneOptions {
  /** Changes applied per event-loop turn, at most (the reader runs between slices). */
  sliceChanges?: number;
  /** Time budget of one slice in ms. */
  sliceMs?: number;
  /** Called after each route Set is applied, while `route` still holds it (offload feedback). */
  onRouteResult?: (route: RouteView, ok: boolean, error?: string) => void;
}

export interface MemoryDataplaneStatus {
  kind: 'memory';
  connected: true;
  inFlight: 0;
  routes: number;
  routesByTable: Record<string, number>;
  nhgs: number;
  macs: number;
  /** Changes applied since start (groups, routes, MACs). */
  applied: number;
  routesAcked: number;
  failures: number;
  lastError: string | null;
}

export const FAMILY_NAMES: Record<number, 'inet' | 'inet6' | 'mpls'> = {
  [AF_INET]: 'inet',
  [AF_INET6]: 'inet6',
  [AF_MPLS]: 'mpls',
};

/** Routes of one (family, table). IPv4 and MPLS keys are numbers; IPv6 keys are 17-byte latin1 strings. */
interface TableFib {
  family: number;
  table: number;
  v4: Map<number, number>;
  v6: Map<string, number>;
  /** Routes per prefix length: lookups skip empty lengths. */
  lenCount: Uint32Array;
}

const TWO32 = 0x100000000;

function copyPath(p: PathView): MemoryPath {
  return {
    gw: p.gwFamily === 0 ? null : formatAddr(p.gwFamily, p.gw),
    ifindex: p.ifindex,
    weight: p.weight,
    labels: p.labels.slice(),
    blackhole: p.blackhole,
  };
}

function maskV4(a: number, len: number): number {
  return maskWord(a, len);
}

export class MemoryDataplane {
  readonly kind = 'memory' as const;
  private readonly tables = new Map<number, TableFib>();
  private readonly nhgs = new Map<number, MemoryNhg>();
  private readonly macs = new Map<string, MemoryMac>();
  private readonly sliceChanges: number;
  private readonly sliceMs: number;
  private readonly onRouteResult?: MemoryDataplaneOptions['onRouteResult'];
  private readonly key6 = Buffer.alloc(17);
  private scheduled = false;
  private closed = false;
  private routeCount = 0;
  private applied = 0;
  private routesAcked = 0;
  private failures = 0;
  private lastError: string | null = null;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly source: ChangeSource,
    opts: MemoryDataplaneOptions = {},
  ) {
    this.sliceChanges = opts.sliceChanges ?? 4096;
    this.sliceMs = opts.sliceMs ?? 8;
    this.onRouteResult = opts.onRouteResult;
  }

  /** The source may have new changes: drain them soon, never synchronously (the caller is the reader). */
  kick(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(this.slice);
  }

  /** Resolves when the source has nothing pending (tests and the demo wait on this). */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.kick();
    });
  }

  close(): void {
    this.closed = true;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private readonly slice = (): void => {
    this.scheduled = false;
    if (this.closed) return;
    const src = this.source;
    const t0 = performance.now();
    let n = 0;
    let kind: ChangeKind = ChangeKind.None;
    while (n < this.sliceChanges) {
      kind = src.next();
      if (kind === ChangeKind.None) break;
      n++;
      if (kind === ChangeKind.Route) this.applyRoute(src.route);
      else if (kind === ChangeKind.Nhg) this.applyNhg();
      else if (kind === ChangeKind.Mac) this.applyMac();
      if ((n & 255) === 0 && performance.now() - t0 > this.sliceMs) break;
    }
    this.applied += n;
    if (kind === ChangeKind.None) {
      for (const w of this.idleWaiters.splice(0)) w();
    } else {
      this.kick();
    }
  };

  private tableOf(family: number, table: number, create: boolean): TableFib | undefined {
    const k = family * TWO32 + table;
    let t = this.tables.get(k);
    if (!t && create) {
      t = { family, table, v4: new Map(), v6: new Map(), lenCount: new Uint32Array(129) };
      this.tables.set(k, t);
    }
    return t;
  }

  private applyRoute(r: RouteView): void {
    const t = this.tableOf(r.family, r.table, r.op === Op.Set);
    let ok = true;
    let err: string | undefined;
    if (r.op === Op.Set && r.target === Target.Nhg && !this.nhgs.has(r.nhgId)) {
      // The store sends a group before its users; a miss here is a contract breach worth reporting, not hiding.
      ok = false;
      err = `nexthop group ${r.nhgId} not programmed`;
    } else if (t) {
      const value = r.op === Op.Set ? r.nhgId * 4 + r.target : -1;
      let had: boolean;
      if (r.family === AF_INET6) {
        const k = this.key6;
        k.set(r.addr.subarray(0, 16), 0);
        k[16] = r.len;
        const ks = k.toString('latin1');
        had = t.v6.has(ks);
        if (value >= 0) t.v6.set(ks, value);
        else t.v6.delete(ks);
      } else {
        const kn =
          r.family === AF_MPLS
            ? r.label
            : (((r.addr[0] << 24) | (r.addr[1] << 16) | (r.addr[2] << 8) | r.addr[3]) >>> 0) * 64 + r.len;
        had = t.v4.has(kn);
        if (value >= 0) t.v4.set(kn, value);
        else t.v4.delete(kn);
      }
      const lenIdx = r.family === AF_MPLS ? 0 : r.len;
      if (value >= 0 && !had) {
        this.routeCount++;
        t.lenCount[lenIdx]++;
      } else if (value < 0 && had) {
        this.routeCount--;
        t.lenCount[lenIdx]--;
      }
    }
    // Withdrawals have nobody to tell: the store may have released the entry, and zebra wants no
    // offload flag for a route it deleted.
    if (r.op === Op.Del) return;
    if (ok) this.routesAcked++;
    else {
      this.failures++;
      this.lastError = err ?? null;
    }
    this.source.routeResult(r.handle, ok, err);
    this.onRouteResult?.(r, ok, err);
  }

  private applyNhg(): void {
    const g = this.source.nhg;
    if (g.op === Op.Del) {
      this.nhgs.delete(g.id);
      return;
    }
    this.nhgs.set(g.id, {
      id: g.id,
      family: g.family,
      primary: g.primary.map(copyPath),
      backup: g.backup.map(copyPath),
      fdb: g.fdb,
    });
  }

  private applyMac(): void {
    const m = this.source.mac;
    const mac = Array.from(m.mac.subarray(0, 6), (x) => x.toString(16).padStart(2, '0')).join(':');
    const key = `${m.ifindex}/${m.vlan}/${mac}`;
    if (m.op === Op.Del) {
      this.macs.delete(key);
      return;
    }
    this.macs.set(key, {
      ifindex: m.ifindex,
      vlan: m.vlan,
      mac,
      vtep: m.vtepFamily === 0 ? null : formatAddr(m.vtepFamily, m.vtep),
      nhgId: m.nhgId,
      vni: m.vni,
    });
  }

  status(): MemoryDataplaneStatus {
    const byTable: Record<string, number> = {};
    for (const t of this.tables.values()) {
      const n = t.v4.size + t.v6.size;
      if (n > 0) byTable[`${FAMILY_NAMES[t.family] ?? t.family}:${t.table}`] = n;
    }
    return {
      kind: 'memory',
      connected: true,
      inFlight: 0,
      routes: this.routeCount,
      routesByTable: byTable,
      nhgs: this.nhgs.size,
      macs: this.macs.size,
      applied: this.applied,
      routesAcked: this.routesAcked,
      failures: this.failures,
      lastError: this.lastError,
    };
  }

  nhg(id: number): MemoryNhg | undefined {
    return this.nhgs.get(id);
  }

  private describe(family: number, table: number, prefix: string, value: number): MemoryRoute {
    const target = TARGET_NAMES[value % 4] ?? 'nhg';
    const nhgId = Math.floor(value / 4);
    const g = target === 'nhg' ? this.nhgs.get(nhgId) : undefined;
    return {
      family: FAMILY_NAMES[family],
      table,
      prefix,
      target,
      nhgId: target === 'nhg' ? nhgId : 0,
      paths: g ? g.primary : [],
      backup: g ? g.backup : [],
    };
  }

  /** Longest-prefix match of `addr` in (family of addr, table), as forwarding would choose. */
  lookup(addr: string, table = 254): MemoryRoute | null {
    const a = parseAddr(addr);
    if (!a) return null;
    const family = a.family === 4 ? AF_INET : AF_INET6;
    const t = this.tableOf(family, table, false);
    if (!t) return null;
    if (a.family === 4) {
      const b = a.bytes;
      const v = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
      for (let len = 32; len >= 0; len--) {
        if (t.lenCount[len] === 0) continue;
        const net = maskV4(v, len);
        const hit = t.v4.get(net * 64 + len);
        if (hit !== undefined) {
          const nb = Uint8Array.of(net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255, net & 255);
          return this.describe(family, table, `${formatV4(nb)}/${len}`, hit);
        }
      }
      return null;
    }
    const k = Buffer.alloc(17);
    for (let len = 128; len >= 0; len--) {
      if (t.lenCount[len] === 0) continue;
      k.fill(0);
      for (let i = 0; i < 16; i++) {
        const bits = Math.min(8, Math.max(0, len - 8 * i));
        k[i] = a.bytes[i] & ((0xff << (8 - bits)) & 0xff);
      }
      k[16] = len;
      const hit = t.v6.get(k.toString('latin1'));
      if (hit !== undefined) return this.describe(family, table, `${formatV6(k)}/${len}`, hit);
    }
    return null;
  }

  /** Every route, sorted (family, table, prefix): the FIB as the dataplane holds it, for comparisons. */
  routes(filter: { family?: 'inet' | 'inet6' | 'mpls'; table?: number; limit?: number } = {}): MemoryRoute[] {
    const out: MemoryRoute[] = [];
    const limit = filter.limit ?? Infinity;
    const tables = [...this.tables.values()].sort((x, y) => x.family - y.family || x.table - y.table);
    for (const t of tables) {
      if (filter.family && FAMILY_NAMES[t.family] !== filter.family) continue;
      if (filter.table !== undefined && t.table !== filter.table) continue;
      if (t.family === AF_INET6) {
        const keys = [...t.v6.keys()].sort();
        for (const ks of keys) {
          if (out.length >= limit) return out;
          const b = Buffer.from(ks, 'latin1');
          out.push(this.describe(t.family, t.table, `${formatV6(b)}/${b[16]}`, t.v6.get(ks)!));
        }
      } else {
        const keys = [...t.v4.keys()].sort((x, y) => x - y);
        for (const kn of keys) {
          if (out.length >= limit) return out;
          let prefix: string;
          if (t.family === AF_MPLS) prefix = String(kn);
          else {
            const net = Math.floor(kn / 64);
            const nb = Uint8Array.of(net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255, net & 255);
            prefix = `${formatV4(nb)}/${kn % 64}`;
          }
          out.push(this.describe(t.family, t.table, prefix, t.v4.get(kn)!));
        }
      }
    }
    return out;
  }

  macList(): MemoryMac[] {
    return [...this.macs.values()];
  }
}

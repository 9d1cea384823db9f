// A small in-test ChangeSource for the VPP programmer tests: groups and routes by text, results recorded, replayAll/reemitRoutesUsing.
import {
  AF_INET,
  AF_INET6,
  AF_MPLS,
  ChangeKind,
  ChangeSource,
  Lane,
  MacView,
  NhgView,
  Op,
  PathView,
  RouteView,
  Target,
  newMacView,
  newNhgView,
  newRouteView,
} from '../ts/dplane/types';

export interface LegSpec {
  gw?: string;
  ifindex?: number;
  weight?: number;
  labels?: number[];
  blackhole?: boolean;
  /** PathView.encap: a non-MPLS lwtunnel encap type (5 seg6). */
  encap?: number;
}

export interface NhgSpec {
  id: number;
  family?: number;
  primary: LegSpec[];
  backup?: LegSpec[];
  fdb?: boolean;
}

export interface RouteSpec {
  /** "10.0.0.0/24", "2001:db8::/64", or "mpls:100". */
  prefix: string;
  table?: number;
  nhg?: number;
  target?: Target;
  protocol?: number;
}

export function parseAddr(s: string): { fam: 4 | 6; bytes: Uint8Array } {
  if (s.includes(':')) {
    const [h, t] = s.split('::');
    const hs = h ? h.split(':') : [];
    const ts = t !== undefined ? (t ? t.split(':') : []) : [];
    const g = t !== undefined ? [...hs, ...new Array(8 - hs.length - ts.length).fill('0'), ...ts] : hs;
    const b = new Uint8Array(16);
    g.forEach((x, i) => {
      const n = parseInt(x, 16);
      b[2 * i] = n >> 8;
      b[2 * i + 1] = n & 255;
    });
    return { fam: 6, bytes: b };
  }
  return { fam: 4, bytes: Uint8Array.from(s.split('.').map(Number)) };
}

function pathView(l: LegSpec): PathView {
  const gw = new Uint8Array(16);
  let gwFamily: 0 | 4 | 6 = 0;
  if (l.gw) {
    const a = parseAddr(l.gw);
    gw.set(a.bytes);
    gwFamily = a.fam;
  }
  return { gwFamily, gw, ifindex: l.ifindex ?? 0, weight: l.weight ?? 1, labels: l.labels ?? [], blackhole: !!l.blackhole, encap: l.encap ?? 0 };
}

type Item = { kind: 'nhg'; op: Op; spec: NhgSpec } | { kind: 'route'; op: Op; spec: RouteSpec; force?: boolean } | { kind: 'mac'; op: Op; mac: MacSpec };

export interface MacSpec {
  mac: string;
  vni: number;
  vtep?: string;
  nhg?: number;
}

export class TestSource implements ChangeSource {
  readonly nhg: NhgView = newNhgView();
  readonly route: RouteView = newRouteView();
  readonly mac: MacView = newMacView();
  private q: Item[] = [];
  private qh = 0;
  readonly nhgs = new Map<number, NhgSpec>();
  readonly routes = new Map<string, RouteSpec>();
  readonly macs = new Map<string, MacSpec>();
  /** Every result reported: handle -> [ok, error]. */
  readonly results = new Map<number, [boolean, string | undefined][]>();
  /** handle -> "table|prefix" of the route it was issued for. */
  readonly handleKey = new Map<number, string>();
  private nextHandle = 1;
  /** What the dataplane acknowledged per route ("table|prefix" -> group id, 0 = special), as a store tracks it (RouteView.prevNhgId). */
  private readonly installed = new Map<string, number>();
  /** handle -> the group its Set named (-1 for a Del). */
  private readonly handleNhg = new Map<number, number>();
  reemits = 0;
  replays = 0;
  /** Set false to test a source without the optional hooks. */
  hooks = true;
  /** Group ids not announced in zebra's current replay (ChangeSource.nhgStale): a restarted zebra's old ids. */
  readonly stale = new Set<number>();

  nhgStale(id: number): boolean {
    return !this.nhgs.has(id) || this.stale.has(id);
  }

  setNhg(spec: NhgSpec): this {
    this.nhgs.set(spec.id, spec);
    this.q.push({ kind: 'nhg', op: Op.Set, spec });
    return this;
  }

  delNhg(id: number): this {
    const spec = this.nhgs.get(id);
    this.nhgs.delete(id);
    if (spec) this.q.push({ kind: 'nhg', op: Op.Del, spec });
    return this;
  }

  setRoute(spec: RouteSpec): this {
    this.routes.set(`${spec.table ?? 254}|${spec.prefix}`, spec);
    this.q.push({ kind: 'route', op: Op.Set, spec });
    return this;
  }

  delRoute(prefix: string, table = 254): this {
    const k = `${table}|${prefix}`;
    const spec = this.routes.get(k) ?? { prefix, table };
    this.routes.delete(k);
    this.q.push({ kind: 'route', op: Op.Del, spec });
    return this;
  }

  setMac(m: MacSpec): this {
    this.macs.set(m.mac, m);
    this.q.push({ kind: 'mac', op: Op.Set, mac: m });
    return this;
  }

  delMac(mac: string): this {
    const m = this.macs.get(mac);
    this.macs.delete(mac);
    if (m) this.q.push({ kind: 'mac', op: Op.Del, mac: m });
    return this;
  }

  /** The last result for a route ("table|prefix"). */
  resultOf(prefix: string, table = 254): [boolean, string | undefined] | undefined {
    const k = `${table}|${prefix}`;
    let last: [boolean, string | undefined] | undefined;
    let lastHandle = -1;
    for (const [h, key] of this.handleKey) {
      if (key !== k || !this.results.has(h) || h < lastHandle) continue;
      const r = this.results.get(h)!;
      last = r[r.length - 1];
      lastHandle = h;
    }
    return last;
  }

  next(): ChangeKind {
    while (this.qh < this.q.length) {
      const it = this.q[this.qh++];
      if (this.qh > 4096 && this.qh * 2 > this.q.length) {
        this.q = this.q.slice(this.qh);
        this.qh = 0;
      }
      if (it.kind === 'nhg') {
        const v = this.nhg;
        v.op = it.op;
        v.id = it.spec.id;
        v.fdb = !!it.spec.fdb;
        v.primary = it.op === Op.Set ? it.spec.primary.map(pathView) : [];
        v.backup = it.op === Op.Set ? (it.spec.backup ?? []).map(pathView) : [];
        const first = it.spec.primary.find((l) => l.gw);
        v.family = it.spec.family ?? (first && first.gw!.includes(':') ? AF_INET6 : AF_INET);
        return ChangeKind.Nhg;
      }
      if (it.kind === 'mac') {
        const v = this.mac;
        v.op = it.op;
        it.mac.mac.split(':').forEach((x, i) => (v.mac[i] = parseInt(x, 16)));
        v.vni = it.mac.vni;
        v.nhgId = it.mac.nhg ?? 0;
        v.vtep.fill(0);
        v.vtepFamily = 0;
        if (it.mac.vtep) {
          const a = parseAddr(it.mac.vtep);
          v.vtep.set(a.bytes);
          v.vtepFamily = a.fam;
        }
        v.handle = this.nextHandle++;
        return ChangeKind.Mac;
      }
      const s = it.spec;
      const v = this.route;
      v.op = it.op;
      v.addr.fill(0);
      if (s.prefix.startsWith('mpls:')) {
        v.family = AF_MPLS;
        v.label = Number(s.prefix.slice(5));
        v.len = 20;
        v.table = 0;
      } else {
        const [a, l] = s.prefix.split('/');
        const p = parseAddr(a);
        v.family = (p.fam === 6 ? AF_INET6 : AF_INET);
        v.addr.set(p.bytes);
        v.len = Number(l);
        v.label = 0;
        v.table = s.table ?? 254;
      }
      v.target = s.nhg !== undefined ? Target.Nhg : (s.target ?? Target.Blackhole);
      v.nhgId = s.nhg ?? 0;
      v.protocol = s.protocol ?? 196;
      v.lane = Lane.Connected;
      v.handle = this.nextHandle++;
      const key = `${s.table ?? 254}|${s.prefix}`;
      this.handleKey.set(v.handle, key);
      this.handleNhg.set(v.handle, it.op === Op.Set ? v.nhgId : -1);
      v.prevNhgId = it.op === Op.Set && !it.force ? (this.installed.get(key) ?? 0) : 0;
      if (it.op === Op.Del) this.installed.delete(key);
      return ChangeKind.Route;
    }
    return ChangeKind.None;
  }

  depth(): number[] {
    return [this.q.length - this.qh, 0, 0];
  }

  routeResult(handle: number, ok: boolean, error?: string): void {
    const key = this.handleKey.get(handle);
    const nhg = this.handleNhg.get(handle);
    if (ok && key !== undefined && nhg !== undefined && nhg >= 0) this.installed.set(key, nhg);
    let l = this.results.get(handle);
    if (!l) this.results.set(handle, (l = []));
    l.push([ok, error]);
  }

  get reemitRoutesUsing(): ((id: number) => number) | undefined {
    if (!this.hooks) return undefined;
    return (id: number) => {
      this.reemits++;
      let n = 0;
      for (const r of this.routes.values()) {
        if (r.nhg === id) {
          this.q.push({ kind: 'route', op: Op.Set, spec: r, force: true });
          n++;
        }
      }
      return n;
    };
  }

  get replayAll(): (() => number) | undefined {
    if (!this.hooks) return undefined;
    return () => {
      this.replays++;
      for (const g of this.nhgs.values()) this.q.push({ kind: 'nhg', op: Op.Set, spec: g });
      this.installed.clear();
      for (const r of this.routes.values()) this.q.push({ kind: 'route', op: Op.Set, spec: r, force: true });
      for (const m of this.macs.values()) this.q.push({ kind: 'mac', op: Op.Set, mac: m });
      return this.nhgs.size + this.routes.size + this.macs.size;
    };
  }
}

// Random (seeded) route/NHG/MAC churn, reorderings and reconnects: FibStore equals a naive Map model, and its changes rebuild exactly that state.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FibStore } from '../ts/dplane/store';
import { AF_INET, AF_MPLS, Target } from '../ts/dplane/types';
import { BatchWriter, NeighSpec, NexthopSpec, PathSpec, RouteSpec } from './helpers/dplane-batch';
import { FibModel, pathText } from './helpers/dplane-model';
import { fmtIp, normPrefix, parseIp } from './helpers/dplane-net';
import { uniformSource as rng } from '../ts/gen/rng';

// ---------------------------------------------------------------- the naive model (plain Maps, string keys)

interface NNhg {
  spec: NexthopSpec;
  epoch: number;
  pendingDel: boolean;
}
interface NRoute {
  spec: RouteSpec;
  key: string;
  epoch: number;
}
interface NMac {
  spec: NeighSpec;
  key: string;
  epoch: number;
}

class Naive {
  nhgs = new Map<number, NNhg>();
  routes = new Map<string, NRoute>();
  macs = new Map<string, NMac>();
  epoch = 1;
  refused = 0;

  static routeKey(s: RouteSpec): string {
    if (s.label !== undefined) return `mpls:0 ${s.label}`;
    const p = normPrefix(s.dst!);
    return `${p.includes(':') ? 'inet6' : 'inet'}:${s.table ?? 254} ${p}`;
  }

  static macKey(s: NeighSpec): string {
    return `${s.ifindex}/${s.vlan ?? 0}/${s.mac}`;
  }

  private inUse(id: number): boolean {
    for (const r of this.routes.values()) if (r.spec.nhId === id) return true;
    for (const m of this.macs.values()) if (m.spec.nhId === id) return true;
    for (const n of this.nhgs.values()) {
      if (n.spec.group?.some(([m]) => m === id)) return true;
      if (n.spec.backup === id) return true;
    }
    return false;
  }

  private settlePending(): void {
    for (let again = true; again; ) {
      again = false;
      for (const [id, n] of this.nhgs)
        if (n.pendingDel && !this.inUse(id)) {
          this.nhgs.delete(id);
          again = true;
        }
    }
  }

  route(op: 'new' | 'del', s: RouteSpec): void {
    const k = Naive.routeKey(s);
    if (op === 'new') this.routes.set(k, { spec: s, key: k, epoch: this.epoch });
    else this.routes.delete(k);
    this.settlePending();
  }

  nexthop(op: 'new' | 'del', s: NexthopSpec): void {
    if (op === 'new') this.nhgs.set(s.id, { spec: s, epoch: this.epoch, pendingDel: false });
    else {
      const n = this.nhgs.get(s.id);
      if (n === undefined) return;
      if (this.inUse(s.id)) {
        this.refused++;
        n.pendingDel = true;
      } else this.nhgs.delete(s.id);
    }
    this.settlePending();
  }

  neigh(op: 'new' | 'del', s: NeighSpec): void {
    const k = Naive.macKey(s);
    if (op === 'new') this.macs.set(k, { spec: s, key: k, epoch: this.epoch });
    else this.macs.delete(k);
    this.settlePending();
  }

  /** End of replay: the sweep rules of FibStore (docs/dplane.md). */
  sweep(full: boolean): void {
    for (const [k, r] of this.routes)
      if (r.epoch !== this.epoch && (full || k.startsWith('mpls') || k.includes(':254 '))) this.routes.delete(k);
    if (full) for (const [k, m] of this.macs) if (m.epoch !== this.epoch) this.macs.delete(k);
    for (let again = true; again; ) {
      again = false;
      for (const [id, n] of this.nhgs)
        if (n.epoch !== this.epoch && !this.inUse(id)) {
          this.nhgs.delete(id);
          again = true;
        }
    }
    this.settlePending();
  }

  /** Forwarding legs of a group id, or null while it (or a member) is missing. */
  legs(id: number): string[] | null {
    const n = this.nhgs.get(id);
    if (n === undefined) return null;
    const s = n.spec;
    if (s.group) {
      const out: string[] = [];
      for (const [m, w] of s.group) {
        const mn = this.nhgs.get(m);
        if (mn === undefined) return null;
        out.push(leg(mn.spec, w));
      }
      return out;
    }
    return [leg(s, 1)];
  }

  backupLegs(id: number): string[] {
    const b = this.nhgs.get(id)?.spec.backup;
    if (b === undefined) return [];
    return this.legs(b) ?? [];
  }

  /** What a route forwards on, or null while parked. */
  forwarding(r: RouteSpec): string | null {
    if (r.type !== undefined && r.type !== 1) return ['', '', '', '', '', '', 'blackhole', 'unreachable', 'prohibit'][r.type];
    if (r.nhId !== undefined) {
      const l = this.legs(r.nhId);
      if (l === null) return null;
      const b = this.backupLegs(r.nhId);
      return `${l.join(',')}${b.length ? ` backup ${b.join(',')}` : ''}`;
    }
    return (r.paths ?? [{ gw: r.gw, ifindex: r.oif, labels: r.labels }]).map((p) => pathLeg(p)).join(',');
  }
}

function leg(s: NexthopSpec, w: number): string {
  if (s.blackhole) return `blackhole%${s.oif ?? 0}*${w}`;
  return `${s.gw === undefined ? '-' : fmtIp(parseIp(s.gw))}%${s.oif ?? 0}*${w}${s.labels?.length ? `[${s.labels.join('/')}]` : ''}`;
}

function pathLeg(p: PathSpec): string {
  return `${p.gw === undefined ? '-' : fmtIp(parseIp(p.gw))}%${p.ifindex ?? 0}*${p.weight ?? 1}${p.labels?.length ? `[${p.labels.join('/')}]` : ''}`;
}

// ---------------------------------------------------------------- generation

const SINGLE_IDS = [1, 2, 3, 4, 5, 6, 7, 8];
const GROUP_IDS = [20, 21, 22, 23];
const MISSING_ID = 9; // named, never sent
const FDB_SINGLE = [50, 51, 52];
const FDB_GROUP = [60, 61];
const GWS4 = ['10.99.1.2', '10.99.2.2', '10.99.3.2'];
const PATHSETS: PathSpec[][] = [
  [{ gw: '10.99.1.2', ifindex: 2 }, { gw: '10.99.2.2', ifindex: 3 }],
  [{ gw: '10.99.1.2', ifindex: 2, weight: 3 }],
  [{ ifindex: 4 }],
  [{ gw: '10.99.2.2', ifindex: 3, labels: [100, 200] }],
];

class Gen {
  constructor(private readonly r: () => number) {}
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
  }

  nexthop(): NexthopSpec {
    const k = this.int(10);
    if (k < 5) {
      const id = this.pick(SINGLE_IDS);
      if (this.chance(0.1)) return { id, blackhole: true };
      const s: NexthopSpec = { id, gw: this.pick(GWS4), oif: 2 + this.int(3) };
      if (this.chance(0.2)) s.labels = [16 + this.int(4)];
      if (this.chance(0.15)) s.backup = this.pick([...SINGLE_IDS, ...GROUP_IDS].filter((x) => x !== id));
      return s;
    }
    if (k < 8) {
      const id = this.pick(GROUP_IDS);
      const n = 1 + this.int(3);
      const members = new Set<number>();
      for (let i = 0; i < n; i++) members.add(this.chance(0.05) ? MISSING_ID : this.pick(SINGLE_IDS));
      const s: NexthopSpec = { id, group: [...members].map((m) => [m, 1 + this.int(3)]) };
      if (this.chance(0.2)) s.backup = this.pick([...SINGLE_IDS, ...GROUP_IDS].filter((x) => x !== id));
      return s;
    }
    if (k < 9) return { id: this.pick(FDB_SINGLE), gw: this.pick(['10.99.31.2', '10.99.31.3']), fdb: true };
    return { id: this.pick(FDB_GROUP), fdb: true, group: [[this.pick(FDB_SINGLE), 1], [this.pick(FDB_SINGLE), 1]].filter((g, i, a) => a.findIndex((x) => x[0] === g[0]) === i) as [number, number][] };
  }

  routeKeySpec(): RouteSpec {
    const k = this.int(10);
    if (k < 6) return { dst: `10.${this.int(3)}.${this.int(6)}.0/${this.pick([16, 24, 24, 32])}`, table: this.chance(0.2) ? 1001 : 254 };
    if (k < 9) return { dst: `fd00:${this.int(4)}::/${this.pick([48, 64])}`, table: 254 };
    return { label: 100 + this.int(4) };
  }

  route(): RouteSpec {
    const s = this.routeKeySpec();
    s.protocol = this.pick([2, 196, 187, 188, 186, 186]);
    if (s.label !== undefined) {
      s.paths = [{ gw: this.pick(GWS4), ifindex: 2, labels: this.chance(0.5) ? [500 + this.int(2)] : [] }];
      return s;
    }
    const k = this.int(10);
    if (k < 6) s.nhId = this.chance(0.05) ? MISSING_ID : this.pick([...SINGLE_IDS, ...GROUP_IDS]);
    else if (k < 8) s.paths = this.pick(PATHSETS);
    else s.type = this.pick([6, 7, 8]);
    return s;
  }

  neigh(): NeighSpec {
    const s: NeighSpec = { ifindex: 4, vlan: this.pick([0, 10]), mac: `02:00:00:00:00:0${this.int(4)}` };
    if (this.chance(0.5)) s.dst = this.pick(['10.99.31.2', '10.99.31.9']);
    else s.nhId = this.pick([...FDB_GROUP, ...FDB_SINGLE]);
    return s;
  }
}

// ---------------------------------------------------------------- comparison

function storeRouteText(s: FibStore): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of s.routes()) {
    const key = r.family === AF_MPLS ? `mpls:0 ${r.label}` : `${r.family === AF_INET ? 'inet' : 'inet6'}:${r.table} ${fmtIp(r.addr)}/${r.len}`;
    const l = s.lookup(r.family, r.table, r.addr, r.family === AF_MPLS ? r.label : r.len)!;
    let v: string;
    if (l.target !== Target.Nhg) v = ['', 'blackhole', 'unreachable', 'prohibit'][l.target];
    else if (l.parked) v = 'parked';
    else v = `${l.primary.map(pathText).join(',')}${l.backup.length ? ` backup ${l.backup.map(pathText).join(',')}` : ''}`;
    out.set(key, `${v} p${r.protocol}`);
  }
  return out;
}

function naiveRouteText(n: Naive): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, r] of n.routes) out.set(k, `${n.forwarding(r.spec) ?? 'parked'} p${r.spec.protocol}`);
  return out;
}

function sorted(m: Map<string, string>): Record<string, string> {
  return Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Map equality, with a readable diff (sorted objects) only when they differ. */
function sameMap(a: Map<string, string>, b: Map<string, string>, msg: string): void {
  let same = a.size === b.size;
  if (same) for (const [k, v] of a) if (b.get(k) !== v) same = false;
  if (!same) assert.equal(sorted(a), sorted(b), msg);
}

function compare(s: FibStore, n: Naive, where: string): void {
  sameMap(storeRouteText(s), naiveRouteText(n), `${where}: routes`);
  const sn = [...s.nhgs()].map((x) => x.id).sort((a, b) => a - b);
  const nn = [...n.nhgs.keys()].sort((a, b) => a - b);
  assert.equal(sn, nn, `${where}: nexthop objects`);
  for (const id of nn) {
    const st = s.nhgById(id)!;
    const want = n.legs(id);
    assert.is(st.resolved, want !== null, `${where}: group ${id} resolved`);
    if (want) assert.equal(st.primary.map(pathText), want, `${where}: group ${id} legs`);
  }
  const macs = new Map<string, string>();
  for (const m of s.macEntries())
    macs.set(`${m.ifindex}/${m.vlan}/${Array.from(m.mac, (x) => x.toString(16).padStart(2, '0')).join(':')}`, m.nhgId ? `nhg ${m.nhgId}` : fmtIp(m.vtep));
  const nm = new Map<string, string>();
  for (const [k, m] of n.macs) nm.set(k, m.spec.nhId !== undefined ? `nhg ${m.spec.nhId}` : m.spec.dst!);
  sameMap(macs, nm, `${where}: MACs`);
  const c = s.counts();
  assert.is(c.routes, n.routes.size);
  assert.is(c.macs, n.macs.size);
  let parked = 0;
  for (const r of n.routes.values()) if (n.forwarding(r.spec) === null) parked++;
  assert.is(c.parked.routesNhgMissing + c.parked.routesNhgIncomplete, parked, `${where}: parked routes`);
}

/** After a full drain the dataplane holds exactly the programmable part of the naive model. */
function compareDataplane(m: FibModel, n: Naive, where: string): void {
  const want = new Map<string, string>();
  for (const [k, r] of n.routes) {
    const f = n.forwarding(r.spec);
    if (f !== null) want.set(k, f);
  }
  sameMap(m.resolved(), want, `${where}: dataplane routes`);
  const used = new Set<number>();
  for (const r of m.routes.values()) if (r.target === Target.Nhg) used.add(r.nhgId);
  const macs = new Map<string, string>();
  for (const [k, v] of m.macs) {
    if (v.nhgId) used.add(v.nhgId);
    macs.set(k, v.nhgId ? `nhg ${v.nhgId}` : v.vtep);
  }
  assert.equal([...m.nhgs.keys()].sort((a, b) => a - b), [...used].sort((a, b) => a - b), `${where}: exactly the used groups are programmed`);
  const nm = new Map<string, string>();
  for (const [k, mac] of n.macs) {
    const id = mac.spec.nhId;
    if (id !== undefined && n.legs(id) === null) continue;
    nm.set(k, id !== undefined ? `nhg ${id}` : mac.spec.dst!);
  }
  sameMap(macs, nm, `${where}: dataplane MACs`);
}

// ---------------------------------------------------------------- the run

function run(seed: number, steps: number): void {
  const g = new Gen(rng(seed));
  let now = 0;
  const store = new FibStore({ quietMs: 3000, now: () => now });
  const naive = new Naive();
  const dp = new FibModel();
  const w = new BatchWriter();
  let ops: (() => void)[] = [];
  const flush = (where: string) => {
    w.reset();
    for (const op of ops) op();
    ops = [];
    store.ingest(w.batch, w.chunk);
    compare(store, naive, where);
  };
  // DPLANE_TRACE=1 prints every operation (with DPLANE_SEED=n to reproduce one seed).
  const dbg = (x: string) => process.env.DPLANE_TRACE && console.log(x);
  const route = (op: 'new' | 'del', s: RouteSpec) =>
    ops.push(() => {
      dbg(`route ${op} ${JSON.stringify(s)}`);
      w.route(op, s);
      naive.route(op, s);
    });
  const nexthop = (op: 'new' | 'del', s: NexthopSpec) =>
    ops.push(() => {
      dbg(`nh ${op} ${JSON.stringify(s)}`);
      w.nexthop(op, s);
      naive.nexthop(op, s);
    });
  const neigh = (op: 'new' | 'del', s: NeighSpec) =>
    ops.push(() => {
      dbg(`neigh ${op} ${JSON.stringify(s)}`);
      w.neigh(op, s);
      naive.neigh(op, s);
    });

  store.connectionStart(now);
  for (let step = 0; step < steps; step++) {
    const where = `seed ${seed} step ${step}`;
    dbg(`--- ${where}`);
    const k = g.int(100);
    if (k < 80) {
      // A batch of live changes (DEL+NEW pairs, flaps and reorderings included).
      const n = 1 + g.int(12);
      for (let i = 0; i < n; i++) {
        const x = g.int(20);
        if (x < 7) route('new', g.route());
        else if (x < 9) {
          const s = g.route();
          route('del', s);
          route('new', s);
        } else if (x < 11) route('del', g.routeKeySpec());
        else if (x < 15) nexthop('new', g.nexthop());
        else if (x < 17) nexthop('del', { id: g.pick([...SINGLE_IDS, ...GROUP_IDS, ...FDB_SINGLE, ...FDB_GROUP]) });
        else if (x < 19) neigh('new', g.neigh());
        else neigh('del', g.neigh());
      }
      flush(where);
    } else if (k < 92) {
      // Reconnect: zebra replays part of what it has (groups in any order, some entries lost
      // meanwhile), with or without the end marker; sometimes it drops mid-replay.
      store.connectionStart(now);
      naive.epoch++;
      const marker = g.chance(0.5);
      const replay: (() => void)[] = [];
      for (const nn of naive.nhgs.values()) if (g.chance(0.85)) replay.push(() => nexthop('new', nn.spec));
      g.shuffle(replay);
      const rs: (() => void)[] = [];
      for (const r of naive.routes.values()) if (g.chance(0.85)) rs.push(() => route('new', r.spec));
      const ms: (() => void)[] = [];
      if (marker) for (const m of naive.macs.values()) if (g.chance(0.85)) ms.push(() => neigh('new', m.spec));
      const all = [...replay, ...g.shuffle(rs), ...ms];
      // Snapshot first: the replay content is what zebra had at connect.
      const queued = all.length;
      for (let i = 0; i < queued; i++) {
        all[i]();
        if (ops.length >= 7 || i === queued - 1) flush(`${where} replay`);
      }
      if (g.chance(0.1)) {
        store.connectionEnd();
        continue; // dropped before the end: nothing swept
      }
      if (marker) {
        w.reset();
        w.done();
        store.ingest(w.batch, w.chunk);
        naive.sweep(true);
      } else {
        now += 3001;
        assert.ok(store.tick(now));
        naive.sweep(false);
      }
      compare(store, naive, `${where} after sweep`);
    } else if (k < 96) {
      dp.drainSome(store, 1 + g.int(20)); // a dataplane that is behind
    } else {
      dp.drain(store);
      compareDataplane(dp, naive, where);
    }
  }
  dp.drain(store);
  compareDataplane(dp, naive, `seed ${seed} end`);
  assert.equal(store.depth(), [0, 0, 0]);
}

test('random churn, reorderings and partial replays: store = naive model; drained changes rebuild it', () => {
  const one = process.env.DPLANE_SEED;
  for (let seed = Number(one ?? 1); seed <= Number(one ?? 100); seed++) run(seed, 70);
});

test('long run on one seed (queue and slot reuse over time)', () => {
  run(4242, 1000);
});

test.run();

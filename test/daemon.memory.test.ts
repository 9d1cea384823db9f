// The memory dataplane against the ChangeSource contract: groups, routes, MACs, lookups, results, bounded slices.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
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
import { MemoryDataplane } from '../ts/daemon/memory-dataplane';
import { parseAddr } from '../ts/addr';

type Change =
  | { kind: ChangeKind.Nhg; v: NhgView }
  | { kind: ChangeKind.Route; v: RouteView }
  | { kind: ChangeKind.Mac; v: MacView };

/** A list-backed source that, like the store, fills reused views and records every result. */
class ListSource implements ChangeSource {
  readonly nhg: NhgView = newNhgView();
  readonly route: RouteView = newRouteView();
  readonly mac: MacView = newMacView();
  readonly queue: Change[] = [];
  readonly results: [number, boolean, string | undefined][] = [];
  nextCalls = 0;
  next(): ChangeKind {
    this.nextCalls++;
    const c = this.queue.shift();
    if (!c) return ChangeKind.None;
    if (c.kind === ChangeKind.Route) {
      const { addr, ...rest } = c.v;
      Object.assign(this.route, rest);
      this.route.addr.fill(0xee); // stale bytes beyond the address must not matter
      this.route.addr.set(addr);
    } else if (c.kind === ChangeKind.Nhg) Object.assign(this.nhg, c.v);
    else Object.assign(this.mac, c.v);
    return c.kind;
  }
  depth(): number[] {
    return [this.queue.length, 0, 0];
  }
  routeResult(handle: number, ok: boolean, error?: string): void {
    this.results.push([handle, ok, error]);
  }
}

const path4 = (gw: string, ifindex: number, weight = 1): PathView => ({
  gwFamily: 4,
  gw: parseAddr(gw)!.bytes,
  ifindex,
  weight,
  labels: [],
  blackhole: false,
});

let handles = 0;
function route(prefix: string, op: Op, target: Target, nhgId = 0, table = 254): Change {
  const [a, l] = prefix.split('/');
  const p = parseAddr(a)!;
  return {
    kind: ChangeKind.Route,
    v: {
      op,
      family: p.family === 4 ? AF_INET : AF_INET6,
      table,
      addr: p.bytes,
      len: Number(l),
      label: 0,
      target,
      nhgId,
      prevNhgId: 0,
      protocol: 196,
      lane: Lane.Connected,
      handle: ++handles,
    },
  };
}
const nhg = (id: number, primary: PathView[], op = Op.Set, backup: PathView[] = []): Change => ({
  kind: ChangeKind.Nhg,
  v: { op, id, family: AF_INET, primary, backup, fdb: false },
});

test('routes, groups and lookups: longest prefix wins, special targets, deletes', async () => {
  const src = new ListSource();
  const seen: string[] = [];
  const dp = new MemoryDataplane(src, { onRouteResult: (r, ok) => seen.push(`${r.len}:${ok}`) });
  src.queue.push(
    nhg(10, [path4('10.99.1.2', 3)]),
    nhg(11, [path4('10.99.1.2', 3, 1), path4('10.99.2.2', 4, 3)], Op.Set, [path4('10.99.3.2', 5)]),
    route('10.0.0.0/8', Op.Set, Target.Nhg, 10),
    route('10.1.0.0/16', Op.Set, Target.Nhg, 11),
    route('10.1.2.0/24', Op.Set, Target.Blackhole),
    route('0.0.0.0/0', Op.Set, Target.Unreachable),
    route('10.2.0.0/16', Op.Set, Target.Nhg, 10, 1001),
    route('2001:db8::/32', Op.Set, Target.Prohibit),
    { kind: ChangeKind.Route, v: { ...(route('0.0.0.0/0', Op.Set, Target.Nhg, 10).v as RouteView), family: AF_MPLS, len: 20, label: 16001, table: 0 } },
  );
  await dp.whenIdle();
  assert.is(src.results.length, 7);
  assert.ok(src.results.every(([, ok]) => ok));
  assert.equal(seen, ['8:true', '16:true', '24:true', '0:true', '16:true', '32:true', '20:true']);
  const st = dp.status();
  assert.is(st.routes, 7);
  assert.equal(st.routesByTable, { 'inet:254': 4, 'inet:1001': 1, 'inet6:254': 1, 'mpls:0': 1 });
  assert.is(st.nhgs, 2);
  assert.is(st.failures, 0);

  const a = dp.lookup('10.1.9.9')!;
  assert.is(a.prefix, '10.1.0.0/16');
  assert.is(a.nhgId, 11);
  assert.equal(a.paths.map((p) => [p.gw, p.ifindex, p.weight]), [['10.99.1.2', 3, 1], ['10.99.2.2', 4, 3]]);
  assert.equal(a.backup.map((p) => p.gw), ['10.99.3.2']);
  assert.is(dp.lookup('10.1.2.77')!.target, 'blackhole');
  assert.is(dp.lookup('10.200.0.1')!.prefix, '10.0.0.0/8');
  assert.is(dp.lookup('192.0.2.1')!.target, 'unreachable');
  assert.is(dp.lookup('10.2.0.1', 1001)!.prefix, '10.2.0.0/16');
  assert.is(dp.lookup('10.9.0.1', 1001), null);
  assert.is(dp.lookup('2001:db8:1::1')!.prefix, '2001:db8::/32');
  assert.is(dp.lookup('2001:db9::1'), null);

  // Delete (no nexthops on the wire, target 0) and replace.
  src.queue.push(route('10.1.0.0/16', Op.Del, Target.Nhg), route('10.0.0.0/8', Op.Set, Target.Nhg, 11));
  await dp.whenIdle();
  assert.is(dp.lookup('10.1.9.9')!.prefix, '10.0.0.0/8');
  assert.is(dp.lookup('10.1.9.9')!.nhgId, 11);
  assert.is(dp.status().routes, 6);
  assert.is(src.results.length, 8, 'a result for the replacing Set, none for the Del');
  // Deleting something absent changes nothing.
  src.queue.push(route('10.77.0.0/16', Op.Del, Target.Nhg));
  await dp.whenIdle();
  assert.is(dp.status().routes, 6);
  assert.equal(
    dp.routes({ family: 'inet', table: 254 }).map((r) => `${r.prefix} ${r.target}`),
    ['0.0.0.0/0 unreachable', '10.0.0.0/8 nhg', '10.1.2.0/24 blackhole'],
  );
});

test('a route naming a group never programmed fails and is reported, the rest goes on', async () => {
  const src = new ListSource();
  const dp = new MemoryDataplane(src);
  src.queue.push(route('10.0.0.0/24', Op.Set, Target.Nhg, 77), nhg(1, [path4('10.99.1.2', 3)]), route('10.0.1.0/24', Op.Set, Target.Nhg, 1));
  await dp.whenIdle();
  assert.equal(src.results.map(([, ok, e]) => [ok, e]), [[false, 'nexthop group 77 not programmed'], [true, undefined]]);
  assert.is(dp.status().failures, 1);
  assert.is(dp.status().routes, 1);
});

test('EVPN MACs are kept per (ifindex, vlan, mac)', async () => {
  const src = new ListSource();
  const dp = new MemoryDataplane(src);
  const mac = (op: Op, last: number, vtep: string): Change => ({
    kind: ChangeKind.Mac,
    v: { op, ifindex: 9, vlan: 0, mac: Uint8Array.of(0x02, 0, 0, 0, 0, last), vtepFamily: 4, vtep: parseAddr(vtep)!.bytes, nhgId: 0, vni: 100, handle: 0 },
  });
  src.queue.push(mac(Op.Set, 1, '192.0.2.1'), mac(Op.Set, 2, '192.0.2.2'), mac(Op.Set, 1, '192.0.2.3'), mac(Op.Del, 2, '0.0.0.0'));
  await dp.whenIdle();
  assert.equal(dp.macList(), [{ ifindex: 9, vlan: 0, mac: '02:00:00:00:00:01', vtep: '192.0.2.3', nhgId: 0, vni: 100 }]);
  assert.is(dp.status().macs, 1);
});

test('draining happens in bounded slices off the caller stack', async () => {
  const src = new ListSource();
  const dp = new MemoryDataplane(src, { sliceChanges: 100 });
  src.queue.push(nhg(1, [path4('10.99.1.2', 3)]));
  for (let i = 0; i < 1000; i++) {
    const a = `10.${i >> 8}.${i & 255}.0/24`;
    src.queue.push(route(a, Op.Set, Target.Nhg, 1));
  }
  dp.kick();
  assert.is(src.nextCalls, 0, 'kick never drains synchronously');
  // A competing setImmediate chain sees the queue shrink by at most one slice per turn.
  const left: number[] = [];
  let stop = false;
  const watch = () => {
    left.push(src.queue.length);
    if (!stop) setImmediate(watch);
  };
  setImmediate(watch);
  await dp.whenIdle();
  stop = true;
  assert.is(dp.status().routes, 1000);
  const drops = left.slice(1).map((n, i) => left[i] - n);
  assert.ok(left.length >= 10, `the watcher ran between slices (${left.length} turns)`);
  assert.ok(Math.max(...drops) <= 100, `at most one slice per turn: ${drops.join(',')}`);
  dp.close();
});

test.run();

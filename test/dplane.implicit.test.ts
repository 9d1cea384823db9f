// Inline-mode path sets: routes share an implicit group exactly when their path sets are equal, however the rows come (neighbours, cache, Map), field by field.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FibStore } from '../ts/dplane/store';
import { AF_INET, AF_INET6, AF_MPLS } from '../ts/dplane/types';
import { BatchWriter, PathSpec, RouteSpec } from './helpers/dplane-batch';
import { pathText } from './helpers/dplane-model';
import { parseIp } from './helpers/dplane-net';
import { uniformSource as rng } from '../ts/gen/rng';

// Path sets that differ from one another in a single field each (gateway bytes, v4/v6, absent
// gateway, ifindex, weight, flags, labels, label count, leg order, leg count).
const V4_SETS: { route: Partial<RouteSpec>; key: string }[] = [
  { route: { gw: '10.0.0.1', oif: 2 }, key: '10.0.0.1%2*1/0[]' },
  { route: { gw: '10.0.0.2', oif: 2 }, key: '10.0.0.2%2*1/0[]' },
  { route: { gw: '11.0.0.1', oif: 2 }, key: '11.0.0.1%2*1/0[]' },
  { route: { gw: '10.0.0.1', oif: 3 }, key: '10.0.0.1%3*1/0[]' },
  { route: { oif: 2 }, key: '-%2*1/0[]' },
  { route: { oif: 3 }, key: '-%3*1/0[]' },
  { route: { gw: '10.0.0.1' }, key: '10.0.0.1%0*1/0[]' },
  { route: { gw: 'fe80::1', oif: 2 }, key: 'fe80::1%2*1/0[]' },
  { route: { gw: 'fe80::1:0:0:1', oif: 2 }, key: 'fe80::1:0:0:1%2*1/0[]' },
  { route: { gw: 'fe80::2', oif: 2 }, key: 'fe80::2%2*1/0[]' },
  { route: { gw: '10.0.0.1', oif: 2, labels: [100] }, key: '10.0.0.1%2*1/0[100]' },
  { route: { gw: '10.0.0.1', oif: 2, labels: [101] }, key: '10.0.0.1%2*1/0[101]' },
  { route: { gw: '10.0.0.1', oif: 2, labels: [100, 200] }, key: '10.0.0.1%2*1/0[100/200]' },
  { route: { gw: '10.0.0.1', oif: 2, labels: [200, 100] }, key: '10.0.0.1%2*1/0[200/100]' },
];

function legKey(p: PathSpec): string {
  return `${p.gw ?? '-'}%${p.ifindex ?? 0}*${p.weight ?? 1}/${p.flags ?? 0}[${(p.labels ?? []).join('/')}]`;
}

const ECMP: PathSpec[][] = [
  [{ gw: '10.0.0.1', ifindex: 2 }, { gw: '10.0.0.2', ifindex: 3 }],
  [{ gw: '10.0.0.2', ifindex: 3 }, { gw: '10.0.0.1', ifindex: 2 }],
  [{ gw: '10.0.0.1', ifindex: 2 }, { gw: '10.0.0.2', ifindex: 3, weight: 2 }],
  [{ gw: '10.0.0.1', ifindex: 2 }, { gw: '10.0.0.2', ifindex: 3, flags: 1 }],
  [{ gw: '10.0.0.1', ifindex: 2 }, { gw: '10.0.0.2', ifindex: 4 }],
  [{ gw: '10.0.0.1', ifindex: 2 }, { gw: '10.0.0.3', ifindex: 3 }],
  [{ gw: '10.0.0.1', ifindex: 2 }, { gw: '10.0.0.2', ifindex: 3 }, { gw: '10.0.0.3', ifindex: 4 }],
  [{ gw: '10.0.0.1', ifindex: 2, labels: [16] }, { gw: '10.0.0.2', ifindex: 3, labels: [17] }],
  [{ gw: '10.0.0.1', ifindex: 2, labels: [16] }, { gw: '10.0.0.2', ifindex: 3, labels: [18] }],
  [{ gw: '10.0.0.1', ifindex: 2, labels: [16] }, { gw: '10.0.0.2', ifindex: 3, labels: [17, 18] }],
  [{ gw: '10.0.0.1', ifindex: 2, labels: [16] }, { gw: '10.0.0.2', ifindex: 3, labels: [17, 19] }],
  [{ gw: '10.0.0.1', ifindex: 2, labels: [16] }, { gw: '10.0.0.2', ifindex: 3 }],
  [{ gw: 'fe80::1', ifindex: 2 }, { gw: 'fe80::2', ifindex: 3 }],
  [{ gw: 'fe80::1', ifindex: 2 }, { gw: 'fe80::1:0:0:2', ifindex: 3 }],
  // One leg, weight 1, no flags: the same path set as a single gateway + oif route.
  [{ gw: '10.0.0.1', ifindex: 2 }],
];

interface Sent {
  family: number;
  dst: string;
  /** The path set, as the grouping must see it. */
  key: string;
  legs: string[];
}

function pick(r: () => number, i: number): { route: RouteSpec; key: string; legs: string[] } {
  const v6 = r() < 0.3;
  const addr = v6 ? `2001:db8:${(i >> 8).toString(16)}:${(i & 255).toString(16)}::` : `100.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const dst = `${addr}/${v6 ? 64 : 32}`;
  const fam = v6 ? 'v6' : 'v4';
  if (r() < 0.5) {
    const s = V4_SETS[Math.floor(r() * V4_SETS.length)];
    const p: PathSpec = { gw: s.route.gw, ifindex: s.route.oif ?? 0, labels: s.route.labels };
    return { route: { dst, ...s.route }, key: `${fam} ${s.key}`, legs: [pathText(legView(p))] };
  }
  const paths = ECMP[Math.floor(r() * ECMP.length)];
  return { route: { dst, paths }, key: `${fam} ${paths.map(legKey).join(' ')}`, legs: paths.map((p) => pathText(legView(p))) };
}

function legView(p: PathSpec): { gwFamily: number; gw: Uint8Array; ifindex: number; weight: number; labels: number[]; blackhole: boolean } {
  const gw = p.gw === undefined ? new Uint8Array(0) : parseIp(p.gw);
  return { gwFamily: gw.length === 4 ? 4 : gw.length === 16 ? 6 : 0, gw, ifindex: p.ifindex ?? 0, weight: p.weight ?? 1, labels: p.labels ?? [], blackhole: false };
}

test('inline routes share a group exactly when their path sets are equal (runs of neighbours, scattered, across batches)', () => {
  const r = rng(7);
  const s = new FibStore();
  const w = new BatchWriter();
  const sent: Sent[] = [];
  let i = 0;
  for (let batch = 0; batch < 40; batch++) {
    w.reset();
    const rows = 20 + Math.floor(r() * 200);
    let prev: { route: RouteSpec; key: string; legs: string[] } | null = null;
    for (let k = 0; k < rows; k++) {
      // Runs of the same path set (the neighbour fast path) mixed with random ones.
      let p = pick(r, i);
      if (prev !== null && r() < 0.5) {
        const v6 = (prev.route.dst ?? '').includes(':');
        const addr = v6 ? `2001:db8:${(i >> 8).toString(16)}:${(i & 255).toString(16)}::/64` : `100.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`;
        p = { route: { ...prev.route, dst: addr }, key: prev.key, legs: prev.legs };
      }
      w.route('new', p.route);
      sent.push({ family: (p.route.dst ?? '').includes(':') ? AF_INET6 : AF_INET, dst: p.route.dst!, key: p.key, legs: p.legs });
      prev = p;
      i++;
    }
    s.ingest(w.batch, w.chunk);
  }
  const groupOfKey = new Map<string, number>();
  const keyOfGroup = new Map<number, string>();
  for (const x of sent) {
    const [a, l] = x.dst.split('/');
    const got = s.lookup(x.family, 254, parseIp(a), Number(l));
    assert.ok(got, x.dst);
    assert.ok(got.nhgId >= 0x80000000, 'an implicit group');
    assert.equal(got.primary.map(pathText), x.legs, `${x.dst} legs`);
    const g = groupOfKey.get(x.key);
    if (g === undefined) groupOfKey.set(x.key, got.nhgId);
    else assert.is(got.nhgId, g, `${x.dst}: same path set, same group (${x.key})`);
    const k = keyOfGroup.get(got.nhgId);
    if (k === undefined) keyOfGroup.set(got.nhgId, x.key);
    else assert.is(k, x.key, `${x.dst}: group ${got.nhgId} holds one path set`);
  }
  assert.is(s.counts().implicitNhgs, groupOfKey.size);
  assert.ok(groupOfKey.size > 40, `many distinct sets used (${groupOfKey.size})`);
});

test('inline MPLS LSPs: out labels and via address tell path sets apart; an IP route never shares an LSP group', () => {
  const s = new FibStore();
  const w = new BatchWriter();
  w.reset()
    .route('new', { label: 100, gw: '10.0.0.1', oif: 2, labels: [200] })
    .route('new', { label: 101, gw: '10.0.0.1', oif: 2, labels: [200] })
    .route('new', { label: 102, gw: '10.0.0.1', oif: 2, labels: [201] })
    .route('new', { label: 103, gw: '10.0.0.1', oif: 2 })
    .route('new', { label: 104, gw: '10.0.0.2', oif: 2, labels: [200] })
    .route('new', { label: 105, paths: [{ gw: '10.0.0.1', ifindex: 2, labels: [200] }] })
    .route('new', { dst: '10.9.0.0/16', gw: '10.0.0.1', oif: 2 });
  s.ingest(w.batch, w.chunk);
  const id = (label: number): number => s.lookup(AF_MPLS, 0, null, label)!.nhgId;
  assert.is(id(101), id(100));
  assert.is(id(105), id(100), 'one RTA_MULTIPATH leg of weight 1 is the same set');
  assert.is.not(id(102), id(100));
  assert.is.not(id(103), id(100));
  assert.is.not(id(104), id(100));
  assert.is.not(id(103), s.lookup(AF_INET, 254, parseIp('10.9.0.0'), 16)!.nhgId, 'same leg, other route family');
  assert.equal(s.lookup(AF_MPLS, 0, null, 102)!.primary.map(pathText), ['10.0.0.1%2*1[201]']);
  assert.is(s.counts().implicitNhgs, 5);
});

test('batches from different decoders, alternating: each ingest reads its own batch columns', () => {
  const s = new FibStore();
  const a = new BatchWriter();
  const b = new BatchWriter();
  for (let i = 0; i < 6; i++) {
    const w = i % 2 === 0 ? a : b;
    w.reset().route('new', { dst: `10.${i}.0.0/16`, gw: `10.99.0.${i + 1}`, oif: 2 + (i % 2) });
    s.ingest(w.batch, w.chunk);
  }
  for (let i = 0; i < 6; i++)
    assert.equal(s.lookup(AF_INET, 254, parseIp(`10.${i}.0.0`), 16)!.primary.map(pathText), [`10.99.0.${i + 1}%${2 + (i % 2)}*1`]);
  assert.is(s.counts().implicitNhgs, 6);
});

test.run();

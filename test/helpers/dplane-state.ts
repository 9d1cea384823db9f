// Test helper: parsers for the zebra/kernel state dumps beside the FRR 8.4.4 captures (*.state.txt, *.md).
//
// Each parser reads one tool's text format as FRR 8.4.4 and iproute2 6.1 print it: `ip route show
// table all`, `ip nexthop show`, `show nexthop-group rib`, `show ip[v6] route [summary]`,
// `show evpn vni detail` / `show evpn mac vni`. They return plain data; the fixture test turns it
// into the same text form as the store's view and compares.
import * as fs from 'fs';
import * as path from 'path';
import { normPrefix } from './dplane-net';
import { FIXTURE_DIR } from './fixtures';

export const FIXTURES = FIXTURE_DIR;

export function fixture(name: string, ext: string): string {
  return path.join(FIXTURES, name + ext);
}

export function hasFixture(name: string, ext: string): boolean {
  return fs.existsSync(fixture(name, ext));
}

export function fixtureText(name: string, ext: string): string {
  return fs.readFileSync(fixture(name, ext), 'utf8');
}

/** "===== title (file)" sections of a state file: title -> lines. Repeated titles are concatenated. */
export function sections(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur: string[] | null = null;
  for (const line of text.split('\n')) {
    const m = /^===== (.*) \(([^()]*)\)\s*$/.exec(line);
    if (m) {
      const title = m[1];
      cur = out.get(title) ?? [];
      out.set(title, cur);
      continue;
    }
    if (cur) cur.push(line);
  }
  return out;
}

/** The first section whose title starts with `prefix`. */
export function section(s: Map<string, string[]>, prefix: string): string[] | undefined {
  for (const [k, v] of s) if (k.startsWith(prefix)) return v;
  return undefined;
}

// ------------------------------------------------------------------ interface names

/**
 * ifname -> ifindex, from the scenario text ("ifindex in `fpm-s`: lo=1, s-p1=2, ...") and from
 * zebra's nexthop-group dump ("Interface Index: 2" followed by "..., s-p1 (vrf default)").
 */
export function interfaceMap(md: string, nhgLines: string[] = []): Map<string, number> {
  const map = new Map<string, number>();
  const m = /ifindex in [^:]*:([^.]*(?:\.\d[^.]*)*)/.exec(md);
  if (m) for (const x of m[1].matchAll(/([A-Za-z][\w-]*)=(\d+)/g)) map.set(x[1], Number(x[2]));
  let idx = -1;
  for (const line of nhgLines) {
    const i = /Interface Index: (\d+)/.exec(line);
    if (i) {
      idx = Number(i[1]);
      continue;
    }
    if (/^ID:/.test(line)) idx = -1;
    const n = /(?:connected|via \S+), ([\w-]+) \(vrf/.exec(line);
    if (n && idx > 0 && !map.has(n[1])) map.set(n[1], idx);
  }
  return map;
}

// ------------------------------------------------------------------ ip route / ip nexthop

export interface KernelLeg {
  gw: string | null;
  dev: string | null;
  weight: number;
}

export interface KernelRoute {
  family: 'inet' | 'inet6';
  table: number;
  prefix: string;
  /** unicast, blackhole, unreachable, prohibit, local, broadcast, anycast, multicast. */
  type: string;
  proto: string;
  nhid: number;
  legs: KernelLeg[];
}

const ROUTE_TYPES = new Set(['blackhole', 'unreachable', 'prohibit', 'local', 'broadcast', 'anycast', 'multicast', 'throw']);

/** `ip route show table all` (IPv4 then IPv6 lines). Local-table entries are returned with table 255. */
export function parseKernelRoutes(lines: string[]): KernelRoute[] {
  const out: KernelRoute[] = [];
  let last: KernelRoute | null = null;
  for (const raw of lines) {
    if (raw.trim() === '') continue;
    if (raw.startsWith('\t') || raw.startsWith(' ')) {
      const t = raw.trim().split(/\s+/);
      if (t[0] === 'nexthop' && last) {
        const leg: KernelLeg = { gw: null, dev: null, weight: 1 };
        for (let i = 1; i < t.length; i++) {
          if (t[i] === 'via') leg.gw = t[++i];
          else if (t[i] === 'dev') leg.dev = t[++i];
          else if (t[i] === 'weight') leg.weight = Number(t[++i]);
        }
        last.legs.push(leg);
      }
      continue;
    }
    const t = raw.trim().split(/\s+/);
    let i = 0;
    let type = 'unicast';
    if (ROUTE_TYPES.has(t[0])) type = t[i++];
    let dst = t[i++];
    const v6 = dst.includes(':');
    if (dst === 'default') dst = v6 ? '::/0' : '0.0.0.0/0';
    const r: KernelRoute = { family: v6 ? 'inet6' : 'inet', table: 254, prefix: normPrefix(dst), type, proto: '', nhid: 0, legs: [] };
    const leg: KernelLeg = { gw: null, dev: null, weight: 1 };
    for (; i < t.length; i++) {
      const k = t[i];
      if (k === 'table') {
        const v = t[++i];
        r.table = v === 'local' ? 255 : v === 'main' ? 254 : Number(v);
      } else if (k === 'proto') r.proto = t[++i];
      else if (k === 'nhid') r.nhid = Number(t[++i]);
      else if (k === 'via') {
        leg.gw = t[++i];
        if (leg.gw === 'inet' || leg.gw === 'inet6') leg.gw = t[++i];
      } else if (k === 'dev') leg.dev = t[++i];
      else if (['metric', 'scope', 'src', 'pref', 'weight'].includes(k)) i++;
    }
    if (type === 'unicast' && (leg.gw !== null || leg.dev !== null)) r.legs.push(leg);
    out.push(r);
    last = r;
  }
  return out;
}

export interface KernelNexthop {
  id: number;
  gw: string | null;
  dev: string | null;
  blackhole: boolean;
  group: { id: number; weight: number }[] | null;
  fdb: boolean;
}

/** `ip nexthop show`. */
export function parseKernelNexthops(lines: string[]): KernelNexthop[] {
  const out: KernelNexthop[] = [];
  for (const raw of lines) {
    const t = raw.trim().split(/\s+/);
    if (t[0] !== 'id') continue;
    const n: KernelNexthop = { id: Number(t[1]), gw: null, dev: null, blackhole: false, group: null, fdb: false };
    for (let i = 2; i < t.length; i++) {
      if (t[i] === 'via') n.gw = t[++i];
      else if (t[i] === 'dev') n.dev = t[++i];
      else if (t[i] === 'blackhole') n.blackhole = true;
      else if (t[i] === 'fdb') n.fdb = true;
      else if (t[i] === 'group')
        n.group = t[++i].split('/').map((g) => {
          const [id, w] = g.split(',');
          return { id: Number(id), weight: w === undefined ? 1 : Number(w) };
        });
    }
    out.push(n);
  }
  return out;
}

// ------------------------------------------------------------------ show nexthop-group rib

export interface ZebraNexthop {
  gw: string | null;
  ifname: string | null;
  blackhole: boolean;
  weight: number;
  recursive: boolean;
  inactive: boolean;
}

export interface ZebraNhg {
  id: number;
  refcnt: number;
  valid: boolean;
  installed: boolean;
  depends: number[];
  dependents: number[];
  /** Forwarding nexthops (recursive ones replaced by what they resolve to). */
  nexthops: ZebraNexthop[];
  /** Nexthops listed under "Backups:". */
  backups: ZebraNexthop[];
  recursive: boolean;
}

function zebraNexthop(line: string): ZebraNexthop | null {
  const s = line.trim();
  const weight = Number(/weight (\d+)/.exec(s)?.[1] ?? 1);
  const inactive = / inactive/.test(s);
  if (s.startsWith('unreachable')) return { gw: null, ifname: null, blackhole: true, weight, recursive: false, inactive };
  const via = /^via ([0-9a-f.:]+)(?:, ([\w-]+))?/.exec(s);
  if (via) return { gw: via[1], ifname: via[2] ?? null, blackhole: false, weight, recursive: /\(recursive\)/.test(s), inactive };
  const dc = /^is directly connected, ([\w-]+)/.exec(s);
  if (dc) return { gw: null, ifname: dc[1], blackhole: false, weight, recursive: false, inactive };
  return null;
}

/** `show nexthop-group rib` (FRR 8.4: zebra_nhg_vty show_nexthop_group_out). */
export function parseZebraNhgs(lines: string[]): ZebraNhg[] {
  const out: ZebraNhg[] = [];
  let cur: ZebraNhg | null = null;
  let inBackups = false;
  for (const line of lines) {
    const id = /^ID: (\d+)/.exec(line);
    if (id) {
      cur = { id: Number(id[1]), refcnt: 0, valid: false, installed: false, depends: [], dependents: [], nexthops: [], backups: [], recursive: false };
      out.push(cur);
      inBackups = false;
      continue;
    }
    if (!cur) continue;
    const s = line.trim();
    if (s.startsWith('RefCnt:')) cur.refcnt = Number(s.split(/\s+/)[1]);
    else if (/^Valid/.test(s)) {
      cur.valid = true;
      cur.installed = /Installed/.test(s);
    } else if (s.startsWith('Depends:')) cur.depends = [...s.matchAll(/\((\d+)\)/g)].map((m) => Number(m[1]));
    else if (s.startsWith('Dependents:')) cur.dependents = [...s.matchAll(/\((\d+)\)/g)].map((m) => Number(m[1]));
    else if (s === 'Backups:') inBackups = true;
    else {
      const nh = zebraNexthop(s);
      if (!nh) continue;
      if (nh.recursive) {
        cur.recursive = true;
        continue;
      }
      (inBackups ? cur.backups : cur.nexthops).push(nh);
    }
  }
  return out;
}

// ------------------------------------------------------------------ show ip route

export interface ShowRoute {
  vrf: string;
  code: string;
  selected: boolean;
  fib: boolean;
  prefix: string;
  family: 'inet' | 'inet6';
  /** Nexthops installed in the FIB ("*"), in order. */
  fibNexthops: ZebraNexthop[];
  /** Backup nexthops ("b" lines). */
  backups: ZebraNexthop[];
  blackhole: boolean;
}

/** `show ip route` / `show ipv6 route` (several, with "VRF name:" headers when given). */
export function parseShowRoute(lines: string[]): ShowRoute[] {
  const out: ShowRoute[] = [];
  let vrf = 'default';
  let cur: ShowRoute | null = null;
  for (const line of lines) {
    const v = /^VRF ([\w-]+):/.exec(line);
    if (v) {
      vrf = v[1];
      continue;
    }
    const head = /^([A-Za-z])([>* ]{2}) ?([0-9a-f.:]+\/\d+) (.*)$/.exec(line);
    if (head) {
      const [, code, flags, prefix, rest] = head;
      const blackhole = /unreachable \(blackhole\)|blackhole/.test(rest);
      cur = {
        vrf,
        code,
        selected: flags.includes('>'),
        fib: flags.includes('*'),
        prefix: normPrefix(prefix),
        family: prefix.includes(':') ? 'inet6' : 'inet',
        fibNexthops: [],
        backups: [],
        blackhole,
      };
      out.push(cur);
      const nh = zebraNexthop(rest.replace(/^\[\d+\/\d+\] /, ''));
      if (nh && cur.fib && !blackhole) cur.fibNexthops.push(nh);
      continue;
    }
    const cont = /^ {2}([*b ]) +(.*)$/.exec(line);
    if (cont && cur) {
      const nh = zebraNexthop(cont[2]);
      if (!nh) continue;
      if (cont[1] === 'b') cur.backups.push(nh);
      else if (cont[1] === '*') cur.fibNexthops.push(nh);
      continue;
    }
    if (line.trim() === '' || /^Codes:|^\s/.test(line)) continue;
    cur = null;
  }
  return out;
}

/** `show ip route summary` blocks (IPv4 then IPv6): per source and totals. */
export function parseRouteSummary(lines: string[]): { sources: Record<string, number>; total: number; fib: number }[] {
  const out: { sources: Record<string, number>; total: number; fib: number }[] = [];
  let cur: { sources: Record<string, number>; total: number; fib: number } | null = null;
  for (const line of lines) {
    if (line.startsWith('Route Source')) {
      cur = { sources: {}, total: 0, fib: 0 };
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    const t = line.trim().split(/\s+/);
    if (t.length < 3 || !/^\d+$/.test(t[1])) continue;
    if (t[0] === 'Totals') {
      cur.total = Number(t[1]);
      cur.fib = Number(t[2]);
    } else cur.sources[t[0]] = Number(t[1]);
  }
  return out;
}

/** `show ip route PREFIX` samples: "Routing entry for P" then "  * gw, via ifname, weight W". */
export function parseSampleRoutes(lines: string[]): { prefix: string; nexthops: ZebraNexthop[] }[] {
  const out: { prefix: string; nexthops: ZebraNexthop[] }[] = [];
  let cur: { prefix: string; nexthops: ZebraNexthop[] } | null = null;
  for (const line of lines) {
    const h = /^Routing entry for (\S+)/.exec(line);
    if (h) {
      cur = { prefix: normPrefix(h[1]), nexthops: [] };
      out.push(cur);
      continue;
    }
    const n = /^\s+\* ([0-9a-f.:]+), via ([\w-]+)(?:, weight (\d+))?/.exec(line);
    if (n && cur) cur.nexthops.push({ gw: n[1], ifname: n[2], blackhole: false, weight: Number(n[3] ?? 1), recursive: false, inactive: false });
  }
  return out;
}

// ------------------------------------------------------------------ EVPN

export interface EvpnState {
  vxlanIfindex: number;
  remote: { mac: string; vtep: string }[];
  local: string[];
}

/** `show evpn mac vni N` table plus `show evpn vni N` detail ("VxLAN ifIndex: 4"). */
export function parseEvpn(lines: string[]): EvpnState {
  const st: EvpnState = { vxlanIfindex: 0, remote: [], local: [] };
  for (const line of lines) {
    const ix = /VxLAN ifIndex: (\d+)/.exec(line);
    if (ix) st.vxlanIfindex = Number(ix[1]);
    const m = /^([0-9a-f]{2}(?::[0-9a-f]{2}){5})\s+(remote|local)\s+(\S+)/.exec(line);
    if (!m) continue;
    if (m[2] === 'remote') st.remote.push({ mac: m[1], vtep: m[3] });
    else st.local.push(m[1]);
  }
  return st;
}

// ------------------------------------------------------------------ ip monitor

export interface IpmonRoute {
  key: string;
  type: string;
  nhid: number;
  proto: string;
  gw: string | null;
  dev: string | null;
  /** AF_MPLS: out labels ("as to 2000/2001"). */
  outLabels: number[];
}

/**
 * The routes left after applying the [ROUTE] lines of an `ip monitor` decode in order
 * (iproute2 6.1 print_route: "[Deleted ][type ]dst [nhid N][ via ...][ dev D][ table T] proto P").
 */
export function ipmonRoutes(text: string): Map<string, IpmonRoute> {
  const out = new Map<string, IpmonRoute>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('[ROUTE]')) continue;
    const t = line.slice(7).trim().split(/\s+/);
    let i = 0;
    const deleted = t[0] === 'Deleted';
    if (deleted) i++;
    let type = 'unicast';
    if (ROUTE_TYPES.has(t[i]) || t[i] === 'none') type = t[i++];
    const dst = t[i++];
    const r: IpmonRoute = { key: '', type, nhid: 0, proto: '', gw: null, dev: null, outLabels: [] };
    let table = 254;
    for (; i < t.length; i++) {
      const k = t[i];
      if (k === 'table') table = Number(t[++i]);
      else if (k === 'nhid') r.nhid = Number(t[++i]);
      else if (k === 'proto') r.proto = t[++i];
      else if (k === 'dev') r.dev = t[++i];
      else if (k === 'via') {
        r.gw = t[++i];
        if (r.gw === 'inet' || r.gw === 'inet6') r.gw = t[++i];
      } else if (k === 'as' && t[i + 1] === 'to') {
        r.outLabels = t[i + 2].split('/').map(Number);
        i += 2;
      }
    }
    if (/^\d+$/.test(dst)) r.key = `mpls:0 ${dst}`;
    else {
      const v6 = dst.includes(':');
      r.key = `${v6 ? 'inet6' : 'inet'}:${table} ${normPrefix(dst)}`;
    }
    if (deleted) out.delete(r.key);
    else out.set(r.key, r);
  }
  return out;
}

/** `mpls lsp IN GW OUT|implicit-null` lines and `ip[v6] route P GW label L[/L...]` lines of a scenario text. */
export function configuredLabels(md: string): { lsps: Map<number, { gw: string; out: number[] }[]>; routes: Map<string, { gw: string; labels: number[] }[]> } {
  const lsps = new Map<number, { gw: string; out: number[] }[]>();
  const routes = new Map<string, { gw: string; labels: number[] }[]>();
  for (const m of md.matchAll(/mpls lsp (\d+) (\S+) (\S+)/g)) {
    const l = Number(m[1]);
    lsps.set(l, [...(lsps.get(l) ?? []), { gw: m[2], out: m[3] === 'implicit-null' ? [] : [Number(m[3])] }]);
  }
  // `ip route P GW [label L]`, and `... GW label L` for one more nexthop of the previous route.
  let prev = '';
  for (const m of md.matchAll(/`(?:ipv?6? route (\S+)|\.\.\.) (\S+)(?: label ([\d/]+))?`/g)) {
    const key = m[1] !== undefined ? `${m[1].includes(':') ? 'inet6' : 'inet'}:254 ${normPrefix(m[1])}` : prev;
    prev = key;
    routes.set(key, [...(routes.get(key) ?? []), { gw: m[2], labels: m[3] ? m[3].split('/').map(Number) : [] }]);
  }
  return { lsps, routes };
}

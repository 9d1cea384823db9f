// "Does the dataplane's FIB equal zebra's table?" for the full-feed benchmark: route by route from a VPP API dump, cross-checked by the simulator's own lookups (or the memory dataplane's).
//
// The dump method works against the simulator and a real VPP alike: ip_route_v2_dump of table 0
// (both families), then of every table a recursive path points into (fibpush's private PIC
// tables), and sw_interface_dump for link state. Each route's paths are resolved the way VPP
// forwards (vnet/fib/fib_path.c, docs/vpp-api.md "FIB semantics"): the best preference with a
// usable path wins; an attached path is usable while its interface is up (admin and link); a
// recursive RESOLVE_VIA_HOST path goes through the host route of its next hop in its table; DROP
// forwards nothing. The result is compared with the model's expected legs (model.ts sig()).
import * as net from 'net';
import { VppClient } from '../../ts/vpp/client';
import { FIB_PATH_SIZE, RouteDetailsView } from '../../ts/vpp/codec';
import { formatAddr } from '../../ts/addr';
import type { VppSimulator } from '../../ts/vpp-sim';
import { FamilyIx, FeedModel, Leg, normAddr, sigOf } from './model';
import { Rng } from '../../ts/gen/rng';

/** FIB source of API routes in ip_route_v2_details (vnet/fib/fib_source.h order, as the simulator reports it). */
const FIB_SOURCE_API = 8;
const NO_SW = 0xffffffff;

export interface FibCheck {
  ok: boolean;
  /** How it was checked. */
  method: string;
  /** Routes zebra has now, and how many of them were compared. */
  expected: number;
  checked: number;
  missing: number;
  wrong: number;
  /** Routes in the dataplane that zebra does not have (withdrawn, or never sent). */
  extra: number;
  /** Lookups in the dataplane's own forwarding (simulator/memory): compared and wrong. */
  lookups: number;
  lookupsWrong: number;
  examples: string[];
  seconds: number;
}

function emptyCheck(method: string, expected: number): FibCheck {
  return { ok: false, method, expected, checked: 0, missing: 0, wrong: 0, extra: 0, lookups: 0, lookupsWrong: 0, examples: [], seconds: 0 };
}

function note(c: FibCheck, s: string): void {
  if (c.examples.length < 8) c.examples.push(s);
}

interface DPath {
  sw: number;
  table: number;
  weight: number;
  pref: number;
  type: number;
  flags: number;
  proto: number;
  nh: Uint8Array;
}

function parsePaths(bytes: Buffer): DPath[] {
  const out: DPath[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let o = 0; o + FIB_PATH_SIZE <= bytes.length; o += FIB_PATH_SIZE) {
    const proto = dv.getUint32(o + 22);
    out.push({
      sw: dv.getUint32(o),
      table: dv.getUint32(o + 4),
      weight: dv.getUint8(o + 12),
      pref: dv.getUint8(o + 13),
      type: dv.getUint32(o + 14),
      flags: dv.getUint32(o + 18),
      proto,
      nh: bytes.subarray(o + 26, o + 26 + (proto === 1 ? 16 : 4)),
    });
  }
  return out;
}

const isZero = (b: Uint8Array) => b.every((x) => x === 0);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A route that differs: its family and index in the model (-1 for a prefix the model does not know). */
export type DiffVisitor = (kind: 'missing' | 'wrong' | 'extra', f: FamilyIx, i: number) => void;

/** Compares the VPP (or simulator) FIB behind `socketPath` with the model, route by route; `visit` sees every difference. */
export async function dumpCheck(socketPath: string, m: FeedModel, visit?: DiffVisitor): Promise<FibCheck> {
  const t0 = performance.now();
  const c = emptyCheck('ip_route_v2_dump of table 0 and the tables its recursive paths use, every route resolved and compared', m.routes);
  const client = new VppClient({ socketPath, clientName: 'fullfeed-check', reconnect: false, timeoutMs: 300_000 });
  await client.connect();
  try {
    const down = new Set<number>();
    for (const r of await client.dump('sw_interface_dump', { sw_if_index: NO_SW, name_filter_valid: false, name_filter: '' })) {
      if ((Number(r.flags) & 3) !== 3) down.add(Number(r.sw_if_index));
    }
    // Path sets are few (one per group, plus specials): intern them by their bytes.
    const setIds = new Map<string, number>();
    const sets: DPath[][] = [];
    const intern = (v: RouteDetailsView): number => {
      const dv = v.dv as DataView;
      const raw = Buffer.from(dv.buffer, dv.byteOffset + v.pathsOff, v.nPaths * FIB_PATH_SIZE);
      const key = raw.toString('latin1');
      let id = setIds.get(key);
      if (id === undefined) {
        id = sets.length;
        setIds.set(key, id);
        sets.push(parsePaths(Buffer.from(raw)));
      }
      return id;
    };
    const actual: [Int32Array, Int32Array] = [new Int32Array(m.sets[0].count), new Int32Array(m.sets[1].count)];
    const view = new RouteDetailsView();
    for (const f of [0, 1] as const) {
      await client.dumpEach('ip_route_v2_dump', { src: 0, table: { table_id: 0, is_ip6: f === 1 } }, (buf, dv, off, len) => {
        const v = view.fill(buf, dv, off, len, true);
        const i = m.find(f, v.addr, 0, v.len);
        if (i >= 0) actual[f][i] = intern(v) + 1;
        else if (v.src === FIB_SOURCE_API) {
          c.extra++;
          visit?.('extra', f, -1);
          note(c, `extra: ${formatAddr(f === 0 ? 4 : 6, v.addr)}/${v.len} is in the dataplane, not in zebra's table`);
        }
      }, { timeoutMs: 300_000 });
    }
    // Host routes of the tables recursive paths resolve in (fibpush's PIC tables).
    const hosts = new Map<string, number>(); // "af/table/hex" -> set id
    const dumped = new Set<string>();
    for (let k = 0; k < sets.length; k++) {
      for (const p of sets[k]) {
        if (p.sw !== NO_SW || p.type !== 0 || p.table === 0) continue;
        const tk = `${p.proto}/${p.table}`;
        if (dumped.has(tk)) continue;
        dumped.add(tk);
        await client.dumpEach('ip_route_v2_dump', { src: 0, table: { table_id: p.table, is_ip6: p.proto === 1 } }, (buf, dv, off, len) => {
          const v = view.fill(buf, dv, off, len, true);
          if (v.len !== (v.isIp6 ? 128 : 32)) return;
          hosts.set(`${v.isIp6 ? 1 : 0}/${p.table}/${hex(v.addr.subarray(0, v.isIp6 ? 16 : 4))}`, intern(v));
        }, { timeoutMs: 300_000 });
      }
    }
    const resolveSet = (id: number, depth: number): Leg[] | null => {
      const paths = [...sets[id]].sort((a, b) => a.pref - b.pref);
      for (let i = 0; i < paths.length; ) {
        let j = i;
        const got: Leg[] = [];
        let total = 0;
        const parts: [number, Leg[]][] = [];
        for (; j < paths.length && paths[j].pref === paths[i].pref; j++) {
          const legs = resolvePath(paths[j], depth);
          if (legs) parts.push([paths[j].weight || 1, legs]);
        }
        for (const [w] of parts) total += w;
        for (const [w, legs] of parts) {
          const sum = legs.reduce((s, l) => s + l.weight, 0);
          for (const l of legs) got.push({ ...l, weight: ((w / total) * l.weight) / sum });
        }
        if (got.length > 0) return got;
        i = j;
      }
      return null;
    };
    const resolvePath = (p: DPath, depth: number): Leg[] | null => {
      if (p.type !== 0) return null; // DROP, ICMP and local paths forward nothing out
      if (p.sw !== NO_SW) {
        if (down.has(p.sw)) return null;
        return [{ sw: p.sw, nh: isZero(p.nh) ? '' : formatAddr(p.proto === 1 ? 6 : 4, p.nh), weight: 1 }];
      }
      if (depth > 4) return null;
      const h = hosts.get(`${p.proto}/${p.table}/${hex(p.nh)}`);
      return h === undefined ? null : resolveSet(h, depth + 1);
    };
    const sigs = sets.map((_, k) => sigOf(resolveSet(k, 0)));
    for (const f of [0, 1] as const) {
      const a = actual[f];
      const pr = m.present[f];
      const nh = m.nh[f];
      for (let i = 0; i < a.length; i++) {
        if (!pr[i]) {
          if (a[i] !== 0) {
            c.extra++;
            visit?.('extra', f, i);
            note(c, `extra: ${m.prefix(f, i)} was withdrawn but is still in the dataplane`);
          }
          continue;
        }
        c.checked++;
        if (a[i] === 0) {
          c.missing++;
          visit?.('missing', f, i);
          note(c, `missing: ${m.prefix(f, i)}`);
          continue;
        }
        const got = sigs[a[i] - 1];
        const want = m.sig(nh[i]);
        if (got !== want) {
          c.wrong++;
          visit?.('wrong', f, i);
          note(c, `wrong: ${m.prefix(f, i)} forwards ${got}, expected ${want}`);
        }
      }
    }
  } finally {
    await client.close().catch(() => undefined);
  }
  c.seconds = (performance.now() - t0) / 1000;
  c.ok = c.checked === c.expected && c.missing === 0 && c.wrong === 0 && c.extra === 0;
  return c;
}

/** Routes to look up: the first user of every nexthop object, then a seeded random sample; a few withdrawn ones. */
export function samplePrefixes(m: FeedModel, n: number, seed: number): { f: FamilyIx; i: number }[] {
  const out: { f: FamilyIx; i: number }[] = [];
  const seen = new Set<number>();
  for (const f of [0, 1] as const) {
    for (let i = 0; i < m.nh[f].length; i++) {
      if (!m.present[f][i] || seen.has(m.nh[f][i])) continue;
      seen.add(m.nh[f][i]);
      out.push({ f, i });
    }
  }
  const rng = new Rng(seed);
  const total = m.sets[0].count + m.sets[1].count;
  let withdrawn = 0;
  for (let k = 0; k < n * 4 && out.length < n + seen.size; k++) {
    const x = rng.int(total);
    const f: FamilyIx = x < m.sets[0].count ? 0 : 1;
    const i = f === 0 ? x : x - m.sets[0].count;
    if (!m.present[f][i] && withdrawn++ > 16) continue;
    out.push({ f, i });
  }
  return out;
}

/** "addr/len" with the address normalised (RFC 5952 for IPv6). */
export function normPrefix(p: string | null): string {
  if (!p) return '';
  const [a, l] = p.split('/');
  try {
    return `${normAddr(a)}/${l}`;
  } catch {
    return p;
  }
}

/** The simulator's own forwarding for `prefix` as a signature (its lookup applies VPP's resolution rules). */
export async function simSig(sim: VppSimulator, prefix: string): Promise<{ matched: string; sig: string }> {
  const fw = await sim.lookup(0, prefix);
  const matched = normPrefix(fw.matched);
  if (fw.action === 'drop' || fw.legs.length === 0) return { matched, sig: 'drop' };
  if (fw.action !== 'forward') return { matched, sig: fw.action };
  return { matched, sig: sigOf(fw.legs.map((l) => ({ sw: l.swIfIndex, nh: l.nh ? normAddr(l.nh) : '', weight: l.share }))) };
}

/** Cross-check with the simulator's lookups: a sample of routes, each must forward as the model says. */
export async function simLookupCheck(sim: VppSimulator, m: FeedModel, c: FibCheck, n: number, seed: number): Promise<void> {
  const t0 = performance.now();
  for (const { f, i } of samplePrefixes(m, n, seed)) {
    const prefix = normPrefix(m.prefix(f, i));
    const got = await simSig(sim, prefix);
    c.lookups++;
    if (!m.present[f][i]) {
      if (got.matched === prefix) {
        c.lookupsWrong++;
        note(c, `lookup: withdrawn ${prefix} still matches in the simulator`);
      }
      continue;
    }
    const want = m.sig(m.nh[f][i]);
    if (got.matched !== prefix || got.sig !== want) {
      c.lookupsWrong++;
      note(c, `lookup: ${prefix} matched ${got.matched || 'nothing'} forwarding ${got.sig}, expected ${want}`);
    }
  }
  c.method += `; ${c.lookups} simulator lookups`;
  c.seconds += (performance.now() - t0) / 1000;
  c.ok = c.ok && c.lookupsWrong === 0;
}

// ---- the memory dataplane: `fibpush status --lookup` over the control socket ----

/** One control-socket connection carrying many requests (the server answers in order). */
export class ControlConn {
  private sock: net.Socket;
  private buf = '';
  private waiting: { resolve: (v: unknown) => void; reject: (e: Error) => void }[] = [];

  private constructor(sock: net.Socket) {
    this.sock = sock;
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        const w = this.waiting.shift();
        if (!w) continue;
        const r = JSON.parse(line) as { ok: boolean; result?: unknown; error?: string };
        if (r.ok) w.resolve(r.result);
        else w.reject(new Error(r.error ?? 'control request failed'));
      }
    });
    const fail = () => {
      for (const w of this.waiting.splice(0)) w.reject(new Error('control socket closed'));
    };
    sock.on('close', fail);
    sock.on('error', fail);
  }

  static open(p: string): Promise<ControlConn> {
    return new Promise((resolve, reject) => {
      const s = net.connect(p);
      s.once('connect', () => resolve(new ControlConn(s)));
      s.once('error', reject);
    });
  }

  request(req: Record<string, unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.sock.write(JSON.stringify(req) + '\n');
    });
  }

  close(): void {
    this.sock.destroy();
  }
}

interface MemPath {
  gw: string | null;
  ifindex: number;
  weight: number;
  blackhole: boolean;
}
interface MemRoute {
  prefix: string;
  target: string;
  paths: MemPath[];
  backup: MemPath[];
}

/** The memory dataplane's entry for `prefix` as model.configSig() writes it, or null when its lookup matched another prefix. */
export async function memorySig(conn: ControlConn, m: FeedModel, prefix: string): Promise<{ matched: string; sig: string }> {
  const addr = prefix.split('/')[0];
  const r = (await conn.request({ cmd: 'lookup', addr, table: m.t.table })) as { match: MemRoute | null };
  if (!r.match) return { matched: '', sig: 'drop' };
  const matched = normPrefix(r.match.prefix);
  if (r.match.target !== 'nhg') return { matched, sig: 'drop' };
  const legs = (ps: MemPath[]): string =>
    ps.length === 0 ? '-' : sigOf(ps.map((p) => ({ sw: m.ifSw.get(p.ifindex) ?? -1, nh: p.gw ? normAddr(p.gw) : '', weight: p.weight })));
  return { matched, sig: `${legs(r.match.paths)} | ${legs(r.match.backup)}` };
}

/**
 * The memory dataplane has no dump: every route (or, past 100k routes, a seeded sample) is looked
 * up by its network address; a lookup that matches a more specific route is skipped, not counted.
 */
export async function memoryCheck(controlPath: string, m: FeedModel, statusRoutes: number, seed: number): Promise<FibCheck> {
  const t0 = performance.now();
  const total = m.sets[0].count + m.sets[1].count;
  const all = total <= 100_000;
  const c = emptyCheck(all ? 'every route looked up in the memory dataplane over the control socket' : 'a sample looked up in the memory dataplane over the control socket', m.routes);
  const conn = await ControlConn.open(controlPath);
  try {
    const todo = all
      ? ([0, 1] as const).flatMap((f) => Array.from({ length: m.sets[f].count }, (_, i) => ({ f, i })))
      : samplePrefixes(m, 20_000, seed);
    let skipped = 0;
    const BATCH = 256;
    for (let k = 0; k < todo.length; k += BATCH) {
      const part = todo.slice(k, k + BATCH);
      const got = await Promise.all(part.map(({ f, i }) => memorySig(conn, m, normPrefix(m.prefix(f, i)))));
      part.forEach(({ f, i }, j) => {
        const prefix = normPrefix(m.prefix(f, i));
        const g = got[j];
        if (!m.present[f][i]) {
          if (g.matched === prefix) {
            c.extra++;
            note(c, `extra: ${prefix} was withdrawn but is still in the dataplane`);
          }
          return;
        }
        if (g.matched !== prefix) {
          if (g.matched === '' || prefix.split('/')[0] !== g.matched.split('/')[0]) {
            c.checked++;
            c.missing++;
            note(c, `missing: ${prefix} (lookup matched ${g.matched || 'nothing'})`);
          } else skipped++;
          return;
        }
        c.checked++;
        const want = m.configSig(m.nh[f][i]);
        if (g.sig !== want) {
          c.wrong++;
          note(c, `wrong: ${prefix} holds ${g.sig}, expected ${want}`);
        }
      });
    }
    if (skipped) c.method += ` (${skipped} shadowed by a more specific route at their network address, not compared)`;
    if (statusRoutes !== m.routes) {
      c.extra += Math.max(0, statusRoutes - m.routes);
      c.missing += Math.max(0, m.routes - statusRoutes);
      note(c, `the dataplane holds ${statusRoutes} routes, zebra ${m.routes}`);
    }
  } finally {
    conn.close();
  }
  c.seconds = (performance.now() - t0) / 1000;
  c.ok = c.checked > 0 && c.missing === 0 && c.wrong === 0 && c.extra === 0;
  return c;
}

// Adoption after a fibpush restart: what VPP still forwards is taken over, unchanged routes are not rewritten, and only what zebra no longer has is withdrawn.
//
// DESIGN.md Lifecycles: "dump the VPP tables that fibpush owns, adopt them as stale, let zebra replay,
// program only the difference, sweep". This sits between the FibStore and the VPP programmer as the
// programmer's ChangeSource:
// - At the first VPP connection it dumps every IP table (ip_route_v2_dump) and keeps the API-source
//   routes (fib_source.h FIB_SOURCE_API = 8: what an API client added; interface, special and
//   default-route entries are VPP's own) keyed like the store keys them, and the host routes of the
//   private PIC tables (the programmer's nexthop groups).
// - The private tables are dumped first. Then zebra's groups are handed to the programmer (it claims
//   the adopted host routes by content; host routes with the same paths wait until routes dumped so
//   far tell which group uses which), while routes and MACs wait (zebra is still read; the store
//   keeps at most one pending change per key). Each route of the tables dumped after that which
//   zebra has already replayed, and whose paths are what the programmer would write, counts as
//   programmed at once (its queue turn passes it by); its result goes out when the dump ends. A
//   route zebra replays later is matched by next() against the adopted table (adopted.ts).
// - A route Set whose paths equal what VPP already has (the 64-bit digest of ts/vpp/pathdigest.ts,
//   from the dump and from the paths the programmer would write: PIC's one recursive path, a group's
//   inline paths, a drop/unreachable/prohibit path) is acknowledged here and never written.
//   Groups always go through: the programmer needs them to resolve later route changes.
// - When the replay has ended (and the dump is complete), adopted routes zebra did not refresh are
//   withdrawn (all tables after zebra's end marker; only the main table after a quiet period, like the
//   store's own sweep: stock zebra does not replay other tables), then the host routes of groups zebra
//   no longer has.
// - After a VPP restart, routes without a nexthop group are handed out again (see reprogramSpecial):
//   the programmer's own recovery re-emits only the routes of its groups.
import { AF_INET, AF_INET6, AF_MPLS, ChangeKind, ChangeSource, MacView, NhgView, Op, RouteView, Target } from '../../dplane/types';
import type { FibStore } from '../../dplane/store';
import { AdoptedRoutes, HostRefs } from './adopted';
import type { ReplySink, VppClient } from '../client';
import { NO_SW_IF_INDEX, PathType } from '../codec';
import { digestPaths, PathDigest } from '../pathdigest';
import type { RouteTarget } from '../program/select';
import { PIC6_PREFIX, VppProgrammer } from '../programmer';
import type { Logger } from './log';

/** vnet/fib/fib_source.h: FIB_SOURCE_API, the source of routes added over the binary API. */
export const FIB_SOURCE_API = 8;

// An adopted route's path digest (ts/vpp/pathdigest.ts) is kept in its entry's `tgt` and `prog`
// columns (adoption's own key tables use neither for anything else).
const TWO32 = 0x100000000;
const SWALLOW_SLICE = 4096;
const RT_TABLE_MAIN = 254;
const HOST_SAMPLES = 4;
/** Dumped routes between two tries to tell shared host routes apart (resolveShared). */
const RESOLVE_EVERY = 2048;

/** What adoption reads of an ip_route_v2_details (ts/vpp/codec.ts RouteDetailsView). */
interface DumpedRoute {
  nPaths: number;
  dv: DataView | null;
  pathsOff: number;
  addr: Uint8Array;
  len: number;
  isIp6: boolean;
}

/** A VPP table adopted routes came from, and the netlink table it stands for (the entries' `tbl`). */
interface AdoptedTable {
  family: 4 | 6;
  nlTable: number;
  vppTable: number;
}

export interface AdoptionCounters {
  /** Routes VPP listed in the tables dumped (all sources). */
  dumped: number;
  /** API-source routes taken over, and the PIC host routes (one per nexthop group) besides them. */
  adopted: number;
  adoptedHosts: number;
  /** Route Sets acknowledged without a write: VPP already had exactly that. */
  unchanged: number;
  /** Of those, matched while VPP's tables were being dumped. */
  matchedInDump: number;
  /** Adopted routes zebra's replay changed (written by the programmer as usual). */
  rewritten: number;
  /** Withdrawn by the adoption sweep: routes, then group host routes. */
  withdrawn: number;
  hostsWithdrawn: number;
  /** Withdrawals VPP refused. */
  withdrawFailed: number;
  dumpMs: number;
}

/** off: not started; dumping; adopted: matching the replay; swept: after the replay's end (still matching); failed: nothing adopted. */
export type AdoptionState = 'off' | 'dumping' | 'adopted' | 'swept' | 'failed';


/**
 * A PIC host route (family, object id) as the adopted-route record's u32 host word: 0 is none.
 * Object ids count up from 1 (programmer allocOid), far below 2^31.
 */
function hostRecord(family: 4 | 6, oid: number): number {
  return oid * 2 + (family === 6 ? 1 : 0) + 1;
}

/** The family of a hostRecord() word. */
function recordFamily(rec: number): 4 | 6 {
  return ((rec - 1) & 1) === 1 ? 6 : 4;
}

/** The object id of a hostRecord() word. */
function recordOid(rec: number): number {
  return Math.floor((rec - 1) / 2);
}

/** hostRecord()'s word back as the host key used elsewhere here: family * 2^32 + object id. */
function hostKey(rec: number): number {
  return recordFamily(rec) * TWO32 + recordOid(rec);
}

export class Adoption implements ChangeSource {
  readonly counters: AdoptionCounters = {
    dumped: 0, adopted: 0, adoptedHosts: 0, unchanged: 0, matchedInDump: 0, rewritten: 0, withdrawn: 0, hostsWithdrawn: 0, withdrawFailed: 0, dumpMs: 0,
  };
  state: AdoptionState = 'off';
  reemitRoutesUsing?: (nhgId: number) => number;
  replayAll?: () => number;
  nhgStale?: (id: number) => boolean;

  // Adopted routes in compact record tables (adopted.ts): address words, prefix length, a table
  // index, the path digest and the PIC host; no object or string per route (a restart adopts the whole table).
  private readonly rt4 = new AdoptedRoutes(1, 1024);
  private readonly rt6 = new AdoptedRoutes(4, 1024);
  /** The probe key: address words of the route looked up. */
  private readonly k = new Uint32Array(4);
  private readonly tables: AdoptedTable[] = [];
  /** netlink table -> index into `tables`, per family. */
  private readonly tableIx4 = new Map<number, number>();
  private readonly tableIx6 = new Map<number, number>();
  private readonly hosts = new Map<number, { family: 4 | 6; vppTable: number }>();
  /**
   * How many adopted routes point at each PIC host route (family * 2^32 + object id): a host route
   * is not withdrawn while an adopted route still uses it (a table stock zebra does not replay).
   * Each adopted route keeps its host key + 1 (0 = none) in its record.
   */
  private readonly hostRefs = new HostRefs();

  /** An adopted route leaves (matched, rewritten or withdrawn): its host route loses a user. */
  private dropHostRef(host: number): void {
    if (host === 0) return;
    this.hostRefs.drop(recordFamily(host), recordOid(host));
  }

  /** A few adopted routes per PIC host route (family * 2^32 + object id): see groupHosts(). */
  private readonly hostSamples = new Map<number, { family: 4 | 6; nlTable: number; addr: Uint8Array; len: number }[]>();
  private replayEndedFull: boolean | null = null;
  /** The path digest of the entry take() removed last. */
  private takenA = 0;
  private takenB = 0;
  /** The PIC host of the route take() last removed, as hostRecord() writes it (0: none). */
  private takenHost = 0;
  private readonly dg = new PathDigest();
  private readonly dgExpected = new PathDigest();
  /** What matchDumped knows of a dumped route zebra has: what the programmer's digest reads. */
  private readonly probeView: RouteTarget = { family: AF_INET, addr: new Uint8Array(16), len: 0, target: 0, nhgId: 0 };
  /** Store route entries matched during the dump (IPv4, IPv6), a bit each: reported after it. */
  private matched: Uint32Array[] = [new Uint32Array(0), new Uint32Array(0)];
  private readonly routedGroups = new Set<number>();
  /** Groups go to the programmer during the dump (after the private tables), routes wait. */
  private groupsOpen = false;
  /** Adopted host routes sharing their paths with another, not yet told apart by their routes. */
  private unresolved: { family: 4 | 6; oid: number }[] = [];
  private sinceCheck = 0;
  private sweeping = false;
  private readonly reverse = new Map<number, number>();
  private sinkIdx = -1;
  private pendingDeletes = 0;
  private deleteQueue: { family: 4 | 6; vppTable: number; addr: Uint8Array; len: number; nlTable: number; host: boolean }[] = [];
  private queuePos = 0;
  private readonly sink: ReplySink;
  /** Routes to hand the programmer again after a VPP restart (see reprogramSpecial). */
  private synth: { family: number; table: number; addr: Uint8Array; len: number; target: number; protocol: number; lane: number; handle: number }[] = [];
  private synthPos = 0;

  private programmerRef: VppProgrammer | null = null;

  constructor(
    private readonly store: FibStore,
    private readonly client: VppClient,
    private readonly opts: {
      tableMap: ReadonlyMap<number, number>;
      log: Logger;
      /** A route acknowledged without a write (feedback and progress, like any result). */
      onUnchanged: (r: RouteView) => void;
      /** Routes expected (--expected-routes): the adopted tables are sized once for them. */
      expectedRoutes?: number;
    },
  ) {
    const s = store as FibStore & { replayAll?: () => number };
    if (typeof s.reemitRoutesUsing === 'function') this.reemitRoutesUsing = (id) => s.reemitRoutesUsing(id);
    if (typeof s.replayAll === 'function') this.replayAll = () => s.replayAll();
    if (typeof s.nhgStale === 'function') this.nhgStale = (id) => s.nhgStale(id);
    for (const [nl, vpp] of opts.tableMap) this.reverse.set(vpp, nl);
    this.sink = {
      reply: (_token, retval) => {
        this.pendingDeletes--;
        // Deleting a route VPP no longer has answers 0 (fib_api.c); anything else is a refusal.
        if (retval !== 0) this.counters.withdrawFailed++;
        this.pumpDeletes();
      },
      fail: () => {
        this.pendingDeletes--;
        this.counters.withdrawFailed++;
        this.pumpDeletes();
      },
    };
    this.client.on('drain', () => this.pumpDeletes());
  }

  /** The programmer that drains this source (it is built with this source, hence set afterwards). */
  attach(p: VppProgrammer): void {
    this.programmerRef = p;
    p.on('ready', () => this.pumpDeletes());
  }

  private get programmer(): VppProgrammer {
    if (!this.programmerRef) throw new Error('Adoption used before attach()');
    return this.programmerRef;
  }

  get nhg(): NhgView {
    return this.store.nhg;
  }
  get route(): RouteView {
    return this.store.route;
  }
  get mac(): MacView {
    return this.store.mac;
  }
  depth(): number[] {
    return this.store.depth();
  }
  routeResult(handle: number, ok: boolean, error?: string): void {
    this.store.routeResult(handle, ok, error);
  }

  /** Adopted routes not yet matched by zebra's replay. */
  get remaining(): number {
    return this.rt4.size + this.rt6.size;
  }

  private nlTableOf(vppTable: number): number {
    const nl = this.reverse.get(vppTable);
    if (nl !== undefined) return nl;
    // Unmapped netlink tables keep their id in VPP (ts/vpp/programmer.ts vppTableOf); a VPP id that
    // some other netlink table is mapped to is not one of those.
    return this.opts.tableMap.has(vppTable) ? -1 : vppTable;
  }

  private tableIndex(family: 4 | 6, nlTable: number, vppTable: number): number {
    const m = family === 4 ? this.tableIx4 : this.tableIx6;
    let ix = m.get(nlTable);
    if (ix === undefined) {
      ix = this.tables.length;
      this.tables.push({ family, nlTable, vppTable });
      m.set(nlTable, ix);
    }
    return ix;
  }

  /**
   * Dumps VPP's tables (call once VPP is connected, before the programmer drains anything). On
   * failure nothing is adopted: fibpush then programs everything and withdraws nothing it did not
   * see, which is safe.
   */
  async dump(): Promise<void> {
    this.state = 'dumping';
    const exp = this.opts.expectedRoutes ?? 0;
    if (exp > 0) {
      // Split as the store splits it (a full table is ~81% IPv4): no regrowth while VPP streams.
      this.rt4.reserve(exp * 0.85);
      this.rt6.reserve(exp * 0.22);
    }
    const t0 = performance.now();
    const p = this.programmer;
    try {
      const rows = await this.client.dump('ip_table_dump', {});
      const tables = rows.map((r) => {
        const t = r.table as { table_id: number; is_ip6: boolean };
        const family: 4 | 6 = t.is_ip6 ? 6 : 4;
        const vppTable = Number(t.table_id);
        return { family, vppTable, pic: vppTable === (family === 6 ? p.picTable6 : p.picTable4) };
      });
      // The private tables first: with their host routes offered, zebra's groups can be handed to
      // the programmer (which claims them by content), and each route of the tables after can be
      // matched as it is dumped instead of after the whole dump.
      tables.sort((x, y) => Number(y.pic) - Number(x.pic));
      let opened = false;
      for (const { family, vppTable, pic } of tables) {
        if (!pic && !opened) {
          opened = true;
          // Host routes with the same paths: which group takes which is known only from the
          // routes that use them (groupHosts), so groups wait until each has been seen.
          this.unresolved = p.adoptedHostsShared();
          if (this.unresolved.length === 0) await this.openGroups();
          else this.sinceCheck = 0;
        }
        const nlTable = pic ? -1 : this.nlTableOf(vppTable);
        if (!pic && nlTable < 0) continue;
        await p.dumpRoutes(family, vppTable, (d) => {
          this.counters.dumped++;
          if (d.src !== FIB_SOURCE_API) return;
          if (pic) this.adoptHost(family, vppTable, d);
          else this.adoptRoute(family, this.tableIndex(family, nlTable, vppTable), d, nlTable);
        });
      }
      this.counters.dumpMs = Math.round(performance.now() - t0);
      this.groupsOpen = false;
      this.unresolved = [];
      this.reportMatched();
      this.programmer.adoptedGroupHosts(this.groupHosts());
      this.state = 'adopted';
      this.opts.log.info('adopted what VPP forwards', {
        routes: this.counters.adopted,
        groups: this.counters.adoptedHosts,
        dumped: this.counters.dumped,
        ms: this.counters.dumpMs,
      });
    } catch (e) {
      this.groupsOpen = false;
      // Matched routes are programmed as far as the store knows: their results still go out.
      this.reportMatched();
      this.clearRoutes();
      this.hosts.clear();
      this.state = 'failed';
      this.opts.log.warn('VPP table dump failed: programming everything, withdrawing nothing unseen', { error: (e as Error).message });
    }
    this.maybeSweep();
    this.programmer.kick();
  }

  /** Adopts a dumped route: its path digest and the PIC host it uses; samples the routes of each host. */
  private adoptRoute(family: 4 | 6, ix: number, d: DumpedRoute, nlTable: number): void {
    const g = digestPaths(d.dv!, d.pathsOff, d.nPaths, d.addr, d.len, d.isIp6, this.dg);
    this.counters.adopted++;
    if (this.groupsOpen && this.matchDumped(family, nlTable, d, g)) return;
    const host = this.hostOfDumped(d, family, nlTable);
    if (host !== 0 && this.unresolved.length > 0 && ++this.sinceCheck >= RESOLVE_EVERY) this.resolveShared();
    this.key(d.addr, family);
    (family === 4 ? this.rt4 : this.rt6).add(this.k, d.len, ix, g.a, g.b, host);
  }

  /**
   * The programmer's groups are known (openGroups): a dumped route zebra has already replayed,
   * and whose paths are what the programmer would write, counts as programmed now, during the
   * dump, and is never kept (its turn in the store's queue then passes it by). Its result goes
   * out after the dump (reportMatched), in the store's order: here, in VPP's hash order, each
   * store access is a cache miss. Others are kept for next().
   */
  private matchDumped(family: 4 | 6, nlTable: number, d: DumpedRoute, g: PathDigest): boolean {
    const h = this.store.routeHandle(family === 6 ? AF_INET6 : AF_INET, nlTable, d.addr, d.len);
    const v = this.probeView;
    if (h < 0 || !this.store.peekUnprogrammed(h, v)) return false;
    v.family = family === 6 ? AF_INET6 : AF_INET;
    v.addr = d.addr;
    v.len = d.len;
    if (!this.programmer.expectedDigest(v, this.dgExpected) || this.dgExpected.a !== g.a || this.dgExpected.b !== g.b) return false;
    this.store.programmedAhead(h);
    this.counters.matchedInDump++;
    if (v.target === Target.Nhg && !this.routedGroups.has(v.nhgId)) {
      this.routedGroups.add(v.nhgId);
      this.programmer.routedThrough(v.nhgId);
    }
    const fc = h >>> 30;
    const id = h & 0x3fffffff;
    let bits = this.matched[fc];
    if (id >>> 5 >= bits.length) {
      const n = new Uint32Array(Math.max(1024, (id >>> 5) * 2));
      n.set(bits);
      bits = this.matched[fc] = n;
    }
    bits[id >>> 5] |= 1 << (id & 31);
    return true;
  }

  /** The results of the routes matched during the dump, in the store's order (see matchDumped). */
  private reportMatched(): void {
    for (let fc = 0; fc < 2; fc++) {
      const bits = this.matched[fc];
      for (let w = 0; w < bits.length; w++) {
        let x = bits[w];
        while (x !== 0) {
          const b = 31 - Math.clz32(x & -x);
          x &= ~(1 << b);
          // Changed or withdrawn by zebra since: that change is handed out and answered as usual.
          const h = this.store.aheadView(fc, (w << 5) | b);
          if (h < 0) continue;
          this.counters.unchanged++;
          this.store.routeResult(h, true);
          this.opts.onUnchanged(this.store.route);
        }
      }
      this.matched[fc] = new Uint32Array(0);
    }
    this.routedGroups.clear();
  }

  /**
   * Host routes with the same paths (adoptedHostsShared) are told apart by the routes that use
   * them: once every one of them has a sampled route zebra has replayed, the programmer learns
   * which group each belongs to and the groups are opened (routes dumped from then on are
   * matched as they come).
   */
  private resolveShared(): void {
    this.sinceCheck = 0;
    const m = this.groupHosts(false);
    const seen = new Set<number>();
    for (const h of m.values()) seen.add(h.family * TWO32 + h.oid);
    for (const h of this.unresolved) if (!seen.has(h.family * TWO32 + h.oid)) return;
    this.unresolved = [];
    this.programmer.adoptedGroupHosts(m);
    this.groupsOpen = true;
    this.programmer.kick();
  }

  private async openGroups(): Promise<void> {
    this.groupsOpen = true;
    this.programmer.kick();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  private key(addr: Uint8Array, family: 4 | 6): void {
    const k = this.k;
    for (let w = 0; w < (family === 4 ? 1 : 4); w++) {
      k[w] = ((addr[4 * w] << 24) | (addr[4 * w + 1] << 16) | (addr[4 * w + 2] << 8) | addr[4 * w + 3]) >>> 0;
    }
  }

  /** The PIC host (hostRecord()) of a route with one recursive path into a private table, else 0. */
  private hostOfDumped(d: DumpedRoute, family: 4 | 6, nlTable: number): number {
    if (d.nPaths !== 1) return 0;
    // One recursive path into a private table: a route of the object at that host address.
    const o = d.pathsOff;
    const dv = d.dv!;
    if (dv.getUint32(o + 14) !== PathType.Normal || dv.getUint32(o) !== NO_SW_IF_INDEX) return 0;
    const hostFam: 4 | 6 = dv.getUint32(o + 22) === 1 ? 6 : 4;
    const nh = new Uint8Array(dv.buffer, dv.byteOffset + o + 26, 16);
    const oid = this.hostId(hostFam, nh, dv.getUint32(o + 4));
    // Not one of fibpush's objects (ids count up from 1): nothing a record can name.
    if (oid < 0 || oid >= 0x7fffffff) return 0;
    const k = hostFam * TWO32 + oid;
    this.hostRefs.add(hostFam, oid);
    let l = this.hostSamples.get(k);
    if (!l) this.hostSamples.set(k, (l = []));
    if (l.length < HOST_SAMPLES) l.push({ family, nlTable, addr: d.addr.slice(0, family === 4 ? 4 : 16), len: d.len });
    return hostRecord(hostFam, oid);
  }

  /**
   * Which adopted host route the routes of each zebra group use, from a few sample routes per host
   * looked up in the store (zebra's replay): so that two groups with equal content, each on its
   * own host route in VPP (a group changed in place to what another already forwarded to), keep
   * their own, and none of their routes is rewritten.
   */
  private groupHosts(clear = true): Map<number, { family: 4 | 6; oid: number }> {
    const out = new Map<number, { family: 4 | 6; oid: number }>();
    for (const [k, l] of this.hostSamples) {
      const family: 4 | 6 = k >= 6 * TWO32 ? 6 : 4;
      const oid = k - family * TWO32;
      for (const r of l) {
        const z = this.store.lookup(r.family === 6 ? AF_INET6 : AF_INET, r.nlTable, r.addr, r.len);
        if (z && z.target === Target.Nhg && !out.has(z.nhgId)) out.set(z.nhgId, { family, oid });
      }
    }
    if (clear) this.hostSamples.clear();
    return out;
  }

  /** The group id behind a PIC host address (ts/vpp/programmer.ts hostAddress), or -1. */
  private hostId(family: 4 | 6, a: Uint8Array, table: number): number {
    const p = this.programmer;
    if (table !== (family === 6 ? p.picTable6 : p.picTable4)) return -1;
    if (family === 4) return ((a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]) >>> 0;
    for (let i = 0; i < 12; i++) if (a[i] !== PIC6_PREFIX[i]) return -1;
    return ((a[12] << 24) | (a[13] << 16) | (a[14] << 8) | a[15]) >>> 0;
  }

  /** A host route of the private tables: offered to the programmer, which matches groups to it by content. */
  private adoptHost(family: 4 | 6, vppTable: number, d: DumpedRoute): void {
    const id = d.len === (family === 6 ? 128 : 32) ? this.hostId(family, d.addr, vppTable) : -1;
    if (id < 0) return;
    this.hosts.set(family * TWO32 + id, { family, vppTable });
    this.counters.adoptedHosts++;
    this.programmer.offerAdoptedHost(family, id, digestPaths(d.dv!, d.pathsOff, d.nPaths, d.addr, 0, d.isIp6, this.dg));
  }

  private lastTable = -1;
  private lastFam = 0;
  private lastIx = 0;

  /** Removes the adopted entry of this route (its digest in takenA/takenB): returns 0, or -1 when there is none. */
  private take(r: RouteView): number {
    const fam = r.family === AF_INET6 ? 6 : 4;
    // Nothing (left) adopted in this family, as with a fresh VPP: no lookup per replayed route.
    if ((fam === 4 ? this.rt4 : this.rt6).size === 0) return -1;
    // The replay comes table by table: the last table's index is nearly always the one.
    let ix: number | undefined;
    if (r.table === this.lastTable && fam === this.lastFam) ix = this.lastIx;
    else {
      ix = (fam === 4 ? this.tableIx4 : this.tableIx6).get(r.table);
      if (ix === undefined) return -1;
      this.lastTable = r.table;
      this.lastFam = fam;
      this.lastIx = ix;
    }
    const t = fam === 4 ? this.rt4 : this.rt6;
    this.key(r.addr, fam);
    if (!t.take(this.k, r.len, ix)) return -1;
    this.takenA = t.a;
    this.takenB = t.b;
    this.takenHost = t.host;
    this.dropHostRef(t.host);
    return 0;
  }

  private clearRoutes(): void {
    this.rt4.clear();
    this.rt6.clear();
    this.hostRefs.clear();
  }

  next(): ChangeKind {
    const st = this.state;
    if (st === 'dumping') return this.groupsOpen ? this.store.nextNhg() : ChangeKind.None;
    if (this.synthPos < this.synth.length) return this.nextSynth();
    if (st !== 'adopted' && st !== 'swept') return this.store.next();
    let swallowed = 0;
    for (;;) {
      const k = this.store.next();
      if (k === ChangeKind.None && this.replayEndedFull !== null) {
        // Drained: a sweep waiting for that runs now, off the programmer's stack.
        setImmediate(() => this.maybeSweep());
      }
      if (k !== ChangeKind.Route) return k;
      const r = this.store.route;
      if (r.family === AF_MPLS) return k;
      const v = this.take(r);
      if (v < 0) return k;
      if (r.op !== Op.Set || !this.programmer.expectedDigest(r, this.dg) || this.dg.a !== this.takenA || this.dg.b !== this.takenB) {
        if (!this.rebind(r)) {
          this.counters.rewritten++;
          return k;
        }
      }
      this.counters.unchanged++;
      if (r.target === Target.Nhg) this.programmer.routedThrough(r.nhgId);
      this.store.routeResult(r.handle, true);
      this.opts.onUnchanged(r);
      if (++swallowed >= SWALLOW_SLICE) {
        // Hand the event loop back; the programmer takes None as "idle", so wake it again.
        setImmediate(() => this.programmer.kick());
        return ChangeKind.None;
      }
    }
  }

  /**
   * A replayed route VPP forwards through an adopted host route other than its group's object:
   * the group may take that host route over (VPPProgrammer.rebindAdopted), after which the
   * route is unchanged if its paths now match.
   */
  private rebind(r: RouteView): boolean {
    if (r.op !== Op.Set || r.target !== Target.Nhg || this.takenHost === 0) return false;
    const k = hostKey(this.takenHost);
    const family: 4 | 6 = k >= 6 * TWO32 ? 6 : 4;
    if (!this.programmer.rebindAdopted(r.nhgId, family, k - family * TWO32)) return false;
    return this.programmer.expectedDigest(r, this.dg) && this.dg.a === this.takenA && this.dg.b === this.takenB;
  }

  /** zebra's replay ended (by its marker: `full`). Sweeps now, or when the dump completes. */
  replayEnded(full: boolean): void {
    // Also after every later replay: an adopted route zebra had at the last sweep (parked, so never
    // handed to the programmer) may be gone since, and the store withdraws nothing it never handed out.
    this.replayEndedFull = full || this.replayEndedFull === true;
    this.maybeSweep();
  }

  /**
   * Sweeps once the dump is complete and the store's queue has been drained through next(): by
   * then every route zebra replayed was matched (or rewritten), and only what is really stale
   * (or parked) is left to look up.
   */
  private maybeSweep(): void {
    const full = this.replayEndedFull;
    if (full === null || (this.state !== 'adopted' && this.state !== 'swept')) return;
    if (this.store.pending() > 0) return; // next() calls again when it runs dry
    this.replayEndedFull = null;
    this.sweep(full);
    this.state = 'swept';
  }

  private sweep(full: boolean): void {
    // Routes zebra has (queued for the programmer, or parked) stay adopted: next() still matches them.
    for (const family of [4, 6] as const) {
      const af = family === 6 ? AF_INET6 : AF_INET;
      (family === 4 ? this.rt4 : this.rt6).sweep((k, len, ix, host) => {
        const at = this.tables[ix];
        if (!full && at.nlTable !== RT_TABLE_MAIN) return false;
        const addr = new Uint8Array(family === 4 ? 4 : 16);
        for (let w = 0; w < k.length; w++) {
          addr[4 * w] = k[w] >>> 24;
          addr[4 * w + 1] = (k[w] >>> 16) & 255;
          addr[4 * w + 2] = (k[w] >>> 8) & 255;
          addr[4 * w + 3] = k[w] & 255;
        }
        if (this.store.lookup(af, at.nlTable, addr, len) !== undefined) return false;
        this.dropHostRef(host);
        this.deleteQueue.push({ family, vppTable: at.vppTable, addr, len, nlTable: at.nlTable, host: false });
        return true;
      });
    }
    // Without the marker, other tables stay in VPP untouched, as in the store's own sweep.
    this.sweeping = true;
    this.opts.log.info('adoption sweep: withdrawing what zebra no longer has', {
      withdraw: this.deleteQueue.length,
      full,
      unchanged: this.counters.unchanged,
      rewritten: this.counters.rewritten,
    });
    this.pumpDeletes();
  }

  /** One ip_route_add_del is_add=0 in the client's current batch (paths are ignored on delete: fib_api.c). */
  private writeDelete(d: { family: 4 | 6; vppTable: number; addr: Uint8Array; len: number }): void {
    this.client.ipRouteAddDel(this.sinkIdx, 0, false, d.vppTable, d.family === 6, d.addr, d.len, null, 0);
  }

  private pumpDeletes(): void {
    if (!this.sweeping) return;
    const c = this.client;
    if (!c.connected) return;
    if (this.sinkIdx < 0) this.sinkIdx = c.addSink(this.sink);
    const q = this.deleteQueue;
    while (this.queuePos < q.length && c.room() > 0) {
      const d = q[this.queuePos++];
      // Checked right before the write: a route zebra (re)announced meanwhile belongs to the store now.
      if (!d.host && this.store.lookup(d.family === 6 ? AF_INET6 : AF_INET, d.nlTable, d.addr, d.len) !== undefined) continue;
      this.pendingDeletes++;
      if (d.host) this.counters.hostsWithdrawn++;
      else this.counters.withdrawn++;
      this.writeDelete(d);
    }
    if (this.queuePos < q.length || this.pendingDeletes > 0) return;
    // Routes done: now the host routes of groups zebra did not replay (nothing points at them any more).
    if (this.hosts.size > 0) {
      for (const [k, h] of this.hosts) {
        const id = k - h.family * TWO32;
        // Host routes are the programmer's objects, matched to zebra's groups by content; one
        // that adopted routes still use (kept: their table is not replayed) stays too.
        if (this.programmer.ownsHost(h.family, id) || this.hostRefs.has(h.family, id)) continue;
        const a = new Uint8Array(16);
        if (h.family === 4) a.set([id >>> 24, (id >>> 16) & 255, (id >>> 8) & 255, id & 255]);
        else {
          a.set(PIC6_PREFIX, 0);
          a.set([id >>> 24, (id >>> 16) & 255, (id >>> 8) & 255, id & 255], 12);
        }
        q.push({ family: h.family, vppTable: h.vppTable, addr: a, len: h.family === 6 ? 128 : 32, nlTable: -1, host: true });
      }
      // Host routes kept for adopted routes still in VPP stay reserved: no new object takes their address.
      const kept = this.hostRefs.ids();
      this.hosts.clear();
      this.programmer.dropAdopted(kept);
      this.pumpDeletes();
      return;
    }
    if (this.queuePos > 0 || q.length === 0) {
      this.opts.log.info('adoption complete', {
        unchanged: this.counters.unchanged,
        rewritten: this.counters.rewritten,
        withdrawn: this.counters.withdrawn,
        groupsWithdrawn: this.counters.hostsWithdrawn,
        failed: this.counters.withdrawFailed,
      });
      this.deleteQueue = [];
      this.queuePos = 0;
      this.sweeping = false;
      this.state = 'swept';
    }
  }

  /** Withdrawals sent and not answered yet. */
  get inFlight(): number {
    return this.pendingDeletes;
  }

  /** Work left before adoption is over: the daemon is not "synced" before. */
  get busy(): boolean {
    return this.state === 'dumping' || this.sweeping;
  }

  /**
   * After a VPP restart the programmer programs its groups again and asks the store to re-emit
   * the routes using them (ChangeSource.reemitRoutesUsing). Routes without a group (blackhole,
   * unreachable, prohibit) are in no group's list; without ChangeSource.replayAll they would stay
   * missing. They are handed out again here, as the store holds them now.
   */
  reprogramSpecial(): number {
    const s = this.store as FibStore & { replayAll?: () => number };
    if (typeof s.replayAll === 'function') return 0;
    this.synth = [];
    this.synthPos = 0;
    for (const r of this.store.routes()) {
      if (r.target === Target.Nhg || !r.programmed || r.family === AF_MPLS) continue;
      this.synth.push({ family: r.family, table: r.table, addr: r.addr, len: r.len, target: r.target, protocol: r.protocol, lane: r.lane, handle: r.handle });
    }
    this.programmer.kick();
    return this.synth.length;
  }

  private nextSynth(): ChangeKind {
    const x = this.synth[this.synthPos++];
    if (this.synthPos === this.synth.length) {
      this.synth = [];
      this.synthPos = 0;
    }
    const v = this.store.route;
    v.op = Op.Set;
    v.family = x.family as RouteView['family'];
    v.table = x.table;
    v.addr.fill(0);
    v.addr.set(x.addr);
    v.len = x.len;
    v.label = 0;
    v.target = x.target;
    v.nhgId = 0;
    v.prevNhgId = 0;
    v.protocol = x.protocol;
    v.lane = x.lane;
    v.handle = x.handle;
    return ChangeKind.Route;
  }

  /** VPP lost its state (restart): nothing it had is there any more. */
  reset(): void {
    this.clearRoutes();
    this.hosts.clear();
    this.deleteQueue = [];
    this.queuePos = 0;
    this.sweeping = false;
    if (this.state !== 'off') this.state = 'failed';
  }
}

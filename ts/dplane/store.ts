// FibStore: fibpush's mirror of zebra's FIB (routes, nexthop groups, EVPN MACs), its replay epochs, and the ChangeSource the dataplane drains.
//
// Input is a decoded batch (ts/codec/layout.ts) whose variable data points into a borrowed chunk:
// everything kept is copied into typed arrays here. Routes live in KeyTables (one per family, the
// netlink table is part of the key); a route holds a target (special, or a nexthop-group ref), the
// target last handed to the dataplane, an epoch, and an intrusive queue link. The dataplane side
// is a pull: next() compares what zebra wants with what was last handed out, so a key has at most
// one pending change however often zebra changes it, and the queue never outgrows the table.
import { Attr, Batch, Kind, Meta } from '../codec/layout';
import { RowError } from '../codec/codes';
import { BackupLinks, ProtectionInfo } from '../backup-nhg';
import { BatchCols } from './cols';
import { EF, KeyTable, NIL } from './keytable';
import { LANE_OF_PROTOCOL } from './lanes';
import { MissingIds } from './missing';
import { computeResolved, flatten, Leg, Nhg, NhgKind } from './nhg';
import {
  AF_BRIDGE,
  AF_INET,
  AF_INET6,
  AF_MPLS,
  ChangeKind,
  ChangeSource,
  Family,
  LANES,
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
} from './types';

// Netlink message types (include/uapi/linux/rtnetlink.h).
const RTM_NEWROUTE = 24;
const RTM_NEWNEIGH = 28;
const RTM_NEWNEXTHOP = 104;
// rtm_type values (include/uapi/linux/rtnetlink.h).
const RTN_UNICAST = 1;
const RTN_BLACKHOLE = 6;
const RTN_UNREACHABLE = 7;
const RTN_PROHIBIT = 8;
const LWTUNNEL_ENCAP_MPLS = 1; // include/uapi/linux/lwtunnel.h
const RT_TABLE_MAIN = 254;

/** Family codes in handles and queue links (top 2 bits). */
const FC_V4 = 0;
const FC_V6 = 1;
const FC_MPLS = 2;
const FC_MAC = 3;
const FC_FAMILY: readonly Family[] = [AF_INET, AF_INET6, AF_MPLS];
const FAMILY_NAME = ['inet', 'inet6', 'mpls'] as const;

/** Route/MAC target values below this are special (Target.*); from it on, nexthop-group ref + 4. */
const TGT_REF = 4;
/** MAC target: a remote VTEP address (NDA_DST) rather than an L2 group. */
const TGT_VTEP = 1;

const IMPLICIT_BASE = 0x80000000;
/** Route target of a route naming a nexthop id not sent yet: TGT_MISSING + its MissingIds slot. */
const TGT_MISSING = 0x80000000;
export const DEFAULT_MAX_PARKED = 2_460_000;
/** Refused routes kept for takeRefused() between two drains, at most (the rest are only counted). */
const REFUSED_KEEP = 65536;
/** Rows ingest hashes and touches ahead of applying them (a power of two). */
const TOUCH_WINDOW = 32;
/** Entries of the implicit-group cache keyed by path-set hash (a power of two). */
const IMPLICIT_CACHE = 256;

export type ReplayState = 'waiting' | 'replaying' | 'ended';
export type ReplayEnd = 'marker' | 'quiet-period';

export interface FibStoreOptions {
  /** Quiet period (ms) after which a replay without an end marker is taken as complete. Default 3000. */
  quietMs?: number;
  /** Clock for the quiet period (ms). Default Date.now. */
  now?: () => number;
  /** Expected routes per family, to size the tables once (they double as they fill otherwise). */
  capacity?: { inet?: number; inet6?: number; mpls?: number; macs?: number };
  /**
   * Expected routes in all (IPv4 + IPv6), e.g. the size of the last full table: the IPv4 and IPv6
   * tables are sized once for it, split as in a full Internet table (about 4:1), with room to
   * spare on each side. `capacity` wins for a family it names. A hint only: a wrong one costs a
   * regrow or some unused address space, never a route.
   */
  expectedRoutes?: number;
  /**
   * Routes naming a nexthop id zebra has not sent, at most (default 2,460,000: two full
   * tables). Past it such a route is refused: kept without a target (nothing programmed),
   * counted in routeRefusedParked and handed out by takeRefused() for an offload-failed answer.
   */
  maxParked?: number;
}

export interface ReplayStatus {
  state: ReplayState;
  endedBy: ReplayEnd | null;
  /** Connections seen (the mark-and-sweep generation). */
  epoch: number;
  /** Route messages received since the connection opened. */
  received: number;
  /** Entries carrying the current epoch (received or refreshed since the connection opened). */
  refreshed: { routes: number; nhgs: number; macs: number };
  /** Entries still from an older epoch (candidates for the sweep). */
  stale: { routes: number; nhgs: number; macs: number };
  /** Entries withdrawn by the sweeps of this connection. */
  swept: number;
  /** ms from connect to the end of replay (null while replaying). */
  durationMs: number | null;
}

export interface ParkedStatus {
  /** Routes whose nexthop group has not arrived (netns-VRF zebra never sends them). */
  routesNhgMissing: number;
  /** Routes whose group names a member that has not arrived. */
  routesNhgIncomplete: number;
  macsNhgMissing: number;
  macsNhgIncomplete: number;
  /** Groups (used or not) waiting for a member. */
  groupsMemberMissing: number;
  /** Groups naming a backup group that has not arrived (programmed unprotected meanwhile). */
  backupMissing: number;
  /** Some of the missing ids (at most 32), for logs. */
  missingIds: number[];
}

export interface StoreCounts {
  routes: number;
  /** "<family>:<table>" -> routes, e.g. "inet:254", "inet6:254", "mpls:0". */
  byTable: Record<string, number>;
  /** zebra's nexthop objects present (singletons and groups, L3 and L2). */
  nhgs: number;
  /** Inline-mode groups (content-hashed route paths). */
  implicitNhgs: number;
  macs: number;
  parked: ParkedStatus;
  epoch: number;
  /** Pending changes per lane (groups and MACs in lane 0). */
  depth: number[];
  /** Routes whose last change the dataplane reported as failed. */
  failedRoutes: number;
}

/** A leg, copied out (lookups, iterators). */
export interface PathInfo {
  gwFamily: 0 | 4 | 6;
  gw: Uint8Array;
  ifindex: number;
  weight: number;
  labels: number[];
  blackhole: boolean;
}

export interface RouteInfo {
  family: Family;
  table: number;
  /** 4 or 16 address bytes (AF_MPLS: empty). */
  addr: Uint8Array;
  len: number;
  label: number;
  protocol: number;
  lane: Lane;
  target: Target;
  /** zebra's id (or implicit id) of the target group, 0 for special targets. */
  nhgId: number;
  /** Waiting for its group (or a member of it). */
  parked: boolean;
  /** The dataplane was handed this route's current state. */
  programmed: boolean;
  failed: boolean;
  handle: number;
}

export interface RouteLookup extends RouteInfo {
  /** The group's forwarding legs (flattened), empty for special targets or parked routes. */
  primary: PathInfo[];
  backup: PathInfo[];
}

export interface NhgInfo {
  id: number;
  present: boolean;
  kind: 'single' | 'group' | 'implicit';
  family: number;
  fdb: boolean;
  members: { id: number; weight: number }[];
  primary: PathInfo[];
  backup: PathInfo[];
  backupId: number;
  /** Routes and MACs using it. */
  users: number;
  resolved: boolean;
  programmed: boolean;
  epoch: number;
}

export interface MacInfo {
  ifindex: number;
  vlan: number;
  mac: Uint8Array;
  vtepFamily: 0 | 4 | 6;
  vtep: Uint8Array;
  nhgId: number;
  vni: number;
  parked: boolean;
  programmed: boolean;
}

export interface RouteKey {
  family: Family;
  table: number;
  addr: Uint8Array;
  len: number;
  label: number;
  protocol: number;
}

/** Counters (FRR's `show fpm counters` spirit): every skip and refusal is counted. */
export class StoreCounters {
  rows = 0;
  badRows = 0;
  otherRows = 0;
  doneRows = 0;
  /** End markers on a connection that had delivered nothing else: ignored, nothing swept. */
  doneIgnored = 0;
  routeNew = 0;
  routeDel = 0;
  routeDelUnknown = 0;
  routeNoNexthop = 0;
  routeUnsupportedType = 0;
  routeBadPrefix = 0;
  nhgNew = 0;
  nhgDel = 0;
  nhgDelUnknown = 0;
  nhgDelRefused = 0;
  nhgBad = 0;
  /** Group messages refused because a group would contain a group (nexthop objects do not nest; a cycle is one case). */
  nhgNested = 0;
  /** Routes refused because maxParked routes already wait for nexthop ids zebra has not sent. */
  routeRefusedParked = 0;
  /** Nexthop objects with a non-MPLS encap (seg6, seg6local): kept, their routes reported failed. */
  nhgUnsupportedEncap = 0;
  neighNew = 0;
  neighDel = 0;
  neighDelUnknown = 0;
  neighIgnored = 0;
  neighBad = 0;
  sweeps = 0;
  swept = 0;
  sweepKeptInUse = 0;
  changesNhg = 0;
  changesRoute = 0;
  changesMac = 0;
  resultsOk = 0;
  resultsFailed = 0;
  resultsStale = 0;
}

function newPathView(): PathView {
  return { gwFamily: 0, gw: new Uint8Array(16), ifindex: 0, weight: 1, labels: [], blackhole: false, encap: 0 };
}

function pathInfo(l: Leg, weight: number): PathInfo {
  return {
    gwFamily: l.gwFamily,
    gw: l.gw.slice(0, l.gwFamily === 4 ? 4 : l.gwFamily === 6 ? 16 : 0),
    ifindex: l.ifindex,
    weight,
    labels: l.labels.slice(),
    blackhole: l.blackhole,
  };
}

/** The big-endian u32 at `o`. */
function be32(c: Uint8Array, o: number): number {
  return ((c[o] << 24) | (c[o + 1] << 16) | (c[o + 2] << 8) | c[o + 3]) >>> 0;
}

/** Labels of a single-leg inline route: RTA_NEWDST (AF_MPLS) or an MPLS RTA_ENCAP (uncapped). */
function rowLabelCount(b: BatchCols, r: number, attrs: number, mplsRoute: boolean): number {
  if (mplsRoute) return (attrs & Attr.NewDst) !== 0 ? b.labelCount[r] : 0;
  return (attrs & Attr.Encap) !== 0 && b.encapType[r] === LWTUNNEL_ENCAP_MPLS ? b.labelCount[r] : 0;
}

/** Whether the leg at `k` of signature `s` has the gateway at chunk[gwOff, gwLen) (sigLeg's encoding). */
function gwMatches(s: Uint32Array, k: number, chunk: Uint8Array, gwOff: number, gwLen: number): boolean {
  const gf = gwOff === 0 ? 0 : gwLen === 4 ? 4 : gwLen === 16 ? 6 : 0;
  if (s[k] !== gf) return false;
  // sigLeg leaves the unused gateway words 0.
  if (gf === 0) return true;
  if (s[k + 1] !== be32(chunk, gwOff)) return false;
  if (gf === 4) return true;
  return s[k + 2] === be32(chunk, gwOff + 4) && s[k + 3] === be32(chunk, gwOff + 8) && s[k + 4] === be32(chunk, gwOff + 12);
}

export class FibStore implements ChangeSource {
  readonly nhg: NhgView = newNhgView();
  readonly route: RouteView = newRouteView();
  readonly mac: MacView = newMacView();
  readonly counters = new StoreCounters();
  /** Backup-group links (ts/backup-nhg). */
  readonly backups = new BackupLinks();

  private readonly quietMs: number;
  private readonly now: () => number;
  // Route tables (index = family code) and the MAC table.
  private readonly rt: KeyTable[];
  private readonly macs: KeyTable;
  // MAC columns beside the MAC KeyTable (same entry ids).
  private macVtepFam = new Uint8Array(0);
  private macVtep = new Uint8Array(0);
  private macVni = new Uint32Array(0);
  // Netlink table ids <-> the u16 index kept per route; route counts per (table index, family code).
  private readonly tableIds: number[] = [];
  private readonly tableIdx = new Map<number, number>();
  private lastTableId = -1;
  private lastTableIx = 0;
  private readonly routeCounts: number[] = [];
  private routeTotal = 0;
  private macTotal = 0;
  // Routes/MACs zebra has that carry the current epoch (replayStatus's refreshed counts; the rest
  // of routeTotal/macTotal is stale). Kept where entries are added, refreshed and deleted.
  private routesCur = 0;
  private macsCur = 0;
  // zebra's nexthop objects present, and those of them carrying the current epoch.
  private nhgsPresent = 0;
  private nhgsCur = 0;
  private failedRoutes = 0;
  /** Routes the dataplane acknowledged and holds (EF.Installed), as far as results tell. */
  private installed = 0;

  /** Routes the dataplane holds as far as its results tell: acknowledged Sets, less Dels handed out since. */
  get installedRoutes(): number {
    return this.installed;
  }

  /** The dataplane lost everything (a restarted VPP): no route is held until acknowledged again. */
  clearInstalled(): void {
    for (const t of this.rt) {
      for (let id = 0; id < t.hi; id++) t.flags[id] &= ~EF.Installed;
    }
    this.installed = 0;
  }
  // Nexthop objects.
  private readonly byId = new Map<number, Nhg>();
  private readonly implicitById = new Map<number, Nhg>();
  private readonly implicitByHash = new Map<number, Nhg[]>();
  private readonly implicitCache: (Nhg | null)[] = new Array<Nhg | null>(IMPLICIT_CACHE).fill(null);
  private readonly slots: (Nhg | undefined)[] = [];
  private readonly freeRefs: number[] = [];
  private nextImplicit = IMPLICIT_BASE;
  private readonly nhgCacheId = new Float64Array(256).fill(-1);
  private readonly nhgCache: (Nhg | null)[] = new Array<Nhg | null>(256).fill(null);
  private readonly byIfindex = new Map<number, Set<Nhg>>();
  // Ids routes name before they arrive (compact records, see missing.ts), and those that arrived
  // in the current batch: their routes still carry TGT_MISSING + slot until flushMissing.
  private readonly missing = new MissingIds();
  private readonly movedMissing = new Map<number, Nhg>();
  private readonly maxParked: number;
  private refused: number[] = [];
  private markSeq = 0;
  private readonly rescan: Nhg[] = [];
  private deferring = false;
  private readonly deferred: Nhg[] = [];
  // Change queues: groups (FIFO of objects, deduplicated by Nhg.queued), MACs and route lanes (intrusive).
  private nq: Nhg[] = [];
  private nqHead = 0;
  private macHead = NIL;
  private macTail = NIL;
  private macPending = 0;
  private readonly laneHead = new Uint32Array(LANES).fill(NIL);
  private readonly laneTail = new Uint32Array(LANES).fill(NIL);
  private readonly laneCount = [0, 0, 0];
  // Epochs and replay.
  private epoch = 1; // 1..255 stamped on entries; 0 = older than any live epoch
  private epochSeq = 0;
  private state: ReplayState = 'waiting';
  // A connection opened (connectionOpen) and has not delivered a message yet: its epoch starts
  // with its first route, nexthop or neighbour message, so a silent or empty connection changes
  // nothing (not even the epoch) and its end marker sweeps nothing.
  private pendingStart = false;
  private endedBy: ReplayEnd | null = null;
  private startedAt = 0;
  private endedAt = 0;
  private lastInputAt = 0;
  private received = 0;
  private sweptThisConn = 0;
  private lastError: { error: string; route: RouteKey | null } | null = null;
  // Ingest's look-ahead: index homes and family codes of the next window of rows.
  private readonly touchHome = new Int32Array(TOUCH_WINDOW);
  private readonly touchFc = new Uint8Array(TOUCH_WINDOW);
  // The batch's columns as fixed fields (see cols.ts), rebound by each ingest call.
  private readonly cols = new BatchCols();
  /** @internal Keeps the look-ahead loads live; never read. */
  touchSink = 0;
  // Scratch: the legs of one inline route as a u32 signature (no allocation per route).
  private sig = new Uint32Array(256);
  private sigLen = 0;
  private lastImplicit: Nhg | null = null;
  private readonly scratchLeg = new Leg();
  // Views: reused PathView objects, filled by flatten().
  private readonly pvPool: PathView[] = [];
  private readonly bvPool: PathView[] = [];
  private readonly pushPrimary = (l: Leg, w: number): void => this.pushPath(this.nhg.primary, this.pvPool, l, w);
  private readonly pushBackup = (l: Leg, w: number): void => this.pushPath(this.nhg.backup, this.bvPool, l, w);

  constructor(opts: FibStoreOptions = {}) {
    this.quietMs = opts.quietMs ?? 3000;
    this.maxParked = opts.maxParked ?? DEFAULT_MAX_PARKED;
    this.now = opts.now ?? Date.now;
    const cap = opts.capacity ?? {};
    const exp = Math.max(0, Math.min(opts.expectedRoutes ?? 0, 1 << 26));
    // A full table is ~81% IPv4 / 19% IPv6; each side gets a little slack over its share.
    const v4 = cap.inet ?? Math.max(1024, Math.ceil(exp * 0.85));
    const v6 = cap.inet6 ?? Math.max(1024, Math.ceil(exp * 0.22));
    this.rt = [new KeyTable(1, v4), new KeyTable(4, v6), new KeyTable(1, cap.mpls ?? 64)];
    this.macs = new KeyTable(3, cap.macs ?? 64);
    this.growMacColumns();
  }

  // ---------------------------------------------------------------- ingest

  /**
   * Applies every good row of a decoded batch. `chunk` is the buffer the batch was decoded from;
   * it is only read during this call. Returns the number of rows looked at.
   */
  ingest(batch: Batch, chunk: Uint8Array): number {
    const rows = batch.meta[Meta.Rows];
    if (rows === 0) return 0;
    const b = this.cols.bind(batch);
    this.lastInputAt = this.now();
    const c = this.counters;
    c.rows += rows;
    const kind = b.kind;
    const err = b.err;
    const rt = this.rt;
    const homes = this.touchHome;
    const fcs = this.touchFc;
    let sink = 0;
    for (let r = 0; r < rows; r++) {
      if ((r & (TOUCH_WINDOW - 1)) === 0) {
        // Hash the next window of routes, then read their index slots in one tight loop: the
        // misses overlap there instead of stalling each row in turn (see KeyTable.home).
        const end = Math.min(rows, r + TOUCH_WINDOW);
        for (let q = r; q < end; q++) {
          const fc = kind[q] === Kind.Route && err[q] === RowError.None ? this.routeKey(b, chunk, q) : -1;
          fcs[q - r] = fc < 0 ? 255 : fc;
          if (fc >= 0) homes[q - r] = rt[fc].home();
        }
        sink ^= rt[FC_V4].touch(homes, fcs, FC_V4, end - r) ^ rt[FC_V6].touch(homes, fcs, FC_V6, end - r);
      }
      if (err[r] !== RowError.None) {
        c.badRows++;
        continue;
      }
      switch (kind[r]) {
        case Kind.Route:
          if (this.pendingStart) this.connectionStart();
          this.routeRow(b, chunk, r);
          break;
        case Kind.Nexthop:
          if (this.pendingStart) this.connectionStart();
          this.nexthopRow(b, chunk, r);
          break;
        case Kind.Neigh:
          if (this.pendingStart) this.connectionStart();
          this.neighRow(b, chunk, r);
          break;
        case Kind.Done:
          if (this.pendingStart) {
            c.doneIgnored++;
            break;
          }
          c.doneRows++;
          this.flushMissing();
          this.flushRescan();
          this.endReplay('marker');
          break;
        default:
          c.otherRows++;
      }
    }
    this.flushMissing();
    this.flushRescan();
    this.touchSink = sink;
    return rows;
  }

  private tableIndex(table: number): number {
    if (table === this.lastTableId) return this.lastTableIx;
    let ix = this.tableIdx.get(table);
    if (ix === undefined) {
      ix = this.tableIds.length;
      if (ix > 0xffff) throw new RangeError('more than 65536 routing tables');
      this.tableIds.push(table);
      this.tableIdx.set(table, ix);
      this.routeCounts.push(0, 0, 0);
    }
    this.lastTableId = table;
    this.lastTableIx = ix;
    return ix;
  }

  /** Sets the probe key of the row's route table; returns the family code, or -1 (counted). */
  private routeKey(b: BatchCols, chunk: Uint8Array, r: number): number {
    const fam = b.family[r];
    const len = b.dstLen[r];
    const hasDst = (b.attrs[r] & Attr.Dst) !== 0;
    const o = b.dstOff[r];
    if (fam === AF_INET) {
      if (len > 32) return -1;
      const t = this.rt[FC_V4];
      const a = hasDst ? ((chunk[o] << 24) | (chunk[o + 1] << 16) | (chunk[o + 2] << 8) | chunk[o + 3]) >>> 0 : 0;
      t.k[0] = len === 0 ? 0 : (a & (0xffffffff << (32 - len))) >>> 0;
      t.kLen = len;
      t.kTbl = this.tableIndex(b.table[r]);
      return FC_V4;
    }
    if (fam === AF_INET6) {
      if (len > 128) return -1;
      const t = this.rt[FC_V6];
      for (let w = 0; w < 4; w++) {
        const p = o + 4 * w;
        const a = hasDst ? ((chunk[p] << 24) | (chunk[p + 1] << 16) | (chunk[p + 2] << 8) | chunk[p + 3]) >>> 0 : 0;
        const bits = len - 32 * w;
        t.k[w] = bits <= 0 ? 0 : bits >= 32 ? a : (a & (0xffffffff << (32 - bits))) >>> 0;
      }
      t.kLen = len;
      t.kTbl = this.tableIndex(b.table[r]);
      return FC_V6;
    }
    if (fam === AF_MPLS) {
      // RTA_DST of an AF_MPLS route is one label stack entry (label << 12 | tc << 9 | bos << 8 | ttl).
      if (!hasDst) return -1;
      const t = this.rt[FC_MPLS];
      t.k[0] = (((chunk[o] << 24) | (chunk[o + 1] << 16) | (chunk[o + 2] << 8) | chunk[o + 3]) >>> 12) & 0xfffff;
      t.kLen = 20;
      t.kTbl = this.tableIndex(0);
      return FC_MPLS;
    }
    return -1;
  }

  private routeRow(b: BatchCols, chunk: Uint8Array, r: number): void {
    const c = this.counters;
    const fc = this.routeKey(b, chunk, r);
    if (fc < 0) {
      c.routeBadPrefix++;
      return;
    }
    const t = this.rt[fc];
    if (b.msgType[r] !== RTM_NEWROUTE) {
      // RTM_DELROUTE: zebra sends dst/len, table, protocol, priority; no nexthop, rtm_type 0
      // (dplane_fpm_nl.c fpm_nl_enqueue -> netlink_route_multipath_msg_encode with cmd DELROUTE).
      c.routeDel++;
      const id = t.find();
      if (id < 0 || (t.flags[id] & EF.Exists) === 0) {
        c.routeDelUnknown++;
        return;
      }
      this.deleteRoute(fc, id);
      return;
    }
    c.routeNew++;
    this.received++;
    const attrs = b.attrs[r];
    const rtype = b.rtype[r];
    let tgt: number;
    if (rtype === RTN_UNICAST) {
      if ((attrs & Attr.NhId) !== 0) {
        tgt = this.routeTargetForId(b.nhId[r], t);
        if (tgt === 0) {
          this.refuseRoute(fc, t, b.protocol[r]);
          return;
        }
      } else if ((attrs & (Attr.Multipath | Attr.Gateway | Attr.Oif | Attr.Via)) !== 0)
        tgt = this.implicitFor(b, chunk, r, FC_FAMILY[fc]) + TGT_REF;
      else {
        c.routeNoNexthop++;
        return;
      }
    } else if (rtype === RTN_BLACKHOLE) tgt = Target.Blackhole;
    else if (rtype === RTN_UNREACHABLE) tgt = Target.Unreachable;
    else if (rtype === RTN_PROHIBIT) tgt = Target.Prohibit;
    else {
      // local/broadcast/anycast/multicast/throw/nat: not FIB forwarding entries for the dataplane.
      c.routeUnsupportedType++;
      return;
    }
    const id = t.insert();
    const f = t.flags[id];
    const proto = b.protocol[r];
    let dirty = false;
    let force = false;
    if ((f & EF.Exists) === 0) {
      this.routeCounts[t.kTbl * 3 + fc]++;
      this.routeTotal++;
      this.use(tgt, false);
      dirty = true;
      // Revived by a DEL+NEW (dplane_fpm_nl sends a route update as both in one frame): still one
      // change downstream, and a Set even when nothing changed, since zebra awaits its result.
      if (t.prog[id] !== 0 && t.prog[id] === tgt) force = true;
    } else if (t.tgt[id] !== tgt) {
      // Take the new reference first: dropping the old one may free objects the new target
      // still needs (a placeholder member of a group going away).
      this.use(tgt, false);
      this.unuse(t.tgt[id], false);
      dirty = true;
    } else if (t.proto[id] !== proto) {
      dirty = force = true;
    } else if (this.state === 'replaying' && t.epoch[id] !== this.epoch) {
      // First sight in this replay of an unchanged route: a refresh, nothing to program.
    } else {
      dirty = force = true; // a live re-install of the same route
    }
    t.tgt[id] = tgt;
    t.proto[id] = proto;
    if ((f & EF.Exists) === 0 || t.epoch[id] !== this.epoch) this.routesCur++;
    t.flags[id] = f | EF.Exists | (force ? EF.Force : 0);
    t.epoch[id] = this.epoch;
    if (dirty) this.enqueueRoute(fc, id, LANE_OF_PROTOCOL[proto]);
  }

  /**
   * The target of a route naming nexthop `id`: the object when zebra sent it (or a group names
   * it), else a compact missing-id slot, or 0 when maxParked routes already wait for ids
   * (unless this route already waits for this very id).
   */
  private routeTargetForId(id: number, t: KeyTable): number {
    const c = id & 255;
    if (this.nhgCacheId[c] === id) return this.nhgCache[c]!.ref + TGT_REF;
    const n = this.byId.get(id);
    if (n !== undefined) return n.ref + TGT_REF;
    const m = this.missing;
    let slot = m.find(id);
    if (m.totalUsers >= this.maxParked) {
      const e = t.find();
      const same = slot >= 0 && e >= 0 && (t.flags[e] & EF.Exists) !== 0 && t.tgt[e] === TGT_MISSING + slot;
      if (!same) return 0;
    }
    if (slot < 0) slot = m.slotFor(id);
    return TGT_MISSING + slot;
  }

  /**
   * A route past the parking bound: kept without a target, so nothing is programmed for it (an
   * older programmed version is withdrawn) and the daemon can answer it offload-failed.
   */
  private refuseRoute(fc: number, t: KeyTable, proto: number): void {
    const c = this.counters;
    if (c.routeRefusedParked++ === 0 || (c.routeRefusedParked & 0xffff) === 0) this.refusedLog = true;
    const id = t.insert();
    const f = t.flags[id];
    if ((f & EF.Exists) === 0) {
      this.routeCounts[t.kTbl * 3 + fc]++;
      this.routeTotal++;
    } else this.unuse(t.tgt[id], false);
    if ((f & EF.Exists) === 0 || t.epoch[id] !== this.epoch) this.routesCur++;
    t.tgt[id] = 0;
    t.proto[id] = proto;
    t.flags[id] = f | EF.Exists;
    t.epoch[id] = this.epoch;
    this.enqueueRoute(fc, id, LANE_OF_PROTOCOL[t.proto[id]]);
    if (this.refused.length < REFUSED_KEEP) this.refused.push(t.handle(fc, id));
  }

  /** Set when a route was refused for the parking bound since the last call (first and every 65536th). */
  private refusedLog = false;

  /** Whether the route `handle` stands for was refused past the parking bound (it has no target). */
  routeRefused(handle: number): boolean {
    const fc = handle >>> 30;
    if (fc >= 3) return false;
    const t = this.rt[fc];
    const id = t.live(handle);
    return id >= 0 && (t.flags[id] & EF.Exists) !== 0 && t.tgt[id] === 0;
  }

  /** Handles of the routes refused since the last call (for offload-failed answers), and whether to log. */
  takeRefused(): { handles: number[]; log: boolean } {
    const out = { handles: this.refused, log: this.refusedLog };
    if (out.handles.length > 0) this.refused = [];
    this.refusedLog = false;
    return out;
  }

  /** Routes that named an id which has arrived in this batch now target its object. */
  private flushMissing(): void {
    const mv = this.movedMissing;
    if (mv.size === 0) return;
    for (let fc = 0; fc < 3; fc++) {
      const t = this.rt[fc];
      const tg = t.tgt;
      for (let id = 0; id < t.hi; id++) {
        const g = tg[id];
        if (g < TGT_MISSING) continue;
        const n = mv.get(g - TGT_MISSING);
        if (n !== undefined) tg[id] = n.ref + TGT_REF;
      }
    }
    for (const slot of mv.keys()) this.missing.take(slot);
    mv.clear();
  }

  private deleteRoute(fc: number, id: number): void {
    const t = this.rt[fc];
    this.unuse(t.tgt[id], false);
    t.tgt[id] = 0;
    t.flags[id] &= ~(EF.Exists | EF.Force);
    this.routeCounts[t.tbl[id] * 3 + fc]--;
    this.routeTotal--;
    if (t.epoch[id] === this.epoch) this.routesCur--;
    if (t.prog[id] !== 0) this.enqueueRoute(fc, id, LANE_OF_PROTOCOL[t.proto[id]]);
    else if ((t.flags[id] & EF.Dirty) === 0) this.release(t, id);
  }

  private release(t: KeyTable, id: number): void {
    if ((t.flags[id] & EF.Failed) !== 0 && t !== this.macs) this.failedRoutes--;
    if ((t.flags[id] & EF.Installed) !== 0) this.installed--;
    t.remove(id);
  }

  private enqueueRoute(fc: number, id: number, lane: number): void {
    const t = this.rt[fc];
    const f = t.flags[id];
    if ((f & EF.Dirty) !== 0) return;
    t.flags[id] = f | EF.Dirty;
    const h = ((fc << 30) | id) >>> 0;
    t.qnext[id] = NIL;
    const tail = this.laneTail[lane];
    if (tail === NIL) this.laneHead[lane] = h;
    else this.rt[tail >>> 30].qnext[tail & 0x3fffffff] = h;
    this.laneTail[lane] = h;
    this.laneCount[lane]++;
  }

  // Inline-mode paths -> one implicit group per distinct path set (content-hashed).

  /** Appends one leg to the signature: [gwFamily, gw words x4, ifindex, weight, flags, nLabels, labels...]. */
  private sigLeg(
    chunk: Uint8Array,
    gwOff: number,
    gwLen: number,
    ifindex: number,
    weight: number,
    flags: number,
    labels: Uint32Array,
    labStart: number,
    labCount: number,
  ): void {
    let n = this.sigLen;
    if (n + 9 + 16 > this.sig.length) {
      const g = new Uint32Array(this.sig.length * 2 + 64);
      g.set(this.sig);
      this.sig = g;
    }
    const sig = this.sig;
    const gf = gwOff === 0 ? 0 : gwLen === 4 ? 4 : gwLen === 16 ? 6 : 0;
    sig[n] = gf;
    if (gf === 0) sig[n + 1] = sig[n + 2] = sig[n + 3] = sig[n + 4] = 0;
    else {
      sig[n + 1] = ((chunk[gwOff] << 24) | (chunk[gwOff + 1] << 16) | (chunk[gwOff + 2] << 8) | chunk[gwOff + 3]) >>> 0;
      if (gf === 4) sig[n + 2] = sig[n + 3] = sig[n + 4] = 0;
      else
        for (let w = 1; w < 4; w++) {
          const o = gwOff + 4 * w;
          sig[n + 1 + w] = ((chunk[o] << 24) | (chunk[o + 1] << 16) | (chunk[o + 2] << 8) | chunk[o + 3]) >>> 0;
        }
    }
    sig[n + 5] = ifindex;
    sig[n + 6] = weight;
    sig[n + 7] = flags;
    const lc = labCount > 16 ? 16 : labCount;
    sig[n + 8] = lc;
    n += 9;
    for (let j = 0; j < lc; j++) sig[n++] = (labels[labStart + j] >>> 12) & 0xfffff;
    this.sigLen = n;
  }

  /** Signature of a row's path set (its legs as sigLeg writes them): only built for a new group. */
  private buildSig(b: BatchCols, chunk: Uint8Array, r: number, fam: number): void {
    const attrs = b.attrs[r];
    const mplsRoute = fam === AF_MPLS;
    this.sigLen = 0;
    if ((attrs & Attr.Multipath) !== 0) {
      const ps = b.pathStart[r];
      const pc = b.pathCount[r];
      for (let i = 0; i < pc; i++) {
        const p = ps + i;
        // Labels: RTA_NEWDST (AF_MPLS routes) or RTA_ENCAP of type LWTUNNEL_ENCAP_MPLS.
        const lab = mplsRoute || b.pEncapType[p] === LWTUNNEL_ENCAP_MPLS ? b.pLabelCount[p] : 0;
        this.sigLeg(chunk, b.pGwOff[p], b.pGwLen[p], b.pIfindex[p], b.pWeight[p] || 1, b.pFlags[p], b.label, b.pLabelStart[p], lab);
      }
    } else {
      const gw = (attrs & (Attr.Gateway | Attr.Via)) !== 0;
      this.sigLeg(chunk, gw ? b.gwOff[r] : 0, b.gwLen[r], (attrs & Attr.Oif) !== 0 ? b.oif[r] : 0, 1, 0, b.label, b.labelStart[r], rowLabelCount(b, r, attrs, mplsRoute));
    }
  }

  /**
   * Whether implicit group `g` (still live, built for family `fam`) has exactly the path set of
   * row `r`: its signature is compared word by word with the batch columns, nothing is built.
   */
  private rowMatches(g: Nhg, b: BatchCols, chunk: Uint8Array, r: number, fam: number): boolean {
    if (g.routeFamily !== fam || this.slots[g.ref] !== g) return false;
    const s = g.sig!;
    const n = s.length;
    const attrs = b.attrs[r];
    const label = b.label;
    if ((attrs & Attr.Multipath) === 0) {
      // One leg: [gwFamily, gw x4, ifindex, weight 1, flags 0, nLabels, labels...].
      let lc = rowLabelCount(b, r, attrs, fam === AF_MPLS);
      if (lc > 16) lc = 16;
      if (n !== 9 + lc || s[8] !== lc || s[6] !== 1 || s[7] !== 0) return false;
      if (s[5] !== ((attrs & Attr.Oif) !== 0 ? b.oif[r] : 0)) return false;
      if (!gwMatches(s, 0, chunk, (attrs & (Attr.Gateway | Attr.Via)) !== 0 ? b.gwOff[r] : 0, b.gwLen[r])) return false;
      const ls = b.labelStart[r];
      for (let j = 0; j < lc; j++) if (s[9 + j] !== ((label[ls + j] >>> 12) & 0xfffff)) return false;
      return true;
    }
    const ps = b.pathStart[r];
    const pc = b.pathCount[r];
    const mpls = fam === AF_MPLS;
    let k = 0;
    for (let i = 0; i < pc; i++) {
      const p = ps + i;
      if (k + 9 > n) return false;
      let lc = mpls || b.pEncapType[p] === LWTUNNEL_ENCAP_MPLS ? b.pLabelCount[p] : 0;
      if (lc > 16) lc = 16;
      if (s[k + 8] !== lc || s[k + 5] !== b.pIfindex[p] || s[k + 6] !== (b.pWeight[p] || 1) || s[k + 7] !== b.pFlags[p]) return false;
      if (!gwMatches(s, k, chunk, b.pGwOff[p], b.pGwLen[p])) return false;
      k += 9;
      const ls = b.pLabelStart[p];
      for (let j = 0; j < lc; j++) if (s[k + j] !== ((label[ls + j] >>> 12) & 0xfffff)) return false;
      k += lc;
    }
    return k === n;
  }

  /**
   * Content hash of row `r`'s path set, read straight from the batch columns (the same fields
   * the signature holds, so equal path sets hash equal): two interleaved multiply lanes, folded
   * to a small integer so the Map key stays unboxed.
   */
  private rowHash(b: BatchCols, chunk: Uint8Array, r: number, fam: number): number {
    const attrs = b.attrs[r];
    const label = b.label;
    const multi = (attrs & Attr.Multipath) !== 0;
    const pc = multi ? b.pathCount[r] : 1;
    const ps = multi ? b.pathStart[r] : 0;
    const mpls = fam === AF_MPLS;
    let h = Math.imul(fam ^ 0x811c9dc5, 0x01000193);
    let h2 = Math.imul(pc ^ 0x9e3779b1, 0x85ebca77);
    for (let i = 0; i < pc; i++) {
      let gwOff: number, gwLen: number, ifx: number, wt: number, fl: number, ls: number, lc: number;
      if (multi) {
        const p = ps + i;
        gwOff = b.pGwOff[p];
        gwLen = b.pGwLen[p];
        ifx = b.pIfindex[p];
        wt = b.pWeight[p] || 1;
        fl = b.pFlags[p];
        ls = b.pLabelStart[p];
        lc = mpls || b.pEncapType[p] === LWTUNNEL_ENCAP_MPLS ? b.pLabelCount[p] : 0;
      } else {
        gwOff = (attrs & (Attr.Gateway | Attr.Via)) !== 0 ? b.gwOff[r] : 0;
        gwLen = b.gwLen[r];
        ifx = (attrs & Attr.Oif) !== 0 ? b.oif[r] : 0;
        wt = 1;
        fl = 0;
        ls = b.labelStart[r];
        lc = rowLabelCount(b, r, attrs, mpls);
      }
      if (lc > 16) lc = 16;
      const gf = gwOff === 0 ? 0 : gwLen === 4 ? 4 : gwLen === 16 ? 6 : 0;
      h = Math.imul(h ^ gf ^ (lc << 8) ^ (fl << 16), 0x01000193);
      h2 = Math.imul(h2 ^ ifx, 0x85ebca77);
      h = Math.imul(h ^ wt, 0x01000193);
      if (gf !== 0) {
        h2 = Math.imul(h2 ^ be32(chunk, gwOff), 0x85ebca77);
        if (gf === 6) {
          h = Math.imul(h ^ be32(chunk, gwOff + 4), 0x01000193);
          h2 = Math.imul(h2 ^ be32(chunk, gwOff + 8), 0x85ebca77);
          h = Math.imul(h ^ be32(chunk, gwOff + 12), 0x01000193);
        }
      }
      for (let j = 0; j < lc; j++) h2 = Math.imul(h2 ^ ((label[ls + j] >>> 12) & 0xfffff), 0x85ebca77);
    }
    h ^= h2 ^ (h2 >>> 13);
    h ^= h >>> 15;
    return h & 0x3fffffff;
  }

  /**
   * The implicit group of an inline route's paths (RTA_GATEWAY/RTA_OIF/RTA_VIA/RTA_ENCAP, or
   * RTA_MULTIPATH). The row's columns are compared with the previous row's group first (routes
   * in a replay often share their neighbour's paths), then hashed and compared with the groups of
   * that hash (a direct-mapped cache, then the Map). Nothing is built per route: only a path set
   * not seen before gets its signature and legs.
   */
  private implicitFor(b: BatchCols, chunk: Uint8Array, r: number, fam: number): number {
    const last = this.lastImplicit;
    if (last !== null && this.rowMatches(last, b, chunk, r, fam)) return last.ref;
    const h = this.rowHash(b, chunk, r, fam);
    // Direct-mapped cache in front of the Map: a full table has a few dozen path sets.
    const slot = h & (IMPLICIT_CACHE - 1);
    const hit = this.implicitCache[slot];
    if (hit !== null && hit.hash === h && this.rowMatches(hit, b, chunk, r, fam)) {
      this.lastImplicit = hit;
      return hit.ref;
    }
    const cands = this.implicitByHash.get(h);
    if (cands !== undefined) {
      for (let c = 0; c < cands.length; c++) {
        const cand = cands[c];
        if (this.rowMatches(cand, b, chunk, r, fam)) {
          this.lastImplicit = cand;
          this.implicitCache[slot] = cand;
          return cand.ref;
        }
      }
    }
    // A new path set: allocate its group (once per distinct set, not per route).
    this.buildSig(b, chunk, r, fam);
    const sig = this.sig;
    const n = this.sigLen;
    const g = this.newNhg(this.allocImplicitId());
    g.kind = NhgKind.Implicit;
    g.present = true;
    g.resolved = true;
    g.routeFamily = fam;
    g.family = fam === AF_MPLS ? 0 : fam;
    g.hash = h;
    g.sig = sig.slice(0, n);
    for (let i = 0; i < n; ) {
      const l = new Leg();
      l.gwFamily = sig[i] as 0 | 4 | 6;
      for (let w = 0; w < 4; w++) {
        const x = sig[i + 1 + w];
        l.gw[4 * w] = x >>> 24;
        l.gw[4 * w + 1] = (x >>> 16) & 0xff;
        l.gw[4 * w + 2] = (x >>> 8) & 0xff;
        l.gw[4 * w + 3] = x & 0xff;
      }
      l.ifindex = sig[i + 5];
      l.weight = sig[i + 6];
      l.flags = sig[i + 7];
      const lc = sig[i + 8];
      l.labels = Array.from(sig.subarray(i + 9, i + 9 + lc));
      i += 9 + lc;
      g.legs.push(l);
      this.indexIfindex(g, l.ifindex, true);
    }
    this.implicitById.set(g.id, g);
    if (cands !== undefined) cands.push(g);
    else this.implicitByHash.set(h, [g]);
    this.lastImplicit = g;
    this.implicitCache[slot] = g;
    return g.ref;
  }

  private allocImplicitId(): number {
    for (;;) {
      const id = this.nextImplicit;
      this.nextImplicit = id === 0xffffffff ? IMPLICIT_BASE : id + 1;
      if (!this.implicitById.has(id)) return id;
    }
  }

  // ---------------------------------------------------------------- nexthop objects

  private newNhg(id: number): Nhg {
    const ref = this.freeRefs.length > 0 ? this.freeRefs.pop()! : this.slots.length;
    const n = new Nhg(id, ref);
    this.slots[ref] = n;
    return n;
  }

  /** The object for a zebra id, a placeholder (absent) when it has not arrived. */
  private nhgFor(id: number): Nhg {
    // A full table names a few dozen groups in no order: a small direct-mapped cache in front
    // of the Map saves a hash lookup per route.
    const c = id & 255;
    if (this.nhgCacheId[c] === id) return this.nhgCache[c]!;
    let n = this.byId.get(id);
    if (n === undefined) {
      n = this.newNhg(id);
      this.byId.set(id, n);
      // Routes waiting for this id become its users; their targets move at flushMissing.
      const slot = this.missing.find(id);
      if (slot >= 0 && !this.movedMissing.has(slot)) {
        n.users = this.missing.users[slot];
        this.movedMissing.set(slot, n);
      }
    }
    this.nhgCacheId[c] = id;
    this.nhgCache[c] = n;
    return n;
  }

  private refForId(id: number): number {
    return this.nhgFor(id).ref;
  }

  /** A route or MAC starts using target `tgt`. */
  private use(tgt: number, mac: boolean): void {
    if (tgt < TGT_REF) return;
    if (tgt >= TGT_MISSING) {
      const mv = this.movedMissing.get(tgt - TGT_MISSING);
      if (mv === undefined) {
        this.missing.use(tgt - TGT_MISSING);
        return;
      }
      tgt = mv.ref + TGT_REF;
    }
    const n = this.slots[tgt - TGT_REF]!;
    n.users++;
    if (mac) n.macUsers++;
    if (n.users === 1) this.queueNhg(n);
  }

  /** A route or MAC stops using target `tgt`. */
  private unuse(tgt: number, mac: boolean): void {
    if (tgt < TGT_REF) return;
    if (tgt >= TGT_MISSING) {
      const mv = this.movedMissing.get(tgt - TGT_MISSING);
      if (mv === undefined) {
        this.missing.unuse(tgt - TGT_MISSING);
        return;
      }
      tgt = mv.ref + TGT_REF;
    }
    const n = this.slots[tgt - TGT_REF]!;
    n.users--;
    if (mac) n.macUsers--;
    if (n.users === 0) {
      this.queueNhg(n);
      this.checkPendingDelete(n);
      this.maybeFree(n);
    }
  }

  private queueNhg(n: Nhg): void {
    if (n.queued || (!n.programmed && !n.wanted)) return;
    n.queued = true;
    this.nq.push(n);
  }

  private inUse(n: Nhg): boolean {
    return n.users > 0 || n.parents.length > 0 || this.backups.isBackup(n.id);
  }

  private checkPendingDelete(n: Nhg): void {
    if (this.deferring) {
      this.deferred.push(n);
      return;
    }
    if (n.delPending && n.present && !this.inUse(n)) this.removeNhg(n);
  }

  /** Drops an object nobody needs any more: absent (or an unused implicit group) and not in the dataplane. */
  private maybeFree(n: Nhg): void {
    if (this.deferring) {
      this.deferred.push(n);
      return;
    }
    if (this.slots[n.ref] !== n) return;
    if (n.present && !n.implicit) return;
    if (n.users > 0 || n.parents.length > 0 || n.programmed || n.queued || n.progUsers > 0) return;
    if (n.implicit) {
      this.implicitById.delete(n.id);
      const cands = this.implicitByHash.get(n.hash);
      if (cands !== undefined) {
        const i = cands.indexOf(n);
        if (i >= 0) cands.splice(i, 1);
        if (cands.length === 0) this.implicitByHash.delete(n.hash);
      }
      for (const l of n.legs) this.indexIfindex(n, l.ifindex, false);
    } else {
      if (this.backups.isBackup(n.id)) return;
      this.byId.delete(n.id);
    }
    const c = n.id & 255;
    if (this.nhgCache[c] === n) {
      this.nhgCache[c] = null;
      this.nhgCacheId[c] = -1;
    }
    this.slots[n.ref] = undefined;
    this.freeRefs.push(n.ref);
  }

  private indexIfindex(n: Nhg, ifindex: number, add: boolean): void {
    if (ifindex === 0) return;
    let s = this.byIfindex.get(ifindex);
    if (add) {
      if (s === undefined) this.byIfindex.set(ifindex, (s = new Set()));
      s.add(n);
    } else if (s !== undefined) {
      s.delete(n);
      if (s.size === 0) this.byIfindex.delete(ifindex);
    }
  }

  /** Drops `n` from its members' parent lists (after the new members are linked, so a member kept is never freed on the way). */
  private unlinkMembers(n: Nhg, members: Nhg[] = n.members): void {
    if (members === n.members) {
      n.members = [];
      n.weights = [];
    }
    for (const m of members) {
      const i = m.parents.indexOf(n);
      if (i >= 0) m.parents.splice(i, 1);
      this.checkPendingDelete(m);
      this.maybeFree(m);
    }
  }

  private setBackup(n: Nhg, backup: number): void {
    const old = n.backupId;
    if (old === backup) return;
    this.backups.set(n.id, backup);
    n.backupId = backup;
    if (backup !== 0) this.nhgFor(backup); // placeholder until it arrives: its arrival re-emits n
    if (old !== 0) {
      const o = this.byId.get(old);
      if (o !== undefined) {
        this.checkPendingDelete(o);
        this.maybeFree(o);
      }
    }
  }

  /**
   * One nexthop message is applied as a whole before anything it stopped referencing is
   * released: a group re-sent with other members and a backup that is a former member must not
   * free that member half way.
   */
  private nexthopRow(b: BatchCols, chunk: Uint8Array, r: number): void {
    this.deferring = true;
    try {
      this.applyNexthop(b, chunk, r);
    } finally {
      this.deferring = false;
      const d = this.deferred;
      for (let i = 0; i < d.length; i++) {
        this.checkPendingDelete(d[i]);
        this.maybeFree(d[i]);
      }
      d.length = 0;
    }
  }

  private applyNexthop(b: BatchCols, chunk: Uint8Array, r: number): void {
    const c = this.counters;
    const attrs = b.attrs[r];
    const id = b.nhId[r];
    if ((attrs & Attr.NhId) === 0 || id === 0) {
      c.nhgBad++;
      return;
    }
    if (b.msgType[r] !== RTM_NEWNEXTHOP) {
      c.nhgDel++;
      this.deleteNhgById(id);
      return;
    }
    if ((attrs & Attr.Group) !== 0 && this.nestsGroups(id, b, r)) {
      c.nhgBad++;
      c.nhgNested++;
      return;
    }
    c.nhgNew++;
    const n = this.nhgFor(id);
    let changed = !n.present;
    if ((attrs & Attr.Group) !== 0) {
      const gs = b.groupStart[r];
      const gc = b.groupCount[r];
      if (n.kind !== NhgKind.Group || n.members.length !== gc) changed = true;
      else
        for (let i = 0; i < gc; i++)
          if (n.members[i].id !== b.gId[gs + i] || n.weights[i] !== b.gWeight[gs + i]) {
            changed = true;
            break;
          }
      if (changed) {
        const old = n.kind === NhgKind.Group ? n.members : [];
        if (n.kind !== NhgKind.Group) this.indexIfindex(n, n.leg.ifindex, false);
        n.kind = NhgKind.Group;
        const members: Nhg[] = [];
        const weights: number[] = [];
        for (let i = 0; i < gc; i++) {
          const mid = b.gId[gs + i];
          if (mid === id) continue; // a group cannot contain itself (the kernel refuses it too)
          const m = this.nhgFor(mid);
          members.push(m);
          weights.push(b.gWeight[gs + i] || 1);
          m.parents.push(n);
        }
        n.members = members;
        n.weights = weights;
        this.unlinkMembers(n, old);
      }
    } else {
      // A singleton: NHA_GATEWAY (4 or 16 bytes whatever nh_family: zebra sends AF_UNSPEC for some,
      // see fixture mpls-nhg-replay NHG 25), NHA_OIF, NHA_BLACKHOLE, NHA_ENCAP labels.
      const s = this.scratchLeg;
      const gl = b.gwLen[r];
      s.gwFamily = (attrs & Attr.Gateway) !== 0 ? (gl === 4 ? 4 : gl === 16 ? 6 : 0) : 0;
      s.gw.fill(0);
      if (s.gwFamily !== 0) for (let j = 0; j < gl; j++) s.gw[j] = chunk[b.gwOff[r] + j];
      s.ifindex = (attrs & Attr.Oif) !== 0 ? b.oif[r] : 0;
      s.weight = 1;
      s.blackhole = (attrs & Attr.Blackhole) !== 0;
      s.flags = b.flags[r] & 0xff;
      s.labels.length = 0;
      s.encap = 0;
      if ((attrs & Attr.Encap) !== 0 && b.encapType[r] === LWTUNNEL_ENCAP_MPLS) {
        const ls = b.labelStart[r];
        for (let j = 0; j < b.labelCount[r]; j++) s.labels.push((b.label[ls + j] >>> 12) & 0xfffff);
      } else if ((attrs & Attr.Encap) !== 0 && (attrs & Attr.EncapType) !== 0 && b.encapType[r] !== 0) {
        // seg6 / seg6local (SRv6) and other encaps: kept on the leg so the dataplane reports the
        // group's routes failed instead of forwarding them without the encap.
        s.encap = b.encapType[r];
        c.nhgUnsupportedEncap++;
      }
      if (n.kind !== NhgKind.Single || !n.leg.equals(s)) changed = true;
      if (changed) {
        if (n.kind === NhgKind.Group) this.unlinkMembers(n);
        else this.indexIfindex(n, n.leg.ifindex, false);
        n.kind = NhgKind.Single;
        n.leg.copyFrom(s);
        this.indexIfindex(n, n.leg.ifindex, true);
      }
    }
    const fdb = (attrs & Attr.Fdb) !== 0;
    const fam = b.family[r];
    const gt = (attrs & Attr.GroupType) !== 0 ? b.groupType[r] : 0;
    if (n.fdb !== fdb || n.family !== fam || n.groupType !== gt) changed = true;
    n.fdb = fdb;
    n.family = fam;
    n.groupType = gt;
    n.protocol = b.protocol[r];
    const bk = (attrs & Attr.BackupNhg) !== 0 && b.backupNhg[r] !== id ? b.backupNhg[r] : 0;
    if (bk !== n.backupId) {
      this.setBackup(n, bk);
      changed = true;
    }
    if (!n.present) this.nhgsPresent++;
    if (!n.present || n.epoch !== this.epoch) this.nhgsCur++;
    n.present = true;
    n.delPending = false;
    n.epoch = this.epoch;
    if (changed) this.nhgChanged(n);
  }

  /**
   * Whether group `id` with row r's members would nest groups: a member that is a group, or `id`
   * itself a member of a group. The kernel refuses both (net/ipv4/nexthop.c valid_group_nh:
   * "Nesting groups within groups is not supported"), zebra never sends them, and two
   * groups naming each other would hold each other in use forever (never swept).
   */
  private nestsGroups(id: number, b: BatchCols, r: number): boolean {
    const cur = this.byId.get(id);
    if (cur !== undefined && cur.parents.length > 0) return true;
    const gs = b.groupStart[r];
    const gc = b.groupCount[r];
    for (let i = 0; i < gc; i++) {
      const m = this.byId.get(b.gId[gs + i]);
      if (m !== undefined && m.present && m.kind === NhgKind.Group) return true;
    }
    return false;
  }

  private deleteNhgById(id: number): void {
    const n = this.byId.get(id);
    if (n === undefined || !n.present) {
      this.counters.nhgDelUnknown++;
      return;
    }
    if (this.inUse(n)) {
      // Refused: routes, groups or a protected group still name it (zebra deletes users first:
      // zebra_nhg.c zebra_nhg_uninstall_kernel runs once the NHE's refcount is 0). Remembered:
      // it goes when its last user does.
      this.counters.nhgDelRefused++;
      n.delPending = true;
      return;
    }
    this.removeNhg(n);
  }

  private removeNhg(n: Nhg): void {
    if (n.present) {
      this.nhgsPresent--;
      if (n.epoch === this.epoch) this.nhgsCur--;
    }
    n.present = false;
    n.delPending = false;
    if (n.kind === NhgKind.Group) this.unlinkMembers(n);
    else this.indexIfindex(n, n.leg.ifindex, false);
    n.kind = NhgKind.Single;
    this.setBackup(n, 0);
    this.nhgChanged(n);
    this.maybeFree(n);
  }

  /**
   * Content of `n` changed: bump its version (re-emitted if programmed and wanted), recompute
   * whether it can be programmed, and do the same for every group containing it and every group
   * it protects as a backup (one group change each; routes are not touched unless a group's
   * programmability flipped under them).
   */
  private nhgChanged(n: Nhg): void {
    this.propagate(n, ++this.markSeq, 0);
  }

  private propagate(n: Nhg, stamp: number, depth: number): void {
    if (n.mark === stamp || depth > 8) return;
    n.mark = stamp;
    n.version++;
    const was = n.resolved;
    n.resolved = computeResolved(n);
    if (was !== n.resolved && n.users > 0) this.rescan.push(n);
    this.queueNhg(n);
    for (const p of n.parents) this.propagate(p, stamp, depth + 1);
    for (const pid of this.backups.protectedBy(n.id)) {
      const p = this.byId.get(pid);
      if (p !== undefined) this.propagate(p, stamp, depth + 1);
    }
  }

  /** Routes/MACs whose group became (un)programmable are queued (one pass over the tables per batch). */
  private flushRescan(): void {
    if (this.rescan.length === 0) return;
    const mark = new Uint8Array(this.slots.length);
    for (const n of this.rescan) if (this.slots[n.ref] === n) mark[n.ref] = 1;
    this.rescan.length = 0;
    for (let fc = 0; fc < 3; fc++) {
      const t = this.rt[fc];
      for (let id = 0; id < t.hi; id++) {
        const g = t.tgt[id];
        if (g >= TGT_REF && mark[g - TGT_REF] === 1 && (t.flags[id] & EF.Exists) !== 0)
          this.enqueueRoute(fc, id, LANE_OF_PROTOCOL[t.proto[id]]);
      }
    }
    const m = this.macs;
    for (let id = 0; id < m.hi; id++) {
      const g = m.tgt[id];
      if (g >= TGT_REF && mark[g - TGT_REF] === 1 && (m.flags[id] & EF.Exists) !== 0) this.enqueueMac(id);
    }
  }

  // ---------------------------------------------------------------- EVPN MACs

  private growMacColumns(): void {
    const cap = this.macs.cap;
    if (this.macVni.length >= cap) return;
    const f = new Uint8Array(cap);
    f.set(this.macVtepFam);
    const v = new Uint8Array(cap * 16);
    v.set(this.macVtep);
    const n = new Uint32Array(cap);
    n.set(this.macVni);
    this.macVtepFam = f;
    this.macVtep = v;
    this.macVni = n;
  }

  private neighRow(b: BatchCols, chunk: Uint8Array, r: number): void {
    const c = this.counters;
    if (b.family[r] !== AF_BRIDGE) {
      // ARP/ND entries (EVPN neighbour suppression) are not FIB state for this dataplane.
      c.neighIgnored++;
      return;
    }
    const attrs = b.attrs[r];
    if ((attrs & Attr.LlAddr) === 0 || b.lladdrLen[r] !== 6) {
      c.neighBad++;
      return;
    }
    const m = this.macs;
    const o = b.lladdrOff[r];
    const vlan = (attrs & Attr.Vlan) !== 0 ? b.vlan[r] : 0;
    m.k[0] = b.oif[r];
    m.k[1] = ((vlan << 16) | (chunk[o] << 8) | chunk[o + 1]) >>> 0;
    m.k[2] = ((chunk[o + 2] << 24) | (chunk[o + 3] << 16) | (chunk[o + 4] << 8) | chunk[o + 5]) >>> 0;
    m.kLen = 0;
    m.kTbl = 0;
    if (b.msgType[r] !== RTM_NEWNEIGH) {
      c.neighDel++;
      const id = m.find();
      if (id < 0 || (m.flags[id] & EF.Exists) === 0) {
        c.neighDelUnknown++;
        return;
      }
      this.deleteMac(id);
      return;
    }
    let tgt: number;
    let vf: 0 | 4 | 6 = 0;
    if ((attrs & Attr.NhId) !== 0 && b.nhId[r] !== 0) tgt = this.refForId(b.nhId[r]) + TGT_REF;
    else if ((attrs & Attr.Dst) !== 0 && (b.dstAttrLen[r] === 4 || b.dstAttrLen[r] === 16)) {
      tgt = TGT_VTEP;
      vf = b.dstAttrLen[r] === 4 ? 4 : 6;
    } else {
      c.neighBad++;
      return;
    }
    c.neighNew++;
    const id = m.insert();
    if (m.cap > this.macVni.length) this.growMacColumns();
    const f = m.flags[id];
    const vni = (attrs & Attr.Vni) !== 0 ? b.vni[r] : 0;
    let same = (f & EF.Exists) !== 0 && m.tgt[id] === tgt && this.macVni[id] === vni && this.macVtepFam[id] === vf;
    if (vf !== 0) {
      const d = b.dstOff[r];
      const n = vf === 4 ? 4 : 16;
      for (let j = 0; j < 16; j++) {
        const v = j < n ? chunk[d + j] : 0;
        if (this.macVtep[id * 16 + j] !== v) {
          same = false;
          this.macVtep[id * 16 + j] = v;
        }
      }
    } else this.macVtep.fill(0, id * 16, id * 16 + 16);
    if ((f & EF.Exists) === 0) {
      this.macTotal++;
      this.use(tgt, true);
    } else if (m.tgt[id] !== tgt) {
      this.use(tgt, true);
      this.unuse(m.tgt[id], true);
    }
    const force = !same && m.prog[id] !== 0 && m.prog[id] === tgt;
    m.tgt[id] = tgt;
    m.proto[id] = b.protocol[r];
    this.macVtepFam[id] = vf;
    this.macVni[id] = vni;
    if ((f & EF.Exists) === 0 || m.epoch[id] !== this.epoch) this.macsCur++;
    m.flags[id] = f | EF.Exists | (force ? EF.Force : 0);
    m.epoch[id] = this.epoch;
    if (!same) this.enqueueMac(id);
  }

  private deleteMac(id: number): void {
    const m = this.macs;
    this.unuse(m.tgt[id], true);
    m.tgt[id] = 0;
    m.flags[id] &= ~(EF.Exists | EF.Force);
    this.macTotal--;
    if (m.epoch[id] === this.epoch) this.macsCur--;
    if (m.prog[id] !== 0) this.enqueueMac(id);
    else if ((m.flags[id] & EF.Dirty) === 0) m.remove(id);
  }

  private enqueueMac(id: number): void {
    const m = this.macs;
    if ((m.flags[id] & EF.Dirty) !== 0) return;
    m.flags[id] |= EF.Dirty;
    m.qnext[id] = NIL;
    if (this.macTail === NIL) this.macHead = id;
    else m.qnext[this.macTail] = id;
    this.macTail = id;
    this.macPending++;
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * A zebra connection opened. Nothing changes yet: the epoch starts (connectionStart) with the
   * connection's first route, nexthop or neighbour message, and the quiet period counts from it.
   */
  connectionOpen(): void {
    this.pendingStart = true;
  }

  /** Whether the open connection has started its epoch (delivered a message). */
  get connectionStarted(): boolean {
    return !this.pendingStart;
  }

  /** A zebra connection's replay starts: a new epoch; its replay refreshes what still exists. */
  connectionStart(now: number = this.now()): number {
    this.pendingStart = false;
    if (++this.epoch > 255) {
      // Epochs are compared for equality only; on wrap, age every entry to 0 so none aliases.
      for (const t of [...this.rt, this.macs]) t.epoch.fill(0);
      for (const n of this.byId.values()) n.epoch = 0;
      this.epoch = 1;
    }
    this.epochSeq++;
    // No entry carries the new epoch yet: everything zebra had is stale until refreshed.
    this.routesCur = 0;
    this.macsCur = 0;
    this.nhgsCur = 0;
    this.state = 'replaying';
    this.endedBy = null;
    this.startedAt = now;
    this.lastInputAt = now;
    this.received = 0;
    this.sweptThisConn = 0;
    return this.epochSeq;
  }

  /** The zebra connection closed. An unfinished replay sweeps nothing (the next one will). */
  connectionEnd(): void {
    this.pendingStart = false;
    if (this.state === 'replaying') this.state = 'waiting';
  }

  /** Ends a replay that has seen no input for the quiet period. Returns true when it ended now. */
  tick(now: number = this.now()): boolean {
    if (this.state !== 'replaying' || now - this.lastInputAt < this.quietMs) return false;
    this.endReplay('quiet-period', now);
    return true;
  }

  /**
   * End of replay. With zebra's end marker (NLMSG_DONE, docs/fpm-extensions.md section 2)
   * everything not refreshed is stale. Without it, stock zebra 8.4.4 does not replay non-main
   * tables (rib_tables_iter_next walks each VRF's main table only) nor EVPN remote MACs, so only
   * main-table routes, LSPs and nexthop objects are swept.
   */
  endReplay(by: ReplayEnd, now: number = this.now()): number {
    this.flushMissing();
    this.flushRescan();
    const swept = this.sweep(by === 'marker');
    this.flushRescan();
    if (this.state === 'replaying' || this.endedBy !== 'marker') {
      this.endedBy = by;
      this.endedAt = now;
    }
    this.state = 'ended';
    this.sweptThisConn += swept;
    return swept;
  }

  private sweep(full: boolean): number {
    const e = this.epoch;
    let swept = 0;
    const main = this.tableIdx.get(RT_TABLE_MAIN) ?? -1;
    for (let fc = 0; fc < 3; fc++) {
      const t = this.rt[fc];
      for (let id = 0; id < t.hi; id++) {
        if ((t.flags[id] & EF.Exists) === 0 || t.epoch[id] === e) continue;
        if (!full && fc !== FC_MPLS && t.tbl[id] !== main) continue;
        this.deleteRoute(fc, id);
        swept++;
      }
    }
    if (full) {
      const m = this.macs;
      for (let id = 0; id < m.hi; id++) {
        if ((m.flags[id] & EF.Exists) === 0 || m.epoch[id] === e) continue;
        this.deleteMac(id);
        swept++;
      }
    }
    // Nexthop objects (all replayed by zebra's NHG walk): unused stale ones go, groups before the
    // members they free. Stale ones still used (by routes this sweep keeps) stay.
    let progress = true;
    while (progress) {
      progress = false;
      for (const n of [...this.byId.values()]) {
        if (!n.present || n.epoch === e || this.inUse(n)) continue;
        this.removeNhg(n);
        swept++;
        progress = true;
      }
    }
    for (const n of this.byId.values()) if (n.present && n.epoch !== e) this.counters.sweepKeptInUse++;
    this.counters.sweeps++;
    this.counters.swept += swept;
    return swept;
  }

  // ---------------------------------------------------------------- ChangeSource

  /** ChangeSource.nhgStale: present, and not (re)announced in the current epoch. */
  nhgStale(id: number): boolean {
    const n = this.byId.get(id);
    return n !== undefined && n.present && n.epoch !== this.epoch;
  }

  next(): ChangeKind {
    // 1. Groups: Sets before any route/MAC can name them; Dels once nothing programmed uses them.
    while (this.nqHead < this.nq.length) {
      const n = this.nq[this.nqHead++];
      if (this.nqHead > 1024 && this.nqHead * 2 > this.nq.length) {
        this.nq = this.nq.slice(this.nqHead);
        this.nqHead = 0;
      }
      n.queued = false;
      if (n.wanted) {
        if (!n.programmed || n.progVersion !== n.version) {
          n.programmed = true;
          n.progVersion = n.version;
          this.fillNhg(n, Op.Set);
          this.counters.changesNhg++;
          return ChangeKind.Nhg;
        }
      } else if (n.programmed && n.progUsers === 0) {
        n.programmed = false;
        this.fillNhg(n, Op.Del);
        this.maybeFree(n);
        this.counters.changesNhg++;
        return ChangeKind.Nhg;
      }
      this.maybeFree(n);
    }
    // 2. MACs.
    const m = this.macs;
    while (this.macHead !== NIL) {
      const id = this.macHead;
      this.macHead = m.qnext[id];
      if (this.macHead === NIL) this.macTail = NIL;
      this.macPending--;
      const f = m.flags[id];
      m.flags[id] = f & ~EF.Dirty;
      const desired = (f & EF.Exists) !== 0 ? this.desired(m.tgt[id]) : 0;
      const prog = m.prog[id];
      if (desired === prog && (desired === 0 || (f & EF.Force) === 0)) {
        if ((f & EF.Exists) === 0 && prog === 0) m.remove(id);
        continue;
      }
      this.fillMac(id, desired !== 0 ? Op.Set : Op.Del, desired !== 0 ? desired : prog);
      this.reprogram(prog, desired);
      m.prog[id] = desired;
      m.flags[id] &= ~EF.Force;
      if (desired === 0 && (f & EF.Exists) === 0) m.remove(id);
      this.counters.changesMac++;
      return ChangeKind.Mac;
    }
    // 3. Routes, lane by lane.
    for (let lane = 0; lane < LANES; lane++) {
      while (this.laneHead[lane] !== NIL) {
        const h = this.laneHead[lane];
        const fc = h >>> 30;
        const id = h & 0x3fffffff;
        const t = this.rt[fc];
        this.laneHead[lane] = t.qnext[id];
        if (this.laneHead[lane] === NIL) this.laneTail[lane] = NIL;
        this.laneCount[lane]--;
        const f = t.flags[id];
        t.flags[id] = f & ~EF.Dirty;
        const desired = (f & EF.Exists) !== 0 ? this.desired(t.tgt[id]) : 0;
        const prog = t.prog[id];
        if (desired === prog && (desired === 0 || (f & EF.Force) === 0)) {
          if ((f & EF.Exists) === 0 && prog === 0) this.release(t, id);
          continue;
        }
        const held = (t.flags[id] & EF.Installed) !== 0;
        if (desired === 0 && held) {
          t.flags[id] &= ~EF.Installed;
          this.installed--;
        }
        this.fillRoute(fc, id, desired !== 0 ? Op.Set : Op.Del, desired !== 0 ? desired : prog, lane);
        // Forced (a re-install asked for): never "already there".
        this.route.prevNhgId = held && prog >= TGT_REF && (f & EF.Force) === 0 ? this.slots[prog - TGT_REF]!.id : 0;
        this.reprogram(prog, desired);
        t.prog[id] = desired;
        t.flags[id] &= ~EF.Force;
        if (desired === 0 && (f & EF.Exists) === 0) this.release(t, id);
        this.counters.changesRoute++;
        return ChangeKind.Route;
      }
    }
    return ChangeKind.None;
  }

  /** What the dataplane should have for a target: itself, or nothing while its group is parked. */
  private desired(tgt: number): number {
    if (tgt < TGT_REF) return tgt;
    if (tgt >= TGT_MISSING) return 0;
    const n = this.slots[tgt - TGT_REF]!;
    return n.present && n.resolved ? tgt : 0;
  }

  /** Moves one programmed user from group `from` to group `to` (targets, 0/special = none). */
  private reprogram(from: number, to: number): void {
    if (to >= TGT_REF) this.slots[to - TGT_REF]!.progUsers++;
    if (from >= TGT_REF) {
      const o = this.slots[from - TGT_REF]!;
      o.progUsers--;
      if (o.progUsers === 0 && !o.wanted) {
        if (o.programmed) this.queueNhg(o);
        else this.maybeFree(o);
      }
    }
  }

  depth(): number[] {
    return [this.nq.length - this.nqHead + this.macPending + this.laneCount[0], this.laneCount[1], this.laneCount[2]];
  }

  /** Pending changes, all lanes. */
  pending(): number {
    return this.nq.length - this.nqHead + this.macPending + this.laneCount[0] + this.laneCount[1] + this.laneCount[2];
  }

  routeResult(handle: number, ok: boolean, error?: string): void {
    const c = this.counters;
    const fc = handle >>> 30;
    const t = fc === FC_MAC ? this.macs : this.rt[fc];
    const id = t.live(handle);
    if (id < 0) {
      c.resultsStale++;
      return;
    }
    const f = t.flags[id];
    if (ok) {
      c.resultsOk++;
      if (fc !== FC_MAC && (f & (EF.Exists | EF.Installed)) === EF.Exists) {
        t.flags[id] |= EF.Installed;
        this.installed++;
      }
      if ((f & EF.Failed) !== 0) {
        t.flags[id] = f & ~EF.Failed;
        if (fc !== FC_MAC) this.failedRoutes--;
      }
      return;
    }
    c.resultsFailed++;
    if ((f & EF.Failed) === 0) {
      t.flags[id] = f | EF.Failed;
      if (fc !== FC_MAC) this.failedRoutes++;
    }
    this.lastError = { error: error ?? 'failed', route: fc === FC_MAC ? null : this.routeKeyOf(fc, id) };
  }

  private pushPath(arr: PathView[], pool: PathView[], l: Leg, w: number): void {
    const i = arr.length;
    if (i === pool.length) pool.push(newPathView());
    const p = pool[i];
    p.gwFamily = l.gwFamily;
    p.gw.set(l.gw);
    p.ifindex = l.ifindex;
    p.weight = w;
    p.labels.length = 0;
    for (let j = 0; j < l.labels.length; j++) p.labels.push(l.labels[j]);
    p.blackhole = l.blackhole;
    p.encap = l.encap;
    arr.push(p);
  }

  private fillNhg(n: Nhg, op: Op): void {
    const v = this.nhg;
    v.op = op;
    v.id = n.id;
    v.fdb = n.fdb;
    v.primary.length = 0;
    v.backup.length = 0;
    if (op === Op.Set) {
      flatten(n, 1, this.pushPrimary);
      const bk = n.backupId !== 0 ? this.byId.get(n.backupId) : undefined;
      if (bk !== undefined && bk.present && bk.resolved) flatten(bk, 1, this.pushBackup);
    }
    v.family = this.familyOf(n);
  }

  private familyOf(n: Nhg, depth = 0): number {
    if (n.fdb) return AF_BRIDGE;
    if (n.kind === NhgKind.Single) {
      if (n.leg.gwFamily === 4) return AF_INET;
      if (n.leg.gwFamily === 6) return AF_INET6;
      return n.family === AF_INET6 ? AF_INET6 : AF_INET;
    }
    if (n.kind === NhgKind.Implicit) {
      for (const l of n.legs) if (l.gwFamily !== 0) return l.gwFamily === 4 ? AF_INET : AF_INET6;
      return n.routeFamily === AF_INET6 ? AF_INET6 : AF_INET;
    }
    if (n.members.length > 0 && depth < 4) return this.familyOf(n.members[0], depth + 1);
    return n.family === AF_INET6 ? AF_INET6 : AF_INET;
  }

  /** `lane`: the lane the change was queued in (a key changing protocol while queued keeps its place). */
  private fillRoute(fc: number, id: number, op: Op, tgt: number, lane: number): void {
    const t = this.rt[fc];
    const v = this.route;
    v.op = op;
    v.family = FC_FAMILY[fc];
    v.len = t.len[id];
    v.protocol = t.proto[id];
    v.lane = lane as Lane;
    v.handle = t.handle(fc, id);
    v.prevNhgId = 0;
    if (tgt >= TGT_REF) {
      v.target = Target.Nhg;
      v.nhgId = this.slots[tgt - TGT_REF]!.id;
    } else {
      v.target = tgt as Target;
      v.nhgId = 0;
    }
    this.keyBytes(fc, id, v.addr);
    if (fc === FC_MPLS) {
      v.table = 0;
      v.label = t.key[id];
    } else {
      v.table = this.tableIds[t.tbl[id]];
      v.label = 0;
    }
  }

  private keyBytes(fc: number, id: number, out: Uint8Array): void {
    const t = this.rt[fc];
    out.fill(0);
    if (fc === FC_MPLS) return;
    const w = t.words;
    for (let j = 0; j < w; j++) {
      const x = t.key[id * w + j];
      out[4 * j] = x >>> 24;
      out[4 * j + 1] = (x >>> 16) & 0xff;
      out[4 * j + 2] = (x >>> 8) & 0xff;
      out[4 * j + 3] = x & 0xff;
    }
  }

  private fillMac(id: number, op: Op, tgt: number): void {
    const m = this.macs;
    const v = this.mac;
    v.op = op;
    v.ifindex = m.key[id * 3];
    const k1 = m.key[id * 3 + 1];
    const k2 = m.key[id * 3 + 2];
    v.vlan = k1 >>> 16;
    v.mac[0] = (k1 >>> 8) & 0xff;
    v.mac[1] = k1 & 0xff;
    v.mac[2] = k2 >>> 24;
    v.mac[3] = (k2 >>> 16) & 0xff;
    v.mac[4] = (k2 >>> 8) & 0xff;
    v.mac[5] = k2 & 0xff;
    v.vni = this.macVni[id];
    v.handle = m.handle(FC_MAC, id);
    if (tgt >= TGT_REF) {
      v.nhgId = this.slots[tgt - TGT_REF]!.id;
      v.vtepFamily = 0;
      v.vtep.fill(0);
    } else {
      v.nhgId = 0;
      v.vtepFamily = this.macVtepFam[id] as 0 | 4 | 6;
      v.vtep.set(this.macVtep.subarray(id * 16, id * 16 + 16));
    }
  }

  // ---------------------------------------------------------------- interfaces, backups

  /**
   * zebra ids (and implicit ids) of every group whose forwarding legs use `ifindex`: the singletons
   * naming it, the groups containing those, and the groups they protect as backups.
   */
  groupsUsingIfindex(ifindex: number): number[] {
    const out: Nhg[] = [];
    const stamp = ++this.markSeq;
    const visit = (n: Nhg, depth: number): void => {
      if (n.mark === stamp || depth > 8) return;
      n.mark = stamp;
      out.push(n);
      for (const p of n.parents) visit(p, depth + 1);
      for (const pid of this.backups.protectedBy(n.id)) {
        const p = this.byId.get(pid);
        if (p !== undefined) visit(p, depth + 1);
      }
    };
    const s = this.byIfindex.get(ifindex);
    if (s !== undefined) for (const n of s) if (n.present) visit(n, 0);
    return out.map((n) => n.id).sort((a, b) => a - b);
  }

  /**
   * Queues a Set again for every programmed group using `ifindex` (the dataplane learnt or changed
   * its mapping of that interface). Returns how many were queued.
   */
  reemitIfindex(ifindex: number): number {
    let k = 0;
    for (const id of this.groupsUsingIfindex(ifindex)) {
      const n = id >= IMPLICIT_BASE ? this.implicitById.get(id) : this.byId.get(id);
      if (n === undefined || !n.programmed || !n.wanted) continue;
      n.version++;
      this.queueNhg(n);
      k++;
    }
    return k;
  }

  /**
   * Queues a Set again for every programmed route using group `nhgId` (for a dataplane that
   * programs paths per route instead of through a shared group). Returns how many were queued.
   */
  reemitRoutesUsing(nhgId: number): number {
    const n = nhgId >= IMPLICIT_BASE ? this.implicitById.get(nhgId) : this.byId.get(nhgId);
    if (n === undefined) return 0;
    const tgt = n.ref + TGT_REF;
    let k = 0;
    for (let fc = 0; fc < 3; fc++) {
      const t = this.rt[fc];
      for (let id = 0; id < t.hi; id++) {
        if (t.prog[id] !== tgt || (t.flags[id] & EF.Exists) === 0) continue;
        t.flags[id] |= EF.Force;
        this.enqueueRoute(fc, id, LANE_OF_PROTOCOL[t.proto[id]]);
        k++;
      }
    }
    return k;
  }

  /**
   * The dataplane lost its state (VPP restarted): forget what was handed out and queue a Set for
   * everything programmable, groups first (the queue order), then MACs and routes by lane.
   * Pending deletes of things the dataplane no longer has are dropped. Returns how many entries
   * were queued.
   */
  replayAll(): number {
    let k = 0;
    for (const n of [...this.byId.values(), ...this.implicitById.values()]) {
      n.programmed = false;
      n.progVersion = -1;
      n.progUsers = 0;
    }
    for (const n of [...this.byId.values(), ...this.implicitById.values()]) {
      if (n.wanted) {
        this.queueNhg(n);
        k++;
      } else this.maybeFree(n);
    }
    for (let fc = 0; fc < 3; fc++) {
      const t = this.rt[fc];
      for (let id = 0; id < t.hi; id++) {
        const f = t.flags[id];
        if ((f & EF.InUse) === 0) continue;
        t.prog[id] = 0;
        t.flags[id] = f & ~EF.Force;
        if ((f & EF.Exists) === 0) {
          if ((f & EF.Dirty) === 0) this.release(t, id);
          continue;
        }
        if (this.desired(t.tgt[id]) === 0) continue;
        this.enqueueRoute(fc, id, LANE_OF_PROTOCOL[t.proto[id]]);
        k++;
      }
    }
    const m = this.macs;
    for (let id = 0; id < m.hi; id++) {
      const f = m.flags[id];
      if ((f & EF.InUse) === 0) continue;
      m.prog[id] = 0;
      m.flags[id] = f & ~EF.Force;
      if ((f & EF.Exists) === 0) {
        if ((f & EF.Dirty) === 0) m.remove(id);
        continue;
      }
      if (this.desired(m.tgt[id]) === 0) continue;
      this.enqueueMac(id);
      k++;
    }
    return k;
  }

  /** Link state of an interface as the dataplane sees it (status of backup protection). */
  setLinkState(ifindex: number, up: boolean): void {
    this.backups.setLinkState(ifindex, up);
  }

  /** Failover state of group `id`: its backup, whether the primary or the backup set forwards. */
  protection(id: number): ProtectionInfo | undefined {
    const n = this.byId.get(id);
    if (n === undefined || !n.present) return undefined;
    const prim = this.legsOf(n);
    const bk = n.backupId !== 0 ? this.byId.get(n.backupId) : undefined;
    const back = bk !== undefined && bk.present && bk.resolved ? this.legsOf(bk) : null;
    return this.backups.protection(id, prim, back);
  }

  private legsOf(n: Nhg): { ifindex: number; blackhole: boolean; flags: number }[] {
    const out: { ifindex: number; blackhole: boolean; flags: number }[] = [];
    flatten(n, 1, (l) => out.push({ ifindex: l.ifindex, blackhole: l.blackhole, flags: l.flags }));
    return out;
  }

  // ---------------------------------------------------------------- queries (status, tests)

  counts(): StoreCounts {
    const byTable: Record<string, number> = {};
    for (let ix = 0; ix < this.tableIds.length; ix++)
      for (let fc = 0; fc < 3; fc++) {
        const n = this.routeCounts[ix * 3 + fc];
        if (n !== 0) byTable[`${FAMILY_NAME[fc]}:${this.tableIds[ix]}`] = n;
      }
    let nhgs = 0;
    for (const n of this.byId.values()) if (n.present) nhgs++;
    return {
      routes: this.routeTotal,
      byTable,
      nhgs,
      implicitNhgs: this.implicitById.size,
      macs: this.macTotal,
      parked: this.parked(),
      epoch: this.epochSeq,
      depth: this.depth(),
      failedRoutes: this.failedRoutes,
    };
  }

  parked(): ParkedStatus {
    const p: ParkedStatus = {
      routesNhgMissing: 0,
      routesNhgIncomplete: 0,
      macsNhgMissing: 0,
      macsNhgIncomplete: 0,
      groupsMemberMissing: 0,
      backupMissing: 0,
      missingIds: [],
    };
    for (const n of this.byId.values()) {
      if (!n.present) {
        if (n.users > 0 || n.parents.length > 0) if (p.missingIds.length < 32) p.missingIds.push(n.id);
        p.routesNhgMissing += n.users - n.macUsers;
        p.macsNhgMissing += n.macUsers;
        continue;
      }
      if (!n.resolved) {
        p.groupsMemberMissing++;
        p.routesNhgIncomplete += n.users - n.macUsers;
        p.macsNhgIncomplete += n.macUsers;
      }
      if (n.backupId !== 0) {
        const b = this.byId.get(n.backupId);
        if (b === undefined || !b.present) p.backupMissing++;
      }
    }
    // Routes naming ids never sent are kept compactly (missing.ts), not as placeholder objects.
    p.routesNhgMissing += this.missing.totalUsers;
    if (p.missingIds.length < 32) p.missingIds.push(...this.missing.someIds(32 - p.missingIds.length));
    p.missingIds.sort((a, b) => a - b);
    return p;
  }

  replayStatus(now: number = this.now()): ReplayStatus {
    // Counters kept as entries are added, refreshed, swept and deleted and reset by
    // connectionStart: a status poll walks nothing, whatever the table size.
    const refreshed = { routes: this.routesCur, nhgs: this.nhgsCur, macs: this.macsCur };
    const stale = { routes: this.routeTotal - this.routesCur, nhgs: this.nhgsPresent - this.nhgsCur, macs: this.macTotal - this.macsCur };
    return {
      state: this.state,
      endedBy: this.endedBy,
      epoch: this.epochSeq,
      received: this.received,
      refreshed,
      stale,
      swept: this.sweptThisConn,
      durationMs: this.state === 'ended' ? this.endedAt - this.startedAt : null,
    };
  }

  /** The last failure the dataplane reported, with the route it was for. */
  lastFailure(): { error: string; route: RouteKey | null } | null {
    return this.lastError;
  }

  /** Bytes held by the route/MAC tables (typed arrays; excludes group objects). */
  tableBytes(): number {
    return this.rt.reduce((s, t) => s + t.bytes(), 0) + this.macs.bytes() + this.macVtep.byteLength + this.macVni.byteLength * 2;
  }

  /**
   * The handle of the route zebra has under this key, or -1 when it has none (withdrawn, or never
   * sent). Allocation-free: offload feedback resolves every result through it.
   */
  routeHandle(family: number, table: number, addr: Uint8Array, len: number): number {
    const fc = family === AF_INET ? FC_V4 : family === AF_INET6 ? FC_V6 : -1;
    if (fc < 0) return -1;
    const ix = this.tableIdx.get(table);
    if (ix === undefined) return -1;
    const t = this.rt[fc];
    const words = t.words;
    for (let w = 0; w < words; w++) {
      const a = ((addr[4 * w] << 24) | (addr[4 * w + 1] << 16) | (addr[4 * w + 2] << 8) | addr[4 * w + 3]) >>> 0;
      const bits = len - 32 * w;
      t.k[w] = bits <= 0 ? 0 : bits >= 32 ? a : (a & (0xffffffff << (32 - bits))) >>> 0;
    }
    t.kLen = len;
    t.kTbl = ix;
    const id = t.find();
    if (id < 0 || (t.flags[id] & EF.Exists) === 0) return -1;
    return t.handle(fc, id);
  }

  /** The route a handle stands for (the daemon's offload feedback), or null when it is gone. */
  routeKeyFor(handle: number, out?: RouteKey): RouteKey | null {
    const fc = handle >>> 30;
    if (fc === FC_MAC) return null;
    const id = this.rt[fc].live(handle);
    if (id < 0) return null;
    if (out === undefined) return this.routeKeyOf(fc, id);
    // Filled in place (`out.addr` holds 16 bytes): feedback reads one key per notification sent.
    const t = this.rt[fc];
    out.family = FC_FAMILY[fc];
    out.table = fc === FC_MPLS ? 0 : this.tableIds[t.tbl[id]];
    out.len = t.len[id];
    out.label = fc === FC_MPLS ? t.key[id] : 0;
    out.protocol = t.proto[id];
    this.keyBytes(fc, id, out.addr);
    return out;
  }

  private routeKeyOf(fc: number, id: number): RouteKey {
    const t = this.rt[fc];
    return {
      family: FC_FAMILY[fc],
      table: fc === FC_MPLS ? 0 : this.tableIds[t.tbl[id]],
      addr: this.addrOf(fc, id),
      len: t.len[id],
      label: fc === FC_MPLS ? t.key[id] : 0,
      protocol: t.proto[id],
    };
  }

  private addrOf(fc: number, id: number): Uint8Array {
    const t = this.rt[fc];
    const words = fc === FC_MPLS ? 0 : t.words;
    const addr = new Uint8Array(4 * words);
    for (let j = 0; j < words; j++) {
      const x = t.key[id * words + j];
      addr[4 * j] = x >>> 24;
      addr[4 * j + 1] = (x >>> 16) & 0xff;
      addr[4 * j + 2] = (x >>> 8) & 0xff;
      addr[4 * j + 3] = x & 0xff;
    }
    return addr;
  }

  private routeInfo(fc: number, id: number): RouteInfo {
    const t = this.rt[fc];
    const g = t.tgt[id];
    const protocol = t.proto[id];
    // Parked on an id zebra has not sent, or refused past the parking bound (no target): no slot.
    const missing = g >= TGT_MISSING || g === 0;
    const n = !missing && g >= TGT_REF ? this.slots[g - TGT_REF]! : null;
    return {
      family: FC_FAMILY[fc],
      table: fc === FC_MPLS ? 0 : this.tableIds[t.tbl[id]],
      addr: this.addrOf(fc, id),
      len: t.len[id],
      label: fc === FC_MPLS ? t.key[id] : 0,
      protocol,
      lane: LANE_OF_PROTOCOL[protocol] as Lane,
      target: missing || n !== null ? Target.Nhg : (g as Target),
      nhgId: missing ? (g === 0 ? 0 : this.missing.ids[g - TGT_MISSING]) : n !== null ? n.id : 0,
      parked: missing || (n !== null && !(n.present && n.resolved)),
      programmed: !missing && t.prog[id] === g && (t.flags[id] & (EF.Dirty | EF.Force)) === 0 && t.prog[id] !== 0,
      failed: (t.flags[id] & EF.Failed) !== 0,
      handle: t.handle(fc, id),
    };
  }


  /** Every route zebra currently has (parked ones included), in no particular order. */
  *routes(): IterableIterator<RouteInfo> {
    for (let fc = 0; fc < 3; fc++) {
      const t = this.rt[fc];
      for (let id = 0; id < t.hi; id++) if ((t.flags[id] & EF.Exists) !== 0) yield this.routeInfo(fc, id);
    }
  }

  /** One route with its group's resolved legs, or undefined. AF_MPLS: addr is ignored, len = label. */
  lookup(family: number, table: number, addr: Uint8Array | null, len: number): RouteLookup | undefined {
    let fc: number;
    if (family === AF_INET) fc = FC_V4;
    else if (family === AF_INET6) fc = FC_V6;
    else if (family === AF_MPLS) fc = FC_MPLS;
    else return undefined;
    const t = this.rt[fc];
    if (fc === FC_MPLS) {
      t.k[0] = len;
      t.kLen = 20;
      const ix = this.tableIdx.get(0);
      if (ix === undefined) return undefined;
      t.kTbl = ix;
    } else {
      const ix = this.tableIdx.get(table);
      if (ix === undefined || addr === null) return undefined;
      const words = t.words;
      for (let w = 0; w < words; w++) {
        const a = ((addr[4 * w] << 24) | (addr[4 * w + 1] << 16) | (addr[4 * w + 2] << 8) | addr[4 * w + 3]) >>> 0;
        const bits = len - 32 * w;
        t.k[w] = bits <= 0 ? 0 : bits >= 32 ? a : (a & (0xffffffff << (32 - bits))) >>> 0;
      }
      t.kLen = len;
      t.kTbl = ix;
    }
    const id = t.find();
    if (id < 0 || (t.flags[id] & EF.Exists) === 0) return undefined;
    const info = this.routeInfo(fc, id) as RouteLookup;
    const primary: PathInfo[] = [];
    const backup: PathInfo[] = [];
    const g = t.tgt[id];
    if (g >= TGT_REF && g < TGT_MISSING && !info.parked) {
      const n = this.slots[g - TGT_REF]!;
      flatten(n, 1, (l, w) => primary.push(pathInfo(l, w)));
      const bk = n.backupId !== 0 ? this.byId.get(n.backupId) : undefined;
      if (bk !== undefined && bk.present && bk.resolved) flatten(bk, 1, (l, w) => backup.push(pathInfo(l, w)));
    }
    info.primary = primary;
    info.backup = backup;
    return info;
  }

  private nhgInfo(n: Nhg): NhgInfo {
    const primary: PathInfo[] = [];
    const backup: PathInfo[] = [];
    flatten(n, 1, (l, w) => primary.push(pathInfo(l, w)));
    const bk = n.backupId !== 0 ? this.byId.get(n.backupId) : undefined;
    if (bk !== undefined && bk.present && bk.resolved) flatten(bk, 1, (l, w) => backup.push(pathInfo(l, w)));
    return {
      id: n.id,
      present: n.present,
      kind: n.kind === NhgKind.Single ? 'single' : n.kind === NhgKind.Group ? 'group' : 'implicit',
      family: this.familyOf(n),
      fdb: n.fdb,
      members: n.members.map((m, i) => ({ id: m.id, weight: n.weights[i] })),
      primary,
      backup,
      backupId: n.backupId,
      users: n.users,
      resolved: n.present && n.resolved,
      programmed: n.programmed,
      epoch: n.epoch,
    };
  }

  /** A nexthop object by zebra id (or implicit id), present or placeholder. */
  nhgById(id: number): NhgInfo | undefined {
    const n = id >= IMPLICIT_BASE ? this.implicitById.get(id) : this.byId.get(id);
    if (n === undefined && id < IMPLICIT_BASE) {
      const slot = this.missing.find(id);
      if (slot < 0) return undefined;
      // An id only routes name: a placeholder without content.
      return {
        id, present: false, kind: 'single', family: AF_INET, fdb: false, members: [], primary: [], backup: [], backupId: 0,
        users: this.missing.users[slot], resolved: false, programmed: false, epoch: 0,
      };
    }
    return n === undefined ? undefined : this.nhgInfo(n);
  }

  /** Every nexthop object zebra has sent and not deleted (implicit groups with `implicit`). */
  *nhgs(implicit = false): IterableIterator<NhgInfo> {
    for (const n of this.byId.values()) if (n.present) yield this.nhgInfo(n);
    if (implicit) for (const n of this.implicitById.values()) yield this.nhgInfo(n);
  }

  *macEntries(): IterableIterator<MacInfo> {
    const m = this.macs;
    for (let id = 0; id < m.hi; id++) {
      if ((m.flags[id] & EF.Exists) === 0) continue;
      const k1 = m.key[id * 3 + 1];
      const k2 = m.key[id * 3 + 2];
      const g = m.tgt[id];
      const n = g >= TGT_REF && g < TGT_MISSING ? this.slots[g - TGT_REF]! : null;
      const vf = this.macVtepFam[id] as 0 | 4 | 6;
      yield {
        ifindex: m.key[id * 3],
        vlan: k1 >>> 16,
        mac: Uint8Array.of((k1 >>> 8) & 0xff, k1 & 0xff, k2 >>> 24, (k2 >>> 16) & 0xff, (k2 >>> 8) & 0xff, k2 & 0xff),
        vtepFamily: n !== null ? 0 : vf,
        vtep: n !== null ? new Uint8Array(0) : this.macVtep.slice(id * 16, id * 16 + (vf === 4 ? 4 : 16)),
        nhgId: n !== null ? n.id : 0,
        vni: this.macVni[id],
        parked: n !== null && !(n.present && n.resolved),
        programmed: m.prog[id] !== 0,
      };
    }
  }

  /** Named counters for status/metrics. */
  counterValues(): Record<string, number> {
    return { ...this.counters };
  }
}

// The VPP programmer: drains the FIB store's ChangeSource into batched, pipelined VPP API calls and reports every route's result.
//
// Mapping (docs/vpp.md; VPP facts from docs/vpp-api.md and vnet/fib/fib_api.c):
// - Tables: netlink table 254 -> VPP 0 by default, others through a configurable map (identity
//   when unmapped). Every non-zero VPP table is created (ip_table_add_del) before its first route;
//   the MPLS table 0 too (mpls_table_add_del) before the first LSP. VPP handles messages in order,
//   so the create travels in the same batch just ahead of the route.
// - PIC mode (default): every nexthop group becomes one host route (/32 or /128) in a private
//   table per family; its primary legs at preference 0, backup legs at preference 1. Routes get
//   one recursive path: sw_if_index ~0, table_id = the private table, RESOLVE_VIA_HOST, next hop
//   = the group's host address. Changing a group is one call; VPP's back-walk moves every route.
// - Inline mode: each route carries its group's paths (the group's encoded paths are copied in).
// - Blackhole / unreachable / prohibit: one DROP / ICMP_UNREACH / ICMP_PROHIBIT path.
// - LSPs: mpls_route_add_del, non-EOS and EOS entries, with the group's legs (out-labels on the
//   path; an empty label stack becomes implicit-null 3, i.e. pop).
// - A leg whose Linux interface has no sw_if_index parks its group (nothing guessed); routes of a
//   parked group are held and reported failed; a mapping that appears later releases them.
// - A failed call is retried with backoff a bounded number of times, never ahead of a newer change
//   for the same key, and never holding up the queue. Then it is reported failed (zebra gets
//   RTM_F_OFFLOAD_FAILED) and still retried every retryMaxMs until it succeeds or a newer change
//   replaces it: a dataplane that refused for a while must end up with zebra's FIB all the same.
// - A new VPP (restart) gets the tables, groups and routes again (ChangeSource.replayAll).
import { EventEmitter } from 'events';
import {
  AF_INET,
  AF_INET6,
  AF_MPLS,
  ChangeKind,
  ChangeSource,
  Family,
  Lane,
  MacView,
  NhgView,
  Op,
  PathView,
  RouteView,
  Target,
} from '../dplane/types';
import { ConnectInfo, ReplySink, VppClient } from './client';
import {
  encodePaths,
  FibPath,
  MAX_LABELS,
  MAX_PATHS,
  NhProto,
  NO_SW_IF_INDEX,
  PathFlags,
  PathType,
  RouteDetailsView,
} from './codec';
import { InterfaceMap, LcpPair, loadInterfaceMap } from './ifmap';
import { EvpnOptions, EvpnProgrammer } from './evpn';
import { scaleWeights } from './weights';
import { retvalName, RV, VppApiError } from './errors';
import { digestEncoded, PathDigest } from './pathdigest';

/** How routes reach their nexthop group's paths: one recursive path to the group's host route (PIC), or the paths themselves (inline). */
export type ProgrammingMode = 'pic' | 'inline';

/** Default id of the private PIC tables (one IPv4, one IPv6; VPP table ids are per protocol). */
export const DEFAULT_PIC_TABLE = 1_000_000_000;

/**
 * IPv6 PIC host addresses: fd66:6962:7075:7368::<id>/128 (a ULA whose 64-bit prefix spells
 * "fibpush"), the low 32 bits the group id. IPv4 host addresses are the group id itself.
 */
export const PIC6_PREFIX = Uint8Array.of(0xfd, 0x66, 0x69, 0x62, 0x70, 0x75, 0x73, 0x68, 0, 0, 0, 0);

/**
 * Reply bytes kick() takes in at most per call: ~2,000 ip_route_add_del replies (30 bytes each
 * with the header), twice a window of 1,000, so one call can free the whole window.
 */
const POLL_SLICE_BYTES = 64 * 1024;

/**
 * A leg with an interface and no gateway (a connected or interface route). It cannot sit behind a
 * PIC host route: VPP turns an attached path on a host prefix into a neighbour adjacency for the
 * prefix's own address (vnet/fib/fib_table.c fib_table_route_path_fixup), so routes recursive via
 * it would ARP for the synthetic host address instead of their destination. Such groups are
 * programmed inline: each route carries the attached path and VPP gleans for its destination.
 */
function attachedLeg(l: Leg): boolean {
  return !l.blackhole && l.gwFamily === 0 && l.ifindex !== 0;
}

const ZERO16 = new Uint8Array(16);

/** What a group forwards to, as a map key: its host family and its encoded paths (legs, weights, labels, backups). */
function contentKey(hostFam: 4 | 6, paths: Uint8Array): string {
  return `${hostFam}|${Buffer.from(paths.buffer, paths.byteOffset, paths.byteLength).toString('latin1')}`;
}

/** selectPaths(): the route names a group the programmer does not have. */
const SEL_UNKNOWN = 1;

/** MPLS_IETF_IMPLICIT_NULL_LABEL: as an out-label, VPP pops (vnet/fib/fib_path_ext.c). */
export const IMPLICIT_NULL = 3;

export interface ProgrammerOptions {
  mode?: ProgrammingMode;
  /** Netlink table -> VPP table id. 254 -> 0 unless given; unmapped tables keep their id. */
  tableMap?: ReadonlyMap<number, number> | Readonly<Record<string, number>>;
  /** Private PIC table id for IPv4 host routes (created at start). */
  picTable4?: number;
  picTable6?: number;
  /** Static Linux ifindex -> sw_if_index map (wins over linux-cp). */
  interfaceMap?: ReadonlyMap<number, number>;
  /** File with the static map (ifindex=sw_if_index lines or JSON; see docs/vpp.md). */
  interfaceMapFile?: string;
  /** Read linux-cp pairs over the API when VPP has the plugin (default true). */
  linuxCp?: boolean;
  /** Re-read linux-cp pairs this often (ms; 0 = only at connect and on interface events). */
  lcpRefreshMs?: number;
  /** Retries of a failed call before it is reported failed (default 4); it is retried every retryMaxMs after that. */
  maxRetries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Called for each route result while `route` holds that route (offload feedback). */
  onRouteResult?: (route: RouteView, ok: boolean, error?: string) => void;
  evpn?: EvpnOptions;
}

export interface ProgrammerCounters {
  routesOk: number;
  routesFailed: number;
  routeRetries: number;
  /** Routes held back because their group is parked (cumulative). */
  routesHeld: number;
  routesDeleted: number;
  nhgCalls: number;
  nhgsFailed: number;
  /** Groups refused because they have more than 255 legs (VPP's n_paths is a u8); their routes are reported failed. */
  nhgsTooManyPaths: number;
  /** Groups refused because a leg carries an SRv6 (seg6/seg6local) or other non-MPLS encap; routes reported failed. */
  nhgsUnsupportedEncap: number;
  nhgsParkedEvents: number;
  nhgsReleased: number;
  tableCalls: number;
  tableErrors: number;
  lspCalls: number;
  macsUnprogrammed: number;
  resyncs: number;
  connects: number;
  supersededRetries: number;
  /** Calls retried after being reported failed (every retryMaxMs until they succeed). */
  lateRetries: number;
  inlineStale: number;
  /** PIC groups whose new content was written into their own object (one call, no route moved). */
  nhgInPlace: number;
  /** Route Sets acknowledged without a write: the group they move to forwards like the one VPP has. */
  rewritesAvoided: number;
  /** Host routes withdrawn because no group maps onto them any more. */
  objectsWithdrawn: number;
}

export interface VppProgrammerStatus {
  kind: 'vpp';
  socket: string;
  connected: boolean;
  mode: ProgrammingMode;
  inFlight: number;
  routes: number;
  nhgs: number;
  /** PIC objects: host routes in VPP, one per distinct content. */
  nhgObjects: number;
  nhgsParked: number;
  failures: number;
  lastError: string | null;
  retriesPending: number;
  /** Routes and groups reported failed, still retried every retryMaxMs. */
  retriesAfterFailure: number;
  interfaces: number;
  counters: Record<string, number>;
}

// Slot kinds (what an in-flight call was for).
const K_ROUTE = 1;
const K_LSP = 2; // the EOS entry: carries the result
const K_LSP_AUX = 3; // the non-EOS entry
const K_NHG = 4;
const K_NHG_DEL = 5;
const K_TABLE = 6;

interface Leg {
  gwFamily: 0 | 4 | 6;
  gw: Uint8Array;
  ifindex: number;
  weight: number;
  labels: number[];
  blackhole: boolean;
  /** Non-MPLS lwtunnel encap type (PathView.encap), 0 = none. */
  encap: number;
}

interface NhgState {
  id: number;
  family: number;
  fdb: boolean;
  primary: Leg[];
  backup: Leg[];
  /** 4 or 6: the private table family of the host route. */
  hostFam: 4 | 6;
  /** The VPP object (PIC host route) this id maps onto; null while inline, parked or unbuilt. */
  obj: NhgObject | null;
  /** What the group forwards to: hostFam + encoded paths (contentKey()); '' until built. */
  key: string;
  /** Unmapped ifindexes: non-empty = parked. */
  missing: number[];
  /** Encoded paths (primary pref 0, backup pref 1) for the host route / inline routes. */
  paths: Uint8Array | null;
  nPaths: number;
  /** Encoded paths for LSPs (empty label stacks -> implicit null). */
  mplsPaths: Uint8Array | null;
  /** Sent to VPP at least once with its current paths (inline: routes carry them). */
  programmed: boolean;
  /**
   * Routes carry this group's paths (inline) rather than one recursive path to its host route:
   * in inline mode, and in PIC mode for a group with an attached leg (see attachedLeg()).
   */
  inline: boolean;
  /** Routes were held back while parked. */
  held: boolean;
  /** Bumped per (re)program: replies of older versions do not count. */
  version: number;
  /** Why the group cannot be programmed (paths invalid), or null. */
  invalid: string | null;
  /** invalid because it has more legs than VPP's 255 paths per route. */
  tooManyPaths?: boolean;
  /** invalid because a leg has a non-MPLS encap (SRv6). */
  unsupportedEncap?: boolean;
}

/**
 * A nexthop group as VPP holds it in PIC mode: one host route in a private table, identified by
 * what it forwards to, not by zebra's id. zebra numbers its groups as it creates them and
 * renumbers them when it restarts; every zebra id with the same content maps onto one object, so
 * a renumbered replay points its routes at the object they already use and writes none of them.
 */
interface NhgObject {
  /** The host address's id: IPv4 /32 = the id, IPv6 /128 = PIC6_PREFIX + the id. */
  oid: number;
  key: string;
  hostFam: 4 | 6;
  host: Uint8Array;
  paths: Uint8Array;
  nPaths: number;
  /** The one recursive path routes using this object carry. */
  picPath: Uint8Array;
  /** zebra ids mapped onto it. */
  refs: number;
  /** Its host route is in VPP with these paths (sent, adopted; cleared by a failure or a new VPP). */
  programmed: boolean;
  /** Bumped per write: a failed reply of an older write does not clear `programmed`. */
  version: number;
}

interface RetryItem {
  kind: number;
  due: number;
  attempt: number;
  key: string;
  op: Op;
  family: Family;
  nlTable: number;
  addr: Uint8Array;
  len: number;
  label: number;
  target: Target;
  nhgId: number;
  protocol: number;
  lane: Lane;
  handle: number;
  error: string;
}

function copyLeg(p: PathView): Leg {
  return {
    gwFamily: p.gwFamily,
    gw: p.gw.slice(0, p.gwFamily === 6 ? 16 : 4),
    ifindex: p.ifindex,
    weight: p.weight,
    labels: p.labels.slice(),
    blackhole: p.blackhole,
    encap: p.encap ?? 0,
  };
}

function hostAddress(id: number, fam: 4 | 6): Uint8Array {
  if (fam === 4) return Uint8Array.of(id >>> 24, (id >>> 16) & 255, (id >>> 8) & 255, id & 255);
  const a = new Uint8Array(16);
  a.set(PIC6_PREFIX, 0);
  a[12] = id >>> 24;
  a[13] = (id >>> 16) & 255;
  a[14] = (id >>> 8) & 255;
  a[15] = id & 255;
  return a;
}

function newRouteView(): RouteView {
  return {
    op: Op.Set, family: AF_INET, table: 0, addr: new Uint8Array(16), len: 0, label: 0,
    target: Target.Nhg, nhgId: 0, prevNhgId: 0, protocol: 0, lane: Lane.Connected, handle: 0,
  };
}

function routeKey(family: number, vppTable: number, addr: Uint8Array, len: number, label: number): string {
  if (family === AF_MPLS) return `m/${label}`;
  const n = family === AF_INET6 ? 16 : 4;
  let s = `${family}/${vppTable}/${len}/`;
  for (let i = 0; i < n; i++) s += addr[i].toString(16).padStart(2, '0');
  return s;
}

/**
 * Programs VPP from a ChangeSource. Construct with a (not yet connected) VppClient; start()
 * connects, and every later reconnect is handled here.
 */
export class VppProgrammer extends EventEmitter implements ReplySink {
  readonly kind = 'vpp' as const;
  readonly mode: ProgrammingMode;
  private readonly tableMap = new Map<number, number>();
  readonly picTable4: number;
  readonly picTable6: number;
  readonly ifmap = new InterfaceMap();
  private readonly linuxCp: boolean;
  private readonly lcpRefreshMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly onRouteResult?: ProgrammerOptions['onRouteResult'];
  private readonly sinkIdx: number;
  private readonly evpn: EvpnProgrammer;

  private readonly nhgs = new Map<number, NhgState>();
  /** (family code * 2^32 + VPP table) -> 1 sent, 2 confirmed. Family codes: 4, 6, 28 (MPLS). */
  private readonly tables = new Map<number, number>();
  private readonly specialPaths = new Map<number, Uint8Array>();
  /** Groups to (re)program from the shadow before anything new (mapping changes, resync). */
  private readonly nhgOps: number[] = [];
  private readonly nhgOpSet = new Set<number>();
  /** Routes held for a parked group, when the source cannot re-emit them. */
  private readonly heldCopies = new Map<number, RetryItem[]>();
  private readonly retries = new Map<string, RetryItem>();
  /** Routes reported failed after their retries: tried again every retryMaxMs (not counted as pending work). */
  private readonly lateRetries = new Map<string, RetryItem>();
  /** Failed group calls: attempts so far, and when the next is due. */
  private readonly nhgAttempts = new Map<number, number>();
  /** PIC objects by content (NhgObject), and by object id. */
  private readonly objects = new Map<string, NhgObject>();
  /** EVPN MACs VPP holds ("vni/mac" -> VTEP hex), and Sets in flight (handle -> the same). */
  private readonly macsHeld = new Map<string, string>();
  private readonly macsInFlight = new Map<number, { key: string; vtep: string }>();
  private readonly objById = new Map<number, NhgObject>();
  /** Objects no zebra id maps onto, withdrawn once the source has run dry. */
  private readonly orphans = new Set<NhgObject>();
  private readonly freeOids: number[] = [];
  private lastOid = 0;
  /** Adopted host routes not claimed yet: "family:digest" -> object ids, and the ids reserved. */
  private readonly adopted = new Map<string, number[]>();
  private readonly adoptedOids = new Set<number>();
  private readonly dg = new PathDigest();
  private readonly nhgRetryDue = new Map<number, number>();
  /** Groups given up on (routes held, reported failed): when the next attempt is due. */
  private readonly nhgLateDue = new Map<number, number>();
  /** Host routes of deleted groups whose delete is in flight, and those to delete again (failed). */
  private readonly hostDeleteDue = new Map<number, { o: NhgObject; due: number }>();
  private retryTimer: NodeJS.Timeout | null = null;
  private lcpTimer: NodeJS.Timeout | null = null;
  private lcpRefreshSoon: NodeJS.Timeout | null = null;

  // In-flight slots (token = slot index): struct of arrays, no object per route.
  private cap = 0;
  private free: number[] = [];
  private sKind = new Uint8Array(0);
  private sOp = new Uint8Array(0);
  private sFam = new Uint8Array(0);
  private sVppTable = new Uint32Array(0);
  private sNlTable = new Uint32Array(0);
  private sAddr = new Uint8Array(0);
  private sLen = new Uint8Array(0);
  private sLabel = new Uint32Array(0);
  private sTarget = new Uint8Array(0);
  private sNhg = new Float64Array(0);
  private sProto = new Uint8Array(0);
  private sLane = new Uint8Array(0);
  private sHandle = new Float64Array(0);
  private sAttempt = new Uint8Array(0);
  private sSeq = new Float64Array(0);
  private seq = 0;
  private active = 0;
  /** Failure of the non-EOS half of an LSP, by handle, until its EOS half reports. */
  private readonly lspAuxFailed = new Map<number, string>();

  private readonly view = newRouteView();
  private scheduled = false;
  private paused = true;
  private closed = false;
  private started = false;
  private idleWaiters: (() => void)[] = [];
  private lastError: string | null = null;
  private firstConnectDone = false;
  private srcIdle = false;
  private setup: Promise<void> = Promise.resolve();

  readonly counters: ProgrammerCounters = {
    routesOk: 0, routesFailed: 0, routeRetries: 0, routesHeld: 0, routesDeleted: 0, nhgCalls: 0, nhgsFailed: 0, nhgsTooManyPaths: 0, nhgsUnsupportedEncap: 0,
    nhgsParkedEvents: 0, nhgsReleased: 0, tableCalls: 0, tableErrors: 0, lspCalls: 0, macsUnprogrammed: 0,
    resyncs: 0, connects: 0, supersededRetries: 0, lateRetries: 0, inlineStale: 0, nhgInPlace: 0, rewritesAvoided: 0, objectsWithdrawn: 0,
  };

  constructor(
    readonly client: VppClient,
    private readonly source: ChangeSource,
    opts: ProgrammerOptions = {},
  ) {
    super();
    this.mode = opts.mode ?? 'pic';
    if (this.mode !== 'pic' && this.mode !== 'inline') throw new Error(`Expected "pic" or "inline" for the VPP programming mode but received "${String(opts.mode)}"`);
    this.tableMap.set(254, 0);
    if (opts.tableMap) {
      const entries = opts.tableMap instanceof Map ? [...opts.tableMap] : Object.entries(opts.tableMap).map(([k, v]) => [Number(k), v] as [number, number]);
      for (const [k, v] of entries) this.tableMap.set(Number(k), v);
    }
    this.picTable4 = opts.picTable4 ?? DEFAULT_PIC_TABLE;
    this.picTable6 = opts.picTable6 ?? DEFAULT_PIC_TABLE;
    for (const t of [this.picTable4, this.picTable6]) {
      if (!Number.isInteger(t) || t <= 0 || t >= 0xffffffff) throw new Error(`Expected a PIC table id between 1 and 4294967294 but received "${t}"`);
    }
    this.linuxCp = opts.linuxCp ?? true;
    this.lcpRefreshMs = opts.lcpRefreshMs ?? 10_000;
    this.maxRetries = opts.maxRetries ?? 4;
    this.retryBaseMs = opts.retryBaseMs ?? 100;
    this.retryMaxMs = opts.retryMaxMs ?? 5000;
    this.onRouteResult = opts.onRouteResult;
    const statics = new Map(opts.interfaceMap ?? []);
    if (opts.interfaceMapFile) for (const [k, v] of loadInterfaceMap(opts.interfaceMapFile)) statics.set(k, v);
    this.ifmap.setStatic(statics);
    this.sinkIdx = client.addSink(this);
    this.evpn = new EvpnProgrammer(client, opts.evpn ?? {}, (h, ok, err) => {
      const m = this.macsInFlight.get(h);
      if (m) {
        this.macsInFlight.delete(h);
        if (ok) this.macsHeld.set(m.key, m.vtep);
        else this.macsHeld.delete(m.key);
      }
      this.source.routeResult(h, ok, err);
    });
    this.growSlots(1024);
    for (const fam of [4, 6] as const) {
      for (const [target, type] of [[Target.Blackhole, PathType.Drop], [Target.Unreachable, PathType.IcmpUnreach], [Target.Prohibit, PathType.IcmpProhibit]] as const) {
        this.specialPaths.set(fam * 8 + target, encodePaths([{
          swIfIndex: NO_SW_IF_INDEX, tableId: 0, weight: 1, preference: 0, type, flags: PathFlags.None,
          proto: fam === 6 ? NhProto.Ip6 : NhProto.Ip4, nh: new Uint8Array(0),
        }]));
      }
    }
    client.on('connect', (info: ConnectInfo) => {
      if (this.started) this.setup = this.onConnected(info);
    });
    client.on('disconnect', () => {
      this.paused = true;
      this.emit('disconnect');
    });
    client.on('drain', () => this.pump());
    client.on('interface', (sw: number, flags: number, deleted: boolean) => this.onInterfaceEvent(sw, flags, deleted));
  }

  // ------------------------------------------------------------------ lifecycle

  /** Connect (rejects on VppCompatibilityError or when VPP is unreachable) and start programming. */
  async start(): Promise<ConnectInfo> {
    this.started = true;
    let info: ConnectInfo;
    if (this.client.connected) {
      info = { vpePid: this.client.vpePid, previousVpePid: -1, messages: 0, missingOptional: [], clientIndex: this.client.clientIndex };
      this.setup = this.onConnected(info);
    } else {
      // The client's 'connect' event runs onConnected (and does on every reconnect).
      info = await this.client.connect();
    }
    await this.setup;
    return info;
  }

  private async onConnected(info: ConnectInfo): Promise<void> {
    this.paused = true;
    this.counters.connects++;
    try {
      await this.client.wantInterfaceEvents();
      await this.readInterfaces();
      const restarted = this.firstConnectDone && (info.vpePid !== info.previousVpePid || (await this.privateTablesMissing()));
      if (this.firstConnectDone && !restarted) {
        // The same VPP: only calls whose outcome was lost with the socket go again (they wait
        // in the retry queue, due now).
        this.emit('reconnect', { restarted: false });
      } else if (restarted) {
        this.resync();
        this.emit('reconnect', { restarted: true });
      }
      this.tables.clear();
      this.ensurePrivateTables();
      this.firstConnectDone = true;
      if (this.lcpRefreshMs > 0 && !this.lcpTimer) {
        this.lcpTimer = setInterval(() => void this.refreshLcp(), this.lcpRefreshMs);
        this.lcpTimer.unref();
      }
      this.paused = false;
      this.emit('ready', info);
      this.kick();
    } catch (e) {
      // The connection went away during setup: the client reconnects and we come back here.
      this.lastError = (e as Error).message;
      this.emit('error-event', e);
    }
  }

  /** VPP lost its state: program every table, group and route again. */
  private resync(): void {
    this.counters.resyncs++;
    this.tables.clear();
    this.evpn.reset();
    this.macsHeld.clear();
    this.macsInFlight.clear();
    for (const g of this.nhgs.values()) g.programmed = false;
    // A new VPP has none of the host routes: objects are written again as their groups come.
    for (const o of this.objById.values()) o.programmed = false;
    for (const o of this.orphans) {
      if (o.refs > 0) continue;
      if (this.objects.get(o.key) === o) this.objects.delete(o.key);
      this.objById.delete(o.oid);
      this.freeOids.push(o.oid);
    }
    this.orphans.clear();
    this.dropAdopted();
    if (this.source.replayAll) {
      // The source re-emits every group first, then routes and MACs: pending retries are stale.
      this.retries.clear();
      this.lateRetries.clear();
      this.nhgRetryDue.clear();
      this.nhgLateDue.clear();
      this.hostDeleteDue.clear();
      this.nhgAttempts.clear();
      this.source.replayAll();
    } else {
      for (const id of this.nhgs.keys()) this.queueNhgOp(id);
      if (this.source.reemitRoutesUsing) for (const id of this.nhgs.keys()) this.source.reemitRoutesUsing(id);
    }
  }

  private async privateTablesMissing(): Promise<boolean> {
    if (this.mode !== 'pic') return false;
    const rows = await this.client.dump('ip_table_dump', {});
    let v4 = false;
    let v6 = false;
    for (const r of rows) {
      const t = r.table as { table_id: number; is_ip6: boolean };
      if (t.table_id === this.picTable4 && !t.is_ip6) v4 = true;
      if (t.table_id === this.picTable6 && t.is_ip6) v6 = true;
    }
    return !(v4 && v6);
  }

  private ensurePrivateTables(): void {
    if (this.mode !== 'pic') return;
    this.ensureTable(4, this.picTable4, 'fibpush-pic-ip4');
    this.ensureTable(6, this.picTable6, 'fibpush-pic-ip6');
  }

  /**
   * The source may have new changes: drain them soon, never synchronously (the caller is the
   * reader). The drain runs as soon as the caller's callback returns, i.e. between the reader's
   * socket reads, and is bounded by the window; the replies VPP already sent are taken in first
   * (bounded, without waiting), so the window refills while zebra is still being read. libuv
   * reads a busy zebra socket up to 32 times per event-loop turn, so a drain that waited for the
   * next turn (setImmediate) or for the VPP socket's next poll would get one window per table.
   */
  kick(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    // Once per drain, not per kick: the reader kicks after every batch of a read, and a poll that
    // finds nothing still costs a system call and an EAGAIN error.
    if (!this.paused && !this.pumping && this.client.inFlight > 0) this.client.pollReplies(POLL_SLICE_BYTES);
    process.nextTick(this.pumpTick);
  }

  private readonly pumpTick = (): void => {
    this.scheduled = false;
    this.pump();
  };

  /** Set during pump(): replies are not taken in from inside it (slots and retries are being walked). */
  private pumping = false;

  /** Resolves when nothing is pending: source drained, every call answered, no retry waiting. */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      // Idle is decided by a pump pass that finds the source empty, never by an earlier one.
      this.srcIdle = false;
      this.kick();
    });
  }

  private isIdle(): boolean {
    return this.srcIdle && this.active === 0 && this.retries.size === 0 && this.nhgRetryDue.size === 0 && this.nhgOps.length === 0 &&
      this.orphans.size === 0 && this.evpn.pending === 0 && !this.paused;
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.lcpTimer) clearInterval(this.lcpTimer);
    if (this.lcpRefreshSoon) clearTimeout(this.lcpRefreshSoon);
    this.retryTimer = this.lcpTimer = this.lcpRefreshSoon = null;
    for (const w of this.idleWaiters.splice(0)) w();
    await this.client.close();
  }

  // ------------------------------------------------------------------ interfaces

  private async readInterfaces(): Promise<void> {
    const ifs = new Map<number, boolean>();
    const rows = await this.client.dump('sw_interface_dump', { sw_if_index: 0xffffffff, name_filter_valid: false, name_filter: '' });
    for (const r of rows) ifs.set(Number(r.sw_if_index), (Number(r.flags) & 3) === 3);
    const changed = this.ifmap.setVppInterfaces(ifs);
    const lcpChanged = await this.readLcp();
    this.mappingChanged([...changed, ...lcpChanged]);
  }

  private async readLcp(): Promise<number[]> {
    if (!this.linuxCp || !this.client.has('lcp_itf_pair_get')) return [];
    const rows = await this.client.getAll('lcp_itf_pair_get', {});
    const pairs: LcpPair[] = rows
      .filter((r) => r.vif_index !== undefined)
      .map((r) => ({ ifindex: Number(r.vif_index), swIfIndex: Number(r.phy_sw_if_index), hostName: String(r.host_if_name), netns: String(r.netns) }));
    return this.ifmap.setLcp(pairs);
  }

  private async refreshLcp(): Promise<void> {
    if (!this.client.connected) return;
    try {
      this.mappingChanged(await this.readLcp());
    } catch (e) {
      this.lastError = (e as Error).message;
    }
  }

  private onInterfaceEvent(sw: number, flags: number, deleted: boolean): void {
    const up = (flags & 3) === 3;
    const known = this.ifmap.isUp(sw) !== undefined;
    const changed = this.ifmap.vppInterface(sw, up, deleted);
    for (const ifindex of this.ifmap.ifindexesOf(sw)) this.emit('link', ifindex, up && !deleted);
    this.mappingChanged(changed);
    // A new VPP interface may come with a new linux-cp pair shortly after.
    if (!known && !deleted && this.linuxCp && this.client.has('lcp_itf_pair_get') && !this.lcpRefreshSoon) {
      this.lcpRefreshSoon = setTimeout(() => {
        this.lcpRefreshSoon = null;
        void this.refreshLcp();
      }, 50);
      this.lcpRefreshSoon.unref();
    }
  }

  /** Set (or remove, sw undefined) one static mapping at run time. */
  setInterface(ifindex: number, sw: number | undefined): void {
    this.mappingChanged(this.ifmap.setOne(ifindex, sw));
  }

  /** Mappings changed for these ifindexes: groups using them are programmed again. */
  private mappingChanged(ifindexes: number[]): void {
    if (ifindexes.length === 0) return;
    const set = new Set(ifindexes);
    for (const g of this.nhgs.values()) {
      if (g.fdb) continue;
      if (g.primary.some((l) => set.has(l.ifindex)) || g.backup.some((l) => set.has(l.ifindex))) this.queueNhgOp(g.id);
    }
    this.emit('mapping', ifindexes);
    this.kick();
  }

  private queueNhgOp(id: number): void {
    if (this.nhgOpSet.has(id)) return;
    this.nhgOpSet.add(id);
    this.nhgOps.push(id);
  }

  // ------------------------------------------------------------------ tables

  vppTableOf(nlTable: number): number {
    return this.tableMap.get(nlTable) ?? nlTable;
  }

  private ensureTable(fam: 4 | 6 | 28, vppTable: number, name?: string): void {
    if (vppTable === 0 && fam !== 28) return; // IP table 0 always exists
    const k = fam * 0x100000000 + vppTable;
    if (this.tables.has(k)) return;
    this.tables.set(k, 1);
    const label = name ?? `fibpush-${fam === 28 ? 'mpls' : 'ip' + fam}-${vppTable}`;
    const s = this.slot();
    this.sKind[s] = K_TABLE;
    this.sFam[s] = fam;
    this.sVppTable[s] = vppTable;
    this.counters.tableCalls++;
    if (fam === 28) this.client.mplsTableAddDel(this.sinkIdx, s, true, vppTable, label);
    else this.client.ipTableAddDel(this.sinkIdx, s, true, vppTable, fam === 6, label);
  }

  // ------------------------------------------------------------------ slots

  private growSlots(n: number): void {
    const old = this.cap;
    const cap = Math.max(n, old * 2);
    const g8 = (a: Uint8Array, per = 1) => {
      const b = new Uint8Array(cap * per);
      b.set(a);
      return b;
    };
    const g32 = (a: Uint32Array) => {
      const b = new Uint32Array(cap);
      b.set(a);
      return b;
    };
    const g64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.sKind = g8(this.sKind);
    this.sOp = g8(this.sOp);
    this.sFam = g8(this.sFam);
    this.sVppTable = g32(this.sVppTable);
    this.sNlTable = g32(this.sNlTable);
    this.sAddr = g8(this.sAddr, 16);
    this.sLen = g8(this.sLen);
    this.sLabel = g32(this.sLabel);
    this.sTarget = g8(this.sTarget);
    this.sNhg = g64(this.sNhg);
    this.sProto = g8(this.sProto);
    this.sLane = g8(this.sLane);
    this.sHandle = g64(this.sHandle);
    this.sAttempt = g8(this.sAttempt);
    this.sSeq = g64(this.sSeq);
    for (let i = cap - 1; i >= old; i--) this.free.push(i);
    this.cap = cap;
  }

  private slot(): number {
    if (this.free.length === 0) this.growSlots(this.cap * 2);
    const s = this.free.pop()!;
    this.sSeq[s] = ++this.seq;
    this.sAttempt[s] = 0;
    this.active++;
    return s;
  }

  private release(s: number): void {
    this.sKind[s] = 0;
    this.free.push(s);
    this.active--;
  }

  private fillSlotRoute(s: number, kind: number, r: RouteView, vppTable: number, attempt: number): void {
    this.sKind[s] = kind;
    this.sOp[s] = r.op;
    this.sFam[s] = r.family;
    this.sVppTable[s] = vppTable;
    this.sNlTable[s] = r.table;
    const o = s * 16;
    for (let i = 0; i < 16; i++) this.sAddr[o + i] = r.addr[i] ?? 0;
    this.sLen[s] = r.len;
    this.sLabel[s] = r.label;
    this.sTarget[s] = r.target;
    this.sNhg[s] = r.nhgId;
    this.sProto[s] = r.protocol;
    this.sLane[s] = r.lane;
    this.sHandle[s] = r.handle;
    this.sAttempt[s] = attempt;
  }

  /** The slot's route as a RouteView (the reused result view). */
  private slotView(s: number): RouteView {
    const v = this.view;
    v.op = this.sOp[s] as Op;
    v.family = this.sFam[s] as Family;
    v.table = this.sNlTable[s];
    const a = v.addr;
    const sa = this.sAddr;
    const o = s * 16;
    for (let i = 0; i < 16; i++) a[i] = sa[o + i]; // no subarray view per reply
    v.len = this.sLen[s];
    v.label = this.sLabel[s];
    v.target = this.sTarget[s] as Target;
    v.nhgId = this.sNhg[s];
    v.protocol = this.sProto[s];
    v.lane = this.sLane[s] as Lane;
    v.handle = this.sHandle[s];
    return v;
  }

  // ------------------------------------------------------------------ the pump

  private pump(): void {
    if (this.paused || this.closed || !this.client.connected) return;
    const c = this.client;
    const src = this.source;
    this.pumping = true;
    try {
      // 1. Retries that are due (a route's newest change wins: superseded ones were dropped).
      if (this.retries.size > 0 || this.nhgRetryDue.size > 0 || this.lateRetries.size > 0 || this.nhgLateDue.size > 0 || this.hostDeleteDue.size > 0) this.sendDueRetries();
      // 2. Groups to program again from the shadow (mapping changes, resync without replayAll).
      while (this.nhgOps.length > 0 && c.canSend()) {
        const id = this.nhgOps.shift()!;
        this.nhgOpSet.delete(id);
        const g = this.nhgs.get(id);
        if (g) this.programNhg(g);
      }
      // 3. New changes, in the store's order (groups before their users).
      this.srcIdle = false;
      while (c.canSend()) {
        const k = src.next();
        if (k === ChangeKind.None) {
          this.srcIdle = true;
          break;
        }
        if (k === ChangeKind.Route) this.onRoute(src.route, 0);
        else if (k === ChangeKind.Nhg) this.onNhg(src.nhg);
        else if (k === ChangeKind.Mac) this.onMac(src.mac);
      }
      // 4. Objects no group maps onto any more, once every route has moved off them.
      if (this.srcIdle && this.orphans.size > 0) this.withdrawOrphans();
    } catch (e) {
      this.lastError = (e as Error).message;
      this.emit('error-event', e);
    } finally {
      this.pumping = false;
    }
    // The client writes the batch once this turn's work is done (one socket write).
    this.checkIdle();
  }

  // ------------------------------------------------------------------ groups

  private onNhg(v: NhgView): void {
    if (v.op === Op.Del) {
      const g = this.nhgs.get(v.id);
      this.nhgs.delete(v.id);
      this.heldCopies.delete(v.id);
      if (g) this.unmap(g);
      return;
    }
    const fam: 4 | 6 = v.family === AF_INET6 ? 6 : 4;
    const prev = this.nhgs.get(v.id);
    const g: NhgState = {
      id: v.id,
      family: v.family,
      fdb: v.fdb,
      primary: v.primary.map(copyLeg),
      backup: v.backup.map(copyLeg),
      hostFam: fam,
      obj: prev?.obj ?? null,
      key: prev?.key ?? '',
      missing: prev?.missing ?? [],
      paths: null,
      nPaths: 0,
      mplsPaths: null,
      programmed: prev?.programmed ?? false,
      inline: prev?.inline ?? this.mode === 'inline',
      held: prev?.held ?? false,
      version: (prev?.version ?? 0) + 1,
      invalid: null,
    };
    if (prev && prev.hostFam !== fam && !prev.fdb) {
      // The group changed family: its routes must point at a host route of the other family.
      g.programmed = false;
      g.held = true;
    }
    this.nhgs.set(v.id, g);
    this.nhgAttempts.delete(v.id);
    this.nhgRetryDue.delete(v.id);
    this.nhgLateDue.delete(v.id);
    if (g.fdb) return; // L2 group: VTEPs for EVPN MACs, nothing to program by itself
    this.programNhg(g);
  }

  /** Build a group's paths from its legs; parks it when a leg's interface has no mapping. */
  private buildPaths(g: NhgState): boolean {
    const missing: number[] = [];
    const paths: FibPath[] = [];
    const mpls: FibPath[] = [];
    g.invalid = null;
    // VPP's fib_path weight is a u8: zebra >= 10.4 weighs legs up to 65536 (vpp/weights.ts).
    const wPrimary = scaleWeights(g.primary.map((l) => l.weight));
    const wBackup = scaleWeights(g.backup.map((l) => l.weight));
    const add = (l: Leg, pref: number, weight: number) => {
      if (l.encap !== 0) {
        // An SRv6 (seg6/seg6local) leg forwarded without its encap would send traffic where the
        // SID list does not: the group is refused and its routes reported failed.
        g.invalid = `lwtunnel encap type ${l.encap} (${l.encap === 5 ? 'seg6' : l.encap === 7 ? 'seg6local' : 'not MPLS'}) is not programmed into VPP`;
        g.unsupportedEncap = true;
        return;
      }
      const proto = l.gwFamily === 6 ? NhProto.Ip6 : l.gwFamily === 4 ? NhProto.Ip4 : g.hostFam === 6 ? NhProto.Ip6 : NhProto.Ip4;
      if (l.blackhole) {
        const p: FibPath = { swIfIndex: NO_SW_IF_INDEX, tableId: 0, weight: 1, preference: pref, type: PathType.Drop, flags: 0, proto, nh: new Uint8Array(0) };
        paths.push(p);
        mpls.push(p);
        return;
      }
      let sw = NO_SW_IF_INDEX;
      if (l.ifindex !== 0) {
        const m = this.ifmap.get(l.ifindex);
        if (m === undefined) {
          if (!missing.includes(l.ifindex)) missing.push(l.ifindex);
          return;
        }
        sw = m;
      } else if (l.gwFamily === 0) {
        g.invalid = 'a leg with neither gateway nor interface';
        return;
      }
      if (l.labels.length > MAX_LABELS) {
        g.invalid = `${l.labels.length} labels on one leg exceed VPP's label_stack[16]`;
        return;
      }
      // A gateway without an interface resolves recursively in VPP table 0 (sw_if_index ~0).
      const p: FibPath = {
        swIfIndex: sw, tableId: 0, weight, preference: pref,
        type: PathType.Normal, flags: 0, proto, nh: l.gw, labels: l.labels,
      };
      paths.push(p);
      mpls.push(l.labels.length > 0 ? p : { ...p, labels: [IMPLICIT_NULL] });
    };
    g.unsupportedEncap = false;
    g.primary.forEach((l, i) => add(l, 0, wPrimary[i]));
    g.backup.forEach((l, i) => add(l, 1, wBackup[i]));
    g.missing = missing;
    if (missing.length > 0 || g.invalid) return false;
    if (paths.length > MAX_PATHS) {
      // ip_route_add_del's n_paths is a u8 (ip.api): zebra's 256-way ECMP (Debian builds
      // --enable-multipath=256) cannot be expressed faithfully; dropping a leg would shift traffic.
      g.invalid = `${paths.length} paths exceed VPP's ${MAX_PATHS} per route (n_paths is a u8)`;
      g.tooManyPaths = true;
      return false;
    }
    if (paths.length === 0) {
      // A group with no usable leg forwards nothing: a drop path keeps routes from using a less specific route.
      const p: FibPath = { swIfIndex: NO_SW_IF_INDEX, tableId: 0, weight: 1, preference: 0, type: PathType.Drop, flags: 0, proto: g.hostFam === 6 ? NhProto.Ip6 : NhProto.Ip4, nh: new Uint8Array(0) };
      paths.push(p);
      mpls.push(p);
    }
    g.paths = encodePaths(paths);
    g.mplsPaths = encodePaths(mpls);
    g.nPaths = paths.length;
    return true;
  }

  /** Program (or park) a group from its shadow. */
  private programNhg(g: NhgState): void {
    const wasParked = g.missing.length > 0 || g.invalid !== null;
    const ok = this.buildPaths(g);
    if (!ok) {
      if (g.invalid) {
        this.counters.nhgsFailed++;
        if (g.tooManyPaths) this.counters.nhgsTooManyPaths++;
        if (g.unsupportedEncap) this.counters.nhgsUnsupportedEncap++;
        this.lastError = `nexthop group ${g.id}: ${g.invalid}`;
        this.emit('nhg-failed', g.id, g.invalid);
      } else {
        this.counters.nhgsParkedEvents++;
        this.emit('parked', g.id, g.missing.slice());
      }
      // Routes already programmed through it keep forwarding on what VPP has (PIC: the old host
      // route) until the mapping returns; nothing is pointed at a guessed interface.
      return;
    }
    if (wasParked && (g.held || this.heldCopies.has(g.id))) {
      this.counters.nhgsReleased++;
      this.emit('released', g.id);
    }
    const hadPaths = g.programmed;
    const wasInline = g.inline;
    const prevKey = g.key;
    g.inline = this.mode === 'inline' || g.primary.some(attachedLeg) || g.backup.some(attachedLeg);
    g.key = contentKey(g.hostFam, g.paths!);
    // Routes that pointed at a host route must move to inline paths, or to another object: re-sent below.
    let moved = hadPaths && wasInline !== g.inline;
    if (g.inline) this.unmap(g);
    else if (this.mapObject(g)) moved = hadPaths;
    g.programmed = true;
    const release = g.held;
    g.held = false;
    const inlineChanged = g.inline && hadPaths && prevKey !== g.key;
    if (release || moved || inlineChanged) {
      // Inline routes carry the group's paths: they are all re-sent; held routes are released.
      if (this.source.reemitRoutesUsing) this.source.reemitRoutesUsing(g.id);
      else if (inlineChanged || moved) this.counters.inlineStale++;
    }
    const copies = this.heldCopies.get(g.id);
    if (copies) {
      this.heldCopies.delete(g.id);
      for (const r of copies) {
        r.due = 0;
        this.retries.set(r.key, r);
      }
      this.armRetryTimer();
    }
  }

  /**
   * Maps a PIC group onto the object that forwards like it (its content). Returns true when the
   * group's routes must move to another object (re-sent by the caller); false when they stay
   * (same object, or the object was changed in place).
   *
   * - Same content as its object: nothing to write (a replayed group), unless VPP lacks it.
   * - New content, and no other zebra id shares the object: the object changes in place, one
   *   ip_route_add_del, and VPP's back-walk moves every route (prefix-independent convergence).
   * - New content, the object shared: this id gets the object of its new content (an existing
   *   one, an adopted host route with those paths, or a new one) and only its routes move.
   */
  private mapObject(g: NhgState): boolean {
    const o = g.obj;
    if (o && o.key === g.key) {
      if (!o.programmed) this.writeObject(o, g);
      return false;
    }
    if (o && o.refs === 1 && o.hostFam === g.hostFam) {
      if (this.objects.get(o.key) === o) this.objects.delete(o.key);
      o.key = g.key;
      o.paths = g.paths!;
      o.nPaths = g.nPaths;
      if (!this.objects.has(o.key)) this.objects.set(o.key, o);
      this.counters.nhgInPlace++;
      this.writeObject(o, g);
      return false;
    }
    // An adopted host route this group's routes use comes first: equal content may sit on two
    // host routes in VPP (a group changed in place to what another forwards to), each kept.
    const adopted = this.claimAdopted(g);
    let n = adopted === undefined ? this.objects.get(g.key) : undefined;
    if (!n) {
      n = this.newObject(g, adopted ?? this.allocOid());
      if (!this.objects.has(n.key)) this.objects.set(n.key, n);
      if (adopted !== undefined) n.programmed = true;
      else this.writeObject(n, g);
    } else if (!n.programmed) this.writeObject(n, g);
    n.refs++;
    this.orphans.delete(n);
    if (o) this.unref(o);
    g.obj = n;
    return o !== null;
  }

  /** The group no longer maps onto its object (deleted, or inline now). */
  private unmap(g: NhgState): void {
    const o = g.obj;
    g.obj = null;
    if (o) this.unref(o);
  }

  /**
   * An object no zebra id maps onto is withdrawn once the source has run dry: routes that
   * pointed at it were re-sent before that, and withdrawing it earlier would drop them meanwhile.
   */
  private unref(o: NhgObject): void {
    if (--o.refs === 0) this.orphans.add(o);
  }

  private withdrawOrphans(): void {
    for (const o of this.orphans) {
      if (!this.client.canSend()) return;
      this.orphans.delete(o);
      if (o.refs > 0) continue;
      if (this.objects.get(o.key) === o) this.objects.delete(o.key);
      this.objById.delete(o.oid);
      this.freeOids.push(o.oid);
      this.counters.objectsWithdrawn++;
      if (o.programmed) {
        this.withdrawing.set(o.oid, o);
        this.sendObject(o, false, 0, 0);
      }
    }
  }

  private newObject(g: NhgState, oid: number): NhgObject {
    const host = hostAddress(oid, g.hostFam);
    const picPath = encodePaths([{
      swIfIndex: NO_SW_IF_INDEX, tableId: g.hostFam === 6 ? this.picTable6 : this.picTable4, weight: 1, preference: 0,
      type: PathType.Normal, flags: PathFlags.ResolveViaHost, proto: g.hostFam === 6 ? NhProto.Ip6 : NhProto.Ip4, nh: host,
    }]);
    const o: NhgObject = { oid, key: g.key, hostFam: g.hostFam, host, paths: g.paths!, nPaths: g.nPaths, picPath, refs: 0, programmed: false, version: 0 };
    this.objById.set(oid, o);
    return o;
  }

  /** An object id no object and no adopted host route (still to be matched or withdrawn) uses. */
  private allocOid(): number {
    for (;;) {
      const id = this.freeOids.pop() ?? ++this.lastOid;
      if (!this.adoptedOids.has(id)) return id;
    }
  }

  /**
   * Adoption (a fibpush restart while VPP forwards) offers the host routes it found in the
   * private tables, each with the digest of its paths (pathdigest.ts). A group whose paths have
   * that digest takes the host route over as its object: nothing is written, and the routes VPP
   * has pointing at it are unchanged, whatever id zebra gives the group now.
   */
  offerAdoptedHost(family: 4 | 6, oid: number, digest: PathDigest): void {
    const k = `${family}:${digest.a}:${digest.b}`;
    let l = this.adopted.get(k);
    if (!l) this.adopted.set(k, (l = []));
    l.push(oid);
    this.adoptedOids.add(oid);
    if (oid > this.lastOid) this.lastOid = oid;
  }

  /** Adoption's finding: the host route the routes of each zebra group use in VPP (by object id). */
  adoptedGroupHosts(m: Map<number, { family: 4 | 6; oid: number }>): void {
    this.adoptedHostOf = m;
  }

  private adoptedHostOf = new Map<number, { family: 4 | 6; oid: number }>();

  /**
   * An adopted host route with the group's content, if any: the one its routes use when adoption
   * saw them, else any with those paths. Returns its object id, or undefined.
   */
  private claimAdopted(g: NhgState): number | undefined {
    if (this.adopted.size === 0) return undefined;
    const d = digestEncoded(g.paths!, g.nPaths, ZERO16, 0, g.hostFam === 6, this.dg);
    const k = `${g.hostFam}:${d.a}:${d.b}`;
    const l = this.adopted.get(k);
    if (!l) return undefined;
    const used = this.adoptedHostOf.get(g.id);
    let i = used && used.family === g.hostFam ? l.indexOf(used.oid) : -1;
    if (i < 0) {
      // No route tells: any adopted host with these paths, unless an object with them exists.
      if (this.objects.has(g.key)) return undefined;
      i = l.length - 1;
    }
    const oid = l[i];
    l.splice(i, 1);
    if (l.length === 0) this.adopted.delete(k);
    this.adoptedOids.delete(oid);
    return oid;
  }

  /** Whether an object holds host route `oid` of `family` (adoption withdraws the others). */
  ownsHost(family: 4 | 6, oid: number): boolean {
    const o = this.objById.get(oid);
    return o !== undefined && o.hostFam === family && o.refs > 0;
  }

  /**
   * Adopted host routes no group claimed: forgotten (adoption withdraws them), except `keep`:
   * host routes adopted routes still use, whose addresses no new object may take.
   */
  dropAdopted(keep: readonly number[] = []): void {
    this.adopted.clear();
    this.adoptedOids.clear();
    for (const oid of keep) if (!this.objById.has(oid)) this.adoptedOids.add(oid);
    this.adoptedHostOf.clear();
  }

  private writeObject(o: NhgObject, g: NhgState): void {
    o.programmed = true;
    o.version++;
    this.sendObject(o, true, g.id, g.version);
  }

  private sendObject(o: NhgObject, isAdd: boolean, nhgId: number, nhgVersion: number): void {
    const table = o.hostFam === 6 ? this.picTable6 : this.picTable4;
    this.ensureTable(o.hostFam, table);
    const s = this.slot();
    this.sKind[s] = isAdd ? K_NHG : K_NHG_DEL;
    // The zebra id and its version (a failed add is retried for that group), and the object.
    this.sNhg[s] = nhgId;
    this.sSeq[s] = nhgVersion;
    this.sVppTable[s] = o.oid;
    this.sLabel[s] = o.version;
    this.counters.nhgCalls++;
    this.client.ipRouteAddDel(this.sinkIdx, s, isAdd, table, o.hostFam === 6, o.host, o.hostFam === 6 ? 128 : 32, o.paths, isAdd ? o.nPaths : 0);
  }

  // ------------------------------------------------------------------ routes

  private onRoute(r: RouteView, attempt: number): void {
    const isMpls = r.family === AF_MPLS;
    const vppTable = isMpls ? 0 : this.vppTableOf(r.table);
    if ((this.retries.size > 0 || this.lateRetries.size > 0) && attempt === 0) {
      const k = routeKey(r.family, vppTable, r.addr, r.len, r.label);
      if (this.retries.delete(k) || this.lateRetries.delete(k)) this.counters.supersededRetries++;
    }
    let paths: Uint8Array | null = null;
    let nPaths = 0;
    if (r.op === Op.Set && r.prevNhgId !== 0 && r.target === Target.Nhg && this.sameForwarding(r.prevNhgId, r.nhgId)) {
      // zebra moved the route to a group that forwards exactly like the one VPP holds it with (a
      // renumbered replay): VPP already forwards it so.
      this.counters.rewritesAvoided++;
      this.reportNow(r, true);
      return;
    }
    if (r.op === Op.Set) {
      const g = this.selectPaths(r);
      if (g === SEL_UNKNOWN) {
        this.reportNow(r, false, `nexthop group ${r.nhgId} is unknown to the VPP programmer`);
        return;
      }
      if (g !== null) {
        this.hold(g, r, vppTable);
        return;
      }
      paths = this.selPaths;
      nPaths = this.selN;
    }
    const c = this.client;
    const isAdd = r.op === Op.Set;
    if (isMpls) {
      this.ensureTable(28, 0);
      // Two entries per local label (VPP keys MPLS entries by label and EOS bit): non-EOS first,
      // then EOS, whose reply reports the route (replies come in order). EOS payload protocol:
      // that of the first leg's next hop (mpls.api mr_eos_proto).
      const eosProto = this.eosProto(r);
      for (let e = 0; e < 2; e++) {
        const eos = e === 1;
        const s = this.slot();
        this.fillSlotRoute(s, eos ? K_LSP : K_LSP_AUX, r, 0, attempt);
        this.counters.lspCalls++;
        c.mplsRouteAddDel(this.sinkIdx, s, isAdd, 0, r.label, eos, eosProto, paths, nPaths);
      }
      return;
    }
    if (isAdd) this.ensureTable(r.family === AF_INET6 ? 6 : 4, vppTable);
    const s = this.slot();
    this.fillSlotRoute(s, K_ROUTE, r, vppTable, attempt);
    c.ipRouteAddDel(this.sinkIdx, s, isAdd, vppTable, r.family === AF_INET6, r.addr, r.len, paths, nPaths);
  }

  /** Whether routes of group `a` and of group `b` are written the same (same object, or same inline paths). */
  private sameForwarding(a: number, b: number): boolean {
    const ga = this.nhgs.get(a);
    const gb = this.nhgs.get(b);
    if (!ga || !gb || ga.fdb || gb.fdb || !ga.programmed || !gb.programmed || ga.missing.length > 0 || gb.missing.length > 0 ||
      ga.invalid !== null || gb.invalid !== null || ga.inline !== gb.inline || ga.key === '') return false;
    return ga.inline ? ga.key === gb.key : ga.obj !== null && ga.obj === gb.obj && ga.obj.programmed;
  }

  private selPaths: Uint8Array | null = null;
  private selN = 0;

  /**
   * The paths a Set of `r` writes (into selPaths/selN): its group's (inline), the one recursive
   * path to the group's host route (PIC), or a special path. Returns null when they are ready,
   * SEL_UNKNOWN for an unknown group, or the group that holds the route (parked or invalid).
   */
  private selectPaths(r: RouteView): NhgState | null | typeof SEL_UNKNOWN {
    const isMpls = r.family === AF_MPLS;
    if (r.target !== Target.Nhg) {
      this.selPaths = this.specialPaths.get((isMpls ? 4 : r.family === AF_INET6 ? 6 : 4) * 8 + r.target) ?? null;
      this.selN = 1;
      return null;
    }
    const g = this.nhgs.get(r.nhgId);
    if (!g || g.fdb) return SEL_UNKNOWN;
    if (g.missing.length > 0 || g.invalid !== null || !g.paths) return g;
    if (isMpls) {
      this.selPaths = g.mplsPaths;
      this.selN = g.nPaths;
    } else if (!g.inline) {
      this.selPaths = g.obj!.picPath;
      this.selN = 1;
    } else {
      this.selPaths = g.paths;
      this.selN = g.nPaths;
    }
    return null;
  }

  /**
   * The digest (pathdigest.ts) of the paths a Set of IP route `r` would write now; false when it
   * would not be written as it is (its group unknown, parked or invalid). Adoption compares it
   * with what VPP reports, so an unchanged route is not written again.
   */
  expectedDigest(r: RouteView, out: PathDigest): boolean {
    if (r.family === AF_MPLS || this.selectPaths(r) !== null || !this.selPaths) return false;
    const v6 = r.family === AF_INET6;
    if (r.len === (v6 ? 128 : 32)) {
      // A host route's digest depends on its address (an attached path reads back via it).
      digestEncoded(this.selPaths, this.selN, r.addr, r.len, v6, out);
      return true;
    }
    // Otherwise it is the paths' alone: one per encoded path set (a group's, or a special path).
    let d = this.digests.get(this.selPaths);
    if (!d) {
      d = digestEncoded(this.selPaths, this.selN, ZERO16, 0, v6, new PathDigest());
      this.digests.set(this.selPaths, d);
    }
    out.a = d.a;
    out.b = d.b;
    return true;
  }

  /** Digests of encoded path sets (expectedDigest), dropped with the bytes they describe. */
  private readonly digests = new WeakMap<Uint8Array, PathDigest>();

  private eosProto(r: RouteView): number {
    const g = r.target === Target.Nhg ? this.nhgs.get(r.nhgId) : undefined;
    const l = g?.primary[0] ?? g?.backup[0];
    return l?.gwFamily === 6 ? NhProto.Ip6 : NhProto.Ip4;
  }

  /** A route whose group is parked: not sent; reported failed until the group is released. */
  private hold(g: NhgState, r: RouteView, vppTable: number): void {
    g.held = true;
    this.counters.routesHeld++;
    if (!this.source.reemitRoutesUsing) {
      let list = this.heldCopies.get(g.id);
      if (!list) this.heldCopies.set(g.id, (list = []));
      list.push(this.retryItem(r.family === AF_MPLS ? K_LSP : K_ROUTE, r, vppTable, 0, ''));
    }
    const why = g.invalid
      ? `nexthop group ${g.id} cannot be programmed: ${g.invalid}`
      : `parked: nexthop group ${g.id} waits for a VPP interface for ifindex ${g.missing.join(', ')}`;
    this.reportNow(r, false, why);
  }

  private reportNow(r: RouteView, ok: boolean, error?: string): void {
    if (ok) this.counters.routesOk++;
    else {
      this.counters.routesFailed++;
      this.lastError = error ?? null;
    }
    this.source.routeResult(r.handle, ok, error);
    this.onRouteResult?.(r, ok, error);
  }

  private retryItem(kind: number, r: RouteView, vppTable: number, attempt: number, error: string): RetryItem {
    return {
      kind, due: 0, attempt, key: routeKey(r.family, vppTable, r.addr, r.len, r.label), op: r.op, family: r.family,
      nlTable: r.table, addr: r.addr.slice(0, 16), len: r.len, label: r.label, target: r.target, nhgId: r.nhgId,
      protocol: r.protocol, lane: r.lane, handle: r.handle, error,
    };
  }

  // ------------------------------------------------------------------ MACs

  private onMac(m: MacView): void {
    const why = m.op === Op.Set ? this.evpn.unavailable() : null;
    if (why) {
      this.counters.macsUnprogrammed++;
      this.source.routeResult(m.handle, false, `EVPN MAC not programmed: ${why}`);
      return;
    }
    let vtep = new Uint8Array(0);
    if (m.vtepFamily !== 0) vtep = m.vtep.slice(0, m.vtepFamily === 6 ? 16 : 4);
    else if (m.nhgId !== 0) {
      // An L2 group of VTEPs (EVPN multihoming): an L2 FIB entry points at one interface, so the
      // MAC goes to the group's first VTEP (docs/vpp.md).
      const g = this.nhgs.get(m.nhgId);
      const l = g?.primary.find((x) => x.gwFamily !== 0);
      if (l) vtep = l.gw.slice();
    }
    // What VPP holds per MAC: a Set to the VTEP it already points at (the same L2 group under a
    // new id after zebra renumbered it, or a replay) is acknowledged without a write.
    const key = `${m.vni}/${Buffer.from(m.mac.buffer, m.mac.byteOffset, 6).toString('hex')}`;
    const vtepHex = Buffer.from(vtep).toString('hex');
    if (m.op === Op.Set && vtep.length > 0 && this.macsHeld.get(key) === vtepHex) {
      this.counters.rewritesAvoided++;
      this.source.routeResult(m.handle, true);
      return;
    }
    this.macsHeld.delete(key);
    if (m.op === Op.Set) this.macsInFlight.set(m.handle, { key, vtep: vtepHex });
    this.evpn.apply({ isAdd: m.op === Op.Set, mac: m.mac.slice(0, 6), vni: m.vni, vtep, handle: m.handle });
    void this.evpn.idle().then(() => this.checkIdle());
  }

  // ------------------------------------------------------------------ replies (ReplySink)

  reply(token: number, retval: number): void {
    const s = token;
    const kind = this.sKind[s];
    switch (kind) {
      case K_TABLE: {
        const k = this.sFam[s] * 0x100000000 + this.sVppTable[s];
        if (retval === 0) this.tables.set(k, 2);
        else {
          // Not created: the next route for it asks again (and that route's own error is retried).
          this.tables.delete(k);
          this.counters.tableErrors++;
          this.lastError = new VppApiError(this.sFam[s] === 28 ? 'mpls_table_add_del' : 'ip_table_add_del', retval, `table ${this.sVppTable[s]}`).message;
        }
        this.release(s);
        break;
      }
      case K_NHG:
      case K_NHG_DEL: {
        const id = this.sNhg[s];
        const version = this.sSeq[s];
        const oid = this.sVppTable[s];
        const objVersion = this.sLabel[s];
        this.release(s);
        if (retval === 0 && kind === K_NHG) this.nhgAttempts.delete(id);
        if (kind === K_NHG_DEL) {
          if (retval !== 0) this.retryHostDelete(oid, objVersion, retval);
          else this.withdrawing.delete(oid);
          break;
        }
        if (retval !== 0) {
          const err = new VppApiError('ip_route_add_del', retval, `nexthop group ${id} host route ${oid}`);
          this.lastError = err.message;
          this.objectFailed(oid, objVersion, id, version, err.message, false);
        }
        break;
      }
      case K_ROUTE:
      case K_LSP:
      case K_LSP_AUX:
        this.routeReply(s, kind, retval === 0 || (retval === RV.NO_SUCH_FIB && this.sOp[s] === Op.Del) ? null : new VppApiError(kind === K_ROUTE ? 'ip_route_add_del' : 'mpls_route_add_del', retval));
        break;
      default:
        this.release(s);
    }
    this.afterReply();
  }

  fail(token: number, err: Error): void {
    const s = token;
    const kind = this.sKind[s];
    if (kind === K_ROUTE || kind === K_LSP || kind === K_LSP_AUX) this.routeReply(s, kind, err);
    else if (kind === K_NHG) {
      const id = this.sNhg[s];
      const version = this.sSeq[s];
      const oid = this.sVppTable[s];
      const objVersion = this.sLabel[s];
      this.release(s);
      this.objectFailed(oid, objVersion, id, version, err.message, err.name === 'VppDisconnectedError');
    } else {
      if (kind === K_TABLE) this.tables.delete(this.sFam[s] * 0x100000000 + this.sVppTable[s]);
      this.release(s);
    }
    this.afterReply();
  }

  /** A host route write failed: the object is not in VPP as written; the group that wrote it retries. */
  private objectFailed(oid: number, objVersion: number, id: number, version: number, error: string, disconnected: boolean): void {
    const o = this.objById.get(oid);
    if (o && o.version === objVersion) o.programmed = false;
    const g = this.nhgs.get(id);
    if (g && g.version === version) this.retryNhg(g, error, disconnected);
    else this.counters.supersededRetries++; // a newer version of the group is on its way and decides
  }

  private afterReply(): void {
    // The client's 'drain' refills the window; here only idleness is noticed.
    if (this.active === 0 && !this.srcIdle) this.kick();
    this.checkIdle();
  }

  private routeReply(s: number, kind: number, err: Error | null): void {
    const handle = this.sHandle[s];
    if (kind === K_LSP_AUX) {
      if (err) this.lspAuxFailed.set(handle, err.message);
      this.release(s);
      return;
    }
    if (kind === K_LSP) {
      const aux = this.lspAuxFailed.get(handle);
      if (aux !== undefined) {
        this.lspAuxFailed.delete(handle);
        if (!err) err = new Error(`mpls_route_add_del (non-EOS entry): ${aux}`);
      }
    }
    const v = this.slotView(s);
    const seq = this.sSeq[s];
    const vppTable = this.sVppTable[s];
    const attempt = this.sAttempt[s];
    this.release(s);
    if (!err) {
      if (v.op === Op.Del) this.counters.routesDeleted++;
      this.reportNow(v, true);
      return;
    }
    const disconnected = err.name === 'VppDisconnectedError';
    if (this.newerInFlight(v, vppTable, seq)) {
      this.counters.supersededRetries++;
      return; // a newer change for this key is on its way and decides
    }
    if (disconnected || attempt < this.maxRetries) {
      const it = this.retryItem(kind, v, vppTable, disconnected ? attempt : attempt + 1, err.message);
      it.due = disconnected ? 0 : performance.now() + Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** attempt);
      this.retries.set(it.key, it);
      this.counters.routeRetries++;
      this.armRetryTimer();
      return;
    }
    // Reported failed once (attempt maxRetries); later attempts (maxRetries + 1) fail quietly.
    if (attempt === this.maxRetries) this.reportNow(v, false, err.message);
    const it = this.retryItem(kind, v, vppTable, this.maxRetries + 1, err.message);
    it.due = performance.now() + this.retryMaxMs;
    this.lateRetries.set(it.key, it);
    this.counters.lateRetries++;
    this.armRetryTimer();
  }

  private newerInFlight(v: RouteView, vppTable: number, seq: number): boolean {
    if (this.active === 0) return false;
    for (let i = 0; i < this.cap; i++) {
      const k = this.sKind[i];
      if ((k !== K_ROUTE && k !== K_LSP) || this.sSeq[i] <= seq || this.sFam[i] !== v.family) continue;
      if (v.family === AF_MPLS) {
        if (this.sLabel[i] === v.label) return true;
        continue;
      }
      if (this.sVppTable[i] !== vppTable || this.sLen[i] !== v.len) continue;
      const n = v.family === AF_INET6 ? 16 : 4;
      let same = true;
      for (let j = 0; j < n && same; j++) same = this.sAddr[i * 16 + j] === v.addr[j];
      if (same) return true;
    }
    return false;
  }

  private retryNhg(g: NhgState, error: string, disconnected = false): void {
    this.counters.nhgsFailed++;
    this.lastError = `nexthop group ${g.id}: ${error}`;
    const attempt = (this.nhgAttempts.get(g.id) ?? 0) + (disconnected ? 0 : 1);
    if (attempt > this.maxRetries) {
      this.nhgAttempts.delete(g.id);
      this.nhgRetryDue.delete(g.id);
      // Routes sent from now on are held and reported failed instead of resolving to nothing;
      // the group is tried again later, and a success releases them.
      g.invalid = `host route failed: ${error}`;
      this.emit('nhg-failed', g.id, error);
      this.nhgLateDue.set(g.id, performance.now() + this.retryMaxMs);
      this.counters.lateRetries++;
      this.armRetryTimer();
      return;
    }
    this.nhgAttempts.set(g.id, attempt);
    this.nhgRetryDue.set(g.id, disconnected ? 0 : performance.now() + Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** (attempt - 1)));
    this.armRetryTimer();
  }

  /**
   * A withdrawn object's host route VPP refused to delete: tried again after retryBaseMs unless a
   * new object took its address meanwhile (its add rewrites that same host route).
   */
  private retryHostDelete(oid: number, objVersion: number, retval: number): void {
    this.counters.nhgsFailed++;
    this.lastError = new VppApiError('ip_route_add_del', retval, `deleting host route ${oid}`).message;
    const o = this.withdrawing.get(oid);
    this.withdrawing.delete(oid);
    if (!o || o.version !== objVersion || this.objById.has(oid)) return;
    this.hostDeleteDue.set(oid, { o, due: performance.now() + this.retryBaseMs });
    this.armRetryTimer();
  }

  /** Objects whose host route delete is in flight (for a retry if VPP refuses it). */
  private readonly withdrawing = new Map<number, NhgObject>();

  private armRetryTimer(): void {
    if (this.retryTimer || (this.retries.size === 0 && this.nhgRetryDue.size === 0 && this.lateRetries.size === 0 && this.nhgLateDue.size === 0 && this.hostDeleteDue.size === 0) || this.closed) return;
    let due = Infinity;
    for (const d of this.hostDeleteDue.values()) due = Math.min(due, d.due);
    for (const r of this.retries.values()) due = Math.min(due, r.due);
    for (const r of this.lateRetries.values()) due = Math.min(due, r.due);
    for (const d of this.nhgLateDue.values()) due = Math.min(due, d);
    for (const d of this.nhgRetryDue.values()) due = Math.min(due, d);
    const wait = Math.max(0, due - performance.now());
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pump();
      this.armRetryTimer();
    }, wait);
  }

  private readonly retryView = newRouteView();

  private sendDueRetries(): void {
    const now = performance.now();
    for (const due of [this.nhgRetryDue, this.nhgLateDue]) {
      for (const [id, t] of due) {
        if (!this.client.canSend()) return;
        if (t > now) continue;
        due.delete(id);
        const g = this.nhgs.get(id);
        if (g) this.programNhg(g);
      }
    }
    for (const [oid, d] of this.hostDeleteDue) {
      if (!this.client.canSend()) return;
      if (d.due > now) continue;
      this.hostDeleteDue.delete(oid);
      if (this.objById.has(oid)) continue; // a new object has the address: its add rewrote it
      this.withdrawing.set(oid, d.o);
      this.sendObject(d.o, false, 0, 0);
    }
    for (const map of [this.retries, this.lateRetries]) {
      for (const [key, it] of map) {
        if (!this.client.canSend()) return;
        if (it.due > now) continue;
        map.delete(key);
        const v = this.retryView;
        v.op = it.op;
        v.family = it.family;
        v.table = it.nlTable;
        v.addr.set(it.addr);
        v.len = it.len;
        v.label = it.label;
        v.target = it.target;
        v.nhgId = it.nhgId;
        v.protocol = it.protocol;
        v.lane = it.lane;
        v.handle = it.handle;
        this.onRoute(v, it.attempt);
      }
    }
  }

  // ------------------------------------------------------------------ adoption / status

  /**
   * Stream VPP's routes of one table (ip_route_v2_dump, every source): the basis of adopting
   * what a previous fibpush programmed. The view is reused per row. Resolves with the row count.
   */
  async dumpRoutes(family: 4 | 6, vppTable: number, onRoute: (r: RouteDetailsView) => void): Promise<number> {
    const v = new RouteDetailsView();
    let n = 0;
    await this.client.dumpEach('ip_route_v2_dump', { src: 0, table: { table_id: vppTable, is_ip6: family === 6 } }, (buf, dv, off, len) => {
      n++;
      onRoute(v.fill(buf, dv, off, len, true));
    }, { timeoutMs: 60_000 });
    return n;
  }

  /** The PIC host address of a group (for tests and `status`); undefined for an inline or parked group. */
  hostOf(nhgId: number): { family: 4 | 6; addr: Uint8Array; table: number } | undefined {
    const g = this.nhgs.get(nhgId);
    if (!g) return undefined;
    if (!g.obj) return undefined;
    return { family: g.hostFam, addr: g.obj.host, table: g.hostFam === 6 ? this.picTable6 : this.picTable4 };
  }

  /** Groups parked for want of an interface mapping: id -> missing ifindexes. */
  parked(): Map<number, number[]> {
    const out = new Map<number, number[]>();
    for (const g of this.nhgs.values()) if (g.missing.length > 0) out.set(g.id, g.missing.slice());
    return out;
  }

  status(): VppProgrammerStatus {
    const c = this.client.counters;
    let parked = 0;
    for (const g of this.nhgs.values()) if (g.missing.length > 0) parked++;
    const counters: Record<string, number> = { ...this.counters };
    for (const [k, v] of Object.entries(c)) counters[`client_${k}`] = v;
    for (const [k, v] of Object.entries(this.evpn.counters)) counters[k] = v;
    return {
      kind: 'vpp',
      socket: this.client.socketPath,
      connected: this.client.connected,
      mode: this.mode,
      inFlight: this.client.inFlight,
      routes: this.counters.routesOk - this.counters.routesDeleted,
      nhgs: this.nhgs.size,
      nhgObjects: this.objById.size,
      nhgsParked: parked,
      failures: this.counters.routesFailed,
      lastError: this.lastError,
      retriesPending: this.retries.size,
      retriesAfterFailure: this.lateRetries.size + this.nhgLateDue.size,
      interfaces: this.ifmap.entries().length,
      counters,
    };
  }

  /** The vnet/error.h name for a retval (re-exported for status rendering). */
  static retvalName(rv: number): string {
    return retvalName(rv);
  }
}

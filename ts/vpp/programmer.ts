// The VPP programmer: drains the FIB store's ChangeSource into batched, pipelined VPP API calls and reports every route's result.
//
// Mapping (docs/vpp.md; VPP facts from docs/vpp-api.md and vnet/fib/fib_api.c):
// - Tables and interfaces: program/setup.ts (tables created ahead of their first route; the
//   ifindex -> sw_if_index map from dumps, events and linux-cp).
// - PIC mode (default): every nexthop group becomes one host route (/32 or /128) in a private
//   table per family, shared by every group with the same content (program/objects.ts); its
//   primary legs at preference 0, backup legs at preference 1 (program/groups.ts). Routes get one
//   recursive path to it. Changing a group is one call; VPP's back-walk moves every route.
// - Inline mode: each route carries its group's paths (the group's encoded paths are copied in).
// - Blackhole / unreachable / prohibit: one DROP / ICMP_UNREACH / ICMP_PROHIBIT path.
// - LSPs: mpls_route_add_del, non-EOS and EOS entries, with the group's legs (out-labels on the
//   path; an empty label stack becomes implicit-null 3, i.e. pop).
// - A leg whose Linux interface has no sw_if_index parks its group (nothing guessed); routes of a
//   parked group are held and reported failed; a mapping that appears later releases them.
// - Failed calls: program/retries.ts (bounded backoff, then reported failed and retried late).
// - A new VPP (restart) gets the tables, groups and routes again (ChangeSource.replayAll).
// This file: the pump, group and route changes into calls (the client's typed writers), replies into results.
import { EventEmitter } from 'events';
import { AF_INET6, AF_MPLS, ChangeKind, ChangeSource, NhgView, Op, RouteView, Target } from '../dplane/types';
import { ConnectInfo, ReplySink, VppClient } from './client';
import { RouteDetailsView } from './codec';
import { InterfaceMap, loadInterfaceMap } from './ifmap';
import { dumpRoutes } from './adopt/dump';
import { retvalName, RV, VppApiError } from './errors';
import { PathDigest } from './pathdigest';
import { buildPaths, contentKey, groupFromView, needsInline, NhgState } from './program/groups';
import { MacWriter } from './program/macs';
import { DEFAULT_PIC_TABLE, NhgObject, PicObjects } from './program/objects';
import { retryItem, Retries, RetryItem, RetrySender, routeKey } from './program/retries';
import { PathSelector, RouteTarget, SEL_UNKNOWN } from './program/select';
import { InterfaceWatch, privateTablesMissing, TableFam, Tables } from './program/setup';
import { K_LSP, K_LSP_AUX, K_NHG, K_NHG_DEL, K_ROUTE, K_TABLE, Slots } from './program/slots';
import type { ProgrammerCounters, ProgrammerOptions, ProgrammingMode, VppProgrammerStatus } from './program/types';

export { DEFAULT_PIC_TABLE, PIC6_PREFIX } from './program/objects';
export { IMPLICIT_NULL } from './program/groups';
export type { ProgrammerCounters, ProgrammerOptions, ProgrammingMode, VppProgrammerStatus } from './program/types';

/**
 * Reply bytes kick() takes in at most per call: ~2,000 ip_route_add_del replies (30 bytes each
 * with the header), twice a window of 1,000, so one call can free the whole window.
 */
const POLL_SLICE_BYTES = 64 * 1024;

/**
 * Programs VPP from a ChangeSource. Construct with a (not yet connected) VppClient; start()
 * connects, and every later reconnect is handled here.
 */
export class VppProgrammer extends EventEmitter implements ReplySink {
  readonly kind = 'vpp' as const;
  readonly mode: ProgrammingMode;
  readonly picTable4: number;
  readonly picTable6: number;
  readonly ifmap = new InterfaceMap();
  private readonly tables: Tables;
  private readonly interfaces: InterfaceWatch;
  private readonly maxRetries: number;
  private readonly onRouteResult?: ProgrammerOptions['onRouteResult'];
  private readonly sinkIdx: number;
  private readonly macs: MacWriter;
  private readonly objects: PicObjects;
  private readonly retries: Retries;
  private readonly slots = new Slots(1024);

  private readonly nhgs = new Map<number, NhgState>();
  private readonly sel = new PathSelector(this.nhgs);
  /** Groups to (re)program from the shadow before anything new (mapping changes, resync). */
  private readonly nhgOps: number[] = [];
  private readonly nhgOpSet = new Set<number>();
  /** Routes held for a parked group, when the source cannot re-emit them. */
  private readonly heldCopies = new Map<number, RetryItem[]>();
  /** Failure of the non-EOS half of an LSP, by handle, until its EOS half reports. */
  private readonly lspAuxFailed = new Map<number, string>();

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
    resyncs: 0, connects: 0, supersededRetries: 0, lateRetries: 0, inlineStale: 0, nhgInPlace: 0, objectsNotShared: 0, adoptedRebound: 0, rewritesAvoided: 0, objectsWithdrawn: 0,
    setupFailures: 0, pumpFailures: 0,
  };

  constructor(
    readonly client: VppClient,
    private readonly source: ChangeSource,
    opts: ProgrammerOptions = {},
  ) {
    super();
    this.mode = opts.mode ?? 'pic';
    if (this.mode !== 'pic' && this.mode !== 'inline') throw new Error(`Expected "pic" or "inline" for the VPP programming mode but received "${String(opts.mode)}"`);
    this.tables = new Tables(opts.tableMap);
    this.picTable4 = opts.picTable4 ?? DEFAULT_PIC_TABLE;
    this.picTable6 = opts.picTable6 ?? DEFAULT_PIC_TABLE;
    for (const t of [this.picTable4, this.picTable6]) {
      if (!Number.isInteger(t) || t <= 0 || t >= 0xffffffff) throw new Error(`Expected a PIC table id between 1 and 4294967294 but received "${t}"`);
    }
    this.maxRetries = opts.maxRetries ?? 4;
    this.retries = new Retries(
      { maxRetries: this.maxRetries, retryBaseMs: opts.retryBaseMs ?? 100, retryMaxMs: opts.retryMaxMs ?? 5000 },
      this.counters,
      () => this.pump(),
    );
    this.onRouteResult = opts.onRouteResult;
    const statics = new Map(opts.interfaceMap ?? []);
    if (opts.interfaceMapFile) for (const [k, v] of loadInterfaceMap(opts.interfaceMapFile)) statics.set(k, v);
    this.ifmap.setStatic(statics);
    this.sinkIdx = client.addSink(this);
    const stale = source.nhgStale ? (id: number) => source.nhgStale!(id) : null;
    this.objects = new PicObjects(this.picTable4, this.picTable6, (o, isAdd, id, version) => this.sendObject(o, isAdd, id, version), this.counters, stale);
    this.macs = new MacWriter(client, opts.evpn ?? {}, this.counters,
      (h, ok, err) => this.source.routeResult(h, ok, err),
      (id) => this.nhgs.get(id)?.primary.find((x) => x.gwFamily !== 0)?.gw,
      () => this.checkIdle());
    this.interfaces = new InterfaceWatch(client, this.ifmap, opts.linuxCp ?? true, opts.lcpRefreshMs ?? 10_000, {
      changed: (ifindexes) => this.mappingChanged(ifindexes),
      link: (ifindex, up) => this.emit('link', ifindex, up),
      error: (m) => (this.lastError = m),
    });
    client.on('connect', (info: ConnectInfo) => {
      if (this.started) this.setup = this.onConnected(info);
    });
    client.on('disconnect', () => {
      this.paused = true;
      this.emit('disconnect');
    });
    client.on('drain', () => this.pump());
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
      await this.interfaces.read();
      const restarted = this.firstConnectDone && (info.vpePid !== info.previousVpePid ||
        (this.mode === 'pic' && (await privateTablesMissing(this.client, this.picTable4, this.picTable6))));
      if (this.firstConnectDone && !restarted) {
        // The same VPP: only calls whose outcome was lost with the socket go again (they wait
        // in the retry queue, due now).
        this.emit('reconnect', { restarted: false });
      } else if (restarted) {
        this.resync();
        this.emit('reconnect', { restarted: true });
      }
      this.tables.clear();
      if (this.mode === 'pic') {
        this.ensureTable(4, this.picTable4, 'fibpush-pic-ip4');
        this.ensureTable(6, this.picTable6, 'fibpush-pic-ip6');
      }
      this.firstConnectDone = true;
      this.interfaces.startRefresh();
      this.paused = false;
      this.emit('ready', info);
      this.kick();
    } catch (e) {
      // The connection went away (or VPP refused a setup call): the client reconnects and we
      // come back here. Nothing is programmed meanwhile (paused), so no change is lost.
      this.counters.setupFailures++;
      this.lastError = (e as Error).message;
      this.emit('setup-failed', e);
    }
  }

  /** VPP lost its state: program every table, group and route again. */
  private resync(): void {
    this.counters.resyncs++;
    this.tables.clear();
    this.macs.reset();
    for (const g of this.nhgs.values()) g.programmed = false;
    this.objects.reset();
    if (this.source.replayAll) {
      // The source re-emits every group first, then routes and MACs: pending retries are stale.
      this.retries.clear();
      this.source.replayAll();
    } else {
      for (const id of this.nhgs.keys()) this.queueNhgOp(id);
      if (this.source.reemitRoutesUsing) for (const id of this.nhgs.keys()) this.source.reemitRoutesUsing(id);
    }
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
    return this.srcIdle && this.slots.active === 0 && this.retries.routes.size === 0 && this.retries.groupDue.size === 0 && this.nhgOps.length === 0 &&
      this.objects.orphans.size === 0 && this.macs.pending === 0 && !this.paused;
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.retries.close();
    this.interfaces.close();
    for (const w of this.idleWaiters.splice(0)) w();
    await this.client.close();
  }

  // ------------------------------------------------------------------ interfaces

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
    return this.tables.vppTableOf(nlTable);
  }

  private ensureTable(fam: TableFam, vppTable: number, name?: string): void {
    if (!this.tables.claim(fam, vppTable)) return;
    const label = name ?? `fibpush-${fam === 28 ? 'mpls' : 'ip' + fam}-${vppTable}`;
    const sl = this.slots;
    const s = sl.alloc();
    sl.kind[s] = K_TABLE;
    sl.fam[s] = fam;
    sl.vppTable[s] = vppTable;
    this.counters.tableCalls++;
    try {
      if (fam === 28) this.client.mplsTableAddDel(this.sinkIdx, s, true, vppTable, label);
      else this.client.ipTableAddDel(this.sinkIdx, s, true, vppTable, fam === 6, label);
    } catch (e) {
      sl.release(s);
      this.tables.failed(fam, vppTable);
      throw e;
    }
  }

  // ------------------------------------------------------------------ the pump

  /** What a due retry does (Retries.sendDue). */
  private readonly retrySender: RetrySender = {
    canSend: () => this.client.canSend(),
    group: (id) => this.reprogram(id),
    hostDelete: (o) => this.objects.resendDelete(o),
    route: (v, attempt) => {
      try {
        this.onRoute(v, attempt);
      } catch (e) {
        this.routeThrew(v, attempt, e as Error);
      }
    },
  };

  private pump(): void {
    if (this.paused || this.closed || !this.client.connected) return;
    const c = this.client;
    const src = this.source;
    this.pumping = true;
    try {
      // 1. Retries that are due (a route's newest change wins: superseded ones were dropped).
      if (this.retries.any) this.retries.sendDue(this.retrySender);
      // 2. Groups to program again from the shadow (mapping changes, resync without replayAll).
      while (this.nhgOps.length > 0 && c.canSend()) {
        const id = this.nhgOps.shift()!;
        this.nhgOpSet.delete(id);
        this.reprogram(id);
      }
      // 3. New changes, in the store's order (groups before their users).
      this.srcIdle = false;
      while (c.canSend()) {
        const k = src.next();
        if (k === ChangeKind.None) {
          this.srcIdle = true;
          break;
        }
        // The source counts the change as handed out: a throw while writing it must still
        // end in a result for it, and must not stop the changes after it.
        try {
          if (k === ChangeKind.Route) this.onRoute(src.route, 0);
          else if (k === ChangeKind.Nhg) this.onNhg(src.nhg);
          else if (k === ChangeKind.Mac) this.macs.write(src.mac);
        } catch (e) {
          this.changeThrew(k, e as Error);
        }
      }
      // 4. Objects no group maps onto any more, once every route has moved off them.
      if (this.srcIdle && this.objects.orphans.size > 0) this.objects.withdrawOrphans(() => this.client.canSend());
    } catch (e) {
      // An orphan's withdrawal threw (its delete is retried, sendObject): the next pump goes on.
      this.pumpFailed(e as Error, 'pump');
    } finally {
      this.pumping = false;
    }
    // The client writes the batch once this turn's work is done (one socket write).
    this.checkIdle();
  }

  private pumpFailed(e: Error, what: string): void {
    this.counters.pumpFailures++;
    this.lastError = `programming ${what} failed: ${e.message}`;
    this.emit('pump-failed', e, what);
  }

  /** Writing the change the source just handed out threw: it gets a result all the same. */
  private changeThrew(k: ChangeKind, e: Error): void {
    const src = this.source;
    if (k === ChangeKind.Route) {
      this.routeThrew(src.route, 0, e);
      return;
    }
    if (k === ChangeKind.Nhg) {
      // Its shadow is stored before anything is written: it is programmed again from there.
      this.groupThrew(src.nhg.op === Op.Set ? src.nhg.id : -1, e);
      return;
    }
    this.pumpFailed(e, 'EVPN MAC');
    src.routeResult(src.mac.handle, false, `EVPN MAC not programmed: ${e.message}`);
  }

  /** A group programmed again from its shadow (a retry, a mapping change). */
  private reprogram(id: number): void {
    const g = this.nhgs.get(id);
    if (!g) return;
    try {
      this.programNhg(g);
    } catch (e) {
      this.groupThrew(id, e as Error);
    }
  }

  /** Programming group `id` threw: retried like a host route VPP refused. */
  private groupThrew(id: number, e: Error): void {
    this.pumpFailed(e, `nexthop group ${id}`);
    const g = this.nhgs.get(id);
    if (g && !g.fdb) this.retryNhg(g, `programming failed: ${e.message}`, false);
  }

  /**
   * Writing route `r` threw (attempt `attempt`): retried like a call VPP refused, and reported
   * failed (RTM_F_OFFLOAD_FAILED) once its retries are spent.
   */
  private routeThrew(r: RouteView, attempt: number, e: Error): void {
    this.pumpFailed(e, 'a route');
    const isMpls = r.family === AF_MPLS;
    const vppTable = isMpls ? 0 : this.tables.vppTableOf(r.table);
    const msg = `programming failed: ${e.message}`;
    if (this.retries.routeFailed(isMpls ? K_LSP : K_ROUTE, r, vppTable, attempt, msg, false)) this.reportNow(r, false, msg);
  }

  // ------------------------------------------------------------------ groups

  private onNhg(v: NhgView): void {
    if (v.op === Op.Del) {
      const g = this.nhgs.get(v.id);
      this.nhgs.delete(v.id);
      this.heldCopies.delete(v.id);
      if (g) this.objects.unmap(g);
      return;
    }
    const g = groupFromView(v, this.nhgs.get(v.id), this.mode === 'inline');
    this.nhgs.set(v.id, g);
    this.retries.groupReplaced(v.id);
    if (g.fdb) return; // L2 group: VTEPs for EVPN MACs, nothing to program by itself
    this.programNhg(g);
  }

  /** Program (or park) a group from its shadow. */
  private programNhg(g: NhgState): void {
    const wasParked = g.missing.length > 0 || g.invalid !== null;
    if (!buildPaths(g, this.ifmap)) {
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
    g.inline = needsInline(g, this.mode === 'inline');
    g.key = contentKey(g.hostFam, g.paths!);
    // Routes that pointed at a host route must move to inline paths, or to another object: re-sent below.
    let moved = hadPaths && wasInline !== g.inline;
    if (g.inline) this.objects.unmap(g);
    else if (this.objects.map(g)) moved = hadPaths;
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
      this.retries.requeue(copies);
    }
    // Written last: should the write throw, the group's state above is whole and it is retried.
    if (g.obj && !g.obj.programmed) this.objects.write(g.obj, g);
  }

  /** An object's host route: an add with its paths (for group `nhgId` at `nhgVersion`), or a delete. */
  private sendObject(o: NhgObject, isAdd: boolean, nhgId: number, nhgVersion: number): void {
    const table = o.hostFam === 6 ? this.picTable6 : this.picTable4;
    this.ensureTable(o.hostFam, table);
    const sl = this.slots;
    const s = sl.alloc();
    sl.kind[s] = isAdd ? K_NHG : K_NHG_DEL;
    // The zebra id and its version (a failed add is retried for that group), and the object.
    sl.nhg[s] = nhgId;
    sl.seq[s] = nhgVersion;
    sl.vppTable[s] = o.oid;
    sl.label[s] = o.version;
    this.counters.nhgCalls++;
    try {
      this.client.ipRouteAddDel(this.sinkIdx, s, isAdd, table, o.hostFam === 6, o.host, o.hostFam === 6 ? 128 : 32, o.paths, isAdd ? o.nPaths : 0);
    } catch (e) {
      sl.release(s);
      // A delete that never went out is tried again like one VPP refused (an add: its group retries).
      if (!isAdd) {
        const d = this.objects.deleteFailed(o.oid, o.version);
        if (d) this.retries.hostDeleteFailed(d);
      }
      throw e;
    }
  }

  // ------------------------------------------------------------------ adoption's hooks (adopt/adopt.ts)
  // Host routes found in the private tables, by path digest: a group with those paths takes one
  // over as its object, writing nothing, whatever id zebra gives it now (program/objects.ts).

  offerAdoptedHost(family: 4 | 6, oid: number, digest: PathDigest): void {
    this.objects.offerAdopted(family, oid, digest);
  }

  /** Adopted host routes with the same paths as another (a group claims those only knowing its routes' host). */
  adoptedHostsShared(): { family: 4 | 6; oid: number }[] {
    return this.objects.adoptedShared();
  }

  adoptedGroupHosts(m: Map<number, { family: 4 | 6; oid: number }>): void {
    this.objects.setAdoptedGroupHosts(m);
  }

  /**
   * Adoption found a route of group `nhgId` that VPP forwards through adopted host route `oid`,
   * which no group claimed: the group takes it over if its own object is new and unused
   * (PicObjects.rebindAdopted), one write. Returns true when it did (the route's expected paths changed).
   */
  rebindAdopted(nhgId: number, family: 4 | 6, oid: number): boolean {
    const g = this.nhgs.get(nhgId);
    if (!g) return false;
    const x = this.objects.get(oid);
    if (x && x.hostFam === family && x.refs === 1) {
      // Claimed by another group with the same paths: the two may trade (PicObjects.swapAdopted).
      const gx = this.nhgs.get(x.users[0]);
      return gx !== undefined && this.objects.swapAdopted(g, gx, oid);
    }
    if (!this.objects.rebindAdopted(g, family, oid)) return false;
    this.objects.write(g.obj!, g);
    return true;
  }

  /** Adoption found route(s) of group `nhgId` unchanged in VPP: they go through its object. */
  routedThrough(nhgId: number): void {
    const o = this.nhgs.get(nhgId)?.obj;
    if (o) o.routed = true;
  }

  /** Whether an object holds host route `oid` of `family` (adoption withdraws the others). */
  ownsHost(family: 4 | 6, oid: number): boolean {
    return this.objects.owns(family, oid);
  }

  dropAdopted(keep: readonly number[] = []): void {
    this.objects.dropAdopted(keep);
  }

  /** VPP's routes of one table, every source (adopt/dump.ts); resolves with the row count. */
  dumpRoutes(family: 4 | 6, vppTable: number, onRoute: (r: RouteDetailsView) => void): Promise<number> {
    return dumpRoutes(this.client, family, vppTable, onRoute);
  }

  // ------------------------------------------------------------------ routes

  private onRoute(r: RouteView, attempt: number): void {
    const isMpls = r.family === AF_MPLS;
    const vppTable = isMpls ? 0 : this.tables.vppTableOf(r.table);
    if (attempt === 0 && (this.retries.routes.size > 0 || this.retries.late.size > 0)) {
      if (this.retries.supersede(routeKey(r.family, vppTable, r.addr, r.len, r.label))) this.counters.supersededRetries++;
    }
    let paths: Uint8Array | null = null;
    let nPaths = 0;
    if (r.op === Op.Set && r.prevNhgId !== 0 && r.target === Target.Nhg && this.sel.sameForwarding(r.prevNhgId, r.nhgId)) {
      // zebra moved the route to a group that forwards exactly like the one VPP holds it with (a
      // renumbered replay): VPP already forwards it so.
      this.counters.rewritesAvoided++;
      const o = this.nhgs.get(r.nhgId)?.obj;
      if (o) o.used = o.routed = true; // the route VPP holds goes through it
      this.reportNow(r, true);
      return;
    }
    if (r.op === Op.Set) {
      const g = this.sel.select(r);
      if (g === SEL_UNKNOWN) {
        this.reportNow(r, false, `nexthop group ${r.nhgId} is unknown to the VPP programmer`);
        return;
      }
      if (g !== null) {
        this.hold(g, r, vppTable);
        return;
      }
      paths = this.sel.paths;
      nPaths = this.sel.n;
      if (r.target === Target.Nhg && !isMpls) {
        const o = this.nhgs.get(r.nhgId)?.obj;
        if (o) o.used = o.routed = true;
      }
    }
    const c = this.client;
    const sl = this.slots;
    const isAdd = r.op === Op.Set;
    if (isMpls) {
      this.ensureTable(28, 0);
      // Two entries per local label (VPP keys MPLS entries by label and EOS bit): non-EOS first,
      // then EOS, whose reply reports the route (replies come in order). EOS payload protocol:
      // that of the first leg's next hop (mpls.api mr_eos_proto).
      const eosProto = this.sel.eosProto(r);
      for (let e = 0; e < 2; e++) {
        const eos = e === 1;
        const s = sl.alloc();
        sl.fillRoute(s, eos ? K_LSP : K_LSP_AUX, r, 0, attempt);
        this.counters.lspCalls++;
        try {
          c.mplsRouteAddDel(this.sinkIdx, s, isAdd, 0, r.label, eos, eosProto, paths, nPaths);
        } catch (err) {
          sl.release(s);
          throw err;
        }
      }
      return;
    }
    if (isAdd) this.ensureTable(r.family === AF_INET6 ? 6 : 4, vppTable);
    const s = sl.alloc();
    sl.fillRoute(s, K_ROUTE, r, vppTable, attempt);
    try {
      c.ipRouteAddDel(this.sinkIdx, s, isAdd, vppTable, r.family === AF_INET6, r.addr, r.len, paths, nPaths);
    } catch (err) {
      sl.release(s);
      throw err;
    }
  }

  /**
   * The digest (pathdigest.ts) of the paths a Set of IP route `r` would write now; false when it
   * would not be written as it is (its group unknown, parked or invalid). Adoption compares it
   * with what VPP reports, so an unchanged route is not written again.
   */
  expectedDigest(r: RouteTarget, out: PathDigest): boolean {
    return this.sel.expectedDigest(r, out);
  }

  /** A route whose group is parked: not sent; reported failed until the group is released. */
  private hold(g: NhgState, r: RouteView, vppTable: number): void {
    g.held = true;
    this.counters.routesHeld++;
    if (!this.source.reemitRoutesUsing) {
      let list = this.heldCopies.get(g.id);
      if (!list) this.heldCopies.set(g.id, (list = []));
      list.push(retryItem(r.family === AF_MPLS ? K_LSP : K_ROUTE, r, vppTable, 0, ''));
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

  // ------------------------------------------------------------------ replies (ReplySink)

  reply(token: number, retval: number): void {
    const s = token;
    const sl = this.slots;
    const kind = sl.kind[s];
    switch (kind) {
      case K_TABLE: {
        if (retval === 0) this.tables.confirmed(sl.fam[s], sl.vppTable[s]);
        else {
          // Not created: the next route for it asks again (and that route's own error is retried).
          this.tables.failed(sl.fam[s], sl.vppTable[s]);
          this.counters.tableErrors++;
          this.lastError = new VppApiError(sl.fam[s] === 28 ? 'mpls_table_add_del' : 'ip_table_add_del', retval, `table ${sl.vppTable[s]}`).message;
        }
        sl.release(s);
        break;
      }
      case K_NHG:
      case K_NHG_DEL:
        this.objectReply(s, kind, retval, null);
        break;
      case K_ROUTE:
      case K_LSP:
      case K_LSP_AUX:
        // Deleting a route VPP does not have (its table gone: NO_SUCH_FIB) leaves what a delete wants.
        this.routeReply(s, kind, retval === 0 || (retval === RV.NO_SUCH_FIB && sl.op[s] === Op.Del) ? null : new VppApiError(kind === K_ROUTE ? 'ip_route_add_del' : 'mpls_route_add_del', retval));
        break;
      default:
        sl.release(s);
    }
    this.afterReply();
  }

  fail(token: number, err: Error): void {
    const s = token;
    const sl = this.slots;
    const kind = sl.kind[s];
    if (kind === K_ROUTE || kind === K_LSP || kind === K_LSP_AUX) this.routeReply(s, kind, err);
    else if (kind === K_NHG || kind === K_NHG_DEL) this.objectReply(s, kind, 0, err);
    else {
      if (kind === K_TABLE) this.tables.failed(sl.fam[s], sl.vppTable[s]);
      sl.release(s);
    }
    this.afterReply();
  }

  /**
   * A host route call's outcome (`err`: no reply). A failed write leaves the object not in VPP as
   * written, and the group that wrote it retries; a failed delete is tried again.
   */
  private objectReply(s: number, kind: number, retval: number, err: Error | null): void {
    const sl = this.slots;
    const id = sl.nhg[s];
    const version = sl.seq[s];
    const oid = sl.vppTable[s];
    const objVersion = sl.label[s];
    sl.release(s);
    if (!err && retval === 0) {
      if (kind === K_NHG) this.retries.groupSucceeded(id);
      else this.objects.deleted(oid);
      return;
    }
    const why = err ?? new VppApiError('ip_route_add_del', retval, kind === K_NHG ? `nexthop group ${id} host route ${oid}` : `deleting host route ${oid}`);
    this.lastError = why.message;
    if (kind === K_NHG_DEL) {
      this.counters.nhgsFailed++;
      // Tried again after retryBaseMs unless a new object took its address meanwhile (its add rewrites it).
      const o = this.objects.deleteFailed(oid, objVersion);
      if (o) this.retries.hostDeleteFailed(o);
      return;
    }
    this.objects.writeFailed(oid, objVersion);
    const g = this.nhgs.get(id);
    if (g && g.version === version) this.retryNhg(g, why.message, err?.name === 'VppDisconnectedError');
    else this.counters.supersededRetries++; // a newer version of the group is on its way and decides
  }

  private retryNhg(g: NhgState, error: string, disconnected: boolean): void {
    this.counters.nhgsFailed++;
    this.lastError = `nexthop group ${g.id}: ${error}`;
    if (this.retries.groupFailed(g.id, disconnected)) return;
    // Given up on: routes sent from now on are held and reported failed instead of resolving to
    // nothing; the group is tried again later, and a success releases them.
    g.invalid = `host route failed: ${error}`;
    this.emit('nhg-failed', g.id, error);
  }

  private afterReply(): void {
    // The client's 'drain' refills the window; here only idleness is noticed.
    if (this.slots.active === 0 && !this.srcIdle) this.kick();
    this.checkIdle();
  }

  private routeReply(s: number, kind: number, err: Error | null): void {
    const sl = this.slots;
    const handle = sl.handle[s];
    if (kind === K_LSP_AUX) {
      if (err) this.lspAuxFailed.set(handle, err.message);
      sl.release(s);
      return;
    }
    if (kind === K_LSP) {
      const aux = this.lspAuxFailed.get(handle);
      if (aux !== undefined) {
        this.lspAuxFailed.delete(handle);
        if (!err) err = new Error(`mpls_route_add_del (non-EOS entry): ${aux}`);
      }
    }
    const v = sl.routeView(s);
    const seq = sl.seq[s];
    const vppTable = sl.vppTable[s];
    const attempt = sl.attempt[s];
    sl.release(s);
    if (!err) {
      if (v.op === Op.Del) this.counters.routesDeleted++;
      this.reportNow(v, true);
      return;
    }
    if (sl.newerInFlight(v, vppTable, seq)) {
      this.counters.supersededRetries++;
      return; // a newer change for this key is on its way and decides
    }
    if (this.retries.routeFailed(kind, v, vppTable, attempt, err.message, err.name === 'VppDisconnectedError')) this.reportNow(v, false, err.message);
  }

  // ------------------------------------------------------------------ status

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
    for (const [k, v] of Object.entries(c) as [string, number][]) counters[`client_${k}`] = v;
    for (const [k, v] of Object.entries(this.macs.evpn.counters as Record<string, number>)) counters[k] = v;
    return {
      kind: 'vpp',
      socket: this.client.socketPath,
      connected: this.client.connected,
      mode: this.mode,
      inFlight: this.client.inFlight,
      routes: this.counters.routesOk - this.counters.routesDeleted,
      nhgs: this.nhgs.size,
      nhgObjects: this.objects.size,
      nhgsParked: parked,
      failures: this.counters.routesFailed,
      lastError: this.lastError,
      retriesPending: this.retries.routes.size,
      retriesAfterFailure: this.retries.late.size + this.retries.groupLateDue.size,
      interfaces: this.ifmap.entries().length,
      counters,
    };
  }

  /** The vnet/error.h name for a retval (re-exported for status rendering). */
  static retvalName(rv: number): string {
    return retvalName(rv);
  }
}

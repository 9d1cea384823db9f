// The generator playing zebra: the model of zebra's FIB (bench/fullfeed/model.ts), its churn, and its FPM client that connects, replays, streams changes, reconnects and restarts as zebra 8.4.4's dplane_fpm_nl does.
//
// zebra's FPM side (zebra/dplane_fpm_nl.c): zebra is the TCP client; after a connect it walks its
// whole FIB (fpm_nhg_send then fpm_rib_send: every nexthop object, then every route) and then
// streams changes; a route update is RTM_DELROUTE + RTM_NEWROUTE in one frame. When the
// connection drops it reconnects on a timer (3 s in 8.4: fpm_reconnect) and walks again. Its
// RIB keeps changing meanwhile: changes made while it is disconnected reach fibpush only through
// the next walk. A restarted zebra numbers nexthop objects afresh (zebra_nhg.c id_counter).
import { FpmEncoder, RTPROT_ZEBRA } from '../../ts/codec/encoder';
import { NO_NH, NexthopObject } from '../../ts/gen/fulltable';
import { Rng } from '../../ts/gen/rng';
import { FamilyIx, FeedModel } from '../fullfeed/model';
import { encodeNexthop, encodeReplace, encodeWithdraw, ZebraSide } from '../fullfeed/zebra';
import type { Player, ChurnFigures } from './player';
import { checkGenerated, FibResult } from './checks';
import { ClientKind, ClientResult, runClient } from './clients';


export interface ChurnCounts {
  replaces: number;
  readds: number;
  withdrawals: number;
  memberChanges: number;
  weightChanges: number;
}

export interface GeneratedZebraOptions {
  port: number;
  model: FeedModel;
  seed: number;
  churnRate: number;
  churnMix: [number, number, number];
  endMarker: boolean;
  /** Milliseconds between reconnect attempts (zebra 8.4: 3000). */
  reconnectMs: number;
}

/** The whole current FIB as zebra's walk sends it: nexthop objects, then routes; the end marker if asked. */
export function encodeState(m: FeedModel, endMarker: boolean): Buffer {
  const e = new FpmEncoder({ initialSize: m.routes * 60 + m.t.nexthops.length * 128 + 1024 });
  for (const o of m.t.nexthops) {
    e.nexthop({ id: o.id, family: o.family, protocol: RTPROT_ZEBRA, gateway: o.gateway, oif: o.oif, blackhole: o.blackhole, group: o.group, backupNhg: o.backupNhg });
  }
  for (const f of [0, 1] as const) {
    const s = m.sets[f];
    const nh = m.nh[f];
    const pr = m.present[f];
    for (let i = 0; i < s.count; i++) {
      if (!pr[i]) continue;
      const k = nh[i];
      if (k === NO_NH) e.routeRawWords(s.family, s.addr, i * s.words, s.len[i], s.proto[i], m.t.table, s.rtype[i], null);
      else e.routeNhgWords(s.family, s.addr, i * s.words, s.len[i], m.obj(k).id, s.proto[i], m.t.table);
    }
  }
  if (endMarker) e.done();
  return e.toBuffer();
}

export class GeneratedZebra {
  readonly m: FeedModel;
  /** performance.now() of each route's last change (0: as loaded), per family. */
  readonly changedAt: [Float64Array, Float64Array];
  /** performance.now() of each nexthop object's last change. */
  readonly objChangedAt: Float64Array;
  /** Last offload notification per route: 0 none/installed, 1 RTM_F_OFFLOAD_FAILED. */
  readonly lastFailed: [Uint8Array, Uint8Array];
  readonly counts: ChurnCounts = { replaces: 0, readds: 0, withdrawals: 0, memberChanges: 0, weightChanges: 0 };
  connects = 0;
  replays = 0;
  offloads = 0;
  offloadFailed = 0;
  unknownNotifications = 0;
  /** Bytes written over every connection. */
  bytesOut = 0;
  private side: ZebraSide | null = null;
  private wanted = false;
  private connecting = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private churnTimer: NodeJS.Timeout | null = null;
  private paused = 0;
  private churnStart = 0;
  private churnDone = 0;
  private readonly rng: Rng;
  private readonly pool: number[] = [];
  private readonly targets: [number[], number[]] = [[], []];
  private readonly groups: number[] = [];
  private readonly original = new Map<number, NexthopObject>();
  private readonly n4: number;
  private idBase = 0;

  constructor(readonly o: GeneratedZebraOptions) {
    this.m = o.model;
    const m = this.m;
    this.rng = new Rng((o.seed ^ 0x50a4) >>> 0);
    this.changedAt = [new Float64Array(m.sets[0].count), new Float64Array(m.sets[1].count)];
    this.objChangedAt = new Float64Array(m.t.nexthops.length);
    this.lastFailed = [new Uint8Array(m.sets[0].count), new Uint8Array(m.sets[1].count)];
    this.n4 = m.sets[0].count;
    // Churn touches BGP routes (what changes in a real table), never the blackholes.
    for (const f of [0, 1] as const) {
      const s = m.sets[f];
      const seen = new Set<number>();
      for (let i = 0; i < s.count; i++) {
        if (s.proto[i] !== 186 || m.nh[f][i] === NO_NH) continue;
        this.pool.push(f * this.n4 + i);
        seen.add(m.nh[f][i]);
      }
      this.targets[f] = [...seen].sort((a, b) => a - b);
    }
    const used = new Set<number>([...this.targets[0], ...this.targets[1]]);
    m.t.nexthops.forEach((ob, k) => {
      if (used.has(k) && ob.group && ob.group.length >= 2) {
        this.groups.push(k);
        this.original.set(k, { ...ob, group: ob.group.map((g) => ({ ...g })) });
      }
    });
  }

  get connected(): boolean {
    return this.side !== null && !this.side.closed;
  }

  /** Starts connecting (and reconnecting whenever the connection drops). */
  start(): void {
    this.wanted = true;
    this.tryConnect();
  }

  /** Drops the connection as a cut cable would; zebra reconnects after `delayMs`. */
  cut(delayMs = this.o.reconnectMs): void {
    this.dropSide();
    if (this.wanted) this.scheduleReconnect(delayMs);
  }

  /** zebra killed: no connection and no reconnects until restart(). */
  kill(): void {
    this.wanted = false;
    this.dropSide();
  }

  /** zebra started again: its nexthop objects get new ids, then it connects and replays. */
  restart(): void {
    // Alternate between two id ranges so that no id of the previous run names another object.
    this.idBase = this.idBase === 0 ? 100_000 : 0;
    const map = new Map<number, number>();
    this.m.t.nexthops.forEach((ob, k) => map.set(ob.id, this.idBase + k + 1));
    const r = (id: number) => map.get(id) as number;
    this.m.renumber(r);
    for (const [k, ob] of this.original) {
      this.original.set(k, { ...ob, id: r(ob.id), group: ob.group?.map((g) => ({ id: r(g.id), weight: g.weight })), backupNhg: ob.backupNhg === undefined ? undefined : r(ob.backupNhg) });
    }
    this.start();
  }

  private dropSide(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.side?.close();
    this.side = null;
  }

  private scheduleReconnect(ms: number): void {
    if (this.reconnectTimer || !this.wanted) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.tryConnect();
    }, ms);
  }

  private tryConnect(): void {
    if (!this.wanted || this.connecting || this.connected) return;
    this.connecting = true;
    ZebraSide.connect(this.o.port, this.m, (f, i, failed) => {
      this.offloads++;
      if (failed) this.offloadFailed++;
      this.lastFailed[f][i] = failed ? 1 : 0;
    }).then(
      (side) => {
        this.connecting = false;
        if (!this.wanted) {
          side.close();
          return;
        }
        this.side = side;
        this.connects++;
        side.sock.once('close', () => {
          this.unknownNotifications += side.unknown;
          if (this.side === side) {
            this.side = null;
            this.scheduleReconnect(this.o.reconnectMs);
          }
        });
        // The walk: everything zebra has now, in one go (the socket buffers what the kernel cannot take yet).
        const bytes = encodeState(this.m, this.o.endMarker);
        this.bytesOut += bytes.length;
        this.replays++;
        side.sock.write(bytes);
      },
      () => {
        this.connecting = false;
        this.scheduleReconnect(this.o.reconnectMs);
      },
    );
  }

  // ---------------------------------------------------------------- churn

  startChurn(): void {
    if (this.churnTimer || this.o.churnRate === 0) return;
    this.churnStart = performance.now();
    this.churnDone = 0;
    const e = new FpmEncoder({ initialSize: 1 << 16 });
    const tick = () => {
      const now = performance.now();
      const due = Math.floor(((now - this.churnStart) / 1000) * this.o.churnRate);
      if (this.paused > 0) {
        this.churnDone = due; // a paused stretch is skipped, not caught up in a burst
        return;
      }
      // At most half a second's worth per tick: a stalled event loop does not turn into a flood.
      const n = Math.min(due - this.churnDone, Math.ceil(this.o.churnRate / 2));
      this.churnDone = due;
      if (n <= 0) return;
      e.reset();
      for (let k = 0; k < n; k++) this.event(e, now);
      const side = this.side;
      if (side && !side.closed) {
        const b = e.toBuffer();
        this.bytesOut += b.length;
        side.sock.write(Buffer.from(b));
      }
    };
    this.churnTimer = setInterval(tick, 10);
  }

  stopChurn(): void {
    if (this.churnTimer) clearInterval(this.churnTimer);
    this.churnTimer = null;
  }

  /** Pauses churn (nested); the FIB then stops moving once fibpush has drained. */
  pause(): void {
    this.paused++;
  }

  resume(): void {
    this.paused = Math.max(0, this.paused - 1);
  }

  /** One change of zebra's FIB: applied to the model, encoded as zebra sends it. */
  private event(e: FpmEncoder, now: number): void {
    const m = this.m;
    const [mr, mw, mg] = this.o.churnMix;
    const x = this.rng.next() * (mr + mw + mg);
    if (x >= mr + mw && this.groups.length > 0) {
      const k = this.groups[this.rng.int(this.groups.length)];
      const cur = m.obj(k);
      const orig = this.original.get(k) as NexthopObject;
      const curLen = cur.group?.length ?? 0;
      const origLen = orig.group?.length ?? 0;
      let next: NexthopObject;
      if (curLen < origLen) {
        next = { ...orig, label: `${orig.label}` }; // the member is back
        this.counts.memberChanges++;
      } else if (origLen >= 3 && this.rng.bool()) {
        next = { ...cur, group: cur.group!.slice(0, -1), label: `${orig.label} -1` }; // a member lost
        this.counts.memberChanges++;
      } else {
        const w = cur.group!.map((g) => g.weight);
        const j0 = this.rng.int(w.length);
        const nw = w.map((v, j) => (j === j0 ? 1 + ((v * 3) % 200) : v));
        if (nw.every((v, j) => v === w[j])) nw[0] = w[0] === 1 ? 2 : 1;
        next = { ...cur, group: cur.group!.map((g, j) => ({ id: g.id, weight: nw[j] })), label: `${orig.label} ~w` };
        this.counts.weightChanges++;
      }
      encodeNexthop(e, next);
      m.setObject(k, next);
      this.objChangedAt[k] = now;
      return;
    }
    const key = this.pool[this.rng.int(this.pool.length)];
    const f: FamilyIx = key < this.n4 ? 0 : 1;
    const i = f === 0 ? key : key - this.n4;
    if (!m.present[f][i]) {
      // Back after a withdrawal.
      const k = m.nh[f][i];
      encodeReplace(e, m, f, i, m.obj(k).id);
      m.replace(f, i, k);
      this.counts.readds++;
    } else if (x >= mr && x < mr + mw) {
      encodeWithdraw(e, m, f, i);
      m.withdraw(f, i);
      this.lastFailed[f][i] = 0;
      this.counts.withdrawals++;
    } else {
      const t = this.targets[f];
      let k = t[this.rng.int(t.length)];
      if (k === m.nh[f][i] && t.length > 1) k = t[(t.indexOf(k) + 1) % t.length];
      encodeReplace(e, m, f, i, m.obj(k).id);
      m.replace(f, i, k);
      this.counts.replaces++;
    }
    this.changedAt[f][i] = now;
  }

  /** When the route last changed (its own update or its group's), performance.now() clock. */
  lastChange(f: FamilyIx, i: number): number {
    const k = this.m.nh[f][i];
    return Math.max(this.changedAt[f][i], k === NO_NH ? 0 : this.objChangedAt[k]);
  }

  /** Present routes whose last offload notification said failed. */
  failedNow(): { count: number; examples: string[] } {
    let count = 0;
    const examples: string[] = [];
    for (const f of [0, 1] as const) {
      const lf = this.lastFailed[f];
      for (let i = 0; i < lf.length; i++) {
        if (!lf[i] || !this.m.present[f][i]) continue;
        count++;
        if (examples.length < 5) examples.push(this.m.prefix(f, i));
      }
    }
    return { count, examples };
  }

  close(): void {
    this.stopChurn();
    this.kill();
  }
}

// ---------------------------------------------------------------- as the soak's Player


/** The generator as the soak's zebra: TCP on loopback from this process, checks against the model. */
export class GeneratedPlayer implements Player {
  readonly name = 'generated (ts/gen/fulltable.ts, as zebra 8.4.4 encodes it)';
  private since: number | null = null;

  constructor(
    readonly z: GeneratedZebra,
    private readonly dpSocket: string,
    private readonly t0: number,
  ) {}

  routes(): number {
    return this.z.m.routes;
  }

  start(): Promise<void> {
    this.z.start();
    return Promise.resolve();
  }

  startChurn(): void {
    this.z.startChurn();
  }

  pause(): void {
    this.z.pause();
  }

  resume(): void {
    this.z.resume();
  }

  away(): Promise<void> {
    this.z.kill();
    return Promise.resolve();
  }

  back(): Promise<void> {
    this.z.start();
    return Promise.resolve();
  }

  kill(): Promise<void> {
    this.z.kill();
    return Promise.resolve();
  }

  restart(): Promise<void> {
    this.z.restart();
    return Promise.resolve();
  }

  client(kind: ClientKind, holdMs: number, seed: number): Promise<ClientResult> {
    return runClient(kind, '127.0.0.1', this.z.o.port, holdMs, seed);
  }

  markBefore(): Promise<void> {
    this.since = performance.now();
    return Promise.resolve();
  }

  check(sinceMark: boolean): Promise<FibResult> {
    return checkGenerated(this.dpSocket, this.z, this.t0, sinceMark ? this.since : null);
  }

  interfaceChanged(sw: number, up: boolean): number {
    const m = this.z.m;
    m.setInterface(sw, up);
    // Groups in use whose primary legs are all down and whose backup has a leg up.
    let n = 0;
    for (const k of new Set([...m.nh[0], ...m.nh[1]])) {
      if (k === NO_NH) continue;
      const o = m.obj(k);
      if (o.backupNhg === undefined) continue;
      const prim = m.legs(o) ?? [];
      if (prim.length > 0 && prim.every((l) => m.swDown.has(l.sw))) n++;
    }
    return n;
  }

  figures(): ChurnFigures {
    return { counts: { ...this.z.counts }, offloads: this.z.offloads, offloadFailed: this.z.offloadFailed, connects: this.z.connects };
  }

  close(): Promise<void> {
    this.z.close();
    return Promise.resolve();
  }
}

// The programmer's calls in flight, one slot per call (the client's token is the slot index): what each
// was for, so a reply can be reported against its route, group or table without an object per route.
import { AF_INET, AF_INET6, AF_MPLS, Family, Lane, Op, RouteView, Target } from '../../dplane/types';

// Slot kinds (what an in-flight call was for).
export const K_ROUTE = 1;
/** An LSP's EOS entry: carries the result. */
export const K_LSP = 2;
/** An LSP's non-EOS entry. */
export const K_LSP_AUX = 3;
/** A PIC object's host route add: nhg = the zebra id, seq = its version, vppTable = the object id, label = the object's version. */
export const K_NHG = 4;
export const K_NHG_DEL = 5;
/** A table create: fam (4, 6, 28 = MPLS), vppTable. */
export const K_TABLE = 6;

export function newRouteView(): RouteView {
  return {
    op: Op.Set, family: AF_INET, table: 0, addr: new Uint8Array(16), len: 0, label: 0,
    target: Target.Nhg, nhgId: 0, prevNhgId: 0, protocol: 0, lane: Lane.Connected, handle: 0,
  };
}

/** Struct of arrays, grown by doubling; freed slots are reused. */
export class Slots {
  cap = 0;
  /** Slots in use. */
  active = 0;
  private readonly free: number[] = [];
  private seqNo = 0;
  kind = new Uint8Array(0);
  op = new Uint8Array(0);
  fam = new Uint8Array(0);
  vppTable = new Uint32Array(0);
  nlTable = new Uint32Array(0);
  /** 16 bytes per slot. */
  addr = new Uint8Array(0);
  len = new Uint8Array(0);
  label = new Uint32Array(0);
  target = new Uint8Array(0);
  nhg = new Float64Array(0);
  proto = new Uint8Array(0);
  lane = new Uint8Array(0);
  handle = new Float64Array(0);
  attempt = new Uint8Array(0);
  /** Send order of route calls (a newer call for the same key decides); a group's version for K_NHG. */
  seq = new Float64Array(0);

  private readonly view = newRouteView();

  constructor(n: number) {
    this.grow(n);
  }

  private grow(n: number): void {
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
    this.kind = g8(this.kind);
    this.op = g8(this.op);
    this.fam = g8(this.fam);
    this.vppTable = g32(this.vppTable);
    this.nlTable = g32(this.nlTable);
    this.addr = g8(this.addr, 16);
    this.len = g8(this.len);
    this.label = g32(this.label);
    this.target = g8(this.target);
    this.nhg = g64(this.nhg);
    this.proto = g8(this.proto);
    this.lane = g8(this.lane);
    this.handle = g64(this.handle);
    this.attempt = g8(this.attempt);
    this.seq = g64(this.seq);
    for (let i = cap - 1; i >= old; i--) this.free.push(i);
    this.cap = cap;
  }

  alloc(): number {
    if (this.free.length === 0) this.grow(this.cap * 2);
    const s = this.free.pop()!;
    this.seq[s] = ++this.seqNo;
    this.attempt[s] = 0;
    this.active++;
    return s;
  }

  release(s: number): void {
    this.kind[s] = 0;
    this.free.push(s);
    this.active--;
  }

  fillRoute(s: number, kind: number, r: RouteView, vppTable: number, attempt: number): void {
    this.kind[s] = kind;
    this.op[s] = r.op;
    this.fam[s] = r.family;
    this.vppTable[s] = vppTable;
    this.nlTable[s] = r.table;
    const o = s * 16;
    for (let i = 0; i < 16; i++) this.addr[o + i] = r.addr[i] ?? 0;
    this.len[s] = r.len;
    this.label[s] = r.label;
    this.target[s] = r.target;
    this.nhg[s] = r.nhgId;
    this.proto[s] = r.protocol;
    this.lane[s] = r.lane;
    this.handle[s] = r.handle;
    this.attempt[s] = attempt;
  }

  /** The slot's route as a RouteView (one reused view: valid until the next call). */
  routeView(s: number): RouteView {
    const v = this.view;
    v.op = this.op[s];
    v.family = this.fam[s] as Family;
    v.table = this.nlTable[s];
    const a = v.addr;
    const sa = this.addr;
    const o = s * 16;
    for (let i = 0; i < 16; i++) a[i] = sa[o + i]; // no subarray view per reply
    v.len = this.len[s];
    v.label = this.label[s];
    v.target = this.target[s];
    v.nhgId = this.nhg[s];
    v.protocol = this.proto[s];
    v.lane = this.lane[s];
    v.handle = this.handle[s];
    return v;
  }

  /** Whether a call for the same route key as `v`, sent after `seq`, is still in flight (it decides). */
  newerInFlight(v: RouteView, vppTable: number, seq: number): boolean {
    if (this.active === 0) return false;
    for (let i = 0; i < this.cap; i++) {
      const k = this.kind[i];
      if ((k !== K_ROUTE && k !== K_LSP) || this.seq[i] <= seq || this.fam[i] !== v.family) continue;
      if (v.family === AF_MPLS) {
        if (this.label[i] === v.label) return true;
        continue;
      }
      if (this.vppTable[i] !== vppTable || this.len[i] !== v.len) continue;
      const n = v.family === AF_INET6 ? 16 : 4;
      let same = true;
      for (let j = 0; j < n && same; j++) same = this.addr[i * 16 + j] === v.addr[j];
      if (same) return true;
    }
    return false;
  }
}

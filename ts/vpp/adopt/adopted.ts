// The routes adoption found in VPP, one compact open-addressing table per family: a lookup touches one record of 32 bytes.
//
// VPP dumps its routes in its own hash order, zebra replays them in prefix order: every lookup of a
// replayed route lands on a random record. With a million routes that is memory-latency bound, so
// each record keeps all that adoption reads of it together (key, prefix length, table index, path
// digest, PIC host) in 8 consecutive u32 words, instead of a column per field.
//
// Record: IPv4 [addr, meta, digestA, digestB, host, -, -, -]; IPv6 [a0, a1, a2, a3, meta, digestA,
// digestB, host]. meta = USED | tableIndex << 8 | prefixLength; a taken record keeps USED|TAKEN
// (a tombstone: probes go on past it) until the table is rebuilt. host = PIC host key + 1, 0 = none.

const REC = 8;
const USED = 0x80000000;
const TAKEN = 0x40000000;

export class AdoptedRoutes {
  /** Records in use and not taken. */
  size = 0;
  private used = 0;
  private rec: Uint32Array;
  private mask: number;
  private readonly metaAt: number;
  /** Set by take(): the taken record's digest and host. */
  a = 0;
  b = 0;
  host = 0;

  constructor(
    private readonly words: 1 | 4,
    capacity = 1024,
  ) {
    this.metaAt = words === 1 ? 1 : 4;
    const slots = slotsFor(capacity);
    this.rec = new Uint32Array(slots * REC);
    this.mask = slots - 1;
  }

  /** Room for `n` routes without a rebuild. */
  reserve(n: number): void {
    const slots = slotsFor(n);
    if (slots > this.mask + 1) this.rebuild(slots);
  }

  add(k: Uint32Array, len: number, tbl: number, a: number, b: number, host: number): void {
    if ((this.used + 1) * 2 > this.mask + 1) this.rebuild((this.mask + 1) * 2);
    const meta = (USED | (tbl << 8) | len) >>> 0;
    const r = this.rec;
    let o = this.find(k, meta);
    if (o >= 0) {
      if ((r[o + this.metaAt] & TAKEN) !== 0) this.size++;
    } else {
      o = -o - 1;
      for (let w = 0; w < this.words; w++) r[o + w] = k[w];
      this.size++;
      this.used++;
    }
    r[o + this.metaAt] = meta;
    this.setValue(o, a, b, host);
  }

  /** Takes the route out (its digest and host in a, b, host): false when there is none. */
  take(k: Uint32Array, len: number, tbl: number): boolean {
    if (this.size === 0) return false;
    const meta = (USED | (tbl << 8) | len) >>> 0;
    const o = this.find(k, meta);
    if (o < 0) return false;
    const r = this.rec;
    const m = r[o + this.metaAt];
    if ((m & TAKEN) !== 0) return false;
    r[o + this.metaAt] = (m | TAKEN) >>> 0;
    const v = o + this.metaAt + 1;
    this.a = r[v];
    this.b = r[v + 1];
    this.host = r[v + 2];
    this.size--;
    return true;
  }

  /** The record of this key (taken or not), or -(offset of the empty slot that ends its probe) - 1. */
  private find(k: Uint32Array, meta: number): number {
    const r = this.rec;
    for (let s = this.home(k, meta); ; s = (s + 1) & this.mask) {
      const o = s * REC;
      const m = r[o + this.metaAt];
      if (m === 0) return -o - 1;
      if ((m & ~TAKEN) >>> 0 === meta && this.same(o, k)) return o;
    }
  }

  /** Calls fn for every route not taken; fn returns true to take it out. */
  sweep(fn: (k: Uint32Array, len: number, tbl: number, host: number) => boolean): void {
    const r = this.rec;
    const k = new Uint32Array(this.words);
    for (let s = 0; s <= this.mask; s++) {
      const o = s * REC;
      const m = r[o + this.metaAt];
      if ((m & USED) === 0 || (m & TAKEN) !== 0) continue;
      for (let w = 0; w < this.words; w++) k[w] = r[o + w];
      if (fn(k, m & 0xff, (m >>> 8) & 0x3fffff, r[o + this.metaAt + 3])) {
        r[o + this.metaAt] = (m | TAKEN) >>> 0;
        this.size--;
      }
    }
  }

  clear(): void {
    this.rec.fill(0);
    this.size = 0;
    this.used = 0;
  }

  private setValue(o: number, a: number, b: number, host: number): void {
    const v = o + this.metaAt + 1;
    this.rec[v] = a;
    this.rec[v + 1] = b;
    this.rec[v + 2] = host;
  }

  private same(o: number, k: Uint32Array): boolean {
    const r = this.rec;
    for (let w = 0; w < this.words; w++) if (r[o + w] !== k[w]) return false;
    return true;
  }

  private home(k: Uint32Array, meta: number): number {
    let h = Math.imul(meta ^ 0x9e3779b9, 0x85ebca6b);
    for (let w = 0; w < this.words; w++) {
      h = Math.imul(h ^ k[w], 0xcc9e2d51);
      h ^= h >>> 15;
    }
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) & this.mask;
  }

  private rebuild(slots: number): void {
    const old = this.rec;
    const oldSlots = this.mask + 1;
    this.rec = new Uint32Array(slots * REC);
    this.mask = slots - 1;
    this.size = 0;
    this.used = 0;
    const k = new Uint32Array(this.words);
    for (let s = 0; s < oldSlots; s++) {
      const o = s * REC;
      const m = old[o + this.metaAt];
      if ((m & USED) === 0 || (m & TAKEN) !== 0) continue;
      for (let w = 0; w < this.words; w++) k[w] = old[o + w];
      const v = o + this.metaAt + 1;
      this.add(k, m & 0xff, (m >>> 8) & 0x3fffff, old[v], old[v + 1], old[v + 2]);
    }
  }
}

/** A power of two at least twice n (load <= 1/2: short probes). */
function slotsFor(n: number): number {
  let s = 16;
  while (s < n * 2) s *= 2;
  return s;
}

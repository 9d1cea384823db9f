// The routes adoption found in VPP, one compact table per family, matched against zebra's replay
// by a merge rather than a hash.
//
// VPP dumps its routes in its own hash order; zebra replays each table in prefix order (a walk of
// its route table: a prefix before its more-specifics, then the next address). A hash table of a
// million adopted routes made every lookup of a replayed route a random access into ~64 MB:
// ~360 ns a route against a real VPP, a third of a second on the reconcile's critical path. Here
// the dump appends records (sequential writes), the first lookup sorts them once by (table, address,
// prefix length) with a radix sort, and each lookup gallops from where the last one ended: zebra's
// replay walks the records in order, a few comparisons each; any other order still finds every
// route in O(log n).
//
// Columns per record: the address words, meta = TAKEN | tableIndex << 8 | prefixLength, and the
// value words [digestA, digestB, host] (host = PIC host record, 0 = none). A taken record keeps
// its place with the TAKEN bit.

const TAKEN = 0x40000000;
const META_MASK = 0x3fffffff;

export class AdoptedRoutes {
  /** Records not taken (see add() for a key added twice before a lookup). */
  size = 0;
  /** Records, taken ones included. */
  private n = 0;
  /** The address words, a column each. */
  private keys: Uint32Array[];
  private meta: Uint32Array;
  /** Value columns: digest A, digest B, PIC host record. */
  private va: Uint32Array;
  private vb: Uint32Array;
  private vh: Uint32Array;
  /** Records are in (table, address, length) order, without duplicates. */
  private sorted = true;
  /** Where the last lookup ended. */
  private cur = 0;
  private readonly probe: Uint32Array;
  /** Set by take(): the taken record's digest and host. */
  a = 0;
  b = 0;
  host = 0;

  constructor(
    private readonly words: 1 | 4,
    capacity = 1024,
  ) {
    const c = Math.max(16, capacity);
    this.keys = [];
    for (let j = 0; j < words; j++) this.keys.push(new Uint32Array(c));
    this.meta = new Uint32Array(c);
    this.va = new Uint32Array(c);
    this.vb = new Uint32Array(c);
    this.vh = new Uint32Array(c);
    this.probe = new Uint32Array(words);
  }

  /** Room for `n` routes without regrowth. */
  reserve(n: number): void {
    if (n > this.meta.length) this.resize(Math.ceil(n));
  }

  /**
   * Adds a route, or replaces the one with this key. While records wait unsorted (a dump being
   * read), a key added twice is counted twice in `size` until the next lookup sorts them.
   */
  add(k: Uint32Array, len: number, tbl: number, a: number, b: number, host: number): void {
    if (this.sorted && this.n > 0) {
      const at = this.find(k, tbl, len);
      if (at >= 0) {
        if ((this.meta[at] & TAKEN) !== 0) this.size++;
        this.meta[at] = ((tbl << 8) | len) >>> 0;
        this.va[at] = a;
        this.vb[at] = b;
        this.vh[at] = host;
        return;
      }
    }
    if (this.n === this.meta.length) this.resize(this.n * 2);
    const i = this.n++;
    const w = this.words;
    for (let j = 0; j < w; j++) this.keys[j][i] = k[j];
    this.meta[i] = ((tbl << 8) | len) >>> 0;
    this.va[i] = a;
    this.vb[i] = b;
    this.vh[i] = host;
    this.size++;
    if (this.sorted && i > 0 && this.cmp(i - 1, k, tbl, len) >= 0) this.sorted = false;
  }

  /** Takes the route out (its digest and host in a, b, host): false when there is none. */
  take(k: Uint32Array, len: number, tbl: number): boolean {
    if (this.size === 0) return false;
    if (!this.sorted) this.seal();
    const i = this.find(k, tbl, len);
    if (i < 0) return false;
    const m = this.meta[i];
    if ((m & TAKEN) !== 0) return false;
    this.meta[i] = (m | TAKEN) >>> 0;
    this.a = this.va[i];
    this.b = this.vb[i];
    this.host = this.vh[i];
    this.size--;
    return true;
  }

  /** Calls fn for every route not taken; fn returns true to take it out. */
  sweep(fn: (k: Uint32Array, len: number, tbl: number, host: number) => boolean): void {
    if (!this.sorted) this.seal();
    const k = this.probe;
    const w = this.words;
    for (let i = 0; i < this.n; i++) {
      const m = this.meta[i];
      if ((m & TAKEN) !== 0) continue;
      for (let j = 0; j < w; j++) k[j] = this.keys[j][i];
      if (fn(k, m & 0xff, m >>> 8, this.vh[i])) {
        this.meta[i] = (m | TAKEN) >>> 0;
        this.size--;
      }
    }
  }

  clear(): void {
    this.n = 0;
    this.size = 0;
    this.sorted = true;
    this.cur = 0;
  }

  /** Record i against the key: negative when it sorts before, 0 when equal, positive after. */
  private cmp(i: number, k: Uint32Array, tbl: number, len: number): number {
    const m = this.meta[i] & META_MASK;
    const t = m >>> 8;
    if (t !== tbl) return t - tbl;
    const w = this.words;
    for (let j = 0; j < w; j++) {
      const x = this.keys[j][i];
      const y = k[j];
      if (x !== y) return x < y ? -1 : 1;
    }
    return (m & 0xff) - len;
  }

  /** The record of this key, or -1; galloping from the last lookup's place. */
  private find(k: Uint32Array, tbl: number, len: number): number {
    const n = this.n;
    if (n === 0) return -1;
    let at = this.cur < n ? this.cur : n - 1;
    const c = this.cmp(at, k, tbl, len);
    if (c === 0) return this.lastEqual(at, k, tbl, len);
    // Bracket the key between lo (before it) and hi (at or after it), doubling the step.
    let lo: number;
    let hi: number;
    if (c < 0) {
      lo = at;
      let step = 1;
      hi = lo + step;
      while (hi < n && this.cmp(hi, k, tbl, len) < 0) {
        lo = hi;
        step *= 2;
        hi = lo + step;
      }
      if (hi > n) hi = n;
    } else {
      hi = at;
      let step = 1;
      lo = hi - step;
      while (lo >= 0 && this.cmp(lo, k, tbl, len) >= 0) {
        hi = lo;
        step *= 2;
        lo = hi - step;
      }
      if (lo < -1) lo = -1;
    }
    // The first record in (lo, hi] not before the key.
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (this.cmp(mid, k, tbl, len) < 0) lo = mid;
      else hi = mid;
    }
    at = hi;
    this.cur = at < n ? at : n - 1;
    return at < n && this.cmp(at, k, tbl, len) === 0 ? this.lastEqual(at, k, tbl, len) : -1;
  }

  /** Of records with the same key (replaced ones, marked taken, before it) the last: the one that stands. */
  private lastEqual(at: number, k: Uint32Array, tbl: number, len: number): number {
    while (at + 1 < this.n && this.cmp(at + 1, k, tbl, len) === 0) at++;
    this.cur = at;
    return at;
  }

  /**
   * Sorts the records by (table, address, length), then rewrites the columns in that order. Of
   * records with the same key the one added last is kept (a route dumped twice: the later answer).
   */
  private seal(): void {
    const n = this.n;
    const w = this.words;
    const sorted = sortColumns([...this.keys, this.meta], [this.va, this.vb, this.vh], n);
    this.keys = sorted.slice(0, w);
    this.meta = sorted[w];
    this.va = sorted[w + 1];
    this.vb = sorted[w + 2];
    this.vh = sorted[w + 3];
    this.size = n - takeReplaced(this.keys, this.meta, n);
    this.sorted = true;
    this.cur = 0;
  }

  private resize(c: number): void {
    const grow = (a: Uint32Array, size: number): Uint32Array => {
      const b = new Uint32Array(size);
      b.set(a.subarray(0, Math.min(a.length, size)));
      return b;
    };
    this.keys = this.keys.map((k) => grow(k, c));
    this.meta = grow(this.meta, c);
    this.va = grow(this.va, c);
    this.vb = grow(this.vb, c);
    this.vh = grow(this.vh, c);
  }
}

/**
 * Records 0..n-1 of `keyCols` (the key words, then meta) sorted by (table, address words,
 * length), the columns `carried` along: all of them, in sorted order (the arrays keep their
 * length). A stable LSD radix sort on 16-bit digits that moves every column each pass (sequential
 * reads; a pass whose digit is the same for every record is skipped). The loops are small
 * functions of their own: each runs once per pass, and one long-running function would be left
 * to the interpreter.
 */
function sortColumns(keyCols: Uint32Array[], carried: Uint32Array[], n: number): Uint32Array[] {
  const w = keyCols.length - 1;
  let cols: Uint32Array[] = [...keyCols, ...carried];
  let alt: Uint32Array[] = cols.map((c) => new Uint32Array(c.length));
  const count = new Uint32Array(65536);
  const pos = new Uint32Array(n);
  // Least significant first: length, the address words from the last, the table index.
  const digits: [number, number, number][] = [[w, 0, 0xff]];
  for (let j = w - 1; j >= 0; j--) digits.push([j, 0, 0xffff], [j, 16, 0xffff]);
  digits.push([w, 8, 0xffff], [w, 24, 0x3f]);
  for (const [col, shift, mask] of digits) {
    if (!positions(cols[col], shift, mask, n, count, pos)) continue;
    for (let k = 0; k < cols.length; k++) scatter(cols[k], alt[k], pos, n);
    const t = cols;
    cols = alt;
    alt = t;
  }
  return cols;
}

/** Where each record goes when sorted by this digit (stable); false when all have the same digit. */
function positions(src: Uint32Array, shift: number, mask: number, n: number, count: Uint32Array, pos: Uint32Array): boolean {
  count.fill(0);
  for (let i = 0; i < n; i++) count[(src[i] >>> shift) & mask]++;
  if (n === 0 || count[(src[0] >>> shift) & mask] === n) return false;
  let sum = 0;
  for (let d = 0; d <= mask; d++) {
    const c = count[d];
    count[d] = sum;
    sum += c;
  }
  for (let i = 0; i < n; i++) pos[i] = count[(src[i] >>> shift) & mask]++;
  return true;
}

function scatter(from: Uint32Array, to: Uint32Array, pos: Uint32Array, n: number): void {
  for (let i = 0; i < n; i++) to[pos[i]] = from[i];
}

/**
 * Sorted records with the same key are adjacent in the order they were added: all but the last
 * are marked taken. Returns how many records are taken (marked here or before).
 */
function takeReplaced(keys: Uint32Array[], meta: Uint32Array, n: number): number {
  const w = keys.length;
  let taken = 0;
  for (let i = 0; i < n; i++) {
    if ((meta[i] & TAKEN) !== 0) {
      taken++;
      continue;
    }
    if (i + 1 === n || ((meta[i] ^ meta[i + 1]) & META_MASK) !== 0) continue;
    let same = true;
    for (let j = 0; j < w; j++) if (keys[j][i] !== keys[j][i + 1]) same = false;
    if (same) {
      meta[i] = (meta[i] | TAKEN) >>> 0;
      taken++;
    }
  }
  return taken;
}

const BIG_OID = 1 << 22;

/**
 * How many adopted routes point at each PIC host route (family, object id). Counted per route
 * matched, so a typed count per object id (ids count up from 1 in the process that made them),
 * with a Map for ids past 4M.
 */
export class HostRefs {
  private readonly counts: [Uint32Array, Uint32Array] = [new Uint32Array(0), new Uint32Array(0)];
  private readonly big = new Map<number, number>();

  add(family: 4 | 6, oid: number): void {
    if (oid >= BIG_OID) {
      const k = family * 0x100000000 + oid;
      this.big.set(k, (this.big.get(k) ?? 0) + 1);
      return;
    }
    const f = family === 4 ? 0 : 1;
    let c = this.counts[f];
    if (oid >= c.length) {
      const n = new Uint32Array(Math.max(64, oid * 2));
      n.set(c);
      c = this.counts[f] = n;
    }
    c[oid]++;
  }

  drop(family: 4 | 6, oid: number): void {
    if (oid >= BIG_OID) {
      const k = family * 0x100000000 + oid;
      const n = (this.big.get(k) ?? 1) - 1;
      if (n > 0) this.big.set(k, n);
      else this.big.delete(k);
      return;
    }
    const c = this.counts[family === 4 ? 0 : 1];
    if (oid < c.length && c[oid] > 0) c[oid]--;
  }

  has(family: 4 | 6, oid: number): boolean {
    if (oid >= BIG_OID) return this.big.has(family * 0x100000000 + oid);
    const c = this.counts[family === 4 ? 0 : 1];
    return oid < c.length && c[oid] > 0;
  }

  /** The object ids still used, either family. */
  ids(): number[] {
    const out: number[] = [];
    for (const c of this.counts) for (let i = 0; i < c.length; i++) if (c[i] > 0) out.push(i);
    for (const k of this.big.keys()) out.push(k % 0x100000000);
    return out;
  }

  clear(): void {
    this.counts[0] = new Uint32Array(0);
    this.counts[1] = new Uint32Array(0);
    this.big.clear();
  }
}

// Fixed-width-key entry tables: dense per-entry columns in typed arrays plus an open-addressing index.
//
// One KeyTable holds every route of one address family (all tables: the table is part of the key),
// or the MPLS LSPs, or the EVPN MACs. Keys are 1..4 u32 words + a length byte + a u16 table index,
// never strings. Entry ids are stable for the life of an entry (the index may move its slots, the
// entries never move), so an id can be a change handle and a queue link. Memory per entry:
// 4*words + 18 bytes of columns (grown by 1.5x) + one u32 index slot per 1/load entries.

/** Entry flag bits (the `flags` column). Bits 5..7 hold the entry's generation. */
export const enum EF {
  InUse = 1, // slot allocated (in the index)
  Exists = 2, // zebra has this key (a deleted entry stays allocated until its Del is drained)
  Dirty = 4, // on a change queue
  Force = 8, // emit a Set even if the target did not change (protocol change, live re-install)
  Failed = 16, // the dataplane reported a failure for the last change
  GenShift = 5,
  GenMask = 0xe0,
}

/** End of an intrusive list (qnext) and "no handle". */
export const NIL = 0xffffffff;

export const MAX_ENTRIES = (1 << 27) - 1; // ids fit below the handle's family and generation bits

// Index slot: entry id + 1 in the low 27 bits (0 = empty), 5 bits of the key's hash above, so a
// probe reads the entry's key columns (other cache lines) only when those bits match.
const ID_MASK = 0x7ffffff;
const FP_SHIFT = 27;

export class KeyTable {
  readonly words: number;
  /** Entries allocated so far ([0, hi) have been used at least once). */
  hi = 0;
  /** Entries in use. */
  size = 0;
  cap: number;
  key: Uint32Array;
  len: Uint8Array;
  tbl: Uint16Array;
  proto: Uint8Array;
  flags: Uint8Array;
  epoch: Uint8Array;
  /** Current target: 0 none, 1..3 special (Target), >= 4 nexthop-group ref + 4. */
  tgt: Uint32Array;
  /** Target as last handed to the dataplane (0 = not programmed). */
  prog: Uint32Array;
  /** Intrusive queue link: the next handle, or NIL. Also the free-list link of a free entry. */
  qnext: Uint32Array;
  private freeHead = NIL;
  private icap: number;
  private index: Uint32Array; // (fingerprint << 27 | entry id + 1); 0 = empty slot
  /** Fingerprint of the last hash() (its low 5 bits: the slot comes from the high ones). */
  private fp = 0;
  /** Probe key, set by the caller before find/insert. */
  readonly k = new Uint32Array(4);
  kLen = 0;
  kTbl = 0;
  /** Set by insert(): true when the entry was created by this call. */
  created = false;

  constructor(words: number, capHint = 1024) {
    this.words = words;
    this.cap = Math.max(16, capHint | 0);
    this.key = new Uint32Array(this.cap * words);
    this.len = new Uint8Array(this.cap);
    this.tbl = new Uint16Array(this.cap);
    this.proto = new Uint8Array(this.cap);
    this.flags = new Uint8Array(this.cap);
    this.epoch = new Uint8Array(this.cap);
    this.tgt = new Uint32Array(this.cap);
    this.prog = new Uint32Array(this.cap);
    this.qnext = new Uint32Array(this.cap);
    this.icap = indexCapFor(this.cap);
    this.index = new Uint32Array(this.icap);
  }

  /** Bytes held by the columns and the index (for status and the memory bench). */
  bytes(): number {
    return this.cap * (4 * this.words + 1 + 2 + 1 + 1 + 1 + 4 + 4 + 4) + this.icap * 4;
  }

  private hash(): number {
    const k = this.k;
    let h = Math.imul(k[0] ^ ((this.kLen << 16) | this.kTbl), 0x9e3779b1);
    if (this.words > 1) {
      h = Math.imul(h ^ (h >>> 15) ^ k[1], 0x85ebca77);
      if (this.words > 2) {
        h = Math.imul(h ^ (h >>> 13) ^ k[2], 0xc2b2ae3d);
        if (this.words > 3) h = Math.imul(h ^ (h >>> 16) ^ k[3], 0x27d4eb2f);
      }
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d);
    h ^= h >>> 15;
    this.fp = (h & 31) << FP_SHIFT;
    // Multiply-shift range reduction: any index size, not only powers of two.
    return Math.floor(((h >>> 0) * this.icap) / 4294967296);
  }

  private same(id: number): boolean {
    const w = this.words;
    const o = id * w;
    const key = this.key;
    const k = this.k;
    if (key[o] !== k[0]) return false;
    for (let i = 1; i < w; i++) if (key[o + i] !== k[i]) return false;
    return this.len[id] === this.kLen && this.tbl[id] === this.kTbl;
  }

  /** The entry id of the probe key, or -1. */
  find(): number {
    const index = this.index;
    const icap = this.icap;
    let i = this.hash();
    const fp = this.fp;
    for (;;) {
      const v = index[i];
      if (v === 0) return -1;
      if ((v & ~ID_MASK) === fp && this.same((v & ID_MASK) - 1)) return (v & ID_MASK) - 1;
      if (++i === icap) i = 0;
    }
  }

  /** The entry id of the probe key, creating it (flags = InUse, columns zeroed) when absent. */
  insert(): number {
    const index = this.index;
    const icap = this.icap;
    let i = this.hash();
    const fp = this.fp;
    for (;;) {
      const v = index[i];
      if (v === 0) break;
      if ((v & ~ID_MASK) === fp && this.same((v & ID_MASK) - 1)) {
        this.created = false;
        return (v & ID_MASK) - 1;
      }
      if (++i === icap) i = 0;
    }
    this.created = true;
    const id = this.alloc();
    const w = this.words;
    const o = id * w;
    for (let j = 0; j < w; j++) this.key[o + j] = this.k[j];
    this.len[id] = this.kLen;
    this.tbl[id] = this.kTbl;
    if ((this.size + 1) * 4 > this.icap * 3) {
      this.size++;
      this.rebuildIndex(Math.ceil(this.size * 2)); // load 0.75 -> 0.5
    } else {
      index[i] = (fp | (id + 1)) >>> 0;
      this.size++;
    }
    return id;
  }

  private alloc(): number {
    let id: number;
    if (this.freeHead !== NIL) {
      id = this.freeHead;
      this.freeHead = this.qnext[id];
    } else {
      if (this.hi === this.cap) this.grow();
      id = this.hi++;
      if (id >= MAX_ENTRIES) throw new RangeError(`more than ${MAX_ENTRIES} entries in one table`);
    }
    this.flags[id] = (this.flags[id] & EF.GenMask) | EF.InUse;
    this.proto[id] = 0;
    this.epoch[id] = 0;
    this.tgt[id] = 0;
    this.prog[id] = 0;
    this.qnext[id] = NIL;
    return id;
  }

  /** Releases an entry: out of the index, onto the free list, generation bumped. */
  remove(id: number): void {
    const w = this.words;
    const o = id * w;
    for (let j = 0; j < w; j++) this.k[j] = this.key[o + j];
    this.kLen = this.len[id];
    this.kTbl = this.tbl[id];
    const index = this.index;
    const icap = this.icap;
    let i = this.hash();
    while ((index[i] & ID_MASK) !== id + 1) {
      if (index[i] === 0) throw new Error(`KeyTable: entry ${id} not in the index`);
      if (++i === icap) i = 0;
    }
    // Backward-shift deletion (linear probing without tombstones).
    let j = i;
    for (;;) {
      if (++j === icap) j = 0;
      const v = index[j];
      if (v === 0) break;
      const m = (v & ID_MASK) - 1;
      for (let t = 0; t < w; t++) this.k[t] = this.key[m * w + t];
      this.kLen = this.len[m];
      this.kTbl = this.tbl[m];
      const home = this.hash();
      // Move m into the hole at i unless its home lies cyclically in (i, j].
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!inRange) {
        index[i] = v;
        i = j;
      }
    }
    index[i] = 0;
    const g = ((this.flags[id] >>> EF.GenShift) + 1) & 7;
    this.flags[id] = g << EF.GenShift;
    this.qnext[id] = this.freeHead;
    this.freeHead = id;
    this.size--;
  }

  gen(id: number): number {
    return (this.flags[id] >>> EF.GenShift) & 7;
  }

  private grow(): void {
    const n = Math.min(MAX_ENTRIES, Math.max(this.cap + 16, Math.ceil(this.cap * 1.5)));
    const w = this.words;
    this.key = copyInto(new Uint32Array(n * w), this.key);
    this.len = copyInto(new Uint8Array(n), this.len);
    this.tbl = copyInto(new Uint16Array(n), this.tbl);
    this.proto = copyInto(new Uint8Array(n), this.proto);
    this.flags = copyInto(new Uint8Array(n), this.flags);
    this.epoch = copyInto(new Uint8Array(n), this.epoch);
    this.tgt = copyInto(new Uint32Array(n), this.tgt);
    this.prog = copyInto(new Uint32Array(n), this.prog);
    this.qnext = copyInto(new Uint32Array(n), this.qnext);
    this.cap = n;
  }

  private rebuildIndex(icap: number): void {
    this.icap = icap;
    const index = (this.index = new Uint32Array(icap));
    const w = this.words;
    for (let id = 0; id < this.hi; id++) {
      if ((this.flags[id] & EF.InUse) === 0) continue;
      for (let t = 0; t < w; t++) this.k[t] = this.key[id * w + t];
      this.kLen = this.len[id];
      this.kTbl = this.tbl[id];
      let i = this.hash();
      while (index[i] !== 0) if (++i === icap) i = 0;
      index[i] = (this.fp | (id + 1)) >>> 0;
    }
  }
}

/** Index slots for n entries at a load factor of about 0.6 (grown before 0.75). */
function indexCapFor(n: number): number {
  return Math.max(32, Math.ceil(n / 0.6));
}

function copyInto<T extends Uint8Array | Uint16Array | Uint32Array>(dst: T, src: T): T {
  dst.set(src as never);
  return dst;
}

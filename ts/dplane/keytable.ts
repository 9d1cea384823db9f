// Fixed-width-key entry tables: dense per-entry columns in typed arrays plus an open-addressing index.
//
// One KeyTable holds every route of one address family (all tables: the table is part of the key),
// or the MPLS LSPs, or the EVPN MACs. Keys are 1..4 u32 words + a length byte + a u16 table index,
// never strings. Entry ids are stable for the life of an entry (the index may move its slots, the
// entries never move), so an id can be a change handle and a queue link. Memory per entry:
// 4*words + 20 bytes of columns (grown by 2x, or sized once by reserve()) + one u32 index slot per
// 1/load entries (a power of two, doubled past load 0.75).

/** Entry flag bits (the `flags` column). The generation has its own column (gens). */
export const enum EF {
  InUse = 1, // slot allocated (in the index)
  Exists = 2, // zebra has this key (a deleted entry stays allocated until its Del is drained)
  Dirty = 4, // on a change queue
  Force = 8, // emit a Set even if the target did not change (protocol change, live re-install)
  Failed = 16, // the dataplane reported a failure for the last change
  Installed = 32, // the dataplane acknowledged a Set and no Del was handed out since
}

/** End of an intrusive list (qnext) and "no handle". */
export const NIL = 0xffffffff;

/**
 * Word `w` of a prefix of `len` bits, given the address word `a` and bits = len - 32 * w: bits
 * past the prefix cleared (zebra sends host bits as configured; the mirror keys the network).
 */
export function maskWord(a: number, bits: number): number {
  return bits <= 0 ? 0 : bits >= 32 ? a >>> 0 : (a & (0xffffffff << (32 - bits))) >>> 0;
}

export const MAX_ENTRIES = (1 << 27) - 1; // ids fit below the index slot's fingerprint bits

// Index slot: entry id + 1 in the low 27 bits (0 = empty), 5 bits of the key's hash above, so a
// probe reads the entry's key columns (other cache lines) only when those bits match.
const ID_MASK = 0x7ffffff;
const FP_SHIFT = 27;
// Index load: grown (doubled) past 3/4, so it sits between 3/8 and 3/4.
const MAX_LOAD_NUM = 3;
const MAX_LOAD_DEN = 4;
// Columns grow by 2x: half the copying of 1.5x, and the untouched tail of a large column is
// never written, so it costs address space, not RSS, until entries reach it.
const GROWTH = 2;
const TWO32 = 4294967296;

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
  /**
   * Generation of each entry id, bumped when the entry is released: a handle carries it, so a
   * result for a reused id is recognised as stale (16 bits: 65536 reuses before one aliases).
   */
  gens: Uint16Array;
  private freeHead = NIL;
  private icap: number; // a power of two
  private shift: number; // 32 - log2(icap): the home slot is the hash's top bits
  private index: Uint32Array; // (fingerprint << 27 | entry id + 1); 0 = empty slot
  private growAt: number; // size past which the index doubles
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
    this.gens = new Uint16Array(this.cap);
    this.icap = indexCapFor(this.cap);
    this.shift = 32 - Math.log2(this.icap);
    this.index = new Uint32Array(this.icap);
    this.growAt = (this.icap / MAX_LOAD_DEN) * MAX_LOAD_NUM;
  }

  /** Bytes held by the columns and the index (for status and the memory bench). */
  bytes(): number {
    return this.cap * (4 * this.words + 1 + 2 + 1 + 1 + 1 + 4 + 4 + 4 + 2) + this.icap * 4;
  }

  /**
   * Hash of entry `o`'s key in `key` (or of the probe key when key = this.k, o = 0); sets fp.
   * One multiply-xorshift round per word: the home slot takes the top bits, the fingerprint the
   * low ones, and both are mixed from every key bit (prefixes have many zero low bits).
   */
  private hashOf(key: Uint32Array, o: number, len: number, tbl: number): number {
    let h = Math.imul(key[o] ^ Math.imul((len << 16) | tbl, 0x85ebca77), 0x9e3779b1);
    const w = this.words;
    if (w > 1) {
      h = Math.imul(h ^ (h >>> 15) ^ key[o + 1], 0x85ebca77);
      if (w > 2) {
        h = Math.imul(h ^ (h >>> 13) ^ key[o + 2], 0xc2b2ae3d);
        if (w > 3) h = Math.imul(h ^ (h >>> 16) ^ key[o + 3], 0x27d4eb2f);
      }
    }
    h ^= h >>> 15;
    h = Math.imul(h, 0x7feb352d);
    h ^= h >>> 16;
    this.fp = (h & 31) << FP_SHIFT;
    return h >>> this.shift;
  }

  private hash(): number {
    return this.hashOf(this.k, 0, this.kLen, this.kTbl);
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

  /**
   * Sets the probe key to the prefix of `len` bits whose address starts at bytes[off] (4 bytes a
   * word, big-endian), host bits cleared, in table index `tbl`.
   */
  probePrefix(bytes: Uint8Array, off: number, len: number, tbl: number): void {
    const k = this.k;
    const w = this.words;
    for (let j = 0; j < w; j++) {
      const p = off + 4 * j;
      k[j] = maskWord(((bytes[p] << 24) | (bytes[p + 1] << 16) | (bytes[p + 2] << 8) | bytes[p + 3]) >>> 0, len - 32 * j);
    }
    this.kLen = len;
    this.kTbl = tbl;
  }

  /** The entry id of the probe key, or -1. */
  find(): number {
    const index = this.index;
    const mask = this.icap - 1;
    let i = this.hash();
    const fp = this.fp;
    for (;;) {
      const v = index[i];
      if (v === 0) return -1;
      if ((v & ~ID_MASK) === fp && this.same((v & ID_MASK) - 1)) return (v & ID_MASK) - 1;
      i = (i + 1) & mask;
    }
  }

  /**
   * The index slot the probe key's probe starts at (see touch): hashing a window of keys first
   * and then reading all their slots lets the CPU overlap those cache misses.
   */
  home(): number {
    return this.hash();
  }

  /** Reads index slots (the homes of a window of upcoming keys); the result only keeps the loads live. */
  touch(homes: Int32Array, fcs: Uint8Array, fc: number, n: number): number {
    const index = this.index;
    let x = 0;
    for (let q = 0; q < n; q++) if (fcs[q] === fc) x ^= index[homes[q]];
    return x;
  }

  /** The entry id of the probe key, creating it (flags = InUse, columns zeroed) when absent. */
  insert(): number {
    if (this.size >= this.growAt) this.rebuildIndex(this.icap * 2);
    const index = this.index;
    const mask = this.icap - 1;
    let i = this.hash();
    const fp = this.fp;
    for (;;) {
      const v = index[i];
      if (v === 0) break;
      if ((v & ~ID_MASK) === fp && this.same((v & ID_MASK) - 1)) {
        this.created = false;
        return (v & ID_MASK) - 1;
      }
      i = (i + 1) & mask;
    }
    this.created = true;
    const id = this.alloc();
    const w = this.words;
    const o = id * w;
    const key = this.key;
    const k = this.k;
    key[o] = k[0];
    for (let j = 1; j < w; j++) key[o + j] = k[j];
    this.len[id] = this.kLen;
    this.tbl[id] = this.kTbl;
    index[i] = (fp | (id + 1)) >>> 0;
    this.size++;
    return id;
  }

  /** Reserves room for `n` entries in all (columns and index), so filling them never regrows. */
  reserve(n: number): void {
    n = Math.min(MAX_ENTRIES, Math.ceil(n));
    if (n > this.cap) this.resize(n);
    const icap = indexCapFor(n);
    if (icap > this.icap) this.rebuildIndex(icap);
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
    this.flags[id] = EF.InUse;
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
    const key = this.key;
    const index = this.index;
    const mask = this.icap - 1;
    let i = this.hashOf(key, id * w, this.len[id], this.tbl[id]);
    while ((index[i] & ID_MASK) !== id + 1) {
      if (index[i] === 0) throw new Error(`KeyTable: entry ${id} not in the index`);
      i = (i + 1) & mask;
    }
    // Backward-shift deletion (linear probing without tombstones).
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const v = index[j];
      if (v === 0) break;
      const m = (v & ID_MASK) - 1;
      const home = this.hashOf(key, m * w, this.len[m], this.tbl[m]);
      // Move m into the hole at i unless its home lies cyclically in (i, j].
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!inRange) {
        index[i] = v;
        i = j;
      }
    }
    index[i] = 0;
    this.flags[id] = 0;
    this.gens[id] = (this.gens[id] + 1) & 0xffff;
    this.qnext[id] = this.freeHead;
    this.freeHead = id;
    this.size--;
  }

  gen(id: number): number {
    return this.gens[id];
  }

  /** The change handle of entry `id` in family code `fc` (0..3): generation above bit 32, then fc, id. */
  handle(fc: number, id: number): number {
    return this.gens[id] * TWO32 + (((fc << 30) | id) >>> 0);
  }

  /** The entry id a handle names when that entry is still the one it was issued for, else -1. */
  live(handle: number): number {
    const id = handle & 0x3fffffff;
    if (id >= this.hi || (this.flags[id] & EF.InUse) === 0 || this.gens[id] !== Math.floor(handle / TWO32)) return -1;
    return id;
  }

  private grow(): void {
    this.resize(Math.max(this.cap + 16, Math.ceil(this.cap * GROWTH)));
  }

  private resize(n: number): void {
    n = Math.min(MAX_ENTRIES, n);
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
    this.gens = copyInto(new Uint16Array(n), this.gens);
    this.cap = n;
  }

  /**
   * Re-inserts every entry into a fresh index of `icap` slots (a power of two). Walks the
   * columns in id order (sequential reads) and hashes straight from them.
   */
  private rebuildIndex(icap: number): void {
    this.icap = icap;
    this.shift = 32 - Math.log2(icap);
    this.growAt = (icap / MAX_LOAD_DEN) * MAX_LOAD_NUM;
    const index = (this.index = new Uint32Array(icap));
    const mask = icap - 1;
    const w = this.words;
    const key = this.key;
    const len = this.len;
    const tbl = this.tbl;
    const flags = this.flags;
    for (let id = 0; id < this.hi; id++) {
      if ((flags[id] & EF.InUse) === 0) continue;
      let i = this.hashOf(key, id * w, len[id], tbl[id]);
      while (index[i] !== 0) i = (i + 1) & mask;
      index[i] = (this.fp | (id + 1)) >>> 0;
    }
  }
}

/** Index slots for n entries: the power of two that keeps them at or under a load of 0.6. */
function indexCapFor(n: number): number {
  let c = 32;
  while (c * 0.6 < n) c *= 2;
  return c;
}

function copyInto<T extends Uint8Array | Uint16Array | Uint32Array>(dst: T, src: T): T {
  dst.set(src);
  return dst;
}

// One VPP table's prefixes in typed arrays: masked address words and length -> entry (open
// addressing), with longest-prefix match; a million routes cost tens of bytes each.
import { formatAddress, maskWord } from './addr';

/**
 * One VPP table's prefixes: masked address words + length -> entry, open addressing in typed
 * arrays. Entries hold a path-set id (-1 for a special entry with no API route) and flags.
 */
export class PrefixTable {
  readonly words: number;
  cap = 0;
  hi = 0;
  live = 0;
  /** Entries carrying an API route. */
  routes = 0;
  private freeList: number[] = [];
  addr = new Uint32Array(0);
  plen = new Uint8Array(0);
  set = new Int32Array(0);
  flg = new Uint8Array(0);
  private slots = new Int32Array(0);
  private used = 0;
  readonly lenCount: Int32Array;

  constructor(readonly af: 0 | 1) {
    this.words = af === 0 ? 1 : 4;
    this.lenCount = new Int32Array(af === 0 ? 33 : 129);
    this.growEntries(256);
    this.rehash(1024);
  }

  private growEntries(n: number): void {
    const W = this.words;
    const addr = new Uint32Array(n * W);
    addr.set(this.addr);
    const plen = new Uint8Array(n);
    plen.set(this.plen);
    const set = new Int32Array(n).fill(-1);
    set.set(this.set);
    const flg = new Uint8Array(n);
    flg.set(this.flg);
    this.addr = addr;
    this.plen = plen;
    this.set = set;
    this.flg = flg;
    this.cap = n;
  }

  private rehash(n: number): void {
    const old = this.slots;
    this.slots = new Int32Array(n);
    this.used = 0;
    const mask = n - 1;
    for (let i = 0; i < old.length; i++) {
      const v = old[i];
      if (v <= 0) continue;
      const e = v - 1;
      let h = this.hashEntry(e) & mask;
      while (this.slots[h] !== 0) h = (h + 1) & mask;
      this.slots[h] = v;
      this.used++;
    }
  }

  private hashEntry(e: number): number {
    const W = this.words;
    const b = e * W;
    return W === 1 ? hash4(this.addr[b], 0, 0, 0, this.plen[e]) : hash4(this.addr[b], this.addr[b + 1], this.addr[b + 2], this.addr[b + 3], this.plen[e]);
  }

  /** Entry index of the (already masked) prefix, or -1. */
  find(w0: number, w1: number, w2: number, w3: number, len: number): number {
    const mask = this.slots.length - 1;
    let h = hash4(w0, w1, w2, w3, len) & mask;
    const W = this.words;
    for (;;) {
      const v = this.slots[h];
      if (v === 0) return -1;
      if (v > 0) {
        const e = v - 1;
        const b = e * W;
        if (this.plen[e] === len && this.addr[b] === w0 && (W === 1 || (this.addr[b + 1] === w1 && this.addr[b + 2] === w2 && this.addr[b + 3] === w3))) return e;
      }
      h = (h + 1) & mask;
    }
  }

  /** Adds a (masked, absent) prefix; returns its entry index. */
  insert(w0: number, w1: number, w2: number, w3: number, len: number): number {
    if ((this.used + 1) * 2 > this.slots.length) this.rehash(Math.max(1024, nextPow2((this.live + 1) * 4)));
    let e: number;
    if (this.freeList.length > 0) e = this.freeList.pop() as number;
    else {
      if (this.hi === this.cap) this.growEntries(this.cap * 2);
      e = this.hi++;
    }
    const W = this.words;
    const b = e * W;
    this.addr[b] = w0;
    if (W === 4) {
      this.addr[b + 1] = w1;
      this.addr[b + 2] = w2;
      this.addr[b + 3] = w3;
    }
    this.plen[e] = len;
    this.set[e] = -1;
    this.flg[e] = 1;
    const mask = this.slots.length - 1;
    let h = hash4(w0, w1, w2, w3, len) & mask;
    while (this.slots[h] > 0) h = (h + 1) & mask;
    if (this.slots[h] === 0) this.used++;
    this.slots[h] = e + 1;
    this.live++;
    this.lenCount[len]++;
    return e;
  }

  remove(e: number): void {
    const mask = this.slots.length - 1;
    let h = this.hashEntry(e) & mask;
    while (this.slots[h] !== e + 1) h = (h + 1) & mask;
    this.slots[h] = -1;
    this.lenCount[this.plen[e]]--;
    this.flg[e] = 0;
    this.set[e] = -1;
    this.live--;
    this.freeList.push(e);
  }

  /** Longest match for an address (words) no longer than `maxLen`; -1 if none. */
  lpm(a: ArrayLike<number>, maxLen: number): number {
    for (let len = maxLen; len >= 0; len--) {
      if (this.lenCount[len] === 0) continue;
      const e = this.find(
        (a[0] & maskWord(len, 0)) >>> 0,
        this.words === 1 ? 0 : (a[1] & maskWord(len, 1)) >>> 0,
        this.words === 1 ? 0 : (a[2] & maskWord(len, 2)) >>> 0,
        this.words === 1 ? 0 : (a[3] & maskWord(len, 3)) >>> 0,
        len,
      );
      if (e >= 0) return e;
    }
    return -1;
  }

  prefixOf(e: number): string {
    const W = this.words;
    const w = W === 1 ? [this.addr[e], 0, 0, 0] : Array.from(this.addr.subarray(e * 4, e * 4 + 4));
    return `${formatAddress(this.af, w)}/${this.plen[e]}`;
  }
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function hash4(w0: number, w1: number, w2: number, w3: number, len: number): number {
  let h = Math.imul(w0 ^ 0x9e3779b9, 0x85ebca6b) ^ len;
  if (w1 !== 0 || w2 !== 0 || w3 !== 0) {
    h = Math.imul(h ^ w1, 0xc2b2ae35);
    h = Math.imul(h ^ w2, 0x27d4eb2f);
    h = Math.imul(h ^ w3, 0x165667b1);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

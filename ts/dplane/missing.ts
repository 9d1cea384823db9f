// Nexthop ids routes name before zebra has sent them: one small record per missing id.
//
// zebra sends a route's nexthop object before the route (zebra_nhg.c installs the NHE first), so
// in a healthy stream a route names a missing group only for a moment, and a handful of ids at
// once. A full nexthop-group object per missing id (~1 KB with its legs and arrays) would let a
// stream of routes naming distinct never-sent ids grow memory without bound, so a missing id
// is a slot in typed arrays instead: its id, its user count, and an open-addressing index
// (12-20 bytes per id all told). Slots are stable while users remain, so a route's target can
// name one (FibStore: target >= TGT_MISSING); when the id arrives, its routes move to the real
// object in one pass.

const EMPTY = 0;

export class MissingIds {
  /** Slot -> zebra nexthop id. */
  ids = new Uint32Array(64);
  /** Slot -> routes whose target is this slot (0 = free slot). */
  users = new Uint32Array(64);
  /** Live slots. */
  size = 0;
  /** Sum of users over the slots. */
  totalUsers = 0;
  private hi = 0;
  private free: number[] = [];
  // Index: slot + 1 (0 = empty), linear probing, a power of two kept at most half full.
  private index = new Uint32Array(128);
  private mask = 127;

  private static hash(id: number): number {
    return Math.imul(id ^ (id >>> 16), 0x45d9f3b) >>> 0;
  }

  /** The slot of `id`, or -1. */
  find(id: number): number {
    const ix = this.index;
    for (let h = MissingIds.hash(id) & this.mask; ; h = (h + 1) & this.mask) {
      const v = ix[h];
      if (v === EMPTY) return -1;
      if (this.ids[v - 1] === id) return v - 1;
    }
  }

  /** The slot of `id`, created (with no users) when absent. */
  slotFor(id: number): number {
    const s = this.find(id);
    if (s >= 0) return s;
    if ((this.size + 1) * 2 > this.index.length) this.rehash(this.index.length * 2);
    const slot = this.free.length > 0 ? this.free.pop()! : this.hi++;
    if (slot >= this.ids.length) this.grow();
    this.ids[slot] = id;
    this.users[slot] = 0;
    this.size++;
    this.put(id, slot);
    return slot;
  }

  use(slot: number): void {
    this.users[slot]++;
    this.totalUsers++;
  }

  /** One user fewer; the slot is released with its last user. */
  unuse(slot: number): void {
    this.totalUsers--;
    if (--this.users[slot] === 0) this.remove(slot);
  }

  /** Releases `slot` whatever its users (they moved elsewhere); returns how many there were. */
  take(slot: number): number {
    const u = this.users[slot];
    this.totalUsers -= u;
    this.users[slot] = 0;
    this.remove(slot);
    return u;
  }

  /** Bytes of the typed arrays (for sizing). */
  bytes(): number {
    return this.ids.byteLength + this.users.byteLength + this.index.byteLength + this.free.length * 8;
  }

  /** The live ids, smallest first, at most `max`. */
  someIds(max: number): number[] {
    const out: number[] = [];
    for (let s = 0; s < this.hi; s++) if (this.users[s] > 0) out.push(this.ids[s]);
    out.sort((a, b) => a - b);
    return out.slice(0, max);
  }

  private put(id: number, slot: number): void {
    const ix = this.index;
    let h = MissingIds.hash(id) & this.mask;
    while (ix[h] !== EMPTY) h = (h + 1) & this.mask;
    ix[h] = slot + 1;
  }

  private remove(slot: number): void {
    const id = this.ids[slot];
    const ix = this.index;
    const mask = this.mask;
    let h = MissingIds.hash(id) & mask;
    while (ix[h] !== slot + 1) h = (h + 1) & mask;
    // Backward-shift deletion keeps every probe chain unbroken (no tombstones).
    let j = h;
    for (;;) {
      j = (j + 1) & mask;
      const v = ix[j];
      if (v === EMPTY) break;
      const home = MissingIds.hash(this.ids[v - 1]) & mask;
      // Move v back into the hole unless its home lies cyclically in (h, j].
      if (h <= j ? home <= h || home > j : home <= h && home > j) {
        ix[h] = v;
        h = j;
      }
    }
    ix[h] = EMPTY;
    this.size--;
    if (slot === this.hi - 1) this.hi--;
    else this.free.push(slot);
    if (this.size === 0) {
      this.hi = 0;
      this.free = [];
    }
  }

  private grow(): void {
    const cap = this.ids.length * 2;
    const ids = new Uint32Array(cap);
    ids.set(this.ids);
    const users = new Uint32Array(cap);
    users.set(this.users);
    this.ids = ids;
    this.users = users;
  }

  private rehash(cap: number): void {
    this.index = new Uint32Array(cap);
    this.mask = cap - 1;
    // Only called from slotFor before it creates a slot: every live slot has users (a slot is
    // created for a route that takes it at once), free ones have none.
    for (let s = 0; s < this.hi; s++) if (this.users[s] > 0) this.put(this.ids[s], s);
  }
}

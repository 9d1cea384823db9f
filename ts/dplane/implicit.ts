// Inline-mode paths (`no fpm use-next-hop-groups`: RTA_GATEWAY/RTA_OIF/RTA_VIA/RTA_ENCAP or
// RTA_MULTIPATH on the route) -> one implicit group per distinct path set, content-hashed.
//
// Contract: implicitFor(row) returns the ref of the group with exactly the row's path set,
// comparing the batch columns with a group's signature word by word; nothing is allocated per
// route, only a path set not seen before gets its signature and legs (in the Groups registry).
import { Attr } from '../codec/layout';
import { BatchCols } from './cols';
import { Leg, Nhg, NhgKind } from './nhg';
import { AF_MPLS } from './types';
import { LWTUNNEL_ENCAP_MPLS } from './model';
import { Groups, IMPLICIT_CACHE } from './groups';

/** The big-endian u32 at `o`. */
function be32(c: Uint8Array, o: number): number {
  return ((c[o] << 24) | (c[o + 1] << 16) | (c[o + 2] << 8) | c[o + 3]) >>> 0;
}

/** Labels of a single-leg inline route: RTA_NEWDST (AF_MPLS) or an MPLS RTA_ENCAP (uncapped). */
function rowLabelCount(b: BatchCols, r: number, attrs: number, mplsRoute: boolean): number {
  if (mplsRoute) return (attrs & Attr.NewDst) !== 0 ? b.labelCount[r] : 0;
  return (attrs & Attr.Encap) !== 0 && b.encapType[r] === LWTUNNEL_ENCAP_MPLS ? b.labelCount[r] : 0;
}

/** Whether the leg at `k` of signature `s` has the gateway at chunk[gwOff, gwLen) (sigLeg's encoding). */
function gwMatches(s: Uint32Array, k: number, chunk: Uint8Array, gwOff: number, gwLen: number): boolean {
  const gf = gwOff === 0 ? 0 : gwLen === 4 ? 4 : gwLen === 16 ? 6 : 0;
  if (s[k] !== gf) return false;
  // sigLeg leaves the unused gateway words 0.
  if (gf === 0) return true;
  if (s[k + 1] !== be32(chunk, gwOff)) return false;
  if (gf === 4) return true;
  return s[k + 2] === be32(chunk, gwOff + 4) && s[k + 3] === be32(chunk, gwOff + 8) && s[k + 4] === be32(chunk, gwOff + 12);
}

export class ImplicitGroups {
  // Scratch: the legs of one inline route as a u32 signature (no allocation per route).
  private sig = new Uint32Array(256);
  private sigLen = 0;
  private lastImplicit: Nhg | null = null;

  constructor(private readonly g: Groups) {}

  /** Appends one leg to the signature: [gwFamily, gw words x4, ifindex, weight, flags, nLabels, labels...]. */
  private sigLeg(
    chunk: Uint8Array,
    gwOff: number,
    gwLen: number,
    ifindex: number,
    weight: number,
    flags: number,
    labels: Uint32Array,
    labStart: number,
    labCount: number,
  ): void {
    let n = this.sigLen;
    if (n + 9 + 16 > this.sig.length) {
      const g = new Uint32Array(this.sig.length * 2 + 64);
      g.set(this.sig);
      this.sig = g;
    }
    const sig = this.sig;
    const gf = gwOff === 0 ? 0 : gwLen === 4 ? 4 : gwLen === 16 ? 6 : 0;
    sig[n] = gf;
    if (gf === 0) sig[n + 1] = sig[n + 2] = sig[n + 3] = sig[n + 4] = 0;
    else {
      sig[n + 1] = ((chunk[gwOff] << 24) | (chunk[gwOff + 1] << 16) | (chunk[gwOff + 2] << 8) | chunk[gwOff + 3]) >>> 0;
      if (gf === 4) sig[n + 2] = sig[n + 3] = sig[n + 4] = 0;
      else
        for (let w = 1; w < 4; w++) {
          const o = gwOff + 4 * w;
          sig[n + 1 + w] = ((chunk[o] << 24) | (chunk[o + 1] << 16) | (chunk[o + 2] << 8) | chunk[o + 3]) >>> 0;
        }
    }
    sig[n + 5] = ifindex;
    sig[n + 6] = weight;
    sig[n + 7] = flags;
    const lc = labCount > 16 ? 16 : labCount;
    sig[n + 8] = lc;
    n += 9;
    for (let j = 0; j < lc; j++) sig[n++] = (labels[labStart + j] >>> 12) & 0xfffff;
    this.sigLen = n;
  }

  /** Signature of a row's path set (its legs as sigLeg writes them): only built for a new group. */
  private buildSig(b: BatchCols, chunk: Uint8Array, r: number, fam: number): void {
    const attrs = b.attrs[r];
    const mplsRoute = fam === AF_MPLS;
    this.sigLen = 0;
    if ((attrs & Attr.Multipath) !== 0) {
      const ps = b.pathStart[r];
      const pc = b.pathCount[r];
      for (let i = 0; i < pc; i++) {
        const p = ps + i;
        // Labels: RTA_NEWDST (AF_MPLS routes) or RTA_ENCAP of type LWTUNNEL_ENCAP_MPLS.
        const lab = mplsRoute || b.pEncapType[p] === LWTUNNEL_ENCAP_MPLS ? b.pLabelCount[p] : 0;
        this.sigLeg(chunk, b.pGwOff[p], b.pGwLen[p], b.pIfindex[p], b.pWeight[p] || 1, b.pFlags[p], b.label, b.pLabelStart[p], lab);
      }
    } else {
      const gw = (attrs & (Attr.Gateway | Attr.Via)) !== 0;
      this.sigLeg(chunk, gw ? b.gwOff[r] : 0, b.gwLen[r], (attrs & Attr.Oif) !== 0 ? b.oif[r] : 0, 1, 0, b.label, b.labelStart[r], rowLabelCount(b, r, attrs, mplsRoute));
    }
  }

  /**
   * Whether implicit group `g` (still live, built for family `fam`) has exactly the path set of
   * row `r`: its signature is compared word by word with the batch columns, nothing is built.
   */
  private rowMatches(g: Nhg, b: BatchCols, chunk: Uint8Array, r: number, fam: number): boolean {
    if (g.routeFamily !== fam || this.g.slots[g.ref] !== g) return false;
    const s = g.sig!;
    const n = s.length;
    const attrs = b.attrs[r];
    const label = b.label;
    if ((attrs & Attr.Multipath) === 0) {
      // One leg: [gwFamily, gw x4, ifindex, weight 1, flags 0, nLabels, labels...].
      let lc = rowLabelCount(b, r, attrs, fam === AF_MPLS);
      if (lc > 16) lc = 16;
      if (n !== 9 + lc || s[8] !== lc || s[6] !== 1 || s[7] !== 0) return false;
      if (s[5] !== ((attrs & Attr.Oif) !== 0 ? b.oif[r] : 0)) return false;
      if (!gwMatches(s, 0, chunk, (attrs & (Attr.Gateway | Attr.Via)) !== 0 ? b.gwOff[r] : 0, b.gwLen[r])) return false;
      const ls = b.labelStart[r];
      for (let j = 0; j < lc; j++) if (s[9 + j] !== ((label[ls + j] >>> 12) & 0xfffff)) return false;
      return true;
    }
    const ps = b.pathStart[r];
    const pc = b.pathCount[r];
    const mpls = fam === AF_MPLS;
    let k = 0;
    for (let i = 0; i < pc; i++) {
      const p = ps + i;
      if (k + 9 > n) return false;
      let lc = mpls || b.pEncapType[p] === LWTUNNEL_ENCAP_MPLS ? b.pLabelCount[p] : 0;
      if (lc > 16) lc = 16;
      if (s[k + 8] !== lc || s[k + 5] !== b.pIfindex[p] || s[k + 6] !== (b.pWeight[p] || 1) || s[k + 7] !== b.pFlags[p]) return false;
      if (!gwMatches(s, k, chunk, b.pGwOff[p], b.pGwLen[p])) return false;
      k += 9;
      const ls = b.pLabelStart[p];
      for (let j = 0; j < lc; j++) if (s[k + j] !== ((label[ls + j] >>> 12) & 0xfffff)) return false;
      k += lc;
    }
    return k === n;
  }

  /**
   * Content hash of row `r`'s path set, read straight from the batch columns (the same fields
   * the signature holds, so equal path sets hash equal): two interleaved multiply lanes, folded
   * to a small integer so the Map key stays unboxed.
   */
  private rowHash(b: BatchCols, chunk: Uint8Array, r: number, fam: number): number {
    const attrs = b.attrs[r];
    const label = b.label;
    const multi = (attrs & Attr.Multipath) !== 0;
    const pc = multi ? b.pathCount[r] : 1;
    const ps = multi ? b.pathStart[r] : 0;
    const mpls = fam === AF_MPLS;
    let h = Math.imul(fam ^ 0x811c9dc5, 0x01000193);
    let h2 = Math.imul(pc ^ 0x9e3779b1, 0x85ebca77);
    for (let i = 0; i < pc; i++) {
      let gwOff: number, gwLen: number, ifx: number, wt: number, fl: number, ls: number, lc: number;
      if (multi) {
        const p = ps + i;
        gwOff = b.pGwOff[p];
        gwLen = b.pGwLen[p];
        ifx = b.pIfindex[p];
        wt = b.pWeight[p] || 1;
        fl = b.pFlags[p];
        ls = b.pLabelStart[p];
        lc = mpls || b.pEncapType[p] === LWTUNNEL_ENCAP_MPLS ? b.pLabelCount[p] : 0;
      } else {
        gwOff = (attrs & (Attr.Gateway | Attr.Via)) !== 0 ? b.gwOff[r] : 0;
        gwLen = b.gwLen[r];
        ifx = (attrs & Attr.Oif) !== 0 ? b.oif[r] : 0;
        wt = 1;
        fl = 0;
        ls = b.labelStart[r];
        lc = rowLabelCount(b, r, attrs, mpls);
      }
      if (lc > 16) lc = 16;
      const gf = gwOff === 0 ? 0 : gwLen === 4 ? 4 : gwLen === 16 ? 6 : 0;
      h = Math.imul(h ^ gf ^ (lc << 8) ^ (fl << 16), 0x01000193);
      h2 = Math.imul(h2 ^ ifx, 0x85ebca77);
      h = Math.imul(h ^ wt, 0x01000193);
      if (gf !== 0) {
        h2 = Math.imul(h2 ^ be32(chunk, gwOff), 0x85ebca77);
        if (gf === 6) {
          h = Math.imul(h ^ be32(chunk, gwOff + 4), 0x01000193);
          h2 = Math.imul(h2 ^ be32(chunk, gwOff + 8), 0x85ebca77);
          h = Math.imul(h ^ be32(chunk, gwOff + 12), 0x01000193);
        }
      }
      for (let j = 0; j < lc; j++) h2 = Math.imul(h2 ^ ((label[ls + j] >>> 12) & 0xfffff), 0x85ebca77);
    }
    h ^= h2 ^ (h2 >>> 13);
    h ^= h >>> 15;
    return h & 0x3fffffff;
  }

  /**
   * The implicit group of an inline route's paths (RTA_GATEWAY/RTA_OIF/RTA_VIA/RTA_ENCAP, or
   * RTA_MULTIPATH). The row's columns are compared with the previous row's group first (routes
   * in a replay often share their neighbour's paths), then hashed and compared with the groups of
   * that hash (a direct-mapped cache, then the Map). Nothing is built per route: only a path set
   * not seen before gets its signature and legs.
   */
  implicitFor(b: BatchCols, chunk: Uint8Array, r: number, fam: number): number {
    const last = this.lastImplicit;
    if (last !== null && this.rowMatches(last, b, chunk, r, fam)) return last.ref;
    const h = this.rowHash(b, chunk, r, fam);
    // Direct-mapped cache in front of the Map: a full table has a few dozen path sets.
    const slot = h & (IMPLICIT_CACHE - 1);
    const hit = this.g.implicitCache[slot];
    if (hit !== null && hit.hash === h && this.rowMatches(hit, b, chunk, r, fam)) {
      this.lastImplicit = hit;
      return hit.ref;
    }
    const cands = this.g.implicitByHash.get(h);
    if (cands !== undefined) {
      for (let c = 0; c < cands.length; c++) {
        const cand = cands[c];
        if (this.rowMatches(cand, b, chunk, r, fam)) {
          this.lastImplicit = cand;
          this.g.implicitCache[slot] = cand;
          return cand.ref;
        }
      }
    }
    // A new path set: allocate its group (once per distinct set, not per route).
    this.buildSig(b, chunk, r, fam);
    const sig = this.sig;
    const n = this.sigLen;
    const g = this.g.newNhg(this.g.allocImplicitId());
    g.kind = NhgKind.Implicit;
    g.present = true;
    g.resolved = true;
    g.routeFamily = fam;
    g.family = fam === AF_MPLS ? 0 : fam;
    g.hash = h;
    g.sig = sig.slice(0, n);
    for (let i = 0; i < n; ) {
      const l = new Leg();
      l.gwFamily = sig[i] as 0 | 4 | 6;
      for (let w = 0; w < 4; w++) {
        const x = sig[i + 1 + w];
        l.gw[4 * w] = x >>> 24;
        l.gw[4 * w + 1] = (x >>> 16) & 0xff;
        l.gw[4 * w + 2] = (x >>> 8) & 0xff;
        l.gw[4 * w + 3] = x & 0xff;
      }
      l.ifindex = sig[i + 5];
      l.weight = sig[i + 6];
      l.flags = sig[i + 7];
      const lc = sig[i + 8];
      l.labels = Array.from(sig.subarray(i + 9, i + 9 + lc));
      i += 9 + lc;
      g.legs.push(l);
      this.g.indexIfindex(g, l.ifindex, true);
    }
    this.g.implicitById.set(g.id, g);
    if (cands !== undefined) cands.push(g);
    else this.g.implicitByHash.set(h, [g]);
    this.lastImplicit = g;
    this.g.implicitCache[slot] = g;
    return g.ref;
  }
}

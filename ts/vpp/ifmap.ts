// Linux ifindex -> VPP sw_if_index: a static map file and linux-cp pairs, with the set of interfaces VPP has.
//
// zebra names interfaces by Linux ifindex (RTA_OIF, NHA_OIF); VPP by sw_if_index. In a linux-cp
// deployment VPP lists its pairs over the API (lcp.api lcp_itf_pair_details: phy_sw_if_index is
// VPP's interface, vif_index the host tap's Linux ifindex); a static file is the fallback and
// wins where both name an ifindex. A mapping to a sw_if_index that VPP does not have (when the
// interface list is known) counts as no mapping: a nexthop is never pointed at a guess.
import * as fs from 'fs';

export class InterfaceMapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InterfaceMapError';
  }
}

function checkU32(v: unknown, what: string, where: string): number {
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v.trim()) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xfffffffe) {
    throw new InterfaceMapError(`Expected ${what} as an integer between 0 and 4294967294 ${where} but received ${JSON.stringify(v)}`);
  }
  return n;
}

/**
 * Parse an interface map. Two formats:
 * - text: one `ifindex=sw_if_index` per line (spaces allowed around `=`), `#` starts a comment;
 * - JSON: `{"<ifindex>": <sw_if_index>, ...}` or `[{"ifindex": n, "sw_if_index": m}, ...]`.
 */
export function parseInterfaceMap(text: string, source = 'interface map'): Map<number, number> {
  const out = new Map<number, number>();
  const t = text.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    let j: unknown;
    try {
      j = JSON.parse(t);
    } catch (e) {
      throw new InterfaceMapError(`${source}: invalid JSON: ${(e as Error).message}`);
    }
    if (Array.isArray(j)) {
      j.forEach((e, i) => {
        if (!e || typeof e !== 'object') throw new InterfaceMapError(`${source}: entry ${i} is not an object`);
        const o = e as Record<string, unknown>;
        const ifx = checkU32(o.ifindex, 'ifindex', `in ${source} entry ${i}`);
        out.set(ifx, checkU32(o.sw_if_index ?? o.swIfIndex, 'sw_if_index', `in ${source} entry ${i}`));
      });
    } else {
      for (const [k, v] of Object.entries(j as Record<string, unknown>)) {
        out.set(checkU32(k, 'ifindex', `in ${source} key ${JSON.stringify(k)}`), checkU32(v, 'sw_if_index', `in ${source} for ifindex ${k}`));
      }
    }
    return out;
  }
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    const m = /^(\S+)\s*=\s*(\S+)$/.exec(line);
    if (!m) throw new InterfaceMapError(`${source} line ${i + 1}: expected "ifindex=sw_if_index" but received ${JSON.stringify(raw.trim())}`);
    const ifx = checkU32(m[1], 'ifindex', `at ${source} line ${i + 1}`);
    out.set(ifx, checkU32(m[2], 'sw_if_index', `at ${source} line ${i + 1}`));
  });
  return out;
}

export function loadInterfaceMap(file: string): Map<number, number> {
  return parseInterfaceMap(fs.readFileSync(file, 'utf8'), file);
}

export interface LcpPair {
  /** Linux ifindex of the host interface (lcp_itf_pair_details.vif_index). */
  ifindex: number;
  /** VPP's interface (phy_sw_if_index). */
  swIfIndex: number;
  hostName: string;
  netns: string;
}

export class InterfaceMap {
  private staticMap = new Map<number, number>();
  private lcp = new Map<number, number>();
  /** sw_if_index -> admin/link up; null while VPP's interface list is unknown. */
  private vppIfs: Map<number, boolean> | null = null;

  /** The sw_if_index for a Linux ifindex, or undefined when there is none (or VPP lacks it). */
  get(ifindex: number): number | undefined {
    const sw = this.staticMap.get(ifindex) ?? this.lcp.get(ifindex);
    if (sw === undefined) return undefined;
    if (this.vppIfs !== null && !this.vppIfs.has(sw)) return undefined;
    return sw;
  }

  /** The Linux ifindex(es) mapped to a sw_if_index. */
  ifindexesOf(sw: number): number[] {
    const out: number[] = [];
    for (const [i, s] of this.staticMap) if (s === sw) out.push(i);
    for (const [i, s] of this.lcp) if (s === sw && !this.staticMap.has(i)) out.push(i);
    return out;
  }

  /** Every ifindex with a current mapping (for status). */
  entries(): [number, number][] {
    const out: [number, number][] = [];
    const seen = new Set<number>();
    for (const m of [this.staticMap, this.lcp]) {
      for (const i of m.keys()) {
        if (seen.has(i)) continue;
        seen.add(i);
        const sw = this.get(i);
        if (sw !== undefined) out.push([i, sw]);
      }
    }
    return out.sort((a, b) => a[0] - b[0]);
  }

  /** Snapshot of the effective mapping, to diff after a change. */
  private snapshot(): Map<number, number | undefined> {
    const s = new Map<number, number | undefined>();
    for (const m of [this.staticMap, this.lcp]) for (const i of m.keys()) s.set(i, this.get(i));
    return s;
  }

  private diff(before: Map<number, number | undefined>): number[] {
    const after = this.snapshot();
    const changed: number[] = [];
    for (const [i, sw] of after) if (before.get(i) !== sw) changed.push(i);
    for (const [i, sw] of before) if (!after.has(i) && sw !== undefined) changed.push(i);
    return changed.sort((a, b) => a - b);
  }

  /** Replace the static map; returns the ifindexes whose mapping changed. */
  setStatic(m: Map<number, number>): number[] {
    const before = this.snapshot();
    this.staticMap = new Map(m);
    return this.diff(before);
  }

  /** Set one static entry (sw undefined removes it); returns the ifindexes whose mapping changed. */
  setOne(ifindex: number, sw: number | undefined): number[] {
    const before = this.snapshot();
    if (sw === undefined) this.staticMap.delete(ifindex);
    else this.staticMap.set(ifindex, sw);
    return this.diff(before);
  }

  /** Replace the linux-cp pairs; returns the ifindexes whose mapping changed. */
  setLcp(pairs: readonly LcpPair[]): number[] {
    const before = this.snapshot();
    this.lcp = new Map(pairs.map((p) => [p.ifindex, p.swIfIndex]));
    return this.diff(before);
  }

  /** VPP's interfaces (sw_interface_dump) with their up state; returns changed ifindexes. */
  setVppInterfaces(ifs: Map<number, boolean> | null): number[] {
    const before = this.snapshot();
    this.vppIfs = ifs === null ? null : new Map(ifs);
    return this.diff(before);
  }

  /** An interface VPP reported (event); returns changed ifindexes. */
  vppInterface(sw: number, up: boolean, deleted: boolean): number[] {
    if (this.vppIfs === null) return [];
    const before = this.snapshot();
    if (deleted) this.vppIfs.delete(sw);
    else this.vppIfs.set(sw, up);
    return this.diff(before);
  }

  isUp(sw: number): boolean | undefined {
    return this.vppIfs?.get(sw);
  }
}

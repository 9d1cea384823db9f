// Nexthop groups as the programmer keeps them (a shadow of zebra's), and their VPP paths: each leg
// becomes a fib_path (primary legs preference 0, backup legs preference 1), encoded once per group
// change and copied into every call that carries them.
import { AF_INET6, NhgView, PathView, Target } from '../../dplane/types';
import { encodePaths, FibPath, MAX_LABELS, MAX_PATHS, NhProto, NO_SW_IF_INDEX, PathFlags, PathType } from '../codec';
import { InterfaceMap } from '../ifmap';
import { scaleWeights } from '../weights';
import type { NhgObject } from './objects';

/** MPLS_IETF_IMPLICIT_NULL_LABEL: as an out-label, VPP pops (vnet/fib/fib_path_ext.c). */
export const IMPLICIT_NULL = 3;

export interface Leg {
  gwFamily: 0 | 4 | 6;
  gw: Uint8Array;
  ifindex: number;
  weight: number;
  labels: number[];
  blackhole: boolean;
  /** Non-MPLS lwtunnel encap type (PathView.encap), 0 = none. */
  encap: number;
}

export interface NhgState {
  id: number;
  family: number;
  fdb: boolean;
  primary: Leg[];
  backup: Leg[];
  /** 4 or 6: the private table family of the host route. */
  hostFam: 4 | 6;
  /** The VPP object (PIC host route) this id maps onto; null while inline, parked or unbuilt. */
  obj: NhgObject | null;
  /** What the group forwards to: hostFam + encoded paths (contentKey()); '' until built. */
  key: string;
  /** Unmapped ifindexes: non-empty = parked. */
  missing: number[];
  /** Encoded paths (primary pref 0, backup pref 1) for the host route / inline routes. */
  paths: Uint8Array | null;
  nPaths: number;
  /** Encoded paths for LSPs (empty label stacks -> implicit null). */
  mplsPaths: Uint8Array | null;
  /** Sent to VPP at least once with its current paths (inline: routes carry them). */
  programmed: boolean;
  /**
   * Routes carry this group's paths (inline) rather than one recursive path to its host route:
   * in inline mode, and in PIC mode for a group with an attached leg (see attachedLeg()).
   */
  inline: boolean;
  /** Routes were held back while parked. */
  held: boolean;
  /** Bumped per (re)program: replies of older versions do not count. */
  version: number;
  /** Why the group cannot be programmed (paths invalid), or null. */
  invalid: string | null;
  /** invalid because it has more legs than VPP's 255 paths per route. */
  tooManyPaths?: boolean;
  /** invalid because a leg has a non-MPLS encap (SRv6). */
  unsupportedEncap?: boolean;
}

function copyLeg(p: PathView): Leg {
  return {
    gwFamily: p.gwFamily,
    gw: p.gw.slice(0, p.gwFamily === 6 ? 16 : 4),
    ifindex: p.ifindex,
    weight: p.weight,
    labels: p.labels.slice(),
    blackhole: p.blackhole,
    encap: p.encap ?? 0,
  };
}

/** The shadow of a group Set, carrying over what the programmer knows of its previous version. */
export function groupFromView(v: NhgView, prev: NhgState | undefined, inlineMode: boolean): NhgState {
  const fam: 4 | 6 = v.family === AF_INET6 ? 6 : 4;
  const g: NhgState = {
    id: v.id,
    family: v.family,
    fdb: v.fdb,
    primary: v.primary.map(copyLeg),
    backup: v.backup.map(copyLeg),
    hostFam: fam,
    obj: prev?.obj ?? null,
    key: prev?.key ?? '',
    missing: prev?.missing ?? [],
    paths: null,
    nPaths: 0,
    mplsPaths: null,
    programmed: prev?.programmed ?? false,
    inline: prev?.inline ?? inlineMode,
    held: prev?.held ?? false,
    version: (prev?.version ?? 0) + 1,
    invalid: null,
  };
  if (prev && prev.hostFam !== fam && !prev.fdb) {
    // The group changed family: its routes must point at a host route of the other family.
    g.programmed = false;
    g.held = true;
  }
  return g;
}

/**
 * A leg with an interface and no gateway (a connected or interface route). It cannot sit behind a
 * PIC host route: VPP turns an attached path on a host prefix into a neighbour adjacency for the
 * prefix's own address (vnet/fib/fib_table.c fib_table_route_path_fixup), so routes recursive via
 * it would ARP for the synthetic host address instead of their destination. Such groups are
 * programmed inline: each route carries the attached path and VPP gleans for its destination.
 */
export function attachedLeg(l: Leg): boolean {
  return !l.blackhole && l.gwFamily === 0 && l.ifindex !== 0;
}

/** Whether routes of `g` must carry its paths (inline mode, or an attached leg). */
export function needsInline(g: NhgState, inlineMode: boolean): boolean {
  return inlineMode || g.primary.some(attachedLeg) || g.backup.some(attachedLeg);
}

/** What a group forwards to, as a map key: its host family and its encoded paths (legs, weights, labels, backups). */
export function contentKey(hostFam: 4 | 6, paths: Uint8Array): string {
  return `${hostFam}|${Buffer.from(paths.buffer, paths.byteOffset, paths.byteLength).toString('latin1')}`;
}

/** A drop path of family `fam`. */
function dropPath(fam: 4 | 6, pref: number): FibPath {
  return { swIfIndex: NO_SW_IF_INDEX, tableId: 0, weight: 1, preference: pref, type: PathType.Drop, flags: PathFlags.None, proto: fam === 6 ? NhProto.Ip6 : NhProto.Ip4, nh: new Uint8Array(0) };
}

/**
 * Build a group's paths from its legs into g.paths / g.mplsPaths; false when it cannot be
 * programmed: parked (g.missing: a leg's interface has no sw_if_index, nothing guessed) or
 * invalid (g.invalid says why).
 */
export function buildPaths(g: NhgState, ifmap: InterfaceMap): boolean {
  const missing: number[] = [];
  const paths: FibPath[] = [];
  const mpls: FibPath[] = [];
  g.invalid = null;
  // VPP's fib_path weight is a u8: zebra >= 10.4 weighs legs up to 65536 (vpp/weights.ts).
  const wPrimary = scaleWeights(g.primary.map((l) => l.weight));
  const wBackup = scaleWeights(g.backup.map((l) => l.weight));
  const add = (l: Leg, pref: number, weight: number) => {
    if (l.encap !== 0) {
      // An SRv6 (seg6/seg6local) leg forwarded without its encap would send traffic where the
      // SID list does not: the group is refused and its routes reported failed.
      g.invalid = `lwtunnel encap type ${l.encap} (${l.encap === 5 ? 'seg6' : l.encap === 7 ? 'seg6local' : 'not MPLS'}) is not programmed into VPP`;
      g.unsupportedEncap = true;
      return;
    }
    const proto = l.gwFamily === 6 ? NhProto.Ip6 : l.gwFamily === 4 ? NhProto.Ip4 : g.hostFam === 6 ? NhProto.Ip6 : NhProto.Ip4;
    if (l.blackhole) {
      const p: FibPath = { swIfIndex: NO_SW_IF_INDEX, tableId: 0, weight: 1, preference: pref, type: PathType.Drop, flags: 0, proto, nh: new Uint8Array(0) };
      paths.push(p);
      mpls.push(p);
      return;
    }
    let sw = NO_SW_IF_INDEX;
    if (l.ifindex !== 0) {
      const m = ifmap.get(l.ifindex);
      if (m === undefined) {
        if (!missing.includes(l.ifindex)) missing.push(l.ifindex);
        return;
      }
      sw = m;
    } else if (l.gwFamily === 0) {
      g.invalid = 'a leg with neither gateway nor interface';
      return;
    }
    if (l.labels.length > MAX_LABELS) {
      g.invalid = `${l.labels.length} labels on one leg exceed VPP's label_stack[16]`;
      return;
    }
    // A gateway without an interface resolves recursively in VPP table 0 (sw_if_index ~0).
    const p: FibPath = {
      swIfIndex: sw, tableId: 0, weight, preference: pref,
      type: PathType.Normal, flags: 0, proto, nh: l.gw, labels: l.labels,
    };
    paths.push(p);
    mpls.push(l.labels.length > 0 ? p : { ...p, labels: [IMPLICIT_NULL] });
  };
  g.unsupportedEncap = false;
  g.primary.forEach((l, i) => add(l, 0, wPrimary[i]));
  g.backup.forEach((l, i) => add(l, 1, wBackup[i]));
  g.missing = missing;
  if (missing.length > 0 || g.invalid) return false;
  if (paths.length > MAX_PATHS) {
    // ip_route_add_del's n_paths is a u8 (ip.api): zebra's 256-way ECMP (Debian builds
    // --enable-multipath=256) cannot be expressed faithfully; dropping a leg would shift traffic.
    g.invalid = `${paths.length} paths exceed VPP's ${MAX_PATHS} per route (n_paths is a u8)`;
    g.tooManyPaths = true;
    return false;
  }
  if (paths.length === 0) {
    // A group with no usable leg forwards nothing: a drop path keeps routes from using a less specific route.
    const p = dropPath(g.hostFam, 0);
    paths.push(p);
    mpls.push(p);
  }
  g.paths = encodePaths(paths);
  g.mplsPaths = encodePaths(mpls);
  g.nPaths = paths.length;
  return true;
}

/** The one-path sets of blackhole / unreachable / prohibit routes: DROP, ICMP_UNREACH, ICMP_PROHIBIT, keyed by specialKey(). */
export function specialPaths(): Map<number, Uint8Array> {
  const m = new Map<number, Uint8Array>();
  for (const fam of [4, 6] as const) {
    for (const [target, type] of [[Target.Blackhole, PathType.Drop], [Target.Unreachable, PathType.IcmpUnreach], [Target.Prohibit, PathType.IcmpProhibit]] as const) {
      m.set(specialKey(fam, target), encodePaths([{ ...dropPath(fam, 0), type }]));
    }
  }
  return m;
}

export function specialKey(fam: 4 | 6, target: Target): number {
  return fam * 8 + target;
}

// Which paths a route is written with: its group's (inline), the one recursive path to its group's
// PIC object, or a special path (blackhole / unreachable / prohibit); and what adoption compares them
// with (their digest) to leave an unchanged route alone.
import { AF_INET6, AF_MPLS, RouteView, Target } from '../../dplane/types';
import { NhProto } from '../codec';
import { digestEncoded, PathDigest } from '../pathdigest';
import { NhgState, specialKey, specialPaths } from './groups';

/** select(): the route names a group the programmer does not have. */
export const SEL_UNKNOWN = 1;

const ZERO16 = new Uint8Array(16);

/** What selecting a route's paths reads of it: a RouteView, or adoption's view of a dumped route. */
export type RouteTarget = Pick<RouteView, 'family' | 'addr' | 'len' | 'target' | 'nhgId'>;

export class PathSelector {
  /** The paths the last successful select() chose, and how many. */
  paths: Uint8Array | null = null;
  n = 0;
  private readonly special = specialPaths();
  /** Digests of encoded path sets (expectedDigest), dropped with the bytes they describe. */
  private readonly digests = new WeakMap<Uint8Array, PathDigest>();

  constructor(private readonly nhgs: ReadonlyMap<number, NhgState>) {}

  /**
   * The paths a Set of `r` writes (into paths/n). Returns null when they are ready, SEL_UNKNOWN
   * for an unknown group, or the group that holds the route (parked or invalid).
   */
  select(r: RouteTarget): NhgState | null | typeof SEL_UNKNOWN {
    const isMpls = r.family === AF_MPLS;
    if (r.target !== Target.Nhg) {
      this.paths = this.special.get(specialKey(isMpls ? 4 : r.family === AF_INET6 ? 6 : 4, r.target)) ?? null;
      this.n = 1;
      return null;
    }
    const g = this.nhgs.get(r.nhgId);
    if (!g || g.fdb) return SEL_UNKNOWN;
    if (g.missing.length > 0 || g.invalid !== null || !g.paths) return g;
    if (isMpls) {
      this.paths = g.mplsPaths;
      this.n = g.nPaths;
    } else if (!g.inline) {
      this.paths = g.obj!.picPath;
      this.n = 1;
    } else {
      this.paths = g.paths;
      this.n = g.nPaths;
    }
    return null;
  }

  /** Whether routes of group `a` and of group `b` are written the same (same object, or same inline paths). */
  sameForwarding(a: number, b: number): boolean {
    const ga = this.nhgs.get(a);
    const gb = this.nhgs.get(b);
    if (!ga || !gb || ga.fdb || gb.fdb || !ga.programmed || !gb.programmed || ga.missing.length > 0 || gb.missing.length > 0 ||
      ga.invalid !== null || gb.invalid !== null || ga.inline !== gb.inline || ga.key === '') return false;
    return ga.inline ? ga.key === gb.key : ga.obj !== null && ga.obj === gb.obj && ga.obj.programmed;
  }

  /**
   * The digest (pathdigest.ts) of the paths a Set of IP route `r` would write now; false when it
   * would not be written as it is (its group unknown, parked or invalid).
   */
  expectedDigest(r: RouteTarget, out: PathDigest): boolean {
    if (r.family === AF_MPLS || this.select(r) !== null || !this.paths) return false;
    const v6 = r.family === AF_INET6;
    if (r.len === (v6 ? 128 : 32)) {
      // A host route's digest depends on its address (an attached path reads back via it).
      digestEncoded(this.paths, this.n, r.addr, r.len, v6, out);
      return true;
    }
    // Otherwise it is the paths' alone: one per encoded path set (a group's, or a special path).
    let d = this.digests.get(this.paths);
    if (!d) {
      d = digestEncoded(this.paths, this.n, ZERO16, 0, v6, new PathDigest());
      this.digests.set(this.paths, d);
    }
    out.a = d.a;
    out.b = d.b;
    return true;
  }

  /** An LSP's EOS payload protocol: that of its group's first leg's next hop (mpls.api mr_eos_proto). */
  eosProto(r: RouteView): number {
    const g = r.target === Target.Nhg ? this.nhgs.get(r.nhgId) : undefined;
    const l = g?.primary[0] ?? g?.backup[0];
    return l?.gwFamily === 6 ? NhProto.Ip6 : NhProto.Ip4;
  }
}

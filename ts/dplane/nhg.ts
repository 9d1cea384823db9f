// Nexthop objects as zebra sends them (singletons, groups, L2/fdb groups) and inline-mode implicit groups.
//
// There are few of these (a full table uses a few dozen; zebra's own table holds thousands at
// most), so they are plain objects; routes refer to them by a small integer ref, never by object.
// Kernel semantics followed (include/uapi/linux/nexthop.h, net/ipv4/nexthop.c): a group's members
// are singletons (nexthop objects cannot nest groups), an fdb group holds fdb singletons whose
// gateway is a VTEP address, and a nexthop id names one object at a time (NEW replaces).

export const enum NhgKind {
  Single = 0,
  Group = 1,
  Implicit = 2, // inline-mode route paths (RTA_GATEWAY/RTA_OIF/RTA_MULTIPATH/RTA_VIA), content-hashed
}

/** One forwarding leg. */
export class Leg {
  gwFamily: 0 | 4 | 6 = 0;
  readonly gw = new Uint8Array(16);
  ifindex = 0;
  weight = 1;
  /** Label values (20 bits), outermost first. */
  labels: number[] = [];
  blackhole = false;
  /** nh_flags / rtnh_flags. */
  flags = 0;
  /** A lightweight-tunnel encap other than MPLS (linux/lwtunnel.h: 5 seg6, 7 seg6local, ...); 0 = none. */
  encap = 0;

  equals(o: Leg): boolean {
    if (
      this.gwFamily !== o.gwFamily ||
      this.encap !== o.encap ||
      this.ifindex !== o.ifindex ||
      this.weight !== o.weight ||
      this.blackhole !== o.blackhole ||
      this.flags !== o.flags ||
      this.labels.length !== o.labels.length
    )
      return false;
    const n = this.gwFamily === 4 ? 4 : this.gwFamily === 6 ? 16 : 0;
    for (let i = 0; i < n; i++) if (this.gw[i] !== o.gw[i]) return false;
    for (let i = 0; i < this.labels.length; i++) if (this.labels[i] !== o.labels[i]) return false;
    return true;
  }

  copyFrom(o: Leg): void {
    this.gwFamily = o.gwFamily;
    this.gw.set(o.gw);
    this.ifindex = o.ifindex;
    this.weight = o.weight;
    this.labels = o.labels.slice();
    this.blackhole = o.blackhole;
    this.flags = o.flags;
    this.encap = o.encap;
  }
}

export class Nhg {
  /** zebra's NHA_ID, or a synthetic id >= 0x80000000 (implicit groups). */
  readonly id: number;
  /** Index in the store's slot array; routes hold ref + 4. */
  readonly ref: number;
  kind: NhgKind = NhgKind.Single;
  /** Arrived and not deleted. An absent object is a placeholder for routes/groups that name it. */
  present = false;
  /** nh_family of the message (AF_UNSPEC for groups); the view's family is derived from legs. */
  family = 0;
  protocol = 0;
  fdb = false;
  /** Singleton: its leg. */
  readonly leg = new Leg();
  /** Group: members and their weights (nexthop_grp.weight + 1). */
  members: Nhg[] = [];
  weights: number[] = [];
  groupType = 0;
  /** Implicit group: its legs; also the content hash and the route family it was built for. */
  legs: Leg[] = [];
  /** Implicit group: its legs as a u32 signature (FibStore.buildSig); rows are compared with it. */
  sig: Uint32Array | null = null;
  hash = 0;
  routeFamily = 0;
  /** NHA_FPM_BACKUP_NHG, 0 = none. */
  backupId = 0;
  epoch = 0;
  /** Routes and MACs whose current target this is. */
  users = 0;
  macUsers = 0;
  /** Groups having this as a member. */
  readonly parents: Nhg[] = [];
  /** All members present and singletons: the group can be programmed. */
  resolved = false;
  /** zebra asked to delete it while in use: removed when its last user goes. */
  delPending = false;
  // Dataplane side.
  programmed = false;
  queued = false;
  /** Routes/MACs whose programmed target is this. */
  progUsers = 0;
  version = 0;
  progVersion = -1;
  /** Scratch mark for traversals. */
  mark = 0;

  constructor(id: number, ref: number) {
    this.id = id;
    this.ref = ref;
  }

  get implicit(): boolean {
    return this.kind === NhgKind.Implicit;
  }

  /** Wanted in the dataplane: arrived, complete, and used by a route or MAC. */
  get wanted(): boolean {
    return this.present && this.resolved && this.users > 0;
  }
}

/** Appends the forwarding legs of `n` (groups flattened to their leaves, weights multiplied). */
export function flatten(n: Nhg, weight: number, out: (leg: Leg, weight: number) => void, depth = 0): void {
  if (!n.present || depth > 4) return;
  if (n.kind === NhgKind.Single) {
    out(n.leg, weight);
  } else if (n.kind === NhgKind.Implicit) {
    for (const l of n.legs) out(l, weight * l.weight);
  } else {
    for (let i = 0; i < n.members.length; i++) flatten(n.members[i], weight * n.weights[i], out, depth + 1);
  }
}

/** Whether every member of `n` is present (recursively): a group with a missing member is parked. */
export function computeResolved(n: Nhg, depth = 0): boolean {
  if (!n.present || depth > 4) return false;
  if (n.kind !== NhgKind.Group) return true;
  if (n.members.length === 0) return false;
  for (const m of n.members) if (!computeResolved(m, depth + 1)) return false;
  return true;
}

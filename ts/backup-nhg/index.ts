// Primary <-> backup nexthop-group links (NHA_FPM_BACKUP_NHG) and the failover state they imply.
//
// The attribute (0x3F01, u32: the id of the group holding this group's backup nexthops) is carried
// in RTM_NEWNEXTHOP of a primary group or singleton by a patched zebra
// (docs/fpm-extensions.md section 1). Stock FRR 8.4.4 never sends it: zebra keeps backups
// in its NHE (zebra_nhg.c, nhe->backup_info) but dplane_fpm_nl.c never encodes them, so every
// group is simply unprotected. Links are by id, so a backup may be named before it is known (it is
// then reported as missing) and a change to a backup is found from the backup's id.
//
// Forwarding rule (the same as the extension document and VPP's path preference): forward on the
// primary set while any of its legs is usable, on the backup set when none is.

/** A leg as far as usability is concerned. */
export interface LegState {
  ifindex: number;
  blackhole: boolean;
  /** nh_flags / rtnh_flags of the leg (RTNH_F_DEAD 1, RTNH_F_LINKDOWN 16: include/uapi/linux/rtnetlink.h). */
  flags: number;
}

export const RTNH_F_DEAD = 1;
export const RTNH_F_LINKDOWN = 16;

export type Active = 'primary' | 'backup' | 'none';

export interface ProtectionInfo {
  /** The backup group's id, 0 when the group is unprotected. */
  backupId: number;
  /** The backup group has arrived (always sent before the group that names it by a patched zebra). */
  backupPresent: boolean;
  primaryUsable: boolean;
  backupUsable: boolean;
  /** Which set forwards now. */
  active: Active;
}

export interface BackupStats {
  /** Groups that name a backup. */
  protected: number;
  /** Distinct groups named as a backup. */
  backups: number;
  /** Interfaces reported down. */
  linksDown: number;
}

export class BackupLinks {
  private readonly backupOf_ = new Map<number, number>();
  private readonly protects_ = new Map<number, Set<number>>();
  private readonly down = new Set<number>();
  private static readonly NONE: ReadonlySet<number> = new Set();

  /** Records `primary`'s backup group (0 = none). Returns true when the link changed. */
  set(primary: number, backup: number): boolean {
    const old = this.backupOf_.get(primary) ?? 0;
    if (old === backup) return false;
    if (old !== 0) {
      const s = this.protects_.get(old);
      if (s) {
        s.delete(primary);
        if (s.size === 0) this.protects_.delete(old);
      }
    }
    if (backup === 0) {
      this.backupOf_.delete(primary);
    } else {
      this.backupOf_.set(primary, backup);
      let s = this.protects_.get(backup);
      if (!s) this.protects_.set(backup, (s = new Set()));
      s.add(primary);
    }
    return true;
  }

  /** The backup group of `primary`, 0 when none. */
  backupOf(primary: number): number {
    return this.backupOf_.get(primary) ?? 0;
  }

  /** The groups that `backup` protects (re-emitted when it changes). */
  protectedBy(backup: number): ReadonlySet<number> {
    return this.protects_.get(backup) ?? BackupLinks.NONE;
  }

  /** True when some group names `id` as its backup (the group is in use and must not be deleted). */
  isBackup(id: number): boolean {
    return this.protects_.has(id);
  }

  /**
   * Records an interface's link state (reported by the dataplane side). Returns true when it
   * changed. Only the status view uses it: VPP switches to the backup paths by itself.
   */
  setLinkState(ifindex: number, up: boolean): boolean {
    if (up) return this.down.delete(ifindex);
    if (this.down.has(ifindex)) return false;
    this.down.add(ifindex);
    return true;
  }

  linkUp(ifindex: number): boolean {
    return !this.down.has(ifindex);
  }

  /** Some leg can forward: not flagged dead/linkdown by zebra, its interface not reported down. */
  usable(legs: readonly LegState[]): boolean {
    for (const l of legs) {
      if ((l.flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN)) !== 0) continue;
      if (l.blackhole || l.ifindex === 0 || !this.down.has(l.ifindex)) return true;
    }
    return false;
  }

  /** Failover state of a group given its flattened primary and backup legs. */
  protection(primary: number, primaryLegs: readonly LegState[], backupLegs: readonly LegState[] | null): ProtectionInfo {
    const backupId = this.backupOf(primary);
    const primaryUsable = this.usable(primaryLegs);
    const backupUsable = backupLegs !== null && this.usable(backupLegs);
    return {
      backupId,
      backupPresent: backupLegs !== null,
      primaryUsable,
      backupUsable,
      active: primaryUsable ? 'primary' : backupUsable ? 'backup' : 'none',
    };
  }

  stats(): BackupStats {
    return { protected: this.backupOf_.size, backups: this.protects_.size, linksDown: this.down.size };
  }

  /** Every (primary, backup) link. */
  *links(): IterableIterator<[number, number]> {
    yield* this.backupOf_.entries();
  }
}

// Where the Debian 13 root with FRR 10.3 is (test/frr/debian13-root.sh makes it), for the suites
// that run zebra 10.3 next to the host's 8.4.4.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The root's path: $FIBPUSH_FRR10_ROOT, else debian13-root.sh's cache ($FIBPUSH_CACHE or ~/.cache/fibpush). */
export function frr10RootPath(): string {
  if (process.env.FIBPUSH_FRR10_ROOT) return process.env.FIBPUSH_FRR10_ROOT;
  const cache = process.env.FIBPUSH_CACHE || path.join(os.homedir(), '.cache', 'fibpush');
  return path.join(cache, 'debian13-frr10', 'root');
}

/** Why zebra 10.3 cannot run from the root, or null. */
export function frr10UnavailableReason(): string | null {
  const root = frr10RootPath();
  for (const f of ['usr/lib/frr/zebra', 'usr/lib/frr/mgmtd', 'usr/lib/frr/staticd', 'usr/lib/frr/bgpd', 'usr/bin/vtysh']) {
    if (!fs.existsSync(path.join(root, f))) return `${path.join(root, f)} is missing (make the root: bash test/frr/debian13-root.sh)`;
  }
  if (!fs.existsSync('/usr/sbin/chroot')) return '/usr/sbin/chroot is missing';
  return null;
}

// End to end with Debian 13's FRR 10.3, run from the root test/frr/debian13-root.sh makes (chroot
// inside the lab's namespaces): the scenarios of e2e.frr-suite.ts.
import { runE2eSuite } from './e2e.frr-suite';
import { frr10RootPath, frr10UnavailableReason } from './frr/root';

runE2eSuite({ name: 'e2e.frr10', frr: '10.3', root: frr10RootPath(), unavailable: frr10UnavailableReason() });

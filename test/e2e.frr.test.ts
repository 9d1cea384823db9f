// End to end with the host's FRR 8.4.4 (Debian 12): the scenarios of e2e.frr-suite.ts.
import { runE2eSuite } from './e2e.frr-suite';

runE2eSuite({ name: 'e2e.frr', frr: '8.4' });

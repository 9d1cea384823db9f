// FrrGate: the skip/fail policy of a real-FRR test suite (why FRR cannot run here comes from the lab).
import type { Test } from 'uvu';
import { frrUnavailableReason } from '../../ts/frr-lab/proc';
import { gateSuite } from '../helpers/skip';

/**
 * Skip/fail policy for a suite of real-FRR tests sharing one lab set up in `test.before`:
 * `check()` at the top of every test returns true when the test should run. When FRR cannot run
 * here it throws if CI is set (a loud failure) and otherwise warns loudly and returns false (a
 * skip). A failed set-up (`fail(e)` from the before hook) makes every test throw it, so uvu
 * reports it per test instead of aborting the whole run.
 */
export class FrrGate {
  private readonly why: string | null;
  private warned = false;
  private err: unknown = null;
  /** `more`: a further reason the suite cannot run (e.g. test/frr/root.ts frr10UnavailableReason()). */
  constructor(readonly suite: string, more: string | null = null) {
    this.why = frrUnavailableReason() ?? more;
  }
  get available(): boolean {
    return this.why === null;
  }
  /**
   * The suite's `test`, gated: when FRR cannot run here its tests are registered as skipped
   * with the reason (failing instead under CI, which installs FRR); hooks must check `available`.
   */
  guard<T>(test: Test<T>): Test<T> {
    return gateSuite(test, this.why === null ? null : `real FRR cannot run here: ${this.why}`, 'ci-installs');
  }
  fail(e: unknown): void {
    this.err = e;
  }
  check(): boolean {
    if (this.err) throw this.err instanceof Error ? this.err : new Error(JSON.stringify(this.err));
    if (this.why === null) return true;
    const msg = `real-FRR suite "${this.suite}" cannot run: ${this.why}`;
    if (process.env.CI) throw new Error(`${msg} (CI is set: this is a failure, not a skip)`);
    if (!this.warned) console.warn(`\n!!! SKIPPED ${msg}\n`);
    this.warned = true;
    return false;
  }
}

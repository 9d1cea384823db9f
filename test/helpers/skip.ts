// Skipped is skipped: a test whose prerequisites are missing is registered with uvu's `test.skip`
// and its reason recorded, so test/run.ts reports it as skipped (never as passed) with the reason.
import type { Test } from 'uvu';

export interface SkipRecord {
  /** The test file, as test/run.ts loads it (dist/test relative). */
  file: string;
  test: string;
  reason: string;
}

interface SkipGlobals {
  FIBPUSH_TEST_SKIPS?: SkipRecord[];
  FIBPUSH_TEST_FILE?: string;
}

const g = globalThis as SkipGlobals;

/** Every skip recorded so far in this process (test/run.ts reads it after the run). */
export function skipRecords(): SkipRecord[] {
  return (g.FIBPUSH_TEST_SKIPS ??= []);
}

/** Set by test/run.ts before it loads each file, so a skip names the file it belongs to. */
export function setCurrentTestFile(file: string): void {
  g.FIBPUSH_TEST_FILE = file;
}

/**
 * How a missing prerequisite is treated under CI=true: `ci-installs` prerequisites (`.ci/run`
 * installs FRR, clang, iproute2; its `npm install` builds the addon) turn the skip into a
 * failing test; `optional` ones (a patched FRR build) stay a skip everywhere.
 */
export type Prerequisite = 'ci-installs' | 'optional';

/**
 * Registers `name` as `fn` when `why` is null; otherwise as a skip with `why` as its reason, or,
 * under CI for a prerequisite CI installs, as a test that fails with `why`.
 */
export function testIf<T>(test: Test<T>, why: string | null, kind: Prerequisite, name: string, fn: Parameters<Test<T>>[1]): void {
  if (why === null) return void test(name, fn);
  if (kind === 'ci-installs' && process.env.CI) {
    return void test(name, () => {
      throw new Error(`${why} (CI is set and .ci/run installs this prerequisite: a failure, not a skip)`);
    });
  }
  skipRecords().push({ file: g.FIBPUSH_TEST_FILE ?? '?', test: name, reason: why });
  test.skip(name, fn);
}

/**
 * A suite's `test`, gated as a whole: with `why` null it is `test` itself; otherwise every test
 * registered through it goes through testIf (hooks still register: they must check the gate).
 */
export function gateSuite<T>(test: Test<T>, why: string | null, kind: Prerequisite): Test<T> {
  if (why === null) return test;
  const gated = ((name: string, fn: Parameters<Test<T>>[1]) => testIf(test, why, kind, name, fn)) as Test<T>;
  return Object.assign(gated, {
    /* eslint-disable @typescript-eslint/unbound-method -- uvu's suite functions are closures, not methods */
    before: test.before,
    after: test.after,
    only: test.only,
    skip: test.skip,
    run: test.run,
    /* eslint-enable @typescript-eslint/unbound-method */
  });
}

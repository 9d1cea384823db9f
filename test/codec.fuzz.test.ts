// The libFuzzer harness (native/fuzz/) builds and runs ~15 s over the decoder with no crash.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { testIf } from './helpers/skip';

const ROOT = path.resolve(__dirname, '..', '..');
const SECONDS = 15;

function clangMissing(): string | null {
  if (spawnSync('clang++', ['--version'], { stdio: 'ignore' }).status === 0) return null;
  return 'clang++ is not installed, the libFuzzer harness cannot build (apt-get install clang libclang-rt-14-dev; .ci/run installs them)';
}

testIf(test, clangMissing(), 'ci-installs', `fuzz_decode runs ${SECONDS}s: executions > 0, no crash`, () => {
  const r = spawnSync('bash', [path.join(ROOT, 'native', 'fuzz', 'run.sh'), String(SECONDS)], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: (SECONDS + 120) * 1000,
  });
  const out = `${r.stdout}\n${r.stderr}`;
  assert.is(r.status, 0, `run.sh failed (status ${r.status}, signal ${r.signal}):\n${out}`);
  const m = /fuzz: executions (\d+)/.exec(out);
  assert.ok(m, `no executions line in:\n${out}`);
  assert.ok(Number(m[1]) > 0, out);
  assert.not.match(out, /SUMMARY: (AddressSanitizer|UndefinedBehaviorSanitizer|libFuzzer)/);
});

test.run();

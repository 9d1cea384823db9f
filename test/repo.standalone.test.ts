// The repository stands on its own: its files alone, copied where no sibling directory exists,
// build and pass the suites that read fixtures, the VPP API JSON and the layouts; and no file
// points outside the repository for data.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from './helpers/fixtures';
import { testIf } from './helpers/skip';

const ROOT = repoRoot();
/** The sibling directory the repository once read data from (spelled so this file does not match itself). */
const SIBLING = ['..', 'shared'].join('/');
/** The only file allowed to name it: .ci/run may take an optional VPP tarball from there. */
const ALLOWED = new Set(['.ci/run']);
/** Suites that read test/fixtures, vpp-api/json and vpp-api/LAYOUTS.md, and the demo (the simulator loads the JSON at run time). */
const SUBSET = '^(codec\\.fixtures|dplane\\.fixtures|vpp-sim\\.defs|vpp\\.messages|vpp\\.conformance|cli\\.decode|daemon\\.demo)\\.test\\.js$';

/** The files a clone has: tracked ones plus new ones not ignored (what the next commit can hold). */
function repoFiles(): string[] | string {
  const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) return `not a git checkout (${(r.stderr || r.error?.message || '').trim().split('\n')[0]})`;
  return r.stdout.split('\0').filter((f) => f !== '' && fs.existsSync(path.join(ROOT, f)));
}
const files = repoFiles();
const notGit = typeof files === 'string' ? files : null;
const list = typeof files === 'string' ? [] : files;

function run(cmd: string, args: string[], cwd: string, timeoutMs: number) {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'INIT_CWD') env[k] = v;
  return new Promise<{ code: number; out: string }>((resolve) => {
    execFile(cmd, args, { cwd, env, timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}\n${stderr}` });
    });
  });
}

testIf(test, notGit, 'optional', `no file of the repository refers to ${SIBLING}`, () => {
  const hits: string[] = [];
  for (const f of list) {
    if (ALLOWED.has(f)) continue;
    const text = fs.readFileSync(path.join(ROOT, f));
    if (text.includes(SIBLING)) hits.push(f);
  }
  assert.equal(hits, [], `files referring to ${SIBLING}`);
});

testIf(test, notGit, 'optional', 'a copy of the repository files, alone in a temp dir, builds and passes the suites that read its data', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-standalone-'));
  try {
    const copy = path.join(tmp, 'fibpush');
    for (let d = copy; d !== path.dirname(d); d = path.dirname(d)) {
      assert.not.ok(fs.existsSync(path.join(path.dirname(d), 'shared')), `${path.dirname(d)}/shared must not exist for this test to mean anything`);
    }
    for (const f of list) {
      fs.mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, f), path.join(copy, f));
    }
    // What `npm install` would add: the dependencies (read-only here) and the addon, built from
    // the same native/ sources; the TypeScript is built in the copy itself.
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
    fs.symlinkSync(path.join(ROOT, 'build'), path.join(copy, 'build'));
    const tsc = await run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], copy, 300_000);
    assert.is(tsc.code, 0, tsc.out);
    const r = await run(process.execPath, [path.join('dist', 'test', 'run.js'), SUBSET], copy, 300_000);
    assert.is(r.code, 0, r.out);
    const m = /^(\d+) passed, (\d+) failed, (\d+) skipped \((\d+) files/m.exec(r.out);
    assert.ok(m, r.out);
    assert.is(m[2], '0', r.out);
    assert.is(m[3], '0', `nothing skipped:\n${r.out}`);
    assert.is(m[4], '7', `all seven suites ran:\n${r.out}`);
    assert.ok(Number(m[1]) >= 40, r.out);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test.run();

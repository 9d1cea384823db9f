// The package as a user installs it: `npm pack` -> `npm install -g` of the tarball into a temp prefix
// (the addon built on install, compiled JavaScript inside), then `fibpush` from that prefix's bin/,
// run from a directory that is not the checkout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from './helpers/fixtures';
import { testIf } from './helpers/skip';

const ROOT = repoRoot();
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-package-'));
const prefix = path.join(tmp, 'prefix');
const elsewhere = path.join(tmp, 'elsewhere');
fs.mkdirSync(elsewhere);

/** The environment of a user's shell: none of the npm_* variables `npm test` put around us. */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'NODE_PATH' && k !== 'INIT_CWD') env[k] = v;
  return { ...env, ...extra };
}

function sh(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(cmd, args, { cwd: opts.cwd, env: opts.env ?? userEnv(), timeout: opts.timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const installed = path.join(prefix, 'lib', 'node_modules', 'fibpush');
const fibpushBin = path.join(prefix, 'bin', 'fibpush');
const pathEnv = () => userEnv({ PATH: `${path.join(prefix, 'bin')}${path.delimiter}${process.env.PATH ?? ''}` });

test('npm pack: a tarball with compiled JavaScript (the simulator and the FRR lab the demo runs included), the addon sources and the VPP API JSON, no tests or fixtures', async () => {
  // npm test has just compiled dist/ (tsc -p .), so `prepare` (tsc again) is skipped here.
  const r = await sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: ROOT, timeoutMs: 120_000 });
  assert.is(r.code, 0, r.stderr);
  const info = (JSON.parse(r.stdout) as { filename: string; files: { path: string }[] }[])[0];
  const files = new Set(info.files.map((f) => f.path));
  for (const f of ['bin/fibpush.js', 'dist/ts/cli/main.js', 'dist/ts/vpp-sim/index.js', 'dist/ts/frr-lab/harness.js', 'binding.gyp', 'native/fpm_codec.cc', 'native/fpm_decode.h', 'vpp-api/json/ip.api.json', 'contrib/systemd/fibpush.service', 'package.json']) {
    assert.ok(files.has(f), `${f} is in the tarball`);
  }
  // Every entry point package.json names is a file the tarball holds: `main` only where there is
  // a library entry (fibpush is a command and has none), every `bin`.
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main?: string; bin?: Record<string, string> };
  const entries = [...(pkg.main !== undefined ? [pkg.main] : []), ...Object.values(pkg.bin ?? {})];
  assert.ok(entries.length > 0, 'package.json names an entry point');
  for (const e of entries) assert.ok(files.has(path.posix.normalize(e)), `${e} (package.json) is in the tarball`);
  for (const f of files) {
    assert.not.match(f, /^(test|bench|ts)\/|^dist\/(test|bench)\//, `${f}: sources, tests and benches stay out of the package`);
    assert.not.match(f, /fixtures|\.test\.js$|\.map$|^build\//, `${f}: fixtures, compiled tests, source maps and local builds stay out`);
  }
  fs.renameSync(path.join(tmp, info.filename), path.join(tmp, 'fibpush.tgz'));
});

test('npm install -g of the tarball builds the addon and puts a working fibpush on PATH', async () => {
  // --prefer-offline: node-addon-api comes from the npm cache the checkout's own `npm install` filled.
  const r = await sh(
    'npm',
    ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--no-update-notifier', path.join(tmp, 'fibpush.tgz')],
    { cwd: elsewhere, timeoutMs: 600_000 },
  );
  assert.is(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.ok(fs.existsSync(path.join(installed, 'build', 'Release', 'fpm_codec.node')), 'the addon was built on install');
  assert.ok(!fs.existsSync(path.join(installed, 'test', 'fixtures')), 'no fixtures installed');
  assert.ok(fs.existsSync(fibpushBin), `${fibpushBin} exists`);

  const v = await sh('fibpush', ['--version'], { cwd: elsewhere, env: pathEnv(), timeoutMs: 30_000 });
  assert.is(v.code, 0, v.stderr);
  assert.is(v.stdout, `fibpush ${VERSION}\n`);
});

test('the installed fibpush runs the demo from outside the checkout, on the installed addon', async () => {
  const r = await sh('fibpush', ['demo', '--routes', '1000', '--show', '2'], { cwd: elsewhere, env: pathEnv(), timeoutMs: 120_000 });
  assert.is(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /synced 1,000 routes into VPP in /);
  assert.match(r.stdout, /zebra received 1,000 RTM_F_OFFLOAD and 0 RTM_F_OFFLOAD_FAILED notifications/);
  assert.match(r.stdout, /VPP simulator: [\d,]+ routes, [\d,]+ API messages in, 0 protocol errors/);
  // The `fibpush` that ran is the installed copy (its own dist/ and addon), not the checkout.
  assert.is(fs.realpathSync(fibpushBin), path.join(fs.realpathSync(installed), 'bin', 'fibpush.js'));
  assert.ok(!r.stdout.includes(ROOT) && !r.stderr.includes(ROOT), `nothing in the demo's output points into the checkout ${ROOT}`);
});

/** systemd's own check of the unit, with ExecStart pointed at this prefix's fibpush. */
function systemdMissing(): string | null {
  return spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0 ? null : 'systemd-analyze is not installed (systemd)';
}

testIf(test, systemdMissing(), 'optional', 'contrib/systemd/fibpush.service passes systemd-analyze verify', async () => {
  const unit = fs.readFileSync(path.join(installed, 'contrib', 'systemd', 'fibpush.service'), 'utf8');
  assert.match(unit, /^ExecStart=\/usr\/local\/bin\/fibpush run /m);
  for (const l of ['User=fibpush', 'Group=frr', 'RuntimeDirectory=fibpush', 'Restart=on-failure', 'Before=frr.service']) assert.match(unit, new RegExp(`^${l}$`, 'm'));
  assert.match(unit, /^After=.*\bvpp\.service\b/m);
  const file = path.join(tmp, 'fibpush.service');
  fs.writeFileSync(file, unit.replace('/usr/local/bin/fibpush', fibpushBin));
  const r = await sh('systemd-analyze', ['verify', file], { cwd: tmp, timeoutMs: 60_000 });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stderr.trim(), '', 'no warnings');
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test.run();

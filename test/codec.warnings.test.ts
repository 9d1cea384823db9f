// The addon's C++ is warning-free under both compilers with more than the build asks for.
// binding.gyp builds with -Wall -Wextra -Werror (so `npm install` fails on a warning with the
// machine's compiler); this also holds the sources to -Wshadow -Wconversion under g++ and clang++,
// with node's and node-addon-api's headers as system headers (their warnings are not ours).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { testIf } from './helpers/skip';

const ROOT = path.resolve(__dirname, '..', '..');
const FLAGS = ['-std=c++17', '-fsyntax-only', '-Wall', '-Wextra', '-Wshadow', '-Wconversion', '-Werror'];
/** binding.gyp's defines: the same preprocessed code as the build. */
const DEFINES = ['-DNAPI_VERSION=8', '-DNAPI_DISABLE_CPP_EXCEPTIONS', '-DNODE_ADDON_API_DISABLE_DEPRECATED'];

/** node's headers: where node-gyp took them from (build/config.gypi nodedir), else beside node. */
function nodeHeaders(): string | null {
  const gypi = path.join(ROOT, 'build', 'config.gypi');
  const dirs: string[] = [];
  if (fs.existsSync(gypi)) {
    const m = /"nodedir":\s*"([^"]+)"/.exec(fs.readFileSync(gypi, 'utf8'));
    if (m) dirs.push(path.join(m[1], 'include', 'node'));
  }
  dirs.push(path.resolve(path.dirname(process.execPath), '..', 'include', 'node'));
  return dirs.find((d) => fs.existsSync(path.join(d, 'node_api.h'))) ?? null;
}

const headers = nodeHeaders();
const addonApi = path.dirname(require.resolve('node-addon-api/napi.h', { paths: [ROOT] }));

for (const cxx of ['g++', 'clang++']) {
  const missing =
    spawnSync(cxx, ['--version'], { stdio: 'ignore' }).status !== 0
      ? `${cxx} is not installed (apt-get install ${cxx === 'g++' ? 'g++' : 'clang'}; .ci/run installs clang)`
      : headers === null
        ? "node's headers are not found (node-gyp puts them where build/config.gypi nodedir says): run npm install"
        : null;
  testIf(test, missing, 'ci-installs', `native/fpm_codec.cc and its headers: no warning under ${cxx} ${FLAGS.slice(2).join(' ')}`, () => {
    const args = [...FLAGS, ...DEFINES, '-isystem', headers!, '-isystem', addonApi, '-I', path.join(ROOT, 'native'), path.join(ROOT, 'native', 'fpm_codec.cc')];
    const r = spawnSync(cxx, args, { encoding: 'utf8', timeout: 120_000 });
    assert.is(r.status, 0, `${cxx} ${args.join(' ')}\n${r.stderr}`);
    assert.is(r.stderr.trim(), '', 'no diagnostics at all');
  });
}

test.run();

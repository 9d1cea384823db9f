// Where the repository keeps the data files that fibpush, its generators, benches and tests read.
import * as path from 'path';

/** The package root: dist/ts/paths.js and ts/paths.ts both sit two levels below it. */
export const REPO_ROOT = path.basename(path.dirname(__dirname)) === 'dist' ? path.resolve(__dirname, '..', '..') : path.resolve(__dirname, '..');

/** VPP 25.10's API definitions (vppapigen JSON), kept in the repository: vpp-api/json/README.md. */
export const VPP_API_JSON_DIR = path.join(REPO_ROOT, 'vpp-api', 'json');

/** Byte offsets of every message fibpush sends, built independently of the codec and the simulator. */
export const VPP_API_LAYOUTS = path.join(REPO_ROOT, 'vpp-api', 'LAYOUTS.md');

/** Captures of real zebras and their decodes (tests only; not in the npm package). */
export const FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'fixtures');

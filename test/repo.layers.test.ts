// The layer order of docs/design.md ("Layers"), enforced: every import specifier of every .ts file
// under ts/ and bench/ (static, `export ... from`, `import type`, `require()`, `import()`, as
// TypeScript's own pre-processor finds them, comments and strings excluded) is resolved to the
// part it lands in and checked against the order. Nothing there may import test/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { repoRoot } from './helpers/fixtures';

const ROOT = repoRoot();
const DESIGN = path.join(ROOT, 'docs', 'design.md');
const PART_RE = /^(ts|bench)\/[\w./-]*$/;

interface Layers {
  /** Parts in the order written: a directory ("ts/vpp/") or one file ("ts/paths.ts"). */
  parts: string[];
  /** Part -> its line, 0 at the top. */
  line: Map<string, number>;
}

/** The ```layers block of docs/design.md: one line per layer, top first, parts before the prose. */
function readLayers(): Layers {
  const md = fs.readFileSync(DESIGN, 'utf8');
  const m = /^```layers\n([\s\S]*?)^```$/m.exec(md);
  if (!m) throw new Error(`${DESIGN}: no \`\`\`layers block`);
  const parts: string[] = [];
  const line = new Map<string, number>();
  m[1]
    .split('\n')
    .filter((l) => l.trim() !== '')
    .forEach((l, i) => {
      for (const tok of l.trim().split(/\s+/)) {
        if (!PART_RE.test(tok)) break;
        if (line.has(tok)) throw new Error(`${DESIGN}: part ${tok} is listed twice`);
        parts.push(tok);
        line.set(tok, i);
      }
    });
  return { parts, line };
}

/** The part a repository path (relative, '/'-separated, with its extension) belongs to: the longest match. */
function partOf(layers: Layers, rel: string): string | null {
  let best: string | null = null;
  for (const p of layers.parts) {
    const hit = p.endsWith('/') ? rel.startsWith(p) : rel === p;
    if (hit && (best === null || p.length > best.length)) best = p;
  }
  return best;
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(f);
    }
  };
  walk(dir);
  return out;
}

const rel = (abs: string) => path.relative(ROOT, abs).split(path.sep).join('/');

/** What a relative specifier names, as TypeScript resolves it: X.ts, X/index.ts, or X itself (data). */
function resolveSpecifier(fromFile: string, spec: string): string {
  const base = path.resolve(path.dirname(fromFile), spec.replace(/\.js$/, ''));
  for (const c of [`${base}.ts`, path.join(base, 'index.ts'), path.resolve(path.dirname(fromFile), spec)]) {
    if (fs.existsSync(c) && fs.statSync(c).isFile()) return rel(c);
  }
  return rel(base);
}

interface Violation {
  file: string;
  kind: 'test' | 'up' | 'across' | 'unplaced' | 'outside';
  text: string;
}

/** Every breach of the order in ts/ and bench/ as they are on disk now. */
function check(layers: Layers): { violations: Violation[]; files: number; imports: number } {
  const violations: Violation[] = [];
  let imports = 0;
  const files = [...tsFiles(path.join(ROOT, 'ts')), ...tsFiles(path.join(ROOT, 'bench'))];
  for (const abs of files) {
    const file = rel(abs);
    const from = partOf(layers, file);
    if (from === null) {
      violations.push({ file, kind: 'unplaced', text: `${file} is in no layer of docs/design.md` });
      continue;
    }
    const specs = ts.preProcessFile(fs.readFileSync(abs, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
    for (const spec of specs) {
      if (!spec.startsWith('.')) continue; // node: builtins and packages
      imports++;
      const target = resolveSpecifier(abs, spec);
      if (target === 'test' || target.startsWith('test/')) {
        violations.push({ file, kind: 'test', text: `${file} imports test code: '${spec}' (${target})` });
        continue;
      }
      const to = partOf(layers, target);
      if (to === null) {
        violations.push({ file, kind: 'outside', text: `${file} imports '${spec}' (${target}), which is in no layer` });
        continue;
      }
      if (to === from) continue;
      const a = layers.line.get(from)!;
      const b = layers.line.get(to)!;
      if (b < a) violations.push({ file, kind: 'up', text: `${file} (${from}, line ${a + 1}) imports up: '${spec}' (${to}, line ${b + 1})` });
      else if (b === a) violations.push({ file, kind: 'across', text: `${file} (${from}) imports '${spec}' from ${to}, beside it on line ${a + 1}` });
    }
  }
  return { violations, files: files.length, imports };
}

const layers = readLayers();

test('docs/design.md lists the layers: parts that exist, each once', () => {
  assert.ok(layers.parts.length >= 10, `parts read: ${layers.parts.join(' ')}`);
  for (const p of layers.parts) {
    const abs = path.join(ROOT, p);
    assert.ok(fs.existsSync(abs), `${p} (docs/design.md, Layers) exists`);
    assert.is(fs.statSync(abs).isDirectory(), p.endsWith('/'), `${p}: a directory is written with a trailing slash, a file without`);
  }
  for (const p of ['bench/', 'ts/cli/', 'ts/vpp-sim/', 'ts/frr-lab/', 'ts/daemon/', 'ts/dplane/']) assert.ok(layers.line.has(p), `${p} has a layer`);
  // The product's daemon sits below the simulator and the lab: it can never import them.
  assert.ok(layers.line.get('ts/daemon/')! > layers.line.get('ts/vpp-sim/')!);
  assert.ok(layers.line.get('ts/daemon/')! > layers.line.get('ts/frr-lab/')!);
});

test('ts/ and bench/ follow the layer order and never import test/', () => {
  const r = check(layers);
  assert.ok(r.files > 50 && r.imports > 200, `scanned ${r.files} files, ${r.imports} relative imports`);
  assert.equal(r.violations.map((v) => v.text), []);
});

test('the check catches a planted import of test/, an upward one, one across a line, and a file in no layer', () => {
  const tag = `zz-layers-probe-${process.pid}`;
  const planted: [string, string][] = [
    [`bench/${tag}.ts`, `export { FrrGate } from '../test/frr/gate';\n`],
    [`ts/dplane/${tag}.ts`, `export type { Daemon } from '../daemon/daemon';\n`],
    [`ts/fpm/${tag}.ts`, `export const weights = require('../vpp/weights');\n`],
    [`ts/${tag}/probe.ts`, `export const n = 1;\n`],
    // A legitimate import, planted the same way: it must not be reported.
    [`ts/daemon/${tag}.ts`, `export type { ChangeSource } from '../dplane/types';\n`],
  ];
  const cleanup = () => {
    for (const [f] of planted) fs.rmSync(path.join(ROOT, f), { force: true });
    fs.rmSync(path.join(ROOT, 'ts', tag), { recursive: true, force: true });
  };
  process.once('exit', cleanup);
  try {
    fs.mkdirSync(path.join(ROOT, 'ts', tag));
    for (const [f, text] of planted) fs.writeFileSync(path.join(ROOT, f), text);
    const got = check(layers).violations.filter((v) => v.file.includes(tag));
    const kinds = Object.fromEntries(got.map((v) => [v.file, v.kind]));
    assert.equal(kinds, {
      [`bench/${tag}.ts`]: 'test',
      [`ts/dplane/${tag}.ts`]: 'up',
      [`ts/fpm/${tag}.ts`]: 'across',
      [`ts/${tag}/probe.ts`]: 'unplaced',
    });
    assert.match(got.find((v) => v.kind === 'up')!.text, /\(ts\/dplane\/, line \d+\) imports up: '\.\.\/daemon\/daemon' \(ts\/daemon\/, line \d+\)/);
  } finally {
    cleanup();
  }
  assert.ok(!fs.existsSync(path.join(ROOT, 'ts', tag)), 'the planted files are gone');
  assert.equal(check(layers).violations.map((v) => v.text), [], 'and the tree is clean again');
});

test.run();

// What the decode benchmarks share (bench/codec.ts, bench/ingest.ts): their options, the generated
// full table written to a temp file, one case per fresh child process, the decode loop, the figures.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Decoder } from '../ts/codec/decoder';
import { Meta } from '../ts/codec/layout';
import { encodeTable, FullTable, generateFullTable } from '../ts/gen/fulltable';

/** `--name N`: a non-negative integer, `def` when absent. */
export function intArg(argv: string[], name: string, def: number): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const n = Number(argv[i + 1]);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Expected a non-negative integer for --${name} but received "${argv[i + 1]}"`);
  return n;
}

export function median(a: readonly number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s[s.length >> 1];
}

/** A figure with thousands separators; '-' for one that is missing or not finite. */
export function fmt(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** The line that says what the figures were taken on. */
export function machineLine(): string {
  return `node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}`;
}

/** The table options both benchmarks take: `--v4 N --v6 N --seed S --nhgs N`. */
export function tableArgs(argv: string[]): { v4: number; v6: number; seed: number; nhgs: number } {
  return { v4: intArg(argv, 'v4', 1_000_000), v6: intArg(argv, 'v6', 230_000), seed: intArg(argv, 'seed', 1), nhgs: intArg(argv, 'nhgs', 32) };
}

/**
 * Generates the full table (ts/gen/fulltable.ts), writes it in each of `modes` (true: NHG mode,
 * false: inline nexthops, zebra's `no fpm use-next-hop-groups`) to a temp directory, and runs
 * `f` with the files; the directory is removed afterwards.
 */
export function withTableFiles<T>(
  opts: { v4: number; v6: number; seed: number; nhgs: number },
  modes: Record<string, boolean>,
  f: (table: FullTable, files: Record<string, string>, bytes: Record<string, number>) => T,
): T {
  const table = generateFullTable(opts);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-bench-'));
  try {
    const files: Record<string, string> = {};
    const bytes: Record<string, number> = {};
    for (const [name, nhgMode] of Object.entries(modes)) {
      const b = encodeTable(table, { nhgMode });
      files[name] = path.join(dir, `${name}.fpm`);
      bytes[name] = b.length;
      fs.writeFileSync(files[name], b);
    }
    return f(table, files, bytes);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `node [nodeArgs] script args` and parses the last line it prints as JSON; a child that
 * fails gives `{ failed }` with the last lines of its stderr.
 */
export function runChild<T>(script: string, args: string[], nodeArgs: string[] = []): T | { failed: string } {
  const r = spawnSync(process.execPath, [...nodeArgs, script, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return { failed: (r.stderr || '').trim().split('\n').slice(-3).join(' ').slice(0, 160) };
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as T;
}

/**
 * Decodes `buf` the way the stream reader drives the decoder: batch by batch, straight out of
 * the buffer, no copies; `onBatch` sees each batch. Returns the rows decoded. A stream error
 * (the generator wrote something the decoder refuses) ends the benchmark.
 */
export function decodeBuffer(d: Decoder, buf: Uint8Array, onBatch?: (d: Decoder) => void): number {
  const meta = d.batch.meta;
  let rows = 0;
  let start = 0;
  while (start < buf.length) {
    d.decode(buf, start, buf.length);
    if (meta[Meta.StreamErr] !== 0) throw new Error(`stream error ${meta[Meta.StreamErr]} at ${meta[Meta.StreamErrOff]}`);
    rows += meta[Meta.Rows];
    if (onBatch) onBatch(d);
    start += meta[Meta.Consumed];
  }
  return rows;
}

/** Prints rows as aligned columns under a rule; `left` says which columns are text (padded right). */
export function printTable(rows: readonly (readonly string[])[], left: (column: number) => boolean): void {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const [i, r] of rows.entries()) {
    console.log(r.map((cell, c) => (left(c) ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  ').trimEnd());
    if (i === 0) console.log(w.map((n) => '-'.repeat(n)).join('  '));
  }
}

// Helpers for the tests of FRR built from frr-patches/ (test/frr-patched.*.test.ts): where the
// build is, whether it can run here, and the FPM stream of a connection as decoded messages.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { createDecoder } from '../../ts/codec/decoder';
import { FpmStreamReader } from '../../ts/codec/stream';
import { DecodedMessage, messageFromRow } from '../../ts/codec/format';
import type { Test } from 'uvu';
import { gateSuite } from '../helpers/skip';

/**
 * Install prefix of the patched build: env FIBPUSH_FRR_PATCHED, else frr-patches/build.sh's default
 * (`<repo>/../frr-build/install`). Daemons are in `<prefix>/lib/frr`, vtysh in `<prefix>/bin`.
 */
export function patchedFrrPrefix(): string {
  const env = process.env.FIBPUSH_FRR_PATCHED;
  if (env) return path.resolve(env);
  // dist/test/frr/patched-frr.js or test/frr/patched-frr.ts: the repo is the first parent with a package.json.
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.resolve(dir, '..', 'frr-build', 'install');
}

export interface PatchedFrr {
  prefix: string;
  /** Directory of zebra, staticd, sharpd (FrrLab's `frrBin`). */
  bin: string;
  vtysh: string;
}

export function patchedFrr(): PatchedFrr {
  const prefix = patchedFrrPrefix();
  return { prefix, bin: path.join(prefix, 'lib', 'frr'), vtysh: path.join(prefix, 'bin', 'vtysh') };
}

/** Why the patched build is not there (null when it is). */
export function patchedBuildMissing(p: PatchedFrr = patchedFrr()): string | null {
  const need = [
    path.join(p.bin, 'zebra'),
    path.join(p.bin, 'staticd'),
    path.join(p.bin, 'sharpd'),
    path.join(p.bin, 'modules', 'dplane_fpm_nl.so'),
    p.vtysh,
  ];
  for (const f of need) if (!fs.existsSync(f)) return `${f} is missing`;
  return null;
}

/** Why the patched build cannot run here although it exists (null when it can). */
export function patchedRunBlocked(): string | null {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not running as root (network namespaces need it)';
  try {
    execFileSync('id', ['-u', 'frr'], { stdio: 'ignore' });
  } catch {
    return 'no user frr (the daemons drop to it; Debian\'s frr package creates it)';
  }
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    execFileSync('unshare', ['--version'], { stdio: 'ignore' });
  } catch {
    return '`ip netns` or `unshare` is not usable';
  }
  return null;
}

/**
 * Skip policy of the opt-in patched-FRR suites: they run only when the patched build exists
 * (building FRR takes minutes; CI does not). A missing build is a loud skip, never a failure;
 * a build that exists but cannot run here is a loud skip too, unless CI is set.
 */
export class PatchedGate {
  private readonly why: string | null;
  private warned = false;
  private err: unknown = null;
  readonly frr = patchedFrr();

  constructor(readonly suite: string) {
    const missing = patchedBuildMissing(this.frr);
    if (missing) this.why = `patched FRR not built (run frr-patches/build.sh): ${missing}`;
    else {
      const blocked = patchedRunBlocked();
      this.why = blocked ? `patched FRR (${this.frr.prefix}) cannot run here: ${blocked}` : null;
      if (blocked && process.env.CI) this.err = new Error(`suite "${suite}": ${this.why} (CI is set: this is a failure)`);
    }
  }

  get available(): boolean {
    return this.why === null;
  }

  /** The suite's `test`, gated: a missing build skips everywhere; a build that cannot run fails under CI. */
  guard<T>(test: Test<T>): Test<T> {
    return gateSuite(test, this.why, patchedBuildMissing(this.frr) ? 'optional' : 'ci-installs');
  }

  fail(e: unknown): void {
    this.err = e;
  }

  check(): boolean {
    if (this.err) throw this.err instanceof Error ? this.err : new Error(JSON.stringify(this.err));
    if (this.why === null) return true;
    if (!this.warned) console.warn(`\n!!! SKIPPED: ${this.why} [suite "${this.suite}"]\n`);
    this.warned = true;
    return false;
  }
}

/** Every message of a recorded FPM byte stream, in order, as the TS decoder reads it. */
export function decodeMessages(chunks: readonly Uint8Array[]): DecodedMessage[] {
  const reader = new FpmStreamReader(createDecoder('ts'));
  const out: DecodedMessage[] = [];
  for (const chunk of chunks) {
    reader.push(chunk, (b, c) => {
      const rows = b.meta[0];
      for (let i = 0; i < rows; i++) {
        if (b.err[i] !== 0) throw new Error(`bad row in the FPM stream (err ${b.err[i]})`);
        out.push(messageFromRow(b, i, c));
      }
    });
  }
  return out;
}

export type NexthopMessage = Extract<DecodedMessage, { kind: 'nexthop' }>;
export type RouteMessage = Extract<DecodedMessage, { kind: 'route' }>;

export const isNexthop = (m: DecodedMessage): m is NexthopMessage => m.kind === 'nexthop';
export const isRoute = (m: DecodedMessage): m is RouteMessage => m.kind === 'route';

/** "<table> <dst>/<len>" of a route message, as ts/frr-lab/fib.ts keys routes. */
export const routeKey = (m: RouteMessage): string => `${m.table} ${String(m.dst)}/${m.dstLen}`;

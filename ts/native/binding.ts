// The one place that loads the native addon (build/Release/fpm_codec.node) and types it.
import * as path from 'path';

/** A native decoder bound to one batch's ArrayBuffer (see native/fpm_codec.cc). */
export interface NativeDecoderHandle {
  /** Decodes chunk[start, end) into the bound batch; results in the batch's meta (docs/codec.md). */
  decode(chunk: Uint8Array, start: number, end: number): void;
}

/** What native/fpm_codec.cc exports. Written by hand: keep in step with Init() there. */
export interface NativeBinding {
  /** Column names in native/batch_layout.h order (must equal layout.ts ALL_COLUMN_NAMES). */
  columnNames(): string[];
  /** Element size in bytes of each column, same order. */
  columnSizes(): number[];
  /** Meta slot count the addon writes (must equal Meta.Size). */
  readonly metaSize: number;
  /**
   * Binds a batch once: its ArrayBuffer, column byte offsets (contract order), capacities
   * [rows, paths, groups, labels] and meta. The addon keeps references to the buffer and meta.
   */
  Decoder: new (
    buffer: ArrayBuffer,
    offsets: Uint32Array,
    capacities: Uint32Array,
    meta: Int32Array,
  ) => NativeDecoderHandle;
}

/** The package root: this file runs from dist/ts/native/. */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const CANDIDATES = [path.join(ROOT, 'build', 'Release', 'fpm_codec.node')];

let cached: NativeBinding | undefined;
let failure: Error | undefined;

/** Loads the addon once; throws an error that says how to fix a missing or broken build. */
export function loadBinding(): NativeBinding {
  if (cached) return cached;
  if (failure) throw failure;
  const errors: string[] = [];
  for (const file of CANDIDATES) {
    try {
      // A .node file loads only through require (process.dlopen underneath); the path is computed.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      cached = require(file) as NativeBinding;
      return cached;
    } catch (e) {
      errors.push(`${file}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  failure = new Error(
    [
      'Could not load the fibpush native FPM decoder (fpm_codec.node).',
      ...errors.map((e) => `  ${e}`),
      'Possible solutions:',
      '- Install the package again: "npm install" (it builds the addon with node-gyp).',
      '- Make sure a C++17 toolchain is installed: python3, make and g++ (Debian: apt-get install python3 make g++).',
      '- Rebuild the addon by hand: "npm run build" (or "npx node-gyp rebuild").',
      `- Check that the addon was built for this Node.js (${process.version}, ABI ${process.versions.modules}).`,
      '- Or use the TypeScript reference decoder explicitly (createDecoder("ts")), which is slower.',
    ].join('\n'),
  );
  throw failure;
}

/** True when the addon loads (for tests and status output); never throws. */
export function nativeAvailable(): boolean {
  try {
    loadBinding();
    return true;
  } catch {
    return false;
  }
}

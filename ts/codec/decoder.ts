// The decoder interface and its two implementations: the native addon and the TS reference.
import { Batch, createBatch, Meta } from './layout';
import { RefDecoder } from './ref-decoder';
import { loadBinding, NativeDecoderHandle } from '../native/binding';

export type DecoderImpl = 'native' | 'ts';

/**
 * Decodes whole FPM frames of `chunk[start, end)` into `batch` (docs/codec.md): rows and side
 * tables from index 0, counts and stream status in `batch.meta` (Meta enum). Offsets in the
 * batch point into `chunk`, valid while the caller keeps that chunk unchanged.
 */
export interface Decoder {
  readonly impl: DecoderImpl;
  readonly batch: Batch;
  decode(chunk: Uint8Array, start: number, end: number): void;
}

class TsDecoder implements Decoder {
  readonly impl = 'ts' as const;
  readonly batch: Batch;
  private readonly d: RefDecoder;
  constructor(batch: Batch) {
    this.batch = batch;
    this.d = new RefDecoder(batch);
  }
  decode(chunk: Uint8Array, start: number, end: number): void {
    this.d.decode(chunk, start, end);
  }
}

class NativeDecoder implements Decoder {
  readonly impl = 'native' as const;
  readonly batch: Batch;
  private readonly h: NativeDecoderHandle;
  constructor(batch: Batch) {
    const binding = loadBinding();
    if (binding.metaSize !== Meta.Size) {
      throw new Error(`fpm_codec.node writes ${binding.metaSize} meta slots, expected ${Meta.Size}: rebuild it (npm run build)`);
    }
    this.batch = batch;
    const caps = Uint32Array.of(batch.cap.rows, batch.cap.paths, batch.cap.groups, batch.cap.labels);
    this.h = new binding.Decoder(batch.buffer, batch.offsets, caps, batch.meta);
  }
  decode(chunk: Uint8Array, start: number, end: number): void {
    this.h.decode(chunk, start, end);
  }
}

/**
 * A decoder bound to `batch` (a new default-sized one when omitted). `impl` defaults to the
 * native addon; if it cannot be loaded this throws (with how to fix it) rather than quietly
 * running the slower reference decoder.
 */
export function createDecoder(impl: DecoderImpl = 'native', batch: Batch = createBatch()): Decoder {
  if (impl === 'native') return new NativeDecoder(batch);
  if (impl === 'ts') return new TsDecoder(batch);
  throw new TypeError(`Expected "native" or "ts" for the decoder implementation but received ${JSON.stringify(impl)}`);
}

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

/**
 * True when `buf` was transferred away (postMessage or structuredClone with `transfer`), which
 * leaves it empty. Node 20 has no ArrayBuffer.prototype.detached; a view on a detached buffer
 * cannot be made, one of length 0 on an attached buffer can.
 */
function isDetached(buf: ArrayBufferLike): boolean {
  if (buf.byteLength > 0) return false;
  try {
    new Uint8Array(buf, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * The reference decoder refuses memory taken away from it with the native addon's words
 * (native/fpm_codec.cc): writes into a detached batch would vanish without a trace.
 */
class TsDecoder implements Decoder {
  readonly impl = 'ts' as const;
  readonly batch: Batch;
  private readonly d: RefDecoder;
  private readonly byteLength: number;
  constructor(batch: Batch) {
    if (isDetached(batch.buffer)) throw new TypeError("Decoder: buffer's ArrayBuffer was transferred (detached); bind a batch whose memory is attached");
    if (isDetached(batch.meta.buffer)) throw new TypeError("Decoder: meta's ArrayBuffer was transferred (detached); bind a batch whose memory is attached");
    this.batch = batch;
    this.byteLength = batch.buffer.byteLength;
    this.d = new RefDecoder(batch);
  }
  decode(chunk: Uint8Array, start: number, end: number): void {
    const b = this.batch;
    if (b.buffer.byteLength !== this.byteLength || b.meta.length === 0) {
      const why =
        b.buffer.byteLength !== this.byteLength
          ? isDetached(b.buffer)
            ? 'its ArrayBuffer was transferred (detached)'
            : 'its ArrayBuffer moved or changed size'
          : "the meta array's buffer was transferred (detached)";
      throw new Error(`decode: the batch's memory is gone: ${why}`);
    }
    if (chunk.length === 0 && isDetached(chunk.buffer)) throw new TypeError("decode: the chunk's ArrayBuffer was transferred (detached)");
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

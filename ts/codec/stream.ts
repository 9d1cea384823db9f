// FpmStreamReader: turns the bytes of one FPM TCP connection into decoded batches.
//
// TCP splits frames anywhere. Whole frames are decoded straight out of the chunk the socket
// handed us (no copy); only a partial frame at the end of a chunk is copied into a reused tail
// buffer and completed from the next chunk (FRR's stream_pulldown does the same on its side).
import { Batch, Kind, Meta } from './layout';
import { FpmFrameError, StreamError } from './codes';
import { createDecoder, Decoder } from './decoder';

/** fpm/fpm.h: FPM_MAX_MSG_LEN; the u16 length field cannot say more. */
const MAX_FRAME = 65535;
const FPM_HDR = 4;

export type BatchCallback = (batch: Batch, chunk: Uint8Array) => void;

export class FpmStreamReader {
  readonly decoder: Decoder;
  /** Bytes pushed so far (the stream offset of the next byte). */
  bytes = 0;
  /** Whole frames decoded. */
  frames = 0;
  /** Rows delivered, of which bad (err != 0), Other (kind 4) and Done (kind 3). */
  rows = 0;
  badRows = 0;
  otherRows = 0;
  doneRows = 0;
  /**
   * Stream offset of `chunk[0]` for the batch being delivered: a row's absolute position is
   * `base + msgOff`. Valid inside the callback.
   */
  base = 0;

  private tail: Uint8Array;
  private tailLen = 0;
  /** Stream offset of tail[0]. */
  private tailBase = 0;
  private failed: FpmFrameError | null = null;

  constructor(decoder: Decoder = createDecoder()) {
    this.decoder = decoder;
    this.tail = new Uint8Array(4096);
  }

  /** Bytes of a partial frame held until the next push. */
  get pending(): number {
    return this.tailLen;
  }

  /** Forgets the partial frame, the error and the counters: for a new connection. */
  reset(): void {
    this.tailLen = 0;
    this.tailBase = 0;
    this.failed = null;
    this.bytes = this.frames = this.rows = this.badRows = this.otherRows = this.doneRows = 0;
    this.base = 0;
  }

  /**
   * Decodes every whole frame now available and calls `onBatch` for each batch, synchronously
   * (the batch and the chunk are reused after it returns). On a broken stream the rows before
   * the defect are delivered first, then FpmFrameError is thrown with the defect's absolute
   * stream offset; every later push throws it again. An exception thrown by `onBatch` itself
   * propagates and leaves the reader mid-chunk: reset() it (the connection is dropped anyway).
   */
  push(chunk: Uint8Array, onBatch: BatchCallback): void {
    if (this.failed) throw this.failed;
    const streamPos = this.bytes;
    this.bytes += chunk.length;
    let pos = 0;
    if (this.tailLen > 0) {
      let n = this.tailLen;
      const t = this.tail;
      if (n < FPM_HDR) {
        const k = Math.min(FPM_HDR - n, chunk.length);
        t.set(chunk.subarray(0, k), n);
        n += k;
        pos = k;
        this.tailLen = n;
        if (n < FPM_HDR) return;
      }
      // Complete the frame when its header is sound; a bad header is reported by the decoder
      // as soon as the 4 header bytes are in, whatever follows.
      const flen = (t[2] << 8) | t[3];
      if (t[0] === 1 && t[1] === 1 && flen > n) {
        const k = Math.min(flen - n, chunk.length - pos);
        this.reserve(n + k);
        this.tail.set(chunk.subarray(pos, pos + k), n);
        n += k;
        pos += k;
        this.tailLen = n;
      }
      const done = this.run(this.tail, 0, n, this.tailBase, onBatch);
      if (done === 0) return; // still partial: every byte of the chunk is in the tail
      this.tailLen = 0;
    }
    const done = this.run(chunk, pos, chunk.length, streamPos, onBatch);
    const rest = chunk.length - done;
    if (rest > 0) {
      this.reserve(rest);
      this.tail.set(chunk.subarray(done), 0);
      this.tailLen = rest;
      this.tailBase = streamPos + done;
    }
  }

  /** Grows the tail (copying what it holds) so that it holds `n` bytes. */
  private reserve(n: number): void {
    if (n <= this.tail.length) return;
    let size = this.tail.length;
    while (size < n) size *= 2;
    const t = new Uint8Array(Math.min(size, MAX_FRAME + 1));
    t.set(this.tail.subarray(0, this.tailLen));
    this.tail = t;
  }

  /** Decodes buf[s, e) until no progress; returns where decoding stopped. */
  private run(buf: Uint8Array, s: number, e: number, base: number, onBatch: BatchCallback): number {
    const d = this.decoder;
    const b = d.batch;
    const m = b.meta;
    for (;;) {
      d.decode(buf, s, e);
      const rows = m[Meta.Rows];
      const frames = m[Meta.Frames];
      const consumed = m[Meta.Consumed];
      this.frames += frames;
      if (rows > 0 || frames > 0) {
        this.count(b, rows);
        this.base = base;
        onBatch(b, buf);
      }
      const code = m[Meta.StreamErr];
      if (code !== StreamError.None) {
        const off = m[Meta.StreamErrOff];
        this.failed = new FpmFrameError(code, base + off, describe(buf, s + consumed, off, code));
        throw this.failed;
      }
      s += consumed;
      if (consumed === 0 || s >= e) return s;
    }
  }

  private count(b: Batch, rows: number): void {
    const err = b.err;
    const kind = b.kind;
    let bad = 0;
    let other = 0;
    let done = 0;
    for (let i = 0; i < rows; i++) {
      if (err[i] !== 0) bad++;
      const k = kind[i];
      if (k === Kind.Other) other++;
      else if (k === Kind.Done) done++;
    }
    this.rows += rows;
    this.badRows += bad;
    this.otherRows += other;
    this.doneRows += done;
  }
}

/** The fields at fault, for the error message (the decoder already checked they are readable). */
function describe(buf: Uint8Array, frame: number, off: number, code: number): string {
  const flen = (buf[frame + 2] << 8) | buf[frame + 3];
  switch (code) {
    case StreamError.BadVersion:
      return `version ${buf[off]}, expected 1`;
    case StreamError.BadType:
      return `type ${buf[off + 1]}, expected 1 (netlink)`;
    case StreamError.ShortFrame:
      return `length ${flen}, below the 4-byte header`;
    case StreamError.ShortNlmsg:
      return `${frame + flen - off} bytes left in a frame of ${flen}, below a 16-byte nlmsghdr`;
    default: {
      const nlen = (buf[off] | (buf[off + 1] << 8) | (buf[off + 2] << 16) | (buf[off + 3] << 24)) >>> 0;
      const seq = (buf[off + 8] | (buf[off + 9] << 8) | (buf[off + 10] << 16) | (buf[off + 11] << 24)) >>> 0;
      return code === StreamError.NlmsgLenTooSmall
        ? `nlmsg_len ${nlen}, below 16, seq ${seq}`
        : `nlmsg_len ${nlen} runs past the frame (${frame + flen - off} bytes left), seq ${seq}`;
    }
  }
}

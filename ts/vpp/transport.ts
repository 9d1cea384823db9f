// VPP API socket framing: the 16-byte message header, reassembly of messages across reads, batch buffers.
//
// Wire facts (vlibapi/api_common.h msgbuf_t; vlibmemory/socket_api.c vl_socket_read_ready /
// vl_socket_api_send): every message in both directions is `u64 q` (0), `u32 data_len` (big-endian,
// payload bytes, header excluded), `u32 gc_mark_timestamp` (0), then the payload. A read may hold
// many messages, or a fraction of one (sockclnt_create_reply carries the whole message table,
// ~53 KB), so the reader keeps a partial tail and delivers each payload in place.
import * as net from 'net';
import { readNow, socketFd } from '../node-internals';

export const HEADER_SIZE = 16;

/**
 * Messages larger than this are treated as a framing error: data_len is a u32 and VPP sets no
 * cap, but the largest message fibpush can receive (a route details with 255 paths, or the
 * message table) is well under 1 MiB; a bigger length means the stream is out of step.
 */
export const DEFAULT_MAX_MESSAGE = 64 * 1024 * 1024;

export class VppFramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VppFramingError';
  }
}

/**
 * Called once per complete message. `buf`/`dv` cover the payload at [off, off+len): they are
 * borrowed (the read buffer or the reassembly buffer) and valid only during the call.
 */
export type MessageHandler = (buf: Uint8Array, dv: DataView, off: number, len: number) => void;

/** Splits a byte stream into VPP API messages; no allocation per message. */
export class MessageReader {
  private pending: Uint8Array;
  private pendingDv: DataView;
  private pendingLen = 0;
  private chunkDv: DataView | null = null;
  private chunkBuf: Uint8Array | null = null;
  messages = 0;
  bytes = 0;

  constructor(
    private readonly onMessage: MessageHandler,
    private readonly maxMessage = DEFAULT_MAX_MESSAGE,
  ) {
    this.pending = new Uint8Array(64 * 1024);
    this.pendingDv = new DataView(this.pending.buffer);
  }

  /** Drop any partial message (on reconnect). */
  reset(): void {
    this.pendingLen = 0;
  }

  /** Bytes of an incomplete message held back. */
  get buffered(): number {
    return this.pendingLen;
  }

  /** Feed bytes read from the socket; throws VppFramingError when the stream is out of step. */
  push(chunk: Uint8Array, start = 0, end = chunk.length): void {
    this.bytes += end - start;
    let pos = start;
    if (this.pendingLen > 0) {
      // Complete the header first, then the payload, copying only what the partial message needs.
      if (this.pendingLen < HEADER_SIZE) {
        const take = Math.min(HEADER_SIZE - this.pendingLen, end - pos);
        this.pending.set(chunk.subarray(pos, pos + take), this.pendingLen);
        this.pendingLen += take;
        pos += take;
        if (this.pendingLen < HEADER_SIZE) return;
      }
      const total = HEADER_SIZE + this.checkLen(this.pendingDv.getUint32(8, false));
      if (total > this.pending.length) this.grow(total);
      const take = Math.min(total - this.pendingLen, end - pos);
      this.pending.set(chunk.subarray(pos, pos + take), this.pendingLen);
      this.pendingLen += take;
      pos += take;
      if (this.pendingLen < total) return;
      this.pendingLen = 0;
      this.messages++;
      this.onMessage(this.pending, this.pendingDv, HEADER_SIZE, total - HEADER_SIZE);
    }
    if (pos >= end) return;
    let dv = this.chunkDv;
    if (this.chunkBuf !== chunk || dv === null) {
      dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      this.chunkDv = dv;
      this.chunkBuf = chunk;
    }
    while (end - pos >= HEADER_SIZE) {
      const len = this.checkLen(dv.getUint32(pos + 8, false));
      if (end - pos - HEADER_SIZE < len) break;
      this.messages++;
      this.onMessage(chunk, dv, pos + HEADER_SIZE, len);
      pos += HEADER_SIZE + len;
    }
    if (pos < end) {
      const rest = end - pos;
      if (rest > this.pending.length) this.grow(rest);
      this.pending.set(chunk.subarray(pos, end), 0);
      this.pendingLen = rest;
    }
  }

  private checkLen(len: number): number {
    if (len > this.maxMessage) {
      this.pendingLen = 0;
      throw new VppFramingError(`VPP message data_len ${len} exceeds ${this.maxMessage} bytes: stream out of step`);
    }
    return len;
  }

  private grow(need: number): void {
    let n = this.pending.length;
    while (n < need) n *= 2;
    const p = new Uint8Array(n);
    p.set(this.pending.subarray(0, this.pendingLen));
    this.pending = p;
    this.pendingDv = new DataView(p.buffer);
  }
}

/**
 * One batch of outgoing messages in one buffer: each message is a header (written when the
 * message ends, once its length is known) and its payload. The whole batch goes out in one
 * socket write.
 */
export class BatchBuffer {
  buf: Buffer;
  dv: DataView;
  /** Write position (end of the last finished message). */
  pos = 0;
  /** Messages in the batch. */
  count = 0;
  private msgStart = -1;

  constructor(size = 256 * 1024) {
    this.buf = Buffer.allocUnsafe(size);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Room for a message of up to `maxPayload` bytes; returns the payload offset. */
  begin(maxPayload: number): number {
    const need = this.pos + HEADER_SIZE + maxPayload;
    if (need > this.buf.length) this.grow(need);
    this.msgStart = this.pos;
    return this.pos + HEADER_SIZE;
  }

  /** Finish the message begun last with `len` payload bytes: writes its header. */
  end(len: number): void {
    const h = this.msgStart;
    if (h < 0) throw new Error('BatchBuffer.end without begin');
    this.dv.setUint32(h, 0); // u64 q = 0 (vlibapi/api_common.h msgbuf_t)
    this.dv.setUint32(h + 4, 0);
    this.dv.setUint32(h + 8, len, false); // data_len, big-endian
    this.dv.setUint32(h + 12, 0); // gc_mark_timestamp = 0
    this.pos = h + HEADER_SIZE + len;
    this.count++;
    this.msgStart = -1;
  }

  /** Abandon the message begun last (encoding failed). */
  abort(): void {
    this.msgStart = -1;
  }

  /** The batch bytes (a view, not a copy). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
    this.count = 0;
    this.msgStart = -1;
  }

  private grow(need: number): void {
    let n = this.buf.length;
    while (n < need) n *= 2;
    const b = Buffer.allocUnsafe(n);
    this.buf.copy(b, 0, 0, this.pos);
    this.buf = b;
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
}

/** Write one complete message (header + payload built by `fill`) into a fresh buffer: for tests and tools. */
export function frame(payload: Uint8Array): Buffer {
  const b = Buffer.alloc(HEADER_SIZE + payload.length);
  b.writeUInt32BE(payload.length, 8);
  b.set(payload, HEADER_SIZE);
  return b;
}

export interface SocketHandlers {
  onMessage: MessageHandler;
  onClose: (err: Error | null) => void;
  /**
   * Called after each read has been handled, with its size: milliseconds to leave the socket
   * unread before the next one (0 = read on). See VppSocket.received().
   */
  readPause?: (bytes: number) => number;
}

/**
 * A connected API socket: reads into one reused buffer (net `onread`), frames messages, writes
 * batches. Batch buffers are recycled only after their write completed (a socket may keep a
 * reference to the bytes until then).
 */
export class VppSocket {
  readonly reader: MessageReader;
  private sock: net.Socket | null = null;
  private closed = false;
  private free: BatchBuffer[] = [];
  /** Set while received bytes are being framed and handled: a poll from inside a handler is refused. */
  private framing = false;
  private pollBuf: Buffer | null = null;
  /** Socket writes issued (one per batch). */
  writes = 0;
  bytesOut = 0;
  /** Bytes taken in by pollRead() rather than by the event loop's read. */
  polledBytes = 0;
  /** When bytes last arrived (performance.now()): one clock read per socket read, not per message. */
  lastRead = 0;

  constructor(
    readonly path: string,
    private readonly h: SocketHandlers,
    private readonly batchSize = 64 * 1024,
  ) {
    this.reader = new MessageReader(h.onMessage);
  }

  connect(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const readBuf = Buffer.allocUnsafe(256 * 1024);
      const s = net.connect({
        path: this.path,
        onread: {
          buffer: readBuf,
          callback: (n: number, buf: Uint8Array) => this.received(buf, n),
        },
      } as net.NetConnectOpts);
      this.sock = s;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        s.destroy();
        reject(new Error(`connect to VPP API socket ${this.path} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      s.once('connect', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve();
      });
      s.on('error', (err) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          reject(err);
          return;
        }
        this.destroy(err);
      });
      s.on('close', () => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          reject(new Error(`VPP API socket ${this.path} closed while connecting`));
          return;
        }
        this.destroy(null);
      });
    });
  }

  /**
   * VPP writes every reply as soon as it is made (vlibmemory/socket_api.c vl_socket_api_send
   * calls clib_file_write per message), so a client faster than VPP wakes up once per reply: a
   * read, a handler and a write for each route, a core's worth of CPU spent waiting for VPP.
   * When the handler says so (readPause: many requests still in flight, few bytes in this read),
   * the socket is left unread for a moment: VPP keeps working on what it has queued, and the next
   * read takes in a batch of replies at once. Reads stop with uv_read_stop (socket.pause()), so
   * nothing polls meanwhile.
   */
  private received(buf: Uint8Array, n: number): boolean {
    this.lastRead = performance.now();
    this.framing = true;
    try {
      this.reader.push(buf, 0, n);
    } catch (e) {
      this.destroy(e as Error);
      return false;
    } finally {
      this.framing = false;
    }
    const ms = this.h.readPause?.(n) ?? 0;
    if (ms > 0 && !this.pauseTimer && this.sock && !this.closed) {
      this.pauses++;
      this.sock.pause();
      this.pauseTimer = setTimeout(this.resumeRead, ms);
    }
    return true;
  }

  private pauseTimer: NodeJS.Timeout | null = null;
  /** Reads left out for a moment (readPause). */
  pauses = 0;
  private readonly resumeRead = (): void => {
    this.pauseTimer = null;
    if (this.sock && !this.closed) this.sock.resume();
  };

  /**
   * Take in, without waiting, up to about `maxBytes` that the kernel already holds for this
   * socket, and hand them to the message handler now instead of at the event loop's next poll.
   * A caller that holds the event loop for long stretches (the zebra reader: libuv reads a busy
   * socket up to 32 times per poll) uses it to let replies free the window between its reads.
   * The fd is non-blocking (libuv's): EAGAIN (nothing yet) ends it, EOF is left to libuv's own
   * read, any other error closes the socket. Returns the bytes taken in; 0 when called from inside
   * a handler.
   */
  pollRead(maxBytes: number): number {
    const s = this.sock;
    if (!s || this.closed || this.framing) return 0;
    const fd = socketFd(s);
    if (fd < 0) return 0;
    const buf = this.pollBuf ?? (this.pollBuf = Buffer.allocUnsafe(64 * 1024));
    let total = 0;
    while (total < maxBytes && !this.closed) {
      let n: number;
      try {
        n = readNow(fd, buf);
      } catch (e) {
        // Not "nothing yet": the socket is broken; libuv's own read would see it too.
        this.destroy(e as Error);
        break;
      }
      if (n <= 0) break;
      total += n;
      this.polledBytes += n;
      if (!this.received(buf, n) || n < buf.length) break;
    }
    return total;
  }

  /** A batch buffer to fill; hand it back with write() or release(). */
  take(): BatchBuffer {
    const b = this.free.pop() ?? new BatchBuffer(this.batchSize);
    b.reset();
    return b;
  }

  release(b: BatchBuffer): void {
    if (this.free.length < 16) this.free.push(b);
  }

  /** One socket write for the whole batch; the buffer is recycled when the write completes. */
  write(b: BatchBuffer): boolean {
    const s = this.sock;
    if (!s || this.closed || b.pos === 0) {
      this.release(b);
      return false;
    }
    this.writes++;
    this.bytesOut += b.pos;
    return s.write(b.bytes(), () => this.release(b));
  }

  get connected(): boolean {
    return this.sock !== null && !this.closed;
  }

  /** Close the socket (err null = clean). onClose fires once. */
  destroy(err: Error | null): void {
    if (this.closed) return;
    this.closed = true;
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = null;
    const s = this.sock;
    if (s) {
      s.removeAllListeners('close');
      s.on('error', () => {});
      s.destroy();
    }
    this.reader.reset();
    this.h.onClose(err);
  }

  /** Half-close after the pending writes, then wait for the peer to close (sockclnt_delete path). */
  end(): void {
    this.sock?.end();
  }
}

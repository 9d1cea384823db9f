// The FPM TCP server: accepts zebra's dplane_fpm_nl connection (one at a time), reads it into a
// reused buffer and feeds the stream decoder; hands out batches, never waits on anything downstream.
import * as net from 'net';
import { moveToOnread } from '../node-internals';
import { Batch, Kind, Meta } from '../codec/layout';
import { FpmFrameError, RowError } from '../codec/codes';
import { createDecoder, DecoderImpl } from '../codec/decoder';
import { FpmStreamReader } from '../codec/stream';
import { peerUid, PeerPolicy } from './peer';

/** Anything with the logger methods the daemon's logger has (ts/daemon/logger.ts is one). */
export interface FpmLogger {
  debug(msg: string, fields?: Record<string, string | number | boolean | null | undefined>): void;
  info(msg: string, fields?: Record<string, string | number | boolean | null | undefined>): void;
  warn(msg: string, fields?: Record<string, string | number | boolean | null | undefined>): void;
  error(msg: string, fields?: Record<string, string | number | boolean | null | undefined>): void;
}

const quiet: FpmLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Why a connection ended or was turned away. */
export type DropReason =
  | 'busy' // a second connection while zebra's is active: closed at once
  | 'peer' // the peer's socket is not owned by zebra's user (or its owner cannot be told): closed at once
  | 'no-frame' // no netlink message within firstFrameTimeoutMs
  | 'idle' // nothing received for idleTimeoutMs
  | 'stream-error' // framing error (FpmFrameError); zebra reconnects and replays
  | 'handler-error' // a batch consumer threw; the connection is dropped rather than half-applied
  | 'socket-error'
  | 'peer-closed' // zebra closed (or was restarted)
  | 'shutdown'; // this server is closing

export interface FpmServerCounters {
  /** Bytes read from zebra, all connections. */
  bytes: number;
  /** Whole FPM frames decoded. */
  frames: number;
  /** Netlink messages (rows) delivered, and of them the bad ones (skipped by consumers). */
  rows: number;
  badRows: number;
  /** Socket reads (onread callbacks) and batches delivered. */
  reads: number;
  batches: number;
  /** zebra connections accepted (each one is an epoch). */
  connections: number;
  /** Connections that ended, by reason (including 'busy' and 'peer' refusals). */
  drops: Record<DropReason, number>;
  /** Connections refused because the peer is not zebra's user (drops.peer, kept by name for status). */
  refusedPeer: number;
}

/** A refused address is logged at most once per this long (a refusal loop must not flood the log). */
const REFUSAL_LOG_MS = 60_000;
const REFUSAL_LOG_KEYS = 1024;

/** Whether the batch holds a well-formed route, nexthop, neighbour or end-marker message. */
function hasMessage(b: Batch): boolean {
  const n = b.meta[Meta.Rows];
  for (let i = 0; i < n; i++) if (b.err[i] === RowError.None && b.kind[i] <= Kind.Done) return true;
  return false;
}

/** The active zebra connection. */
export interface FpmConnection {
  /** 1, 2, ...: one per accepted connection; a reconnect means a new replay (DESIGN.md Lifecycles). */
  readonly epoch: number;
  readonly remote: string;
  readonly startedAt: number;
  /** Bytes and frames received on this connection. */
  bytes: number;
  frames: number;
  /**
   * Whether a well-formed route, nexthop, neighbour or end-marker message has arrived: until
   * then the connection is only a claim on zebra's slot (empty frames and bad rows do not count).
   */
  spoken: boolean;
  /** Writes to zebra on the same socket (offload feedback); false when Node buffers it. */
  write(data: Uint8Array): boolean;
  /** Bytes queued in Node for zebra, not yet taken by the kernel. */
  readonly writableLength: number;
  readonly closed: boolean;
}

export interface FpmServerHandlers {
  /** A zebra connection started (a new epoch: zebra replays everything it has). */
  connect?(conn: FpmConnection): void;
  /**
   * Decoded rows. Called synchronously from the socket read; `batch` and `chunk` are reused
   * right after it returns, so copy what you keep. Must not block.
   */
  batch?(batch: Batch, chunk: Uint8Array, conn: FpmConnection): void;
  /** The stream broke (framing error); the connection is being dropped. */
  streamError?(err: FpmFrameError, conn: FpmConnection): void;
  /** The connection ended (any reason). */
  disconnect?(conn: FpmConnection, reason: DropReason, detail: string): void;
}

/** What the server needs from a stream decoder (ts/codec/stream.ts FpmStreamReader has it). */
export interface StreamReaderLike {
  readonly frames: number;
  readonly rows: number;
  readonly badRows: number;
  push(chunk: Uint8Array, onBatch: (batch: Batch, chunk: Uint8Array) => void): void;
  reset(): void;
}

export interface FpmServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 2620 (FRR's FPM default port, dplane_fpm_nl.c SOUTHBOUND_DEFAULT_PORT). */
  port?: number;
  /** Bind an address that is not loopback. Off by default: FPM has no authentication. */
  allowNonLoopback?: boolean;
  /**
   * Adopt an already listening socket instead of binding host:port (e.g. one created inside
   * zebra's network namespace and passed over IPC; see docs/frr-testing.md).
   */
  handle?: net.Server | { fd: number };
  /**
   * Drop a connection that has not sent one netlink message after this long (default 5000;
   * 0 = never), so an idle stranger cannot hold zebra's place (empty frames do not count). zebra replays its whole FIB (at least its
   * connected routes) right after connecting (dplane_fpm_nl.c fpm_lsp_reset -> fpm_rib_send); a
   * zebra with nothing at all to send is dropped too and simply reconnects 3 s later.
   */
  firstFrameTimeoutMs?: number;
  /** Drop a connection that sent nothing for this long (default 0 = never: zebra is quiet when nothing changes). */
  idleTimeoutMs?: number;
  /** Size of the reused read buffer (default 1 MiB, zebra's FPM output buffer size). */
  readBufferSize?: number;
  /** Decoder for the default stream reader (default 'native'). */
  decoder?: DecoderImpl;
  /** Custom stream reader factory (one reader is made and reset per connection). */
  createReader?: () => StreamReaderLike;
  logger?: FpmLogger;
  /**
   * Who may connect (default: any peer). With a uid, a peer whose socket another user owns, or
   * whose owner cannot be told (not on this host's loopback, or in another network namespace),
   * is closed before any byte is read or written.
   */
  peer?: PeerPolicy;
  /** Where the peer's socket is looked up, asked per connection (default /proc/self/net; see ts/fpm/peer.ts). */
  procNet?: () => string;
}

export const DEFAULT_FPM_HOST = '127.0.0.1';
export const DEFAULT_FPM_PORT = 2620;
export const DEFAULT_FIRST_FRAME_TIMEOUT_MS = 5000;

/**
 * Loopback: 127.0.0.0/8 (RFC 1122 3.2.1.3), ::1 (RFC 4291 2.5.3), and 127.0.0.0/8 mapped into
 * IPv6 (::ffff:127.x.y.z in any spelling, e.g. ::ffff:7f00:1: what a dual-stack socket reports
 * for an IPv4 peer). BlockList matches an IPv4-mapped address against the IPv4 rules; it knows
 * that ::127.0.0.1 (IPv4-compatible) and ::ffff:0:127.0.0.1 (IPv4-translated) are not loopback.
 */
const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether `host` (an address, or the name `localhost`) is this host's loopback. The one test for it. */
export function isLoopbackAddress(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  const family = net.isIP(host);
  return family !== 0 && LOOPBACK.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

function newDrops(): Record<DropReason, number> {
  return { busy: 0, peer: 0, 'no-frame': 0, idle: 0, 'stream-error': 0, 'handler-error': 0, 'socket-error': 0, 'peer-closed': 0, shutdown: 0 };
}

interface Active {
  sock: net.Socket;
  conn: FpmConnection & { closed: boolean; frames: number };
  timer: NodeJS.Timeout | null;
  reason: DropReason | null;
  detail: string;
}

export class FpmServer {
  readonly counters: FpmServerCounters = {
    bytes: 0,
    frames: 0,
    rows: 0,
    badRows: 0,
    reads: 0,
    batches: 0,
    connections: 0,
    drops: newDrops(),
    refusedPeer: 0,
  };
  private readonly refusalLogged = new Map<string, number>();
  private readonly opts: FpmServerOptions;
  private readonly handlers: FpmServerHandlers;
  private readonly log: FpmLogger;
  private readonly readBuf: Uint8Array;
  private readonly reader: StreamReaderLike;
  private server: net.Server | null = null;
  private active: Active | null = null;
  private epoch = 0;

  constructor(opts: FpmServerOptions = {}, handlers: FpmServerHandlers = {}) {
    this.opts = opts;
    this.handlers = handlers;
    this.log = opts.logger ?? quiet;
    this.readBuf = new Uint8Array(opts.readBufferSize ?? 1 << 20);
    this.reader = opts.createReader ? opts.createReader() : new FpmStreamReader(createDecoder(opts.decoder ?? 'native'));
  }

  /** The current zebra connection, if any. */
  get connection(): FpmConnection | null {
    return this.active?.conn ?? null;
  }

  /** Bound address (after listen). */
  address(): net.AddressInfo | null {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a : null;
  }

  /** Starts listening; rejects on a non-loopback address without allowNonLoopback. */
  async listen(): Promise<net.AddressInfo> {
    if (this.server) throw new Error('FPM server already listening');
    const host = this.opts.host ?? DEFAULT_FPM_HOST;
    const port = this.opts.port ?? DEFAULT_FPM_PORT;
    if (!this.opts.handle && !this.opts.allowNonLoopback && !isLoopbackAddress(host)) {
      throw new Error(
        `Refusing to listen for FPM on ${host}: not a loopback address. FPM has no authentication; ` +
          'pass allowNonLoopback (--allow-non-loopback) to accept zebra from another host.',
      );
    }
    const srv = net.createServer({ pauseOnConnect: true, noDelay: true }, (raw) => this.onAccept(raw));
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      const done = () => {
        srv.off('error', reject);
        resolve();
      };
      if (this.opts.handle) srv.listen(this.opts.handle, done);
      else srv.listen({ host, port, exclusive: true }, done);
    });
    const a = srv.address() as net.AddressInfo;
    if (this.opts.handle && !this.opts.allowNonLoopback && !isLoopbackAddress(a.address)) {
      await new Promise<void>((r) => srv.close(() => r()));
      throw new Error(`Refusing the FPM listening socket on ${a.address}: not a loopback address (allowNonLoopback is off)`);
    }
    srv.on('error', (e) => this.log.error('FPM listener error', { error: e.message }));
    this.server = srv;
    this.log.info('FPM server listening', { address: a.address, port: a.port });
    return a;
  }

  private onAccept(raw: net.Socket): void {
    const remote = `${raw.remoteAddress}:${raw.remotePort}`;
    if (this.active) {
      // One zebra at a time: a second FPM client (a second zebra, a stray probe) must not
      // interleave with the live stream; zebra retries every 3 s (dplane_fpm_nl.c fpm_connect).
      this.counters.drops.busy++;
      this.log.warn('FPM connection refused: zebra is already connected', { remote, active: this.active.conn.remote, epoch: this.active.conn.epoch });
      raw.destroy();
      return;
    }
    if (!this.peerAllowed(raw)) return;
    this.reader.reset();
    const epoch = ++this.epoch;
    this.counters.connections++;
    // Assigned once, below: moveToOnread needs onRead, which needs conn, whose closures need sock.
    // eslint-disable-next-line prefer-const
    let sock!: net.Socket;
    const conn = {
      epoch,
      remote,
      startedAt: Date.now(),
      bytes: 0,
      frames: 0,
      spoken: false,
      closed: false,
      write: (data: Uint8Array) => (conn.closed ? false : sock.write(data)),
      get writableLength() {
        return sock.writableLength;
      },
    };
    const onBatch = (b: Batch, chunk: Uint8Array) => {
      this.counters.batches++;
      if (!conn.spoken && hasMessage(b)) conn.spoken = true;
      this.handlers.batch?.(b, chunk, conn);
    };
    const onRead = (n: number, buf: Uint8Array): boolean => {
      const a = this.active;
      if (!a || a.sock !== sock || a.reason) return false;
      this.counters.reads++;
      this.counters.bytes += n;
      conn.bytes += n;
      const r = this.reader;
      const f0 = r.frames;
      const rows0 = r.rows;
      const bad0 = r.badRows;
      try {
        r.push(buf.subarray(0, n), onBatch);
      } catch (e) {
        this.account(conn, f0, rows0, bad0);
        if (e instanceof FpmFrameError) {
          this.log.warn('FPM stream error: dropping the connection (zebra reconnects and replays)', {
            code: e.code,
            offset: e.offset,
            error: e.message,
            epoch,
          });
          try {
            this.handlers.streamError?.(e, conn);
          } finally {
            this.drop('stream-error', `${e.code} at byte ${e.offset}`);
          }
        } else {
          this.log.error('FPM batch consumer failed: dropping the connection', { error: (e as Error).stack ?? String(e), epoch });
          this.drop('handler-error', (e as Error).message);
        }
        return false;
      }
      this.account(conn, f0, rows0, bad0);
      if (a.timer && conn.spoken) {
        clearTimeout(a.timer);
        a.timer = null;
      }
      return true;
    };
    sock = moveToOnread(raw, this.readBuf, onRead);
    sock.setNoDelay(true);
    const state: Active = { sock, conn, timer: null, reason: null, detail: '' };
    this.active = state;
    const firstMs = this.opts.firstFrameTimeoutMs ?? DEFAULT_FIRST_FRAME_TIMEOUT_MS;
    if (firstMs > 0) {
      state.timer = setTimeout(() => {
        state.timer = null;
        if (this.active === state && !conn.spoken) {
          this.log.warn('FPM connection sent no netlink message in time: dropping it', { remote, ms: firstMs, bytes: conn.bytes, frames: conn.frames });
          this.drop('no-frame', `no netlink message within ${firstMs} ms (${conn.bytes} bytes, ${conn.frames} frames)`);
        }
      }, firstMs);
      state.timer.unref();
    }
    const idleMs = this.opts.idleTimeoutMs ?? 0;
    if (idleMs > 0) {
      sock.setTimeout(idleMs, () => {
        if (this.active === state) {
          this.log.warn('FPM connection idle: dropping it', { remote, ms: idleMs });
          this.drop('idle', `nothing received for ${idleMs} ms`);
        }
      });
    }
    sock.on('error', (e) => {
      if (this.active === state && !state.reason) {
        state.reason = 'socket-error';
        state.detail = e.message;
      }
    });
    sock.on('close', () => this.onClose(state));
    this.log.info('zebra connected over FPM', { remote, epoch });
    this.handlers.connect?.(conn);
  }

  /**
   * The peer check: a refused peer is closed before its socket is adopted, so it gets no byte
   * and its bytes are never read. Logged once per address and minute, always counted.
   */
  private peerAllowed(raw: net.Socket): boolean {
    const policy = this.opts.peer;
    if (!policy || policy.kind === 'any') return true;
    const local = { address: raw.localAddress ?? '', port: raw.localPort ?? 0 };
    const remote = { address: raw.remoteAddress ?? '', port: raw.remotePort ?? 0 };
    const uid = peerUid(local, remote, this.opts.procNet?.());
    if (uid === policy.uid) return true;
    this.counters.refusedPeer++;
    this.counters.drops.peer++;
    const now = Date.now();
    const last = this.refusalLogged.get(remote.address);
    if (last === undefined || now - last >= REFUSAL_LOG_MS) {
      if (this.refusalLogged.size >= REFUSAL_LOG_KEYS) this.refusalLogged.clear();
      this.refusalLogged.set(remote.address, now);
      this.log.warn('FPM connection refused: the peer is not zebra\'s user', {
        remote: `${remote.address}:${remote.port}`,
        peerUid: uid,
        zebraUid: policy.uid,
        zebraUser: policy.name,
        why: uid === null ? 'no socket of the peer in this network namespace\'s /proc/net/tcp' : 'another uid owns the peer socket',
        hint: 'fibpush run --zebra-user NAME|UID names zebra\'s user; --any-peer turns the check off',
      });
    }
    raw.destroy();
    return false;
  }

  private account(conn: { frames: number }, f0: number, rows0: number, bad0: number): void {
    const r = this.reader;
    const df = r.frames - f0;
    conn.frames += df;
    this.counters.frames += df;
    this.counters.rows += r.rows - rows0;
    this.counters.badRows += r.badRows - bad0;
  }

  /** Ends the active connection, recording why. */
  drop(reason: DropReason, detail = ''): void {
    const a = this.active;
    if (!a || a.reason) return;
    a.reason = reason;
    a.detail = detail;
    a.sock.destroy();
  }

  private onClose(state: Active): void {
    if (state.timer) clearTimeout(state.timer);
    state.conn.closed = true;
    const reason = state.reason ?? 'peer-closed';
    this.counters.drops[reason]++;
    if (this.active === state) this.active = null;
    this.log.info('zebra FPM connection ended', { reason, detail: state.detail, epoch: state.conn.epoch, bytes: state.conn.bytes, frames: state.conn.frames });
    this.handlers.disconnect?.(state.conn, reason, state.detail);
  }

  /** Stops listening and drops the active connection. */
  async close(): Promise<void> {
    const srv = this.server;
    this.server = null;
    const a = this.active;
    // Registered after onClose, so the disconnect handler has run when this resolves.
    const closed = a ? new Promise<void>((r) => a.sock.once('close', () => r())) : Promise.resolve();
    this.drop('shutdown');
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
    await closed;
  }
}

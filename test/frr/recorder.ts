// A plain recording FPM listener for harness tests: accepts zebra's connections, keeps every byte
// per connection and decodes the stream (reference decoder) into an FpmFib. No fibpush logic.
import * as net from 'net';
import { createDecoder, DecoderImpl } from '../../ts/codec/decoder';
import { FpmStreamReader } from '../../ts/codec/stream';
import { FpmFib } from '../../ts/frr-lab/fib';
import { waitFor } from '../../ts/frr-lab/proc';

export interface RecordedConnection {
  chunks: Buffer[];
  bytes: number;
  frames: number;
  fib: FpmFib;
  error: Error | null;
  closed: boolean;
  /** Date.now() of the last byte received. */
  lastRx: number;
}

export class FpmRecorder {
  readonly conns: RecordedConnection[] = [];
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  /** `listening`: a listening server (e.g. from FrrLab.listenFpm()) this recorder takes over. */
  constructor(listening: net.Server, impl: DecoderImpl = 'ts') {
    this.server = net.createServer((sock) => {
      this.sockets.add(sock);
      const reader = new FpmStreamReader(createDecoder(impl));
      const c: RecordedConnection = { chunks: [], bytes: 0, frames: 0, fib: new FpmFib(), error: null, closed: false, lastRx: Date.now() };
      this.conns.push(c);
      sock.on('data', (d: Buffer) => {
        c.chunks.push(d);
        c.bytes += d.length;
        c.lastRx = Date.now();
        if (c.error) return;
        try {
          reader.push(d, (b, chunk) => c.fib.apply(b, chunk));
          c.frames = reader.frames;
        } catch (e) {
          c.error = e as Error;
        }
      });
      sock.on('error', () => undefined);
      sock.on('close', () => {
        c.closed = true;
        this.sockets.delete(sock);
      });
    });
    this.server.listen(listening);
  }

  get current(): RecordedConnection | undefined {
    return this.conns[this.conns.length - 1];
  }

  async waitConnection(n = 1, timeoutMs = 15000): Promise<RecordedConnection> {
    return waitFor(`FPM connection #${n} from zebra`, () => this.conns[n - 1], timeoutMs);
  }

  /** Resolves once connection `c` received nothing for `quietMs`. */
  async waitQuiet(c: RecordedConnection, quietMs: number, timeoutMs = 60000): Promise<void> {
    await waitFor(`${quietMs} ms of FPM silence`, () => Date.now() - c.lastRx >= quietMs, timeoutMs, 50);
  }

  /** Sends bytes to zebra on the current connection. */
  send(buf: Uint8Array): void {
    for (const s of this.sockets) s.write(buf);
  }

  /** Drops the current connection (zebra reconnects about 3 s later and replays). */
  dropAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

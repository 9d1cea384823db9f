// `fibpush record`: plays the FPM server for zebra and saves its stream byte for byte, with a live decoded count.
import * as fs from 'fs';
import * as path from 'path';
import type { Command } from '../command';
import { UsageError, hostPortOption, intOption, parseArgs } from '../../options';
import { createDecoder, DecoderImpl } from '../../codec/decoder';
import { FpmStreamReader } from '../../codec/stream';
import { Batch, Kind } from '../../codec/layout';
import { FpmConnection, FpmServer, StreamReaderLike } from '../../fpm/server';

const SPEC = {
  listen: { value: true },
  out: { value: true },
  duration: { value: true },
  'max-conns': { value: true },
  'allow-non-loopback': { value: false },
  decoder: { value: true },
  quiet: { value: false },
};

const HELP = `Usage: fibpush record --out FILE [options]

Listens like fibpush run does and saves every byte zebra sends over FPM, unmodified (the same
format as the captures in shared/fixtures: FPM frames back to back). The stream is decoded on
the fly for a live count; a decoding error is reported but recording goes on.

The first zebra connection is saved to FILE, later ones (zebra reconnects after a drop) to
FILE.2, FILE.3, ... A second connection while one is active is refused, as fibpush run does.

Options:
  --out FILE             where to save the stream (required)
  --listen HOST:PORT     FPM address to listen on (default 127.0.0.1:2620)
  --allow-non-loopback   allow --listen on an address that is not loopback
  --duration S           stop after S seconds (default: until Ctrl-C)
  --max-conns N          stop after N connections have ended (default 0: no limit)
  --decoder native|ts    decoder for the live count (default native)
  --quiet                no progress lines, only the summary
  --help                 this text

Exit status: 0 when it stopped by Ctrl-C, --duration or --max-conns; 1 on errors.`;

interface ConnStats {
  file: string;
  fd: number;
  bytes: number;
  routes: number;
  nexthops: number;
  neighs: number;
  other: number;
  bad: number;
  decodeError: string | null;
}

/** Saves each chunk first, then decodes it; a decode failure stops counting, never recording. */
class RecordingReader implements StreamReaderLike {
  conn: ConnStats | null = null;
  private readonly inner: FpmStreamReader;
  constructor(impl: DecoderImpl) {
    this.inner = new FpmStreamReader(createDecoder(impl));
  }
  get frames(): number {
    return this.inner.frames;
  }
  get rows(): number {
    return this.inner.rows;
  }
  get badRows(): number {
    return this.inner.badRows;
  }
  reset(): void {
    this.inner.reset();
  }
  push(chunk: Uint8Array, onBatch: (b: Batch, chunk: Uint8Array) => void): void {
    const c = this.conn;
    if (!c) return;
    // Synchronous write: the read buffer is reused as soon as this returns.
    let off = 0;
    while (off < chunk.length) off += fs.writeSync(c.fd, chunk, off, chunk.length - off);
    c.bytes += chunk.length;
    if (c.decodeError) return;
    try {
      this.inner.push(chunk, onBatch);
    } catch (e) {
      c.decodeError = (e as Error).message;
    }
  }
}

function countBatch(c: ConnStats, b: Batch): void {
  const n = b.meta[0];
  for (let i = 0; i < n; i++) {
    if (b.err[i] !== 0) c.bad++;
    const k = b.kind[i];
    if (k === Kind.Route) c.routes++;
    else if (k === Kind.Nexthop) c.nexthops++;
    else if (k === Kind.Neigh) c.neighs++;
    else c.other++;
  }
}

function line(n: number, c: ConnStats, frames: number): string {
  const f = (x: number) => x.toLocaleString('en-US');
  return (
    `connection ${n} -> ${c.file}: ${f(c.bytes)} bytes, ${f(frames)} frames, ${f(c.routes)} route msgs, ` +
    `${f(c.nexthops)} nexthop msgs, ${f(c.neighs)} neigh msgs` +
    (c.other ? `, ${f(c.other)} other` : '') +
    (c.bad ? `, ${f(c.bad)} bad` : '') +
    (c.decodeError ? ` (decoding stopped: ${c.decodeError})` : '')
  );
}

export const command: Command = {
  summary: "save zebra's FPM stream to a file (acting as the FPM server)",
  help: HELP,
  async run(argv: string[]): Promise<number> {
    const { opts, positionals } = parseArgs(argv, SPEC);
    if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}"`);
    const out = opts.get('out');
    if (typeof out !== 'string') throw new UsageError('Expected a file name for --out');
    try {
      fs.accessSync(path.dirname(path.resolve(out)), fs.constants.W_OK);
    } catch (e) {
      throw new UsageError(`Cannot write --out "${out}": ${(e as Error).message}`);
    }
    const l = opts.get('listen');
    if (l === true) throw new UsageError('Expected HOST:PORT for --listen');
    const { host, port } = hostPortOption(typeof l === 'string' ? l : '127.0.0.1:2620', 'listen');
    const d = opts.get('duration');
    let durationMs = 0;
    if (d !== undefined) {
      const s = typeof d === 'string' ? Number(d) : NaN;
      if (!(s > 0 && s <= 31 * 86400)) throw new UsageError(`Expected a number of seconds above 0 for --duration but received "${d}"`);
      durationMs = Math.round(s * 1000);
    }
    const maxConns = intOption(opts, 'max-conns', 0, 0, 1_000_000, 'a connection count');
    const dec = opts.get('decoder') ?? 'native';
    if (dec !== 'native' && dec !== 'ts') throw new UsageError(`Expected "native" or "ts" for --decoder but received "${dec}"`);
    const quiet = opts.get('quiet') === true;
    const say = (s: string) => process.stderr.write(s + '\n');

    const reader = new RecordingReader(dec);
    const stats: ConnStats[] = [];
    let ended = 0;
    let finish: (code: number) => void = () => undefined;
    const finished = new Promise<number>((r) => (finish = r));

    const server = new FpmServer(
      {
        host,
        port,
        allowNonLoopback: opts.get('allow-non-loopback') === true,
        firstFrameTimeoutMs: 0,
        createReader: () => reader,
      },
      {
        connect(conn: FpmConnection) {
          const file = conn.epoch === 1 ? out : `${out}.${conn.epoch}`;
          const c: ConnStats = { file, fd: fs.openSync(file, 'w'), bytes: 0, routes: 0, nexthops: 0, neighs: 0, other: 0, bad: 0, decodeError: null };
          stats.push(c);
          reader.conn = c;
          if (!quiet) say(`connection ${conn.epoch} from ${conn.remote}, saving to ${file}`);
        },
        batch(b: Batch) {
          if (reader.conn) countBatch(reader.conn, b);
        },
        disconnect(conn: FpmConnection, reason: string) {
          const c = stats[conn.epoch - 1];
          if (c) {
            fs.closeSync(c.fd);
            c.fd = -1;
            say(`${line(conn.epoch, c, reader.frames)}; ended: ${reason}`);
          }
          reader.conn = null;
          ended++;
          if (maxConns > 0 && ended >= maxConns) finish(0);
        },
      },
    );
    const a = await server.listen().catch((e: Error) => {
      throw new UsageError(e.message);
    });
    say(`recording: listening for zebra on ${a.address}:${a.port}`);

    const progress = quiet
      ? null
      : setInterval(() => {
          const c = reader.conn;
          if (c) say(line(stats.length, c, reader.frames));
        }, 1000);
    const timer = durationMs > 0 ? setTimeout(() => finish(0), durationMs) : null;
    const onSig = () => finish(0);
    process.once('SIGINT', onSig);
    process.once('SIGTERM', onSig);
    try {
      return await finished;
    } finally {
      process.off('SIGINT', onSig);
      process.off('SIGTERM', onSig);
      if (progress) clearInterval(progress);
      if (timer) clearTimeout(timer);
      await server.close();
      const total = stats.reduce((s, c) => s + c.bytes, 0);
      say(`recorded ${stats.length} connection(s), ${total.toLocaleString('en-US')} bytes`);
    }
  },
};

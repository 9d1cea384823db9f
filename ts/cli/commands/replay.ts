// `fibpush replay`: plays zebra for an FPM server: connects, sends a capture (optionally paced), closes cleanly.
import * as fs from 'fs';
import * as net from 'net';
import type { Command } from '../command';
import { UsageError, hostPortOption, intOption, parseArgs } from '../../options';

const SPEC = {
  to: { value: true },
  rate: { value: true },
  received: { value: true },
  'close-timeout': { value: true },
  quiet: { value: false },
};

const HELP = `Usage: fibpush replay FILE --to HOST:PORT [options]

Connects to an FPM server (fibpush run, fibpush record, or anything that listens like zebra's
FPM peer) and sends FILE, a capture of FPM frames (as fibpush record writes them), the way zebra
would: whole, or paced frame by frame. Then it closes its side and waits for the server to close.
Whatever the server sends back (offload notifications) is counted, and saved with --received.

Options:
  --to HOST:PORT        the FPM server (required)
  --rate N              at most N frames per second (default: as fast as the server reads)
  --received FILE       save the bytes the server sent back
  --close-timeout S     how long to wait for the server to close after the last byte (default 10)
  --quiet               only errors
  --help                this text

Exit status: 0 when the whole file was sent and the connection closed cleanly, 1 otherwise.`;

/** Byte offsets where FPM frames end (fpm/fpm.h: u16 length at bytes 2-3, incl. the header). */
export function frameEnds(buf: Uint8Array): { ends: number[]; clean: boolean } {
  const ends: number[] = [];
  let off = 0;
  while (off + 4 <= buf.length) {
    const len = (buf[off + 2] << 8) | buf[off + 3];
    if (buf[off] !== 1 || len < 4 || off + len > buf.length) break;
    off += len;
    ends.push(off);
  }
  return { ends, clean: off === buf.length };
}

export const command: Command = {
  summary: 'send a capture to an FPM server, acting as zebra',
  help: HELP,
  async run(argv: string[]): Promise<number> {
    const { opts, positionals } = parseArgs(argv, SPEC);
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `Unexpected argument "${positionals[1]}"` : 'Expected a capture FILE');
    const file = positionals[0];
    const to = opts.get('to');
    if (typeof to !== 'string') throw new UsageError('Expected HOST:PORT for --to');
    const { host, port } = hostPortOption(to, 'to');
    const rate = intOption(opts, 'rate', 0, 1, 100_000_000, 'a frame rate');
    const closeTimeoutS = intOption(opts, 'close-timeout', 10, 1, 3600, 'a number of seconds');
    const recv = opts.get('received');
    if (recv === true) throw new UsageError('Expected a file name for --received');
    const quiet = opts.get('quiet') === true;
    const say = (s: string) => {
      if (!quiet) process.stderr.write(s + '\n');
    };
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch (e) {
      throw new UsageError(`Cannot read capture "${file}": ${(e as Error).message}`);
    }
    const { ends, clean } = frameEnds(data);
    if (!clean) {
      say(`note: ${file} is not whole FPM frames after byte ${ends.length ? ends[ends.length - 1] : 0}; the rest is sent as is`);
    }
    if (ends.length === 0 || ends[ends.length - 1] !== data.length) ends.push(data.length);

    const received: Buffer[] = [];
    let receivedBytes = 0;
    let sent = 0;
    const t0 = Date.now();
    const sock = net.connect({ host, port });
    sock.setNoDelay(true);
    const result = await new Promise<{ ok: boolean; why: string }>((resolve) => {
      let done = false;
      let allSent = false;
      let serverEnded = false;
      let closeTimer: NodeJS.Timeout | null = null;
      let pace: NodeJS.Timeout | null = null;
      const finish = (ok: boolean, why: string) => {
        if (done) return;
        done = true;
        if (closeTimer) clearTimeout(closeTimer);
        if (pace) clearInterval(pace);
        sock.destroy();
        resolve({ ok, why });
      };
      sock.on('data', (d: Buffer) => {
        receivedBytes += d.length;
        if (typeof recv === 'string') received.push(d);
      });
      sock.on('end', () => {
        serverEnded = true;
        if (!allSent) finish(false, `the server closed the connection after ${sent} of ${data.length} bytes`);
      });
      sock.on('error', (e) => finish(false, `${e.message} after ${sent} of ${data.length} bytes`));
      sock.on('close', (hadError) => {
        if (hadError) finish(false, `connection reset after ${sent} of ${data.length} bytes`);
        else if (!allSent) finish(false, `connection closed after ${sent} of ${data.length} bytes`);
        else if (!serverEnded) finish(false, 'connection closed without the server ending it');
        else finish(true, '');
      });
      const allWritten = () => {
        allSent = true;
        // Half-close like zebra going away; the server answers with its own FIN.
        sock.end();
        closeTimer = setTimeout(() => finish(false, `the server did not close the connection within ${closeTimeoutS} s`), closeTimeoutS * 1000);
        closeTimer.unref();
      };
      sock.once('connect', () => {
        say(`connected to ${host}:${port}, sending ${data.length.toLocaleString('en-US')} bytes (${ends.length.toLocaleString('en-US')} frames)${rate ? ` at ${rate} frames/s` : ''}`);
        if (!rate) {
          // As fast as the server reads, in 1 MiB writes, honouring backpressure.
          const pump = () => {
            while (sent < data.length) {
              const n = Math.min(1 << 20, data.length - sent);
              const more = sock.write(data.subarray(sent, sent + n));
              sent += n;
              if (!more) {
                sock.once('drain', pump);
                return;
              }
            }
            allWritten();
          };
          pump();
          return;
        }
        // Paced: a token bucket refilled every 10 ms; whole frames only.
        let frameIdx = 0;
        let tokens = 0;
        let last = Date.now();
        let waiting = false;
        const tick = () => {
          if (waiting || done) return;
          const now = Date.now();
          tokens = Math.min(tokens + ((now - last) * rate) / 1000, Math.max(1, rate / 10));
          last = now;
          const n = Math.min(Math.floor(tokens), ends.length - frameIdx);
          if (n > 0) {
            const end = ends[frameIdx + n - 1];
            const more = sock.write(data.subarray(sent, end));
            sent = end;
            frameIdx += n;
            tokens -= n;
            if (!more) {
              waiting = true;
              sock.once('drain', () => (waiting = false));
            }
          }
          if (frameIdx >= ends.length) {
            if (pace) clearInterval(pace);
            pace = null;
            allWritten();
          }
        };
        tokens = 1;
        pace = setInterval(tick, 10);
        tick();
      });
    });
    const secs = (Date.now() - t0) / 1000;
    if (typeof recv === 'string') fs.writeFileSync(recv, Buffer.concat(received));
    if (!result.ok) {
      process.stderr.write(`fibpush replay: ${result.why}\n`);
      return 1;
    }
    say(
      `sent ${sent.toLocaleString('en-US')} bytes, ${ends.length.toLocaleString('en-US')} frames in ${secs.toFixed(2)} s; ` +
        `received ${receivedBytes.toLocaleString('en-US')} bytes; connection closed cleanly`,
    );
    return 0;
  },
};

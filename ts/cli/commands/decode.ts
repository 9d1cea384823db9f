// `fibpush decode FILE`: an FPM capture as readable text (like `ip monitor`) or JSON lines.
import * as fs from 'fs';
import type { Command } from '../command';
import { parseArgs, UsageError } from '../../options';
import { createDecoder, Decoder } from '../../codec/decoder';
import { FpmStreamReader } from '../../codec/stream';
import { FpmFrameError } from '../../codec/codes';
import { Kind, Meta } from '../../codec/layout';
import { formatJson, formatLine, formatRowError } from '../../codec/format';

const HELP = `Usage: fibpush decode FILE [--json] [--impl native|ts]

Decodes a capture of zebra's FPM stream (the raw bytes of its TCP connection, as a plain TCP
listener saves them) and prints every netlink message, one per line:

  [ROUTE]10.99.1.0/24 nhid 7 proto kernel metric 20
  [NEXTHOP]id 27 group 26/28/29 proto zebra
  [NEIGH]10.99.31.2 dev 4 lladdr 02:99:00:00:02:01 extern_learn REACHABLE proto zebra master 3

The text follows iproute2's \`ip monitor\`, with interfaces as ifindex numbers (\`dev 3\`) and
multipath legs on the route's line. A message that cannot be decoded is printed as
\`[ERROR]<what is wrong> at byte N, seq S\`, counted, and decoding goes on.

Options:
  --json         one JSON object per line instead: "kind" (route, nexthop, neigh, done,
                 other), "offset" (byte offset of the message's FPM frame in FILE), the
                 decoded fields; a bad message has an "error" object instead of fields
  --impl NAME    decoder: "native" (the C++ addon) or "ts" (the TypeScript reference).
                 Default: native, or ts when the addon is not built (with a note on stderr)

A summary (bytes, frames, messages by kind, bad messages) goes to stderr at the end.
Exit status: 0 when the whole file is a well-formed FPM stream; 2 on a stream error (bad FPM
header, broken netlink framing, or a file that ends inside a frame): every message before it
is printed, then the error's code and byte offset on stderr; 1 on a usage error.`;

const KIND_NAMES = ['route', 'nexthop', 'neigh', 'done', 'other'];
const READ_SIZE = 1 << 20;

function pickDecoder(impl: string | true | undefined): { decoder: Decoder; note?: string } {
  if (impl === undefined) {
    try {
      return { decoder: createDecoder('native') };
    } catch (e) {
      return { decoder: createDecoder('ts'), note: `native decoder unavailable (${(e as Error).message.split('\n')[0]}); using the TypeScript reference decoder` };
    }
  }
  if (impl !== 'native' && impl !== 'ts') throw new UsageError(`Expected "native" or "ts" for --impl but received "${impl === true ? '' : impl}"`);
  return { decoder: createDecoder(impl) };
}

/** Writes to stdout, waiting for it; false once the reader went away (EPIPE, e.g. `| head`). */
function write(s: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    process.stdout.write(s, (err) => {
      if (!err) resolve(true);
      else if ((err as NodeJS.ErrnoException).code === 'EPIPE') resolve(false);
      else reject(err);
    });
  });
}

async function run(argv: string[]): Promise<number> {
  const { opts, positionals } = parseArgs(argv, { json: { value: false }, impl: { value: true } });
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'Expected a capture FILE' : `Expected one FILE but received ${positionals.length}`);
  const file = positionals[0];
  const json = opts.get('json') === true;
  const { decoder, note } = pickDecoder(opts.get('impl'));
  if (note) process.stderr.write(`fibpush decode: ${note}\n`);

  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
    // open(2) succeeds on a directory; read(2) would then fail with a bare EISDIR.
    if (fs.fstatSync(fd).isDirectory()) {
      fs.closeSync(fd);
      process.stderr.write(`fibpush decode: ${file} is a directory; expected an FPM capture file (as \`fibpush record --out FILE\` writes)\n`);
      return 1;
    }
  } catch (e) {
    process.stderr.write(`fibpush decode: cannot open ${file}: ${(e as Error).message}\n`);
    return 1;
  }

  // EPIPE is also emitted as an 'error' event; write() handles it
  process.stdout.on('error', () => undefined);
  const reader = new FpmStreamReader(decoder);
  const byKind = [0, 0, 0, 0, 0];
  let bad = 0;
  let out: string[] = [];
  const onBatch = (b: Parameters<Parameters<FpmStreamReader['push']>[1]>[0], c: Uint8Array) => {
    const n = b.meta[Meta.Rows];
    const base = reader.base;
    for (let i = 0; i < n; i++) {
      const kind = b.kind[i];
      if (b.err[i] !== 0) {
        bad++;
        out.push(json ? JSON.stringify(formatJson(b, i, c, base)) : `[ERROR]${formatRowError(b, i, c, base)}`);
        continue;
      }
      byKind[kind <= Kind.Other ? kind : Kind.Other]++;
      out.push(json ? JSON.stringify(formatJson(b, i, c, base)) : formatLine(b, i, c));
    }
  };

  let streamError: string | null = null;
  const buf = Buffer.allocUnsafe(READ_SIZE);
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, READ_SIZE, null);
      if (n === 0) break;
      try {
        reader.push(buf.subarray(0, n), onBatch);
      } catch (e) {
        if (!(e instanceof FpmFrameError)) throw e;
        streamError = e.message;
      }
      if (out.length > 0) {
        if (!(await write(out.join('\n') + '\n'))) return 0;
        out = [];
      }
      if (streamError !== null) break;
    }
  } finally {
    fs.closeSync(fd);
  }
  if (streamError === null && reader.pending > 0) {
    streamError = `FPM stream error FPM_TRUNCATED at byte ${reader.bytes - reader.pending}: the file ends inside a frame (${reader.pending} bytes of it)`;
  }

  const msgs = byKind.reduce((s, x) => s + x, 0) + bad;
  const kinds = KIND_NAMES.map((k, i) => `${k} ${byKind[i]}`).join(', ');
  process.stderr.write(`fibpush decode: ${reader.bytes} bytes, ${reader.frames} frames, ${msgs} messages (${kinds}), ${bad} bad\n`);
  if (streamError !== null) {
    process.stderr.write(`fibpush decode: ${streamError}\n`);
    return 2;
  }
  return 0;
}

export const command: Command = {
  summary: 'print an FPM capture as text (like ip monitor) or JSON lines',
  help: HELP,
  run,
};

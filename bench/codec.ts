// Codec benchmark: decode throughput of the native codec vs the TS reference on a generated full table, beside the raw loopback-TCP floor.
//
// Each case runs in a fresh child process (better-sqlite3's benchmark style) on the same bytes,
// written once to a temp file by the parent: a full table (default 1,000,000 IPv4 + 230,000
// IPv6 routes and their nexthop objects) encoded as zebra replays it (ts/gen/fulltable.ts).
//   node dist/bench/codec.js [--v4 N] [--v6 N] [--seed S] [--runs R] [--nhgs N] [--inline]
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import { createDecoder, DecoderImpl } from '../ts/codec/decoder';
import { Meta } from '../ts/codec/layout';
import { FpmStreamReader } from '../ts/codec/stream';
import { decodeBuffer, fmt, intArg, machineLine, median, printTable, runChild, tableArgs, withTableFiles } from './lib';

interface Result {
  name: string;
  /** Wall time of each run, ms. */
  ms: number[];
  bytes: number;
  rows: number;
  routes: number;
  rssMb: number;
  note?: string;
}

const CASES = ['tcp-read', 'ts', 'native', 'tcp+ts', 'tcp+native'] as const;
type CaseName = (typeof CASES)[number];
const DESCRIPTION: Record<CaseName, string> = {
  'tcp-read': 'raw TCP read, bytes thrown away (floor)',
  ts: 'TS reference decoder, in-memory',
  native: 'native decoder, in-memory',
  'tcp+ts': 'TCP read + FpmStreamReader(TS)',
  'tcp+native': 'TCP read + FpmStreamReader(native)',
};

// ---- children ----

/** Decodes the whole buffer the way the stream reader drives the decoder: batch by batch, no copies. */
function decodeInMemory(impl: DecoderImpl, buf: Buffer, runs: number, routes: number): Result {
  const d = createDecoder(impl);
  const pass = (): number => decodeBuffer(d, buf);
  pass(); // warm-up (JIT, page faults in the batch)
  const ms: number[] = [];
  let rows = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    rows = pass();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { name: impl, ms, bytes: buf.length, rows, routes, rssMb: process.memoryUsage().rss / 1048576 };
}

/**
 * Reads the file's bytes over loopback TCP from a separate writer process, `runs` + 1 connections
 * (the first is a warm-up), each read into one reused 1 MiB buffer (socket `onread`, no Buffer
 * per read) and, for the tcp+ cases, pushed through FpmStreamReader. Timed from a connection's
 * first byte to its end. The reading side connects here (Node offers `onread` on client sockets
 * only); the bytes flow the same way as from zebra to fibpush.
 */
function tcpCase(name: CaseName, file: string, runs: number, routes: number): Promise<Result> {
  const impl: DecoderImpl | null = name === 'tcp+ts' ? 'ts' : name === 'tcp+native' ? 'native' : null;
  const size = fs.statSync(file).size;
  const ms: number[] = [];
  const readBuf = Buffer.allocUnsafe(1 << 20);
  const w = spawn(process.execPath, [__filename, '--writer', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const finish = (): void => {
    w.kill();
  };
  return new Promise<Result>((resolve, reject) => {
    w.on('error', reject);
    w.stdout.once('data', (d: Buffer) => {
      const port = Number(d.toString().trim());
      let rows = 0;
      const once = (k: number) => {
        let got = 0;
        let t0 = 0n;
        const reader = impl ? new FpmStreamReader(createDecoder(impl)) : null;
        let connRows = 0;
        const onBatch = (b: { meta: Int32Array }) => {
          connRows += b.meta[Meta.Rows];
        };
        const sock = net.connect({
          port,
          host: '127.0.0.1',
          noDelay: true,
          onread: {
            buffer: readBuf,
            callback: (n: number, buf: Uint8Array) => {
              if (got === 0) t0 = process.hrtime.bigint();
              got += n;
              if (reader) reader.push(buf.subarray(0, n), onBatch);
              return true;
            },
          },
        });
        sock.on('end', () => {
          const t = Number(process.hrtime.bigint() - t0) / 1e6;
          sock.end();
          if (got !== size) return reject(new Error(`received ${got} of ${size} bytes`));
          if (k > 0) ms.push(t);
          rows = connRows;
          if (k === runs) resolve({ name, ms, bytes: size, rows: impl ? rows : 0, routes, rssMb: process.memoryUsage().rss / 1048576 });
          else once(k + 1);
        });
        sock.on('error', reject);
      };
      once(0);
    });
  }).finally(finish);
}

/** The writer side: listens on loopback, prints its port, sends the whole file on every connection. */
function writer(file: string): void {
  const buf = fs.readFileSync(file);
  const server = net.createServer({ noDelay: true }, (s) => {
    s.on('error', () => undefined);
    s.end(buf);
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${(server.address() as net.AddressInfo).port}\n`);
  });
}

async function child(name: CaseName, file: string, runs: number, routes: number): Promise<void> {
  let r: Result;
  if (name === 'ts' || name === 'native') r = decodeInMemory(name, fs.readFileSync(file), runs, routes);
  else r = await tcpCase(name, file, runs, routes);
  process.stdout.write(JSON.stringify(r) + '\n');
}

// ---- parent ----

function parent(argv: string[]): void {
  const opts = tableArgs(argv);
  const runs = Math.max(1, intArg(argv, 'runs', 5));
  const inline = argv.includes('--inline');
  const t0 = process.hrtime.bigint();
  const results: Result[] = [];
  const { table, routes } = withTableFiles(opts, { fulltable: !inline }, (table, files, bytes) => {
    const size = bytes.fulltable;
    const routes = table.v4.count + table.v6.count;
    console.log(
      `full table: ${fmt(table.v4.count)} IPv4 + ${fmt(table.v6.count)} IPv6 routes, ${table.nexthops.length} nexthop objects, ` +
        `${inline ? 'inline nexthops' : 'NHG mode'}, ${fmt(size / 1048576, 1)} MiB (${fmt(size / routes, 1)} B/route), seed ${opts.seed}`,
    );
    console.log(`generated and encoded in ${fmt(Number(process.hrtime.bigint() - t0) / 1e6)} ms; ${runs} timed runs per case after a warm-up, each case in a fresh process`);
    console.log(machineLine());
    console.log('');
    for (const name of CASES) {
      const r = runChild<Result>(__filename, ['--child', name, files.fulltable, String(runs), String(routes)]);
      results.push('failed' in r ? { name, ms: [], bytes: size, rows: 0, routes, rssMb: 0, note: `failed: ${r.failed}` } : r);
    }
    return { table, routes };
  });

  const ts = results.find((r) => r.name === 'ts' && r.ms.length > 0);
  const tsRate = ts ? routes / (median(ts.ms) / 1000) : 0;
  const header = ['case', 'median ms', 'best ms', 'routes/s', 'MB/s', 'x TS', 'RSS MB', ''];
  const rowsOut: string[][] = [header];
  for (const r of results) {
    if (r.ms.length === 0) {
      rowsOut.push([r.name, '-', '-', '-', '-', '-', '-', r.note ?? '']);
      continue;
    }
    const med = median(r.ms);
    const rate = routes / (med / 1000);
    const mbs = r.bytes / 1e6 / (med / 1000);
    rowsOut.push([
      r.name,
      fmt(med, 1),
      fmt(Math.min(...r.ms), 1),
      fmt(rate),
      fmt(mbs, 0),
      tsRate ? fmt(rate / tsRate, 2) : '-',
      fmt(r.rssMb, 0),
      DESCRIPTION[r.name as CaseName] + (r.rows && r.rows !== routes + (inline ? 0 : table.nexthops.length) ? ` (decoded ${r.rows} rows, expected more!)` : ''),
    ]);
  }
  printTable(rowsOut, (c) => c === 0 || c === header.length - 1);
  const nat = results.find((r) => r.name === 'native' && r.ms.length > 0);
  if (nat && ts) {
    const natRate = routes / (median(nat.ms) / 1000);
    console.log('');
    console.log(`native: ${fmt(natRate / 1e6, 2)} M routes/s on one core (target >= 5), ${fmt(natRate / tsRate, 1)}x the TS reference (target >= 5x)`);
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  child(argv[1] as CaseName, argv[2], Number(argv[3]), Number(argv[4])).catch((e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  });
} else if (argv[0] === '--writer') {
  writer(argv[1]);
} else {
  parent(argv);
}

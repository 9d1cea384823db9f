// The full-feed benchmark's floor: a separate process reads the table's bytes off loopback TCP into
// one reused buffer, as fibpush's FPM server does, and drops them: what no FPM reader can beat.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import { moveToOnread } from '../../ts/node-internals';
import type { FeedModel } from './model';
import { cpuSeconds, procStatusBytes, track } from './procs';
import { newResult } from './types';
import type { CaseResult, Spec } from './types';
import { ZebraSide } from './zebra';

const log = (s: string) => process.stderr.write(`  ${s}\n`);

/** The floor: a separate process reads the bytes off loopback TCP into a reused buffer, as fibpush's server does, and drops them. */
export async function floorCase(spec: Spec, m: FeedModel, self: string): Promise<CaseResult> {
  const bytes = fs.readFileSync(spec.files.nhg);
  const r = newResult('tcp-read', m.routes, bytes.length);
  const child = spawn(process.execPath, [self, '--floor-server', String(bytes.length)], { stdio: ['ignore', 'pipe', 'inherit'] });
  track(child);
  try {
    const lines = readLines(child);
    const port = Number(await lines.next());
    const z = await ZebraSide.connect(port, m, () => undefined);
    const cpu0 = cpuSeconds(child.pid as number);
    await z.write(bytes);
    const res = JSON.parse(await lines.next()) as { seconds: number; bytes: number };
    r.cpuSeconds = cpuSeconds(child.pid as number) - cpu0;
    r.rssPeakBytes = procStatusBytes(child.pid as number, 'VmHWM');
    z.close();
    r.readSeconds = res.seconds;
    r.readSource = 'reader: connection accepted -> last byte read';
    r.ok = res.bytes === bytes.length;
    log(`tcp-read: ${res.bytes} bytes in ${res.seconds.toFixed(3)} s`);
    return r;
  } finally {
    child.kill('SIGKILL');
  }
}

function readLines(c: ChildProcess): { next(): Promise<string> } {
  let acc = '';
  const lines: string[] = [];
  const waiters: ((s: string) => void)[] = [];
  let dead: Error | null = null;
  const fails: ((e: Error) => void)[] = [];
  c.stdout?.setEncoding('utf8');
  c.stdout?.on('data', (d: string) => {
    acc += d;
    let nl: number;
    while ((nl = acc.indexOf('\n')) >= 0) {
      const line = acc.slice(0, nl);
      acc = acc.slice(nl + 1);
      const w = waiters.shift();
      fails.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  c.once('exit', (code) => {
    dead = new Error(`reader process exited with code ${code}`);
    for (const f of fails.splice(0)) f(dead);
    waiters.length = 0;
  });
  return {
    next: () =>
      new Promise<string>((resolve, reject) => {
        const l = lines.shift();
        if (l !== undefined) return resolve(l);
        if (dead) return reject(dead);
        waiters.push(resolve);
        fails.push(reject);
      }),
  };
}

/** The floor's reader process: accepts one connection, reads `expect` bytes with onread into one reused 1 MiB buffer, prints the time. */
export function floorServer(expect: number): void {
  const buffer = Buffer.allocUnsafe(1 << 20);
  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (raw) => {
    const t0 = performance.now();
    let got = 0;
    // As ts/fpm/server.ts reads: the accepted handle moved to a socket that reads with onread.
    const sock = moveToOnread(raw, buffer, (n) => {
      got += n;
      if (got >= expect) {
        process.stdout.write(JSON.stringify({ seconds: (performance.now() - t0) / 1000, bytes: got }) + '\n');
        sock.destroy();
        server.close();
      }
      return true;
    });
    sock.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${(server.address() as net.AddressInfo).port}\n`);
  });
}

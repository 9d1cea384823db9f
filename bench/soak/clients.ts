// Clients that are not zebra on the FPM port: one sending garbage, one sending nothing, one sending a lone end-of-replay marker. A function for in-process use, and a command for zebra's network namespace:
//
//   node dist/bench/soak/clients.js garbage|silent|done HOST PORT HOLD_MS SEED
//
// prints one JSON line {"accepted":bool,"closedBy":"peer"|"us","bytes":N} when done.
import * as net from 'net';
import { FpmEncoder } from '../../ts/codec/encoder';
import { Rng } from '../../ts/gen/rng';

export type ClientKind = 'garbage' | 'silent' | 'done';

export interface ClientResult {
  kind: ClientKind;
  /** The connection was still open 200 ms after connecting (fibpush refuses a second FPM client by closing it at once). */
  accepted: boolean;
  /** Who ended the connection. */
  closedBy: 'peer' | 'us' | 'error';
  bytesSent: number;
  ms: number;
}

/** What the client sends: garbage starts with a frame header of a wrong version (fpm.h: FPM_PROTO_VERSION 1), then seeded random bytes. */
export function payload(kind: ClientKind, seed: number): Buffer {
  if (kind === 'silent') return Buffer.alloc(0);
  if (kind === 'done') return new FpmEncoder().done().toBuffer();
  const rng = new Rng(seed);
  const b = Buffer.alloc(4096);
  for (let i = 0; i < b.length; i++) b[i] = rng.int(256);
  b[0] = 0x47; // not version 1
  return b;
}

/** Connects, sends the kind's bytes, keeps the connection open for `holdMs` unless fibpush closes it first. */
export function runClient(kind: ClientKind, host: string, port: number, holdMs: number, seed: number): Promise<ClientResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const bytes = payload(kind, seed);
    let closedBy: ClientResult['closedBy'] | null = null;
    let openAt200 = false;
    let timer: NodeJS.Timeout | null = null;
    const probe = setTimeout(() => (openAt200 = !s.destroyed && closedBy === null), 200);
    s.once('connect', () => {
      if (bytes.length) s.write(bytes);
      timer = setTimeout(() => {
        closedBy = closedBy ?? 'us';
        s.destroy();
      }, holdMs);
    });
    s.on('data', () => undefined);
    s.on('error', () => {
      closedBy = closedBy ?? 'error';
    });
    s.on('close', () => {
      closedBy = closedBy ?? 'peer';
      if (timer) clearTimeout(timer);
      clearTimeout(probe);
      resolve({ kind, accepted: openAt200 || (closedBy === 'us' && holdMs < 200), closedBy, bytesSent: bytes.length, ms: performance.now() - t0 });
    });
  });
}

if (require.main === module) {
  const [kind, host, port, hold, seed] = process.argv.slice(2);
  if (!['garbage', 'silent', 'done'].includes(kind) || !host || !(Number(port) > 0)) {
    process.stderr.write('usage: clients.js garbage|silent|done HOST PORT HOLD_MS SEED\n');
    process.exit(2);
  }
  runClient(kind as ClientKind, host, Number(port), Number(hold) || 0, Number(seed) || 1).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e: Error) => {
      process.stderr.write(`clients.js: ${e.message}\n`);
      process.exit(1);
    },
  );
}

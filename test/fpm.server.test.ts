// The FPM server over real TCP: chunked fixture streams, one zebra at a time, idle strangers,
// broken streams, and offload feedback frames back to the client.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as net from 'net';
import { FpmServer, FpmConnection, DropReason } from '../ts/fpm/server';
import { FeedbackRoute, FeedbackRoutes, FeedbackSender } from '../ts/fpm/feedback';
import { FpmEncoder } from '../ts/codec/encoder';
import { FibStore } from '../ts/dplane/store';
import { ChangeKind, Op } from '../ts/dplane/types';
import { feedbackRoutes } from '../ts/daemon/daemon';
import { BatchWriter } from './helpers/dplane-batch';
import { Batch, Kind, Attr } from '../ts/codec/layout';
import { createDecoder, DecoderImpl } from '../ts/codec/decoder';
import { FpmStreamReader } from '../ts/codec/stream';
import { readFixture } from './helpers/fixtures';
import { frameEnds } from '../ts/cli/commands/replay';
import { uniformSource as prng } from '../ts/gen/rng';

const RTM_NEWROUTE = 24;
const NLM_F_REQUEST = 1;
const RTM_F_OFFLOAD = 0x4000;
const RTM_F_OFFLOAD_FAILED = 0x20000000;

/** One line per row with everything a consumer keys on, variable data resolved from the chunk. */
function rowLines(b: Batch, chunk: Uint8Array, out: string[]): void {
  for (let i = 0; i < b.meta[0]; i++) {
    const dst = b.attrs[i] & Attr.Dst ? Buffer.from(chunk.subarray(b.dstOff[i], b.dstOff[i] + b.dstAttrLen[i])).toString('hex') : '-';
    const gw = b.gwOff[i] ? Buffer.from(chunk.subarray(b.gwOff[i], b.gwOff[i] + b.gwLen[i])).toString('hex') : '-';
    out.push(
      [b.kind[i], b.msgType[i], b.nlFlags[i], b.err[i], b.family[i], b.dstLen[i], b.table[i], b.protocol[i], b.rtype[i], b.flags[i], b.nhId[i], b.oif[i], dst, gw, b.groupCount[i], b.pathCount[i]].join(' '),
    );
  }
}

/** The rows of a whole capture decoded in one go: what any chunking must reproduce. */
function expectedRows(bytes: Uint8Array): string[] {
  const r = new FpmStreamReader(createDecoder('ts'));
  const out: string[] = [];
  r.push(bytes, (b, c) => rowLines(b, c, out));
  return out;
}

interface Harness {
  server: FpmServer;
  port: number;
  rows: string[];
  events: string[];
  logs: string[];
  conns: FpmConnection[];
  disconnected: { epoch: number; reason: DropReason; detail: string }[];
}

async function startServer(opts: { decoder?: DecoderImpl; firstFrameTimeoutMs?: number; onBatch?: (b: Batch, c: Uint8Array, conn: FpmConnection) => void; onConnect?: (c: FpmConnection) => void } = {}): Promise<Harness> {
  const h: Harness = { server: null as unknown as FpmServer, port: 0, rows: [], events: [], logs: [], conns: [], disconnected: [] };
  const log = (level: string) => (msg: string, f?: Record<string, unknown>) => h.logs.push(`${level} ${msg} ${JSON.stringify(f ?? {})}`);
  h.server = new FpmServer(
    {
      host: '127.0.0.1',
      port: 0,
      decoder: opts.decoder ?? 'ts',
      firstFrameTimeoutMs: opts.firstFrameTimeoutMs ?? 5000,
      readBufferSize: 64 * 1024,
      logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    },
    {
      connect: (c) => {
        h.conns.push(c);
        h.events.push(`connect ${c.epoch}`);
        opts.onConnect?.(c);
      },
      batch: (b, chunk, conn) => {
        rowLines(b, chunk, h.rows);
        opts.onBatch?.(b, chunk, conn);
      },
      streamError: (e) => h.events.push(`stream-error ${e.code} ${e.offset}`),
      disconnect: (c, reason, detail) => {
        h.events.push(`disconnect ${c.epoch} ${reason}`);
        h.disconnected.push({ epoch: c.epoch, reason, detail });
      },
    },
  );
  h.port = (await h.server.listen()).port;
  return h;
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Writes `bytes` in random chunk sizes (1..maxChunk), yielding to the event loop between writes. */
async function writeChunked(s: net.Socket, bytes: Uint8Array, seed: number, maxChunk: number): Promise<void> {
  const rnd = prng(seed);
  let off = 0;
  while (off < bytes.length) {
    const n = Math.min(bytes.length - off, 1 + Math.floor(rnd() * maxChunk));
    if (!s.write(bytes.subarray(off, off + n))) await new Promise((r) => s.once('drain', r));
    off += n;
    if (rnd() < 0.2) await new Promise((r) => setImmediate(r));
  }
}

function closed(s: net.Socket, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (s.destroyed) return resolve();
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`socket not closed within ${ms} ms`));
    }, ms);
    s.once('close', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

async function until(what: string, fn: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const [name, seed, maxChunk, impl] of [
  ['bgp-nhg-converge', 1, 1500, 'ts'],
  ['bgp-nhg-peer-down', 2, 70000, 'native'],
  ['static-nhg-add', 3, 7, 'ts'],
  ['mpls-nhg-replay', 4, 33, 'native'],
] as const) {
  test(`${name} in random chunks (<= ${maxChunk} bytes, ${impl} decoder) arrives whole and in order`, async () => {
    const bytes = readFixture(name);
    const h = await startServer({ decoder: impl });
    try {
      const s = await connect(h.port);
      await writeChunked(s, bytes, seed, maxChunk);
      s.end();
      await closed(s);
      await until('disconnect', () => h.disconnected.length === 1);
      assert.equal(h.rows, expectedRows(bytes));
      assert.is(h.server.counters.bytes, bytes.length);
      assert.is(h.server.counters.frames, frameEnds(bytes).ends.length);
      assert.is(h.server.counters.rows, h.rows.length);
      assert.is(h.conns[0].bytes, bytes.length);
      assert.equal(h.events, ['connect 1', 'disconnect 1 peer-closed']);
      assert.is(h.server.counters.drops['peer-closed'], 1);
    } finally {
      await h.server.close();
    }
  });
}

test('a second connection is refused while zebra is connected; the first keeps streaming', async () => {
  const bytes = readFixture('static-nhg-add');
  const h = await startServer();
  try {
    const a = await connect(h.port);
    a.write(bytes.subarray(0, 704)); // zebra's connect replay in this capture
    await until('first connection', () => h.conns.length === 1 && h.server.connection !== null);
    const b = await connect(h.port);
    let bGotEnd = false;
    b.on('end', () => (bGotEnd = true));
    b.on('error', () => undefined);
    b.write(bytes); // would be decoded if it were accepted
    await closed(b);
    assert.ok(bGotEnd || b.destroyed, 'the second client was closed');
    assert.is(h.server.counters.drops.busy, 1);
    assert.ok(h.logs.some((l) => l.startsWith('warn FPM connection refused')), h.logs.join('\n'));
    a.end(bytes.subarray(704));
    await closed(a);
    await until('disconnect', () => h.disconnected.length === 1);
    assert.equal(h.rows, expectedRows(bytes), 'exactly the first client\'s stream, once');
    assert.is(h.server.counters.connections, 1);
  } finally {
    await h.server.close();
  }
});

test('a connection that sends no valid frame in time is dropped and frees the place', async () => {
  const h = await startServer({ firstFrameTimeoutMs: 150 });
  try {
    const silent = await connect(h.port);
    const t0 = Date.now();
    await closed(silent);
    const took = Date.now() - t0;
    assert.ok(took >= 100 && took < 3000, `dropped after ${took} ms`);
    // Half a header is no frame either.
    const partial = await connect(h.port);
    partial.write(Buffer.from([1, 1, 0]));
    await closed(partial);
    await until('two drops', () => h.disconnected.length === 2);
    assert.equal(
      h.disconnected.map((d) => d.reason),
      ['no-frame', 'no-frame'],
    );
    assert.is(h.server.counters.drops['no-frame'], 2);
    // zebra gets the place and is not dropped once it has sent a frame.
    const bytes = readFixture('static-nhg-add');
    const z = await connect(h.port);
    z.write(bytes.subarray(0, 100));
    await new Promise((r) => setTimeout(r, 400));
    assert.is(z.destroyed, false, 'a connection that sent a valid frame stays');
    z.end(bytes.subarray(100));
    await closed(z);
    await until('third disconnect', () => h.disconnected.length === 3);
    assert.is(h.disconnected[2].reason, 'peer-closed');
    assert.equal(h.rows, expectedRows(bytes));
  } finally {
    await h.server.close();
  }
});

test('garbage drops the connection with the error code and offset logged; the next connection is served in full', async () => {
  const bytes = readFixture('static-nhg-add');
  const good = frameEnds(bytes).ends[9]; // ten whole frames
  const h = await startServer();
  try {
    const s = await connect(h.port);
    s.on('error', () => undefined);
    // Ten frames, then a frame header with version 2 (fpm/fpm.h FPM_PROTO_VERSION is 1).
    await writeChunked(s, Buffer.concat([bytes.subarray(0, good), Buffer.from([2, 1, 0, 20]), Buffer.alloc(16)]), 7, 50);
    await closed(s);
    await until('disconnect', () => h.disconnected.length === 1);
    assert.is(h.disconnected[0].reason, 'stream-error');
    assert.equal(h.events, ['connect 1', `stream-error FPM_BAD_VERSION ${good}`, 'disconnect 1 stream-error']);
    const line = h.logs.find((l) => l.startsWith('warn FPM stream error'));
    assert.ok(line, h.logs.join('\n'));
    assert.match(line, /"code":"FPM_BAD_VERSION"/);
    assert.match(line, new RegExp(`"offset":${good}\\b`));
    // The rows before the defect were delivered, nothing of the bad frame.
    assert.equal(h.rows, expectedRows(bytes.subarray(0, good)));
    assert.is(h.server.counters.drops['stream-error'], 1);

    // zebra reconnects and replays: the new connection is served completely.
    h.rows.length = 0;
    const s2 = await connect(h.port);
    await writeChunked(s2, bytes, 8, 300);
    s2.end();
    await closed(s2);
    await until('second disconnect', () => h.disconnected.length === 2);
    assert.is(h.disconnected[1].reason, 'peer-closed');
    assert.equal(h.rows, expectedRows(bytes));
    assert.is(h.conns[1].epoch, 2);
  } finally {
    await h.server.close();
  }
});

// Offsets per docs/codec.md: the frame header for frame defects, the nlmsghdr for netlink ones.
for (const [name, bad, code, at] of [
  ['bad type', Buffer.from([1, 7, 0, 20]), 'FPM_BAD_TYPE', 704],
  ['frame length below the header', Buffer.from([1, 1, 0, 2]), 'FPM_SHORT_FRAME', 704],
  ['nlmsg_len past the frame', Buffer.from([1, 1, 0, 20, 200, 0, 0, 0, 24, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 'NLMSG_PAST_FRAME', 708],
  ['nlmsg_len below 16', Buffer.from([1, 1, 0, 20, 8, 0, 0, 0, 24, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 'NLMSG_LEN_TOO_SMALL', 708],
] as const) {
  test(`stream error "${name}" is reported as ${code} at its offset`, async () => {
    const bytes = readFixture('static-nhg-add').subarray(0, 704);
    const h = await startServer();
    try {
      const s = await connect(h.port);
      s.on('error', () => undefined);
      s.write(Buffer.concat([bytes, bad, Buffer.alloc(16)]));
      await closed(s);
      await until('disconnect', () => h.disconnected.length === 1);
      assert.equal(h.events.slice(1), [`stream-error ${code} ${at}`, 'disconnect 1 stream-error']);
      assert.equal(h.rows, expectedRows(bytes));
    } finally {
      await h.server.close();
    }
  });
}

test('a throwing consumer drops the connection instead of crashing the reader', async () => {
  const h = await startServer({
    onBatch: () => {
      throw new Error('consumer bug');
    },
  });
  try {
    const s = await connect(h.port);
    s.on('error', () => undefined);
    s.write(readFixture('static-nhg-add'));
    await closed(s);
    await until('disconnect', () => h.disconnected.length === 1);
    assert.is(h.disconnected[0].reason, 'handler-error');
    assert.ok(h.logs.some((l) => l.startsWith('error FPM batch consumer failed')));
  } finally {
    await h.server.close();
  }
});

test('refuses to listen on a non-loopback address unless allowed', async () => {
  for (const host of ['0.0.0.0', '::', '192.0.2.1']) {
    const s = new FpmServer({ host, port: 0 });
    let err: Error | null = null;
    await s.listen().catch((e: Error) => (err = e));
    assert.ok(err, `listen on ${host} refused`);
    assert.match((err as unknown as Error).message, /not a loopback address/);
    assert.is(s.address(), null);
  }
  for (const host of ['127.0.0.1', '127.0.0.2', '::1']) {
    const s = new FpmServer({ host, port: 0 });
    try {
      const a = await s.listen();
      assert.ok(a.port > 0, `listening on ${host}`);
    } catch (e) {
      // ::1 may be absent on a host without IPv6; that is not a policy refusal.
      assert.not.match((e as Error).message, /not a loopback address/);
    } finally {
      await s.close();
    }
  }
});

test('peer check: the owner uid of the loopback peer socket, over IPv4, IPv6 and IPv4-mapped; refused peers get no byte', async () => {
  const own = process.getuid!();
  for (const [listen, connectTo] of [['127.0.0.1', '127.0.0.1'], ['::1', '::1'], ['::', '127.0.0.1']] as const) {
    for (const uid of [own, own + 4242]) {
      const connects: number[] = [];
      const s = new FpmServer(
        { host: listen, port: 0, allowNonLoopback: listen === '::', peer: { kind: 'uid', uid, name: String(uid) }, decoder: 'ts' },
        { connect: (c) => connects.push(c.epoch) },
      );
      let a: net.AddressInfo;
      try {
        a = await s.listen();
      } catch (e) {
        assert.not.match((e as Error).message, /not a loopback address/);
        continue; // no IPv6 on this host
      }
      try {
        const c = net.connect(a.port, connectTo);
        const got: Buffer[] = [];
        c.on('data', (d: Buffer) => got.push(d));
        c.on('error', () => {});
        const closed = new Promise<void>((r) => c.once('close', () => r()));
        await new Promise<void>((r) => c.once('connect', () => r()));
        c.write(Buffer.from([1, 1, 0, 4]));
        if (uid === own) {
          await until('accepted', () => connects.length === 1, 3000);
          assert.is(s.counters.refusedPeer, 0, `${listen} <- ${connectTo}`);
          c.destroy();
        } else {
          await closed;
          assert.is(connects.length, 0);
          assert.is(s.counters.refusedPeer, 1, `${listen} <- ${connectTo}`);
          assert.is(s.counters.drops.peer, 1);
          assert.is(s.counters.bytes, 0, 'nothing of it read');
          assert.is(Buffer.concat(got).length, 0, 'no byte sent');
        }
        await closed;
      } finally {
        await s.close();
      }
    }
  }
});

test('adopts a listening socket handed over (as from another network namespace)', async () => {
  const outer = net.createServer();
  await new Promise<void>((r) => outer.listen({ host: '127.0.0.1', port: 0 }, () => r()));
  const port = (outer.address() as net.AddressInfo).port;
  const rows: string[] = [];
  const server = new FpmServer({ handle: outer, decoder: 'ts' }, { batch: (b, c) => rowLines(b, c, rows) });
  try {
    assert.is((await server.listen()).port, port);
    const bytes = readFixture('static-nhg-delete');
    const s = await connect(port);
    s.end(bytes);
    await closed(s);
    await until('rows', () => rows.length === expectedRows(bytes).length);
    assert.equal(rows, expectedRows(bytes));
  } finally {
    await server.close();
  }
});

/** Decodes what the server sent back into (route key -> flags) and checks every message's shape. */
function decodeFeedback(bytes: Uint8Array): Map<string, { flags: number; protocol: number; rtype: number }> {
  const out = new Map<string, { flags: number; protocol: number; rtype: number }>();
  const r = new FpmStreamReader(createDecoder('ts'));
  r.push(bytes, (b, c) => {
    for (let i = 0; i < b.meta[0]; i++) {
      assert.is(b.err[i], 0);
      assert.is(b.kind[i], Kind.Route);
      assert.is(b.msgType[i], RTM_NEWROUTE);
      assert.is(b.nlFlags[i], NLM_F_REQUEST);
      const dst = Buffer.from(c.subarray(b.dstOff[i], b.dstOff[i] + b.dstAttrLen[i])).toString('hex');
      const key = `${b.family[i]} ${b.table[i]} ${dst}/${b.dstLen[i]}`;
      assert.not.ok(out.has(key), `one notification per route (${key})`);
      out.set(key, { flags: b.flags[i], protocol: b.protocol[i], rtype: b.rtype[i] });
    }
  });
  assert.is(r.pending, 0, 'whole frames only');
  return out;
}

test('offload feedback: latest result per route arrives on the client and decodes as RTM_NEWROUTE + RTM_F_OFFLOAD[_FAILED]', async () => {
  const bytes = readFixture('static-nhg-add');
  const fb = new FeedbackSender({ ratePerSec: 100000 });
  // Every route zebra installs, reported twice: first failed, then the final result (offloaded
  // unless the prefix length is 64), so coalescing must keep only the second.
  const expected = new Map<string, { flags: number; protocol: number; rtype: number }>();
  const h = await startServer({
    onConnect: (c) => fb.attach(c),
    onBatch: (b, chunk) => {
      for (let i = 0; i < b.meta[0]; i++) {
        if (b.kind[i] !== Kind.Route || b.msgType[i] !== RTM_NEWROUTE) continue;
        const dst = chunk.subarray(b.dstOff[i], b.dstOff[i] + b.dstAttrLen[i]);
        const ok = b.dstLen[i] !== 64;
        fb.report(b.family[i], b.table[i], dst, b.dstLen[i], b.protocol[i], false, b.rtype[i]);
        fb.report(b.family[i], b.table[i], dst, b.dstLen[i], b.protocol[i], ok, b.rtype[i]);
        expected.set(`${b.family[i]} ${b.table[i]} ${Buffer.from(dst).toString('hex')}/${b.dstLen[i]}`, {
          flags: ok ? RTM_F_OFFLOAD : RTM_F_OFFLOAD_FAILED,
          protocol: b.protocol[i],
          rtype: b.rtype[i],
        });
      }
    },
  });
  try {
    const s = await connect(h.port);
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    s.write(bytes);
    await until('all feedback', () => fb.counters.sent === expected.size && fb.queued === 0, 5000);
    await new Promise((r) => setTimeout(r, 50));
    s.end();
    await closed(s);
    const back = decodeFeedback(Buffer.concat(got));
    assert.is(back.size, expected.size);
    assert.equal(back, expected);
    assert.ok([...expected.values()].some((e) => e.flags === RTM_F_OFFLOAD_FAILED), 'both outcomes covered');
    assert.ok([...back.keys()].some((k) => k.startsWith('2 100 ')), 'table 100 route included');
    assert.is(fb.counters.coalesced, expected.size);
    assert.is(fb.counters.bytes, Buffer.concat(got).length);
  } finally {
    fb.close();
    await h.server.close();
  }
});

test('feedback is rate-bounded, coalesced, switchable off, and never writes into a backed-up socket', async () => {
  let written = 0;
  let frames = 0;
  const sink = {
    closed: false,
    writableLength: 0,
    write(d: Uint8Array) {
      written += d.length;
      frames += frameEnds(d).ends.length;
      return true;
    },
  };
  const fb = new FeedbackSender({ ratePerSec: 1000, tickMs: 5 });
  fb.attach(sink);
  const t0 = Date.now();
  const a = new Uint8Array(4);
  for (let i = 0; i < 300; i++) {
    a[0] = 10;
    a[1] = i >> 8;
    a[2] = i & 255;
    fb.report(2, 254, a, 24, 186, true);
  }
  await until('300 sent', () => fb.counters.sent === 300, 5000);
  const took = Date.now() - t0;
  // A bucket of at most 100 ms worth (100 tokens) plus 1000/s: 300 take about 200 ms or more.
  assert.ok(took >= 150, `300 notifications at 1000/s took ${took} ms`);
  assert.ok(took < 3000, `took ${took} ms`);
  assert.is(frames, 300);

  // Coalescing: many results for one route before a tick -> one frame with the last result.
  fb.setRate(1);
  const before = fb.counters.sent;
  for (let k = 0; k < 50; k++) fb.report(10, 1001, new Uint8Array(16).fill(k === 49 ? 7 : 7), 64, 196, k % 2 === 0);
  assert.is(fb.queued, 1);
  assert.is(fb.counters.coalesced, 49);
  fb.setRate(100000);
  await until('coalesced one sent', () => fb.counters.sent === before + 1);
  assert.is(fb.counters.sentFailed, 1, 'the last of 50 results (k=49, odd) was a failure');

  // Backpressure: nothing is written while the socket holds maxQueuedBytes.
  sink.writableLength = 1 << 20;
  const w0 = written;
  fb.report(2, 254, Uint8Array.of(10, 9, 9, 0), 24, 186, true);
  await new Promise((r) => setTimeout(r, 60));
  assert.is(written, w0);
  assert.ok(fb.counters.backpressured > 0);
  assert.is(fb.queued, 1);
  sink.writableLength = 0;
  await until('sent after backpressure', () => fb.queued === 0);
  assert.ok(written > w0);

  // Off: reports are counted as ignored and nothing is written.
  fb.setEnabled(false);
  const w1 = written;
  fb.report(2, 254, Uint8Array.of(10, 9, 8, 0), 24, 186, true);
  await new Promise((r) => setTimeout(r, 30));
  assert.is(written, w1);
  assert.is(fb.counters.disabled, 1);
  assert.is(fb.queued, 0);
  fb.close();
});

/** A sink that keeps every write, never backed up. */
function captureSink(): { closed: boolean; writableLength: number; chunks: Buffer[]; write(d: Uint8Array): boolean } {
  return {
    closed: false,
    writableLength: 0,
    chunks: [],
    write(d: Uint8Array) {
      this.chunks.push(Buffer.from(d));
      return true;
    },
  };
}

test('feedback keeps results by route handle: latest per slot, newest generation, frames as FpmEncoder.offload writes them', () => {
  const table = new Map<number, FeedbackRoute>();
  const asked: number[] = [];
  const routes: FeedbackRoutes = {
    resolve: () => -1,
    current: () => true,
    describe(h, out) {
      asked.push(h);
      const r = table.get(h);
      if (!r) return false;
      out.family = r.family;
      out.table = r.table;
      out.len = r.len;
      out.protocol = r.protocol;
      out.addr.set(r.addr);
      return true;
    },
  };
  const v6 = (b: number) => Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  // Slot ids in bits 0-26, family code in 30-31, generation in 27-29 and 32-47 (both layouts).
  const h4 = 5;
  const h6old = (((1 << 30) | (2 << 27) | 7) >>> 0);
  const h6new = 3 * 4294967296 + (((1 << 30) | 7) >>> 0); // same slot as h6old, a later generation
  const hBig = 65535 * 4294967296 + 9; // table >= 256: RTA_TABLE
  table.set(h4, { family: 2, table: 254, addr: Uint8Array.of(10, 1, 2, 0), len: 24, protocol: 186 });
  table.set(h6new, { family: 10, table: 254, addr: v6(1), len: 48, protocol: 2 });
  table.set(hBig, { family: 2, table: 1001, addr: Uint8Array.of(192, 0, 2, 0), len: 25, protocol: 196 });
  // maxQueuedBytes caps one tick's write at 100 frames (60 B each at most).
  const fb = new FeedbackSender({ routes, tickMs: 60_000, ratePerSec: 1_000_000, maxQueuedBytes: 6000 });
  const sink = captureSink();
  fb.attach(sink);
  fb.reportHandle(h4, false);
  fb.reportHandle(h6old, true);
  fb.reportHandle(hBig, true, 6);
  fb.reportHandle(h4, true); // replaces the failure
  fb.reportHandle(h6new, false, 7); // same slot, newer generation: replaces, keeps the oldest place
  assert.is(fb.queued, 3);
  assert.is(fb.counters.coalesced, 2);
  assert.is(fb.tick(), 3);
  assert.equal(asked, [h4, hBig, h6new], 'each slot looked up once, under its latest handle, in slot order');
  const want = new FpmEncoder();
  want.offload({ family: 2, dst: Uint8Array.of(10, 1, 2, 0), dstLen: 24, table: 254, protocol: 186, rtype: 1, failed: false, pid: 0 });
  want.offload({ family: 2, dst: Uint8Array.of(192, 0, 2, 0), dstLen: 25, table: 1001, protocol: 196, rtype: 6, failed: false, pid: 0 });
  want.offload({ family: 10, dst: v6(1), dstLen: 48, table: 254, protocol: 2, rtype: 7, failed: true, pid: 0 });
  assert.equal(Buffer.concat(sink.chunks).toString('hex'), want.toBuffer().toString('hex'));
  assert.is(fb.counters.sent, 3);
  assert.is(fb.counters.sentFailed, 1);
  assert.is(fb.queued, 0);
  // A slot whose route is gone by send time: dropped, counted, nothing written.
  fb.reportHandle(12345, true);
  assert.is(fb.tick(), 0);
  assert.is(fb.counters.gone, 1);
  assert.is(sink.chunks.length, 1);
  // Memory is per slot, not per result: 200,000 waiting results hold a few bytes each.
  for (let i = 0; i < 200_000; i++) fb.reportHandle(i, true);
  for (let i = 0; i < 200_000; i++) fb.reportHandle(i, false);
  assert.is(fb.queued, 200_000);
  assert.ok(fb.bytesHeld <= 200_000 * 6, `${fb.bytesHeld} bytes for 200,000 waiting results`);
  // Sent in rounds from a cursor: 100 per tick still reaches every slot once.
  table.clear();
  for (let i = 0; i < 200_000; i += 1000) table.set(i, { family: 2, table: 254, addr: Uint8Array.of(10, i >> 16, (i >> 8) & 255, i & 255), len: 32, protocol: 2 });
  asked.length = 0;
  let ticks = 0;
  while (fb.queued > 0 && ticks < 10_000) {
    fb.tick();
    ticks++;
  }
  assert.is(fb.queued, 0);
  assert.is(new Set(asked).size, 200_000, 'every waiting slot looked at once');
  assert.is(fb.counters.sent, 3 + 200);
  fb.reportHandle(7, true);
  fb.setEnabled(false);
  assert.is(fb.queued, 0);
  fb.close();
});

test('feedback skips empty runs of slots: results far apart, in two families, behind and ahead of the cursor, each sent once in slot order', () => {
  const asked: number[] = [];
  const routes: FeedbackRoutes = {
    resolve: () => -1,
    current: () => true,
    describe(h, out) {
      asked.push(h);
      out.family = (h >>> 30) === 1 ? 10 : 2;
      out.table = 254;
      out.len = 32;
      out.protocol = 186;
      out.addr.fill(0);
      return true;
    },
  };
  const v6 = (id: number) => ((1 << 30) | id) >>> 0;
  // One frame per tick (maxQueuedBytes / 60): each tick shows where the cursor went.
  const fb = new FeedbackSender({ routes, tickMs: 60_000, ratePerSec: 1_000_000, maxQueuedBytes: 60 });
  fb.attach(captureSink());
  for (const h of [3_000_000, 5, v6(2_000_000), 1_000_000, 1_000_001, 32 * 1024 - 1, 32 * 1024]) fb.reportHandle(h, true);
  const sendOne = () => {
    assert.is(fb.tick(), 1);
    return asked[asked.length - 1];
  };
  assert.is(sendOne(), 5);
  assert.is(sendOne(), 32 * 1024 - 1, 'the last slot of a summary word');
  assert.is(sendOne(), 32 * 1024, 'the first slot of the next one');
  assert.is(sendOne(), 1_000_000);
  // Behind the cursor (waits for the next round) and ahead of it (this round).
  fb.reportHandle(6, true);
  fb.reportHandle(2_999_999, true);
  assert.is(sendOne(), 1_000_001);
  assert.is(sendOne(), 2_999_999);
  assert.is(sendOne(), 3_000_000);
  assert.is(sendOne(), v6(2_000_000), 'then the next family');
  assert.is(sendOne(), 6, 'round again to the start');
  assert.is(fb.queued, 0);
  assert.is(fb.tick(), 0);
  // Slots emptied and filled again in the same summary run are found again.
  for (let round = 0; round < 3; round++) {
    for (const id of [70_000, 70_031, 71_000]) fb.reportHandle(id, true);
    assert.equal([sendOne(), sendOne(), sendOne()], [70_000, 70_031, 71_000]);
  }
  assert.is(fb.queued, 0);
  assert.is(new Set(asked).size, asked.length - 6, 'no slot looked at twice but the re-filled ones');
  fb.close();
});

test('feedback reuses its output buffer only for bytes the sink no longer holds', () => {
  const table = new Map<number, FeedbackRoute>();
  for (let i = 0; i < 5000; i++) table.set(i, { family: 2, table: 254, addr: Uint8Array.of(10, i >> 8, i & 255, 0), len: 24, protocol: 186 });
  const routes: FeedbackRoutes = {
    resolve: () => -1,
    current: () => true,
    describe(h, out) {
      const r = table.get(h)!;
      Object.assign(out, { family: r.family, table: r.table, len: r.len, protocol: r.protocol });
      out.addr.set(r.addr);
      return true;
    },
  };
  // A socket-like sink: holds every view until "the kernel" takes it, checking it is unchanged.
  const held: { view: Uint8Array; copy: Buffer }[] = [];
  let holding = 0;
  let checked = 0;
  const sink = {
    closed: false,
    get writableLength() {
      return holding;
    },
    write(d: Uint8Array) {
      held.push({ view: d, copy: Buffer.from(d) });
      holding += d.length;
      return true;
    },
  };
  const rnd = prng(7);
  const fb = new FeedbackSender({ routes, tickMs: 60_000, ratePerSec: 1_000_000, maxQueuedBytes: 2000 });
  fb.attach(sink);
  for (let round = 0; round < 400; round++) {
    for (let k = 0; k < 60; k++) fb.reportHandle(Math.floor(rnd() * 5000), rnd() < 0.5);
    fb.tick();
    // The kernel takes a random part of what is held, oldest first.
    let take = Math.floor(rnd() * 2500);
    while (held.length > 0 && take >= held[0].view.length) {
      const h = held.shift()!;
      assert.is(Buffer.from(h.view).compare(h.copy), 0, 'bytes not rewritten while held');
      holding -= h.view.length;
      take -= h.view.length;
      checked++;
    }
  }
  assert.ok(checked > 100, `${checked} writes checked`);
  assert.ok(fb.counters.bytes > 8 * 2000 * 4, 'the buffer went round several times');
  fb.close();
});

for (const byHandle of [false, true]) {
test(`feedback through the FIB mirror, results ${byHandle ? 'by handle' : 'by key'}: a route withdrawn before its result goes out gets no notification`, () => {
  const store = new FibStore();
  const fb = new FeedbackSender({ routes: feedbackRoutes(store), tickMs: 60_000, ratePerSec: 1_000_000 });
  const sink = captureSink();
  fb.attach(sink);
  const w = new BatchWriter();
  const feed = (build: (w: BatchWriter) => void) => {
    w.reset();
    build(w);
    store.ingest(w.batch, w.chunk);
  };
  // What a dataplane does: take each change, report its result by the view's key (the daemon's onRouteResult).
  const drainAndReport = (ok: boolean) => {
    let n = 0;
    for (let k = store.next(); k !== ChangeKind.None; k = store.next()) {
      if (k !== ChangeKind.Route) continue;
      const v = store.route;
      store.routeResult(v.handle, ok);
      if (byHandle) fb.reportCurrent(v.handle, ok, v.target === 1 ? 6 : 1);
      else fb.report(v.family, v.table, v.addr, v.len, v.protocol, ok, v.target === 1 ? 6 : 1);
      n++;
    }
    return n;
  };
  store.connectionStart();
  feed((w) =>
    w
      .route('new', { dst: '10.1.0.0/24', type: 6, protocol: 196 })
      .route('new', { dst: '2001:db8:1::/48', type: 6, protocol: 196, table: 1001 })
      .route('new', { dst: '10.2.0.0/24', type: 6, protocol: 196 }),
  );
  assert.is(drainAndReport(true), 3);
  assert.is(fb.queued, 3);
  // Withdrawn while its result waits, its Del not taken by the dataplane yet (the entry is still allocated).
  feed((w) => w.route('del', { dst: '10.1.0.0/24', protocol: 196 }));
  assert.is(fb.tick(), 2);
  assert.is(fb.counters.gone, 1, 'the withdrawn route is skipped at send time');
  // The withdrawal's own result (the VPP dataplane reports one): the key is gone, nothing queued.
  assert.is(store.next(), ChangeKind.Route);
  assert.is(store.route.op, Op.Del);
  const delHandle = store.route.handle;
  if (byHandle) fb.reportCurrent(delHandle, true);
  else fb.report(store.route.family, store.route.table, store.route.addr, store.route.len, store.route.protocol, true);
  assert.is(fb.queued, 0);
  assert.is(fb.counters.gone, 2);
  const back = decodeFeedback(Buffer.concat(sink.chunks));
  assert.equal([...back.keys()].sort(), ['10 1001 20010db8000100000000000000000000/48', '2 254 0a020000/24']);
  for (const v of back.values()) assert.equal(v, { flags: RTM_F_OFFLOAD, protocol: 196, rtype: 6 });
  // Back again: notified again.
  feed((w) => w.route('new', { dst: '10.1.0.0/24', type: 6, protocol: 196 }));
  assert.is(drainAndReport(false), 1);
  assert.is(fb.tick(), 1);
  const again = decodeFeedback(sink.chunks[sink.chunks.length - 1]);
  assert.equal([...again.entries()], [['2 254 0a010000/24', { flags: RTM_F_OFFLOAD_FAILED, protocol: 196, rtype: 6 }]]);
  // A late result under the withdrawn route's handle: its entry now holds the route again, under a new handle.
  if (byHandle) {
    const before = fb.counters.gone;
    fb.reportCurrent(delHandle, true);
    assert.is(fb.queued, 0, 'a stale handle queues nothing');
    assert.is(fb.counters.gone, before + 1);
  }
  fb.close();
});
}

test.run();

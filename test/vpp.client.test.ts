// The VPP client against a fake API server: message table, compatibility, pipelining, fences, timeouts, errors, reconnect.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeVpp, Req, FakeConn, frameBytes } from './vpp.fake';
import { VppClient, ReplySink, REQUIRED_MESSAGES } from '../ts/vpp/client';
import { VppApiError, VppCompatibilityError, VppNoReplyError, VppTimeoutError } from '../ts/vpp/errors';
import { MESSAGES } from '../ts/vpp/gen/messages';
import { encodePaths } from '../ts/vpp/codec';

const fakes: FakeVpp[] = [];
const clients: VppClient[] = [];
async function fake(opts: ConstructorParameters<typeof FakeVpp>[0] = {}, dir?: string): Promise<FakeVpp> {
  const f = new FakeVpp(opts, dir);
  await f.listen();
  fakes.push(f);
  return f;
}
function client(f: FakeVpp, opts: ConstructorParameters<typeof VppClient>[0] = {}): VppClient {
  const c = new VppClient({ socketPath: f.path, ...opts });
  clients.push(c);
  return c;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await sleep(5);
  }
}

test.after.each(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const f of fakes.splice(0)) await f.dispose();
});

/** Send n ip_route_add_del through the fast path; resolves with the retvals/errors in order. */
function sendRoutes(c: VppClient, n: number): Promise<(number | Error)[]> {
  return new Promise((resolve) => {
    const out: (number | Error)[] = new Array(n);
    let done = 0;
    let next = 0;
    const paths = encodePaths([{ swIfIndex: 1, tableId: 0, weight: 1, preference: 0, type: 0, flags: 0, proto: 0, nh: Uint8Array.of(10, 0, 0, 1) }]);
    const addr = new Uint8Array(4);
    const sink: ReplySink = {
      reply(token, retval) {
        out[token] = retval;
        if (++done === n) resolve(out);
        else pump();
      },
      fail(token, err) {
        out[token] = err;
        if (++done === n) resolve(out);
        else pump();
      },
    };
    const si = c.addSink(sink);
    const pump = () => {
      while (next < n && c.canSend()) {
        addr[0] = 10;
        addr[1] = (next >> 16) & 255;
        addr[2] = (next >> 8) & 255;
        addr[3] = 0;
        c.ipRouteAddDel(si, next, true, 0, false, addr, 24, paths, 1);
        next++;
      }
    };
    pump();
  });
}

test('connect: reads a 53 KB message table split into small reads, resolves ids by name_crc, uses index as client_index', async () => {
  const f = await fake({ filler: 750, chunk: 997, base: 700 });
  f.on('ip_route_add_del', (r, conn) => conn.reply('ip_route_add_del_reply', r.ctx, 0, [0]));
  const c = client(f);
  const info = await c.connect();
  assert.ok(info.messages > 800, `${info.messages} entries`);
  assert.is(info.vpePid, 4242);
  assert.is(c.clientIndex, f.clientIndex);
  assert.is(c.ids.ip_route_add_del, f.idOf('ip_route_add_del'));
  assert.is(c.ids.control_ping, 23);
  const res = await sendRoutes(c, 10);
  assert.equal(res, new Array(10).fill(0));
  const reqs = f.log.filter((r) => r.name === 'ip_route_add_del');
  assert.is(reqs.length, 10);
  for (const r of reqs) assert.is(r.clientIndex, f.clientIndex);
  // contexts are distinct
  assert.is(new Set(reqs.map((r) => r.ctx)).size, 10);
});

test('missing messages: one VppCompatibilityError naming each missing name_crc and the socket', async () => {
  const f = await fake({ omit: ['ip_route_add_del', 'mpls_route_add_del_reply', 'lcp_itf_pair_get'] });
  const c = client(f, { reconnect: false });
  try {
    await c.connect();
    assert.unreachable('connected');
  } catch (e) {
    assert.instance(e, VppCompatibilityError);
    const err = e as VppCompatibilityError;
    assert.equal([...err.missing].sort(), [MESSAGES.ip_route_add_del.nameCrc, MESSAGES.mpls_route_add_del_reply.nameCrc].sort());
    assert.match(err.message, f.path);
    assert.match(err.message, 'ip_route_add_del_b8ecfe0d');
    assert.match(err.message, 'mpls_route_add_del_reply_1992deab');
  }
  assert.is(c.connected, false);
});

test('optional messages (plugins) may be missing: connect succeeds and reports them', async () => {
  const f = await fake({ omit: ['lcp_itf_pair_get', 'lcp_itf_pair_get_reply', 'lcp_itf_pair_details', 'vxlan_add_del_tunnel_v3'] });
  const c = client(f);
  const info = await c.connect();
  assert.ok(info.missingOptional.includes(MESSAGES.lcp_itf_pair_get.nameCrc));
  assert.is(c.has('lcp_itf_pair_get'), false);
  assert.is(c.has('ip_route_add_del'), true);
  for (const n of REQUIRED_MESSAGES) assert.ok(c.has(n), n);
});

for (const window of [1, 64, 1000]) {
  test(`pipelining: window ${window} is filled and never exceeded; replies matched in order`, async () => {
    const f = await fake();
    let outstanding = 0;
    let maxOutstanding = 0;
    const held: [Req, FakeConn][] = [];
    // Answer in bursts: hold requests, release all once nothing arrived for a moment.
    let timer: NodeJS.Timeout | null = null;
    f.on('ip_route_add_del', (r, conn) => {
      outstanding++;
      maxOutstanding = Math.max(maxOutstanding, outstanding);
      held.push([r, conn]);
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        for (const [q, cc] of held.splice(0)) {
          outstanding--;
          cc.reply('ip_route_add_del_reply', q.ctx, 0, [0]);
        }
      }, 2);
    });
    const c = client(f, { window });
    await c.connect();
    const n = Math.min(3000, window * 5 + 7);
    const res = await sendRoutes(c, n);
    assert.is(res.filter((x) => x === 0).length, n);
    assert.is(maxOutstanding, window);
    assert.is(c.counters.sent >= n, true);
    // one write per batch: with a window of 1000 far fewer writes than messages
    if (window === 1000) assert.ok(c.counters.batches < n / 10, `${c.counters.batches} batches for ${n}`);
    assert.is(c.inFlight, 0);
  });
}

/** One ip_route_add_del with `token` for `sink` (the programmer's fast path). */
function sendRoute(c: VppClient, si: number, token: number): void {
  const paths = encodePaths([{ swIfIndex: 1, tableId: 0, weight: 1, preference: 0, type: 0, flags: 0, proto: 0, nh: Uint8Array.of(10, 0, 0, 1) }]);
  c.ipRouteAddDel(si, token, true, 0, false, Uint8Array.of(10, 0, token, 0), 24, paths, 1);
}

test('pollReplies: replies VPP already sent are taken in at once by a caller holding the event loop; never from inside a reply handler', async () => {
  const f = await fake();
  const c = client(f);
  await c.connect();
  assert.is(c.pollReplies(), 0, 'nothing in flight: no read');
  const got: [number, number][] = [];
  let nested = -1;
  const si = c.addSink({
    reply(token, retval) {
      got.push([token, retval]);
      // A handler polling again would frame bytes in the middle of framing: refused.
      if (nested < 0) nested = c.pollReplies();
    },
    fail(_token, err) {
      got.push([-1, err.name.length]);
    },
  });
  let polled = -1;
  let seenByPoll: [number, number][] = [];
  f.on('ip_route_add_del', (r, conn) => {
    // Still inside the server's read callback: the client's own event-loop read has not run.
    conn.reply('ip_route_add_del_reply', r.ctx, -7, [0]);
    polled = c.pollReplies();
    seenByPoll = got.slice();
  });
  sendRoute(c, si, 5);
  await until(() => got.length === 1);
  assert.is(polled, 16 + 14, 'the whole reply read by the poll');
  assert.equal(seenByPoll, [[5, -7]], 'delivered during pollReplies, not at the next poll');
  assert.is(nested, 0);
  assert.is(c.inFlight, 0);
  assert.is(c.counters.unmatched, 0);
});

test('pollReplies: a reply split between a poll and the event loop\'s read is framed once', async () => {
  const f = await fake();
  const c = client(f);
  await c.connect();
  const got: [number, number][] = [];
  const failed: Error[] = [];
  const si = c.addSink({
    reply(token, retval) {
      got.push([token, retval]);
      if (token === 1) sendRoute(c, si, 2);
    },
    fail(_token, err) {
      failed.push(err);
    },
  });
  const polled: number[] = [];
  f.on('ip_route_add_del', (r, conn) => {
    const b = Buffer.alloc(14);
    b.writeUInt16BE(f.idOf('ip_route_add_del_reply'), 0);
    b.writeUInt32BE(r.ctx, 2);
    b.writeInt32BE(0, 6);
    const framed = frameBytes(b);
    conn.sock.write(framed.subarray(0, 11)); // part of the header
    polled.push(c.pollReplies());
    setTimeout(() => conn.sock.write(framed.subarray(11)), 10);
  });
  sendRoute(c, si, 1);
  await until(() => got.length === 2);
  await sleep(20);
  assert.equal(polled, [11, 11]);
  assert.equal(got, [[1, 0], [2, 0]]);
  assert.equal(failed, []);
  assert.is(c.counters.unmatched, 0);
});

test('fence: control_ping resolves only after every earlier request was answered', async () => {
  const f = await fake();
  const answered: number[] = [];
  let received = 0;
  f.on('ip_route_add_del', (r, conn) => {
    received++;
    setTimeout(() => {
      answered.push(r.ctx);
      conn.reply('ip_route_add_del_reply', r.ctx, 0, [0]);
    }, 20);
  });
  f.on('control_ping', (r, conn) => {
    // VPP answers in order: the ping reply must wait for the routes before it.
    const before = received;
    const t = setInterval(() => {
      if (answered.length >= before) {
        clearInterval(t);
        conn.pingReply(r.ctx);
      }
    }, 1);
  });
  const c = client(f, { window: 100 });
  await c.connect();
  const routes = sendRoutes(c, 50);
  await c.fence();
  assert.is(answered.length, 50);
  await routes;
});

test('retval names: VppApiError carries vnet/error.h names (-3 NO_SUCH_FIB, -52, -54)', async () => {
  const f = await fake();
  const rvs = [-3, -52, -54, 0, -999];
  let i = 0;
  f.on('ip_route_add_del', (r, conn) => conn.reply('ip_route_add_del_reply', r.ctx, rvs[i++ % rvs.length], [0]));
  f.on('ip_table_add_del', (r, conn) => conn.reply('ip_table_add_del_reply', r.ctx, -3));
  const c = client(f);
  await c.connect();
  const res = await sendRoutes(c, 5);
  assert.equal(res, rvs);
  const e = await c.request('ip_table_add_del', { is_add: true, table: { table_id: 5 } }).catch((x) => x);
  assert.instance(e, VppApiError);
  assert.is((e as VppApiError).code, 'NO_SUCH_FIB');
  assert.match((e as VppApiError).message, 'ip_table_add_del: NO_SUCH_FIB (-3)');
  assert.is(new VppApiError('ip_route_add_del', -52).code, 'NO_PATHS_IN_ROUTE');
  assert.is(new VppApiError('ip_route_add_del', -54).code, 'NO_MATCHING_INTERFACE');
  assert.is(new VppApiError('x', -999).code, 'RETVAL_-999');
  assert.is(c.counters.errors, 5);
});

test('timeout: a request VPP never answers fails with VppTimeoutError; a dropped one before an answered one fails at once', async () => {
  const f = await fake();
  let n = 0;
  f.on('ip_route_add_del', (r, conn) => {
    n++;
    if (n === 2) return; // dropped, like a malformed message
    if (n === 4) return; // the last: nothing after it, so only the timeout can tell
    conn.reply('ip_route_add_del_reply', r.ctx, 0, [0]);
  });
  const c = client(f, { timeoutMs: 150, window: 10 });
  await c.connect();
  const t0 = Date.now();
  const res = await sendRoutes(c, 4);
  assert.is(res[0], 0);
  assert.instance(res[1], VppNoReplyError);
  assert.is(res[2], 0);
  assert.instance(res[3], VppTimeoutError);
  assert.ok(Date.now() - t0 >= 140);
  assert.is(c.counters.timeouts, 1);
  assert.is(c.counters.noReply, 1);
  // unknown request name (not in this VPP's table): no reply ever -> timeout through request()
  const e = await c.request('ip_route_lookup', { table_id: 0, exact: 1, prefix: { address: { af: 0 }, len: 0 } }).catch((x) => x);
  assert.instance(e, VppTimeoutError);
});

test('dumps: details stream ends at the control_ping reply with the same context', async () => {
  const f = await fake();
  f.on('ip_table_dump', (r, conn) => {
    for (const id of [0, 1001, 4242]) {
      // ip_table_details: context@2, table {table_id@6, is_ip6@10, name[64]@11}
      const b = Buffer.alloc(75);
      b.writeUInt16BE(f.idOf('ip_table_details'), 0);
      b.writeUInt32BE(r.ctx, 2);
      b.writeUInt32BE(id, 6);
      b.write(`t${id}`, 11);
      conn.send(b);
    }
  });
  f.on('control_ping', (r, conn) => conn.pingReply(r.ctx));
  const c = client(f);
  await c.connect();
  const rows = await c.dump('ip_table_dump');
  assert.equal(rows.map((x) => (x.table as Record<string, unknown>).table_id), [0, 1001, 4242]);
  assert.equal(rows.map((x) => (x.table as Record<string, unknown>).name), ['t0', 't1001', 't4242']);
  const dumpReq = f.log.filter((r) => r.name === 'ip_table_dump')[0];
  const ping = f.log.filter((r) => r.name === 'control_ping' && r.ctx === dumpReq.ctx);
  assert.is(ping.length, 1, 'ping shares the dump context');
});

test('events and keepalive: sw_interface_event without context; memclnt_keepalive answered', async () => {
  const f = await fake();
  const c = client(f);
  await c.connect();
  await c.wantInterfaceEvents();
  const events: [number, number, boolean][] = [];
  c.on('interface', (sw: number, flags: number, deleted: boolean) => events.push([sw, flags, deleted]));
  const conn = f.conns[0];
  // sw_interface_event: client_index@2 pid@6 sw_if_index@10 flags@14 deleted@18
  const ev = Buffer.alloc(19);
  ev.writeUInt16BE(f.idOf('sw_interface_event'), 0);
  ev.writeUInt32BE(c.clientIndex, 2);
  ev.writeUInt32BE(process.pid, 6);
  ev.writeUInt32BE(3, 10);
  ev.writeUInt32BE(1, 14);
  conn.send(ev);
  // memclnt_keepalive {id 21, client_index, context}
  const ka = Buffer.alloc(10);
  ka.writeUInt16BE(21, 0);
  ka.writeUInt32BE(c.clientIndex, 2);
  ka.writeUInt32BE(0xabcd, 6);
  conn.send(ka);
  let kaReply: Buffer | null = null;
  conn.sock.on('data', (d) => {
    if (d.length >= 26 && d.readUInt16BE(16) === 22) kaReply = d.subarray(16, 26);
  });
  await until(() => events.length === 1 && kaReply !== null);
  assert.equal(events[0], [3, 1, false]);
  assert.is(kaReply!.readUInt32BE(2), 0xabcd);
  assert.is(kaReply!.readInt32BE(6), 0);
  assert.ok(f.log.some((r) => r.name === 'want_interface_events'));
});

test('reconnect: socket closed -> in-flight fail, backoff, new VPP with other ids -> table re-read, events re-subscribed', async () => {
  const f1 = await fake({ base: 100, vpePid: 1111 });
  const dir = f1.dir;
  const c = client(f1, { backoffMinMs: 20, backoffMaxMs: 40 });
  await c.connect();
  await c.wantInterfaceEvents();
  const oldId = c.ids.ip_route_add_del;
  f1.on('ip_route_add_del', () => {}); // never answered
  const pending = sendRoutes(c, 3);
  await until(() => f1.log.filter((r) => r.name === 'ip_route_add_del').length === 3);
  const connects: number[] = [];
  c.on('connect', (i: { vpePid: number; previousVpePid: number }) => connects.push(i.vpePid, i.previousVpePid));
  await f1.close();
  const res = await pending;
  assert.ok(res.every((x) => x instanceof Error && x.name === 'VppDisconnectedError'));
  // a new VPP on the same socket path, different ids
  await sleep(30);
  const f2 = await fake({ base: 900, vpePid: 2222 }, dir);
  f2.on('ip_route_add_del', (r, conn) => conn.reply('ip_route_add_del_reply', r.ctx, 0, [0]));
  await until(() => c.connected && connects.length === 2);
  assert.equal(connects, [2222, 1111]);
  assert.is.not(c.ids.ip_route_add_del, oldId);
  assert.is(c.ids.ip_route_add_del, f2.idOf('ip_route_add_del'));
  const again = await sendRoutes(c, 2);
  assert.equal(again, [0, 0]);
  assert.ok(f2.log.some((r) => r.name === 'want_interface_events'));
  assert.is(c.counters.disconnects, 1);
});

test('close: sockclnt_delete with our index', async () => {
  const f = await fake();
  const c = client(f);
  await c.connect();
  await c.close();
  const del = f.log.find((r) => r.name === 'sockclnt_delete');
  assert.ok(del);
  assert.is(del.body.readUInt32BE(10), f.clientIndex);
});

test.run();

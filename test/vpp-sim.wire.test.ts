// The VPP simulator on the wire: a raw socket client written here from LAYOUTS.md offsets checks framing, the message table, strictness, ordering, dumps, events, restart and omit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as net from 'net';
import { VppSimulator } from '../ts/vpp-sim';
import { loadDefs } from '../ts/vpp-sim/defs';

// ------------------------------------------------------------------ a raw client (offsets from vpp-api/LAYOUTS.md)

interface Msg {
  id: number;
  body: Buffer; // payload, starting with the u16 msg id
}

class Raw {
  sock!: net.Socket;
  private acc: Buffer = Buffer.alloc(0);
  msgs: Msg[] = [];
  closed = false;
  private waiters: (() => void)[] = [];
  handle = 0;
  ids = new Map<string, number>();
  tableBytes = 0;

  static async connect(path: string): Promise<Raw> {
    const r = new Raw();
    r.sock = net.createConnection(path);
    await new Promise<void>((res, rej) => {
      r.sock.once('connect', () => res());
      r.sock.once('error', rej);
    });
    r.sock.on('data', (d: Buffer) => {
      r.acc = Buffer.concat([r.acc, d]);
      while (r.acc.length >= 16) {
        const len = r.acc.readUInt32BE(8);
        if (r.acc.length < 16 + len) break;
        const body = Buffer.from(r.acc.subarray(16, 16 + len));
        r.msgs.push({ id: body.readUInt16BE(0), body });
        r.acc = r.acc.subarray(16 + len);
      }
      r.wake();
    });
    r.sock.on('close', () => {
      r.closed = true;
      r.wake();
    });
    r.sock.on('error', () => undefined);
    return r;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits until `pred` holds (checked on every arrival) or times out. */
  async until(pred: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
    const end = Date.now() + ms;
    while (!pred()) {
      const left = end - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((res) => {
        const t = setTimeout(res, left);
        this.waiters.push(() => {
          clearTimeout(t);
          res();
        });
      });
    }
  }

  /** Frames payloads with the 16-byte header (q = 0, data_len BE, gc_mark_timestamp = 0) and writes them at once. */
  send(...payloads: Buffer[]): void {
    const parts: Buffer[] = [];
    for (const p of payloads) {
      const h = Buffer.alloc(16);
      h.writeUInt32BE(p.length, 8);
      parts.push(h, p);
    }
    this.sock.write(Buffer.concat(parts));
  }

  id(nameCrc: string): number {
    const id = this.ids.get(nameCrc);
    if (id === undefined) throw new Error(`${nameCrc} not in the message table`);
    return id;
  }

  /** sockclnt_create (id 15): context @2, name[64] @6; reply (id 16): context @6, response @10, index @14, count @18, table @20 (66 B each). */
  async create(name = 'raw-test'): Promise<void> {
    const p = Buffer.alloc(70);
    p.writeUInt16BE(15, 0);
    p.writeUInt32BE(0xc0ffee, 2);
    p.write(name, 6);
    this.send(p);
    await this.until(() => this.msgs.some((m) => m.id === 16), 3000, 'sockclnt_create_reply');
    const m = this.take(16);
    assert.is(m.body.readUInt32BE(6), 0xc0ffee, 'context echoed');
    assert.is(m.body.readInt32BE(10), 0, 'response 0');
    this.handle = m.body.readUInt32BE(14);
    const count = m.body.readUInt16BE(18);
    this.tableBytes = m.body.length;
    for (let i = 0; i < count; i++) {
      const o = 20 + i * 66;
      const nul = m.body.indexOf(0, o + 2);
      this.ids.set(m.body.toString('latin1', o + 2, nul < 0 || nul > o + 66 ? o + 66 : nul), m.body.readUInt16BE(o));
    }
  }

  take(id: number): Msg {
    const i = this.msgs.findIndex((m) => m.id === id);
    if (i < 0) throw new Error(`no message with id ${id}`);
    return this.msgs.splice(i, 1)[0];
  }

  /** A request header: msg id @0, client_index @2, context @6. */
  req(nameCrc: string, size: number, context: number, clientIndex = this.handle): Buffer {
    const b = Buffer.alloc(size);
    b.writeUInt16BE(this.id(nameCrc), 0);
    b.writeUInt32BE(clientIndex >>> 0, 2);
    b.writeUInt32BE(context, 6);
    return b;
  }

  ping(context: number, clientIndex = this.handle): Buffer {
    return this.req('control_ping_51077d14', 10, context, clientIndex);
  }

  close(): void {
    this.sock.destroy();
  }
}

// Message builders from LAYOUTS.md.
const PATH = 167;
interface P {
  sw?: number;
  table?: number;
  weight?: number;
  pref?: number;
  type?: number;
  flags?: number;
  proto?: number;
  nh?: number[];
  labels?: number[];
}
function fibPath(b: Buffer, off: number, p: P): void {
  b.writeUInt32BE((p.sw ?? 0xffffffff) >>> 0, off + 0);
  b.writeUInt32BE(p.table ?? 0, off + 4);
  b[off + 12] = p.weight ?? 1;
  b[off + 13] = p.pref ?? 0;
  b.writeUInt32BE(p.type ?? 0, off + 14);
  b.writeUInt32BE(p.flags ?? 0, off + 18);
  b.writeUInt32BE(p.proto ?? 0, off + 22);
  (p.nh ?? []).forEach((x, i) => (b[off + 26 + i] = x));
  const labels = p.labels ?? [];
  b[off + 54] = labels.length;
  labels.forEach((l, i) => b.writeUInt32BE(l, off + 55 + i * 7 + 1));
}
/** ip_route_add_del: is_add @10, is_multipath @11, table_id @12, stats_index @16, prefix @20 (af @20, addr @21, len @37), n_paths @38, paths @39. */
function routeAddDel(c: Raw, ctx: number, o: { add?: boolean; mp?: boolean; table?: number; v4: number[]; len: number; paths: P[]; nPaths?: number; cut?: number }): Buffer {
  const b = c.req('ip_route_add_del_b8ecfe0d', 39 + o.paths.length * PATH, ctx);
  b[10] = o.add === false ? 0 : 1;
  b[11] = o.mp ? 1 : 0;
  b.writeUInt32BE(o.table ?? 0, 12);
  b[20] = 0;
  o.v4.forEach((x, i) => (b[21 + i] = x));
  b[37] = o.len;
  b[38] = o.nPaths ?? o.paths.length;
  o.paths.forEach((p, i) => fibPath(b, 39 + i * PATH, p));
  return o.cut ? b.subarray(0, b.length - o.cut) : b;
}
/** ip_route_add_del_reply: context @2, retval @6, stats_index @10. */
function rv(m: Msg): [number, number] {
  return [m.body.readUInt32BE(2), m.body.readInt32BE(6)];
}

let sim: VppSimulator;

test.before(async () => {
  sim = await VppSimulator.start({ seed: 4242 });
});

test.after(async () => {
  await sim?.stop();
});

test('connect: sockclnt_create gets the handle (bit 31), the whole table (reassembled) and memclnt fixed ids', async () => {
  const c = await Raw.connect(sim.apiSocket);
  await c.create();
  assert.ok((c.handle & 0x80000000) !== 0, 'index has bit 31 set');
  assert.ok(c.ids.size > 700, `about 800 entries, got ${c.ids.size}`);
  assert.ok(c.tableBytes > 50_000, `~53 KB, got ${c.tableBytes}`);
  assert.is(c.id('get_first_msg_id_ebf79a66'), 10);
  assert.is(c.id('api_versions_51077d14'), 12);
  assert.is(c.id('sockclnt_create_455fb9c4'), 15);
  assert.is(c.id('sockclnt_create_reply_35166268'), 16);
  assert.is(c.id('sockclnt_delete_8ac76db6'), 17);
  assert.is(c.id('memclnt_keepalive_51077d14'), 21);
  assert.is(c.id('control_ping_51077d14'), 23);
  assert.is(c.id('control_ping_reply_f6b0b8ca'), 24);
  assert.ok(c.ids.has('ip_route_add_del_b8ecfe0d') && c.ids.has('lcp_itf_pair_get_f75ba505') && c.ids.has('vxlan_add_del_tunnel_v3_0072b037'));
  c.close();
});

test('ids differ between starts (and repeat for the same seed)', async () => {
  const other = await VppSimulator.start();
  const again = await VppSimulator.start({ seed: 4242 });
  try {
    const [a, b, a2] = await Promise.all([sim.ids(), other.ids(), again.ids()]);
    const names = ['ip_route_add_del_b8ecfe0d', 'ip_table_add_del_0ffdaec0', 'sw_interface_dump_aa610c27', 'mpls_route_add_del_8e1d1e07', 'lcp_itf_pair_get_f75ba505'];
    assert.not.equal(names.map((n) => a[n]), names.map((n) => b[n]), 'a new start moves the ids');
    assert.equal(names.map((n) => a[n]), names.map((n) => a2[n]), 'the same seed gives the same ids');
    assert.is(a.control_ping_51077d14, b.control_ping_51077d14, 'memclnt ids are fixed');
  } finally {
    await other.stop();
    await again.stop();
  }
});

test('an unknown id gets no reply and a logged error', async () => {
  const c = await Raw.connect(sim.apiSocket);
  await c.create();
  await sim.log(true);
  const before = (await sim.counters()).protocol.unknownId;
  const bogus = Buffer.alloc(10);
  bogus.writeUInt16BE(65000, 0);
  bogus.writeUInt32BE(c.handle, 2);
  c.send(bogus, c.ping(77));
  await c.until(() => c.msgs.length >= 1, 3000, 'ping reply');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(c.msgs.map((m) => m.id), [24], 'only the ping reply');
  assert.is(c.msgs[0].body.readUInt32BE(2), 77);
  assert.ok((await sim.log()).some((l) => l.includes('no handler for msg id 65000')));
  assert.is((await sim.counters()).protocol.unknownId, before + 1);
  // A reply id sent by a client has no handler either.
  const reply = Buffer.alloc(10);
  reply.writeUInt16BE(24, 0);
  c.send(reply);
  await c.until(() => false, 100).catch(() => undefined);
  assert.ok((await sim.log()).some((l) => l.includes('no handler for msg id 24')));
  c.close();
});

test('a message shorter than its computed size (fixed part + VLA) is dropped and logged', async () => {
  const c = await Raw.connect(sim.apiSocket);
  await c.create();
  await sim.log(true);
  const nh = [192, 168, 1, 1];
  // n_paths says 2, one path follows.
  const short = routeAddDel(c, 5, { v4: [10, 77, 0, 0], len: 16, paths: [{ sw: 1, nh }, { sw: 1, nh }], cut: PATH });
  c.send(short, routeAddDel(c, 6, { v4: [10, 77, 0, 0], len: 16, paths: [{ sw: 1, nh }], cut: 1 }), c.ping(7));
  await c.until(() => c.msgs.length >= 1, 3000, 'ping reply');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(c.msgs.map((m) => m.id), [24]);
  const log = await sim.log();
  assert.is(log.filter((l) => l.includes("Truncated message 'ip_route_add_del'")).length, 2, log.join('\n'));
  assert.is((await sim.lookup(0, '10.77.0.0/16')).action, 'drop', 'nothing was programmed');
  c.close();
});

test('a request with an invalid client_index is ignored', async () => {
  const c = await Raw.connect(sim.apiSocket);
  await c.create();
  const before = (await sim.counters()).protocol.badClientIndex;
  c.send(c.ping(1, 0x80000063), c.ping(2, 0), c.ping(3));
  await c.until(() => c.msgs.length >= 1, 3000, 'ping reply');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(c.msgs.map((m) => m.body.readUInt32BE(2)), [3]);
  assert.is((await sim.counters()).protocol.badClientIndex, before + 2);
  c.close();
});

test('pipelined requests are answered in request order with VPP retvals', async () => {
  const c = await Raw.connect(sim.apiSocket);
  await c.create();
  const reqs: Buffer[] = [];
  const want: [number, number][] = [];
  for (let i = 0; i < 600; i++) {
    const kind = i % 4;
    if (kind === 0) {
      reqs.push(routeAddDel(c, 1000 + i, { v4: [20, i >> 8, i & 255, 0], len: 24, paths: [{ sw: 1, nh: [192, 168, 1, 1] }] }));
      want.push([1000 + i, 0]);
    } else if (kind === 1) {
      reqs.push(routeAddDel(c, 1000 + i, { table: 77, v4: [20, 0, i & 255, 0], len: 24, paths: [{ sw: 1, nh: [192, 168, 1, 1] }] }));
      want.push([1000 + i, -3]); // NO_SUCH_FIB
    } else if (kind === 2) {
      reqs.push(routeAddDel(c, 1000 + i, { v4: [20, 9, i & 255, 0], len: 24, paths: [] }));
      want.push([1000 + i, -52]); // NO_PATHS_IN_ROUTE
    } else {
      reqs.push(routeAddDel(c, 1000 + i, { v4: [20, 9, i & 255, 0], len: 24, paths: [{ sw: 999, nh: [1, 1, 1, 1] }] }));
      want.push([1000 + i, -54]); // NO_MATCHING_INTERFACE
    }
  }
  const replyId = c.id('ip_route_add_del_reply_1992deab');
  c.send(...reqs, c.ping(9999));
  await c.until(() => c.msgs.some((m) => m.id === 24), 5000, 'ping reply');
  assert.is(c.msgs.length, 601);
  assert.ok(c.msgs.slice(0, 600).every((m) => m.id === replyId));
  assert.equal(c.msgs.slice(0, 600).map(rv), want);
  assert.is(c.msgs[600].body.readUInt32BE(2), 9999, 'the fence comes last');
  assert.is((await sim.lookup(0, '20.1.4.9')).legs[0].nh, '192.168.1.1');
  c.close();
});

test('dump + ping: ip_route_v2_dump streams every entry (specials included) before the ping reply', async () => {
  const c = await Raw.connect(sim.apiSocket);
  await c.create();
  // ip_table_add_del: is_add @10, table_id @11, is_ip6 @15, name @16.
  const t = c.req('ip_table_add_del_0ffdaec0', 80, 1);
  t[10] = 1;
  t.writeUInt32BE(55, 11);
  t.write('dump-test', 16);
  c.send(t, routeAddDel(c, 2, { table: 55, v4: [30, 0, 0, 0], len: 8, paths: [{ sw: 2, nh: [192, 168, 2, 1], weight: 0, labels: [100, 200] }] }));
  c.send(routeAddDel(c, 3, { table: 55, v4: [30, 1, 0, 0], len: 16, paths: [{ sw: 1, nh: [192, 168, 1, 1], pref: 0 }, { sw: 2, nh: [192, 168, 2, 1], pref: 1 }] }));
  await c.until(() => c.msgs.length === 3, 3000, 'replies');
  assert.equal(c.msgs.map((m) => m.body.readInt32BE(6)), [0, 0, 0]);
  c.msgs = [];
  // ip_route_v2_dump: src @10, table_id @11, is_ip6 @15.
  const d = c.req('ip_route_v2_dump_d16f72e6', 80, 42);
  d.writeUInt32BE(55, 11);
  c.send(d, c.ping(42));
  await c.until(() => c.msgs.some((m) => m.id === 24), 3000, 'ping reply');
  const det = c.id('ip_route_v2_details_b09aa6c0');
  const details = c.msgs.slice(0, -1);
  assert.ok(details.every((m) => m.id === det && m.body.readUInt32BE(2) === 42));
  assert.is(c.msgs[c.msgs.length - 1].id, 24);
  // ip_route_v2_details: table_id @6, prefix af @14, addr @15, len @31, n_paths @32, src @33, paths @34.
  const byPfx = new Map(details.map((m) => [`${m.body.subarray(15, 19).join('.')}/${m.body[31]}`, m.body]));
  assert.equal([...byPfx.keys()].sort(), ['0.0.0.0/0', '0.0.0.0/32', '224.0.0.0/4', '240.0.0.0/4', '255.255.255.255/32', '30.0.0.0/8', '30.1.0.0/16']);
  const r = byPfx.get('30.0.0.0/8') as Buffer;
  assert.is(r.readUInt32BE(6), 55);
  assert.is(r[32], 1);
  assert.is(r[33], 8, 'src: FIB_SOURCE_API');
  const p = 34;
  assert.is(r.readUInt32BE(p), 2, 'sw_if_index');
  assert.is(r[p + 12], 1, 'weight 0 reads back as 1');
  assert.equal([...r.subarray(p + 26, p + 30)], [192, 168, 2, 1]);
  assert.is(r[p + 54], 2, 'n_labels');
  assert.equal([r.readUInt32BE(p + 56), r.readUInt32BE(p + 63)], [100, 200]);
  const two = byPfx.get('30.1.0.0/16') as Buffer;
  assert.is(two[32], 2);
  assert.equal([two[p + 13], two[p + PATH + 13]], [0, 1], 'paths sorted by preference');
  assert.is((byPfx.get('0.0.0.0/0') as Buffer)[33], 20, 'the default route is the default-route source');
  assert.is((byPfx.get('0.0.0.0/0') as Buffer).readUInt32BE(p + 14), 2, 'a DROP path');
  // A dump of a table VPP does not have: nothing but the ping reply.
  c.msgs = [];
  const none = c.req('ip_route_v2_dump_d16f72e6', 80, 43);
  none.writeUInt32BE(56, 11);
  c.send(none, c.ping(43));
  await c.until(() => c.msgs.some((m) => m.id === 24), 3000, 'ping reply');
  assert.is(c.msgs.length, 1);
  c.close();
});

test('interface events: want_interface_events then setInterface; preference failover follows', async () => {
  const c = await Raw.connect(sim.apiSocket);
  await c.create();
  // want_interface_events: enable_disable @10, pid @14.
  const w = c.req('want_interface_events_476f5a08', 18, 5);
  w.writeUInt32BE(1, 10);
  w.writeUInt32BE(4321, 14);
  c.send(w);
  await c.until(() => c.msgs.length === 1, 3000, 'reply');
  assert.is(c.msgs[0].body.readInt32BE(6), 0);
  c.send(w);
  await c.until(() => c.msgs.length === 2, 3000, 'reply');
  assert.is(c.msgs[1].body.readInt32BE(6), -31, 'enabling twice is INVALID_REGISTRATION');
  c.msgs = [];
  c.send(routeAddDel(c, 6, { v4: [40, 0, 0, 0], len: 8, paths: [{ sw: 1, nh: [192, 168, 1, 1], pref: 0 }, { sw: 2, nh: [192, 168, 2, 1], pref: 1 }] }));
  await c.until(() => c.msgs.length === 1, 3000, 'reply');
  c.msgs = [];
  assert.is((await sim.lookup(0, '40.1.1.1')).legs[0].swIfIndex, 1);
  const ev = c.id('sw_interface_event_2d3d95a7');
  assert.ok(await sim.setInterface(1, false));
  await c.until(() => c.msgs.some((m) => m.id === ev), 3000, 'event');
  // sw_interface_event: client_index @2, pid @6, sw_if_index @10, flags @14, deleted @18.
  const e = c.take(ev).body;
  assert.equal([e.readUInt32BE(6), e.readUInt32BE(10), e.readUInt32BE(14), e[18]], [4321, 1, 0, 0]);
  assert.is((await sim.lookup(0, '40.1.1.1')).legs[0].swIfIndex, 2, 'the backup forwards');
  await sim.setInterface(1, true);
  await c.until(() => c.msgs.some((m) => m.id === ev), 3000, 'event');
  assert.is(c.take(ev).body.readUInt32BE(14), 3, 'admin and link up');
  assert.is((await sim.lookup(0, '40.1.1.1')).legs[0].swIfIndex, 1);
  c.close();
});

test('sw_interface_dump and lcp_itf_pair_get list interfaces and linux-cp pairs', async () => {
  const c = await Raw.connect(sim.apiSocket);
  await c.create();
  // sw_interface_dump: sw_if_index @10 (~0 = all), name_filter_valid @14, name_filter (u32 len + bytes) @15.
  const d = c.req('sw_interface_dump_aa610c27', 19, 8);
  d.writeUInt32BE(0xffffffff, 10);
  c.send(d, c.ping(8));
  await c.until(() => c.msgs.some((m) => m.id === 24), 3000, 'ping reply');
  // sw_interface_details: sw_if_index @6, flags @20, interface_name @103.
  const names = c.msgs.slice(0, -1).map((m) => [m.body.readUInt32BE(6), m.body.toString('latin1', 103, m.body.indexOf(0, 103))]);
  assert.equal(names.slice(0, 3), [
    [0, 'local0'],
    [1, 'GigabitEthernet0/8/0'],
    [2, 'GigabitEthernet0/9/0'],
  ]);
  c.msgs = [];
  c.send(c.req('lcp_itf_pair_get_f75ba505', 14, 9));
  const reply = c.id('lcp_itf_pair_get_reply_53b48f5d');
  await c.until(() => c.msgs.some((m) => m.id === reply), 3000, 'lcp reply');
  // lcp_itf_pair_details: phy_sw_if_index @6, host_sw_if_index @10, vif_index @14, host_if_name[16] @18.
  const pairs = c.msgs.slice(0, -1).map((m) => [m.body.readUInt32BE(6), m.body.readUInt32BE(14), m.body.toString('latin1', 18, m.body.indexOf(0, 18))]);
  assert.equal(pairs, [
    [1, 2, 'e0'],
    [2, 3, 'e1'],
  ]);
  const r = c.msgs[c.msgs.length - 1].body;
  assert.equal([r.readInt32BE(6), r.readUInt32BE(10)], [0, 0xffffffff], 'retval 0, cursor ~0: done');
  c.close();
});

test('keepalive, get_first_msg_id, sockclnt_delete (response 1, then close)', async () => {
  const c = await Raw.connect(sim.apiSocket);
  await c.create();
  c.send(c.req('memclnt_keepalive_51077d14', 10, 1));
  await c.until(() => c.msgs.length === 1, 3000, 'keepalive reply');
  assert.is(c.msgs[0].id, 22);
  const g = c.req('get_first_msg_id_ebf79a66', 74, 2);
  g.write('memclnt_b197c551', 10);
  c.send(g);
  await c.until(() => c.msgs.length === 2, 3000, 'get_first_msg_id reply');
  assert.equal([c.msgs[1].id, c.msgs[1].body.readInt32BE(6), c.msgs[1].body.readUInt16BE(10)], [11, 0, 1]);
  // sockclnt_delete: index @10.
  const del = c.req('sockclnt_delete_8ac76db6', 14, 3);
  del.writeUInt32BE(c.handle, 10);
  c.send(del);
  await c.until(() => c.closed, 3000, 'close');
  const r = c.msgs.find((m) => m.id === 18);
  assert.ok(r, 'the reply came before the close');
  assert.is(r?.body.readInt32BE(6), 1);
});

test('dropSocket closes clients; setDelay slows answers down', async () => {
  const c = await Raw.connect(sim.apiSocket);
  await c.create();
  assert.ok((await sim.dropSocket()) >= 1);
  await c.until(() => c.closed, 3000, 'close');
  const d = await Raw.connect(sim.apiSocket);
  await d.create();
  await sim.setDelay(3000);
  const t0 = Date.now();
  d.send(...Array.from({ length: 20 }, (_, i) => d.ping(i)));
  await d.until(() => d.msgs.length === 20, 5000, 'pings');
  const ms = Date.now() - t0;
  await sim.setDelay(0);
  assert.ok(ms >= 45, `20 messages at 3 ms each took ${ms} ms`);
  assert.equal(d.msgs.map((m) => m.body.readUInt32BE(2)), Array.from({ length: 20 }, (_, i) => i));
  d.close();
});

test('restart: a new instance with new ids and an empty FIB; old connections are closed', async () => {
  const s = await VppSimulator.start({ seed: 7 });
  try {
    const c = await Raw.connect(s.apiSocket);
    await c.create();
    c.send(routeAddDel(c, 1, { v4: [50, 0, 0, 0], len: 8, paths: [{ sw: 1, nh: [192, 168, 1, 1] }] }));
    await c.until(() => c.msgs.length === 1, 3000, 'reply');
    assert.is((await s.fibDump()).length, 1);
    const oldId = c.id('ip_route_add_del_b8ecfe0d');
    await s.restart({ empty: true });
    await c.until(() => c.closed, 3000, 'close');
    assert.is((await s.fibDump()).length, 0);
    const d = await Raw.connect(s.apiSocket);
    await d.create();
    assert.not.equal(d.id('ip_route_add_del_b8ecfe0d'), oldId);
    // The old id now names another message or none: a client that kept it gets no route reply.
    const stale = routeAddDel(d, 2, { v4: [50, 0, 0, 0], len: 8, paths: [{ sw: 1, nh: [192, 168, 1, 1] }] });
    stale.writeUInt16BE(oldId, 0);
    d.send(stale, d.ping(3));
    await d.until(() => d.msgs.some((m) => m.id === 24), 3000, 'ping');
    assert.not.ok(d.msgs.some((m) => m.id === d.id('ip_route_add_del_reply_1992deab')));
    assert.is((await s.fibDump()).length, 0);
    d.close();
  } finally {
    await s.stop();
  }
});

test('omit: a left-out message is absent from the table and unhandled', async () => {
  const s = await VppSimulator.start({ omit: ['ip_route_add_del_b8ecfe0d'] });
  try {
    const c = await Raw.connect(s.apiSocket);
    await c.create();
    assert.not.ok(c.ids.has('ip_route_add_del_b8ecfe0d'));
    assert.ok(c.ids.has('ip_route_add_del_v2_521ef330'));
    assert.ok(c.ids.has('ip_route_add_del_reply_1992deab'));
    c.close();
  } finally {
    await s.stop();
  }
});

test('every modelled request, sent zeroed, is answered and the simulator survives', async () => {
  const s = await VppSimulator.start();
  try {
    const defs = loadDefs();
    const c = await Raw.connect(s.apiSocket);
    await c.create();
    const names = (await s.modelled()).filter((n) => n !== 'sockclnt_create' && n !== 'sockclnt_delete');
    assert.ok(names.length >= 40, `${names.length} modelled`);
    let ctx = 1;
    for (const n of names) {
      const m = defs.messages.get(n);
      assert.ok(m, n);
      if (!m) continue;
      const sent = ctx++;
      c.send(c.req(m.nameCrc, m.size, sent), c.ping(ctx));
      const want = ctx++;
      await c.until(() => c.msgs.some((x) => x.id === 24 && x.body.readUInt32BE(2) === want), 3000, `ping after ${n}`);
      const answers = c.msgs.filter((x) => !(x.id === 24 && x.body.readUInt32BE(2) === want));
      const reply = defs.messages.get(`${n}_reply`);
      if (n === 'memclnt_keepalive_reply') assert.is(answers.length, 0, n);
      else if (reply) {
        const last = answers[answers.length - 1];
        assert.ok(last, `${n} answered`);
        assert.is(last.id, c.id(reply.nameCrc), `${n}: its reply comes last`);
        assert.is(last.body.readUInt32BE(2), sent, `${n}: context echoed`);
      } else assert.ok(answers.every((x) => x.body.readUInt32BE(2) === sent), `${n}: details carry the dump's context`);
      c.msgs = [];
    }
    const counters = await s.counters();
    assert.is(counters.protocol.handlerErrors, 0, (await s.log()).filter((l) => l.startsWith('BUG')).join('\n'));
    assert.is(counters.protocol.unknownId + counters.protocol.truncated, 0);
    c.close();
  } finally {
    await s.stop();
  }
});

test.run();

// The encoder reproduces zebra 8.4.4's FPM bytes: every fixture re-encoded frame by frame from what the decoder reads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDecoder } from '../ts/codec/decoder';
import { createBatch, Kind } from '../ts/codec/layout';
import { DecodedMessage, messageFromRow } from '../ts/codec/format';
import {
  AF_INET,
  AF_INET6,
  AF_MPLS,
  AF_UNSPEC,
  AnyMsg,
  encodeMessage,
  encodeRouteNexthopAttrs,
  FpmEncoder,
  NLM_F_REQUEST,
  RTM_F_OFFLOAD,
  RTM_F_OFFLOAD_FAILED,
  RTN_BLACKHOLE,
  RTN_UNICAST,
  RTPROT_BGP,
  RTPROT_ZEBRA,
  ZEBRA_ROUTE_METRIC,
} from '../ts/codec/encoder';
import { fixtureNames, readFixture, zeroPadding } from './helpers/fixtures';

const READBACK = /readback-to-zebra$/;

function decodeAll(buf: Uint8Array) {
  const d = createDecoder('ts', createBatch({ rows: 65536, paths: 65536, groups: 65536, labels: 65536 }));
  d.decode(buf, 0, buf.length);
  const b = d.batch;
  assert.is(b.meta[4], buf.length, 'whole capture decoded in one call');
  assert.is(b.meta[5], 0, 'no stream error');
  return b;
}

/** Messages of one fixture grouped by frame, with each message's nlmsg_pid (not a batch column). */
function framesOf(name: string): { off: number; len: number; msgs: (DecodedMessage & { pid: number })[] }[] {
  const c = readFixture(name);
  const b = decodeAll(c);
  const out: { off: number; len: number; msgs: (DecodedMessage & { pid: number })[] }[] = [];
  for (let i = 0; i < b.meta[0]; i++) {
    assert.is(b.err[i], 0, `${name}: row ${i} decodes without error`);
    const off = b.frameOff[i];
    if (out.length === 0 || out[out.length - 1].off !== off) out.push({ off, len: c.readUInt16BE(off + 2), msgs: [] });
    out[out.length - 1].msgs.push({ ...messageFromRow(b, i, c), pid: c.readUInt32LE(b.msgOff[i] + 12) });
  }
  return out;
}

function encodeFrame(msgs: readonly AnyMsg[]): Buffer {
  const e = new FpmEncoder();
  e.beginFrame();
  for (const m of msgs) encodeMessage(e, m);
  e.endFrame();
  return e.toBuffer();
}

/**
 * The fields a caller may leave out because the encoder's default is what zebra 8.4.4 sends:
 * nlmsg flags (REQUEST|CREATE, +REPLACE on IPv4/MPLS installs and nexthop installs, REQUEST only
 * on neighbour deletes), seq 0, metric 20 on IP routes and none on LSPs, table 254, rtm_type
 * unicast on installs and 0 on deletes, nh_protocol zebra (0 on deletes), nexthop family from
 * the gateway (AF_UNSPEC for groups and deletes), and the remote-MAC ndmsg fields.
 */
function withZebraDefaults(m: DecodedMessage): AnyMsg {
  const o = { ...m } as Record<string, unknown>;
  delete o.nlFlags;
  if (o.seq === 0) delete o.seq;
  const drop = (k: string, v: unknown) => {
    if (o[k] === v) delete o[k];
  };
  if (m.kind === 'route') {
    drop('priority', m.family === AF_MPLS ? null : ZEBRA_ROUTE_METRIC);
    drop('table', 254);
    drop('rtype', m.del ? 0 : RTN_UNICAST);
    drop('scope', 0);
    drop('flags', 0);
    drop('del', false);
  } else if (m.kind === 'nexthop') {
    drop('protocol', m.del ? 0 : RTPROT_ZEBRA);
    const gwFamily = typeof m.gateway === 'string' ? (m.gateway.includes(':') ? AF_INET6 : AF_INET) : AF_INET;
    drop('family', m.del || m.group !== undefined ? AF_UNSPEC : gwFamily);
    drop('scope', 0);
    drop('flags', 0);
    drop('del', false);
  } else if (m.kind === 'neigh') {
    drop('family', 7);
    drop('state', 0x02);
    drop('flags', 0x16);
    drop('ntype', 0);
    drop('protocol', RTPROT_ZEBRA);
    drop('pid', 0);
    drop('del', false);
  }
  return o as unknown as AnyMsg;
}

test('fixtures hold stale bytes in attribute padding only where zebra wrote 2- or 6-byte attributes (mpls-*)', () => {
  for (const name of fixtureNames()) {
    const c = readFixture(name);
    const z = zeroPadding(c);
    if (name.startsWith('mpls-')) assert.not.equal(z, c, `${name} has non-zero padding`);
    else assert.ok(z.equals(c), `${name}: all padding already zero`);
  }
});

test('every fixture re-encodes frame by frame to the same bytes (padding zeroed)', () => {
  let total = 0;
  for (const name of fixtureNames()) {
    const want = zeroPadding(readFixture(name));
    let covered = 0;
    for (const f of framesOf(name)) {
      const got = encodeFrame(f.msgs as AnyMsg[]);
      const exp = want.subarray(f.off, f.off + f.len);
      if (!got.equals(exp)) {
        assert.fixture(got.toString('hex'), exp.toString('hex'), `${name}: frame at byte ${f.off}`);
      }
      covered += f.len;
      total++;
    }
    assert.is(covered, want.length, `${name}: frames cover the file`);
  }
  assert.ok(total > 15000, `${total} frames`);
});

test("zebra's defaults: re-encoding with only the fields that vary gives the same bytes", () => {
  for (const name of fixtureNames()) {
    // readback-to-zebra holds frames fibpush's side writes (NLM_F_REQUEST only): not zebra's defaults
    if (READBACK.test(name)) continue;
    const want = zeroPadding(readFixture(name));
    for (const f of framesOf(name)) {
      const got = encodeFrame(f.msgs.map(withZebraDefaults));
      if (!got.equals(want.subarray(f.off, f.off + f.len))) {
        assert.fixture(got.toString('hex'), want.subarray(f.off, f.off + f.len).toString('hex'), `${name}: frame at byte ${f.off}`);
      }
    }
  }
});

test('offload(): the notification carries family, dst, length, table, protocol, type and the offload flag', () => {
  for (const name of ['static-nhg-readback-to-zebra', 'static-nonhg-readback-to-zebra']) {
    for (const f of framesOf(name)) {
      const m = f.msgs[0];
      if (m.kind !== 'route') throw new Error('readback frames hold routes');
      assert.is(m.flags, RTM_F_OFFLOAD);
      assert.is(m.nlFlags, NLM_F_REQUEST);
      for (const failed of [false, true]) {
        const e = new FpmEncoder({ pid: f.msgs[0].pid });
        e.offload({ family: m.family, dst: m.dst, dstLen: m.dstLen, table: m.table, protocol: m.protocol, rtype: m.rtype, failed });
        const bytes = e.toBuffer();
        // The fixture echoes zebra's whole route (RTA_PRIORITY, nexthop); the notification drops
        // what FRR 8.5's reader does not use: identical to the echo without those attributes.
        const echo = encodeFrame([
          { kind: 'route', family: m.family, dst: m.dst, dstLen: m.dstLen, table: m.table, protocol: m.protocol, rtype: m.rtype, priority: null, nlFlags: NLM_F_REQUEST, flags: failed ? RTM_F_OFFLOAD_FAILED : RTM_F_OFFLOAD, pid: f.msgs[0].pid },
        ]);
        assert.ok(bytes.equals(echo), `${name} @${f.off}`);
        const b = decodeAll(bytes);
        const back = messageFromRow(b, 0, bytes);
        assert.equal(back, { kind: 'route', del: false, family: m.family, dst: m.dst, dstLen: m.dstLen, table: m.table, protocol: m.protocol, rtype: m.rtype, scope: 0, flags: failed ? RTM_F_OFFLOAD_FAILED : RTM_F_OFFLOAD, priority: null, nlFlags: NLM_F_REQUEST, seq: 0 });
      }
    }
  }
});

test('offload(): a table >= 256 goes in RTA_TABLE with rtm_table 0', () => {
  const e = new FpmEncoder({ pid: 7 });
  e.offload({ family: AF_INET, dst: '10.99.110.0', dstLen: 24, table: 1001, protocol: 196 });
  const hex = e.toBuffer().toString('hex');
  // frame 4 | nlmsghdr: len 44, RTM_NEWROUTE, NLM_F_REQUEST, seq 0, pid 7 | rtmsg: inet /24, table 0,
  // proto 196, scope 0, unicast, RTM_F_OFFLOAD | RTA_DST 10.99.110.0 | RTA_TABLE 1001
  assert.is(hex, '0101' + '0030' + '2c000000' + '1800' + '0100' + '00000000' + '07000000' + '02180000' + '00c40001' + '00400000' + '08000100' + '0a636e00' + '08000f00' + 'e9030000');
});

test('done(): one frame, NLMSG_DONE with NLM_F_MULTI and a 4-byte zero payload', () => {
  const e = new FpmEncoder({ pid: 0x01020304 });
  e.done();
  assert.is(e.toBuffer().toString('hex'), '01010018' + '14000000' + '0300' + '0200' + '00000000' + '04030201' + '00000000');
  const b = decodeAll(e.toBuffer());
  assert.is(b.kind[0], Kind.Done);
});

test('NHA_FPM_BACKUP_NHG: u32 attribute 0x3F01 after the group (fpm-extensions.md section 1)', () => {
  const e = new FpmEncoder({ pid: 1 });
  e.nexthop({ id: 40, group: [{ id: 26, weight: 1 }, { id: 28, weight: 3 }], backupNhg: 41 });
  const buf = e.toBuffer();
  assert.is(
    buf.toString('hex'),
    '01010040' + '3c000000' + '6800' + '0105' + '00000000' + '01000000' + '00000b00' + '00000000' +
      '08000100' + '28000000' + '14000200' + '1a000000' + '00000000' + '1c000000' + '02000000' + '0800013f' + '29000000',
  );
  const b = decodeAll(buf);
  const m = messageFromRow(b, 0, buf);
  assert.equal(m, { kind: 'nexthop', del: false, id: 40, family: AF_UNSPEC, protocol: RTPROT_ZEBRA, scope: 0, flags: 0, nlFlags: 0x501, seq: 0, group: [{ id: 26, weight: 1 }, { id: 28, weight: 3 }], backupNhg: 41 });
});

test('NHA_FDB L2 nexthops in the kernel encoding: ID, FDB flag, then GATEWAY or GROUP', () => {
  const e = new FpmEncoder({ pid: 0 });
  e.nexthop({ id: 268435457, fdb: true, gateway: '10.99.31.2', protocol: RTPROT_BGP });
  e.nexthop({ id: 536870913, fdb: true, group: [{ id: 268435457 }, { id: 268435458 }], protocol: RTPROT_BGP });
  const buf = e.toBuffer();
  const single = buf.subarray(0, buf.readUInt16BE(2)).toString('hex');
  assert.is(single, '01010030' + '2c000000' + '6800' + '0105' + '00000000' + '00000000' + '0200ba00' + '00000000' + '08000100' + '01000010' + '04000b00' + '08000600' + '0a631f02');
  const b = decodeAll(buf);
  const a = messageFromRow(b, 0, buf);
  const g = messageFromRow(b, 1, buf);
  assert.equal(a, { kind: 'nexthop', del: false, id: 268435457, family: AF_INET, protocol: RTPROT_BGP, scope: 0, flags: 0, nlFlags: 0x501, seq: 0, gateway: '10.99.31.2', fdb: true });
  assert.equal(g, { kind: 'nexthop', del: false, id: 536870913, family: AF_UNSPEC, protocol: RTPROT_BGP, scope: 0, flags: 0, nlFlags: 0x501, seq: 0, fdb: true, group: [{ id: 268435457, weight: 1 }, { id: 268435458, weight: 1 }] });
});

test('remote MAC on an L2 NHG: PROTOCOL, LLADDR, NH_ID, VLAN, VNI, MASTER (netlink_neigh_update_msg_encode order)', () => {
  const e = new FpmEncoder();
  e.neigh({ ifindex: 4, lladdr: '02:99:00:00:02:01', nhId: 536870913, vlan: 100, vni: 10100, master: 3 });
  const buf = e.toBuffer();
  assert.is(
    buf.toString('hex'),
    '01010054' + '50000000' + '1c00' + '0105' + '00000000' + '00000000' + '07000000' + '04000000' + '02001600' +
      '05000c00' + '0b000000' + '0a000200' + '02990000' + '02010000' + '08000d00' + '01000020' + '06000500' + '64000000' + '08000700' + '74270000' + '08000900' + '03000000',
  );
  const b = decodeAll(buf);
  assert.equal(messageFromRow(b, 0, buf), { kind: 'neigh', del: false, family: 7, ifindex: 4, state: 2, flags: 0x16, ntype: 0, protocol: RTPROT_ZEBRA, nlFlags: 0x501, seq: 0, lladdr: '02:99:00:00:02:01', nhId: 536870913, vlan: 100, vni: 10100, master: 3 });
});

test('fast paths write the same bytes as the object API', () => {
  const v4 = Uint32Array.of(0x0a636400);
  const v6 = Uint32Array.of(0x20010db8, 0x00010000, 0, 0);
  for (const [family, words, dst, len] of [
    [AF_INET, v4, '10.99.100.0', 24],
    [AF_INET6, v6, '2001:db8:1::', 48],
  ] as const) {
    for (const table of [254, 100, 1001]) {
      const a = new FpmEncoder({ pid: 9 });
      a.routeNhgWords(family, words, 0, len, 77, RTPROT_BGP, table);
      const b = new FpmEncoder({ pid: 9 });
      b.route({ family, dst, dstLen: len, table, protocol: RTPROT_BGP, nhId: 77 });
      assert.ok(a.bytes().equals(b.bytes()), `nhg ${family} table ${table}`);

      const gw = family === AF_INET ? ['10.255.1.2', '10.255.2.2'] : ['fd00:255:1::2', 'fd00:255:2::2'];
      for (const paths of [[{ gateway: gw[0], oif: 2 }], [{ gateway: gw[0], oif: 2, weight: 25 }, { gateway: gw[1], oif: 3, weight: 75 }]]) {
        const c = new FpmEncoder({ pid: 9 });
        c.routeRawWords(family, words, 0, len, RTPROT_BGP, table, RTN_UNICAST, encodeRouteNexthopAttrs(family, paths));
        const d = new FpmEncoder({ pid: 9 });
        d.route(paths.length === 1 ? { family, dst, dstLen: len, table, protocol: RTPROT_BGP, ...paths[0] } : { family, dst, dstLen: len, table, protocol: RTPROT_BGP, paths });
        assert.ok(c.bytes().equals(d.bytes()), `inline ${family} table ${table} paths ${paths.length}`);
      }
      const f = new FpmEncoder({ pid: 9 });
      f.routeRawWords(family, words, 0, len, 196, table, RTN_BLACKHOLE, null);
      const g = new FpmEncoder({ pid: 9 });
      g.route({ family, dst, dstLen: len, table, protocol: 196, rtype: RTN_BLACKHOLE });
      assert.ok(f.bytes().equals(g.bytes()), `blackhole ${family} table ${table}`);
    }
  }
});

test('the buffer grows from a small start and a frame over 65535 bytes is refused', () => {
  const e = new FpmEncoder({ initialSize: 16 });
  for (let i = 0; i < 1000; i++) e.route({ family: AF_INET, dst: `10.${i >> 8}.${i & 255}.0`, dstLen: 24, protocol: RTPROT_BGP, nhId: i });
  assert.is(e.bytes().length, 1000 * 56);
  const big = new FpmEncoder();
  big.beginFrame();
  assert.throws(() => {
    for (let i = 0; i < 2000; i++) big.route({ family: AF_INET, dst: '10.0.0.0', dstLen: 8, protocol: RTPROT_BGP, nhId: i });
    big.endFrame();
  }, /exceeds 65535/);
});

test.run();

// Byte-level conformance: every message fibpush sends, and the replies it reads, against bytes built here from LAYOUTS.md offsets.
//
// The expected bytes are written by a small hand-made builder (`B`) with offsets copied from
// vpp-api/LAYOUTS.md, never through ts/vpp/codec.ts; so a wrong offset in the codec or
// in the generated definitions shows up as a byte difference here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MESSAGES } from '../ts/vpp/gen/messages';
import {
  decode,
  encode,
  encodePaths,
  FibPath,
  RouteDetailsView,
  writeIpRouteAddDel,
  writeIpTableAddDel,
  writeMplsRouteAddDel,
  writeMplsTableAddDel,
  writeFibPath,
  Values,
} from '../ts/vpp/codec';
import { BatchBuffer, MessageReader, HEADER_SIZE } from '../ts/vpp/transport';

/** A little-ceremony big-endian byte builder: set(offset, size, value). */
class B {
  readonly b: Buffer;
  constructor(n: number) {
    this.b = Buffer.alloc(n);
  }
  u8(o: number, v: number): this {
    this.b.writeUInt8(v, o);
    return this;
  }
  u16(o: number, v: number): this {
    this.b.writeUInt16BE(v, o);
    return this;
  }
  u32(o: number, v: number): this {
    this.b.writeUInt32BE(v >>> 0, o);
    return this;
  }
  i32(o: number, v: number): this {
    this.b.writeInt32BE(v, o);
    return this;
  }
  bytes(o: number, v: number[] | Uint8Array): this {
    Buffer.from(v).copy(this.b, o);
    return this;
  }
  str(o: number, s: string): this {
    this.b.write(s, o, 'latin1');
    return this;
  }
}

/** fib_path per LAYOUTS.md "type fib_path" (167 B): built by hand into `b` at `o`. */
function path(b: B, o: number, p: { sw: number; table: number; w: number; pref: number; type: number; flags: number; proto: number; nh: number[]; labels?: number[] }): void {
  b.u32(o + 0, p.sw).u32(o + 4, p.table).u32(o + 8, 0).u8(o + 12, p.w).u8(o + 13, p.pref);
  b.u32(o + 14, p.type).u32(o + 18, p.flags).u32(o + 22, p.proto);
  b.bytes(o + 26, p.nh); // nh.address (union, 16 B)
  b.u32(o + 42, 0x100000); // nh.via_label = MPLS_LABEL_INVALID (unused unless proto MPLS)
  b.u32(o + 46, 0xffffffff); // nh.obj_id unused
  b.u32(o + 50, 0xffffffff); // nh.classify_table_index unused
  const labels = p.labels ?? [];
  b.u8(o + 54, labels.length);
  labels.forEach((l, i) => b.u8(o + 55 + i * 7, 0).u32(o + 56 + i * 7, l).u8(o + 60 + i * 7, 0).u8(o + 61 + i * 7, 0));
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function encodeGeneric(name: string, id: number, v: Values): Buffer {
  const buf = Buffer.alloc(4096);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = encode(dv, 0, MESSAGES[name], id, v);
  return buf.subarray(0, n);
}

const CI = 0x80000003; // client_index: sockclnt_create_reply.index has bit 31 set
const CTX = 0x01020304;

test('ip_route_add_del: IPv4 /24, one attached path (fast path and generic agree)', () => {
  const want = new B(39 + 167)
    .u16(0, 0x4c2).u32(2, CI).u32(6, CTX)
    .u8(10, 1).u8(11, 0) // is_add, is_multipath
    .u32(12, 7).u32(16, 0) // route.table_id, stats_index
    .u8(20, 0).bytes(21, [10, 1, 2, 0]).u8(37, 24) // prefix af, un, len
    .u8(38, 1); // n_paths
  path(want, 39, { sw: 5, table: 0, w: 1, pref: 0, type: 0, flags: 0, proto: 0, nh: [192, 0, 2, 1] });

  const p: FibPath = { swIfIndex: 5, tableId: 0, weight: 1, preference: 0, type: 0, flags: 0, proto: 0, nh: Uint8Array.of(192, 0, 2, 1) };
  const paths = encodePaths([p]);
  const buf = Buffer.alloc(512, 0xee);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const addr = Uint8Array.of(99, 10, 1, 2, 0);
  const n = writeIpRouteAddDel(buf, dv, 3, 0x4c2, CI, CTX, true, false, 7, false, addr, 1, 24, paths, 1);
  assert.is(n, 39 + 167);
  assert.is(hex(buf.subarray(3, 3 + n)), hex(want.b));
  assert.is(buf[2], 0xee, 'nothing written before the message');
  assert.is(buf[3 + n], 0xee, 'nothing written after the message');

  const g = encodeGeneric('ip_route_add_del', 0x4c2, {
    client_index: CI, context: CTX, is_add: true, is_multipath: false,
    route: {
      table_id: 7, stats_index: 0, prefix: { address: { af: 0, un: Uint8Array.of(10, 1, 2, 0) }, len: 24 },
      paths: [{
        sw_if_index: 5, table_id: 0, rpf_id: 0, weight: 1, preference: 0, type: 0, flags: 0, proto: 0,
        nh: { address: Uint8Array.of(192, 0, 2, 1), via_label: 0x100000, obj_id: 0xffffffff, classify_table_index: 0xffffffff },
        n_labels: 0, label_stack: [],
      }],
    },
  });
  assert.is(hex(g), hex(want.b));
});

test('ip_route_add_del: IPv6 recursive PIC path (sw_if_index ~0, table, RESOLVE_VIA_HOST, pref 1) and delete', () => {
  const nh = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x30, 0x39];
  const dst = [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const want = new B(39 + 167)
    .u16(0, 77).u32(2, CI).u32(6, CTX).u8(10, 1).u8(11, 0).u32(12, 0).u8(20, 1).bytes(21, dst).u8(37, 48).u8(38, 1);
  path(want, 39, { sw: 0xffffffff, table: 4242, w: 1, pref: 1, type: 0, flags: 2, proto: 1, nh });
  const paths = encodePaths([{ swIfIndex: 0xffffffff, tableId: 4242, weight: 1, preference: 1, type: 0, flags: 2, proto: 1, nh: Uint8Array.from(nh) }]);
  const buf = Buffer.alloc(512);
  const dv = new DataView(buf.buffer);
  const n = writeIpRouteAddDel(buf, dv, 0, 77, CI, CTX, true, false, 0, true, Uint8Array.from(dst), 0, 48, paths, 1);
  assert.is(hex(buf.subarray(0, n)), hex(want.b));

  // delete: is_add 0, n_paths 0, no paths on the wire (fib_api.c: paths ignored for a delete)
  const del = new B(39).u16(0, 77).u32(2, CI).u32(6, CTX).u8(10, 0).u8(11, 0).u32(12, 3).u8(20, 1).bytes(21, dst).u8(37, 48).u8(38, 0);
  const m = writeIpRouteAddDel(buf, dv, 0, 77, CI, CTX, false, false, 3, true, Uint8Array.from(dst), 0, 48, null, 0);
  assert.is(hex(buf.subarray(0, m)), hex(del.b));
});

test('fib_path: labels, weight, special types', () => {
  const want = new B(167);
  path(want, 0, { sw: 9, table: 0, w: 3, pref: 0, type: 0, flags: 0, proto: 0, nh: [10, 0, 0, 1], labels: [16001, 24005, 3] });
  const got = Buffer.alloc(167, 0xaa);
  writeFibPath(new DataView(got.buffer), 0, { swIfIndex: 9, tableId: 0, weight: 3, preference: 0, type: 0, flags: 0, proto: 0, nh: Uint8Array.of(10, 0, 0, 1), labels: [16001, 24005, 3] });
  assert.is(hex(got), hex(want.b));

  for (const type of [2, 5, 6]) {
    const w = new B(167);
    path(w, 0, { sw: 0xffffffff, table: 0, w: 1, pref: 0, type, flags: 0, proto: 0, nh: [] });
    const g = Buffer.alloc(167, 0x55);
    writeFibPath(new DataView(g.buffer), 0, { swIfIndex: 0xffffffff, tableId: 0, weight: 1, preference: 0, type, flags: 0, proto: 0, nh: new Uint8Array(0) });
    assert.is(hex(g), hex(w.b), `type ${type}`);
  }
});

test('mpls_route_add_del: label 100 eos, swap to 200 via 10.0.0.2', () => {
  const want = new B(24 + 167)
    .u16(0, 300).u32(2, CI).u32(6, CTX).u8(10, 1).u8(11, 0) // mr_is_add, mr_is_multipath
    .u32(12, 0).u32(16, 100).u8(20, 1).u8(21, 0).u8(22, 0).u8(23, 1); // table, label, eos, eos_proto, multicast, n_paths
  path(want, 24, { sw: 4, table: 0, w: 1, pref: 0, type: 0, flags: 0, proto: 0, nh: [10, 0, 0, 2], labels: [200] });
  const paths = encodePaths([{ swIfIndex: 4, tableId: 0, weight: 1, preference: 0, type: 0, flags: 0, proto: 0, nh: Uint8Array.of(10, 0, 0, 2), labels: [200] }]);
  const buf = Buffer.alloc(512);
  const n = writeMplsRouteAddDel(buf, new DataView(buf.buffer), 0, 300, CI, CTX, true, false, 0, 100, true, 0, paths, 1);
  assert.is(hex(buf.subarray(0, n)), hex(want.b));
});

test('table creates: the programmer writers give the LAYOUTS.md bytes', () => {
  const buf = Buffer.alloc(200, 0x77);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let n = writeIpTableAddDel(buf, dv, 5, 321, CI, CTX, true, 1000000000, true, 'fibpush-pic-ip6');
  assert.is(n, 80);
  assert.is(hex(buf.subarray(5, 85)), hex(new B(80).u16(0, 321).u32(2, CI).u32(6, CTX).u8(10, 1).u32(11, 1000000000).u8(15, 1).str(16, 'fibpush-pic-ip6').b));
  assert.is(buf[85], 0x77);
  n = writeMplsTableAddDel(buf, dv, 0, 322, CI, CTX, true, 0, 'fibpush-mpls-0');
  assert.is(n, 79);
  assert.is(hex(buf.subarray(0, 79)), hex(new B(79).u16(0, 322).u32(2, CI).u32(6, CTX).u8(10, 1).u32(11, 0).str(15, 'fibpush-mpls-0').b));
  // a name longer than 63 bytes is cut, keeping the NUL VPP reads it up to
  writeIpTableAddDel(buf, dv, 0, 1, CI, CTX, true, 7, false, 'x'.repeat(80));
  assert.is(buf[16 + 63], 0);
  assert.is(buf[16 + 62], 0x78);
});

test('tables, dumps, memclnt and interface requests (generic encoder)', () => {
  const cases: [string, Values, B][] = [
    ['ip_table_add_del', { client_index: CI, context: CTX, is_add: true, table: { table_id: 1001, is_ip6: false, name: 'fibpush-1001' } },
      new B(80).u16(0, 1).u32(2, CI).u32(6, CTX).u8(10, 1).u32(11, 1001).u8(15, 0).str(16, 'fibpush-1001')],
    ['ip_table_add_del', { client_index: CI, context: CTX, is_add: false, table: { table_id: 9, is_ip6: true } },
      new B(80).u16(0, 1).u32(2, CI).u32(6, CTX).u8(10, 0).u32(11, 9).u8(15, 1)],
    ['mpls_table_add_del', { client_index: CI, context: CTX, mt_is_add: true, mt_table: { mt_table_id: 0, mt_name: 'mpls0' } },
      new B(79).u16(0, 1).u32(2, CI).u32(6, CTX).u8(10, 1).u32(11, 0).str(15, 'mpls0')],
    ['ip_route_v2_dump', { client_index: CI, context: CTX, src: 0, table: { table_id: 4242, is_ip6: true } },
      new B(80).u16(0, 1).u32(2, CI).u32(6, CTX).u8(10, 0).u32(11, 4242).u8(15, 1)],
    ['ip_route_dump', { client_index: CI, context: CTX, table: { table_id: 5, is_ip6: false } },
      new B(79).u16(0, 1).u32(2, CI).u32(6, CTX).u32(10, 5).u8(14, 0)],
    ['mpls_route_dump', { client_index: CI, context: CTX, table: { mt_table_id: 0 } },
      new B(78).u16(0, 1).u32(2, CI).u32(6, CTX).u32(10, 0)],
    ['control_ping', { client_index: CI, context: CTX }, new B(10).u16(0, 1).u32(2, CI).u32(6, CTX)],
    ['ip_table_dump', { client_index: CI, context: CTX }, new B(10).u16(0, 1).u32(2, CI).u32(6, CTX)],
    ['memclnt_keepalive_reply', { context: CTX, retval: 0 }, new B(10).u16(0, 1).u32(2, CTX).i32(6, 0)],
    ['vxlan_tunnel_v2_dump', { client_index: CI, context: CTX, sw_if_index: 0xffffffff }, new B(14).u16(0, 1).u32(2, CI).u32(6, CTX).u32(10, 0xffffffff)],
    ['sockclnt_create', { context: CTX, name: 'fibpush' }, new B(70).u16(0, 1).u32(2, CTX).str(6, 'fibpush')],
    ['sockclnt_delete', { client_index: CI, context: CTX, index: CI }, new B(14).u16(0, 1).u32(2, CI).u32(6, CTX).u32(10, CI)],
    ['sw_interface_dump', { client_index: CI, context: CTX, sw_if_index: 0xffffffff, name_filter_valid: false, name_filter: '' },
      new B(19).u16(0, 1).u32(2, CI).u32(6, CTX).u32(10, 0xffffffff).u8(14, 0).u32(15, 0)],
    ['sw_interface_dump', { client_index: CI, context: CTX, sw_if_index: 0xffffffff, name_filter_valid: true, name_filter: 'loop' },
      new B(23).u16(0, 1).u32(2, CI).u32(6, CTX).u32(10, 0xffffffff).u8(14, 1).u32(15, 4).str(19, 'loop')],
    ['want_interface_events', { client_index: CI, context: CTX, enable_disable: 1, pid: 4321 },
      new B(18).u16(0, 1).u32(2, CI).u32(6, CTX).u32(10, 1).u32(14, 4321)],
    ['lcp_itf_pair_get', { client_index: CI, context: CTX, cursor: 7 }, new B(14).u16(0, 1).u32(2, CI).u32(6, CTX).u32(10, 7)],
    ['get_first_msg_id', { client_index: CI, context: CTX, name: 'ip_0c2b1c41' }, new B(74).u16(0, 1).u32(2, CI).u32(6, CTX).str(10, 'ip_0c2b1c41')],
  ];
  for (const [name, v, want] of cases) {
    // sizes documented in LAYOUTS.md ("fixed size"), VLA string adds its bytes
    assert.is(hex(encodeGeneric(name, 1, v)), hex(want.b), name);
  }
});

test('EVPN requests: vxlan_add_del_tunnel_v3, bridge_domain_add_del_v2, sw_interface_set_l2_bridge, l2fib_add_del', () => {
  // vxlan.api: is_add@10 instance@11 src_address@15(17) dst_address@32(17) src_port@49 dst_port@51
  // mcast_sw_if_index@53 encap_vrf_id@57 decap_next_index@61 vni@65 is_l3@69 => 70 bytes
  const vx = new B(70).u16(0, 1).u32(2, CI).u32(6, CTX).u8(10, 1).u32(11, 0xffffffff)
    .u8(15, 0).bytes(16, [192, 0, 2, 1]).u8(32, 0).bytes(33, [192, 0, 2, 9]).u16(49, 4789).u16(51, 4789)
    .u32(53, 0xffffffff).u32(57, 0).u32(61, 0xffffffff).u32(65, 10100).u8(69, 0);
  assert.is(hex(encodeGeneric('vxlan_add_del_tunnel_v3', 1, {
    client_index: CI, context: CTX, is_add: true, instance: 0xffffffff,
    src_address: { af: 0, un: Uint8Array.of(192, 0, 2, 1) }, dst_address: { af: 0, un: Uint8Array.of(192, 0, 2, 9) },
    src_port: 4789, dst_port: 4789, mcast_sw_if_index: 0xffffffff, encap_vrf_id: 0, decap_next_index: 0xffffffff, vni: 10100, is_l3: false,
  })), hex(vx.b));
  // l2.api l2fib_add_del: mac@10(6) bd_id@16 sw_if_index@20 is_add@24 static_mac@25 filter_mac@26 bvi_mac@27
  const l2 = new B(28).u16(0, 1).u32(2, CI).u32(6, CTX).bytes(10, [2, 0, 0, 0, 0, 0x2a]).u32(16, 100).u32(20, 17).u8(24, 1).u8(25, 1);
  assert.is(hex(encodeGeneric('l2fib_add_del', 1, {
    client_index: CI, context: CTX, mac: Uint8Array.of(2, 0, 0, 0, 0, 0x2a), bd_id: 100, sw_if_index: 17, is_add: true, static_mac: true,
  })), hex(l2.b));
  // bridge_domain_add_del_v2: bd_id@10 flood@14 uu_flood@15 forward@16 learn@17 arp_term@18 arp_ufwd@19 mac_age@20 bd_tag@21(64) is_add@85
  const bd = new B(86).u16(0, 1).u32(2, CI).u32(6, CTX).u32(10, 100).u8(14, 1).u8(15, 1).u8(16, 1).u8(17, 0).u8(85, 1);
  assert.is(hex(encodeGeneric('bridge_domain_add_del_v2', 1, {
    client_index: CI, context: CTX, bd_id: 100, flood: true, uu_flood: true, forward: true, learn: false, is_add: true,
  })), hex(bd.b));
  // sw_interface_set_l2_bridge: rx_sw_if_index@10 bd_id@14 port_type@18(u32) shg@22 enable@23
  const br = new B(24).u16(0, 1).u32(2, CI).u32(6, CTX).u32(10, 17).u32(14, 100).u32(18, 0).u8(22, 1).u8(23, 1);
  assert.is(hex(encodeGeneric('sw_interface_set_l2_bridge', 1, {
    client_index: CI, context: CTX, rx_sw_if_index: 17, bd_id: 100, port_type: 0, shg: 1, enable: true,
  })), hex(br.b));
});

test('replies decode: ip_route_add_del_reply, control_ping_reply, sw_interface_event, lcp_itf_pair_details', () => {
  const r = new B(14).u16(0, 9).u32(2, CTX).i32(6, -3).u32(10, 77);
  let d = decode(new DataView(r.b.buffer, r.b.byteOffset, r.b.length), 0, 14, MESSAGES.ip_route_add_del_reply);
  assert.equal(d, { _vl_msg_id: 9, context: CTX, retval: -3, stats_index: 77 });

  const p = new B(18).u16(0, 24).u32(2, CTX).i32(6, 0).u32(10, CI).u32(14, 31337);
  d = decode(new DataView(p.b.buffer, p.b.byteOffset, p.b.length), 0, 18, MESSAGES.control_ping_reply);
  assert.is(d.vpe_pid, 31337);
  assert.is(d.client_index, CI);

  const e = new B(19).u16(0, 3).u32(2, CI).u32(6, 4321).u32(10, 2).u32(14, 1).u8(18, 0);
  d = decode(new DataView(e.b.buffer, e.b.byteOffset, e.b.length), 0, 19, MESSAGES.sw_interface_event);
  assert.equal([d.sw_if_index, d.flags, d.deleted], [2, 1, false]);

  // lcp.api lcp_itf_pair_details: context@2 phy_sw_if_index@6 host_sw_if_index@10 vif_index@14
  // host_if_name[16]@18 host_if_type u8@34 netns[32]@35 => 67
  const l = new B(67).u16(0, 5).u32(2, CTX).u32(6, 1).u32(10, 3).u32(14, 42).str(18, 'eth0').u8(34, 0).str(35, 'dataplane');
  d = decode(new DataView(l.b.buffer, l.b.byteOffset, l.b.length), 0, 67, MESSAGES.lcp_itf_pair_details);
  assert.equal([d.phy_sw_if_index, d.host_sw_if_index, d.vif_index, d.host_if_name, d.netns], [1, 3, 42, 'eth0', 'dataplane']);

  // short message: a decode error, never a read past the end
  assert.throws(() => decode(new DataView(r.b.buffer, r.b.byteOffset, 10), 0, 10, MESSAGES.ip_route_add_del_reply), /stats_index/);
});

test('ip_route_v2_details decodes into the reused view (table, prefix, src, paths)', () => {
  // LAYOUTS.md ip_route_v2_details: context@2 route@6: table_id@6 stats_index@10 prefix@14 (af@14 un@15 len@31) n_paths@32 src@33 paths@34
  const det = new B(34 + 2 * 167).u16(0, 88).u32(2, CTX).u32(6, 4242).u32(10, 5).u8(14, 0).bytes(15, [100, 64, 0, 7]).u8(31, 32).u8(32, 2).u8(33, 3);
  path(det, 34, { sw: 1, table: 0, w: 1, pref: 0, type: 0, flags: 0, proto: 0, nh: [10, 0, 0, 1] });
  path(det, 34 + 167, { sw: 2, table: 0, w: 1, pref: 1, type: 0, flags: 0, proto: 0, nh: [10, 0, 1, 1], labels: [17] });
  const v = new RouteDetailsView().fill(det.b, new DataView(det.b.buffer, det.b.byteOffset, det.b.length), 0, det.b.length, true);
  assert.equal([v.tableId, v.isIp6, Array.from(v.addr.subarray(0, 4)), v.len, v.nPaths, v.src], [4242, false, [100, 64, 0, 7], 32, 2, 3]);
  const p1 = v.path(1);
  assert.equal([p1.swIfIndex, p1.preference, Array.from(p1.nh), p1.labels], [2, 1, [10, 0, 1, 1], [17]]);
  // generic decode agrees
  const g = decode(new DataView(det.b.buffer, det.b.byteOffset, det.b.length), 0, det.b.length, MESSAGES.ip_route_v2_details);
  const route = g.route as Values;
  assert.is((route.paths as Values[]).length, 2);
  assert.is(((route.paths as Values[])[1]).preference, 1);
  // truncated paths are rejected
  assert.throws(() => v.fill(det.b, new DataView(det.b.buffer, det.b.byteOffset, det.b.length), 0, 34 + 167, true), /paths/);
});

test('framing: header is u64 0, u32 data_len BE, u32 0; messages split anywhere reassemble', () => {
  const bb = new BatchBuffer(64);
  const sizes = [10, 14, 3000, 1, 206];
  for (const s of sizes) {
    const off = bb.begin(s);
    for (let i = 0; i < s; i++) bb.buf[off + i] = (s + i) & 255;
    bb.end(s);
  }
  const all = Buffer.from(bb.bytes());
  // header of the first message, built by hand
  assert.is(hex(all.subarray(0, HEADER_SIZE)), hex(new B(16).u32(8, 10).b));
  for (const step of [1, 3, 16, 17, 100, all.length]) {
    const got: number[][] = [];
    const r = new MessageReader((buf, _dv, off, len) => got.push([len, buf[off], buf[off + len - 1]]));
    for (let i = 0; i < all.length; i += step) {
      // every read lands in the same reused buffer, like net's onread
      const chunk = Buffer.alloc(step, 0xff);
      all.copy(chunk, 0, i, Math.min(all.length, i + step));
      r.push(chunk, 0, Math.min(step, all.length - i));
    }
    assert.equal(got, sizes.map((s) => [s, s & 255, (s + s - 1) & 255]), `step ${step}`);
    assert.is(r.buffered, 0);
  }
});

test('framing: an absurd data_len is a framing error, not an allocation', () => {
  const r = new MessageReader(() => {}, 1 << 20);
  const h = new B(16).u32(8, 0xfffffff0).b;
  assert.throws(() => r.push(h), /data_len/);
});

test.run();

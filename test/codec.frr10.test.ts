// What zebra >= 9 sends beyond 8.4.4, decoded alike by both decoders with no bad row: 16-bit
// weights (nexthop_grp.weight_high), resilient groups (NHA_RES_GROUP), SRv6 encaps (seg6) whose
// nested type 1 is an SRH and never labels, NLM_F_REPLACE on route updates.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDecoder, DecoderImpl } from '../ts/codec/decoder';
import { Attr, createBatch, Meta } from '../ts/codec/layout';
import { encodeFrames, parseIp, RTM_NEWNEXTHOP, AF_INET6, AF_UNSPEC } from '../ts/codec/encoder';
import { messageFromRow, seg6Text } from '../ts/codec/format';

const IMPLS: DecoderImpl[] = ['native', 'ts'];
const LWTUNNEL_ENCAP_SEG6 = 5;

/** SEG6_IPTUNNEL_SRH {int mode; ipv6_sr_hdr with segments in SRH order (last segment first)} as a nested attribute. */
function seg6Encap(mode: number, travel: string[]): Uint8Array {
  const n = travel.length;
  const payload = Buffer.alloc(4 + 8 + 16 * n);
  payload.writeInt32LE(mode, 0);
  payload[4] = 0; // nexthdr
  payload[5] = 2 * n; // hdrlen in 8-byte units past the first 8
  payload[6] = 4; // IPV6_SRCRT_TYPE_4
  payload[7] = n - 1; // segments_left
  payload[8] = n - 1; // first_segment
  travel
    .slice()
    .reverse()
    .forEach((s, k) => Buffer.from(parseIp(s)).copy(payload, 12 + 16 * k));
  const attr = Buffer.alloc(4 + payload.length);
  attr.writeUInt16LE(attr.length, 0);
  attr.writeUInt16LE(1, 2);
  payload.copy(attr, 4);
  return attr;
}

function decode(impl: DecoderImpl, bytes: Uint8Array) {
  const d = createDecoder(impl, createBatch());
  d.decode(bytes, 0, bytes.length);
  assert.is(d.batch.meta[Meta.StreamErr], 0);
  return d.batch;
}

for (const impl of IMPLS) {
  test(`${impl}: 16-bit group weights (weight_high) decode to 1..65536`, () => {
    const bytes = encodeFrames([{ kind: 'nexthop', id: 9, family: AF_UNSPEC, group: [{ id: 1, weight: 1 }, { id: 2, weight: 256 }, { id: 3, weight: 300 }, { id: 4, weight: 65536 }] }]);
    const b = decode(impl, bytes);
    assert.is(b.err[0], 0);
    const w = [0, 1, 2, 3].map((k) => b.gWeight[b.groupStart[0] + k]);
    assert.equal(w, [1, 256, 300, 65536]);
  });

  test(`${impl}: a resilient group (NHA_RES_GROUP nested, NHA_GROUP_TYPE 1) is a good row`, () => {
    const bytes = encodeFrames([{ kind: 'nexthop', id: 9, family: AF_UNSPEC, group: [{ id: 1 }, { id: 2 }], groupType: 1, resGroup: { buckets: 64, idleTimer: 120000, unbalancedTimer: 0 } }]);
    const b = decode(impl, bytes);
    assert.is(b.err[0], 0);
    assert.is(b.groupType[0], 1);
    assert.is(b.groupCount[0], 2);
  });

  test(`${impl}: a seg6 encap with 5 segments: no labels (8.4's rule would have read 23 "labels", a bad row), the SRH kept`, () => {
    const segs = ['fc00:0:1::1', 'fc00:0:2::1', 'fc00:0:3::1', 'fc00:0:4::1', 'fc00:0:5::1'];
    const raw = seg6Encap(1, segs);
    const bytes = encodeFrames([{ kind: 'nexthop', id: 15, family: AF_INET6, gateway: 'fd00:99:1::2', oif: 2, encapType: LWTUNNEL_ENCAP_SEG6, encapRaw: raw }]);
    const b = decode(impl, bytes);
    assert.is(b.err[0], 0, 'a good row');
    assert.ok((b.attrs[0] & Attr.Encap) !== 0);
    assert.is(b.encapType[0], LWTUNNEL_ENCAP_SEG6);
    assert.is(b.labelCount[0], 0);
    assert.equal(Buffer.from(bytes.subarray(b.encapOff[0], b.encapOff[0] + b.encapLen[0])), Buffer.from(raw));
    const m = messageFromRow(b, 0, bytes);
    assert.is(m.kind, 'nexthop');
    assert.is(seg6Text((m as { encapRaw: Uint8Array }).encapRaw), `seg6 mode encap segs 5 [ ${segs.join(' ')} ]`);
  });

  test(`${impl}: an MPLS encap still gives its labels`, () => {
    const bytes = encodeFrames([{ kind: 'nexthop', id: 25, family: 2, gateway: '10.99.1.2', oif: 2, labels: [100, 200] }]);
    const b = decode(impl, bytes);
    assert.is(b.err[0], 0);
    assert.is(b.labelCount[0], 2);
    assert.is(b.msgType[0], RTM_NEWNEXTHOP);
  });
}

test.run();

// Malformed input, one case per defect: exact error code and offset, and the rows before it kept.
// Every case runs against both decoders and through FpmStreamReader.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Attr, createBatch, Meta } from '../ts/codec/layout';
import { FpmFrameError, RowError, StreamError, STREAM_ERROR_NAMES } from '../ts/codec/codes';
import { createDecoder, DecoderImpl } from '../ts/codec/decoder';
import { FpmStreamReader } from '../ts/codec/stream';

// linux/rtnetlink.h, linux/nexthop.h, linux/neighbour.h, linux/mpls_iptunnel.h
const RTM_NEWROUTE = 24;
const RTM_NEWNEIGH = 28;
const RTM_NEWNEXTHOP = 104;
const AF_UNSPEC = 0;
const AF_INET = 2;
const AF_BRIDGE = 7;
const AF_INET6 = 10;
const AF_PACKET = 17;
const AF_MPLS = 28;
const RTA_DST = 1;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_PRIORITY = 6;
const RTA_MULTIPATH = 9;
const RTA_TABLE = 15;
const RTA_VIA = 18;
const RTA_NEWDST = 19;
const RTA_ENCAP_TYPE = 21;
const RTA_ENCAP = 22;
const RTA_NH_ID = 30;
const NHA_ID = 1;
const NHA_GROUP = 2;
const NHA_GROUP_TYPE = 3;
const NHA_OIF = 5;
const NHA_GATEWAY = 6;
const NHA_ENCAP_TYPE = 7;
const NHA_ENCAP = 8;
const NHA_FPM_BACKUP_NHG = 0x3f01;
const NDA_DST = 1;
const NDA_LLADDR = 2;
const NDA_VLAN = 5;
const NDA_PROTOCOL = 12;
const MPLS_IPTUNNEL_DST = 1;

/**
 * A netlink byte builder: begin a container (FPM frame, nlmsghdr, rtattr, rtnexthop), write
 * its contents, end() backfills its length (FPM big-endian; netlink host order) and pads
 * netlink containers to 4 bytes. mark() remembers offsets for the expected error positions.
 */
class W {
  readonly b: number[] = [];
  readonly marks: Record<string, number> = {};
  private stack: { at: number; kind: 'fpm' | 'nl' | 'rta' | 'rtnh' }[] = [];
  mark(name: string): this {
    this.marks[name] = this.b.length;
    return this;
  }
  u8(...v: number[]): this {
    for (const x of v) this.b.push(x & 255);
    return this;
  }
  u16(v: number): this {
    return this.u8(v, v >> 8);
  }
  u32(v: number): this {
    return this.u8(v, v >> 8, v >> 16, v >>> 24);
  }
  zeros(n: number): this {
    for (let i = 0; i < n; i++) this.b.push(0);
    return this;
  }
  fpm(): this {
    this.stack.push({ at: this.b.length, kind: 'fpm' });
    return this.u8(1, 1, 0, 0);
  }
  nl(type: number, seq = 0): this {
    this.stack.push({ at: this.b.length, kind: 'nl' });
    return this.u32(0).u16(type).u16(0x501).u32(seq).u32(1234);
  }
  /** struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags. */
  rtmsg(family = AF_INET, dstLen = 24): this {
    return this.u8(family, dstLen, 0, 0, 254, 196, 0, 1).u32(0);
  }
  /** struct nhmsg: family, scope, protocol, resvd, flags. */
  nhmsg(family = AF_INET): this {
    return this.u8(family, 0, 11, 0).u32(0);
  }
  /** struct ndmsg: family, pad, pad2, ifindex, state, flags, type. */
  ndmsg(family = AF_BRIDGE): this {
    return this.u8(family, 0).u16(0).u32(4).u16(2).u8(0x16, 0);
  }
  rta(type: number): this {
    this.stack.push({ at: this.b.length, kind: 'rta' });
    return this.u16(0).u16(type);
  }
  rtnh(ifindex: number, hops = 0): this {
    this.stack.push({ at: this.b.length, kind: 'rtnh' });
    return this.u16(0).u8(0, hops).u32(ifindex);
  }
  /** A whole attribute with raw payload bytes. */
  attr(type: number, ...payload: number[]): this {
    return this.rta(type).u8(...payload).end();
  }
  attr32(type: number, v: number): this {
    return this.rta(type).u32(v).end();
  }
  end(): this {
    const top = this.stack.pop()!;
    const len = this.b.length - top.at;
    const b = this.b;
    if (top.kind === 'fpm') {
      b[top.at + 2] = len >> 8;
      b[top.at + 3] = len & 255;
      return this;
    }
    b[top.at] = len & 255;
    b[top.at + 1] = (len >> 8) & 255;
    if (top.kind === 'nl') {
      b[top.at + 2] = (len >> 16) & 255;
      b[top.at + 3] = len >>> 24;
    }
    while (b.length % 4 !== 0) b.push(0);
    return this;
  }
  /** Overwrites a u16 (host order) or the FPM length (big-endian) after the fact. */
  set16(at: number, v: number): this {
    this.b[at] = v & 255;
    this.b[at + 1] = (v >> 8) & 255;
    return this;
  }
  set32(at: number, v: number): this {
    return this.set16(at, v & 0xffff).set16(at + 2, v >>> 16);
  }
  setFpmLen(at: number, v: number): this {
    this.b[at + 2] = (v >> 8) & 255;
    this.b[at + 3] = v & 255;
    return this;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.b);
  }
}

/** A valid route message (10.1.2.0/24 via nexthop group 7). */
const goodRoute = (w: W, seq = 1) =>
  w.nl(RTM_NEWROUTE, seq).rtmsg().attr(RTA_DST, 10, 1, 2, 0).attr32(RTA_PRIORITY, 20).attr32(RTA_NH_ID, 7).end();
const goodFrame = (seq: number) => goodRoute(new W().fpm(), seq).end().bytes();

interface Case {
  name: string;
  /** Writes the frame(s) under test into w (marks: 'at' = where the error points). */
  build(w: W): void;
  stream?: StreamError;
  row?: [RowError, number]; // [err, errAttr]
  /** Rows of the case's own frames that must decode before/around the bad one (row cases). */
  extraRowsBefore?: number;
  check?: (impl: DecoderImpl, b: ReturnType<typeof createBatch>, r: number) => void;
}

/** A route message whose attributes `body` writes; `at` marks what the case names. */
const route = (w: W, body: (w: W) => void, family = AF_INET) => {
  w.fpm().mark('msg').nl(RTM_NEWROUTE, 99).mark('body').rtmsg(family);
  body(w);
  w.end().end();
};
const nexthop = (w: W, body: (w: W) => void, family = AF_INET) => {
  w.fpm().mark('msg').nl(RTM_NEWNEXTHOP, 99).mark('body').nhmsg(family).attr32(NHA_ID, 42);
  body(w);
  w.end().end();
};
const neigh = (w: W, body: (w: W) => void, family = AF_BRIDGE) => {
  w.fpm().mark('msg').nl(RTM_NEWNEIGH, 99).mark('body').ndmsg(family);
  body(w);
  w.end().end();
};
/** n label stack entries (labels 100.., bottom of stack on the last), as in linux/mpls.h. */
const labels = (w: W, n: number): W => {
  for (let i = 0; i < n; i++) w.u8(0, 0x64 + i, i === n - 1 ? 0x01 : 0x00, 0xff);
  return w;
};

const CASES: Case[] = [
  // Stream errors (the connection is dropped): the error points at the frame or the nlmsghdr.
  { name: 'fpm version 2', stream: StreamError.BadVersion, build: (w) => void w.mark('at').u8(2, 1, 0, 20).zeros(16) },
  { name: 'fpm version 0', stream: StreamError.BadVersion, build: (w) => void w.mark('at').u8(0, 1, 0, 20).zeros(16) },
  { name: 'fpm type 0', stream: StreamError.BadType, build: (w) => void w.mark('at').u8(1, 0, 0, 20).zeros(16) },
  { name: 'fpm type 2 (protobuf)', stream: StreamError.BadType, build: (w) => void w.mark('at').u8(1, 2, 0, 20).zeros(16) },
  { name: 'fpm length 3', stream: StreamError.ShortFrame, build: (w) => void w.mark('at').u8(1, 1, 0, 3) },
  { name: 'fpm length 0', stream: StreamError.ShortFrame, build: (w) => void w.mark('at').u8(1, 1, 0, 0).zeros(20) },
  {
    name: 'fpm length 10 (6 bytes of nlmsghdr)',
    stream: StreamError.ShortNlmsg,
    build: (w) => void w.u8(1, 1, 0, 10).mark('at').zeros(6),
  },
  {
    name: '8 trailing bytes after a message in the frame',
    stream: StreamError.ShortNlmsg,
    build: (w) => {
      w.fpm();
      goodRoute(w, 50);
      w.mark('at').zeros(8).end();
    },
  },
  {
    name: 'nlmsg_len 8',
    stream: StreamError.NlmsgLenTooSmall,
    build: (w) => {
      w.fpm().mark('at');
      goodRoute(w, 50);
      w.end().set32(w.marks.at, 8);
    },
  },
  {
    name: 'nlmsg_len 0',
    stream: StreamError.NlmsgLenTooSmall,
    build: (w) => {
      w.fpm().mark('at');
      goodRoute(w, 50);
      w.end().set32(w.marks.at, 0);
    },
  },
  {
    name: 'nlmsg past frame',
    stream: StreamError.NlmsgPastFrame,
    build: (w) => {
      w.fpm().mark('at');
      goodRoute(w, 50);
      w.end().set32(w.marks.at, w.b.length - w.marks.at + 4);
    },
  },
  {
    name: 'second nlmsg past frame (first one valid, frame is atomic)',
    stream: StreamError.NlmsgPastFrame,
    build: (w) => {
      w.fpm();
      goodRoute(w, 50);
      w.mark('at');
      goodRoute(w, 51);
      w.end().set32(w.marks.at, 0x7fffffff);
    },
  },
  // Row errors (the message is skipped and counted, decoding goes on).
  {
    name: 'short rtmsg',
    row: [RowError.ShortBody, 0],
    build: (w) => void w.fpm().mark('at').nl(RTM_NEWROUTE, 99).u8(2, 24, 0, 0, 254, 196, 0, 1).end().end(),
  },
  {
    name: 'short nhmsg',
    row: [RowError.ShortBody, 0],
    build: (w) => void w.fpm().mark('at').nl(RTM_NEWNEXTHOP, 99).u8(2, 0, 11, 0).end().end(),
  },
  {
    name: 'short ndmsg',
    row: [RowError.ShortBody, 0],
    build: (w) => void w.fpm().mark('at').nl(RTM_NEWNEIGH, 99).u8(7, 0, 0, 0, 4, 0, 0, 0).end().end(),
  },
  {
    name: 'route family AF_PACKET',
    row: [RowError.BadFamily, 0],
    build: (w) => {
      route(w, (w) => void w.attr(RTA_DST, 10, 0, 0, 0), AF_PACKET);
      w.marks.at = w.marks.body; // the body struct holds the family
    },
    check: (_i, b, r) => assert.is(b.errOff[r], b.msgOff[r] + 16),
  },
  {
    name: 'nexthop family AF_MPLS',
    row: [RowError.BadFamily, 0],
    build: (w) => {
      nexthop(w, () => {}, AF_MPLS);
      w.marks.at = w.marks.body;
    },
    check: (_i, b, r) => assert.is(b.errOff[r], b.msgOff[r] + 16),
  },
  {
    name: 'neigh family AF_MPLS',
    row: [RowError.BadFamily, 0],
    build: (w) => {
      neigh(w, () => {}, AF_MPLS);
      w.marks.at = w.marks.body;
    },
    check: (_i, b, r) => assert.is(b.errOff[r], b.msgOff[r] + 16),
  },
  {
    name: 'RTA_PRIORITY 2 bytes',
    row: [RowError.AttrBadSize, RTA_PRIORITY],
    build: (w) => route(w, (w) => void w.attr(RTA_DST, 10, 0, 0, 0).mark('at').attr(RTA_PRIORITY, 20, 0)),
    // the attribute decoded before the bad one keeps its columns and bit
    check: (_i, b, r) => {
      assert.is(b.attrs[r] & Attr.Dst, Attr.Dst);
      assert.is(b.dstAttrLen[r], 4);
    },
  },
  { name: 'RTA_DST 3 bytes for AF_INET', row: [RowError.AttrBadSize, RTA_DST], build: (w) => route(w, (w) => void w.mark('at').attr(RTA_DST, 10, 0, 0)) },
  {
    name: 'RTA_DST 4 bytes for AF_INET6',
    row: [RowError.AttrBadSize, RTA_DST],
    build: (w) => route(w, (w) => void w.mark('at').attr(RTA_DST, 0xfd, 0, 0, 0), AF_INET6),
  },
  {
    name: 'RTA_DST 16 bytes for AF_MPLS',
    row: [RowError.AttrBadSize, RTA_DST],
    build: (w) => route(w, (w) => void w.mark('at').rta(RTA_DST).zeros(16).end(), AF_MPLS),
  },
  {
    name: 'RTA_GATEWAY 16 bytes for AF_INET',
    row: [RowError.AttrBadSize, RTA_GATEWAY],
    build: (w) => route(w, (w) => void w.mark('at').rta(RTA_GATEWAY).zeros(16).end()),
  },
  { name: 'RTA_TABLE 8 bytes', row: [RowError.AttrBadSize, RTA_TABLE], build: (w) => route(w, (w) => void w.mark('at').rta(RTA_TABLE).u32(1).u32(0).end()) },
  { name: 'RTA_OIF 0 bytes', row: [RowError.AttrBadSize, RTA_OIF], build: (w) => route(w, (w) => void w.mark('at').attr(RTA_OIF)) },
  { name: 'RTA_ENCAP_TYPE 4 bytes', row: [RowError.AttrBadSize, RTA_ENCAP_TYPE], build: (w) => route(w, (w) => void w.mark('at').attr32(RTA_ENCAP_TYPE, 1)) },
  {
    name: 'truncated rta_len (attribute past the message)',
    row: [RowError.AttrTruncated, RTA_NH_ID],
    build: (w) => route(w, (w) => void w.mark('at').attr32(RTA_NH_ID, 7).set16(w.marks.at, 12)),
  },
  {
    name: 'rta_len 2',
    row: [RowError.AttrTruncated, RTA_PRIORITY],
    build: (w) => route(w, (w) => void w.mark('at').attr32(RTA_PRIORITY, 20).set16(w.marks.at, 2)),
  },
  {
    name: '2 stray bytes after the last attribute',
    row: [RowError.AttrTruncated, 0],
    // nlmsg_len covers the 2 bytes (end() pads after measuring)
    build: (w) => void w.fpm().nl(RTM_NEWROUTE, 99).rtmsg().attr32(RTA_NH_ID, 7).mark('at').u8(0xaa, 0xbb).end().end(),
  },
  {
    name: 'NHA_GROUP 12 bytes',
    row: [RowError.GroupBadSize, NHA_GROUP],
    build: (w) => nexthop(w, (w) => void w.mark('at').rta(NHA_GROUP).u32(1).u32(0).u32(2).end(), AF_UNSPEC),
  },
  { name: 'NHA_GROUP 0 bytes', row: [RowError.GroupBadSize, NHA_GROUP], build: (w) => nexthop(w, (w) => void w.mark('at').attr(NHA_GROUP), AF_UNSPEC) },
  { name: 'NHA_ID 2 bytes', row: [RowError.AttrBadSize, NHA_ID], build: (w) => nexthop(w, (w) => void w.mark('at').attr(NHA_ID, 1, 0)) },
  { name: 'NHA_OIF 8 bytes', row: [RowError.AttrBadSize, NHA_OIF], build: (w) => nexthop(w, (w) => void w.mark('at').rta(NHA_OIF).u32(1).u32(0).end()) },
  { name: 'NHA_GATEWAY 6 bytes for AF_UNSPEC', row: [RowError.AttrBadSize, NHA_GATEWAY], build: (w) => nexthop(w, (w) => void w.mark('at').rta(NHA_GATEWAY).zeros(6).end(), AF_UNSPEC) },
  { name: 'NHA_GATEWAY 16 bytes for AF_INET', row: [RowError.AttrBadSize, NHA_GATEWAY], build: (w) => nexthop(w, (w) => void w.mark('at').rta(NHA_GATEWAY).zeros(16).end()) },
  { name: 'NHA_GROUP_TYPE 4 bytes', row: [RowError.AttrBadSize, NHA_GROUP_TYPE], build: (w) => nexthop(w, (w) => void w.mark('at').attr32(NHA_GROUP_TYPE, 0), AF_UNSPEC) },
  { name: 'NHA_ENCAP_TYPE 1 byte', row: [RowError.AttrBadSize, NHA_ENCAP_TYPE], build: (w) => nexthop(w, (w) => void w.mark('at').attr(NHA_ENCAP_TYPE, 1)) },
  { name: 'NHA_FPM_BACKUP_NHG 2 bytes', row: [RowError.AttrBadSize, NHA_FPM_BACKUP_NHG], build: (w) => nexthop(w, (w) => void w.mark('at').attr(NHA_FPM_BACKUP_NHG, 9, 0)) },
  {
    name: 'rtnexthop len 4',
    row: [RowError.MultipathTruncated, RTA_MULTIPATH],
    build: (w) =>
      route(w, (w) => {
        w.rta(RTA_MULTIPATH).mark('at').rtnh(2).end().end();
        w.set16(w.marks.at, 4);
      }),
  },
  {
    name: 'rtnexthop len past RTA_MULTIPATH',
    row: [RowError.MultipathTruncated, RTA_MULTIPATH],
    build: (w) =>
      route(w, (w) => {
        w.rta(RTA_MULTIPATH).rtnh(2).attr(RTA_GATEWAY, 10, 0, 0, 1).end().mark('at').rtnh(3).end().end();
        w.set16(w.marks.at, 16);
      }),
    // the first leg was decoded before the fault: the path table holds it, the row points at none
    check: (_i, b, r) => {
      assert.is(b.meta[Meta.Paths], 1);
      assert.is(b.pathCount[r], 0);
      assert.is(b.attrs[r] & Attr.Multipath, 0);
    },
  },
  {
    name: '6 bytes after the last rtnexthop',
    row: [RowError.MultipathTruncated, RTA_MULTIPATH],
    build: (w) => route(w, (w) => void w.rta(RTA_MULTIPATH).rtnh(2).end().mark('at').u16(6).u16(0).u16(0).end()),
  },
  {
    name: 'RTA_GATEWAY 3 bytes inside rtnexthop',
    row: [RowError.AttrBadSize, RTA_GATEWAY],
    build: (w) => route(w, (w) => void w.rta(RTA_MULTIPATH).rtnh(2).mark('at').attr(RTA_GATEWAY, 10, 0, 0).end().end()),
  },
  {
    name: 'nested attribute past its rtnexthop',
    row: [RowError.AttrTruncated, RTA_GATEWAY],
    build: (w) =>
      route(w, (w) => {
        w.rta(RTA_MULTIPATH).rtnh(2).mark('at').attr(RTA_GATEWAY, 10, 0, 0, 1).end().end();
        w.set16(w.marks.at, 12);
      }),
  },
  {
    name: 'RTA_VIA AF_INET with 16 address bytes',
    row: [RowError.AttrBadSize, RTA_VIA],
    build: (w) => route(w, (w) => void w.mark('at').rta(RTA_VIA).u16(AF_INET).zeros(16).end(), AF_MPLS),
  },
  { name: 'RTA_VIA 1 byte', row: [RowError.AttrBadSize, RTA_VIA], build: (w) => route(w, (w) => void w.mark('at').attr(RTA_VIA, 2), AF_MPLS) },
  {
    name: 'RTA_VIA family AF_PACKET',
    row: [RowError.AttrBadSize, RTA_VIA],
    build: (w) => route(w, (w) => void w.mark('at').rta(RTA_VIA).u16(AF_PACKET).zeros(6).end(), AF_MPLS),
  },
  { name: '17 labels', row: [RowError.TooManyLabels, RTA_NEWDST], build: (w) => route(w, (w) => void labels(w.mark('at').rta(RTA_NEWDST), 17).end(), AF_MPLS) },
  { name: 'RTA_NEWDST 6 bytes', row: [RowError.EncapBad, RTA_NEWDST], build: (w) => route(w, (w) => void w.mark('at').attr(RTA_NEWDST, 0, 0x64, 1, 0xff, 0, 0), AF_MPLS) },
  { name: 'RTA_NEWDST 0 bytes', row: [RowError.EncapBad, RTA_NEWDST], build: (w) => route(w, (w) => void w.mark('at').attr(RTA_NEWDST), AF_MPLS) },
  {
    name: '17 labels in NHA_ENCAP',
    row: [RowError.TooManyLabels, NHA_ENCAP],
    build: (w) => nexthop(w, (w) => void labels(w.rta(NHA_ENCAP).mark('at').rta(MPLS_IPTUNNEL_DST), 17).end().end()),
  },
  {
    name: 'MPLS_IPTUNNEL_DST 5 bytes',
    row: [RowError.EncapBad, NHA_ENCAP],
    build: (w) => nexthop(w, (w) => void w.rta(NHA_ENCAP).mark('at').attr(MPLS_IPTUNNEL_DST, 0, 0x64, 1, 0xff, 9).end()),
  },
  {
    name: 'NHA_ENCAP nested attribute past its end',
    row: [RowError.EncapBad, NHA_ENCAP],
    build: (w) =>
      nexthop(w, (w) => {
        w.rta(NHA_ENCAP).mark('at').attr(MPLS_IPTUNNEL_DST, 0, 0x64, 1, 0xff).end();
        w.set16(w.marks.at, 40);
      }),
  },
  {
    name: '17 labels in RTA_ENCAP inside rtnexthop',
    row: [RowError.TooManyLabels, RTA_ENCAP],
    build: (w) => route(w, (w) => void labels(w.rta(RTA_MULTIPATH).rtnh(2).rta(RTA_ENCAP).mark('at').rta(MPLS_IPTUNNEL_DST), 17).end().end().end().end()),
  },
  { name: 'NDA_LLADDR 0 bytes', row: [RowError.AttrBadSize, NDA_LLADDR], build: (w) => neigh(w, (w) => void w.mark('at').attr(NDA_LLADDR)) },
  { name: 'NDA_LLADDR 33 bytes', row: [RowError.AttrBadSize, NDA_LLADDR], build: (w) => neigh(w, (w) => void w.mark('at').rta(NDA_LLADDR).zeros(33).end()) },
  { name: 'NDA_VLAN 4 bytes', row: [RowError.AttrBadSize, NDA_VLAN], build: (w) => neigh(w, (w) => void w.mark('at').attr32(NDA_VLAN, 10)) },
  { name: 'NDA_PROTOCOL 4 bytes', row: [RowError.AttrBadSize, NDA_PROTOCOL], build: (w) => neigh(w, (w) => void w.mark('at').attr32(NDA_PROTOCOL, 11)) },
  { name: 'NDA_DST 16 bytes for AF_INET neigh', row: [RowError.AttrBadSize, NDA_DST], build: (w) => neigh(w, (w) => void w.mark('at').rta(NDA_DST).zeros(16).end(), AF_INET) },
  { name: 'NDA_DST 6 bytes for AF_BRIDGE neigh', row: [RowError.AttrBadSize, NDA_DST], build: (w) => neigh(w, (w) => void w.mark('at').rta(NDA_DST).zeros(6).end()) },
  {
    name: 'bad message between two good ones in one frame',
    row: [RowError.AttrBadSize, RTA_PRIORITY],
    extraRowsBefore: 1,
    build: (w) => {
      w.fpm();
      goodRoute(w, 60);
      w.nl(RTM_NEWROUTE, 99).rtmsg().mark('at').attr(RTA_PRIORITY, 1).end();
      goodRoute(w, 61);
      w.end();
    },
  },
];

interface Outcome {
  rows: { seq: number; err: number; errAttr: number; errOff: number; msgOff: number }[];
  streamErr: number;
  streamErrOff: number;
  consumed: number;
}

/** Decodes call by call like the stream reader does; checks per-row extras on the bad row. */
function run(impl: DecoderImpl, c: Uint8Array, check?: Case['check']): Outcome {
  const d = createDecoder(impl, createBatch());
  const b = d.batch;
  const out: Outcome = { rows: [], streamErr: 0, streamErrOff: 0, consumed: 0 };
  let s = 0;
  for (;;) {
    d.decode(c, s, c.length);
    for (let i = 0; i < b.meta[Meta.Rows]; i++) {
      out.rows.push({ seq: b.seq[i], err: b.err[i], errAttr: b.errAttr[i], errOff: b.errOff[i], msgOff: b.msgOff[i] });
      if (b.seq[i] === 99 && check) check(impl, b, i);
    }
    s += b.meta[Meta.Consumed];
    if (b.meta[Meta.StreamErr] !== 0) {
      out.streamErr = b.meta[Meta.StreamErr];
      out.streamErrOff = b.meta[Meta.StreamErrOff];
      break;
    }
    if (b.meta[Meta.Consumed] === 0) break;
  }
  out.consumed = s;
  return out;
}

test(`at least 30 cases, unique names`, () => {
  assert.ok(CASES.length >= 30, `${CASES.length} cases`);
  assert.is(new Set(CASES.map((c) => c.name)).size, CASES.length);
});

for (const k of CASES) {
  test(k.name, () => {
    const before = goodFrame(1);
    const w = new W();
    k.build(w);
    const bad = w.bytes();
    assert.ok(w.marks.at !== undefined, 'the case marks its defect');
    const after = goodFrame(2);
    const c = new Uint8Array(before.length + bad.length + after.length);
    c.set(before, 0);
    c.set(bad, before.length);
    c.set(after, before.length + bad.length);
    const at = before.length + w.marks.at;
    for (const impl of ['native', 'ts'] as const) {
      const o = run(impl, c, k.check);
      const tag = `${impl}: ${k.name}`;
      if (k.stream !== undefined) {
        assert.is(STREAM_ERROR_NAMES[o.streamErr], STREAM_ERROR_NAMES[k.stream], tag);
        assert.is(o.streamErrOff, at, `${tag}: error offset`);
        // The frame before the defect is delivered whole; nothing of the bad frame is.
        assert.equal(o.rows.map((r) => [r.seq, r.err]), [[1, 0]], `${tag}: rows before the defect`);
        assert.is(o.consumed, before.length, `${tag}: consumed up to the bad frame`);
      } else {
        assert.is(o.streamErr, 0, `${tag}: no stream error`);
        assert.is(o.consumed, c.length, `${tag}: everything consumed`);
        const extra = k.extraRowsBefore ?? 0;
        const badRows = o.rows.filter((r) => r.err !== 0);
        assert.is(badRows.length, 1, `${tag}: one bad row`);
        const r = badRows[0];
        assert.is(r.seq, 99, `${tag}: the bad row is the case's message`);
        assert.is(r.err, k.row![0], `${tag}: error code`);
        assert.is(r.errAttr, k.row![1], `${tag}: errAttr`);
        assert.is(r.errOff, at, `${tag}: errOff`);
        // the rows before and after are all there and good
        assert.equal(
          o.rows.filter((x) => x.err === 0).map((x) => x.seq),
          [1, ...(extra ? [60] : []), ...(extra ? [61] : []), 2],
          `${tag}: good rows around it`,
        );
      }
    }
    if (k.stream !== undefined) {
      // Through the stream reader, split at the defect and shifted by a prior push: the error
      // carries the absolute stream offset and the rows before it are delivered first.
      for (const impl of ['native', 'ts'] as const) {
        const reader = new FpmStreamReader(createDecoder(impl));
        const seqs: number[] = [];
        const lead = goodFrame(0);
        reader.push(lead, (b) => {
          for (let i = 0; i < b.meta[Meta.Rows]; i++) seqs.push(b.seq[i]);
        });
        let err: unknown;
        try {
          const cut = Math.min(at + 1, c.length);
          for (const piece of [c.subarray(0, cut), c.subarray(cut)]) {
            reader.push(piece, (b) => {
              for (let i = 0; i < b.meta[Meta.Rows]; i++) seqs.push(b.seq[i]);
            });
          }
        } catch (e) {
          err = e;
        }
        assert.instance(err, FpmFrameError, `${impl}: stream reader throws`);
        const fe = err as FpmFrameError;
        assert.is(fe.code, STREAM_ERROR_NAMES[k.stream]);
        assert.is(fe.offset, lead.length + at, `${impl}: absolute offset`);
        assert.match(fe.message, String(lead.length + at));
        assert.equal(seqs, [0, 1], `${impl}: rows before the defect delivered`);
        assert.throws(() => reader.push(after, () => {}), (e: unknown) => e === err, 'a broken reader stays broken');
      }
    }
  });
}

test.run();

// The TypeScript reference decoder: FPM frames -> columnar Batch, exactly per docs/codec.md.
//
// The native decoder (native/fpm_decode.h) implements the same rules; test/codec.differential
// compares the two column by column. This one is written for clarity first and speed second:
// direct byte reads (no DataView), no allocation per frame or message, offsets into the chunk.

import { Batch, Kind, Attr, Meta, ROW_COLUMNS } from './layout';
import { StreamError, RowError } from './codes';
import * as codes from './codes';

// The numbers this decoder switches on, as constants of this module: read from the module
// object on every message they cost the TS decoder a third of its speed (bench/codec.ts).
const { NLMSG_DONE, RTM_NEWROUTE, RTM_DELROUTE, RTM_NEWNEIGH, RTM_DELNEIGH, RTM_NEWNEXTHOP, RTM_DELNEXTHOP } = codes;
const { AF_UNSPEC, AF_INET, AF_BRIDGE, AF_INET6, AF_MPLS } = codes;

// Sizes: struct nlmsghdr 16, struct rtmsg 12, struct nhmsg 8, struct ndmsg 12, struct rtattr 4,
// struct rtnexthop 8, struct nexthop_grp 8, an MPLS label stack entry 4 (linux/mpls.h).
const NLMSG_HDRLEN = 16;
const RTMSG_LEN = 12;
const NHMSG_LEN = 8;
const NDMSG_LEN = 12;
const FPM_HDR = 4;
const ZERO_BLOCK = 128; // rows zeroed at a time (see zeroRows)
const MAX_LABELS = 16; // MPLS_MAX_LABELS in FRR's lib/mpls.h and the kernel's net/mpls/internal.h

// NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) (linux/netlink.h).
const NLA_TYPE_MASK = 0x3fff;

// Route attributes (linux/rtnetlink.h enum rtattr_type_t).
const RTA_DST = 1;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_PRIORITY = 6;
const RTA_PREFSRC = 7;
const RTA_MULTIPATH = 9;
const RTA_TABLE = 15;
const RTA_VIA = 18;
const RTA_NEWDST = 19;
const RTA_ENCAP_TYPE = 21;
const RTA_ENCAP = 22;
const RTA_NH_ID = 30;
// Nexthop attributes (linux/nexthop.h), plus fibpush's FPM extension (docs/fpm-extensions.md).
const NHA_ID = 1;
const NHA_GROUP = 2;
const LWTUNNEL_ENCAP_MPLS = 1; // linux/lwtunnel.h
const NHA_GROUP_TYPE = 3;
const NHA_BLACKHOLE = 4;
const NHA_OIF = 5;
const NHA_GATEWAY = 6;
const NHA_ENCAP_TYPE = 7;
const NHA_ENCAP = 8;
const NHA_FDB = 11;
const NHA_FPM_BACKUP_NHG = 0x3f01;
// Neighbour attributes (linux/neighbour.h).
const NDA_DST = 1;
const NDA_LLADDR = 2;
const NDA_VLAN = 5;
const NDA_VNI = 7;
const NDA_MASTER = 9;
const NDA_PROTOCOL = 12;
const NDA_NH_ID = 13;
// Inside RTA_ENCAP/NHA_ENCAP of type LWTUNNEL_ENCAP_MPLS (linux/mpls_iptunnel.h).
const MPLS_IPTUNNEL_DST = 1;

/**
 * A walk over a run of netlink attributes with a sticky error, in the style of mdlayher/netlink's
 * AttributeDecoder: `next()` yields each attribute (type masked, payload offset and length) and
 * returns false at the end or on the first malformed header, which it records in `err`.
 */
class AttrCursor {
  c: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;
  /** Current attribute: header offset, masked type, payload offset and length. */
  hdr = 0;
  type = 0;
  off = 0;
  len = 0;
  /** RowError.AttrTruncated once a header is malformed; errAttr/errOff locate it. */
  err = 0;
  errAttr = 0;
  errOff = 0;

  reset(c: Uint8Array, pos: number, end: number): void {
    this.c = c;
    this.pos = pos;
    this.end = end;
    this.err = 0;
  }

  next(): boolean {
    const p = this.pos;
    if (this.err !== 0 || p >= this.end) return false;
    const left = this.end - p;
    const c = this.c;
    if (left < 4) {
      // The type's two bytes (p+2, p+3) are not inside the run: report type 0.
      this.fail(0, p);
      return false;
    }
    const rtaLen = c[p] | (c[p + 1] << 8);
    const type = (c[p + 2] | (c[p + 3] << 8)) & NLA_TYPE_MASK;
    if (rtaLen < 4 || rtaLen > left) {
      this.fail(type, p);
      return false;
    }
    this.hdr = p;
    this.type = type;
    this.off = p + 4;
    this.len = rtaLen - 4;
    // RTA_ALIGN: next attribute on a 4-byte boundary; a missing final pad ends the walk.
    this.pos = p + ((rtaLen + 3) & ~3);
    return true;
  }

  private fail(type: number, off: number): void {
    this.err = RowError.AttrTruncated;
    this.errAttr = type;
    this.errOff = off;
  }
}

function u16(c: Uint8Array, p: number): number {
  return c[p] | (c[p + 1] << 8);
}
function u32(c: Uint8Array, p: number): number {
  return (c[p] | (c[p + 1] << 8) | (c[p + 2] << 16) | (c[p + 3] << 24)) >>> 0;
}

/** Address length of a route/neigh family: INET 4, INET6 16, MPLS 4 (one label entry). */
function addrLen(family: number): number {
  return family === AF_INET6 ? 16 : 4;
}

/** Decodes FPM frames into one bound batch. Holds no reference to a chunk between calls. */
export class RefDecoder {
  readonly batch: Batch;
  private readonly b: Batch;
  private readonly meta: Int32Array;
  private readonly cur = new AttrCursor(); // message-level attributes
  private readonly leg = new AttrCursor(); // attributes nested in one rtnexthop
  private readonly enc = new AttrCursor(); // attributes nested in RTA_ENCAP/NHA_ENCAP
  private readonly rowCols: (Uint8Array | Uint16Array | Uint32Array | Int32Array)[];
  private rows = 0;
  /** Rows [rows, zeroedTo) are all zero in this call. */
  private zeroedTo = 0;
  private paths = 0;
  private groups = 0;
  private labels = 0;
  // Where the last label list landed (set by decodeLabels).
  private lblStart = 0;
  private lblCount = 0;

  constructor(batch: Batch) {
    this.batch = batch;
    this.b = batch;
    this.meta = batch.meta;
    const cols = batch as unknown as Record<string, Uint8Array | Uint16Array | Uint32Array | Int32Array>;
    this.rowCols = ROW_COLUMNS.map(([name]) => cols[name]);
  }

  decode(chunk: Uint8Array, start: number, end: number): void {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > chunk.length || end > 0xffffffff) {
      throw new RangeError(`decode: bad range [${start}, ${end}) for a chunk of ${chunk.length} bytes`);
    }
    const cap = this.b.cap;
    const meta = this.meta;
    this.rows = this.paths = this.groups = this.labels = 0;
    this.zeroedTo = 0;
    let frames = 0;
    let serr = 0;
    let serrOff = 0;
    let p = start;
    const c = chunk;
    while (end - p >= FPM_HDR) {
      // fpm/fpm.h: u8 version, u8 msg_type, u16 msg_len (network order, header included).
      // Each checked on its own (dplane_fpm_nl.c fpm_read joins version and type with &&).
      if (c[p] !== 1) {
        serr = StreamError.BadVersion;
        serrOff = p;
        break;
      }
      if (c[p + 1] !== 1) {
        serr = StreamError.BadType;
        serrOff = p;
        break;
      }
      const flen = (c[p + 2] << 8) | c[p + 3];
      if (flen < FPM_HDR) {
        serr = StreamError.ShortFrame;
        serrOff = p;
        break;
      }
      if (flen > end - p) break; // partial frame: the caller keeps the tail
      // Room for the worst case of this frame (docs/codec.md "Capacity").
      if (
        this.rows + Math.ceil(flen / 16) > cap.rows ||
        this.paths + Math.ceil(flen / 8) > cap.paths ||
        this.groups + Math.ceil(flen / 8) > cap.groups ||
        this.labels + Math.ceil(flen / 4) > cap.labels
      ) {
        break;
      }
      const fend = p + flen;
      // Pass 1: validate every nlmsghdr so that a broken frame emits no row.
      let q = p + FPM_HDR;
      while (q < fend) {
        if (fend - q < NLMSG_HDRLEN) {
          serr = StreamError.ShortNlmsg;
          break;
        }
        const nlen = u32(c, q);
        if (nlen < NLMSG_HDRLEN) {
          serr = StreamError.NlmsgLenTooSmall;
          break;
        }
        if (nlen > fend - q) {
          serr = StreamError.NlmsgPastFrame;
          break;
        }
        q += (nlen + 3) & ~3; // NLMSG_ALIGN; may step past fend when the last pad is missing
      }
      if (serr !== 0) {
        serrOff = q;
        break;
      }
      // Pass 2: one row per message.
      q = p + FPM_HDR;
      while (q < fend) {
        const nlen = u32(c, q);
        this.message(c, q, nlen, p);
        q += (nlen + 3) & ~3;
      }
      frames++;
      p = fend;
    }
    meta[Meta.Rows] = this.rows;
    meta[Meta.Paths] = this.paths;
    meta[Meta.Groups] = this.groups;
    meta[Meta.Labels] = this.labels;
    meta[Meta.Consumed] = p - start;
    meta[Meta.StreamErr] = serr;
    meta[Meta.StreamErrOff] = serrOff;
    meta[Meta.Frames] = frames;
  }

  /** One netlink message -> one row. `len` is nlmsg_len, already checked against the frame. */
  private message(c: Uint8Array, p: number, len: number, frameOff: number): void {
    const b = this.b;
    const r = this.rows++;
    if (r >= this.zeroedTo) this.zeroRows(r);
    const type = u16(c, p + 4);
    b.msgType[r] = type;
    b.nlFlags[r] = u16(c, p + 6);
    b.seq[r] = u32(c, p + 8);
    b.frameOff[r] = frameOff;
    b.msgOff[r] = p;
    // Every other column is 0 unless set (docs/codec.md): zeroRows cleared them.
    switch (type) {
      case RTM_NEWROUTE:
      case RTM_DELROUTE:
        b.kind[r] = Kind.Route;
        this.route(c, r, p, len);
        break;
      case RTM_NEWNEXTHOP:
      case RTM_DELNEXTHOP:
        b.kind[r] = Kind.Nexthop;
        this.nexthop(c, r, p, len);
        break;
      case RTM_NEWNEIGH:
      case RTM_DELNEIGH:
        b.kind[r] = Kind.Neigh;
        this.neigh(c, r, p, len);
        break;
      case NLMSG_DONE:
        b.kind[r] = Kind.Done;
        break;
      default:
        b.kind[r] = Kind.Other;
    }
  }

  /**
   * Zeroes every row column for a block of rows from `r` (r < capacity: the capacity check).
   * In blocks rather than one store per column per row: the columns are typically a multiple
   * of 4 KiB apart, so row r of every column maps to the same cache set; writing 40 of them per
   * row thrashes L1, writing each column sequentially does not (native/fpm_decode.h does the same).
   */
  private zeroRows(r: number): void {
    const to = Math.min(r + ZERO_BLOCK, this.b.cap.rows);
    for (const col of this.rowCols) col.fill(0, r, to);
    this.zeroedTo = to;
  }

  private rowErr(r: number, code: number, attr: number, off: number): void {
    const b = this.b;
    b.err[r] = code;
    b.errAttr[r] = attr;
    b.errOff[r] = off;
  }

  /** RTM_NEWROUTE/RTM_DELROUTE: struct rtmsg then RTA_* attributes. */
  private route(c: Uint8Array, r: number, p: number, len: number): void {
    const b = this.b;
    if (len < NLMSG_HDRLEN + RTMSG_LEN) return this.rowErr(r, RowError.ShortBody, 0, p);
    const h = p + NLMSG_HDRLEN;
    // struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, u32 flags.
    const fam = c[h];
    b.family[r] = fam;
    b.dstLen[r] = c[h + 1];
    b.table[r] = c[h + 4];
    b.protocol[r] = c[h + 5];
    b.scope[r] = c[h + 6];
    b.rtype[r] = c[h + 7];
    b.flags[r] = u32(c, h + 8);
    if (fam !== AF_INET && fam !== AF_INET6 && fam !== AF_MPLS) return this.rowErr(r, RowError.BadFamily, 0, h);
    const alen = addrLen(fam);
    let attrs = 0;
    const a = this.cur;
    a.reset(c, h + RTMSG_LEN, p + len);
    while (a.next()) {
      const t = a.type;
      const n = a.len;
      const o = a.off;
      switch (t) {
        case RTA_DST:
          if (n !== alen) return this.badSize(r, attrs, t, a.hdr);
          b.dstOff[r] = o;
          b.dstAttrLen[r] = n;
          attrs |= Attr.Dst;
          break;
        case RTA_GATEWAY:
          if (n !== alen) return this.badSize(r, attrs, t, a.hdr);
          b.gwOff[r] = o;
          b.gwLen[r] = n;
          b.gwFamily[r] = fam;
          attrs |= Attr.Gateway;
          break;
        case RTA_PREFSRC:
          if (n !== alen) return this.badSize(r, attrs, t, a.hdr);
          b.srcOff[r] = o;
          b.srcLen[r] = n;
          attrs |= Attr.PrefSrc;
          break;
        case RTA_OIF:
          if (n !== 4) return this.badSize(r, attrs, t, a.hdr);
          b.oif[r] = u32(c, o);
          attrs |= Attr.Oif;
          break;
        case RTA_PRIORITY:
          if (n !== 4) return this.badSize(r, attrs, t, a.hdr);
          b.priority[r] = u32(c, o);
          attrs |= Attr.Priority;
          break;
        case RTA_TABLE:
          if (n !== 4) return this.badSize(r, attrs, t, a.hdr);
          b.table[r] = u32(c, o);
          attrs |= Attr.Table;
          break;
        case RTA_NH_ID:
          if (n !== 4) return this.badSize(r, attrs, t, a.hdr);
          b.nhId[r] = u32(c, o);
          attrs |= Attr.NhId;
          break;
        case RTA_ENCAP_TYPE:
          if (n !== 2) return this.badSize(r, attrs, t, a.hdr);
          b.encapType[r] = u16(c, o);
          attrs |= Attr.EncapType;
          break;
        case RTA_VIA: {
          const vf = this.viaFamily(c, o, n);
          if (vf === 0) return this.badSize(r, attrs, t, a.hdr);
          b.gwOff[r] = o + 2;
          b.gwLen[r] = n - 2;
          b.gwFamily[r] = vf;
          attrs |= Attr.Via;
          break;
        }
        case RTA_NEWDST: {
          const e = this.decodeLabels(c, o, n);
          if (e !== 0) return this.fail(r, attrs, e, t, a.hdr);
          b.labelStart[r] = this.lblStart;
          b.labelCount[r] = this.lblCount;
          attrs |= Attr.NewDst;
          break;
        }
        case RTA_ENCAP: {
          if (!this.decodeEncap(c, r, attrs, t, o, n, (attrs & Attr.EncapType) === 0 || b.encapType[r] === LWTUNNEL_ENCAP_MPLS)) return;
          b.labelStart[r] = this.lblStart;
          b.labelCount[r] = this.lblCount;
          b.encapOff[r] = o;
          b.encapLen[r] = n;
          attrs |= Attr.Encap;
          break;
        }
        case RTA_MULTIPATH: {
          const start = this.paths;
          if (!this.multipath(c, r, attrs, fam, alen, o, n)) return;
          b.pathStart[r] = start;
          b.pathCount[r] = this.paths - start;
          attrs |= Attr.Multipath;
          break;
        }
        default:
          break; // unknown attributes are skipped
      }
    }
    b.attrs[r] = attrs;
    if (a.err !== 0) this.rowErr(r, a.err, a.errAttr, a.errOff);
  }

  /** RTM_NEWNEXTHOP/RTM_DELNEXTHOP: struct nhmsg then NHA_* attributes. */
  private nexthop(c: Uint8Array, r: number, p: number, len: number): void {
    const b = this.b;
    if (len < NLMSG_HDRLEN + NHMSG_LEN) return this.rowErr(r, RowError.ShortBody, 0, p);
    const h = p + NLMSG_HDRLEN;
    // struct nhmsg: family, scope, protocol, resvd, u32 nh_flags.
    const fam = c[h];
    b.family[r] = fam;
    b.scope[r] = c[h + 1];
    b.protocol[r] = c[h + 2];
    b.flags[r] = u32(c, h + 4);
    if (fam !== AF_UNSPEC && fam !== AF_INET && fam !== AF_INET6 && fam !== AF_BRIDGE) {
      return this.rowErr(r, RowError.BadFamily, 0, h);
    }
    let attrs = 0;
    const a = this.cur;
    a.reset(c, h + NHMSG_LEN, p + len);
    while (a.next()) {
      const t = a.type;
      const n = a.len;
      const o = a.off;
      switch (t) {
        case NHA_ID:
          if (n !== 4) return this.badSize(r, attrs, t, a.hdr);
          b.nhId[r] = u32(c, o);
          attrs |= Attr.NhId;
          break;
        case NHA_OIF:
          if (n !== 4) return this.badSize(r, attrs, t, a.hdr);
          b.oif[r] = u32(c, o);
          attrs |= Attr.Oif;
          break;
        case NHA_FPM_BACKUP_NHG:
          if (n !== 4) return this.badSize(r, attrs, t, a.hdr);
          b.backupNhg[r] = u32(c, o);
          attrs |= Attr.BackupNhg;
          break;
        case NHA_ENCAP_TYPE:
          if (n !== 2) return this.badSize(r, attrs, t, a.hdr);
          b.encapType[r] = u16(c, o);
          attrs |= Attr.EncapType;
          break;
        case NHA_GROUP_TYPE:
          if (n !== 2) return this.badSize(r, attrs, t, a.hdr);
          b.groupType[r] = u16(c, o);
          attrs |= Attr.GroupType;
          break;
        case NHA_BLACKHOLE:
          attrs |= Attr.Blackhole; // a flag: any length
          break;
        case NHA_FDB:
          attrs |= Attr.Fdb;
          break;
        case NHA_GATEWAY: {
          // The kernel takes the gateway's size from nh_family (rtm_to_nh_config); groups and
          // fdb objects carry no family of their own, so either address size is accepted.
          const ok = fam === AF_INET ? n === 4 : fam === AF_INET6 ? n === 16 : n === 4 || n === 16;
          if (!ok) return this.badSize(r, attrs, t, a.hdr);
          b.gwOff[r] = o;
          b.gwLen[r] = n;
          // From the size, not nh_family: zebra 8.4.4 sends AF_UNSPEC singletons with an IPv4
          // gateway (fixtures/frr-8.4/mpls-nhg-replay, NHG 25).
          b.gwFamily[r] = n === 4 ? AF_INET : AF_INET6;
          attrs |= Attr.Gateway;
          break;
        }
        case NHA_GROUP: {
          if (n === 0 || (n & 7) !== 0) return this.fail(r, attrs, RowError.GroupBadSize, t, a.hdr);
          const start = this.groups;
          // struct nexthop_grp {u32 id; u8 weight; u8 weight_high; u16 resvd2} (linux/nexthop.h
          // since 6.12: weight_high was resvd1, so older senders leave it 0). Weight 1..65536.
          for (let g = o, e = o + n; g < e; g += 8) {
            const i = this.groups++;
            b.gId[i] = u32(c, g);
            b.gWeight[i] = (c[g + 4] | (c[g + 5] << 8)) + 1;
          }
          b.groupStart[r] = start;
          b.groupCount[r] = n >>> 3;
          attrs |= Attr.Group;
          break;
        }
        case NHA_ENCAP: {
          if (!this.decodeEncap(c, r, attrs, t, o, n, (attrs & Attr.EncapType) === 0 || b.encapType[r] === LWTUNNEL_ENCAP_MPLS)) return;
          b.labelStart[r] = this.lblStart;
          b.labelCount[r] = this.lblCount;
          b.encapOff[r] = o;
          b.encapLen[r] = n;
          attrs |= Attr.Encap;
          break;
        }
        default:
          break;
      }
    }
    b.attrs[r] = attrs;
    if (a.err !== 0) this.rowErr(r, a.err, a.errAttr, a.errOff);
  }

  /** RTM_NEWNEIGH/RTM_DELNEIGH: struct ndmsg then NDA_* attributes. */
  private neigh(c: Uint8Array, r: number, p: number, len: number): void {
    const b = this.b;
    if (len < NLMSG_HDRLEN + NDMSG_LEN) return this.rowErr(r, RowError.ShortBody, 0, p);
    const h = p + NLMSG_HDRLEN;
    // struct ndmsg: family, pad1, u16 pad2, i32 ifindex, u16 state, u8 flags, u8 type.
    const fam = c[h];
    b.family[r] = fam;
    b.oif[r] = u32(c, h + 4);
    b.state[r] = u16(c, h + 8);
    b.flags[r] = c[h + 10];
    b.rtype[r] = c[h + 11];
    let attrs: number = Attr.Oif;
    if (fam !== AF_BRIDGE && fam !== AF_INET && fam !== AF_INET6) {
      b.attrs[r] = attrs;
      return this.rowErr(r, RowError.BadFamily, 0, h);
    }
    const a = this.cur;
    a.reset(c, h + NDMSG_LEN, p + len);
    while (a.next()) {
      const t = a.type;
      const n = a.len;
      const o = a.off;
      switch (t) {
        case NDA_DST: {
          const ok = fam === AF_BRIDGE ? n === 4 || n === 16 : n === addrLen(fam);
          if (!ok) return this.badSize(r, attrs, t, a.hdr);
          b.dstOff[r] = o;
          b.dstAttrLen[r] = n;
          attrs |= Attr.Dst;
          break;
        }
        case NDA_LLADDR:
          if (n < 1 || n > 32) return this.badSize(r, attrs, t, a.hdr);
          b.lladdrOff[r] = o;
          b.lladdrLen[r] = n;
          attrs |= Attr.LlAddr;
          break;
        case NDA_VLAN:
          if (n !== 2) return this.badSize(r, attrs, t, a.hdr);
          b.vlan[r] = u16(c, o);
          attrs |= Attr.Vlan;
          break;
        case NDA_VNI:
          if (n !== 4) return this.badSize(r, attrs, t, a.hdr);
          b.vni[r] = u32(c, o);
          attrs |= Attr.Vni;
          break;
        case NDA_MASTER:
          if (n !== 4) return this.badSize(r, attrs, t, a.hdr);
          b.master[r] = u32(c, o);
          attrs |= Attr.Master;
          break;
        case NDA_NH_ID:
          if (n !== 4) return this.badSize(r, attrs, t, a.hdr);
          b.nhId[r] = u32(c, o);
          attrs |= Attr.NhId;
          break;
        case NDA_PROTOCOL:
          if (n !== 1) return this.badSize(r, attrs, t, a.hdr);
          b.protocol[r] = c[o];
          attrs |= Attr.NdaProtocol;
          break;
        default:
          break;
      }
    }
    b.attrs[r] = attrs;
    if (a.err !== 0) this.rowErr(r, a.err, a.errAttr, a.errOff);
  }

  private badSize(r: number, attrs: number, type: number, off: number): void {
    this.fail(r, attrs, RowError.AttrBadSize, type, off);
  }

  /** A row error: the Attr bits of the attributes decoded before it stay, as do their columns. */
  private fail(r: number, attrs: number, code: number, type: number, off: number): void {
    this.b.attrs[r] = attrs;
    this.rowErr(r, code, type, off);
  }

  /** struct rtvia {u16 rtvia_family; u8 rtvia_addr[]}: the family when the size fits it, else 0. */
  private viaFamily(c: Uint8Array, o: number, n: number): number {
    if (n < 2) return 0;
    const vf = u16(c, o);
    if (vf === AF_INET) return n === 2 + 4 ? vf : 0;
    if (vf === AF_INET6) return n === 2 + 16 ? vf : 0;
    return 0;
  }

  /**
   * Label stack entries (RTA_NEWDST, MPLS_IPTUNNEL_DST): 4-byte big-endian words, 1..16 of them.
   * Appends them to the label table; returns 0 or the RowError.
   */
  private decodeLabels(c: Uint8Array, o: number, n: number): number {
    if (n === 0 || (n & 3) !== 0) return RowError.EncapBad;
    const k = n >>> 2;
    if (k > MAX_LABELS) return RowError.TooManyLabels;
    const lab = this.b.label;
    const start = this.labels;
    for (let i = 0; i < k; i++) {
      const q = o + 4 * i;
      lab[start + i] = ((c[q] << 24) | (c[q + 1] << 16) | (c[q + 2] << 8) | c[q + 3]) >>> 0;
    }
    this.labels = start + k;
    this.lblStart = start;
    this.lblCount = k;
    return 0;
  }

  /**
   * RTA_ENCAP / NHA_ENCAP: nested attributes, walked for structure whatever the encap type. With
   * `mpls` (no encap type before it, or LWTUNNEL_ENCAP_MPLS) MPLS_IPTUNNEL_DST holds the labels;
   * seg6/seg6local reuse nested type 1 (SEG6_IPTUNNEL_SRH, SEG6_LOCAL_ACTION): no labels from them.
   * Sets lblStart/lblCount (count 0 when no labels). On error marks row `r` and returns false;
   * errAttr is the encap attribute's type `et`, errOff the nested attribute.
   */
  private decodeEncap(c: Uint8Array, r: number, attrs: number, et: number, o: number, n: number, mpls: boolean): boolean {
    let start = this.labels;
    let count = 0;
    const e = this.enc;
    e.reset(c, o, o + n);
    while (e.next()) {
      if (!mpls || e.type !== MPLS_IPTUNNEL_DST) continue;
      const err = this.decodeLabels(c, e.off, e.len);
      if (err !== 0) {
        this.fail(r, attrs, err, et, e.hdr);
        return false;
      }
      start = this.lblStart;
      count = this.lblCount;
    }
    if (e.err !== 0) {
      this.fail(r, attrs, RowError.EncapBad, et, e.errOff);
      return false;
    }
    this.lblStart = start;
    this.lblCount = count;
    return true;
  }

  /** RTA_MULTIPATH: struct rtnexthop legs, each with nested RTA_* attributes; one path row each. */
  private multipath(
    c: Uint8Array,
    r: number,
    attrs: number,
    fam: number,
    alen: number,
    o: number,
    n: number,
  ): boolean {
    const b = this.b;
    const end = o + n;
    let q = o;
    while (q < end) {
      // struct rtnexthop {u16 rtnh_len; u8 rtnh_flags; u8 rtnh_hops; i32 rtnh_ifindex}.
      const rl = end - q >= 8 ? u16(c, q) : 0;
      if (rl < 8 || rl > end - q) {
        this.fail(r, attrs, RowError.MultipathTruncated, RTA_MULTIPATH, q);
        return false;
      }
      const i = this.paths++;
      b.pIfindex[i] = u32(c, q + 4);
      b.pWeight[i] = c[q + 3] + 1;
      b.pFlags[i] = c[q + 2];
      b.pGwOff[i] = 0;
      b.pGwLen[i] = 0;
      b.pGwFamily[i] = 0;
      b.pEncapType[i] = 0;
      b.pLabelStart[i] = 0;
      b.pLabelCount[i] = 0;
      const a = this.leg;
      a.reset(c, q + 8, q + rl);
      while (a.next()) {
        const t = a.type;
        const m = a.len;
        const ao = a.off;
        switch (t) {
          case RTA_GATEWAY:
            if (m !== alen) {
              this.fail(r, attrs, RowError.AttrBadSize, t, a.hdr);
              return false;
            }
            b.pGwOff[i] = ao;
            b.pGwLen[i] = m;
            b.pGwFamily[i] = fam;
            break;
          case RTA_VIA: {
            const vf = this.viaFamily(c, ao, m);
            if (vf === 0) {
              this.fail(r, attrs, RowError.AttrBadSize, t, a.hdr);
              return false;
            }
            b.pGwOff[i] = ao + 2;
            b.pGwLen[i] = m - 2;
            b.pGwFamily[i] = vf;
            break;
          }
          case RTA_ENCAP_TYPE:
            if (m !== 2) {
              this.fail(r, attrs, RowError.AttrBadSize, t, a.hdr);
              return false;
            }
            b.pEncapType[i] = u16(c, ao);
            break;
          case RTA_ENCAP:
            if (!this.decodeEncap(c, r, attrs, t, ao, m, b.pEncapType[i] === 0 || b.pEncapType[i] === LWTUNNEL_ENCAP_MPLS)) return false;
            b.pLabelStart[i] = this.lblStart;
            b.pLabelCount[i] = this.lblCount;
            break;
          case RTA_NEWDST: {
            const e = this.decodeLabels(c, ao, m);
            if (e !== 0) {
              this.fail(r, attrs, e, t, a.hdr);
              return false;
            }
            b.pLabelStart[i] = this.lblStart;
            b.pLabelCount[i] = this.lblCount;
            break;
          }
          default:
            break;
        }
      }
      if (a.err !== 0) {
        this.fail(r, attrs, a.err, a.errAttr, a.errOff);
        return false;
      }
      q += (rl + 3) & ~3; // RTNH_ALIGN
    }
    return true;
  }
}

/** Decodes `chunk[start, end)` into `batch` (see docs/codec.md); results in the batch and batch.meta. */
export function refDecode(batch: Batch, chunk: Uint8Array, start: number, end: number): void {
  new RefDecoder(batch).decode(chunk, start, end);
}

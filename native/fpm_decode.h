// The native FPM decoder: FPM frames -> columnar Batch, exactly per docs/codec.md.
//
// Plain C++17, no N-API: fpm_codec.cc binds it to Node, native/fuzz/fuzz_decode.cc to libFuzzer.
// It mirrors ts/codec/ref-decoder.ts rule for rule (test/codec.differential compares every
// column). Every read is bounds-checked against [start, end) of the chunk; the chunk is borrowed
// for the call only; nothing is allocated.
#ifndef FIBPUSH_FPM_DECODE_H
#define FIBPUSH_FPM_DECODE_H

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "batch_layout.h"
#include "codes.h"

namespace fpm {

namespace wire {
// Netlink message types (linux/netlink.h, linux/rtnetlink.h).
constexpr uint16_t NLMSG_DONE = 3;
constexpr uint16_t RTM_NEWROUTE = 24;
constexpr uint16_t RTM_DELROUTE = 25;
constexpr uint16_t RTM_NEWNEIGH = 28;
constexpr uint16_t RTM_DELNEIGH = 29;
constexpr uint16_t RTM_NEWNEXTHOP = 104;
constexpr uint16_t RTM_DELNEXTHOP = 105;
// Address families (linux/socket.h).
constexpr uint8_t AF_UNSPEC_ = 0;
constexpr uint8_t AF_INET_ = 2;
constexpr uint8_t AF_BRIDGE_ = 7;
constexpr uint8_t AF_INET6_ = 10;
constexpr uint8_t AF_MPLS_ = 28;
// Sizes: nlmsghdr, rtmsg, nhmsg, ndmsg, FPM header (fpm/fpm.h).
constexpr uint32_t NLMSG_HDRLEN = 16;
constexpr uint32_t RTMSG_LEN = 12;
constexpr uint32_t NHMSG_LEN = 8;
constexpr uint32_t NDMSG_LEN = 12;
constexpr uint32_t FPM_HDR = 4;
constexpr uint32_t MAX_LABELS = 16;  // MPLS_MAX_LABELS (FRR lib/mpls.h, kernel net/mpls/internal.h)
// NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) (linux/netlink.h).
constexpr uint16_t NLA_TYPE_MASK = 0x3fff;
// enum rtattr_type_t (linux/rtnetlink.h).
constexpr uint16_t RTA_DST = 1;
constexpr uint16_t RTA_OIF = 4;
constexpr uint16_t RTA_GATEWAY = 5;
constexpr uint16_t RTA_PRIORITY = 6;
constexpr uint16_t RTA_PREFSRC = 7;
constexpr uint16_t RTA_MULTIPATH = 9;
constexpr uint16_t RTA_TABLE = 15;
constexpr uint16_t RTA_VIA = 18;
constexpr uint16_t RTA_NEWDST = 19;
constexpr uint16_t RTA_ENCAP_TYPE = 21;
constexpr uint16_t RTA_ENCAP = 22;
constexpr uint16_t RTA_NH_ID = 30;
// linux/nexthop.h, plus NHA_FPM_BACKUP_NHG (shared/docs/fpm-extensions.md).
constexpr uint16_t NHA_ID = 1;
constexpr uint16_t NHA_GROUP = 2;
constexpr uint16_t NHA_GROUP_TYPE = 3;
constexpr uint16_t NHA_BLACKHOLE = 4;
constexpr uint16_t NHA_OIF = 5;
constexpr uint16_t NHA_GATEWAY = 6;
constexpr uint16_t NHA_ENCAP_TYPE = 7;
constexpr uint16_t NHA_ENCAP = 8;
constexpr uint16_t NHA_FDB = 11;
constexpr uint16_t NHA_FPM_BACKUP_NHG = 0x3f01;
// linux/neighbour.h.
constexpr uint16_t NDA_DST = 1;
constexpr uint16_t NDA_LLADDR = 2;
constexpr uint16_t NDA_VLAN = 5;
constexpr uint16_t NDA_VNI = 7;
constexpr uint16_t NDA_MASTER = 9;
constexpr uint16_t NDA_PROTOCOL = 12;
constexpr uint16_t NDA_NH_ID = 13;
// linux/mpls_iptunnel.h.
constexpr uint16_t MPLS_IPTUNNEL_DST = 1;
// linux/lwtunnel.h enum lwtunnel_encap_types.
constexpr uint16_t LWTUNNEL_ENCAP_MPLS = 1;

// Netlink is host-endian; fibpush decodes little-endian netlink (what x86/arm64 zebra writes).
// Byte-wise reads compile to single loads at -O2 and never fault on alignment.
inline uint16_t Le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t Le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}
// MPLS label stack entries are network order (linux/mpls.h struct mpls_label).
inline uint32_t Be32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | static_cast<uint32_t>(p[3]);
}
inline uint32_t Align4(uint32_t n) { return (n + 3u) & ~3u; }  // NLMSG_ALIGN, RTA_ALIGN, RTNH_ALIGN
}  // namespace wire

/**
 * Walks one run of netlink attributes with a sticky error, like mdlayher/netlink's
 * AttributeDecoder: Next() yields each attribute with its type masked; it returns false at the
 * end or on the first malformed header, recorded once in err/errAttr/errOff.
 */
class AttrCursor {
 public:
  void Reset(const uint8_t* c, size_t pos, size_t end) {
    c_ = c;
    pos_ = pos;
    end_ = end;
    err = kRowOk;
  }

  bool Next() {
    if (err != kRowOk || pos_ >= end_) return false;
    const size_t left = end_ - pos_;
    if (left < 4) return Fail(0);  // the type's two bytes are not inside the run
    const uint8_t* h = c_ + pos_;
    const uint32_t rtaLen = wire::Le16(h);
    const uint16_t t = wire::Le16(h + 2) & wire::NLA_TYPE_MASK;
    if (rtaLen < 4 || rtaLen > left) return Fail(t);
    hdr = static_cast<uint32_t>(pos_);
    type = t;
    off = hdr + 4;
    len = rtaLen - 4;
    pos_ += wire::Align4(rtaLen);  // may pass end_ when the final pad is missing: the walk ends
    return true;
  }

  // The current attribute.
  uint32_t hdr = 0;
  uint32_t off = 0;
  uint32_t len = 0;
  uint16_t type = 0;
  // The sticky error.
  uint8_t err = kRowOk;
  uint16_t errAttr = 0;
  uint32_t errOff = 0;

 private:
  bool Fail(uint16_t t) {
    err = kAttrTruncated;
    errAttr = t;
    errOff = static_cast<uint32_t>(pos_);
    return false;
  }
  const uint8_t* c_ = nullptr;
  size_t pos_ = 0;
  size_t end_ = 0;
};

/** Decodes FPM frames into one bound Batch. */
class Decoder {
 public:
  explicit Decoder(const Batch& b) : b_(b) {}

  /**
   * Decodes whole frames of c[start, end) (offsets are indices into c; the caller guarantees
   * start <= end <= the chunk's length <= 0xffffffff) and writes meta[kMetaSize].
   */
  void Decode(const uint8_t* c, uint32_t start, uint32_t end, int32_t* meta) {
    using namespace wire;
    rows_ = paths_ = groups_ = labels_ = 0;
    zeroedTo_ = 0;
    int32_t frames = 0;
    int32_t serr = kStreamOk;
    uint32_t serrOff = 0;
    size_t p = start;
    const size_t e = end;
    while (e - p >= FPM_HDR) {
      // fpm/fpm.h: u8 version, u8 msg_type, u16 msg_len (network order, header included).
      // Checked one by one (FRR's dplane_fpm_nl.c fpm_read joins version and type with &&).
      if (c[p] != 1) {
        serr = kBadVersion;
        serrOff = static_cast<uint32_t>(p);
        break;
      }
      if (c[p + 1] != 1) {
        serr = kBadType;
        serrOff = static_cast<uint32_t>(p);
        break;
      }
      const uint32_t flen = (static_cast<uint32_t>(c[p + 2]) << 8) | c[p + 3];
      if (flen < FPM_HDR) {
        serr = kShortFrame;
        serrOff = static_cast<uint32_t>(p);
        break;
      }
      if (flen > e - p) break;  // partial frame: the caller keeps the tail
      if (rows_ + (flen + 15) / 16 > b_.capRows || paths_ + (flen + 7) / 8 > b_.capPaths ||
          groups_ + (flen + 7) / 8 > b_.capGroups || labels_ + (flen + 3) / 4 > b_.capLabels)
        break;  // no room for this frame's worst case: the caller calls again
      const size_t fend = p + flen;
      // Pass 1: every nlmsghdr, so that a broken frame emits no row.
      size_t q = p + FPM_HDR;
      while (q < fend) {
        if (fend - q < NLMSG_HDRLEN) {
          serr = kShortNlmsg;
          break;
        }
        const uint32_t nlen = Le32(c + q);
        if (nlen < NLMSG_HDRLEN) {
          serr = kNlmsgLenTooSmall;
          break;
        }
        if (nlen > fend - q) {
          serr = kNlmsgPastFrame;
          break;
        }
        q += Align4(nlen);
      }
      if (serr != kStreamOk) {
        serrOff = static_cast<uint32_t>(q);
        break;
      }
      // Pass 2: one row per message.
      q = p + FPM_HDR;
      while (q < fend) {
        const uint32_t nlen = Le32(c + q);
        Message(c, static_cast<uint32_t>(q), nlen, static_cast<uint32_t>(p));
        q += Align4(nlen);
      }
      frames++;
      p = fend;
    }
    meta[kMetaRows] = static_cast<int32_t>(rows_);
    meta[kMetaPaths] = static_cast<int32_t>(paths_);
    meta[kMetaGroups] = static_cast<int32_t>(groups_);
    meta[kMetaLabels] = static_cast<int32_t>(labels_);
    meta[kMetaConsumed] = static_cast<int32_t>(p - start);
    meta[kMetaStreamErr] = serr;
    meta[kMetaStreamErrOff] = static_cast<int32_t>(serrOff);
    meta[kMetaFrames] = frames;
  }

 private:
  void Message(const uint8_t* c, uint32_t p, uint32_t len, uint32_t frameOff) {
    using namespace wire;
    const Batch& b = b_;
    const uint32_t r = rows_++;
    if (r >= zeroedTo_) ZeroRows(r);
    const uint16_t type = Le16(c + p + 4);
    b.msgType[r] = type;
    b.nlFlags[r] = Le16(c + p + 6);
    b.seq[r] = Le32(c + p + 8);
    b.frameOff[r] = frameOff;
    b.msgOff[r] = p;
    // Every other column is 0 unless set (docs/codec.md): ZeroRows cleared them.
    switch (type) {
      case RTM_NEWROUTE:
      case RTM_DELROUTE:
        b.kind[r] = kKindRoute;
        Route(c, r, p, len);
        break;
      case RTM_NEWNEXTHOP:
      case RTM_DELNEXTHOP:
        b.kind[r] = kKindNexthop;
        Nexthop(c, r, p, len);
        break;
      case RTM_NEWNEIGH:
      case RTM_DELNEIGH:
        b.kind[r] = kKindNeigh;
        Neigh(c, r, p, len);
        break;
      case NLMSG_DONE:
        b.kind[r] = kKindDone;
        break;
      default:
        b.kind[r] = kKindOther;
    }
  }

  /**
   * Zeroes every row column for a block of rows from `r` (the capacity check guarantees r <
   * capRows). In blocks rather than one store per column per row: the columns are typically a
   * multiple of 4 KiB apart, so row r of every column maps to the same L1 set and 40 scattered
   * stores per row thrash it (measured: 4x slower), while a memset per column streams; also
   * uint8_t stores may alias the column pointers, forcing a reload of each.
   */
  void ZeroRows(uint32_t r) {
    uint32_t to = r + kZeroBlock;
    if (to > b_.capRows) to = b_.capRows;
    const uint32_t n = to - r;
#define FPM_X(name, type) std::memset(b_.name + r, 0, sizeof(type) * n);
    FPM_ROW_COLUMNS(FPM_X)
#undef FPM_X
    zeroedTo_ = to;
  }
  static constexpr uint32_t kZeroBlock = 128;

  void RowErr(uint32_t r, uint8_t code, uint16_t attr, uint32_t off) {
    b_.err[r] = code;
    b_.errAttr[r] = attr;
    b_.errOff[r] = off;
  }
  /** A row error after some attributes: their bits stay (docs/codec.md). */
  void Fail(uint32_t r, uint32_t attrs, uint8_t code, uint16_t attr, uint32_t off) {
    b_.attrs[r] = attrs;
    RowErr(r, code, attr, off);
  }
  static uint32_t AddrLen(uint8_t family) { return family == wire::AF_INET6_ ? 16 : 4; }

  /** struct rtvia {u16 rtvia_family; u8 rtvia_addr[]}: the family if the size fits it, else 0. */
  static uint16_t ViaFamily(const uint8_t* c, uint32_t o, uint32_t n) {
    if (n < 2) return 0;
    const uint16_t vf = wire::Le16(c + o);
    if (vf == wire::AF_INET_) return n == 2 + 4 ? vf : 0;
    if (vf == wire::AF_INET6_) return n == 2 + 16 ? vf : 0;
    return 0;
  }

  /** 1..16 big-endian label stack entries appended to the label table; 0 or the RowError. */
  uint8_t Labels(const uint8_t* c, uint32_t o, uint32_t n) {
    if (n == 0 || (n & 3) != 0) return kEncapBad;
    const uint32_t k = n >> 2;
    if (k > wire::MAX_LABELS) return kTooManyLabels;
    uint32_t* lab = b_.label + labels_;
    for (uint32_t i = 0; i < k; i++) lab[i] = wire::Be32(c + o + 4 * i);
    lblStart_ = labels_;
    lblCount_ = k;
    labels_ += k;
    return kRowOk;
  }

  /**
   * RTA_ENCAP/NHA_ENCAP: nested attributes, walked for structure whatever the encap type. With
   * `mpls` (no encap type before it, or LWTUNNEL_ENCAP_MPLS) MPLS_IPTUNNEL_DST holds the labels
   * (sets lblStart_/lblCount_). Other types reuse nested type 1 for other things
   * (SEG6_IPTUNNEL_SRH, SEG6_LOCAL_ACTION in linux/seg6_*.h): no labels are taken from them.
   */
  bool Encap(const uint8_t* c, uint32_t r, uint32_t attrs, uint16_t et, uint32_t o, uint32_t n, bool mpls) {
    uint32_t start = labels_;
    uint32_t count = 0;
    AttrCursor& a = enc_;
    a.Reset(c, o, static_cast<size_t>(o) + n);
    while (a.Next()) {
      if (!mpls || a.type != wire::MPLS_IPTUNNEL_DST) continue;
      const uint8_t err = Labels(c, a.off, a.len);
      if (err != kRowOk) {
        Fail(r, attrs, err, et, a.hdr);
        return false;
      }
      start = lblStart_;
      count = lblCount_;
    }
    if (a.err != kRowOk) {
      Fail(r, attrs, kEncapBad, et, a.errOff);
      return false;
    }
    lblStart_ = start;
    lblCount_ = count;
    return true;
  }

  /** RTA_MULTIPATH: struct rtnexthop legs with nested RTA_* attributes; one path row each. */
  bool Multipath(const uint8_t* c, uint32_t r, uint32_t attrs, uint8_t fam, uint32_t alen, uint32_t o, uint32_t n) {
    using namespace wire;
    const Batch& b = b_;
    const size_t end = static_cast<size_t>(o) + n;
    size_t q = o;
    while (q < end) {
      // struct rtnexthop {u16 rtnh_len; u8 rtnh_flags; u8 rtnh_hops; i32 rtnh_ifindex}.
      const uint32_t rl = end - q >= 8 ? Le16(c + q) : 0;
      if (rl < 8 || rl > end - q) {
        Fail(r, attrs, kMultipathTruncated, RTA_MULTIPATH, static_cast<uint32_t>(q));
        return false;
      }
      const uint32_t i = paths_++;
      b.pIfindex[i] = Le32(c + q + 4);
      b.pWeight[i] = static_cast<uint16_t>(c[q + 3] + 1);
      b.pFlags[i] = c[q + 2];
      b.pGwOff[i] = 0;
      b.pGwLen[i] = 0;
      b.pGwFamily[i] = 0;
      b.pEncapType[i] = 0;
      b.pLabelStart[i] = 0;
      b.pLabelCount[i] = 0;
      AttrCursor& a = leg_;
      a.Reset(c, q + 8, q + rl);
      while (a.Next()) {
        const uint16_t t = a.type;
        const uint32_t m = a.len;
        const uint32_t ao = a.off;
        switch (t) {
          case RTA_GATEWAY:
            if (m != alen) {
              Fail(r, attrs, kAttrBadSize, t, a.hdr);
              return false;
            }
            b.pGwOff[i] = ao;
            b.pGwLen[i] = static_cast<uint8_t>(m);
            b.pGwFamily[i] = fam;
            break;
          case RTA_VIA: {
            const uint16_t vf = ViaFamily(c, ao, m);
            if (vf == 0) {
              Fail(r, attrs, kAttrBadSize, t, a.hdr);
              return false;
            }
            b.pGwOff[i] = ao + 2;
            b.pGwLen[i] = static_cast<uint8_t>(m - 2);
            b.pGwFamily[i] = static_cast<uint8_t>(vf);
            break;
          }
          case RTA_ENCAP_TYPE:
            if (m != 2) {
              Fail(r, attrs, kAttrBadSize, t, a.hdr);
              return false;
            }
            b.pEncapType[i] = Le16(c + ao);
            break;
          case RTA_ENCAP:
            if (!Encap(c, r, attrs, t, ao, m, b.pEncapType[i] == 0 || b.pEncapType[i] == LWTUNNEL_ENCAP_MPLS)) return false;
            b.pLabelStart[i] = lblStart_;
            b.pLabelCount[i] = static_cast<uint8_t>(lblCount_);
            break;
          case RTA_NEWDST: {
            const uint8_t err = Labels(c, ao, m);
            if (err != kRowOk) {
              Fail(r, attrs, err, t, a.hdr);
              return false;
            }
            b.pLabelStart[i] = lblStart_;
            b.pLabelCount[i] = static_cast<uint8_t>(lblCount_);
            break;
          }
          default:
            break;
        }
      }
      if (a.err != kRowOk) {
        Fail(r, attrs, a.err, a.errAttr, a.errOff);
        return false;
      }
      q += Align4(rl);
    }
    return true;
  }

  /** RTM_NEWROUTE/RTM_DELROUTE: struct rtmsg then RTA_* attributes. */
  void Route(const uint8_t* c, uint32_t r, uint32_t p, uint32_t len) {
    using namespace wire;
    const Batch& b = b_;
    if (len < NLMSG_HDRLEN + RTMSG_LEN) return RowErr(r, kShortBody, 0, p);
    const uint32_t h = p + NLMSG_HDRLEN;
    // struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, u32 flags.
    const uint8_t fam = c[h];
    b.family[r] = fam;
    b.dstLen[r] = c[h + 1];
    b.table[r] = c[h + 4];
    b.protocol[r] = c[h + 5];
    b.scope[r] = c[h + 6];
    b.rtype[r] = c[h + 7];
    b.flags[r] = Le32(c + h + 8);
    if (fam != AF_INET_ && fam != AF_INET6_ && fam != AF_MPLS_) return RowErr(r, kBadFamily, 0, h);
    const uint32_t alen = AddrLen(fam);
    uint32_t attrs = 0;
    AttrCursor& a = cur_;
    a.Reset(c, h + RTMSG_LEN, static_cast<size_t>(p) + len);
    while (a.Next()) {
      const uint16_t t = a.type;
      const uint32_t n = a.len;
      const uint32_t o = a.off;
      switch (t) {
        case RTA_DST:
          if (n != alen) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.dstOff[r] = o;
          b.dstAttrLen[r] = static_cast<uint8_t>(n);
          attrs |= kAttrDst;
          break;
        case RTA_GATEWAY:
          if (n != alen) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.gwOff[r] = o;
          b.gwLen[r] = static_cast<uint8_t>(n);
          b.gwFamily[r] = fam;
          attrs |= kAttrGateway;
          break;
        case RTA_PREFSRC:
          if (n != alen) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.srcOff[r] = o;
          b.srcLen[r] = static_cast<uint8_t>(n);
          attrs |= kAttrPrefSrc;
          break;
        case RTA_OIF:
          if (n != 4) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.oif[r] = Le32(c + o);
          attrs |= kAttrOif;
          break;
        case RTA_PRIORITY:
          if (n != 4) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.priority[r] = Le32(c + o);
          attrs |= kAttrPriority;
          break;
        case RTA_TABLE:
          if (n != 4) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.table[r] = Le32(c + o);
          attrs |= kAttrTable;
          break;
        case RTA_NH_ID:
          if (n != 4) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.nhId[r] = Le32(c + o);
          attrs |= kAttrNhId;
          break;
        case RTA_ENCAP_TYPE:
          if (n != 2) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.encapType[r] = Le16(c + o);
          attrs |= kAttrEncapType;
          break;
        case RTA_VIA: {
          const uint16_t vf = ViaFamily(c, o, n);
          if (vf == 0) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.gwOff[r] = o + 2;
          b.gwLen[r] = static_cast<uint8_t>(n - 2);
          b.gwFamily[r] = static_cast<uint8_t>(vf);
          attrs |= kAttrVia;
          break;
        }
        case RTA_NEWDST: {
          const uint8_t err = Labels(c, o, n);
          if (err != kRowOk) return Fail(r, attrs, err, t, a.hdr);
          b.labelStart[r] = lblStart_;
          b.labelCount[r] = static_cast<uint8_t>(lblCount_);
          attrs |= kAttrNewDst;
          break;
        }
        case RTA_ENCAP:
          if (!Encap(c, r, attrs, t, o, n, (attrs & kAttrEncapType) == 0 || b.encapType[r] == LWTUNNEL_ENCAP_MPLS)) return;
          b.labelStart[r] = lblStart_;
          b.labelCount[r] = static_cast<uint8_t>(lblCount_);
          b.encapOff[r] = o;
          b.encapLen[r] = static_cast<uint16_t>(n);
          attrs |= kAttrEncap;
          break;
        case RTA_MULTIPATH: {
          const uint32_t start = paths_;
          if (!Multipath(c, r, attrs, fam, alen, o, n)) return;
          b.pathStart[r] = start;
          b.pathCount[r] = static_cast<uint16_t>(paths_ - start);
          attrs |= kAttrMultipath;
          break;
        }
        default:
          break;  // unknown attributes are skipped
      }
    }
    b.attrs[r] = attrs;
    if (a.err != kRowOk) RowErr(r, a.err, a.errAttr, a.errOff);
  }

  /** RTM_NEWNEXTHOP/RTM_DELNEXTHOP: struct nhmsg then NHA_* attributes. */
  void Nexthop(const uint8_t* c, uint32_t r, uint32_t p, uint32_t len) {
    using namespace wire;
    const Batch& b = b_;
    if (len < NLMSG_HDRLEN + NHMSG_LEN) return RowErr(r, kShortBody, 0, p);
    const uint32_t h = p + NLMSG_HDRLEN;
    // struct nhmsg: family, scope, protocol, resvd, u32 nh_flags.
    const uint8_t fam = c[h];
    b.family[r] = fam;
    b.scope[r] = c[h + 1];
    b.protocol[r] = c[h + 2];
    b.flags[r] = Le32(c + h + 4);
    if (fam != AF_UNSPEC_ && fam != AF_INET_ && fam != AF_INET6_ && fam != AF_BRIDGE_)
      return RowErr(r, kBadFamily, 0, h);
    uint32_t attrs = 0;
    AttrCursor& a = cur_;
    a.Reset(c, h + NHMSG_LEN, static_cast<size_t>(p) + len);
    while (a.Next()) {
      const uint16_t t = a.type;
      const uint32_t n = a.len;
      const uint32_t o = a.off;
      switch (t) {
        case NHA_ID:
          if (n != 4) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.nhId[r] = Le32(c + o);
          attrs |= kAttrNhId;
          break;
        case NHA_OIF:
          if (n != 4) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.oif[r] = Le32(c + o);
          attrs |= kAttrOif;
          break;
        case NHA_FPM_BACKUP_NHG:
          if (n != 4) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.backupNhg[r] = Le32(c + o);
          attrs |= kAttrBackupNhg;
          break;
        case NHA_ENCAP_TYPE:
          if (n != 2) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.encapType[r] = Le16(c + o);
          attrs |= kAttrEncapType;
          break;
        case NHA_GROUP_TYPE:
          if (n != 2) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.groupType[r] = Le16(c + o);
          attrs |= kAttrGroupType;
          break;
        case NHA_BLACKHOLE:
          attrs |= kAttrBlackhole;  // a flag: any length
          break;
        case NHA_FDB:
          attrs |= kAttrFdb;
          break;
        case NHA_GATEWAY: {
          // The kernel sizes the gateway by nh_family (rtm_to_nh_config); groups and fdb
          // objects have none of their own, so either size is accepted for them.
          const bool ok = fam == AF_INET_ ? n == 4 : fam == AF_INET6_ ? n == 16 : (n == 4 || n == 16);
          if (!ok) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.gwOff[r] = o;
          b.gwLen[r] = static_cast<uint8_t>(n);
          // From the size: zebra 8.4.4 sends AF_UNSPEC singletons with an IPv4 gateway.
          b.gwFamily[r] = n == 4 ? AF_INET_ : AF_INET6_;
          attrs |= kAttrGateway;
          break;
        }
        case NHA_GROUP: {
          if (n == 0 || (n & 7) != 0) return Fail(r, attrs, kGroupBadSize, t, a.hdr);
          const uint32_t start = groups_;
          // struct nexthop_grp {u32 id; u8 weight; u8 weight_high; u16 resvd2} (linux/nexthop.h
          // since 6.12: weight_high was resvd1, so older senders leave it 0). Weight 1..65536.
          const uint32_t k = n >> 3;
          for (uint32_t g = 0; g < k; g++) {
            const uint8_t* m = c + o + 8 * g;
            b.gId[start + g] = Le32(m);
            b.gWeight[start + g] = static_cast<uint32_t>((m[4] | (m[5] << 8)) + 1);
          }
          groups_ += k;
          b.groupStart[r] = start;
          b.groupCount[r] = static_cast<uint16_t>(k);
          attrs |= kAttrGroup;
          break;
        }
        case NHA_ENCAP:
          if (!Encap(c, r, attrs, t, o, n, (attrs & kAttrEncapType) == 0 || b.encapType[r] == LWTUNNEL_ENCAP_MPLS)) return;
          b.labelStart[r] = lblStart_;
          b.labelCount[r] = static_cast<uint8_t>(lblCount_);
          b.encapOff[r] = o;
          b.encapLen[r] = static_cast<uint16_t>(n);
          attrs |= kAttrEncap;
          break;
        default:
          break;
      }
    }
    b.attrs[r] = attrs;
    if (a.err != kRowOk) RowErr(r, a.err, a.errAttr, a.errOff);
  }

  /** RTM_NEWNEIGH/RTM_DELNEIGH: struct ndmsg then NDA_* attributes. */
  void Neigh(const uint8_t* c, uint32_t r, uint32_t p, uint32_t len) {
    using namespace wire;
    const Batch& b = b_;
    if (len < NLMSG_HDRLEN + NDMSG_LEN) return RowErr(r, kShortBody, 0, p);
    const uint32_t h = p + NLMSG_HDRLEN;
    // struct ndmsg: family, pad1, u16 pad2, i32 ifindex, u16 state, u8 flags, u8 type.
    const uint8_t fam = c[h];
    b.family[r] = fam;
    b.oif[r] = Le32(c + h + 4);
    b.state[r] = Le16(c + h + 8);
    b.flags[r] = c[h + 10];
    b.rtype[r] = c[h + 11];
    uint32_t attrs = kAttrOif;
    if (fam != AF_BRIDGE_ && fam != AF_INET_ && fam != AF_INET6_) return Fail(r, attrs, kBadFamily, 0, h);
    AttrCursor& a = cur_;
    a.Reset(c, h + NDMSG_LEN, static_cast<size_t>(p) + len);
    while (a.Next()) {
      const uint16_t t = a.type;
      const uint32_t n = a.len;
      const uint32_t o = a.off;
      switch (t) {
        case NDA_DST: {
          const bool ok = fam == AF_BRIDGE_ ? (n == 4 || n == 16) : n == AddrLen(fam);
          if (!ok) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.dstOff[r] = o;
          b.dstAttrLen[r] = static_cast<uint8_t>(n);
          attrs |= kAttrDst;
          break;
        }
        case NDA_LLADDR:
          if (n < 1 || n > 32) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.lladdrOff[r] = o;
          b.lladdrLen[r] = static_cast<uint8_t>(n);
          attrs |= kAttrLlAddr;
          break;
        case NDA_VLAN:
          if (n != 2) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.vlan[r] = Le16(c + o);
          attrs |= kAttrVlan;
          break;
        case NDA_VNI:
          if (n != 4) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.vni[r] = Le32(c + o);
          attrs |= kAttrVni;
          break;
        case NDA_MASTER:
          if (n != 4) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.master[r] = Le32(c + o);
          attrs |= kAttrMaster;
          break;
        case NDA_NH_ID:
          if (n != 4) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.nhId[r] = Le32(c + o);
          attrs |= kAttrNhId;
          break;
        case NDA_PROTOCOL:
          if (n != 1) return Fail(r, attrs, kAttrBadSize, t, a.hdr);
          b.protocol[r] = c[o];
          attrs |= kAttrNdaProtocol;
          break;
        default:
          break;
      }
    }
    b.attrs[r] = attrs;
    if (a.err != kRowOk) RowErr(r, a.err, a.errAttr, a.errOff);
  }

  Batch b_;
  AttrCursor cur_;  // message-level attributes
  AttrCursor leg_;  // attributes nested in one rtnexthop
  AttrCursor enc_;  // attributes nested in RTA_ENCAP/NHA_ENCAP
  uint32_t rows_ = 0;
  uint32_t paths_ = 0;
  uint32_t groups_ = 0;
  uint32_t labels_ = 0;
  uint32_t zeroedTo_ = 0;  // rows [rows_, zeroedTo_) are all zero in this call
  uint32_t lblStart_ = 0;  // where the last label list landed
  uint32_t lblCount_ = 0;
};

}  // namespace fpm

#endif

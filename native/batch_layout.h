// The batch columns in contract order (mirror of ts/codec/layout.ts; names identical).
//
// X-macro lists: X(name, c_type). The order is the order of the column offsets JS hands over
// (layout.ts layoutOffsets: rows, paths, groups, labels). test/codec.native checks that
// columnNames() equals layout.ts ALL_COLUMN_NAMES and that the element sizes agree.
#ifndef FIBPUSH_BATCH_LAYOUT_H
#define FIBPUSH_BATCH_LAYOUT_H

#include <cstddef>
#include <cstdint>
#include <type_traits>

#define FPM_ROW_COLUMNS(X) \
  X(kind, uint8_t)         \
  X(msgType, uint16_t)     \
  X(nlFlags, uint16_t)     \
  X(seq, uint32_t)         \
  X(frameOff, uint32_t)    \
  X(msgOff, uint32_t)      \
  X(err, uint8_t)          \
  X(errAttr, uint16_t)     \
  X(errOff, uint32_t)      \
  X(family, uint8_t)       \
  X(attrs, uint32_t)       \
  X(dstLen, uint8_t)       \
  X(table, uint32_t)       \
  X(protocol, uint8_t)     \
  X(rtype, uint8_t)        \
  X(scope, uint8_t)        \
  X(flags, uint32_t)       \
  X(priority, uint32_t)    \
  X(nhId, uint32_t)        \
  X(oif, uint32_t)         \
  X(dstOff, uint32_t)      \
  X(dstAttrLen, uint8_t)   \
  X(gwOff, uint32_t)       \
  X(gwLen, uint8_t)        \
  X(gwFamily, uint8_t)     \
  X(srcOff, uint32_t)      \
  X(srcLen, uint8_t)       \
  X(lladdrOff, uint32_t)   \
  X(lladdrLen, uint8_t)    \
  X(encapType, uint16_t)   \
  X(labelStart, uint32_t)  \
  X(labelCount, uint8_t)   \
  X(pathStart, uint32_t)   \
  X(pathCount, uint16_t)   \
  X(groupStart, uint32_t)  \
  X(groupCount, uint16_t)  \
  X(groupType, uint16_t)   \
  X(backupNhg, uint32_t)   \
  X(state, uint16_t)       \
  X(vlan, uint16_t)        \
  X(master, uint32_t)      \
  X(vni, uint32_t)         \
  X(encapOff, uint32_t)    \
  X(encapLen, uint16_t)

#define FPM_PATH_COLUMNS(X) \
  X(pIfindex, uint32_t)     \
  X(pWeight, uint16_t)      \
  X(pFlags, uint8_t)        \
  X(pGwOff, uint32_t)       \
  X(pGwLen, uint8_t)        \
  X(pGwFamily, uint8_t)     \
  X(pEncapType, uint16_t)   \
  X(pLabelStart, uint32_t)  \
  X(pLabelCount, uint8_t)

#define FPM_GROUP_COLUMNS(X) \
  X(gId, uint32_t)           \
  X(gWeight, uint32_t)

#define FPM_LABEL_COLUMNS(X) X(label, uint32_t)

#define FPM_ALL_COLUMNS(X) \
  FPM_ROW_COLUMNS(X)       \
  FPM_PATH_COLUMNS(X)      \
  FPM_GROUP_COLUMNS(X)     \
  FPM_LABEL_COLUMNS(X)

namespace fpm {

/** Meta slots (layout.ts Meta). */
enum Meta : int {
  kMetaRows = 0,
  kMetaPaths = 1,
  kMetaGroups = 2,
  kMetaLabels = 3,
  kMetaConsumed = 4,
  kMetaStreamErr = 5,
  kMetaStreamErrOff = 6,
  kMetaFrames = 7,
  kMetaSize = 8,
};

/** Row kinds (layout.ts Kind). */
enum Kind : uint8_t { kKindRoute = 0, kKindNexthop = 1, kKindNeigh = 2, kKindDone = 3, kKindOther = 4 };

/** Bits of the `attrs` column (layout.ts Attr). */
enum Attr : uint32_t {
  kAttrDst = 1u << 0,
  kAttrTable = 1u << 1,
  kAttrPriority = 1u << 2,
  kAttrNhId = 1u << 3,
  kAttrGateway = 1u << 4,
  kAttrOif = 1u << 5,
  kAttrPrefSrc = 1u << 6,
  kAttrMultipath = 1u << 7,
  kAttrEncapType = 1u << 8,
  kAttrEncap = 1u << 9,
  kAttrVia = 1u << 10,
  kAttrNewDst = 1u << 11,
  kAttrGroup = 1u << 12,
  kAttrGroupType = 1u << 13,
  kAttrBlackhole = 1u << 14,
  kAttrFdb = 1u << 15,
  kAttrBackupNhg = 1u << 16,
  kAttrLlAddr = 1u << 17,
  kAttrVlan = 1u << 18,
  kAttrMaster = 1u << 19,
  kAttrNdaProtocol = 1u << 20,
  kAttrVni = 1u << 21,
};

/** Minimum capacities (layout.ts MIN_*): one 65535-byte frame always fits an empty batch. */
constexpr uint32_t kMinRows = 4096;
constexpr uint32_t kMinPaths = 8192;
constexpr uint32_t kMinGroups = 8192;
constexpr uint32_t kMinLabels = 16384;

/** Which side table a column belongs to (its length is that table's capacity). */
enum Table : int { kTableRows = 0, kTablePaths = 1, kTableGroups = 2, kTableLabels = 3 };

/** Column pointers into memory owned elsewhere (a JS ArrayBuffer, or the fuzzer's vectors). */
struct Batch {
#define FPM_X(name, type) type* name = nullptr;
  FPM_ALL_COLUMNS(FPM_X)
#undef FPM_X
  uint32_t capRows = 0;
  uint32_t capPaths = 0;
  uint32_t capGroups = 0;
  uint32_t capLabels = 0;
};

struct ColumnInfo {
  const char* name;
  uint32_t size;
  Table table;
};

constexpr ColumnInfo kColumns[] = {
#define FPM_X(name, type) {#name, sizeof(type), kTableRows},
    FPM_ROW_COLUMNS(FPM_X)
#undef FPM_X
#define FPM_X(name, type) {#name, sizeof(type), kTablePaths},
    FPM_PATH_COLUMNS(FPM_X)
#undef FPM_X
#define FPM_X(name, type) {#name, sizeof(type), kTableGroups},
    FPM_GROUP_COLUMNS(FPM_X)
#undef FPM_X
#define FPM_X(name, type) {#name, sizeof(type), kTableLabels},
    FPM_LABEL_COLUMNS(FPM_X)
#undef FPM_X
};
constexpr size_t kColumnCount = sizeof(kColumns) / sizeof(kColumns[0]);

/**
 * Points `b`'s columns into `base` at `offsets` (contract order). Returns nullptr, or what is
 * wrong: every column must be aligned to its element size and lie inside [0, byteLength).
 */
inline const char* BindBatch(Batch& b, uint8_t* base, size_t byteLength, const uint32_t* offsets, size_t count,
                             const uint32_t caps[4]) {
  if (count != kColumnCount) return "column count differs from native/batch_layout.h";
  if (caps[0] < kMinRows || caps[1] < kMinPaths || caps[2] < kMinGroups || caps[3] < kMinLabels)
    return "capacities below the minimums (layout.ts MIN_*)";
  size_t i = 0;
  const char* bad = nullptr;
  auto place = [&](auto*& col, uint32_t size, uint32_t cap) {
    uint64_t off = offsets[i++];
    if (off % size != 0 || (reinterpret_cast<uintptr_t>(base) + off) % size != 0) bad = "misaligned column";
    if (off + static_cast<uint64_t>(size) * cap > byteLength) bad = "column outside the buffer";
    if (!bad) col = reinterpret_cast<std::remove_reference_t<decltype(col)>>(base + off);
  };
#define FPM_X(name, type) place(b.name, sizeof(type), caps[0]);
  FPM_ROW_COLUMNS(FPM_X)
#undef FPM_X
#define FPM_X(name, type) place(b.name, sizeof(type), caps[1]);
  FPM_PATH_COLUMNS(FPM_X)
#undef FPM_X
#define FPM_X(name, type) place(b.name, sizeof(type), caps[2]);
  FPM_GROUP_COLUMNS(FPM_X)
#undef FPM_X
#define FPM_X(name, type) place(b.name, sizeof(type), caps[3]);
  FPM_LABEL_COLUMNS(FPM_X)
#undef FPM_X
  if (bad) return bad;
  b.capRows = caps[0];
  b.capPaths = caps[1];
  b.capGroups = caps[2];
  b.capLabels = caps[3];
  return nullptr;
}

}  // namespace fpm

#endif

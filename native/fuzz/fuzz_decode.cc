// libFuzzer harness for native/fpm_decode.h: arbitrary bytes never crash, over-read or break invariants.
//
// Build and run: native/fuzz/run.sh [SECONDS] (clang++ -fsanitize=fuzzer,address,undefined).
// The input is placed inside a bigger buffer whose bytes before `start` and after `end` are
// ASan-poisoned, so a read outside [start, end) is reported even though it is inside the block.
#include <sanitizer/asan_interface.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "batch_layout.h"
#include "fpm_decode.h"

namespace {

constexpr size_t kGuard = 16;

#define CHECK(cond)                    \
  do {                                 \
    if (!(cond)) __builtin_trap();     \
  } while (0)

/** One batch at the minimum capacities, laid out like layout.ts layoutOffsets. */
struct Storage {
  std::vector<uint64_t> mem;
  fpm::Batch batch;
  Storage() {
    const uint32_t caps[4] = {fpm::kMinRows, fpm::kMinPaths, fpm::kMinGroups, fpm::kMinLabels};
    std::vector<uint32_t> offsets;
    uint64_t off = 0;
    for (size_t i = 0; i < fpm::kColumnCount; i++) {
      off = (off + 7) & ~uint64_t{7};
      offsets.push_back(static_cast<uint32_t>(off));
      off += static_cast<uint64_t>(fpm::kColumns[i].size) * caps[fpm::kColumns[i].table];
    }
    mem.resize((off + 7) / 8);
    const char* bad = fpm::BindBatch(batch, reinterpret_cast<uint8_t*>(mem.data()), mem.size() * 8, offsets.data(),
                                     offsets.size(), caps);
    CHECK(bad == nullptr);
  }
};

struct Row {
  uint32_t msgOff;
  uint8_t kind;
  uint8_t err;
  uint16_t errAttr;
};

/**
 * Decodes buf[start, end) call by call like the stream reader, checking every output invariant;
 * appends the rows and returns where decoding stopped (a partial tail or the stream error).
 */
uint32_t DecodeAll(fpm::Decoder& d, const fpm::Batch& b, const uint8_t* buf, uint32_t start, uint32_t end,
               std::vector<Row>* rows, int32_t* streamErr, uint32_t* streamErrOff) {
  int32_t meta[fpm::kMetaSize];
  uint32_t s = start;
  *streamErr = 0;
  for (;;) {
    d.Decode(buf, s, end, meta);
    const uint32_t consumed = static_cast<uint32_t>(meta[fpm::kMetaConsumed]);
    const uint32_t nRows = static_cast<uint32_t>(meta[fpm::kMetaRows]);
    const uint32_t nPaths = static_cast<uint32_t>(meta[fpm::kMetaPaths]);
    const uint32_t nGroups = static_cast<uint32_t>(meta[fpm::kMetaGroups]);
    const uint32_t nLabels = static_cast<uint32_t>(meta[fpm::kMetaLabels]);
    CHECK(consumed <= end - s);
    CHECK(nRows <= b.capRows && nPaths <= b.capPaths && nGroups <= b.capGroups && nLabels <= b.capLabels);
    const uint32_t lo = s;
    const uint32_t hi = s + consumed;  // rows come from whole frames inside [lo, hi)
    auto inside = [&](uint32_t off, uint32_t len) { return off == 0 ? len == 0 : off >= lo && off + len <= hi; };
    for (uint32_t i = 0; i < nRows; i++) {
      CHECK(b.frameOff[i] >= lo && b.frameOff[i] + 4 <= hi);
      CHECK(b.msgOff[i] >= b.frameOff[i] + 4 && b.msgOff[i] + 16 <= hi);
      CHECK(b.kind[i] <= fpm::kKindOther);
      CHECK(b.err[i] <= fpm::kEncapBad);
      if (b.err[i] != 0) CHECK(b.errOff[i] >= b.msgOff[i] && b.errOff[i] < hi);
      CHECK(inside(b.dstOff[i], b.dstAttrLen[i]));
      CHECK(inside(b.gwOff[i], b.gwLen[i]));
      CHECK(inside(b.srcOff[i], b.srcLen[i]));
      CHECK(inside(b.lladdrOff[i], b.lladdrLen[i]));
      CHECK(b.labelCount[i] <= 16 && b.labelStart[i] + b.labelCount[i] <= nLabels);
      CHECK(b.pathStart[i] + b.pathCount[i] <= nPaths);
      CHECK(b.groupStart[i] + b.groupCount[i] <= nGroups);
      if (rows) rows->push_back(Row{b.msgOff[i], b.kind[i], b.err[i], b.errAttr[i]});
    }
    for (uint32_t p = 0; p < nPaths; p++) {
      CHECK(inside(b.pGwOff[p], b.pGwLen[p]));
      CHECK(b.pLabelCount[p] <= 16 && b.pLabelStart[p] + b.pLabelCount[p] <= nLabels);
    }
    if (meta[fpm::kMetaStreamErr] != 0) {
      CHECK(meta[fpm::kMetaStreamErr] <= fpm::kNlmsgPastFrame);
      const uint32_t eo = static_cast<uint32_t>(meta[fpm::kMetaStreamErrOff]);
      CHECK(eo >= hi && eo < end);
      *streamErr = meta[fpm::kMetaStreamErr];
      *streamErrOff = eo;
      return hi;
    }
    if (consumed == 0) return s;
    s += consumed;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Storage st;
  static fpm::Decoder dec(st.batch);
  if (size > 1u << 20) return 0;

  std::vector<uint8_t> block(size + 2 * kGuard);
  if (size) std::memcpy(block.data() + kGuard, data, size);
  const uint32_t start = kGuard;
  const uint32_t end = static_cast<uint32_t>(kGuard + size);
  ASAN_POISON_MEMORY_REGION(block.data(), kGuard);
  ASAN_POISON_MEMORY_REGION(block.data() + end, kGuard);

  std::vector<Row> whole;
  int32_t err1 = 0, err2 = 0;
  uint32_t off1 = 0, off2 = 0;
  DecodeAll(dec, st.batch, block.data(), start, end, &whole, &err1, &off1);

  // Split invariance: decode up to an arbitrary cut, then resume where that stopped (the tail
  // is still in place): the same rows and the same stream error as in one pass.
  const uint32_t cut = start + (size ? static_cast<uint32_t>((data[size - 1] * 131u + size * 7u) % (size + 1)) : 0);
  std::vector<Row> parts;
  const uint32_t stop = DecodeAll(dec, st.batch, block.data(), start, cut, &parts, &err2, &off2);
  CHECK(stop >= start && stop <= cut);
  if (err2 == 0) DecodeAll(dec, st.batch, block.data(), stop, end, &parts, &err2, &off2);
  CHECK(err1 == err2 && off1 == off2);
  CHECK(parts.size() == whole.size());
  for (size_t i = 0; i < whole.size(); i++) {
    CHECK(parts[i].msgOff == whole[i].msgOff && parts[i].kind == whole[i].kind && parts[i].err == whole[i].err &&
          parts[i].errAttr == whole[i].errAttr);
  }

  ASAN_UNPOISON_MEMORY_REGION(block.data(), kGuard);
  ASAN_UNPOISON_MEMORY_REGION(block.data() + end, kGuard);
  return 0;
}

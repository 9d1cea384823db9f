// Decoder error codes (mirror of ts/codec/codes.ts).
#ifndef FIBPUSH_CODES_H
#define FIBPUSH_CODES_H

#include <cstdint>

namespace fpm {

/** The FPM stream is broken from here on; the caller drops the connection. */
enum StreamError : int32_t {
  kStreamOk = 0,
  kBadVersion = 1,        // FPM header version != 1
  kBadType = 2,           // FPM header type != 1 (netlink)
  kShortFrame = 3,        // FPM length < 4
  kShortNlmsg = 4,        // bytes left in the frame, but fewer than a 16-byte nlmsghdr
  kNlmsgLenTooSmall = 5,  // nlmsg_len < 16
  kNlmsgPastFrame = 6,    // nlmsg_len runs past the end of its frame
};

/** This message is bad: marked, counted, skipped; decoding goes on. */
enum RowError : uint8_t {
  kRowOk = 0,
  kShortBody = 1,
  kAttrTruncated = 2,
  kAttrBadSize = 3,
  kBadFamily = 4,
  kTooManyLabels = 5,
  kMultipathTruncated = 6,
  kGroupBadSize = 7,
  kEncapBad = 8,
};

}  // namespace fpm

#endif

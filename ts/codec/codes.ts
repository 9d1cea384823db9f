// Decoder error codes, shared by the native and the reference decoder (native/codes.h mirrors them).

/** Stream errors: the FPM stream is broken from here on; the caller drops the connection. */
export const enum StreamError {
  None = 0,
  BadVersion = 1, // FPM header version != 1
  BadType = 2, // FPM header type != 1 (netlink)
  ShortFrame = 3, // FPM length < 4
  ShortNlmsg = 4, // bytes left in the frame, but fewer than a 16-byte nlmsghdr
  NlmsgLenTooSmall = 5, // nlmsg_len < 16
  NlmsgPastFrame = 6, // nlmsg_len runs past the end of its frame
}

/** Row errors: this message is bad; it is marked, counted and skipped, decoding goes on. */
export const enum RowError {
  None = 0,
  ShortBody = 1, // payload shorter than rtmsg (12) / nhmsg (8) / ndmsg (12)
  AttrTruncated = 2, // rta_len < 4, or the attribute runs past the end of its message/parent
  AttrBadSize = 3, // fixed-size attribute with the wrong length (u32 not 4, address not 4/16, ...)
  BadFamily = 4, // family not allowed for this message type
  TooManyLabels = 5, // more than 16 label entries in one stack
  MultipathTruncated = 6, // rtnh_len < 8 or past the end of RTA_MULTIPATH
  GroupBadSize = 7, // NHA_GROUP length not a multiple of 8 (or zero)
  EncapBad = 8, // RTA_ENCAP/NHA_ENCAP nested attributes malformed, or labels not a multiple of 4
}

export const STREAM_ERROR_NAMES: Record<number, string> = {
  0: 'NONE',
  1: 'FPM_BAD_VERSION',
  2: 'FPM_BAD_TYPE',
  3: 'FPM_SHORT_FRAME',
  4: 'NLMSG_SHORT_HEADER',
  5: 'NLMSG_LEN_TOO_SMALL',
  6: 'NLMSG_PAST_FRAME',
};

export const ROW_ERROR_NAMES: Record<number, string> = {
  0: 'NONE',
  1: 'SHORT_BODY',
  2: 'ATTR_TRUNCATED',
  3: 'ATTR_BAD_SIZE',
  4: 'BAD_FAMILY',
  5: 'TOO_MANY_LABELS',
  6: 'MULTIPATH_TRUNCATED',
  7: 'GROUP_BAD_SIZE',
  8: 'ENCAP_BAD',
};

/** A broken FPM stream. `.code` is the StreamError name, `.offset` the byte offset in the stream. */
export class FpmFrameError extends Error {
  readonly code: string;
  readonly offset: number;
  constructor(code: number, offset: number, detail = '') {
    const name = STREAM_ERROR_NAMES[code] ?? `STREAM_ERROR_${code}`;
    super(`FPM stream error ${name} at byte ${offset}${detail ? `: ${detail}` : ''}`);
    this.name = 'FpmFrameError';
    this.code = name;
    this.offset = offset;
  }
}

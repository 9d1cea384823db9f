// Protocol numbers every part shares (the encoder, the reference decoder, the feedback writer,
// the daemon), and the decoder error codes of both decoders (native/codes.h mirrors those).

// ---- netlink (linux/netlink.h, linux/rtnetlink.h, linux/socket.h) ----
/** nlmsg_type: end of a multipart dump. */
export const NLMSG_DONE = 3;
/** nlmsg_type values zebra's dplane_fpm_nl sends (and fibpush sends back as feedback). */
export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_NEWNEIGH = 28;
export const RTM_DELNEIGH = 29;
export const RTM_NEWNEXTHOP = 104;
export const RTM_DELNEXTHOP = 105;

/** rtm_type (enum rtn_type). */
export const RTN_UNSPEC = 0;
export const RTN_UNICAST = 1;
export const RTN_BLACKHOLE = 6;
export const RTN_UNREACHABLE = 7;
export const RTN_PROHIBIT = 8;

/** Address families. */
export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_BRIDGE = 7;
export const AF_INET6 = 10;
export const AF_MPLS = 28;

// ---- decoder error codes ----

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

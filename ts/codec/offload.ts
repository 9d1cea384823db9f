// The offload notification for an IP route (docs/fpm-extensions.md section 3), written in one go.
//
// fibpush sends one per route zebra gave it: 1.23M for a full table. FpmEncoder's general path
// (header, struct, attributes, each through Buffer's checked writers) cost about half a
// microsecond a frame; this writes the fixed layout with plain byte stores. FpmEncoder.offload
// uses it for IP routes, so the encoder's tests check its bytes.
import { AF_INET, RTM_NEWROUTE } from './codes';

const NLM_F_REQUEST = 0x1;
const RTM_F_OFFLOAD = 0x4000;
const RTM_F_OFFLOAD_FAILED = 0x20000000;
const RTA_DST = 1;
const RTA_TABLE = 15;

/** The longest offload frame: FPM header 4 + nlmsghdr 16 + rtmsg 12 + RTA_DST 20 + RTA_TABLE 8. */
export const OFFLOAD_MAX_FRAME = 60;

function u16(b: Uint8Array, p: number, v: number): void {
  b[p] = v & 0xff;
  b[p + 1] = (v >>> 8) & 0xff;
}

function u32(b: Uint8Array, p: number, v: number): void {
  b[p] = v & 0xff;
  b[p + 1] = (v >>> 8) & 0xff;
  b[p + 2] = (v >>> 16) & 0xff;
  b[p + 3] = (v >>> 24) & 0xff;
}

/**
 * Writes RTM_NEWROUTE + NLM_F_REQUEST for the IP route `addr` (its first 4 bytes for AF_INET, 16
 * for AF_INET6) / `dstLen` in `table` (in rtm_table below 256, else RTA_TABLE with rtm_table 0),
 * echoing `protocol` and `rtype`, flagged RTM_F_OFFLOAD or RTM_F_OFFLOAD_FAILED, as one FPM frame
 * at `buf[pos]`, which must have OFFLOAD_MAX_FRAME bytes of room. Returns the frame's length.
 */
export function writeOffloadFrame(
  buf: Uint8Array,
  pos: number,
  family: number,
  addr: Uint8Array,
  dstLen: number,
  table: number,
  protocol: number,
  rtype: number,
  failed: boolean,
  seq = 0,
  pid = 0,
): number {
  const alen = family === AF_INET ? 4 : 16;
  const big = table >= 256;
  const msgLen = 16 + 12 + 4 + alen + (big ? 8 : 0);
  const b = buf;
  let p = pos;
  // FPM header: version 1, type netlink, length (big-endian) including itself.
  b[p] = 1;
  b[p + 1] = 1;
  b[p + 2] = ((msgLen + 4) >>> 8) & 0xff;
  b[p + 3] = (msgLen + 4) & 0xff;
  p += 4;
  u32(b, p, msgLen);
  u16(b, p + 4, RTM_NEWROUTE);
  u16(b, p + 6, NLM_F_REQUEST);
  u32(b, p + 8, seq >>> 0);
  u32(b, p + 12, pid >>> 0);
  p += 16;
  // struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags.
  b[p] = family;
  b[p + 1] = dstLen;
  b[p + 2] = 0;
  b[p + 3] = 0;
  b[p + 4] = big ? 0 : table;
  b[p + 5] = protocol;
  b[p + 6] = 0;
  b[p + 7] = rtype;
  u32(b, p + 8, failed ? RTM_F_OFFLOAD_FAILED : RTM_F_OFFLOAD);
  p += 12;
  u16(b, p, 4 + alen);
  u16(b, p + 2, RTA_DST);
  for (let i = 0; i < alen; i++) b[p + 4 + i] = addr[i];
  p += 4 + alen;
  if (big) {
    u16(b, p, 8);
    u16(b, p + 2, RTA_TABLE);
    u32(b, p + 4, table >>> 0);
    p += 8;
  }
  return p - pos;
}

// Which change lane a route's rtm_protocol drains in (connected/static first, IGP next, BGP and the rest last).
import { Lane } from './types';

// Protocol numbers: include/uapi/linux/rtnetlink.h (RTPROT_*) and FRR lib/zebra.h / zebra/rt_netlink.h
// (zebra2proto: RTPROT_BGP 186, ISIS 187, OSPF 188, RIP 189, RIPNG 190, NHRP 191, EIGRP 192, LDP 193,
// SHARP 194, PBR 195, ZSTATIC 196, OPENFABRIC 197, SRTE 198).
const CONNECTED = [0, 1, 2, 3, 4, 11, 16, 196]; // unspec, redirect, kernel, boot, static, zebra, dhcp, zstatic
const IGP = [42, 187, 188, 189, 190, 191, 192, 193, 197]; // babel, isis, ospf, rip, ripng, nhrp, eigrp, ldp, openfabric

/** rtm_protocol -> Lane, one byte per protocol number. */
export const LANE_OF_PROTOCOL: Uint8Array = (() => {
  const t = new Uint8Array(256).fill(Lane.Bgp);
  for (const p of CONNECTED) t[p] = Lane.Connected;
  for (const p of IGP) t[p] = Lane.Igp;
  return t;
})();

export function laneOf(protocol: number): Lane {
  return LANE_OF_PROTOCOL[protocol & 0xff];
}

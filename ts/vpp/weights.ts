// Nexthop weights as VPP can hold them.
//
// zebra weighs the legs of a group 1..256 on the wire of FRR <= 10.3 (struct nexthop_grp.weight,
// a u8 holding weight - 1; zebra 10.3 scales BGP link-bandwidth weights to 1..254,
// zebra/zapi_msg.c zapi_read_nexthops with zrouter.nexthop_weight_scale_value) and up to 65536
// once it uses the kernel's weight_high byte (linux/nexthop.h since 6.12). VPP's fib_path.weight
// is a u8 (fib_types.api), 1..255. A weight of 256 or more cannot be written as it is, and
// clamping it would change the split (256:1 and 255:1 are different).
//
// scaleWeights keeps a group as it is when every weight fits, and otherwise scales all of them by
// the same factor 255 / max, rounding to the nearest integer, at least 1. The error bound, which
// test/vpp.weights.test.ts checks:
//   - the heaviest leg becomes exactly 255;
//   - each leg's weight relative to the heaviest, w'/255 against w/max, is off by at most
//     0.5/255 (one half step of VPP's scale, under 0.2 percentage points) ...
//   - ... except legs lighter than max/510, which round to 0 and are raised to 1 (a leg zebra
//     installs must keep forwarding): their relative weight is at most 1/255 where it was
//     below 0.5/255.
// So the traffic share s of a leg in a group of n legs moves by at most (e + s * n * e) / W',
// W' the sum of the scaled weights (>= 255), e = 0.5, or 1 when some leg was raised to 1: each
// scaled weight is k*w + e_i with |e_i| <= e, and s' - s = (e_i - s * sum(e_j)) / W'. With 2
// legs that is under 0.4 percentage points.

/** VPP's fib_path.weight is a u8; 0 is not a weight. */
export const VPP_MAX_WEIGHT = 255;

/** The weights VPP gets for legs weighted `w` (each >= 1): unchanged when all fit in a u8. */
export function scaleWeights(w: readonly number[]): number[] {
  let max = 0;
  for (const x of w) if (x > max) max = x;
  if (max <= VPP_MAX_WEIGHT) return w.map((x) => (x >= 1 ? Math.floor(x) : 1));
  return w.map((x) => Math.max(1, Math.round((x * VPP_MAX_WEIGHT) / max)));
}

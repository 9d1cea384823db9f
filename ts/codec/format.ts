// Decoded rows for people: `ip monitor`-style text lines, JSON objects, row-error messages.
//
// Text follows iproute2 6.1's print_route (ip/iproute.c), print_nexthop (ip/ipnexthop.c) and
// print_neigh (ip/ipneigh.c) as seen in test/fixtures/frr-8.4/*.ipmon.txt, with three
// deliberate differences: interfaces are printed as their ifindex (`dev 3`: we have no namespace
// to resolve names in), multipath legs stay on the message's line (` nexthop via ... dev 2
// weight 1`), and route encap/multipath are shown even though iproute2's monitor drops them
// (its parse_rtattr does not mask NLA_F_NESTED, which zebra sets on RTA_MULTIPATH and RTA_ENCAP).
//
// messageFromRow() turns a row back into the encoder's message description (ts/codec/encoder.ts),
// with every field explicit, so that encoding it reproduces the message: the JSON output and the
// re-encoding tests share it.
import { Attr, Batch, Kind } from './layout';
import { RowError, ROW_ERROR_NAMES } from './codes';
import {
  Addr,
  AF_BRIDGE,
  AF_INET,
  AF_INET6,
  AF_MPLS,
  AF_UNSPEC,
  NexthopMsg,
  NeighMsg,
  PathSpec,
  RouteMsg,
  RTM_DELNEIGH,
  RTM_DELNEXTHOP,
  RTM_DELROUTE,
  RTM_F_OFFLOAD,
  RTM_F_OFFLOAD_FAILED,
} from './encoder';

// ---- names ----

const FAMILY: Record<number, string> = { [AF_UNSPEC]: 'unspec', [AF_INET]: 'inet', [AF_BRIDGE]: 'bridge', [AF_INET6]: 'inet6', [AF_MPLS]: 'mpls' };

const MSG_TYPE: Record<number, string> = {
  3: 'NLMSG_DONE',
  24: 'RTM_NEWROUTE',
  25: 'RTM_DELROUTE',
  28: 'RTM_NEWNEIGH',
  29: 'RTM_DELNEIGH',
  104: 'RTM_NEWNEXTHOP',
  105: 'RTM_DELNEXTHOP',
};

/** iproute2's rtnl_rtntype_n2a. */
const RTN: Record<number, string> = {
  0: 'none',
  1: 'unicast',
  2: 'local',
  3: 'broadcast',
  4: 'anycast',
  5: 'multicast',
  6: 'blackhole',
  7: 'unreachable',
  8: 'prohibit',
  9: 'throw',
  10: 'nat',
  11: 'xresolve',
};

/** iproute2's built-in protocol names plus FRR's rt_protos.d/frr.conf (which names 196 "static"). */
const PROTO: Record<number, string> = {
  0: 'unspec',
  1: 'redirect',
  2: 'kernel',
  3: 'boot',
  4: 'static',
  11: 'zebra',
  16: 'dhcp',
  42: 'babel',
  186: 'bgp',
  187: 'isis',
  188: 'ospf',
  189: 'rip',
  190: 'ripng',
  191: 'nhrp',
  192: 'eigrp',
  193: 'ldp',
  194: 'sharp',
  195: 'pbr',
  196: 'static',
  197: 'openfabric',
  198: 'srte',
};

const SCOPE: Record<number, string> = { 0: 'global', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' };

/** linux/neighbour.h NUD_* in iproute2's print order. */
const NUD: [number, string][] = [
  [0x01, 'INCOMPLETE'],
  [0x02, 'REACHABLE'],
  [0x04, 'STALE'],
  [0x08, 'DELAY'],
  [0x10, 'PROBE'],
  [0x20, 'FAILED'],
  [0x40, 'NOARP'],
  [0x80, 'PERMANENT'],
];

const RTA_NAMES: Record<number, string> = {
  1: 'RTA_DST',
  2: 'RTA_SRC',
  4: 'RTA_OIF',
  5: 'RTA_GATEWAY',
  6: 'RTA_PRIORITY',
  7: 'RTA_PREFSRC',
  9: 'RTA_MULTIPATH',
  15: 'RTA_TABLE',
  18: 'RTA_VIA',
  19: 'RTA_NEWDST',
  21: 'RTA_ENCAP_TYPE',
  22: 'RTA_ENCAP',
  30: 'RTA_NH_ID',
};
const NHA_NAMES: Record<number, string> = {
  1: 'NHA_ID',
  2: 'NHA_GROUP',
  3: 'NHA_GROUP_TYPE',
  4: 'NHA_BLACKHOLE',
  5: 'NHA_OIF',
  6: 'NHA_GATEWAY',
  7: 'NHA_ENCAP_TYPE',
  8: 'NHA_ENCAP',
  11: 'NHA_FDB',
  0x3f01: 'NHA_FPM_BACKUP_NHG',
};
const NDA_NAMES: Record<number, string> = {
  1: 'NDA_DST',
  2: 'NDA_LLADDR',
  5: 'NDA_VLAN',
  7: 'NDA_VNI',
  9: 'NDA_MASTER',
  12: 'NDA_PROTOCOL',
  13: 'NDA_NH_ID',
};

/** Attribute name for error messages, e.g. `RTA_PRIORITY(6)`. */
export function attrName(kind: number, type: number): string {
  const t = kind === Kind.Nexthop ? NHA_NAMES : kind === Kind.Neigh ? NDA_NAMES : RTA_NAMES;
  const prefix = kind === Kind.Nexthop ? 'NHA' : kind === Kind.Neigh ? 'NDA' : 'RTA';
  return `${t[type] ?? `${prefix}_${type}`}(${type})`;
}

export function msgTypeName(t: number): string {
  return MSG_TYPE[t] ?? `NLMSG_TYPE_${t}`;
}

export function familyName(f: number): string {
  return FAMILY[f] ?? String(f);
}

export function protoName(p: number): string {
  return PROTO[p] ?? String(p);
}

// ---- bytes ----

function u32le(c: Uint8Array, p: number): number {
  return (c[p] | (c[p + 1] << 8) | (c[p + 2] << 16) | (c[p + 3] << 24)) >>> 0;
}

function u32be(c: Uint8Array, p: number): number {
  return ((c[p] << 24) | (c[p + 1] << 16) | (c[p + 2] << 8) | c[p + 3]) >>> 0;
}

/** An Addr as text: given as text it is printed as given, as bytes in inet_ntop's form. */
function addrText(a: Addr): string {
  return typeof a === 'string' ? a : formatIp(a, 0, a.length);
}

/** An IPv4/IPv6 address from its bytes, in inet_ntop's form (RFC 5952 zero compression). */
export function formatIp(c: Uint8Array, off: number, len: number): string {
  if (len === 4) return `${c[off]}.${c[off + 1]}.${c[off + 2]}.${c[off + 3]}`;
  if (len !== 16) return Buffer.from(c.subarray(off, off + len)).toString('hex');
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((c[off + 2 * i] << 8) | c[off + 2 * i + 1]);
  // longest run of >= 2 zero words (the first such on ties) becomes "::"
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  // IPv4-mapped ::ffff:a.b.c.d as inet_ntop prints it
  if (best === 0 && bestLen === 5 && w[5] === 0xffff) return `::ffff:${c[off + 12]}.${c[off + 13]}.${c[off + 14]}.${c[off + 15]}`;
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(w);
  return `${hex(w.slice(0, best))}::${hex(w.slice(best + bestLen))}`;
}

export function formatMac(c: Uint8Array, off: number, len: number): string {
  const parts: string[] = [];
  for (let i = 0; i < len; i++) parts.push(c[off + i].toString(16).padStart(2, '0'));
  return parts.join(':');
}

function labelList(b: Batch, start: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(b.label[start + i] >>> 12);
  return out;
}

// ---- rows as encoder messages ----

export type DecodedMessage =
  | ({ kind: 'route' } & RouteMsg)
  | ({ kind: 'nexthop' } & NexthopMsg)
  | ({ kind: 'neigh' } & NeighMsg)
  | { kind: 'done'; seq: number; nlFlags: number }
  | { kind: 'other'; msgType: number; seq: number; nlFlags: number };

/**
 * Row `i` of a good row as the encoder's message description, every field explicit (absent
 * attributes are undefined, an absent RTA_PRIORITY / NDA_PROTOCOL is null). Addresses are text,
 * labels are label values (the 20-bit field; zebra writes TC 0, TTL 0 and BoS on the last entry,
 * which is what the encoder writes back). nlmsg_pid is not in the batch and is left out. A route
 * without RTA_DST (zebra always sends one, zeros for a default route) gets the zero address.
 */
export function messageFromRow(b: Batch, i: number, c: Uint8Array): DecodedMessage {
  const kind = b.kind[i];
  const attrs = b.attrs[i];
  const seq = b.seq[i];
  const nlFlags = b.nlFlags[i];
  const has = (a: Attr) => (attrs & a) !== 0;
  if (kind === Kind.Route) {
    const family = b.family[i];
    const r: { kind: 'route' } & RouteMsg = {
      kind: 'route',
      del: b.msgType[i] === RTM_DELROUTE,
      family,
      dst: family === AF_MPLS ? 0 : family === AF_INET6 ? '::' : '0.0.0.0',
      dstLen: b.dstLen[i],
      table: b.table[i],
      protocol: b.protocol[i],
      rtype: b.rtype[i],
      scope: b.scope[i],
      flags: b.flags[i],
      priority: has(Attr.Priority) ? b.priority[i] : null,
      nlFlags,
      seq,
    };
    if (has(Attr.Dst)) {
      r.dst = family === AF_MPLS ? u32be(c, b.dstOff[i]) >>> 12 : formatIp(c, b.dstOff[i], b.dstAttrLen[i]);
    }
    if (has(Attr.NhId)) r.nhId = b.nhId[i];
    if (has(Attr.Gateway)) r.gateway = formatIp(c, b.gwOff[i], b.gwLen[i]);
    if (has(Attr.Via)) r.via = formatIp(c, b.gwOff[i], b.gwLen[i]);
    if (has(Attr.Oif)) r.oif = b.oif[i];
    if (has(Attr.PrefSrc)) r.prefSrc = formatIp(c, b.srcOff[i], b.srcLen[i]);
    if (has(Attr.EncapType)) r.encapType = b.encapType[i];
    if (has(Attr.Encap)) r.labels = labelList(b, b.labelStart[i], b.labelCount[i]);
    if (has(Attr.NewDst)) r.newDst = labelList(b, b.labelStart[i], b.labelCount[i]);
    if (has(Attr.Multipath)) {
      const paths: PathSpec[] = [];
      const s = b.pathStart[i];
      for (let k = 0; k < b.pathCount[i]; k++) {
        const j = s + k;
        const leg: PathSpec = { oif: b.pIfindex[j], weight: b.pWeight[j], flags: b.pFlags[j] };
        if (b.pGwOff[j] !== 0) {
          // pGwFamily is the route family for a nested RTA_GATEWAY, rtvia_family for RTA_VIA
          const a = formatIp(c, b.pGwOff[j], b.pGwLen[j]);
          if (b.pGwFamily[j] === family) leg.gateway = a;
          else leg.via = a;
        }
        if (b.pEncapType[j] !== 0) leg.encapType = b.pEncapType[j];
        if (b.pLabelCount[j] > 0) {
          const l = labelList(b, b.pLabelStart[j], b.pLabelCount[j]);
          if (family === AF_MPLS) leg.newDst = l;
          else leg.labels = l;
        }
        paths.push(leg);
      }
      r.paths = paths;
    }
    return r;
  }
  if (kind === Kind.Nexthop) {
    const n: { kind: 'nexthop' } & NexthopMsg = {
      kind: 'nexthop',
      del: b.msgType[i] === RTM_DELNEXTHOP,
      id: b.nhId[i],
      family: b.family[i],
      protocol: b.protocol[i],
      scope: b.scope[i],
      flags: b.flags[i],
      nlFlags,
      seq,
    };
    if (has(Attr.Gateway)) n.gateway = formatIp(c, b.gwOff[i], b.gwLen[i]);
    if (has(Attr.Oif)) n.oif = b.oif[i];
    if (has(Attr.Blackhole)) n.blackhole = true;
    if (has(Attr.Fdb)) n.fdb = true;
    if (has(Attr.EncapType)) n.encapType = b.encapType[i];
    if (has(Attr.Encap)) {
      // Labels only under LWTUNNEL_ENCAP_MPLS (or no type); other encaps (seg6, seg6local) as raw bytes.
      if (!has(Attr.EncapType) || b.encapType[i] === 1) n.labels = labelList(b, b.labelStart[i], b.labelCount[i]);
      else n.encapRaw = c.slice(b.encapOff[i], b.encapOff[i] + b.encapLen[i]);
    }
    if (has(Attr.Group)) {
      const g: { id: number; weight: number }[] = [];
      for (let k = 0; k < b.groupCount[i]; k++) g.push({ id: b.gId[b.groupStart[i] + k], weight: b.gWeight[b.groupStart[i] + k] });
      n.group = g;
    }
    if (has(Attr.GroupType)) n.groupType = b.groupType[i];
    if (has(Attr.BackupNhg)) n.backupNhg = b.backupNhg[i];
    return n;
  }
  if (kind === Kind.Neigh) {
    const n: { kind: 'neigh' } & NeighMsg = {
      kind: 'neigh',
      del: b.msgType[i] === RTM_DELNEIGH,
      family: b.family[i],
      ifindex: b.oif[i] | 0,
      state: b.state[i],
      flags: b.flags[i],
      ntype: b.rtype[i],
      protocol: has(Attr.NdaProtocol) ? b.protocol[i] : null,
      nlFlags,
      seq,
    };
    if (has(Attr.LlAddr)) n.lladdr = formatMac(c, b.lladdrOff[i], b.lladdrLen[i]);
    if (has(Attr.Dst)) n.dst = formatIp(c, b.dstOff[i], b.dstAttrLen[i]);
    if (has(Attr.NhId)) n.nhId = b.nhId[i];
    if (has(Attr.Vlan)) n.vlan = b.vlan[i];
    if (has(Attr.Vni)) n.vni = b.vni[i];
    if (has(Attr.Master)) n.master = b.master[i];
    return n;
  }
  if (kind === Kind.Done) return { kind: 'done', seq, nlFlags };
  return { kind: 'other', msgType: b.msgType[i], seq, nlFlags };
}

// ---- text lines ----

function routeDst(m: RouteMsg): string {
  if (m.family === AF_MPLS) return String(m.dst);
  const host = m.family === AF_INET ? 32 : 128;
  const dst = String(m.dst);
  if (m.dstLen === 0 && (dst === '0.0.0.0' || dst === '::')) return 'default';
  return m.dstLen === host ? dst : `${dst}/${m.dstLen}`;
}

/**
 * A seg6 encap's payload (nested SEG6_IPTUNNEL_SRH = 1: `struct seg6_iptunnel_encap {int mode;
 * struct ipv6_sr_hdr srh}`, linux/seg6_iptunnel.h, linux/seg6.h) as iproute2's print_encap_seg6
 * writes it: "seg6 mode encap segs 2 [ A B ]", segments in travel order (segments[first_segment]
 * first). null when the payload holds no readable SRH.
 */
export function seg6Text(raw: Uint8Array): string | null {
  const modes = ['inline', 'encap', 'l2encap', 'encap.red', 'l2encap.red'];
  for (let o = 0; o + 4 <= raw.length; ) {
    const len = raw[o] | (raw[o + 1] << 8);
    const type = (raw[o + 2] | (raw[o + 3] << 8)) & 0x3fff;
    if (len < 4 || o + len > raw.length) return null;
    if (type === 1 && len >= 4 + 4 + 8) {
      const p = o + 4;
      const mode = (raw[p] | (raw[p + 1] << 8) | (raw[p + 2] << 16) | (raw[p + 3] << 24)) >>> 0;
      const first = raw[p + 4 + 4];
      const segs: string[] = [];
      for (let k = first; k >= 0; k--) {
        const so = p + 4 + 8 + 16 * k;
        if (so + 16 > o + len) return null;
        segs.push(formatIp(raw, so, 16));
      }
      return `seg6 mode ${modes[mode] ?? mode} segs ${segs.length} [ ${segs.join(' ')} ]`;
    }
    o += (len + 3) & ~3;
  }
  return null;
}

function encapText(labels: readonly number[] | undefined, encapType: number | undefined, raw?: Uint8Array): string {
  // iproute2 lwt_print_encap: " encap mpls  L1/L2 " (its two spaces kept)
  if (labels === undefined && encapType === undefined) return '';
  if (encapType === 5 && raw !== undefined) return ` encap ${seg6Text(raw) ?? 'seg6'} `;
  if ((encapType ?? 1) !== 1) return ` encap ${encapType} `;
  return ` encap mpls  ${(labels ?? []).join('/')} `;
}

function flagsText(flags: number): string {
  // iproute2 print_rt_flags: RTNH_F_* then the RTM_F_* offload bits
  let s = '';
  if (flags & 0x1) s += 'dead ';
  if (flags & 0x4) s += 'onlink ';
  if (flags & 0x2) s += 'pervasive ';
  if (flags & 0x8) s += 'offload ';
  if (flags & 0x40) s += 'trap ';
  if (flags & 0x100) s += 'notify ';
  if (flags & 0x10) s += 'linkdown ';
  if (flags & 0x20) s += 'unresolved ';
  if (flags & RTM_F_OFFLOAD) s += 'rt_offload ';
  if (flags & 0x8000) s += 'rt_trap ';
  if (flags & RTM_F_OFFLOAD_FAILED) s += 'rt_offload_failed ';
  return s;
}

function routeLine(m: RouteMsg): string {
  let s = '[ROUTE]';
  if (m.del) s += 'Deleted ';
  const rtype = m.rtype ?? 1;
  if (rtype !== 1) s += `${RTN[rtype] ?? rtype} `;
  s += `${routeDst(m)} `;
  if (m.newDst !== undefined) s += `as to ${m.newDst.join('/')} `;
  if (m.labels !== undefined || m.encapType !== undefined) s += encapText(m.labels, m.encapType);
  if (m.nhId !== undefined) s += `nhid ${m.nhId} `;
  if (m.gateway !== undefined) s += `via ${addrText(m.gateway)} `;
  if (m.via !== undefined) s += `via ${addrText(m.via).includes(':') ? 'inet6' : 'inet'} ${addrText(m.via)} `;
  if (m.oif !== undefined) s += `dev ${m.oif} `;
  const table = m.table ?? 254;
  if (table !== 254 && m.family !== AF_MPLS) s += `table ${table} `;
  if (m.protocol !== 3) s += `proto ${protoName(m.protocol)} `; // iproute2 omits RTPROT_BOOT
  if ((m.scope ?? 0) !== 0) s += `scope ${SCOPE[m.scope ?? 0] ?? m.scope} `;
  if (m.prefSrc !== undefined) s += `src ${addrText(m.prefSrc)} `;
  if (m.priority !== undefined && m.priority !== null) s += `metric ${m.priority} `;
  s += flagsText(m.flags ?? 0);
  if (m.paths !== undefined) {
    for (const p of m.paths) {
      s += 'nexthop ';
      if (p.newDst !== undefined) s += `as to ${p.newDst.join('/')} `;
      if (p.labels !== undefined || p.encapType !== undefined) s += encapText(p.labels, p.encapType);
      if (p.gateway !== undefined) s += `via ${addrText(p.gateway)} `;
      if (p.via !== undefined) s += `via ${addrText(p.via).includes(':') ? 'inet6' : 'inet'} ${addrText(p.via)} `;
      if (p.oif) s += `dev ${p.oif} `;
      s += `weight ${p.weight ?? 1} `;
      s += flagsText(p.flags ?? 0);
    }
  }
  return s;
}

function nexthopLine(m: NexthopMsg): string {
  let s = '[NEXTHOP]';
  if (m.del) s += 'Deleted ';
  s += `id ${m.id} `;
  if (m.group !== undefined) {
    s += `group ${m.group.map((g) => ((g.weight ?? 1) === 1 ? String(g.id) : `${g.id},${g.weight}`)).join('/')} `;
  }
  if (m.groupType !== undefined) s += `type ${m.groupType === 1 ? 'resilient' : m.groupType === 0 ? 'mpath' : m.groupType} `;
  if (m.labels !== undefined || m.encapType !== undefined) s += encapText(m.labels, m.encapType, m.encapRaw);
  if (m.gateway !== undefined) s += `via ${addrText(m.gateway)} `;
  if (m.oif !== undefined) s += `dev ${m.oif} `;
  if ((m.scope ?? 0) !== 0) s += `scope ${SCOPE[m.scope ?? 0] ?? m.scope} `;
  if (m.blackhole) s += 'blackhole ';
  if ((m.protocol ?? 0) !== 0) s += `proto ${protoName(m.protocol ?? 0)} `;
  s += flagsText(m.flags ?? 0);
  if (m.fdb) s += 'fdb ';
  if (m.backupNhg !== undefined) s += `backup ${m.backupNhg} `;
  return s;
}

function neighLine(m: NeighMsg): string {
  let s = '[NEIGH]';
  if (m.del) s += 'Deleted ';
  if (m.dst !== undefined) s += `${addrText(m.dst)} `;
  s += `dev ${m.ifindex} `;
  if (m.lladdr !== undefined) s += `lladdr ${typeof m.lladdr === 'string' ? m.lladdr : formatMac(m.lladdr, 0, m.lladdr.length)} `;
  const f = m.flags ?? 0;
  // iproute2 print_neigh: NTF_ROUTER, NTF_PROXY, NTF_EXT_LEARNED, NTF_OFFLOADED (NTF_SELF/MASTER not printed)
  if (f & 0x80) s += 'router ';
  if (f & 0x08) s += 'proxy ';
  if (f & 0x10) s += 'extern_learn ';
  if (f & 0x20) s += 'offload ';
  const st = m.state ?? 0;
  for (const [bit, name] of NUD) if (st & bit) s += `${name} `;
  if (m.protocol !== undefined && m.protocol !== null) s += `proto ${protoName(m.protocol)} `;
  // not printed by ip-neighbour; bridge-fdb style extras
  if (m.nhId !== undefined) s += `nhid ${m.nhId} `;
  if (m.vlan !== undefined) s += `vlan ${m.vlan} `;
  if (m.vni !== undefined) s += `vni ${m.vni} `;
  if (m.master !== undefined) s += `master ${m.master} `;
  return s;
}

/** One `ip monitor`-style line for a good row (no trailing newline). */
export function formatLine(b: Batch, i: number, c: Uint8Array): string {
  const m = messageFromRow(b, i, c);
  switch (m.kind) {
    case 'route':
      return routeLine(m).trimEnd();
    case 'nexthop':
      return nexthopLine(m).trimEnd();
    case 'neigh':
      return neighLine(m).trimEnd();
    case 'done':
      return '[DONE]end of replay';
    default:
      return `[OTHER]${msgTypeName(m.msgType)} flags 0x${m.nlFlags.toString(16)} seq ${m.seq}`;
  }
}

// ---- JSON ----

const KIND_NAMES = ['route', 'nexthop', 'neigh', 'done', 'other'];

/**
 * The decoded row as a JSON-ready object: `kind`, `offset` (the frame's byte offset in the stream),
 * `msgOffset`, `type` (nlmsg type name), then the message fields of messageFromRow. Bad rows give
 * `{kind, offset, msgOffset, type, seq, error: {code, message}}`. `base` is the stream offset of c[0].
 */
export function formatJson(b: Batch, i: number, c: Uint8Array, base = 0): Record<string, unknown> {
  const head = {
    kind: KIND_NAMES[b.kind[i]] ?? 'other',
    offset: base + b.frameOff[i],
    msgOffset: base + b.msgOff[i],
    type: msgTypeName(b.msgType[i]),
  };
  if (b.err[i] !== 0) {
    return { ...head, seq: b.seq[i], error: { code: ROW_ERROR_NAMES[b.err[i]] ?? String(b.err[i]), message: formatRowError(b, i, c, base) } };
  }
  const m = messageFromRow(b, i, c) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { ...head };
  for (const [k, v] of Object.entries(m)) {
    if (k === 'kind' || v === undefined) continue;
    out[k] = v;
  }
  if (typeof out.family === 'number') out.family = familyName(out.family);
  return out;
}

// ---- row errors ----

/** Expected size of a fixed-size attribute, for AttrBadSize messages. */
function expectedSize(kind: number, family: number, type: number): string {
  if (kind === Kind.Route) {
    if (type === 6 || type === 15 || type === 30 || type === 4) return 'u32';
    if (type === 21) return 'u16';
    if (type === 18) return 'struct rtvia with a 4 or 16-byte address';
    if (type === 1 && family === AF_MPLS) return 'one 4-byte label entry';
    if (type === 1 || type === 5 || type === 7) return `a ${family === AF_INET6 ? 16 : 4}-byte address`;
  } else if (kind === Kind.Nexthop) {
    if (type === 1 || type === 5 || type === 0x3f01) return 'u32';
    if (type === 3 || type === 7) return 'u16';
    if (type === 6) return family === AF_INET ? 'a 4-byte address' : family === AF_INET6 ? 'a 16-byte address' : 'a 4 or 16-byte address';
  } else if (kind === Kind.Neigh) {
    if (type === 13 || type === 9 || type === 7) return 'u32';
    if (type === 5) return 'u16';
    if (type === 12) return 'u8';
    if (type === 2) return '1..32 bytes';
    if (type === 1) return family === AF_BRIDGE ? 'a 4 or 16-byte address' : `a ${family === AF_INET6 ? 16 : 4}-byte address`;
  }
  return 'its fixed size';
}

/**
 * A bad row's error, naming the field, the sizes, the stream offset and the netlink sequence
 * number, e.g. `RTA_PRIORITY(6) not u32: len 2 at byte 148, seq 91`. `base` is the stream
 * offset of c[0].
 */
export function formatRowError(b: Batch, i: number, c: Uint8Array, base = 0): string {
  const err = b.err[i];
  const kind = b.kind[i];
  const off = b.errOff[i];
  const at = ` at byte ${base + off}, seq ${b.seq[i]}`;
  const msgOff = b.msgOff[i];
  const msgEnd = msgOff + u32le(c, msgOff);
  const attr = attrName(kind, b.errAttr[i]);
  const readable = off + 4 <= c.length;
  const rtaLen = readable ? c[off] | (c[off + 1] << 8) : 0;
  switch (err) {
    case RowError.ShortBody: {
      const want = kind === Kind.Nexthop ? 'struct nhmsg (8)' : kind === Kind.Neigh ? 'struct ndmsg (12)' : 'struct rtmsg (12)';
      return `${msgTypeName(b.msgType[i])} body ${u32le(c, msgOff) - 16} bytes, shorter than ${want}${at}`;
    }
    case RowError.BadFamily:
      return `${msgTypeName(b.msgType[i])} family ${c[msgOff + 16]} not allowed${at}`;
    case RowError.AttrTruncated:
      if (msgEnd - off < 4) return `attribute header truncated: ${Math.max(0, msgEnd - off)} bytes left${at}`;
      return `${attr} truncated: rta_len ${rtaLen}, ${msgEnd - off} bytes left in the message${at}`;
    case RowError.AttrBadSize:
      return `${attr} not ${expectedSize(kind, b.family[i], b.errAttr[i])}: len ${Math.max(0, rtaLen - 4)}${at}`;
    case RowError.GroupBadSize:
      return `${attr} len ${Math.max(0, rtaLen - 4)} not a non-zero multiple of 8 (struct nexthop_grp)${at}`;
    case RowError.MultipathTruncated: {
      const rtnhLen = readable ? c[off] | (c[off + 1] << 8) : 0;
      return `${attr} rtnexthop truncated: rtnh_len ${rtnhLen}${at}`;
    }
    case RowError.TooManyLabels:
      return `${attr} more than 16 label entries: len ${Math.max(0, rtaLen - 4)}${at}`;
    case RowError.EncapBad:
      return `${attr} malformed label stack or nested attribute: len ${Math.max(0, rtaLen - 4)}${at}`;
    default:
      return `${ROW_ERROR_NAMES[err] ?? `row error ${err}`}${at}`;
  }
}

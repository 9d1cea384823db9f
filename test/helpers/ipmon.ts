// Parsers for the fixtures' reference decodes: iproute2 6.1's `ip monitor` lines (*.ipmon.txt) and tools/fpm_decode.py's frame dump (*.decoded.txt).

/** Interface names in each capture's namespace, from the fixtures' .md "Setup" sections. */
const IFINDEX_BY_SCENARIO: Record<string, Record<string, number>> = {
  // static-*.md, mpls-*.md ("Same namespaces as the static case"), vrf-netns-nhg.md (zebra.conf as
  // static-nhg): "ifindex in `fpm-s`: lo=1, s-p1=2, s-p2=3, s-p3=4"
  static: { lo: 1, 's-p1': 2, 's-p2': 3, 's-p3': 4 },
  // bgp-*.md: "peer A 10.99.11.2 on b-p1 (ifindex 2), peer B 10.99.12.2 on b-p2 (ifindex 3)"
  bgp: { lo: 1, 'b-p1': 2, 'b-p2': 3 },
  // isis-*.md: "ifindex in fpm-r1: lo=1, r1-r2=2 (...), r1-r3=3 (...)"
  isis: { lo: 1, 'r1-r2': 2, 'r1-r3': 3 },
  // evpn-*.md: "ifindex in fpm-e1: e1-e2=2, br100=3, vxlan100=4, h1=6". h1x is the other end of
  // the h1 veth pair (tools/ns_evpn.sh: `link add h1 type veth peer name h1x`); the kernel
  // registers a veth's peer before the device itself (drivers/net/veth.c veth_newlink), so h1x=5.
  evpn: { lo: 1, 'e1-e2': 2, br100: 3, vxlan100: 4, h1x: 5, h1: 6 },
};

export function ifindexMap(fixture: string): Record<string, number> {
  const scenario = fixture.startsWith('bgp-') ? 'bgp' : fixture.startsWith('isis-') ? 'isis' : fixture.startsWith('evpn-') ? 'evpn' : 'static';
  return IFINDEX_BY_SCENARIO[scenario];
}

/** Protocol names iproute2 printed in those namespaces (its built-ins plus FRR's rt_protos.d/frr.conf). */
export const PROTO_NUMBER: Record<string, number> = { kernel: 2, zebra: 11, bgp: 186, isis: 187, ospf: 188, static: 196 };

export interface IpRoute {
  what: 'route';
  deleted: boolean;
  /** rtm_type name when printed (iproute2 omits "unicast"). */
  type: string;
  /** Prefix text as printed: "10.99.1.0/24", "fe80::/64", a host address, or an MPLS label. */
  dst: string;
  asTo?: string;
  encap?: string;
  nhid?: number;
  via?: string;
  viaFamily?: string;
  dev?: string;
  table?: number;
  proto?: string;
  metric?: number;
  flags: string[];
  rest: string[];
}

export interface IpNexthop {
  what: 'nexthop';
  deleted: boolean;
  id: number;
  group?: { id: number; weight: number }[];
  encap?: string;
  via?: string;
  dev?: string;
  blackhole: boolean;
  proto?: string;
  rest: string[];
}

export interface IpNeigh {
  what: 'neigh';
  deleted: boolean;
  dst?: string;
  dev?: string;
  lladdr?: string;
  flags: string[];
  state: string[];
  proto?: string;
  rest: string[];
}

export type IpLine = IpRoute | IpNexthop | IpNeigh;

export interface IpmonFile {
  head: IpLine[];
  /** Lines the fixture builder left out ("... N lines omitted ..."), 0 when whole. */
  omitted: number;
  tail: IpLine[];
}

const RTN_NAMES = new Set(['none', 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat', 'xresolve']);
const NUD_NAMES = new Set(['INCOMPLETE', 'REACHABLE', 'STALE', 'DELAY', 'PROBE', 'FAILED', 'NOARP', 'PERMANENT', 'NONE']);

/** `encap mpls  100/200` -> "100/200" (the tokens after "encap mpls"). */
function takeEncap(t: string[], i: number): [string, number] {
  // iproute2 lwt_print_encap: "encap <type> " then the label stack; seg6 (print_encap_seg6):
  // "encap seg6 mode M segs N [ A B ]", kept whole as "seg6 mode M segs N [ A B ]".
  if (t[i + 1] === 'seg6') {
    let j = i + 1;
    while (j < t.length && t[j] !== ']') j++;
    return [t.slice(i + 1, j + 1).join(' '), j + 1];
  }
  return [t[i + 2], i + 3];
}

export function parseIpmonLine(line: string): IpLine {
  const m = /^\[(ROUTE|NEXTHOP|NEIGH)\](.*)$/.exec(line);
  if (!m) throw new Error(`not an ip monitor line: ${line}`);
  let body = m[2];
  const deleted = body.startsWith('Deleted ');
  if (deleted) body = body.slice(8);
  const t = body.trim().split(/\s+/);
  if (m[1] === 'ROUTE') {
    const r: IpRoute = { what: 'route', deleted, type: 'unicast', dst: '', flags: [], rest: [] };
    let i = 0;
    if (RTN_NAMES.has(t[0])) r.type = t[i++];
    r.dst = t[i++];
    while (i < t.length) {
      const k = t[i];
      if (k === 'as' && t[i + 1] === 'to') {
        r.asTo = t[i + 2];
        i += 3;
      } else if (k === 'encap') {
        [r.encap, i] = takeEncap(t, i);
      } else if (k === 'nhid') {
        r.nhid = Number(t[i + 1]);
        i += 2;
      } else if (k === 'via') {
        if (t[i + 1] === 'inet' || t[i + 1] === 'inet6') {
          r.viaFamily = t[i + 1];
          r.via = t[i + 2];
          i += 3;
        } else {
          r.via = t[i + 1];
          i += 2;
        }
      } else if (k === 'dev') {
        r.dev = t[i + 1];
        i += 2;
      } else if (k === 'table') {
        r.table = Number(t[i + 1]);
        i += 2;
      } else if (k === 'proto') {
        r.proto = t[i + 1];
        i += 2;
      } else if (k === 'metric') {
        r.metric = Number(t[i + 1]);
        i += 2;
      } else if (k.startsWith('rt_') || k === 'onlink' || k === 'dead' || k === 'linkdown') {
        r.flags.push(k);
        i++;
      } else {
        r.rest.push(k);
        i++;
      }
    }
    return r;
  }
  if (m[1] === 'NEXTHOP') {
    const n: IpNexthop = { what: 'nexthop', deleted, id: -1, blackhole: false, rest: [] };
    let i = 0;
    while (i < t.length) {
      const k = t[i];
      if (k === 'id') {
        n.id = Number(t[i + 1]);
        i += 2;
      } else if (k === 'group') {
        // "26/28/29" or "55,25/56,75" (id,weight when the weight is not 1)
        n.group = t[i + 1].split('/').map((g) => {
          const [id, w] = g.split(',');
          return { id: Number(id), weight: w === undefined ? 1 : Number(w) };
        });
        i += 2;
      } else if (k === 'encap') {
        [n.encap, i] = takeEncap(t, i);
      } else if (k === 'via') {
        n.via = t[i + 1];
        i += 2;
      } else if (k === 'dev') {
        n.dev = t[i + 1];
        i += 2;
      } else if (k === 'blackhole') {
        n.blackhole = true;
        i++;
      } else if (k === 'proto') {
        n.proto = t[i + 1];
        i += 2;
      } else {
        n.rest.push(k);
        i++;
      }
    }
    return n;
  }
  const n: IpNeigh = { what: 'neigh', deleted, flags: [], state: [], rest: [] };
  let i = 0;
  if (t[0] !== 'dev') n.dst = t[i++];
  while (i < t.length) {
    const k = t[i];
    if (k === 'dev') {
      n.dev = t[i + 1];
      i += 2;
    } else if (k === 'lladdr') {
      n.lladdr = t[i + 1];
      i += 2;
    } else if (k === 'proto') {
      n.proto = t[i + 1];
      i += 2;
    } else if (k === 'router' || k === 'proxy' || k === 'extern_learn' || k === 'offload') {
      n.flags.push(k);
      i++;
    } else if (NUD_NAMES.has(k)) {
      n.state.push(k);
      i++;
    } else {
      n.rest.push(k);
      i++;
    }
  }
  return n;
}

/** Parses a whole *.ipmon.txt: comment lines skipped, the builder's omission marker honoured. */
export function parseIpmonFile(text: string): IpmonFile {
  const out: IpmonFile = { head: [], omitted: 0, tail: [] };
  let inTail = false;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const om = /^\.\.\. (\d+) lines omitted \.\.\.$/.exec(line);
    if (om) {
      out.omitted = Number(om[1]);
      inTail = true;
      continue;
    }
    (inTail ? out.tail : out.head).push(parseIpmonLine(line));
  }
  return out;
}

// ---- tools/fpm_decode.py output: what iproute2's monitor does not print ----

export interface DumpLeg {
  ifindex: number;
  weight: number;
  flags: number;
  /** The leg's nested attributes as printed, e.g. ["RTA_GATEWAY=10.99.1.2"]. */
  attrs: string[];
}

export interface DumpMessage {
  type: string;
  /** Route-level attribute lines, e.g. "RTA_ENCAP={MPLS_IPTUNNEL_DST=100/200/300(bos)}". */
  attrs: string[];
  legs?: DumpLeg[];
}

/** Frames of a *.decoded.txt by byte offset (the file keeps the first 300 and last 40 frames of big captures). */
export function parseDecodedFile(text: string): Map<number, DumpMessage[]> {
  const frames = new Map<number, DumpMessage[]>();
  let cur: DumpMessage[] | null = null;
  let msg: DumpMessage | null = null;
  for (const line of text.split('\n')) {
    const f = /^frame #\d+ @0x([0-9a-f]+) /.exec(line);
    if (f) {
      cur = [];
      frames.set(parseInt(f[1], 16), cur);
      msg = null;
      continue;
    }
    if (cur === null) continue;
    const h = /^ {2}(\w+) len=/.exec(line);
    if (h) {
      msg = { type: h[1], attrs: [] };
      cur.push(msg);
      continue;
    }
    if (msg === null) continue;
    const leg = /^ {6}nexthop ifindex=(-?\d+) weight=(\d+) flags=(0x[0-9a-f]+)\S* ?(.*)$/.exec(line);
    if (leg) {
      (msg.legs ??= []).push({ ifindex: Number(leg[1]), weight: Number(leg[2]), flags: parseInt(leg[3], 16), attrs: leg[4] ? leg[4].split(/ (?=RTA_)/) : [] });
      continue;
    }
    const a = /^ {4}(\S.*)$/.exec(line);
    if (a) msg.attrs.push(a[1]);
  }
  return frames;
}

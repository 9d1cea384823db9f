// A small BGP-4 speaker for the FRR lab: passive eBGP peers in the peer namespace that announce
// many prefixes (IPv4 + IPv6 via MP-BGP, link-bandwidth for weighted ECMP) and go down/up on cue.
import * as net from 'net';
import type { FrrLab } from './harness';
import { formatV4, formatV6, parseAddr } from './fib';
import { waitFor } from './proc';

// RFC 4271 message types, RFC 4760 MP attributes, RFC 6793 4-octet AS, RFC 4724 End-of-RIB,
// draft-ietf-idr-link-bandwidth (extended community 0x00/0x04, IEEE float bytes per second).
const OPEN = 1;
const UPDATE = 2;
const NOTIFICATION = 3;
const KEEPALIVE = 4;
const MAX_MSG = 4096;
const HDR = 19;
const ATTR_ORIGIN = 1;
const ATTR_AS_PATH = 2;
const ATTR_NEXT_HOP = 3;
const ATTR_MP_REACH = 14;
const ATTR_MP_UNREACH = 15;
const ATTR_EXT_COMMUNITIES = 16;
const F_OPTIONAL = 0x80;
const F_TRANSITIVE = 0x40;
const F_EXTLEN = 0x10;

export interface FeedRoute {
  /** IPv4 or IPv6 prefix, e.g. 100.64.0.0/24 or 2001:db8::/48. */
  prefix: string;
  /** Next hop; default: the peer's own address of that family on its link. */
  nexthop?: string;
  /** Link bandwidth in bytes per second (extended community); FRR weighs ECMP legs by it. */
  linkBandwidth?: number;
}

export interface FeedPeer {
  /** Lab link the session runs over: the peer speaks from `p<link>` 10.99.<link>.2. */
  link: number;
  /** Peer AS (default 65002); the DUT is AS 65001. */
  as?: number;
  routes: FeedRoute[];
}

export const DUT_AS = 65001;
export const PEER_AS = 65002;

interface PeerState {
  spec: FeedPeer;
  addr: string;
  v6: string;
  up: boolean;
  sock: net.Socket | null;
  established: boolean;
  sessions: number;
  updatesSent: number;
  keepalive: NodeJS.Timeout | null;
  notifications: string[];
}

function header(type: number, bodyLen: number): Buffer {
  const b = Buffer.alloc(HDR);
  b.fill(0xff, 0, 16);
  b.writeUInt16BE(HDR + bodyLen, 16);
  b[18] = type;
  return b;
}

function msg(type: number, body: Buffer): Buffer {
  return Buffer.concat([header(type, body.length), body]);
}

function attr(flags: number, type: number, value: Buffer): Buffer {
  // Extended Length set by the caller means a two-octet length whatever the size (RFC 4271 4.3):
  // a one-octet length under that flag is an Attribute Length Error (NOTIFICATION 3/5).
  if (value.length > 255 || flags & F_EXTLEN) {
    const h = Buffer.from([flags | F_EXTLEN, type, 0, 0]);
    h.writeUInt16BE(value.length, 2);
    return Buffer.concat([h, value]);
  }
  return Buffer.concat([Buffer.from([flags, type, value.length]), value]);
}

function nlri(prefix: string): Buffer {
  const [a, l] = prefix.split('/');
  const len = Number(l);
  const bytes = parseAddr(a);
  return Buffer.concat([Buffer.from([len]), Buffer.from(bytes.subarray(0, Math.ceil(len / 8)))]);
}

function isV6(prefix: string): boolean {
  return prefix.includes(':');
}

export function openMessage(as: number, routerId: string, holdTime: number): Buffer {
  const caps = Buffer.concat([
    Buffer.from([1, 4, 0, 1, 0, 1]), // multiprotocol IPv4 unicast
    Buffer.from([1, 4, 0, 2, 0, 1]), // multiprotocol IPv6 unicast
    Buffer.from([2, 0]), // route refresh
    (() => {
      const b = Buffer.from([65, 4, 0, 0, 0, 0]); // 4-octet AS
      b.writeUInt32BE(as, 2);
      return b;
    })(),
  ]);
  const param = Buffer.concat([Buffer.from([2, caps.length]), caps]);
  const body = Buffer.alloc(10);
  body[0] = 4;
  body.writeUInt16BE(as > 0xffff ? 23456 : as, 1);
  body.writeUInt16BE(holdTime, 3);
  Buffer.from(parseAddr(routerId)).copy(body, 5);
  body[9] = param.length;
  return msg(OPEN, Buffer.concat([body, param]));
}

/**
 * UPDATE messages announcing `routes` (grouped by next hop and link bandwidth, packed up to the
 * 4096-byte message limit). The AS path is the 4-octet form (both sides announce RFC 6793).
 */
export function updateMessages(as: number, routes: FeedRoute[], defaultV4: string, defaultV6: string): Buffer[] {
  const groups = new Map<string, FeedRoute[]>();
  for (const r of routes) {
    const v6 = isV6(r.prefix);
    const key = `${v6 ? 6 : 4}|${r.nexthop ?? (v6 ? defaultV6 : defaultV4)}|${r.linkBandwidth ?? ''}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  const out: Buffer[] = [];
  for (const [key, rs] of groups) {
    const [fam, nh, lbw] = key.split('|');
    const asPath = Buffer.alloc(6);
    asPath[0] = 2; // AS_SEQUENCE
    asPath[1] = 1;
    asPath.writeUInt32BE(as, 2);
    const common: Buffer[] = [attr(F_TRANSITIVE, ATTR_ORIGIN, Buffer.from([0])), attr(F_TRANSITIVE, ATTR_AS_PATH, asPath)];
    if (lbw !== '') {
      const ec = Buffer.alloc(8);
      // Two-octet AS specific, transitive: bgpd 10.3 takes link bandwidth only in this form
      // (bgp_ecommunity.c ecommunity_linkbw_present, ECOMMUNITY_ENCODE_AS); 8.4.4 took it and
      // the non-transitive 0x40 alike.
      ec[0] = 0x00;
      ec[1] = 0x04; // link bandwidth
      ec.writeUInt16BE(as > 0xffff ? 23456 : as, 2);
      ec.writeFloatBE(Number(lbw), 4);
      common.push(attr(F_OPTIONAL | F_TRANSITIVE, ATTR_EXT_COMMUNITIES, ec));
    }
    const nlris = rs.map((r) => nlri(r.prefix));
    let i = 0;
    while (i < nlris.length) {
      if (fam === '4') {
        const attrs = Buffer.concat([...common, attr(F_TRANSITIVE, ATTR_NEXT_HOP, Buffer.from(parseAddr(nh)))]);
        const room = MAX_MSG - HDR - 4 - attrs.length;
        const take: Buffer[] = [];
        let size = 0;
        while (i < nlris.length && size + nlris[i].length <= room) {
          size += nlris[i].length;
          take.push(nlris[i++]);
        }
        const body = Buffer.alloc(4);
        body.writeUInt16BE(attrs.length, 2);
        out.push(msg(UPDATE, Buffer.concat([body, attrs, ...take])));
      } else {
        const fixed = Buffer.concat([Buffer.from([0, 2, 1, 16]), Buffer.from(parseAddr(nh)), Buffer.from([0])]);
        const room = MAX_MSG - HDR - 4 - Buffer.concat(common).length - 4 - fixed.length;
        const take: Buffer[] = [];
        let size = 0;
        while (i < nlris.length && size + nlris[i].length <= room) {
          size += nlris[i].length;
          take.push(nlris[i++]);
        }
        const mp = attr(F_OPTIONAL | F_EXTLEN, ATTR_MP_REACH, Buffer.concat([fixed, ...take]));
        const attrs = Buffer.concat([...common, mp]);
        const body = Buffer.alloc(4);
        body.writeUInt16BE(attrs.length, 2);
        out.push(msg(UPDATE, Buffer.concat([body, attrs])));
      }
    }
  }
  return out;
}

/** UPDATE messages withdrawing `prefixes`. */
export function withdrawMessages(prefixes: string[]): Buffer[] {
  const out: Buffer[] = [];
  const v4 = prefixes.filter((p) => !isV6(p)).map(nlri);
  const v6 = prefixes.filter(isV6).map(nlri);
  for (let i = 0; i < v4.length; ) {
    const take: Buffer[] = [];
    let size = 0;
    while (i < v4.length && size + v4[i].length <= MAX_MSG - HDR - 4) {
      size += v4[i].length;
      take.push(v4[i++]);
    }
    const w = Buffer.concat(take);
    const body = Buffer.alloc(4 + w.length);
    body.writeUInt16BE(w.length, 0);
    w.copy(body, 2);
    out.push(msg(UPDATE, body));
  }
  for (let i = 0; i < v6.length; ) {
    const take: Buffer[] = [];
    let size = 0;
    while (i < v6.length && size + v6[i].length <= MAX_MSG - HDR - 4 - 7) {
      size += v6[i].length;
      take.push(v6[i++]);
    }
    const mp = attr(F_OPTIONAL | F_EXTLEN, ATTR_MP_UNREACH, Buffer.concat([Buffer.from([0, 2, 1]), ...take]));
    const body = Buffer.alloc(4);
    body.writeUInt16BE(mp.length, 2);
    out.push(msg(UPDATE, Buffer.concat([body, mp])));
  }
  return out;
}

/** End-of-RIB markers (RFC 4724): an empty UPDATE for IPv4, an empty MP_UNREACH for IPv6. */
export function endOfRib(): Buffer[] {
  const v4 = msg(UPDATE, Buffer.alloc(4));
  const mp = attr(F_OPTIONAL, ATTR_MP_UNREACH, Buffer.from([0, 2, 1]));
  const body = Buffer.alloc(4);
  body.writeUInt16BE(mp.length, 2);
  return [v4, msg(UPDATE, Buffer.concat([body, mp]))];
}

/**
 * Passive BGP peers living in the lab's peer namespace. bgpd (DUT) connects to each peer
 * address on port 179; one listener on 0.0.0.0:179 in the peer namespace accepts them all and
 * tells the sessions apart by local address. Each session: OPEN, KEEPALIVE, then every route as
 * UPDATEs and End-of-RIB. `peerDown` ends a session (NOTIFICATION Cease, or the DUT's link
 * down); `peerUp` lets bgpd's next connect attempt (`timers connect 1`) in again.
 */
export class BgpFeeder {
  readonly peers: PeerState[];
  private server: net.Server | null = null;
  private readonly holdTime: number;

  private constructor(private readonly lab: FrrLab, specs: FeedPeer[], holdTime: number) {
    this.holdTime = holdTime;
    this.peers = specs.map((spec) => ({
      spec,
      addr: lab.link(spec.link).peerV4,
      v6: lab.link(spec.link).peerV6,
      up: true,
      sock: null,
      established: false,
      sessions: 0,
      updatesSent: 0,
      keepalive: null,
      notifications: [],
    }));
  }

  static async start(lab: FrrLab, specs: FeedPeer[], opts: { holdTime?: number } = {}): Promise<BgpFeeder> {
    const f = new BgpFeeder(lab, specs, opts.holdTime ?? 30);
    const listening = await lab.listenInPeer('0.0.0.0', 179);
    f.server = net.createServer((s) => f.accept(s));
    f.server.listen(listening);
    return f;
  }

  /** bgpd configuration for these peers (AS 65001, multipath, IPv6 unicast activated, 1 s connect timer). */
  static bgpdConf(lab: FrrLab, specs: FeedPeer[], extra: string[] = []): string {
    const lines = ['hostname fpt-dut', 'router bgp 65001', ' bgp router-id 10.99.0.1', ' no bgp ebgp-requires-policy', ' no bgp network import-check'];
    for (const s of specs) {
      const a = lab.link(s.link).peerV4;
      lines.push(` neighbor ${a} remote-as ${s.as ?? PEER_AS}`, ` neighbor ${a} timers 10 30`, ` neighbor ${a} timers connect 1`);
    }
    lines.push(' address-family ipv4 unicast', '  maximum-paths 8', ' exit-address-family', ' address-family ipv6 unicast', '  maximum-paths 8');
    for (const s of specs) lines.push(`  neighbor ${lab.link(s.link).peerV4} activate`);
    lines.push(' exit-address-family', ...extra);
    return lines.join('\n') + '\n';
  }

  private peerFor(s: net.Socket): PeerState | undefined {
    const local = (s.localAddress ?? '').replace(/^::ffff:/, '');
    return this.peers.find((p) => p.addr === local);
  }

  private accept(s: net.Socket): void {
    const p = this.peerFor(s);
    if (!p || !p.up) {
      s.destroy();
      return;
    }
    if (p.sock) this.endSession(p); // a new connection replaces a dead one (e.g. after a link flap)
    p.sock = s;
    p.sessions++;
    s.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      while (buf.length >= HDR) {
        const len = buf.readUInt16BE(16);
        if (len < HDR || buf.length < len) break;
        const type = buf[18];
        const body = buf.subarray(HDR, len);
        buf = buf.subarray(len);
        this.onMessage(p, s, type, body);
      }
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      if (p.sock === s) this.endSession(p);
    });
    const rid = p.addr;
    s.write(openMessage(p.spec.as ?? PEER_AS, rid, this.holdTime));
  }

  private onMessage(p: PeerState, s: net.Socket, type: number, body: Buffer): void {
    if (type === OPEN) {
      s.write(msg(KEEPALIVE, Buffer.alloc(0)));
      const hold = Math.min(body.readUInt16BE(3), this.holdTime);
      if (hold > 0) {
        p.keepalive = setInterval(() => s.write(msg(KEEPALIVE, Buffer.alloc(0))), Math.max(1000, (hold * 1000) / 3));
        p.keepalive.unref();
      }
    } else if (type === KEEPALIVE && !p.established) {
      p.established = true;
      const ups = updateMessages(p.spec.as ?? PEER_AS, p.spec.routes, p.addr, p.v6);
      p.updatesSent += ups.length;
      s.write(Buffer.concat([...ups, ...endOfRib()]));
    } else if (type === NOTIFICATION) {
      p.notifications.push(`code ${body[0]} subcode ${body[1]}`);
    }
  }

  private endSession(p: PeerState): void {
    if (p.keepalive) clearInterval(p.keepalive);
    p.keepalive = null;
    p.established = false;
    const s = p.sock;
    p.sock = null;
    s?.destroy();
  }

  peer(i: number): PeerState {
    const p = this.peers[i];
    if (!p) throw new Error(`no feed peer ${i}`);
    return p;
  }

  async waitEstablished(i: number, timeoutMs = 30000): Promise<void> {
    await waitFor(`BGP session ${this.peer(i).addr} established`, () => this.peer(i).established, timeoutMs);
  }

  /**
   * Takes peer `i` down. 'session': NOTIFICATION Cease/Administrative Shutdown (RFC 4486) and
   * close; later connects are refused until peerUp. 'link': the DUT side of its veth goes down
   * (bgpd's fast-external-failover drops the session at once, zebra the connected route).
   */
  async peerDown(i: number, how: 'session' | 'link' = 'session'): Promise<void> {
    const p = this.peer(i);
    p.up = false;
    if (how === 'link') await this.lab.linkDown(this.lab.link(p.spec.link).dut);
    if (p.sock) {
      if (how === 'session') p.sock.write(msg(NOTIFICATION, Buffer.from([6, 2])));
      const s = p.sock;
      await new Promise<void>((r) => setTimeout(r, 20));
      if (p.sock === s) this.endSession(p);
    }
  }

  /** Lets peer `i` come back; with how='link' the DUT link goes up again first. */
  async peerUp(i: number, how: 'session' | 'link' = 'session'): Promise<void> {
    const p = this.peer(i);
    if (how === 'link') await this.lab.linkUp(this.lab.link(p.spec.link).dut);
    p.up = true;
  }

  /** Announces more routes on an established session (and remembers them for later sessions). */
  announce(i: number, routes: FeedRoute[]): void {
    const p = this.peer(i);
    p.spec.routes.push(...routes);
    if (p.sock && p.established) p.sock.write(Buffer.concat(updateMessages(p.spec.as ?? PEER_AS, routes, p.addr, p.v6)));
  }

  /** Withdraws prefixes on an established session (and forgets them). */
  withdraw(i: number, prefixes: string[]): void {
    const p = this.peer(i);
    const gone = new Set(prefixes);
    p.spec.routes = p.spec.routes.filter((r) => !gone.has(r.prefix));
    if (p.sock && p.established) p.sock.write(Buffer.concat(withdrawMessages(prefixes)));
  }

  async close(): Promise<void> {
    for (const p of this.peers) {
      p.up = false;
      this.endSession(p);
    }
    const srv = this.server;
    this.server = null;
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
  }
}

/** n consecutive prefixes of length `len` starting at `base` (IPv4 or IPv6; step = one prefix). */
export function prefixRange(base: string, len: number, n: number): string[] {
  const b = parseAddr(base);
  const bits = BigInt(b.length * 8);
  let start = 0n;
  for (const x of b) start = (start << 8n) | BigInt(x);
  const step = 1n << (bits - BigInt(len));
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let v = start + BigInt(i) * step;
    const a = new Uint8Array(b.length);
    for (let k = b.length - 1; k >= 0; k--) {
      a[k] = Number(v & 0xffn);
      v >>= 8n;
    }
    out.push(`${a.length === 4 ? formatV4(a) : formatV6(a)}/${len}`);
  }
  return out;
}

export interface StandardFeed {
  peers: FeedPeer[];
  /** Prefixes announced by both peers with equal cost. */
  ecmp4: string[];
  ecmp6: string[];
  /** Both peers, link bandwidth 1:3 (peer 0: 1 Gb/s, peer 1: 3 Gb/s). */
  weighted: string[];
  /** Peer 0 only. */
  single: string[];
  total: number;
}

/**
 * The standard feed over lab links 1 and 2: `ecmp4` IPv4 /24s from 100.64.0.0 and `ecmp6` IPv6
 * /48s from 2001:db8:: from both peers, `weighted` /24s from 100.128.0.0 with link bandwidth
 * 125e6 vs 375e6 bytes/s (zebra weights 1:3), `single` /24s from 100.160.0.0 from peer 0 only.
 */
export function standardFeed(counts: { ecmp4?: number; ecmp6?: number; weighted?: number; single?: number } = {}): StandardFeed {
  const ecmp4 = prefixRange('100.64.0.0', 24, counts.ecmp4 ?? 8000);
  const ecmp6 = prefixRange('2001:db8::', 48, counts.ecmp6 ?? 1000);
  const weighted = prefixRange('100.128.0.0', 24, counts.weighted ?? 1000);
  const single = prefixRange('100.160.0.0', 24, counts.single ?? 500);
  const mk = (bw: number, withSingle: boolean): FeedRoute[] => [
    ...ecmp4.map((prefix) => ({ prefix })),
    ...ecmp6.map((prefix) => ({ prefix })),
    ...weighted.map((prefix) => ({ prefix, linkBandwidth: bw })),
    ...(withSingle ? single.map((prefix) => ({ prefix })) : []),
  ];
  return {
    peers: [
      { link: 1, routes: mk(125e6, true) },
      { link: 2, routes: mk(375e6, false) },
    ],
    ecmp4,
    ecmp6,
    weighted,
    single,
    total: ecmp4.length + ecmp6.length + weighted.length + single.length,
  };
}

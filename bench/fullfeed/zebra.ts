// zebra's side of the full-feed benchmark: a TCP FPM client that streams the table, sends churn as zebra 8.4.4 encodes it, and reads fibpush's offload feedback.
//
// Feedback frames (docs/fpm-extensions.md section 3): FPM frames [ver=1][type=1][len u16 BE]
// holding RTM_NEWROUTE messages whose rtm_flags carry RTM_F_OFFLOAD (installed) or
// RTM_F_OFFLOAD_FAILED, with the route's family, dst_len and RTA_DST.
import * as net from 'net';
import {
  AF_INET,
  AF_INET6,
  FpmEncoder,
  NexthopMsg,
  RTM_F_OFFLOAD,
  RTM_F_OFFLOAD_FAILED,
  RTM_NEWROUTE,
  RTPROT_ZEBRA,
} from '../../ts/codec/encoder';
import type { NexthopObject } from '../../ts/gen/fulltable';
import { FamilyIx, FeedModel } from './model';

const RTA_DST = 1;

/** Called per offload notification: the route's family and index in the model (-1 if not in it). */
export type OffloadHook = (f: FamilyIx, index: number, failed: boolean, now: number) => void;

export class ZebraSide {
  readonly sock: net.Socket;
  /** performance.now() when the TCP connection was established. */
  connectedAt = 0;
  offloads = 0;
  offloadFailed = 0;
  /** Notifications for routes that are not in the model. */
  unknown = 0;
  bytesIn = 0;
  /** performance.now() of the last notification. */
  lastOffloadAt = 0;
  closed = false;
  private acc: Buffer = Buffer.alloc(0);

  private constructor(
    sock: net.Socket,
    private readonly model: FeedModel,
    readonly hook: OffloadHook,
  ) {
    this.sock = sock;
    sock.on('data', (d: Buffer) => this.onData(d));
    sock.on('close', () => {
      this.closed = true;
    });
    sock.on('error', () => undefined);
  }

  static connect(port: number, model: FeedModel, hook: OffloadHook): Promise<ZebraSide> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port, noDelay: true });
      const z = new ZebraSide(s, model, hook);
      s.once('connect', () => {
        z.connectedAt = performance.now();
        resolve(z);
      });
      s.once('error', reject);
    });
  }

  /** Writes and resolves once Node handed every byte to the kernel. */
  write(b: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.sock.write(b, (e) => (e ? reject(e) : resolve()));
    });
  }

  close(): void {
    this.sock.destroy();
  }

  private onData(d: Buffer): void {
    this.bytesIn += d.length;
    let b = this.acc.length > 0 ? Buffer.concat([this.acc, d]) : d;
    let off = 0;
    const now = performance.now();
    while (b.length - off >= 4) {
      const flen = b.readUInt16BE(off + 2);
      if (flen < 4) throw new Error(`feedback: FPM frame length ${flen} at byte ${this.bytesIn - b.length + off}`);
      if (b.length - off < flen) break;
      for (let m = off + 4; m + 16 <= off + flen; ) {
        const nlen = b.readUInt32LE(m);
        if (nlen < 16 || m + nlen > off + flen) break;
        if (b.readUInt16LE(m + 4) === RTM_NEWROUTE && nlen >= 28) this.onRoute(b, m, nlen, now);
        m += (nlen + 3) & ~3;
      }
      off += flen;
    }
    b = b.subarray(off);
    this.acc = b.length > 0 ? Buffer.from(b) : Buffer.alloc(0);
  }

  private onRoute(b: Buffer, m: number, nlen: number, now: number): void {
    const family = b[m + 16];
    const dstLen = b[m + 17];
    const flags = b.readUInt32LE(m + 24);
    if (!(flags & (RTM_F_OFFLOAD | RTM_F_OFFLOAD_FAILED))) return;
    const failed = (flags & RTM_F_OFFLOAD_FAILED) !== 0;
    this.offloads++;
    if (failed) this.offloadFailed++;
    this.lastOffloadAt = now;
    const f: FamilyIx | -1 = family === AF_INET ? 0 : family === AF_INET6 ? 1 : -1;
    let index = -1;
    for (let a = m + 28; a + 4 <= m + nlen; ) {
      const alen = b.readUInt16LE(a);
      const atype = b.readUInt16LE(a + 2) & 0x3fff;
      if (alen < 4) break;
      if (atype === RTA_DST && f !== -1 && alen - 4 >= (f === 0 ? 4 : 16)) index = this.model.find(f, b, a + 4, dstLen);
      a += (alen + 3) & ~3;
    }
    if (f === -1 || index < 0) {
      this.unknown++;
      return;
    }
    this.hook(f, index, failed, now);
  }
}

// ---- messages zebra sends during churn (zebra 8.4.4: an update is DEL + NEW in one frame; deletes carry no nexthops) ----

export function encodeReplace(e: FpmEncoder, m: FeedModel, f: FamilyIx, i: number, nhId: number): void {
  const s = m.sets[f];
  const dst = m.addrBytes(f, i);
  e.beginFrame();
  e.route({ del: true, family: s.family, dst, dstLen: s.len[i], protocol: s.proto[i], table: m.t.table });
  e.route({ family: s.family, dst, dstLen: s.len[i], protocol: s.proto[i], table: m.t.table, nhId });
  e.endFrame();
}

export function encodeWithdraw(e: FpmEncoder, m: FeedModel, f: FamilyIx, i: number): void {
  const s = m.sets[f];
  e.route({ del: true, family: s.family, dst: m.addrBytes(f, i), dstLen: s.len[i], protocol: s.proto[i], table: m.t.table });
}

export function encodeNexthop(e: FpmEncoder, o: NexthopObject): void {
  const n: NexthopMsg = {
    id: o.id,
    family: o.family,
    protocol: RTPROT_ZEBRA,
    gateway: o.gateway,
    oif: o.oif,
    blackhole: o.blackhole,
    group: o.group,
    backupNhg: o.backupNhg,
  };
  e.nexthop(n);
}

/**
 * A changed version of a group (same id): one member fewer when it has three or more (a member
 * lost), else its weights rotated or made unequal (a weight change). null for singletons.
 */
export function changedGroup(o: NexthopObject, dropMember: boolean): NexthopObject | null {
  if (!o.group || o.group.length < 2) return null;
  if (dropMember && o.group.length >= 3) return { ...o, group: o.group.slice(0, -1), label: `${o.label} -1` };
  const w = o.group.map((g) => g.weight);
  const allEqual = w.every((x) => x === w[0]);
  const nw = allEqual ? w.map((x, j) => (j === 0 ? Math.min(255, x * 3) : x)) : [w[w.length - 1], ...w.slice(0, -1)];
  if (nw.every((x, j) => x === w[j])) return null;
  return { ...o, group: o.group.map((g, j) => ({ id: g.id, weight: nw[j] })), label: `${o.label} ~w` };
}

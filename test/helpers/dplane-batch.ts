// Test helper: writes decoded rows by hand into a createBatch() batch and a chunk (what a decoder would produce).
import { Attr, Batch, createBatch, Kind, Meta, ROW_COLUMNS } from '../../ts/codec/layout';
import { AF_BRIDGE, AF_INET, AF_INET6, AF_MPLS } from '../../ts/dplane/types';
import { parseIp } from './dplane-net';

export interface PathSpec {
  gw?: string;
  ifindex?: number;
  /** Weight as the batch carries it (rtnh_hops + 1). */
  weight?: number;
  labels?: number[];
  flags?: number;
}

export interface RouteSpec {
  family?: number; // default from dst
  /** "10.0.0.0/24", "2001:db8::/32"; for AF_MPLS use `label`. */
  dst?: string;
  label?: number;
  table?: number;
  protocol?: number;
  type?: number; // rtm_type, default 1 (unicast) for NEW, 0 for DEL
  nhId?: number;
  gw?: string;
  oif?: number;
  /** RTA_ENCAP labels (IP routes) or RTA_NEWDST (AF_MPLS). */
  labels?: number[];
  paths?: PathSpec[];
}

export interface NexthopSpec {
  id: number;
  family?: number;
  gw?: string;
  oif?: number;
  blackhole?: boolean;
  labels?: number[];
  /** [member id, weight (nexthop_grp.weight + 1)] */
  group?: [number, number][];
  fdb?: boolean;
  backup?: number;
  flags?: number;
}

export interface NeighSpec {
  ifindex: number;
  mac: string;
  vlan?: number;
  dst?: string;
  nhId?: number;
  vni?: number;
  family?: number;
}

/** Label stack entry as the batch stores it: the big-endian word (label << 12 | bos << 8 | ttl). */
function lse(label: number, bos: boolean): number {
  return ((label << 12) | (bos ? 0x100 : 0)) >>> 0;
}

export class BatchWriter {
  readonly batch: Batch = createBatch();
  chunk = new Uint8Array(1 << 20);
  private pos = 16; // offset 0 means "absent" in the batch contract
  private rows = 0;
  private paths = 0;
  private groups = 0;
  private labels = 0;

  /** Starts a new batch (rows and chunk reused). */
  reset(): this {
    this.pos = 16;
    this.rows = this.paths = this.groups = this.labels = 0;
    this.sync();
    return this;
  }

  get rowCount(): number {
    return this.rows;
  }

  private sync(): void {
    const m = this.batch.meta;
    m[Meta.Rows] = this.rows;
    m[Meta.Paths] = this.paths;
    m[Meta.Groups] = this.groups;
    m[Meta.Labels] = this.labels;
  }

  private bytes(b: Uint8Array): number {
    const o = this.pos;
    this.chunk.set(b, o);
    this.pos += (b.length + 3) & ~3;
    return o;
  }

  private row(kind: Kind, msgType: number): number {
    const r = this.rows++;
    const b = this.batch;
    // Every column of the row starts at 0, as the decoders leave them (docs/codec.md).
    for (const [name] of ROW_COLUMNS) (b[name] as Uint8Array)[r] = 0;
    b.kind[r] = kind;
    b.msgType[r] = msgType;
    b.err[r] = 0;
    b.attrs[r] = 0;
    return r;
  }

  private labelList(ls: number[]): [number, number] {
    const start = this.labels;
    ls.forEach((l, i) => (this.batch.label[this.labels++] = lse(l, i === ls.length - 1)));
    return [start, ls.length];
  }

  route(op: 'new' | 'del', s: RouteSpec): this {
    const b = this.batch;
    const r = this.row(Kind.Route, op === 'new' ? 24 : 25);
    let attrs = 0;
    if (s.label !== undefined) {
      b.family[r] = AF_MPLS;
      b.dstLen[r] = 20;
      const w = lse(s.label, true);
      b.dstOff[r] = this.bytes(Uint8Array.of(w >>> 24, (w >>> 16) & 0xff, (w >>> 8) & 0xff, w & 0xff));
      b.dstAttrLen[r] = 4;
      attrs |= Attr.Dst;
      b.table[r] = 254;
    } else {
      const [a, lenText] = (s.dst ?? '0.0.0.0/0').split('/');
      const ip = parseIp(a);
      b.family[r] = s.family ?? (ip.length === 4 ? AF_INET : AF_INET6);
      b.dstLen[r] = lenText === undefined ? ip.length * 8 : Number(lenText);
      b.dstOff[r] = this.bytes(ip);
      b.dstAttrLen[r] = ip.length;
      attrs |= Attr.Dst;
      b.table[r] = s.table ?? 254;
      if ((s.table ?? 254) >= 256) attrs |= Attr.Table;
    }
    b.protocol[r] = s.protocol ?? 196;
    b.rtype[r] = s.type ?? (op === 'new' ? 1 : 0);
    b.priority[r] = 20;
    attrs |= Attr.Priority;
    if (s.nhId !== undefined) {
      b.nhId[r] = s.nhId;
      attrs |= Attr.NhId;
    }
    if (s.gw !== undefined) {
      const g = parseIp(s.gw);
      b.gwOff[r] = this.bytes(g);
      b.gwLen[r] = g.length;
      b.gwFamily[r] = g.length === 4 ? AF_INET : AF_INET6;
      attrs |= b.family[r] === AF_MPLS ? Attr.Via : Attr.Gateway;
    }
    if (s.oif !== undefined) {
      b.oif[r] = s.oif;
      attrs |= Attr.Oif;
    }
    if (s.labels !== undefined && s.labels.length > 0) {
      const [ls, lc] = this.labelList(s.labels);
      b.labelStart[r] = ls;
      b.labelCount[r] = lc;
      if (b.family[r] === AF_MPLS) attrs |= Attr.NewDst;
      else {
        b.encapType[r] = 1;
        attrs |= Attr.Encap | Attr.EncapType;
      }
    }
    if (s.paths !== undefined) {
      attrs |= Attr.Multipath;
      b.pathStart[r] = this.paths;
      b.pathCount[r] = s.paths.length;
      for (const p of s.paths) {
        const i = this.paths++;
        b.pIfindex[i] = p.ifindex ?? 0;
        b.pWeight[i] = p.weight ?? 1;
        b.pFlags[i] = p.flags ?? 0;
        b.pGwOff[i] = 0;
        b.pGwLen[i] = 0;
        b.pEncapType[i] = 0;
        b.pLabelCount[i] = 0;
        if (p.gw !== undefined) {
          const g = parseIp(p.gw);
          b.pGwOff[i] = this.bytes(g);
          b.pGwLen[i] = g.length;
          b.pGwFamily[i] = g.length === 4 ? AF_INET : AF_INET6;
        }
        if (p.labels !== undefined && p.labels.length > 0) {
          const [ls, lc] = this.labelList(p.labels);
          b.pLabelStart[i] = ls;
          b.pLabelCount[i] = lc;
          if (b.family[r] !== AF_MPLS) b.pEncapType[i] = 1;
        }
      }
    }
    b.attrs[r] = attrs;
    this.sync();
    return this;
  }

  nexthop(op: 'new' | 'del', s: NexthopSpec): this {
    const b = this.batch;
    const r = this.row(Kind.Nexthop, op === 'new' ? 104 : 105);
    let attrs = Attr.NhId;
    b.nhId[r] = s.id;
    b.protocol[r] = 11;
    b.flags[r] = s.flags ?? 0;
    let fam = s.family;
    if (op === 'new') {
      if (s.group !== undefined) {
        attrs |= Attr.Group;
        b.groupStart[r] = this.groups;
        b.groupCount[r] = s.group.length;
        for (const [id, w] of s.group) {
          b.gId[this.groups] = id;
          b.gWeight[this.groups] = w;
          this.groups++;
        }
        fam ??= 0;
      }
      if (s.gw !== undefined) {
        const g = parseIp(s.gw);
        b.gwOff[r] = this.bytes(g);
        b.gwLen[r] = g.length;
        b.gwFamily[r] = g.length === 4 ? AF_INET : AF_INET6;
        attrs |= Attr.Gateway;
        fam ??= s.fdb ? AF_BRIDGE : g.length === 4 ? AF_INET : AF_INET6;
      }
      if (s.oif !== undefined) {
        b.oif[r] = s.oif;
        attrs |= Attr.Oif;
      }
      if (s.blackhole) attrs |= Attr.Blackhole;
      if (s.fdb) attrs |= Attr.Fdb;
      if (s.labels !== undefined && s.labels.length > 0) {
        const [ls, lc] = this.labelList(s.labels);
        b.labelStart[r] = ls;
        b.labelCount[r] = lc;
        b.encapType[r] = 1;
        attrs |= Attr.Encap | Attr.EncapType;
      }
      if (s.backup !== undefined) {
        b.backupNhg[r] = s.backup;
        attrs |= Attr.BackupNhg;
      }
    }
    b.family[r] = fam ?? AF_INET;
    b.attrs[r] = attrs;
    this.sync();
    return this;
  }

  neigh(op: 'new' | 'del', s: NeighSpec): this {
    const b = this.batch;
    const r = this.row(Kind.Neigh, op === 'new' ? 28 : 29);
    let attrs = Attr.Oif | Attr.LlAddr;
    b.family[r] = s.family ?? AF_BRIDGE;
    b.oif[r] = s.ifindex;
    const mac = Uint8Array.from(s.mac.split(':').map((x) => parseInt(x, 16)));
    b.lladdrOff[r] = this.bytes(mac);
    b.lladdrLen[r] = 6;
    b.protocol[r] = 11;
    if (s.vlan !== undefined) {
      b.vlan[r] = s.vlan;
      attrs |= Attr.Vlan;
    }
    if (s.dst !== undefined) {
      const d = parseIp(s.dst);
      b.dstOff[r] = this.bytes(d);
      b.dstAttrLen[r] = d.length;
      attrs |= Attr.Dst;
    }
    if (s.nhId !== undefined) {
      b.nhId[r] = s.nhId;
      attrs |= Attr.NhId;
    }
    if (s.vni !== undefined) {
      b.vni[r] = s.vni;
      attrs |= Attr.Vni;
    }
    b.attrs[r] = attrs;
    this.sync();
    return this;
  }

  done(): this {
    this.row(Kind.Done, 3);
    this.sync();
    return this;
  }

  other(msgType = 16): this {
    this.row(Kind.Other, msgType);
    this.sync();
    return this;
  }

  /** A row the decoder marked bad (any RowError). */
  bad(err = 2): this {
    const r = this.row(Kind.Route, 24);
    this.batch.err[r] = err;
    this.sync();
    return this;
  }
}

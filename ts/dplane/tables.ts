// The mirror's entry tables: one KeyTable per route family (the netlink table is part of the key),
// the EVPN MAC table with its VTEP/VNI columns, the netlink table ids behind the u16 index each
// route keeps, and the route/MAC totals. Plain storage: what an entry means is the other parts' job.
import { KeyTable } from './keytable';
import { FC_FAMILY, FC_MPLS, FibStoreOptions, RouteKey } from './model';

export class Tables {
  /** Route tables, index = family code (FC_V4, FC_V6, FC_MPLS). */
  readonly rt: KeyTable[];
  readonly macs: KeyTable;
  // MAC columns beside the MAC KeyTable (same entry ids): VTEP family (0, 4, 6), VTEP address, VNI.
  macVtepFam = new Uint8Array(0);
  macVtep = new Uint8Array(0);
  macVni = new Uint32Array(0);
  /** Netlink table ids by the u16 index kept per route, and back. */
  readonly tableIds: number[] = [];
  readonly tableIdx = new Map<number, number>();
  private lastTableId = -1;
  private lastTableIx = 0;
  /** Routes per (table index * 3 + family code). */
  readonly routeCounts: number[] = [];
  routeTotal = 0;
  macTotal = 0;

  constructor(opts: FibStoreOptions) {
    const cap = opts.capacity ?? {};
    const exp = Math.max(0, Math.min(opts.expectedRoutes ?? 0, 1 << 26));
    // A full table is ~81% IPv4 / 19% IPv6; each side gets a little slack over its share.
    const v4 = cap.inet ?? Math.max(1024, Math.ceil(exp * 0.85));
    const v6 = cap.inet6 ?? Math.max(1024, Math.ceil(exp * 0.22));
    this.rt = [new KeyTable(1, v4), new KeyTable(4, v6), new KeyTable(1, cap.mpls ?? 64)];
    this.macs = new KeyTable(3, cap.macs ?? 64);
    this.growMacColumns();
  }

  /**
   * The u16 index of netlink table `table`; a table not seen yet gets one when `create`, else -1.
   * A 65537th table throws a RangeError (counted by ingest as a failed row, never fatal).
   */
  tableIndex(table: number, create: boolean): number {
    if (table === this.lastTableId) return this.lastTableIx;
    let ix = this.tableIdx.get(table);
    if (ix === undefined) {
      if (!create) return -1;
      ix = this.tableIds.length;
      if (ix > 0xffff) throw new RangeError(`routing table ${table}: more than 65536 routing tables (the index kept per route is a u16)`);
      this.tableIds.push(table);
      this.tableIdx.set(table, ix);
      this.routeCounts.push(0, 0, 0);
    }
    this.lastTableId = table;
    this.lastTableIx = ix;
    return ix;
  }

  /** The MAC columns follow the MAC table's capacity (call after an insert). */
  growMacColumns(): void {
    const cap = this.macs.cap;
    if (this.macVni.length >= cap) return;
    const f = new Uint8Array(cap);
    f.set(this.macVtepFam);
    const v = new Uint8Array(cap * 16);
    v.set(this.macVtep);
    const n = new Uint32Array(cap);
    n.set(this.macVni);
    this.macVtepFam = f;
    this.macVtep = v;
    this.macVni = n;
  }

  /** Route `id`'s address as 16 bytes (zero-padded; AF_MPLS: all zero). */
  keyBytes(fc: number, id: number, out: Uint8Array): void {
    const t = this.rt[fc];
    // Byte stores, not out.fill(0): a runtime call per route drained (a full table is 1.2M).
    const w = fc === FC_MPLS ? 0 : t.words;
    for (let j = 0; j < w; j++) {
      const x = t.key[id * w + j];
      out[4 * j] = x >>> 24;
      out[4 * j + 1] = (x >>> 16) & 0xff;
      out[4 * j + 2] = (x >>> 8) & 0xff;
      out[4 * j + 3] = x & 0xff;
    }
    for (let i = 4 * w; i < out.length; i++) out[i] = 0;
  }

  /** Route `id`'s address, 4 or 16 bytes (AF_MPLS: empty). */
  addrOf(fc: number, id: number): Uint8Array {
    const t = this.rt[fc];
    const words = fc === FC_MPLS ? 0 : t.words;
    const addr = new Uint8Array(4 * words);
    for (let j = 0; j < words; j++) {
      const x = t.key[id * words + j];
      addr[4 * j] = x >>> 24;
      addr[4 * j + 1] = (x >>> 16) & 0xff;
      addr[4 * j + 2] = (x >>> 8) & 0xff;
      addr[4 * j + 3] = x & 0xff;
    }
    return addr;
  }

  routeKeyOf(fc: number, id: number): RouteKey {
    const t = this.rt[fc];
    return {
      family: FC_FAMILY[fc],
      table: fc === FC_MPLS ? 0 : this.tableIds[t.tbl[id]],
      addr: this.addrOf(fc, id),
      len: t.len[id],
      label: fc === FC_MPLS ? t.key[id] : 0,
      protocol: t.proto[id],
    };
  }

  /** Bytes held by the route/MAC tables (typed arrays; excludes group objects). */
  bytes(): number {
    return this.rt.reduce((s, t) => s + t.bytes(), 0) + this.macs.bytes() + this.macVtep.byteLength + this.macVni.byteLength * 2;
  }
}

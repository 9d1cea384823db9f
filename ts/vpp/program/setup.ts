// What routes need in VPP before they can be written: their tables, and the interface map (Linux
// ifindex -> sw_if_index) their groups' legs resolve through.
//
// - Tables: netlink table 254 -> VPP 0 by default, others through a configurable map (identity when
//   unmapped). Every non-zero VPP table is created (ip_table_add_del) before its first route; the
//   MPLS table 0 too (mpls_table_add_del) before the first LSP. VPP handles messages in order, so the
//   create travels in the same batch just ahead of the route.
// - Interfaces: sw_interface_dump at every connection, sw_interface_event after it; linux-cp pairs
//   (lcp_itf_pair_get) when VPP has the plugin, re-read periodically and when a new interface appears.
import type { VppClient } from '../client';
import { InterfaceMap, LcpPair } from '../ifmap';

/** Table family codes: 4, 6, and 28 (AF_MPLS) for the MPLS table. */
export type TableFam = 4 | 6 | 28;

export class Tables {
  private readonly map = new Map<number, number>();
  /** (family code * 2^32 + VPP table) -> 1 sent, 2 confirmed. */
  private readonly state = new Map<number, number>();

  constructor(tableMap?: ReadonlyMap<number, number> | Readonly<Record<string, number>>) {
    this.map.set(254, 0);
    if (tableMap) {
      const entries: [number, number][] = isMap(tableMap) ? [...tableMap] : Object.entries(tableMap).map(([k, v]) => [Number(k), v]);
      for (const [k, v] of entries) this.map.set(Number(k), v);
    }
  }

  vppTableOf(nlTable: number): number {
    return this.map.get(nlTable) ?? nlTable;
  }

  /** Whether table `vppTable` of `fam` must be created first; marks it sent when so. IP table 0 always exists. */
  claim(fam: TableFam, vppTable: number): boolean {
    if (vppTable === 0 && fam !== 28) return false;
    const k = fam * 0x100000000 + vppTable;
    if (this.state.has(k)) return false;
    this.state.set(k, 1);
    return true;
  }

  confirmed(fam: number, vppTable: number): void {
    this.state.set(fam * 0x100000000 + vppTable, 2);
  }

  /** Not created: the next route for it asks again. */
  failed(fam: number, vppTable: number): void {
    this.state.delete(fam * 0x100000000 + vppTable);
  }

  /** A new connection: created again as needed (VPP answers an existing table's create with success). */
  clear(): void {
    this.state.clear();
  }
}

/** Whether the private PIC tables are missing (a VPP that restarted under the same pid namespace). */
export async function privateTablesMissing(client: VppClient, picTable4: number, picTable6: number): Promise<boolean> {
  const rows = await client.dump('ip_table_dump', {});
  let v4 = false;
  let v6 = false;
  for (const r of rows) {
    const t = r.table as { table_id: number; is_ip6: boolean };
    if (t.table_id === picTable4 && !t.is_ip6) v4 = true;
    if (t.table_id === picTable6 && t.is_ip6) v6 = true;
  }
  return !(v4 && v6);
}

export interface InterfaceHooks {
  /** Mappings changed for these ifindexes (groups using them are programmed again). */
  changed(ifindexes: number[]): void;
  /** A mapped interface went up or down in VPP. */
  link(ifindex: number, up: boolean): void;
  error(message: string): void;
}

/** Keeps the interface map in step with VPP: interface dumps and events, linux-cp pairs. */
export class InterfaceWatch {
  private lcpTimer: NodeJS.Timeout | null = null;
  private lcpRefreshSoon: NodeJS.Timeout | null = null;

  constructor(
    private readonly client: VppClient,
    readonly ifmap: InterfaceMap,
    private readonly linuxCp: boolean,
    private readonly lcpRefreshMs: number,
    private readonly hooks: InterfaceHooks,
  ) {
    client.on('interface', (sw: number, flags: number, deleted: boolean) => this.onEvent(sw, flags, deleted));
  }

  /** Read every interface and linux-cp pair (at connect). */
  async read(): Promise<void> {
    const ifs = new Map<number, boolean>();
    const rows = await this.client.dump('sw_interface_dump', { sw_if_index: 0xffffffff, name_filter_valid: false, name_filter: '' });
    for (const r of rows) ifs.set(Number(r.sw_if_index), (Number(r.flags) & 3) === 3);
    const changed = this.ifmap.setVppInterfaces(ifs);
    const lcpChanged = await this.readLcp();
    this.hooks.changed([...changed, ...lcpChanged]);
  }

  /** Re-read linux-cp pairs every lcpRefreshMs from now on. */
  startRefresh(): void {
    if (this.lcpRefreshMs > 0 && !this.lcpTimer) {
      this.lcpTimer = setInterval(() => void this.refreshLcp(), this.lcpRefreshMs);
      this.lcpTimer.unref();
    }
  }

  close(): void {
    if (this.lcpTimer) clearInterval(this.lcpTimer);
    if (this.lcpRefreshSoon) clearTimeout(this.lcpRefreshSoon);
    this.lcpTimer = this.lcpRefreshSoon = null;
  }

  private async readLcp(): Promise<number[]> {
    if (!this.linuxCp || !this.client.has('lcp_itf_pair_get')) return [];
    const rows = await this.client.getAll('lcp_itf_pair_get', {});
    const pairs: LcpPair[] = rows
      .filter((r) => r.vif_index !== undefined)
      .map((r) => ({ ifindex: Number(r.vif_index), swIfIndex: Number(r.phy_sw_if_index), hostName: typeof r.host_if_name === 'string' ? r.host_if_name : '', netns: typeof r.netns === 'string' ? r.netns : '' }));
    return this.ifmap.setLcp(pairs);
  }

  private async refreshLcp(): Promise<void> {
    if (!this.client.connected) return;
    try {
      this.hooks.changed(await this.readLcp());
    } catch (e) {
      this.hooks.error((e as Error).message);
    }
  }

  private onEvent(sw: number, flags: number, deleted: boolean): void {
    const up = (flags & 3) === 3;
    const known = this.ifmap.isUp(sw) !== undefined;
    const changed = this.ifmap.vppInterface(sw, up, deleted);
    for (const ifindex of this.ifmap.ifindexesOf(sw)) this.hooks.link(ifindex, up && !deleted);
    this.hooks.changed(changed);
    // A new VPP interface may come with a new linux-cp pair shortly after.
    if (!known && !deleted && this.linuxCp && this.client.has('lcp_itf_pair_get') && !this.lcpRefreshSoon) {
      this.lcpRefreshSoon = setTimeout(() => {
        this.lcpRefreshSoon = null;
        void this.refreshLcp();
      }, 50);
      this.lcpRefreshSoon.unref();
    }
  }
}

function isMap(m: ReadonlyMap<number, number> | Readonly<Record<string, number>>): m is ReadonlyMap<number, number> {
  return m instanceof Map;
}

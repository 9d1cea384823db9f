// VPP's routes of one table as adoption reads them: ip_route_v2_dump with src 0 (every source: the
// caller keeps FIB_SOURCE_API's), streamed through one reused view, no object per row.
import type { VppClient } from '../client';
import { RouteDetailsView } from '../codec';

/** Streams the routes of VPP table `vppTable` of `family` to `onRoute`; resolves with the row count. */
export async function dumpRoutes(client: VppClient, family: 4 | 6, vppTable: number, onRoute: (r: RouteDetailsView) => void): Promise<number> {
  const v = new RouteDetailsView();
  let n = 0;
  // A full table streams for seconds (~660k details/s): the dump's own timeout, not a request's.
  await client.dumpEach('ip_route_v2_dump', { src: 0, table: { table_id: vppTable, is_ip6: family === 6 } }, (buf, dv, off, len) => {
    n++;
    onRoute(v.fill(buf, dv, off, len, true));
  }, { timeoutMs: 60_000 });
  return n;
}

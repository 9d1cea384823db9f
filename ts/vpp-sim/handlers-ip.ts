// The simulator's IP and MPLS handlers (vnet/ip/ip_api.c, vnet/mpls/mpls_api.c): tables, route
// add/del through the FIB model, lookups, and the route dumps, streamed in chunks so nothing else
// runs until they are done (as on VPP's one API thread).
import { Obj } from './codec';
import { offsetOf } from './defs';
import { FibModel } from './fib';
import { FIB_SOURCE, NO_IF, RV } from './fib-types';
import { PrefixTable } from './prefix-table';
import { FIB_PATH_SIZE } from './route-wire';
import { maskWord, unionToWords } from './addr';
import type { Conn } from './conn';
import type { Def, HandlerFn, HandlerHost } from './host';

/** Details messages written between yields of a dump. */
const DUMP_CHUNK = 2048;

export function ipHandlers(sim: HandlerHost, def: Def): void {
  const O = sim.wire.O;
  const tableAddDel = (name: string, c: Conn, o: Obj): void => {
    const t = o.table as Obj;
    const rv = sim.fib.ipTableAddDel(!!o.is_add, t.is_ip6 ? 1 : 0, Number(t.table_id), t.name as string);
    sim.reply(c, `${name}_reply`, Number(o.context), rv);
  };
  def('ip_table_add_del', (c, b, off) => tableAddDel('ip_table_add_del', c, sim.decode('ip_table_add_del', b, off)));
  def('ip_table_add_del_v2', (c, b, off) => tableAddDel('ip_table_add_del_v2', c, sim.decode('ip_table_add_del_v2', b, off)));
  const tableOp = (name: string, op: (af: number, t: number) => number): HandlerFn => (c, b, off) => {
    const o = sim.decode(name, b, off);
    const t = o.table as Obj;
    sim.reply(c, `${name}_reply`, Number(o.context), op(t.is_ip6 ? 1 : 0, Number(t.table_id)));
  };
  def('ip_table_flush', tableOp('ip_table_flush', (af, t) => sim.fib.ipTableFlush(af, t)));
  def('ip_table_replace_begin', tableOp('ip_table_replace_begin', (af, t) => sim.fib.ipTableReplaceBegin(af, t)));
  def('ip_table_replace_end', tableOp('ip_table_replace_end', (af, t) => sim.fib.ipTableReplaceEnd(af, t)));
  def('ip_table_dump', (c, b, off) => {
    const ctx = b.readUInt32BE(off + 6);
    for (const af of [0, 1] as const)
      for (const t of sim.fib.ip[af].values()) sim.sendObj(c, 'ip_table_details', { context: ctx, table: { table_id: t.tableId, is_ip6: af === 1, name: t.name } });
  });

  const routeAddDel = (v2: boolean): HandlerFn => (c, b, off) => {
    const ctx = b.readUInt32BE(off + O.ctx);
    const n = b[off + O.n];
    let rv: number;
    if (sim.injectFailure()) {
      // Injected fault: answered like a VPP that refused the request, the FIB left as it was.
      rv = sim.failRetval;
      sim.fib.lastStats = NO_IF;
      sim.counters.injectedFailures++;
    } else if (v2 && b[off + O.v2src] !== 0 && b[off + O.v2src] !== FIB_SOURCE.API) {
      sim.log(`ip_route_add_del_v2: src ${b[off + O.v2src]} refused: the simulator models the API source only (0 or ${FIB_SOURCE.API})`);
      rv = RV.INVALID_VALUE;
      sim.fib.lastStats = NO_IF;
    } else {
      const cp = sim.wire.readPaths(b, off + (v2 ? O.v2paths : O.paths), n);
      const a = off + O.addr;
      const af = b[off + O.af];
      rv = sim.fib.ipRoute(
        af,
        b.readUInt32BE(off + O.table),
        b.readUInt32BE(a),
        af === 1 ? b.readUInt32BE(a + 4) : 0,
        af === 1 ? b.readUInt32BE(a + 8) : 0,
        af === 1 ? b.readUInt32BE(a + 12) : 0,
        b[off + O.len],
        b[off + O.isAdd] !== 0,
        b[off + O.isMp] !== 0,
        cp.paths,
        cp.prep,
      );
    }
    const p = c.begin(v2 ? sim.ids.ip_route_add_del_v2_reply : sim.ids.ip_route_add_del_reply, O.rSize);
    const o = c.out;
    o.writeUInt32BE(ctx, p + O.rCtx);
    o.writeInt32BE(rv, p + O.rRv);
    o.writeUInt32BE(sim.fib.lastStats >>> 0, p + O.rStats);
    sim.counters.messagesOut++;
  };
  def('ip_route_add_del', routeAddDel(false));
  def('ip_route_add_del_v2', routeAddDel(true));

  const routeDump = (v2: boolean): HandlerFn => (c, b, off) => {
    const name = v2 ? 'ip_route_v2_dump' : 'ip_route_dump';
    const o = sim.decode(name, b, off);
    const t = o.table as Obj;
    return dumpRoutes(sim, c, Number(o.context), t.is_ip6 ? 1 : 0, Number(t.table_id), v2, v2 ? Number(o.src) : 0);
  };
  def('ip_route_dump', routeDump(false));
  def('ip_route_v2_dump', routeDump(true));

  const lookup = (name: string): HandlerFn => (c, b, off) => {
    const o = sim.decode(name, b, off);
    const pfx = o.prefix as Obj;
    const addr = pfx.address as Obj;
    const af = Number(addr.af);
    const w = new Uint32Array(4);
    unionToWords(af, addr.un as Buffer, 0, w);
    const r = routeLookup(sim, af, Number(o.table_id), w, Number(pfx.len), !!o.exact);
    if (typeof r === 'number') {
      sim.reply(c, `${name}_reply`, Number(o.context), r);
      return;
    }
    const body = sim.wire.routeDetailsBody(sim.fib, r.pt, r.e, Number(o.table_id), name.endsWith('_v2'));
    const m = sim.msg(`${name}_reply`);
    const roff = offsetOf(m, 'route');
    const p = c.begin(sim.id(`${name}_reply`), roff + body.length);
    c.out.writeUInt32BE(Number(o.context), p + offsetOf(m, 'context'));
    body.copy(c.out, p + roff);
    sim.counters.messagesOut++;
  };
  def('ip_route_lookup', lookup('ip_route_lookup'));
  def('ip_route_lookup_v2', lookup('ip_route_lookup_v2'));

  // mpls (vnet/mpls/mpls_api.c)
  def('mpls_table_add_del', (c, b, off) => {
    const o = sim.decode('mpls_table_add_del', b, off);
    const t = o.mt_table as Obj;
    sim.reply(c, 'mpls_table_add_del_reply', Number(o.context), sim.fib.mplsTableAddDel(!!o.mt_is_add, Number(t.mt_table_id), t.mt_name as string));
  });
  def('mpls_route_add_del', (c, b, off) => {
    const ctx = b.readUInt32BE(off + O.ctx);
    const cp = sim.wire.readPaths(b, off + O.mPaths, b[off + O.mN]);
    const rv = sim.fib.mplsRoute(
      b.readUInt32BE(off + O.mTable),
      b.readUInt32BE(off + O.mLabel),
      b[off + O.mEos] !== 0,
      b[off + O.mEosProto],
      b[off + O.mMcast] !== 0,
      b[off + O.mIsAdd] !== 0,
      b[off + O.mIsMp] !== 0,
      cp.paths,
      cp.prep,
    );
    sim.reply(c, 'mpls_route_add_del_reply', ctx, rv, { stats_index: sim.fib.lastStats >>> 0 });
  });
  def('mpls_table_dump', (c, b, off) => {
    const ctx = b.readUInt32BE(off + 6);
    for (const t of sim.fib.mpls.values()) sim.sendObj(c, 'mpls_table_details', { context: ctx, mt_table: { mt_table_id: t.tableId, mt_name: t.name } });
  });
  def('mpls_route_dump', (c, b, off) => {
    const o = sim.decode('mpls_route_dump', b, off);
    return dumpMpls(sim, c, Number(o.context), Number((o.table as Obj).mt_table_id));
  });
}

function routeLookup(sim: HandlerHost, af: number, tableId: number, w: Uint32Array, len: number, exact: boolean): number | { pt: PrefixTable; e: number } {
  if (af !== 0 && af !== 1) return RV.INVALID_ADDRESS_FAMILY;
  const t = sim.fib.ip[af].get(tableId);
  if (!t) return RV.NO_SUCH_FIB;
  let e: number;
  if (exact) {
    e = t.pt.find(
      (w[0] & maskWord(len, 0)) >>> 0,
      af ? (w[1] & maskWord(len, 1)) >>> 0 : 0,
      af ? (w[2] & maskWord(len, 2)) >>> 0 : 0,
      af ? (w[3] & maskWord(len, 3)) >>> 0 : 0,
      len,
    );
  } else e = t.pt.lpm(w, len);
  return e < 0 ? RV.NO_SUCH_ENTRY : { pt: t.pt, e };
}

function* dumpRoutes(sim: HandlerHost, c: Conn, ctx: number, af: 0 | 1, tableId: number, v2: boolean, src: number): Generator<void> {
  const t = sim.fib.ip[af].get(tableId);
  if (!t) return; // VPP sends nothing for a table it does not have
  const pt = t.pt;
  const O = sim.wire.O;
  const id = v2 ? sim.ids.ip_route_v2_details : sim.ids.ip_route_details;
  const fixed = v2 ? O.d2Paths : O.dPaths;
  const special = [sim.wire.specialPath(0), sim.wire.specialPath(1)];
  const hi = pt.hi;
  let n = 0;
  for (let e = 0; e < hi; e++) {
    if (c.closed) return;
    if (!(pt.flg[e] & 1)) continue;
    const s = FibModel.entrySource(pt, e);
    if (src !== 0 && s !== src) continue;
    const set = pt.set[e];
    const paths = set >= 0 ? sim.wire.encodedPaths(sim.fib.getSet(set)) : special[pt.af];
    const p = c.begin(id, fixed + paths.length);
    const o = c.out;
    o.writeUInt32BE(ctx, p + O.dCtx);
    o.writeUInt32BE(tableId, p + O.dTable);
    o.writeUInt32BE(e, p + O.dStats);
    o[p + O.dAf] = af;
    const a = p + O.dAddr;
    if (af === 0) o.writeUInt32BE(pt.addr[e], a);
    else for (let k = 0; k < 4; k++) o.writeUInt32BE(pt.addr[e * 4 + k], a + 4 * k);
    o[p + O.dLen] = pt.plen[e];
    o[p + O.dN] = paths.length / FIB_PATH_SIZE;
    if (v2) o[p + O.d2Src] = s;
    paths.copy(o, p + fixed);
    sim.counters.messagesOut++;
    if (++n % DUMP_CHUNK === 0) yield;
  }
}

function* dumpMpls(sim: HandlerHost, c: Conn, ctx: number, tableId: number): Generator<void> {
  const t = sim.fib.mpls.get(tableId);
  if (!t) return;
  const O = sim.wire.O;
  const id = sim.ids.mpls_route_details;
  let n = 0;
  for (const [k, r] of [...t.routes]) {
    if (c.closed) return;
    const paths = sim.wire.encodedPaths(sim.fib.getSet(r.set));
    const p = c.begin(id, O.mdPaths + paths.length);
    const o = c.out;
    o.writeUInt32BE(ctx, p + O.mdCtx);
    o.writeUInt32BE(tableId, p + O.mdTable);
    o.writeUInt32BE(Math.floor(k / 2), p + O.mdLabel);
    o[p + O.mdEos] = k & 1;
    o[p + O.mdEosProto] = r.eosProto;
    o[p + O.mdN] = paths.length / FIB_PATH_SIZE;
    paths.copy(o, p + O.mdPaths);
    sim.counters.messagesOut++;
    if (++n % DUMP_CHUNK === 0) yield;
  }
}

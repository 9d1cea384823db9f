// Routes and paths in their wire form, on the hot paths: byte offsets of ip_route_add_del(_v2),
// its replies and details and mpls_route_add_del/_details, computed once from the API definitions;
// fib_path[] decoded as fib_api_path_decode reads it (vnet/fib/fib_api.c, cached by its bytes) and
// encoded as fib_api_path_encode writes it (cached on the path set); a route's details body.
import { offsetOf, fieldOf, SimDefs, SimMsg, SimType } from './defs';
import { FibModel } from './fib';
import { FibPath, NH_PROTO, NO_IF, PathSet } from './fib-types';
import { Prepared, prepare } from './paths';
import { PrefixTable } from './prefix-table';
import { unionToWords, wordsToUnion } from './addr';

/** sizeof (vl_api_fib_path_t). */
export const FIB_PATH_SIZE = 167;
const FIB_LABEL_SIZE = 7;
const PATH_CACHE_MAX = 50000;

export interface CachedPaths {
  paths: FibPath[];
  prep: Prepared;
}

export class RouteWire {
  /** Offsets by short name (payload-relative; path and label fields relative to their element). */
  readonly O: Readonly<Record<string, number>>;
  private pathCache = new Map<string, CachedPaths>();

  constructor(private readonly defs: SimDefs) {
    this.O = this.computeOffsets();
  }

  private msg(name: string): SimMsg {
    const m = this.defs.messages.get(name);
    if (!m) throw new Error(`vpp-sim: no message ${name} in the API definitions`);
    return m;
  }

  /** A new FIB: decoded paths of the old one are not reused. */
  clearCache(): void {
    this.pathCache.clear();
  }

  private computeOffsets(): Record<string, number> {
    const m = (n: string): SimMsg => this.msg(n);
    const route = m('ip_route_add_del');
    const route2 = m('ip_route_add_del_v2');
    const pathT = fieldOf(fieldOf(route, 'route').sub as SimType, 'paths').sub as SimType;
    if (pathT.size !== FIB_PATH_SIZE) throw new Error(`vpp-sim: fib_path is ${pathT.size} bytes, expected ${FIB_PATH_SIZE}`);
    const labT = fieldOf(pathT, 'label_stack').sub as SimType;
    if (labT.size !== FIB_LABEL_SIZE) throw new Error(`vpp-sim: fib_mpls_label is ${labT.size} bytes`);
    const det = m('ip_route_details');
    const det2 = m('ip_route_v2_details');
    const mr = m('mpls_route_add_del');
    const mdet = m('mpls_route_details');
    const O: Record<string, number> = {
      isAdd: offsetOf(route, 'is_add'),
      isMp: offsetOf(route, 'is_multipath'),
      table: offsetOf(route, 'route.table_id'),
      af: offsetOf(route, 'route.prefix.address.af'),
      addr: offsetOf(route, 'route.prefix.address.un'),
      len: offsetOf(route, 'route.prefix.len'),
      n: offsetOf(route, 'route.n_paths'),
      paths: offsetOf(route, 'route.paths'),
      v2src: offsetOf(route2, 'route.src'),
      v2paths: offsetOf(route2, 'route.paths'),
      ctx: offsetOf(route, 'context'),
      pSw: offsetOf(pathT, 'sw_if_index'),
      pTable: offsetOf(pathT, 'table_id'),
      pRpf: offsetOf(pathT, 'rpf_id'),
      pWeight: offsetOf(pathT, 'weight'),
      pPref: offsetOf(pathT, 'preference'),
      pType: offsetOf(pathT, 'type'),
      pFlags: offsetOf(pathT, 'flags'),
      pProto: offsetOf(pathT, 'proto'),
      pNh: offsetOf(pathT, 'nh.address'),
      pVia: offsetOf(pathT, 'nh.via_label'),
      pNl: offsetOf(pathT, 'n_labels'),
      pLs: offsetOf(pathT, 'label_stack'),
      lUni: offsetOf(labT, 'is_uniform'),
      lLabel: offsetOf(labT, 'label'),
      lTtl: offsetOf(labT, 'ttl'),
      lExp: offsetOf(labT, 'exp'),
      rCtx: offsetOf(m('ip_route_add_del_reply'), 'context'),
      rRv: offsetOf(m('ip_route_add_del_reply'), 'retval'),
      rStats: offsetOf(m('ip_route_add_del_reply'), 'stats_index'),
      rSize: m('ip_route_add_del_reply').size,
      dCtx: offsetOf(det, 'context'),
      dTable: offsetOf(det, 'route.table_id'),
      dStats: offsetOf(det, 'route.stats_index'),
      dAf: offsetOf(det, 'route.prefix.address.af'),
      dAddr: offsetOf(det, 'route.prefix.address.un'),
      dLen: offsetOf(det, 'route.prefix.len'),
      dN: offsetOf(det, 'route.n_paths'),
      dPaths: offsetOf(det, 'route.paths'),
      d2Src: offsetOf(det2, 'route.src'),
      d2Paths: offsetOf(det2, 'route.paths'),
      mIsAdd: offsetOf(mr, 'mr_is_add'),
      mIsMp: offsetOf(mr, 'mr_is_multipath'),
      mTable: offsetOf(mr, 'mr_route.mr_table_id'),
      mLabel: offsetOf(mr, 'mr_route.mr_label'),
      mEos: offsetOf(mr, 'mr_route.mr_eos'),
      mEosProto: offsetOf(mr, 'mr_route.mr_eos_proto'),
      mMcast: offsetOf(mr, 'mr_route.mr_is_multicast'),
      mN: offsetOf(mr, 'mr_route.mr_n_paths'),
      mPaths: offsetOf(mr, 'mr_route.mr_paths'),
      mdCtx: offsetOf(mdet, 'context'),
      mdTable: offsetOf(mdet, 'mr_route.mr_table_id'),
      mdLabel: offsetOf(mdet, 'mr_route.mr_label'),
      mdEos: offsetOf(mdet, 'mr_route.mr_eos'),
      mdEosProto: offsetOf(mdet, 'mr_route.mr_eos_proto'),
      mdN: offsetOf(mdet, 'mr_route.mr_n_paths'),
      mdPaths: offsetOf(mdet, 'mr_route.mr_paths'),
    };
    // ip_route_v2_details equals ip_route_details up to route.n_paths.
    if (offsetOf(det2, 'route.n_paths') !== O.dN) throw new Error('vpp-sim: ip_route_v2_details layout differs from ip_route_details');
    return O;
  }

  /** fib_path[] at `off` -> FibPaths (what fib_api_path_decode reads; checks are the model's). */
  readPaths(b: Buffer, off: number, n: number): CachedPaths {
    const key = n === 0 ? '' : b.toString('latin1', off, off + n * FIB_PATH_SIZE);
    const hit = this.pathCache.get(key);
    if (hit) return hit;
    const O = this.O;
    const paths: FibPath[] = [];
    for (let i = 0; i < n; i++) {
      const p = off + i * FIB_PATH_SIZE;
      const proto = b.readUInt32BE(p + O.pProto);
      const nh = new Uint32Array(4);
      // fib_api_next_hop_decode copies 4 bytes for IPv4, 16 for IPv6, nothing otherwise.
      if (proto === NH_PROTO.IP4 || proto === NH_PROTO.IP6) unionToWords(proto, b, p + O.pNh, nh);
      const nLabels = b[p + O.pNl];
      const labels = [];
      for (let l = 0; l < Math.min(nLabels, 16); l++) {
        const lp = p + O.pLs + l * FIB_LABEL_SIZE;
        labels.push({ label: b.readUInt32BE(lp + O.lLabel), ttl: b[lp + O.lTtl], exp: b[lp + O.lExp], uniform: b[lp + O.lUni] !== 0 });
      }
      paths.push({
        swIfIndex: b.readUInt32BE(p + O.pSw),
        tableId: b.readUInt32BE(p + O.pTable),
        weight: b[p + O.pWeight],
        preference: b[p + O.pPref],
        type: b.readUInt32BE(p + O.pType),
        flags: b.readUInt32BE(p + O.pFlags),
        proto,
        nh,
        viaLabel: b.readUInt32BE(p + O.pVia),
        nLabels,
        labels,
      });
    }
    const v: CachedPaths = { paths, prep: prepare(paths) };
    if (this.pathCache.size >= PATH_CACHE_MAX) this.pathCache.clear();
    this.pathCache.set(key, v);
    return v;
  }

  /** The fib_path[] of a path set as VPP's fib_api_path_encode writes them, cached on the set. */
  encodedPaths(s: PathSet): Buffer {
    if (s.enc) return s.enc;
    const O = this.O;
    const b = Buffer.alloc(s.paths.length * FIB_PATH_SIZE);
    s.paths.forEach((x, i) => {
      const p = i * FIB_PATH_SIZE;
      b.writeUInt32BE(x.swIfIndex >>> 0, p + O.pSw);
      // table_id is reported for paths that resolve in a table (fib index != 0 in fib_api_path_encode).
      const inTable = x.swIfIndex === NO_IF && x.type === 0;
      b.writeUInt32BE(inTable ? x.tableId >>> 0 : 0, p + O.pTable);
      b[p + O.pWeight] = x.weight;
      b[p + O.pPref] = x.preference;
      b.writeUInt32BE(x.type >>> 0, p + O.pType);
      // Path flags read back 0: fib_path_encode (vnet/fib/fib_path.c) never sets
      // FIB_ROUTE_PATH_RESOLVE_VIA_HOST/_ATTACHED, so fib_api_path_encode has none to report
      // (checked on VPP 25.10: a RESOLVE_VIA_HOST route dumps with flags 0).
      b.writeUInt32BE(0, p + O.pFlags);
      b.writeUInt32BE(x.proto >>> 0, p + O.pProto);
      if (x.proto === NH_PROTO.IP4 || x.proto === NH_PROTO.IP6) wordsToUnion(x.proto, x.nh, b, p + O.pNh);
      b[p + O.pNl] = x.labels.length;
      x.labels.forEach((l, k) => {
        const lp = p + O.pLs + k * FIB_LABEL_SIZE;
        // is_uniform is not set by fib_api_path_encode: it reads back 0.
        b.writeUInt32BE(l.label >>> 0, lp + O.lLabel);
        b[lp + O.lTtl] = l.ttl;
        b[lp + O.lExp] = l.exp;
      });
    });
    s.enc = b;
    return b;
  }

  /** The one DROP path a special entry (default route, multicast, broadcast) reports. */
  specialPath(af: number): Buffer {
    const O = this.O;
    const b = Buffer.alloc(FIB_PATH_SIZE);
    b.writeUInt32BE(NO_IF, O.pSw);
    b[O.pWeight] = 1;
    b.writeUInt32BE(2, O.pType);
    b.writeUInt32BE(af, O.pProto);
    return b;
  }

  /** The `route` part (ip_route or ip_route_v2) of a details message for one entry. */
  routeDetailsBody(fib: FibModel, pt: PrefixTable, e: number, tableId: number, v2: boolean): Buffer {
    const O = this.O;
    const base = O.dTable;
    const set = pt.set[e];
    const paths = set >= 0 ? this.encodedPaths(fib.getSet(set)) : this.specialPath(pt.af);
    const fixed = (v2 ? O.d2Paths : O.dPaths) - base;
    const b = Buffer.alloc(fixed + paths.length);
    b.writeUInt32BE(tableId, O.dTable - base);
    b.writeUInt32BE(e, O.dStats - base);
    b[O.dAf - base] = pt.af;
    const w = pt.af === 0 ? [pt.addr[e], 0, 0, 0] : Array.from(pt.addr.subarray(e * 4, e * 4 + 4));
    wordsToUnion(pt.af, w, b, O.dAddr - base);
    b[O.dLen - base] = pt.plen[e];
    b[O.dN - base] = paths.length / FIB_PATH_SIZE;
    if (v2) b[O.d2Src - base] = FibModel.entrySource(pt, e);
    paths.copy(b, fixed);
    return b;
  }
}

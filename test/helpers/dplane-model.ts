// Test helper: a naive dataplane that applies a ChangeSource's changes to plain Maps and checks the ordering guarantees.
import { AF_INET, AF_INET6, AF_MPLS, ChangeKind, ChangeSource, Op, PathView, Target } from '../../ts/dplane/types';
import { fmtIp, fmtPrefix } from './dplane-net';

export interface ModelNhg {
  family: number;
  fdb: boolean;
  primary: string[];
  backup: string[];
}

export interface ModelRoute {
  target: Target;
  nhgId: number;
  protocol: number;
}

export interface ModelMac {
  vtep: string;
  nhgId: number;
  vni: number;
}

export interface DrainStats {
  nhg: number;
  nhgSet: number;
  nhgDel: number;
  route: number;
  routeSet: number;
  routeDel: number;
  mac: number;
  /** Route changes in the order they came: "set|del key lane". */
  log: string[];
}

export function pathText(p: PathView | { gwFamily: number; gw: Uint8Array; ifindex: number; weight: number; labels: number[]; blackhole: boolean }): string {
  const gw = p.gwFamily === 0 ? '-' : fmtIp(p.gw.subarray(0, p.gwFamily === 4 ? 4 : 16));
  return `${p.blackhole ? 'blackhole' : gw}%${p.ifindex}*${p.weight}${p.labels.length ? `[${p.labels.join('/')}]` : ''}`;
}

export function routeKeyText(family: number, table: number, addr: Uint8Array, len: number, label: number): string {
  if (family === AF_MPLS) return `mpls:0 ${label}`;
  const fam = family === AF_INET ? 'inet' : family === AF_INET6 ? 'inet6' : String(family);
  return `${fam}:${table} ${fmtPrefix(addr.subarray(0, family === AF_INET ? 4 : 16), len)}`;
}

function macKey(ifindex: number, vlan: number, mac: Uint8Array): string {
  return `${ifindex}/${vlan}/${Array.from(mac, (x) => x.toString(16).padStart(2, '0')).join(':')}`;
}

/** What a dataplane holds after applying changes; throws on an ordering violation. */
export class FibModel {
  readonly nhgs = new Map<number, ModelNhg>();
  readonly routes = new Map<string, ModelRoute>();
  readonly macs = new Map<string, ModelMac>();

  private usersOf(id: number): number {
    let n = 0;
    for (const r of this.routes.values()) if (r.target === Target.Nhg && r.nhgId === id) n++;
    for (const m of this.macs.values()) if (m.nhgId === id) n++;
    return n;
  }

  /** Drains `src` completely; each route change is acknowledged (ok) unless `fail` says otherwise. */
  drain(src: ChangeSource, fail?: (key: string) => string | undefined, limit = 10_000_000, partial = false): DrainStats {
    const s: DrainStats = { nhg: 0, nhgSet: 0, nhgDel: 0, route: 0, routeSet: 0, routeDel: 0, mac: 0, log: [] };
    let lastLane = -1;
    for (let i = 0; i < limit; i++) {
      const k = src.next();
      if (k === ChangeKind.None) return s;
      if (k === ChangeKind.Nhg) {
        const v = src.nhg;
        s.nhg++;
        if (v.op === Op.Set) {
          s.nhgSet++;
          if (v.primary.length === 0) throw new Error(`group ${v.id} set with no legs`);
          this.nhgs.set(v.id, { family: v.family, fdb: v.fdb, primary: v.primary.map(pathText), backup: v.backup.map(pathText) });
        } else {
          s.nhgDel++;
          if (!this.nhgs.has(v.id)) throw new Error(`group ${v.id} deleted but never set`);
          const u = this.usersOf(v.id);
          if (u > 0) throw new Error(`group ${v.id} deleted while ${u} routes/MACs use it`);
          this.nhgs.delete(v.id);
        }
      } else if (k === ChangeKind.Route) {
        const v = src.route;
        s.route++;
        if (v.lane < lastLane) throw new Error(`lane ${v.lane} change after lane ${lastLane}`);
        lastLane = v.lane;
        const key = routeKeyText(v.family, v.table, v.addr, v.len, v.label);
        s.log.push(`${v.op === Op.Set ? 'set' : 'del'} ${key} ${v.lane}`);
        if (v.op === Op.Set) {
          s.routeSet++;
          if (v.target === Target.Nhg && !this.nhgs.has(v.nhgId)) throw new Error(`route ${key} set before its group ${v.nhgId}`);
          this.routes.set(key, { target: v.target, nhgId: v.target === Target.Nhg ? v.nhgId : 0, protocol: v.protocol });
        } else {
          s.routeDel++;
          if (!this.routes.delete(key)) throw new Error(`route ${key} deleted but never set`);
        }
        const err = fail?.(key);
        src.routeResult(v.handle, err === undefined, err);
      } else if (k === ChangeKind.Mac) {
        const v = src.mac;
        s.mac++;
        const key = macKey(v.ifindex, v.vlan, v.mac);
        if (v.op === Op.Set) {
          if (v.nhgId !== 0 && !this.nhgs.has(v.nhgId)) throw new Error(`MAC ${key} set before its group ${v.nhgId}`);
          const vtep = v.vtepFamily === 0 ? '' : fmtIp(v.vtep.subarray(0, v.vtepFamily === 4 ? 4 : 16));
          this.macs.set(key, { vtep, nhgId: v.nhgId, vni: v.vni });
        } else if (!this.macs.delete(key)) throw new Error(`MAC ${key} deleted but never set`);
      }
    }
    if (partial) return s;
    throw new Error('change source did not run dry');
  }

  /** Applies at most `k` changes (a dataplane that is behind); returns how many it applied. */
  drainSome(src: ChangeSource, k: number): number {
    const st = this.drain(src, undefined, k, true);
    return st.nhg + st.route + st.mac;
  }

  /** The routes as resolved forwarding: key -> "blackhole" | legs text. */
  resolved(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [k, r] of this.routes) {
      if (r.target !== Target.Nhg) out.set(k, ['nhg', 'blackhole', 'unreachable', 'prohibit'][r.target]);
      else {
        const g = this.nhgs.get(r.nhgId)!;
        out.set(k, `${g.primary.join(',')}${g.backup.length ? ` backup ${g.backup.join(',')}` : ''}`);
      }
    }
    return out;
  }
}

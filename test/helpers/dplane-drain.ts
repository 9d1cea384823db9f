// Test helper: drains a FibStore as a dataplane would, acknowledging every route, into readable lines.
import { FibStore } from '../../ts/dplane/store';
import { ChangeKind, Op } from '../../ts/dplane/types';
import { formatAddr } from '../../ts/addr';

/** "set nhg 10", "set 10.1.0.0/24 nhg 10", "del 2001:db8::/32", "set mac 02:..:01" in drain order. */
export function drainLines(s: FibStore, ok = true): string[] {
  const out: string[] = [];
  for (let k = s.next(); k !== ChangeKind.None; k = s.next()) {
    if (k === ChangeKind.Nhg) {
      out.push(`${s.nhg.op === Op.Set ? 'set' : 'del'} nhg ${s.nhg.id}${s.nhg.backup.length > 0 ? ` backup ${s.nhg.backup.length}` : ''}`);
    } else if (k === ChangeKind.Route) {
      const v = s.route;
      const a = v.family === 28 ? `label ${v.label}` : `${formatAddr(v.family === 2 ? 4 : 6, v.addr)}/${v.len}`;
      out.push(`${v.op === Op.Set ? 'set' : 'del'} ${a}${v.op === Op.Set && v.nhgId !== 0 ? ` nhg ${v.nhgId}` : ''}`);
      s.routeResult(v.handle, ok);
    } else {
      out.push(`${s.mac.op === Op.Set ? 'set' : 'del'} mac ${Array.from(s.mac.mac, (x) => x.toString(16).padStart(2, '0')).join(':')}`);
    }
  }
  return out;
}

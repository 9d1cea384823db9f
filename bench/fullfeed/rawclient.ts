// The minimal client fibpush is compared with: the generated routes written straight to the dataplane socket, pipelined, with no FIB logic at all.
//
// ts/vpp/client.ts with a window of requests in flight; every route one ip_route_add_del with its
// group's legs inline as attached paths (primary at preference 0, backup at preference 1, the
// same paths fibpush's inline mode sends), blackholes as one DROP path. Nothing is decoded,
// stored, queued or reported: it is the floor for "routes into VPP per second" on this machine.
import { ReplySink, VppClient } from '../../ts/vpp/client';
import {
  encodePaths,
  FibPath,
  NhProto,
  NO_SW_IF_INDEX,
  PathType,
} from '../../ts/vpp/codec';
import { NO_NH, NexthopObject } from '../../ts/gen/fulltable';
import { FeedModel } from './model';

export interface RawResult {
  routes: number;
  replies: number;
  errors: number;
  seconds: number;
  window: number;
}

function pathsOf(m: FeedModel, k: number, v6: boolean): { bytes: Uint8Array; n: number } {
  const proto = v6 ? NhProto.Ip6 : NhProto.Ip4;
  if (k === NO_NH) {
    const drop: FibPath = { swIfIndex: NO_SW_IF_INDEX, tableId: 0, weight: 1, preference: 0, type: PathType.Drop, flags: 0, proto, nh: new Uint8Array(0) };
    return { bytes: encodePaths([drop]), n: 1 };
  }
  const legsOf = (o: NexthopObject, pref: number): FibPath[] => {
    const members = o.group ? o.group.map((g) => ({ s: m.obj(m.nexthopIndex(g.id)), w: g.weight })) : [{ s: o, w: 1 }];
    return members.map(({ s, w }) => ({
      swIfIndex: s.oif !== undefined ? (m.ifSw.get(s.oif) ?? NO_SW_IF_INDEX) : NO_SW_IF_INDEX,
      tableId: 0,
      weight: Math.min(255, Math.max(1, w)),
      preference: pref,
      type: PathType.Normal,
      flags: 0,
      proto,
      nh: s.gateway ?? new Uint8Array(0),
    }));
  };
  const o = m.obj(k);
  const paths = legsOf(o, 0);
  if (o.backupNhg !== undefined) paths.push(...legsOf(m.obj(m.nexthopIndex(o.backupNhg)), 1));
  return { bytes: encodePaths(paths), n: paths.length };
}

/** Programs (or, with isAdd false, deletes) every route of the model in VPP table 0 over `socketPath`; resolves when the last reply arrived. */
export async function rawClient(socketPath: string, m: FeedModel, window: number, timeoutMs: number, isAdd = true): Promise<RawResult> {
  const client = new VppClient({ socketPath, clientName: 'fullfeed-raw', window, reconnect: false, timeoutMs: 60_000 });
  await client.connect();
  const cache = new Map<number, { bytes: Uint8Array; n: number }>();
  // Zebra's current table: routes withdrawn from the model are not sent.
  const total = m.routes;
  const n4 = m.sets[0].count;
  const all = n4 + m.sets[1].count;
  const addr = new Uint8Array(16);
  let cursor = 0;
  let sent = 0;
  let replies = 0;
  let errors = 0;
  let t0 = 0;
  try {
    return await new Promise<RawResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`raw client: ${replies} of ${total} replies after ${timeoutMs / 1000} s`)), timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        resolve({ routes: total, replies, errors, seconds: (performance.now() - t0) / 1000, window });
      };
      const sink: ReplySink = {
        reply(_token: number, retval: number): void {
          replies++;
          if (retval !== 0) errors++;
          if (replies === total) finish();
        },
        fail(_token: number, err: Error): void {
          clearTimeout(timer);
          reject(err);
        },
      };
      const idx = client.addSink(sink);
      const pump = () => {
        while (cursor < all && client.canSend()) {
          const f: 0 | 1 = cursor < n4 ? 0 : 1;
          const i = f === 0 ? cursor : cursor - n4;
          cursor++;
          if (!m.present[f][i]) continue;
          const s = m.sets[f];
          const k = m.nh[f][i];
          const ck = k * 2 + f;
          let p = cache.get(ck);
          if (!p) cache.set(ck, (p = pathsOf(m, k, f === 1)));
          m.addrBytes(f, i, addr);
          client.ipRouteAddDel(idx, sent, isAdd, 0, f === 1, addr, s.len[i], p.bytes, isAdd ? p.n : 0);
          sent++;
        }
        client.flush();
      };
      client.on('drain', pump);
      if (total === 0) return finish();
      t0 = performance.now();
      pump();
    });
  } finally {
    await client.close().catch(() => undefined);
  }
}

/**
 * Leaves a real VPP as a fresh one would be for the next case: every generated route deleted from
 * table 0 (deleting a missing route is not an error), then the private tables fibpush's PIC mode
 * creates (deleting a table removes its routes).
 */
export async function cleanVpp(socketPath: string, m: FeedModel, picTable: number, timeoutMs: number): Promise<void> {
  await rawClient(socketPath, m, 1000, timeoutMs, false);
  const client = new VppClient({ socketPath, clientName: 'fullfeed-clean', reconnect: false });
  await client.connect();
  try {
    for (const is_ip6 of [false, true]) {
      await client.request('ip_table_add_del', { is_add: false, table: { table_id: picTable, is_ip6, name: '' } }).catch(() => undefined);
    }
  } finally {
    await client.close().catch(() => undefined);
  }
}

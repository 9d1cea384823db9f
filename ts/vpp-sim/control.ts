// The simulator's control socket: JSON lines, `{"id":1,"cmd":"lookup","args":{...}}` answered by
// `{"id":1,"ok":true,"result":...}` or `{"id":1,"ok":false,"error":"..."}`; what VppSimulator
// (index.ts) drives: faults, interface state, lookups and dumps of the model, counters, restarts.
import * as fs from 'fs';
import * as net from 'net';
import { IfaceSpec, routesDigest, RV } from './fib-types';
import { macText } from './l2';
import type { VppSimServer } from './server';

/** Serves one control connection: one command per line, each answered when it completes. */
export function serveControl(srv: VppSimServer, s: net.Socket): void {
  let acc = '';
  s.setEncoding('utf8');
  s.on('data', (d: string) => {
    acc += d;
    let nl: number;
    while ((nl = acc.indexOf('\n')) >= 0) {
      const line = acc.slice(0, nl);
      acc = acc.slice(nl + 1);
      if (line.trim()) void answer(srv, s, line);
    }
  });
  s.on('error', () => undefined);
}

async function answer(srv: VppSimServer, s: net.Socket, line: string): Promise<void> {
  let id: unknown = null;
  try {
    const req = JSON.parse(line) as { id?: unknown; cmd: string; args?: Record<string, unknown> };
    id = req.id ?? null;
    const result = await command(srv, req.cmd, req.args ?? {});
    s.write(`${JSON.stringify({ id, ok: true, result })}\n`);
  } catch (e) {
    s.write(`${JSON.stringify({ id, ok: false, error: (e as Error).message })}\n`);
  }
}

/** Control commands (also callable in-process). */
export async function command(srv: VppSimServer, cmd: string, a: Record<string, unknown>): Promise<unknown> {
  switch (cmd) {
    case 'ping':
      return 'pong';
    case 'info':
      return {
        pid: process.pid,
        seed: srv.seed,
        socket: srv.socketPath,
        messages: srv.table.entries.length,
        tableBytes: srv.tableBuf.length + 20,
        delayUs: srv.delayUs,
        connections: srv.connectionCount,
      };
    case 'modelled':
      return srv.modelled;
    case 'ids':
      return Object.fromEntries([...srv.table.entries].map((e) => [e.nameCrc, e.id]));
    case 'setDelay':
      srv.setDelay(Number(a.us ?? 0));
      return { delayUs: srv.delayUs };
    case 'setFailRate': {
      const f = Number(a.fraction ?? 0);
      if (!(f >= 0 && f <= 1)) throw new Error(`Expected a fraction between 0 and 1 for setFailRate but received ${JSON.stringify(a.fraction)}`);
      srv.setFailRate(f, a.retval === undefined ? RV.UNSPECIFIED : Number(a.retval), a.seed === undefined ? undefined : Number(a.seed));
      return { fraction: srv.failFraction, retval: srv.failRetval };
    }
    case 'setInterface': {
      const sw = Number(a.sw);
      return { changed: srv.setInterface(sw, a.up as boolean | undefined, a.admin as boolean | undefined, a.link as boolean | undefined) };
    }
    case 'addInterface': {
      const i = srv.fib.addInterface(a.spec as IfaceSpec);
      srv.interfaceEvent(i.swIfIndex, false);
      return { swIfIndex: i.swIfIndex };
    }
    case 'interfaces':
      return [...srv.fib.ifs.values()].map((i) => ({ ...i, mac: macText(i.mac) }));
    case 'lookup':
      return srv.fib.lookup(Number(a.table ?? 0), String(a.prefix));
    case 'fibDump': {
      const routes = srv.fib.exportRoutes({ family: a.family as 'ip4' | undefined, table: a.table as number | undefined, limit: a.limit as number | undefined });
      if (typeof a.file === 'string') {
        const fd = fs.openSync(a.file, 'w');
        try {
          let chunk: string[] = [];
          for (const r of routes) {
            chunk.push(JSON.stringify(r));
            if (chunk.length === 10000) {
              fs.writeSync(fd, `${chunk.join('\n')}\n`);
              chunk = [];
            }
          }
          if (chunk.length) fs.writeSync(fd, `${chunk.join('\n')}\n`);
        } finally {
          fs.closeSync(fd);
        }
        return { count: routes.length, file: a.file };
      }
      return routes;
    }
    case 'fibDigest': {
      const routes = srv.fib.exportRoutes({ family: a.family as 'ip4' | undefined, table: a.table as number | undefined });
      return { count: routes.length, digest: routesDigest(routes) };
    }
    case 'tables':
      return srv.fib.tablesJson();
    case 'l2':
      return srv.l2.toJson();
    case 'counters':
      return {
        ...srv.counters,
        fib: srv.fib.counters,
        routes: srv.fib.routeCount,
        pathSets: srv.fib.pathSetCount,
        protocolErrors: Object.values(srv.counters.protocol).reduce((x, y) => x + y, 0),
      };
    case 'resetCounters':
      srv.resetCounters();
      return true;
    case 'log': {
      return srv.takeLog(!!a.clear);
    }
    case 'dropSocket':
      return { dropped: srv.dropAll() };
    case 'restart':
      return srv.restart({ empty: a.empty as boolean | undefined, seed: a.seed as number | undefined, downMs: a.downMs as number | undefined });
    case 'exit':
      setImmediate(() => {
        void srv.close().then(() => process.exit(0));
      });
      return true;
    default:
      throw new Error(`unknown command ${cmd}`);
  }
}

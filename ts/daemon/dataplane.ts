// The dataplane behind the daemon: one shape for the memory dataplane and the VPP programmer (start, kick, status, results).
import type { ChangeSource, RouteView } from '../dplane/types';
import { MemoryDataplane } from './memory-dataplane';
import type { DataplaneStatus } from './status';
import type { LookupReply } from './lookup';
import { parseAddr } from '../addr';

/** A route's result as the daemon needs it for feedback and progress (copied by whoever keeps it). */
export interface RouteResult {
  family: number;
  table: number;
  addr: Uint8Array;
  len: number;
  protocol: number;
  /** Target (ts/dplane/types.ts): feedback echoes the matching rtm_type. */
  target: number;
  /** The FIB mirror's handle of the route (RouteView.handle), or -1: feedback then finds it by key. */
  handle: number;
  ok: boolean;
  error?: string;
}

export type ResultHook = (r: RouteResult) => void;

export interface Dataplane {
  readonly kind: 'memory' | 'vpp';
  /** Connects (VPP) and starts draining; resolves once it is ready or retrying in the background. */
  start(): Promise<void>;
  /** The store may have new changes. Never drains synchronously. */
  kick(): void;
  /** Requests sent to the dataplane and not answered yet. */
  inFlight(): number;
  /** Work under way besides the store's queue (VPP adoption: dumping or withdrawing). */
  busy(): boolean;
  /** zebra's replay ended (by its end marker: `byMarker`), after the store's own sweep. */
  replayEnded(byMarker: boolean): void;
  status(): DataplaneStatus;
  lookup(addr: string, table: number): LookupReply;
  close(): Promise<void>;
}

/** Adapts a RouteView (reused by the store) to a RouteResult without allocating. */
export function resultFromView(v: RouteView, ok: boolean, error: string | undefined, out: RouteResult): RouteResult {
  out.family = v.family;
  out.table = v.table;
  out.addr = v.addr;
  out.len = v.len;
  out.protocol = v.protocol;
  out.target = v.target;
  out.handle = v.handle;
  out.ok = ok;
  out.error = error;
  return out;
}

export class MemoryDataplaneAdapter implements Dataplane {
  readonly kind = 'memory' as const;
  readonly fib: MemoryDataplane;
  private readonly scratch: RouteResult = { family: 0, table: 0, addr: new Uint8Array(16), len: 0, protocol: 0, target: 0, handle: -1, ok: true };

  constructor(source: ChangeSource, onResult: ResultHook) {
    this.fib = new MemoryDataplane(source, {
      onRouteResult: (v, ok, err) => onResult(resultFromView(v, ok, err, this.scratch)),
    });
  }

  start(): Promise<void> {
    this.fib.kick();
    return Promise.resolve();
  }

  kick(): void {
    this.fib.kick();
  }

  inFlight(): number {
    return 0;
  }

  busy(): boolean {
    return false;
  }

  replayEnded(): void {
    this.fib.kick();
  }

  status(): DataplaneStatus {
    const s = this.fib.status();
    return {
      kind: 'memory',
      connected: true,
      inFlight: 0,
      routes: s.routes,
      nhgs: s.nhgs,
      failures: s.failures,
      lastError: s.lastError,
      counters: { applied: s.applied, routesAcked: s.routesAcked, macs: s.macs },
    };
  }

  lookup(addr: string, table: number): LookupReply {
    if (!parseAddr(addr)) return { addr, table, answeredBy: null, match: null, note: `"${addr}" is not an IPv4 or IPv6 address` };
    return { addr, table, answeredBy: 'memory', match: this.fib.lookup(addr, table) };
  }

  close(): Promise<void> {
    this.fib.close();
    return Promise.resolve();
  }
}

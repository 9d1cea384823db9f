// What the handler modules see of the server: the message helpers, this start's message table,
// the models, the wire forms of routes, the counters, registrations and events. The server
// (server.ts) implements it; handlers never reach into its dispatch queue or sockets.
import { Obj, SizeFn } from './codec';
import { SimDefs, SimMsg } from './defs';
import { MsgTable } from './msgtable';
import { FibModel } from './fib';
import { L2Model } from './l2';
import { RouteWire } from './route-wire';
import type { Conn } from './conn';

/**
 * Handles one message. `c` is the registration client_index names (replies go there), `from` the
 * connection it came on. A generator is a dump: it runs in chunks, and nothing else is handled
 * until it is done.
 */
export type HandlerFn = (c: Conn, b: Buffer, off: number, len: number, from: Conn) => void | Iterator<void>;

/** Registers the handler of a message by name. */
export type Def = (name: string, fn: HandlerFn) => void;

export interface Handler {
  name: string;
  size: SizeFn;
  /** Has client_index at payload offset 2 (every request but sockclnt_create). */
  ci: boolean;
  fn: HandlerFn;
}

export interface Counters {
  calls: Record<string, number>;
  protocol: {
    unknownId: number;
    truncated: number;
    badClientIndex: number;
    unmodelled: number;
    oversize: number;
    handlerErrors: number;
  };
  connections: { accepted: number; closed: number };
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  eventsSent: number;
  /** Route requests answered with the injected failure retval (setFailRate), not applied. */
  injectedFailures: number;
}

export function zeroCounters(): Counters {
  return {
    calls: {},
    protocol: { unknownId: 0, truncated: 0, badClientIndex: 0, unmodelled: 0, oversize: 0, handlerErrors: 0 },
    connections: { accepted: 0, closed: 0 },
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    eventsSent: 0,
    injectedFailures: 0,
  };
}

export interface HandlerHost {
  readonly defs: SimDefs;
  /** This start's message ids and announced table; `tableBuf` is the table as sockclnt_create_reply carries it. */
  readonly table: MsgTable;
  readonly tableBuf: Buffer;
  /** This start's id of every message, by name. */
  readonly ids: Readonly<Record<string, number>>;
  readonly fib: FibModel;
  readonly l2: L2Model;
  readonly wire: RouteWire;
  readonly counters: Counters;
  /** The route requests' failure retval while fault injection is on (setFailRate). */
  readonly failRetval: number;
  msg(name: string): SimMsg;
  id(name: string): number;
  decode(name: string, b: Buffer, off: number): Obj;
  /** Sends a reply/details built from an object with the simulator's generic encoder. */
  sendObj(c: Conn, name: string, o: Obj): void;
  /** A reply with (context, retval) and optionally more fields. */
  reply(c: Conn, name: string, ctx: number, rv: number, extra?: Obj): void;
  /** The registration a client index names (pool index | 0x80000000), freed or not; undefined if none. */
  registration(index: number): Conn | undefined;
  /** sockclnt_delete: the registration is freed; requests naming it are ignored from then on. */
  freeRegistration(c: Conn): void;
  /** Fault injection (setFailRate): true when this route request is to fail, unapplied. */
  injectFailure(): boolean;
  /** sw_interface_event to every registered client, after what is already queued. */
  interfaceEvent(sw: number, deleted: boolean): void;
  log(line: string): void;
}

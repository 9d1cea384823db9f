// Retries of failed calls. A failed route call is retried with backoff a bounded number of times, never
// ahead of a newer change for the same key (a newer change supersedes it), and never holding up the
// queue; then it is reported failed (zebra gets RTM_F_OFFLOAD_FAILED) and still retried every
// retryMaxMs ("late") until it succeeds or a newer change replaces it: a dataplane that refused for a
// while must end up with zebra's FIB all the same. Groups (host route writes) and host route deletes
// VPP refused are retried the same way.
import { AF_INET6, AF_MPLS, Family, Lane, Op, RouteView, Target } from '../../dplane/types';
import type { NhgObject } from './objects';
import { newRouteView } from './slots';

export interface RetryItem {
  kind: number;
  due: number;
  attempt: number;
  key: string;
  op: Op;
  family: Family;
  nlTable: number;
  addr: Uint8Array;
  len: number;
  label: number;
  target: Target;
  nhgId: number;
  protocol: number;
  lane: Lane;
  handle: number;
  error: string;
}

export function routeKey(family: number, vppTable: number, addr: Uint8Array, len: number, label: number): string {
  if (family === AF_MPLS) return `m/${label}`;
  const n = family === AF_INET6 ? 16 : 4;
  let s = `${family}/${vppTable}/${len}/`;
  for (let i = 0; i < n; i++) s += addr[i].toString(16).padStart(2, '0');
  return s;
}

export function retryItem(kind: number, r: RouteView, vppTable: number, attempt: number, error: string): RetryItem {
  return {
    kind, due: 0, attempt, key: routeKey(r.family, vppTable, r.addr, r.len, r.label), op: r.op, family: r.family,
    nlTable: r.table, addr: r.addr.slice(0, 16), len: r.len, label: r.label, target: r.target, nhgId: r.nhgId,
    protocol: r.protocol, lane: r.lane, handle: r.handle, error,
  };
}

export interface RetryPolicy {
  /** Retries before a call is reported failed. */
  maxRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export interface RetryCounters {
  routeRetries: number;
  lateRetries: number;
}

/** What a due retry does: the programmer sends it. */
export interface RetrySender {
  canSend(): boolean;
  /** Program group `id` again from its shadow (if it still exists). */
  group(id: number): void;
  /** Delete an object's host route again; false when that is no longer needed. */
  hostDelete(o: NhgObject): boolean;
  /** Send route `v` again as attempt `attempt`. */
  route(v: RouteView, attempt: number): void;
}

export class Retries {
  /** Routes retried with backoff: pending work (whenIdle waits for them). */
  readonly routes = new Map<string, RetryItem>();
  /** Routes reported failed after their retries: tried every retryMaxMs (not pending work). */
  readonly late = new Map<string, RetryItem>();
  /** Failed group calls: attempts so far, and when the next is due. */
  private readonly groupAttempts = new Map<number, number>();
  readonly groupDue = new Map<number, number>();
  /** Groups given up on (routes held, reported failed): when the next attempt is due. */
  readonly groupLateDue = new Map<number, number>();
  /** Host routes of withdrawn objects VPP refused to delete. */
  private readonly hostDeleteDue = new Map<number, { o: NhgObject; due: number }>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly view = newRouteView();

  constructor(
    private readonly policy: RetryPolicy,
    private readonly counters: RetryCounters,
    /** The timer fired: the programmer pumps (sending what is due through sendDue). */
    private readonly onTimer: () => void,
  ) {}

  /** Anything queued, due or not. */
  get any(): boolean {
    return this.routes.size > 0 || this.groupDue.size > 0 || this.late.size > 0 || this.groupLateDue.size > 0 || this.hostDeleteDue.size > 0;
  }

  /** A new change for route `key`: its queued retry is stale. True when there was one. */
  supersede(key: string): boolean {
    return this.routes.delete(key) || this.late.delete(key);
  }

  /** A new version of group `id` arrived: its own attempt decides now. */
  groupReplaced(id: number): void {
    this.groupAttempts.delete(id);
    this.groupDue.delete(id);
    this.groupLateDue.delete(id);
  }

  groupSucceeded(id: number): void {
    this.groupAttempts.delete(id);
  }

  /** Everything will be sent again (a new VPP, the source replays it all): queued retries are stale. */
  clear(): void {
    this.routes.clear();
    this.late.clear();
    this.groupDue.clear();
    this.groupLateDue.clear();
    this.hostDeleteDue.clear();
    this.groupAttempts.clear();
  }

  /**
   * A route call failed (attempt `attempt`). Queued again: with backoff while attempts remain (at
   * once after a disconnect, which costs no attempt), else every retryMaxMs. Returns true when
   * this failure is the one to report (the last attempt; later ones fail quietly).
   */
  routeFailed(kind: number, v: RouteView, vppTable: number, attempt: number, error: string, disconnected: boolean): boolean {
    const p = this.policy;
    if (disconnected || attempt < p.maxRetries) {
      const it = retryItem(kind, v, vppTable, disconnected ? attempt : attempt + 1, error);
      it.due = disconnected ? 0 : performance.now() + Math.min(p.retryMaxMs, p.retryBaseMs * 2 ** attempt);
      this.routes.set(it.key, it);
      this.counters.routeRetries++;
      this.arm();
      return false;
    }
    const it = retryItem(kind, v, vppTable, p.maxRetries + 1, error);
    it.due = performance.now() + p.retryMaxMs;
    this.late.set(it.key, it);
    this.counters.lateRetries++;
    this.arm();
    return attempt === p.maxRetries;
  }

  /** Routes to send again now (held for a parked group that is released). */
  requeue(items: readonly RetryItem[]): void {
    for (const r of items) {
      r.due = 0;
      this.routes.set(r.key, r);
    }
    this.arm();
  }

  /**
   * A group's host route write failed. Returns false when it is given up on: its routes are then
   * held and reported failed, and it is tried again every retryMaxMs.
   */
  groupFailed(id: number, disconnected: boolean): boolean {
    const p = this.policy;
    const attempt = (this.groupAttempts.get(id) ?? 0) + (disconnected ? 0 : 1);
    if (attempt > p.maxRetries) {
      this.groupAttempts.delete(id);
      this.groupDue.delete(id);
      this.groupLateDue.set(id, performance.now() + p.retryMaxMs);
      this.counters.lateRetries++;
      this.arm();
      return false;
    }
    this.groupAttempts.set(id, attempt);
    this.groupDue.set(id, disconnected ? 0 : performance.now() + Math.min(p.retryMaxMs, p.retryBaseMs * 2 ** (attempt - 1)));
    this.arm();
    return true;
  }

  /** VPP refused to delete a withdrawn object's host route: tried again after retryBaseMs. */
  hostDeleteFailed(o: NhgObject): void {
    this.hostDeleteDue.set(o.oid, { o, due: performance.now() + this.policy.retryBaseMs });
    this.arm();
  }

  /** Send what is due, groups first, while the window has room. */
  sendDue(to: RetrySender): void {
    const now = performance.now();
    for (const due of [this.groupDue, this.groupLateDue]) {
      for (const [id, t] of due) {
        if (!to.canSend()) return;
        if (t > now) continue;
        due.delete(id);
        to.group(id);
      }
    }
    for (const [oid, d] of this.hostDeleteDue) {
      if (!to.canSend()) return;
      if (d.due > now) continue;
      this.hostDeleteDue.delete(oid);
      to.hostDelete(d.o);
    }
    for (const map of [this.routes, this.late]) {
      for (const [key, it] of map) {
        if (!to.canSend()) return;
        if (it.due > now) continue;
        map.delete(key);
        const v = this.view;
        v.op = it.op;
        v.family = it.family;
        v.table = it.nlTable;
        v.addr.set(it.addr);
        v.len = it.len;
        v.label = it.label;
        v.target = it.target;
        v.nhgId = it.nhgId;
        v.protocol = it.protocol;
        v.lane = it.lane;
        v.handle = it.handle;
        to.route(v, it.attempt);
      }
    }
  }

  /** Wake the programmer when the earliest retry is due. */
  arm(): void {
    if (this.timer || !this.any || this.closed) return;
    let due = Infinity;
    for (const d of this.hostDeleteDue.values()) due = Math.min(due, d.due);
    for (const r of this.routes.values()) due = Math.min(due, r.due);
    for (const r of this.late.values()) due = Math.min(due, r.due);
    for (const d of this.groupLateDue.values()) due = Math.min(due, d);
    for (const d of this.groupDue.values()) due = Math.min(due, d);
    const wait = Math.max(0, due - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.onTimer();
      this.arm();
    }, wait);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

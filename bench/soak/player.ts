// What the soak needs from "zebra", whoever plays it: the generator (zebra-gen.ts) or a real zebra in a namespace (zebra-real.ts).
import type { ClientKind, ClientResult } from './clients';
import type { FibResult } from './checks';

export interface ChurnFigures {
  /** Updates zebra made, by kind. */
  counts: Record<string, number>;
  /** Offload notifications zebra received: all, and RTM_F_OFFLOAD_FAILED ones. */
  offloads: number | null;
  offloadFailed: number | null;
  connects: number;
}

export interface Player {
  readonly name: string;
  /** Routes zebra has now. */
  routes(): number;
  /** Connects and replays the table; churn is started separately. */
  start(): Promise<void>;
  startChurn(): void;
  /** Churn stops changing zebra's FIB until resume() (nested). */
  pause(): void;
  resume(): void;
  /** zebra's FPM connection dropped, and no reconnect until back(). */
  away(): Promise<void>;
  back(): Promise<void>;
  /** zebra killed (its FIB gone with it) ... */
  kill(): Promise<void>;
  /** ... and started again: it renumbers its nexthop groups and replays. */
  restart(): Promise<void>;
  /** Runs a non-zebra client against fibpush's FPM port, from where zebra would connect. */
  client(kind: ClientKind, holdMs: number, seed: number): Promise<ClientResult>;
  /** Marks the start of a fault: `check(true)` counts routes unchanged since then that the dataplane lost. */
  markBefore(): Promise<void>;
  /** The dataplane's FIB against zebra's; `sinceMark` also counts lost routes. */
  check(sinceMark: boolean): Promise<FibResult>;
  /** The dataplane took interface `sw` down or up: returns the groups now forwarding over their backup. */
  interfaceChanged(sw: number, up: boolean): number;
  figures(): ChurnFigures;
  close(): Promise<void>;
}

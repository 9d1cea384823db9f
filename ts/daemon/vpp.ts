// The VPP dataplane for the daemon: the ts/vpp client and programmer behind the daemon's Dataplane shape, with its logs.
import type { FibStore } from '../dplane/store';
import { VppClient } from '../vpp/client';
import { VppCompatibilityError } from '../vpp/errors';
import { VppProgrammer } from '../vpp/programmer';
import type { DaemonConfig } from './config';
import type { DataplaneFactory } from './daemon';
import { Adoption } from '../vpp/adopt/adopt';
import { Dataplane, resultFromView, ResultHook, RouteResult } from './dataplane';
import type { LookupReply } from './lookup';
import type { Logger } from './logger';
import type { DataplaneStatus } from './status';

export interface VppDataplaneOptions {
  /** Window of requests in flight (ts/vpp/client.ts default 1000). */
  window?: number;
  /** Adopt what VPP already forwards at the first connection (default true). */
  adopt?: boolean;
}

export class VppDataplane implements Dataplane {
  readonly kind = 'vpp' as const;
  readonly client: VppClient;
  readonly programmer: VppProgrammer;
  readonly adoption: Adoption;
  private readonly scratch: RouteResult = { family: 0, table: 0, addr: new Uint8Array(16), len: 0, protocol: 0, target: 0, handle: -1, ok: true };
  private everConnected = false;
  private closing = false;

  constructor(
    private readonly store: FibStore,
    onResult: ResultHook,
    private readonly log: Logger,
    private readonly cfg: DaemonConfig,
    opts: VppDataplaneOptions = {},
  ) {
    this.client = new VppClient({ socketPath: cfg.vppSocket, clientName: 'fibpush', window: opts.window });
    const unchanged: RouteResult = { family: 0, table: 0, addr: new Uint8Array(16), len: 0, protocol: 0, target: 0, handle: -1, ok: true };
    this.adoption = new Adoption(store, this.client, {
      tableMap: cfg.tableMap,
      log: log.child({ component: 'adopt' }),
      onUnchanged: (v) => onResult(resultFromView(v, true, undefined, unchanged)),
      expectedRoutes: cfg.expectedRoutes,
    });
    this.programmer = new VppProgrammer(this.client, this.adoption, {
      mode: cfg.mode,
      tableMap: cfg.tableMap,
      interfaceMapFile: cfg.interfaceMap ?? undefined,
      evpn: cfg.vtepSource ? { vtepSource: cfg.vtepSource } : undefined,
      onRouteResult: (v, ok, err) => onResult(resultFromView(v, ok, err, this.scratch)),
    });
    const p = this.programmer;
    this.adoption.attach(p);
    const adopt = opts.adopt ?? true;
    p.on('ready', (info: { vpePid: number; messages: number; missingOptional: string[] }) => {
      this.log.info(this.everConnected ? 'VPP reconnected' : 'VPP connected', {
        socket: cfg.vppSocket,
        vpePid: info.vpePid,
        messages: info.messages,
        missingOptional: info.missingOptional.length ? info.missingOptional.join(',') : undefined,
      });
      // The first VPP this process sees may be forwarding what a previous fibpush programmed.
      if (!this.everConnected && adopt) void this.adoption.dump();
      this.everConnected = true;
    });
    p.on('reconnect', (r: { restarted: boolean }) => {
      if (r.restarted) {
        this.store.clearInstalled();
        this.adoption.reset();
        this.adoption.reprogramSpecial();
        this.log.warn('VPP restarted: programming tables, groups and routes again', { socket: cfg.vppSocket });
      }
    });
    p.on('disconnect', () => this.closing || this.log.warn('VPP API socket closed: reconnecting with backoff (zebra is still read)', { socket: cfg.vppSocket }));
    p.on('parked', (id: number, missing: number[]) =>
      this.log.warn('nexthop group parked: no VPP interface for its Linux ifindex', { nhg: id, ifindex: missing.join(',') }),
    );
    p.on('released', (id: number) => this.log.info('nexthop group released: its interfaces are known now', { nhg: id }));
    p.on('nhg-failed', (id: number, why: string) => this.log.warn('nexthop group not programmed', { nhg: id, error: why }));
    p.on('setup-failed', (e: Error) => this.log.warn('VPP setup failed: retrying on the next connection', { error: e.message }));
    // A bug or a socket gone mid-write: the change is retried, then reported failed. One line per
    // 10 s at most (a change that always throws is retried every retryMaxMs).
    let pumpLogged = -Infinity;
    p.on('pump-failed', (e: Error, what: string) => {
      const now = performance.now();
      if (now - pumpLogged < 10_000) return;
      pumpLogged = now;
      this.log.error('VPP programming failed: the change is retried, then reported failed', { what, error: e.message, failures: p.counters.pumpFailures });
    });
    this.client.on('reconnect-failed', (e: Error) => this.log.debug('VPP not reachable yet', { socket: cfg.vppSocket, error: e.message }));
  }

  async start(): Promise<void> {
    try {
      await this.programmer.start();
    } catch (e) {
      // An incompatible VPP is a configuration error: refuse to run against it, naming what is missing.
      if (e instanceof VppCompatibilityError) throw e;
      this.log.warn('VPP not reachable: zebra is read and mirrored meanwhile; connecting in the background', {
        socket: this.cfg.vppSocket,
        error: (e as Error).message,
      });
      this.client.connectInBackground();
    }
  }

  kick(): void {
    this.programmer.kick();
  }

  inFlight(): number {
    return this.client.inFlight;
  }

  busy(): boolean {
    return this.adoption.busy;
  }

  replayEnded(byMarker: boolean): void {
    this.adoption.replayEnded(byMarker);
    this.programmer.kick();
  }

  status(): DataplaneStatus {
    const s = this.programmer.status();
    return {
      kind: 'vpp',
      socket: s.socket,
      connected: s.connected,
      inFlight: s.inFlight,
      // What VPP holds as fibpush knows it: acknowledged routes, and adopted ones zebra has not
      // replayed yet (still in VPP, not yet matched or withdrawn).
      routes: this.store.installedRoutes + this.adoption.remaining,
      nhgs: s.nhgs,
      failures: s.failures,
      lastError: s.lastError,
      counters: {
        ...s.counters,
        nhgsParked: s.nhgsParked,
        nhgObjects: s.nhgObjects,
        retriesPending: s.retriesPending,
        retriesAfterFailure: s.retriesAfterFailure,
        interfaces: s.interfaces,
        ...Object.fromEntries(Object.entries(this.adoption.counters).map(([k, v]) => [`adopt_${k}`, v])),
      },
    };
  }

  lookup(addr: string, table: number): LookupReply {
    return {
      addr,
      table,
      answeredBy: null,
      match: null,
      note: `ask VPP itself (vppctl show ip fib table ${this.programmer.vppTableOf(table)} ${addr})`,
    };
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.programmer.close();
  }
}

export function vppDataplaneFactory(cfg: DaemonConfig, opts: VppDataplaneOptions = {}): DataplaneFactory {
  return (store, onResult, log) => new VppDataplane(store, onResult, log, cfg, opts);
}

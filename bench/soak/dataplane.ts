// The soak's dataplane: the VPP simulator (which can be made to close its socket, restart empty, answer slowly, fail requests and flap links) or a running VPP the soak can only read.
import { IfaceSpec, SimCounters, VppSimulator } from '../../ts/vpp-sim';

export class Dataplane {
  private constructor(
    readonly socket: string,
    readonly sim: VppSimulator | null,
  ) {}

  /** A fresh simulator with these interfaces (linux-cp pairs: the ifindex zebra names them by). */
  static async simulator(interfaces: IfaceSpec[], seed: number): Promise<Dataplane> {
    const sim = await VppSimulator.start({ interfaces, seed });
    return new Dataplane(sim.apiSocket, sim);
  }

  /** A running VPP: read (dumps) and never changed by the soak itself. */
  static external(socket: string): Dataplane {
    return new Dataplane(socket, null);
  }

  get kind(): 'simulator' | 'vpp' {
    return this.sim ? 'simulator' : 'vpp';
  }

  private need(what: string): VppSimulator {
    if (!this.sim) throw new Error(`${what} needs the simulator as the dataplane`);
    return this.sim;
  }

  async closeSocket(): Promise<number> {
    return this.need('dp-close').dropSocket();
  }

  /** A new, empty instance on the same socket after `downMs`. */
  async restartEmpty(downMs: number): Promise<void> {
    await this.need('dp-restart').restart({ empty: true, downMs });
  }

  async setDelay(us: number): Promise<void> {
    await this.need('dp-slow').setDelay(us);
  }

  async setFailRate(fraction: number, seed: number): Promise<void> {
    await this.need('dp-fail').setFailRate(fraction, { seed });
  }

  async setInterface(sw: number, up: boolean): Promise<void> {
    await this.need('an interface flap').setInterface(sw, up);
  }

  async counters(): Promise<SimCounters | null> {
    return this.sim ? this.sim.counters() : null;
  }

  /** Route add/dels served so far (simulator), for "routes rewritten" figures. */
  async routeCalls(): Promise<number | null> {
    const c = await this.counters();
    return c ? (c.calls.ip_route_add_del ?? 0) + (c.calls.ip_route_add_del_v2 ?? 0) : null;
  }

  cpuSeconds(): number | null {
    return this.sim ? this.sim.cpuMs() / 1000 : null;
  }

  async stop(): Promise<void> {
    await this.sim?.stop();
  }
}

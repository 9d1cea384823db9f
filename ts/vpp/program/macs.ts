// EVPN remote MACs from the change stream to the EVPN programmer (../evpn.ts), with what VPP holds per
// MAC: a Set to the VTEP it already points at is acknowledged without a write.
import { MacView, Op } from '../../dplane/types';
import type { VppClient } from '../client';
import { EvpnOptions, EvpnProgrammer } from '../evpn';

export interface MacCounters {
  macsUnprogrammed: number;
  rewritesAvoided: number;
}

export class MacWriter {
  readonly evpn: EvpnProgrammer;
  /** MACs VPP holds ("vni/mac" -> VTEP hex), and Sets in flight (handle -> the same). */
  private readonly held = new Map<string, string>();
  private readonly inFlight = new Map<number, { key: string; vtep: string }>();

  constructor(
    client: VppClient,
    opts: EvpnOptions,
    private readonly counters: MacCounters,
    /** The result of a MAC change (by its handle). */
    private readonly report: (handle: number, ok: boolean, error?: string) => void,
    /** The first VTEP of L2 group `id`, if any. */
    private readonly vtepOfGroup: (id: number) => Uint8Array | undefined,
    /** The change queue ran empty (idleness may have changed). */
    private readonly onIdle: () => void,
  ) {
    this.evpn = new EvpnProgrammer(client, opts, (h, ok, err) => {
      const m = this.inFlight.get(h);
      if (m) {
        this.inFlight.delete(h);
        if (ok) this.held.set(m.key, m.vtep);
        else this.held.delete(m.key);
      }
      this.report(h, ok, err);
    });
  }

  get pending(): number {
    return this.evpn.pending;
  }

  /** A new VPP holds none of them. */
  reset(): void {
    this.evpn.reset();
    this.held.clear();
    this.inFlight.clear();
  }

  write(m: MacView): void {
    const why = m.op === Op.Set ? this.evpn.unavailable() : null;
    if (why) {
      this.counters.macsUnprogrammed++;
      this.report(m.handle, false, `EVPN MAC not programmed: ${why}`);
      return;
    }
    let vtep = new Uint8Array(0);
    if (m.vtepFamily !== 0) vtep = m.vtep.slice(0, m.vtepFamily === 6 ? 16 : 4);
    else if (m.nhgId !== 0) {
      // An L2 group of VTEPs (EVPN multihoming): an L2 FIB entry points at one interface, so the
      // MAC goes to the group's first VTEP (docs/vpp.md).
      const l = this.vtepOfGroup(m.nhgId);
      if (l) vtep = l.slice();
    }
    // A Set to the VTEP VPP already points the MAC at (the same L2 group under a new id after
    // zebra renumbered it, or a replay) is acknowledged without a write.
    const key = `${m.vni}/${Buffer.from(m.mac.buffer, m.mac.byteOffset, 6).toString('hex')}`;
    const vtepHex = Buffer.from(vtep).toString('hex');
    if (m.op === Op.Set && vtep.length > 0 && this.held.get(key) === vtepHex) {
      this.counters.rewritesAvoided++;
      this.report(m.handle, true);
      return;
    }
    this.held.delete(key);
    if (m.op === Op.Set) this.inFlight.set(m.handle, { key, vtep: vtepHex });
    this.evpn.apply({ isAdd: m.op === Op.Set, mac: m.mac.slice(0, 6), vni: m.vni, vtep, handle: m.handle });
    void this.evpn.idle().then(this.onIdle);
  }
}

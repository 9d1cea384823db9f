// The simulator's session handlers (vlibmemory/socket_api.c, vlib_api.c, vpe.api): registration
// with the message table, deletion, ping, keepalive, message ranges, versions.
import { offsetOf } from './defs';
import { REG_BIT } from './conn';
import type { Def, HandlerHost } from './host';

export function memclntHandlers(sim: HandlerHost, def: Def): void {
  def('sockclnt_create', (c, b, off) => {
    // Whatever is already queued goes first; the ~53 KB reply is then written in pieces.
    sim.counters.bytesOut += c.flush();
    c.fragmentNext = true;
    const ctx = b.readUInt32BE(off + offsetOf(sim.msg('sockclnt_create'), 'context'));
    const name = sim.decode('sockclnt_create', b, off).name as string;
    c.name = name;
    const m = sim.msg('sockclnt_create_reply');
    const fixed = m.size;
    const p = c.begin(sim.id('sockclnt_create_reply'), fixed + sim.tableBuf.length);
    const o = c.out;
    o.writeUInt32BE(ctx, p + offsetOf(m, 'context'));
    o.writeInt32BE(0, p + offsetOf(m, 'response'));
    o.writeUInt32BE(c.handle, p + offsetOf(m, 'index'));
    o.writeUInt16BE(sim.table.entries.length, p + offsetOf(m, 'count'));
    sim.tableBuf.copy(o, p + fixed);
    sim.counters.messagesOut++;
  });
  def('sockclnt_delete', (c, b, off) => {
    const o = sim.decode('sockclnt_delete', b, off);
    const idx = Number(o.index);
    const target = sim.registration(idx);
    if (!target || target.freed) {
      sim.log(`sockclnt_delete: unknown client ID ${(idx & ~REG_BIT) >>> 0}`);
      sim.sendObj(c, 'sockclnt_delete_reply', { context: o.context, response: -1 });
      return;
    }
    sim.sendObj(c, 'sockclnt_delete_reply', { context: o.context, response: 1 });
    // The reply goes out, then the requester's socket is closed and the named registration freed.
    sim.counters.bytesOut += c.flush();
    sim.freeRegistration(target);
    c.endAfterFlush();
  });
  def('control_ping', (c, b, off) => {
    sim.sendObj(c, 'control_ping_reply', { context: b.readUInt32BE(off + 6), retval: 0, client_index: 0, vpe_pid: process.pid });
  });
  def('memclnt_keepalive', (c, b, off) => sim.reply(c, 'memclnt_keepalive_reply', b.readUInt32BE(off + 6), 0));
  def('memclnt_keepalive_reply', () => undefined);
  def('get_first_msg_id', (c, b, off) => {
    const o = sim.decode('get_first_msg_id', b, off);
    const first = sim.table.ranges.get(o.name as string);
    sim.reply(c, 'get_first_msg_id_reply', Number(o.context), first === undefined ? -1 : 0, { first_msg_id: first ?? 0xffff });
  });
  def('api_versions', (c, b, off) => {
    const mods = sim.defs.modules.map((m) => ({ major: m.version[0], minor: m.version[1], patch: m.version[2], name: m.name }));
    sim.reply(c, 'api_versions_reply', b.readUInt32BE(off + 6), 0, { count: mods.length, api_versions: mods });
  });

  def('show_version', (c, b, off) =>
    sim.reply(c, 'show_version_reply', b.readUInt32BE(off + 6), 0, { program: 'vpe', version: '25.10-release', build_date: 'vpp-sim', build_directory: '/vpp-sim' }),
  );
}

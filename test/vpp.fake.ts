// A tiny fake VPP API server for client tests: UNIX socket, 16-byte framing, message table, scripted replies.
//
// It builds its bytes by hand (offsets from vpp-api/LAYOUTS.md), independently of
// ts/vpp/codec.ts. Behaviour per request is scripted by the test through `on(name, fn)`.
import * as net from 'net';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MESSAGES } from '../ts/vpp/gen/messages';

export interface FakeOptions {
  /** Messages left out of the table (by name). */
  omit?: string[];
  /** First id for non-memclnt messages (varies "by build"). */
  base?: number;
  /** Filler entries so the table is as large as a real one (~800 entries, ~53 KB). */
  filler?: number;
  /** Write every outgoing message in pieces of this many bytes (0 = whole). */
  chunk?: number;
  vpePid?: number;
}

export interface Req {
  name: string;
  id: number;
  ctx: number;
  clientIndex: number;
  body: Buffer;
}

export type Handler = (req: Req, conn: FakeConn) => void;

const MEMCLNT: Record<string, number> = {
  get_first_msg_id: 10, get_first_msg_id_reply: 11, api_versions: 12, api_versions_reply: 13,
  sockclnt_create: 15, sockclnt_create_reply: 16, sockclnt_delete: 17, sockclnt_delete_reply: 18,
  memclnt_keepalive: 21, memclnt_keepalive_reply: 22, control_ping: 23, control_ping_reply: 24,
};

export function frameBytes(payload: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32BE(payload.length, 8);
  return Buffer.concat([h, payload]);
}

export class FakeConn {
  private pending = Buffer.alloc(0);
  /** Requests received, in order. */
  readonly received: Req[] = [];
  constructor(
    readonly sock: net.Socket,
    private readonly vpp: FakeVpp,
  ) {
    sock.on('data', (d) => this.onData(d));
    sock.on('error', () => {});
  }

  private onData(d: Buffer): void {
    this.pending = Buffer.concat([this.pending, d]);
    while (this.pending.length >= 16) {
      const len = this.pending.readUInt32BE(8);
      if (this.pending.length < 16 + len) break;
      const body = Buffer.from(this.pending.subarray(16, 16 + len));
      this.pending = this.pending.subarray(16 + len);
      this.vpp.dispatch(body, this);
    }
  }

  send(payload: Buffer): void {
    const f = frameBytes(payload);
    const c = this.vpp.opts.chunk ?? 0;
    if (c <= 0) this.sock.write(f);
    else for (let i = 0; i < f.length; i += c) this.sock.write(f.subarray(i, i + c));
  }

  /** A standard reply: {id, context, retval, ...extra u32s}. */
  reply(name: string, ctx: number, retval = 0, extra: number[] = []): void {
    const b = Buffer.alloc(10 + extra.length * 4);
    b.writeUInt16BE(this.vpp.idOf(name), 0);
    b.writeUInt32BE(ctx, 2);
    b.writeInt32BE(retval, 6);
    extra.forEach((v, i) => b.writeUInt32BE(v >>> 0, 10 + i * 4));
    this.send(b);
  }

  pingReply(ctx: number): void {
    // control_ping_reply: context@2 retval@6 client_index@10 vpe_pid@14
    this.reply('control_ping_reply', ctx, 0, [this.vpp.clientIndex, this.vpp.opts.vpePid ?? 4242]);
  }
}

export class FakeVpp {
  readonly dir: string;
  readonly path: string;
  private server: net.Server | null = null;
  readonly conns: FakeConn[] = [];
  readonly ids = new Map<string, number>();
  private readonly names = new Map<number, string>();
  private readonly handlers = new Map<string, Handler>();
  readonly clientIndex = 0x80000001;
  /** Every request of every connection, in arrival order. */
  readonly log: Req[] = [];

  constructor(readonly opts: FakeOptions = {}, dir?: string) {
    this.dir = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'fibpush-vpp-'));
    this.path = path.join(this.dir, 'api.sock');
    let next = opts.base ?? 100;
    for (const name of Object.keys(MESSAGES).sort()) {
      if (opts.omit?.includes(name)) continue;
      const id = MEMCLNT[name] ?? next++;
      this.ids.set(name, id);
      this.names.set(id, name);
    }
    // Defaults: what VPP does for the control messages.
    this.on('control_ping', (r, c) => c.pingReply(r.ctx));
    this.on('sockclnt_delete', (r, c) => {
      // sockclnt_delete_reply {context, i32 response = 1}; then VPP closes the socket.
      c.reply('sockclnt_delete_reply', r.ctx, 1);
      setImmediate(() => c.sock.end());
    });
    this.on('want_interface_events', (r, c) => c.reply('want_interface_events_reply', r.ctx));
  }

  idOf(name: string): number {
    const id = this.ids.get(name);
    if (id === undefined) throw new Error(`fake has no id for ${name}`);
    return id;
  }

  on(name: string, h: Handler): this {
    this.handlers.set(name, h);
    return this;
  }

  listen(): Promise<void> {
    fs.rmSync(this.path, { force: true });
    return new Promise((resolve) => {
      this.server = net.createServer((s) => this.conns.push(new FakeConn(s, this)));
      this.server.listen(this.path, () => resolve());
    });
  }

  /** sockclnt_create_reply with the message table (memclnt.api). */
  private tableReply(ctx: number): Buffer {
    const entries: [number, string][] = [];
    for (const [name, id] of this.ids) entries.push([id, MESSAGES[name].nameCrc]);
    for (let i = 0; i < (this.opts.filler ?? 0); i++) entries.push([5000 + i, `filler_message_number_${i}_deadbeef`]);
    const b = Buffer.alloc(20 + entries.length * 66);
    b.writeUInt16BE(16, 0);
    b.writeUInt32BE(0, 2); // client_index
    b.writeUInt32BE(ctx, 6);
    b.writeInt32BE(0, 10); // response
    b.writeUInt32BE(this.clientIndex, 14); // index
    b.writeUInt16BE(entries.length, 18);
    entries.forEach(([id, nc], i) => {
      b.writeUInt16BE(id, 20 + i * 66);
      b.write(nc, 22 + i * 66, 'latin1');
    });
    return b;
  }

  dispatch(body: Buffer, conn: FakeConn): void {
    const id = body.readUInt16BE(0);
    if (id === 15) {
      // sockclnt_create: context @2, name[64] @6
      conn.send(this.tableReply(body.readUInt32BE(2)));
      return;
    }
    const name = this.names.get(id) ?? `unknown_${id}`;
    const req: Req = { name, id, clientIndex: body.length >= 6 ? body.readUInt32BE(2) : 0, ctx: body.length >= 10 ? body.readUInt32BE(6) : 0, body };
    conn.received.push(req);
    this.log.push(req);
    const h = this.handlers.get(name);
    if (h) h(req, conn);
    // No handler: like VPP with an unknown id, no reply.
  }

  /** Close the listener and every connection. */
  async close(): Promise<void> {
    for (const c of this.conns) c.sock.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  /** Close and remove the socket directory. */
  async dispose(): Promise<void> {
    await this.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

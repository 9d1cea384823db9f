// Throughput of the VPP simulator through its socket: N routes programmed by a minimal pipelined client, then dumped; routes/s and the simulator's CPU.
//
//   node dist/bench/vpp-sim.js [routes=1000000] [window=1000] [paths=1|recursive|labels] [delay-us=0]
// The client here is deliberately minimal (one Buffer per window, no codec) so the figure is the
// simulator's own cost; VPP 25.10 itself does ~270k routes/s with a window of 64-1000 (vpp-api.md).
import * as fs from 'fs';
import * as net from 'net';
import { VppSimulator } from '../ts/vpp-sim';

const N = Number(process.argv[2] ?? 1_000_000);
const WINDOW = Number(process.argv[3] ?? 1000);
const MODE = process.argv[4] ?? '1';
const DELAY = Number(process.argv[5] ?? 0);

class Client {
  private acc: Buffer = Buffer.alloc(0);
  private onMsg: (id: number, b: Buffer) => void = () => undefined;
  ids = new Map<string, number>();
  handle = 0;
  constructor(readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      this.acc = this.acc.length ? Buffer.concat([this.acc, d]) : d;
      let p = 0;
      while (this.acc.length - p >= 16) {
        const len = this.acc.readUInt32BE(p + 8);
        if (this.acc.length - p - 16 < len) break;
        const body = this.acc.subarray(p + 16, p + 16 + len);
        this.onMsg(body.readUInt16BE(0), body);
        p += 16 + len;
      }
      this.acc = this.acc.subarray(p);
    });
  }
  on(f: (id: number, b: Buffer) => void): void {
    this.onMsg = f;
  }
}

function frame(p: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32BE(p.length, 8);
  return Buffer.concat([h, p]);
}

async function main(): Promise<void> {
  const sim = await VppSimulator.start({ seed: 99, delayUs: DELAY });
  try {
    const sock = net.createConnection(sim.apiSocket);
    await new Promise((r) => sock.once('connect', r));
    const c = new Client(sock);
    await new Promise<void>((res) => {
      c.on((id, b) => {
        if (id !== 16) return;
        c.handle = b.readUInt32BE(14);
        for (let i = 0; i < b.readUInt16BE(18); i++) {
          const o = 20 + i * 66;
          c.ids.set(b.toString('latin1', o + 2, b.indexOf(0, o + 2)), b.readUInt16BE(o));
        }
        res();
      });
      const p = Buffer.alloc(70);
      p.writeUInt16BE(15, 0);
      p.write('perf', 6);
      sock.write(frame(p));
    });
    const ROUTE = c.ids.get('ip_route_add_del_b8ecfe0d') as number;
    const REPLY = c.ids.get('ip_route_add_del_reply_1992deab') as number;
    const TABLE = c.ids.get('ip_table_add_del_0ffdaec0') as number;
    const DUMP = c.ids.get('ip_route_dump_b9d2e09e') as number;
    const DETAILS = c.ids.get('ip_route_details_bda8f315') as number;
    const PING = c.ids.get('control_ping_51077d14') as number;

    // A template route: one path, per MODE.
    const tpl = Buffer.alloc(39 + 167);
    tpl.writeUInt16BE(ROUTE, 0);
    tpl.writeUInt32BE(c.handle, 2);
    tpl[10] = 1;
    tpl[37] = 24;
    tpl[38] = 1;
    const path = 39;
    tpl[path + 12] = 1;
    if (MODE === 'recursive') {
      tpl.writeUInt32BE(0xffffffff, path);
      tpl.writeUInt32BE(100, path + 4);
      tpl.writeUInt32BE(2, path + 18); // RESOLVE_VIA_HOST
      tpl.writeUInt32BE(7, path + 26); // NHG 7 as 0.0.0.7
    } else {
      tpl.writeUInt32BE(1, path);
      Buffer.from([192, 168, 1, 1]).copy(tpl, path + 26);
      if (MODE === 'labels') {
        tpl[path + 54] = 2;
        tpl.writeUInt32BE(100, path + 56);
        tpl.writeUInt32BE(200, path + 63);
      }
    }
    // Table 100 and the synthetic host route for the recursive mode.
    const t = Buffer.alloc(80);
    t.writeUInt16BE(TABLE, 0);
    t.writeUInt32BE(c.handle, 2);
    t[10] = 1;
    t.writeUInt32BE(100, 11);
    sock.write(frame(t));

    const cpu0 = sim.cpuMs();
    const t0 = performance.now();
    let sent = 0;
    let acked = 0;
    let errors = 0;
    const frameLen = 16 + tpl.length;
    const sendUpTo = (limit: number): void => {
      const n = Math.min(limit, N) - sent;
      if (n <= 0) return;
      const b = Buffer.alloc(n * frameLen);
      for (let i = 0; i < n; i++) {
        const o = i * frameLen;
        b.writeUInt32BE(tpl.length, o + 8);
        tpl.copy(b, o + 16);
        const k = sent + i;
        b.writeUInt32BE(k, o + 16 + 6);
        b.writeUInt32BE(((1 << 24) + (k << 8)) >>> 0, o + 16 + 21);
      }
      sent += n;
      sock.write(b);
    };
    await new Promise<void>((res) => {
      c.on((id, b) => {
        if (id !== REPLY) return;
        acked++;
        if (b.readInt32BE(6) !== 0) errors++;
        if (acked === N) res();
        else if (sent - acked <= WINDOW / 2) sendUpTo(acked + WINDOW);
      });
      sendUpTo(WINDOW);
    });
    const ms = performance.now() - t0;
    const cpu = sim.cpuMs() - cpu0;
    const counters = await sim.counters();
    process.stdout.write(
      `program: ${N} routes (${MODE}) window ${WINDOW}${DELAY ? ` delay ${DELAY} us` : ''}: ${(ms / 1000).toFixed(2)} s, ${Math.round(N / (ms / 1000))} routes/s, ` +
        `simulator CPU ${(cpu / 1000).toFixed(2)} s (${Math.round(N / (cpu / 1000))} routes per CPU-second), errors ${errors}, ` +
        `routes in FIB ${counters.routes}, path sets ${counters.pathSets}\n`,
    );

    // Dump table 0 (ip_route_dump + ping).
    const d = Buffer.alloc(79);
    d.writeUInt16BE(DUMP, 0);
    d.writeUInt32BE(c.handle, 2);
    d.writeUInt32BE(1, 6);
    const ping = Buffer.alloc(10);
    ping.writeUInt16BE(PING, 0);
    ping.writeUInt32BE(c.handle, 2);
    ping.writeUInt32BE(1, 6);
    let details = 0;
    const cpu1 = sim.cpuMs();
    const t1 = performance.now();
    await new Promise<void>((res) => {
      c.on((id) => {
        if (id === DETAILS) details++;
        else if (id === PING + 1) res();
      });
      sock.write(Buffer.concat([frame(d), frame(ping)]));
    });
    const dms = performance.now() - t1;
    process.stdout.write(
      `dump: ${details} details in ${(dms / 1000).toFixed(2)} s (${Math.round(details / (dms / 1000))}/s), simulator CPU ${((sim.cpuMs() - cpu1) / 1000).toFixed(2)} s\n`,
    );
    const rss = Number(fs.readFileSync(`/proc/${sim.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024;
    process.stdout.write(`simulator RSS ${Math.round(rss)} MB\n`);
    sock.destroy();
  } finally {
    await sim.stop();
  }
}

main().catch((e: Error) => {
  process.stderr.write(`${e.stack}\n`);
  process.exit(1);
});

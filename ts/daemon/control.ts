// The control socket: a UNIX stream socket carrying one JSON request and one JSON response per line.
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

export interface ControlRequest {
  cmd: string;
  [arg: string]: unknown;
}

export type ControlHandler = (req: ControlRequest) => unknown | Promise<unknown>;

export interface ControlServer {
  readonly path: string;
  close(): Promise<void>;
}

/** A request line longer than this is refused: requests are tiny, and a peer must not grow our memory. */
const MAX_REQUEST = 64 * 1024;

function probe(p: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(p);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Listens on `sockPath`. A socket file left by a dead daemon is replaced; one that still answers
 * belongs to a running daemon and is an error (two daemons must not share a control path).
 */
export async function serveControl(
  sockPath: string,
  handlers: Record<string, ControlHandler>,
  onError: (e: Error) => void = () => {},
): Promise<ControlServer> {
  fs.mkdirSync(path.dirname(sockPath), { recursive: true, mode: 0o755 });
  if (fs.existsSync(sockPath)) {
    const st = fs.lstatSync(sockPath);
    if (!st.isSocket()) throw new Error(`control path ${sockPath} exists and is not a socket`);
    if (await probe(sockPath)) throw new Error(`control socket ${sockPath} is in use by a running fibpush`);
    fs.unlinkSync(sockPath);
  }
  const conns = new Set<net.Socket>();
  const srv = net.createServer((sock) => {
    conns.add(sock);
    sock.on('close', () => conns.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf = '';
    let chain = Promise.resolve();
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      buf += d;
      if (buf.length > MAX_REQUEST && !buf.includes('\n')) {
        sock.end(JSON.stringify({ ok: false, error: `request longer than ${MAX_REQUEST} bytes` }) + '\n');
        return;
      }
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line === '') continue;
        // Answer in request order even when a handler is asynchronous.
        chain = chain.then(async () => {
          const reply = await answer(line, handlers).catch((e: Error) => {
            onError(e);
            return { ok: false, error: e.message };
          });
          if (!sock.destroyed) sock.write(JSON.stringify(reply) + '\n');
        });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(sockPath, () => {
      srv.off('error', reject);
      resolve();
    });
  });
  // Status reveals routing state: owner and group only.
  try {
    fs.chmodSync(sockPath, 0o660);
  } catch {
    /* best effort: a filesystem without modes still works */
  }
  return {
    path: sockPath,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of conns) c.destroy();
        srv.close(() => {
          try {
            fs.unlinkSync(sockPath);
          } catch {
            /* already gone */
          }
          resolve();
        });
      }),
  };
}

async function answer(line: string, handlers: Record<string, ControlHandler>): Promise<unknown> {
  let req: unknown;
  try {
    req = JSON.parse(line);
  } catch {
    return { ok: false, error: 'request is not JSON' };
  }
  if (req === null || typeof req !== 'object' || typeof (req as ControlRequest).cmd !== 'string') {
    return { ok: false, error: 'request needs a "cmd" string' };
  }
  const r = req as ControlRequest;
  const h = Object.prototype.hasOwnProperty.call(handlers, r.cmd) ? handlers[r.cmd] : undefined;
  if (!h) return { ok: false, error: `unknown command "${r.cmd}" (known: ${Object.keys(handlers).join(', ')})` };
  return { ok: true, result: await h(r) };
}

export class ControlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlError';
  }
}

/** Sends one request and resolves to its result; rejects with a ControlError naming the socket. */
export function controlRequest(sockPath: string, req: ControlRequest, timeoutMs = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const s = net.connect(sockPath);
    let buf = '';
    let done = false;
    const finish = (err: Error | null, v?: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      if (err) reject(err);
      else resolve(v);
    };
    const timer = setTimeout(
      () => finish(new ControlError(`no answer from ${sockPath} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    s.setEncoding('utf8');
    s.on('connect', () => s.write(JSON.stringify(req) + '\n'));
    s.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      let rep: { ok?: boolean; result?: unknown; error?: string };
      try {
        rep = JSON.parse(buf.slice(0, nl));
      } catch {
        finish(new ControlError(`answer from ${sockPath} is not JSON`));
        return;
      }
      if (rep.ok) finish(null, rep.result);
      else finish(new ControlError(rep.error ?? 'request failed'));
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      const hint =
        e.code === 'ENOENT' || e.code === 'ECONNREFUSED'
          ? ` (is \`fibpush run\` running with --control ${sockPath}?)`
          : '';
      finish(new ControlError(`cannot reach the control socket ${sockPath}: ${e.code ?? e.message}${hint}`));
    });
    s.on('end', () => finish(new ControlError(`control socket ${sockPath} closed without an answer`)));
  });
}

// The control socket: a UNIX stream socket carrying one JSON request and one JSON response per line.
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

export interface ControlRequest {
  cmd: string;
  [arg: string]: unknown;
}

/** Answers a request: the value itself, or a Promise of it (awaited). */
export type ControlHandler = (req: ControlRequest) => unknown;

export interface ControlServer {
  readonly path: string;
  close(): Promise<void>;
}

/** A request line longer than this is refused: requests are tiny, and a peer must not grow our memory. */
const MAX_REQUEST = 64 * 1024;
/** Answers computed and not yet written, per connection: past it the connection is not read. */
const MAX_PENDING = 16;
/**
 * Answers written and not read by the client, per connection: past it the connection is
 * closed (a client that pipelines requests and never reads must not grow our memory).
 */
export const MAX_UNREAD_OUTPUT = 1 << 20;
/** sockaddr_un.sun_path is 108 bytes with its NUL (include/uapi/linux/un.h UNIX_PATH_MAX). */
export const MAX_SOCKET_PATH = 107;

export class ControlPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlPathError';
  }
}

const ownUid = (): number => (typeof process.getuid === 'function' ? process.getuid() : 0);

/**
 * A control socket path is only as trustworthy as its directory: whoever may write there may
 * replace the socket with one of their own, and `fibpush status` would print their answer.
 * The path must fit sun_path (the kernel would bind a truncated name), and the directory must
 * be owned by `owners` and writable by nobody else. Returns the problem, or null.
 */
export function controlPathProblem(sockPath: string, owners: readonly number[] = [ownUid()]): string | null {
  const bytes = Buffer.byteLength(sockPath);
  if (bytes > MAX_SOCKET_PATH) {
    return `control socket path ${sockPath} is ${bytes} bytes; a UNIX socket path has at most ${MAX_SOCKET_PATH} (sun_path)`;
  }
  const dir = path.dirname(path.resolve(sockPath));
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    return `control socket directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  if (!st.isDirectory()) return `control socket directory ${dir} is not a directory`;
  if (!owners.includes(st.uid)) {
    return `control socket directory ${dir} is owned by uid ${st.uid}, not ${owners.join(' or ')}: another user could replace the socket`;
  }
  if ((st.mode & 0o022) !== 0) {
    return `control socket directory ${dir} is writable by ${st.mode & 0o002 ? 'others' : 'its group'} (mode ${(st.mode & 0o7777).toString(8)}): another user could replace the socket`;
  }
  return null;
}

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
  onLimit: (what: string) => void = () => {},
): Promise<ControlServer> {
  if (Buffer.byteLength(sockPath) > MAX_SOCKET_PATH) throw new ControlPathError(controlPathProblem(sockPath)!);
  // Created owner-writable only; an existing directory is checked, never loosened or trusted.
  fs.mkdirSync(path.dirname(sockPath), { recursive: true, mode: 0o755 });
  const problem = controlPathProblem(sockPath);
  if (problem) throw new ControlPathError(problem);
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
    let pending = 0;
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
        // Answer in request order even when a handler is asynchronous; a client that pipelines
        // more than MAX_PENDING is not read until answers are out.
        if (++pending >= MAX_PENDING) sock.pause();
        chain = chain.then(async () => {
          if (sock.destroyed) return;
          const reply = await answer(line, handlers).catch((e: Error) => {
            onError(e);
            return { ok: false, error: e.message };
          });
          if (--pending < MAX_PENDING && !sock.destroyed) sock.resume();
          if (sock.destroyed) return;
          sock.write(JSON.stringify(reply) + '\n');
          if (sock.writableLength > MAX_UNREAD_OUTPUT) {
            onLimit(`a control client left more than ${MAX_UNREAD_OUTPUT} bytes of answers unread: connection closed`);
            sock.destroy();
          }
        });
      }
    });
  });
  // Status reveals routing state: owner and group only, from the moment the socket exists
  // (bind(2) creates it with 0777 & ~umask; listen binds synchronously for a path).
  const umask = process.umask(0o117);
  try {
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(sockPath, () => {
        srv.off('error', reject);
        resolve();
      });
      process.umask(umask);
    });
  } finally {
    process.umask(umask);
  }
  fs.chmodSync(sockPath, 0o660);
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
  // Only a socket in a directory that this user (or root) alone may write to is asked: any
  // other could be a stand-in answering with forged state.
  const problem = fs.existsSync(path.dirname(path.resolve(sockPath))) ? controlPathProblem(sockPath, [ownUid(), 0]) : null;
  if (problem) return Promise.reject(new ControlError(`not asking ${sockPath}: ${problem}`));
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
        rep = JSON.parse(buf.slice(0, nl)) as typeof rep;
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

// The two places fibpush reaches under Node's public net API, kept here, with a self-check run at start.
//
// 1. An accepted socket gets an `onread` buffer: net.Server has no `onread` option (only
//    net.connect does), so the accepted handle moves to a new net.Socket built with one.
// 2. The VPP client polls its API socket without waiting (fs.readSync on the socket's fd) from
//    inside the zebra reader's callback, so that replies free the window between zebra's reads.
// Both read `_handle`, which Node does not document. selfCheck() exercises both on a loopback
// pair; the daemon refuses to start, naming what failed, if a Node version changed them.
import * as fs from 'fs';
import * as net from 'net';

/**
 * Hands the handle of a server-accepted socket (accepted paused) to a new net.Socket that reads
 * with `onread` into `buffer`; the old socket gives up its handle and is destroyed without
 * closing it (which also releases the server's connection count).
 */
export function moveToOnread(raw: net.Socket, buffer: Uint8Array, callback: (n: number, buf: Uint8Array) => boolean): net.Socket {
  const holder = raw as unknown as { _handle: unknown };
  const handle = holder._handle;
  if (!handle) throw new Error('accepted socket has no handle');
  holder._handle = null;
  raw.destroy();
  const opts = { handle, readable: true, writable: true, onread: { buffer, callback } };
  return new net.Socket(opts);
}

/** The socket's file descriptor (libuv's, non-blocking), or -1 when Node does not show it. */
export function socketFd(s: net.Socket): number {
  const fd = (s as unknown as { _handle?: { fd?: number } | null })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : -1;
}

/**
 * Reads what the kernel already holds for a non-blocking fd, without waiting: the bytes read,
 * 0 when there is nothing (EAGAIN) or at EOF. Any other error is thrown: only "nothing yet" is
 * not an error here.
 */
export function readNow(fd: number, buf: Uint8Array): number {
  try {
    return fs.readSync(fd, buf, 0, buf.length, null);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return 0;
    throw e;
  }
}

/** Exercises moveToOnread, socketFd and readNow on a loopback pair; resolves null, or what failed. */
export async function selfCheck(timeoutMs = 2000): Promise<string | null> {
  let server: net.Server | null = null;
  let client: net.Socket | null = null;
  let moved: net.Socket | null = null;
  try {
    const got: number[] = [];
    let acceptedFd = -1;
    server = net.createServer({ pauseOnConnect: true }, (raw) => {
      acceptedFd = socketFd(raw);
      moved = moveToOnread(raw, new Uint8Array(64), (n, buf) => {
        for (let i = 0; i < n; i++) got.push(buf[i]);
        return true;
      });
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as net.AddressInfo).port;
    client = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      client!.once('connect', () => resolve());
      client!.once('error', reject);
    });
    client.write(Uint8Array.of(1, 2, 3));
    const until = Date.now() + timeoutMs;
    while (got.length < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    if (acceptedFd < 0) return 'an accepted socket shows no file descriptor (_handle.fd)';
    if (got.join(',') !== '1,2,3') return 'a socket moved to an onread buffer did not read (_handle move)';
    const fd = socketFd(client);
    if (fd < 0) return 'a connected socket shows no file descriptor (_handle.fd)';
    if (readNow(fd, new Uint8Array(8)) !== 0) return 'a non-blocking read of an idle socket returned bytes';
    return null;
  } catch (e) {
    return (e as Error).message;
  } finally {
    (moved as net.Socket | null)?.destroy();
    client?.destroy();
    server?.close();
  }
}

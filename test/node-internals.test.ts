// The Node internals fibpush relies on (ts/node-internals.ts): the start-up self-check passes on this Node, and only "nothing yet" is swallowed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as net from 'net';
import { readNow, selfCheck, socketFd } from '../ts/node-internals';

test('the self-check passes on this Node', async () => {
  assert.is(await selfCheck(), null);
});

test('readNow: 0 when nothing is there (EAGAIN), the bytes when there are, a thrown error otherwise', async () => {
  const server = net.createServer((s) => s.write(Uint8Array.of(7, 8)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const c = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  c.pause();
  await new Promise<void>((r) => c.once('connect', () => r()));
  const fd = socketFd(c);
  assert.ok(fd >= 0);
  const buf = new Uint8Array(8);
  let n = 0;
  for (let i = 0; i < 200 && n === 0; i++) {
    n = readNow(fd, buf);
    if (n === 0) await new Promise((r) => setTimeout(r, 5));
  }
  assert.is(n, 2);
  assert.equal([buf[0], buf[1]], [7, 8]);
  assert.is(readNow(fd, buf), 0, 'nothing more: EAGAIN is not an error');
  const dir = fs.mkdtempSync('/tmp/fibpush-ni-');
  const f = fs.openSync(`${dir}/x`, 'w');
  fs.closeSync(f);
  assert.throws(() => readNow(f, buf), (e: NodeJS.ErrnoException) => e.code === 'EBADF');
  fs.rmSync(dir, { recursive: true });
  c.destroy();
  server.close();
});

test.run();

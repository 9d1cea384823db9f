// Child process run inside a network namespace: binds a TCP listener there and hands the
// listening socket to its parent over the IPC channel, then exits (see proc.ts listenInNetns).
import * as net from 'net';

const [host, portStr] = process.argv.slice(2);
const send = process.send?.bind(process);
if (!send) {
  process.stderr.write('ns-listen: must be spawned with an IPC channel\n');
  process.exit(2);
}
const srv = net.createServer();
srv.on('error', (e) => {
  send({ ok: false, error: e.message }, undefined, {}, () => process.exit(1));
});
srv.listen({ host, port: Number(portStr), exclusive: true }, () => {
  // After the handle is sent the parent owns a duplicate of the fd; ours can close.
  send({ ok: true }, srv, {}, () => {
    srv.close();
    process.disconnect?.();
  });
});

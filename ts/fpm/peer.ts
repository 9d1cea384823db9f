// Who is on the other end of a loopback TCP connection: the owner uid of the peer's socket.
//
// FPM has no authentication (dplane_fpm_nl.c just connects), so the only identity a local peer
// has is the kernel's: both ends of a loopback connection live in this host's (network
// namespace's) socket table, and /proc/net/tcp{,6} lists each socket with its owner uid
// (net/ipv4/tcp_ipv4.c get_tcp4_sock, net/ipv6/tcp_ipv6.c get_tcp6_sock:
// "sl local_address rem_address st ... uid timeout inode"). The peer's socket is the entry whose
// local address is our remote one and whose remote address is our local one.
import * as fs from 'fs';
import * as os from 'os';

/** Which peers may feed the FIB: one uid, or anyone (`--any-peer`). */
export type PeerPolicy = { kind: 'any' } | { kind: 'uid'; uid: number; name: string };

const LE = os.endianness() === 'LE';

/**
 * The hex form /proc/net/tcp prints an address in: the in-memory words of the __be32 (or the
 * four words of the in6_addr) printed with %08X, so on a little-endian host each 4-byte group
 * appears byte-reversed (127.0.0.1 -> 0100007F). Returns null for an address it cannot parse.
 */
export function procNetAddr(address: string): { v6: boolean; hex: string } | null {
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/i.exec(address);
  const word = (b: number[]) => (LE ? b.slice().reverse() : b).map((x) => x.toString(16).padStart(2, '0')).join('').toUpperCase();
  if (v4) {
    const bytes = v4.slice(1, 5).map(Number);
    if (bytes.some((x) => x > 255)) return null;
    // An IPv4-mapped peer of an IPv6 listener sits in tcp6 as ::ffff:a.b.c.d.
    if (/^::ffff:/i.test(address)) return { v6: true, hex: word([0, 0, 0, 0]) + word([0, 0, 0, 0]) + word([0, 0, 0xff, 0xff]) + word(bytes) };
    return { v6: false, hex: word(bytes) };
  }
  const b = ipv6Bytes(address);
  if (!b) return null;
  let hex = '';
  for (let w = 0; w < 16; w += 4) hex += word(b.slice(w, w + 4));
  return { v6: true, hex };
}

function ipv6Bytes(a: string): number[] | null {
  if (!a.includes(':')) return null;
  const [head, tail] = a.split('::', 2) as [string, string | undefined];
  const parse = (s: string) => (s === '' ? [] : s.split(':'));
  const h = parse(head);
  const t = tail === undefined ? [] : parse(tail);
  const fill = 8 - h.length - t.length;
  if (fill < 0 || (tail === undefined && fill !== 0)) return null;
  const groups = [...h, ...new Array<string>(fill).fill('0'), ...t];
  const out: number[] = [];
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    const v = parseInt(g, 16);
    out.push(v >> 8, v & 255);
  }
  return out;
}

/**
 * The owner uid of the socket at `remote` connected to `local`, from `procNet`/tcp or tcp6
 * (default /proc/self/net: this process's network namespace); null when no such socket is
 * listed (a peer on another host or in another network namespace, or one already gone).
 */
export function peerUid(
  local: { address: string; port: number },
  remote: { address: string; port: number },
  procNet = '/proc/self/net',
): number | null {
  const port = (p: number) => p.toString(16).toUpperCase().padStart(4, '0');
  // Where the peer's row can be: an IPv4-mapped peer of an IPv6 listener is usually an AF_INET
  // socket (listed in tcp), or an AF_INET6 one connected to the mapped address (in tcp6).
  const tries: { file: string; want: string }[] = [];
  for (const mapped of [false, true]) {
    const l = procNetAddr(mapped ? local.address : unmapped(local.address));
    const r = procNetAddr(mapped ? remote.address : unmapped(remote.address));
    if (!l || !r || l.v6 !== r.v6) continue;
    // The peer's row: its local end is our remote, its remote end is our local.
    const t = { file: r.v6 ? 'tcp6' : 'tcp', want: `${r.hex}:${port(remote.port)} ${l.hex}:${port(local.port)}` };
    if (!tries.some((x) => x.file === t.file && x.want === t.want)) tries.push(t);
  }
  for (const { file, want } of tries) {
    let text: string;
    try {
      text = fs.readFileSync(`${procNet}/${file}`, 'latin1');
    } catch {
      continue;
    }
    const at = text.indexOf(want);
    if (at < 0) continue;
    const end = text.indexOf('\n', at);
    // After the addresses: st tx:rx tr:when retrnsmt uid ...
    const f = text.slice(at + want.length, end < 0 ? undefined : end).trim().split(/\s+/);
    const uid = Number(f[4]);
    return Number.isSafeInteger(uid) ? uid : null;
  }
  return null;
}

/** a.b.c.d for ::ffff:a.b.c.d, else the address as given. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m ? m[1] : address;
}

/** The uid of user `name` from /etc/passwd, or null. */
export function uidOfUser(name: string, passwd = '/etc/passwd'): number | null {
  let text: string;
  try {
    text = fs.readFileSync(passwd, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 3 && /^\d+$/.test(f[2])) return Number(f[2]);
  }
  return null;
}

/** The name of `uid` from /etc/passwd, or the number as a string. */
export function userOfUid(uid: number, passwd = '/etc/passwd'): string {
  try {
    for (const line of fs.readFileSync(passwd, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length >= 3 && f[2] === String(uid)) return f[0];
    }
  } catch {
    /* no passwd: the number it is */
  }
  return String(uid);
}

/** zebra drops to user `frr` (FRR's --enable-user default; frr_opt -u): the default peer. */
export const ZEBRA_USER = 'frr';

/** Only this process's own user (a test or bench that plays zebra itself). */
export function ownPeerPolicy(passwd = '/etc/passwd'): PeerPolicy {
  const own = typeof process.getuid === 'function' ? process.getuid() : 0;
  return { kind: 'uid', uid: own, name: userOfUid(own, passwd) };
}

/** The default policy: zebra's user when it exists on this box, else this process's own uid. */
export function defaultPeerPolicy(passwd = '/etc/passwd'): PeerPolicy {
  const frr = uidOfUser(ZEBRA_USER, passwd);
  if (frr !== null) return { kind: 'uid', uid: frr, name: ZEBRA_USER };
  return ownPeerPolicy(passwd);
}

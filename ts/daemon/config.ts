// The daemon's configuration: the one option table behind `fibpush run` flags, its --help and its --config file.
import * as net from 'net';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UsageError, hostPortOption } from '../options';
import type { DecoderImpl } from '../codec/decoder';
import { isLoopbackAddress } from '../fpm/server';
import { DEFAULT_VPP_SOCKET } from '../vpp/client';
import { defaultPeerPolicy, PeerPolicy, uidOfUser, userOfUid, ZEBRA_USER } from '../fpm/peer';
import type { ProgrammingMode } from '../vpp/programmer';
export type { ProgrammingMode };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'logfmt';
export type DataplaneKind = 'memory' | 'vpp';

export interface HostPort {
  host: string;
  port: number;
}

export interface DaemonConfig {
  listen: HostPort;
  allowNonLoopback: boolean;
  /** Who may feed the FIB over FPM: zebra's user (default) or anyone (--any-peer). See docs/security.md. */
  peer: PeerPolicy;
  /** Routes parked on a missing nexthop group, at most; beyond it routes are refused (offload-failed). */
  maxParked: number;
  dataplane: DataplaneKind;
  /** How the dataplane was chosen, for the start-up announcement. */
  dataplaneReason: string;
  vppSocket: string;
  /** UNIX socket path of the control server; null = none. */
  control: string | null;
  metrics: HostPort | null;
  mode: ProgrammingMode;
  /** netlink table id -> VPP table id (254 -> 0 unless overridden). */
  tableMap: Map<number, number>;
  interfaceMap: string | null;
  /** EVPN: the local VTEP address (VXLAN tunnels' source); null = remote MACs are not programmed. */
  vtepSource: string | null;
  feedback: boolean;
  /** Offload notifications per second, at most. */
  feedbackRate: number;
  quietPeriodMs: number;
  /** Routes to size the FIB mirror's tables for up front (0 = grow as they come). */
  expectedRoutes: number;
  /** Drop a zebra connection that sent nothing for this long; 0 = never. */
  idleTimeoutMs: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  decoder: DecoderImpl;
  progress: 'auto' | 'on' | 'off';
}

/** One option of `fibpush run`. The same table drives the parser, --help and --config keys. */
export interface OptionDef {
  readonly name: string;
  /** Placeholder for the value; absent for boolean flags. */
  readonly arg?: string;
  readonly help: string;
  /** Only on the command line (not a --config key). */
  readonly cliOnly?: boolean;
}

export const DEFAULT_LISTEN = '127.0.0.1:2620';
/** VPP's own default (startup.conf `socksvr { default }`), where ts/vpp/client.ts connects. */
export { DEFAULT_VPP_SOCKET };
export const DEFAULT_QUIET_PERIOD_MS = 3000;
export const DEFAULT_FEEDBACK_RATE = 100000;
export const DEFAULT_IDLE_TIMEOUT_MS = 0;
/** Two full tables (2 x 1,230,000 routes): a zebra replay may park a whole table once over. */
export { DEFAULT_MAX_PARKED } from '../dplane/store';
import { DEFAULT_MAX_PARKED } from '../dplane/store';

export const RUN_OPTIONS: readonly OptionDef[] = [
  { name: 'config', arg: 'FILE', help: 'JSON file whose keys are these option names; flags override it', cliOnly: true },
  { name: 'listen', arg: 'HOST:PORT', help: `FPM address zebra connects to (default ${DEFAULT_LISTEN}; port 0: a free one, shown by \`fibpush status\`)` },
  { name: 'allow-non-loopback', help: 'allow --listen/--metrics on an address that is not loopback' },
  {
    name: 'zebra-user',
    arg: 'NAME|UID',
    help: `only an FPM peer whose socket this user owns feeds the FIB (default ${ZEBRA_USER} when it exists, else fibpush's own user)`,
  },
  { name: 'any-peer', help: 'accept any FPM peer (no owner check; needed for zebra on another host or network namespace)' },
  {
    name: 'max-parked',
    arg: 'N',
    help: `routes waiting for a nexthop group, at most; beyond it routes are refused (default ${DEFAULT_MAX_PARKED})`,
  },
  {
    name: 'dataplane',
    arg: 'memory|vpp',
    help: `where routes go (default: vpp when ${DEFAULT_VPP_SOCKET} exists, else the built-in memory dataplane)`,
  },
  { name: 'vpp-socket', arg: 'PATH', help: `VPP binary-API socket (default ${DEFAULT_VPP_SOCKET})` },
  { name: 'control', arg: 'PATH', help: `control socket for \`fibpush status\` (default ${defaultControlPath()})` },
  { name: 'no-control', help: 'do not open a control socket' },
  { name: 'metrics', arg: 'HOST:PORT', help: 'serve Prometheus metrics on http://HOST:PORT/metrics (off by default)' },
  { name: 'pic', help: 'program nexthop groups as shared recursive paths (default)' },
  { name: 'inline', help: 'program every route with its own paths' },
  { name: 'table-map', arg: 'LNX=VPP,...', help: 'netlink table id to VPP table id (default 254=0, others unchanged)' },
  { name: 'interface-map', arg: 'FILE', help: 'ifindex to VPP sw_if_index map, used when linux-cp cannot tell' },
  { name: 'vtep-source', arg: 'ADDR', help: 'EVPN: local VTEP address; remote MACs become VXLAN tunnels + L2 FIB entries (default: not programmed)' },
  { name: 'no-feedback', help: 'do not send offload results (RTM_F_OFFLOAD/_FAILED) back to zebra' },
  { name: 'feedback-rate', arg: 'N', help: `offload notifications per second, at most (default ${DEFAULT_FEEDBACK_RATE})` },
  {
    name: 'quiet-period',
    arg: 'DURATION',
    help: `end of replay when zebra sends no end marker: this long without input (default ${DEFAULT_QUIET_PERIOD_MS}ms; 3s or 3000ms, a bare number is milliseconds)`,
  },
  {
    name: 'expected-routes',
    arg: 'N',
    help: 'size the route tables for about N routes up front (e.g. 1230000 for a full table; default 0 = grow as needed)',
  },
  {
    name: 'idle-timeout',
    arg: 'DURATION',
    help: 'drop a zebra connection silent this long (default 0 = never; 30s or 30000ms, a bare number is seconds)',
  },
  { name: 'log-level', arg: 'debug|info|warn|error', help: 'least severe level logged (default info)' },
  { name: 'log-format', arg: 'json|logfmt', help: 'log lines on stderr (default logfmt on a terminal, else json)' },
  { name: 'decoder', arg: 'native|ts', help: 'FPM decoder: the native addon or the TypeScript reference (default native)' },
  { name: 'progress', arg: 'auto|on|off', help: 'progress line during the initial sync (default auto: on a terminal)' },
];

/** The parser spec for ts/cli/command.ts parseArgs, derived from RUN_OPTIONS. */
export function runOptionSpec(): Record<string, { value: boolean }> {
  const spec: Record<string, { value: boolean }> = {};
  for (const o of RUN_OPTIONS) spec[o.name] = { value: o.arg !== undefined };
  return spec;
}

export function runHelp(): string {
  const rows = RUN_OPTIONS.map((o) => [`--${o.name}${o.arg ? ` ${o.arg}` : ''}`, o.help] as const);
  const w = Math.max(...rows.map((r) => r[0].length));
  return [
    'Usage: fibpush run [options]',
    '',
    'Runs the daemon: accepts zebra\'s FPM connection (dplane_fpm_nl), keeps a mirror of its FIB and',
    'programs it into VPP (or the built-in memory dataplane), reporting offload results back to zebra.',
    '',
    'Options:',
    ...rows.map(([l, h]) => `  ${l.padEnd(w)}  ${h}`),
    `  ${'--help'.padEnd(w)}  this text`,
  ].join('\n');
}

/** Default control socket: /run/fibpush as root, else the user's runtime directory. */
export function defaultControlPath(env: NodeJS.ProcessEnv = process.env): string {
  if (typeof process.getuid === 'function' && process.getuid() === 0) return '/run/fibpush/control.sock';
  if (env.XDG_RUNTIME_DIR) return path.join(env.XDG_RUNTIME_DIR, 'fibpush', 'control.sock');
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return path.join(os.tmpdir(), `fibpush-${uid}`, 'control.sock');
}

type Raw = Map<string, string | true>;

/**
 * Reads a --config file into the same shape parseArgs produces. Values may be strings, numbers,
 * booleans (flags: true sets, false leaves unset) and, for table-map, an object {"254": 0}.
 */
export function readConfigFile(file: string): Raw {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`Cannot read --config file "${file}": ${(e as Error).message}`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`Expected JSON in --config file "${file}" but it does not parse: ${(e as Error).message}`);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new UsageError(`Expected a JSON object in --config file "${file}"`);
  }
  const out: Raw = new Map();
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const def = RUN_OPTIONS.find((o) => o.name === k && !o.cliOnly);
    if (!def) {
      const keys = RUN_OPTIONS.filter((o) => !o.cliOnly).map((o) => o.name);
      throw new UsageError(`Unknown key "${k}" in --config file "${file}" (known: ${keys.join(', ')})`);
    }
    if (def.arg === undefined) {
      if (typeof v !== 'boolean') throw new UsageError(`Expected true or false for "${k}" in --config file "${file}" but received ${JSON.stringify(v)}`);
      if (v) out.set(k, true);
    } else if (typeof v === 'string') {
      out.set(k, v);
    } else if (typeof v === 'number') {
      out.set(k, String(v));
    } else if (k === 'table-map' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out.set(k, Object.entries(v as Record<string, unknown>).map(([a, b]) => `${a}=${String(b)}`).join(','));
    } else {
      throw new UsageError(`Expected ${def.arg} for "${k}" in --config file "${file}" but received ${JSON.stringify(v)}`);
    }
  }
  return out;
}

function choice<T extends string>(raw: Raw, name: string, allowed: readonly T[], def: T): T {
  const v = raw.get(name);
  if (v === undefined) return def;
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  throw new UsageError(`Expected one of ${allowed.join(', ')} for --${name} but received "${v}"`);
}

function intIn(raw: Raw, name: string, def: number, min: number, max: number, what: string): number {
  const v = raw.get(name);
  if (v === undefined) return def;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`Expected ${what} between ${min} and ${max} for --${name} but received "${v}"`);
  }
  return n;
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;
type DurationUnit = keyof typeof UNIT_MS;

/**
 * A duration in milliseconds from `500ms`, `3s`, `1.5s` or `2m`. A bare number keeps the unit the
 * option has always had (`bare`): --quiet-period was milliseconds and --idle-timeout seconds, and
 * existing command lines and --config files mean what they meant.
 */
export function parseDurationMs(text: string, bare: DurationUnit): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) return null;
  const ms = Number(m[1]) * UNIT_MS[(m[2] as DurationUnit | undefined) ?? bare];
  // Whole milliseconds only: 1.0005s is a typo, not a timer setting.
  return Number.isSafeInteger(Math.round(ms)) && Math.abs(ms - Math.round(ms)) < 1e-6 ? Math.round(ms) : null;
}

function fmtMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function durationIn(raw: Raw, name: string, defMs: number, minMs: number, maxMs: number, bare: DurationUnit): number {
  const v = raw.get(name);
  if (v === undefined) return defMs;
  const ms = typeof v === 'string' ? parseDurationMs(v, bare) : null;
  if (ms === null || ms < minMs || ms > maxMs) {
    const unit = bare === 'ms' ? 'milliseconds' : bare === 's' ? 'seconds' : 'minutes';
    throw new UsageError(
      `Expected a duration between ${fmtMs(minMs)} and ${fmtMs(maxMs)} for --${name} (e.g. 3s or 3000ms; a bare number is ${unit}) but received "${v}"`,
    );
  }
  return ms;
}

function str(raw: Raw, name: string): string | undefined {
  const v = raw.get(name);
  if (v === undefined) return undefined;
  if (v === true || v === '') throw new UsageError(`Expected a value for --${name}`);
  return v;
}

const U32_MAX = 0xffffffff;

/** `254=0,1001=7`: netlink table ids to VPP table ids; main (254) maps to 0 unless given. */
export function parseTableMap(v: string | undefined): Map<number, number> {
  const m = new Map<number, number>([[254, 0]]);
  if (v === undefined) return m;
  for (const part of v.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const mm = /^(\d+)\s*[=:]\s*(\d+)$/.exec(p);
    const a = mm ? Number(mm[1]) : NaN;
    const b = mm ? Number(mm[2]) : NaN;
    if (!mm || !(a >= 0 && a <= U32_MAX) || !(b >= 0 && b <= U32_MAX)) {
      throw new UsageError(`Expected LINUX_TABLE=VPP_TABLE pairs of integers between 0 and ${U32_MAX} for --table-map but received "${p}"`);
    }
    m.set(a, b);
  }
  return m;
}

export interface ResolveEnv {
  /** Tells whether a path exists (the default VPP socket probe); injectable for tests. */
  exists?: (p: string) => boolean;
  isTTY?: boolean;
  env?: NodeJS.ProcessEnv;
  /** The users file --zebra-user names are looked up in (default /etc/passwd); for tests. */
  passwd?: string;
}

/** Turns parsed flags (merged over the --config file) into a validated DaemonConfig. */
export function resolveConfig(cli: Raw, positionals: string[], renv: ResolveEnv = {}): DaemonConfig {
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}"`);
  const exists = renv.exists ?? ((p: string) => fs.existsSync(p));
  const cfgFile = cli.get('config');
  const raw: Raw = new Map();
  if (cfgFile !== undefined) {
    if (cfgFile === true) throw new UsageError('Expected a value for --config');
    for (const [k, v] of readConfigFile(cfgFile)) raw.set(k, v);
  }
  for (const [k, v] of cli) if (k !== 'config') raw.set(k, v);

  const allowNonLoopback = raw.get('allow-non-loopback') === true;
  const listen = hostPortOption(str(raw, 'listen') ?? DEFAULT_LISTEN, 'listen', { listen: true });
  const metricsStr = str(raw, 'metrics');
  const metrics = metricsStr !== undefined ? hostPortOption(metricsStr, 'metrics', { listen: true }) : null;
  for (const [name, hp] of [['listen', listen], ['metrics', metrics]] as const) {
    if (hp && !isLoopbackAddress(hp.host) && !allowNonLoopback) {
      throw new UsageError(
        `Expected a loopback address for --${name} but received "${hp.host}" (pass --allow-non-loopback to listen there)`,
      );
    }
  }

  const vppSocketGiven = str(raw, 'vpp-socket');
  const vppSocket = vppSocketGiven ?? DEFAULT_VPP_SOCKET;
  let dataplane: DataplaneKind;
  let dataplaneReason: string;
  const dpGiven = raw.get('dataplane');
  if (dpGiven !== undefined) {
    dataplane = choice(raw, 'dataplane', ['memory', 'vpp'] as const, 'memory');
    dataplaneReason = 'as configured';
  } else if (vppSocketGiven !== undefined) {
    dataplane = 'vpp';
    dataplaneReason = `--vpp-socket ${vppSocket} given`;
  } else if (exists(DEFAULT_VPP_SOCKET)) {
    dataplane = 'vpp';
    dataplaneReason = `found ${DEFAULT_VPP_SOCKET}`;
  } else {
    dataplane = 'memory';
    dataplaneReason = `no VPP socket at ${DEFAULT_VPP_SOCKET}`;
  }

  if (raw.get('pic') === true && raw.get('inline') === true) {
    throw new UsageError('Expected at most one of --pic and --inline but received both');
  }
  const controlGiven = str(raw, 'control');
  if (controlGiven !== undefined && raw.get('no-control') === true) {
    throw new UsageError('Expected at most one of --control and --no-control but received both');
  }
  if (raw.get('no-feedback') === true && raw.get('feedback-rate') !== undefined) {
    throw new UsageError('Expected at most one of --no-feedback and --feedback-rate but received both');
  }
  const zebraUser = str(raw, 'zebra-user');
  if (zebraUser !== undefined && raw.get('any-peer') === true) {
    throw new UsageError('Expected at most one of --zebra-user and --any-peer but received both');
  }
  let peer: PeerPolicy;
  if (raw.get('any-peer') === true) peer = { kind: 'any' };
  else if (zebraUser === undefined) peer = defaultPeerPolicy(renv.passwd);
  else if (/^\d+$/.test(zebraUser) && Number(zebraUser) <= U32_MAX) peer = { kind: 'uid', uid: Number(zebraUser), name: userOfUid(Number(zebraUser), renv.passwd) };
  else {
    const uid = uidOfUser(zebraUser, renv.passwd);
    if (uid === null) throw new UsageError(`Expected a user name or uid for --zebra-user but received "${zebraUser}" (no such user)`);
    peer = { kind: 'uid', uid, name: zebraUser };
  }
  if (controlGiven !== undefined && Buffer.byteLength(controlGiven) > 107) {
    // sockaddr_un.sun_path holds 108 bytes with the NUL: a longer path would bind a truncated name.
    throw new UsageError(`Expected a path of at most 107 bytes for --control but received "${controlGiven}" (${Buffer.byteLength(controlGiven)} bytes)`);
  }
  const interfaceMap = str(raw, 'interface-map') ?? null;
  if (interfaceMap !== null && !exists(interfaceMap)) {
    throw new UsageError(`Expected a readable file for --interface-map but "${interfaceMap}" does not exist`);
  }
  const vtepSource = str(raw, 'vtep-source') ?? null;
  if (vtepSource !== null && net.isIP(vtepSource) === 0) {
    throw new UsageError(`Expected an IPv4 or IPv6 address for --vtep-source but received "${vtepSource}"`);
  }
  const env = renv.env ?? process.env;
  const isTTY = renv.isTTY ?? Boolean(process.stderr.isTTY);
  return {
    listen,
    allowNonLoopback,
    peer,
    maxParked: intIn(raw, 'max-parked', DEFAULT_MAX_PARKED, 0, 100_000_000, 'a route count'),
    dataplane,
    dataplaneReason,
    vppSocket,
    control: raw.get('no-control') === true ? null : (controlGiven ?? defaultControlPath(env)),
    metrics,
    mode: raw.get('inline') === true ? 'inline' : 'pic',
    tableMap: parseTableMap(str(raw, 'table-map')),
    interfaceMap,
    vtepSource,
    feedback: raw.get('no-feedback') !== true,
    feedbackRate: intIn(raw, 'feedback-rate', DEFAULT_FEEDBACK_RATE, 1, 10_000_000, 'a rate in notifications per second'),
    quietPeriodMs: durationIn(raw, 'quiet-period', DEFAULT_QUIET_PERIOD_MS, 100, 600_000, 'ms'),
    expectedRoutes: intIn(raw, 'expected-routes', 0, 0, 100_000_000, 'a route count'),
    idleTimeoutMs: durationIn(raw, 'idle-timeout', DEFAULT_IDLE_TIMEOUT_MS, 0, 86_400_000, 's'),
    logLevel: choice(raw, 'log-level', ['debug', 'info', 'warn', 'error'] as const, 'info'),
    logFormat: choice(raw, 'log-format', ['json', 'logfmt'] as const, isTTY ? 'logfmt' : 'json'),
    decoder: choice(raw, 'decoder', ['native', 'ts'] as const, 'native'),
    progress: choice(raw, 'progress', ['auto', 'on', 'off'] as const, 'auto'),
  };
}

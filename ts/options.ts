// Command-line option parsing shared by the subcommands (ts/cli/) and the daemon's configuration
// (ts/daemon/config.ts), with errors that name the option and what it received.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  /** Takes a value (`--port 5`, `--port=5`) or is a boolean flag. */
  readonly value: boolean;
}

/**
 * Parses `--name value`, `--name=value` and boolean `--flag`s against a spec; the rest are
 * positionals. Unknown options are a UsageError naming them.
 */
export function parseArgs(
  argv: string[],
  spec: Record<string, OptionSpec>,
): { opts: Map<string, string | true>; positionals: string[] } {
  const opts = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a.length === 2) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const s = spec[name];
    if (!s) throw new UsageError(`Unknown option --${name}`);
    if (!s.value) {
      if (eq >= 0) throw new UsageError(`Option --${name} takes no value but received "${a.slice(eq + 1)}"`);
      opts.set(name, true);
      continue;
    }
    let v: string | undefined;
    if (eq >= 0) v = a.slice(eq + 1);
    else if (i + 1 < argv.length) v = argv[++i];
    if (v === undefined) throw new UsageError(`Expected a value for --${name}`);
    opts.set(name, v);
  }
  return { opts, positionals };
}

/** An integer option within [min, max], with sharp-style messages. */
export function intOption(
  opts: Map<string, string | true>,
  name: string,
  def: number,
  min: number,
  max: number,
  what = 'an integer',
): number {
  const v = opts.get(name);
  if (v === undefined) return def;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`Expected ${what} between ${min} and ${max} for --${name} but received "${v}"`);
  }
  return n;
}

/**
 * Parses HOST:PORT (IPv6 as [addr]:port). `listen`: the address is one to bind, where port 0
 * asks the system for a free port (whoever binds it reports the one it got); a connect target
 * needs a real port.
 */
export function hostPortOption(value: string, name: string, opts: { listen?: boolean } = {}): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(value) ?? /^([^:[\]]+):(\d+)$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !((port >= 1 || (opts.listen === true && port === 0)) && port <= 65535)) {
    throw new UsageError(`Expected HOST:PORT with a port number between 1 and 65535 for --${name} but received "${value}"`);
  }
  return { host: m[1], port };
}

// Structured logs: one JSON object or logfmt line per event on stderr, filtered by level.
import type { LogFormat, LogLevel } from './config';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  readonly level: LogLevel;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` (e.g. {component: 'fpm'}) to every line. */
  child(fields: LogFields): Logger;
  enabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where a finished line (with its newline) goes; stderr by default. */
  write?: (line: string) => void;
  /** Clock for the `ts` field; injectable for tests. */
  now?: () => Date;
}

function logfmtValue(v: string | number | boolean | null): string {
  if (v === null) return 'null';
  if (typeof v !== 'string') return String(v);
  // logfmt quotes values with spaces, quotes, '=' or nothing at all.
  return v === '' || /[\s"=\\]/.test(v) ? JSON.stringify(v) : v;
}

export function createLogger(opts: LoggerOptions, base: LogFields = {}): Logger {
  const write = opts.write ?? ((line: string) => void process.stderr.write(line));
  const now = opts.now ?? (() => new Date());
  const min = LEVELS[opts.level];
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (LEVELS[level] < min) return;
    const rec: Record<string, string | number | boolean | null> = { ts: now().toISOString(), level, msg };
    for (const src of [base, fields]) {
      if (!src) continue;
      for (const [k, v] of Object.entries(src)) if (v !== undefined) rec[k] = v;
    }
    if (opts.format === 'json') {
      write(JSON.stringify(rec) + '\n');
    } else {
      write(Object.entries(rec).map(([k, v]) => `${k}=${logfmtValue(v)}`).join(' ') + '\n');
    }
  };
  return {
    level: opts.level,
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (f) => createLogger(opts, { ...base, ...f }),
    enabled: (l) => LEVELS[l] >= min,
  };
}

/** A logger that drops everything (library use and tests that do not look at logs). */
export const nullLogger: Logger = createLogger({ level: 'error', format: 'json', write: () => {} });

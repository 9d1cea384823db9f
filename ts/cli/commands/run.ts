// `fibpush run`: the daemon's command line: options, logger, progress line, signals.
import type { Command } from '../command';
import { parseArgs } from '../../options';
import { resolveConfig, runHelp, runOptionSpec, DaemonConfig } from '../../daemon/config';
import { createLogger, Logger } from '../../daemon/logger';
import { ProgressLine } from '../../daemon/progress';
import { Daemon, DataplaneFactory } from '../../daemon/daemon';
import { stopWithNpmParent } from '../parent';

/** The VPP dataplane, loaded only when asked for (the memory dataplane needs none of ts/vpp). */
export function vppDataplaneFactory(cfg: DaemonConfig): DataplaneFactory {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for --dataplane vpp
  const mod = require('../../daemon/vpp') as typeof import('../../daemon/vpp');
  return mod.vppDataplaneFactory(cfg);
}

/** Logger and progress line sharing stderr: on a terminal, log lines are written above the progress line. */
export function terminalOutput(cfg: DaemonConfig): { log: Logger; progress: ProgressLine } {
  const tty = Boolean(process.stderr.isTTY);
  const on = cfg.progress === 'on' || (cfg.progress === 'auto' && tty);
  const progress = new ProgressLine(process.stderr, on);
  const log = createLogger({
    level: cfg.logLevel,
    format: cfg.logFormat,
    write: on ? (l) => progress.writeAbove(l) : (l) => void process.stderr.write(l),
  });
  return { log, progress };
}

/** A start-up failure in words: the socket errors name the address and what to change. */
export function startFailure(e: NodeJS.ErrnoException & { address?: string; port?: number }): string {
  const where = e.address !== undefined ? `${e.address}${e.port !== undefined ? `:${e.port}` : ''}` : '';
  switch (e.code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where || 'the address'}: it is already in use (another fibpush or FPM server?); stop it or pick another address with --listen or --metrics`;
    case 'EACCES':
      return `cannot listen on ${where || 'the address'}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where || 'the address'}: no interface of this host (or network namespace) has that address`;
    default:
      return `could not start: ${e.message}`;
  }
}

export const command: Command = {
  summary: 'run the daemon: zebra FPM in, VPP (or the memory dataplane) out',
  help: runHelp(),
  async run(argv: string[]): Promise<number> {
    const { opts, positionals } = parseArgs(argv, runOptionSpec());
    const cfg = resolveConfig(opts, positionals);
    const { log, progress } = terminalOutput(cfg);
    let daemon: Daemon;
    try {
      daemon = await Daemon.start({
        config: cfg,
        log,
        progress,
        dataplane: cfg.dataplane === 'vpp' ? vppDataplaneFactory(cfg) : undefined,
      });
    } catch (e) {
      log.error('fibpush could not start', { error: (e as Error).message });
      // The log may be JSON for a collector; say it plainly too, as the last line a person sees.
      process.stderr.write(`fibpush run: ${startFailure(e as NodeJS.ErrnoException)}\n`);
      return 1;
    }
    return new Promise<number>((resolve) => {
      let stopping = false;
      const stop = (sig: NodeJS.Signals) => {
        if (stopping) {
          log.warn('second signal: exiting now', { signal: sig });
          resolve(1);
          return;
        }
        stopping = true;
        log.info('stopping', { signal: sig });
        daemon.close().then(
          () => resolve(0),
          (e: Error) => {
            log.error('shutdown failed', { error: e.message });
            resolve(1);
          },
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      stopWithNpmParent(() => {
        log.warn('the npm process that started fibpush is gone (npx/npm run do not pass SIGTERM on): stopping');
        stop('SIGTERM');
      });
    });
  },
};

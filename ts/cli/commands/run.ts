// `fibpush run`: the daemon's command line: options, logger, progress line, signals.
import { Command, parseArgs } from '../command';
import { resolveConfig, runHelp, runOptionSpec, DaemonConfig } from '../../daemon/config';
import { createLogger, Logger } from '../../daemon/logger';
import { ProgressLine } from '../../daemon/progress';
import { Daemon, DataplaneFactory } from '../../daemon/daemon';

/** The VPP dataplane, loaded only when asked for (the memory dataplane needs none of ts/vpp). */
export function vppDataplaneFactory(cfg: DaemonConfig): DataplaneFactory {
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
    });
  },
};

// `fibpush status`: asks a running daemon over its control socket and prints JSON or a readable summary.
import * as net from 'net';
import type { Command } from '../command';
import { UsageError, intOption, parseArgs } from '../../options';
import { defaultControlPath } from '../../daemon/config';
import { controlRequest, ControlError } from '../../daemon/control';
import { formatStatus, StatusReport } from '../../daemon/status';
import { formatLookup, LookupReply } from '../../daemon/lookup';

const SPEC = {
  control: { value: true },
  json: { value: false },
  lookup: { value: true },
  table: { value: true },
  timeout: { value: true },
};

const HELP = `Usage: fibpush status [options]

Prints the state of a running \`fibpush run\`: zebra connection, epoch, replay, routes per table,
nexthop groups, MACs, parked routes, queue depth per lane, dataplane in-flight and failures, counters.

Options:
  --control PATH   the daemon's control socket (default ${defaultControlPath()})
  --json           one JSON object instead of the summary
  --lookup ADDR    also show how the dataplane forwards ADDR (longest-prefix match)
  --table N        the table for --lookup (default 254, main)
  --timeout MS     how long to wait for the daemon (default 5000)
  --help           this text

Exit status: 0 when the daemon answered, 1 when it could not be reached or an option is wrong.`;

export const command: Command = {
  summary: 'show the state of a running daemon (JSON with --json)',
  help: HELP,
  async run(argv: string[]): Promise<number> {
    const { opts, positionals } = parseArgs(argv, SPEC);
    if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}"`);
    const ctl = opts.get('control');
    const sock = typeof ctl === 'string' ? ctl : defaultControlPath();
    const timeout = intOption(opts, 'timeout', 5000, 1, 600_000, 'a duration in milliseconds');
    const table = intOption(opts, 'table', 254, 0, 0xffffffff, 'a table id');
    const lookup = opts.get('lookup');
    if (lookup === true) throw new UsageError('Expected an address for --lookup');
    // Checked here, before asking the daemon: a typo is a usage error (exit 1), not an answer.
    if (typeof lookup === 'string' && net.isIP(lookup) === 0) {
      throw new UsageError(`Expected an IPv4 or IPv6 address for --lookup but received "${lookup}"`);
    }
    const json = opts.get('json') === true;
    try {
      const status = (await controlRequest(sock, { cmd: 'status' }, timeout)) as StatusReport;
      let found: LookupReply | undefined;
      if (typeof lookup === 'string') {
        found = (await controlRequest(sock, { cmd: 'lookup', addr: lookup, table }, timeout)) as LookupReply;
      }
      if (json) {
        process.stdout.write(JSON.stringify(found ? { ...status, lookup: found } : status) + '\n');
      } else {
        process.stdout.write(formatStatus(status) + '\n');
        if (found) process.stdout.write(formatLookup(found) + '\n');
      }
      return 0;
    } catch (e) {
      if (e instanceof ControlError) {
        process.stderr.write(`fibpush status: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  },
};

// The VPP simulator's process entry: parses flags, serves the API and control sockets, prints one "ready" line.
//
//   node dist/ts/vpp-sim/main.js --socket PATH [--control PATH] [--seed N] [--omit name_crc,...]
//        [--interfaces FILE | --interfaces-json JSON] [--id-mode module|message] [--no-padding]
//        [--delay-us N] [--json-dir DIR] [--verbose] [--exit-on-stdin-close]
import * as fs from 'fs';
import { VppSimServer, ServerOptions } from './server';
import { IfaceSpec } from './fib-types';

function usage(msg: string): never {
  process.stderr.write(`vpp-sim: ${msg}\n`);
  process.stderr.write(
    'usage: main.js --socket PATH [--control PATH] [--seed N] [--omit name_crc,...] [--interfaces FILE | --interfaces-json JSON]\n' +
      '               [--id-mode module|message] [--no-padding] [--delay-us N] [--json-dir DIR] [--verbose] [--exit-on-stdin-close]\n',
  );
  process.exit(2);
}

function num(flag: string, v: string | undefined, max: number): number {
  const n = Number(v);
  if (v === undefined || !/^\d+$/.test(v) || n > max) usage(`Expected an integer between 0 and ${max} for ${flag} but received ${JSON.stringify(v)}`);
  return n;
}

export function parseArgs(argv: string[]): ServerOptions & { exitOnStdinClose: boolean } {
  const o: ServerOptions & { exitOnStdinClose: boolean } = { socket: '', exitOnStdinClose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--socket':
        o.socket = val();
        break;
      case '--control':
        o.control = val();
        break;
      case '--seed':
        o.seed = num(a, val(), 0xffffffff);
        break;
      case '--omit':
        o.omit = val().split(',').filter(Boolean);
        break;
      case '--interfaces':
        o.interfaces = JSON.parse(fs.readFileSync(val(), 'utf8')) as IfaceSpec[];
        break;
      case '--interfaces-json':
        o.interfaces = JSON.parse(val()) as IfaceSpec[];
        break;
      case '--id-mode': {
        const v = val();
        if (v !== 'module' && v !== 'message') usage(`Expected module or message for --id-mode but received ${JSON.stringify(v)}`);
        o.idMode = v;
        break;
      }
      case '--no-padding':
        o.padding = false;
        break;
      case '--delay-us':
        o.delayUs = num(a, val(), 10_000_000);
        break;
      case '--json-dir':
        o.jsonDir = val();
        break;
      case '--verbose':
        o.verbose = true;
        break;
      case '--exit-on-stdin-close':
        o.exitOnStdinClose = true;
        break;
      default:
        usage(`unknown argument ${JSON.stringify(a)}`);
    }
  }
  if (!o.socket) usage('--socket PATH is required');
  return o;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const srv = new VppSimServer(o);
  await srv.listen();
  const stop = (): void => {
    void srv.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (o.exitOnStdinClose) {
    // The parent (a VppSimulator) holds our stdin: when it dies, we go too.
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.resume();
  }
  process.stdout.write(`ready ${JSON.stringify({ pid: process.pid, seed: srv.seed, socket: o.socket, control: o.control ?? null })}\n`);
}

if (require.main === module) {
  main().catch((e: Error) => {
    process.stderr.write(`vpp-sim: ${e.stack ?? e.message}\n`);
    process.exit(1);
  });
}

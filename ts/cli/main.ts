// `fibpush` entry point: dispatches to the subcommands in ts/cli/commands/.
import * as fs from 'fs';
import * as path from 'path';
import type { Command } from './command';
import { UsageError } from '../options';
import { REPO_ROOT } from '../paths';

type CommandModule = { command: Command };
// Loaded lazily so `fibpush decode` does not pay for the daemon's modules. Synchronous require on
// purpose: import() would make the command table (and --help) asynchronous for nothing.
/* eslint-disable @typescript-eslint/no-require-imports */
const COMMANDS: Record<string, () => Command> = {
  decode: () => (require('./commands/decode') as CommandModule).command,
  record: () => (require('./commands/record') as CommandModule).command,
  replay: () => (require('./commands/replay') as CommandModule).command,
  run: () => (require('./commands/run') as CommandModule).command,
  status: () => (require('./commands/status') as CommandModule).command,
  demo: () => (require('./commands/demo') as CommandModule).command,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The version in the package.json fibpush runs from (a checkout or an installed package). */
export function version(): string {
  const file = path.join(REPO_ROOT, 'package.json');
  try {
    const v = (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: unknown }).version;
    if (typeof v === 'string') return v;
    throw new Error('no "version" string');
  } catch (e) {
    throw new Error(`cannot read fibpush's version from ${file}: ${(e as Error).message}`);
  }
}

function topHelp(): string {
  const lines = [
    'fibpush: FIB-offload sidecar for FRRouting (zebra FPM in, VPP binary API out)',
    '',
    'Usage: fibpush <command> [options]',
    '',
    'Commands:',
  ];
  for (const [name, load] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${load().summary}`);
  lines.push('', 'Run `fibpush <command> --help` for its options; `fibpush --version` prints the version.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(topHelp() + '\n');
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`fibpush ${version()}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`fibpush: unknown command "${name}"\n\n${topHelp()}\n`);
    return 1;
  }
  const cmd = load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.help + '\n');
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`fibpush ${name}: ${e.message}\n(see fibpush ${name} --help)\n`);
      return 1;
    }
    throw e;
  }
}


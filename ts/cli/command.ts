// The shape of a fibpush subcommand (their option parser is ts/options.ts, shared with the daemon's configuration).

export interface Command {
  /** One line for `fibpush --help`. */
  readonly summary: string;
  /** Full help text for `fibpush CMD --help`. */
  readonly help: string;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

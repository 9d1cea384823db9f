// What adoption logs through: the daemon hands in its logger (ts/daemon/logger.ts), which has this
// shape; declared here so ts/vpp does not import from the daemon above it.
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
}

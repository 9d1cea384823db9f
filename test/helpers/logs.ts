// Collects a child's JSON-line logs (fibpush run --log-format json) from its stderr, line by line.
import type { Readable } from 'stream';

export type LogLine = Record<string, unknown>;

/** Appends every line written to `stream` to `into`: parsed JSON, or `onText(line)` for other text. */
export function collectJsonLogs(
  stream: Readable,
  into: LogLine[],
  onText: (line: string) => LogLine = (line) => ({ msg: line }),
): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (s: string) => {
    buf += s;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        into.push(JSON.parse(line) as LogLine);
      } catch {
        into.push(onText(line));
      }
    }
  });
}

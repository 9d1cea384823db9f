// The sync progress line: one line on a terminal, redrawn in place, that log lines step around.

export interface ProgressSample {
  /** Routes received from zebra in this sync. */
  received: number;
  /** Routes the dataplane answered for in this sync. */
  programmed: number;
  /** True once zebra's replay has ended (marker or quiet period): `received` is then final. */
  replayEnded: boolean;
}

export interface TtyStream {
  write(s: string): boolean;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * 1,234,567. Not toLocaleString: its first call loads ICU's locale data (~30 ms), which fell on
 * the "synced" line at the end of a restart's reconcile.
 */
export function fmtCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const r = Math.round(n);
  const s = String(Math.abs(r));
  if (s.length <= 3 || s.includes('e')) return String(r);
  let out = s.slice(0, ((s.length - 1) % 3) + 1);
  for (let i = out.length; i < s.length; i += 3) out += ',' + s.slice(i, i + 3);
  return r < 0 ? '-' + out : out;
}

export function fmtRate(perSec: number): string {
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(2)}M/s`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)}k/s`;
  return `${Math.round(perSec)}/s`;
}

export function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 120) return `${Math.round(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

/** The text of the line: received, programmed, rate, ETA. Exported for tests. */
export function progressText(s: ProgressSample, ratePerSec: number): string {
  const pct = s.received > 0 ? Math.min(100, Math.floor((100 * s.programmed) / s.received)) : 0;
  const left = Math.max(0, s.received - s.programmed);
  // Before anything arrived there is nothing to estimate.
  const eta = s.received === 0 ? Infinity : left === 0 ? 0 : ratePerSec > 0 ? left / ratePerSec : Infinity;
  return (
    `sync: received ${fmtCount(s.received)}${s.replayEnded ? '' : '+'} routes, ` +
    `programmed ${fmtCount(s.programmed)} (${pct}%), ${fmtRate(ratePerSec)}, ETA ${fmtDuration(eta)}`
  );
}

/**
 * Owns the terminal's last line. On a TTY it redraws every `intervalMs`; log lines written through
 * `writeAbove` clear the line first and redraw it after, so the two never interleave. Off a TTY it
 * writes nothing of its own (logs carry the same facts).
 */
export class ProgressLine {
  private timer: NodeJS.Timeout | null = null;
  private shown = '';
  private read: (() => ProgressSample) | null = null;
  private lastT = 0;
  private lastProgrammed = 0;
  private rate = 0;

  constructor(
    private readonly out: TtyStream,
    readonly enabled: boolean,
    private readonly intervalMs = 200,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Starts showing a sync; `read` is polled at each redraw. */
  start(read: () => ProgressSample): void {
    if (!this.enabled) return;
    this.read = read;
    this.lastT = this.now();
    this.lastProgrammed = read().programmed;
    this.rate = 0;
    if (!this.timer) {
      this.timer = setInterval(() => this.redraw(), this.intervalMs);
      this.timer.unref();
    }
    this.redraw();
  }

  /** Ends the sync: the line is replaced by `final` (kept on screen) or erased. */
  stop(final?: string): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.read = null;
    if (!this.enabled) return;
    this.erase();
    if (final) this.out.write(final + '\n');
  }

  get active(): boolean {
    return this.read !== null;
  }

  /** Writes a finished line (a log record) above the progress line. */
  writeAbove(line: string): void {
    if (!this.shown) {
      this.out.write(line);
      return;
    }
    this.out.write('\r\x1b[K' + line + this.shown);
  }

  /** Takes the line off the screen until the next redraw (before writing to stdout on the same terminal). */
  clear(): void {
    if (this.enabled) this.erase();
  }

  private erase(): void {
    if (this.shown) this.out.write('\r\x1b[K');
    this.shown = '';
  }

  redraw(): void {
    if (!this.read) return;
    const s = this.read();
    const t = this.now();
    const dt = (t - this.lastT) / 1000;
    if (dt >= 0.5) {
      const inst = (s.programmed - this.lastProgrammed) / dt;
      // Smoothed so the ETA does not jump with every slice of the dataplane.
      this.rate = this.rate === 0 ? inst : 0.6 * this.rate + 0.4 * inst;
      this.lastT = t;
      this.lastProgrammed = s.programmed;
    }
    let text = progressText(s, this.rate);
    const cols = this.out.columns ?? 0;
    if (cols > 1 && text.length >= cols) text = text.slice(0, cols - 1);
    this.shown = text;
    this.out.write('\r\x1b[K' + text);
  }
}

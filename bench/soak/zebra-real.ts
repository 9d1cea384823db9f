// A real zebra as the soak's zebra (placeholder until written below).
import type { SoakOptions } from './options';
export async function realEnv(_o: SoakOptions, _dir: string, _logFile: string, _t0: number, _progress: (s: string) => void): Promise<never> {
  throw new RangeError('--zebra real: not written yet');
}

// A real VPP for the benches and the real-VPP tests: started in its own directory through tools/vpp/run.sh, stopped by pid.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../ts/paths';

/** Two loopbacks (sw_if_index 1 and 2, up) with the links of the default next hops 10.0.0.2@1, 10.0.1.2@2, fd00:0:0:1::2@1. */
export const TWO_LOOPS: readonly string[] = [
  'create loopback interface',
  'create loopback interface',
  'set interface ip address loop0 10.0.0.1/24',
  'set interface ip address loop1 10.0.1.1/24',
  'set interface ip address loop0 fd00:0:0:1::1/64',
  'set interface ip address loop1 fd00:0:0:2::1/64',
  'set interface state loop0 up',
  'set interface state loop1 up',
];

export interface VppRunOptions {
  /** The vpp binary (default: tools/vpp/run.sh's choice: FIBPUSH_VPP_BIN, vpp on PATH, the build cache). */
  bin?: string;
  /** Microseconds VPP sleeps between polls (0: it polls a core, as in production; tests use 100). */
  pollSleepUs?: number;
  heap?: string;
}

/**
 * Starts VPP in `dir` (api.sock, cli.sock, vpp.pid there) with `setup` as its CLI set-up, after
 * stopping one a previous run left there; returns its pid once its API answers.
 */
export function startVpp(dir: string, setup: readonly string[], o: VppRunOptions = {}): number {
  fs.mkdirSync(dir, { recursive: true });
  const pidFile = path.join(dir, 'vpp.pid');
  if (fs.existsSync(pidFile)) stopVpp(Number(fs.readFileSync(pidFile, 'utf8')));
  const cli = path.join(dir, 'setup.cli');
  fs.writeFileSync(cli, setup.join('\n') + '\n');
  const env: NodeJS.ProcessEnv = { ...process.env, VPP_POLL_SLEEP: String(o.pollSleepUs ?? 0) };
  if (o.bin) env.VPP_BIN = o.bin;
  if (o.heap) env.VPP_HEAP = o.heap;
  execFileSync('bash', [path.join(REPO_ROOT, 'tools', 'vpp', 'run.sh'), dir, cli], { env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  return Number(fs.readFileSync(pidFile, 'utf8'));
}

/** Kills VPP (its state is lost) and waits until it is gone. */
export function stopVpp(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    execFileSync('sleep', ['0.02']);
  }
}

// Stop with the npm process that started us.
//
// `npx fibpush run` and `npm run ...` start the bin as `sh -c 'fibpush' run ...`
// (@npmcli/run-script). npm forwards SIGINT/SIGTERM to that shell only, and a non-interactive
// dash dies on SIGTERM without passing it to its foreground child: the daemon would go on running,
// reparented to init, still holding the FPM port. So when npm started this process (npm sets
// npm_command in its children's environment), the parent going away is taken as the stop signal.
// A process started any other way (systemd, a shell, nohup) is left alone: outliving the shell
// that started it is what `nohup fibpush run &` asks for.

/** How often the parent is checked; process.ppid asks the kernel (uv_os_getppid) on every read. */
const POLL_MS = 500;

/**
 * Calls `onOrphaned` once when the parent that npm started us under exits. Returns a function
 * that stops watching. Does nothing when npm did not start this process.
 */
export function stopWithNpmParent(onOrphaned: () => void, env: NodeJS.ProcessEnv = process.env): () => void {
  if (!env.npm_command) return () => undefined;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onOrphaned();
  }, POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

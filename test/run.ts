// `npm test`'s runner: loads the compiled suites as uvu's CLI does, runs them with uvu's own
// per-suite runner, and ends with one summary that counts skipped tests as skipped, with reasons.
//
//   node dist/test/run.js [PATTERN]     PATTERN: a regex on file names under dist/test (default \.test\.js$)
//
// Exit status 1 when any test failed, a suite's hook threw, a file failed to load, or the event
// loop ran dry before every suite finished.
import { setCurrentTestFile, skipRecords } from './helpers/skip';

/** What uvu's runner (node_modules/uvu/dist/index.js `runner`) resolves to for one suite. */
type SuiteResult = [errors: string | true, passed: number, skipped: number, total: number];
type QueueEntry = [string | null, ...(() => Promise<SuiteResult>)[]];

interface UvuGlobals {
  UVU_DEFER?: number;
  UVU_QUEUE?: QueueEntry[];
  UVU_INDEX?: number;
}

async function main(): Promise<number> {
  const pattern = process.argv[2] ?? '\\.test\\.js$';
  const dir = __dirname;
  // eslint-disable-next-line @typescript-eslint/no-require-imports, @typescript-eslint/unbound-method -- uvu/parse is CommonJS-only; parse uses no `this`
  const { parse } = require('uvu/parse') as {
    parse(dir: string, pattern: string, opts: object): Promise<{ suites: { name: string; file: string }[] }>;
  };
  // Only compiled test files, whatever the pattern (not their source maps, not helpers).
  const suites = (await parse(dir, pattern, {})).suites.filter((s) => /\.test\.js$/.test(s.name));
  if (suites.length === 0) {
    process.stderr.write(`test/run: no test file under ${dir} matches /${pattern}/\n`);
    return 1;
  }

  const g = globalThis as UvuGlobals;
  g.UVU_DEFER = 1; // suites queue themselves on test.run() instead of running at once
  g.UVU_QUEUE = [];
  const loadErrors: string[] = [];
  suites.forEach((s, idx) => {
    g.UVU_QUEUE!.push([s.name]);
    g.UVU_INDEX = idx; // test.run() queues the suite in UVU_QUEUE[UVU_INDEX]
    setCurrentTestFile(s.name);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads each suite by path, as uvu's own runner does
      require(s.file);
    } catch (e) {
      loadErrors.push(`${s.name}: ${(e as Error).stack ?? String(e)}`);
    }
  });

  const started = process.hrtime.bigint();
  let passed = 0;
  let failed = 0;
  let uvuSkipped = 0;
  const failures: string[] = [];
  for (const group of g.UVU_QUEUE) {
    const file = group.shift() as string;
    process.stdout.write(`\n${file}\n`);
    for (const run of group as (() => Promise<SuiteResult>)[]) {
      const [errors, ok, skipped, total] = await run();
      passed += ok;
      uvuSkipped += skipped;
      failed += total - ok;
      if (errors !== true) {
        process.stdout.write(`\n${errors}\n`);
        failures.push(file);
      } else if (ok < total) {
        // uvu's runner returns from `finally`, so a throwing before/after hook reports no error
        // text, only fewer passes than tests: that is a failure too.
        process.stdout.write(`\n  FAIL ${file}: ${total - ok} of ${total} tests did not run (a before/after hook threw?)\n`);
        failures.push(file);
      }
    }
  }
  finished = true;

  const skips = skipRecords();
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  const out: string[] = [''];
  if (skips.length > 0) {
    out.push('Skipped:');
    const byReason = new Map<string, { file: string; n: number }>();
    for (const s of skips) {
      const k = `${s.file}\0${s.reason}`;
      const e = byReason.get(k);
      if (e) e.n++;
      else byReason.set(k, { file: s.file, n: 1 });
    }
    for (const [k, { file, n }] of byReason) out.push(`  ${file}: ${n} test${n === 1 ? '' : 's'}: ${k.split('\0')[1]}`);
  }
  for (const l of loadErrors) out.push(`LOAD ERROR ${l}`);
  if (uvuSkipped !== skips.length) {
    out.push(`(uvu counted ${uvuSkipped} skipped; ${uvuSkipped - skips.length} of them were test.skip calls without a recorded reason)`);
  }
  const files = new Set(failures);
  out.push(
    `${passed} passed, ${failed} failed, ${Math.max(uvuSkipped, skips.length)} skipped` +
      ` (${suites.length} files, ${secs.toFixed(1)} s)` +
      (files.size > 0 ? `; failing: ${[...files].join(', ')}` : ''),
  );
  process.stdout.write(out.join('\n') + '\n');
  return failed > 0 || loadErrors.length > 0 ? 1 : 0;
}

let finished = false;
process.on('exit', (code) => {
  if (!finished) {
    process.stderr.write('test/run: the event loop emptied before every suite finished (a test awaited something that never settles)\n');
    process.exitCode = code || 1;
  }
});

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`test/run: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  },
);

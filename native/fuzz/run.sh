#!/usr/bin/env bash
# Builds the libFuzzer harness for native/fpm_decode.h and runs it: run.sh [SECONDS] (default 60).
# Output: native/fuzz/out/ (binary, log, crash artifacts); corpus: native/fuzz/corpus-run/ (both gitignored).
# Exit status: 0 = no crash; non-zero = a crash/leak/invariant failure (artifact in out/), or no clang.
set -uo pipefail
secs="${1:-60}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$here/out"
corpus="$here/corpus-run"
fixtures="${FPM_FIXTURES:-$root/test/fixtures/frr-8.4}"
cxx="${CXX_FUZZ:-clang++}"

if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "fuzz: $cxx not found. Install clang and libclang-rt-14-dev (Debian: apt-get install clang libclang-rt-14-dev)." >&2
  exit 127
fi
mkdir -p "$out" "$corpus"

# -O1 -g: libFuzzer's recommendation for sanitizer builds; UBSan aborts on the first report.
if ! "$cxx" -std=c++17 -g -O1 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -I"$root/native" "$here/fuzz_decode.cc" -o "$out/fuzz_decode"; then
  echo "fuzz: build failed (is libclang-rt-14-dev installed?)" >&2
  exit 2
fi

if [ -d "$fixtures" ]; then
  node "$here/seed.js" "$fixtures" "$corpus"
else
  echo "fuzz: no fixtures at $fixtures; starting from the corpus as it is" >&2
fi

log="$out/last-run.log"
"$out/fuzz_decode" -max_total_time="$secs" -max_len=8192 -timeout=10 -print_final_stats=1 \
  -dict="$here/fpm.dict" -artifact_prefix="$out/" "$corpus" >"$log" 2>&1
rc=$?
execs="$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)"
grep -E '^#[0-9]+ +DONE|cov:|SUMMARY|ERROR|Test unit written' "$log" | tail -n 5
echo "fuzz: executions ${execs:-0} in ${secs}s, exit status $rc (log: $log)"
exit "$rc"

#!/usr/bin/env bash
# Fuzz smoke test of the packet decoder: builds tests/fuzz's libFuzzer target with Clang in its
# own build directory (build-fuzz; the normal build uses GCC, which has no libFuzzer) and fuzzes
# it for a short while, starting from the committed seeds in tests/fuzz/corpus/packet_decoder/.
# Exits non-zero when the fuzzer finds a crash (the input is kept under build-fuzz/ to replay
# it); prints that it skipped and exits 0 when clang++ is not installed.
#
#   scripts/fuzz-smoke.sh            # 20 seconds
#   FUZZ_SECONDS=300 scripts/fuzz-smoke.sh
set -euo pipefail

cd "$(dirname "$0")/.."
build_dir=build-fuzz
seconds=${FUZZ_SECONDS:-20}
seeds=tests/fuzz/corpus/packet_decoder

if ! command -v clang++ >/dev/null 2>&1 || ! command -v clang >/dev/null 2>&1; then
  echo "fuzz-smoke: clang/clang++ not found, skipped"
  exit 0
fi

echo "fuzz-smoke: configuring $build_dir with $(clang++ --version | head -n 1)"
CC=clang CXX=clang++ cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMESHLB_BUILD_TESTS=ON -DMESHLB_BUILD_BENCH=OFF >/dev/null
echo "fuzz-smoke: building packet_decoder_fuzz"
cmake --build "$build_dir" -j "$(nproc)" --target packet_decoder_fuzz >/dev/null

# libFuzzer adds what it finds to the first corpus directory: give it a scratch one, so the
# committed seeds (the second, read-only here) stay as they are.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$build_dir/fuzz-artifacts"
log="$build_dir/packet_decoder_fuzz.log"

echo "fuzz-smoke: fuzzing the packet decoder for ${seconds}s from $(ls "$seeds" | wc -l) seeds in $seeds"
status=0
"$build_dir/tests/fuzz/packet_decoder_fuzz" "$work/corpus" "$seeds" \
  -max_total_time="$seconds" -print_final_stats=1 \
  -artifact_prefix="$build_dir/fuzz-artifacts/" >"$log" 2>&1 || status=$?

# The last status line (runs, coverage, corpus, exec/s) and the final stats.
grep -E '^#[0-9]+' "$log" | tail -n 1 || true
grep -E '^(Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' \
  "$log" || true
if [[ $status -ne 0 ]]; then
  echo "fuzz-smoke: FAILED (exit $status); full log in $log:" >&2
  grep -E -A 30 'ERROR:|runtime error|deadly signal' "$log" | head -n 60 >&2 || true
  ls "$build_dir/fuzz-artifacts/" >&2 || true
  exit "$status"
fi
echo "fuzz-smoke: no crash; $(ls "$work/corpus" | wc -l) new corpus inputs (discarded)"

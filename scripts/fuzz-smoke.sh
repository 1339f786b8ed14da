#!/usr/bin/env bash
# Fuzz smoke test (CI) and `make fuzz`: builds tests/fuzz's libFuzzer targets with Clang in
# their own build directory (build-fuzz; the normal build uses GCC, which has no libFuzzer) and
# fuzzes each for FUZZ_SECONDS, one after the other, starting from its committed seeds in
# tests/fuzz/corpus/<name>/.
# Exits non-zero when a fuzzer finds a crash (the input is kept under build-fuzz/fuzz-artifacts/
# to replay it: build-fuzz/tests/fuzz/<target> <file>); prints that it skipped and exits 0 when
# clang++ is not installed.
#
#   scripts/fuzz-smoke.sh                        # every target, 30 seconds each
#   FUZZ_SECONDS=300 scripts/fuzz-smoke.sh
#   scripts/fuzz-smoke.sh config_loader_fuzz     # only the named targets
#   FUZZ_JOBS=1 nice -n 19 scripts/fuzz-smoke.sh # a gentler build on a shared machine
#   FUZZ_RUNS=10000000 scripts/fuzz-smoke.sh     # stop each after this many executions instead
#                                                #   (FUZZ_SECONDS still bounds it; default 1 day)
#   FUZZ_CORPUS_DIR=build-fuzz/corpus scripts/fuzz-smoke.sh
#                                                # keep what the fuzzer adds in DIR/<target>/, so
#                                                #   a long campaign can stop and go on from there
set -euo pipefail

cd "$(dirname "$0")/.."
build_dir=build-fuzz
runs=${FUZZ_RUNS:-}
if [[ -n $runs ]]; then
  seconds=${FUZZ_SECONDS:-86400}
else
  seconds=${FUZZ_SECONDS:-30}
fi
# A single input running this long is reported as a hang (libFuzzer's -timeout, wall clock).
timeout_s=${FUZZ_TIMEOUT:-25}
all_targets=(
  packet_decoder_fuzz
  http_request_codec_fuzz
  http_response_codec_fuzz
  config_loader_fuzz
  alert_rule_parser_fuzz
  admin_request_fuzz
)
if [[ $# -gt 0 ]]; then
  targets=("$@")
else
  targets=("${all_targets[@]}")
fi

if ! command -v clang++ >/dev/null 2>&1 || ! command -v clang >/dev/null 2>&1; then
  echo "fuzz-smoke: clang/clang++ not found, skipped"
  exit 0
fi

# Every object of this build directory gets the fuzzer's coverage instrumentation and the
# sanitizers (the libraries the targets link included, llhttp too); the fuzz executables add
# -fsanitize=fuzzer themselves (tests/fuzz/CMakeLists.txt), the others link the sanitizers'
# runtimes so that the whole tree still builds here.
instrument="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
instrument+=" -fno-omit-frame-pointer"
echo "fuzz-smoke: configuring $build_dir with $(clang++ --version | head -n 1)"
CC=clang CXX=clang++ cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMESHLB_BUILD_TESTS=ON -DMESHLB_BUILD_BENCH=OFF \
  -DCMAKE_C_FLAGS="$instrument" -DCMAKE_CXX_FLAGS="$instrument" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
echo "fuzz-smoke: building ${targets[*]}"
cmake --build "$build_dir" -j "${FUZZ_JOBS:-$(nproc)}" --target "${targets[@]}" >/dev/null

# libFuzzer adds what it finds to the first corpus directory: give it a scratch one, so the
# committed seeds (the second, read-only here) stay as they are.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$build_dir/fuzz-artifacts"

failed=()
for target in "${targets[@]}"; do
  seeds=tests/fuzz/corpus/${target%_fuzz}
  dict=tests/fuzz/${target%_fuzz}.dict
  log="$build_dir/$target.log"
  corpus="$work/$target"
  if [[ -n ${FUZZ_CORPUS_DIR:-} ]]; then
    corpus="$FUZZ_CORPUS_DIR/$target"
  fi
  mkdir -p "$corpus"
  options=(-max_total_time="$seconds" -timeout="$timeout_s" -print_final_stats=1
           -artifact_prefix="$build_dir/fuzz-artifacts/$target-")
  if [[ -f $dict ]]; then
    options+=(-dict="$dict")
  fi
  budget="${seconds}s"
  if [[ -n $runs ]]; then
    options+=(-runs="$runs")
    budget="$runs executions (at most ${seconds}s)"
  fi
  echo "fuzz-smoke: $target for $budget from $(ls "$seeds" | wc -l) seeds in $seeds"
  status=0
  "$build_dir/tests/fuzz/$target" "$corpus" "$seeds" "${options[@]}" >"$log" 2>&1 ||
    status=$?

  # The last status line (runs, coverage, corpus, exec/s) and the final stats.
  grep -a -E '^#[0-9]+' "$log" | tail -n 1 || true
  grep -a -E '^(Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' \
    "$log" || true
  if [[ $status -ne 0 ]]; then
    echo "fuzz-smoke: $target FAILED (exit $status); full log in $log:" >&2
    pattern='ERROR:|runtime error|terminate called|deadly signal|invariant violated'
    grep -a -E -A 30 "$pattern" "$log" | head -n 60 >&2 || true
    for artifact in "$build_dir/fuzz-artifacts/$target-"*; do
      if [[ -e $artifact ]]; then
        echo "$artifact" >&2
      fi
    done
    failed+=("$target")
    continue
  fi
  if [[ -n ${FUZZ_CORPUS_DIR:-} ]]; then
    echo "fuzz-smoke: $target: no crash; $(ls "$corpus" | wc -l) corpus inputs kept in $corpus"
  else
    echo "fuzz-smoke: $target: no crash; $(ls "$corpus" | wc -l) new corpus inputs (discarded)"
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz-smoke: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz-smoke: all ${#targets[@]} targets ran without a crash"

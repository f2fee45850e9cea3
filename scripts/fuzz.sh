#!/usr/bin/env bash
# Bounded libFuzzer run of the typed-loss expression parser (issue 5), part of the test command.
#   bash scripts/fuzz.sh [SECONDS]     default 60
# Builds tests/fuzz/fuzz_expression with clang (ASan + UBSan + libFuzzer) in build/fuzz, fuzzes
# from a copy of tests/fuzz/corpus and fails on any crash, sanitizer report, leak or hang.
# Needs clang and libclang-rt-14-dev (scripts/setup.sh test installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
      -DNOETHER_BUILD_APP=OFF -DNOETHER_BUILD_BENCH=OFF >/dev/null
cmake --build build/fuzz --target fuzz_expression
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
cp tests/fuzz/corpus/* "$work/corpus/"
cd build/fuzz
echo "fuzz.sh: fuzzing the expression parser for ${seconds} s"
set +e
./tests/fuzz/fuzz_expression -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
    -max_len=4100 -print_final_stats=1 "$work/corpus" >"$work/log" 2>&1
status=$?
set -e
tail -n 25 "$work/log"
if [ "$status" -ne 0 ]; then
  echo "fuzz.sh: the fuzzer found a problem (exit $status); see the crash-/leak-/timeout- file in build/fuzz" >&2
  exit "$status"
fi
echo "fuzz.sh: no crash, sanitizer report, leak or hang in ${seconds} s"

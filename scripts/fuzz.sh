#!/usr/bin/env bash
# Bounded libFuzzer runs, part of the test command:
#   bash scripts/fuzz.sh [SECONDS]     default 100, the whole budget, split across the targets
# The typed-loss expression parser (issue 5) gets 40 % of it; the scene loader, the scene-link
# decoder and the CLI's option parser (issue 18) 20 % each. Builds the targets with clang
# (ASan + UBSan + libFuzzer; the engine and noether_io instrumented for coverage) in build/fuzz,
# fuzzes each from a copy of its corpus and fails on any crash, sanitizer report, leak or hang.
# Needs clang and libclang-rt-14-dev (scripts/setup.sh test installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-100}
src=$PWD
# -O1 with line tables: a third less compile time than RelWithDebInfo (-O2 -g), the same
# symbolised sanitizer reports. Only the engine files the targets link are compiled
# (NOETHER_CORE_FUZZ_SUBSET, core/CMakeLists.txt).
cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
      -DCMAKE_CXX_FLAGS_RELEASE="-O1 -gline-tables-only -DNDEBUG" \
      -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
      -DNOETHER_BUILD_APP=ON -DNOETHER_BUILD_BENCH=OFF -DNOETHER_BUILD_PYTHON=OFF \
      -DNOETHER_CORE_FUZZ_SUBSET=ON >/dev/null
cmake --build build/fuzz --target fuzz_expression fuzz_scene fuzz_scene_link fuzz_cli_args
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LSAN_OPTIONS="suppressions=$src/tests/lsan.supp"
share() { echo $(( seconds * $1 / 100 > 5 ? seconds * $1 / 100 : 5 )); }
run() {  # target corpus-dir seconds max_len
  local target=$1 corpus=$2 t=$3 max_len=$4
  mkdir -p "$work/$target"
  cp "$src/tests/fuzz/$corpus"/* "$work/$target/"
  echo "fuzz.sh: fuzzing $target for ${t} s"
  set +e
  (cd build/fuzz && ./tests/fuzz/"$target" -max_total_time="$t" -timeout=10 -rss_limit_mb=4096 \
      -max_len="$max_len" -print_final_stats=1 "$work/$target" >"$work/$target.log" 2>&1)
  local status=$?
  set -e
  tail -n 12 "$work/$target.log"
  if [ "$status" -ne 0 ]; then
    echo "fuzz.sh: $target found a problem (exit $status); see the crash-/leak-/timeout- file in build/fuzz" >&2
    exit "$status"
  fi
}
run fuzz_expression corpus "$(share 40)" 4100
run fuzz_scene corpus_scene "$(share 20)" 8192
run fuzz_scene_link corpus_link "$(share 20)" 8192
run fuzz_cli_args corpus_cli "$(share 20)" 1024
echo "fuzz.sh: no crash, sanitizer report, leak or hang in ${seconds} s"

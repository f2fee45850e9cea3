#!/usr/bin/env bash
# Start-up to first frame of noetherlab (issue 17): N launches against one running X server
# (Xvfb, Mesa llvmpipe), each timed from just before exec (NOETHER_LAUNCH_NS) to the moment the
# last view put the first run on screen; prints every run's breakdown of the median run and the
# median, min and max.
#   bash scripts/bench-startup.sh [N] [BUILD_DIR]      (default 10 build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10}
build=${2:-build/release}
app="$build/app/gui/noetherlab"
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
out=$(mktemp -d)
trap 'kill $xvfb 2>/dev/null; rm -rf "$out"' EXIT
sleep 1
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$out}
DISPLAY=$display "$app" --bench-startup >/dev/null 2>&1 || true   # warm the file cache and Mesa's shader cache
for i in $(seq "$n"); do
  DISPLAY=$display NOETHER_LAUNCH_NS=$(date +%s%N) "$app" --bench-startup >"$out/$i.txt" 2>/dev/null
done
for i in $(seq "$n"); do
  echo "$(awk '/^first frame/ {print $3}' "$out/$i.txt") $i"
done | sort -n >"$out/all"
median=$(awk -v n="$n" 'NR == int((n + 1) / 2) {print $2}' "$out/all")
cat "$out/$median.txt"
echo "$n launches: median $(awk -v n="$n" 'NR == int((n + 1) / 2) {print $1}' "$out/all") ms," \
     "min $(head -1 "$out/all" | cut -d' ' -f1), max $(tail -1 "$out/all" | cut -d' ' -f1)"

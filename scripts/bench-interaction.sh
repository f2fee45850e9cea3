#!/usr/bin/env bash
# Interaction latency in one run (issue #3): the app's own benchmark, then the same interaction
# in NumPy + Matplotlib, on the same machine, one after the other.
#   bash scripts/bench-interaction.sh [CHANGES] [BUILD_DIR]     (default 300, build/release)
# `noetherlab --bench-interaction N` opens the real main window under Xvfb (1600x1000, Mesa
# llvmpipe), drives N eta-slider changes through the real widget path and times each from the
# slider's valueChanged until every visible view has presented the new run's frame.
# bench/python/interaction_peer.py re-simulates the three models and redraws a four-panel
# Matplotlib figure (Agg) per change. Needs python3-numpy and python3-matplotlib (Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-300}
build=${2:-build/release}
app="$build/app/gui/noetherlab"
if [ ! -x "$app" ]; then
  cmake --preset release > /dev/null
  cmake --build --preset release --target noetherlab > /dev/null
fi
echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores," \
     "load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== noetherlab --bench-interaction $n (xvfb-run, 1600x1000x24)"
cpp=$(xvfb-run -a -s "-screen 0 1600x1000x24" "$app" --bench-interaction "$n" 2> /dev/null | grep -A1 '^interaction')
echo "$cpp"
peer_n=$(( n / 5 > 20 ? n / 5 : 20 ))
echo "== /usr/bin/python3 bench/python/interaction_peer.py $peer_n"
py=$(/usr/bin/python3 bench/python/interaction_peer.py "$peer_n" | grep -A1 '^interaction')
echo "$py"
/usr/bin/python3 - "$cpp" "$py" <<'PY'
import re, sys
def p(s, k): return float(re.search(k + r"=([0-9.]+)", s).group(1))
c, m = sys.argv[1], sys.argv[2]
print(f"== ratio (Matplotlib / NoetherLab): p50 {p(m,'p50')/p(c,'p50'):.1f}x, p95 {p(m,'p95')/p(c,'p95'):.1f}x")
PY

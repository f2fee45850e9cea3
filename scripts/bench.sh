#!/usr/bin/env bash
# Engine benchmarks in one run: builds Release, runs BM_HeavyBall2D (issue #2), BM_Sweep and the
# peak probe BM_PeakMulAdd (issue #6), then their Python + NumPy peers on the same machine, and
# prints the figures of docs/PERFORMANCE.md ("Engine" and "Regime sweep") as Markdown.
#   bash scripts/bench.sh [BUILD_DIR]          (default build/bench)
# Needs Debian's python3-numpy (apt-get install python3-numpy) for the peers.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/bench}
py=/usr/bin/python3

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNOETHER_BUILD_APP=OFF \
      -DNOETHER_BUILD_TESTS=OFF -DNOETHER_BUILD_BENCH=ON > /dev/null
ninja -C "$build" noether_bench > /dev/null
if ! "$py" -c 'import numpy' 2> /dev/null; then
  echo "bench.sh: $py has no NumPy; install python3-numpy" >&2
  exit 2
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores," \
     "SIMD: $(grep -o 'avx2\|fma\|avx512f' /proc/cpuinfo | sort -u | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "== C++ benchmarks" >&2
"$build/bench/noether_bench" --benchmark_filter='^BM_(HeavyBall2D|Sweep|PeakMulAdd)' \
  --benchmark_repetitions=5 \
  --benchmark_out="$out/bench.json" --benchmark_out_format=json >&2
# The NumPy peers run with the OpenBLAS tuning variables of this environment unset.
echo "== Python + NumPy peers" >&2
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$py" bench/python/heavy_ball_peer.py --json \
  > "$out/heavy_ball_peer.json"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$py" bench/python/sweep_peer.py --json \
  > "$out/sweep_peer.json"

"$py" - "$out" <<'EOF'
import json, subprocess, sys
out = sys.argv[1]
bench = json.load(open(f"{out}/bench.json"))
hb_py = json.load(open(f"{out}/heavy_ball_peer.json"))
sw_py = json.load(open(f"{out}/sweep_peer.json"))
# Best of the repetitions (highest rate), as the peers report their best repeat: the machine is
# shared, and the best run is the one least disturbed.
med = {}
for b in bench["benchmarks"]:
    if b.get("run_type") == "iteration":
        name = b["run_name"]
        if name not in med or b["items_per_second"] > med[name]["items_per_second"]:
            med[name] = b

def get(prefix):
    for name, b in med.items():
        if name.startswith(prefix):
            return b
    raise SystemExit(f"bench.sh: no result for {prefix}")

ctx = bench["context"]
print(f"Measured {ctx['date']} on {ctx['num_cpus']} CPUs "
      f"({ctx.get('mhz_per_cpu', '?')} MHz nominal), load average {ctx.get('load_avg')}; "
      f"NumPy {hb_py['numpy']}. Best of 5 repetitions (C++) and of the peers' repeats (Python).")
print()
hb = get("BM_HeavyBall2D/")
c_rate = hb["items_per_second"]
ratio = c_rate / hb_py["steps_per_second"]
print("Engine (BM_HeavyBall2D, rotation_hat, SGD momentum 0.9 + weight decay 0.01 + kick, "
      "recording q, f and J every step):")
print()
print("| loop | steps/s | ratio |")
print("|---|---|---|")
print(f"| C++ `noether::step` + observables | {c_rate:.3g} | {ratio:.0f}x (target >= 100x) |")
full = get("BM_HeavyBall2D_SimulateModel/")
print(f"| C++ `simulate_model` (full Run: budgets, laws) | {full['items_per_second']:.3g} | "
      f"{full['items_per_second'] / hb_py['steps_per_second']:.0f}x |")
print(f"| Python + NumPy (`bench/python/heavy_ball_peer.py`) | {hb_py['steps_per_second']:.3g} | 1x |")
print()
print("Regime sweep (BM_Sweep, rotation_hat + weight decay 1e-3 + kick, 1,000 steps, final loss):")
print()
print("| grid | threads | ms per sweep | ns per trajectory-step | vs NumPy 256² |")
print("|---|---|---|---|---|")
np_ns = sw_py["ns_per_trajectory_step"]
for n in (64, 128, 256):
    for t in (1, 2):
        b = get(f"BM_Sweep/n:{n}/threads:{t}/")
        ns = 1e9 / b["items_per_second"]
        ms = n * n * 1000 * ns * 1e-6
        print(f"| {n}² | {t} | {ms:.1f} | {ns:.3f} | {np_ns / ns:.0f}x |")
print(f"| 256² NumPy (`bench/python/sweep_peer.py`) | 1 | {sw_py['seconds'] * 1e3:.0f} | "
      f"{np_ns:.2f} | 1x |")
print()
b256 = get("BM_Sweep/n:256/threads:2/")
agree = b256["sum_final_loss"] == sw_py["sum_final_loss"]  # same cells, same summation order
print(f"Same answer: sum of finite final losses {b256['sum_final_loss']!r} (C++) vs "
      f"{sw_py['sum_final_loss']!r} (NumPy), diverged cells {int(b256['diverged_cells'])} vs "
      f"{sw_py['diverged_cells']}: {'agree bit for bit' if agree and int(b256['diverged_cells']) == sw_py['diverged_cells'] else 'DIFFER'}.")
print()
# Arithmetic limit: the kernel does 10 multiplies + 9 adds per cell-step (plus one compare);
# without FMA the multiplies use half the FP pipes, so the limit is 10 / (peak / 2) = 20 / peak.
print("Arithmetic limit (19 flops per cell-step: 10 mul + 9 add, no FMA; BM_PeakMulAdd = "
      "equal numbers of independent vector mul and add):")
print()
print("| threads | measured peak GFLOP/s | limit ns per cell-step | BM_Sweep 256² ns | ratio to limit |")
print("|---|---|---|---|---|")
for t in (1, 2):
    p = get(f"BM_PeakMulAdd/real_time/threads:{t}")["items_per_second"]
    limit = 20.0 / p * 1e9
    ns = 1e9 / get(f"BM_Sweep/n:256/threads:{t}/")["items_per_second"]
    print(f"| {t} | {p * 1e-9:.1f} | {limit:.3f} | {ns:.3f} | {ns / limit:.2f}x (target <= 3x) |")
EOF

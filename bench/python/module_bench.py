#!/usr/bin/python3
"""The Python module against its peers, measured in one run (issue 17):

1. simulate: noetherlab.simulate of the BM_HeavyBall2D scene (rotation_hat, SGD lr 0.01,
   momentum 0.9, weight decay 0.01, kick v0 = (0.3, -0.5) from q0 = (0.6, 0.5)) against the
   same heavy-ball loop in NumPy (heavy_ball_peer.py), and against `noetherlab-cli simulate`
   writing its CSV, for N steps.
2. sweep: the 256 x 256 x 1,000-step regime map of docs/PERFORMANCE.md end to end through
   the module, through `noetherlab-cli sweep` (process, CSV to a file), and in NumPy
   (sweep_peer.py, vectorised over cells).

Best of the repeats, wall clock. Run with Debian's interpreter, the module on PYTHONPATH:
    PYTHONPATH=build/release/python env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        /usr/bin/python3 bench/python/module_bench.py --cli build/release/app/cli/noetherlab-cli
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import heavy_ball_peer  # noqa: E402
import sweep_peer  # noqa: E402

import noetherlab as nl  # noqa: E402


def best(f, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--steps", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--sweep-n", type=int, default=256)
    args = ap.parse_args()
    N = args.steps
    scene = dict(loss="rotation_hat", q0=[0.6, 0.5], v0=[0.3, -0.5], lr=0.01, momentum=0.9,
                 weight_decay=0.01, steps=N)
    flags = ["--loss", "rotation_hat", "--q0", "0.6,0.5", "--v0", "0.3,-0.5", "--lr", "0.01",
             "--momentum", "0.9", "--weight-decay", "0.01", "--steps", str(N)]
    tmp = tempfile.mkdtemp()
    csv = os.path.join(tmp, "run.csv")

    t_mod = best(lambda: nl.simulate(**scene), args.repeats)
    t_np = best(lambda: heavy_ball_peer.heavy_ball(N), max(1, args.repeats // 2))
    t_cli = best(lambda: subprocess.run([args.cli, "simulate", *flags, "--out", csv], check=True),
                 args.repeats)
    print(f"simulate, {N} steps of rotation_hat (q, v, f, |grad f|, |q|^2, J and its law):")
    print(f"  noetherlab.simulate        {t_mod * 1e3:9.1f} ms  ({N / t_mod / 1e6:.1f} M steps/s)")
    print(f"  noetherlab-cli simulate    {t_cli * 1e3:9.1f} ms  (process + CSV of "
          f"{os.path.getsize(csv) / 1e6:.1f} MB)")
    print(f"  NumPy loop (peer)          {t_np * 1e3:9.1f} ms  ({N / t_np / 1e6:.2f} M steps/s)"
          f"  -> the module is {t_np / t_mod:.0f}x faster")

    n = args.sweep_n
    sweep = dict(loss="rotation_hat", q0=[0.6, 0.5], v0=[0.3, -0.5], weight_decay=1e-3,
                 lr_range=(1e-3, 2, n), lr_scale="log", momentum_range=(0, 0.99, n),
                 steps=1000, metric="final_loss")
    sflags = ["--loss", "rotation_hat", "--q0", "0.6,0.5", "--v0", "0.3,-0.5", "--weight-decay",
              "1e-3", "--lr-range", f"1e-3:2:{n}", "--lr-scale", "log", "--momentum-range",
              f"0:0.99:{n}", "--steps", "1000", "--metric", "final_loss"]
    out = os.path.join(tmp, "sweep.csv")
    s_mod = best(lambda: nl.sweep(**sweep), args.repeats)
    s_cli = best(lambda: subprocess.run([args.cli, "sweep", *sflags, "--out", out], check=True),
                 args.repeats)
    s_np = best(lambda: sweep_peer.sweep(n, 1000), 1)
    print(f"sweep, {n} x {n} cells x 1,000 steps (final_loss):")
    print(f"  noetherlab.sweep           {s_mod * 1e3:9.1f} ms")
    print(f"  noetherlab-cli sweep       {s_cli * 1e3:9.1f} ms  (process + CSV of "
          f"{os.path.getsize(out) / 1e6:.1f} MB)")
    print(f"  NumPy, vectorised (peer)   {s_np * 1e3:9.1f} ms  -> the module is "
          f"{s_np / s_mod:.0f}x faster, the CLI {s_np / s_cli:.0f}x")


if __name__ == "__main__":
    main()

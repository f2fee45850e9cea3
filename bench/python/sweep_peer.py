#!/usr/bin/python3
"""Peer of BM_Sweep: the same regime-map sweep as vectorised NumPy over the whole grid.

rotation_hat, torch.optim.SGD with weight decay 1e-3 and the kick v0 = (0.3, -0.5) from
q0 = (0.6, 0.5), 1,000 steps, eta log-spaced in [1e-3, 2] x beta in [0, 0.99], n x n cells,
final-loss metric (NaN where the run diverged, |q| > 1e8 or non-finite at any step). The
arithmetic is the engine's, operation for operation, so finite final losses agree bit for bit.
Prints nanoseconds per trajectory-step (best of the repeats, wall clock).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/python/sweep_peer.py
"""
import argparse
import json
import math
import time

import numpy as np


def axis(a, b, n, log):
    """The values of noether::make_axis (libm exp/log, ends exact)."""
    t = [i / (n - 1) if n > 1 else 0.0 for i in range(n)]
    if log:
        v = [math.exp(math.log(a) + (math.log(b) - math.log(a)) * x) for x in t]
    else:
        v = [a + (b - a) * x for x in t]
    v[0], v[-1] = a, b if n > 1 else a
    return np.array(v)


def sweep(n, steps=1000, k=1e-3, eps=0.0):
    lr = axis(1e-3, 2.0, n, True)[:, None] * np.ones((1, n))
    beta = np.ones((n, 1)) * axis(0.0, 0.99, n, False)[None, :]
    neg_lr = -lr
    q0 = np.full((n, n), 0.6)
    q1 = np.full((n, n), 0.5)
    b0 = np.full((n, n), 0.3)
    b1 = np.full((n, n), -0.5)
    bad = np.zeros((n, n), dtype=bool)
    with np.errstate(all="ignore"):
        for step in range(steps):
            r2 = q0 * q0 + q1 * q1
            if step > 0:
                bad |= ~(r2 <= 1e16)  # |q| > 1e8 or non-finite
            a = r2 - 1.0
            g0 = a * q0 + eps
            g1 = a * q1
            g0 = g0 + k * q0
            g1 = g1 + k * q1
            b0 = beta * b0 + g0
            b1 = beta * b1 + g1
            q0 = q0 + neg_lr * b0
            q1 = q1 + neg_lr * b1
        r2 = q0 * q0 + q1 * q1
        bad |= ~(r2 <= 1e16)
        a = r2 - 1.0
        loss = 0.25 * a * a + eps * q0
    loss[bad] = np.nan
    return loss, bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    best = float("inf")
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        loss, bad = sweep(args.n, args.steps)
        best = min(best, time.perf_counter() - t0)
    items = args.n * args.n * args.steps
    result = {"name": "sweep_peer", "n": args.n, "steps": args.steps, "seconds": best,
              "ns_per_trajectory_step": best / items * 1e9,
              # Sequential sum in cell order (lr outer), as BM_Sweep: equal iff every cell is.
              "sum_final_loss": sum(x for x in loss.ravel().tolist() if math.isfinite(x)),
              "diverged_cells": int(bad.sum()),
              "numpy": np.__version__}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"sweep_peer: {result['ns_per_trajectory_step']:.3g} ns per trajectory-step "
              f"({args.n}x{args.n} cells x {args.steps} steps in {best:.2f} s, sum of final "
              f"losses {result['sum_final_loss']!r}, {result['diverged_cells']} diverged)")


if __name__ == "__main__":
    main()

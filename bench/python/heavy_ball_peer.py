#!/usr/bin/python3
"""Peer of BM_HeavyBall2D: the same heavy-ball loop in plain Python with NumPy arrays.

rotation_hat f = (|q|^2 - 1)^2/4 + eps q1, torch.optim.SGD(lr=0.01, momentum=0.9,
weight_decay=0.01) with the kick v0 = (0.3, -0.5) from q0 = (0.6, 0.5), recording q_n, f(q_n)
and the displayed rotation charge J_n = ((1+beta)/2) <q_{n+1} - q_n, A q_n> every step
(PHYSICS.md §0.1, §0.3). Prints steps per second (best of the repeats, wall clock).

Run with Debian's interpreter, OpenBLAS tuning variables unset:
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/python/heavy_ball_peer.py
"""
import argparse
import json
import time

import numpy as np


def heavy_ball(steps, lr=0.01, beta=0.9, k=0.01, eps=0.0):
    q = np.array([0.6, 0.5])
    buf = np.array([0.3, -0.5])  # kick: the first buffer is beta v0 + g
    A = np.array([[0.0, -1.0], [1.0, 0.0]])  # rotation generator J
    c = 0.5 * (1.0 + beta)
    Q = np.empty((steps + 1, 2))
    f = np.empty(steps + 1)
    J = np.empty(steps + 1)
    for n in range(steps + 1):
        r2 = q @ q
        a = r2 - 1.0
        f[n] = 0.25 * a * a + eps * q[0]
        g = a * q
        g[0] += eps
        g = g + k * q  # grad.add(param, alpha=weight_decay)
        buf = beta * buf + g  # buf.mul_(momentum).add_(grad)
        q_next = q + (-lr) * buf  # param.add_(buf, alpha=-lr)
        Q[n] = q
        J[n] = c * ((q_next - q) @ (A @ q))
        q = q_next
    return Q, f, J


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=10000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    best = float("inf")
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        Q, f, J = heavy_ball(args.steps)
        best = min(best, time.perf_counter() - t0)
    rate = (args.steps + 1) / best
    result = {"name": "heavy_ball_peer", "steps": args.steps, "seconds": best,
              "steps_per_second": rate, "final_loss_plus_J": float(f[-1] + J[-1]),
              "numpy": np.__version__}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"heavy_ball_peer: {rate:.4g} steps/s ({args.steps} steps in {best * 1e3:.1f} ms, "
              f"f_N + J_N = {result['final_loss_plus_J']:.6g})")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Peer of `noetherlab --bench-interaction N`: the same interaction in NumPy + Matplotlib (Agg).

The default scene of the app: rotation_hat f = (|q|^2 - 1)^2/4 from q0 = (0.6, 0.5) with the
kick v0 = (0.3, -0.5), SGD momentum beta = 0.9, 10^4 steps, three models:
  * discrete heavy ball (torch.optim.SGD semantics, kick: first buffer beta v0 + g),
  * the implicit-acceleration ODE m q'' + mu q' + grad f = 0 (m = eta(1+beta)/2, mu = 1-beta),
    matched start q'(0) = -(g0 + 2 beta v0)/(1+beta), classical RK4 with one step per eta,
  * gradient flow mu q' = -grad f, RK4 with one step per eta,
and a four-panel figure: the landscape (loss image + trajectories), the rotation charge
J = m <q', A q> against time, the phase portrait angle vs its rate, the loss on a log axis.

Each change sets a new learning rate (the same triangle wave of eta the app's benchmark drives),
re-simulates the three models and redraws the figure (artists are reused: set_data, rescale,
canvas.draw(), which is the fast way to animate Matplotlib). The loops use Python floats, the
fastest plain-Python form for 2-vectors (NumPy arrays of two elements are slower per step).
Prints `interaction p50=X ms p95=Y ms` and the split between simulation and drawing.

Run with Debian's interpreter:
    /usr/bin/python3 bench/python/interaction_peer.py 60
"""
import argparse
import math
import time

import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

Q0 = (0.6, 0.5)
V0 = (0.3, -0.5)
BETA = 0.9
STEPS = 10_000


def discrete(lr, beta, steps):
    """Heavy ball with a kick; returns q (N+1, 2) and the forward velocity (q_{n+1}-q_n)/lr."""
    q1, q2 = Q0
    b1, b2 = V0
    Q = np.empty((steps + 2, 2))
    first = True
    for n in range(steps + 2):
        Q[n, 0] = q1
        Q[n, 1] = q2
        a = q1 * q1 + q2 * q2 - 1.0
        g1, g2 = a * q1, a * q2
        if first:
            b1, b2 = beta * b1 + g1, beta * b2 + g2
            first = False
        else:
            b1, b2 = beta * b1 + g1, beta * b2 + g2
        q1 -= lr * b1
        q2 -= lr * b2
    V = (Q[1:] - Q[:-1]) / lr
    return Q[:-1], V


def rk4(rhs, y, h, steps):
    out = np.empty((steps + 1, len(y)))
    out[0] = y
    for n in range(1, steps + 1):
        k1 = rhs(y)
        k2 = rhs([yi + 0.5 * h * ki for yi, ki in zip(y, k1)])
        k3 = rhs([yi + 0.5 * h * ki for yi, ki in zip(y, k2)])
        k4 = rhs([yi + h * ki for yi, ki in zip(y, k3)])
        y = [yi + h / 6.0 * (a + 2.0 * b + 2.0 * c + d) for yi, a, b, c, d in zip(y, k1, k2, k3, k4)]
        out[n] = y
    return out


def ode(lr, beta, steps):
    m, mu = lr * (1.0 + beta) / 2.0, 1.0 - beta
    q1, q2 = Q0
    a = q1 * q1 + q2 * q2 - 1.0
    u1 = -(a * q1 + 2.0 * beta * V0[0]) / (1.0 + beta)
    u2 = -(a * q2 + 2.0 * beta * V0[1]) / (1.0 + beta)

    def rhs(y):
        x1, x2, v1, v2 = y
        s = x1 * x1 + x2 * x2 - 1.0
        return [v1, v2, (-mu * v1 - s * x1) / m, (-mu * v2 - s * x2) / m]

    Y = rk4(rhs, [q1, q2, u1, u2], lr, steps)
    return Y[:, :2], Y[:, 2:]


def flow(lr, beta, steps):
    mu = 1.0 - beta

    def rhs(y):
        x1, x2 = y
        s = x1 * x1 + x2 * x2 - 1.0
        return [-s * x1 / mu, -s * x2 / mu]

    Q = rk4(rhs, list(Q0), lr, steps)
    s = (Q * Q).sum(axis=1) - 1.0
    V = -(s[:, None] * Q) / mu
    return Q, V


def observables(Q, V, m):
    f = 0.25 * ((Q * Q).sum(axis=1) - 1.0) ** 2
    J = m * (Q[:, 0] * V[:, 1] - Q[:, 1] * V[:, 0])  # m <q', J q>
    theta = np.unwrap(np.arctan2(Q[:, 1], Q[:, 0]))
    r2 = (Q * Q).sum(axis=1)
    rate = (Q[:, 0] * V[:, 1] - Q[:, 1] * V[:, 0]) / r2
    return f, J, theta, rate


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, nargs="?", default=60, help="number of changes")
    ap.add_argument("--save", help="write the last figure to this PNG")
    args = ap.parse_args()

    fig, axes = plt.subplots(2, 2, figsize=(16, 10), dpi=100)
    ax_land, ax_charge, ax_phase, ax_loss = axes.ravel()
    # Landscape: the loss on a grid (drawn once; it does not depend on eta).
    xs = np.linspace(-0.2, 1.4, 256)
    X, Y = np.meshgrid(xs, xs)
    F = 0.25 * (X * X + Y * Y - 1.0) ** 2
    ax_land.imshow(np.log10(F + 1e-3), extent=(xs[0], xs[-1], xs[0], xs[-1]), origin="lower",
                   cmap="viridis")
    ax_land.contour(X, Y, np.log10(F + 1e-3), levels=12, colors="k", linewidths=0.5)
    colors = {"discrete": "#D55E00", "ODE": "#0072B2", "flow": "#009E73"}
    styles = {"discrete": "-", "ODE": "-", "flow": "--"}
    lines = {}
    for name in colors:
        lines[("land", name)], = ax_land.plot([], [], styles[name], color=colors[name], lw=3)
        lines[("J", name)], = ax_charge.plot([], [], styles[name], color=colors[name], lw=2.5,
                                             label=name)
        lines[("phase", name)], = ax_phase.plot([], [], styles[name], color=colors[name], lw=2.5)
        lines[("loss", name)], = ax_loss.plot([], [], styles[name], color=colors[name], lw=2.5)
    ax_charge.set_xscale("log")
    ax_loss.set_xscale("log")
    ax_loss.set_yscale("log")
    ax_charge.legend()
    ax_land.set_title("landscape")
    ax_charge.set_title("J = m<q', xi(q)>")
    ax_phase.set_title("angle vs its rate")
    ax_loss.set_title("loss")
    n_axis = np.arange(1, STEPS + 2)

    # The same eta sweep as the app: slider positions of a log slider 1e-4..2 over 1000 steps,
    # a triangle wave of +-60 positions around eta = 0.01, one position per change.
    pos0 = round(math.log(0.01 / 1e-4) / math.log(2.0 / 1e-4) * 1000)

    def eta_at(i):
        k = i % 240
        off = k if k < 60 else (120 - k if k < 180 else k - 240)
        pos = pos0 + off
        return 1e-4 * (2.0 / 1e-4) ** (pos / 1000)

    times, sim_times = [], []
    for i in range(args.n + 3):
        lr = eta_at(i + 1)
        t0 = time.perf_counter()
        m = lr * (1.0 + BETA) / 2.0
        runs = {"discrete": discrete(lr, BETA, STEPS), "ODE": ode(lr, BETA, STEPS),
                "flow": flow(lr, BETA, STEPS)}
        t1 = time.perf_counter()
        for name, (Q, V) in runs.items():
            f, J, theta, rate = observables(Q, V, m if name != "flow" else 1.0)
            lines[("land", name)].set_data(Q[:, 0], Q[:, 1])
            lines[("J", name)].set_data(n_axis, J)
            lines[("phase", name)].set_data(theta, rate)
            lines[("loss", name)].set_data(n_axis, np.maximum(f, 1e-30))
        for ax in (ax_charge, ax_phase, ax_loss):
            ax.relim()
            ax.autoscale_view()
        fig.canvas.draw()
        t2 = time.perf_counter()
        if i >= 3:  # warm-up
            times.append((t2 - t0) * 1e3)
            sim_times.append((t1 - t0) * 1e3)
    if args.save:
        fig.savefig(args.save)
    times = np.array(times)
    print(f"interaction p50={np.percentile(times, 50):.2f} ms p95={np.percentile(times, 95):.2f} ms")
    print(f"  ({len(times)} changes, simulate median {np.median(sim_times):.1f} ms, "
          f"draw median {np.median(times - np.array(sim_times)):.1f} ms)")


if __name__ == "__main__":
    main()

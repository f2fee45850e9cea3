#!/usr/bin/python3
"""Peer of BM_NetworkStep: the same training loop in PyTorch (float64, autograd + torch.optim).

A 2-W-1 ReLU network on N `moons` points (the engine's data and initialisation, read from
`noetherlab-cli simulate --network 2-W-1 --data moons --data-n N --steps 1 --out run.json`),
full batch, torch.optim.SGD(lr=0.05, momentum=0.9, weight_decay=0.01), recording every step the
loss, |grad f|, |q|^2 and for every rescale generator (one per hidden neuron) the charge
J = ((1+beta)/2) <q_{n+1} - q_n, xi(q_n)>, its budget terms and Q = |in|^2 - |out|^2, as the
engine does. Prints steps per second (best of the repeats, wall clock), one thread.

    python3 bench/python/network_peer.py --cli build/release/app/cli/noetherlab-cli --width 32
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

import torch

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)


def setup(cli, width, n):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "run.json")
        subprocess.run([cli, "simulate", "--network", "2-%d-1" % width, "--data", "moons",
                        "--data-n", str(n), "--steps", "1", "--out", path], check=True)
        with open(path) as f:
            run = json.load(f)
    return (torch.tensor(run["data"]["X"]), torch.tensor(run["data"]["y"]),
            torch.tensor(run["scene"]["q0"]))


def train(X, y, q0, width, steps, lr=0.05, beta=0.9, k=0.01):
    h = width
    q = q0.clone().requires_grad_(True)
    opt = torch.optim.SGD([q], lr=lr, momentum=beta, weight_decay=k)
    c = 0.5 * (1 + beta)
    # Rescale generator j: +1 on W1 row j and b1_j, -1 on W2 column j (a diagonal sign vector).
    i_w1, i_b1, i_w2 = 0, 2 * h, 3 * h
    S = torch.zeros(h, q.numel())
    for j in range(h):
        S[j, i_w1 + 2 * j:i_w1 + 2 * j + 2] = 1.0
        S[j, i_b1 + j] = 1.0
        S[j, i_w2 + j] = -1.0
    rec = {k_: torch.empty(steps + 1) for k_ in ("f", "gn", "r2")}
    J = torch.empty(steps + 1, h)
    budget = torch.empty(steps + 1, 4, h)
    Q = torch.empty(steps + 1, h)
    d = torch.zeros(q.numel())
    jprev = torch.zeros(h)
    for n in range(steps + 1):
        opt.zero_grad()
        W1 = q[:2 * h].view(h, 2)
        b1 = q[2 * h:3 * h]
        W2 = q[3 * h:4 * h].view(1, h)
        b2 = q[4 * h:]
        f = ((torch.relu(X @ W1.T + b1) @ W2.T + b2 - y) ** 2).mean()
        f.backward()
        with torch.no_grad():
            q_old = q.detach().clone()
            g = q.grad.detach().clone()
            opt.step()
            xi = S * q_old  # xi_j(q) = S_j * q, row per generator
            jraw = (xi * (q - q_old)).sum(dim=1)
            J[n] = c * jraw
            budget[n, 0] = (beta - 1) * jprev * c / lr
            budget[n, 1] = beta * (S * d * d).sum(dim=1) * c / lr
            budget[n, 2] = -k * (xi * q_old).sum(dim=1) * c
            budget[n, 3] = -(xi * g).sum(dim=1) * c
            Q[n] = (S * q_old * q_old).sum(dim=1)
            rec["f"][n] = f.detach()
            rec["gn"][n] = g.norm()
            rec["r2"][n] = q_old.dot(q_old)
            d = q.detach() - q_old
            jprev = jraw
    return rec["f"][-1].item() + J[-1, 0].item()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", required=True)
    ap.add_argument("--width", type=int, default=32)
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    X, y, q0 = setup(args.cli, args.width, args.n)
    best = float("inf")
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        train(X, y, q0, args.width, args.steps)
        best = min(best, time.perf_counter() - t0)
    rate = (args.steps + 1) / best
    if args.json:
        print(json.dumps({"name": "network_peer_torch", "width": args.width, "n": args.n,
                          "steps_per_second": rate, "torch": torch.__version__}))
    else:
        print("torch %s: 2-%d-1 ReLU on %d moons, %.0f steps/s" % (torch.__version__, args.width,
                                                                 args.n, rate))


if __name__ == "__main__":
    main()

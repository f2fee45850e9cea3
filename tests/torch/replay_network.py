#!/usr/bin/python3
"""Replays noetherlab-cli network runs in PyTorch (float64, autograd + torch.optim).

For each configuration below the CLI writes run.json; this script rebuilds the same network from
its `network` key (widths, activation, norm, head, param_layout), takes the data (`data.X`,
`data.y`), the start (`scene.q0`) and every step's minibatch (`batches`) from the JSON, trains
with the torch.optim rule of `scene.rule`, and checks against the engine:
  * the iterates q_0..q_N (relative 1e-10),
  * the full-data loss at every sample (relative 1e-10),
  * every generator's charge J_n = ((1+beta)/2) <q_{n+1} - q_n, A q_n + b> from the JSON's sparse
    generators, recomputed on the torch iterates (1e-10 of the charge scale).
Exit 0 when all agree, 1 on a disagreement, 77 (ctest's skip code) when torch is absent.

    python3 tests/torch/replay_network.py --cli build/release/app/cli/noetherlab-cli
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

try:
    import torch
except ImportError:
    print("torch is not installed: skipped (apt-get install python3-torch)")
    sys.exit(77)

torch.set_default_dtype(torch.float64)

CONFIGS = [
    ("relu_sgd_momentum_wd_minibatch",
     "--network 2-8-1 --data moons --data-n 64 --batch 16 --batch-seed 5 --steps 200 "
     "--lr 0.05 --momentum 0.9 --weight-decay 0.01"),
    # Without hidden biases: a normalised layer's bias has gradient 0 exactly in the engine but
    # rounding noise in autograd, and Adam normalises that noise into steps.
    ("bn_tanh_softmax_adam",
     "--network 2-6-2 --activation tanh --norm batch --eps 1e-5 --no-bias --head softmax "
     "--data xor --data-n 48 --batch 12 --steps 150 --rule adam --lr 0.01 --weight-decay 0.001"),
    ("bn_relu_mse_sgd_with_biases",
     "--network 2-5-1 --norm batch --data moons --data-n 40 --batch 8 --steps 150 "
     "--lr 0.05 --momentum 0.9 --weight-decay 0.01"),
    ("deep_linear_rmsprop_teacher",
     "--network 3-4-3-2 --activation linear --data teacher --data-n 40 --steps 150 "
     "--rule rmsprop --lr 0.002 --momentum 0.5 --centered"),
    ("relu_softmax_blobs_adamw",
     "--network 2-10-3 --head softmax --data blobs --data-n 60 --batch 20 --steps 150 "
     "--rule adamw --lr 0.01 --weight-decay 0.05"),
    ("relu_nobias_sgd_nesterov",
     "--network 2-7-1 --no-bias --data spirals --data-n 50 --batch 10 --steps 150 "
     "--lr 0.05 --momentum 0.8 --nesterov --weight-decay 0.01"),
]


def blocks(net, q):
    """W_l, b_l views of the flat parameter tensor, per the JSON layout."""
    out = {}
    for b in net["param_layout"]:
        size = 1
        for s in b["shape"]:
            size *= s
        out[b["name"]] = q[b["offset"]:b["offset"] + size].view(*b["shape"])
    return out


def loss_fn(net, q, X, y, idx):
    p = blocks(net, q)
    widths = net["widths"]
    L = len(widths) - 1
    a = X[idx]
    for l in range(1, L + 1):
        z = a @ p["W%d" % l].T
        if ("b%d" % l) in p:
            z = z + p["b%d" % l]
        if l == L:
            break
        if net["norm"] == "batch":
            zc = z - z.mean(dim=0)
            z = zc / torch.sqrt((zc * zc).mean(dim=0) + net["bn_eps"])
        act = net["activation"]
        a = torch.relu(z) if act == "relu" else torch.tanh(z) if act == "tanh" else z
    if net["head"] == "mse":
        return ((z - y[idx]) ** 2).mean()
    return torch.nn.functional.cross_entropy(z, y[idx])


def optimizer(rule, params):
    r = rule["rule"]
    if r == "sgd":
        return torch.optim.SGD(params, lr=rule["lr"], momentum=rule["momentum"],
                               weight_decay=rule["weight_decay"], nesterov=rule["nesterov"])
    if r == "adam":
        return torch.optim.Adam(params, lr=rule["lr"], betas=tuple(rule["betas"]),
                                eps=rule["opt_eps"], weight_decay=rule["weight_decay"])
    if r == "adamw":
        return torch.optim.AdamW(params, lr=rule["lr"], betas=tuple(rule["betas"]),
                                 eps=rule["opt_eps"], weight_decay=rule["weight_decay"])
    if r == "rmsprop":
        return torch.optim.RMSprop(params, lr=rule["lr"], alpha=rule["alpha"], eps=rule["opt_eps"],
                                   weight_decay=rule["weight_decay"], momentum=rule["momentum"],
                                   centered=rule["centered"])
    raise SystemExit("no torch.optim rule for " + r)


def replay(run):
    net = run["network"]
    X = torch.tensor(run["data"]["X"])
    y = torch.tensor(run["data"]["y"]) if net["head"] == "mse" else \
        torch.tensor(run["data"]["y"], dtype=torch.long)
    model = run["models"][0]
    ours_q = torch.tensor(model["q"]).T  # samples x n
    q = torch.tensor(run["scene"]["q0"]).clone().requires_grad_(True)
    opt = optimizer(run["scene"]["rule"], [q])
    full = torch.arange(X.shape[0])
    traj, losses = [], []
    samples = ours_q.shape[0]
    for i in range(samples):
        with torch.no_grad():
            traj.append(q.detach().clone())
            losses.append(loss_fn(net, q, X, y, full).item())
        if i + 1 == samples:
            break
        opt.zero_grad()
        loss_fn(net, q, X, y, torch.tensor(run["batches"][i])).backward()
        opt.step()
    T = torch.stack(traj)
    err_q = ((T - ours_q).abs().max() / max(1.0, ours_q.abs().max().item())).item()
    ours_loss = torch.tensor(model["loss"])
    err_f = ((torch.tensor(losses) - ours_loss).abs().max() /
             max(1.0, ours_loss.abs().max().item())).item()
    # Charges on the torch iterates (the last sample's J needs one more step: skipped).
    rule = run["scene"]["rule"]
    beta = rule["momentum"] if rule["rule"] in ("sgd", "rmsprop") else 0.0
    c = 0.5 * (1.0 + beta)
    err_J = 0.0
    n = T.shape[1]
    for g in run["generators"]:
        A = torch.zeros(n, n)
        for i, j, v in g["A"]:
            A[i, j] = v
        b = torch.zeros(n)
        for i, v in g["b"]:
            b[i] = v
        xi = T[:-1] @ A.T + b
        J = c * ((T[1:] - T[:-1]) * xi).sum(dim=1)
        ours = torch.tensor(model["charges"][g["name"]]["J"][:samples - 1])
        scale = max(1e-300, (T[1:] - T[:-1]).abs().max().item() * xi.abs().max().item() * n)
        err_J = max(err_J, ((J - ours).abs().max() / scale).item())
    return err_q, err_f, err_J


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", required=True)
    ap.add_argument("--tol", type=float, default=1e-10)
    args = ap.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as d:
        for name, flags in CONFIGS:
            path = os.path.join(d, name + ".json")
            subprocess.run([args.cli, "simulate"] + flags.split() + ["--out", path], check=True)
            with open(path) as f:
                run = json.load(f)
            eq, ef, ej = replay(run)
            good = eq < args.tol and ef < args.tol and ej < args.tol
            ok &= good
            print("%-40s q %.2e  loss %.2e  J %.2e  %s" % (name, eq, ef, ej,
                                                           "ok" if good else "DISAGREES"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

"""The Python module against the CLI it mirrors (issue 17): the same bits, the same refusals,
determinism, interrupt, progress and the GIL. Run by ctest with Debian's python3 -m pytest;
NOETHERLAB_CLI names the noetherlab-cli binary, NOETHERLAB_SOURCE the source tree."""
import csv
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import noetherlab as nl

CLI = os.environ["NOETHERLAB_CLI"]
SOURCE = os.environ["NOETHERLAB_SOURCE"]
PRESETS = os.path.join(SOURCE, "resources", "presets")


def cli(*args):
    p = subprocess.run([CLI, *args], capture_output=True)
    return p.returncode, p.stdout, p.stderr.decode()


def same_bits(a, b):
    a = np.ascontiguousarray(a, dtype=np.float64)
    b = np.ascontiguousarray(b, dtype=np.float64)
    return a.shape == b.shape and a.tobytes() == b.tobytes()


def csv_columns(text):
    rows = list(csv.reader(io.StringIO(text.decode())))
    header, body = rows[0], rows[1:]
    return {name: np.array([float(r[i]) for r in body]) for i, name in enumerate(header)}


def check_trajectory(model, cols):
    """Every CSV column of the CLI equals the module's array, bit for bit."""
    n = model["q"].shape[1]
    assert same_bits(cols["step"], model["step"])
    assert same_bits(cols["t"], model["t"])
    for i in range(n):
        assert same_bits(cols[f"q{i + 1}"], model["q"][:, i]), f"q{i + 1}"
        assert same_bits(cols[f"v{i + 1}"], model["v"][:, i]), f"v{i + 1}"
    checked = {"step", "t"} | {f"q{i + 1}" for i in range(n)} | {f"v{i + 1}" for i in range(n)}
    for name, values in cols.items():
        if name in checked:
            continue
        mine = model[name] if name in model else model["predictions"][name]
        assert same_bits(values, mine), name
        checked.add(name)
    assert checked == set(cols)


# (module keywords, the same as CLI flags)
SCENES = [
    (dict(loss="rotation_hat", q0=[0.6, 0.5], v0=[0.3, -0.5], lr=0.01, momentum=0.9,
          weight_decay=1e-3, steps=400),
     ["--loss", "rotation_hat", "--q0", "0.6,0.5", "--v0", "0.3,-0.5", "--lr", "0.01",
      "--momentum", "0.9", "--weight-decay", "1e-3", "--steps", "400"]),
    (dict(loss="scale_cos", q0=[1.1, 0.3], lr=0.1, eps=0.05, steps=300, nesterov=True,
          momentum=0.5),
     ["--loss", "scale_cos", "--q0", "1.1,0.3", "--lr", "0.1", "--eps", "0.05", "--steps",
      "300", "--nesterov", "--momentum", "0.5"]),
    (dict(loss="quadratic", q0=[1.0, -2.0, 0.5], param={"diag": [1, 3, 0.2]}, rule="adam",
          lr=0.02, betas=(0.8, 0.99), steps=250),
     ["--loss", "quadratic", "--q0", "1,-2,0.5", "--param", "diag=1,3,0.2", "--rule", "adam",
      "--lr", "0.02", "--betas", "0.8,0.99", "--steps", "250"]),
    (dict(expr="a*(q1^2+q2^2-1)^2", const={"a": 0.7}, q0=[0.2, 0.9], lr=0.05, steps=200,
          rule="rmsprop", centered=True),
     ["--expr", "a*(q1^2+q2^2-1)^2", "--const", "a=0.7", "--q0", "0.2,0.9", "--lr", "0.05",
      "--steps", "200", "--rule", "rmsprop", "--centered"]),
]


@pytest.mark.parametrize("kwargs,flags", SCENES)
@pytest.mark.parametrize("model", ["discrete", "ode", "flow"])
def test_simulate_is_the_cli_bit_for_bit(kwargs, flags, model, tmp_path):
    out = tmp_path / "run.csv"
    status, _, err = cli("simulate", *flags, "--model", model, "--out", str(out))
    if status == 2:  # a model the rule has none of: the module refuses with the same words
        with pytest.raises(ValueError) as e:
            nl.simulate(**kwargs, model=model)
        assert err.strip() == "noetherlab-cli: " + str(e.value)
        return
    assert status == 0, err
    run = nl.simulate(**kwargs, model=model)
    assert list(run) == [model]
    check_trajectory(run[model], csv_columns(out.read_bytes()))


def test_several_models_in_one_call_are_each_the_cli():
    kwargs, flags = SCENES[0]
    models = ["discrete", "ode", "ode-rest", "flow", "modified-flow"]
    run = nl.simulate(**kwargs, models=models)
    assert list(run) == models
    for m in models:
        status, out, err = cli("simulate", *flags, "--model", m)
        assert status == 0, err
        check_trajectory(run[m], csv_columns(out))


def test_a_scene_file_and_its_dict_give_the_cli_run():
    path = os.path.join(PRESETS, "02a-noether-charge-underdamped.noether")
    status, out, err = cli("simulate", "--scene", path, "--model", "discrete")
    assert status == 0, err
    by_path = nl.simulate(scene=path, model="discrete")
    by_dict = nl.simulate(scene=nl.load_scene(path), model="discrete")
    check_trajectory(by_path["discrete"], csv_columns(out))
    check_trajectory(by_dict["discrete"], csv_columns(out))
    # Without model(s), the file's models run, as in the app.
    assert len(nl.simulate(scene=path)) >= 1


def test_a_network_run_is_the_cli():
    flags = ["--network", "2-6-1", "--data", "moons", "--data-n", "64", "--batch", "16",
             "--lr", "0.05", "--momentum", "0.9", "--steps", "120", "--init-seed", "3"]
    status, out, err = cli("simulate", *flags)
    assert status == 0, err
    run = nl.simulate(network="2-6-1", data="moons", data_n=64, batch=16, lr=0.05,
                      momentum=0.9, steps=120, init_seed=3)
    cols = csv_columns(out)
    model = run["discrete"]
    assert any(k.startswith("Q_") for k in model)
    check_trajectory(model, cols)


def test_sweep_is_the_cli_bit_for_bit():
    flags = ["--loss", "rotation_hat", "--q0", "0.6,0.5", "--v0", "0.3,-0.5", "--weight-decay",
             "1e-3", "--lr-range", "1e-3:2:17", "--lr-scale", "log", "--momentum-range",
             "0:0.99:9", "--steps", "300", "--metric", "final_loss,diverged_at,steps_to_tol"]
    status, out, err = cli("sweep", *flags)
    assert status == 0, err
    r = nl.sweep(loss="rotation_hat", q0=[0.6, 0.5], v0=[0.3, -0.5], weight_decay=1e-3,
                 lr_range=(1e-3, 2, 17), lr_scale="log", momentum_range="0:0.99:9", steps=300,
                 metric=["final_loss", "diverged_at", "steps_to_tol"])
    cols = csv_columns(out)
    assert same_bits(cols["lr"], np.repeat(r["lr"], 9))
    assert same_bits(cols["momentum"], np.tile(r["momentum"], 17))
    for m in ["final_loss", "diverged_at", "steps_to_tol"]:
        assert r[m].shape == (17, 9)
        assert same_bits(cols[m], r[m].ravel()), m
    assert r["diverged"].any() and not r["diverged"].all()
    assert np.array_equal(r["diverged"], ~np.isnan(r["diverged_at"]))


def json_equal(mine, theirs):
    if isinstance(theirs, dict):
        return set(mine) == set(theirs) and all(json_equal(mine[k], theirs[k]) for k in theirs)
    if isinstance(mine, np.ndarray):
        ref = np.array([np.nan if x is None else x for x in np.ravel(np.array(theirs, dtype=object))],
                       dtype=np.float64).reshape(mine.shape)
        return same_bits(mine, ref)
    if isinstance(theirs, list):
        return len(mine) == len(theirs) and all(json_equal(a, b) for a, b in zip(mine, theirs))
    if isinstance(theirs, float):
        return isinstance(mine, float) and np.float64(mine).tobytes() == np.float64(theirs).tobytes()
    return type(mine) is type(theirs) and mine == theirs


def test_hessian_discover_and_losses_are_the_cli_json():
    status, out, err = cli("hessian", "--loss", "scale_cos", "--at", "0.7,0.2", "--lr", "0.1",
                           "--momentum", "0.9", "--json")
    assert status == 0, err
    h = nl.hessian(loss="scale_cos", at=[0.7, 0.2], lr=0.1, momentum=0.9)
    assert json_equal(h, json.loads(out))
    assert h["hessian"].shape == (2, 2)

    status, out, err = cli("discover", "--loss", "rescale_2d", "--seed", "7", "--json")
    assert status == 0, err
    d = nl.discover(loss="rescale_2d", seed=7)
    assert json_equal(d, json.loads(out))
    assert d["nullity"] == 1

    status, out, err = cli("losses", "--json")
    assert status == 0, err
    assert nl.losses() == json.loads(out)["losses"]


# Refusals: the module's ValueError is the CLI's stderr line without "noetherlab-cli: ".
REFUSALS = [
    ("simulate", dict(loss="rotation_hat", q0=[0.6, 0.5], lr=-1, steps=10),
     ["--loss", "rotation_hat", "--q0", "0.6,0.5", "--lr", "-1", "--steps", "10"]),
    ("simulate", dict(loss="rotation_hat", q0=[0.6, 0.5], lrate=1, steps=10),
     ["--loss", "rotation_hat", "--q0", "0.6,0.5", "--lrate", "1", "--steps", "10"]),
    ("simulate", dict(q0=[0.6, 0.5], steps=10), ["--q0", "0.6,0.5", "--steps", "10"]),
    ("simulate", dict(loss="rotation_hat", steps=10), ["--loss", "rotation_hat", "--steps", "10"]),
    ("simulate", dict(loss="rotation_hat", q0=[0.6, 0.5]), ["--loss", "rotation_hat", "--q0", "0.6,0.5"]),
    ("simulate", dict(loss="nope", q0=[0.6, 0.5], steps=10), ["--loss", "nope", "--q0", "0.6,0.5", "--steps", "10"]),
    ("simulate", dict(loss="rotation_hat", q0=[0.6, 0.5, 1], steps=10),
     ["--loss", "rotation_hat", "--q0", "0.6,0.5,1", "--steps", "10"]),
    ("simulate", dict(loss="rotation_hat", q0=[0.6, 0.5], steps=-3),
     ["--loss", "rotation_hat", "--q0", "0.6,0.5", "--steps", "-3"]),
    ("simulate", dict(loss="rotation_hat", q0=[0.6, 0.5], steps=10, rule="lion"),
     ["--loss", "rotation_hat", "--q0", "0.6,0.5", "--steps", "10", "--rule", "lion"]),
    ("simulate", dict(loss="rotation_hat", q0=[0.6, 0.5], steps=10, model="exact"),
     ["--loss", "rotation_hat", "--q0", "0.6,0.5", "--steps", "10", "--model", "exact"]),
    ("simulate", dict(loss="rotation_hat", q0=[0.6, 0.5], steps=10, momentum=1.5),
     ["--loss", "rotation_hat", "--q0", "0.6,0.5", "--steps", "10", "--momentum", "1.5"]),
    ("simulate", dict(loss="rotation_hat", q0=[0.6, 0.5], steps=10, betas=[0.9]),
     ["--loss", "rotation_hat", "--q0", "0.6,0.5", "--steps", "10", "--betas", "0.9"]),
    ("simulate", dict(loss="quadratic", q0=[1, 2], steps=10, param={"diag": [1, 2, 3]}),
     ["--loss", "quadratic", "--q0", "1,2", "--steps", "10", "--param", "diag=1,2,3"]),
    ("simulate", dict(expr="q1^2+", q0=[1], steps=10), ["--expr", "q1^2+", "--q0", "1", "--steps", "10"]),
    ("simulate", dict(loss="rotation_hat", expr="q1", q0=[1], steps=10),
     ["--loss", "rotation_hat", "--expr", "q1", "--q0", "1", "--steps", "10"]),
    ("simulate", dict(loss="rotation_hat", q0=[0.6, 0.5], steps=10_000_000, models=["discrete", "ode", "flow"]),
     None),
    ("simulate", dict(loss="rotation_hat", q0=[0.6, 0.5], steps=20_000_000),
     ["--loss", "rotation_hat", "--q0", "0.6,0.5", "--steps", "20000000"]),
    ("simulate", dict(scene="/nonexistent/x.noether"), ["--scene", "/nonexistent/x.noether"]),
    ("simulate", dict(network="2-x-1", data="moons", steps=5), ["--network", "2-x-1", "--data", "moons", "--steps", "5"]),
    ("simulate", dict(network="2-4-1", data="moons", steps=5, activation="gelu"),
     ["--network", "2-4-1", "--data", "moons", "--steps", "5", "--activation", "gelu"]),
    ("simulate", dict(network="2-4-1", data="moons", steps=5, loss="rotation_hat"),
     ["--network", "2-4-1", "--data", "moons", "--steps", "5", "--loss", "rotation_hat"]),
    ("sweep", dict(loss="rotation_hat", q0=[0.6, 0.5], steps=10, lr=0.1, momentum_range=(0, 0.9, 3), metric="final_loss"),
     ["--loss", "rotation_hat", "--q0", "0.6,0.5", "--steps", "10", "--lr", "0.1", "--momentum-range", "0:0.9:3", "--metric", "final_loss"]),
    ("sweep", dict(loss="rotation_hat", q0=[0.6, 0.5], steps=10, lr_range=(0.1, 1, 3), momentum_range=(0, 0.9, 3), metric="speed"),
     ["--loss", "rotation_hat", "--q0", "0.6,0.5", "--steps", "10", "--lr-range", "0.1:1:3", "--momentum-range", "0:0.9:3", "--metric", "speed"]),
    ("sweep", dict(loss="rotation_hat", q0=[0.6, 0.5], steps=10, lr_range=(0.1, 1), momentum_range=(0, 0.9, 3), metric="final_loss"),
     ["--loss", "rotation_hat", "--q0", "0.6,0.5", "--steps", "10", "--lr-range", "0.1:1", "--momentum-range", "0:0.9:3", "--metric", "final_loss"]),
    ("sweep", dict(loss="rotation_hat", q0=[0.6, 0.5], steps=10, lr_range=(0.1, 1, 3), momentum_range=(0, 0.9, 3), metric="final_loss", threads=0),
     ["--loss", "rotation_hat", "--q0", "0.6,0.5", "--steps", "10", "--lr-range", "0.1:1:3", "--momentum-range", "0:0.9:3", "--metric", "final_loss", "--threads", "0"]),
    ("hessian", dict(loss="rotation_hat"), ["--loss", "rotation_hat"]),
    ("hessian", dict(loss="rotation_hat", at=[1, 2, 3]), ["--loss", "rotation_hat", "--at", "1,2,3"]),
    ("discover", dict(loss="rotation_hat", samples=0), ["--loss", "rotation_hat", "--samples", "0"]),
]


@pytest.mark.parametrize("command,kwargs,flags", REFUSALS)
def test_refusals_are_the_clis(command, kwargs, flags):
    with pytest.raises(ValueError) as e:
        getattr(nl, command)(**kwargs)
    message = str(e.value)
    assert message.startswith("--"), message
    if flags is None:
        assert "--steps" in message
        return
    status, _, err = cli(command, *flags)
    assert status == 2
    assert err.strip() == "noetherlab-cli: " + message


@pytest.mark.parametrize("call,words", [
    (lambda: nl.simulate(loss="rotation_hat", q0=[0.6, 0.5], steps=10, lr=True), "--lr: expects a number"),
    (lambda: nl.simulate(loss="rotation_hat", q0=[0.6, "x"], steps=10), "--q0: 'x' is not a number"),
    (lambda: nl.simulate(loss="rotation_hat", q0=[], steps=10), "--q0: is an empty list"),
    (lambda: nl.simulate(loss="rotation_hat", q0=[0.6, 0.5], steps=10, nesterov=1), "--nesterov: is a flag"),
    (lambda: nl.simulate(loss="rotation_hat", q0=[0.6, 0.5], steps=10, models=["euler"]), "models: unknown model 'euler'"),
    (lambda: nl.simulate(loss="rotation_hat", q0=[0.6, 0.5], steps=10, models="ode"), "models: expects a list"),
    (lambda: nl.simulate(loss="rotation_hat", q0=[0.6, 0.5], steps=10, models=["ode"], model="ode"), "not both"),
    (lambda: nl.simulate(loss="rotation_hat", q0=[0.6, 0.5], steps=10, progress=3), "progress: must be callable"),
    (lambda: nl.simulate(loss="rotation_hat", q0=[0.6, 0.5], steps=10, out="x.csv"), "--out: unknown option"),
    (lambda: nl.simulate(loss="rotation_hat", q0=[0.6, 0.5], steps=10, json=True), "--json: unknown option"),
    (lambda: nl.simulate(scene={"rule": {"lr": -1}}), "--scene:"),
    (lambda: nl.sweep(loss="rotation_hat", q0=[0.6, 0.5], steps=10, models=["ode"]), "--models: unknown option"),
    (lambda: nl.save_scene([1, 2], "/tmp/x.noether"), "scene: expects a dict"),
])
def test_python_side_refusals_name_the_keyword(call, words):
    with pytest.raises(ValueError) as e:
        call()
    assert words in str(e.value)


def test_divergence_is_data_as_in_the_cli():
    flags = ["--loss", "quadratic", "--q0", "1,1", "--lr", "3", "--steps", "200"]
    status, out, err = cli("simulate", *flags)
    assert status == 3
    run = nl.simulate(loss="quadratic", q0=[1, 1], lr=3, steps=200)["discrete"]
    assert run["diverged_at"] is not None and run["diverged_at"] > 0
    assert err.strip() == "noetherlab-cli: " + run["message"]
    assert np.isfinite(run["loss"]).all()
    check_trajectory(run, csv_columns(out))


def test_calls_are_deterministic():
    kwargs, _ = SCENES[0]
    a = nl.simulate(**kwargs, models=["discrete", "ode"])
    b = nl.simulate(**kwargs, models=["discrete", "ode"])
    for m in a:
        for k in ["q", "v", "loss", "J_rotation"]:
            assert same_bits(a[m][k], b[m][k])
    s = dict(loss="rotation_hat", q0=[0.6, 0.5], lr_range=(1e-3, 1, 9), momentum_range=(0, 0.9, 7),
             steps=200, metric="final_loss")
    one, many = nl.sweep(**s, threads=1), nl.sweep(**s, threads=2)
    assert same_bits(one["final_loss"], many["final_loss"])


LONG = dict(loss="rotation_hat", q0=[0.6, 0.5], steps=5_000_000, model="ode")


def test_ctrl_c_stops_a_long_call_promptly():
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        nl.simulate(**LONG)
    elapsed = time.monotonic() - start
    assert elapsed < 1.5, elapsed  # the whole run takes ~4 s
    # The module is usable afterwards.
    assert nl.simulate(loss="rotation_hat", q0=[0.6, 0.5], steps=10)["discrete"]["q"].shape == (11, 2)


def test_progress_is_reported_and_an_exception_in_it_stops_the_run():
    seen = []
    nl.simulate(**{**LONG, "steps": 1_000_000}, progress=lambda d, t: seen.append((d, t)))
    assert len(seen) >= 3
    assert seen[-1] == (1_000_001, 1_000_001)
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:]))

    cells = []
    nl.sweep(loss="rotation_hat", q0=[0.6, 0.5], lr_range=(1e-3, 1, 64), momentum_range=(0, 0.9, 64),
             steps=200, metric="final_loss", progress=lambda d, t: cells.append((d, t)))
    assert cells[-1] == (4096, 4096)

    def stop(done, total):
        raise RuntimeError("enough")
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="enough"):
        nl.simulate(**LONG, progress=stop)
    assert time.monotonic() - start < 1.5


def test_long_calls_release_the_gil():
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.005)
    t = threading.Thread(target=count)
    t.start()
    nl.simulate(**{**LONG, "steps": 1_000_000})
    stop.set()
    t.join()
    assert len(ticks) > 20  # ~0.8 s of engine time at 5 ms a tick


def test_help_lists_every_option_as_a_keyword():
    doc = nl.simulate.__doc__
    for word in ["weight_decay=", "ode_rtol", "nesterov", "models=", "scene=", "progress=", "q0",
                 "v0", "betas", "const", "param", "expr", "data_seed", "batch"]:
        assert word in doc, word
    def options(f):  # the option list: keywords, never --flags
        return f.__doc__.split("Options:\n", 1)[1]
    for f in [nl.simulate, nl.sweep, nl.hessian, nl.discover]:
        assert "--" not in options(f), f.__name__
    for f in [nl.losses, nl.load_scene, nl.save_scene]:
        assert len(f.__doc__.splitlines()) >= 3, f.__name__
    assert "lr_range" in nl.sweep.__doc__ and "at=" in nl.hessian.__doc__


def test_scenes_round_trip_and_saves_are_atomic(tmp_path):
    path = os.path.join(PRESETS, "04-implicit-adaptive-lr.noether")
    scene = nl.load_scene(path)
    assert scene["loss"]["name"] and "rule" in scene
    out = tmp_path / "copy.noether"
    nl.save_scene(scene, out)
    assert nl.load_scene(out) == scene
    a = nl.simulate(scene=path, model="discrete")["discrete"]
    b = nl.simulate(scene=str(out), model="discrete")["discrete"]
    assert same_bits(a["q"], b["q"])

    bad = json.loads(json.dumps(scene))
    bad["rule"]["lr"] = -1
    before = out.read_bytes()
    with pytest.raises(ValueError, match="rule.lr"):
        nl.save_scene(bad, out)
    assert out.read_bytes() == before
    with pytest.raises(RuntimeError, match="could not write"):
        nl.save_scene(scene, tmp_path / "no" / "such" / "dir.noether")
    assert sorted(os.listdir(tmp_path)) == ["copy.noether"]
    with pytest.raises(ValueError, match="x.noether"):
        nl.load_scene(tmp_path / "x.noether")


def test_the_example_script_draws_the_readme_figure(tmp_path):
    pytest.importorskip("matplotlib")  # scripts/setup.sh test installs python3-matplotlib
    out = tmp_path / "figure.png"
    p = subprocess.run([sys.executable, os.path.join(SOURCE, "docs", "examples", "noether_charge.py"),
                        str(out)], capture_output=True, text=True, env=os.environ)
    assert p.returncode == 0, p.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "J_0 = 0.1924 (discrete), 0.2025 (ODE)" in p.stdout  # the numbers of preset 2a's text


def test_network_hessian_and_discover_are_the_cli_json():
    net = ["--network", "2-3-1", "--data", "xor", "--data-n", "32", "--lr", "0.1", "--steps", "30"]
    status, out, err = cli("hessian", *net, "--at-step", "30", "--json")
    assert status == 0, err
    h = nl.hessian(network="2-3-1", data="xor", data_n=32, lr=0.1, steps=30, at_step=30)
    assert json_equal(h, json.loads(out))
    assert h["hessian"].shape == (13, 13)

    status, out, err = cli("discover", *net, "--seed", "3", "--json")
    assert status == 0, err
    d = nl.discover(network="2-3-1", data="xor", data_n=32, lr=0.1, steps=30, seed=3)
    assert json_equal(d, json.loads(out))
    assert d["nullity"] == d["expected_nullity"]

    # A step past the divergence: the CLI exits 3 with the run's message; the module names
    # --at-step with the same message.
    bad = ["--network", "2-3-1", "--data", "xor", "--lr", "80", "--steps", "200", "--at-step",
           "200"]
    status, _, err = cli("hessian", *bad)
    assert status == 3
    with pytest.raises(ValueError) as e:
        nl.hessian(network="2-3-1", data="xor", lr=80, steps=200, at_step=200)
    assert str(e.value) == "--at-step: " + err.strip().removeprefix("noetherlab-cli: ")
    with pytest.raises(ValueError) as e:
        nl.hessian(network="2-3-1", data="xor", steps=10)
    status, _, err = cli("hessian", "--network", "2-3-1", "--data", "xor", "--steps", "10")
    assert status == 2 and err.strip() == "noetherlab-cli: " + str(e.value)

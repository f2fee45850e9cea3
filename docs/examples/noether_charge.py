"""Preset 2a (the README's figure) from Python: the Noether charge of a kicked rotation decays
exactly as J_n = beta^n J_0 under heavy-ball momentum, and its implicit-acceleration ODE as
J(0) e^{-mu t / m}; the over-damped run (beta = 0.3) is dotted.

    PYTHONPATH=build/release/python /usr/bin/python3 docs/examples/noether_charge.py [OUT.png]

Needs Debian's python3-numpy and python3-matplotlib, and the module built by the CMake build
(or installed by `cmake --install`, then no PYTHONPATH)."""
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.patheffects as pe  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import noetherlab as nl  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCENE = os.path.join(HERE, "..", "..", "resources", "presets",
                     "02a-noether-charge-underdamped.noether")
out = sys.argv[1] if len(sys.argv) > 1 else "noether-charge.png"

scene = nl.load_scene(SCENE)
run = nl.simulate(scene=scene, models=["discrete", "ode"])
over = nl.simulate(scene=scene, momentum=0.3, models=["discrete"])["discrete"]
disc, ode = run["discrete"], run["ode"]
beta = scene["rule"]["momentum"]

# The exact discrete law, checked here as the app's tests check it.
law = disc["predictions"]["J_rotation_law"]
J = disc["J_rotation"]
assert np.allclose(J, J[0] * beta ** np.arange(len(J)), rtol=1e-9, atol=1e-15)

vermilion, blue = "#D55E00", "#0072B2"
fig, (ax_q, ax_j) = plt.subplots(1, 2, figsize=(12.8, 5.4), dpi=150,
                                 gridspec_kw={"width_ratios": [1, 1.15]})
fig.suptitle(scene["title"], x=0.01, ha="left", fontsize=14, fontweight="bold")

# The landscape f = (|q|^2 - 1)^2 / 4 on a log colour scale, with both trajectories.
g = np.linspace(-1.6, 1.6, 401)
X, Y = np.meshgrid(g, g)
F = ((X**2 + Y**2 - 1) ** 2) / 4
ax_q.pcolormesh(X, Y, np.log10(F + 1e-4), cmap="viridis", shading="auto")
ax_q.contour(X, Y, F, levels=np.geomspace(1e-3, 5, 12), colors="k", linewidths=0.4)
halo = [pe.Stroke(linewidth=6, foreground="white"), pe.Normal()]
ax_q.plot(disc["q"][:, 0], disc["q"][:, 1], color=vermilion, lw=4, label="discrete",
          path_effects=halo)
ax_q.plot(ode["q"][:, 0], ode["q"][:, 1], color=blue, lw=1.5, label="ODE")
ax_q.plot(over["q"][:, 0], over["q"][:, 1], ":", color=vermilion, lw=2,
          label="over-damped β = 0.3")
ax_q.plot(*disc["q"][0], "o", ms=10, mfc="white", mec="black", mew=2.5, label="start q₀")
ax_q.set(xlabel="q1", ylabel="q2", aspect="equal",
         title="Landscape  f = (|q|² − 1)²/4  (colour: log f)")
ax_q.legend(loc="lower left", fontsize=9)

# The charge against step n + 1 on a log axis, as on screen.
n1 = disc["step"] + 1
ax_j.plot(n1, J, color=vermilion, lw=3, label="discrete")
ax_j.plot(n1, law, "--", color="black", lw=1.5, label="closed-form law (exact)")
ax_j.plot(ode["step"] + 1, ode["J_rotation"], color=blue, lw=1.5, label="ODE")
ax_j.plot(over["step"] + 1, over["J_rotation"], ":", color=vermilion, lw=2,
          label="over-damped β = 0.3")
ax_j.set(xscale="log", xlabel="step n + 1   (log scale)", ylabel="J",
         title="Noether charge J = m⟨q′, ξ(q)⟩ for rotation")
ax_j.grid(alpha=0.3)
ax_j.legend(fontsize=9)

fig.tight_layout()
fig.savefig(out)
print(f"wrote {out}: J_0 = {J[0]:.4g} (discrete), {ode['J_rotation'][0]:.4g} (ODE)")

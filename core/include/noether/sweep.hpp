// Hyperparameter sweeps (the regime map): many trajectories of one loss and one rule over a grid
// of two hyperparameters (eta, beta, k or eps), their per-cell metrics, and the theory overlays
// drawn over the same axes (PHYSICS.md §0.1 rules, §1.2–§1.3 charge laws and Eq. 17, §2.2–§2.3
// exact discrete decay, §5.7 stability of heavy ball, §6.1 Eq. 17's rule of thumb).
//
// Metrics (snake_case names, the CLI contract of `noetherlab-cli sweep --metric NAME`).
// N = steps, q_n the discrete iterates, f_min the loss's infimum (SweepSpec::f_min):
//   final_loss              f(q_N) (without the weight-decay term)
//   steps_to_tol            first n in 0..N with f(q_n) - f_min < tol; NaN = not reached
//   diverged_at             first n with q_n non-finite or |q_n| > 1e8; NaN = never
//   charge_decay_rate       -slope of the least-squares line through (n, ln|J_n|) of the loss's
//                           first charge, J_n = <q_{n+1} - q_n, xi(q_n)>, n = 0, 1, ... while
//                           |J_n| > 1e-9 max_{m<=n}|J_m| and |J_n| > 1e-12 (1 + |q_0|^2);
//                           NaN with fewer than 2 such samples or without a generator
//   charge_decay_rate_pred  -ln beta (rotation §2.3; the dissipation of §2.1 for scale and
//                           rescale); translation: -ln rho, rho the spectral radius of heavy ball
//                           on kX^2/2 (§2.2), -ln beta when k = 0
//   norm_growth             |q_N|^2 - |q_0|^2
//   effective_lr            eta / |q_N|^2
//   eq17_error              |r2_17(t_N) - |q_N|^2| / |q_N|^2, r2_17 Eq. 17 with a left Riemann
//                           sum of |g_hat_n|^2 = |q_n|^2 |grad f(q_n)|^2 (§1.3, §6.1); NaN unless
//                           the loss has a scale generator
//   ode_gap, flow_gap       max_n |q_n - q_model(t_n)| / max(max_n |q_n - q_0|, 1e-12), model =
//                           the implicit-acceleration ODE with matched start / gradient flow;
//                           +inf if the model diverges before N
// A cell that diverges has NaN in every measured metric (all but diverged_at and the prediction
// charge_decay_rate_pred); SweepResult::diverged_at marks it apart in any map. NaN is always the
// one quiet-NaN bit pattern.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "noether/scene.hpp"

namespace noether {

/// A hyperparameter a sweep axis can vary.
enum class SweepParam { LearningRate, Momentum, WeightDecay, Eps };
/// "lr", "momentum", "weight_decay", "eps" (the CSV column names).
const char* to_string(SweepParam p);
/// Parses a SweepParam name; nullopt if unknown.
std::optional<SweepParam> parse_sweep_param(const std::string& name);

/// Spacing of an axis: how make_axis fills it and how overlays sample it.
enum class AxisScale { Linear, Log };

/// One axis of a sweep: which hyperparameter and its values (any order; any sub-grid).
struct SweepAxis {
    SweepParam param = SweepParam::LearningRate;
    std::vector<double> values;           ///< cell values along the axis
    AxisScale scale = AxisScale::Linear;  ///< drawing / overlay sampling scale
};

/// count values from a to b inclusive (count = 1: {a}); Log needs a, b > 0. Errors name
/// "<param>-range" (e.g. "lr-range": count must be >= 1).
Result<SweepAxis> make_axis(SweepParam p, double a, double b, long count,
                            AxisScale scale = AxisScale::Linear);

/// Every stride-th value of an axis, always keeping the last (coarse-to-fine: the coarse pass's
/// cells are cells of the fine grid). stride < 1 is taken as 1.
SweepAxis subsample(const SweepAxis& axis, long stride);

/// The per-cell metrics (see the table at the top of this header).
enum class SweepMetric {
    FinalLoss,
    StepsToTol,
    DivergedAt,
    ChargeDecayRate,
    ChargeDecayRatePred,
    NormGrowth,
    EffectiveLr,
    Eq17Error,
    OdeGap,
    FlowGap
};
/// snake_case metric name, e.g. "final_loss".
const char* to_string(SweepMetric m);
/// Parses a metric name; nullopt if unknown.
std::optional<SweepMetric> parse_sweep_metric(const std::string& name);
/// Every metric, in the order of the enum.
const std::vector<SweepMetric>& all_sweep_metrics();
/// One line: what the metric is, with its formula.
const char* describe(SweepMetric m);

/// What to sweep: a base scene whose swept fields are overwritten per cell, two axes, metrics.
struct SweepSpec {
    Scene base;  ///< loss, rule, q0, v0, steps (N >= 1), ode_rtol (for ode_gap / flow_gap)
    SweepAxis x{SweepParam::LearningRate, {}, AxisScale::Linear};  ///< first axis (CSV column 1)
    SweepAxis y{SweepParam::Momentum, {}, AxisScale::Linear};      ///< second axis (CSV column 2)
    std::vector<SweepMetric> metrics = {SweepMetric::FinalLoss};   ///< at least one
    double tol = 1e-6;                                             ///< steps_to_tol tolerance, > 0
    std::optional<double> f_min;  ///< infimum of f; default: closed form for built-ins, else 0
};

/// How to run a sweep.
struct SweepOptions {
    int threads = 0;                            ///< worker threads; 0 = every core
    const std::atomic<bool>* cancel = nullptr;  ///< set to true to stop; the result is then absent
    /// Called on the calling thread with (cells done, cells total) as blocks complete, ending
    /// with (total, total) on success. Keep it short.
    std::function<void(long done, long total)> progress;
    bool force_per_cell = false;  ///< testing: use the per-cell path even where a batched exists
};

/// Complete result of a sweep (never partial): plain arrays, cell = ix * ny + iy.
struct SweepResult {
    SweepAxis x;                              ///< copy of the first axis
    SweepAxis y;                              ///< copy of the second axis
    long steps = 0;                           ///< N
    double f_min = 0.0;                       ///< infimum used by steps_to_tol (at base eps)
    double tol = 0.0;                         ///< tolerance used by steps_to_tol
    std::vector<SweepMetric> metrics;         ///< computed metrics, in the spec's order
    std::vector<std::vector<double>> values;  ///< values[metric][cell]
    std::vector<long> diverged_at;            ///< per cell: first bad step, -1 = never
    bool batched = false;  ///< the closed-form structure-of-arrays path ran (else per cell)
    int threads = 1;       ///< worker threads used

    /// Number of cells nx * ny.
    long cells() const { return static_cast<long>(x.values.size() * y.values.size()); }
    /// Linear index of cell (ix, iy).
    long index(long ix, long iy) const { return ix * static_cast<long>(y.values.size()) + iy; }
    /// The values of a metric, or nullptr if it was not computed.
    const std::vector<double>* metric(SweepMetric m) const;
};

/// Checks axes, metrics, tolerance and the base scene; the Error names the field
/// ("lr-range", "momentum-range", "weight-decay-range", "eps-range", "metric", "tol", "steps",
/// "q0", ...).
Status validate(const SweepSpec& spec);

/// The scene of one cell (for click-to-open): the base with the two axis values applied.
Scene cell_scene(const SweepSpec& spec, long ix, long iy);

/// Runs the sweep: validated, split into static contiguous chunks over the threads, each cell
/// bit-identical to noether::simulate of cell_scene (for SGD via the batched closed-form
/// gradients of rotation_hat, scale_cos, translation_valley, rescale_2d and 2-D quadratic;
/// every other loss and rule via noether::step per cell). Identical for any thread count.
/// Errors: bad input (named field) or "cancel" when options.cancel was set.
Result<SweepResult> run_sweep(const SweepSpec& spec, const SweepOptions& options = {});

/// A curve in axis coordinates (x = spec.x value, y = spec.y value).
struct Polyline {
    std::vector<double> x;  ///< first-axis coordinates
    std::vector<double> y;  ///< second-axis coordinates
};

/// A theory curve over the regime map: the zero set of F(eta, beta, k, eps) inside the axes.
struct SweepOverlay {
    std::string name;             ///< "stability_limit", "overdamped_boundary", ...
    std::string doc;              ///< formula, which side is which, and its source
    std::vector<Polyline> lines;  ///< pieces inside the axis ranges (may be empty)
    double curvature = 0.0;  ///< lambda used: at the base eps (eps axis: at its smallest value)
};

/// The theory overlays for the spec's axes, each sampled at `samples` points along one axis and
/// solved for the other (bisection to machine precision):
///   stability_limit         eta (lambda + k) = 2(1 + beta)  (§5.7; exact for the quadratic)
///   overdamped_boundary     zeta kappa = 1, zeta = 2 eta (1+beta)/(1-beta)^2 = 4m/mu^2 (§6.1)
///   charge_critical_damping mu^2 = 4 m k_J: k_J = k (translation), 2k (scale, rescale) (§1.2)
///   eq17_region             zeta lambda = 0.5 (§6.1 rule of thumb; scale-invariant losses only)
/// lambda = largest eigenvalue of the Hessian of f over q0 and 200 samples of the gradient flow
/// q' = -grad f from q0 up to t = steps * (largest lr) (exact for the quadratic; on an eps axis
/// computed at 17 values of eps and interpolated); kappa = lambda for scale-invariant losses (the
/// angular mode: weight decay does not act on it), else lambda + k. The issue's "line m/mu =
/// const" is overdamped_boundary: critical damping of a mode of stiffness kappa is
/// mu^2 = 4 m kappa, i.e. m/mu^2 = 1/(4 kappa).
Result<std::vector<SweepOverlay>> sweep_overlays(const SweepSpec& spec, int samples = 257);

/// The sweep as CSV: a header "<x param>,<y param>,<metric>...", then one row per cell, x outer,
/// y inner; 17 significant digits, "nan" where a metric has no value. (The `sweep` CLI's
/// contract, lr,momentum,<metric>; the regime map exports the same.)
std::string sweep_csv(const SweepResult& r);
/// The same bytes in chunks of about 64 KiB, each handed to `sink` (which returns false to stop:
/// a failed write); returns false if the sink failed. Streams a big sweep to a file without
/// holding it in memory.
bool sweep_csv_chunks(const SweepResult& r,
                      const std::function<bool(const char* data, std::size_t size)>& sink);

}  // namespace noether

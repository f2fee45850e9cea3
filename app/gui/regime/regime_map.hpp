// The data of the regime map (issue 6): what to sweep (two axes over a range, one metric, the
// base scene), one complete pass of the sweep with its theory overlays, and the pure helpers
// the view draws with: cell-centred axes, the axis <-> unit-square map, the colour scale, names
// and units of the metrics and overlays, the CSV export. No widgets here.
#pragma once

#include <QByteArray>
#include <QString>
#include <memory>
#include <vector>

#include "noether/sweep.hpp"

namespace noether::gui {

/// One axis of the map: which hyperparameter and the range [lo, hi] the picture spans.
struct RegimeAxis {
    SweepParam param = SweepParam::LearningRate;
    double lo = 1e-3;                  ///< left/bottom edge of the picture
    double hi = 1.0;                   ///< right/top edge, > lo
    AxisScale scale = AxisScale::Log;  ///< spacing of the cells and ticks

    bool operator==(const RegimeAxis&) const = default;
};

/// The default axis for a hyperparameter (eta and k log, beta and eps linear).
RegimeAxis defaultRegimeAxis(SweepParam p);

/// What to compute: the base scene, two axes, a metric, the finest resolution.
struct RegimeRequest {
    Scene base;
    RegimeAxis x{SweepParam::LearningRate, 1e-3, 3.0, AxisScale::Log};
    RegimeAxis y{SweepParam::Momentum, 0.0, 0.99, AxisScale::Linear};
    SweepMetric metric = SweepMetric::StepsToTol;  ///< the colours; steps_to_tol shows most
    long resolution = 128;                         ///< cells per axis of the last pass
    double tol = 1e-6;                             ///< steps_to_tol tolerance
};

/// The coarse-to-fine passes for a final resolution: 16, 64, then the resolution (those below it).
std::vector<long> regimePasses(long resolution);

/// n cell centres spanning [lo, hi] in the axis's scale (cell i covers [i, i+1]/n of the range).
SweepAxis cellAxis(const RegimeAxis& axis, long n);
/// Position of value v along the axis as a fraction of the range (0 = lo, 1 = hi).
double axisUnit(const RegimeAxis& axis, double v);
/// The value at fraction t of the range.
double axisValue(const RegimeAxis& axis, double t);

/// The sweep of one pass: base scene, cell-centred axes of n x n cells, the metric.
SweepSpec regimeSpec(const RegimeRequest& r, long n);
/// The current-scene value of a swept hyperparameter (for the "you are here" marker).
double sceneValue(const Scene& scene, SweepParam p);
/// The scene with hyperparameter p set to v (what a click does to the current scene).
void setSceneValue(Scene& scene, SweepParam p, double v);
/// The scene with every field the map does not depend on (the two swept parameters, which
/// models are shown) normalised: two scenes with equal keys give the same map.
Scene regimeKey(const Scene& scene, const RegimeAxis& x, const RegimeAxis& y, SweepMetric metric);

/// One complete pass of a regime sweep, immutable once delivered.
struct RegimeMap {
    RegimeRequest request;               ///< what was asked for
    SweepSpec spec;                      ///< this pass's sweep (axes of nx x ny cell centres)
    SweepResult result;                  ///< complete result of the sweep
    std::vector<SweepOverlay> overlays;  ///< theory curves over the full range
    QString overlay_error;               ///< why there are no overlays (or empty)
    int pass = 0;                        ///< index of the pass, 0 = coarsest
    int passes = 1;                      ///< number of passes of the request
    quint64 generation = 0;              ///< request number
    double engine_ms = 0.0;              ///< wall time of this pass

    long nx() const { return static_cast<long>(result.x.values.size()); }
    long ny() const { return static_cast<long>(result.y.values.size()); }
    /// True for the last pass of its request.
    bool isFinal() const { return pass + 1 >= passes; }
    /// The metric value of cell (ix, iy) (NaN: undefined or diverged).
    double value(long ix, long iy) const;
    /// The first bad step of cell (ix, iy), -1 = never diverged.
    long divergedAt(long ix, long iy) const;
};

/// Long name of a hyperparameter with its symbol, e.g. "learning rate η".
QString paramTitle(SweepParam p);
/// The symbol alone: "η", "β", "k", "ε".
QString paramSymbol(SweepParam p);
/// Human name of a metric with its formula, e.g. "final loss f(q_N)".
QString metricTitle(SweepMetric m);
/// Units of a metric, e.g. "steps", "1/step" (may be empty: a loss value).
QString metricUnits(SweepMetric m);
/// What a NaN cell that did not diverge means for this metric ("never diverged", ...).
QString metricUndefinedText(SweepMetric m);
/// Short label of a theory overlay, e.g. "stability ηλ = 2(1+β)".
QString overlayLabel(const SweepOverlay& o, bool k_in_limit);
/// Formats a number for read-outs and ticks: `digits` significant digits, no trailing zeros,
/// plain from 0.001 to 99999, else "3.2×10⁻⁵"; Unicode minus.
QString formatNumber(double v, int digits = 3);
/// An integer as superscript digits, e.g. "⁻¹²".
QString superscriptNumber(int e);

/// Linear or log colour scale over finite values.
struct ColourScale {
    bool log = false;
    double lo = 0.0, hi = 1.0;  ///< value range (log: both > 0)
    bool valid = false;         ///< false when there is no finite value to show
    /// Position of a value in [0, 1] (clamped; log: non-positive values -> 0).
    double unit(double v) const;
};
/// Fits a colour scale to the finite values (log: positive values, at most 12 decades).
ColourScale fitColourScale(const std::vector<double>& values, bool log);

/// CSV of a map, the CLI sweep's format: "<x param>,<y param>,<metric>", x outer, y inner.
QByteArray regimeCsv(const RegimeMap& map);

}  // namespace noether::gui

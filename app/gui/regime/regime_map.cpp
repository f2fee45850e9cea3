#include "gui/regime/regime_map.hpp"

#include <QObject>
#include <algorithm>
#include <cmath>
#include <limits>

namespace noether::gui {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// The map relaxes the integrator of ode_gap / flow_gap to this (a map needs 3 digits, not 11).
constexpr double kMapOdeRtol = 1e-8;
// Log colour scales span at most this many decades below the largest value.
constexpr double kMaxDecades = 12.0;
}  // namespace

RegimeAxis defaultRegimeAxis(SweepParam p) {
    switch (p) {
        case SweepParam::LearningRate:
            return {p, 1e-3, 3.0, AxisScale::Log};
        case SweepParam::Momentum:
            return {p, 0.0, 0.99, AxisScale::Linear};
        case SweepParam::WeightDecay:
            return {p, 1e-4, 0.1, AxisScale::Log};
        case SweepParam::Eps:
            return {p, 0.0, 0.5, AxisScale::Linear};
    }
    return {};
}

std::vector<long> regimePasses(long resolution) {
    resolution = std::max(1L, resolution);
    std::vector<long> out;
    for (long n : {16L, 64L})
        if (n < resolution) out.push_back(n);
    out.push_back(resolution);
    return out;
}

double axisUnit(const RegimeAxis& a, double v) {
    if (a.scale == AxisScale::Log && a.lo > 0.0 && a.hi > 0.0 && v > 0.0)
        return (std::log(v) - std::log(a.lo)) / (std::log(a.hi) - std::log(a.lo));
    if (a.scale == AxisScale::Log) return v > 0.0 ? 0.0 : -1.0;
    return (v - a.lo) / (a.hi - a.lo);
}

double axisValue(const RegimeAxis& a, double t) {
    if (a.scale == AxisScale::Log && a.lo > 0.0 && a.hi > 0.0)
        return std::exp(std::log(a.lo) + (std::log(a.hi) - std::log(a.lo)) * t);
    return a.lo + (a.hi - a.lo) * t;
}

SweepAxis cellAxis(const RegimeAxis& a, long n) {
    n = std::max(1L, n);
    SweepAxis out{a.param, std::vector<double>(static_cast<size_t>(n)), a.scale};
    for (long i = 0; i < n; ++i)
        out.values[i] = axisValue(a, (static_cast<double>(i) + 0.5) / static_cast<double>(n));
    return out;
}

SweepSpec regimeSpec(const RegimeRequest& r, long n) {
    SweepSpec s;
    s.base = r.base;
    if (r.metric == SweepMetric::OdeGap || r.metric == SweepMetric::FlowGap)
        s.base.ode_rtol = std::max(s.base.ode_rtol, kMapOdeRtol);
    s.x = cellAxis(r.x, n);
    s.y = cellAxis(r.y, n);
    s.metrics = {r.metric};
    s.tol = r.tol;
    return s;
}

double sceneValue(const Scene& scene, SweepParam p) {
    switch (p) {
        case SweepParam::LearningRate:
            return scene.rule.lr;
        case SweepParam::Momentum:
            return scene.rule.momentum;
        case SweepParam::WeightDecay:
            return scene.rule.weight_decay;
        case SweepParam::Eps:
            return scene.loss.eps;
    }
    return kNaN;
}

void setSceneValue(Scene& scene, SweepParam p, double v) {
    switch (p) {
        case SweepParam::LearningRate:
            scene.rule.lr = v;
            break;
        case SweepParam::Momentum:
            scene.rule.momentum = v;
            break;
        case SweepParam::WeightDecay:
            scene.rule.weight_decay = v;
            break;
        case SweepParam::Eps:
            scene.loss.eps = v;
            break;
    }
}

Scene regimeKey(const Scene& scene, const RegimeAxis& x, const RegimeAxis& y, SweepMetric metric) {
    Scene k = scene;
    setSceneValue(k, x.param, 0.0);
    setSceneValue(k, y.param, 0.0);
    k.show_discrete = true;
    k.show_ode = k.show_ode_rest = k.show_flow = false;
    if (metric != SweepMetric::OdeGap && metric != SweepMetric::FlowGap) k.ode_rtol = 0.0;
    return k;
}

double RegimeMap::value(long ix, long iy) const {
    if (ix < 0 || iy < 0 || ix >= nx() || iy >= ny() || result.values.empty()) return kNaN;
    return result.values.front()[result.index(ix, iy)];
}

long RegimeMap::divergedAt(long ix, long iy) const {
    if (ix < 0 || iy < 0 || ix >= nx() || iy >= ny()) return -1;
    return result.diverged_at[result.index(ix, iy)];
}

QString paramSymbol(SweepParam p) {
    switch (p) {
        case SweepParam::LearningRate:
            return QStringLiteral("η");
        case SweepParam::Momentum:
            return QStringLiteral("β");
        case SweepParam::WeightDecay:
            return QStringLiteral("k");
        case SweepParam::Eps:
            return QStringLiteral("ε");
    }
    return {};
}

QString paramTitle(SweepParam p) {
    switch (p) {
        case SweepParam::LearningRate:
            return QObject::tr("learning rate η");
        case SweepParam::Momentum:
            return QObject::tr("momentum β");
        case SweepParam::WeightDecay:
            return QObject::tr("weight decay k");
        case SweepParam::Eps:
            return QObject::tr("symmetry breaking ε");
    }
    return {};
}

QString metricTitle(SweepMetric m) {
    switch (m) {
        case SweepMetric::FinalLoss:
            return QObject::tr("final loss f(q_N)");
        case SweepMetric::StepsToTol:
            return QObject::tr("steps until f − f_min < tol");
        case SweepMetric::DivergedAt:
            return QObject::tr("diverged at step");
        case SweepMetric::ChargeDecayRate:
            return QObject::tr("charge decay rate −d ln|J|/dn");
        case SweepMetric::ChargeDecayRatePred:
            return QObject::tr("predicted charge decay rate");
        case SweepMetric::NormGrowth:
            return QObject::tr("norm growth |q_N|² − |q₀|²");
        case SweepMetric::EffectiveLr:
            return QObject::tr("effective learning rate η/|q_N|²");
        case SweepMetric::Eq17Error:
            return QObject::tr("Eq. 17 error |r²₁₇ − |q_N|²| / |q_N|²");
        case SweepMetric::OdeGap:
            return QObject::tr("gap to the ODE (matched start)");
        case SweepMetric::FlowGap:
            return QObject::tr("gap to gradient flow");
    }
    return {};
}

QString metricUnits(SweepMetric m) {
    switch (m) {
        case SweepMetric::FinalLoss:
            return {};
        case SweepMetric::StepsToTol:
        case SweepMetric::DivergedAt:
            return QObject::tr("steps");
        case SweepMetric::ChargeDecayRate:
        case SweepMetric::ChargeDecayRatePred:
            return QObject::tr("per step");
        case SweepMetric::NormGrowth:
            return QObject::tr("|q|²");
        case SweepMetric::EffectiveLr:
            return QObject::tr("1/|q|²");
        case SweepMetric::Eq17Error:
            return QObject::tr("relative");
        case SweepMetric::OdeGap:
        case SweepMetric::FlowGap:
            return QObject::tr("× max|q_n − q₀|");
    }
    return {};
}

QString metricUndefinedText(SweepMetric m) {
    switch (m) {
        case SweepMetric::StepsToTol:
            return QObject::tr("tolerance not reached");
        case SweepMetric::DivergedAt:
            return QObject::tr("never diverged");
        case SweepMetric::ChargeDecayRate:
        case SweepMetric::ChargeDecayRatePred:
            return QObject::tr("no charge to measure");
        case SweepMetric::Eq17Error:
            return QObject::tr("no scale symmetry");
        default:
            return QObject::tr("undefined");
    }
}

QString overlayLabel(const SweepOverlay& o, bool k_in_limit) {
    if (o.name == "stability_limit")
        return k_in_limit ? QObject::tr("stability η(λ+k) = 2(1+β)")
                          : QObject::tr("stability ηλ = 2(1+β)");
    if (o.name == "overdamped_boundary") return QObject::tr("critical damping 4m/μ² = 1/κ");
    if (o.name == "charge_critical_damping")
        return QObject::tr("charge critical damping μ² = 4m k_J");
    if (o.name == "eq17_region") return QObject::tr("Eq. 17 holds below ζλ = ½");
    return QString::fromStdString(o.name);
}

QString superscriptNumber(int e) {
    static const QString digits = QStringLiteral("⁰¹²³⁴⁵⁶⁷⁸⁹");
    QString s = e < 0 ? QStringLiteral("⁻") : QString();
    for (QChar c : QString::number(std::abs(e)))
        s += digits[c.digitValue()];
    return s;
}

QString formatNumber(double v, int digits) {
    if (std::isnan(v)) return QStringLiteral("—");
    if (std::isinf(v)) return v > 0 ? QStringLiteral("∞") : QStringLiteral("−∞");
    if (v == 0.0) return QStringLiteral("0");
    digits = std::max(1, digits);
    auto strip = [](QString t) {
        if (t.contains('.')) {
            while (t.endsWith('0'))
                t.chop(1);
            if (t.endsWith('.')) t.chop(1);
        }
        return t;
    };
    const double a = std::abs(v);
    QString s;
    if (a >= 1e-3 && a < 1e5) {
        const int mag = static_cast<int>(std::floor(std::log10(a)));
        s = strip(QString::number(v, 'f', std::max(0, digits - 1 - mag)));
    } else {
        const QString e = QString::number(v, 'e', digits - 1);  // "-3.21e-05"
        const qsizetype at = e.indexOf('e');
        s = strip(e.left(at)) + QStringLiteral("×10") + superscriptNumber(e.mid(at + 1).toInt());
    }
    s.replace('-', QChar(0x2212));
    return s;
}

double ColourScale::unit(double v) const {
    if (std::isnan(v) || !valid) return 0.0;
    if (std::isinf(v)) return v > 0 ? 1.0 : 0.0;
    double t = 0.0;
    if (log) {
        if (!(v > 0.0)) return 0.0;
        t = (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
    } else {
        t = (v - lo) / (hi - lo);
    }
    return std::clamp(t, 0.0, 1.0);
}

ColourScale fitColourScale(const std::vector<double>& values, bool log) {
    ColourScale s;
    s.log = log;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values) {
        if (!std::isfinite(v) || (log && !(v > 0.0))) continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    if (!(lo <= hi)) return s;
    s.valid = true;
    if (log) {
        lo = std::max(lo, hi * std::pow(10.0, -kMaxDecades));
        if (hi / lo < 1.0 + 1e-9) {
            lo /= 10.0;
            hi *= 10.0;
        }
    } else if (!(hi - lo > 1e-12 * std::max(std::abs(lo), std::abs(hi)))) {
        const double pad = lo != 0.0 ? 0.5 * std::abs(lo) : 0.5;
        lo -= pad;
        hi += pad;
    }
    s.lo = lo;
    s.hi = hi;
    return s;
}

QByteArray regimeCsv(const RegimeMap& map) {
    return QByteArray::fromStdString(sweep_csv(map.result));
}

}  // namespace noether::gui

// Batched hyperparameter sweeps: the regime map's engine (PHYSICS.md §0.1, §1.2, §1.3, §2.1–§2.3,
// §5.7, §6.1). Heavy ball on the 2-D built-in losses runs as structure of arrays over blocks of
// cells with the loss's closed-form gradient inlined, one contiguous array per coordinate and
// the inner loop over the block (auto-vectorised; one clone per ISA level, picked at load time).
// Every other loss or rule runs noether::step() per cell. Each cell's arithmetic is exactly the
// operation sequence of core/src/rule.cpp and core/src/losses.cpp, independent of its
// neighbours, so results are bit-identical to simulate() and to any thread count.
#include "noether/sweep.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "noether/rule.hpp"
#include "noether/run.hpp"

namespace noether {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr long kMaxAxisCount = 1L << 16;
constexpr long kMaxCells = 1L << 24;
// Cells per structure-of-arrays block (about 30 KiB of state: stays in L1).
constexpr int kBlock = 256;
// Steps between two looks at the cancel flag.
constexpr long kCancelEvery = 256;
// Denominator floor of ode_gap / flow_gap.
constexpr double kGapFloor = 1e-12;

std::string got(double x) {
    std::ostringstream os;
    os << "(got " << x << ")";
    return os.str();
}

const char* range_field(SweepParam p) {
    switch (p) {
        case SweepParam::LearningRate:
            return "lr-range";
        case SweepParam::Momentum:
            return "momentum-range";
        case SweepParam::WeightDecay:
            return "weight-decay-range";
        case SweepParam::Eps:
            return "eps-range";
    }
    return "range";
}

Status check_value(SweepParam p, double v) {
    const char* field = range_field(p);
    if (!std::isfinite(v)) return Error{field, "values must be finite " + got(v)};
    switch (p) {
        case SweepParam::LearningRate:
            if (!(v > 0.0)) return Error{field, "lr must be > 0 " + got(v)};
            break;
        case SweepParam::Momentum:
            if (!(v >= 0.0 && v < 1.0)) return Error{field, "momentum must be in [0, 1) " + got(v)};
            break;
        case SweepParam::WeightDecay:
            if (!(v >= 0.0)) return Error{field, "weight decay must be >= 0 " + got(v)};
            break;
        case SweepParam::Eps:
            break;
    }
    return {};
}

void apply(RuleParams& r, double& eps, SweepParam p, double v) {
    switch (p) {
        case SweepParam::LearningRate:
            r.lr = v;
            break;
        case SweepParam::Momentum:
            r.momentum = v;
            break;
        case SweepParam::WeightDecay:
            r.weight_decay = v;
            break;
        case SweepParam::Eps:
            eps = v;
            break;
    }
}

// Infimum of a built-in loss in closed form (0 where unknown or not attained).
double infimum(const LossSpec& spec, const Loss& loss) {
    const std::string& n = spec.name;
    const double eps = loss.eps();
    if (n == "rotation_hat" && eps != 0.0) {
        // min over r of (r^2 - 1)^2/4 - |eps| r: the root of r^3 - r - |eps| = 0 above 1.
        const double e = std::abs(eps);
        double r = 1.0 + e;
        for (int i = 0; i < 100; ++i)
            r -= (r * r * r - r - e) / (3.0 * r * r - 1.0);
        const double a = r * r - 1.0;
        return 0.25 * a * a - e * r;
    }
    if (n == "rayleigh") {
        const auto it = spec.params.find("diag");
        std::vector<double> b = it != spec.params.end() ? it->second : std::vector<double>{};
        if (b.empty())
            for (const auto& p : find_loss_info(n)->params)
                if (p.name == "diag") b = p.default_value;
        const double bmin = *std::min_element(b.begin(), b.end());
        return eps > 0.0 ? std::min(0.0, bmin) : bmin;
    }
    return 0.0;
}

// ---------------------------------------------------------------------------------------------
// The plan: validated input, one loss per eps value, the kernel choice.

enum class Kernel {
    PerCell,
    RotationHat,
    ScaleCos,
    TranslationValley,
    TranslationFlat,
    Rescale2d,
    Quadratic2d
};

// Constants of the batched closed-form gradients.
struct Coef {
    double u0 = 0.0, u1 = 0.0;  // scale_cos u* = (cos theta*, sin theta*)
    double l0 = 0.0, l1 = 0.0;  // quadratic diag
};

struct Plan {
    const SweepSpec* spec = nullptr;
    long nx = 0, ny = 0, cells = 0, steps = 0;
    int eps_axis = -1;  // 0: x, 1: y, -1: fixed
    std::vector<std::shared_ptr<const Loss>> losses;
    std::vector<double> f_min;  // per loss
    Kernel kernel = Kernel::PerCell;
    Coef coef;
    bool need_loss = false, need_eq17 = false, need_charge = false;
    bool need_ode = false, need_flow = false;
    bool has_scale = false;
    bool has_generator = false;
    Generator generator;  // the loss's first generator (the charge of the decay-rate metrics)
    double charge_floor = 0.0;
    double r2_start = 0.0;
};

struct CellParams {
    RuleParams rule;
    double eps = 0.0;
    int loss = 0;
};

CellParams cell_params(const Plan& P, long c) {
    const SweepSpec& s = *P.spec;
    const long ix = c / P.ny, iy = c % P.ny;
    CellParams cp;
    cp.rule = s.base.rule;
    cp.eps = s.base.loss.eps;
    apply(cp.rule, cp.eps, s.x.param, s.x.values[ix]);
    apply(cp.rule, cp.eps, s.y.param, s.y.values[iy]);
    cp.loss = P.eps_axis == 0 ? static_cast<int>(ix) : P.eps_axis == 1 ? static_cast<int>(iy) : 0;
    return cp;
}

bool has_metric(const SweepSpec& s, SweepMetric m) {
    return std::find(s.metrics.begin(), s.metrics.end(), m) != s.metrics.end();
}

Status check_axis(const SweepAxis& a) {
    if (a.values.empty()) return Error{range_field(a.param), "needs N >= 1 cells (got 0)"};
    if (static_cast<long>(a.values.size()) > kMaxAxisCount)
        return Error{range_field(a.param),
                     "at most " + std::to_string(kMaxAxisCount) + " cells per axis"};
    for (double v : a.values)
        if (auto st = check_value(a.param, v); !st) return st;
    return {};
}

Result<Plan> make_plan(const SweepSpec& spec, bool force_per_cell) {
    Plan P;
    P.spec = &spec;
    if (auto st = check_axis(spec.x); !st) return st.error();
    if (auto st = check_axis(spec.y); !st) return st.error();
    if (spec.x.param == spec.y.param)
        return Error{range_field(spec.y.param), "the two axes must vary different parameters"};
    P.nx = static_cast<long>(spec.x.values.size());
    P.ny = static_cast<long>(spec.y.values.size());
    if (P.nx * P.ny > kMaxCells)
        return Error{range_field(spec.x.param), "grid too large (" + std::to_string(P.nx * P.ny) +
                                                    " cells; at most " + std::to_string(kMaxCells) +
                                                    ")"};
    P.cells = P.nx * P.ny;
    if (spec.metrics.empty()) return Error{"metric", "choose at least one metric"};
    if (!(spec.tol > 0.0) || !std::isfinite(spec.tol))
        return Error{"tol", "must be a finite number > 0 " + got(spec.tol)};
    if (spec.f_min && !std::isfinite(*spec.f_min)) return Error{"f-min", "must be a finite number"};
    if (spec.base.rule.nesterov && spec.base.rule.rule == Rule::Sgd) {
        for (const SweepAxis* a : {&spec.x, &spec.y})
            if (a->param == SweepParam::Momentum)
                for (double v : a->values)
                    if (v <= 0.0)
                        return Error{range_field(a->param),
                                     "nesterov needs momentum > 0 in every cell " + got(v)};
    }

    // One loss per eps value (the eps axis), validated with the scene at that value.
    P.eps_axis = spec.x.param == SweepParam::Eps ? 0 : spec.y.param == SweepParam::Eps ? 1 : -1;
    std::vector<double> eps_values = {spec.base.loss.eps};
    if (P.eps_axis >= 0) eps_values = (P.eps_axis == 0 ? spec.x : spec.y).values;
    for (double eps : eps_values) {
        LossSpec ls = spec.base.loss;
        ls.eps = eps;
        auto loss = make_loss(ls);
        if (!loss) {
            Error e = loss.error();
            if (P.eps_axis >= 0 && e.field == "eps") e.field = "eps-range";
            return e;
        }
        P.losses.push_back(loss.value());
        P.f_min.push_back(spec.f_min ? *spec.f_min : infimum(ls, *loss.value()));
    }
    Scene first = cell_scene(spec, 0, 0);
    first.show_discrete = true;
    for (const auto& loss : P.losses)
        if (auto st = validate(first, *loss); !st) return st.error();
    P.steps = spec.base.steps;

    // What the metrics need per step.
    P.need_loss = has_metric(spec, SweepMetric::StepsToTol);
    P.need_charge = has_metric(spec, SweepMetric::ChargeDecayRate);
    P.need_ode = has_metric(spec, SweepMetric::OdeGap);
    P.need_flow = has_metric(spec, SweepMetric::FlowGap);
    const Loss& loss0 = *P.losses.front();
    for (const auto& g : loss0.generators())
        P.has_scale |= g.kind == SymmetryKind::Scale;
    P.need_eq17 = P.has_scale && has_metric(spec, SweepMetric::Eq17Error);
    P.has_generator = !loss0.generators().empty();
    if (P.has_generator) P.generator = loss0.generators().front();
    P.need_charge &= P.has_generator;
    P.r2_start = spec.base.q0.squaredNorm();
    P.charge_floor = 1e-12 * (1.0 + P.r2_start);

    // The batched closed-form path: heavy-ball SGD on a 2-D built-in loss.
    const RuleParams& r = spec.base.rule;
    const std::string& name = spec.base.loss.name;
    if (!force_per_cell && !P.need_ode && !P.need_flow && r.rule == Rule::Sgd &&
        !r.constrain_norm && loss0.dim() == 2) {
        if (name == "rotation_hat") {
            P.kernel = Kernel::RotationHat;
        } else if (name == "scale_cos") {
            P.kernel = Kernel::ScaleCos;
            const auto it = spec.base.loss.params.find("theta_star");
            const double theta = it != spec.base.loss.params.end() ? it->second.at(0) : 0.0;
            P.coef.u0 = std::cos(theta);  // as ScaleCos: u_ << cos(theta), sin(theta)
            P.coef.u1 = std::sin(theta);
        } else if (name == "translation_valley") {
            bool flat = true;
            for (const auto& l : P.losses)
                flat &= l->eps() == 0.0;
            P.kernel = flat ? Kernel::TranslationFlat : Kernel::TranslationValley;
        } else if (name == "rescale_2d") {
            P.kernel = Kernel::Rescale2d;
        } else if (name == "quadratic") {
            P.kernel = Kernel::Quadratic2d;
            const auto it = spec.base.loss.params.find("diag");
            std::vector<double> d = it != spec.base.loss.params.end()
                                        ? it->second
                                        : find_loss_info("quadratic")->params.front().default_value;
            P.coef.l0 = d.at(0);
            P.coef.l1 = d.at(1);
        }
    }
    return P;
}

// ---------------------------------------------------------------------------------------------
// Per-cell observations shared by both paths (the same arithmetic in the same order).

// Least-squares slope of ln|J_n| against n (Welford updates), closed at the first sample that
// falls below the floors.
struct ChargeFit {
    long count = 0;
    double mean_n = 0.0, mean_y = 0.0, c_nn = 0.0, c_ny = 0.0, j_max = 0.0;
    bool open = true;

    void add(long n, double j, double floor) {
        if (!open) return;
        const double a = std::abs(j);
        if (!std::isfinite(a)) {
            open = false;
            return;
        }
        j_max = std::max(j_max, a);
        if (!(a > floor) || !(a > 1e-9 * j_max)) {
            open = false;
            return;
        }
        ++count;
        const double x = static_cast<double>(n), y = std::log(a);
        const double dx = x - mean_n;
        mean_n += dx / static_cast<double>(count);
        mean_y += (y - mean_y) / static_cast<double>(count);
        c_ny += dx * (y - mean_y);
        c_nn += dx * (x - mean_n);
    }
    // -slope: the measured per-step decay rate.
    double rate() const { return count >= 2 && c_nn > 0.0 ? -c_ny / c_nn : kNaN; }
};

struct Tracker {
    double steps_to_tol = kNaN;
    double eq17_I = 0.0;      // int e^{-4k(t - tau)/mu} |g_hat|^2, left Riemann sum
    double eq17_decay = 0.0;  // e^{-4 k eta / mu}
    double eta = 0.0;
    ChargeFit fit;
};

Tracker make_tracker(const CellParams& cp) {
    Tracker t;
    const double k = cp.rule.weight_decay, eta = cp.rule.lr, mu = damping(cp.rule);
    t.eq17_decay = std::exp(-4.0 * k * eta / mu);  // as run.cpp add_predictions
    t.eta = eta;
    return t;
}

inline void observe_loss(Tracker& t, long n, double f, double f_min, double tol) {
    if (std::isnan(t.steps_to_tol) && f - f_min < tol) t.steps_to_tol = static_cast<double>(n);
}

inline void observe_eq17(Tracker& t, double r2, double grad_norm) {
    const double ghat2 = r2 * grad_norm * grad_norm;  // |g_hat|^2 = r^2 |grad f|^2
    t.eq17_I = t.eq17_decay * (t.eq17_I + t.eta * ghat2);
}

// <q_next - q, xi(q)> with xi = A q + b.
double charge_raw(const Generator& g, const double* q, const double* q_next, int n) {
    double s = 0.0;
    for (int i = 0; i < n; ++i) {
        double xi = 0.0;
        for (int j = 0; j < n; ++j)
            xi += g.A(i, j) * q[j];
        xi += g.b[i];
        s += (q_next[i] - q[i]) * xi;
    }
    return s;
}

// NLD prediction of the charge's per-step decay rate (§2.1–§2.3).
double predicted_rate(const Plan& P, const CellParams& cp) {
    if (!P.has_generator) return kNaN;
    const double beta = model_momentum(cp.rule), eta = cp.rule.lr, k = cp.rule.weight_decay;
    const bool heavy_ball =
        cp.rule.rule == Rule::Sgd && !cp.rule.nesterov && !cp.rule.constrain_norm;
    if (P.generator.kind == SymmetryKind::Translation && heavy_ball && k > 0.0) {
        // (X, p) is heavy ball on k X^2/2: z^2 - (1 + beta - eta k) z + beta = 0.
        const double s = 1.0 + beta - eta * k, disc = s * s - 4.0 * beta;
        const double rho =
            disc >= 0.0
                ? std::max(std::abs(s + std::sqrt(disc)), std::abs(s - std::sqrt(disc))) / 2.0
                : std::sqrt(beta);
        return -std::log(rho);
    }
    return -std::log(beta);
}

struct CellEnd {
    long diverged_at = -1;
    double ode_gap = kNaN, flow_gap = kNaN;
};

// Writes every requested metric of cell c.
void finish_cell(const Plan& P, const CellParams& cp, const Loss& loss, VecRef qN, const Tracker& t,
                 const CellEnd& end, long c, SweepResult& res) {
    const SweepSpec& s = *P.spec;
    const bool diverged = end.diverged_at >= 0;
    res.diverged_at[c] = end.diverged_at;
    const double r2N = qN.squaredNorm(), r20 = P.r2_start;
    for (size_t m = 0; m < s.metrics.size(); ++m) {
        double v = kNaN;
        const SweepMetric metric = s.metrics[m];
        if (metric == SweepMetric::DivergedAt) {
            v = diverged ? static_cast<double>(end.diverged_at) : kNaN;
        } else if (metric == SweepMetric::ChargeDecayRatePred) {
            v = predicted_rate(P, cp);
        } else if (!diverged) {
            switch (metric) {
                case SweepMetric::FinalLoss:
                    v = loss.value(qN);
                    break;
                case SweepMetric::StepsToTol:
                    v = t.steps_to_tol;
                    break;
                case SweepMetric::ChargeDecayRate:
                    v = P.has_generator ? t.fit.rate() : kNaN;
                    break;
                case SweepMetric::NormGrowth:
                    v = r2N - r20;
                    break;
                case SweepMetric::EffectiveLr:
                    v = cp.rule.lr / r2N;
                    break;
                case SweepMetric::Eq17Error: {
                    if (!P.has_scale) break;
                    // Eq. 17 at t_N exactly as run.cpp's r2_eq17 series.
                    const double beta = model_momentum(cp.rule), k = cp.rule.weight_decay;
                    const double eta = cp.rule.lr, mu = damping(cp.rule);
                    const double pref = 2.0 * eta * (1.0 + beta) / (mu * mu * mu);
                    const double tN = static_cast<double>(P.steps) * eta;
                    const double r2_17 =
                        std::sqrt(pref * t.eq17_I + std::exp(-4.0 * k * tN / mu) * (r20 * r20));
                    v = std::abs(r2_17 - r2N) / r2N;
                    break;
                }
                case SweepMetric::OdeGap:
                    v = end.ode_gap;
                    break;
                case SweepMetric::FlowGap:
                    v = end.flow_gap;
                    break;
                default:
                    break;
            }
        }
        res.values[m][c] = std::isnan(v) ? kNaN : v;  // one NaN bit pattern
    }
}

bool cancelled(const SweepOptions& opt) {
    return opt.cancel && opt.cancel->load(std::memory_order_relaxed);
}

// ---------------------------------------------------------------------------------------------
// Per-cell path: noether::step() for any loss and rule.

Scene scene_of(const Plan& P, const CellParams& cp) {
    Scene sc = P.spec->base;
    sc.rule = cp.rule;
    sc.loss.eps = cp.eps;
    sc.show_discrete = true;
    sc.show_ode = sc.show_ode_rest = sc.show_flow = false;
    return sc;
}

// max_n |q_n - q_model(t_n)| / max(max_n |q_n - q_0|, floor); +inf if the model stops early.
double trajectory_gap(const Plan& P, const CellParams& cp, const Loss& loss, const Matrix& Q,
                      Model model) {
    const Trajectory tm = simulate_model(scene_of(P, cp), loss, model);
    double gap = 0.0, disp = 0.0;
    for (long s = 0; s < Q.cols(); ++s) {
        disp = std::max(disp, (Q.col(s) - Q.col(0)).norm());
        if (s < tm.samples()) gap = std::max(gap, (Q.col(s) - tm.q.col(s)).norm());
    }
    if (tm.samples() < Q.cols()) return kInf;
    return gap / std::max(disp, kGapFloor);
}

// Returns false if cancelled.
bool run_cell(const Plan& P, long c, const SweepOptions& opt, SweepResult& res) {
    const SweepSpec& s = *P.spec;
    const CellParams cp = cell_params(P, c);
    const Loss& loss = *P.losses[cp.loss];
    const double f_min = P.f_min[cp.loss];
    const long N = P.steps;
    const int n = loss.dim();
    const Vector* v0 = s.base.v0 ? &*s.base.v0 : nullptr;
    OptimizerState st = make_state(cp.rule, s.base.q0, v0);
    Vector q = s.base.q0, g(n);
    Tracker t = make_tracker(cp);
    CellEnd end;
    const bool gaps = P.need_ode || P.need_flow;
    Matrix Q;
    if (gaps) Q.resize(n, N + 1);
    for (long step_n = 0;; ++step_n) {
        if (step_n >= 1 && diverged_point(st.q)) {
            end.diverged_at = step_n;
            break;
        }
        q = st.q;
        if (P.need_loss) observe_loss(t, step_n, loss.value(q), f_min, s.tol);
        if (gaps) Q.col(step_n) = q;
        if (step_n == N) break;
        if (P.need_eq17) {
            loss.gradient(q, g);
            observe_eq17(t, q.squaredNorm(), g.norm());
        }
        step(loss, cp.rule, st);
        if (P.need_charge)
            t.fit.add(step_n, charge_raw(P.generator, q.data(), st.q.data(), n), P.charge_floor);
        if (step_n % 1024 == 1023 && cancelled(opt)) return false;
    }
    if (gaps && end.diverged_at < 0) {
        if (P.need_ode) end.ode_gap = trajectory_gap(P, cp, loss, Q, Model::Ode);
        if (P.need_flow) end.flow_gap = trajectory_gap(P, cp, loss, Q, Model::Flow);
    }
    finish_cell(P, cp, loss, q, t, end, c, res);
    return true;
}

// ---------------------------------------------------------------------------------------------
// Batched path: structure of arrays over a block of cells.

struct alignas(64) Block {
    double q0[kBlock], q1[kBlock];                              // parameters q_n
    double b0[kBlock], b1[kBlock];                              // momentum buffer
    double nlr[kBlock];                                         // -eta
    double beta[kBlock];                                        // momentum
    double k[kBlock];                                           // weight decay
    double eps[kBlock];                                         // breaking strength
    double r2[kBlock];                                          // |q_n|^2 of the step just taken
    double oq0[kBlock], oq1[kBlock], og0[kBlock], og1[kBlock];  // q_n, grad f(q_n) (observers)
    double of[kBlock];                                          // f(q_n) (observers)
    long diverged_at[kBlock];                                   // -1 while finite
    double start0 = 0.0, start1 = 0.0;                          // q_0
};

// Closed-form gradients and values of losses.cpp, operation for operation (r2 = q1^2 + q2^2).
struct RotationHatGrad {
    static double value(double x0, double, double r2, double eps, const Coef&) {
        const double a = r2 - 1.0;
        return 0.25 * a * a + eps * x0;
    }
    static void grad(double x0, double x1, double r2, double eps, const Coef&, double& g0,
                     double& g1) {
        const double a = r2 - 1.0;  // g = (|q|^2 - 1) q; g[0] += eps
        g0 = a * x0 + eps;
        g1 = a * x1;
    }
};
struct ScaleCosGrad {
    static double value(double x0, double x1, double r2, double eps, const Coef& c) {
        return 1.0 - (c.u0 * x0 + c.u1 * x1) / std::sqrt(r2 + eps);
    }
    static void grad(double x0, double x1, double r2, double eps, const Coef& c, double& g0,
                     double& g1) {
        const double s = std::sqrt(r2 + eps), d = c.u0 * x0 + c.u1 * x1;
        const double w = d / (s * s * s);  // g = -u/s + (c/s^3) q
        g0 = -c.u0 / s + w * x0;
        g1 = -c.u1 / s + w * x1;
    }
};
struct TranslationValleyGrad {
    static double value(double x0, double x1, double, double eps, const Coef&) {
        const double z = x0 - x1, y = std::abs(x0 + x1);
        const double log_cosh = y + std::log1p(std::exp(-2.0 * y)) - std::log(2.0);
        return 0.5 * (z - 1.0) * (z - 1.0) + eps * log_cosh;
    }
    static void grad(double x0, double x1, double, double eps, const Coef&, double& g0,
                     double& g1) {
        const double u = (x0 - x1) - 1.0, t = std::tanh(x0 + x1);
        g0 = u + eps * t;
        g1 = -u + eps * t;
    }
};
// translation_valley with eps = 0 in every cell: eps * tanh(.) is a signed zero.
struct TranslationFlatGrad {
    static double value(double x0, double x1, double, double, const Coef&) {
        const double z = x0 - x1;
        return 0.5 * (z - 1.0) * (z - 1.0);  // + 0 * log cosh
    }
    static void grad(double x0, double x1, double, double, const Coef&, double& g0, double& g1) {
        const double u = (x0 - x1) - 1.0;
        g0 = u;
        g1 = -u;
    }
};
struct Rescale2dGrad {
    static double value(double x0, double x1, double, double eps, const Coef&) {
        const double a = x0 * x1 - 1.0;
        return 0.5 * a * a + 0.5 * eps * x0 * x0;
    }
    static void grad(double x0, double x1, double, double eps, const Coef&, double& g0,
                     double& g1) {
        const double a = x0 * x1 - 1.0;
        g0 = a * x1 + eps * x0;
        g1 = a * x0;
    }
};
struct Quadratic2dGrad {
    static double value(double x0, double x1, double, double, const Coef& c) {
        return 0.5 * (x0 * (c.l0 * x0) + x1 * (c.l1 * x1));  // q . (lambda o q)
    }
    static void grad(double x0, double x1, double, double, const Coef& c, double& g0, double& g1) {
        g0 = c.l0 * x0;
        g1 = c.l1 * x1;
    }
};

// Cells whose q_n just became non-finite or left |q| <= 1e8: record the step, then park them
// at q_0 with a zero learning rate so they stay finite and never trigger again.
__attribute__((noinline)) void freeze_diverged(Block& w, long n, double thr) {
    for (int i = 0; i < kBlock; ++i) {
        if (w.diverged_at[i] >= 0 || w.r2[i] <= thr) continue;
        w.diverged_at[i] = n;
        w.q0[i] = w.start0;
        w.q1[i] = w.start1;
        w.b0[i] = w.b1[i] = 0.0;
        w.nlr[i] = 0.0;
    }
}

// Per-step observations of one block (scalar; only when a metric needs them).
struct BlockObserver {
    const Plan* P = nullptr;
    Block* w = nullptr;
    Tracker* trackers = nullptr;
    const Loss* const* losses = nullptr;
    const double* f_min = nullptr;
    int cells = 0;

    __attribute__((noinline)) void step(long n) {
        Block& b = *w;
        for (int i = 0; i < cells; ++i) {
            if (b.diverged_at[i] >= 0) continue;
            Tracker& t = trackers[i];
            const double q[2] = {b.oq0[i], b.oq1[i]};
            if (P->need_loss) observe_loss(t, n, b.of[i], f_min[i], P->spec->tol);
            if (P->need_eq17)
                observe_eq17(t, b.r2[i], std::sqrt(b.og0[i] * b.og0[i] + b.og1[i] * b.og1[i]));
            if (P->need_charge) {
                const double qn[2] = {b.q0[i], b.q1[i]};
                t.fit.add(n, charge_raw(P->generator, q, qn, 2), P->charge_floor);
            }
        }
    }
};

// GCC builds the kernel for AVX-512, AVX2 and the baseline and picks one at load time; clang (the
// fuzz build) does not support target_clones on templates and gets the baseline only.
#if defined(__clang__)
#define NOETHER_SIMD_CLONES
#else
#define NOETHER_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif

// Heavy ball (torch.optim.SGD, rule.cpp) on steps [n0, n1) of a block. The inner loop runs over
// the cells and vectorises; each cell's arithmetic is that of noether::step().
template <class G, bool kNesterov, bool kObserve>
NOETHER_SIMD_CLONES void heavy_ball_block(Block& w, const Coef& c, long n0, long n1, double max_r2,
                                          BlockObserver* obs) {
    for (long n = n0; n < n1; ++n) {
        const double thr = n == 0 ? kInf : max_r2;  // q_0 is never "diverged"
        long bad = 0;
        for (int i = 0; i < kBlock; ++i) {
            const double x0 = w.q0[i], x1 = w.q1[i];
            const double r2 = x0 * x0 + x1 * x1;
            w.r2[i] = r2;
            bad += !(r2 <= thr);
            double g0, g1;
            G::grad(x0, x1, r2, w.eps[i], c, g0, g1);
            if constexpr (kObserve) {
                w.oq0[i] = x0;
                w.oq1[i] = x1;
                w.og0[i] = g0;
                w.og1[i] = g1;
                w.of[i] = G::value(x0, x1, r2, w.eps[i], c);
            }
            // grad.add(param, alpha=weight_decay); buf.mul_(momentum).add_(grad)
            const double k = w.k[i], beta = w.beta[i];
            const double h0 = g0 + k * x0, h1 = g1 + k * x1;
            const double v0 = beta * w.b0[i] + h0, v1 = beta * w.b1[i] + h1;
            w.b0[i] = v0;
            w.b1[i] = v1;
            if constexpr (kNesterov) {
                w.q0[i] = x0 + w.nlr[i] * (h0 + beta * v0);
                w.q1[i] = x1 + w.nlr[i] * (h1 + beta * v1);
            } else {
                w.q0[i] = x0 + w.nlr[i] * v0;
                w.q1[i] = x1 + w.nlr[i] * v1;
            }
        }
        if (bad) freeze_diverged(w, n, thr);
        if constexpr (kObserve) obs->step(n);
    }
}

template <class G>
void run_steps(Block& w, const Coef& c, long n0, long n1, double max_r2, bool nesterov,
               BlockObserver* obs) {
    if (nesterov) {
        obs ? heavy_ball_block<G, true, true>(w, c, n0, n1, max_r2, obs)
            : heavy_ball_block<G, true, false>(w, c, n0, n1, max_r2, obs);
    } else {
        obs ? heavy_ball_block<G, false, true>(w, c, n0, n1, max_r2, obs)
            : heavy_ball_block<G, false, false>(w, c, n0, n1, max_r2, obs);
    }
}

void run_steps(Kernel kernel, Block& w, const Coef& c, long n0, long n1, double max_r2,
               bool nesterov, BlockObserver* obs) {
    switch (kernel) {
        case Kernel::RotationHat:
            return run_steps<RotationHatGrad>(w, c, n0, n1, max_r2, nesterov, obs);
        case Kernel::ScaleCos:
            return run_steps<ScaleCosGrad>(w, c, n0, n1, max_r2, nesterov, obs);
        case Kernel::TranslationValley:
            return run_steps<TranslationValleyGrad>(w, c, n0, n1, max_r2, nesterov, obs);
        case Kernel::TranslationFlat:
            return run_steps<TranslationFlatGrad>(w, c, n0, n1, max_r2, nesterov, obs);
        case Kernel::Rescale2d:
            return run_steps<Rescale2dGrad>(w, c, n0, n1, max_r2, nesterov, obs);
        case Kernel::Quadratic2d:
            return run_steps<Quadratic2dGrad>(w, c, n0, n1, max_r2, nesterov, obs);
        case Kernel::PerCell:
            break;
    }
}

// Cells [c0, c1) in blocks; returns false if cancelled.
bool run_batched(const Plan& P, long c0, long c1, const SweepOptions& opt, std::atomic<long>& done,
                 SweepResult& res) {
    const SweepSpec& s = *P.spec;
    const long N = P.steps;
    const double thr = divergence_r2();
    const bool observe = P.need_loss || P.need_eq17 || P.need_charge;
    auto w = std::make_unique<Block>();
    std::vector<Tracker> trackers(kBlock);
    std::vector<CellParams> params(kBlock);
    std::vector<const Loss*> losses(kBlock);
    std::vector<double> f_min(kBlock);
    w->start0 = s.base.q0[0];
    w->start1 = s.base.q0[1];
    const bool kick = s.base.v0.has_value();
    for (long b = c0; b < c1; b += kBlock) {
        if (cancelled(opt)) return false;
        const int m = static_cast<int>(std::min<long>(kBlock, c1 - b));
        // Gather: padding lanes repeat the last cell and are discarded.
        for (int i = 0; i < kBlock; ++i) {
            const CellParams cp = cell_params(P, b + std::min(i, m - 1));
            w->q0[i] = w->start0;
            w->q1[i] = w->start1;
            // With a kick the first buffer is beta v0 + g; without, beta * 0 + g = g.
            w->b0[i] = kick ? (*s.base.v0)[0] : 0.0;
            w->b1[i] = kick ? (*s.base.v0)[1] : 0.0;
            w->nlr[i] = -cp.rule.lr;
            w->beta[i] = cp.rule.momentum;
            w->k[i] = cp.rule.weight_decay;
            w->eps[i] = cp.eps;
            w->diverged_at[i] = -1;
            params[i] = cp;
            losses[i] = P.losses[cp.loss].get();
            f_min[i] = P.f_min[cp.loss];
            trackers[i] = make_tracker(cp);
        }
        BlockObserver obs{&P, w.get(), trackers.data(), losses.data(), f_min.data(), m};
        for (long n0 = 0; n0 < N; n0 += kCancelEvery) {
            run_steps(P.kernel, *w, P.coef, n0, std::min(N, n0 + kCancelEvery), thr,
                      s.base.rule.nesterov, observe ? &obs : nullptr);
            if (cancelled(opt)) return false;
        }
        // The last sample q_N: divergence, then its observation.
        for (int i = 0; i < m; ++i) {
            const double q[2] = {w->q0[i], w->q1[i]};
            const double r2 = q[0] * q[0] + q[1] * q[1];
            if (w->diverged_at[i] < 0 && !(r2 <= thr)) w->diverged_at[i] = N;
            const Eigen::Map<const Vector> qN(q, 2);
            if (P.need_loss && w->diverged_at[i] < 0)
                observe_loss(trackers[i], N, losses[i]->value(qN), f_min[i], s.tol);
            CellEnd end;
            end.diverged_at = w->diverged_at[i];
            finish_cell(P, params[i], *losses[i], qN, trackers[i], end, b + i, res);
        }
        done.fetch_add(m, std::memory_order_relaxed);
    }
    return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Names.

bool sweep_csv_chunks(const SweepResult& r,
                      const std::function<bool(const char* data, std::size_t size)>& sink) {
    // Rows go through one small buffer (each number formatted straight into it): a 4 MB string
    // costs its page faults (~11 ms on the 2-core VM) and a copy before it reaches a file.
    constexpr std::size_t kChunk = 64 * 1024;
    // Flushed once past kChunk, so the buffer holds kChunk plus one row at most.
    std::vector<char> buf(kChunk + (2 + r.values.size()) * (kFormatDoubleChars + 1) + 1);
    std::size_t n = 0;
    auto text = [&](const char* t) {
        const std::size_t len = std::strlen(t);
        std::memcpy(buf.data() + n, t, len);
        n += len;
    };
    auto flush = [&] {
        const bool ok = n == 0 || sink(buf.data(), n);
        n = 0;
        return ok;
    };
    std::string header = to_string(r.x.param);
    header.append(",").append(to_string(r.y.param));
    for (SweepMetric m : r.metrics)
        header.append(",").append(to_string(m));
    header.append("\n");
    if (!sink(header.data(), header.size())) return false;
    for (long ix = 0; ix < static_cast<long>(r.x.values.size()); ++ix) {
        for (long iy = 0; iy < static_cast<long>(r.y.values.size()); ++iy) {
            n += static_cast<std::size_t>(format_double(r.x.values[ix], buf.data() + n));
            buf[n++] = ',';
            n += static_cast<std::size_t>(format_double(r.y.values[iy], buf.data() + n));
            for (const auto& v : r.values) {
                const double x = v[r.index(ix, iy)];
                buf[n++] = ',';
                if (std::isnan(x))
                    text("nan");
                else
                    n += static_cast<std::size_t>(format_double(x, buf.data() + n));
            }
            buf[n++] = '\n';
            if (n >= kChunk && !flush()) return false;
        }
    }
    return flush();
}

std::string sweep_csv(const SweepResult& r) {
    std::string csv;
    csv.reserve(static_cast<size_t>(r.cells()) * (2 + r.values.size()) * 24 + 64);
    sweep_csv_chunks(r, [&csv](const char* data, std::size_t size) {
        csv.append(data, size);
        return true;
    });
    return csv;
}

const char* to_string(SweepParam p) {
    switch (p) {
        case SweepParam::LearningRate:
            return "lr";
        case SweepParam::Momentum:
            return "momentum";
        case SweepParam::WeightDecay:
            return "weight_decay";
        case SweepParam::Eps:
            return "eps";
    }
    return "lr";
}

std::optional<SweepParam> parse_sweep_param(const std::string& name) {
    for (SweepParam p :
         {SweepParam::LearningRate, SweepParam::Momentum, SweepParam::WeightDecay, SweepParam::Eps})
        if (name == to_string(p)) return p;
    return std::nullopt;
}

const std::vector<SweepMetric>& all_sweep_metrics() {
    static const std::vector<SweepMetric> kAll = {
        SweepMetric::FinalLoss,       SweepMetric::StepsToTol,          SweepMetric::DivergedAt,
        SweepMetric::ChargeDecayRate, SweepMetric::ChargeDecayRatePred, SweepMetric::NormGrowth,
        SweepMetric::EffectiveLr,     SweepMetric::Eq17Error,           SweepMetric::OdeGap,
        SweepMetric::FlowGap};
    return kAll;
}

const char* to_string(SweepMetric m) {
    switch (m) {
        case SweepMetric::FinalLoss:
            return "final_loss";
        case SweepMetric::StepsToTol:
            return "steps_to_tol";
        case SweepMetric::DivergedAt:
            return "diverged_at";
        case SweepMetric::ChargeDecayRate:
            return "charge_decay_rate";
        case SweepMetric::ChargeDecayRatePred:
            return "charge_decay_rate_pred";
        case SweepMetric::NormGrowth:
            return "norm_growth";
        case SweepMetric::EffectiveLr:
            return "effective_lr";
        case SweepMetric::Eq17Error:
            return "eq17_error";
        case SweepMetric::OdeGap:
            return "ode_gap";
        case SweepMetric::FlowGap:
            return "flow_gap";
    }
    return "final_loss";
}

std::optional<SweepMetric> parse_sweep_metric(const std::string& name) {
    for (SweepMetric m : all_sweep_metrics())
        if (name == to_string(m)) return m;
    return std::nullopt;
}

const char* describe(SweepMetric m) {
    switch (m) {
        case SweepMetric::FinalLoss:
            return "f(q_N), without the weight-decay term";
        case SweepMetric::StepsToTol:
            return "first n in 0..N with f(q_n) - f_min < tol (NaN: not reached)";
        case SweepMetric::DivergedAt:
            return "first n with q_n non-finite or |q_n| > 1e8 (NaN: never)";
        case SweepMetric::ChargeDecayRate:
            return "-slope of ln|J_n| against n (least squares while |J_n| is above the floors)";
        case SweepMetric::ChargeDecayRatePred:
            return "-ln beta (rotation §2.3; scale, rescale: dissipation of §2.1); translation "
                   "-ln rho(heavy ball on kX^2/2) (§2.2)";
        case SweepMetric::NormGrowth:
            return "|q_N|^2 - |q_0|^2";
        case SweepMetric::EffectiveLr:
            return "eta / |q_N|^2";
        case SweepMetric::Eq17Error:
            return "|r2_eq17(t_N) - |q_N|^2| / |q_N|^2 (scale-invariant losses, §1.3)";
        case SweepMetric::OdeGap:
            return "max_n |q_n - q_ode(t_n)| / max(max_n |q_n - q_0|, 1e-12), matched start";
        case SweepMetric::FlowGap:
            return "max_n |q_n - q_flow(t_n)| / max(max_n |q_n - q_0|, 1e-12)";
    }
    return "";
}

Result<SweepAxis> make_axis(SweepParam p, double a, double b, long count, AxisScale scale) {
    const char* field = range_field(p);
    if (count < 1) return Error{field, "needs N >= 1 cells (got " + std::to_string(count) + ")"};
    if (count > kMaxAxisCount)
        return Error{field, "at most " + std::to_string(kMaxAxisCount) + " cells per axis (got " +
                                std::to_string(count) + ")"};
    if (!std::isfinite(a) || !std::isfinite(b)) return Error{field, "ends must be finite"};
    if (scale == AxisScale::Log && !(a > 0.0 && b > 0.0))
        return Error{field, "a log scale needs both ends > 0 " + got(a <= 0.0 ? a : b)};
    SweepAxis axis{p, std::vector<double>(static_cast<size_t>(count)), scale};
    for (long i = 0; i < count; ++i) {
        const double t = count == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(count - 1);
        axis.values[i] = scale == AxisScale::Log
                             ? std::exp(std::log(a) + (std::log(b) - std::log(a)) * t)
                             : a + (b - a) * t;
    }
    axis.values.front() = a;
    if (count > 1) axis.values.back() = b;
    if (auto st = check_axis(axis); !st) return st.error();
    return axis;
}

SweepAxis subsample(const SweepAxis& axis, long stride) {
    stride = std::max(1L, stride);
    SweepAxis out{axis.param, {}, axis.scale};
    const long n = static_cast<long>(axis.values.size());
    for (long i = 0; i < n; i += stride)
        out.values.push_back(axis.values[i]);
    if (n > 0 && (n - 1) % stride != 0) out.values.push_back(axis.values.back());
    return out;
}

const std::vector<double>* SweepResult::metric(SweepMetric m) const {
    for (size_t i = 0; i < metrics.size(); ++i)
        if (metrics[i] == m) return &values[i];
    return nullptr;
}

Status validate(const SweepSpec& spec) {
    auto plan = make_plan(spec, true);
    if (!plan) return plan.error();
    return {};
}

Scene cell_scene(const SweepSpec& spec, long ix, long iy) {
    Scene sc = spec.base;
    if (ix >= 0 && ix < static_cast<long>(spec.x.values.size()))
        apply(sc.rule, sc.loss.eps, spec.x.param, spec.x.values[ix]);
    if (iy >= 0 && iy < static_cast<long>(spec.y.values.size()))
        apply(sc.rule, sc.loss.eps, spec.y.param, spec.y.values[iy]);
    return sc;
}

Result<SweepResult> run_sweep(const SweepSpec& spec, const SweepOptions& opt) {
    if (opt.threads < 0 || opt.threads > 1024)
        return Error{"threads", "must be between 0 (every core) and 1024 " + got(opt.threads)};
    auto plan = make_plan(spec, opt.force_per_cell);
    if (!plan) return plan.error();
    const Plan& P = plan.value();

    SweepResult res;
    res.x = spec.x;
    res.y = spec.y;
    res.steps = P.steps;
    res.f_min = P.f_min.front();
    res.tol = spec.tol;
    res.metrics = spec.metrics;
    res.values.assign(spec.metrics.size(), std::vector<double>(P.cells, kNaN));
    res.diverged_at.assign(P.cells, -1);
    res.batched = P.kernel != Kernel::PerCell;

    // Static contiguous chunks, at least one block (or cell) each.
    int T = opt.threads > 0 ? opt.threads
                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const long units = res.batched ? (P.cells + kBlock - 1) / kBlock : P.cells;
    T = static_cast<int>(std::max<long>(1, std::min<long>(T, units)));
    res.threads = T;

    std::atomic<long> done{0};
    std::atomic<bool> stopped{false};
    std::mutex mutex;
    std::condition_variable cv;
    int finished = 0;
    auto worker = [&](int t) {
        const long c0 = P.cells * t / T, c1 = P.cells * (t + 1) / T;
        bool ok = true;
        if (res.batched) {
            ok = run_batched(P, c0, c1, opt, done, res);
        } else {
            for (long c = c0; c < c1 && ok; ++c) {
                ok = !cancelled(opt) && run_cell(P, c, opt, res);
                if (ok) done.fetch_add(1, std::memory_order_relaxed);
            }
        }
        if (!ok) stopped = true;
        {
            std::lock_guard<std::mutex> lock(mutex);
            ++finished;
        }
        cv.notify_one();
    };
    std::vector<std::thread> pool;
    pool.reserve(T);
    for (int t = 0; t < T; ++t)
        pool.emplace_back(worker, t);
    // Progress from the calling thread, at most every 20 ms.
    long reported = -1;
    {
        std::unique_lock<std::mutex> lock(mutex);
        while (finished < T) {
            cv.wait_for(lock, std::chrono::milliseconds(20));
            const long d = done.load(std::memory_order_relaxed);
            if (opt.progress && d != reported && finished < T) {
                reported = d;
                lock.unlock();
                opt.progress(d, P.cells);
                lock.lock();
            }
        }
    }
    for (auto& th : pool)
        th.join();
    if (stopped || cancelled(opt)) return Error{"cancel", "the sweep was cancelled"};
    if (opt.progress) opt.progress(P.cells, P.cells);
    return res;
}

// ---------------------------------------------------------------------------------------------
// Theory overlays.

namespace {

// Hyperparameters of one point of the (x, y) plane.
struct Hyper {
    double eta = 0.0, beta = 0.0, k = 0.0, eps = 0.0;
};

double largest_eigenvalue(const Loss& loss, VecRef q) {
    const Matrix H = loss.hessian(q);
    Eigen::SelfAdjointEigenSolver<Matrix> es(H, Eigen::EigenvaluesOnly);
    return es.eigenvalues().maxCoeff();
}

// lambda_max of the Hessian of f over q0 and 200 samples of the gradient flow of f itself
// (q' = -grad f: no weight decay, which would shrink a scale-invariant run and inflate its
// curvature) from q0 up to t = horizon.
double curvature_along_path(const Scene& base, const Loss& loss, double horizon) {
    double lam = largest_eigenvalue(loss, base.q0);
    if (base.loss.name == "quadratic") return lam;  // constant Hessian
    Scene sc = base;
    sc.rule = RuleParams{};
    sc.rule.lr = horizon / 200.0;
    sc.v0.reset();
    sc.steps = 200;
    sc.ode_rtol = 1e-6;  // an estimate of a curvature: a loose tolerance is enough
    const Trajectory tr = simulate_model(sc, loss, Model::Flow);
    for (long i = 0; i < tr.samples(); ++i) {
        const double l = largest_eigenvalue(loss, tr.q.col(i));
        if (std::isfinite(l)) lam = std::max(lam, l);
    }
    return lam;
}

double axis_min(const SweepAxis& a) {
    return *std::min_element(a.values.begin(), a.values.end());
}
double axis_max(const SweepAxis& a) {
    return *std::max_element(a.values.begin(), a.values.end());
}

// j-th of count points from lo to hi in the axis's scale.
double sample_axis(const SweepAxis& a, double lo, double hi, int j, int count) {
    const double t = count <= 1 ? 0.0 : static_cast<double>(j) / static_cast<double>(count - 1);
    if (a.scale == AxisScale::Log && lo > 0.0 && hi > 0.0)
        return std::exp(std::log(lo) + (std::log(hi) - std::log(lo)) * t);
    return lo + (hi - lo) * t;
}

void set(Hyper& h, SweepParam p, double v) {
    switch (p) {
        case SweepParam::LearningRate:
            h.eta = v;
            break;
        case SweepParam::Momentum:
            h.beta = v;
            break;
        case SweepParam::WeightDecay:
            h.k = v;
            break;
        case SweepParam::Eps:
            h.eps = v;
            break;
    }
}

}  // namespace

Result<std::vector<SweepOverlay>> sweep_overlays(const SweepSpec& spec, int samples) {
    if (auto st = check_axis(spec.x); !st) return st.error();
    if (auto st = check_axis(spec.y); !st) return st.error();
    if (spec.x.param == spec.y.param)
        return Error{range_field(spec.y.param), "the two axes must vary different parameters"};
    auto base_loss = make_loss(spec.base.loss);
    if (!base_loss) return base_loss.error();
    if (auto st = validate(cell_scene(spec, 0, 0), *base_loss.value()); !st) return st.error();
    samples = std::clamp(samples, 2, 100000);

    // Solve for the axis the curves depend on most simply (eta, then k, then beta); sample the
    // other one.
    auto has = [&](SweepParam p) { return spec.x.param == p || spec.y.param == p; };
    const SweepParam solve = has(SweepParam::LearningRate)  ? SweepParam::LearningRate
                             : has(SweepParam::WeightDecay) ? SweepParam::WeightDecay
                                                            : SweepParam::Momentum;
    const bool solve_x = spec.x.param == solve;
    const SweepAxis& sa = solve_x ? spec.x : spec.y;
    const SweepAxis& pa = solve_x ? spec.y : spec.x;

    const Loss& loss0 = *base_loss.value();
    bool scale_invariant = false;
    for (const auto& g : loss0.generators())
        scale_invariant |= g.kind == SymmetryKind::Scale;
    const SymmetryKind first_kind =
        loss0.generators().empty() ? SymmetryKind::General : loss0.generators().front().kind;
    double eta_max = spec.base.rule.lr;
    if (spec.x.param == SweepParam::LearningRate) eta_max = axis_max(spec.x);
    if (spec.y.param == SweepParam::LearningRate) eta_max = axis_max(spec.y);
    const double horizon = static_cast<double>(spec.base.steps) * eta_max;

    // lambda(eps): one value when eps is fixed; on an eps axis, 17 values across its range,
    // interpolated linearly.
    auto lambda_exact = [&](double eps) -> double {
        LossSpec ls = spec.base.loss;
        ls.eps = eps;
        auto l = make_loss(ls);
        return l ? curvature_along_path(spec.base, *l.value(), horizon) : kNaN;
    };
    std::vector<double> eps_knots, lambda_knots;
    if (has(SweepParam::Eps)) {
        const SweepAxis& ea = spec.x.param == SweepParam::Eps ? spec.x : spec.y;
        const double lo = axis_min(ea), hi = axis_max(ea);
        const int knots = lo < hi ? 17 : 1;
        for (int j = 0; j < knots; ++j) {
            eps_knots.push_back(sample_axis(ea, lo, hi, j, knots));
            lambda_knots.push_back(lambda_exact(eps_knots.back()));
        }
    } else {
        eps_knots.push_back(spec.base.loss.eps);
        lambda_knots.push_back(lambda_exact(spec.base.loss.eps));
    }
    auto lambda_at = [&](double eps) -> double {
        if (eps_knots.size() == 1 || eps <= eps_knots.front()) return lambda_knots.front();
        for (size_t j = 1; j < eps_knots.size(); ++j)
            if (eps <= eps_knots[j]) {
                const double t = (eps - eps_knots[j - 1]) / (eps_knots[j] - eps_knots[j - 1]);
                return lambda_knots[j - 1] + t * (lambda_knots[j] - lambda_knots[j - 1]);
            }
        return lambda_knots.back();
    };
    Hyper base;
    {
        RuleParams r = spec.base.rule;
        base.eta = r.lr;
        base.beta = model_momentum(r);
        base.k = r.weight_decay;
        base.eps = spec.base.loss.eps;
    }
    const bool has_momentum =
        spec.base.rule.rule == Rule::Sgd || spec.base.rule.rule == Rule::RmsProp;
    auto hyper = [&](double sv, double pv) {
        Hyper h = base;
        set(h, sa.param, sv);
        set(h, pa.param, pv);
        if (!has_momentum) h.beta = 0.0;
        return h;
    };

    using F = std::function<double(const Hyper&, double lambda)>;
    // zeta = 2 eta (1 + beta)/(1 - beta)^2 = 4m/mu^2; curves as F = 0, F < 0 on the small-eta side.
    auto zeta_times = [](const Hyper& h, double kappa) {
        return 2.0 * h.eta * (1.0 + h.beta) * kappa - (1.0 - h.beta) * (1.0 - h.beta);
    };
    struct Def {
        std::string name, doc;
        F f;
    };
    std::vector<Def> defs;
    defs.push_back(
        {"stability_limit",
         "eta (lambda + k) = 2(1 + beta): heavy ball is linearly stable on the "
         "small-eta side (PHYSICS.md §5.7; exact for the quadratic, lambda = lambda_max)",
         [](const Hyper& h, double lam) { return h.eta * (lam + h.k) - 2.0 * (1.0 + h.beta); }});
    defs.push_back(
        {"overdamped_boundary",
         "zeta kappa = 1, zeta = 2 eta (1+beta)/(1-beta)^2 = 4m/mu^2, i.e. m/mu^2 = 1/(4 kappa): "
         "the stiffest linear mode (the angular mode of a scale-invariant loss, kappa = lambda; "
         "else kappa = lambda + k) is overdamped on the small-eta side, underdamped beyond "
         "(PHYSICS.md §6.1)",
         [scale_invariant, zeta_times](const Hyper& h, double lam) {
             return zeta_times(h, scale_invariant ? lam : lam + h.k);
         }});
    if (first_kind == SymmetryKind::Translation || first_kind == SymmetryKind::Scale ||
        first_kind == SymmetryKind::Rescale) {
        const double factor = first_kind == SymmetryKind::Translation ? 1.0 : 2.0;
        defs.push_back(
            {"charge_critical_damping",
             "mu^2 = 4 m k_J: the charge equation m X'' + mu X' + k_J X = 0 is "
             "critically damped (k_J = k for translation, 2k for the scale and "
             "rescale norm equations; PHYSICS.md §1.2); oscillates beyond",
             [factor, zeta_times](const Hyper& h, double) { return zeta_times(h, factor * h.k); }});
    }
    if (scale_invariant) {
        defs.push_back({"eq17_region",
                        "2 eta (1+beta) lambda / ((1-beta)^2 r^2) = 0.5 with lambda/r^2 the "
                        "Hessian's largest eigenvalue: Eq. 17 is expected to hold (about 5%) on "
                        "the small-eta side (PHYSICS.md §6.1 rule of thumb)",
                        [](const Hyper& h, double lam) {
                            return 2.0 * h.eta * (1.0 + h.beta) * lam -
                                   0.5 * (1.0 - h.beta) * (1.0 - h.beta);
                        }});
    }

    const double slo = axis_min(sa), shi = axis_max(sa);
    const double plo = axis_min(pa), phi = axis_max(pa);
    const int scan = 64;
    std::vector<SweepOverlay> out;
    for (const Def& d : defs) {
        SweepOverlay ov;
        ov.name = d.name;
        ov.doc = d.doc;
        ov.curvature = lambda_knots.front();
        Polyline cur;
        auto flush = [&] {
            if (!cur.x.empty()) ov.lines.push_back(std::move(cur));
            cur = Polyline{};
        };
        for (int j = 0; j < samples; ++j) {
            const double pv = sample_axis(pa, plo, phi, j, samples);
            const double lam = lambda_at(hyper(slo, pv).eps);
            auto F_at = [&](double sv) { return d.f(hyper(sv, pv), lam); };
            // First sign change along the solved axis, then bisection.
            double root = kNaN;
            double s_prev = slo, f_prev = F_at(slo);
            if (f_prev == 0.0) root = slo;
            for (int i = 1; i <= scan && std::isnan(root) && shi > slo; ++i) {
                const double sv = sample_axis(sa, slo, shi, i, scan + 1);
                const double fv = F_at(sv);
                if (std::isfinite(f_prev) && std::isfinite(fv) && (f_prev < 0.0) != (fv < 0.0)) {
                    double a = s_prev, b = sv, fa = f_prev;
                    for (int it = 0; it < 200 && a != b; ++it) {
                        const double mid = 0.5 * (a + b);
                        if (mid == a || mid == b) break;
                        const double fm = F_at(mid);
                        if ((fm < 0.0) == (fa < 0.0)) {
                            a = mid;
                            fa = fm;
                        } else {
                            b = mid;
                        }
                    }
                    root = std::abs(F_at(a)) <= std::abs(F_at(b)) ? a : b;
                }
                s_prev = sv;
                f_prev = fv;
            }
            if (std::isnan(root)) {
                flush();
                continue;
            }
            cur.x.push_back(solve_x ? root : pv);
            cur.y.push_back(solve_x ? pv : root);
        }
        flush();
        out.push_back(std::move(ov));
    }
    return out;
}

}  // namespace noether

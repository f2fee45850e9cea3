// Closed-form laws and derived series drawn beside a run (PHYSICS.md §1.2, §1.3, §2.2, §2.3),
// each with where it holds for the scene (Validity) and, where it is approximate, how far off
// the run it is (docs/PHYSICS.md, "Every overlay and where it holds").
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>

#include "continuous_models.hpp"
#include "run_internal.hpp"

namespace noether {

const char* to_string(Validity v) {
    switch (v) {
        case Validity::Exact:
            return "exact";
        case Validity::Approximate:
            return "approximate";
        case Validity::NotApplicable:
            return "not_applicable";
    }
    return "exact";
}

namespace detail {

namespace {

// Damped oscillator m X'' + mu X' + k X = 0: X'(t) for X(0) = x0, X'(0) = v0.
double oscillator_velocity(double m, double mu, double k, double x0, double v0, double t) {
    using C = std::complex<double>;
    const double disc = mu * mu - 4.0 * m * k;
    if (std::abs(disc) <= 1e-14 * mu * mu) {
        const double s = -mu / (2.0 * m);
        // X = (x0 + (v0 - s x0) t) e^{st}
        const double a = v0 - s * x0;
        return (a + s * (x0 + a * t)) * std::exp(s * t);
    }
    const C root = std::sqrt(C(disc, 0.0));
    const C sp = (-mu + root) / (2.0 * m), sm = (-mu - root) / (2.0 * m);
    // X = A e^{sp t} + B e^{sm t}, A + B = x0, sp A + sm B = v0.
    const C A = (v0 - sm * x0) / (sp - sm), B = x0 - A;
    return (A * sp * std::exp(sp * t) + B * sm * std::exp(sm * t)).real();
}

// max_i |law_i - run_i| / max_i |run_i| (0 when the run is identically 0).
double relative_gap(const std::vector<double>& law, const std::vector<double>& run) {
    double gap = 0.0, peak = 0.0;
    for (size_t i = 0; i < std::min(law.size(), run.size()); ++i) {
        if (!std::isfinite(law[i]) || !std::isfinite(run[i])) continue;
        gap = std::max(gap, std::abs(law[i] - run[i]));
        peak = std::max(peak, std::abs(run[i]));
    }
    return peak > 0.0 ? gap / peak : (gap > 0.0 ? INFINITY : 0.0);
}

// max_i |law_i − run_i| / |run_i| over a positive series (|q|², rates): the error where it is.
double pointwise_gap(const std::vector<double>& law, const std::vector<double>& run) {
    double gap = 0.0;
    for (size_t i = 0; i < std::min(law.size(), run.size()); ++i)
        if (std::isfinite(law[i]) && std::isfinite(run[i]) && run[i] > 0.0)
            gap = std::max(gap, std::abs(law[i] - run[i]) / run[i]);
    return gap;
}

std::string percent(double x) {
    char buf[48];
    if (!std::isfinite(x))
        std::snprintf(buf, sizeof buf, "—");
    else if (x < 1e-3)
        std::snprintf(buf, sizeof buf, "%.2g %%", 100.0 * x);
    else
        std::snprintf(buf, sizeof buf, "%.3g %%", 100.0 * x);
    return buf;
}

// An approximate law: its note ends with its measured distance from the run.
void approximate(NamedSeries& s, const std::vector<double>& run, const std::string& where,
                 const char* of = "of the run's peak") {
    s.validity = Validity::Approximate;
    s.note = where + "; here max " + percent(relative_gap(s.values, run)) + " " + of + " off";
}

// The same for a positive series, measured point by point ("max 3.6 % off the run's |q|²" is
// the largest relative error at any step, the measure the presets' texts quote).
void approximate_pointwise(NamedSeries& s, const std::vector<double>& run, const std::string& where,
                           const char* what) {
    s.validity = Validity::Approximate;
    s.note = where + "; here at most " + percent(pointwise_gap(s.values, run)) + " off " + what +
             " at any step";
}

// True if the loss breaks the generator along this run: its Lie derivative (recorded in the
// budget) is not rounding noise next to the gradient's size.
bool broken_along(const ChargeSeries& cs, const Trajectory& tr) {
    if (cs.explicit_breaking.empty()) return true;  // not recorded: assume broken
    double lie = 0.0, scale = 0.0;
    for (size_t i = 0; i < cs.explicit_breaking.size(); ++i) {
        lie = std::max(lie, std::abs(cs.explicit_breaking[i]));
        scale = std::max(scale, tr.grad_norm[i] * (1.0 + std::sqrt(tr.r2[i])));
    }
    return lie > 1e-12 * std::max(scale, 1e-300);
}

}  // namespace

void add_predictions(const Scene& sc, const Loss& loss, Trajectory& tr) {
    const long N = tr.samples();
    if (N == 0) return;
    const RuleParams& p = sc.rule;
    const double eta = p.lr, beta = model_momentum(p), k = p.weight_decay;
    const double m = implicit_mass(p), mu = damping(p), c = 0.5 * (1.0 + beta);
    const bool discrete = tr.model == Model::Discrete;
    const bool flow = tr.model == Model::Flow;
    const bool sgd_hb = p.rule == Rule::Sgd && !p.nesterov && !p.constrain_norm;
    // The laws of §1.2/§2.2/§2.3 are laws of heavy ball: of the discrete rule or of its ODE/flow.
    const bool hb = discrete ? sgd_hb : heavy_ball_model(p, tr.model);
    auto series = [N](std::string name, std::string doc) {
        return NamedSeries{
            std::move(name), std::move(doc), std::vector<double>(N, 0.0), Validity::Exact, {}};
    };
    for (size_t g = 0; g < loss.generators().size(); ++g) {
        const Generator& gen = loss.generators()[g];
        const ChargeSeries& cs = tr.charges[g];
        const bool broken = broken_along(cs, tr);
        if (gen.kind == SymmetryKind::Rotation && hb) {
            NamedSeries s = series("J_rotation_law", "");
            if (discrete) {
                // §2.1 for a rotation (S = 0, <q, A q> = 0): J_n = beta J_{n-1} - eta c L_xi f,
                // the torque of the breaking term included, so it is exact at every eps.
                s.doc = broken ? "J_n = βJ_{n−1} − cη L_ξf(q_n): J₀βⁿ plus the torque (exact, "
                                 "§2.1)"
                               : "J₀ βⁿ (exact, §2.3)";
                if (broken) {
                    double J = cs.J[0];
                    s.values[0] = J;
                    for (long i = 1; i < N; ++i) {
                        // explicit_breaking = -c L_xi f, weight_decay = -c k <q, xi>
                        J = beta * J + eta * (cs.explicit_breaking[i] + cs.weight_decay[i]);
                        s.values[i] = J;
                    }
                } else {
                    const auto decay =
                        exponential_table(N, [beta](double i) { return std::pow(beta, i); });
                    for (long i = 0; i < N; ++i)
                        s.values[i] = cs.J[0] * decay[i];
                }
            } else if (!flow) {
                s.doc = "J(0) e^{−μt/m} (§1.2)";
                const auto decay = exponential_table(
                    N, [mu, m, eta](double i) { return std::exp(-mu * (i * eta) / m); });
                for (long i = 0; i < N; ++i)
                    s.values[i] = cs.J[0] * decay[i];
            } else {
                s.doc = "0 (gradient flow, §1.2)";
            }
            if (broken && !discrete)
                approximate(s, cs.J, "ignores the torque −L_ξf of the explicit breaking");
            tr.predictions.push_back(std::move(s));
        }
        if (gen.kind == SymmetryKind::Translation && hb) {
            // §2.2: (X_n, p_n) is heavy ball on k X^2/2 (plus the measured force when broken);
            // §1.2: m X'' + mu X' + k X = 0.
            const Vector nh = gen.b;
            NamedSeries s = series("J_translation_law", "");
            const double X0 = sc.q0.dot(nh);
            if (discrete) {
                s.doc = broken ? "heavy ball on kX²/2 driven by the measured force −L_ξf (exact, "
                                 "§2.2)"
                               : "heavy ball on kX²/2 (exact, §2.2)";
                double pprev = sc.v0 ? -sc.v0->dot(nh) : 0.0, X = X0;
                for (long i = 0; i < N; ++i) {
                    // explicit_breaking = -c <grad f, n>
                    const double force = broken ? cs.explicit_breaking[i] / c : 0.0;
                    const double pn = beta * pprev - k * X + force;
                    s.values[i] = c * eta * pn;
                    X += eta * pn;
                    pprev = pn;
                }
            } else {
                s.doc =
                    flow ? "−(k/μ) X(0) e^{−kt/μ} (§1.2)" : "m X′, m X″ + μ X′ + k X = 0 (§1.2)";
                const double V0 = tr.v.col(0).dot(nh);
                for (long i = 0; i < N; ++i) {
                    const double t = static_cast<double>(i) * eta;
                    s.values[i] = flow ? -(k / mu) * X0 * std::exp(-k * t / mu)
                                       : m * oscillator_velocity(m, mu, k, X0, V0, t);
                }
                if (broken)
                    approximate(s, cs.J, "ignores the force −L_ξf of the explicit breaking");
            }
            tr.predictions.push_back(std::move(s));
        }
        if (gen.kind == SymmetryKind::Rescale) {
            NamedSeries D = series("D_rescale", "|a|² − |b|² (measured)");
            NamedSeries law = series("D_rescale_flow_law", "D(0) e^{−2kt/μ} (gradient flow, §1.2)");
            const Vector s = gen.A.diagonal();
            for (long i = 0; i < N; ++i) {
                D.values[i] = tr.q.col(i).dot(s.cwiseProduct(tr.q.col(i)));
                law.values[i] =
                    D.values[0] * std::exp(-2.0 * k * static_cast<double>(i) * eta / mu);
            }
            if (!hb) {
                law.validity = Validity::NotApplicable;
                law.note = "the law of heavy-ball SGD's gradient flow, not of this rule's model";
            } else if (!flow || broken) {
                approximate(law, D.values,
                            broken ? "gradient flow's law for a symmetric loss; the explicit "
                                     "breaking moves D"
                                   : "gradient flow's law; finite η breaks it (kinetic symmetry "
                                     "breaking)");
            }
            tr.predictions.push_back(std::move(D));
            tr.predictions.push_back(std::move(law));
        }
        if (gen.kind == SymmetryKind::Scale) {
            add_scale_predictions(sc, loss, tr, broken);
        }
    }
    // Never hand a non-finite value to a view.
    for (auto& s : tr.predictions)
        for (auto& x : s.values)
            if (!std::isfinite(x)) x = 0.0;
}

void add_scale_predictions(const Scene& sc, const Loss& loss, Trajectory& tr, bool broken) {
    const long N = tr.samples();
    const RuleParams& p = sc.rule;
    const double eta = p.lr, beta = model_momentum(p), k = p.weight_decay;
    const double m = implicit_mass(p), mu = damping(p);
    const bool discrete = tr.model == Model::Discrete;
    const bool flow = tr.model == Model::Flow;
    const bool sgd_hb = p.rule == Rule::Sgd && !p.nesterov && !p.constrain_norm;
    const bool hb = discrete ? sgd_hb : heavy_ball_model(p, tr.model);
    auto series = [N](std::string name, std::string doc) {
        return NamedSeries{
            std::move(name), std::move(doc), std::vector<double>(N, 0.0), Validity::Exact, {}};
    };
    // Where Eq. 16/17 cannot be a model of this run, said once for all their series.
    std::string na;
    if (p.constrain_norm)
        na = "the norm is held at |q₀| by the projection: Eq. 16/17 describe a free |q|";
    else if (p.rule != Rule::Sgd)
        na = std::string("Eq. 16/17 are derived for heavy-ball SGD; ") + to_string(p.rule) +
             " rescales the gradient, so |q|² does not follow them";
    else if (flow)
        na = "gradient flow has m = 0: |q|² follows ρ(0)e^{−2kt/μ}, not Eq. 17's growth";
    else if (broken)
        na = "the loss is not scale invariant here (explicit breaking): ĝ ⟂ q fails";
    // |g_hat|^2 = r^2 |grad f|^2 for a scale-invariant loss (grad f(q) = g_hat / r).
    std::vector<double> ghat2(N);
    for (long i = 0; i < N; ++i)
        ghat2[i] = tr.r2[i] * tr.grad_norm[i] * tr.grad_norm[i];
    // Eq. 17 with a left Riemann sum over the samples.
    NamedSeries r2_17 =
        series("r2_eq17", "Eq. 17: r² = √(2η(1+β)/(1−β)³ ∫e^{−4k(t−τ)/μ}|ĝ|² + e^{−4kt/μ}r₀⁴)");
    const double decay = std::exp(-4.0 * k * eta / mu);
    const double pref = 2.0 * eta * (1.0 + beta) / (mu * mu * mu);
    const double r40 = tr.r2[0] * tr.r2[0];
    double I = 0.0;
    for (long i = 0; i < N; ++i) {
        if (i > 0) I = decay * (I + eta * ghat2[i - 1]);
        const double t = static_cast<double>(i) * eta;
        r2_17.values[i] = std::sqrt(pref * I + std::exp(-4.0 * k * t / mu) * r40);
    }
    // Eq. 16: m rho'' + mu rho' = -2k rho + 2m |g_hat|^2/(mu^2 rho), RK4, 4 substeps.
    NamedSeries r2_16 = series("r2_eq16", "Eq. 16: m ρ″ + μ ρ′ = −2kρ + 2m|ĝ|²/(μ²ρ)");
    if (!flow) {
        double rho = tr.r2[0], drho = 2.0 * tr.q.col(0).dot(tr.v.col(0));
        r2_16.values[0] = rho;
        const int sub = 4;
        const double h = eta / sub;
        for (long i = 1; i < N; ++i) {
            const double ga = ghat2[i - 1], gb = ghat2[i];
            for (int j = 0; j < sub; ++j) {
                auto acc = [&](double r, double dr, double frac) {
                    const double gg = ga + (gb - ga) * frac;
                    return (-mu * dr - 2.0 * k * r + 2.0 * m * gg / (mu * mu * r)) / m;
                };
                const double f0 = double(j) / sub, f1 = (j + 0.5) / sub, f2 = (j + 1.0) / sub;
                const double k1r = drho, k1v = acc(rho, drho, f0);
                const double k2r = drho + 0.5 * h * k1v, k2v = acc(rho + 0.5 * h * k1r, k2r, f1);
                const double k3r = drho + 0.5 * h * k2v, k3v = acc(rho + 0.5 * h * k2r, k3r, f1);
                const double k4r = drho + h * k3v, k4v = acc(rho + h * k3r, k4r, f2);
                rho += h / 6.0 * (k1r + 2 * k2r + 2 * k3r + k4r);
                drho += h / 6.0 * (k1v + 2 * k2v + 2 * k3v + k4v);
            }
            r2_16.values[i] = std::isfinite(rho) && rho > 0 ? rho : r2_16.values[i - 1];
        }
    } else {
        for (long i = 0; i < N; ++i)
            r2_16.values[i] = tr.r2[0] * std::exp(-2.0 * k * i * eta / mu);
        r2_16.doc = "gradient flow: ρ(0) e^{−2kt/μ} (§1.2)";
    }
    // Effective learning rates and the RMSProp-norm analogy (Insight 4 of the paper): the
    // average G of RMSProp-norm with the matched forgetting factor rho = 1 - 4 eta k/(1 - beta).
    NamedSeries elr = series("effective_lr", "η/|q|² (implicit adaptive learning rate, measured)");
    NamedSeries elr17 = series("effective_lr_eq17", "η/r² with r² from Eq. 17");
    const double rho = 1.0 - 4.0 * eta * k / mu;
    NamedSeries G = series("G_eq18",
                           "RMSProp-norm's average G_n = ρG_{n−1} + (1−ρ)|g_n|² from G = 0 (as "
                           "torch's RMSprop), ρ = 1 − 4ηk/(1−β) (the exact discrete recursion; "
                           "Eq. 18 writes ρⁿ as e^{−(1−ρ)n})");
    NamedSeries Gc =
        series("G_eq18_continuous", "paper's Eq. 18: G with ρ^{n−j} replaced by e^{−(1−ρ)(n−j)}");
    NamedSeries elrG = series("effective_lr_rmsprop",
                              "η/(√G + eps): RMSProp-norm's rate with the matched ρ = 1 − "
                              "4ηk/(1−β), G from 0");
    const bool rms = hb && !flow && k > 0.0 && rho > 0.0 && rho < 1.0;
    double Gn = 0.0, Gcn = 0.0;
    const double ec = std::exp(-(1.0 - rho));
    for (long i = 0; i < N; ++i) {
        elr.values[i] = eta / tr.r2[i];
        elr17.values[i] = eta / r2_17.values[i];
        if (!rms) continue;
        const double gk2 = (loss.gradient(tr.q.col(i)) + k * tr.q.col(i)).squaredNorm();
        Gn = rho * Gn + (1.0 - rho) * gk2;
        Gcn = ec * Gcn + (1.0 - rho) * gk2;
        G.values[i] = Gn;
        Gc.values[i] = Gcn;
        elrG.values[i] = eta / (std::sqrt(G.values[i]) + p.opt_eps);
    }
    // Validity.
    for (NamedSeries* s : {&r2_17, &elr17}) {
        if (!na.empty()) {
            s->validity = Validity::NotApplicable;
            s->note = na;
        }
    }
    if (na.empty()) {
        const char* where =
            "holds where the angular motion is overdamped, 2η(1+β)λ/((1−β)²r²) ≲ 0.5 "
            "(PHYSICS.md §6.1)";
        approximate_pointwise(r2_17, tr.r2, where, "the run's |q|²");
        approximate_pointwise(elr17, elr.values, where, "the run's η/|q|²");
    }
    if (flow) {
        r2_16.validity = broken || !hb ? Validity::NotApplicable : Validity::Exact;
        if (r2_16.validity == Validity::NotApplicable) r2_16.note = na;
    } else if (!na.empty()) {
        r2_16.validity = Validity::NotApplicable;
        r2_16.note = na;
    } else {
        approximate_pointwise(
            r2_16, tr.r2,
            "keeps the inertia mρ″ that Eq. 17 drops but still uses the overdamped "
            "velocity; better than Eq. 17 early in strongly damped runs, not always "
            "(PHYSICS.md §6.1)",
            "the run's |q|²");
    }
    tr.predictions.push_back(std::move(r2_17));
    tr.predictions.push_back(std::move(r2_16));
    tr.predictions.push_back(std::move(elr));
    tr.predictions.push_back(std::move(elr17));
    if (rms) {
        G.note =
            "an analogy, not a model of this run: the two rates share their functional "
            "form, not their constant (PHYSICS.md §7.5); G starts at 0, so η/√G is "
            "large for the first 1/(1−ρ) steps (clipped at the chart's top)";
        elrG.validity = Validity::Approximate;
        elrG.note = G.note;
        Gc.validity = Validity::Approximate;
        Gc.note = "Eq. 18's continuous memory e^{−(1−ρ)n} in place of ρⁿ; here max " +
                  percent(relative_gap(Gc.values, G.values)) + " of G's peak off the recursion";
        tr.predictions.push_back(std::move(G));
        tr.predictions.push_back(std::move(Gc));
        tr.predictions.push_back(std::move(elrG));
    }
}

}  // namespace detail
}  // namespace noether

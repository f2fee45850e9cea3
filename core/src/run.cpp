// simulate(): Scene -> Run. Discrete rule, implicit-acceleration ODE and gradient flow, their
// observables (PHYSICS.md §0.3), charge budgets (§1.1, §2.1) and closed-form laws (§1.2–§2.3).
#include "noether/run.hpp"

#include <cmath>
#include <complex>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "dopri5.hpp"
#include "noether/flow.hpp"
#include "noether/rule.hpp"

namespace noether {

const NamedSeries* Trajectory::prediction(const std::string& name) const {
    for (const auto& p : predictions)
        if (p.name == name) return &p;
    return nullptr;
}

const ChargeSeries* Trajectory::charge(const std::string& generator) const {
    for (const auto& c : charges)
        if (c.generator == generator) return &c;
    return nullptr;
}

const Trajectory* Run::find(Model model) const {
    for (const auto& t : trajectories)
        if (t.model == model) return &t;
    return nullptr;
}

bool Run::diverged() const {
    for (const auto& t : trajectories)
        if (t.diverged) return true;
    return false;
}

namespace {

std::string divergence_message(long step, double norm) {
    char buf[96];
    if (std::isfinite(norm))
        std::snprintf(buf, sizeof buf, "diverged at step %ld (|q| = %.3g)", step, norm);
    else
        std::snprintf(buf, sizeof buf, "diverged at step %ld (|q| is not finite)", step);
    return buf;
}

// f(i) = g(i) for i = 0..n-1 where g(a + b) = g(a) g(b) (powers, exponentials): the products of
// two tables of about sqrt(n) exact values, within two roundings of g(i) itself, for 2 sqrt(n)
// calls of pow or exp instead of n.
template <class G>
std::vector<double> exponential_table(long n, G g) {
    constexpr long kBlock = 128;
    std::vector<double> lo(kBlock), out(static_cast<size_t>(std::max<long>(n, 0)));
    for (long b = 0; b < kBlock; ++b)
        lo[b] = g(static_cast<double>(b));
    for (long a = 0; a * kBlock < n; ++a) {
        const double hi = g(static_cast<double>(a * kBlock));
        for (long b = 0; b < kBlock && a * kBlock + b < n; ++b)
            out[a * kBlock + b] = hi * lo[b];
    }
    return out;
}

// Resizes every per-sample array to `count` samples.
void reserve_samples(Trajectory& tr, const Loss& loss, long count, bool budget) {
    const auto n = loss.dim();
    tr.q.resize(n, count);
    tr.v.resize(n, count);
    tr.loss.reserve(count);
    tr.grad_norm.reserve(count);
    tr.r2.reserve(count);
    for (const auto& g : loss.generators()) {
        ChargeSeries c;
        c.generator = g.name;
        c.J.reserve(count);
        if (budget) {
            c.damping.reserve(count);
            c.kinetic.reserve(count);
            c.weight_decay.reserve(count);
            c.explicit_breaking.reserve(count);
        }
        tr.charges.push_back(std::move(c));
    }
}

// Cuts every array to the first `count` samples.
void truncate(Trajectory& tr, long count) {
    const auto n = tr.q.rows();
    tr.q.conservativeResize(n, count);
    tr.v.conservativeResize(n, count);
    tr.loss.resize(count);
    tr.grad_norm.resize(count);
    tr.r2.resize(count);
    for (auto& c : tr.charges) {
        c.J.resize(std::min<size_t>(c.J.size(), count));
        for (auto* v : {&c.damping, &c.kinetic, &c.weight_decay, &c.explicit_breaking})
            if (!v->empty()) v->resize(std::min<size_t>(v->size(), count));
    }
}

// Sample i: q, v, f(q), |grad f(q)| (grad given) and |q|^2 (fixed- or dynamic-size vectors).
template <class Q, class V, class G>
void record_point(Trajectory& tr, const Loss& loss, long i, const Q& q, const V& v, const G& grad) {
    tr.q.col(i) = q;
    tr.v.col(i) = v;
    tr.loss.push_back(loss.value(q));
    tr.grad_norm.push_back(grad.norm());
    tr.r2.push_back(q.squaredNorm());
}

// The loss's generators xi(q) = A q + b and their S, as N x N / N vectors for the kernels below.
template <int N>
struct GeneratorKernels {
    std::vector<Eigen::Matrix<double, N, N>> A, S;
    std::vector<Eigen::Matrix<double, N, 1>> b;
    explicit GeneratorKernels(const Loss& loss) {
        for (const auto& gen : loss.generators()) {
            A.push_back(gen.A);
            b.push_back(gen.b);
            S.push_back(gen.S());
        }
    }
};

// The discrete rule: samples q_0..q_N plus one extra step for the forward velocity at N.
// N is the dimension when it is known at compile time (2: every built-in 2-D loss), else
// Eigen::Dynamic: the same operations in the same order, so the same bits, at a fraction of the
// per-sample cost of dynamic-size expressions on 2-vectors.
template <int N>
void run_discrete(const Scene& sc, const Loss& loss, Trajectory& tr) {
    using Vec = Eigen::Matrix<double, N, 1>;
    const RuleParams& p = sc.rule;
    const double eta = p.lr, beta = model_momentum(p), k = p.weight_decay;
    const double c = 0.5 * (1.0 + beta);
    const bool budget = p.rule == Rule::Sgd && !p.nesterov && !p.constrain_norm;
    const long count = sc.steps + 1;
    const auto n = loss.dim();
    reserve_samples(tr, loss, count, budget);

    const Vector* v0 = sc.v0 ? &*sc.v0 : nullptr;
    OptimizerState st = make_state(p, sc.q0, v0);
    Vec q = sc.q0, qnext = Vec::Zero(n), d = Vec::Zero(n), xi = Vec::Zero(n), vel = Vec::Zero(n),
        Sd = Vec::Zero(n), grad = Vec::Zero(n);
    // d_0 = -eta v0 and J_{-1} = <-eta v0, xi(q0 + eta v0)> (PHYSICS.md §0).
    if (v0) d = -eta * *v0;
    const size_t ng = loss.generators().size();
    const GeneratorKernels<N> gk(loss);
    const auto& A = gk.A;
    const auto& b = gk.b;
    const auto& S = gk.S;
    const double max_r2 = divergence_r2();
    std::vector<double> jraw_prev(ng, 0.0);
    for (size_t g = 0; g < ng; ++g) {
        const Generator& gen = loss.generators()[g];
        jraw_prev[g] = v0 ? d.dot(gen.xi(sc.q0 - Vector(d))) : 0.0;
    }
    long kept = 0;
    for (long i = 0; i < count; ++i) {
        step(loss, p, st);
        qnext = st.q;
        grad = st.loss_grad;  // grad f(q_i), from the step that leaves q_i
        // q_{i+1} is the first bad step; sample i (finite) is kept when its forward step is.
        const bool bad = diverged_point(qnext, max_r2);
        if (bad) {
            tr.diverged = true;
            tr.diverged_at = i + 1;
            tr.message = divergence_message(i + 1, qnext.norm());
            if (!qnext.allFinite()) break;
        }
        vel = (qnext - q) / eta;
        record_point(tr, loss, i, q, vel, grad);
        for (size_t g = 0; g < ng; ++g) {
            xi.noalias() = A[g].lazyProduct(q);  // coefficient-wise: no gemv kernel for 2x2
            xi += b[g];
            const double jraw = (qnext - q).dot(xi);
            ChargeSeries& cs = tr.charges[g];
            cs.J.push_back(c * jraw);
            if (budget) {
                // §2.1: J_n = beta J_{n-1} + beta<d,Sd> - eta k<q,xi> - eta L_xi f, in rate units.
                cs.damping.push_back((beta - 1.0) * jraw_prev[g] * c / eta);
                Sd.noalias() = S[g].lazyProduct(d);
                cs.kinetic.push_back(beta * d.dot(Sd) * c / eta);
                cs.weight_decay.push_back(-k * q.dot(xi) * c);
                cs.explicit_breaking.push_back(-grad.dot(xi) * c);
            }
            jraw_prev[g] = jraw;
        }
        d = qnext - q;
        q = qnext;
        kept = i + 1;
        if (bad) break;
    }
    truncate(tr, kept);
}

// The first and last n coefficients of a state vector, fixed-size when N is.
template <int N, class V>
auto head_n(V&& v, Eigen::Index n) {
    if constexpr (N == Eigen::Dynamic)
        return v.head(n);
    else
        return v.template head<N>();
}
template <int N, class V>
auto tail_n(V&& v, Eigen::Index n) {
    if constexpr (N == Eigen::Dynamic)
        return v.tail(n);
    else
        return v.template tail<N>();
}

// A continuous model's integrator stopped before the last sample. A state that is no longer
// finite after |q| had grown far beyond its start is the model's own blow-up between two
// samples (a divergence); anything else is the integrator's failure, said as such.
void record_integrator_failure(Trajectory& tr, const IntegrationReport& rep, const Scene& sc,
                               double last_norm) {
    if (rep.ok || tr.diverged) return;
    const long at = rep.last_sample + 1;
    char buf[256];
    const bool blow_up = rep.message.rfind("the solution is not finite", 0) == 0 &&
                         last_norm > 1e4 * std::max(1.0, static_cast<double>(sc.q0.norm()));
    if (blow_up) {
        tr.diverged = true;
        tr.diverged_at = at;
        std::snprintf(buf, sizeof buf,
                      "diverged at step %ld (|q| = %.3g at the last sample, then not finite)", at,
                      last_norm);
    } else {
        tr.integration_failed = true;
        tr.failed_at = at;
        std::snprintf(buf, sizeof buf,
                      "integrator stopped at step %ld (t = %.6g): %s; the model has not "
                      "diverged, the samples before it are shown",
                      at, rep.failed_t, rep.message.c_str());
    }
    tr.message = buf;
}

// The continuous models on the sample grid (N as in run_discrete).
template <int N>
void run_continuous(const Scene& sc, const Loss& loss, Model model, Trajectory& tr) {
    using Vec = Eigen::Matrix<double, N, 1>;
    const RuleParams& p = sc.rule;
    const double eta = p.lr, beta = model_momentum(p), k = p.weight_decay;
    const double m = implicit_mass(p), mu = damping(p);
    const long count = sc.steps + 1;
    const auto n = loss.dim();
    const bool second_order = model != Model::Flow;
    reserve_samples(tr, loss, count, true);

    Vec gwork = Vec::Zero(n), grad = Vec::Zero(n), xi = Vec::Zero(n), vel = Vec::Zero(n),
        Sv = Vec::Zero(n), q = Vec::Zero(n);
    const size_t ng = loss.generators().size();
    const GeneratorKernels<N> gk(loss);
    const auto& A = gk.A;
    const auto& b = gk.b;
    const auto& S = gk.S;
    const Vector* v0 = sc.v0 ? &*sc.v0 : nullptr;
    const double max_r2 = divergence_r2();
    long kept = 0;
    // Sample i of the state y (q, and q' for the second-order models).
    auto sink = [&](long i, const auto& y) {
        q = head_n<N>(y, n);
        if (diverged_point(q, max_r2)) {
            tr.diverged = true;
            tr.diverged_at = i;
            tr.message = divergence_message(i, q.norm());
            return false;
        }
        loss.gradient(q, grad);
        if (second_order)
            vel = tail_n<N>(y, n);
        else
            vel = -(grad + k * q) / mu;
        record_point(tr, loss, i, q, vel, grad);
        for (size_t g = 0; g < ng; ++g) {
            xi.noalias() = A[g].lazyProduct(q);  // coefficient-wise: no gemv kernel for 2x2
            xi += b[g];
            ChargeSeries& cs = tr.charges[g];
            const double lie = grad.dot(xi), qxi = q.dot(xi);
            if (second_order) {
                const double J = m * vel.dot(xi);
                cs.J.push_back(J);
                cs.damping.push_back(-(mu / m) * J);
                Sv.noalias() = S[g].lazyProduct(vel);
                cs.kinetic.push_back(m * vel.dot(Sv));
                cs.weight_decay.push_back(-k * qxi);
                cs.explicit_breaking.push_back(-lie);
            } else {
                // Gradient flow: J = m<q',xi> -> 0; show <q', xi> = -(k<q,xi> + L_xi f)/mu.
                cs.J.push_back(vel.dot(xi));
                cs.damping.push_back(0.0);
                cs.kinetic.push_back(0.0);
                cs.weight_decay.push_back(-k * qxi / mu);
                cs.explicit_breaking.push_back(-lie / mu);
            }
        }
        kept = i + 1;
        return true;
    };
    IntegratorOptions opt;
    opt.rtol = sc.ode_rtol;
    opt.atol = sc.ode_rtol * 1e-2;
    // The state: (q, q') for the second-order models, q for gradient flow; 4 and 2 coefficients
    // when N is 2.
    constexpr int S2 = N == Eigen::Dynamic ? Eigen::Dynamic : 2 * N;
    IntegrationReport rep;
    if (second_order) {
        Eigen::Matrix<double, S2, 1> y0 = Eigen::Matrix<double, S2, 1>::Zero(2 * n);
        y0.head(n) = sc.q0;
        if (model == Model::Ode)
            y0.tail(n) = matched_initial_velocity(loss, sc.q0, v0, beta, k);
        else
            y0.tail(n) = v0 ? Vector(-*v0) : Vector::Zero(n);
        auto rhs = [&loss, &gwork, n, m, mu, k](double, const auto& y, auto& dy) {
            loss.gradient(head_n<N>(y, n), gwork);
            head_n<N>(dy, n) = tail_n<N>(y, n);
            tail_n<N>(dy, n) = (-mu * tail_n<N>(y, n) - gwork - k * head_n<N>(y, n)) / m;
        };
        rep = detail::dopri5<S2>(rhs, y0, eta, count, opt, sink);
    } else {
        const Vec y0 = sc.q0;
        auto rhs = [&loss, &gwork, n, mu, k](double, const auto& y, auto& dy) {
            loss.gradient(y, gwork);
            head_n<N>(dy, n) = -(gwork + k * head_n<N>(y, n)) / mu;
        };
        rep = detail::dopri5<N>(rhs, y0, eta, count, opt, sink);
    }
    record_integrator_failure(tr, rep, sc, kept > 0 ? tr.q.col(kept - 1).norm() : sc.q0.norm());
    truncate(tr, kept);
}

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

// Closed-form laws and derived series (PHYSICS.md §1.2, §1.3, §2.2, §2.3).
void add_predictions(const Scene& sc, const Loss& loss, Trajectory& tr) {
    const long N = tr.samples();
    if (N == 0) return;
    const RuleParams& p = sc.rule;
    const double eta = p.lr, beta = model_momentum(p), k = p.weight_decay;
    const double m = implicit_mass(p), mu = damping(p), c = 0.5 * (1.0 + beta);
    const bool heavy_ball = p.rule == Rule::Sgd && !p.nesterov && !p.constrain_norm;
    const bool discrete = tr.model == Model::Discrete;
    const bool flow = tr.model == Model::Flow;
    auto series = [N](std::string name, std::string doc) {
        return NamedSeries{std::move(name), std::move(doc), std::vector<double>(N, 0.0)};
    };
    for (size_t g = 0; g < loss.generators().size(); ++g) {
        const Generator& gen = loss.generators()[g];
        const ChargeSeries& cs = tr.charges[g];
        if (gen.kind == SymmetryKind::Rotation && (heavy_ball || !discrete)) {
            // §2.3: discrete L_n = beta^n L_0 exactly; ODE: e^{-mu t/m}; flow: 0.
            NamedSeries s = series("J_rotation_law", discrete ? "J_0 β^n (exact, §2.3)"
                                                              : (flow ? "0 (gradient flow, §1.2)"
                                                                      : "J(0) e^{−μt/m} (§1.2)"));
            if (!flow) {
                const std::vector<double> decay =
                    discrete ? exponential_table(N, [beta](double i) { return std::pow(beta, i); })
                             : exponential_table(N, [mu, m, eta](double i) {
                                   return std::exp(-mu * (i * eta) / m);
                               });
                for (long i = 0; i < N; ++i)
                    s.values[i] = cs.J[0] * decay[i];
            }
            tr.predictions.push_back(std::move(s));
        }
        if (gen.kind == SymmetryKind::Translation && (heavy_ball || !discrete)) {
            // §2.2: (X_n, p_n) is heavy ball on k X^2/2; §1.2: m X'' + mu X' + k X = 0.
            const Vector nh = gen.b;
            NamedSeries s = series("J_translation_law",
                                   discrete ? "heavy ball on kX²/2 (exact, §2.2)"
                                            : (flow ? "−(k/μ) X(0) e^{−kt/μ} (§1.2)"
                                                    : "m X′, m X″ + μ X′ + k X = 0 (§1.2)"));
            const double X0 = sc.q0.dot(nh);
            if (discrete) {
                double pprev = sc.v0 ? -sc.v0->dot(nh) : 0.0, X = X0;
                for (long i = 0; i < N; ++i) {
                    const double pn = beta * pprev - k * X;
                    s.values[i] = c * eta * pn;
                    X += eta * pn;
                    pprev = pn;
                }
            } else {
                const double V0 = tr.v.col(0).dot(nh);
                for (long i = 0; i < N; ++i) {
                    const double t = static_cast<double>(i) * eta;
                    s.values[i] = flow ? -(k / mu) * X0 * std::exp(-k * t / mu)
                                       : m * oscillator_velocity(m, mu, k, X0, V0, t);
                }
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
            tr.predictions.push_back(std::move(D));
            tr.predictions.push_back(std::move(law));
        }
        if (gen.kind == SymmetryKind::Scale) {
            // |g_hat|^2 = r^2 |grad f|^2 for a scale-invariant loss (grad f(q) = g_hat / r).
            std::vector<double> ghat2(N);
            for (long i = 0; i < N; ++i)
                ghat2[i] = tr.r2[i] * tr.grad_norm[i] * tr.grad_norm[i];
            // Eq. 17 with a left Riemann sum over the samples.
            NamedSeries r2_17 = series(
                "r2_eq17", "Eq. 17: r² = √(2η(1+β)/(1−β)³ ∫e^{−4k(t−τ)/μ}|ĝ|² + e^{−4kt/μ}r₀⁴)");
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
                        const double f0 = double(j) / sub, f1 = (j + 0.5) / sub,
                                     f2 = (j + 1.0) / sub;
                        const double k1r = drho, k1v = acc(rho, drho, f0);
                        const double k2r = drho + 0.5 * h * k1v,
                                     k2v = acc(rho + 0.5 * h * k1r, k2r, f1);
                        const double k3r = drho + 0.5 * h * k2v,
                                     k3v = acc(rho + 0.5 * h * k2r, k3r, f1);
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
            // Effective learning rates and RMSProp's G (Eq. 18's exact discrete recursion).
            NamedSeries elr = series("effective_lr", "η/|q|² (implicit adaptive learning rate)");
            NamedSeries elr17 = series("effective_lr_eq17", "η/r² with r² from Eq. 17");
            NamedSeries G = series("G_eq18", "G_n = ρG_{n−1} + (1−ρ)|g_n|², ρ = alpha (Eq. 18)");
            NamedSeries elrG = series("effective_lr_rmsprop", "η/(√G + eps) (RMSProp-norm)");
            double Gn = 0.0;
            for (long i = 0; i < N; ++i) {
                elr.values[i] = eta / tr.r2[i];
                elr17.values[i] = eta / r2_17.values[i];
                const double gk2 = (loss.gradient(tr.q.col(i)) + k * tr.q.col(i)).squaredNorm();
                Gn = p.alpha * Gn + (1.0 - p.alpha) * gk2;
                G.values[i] = Gn;
                elrG.values[i] = eta / (std::sqrt(Gn) + p.opt_eps);
            }
            for (auto* s : {&r2_17, &r2_16, &elr, &elr17, &G, &elrG})
                tr.predictions.push_back(std::move(*s));
        }
    }
    // Never hand a non-finite value to a view.
    for (auto& s : tr.predictions)
        for (auto& x : s.values)
            if (!std::isfinite(x)) x = 0.0;
}

// Threads kept for the models of long runs. Starting a thread per model (std::async) cost
// 0.7–2 ms on the 2-core VMs this runs on: in the app the second and third models of a slider
// change began that long after the first (measured inside simulate()), which made the three
// models run one after the other. Kept threads wait on a condition variable and start within
// microseconds.
class ModelThreads {
  public:
    static ModelThreads& instance() {
        static ModelThreads pool(std::max(2u, std::thread::hardware_concurrency()));
        return pool;
    }
    std::future<void> submit(std::function<void()> job) {
        std::packaged_task<void()> task(std::move(job));
        std::future<void> done = task.get_future();
        {
            std::lock_guard lock(mutex_);
            queue_.push_back(std::move(task));
        }
        cv_.notify_one();
        return done;
    }
    ~ModelThreads() {
        {
            std::lock_guard lock(mutex_);
            quit_ = true;
        }
        cv_.notify_all();
        for (std::thread& t : threads_)
            t.join();
    }
    ModelThreads(const ModelThreads&) = delete;
    ModelThreads& operator=(const ModelThreads&) = delete;

  private:
    explicit ModelThreads(unsigned n) {
        for (unsigned i = 0; i < n; ++i)
            threads_.emplace_back([this] { work(); });
    }
    void work() {
        for (;;) {
            std::packaged_task<void()> task;
            {
                std::unique_lock lock(mutex_);
                cv_.wait(lock, [this] { return quit_ || !queue_.empty(); });
                if (queue_.empty()) return;  // quitting
                task = std::move(queue_.front());
                queue_.pop_front();
            }
            task();
        }
    }
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::packaged_task<void()>> queue_;
    std::vector<std::thread> threads_;
    bool quit_ = false;
};

}  // namespace

namespace detail {

Trajectory simulate_model(const Scene& scene, const Loss& loss, Model model, bool fixed_size) {
    Trajectory tr;
    tr.model = model;
    const bool two = fixed_size && loss.dim() == 2;
    if (model == Model::Discrete) {
        if (two)
            run_discrete<2>(scene, loss, tr);
        else
            run_discrete<Eigen::Dynamic>(scene, loss, tr);
    } else {
        if (two)
            run_continuous<2>(scene, loss, model, tr);
        else
            run_continuous<Eigen::Dynamic>(scene, loss, model, tr);
    }
    add_predictions(scene, loss, tr);
    return tr;
}

}  // namespace detail

Trajectory simulate_model(const Scene& scene, const Loss& loss, Model model) {
    return detail::simulate_model(scene, loss, model, true);
}

Result<std::shared_ptr<const Run>> simulate(const Scene& scene, std::shared_ptr<const Loss> loss) {
    if (auto s = validate(scene, *loss); !s) return s.error();
    auto run = std::make_shared<Run>();
    run->scene = scene;
    run->loss = loss;
    run->m = implicit_mass(scene.rule);
    run->mu = damping(scene.rule);
    run->t.resize(scene.steps + 1);
    for (long i = 0; i <= scene.steps; ++i)
        run->t[i] = static_cast<double>(i) * scene.rule.lr;
    const std::pair<bool, Model> models[] = {{scene.show_discrete, Model::Discrete},
                                             {scene.show_ode, Model::Ode},
                                             {scene.show_ode_rest, Model::OdeRest},
                                             {scene.show_flow, Model::Flow}};
    std::vector<Model> selected;
    for (const auto& [on, model] : models)
        if (on) selected.push_back(model);
    run->trajectories.resize(selected.size());
    // The models are independent: long runs simulate them concurrently (the first on this
    // thread, the others on kept threads), which is what makes a slider change of the app's
    // default scene fit in a frame. Each model's result is the same as alone, bit for bit,
    // whatever the thread count.
    constexpr long kParallelSamples = 2000;
    if (selected.size() > 1 && scene.steps >= kParallelSamples) {
        std::vector<std::future<void>> others;
        // The jobs use this frame (run, scene, selected): it is not left, even by an exception
        // of the model run here, before every job has finished (std::async's futures waited in
        // their destructors; packaged_task futures do not).
        struct WaitAll {
            std::vector<std::future<void>>& jobs;
            ~WaitAll() {
                for (auto& j : jobs)
                    if (j.valid()) j.wait();
            }
        } wait_all{others};
        for (size_t k = 1; k < selected.size(); ++k)
            others.push_back(ModelThreads::instance().submit([&run, &scene, &loss, &selected, k] {
                run->trajectories[k] = simulate_model(scene, *loss, selected[k]);
            }));
        run->trajectories[0] = simulate_model(scene, *loss, selected[0]);
        for (auto& f : others)
            f.get();
    } else {
        for (size_t k = 0; k < selected.size(); ++k)
            run->trajectories[k] = simulate_model(scene, *loss, selected[k]);
    }
    return std::shared_ptr<const Run>(std::move(run));
}

Result<std::shared_ptr<const Run>> simulate(const Scene& scene) {
    auto loss = make_loss(scene.loss);
    if (!loss) return loss.error();
    return simulate(scene, loss.value());
}

}  // namespace noether

// Continuous models (PHYSICS.md §0.2, §1, §2.6, §6.2): integrator accuracy and order, the ODE
// charge laws on the Run's ODE and flow trajectories, the constant-gradient comparison with the
// matched initial velocity, and the order of the trajectory error of IA-match vs gradient flow.
#include <gtest/gtest.h>

#include <complex>

#include "noether/flow.hpp"
#include "noether/run.hpp"
#include "test_support.hpp"

using namespace noether;
using namespace noether::testing;

namespace {

// Exact solution of m x'' + mu x' + kappa x = 0 (the IA ODE of a quadratic, per coordinate).
struct Oscillator {
    double m, mu, kappa, x0, v0;
    std::complex<double> sp() const {
        return (-mu + std::sqrt(std::complex<double>(mu * mu - 4 * m * kappa))) / (2 * m);
    }
    std::complex<double> sm() const {
        return (-mu - std::sqrt(std::complex<double>(mu * mu - 4 * m * kappa))) / (2 * m);
    }
    double x(double t) const {
        const auto a = (v0 - sm() * x0) / (sp() - sm()), b = x0 - a;
        return (a * std::exp(sp() * t) + b * std::exp(sm() * t)).real();
    }
    double v(double t) const {
        const auto a = (v0 - sm() * x0) / (sp() - sm()), b = x0 - a;
        return (a * sp() * std::exp(sp() * t) + b * sm() * std::exp(sm() * t)).real();
    }
};

Scene scene(const std::string& loss, double eps, const Vector& q0, double eta, double beta,
            double k, std::optional<Vector> v0, long steps) {
    Scene sc;
    sc.loss.name = loss;
    sc.loss.eps = eps;
    sc.rule.lr = eta;
    sc.rule.momentum = beta;
    sc.rule.weight_decay = k;
    sc.q0 = q0;
    sc.v0 = std::move(v0);
    sc.steps = steps;
    return sc;
}

Trajectory model_run(const Scene& sc, Model model, std::shared_ptr<const Loss> loss = nullptr) {
    if (!loss) loss = make(sc.loss.name, sc.loss.eps, sc.loss.params);
    EXPECT_TRUE(validate(sc, *loss).ok());
    Trajectory tr = simulate_model(sc, *loss, model);
    EXPECT_FALSE(tr.diverged) << tr.message;
    EXPECT_EQ(tr.samples(), sc.steps + 1);
    return tr;
}

// Second-order IA right-hand side y = (q, q') for a loss.
OdeRhs ia_rhs(const Loss& loss, double m, double mu, double k, Vector& work) {
    const auto n = loss.dim();
    return [&loss, &work, n, m, mu, k](double, VecRef y, VecOut dy) {
        loss.gradient(y.head(n), work);
        dy.head(n) = y.tail(n);
        dy.tail(n) = (-mu * y.tail(n) - work - k * y.head(n)) / m;
    };
}

// All samples of an integration, one column per sample.
Matrix collect(long samples, const std::function<IntegrationReport(const SampleSink&)>& integrate,
               Eigen::Index rows) {
    Matrix out(rows, samples);
    const IntegrationReport rep = integrate([&](long i, VecRef y) {
        out.col(i) = y;
        return true;
    });
    EXPECT_TRUE(rep.ok) << rep.message;
    EXPECT_EQ(rep.last_sample, samples - 1);
    return out;
}

// Richardson-extrapolated RK4 reference (substeps s and 2s).
Matrix rk4_reference(const OdeRhs& rhs, const Vector& y0, double dt, long samples, int s) {
    const Matrix a = collect(
        samples, [&](const SampleSink& k) { return integrate_rk4(rhs, y0, dt, samples, s, k); },
        y0.size());
    const Matrix b = collect(
        samples, [&](const SampleSink& k) { return integrate_rk4(rhs, y0, dt, samples, 2 * s, k); },
        y0.size());
    return b + (b - a) / 15.0;
}

}  // namespace

TEST(Integrators, Dopri5MatchesTheExactLinearSolutionTo1e9) {
    // Quadratic loss: the IA ODE is linear, solved exactly per coordinate.
    const Vector lambda = vec({1.0, 10.0}), q0 = vec({1.0, -0.7}), v0 = vec({0.3, 0.2});
    for (double beta : {0.0, 0.5, 0.9}) {
        for (double eta : {0.01, 0.1}) {
            SCOPED_TRACE("beta=" + std::to_string(beta) + " eta=" + std::to_string(eta));
            const double k = 0.01;
            const Scene sc = scene("quadratic", 0, q0, eta, beta, k, v0, 300);
            auto loss = make("quadratic");
            const double m = eta * (1 + beta) / 2, mu = 1 - beta;
            const Vector u0 = matched_initial_velocity(*loss, q0, &v0, beta, k);
            EXPECT_LT((u0 + (lambda.cwiseProduct(q0) + k * q0 + 2 * beta * v0) / (1 + beta)).norm(),
                      1e-16);
            for (Model model : {Model::Ode, Model::OdeRest}) {
                const Trajectory tr = model_run(sc, model);
                const Vector start = model == Model::Ode ? u0 : Vector(-v0);
                double worst = 0, qmax = 0;
                for (long n = 0; n < tr.samples(); ++n) {
                    for (int i = 0; i < 2; ++i) {
                        const Oscillator osc{m, mu, lambda[i] + k, q0[i], start[i]};
                        worst = std::max(worst, std::abs(tr.q(i, n) - osc.x(n * eta)));
                    }
                    qmax = std::max(qmax, tr.q.col(n).norm());
                }
                EXPECT_LT(worst / qmax, 1e-9) << to_string(model);
                EXPECT_EQ(tr.v.col(0), start) << "sample 0 velocity is the chosen start";
            }
        }
    }
}

TEST(Integrators, Dopri5MatchesRichardsonRk4OnNonlinearLosses) {
    struct Case {
        std::string loss;
        double eps;
        Vector q0;
        double beta, k;
        std::optional<Vector> v0;
    };
    const std::vector<Case> cases = {
        {"rotation_hat", 0.1, vec({-0.2, 0.5}), 0.9, 0.01, vec({0.3, -0.5})},
        {"rescale_2d", 0.0, vec({2.0, 0.3}), 0.5, 0.0, std::nullopt},
        {"scale_cos", 0.0, vec({std::cos(2.0), std::sin(2.0)}), 0.0, 0.01, std::nullopt},
        {"bn_logistic", 1e-5, vec({1, 0.5, -0.3, 0.2}), 0.9, 0.0, std::nullopt},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.loss);
        const double eta = 0.02;
        const long N = 200;
        const Scene sc = scene(c.loss, c.eps, c.q0, eta, c.beta, c.k, c.v0, N);
        auto loss = make(c.loss, c.eps);
        const Trajectory tr = model_run(sc, Model::Ode, loss);
        Vector work(loss->dim());
        const double m = eta * (1 + c.beta) / 2, mu = 1 - c.beta;
        Vector y0(2 * loss->dim());
        y0 << c.q0, matched_initial_velocity(*loss, c.q0, c.v0 ? &*c.v0 : nullptr, c.beta, c.k);
        const Matrix ref = rk4_reference(ia_rhs(*loss, m, mu, c.k, work), y0, eta, N + 1, 100);
        const auto n = loss->dim();
        double worst = 0, qmax = 0;
        for (long i = 0; i <= N; ++i) {
            worst = std::max(worst, (tr.q.col(i) - ref.col(i).head(n)).norm());
            qmax = std::max(qmax, ref.col(i).head(n).norm());
        }
        EXPECT_LT(worst / qmax, 1e-9);
        const double end_err =
            (tr.q.col(N) - ref.col(N).head(n)).norm() / ref.col(N).head(n).norm();
        EXPECT_LT(end_err, 1e-9) << "endpoint";
    }
}

TEST(Integrators, Rk4ConvergesWithOrderFour) {
    // Halving the RK4 step divides the error by ~16 (linear IA ODE with an exact solution).
    auto loss = make("quadratic");
    const double eta = 0.1, beta = 0.5, k = 0.0, m = eta * (1 + beta) / 2, mu = 1 - beta;
    const Vector q0 = vec({1.0, -0.7});
    Vector y0(4);
    y0 << q0, matched_initial_velocity(*loss, q0, nullptr, beta, k);
    Vector work(2);
    const OdeRhs rhs = ia_rhs(*loss, m, mu, k, work);
    const long N = 40;
    std::vector<double> errors;
    for (int s : {4, 8, 16, 32}) {
        const Matrix y = collect(
            N + 1,
            [&](const SampleSink& sink) { return integrate_rk4(rhs, y0, eta, N + 1, s, sink); }, 4);
        double worst = 0;
        for (long n = 0; n <= N; ++n)
            for (int i = 0; i < 2; ++i) {
                const Oscillator osc{m, mu, (i == 0 ? 1.0 : 10.0) + k, y0[i], y0[2 + i]};
                worst = std::max(worst, std::abs(y(i, n) - osc.x(n * eta)));
            }
        errors.push_back(worst);
    }
    for (size_t i = 0; i + 1 < errors.size(); ++i) {
        const double ratio = errors[i] / errors[i + 1];
        EXPECT_GT(ratio, 14.0) << "halving " << i;
        EXPECT_LT(ratio, 18.5) << "halving " << i;
    }
}

TEST(ContinuousCharges, RotationDecaysExponentiallyWithAKick) {
    // §1.2: m L' + mu L = 0, J(t) = J(0) e^{-mu t/m} for every k (eps = 0).
    for (double k : {0.0, 0.05}) {
        for (Model model : {Model::Ode, Model::OdeRest}) {
            SCOPED_TRACE(std::string(to_string(model)) + " k=" + std::to_string(k));
            const double eta = 0.01, beta = 0.9, m = eta * (1 + beta) / 2, mu = 1 - beta;
            const Scene sc =
                scene("rotation_hat", 0, vec({0.6, 0.5}), eta, beta, k, vec({0.3, -0.5}), 300);
            const Trajectory tr = model_run(sc, model);
            const auto& J = tr.charge("rotation")->J;
            const NamedSeries* law = tr.prediction("J_rotation_law");
            ASSERT_NE(law, nullptr);
            ASSERT_GT(std::abs(J[0]), 1e-4);
            for (long n = 0; n < tr.samples(); ++n) {
                const double expect = J[0] * std::exp(-mu * n * eta / m);
                EXPECT_NEAR(J[n], expect, 1e-8 * std::abs(J[0])) << n;
                EXPECT_NEAR(law->values[n], expect, 1e-15 * std::abs(J[0])) << n;
            }
            // §2.3: the ODE's per-step factor differs from the discrete beta (Pade approximant).
            EXPECT_NEAR(std::exp(-mu * eta / m), 0.900088, 1e-6);
        }
    }
}

TEST(ContinuousCharges, TranslationIsADampedOscillatorIndependentOfTheLoss) {
    // §1.2: m X'' + mu X' + k X = 0 with X = <q, n>.
    for (const char* name : {"translation_valley", "translation_logistic"}) {
        for (double k : {0.0, 0.5}) {
            SCOPED_TRACE(std::string(name) + " k=" + std::to_string(k));
            const double eta = 0.01, beta = 0.9, m = eta * (1 + beta) / 2, mu = 1 - beta;
            const Scene sc = scene(name, 0, vec({0.5, -1.0}), eta, beta, k, vec({0.4, 0.7}), 500);
            const Trajectory tr = model_run(sc, Model::Ode);
            auto loss = make(name);
            const Vector nh = loss->generators()[0].b;
            const Oscillator osc{m, mu, k, sc.q0.dot(nh), tr.v.col(0).dot(nh)};
            const NamedSeries* law = tr.prediction("J_translation_law");
            ASSERT_NE(law, nullptr);
            const auto& J = tr.charge("translation")->J;
            double worst_X = 0, worst_J = 0, Xmax = 0, Jmax = 0;
            for (long n = 0; n < tr.samples(); ++n) {
                const double t = n * eta;
                worst_X = std::max(worst_X, std::abs(tr.q.col(n).dot(nh) - osc.x(t)));
                worst_J = std::max(worst_J, std::abs(J[n] - m * osc.v(t)) +
                                                std::abs(law->values[n] - m * osc.v(t)));
                Xmax = std::max(Xmax, std::abs(osc.x(t)));
                Jmax = std::max(Jmax, std::abs(m * osc.v(t)));
            }
            EXPECT_LT(worst_X / Xmax, 1e-9);
            EXPECT_LT(worst_J / Jmax, 1e-8);
            if (k == 0) {
                // X(inf) = X(0) + (m/mu) p(0).
                EXPECT_NEAR(tr.q.col(tr.samples() - 1).dot(nh), osc.x0 + m / mu * osc.v0, 1e-9);
            }
        }
    }
}

TEST(ContinuousCharges, BudgetClosesAlongTheOdeTrajectory) {
    // §1.1: J' = -(mu/m) J + m<q', S q'> - k<q, xi> - L_xi f, checked with a central
    // (sixth-order) finite difference of the sampled J. Dropping any term leaves a visible
    // residual.
    struct Case {
        std::string loss;
        double eps;
        Vector q0, v0;
    };
    const std::vector<Case> cases = {
        {"rescale_2d", 0.1, vec({2.0, 0.3}), vec({-0.3, 0.5})},
        {"scale_cos", 0.01, vec({std::cos(2.0), std::sin(2.0)}), vec({0.2, -0.4})},
        {"rotation_hat", 0.1, vec({-0.2, 0.5}), vec({0.3, -0.5})},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.loss);
        const double eta = 0.01;
        const Scene sc = scene(c.loss, c.eps, c.q0, eta, 0.9, 0.01, c.v0, 300);
        const Trajectory tr = model_run(sc, Model::Ode);
        const ChargeSeries& cs = tr.charges.at(0);
        const std::vector<double>* terms[4] = {&cs.damping, &cs.kinetic, &cs.weight_decay,
                                               &cs.explicit_breaking};
        double worst = 0, drop[4] = {0, 0, 0, 0}, present[4] = {0, 0, 0, 0};
        for (long n = 3; n + 3 < tr.samples(); ++n) {
            const auto& J = cs.J;
            const double dJ = (J[n + 3] - 9 * J[n + 2] + 45 * J[n + 1] - 45 * J[n - 1] +
                               9 * J[n - 2] - J[n - 3]) /
                              (60 * eta);
            double sum = 0, scale = 0;
            for (int t = 0; t < 4; ++t) {
                sum += (*terms[t])[n];
                scale += std::abs((*terms[t])[n]);
            }
            worst = std::max(worst, std::abs(dJ - sum) / scale);
            for (int t = 0; t < 4; ++t) {
                drop[t] = std::max(drop[t], std::abs(dJ - sum + (*terms[t])[n]) / scale);
                present[t] = std::max(present[t], std::abs((*terms[t])[n]) / scale);
            }
        }
        EXPECT_LT(worst, 1e-4);
        for (int t = 0; t < 4; ++t)
            if (present[t] > 1e-3) {
                EXPECT_GT(drop[t], 1e-3) << "term " << t;
            }
        if (c.loss == "rotation_hat") {
            EXPECT_EQ(present[1], 0.0) << "rotation has no kinetic breaking (S = 0)";
            EXPECT_LT(present[2], 1e-15) << "weight decay drops out of rotation";
        }
    }
}

TEST(GradientFlow, RotationChargeVanishesAndTranslationDecays) {
    // §1.2: in gradient flow L = <q', Jq> is identically 0 (the ray is kept);
    // X(t) = X(0) e^{-kt/mu}; rho(t) = rho(0) e^{-2kt/mu} (scale); D(t) = D(0) e^{-2kt/mu}.
    const double eta = 0.01, beta = 0.5, mu = 1 - beta, k = 0.1;
    {
        const Scene sc = scene("rotation_hat", 0, vec({0.6, 0.5}), eta, beta, k, std::nullopt, 400);
        const Trajectory tr = model_run(sc, Model::Flow);
        const auto& J = tr.charge("rotation")->J;
        const double angle0 = std::atan2(0.5, 0.6);
        for (long n = 0; n < tr.samples(); ++n) {
            // Rounding of grad f + k q is relative to its terms (|q|^2 + 1 + k)|q|.
            const double r2 = tr.r2[n];
            EXPECT_LT(std::abs(J[n]), 1e-15 * (r2 + 1 + k) * r2 / mu) << n;
            EXPECT_NEAR(std::atan2(tr.q(1, n), tr.q(0, n)), angle0, 1e-12);
            EXPECT_EQ(tr.prediction("J_rotation_law")->values[n], 0.0);
        }
    }
    {
        const Scene sc =
            scene("translation_valley", 0, vec({0.5, -1.0}), eta, beta, k, std::nullopt, 400);
        const Trajectory tr = model_run(sc, Model::Flow);
        const Vector nh = make("translation_valley")->generators()[0].b;
        const double X0 = sc.q0.dot(nh);
        const auto& J = tr.charge("translation")->J;
        const NamedSeries* law = tr.prediction("J_translation_law");
        for (long n = 0; n < tr.samples(); ++n) {
            const double X = X0 * std::exp(-k * n * eta / mu);
            EXPECT_NEAR(tr.q.col(n).dot(nh), X, 1e-9 * std::abs(X0)) << n;
            EXPECT_NEAR(J[n], -(k / mu) * X, 1e-9 * std::abs(k / mu * X0)) << n;
            EXPECT_NEAR(law->values[n], J[n], 1e-9 * std::abs(k / mu * X0)) << n;
            // The flow "charge" is its decomposition -(k<q,xi> + L_xi f)/mu.
            const ChargeSeries& cs = *tr.charge("translation");
            EXPECT_NEAR(J[n], cs.weight_decay[n] + cs.explicit_breaking[n], 1e-15 * std::abs(X0));
        }
    }
    {
        const Scene sc = scene("scale_cos", 0, vec({std::cos(2.0), std::sin(2.0)}), eta, beta, k,
                               std::nullopt, 400);
        const Trajectory tr = model_run(sc, Model::Flow);
        for (long n = 0; n < tr.samples(); ++n)
            EXPECT_NEAR(tr.r2[n], std::exp(-2 * k * n * eta / mu), 1e-9) << n;
    }
    {
        const Scene sc = scene("rescale_2d", 0, vec({2.0, 0.3}), eta, beta, k, std::nullopt, 400);
        const Trajectory tr = model_run(sc, Model::Flow);
        const NamedSeries* D = tr.prediction("D_rescale");
        const NamedSeries* law = tr.prediction("D_rescale_flow_law");
        ASSERT_TRUE(D && law);
        const double D0 = 4.0 - 0.09;
        for (long n = 0; n < tr.samples(); ++n) {
            EXPECT_NEAR(D->values[n], D0 * std::exp(-2 * k * n * eta / mu), 1e-9 * D0) << n;
            EXPECT_NEAR(law->values[n], D->values[n], 1e-9 * D0) << n;
        }
    }
}

namespace {

// f = <g, q>: a constant gradient everywhere (§2.6).
class ConstantSlope final : public Loss {
  public:
    explicit ConstantSlope(Vector g)
        : Loss("constant_slope", static_cast<int>(g.size()), 0.0), g_(std::move(g)) {}
    std::string formula() const override { return "f = <g, q>"; }
    double value(VecRef q) const override { return g_.dot(q); }
    void gradient(VecRef, VecOut g) const override { g = g_; }
    void hessian(VecRef, MatOut H) const override { H.setZero(); }

  private:
    Vector g_;
};

}  // namespace

TEST(ConstantGradient, MatchedVelocityRemovesTheOffsetRestKeepsHalfAStep) {
    // §2.6: discrete q_n = q0 - (eta g/mu) n + (eta beta/mu)(g/mu - v0)(1 - beta^n);
    // ODE q(t) = q0 - g t/mu + (u0 + g/mu)(m/mu)(1 - e^{-mu t/m}). The matched u0 makes
    // q(t_n) - q_n = (eta beta/mu)(g/mu - v0)(beta^n - e^{-2 n mu/(1+beta)}) -> 0, while the
    // start from rest keeps the lag eta g/(2 mu).
    struct Case {
        std::shared_ptr<const Loss> loss;
        Vector q0, g;
    };
    const Vector g = vec({0.8, -0.3});
    const std::vector<Case> cases = {
        {std::make_shared<ConstantSlope>(g), vec({0.4, 0.1}), g},
        // translation_logistic far out on its linear tail: grad = (-1, 1) to the last bit.
        // (q1 - q2 stays below -300, where sigma rounds to 1, over the whole run.)
        {make("translation_logistic"), vec({-200.0, 200.0}), vec({-1.0, 1.0})},
    };
    for (const auto& c : cases) {
        for (double beta : {0.0, 0.5, 0.9}) {
            for (bool kick : {false, true}) {
                SCOPED_TRACE(c.loss->name() + " beta=" + std::to_string(beta) +
                             (kick ? " kick" : ""));
                ASSERT_EQ(c.loss->gradient(c.q0), c.g);
                const double eta = 0.01, mu = 1 - beta, m = eta * (1 + beta) / 2;
                const long N = 150;
                const Vector v0 = kick ? Vector(vec({0.5, 0.25})) : Vector::Zero(2);
                Scene sc = scene("custom", 0, c.q0, eta, beta, 0.0,
                                 kick ? std::optional<Vector>(v0) : std::nullopt, N);
                const Trajectory disc = model_run(sc, Model::Discrete, c.loss);
                const Trajectory ode = model_run(sc, Model::Ode, c.loss);
                const Trajectory rest = model_run(sc, Model::OdeRest, c.loss);
                const Vector u_match = -(c.g + 2 * beta * v0) / (1 + beta), u_rest = -v0;
                double worst_disc = 0, worst_ode = 0, worst_rest = 0, worst_offset = 0, qmax = 0;
                for (long n = 0; n <= N; ++n) {
                    const double t = n * eta, bn = std::pow(beta, n);
                    const Vector qd = c.q0 - (eta / mu) * n * c.g +
                                      (eta * beta / mu) * (c.g / mu - v0) * (1 - bn);
                    const double decay = std::exp(-mu * t / m);
                    const Vector qo =
                        c.q0 - c.g * t / mu + (u_match + c.g / mu) * (m / mu) * (1 - decay);
                    const Vector qr =
                        c.q0 - c.g * t / mu + (u_rest + c.g / mu) * (m / mu) * (1 - decay);
                    qmax = std::max(qmax, qd.norm());
                    worst_disc = std::max(worst_disc, (disc.q.col(n) - qd).norm());
                    worst_ode = std::max(worst_ode, (ode.q.col(n) - qo).norm());
                    worst_rest = std::max(worst_rest, (rest.q.col(n) - qr).norm());
                    const Vector offset = (eta * beta / mu) * (c.g / mu - v0) *
                                          (bn - std::exp(-2.0 * n * mu / (1 + beta)));
                    worst_offset =
                        std::max(worst_offset, (ode.q.col(n) - disc.q.col(n) - offset).norm());
                }
                EXPECT_LT(worst_disc / qmax, 1e-13);
                EXPECT_LT(worst_ode / qmax, 1e-9);
                EXPECT_LT(worst_rest / qmax, 1e-9);
                EXPECT_LT(worst_offset / qmax, 1e-9);
                // Late time: matched offset gone, rest lag (eta/2)(g/mu - v0) (= eta g/(2 mu) from
                // rest).
                const Vector late_match = ode.q.col(N) - disc.q.col(N);
                const Vector late_rest = rest.q.col(N) - disc.q.col(N);
                const Vector lag = 0.5 * eta * (c.g / mu - v0);
                if (beta < 0.9) {  // beta^N still visible at 0.9 after 150 steps
                    EXPECT_LT(late_match.norm(), 1e-9 * qmax);
                    EXPECT_LT((late_rest - lag).norm(), 1e-9 * qmax);
                }
                EXPECT_GT(lag.norm(), 1e-3);
            }
        }
    }
}

TEST(TrajectoryAccuracy, MatchedOdeIsSecondOrderGradientFlowFirstOrder) {
    // §6.2: error against the discrete iterates at T = 3(1-beta) (k = 0, v0 = 0, eta/(1-beta)
    // halved twice from 0.05): gradient flow and IA-rest are O(eta), IA-match is O(eta^2).
    // (On losses still moving at T; rescale_2d has converged there and the lag is gone.)
    struct Case {
        std::string loss;
        double eps, beta;
        Vector q0;
    };
    const std::vector<Case> cases = {
        {"scale_cos", 0.0, 0.5, vec({std::cos(2.0), std::sin(2.0)})},
        {"rotation_hat", 0.1, 0.0, vec({-0.2, 0.5})},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.loss);
        const double T = 3 * (1 - c.beta);
        std::vector<double> gf, ia, rest;
        for (double eff : {0.05, 0.025, 0.0125}) {
            const double eta = eff * (1 - c.beta);
            const long N = std::lround(T / eta);
            Scene sc = scene(c.loss, c.eps, c.q0, eta, c.beta, 0, std::nullopt, N);
            sc.show_ode = sc.show_ode_rest = sc.show_flow = true;
            auto run = simulate(sc);
            ASSERT_TRUE(run.ok());
            const noether::Run& r = **run;
            const Vector qd = r.find(Model::Discrete)->q.col(N);
            const double disp = (qd - sc.q0).norm();
            gf.push_back((r.find(Model::Flow)->q.col(N) - qd).norm() / disp);
            ia.push_back((r.find(Model::Ode)->q.col(N) - qd).norm() / disp);
            rest.push_back((r.find(Model::OdeRest)->q.col(N) - qd).norm() / disp);
        }
        for (size_t i = 0; i + 1 < gf.size(); ++i) {
            EXPECT_NEAR(gf[i] / gf[i + 1], 2.0, 0.3) << "gradient flow is first order";
            EXPECT_NEAR(rest[i] / rest[i + 1], 2.0, 0.3) << "IA from rest is first order";
            EXPECT_NEAR(ia[i] / ia[i + 1], 4.0, 0.6) << "IA-match is second order";
            EXPECT_LT(ia[i], 0.2 * rest[i]);
            EXPECT_LT(rest[i], gf[i]);
        }
    }
}

// Hessian geometry (PHYSICS.md §3): the spectrum and eigenvectors, the identities H1/H2 on every
// loss, the exact gradient-Hessian alignment of scale symmetry, flat directions of translation
// and rotation, sharpness against the stability line, and the series along a run.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "noether/discovery.hpp"
#include "noether/hessian.hpp"
#include "noether/loss.hpp"
#include "noether/run.hpp"

using namespace noether;

namespace {

struct Case {
    std::string name;
    std::map<std::string, std::vector<double>> params;
    double min_norm;  // scale-invariant losses: away from the origin
    double spread;
};

std::vector<Case> symmetric_losses() {
    return {{"scale_cos", {{"theta_star", {0.3}}}, 0.3, 1.0},
            {"rotation_hat", {}, 0.0, 1.0},
            {"translation_valley", {}, 0.0, 2.0},
            {"translation_logistic", {}, 0.0, 2.0},
            {"rescale_2d", {}, 0.0, 1.5},
            {"rayleigh", {}, 0.3, 1.0},
            {"rayleigh", {{"diag", {1, 2, 2, 4}}}, 0.3, 1.0},
            {"bn_logistic", {}, 0.3, 1.0}};
}

std::shared_ptr<const Loss> make(const std::string& name, double eps = 0.0,
                                 std::map<std::string, std::vector<double>> params = {}) {
    LossSpec s;
    s.name = name;
    s.eps = eps;
    s.params = std::move(params);
    auto r = make_loss(s);
    EXPECT_TRUE(r.ok()) << name;
    return r.value();
}

Vector sample(std::mt19937_64& rng, int n, double spread, double min_norm) {
    std::normal_distribution<double> normal(0.0, spread);
    Vector q(n);
    do {
        for (int i = 0; i < n; ++i)
            q[i] = normal(rng);
    } while (q.norm() < min_norm);
    return q;
}

}  // namespace

TEST(HessianGeometry, H1H2_ResidualsVanishOnEveryLossWithSymmetry) {
    std::mt19937_64 rng(42);
    for (const auto& c : symmetric_losses()) {
        auto loss = make(c.name, 0.0, c.params);
        ASSERT_FALSE(loss->generators().empty()) << c.name;
        for (int k = 0; k < 200; ++k) {
            const Vector q = sample(rng, loss->dim(), c.spread, c.min_norm);
            auto h = hessian_at(*loss, q);
            ASSERT_TRUE(h.ok());
            for (const auto& g : h->generators) {
                EXPECT_LE(g.h1_residual, 1e-12) << c.name << " " << g.name;
                EXPECT_LE(g.h2_residual, 1e-12) << c.name << " " << g.name;
            }
        }
    }
}

TEST(HessianGeometry, H1H2_HoldForDiscoveredSymmetriesOfTypedLosses) {
    // Typed losses have no built-in generators: discover them, adopt them, check H1/H2.
    const char* exprs[] = {"(q1^2 + q2^2 - 1)^2/4", "(q1^2 + 10*q2^2)/2", "(q1^2 - q2^2 - 1)^2/4",
                           "(q1 + 2*q2)^2/2 + sin(q1 + 2*q2)",
                           "(q1^2 + 2*q2^2 + 3*q3^2)/(q1^2 + q2^2 + q3^2)"};
    std::mt19937_64 rng(5);
    for (const char* e : exprs) {
        LossSpec s;
        s.name = "expr";
        s.expr = e;
        auto base = make_loss(s);
        ASSERT_TRUE(base.ok()) << e;
        auto d = discover_symmetries(**base);
        ASSERT_TRUE(d.ok());
        ASSERT_GE(d->nullity, 1) << e;
        std::vector<Generator> gens;
        for (const auto& g : d->exact.generators)
            gens.push_back(g.generator);
        auto loss = adopt_generators(*base, gens);
        for (int k = 0; k < 100; ++k) {
            const Vector q = sample(rng, loss->dim(), 1.0, 0.3);
            auto h = hessian_at(*loss, q);
            ASSERT_TRUE(h.ok());
            for (const auto& g : h->generators) {
                EXPECT_LE(g.h1_residual, 1e-12) << e << " " << g.name;
                EXPECT_LE(g.h2_residual, 1e-12) << e << " " << g.name;
            }
        }
    }
}

TEST(HessianGeometry, H1_SeesExplicitBreaking) {
    // The residual is |∇(L_ξ f)| normalised: a tilt eps = 0.1 shows up at once.
    auto loss = make("rotation_hat", 0.1);
    Vector q(2);
    q << 0.3, 0.4;
    auto h = hessian_at(*loss, q);
    ASSERT_TRUE(h.ok());
    EXPECT_GT(h->generators[0].h1_residual, 1e-3);
    EXPECT_GT(h->generators[0].h2_residual, 1e-3);
    EXPECT_NEAR(h->generators[0].lie_derivative, -0.1 * q[1], 1e-15);  // L_{Jq} f = −ε q₂
}

TEST(HessianGeometry, EigenDecomposition_AscendingOrthonormalAndExact) {
    std::mt19937_64 rng(1);
    for (const auto& c : symmetric_losses()) {
        auto loss = make(c.name, 0.0, c.params);
        for (int k = 0; k < 20; ++k) {
            const Vector q = sample(rng, loss->dim(), c.spread, c.min_norm);
            auto h = hessian_at(*loss, q);
            ASSERT_TRUE(h.ok());
            const int n = loss->dim();
            for (int i = 0; i + 1 < n; ++i)
                EXPECT_LE(h->eigenvalues[i], h->eigenvalues[i + 1]);
            const Matrix& U = h->eigenvectors;
            EXPECT_LT((U.transpose() * U - Matrix::Identity(n, n)).norm(), 1e-13);
            const double scale = 1.0 + h->eigenvalues.cwiseAbs().maxCoeff();
            EXPECT_LT((h->hessian * U - U * h->eigenvalues.asDiagonal()).norm() / scale, 1e-13);
            EXPECT_EQ(h->sharpness, h->eigenvalues[n - 1]);
            // Gradient components reassemble the gradient; alignments are unit cosines.
            EXPECT_LT((U * h->gradient_components - h->gradient).norm(),
                      1e-13 * (1 + h->gradient.norm()));
            if (h->gradient.norm() > 0) {
                EXPECT_NEAR(h->alignment.squaredNorm(), 1.0, 1e-13);
            }
        }
    }
}

TEST(HessianGeometry, ScaleSymmetry_GradientComponentIsMinusLambdaTimesQComponent) {
    // §3.2: ⟨∇f, u_i⟩ = −λ_i ⟨q, u_i⟩, so ∇f has no component on ker H.
    std::mt19937_64 rng(9);
    for (const auto& c : symmetric_losses()) {
        auto loss = make(c.name, 0.0, c.params);
        if (loss->generators()[0].kind != SymmetryKind::Scale) continue;
        for (int k = 0; k < 50; ++k) {
            const Vector q = sample(rng, loss->dim(), c.spread, c.min_norm);
            auto h = hessian_at(*loss, q);
            ASSERT_TRUE(h.ok());
            const Vector qc = h->eigenvectors.transpose() * q;
            const Vector expect = -h->eigenvalues.cwiseProduct(qc);
            const double scale = h->eigenvalues.cwiseAbs().maxCoeff() * q.norm();
            EXPECT_LT((h->gradient_components - expect).norm(), 1e-12 * scale) << c.name;
        }
    }
}

TEST(HessianGeometry, ScaleCos_MatchesTheWorkedExample) {
    // §3.2 example: scale_cos θ* = 0.3 at (1.2, −0.9): Hq = −∇f, eigenvalues (−0.2523, 0.5132),
    // never locally convex away from critical points (λ_min < 0 < λ_max).
    auto loss = make("scale_cos", 0.0, {{"theta_star", {0.3}}});
    Vector q(2);
    q << 1.2, -0.9;
    auto h = hessian_at(*loss, q);
    ASSERT_TRUE(h.ok());
    EXPECT_NEAR(h->eigenvalues[0], -0.2523, 1e-4);
    EXPECT_NEAR(h->eigenvalues[1], 0.5132, 1e-4);
    const Vector Hq = h->hessian * q;
    EXPECT_NEAR(Hq[0], 0.323847, 1e-6);
    EXPECT_NEAR(Hq[1], 0.431796, 1e-6);
    EXPECT_LT(h->eigenvalues[0], 0.0);
    EXPECT_GT(h->eigenvalues[1], 0.0);
    // ⟨q, Hq⟩ = 0: zero curvature along the orbit.
    EXPECT_NEAR(h->generators[0].curvature, 0.0, 1e-15);
}

TEST(HessianGeometry, Translation_IsAZeroEigenvectorEverywhere) {
    // §3.1: H n̂ = 0 at every point, so the flattest direction is n̂ (angle 0) with λ = 0.
    std::mt19937_64 rng(4);
    for (const char* name : {"translation_valley", "translation_logistic"}) {
        auto loss = make(name);
        for (int k = 0; k < 50; ++k) {
            const Vector q = sample(rng, 2, 2.0, 0.0);
            auto h = hessian_at(*loss, q);
            ASSERT_TRUE(h.ok());
            EXPECT_NEAR(h->eigenvalues[h->flattest], 0.0, 1e-15);
            EXPECT_LT(h->generators[0].angle_to_flattest, 1e-7) << name;
            EXPECT_NEAR(h->generators[0].curvature, 0.0, 1e-15);
        }
    }
}

TEST(HessianGeometry, Rotation_OrbitIsFlatOnTheCriticalCircleAndCurvedInside) {
    // §3.3: curvature along Jq is ⟨∇f, q⟩/|q|² = |q|² − 1 for the hat: 0 on the rim, −0.75 at
    // (0.3, 0.4); on the rim the orbit direction is the flattest (angle 0).
    auto loss = make("rotation_hat");
    Vector q(2);
    q << 0.3, 0.4;
    auto h = hessian_at(*loss, q);
    ASSERT_TRUE(h.ok());
    EXPECT_NEAR(h->generators[0].curvature, -0.75, 1e-15);
    const Vector HJq = h->hessian * h->generators[0].xi;
    EXPECT_NEAR(HJq[0], 0.3, 1e-15);  // H Jq = J ∇f = (0.3, −0.225)
    EXPECT_NEAR(HJq[1], -0.225, 1e-15);
    for (double th : {0.1, 1.3, 2.9, -2.0}) {
        q << std::cos(th), std::sin(th);
        auto r = hessian_at(*loss, q);
        ASSERT_TRUE(r.ok());
        EXPECT_NEAR(r->eigenvalues[0], 0.0, 1e-15);
        EXPECT_LT(r->generators[0].angle_to_flattest, 1e-7);
    }
}

TEST(HessianGeometry, Quadratic_SharpnessAgainstTheStabilityLine) {
    // §5.7: heavy ball on diag(1, 10) is stable iff η λ_max < 2(1+β).
    auto loss = make("quadratic");
    auto h = hessian_at(*loss, Vector::Ones(2));
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->sharpness, 10.0);
    EXPECT_DOUBLE_EQ(stability_line(0.1, 0.5), 30.0);
    RuleParams rule;
    rule.lr = 0.3;
    rule.momentum = 0.5;
    EXPECT_DOUBLE_EQ(stability_line(rule), 10.0);
    rule.rule = Rule::Adam;  // no heavy-ball momentum in the continuous model
    EXPECT_DOUBLE_EQ(stability_line(rule), 2.0 / 0.3);
}

TEST(HessianGeometry, RescaleLargeStepGd_EndsBelowTheStabilityLine) {
    // §3.5 H4: GD at η = 0.3 from (3, −0.2) ends at sharpness ≈ 2.068 < 2/η (implicit balancing),
    // while gradient flow from there would end at sqrt(D0² + 4) = 9.18.
    Scene sc;
    sc.loss.name = "rescale_2d";
    sc.q0 = Vector(2);
    sc.q0 << 3.0, -0.2;
    sc.rule.lr = 0.3;
    sc.steps = 3000;
    auto run = simulate(sc);
    ASSERT_TRUE(run.ok());
    const Trajectory& tr = (*run)->trajectories[0];
    HessianSeries s = hessian_along(*(*run)->loss, tr, sc.rule, 101);
    ASSERT_EQ(s.sample.size(), 101u);
    EXPECT_EQ(s.sample.front(), 0);
    EXPECT_EQ(s.sample.back(), tr.samples() - 1);
    EXPECT_DOUBLE_EQ(s.stability_line, 2.0 / 0.3);
    EXPECT_GT(s.sharpness.front(), s.stability_line);
    EXPECT_NEAR(s.sharpness.back(), 2.068, 2e-3);
    EXPECT_LT(s.sharpness.back(), s.stability_line);
    EXPECT_EQ(s.eigenvalues.cols(), 101);
    ASSERT_EQ(s.generators.size(), 1u);
    EXPECT_EQ(s.generators[0].h1_residual.size(), 101u);
    EXPECT_LE(s.max_h1_residual, 1e-12);
    EXPECT_LE(s.max_h2_residual, 1e-12);
    // Every sample when there are fewer than max_samples.
    HessianSeries all = hessian_along(*(*run)->loss, tr, sc.rule, 100000);
    EXPECT_EQ(static_cast<long>(all.sample.size()), tr.samples());
}

TEST(HessianGeometry, BadPoints_AreRefused) {
    auto loss = make("rotation_hat");
    EXPECT_EQ(hessian_at(*loss, Vector::Ones(3)).error().field, "q");
    Vector q(2);
    q << NAN, 1.0;
    EXPECT_EQ(hessian_at(*loss, q).error().field, "q");
    auto logl = make_loss(LossSpec{"expr", 0.0, {}, "log(q1) + q2^2", 0, {}});
    ASSERT_TRUE(logl.ok());
    q << -1.0, 1.0;
    EXPECT_EQ(hessian_at(**logl, q).error().field, "hessian");
}

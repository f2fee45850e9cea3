// Symmetry discovery (PHYSICS.md §4): nullity and projector of every built-in loss (§4.3),
// nullity 0 and linear growth of s_min with the breaking ε, closure, the RREF display basis,
// classification, determinism of the sampler, approximate symmetries, and adoption.
#include <gtest/gtest.h>

#include <Eigen/QR>
#include <cmath>

#include "noether/discovery.hpp"
#include "noether/loss.hpp"
#include "noether/run.hpp"

using namespace noether;

namespace {

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

// θ = (vec_rowmajor(A), b) from A given row by row and b.
Vector theta(int n, std::vector<double> A, std::vector<double> b) {
    Vector t(n * n + n);
    for (int i = 0; i < n * n; ++i)
        t[i] = A[i];
    for (int i = 0; i < n; ++i)
        t[n * n + i] = b[i];
    return t;
}

Matrix projector(const std::vector<Vector>& basis) {
    const auto p = basis[0].size();
    Matrix T(p, static_cast<Eigen::Index>(basis.size()));
    for (size_t k = 0; k < basis.size(); ++k)
        T.col(static_cast<Eigen::Index>(k)) = basis[k];
    Eigen::HouseholderQR<Matrix> qr(T);
    const Matrix Q = qr.householderQ() * Matrix::Identity(p, T.cols());
    return Q * Q.transpose();
}

Vector scale_theta(int n) {
    Vector t = Vector::Zero(n * n + n);
    for (int i = 0; i < n; ++i)
        t[i * n + i] = 1.0;
    return t;
}

struct Expected {
    std::string name;
    std::map<std::string, std::vector<double>> params;
    int nullity;
    std::vector<Vector> basis;
};

std::vector<Expected> expected_table() {
    // §4.3, plus the quadratic's elliptic rotation Λ⁻¹W (every positive-definite quadratic
    // in 2-D has one, §5.3).
    Vector rot23 = Vector::Zero(20);
    rot23[1 * 4 + 2] = 1.0;
    rot23[2 * 4 + 1] = -1.0;
    return {
        {"scale_cos", {{"theta_star", {0.3}}}, 1, {theta(2, {1, 0, 0, 1}, {0, 0})}},
        {"rotation_hat", {}, 1, {theta(2, {0, -1, 1, 0}, {0, 0})}},
        {"translation_valley",
         {},
         3,
         {theta(2, {1, 0, 1, 0}, {0, 0}), theta(2, {0, 1, 0, 1}, {0, 0}),
          theta(2, {0, 0, 0, 0}, {1, 1})}},
        {"translation_logistic",
         {},
         3,
         {theta(2, {1, 0, 1, 0}, {0, 0}), theta(2, {0, 1, 0, 1}, {0, 0}),
          theta(2, {0, 0, 0, 0}, {1, 1})}},
        {"rescale_2d", {}, 1, {theta(2, {1, 0, 0, -1}, {0, 0})}},
        {"rayleigh", {}, 1, {scale_theta(4)}},
        {"rayleigh", {{"diag", {1, 2, 2, 4}}}, 2, {scale_theta(4), rot23}},
        {"bn_logistic", {}, 1, {scale_theta(4)}},
        {"quadratic", {}, 1, {theta(2, {0, -1, 0.1, 0}, {0, 0})}},
    };
}

}  // namespace

TEST(Discovery, BuiltinLosses_NullityAndProjectorAsInPhysics43) {
    for (const auto& e : expected_table()) {
        auto loss = make(e.name, 0.0, e.params);
        auto d = discover_symmetries(*loss);
        ASSERT_TRUE(d.ok()) << e.name;
        EXPECT_EQ(d->nullity, e.nullity) << e.name;
        EXPECT_EQ(d->p, loss->dim() * loss->dim() + loss->dim());
        EXPECT_EQ(d->samples, std::max(200, 10 * d->p));
        if (d->nullity != e.nullity) continue;
        EXPECT_LT((d->exact.projector - projector(e.basis)).norm(), 1e-10) << e.name;
        EXPECT_LE(d->exact.closure_residual, 1e-12) << e.name;
        EXPECT_FALSE(d->approximate) << e.name;
        // Exact symmetries sit at rounding level, real constraints far above τ.
        EXPECT_LT(d->singular_values[d->p - 1], 1e-13) << e.name;
        EXPECT_GT(d->singular_values[d->p - 1 - d->nullity], 1e-2) << e.name;
        EXPECT_EQ(d->nullity_gap, d->nullity) << e.name;
    }
}

TEST(Discovery, BrokenVariants_HaveNullityZero) {
    for (double eps : {1e-2, 1e-4}) {
        for (const auto& e : expected_table()) {
            if (e.name == "quadratic") continue;  // its ε does not break anything
            auto loss = make(e.name, eps, e.params);
            auto d = discover_symmetries(*loss);
            ASSERT_TRUE(d.ok());
            if (e.nullity == 2) {
                // rayleigh diag(1,2,2,4): ε breaks the scale only; the (2,3) rotation stays.
                ASSERT_EQ(d->nullity, 1) << e.name << " eps=" << eps;
                EXPECT_LT((d->exact.projector - projector({e.basis[1]})).norm(), 1e-10);
                continue;
            }
            EXPECT_EQ(d->nullity, 0) << e.name << " eps=" << eps;
            EXPECT_EQ(d->exact.generators.size(), 0u);
            EXPECT_LT(d->exact.projector.norm(), 1e-300);
        }
    }
}

TEST(Discovery, SmallestSingularValue_GrowsLinearlyWithEps) {
    // §4.3 "breaking strength": s_min(1e-2)/s_min(1e-4) ≈ 100 (scale_cos is sublinear there).
    for (const char* name :
         {"rotation_hat", "translation_valley", "rescale_2d", "rayleigh", "bn_logistic"}) {
        auto a = discover_symmetries(*make(name, 1e-2));
        auto b = discover_symmetries(*make(name, 1e-4));
        ASSERT_TRUE(a.ok() && b.ok());
        const double ratio = a->singular_values[a->p - 1] / b->singular_values[b->p - 1];
        EXPECT_GT(ratio, 100.0 / 3.0) << name;
        EXPECT_LT(ratio, 100.0 * 3.0) << name;
    }
}

TEST(Discovery, DisplayBasis_IsTheRrefOfPhysics43) {
    // Rotation comes out as A = −J = [[0, 1], [−1, 0]]; translation as q1(1,1), q2(1,1), (1,1).
    auto d = discover_symmetries(*make("rotation_hat"));
    ASSERT_TRUE(d.ok());
    ASSERT_EQ(d->exact.generators.size(), 1u);
    Matrix A(2, 2);
    A << 0, 1, -1, 0;
    EXPECT_EQ(d->exact.generators[0].generator.A, A);
    EXPECT_EQ(d->exact.generators[0].generator.b, Vector::Zero(2));
    EXPECT_EQ(d->exact.generators[0].generator.kind, SymmetryKind::Rotation);
    EXPECT_EQ(d->exact.generators[0].generator.name, "rotation");

    auto t = discover_symmetries(*make("translation_valley"));
    ASSERT_TRUE(t.ok());
    ASSERT_EQ(t->exact.generators.size(), 3u);
    EXPECT_EQ(t->exact.generators[0].theta, theta(2, {1, 0, 1, 0}, {0, 0}));
    EXPECT_EQ(t->exact.generators[1].theta, theta(2, {0, 1, 0, 1}, {0, 0}));
    EXPECT_EQ(t->exact.generators[2].theta, theta(2, {0, 0, 0, 0}, {1, 1}));
    EXPECT_EQ(t->exact.generators[0].generator.kind, SymmetryKind::General);
    EXPECT_EQ(t->exact.generators[0].generator.name, "general_1");
    EXPECT_EQ(t->exact.generators[1].generator.name, "general_2");
    EXPECT_EQ(t->exact.generators[2].generator.kind, SymmetryKind::Translation);

    auto r = discover_symmetries(*make("rayleigh", 0.0, {{"diag", {1, 2, 2, 4}}}));
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->exact.generators.size(), 2u);
    EXPECT_EQ(r->exact.generators[0].generator.kind, SymmetryKind::Scale);
    EXPECT_EQ(r->exact.generators[0].generator.A, Matrix::Identity(4, 4));
    EXPECT_EQ(r->exact.generators[1].generator.kind, SymmetryKind::Rotation);
    EXPECT_EQ(r->exact.generators[1].description, "rotation in the (q2, q3) plane");
}

TEST(Discovery, Classification_NamesEachKind) {
    std::string w;
    Matrix Z = Matrix::Zero(2, 2);
    Vector b(2);
    b << 1, 1;
    EXPECT_EQ(classify_generator(Z, b, &w), SymmetryKind::Translation);
    Matrix J(2, 2);
    J << 0, -1, 1, 0;
    EXPECT_EQ(classify_generator(J, Vector::Zero(2), &w), SymmetryKind::Rotation);
    // Rotation about the point (1, 2): ξ = J(q − c), b = −Jc.
    Vector c(2);
    c << 1, 2;
    EXPECT_EQ(classify_generator(J, -J * c, &w), SymmetryKind::Rotation);
    EXPECT_NE(w.find("about the point (1, 2)"), std::string::npos) << w;
    EXPECT_EQ(classify_generator(Matrix::Identity(2, 2), -c, &w), SymmetryKind::Scale);
    Matrix D(2, 2);
    D << 1, 0, 0, -1;
    EXPECT_EQ(classify_generator(D, Vector::Zero(2), &w), SymmetryKind::Rescale);
    EXPECT_EQ(w, "rescale diag(1, -1)");
    Matrix boost(2, 2);
    boost << 0, 1, 1, 0;
    EXPECT_EQ(classify_generator(boost, Vector::Zero(2), &w), SymmetryKind::Rescale);
    Matrix gen(2, 2);
    gen << 1, 0, 1, 0;
    EXPECT_EQ(classify_generator(gen, Vector::Zero(2), &w), SymmetryKind::General);
    // A singular A plus a translation out of its range is general.
    Matrix P(2, 2);
    P << 1, 0, 0, 0;
    EXPECT_EQ(classify_generator(P, Vector::Unit(2, 1), &w), SymmetryKind::General);
}

TEST(Discovery, SameSeed_IsBitIdenticalAndOtherSeedsAgreeOnTheSubspace) {
    auto loss = make("rescale_2d");
    DiscoveryOptions o;
    auto a = discover_symmetries(*loss, o);
    auto b = discover_symmetries(*loss, o);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->singular_values, b->singular_values);
    EXPECT_EQ(a->exact.projector, b->exact.projector);
    o.seed = 99;
    auto c = discover_symmetries(*loss, o);
    ASSERT_TRUE(c.ok());
    EXPECT_NE(a->singular_values, c->singular_values);
    EXPECT_EQ(c->nullity, 1);
    EXPECT_LT((a->exact.projector - c->exact.projector).norm(), 1e-10);
}

TEST(Discovery, TooFewSamples_OverEstimateNullityNeverUnder) {
    // §4.2: with N_s < p the rows cannot pin θ down; exact symmetries stay in the null space.
    auto loss = make("rotation_hat");
    DiscoveryOptions o;
    o.samples = 3;
    auto d = discover_symmetries(*loss, o);
    ASSERT_TRUE(d.ok());
    EXPECT_GE(d->nullity, d->p - 3);
    const Vector J = theta(2, {0, -1, 1, 0}, {0, 0}).normalized();
    EXPECT_LT((d->exact.projector * J - J).norm(), 1e-10);
}

TEST(Discovery, BnEpsilon_FlagsAnApproximateScaleSymmetry) {
    // §4.2: BN with ε = 1e-5 has s_min ≈ 8.5e-6 and a > 3-decade gap: nullity 0, d_gap 1.
    auto d = discover_symmetries(*make("bn_logistic", 1e-5));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->nullity, 0);
    EXPECT_EQ(d->nullity_gap, 1);
    EXPECT_GE(d->gap_decades, 3.0);
    EXPECT_TRUE(d->approximate);
    ASSERT_EQ(d->near.generators.size(), 1u);
    EXPECT_LT((d->near.projector - projector({scale_theta(4)})).norm(), 1e-3);
    EXPECT_EQ(d->near.generators[0].generator.kind, SymmetryKind::Scale);
}

TEST(Discovery, TypedLosses_FindTheSameSymmetriesAsBuiltins) {
    LossSpec s;
    s.name = "expr";
    s.expr = "(q1^2 + q2^2 - 1)^2/4";
    auto typed = make_loss(s);
    ASSERT_TRUE(typed.ok());
    auto a = discover_symmetries(**typed);
    auto b = discover_symmetries(*make("rotation_hat"));
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->nullity, 1);
    EXPECT_LT((a->exact.projector - b->exact.projector).norm(), 1e-12);
    // A boost (hyperbolic rotation) and a loss without symmetry.
    s.expr = "(q1^2 - q2^2 - 1)^2/4";
    auto boost = discover_symmetries(*make_loss(s).value());
    ASSERT_TRUE(boost.ok());
    ASSERT_EQ(boost->nullity, 1);
    EXPECT_LT((boost->exact.projector - projector({theta(2, {0, 1, 1, 0}, {0, 0})})).norm(), 1e-10);
    s.expr = "q1^4/4 + q2^2/2 + q1*q2/3";
    auto none = discover_symmetries(*make_loss(s).value());
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(none->nullity, 0);
}

TEST(Discovery, OffsetSamplingRegion_MapsBackToTheSameGenerators) {
    // Sampling around c with scale s: (Ã, b̃) = (sA, Ac + b) maps back to the same projector.
    auto loss = make("rotation_hat");
    DiscoveryOptions o;
    o.center = Vector(2);
    o.center << 3.0, -2.0;
    o.radius = 2.5;
    auto d = discover_symmetries(*loss, o);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->nullity, 1);
    EXPECT_LT((d->exact.projector - projector({theta(2, {0, -1, 1, 0}, {0, 0})})).norm(), 1e-10);
    // A translated hat: the rotation about (1, 2) is found with its b.
    LossSpec s;
    s.name = "expr";
    s.expr = "((q1-1)^2 + (q2-2)^2 - 1)^2/4";
    auto shifted = discover_symmetries(*make_loss(s).value(), o);
    ASSERT_TRUE(shifted.ok());
    ASSERT_EQ(shifted->nullity, 1);
    const auto& g = shifted->exact.generators[0];
    EXPECT_EQ(g.generator.kind, SymmetryKind::Rotation);
    const Vector c = (Vector(2) << 1.0, 2.0).finished();
    EXPECT_LT(g.generator.xi(c).norm(), 1e-10);  // the centre is fixed
}

TEST(Discovery, Options_AreValidatedByField) {
    auto loss = make("rotation_hat");
    DiscoveryOptions o;
    o.tol = 0;
    EXPECT_EQ(discover_symmetries(*loss, o).error().field, "tol");
    o = {};
    o.samples = -1;
    EXPECT_EQ(discover_symmetries(*loss, o).error().field, "samples");
    o = {};
    o.radius = -1;
    EXPECT_EQ(discover_symmetries(*loss, o).error().field, "radius");
    o = {};
    o.center = Vector::Zero(3);
    EXPECT_EQ(discover_symmetries(*loss, o).error().field, "center");
    // A constant loss has no usable sample.
    LossSpec s;
    s.name = "expr";
    s.expr = "1";
    s.expr_dim = 2;
    EXPECT_EQ(discover_symmetries(*make_loss(s).value()).error().field, "samples");
}

TEST(Discovery, AdoptedGenerators_ChargesAppearAndObeyTheirLaw) {
    // Adopt the rotation found for a typed hat: its charge L_n decays exactly as β^n (§2.3).
    LossSpec s;
    s.name = "expr";
    s.expr = "(q1^2 + q2^2 - 1)^2/4";
    auto base = make_loss(s);
    ASSERT_TRUE(base.ok());
    auto d = discover_symmetries(**base);
    ASSERT_TRUE(d.ok());
    auto loss = adopt_generators(*base, {d->exact.generators[0].generator});
    ASSERT_EQ(loss->generators().size(), 1u);
    EXPECT_EQ(loss->name(), "expr");
    EXPECT_EQ(loss->formula(), (*base)->formula());
    Scene sc;
    sc.loss = s;
    sc.q0 = (Vector(2) << 0.6, 0.5).finished();
    sc.v0 = (Vector(2) << 0.3, -0.5).finished();
    sc.rule.momentum = 0.9;
    sc.steps = 200;
    auto run = simulate(sc, loss);
    ASSERT_TRUE(run.ok());
    const auto* J = (*run)->trajectories[0].charge("rotation");
    ASSERT_NE(J, nullptr);
    for (size_t n = 1; n < J->J.size(); ++n)
        EXPECT_NEAR(J->J[n], 0.9 * J->J[n - 1], 1e-15);
    // Names stay unique; replace drops the base's own generators.
    auto twice = adopt_generators(loss, {d->exact.generators[0].generator});
    ASSERT_EQ(twice->generators().size(), 2u);
    EXPECT_EQ(twice->generators()[1].name, "rotation_2");
    auto builtin = make("rotation_hat");
    auto replaced = adopt_generators(builtin, {d->exact.generators[0].generator}, true);
    ASSERT_EQ(replaced->generators().size(), 1u);
    EXPECT_EQ(replaced->generators()[0].A, d->exact.generators[0].generator.A);
    Vector q = (Vector(2) << 0.2, -0.7).finished();
    EXPECT_EQ(replaced->value(q), builtin->value(q));
    EXPECT_EQ(replaced->gradient(q), builtin->gradient(q));
}

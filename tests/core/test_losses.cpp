// The built-in losses of PHYSICS.md §5: analytic derivatives against finite differences, the
// Lie derivative of every generator (zero at eps = 0, the closed forms with eps), the spec's
// numeric examples (§3.2, §3.3) and refusal of bad parameters.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <set>

#include "test_support.hpp"

using namespace noether;
using namespace noether::testing;

namespace {

constexpr int kPoints = 60;

// Size of the rounding in <grad f, xi>: the gradient's terms are as large as |H||q| even where
// grad f itself is small (e.g. near a valley), so normalise by |xi|(|grad f| + |H||q|).
double lie_scale(const Loss& loss, const Generator& gen, const Vector& q) {
    return gen.xi(q).norm() * (loss.gradient(q).norm() + loss.hessian(q).norm() * q.norm());
}

double rel_gradient_error(const Loss& loss, const Vector& q) {
    const double h = 1e-3 * std::max(q.norm(), 0.1);
    const Vector fd = fd_gradient([&](const Vector& x) { return loss.value(x); }, q, h);
    const Vector g = loss.gradient(q);
    // Normalised by |grad| with a floor at the size of the function's rounding over h.
    const double scale =
        g.norm() + 1e-6 * (1.0 + std::abs(loss.value(q))) / std::max(q.norm(), 0.1);
    return (fd - g).norm() / scale;
}

double rel_hessian_error(const Loss& loss, const Vector& q) {
    const double h = 1e-3 * std::max(q.norm(), 0.1);
    const Matrix fd = fd_hessian(loss, q, h);
    const Matrix H = loss.hessian(q);
    const double scale =
        H.norm() + 1e-6 * (1.0 + loss.gradient(q).norm()) / std::max(q.norm(), 0.1);
    return (fd - H).norm() / scale;
}

void check_derivatives(const std::vector<LossCase>& cases) {
    for (const auto& c : cases) {
        SCOPED_TRACE(c.label());
        auto loss = make(c.name, c.eps, c.params);
        ASSERT_TRUE(loss);
        PointSampler pts(c, loss->dim());
        double worst_g = 0, worst_h = 0, worst_sym = 0;
        for (int i = 0; i < kPoints; ++i) {
            const Vector q = pts.next();
            worst_g = std::max(worst_g, rel_gradient_error(*loss, q));
            worst_h = std::max(worst_h, rel_hessian_error(*loss, q));
            const Matrix H = loss->hessian(q);
            worst_sym = std::max(worst_sym, (H - H.transpose()).norm() / (H.norm() + 1e-300));
        }
        EXPECT_LT(worst_g, 1e-8) << "gradient vs central finite differences";
        EXPECT_LT(worst_h, 1e-8) << "Hessian vs finite differences of the gradient";
        EXPECT_LT(worst_sym, 1e-15) << "Hessian must be symmetric";
    }
}

}  // namespace

TEST(LossDerivatives, GradientAndHessianMatchFiniteDifferencesAtEpsZero) {
    check_derivatives(symmetric_cases());
}

TEST(LossDerivatives, GradientAndHessianMatchFiniteDifferencesWithBreaking) {
    check_derivatives(broken_cases());
}

TEST(LossDerivatives, FiniteDifferenceCheckDetectsAWrongGradient) {
    // The check above can fail: a gradient off by 1e-6 is seen.
    auto loss = make("rotation_hat");
    const Vector q = vec({0.7, -0.4});
    const double h = 1e-3;
    const Vector fd = fd_gradient([&](const Vector& x) { return loss->value(x); }, q, h);
    Vector wrong = loss->gradient(q);
    wrong[0] *= 1.0 + 1e-6;
    EXPECT_GT((fd - wrong).norm() / wrong.norm(), 1e-8);
    EXPECT_LT((fd - loss->gradient(q)).norm() / wrong.norm(), 1e-8);
}

TEST(LieDerivative, VanishesForEveryGeneratorAtEpsZero) {
    for (const auto& c : symmetric_cases()) {
        SCOPED_TRACE(c.label());
        auto loss = make(c.name, 0.0, c.params);
        ASSERT_TRUE(loss);
        if (c.name == "quadratic") {
            EXPECT_TRUE(loss->generators().empty()) << "quadratic has no continuous symmetry";
            continue;
        }
        ASSERT_FALSE(loss->generators().empty());
        PointSampler pts(c, loss->dim(), 777);
        for (const auto& gen : loss->generators()) {
            SCOPED_TRACE(gen.name);
            double worst = 0;
            for (int i = 0; i < 200; ++i) {
                const Vector q = pts.next();
                worst = std::max(worst,
                                 std::abs(loss->lie_derivative(gen, q)) / lie_scale(*loss, gen, q));
            }
            EXPECT_LT(worst, 1e-14);
        }
    }
}

TEST(LieDerivative, GeneratorsAreTheSpecsTable) {
    // §0 table: translation n = (1,1)/sqrt2, rotation J = [[0,-1],[1,0]], scale I, rescale
    // diag(1,-1).
    auto valley = make("translation_valley");
    ASSERT_EQ(valley->generators().size(), 1u);
    EXPECT_EQ(valley->generators()[0].kind, SymmetryKind::Translation);
    EXPECT_NEAR(valley->generators()[0].b[0], std::sqrt(0.5), 2.3e-16);
    EXPECT_EQ(valley->generators()[0].b[1], valley->generators()[0].b[0]);
    EXPECT_EQ(valley->generators()[0].A.norm(), 0.0);
    auto hat = make("rotation_hat");
    Matrix J(2, 2);
    J << 0, -1, 1, 0;
    EXPECT_EQ(hat->generators()[0].A, J);
    EXPECT_EQ(hat->generators()[0].name, "rotation");
    auto res = make("rescale_2d");
    EXPECT_EQ(res->generators()[0].A, Matrix(vec({1, -1}).asDiagonal()));
    auto ray = make("rayleigh");
    EXPECT_EQ(ray->generators()[0].A, Matrix::Identity(4, 4));
    EXPECT_EQ(ray->generators()[0].name, "scale");
}

TEST(LieDerivative, HiddenSymmetriesOfTheSpecAlsoAnnihilateTheLoss) {
    // §4.3: rayleigh diag(1,2,2,4) also has the rotation in the (2,3) plane, for every eps
    // (eps only breaks scale); any function of q1 - q2 has xi = (a + b q1 + c q2)(1,1).
    LossCase ray{"rayleigh", 0.0, {{"diag", {1, 2, 2, 4}}}, 1.0, 0.3};
    const Generator rot23 = rotation_generator(4, 1, 2);
    for (double eps : {0.0, 0.05}) {
        auto loss = make("rayleigh", eps, ray.params);
        PointSampler pts(ray, 4, 99);
        for (int i = 0; i < 200; ++i) {
            const Vector q = pts.next();
            EXPECT_LT(std::abs(loss->lie_derivative(rot23, q)), 1e-14 * lie_scale(*loss, rot23, q));
        }
    }
    Generator q1_dir{"q1(1,1)", SymmetryKind::General, Matrix::Zero(2, 2), Vector::Zero(2)};
    q1_dir.A << 1, 0, 1, 0;
    Generator q2_dir{"q2(1,1)", SymmetryKind::General, Matrix::Zero(2, 2), Vector::Zero(2)};
    q2_dir.A << 0, 1, 0, 1;
    for (const char* name : {"translation_valley", "translation_logistic"}) {
        auto loss = make(name);
        LossCase c{name, 0.0, {}, 2.0, 0.0};
        PointSampler pts(c, 2, 5);
        for (int i = 0; i < 200; ++i) {
            const Vector q = pts.next();
            for (const Generator* g : {&q1_dir, &q2_dir})
                EXPECT_LE(std::abs(loss->lie_derivative(*g, q)), 1e-14 * lie_scale(*loss, *g, q));
        }
    }
}

TEST(LieDerivative, ClosedFormsWithBreaking) {
    // PHYSICS.md §5: L_Jq f = -eps q2 (rotation_hat), L_xi f = eps q1^2 (rescale_2d),
    // sqrt2 eps tanh(q1+q2) (translation_valley and _logistic), -c eps/s^3 (scale_cos),
    // and for rayleigh L_q f = 2 eps q^T B q / s^2 (from §5.5).
    struct Form {
        LossCase c;
        std::function<double(const Vector&)> law;
    };
    const double th = 0.3;
    const std::vector<Form> forms = {
        {{"rotation_hat", 0.1, {}, 1.0, 0.0}, [](const Vector& q) { return -0.1 * q[1]; }},
        {{"rotation_hat", -0.25, {}, 1.0, 0.0}, [](const Vector& q) { return 0.25 * q[1]; }},
        {{"rescale_2d", 0.2, {}, 1.5, 0.0}, [](const Vector& q) { return 0.2 * q[0] * q[0]; }},
        {{"translation_valley", 0.3, {}, 2.0, 0.0},
         [](const Vector& q) { return std::sqrt(2.0) * 0.3 * std::tanh(q[0] + q[1]); }},
        {{"translation_logistic", 0.3, {}, 2.0, 0.0},
         [](const Vector& q) { return std::sqrt(2.0) * 0.3 * std::tanh(q[0] + q[1]); }},
        {{"scale_cos", 0.01, {{"theta_star", {th}}}, 1.0, 0.3},
         [th](const Vector& q) {
             const double s = std::sqrt(q.squaredNorm() + 0.01);
             const double c = std::cos(th) * q[0] + std::sin(th) * q[1];
             return -c * 0.01 / (s * s * s);
         }},
        {{"rayleigh", 0.05, {}, 1.0, 0.3},
         [](const Vector& q) {
             const Vector b = vec({1, 2, 3, 4});
             const double s = q.squaredNorm() + 0.05;
             return 2.0 * 0.05 * q.dot(b.cwiseProduct(q)) / (s * s);
         }},
    };
    for (const auto& f : forms) {
        SCOPED_TRACE(f.c.label());
        auto loss = make(f.c.name, f.c.eps, f.c.params);
        const Generator& gen = loss->generators().at(0);
        PointSampler pts(f.c, loss->dim(), 4242);
        double worst = 0;
        for (int i = 0; i < 200; ++i) {
            const Vector q = pts.next();
            worst = std::max(worst, std::abs(loss->lie_derivative(gen, q) - f.law(q)) /
                                        lie_scale(*loss, gen, q));
        }
        EXPECT_LT(worst, 1e-14);
    }
}

TEST(LieDerivative, BnEpsilonBreaksScaleSymmetry) {
    // BN's epsilon is a genuine (if tiny) breaking: L_q f != 0 at eps > 0, = 0 at eps = 0.
    auto loss = make("bn_logistic", 1e-2);
    const Vector q = vec({1.0, 0.5, -0.3, 0.2});
    const Generator& gen = loss->generators().at(0);
    EXPECT_GT(std::abs(loss->lie_derivative(gen, q)), 1e-6 * loss->gradient(q).norm() * q.norm());
}

TEST(SpecExamples, ScaleCosGradientHessianAlignmentAtOnePoint) {
    // §3.2: theta* = 0.3 at q = (1.2, -0.9): Hq = (0.323847, 0.431796) = -grad f,
    // eigenvalues (-0.2523, 0.5132).
    auto loss = make("scale_cos", 0.0, {{"theta_star", {0.3}}});
    const Vector q = vec({1.2, -0.9});
    const Matrix H = loss->hessian(q);
    const Vector Hq = H * q;
    EXPECT_NEAR(Hq[0], 0.323847, 5e-7);
    EXPECT_NEAR(Hq[1], 0.431796, 5e-7);
    EXPECT_LT((Hq + loss->gradient(q)).norm(), 1e-15);
    Eigen::SelfAdjointEigenSolver<Matrix> es(H);
    EXPECT_NEAR(es.eigenvalues()[0], -0.2523, 5e-5);
    EXPECT_NEAR(es.eigenvalues()[1], 0.5132, 5e-5);
}

TEST(SpecExamples, RotationHatOrbitCurvatureAtOnePoint) {
    // §3.3: at (0.3, 0.4), H Jq = J grad f = (0.3, -0.225), orbit curvature -0.75.
    auto loss = make("rotation_hat");
    const Vector q = vec({0.3, 0.4});
    Matrix J(2, 2);
    J << 0, -1, 1, 0;
    const Vector HJq = loss->hessian(q) * (J * q);
    EXPECT_NEAR(HJq[0], 0.3, 1e-15);
    EXPECT_NEAR(HJq[1], -0.225, 1e-15);
    const Vector Jq = J * q;
    EXPECT_NEAR(Jq.dot(loss->hessian(q) * Jq) / q.squaredNorm(), -0.75, 1e-15);
}

#define EXPECT_REL(a, b) EXPECT_NEAR((a), (b), 2e-15 * std::abs(b))

TEST(SpecExamples, ClosedFormValuesAtOnePoint) {
    // §5 formulas evaluated by hand at one point each.
    const Vector q = vec({0.7, -0.2});
    EXPECT_REL(make("rotation_hat", 0.1)->value(q), std::pow(0.53 - 1.0, 2) / 4 + 0.1 * 0.7);
    EXPECT_REL(make("rescale_2d", 0.2)->value(q), std::pow(-0.14 - 1.0, 2) / 2 + 0.2 * 0.49 / 2);
    EXPECT_REL(make("translation_valley", 0.3)->value(q),
               std::pow(0.9 - 1.0, 2) / 2 + 0.3 * std::log(std::cosh(0.5)));
    EXPECT_REL(make("translation_logistic")->value(q), std::log1p(std::exp(-0.9)));
    EXPECT_REL(make("scale_cos", 0.0, {{"theta_star", {0.3}}})->value(q),
               1.0 - std::cos(std::atan2(-0.2, 0.7) - 0.3));
    EXPECT_REL(make("quadratic")->value(q), 0.5 * (0.49 + 10 * 0.04));
    const Vector q4 = vec({1, 1, 1, 1});
    EXPECT_REL(make("rayleigh")->value(q4), 10.0 / 4.0);
    // bn_logistic: f(q) depends on q only through its direction at eps = 0.
    auto bn = make("bn_logistic");
    const Vector b = vec({1, 0.5, -0.3, 0.2});
    EXPECT_NEAR(bn->value(3.7 * b), bn->value(b), 1e-15);
    EXPECT_GT(bn->value(b), 0.0);
    EXPECT_LT(bn->value(b), std::log(2.0) * 8);
}

TEST(LossCatalogue, ListsTheEightBuiltInsWithConsistentGenerators) {
    const std::set<std::string> expected = {
        "scale_cos",  "rotation_hat", "translation_valley", "translation_logistic",
        "rescale_2d", "rayleigh",     "bn_logistic",        "quadratic"};
    std::set<std::string> names;
    for (const auto& info : builtin_losses()) {
        names.insert(info.name);
        SCOPED_TRACE(info.name);
        auto loss = make(info.name);
        ASSERT_TRUE(loss);
        EXPECT_EQ(loss->dim(), info.dim);
        EXPECT_EQ(static_cast<int>(info.suggested_q0.size()), info.dim);
        ASSERT_EQ(loss->generators().size(), info.symmetries.size());
        for (size_t i = 0; i < info.symmetries.size(); ++i)
            EXPECT_EQ(loss->generators()[i].name, info.symmetries[i]);
        EXPECT_EQ(find_loss_info(info.name), &info);
    }
    EXPECT_EQ(names, expected);
    EXPECT_EQ(find_loss_info("nope"), nullptr);
}

TEST(LossValidation, BadParametersAreRefusedNamingTheField) {
    struct Bad {
        LossSpec spec;
        std::string field;
    };
    auto spec = [](std::string name, double eps, std::map<std::string, std::vector<double>> p) {
        LossSpec s;
        s.name = std::move(name);
        s.eps = eps;
        s.params = std::move(p);
        return s;
    };
    const std::vector<Bad> bad = {
        {spec("no_such_loss", 0, {}), "loss"},
        {spec("rayleigh", 0, {{"diag", {}}}), "param diag"},
        {spec("rayleigh", 0, {{"diag", {1, 2, 3, 4, 5, 6, 7, 8, 9}}}), "param diag"},
        {spec("quadratic", 0, {{"diag", {}}}), "param diag"},
        {spec("quadratic", 0, {{"diag", {1, 2, 3, 4, 5, 6, 7, 8, 9}}}), "param diag"},
        {spec("quadratic", 0, {{"diag", {1, 0}}}), "param diag"},
        {spec("quadratic", 0, {{"diag", {1, -2}}}), "param diag"},
        {spec("rayleigh", 0, {{"diag", {1, NAN}}}), "param diag"},
        {spec("scale_cos", -0.1, {}), "eps"},
        {spec("rayleigh", -0.1, {}), "eps"},
        {spec("bn_logistic", -1e-5, {}), "eps"},
        {spec("rotation_hat", INFINITY, {}), "eps"},
        {spec("rotation_hat", NAN, {}), "eps"},
        {spec("scale_cos", 0, {{"theta_star", {0.1, 0.2}}}), "param theta_star"},
        {spec("bn_logistic", 0, {{"gamma", {1, 2}}}), "param gamma"},
        {spec("rotation_hat", 0, {{"theta_star", {0.3}}}), "param"},
    };
    for (const auto& b : bad) {
        auto r = make_loss(b.spec);
        ASSERT_FALSE(r.ok()) << b.spec.name << " should be refused";
        EXPECT_EQ(r.error().field, b.field) << r.error().what();
        EXPECT_FALSE(r.error().message.empty());
    }
    // Allowed edge cases: negative tilt, 1-D and 8-D diagonals.
    EXPECT_TRUE(make_loss(spec("rotation_hat", -0.1, {})).ok());
    EXPECT_TRUE(make_loss(spec("quadratic", 0, {{"diag", {3}}})).ok());
    EXPECT_TRUE(make_loss(spec("rayleigh", 0, {{"diag", {1, 2, 3, 4, 5, 6, 7, 8}}})).ok());
}

// Second-order (Hessian) identities of PHYSICS.md §3: H1 and H2 for every symmetry of every
// toy, the per-symmetry consequences (§3.1-§3.4), critical points, transport along the orbit and
// the rescale sharpness facts (§3.5, H3-H5).
#include <gtest/gtest.h>

#include "noether/run.hpp"
#include "test_support.hpp"

using namespace noether;
using namespace noether::testing;

namespace {

constexpr int kPoints = 200;
constexpr double kTol = 1e-12;

Matrix J2() {
    Matrix J(2, 2);
    J << 0, -1, 1, 0;
    return J;
}

// Every symmetry a loss has at eps = 0: its own generators plus the hidden ones of §4.3.
std::vector<Generator> symmetries(const Loss& loss, const LossCase& c) {
    std::vector<Generator> gs = loss.generators();
    if (c.name == "rayleigh" && c.params.count("diag")) gs.push_back(rotation_generator(4, 1, 2));
    if (c.name == "translation_valley" || c.name == "translation_logistic") {
        Generator a{"q1(1,1)", SymmetryKind::General, Matrix::Zero(2, 2), Vector::Zero(2)};
        a.A << 1, 0, 1, 0;
        Generator b{"q2(1,1)", SymmetryKind::General, Matrix::Zero(2, 2), Vector::Zero(2)};
        b.A << 0, 1, 0, 1;
        gs.push_back(a);
        gs.push_back(b);
    }
    return gs;
}

}  // namespace

TEST(HessianIdentities, H1AndH2HoldAtRandomPointsForEverySymmetry) {
    // H1: H xi = -A^T grad f.  H2: <xi, H xi> = -<grad f, A xi>.
    for (const auto& c : symmetric_cases()) {
        if (c.name == "quadratic") continue;
        SCOPED_TRACE(c.label());
        auto loss = make(c.name, 0.0, c.params);
        for (const auto& gen : symmetries(*loss, c)) {
            SCOPED_TRACE(gen.name);
            PointSampler pts(c, loss->dim(), 2024);
            double worst1 = 0, worst2 = 0;
            const double Anorm = gen.A.norm();
            for (int i = 0; i < kPoints; ++i) {
                const Vector q = pts.next();
                const Matrix H = loss->hessian(q);
                const Vector g = loss->gradient(q), xi = gen.xi(q);
                const double r1 = (H * xi + gen.A.transpose() * g).norm();
                const double s1 = H.norm() * xi.norm() + Anorm * g.norm();
                const double r2 = std::abs(xi.dot(H * xi) + g.dot(gen.A * xi));
                const double s2 = H.norm() * xi.squaredNorm() + g.norm() * Anorm * xi.norm();
                worst1 = std::max(worst1, r1 / s1);
                worst2 = std::max(worst2, r2 / s2);
            }
            EXPECT_LT(worst1, kTol) << "H1";
            EXPECT_LT(worst2, kTol) << "H2";
        }
    }
}

TEST(HessianIdentities, H1FailsWhenTheSymmetryIsBroken) {
    // With eps > 0 the identity no longer holds (the test can fail).
    for (const auto& c : broken_cases()) {
        if (c.name == "quadratic") continue;
        SCOPED_TRACE(c.label());
        auto loss = make(c.name, c.eps, c.params);
        const Generator& gen = loss->generators()[0];
        PointSampler pts(c, loss->dim(), 7);
        double worst = 0;
        for (int i = 0; i < 50; ++i) {
            const Vector q = pts.next();
            const Matrix H = loss->hessian(q);
            const Vector g = loss->gradient(q), xi = gen.xi(q);
            worst = std::max(worst, (H * xi + gen.A.transpose() * g).norm() /
                                        (H.norm() * xi.norm() + gen.A.norm() * g.norm()));
        }
        EXPECT_GT(worst, 1e-6);
    }
}

TEST(HessianIdentities, TranslationDirectionIsAZeroEigenvectorEverywhere) {
    // §3.1: H n = 0 at every point, not just at minima.
    for (const char* name : {"translation_valley", "translation_logistic"}) {
        auto loss = make(name);
        const Vector nh = loss->generators()[0].b;
        PointSampler pts({name, 0, {}, 2.0, 0.0}, 2, 3);
        for (int i = 0; i < kPoints; ++i) {
            const Vector q = pts.next();
            const Matrix H = loss->hessian(q);
            EXPECT_LE((H * nh).norm(), 1e-15 * H.norm()) << name;
        }
    }
}

TEST(HessianIdentities, ScaleLossesGradientHessianAlignmentAndHomogeneity) {
    // §3.2: Hq = -grad f, <q, Hq> = 0, <grad f, u_i> = -lambda_i <q, u_i>,
    // grad f(3q) = grad f(q)/3, H(3q) = H(q)/9, and lambda_min < 0 < lambda_max with the
    // span{q, grad f} bounds (c -+ sqrt(c^2 + 4a^2))/2.
    for (const auto& c : symmetric_cases()) {
        if (c.name != "scale_cos" && c.name != "rayleigh" && c.name != "bn_logistic") continue;
        SCOPED_TRACE(c.label());
        auto loss = make(c.name, 0.0, c.params);
        PointSampler pts(c, loss->dim(), 11);
        double worst_hq = 0, worst_qhq = 0, worst_align = 0, worst_g3 = 0, worst_h3 = 0;
        int convex_violations = 0;
        for (int i = 0; i < kPoints; ++i) {
            const Vector q = pts.next();
            const Matrix H = loss->hessian(q);
            const Vector g = loss->gradient(q);
            const double scale = H.norm() * q.norm() + g.norm();
            worst_hq = std::max(worst_hq, (H * q + g).norm() / scale);
            worst_qhq = std::max(worst_qhq, std::abs(q.dot(H * q)) / (H.norm() * q.squaredNorm()));
            Eigen::SelfAdjointEigenSolver<Matrix> es(H);
            for (Eigen::Index j = 0; j < H.rows(); ++j) {
                const Vector u = es.eigenvectors().col(j);
                const double lam = es.eigenvalues()[j];
                worst_align = std::max(worst_align, std::abs(g.dot(u) + lam * q.dot(u)) / scale);
            }
            worst_g3 = std::max(worst_g3, (loss->gradient(3.0 * q) - g / 3.0).norm() / scale);
            worst_h3 = std::max(worst_h3, (loss->hessian(3.0 * q) - H / 9.0).norm() / H.norm());
            // Never locally convex away from critical points.
            if (g.norm() > 1e-8) {
                const Vector u = g.normalized();
                const double a = g.norm() / q.norm(), cc = u.dot(H * u);
                const double lo = (cc - std::sqrt(cc * cc + 4 * a * a)) / 2;
                const double hi = (cc + std::sqrt(cc * cc + 4 * a * a)) / 2;
                const double lmin = es.eigenvalues()[0], lmax = es.eigenvalues()[H.rows() - 1];
                const double slack = 1e-12 * H.norm();
                if (!(lmin <= lo + slack && lo < 0 && hi > 0 && hi <= lmax + slack))
                    ++convex_violations;
            }
        }
        EXPECT_LT(worst_hq, kTol);
        EXPECT_LT(worst_qhq, kTol);
        EXPECT_LT(worst_align, kTol);
        EXPECT_LT(worst_g3, 1e-14);
        EXPECT_LT(worst_h3, 1e-14);
        EXPECT_EQ(convex_violations, 0);
    }
}

TEST(HessianIdentities, RotationAndRescaleOrbitCurvature) {
    // §3.3: H(Jq) = J grad f, <Jq, H Jq> = <grad f, q>.
    // §3.4: H S q = -S grad f, <Sq, H S q> = -<grad f, q>.
    const Matrix J = J2();
    Matrix S(2, 2);
    S << 1, 0, 0, -1;
    auto hat = make("rotation_hat");
    auto res = make("rescale_2d");
    PointSampler pts({"x", 0, {}, 1.5, 0.0}, 2, 5);
    for (int i = 0; i < kPoints; ++i) {
        const Vector q = pts.next();
        {
            const Matrix H = hat->hessian(q);
            const Vector g = hat->gradient(q), Jq = J * q;
            const double scale = H.norm() * q.norm() + g.norm();
            EXPECT_LT((H * Jq - J * g).norm(), kTol * scale);
            EXPECT_LT(std::abs(Jq.dot(H * Jq) - g.dot(q)), kTol * scale * q.norm());
        }
        {
            const Matrix H = res->hessian(q);
            const Vector g = res->gradient(q), Sq = S * q;
            const double scale = H.norm() * q.norm() + g.norm();
            EXPECT_LT((H * Sq + S * g).norm(), kTol * scale);
            EXPECT_LT(std::abs(Sq.dot(H * Sq) + g.dot(q)), kTol * scale * q.norm());
        }
    }
    // Orbit curvature g'(r)/r is negative inside the rim, zero on the critical circle.
    const Vector inside = vec({0.3, 0.4}), rim = vec({0.6, 0.8});
    EXPECT_LT((J * inside).dot(hat->hessian(inside) * (J * inside)), 0);
    EXPECT_NEAR((J * rim).dot(hat->hessian(rim) * (J * rim)), 0, 1e-15);
}

TEST(HessianIdentities, H3CriticalPointsHaveTheOrbitInTheKernel) {
    // H3: grad f(q*) = 0 implies H(q*) xi(q*) = 0.
    struct Crit {
        std::string loss;
        std::map<std::string, std::vector<double>> params;
        Vector q;
    };
    const std::vector<Crit> crits = {
        {"rotation_hat", {}, vec({std::cos(0.7), std::sin(0.7)})},
        {"rescale_2d", {}, vec({2.5, 0.4})},
        {"scale_cos", {{"theta_star", {0.3}}}, 1.7 * vec({std::cos(0.3), std::sin(0.3)})},
        {"rayleigh", {}, vec({0, 0, 2.0, 0})},
        {"translation_valley", {}, vec({3.0, 2.0})},
    };
    for (const auto& c : crits) {
        SCOPED_TRACE(c.loss);
        auto loss = make(c.loss, 0.0, c.params);
        ASSERT_LT(loss->gradient(c.q).norm(), 1e-15);
        const Matrix H = loss->hessian(c.q);
        for (const auto& gen : loss->generators())
            EXPECT_LT((H * gen.xi(c.q)).norm(), 1e-15 * H.norm() * gen.xi(c.q).norm());
    }
}

TEST(HessianIdentities, H4TransportAlongTheOrbit) {
    // H4: for T_s = e^{sA}, grad f(T_s q) = T_s^{-T} grad f(q), H(T_s q) = T_s^{-T} H(q) T_s^{-1}.
    // Rotation: isospectral; rescale: not isospectral.
    auto hat = make("rotation_hat");
    auto res = make("rescale_2d");
    PointSampler pts({"x", 0, {}, 1.5, 0.0}, 2, 17);
    for (int i = 0; i < 50; ++i) {
        const Vector q = pts.next();
        for (double s : {0.3, -1.1}) {
            Matrix R(2, 2);
            R << std::cos(s), -std::sin(s), std::sin(s), std::cos(s);  // e^{sJ}
            const Matrix Hr = hat->hessian(R * q), H = hat->hessian(q);
            EXPECT_LT((Hr - R * H * R.transpose()).norm(), 1e-13 * H.norm());
            EXPECT_LT((hat->gradient(R * q) - R * hat->gradient(q)).norm(),
                      1e-13 * (H.norm() * q.norm()));
            Matrix T = Matrix::Zero(2, 2);
            T(0, 0) = std::exp(s);
            T(1, 1) = std::exp(-s);
            const Matrix Ti = T.inverse();
            const Matrix Ht = res->hessian(T * q), H2 = res->hessian(q);
            EXPECT_LT((Ht - Ti.transpose() * H2 * Ti).norm(), 1e-13 * Ht.norm());
            EXPECT_LT((res->gradient(T * q) - Ti.transpose() * res->gradient(q)).norm(),
                      1e-13 * (Ht.norm() * (T * q).norm()));
        }
    }
}

TEST(HessianIdentities, RescaleMinimaSharpnessIsMinimalAtTheBalancedPoint) {
    // §3.5 H4: at q1 q2 = 1 the eigenvalues are {0, q1^2 + q2^2}, kernel (q1, -q2);
    // the minimum sharpness 2 is at (1, 1).
    auto loss = make("rescale_2d");
    double min_sharp = 1e300;
    Vector argmin;
    for (double a = 0.25; a <= 4.0; a *= 1.01) {
        const Vector q = vec({a, 1.0 / a});
        const Matrix H = loss->hessian(q);
        Eigen::SelfAdjointEigenSolver<Matrix> es(H);
        EXPECT_NEAR(es.eigenvalues()[0], 0.0, 1e-14 * q.squaredNorm());
        EXPECT_NEAR(es.eigenvalues()[1], q.squaredNorm(), 1e-14 * q.squaredNorm());
        EXPECT_LT((H * vec({q[0], -q[1]})).norm(), 1e-14 * q.squaredNorm());
        if (es.eigenvalues()[1] < min_sharp) {
            min_sharp = es.eigenvalues()[1];
            argmin = q;
        }
    }
    Eigen::SelfAdjointEigenSolver<Matrix> es(loss->hessian(vec({1.0, 1.0})));
    EXPECT_DOUBLE_EQ(es.eigenvalues()[1], 2.0);
    EXPECT_GE(min_sharp, 2.0);
    EXPECT_NEAR(argmin[0], 1.0, 0.011);
}

TEST(HessianIdentities, GradientFlowEndsAtSharpnessFromTheConservedImbalance) {
    // §3.5: gradient flow (k = 0) conserves D = q1^2 - q2^2 and ends at sharpness sqrt(D0^2 + 4).
    Scene sc;
    sc.loss.name = "rescale_2d";
    sc.q0 = vec({2.0, 0.3});
    sc.rule.lr = 0.01;
    sc.steps = 3000;
    sc.show_discrete = false;
    sc.show_flow = true;
    auto run = simulate(sc);
    ASSERT_TRUE(run.ok());
    const Trajectory& tr = *(*run)->find(Model::Flow);
    const Vector q = tr.q.col(tr.samples() - 1);
    const double D0 = 4.0 - 0.09;
    EXPECT_NEAR(q[0] * q[0] - q[1] * q[1], D0, 1e-9);
    EXPECT_NEAR(q.squaredNorm(), std::sqrt(D0 * D0 + 4), 1e-9);
}

TEST(HessianIdentities, H5SwapSymmetryBlockDiagonalisesTheHessian) {
    // H5: on Fix(P) for the swap P, grad f is in Fix(P), [H, P] = 0, and the curvatures are
    // 3a^2 - 1 along (1,1) and 1 - a^2 along (1,-1) at (a, a).
    auto loss = make("rescale_2d");
    Matrix P(2, 2);
    P << 0, 1, 1, 0;
    const Vector e = vec({1, 1}) / std::sqrt(2.0), o = vec({1, -1}) / std::sqrt(2.0);
    for (double a : {-1.5, -0.3, 0.2, 0.9, 1.0, 2.2}) {
        const Vector q = vec({a, a});
        const Matrix H = loss->hessian(q);
        const Vector g = loss->gradient(q);
        EXPECT_EQ(g[0], g[1]);
        EXPECT_LT((H * P - P * H).norm(), 1e-15 * H.norm());
        EXPECT_NEAR(e.dot(H * e), 3 * a * a - 1, 1e-14 * (1 + a * a));
        EXPECT_NEAR(o.dot(H * o), 1 - a * a, 1e-14 * (1 + a * a));
        EXPECT_NEAR(e.dot(H * o), 0.0, 1e-14 * (1 + a * a));
    }
}

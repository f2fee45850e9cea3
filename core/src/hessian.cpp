// Hessian geometry at a point and along a trajectory (PHYSICS.md §3).
#include "noether/hessian.hpp"

#include <Eigen/Eigenvalues>
#include <Eigen/SVD>
#include <cmath>
#include <limits>

namespace noether {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Spectral norm of a generator's A (small, computed once per generator).
double spectral_norm(const Matrix& A) {
    if (A.size() == 0) return 0.0;
    return Eigen::JacobiSVD<Matrix>(A).singularValues()(0);
}

// The eigen-decomposition with a deterministic sign per eigenvector.
void decompose(const Matrix& H, Vector& lambda, Matrix& U) {
    Eigen::SelfAdjointEigenSolver<Matrix> es(H);
    lambda = es.eigenvalues();
    U = es.eigenvectors();
    for (Eigen::Index i = 0; i < U.cols(); ++i) {
        Eigen::Index k = 0;
        U.col(i).cwiseAbs().maxCoeff(&k);
        if (U(k, i) < 0) U.col(i) = -U.col(i);
    }
}

GeneratorGeometry geometry(const Generator& gen, double normA, VecRef q, VecRef grad,
                           const Matrix& H, double normH, const Matrix& U, int flattest) {
    GeneratorGeometry g;
    g.name = gen.name;
    g.xi = gen.A * q + gen.b;
    const double xn = g.xi.norm(), gn = grad.norm();
    g.lie_derivative = grad.dot(g.xi);
    const Vector Hxi = H * g.xi;
    // H1: H ξ + Aᵀ ∇f = ∇(L_ξ f), zero for an exact symmetry.
    const double s1 = normH * xn + normA * gn;
    g.h1_residual = s1 > 0 ? (Hxi + gen.A.transpose() * grad).norm() / s1 : 0.0;
    // H2: ⟨ξ, Hξ⟩ + ⟨∇f, Aξ⟩.
    const double xHx = g.xi.dot(Hxi);
    const double s2 = normH * xn * xn + normA * gn * xn;
    g.h2_residual = s2 > 0 ? std::abs(xHx + grad.dot(gen.A * g.xi)) / s2 : 0.0;
    if (xn > 0) {
        const double c = std::min(1.0, std::abs(U.col(flattest).dot(g.xi)) / xn);
        g.angle_to_flattest = std::acos(c);
        g.curvature = xHx / (xn * xn);
    } else {
        g.angle_to_flattest = kNaN;
        g.curvature = kNaN;
    }
    return g;
}

int least_abs(const Vector& lambda) {
    Eigen::Index k = 0;
    lambda.cwiseAbs().minCoeff(&k);
    return static_cast<int>(k);
}

}  // namespace

double stability_line(double lr, double momentum) {
    return 2.0 * (1.0 + momentum) / lr;
}

double stability_line(const RuleParams& rule) {
    return stability_line(rule.lr, model_momentum(rule));
}

Result<HessianPoint> hessian_at(const Loss& loss, VecRef q) {
    const int n = loss.dim();
    if (q.size() != n)
        return Error{"q", "needs " + std::to_string(n) + " numbers for loss " + loss.name() +
                              " (got " + std::to_string(q.size()) + ")"};
    if (!q.allFinite()) return Error{"q", "must be finite"};
    HessianPoint p;
    p.q = q;
    p.value = loss.value(q);
    p.gradient = loss.gradient(q);
    p.hessian = loss.hessian(q);
    if (!std::isfinite(p.value) || !p.gradient.allFinite() || !p.hessian.allFinite())
        return Error{"hessian", "the loss, its gradient or its Hessian is not finite at q"};
    decompose(p.hessian, p.eigenvalues, p.eigenvectors);
    p.gradient_components = p.eigenvectors.transpose() * p.gradient;
    const double gn = p.gradient.norm();
    p.alignment = gn > 0 ? Vector(p.gradient_components / gn) : Vector::Zero(n);
    p.sharpness = p.eigenvalues[n - 1];
    p.flattest = least_abs(p.eigenvalues);
    const double normH = p.eigenvalues.cwiseAbs().maxCoeff();
    for (const Generator& gen : loss.generators())
        p.generators.push_back(geometry(gen, spectral_norm(gen.A), q, p.gradient, p.hessian, normH,
                                        p.eigenvectors, p.flattest));
    return p;
}

HessianSeries hessian_along(const Loss& loss, const Trajectory& tr, const RuleParams& rule,
                            long max_samples) {
    const long total = tr.samples();
    // Evenly spaced sample indices, first and last included.
    std::vector<long> idx;
    if (total > 0) {
        const long m = max_samples < 2 ? std::min<long>(total, 2) : std::min(total, max_samples);
        if (m == 1 || total == 1) {
            idx.push_back(0);
        } else {
            for (long k = 0; k < m; ++k) {
                const long i = static_cast<long>(std::llround(static_cast<double>(k) * (total - 1) /
                                                              static_cast<double>(m - 1)));
                if (idx.empty() || idx.back() != i) idx.push_back(i);
            }
        }
    }
    return hessian_at_samples(loss, tr, rule, idx);
}

HessianSeries hessian_at_samples(const Loss& loss, const Trajectory& tr, const RuleParams& rule,
                                 const std::vector<long>& idx) {
    HessianSeries s;
    s.stability_line = stability_line(rule);
    const int n = loss.dim();
    std::vector<double> normA;
    for (const Generator& gen : loss.generators()) {
        normA.push_back(spectral_norm(gen.A));
        s.generators.push_back({gen.name, {}, {}, {}, {}});
    }
    s.eigenvalues.resize(n, static_cast<Eigen::Index>(idx.size()));
    s.gradient_components.resize(n, static_cast<Eigen::Index>(idx.size()));
    s.alignment.resize(n, static_cast<Eigen::Index>(idx.size()));
    Vector grad(n), lambda;
    Matrix H(n, n), U;
    Eigen::Index col = 0;
    for (long i : idx) {
        if (i < 0 || i >= tr.samples()) continue;
        const Vector q = tr.q.col(i);
        if (!q.allFinite()) continue;
        loss.gradient(q, grad);
        loss.hessian(q, H);
        if (!grad.allFinite() || !H.allFinite()) continue;
        decompose(H, lambda, U);
        s.sample.push_back(i);
        s.eigenvalues.col(col) = lambda;
        s.sharpness.push_back(lambda[n - 1]);
        s.gradient_components.col(col) = U.transpose() * grad;
        const double gn = grad.norm();
        s.alignment.col(col) =
            gn > 0 ? Vector(s.gradient_components.col(col) / gn) : Vector::Zero(n);
        const int flat = least_abs(lambda);
        const double normH = lambda.cwiseAbs().maxCoeff();
        for (size_t g = 0; g < loss.generators().size(); ++g) {
            const GeneratorGeometry gg =
                geometry(loss.generators()[g], normA[g], q, grad, H, normH, U, flat);
            auto& gs = s.generators[g];
            gs.angle_to_flattest.push_back(gg.angle_to_flattest);
            gs.curvature.push_back(gg.curvature);
            gs.h1_residual.push_back(gg.h1_residual);
            gs.h2_residual.push_back(gg.h2_residual);
            s.max_h1_residual = std::max(s.max_h1_residual, gg.h1_residual);
            s.max_h2_residual = std::max(s.max_h2_residual, gg.h2_residual);
        }
        ++col;
    }
    s.eigenvalues.conservativeResize(n, col);
    s.gradient_components.conservativeResize(n, col);
    s.alignment.conservativeResize(n, col);
    return s;
}

}  // namespace noether

// Shared helpers of the physics test suite: building losses, sampling points, finite
// differences, and the heavy-ball iterates of PHYSICS.md §0 produced by the engine's own step().
#pragma once

#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "noether/loss.hpp"
#include "noether/rule.hpp"

namespace noether::testing {

/// Builds a built-in loss or fails the test.
inline std::shared_ptr<const Loss> make(const std::string& name, double eps = 0.0,
                                        std::map<std::string, std::vector<double>> params = {}) {
    LossSpec spec;
    spec.name = name;
    spec.eps = eps;
    spec.params = std::move(params);
    auto r = make_loss(spec);
    EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().what());
    return r.ok() ? r.value() : nullptr;
}

/// A vector from a list of numbers.
inline Vector vec(std::initializer_list<double> xs) {
    Vector v(static_cast<Eigen::Index>(xs.size()));
    Eigen::Index i = 0;
    for (double x : xs)
        v[i++] = x;
    return v;
}

/// One loss configuration of the suite: built-in name, eps, parameters.
struct LossCase {
    std::string name;
    double eps = 0.0;
    std::map<std::string, std::vector<double>> params;
    double spread = 1.0;    ///< standard deviation of the random points
    double min_norm = 0.0;  ///< reject points closer to 0 (scale-invariant losses)
    std::string label() const {
        std::string s = name;
        s.append(" eps=").append(std::to_string(eps));
        for (const auto& [k, v] : params) {
            s.append(" ").append(k).append("=");
            for (double x : v)
                s.append(std::to_string(x)).append(",");
        }
        return s;
    }
};

/// Every built-in loss with eps = 0 (scale-invariant ones kept away from the origin).
inline std::vector<LossCase> symmetric_cases() {
    return {
        {"scale_cos", 0.0, {{"theta_star", {0.3}}}, 1.0, 0.3},
        {"rotation_hat", 0.0, {}, 1.0, 0.0},
        {"translation_valley", 0.0, {}, 2.0, 0.0},
        {"translation_logistic", 0.0, {}, 2.0, 0.0},
        {"rescale_2d", 0.0, {}, 1.5, 0.0},
        {"rayleigh", 0.0, {}, 1.0, 0.3},
        {"rayleigh", 0.0, {{"diag", {1, 2, 2, 4}}}, 1.0, 0.3},
        {"bn_logistic", 0.0, {}, 1.0, 0.3},
        {"quadratic", 0.0, {}, 1.0, 0.0},
        {"quadratic", 0.0, {{"diag", {0.5, 2, 7}}}, 1.0, 0.0},
    };
}

/// The same losses with explicit breaking eps > 0.
inline std::vector<LossCase> broken_cases() {
    return {
        {"scale_cos", 0.01, {{"theta_star", {0.3}}}, 1.0, 0.3},
        {"rotation_hat", 0.1, {}, 1.0, 0.0},
        {"rotation_hat", -0.2, {}, 1.0, 0.0},
        {"translation_valley", 0.3, {}, 2.0, 0.0},
        {"translation_logistic", 0.3, {}, 2.0, 0.0},
        {"rescale_2d", 0.2, {}, 1.5, 0.0},
        {"rayleigh", 0.05, {}, 1.0, 0.3},
        {"rayleigh", 0.05, {{"diag", {1, 2, 2, 4}}}, 1.0, 0.3},
        {"bn_logistic", 0.01, {}, 1.0, 0.3},
        {"quadratic", 0.5, {}, 1.0, 0.0},
    };
}

/// Deterministic random points for a loss case.
class PointSampler {
  public:
    PointSampler(const LossCase& c, int dim, unsigned seed = 12345)
        : c_(c), dim_(dim), rng_(seed), normal_(0.0, 1.0) {}
    Vector next() {
        for (;;) {
            Vector q(dim_);
            for (int i = 0; i < dim_; ++i)
                q[i] = c_.spread * normal_(rng_);
            if (q.norm() >= c_.min_norm) return q;
        }
    }

  private:
    LossCase c_;
    int dim_;
    std::mt19937_64 rng_;
    std::normal_distribution<double> normal_;
};

/// Fourth-order central difference of a scalar function of q along every axis.
template <class F>
Vector fd_gradient(const F& f, const Vector& q, double h) {
    Vector g(q.size());
    for (Eigen::Index i = 0; i < q.size(); ++i) {
        auto at = [&](double s) {
            Vector x = q;
            x[i] += s * h;
            return f(x);
        };
        g[i] = (-at(2) + 8.0 * at(1) - 8.0 * at(-1) + at(-2)) / (12.0 * h);
    }
    return g;
}

/// Fourth-order central difference of the analytic gradient: column i is d grad / d q_i.
inline Matrix fd_hessian(const Loss& loss, const Vector& q, double h) {
    const auto n = q.size();
    Matrix H(n, n);
    for (Eigen::Index i = 0; i < n; ++i) {
        auto at = [&](double s) {
            Vector x = q;
            x[i] += s * h;
            return loss.gradient(x);
        };
        H.col(i) = (-at(2) + 8.0 * at(1) - 8.0 * at(-1) + at(-2)) / (12.0 * h);
    }
    return H;
}

/// Spectral norm of a symmetric matrix.
inline double sym_norm(const Matrix& S) {
    if (S.size() == 0) return 0.0;
    Eigen::SelfAdjointEigenSolver<Matrix> es(S);
    return es.eigenvalues().cwiseAbs().maxCoeff();
}

/// Heavy-ball iterates of PHYSICS.md §0 produced by the engine's step(): q[0..N+1], with the
/// virtual point q_{-1} = q0 + eta v0 and d_0 = -eta v0.
struct Iterates {
    std::vector<Vector> q;  ///< q_0 .. q_{N+1}
    Vector v0;              ///< the kick (zero without one)
    double eta = 0, beta = 0, k = 0;
    /// q_n for n >= -1.
    Vector at(long n) const { return n < 0 ? Vector(q[0] + eta * v0) : q[static_cast<size_t>(n)]; }
    /// d_n = q_n - q_{n-1} for n >= 0 (d_0 = -eta v0 exactly).
    Vector d(long n) const { return n == 0 ? Vector(-eta * v0) : Vector(at(n) - at(n - 1)); }
};

/// Runs torch SGD (lr eta, momentum beta, weight decay k, optional kick) for N + 1 steps.
inline Iterates heavy_ball(const Loss& loss, double eta, double beta, double k, const Vector& q0,
                           const Vector* v0, long N) {
    RuleParams p;
    p.rule = Rule::Sgd;
    p.lr = eta;
    p.momentum = beta;
    p.weight_decay = k;
    Iterates it;
    it.eta = eta;
    it.beta = beta;
    it.k = k;
    it.v0 = v0 ? *v0 : Vector::Zero(q0.size());
    OptimizerState s = make_state(p, q0, v0);
    it.q.push_back(q0);
    for (long n = 0; n <= N; ++n) {
        step(loss, p, s);
        it.q.push_back(s.q);
    }
    return it;
}

}  // namespace noether::testing

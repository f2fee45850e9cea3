// Symmetry discovery by the affine Lie-derivative null space (PHYSICS.md §4.2), and adoption of
// discovered generators by a loss.
#include "noether/discovery.hpp"

#include <Eigen/QR>
#include <Eigen/SVD>
#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <numbers>
#include <random>

namespace noether {
namespace {

constexpr long kMaxSamples = 200000;
constexpr double kRrefTol = 1e-9;

// Standard normal numbers from std::mt19937_64 and our own Box–Muller transform, so that the
// same seed gives the same samples with every standard library.
class NormalSampler {
  public:
    explicit NormalSampler(std::uint64_t seed) : rng_(seed) {}
    double operator()() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        // u1 in (0, 1], u2 in [0, 1), from the top 53 bits.
        const double u1 = 1.0 - static_cast<double>(rng_() >> 11) * 0x1.0p-53;
        const double u2 = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
        const double r = std::sqrt(-2.0 * std::log(u1));
        const double a = 2.0 * std::numbers::pi * u2;
        spare_ = r * std::sin(a);
        has_spare_ = true;
        return r * std::cos(a);
    }

  private:
    std::mt19937_64 rng_;
    double spare_ = 0.0;
    bool has_spare_ = false;
};

std::string fmt(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", std::abs(x) < 5e-13 ? 0.0 : x);
    return buf;
}

std::string fmt_vec(const Vector& v) {
    std::string s = "(";
    for (Eigen::Index i = 0; i < v.size(); ++i)
        s.append(i ? ", " : "").append(fmt(v[i]));
    return s + ")";
}

// Snaps entries within rounding of an integer to it, and tiny ones to 0 (display only).
void clean(Matrix& M) {
    for (Eigen::Index i = 0; i < M.size(); ++i) {
        double& x = M.data()[i];
        const double r = std::round(x);
        if (std::abs(x - r) < 1e-12 * std::max(1.0, std::abs(x))) x = r;
        if (std::abs(x) < 1e-13) x = 0.0;
    }
}

// Reduced row echelon form with partial pivoting; pivots exactly 1.
Matrix rref(Matrix R, double tol) {
    const Eigen::Index rows = R.rows(), cols = R.cols();
    Eigen::Index row = 0;
    for (Eigen::Index col = 0; col < cols && row < rows; ++col) {
        Eigen::Index k = row;
        R.col(col).segment(row, rows - row).cwiseAbs().maxCoeff(&k);
        k += row;
        if (std::abs(R(k, col)) < tol) continue;
        R.row(row).swap(R.row(k));
        R.row(row) /= R(row, col);
        R(row, col) = 1.0;
        for (Eigen::Index r = 0; r < rows; ++r) {
            if (r == row) continue;
            R.row(r) -= R(r, col) * R.row(row);
            R(r, col) = 0.0;
        }
        ++row;
    }
    for (Eigen::Index i = 0; i < R.size(); ++i)
        if (std::abs(R.data()[i]) < tol) R.data()[i] = 0.0;
    return R;
}

// θ = (vec_rowmajor(A), b) <-> (A, b).
void unpack(const Vector& theta, int n, Matrix& A, Vector& b) {
    A.resize(n, n);
    for (int j = 0; j < n; ++j)
        for (int l = 0; l < n; ++l)
            A(j, l) = theta[j * n + l];
    b = theta.tail(n);
}
Vector pack(const Matrix& A, const Vector& b) {
    const auto n = static_cast<int>(A.rows());
    Vector t(n * n + n);
    for (int j = 0; j < n; ++j)
        for (int l = 0; l < n; ++l)
            t[j * n + l] = A(j, l);
    t.tail(n) = b;
    return t;
}

// Basis, projector, display basis, generators and closure of the span of V0's columns, given in
// non-dimensional unknowns (Ã, b̃) = (s A, A c + b).
SymmetryBasis make_basis(const Matrix& V0, int n, const Vector& c, double s, double class_tol) {
    SymmetryBasis out;
    const auto d = static_cast<int>(V0.cols());
    const int p = n * n + n;
    out.dimension = d;
    if (d == 0) {
        out.basis.resize(p, 0);
        out.projector = Matrix::Zero(p, p);
        out.display.resize(p, 0);
        return out;
    }
    // Map back: A = Ã / s, b = b̃ − A c.
    Matrix theta(p, d);
    Matrix A;
    Vector b;
    for (int k = 0; k < d; ++k) {
        unpack(V0.col(k), n, A, b);
        A /= s;
        b -= A * c;
        theta.col(k) = pack(A, b);
    }
    // Orthonormalise (QR); the projector does not depend on the basis chosen.
    Eigen::HouseholderQR<Matrix> qr(theta);
    out.basis = qr.householderQ() * Matrix::Identity(p, d);
    out.projector = out.basis * out.basis.transpose();
    // Display basis: RREF(Bᵀ) with pivots 1.
    Matrix R = rref(out.basis.transpose(), kRrefTol);
    clean(R);
    out.display = R.transpose();
    std::map<SymmetryKind, int> count, seen;
    std::vector<SymmetryKind> kinds;
    std::vector<std::string> words;
    for (int k = 0; k < d; ++k) {
        unpack(out.display.col(k), n, A, b);
        std::string w;
        kinds.push_back(classify_generator(A, b, &w, class_tol));
        words.push_back(w);
        ++count[kinds.back()];
    }
    for (int k = 0; k < d; ++k) {
        DiscoveredGenerator g;
        unpack(out.display.col(k), n, A, b);
        std::string name = to_string(kinds[k]);
        const int i = ++seen[kinds[k]];
        if (count[kinds[k]] > 1) name.append("_").append(std::to_string(i));
        g.generator = Generator{name, kinds[k], A, b};
        g.description = words[k];
        g.theta = out.display.col(k);
        out.generators.push_back(std::move(g));
    }
    // Lie-bracket closure: [ξ_i, ξ_j] = (A_j A_i − A_i A_j) q + (A_j b_i − A_i b_j).
    const Matrix I_P = Matrix::Identity(p, p) - out.projector;
    Matrix Ai, Aj;
    Vector bi, bj;
    for (int i = 0; i < d; ++i) {
        unpack(out.basis.col(i), n, Ai, bi);
        for (int j = i + 1; j < d; ++j) {
            unpack(out.basis.col(j), n, Aj, bj);
            const Vector br = pack(Aj * Ai - Ai * Aj, Aj * bi - Ai * bj);
            const double r =
                (I_P * br).norm() / (out.basis.col(i).norm() * out.basis.col(j).norm());
            out.closure_residual = std::max(out.closure_residual, r);
        }
    }
    return out;
}

// A loss that delegates to another and carries its own generator list.
class AdoptedLoss final : public Loss {
  public:
    AdoptedLoss(std::shared_ptr<const Loss> base, std::vector<Generator> gens)
        : Loss(base->name(), base->dim(), base->eps()), base_(std::move(base)) {
        generators_ = std::move(gens);
    }
    std::string formula() const override { return base_->formula(); }
    double value(VecRef q) const override { return base_->value(q); }
    void gradient(VecRef q, VecOut g) const override { base_->gradient(q, g); }
    void hessian(VecRef q, MatOut H) const override { base_->hessian(q, H); }

  private:
    std::shared_ptr<const Loss> base_;
};

}  // namespace

Status validate(const DiscoveryOptions& opt, int n) {
    if (n < 1) return Error{"loss", "has no parameters"};
    if (opt.samples < 0 || opt.samples > kMaxSamples)
        return Error{"samples", "must be between 1 and " + std::to_string(kMaxSamples) +
                                    " (0 = default; got " + std::to_string(opt.samples) + ")"};
    if (!(opt.tol > 0 && opt.tol < 1))
        return Error{"tol", "must be in (0, 1) (got " + format_double(opt.tol) + ")"};
    if (!(opt.radius > 0) || !std::isfinite(opt.radius))
        return Error{"radius", "must be a finite number > 0"};
    if (opt.center.size() != 0 && opt.center.size() != n)
        return Error{"center", "needs " + std::to_string(n) + " numbers"};
    if (opt.center.size() != 0 && !opt.center.allFinite()) return Error{"center", "must be finite"};
    if (!(opt.gap_decades > 0)) return Error{"gap_decades", "must be > 0"};
    return {};
}

SymmetryKind classify_generator(const Matrix& A, const Vector& b, std::string* description,
                                double rel_tol) {
    const auto n = A.rows();
    const double scale = std::sqrt(A.squaredNorm() + b.squaredNorm());
    const double tol = rel_tol * std::max(scale, std::numeric_limits<double>::min());
    std::string words;
    SymmetryKind kind = SymmetryKind::General;
    if (A.norm() <= tol) {
        kind = SymmetryKind::Translation;
        words = "translation along " + fmt_vec(b.normalized());
    } else {
        const double c = A.trace() / static_cast<double>(n);
        const Matrix W = 0.5 * (A - A.transpose());
        Matrix S0 = 0.5 * (A + A.transpose());
        S0.diagonal().array() -= c;
        const bool has_scale = std::abs(c) * std::sqrt(static_cast<double>(n)) > tol;
        const bool has_rot = W.norm() > tol;
        const bool has_shear = S0.norm() > tol;
        const int parts = int(has_scale) + int(has_rot) + int(has_shear);
        // Where the field vanishes: A q* + b = 0 (its centre), if b is in range(A).
        std::string centre;
        bool affine_ok = true;
        if (b.norm() > tol) {
            const Vector qs = A.completeOrthogonalDecomposition().solve(-b);
            if ((A * qs + b).norm() <= std::max(1e-8, rel_tol) * scale)
                centre = " about the point " + fmt_vec(qs);
            else
                affine_ok = false;
        }
        if (parts == 1 && affine_ok) {
            if (has_scale) {
                kind = SymmetryKind::Scale;
                words = "scale" + (centre.empty() ? std::string(" about the origin") : centre);
            } else if (has_rot) {
                kind = SymmetryKind::Rotation;
                // A single plane (i, j) if W has exactly one independent entry.
                int count = 0, pi = 0, pj = 0;
                for (int i = 0; i < n; ++i)
                    for (int j = i + 1; j < n; ++j)
                        if (std::abs(W(i, j)) > tol) {
                            ++count;
                            pi = i;
                            pj = j;
                        }
                words = count == 1 ? "rotation in the (q" + std::to_string(pi + 1) + ", q" +
                                         std::to_string(pj + 1) + ") plane"
                                   : std::string("rotation (skew-symmetric A)");
                words += centre;
            } else {
                kind = SymmetryKind::Rescale;
                const bool diagonal = (S0 - Matrix(S0.diagonal().asDiagonal())).norm() <= tol;
                if (diagonal) {
                    Vector dg = A.diagonal();
                    words = "rescale diag" + fmt_vec(dg);
                } else {
                    words = "rescale/shear (symmetric traceless A)";
                }
                words += centre;
            }
        } else {
            std::string list;
            const auto add = [&](bool on, const char* w) {
                if (on) list.append(list.empty() ? "" : " + ").append(w);
            };
            add(has_scale, "scale");
            add(has_rot, "rotation");
            add(has_shear, "shear");
            add(!affine_ok, "translation");
            words = "general affine field (" + list + ")";
        }
    }
    if (description) *description = words;
    return kind;
}

Result<Discovery> discover_symmetries(const Loss& loss, const DiscoveryOptions& opt) {
    const int n = loss.dim();
    if (auto s = validate(opt, n); !s) return s.error();
    const int p = n * n + n;
    Discovery out;
    out.n = n;
    out.p = p;
    out.seed = opt.seed;
    out.tol = opt.tol;
    out.samples = opt.samples > 0 ? opt.samples : std::max<long>(200, 10L * p);
    const Vector c = opt.center.size() ? opt.center : Vector::Zero(n);
    const double s = opt.radius;

    // 1-3. Sample q = c + s z, z ~ N(0, I) with |z| >= 0.1 sqrt(n); rows on u = (q − c)/s = z.
    NormalSampler normal(opt.seed);
    Matrix M(out.samples, p);
    Vector z(n), q(n), g(n);
    const double r_min = 0.1 * std::sqrt(static_cast<double>(n));
    long rows = 0;
    for (long k = 0; k < out.samples; ++k) {
        do {
            for (int i = 0; i < n; ++i)
                z[i] = normal();
        } while (z.norm() < r_min);
        q = c + s * z;
        loss.gradient(q, g);
        const double gn = g.norm();
        if (!g.allFinite() || !(gn > 0)) continue;
        const double w = 1.0 / (gn * std::sqrt(z.squaredNorm() + 1.0));
        for (int j = 0; j < n; ++j) {
            for (int l = 0; l < n; ++l)
                M(rows, j * n + l) = g[j] * z[l] * w;
            M(rows, n * n + j) = g[j] * w;
        }
        ++rows;
    }
    out.rows = rows;
    if (rows == 0) return Error{"samples", "the gradient is zero or not finite at every sample"};
    M.conservativeResize(rows, p);

    // 4. SVD; s_j = σ_j / σ_1 padded with zeros to p entries.
    Eigen::BDCSVD<Matrix> svd(M, Eigen::ComputeFullV);
    const Vector sigma = svd.singularValues();
    out.sigma_max = sigma.size() ? sigma[0] : 0.0;
    out.singular_values = Vector::Zero(p);
    if (out.sigma_max > 0) out.singular_values.head(sigma.size()) = sigma / out.sigma_max;

    // 5. Nullity by threshold; the largest log-gap.
    out.nullity = 0;
    for (int j = 0; j < p; ++j)
        if (out.singular_values[j] < opt.tol) ++out.nullity;
    const double floor = 1e-18;  // below rounding: exact zeros count as 1e-18
    out.gap_index = p;
    out.gap_decades = 0.0;
    for (int j = 0; j + 1 < p; ++j) {
        const double gap = std::log10(std::max(out.singular_values[j], floor) /
                                      std::max(out.singular_values[j + 1], floor));
        if (gap > out.gap_decades) {
            out.gap_decades = gap;
            out.gap_index = j + 1;
        }
    }
    out.nullity_gap = p - out.gap_index;
    out.approximate = out.nullity_gap > out.nullity && out.gap_decades >= opt.gap_decades;

    // 6-7. Bases, mapped back to q.
    const Matrix& V = svd.matrixV();
    out.exact = make_basis(V.rightCols(out.nullity), n, c, s, 1e-6);
    // An approximate null vector is off by about s_{j*+1}/s_{j*}: classify it that coarsely.
    const double near_tol = std::max(1e-6, 10.0 * std::pow(10.0, -out.gap_decades));
    out.near = make_basis(V.rightCols(out.approximate ? out.nullity_gap : 0), n, c, s, near_tol);
    return out;
}

std::shared_ptr<const Loss> adopt_generators(std::shared_ptr<const Loss> base,
                                             std::vector<Generator> generators, bool replace) {
    assert(base);
    std::vector<Generator> all;
    if (!replace) all = base->generators();
    for (auto& g : generators) {
        assert(g.A.rows() == base->dim() && g.A.cols() == base->dim() && g.b.size() == base->dim());
        const std::string stem = g.name.empty() ? std::string(to_string(g.kind)) : g.name;
        std::string name = stem;
        for (int k = 2;; ++k) {
            const bool taken = std::any_of(all.begin(), all.end(),
                                           [&](const Generator& h) { return h.name == name; });
            if (!taken) break;
            name = stem + "_" + std::to_string(k);
        }
        g.name = name;
        all.push_back(std::move(g));
    }
    return std::make_shared<AdoptedLoss>(std::move(base), std::move(all));
}

}  // namespace noether

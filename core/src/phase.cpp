// Symmetry-reduced phase coordinates, their closed vector fields and the damping regime.
#include "noether/phase.hpp"

#include <Eigen/Eigenvalues>
#include <cmath>

namespace noether {

namespace {
constexpr double kPi = 3.14159265358979323846;

std::string q_name(int i) {
    std::string s = "q";
    s.append(std::to_string(i + 1));
    return s;
}
}  // namespace

std::vector<PhaseCoordinate> phase_coordinates(const Loss& loss) {
    std::vector<PhaseCoordinate> out;
    const int n = loss.dim();
    bool have_radius = false;
    for (const Generator& g : loss.generators()) {
        PhaseCoordinate c;
        switch (g.kind) {
            case SymmetryKind::Scale:
                if (have_radius) continue;
                c.kind = PhaseKind::Radius;
                c.id = "radius";
                c.label = "r = |q|";
                c.rate = "r′";
                have_radius = true;
                break;
            case SymmetryKind::Rotation: {
                // The rotation plane: the (i, j) with A(j, i) = 1.
                c.kind = PhaseKind::Angle;
                for (int a = 0; a < n; ++a)
                    for (int b = 0; b < n; ++b)
                        if (g.A(b, a) > 0.5 && g.A(a, b) < -0.5) {
                            c.i = a;
                            c.j = b;
                        }
                c.id = "angle";
                c.label = "θ = atan2(";
                c.label.append(q_name(c.j)).append(", ").append(q_name(c.i)).append(")");
                c.rate = "θ′";
                break;
            }
            case SymmetryKind::Translation:
                c.kind = PhaseKind::Translation;
                c.direction = g.b.normalized();
                c.id = "translation";
                c.label = "X = ⟨q, n̂⟩";
                c.rate = "X′";
                break;
            case SymmetryKind::Rescale:
                c.kind = PhaseKind::Rescale;
                c.direction = g.A.diagonal();
                c.id = "rescale";
                c.label = "D = |a|² − |b|²";
                c.rate = "D′";
                break;
            case SymmetryKind::General:
                continue;
        }
        out.push_back(std::move(c));
    }
    for (int i = 0; i < n; ++i) {
        PhaseCoordinate c;
        c.kind = PhaseKind::Coordinate;
        c.index = i;
        c.id = q_name(i);
        c.label = q_name(i);
        c.rate = q_name(i);
        c.rate.append("′");
        out.push_back(std::move(c));
    }
    return out;
}

PhaseCurve phase_curve(const Trajectory& tr, const PhaseCoordinate& c) {
    PhaseCurve out;
    const long N = std::min<long>(tr.q.cols(), tr.v.cols());
    const long n = tr.q.rows();
    out.x.reserve(N);
    out.rate.reserve(N);
    double prev_angle = 0.0, unwrap = 0.0;
    bool have_prev = false;
    for (long s = 0; s < N; ++s) {
        const auto q = tr.q.col(s);
        const auto v = tr.v.col(s);
        double x = 0.0, r = 0.0;
        switch (c.kind) {
            case PhaseKind::Radius: {
                x = q.norm();
                r = x > 0.0 ? q.dot(v) / x : 0.0;
                break;
            }
            case PhaseKind::Angle: {
                if (c.i >= n || c.j >= n) return out;
                const double a = q[c.i], b = q[c.j], rr = a * a + b * b;
                const double angle = std::atan2(b, a);
                if (have_prev) {
                    double d = angle - prev_angle;
                    if (d > kPi) unwrap -= 2.0 * kPi;
                    if (d < -kPi) unwrap += 2.0 * kPi;
                }
                prev_angle = angle;
                have_prev = true;
                x = angle + unwrap;
                r = rr > 0.0 ? (a * v[c.j] - b * v[c.i]) / rr : std::nan("");
                break;
            }
            case PhaseKind::Translation:
                if (c.direction.size() != n) return out;
                x = q.dot(c.direction);
                r = v.dot(c.direction);
                break;
            case PhaseKind::Rescale:
                if (c.direction.size() != n) return out;
                x = q.dot(c.direction.cwiseProduct(q));
                r = 2.0 * v.dot(c.direction.cwiseProduct(q));
                break;
            case PhaseKind::Coordinate:
                if (c.index >= n) return out;
                x = q[c.index];
                r = v[c.index];
                break;
        }
        if (!std::isfinite(x) || !std::isfinite(r)) continue;
        out.x.push_back(x);
        out.rate.push_back(r);
    }
    return out;
}

std::optional<std::vector<PhaseArrow>> phase_vector_field(const Loss& loss, const RuleParams& rule,
                                                          const PhaseCoordinate& c, double x0,
                                                          double x1, double y0, double y1, int nx,
                                                          int ny) {
    const double m = implicit_mass(rule), mu = damping(rule), k = rule.weight_decay;
    if (!(m > 0.0) || nx < 1 || ny < 1 || !(x1 > x0) || !(y1 > y0)) return std::nullopt;
    const bool translation =
        c.kind == PhaseKind::Translation && loss.eps() == 0.0 && loss.name() != "expr";
    const bool one_d = loss.dim() == 1 && c.kind == PhaseKind::Coordinate;
    if (!translation && !one_d) return std::nullopt;
    std::vector<PhaseArrow> arrows;
    arrows.reserve(static_cast<size_t>(nx) * ny);
    Vector q(1), g(1);
    for (int r = 0; r < ny; ++r) {
        const double y = y0 + (r + 0.5) * (y1 - y0) / ny;
        for (int col = 0; col < nx; ++col) {
            const double x = x0 + (col + 0.5) * (x1 - x0) / nx;
            double force = k * x;
            if (one_d) {
                q[0] = x;
                loss.gradient(q, g);
                force += g[0];
            }
            const double acc = -(mu * y + force) / m;
            if (std::isfinite(acc)) arrows.push_back({x, y, y, acc});
        }
    }
    return arrows;
}

DampingRegime damping_regime(const Loss& loss, VecRef q, const RuleParams& rule) {
    DampingRegime d;
    d.m = implicit_mass(rule);
    d.mu = damping(rule);
    const double k = rule.weight_decay;
    if (q.size() != loss.dim() || !q.allFinite()) return d;
    const Matrix H = loss.hessian(q);
    if (!H.allFinite()) return d;
    Eigen::SelfAdjointEigenSolver<Matrix> es(0.5 * (H + H.transpose()), Eigen::EigenvaluesOnly);
    d.lambda_max = es.eigenvalues().maxCoeff();
    const double curv = d.lambda_max + k;
    d.has_curvature = curv > 0.0;
    d.zeta = d.mu > 0.0 ? 4.0 * d.m * curv / (d.mu * d.mu) : 0.0;
    d.underdamped = d.has_curvature && d.zeta > 1.0;
    if (loss.name() == "quadratic" && rule.rule == Rule::Sgd && !rule.nesterov) {
        d.has_bound = true;
        d.bound_lhs = rule.lr * curv;
        d.bound_rhs = 2.0 * (1.0 + model_momentum(rule));
    }
    return d;
}

}  // namespace noether

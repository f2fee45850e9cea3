// Symmetry-reduced phase coordinates, their closed vector fields and the damping regime.
#include "noether/phase.hpp"

#include <Eigen/Eigenvalues>
#include <cmath>

namespace noether {

namespace {
constexpr double kPi = 3.14159265358979323846;

// arctan(t) for 0 <= t <= 1 (Cephes atan.c: t <= 0.66 directly, else pi/4 + arctan((t-1)/(t+1))).
double atan_unit(double t) {
    constexpr double P0 = -8.750608600031904122785e-1, P1 = -1.615753718733365076637e1,
                     P2 = -7.500855792314704667340e1, P3 = -1.228866684490136173410e2,
                     P4 = -6.485021904942025371773e1;
    constexpr double Q0 = 2.485846490142306297962e1, Q1 = 1.650270098316988542046e2,
                     Q2 = 4.328810604912902668951e2, Q3 = 4.853903996359136964868e2,
                     Q4 = 1.945506571482613964425e2;
    constexpr double kMoreBits = 6.123233995736765886130e-17;  // pi/4 - fl(pi/4), times 2
    double base = 0.0, fix = 0.0;
    if (t > 0.66) {
        base = kPi / 4.0;
        fix = 0.5 * kMoreBits;
        t = (t - 1.0) / (t + 1.0);
    }
    const double z = t * t;
    const double p = ((((P0 * z + P1) * z + P2) * z + P3) * z + P4) * z;
    const double q = ((((z + Q0) * z + Q1) * z + Q2) * z + Q3) * z + Q4;
    return base + ((t * (p / q) + fix) + t);
}

std::string q_name(int i) {
    std::string s = "q";
    s.append(std::to_string(i + 1));
    return s;
}
}  // namespace

double phase_atan2(double y, double x) {
    const double ax = std::abs(x), ay = std::abs(y);
    // Zero, infinite or NaN arguments (and ratios that could underflow) take the library's path.
    if (!(ax > 1e-300 && ay > 1e-300 && ax < 1e300 && ay < 1e300)) return std::atan2(y, x);
    // The angle of (|x|, |y|) in [0, pi/2], then the quadrant.
    constexpr double kMoreBits = 6.123233995736765886130e-17;  // pi/2 - fl(pi/2)
    double a = ay <= ax ? atan_unit(ay / ax) : (kPi / 2.0 - atan_unit(ax / ay)) + kMoreBits;
    if (x < 0.0) a = (kPi - a) + 2.0 * kMoreBits;
    return y < 0.0 ? -a : a;
}

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
                // |q| is rotation invariant too: the radial motion orthogonal to the orbits
                // (presets 2a/2b ask for it: "the radius rings around 1").
                if (!have_radius) {
                    PhaseCoordinate r;
                    r.kind = PhaseKind::Radius;
                    r.id = "radius";
                    r.label = "r = |q|";
                    r.rate = "r′";
                    out.push_back(std::move(c));
                    out.push_back(std::move(r));
                    have_radius = true;
                    continue;
                }
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
    if (c.kind == PhaseKind::Angle) {
        // The common case of the rotation losses, without the per-sample dispatch below.
        if (c.i >= n || c.j >= n) return out;
        double prev_angle = 0.0, unwrap = 0.0;
        bool have_prev = false;
        const double *qd = tr.q.data(), *vd = tr.v.data();
        for (long s = 0; s < N; ++s) {
            const double a = qd[s * n + c.i], b = qd[s * n + c.j], rr = a * a + b * b;
            const double angle = phase_atan2(b, a);
            if (have_prev) {
                const double d = angle - prev_angle;
                if (d > kPi) unwrap -= 2.0 * kPi;
                if (d < -kPi) unwrap += 2.0 * kPi;
            }
            prev_angle = angle;
            have_prev = true;
            const double x = angle + unwrap;
            const double r = rr > 0.0 ? (a * vd[s * n + c.j] - b * vd[s * n + c.i]) / rr : NAN;
            if (!std::isfinite(x) || !std::isfinite(r)) continue;
            out.x.push_back(x);
            out.rate.push_back(r);
        }
        return out;
    }
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
            case PhaseKind::Angle:  // above
                return out;
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

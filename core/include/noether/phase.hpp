// Symmetry-reduced phase coordinates of a trajectory (PHYSICS.md §1.2, §1.3): radius r and r'
// (scale), angle and its rate (rotation), X = <q, n> and X' (translation), D = |a|^2 - |b|^2
// and D' (rescale), or any q_i and v_i; the vector field where the reduced dynamics closes on
// its own (translation: m X'' + mu X' + k X = 0 for a symmetric loss; any 1-D loss); and the
// damping regime of the implicit-acceleration ODE (§0.2, §5.7, §6.1).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "noether/loss.hpp"
#include "noether/rule.hpp"
#include "noether/run.hpp"
#include "noether/types.hpp"

namespace noether {

/// Which reduced coordinate a phase portrait shows.
enum class PhaseKind { Radius, Angle, Translation, Rescale, Coordinate };

/// A coordinate x(q) and its rate x'(q, q') for a phase portrait.
struct PhaseCoordinate {
    PhaseKind kind = PhaseKind::Coordinate;
    int index = 0;      ///< Coordinate: q_{index+1}
    int i = 0, j = 1;   ///< Angle: the rotation plane (q_i, q_j)
    Vector direction;   ///< Translation: unit n; Rescale: diagonal of S (+1 on a, -1 on b)
    std::string id;     ///< stable key, e.g. "radius", "angle", "translation", "q1"
    std::string label;  ///< e.g. "r = |q|"
    std::string rate;   ///< e.g. "r′"
};

/// The reduced coordinates the loss's generators suggest, then every q_i.
std::vector<PhaseCoordinate> phase_coordinates(const Loss& loss);

/// A trajectory in a phase plane.
struct PhaseCurve {
    std::vector<double> x;     ///< coordinate
    std::vector<double> rate;  ///< its rate, from the trajectory's velocity
};

/// atan2(y, x), as the phase portrait's angle uses it: Cephes' arctangent (S. L. Moshier: a
/// rational approximation of degree 4/5 on [0, 0.66] after range reduction, peak relative error
/// 2.2e-16) instead of glibc's correctly rounded atan2, half of whose time goes into saving and
/// restoring the rounding mode. Within 2 ulp of std::atan2 (tests/core/test_phase.cpp); zero,
/// infinite and NaN arguments go to std::atan2.
double phase_atan2(double y, double x);

/// The coordinate and its rate along a trajectory (the angle is unwrapped). Non-finite samples
/// (e.g. the angle at q = 0) are dropped.
PhaseCurve phase_curve(const Trajectory& tr, const PhaseCoordinate& c);

/// One arrow of a phase-plane vector field: at (x, y) the flow is (dx, dy).
struct PhaseArrow {
    double x, y, dx, dy;
};

/// The vector field (x, x') -> (x', x'') of the second-order ODE m x'' + mu x' + ... where the
/// reduced dynamics closes on its own: translation of an exactly symmetric loss (eps = 0),
/// x'' = -(mu x' + k x)/m, and any 1-D loss, x'' = -(mu x' + f'(x) + k x)/m. Otherwise nullopt.
std::optional<std::vector<PhaseArrow>> phase_vector_field(const Loss& loss, const RuleParams& rule,
                                                          const PhaseCoordinate& c, double x0,
                                                          double x1, double y0, double y1, int nx,
                                                          int ny);

/// Damping regime of m q'' + mu q' + (H + k) q = 0 near a point, and the quadratic's exact
/// heavy-ball stability bound eta (lambda_max + k) < 2(1 + beta) (§5.7).
struct DampingRegime {
    double m = 0.0;           ///< implicit mass eta(1+beta)/2
    double mu = 1.0;          ///< damping 1 - beta
    double lambda_max = 0.0;  ///< largest eigenvalue of the Hessian at the point
    double zeta = 0.0;        ///< 4 m (lambda_max + k) / mu^2; > 1 means underdamped
    bool underdamped = false;
    bool has_curvature = false;  ///< lambda_max + k > 0 (otherwise the point is not a minimum)
    bool has_bound = false;      ///< the exact bound exists (quadratic loss, heavy ball)
    double bound_lhs = 0.0;      ///< eta (lambda_max + k)
    double bound_rhs = 0.0;      ///< 2 (1 + beta)
};

/// The regime at q (e.g. where the run ends).
DampingRegime damping_regime(const Loss& loss, VecRef q, const RuleParams& rule);

}  // namespace noether

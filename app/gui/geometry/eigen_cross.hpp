// The eigen-cross drawn on the landscape at the current point (PHYSICS.md §3): the eigen-directions
// of the Hessian restricted to the slice plane (its 2 × 2 block in the plane's coordinates), each
// arm as long as its curvature |λ| allows (clamped, on the run's scale) and coloured by the sign of
// λ (black or white when flat), and beside it the arrow of each symmetry generator ξ(q) = A q + b
// projected on the plane.
#pragma once

#include <QColor>
#include <vector>

#include "gui/views/landscape_window.hpp"
#include "noether/loss.hpp"
#include "noether/run.hpp"

namespace noether::gui {

/// Colour of positive curvature (Okabe–Ito blue; sky blue on dark).
QColor positiveCurvatureColor(bool dark);
/// Colour of negative curvature (Okabe–Ito vermillion).
QColor negativeCurvatureColor(bool dark);
/// Colour of a flat direction, |λ| below kFlatCurvature of the run's scale (the text colour).
QColor flatCurvatureColor(bool dark);
/// Relative curvature below which an arm counts as flat (neither sign).
inline constexpr double kFlatCurvature = 1e-6;
/// Colour of the k-th symmetry generator (its ξ arrow and its curves in the Curvature dock).
QColor generatorColor(int k, bool dark);

/// Sizes of the cross, in pixels, and the curvature that gets the longest arm.
struct EigenCrossStyle {
    double px_per_unit = 100.0;    ///< pixels per data unit of the view
    double curvature_scale = 1.0;  ///< |λ| at which an arm reaches max_arm_px
    double min_arm_px = 34.0;      ///< half-length of an arm of zero curvature (clears the marker)
    double max_arm_px = 90.0;      ///< half-length of the sharpest arm
    double arrow_px = 70.0;        ///< length of a ξ arrow lying in the plane
    double arrow_offset_px = 9.0;  ///< the arrow runs beside the point, to the left of ξ
    bool dark = false;
};

/// One arm of the cross: the eigen-direction u (in the plane) and its curvature λ.
struct CrossArm {
    double ux = 0.0, uy = 0.0;
    double lambda = 0.0;
};

/// Eigen-decomposition of the Hessian block [[H_ii, H_ij], [H_ji, H_jj]] at q (λ ascending);
/// empty if H is not finite there or i == j.
std::vector<CrossArm> planeCurvature(const Loss& loss, VecRef q, int i, int j);

/// The largest |λ| of the plane's Hessian block over at most `samples` points of a trajectory
/// (the scale of the arms, so that lengths compare along the run); 1 if there is none.
double curvatureScale(const Loss& loss, const Trajectory& tr, int i, int j, int samples = 200);

/// The cross and the ξ(q) arrows at q as overlay segments in plane coordinates (x = q_i,
/// y = q_j): the first segments are the two arms, then three per generator (shaft, two heads);
/// the shaft starts arrow_offset_px to the left of q and runs along ξ(q).
std::vector<GlSegment> eigenCross(const Loss& loss, VecRef q, int i, int j,
                                  const EigenCrossStyle& style);

}  // namespace noether::gui

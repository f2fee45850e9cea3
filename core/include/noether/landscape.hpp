// The loss landscape on a plane and the symmetry orbits drawn on it (PHYSICS.md §0, table of
// symmetries; §5 for the losses). For an n-D loss the plane is a slice through a point, spanned
// by two coordinate axes; orbits are integral curves of xi(q) = A q + b through points of the
// slice, projected onto it (circles for rotation, rays for scale, lines for translation,
// hyperbolas for rescale).
#pragma once

#include <string>
#include <vector>

#include "noether/loss.hpp"
#include "noether/types.hpp"

namespace noether {

/// The plane through `through` spanned by coordinate axes i and j (i != j, both < n).
struct Slice {
    Vector through;  ///< a point of R^n on the plane (its other coordinates stay fixed)
    int i = 0;       ///< horizontal axis: coordinate q_{i+1}
    int j = 1;       ///< vertical axis: coordinate q_{j+1}
};

/// An axis-aligned rectangle in the plane of a slice: [x0, x1] x [y0, y1], x0 < x1, y0 < y1.
struct PlaneBox {
    double x0 = -1.0, x1 = 1.0, y0 = -1.0, y1 = 1.0;
};

/// The loss sampled at the centres of an nx x ny grid of cells over a box.
struct LossGrid {
    int nx = 0, ny = 0;
    PlaneBox box;
    std::vector<double> values;  ///< row-major, row 0 at y0; NaN where f is not finite
    double f_min = 0.0;          ///< smallest finite value (0 if none)
    double f_max = 0.0;          ///< largest finite value (0 if none)
    long finite = 0;             ///< number of finite values
};

/// Samples f on the slice over the box (nx, ny >= 2). Errors name the field.
Result<LossGrid> sample_loss(const Loss& loss, const Slice& slice, const PlaneBox& box, int nx,
                             int ny);

/// One orbit of a generator, projected on the slice.
struct OrbitPolyline {
    std::string generator;  ///< generator name
    std::vector<double> x;  ///< q_i along the orbit
    std::vector<double> y;  ///< q_j along the orbit
};

/// Orbits of every generator of the loss through about `count` seed points of the visible box,
/// integrated (RK4 on q' = A q + b) in both directions until they leave the box or close.
std::vector<OrbitPolyline> symmetry_orbits(const Loss& loss, const Slice& slice,
                                           const PlaneBox& box, int count = 7);

}  // namespace noether

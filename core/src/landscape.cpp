// The loss on a plane and the projected symmetry orbits (landscape.hpp).
#include "noether/landscape.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace noether {

namespace {

constexpr double kPi = 3.14159265358979323846;

Status check_slice(const Loss& loss, const Slice& s) {
    const int n = loss.dim();
    if (s.through.size() != n)
        return Error{"slice", "needs a point with " + std::to_string(n) + " coordinates"};
    if (s.i < 0 || s.j < 0 || s.i >= n || s.j >= n || (n > 1 && s.i == s.j))
        return Error{"slice", "axes must be two different coordinates below " + std::to_string(n)};
    return {};
}

// A "nice" step (1, 2 or 5 times a power of ten) close to x > 0.
double nice_step(double x) {
    const double p = std::pow(10.0, std::floor(std::log10(x)));
    const double f = x / p;
    return (f < 1.5 ? 1.0 : f < 3.5 ? 2.0 : f < 7.5 ? 5.0 : 10.0) * p;
}

// How the generator acts on the plane of the slice, when the plane is invariant.
enum class PlaneAction { Circles, Rays, Lines, Hyperbolas, General };

PlaneAction classify(const Generator& g, int i, int j) {
    const auto n = g.A.rows();
    const double tol = 1e-12 * std::max(1.0, g.A.cwiseAbs().maxCoeff());
    // The plane's velocity must depend on the plane's coordinates only.
    for (Eigen::Index c = 0; c < n; ++c) {
        if (c == i || c == j) continue;
        if (std::abs(g.A(i, c)) > tol || std::abs(g.A(j, c)) > tol) return PlaneAction::General;
    }
    const double aii = g.A(i, i), aij = g.A(i, j), aji = g.A(j, i), ajj = g.A(j, j);
    const double bi = g.b[i], bj = g.b[j];
    const bool no_b = std::abs(bi) <= tol && std::abs(bj) <= tol;
    const bool zero_a = std::abs(aii) <= tol && std::abs(aij) <= tol && std::abs(aji) <= tol &&
                        std::abs(ajj) <= tol;
    if (zero_a && !no_b) return PlaneAction::Lines;
    if (!no_b) return PlaneAction::General;
    const bool diag = std::abs(aij) <= tol && std::abs(aji) <= tol;
    if (std::abs(aii) <= tol && std::abs(ajj) <= tol && std::abs(aij + aji) <= tol &&
        std::abs(aij) > tol)
        return PlaneAction::Circles;
    if (diag && std::abs(aii - ajj) <= tol && std::abs(aii) > tol) return PlaneAction::Rays;
    if (diag && aii * ajj < 0 && std::abs(aii + ajj) <= tol) return PlaneAction::Hyperbolas;
    return PlaneAction::General;
}

// Integrates q' = A q + b from `seed` (n-D) in one direction, appending projected points.
// Stops when the orbit closes, stalls, or goes far outside the box.
void trace(const Generator& g, const Vector& seed, int i, int j, const PlaneBox& box,
           double direction, bool closed_orbit, std::vector<double>& xs, std::vector<double>& ys) {
    const double w = box.x1 - box.x0, h = box.y1 - box.y0, size = std::max(w, h);
    const double target = size / 240.0;  // projected length of one step
    const double far = 2.0 * size;
    Vector q = seed, k1, k2, k3, k4;
    auto field = [&g](const Vector& x) { return Vector(g.A * x + g.b); };
    double travelled = 0.0;
    for (int step = 0; step < 3000; ++step) {
        k1 = field(q);
        const double speed = std::hypot(k1[i], k1[j]);
        if (!(speed > 1e-300)) return;
        const double ds = direction * std::min(0.05, target / speed);
        k2 = field(q + 0.5 * ds * k1);
        k3 = field(q + 0.5 * ds * k2);
        k4 = field(q + ds * k3);
        const Vector next = q + (ds / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
        if (!next.allFinite()) return;
        const double dx = next[i] - q[i], dy = next[j] - q[j];
        const double len = std::hypot(dx, dy);
        q = next;
        xs.push_back(q[i]);
        ys.push_back(q[j]);
        travelled += len;
        if (len < 1e-5 * size) return;  // stalled at a fixed point (e.g. scale towards 0)
        if (q[i] < box.x0 - far || q[i] > box.x1 + far || q[j] < box.y0 - far ||
            q[j] > box.y1 + far)
            return;
        if (closed_orbit && travelled > 4.0 * target &&
            std::hypot(q[i] - seed[i], q[j] - seed[j]) < 0.75 * len + 1e-12) {
            xs.push_back(seed[i]);
            ys.push_back(seed[j]);
            return;
        }
    }
}

// One orbit through the seed: backward part reversed, the seed, then the forward part.
OrbitPolyline orbit_through(const Generator& g, const Vector& seed, int i, int j,
                            const PlaneBox& box, bool closed) {
    OrbitPolyline o;
    o.generator = g.name;
    std::vector<double> bx, by;
    if (!closed) trace(g, seed, i, j, box, -1.0, false, bx, by);
    o.x.assign(bx.rbegin(), bx.rend());
    o.y.assign(by.rbegin(), by.rend());
    o.x.push_back(seed[i]);
    o.y.push_back(seed[j]);
    trace(g, seed, i, j, box, 1.0, closed, o.x, o.y);
    return o;
}

}  // namespace

Result<LossGrid> sample_loss(const Loss& loss, const Slice& slice, const PlaneBox& box, int nx,
                             int ny) {
    if (auto s = check_slice(loss, slice); !s) return s.error();
    if (nx < 2 || ny < 2 || nx > 4096 || ny > 4096)
        return Error{"grid", "needs 2..4096 cells per side"};
    if (!(box.x1 > box.x0) || !(box.y1 > box.y0) || !std::isfinite(box.x0) ||
        !std::isfinite(box.x1) || !std::isfinite(box.y0) || !std::isfinite(box.y1))
        return Error{"box", "must be a finite rectangle with x0 < x1 and y0 < y1"};
    LossGrid grid;
    grid.nx = nx;
    grid.ny = ny;
    grid.box = box;
    grid.values.resize(static_cast<size_t>(nx) * ny);
    Vector q = slice.through;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    const double dx = (box.x1 - box.x0) / nx, dy = (box.y1 - box.y0) / ny;
    for (int r = 0; r < ny; ++r) {
        q[slice.j] = box.y0 + (r + 0.5) * dy;
        for (int c = 0; c < nx; ++c) {
            q[slice.i] = box.x0 + (c + 0.5) * dx;
            const double f = loss.value(q);
            if (std::isfinite(f)) {
                lo = std::min(lo, f);
                hi = std::max(hi, f);
                ++grid.finite;
                grid.values[static_cast<size_t>(r) * nx + c] = f;
            } else {
                grid.values[static_cast<size_t>(r) * nx + c] =
                    std::numeric_limits<double>::quiet_NaN();
            }
        }
    }
    if (grid.finite > 0) {
        grid.f_min = lo;
        grid.f_max = hi;
    }
    return grid;
}

std::vector<OrbitPolyline> symmetry_orbits(const Loss& loss, const Slice& slice,
                                           const PlaneBox& box, int count) {
    std::vector<OrbitPolyline> out;
    if (!check_slice(loss, slice) || count < 1 || !(box.x1 > box.x0) || !(box.y1 > box.y0))
        return out;
    const int i = slice.i, j = slice.j;
    const double cx = 0.5 * (box.x0 + box.x1), cy = 0.5 * (box.y0 + box.y1);
    const double w = box.x1 - box.x0, h = box.y1 - box.y0;
    const double half_diag = 0.5 * std::hypot(w, h);
    auto at = [&slice, i, j](double x, double y) {
        Vector p = slice.through;
        p[i] = x;
        p[j] = y;
        return p;
    };
    for (const Generator& g : loss.generators()) {
        switch (classify(g, i, j)) {
            case PlaneAction::Circles: {
                // Circles about the origin at nice radii that cross the box.
                const double dmin =
                    std::hypot(std::max({box.x0, 0.0, -box.x1}), std::max({box.y0, 0.0, -box.y1}));
                const double dmax = std::hypot(std::max(std::abs(box.x0), std::abs(box.x1)),
                                               std::max(std::abs(box.y0), std::abs(box.y1)));
                const double step = nice_step((dmax - dmin) / count);
                double ux = cx, uy = cy;
                const double un = std::hypot(ux, uy);
                if (un < 1e-12 * (1.0 + half_diag)) {
                    ux = 1.0;
                    uy = 0.0;
                } else {
                    ux /= un;
                    uy /= un;
                }
                for (double r = std::ceil(dmin / step) * step; r <= dmax; r += step)
                    if (r > 0.0)
                        out.push_back(orbit_through(g, at(r * ux, r * uy), i, j, box, true));
                break;
            }
            case PlaneAction::Rays: {
                // Rays from the origin every 30 degrees, seeded at the box's distance.
                const int rays = 12;
                const double rad = std::max(std::hypot(cx, cy), 0.25 * half_diag);
                for (int k = 0; k < rays; ++k) {
                    const double a = 2.0 * kPi * k / rays;
                    out.push_back(orbit_through(g, at(rad * std::cos(a), rad * std::sin(a)), i, j,
                                                box, false));
                }
                break;
            }
            case PlaneAction::Lines: {
                // Parallel lines, seeded along the perpendicular through the box centre.
                const double bx = g.b[i], by = g.b[j], bn = std::hypot(bx, by);
                const double px = -by / bn, py = bx / bn;
                const double step = nice_step(2.0 * half_diag / (2 * count));
                // Offsets on a grid fixed in the plane (so lines stay put while panning).
                const double c0 = cx * px + cy * py;
                for (double s = std::floor((c0 - half_diag) / step) * step; s <= c0 + half_diag;
                     s += step) {
                    const double t = cx * bx / bn + cy * by / bn;  // along the line
                    out.push_back(orbit_through(g, at(s * px + t * bx / bn, s * py + t * by / bn),
                                                i, j, box, false));
                }
                break;
            }
            case PlaneAction::Hyperbolas: {
                // q_i q_j = c for nice values of c, in every quadrant, and the two axes.
                const double ext = std::max(
                    {std::abs(box.x0), std::abs(box.x1), std::abs(box.y0), std::abs(box.y1)});
                const double step = nice_step(ext * ext / (2.0 * count));
                for (int k = 1; k <= count; ++k) {
                    const double t = std::sqrt(k * step);
                    for (const auto& [sx, sy] :
                         {std::pair{1.0, 1.0}, {1.0, -1.0}, {-1.0, 1.0}, {-1.0, -1.0}})
                        out.push_back(orbit_through(g, at(sx * t, sy * t), i, j, box, false));
                }
                for (const auto& [x, y] : {std::pair{0.5 * ext, 0.0},
                                           {-0.5 * ext, 0.0},
                                           {0.0, 0.5 * ext},
                                           {0.0, -0.5 * ext}})
                    out.push_back(orbit_through(g, at(x, y), i, j, box, false));
                break;
            }
            case PlaneAction::General: {
                // Seeds along the line through the centre perpendicular to the projected xi.
                Vector c = at(cx, cy);
                Vector xi = g.xi(c);
                double vx = xi[i], vy = xi[j];
                if (std::hypot(vx, vy) < 1e-12) {
                    c = at(cx + 0.31 * w, cy + 0.17 * h);
                    xi = g.xi(c);
                    vx = xi[i];
                    vy = xi[j];
                }
                const double vn = std::hypot(vx, vy);
                if (!(vn > 1e-12)) break;
                const double px = -vy / vn, py = vx / vn;
                for (int k = -count; k <= count; ++k) {
                    const double s = half_diag * k / (count + 0.5);
                    const double x = c[i] + s * px, y = c[j] + s * py;
                    if (x < box.x0 || x > box.x1 || y < box.y0 || y > box.y1) continue;
                    out.push_back(orbit_through(g, at(x, y), i, j, box, false));
                }
                break;
            }
        }
    }
    return out;
}

}  // namespace noether

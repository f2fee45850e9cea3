#include "gui/geometry/eigen_cross.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>

#include "gui/views/style.hpp"

namespace noether::gui {

QColor positiveCurvatureColor(bool dark) {
    return dark ? okabe_ito::kSkyBlue : okabe_ito::kBlue;
}

QColor negativeCurvatureColor(bool) {
    return okabe_ito::kVermillion;
}

QColor flatCurvatureColor(bool dark) {
    return dark ? QColor(235, 235, 235) : QColor(30, 30, 30);
}

QColor generatorColor(int k, bool dark) {
    const QColor light[] = {okabe_ito::kOrange, okabe_ito::kReddishPurple, okabe_ito::kBluishGreen,
                            okabe_ito::kSkyBlue, QColor(110, 110, 110)};
    const QColor on_dark[] = {okabe_ito::kOrange, okabe_ito::kReddishPurple, okabe_ito::kYellow,
                              okabe_ito::kSkyBlue, QColor(190, 190, 190)};
    const int i = std::clamp(k, 0, 4);
    return dark ? on_dark[i] : light[i];
}

std::vector<CrossArm> planeCurvature(const Loss& loss, VecRef q, int i, int j) {
    const int n = loss.dim();
    if (i == j || i < 0 || j < 0 || i >= n || j >= n || q.size() != n || !q.allFinite()) return {};
    const Matrix H = loss.hessian(q);
    Eigen::Matrix2d B;
    B << H(i, i), 0.5 * (H(i, j) + H(j, i)), 0.5 * (H(i, j) + H(j, i)), H(j, j);
    if (!B.allFinite()) return {};
    const Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> es(B);
    std::vector<CrossArm> arms;
    for (int k = 0; k < 2; ++k)
        arms.push_back({es.eigenvectors()(0, k), es.eigenvectors()(1, k), es.eigenvalues()[k]});
    return arms;
}

double curvatureScale(const Loss& loss, const Trajectory& tr, int i, int j, int samples) {
    const long total = tr.samples();
    double scale = 0.0;
    const long m = std::min<long>(total, std::max(samples, 2));
    for (long k = 0; k < m; ++k) {
        const long s = m > 1 ? k * (total - 1) / (m - 1) : 0;
        for (const CrossArm& a : planeCurvature(loss, tr.q.col(s), i, j))
            if (std::isfinite(a.lambda)) scale = std::max(scale, std::abs(a.lambda));
    }
    return scale > 0.0 ? scale : 1.0;
}

std::vector<GlSegment> eigenCross(const Loss& loss, VecRef q, int i, int j,
                                  const EigenCrossStyle& st) {
    std::vector<GlSegment> out;
    if (!(st.px_per_unit > 0.0)) return out;
    const QPointF c(q.size() > std::max(i, j) ? q[i] : 0.0, q.size() > std::max(i, j) ? q[j] : 0.0);
    const double unit = 1.0 / st.px_per_unit;  // data units per pixel
    // The arms: half-length grows linearly with |λ| up to the run's largest curvature.
    for (const CrossArm& a : planeCurvature(loss, q, i, j)) {
        const double f =
            std::clamp(std::abs(a.lambda) / std::max(st.curvature_scale, 1e-300), 0.0, 1.0);
        const double half = (st.min_arm_px + (st.max_arm_px - st.min_arm_px) * f) * unit;
        const QPointF d(a.ux * half, a.uy * half);
        const QColor col = std::abs(a.lambda) <= kFlatCurvature * st.curvature_scale
                               ? flatCurvatureColor(st.dark)
                           : a.lambda > 0.0 ? positiveCurvatureColor(st.dark)
                                            : negativeCurvatureColor(st.dark);
        out.push_back({c - d, c + d, col, 4.0f});
    }
    if (out.empty()) return out;
    // The generators' ξ(q), projected on the plane: an arrow from the point.
    int k = 0;
    for (const Generator& g : loss.generators()) {
        const QColor col = generatorColor(k++, st.dark);
        const Vector xi = g.xi(q);
        const double full = xi.norm();
        const double px = xi[i], py = xi[j], plane = std::hypot(px, py);
        if (!(full > 0.0) || !std::isfinite(full) || plane < 0.05 * full) continue;
        const double len = st.arrow_px * plane / full * unit, head = 14.0 * unit;
        const double ux = px / plane, uy = py / plane;
        // Beside the cross: shifted to the left of ξ, so that an arm along ξ (the flat
        // direction of an orbit) stays visible.
        const double side = st.arrow_offset_px * unit;
        const QPointF from(c.x() - side * uy, c.y() + side * ux);
        const QPointF tip(from.x() + len * ux, from.y() + len * uy);
        out.push_back({from, tip, col, 3.0f});
        for (double s : {0.45, -0.45}) {
            const double cs = std::cos(s), sn = std::sin(s);
            const QPointF back(-(ux * cs - uy * sn) * head, -(ux * sn + uy * cs) * head);
            out.push_back({tip, tip + back, col, 3.0f});
        }
    }
    return out;
}

}  // namespace noether::gui

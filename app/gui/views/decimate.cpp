#include "gui/views/decimate.hpp"

#include <algorithm>
#include <cmath>

namespace noether::gui {

AxisMap::AxisMap(double lo_, double hi_, bool log_, int pixels_)
    : lo(lo_), hi(hi_), log(log_), pixels(pixels_) {
    if (log) {
        a_ = std::log10(lo);
        b_ = std::log10(hi);
        const double span = b_ - a_;
        band_lo_ = std::pow(10.0, a_ - span);
        band_hi_ = std::pow(10.0, b_ + span);
    } else {
        const double span = hi - lo;
        band_lo_ = lo - span;
        band_hi_ = hi + span;
    }
}

double AxisMap::fromPixel(double px) const {
    const double f = px / pixels;
    if (log) return std::pow(10.0, a_ + f * (b_ - a_));
    return lo + f * (hi - lo);
}

void ColumnEnvelope::build(const double* y, long n, double x0, double dx, const AxisMap& xmap,
                           bool positive) {
    cols_.clear();
    y_ = y;
    x0_ = x0;
    dx_ = dx;
    if (n <= 0 || !(xmap.hi > xmap.lo) || xmap.pixels <= 0 || !(dx > 0)) return;
    // Sample index at the left edge of column c (x is linear in the index): a few logs per
    // column instead of one per sample.
    auto firstIndex = [&](int c) {
        const double x = xmap.fromPixel(static_cast<double>(c));
        return std::clamp<long>(static_cast<long>(std::ceil((x - x0) / dx - 1e-9)), 0, n);
    };
    auto good = [positive](double v) { return std::isfinite(v) && (!positive || v > 0.0); };
    cols_.reserve(static_cast<size_t>(xmap.pixels));
    long begin = firstIndex(0);
    for (int c = 0; c < xmap.pixels && begin < n; ++c) {
        const long end =
            c + 1 == xmap.pixels ? std::min<long>(n, firstIndex(c + 1) + 1) : firstIndex(c + 1);
        long i = begin;
        while (i < end && !good(y[i]))
            ++i;
        begin = std::max(begin, end);
        if (i >= end) continue;
        Column col{i, i, i, i};
        double lo = y[i], hi = y[i];
        for (++i; i < end; ++i) {
            const double v = y[i];
            if (!good(v)) continue;
            if (v < lo) {
                lo = v;
                col.min = i;
            }
            if (v > hi) {
                hi = v;
                col.max = i;
            }
            col.last = i;
        }
        cols_.push_back(col);
    }
}

bool ColumnEnvelope::range(double& lo, double& hi) const {
    if (cols_.empty()) return false;
    lo = y_[cols_.front().min];
    hi = y_[cols_.front().max];
    for (const Column& c : cols_) {
        lo = std::min(lo, y_[c.min]);
        hi = std::max(hi, y_[c.max]);
    }
    return true;
}

void ColumnEnvelope::points(const AxisMap& ymap, QList<QPointF>& out) const {
    if (cols_.empty()) return;
    auto point = [&](long i) {
        return QPointF(x0_ + static_cast<double>(i) * dx_, ymap.clampValue(y_[i]));
    };
    for (const Column& c : cols_) {
        // Comparisons on raw values (the maps are monotonic); pixels only for the span.
        const double span = std::abs(ymap.toPixel(y_[c.max]) - ymap.toPixel(y_[c.min]));
        if (span < 1.0) {
            out.append(point(c.first));
        } else if (c.min < c.max) {
            out.append(point(c.min));
            out.append(point(c.max));
        } else {
            out.append(point(c.max));
            out.append(point(c.min));
        }
    }
    // End exactly on the last finite sample drawn.
    const QPointF e = point(cols_.back().last);
    if (out.isEmpty() || out.back() != e) out.append(e);
}

void decimateColumns(const double* y, long n, double x0, double dx, const AxisMap& xmap,
                     const AxisMap& ymap, QList<QPointF>& out) {
    ColumnEnvelope env;
    env.build(y, n, x0, dx, xmap, ymap.log);
    env.points(ymap, out);
}

void simplifyPolyline(QList<QPointF>& pts, const AxisMap& xmap, const AxisMap& ymap,
                      double tol_px) {
    const qsizetype n = pts.size();
    if (n < 3) return;
    std::vector<double> px(n), py(n);
    for (qsizetype i = 0; i < n; ++i) {
        px[i] = xmap.toPixel(pts[i].x());
        py[i] = ymap.toPixel(pts[i].y());
    }
    // Squared distance of point i from the segment a-b, in pixels.
    auto dist2 = [&](qsizetype i, qsizetype a, qsizetype b) {
        const double ux = px[b] - px[a], uy = py[b] - py[a], len2 = ux * ux + uy * uy;
        const double wx = px[i] - px[a], wy = py[i] - py[a];
        // The segment, not the infinite line: a turn back is kept.
        const double t = len2 > 0.0 ? std::clamp((wx * ux + wy * uy) / len2, 0.0, 1.0) : 0.0;
        const double ex = wx - t * ux, ey = wy - t * uy;
        return ex * ex + ey * ey;
    };
    // Greedy: from the last point kept, reach as far as a chord of at most kReach points stays
    // within the tolerance of every point it skips. Linear in n (oscillations end each chord at
    // once, smooth stretches are capped), where Douglas–Peucker is quadratic on oscillations.
    constexpr qsizetype kReach = 48;
    const double tol2 = tol_px * tol_px;
    qsizetype w = 1, a = 0;
    while (a < n - 1) {
        qsizetype b = a + 1;
        while (b + 1 < n && b + 1 - a <= kReach) {
            bool fits = true;
            for (qsizetype i = a + 1; i <= b && fits; ++i)
                fits = dist2(i, a, b + 1) <= tol2;
            if (!fits) break;
            ++b;
        }
        pts[w++] = pts[b];
        a = b;
    }
    pts.resize(w);
}

void decimatePath(const double* x, const double* y, long n, const AxisMap& xmap,
                  const AxisMap& ymap, double min_px, QList<QPointF>& out) {
    double px = 0.0, py = 0.0;
    bool have = false;
    long last_finite = -1;
    bool last_appended = false;
    for (long i = 0; i < n; ++i) {
        if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
        if ((xmap.log && !(x[i] > 0)) || (ymap.log && !(y[i] > 0))) continue;
        const double qx = xmap.toPixel(x[i]), qy = ymap.toPixel(y[i]);
        last_finite = i;
        if (have && std::abs(qx - px) < min_px && std::abs(qy - py) < min_px) {
            last_appended = false;
            continue;
        }
        out.append(QPointF(xmap.clampValue(x[i]), ymap.clampValue(y[i])));
        px = qx;
        py = qy;
        have = true;
        last_appended = true;
    }
    if (last_finite >= 0 && !last_appended)
        out.append(QPointF(xmap.clampValue(x[last_finite]), ymap.clampValue(y[last_finite])));
}

bool finiteRange(const double* y, long n, bool positive, double& lo, double& hi) {
    // Branch-free selects (the compiler vectorises them): NaN fails every comparison, and
    // |v| < inf excludes the infinities.
    double a = INFINITY, b = -INFINITY;
    const double floor = positive ? 0.0 : -INFINITY;
    for (long i = 0; i < n; ++i) {
        const double v = y[i];
        const bool ok = std::abs(v) < INFINITY && v > floor;
        a = ok && v < a ? v : a;
        b = ok && v > b ? v : b;
    }
    if (!(a <= b)) return false;
    lo = a;
    hi = b;
    return true;
}

}  // namespace noether::gui

#include "gui/views/decimate.hpp"

#include <algorithm>
#include <cmath>

namespace noether::gui {

double AxisMap::toPixel(double v) const {
    if (log) {
        const double a = std::log10(lo), b = std::log10(hi);
        return (std::log10(std::max(v, 1e-300)) - a) / (b - a) * pixels;
    }
    return (v - lo) / (hi - lo) * pixels;
}

double AxisMap::clampValue(double v) const {
    if (log) {
        const double a = std::log10(lo), b = std::log10(hi), span = b - a;
        const double lv = std::log10(std::max(v, 1e-300));
        return std::pow(10.0, std::clamp(lv, a - span, b + span));
    }
    const double span = hi - lo;
    return std::clamp(v, lo - span, hi + span);
}

double AxisMap::fromPixel(double px) const {
    const double f = px / pixels;
    if (log) {
        const double a = std::log10(lo), b = std::log10(hi);
        return std::pow(10.0, a + f * (b - a));
    }
    return lo + f * (hi - lo);
}

void decimateColumns(const double* y, long n, double x0, double dx, const AxisMap& xmap,
                     const AxisMap& ymap, QList<QPointF>& out) {
    if (n <= 0 || !(xmap.hi > xmap.lo) || xmap.pixels <= 0 || !(dx > 0)) return;
    // Sample index at the left edge of column c (x is linear in the index): a few logs per
    // column instead of one per sample.
    auto firstIndex = [&](int c) {
        const double x = xmap.fromPixel(static_cast<double>(c));
        return std::clamp<long>(static_cast<long>(std::ceil((x - x0) / dx - 1e-9)), 0, n);
    };
    auto point = [&](long i) {
        return QPointF(x0 + static_cast<double>(i) * dx, ymap.clampValue(y[i]));
    };
    const bool positive = ymap.log;
    long i_last_kept = -1;
    long begin = firstIndex(0);
    for (int c = 0; c < xmap.pixels && begin < n; ++c) {
        const long end =
            c + 1 == xmap.pixels ? std::min<long>(n, firstIndex(c + 1) + 1) : firstIndex(c + 1);
        long i_first = -1, i_min = -1, i_max = -1;
        for (long i = begin; i < end; ++i) {
            const double v = y[i];
            if (!std::isfinite(v) || (positive && !(v > 0.0))) continue;
            if (i_first < 0) {
                i_first = i_min = i_max = i;
                continue;
            }
            if (v < y[i_min]) i_min = i;
            if (v > y[i_max]) i_max = i;
        }
        begin = std::max(begin, end);
        if (i_first < 0) continue;
        // Comparisons on raw values (the maps are monotonic); pixels only for the span.
        const double span = std::abs(ymap.toPixel(y[i_max]) - ymap.toPixel(y[i_min]));
        if (span < 1.0) {
            out.append(point(i_first));
        } else if (i_min < i_max) {
            out.append(point(i_min));
            out.append(point(i_max));
        } else {
            out.append(point(i_max));
            out.append(point(i_min));
        }
        i_last_kept = std::max({i_first, i_min, i_max});
        // The last finite sample of the column ends the column exactly.
        for (long i = end - 1; i > i_last_kept; --i)
            if (std::isfinite(y[i]) && (!positive || y[i] > 0.0)) {
                i_last_kept = i;
                break;
            }
    }
    // End exactly on the last finite sample drawn.
    if (i_last_kept >= 0) {
        const QPointF e = point(i_last_kept);
        if (out.isEmpty() || out.back() != e) out.append(e);
    }
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
    bool any = false;
    for (long i = 0; i < n; ++i) {
        const double v = y[i];
        if (!std::isfinite(v) || (positive && !(v > 0.0))) continue;
        if (!any) {
            lo = hi = v;
            any = true;
        } else {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    }
    return any;
}

}  // namespace noether::gui

// Decimation of long series to the resolution of the screen (ARCHITECTURE.md rule 5): charts
// get at most one or two points per pixel column (min and max, so the envelope of an
// oscillation survives), paths drop points closer than a pixel to the last one kept. Non-finite
// values never leave these functions.
#pragma once

#include <QList>
#include <QPointF>
#include <algorithm>
#include <cmath>
#include <vector>

namespace noether::gui {

/// A linear or logarithmic axis mapped onto `pixels` pixels. The logarithms of the ends are
/// taken once, at construction: the maps run per point of every series.
struct AxisMap {
    AxisMap() : AxisMap(0.0, 1.0, false, 500) {}
    AxisMap(double lo, double hi, bool log, int pixels);

    double lo, hi;
    bool log;
    int pixels;

    /// Position of a value in pixels from the low end (log axes: v > 0).
    double toPixel(double v) const {
        if (log) return (std::log10(std::max(v, 1e-300)) - a_) / (b_ - a_) * pixels;
        return (v - lo) / (hi - lo) * pixels;
    }
    /// The value at a pixel position (inverse of toPixel).
    double fromPixel(double px) const;
    /// Clamps a value to a band of one axis length around the axis (keeps QPainter sane); values
    /// inside the band are returned unchanged.
    double clampValue(double v) const {
        return std::clamp(log ? std::max(v, 1e-300) : v, band_lo_, band_hi_);
    }

  private:
    double a_ = 0.0, b_ = 1.0;  ///< log10 of the ends (log axes)
    double band_lo_ = -1.0, band_hi_ = 2.0;
};

/// The envelope of a series y_i at x_i = x0 + i dx over the pixel columns of an x axis: per
/// column its first, smallest, largest and last finite sample (log axes: positive ones only).
/// One pass over the samples gives both what an axis range needs and the decimated points.
class ColumnEnvelope {
  public:
    /// Scans y[0, n) (the pointer is kept until the next build; y must outlive points()).
    void build(const double* y, long n, double x0, double dx, const AxisMap& xmap, bool positive);
    /// Finite min/max of the samples scanned (those inside the x axis); false if none.
    bool range(double& lo, double& hi) const;
    /// Min/max per column (one point where the column spans less than a pixel of ymap), ending
    /// exactly on the last sample; appends to out.
    void points(const AxisMap& ymap, QList<QPointF>& out) const;

  private:
    struct Column {
        long first, min, max, last;
    };
    std::vector<Column> cols_;
    const double* y_ = nullptr;
    double x0_ = 0.0, dx_ = 1.0;
};

/// y_i at x_i = x0 + i dx, decimated to min/max per pixel column of xmap; appends to out.
void decimateColumns(const double* y, long n, double x0, double dx, const AxisMap& xmap,
                     const AxisMap& ymap, QList<QPointF>& out);

/// A path (x_i, y_i): keeps a point when it is at least `min_px` pixels from the last kept one.
void decimatePath(const double* x, const double* y, long n, const AxisMap& xmap,
                  const AxisMap& ymap, double min_px, QList<QPointF>& out);

/// Drops the points of a polyline that lie within `tol_px` pixels of the chord between the points
/// kept on either side (greedy, in screen space). The first and last points stay. A chart
/// strokes and paints every point it gets, so smooth stretches cost a handful instead of hundreds.
void simplifyPolyline(QList<QPointF>& pts, const AxisMap& xmap, const AxisMap& ymap,
                      double tol_px = 0.25);

/// Finite min/max of y (positive values only if `positive`); false if there is none.
bool finiteRange(const double* y, long n, bool positive, double& lo, double& hi);

}  // namespace noether::gui

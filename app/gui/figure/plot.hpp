// A small vector plotter for figures: axes with nice ticks (linear, or decades on a log axis),
// a title, a legend that wraps, line series decimated to the output resolution (min/max per
// column keeps the envelope), markers, a vertical time marker and vector-field arrows. It draws
// with QPainter in point units, so the same code writes PNG, SVG and PDF.
#pragma once

#include <QColor>
#include <QPainter>
#include <QPainterPath>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <cmath>
#include <functional>
#include <vector>

#include "gui/figure/figure_style.hpp"
#include "noether/phase.hpp"

namespace noether::figure {

/// One axis.
struct PlotAxis {
    double lo = 0.0, hi = 1.0;
    bool log = false;
    QString title;
    bool visible = true;
    int ticks = 5;                    ///< linear axes: number of tick marks
    std::vector<double> tick_values;  ///< explicit ticks (then `ticks` is ignored)
};

/// A line series in data coordinates (NaN breaks the line).
struct PlotLine {
    std::vector<QPointF> pts;
    QColor color;
    double width = 1.0;  ///< points
    Qt::PenStyle style = Qt::SolidLine;
    QString legend;     ///< empty: not in the legend
    int y_axis = 0;     ///< 0 left, 1 right
    bool halo = false;  ///< a background-coloured outline under the line
};

/// A filled marker (current time).
struct PlotMarker {
    QPointF at;
    QColor color;
    int y_axis = 0;
};

/// One legend entry (legends are drawn in rows that wrap).
struct LegendEntry {
    enum Kind { Line, Dot, Ring, Arrow, ColourBar } kind = Line;
    QString text;
    QColor color;
    double width = 1.0;
    Qt::PenStyle style = Qt::SolidLine;
    // Colour bar only:
    std::vector<QColor> ramp;
    QString lo, hi;
};
/// Everything one plot draws.
struct PlotSpec {
    QString title;
    PlotAxis x, y, y2;
    bool has_y2 = false;
    std::vector<PlotLine> lines;
    std::vector<PlotMarker> markers;
    std::vector<PhaseArrow> arrows;   ///< vector field (left axis)
    double now_x = NAN;               ///< vertical time marker
    QString message;                  ///< shown in the middle when there is nothing to plot
    std::vector<LegendEntry> legend;  ///< entries after those of the named lines
    bool grid = true;                 ///< faint grid lines at the ticks
    /// Drawn first inside the (clipped) plot area, e.g. a heatmap.
    std::function<void(QPainter&, const QRectF& area)> underlay;
};

/// A nice linear range around [lo, hi] (5 % padding) with its tick count.
PlotAxis niceLinear(double lo, double hi, const QString& title);

/// A "nice" linear range around [lo, hi] (5 % padding, ends on multiples of a 1-2-5 step,
/// round-off around 0 taken as 0, a constant series given a small band): what niceLinear and the
/// screen's chart axes (gui::RangeKeeper) both use.
struct NiceRange {
    double lo = 0.0, hi = 1.0, step = 0.25;
    int ticks = 5;  ///< number of tick marks, clamped to [2, 11]
};
NiceRange niceRange(double lo, double hi);
/// Whole decades around [lo, hi] (lo > 0).
PlotAxis niceLog(double lo, double hi, const QString& title);
/// Finite (and positive if `positive`) range of values; false if none.
bool finiteRange(const std::vector<double>& v, long n, bool positive, double& lo, double& hi);

/// y_i at x_i = i (i < n), decimated to about `columns` columns over [x0, x1] (min/max per
/// column); non-finite values break the line. `log_time`: at x_i = i + 1, columns equally wide
/// in log x over [1, x1 + 1] (the screen's log time axis).
std::vector<QPointF> decimatedSeries(const double* y, long n, double x0, double x1, int columns,
                                     bool log_time = false);
/// A path (x_i, y_i), dropping points closer than `min_frac` of the box to the last kept one.
std::vector<QPointF> decimatedPath(const double* x, const double* y, long n, double xspan,
                                   double yspan, double min_frac);

/// Ticks at nice values inside [lo, hi], about `count` of them.
std::vector<double> niceTicks(double lo, double hi, int count);
/// The plot area (inside axes, title and legend) a spec gets in `rect`.
QRectF plotArea(QPainter& p, const QRectF& rect, const PlotSpec& spec, const Fonts& fonts);
/// Draws a plot into `rect` (points).
void paintPlot(QPainter& p, const QRectF& rect, const PlotSpec& spec, const Fonts& fonts);

/// Lays out and (if `draw`) draws legend entries from the top-left of `rect`; returns height.
double paintLegend(QPainter& p, const QRectF& rect, const std::vector<LegendEntry>& entries,
                   const Fonts& fonts, bool draw = true);

/// A polyline (points in output coordinates, NaN breaks it) clipped to a rectangle: the path
/// of its visible pieces. Clipping is done here, not by the painter, because SVG output
/// ignores QPainter's clip.
QPainterPath clippedPath(const std::vector<QPointF>& pts, const QRectF& clip);

/// Formats a tick value ("0.25", "1e+03" becomes "10³") with up to `digits` significant digits.
QString tickLabel(double v, bool log, int digits = 6);
/// Text with an ellipsis if wider than `width` points.
QString elided(const QString& text, const QFont& font, const QPaintDevice* device, double width);

}  // namespace noether::figure

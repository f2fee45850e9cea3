// The landscape drawn without OpenGL (the CPU path of the headless renderer and of exports):
// the loss grid from noether::sample_loss coloured with the screen's colour map and log/linear
// rule (shaders/landscape.frag, gui/views/colormaps.hpp), isolines by marching squares at the
// shader's levels (vector paths), the symmetry orbits, ghost runs, every model's trajectory
// with a halo, the start point, the kick, the current-time markers, a legend and a colour bar.
#pragma once

#include <QImage>
#include <QPainterPath>
#include <QPolygonF>
#include <string>
#include <vector>

#include "gui/figure/figure_data.hpp"
#include "gui/figure/plot.hpp"

namespace noether::figure {

/// The colour-mapped grid and isolines of one box (kept between animation frames).
struct LandscapeLayer {
    std::string key;                ///< what it was computed for
    QImage heat;                    ///< row 0 at the top of the box
    QPainterPath isolines;          ///< data coordinates
    std::vector<QPolygonF> orbits;  ///< data coordinates
    double lo = 0.0, hi = 1.0;      ///< colour scale
};

/// Draws the landscape view; caches its grid for the next frame of the same box.
class LandscapeFigure {
  public:
    /// Paints the landscape (title, legend, axes, map) into `rect` (points).
    void paint(QPainter& p, const QRectF& rect, const FigureData& data, const FigureOptions& opt,
               const Fonts& fonts);

    /// The box of the plane shown: view.landscape ranges, else one that fits the trajectories.
    static PlaneBox dataBox(const FigureData& data);
    /// The colour of a value scaled to [0, 1] in a colour map (0 viridis, 1 cividis).
    static QColor colormap(double t, int which);
    /// The scaled value of f on the screen's rule: linear, or log with floor 1e-3 of the span.
    static double scaled(double f, double lo, double hi, bool log);
    /// The slice through the current point (or the start).
    static Slice slice(const FigureData& data, long time_index);

  private:
    void updateLayer(const FigureData& data, const Slice& s, const PlaneBox& box, int nx, int ny,
                     const Theme& theme);
    LandscapeLayer layer_;
};

}  // namespace noether::figure

// RegimeMapWidget: draws one RegimeMap with QPainter. The cells are a raster (one colour per
// cell, nearest-neighbour to the screen's pixels, diverged cells hatched), the rest is vector:
// axes with log or linear ticks, the theory overlays as labelled curves, a colour bar with the
// metric's name and units, a legend, the current scene's marker and the hovered cell. The same
// render() paints the screen, the PNG and the SVG export. Hovering reports a read-out; a click
// on a cell asks to open it.
#pragma once

#include <QImage>
#include <QWidget>
#include <memory>
#include <optional>

#include "gui/regime/regime_map.hpp"

namespace noether::gui {

/// The heatmap of a regime map with its overlays.
class RegimeMapWidget : public QWidget {
    Q_OBJECT
  public:
    explicit RegimeMapWidget(QWidget* parent = nullptr);

    /// Shows a map (null: shows the message instead).
    void setMap(std::shared_ptr<const RegimeMap> map);
    std::shared_ptr<const RegimeMap> map() const { return map_; }
    /// Colour the metric on a log scale.
    void setLogColour(bool on);
    bool logColour() const { return log_colour_; }
    /// The scene on screen in the other views (drawn as a marker when inside the axes).
    void setCurrentScene(const Scene& scene);
    /// Text shown when there is no map, or above it while computing ("16 × 16 preview", ...).
    void setMessage(const QString& text);
    /// Re-colours for a light or dark palette.
    void applyTheme(bool dark);

    /// The plot area (cells) in widget coordinates.
    QRectF plotRect() const;
    /// The cell under a widget point, or nullopt outside the cells.
    std::optional<std::pair<long, long>> cellAt(const QPointF& p) const;
    /// Centre of cell (ix, iy) in widget coordinates.
    QPointF cellCenter(long ix, long iy) const;
    /// One line about a cell: its hyperparameters and the metric, or where it diverged.
    QString readout(long ix, long iy) const;
    /// The colour scale in use (fitted to the map's finite values).
    ColourScale colourScale() const { return scale_; }
    /// The cells as an image, one pixel per cell, highest y on top (tests, CSV preview).
    QImage cellImage() const { return cells_; }

    /// Paints the whole figure into a painter over `size` logical pixels at `dpr` (screen: the
    /// widget's ratio; PNG: 2; SVG: the cell raster's resolution).
    void render(QPainter& p, const QSizeF& size, double dpr);

    /// Writes the figure as PNG at twice the widget's size (atomic); returns an error or empty.
    QString exportPng(const QString& path);
    /// Writes the figure as SVG (atomic); returns an error or empty.
    QString exportSvg(const QString& path);
    /// Writes the map as CSV, the CLI sweep's columns (atomic); returns an error or empty.
    QString exportCsv(const QString& path);
    /// Asks for a file name and exports (PNG, SVG or CSV by `kind`).
    void exportWithDialog(const QString& kind);

  signals:
    /// A click on cell (ix, iy) of the map on screen.
    void cellActivated(long ix, long iy);
    /// The read-out of the hovered cell (empty when leaving the cells).
    void hovered(const QString& text);

  protected:
    void paintEvent(QPaintEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void leaveEvent(QEvent* e) override;
    void contextMenuEvent(QContextMenuEvent* e) override;

  private:
    struct Layout;
    struct LegendItem;
    Layout layoutFor(const QSizeF& size) const;
    std::vector<LegendItem> legendItems() const;
    void rebuildColours();
    QImage cellRaster(const QSize& pixels, double dpr);
    QRgb cellColour(long ix, long iy) const;

    std::shared_ptr<const RegimeMap> map_;
    bool log_colour_ = true;
    bool dark_ = false;
    std::optional<Scene> scene_;
    QString message_;
    ColourScale scale_;
    QImage cells_;       // one pixel per cell (no hatching)
    QImage raster_;      // cells at screen resolution, hatched
    QSize raster_size_;  // device pixels of raster_
    bool raster_dirty_ = true;
    std::optional<std::pair<long, long>> hover_;
    QPointF press_;
    bool pressed_ = false;
};

}  // namespace noether::gui

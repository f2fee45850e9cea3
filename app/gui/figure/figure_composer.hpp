// The figure composer: draws any view of a run — the landscape, the Noether charges, the phase
// portrait, the loss / effective learning rate — or the whole window as one composed figure
// (title, equation, every panel of the scene's view), onto any QPaintDevice: a QImage (PNG at a
// chosen DPI), a QSvgGenerator (true vector SVG) or a QPdfWriter (vector PDF with embedded
// fonts). The GUI's exports and `noetherlab-cli render` both use it (ARCHITECTURE.md rule 7).
#pragma once

#include <QByteArray>
#include <QImage>
#include <QPainter>
#include <QSizeF>

#include "gui/figure/figure_data.hpp"
#include "gui/figure/landscape_figure.hpp"

namespace noether::figure {

/// Output file formats.
enum class FileFormat { Png, Svg, Pdf };
/// "png", "svg", "pdf".
QString formatName(FileFormat f);
/// Parses a format name (case-insensitive); nullopt if unknown.
std::optional<FileFormat> parseFormat(const QString& name);

/// One export: which view, at what size, in which format and palette.
struct ExportSettings {
    FigureView view = FigureView::Figure;
    FileFormat format = FileFormat::Png;
    SizePreset size = SizePreset::Slide;
    double dpi = 192.0;  ///< PNG only: pixels per inch (default 2× a 96 dpi screen)
    FigureOptions options;
};

/// Draws views of one FigureData.
class FigureComposer {
  public:
    explicit FigureComposer(FigureData data);

    const FigureData& data() const { return data_; }

    /// Paints `view` into `rect` (points) on a painter whose coordinates are points.
    void paint(QPainter& p, FigureView view, const QRectF& rect, const Theme& theme,
               const FigureOptions& opt);
    /// Renders a view as an image of size_pt at `dpi` (the PNG's resolution is set too).
    QImage image(FigureView view, QSizeF size_pt, double dpi, const Theme& theme,
                 const FigureOptions& opt);
    /// The file's bytes (PNG, SVG or PDF) for these settings; empty on failure.
    QByteArray render(const ExportSettings& s);
    /// Renders and writes atomically; returns an empty string or the error message.
    QString write(const ExportSettings& s, const QString& path);

  private:
    void paintComposed(QPainter& p, const QRectF& rect, const Fonts& fonts,
                       const FigureOptions& opt);
    void paintPanel(QPainter& p, const QString& panel, const QRectF& rect, const Fonts& fonts,
                    const FigureOptions& opt);

    FigureData data_;
    LandscapeFigure landscape_;
};

/// The heading of a composed figure: the scene's title, or one made from the scene.
QString figureTitle(const io::SceneDocument& doc);

}  // namespace noether::figure

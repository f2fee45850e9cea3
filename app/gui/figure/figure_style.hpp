// The look of an exported figure: the colour-blind-safe Okabe–Ito model colours, dash styles
// and relative line widths (the screen's views use these same functions), on a paper (white),
// projector (high contrast, thick lines, large fonts) or dark palette, with sizes given in points
// so that one figure renders alike into PNG, SVG and PDF. This library needs no widgets and no
// OpenGL: the headless CLI links it.
#pragma once

#include <QColor>
#include <QFont>
#include <QString>
#include <iterator>
#include <optional>

#include "noether/run.hpp"
#include "noether/scene.hpp"

class QPaintDevice;

namespace noether::figure {

/// Okabe & Ito's colour-blind-safe palette: the model colours of every view and figure.
namespace okabe_ito {
inline const QColor kOrange{0xE6, 0x9F, 0x00};
inline const QColor kSkyBlue{0x56, 0xB4, 0xE9};
inline const QColor kBluishGreen{0x00, 0x9E, 0x73};
inline const QColor kYellow{0xF0, 0xE4, 0x42};
inline const QColor kBlue{0x00, 0x72, 0xB2};
inline const QColor kVermillion{0xD5, 0x5E, 0x00};
inline const QColor kReddishPurple{0xCC, 0x79, 0xA7};
}  // namespace okabe_ito

/// Colour scheme of a figure.
enum class Palette {
    Paper,      ///< white background, black text (papers, slides)
    Projector,  ///< high contrast, thick lines, large fonts (lecture mode)
    Dark        ///< dark background (the app's dark theme)
};
/// "default" (paper), "projector", "dark"; "colorblind" is the default palette (it already is).
std::optional<Palette> parsePalette(const QString& name);
/// Name written into scene files: "default", "projector", "dark".
QString paletteName(Palette p);

/// Colours, fonts and line scale of one figure.
struct Theme {
    Palette palette = Palette::Paper;
    bool dark = false;
    QColor background = Qt::white;
    QColor foreground = Qt::black;
    QColor grid;         ///< faint grid lines
    QColor muted;        ///< secondary text, arrows of vector fields
    double font_pt = 9;  ///< base font size in points
    double unit = 0.5;   ///< points per screen pixel: line widths are the screen's times this
    QString family;      ///< font family (the application font's)
};

/// A theme for a palette with a base font size (pt) and line unit (pt per screen pixel).
Theme makeTheme(Palette palette, double font_pt, double unit);

/// A prediction's validity in a legend: "exact", "approx.", "n/a" (docs/PHYSICS.md, "Every
/// overlay and where it holds").
QString validityWord(Validity v);
/// A prediction's tooltip: what it is (its doc), where it holds and how far off it is (note).
QString predictionTip(const NamedSeries& s);
/// Exact laws are drawn dashed, approximate ones dotted (the legend says which).
Qt::PenStyle predictionStyle(Validity v);

/// The colour of a model (the screen uses the same functions, gui/views/style.hpp).
QColor modelColor(Model model, bool dark);
/// Legend name of a model ("discrete", "ODE", "ODE from rest", "gradient flow").
QString modelName(Model model);
/// Long name for captions ("implicit-acceleration ODE", ...).
QString modelLongName(Model model);
/// True if the model is drawn dashed (gradient flow, modified flow, ODE from rest).
bool modelDashed(Model model);
/// Line width in screen pixels on the landscape (discrete widest).
double modelWidth(Model model);
/// Line width in screen pixels on charts.
double modelChartWidth(Model model);
/// The English name of a model's colour for captions ("vermilion", "blue", "green", ...).
QString modelColourName(Model model, bool dark);
/// How many models there are (arrays indexed by static_cast<int>(Model)).
inline constexpr int kModelCount = static_cast<int>(std::size(kAllModels));
/// The first-order models (gradient flow and the modified flow): their charge is ⟨q′, ξ⟩, drawn
/// on a chart's right axis (J = m⟨q′, ξ⟩ vanishes with m, PHYSICS.md §0.3).
inline constexpr bool firstOrderModel(Model m) {
    return m == Model::Flow || m == Model::ModifiedFlow;
}
/// Drawing order, bottom to top.
inline constexpr Model kModelDrawOrder[5] = {Model::Discrete, Model::OdeRest, Model::Ode,
                                             Model::Flow, Model::ModifiedFlow};

/// Fonts in points for a paint device whose painter is scaled to point units (see figure.hpp).
class Fonts {
  public:
    Fonts(const Theme& theme, const QPaintDevice* device);
    /// A font of `factor` times the base size. Text with combining marks (n̂) gets the serif
    /// face: DejaVu Sans misplaces them.
    QFont font(double factor = 1.0, bool bold = false, const QString& text = QString()) const;
    /// The serif face (equations).
    QFont serif(double factor = 1.0, bool bold = false) const;
    /// Height of a line of text in points for `factor`.
    double lineHeight(double factor = 1.0) const;
    /// Width of a text in points.
    double width(const QString& text, double factor = 1.0, bool bold = false) const;
    /// The theme the fonts follow.
    const Theme& theme() const { return theme_; }

  private:
    Theme theme_;
    const QPaintDevice* device_ = nullptr;
    double k_ = 1.0;  // point size that renders one point on this device
};

}  // namespace noether::figure

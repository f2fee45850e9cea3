// What a figure shows: the scene document (its scene, title, equation and view settings), the
// Run simulated from it, and the ghost runs of view.compare (docs/SCENE-FORMAT.md). The view
// settings are read from the document's free-form "view" object; the options say how to draw
// (palette, time marker, progressive drawing for animations).
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>
#include <vector>

#include "gui/figure/figure_style.hpp"
#include "io/scene_file.hpp"
#include "noether/landscape.hpp"
#include "noether/run.hpp"

namespace noether::figure {

/// The views a figure can show; Figure is all of them composed into one.
enum class FigureView { Landscape, Charges, Phase, Loss, Figure };
/// "landscape", "charges", "phase", "loss", "figure".
QString viewName(FigureView v);
/// Parses a view name; nullopt if unknown.
std::optional<FigureView> parseView(const QString& name);
/// Every view, in the order above.
inline constexpr FigureView kAllViews[5] = {FigureView::Landscape, FigureView::Charges,
                                            FigureView::Phase, FigureView::Loss,
                                            FigureView::Figure};

/// The view settings of a scene file's "view" object that figures use.
struct ViewSettings {
    std::optional<PlaneBox> box;   ///< landscape.x_range / y_range (absent: fit the data)
    bool log_scale = true;         ///< landscape.log_scale
    bool orbits = true;            ///< landscape.orbits
    bool isolines = true;          ///< landscape.isolines
    int colormap = 0;              ///< landscape.colormap: 0 viridis, 1 cividis
    int slice_i = 0, slice_j = 1;  ///< landscape.slice
    QString phase;                 ///< phase coordinate id ("" = the first one)
    QStringList panels;            ///< panels in order ("" = the default set)
    bool budget = false;           ///< "budget" in panels: the charge budget terms
    QString palette;               ///< palette name ("" = default)
    /// view.time_window, the charts' time axis as on screen: 0 = the whole run on a log axis
    /// ("log", the default), else the fraction shown on a linear axis ("all" 1, "first 10%"
    /// 0.1, "first 1%" 0.01).
    double time_window = 0.0;
};
/// The names of view.time_window and their fractions (0 = log time), in the screen's order.
struct TimeWindowName {
    const char* name;
    double fraction;
};
inline constexpr TimeWindowName kTimeWindows[4] = {
    {"log", 0.0}, {"all", 1.0}, {"first 10%", 0.1}, {"first 1%", 0.01}};
/// Reads the settings from a document's view object (unknown or ill-typed members: defaults).
ViewSettings readViewSettings(const QJsonObject& view);
/// Writes the settings back into a view object (other members kept).
QJsonObject writeViewSettings(QJsonObject view, const ViewSettings& s);

/// A ghost run drawn beside the scene (view.compare).
struct Ghost {
    QString label;                   ///< legend text
    std::shared_ptr<const Run> run;  ///< its run (the variant's first model only)
};

/// Everything a figure draws.
struct FigureData {
    io::SceneDocument doc;           ///< the scene document (doc.scene is the scene run)
    std::shared_ptr<const Run> run;  ///< the run of doc.scene
    std::vector<Ghost> ghosts;       ///< view.compare variants, simulated
    ViewSettings view;               ///< doc.view, read
};

/// Builds the data: simulates doc.scene unless `run` is given, and the view.compare variants
/// (each with its first model only) when `ghosts` is set. Errors are bad input (named field).
Result<FigureData> prepareFigureData(const io::SceneDocument& doc,
                                     std::shared_ptr<const Run> run = nullptr, bool ghosts = true);

/// How to draw.
struct FigureOptions {
    Palette palette = Palette::Paper;
    long time_index = -1;      ///< current-time markers at this sample; -1: none
    bool progressive = false;  ///< draw the series only up to time_index (animation frames)
    bool header = true;        ///< composed figure: title and equation on top
};

/// Size presets: a 16:9 slide or a paper column 3.3 in wide.
enum class SizePreset { Slide, Column };
/// "slide", "column".
QString sizeName(SizePreset s);
/// Parses a size name; nullopt if unknown.
std::optional<SizePreset> parseSize(const QString& name);
/// The panels a composed figure shows for this data, in order ("landscape", "charges",
/// "phase", "loss", "lr").
QStringList composedPanels(const FigureData& data);
/// Page size in points of a view at a size preset.
QSizeF pageSizePt(FigureView view, SizePreset size, const FigureData& data);
/// The theme of a size preset (font size and line unit) in a palette.
Theme themeFor(SizePreset size, Palette palette);

}  // namespace noether::figure

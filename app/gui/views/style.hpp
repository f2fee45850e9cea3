// Presentation constants shared by every view: the colour-blind-safe Okabe–Ito colours of the
// models, line widths and fonts sized for a lecture hall, and the light/dark decision that
// follows the system palette.
#pragma once

#include <QColor>
#include <QFont>
#include <QPalette>
#include <QString>

#include "noether/scene.hpp"

namespace noether::gui {

/// Okabe & Ito's colour-blind-safe palette.
namespace okabe_ito {
inline const QColor kOrange{0xE6, 0x9F, 0x00};
inline const QColor kSkyBlue{0x56, 0xB4, 0xE9};
inline const QColor kBluishGreen{0x00, 0x9E, 0x73};
inline const QColor kYellow{0xF0, 0xE4, 0x42};
inline const QColor kBlue{0x00, 0x72, 0xB2};
inline const QColor kVermillion{0xD5, 0x5E, 0x00};
inline const QColor kReddishPurple{0xCC, 0x79, 0xA7};
}  // namespace okabe_ito

/// The colour of a model (same on every view).
QColor modelColor(Model model, bool dark);
/// The short name of a model shown in legends ("discrete", "ODE", "ODE from rest", "flow").
QString modelName(Model model);
/// True if the model is drawn dashed (gradient flow, so it differs by more than colour).
bool modelDashed(Model model);
/// Line width in pixels of a model's trajectory on the landscape (discrete widest, so that
/// models that agree stay visible on top of each other).
double modelWidth(Model model);
/// Line width in pixels of a model's chart series.
double modelChartWidth(Model model);
/// Drawing order, bottom to top: discrete, ODE from rest, ODE, flow.
inline constexpr Model kModelDrawOrder[4] = {Model::Discrete, Model::OdeRest, Model::Ode,
                                             Model::Flow};

/// True if the palette is dark (the window background is darker than its text).
bool isDark(const QPalette& palette);
/// Base font for charts and labels, scaled by `factor` (1 = the app font).
QFont lectureFont(double factor = 1.0, bool bold = false);

}  // namespace noether::gui

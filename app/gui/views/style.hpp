// Presentation constants shared by every view: the colour-blind-safe Okabe–Ito colours of the
// models, line widths and fonts sized for a lecture hall, and the light/dark decision that
// follows the system palette.
#pragma once

#include <QColor>
#include <QFont>
#include <QPalette>
#include <QString>

#include "gui/figure/figure_style.hpp"
#include "noether/scene.hpp"

namespace noether::gui {

/// The model styles are the figure library's, so screen and exported figures cannot differ:
/// colour-blind-safe Okabe–Ito colours, dashes for the flow and the ODE from rest, the discrete
/// model widest so that models that agree stay visible on top of each other.
namespace okabe_ito = figure::okabe_ito;
using figure::firstOrderModel;
using figure::kModelCount;
using figure::kModelDrawOrder;
using figure::modelChartWidth;
using figure::modelColor;
using figure::modelDashed;
using figure::modelName;
using figure::modelWidth;
using figure::predictionStyle;
using figure::predictionTip;
using figure::validityWord;

/// True if the palette is dark (the window background is darker than its text).
bool isDark(const QPalette& palette);
/// Lecture-hall sizes: raises the application font to at least 12 pt (the app does this at
/// start-up; GUI tests that judge layout do it too).
void applyLectureAppFont();
/// The dark palette (`--dark`, View → Dark palette): light text on near-black.
QPalette darkPalette();
/// Base font for charts and labels, scaled by `factor` (1 = the app font).
QFont lectureFont(double factor = 1.0, bool bold = false);

}  // namespace noether::gui

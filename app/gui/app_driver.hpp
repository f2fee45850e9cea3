// Scripted uses of the real main window: the interaction benchmark (N changes of the η slider
// through the real widget path, each timed until every view has presented its frame), window
// screenshots (the OpenGL landscape composed in), and the command-line scene options.
#pragma once

#include <QElapsedTimer>
#include <QSize>
#include <QString>
#include <QStringList>
#include <optional>

#include "noether/scene.hpp"

namespace noether::gui {

class MainWindow;

/// Result of the interaction benchmark.
struct InteractionStats {
    int changes = 0;
    double p50_ms = 0.0, p95_ms = 0.0, max_ms = 0.0, mean_ms = 0.0;
    double engine_mean_ms = 0.0;  ///< mean wall time of the simulation alone
    int timeouts = 0;
};

/// Waits until the window has presented a frame for generation >= gen (or timeout).
bool waitPresented(MainWindow& w, quint64 gen, int timeout_ms);
/// Waits until every visible view has put generation >= gen on screen: the landscape's frame
/// swapped and each chart given data of it painted (a chart not yet exposed counts once it
/// paints). Returns clock's reading at that moment in ns, or -1 on timeout.
qint64 waitEveryViewPainted(MainWindow& w, quint64 gen, int timeout_ms, const QElapsedTimer& clock);
/// Waits for the first complete frame of the current scene, and for the landscape grid.
bool waitFirstFrame(MainWindow& w, int timeout_ms);
/// Drives `n` η-slider changes and times each until presented.
InteractionStats benchInteraction(MainWindow& w, int n);
/// Saves the whole window (GL included) as an image; returns an error message or empty.
QString saveScreenshot(MainWindow& w, const QString& path);

/// What a lecturer would see cut off in the window as it is on screen (issue 14): the window
/// larger than its screen, a label, check box or button whose text does not fit (or was elided
/// with "…"), a combo box whose current text is cut, a chart legend whose labels QtCharts
/// shortens, a plot area under `min_plot` (w x h), an explanation that needs its scroll bar.
/// One line per problem, naming the widget; empty when everything is readable.
QStringList layoutProblems(MainWindow& w, QSize min_plot = QSize(200, 110));

/// Scene options shared by the command line (--scene-loss, --lr, ...). Applies them to a scene;
/// returns an error message naming the option, or empty.
QString applySceneOptions(const QStringList& args, Scene& scene);
/// The option names applySceneOptions understands (each takes a value).
QStringList sceneOptionNames();

}  // namespace noether::gui

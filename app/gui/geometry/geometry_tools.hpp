// The second-order geometry tools of the main window (issue 5), in one place: the Curvature dock,
// the eigen-cross on the landscape (its toolbar toggle and its overlay at the current point), the
// Tools menu (loss expression editor, Find symmetries, clear adopted symmetries) and the wiring
// from the window's runs and time line to them.
#pragma once

#include <QCheckBox>
#include <QDockWidget>
#include <QMenu>
#include <QObject>
#include <memory>

#include "noether/run.hpp"

namespace noether::gui {

class MainWindow;
class CurvaturePanel;
class DiscoveryDialog;
class LossEditor;

/// The geometry tools of one main window (a child of it).
class GeometryTools : public QObject {
    Q_OBJECT
  public:
    /// Adds the Curvature dock (its toggle in `view_menu`), the eigen-cross toggle and the Tools
    /// menu to `window`.
    GeometryTools(MainWindow* window, QMenu* view_menu);

    CurvaturePanel* curvature() const { return curvature_; }
    QDockWidget* curvatureDock() const { return dock_; }
    /// The landscape toolbar's eigen-cross toggle.
    QCheckBox* crossToggle() const { return cross_; }
    /// Opens the loss editor (created once).
    LossEditor* openLossEditor();
    /// Opens Find symmetries (created once; it runs the discovery when shown).
    DiscoveryDialog* openDiscovery();
    /// Recomputes the eigen-cross overlay (current point, view, toggle).
    void updateCross();

  private:
    void onRunApplied();

    MainWindow* w_;
    CurvaturePanel* curvature_;
    QDockWidget* dock_;
    QCheckBox* cross_;
    DiscoveryDialog* discovery_ = nullptr;
    std::shared_ptr<const Run> run_;
    // Curvature scale of the arms, for (run, slice axes).
    const Run* scale_run_ = nullptr;
    int scale_i_ = -1, scale_j_ = -1;
    double scale_ = 1.0;
};

}  // namespace noether::gui

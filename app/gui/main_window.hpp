// The main window: the landscape in the centre with the time line and the divergence banner,
// docks for the controls, the Noether charges, the phase portrait and the loss / effective
// learning rate. It connects SceneModel -> RunController -> views, keeps undo/redo, the status
// bar, the theme, and QSettings (window layout, last scene). It also knows when every view has
// presented the frame of a run (the interaction benchmark waits for that).
#pragma once

#include <QAction>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QLabel>
#include <QMainWindow>
#include <QSplitter>
#include <memory>

#include "gui/model/run_controller.hpp"
#include "gui/model/scene_model.hpp"

namespace noether::gui {

class ControlsPanel;
class Timeline;
class LandscapeView;
class ChargeChart;
class PhaseChart;
class LossChart;
class EffectiveLrChart;
class NormChart;
class GeometryTools;
class RegimeView;
class SceneActions;

/// The NoetherLab window.
class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    /// `restore`: read window layout and the last scene from QSettings.
    explicit MainWindow(bool restore = true, QWidget* parent = nullptr);
    ~MainWindow() override;

    SceneModel* model() { return &model_; }
    RunController* runs() { return &runs_; }
    ControlsPanel* controls() const { return controls_; }
    LandscapeView* landscape() const { return landscape_; }
    ChargeChart* charges() const { return charges_; }
    PhaseChart* phase() const { return phase_; }
    LossChart* lossChart() const { return loss_; }
    EffectiveLrChart* elrChart() const { return elr_; }
    NormChart* normChart() const { return norm_; }
    Timeline* timeline() const { return timeline_; }
    /// The Curvature dock, eigen-cross, loss editor and Find symmetries (issue 5).
    GeometryTools* geometry() const { return geometry_; }
    /// The regime map (issue 6) and its dock (hidden until View > Regime map).
    RegimeView* regime() const { return regime_; }
    QDockWidget* regimeDock() const { return regime_dock_; }
    /// The title bar of the loss dock.
    QLabel* lossTitle() const { return loss_title_; }
    /// Scene files, presets, exports and lecture mode (issue 4).
    SceneActions* sceneActions() const { return scene_actions_; }
    /// Runs the current scene again (the open document's ghosts changed, not the scene).
    void rerun() { onSceneChanged(model_.scene(), SceneField::Generators); }
    /// The divergence / error banner.
    QLabel* banner() const { return banner_; }
    /// The run on screen (may be null before the first one).
    std::shared_ptr<const Run> currentRun() const { return run_; }
    /// Generation of the run on screen.
    quint64 shownGeneration() const { return shown_; }
    /// True when every visible view has presented generation >= gen.
    bool presented(quint64 gen) const;
    /// The whole window as an image, including the OpenGL landscape.
    QImage grabWindowImage();

  signals:
    /// Every visible view has presented the run of this generation.
    void framePresented(quint64 generation);
    /// A run (or an error) for this generation has been applied to the views.
    void runApplied(quint64 generation);

  protected:
    void closeEvent(QCloseEvent* e) override;
    void changeEvent(QEvent* e) override;
    void showEvent(QShowEvent* e) override;
    bool event(QEvent* e) override;

  private:
    void buildMenus();
    void onSceneChanged(const Scene& scene, SceneField field);
    void onRunReady(std::shared_ptr<const Run> run, quint64 gen, double engine_ms);
    void onRunFailed(const QString& message, quint64 gen);
    void setTimeIndex(long index);
    void checkPresented();
    void applyTheme();
    void showBanner(const QString& text, bool error);
    void saveSettings();
    void restoreSettings();
    void openScene();
    void saveSceneAs();
    QDockWidget* addDock(const QString& title, const QString& name, QWidget* w,
                         Qt::DockWidgetArea area);

    SceneModel model_;
    RunController runs_;
    std::shared_ptr<const Run> run_;
    quint64 shown_ = 0;
    quint64 last_signalled_ = 0;
    long time_index_ = 0;
    double window_ = 1.0;
    bool restore_ = true;
    bool first_show_ = true;
    bool refit_ = true;
    bool restored_layout_ = false;

    ControlsPanel* controls_ = nullptr;
    LandscapeView* landscape_ = nullptr;
    Timeline* timeline_ = nullptr;
    ChargeChart* charges_ = nullptr;
    PhaseChart* phase_ = nullptr;
    LossChart* loss_ = nullptr;
    EffectiveLrChart* elr_ = nullptr;
    NormChart* norm_ = nullptr;
    QLabel* banner_ = nullptr;
    QLabel* engine_label_ = nullptr;
    QLabel* loss_title_ = nullptr;
    QElapsedTimer engine_clock_;
    QDockWidget* controls_dock_ = nullptr;
    QDockWidget* charges_dock_ = nullptr;
    QDockWidget* phase_dock_ = nullptr;
    QDockWidget* loss_dock_ = nullptr;
    QMenu* view_menu_ = nullptr;
    GeometryTools* geometry_ = nullptr;
    RegimeView* regime_ = nullptr;
    QDockWidget* regime_dock_ = nullptr;
    SceneActions* scene_actions_ = nullptr;
};

}  // namespace noether::gui

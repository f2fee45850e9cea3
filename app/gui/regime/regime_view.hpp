// RegimeView: the "Regime map" panel (issue 6). Controls for the colour metric (log option),
// the two axes (η, β, k or ε, their ranges and spacing) and the resolution; the map itself; a
// read-out of the hovered cell; a progress bar with Cancel. It recomputes, debounced, when the
// loss, start or the fixed hyperparameters of the scene change (not when only the swept ones
// do), only while it is visible, coarse to fine on a worker thread. A click on a cell makes the
// cell's hyperparameters the current scene, one undo step through SceneModel::setScene.
#pragma once

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTimer>
#include <QToolButton>
#include <QWidget>
#include <memory>
#include <optional>

#include "gui/model/scene_model.hpp"
#include "gui/regime/regime_map.hpp"
#include "gui/regime/regime_map_widget.hpp"
#include "gui/regime/regime_sweeper.hpp"

namespace noether::gui {

/// The regime-map panel.
class RegimeView : public QWidget {
    Q_OBJECT
  public:
    explicit RegimeView(SceneModel* model, QWidget* parent = nullptr);

    /// The request the controls describe, for the current scene.
    RegimeRequest currentRequest() const;
    /// Sets both axes (and their controls); recomputes.
    void setAxes(const RegimeAxis& x, const RegimeAxis& y);
    /// Sets the colour metric (and its default log option); recomputes.
    void setMetric(SweepMetric m);
    /// Cells per axis of the finest pass; recomputes.
    void setResolution(long n);
    /// Starts a computation now (no debounce), even while hidden.
    void recomputeNow();
    /// Stops the computation; the map on screen stays.
    void cancel();
    /// Opens cell (ix, iy) of the map on screen: its hyperparameters become the scene.
    void openCell(long ix, long iy);

    RegimeMapWidget* mapWidget() const { return map_; }
    RegimeSweeper* sweeper() const { return sweeper_; }
    QPushButton* cancelButton() const { return cancel_; }
    QProgressBar* progressBar() const { return progress_; }
    QComboBox* metricCombo() const { return metric_; }
    QCheckBox* logColourCheck() const { return log_colour_; }
    QLabel* readoutLabel() const { return readout_; }
    QLabel* statusLabel() const { return status_; }
    /// True when nothing is scheduled or computing.
    bool idle() const { return !debounce_.isActive() && !sweeper_->busy(); }
    /// Number of computations started (tests: a scene change started one).
    int computationsStarted() const { return started_; }
    /// Delay between a scene change and the recomputation, in ms.
    static constexpr int kDebounceMs = 300;

  signals:
    /// The map on screen changed (a pass arrived).
    void mapShown(std::shared_ptr<const noether::gui::RegimeMap> map);

  protected:
    void showEvent(QShowEvent* e) override;
    void hideEvent(QHideEvent* e) override;
    void changeEvent(QEvent* e) override;

  private:
    struct AxisControls {
        QComboBox* param = nullptr;
        QLineEdit* lo = nullptr;
        QLineEdit* hi = nullptr;
        QCheckBox* log = nullptr;
    };
    QWidget* buildAxisRow(const QString& name, AxisControls& c);
    void syncAxisControls();
    std::optional<RegimeAxis> readAxis(const AxisControls& c, QString* error) const;
    void onAxisParamChanged(bool is_x);
    void onRangeEdited();
    void onSceneChanged(const Scene& scene);
    void schedule(int delay_ms);
    void onPass(std::shared_ptr<const RegimeMap> map);
    void onProgress(quint64 gen, int pass, int passes, long done, long total);
    void onFinished(quint64 gen, bool cancelled);
    void setStatus(const QString& text, bool error);

    SceneModel* model_;
    RegimeSweeper* sweeper_;
    RegimeMapWidget* map_;
    QComboBox* metric_;
    QCheckBox* log_colour_;
    QComboBox* resolution_;
    QToolButton* export_;
    AxisControls xc_, yc_;
    QLabel* readout_;
    QProgressBar* progress_;
    QPushButton* cancel_;
    QLabel* status_;
    QTimer debounce_;

    RegimeAxis x_ = defaultRegimeAxis(SweepParam::LearningRate);
    RegimeAxis y_ = defaultRegimeAxis(SweepParam::Momentum);
    std::optional<Scene> requested_key_;  // key of the last computation started
    bool dirty_ = true;
    bool syncing_ = false;
    int started_ = 0;
    quint64 running_ = 0;
    std::vector<long> passes_;
};

}  // namespace noether::gui

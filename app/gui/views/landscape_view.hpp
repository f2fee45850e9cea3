// The landscape panel: the GL window in its container, a legend and colour bar beside it (a
// container cannot have widgets drawn over it), and the view controls (scale, colour map,
// isolines, orbits, slice axes for n-D losses, fit). It turns a Run into GL data: the loss grid
// over the visible box (resampled when the view moves), the orbits, the projected trajectories.
#pragma once

#include <vector>

#include <QStringList>

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QPushButton>
#include <QTimer>
#include <QWidget>
#include <memory>

#include "gui/views/landscape_window.hpp"
#include "noether/run.hpp"

namespace noether::gui {

/// Legend of the models and the colour bar of the loss.
class LegendBar : public QWidget {
    Q_OBJECT
  public:
    explicit LegendBar(QWidget* parent = nullptr);
    void setModels(const std::vector<Model>& models, bool kick, bool orbits);
    /// Labels of the ghost runs drawn (empty: none).
    void setGhosts(const QStringList& labels);
    void setScale(double lo, double hi, bool log, int colormap);
    void setDark(bool dark);
    QSize sizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int w) const override;

  protected:
    void paintEvent(QPaintEvent*) override;

  private:
    struct Item {
        int kind;  // 0 model, 1 start, 2 kick, 3 orbits, 4 colour bar, 5 ghost
        Model model;
        QString text;
        int width;
        QPoint at;
    };
    std::vector<Item> items() const;
    int layoutItems(int width, std::vector<Item>& its) const;
    int rowHeight() const;

    std::vector<Model> models_;
    bool kick_ = false, orbits_ = true, dark_ = false;
    QStringList ghosts_;
    double lo_ = 0, hi_ = 1;
    bool log_ = true;
    int colormap_ = 0;
};

/// The landscape panel.
class LandscapeView : public QWidget {
    Q_OBJECT
  public:
    explicit LandscapeView(QWidget* parent = nullptr);

    /// Shows a run.
    void setRun(std::shared_ptr<const Run> run, quint64 gen);
    /// Companion runs drawn dotted under the trajectories (their discrete model); before setRun.
    void setGhosts(std::vector<std::shared_ptr<const Run>> ghosts, QStringList labels) {
        ghost_runs_ = std::move(ghosts);
        ghost_labels_ = std::move(labels);
    }
    /// Follows the scene at once (start point, kick) before its run arrives.
    void setScene(const Scene& scene);
    /// Current time (sample index).
    void setTimeIndex(long index);
    void applyTheme(bool dark);
    /// Fits the view to the trajectories.
    void fit();

    LandscapeWindow* glWindow() const { return window_; }
    /// The plane shown: axes i, j and the point it passes through.
    Slice currentSlice() const { return slice(); }
    /// The heatmap's style as its controls set it (what a scene file's view.landscape saves).
    HeatmapStyle heatmapStyle() const { return style_; }
    /// Sets the controls (and so the heatmap) to a style.
    void setHeatmapStyle(const HeatmapStyle& style);
    /// Adds a control to the toolbar row (before the Fit button).
    void addControl(QWidget* w);
    /// Lecture mode (a locked scene): the toolbar's view controls (slice axes, scale, colour
    /// map, isolines, orbits, Fit and the added ones) hide, leaving the title; false brings
    /// back the ones that were shown.
    void setControlsHidden(bool hidden);
    QWidget* container() const { return container_; }
    /// Generation of the trajectories on screen.
    quint64 presentedGeneration() const { return window_->presentedGeneration(); }

  signals:
    void startDragBegan();
    /// The user dragged the start point to q0 (full n-D vector).
    void startMoved(const noether::Vector& q0);
    void startDragEnded();
    /// Status-bar text (coordinates and f under the mouse).
    void status(const QString& text);

  private:
    void scheduleGrid();
    void updateGrid();
    void updateTrajectories();
    void updateNow();
    void updateSliceControls();
    Slice slice() const;
    PlaneBox dataBox() const;

    LandscapeWindow* window_;
    QWidget* container_;
    LegendBar* legend_;
    QComboBox* scale_;
    QComboBox* colormap_;
    QCheckBox* isolines_;
    QCheckBox* orbits_;
    QComboBox* axis_x_;
    QComboBox* axis_y_;
    QPushButton* fit_;
    QHBoxLayout* controls_ = nullptr;
    std::vector<QWidget*> hidden_controls_;
    QTimer grid_timer_;

    std::shared_ptr<const Run> run_;
    quint64 gen_ = 0;
    Scene scene_;
    bool have_scene_ = false;
    long time_index_ = 0;
    std::string grid_key_;
    std::string fit_key_;
    HeatmapStyle style_;
    bool dark_ = false;
    std::vector<std::shared_ptr<const Run>> ghost_runs_;
    QStringList ghost_labels_;
    int dim_ = 2;
};

}  // namespace noether::gui

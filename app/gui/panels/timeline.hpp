// The time line: play/pause, a scrub slider over the samples n = 0..N, playback speed, and the
// time window the charts show. Moving it moves the current-time marker on every view.
#pragma once

#include <QComboBox>
#include <QLabel>
#include <QSlider>
#include <QTimer>
#include <QToolButton>
#include <QWidget>

namespace noether::gui {

/// Playback of a run.
class Timeline : public QWidget {
    Q_OBJECT
  public:
    explicit Timeline(QWidget* parent = nullptr);

    /// The run's length (N steps) and learning rate (for the t = nη read-out).
    void setRun(long steps, double eta);
    long index() const { return slider_->value(); }
    void setIndex(long index);
    /// Sets the index now and again when the next run arrives (a scene being restored: the
    /// run on screen may be shorter than the index).
    void setIndexAfterRun(long index) {
        pending_index_ = index;
        setIndex(index);
    }
    bool playing() const { return timer_.isActive(); }
    QSlider* slider() const { return slider_; }
    /// The charts' window: a fraction of N, or 0 for the whole run on a log time axis.
    double window() const;
    /// 0 log time, 1 all steps, 2 first 10%, 3 first 1%.
    void setWindowIndex(int i);
    /// Lecture mode: the charts' time-window choice (a view setting) hides; play, speed and the
    /// slider stay.
    void setWindowChoiceVisible(bool visible);

  public slots:
    void togglePlay();

  signals:
    /// The current sample changed.
    void indexChanged(long index);
    /// The charts' time window changed (fraction of N; 0 = log time).
    void windowChanged(double fraction);

  private:
    void tick();
    void updateLabel();

    QToolButton* play_;
    QSlider* slider_;
    QComboBox* speed_;
    QComboBox* window_;
    QLabel* label_;
    QTimer timer_;
    long steps_ = 1;
    double eta_ = 0.01;
    double carry_ = 0.0;
    long pending_index_ = -1;
};

}  // namespace noether::gui

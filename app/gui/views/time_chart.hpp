// A chart of series against the step n (t = n eta): a fixed x axis [0, window N] (changing
// only with N or the window, not with eta), a left and an optional right y axis (linear or
// log) with hysteresis, one bulk replace() per series per update decimated to the plot width,
// and a vertical current-time marker.
#pragma once

#include <QLogValueAxis>
#include <vector>

#include "gui/model/run_controller.hpp"
#include "gui/views/chart_panel.hpp"

namespace noether::gui {

/// Base of the charges, loss and effective-learning-rate charts.
class TimeChart : public ChartPanel {
    Q_OBJECT
  public:
    TimeChart(const QString& title, const QString& y_title, bool log_y, QWidget* parent = nullptr);

    void setTimeIndex(long index) override;
    void setTimeWindow(double fraction) override;
    void applyTheme(bool dark) override;

  protected:
    /// One series' data for an update.
    struct Feed {
        QLineSeries* series = nullptr;
        const double* y = nullptr;
        long n = 0;
        int axis = 0;        ///< 0 left, 1 right
        bool ranged = true;  ///< counts for the axis range (false: may run off the chart)
    };
    /// Adds a line series on the left (0) or right (1) axis.
    QLineSeries* addLine(const QString& name, const QPen& pen, int axis = 0);
    /// Creates the right axis (call once in the constructor of a subclass).
    void addRightAxis(const QString& title, bool log);
    /// Replaces the data of every fed series (others are cleared); fits axes; moves the marker.
    void feed(const std::vector<Feed>& feeds, long steps);
    QLineSeries* newGhostLine(const QPen& pen, int axis) override;
    /// Hides the legend entries that must not show (the marker; subclasses add theirs).
    void fixLegend() override;

    /// The x axis in use (linear steps or log of n + 1).
    QAbstractAxis* xAxis() const;
    QValueAxis* x_axis_ = nullptr;
    QLogValueAxis* x_log_ = nullptr;
    QAbstractAxis* y_axis_ = nullptr;
    QAbstractAxis* y2_axis_ = nullptr;
    std::vector<QLineSeries*> lines_;

  private:
    void applyRange(QAbstractAxis* axis, const RangeKeeper& r);
    void updateMarker();

    std::vector<ColumnEnvelope> envelopes_;  ///< per feed of the last update (kept: no reallocs)
    RangeKeeper yr_, yr2_;
    bool log_y_ = false, log_y2_ = false;
    QLineSeries* marker_ = nullptr;
    long steps_ = 0;
    long time_index_ = 0;
    long x_end_ = 0;
    bool log_time_ = false;
    double zero_scale_ = 0.0;  ///< right axis = zero_scale_ * left axis, when aligned
};

}  // namespace noether::gui

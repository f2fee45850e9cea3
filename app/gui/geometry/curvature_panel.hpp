// The Curvature dock (PHYSICS.md §3): the Hessian's geometry along the run on screen, from the
// engine's hessian_at on at most kCurvatureSamples samples of the discrete trajectory (half of
// them evenly spaced in n, half in log n, so both time axes of the charts are covered). Three
// charts against the step n: the spectrum λ_i(t) with λ_max highlighted and the heavy-ball
// stability line 2(1+β)/η ("edge of stability"); the alignment |⟨∇f, u_i⟩|/|∇f| of the gradient
// with each eigenvector; the angle between each generator ξ(q) and the flattest eigenvector. A
// read-out gives the worst residual of the identities H1 (Hξ = −Aᵀ∇f) and H2 (⟨ξ, Hξ⟩ = −⟨∇f, Aξ⟩)
// over the run, a live correctness check, and the geometry at the current point of the time line.
#pragma once

#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QValueAxis>
#include <QWidget>
#include <memory>
#include <optional>
#include <vector>

#include "gui/views/chart_panel.hpp"
#include "noether/hessian.hpp"
#include "noether/run.hpp"

namespace noether::gui {

/// Samples of a run the Curvature dock analyses (evenly spaced, first and last included).
inline constexpr long kCurvatureSamples = 500;
/// Residual of H1/H2 below which the read-out shows a tick.
inline constexpr double kIdentityTolerance = 1e-10;

/// The sample indices analysed: half evenly spaced, half evenly spaced in log(n + 1) (the early
/// steps, where a log time axis spends half its width), first and last included, ascending.
std::vector<long> curvatureSamples(long total, long max_samples);
/// The Hessian geometry (the engine's hessian_at) at those samples of a trajectory, gathered as
/// hessian_along gathers it (non-finite points skipped, worst H1/H2 residuals).
HessianSeries curvatureAlongRun(const Loss& loss, const Trajectory& tr, const RuleParams& rule,
                                long max_samples = kCurvatureSamples);

/// A chart of curves sampled at arbitrary steps (the analysed samples), with a time marker.
class CurveChart : public ChartPanel {
    Q_OBJECT
  public:
    /// One curve: its values at the chart's x positions (NaN: a gap).
    struct Curve {
        QString name;
        QColor color;
        double width = 2.5;
        Qt::PenStyle style = Qt::SolidLine;
        std::vector<double> y;
        bool ranged = true;  ///< counts for the y range
    };

    CurveChart(const QString& title, const QString& y_title, QWidget* parent = nullptr);
    /// Fed by the Curvature panel; a run alone draws nothing here.
    void setRun(std::shared_ptr<const Run>, quint64) override {}
    void setTimeIndex(long index) override;
    /// Steps [0, fraction N]; fraction <= 0: the whole run on a log time axis (n + 1).
    void setTimeWindow(double fraction) override;
    void applyTheme(bool dark) override;
    /// A fixed y range instead of the automatic one.
    void setFixedRange(double lo, double hi);
    /// Replaces every curve: x are steps n, `steps` is the run's N.
    void setCurves(std::vector<double> x, std::vector<Curve> curves, long steps, quint64 gen);
    /// Redraws the last curves (window or theme changed).
    void redraw();
    /// Curves that have points on the chart.
    int curveCount() const;
    /// The series of curve k (tests).
    QLineSeries* series(int k) const;
    /// The title in the header row.
    using ChartPanel::titleLabel;
    /// Shows or hides the x axis title (charts stacked on one time axis need it once).
    void setXTitleVisible(bool on);

  private:
    void updateMarker();
    void setYRange(double lo, double hi);
    void hideMarkerFromLegend();
    QAbstractAxis* xAxis() const;

    QValueAxis* x_axis_;
    QLogValueAxis* x_log_;
    bool log_time_ = false;
    QValueAxis* y_axis_;
    RangeKeeper yr_;
    double ylo_ = 0.0, yhi_ = 0.0;  // the y axis range
    std::optional<std::pair<double, double>> fixed_;
    std::vector<QLineSeries*> series_;
    QLineSeries* marker_;
    std::vector<double> x_;
    std::vector<Curve> curves_;
    long steps_ = 1;
    long index_ = 0;
    quint64 gen_ = 0;
};

/// The Curvature dock.
class CurvaturePanel : public QWidget {
    Q_OBJECT
  public:
    explicit CurvaturePanel(QWidget* parent = nullptr);

    /// Shows a run: analysed at once when visible, else when shown.
    void setRun(std::shared_ptr<const Run> run, quint64 gen);
    void setTimeIndex(long index);
    void setTimeWindow(double fraction);
    void applyTheme(bool dark);
    /// Analyses the run now if it has not been (tests; the panel defers it otherwise).
    void analyse();
    /// Whether the panel is on screen: a dock behind another tab stays "visible" to Qt, so the
    /// dock tells the panel (QDockWidget::visibilityChanged). Off screen, runs and time
    /// changes are only recorded; the analysis follows when the panel comes on screen.
    void setOnScreen(bool on);

    /// The series on screen (null before the first analysis).
    const HessianSeries* hessianSeries() const { return series_ ? &*series_ : nullptr; }
    CurveChart* spectrumChart() const { return spectrum_; }
    CurveChart* alignmentChart() const { return alignment_; }
    CurveChart* angleChart() const { return angle_; }
    /// The H1/H2 read-out.
    QLabel* identityLabel() const { return identities_; }
    /// The read-out of the current point.
    QLabel* pointLabel() const { return point_; }
    /// Generation of the analysed run.
    quint64 analysedGeneration() const { return analysed_; }

  signals:
    /// A run was analysed (its generation).
    void analysed(quint64 generation);

  protected:
    void showEvent(QShowEvent* e) override;
    void changeEvent(QEvent* e) override;

  private:
    bool shown() const { return isVisible() && on_screen_; }
    void scheduleAnalysis();
    void rebuildCharts();
    void updateIdentities();
    void updatePoint();
    const Trajectory* trajectory() const;

    std::shared_ptr<const Run> run_;
    quint64 gen_ = 0, analysed_ = 0;
    bool scheduled_ = false;
    bool on_screen_ = true;
    std::optional<HessianSeries> series_;
    long index_ = 0;
    bool dark_ = false;

    QLabel* title_;
    QLabel* identities_;
    QLabel* point_;
    CurveChart* spectrum_;
    CurveChart* alignment_;
    CurveChart* angle_;
};

}  // namespace noether::gui

// The common frame of the Qt Charts views: a header row (title with its equation, controls),
// a QChartView that reports when it has painted (for the interaction benchmark), axis ranges
// that change only when the data really leave them or shrink a lot, lecture-sized fonts, and
// colours that follow the system palette.
#pragma once

#include <QChart>
#include <QChartView>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QValueAxis>
#include <QWidget>
#include <memory>
#include <vector>

#include "gui/model/run_controller.hpp"
#include "gui/views/decimate.hpp"
#include "gui/views/style.hpp"
#include "noether/run.hpp"

namespace noether::gui {

/// A QChartView that counts its paints.
class TrackedChartView : public QChartView {
    Q_OBJECT
  public:
    using QChartView::QChartView;
    /// Generation of the data shown at the last paint.
    quint64 paintedGeneration() const { return painted_; }
    /// Generation of the data currently in the chart.
    void setDataGeneration(quint64 g) { data_ = g; }

    /// Colours of the grid and of the plot frame, which this view draws itself (see
    /// drawBackground).
    void setGridColors(const QColor& grid, const QColor& frame);

  signals:
    void painted(quint64 generation);

  protected:
    void paintEvent(QPaintEvent* event) override;
    /// The grid lines at the axes' ticks and the axis lines (a frame round the plot area),
    /// drawn as crisp one-pixel lines without antialiasing. Qt Charts draws its own grid as
    /// antialiased line items, and a vertical antialiased line is rasterised span by span and
    /// farmed out to Qt's GUI thread pool: on this 2-core machine that was a third of the
    /// chart time of a slider change (docs/PERFORMANCE.md).
    void drawBackground(QPainter* painter, const QRectF& rect) override;

  private:
    quint64 data_ = 0;
    quint64 painted_ = 0;
    QColor grid_{0, 0, 0, 40}, frame_{0, 0, 0, 140};
};

/// Whether a series has an entry in its chart's key (named series have one unless set false).
void setInKey(QAbstractSeries* s, bool shown);

/// A chart's legend as a widget above it (issue 14): every named series of the chart, with
/// the series' own line (colour, width, dashes; a dot for scatter series), its label whole, the
/// entries wrapped onto as many rows as the width needs (Qt Charts' legend, now hidden, was one
/// row and shortened labels to "clo…"). A click toggles the series (struck out while off).
class ChartKey : public QWidget {
    Q_OBJECT
  public:
    explicit ChartKey(QChart* chart, QWidget* parent = nullptr);
    /// Re-reads the legend's entries (after series were added, renamed, shown or hidden).
    void refresh();
    /// The labels shown, in order (tests).
    QStringList labels() const;
    int heightForWidth(int w) const override;
    bool hasHeightForWidth() const override { return true; }
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

  protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* e) override;
    void changeEvent(QEvent* e) override;

  private:
    struct Entry {
        QAbstractSeries* series;
        QString label;
        QPen pen;
        bool dot = false;
        bool hidden = false;  ///< the series is switched off (struck out)
    };
    std::vector<Entry> entries() const;
    /// Each entry's rectangle for a width; returns the height.
    int layoutEntries(int width, const std::vector<Entry>& es, std::vector<QRect>* rects) const;
    int entryWidth(const Entry& e) const;
    QChart* chart_;
    std::vector<Entry> shown_;
};

/// Values of an axis' grid lines in [min, max] (value, log and category axes).
std::vector<double> gridValues(const QAbstractAxis* axis);

/// Axis range with hysteresis: grows at once when data leave it, shrinks only when the data
/// use less than a third of it; ends on "nice" numbers.
class RangeKeeper {
  public:
    explicit RangeKeeper(bool log = false) : log_(log) {}
    /// Fits [lo, hi] (finite; log: positive). Returns true if the range changed.
    bool fit(double lo, double hi);
    double lo() const { return lo_; }
    double hi() const { return hi_; }
    int ticks() const { return ticks_; }
    /// Distance between ticks (linear axes).
    double step() const { return step_; }
    /// Puts the ticks on multiples of step() (so 0 is labelled "0", not "-2.8e-17").
    /// Range and ticks onto an axis; `length_px` > 0: the axis' length on screen, which caps
    /// the number of labels of a vertical axis.
    void applyTicks(QValueAxis* axis, double length_px = 0.0) const;
    bool valid() const { return valid_; }
    void reset() { valid_ = false; }
    /// Sets the range as it is (no rounding); used for an axis tied to another.
    void force(double lo, double hi) {
        lo_ = lo;
        hi_ = hi;
        valid_ = true;
    }
    /// Sets the tick distance (an axis tied to another).
    void setStep(double step) { step_ = step; }
    /// The axis map for decimation over `pixels`.
    AxisMap map(int pixels) const { return {lo_, hi_, log_, std::max(pixels, 1)}; }

  private:
    bool log_;
    bool valid_ = false;
    double lo_ = 0.0, hi_ = 1.0;
    int ticks_ = 5;
    double step_ = 0.25;
};

/// Base of the chart views.
class ChartPanel : public QWidget {
    Q_OBJECT
  public:
    explicit ChartPanel(const QString& title, QWidget* parent = nullptr);

    /// Shows a run (generation `gen`); decimates to the plot width.
    virtual void setRun(std::shared_ptr<const Run> run, quint64 gen) = 0;
    /// Moves the current-time marker to sample `index`.
    virtual void setTimeIndex(long index) = 0;
    /// Charts show steps [0, fraction N].
    virtual void setTimeWindow(double fraction);
    /// Re-colours for a light or dark palette.
    virtual void applyTheme(bool dark);

    QChart* chart() const { return chart_; }
    /// The header row (title and controls): a dock can use it as its title bar.
    QWidget* headerWidget() const { return header_widget_; }
    /// The title in the header row.
    QLabel* titleLabel() const { return title_; }
    TrackedChartView* view() const { return view_; }
    /// The legend above the chart.
    ChartKey* key() const { return key_; }
    /// Generation of the data last drawn on screen.
    quint64 paintedGeneration() const { return view_->paintedGeneration(); }
    /// Generation of the data currently set.
    quint64 dataGeneration() const { return generation_; }
    /// Companion runs to draw faintly (dotted) beside the next setRun's; empty: none.
    void setGhosts(std::vector<GhostRun> ghosts) { ghosts_ = std::move(ghosts); }
    /// The ghost series in use (tests).
    int ghostCount() const;
    QLineSeries* ghostSeries(int k) const;

  protected:
    bool eventFilter(QObject* o, QEvent* e) override;
    /// Shown: Qt shows every legend marker whose series is visible, so the hidden ones (the
    /// time marker, unnamed dots) are hidden again.
    void showEvent(QShowEvent* e) override;
    /// The header row, to add controls to.
    QHBoxLayout* header() const { return header_; }
    /// Styles an axis (fonts, colours, title).
    void styleAxis(QAbstractAxis* axis, const QString& title);
    /// The text colour mixed over the background with weight `a`, opaque: translucent pens
    /// are blended span by span through Qt's thread pool, opaque ones are not (PERFORMANCE.md).
    QColor textMix(double a) const;
    /// The two time axes of a chart against the step: linear n (added at the bottom, range [0, 1]
    /// until data come) and log n + 1 (made, kept aside for swapTimeAxis).
    void makeTimeAxes(QValueAxis*& linear, QLogValueAxis*& log);
    /// Puts `now` at the bottom in place of `old` (kept, parented to this panel) and attaches
    /// every series to it.
    void swapTimeAxis(QAbstractAxis* old, QAbstractAxis* now);
    /// A pen for a series.
    QPen seriesPen(const QColor& c, double width, Qt::PenStyle style = Qt::SolidLine) const;
    /// Width of the plot area in pixels (decimation resolution).
    int plotWidth() const;
    int plotHeight() const;
    /// Sets the data generation (call at the end of setRun).
    void markGeneration(quint64 gen);
    /// Hides a series' entry in the legend.
    void hideFromLegend(QAbstractSeries* s);
    /// Makes legend markers toggle their series.
    void connectLegendToggles();
    /// Hides the legend entries that must not show (markers of the current time).
    virtual void fixLegend() {}

    /// The series of ghost k (made on first use by newGhostLine), named after the ghost and
    /// shown; `axis` is passed on to newGhostLine.
    QLineSeries* ghostLine(size_t k, const QString& label, int axis = 0);
    /// Hides the ghost series from `used` on (they are not fed).
    void hideGhostLines(size_t used);
    /// The trajectory of a ghost run to draw: its discrete model, else its first.
    static const Trajectory* ghostTrajectory(const GhostRun& g);
    /// A new, empty line series with `pen` on the chart's axes (`axis`: 0 left, 1 right; here
    /// the first horizontal and vertical axes).
    virtual QLineSeries* newGhostLine(const QPen& pen, int axis);
    /// Dotted, in the text colour's grey: a ghost reads as "the other scene", not a model.
    QPen ghostPen() const { return seriesPen(textMix(0.45), 3.0, Qt::DotLine); }
    std::vector<GhostRun> ghosts_;
    std::vector<QLineSeries*> ghost_lines_;

    bool dark_ = false;
    double window_ = 1.0;

  private:
    QChart* chart_;
    TrackedChartView* view_;
    ChartKey* key_;
    QWidget* header_widget_;
    QHBoxLayout* header_;
    QLabel* title_;
    quint64 generation_ = 0;
};

}  // namespace noether::gui

#include "gui/views/chart_panel.hpp"

#include <QAbstractAxis>
#include <QApplication>
#include <QCategoryAxis>
#include <QFontMetricsF>
#include <QGraphicsLayout>
#include <QLegend>
#include <QLegendMarker>
#include <QLogValueAxis>
#include <QMouseEvent>
#include <QPainter>
#include <QScatterSeries>
#include <QTimer>
#include <QVBoxLayout>
#include <cmath>

#include "gui/figure/plot.hpp"
#include "gui/profile.hpp"
#include "gui/views/style.hpp"

namespace noether::gui {

void TrackedChartView::paintEvent(QPaintEvent* event) {
    const ProfileScope prof("paint chart");
    if (profiling()) {
        static thread_local std::string b, e;
        b = "chart paint begin " + objectName().toStdString();
        e = "chart paint end   " + objectName().toStdString() + " " +
            std::to_string(event->rect().width()) + "x" + std::to_string(event->rect().height());
        profileMark(b.c_str());
        QChartView::paintEvent(event);
        profileMark(e.c_str());
    } else {
        QChartView::paintEvent(event);
    }
    painted_ = data_;
    emit painted(painted_);
}

void TrackedChartView::setGridColors(const QColor& grid, const QColor& frame) {
    grid_ = grid;
    frame_ = frame;
    viewport()->update();
}

std::vector<double> gridValues(const QAbstractAxis* axis) {
    std::vector<double> v;
    if (auto* c = qobject_cast<QCategoryAxis*>(const_cast<QAbstractAxis*>(axis))) {
        for (const QString& label : c->categoriesLabels())
            v.push_back(c->endValue(label));
        return v;
    }
    if (const auto* a = qobject_cast<const QValueAxis*>(axis)) {
        const double lo = a->min(), hi = a->max();
        if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return v;
        if (a->tickType() == QValueAxis::TicksDynamic && a->tickInterval() > 0.0) {
            const double step = a->tickInterval(), anchor = a->tickAnchor();
            const double k0 = std::ceil((lo - anchor) / step - 1e-9);
            for (double k = k0; v.size() < 200; k += 1.0) {
                const double x = anchor + k * step;
                if (x > hi + 1e-9 * (hi - lo)) break;
                v.push_back(x);
            }
        } else {
            const int n = std::max(2, a->tickCount());
            for (int k = 0; k < n; ++k)
                v.push_back(lo + (hi - lo) * k / (n - 1));
        }
        return v;
    }
    if (const auto* a = qobject_cast<const QLogValueAxis*>(axis)) {
        const double lo = a->min(), hi = a->max(), b = a->base();
        if (!(lo > 0.0) || !(hi > lo) || !(b > 1.0) || !std::isfinite(hi)) return v;
        const double e0 = std::ceil(std::log(lo) / std::log(b) - 1e-9);
        for (double e = e0; v.size() < 200; e += 1.0) {
            const double x = std::pow(b, e);
            if (x > hi * (1.0 + 1e-9)) break;
            v.push_back(x);
        }
    }
    return v;
}

void TrackedChartView::drawBackground(QPainter* painter, const QRectF& rect) {
    QChartView::drawBackground(painter, rect);
    QChart* c = chart();
    if (!c) return;
    const QRectF plot = c->mapRectToScene(c->plotArea());
    if (plot.width() < 2.0 || plot.height() < 2.0) return;
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, false);
    QPen pen(grid_, 1.0);
    pen.setCosmetic(true);
    painter->setPen(pen);
    // Pixel centres: a one-pixel line on a whole pixel, never smeared over two.
    auto px = [](double x) { return std::floor(x) + 0.5; };
    for (QAbstractAxis* axis : c->axes()) {
        if (!axis->isVisible() || !axis->isGridLineVisible()) continue;
        // Secondary axes (right, top) would draw a second grid that does not line up.
        if (axis->alignment() == Qt::AlignRight || axis->alignment() == Qt::AlignTop) continue;
        const bool horizontal = axis->orientation() == Qt::Horizontal;
        double lo = 0.0, hi = 1.0;
        bool log = false;
        if (const auto* a = qobject_cast<const QValueAxis*>(axis)) {
            lo = a->min();
            hi = a->max();
        } else if (const auto* l = qobject_cast<const QLogValueAxis*>(axis)) {
            lo = std::log(l->min());
            hi = std::log(l->max());
            log = true;
        } else {
            continue;
        }
        if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) continue;
        for (double value : gridValues(axis)) {
            const double f = ((log ? std::log(value) : value) - lo) / (hi - lo);
            if (!(f >= -1e-9 && f <= 1.0 + 1e-9)) continue;
            if (horizontal) {
                const double x = px(plot.left() + f * (plot.width() - 1.0));
                painter->drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
            } else {
                const double y = px(plot.bottom() - 1.0 - f * (plot.height() - 1.0));
                painter->drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
            }
        }
    }
    // The frame: the axis lines of all four sides.
    QPen fpen(frame_, 1.0);
    fpen.setCosmetic(true);
    painter->setPen(fpen);
    painter->setBrush(Qt::NoBrush);
    painter->drawRect(QRectF(px(plot.left()), px(plot.top()), std::floor(plot.width()) - 1.0,
                             std::floor(plot.height()) - 1.0));
    painter->restore();
}

bool RangeKeeper::fit(double lo, double hi) {
    if (!std::isfinite(lo) || !std::isfinite(hi)) return false;
    if (hi < lo) std::swap(lo, hi);
    if (log_) {
        if (!(lo > 0.0)) return false;
        lo = std::max(lo, hi * 1e-12);
        const double a = std::log10(lo), b = std::log10(hi);
        if (valid_) {
            const double A = std::log10(lo_), B = std::log10(hi_);
            if (lo >= lo_ && hi <= hi_ && (b - a) >= 0.35 * (B - A)) return false;
        }
        double na = std::floor(a), nb = std::ceil(b);
        if (nb <= na) nb = na + 1.0;
        const double nlo = std::pow(10.0, na), nhi = std::pow(10.0, nb);
        const bool changed = !valid_ || nlo != lo_ || nhi != hi_;
        lo_ = nlo;
        hi_ = nhi;
        valid_ = true;
        return changed;
    }
    // Values at rounding level (e.g. a charge that is exactly 0 in exact arithmetic) are 0.
    if (std::max(std::abs(lo), std::abs(hi)) < 1e-12) lo = hi = 0.0;
    if (valid_ && lo >= lo_ && hi <= hi_ && (hi - lo) >= 0.35 * (hi_ - lo_)) return false;
    // The same nice range as an exported figure's axis.
    const figure::NiceRange r = figure::niceRange(lo, hi);
    const bool changed = !valid_ || r.lo != lo_ || r.hi != hi_;
    lo_ = r.lo;
    hi_ = r.hi;
    ticks_ = r.ticks;
    step_ = r.step;
    valid_ = true;
    return changed;
}

void RangeKeeper::applyTicks(QValueAxis* axis, double length_px) const {
    // Along a vertical axis of length_px at most one label per 1.6 label heights: more made Qt
    // Charts shorten every label to "..." (preset 7's charge chart in lecture type). The step
    // doubles until they fit.
    double step_used = step_;
    int ticks_used = ticks_;
    if (length_px > 0.0 && axis->orientation() == Qt::Vertical) {
        const double lh = QFontMetricsF(axis->labelsFont()).height();
        const int most = std::max(2, static_cast<int>(length_px / (1.6 * lh)) + 1);
        if (step_used > 0.0)
            while ((hi_ - lo_) / step_used + 1.0 > most + 1e-9)
                step_used *= 2.0;
        ticks_used = std::min(ticks_used, most);
    }
    if (auto* cat = qobject_cast<QCategoryAxis*>(axis)) {
        // Labels at multiples of the step, written exactly.
        for (const QString& l : cat->categoriesLabels())
            cat->remove(l);
        cat->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
        cat->setStartValue(lo_);
        const double step = step_used > 0.0 ? step_used : (hi_ - lo_) / 4.0;
        const long first = static_cast<long>(std::ceil(lo_ / step - 1e-9));
        const long last = static_cast<long>(std::floor(hi_ / step + 1e-9));
        for (long k = first; k <= last && k - first < 40; ++k) {
            const double v = static_cast<double>(k) * step;
            cat->append(k == 0 ? QStringLiteral("0") : QString::number(v, 'g', 4), v);
        }
        cat->setRange(lo_, hi_);
        return;
    }
    axis->setRange(lo_, hi_);
    if (step_used > 0.0 && (hi_ - lo_) / step_used <= 12.0) {
        axis->setTickType(QValueAxis::TicksDynamic);
        axis->setTickAnchor(0.0);
        axis->setTickInterval(step_used);
    } else {
        axis->setTickType(QValueAxis::TicksFixed);
        axis->setTickCount(ticks_used);
    }
}

ChartPanel::ChartPanel(const QString& title, QWidget* parent) : QWidget(parent) {
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(4, 2, 4, 2);
    lay->setSpacing(2);
    header_widget_ = new QWidget;
    header_ = new QHBoxLayout(header_widget_);
    header_->setContentsMargins(6, 3, 6, 3);
    header_->setSpacing(8);
    title_ = new QLabel(title);
    title_->setFont(lectureFont(1.0, true));
    title_->setTextFormat(Qt::RichText);
    title_->setWordWrap(true);  // a narrow dock wraps the title rather than squeezing controls
    header_->addWidget(title_, 1);
    // A dock's title bar takes the header's size hint, not its height for the width: the
    // wrapped title's second line was cut ("θ against its …"). The header asks for the height
    // its width needs.
    header_widget_->installEventFilter(this);
    lay->addWidget(header_widget_);
    chart_ = new QChart;
    chart_->setAnimationOptions(QChart::NoAnimation);
    chart_->setBackgroundRoundness(0);
    chart_->setMargins(QMargins(2, 10, 6, 2));  // room above for the top tick label
    chart_->layout()->setContentsMargins(0, 0, 0, 0);
    chart_->legend()->setFont(lectureFont(0.9));
    // The legend is drawn by the key above the chart (wrapped, whole labels, real line styles);
    // which series it lists is decided by setInKey (hideFromLegend), not by QLegend markers.
    chart_->legend()->setVisible(false);
    key_ = new ChartKey(chart_);
    lay->addWidget(key_);
    view_ = new TrackedChartView(chart_);
    view_->setRenderHint(QPainter::Antialiasing, !qEnvironmentVariableIsSet("NOETHER_NO_AA"));
    view_->setFrameShape(QFrame::NoFrame);
    view_->setMinimumSize(200, 150);
    lay->addWidget(view_, 1);
}

bool ChartPanel::eventFilter(QObject* o, QEvent* e) {
    if (o == header_widget_ && (e->type() == QEvent::Resize || e->type() == QEvent::FontChange ||
                                e->type() == QEvent::LayoutRequest)) {
        const int need = header_->hasHeightForWidth()
                             ? header_->totalHeightForWidth(header_widget_->width())
                             : header_->totalSizeHint().height();
        if (need > 0 && header_widget_->minimumHeight() != need)
            header_widget_->setMinimumHeight(need);
    }
    return QWidget::eventFilter(o, e);
}

void ChartPanel::setTimeWindow(double fraction) {
    window_ = std::clamp(fraction, 1e-4, 1.0);
}

void ChartPanel::applyTheme(bool dark) {
    dark_ = dark;
    const QPalette pal = palette();
    const QColor bg = pal.color(QPalette::Base), fg = pal.color(QPalette::Text);
    chart_->setBackgroundBrush(bg);
    chart_->setPlotAreaBackgroundVisible(false);
    chart_->legend()->setLabelColor(fg);
    chart_->setTitleBrush(fg);
    for (QAbstractAxis* a : chart_->axes()) {
        a->setLabelsColor(fg);
        a->setTitleBrush(fg);
        // The view draws the grid and the axis lines itself (TrackedChartView::drawBackground);
        // Qt Charts keeps the labels and titles. Grid "visible" stays the switch for the view.
        a->setGridLinePen(Qt::NoPen);
        a->setMinorGridLineVisible(false);
        a->setLineVisible(false);
    }
    view_->setBackgroundBrush(bg);
    // The chart's own background would cover the grid the view draws beneath the items.
    chart_->setBackgroundVisible(false);
    view_->setGridColors(textMix(dark ? 0.24 : 0.18), textMix(0.55));
    for (QLineSeries* g : ghost_lines_)
        g->setPen(ghostPen());
}

QLineSeries* ChartPanel::ghostLine(size_t k, const QString& label, int axis) {
    while (ghost_lines_.size() <= k) {
        QLineSeries* s = newGhostLine(ghostPen(), axis);
        s->setVisible(false);
        ghost_lines_.push_back(s);
        fixLegend();  // a new series remakes the legend: hide what must stay hidden again
    }
    QLineSeries* s = ghost_lines_[k];
    const QString name = tr("ghost: %1").arg(label);
    if (s->name() != name) s->setName(name);
    if (!s->isVisible()) s->setVisible(true);
    return s;
}

QLineSeries* ChartPanel::newGhostLine(const QPen& pen, int) {
    auto* s = new QLineSeries;
    s->setPen(pen);
    chart_->addSeries(s);
    for (Qt::Orientation o : {Qt::Horizontal, Qt::Vertical})
        if (!chart_->axes(o).isEmpty()) s->attachAxis(chart_->axes(o).first());
    return s;
}

void ChartPanel::hideGhostLines(size_t used) {
    for (size_t k = used; k < ghost_lines_.size(); ++k)
        if (ghost_lines_[k]->isVisible()) ghost_lines_[k]->setVisible(false);
}

const Trajectory* ChartPanel::ghostTrajectory(const GhostRun& g) {
    if (!g.run || g.run->trajectories.empty()) return nullptr;
    if (const Trajectory* t = g.run->find(Model::Discrete)) return t;
    return &g.run->trajectories.front();
}

int ChartPanel::ghostCount() const {
    int n = 0;
    for (QLineSeries* s : ghost_lines_)
        n += s->isVisible() && s->count() > 0;
    return n;
}

QLineSeries* ChartPanel::ghostSeries(int k) const {
    return k >= 0 && k < static_cast<int>(ghost_lines_.size()) ? ghost_lines_[k] : nullptr;
}

void ChartPanel::styleAxis(QAbstractAxis* axis, const QString& title) {
    axis->setLabelsFont(lectureFont(0.9));
    QFont tf = lectureFont(0.9);
    axis->setTitleFont(tf);
    axis->setTitleText(title);
}

void ChartPanel::makeTimeAxes(QValueAxis*& linear, QLogValueAxis*& log) {
    linear = new QValueAxis;
    linear->setLabelFormat("%.0f");
    linear->setTickCount(5);
    linear->setRange(0, 1);
    styleAxis(linear, tr("step n   (t = nη)"));
    chart_->addAxis(linear, Qt::AlignBottom);
    log = new QLogValueAxis(this);
    log->setBase(10.0);
    log->setLabelFormat("%.0f");
    log->setMinorTickCount(8);
    styleAxis(log, tr("step n + 1   (log scale)"));
}

void ChartPanel::swapTimeAxis(QAbstractAxis* old, QAbstractAxis* now) {
    chart_->removeAxis(old);
    old->setParent(this);
    chart_->addAxis(now, Qt::AlignBottom);
    for (QAbstractSeries* s : chart_->series())
        s->attachAxis(now);
}

QColor ChartPanel::textMix(double a) const {
    const QPalette pal = palette();
    const QColor fg = pal.color(QPalette::Text), bg = pal.color(QPalette::Base);
    auto mix = [a](float f, float b) { return static_cast<float>(a * f + (1.0 - a) * b); };
    return QColor::fromRgbF(mix(fg.redF(), bg.redF()), mix(fg.greenF(), bg.greenF()),
                            mix(fg.blueF(), bg.blueF()));
}

QPen ChartPanel::seriesPen(const QColor& c, double width, Qt::PenStyle style) const {
    QPen pen(c);
    pen.setWidthF(width);
    pen.setStyle(style);
    pen.setCapStyle(Qt::FlatCap);
    pen.setJoinStyle(Qt::RoundJoin);
    return pen;
}

int ChartPanel::plotWidth() const {
    const int w = static_cast<int>(chart_->plotArea().width());
    return w > 10 ? w : 500;
}

int ChartPanel::plotHeight() const {
    const int h = static_cast<int>(chart_->plotArea().height());
    return h > 10 ? h : 300;
}

void ChartPanel::markGeneration(quint64 gen) {
    generation_ = gen;
    view_->setDataGeneration(gen);
    key_->refresh();
}

void ChartPanel::showEvent(QShowEvent* e) {
    QWidget::showEvent(e);
    fixLegend();
    // The legend's own items are shown after this widget: once more when the loop is free.
    QTimer::singleShot(0, this, [this] {
        fixLegend();
        key_->refresh();
    });
    key_->refresh();
}

void ChartPanel::hideFromLegend(QAbstractSeries* s) {
    setInKey(s, false);
    for (QLegendMarker* m : chart_->legend()->markers(s))
        if (m->isVisible()) m->setVisible(false);
    // Qt shows a series' marker again whenever the series is shown (the time marker is, on
    // every scrub): hide it again then. Connected after the legend's own handler, so it runs
    // after it. Without this the charts' legends filled with "now" and blank markers.
    if (!s->property("noetherHiddenFromLegend").toBool()) {
        s->setProperty("noetherHiddenFromLegend", true);
        connect(s, &QAbstractSeries::visibleChanged, this, [this, s] {
            for (QLegendMarker* m : chart_->legend()->markers(s))
                if (m->isVisible()) m->setVisible(false);
        });
    }
}

void ChartPanel::connectLegendToggles() {
    for (QLegendMarker* m : chart_->legend()->markers()) {
        QObject::disconnect(m, &QLegendMarker::clicked, nullptr, nullptr);
        QObject::connect(m, &QLegendMarker::clicked, this, [this, m] {
            QAbstractSeries* s = m->series();
            s->setVisible(!s->isVisible());
            s->setProperty("noetherToggledOff", !s->isVisible());
            m->setVisible(true);
            QFont f = m->font();
            f.setStrikeOut(!s->isVisible());
            m->setFont(f);
            key_->refresh();
        });
    }
}

// ---------------------------------------------------------------------------------------------
ChartKey::ChartKey(QChart* chart, QWidget* parent) : QWidget(parent), chart_(chart) {
    setFont(lectureFont(0.9));
    QSizePolicy sp(QSizePolicy::Expanding, QSizePolicy::Preferred);
    sp.setHeightForWidth(true);
    setSizePolicy(sp);
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Click an entry to hide or show its series"));
}

void setInKey(QAbstractSeries* s, bool shown) {
    s->setProperty("noetherKeyHidden", !shown);
}

std::vector<ChartKey::Entry> ChartKey::entries() const {
    std::vector<Entry> out;
    for (QAbstractSeries* s : chart_->series()) {
        const bool off = s->property("noetherToggledOff").toBool();
        if (s->name().isEmpty() || s->property("noetherKeyHidden").toBool() ||
            (!s->isVisible() && !off))
            continue;
        Entry e{s, s->name(), QPen(Qt::black, 2.0), false, off};
        if (auto* sc = qobject_cast<QScatterSeries*>(s)) {
            e.dot = true;
            e.pen = QPen(sc->color(), 2.0);
        } else if (auto* xy = qobject_cast<QXYSeries*>(s)) {
            e.pen = xy->pen();
        }
        out.push_back(e);
    }
    return out;
}

QStringList ChartKey::labels() const {
    QStringList out;
    for (const Entry& e : shown_)
        out << e.label;
    return out;
}

void ChartKey::refresh() {
    std::vector<Entry> now = entries();
    const bool same =
        now.size() == shown_.size() &&
        std::equal(now.begin(), now.end(), shown_.begin(), [](const Entry& a, const Entry& b) {
            return a.series == b.series && a.label == b.label && a.pen == b.pen && a.dot == b.dot &&
                   a.hidden == b.hidden;
        });
    if (same) return;
    shown_ = std::move(now);
    updateGeometry();
    update();
}

int ChartKey::entryWidth(const Entry& e) const {
    const int h = fontMetrics().height();
    return 2 * h + 6 + fontMetrics().horizontalAdvance(e.label) + h;  // sample, gap, text, gap
}

int ChartKey::layoutEntries(int width, const std::vector<Entry>& es,
                            std::vector<QRect>* rects) const {
    if (es.empty()) return 0;
    const int rh = fontMetrics().height() + 6;
    int x = 6, y = 2;
    for (const Entry& e : es) {
        const int w = entryWidth(e);
        if (x > 6 && x + w > width) {
            x = 6;
            y += rh;
        }
        if (rects) rects->push_back(QRect(x, y, w, rh));
        x += w;
    }
    return y + rh + 2;
}

int ChartKey::heightForWidth(int w) const {
    return layoutEntries(w, shown_, nullptr);
}

QSize ChartKey::sizeHint() const {
    return {300, heightForWidth(width() > 0 ? width() : 300)};
}

QSize ChartKey::minimumSizeHint() const {
    return {0, heightForWidth(width() > 0 ? width() : 300)};
}

void ChartKey::changeEvent(QEvent* e) {
    QWidget::changeEvent(e);
    if (e->type() == QEvent::FontChange) updateGeometry();
}

void ChartKey::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, true);
    std::vector<QRect> rects;
    layoutEntries(width(), shown_, &rects);
    const QFontMetrics fm = fontMetrics();
    const int h = fm.height();
    const QColor text = palette().color(QPalette::WindowText);
    for (size_t k = 0; k < shown_.size(); ++k) {
        const Entry& e = shown_[k];
        const QRect r = rects[k];
        const int mid = r.center().y();
        p.setOpacity(e.hidden ? 0.4 : 1.0);
        if (e.dot) {
            p.setPen(Qt::NoPen);
            p.setBrush(e.pen.color());
            p.drawEllipse(QPointF(r.left() + h, mid), h * 0.3, h * 0.3);
        } else {
            QPen pen = e.pen;
            // The series' own style; very wide pens are drawn at most 4 px wide here.
            if (pen.widthF() > 4.0) pen.setWidthF(4.0);
            pen.setCapStyle(Qt::FlatCap);
            p.setPen(pen);
            p.drawLine(QPointF(r.left(), mid), QPointF(r.left() + 2 * h, mid));
        }
        QFont f = font();
        f.setStrikeOut(e.hidden);
        p.setFont(f);
        p.setPen(text);
        p.drawText(QRect(r.left() + 2 * h + 6, r.top(), r.width() - 2 * h - 6, r.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, e.label);
    }
}

void ChartKey::mousePressEvent(QMouseEvent* e) {
    std::vector<QRect> rects;
    layoutEntries(width(), shown_, &rects);
    for (size_t k = 0; k < shown_.size(); ++k)
        if (rects[k].contains(e->pos())) {
            QAbstractSeries* s = shown_[k].series;
            const bool off = s->isVisible();
            s->setProperty("noetherToggledOff", off);
            s->setVisible(!off);
            for (QLegendMarker* m : chart_->legend()->markers(s)) {  // as a marker click does
                QFont f = m->font();
                f.setStrikeOut(off);
                m->setFont(f);
            }
            refresh();
            return;
        }
    QWidget::mousePressEvent(e);
}

}  // namespace noether::gui

#include "gui/views/time_chart.hpp"

#include <QCategoryAxis>
#include <QLegend>
#include <cmath>

#include "gui/profile.hpp"
#include "gui/views/style.hpp"

namespace noether::gui {

TimeChart::TimeChart(const QString& title, const QString& y_title, bool log_y, QWidget* parent)
    : ChartPanel(title, parent), yr_(log_y), yr2_(false), log_y_(log_y) {
    makeTimeAxes(x_axis_, x_log_);
    if (log_y) {
        auto* a = new QLogValueAxis;
        a->setBase(10.0);
        a->setLabelFormat("%.0e");
        a->setMinorTickCount(-1);
        y_axis_ = a;
    } else {
        auto* a = new QCategoryAxis;  // exact tick labels (RangeKeeper::applyTicks)
        a->setLabelFormat("%.3g");
        y_axis_ = a;
    }
    styleAxis(y_axis_, y_title);
    chart()->addAxis(y_axis_, Qt::AlignLeft);
    marker_ = new QLineSeries;
    marker_->setName(tr("now"));
    chart()->addSeries(marker_);
    marker_->attachAxis(x_axis_);
    marker_->attachAxis(y_axis_);
    hideFromLegend(marker_);
}

QAbstractAxis* TimeChart::xAxis() const {
    return log_time_ ? static_cast<QAbstractAxis*>(x_log_) : x_axis_;
}

QLineSeries* TimeChart::addLine(const QString& name, const QPen& pen, int axis) {
    auto* s = new QLineSeries;
    s->setName(name);
    s->setPen(pen);
    chart()->addSeries(s);
    s->attachAxis(xAxis());
    s->attachAxis(axis == 1 && y2_axis_ ? y2_axis_ : y_axis_);
    lines_.push_back(s);
    return s;
}

void TimeChart::addRightAxis(const QString& title, bool log) {
    log_y2_ = log;
    yr2_ = RangeKeeper(log);
    if (log) {
        auto* a = new QLogValueAxis;
        a->setLabelFormat("%.0e");
        y2_axis_ = a;
    } else {
        auto* a = new QCategoryAxis;
        a->setLabelFormat("%.3g");
        y2_axis_ = a;
    }
    styleAxis(y2_axis_, title);
    chart()->addAxis(y2_axis_, Qt::AlignRight);
}

QLineSeries* TimeChart::newGhostLine(const QPen& pen, int axis) {
    return addLine(QString(), pen, axis);
}

void TimeChart::applyRange(QAbstractAxis* axis, const RangeKeeper& r) {
    if (auto* v = qobject_cast<QValueAxis*>(axis)) {
        r.applyTicks(v, plotHeight());
    } else if (auto* l = qobject_cast<QLogValueAxis*>(axis)) {
        // The range ends on decades; Qt Charts finds its first tick as ceil(ln min / ln 10),
        // which for min = 0.01 is ceil(-1.9999999999999996) = -1: the bottom decade lost its
        // label. A hair wider (1e-9, far below a pixel) keeps both end labels.
        l->setRange(r.lo() * (1.0 - 1e-9), r.hi() * (1.0 + 1e-9));
        const double decades = std::log10(r.hi() / r.lo());
        l->setMinorTickCount(decades <= 3 ? 8 : 0);
        // At most about six labelled decades.
        l->setBase(decades > 12 ? 1e3 : (decades > 6 ? 100.0 : 10.0));
    }
}

void TimeChart::setTimeWindow(double fraction) {
    // fraction 0: the whole run on a log time axis.
    const bool log = fraction <= 0.0;
    ChartPanel::setTimeWindow(log ? 1.0 : fraction);
    if (log == log_time_) return;
    QAbstractAxis* old = xAxis();
    log_time_ = log;
    swapTimeAxis(old, xAxis());
    applyTheme(dark_);
    fixLegend();
    x_end_ = 0;
}

void TimeChart::feed(const std::vector<Feed>& feeds, long steps) {
    steps_ = std::max<long>(steps, 1);
    const long x_end = std::max<long>(1, std::lround(window_ * static_cast<double>(steps_)));
    if (x_end != x_end_) {
        x_end_ = x_end;
        if (log_time_)
            x_log_->setRange(1.0, static_cast<double>(x_end + 1));
        else
            x_axis_->setRange(0.0, static_cast<double>(x_end));
    }
    // One pass over each series: its envelope per pixel column of the window, which gives both
    // the data ranges and the decimated points.
    const double x0 = log_time_ ? 1.0 : 0.0;  // log time plots n + 1
    const AxisMap xmap{x0, static_cast<double>(x_end) + x0, log_time_, plotWidth()};
    envelopes_.resize(feeds.size());
    for (size_t k = 0; k < feeds.size(); ++k) {
        const Feed& f = feeds[k];
        const ProfileScope p("  envelope");
        envelopes_[k].build(f.y, f.n, x0, 1.0, xmap, f.axis == 1 && y2_axis_ ? log_y2_ : log_y_);
    }
    // Data ranges over the window, per axis, visible series only.
    for (int axis = 0; axis < 2; ++axis) {
        if (axis == 1 && !y2_axis_) continue;
        const bool log = axis == 0 ? log_y_ : log_y2_;
        double lo = 0.0, hi = 0.0;
        bool any = false;
        for (size_t k = 0; k < feeds.size(); ++k) {
            const Feed& f = feeds[k];
            if (f.axis != axis || !f.ranged || !f.series->isVisible()) continue;
            double a, b;
            if (envelopes_[k].range(a, b)) {
                lo = any ? std::min(lo, a) : a;
                hi = any ? std::max(hi, b) : b;
                any = true;
            }
        }
        // A linear right axis shares the left one's zero and grid when the left spans zero:
        // right = s * left, s a nice number with the same hysteresis as the ranges.
        if (axis == 1 && !log && !log_y_ && yr_.valid() && yr_.lo() < 0.0 && yr_.hi() > 0.0) {
            double need = 0.0;
            // Rounding-level data (e.g. flow's exactly-zero charge) count as zero.
            if (any && std::max(std::abs(lo), std::abs(hi)) < 1e-12) any = false;
            if (any)
                need = std::max(
                    {need, hi > 0.0 ? hi / yr_.hi() : 0.0, lo < 0.0 ? lo / yr_.lo() : 0.0});
            if (!(need > 1e-300) || !std::isfinite(need))
                need = zero_scale_ > 0.0 ? zero_scale_ : 1.0;
            if (!(zero_scale_ >= need && need >= 0.35 * zero_scale_)) {
                const double p = std::pow(10.0, std::floor(std::log10(need)));
                const double f = need / p;
                zero_scale_ = (f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 5.0 ? 5.0 : 10.0) * p;
            }
            auto* a2 = qobject_cast<QValueAxis*>(y2_axis_);
            auto* a1 = qobject_cast<QValueAxis*>(y_axis_);
            const double nlo = yr_.lo() * zero_scale_, nhi = yr_.hi() * zero_scale_;
            yr2_ = RangeKeeper(false);
            yr2_.force(nlo, nhi);
            yr2_.setStep(yr_.step() * zero_scale_);
            if (a2 && a1 && (a2->min() != nlo || a2->max() != nhi))
                yr2_.applyTicks(a2, plotHeight());
            continue;
        }
        RangeKeeper& r = axis == 0 ? yr_ : yr2_;
        if (any && r.fit(lo, hi)) applyRange(axis == 0 ? y_axis_ : y2_axis_, r);
        if (!r.valid() && r.fit(log ? 1e-3 : -1.0, 1.0))
            applyRange(axis == 0 ? y_axis_ : y2_axis_, r);
    }
    QList<QPointF> pts;
    for (QLineSeries* s : lines_) {
        size_t k = 0;
        while (k < feeds.size() && feeds[k].series != s)
            ++k;
        pts.clear();
        if (k < feeds.size()) {
            const ProfileScope p("  decimate series");
            const RangeKeeper& r = feeds[k].axis == 1 && y2_axis_ ? yr2_ : yr_;
            const AxisMap ymap = r.map(plotHeight());
            envelopes_[k].points(ymap, pts);
            simplifyPolyline(pts, xmap, ymap);
        }
        if (pts.isEmpty() && s->count() == 0) continue;
        const ProfileScope p("  replace series");
        if (profiling()) profileAdd("  points per series", pts.size());
        s->replace(pts);
    }
    updateMarker();
    fixLegend();
}

void TimeChart::setTimeIndex(long index) {
    time_index_ = index;
    updateMarker();
}

void TimeChart::updateMarker() {
    if (!yr_.valid()) return;
    const double x =
        static_cast<double>(std::clamp<long>(time_index_, 0, steps_)) + (log_time_ ? 1.0 : 0.0);
    QList<QPointF> pts{QPointF(x, yr_.lo()), QPointF(x, yr_.hi())};
    marker_->replace(pts);
}

void TimeChart::applyTheme(bool dark) {
    ChartPanel::applyTheme(dark);
    marker_->setPen(seriesPen(textMix(0.6), 2.0));
    fixLegend();
}

void TimeChart::fixLegend() {
    hideFromLegend(marker_);
}

}  // namespace noether::gui

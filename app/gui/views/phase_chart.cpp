#include "gui/views/phase_chart.hpp"

#include <QCategoryAxis>
#include <QLegend>
#include <QPainter>
#include <cmath>

#include "gui/views/style.hpp"

namespace noether::gui {

namespace {}

FieldItem::FieldItem(QChart* chart) : QGraphicsItem(chart), chart_(chart) {
    setZValue(-1);  // under the series
}

void FieldItem::setArrows(std::vector<PhaseArrow> arrows, const QColor& color) {
    prepareGeometryChange();
    arrows_ = std::move(arrows);
    color_ = color;
    update();
}

QRectF FieldItem::boundingRect() const {
    return chart_->plotArea();
}

void FieldItem::paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) {
    if (arrows_.empty()) return;
    const QRectF area = chart_->plotArea();
    p->save();
    p->setClipRect(area);
    p->setRenderHint(QPainter::Antialiasing, true);
    QPen pen(color_);
    pen.setWidthF(1.6);
    p->setPen(pen);
    p->setBrush(color_);
    const double len = std::min(area.width(), area.height()) / 22.0;
    for (const PhaseArrow& a : arrows_) {
        const QPointF p0 = chart_->mapToPosition(QPointF(a.x, a.y));
        // Direction in pixels: map a small step along the flow.
        const double eps = 1e-3;
        const double s = eps / std::max(std::hypot(a.dx, a.dy), 1e-300);
        const QPointF p1 = chart_->mapToPosition(QPointF(a.x + s * a.dx, a.y + s * a.dy));
        QPointF d = p1 - p0;
        const double n = std::hypot(d.x(), d.y());
        if (!(n > 0) || !std::isfinite(n)) continue;
        d /= n;
        const QPointF tail = p0 - 0.5 * len * d, head = p0 + 0.5 * len * d;
        p->drawLine(tail, head);
        const QPointF nrm(-d.y(), d.x());
        const QPointF tri[3] = {head + 0.0 * d, head - 0.35 * len * d + 0.18 * len * nrm,
                                head - 0.35 * len * d - 0.18 * len * nrm};
        p->drawPolygon(tri, 3);
    }
    p->restore();
}

PhaseChart::PhaseChart(QWidget* parent) : ChartPanel(QString(), parent) {
    coordinate_ = new QComboBox;
    coordinate_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    // The choice stays readable; a long title wraps instead (ChartPanel).
    coordinate_->setSizePolicy(QSizePolicy::Minimum, QSizePolicy::Fixed);
    coordinate_->setToolTip(
        tr("The coordinate plotted against its rate. The symmetry-reduced ones come first:\n"
           "scale → r = |q| (Eq. 15/16), rotation → angle θ, translation → X = ⟨q, n̂⟩ "
           "(m X″ + μ X′ + k X = 0 closes: its vector field is drawn),\n"
           "rescale → D = |a|² − |b|²; then every coordinate q_i against v_i."));
    header()->addWidget(coordinate_);
    // Category axes: tick labels are written here, exactly (no "-2.8e-17" at zero).
    x_axis_ = new QCategoryAxis;
    y_axis_ = new QCategoryAxis;
    x_axis_->setLabelFormat("%.3g");
    y_axis_->setLabelFormat("%.3g");
    styleAxis(x_axis_, QString());
    styleAxis(y_axis_, QString());
    chart()->addAxis(x_axis_, Qt::AlignBottom);
    // The last x label is centred on the plot's right edge: leave it room (no right axis here).
    // The top y label is centred on the top edge: room above for it too (it was cut, "0.5").
    chart()->setMargins(QMargins(2, 10, 22, 2));
    chart()->addAxis(y_axis_, Qt::AlignLeft);
    field_ = new FieldItem(chart());
    for (Model m : kModelDrawOrder) {
        const int i = static_cast<int>(m);
        curve_[i] = new QLineSeries;
        curve_[i]->setName(modelName(m));
        curve_[i]->setPen(seriesPen(modelColor(m, false), modelChartWidth(m),
                                    modelDashed(m) ? Qt::DashLine : Qt::SolidLine));
        chart()->addSeries(curve_[i]);
        curve_[i]->attachAxis(x_axis_);
        curve_[i]->attachAxis(y_axis_);
        curve_[i]->setVisible(false);
    }
    for (int i = 0; i < kModelCount; ++i) {
        now_[i] = new QScatterSeries;
        now_[i]->setMarkerSize(15);
        now_[i]->setColor(modelColor(kAllModels[i], false));
        now_[i]->setBorderColor(Qt::white);
        chart()->addSeries(now_[i]);
        now_[i]->attachAxis(x_axis_);
        now_[i]->attachAxis(y_axis_);
        hideFromLegend(now_[i]);
    }
    connect(coordinate_, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (i >= 0 && i < static_cast<int>(coords_.size()))
            wanted_id_ = QString::fromStdString(coords_[i].id);
        xr_.reset();
        yr_.reset();
        rebuild();
    });
    connect(chart(), &QChart::plotAreaChanged, this, [this] { field_->update(); });
}

const PhaseCoordinate* PhaseChart::coordinate() const {
    const int i = coordinate_->currentIndex();
    return i >= 0 && i < static_cast<int>(coords_.size()) ? &coords_[i] : nullptr;
}

void PhaseChart::fixLegend() {
    for (QScatterSeries* s : now_)
        hideFromLegend(s);
}

int PhaseChart::pointCount(Model model) const {
    return curve_[static_cast<int>(model)]->count();
}

void PhaseChart::applyTheme(bool dark) {
    ChartPanel::applyTheme(dark);
    const QColor base = palette().color(QPalette::Base);
    for (int i = 0; i < kModelCount; ++i) {
        const Model m = kAllModels[i];
        curve_[i]->setPen(seriesPen(modelColor(m, dark), modelChartWidth(m),
                                    modelDashed(m) ? Qt::DashLine : Qt::SolidLine));
        now_[i]->setColor(modelColor(m, dark));
        now_[i]->setBorderColor(base);
        hideFromLegend(now_[i]);
    }
    rebuild();
}

void PhaseChart::setCoordinate(const QString& id) {
    wanted_id_ = id;
    for (size_t i = 0; i < coords_.size(); ++i)
        if (QString::fromStdString(coords_[i].id) == id) coordinate_->setCurrentIndex(int(i));
}

void PhaseChart::setTimeWindow(double fraction) {
    ChartPanel::setTimeWindow(fraction <= 0.0 ? 1.0 : fraction);
    rebuild();
}

void PhaseChart::updateCoordinates() {
    const std::string key = run_->loss->name() + "/" + std::to_string(run_->loss->dim()) + "/" +
                            std::to_string(run_->loss->generators().size());
    if (key == loss_key_) return;
    loss_key_ = key;
    coords_ = phase_coordinates(*run_->loss);
    const QSignalBlocker block(coordinate_);
    coordinate_->clear();
    int pick = 0;
    for (size_t i = 0; i < coords_.size(); ++i) {
        coordinate_->addItem(QString::fromStdString(coords_[i].label + "  vs  " + coords_[i].rate));
        if (QString::fromStdString(coords_[i].id) == wanted_id_) pick = static_cast<int>(i);
    }
    coordinate_->setCurrentIndex(pick);
    xr_.reset();
    yr_.reset();
}

void PhaseChart::setRun(std::shared_ptr<const Run> run, quint64 gen) {
    run_ = std::move(run);
    gen_ = gen;
    updateCoordinates();
    rebuild();
}

void PhaseChart::rebuild() {
    if (!run_ || coords_.empty()) return;
    const int ci = std::clamp(coordinate_->currentIndex(), 0, static_cast<int>(coords_.size()) - 1);
    const PhaseCoordinate& c = coords_[ci];
    x_axis_->setTitleText(QString::fromStdString(c.label));
    y_axis_->setTitleText(QString::fromStdString(c.rate));
    const long end = std::lround(window_ * static_cast<double>(run_->scene.steps)) + 1;
    bool present[kModelCount] = {};
    double xlo = 0, xhi = 0, ylo = 0, yhi = 0;
    bool any = false;
    for (auto& d : data_) {
        d.x.clear();
        d.rate.clear();
    }
    auto fit = [&](const PhaseCurve& d) {
        const long n = std::min<long>(end, static_cast<long>(d.x.size()));
        double a, b, e, f;
        if (finiteRange(d.x.data(), n, false, a, b) && finiteRange(d.rate.data(), n, false, e, f)) {
            xlo = any ? std::min(xlo, a) : a;
            xhi = any ? std::max(xhi, b) : b;
            ylo = any ? std::min(ylo, e) : e;
            yhi = any ? std::max(yhi, f) : f;
            any = true;
        }
    };
    for (const Trajectory& tr : run_->trajectories) {
        const int mi = static_cast<int>(tr.model);
        present[mi] = true;
        data_[mi] = phase_curve(tr, c);
        fit(data_[mi]);
    }
    // Companion scenes (a preset's "ghost"): the same coordinate of their discrete model, where
    // it means the same thing (same loss dimension).
    std::vector<QString> ghost_labels;
    ghost_data_.clear();
    for (const GhostRun& g : ghosts_) {
        const Trajectory* t = ghostTrajectory(g);
        if (!t || t->q.rows() != run_->scene.q0.size() || t->samples() == 0) continue;
        ghost_data_.push_back(phase_curve(*t, c));
        ghost_labels.push_back(g.label);
        fit(ghost_data_.back());
    }
    if (any) {
        if (xr_.fit(xlo, xhi)) {
            xr_.applyTicks(x_axis_);
        }
        if (yr_.fit(ylo, yhi)) {
            yr_.applyTicks(y_axis_, plotHeight());
        }
    }
    // A curve's points in the window, one pixel apart and simplified to a quarter pixel.
    QList<QPointF> pts;
    auto path = [&](const PhaseCurve& d) {
        pts.clear();
        if (!xr_.valid() || !yr_.valid()) return;
        const long n = std::min<long>(end, static_cast<long>(d.x.size()));
        const AxisMap xm = xr_.map(plotWidth()), ym = yr_.map(plotHeight());
        decimatePath(d.x.data(), d.rate.data(), n, xm, ym, 1.0, pts);
        simplifyPolyline(pts, xm, ym);
    };
    for (int i = 0; i < kModelCount; ++i) {
        if (curve_[i]->isVisible() != present[i]) curve_[i]->setVisible(present[i]);
        if (present[i])
            path(data_[i]);
        else
            pts.clear();
        if (!pts.isEmpty() || curve_[i]->count() > 0) curve_[i]->replace(pts);
    }
    for (size_t k = 0; k < ghost_data_.size(); ++k) {
        QLineSeries* s = ghostLine(k, ghost_labels[k]);
        path(ghost_data_[k]);
        s->replace(pts);
    }
    hideGhostLines(ghost_data_.size());
    // The reduced vector field, where the dynamics closes.
    auto field = xr_.valid() ? phase_vector_field(*run_->loss, run_->scene.rule, c, xr_.lo(),
                                                  xr_.hi(), yr_.lo(), yr_.hi(), 17, 13)
                             : std::nullopt;
    field_shown_ = field.has_value();
    if (field_shown_)
        titleLabel()->setText(c.kind == PhaseKind::Translation
                                  ? tr("closed: m X″ + μ X′ + k X = 0 (arrows)")
                                  : tr("closed: m q″ + μ q′ + f′(q) + k q = 0 (arrows)"));
    else
        titleLabel()->setText(
            tr("%1 against its rate")
                .arg(QString::fromStdString(c.label.substr(0, c.label.find(' ')))));
    QColor fc = palette().color(QPalette::Text);
    fc.setAlpha(70);
    field_->setArrows(field ? std::move(*field) : std::vector<PhaseArrow>{}, fc);
    updateMarkers();
    fixLegend();
    markGeneration(gen_);
}

void PhaseChart::setTimeIndex(long index) {
    time_index_ = index;
    updateMarkers();
}

void PhaseChart::updateMarkers() {
    for (int i = 0; i < kModelCount; ++i) {
        const auto& d = data_[i];
        if (d.x.empty()) {
            if (now_[i]->count() > 0) now_[i]->clear();
            continue;
        }
        const long k = std::clamp<long>(time_index_, 0, static_cast<long>(d.x.size()) - 1);
        QList<QPointF> p{QPointF(xr_.valid() ? xr_.map(1).clampValue(d.x[k]) : d.x[k],
                                 yr_.valid() ? yr_.map(1).clampValue(d.rate[k]) : d.rate[k])};
        now_[i]->replace(p);
    }
}

}  // namespace noether::gui

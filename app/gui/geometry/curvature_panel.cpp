#include "gui/geometry/curvature_panel.hpp"

#include <QEvent>
#include <QLegend>
#include <QLegendMarker>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <numbers>

#include "gui/geometry/eigen_cross.hpp"
#include "gui/views/style.hpp"

namespace noether::gui {

namespace {

// Subscript digits: λ₁₂.
QString sub(int k) {
    static const QString digits = QString::fromUtf8("₀₁₂₃₄₅₆₇₈₉");
    QString out;
    for (QChar c : QString::number(k))
        out += digits[c.digitValue()];
    return out;
}

QString num(double v, int digits = 3) {
    if (!std::isfinite(v)) return QStringLiteral("—");
    return QString::number(v, 'g', digits);
}

// Colour of eigenvalue k of n: λ_max vermillion, the others in Okabe–Ito order.
QColor eigenColor(int k, int n, bool dark) {
    if (k == n - 1) return okabe_ito::kVermillion;
    const QColor others[] = {dark ? okabe_ito::kSkyBlue : okabe_ito::kBlue,
                             okabe_ito::kBluishGreen,
                             okabe_ito::kReddishPurple,
                             okabe_ito::kOrange,
                             dark ? okabe_ito::kYellow : QColor(120, 120, 120),
                             okabe_ito::kSkyBlue,
                             QColor(160, 160, 160)};
    return others[std::min(k, 6)];
}

}  // namespace

// ---------------------------------------------------------------------------------------------
std::vector<long> curvatureSamples(long total, long max_samples) {
    std::vector<long> idx;
    if (total <= 0) return idx;
    const long m = std::max<long>(2, max_samples / 2);
    const double last = static_cast<double>(total - 1);
    for (long k = 0; k < m; ++k) {
        const double f = static_cast<double>(k) / static_cast<double>(m - 1);
        idx.push_back(std::lround(f * last));
        idx.push_back(std::lround(std::expm1(f * std::log1p(last))));
    }
    std::sort(idx.begin(), idx.end());
    idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
    return idx;
}

HessianSeries curvatureAlongRun(const Loss& loss, const Trajectory& tr, const RuleParams& rule,
                                long max_samples) {
    return hessian_at_samples(loss, tr, rule, curvatureSamples(tr.samples(), max_samples));
}

// ---------------------------------------------------------------------------------------------
CurveChart::CurveChart(const QString& title, const QString& y_title, QWidget* parent)
    : ChartPanel(title, parent) {
    makeTimeAxes(x_axis_, x_log_);
    y_axis_ = new QValueAxis;
    y_axis_->setLabelFormat("%.3g");
    styleAxis(y_axis_, y_title);
    chart()->addAxis(y_axis_, Qt::AlignLeft);
    marker_ = new QLineSeries;
    marker_->setName(tr("now"));
    chart()->addSeries(marker_);
    marker_->attachAxis(x_axis_);
    marker_->attachAxis(y_axis_);
    hideMarkerFromLegend();
    view()->setMinimumSize(200, 130);
    // The legend sits at the right: the dock is short and stacks three charts.
    chart()->legend()->setAlignment(Qt::AlignRight);
    titleLabel()->setWordWrap(true);
    titleLabel()->setMinimumWidth(100);
}

void CurveChart::setFixedRange(double lo, double hi) {
    fixed_ = std::make_pair(lo, hi);
    y_axis_->setRange(lo, hi);
}

void CurveChart::setXTitleVisible(bool on) {
    x_axis_->setTitleVisible(on);
    x_log_->setTitleVisible(on);
}

QAbstractAxis* CurveChart::xAxis() const {
    return log_time_ ? static_cast<QAbstractAxis*>(x_log_) : x_axis_;
}

void CurveChart::setTimeWindow(double fraction) {
    const bool log = fraction <= 0.0;
    ChartPanel::setTimeWindow(log ? 1.0 : fraction);
    if (log == log_time_) return;
    QAbstractAxis* old = xAxis();
    log_time_ = log;
    swapTimeAxis(old, xAxis());
    hideMarkerFromLegend();
    applyTheme(dark_);
}

void CurveChart::setCurves(std::vector<double> x, std::vector<Curve> curves, long steps,
                           quint64 gen) {
    x_ = std::move(x);
    curves_ = std::move(curves);
    steps_ = std::max<long>(steps, 1);
    gen_ = gen;
    redraw();
}

void CurveChart::redraw() {
    const double x_end = std::max(1.0, std::round(window_ * static_cast<double>(steps_)));
    // Log time plots n + 1.
    const double x0 = log_time_ ? 1.0 : 0.0;
    if (log_time_)
        x_log_->setRange(1.0, x_end + 1.0);
    else
        x_axis_->setRange(0.0, x_end);
    // Samples inside the window, and one past it so the curves reach the edge.
    long n = 0;
    while (n < static_cast<long>(x_.size()) && x_[n] <= x_end)
        ++n;
    if (n < static_cast<long>(x_.size())) ++n;
    if (fixed_) {
        if (ylo_ != fixed_->first || yhi_ != fixed_->second)
            setYRange(fixed_->first, fixed_->second);
    } else {
        double lo = 0.0, hi = 0.0;
        bool any = false;
        for (const Curve& c : curves_) {
            if (!c.ranged) continue;
            double a, b;
            if (finiteRange(c.y.data(), std::min<long>(n, static_cast<long>(c.y.size())), false, a,
                            b)) {
                lo = any ? std::min(lo, a) : a;
                hi = any ? std::max(hi, b) : b;
                any = true;
            }
        }
        if (!any) {
            lo = -1.0;
            hi = 1.0;
        }
        if (yr_.fit(lo, hi)) setYRange(yr_.lo(), yr_.hi());
    }
    // One series per curve; spare series are emptied and hidden.
    bool added = false;
    while (series_.size() < curves_.size()) {
        auto* s = new QLineSeries;
        chart()->addSeries(s);
        s->attachAxis(xAxis());
        s->attachAxis(y_axis_);
        series_.push_back(s);
        added = true;
    }
    const AxisMap xmap{x0, x_end + x0, log_time_, plotWidth()};
    const AxisMap ymap{ylo_, yhi_, false, std::max(plotHeight(), 1)};
    std::vector<double> xs(x_);
    for (double& v : xs)
        v += x0;
    QList<QPointF> pts;
    for (size_t k = 0; k < series_.size(); ++k) {
        QLineSeries* s = series_[k];
        if (k >= curves_.size()) {
            if (s->count() > 0) s->clear();
            if (s->isVisible()) s->setVisible(false);
            continue;
        }
        const Curve& c = curves_[k];
        if (s->name() != c.name) s->setName(c.name);
        s->setPen(seriesPen(c.color, c.width, c.style));
        pts.clear();
        decimatePath(xs.data(), c.y.data(), std::min<long>(n, static_cast<long>(c.y.size())), xmap,
                     ymap, 0.75, pts);
        s->replace(pts);
        if (!s->isVisible()) s->setVisible(true);
    }
    if (added) connectLegendToggles();
    hideMarkerFromLegend();
    updateMarker();
    markGeneration(gen_);
}

int CurveChart::curveCount() const {
    int c = 0;
    for (QLineSeries* s : series_)
        c += s->isVisible() && s->count() > 0;
    return c;
}

QLineSeries* CurveChart::series(int k) const {
    return k >= 0 && k < static_cast<int>(series_.size()) ? series_[k] : nullptr;
}

void CurveChart::setTimeIndex(long index) {
    index_ = index;
    updateMarker();
}

void CurveChart::setYRange(double lo, double hi) {
    // At most about four labelled ticks on nice numbers: the charts are short.
    ylo_ = lo;
    yhi_ = hi;
    const double raw = (hi - lo) / 2.5;
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / p;
    double step = (f < 1.5 ? 1.0 : f < 3.5 ? 2.0 : f < 7.5 ? 5.0 : 10.0) * p;
    if (hi - lo == 90.0) step = 30.0;  // degrees
    // Dynamic ticks only where stepping from the anchor is exact enough to end (a diverging run
    // can put the range at 1e16 with a step of 1): otherwise four fixed ticks. The range changes
    // under fixed ticks, so that an old interval never meets a new, huge range.
    y_axis_->setTickType(QValueAxis::TicksFixed);
    y_axis_->setTickCount(4);
    y_axis_->setRange(lo, hi);
    const bool fine = std::isfinite(step) && step > 0.0 && (hi - lo) / step < 20.0 &&
                      std::max(std::abs(lo), std::abs(hi)) / step < 1e9;
    if (fine) {
        y_axis_->setTickAnchor(std::floor(lo / step) * step);
        y_axis_->setTickInterval(step);
        y_axis_->setTickType(QValueAxis::TicksDynamic);
    }
}

void CurveChart::hideMarkerFromLegend() {
    for (QLegendMarker* m : chart()->legend()->markers(marker_))
        m->setVisible(false);
    setInKey(marker_, false);
}

void CurveChart::applyTheme(bool dark) {
    ChartPanel::applyTheme(dark);
    marker_->setPen(seriesPen(textMix(0.6), 2.0));
    hideMarkerFromLegend();
}

void CurveChart::updateMarker() {
    if (!(yhi_ > ylo_) || x_.empty()) {
        if (marker_->count() > 0) marker_->clear();
        return;
    }
    const double x =
        static_cast<double>(std::clamp<long>(index_, 0, steps_)) + (log_time_ ? 1.0 : 0.0);
    marker_->replace(QList<QPointF>{QPointF(x, ylo_), QPointF(x, yhi_)});
}

// ---------------------------------------------------------------------------------------------
CurvaturePanel::CurvaturePanel(QWidget* parent) : QWidget(parent) {
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(4, 2, 4, 2);
    lay->setSpacing(2);
    title_ = new QLabel;
    title_->setFont(lectureFont(1.0, true));
    title_->setWordWrap(true);
    identities_ = new QLabel;
    identities_->setTextFormat(Qt::RichText);
    identities_->setWordWrap(true);
    identities_->setFont(lectureFont(0.95));
    identities_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    identities_->setToolTip(
        tr("For an exact symmetry ξ(q) = A q + b of f (L_ξ f ≡ 0), PHYSICS.md §3:\n"
           "H1: H ξ = −Aᵀ∇f     H2: ⟨ξ, Hξ⟩ = −⟨∇f, Aξ⟩\n"
           "The worst normalised residual over the analysed samples: round-off (≈ 1e-16) when "
           "the\nloss, its Hessian and the generator are right. ε > 0 breaks the symmetry, so "
           "they need not hold."));
    point_ = new QLabel;
    point_->setTextFormat(Qt::RichText);
    point_->setWordWrap(true);
    point_->setFont(lectureFont(0.95));
    point_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    lay->addWidget(title_);
    lay->addWidget(identities_);
    lay->addWidget(point_);

    spectrum_ =
        new CurveChart(tr("Hessian spectrum λᵢ and the edge of stability 2(1+β)/η"), tr("λ"));
    spectrum_->titleLabel()->setToolTip(
        tr("Every eigenvalue of the Hessian H(q(t)) along the run; λ_max (sharpness) thick.\n"
           "Dashed: the heavy-ball stability line 2(1+β)/η (PHYSICS.md §5.7): on a quadratic, "
           "GD with momentum β is stable iff η λ_max < 2(1+β)."));
    alignment_ = new CurveChart(tr("Gradient alignment |⟨∇f, uᵢ⟩| / |∇f|"), tr("|cos|"));
    alignment_->titleLabel()->setToolTip(
        tr("How the gradient sits in the Hessian's eigenbasis: the cosine between ∇f and each\n"
           "eigenvector uᵢ (colours as in the spectrum). For scale symmetry ⟨∇f, uᵢ⟩ = "
           "−λᵢ⟨q, uᵢ⟩:\nthe gradient has no component on flat directions (PHYSICS.md §3.2)."));
    alignment_->setFixedRange(0.0, 1.0);
    angle_ = new CurveChart(tr("Angle between ξ(q) and the flattest direction"), tr("deg"));
    angle_->titleLabel()->setToolTip(
        tr("The angle between the line of each generator ξ(q) = A q + b and the eigenvector of "
           "least |λ|.\nAt a critical point H ξ = 0 (H3): the orbit is a flat valley, angle 0."));
    angle_->setFixedRange(0.0, 90.0);
    spectrum_->setXTitleVisible(false);
    alignment_->setXTitleVisible(false);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(spectrum_);
    split->addWidget(alignment_);
    split->addWidget(angle_);
    split->setChildrenCollapsible(false);
    lay->addWidget(split, 1);
    dark_ = isDark(palette());
    applyTheme(dark_);
}

const Trajectory* CurvaturePanel::trajectory() const {
    if (!run_ || run_->trajectories.empty()) return nullptr;
    if (const Trajectory* tr = run_->find(Model::Discrete)) return tr;
    return &run_->trajectories.front();
}

void CurvaturePanel::setRun(std::shared_ptr<const Run> run, quint64 gen) {
    if (!run || gen <= gen_) return;
    run_ = std::move(run);
    gen_ = gen;
    scheduleAnalysis();
}

void CurvaturePanel::scheduleAnalysis() {
    if (!shown() || scheduled_ || analysed_ == gen_) return;
    scheduled_ = true;
    QTimer::singleShot(0, this, [this] {
        scheduled_ = false;
        if (shown()) analyse();
    });
}

void CurvaturePanel::setOnScreen(bool on) {
    if (on == on_screen_) return;
    on_screen_ = on;
    if (!on) return;
    for (CurveChart* c : {spectrum_, alignment_, angle_})
        c->setTimeIndex(index_);
    scheduleAnalysis();
    if (isVisible()) updatePoint();
}

void CurvaturePanel::showEvent(QShowEvent* e) {
    QWidget::showEvent(e);
    scheduleAnalysis();
}

void CurvaturePanel::changeEvent(QEvent* e) {
    if (e->type() == QEvent::PaletteChange || e->type() == QEvent::ApplicationPaletteChange) {
        const bool dark = isDark(palette());
        if (dark != dark_) applyTheme(dark);
    }
    QWidget::changeEvent(e);
}

void CurvaturePanel::analyse() {
    if (!run_ || analysed_ == gen_) return;
    analysed_ = gen_;
    const Trajectory* traj = trajectory();
    if (traj && traj->samples() > 0)
        series_ = curvatureAlongRun(*run_->loss, *traj, run_->scene.rule, kCurvatureSamples);
    else
        series_.reset();
    rebuildCharts();
    updateIdentities();
    updatePoint();
    emit analysed(analysed_);
}

void CurvaturePanel::rebuildCharts() {
    const Trajectory* traj = trajectory();
    if (!series_ || !traj) {
        title_->setText(traj ? tr("Curvature: no finite sample to analyse") : QString());
        for (CurveChart* c : {spectrum_, alignment_, angle_})
            c->setCurves({}, {}, 1, gen_);
        return;
    }
    const HessianSeries& hs = *series_;
    const int n = static_cast<int>(hs.eigenvalues.rows());
    const long m = static_cast<long>(hs.sample.size());
    title_->setText(tr("Curvature of f along the %1 run  (%2 of %3 samples analysed)")
                        .arg(modelName(traj->model))
                        .arg(m)
                        .arg(traj->samples()));
    std::vector<double> x(m);
    for (long k = 0; k < m; ++k)
        x[k] = static_cast<double>(hs.sample[k]);
    const QColor text = palette().color(QPalette::Text);

    // Spectrum and the stability line (counted for the range only when it is near the data).
    std::vector<CurveChart::Curve> spec;
    double lam_abs = 0.0;
    for (int i = 0; i < n; ++i) {
        CurveChart::Curve c;
        c.name = i == n - 1 ? tr("λ%1 = λ_max").arg(sub(i + 1)) : tr("λ%1").arg(sub(i + 1));
        c.color = eigenColor(i, n, dark_);
        c.width = i == n - 1 ? 4.0 : 2.5;
        c.y.resize(m);
        for (long k = 0; k < m; ++k) {
            c.y[k] = hs.eigenvalues(i, k);
            if (std::isfinite(c.y[k])) lam_abs = std::max(lam_abs, std::abs(c.y[k]));
        }
        spec.push_back(std::move(c));
    }
    {
        CurveChart::Curve c;
        const bool near = hs.stability_line <= 3.0 * std::max(lam_abs, 1e-300);
        c.name = near ? tr("edge %1").arg(num(hs.stability_line))
                      : tr("edge %1 ↑").arg(num(hs.stability_line));
        c.color = text;
        c.width = 2.0;
        c.style = Qt::DashLine;
        c.y.assign(m, hs.stability_line);
        c.ranged = near;
        spec.push_back(std::move(c));
        spectrum_->titleLabel()->setText(
            near ? tr("Hessian spectrum λᵢ · edge of stability 2(1+β)/η = %1")
                       .arg(num(hs.stability_line))
                 : tr("Hessian spectrum λᵢ · edge 2(1+β)/η = %1 is far above")
                       .arg(num(hs.stability_line)));
    }
    spectrum_->setCurves(x, std::move(spec), run_->scene.steps, gen_);

    // Alignment of the gradient with each eigenvector.
    std::vector<CurveChart::Curve> align;
    for (int i = 0; i < n; ++i) {
        CurveChart::Curve c;
        c.name = tr("u%1").arg(sub(i + 1));
        c.color = eigenColor(i, n, dark_);
        c.width = i == n - 1 ? 3.5 : 2.5;
        c.y.resize(m);
        for (long k = 0; k < m; ++k)
            c.y[k] = std::abs(hs.alignment(i, k));
        align.push_back(std::move(c));
    }
    alignment_->setCurves(x, std::move(align), run_->scene.steps, gen_);

    // Angle of each generator with the flattest eigenvector.
    std::vector<CurveChart::Curve> ang;
    for (size_t g = 0; g < hs.generators.size(); ++g) {
        CurveChart::Curve c;
        c.name = tr("ξ %1").arg(QString::fromStdString(hs.generators[g].name));
        c.color = generatorColor(static_cast<int>(g), dark_);
        c.width = 3.0;
        c.y.resize(m);
        for (long k = 0; k < m; ++k)
            c.y[k] = hs.generators[g].angle_to_flattest[k] * 180.0 / std::numbers::pi;
        ang.push_back(std::move(c));
    }
    angle_->titleLabel()->setText(
        hs.generators.empty()
            ? tr("Angle between ξ(q) and the flattest direction: no symmetry generator "
                 "(Tools → Find symmetries)")
            : tr("Angle between ξ(q) and the flattest direction"));
    angle_->setCurves(x, std::move(ang), run_->scene.steps, gen_);
}

void CurvaturePanel::updateIdentities() {
    if (!series_ || !run_) {
        identities_->setText(QString());
        return;
    }
    if (run_->loss->generators().empty()) {
        identities_->setText(
            tr("H1, H2: the loss has no symmetry generator to check "
               "(Tools → Find symmetries)"));
        return;
    }
    const double h1 = series_->max_h1_residual, h2 = series_->max_h2_residual;
    const double eps = run_->loss->eps();
    const QString tick = QStringLiteral("<b style='color:#009E73'>✓</b>");
    const QString cross = QStringLiteral("<b style='color:#D55E00'>✗</b>");
    auto mark = [&](double r) {
        return eps != 0.0 ? QString() : (r <= kIdentityTolerance ? tick : cross);
    };
    QString html = tr("H1 residual <b>%1</b> %2 &nbsp;&nbsp; H2 residual <b>%3</b> %4")
                       .arg(num(h1, 2), mark(h1), num(h2, 2), mark(h2));
    if (eps != 0.0)
        html += tr("<br><i>ε = %1 breaks the symmetry: H1 and H2 need not hold</i>").arg(num(eps));
    else if (h1 > kIdentityTolerance || h2 > kIdentityTolerance)
        html += tr("<br><i>a generator is not an exact symmetry of f here</i>");
    identities_->setText(html);
}

void CurvaturePanel::setTimeIndex(long index) {
    index_ = index;
    if (!shown()) return;
    for (CurveChart* c : {spectrum_, alignment_, angle_})
        c->setTimeIndex(index);
    updatePoint();
}

void CurvaturePanel::updatePoint() {
    const Trajectory* traj = trajectory();
    if (!traj || traj->samples() == 0) {
        point_->setText(QString());
        return;
    }
    const long k = std::clamp<long>(index_, 0, traj->samples() - 1);
    auto p = hessian_at(*run_->loss, traj->q.col(k));
    if (!p) {
        point_->setText(tr("n = %1: %2").arg(k).arg(QString::fromStdString(p.error().message)));
        return;
    }
    QStringList lam;
    for (Eigen::Index i = 0; i < p->eigenvalues.size(); ++i)
        lam << num(p->eigenvalues[i]);
    const double edge = stability_line(run_->scene.rule);
    QString html = tr("n = %1: &nbsp;λ = (%2) &nbsp;·&nbsp; λ_max / edge = <b>%3</b>")
                       .arg(k)
                       .arg(lam.join(", "), num(p->sharpness / edge));
    for (const GeneratorGeometry& g : p->generators)
        html += tr(" &nbsp;·&nbsp; ∠(ξ %1, flattest) = %2°")
                    .arg(QString::fromStdString(g.name).toHtmlEscaped(),
                         num(g.angle_to_flattest * 180.0 / std::numbers::pi));
    point_->setText(html);
}

void CurvaturePanel::setTimeWindow(double fraction) {
    for (CurveChart* c : {spectrum_, alignment_, angle_}) {
        c->setTimeWindow(fraction);
        c->redraw();
    }
}

void CurvaturePanel::applyTheme(bool dark) {
    dark_ = dark;
    for (CurveChart* c : {spectrum_, alignment_, angle_})
        c->applyTheme(dark);
    if (series_) rebuildCharts();
}

}  // namespace noether::gui

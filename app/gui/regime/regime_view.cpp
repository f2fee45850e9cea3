#include "gui/regime/regime_view.hpp"

#include <QDoubleValidator>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QMenu>
#include <QVBoxLayout>
#include <cmath>

#include "gui/views/style.hpp"

namespace noether::gui {

namespace {

// Metrics that spread over decades start with a log colour scale.
bool defaultLogColour(SweepMetric m) {
    switch (m) {
        case SweepMetric::ChargeDecayRate:
        case SweepMetric::ChargeDecayRatePred:
        case SweepMetric::NormGrowth:
            return false;
        default:
            return true;
    }
}

QString rangeText(double v) {
    return QString::number(v, 'g', 6);
}

}  // namespace

RegimeView::RegimeView(SceneModel* model, QWidget* parent)
    : QWidget(parent), model_(model), sweeper_(new RegimeSweeper(this)) {
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(6, 4, 6, 4);
    lay->setSpacing(4);
    const QFont font = lectureFont(0.95);

    // Row 1: metric, log colour, resolution, export.
    auto* top = new QHBoxLayout;
    top->setSpacing(8);
    auto* colour_label = new QLabel(tr("Colour"));
    colour_label->setFont(font);
    metric_ = new QComboBox;
    metric_->setFont(font);
    for (SweepMetric m : all_sweep_metrics()) {
        metric_->addItem(QString::fromLatin1(to_string(m)), static_cast<int>(m));
        metric_->setItemData(
            metric_->count() - 1,
            metricTitle(m) + QStringLiteral(": ") + QString::fromLatin1(describe(m)),
            Qt::ToolTipRole);
    }
    metric_->setToolTip(tr("The per-cell metric the colours show"));
    metric_->setCurrentIndex(metric_->findData(static_cast<int>(RegimeRequest{}.metric)));
    log_colour_ = new QCheckBox(tr("log"));
    log_colour_->setFont(font);
    log_colour_->setChecked(true);
    log_colour_->setToolTip(
        tr("Logarithmic colour scale (non-positive values take the lowest "
           "colour)"));
    auto* res_label = new QLabel(tr("Cells"));
    res_label->setFont(font);
    resolution_ = new QComboBox;
    resolution_->setFont(font);
    for (int n : {32, 64, 128, 256})
        resolution_->addItem(QStringLiteral("%1 × %1").arg(n), n);
    resolution_->setCurrentIndex(2);
    resolution_->setToolTip(
        tr("Cells per axis of the final pass (a 16 × 16 and a 64 × 64 "
           "preview come first)"));
    export_ = new QToolButton;
    export_->setText(tr("Export"));
    export_->setFont(font);
    export_->setPopupMode(QToolButton::InstantPopup);
    auto* export_menu = new QMenu(export_);
    export_menu->addAction(tr("Export PNG…"), this, [this] { map_->exportWithDialog("png"); });
    export_menu->addAction(tr("Export SVG…"), this, [this] { map_->exportWithDialog("svg"); });
    export_menu->addAction(tr("Export CSV…"), this, [this] { map_->exportWithDialog("csv"); });
    export_->setMenu(export_menu);
    top->addWidget(colour_label);
    top->addWidget(metric_, 1);
    top->addWidget(log_colour_);
    top->addSpacing(8);
    top->addWidget(res_label);
    top->addWidget(resolution_);
    top->addWidget(export_);
    lay->addLayout(top);

    // Rows 2 and 3: the axes.
    lay->addWidget(buildAxisRow(tr("x"), xc_));
    lay->addWidget(buildAxisRow(tr("y"), yc_));
    syncAxisControls();

    // The map and the read-out.
    map_ = new RegimeMapWidget;
    map_->setMessage(tr("The regime map computes when this panel is shown."));
    lay->addWidget(map_, 1);
    readout_ = new QLabel(tr("Hover over the map for a cell's values; click a cell to open it."));
    readout_->setFont(lectureFont(1.05));
    readout_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    readout_->setMinimumHeight(readout_->sizeHint().height());
    lay->addWidget(readout_);

    // Progress, cancel and status.
    auto* bottom = new QHBoxLayout;
    progress_ = new QProgressBar;
    progress_->setRange(0, 1000);
    progress_->setTextVisible(true);
    progress_->setFont(font);
    progress_->setVisible(false);
    cancel_ = new QPushButton(tr("Cancel"));
    cancel_->setFont(font);
    cancel_->setEnabled(false);
    cancel_->setToolTip(tr("Stop computing; the last complete map stays"));
    status_ = new QLabel;
    status_->setFont(font);
    status_->setWordWrap(true);
    bottom->addWidget(progress_, 1);
    bottom->addWidget(cancel_);
    bottom->addWidget(status_, 1);
    lay->addLayout(bottom);

    debounce_.setSingleShot(true);
    connect(&debounce_, &QTimer::timeout, this, [this] {
        if (isVisible()) recomputeNow();
    });
    connect(metric_, &QComboBox::currentIndexChanged, this, [this] {
        if (syncing_) return;
        const auto m = static_cast<SweepMetric>(metric_->currentData().toInt());
        syncing_ = true;
        log_colour_->setChecked(defaultLogColour(m));
        syncing_ = false;
        map_->setLogColour(log_colour_->isChecked());
        schedule(0);
    });
    connect(log_colour_, &QCheckBox::toggled, this, [this](bool on) {
        if (!syncing_) map_->setLogColour(on);
    });
    connect(resolution_, &QComboBox::currentIndexChanged, this, [this] {
        if (!syncing_) schedule(0);
    });
    connect(cancel_, &QPushButton::clicked, this, &RegimeView::cancel);
    connect(sweeper_, &RegimeSweeper::passReady, this, &RegimeView::onPass);
    connect(sweeper_, &RegimeSweeper::progress, this, &RegimeView::onProgress);
    connect(sweeper_, &RegimeSweeper::finished, this, &RegimeView::onFinished);
    connect(sweeper_, &RegimeSweeper::failed, this, [this](const QString& msg, quint64) {
        setStatus(tr("Cannot compute the map — %1").arg(msg), true);
        if (!map_->map()) map_->setMessage(tr("Cannot compute the map — %1").arg(msg));
    });
    connect(map_, &RegimeMapWidget::hovered, this, [this](const QString& text) {
        readout_->setText(
            text.isEmpty() ? tr("Hover over the map for a cell's values; click a cell to open it.")
                           : text);
    });
    connect(map_, &RegimeMapWidget::cellActivated, this, &RegimeView::openCell);
    connect(model_, &SceneModel::sceneChanged, this,
            [this](const Scene& scene, SceneField) { onSceneChanged(scene); });
    map_->setCurrentScene(model_->scene());
    map_->applyTheme(isDark(palette()));
}

QWidget* RegimeView::buildAxisRow(const QString& name, AxisControls& c) {
    const QFont font = lectureFont(0.95);
    auto* w = new QWidget;
    auto* row = new QHBoxLayout(w);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(6);
    auto* label = new QLabel(name);
    label->setFont(lectureFont(0.95, true));
    c.param = new QComboBox;
    c.param->setFont(font);
    for (SweepParam p :
         {SweepParam::LearningRate, SweepParam::Momentum, SweepParam::WeightDecay, SweepParam::Eps})
        c.param->addItem(paramTitle(p), static_cast<int>(p));
    c.lo = new QLineEdit;
    c.hi = new QLineEdit;
    for (QLineEdit* e : {c.lo, c.hi}) {
        e->setFont(font);
        auto* v = new QDoubleValidator(e);
        v->setNotation(QDoubleValidator::ScientificNotation);
        v->setLocale(QLocale::c());
        e->setValidator(v);
        e->setMaximumWidth(110);
        connect(e, &QLineEdit::editingFinished, this, &RegimeView::onRangeEdited);
    }
    c.lo->setToolTip(tr("Left / bottom edge of the map"));
    c.hi->setToolTip(tr("Right / top edge of the map"));
    c.log = new QCheckBox(tr("log"));
    c.log->setFont(font);
    c.log->setToolTip(tr("Logarithmic spacing of the cells (needs both edges > 0)"));
    auto* from = new QLabel(tr("from"));
    auto* to = new QLabel(tr("to"));
    from->setFont(font);
    to->setFont(font);
    row->addWidget(label);
    row->addWidget(c.param, 1);
    row->addWidget(from);
    row->addWidget(c.lo);
    row->addWidget(to);
    row->addWidget(c.hi);
    row->addWidget(c.log);
    const bool is_x = &c == &xc_;
    connect(c.param, &QComboBox::currentIndexChanged, this,
            [this, is_x] { onAxisParamChanged(is_x); });
    connect(c.log, &QCheckBox::toggled, this, &RegimeView::onRangeEdited);
    return w;
}

void RegimeView::syncAxisControls() {
    syncing_ = true;
    for (auto [c, a] : {std::pair<AxisControls*, RegimeAxis*>{&xc_, &x_}, {&yc_, &y_}}) {
        c->param->setCurrentIndex(c->param->findData(static_cast<int>(a->param)));
        c->lo->setText(rangeText(a->lo));
        c->hi->setText(rangeText(a->hi));
        c->log->setChecked(a->scale == AxisScale::Log);
        c->lo->setStyleSheet(QString());
        c->hi->setStyleSheet(QString());
    }
    syncing_ = false;
}

std::optional<RegimeAxis> RegimeView::readAxis(const AxisControls& c, QString* error) const {
    RegimeAxis a;
    a.param = static_cast<SweepParam>(c.param->currentData().toInt());
    bool ok_lo = false, ok_hi = false;
    a.lo = QLocale::c().toDouble(c.lo->text().trimmed(), &ok_lo);
    a.hi = QLocale::c().toDouble(c.hi->text().trimmed(), &ok_hi);
    a.scale = c.log->isChecked() ? AxisScale::Log : AxisScale::Linear;
    const QString field = QString::fromLatin1(to_string(a.param)) + QStringLiteral("-range");
    auto bad = [&](const QString& why) -> std::optional<RegimeAxis> {
        if (error) *error = field + QStringLiteral(": ") + why;
        return std::nullopt;
    };
    if (!ok_lo || !ok_hi || !std::isfinite(a.lo) || !std::isfinite(a.hi))
        return bad(tr("both edges must be numbers"));
    if (!(a.hi > a.lo)) return bad(tr("the upper edge must exceed the lower"));
    if (a.scale == AxisScale::Log && !(a.lo > 0.0)) return bad(tr("a log axis needs edges > 0"));
    if (a.param == SweepParam::LearningRate && a.lo < 0.0) return bad(tr("η must be > 0"));
    if (a.param == SweepParam::Momentum && (a.lo < 0.0 || a.hi >= 1.0))
        return bad(tr("β must lie in [0, 1)"));
    if (a.param == SweepParam::WeightDecay && a.lo < 0.0) return bad(tr("k must be ≥ 0"));
    return a;
}

void RegimeView::onAxisParamChanged(bool is_x) {
    if (syncing_) return;
    AxisControls& c = is_x ? xc_ : yc_;
    RegimeAxis& mine = is_x ? x_ : y_;
    RegimeAxis& other = is_x ? y_ : x_;
    const auto p = static_cast<SweepParam>(c.param->currentData().toInt());
    if (p == mine.param) return;
    // Choosing the other axis's parameter swaps the two.
    if (p == other.param)
        std::swap(mine, other);
    else
        mine = defaultRegimeAxis(p);
    syncAxisControls();
    schedule(0);
}

void RegimeView::onRangeEdited() {
    if (syncing_) return;
    QString err;
    const auto x = readAxis(xc_, &err);
    xc_.lo->setStyleSheet(x ? QString() : QStringLiteral("background: #f4c7d8;"));
    xc_.hi->setStyleSheet(xc_.lo->styleSheet());
    const auto y = readAxis(yc_, &err);
    yc_.lo->setStyleSheet(y ? QString() : QStringLiteral("background: #f4c7d8;"));
    yc_.hi->setStyleSheet(yc_.lo->styleSheet());
    if (!x || !y) {
        setStatus(err, true);
        return;
    }
    if (*x == x_ && *y == y_) return;
    x_ = *x;
    y_ = *y;
    schedule(0);
}

void RegimeView::setAxes(const RegimeAxis& x, const RegimeAxis& y) {
    x_ = x;
    y_ = y;
    syncAxisControls();
    schedule(0);
}

void RegimeView::setMetric(SweepMetric m) {
    metric_->setCurrentIndex(metric_->findData(static_cast<int>(m)));
}

void RegimeView::setResolution(long n) {
    int i = resolution_->findData(static_cast<int>(n));
    if (i < 0) {
        resolution_->addItem(QStringLiteral("%1 × %1").arg(n), static_cast<int>(n));
        i = resolution_->count() - 1;
    }
    resolution_->setCurrentIndex(i);
    schedule(0);
}

RegimeRequest RegimeView::currentRequest() const {
    RegimeRequest r;
    r.base = model_->scene();
    r.x = x_;
    r.y = y_;
    r.metric = static_cast<SweepMetric>(metric_->currentData().toInt());
    r.resolution = resolution_->currentData().toInt();
    return r;
}

void RegimeView::schedule(int delay_ms) {
    dirty_ = true;
    debounce_.start(delay_ms);
}

void RegimeView::recomputeNow() {
    debounce_.stop();
    const RegimeRequest r = currentRequest();
    requested_key_ = regimeKey(r.base, r.x, r.y, r.metric);
    dirty_ = false;
    passes_ = regimePasses(r.resolution);
    running_ = sweeper_->request(r);
    ++started_;
    progress_->setValue(0);
    progress_->setFormat(tr("computing %1 × %1 …").arg(passes_.front()));
    progress_->setVisible(true);
    cancel_->setEnabled(true);
    setStatus(QString(), false);
    if (!map_->map()) map_->setMessage(tr("Computing the regime map …"));
}

void RegimeView::cancel() {
    debounce_.stop();
    if (!sweeper_->busy()) return;
    sweeper_->cancel();
}

void RegimeView::openCell(long ix, long iy) {
    const auto m = map_->map();
    if (!m || ix < 0 || iy < 0 || ix >= m->nx() || iy >= m->ny()) return;
    const double xv = m->result.x.values[ix], yv = m->result.y.values[iy];
    Scene s = model_->scene();
    setSceneValue(s, m->result.x.param, xv);
    setSceneValue(s, m->result.y.param, yv);
    model_->setScene(s, tr("Regime map cell %1 = %2, %3 = %4")
                            .arg(paramSymbol(m->result.x.param), formatNumber(xv, 4),
                                 paramSymbol(m->result.y.param), formatNumber(yv, 4)));
}

void RegimeView::onSceneChanged(const Scene& scene) {
    map_->setCurrentScene(scene);
    const RegimeRequest r = currentRequest();
    const Scene key = regimeKey(scene, r.x, r.y, r.metric);
    // Only the swept hyperparameters changed (e.g. a cell was opened): the map still holds.
    if (requested_key_ && key == *requested_key_) return;
    schedule(kDebounceMs);
}

void RegimeView::onPass(std::shared_ptr<const RegimeMap> map) {
    map_->setMessage(QString());
    map_->setMap(map);
    if (map->isFinal()) {
        const SweepResult& r = map->result;
        setStatus(tr("%1 × %2 cells, %3 steps each · %4 s · %5, %6 threads")
                      .arg(map->nx())
                      .arg(map->ny())
                      .arg(r.steps)
                      .arg(map->engine_ms / 1000.0, 0, 'f', 2)
                      .arg(r.batched ? tr("batched") : tr("per cell"))
                      .arg(r.threads),
                  false);
    }
    emit mapShown(map);
}

void RegimeView::onProgress(quint64 gen, int pass, int passes, long done, long total) {
    if (gen != running_ || passes_.empty()) return;
    // Overall fraction, each pass weighted by its cell count.
    const size_t k = std::min<size_t>(static_cast<size_t>(std::max(pass, 0)), passes_.size() - 1);
    double all = 0.0, before = 0.0;
    for (size_t i = 0; i < passes_.size(); ++i) {
        const double c = static_cast<double>(passes_[i]) * static_cast<double>(passes_[i]);
        all += c;
        if (i < k) before += c;
    }
    const double cells = static_cast<double>(passes_[k]) * static_cast<double>(passes_[k]);
    const double part = static_cast<double>(done) / std::max(1.0, static_cast<double>(total));
    const double f = (before + cells * part) / std::max(1.0, all);
    progress_->setValue(static_cast<int>(std::lround(1000.0 * f)));
    progress_->setFormat(tr("pass %1/%2: %3 × %3 — %p%").arg(pass + 1).arg(passes).arg(passes_[k]));
}

void RegimeView::onFinished(quint64 gen, bool cancelled) {
    if (gen != running_) return;
    progress_->setVisible(false);
    cancel_->setEnabled(false);
    if (cancelled) {
        dirty_ = true;
        const auto m = map_->map();
        setStatus(
            m ? tr("Cancelled — the last complete map (%1 × %2) stays.").arg(m->nx()).arg(m->ny())
              : tr("Cancelled."),
            false);
        if (!m) map_->setMessage(tr("Cancelled. Change a setting to compute again."));
    }
}

void RegimeView::setStatus(const QString& text, bool error) {
    status_->setText(text);
    status_->setStyleSheet(error ? QStringLiteral("QLabel { color: #b0306a; }") : QString());
}

void RegimeView::showEvent(QShowEvent* e) {
    QWidget::showEvent(e);
    if (dirty_ && !sweeper_->busy()) schedule(0);
}

void RegimeView::hideEvent(QHideEvent* e) {
    QWidget::hideEvent(e);
    // Hidden: stop spending the cores; compute again when shown.
    if (sweeper_->busy()) {
        sweeper_->cancel();
        dirty_ = true;
    }
}

void RegimeView::changeEvent(QEvent* e) {
    if (e->type() == QEvent::PaletteChange || e->type() == QEvent::ApplicationPaletteChange)
        map_->applyTheme(isDark(palette()));
    QWidget::changeEvent(e);
}

}  // namespace noether::gui

#include "gui/views/landscape_view.hpp"

#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>
#include <algorithm>
#include <chrono>
#include <cmath>

#include "gui/profile.hpp"
#include "gui/views/colormaps.hpp"
#include "gui/views/style.hpp"

namespace noether::gui {

namespace {
QString number(double v) {
    return QString::number(v, 'g', 3);
}
}  // namespace

// ---------------------------------------------------------------------------------------------
LegendBar::LegendBar(QWidget* parent) : QWidget(parent) {
    setFont(lectureFont(0.95));
    QSizePolicy sp(QSizePolicy::Expanding, QSizePolicy::Preferred);
    sp.setHeightForWidth(true);
    setSizePolicy(sp);
}

int LegendBar::rowHeight() const {
    return fontMetrics().height() + 10;
}

std::vector<LegendBar::Item> LegendBar::items() const {
    const QFontMetrics fm = fontMetrics();
    std::vector<Item> out;
    auto add = [&](int kind, Model m, const QString& text) {
        out.push_back({kind, m, text, 40 + fm.horizontalAdvance(text) + 18, QPoint()});
    };
    for (Model m : models_)
        add(0, m, modelName(m));
    for (const QString& g : ghosts_)
        add(5, Model::Discrete, tr("ghost: %1").arg(g));
    add(1, Model::Discrete, tr("start (drag)"));
    if (kick_) add(2, Model::Discrete, tr("kick: step 1 moves by −ηβv₀"));
    if (orbits_) add(3, Model::Discrete, tr("symmetry orbits"));
    // The colour bar: label, low value, gradient, high value.
    const QString label = log_ ? tr("f (log)") : tr("f");
    const int w = fm.horizontalAdvance(label) + 8 + fm.horizontalAdvance(number(lo_)) + 6 + 150 +
                  6 + fm.horizontalAdvance(number(hi_)) + 8;
    out.push_back({4, Model::Discrete, label, w, QPoint()});
    return out;
}

int LegendBar::layoutItems(int width, std::vector<Item>& its) const {
    int x = 4, row = 0;
    for (Item& it : its) {
        if (x > 4 && x + it.width > width) {
            x = 4;
            ++row;
        }
        it.at = QPoint(x, row * rowHeight());
        x += it.width;
    }
    return row + 1;
}

int LegendBar::heightForWidth(int w) const {
    auto its = items();
    return layoutItems(w, its) * rowHeight() + 2;
}

QSize LegendBar::sizeHint() const {
    return {600, heightForWidth(width() > 0 ? width() : 600)};
}

void LegendBar::setModels(const std::vector<Model>& models, bool kick, bool orbits) {
    if (models == models_ && kick == kick_ && orbits == orbits_) return;
    models_ = models;
    kick_ = kick;
    orbits_ = orbits;
    updateGeometry();
    update();
}

void LegendBar::setGhosts(const QStringList& labels) {
    if (labels == ghosts_) return;
    ghosts_ = labels;
    updateGeometry();
    update();
}

void LegendBar::setScale(double lo, double hi, bool log, int colormap) {
    if (lo == lo_ && hi == hi_ && log == log_ && colormap == colormap_) return;
    lo_ = lo;
    hi_ = hi;
    log_ = log;
    colormap_ = colormap;
    updateGeometry();
    update();
}

void LegendBar::setDark(bool dark) {
    if (dark == dark_) return;
    dark_ = dark;
    update();
}

void LegendBar::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, true);
    const QFontMetrics fm = fontMetrics();
    const QColor text = palette().color(QPalette::WindowText);
    auto its = items();
    layoutItems(width(), its);
    const int rh = rowHeight();
    for (const Item& it : its) {
        const int x0 = it.at.x(), mid = it.at.y() + rh / 2;
        const int base = mid + fm.ascent() / 2 - 1;
        switch (it.kind) {
            case 0: {
                QPen halo(dark_ ? QColor(0, 0, 0) : QColor(255, 255, 255),
                          modelWidth(it.model) + 3);
                QPen pen(modelColor(it.model, dark_), modelWidth(it.model));
                if (modelDashed(it.model)) pen.setStyle(Qt::DashLine);
                pen.setCapStyle(Qt::FlatCap);
                halo.setCapStyle(Qt::FlatCap);
                p.setPen(halo);
                p.drawLine(x0, mid, x0 + 32, mid);
                p.setPen(pen);
                p.drawLine(x0, mid, x0 + 32, mid);
                break;
            }
            case 1:
                p.setPen(QPen(dark_ ? Qt::white : QColor(20, 20, 20), 4));
                p.setBrush(dark_ ? QColor(20, 20, 20) : Qt::white);
                p.drawEllipse(QPointF(x0 + 16, mid), 8, 8);
                break;
            case 2:
                p.setPen(QPen(text, 3));
                p.drawLine(x0, mid, x0 + 30, mid);
                p.drawLine(x0 + 30, mid, x0 + 22, mid - 6);
                p.drawLine(x0 + 30, mid, x0 + 22, mid + 6);
                break;
            case 3:
                p.setPen(QPen(QColor(150, 150, 150), 2));
                p.drawLine(x0, mid, x0 + 32, mid);
                break;
            case 5: {
                // As on the landscape: a dotted line on a halo.
                p.setPen(QPen(dark_ ? QColor(0, 0, 0) : QColor(255, 255, 255), 6));
                p.drawLine(x0, mid, x0 + 32, mid);
                QPen dots(dark_ ? QColor(235, 235, 235) : QColor(40, 40, 40), 3, Qt::DotLine);
                dots.setCapStyle(Qt::FlatCap);
                p.setPen(dots);
                p.drawLine(x0, mid, x0 + 32, mid);
                break;
            }
            case 4: {
                int x = x0;
                p.setPen(text);
                p.drawText(QPoint(x, base), it.text);
                x += fm.horizontalAdvance(it.text) + 8;
                p.drawText(QPoint(x, base), number(lo_));
                x += fm.horizontalAdvance(number(lo_)) + 6;
                const auto& lut = colormap_ == 1 ? kCividis : kViridis;
                for (int i = 0; i < 150; ++i) {
                    const int k = std::clamp(i * 256 / 150, 0, 255);
                    p.setPen(QColor(lut[3 * k], lut[3 * k + 1], lut[3 * k + 2]));
                    p.drawLine(x + i, mid - 9, x + i, mid + 9);
                }
                x += 156;
                p.setPen(text);
                p.drawText(QPoint(x, base), number(hi_));
                continue;
            }
        }
        p.setPen(text);
        p.drawText(QPoint(x0 + 40, base), it.text);
    }
}

// ---------------------------------------------------------------------------------------------
LandscapeView::LandscapeView(QWidget* parent) : QWidget(parent) {
    window_ = new LandscapeWindow;
    container_ = QWidget::createWindowContainer(window_, this);
    container_->setMinimumSize(300, 300);
    container_->setFocusPolicy(Qt::StrongFocus);
    container_->setToolTip(
        tr("Drag the white start point to move q₀ (Shift+click or double-click: put it there).\n"
           "Drag elsewhere or with the right button to pan, wheel to zoom, F to fit."));
    legend_ = new LegendBar;

    scale_ = new QComboBox;
    scale_->addItems({tr("log scale"), tr("linear scale")});
    scale_->setToolTip(tr("Colour scale of the loss: log (f − f_min, three decades) or linear"));
    colormap_ = new QComboBox;
    colormap_->addItems({tr("viridis"), tr("cividis")});
    colormap_->setToolTip(
        tr("Perceptually uniform colour maps, readable with colour-vision "
           "deficiency (cividis: optimised for it)"));
    // Sized to their texts again whenever the font changes (lecture mode's larger type cut
    // them to "log scale" and "viridi" when sized once, at the first show).
    for (QComboBox* c : {scale_, colormap_}) {
        c->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        c->setSizePolicy(QSizePolicy::Minimum, QSizePolicy::Fixed);
    }
    isolines_ = new QCheckBox(tr("isolines"));
    isolines_->setChecked(true);
    isolines_->setToolTip(tr("Level sets of the loss, evenly spaced on the colour scale"));
    orbits_ = new QCheckBox(tr("orbits"));
    orbits_->setChecked(true);
    orbits_->setToolTip(
        tr("Orbits of the symmetry group: curves along which the loss is constant (ε = 0).\n"
           "Circles: rotation; rays: scale; lines: translation; hyperbolas: rescale."));
    axis_x_ = new QComboBox;
    axis_y_ = new QComboBox;
    axis_x_->setToolTip(
        tr("Horizontal axis of the slice (n-D losses: a plane through the "
           "current point)"));
    axis_y_->setToolTip(tr("Vertical axis of the slice"));
    fit_ = new QPushButton(tr("Fit"));
    fit_->setToolTip(tr("Fit the view to the trajectories (F)"));
    fit_->setShortcut(QKeySequence(Qt::Key_F));

    auto* controls = new QHBoxLayout;
    controls_ = controls;
    controls->setSpacing(10);
    auto* title = new QLabel(tr("<b>Landscape</b>"));
    title->setFont(lectureFont(1.0, true));
    controls->addWidget(title);
    controls->addStretch(1);
    for (QWidget* w : std::initializer_list<QWidget*>{axis_x_, axis_y_, scale_, colormap_,
                                                      isolines_, orbits_, fit_})
        controls->addWidget(w);
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(4, 2, 4, 2);
    lay->setSpacing(3);
    lay->addLayout(controls);
    lay->addWidget(legend_);
    lay->addWidget(container_, 1);

    grid_timer_.setSingleShot(true);
    grid_timer_.setInterval(0);
    connect(&grid_timer_, &QTimer::timeout, this, &LandscapeView::updateGrid);
    connect(window_, &LandscapeWindow::viewChanged, this, &LandscapeView::scheduleGrid);
    auto restyle = [this] {
        style_.log_scale = scale_->currentIndex() == 0;
        style_.colormap = colormap_->currentIndex();
        style_.isolines = isolines_->isChecked();
        style_.orbits = orbits_->isChecked();
        window_->setStyle(style_);
        grid_key_.clear();
        scheduleGrid();
    };
    connect(scale_, &QComboBox::currentIndexChanged, this, restyle);
    connect(colormap_, &QComboBox::currentIndexChanged, this, restyle);
    connect(isolines_, &QCheckBox::toggled, this, restyle);
    connect(orbits_, &QCheckBox::toggled, this, restyle);
    auto reslice = [this] {
        grid_key_.clear();
        updateTrajectories();
        fit();
    };
    connect(axis_x_, &QComboBox::currentIndexChanged, this, reslice);
    connect(axis_y_, &QComboBox::currentIndexChanged, this, reslice);
    connect(fit_, &QPushButton::clicked, this, &LandscapeView::fit);

    // Start-point drag: the drag moves coordinates i, j of q0.
    connect(window_, &LandscapeWindow::startDragBegan, this, &LandscapeView::startDragBegan);
    connect(window_, &LandscapeWindow::startDragEnded, this, &LandscapeView::startDragEnded);
    connect(window_, &LandscapeWindow::startDragged, this, [this](QPointF d) {
        if (!have_scene_ || !std::isfinite(d.x()) || !std::isfinite(d.y())) return;
        Vector q0 = scene_.q0;
        const Slice s = slice();
        if (s.i >= q0.size() || s.j >= q0.size()) return;
        // Round to 3 decimals of the view so values stay readable in the spin boxes.
        const PlaneBox b = window_->visibleBox();
        const double step = std::pow(10.0, std::floor(std::log10((b.x1 - b.x0) / 500.0)));
        q0[s.i] = std::round(d.x() / step) * step;
        q0[s.j] = std::round(d.y() / step) * step;
        emit startMoved(q0);
    });
    connect(window_, &LandscapeWindow::hovered, this, [this](QPointF d, bool inside) {
        if (!inside || !run_) {
            emit status(QString());
            return;
        }
        Vector q = slice().through;
        const Slice s = slice();
        if (q.size() != run_->loss->dim()) return;
        q[s.i] = d.x();
        q[s.j] = d.y();
        const double f = run_->loss->value(q);
        emit status(tr("q%1 = %2   q%3 = %4   f = %5")
                        .arg(s.i + 1)
                        .arg(d.x(), 0, 'g', 4)
                        .arg(s.j + 1)
                        .arg(d.y(), 0, 'g', 4)
                        .arg(f, 0, 'g', 5));
    });
    updateSliceControls();
}

void LandscapeView::setControlsHidden(bool hidden) {
    if (hidden) {
        if (!hidden_controls_.empty()) return;
        for (int i = 1; i < controls_->count(); ++i)  // item 0: the title
            if (QWidget* w = controls_->itemAt(i)->widget(); w && w->isVisible()) {
                hidden_controls_.push_back(w);
                w->hide();
            }
    } else {
        for (QWidget* w : hidden_controls_)
            w->show();
        hidden_controls_.clear();
    }
}

void LandscapeView::addControl(QWidget* w) {
    controls_->insertWidget(controls_->indexOf(fit_), w);
}

void LandscapeView::applyTheme(bool dark) {
    dark_ = dark;
    const QColor bg = palette().color(QPalette::Base);
    window_->setBackground(bg, dark);
    style_.wash = dark ? 0.18 : 0.22;
    window_->setStyle(style_);
    legend_->setDark(dark);
    updateTrajectories();
    updateNow();
}

Slice LandscapeView::slice() const {
    Slice s;
    s.i = std::max(0, axis_x_->currentIndex());
    s.j = std::max(0, axis_y_->currentIndex());
    if (dim_ < 2) s.j = s.i;
    // Through the current point of the first model, or q0.
    if (run_ && !run_->trajectories.empty() && run_->trajectories.front().samples() > 0) {
        const Trajectory& tr = run_->trajectories.front();
        const long k = std::clamp<long>(time_index_, 0, tr.samples() - 1);
        s.through = tr.q.col(k);
    } else if (have_scene_) {
        s.through = scene_.q0;
    }
    return s;
}

void LandscapeView::updateSliceControls() {
    const QSignalBlocker bx(axis_x_), by(axis_y_);
    const int keep_x = axis_x_->currentIndex(), keep_y = axis_y_->currentIndex();
    axis_x_->clear();
    axis_y_->clear();
    for (int i = 0; i < dim_; ++i) {
        axis_x_->addItem(tr("x: q%1").arg(i + 1));
        axis_y_->addItem(tr("y: q%1").arg(i + 1));
    }
    const bool ok =
        keep_x >= 0 && keep_y >= 0 && keep_x < dim_ && keep_y < dim_ && keep_x != keep_y;
    axis_x_->setCurrentIndex(ok ? keep_x : 0);
    axis_y_->setCurrentIndex(ok ? keep_y : std::min(1, dim_ - 1));
    axis_x_->setVisible(dim_ > 2);
    axis_y_->setVisible(dim_ > 2);
}

void LandscapeView::setScene(const Scene& scene) {
    scene_ = scene;
    have_scene_ = true;
    const Slice s = slice();
    if (s.i < scene.q0.size() && s.j < scene.q0.size()) {
        std::optional<QPointF> kick;
        if (scene.v0 && scene.v0->size() == scene.q0.size())
            kick = QPointF(-(*scene.v0)[s.i], -(*scene.v0)[s.j]);
        window_->setStart(QPointF(scene.q0[s.i], scene.q0[s.j]), kick);
    }
}

PlaneBox LandscapeView::dataBox() const {
    PlaneBox b{INFINITY, -INFINITY, INFINITY, -INFINITY};
    const Slice s = slice();
    double rmax = 0.0;
    auto add = [&b, &rmax](double x, double y) {
        if (!std::isfinite(x) || !std::isfinite(y)) return;
        b.x0 = std::min(b.x0, x);
        b.x1 = std::max(b.x1, x);
        b.y0 = std::min(b.y0, y);
        b.y1 = std::max(b.y1, y);
        rmax = std::max(rmax, std::hypot(x, y));
    };
    if (run_) {
        for (const Trajectory& tr : run_->trajectories)
            for (long k = 0; k < tr.samples(); ++k)
                add(tr.q(s.i, k), tr.q(s.j, k));
    }
    if (have_scene_ && s.i < scene_.q0.size()) add(scene_.q0[s.i], scene_.q0[s.j]);
    if (!(b.x1 >= b.x0)) return {-1.5, 1.5, -1.5, 1.5};
    // The trajectories fill the view; at least the toys' unit scale shows around them.
    const double ext = std::max({b.x1 - b.x0, b.y1 - b.y0, 1.1});
    const double cx = 0.5 * (b.x0 + b.x1), cy = 0.5 * (b.y0 + b.y1);
    const double hx = 0.5 * std::max(b.x1 - b.x0, ext);
    const double hy = 0.5 * std::max(b.y1 - b.y0, ext);
    (void)rmax;
    return {cx - hx, cx + hx, cy - hy, cy + hy};
}

void LandscapeView::setHeatmapStyle(const HeatmapStyle& style) {
    // Each control restyles on change: the last one leaves style_ equal to `style`.
    scale_->setCurrentIndex(style.log_scale ? 0 : 1);
    colormap_->setCurrentIndex(std::clamp(style.colormap, 0, 1));
    isolines_->setChecked(style.isolines);
    orbits_->setChecked(style.orbits);
}

void LandscapeView::fit() {
    window_->fitTo(dataBox());
}

void LandscapeView::setRun(std::shared_ptr<const Run> run, quint64 gen) {
    const int dim = run->loss->dim();
    const bool new_dim = dim != dim_;
    run_ = std::move(run);
    gen_ = gen;
    if (new_dim) {
        dim_ = dim;
        updateSliceControls();
    }
    if (!have_scene_) setScene(run_->scene);
    // Fit when the loss (or its parameters) change, not on every hyperparameter change.
    std::string key = run_->scene.loss.name;
    key.append("/").append(run_->scene.loss.expr);
    for (const auto& [k, v] : run_->scene.loss.params) {
        key.append("/").append(k);
        for (double x : v)
            key.append(",").append(std::to_string(x));
    }
    if (key != fit_key_) {
        fit_key_ = key;
        grid_key_.clear();
        fit();
    }
    updateTrajectories();
    updateNow();
    scheduleGrid();
}

void LandscapeView::setTimeIndex(long index) {
    time_index_ = index;
    updateNow();
    if (dim_ > 2) {
        grid_key_.clear();
        scheduleGrid();
    }
}

void LandscapeView::scheduleGrid() {
    if (!grid_timer_.isActive()) grid_timer_.start();
}

void LandscapeView::updateGrid() {
    profileMark("grid check");
    if (!run_) return;
    const Slice s = slice();
    if (s.through.size() != run_->loss->dim()) return;
    const PlaneBox box = window_->visibleBox();
    // Resample only when something it depends on changed.
    std::string key = run_->loss->name();
    auto add = [&key](double v) { key.append("|").append(std::to_string(v)); };
    add(run_->scene.loss.eps);
    key.append("|").append(run_->scene.loss.expr);
    for (const auto& [k, v] : run_->scene.loss.constants) {
        key.append("|").append(k);
        add(v);
    }
    for (const Generator& g : run_->loss->generators())
        key.append("|").append(g.name);
    for (const auto& [k, v] : run_->scene.loss.params) {
        key.append("|").append(k);
        for (double x : v)
            add(x);
    }
    for (double v : {box.x0, box.x1, box.y0, box.y1})
        add(v);
    for (Eigen::Index i = 0; i < s.through.size(); ++i)
        if (i != s.i && i != s.j) add(s.through[i]);
    add(s.i);
    add(s.j);
    key.append(style_.log_scale ? "L" : "N");
    if (key == grid_key_) return;
    grid_key_ = key;
    // Resolution: 256 per side, less for expensive losses (keep a resample under ~10 ms).
    static double ns_per_eval = 50.0;
    const int res = std::clamp(static_cast<int>(std::sqrt(10e6 / ns_per_eval)), 64, 256);
    const auto t0 = std::chrono::steady_clock::now();
    auto grid = sample_loss(*run_->loss, s, box, res, res);
    const double ns =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    ns_per_eval = std::max(5.0, ns / (res * res));
    if (!grid) return;
    // Colour range: log uses the full range; linear clips at the 95th percentile.
    double lo = grid->f_min, hi = grid->f_max;
    if (!style_.log_scale && grid->finite > 10) {
        std::vector<double> v;
        v.reserve(grid->values.size());
        for (double x : grid->values)
            if (std::isfinite(x)) v.push_back(x);
        auto k = v.begin() + static_cast<long>(0.95 * (v.size() - 1));
        std::nth_element(v.begin(), k, v.end());
        hi = *k;
    }
    if (!(hi > lo)) hi = lo + 1.0;
    window_->setGrid(*grid, lo, hi);
    legend_->setScale(lo, hi, style_.log_scale, style_.colormap);
    const PlaneBox wide{box.x0 - 0.1 * (box.x1 - box.x0), box.x1 + 0.1 * (box.x1 - box.x0),
                        box.y0 - 0.1 * (box.y1 - box.y0), box.y1 + 0.1 * (box.y1 - box.y0)};
    window_->setOrbits(orbits_->isChecked() ? symmetry_orbits(*run_->loss, s, wide, 7)
                                            : std::vector<OrbitPolyline>{});
}

void LandscapeView::updateTrajectories() {
    if (!run_) return;
    const Slice s = slice();
    std::array<GlPolyline, kTrajectorySlots> lines;
    std::vector<Model> shown;
    for (const Trajectory& tr : run_->trajectories) {
        const int mi = static_cast<int>(tr.model);
        GlPolyline& p = lines[mi];
        const long n = tr.samples();
        if (s.i >= tr.q.rows() || s.j >= tr.q.rows()) continue;
        p.x.resize(n);
        p.y.resize(n);
        for (long k = 0; k < n; ++k) {
            p.x[k] = static_cast<float>(tr.q(s.i, k));
            p.y[k] = static_cast<float>(tr.q(s.j, k));
        }
        p.color = modelColor(tr.model, dark_);
        p.width = static_cast<float>(modelWidth(tr.model));
        p.dash = modelDashed(tr.model) ? 16.0f : 0.0f;
        shown.push_back(tr.model);
    }
    std::vector<GlPolyline> ghosts;
    for (const auto& g : ghost_runs_) {
        if (!g || g->trajectories.empty()) continue;
        const Trajectory* tr =
            g->find(Model::Discrete) ? g->find(Model::Discrete) : &g->trajectories.front();
        if (s.i >= tr->q.rows() || s.j >= tr->q.rows()) continue;
        GlPolyline p;
        p.x.resize(tr->samples());
        p.y.resize(tr->samples());
        for (long k = 0; k < tr->samples(); ++k) {
            p.x[k] = static_cast<float>(tr->q(s.i, k));
            p.y[k] = static_cast<float>(tr->q(s.j, k));
        }
        ghosts.push_back(std::move(p));
    }
    window_->setGhosts(std::move(ghosts));
    legend_->setGhosts(ghost_labels_);
    window_->setTrajectories(std::move(lines), gen_);
    const bool has_gens = !run_->loss->generators().empty();
    legend_->setModels(shown, run_->scene.v0.has_value(), has_gens && orbits_->isChecked());
    setScene(have_scene_ ? scene_ : run_->scene);
}

void LandscapeView::updateNow() {
    if (!run_) return;
    const Slice s = slice();
    std::vector<std::pair<QPointF, QColor>> pts;
    for (const Trajectory& tr : run_->trajectories) {
        if (tr.samples() == 0 || s.i >= tr.q.rows() || s.j >= tr.q.rows()) continue;
        const long k = std::clamp<long>(time_index_, 0, tr.samples() - 1);
        pts.emplace_back(QPointF(tr.q(s.i, k), tr.q(s.j, k)), modelColor(tr.model, dark_));
    }
    window_->setNow(std::move(pts));
}

}  // namespace noether::gui

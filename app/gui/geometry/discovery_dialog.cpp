#include "gui/geometry/discovery_dialog.hpp"

#include <QApplication>
#include <QCategoryAxis>
#include <QChart>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGraphicsLayout>
#include <QHBoxLayout>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPointer>
#include <QScatterSeries>
#include <QSplitter>
#include <QThreadPool>
#include <QVBoxLayout>
#include <QValueAxis>
#include <cmath>

#include "gui/geometry/eigen_cross.hpp"
#include "gui/views/style.hpp"

namespace noether::gui {

namespace {

// Lowest value the log axis shows: exact zeros and round-off sit there.
constexpr double kFloor = 1e-17;

QString num(double v, int digits = 3) {
    if (!std::isfinite(v)) return QStringLiteral("—");
    return QString::number(v, 'g', digits);
}

// (vec_rowmajor(A), b).
Vector pack(const Generator& g) {
    const auto n = g.A.rows();
    Vector t(n * n + n);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j)
            t[i * n + j] = g.A(i, j);
    t.tail(n) = g.b;
    return t;
}

// ξ(q) = A q + b as a table: one row per component ξᵢ, columns q₁..qₙ and the constant.
QString matrixHtml(const Matrix& A, const Vector& b) {
    auto entry = [](double v) { return v == 0.0 ? QStringLiteral("0") : num(v, 4); };
    QString h = "<table cellspacing='0' style='font-family:monospace'><tr><th></th>";
    for (Eigen::Index j = 0; j < A.cols(); ++j)
        h += QString("<th align='right' style='padding:0 6px'>q%1</th>").arg(j + 1);
    h += "<th align='right' style='padding-left:14px'>b</th></tr>";
    for (Eigen::Index i = 0; i < A.rows(); ++i) {
        h += QString("<tr><td style='padding-right:6px'>ξ%1</td>").arg(i + 1);
        for (Eigen::Index j = 0; j < A.cols(); ++j)
            h += QString("<td align='right' style='padding:0 6px'>%1</td>").arg(entry(A(i, j)));
        h += QString("<td align='right' style='padding-left:14px'>%1</td></tr>").arg(entry(b[i]));
    }
    return h + "</table>";
}

// ξ(q) written out, e.g. "ξ(q) = (−q2, q1)".
QString xiFormula(const Matrix& A, const Vector& b) {
    QStringList comps;
    for (Eigen::Index i = 0; i < A.rows(); ++i) {
        QString t;
        auto term = [&t](double c, const QString& what) {
            if (c == 0.0) return;
            const bool neg = c < 0;
            const double a = std::abs(c);
            QString mag = what.isEmpty() || a != 1.0 ? num(a, 4) : QString();
            if (!what.isEmpty() && !mag.isEmpty()) mag += QStringLiteral(" ");
            if (t.isEmpty())
                t = (neg ? QStringLiteral("−") : QString()) + mag + what;
            else
                t += (neg ? QStringLiteral(" − ") : QStringLiteral(" + ")) + mag + what;
        };
        for (Eigen::Index j = 0; j < A.cols(); ++j)
            term(A(i, j), QString("q%1").arg(j + 1));
        term(b[i], QString());
        comps << (t.isEmpty() ? QStringLiteral("0") : t);
    }
    return QStringLiteral("ξ(q) = (") + comps.join(", ") + QStringLiteral(")");
}

}  // namespace

Generator normalisedGenerator(const DiscoveredGenerator& found, double clean) {
    Generator g = found.generator;
    const auto n = g.A.rows();
    const double big = std::max(g.A.cwiseAbs().maxCoeff(), g.b.cwiseAbs().maxCoeff());
    if (!(big > 0.0) || !std::isfinite(big)) return g;
    for (Eigen::Index i = 0; i < n; ++i) {
        for (Eigen::Index j = 0; j < n; ++j)
            g.A(i, j) = std::abs(g.A(i, j)) <= clean * big ? 0.0 : g.A(i, j) / big;
        g.b[i] = std::abs(g.b[i]) <= clean * big ? 0.0 : g.b[i] / big;
    }
    // A rotation turns counter-clockwise in its first plane, as rotation_generator: A(j, i) > 0.
    if (g.kind == SymmetryKind::Rotation) {
        for (Eigen::Index i = 0; i < n; ++i)
            for (Eigen::Index j = i + 1; j < n; ++j)
                if (g.A(j, i) != 0.0) {
                    if (g.A(j, i) < 0) {
                        g.A = -g.A;
                        g.b = -g.b;
                    }
                    return g;
                }
    }
    return g;
}

std::vector<Generator> generatorsToAdopt(const std::vector<DiscoveredGenerator>& found,
                                         const std::vector<Generator>& own, double clean) {
    std::vector<Generator> out;
    for (const DiscoveredGenerator& d : found) {
        Generator g = normalisedGenerator(d, clean);
        // Parallel to one of the loss's own: keep that one.
        const Vector t = pack(g);
        for (const Generator& o : own) {
            if (o.A.rows() != g.A.rows()) continue;
            const Vector u = pack(o);
            const double c = std::abs(t.dot(u)) / std::max(t.norm() * u.norm(), 1e-300);
            if (c > 1.0 - 1e-9) {
                g = o;
                break;
            }
        }
        out.push_back(std::move(g));
    }
    return out;
}

DiscoveryOutcome runDiscovery(const LossSpec& spec, const DiscoveryOptions& options) {
    DiscoveryOutcome out;
    out.spec = spec;
    out.options = options;
    auto loss = make_loss(spec);
    if (!loss) {
        out.error = QString::fromStdString(loss.error().what());
        return out;
    }
    out.own = loss.value()->generators();
    DiscoveryOptions opt = options;
    if (opt.center.size() != 0 && opt.center.size() != loss.value()->dim()) opt.center = Vector();
    out.options = opt;
    auto d = discover_symmetries(*loss.value(), opt);
    if (!d) {
        out.error = QString::fromStdString(d.error().what());
        return out;
    }
    out.found = std::move(d).value();
    return out;
}

DiscoveryDialog::DiscoveryDialog(SceneModel* model, QWidget* parent)
    : QDialog(parent), model_(model) {
    setObjectName("discoveryDialog");
    setWindowTitle(tr("Find symmetries"));
    setModal(false);
    auto* lay = new QVBoxLayout(this);
    auto* intro = new QLabel(
        tr("Affine generators ξ(q) = A q + b with L_ξ f = ⟨∇f, ξ⟩ ≡ 0 span the null space of the "
           "sampled Lie-derivative matrix (PHYSICS.md §4). Its singular values sⱼ = σⱼ/σ₁ below "
           "τ count the symmetries; a wide gap above them flags approximate ones."));
    intro->setWordWrap(true);
    lay->addWidget(intro);

    // Options.
    auto* opts = new QHBoxLayout;
    samples_ = new QSpinBox;
    samples_->setRange(0, 200000);
    samples_->setSpecialValueText(tr("auto"));
    samples_->setToolTip(tr("Number of sample points N_s (auto: max(200, 10p), p = n² + n)"));
    tol_ = new QComboBox;
    for (const char* t : {"1e-6", "1e-8", "1e-10", "1e-12"})
        tol_->addItem(QString::fromLatin1(t));
    tol_->setCurrentIndex(1);
    tol_->setEditable(true);
    tol_->setToolTip(tr("Threshold τ: a relative singular value sⱼ < τ counts as a symmetry"));
    seed_ = new QSpinBox;
    seed_->setRange(1, 1000000);
    seed_->setToolTip(tr("Seed of the sampler"));
    centre_ = new QComboBox;
    centre_->addItems({tr("around the origin"), tr("around the start q₀")});
    centre_->setToolTip(tr("Samples are c + radius·z, z ~ N(0, I)"));
    radius_ = new QDoubleSpinBox;
    radius_->setRange(1e-3, 1e3);
    radius_->setDecimals(3);
    radius_->setValue(1.0);
    radius_->setToolTip(tr("Length scale of the sampling region"));
    find_ = new QPushButton(tr("Find"));
    find_->setToolTip(tr("Run the discovery again with these options"));
    for (auto [label, w] :
         std::initializer_list<std::pair<QString, QWidget*>>{{tr("samples"), samples_},
                                                             {tr("τ"), tol_},
                                                             {tr("seed"), seed_},
                                                             {QString(), centre_},
                                                             {tr("radius"), radius_}}) {
        if (!label.isEmpty()) opts->addWidget(new QLabel(label));
        opts->addWidget(w);
    }
    opts->addStretch(1);
    opts->addWidget(find_);
    lay->addLayout(opts);

    summary_ = new QLabel;
    summary_->setTextFormat(Qt::RichText);
    summary_->setWordWrap(true);
    summary_->setFont(lectureFont(1.0));
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    lay->addWidget(summary_);

    // Spectrum and generators side by side.
    auto* chart = new QChart;
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setBackgroundRoundness(0);
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->legend()->setFont(lectureFont(0.9));
    chart->legend()->setAlignment(Qt::AlignBottom);
    spectrum_ = new QChartView(chart);
    spectrum_->setRenderHint(QPainter::Antialiasing);
    spectrum_->setMinimumSize(480, 300);
    generators_ = new QTextBrowser;
    generators_->setMinimumWidth(320);
    generators_->setFont(lectureFont(1.0));
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(spectrum_);
    split->addWidget(generators_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    lay->addWidget(split, 1);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    adopt_ = buttons->addButton(tr("Adopt"), QDialogButtonBox::ApplyRole);
    adopt_->setToolTip(
        tr("Make the generators found the loss's symmetries in this scene: their "
           "orbits are drawn and their charges J = m⟨q′, ξ(q)⟩ are computed "
           "(undoable)"));
    adopt_near_ = buttons->addButton(tr("Adopt approximate"), QDialogButtonBox::ApplyRole);
    adopt_near_->setToolTip(
        tr("Adopt the approximate symmetries behind the largest gap: their "
           "charges are broken, and the budget shows by how much"));
    clear_ = buttons->addButton(tr("Clear adopted"), QDialogButtonBox::ResetRole);
    clear_->setToolTip(tr("Back to the loss's own symmetries (undoable)"));
    lay->addWidget(buttons);
    resize(1100, 680);

    rerun_.setSingleShot(true);
    rerun_.setInterval(250);
    connect(&rerun_, &QTimer::timeout, this, &DiscoveryDialog::run);
    connect(find_, &QPushButton::clicked, this, &DiscoveryDialog::run);
    connect(adopt_, &QPushButton::clicked, this, [this] { adopt(false); });
    connect(adopt_near_, &QPushButton::clicked, this, [this] { adopt(true); });
    connect(clear_, &QPushButton::clicked, this,
            [this] { model_->setAdoptedGenerators({}, tr("Clear adopted symmetries")); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    // A new loss (or ε) while the dialog is open: run again.
    connect(model_, &SceneModel::sceneChanged, this, [this](const Scene& s, SceneField) {
        updateButtons();
        if (isVisible() && outcome_ && !(outcome_->spec == s.loss)) rerun_.start();
    });
    updateButtons();
}

DiscoveryOptions DiscoveryDialog::options() const {
    DiscoveryOptions o;
    o.samples = samples_->value();
    bool ok = false;
    const double tol = tol_->currentText().toDouble(&ok);
    if (ok) o.tol = tol;
    o.seed = static_cast<std::uint64_t>(seed_->value());
    if (centre_->currentIndex() == 1) o.center = model_->scene().q0;
    o.radius = radius_->value();
    return o;
}

void DiscoveryDialog::showEvent(QShowEvent* e) {
    QDialog::showEvent(e);
    if (!outcome_ || !(outcome_->spec == model_->scene().loss)) run();
}

void DiscoveryDialog::run() {
    const LossSpec spec = model_->scene().loss;
    const DiscoveryOptions opt = options();
    const quint64 serial = ++serial_;
    running_ = true;
    summary_->setText(tr("<i>sampling the Lie derivative of f…</i>"));
    updateButtons();
    QPointer<DiscoveryDialog> self(this);
    QThreadPool::globalInstance()->start([spec, opt, serial, self] {
        DiscoveryOutcome out = runDiscovery(spec, opt);
        QMetaObject::invokeMethod(
            qApp,
            [self, serial, out = std::move(out)]() mutable {
                if (self && serial == self->serial_) self->showOutcome(std::move(out));
            },
            Qt::QueuedConnection);
    });
}

void DiscoveryDialog::runNow() {
    ++serial_;
    showOutcome(runDiscovery(model_->scene().loss, options()));
}

void DiscoveryDialog::showOutcome(DiscoveryOutcome out) {
    running_ = false;
    outcome_ = std::move(out);
    const DiscoveryOutcome& o = *outcome_;
    if (!o.found) {
        summary_->setText(tr("<b style='color:#D55E00'>Cannot run the discovery:</b> %1")
                              .arg(o.error.toHtmlEscaped()));
        generators_->clear();
        spectrum_->chart()->removeAllSeries();
        updateButtons();
        emit discovered(false);
        return;
    }
    const Discovery& d = *o.found;
    const QString loss = o.spec.name == "expr"
                             ? tr("f = %1").arg(QString::fromStdString(o.spec.expr)).toHtmlEscaped()
                             : QString::fromStdString(o.spec.name);
    QString html = tr("<b>%1</b>: nullity <b>d = %2</b> (sⱼ &lt; τ = %3) &nbsp;·&nbsp; %4 samples "
                      "(%5 rows), p = %6 unknowns")
                       .arg(loss)
                       .arg(d.nullity)
                       .arg(num(d.tol))
                       .arg(d.samples)
                       .arg(d.rows)
                       .arg(d.p);
    html += tr("<br>largest gap: %1 decades after s%2 → d_gap = %3")
                .arg(num(d.gap_decades, 3))
                .arg(d.gap_index)
                .arg(d.nullity_gap);
    if (d.approximate)
        html += tr(" &nbsp;<b style='background:#E69F00; color:black'>&nbsp;approximate "
                   "symmetry&nbsp;</b> d_gap = %1 &gt; d = %2: a symmetry broken by a small "
                   "term")
                    .arg(d.nullity_gap)
                    .arg(d.nullity);
    if (d.nullity > 1)
        html +=
            tr("<br>Lie-bracket closure residual %1 %2")
                .arg(num(d.exact.closure_residual, 2),
                     d.exact.closure_residual < 1e-8 ? QStringLiteral("✓") : QStringLiteral("✗"));
    summary_->setText(html);
    drawSpectrum(d);
    QString g;
    if (d.exact.generators.empty())
        g = tr("<p><b>No exact symmetry</b> among the affine fields: no Noether charge.</p>");
    else
        g = (d.nullity == 1 ? tr("<p><b>1 symmetry found</b></p>")
                            : tr("<p><b>%1 symmetries found</b></p>").arg(d.nullity)) +
            generatorsHtml(d.exact.generators, kExactClean);
    if (d.approximate) {
        g += tr("<hr><p><b>Approximate symmetries</b> (behind the %1-decade gap)</p>")
                 .arg(num(d.gap_decades, 2));
        g += generatorsHtml(d.near.generators, kApproximateClean);
        g +=
            tr("<p><i>Parts below 10⁻³ of the largest entry are the breaking's residue and are "
               "shown (and adopted) as 0.</i></p>");
    }
    generators_->setHtml(g);
    updateButtons();
    emit discovered(true);
}

QString DiscoveryDialog::generatorsHtml(const std::vector<DiscoveredGenerator>& gens,
                                        double clean) const {
    const bool dark = isDark(palette());
    QString h;
    int k = 0;
    for (const DiscoveredGenerator& d : gens) {
        const Generator g = normalisedGenerator(d, clean);
        const QColor c = generatorColor(k++, dark);
        h += QString("<p><b style='color:%1'>■</b> <b>%2</b> — %3<br>%4<br>%5</p>")
                 .arg(c.name(), QString::fromStdString(g.name).toHtmlEscaped(),
                      QString::fromStdString(d.description).toHtmlEscaped(),
                      xiFormula(g.A, g.b).toHtmlEscaped(), matrixHtml(g.A, g.b));
    }
    return h;
}

void DiscoveryDialog::drawSpectrum(const Discovery& d) {
    QChart* chart = spectrum_->chart();
    chart->removeAllSeries();
    for (QAbstractAxis* a : chart->axes()) {
        chart->removeAxis(a);
        delete a;
    }
    const QPalette pal = palette();
    const QColor fg = pal.color(QPalette::Text), bg = pal.color(QPalette::Base);
    chart->setBackgroundBrush(bg);
    chart->legend()->setLabelColor(fg);
    chart->setTitle(tr("singular values sⱼ = σⱼ / σ₁"));
    chart->setTitleFont(lectureFont(1.0, true));
    chart->setTitleBrush(fg);
    // log10 sⱼ on a value axis, labelled 10^k every few decades (many decades stay readable).
    const int p = static_cast<int>(d.singular_values.size());
    double lo = 1.0;
    for (int j = 0; j < p; ++j)
        if (d.singular_values[j] > 0) lo = std::min(lo, d.singular_values[j]);
    lo = std::max(kFloor, std::min(lo, d.tol));
    const int dlo = static_cast<int>(std::floor(std::log10(lo))) - 1, dhi = 1;
    const int span = dhi - dlo;
    const int every = span > 12 ? 4 : span > 6 ? 2 : 1;
    auto* x = new QValueAxis;
    x->setRange(0.5, p + 0.5);
    x->setLabelFormat("%d");
    x->setTickType(QValueAxis::TicksDynamic);
    x->setTickAnchor(1);
    x->setTickInterval(p > 24 ? 8 : p > 12 ? 2 : 1);
    x->setTitleText(tr("index j"));
    auto* y = new QCategoryAxis;
    y->setRange(dlo, dhi);
    y->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    static const QString sup = QString::fromUtf8("⁰¹²³⁴⁵⁶⁷⁸⁹");
    y->setStartValue(dlo);
    // Labels ascending (a category axis needs increasing end values), on multiples of `every`.
    for (int k = -((-dlo) / every) * every; k <= 0; k += every) {
        QString label = QStringLiteral("10");
        if (k < 0) label += QString::fromUtf8("⁻");
        for (QChar c : QString::number(std::abs(k)))
            label += sup[c.digitValue()];
        y->append(label, k);
    }
    y->setTitleText(tr("sⱼ (log scale)"));
    for (QAbstractAxis* a : std::initializer_list<QAbstractAxis*>{x, y}) {
        a->setLabelsFont(lectureFont(0.9));
        a->setTitleFont(lectureFont(0.9));
        a->setLabelsColor(fg);
        a->setTitleBrush(fg);
        QColor grid = fg;
        grid.setAlpha(40);
        a->setGridLineColor(grid);
    }
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    auto attach = [&](QAbstractSeries* s) {
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
    };
    // Exact zeros and values below the floor sit just above the bottom.
    auto value = [&](int j) {
        const double v = d.singular_values[j];
        return v > 0 ? std::max(std::log10(v), dlo + 0.15) : dlo + 0.15;
    };
    auto* line = new QLineSeries;
    QColor lc = fg;
    lc.setAlpha(120);
    line->setPen(QPen(lc, 1.5));
    auto* kept = new QScatterSeries;
    kept->setName(tr("constraints"));
    kept->setColor(fg);
    kept->setBorderColor(fg);
    kept->setMarkerSize(10);
    auto* nulls = new QScatterSeries;
    nulls->setName(tr("symmetries"));
    const QColor blue = isDark(pal) ? okabe_ito::kSkyBlue : okabe_ito::kBlue;
    nulls->setColor(blue);
    nulls->setBorderColor(blue);
    nulls->setMarkerSize(14);
    for (int j = 0; j < p; ++j) {
        const QPointF pt(j + 1, value(j));
        line->append(pt);
        (d.singular_values[j] < d.tol ? nulls : kept)->append(pt);
    }
    auto* tau = new QLineSeries;
    tau->setName(tr("τ = %1").arg(num(d.tol)));
    tau->setPen(QPen(okabe_ito::kVermillion, 2.5, Qt::DashLine));
    tau->append(0.5, std::log10(d.tol));
    tau->append(p + 0.5, std::log10(d.tol));
    attach(line);
    attach(tau);
    if (d.gap_index >= 1 && d.gap_index < p) {
        auto* gap = new QLineSeries;
        gap->setName(tr("largest gap"));
        gap->setPen(QPen(okabe_ito::kOrange, 3.0, Qt::DotLine));
        gap->append(d.gap_index + 0.5, dlo);
        gap->append(d.gap_index + 0.5, dhi);
        attach(gap);
    }
    attach(kept);
    attach(nulls);
    for (QLegendMarker* m : chart->legend()->markers(line))
        m->setVisible(false);
}

void DiscoveryDialog::updateButtons() {
    const bool fresh = outcome_ && outcome_->found && outcome_->spec == model_->scene().loss;
    adopt_->setEnabled(!running_ && fresh && outcome_->found->nullity > 0);
    adopt_near_->setVisible(fresh && outcome_->found->approximate);
    adopt_near_->setEnabled(!running_ && fresh && outcome_->found->approximate);
    clear_->setEnabled(!model_->adoptedGenerators().empty());
    find_->setEnabled(!running_);
}

bool DiscoveryDialog::adopt(bool approximate) {
    if (!outcome_ || !outcome_->found || !(outcome_->spec == model_->scene().loss)) return false;
    const Discovery& d = *outcome_->found;
    const auto& found = approximate ? d.near.generators : d.exact.generators;
    if (found.empty()) return false;
    std::vector<Generator> gens =
        generatorsToAdopt(found, outcome_->own, approximate ? kApproximateClean : kExactClean);
    QStringList names;
    for (const Generator& g : gens)
        names << QString::fromStdString(g.name);
    model_->setAdoptedGenerators(std::move(gens), tr("Adopt symmetries %1").arg(names.join(", ")));
    updateButtons();
    return true;
}

}  // namespace noether::gui

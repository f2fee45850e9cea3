#include "gui/views/loss_chart.hpp"

#include <cmath>
#include <tuple>

#include "gui/views/style.hpp"

namespace noether::gui {

namespace {

QPen modelPen(const ChartPanel*, Model m, bool dark) {
    QPen pen(modelColor(m, dark));
    pen.setWidthF(modelChartWidth(m));
    pen.setStyle(modelDashed(m) ? Qt::DashLine : Qt::SolidLine);
    pen.setCapStyle(Qt::FlatCap);
    return pen;
}
}  // namespace

LossChart::LossChart(QWidget* parent) : TimeChart(tr("loss f(q(t))"), tr("f"), true, parent) {
    for (Model m : kModelDrawOrder) {
        const int i = static_cast<int>(m);
        loss_[i] = addLine(modelName(m), modelPen(this, m, false));
        loss_[i]->setVisible(false);
    }
}

int LossChart::pointCount(Model model) const {
    return loss_[static_cast<int>(model)]->count();
}

void LossChart::applyTheme(bool dark) {
    TimeChart::applyTheme(dark);
    for (int i = 0; i < kModelCount; ++i)
        loss_[i]->setPen(modelPen(this, kAllModels[i], dark));
}

void LossChart::setRun(std::shared_ptr<const Run> run, quint64 gen) {
    // A log axis needs f > 0: if any model reaches f <= 0 (a tilted loss), show f − min f.
    double fmin = INFINITY;
    for (const Trajectory& tr : run->trajectories)
        for (double f : tr.loss)
            if (std::isfinite(f)) fmin = std::min(fmin, f);
    const bool shift = std::isfinite(fmin) && fmin < 0.0;
    titleLabel()->setText(shift ? tr("loss f(q(t)) − min f") : tr("loss f(q(t))"));
    y_axis_->setTitleText(shift ? tr("f − min f") : tr("f"));
    std::vector<Feed> feeds;
    bool present[kModelCount] = {};
    for (const Trajectory& tr : run->trajectories) {
        const int mi = static_cast<int>(tr.model);
        present[mi] = true;
        if (shift) {
            shifted_[mi].resize(tr.loss.size());
            for (size_t k = 0; k < tr.loss.size(); ++k)
                shifted_[mi][k] = tr.loss[k] - fmin;
            feeds.push_back({loss_[mi], shifted_[mi].data(), static_cast<long>(tr.loss.size()), 0});
        } else {
            feeds.push_back({loss_[mi], tr.loss.data(), static_cast<long>(tr.loss.size()), 0});
        }
    }
    for (int i = 0; i < kModelCount; ++i)
        if (loss_[i]->isVisible() != present[i]) loss_[i]->setVisible(present[i]);
    // Companion scenes (a preset's "ghost"), on the same axes when no shift is needed.
    size_t used = 0;
    if (!shift)
        for (const GhostRun& g : ghosts_)
            if (const Trajectory* t = ghostTrajectory(g)) {
                feeds.push_back({ghostLine(used, g.label), t->loss.data(),
                                 static_cast<long>(t->loss.size()), 0});
                ++used;
            }
    hideGhostLines(used);
    feed(feeds, run->scene.steps);
    markGeneration(gen);
}

EffectiveLrChart::EffectiveLrChart(QWidget* parent)
    : TimeChart(tr("effective learning rate η/|q|²"), tr("η_eff"), true, parent) {
    for (Model m : kModelDrawOrder) {
        const int i = static_cast<int>(m);
        elr_[i] = addLine(modelName(m), modelPen(this, m, false));
        elr_[i]->setVisible(false);
    }
    eq17_ = addLine(tr("Eq. 17"), seriesPen(Qt::black, 2.0, Qt::DashLine));
    rms_ = addLine(tr("RMSProp-norm η/√G, matched ρ (analogy)"),
                   seriesPen(Qt::gray, 2.5, Qt::DotLine));
    for (QLineSeries* s : elr_)
        hideFromLegend(s);
    titleLabel()->setToolTip(tr(
        "Scale symmetry makes |q|² grow, so the step in angle shrinks like η/|q|²: an "
        "implicit adaptive learning rate.\nEq. 17: r² = √(2η(1+β)/(1−β)³ ∫e^{−4k(t−τ)/μ}|ĝ|² "
        "dτ + e^{−4kt/μ} r₀⁴) (overdamped approximation; not drawn where it does not apply).\n"
        "RMSProp-norm (Eq. 18, drawn only when k > 0): η/(√G + eps), "
        "G_n = ρ G_{n−1} + (1−ρ)|g_n|² from G = 0 with the matched ρ = 1 − 4ηk/(1−β).\nHover the "
        "plot for each curve's validity and measured error."));
}

void EffectiveLrChart::fixLegend() {
    TimeChart::fixLegend();
    for (QLineSeries* s : elr_)
        if (s) hideFromLegend(s);  // the loss chart beside it names the model colours
}

bool EffectiveLrChart::applies(const Run& run) {
    for (const auto& g : run.loss->generators())
        if (g.kind == SymmetryKind::Scale) return true;
    return false;
}

void EffectiveLrChart::applyTheme(bool dark) {
    TimeChart::applyTheme(dark);
    for (int i = 0; i < kModelCount; ++i)
        elr_[i]->setPen(modelPen(this, kAllModels[i], dark));
    const QColor text = palette().color(QPalette::Text);
    eq17_->setPen(seriesPen(text, 2.0, Qt::DashLine));
    rms_->setPen(seriesPen(textMix(0.6), 2.5, Qt::DotLine));
}

void EffectiveLrChart::setRun(std::shared_ptr<const Run> run, quint64 gen) {
    std::vector<Feed> feeds;
    bool present[kModelCount] = {};
    bool have17 = false, have_rms = false, shown17 = false;
    QStringList tips;
    for (const Trajectory& tr : run->trajectories) {
        const int mi = static_cast<int>(tr.model);
        if (const NamedSeries* s = tr.prediction("effective_lr")) {
            present[mi] = true;
            feeds.push_back({elr_[mi], s->values.data(), static_cast<long>(s->values.size()), 0});
        }
        // The predictions of the first model (discrete if shown) only, to keep it readable.
        // A law whose assumptions fail for this scene is not drawn (its note says why).
        if (const NamedSeries* s = tr.prediction("effective_lr_eq17"); s && !have17) {
            have17 = true;
            if (s->validity == Validity::NotApplicable) {
                tips << EffectiveLrChart::tr("Eq. 17 not drawn: %1")
                            .arg(QString::fromStdString(s->note));
            } else {
                eq17_->setName(EffectiveLrChart::tr("Eq. 17 (%1)").arg(validityWord(s->validity)));
                tips << predictionTip(*s);
                feeds.push_back({eq17_, s->values.data(), static_cast<long>(s->values.size()), 0});
                shown17 = true;
            }
        }
        if (const NamedSeries* s = tr.prediction("effective_lr_rmsprop"); s && !have_rms) {
            have_rms = true;
            tips << predictionTip(*s);
            // G starts at 0 (torch's RMSprop): the first 1/(1−ρ) steps' rate is large and is
            // clipped at the top of the run's range rather than setting it.
            feeds.push_back(
                {rms_, s->values.data(), static_cast<long>(s->values.size()), 0, false});
        }
    }
    for (int i = 0; i < kModelCount; ++i) {
        if (elr_[i]->isVisible() != present[i]) {
            elr_[i]->setVisible(present[i]);
            hideFromLegend(elr_[i]);
        }
    }
    if (eq17_->isVisible() != shown17) eq17_->setVisible(shown17);
    view()->setToolTip(tips.join(QStringLiteral("\n\n")));
    if (rms_->isVisible() != have_rms) rms_->setVisible(have_rms);
    feed(feeds, run->scene.steps);
    markGeneration(gen);
}

NormChart::NormChart(QWidget* parent)
    : TimeChart(tr("squared norm |q|²"), tr("|q|²"), false, parent) {
    for (Model m : kModelDrawOrder) {
        const int i = static_cast<int>(m);
        r2_[i] = addLine(modelName(m), modelPen(this, m, false));
        r2_[i]->setVisible(false);
    }
    eq17_ = addLine(tr("Eq. 17"), seriesPen(Qt::black, 2.0, Qt::DashLine));
    eq16_ = addLine(tr("Eq. 16"), seriesPen(Qt::black, 2.0, Qt::DotLine));
    for (QLineSeries* s : r2_)
        hideFromLegend(s);
    titleLabel()->setToolTip(tr(
        "Gradient flow keeps |q|² fixed on a scale-invariant loss; a finite learning rate makes it "
        "grow (kinetic symmetry breaking), weight decay makes it shrink.\nEq. 17: r² = "
        "√(2η(1+β)/(1−β)³ ∫e^{−4k(t−τ)/μ}|ĝ|² dτ + e^{−4kt/μ} r₀⁴), overdamped (drops mρ″).\n"
        "Eq. 16: m ρ″ + μ ρ′ = −2kρ + 2m|ĝ|²/(μ²ρ) keeps the inertia but still assumes the "
        "overdamped velocity. It is not always the better of the two: at most off by 2.1 % "
        "vs Eq. 17's 3.6 % in preset 3a, 60 % vs 98 % in 3b, but 0.39 % vs 0.047 % in 4, and "
        "23 % vs 6.3 % at β = 0 (scale_cos from (0.6, 0.5), η = 0.7, 1000 steps).\n≈ marks an "
        "approximation. Neither is drawn where it does not apply; hover the plot for each "
        "curve's measured error in this run."));
}

void NormChart::fixLegend() {
    TimeChart::fixLegend();
    for (QLineSeries* s : r2_)
        if (s) hideFromLegend(s);  // the loss chart beside it names the model colours
}

void NormChart::applyTheme(bool dark) {
    TimeChart::applyTheme(dark);
    for (int i = 0; i < kModelCount; ++i)
        r2_[i]->setPen(modelPen(this, kAllModels[i], dark));
    const QColor text = palette().color(QPalette::Text);
    eq17_->setPen(seriesPen(text, 2.0, Qt::DashLine));
    eq16_->setPen(seriesPen(text, 2.0, Qt::DotLine));
}

void NormChart::setRun(std::shared_ptr<const Run> run, quint64 gen) {
    std::vector<Feed> feeds;
    bool present[kModelCount] = {};
    bool shown17 = false, shown16 = false;
    QStringList tips;
    for (const Trajectory& tr : run->trajectories) {
        const int mi = static_cast<int>(tr.model);
        present[mi] = true;
        feeds.push_back({r2_[mi], tr.r2.data(), static_cast<long>(tr.r2.size()), 0});
    }
    // The laws of the first model (discrete if shown) only, as in the chart beside it.
    if (!run->trajectories.empty()) {
        const Trajectory& tr = run->trajectories.front();
        for (auto [key, label, line, shown] : {std::tuple{"r2_eq17", "Eq. 17", eq17_, &shown17},
                                               std::tuple{"r2_eq16", "Eq. 16", eq16_, &shown16}}) {
            const NamedSeries* s = tr.prediction(key);
            if (!s) continue;
            const QString name = QString::fromLatin1(label);
            if (s->validity == Validity::NotApplicable) {
                tips
                    << NormChart::tr("%1 not drawn: %2").arg(name, QString::fromStdString(s->note));
                continue;
            }
            // Two laws share a narrow legend: "≈" says approximate (the tooltip has the words).
            line->setName(s->validity == Validity::Exact ? NormChart::tr("%1 (exact)").arg(name)
                                                         : NormChart::tr("≈ %1").arg(name));
            tips << predictionTip(*s);
            feeds.push_back({line, s->values.data(), static_cast<long>(s->values.size()), 0});
            *shown = true;
        }
    }
    for (int i = 0; i < kModelCount; ++i) {
        if (r2_[i]->isVisible() != present[i]) {
            r2_[i]->setVisible(present[i]);
            hideFromLegend(r2_[i]);
        }
    }
    if (eq17_->isVisible() != shown17) eq17_->setVisible(shown17);
    if (eq16_->isVisible() != shown16) eq16_->setVisible(shown16);
    tips.prepend(titleLabel()->toolTip());  // the header is hidden in the main window
    view()->setToolTip(tips.join(QStringLiteral("\n\n")));
    feed(feeds, run->scene.steps);
    markGeneration(gen);
}

}  // namespace noether::gui

#include "gui/views/charge_chart.hpp"

#include <QLegend>
#include <QLegendMarker>

#include "gui/views/style.hpp"

namespace noether::gui {

namespace {

// Budget terms: the Okabe–Ito colours the models do not use, plus grey and the text colour.
QColor termColor(int term, bool, const QColor& text) {
    switch (term) {
        case 0:
            return okabe_ito::kOrange;
        case 1:
            return okabe_ito::kSkyBlue;
        case 2: {
            QColor c = text;
            c.setAlphaF(0.55);
            return c;
        }
        default:
            return text;
    }
}
}  // namespace

ChargeChart::ChargeChart(QWidget* parent)
    : TimeChart(tr("J = m⟨q′, ξ(q)⟩"), tr("J"), false, parent) {
    generator_ = new QComboBox;
    generator_->setToolTip(tr("Which symmetry generator ξ the charge belongs to"));
    generator_->setVisible(false);
    header()->addWidget(generator_);
    budget_ = new QCheckBox(tr("budget"));
    budget_->setToolTip(
        tr("Show the four terms of the charge's budget (right axis, rate units):\n"
           "J′ = −(μ/m) J  + m⟨q′, S q′⟩  − k⟨q, ξ⟩  − L_ξ f\n"
           "damping, kinetic symmetry breaking, weight decay, explicit breaking "
           "(PHYSICS.md §1.1; discrete: the exact identity of §2.1)"));
    header()->addWidget(budget_);
    // Right axis: gradient flow's ⟨q′, ξ⟩ (its J = m⟨q′, ξ⟩ vanishes with m, PHYSICS.md §0.3,
    // and ⟨q′, ξ⟩ has other units), or the budget terms when they are shown.
    addRightAxis(tr("flow ⟨q′, ξ⟩"), false);
    for (Model m : kModelDrawOrder) {
        const int i = static_cast<int>(m);
        J_[i] =
            addLine(firstOrderModel(m) ? tr("%1 ⟨q′,ξ⟩ (right)").arg(modelName(m)) : modelName(m),
                    seriesPen(modelColor(m, false), modelChartWidth(m),
                              modelDashed(m) ? Qt::DashLine : Qt::SolidLine),
                    firstOrderModel(m) ? 1 : 0);
    }
    for (int i = 0; i < kModelCount; ++i) {
        law_[i] = addLine(tr("closed-form law"), seriesPen(Qt::black, 2.0, Qt::DashLine),
                          firstOrderModel(kAllModels[i]) ? 1 : 0);
        if (i > 0) hideFromLegend(law_[i]);
    }
    const QString names[4] = {tr("damping"), tr("kinetic"), tr("weight decay"), tr("explicit")};
    for (int t = 0; t < 4; ++t) {
        terms_[t] =
            addLine(names[t], seriesPen(termColor(t, false, Qt::black), 3.0, Qt::DotLine), 1);
        terms_[t]->setVisible(false);
    }
    y2_axis_->setVisible(false);
    for (QLineSeries* s : lines_)
        if (s->count() == 0) s->setVisible(false);
    connect(budget_, &QCheckBox::toggled, this, &ChargeChart::setBudgetVisible);
    connect(generator_, &QComboBox::currentIndexChanged, this, [this] { rebuild(); });
}

void ChargeChart::setBudgetVisible(bool on) {
    if (budget_->isChecked() != on) budget_->setChecked(on);
    rebuild();
}

int ChargeChart::pointCount(Model model) const {
    return J_[static_cast<int>(model)]->count();
}

void ChargeChart::applyTheme(bool dark) {
    TimeChart::applyTheme(dark);
    const QColor text = palette().color(QPalette::Text);
    for (int i = 0; i < kModelCount; ++i) {
        const Model m = kAllModels[i];
        J_[i]->setPen(seriesPen(modelColor(m, dark), modelChartWidth(m),
                                modelDashed(m) ? Qt::DashLine : Qt::SolidLine));
        law_[i]->setPen(seriesPen(text, 2.0, Qt::DashLine));
    }
    for (int t = 0; t < 4; ++t)
        terms_[t]->setPen(seriesPen(termColor(t, dark, text), 3.0, Qt::DotLine));
}

void ChargeChart::updateGenerators() {
    const std::string key =
        run_->loss->name() + "/" + std::to_string(run_->loss->generators().size());
    if (key == loss_key_) return;
    loss_key_ = key;
    const QSignalBlocker block(generator_);
    generator_->clear();
    for (const auto& g : run_->loss->generators())
        generator_->addItem(QString::fromStdString(g.name));
    generator_->setVisible(generator_->count() > 1);
}

void ChargeChart::setRun(std::shared_ptr<const Run> run, quint64 gen) {
    run_ = std::move(run);
    gen_ = gen;
    updateGenerators();
    rebuild();
}

void ChargeChart::rebuild() {
    if (!run_) return;
    const auto& gens = run_->loss->generators();
    const int gi = std::clamp(generator_->currentIndex(), 0, static_cast<int>(gens.size()) - 1);
    QString title = tr("J = m⟨q′, ξ(q)⟩");
    if (gens.empty()) {
        title = tr("no continuous symmetry: no Noether charge");
    } else {
        title += tr(" for %1").arg(QString::fromStdString(gens[gi].name));
        if (run_->scene.loss.eps != 0.0) title += tr(" (broken by ε)");
    }
    titleLabel()->setText(title);
    std::vector<Feed> feeds;
    bool present[kModelCount] = {};
    bool law_present[kModelCount] = {};
    Validity law_validity[kModelCount] = {};
    QStringList law_tips;
    int budget_model = -1;
    const bool budget = budget_->isChecked();
    size_t ghosts_used = 0;
    if (!gens.empty()) {
        const std::string gname = gens[gi].name;
        for (const Trajectory& tr : run_->trajectories) {
            const int mi = static_cast<int>(tr.model);
            const ChargeSeries* c = tr.charge(gname);
            if (!c) continue;
            if (budget_model < 0 && !firstOrderModel(tr.model) && !c->damping.empty())
                budget_model = mi;
            // With the budget on, the right axis is the budget's: flow's ⟨q′, ξ⟩ steps aside.
            const int axis = firstOrderModel(tr.model) ? 1 : 0;
            if (axis == 1 && budget) continue;
            present[mi] = true;
            feeds.push_back({J_[mi], c->J.data(), static_cast<long>(c->J.size()), axis});
            if (const NamedSeries* law = tr.prediction("J_" + gname + "_law");
                law && law->validity != Validity::NotApplicable) {
                law_present[mi] = true;
                law_validity[mi] = law->validity;
                law_tips << QStringLiteral("%1: %2").arg(modelName(tr.model), predictionTip(*law));
                feeds.push_back(
                    {law_[mi], law->values.data(), static_cast<long>(law->values.size()), axis});
            }
        }
        // Companion scenes (a preset's "ghost"): their discrete charge of the same generator.
        for (const GhostRun& g : ghosts_) {
            const Trajectory* t = ghostTrajectory(g);
            const ChargeSeries* c = t ? t->charge(gname) : nullptr;
            if (!c || firstOrderModel(t->model)) continue;
            feeds.push_back(
                {ghostLine(ghosts_used, g.label), c->J.data(), static_cast<long>(c->J.size()), 0});
            ++ghosts_used;
        }
        if (budget && budget_model >= 0) {
            const Trajectory* tr = run_->find(kAllModels[budget_model]);
            const ChargeSeries* c = tr->charge(gname);
            const std::vector<double>* terms[4] = {&c->damping, &c->kinetic, &c->weight_decay,
                                                   &c->explicit_breaking};
            for (int t = 0; t < 4; ++t)
                feeds.push_back(
                    {terms_[t], terms[t]->data(), static_cast<long>(terms[t]->size()), 1});
        }
    }
    const bool terms_on = budget && budget_model >= 0;
    const bool right = terms_on || present[static_cast<int>(Model::Flow)] ||
                       present[static_cast<int>(Model::ModifiedFlow)];
    if (y2_axis_->isVisible() != right) y2_axis_->setVisible(right);
    const QString right_title =
        terms_on ? tr("budget of %1 (dJ/dt)").arg(modelName(kAllModels[budget_model]))
                 : tr("flow ⟨q′, ξ⟩");
    if (y2_axis_->titleText() != right_title) y2_axis_->setTitleText(right_title);
    // Visibility changes only when the set of models changes (it relayouts the legend).
    // One legend entry per kind of law drawn: exact laws dashed, approximate ones dotted, each
    // named so (a law called exact is exact for this scene: PHYSICS.md §2.1–§2.3).
    bool named[3] = {false, false, false};
    const QColor text = palette().color(QPalette::Text);
    for (int i = 0; i < kModelCount; ++i) {
        if (J_[i]->isVisible() != present[i]) J_[i]->setVisible(present[i]);
        if (law_[i]->isVisible() != law_present[i]) law_[i]->setVisible(law_present[i]);
        if (law_present[i]) {
            const Validity v = law_validity[i];
            const QString name = tr("closed-form law (%1)").arg(validityWord(v));
            if (law_[i]->name() != name) law_[i]->setName(name);
            if (law_[i]->pen().style() != predictionStyle(v))
                law_[i]->setPen(seriesPen(text, 2.0, predictionStyle(v)));
            const bool first = !named[static_cast<int>(v)];
            named[static_cast<int>(v)] = true;
            for (QLegendMarker* m : chart()->legend()->markers(law_[i]))
                if (m->isVisible() != first) m->setVisible(first);
            setInKey(law_[i], first);
        }
    }
    const QString tip = law_tips.join(QStringLiteral("\n\n"));
    if (chart_view_tip_ != tip) {
        chart_view_tip_ = tip;
        view()->setToolTip(tip);
    }
    for (QLineSeries* t : terms_)
        if (t->isVisible() != terms_on) t->setVisible(terms_on);
    hideGhostLines(ghosts_used);
    feed(feeds, run_->scene.steps);
    markGeneration(gen_);
}

}  // namespace noether::gui

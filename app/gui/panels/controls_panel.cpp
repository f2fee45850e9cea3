#include "gui/panels/controls_panel.hpp"

#include "gui/panels/steady_box.hpp"

#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QPainter>
#include <QPixmap>
#include <QRegularExpression>
#include <QStringList>
#include <QTimer>
#include <QVBoxLayout>
#include <cmath>

#include "gui/geometry/loss_editor.hpp"
#include "gui/views/style.hpp"
#include "noether/phase.hpp"

namespace noether::gui {

namespace {
constexpr Rule kRules[5] = {Rule::Sgd, Rule::RmsProp, Rule::RmsPropNorm, Rule::Adam, Rule::AdamW};

QString fmt(double v) {
    return QString::number(v, 'g', 4);
}

QIcon swatch(const QColor& c, bool dashed) {
    QPixmap pm(28, 14);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    QPen pen(c, 4);
    if (dashed) pen.setStyle(Qt::DashLine);
    p.setPen(pen);
    p.drawLine(1, 7, 27, 7);
    return QIcon(pm);
}

QDoubleSpinBox* coordinateSpin(const QString& tip) {
    auto* s = new SciSpinBox;
    s->setSignificantDigits(5);
    s->setRange(-100.0, 100.0);
    s->setSingleStep(0.05);
    s->setToolTip(tip);
    s->setMinimumWidth(60);
    return s;
}

QString parseError(const QString& text, std::vector<double>& out) {
    out.clear();
    for (const QString& part : text.split(QRegularExpression("[,\\s]+"), Qt::SkipEmptyParts)) {
        bool ok = false;
        const double v = part.toDouble(&ok);
        if (!ok || !std::isfinite(v)) return QObject::tr("'%1' is not a number").arg(part);
        out.push_back(v);
    }
    if (out.empty()) return QObject::tr("needs at least one number");
    return {};
}
// A model check box's tooltip: what it integrates for the scene's rule, or why the rule has no
// such model (the box is then disabled).
QString modelTip(const RuleParams& p, Model m) {
    const std::string why = model_unavailable(p, m);
    if (!why.empty()) return QObject::tr("Not available: %1").arg(QString::fromStdString(why));
    QString tip = QString::fromStdString(model_equation(p, m));
    switch (m) {
        case Model::Discrete:
            tip += QObject::tr("; sample n at t = nη");
            break;
        case Model::Ode:
            tip += QObject::tr(" (implicit acceleration, §2.6)");
            break;
        case Model::OdeRest:
            tip += QObject::tr(": shows the half-step lag (§6.2)");
            break;
        case Model::Flow:
            tip += QObject::tr(": the m → 0 limit");
            break;
        case Model::ModifiedFlow:
            tip += QObject::tr(": gradient flow corrected to first order in η (Kunin et al. 2021)");
            break;
    }
    return tip;
}
// What m and μ mean for a rule (the Derived read-out): the mechanical analogy is heavy ball's;
// the other rules keep it only in part, said in words.
QString mechanicsNote(const RuleParams& p) {
    switch (p.rule) {
        case Rule::Sgd:
            if (p.constrain_norm)
                return QObject::tr(
                    "heavy ball held on the sphere |q| = |q₀|: m and μ as above, "
                    "plus the centripetal force of the constraint");
            if (p.nesterov)
                return QObject::tr(
                    "Nesterov: m and μ as for heavy ball, plus the "
                    "curvature-dependent damping ηβH (its ODE)");
            return QObject::tr("heavy ball: m q″ + μ q′ + ∇f + k q = 0");
        case Rule::RmsProp:
            return QObject::tr(
                "RMSprop: m and μ of its momentum β, acting on the "
                "preconditioned force g/(√s + ε)");
        case Rule::RmsPropNorm:
            return QObject::tr(
                "RMSprop-norm has no velocity buffer: m = η/2 and μ = 1 are the "
                "discretisation's, the force g/(√G + ε)");
        case Rule::Adam:
        case Rule::AdamW:
            return QObject::tr(
                       "%1: β₁ = %2 averages gradients (m̂), it is not a heavy-ball "
                       "velocity; m = η/2 and μ = 1 are the discretisation's, the "
                       "force m̂/(√v̂ + ε)")
                .arg(QString::fromLatin1(to_string(p.rule)), fmt(p.beta1));
    }
    return {};
}
}  // namespace

ControlsPanel::ControlsPanel(SceneModel* model, QWidget* parent) : QWidget(parent), model_(model) {
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(6, 6, 6, 6);
    outer->setSpacing(8);

    // Loss ------------------------------------------------------------------------------------
    auto* loss_group = new QGroupBox(tr("Loss"));
    auto* lf = new QFormLayout(loss_group);
    lf->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    loss_ = new QComboBox;
    for (const LossInfo& info : builtin_losses()) {
        loss_->addItem(QString::fromStdString(info.name));
        loss_->setItemData(loss_->count() - 1, QString::fromStdString(info.description),
                           Qt::ToolTipRole);
    }
    // The last entry opens the loss editor (issue 5: a loss typed as an expression).
    loss_->addItem(tr("typed expression…"), QStringLiteral("expr"));
    loss_->setItemData(loss_->count() - 1, tr("Type a loss as an expression in q1..qn (Ctrl+T)"),
                       Qt::ToolTipRole);
    addRow(lf, tr("loss f"), loss_, tr("The loss function (PHYSICS.md §5)"));
    formula_ = new QLabel;
    formula_->setWordWrap(true);
    formula_->setFont(lectureFont(1.05));
    formula_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    lf->addRow(formula_);
    badge_ = new QLabel;
    badge_->setTextFormat(Qt::RichText);
    badge_->setToolTip(
        tr("Continuous symmetries of the loss at ε = 0; each has a Noether charge "
           "J = m⟨q′, ξ(q)⟩"));
    lf->addRow(tr("symmetry"), badge_);
    params_box_ = new QWidget;
    params_form_ = new QFormLayout(params_box_);
    params_form_->setContentsMargins(0, 0, 0, 0);
    lf->addRow(params_box_);
    eps_ = new ValueControl(1e-4, 1.0, ValueControl::Scale::LogWithZero);
    addRow(lf, tr("breaking ε"), eps_,
           tr("Explicit symmetry-breaking strength ε ≥ 0 (slider far left: exactly 0).\n"
              "It adds −L_ξ f to the charge's budget: J′ = … − L_ξ f (PHYSICS.md §1.1)."));
    outer->addWidget(loss_group);

    // Rule -----------------------------------------------------------------------------------
    auto* rule_group = new QGroupBox(tr("Learning rule"));
    rule_form_ = new QFormLayout(rule_group);
    rule_form_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    rule_ = new QComboBox;
    for (Rule r : kRules)
        rule_->addItem(QString::fromLatin1(to_string(r)));
    addRow(rule_form_, tr("rule"), rule_,
           tr("The discrete optimizer, with exact torch.optim semantics (PHYSICS.md §0.1)"));
    lr_ = new ValueControl(1e-4, 10.0, ValueControl::Scale::Log);  // preset 5b runs at η = 4
    addRow(rule_form_, tr("learning rate η"), lr_,
           tr("Learning rate η (lr) > 0, log slider. Sets the time step t = nη and the mass "
              "m = η(1+β)/2."));
    momentum_ = new ValueControl(0.0, 0.995, ValueControl::Scale::Linear);
    addRow(rule_form_, tr("momentum β"), momentum_,
           tr("Heavy-ball momentum β in [0, 1): v ← βv + g, q ← q − ηv.\n"
              "Damping μ = 1 − β, mass m = η(1+β)/2."));
    weight_decay_ = new ValueControl(1e-5, 1.0, ValueControl::Scale::LogWithZero);
    addRow(rule_form_, tr("weight decay k"), weight_decay_,
           tr("Weight decay k ≥ 0 (slider far left: exactly 0): g = ∇f + k q.\n"
              "Breaks every symmetry except rotation: −k⟨q, ξ⟩ in the budget."));
    nesterov_ = new QCheckBox(tr("Nesterov"));
    addRow(rule_form_, QString(), nesterov_, tr("SGD nesterov=True: q ← q − η(g + β b)"));
    alpha_ = new ValueControl(0.0, 0.999, ValueControl::Scale::Linear);
    addRow(rule_form_, tr("smoothing ρ"), alpha_,
           tr("RMSprop alpha ρ: s ← ρ s + (1−ρ) g² (Eq. 18: G_n = ρ G_{n−1} + (1−ρ)|g_n|²)"));
    opt_eps_ = new ValueControl(1e-12, 1e-2, ValueControl::Scale::LogWithZero);
    addRow(rule_form_, tr("eps"), opt_eps_, tr("RMSprop / Adam eps: den ← √s + eps"));
    beta1_ = new ValueControl(0.0, 0.999, ValueControl::Scale::Linear);
    addRow(rule_form_, tr("β₁"), beta1_, tr("Adam betas[0]: m₁ ← β₁ m₁ + (1−β₁) g"));
    beta2_ = new ValueControl(0.0, 0.9999, ValueControl::Scale::Linear, 4);
    addRow(rule_form_, tr("β₂"), beta2_, tr("Adam betas[1]: m₂ ← β₂ m₂ + (1−β₂) g²"));
    centered_ = new QCheckBox(tr("centered"));
    addRow(rule_form_, QString(), centered_, tr("RMSprop centered: den ← √(s − a²) + eps"));
    constrain_ = new QCheckBox(tr("constrain |q| = |q₀|"));
    addRow(rule_form_, QString(), constrain_,
           tr("Project q back to |q₀| after each step (the paper's Fig. 4 ablation)"));
    steps_ = new ValueControl(10, 1e6, ValueControl::Scale::Log);
    steps_->setInteger(true);
    addRow(rule_form_, tr("steps N"), steps_, tr("Number of steps N; samples n = 0..N at t = nη"));
    outer->addWidget(rule_group);

    // Start ----------------------------------------------------------------------------------
    auto* start_group = new QGroupBox(tr("Start"));
    auto* sf = new QFormLayout(start_group);
    q0_box_ = new QWidget;
    new QGridLayout(q0_box_);
    q0_box_->layout()->setContentsMargins(0, 0, 0, 0);
    addRow(sf, tr("q₀"), q0_box_, tr("Start point q₀ (or drag it on the landscape)"));
    kick_ = new QCheckBox(tr("kick v₀"));
    kick_->setToolTip(
        tr("An initial velocity v₀ of the momentum buffer (SGD, RMSprop): first step "
           "b ← β v₀ + g.\nWithout it the rotation charge is exactly 0 (PHYSICS.md §2.3)."));
    v0_box_ = new QWidget;
    new QGridLayout(v0_box_);
    v0_box_->layout()->setContentsMargins(0, 0, 0, 0);
    sf->addRow(kick_, v0_box_);
    outer->addWidget(start_group);

    // Models ---------------------------------------------------------------------------------
    auto* model_group = new QGroupBox(tr("Models"));
    auto* mg = new QVBoxLayout(model_group);
    for (int i = 0; i < kModelCount; ++i) {
        const Model m = kAllModels[i];
        QString label = modelName(m);
        if (m == Model::Ode) label = tr("ODE (implicit acceleration)");
        models_[i] = new QCheckBox(label);
        models_[i]->setIcon(swatch(modelColor(m, isDark(palette())), modelDashed(m)));
        mg->addWidget(models_[i]);
        connect(models_[i], &QCheckBox::toggled, this,
                [this, m](bool on) { model_->setModel(m, on); });
    }
    outer->addWidget(model_group);

    // Read-out -------------------------------------------------------------------------------
    auto* derived = new QGroupBox(tr("Derived"));
    auto* dl = new QVBoxLayout(derived);
    readout_box_ = new SteadyBox;
    readout_box_->setFont(lectureFont(1.0));
    // New numbers repaint the box, they do not relayout the dock (SteadyBox).
    readout_box_->setMinimumHeight(6 * readout_box_->fontMetrics().lineSpacing() + 4);
    readout_box_->setToolTip(
        tr("The continuous model m q″ + μ q′ + ∇f + k q = 0 (PHYSICS.md §0.2).\n"
           "Regime near the end point: underdamped when 4m(λ_max + k) > μ², λ_max the largest "
           "Hessian eigenvalue there.\nStability (quadratic loss, heavy ball): η(λ_max + k) < "
           "2(1+β).\nRight-click to copy."));
    readout_timer_ = new QTimer(this);
    readout_timer_->setSingleShot(true);
    readout_timer_->setInterval(200);
    connect(readout_timer_, &QTimer::timeout, this, [this] {
        const Scene& s = model_->scene();
        updateReadout(s, run_ && run_->scene == s ? run_.get() : nullptr);
    });
    dl->addWidget(readout_box_);
    // Under the learning rule it derives from, above Start and Models: a loss with more
    // parameters or dimensions makes the dock scroll, and then the read-out stays in view.
    outer->insertWidget(outer->indexOf(start_group), derived);
    outer->addStretch(1);

    // Wiring ---------------------------------------------------------------------------------
    connect(loss_, &QComboBox::activated, this, [this](int i) {
        if (loss_->itemData(i).toString() == QLatin1String("expr")) {
            openLossEditor(this);
            // The combo shows the scene's loss until the editor applies a typed one.
            sync(model_->scene(), SceneField::Loss);
            return;
        }
        model_->setLossName(loss_->itemText(i).toStdString());
    });
    connect(rule_, &QComboBox::activated, this, [this](int i) { model_->setRule(kRules[i]); });
    connect(eps_, &ValueControl::valueEdited, this, [this](double v) { model_->setEps(v); });
    connect(lr_, &ValueControl::valueEdited, this, [this](double v) { model_->setLr(v); });
    connect(momentum_, &ValueControl::valueEdited, this,
            [this](double v) { model_->setMomentum(v); });
    connect(weight_decay_, &ValueControl::valueEdited, this,
            [this](double v) { model_->setWeightDecay(v); });
    connect(steps_, &ValueControl::valueEdited, this,
            [this](double v) { model_->setSteps(static_cast<long>(std::lround(v))); });
    auto ruleEdit = [this](const QString& what, auto&& change) {
        RuleParams p = model_->scene().rule;
        change(p);
        model_->setRuleParams(p, what);
    };
    connect(nesterov_, &QCheckBox::toggled, this,
            [=](bool on) { ruleEdit(tr("Nesterov"), [on](RuleParams& p) { p.nesterov = on; }); });
    connect(centered_, &QCheckBox::toggled, this,
            [=](bool on) { ruleEdit(tr("Centered"), [on](RuleParams& p) { p.centered = on; }); });
    connect(constrain_, &QCheckBox::toggled, this, [=](bool on) {
        ruleEdit(tr("Constrain norm"), [on](RuleParams& p) { p.constrain_norm = on; });
    });
    connect(alpha_, &ValueControl::valueEdited, this,
            [=](double v) { ruleEdit(tr("Smoothing ρ"), [v](RuleParams& p) { p.alpha = v; }); });
    connect(opt_eps_, &ValueControl::valueEdited, this,
            [=](double v) { ruleEdit(tr("eps"), [v](RuleParams& p) { p.opt_eps = v; }); });
    connect(beta1_, &ValueControl::valueEdited, this,
            [=](double v) { ruleEdit(tr("β₁"), [v](RuleParams& p) { p.beta1 = v; }); });
    connect(beta2_, &ValueControl::valueEdited, this,
            [=](double v) { ruleEdit(tr("β₂"), [v](RuleParams& p) { p.beta2 = v; }); });
    connect(kick_, &QCheckBox::toggled, this, [this](bool on) {
        const Scene& s = model_->scene();
        if (!on) {
            model_->setKick(std::nullopt);
        } else {
            Vector v = Vector::Zero(s.q0.size());
            if (s.loss.name == "rotation_hat" && v.size() == 2)
                v << 0.3, -0.5;
            else if (v.size() > 0)
                v[0] = 0.5;
            model_->setKick(v);
        }
    });
    for (ValueControl* c :
         {eps_, lr_, momentum_, weight_decay_, alpha_, opt_eps_, beta1_, beta2_, steps_})
        connectGesture(c);
    connect(model_, &SceneModel::sceneChanged, this, &ControlsPanel::sync);
    sync(model_->scene(), SceneField::Whole);
}

void ControlsPanel::addRow(QFormLayout* form, const QString& label, QWidget* w,
                           const QString& tip) {
    if (auto* vc = qobject_cast<ValueControl*>(w))
        vc->setToolTips(tip);
    else
        w->setToolTip(tip);
    if (label.isEmpty()) {
        form->addRow(w);
    } else {
        auto* l = new QLabel(label);
        l->setToolTip(tip);
        l->setBuddy(w);
        form->addRow(l, w);
    }
}

void ControlsPanel::connectGesture(ValueControl* c) {
    connect(c, &ValueControl::gestureStarted, model_, &SceneModel::beginGesture);
    connect(c, &ValueControl::gestureFinished, model_, &SceneModel::endGesture);
}

void ControlsPanel::updateRuleVisibility(Rule rule) {
    if (visible_rule_ == rule) return;  // same rows: no relayout
    visible_rule_ = rule;
    const bool sgd = rule == Rule::Sgd, rms = rule == Rule::RmsProp;
    const bool rmsn = rule == Rule::RmsPropNorm, adam = rule == Rule::Adam || rule == Rule::AdamW;
    rule_form_->setRowVisible(momentum_, sgd || rms);
    rule_form_->setRowVisible(nesterov_, sgd);
    rule_form_->setRowVisible(alpha_, rms || rmsn);
    rule_form_->setRowVisible(opt_eps_, rms || rmsn || adam);
    rule_form_->setRowVisible(beta1_, adam);
    rule_form_->setRowVisible(beta2_, adam);
    rule_form_->setRowVisible(centered_, rms);
    kick_->setEnabled(sgd || rms);
}

void ControlsPanel::rebuildLossParams(const Scene& scene) {
    const LossInfo* info = find_loss_info(scene.loss.name);
    std::string key = scene.loss.name;
    if (key == params_for_) {
        // Same loss: only refresh values.
        int k = 0;
        if (!info) return;
        for (const ParamInfo& p : info->params) {
            auto it = scene.loss.params.find(p.name);
            const std::vector<double>& v =
                it != scene.loss.params.end() ? it->second : p.default_value;
            QWidget* w = param_widgets_[k++];
            if (auto* vc = qobject_cast<ValueControl*>(w)) {
                if (!v.empty()) vc->setValue(v[0]);
            } else if (auto* le = qobject_cast<QLineEdit*>(w)) {
                QStringList parts;
                for (double x : v)
                    parts << fmt(x);
                if (!le->hasFocus()) le->setText(parts.join(", "));
            }
        }
        return;
    }
    params_for_ = key;
    while (params_form_->rowCount() > 0)
        params_form_->removeRow(0);
    param_widgets_.clear();
    if (!info) return;
    for (const ParamInfo& p : info->params) {
        const QString name = QString::fromStdString(p.name);
        const QString tip = QString::fromStdString(p.doc);
        auto it = scene.loss.params.find(p.name);
        const std::vector<double>& v = it != scene.loss.params.end() ? it->second : p.default_value;
        if (p.is_vector) {
            auto* le = new QLineEdit;
            QStringList parts;
            for (double x : v)
                parts << fmt(x);
            le->setText(parts.join(", "));
            const std::string pname = p.name;
            connect(le, &QLineEdit::editingFinished, this, [this, le, pname] {
                std::vector<double> values;
                const QString err = parseError(le->text(), values);
                le->setStyleSheet(err.isEmpty() ? QString() : "QLineEdit { color: #D55E00; }");
                le->setToolTip(err);
                if (err.isEmpty()) model_->setLossParam(pname, values);
            });
            addRow(params_form_, name, le, tip);
            param_widgets_.push_back(le);
        } else {
            ValueControl* vc =
                p.name == "theta_star"
                    ? new ValueControl(-3.14159, 3.14159, ValueControl::Scale::Linear)
                    : new ValueControl(0.1, 20.0, ValueControl::Scale::Log);
            if (!v.empty()) vc->setValue(v[0]);
            const std::string pname = p.name;
            connect(vc, &ValueControl::valueEdited, this,
                    [this, pname](double x) { model_->setLossParam(pname, {x}); });
            connectGesture(vc);
            addRow(params_form_, name == "theta_star" ? tr("θ*") : name, vc, tip);
            param_widgets_.push_back(vc);
        }
    }
    params_box_->setVisible(!info->params.empty());
}

void ControlsPanel::rebuildVectors(const Scene& scene) {
    const int n = static_cast<int>(scene.q0.size());
    if (n != vector_dim_) {
        vector_dim_ = n;
        for (auto* s : q0_)
            delete s;
        for (auto* s : v0_)
            delete s;
        q0_.clear();
        v0_.clear();
        for (int i = 0; i < n; ++i) {
            auto* s = coordinateSpin(tr("q₀ coordinate %1").arg(i + 1));
            // Two per row, so that 4-D and 8-D starts fit the dock.
            static_cast<QGridLayout*>(q0_box_->layout())->addWidget(s, i / 2, i % 2);
            q0_.push_back(s);
            connect(s, &QDoubleSpinBox::valueChanged, this,
                    [this, i](double v) { model_->setQ0Coordinate(i, v); });
            auto* k = coordinateSpin(tr("kick v₀ coordinate %1").arg(i + 1));
            static_cast<QGridLayout*>(v0_box_->layout())->addWidget(k, i / 2, i % 2);
            v0_.push_back(k);
            connect(k, &QDoubleSpinBox::valueChanged, this, [this, i](double v) {
                const Scene& sc = model_->scene();
                if (!sc.v0 || i >= sc.v0->size()) return;
                Vector nv = *sc.v0;
                nv[i] = v;
                model_->setKick(nv);
            });
        }
    }
    for (int i = 0; i < n; ++i) {
        // Only changed values: a spin box repaints on every setValue.
        const QSignalBlocker b(q0_[i]);
        if (q0_[i]->value() != scene.q0[i]) q0_[i]->setValue(scene.q0[i]);
        const QSignalBlocker c(v0_[i]);
        const double kick = scene.v0 && i < scene.v0->size() ? (*scene.v0)[i] : 0.0;
        if (v0_[i]->value() != kick) v0_[i]->setValue(kick);
        v0_[i]->setEnabled(scene.v0.has_value());
    }
}

void ControlsPanel::sync(const Scene& s, SceneField) {
    const QSignalBlocker b1(loss_), b2(rule_), b3(nesterov_), b4(centered_), b5(constrain_),
        b6(kick_);
    if (s.loss.name == "expr")
        loss_->setCurrentIndex(loss_->count() - 1);
    else
        loss_->setCurrentText(QString::fromStdString(s.loss.name));
    const std::vector<Generator> adopted = model_->adoptedGenerators();
    if (s.loss.name == "expr" || !adopted.empty()) {
        // Typed loss, or adopted symmetries (Tools → Find symmetries).
        if (s.loss.name == "expr")
            formula_->setText(tr("f = %1").arg(QString::fromStdString(s.loss.expr)));
        else if (const LossInfo* info = find_loss_info(s.loss.name))
            formula_->setText(QString::fromStdString(info->formula));
        QStringList badges;
        for (const Generator& g : adopted)
            badges << QString(
                          "<span style='background:%1; color:white; font-weight:bold;'>"
                          "&nbsp;%2&nbsp;</span>")
                          .arg(s.loss.eps != 0.0 ? "#888888" : "#0072B2",
                               QString::fromStdString(g.name).toHtmlEscaped());
        badge_->setText(badges.isEmpty() ? tr("unknown — Tools → Find symmetries (Ctrl+F)")
                                         : badges.join(" ") + tr(" (adopted)"));
    } else if (const LossInfo* info = find_loss_info(s.loss.name)) {
        formula_->setText(QString::fromStdString(info->formula));
        QStringList badges;
        const bool dark = isDark(palette());
        for (const std::string& sym : info->symmetries) {
            QString text = QString::fromStdString(sym);
            if (s.loss.eps != 0.0) text += tr(" (broken by ε)");
            badges << QString(
                          "<span style='background:%1; color:white; font-weight:bold;'>"
                          "&nbsp;%2&nbsp;</span>")
                          .arg(s.loss.eps != 0.0 ? "#888888" : (dark ? "#0072B2" : "#0072B2"),
                               text.toHtmlEscaped());
        }
        badge_->setText(badges.isEmpty() ? tr("none (no Noether charge)") : badges.join(" "));
    }
    rebuildLossParams(s);
    eps_->setValue(s.loss.eps);
    for (int i = 0; i < 5; ++i)
        if (kRules[i] == s.rule.rule) rule_->setCurrentIndex(i);
    lr_->setValue(s.rule.lr);
    momentum_->setValue(s.rule.momentum);
    weight_decay_->setValue(s.rule.weight_decay);
    nesterov_->setChecked(s.rule.nesterov);
    alpha_->setValue(s.rule.alpha);
    opt_eps_->setValue(s.rule.opt_eps);
    beta1_->setValue(s.rule.beta1);
    beta2_->setValue(s.rule.beta2);
    centered_->setChecked(s.rule.centered);
    constrain_->setChecked(s.rule.constrain_norm);
    steps_->setValue(static_cast<double>(s.steps));
    updateRuleVisibility(s.rule.rule);
    rebuildVectors(s);
    kick_->setChecked(s.v0.has_value());
    for (int i = 0; i < kModelCount; ++i) {
        const Model m = kAllModels[i];
        const QSignalBlocker b(models_[i]);
        models_[i]->setChecked(shows(s, m));
        // A rule without this continuous model: the box is disabled and says why.
        const std::string why = model_unavailable(s.rule, m);
        models_[i]->setEnabled(why.empty());
        models_[i]->setToolTip(modelTip(s.rule, m));
    }
    // The run of the new scene brings its read-out (setRun), in the same frame as the views; the
    // timer covers a scene that gives no run (invalid input).
    readout_timer_->start();
}

void ControlsPanel::setRun(std::shared_ptr<const Run> run) {
    run_ = std::move(run);
    readout_timer_->stop();
    if (run_) updateReadout(run_->scene, run_.get());
}

void ControlsPanel::updateReadout(const Scene& s, const Run* run) {
    const double m = implicit_mass(s.rule), mu = damping(s.rule);
    QString html = tr("m = η(1+β)/2 = <b>%1</b><br>μ = 1 − β = <b>%2</b><br>"
                      "m/μ = <b>%3</b> &nbsp;(momentum time scale)")
                       .arg(fmt(m), fmt(mu), fmt(mu > 0 ? m / mu : INFINITY));
    html += QStringLiteral("<br><i>%1</i>").arg(mechanicsNote(s.rule));
    // The regime needs the run's end point (curvature there); a diverged run's last finite
    // sample says nothing about where it would settle, so its start is used, said as such.
    if (run && !run->trajectories.empty() && run->trajectories.front().samples() > 0) {
        const Trajectory& tr0 = run->trajectories.front();
        const bool bad = tr0.diverged || tr0.integration_failed;
        const QString where = bad ? tr("start (the run %1 at step %2)")
                                        .arg(tr0.diverged ? tr("diverged") : tr("stopped"))
                                        .arg(tr0.diverged ? tr0.diverged_at : tr0.failed_at)
                                  : tr("end point");
        const DampingRegime d =
            damping_regime(*run->loss, bad ? tr0.q.col(0) : tr0.q.col(tr0.samples() - 1), s.rule);
        if (d.has_curvature) {
            html += tr("<br>%4: λ_max = %1, 4m(λ+k)/μ² = <b>%2</b> → <b>%3</b>")
                        .arg(fmt(d.lambda_max), fmt(d.zeta),
                             d.underdamped ? tr("underdamped") : tr("overdamped"), where);
        } else {
            html += tr("<br>%2: no positive curvature (λ_max = %1)").arg(fmt(d.lambda_max), where);
        }
        if (d.has_bound) {
            const bool stable = d.bound_lhs < d.bound_rhs;
            html += tr("<br>stability: η(λ_max+k) = %1 %2 2(1+β) = %3 → <b>%4</b>")
                        .arg(fmt(d.bound_lhs), stable ? "&lt;" : "≥", fmt(d.bound_rhs),
                             stable ? tr("stable") : tr("unstable"));
        }
    }
    readout_box_->setText(html);
}

}  // namespace noether::gui

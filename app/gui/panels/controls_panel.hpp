// The controls dock: loss (formula, symmetry badge, parameters, breaking strength ε), learning
// rule and its hyperparameters (η log slider, β, k log slider with an exact zero, the rule's own
// parameters), steps, start q₀ and kick v₀, which models to run, and a read-out of the derived
// quantities m = η(1+β)/2, μ = 1−β, m/μ, the damping regime and the stability bound. Every
// edit goes through SceneModel (one undo command; slider drags merge).
#pragma once

#include <optional>

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QWidget>
#include <array>
#include <memory>
#include <vector>

#include "gui/model/scene_model.hpp"
#include "gui/panels/value_control.hpp"
#include "gui/views/style.hpp"
#include "noether/run.hpp"

namespace noether::gui {

class SteadyBox;

/// The controls panel.
class ControlsPanel : public QWidget {
    Q_OBJECT
  public:
    ControlsPanel(SceneModel* model, QWidget* parent = nullptr);

    /// Updates the read-out that needs a run (regime at the end point).
    void setRun(std::shared_ptr<const Run> run);

    // Controls, for tests and the interaction benchmark.
    ValueControl* lrControl() const { return lr_; }
    ValueControl* momentumControl() const { return momentum_; }
    ValueControl* weightDecayControl() const { return weight_decay_; }
    ValueControl* epsControl() const { return eps_; }
    ValueControl* stepsControl() const { return steps_; }
    QComboBox* lossCombo() const { return loss_; }
    QComboBox* ruleCombo() const { return rule_; }
    QCheckBox* modelCheck(Model m) const { return models_[static_cast<int>(m)]; }
    QCheckBox* kickCheck() const { return kick_; }
    SteadyBox* readout() const { return readout_box_; }

  private:
    void sync(const Scene& scene, SceneField field);
    void rebuildLossParams(const Scene& scene);
    void rebuildVectors(const Scene& scene);
    void updateRuleVisibility(Rule rule);
    std::optional<Rule> visible_rule_;  ///< the rule whose rows are shown
    /// The derived quantities of scene s, and the regime at the end point of its run if given.
    void updateReadout(const Scene& s, const Run* run);
    void addRow(QFormLayout* form, const QString& label, QWidget* w, const QString& tip);
    void connectGesture(ValueControl* c);

    SceneModel* model_;
    std::shared_ptr<const Run> run_;

    QComboBox* loss_;
    QLabel* formula_;
    QLabel* badge_;
    QWidget* params_box_;
    QFormLayout* params_form_;
    std::vector<QWidget*> param_widgets_;
    std::string params_for_;
    ValueControl* eps_;

    QComboBox* rule_;
    ValueControl* lr_;
    ValueControl* momentum_;
    ValueControl* weight_decay_;
    QCheckBox* nesterov_;
    ValueControl* alpha_;
    ValueControl* opt_eps_;
    ValueControl* beta1_;
    ValueControl* beta2_;
    QCheckBox* centered_;
    QCheckBox* constrain_;
    ValueControl* steps_;
    QFormLayout* rule_form_;

    QWidget* q0_box_;
    std::vector<QDoubleSpinBox*> q0_;
    QCheckBox* kick_;
    QWidget* v0_box_;
    std::vector<QDoubleSpinBox*> v0_;
    int vector_dim_ = -1;

    std::array<QCheckBox*, kModelCount> models_{};
    SteadyBox* readout_box_;
    class QTimer* readout_timer_;
};

}  // namespace noether::gui

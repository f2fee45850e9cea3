#include "gui/model/scene_model.hpp"

#include <QUndoCommand>

#include "noether/loss.hpp"

namespace noether::gui {

namespace {
// Edits further apart than this (outside a gesture) are separate undo steps.
constexpr qint64 kMergeWindowMs = 600;
}  // namespace

/// One edit: the scene before and after. Edits of the same field with the same merge token
/// (one gesture) collapse into one command.
class SceneEditCommand : public QUndoCommand {
  public:
    SceneEditCommand(SceneModel* model, Scene before, Scene after, SceneField field, int key,
                     int token, const QString& text)
        : QUndoCommand(text),
          model_(model),
          before_(std::move(before)),
          after_(std::move(after)),
          field_(field),
          key_(key),
          token_(token) {}

    void undo() override { model_->apply(before_, field_); }
    void redo() override { model_->apply(after_, field_); }
    int id() const override { return 1 + static_cast<int>(field_) * 4096 + (key_ & 4095); }
    bool mergeWith(const QUndoCommand* other) override {
        const auto* o = dynamic_cast<const SceneEditCommand*>(other);
        if (!o || o->token_ != token_ || o->field_ != field_ || o->key_ != key_) return false;
        after_ = o->after_;
        setObsolete(after_ == before_);
        return true;
    }

  private:
    SceneModel* model_;
    Scene before_, after_;
    SceneField field_;
    int key_;
    int token_;
};

/// Adopting discovered generators: the adopted set before and after.
class AdoptCommand : public QUndoCommand {
  public:
    AdoptCommand(SceneModel* model, LossSpec for_loss, std::vector<Generator> after,
                 const QString& text)
        : QUndoCommand(text),
          model_(model),
          before_for_(model->adopted_for_),
          before_(model->adopted_),
          after_for_(std::move(for_loss)),
          after_(std::move(after)) {}
    void undo() override { set(before_for_, before_); }
    void redo() override { set(after_for_, after_); }

  private:
    void set(const LossSpec& f, const std::vector<Generator>& g) {
        model_->adopted_for_ = f;
        model_->adopted_ = g;
        emit model_->sceneChanged(model_->scene_, SceneField::Generators);
    }
    SceneModel* model_;
    LossSpec before_for_;
    std::vector<Generator> before_;
    LossSpec after_for_;
    std::vector<Generator> after_;
};

LossSpec SceneModel::adoptionKey(const LossSpec& spec) {
    LossSpec k = spec;
    k.eps = 0.0;
    k.constants.erase("eps");
    return k;
}

std::vector<Generator> SceneModel::adoptedGenerators() const {
    if (adopted_.empty() || adoptionKey(scene_.loss) != adopted_for_) return {};
    return adopted_;
}

void SceneModel::setAdoptedGenerators(std::vector<Generator> generators, const QString& text) {
    if (locked()) {
        emit refused();
        return;
    }
    ++gesture_serial_;
    undo_.push(new AdoptCommand(this, adoptionKey(scene_.loss), std::move(generators), text));
}

SceneModel::SceneModel(QObject* parent) : QObject(parent), scene_(defaultScene()) {
    undo_.setUndoLimit(1000);
    last_edit_.start();
}

Scene SceneModel::defaultScene() {
    Scene s;
    s.loss.name = "rotation_hat";
    s.q0 = Vector(2);
    s.q0 << 0.6, 0.5;
    Vector v0(2);
    v0 << 0.3, -0.5;
    s.v0 = v0;
    s.rule.rule = Rule::Sgd;
    s.rule.lr = 0.01;
    s.rule.momentum = 0.9;
    s.rule.weight_decay = 0.0;
    s.steps = 10000;
    s.show_discrete = true;
    s.show_ode = true;
    s.show_ode_rest = false;
    s.show_flow = true;
    s.ode_rtol = 1e-11;
    return s;
}

Scene SceneModel::sceneForLoss(const Scene& base, const std::string& loss_name) {
    Scene s = base;
    s.loss = LossSpec{};
    s.loss.name = loss_name;
    s.loss.eps = 0.0;
    const LossInfo* info = find_loss_info(loss_name);
    if (!info) return s;
    const auto& q0 = info->suggested_q0;
    s.q0 = Eigen::Map<const Vector>(q0.data(), static_cast<Eigen::Index>(q0.size()));
    // Suggested starts (PHYSICS.md §5.8): the hat needs a kick to show its charge.
    const bool kick_ok = s.rule.rule == Rule::Sgd || s.rule.rule == Rule::RmsProp;
    if (loss_name == "rotation_hat" && kick_ok) {
        Vector v0(2);
        v0 << 0.3, -0.5;
        s.v0 = v0;
    } else {
        s.v0.reset();
    }
    return s;
}

void SceneModel::edit(SceneField field, int key, const QString& text,
                      const std::function<void(Scene&)>& mutate) {
    Scene after = scene_;
    mutate(after);
    if (after == scene_) return;
    if (locked()) {
        emit refused();
        return;
    }
    if (!gesture_ && last_edit_.elapsed() > kMergeWindowMs) ++gesture_serial_;
    last_edit_.restart();
    undo_.push(
        new SceneEditCommand(this, scene_, std::move(after), field, key, gesture_serial_, text));
}

void SceneModel::apply(const Scene& scene, SceneField field) {
    scene_ = scene;
    emit sceneChanged(scene_, field);
}

void SceneModel::undo() {
    if (locked()) {
        emit refused();
        return;
    }
    undo_.undo();
}

void SceneModel::redo() {
    if (locked()) {
        emit refused();
        return;
    }
    undo_.redo();
}

void SceneModel::beginGesture() {
    if (!gesture_) ++gesture_serial_;
    gesture_ = true;
}

void SceneModel::endGesture() {
    gesture_ = false;
    ++gesture_serial_;
}

void SceneModel::setScene(const Scene& scene, const QString& text) {
    ++gesture_serial_;
    edit(SceneField::Whole, 0, text, [&scene](Scene& s) { s = scene; });
}

void SceneModel::setLossName(const std::string& name) {
    if (name == scene_.loss.name) return;
    ++gesture_serial_;
    const Scene next = sceneForLoss(scene_, name);
    edit(SceneField::Loss, 0, tr("Loss %1").arg(QString::fromStdString(name)),
         [&next](Scene& s) { s = next; });
}

void SceneModel::setEps(double eps) {
    edit(SceneField::Eps, 0, tr("Breaking ε"), [eps](Scene& s) { s.loss.eps = eps; });
}

void SceneModel::setLossParam(const std::string& name, const std::vector<double>& value) {
    const int key = static_cast<int>(std::hash<std::string>{}(name)&4095);
    edit(SceneField::LossParam, key, tr("Loss parameter %1").arg(QString::fromStdString(name)),
         [&](Scene& s) {
             s.loss.params[name] = value;
             // "diag" sets the dimension of rayleigh/quadratic: keep q0 and v0 in step.
             if (name == "diag") {
                 const auto n = static_cast<Eigen::Index>(value.size());
                 const auto old = s.q0.size();
                 s.q0.conservativeResize(n);
                 for (auto i = old; i < n; ++i)
                     s.q0[i] = 1.0;
                 if (s.v0) {
                     const auto vold = s.v0->size();
                     s.v0->conservativeResize(n);
                     for (auto i = vold; i < n; ++i)
                         (*s.v0)[i] = 0.0;
                 }
             }
         });
}

void SceneModel::setRule(Rule rule) {
    ++gesture_serial_;
    edit(SceneField::Rule, 0, tr("Rule %1").arg(to_string(rule)), [rule](Scene& s) {
        s.rule.rule = rule;
        // Only SGD and RMSprop have a momentum buffer to kick.
        if (rule != Rule::Sgd && rule != Rule::RmsProp) s.v0.reset();
        dropUnavailableModels(s);
    });
}

void SceneModel::setLr(double lr) {
    edit(SceneField::Lr, 0, tr("Learning rate η"), [lr](Scene& s) { s.rule.lr = lr; });
}

void SceneModel::setMomentum(double beta) {
    edit(SceneField::Momentum, 0, tr("Momentum β"), [beta](Scene& s) { s.rule.momentum = beta; });
}

void SceneModel::setWeightDecay(double k) {
    edit(SceneField::WeightDecay, 0, tr("Weight decay k"),
         [k](Scene& s) { s.rule.weight_decay = k; });
}

void SceneModel::setRuleParams(const RuleParams& p, const QString& what) {
    const int key = static_cast<int>(qHash(what) & 4095);
    edit(SceneField::RuleParam, key, what, [&p](Scene& s) {
        s.rule = p;
        if (p.rule != Rule::Sgd && p.rule != Rule::RmsProp) s.v0.reset();
        dropUnavailableModels(s);
    });
}

void SceneModel::setSteps(long steps) {
    edit(SceneField::Steps, 0, tr("Steps"), [steps](Scene& s) { s.steps = steps; });
}

void SceneModel::setQ0(const Vector& q0) {
    edit(SceneField::Q0, 0, tr("Start q₀"), [&q0](Scene& s) { s.q0 = q0; });
}

void SceneModel::setQ0Coordinate(int i, double value) {
    if (i < 0 || i >= scene_.q0.size()) return;
    edit(SceneField::Q0, 1 + i, tr("Start q₀"), [i, value](Scene& s) { s.q0[i] = value; });
}

void SceneModel::setKick(const std::optional<Vector>& v0) {
    edit(SceneField::V0, 0, tr("Kick v₀"), [&v0](Scene& s) { s.v0 = v0; });
}

void SceneModel::setModel(Model model, bool on) {
    ++gesture_serial_;
    edit(SceneField::Models, static_cast<int>(model), tr("Show %1").arg(to_string(model)),
         [model, on](Scene& s) { set_shown(s, model, on); });
}

void SceneModel::dropUnavailableModels(Scene& s) {
    for (Model m : kAllModels)
        if (!model_unavailable(s.rule, m).empty()) set_shown(s, m, false);
    bool any = false;
    for (Model m : kAllModels)
        any |= shows(s, m);
    if (!any) s.show_discrete = true;
}

}  // namespace noether::gui

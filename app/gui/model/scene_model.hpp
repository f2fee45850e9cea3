// SceneModel: the one piece of editable state of the app, a noether::Scene, behind a QUndoStack.
// Every edit (a slider, a spin box, dragging the start point, loading a file) is an undo
// command; consecutive edits of the same field during one gesture (a slider drag, a mouse drag,
// key repeat) merge into one command (ARCHITECTURE.md: "undo stack keeps old Scenes").
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QUndoStack>
#include <functional>
#include <optional>

#include "noether/scene.hpp"
#include "noether/symmetry.hpp"

namespace noether::gui {

/// Which part of the scene an edit touched (views use it to skip needless work).
enum class SceneField {
    Whole,
    Loss,
    Eps,
    LossParam,
    Rule,
    Lr,
    Momentum,
    WeightDecay,
    RuleParam,
    Steps,
    Q0,
    V0,
    Models,
    Generators  ///< the adopted symmetry generators (the scene itself is unchanged)
};

/// A Scene and its undo history.
class SceneModel : public QObject {
    Q_OBJECT
  public:
    explicit SceneModel(QObject* parent = nullptr);

    /// The current scene.
    const Scene& scene() const { return scene_; }
    /// The undo history of every edit.
    QUndoStack* undoStack() { return &undo_; }

    /// The scene the app opens with: rotation_hat with a kick, SGD eta = 0.01, beta = 0.9,
    /// 10^4 steps, discrete + ODE + flow.
    static Scene defaultScene();
    /// A scene for a built-in loss with its suggested start (PHYSICS.md §5.8), keeping the rule.
    static Scene sceneForLoss(const Scene& base, const std::string& loss_name);

    /// Replaces the whole scene (file, preset, reset) as one undo step.
    void setScene(const Scene& scene, const QString& text);
    /// Switches the loss (default parameters, suggested start).
    void setLossName(const std::string& name);
    void setEps(double eps);
    void setLossParam(const std::string& name, const std::vector<double>& value);
    void setRule(Rule rule);
    void setLr(double lr);
    void setMomentum(double beta);
    void setWeightDecay(double k);
    /// Any other rule parameter (nesterov, alpha, opt_eps, betas, centered, constrain_norm).
    void setRuleParams(const RuleParams& p, const QString& what);
    void setSteps(long steps);
    void setQ0(const Vector& q0);
    /// Sets one coordinate of the start.
    void setQ0Coordinate(int i, double value);
    /// The kick v0 (nullopt: none).
    void setKick(const std::optional<Vector>& v0);
    void setModel(Model model, bool on);
    /// Drops the models the scene's rule has no continuous model for (model_unavailable); a
    /// rule change calls it, so a scene never asks for a model that does not exist. Keeps at
    /// least the discrete model.
    static void dropUnavailableModels(Scene& s);

    /// Generators adopted from symmetry discovery for the current loss: they replace the loss's
    /// own in every run. They belong to the loss they were adopted for (ε aside), so moving a
    /// slider keeps them and changing the loss drops them (undo brings them back).
    std::vector<Generator> adoptedGenerators() const;
    /// Adopts generators for the current loss as one undo step (empty: the loss's own again).
    void setAdoptedGenerators(std::vector<Generator> generators, const QString& text);

    /// While a gesture is open (slider drag, mouse drag) edits of one field merge into one step.
    void beginGesture();
    void endGesture();

    /// Lecture mode locks the scene: while locked no edit changes it (slider, drag, paste,
    /// open, adoption, undo, redo), except inside an Unlocked scope (the playlist opening its
    /// next lesson). A refused edit emits refused().
    void setLocked(bool on) { locked_ = on; }
    bool locked() const { return locked_ && unlocked_ == 0; }
    /// While alive, edits pass the lock.
    class Unlocked {
      public:
        explicit Unlocked(SceneModel& m) : m_(m) { ++m_.unlocked_; }
        ~Unlocked() { --m_.unlocked_; }
        Unlocked(const Unlocked&) = delete;
        Unlocked& operator=(const Unlocked&) = delete;

      private:
        SceneModel& m_;
    };
    /// Undo and redo of the edit history (refused while locked).
    void undo();
    void redo();

  signals:
    /// The scene changed (by an edit, undo or redo).
    void sceneChanged(const noether::Scene& scene, noether::gui::SceneField field);
    /// An edit was refused because the scene is locked (lecture mode).
    void refused();

  private:
    friend class SceneEditCommand;
    friend class AdoptCommand;
    /// The loss spec that identifies a loss for adoption (ε and the eps constant dropped).
    static LossSpec adoptionKey(const LossSpec& spec);
    void edit(SceneField field, int key, const QString& text,
              const std::function<void(Scene&)>& mutate);
    void apply(const Scene& scene, SceneField field);

    Scene scene_;
    LossSpec adopted_for_;
    std::vector<Generator> adopted_;
    QUndoStack undo_;
    bool gesture_ = false;
    bool locked_ = false;
    int unlocked_ = 0;
    int gesture_serial_ = 0;
    QElapsedTimer last_edit_;
};

}  // namespace noether::gui

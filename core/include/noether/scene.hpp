// A Scene is a plain value: loss, rule and hyperparameters, start, length and which models run
// beside the discrete optimizer (ARCHITECTURE.md, "the one idea").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "noether/loss.hpp"
#include "noether/rule.hpp"

namespace noether {

/// The dynamical models shown side by side (PHYSICS.md §0.2).
enum class Model {
    Discrete,  ///< the learning rule itself; sample n at t_n = n eta
    Ode,  ///< m q'' + mu q' + grad f + k q = 0, matched start q'(0) = -(g0 + 2 beta v0)/(1+beta)
    OdeRest,  ///< the same ODE started with the optimizer's own velocity q'(0) = -v0
    Flow,     ///< gradient flow mu q' = -(grad f + k q)
    /// Kunin et al.'s modified gradient flow (PHYSICS.md §6.2), the first-order finite-eta
    /// correction: q' = -(1/mu)(g + (m/mu^2) H g), started from q0 + (eta beta/mu)(g0/mu - v0)
    ModifiedFlow
};
/// Every model, in the order a Run keeps them.
inline constexpr Model kAllModels[] = {Model::Discrete, Model::Ode, Model::OdeRest, Model::Flow,
                                       Model::ModifiedFlow};
/// "discrete", "ode", "ode-rest", "flow", "modified-flow".
const char* to_string(Model m);
/// Parses a model name; nullopt if unknown.
std::optional<Model> parse_model(const std::string& name);

/// Everything that determines a Run.
struct Scene {
    LossSpec loss;
    RuleParams rule;
    Vector q0 = Vector::Zero(2);  ///< start, size = loss dimension
    std::optional<Vector> v0;     ///< initial velocity kick (SGD / RMSprop momentum)
    long steps = 1000;            ///< N >= 1; samples 0..N
    bool show_discrete = true;
    bool show_ode = false;
    bool show_ode_rest = false;
    bool show_flow = false;
    bool show_modified_flow = false;
    /// Relative tolerance of the adaptive integrator (the CLI keeps 1e-11; the GUI may relax).
    double ode_rtol = 1e-11;

    bool operator==(const Scene& o) const;
};

/// Limits a scene must satisfy.
inline constexpr long kMaxSteps = 10'000'000;
/// Divergence threshold: |q| above this ends a run.
inline constexpr double kDivergenceNorm = 1e8;
/// The largest |q|² whose square root is at most kDivergenceNorm: `!(r2 <= divergence_r2())` is
/// "|q| > kDivergenceNorm or not finite", exactly, without a square root.
double divergence_r2();
/// True if q is not finite or |q| > kDivergenceNorm (one pass over q), for fixed- and
/// dynamic-size vectors alike. Hot loops pass divergence_r2() read once as `max_r2`.
template <class Derived>
bool diverged_point(const Eigen::MatrixBase<Derived>& q, double max_r2 = divergence_r2()) {
    return !(q.squaredNorm() <= max_r2);
}

/// Whether a scene selects a model (show_discrete, show_ode, ...).
bool shows(const Scene& scene, Model m);
/// Selects or drops a model.
void set_shown(Scene& scene, Model m, bool on);

/// The continuous model a rule has, if any (PHYSICS.md §0.2 and docs/PHYSICS.md "continuous
/// models per rule"): empty if `m` is a model of `p`'s rule, else why not, in words. The
/// discrete model always applies.
std::string model_unavailable(const RuleParams& p, Model m);
/// The equation a model integrates for a rule, in words (legends, tooltips, the CLI's JSON).
std::string model_equation(const RuleParams& p, Model m);

/// Validates loss spec, rule, q0/v0 dimensions, steps and that every selected model exists for
/// the rule; the Error names the field.
Status validate(const Scene& scene, const Loss& loss);
/// Things a valid scene asks for that have no effect, in words, each starting with the field
/// ("v0: ..."): e.g. a kick with momentum 0.
std::vector<std::string> warnings(const Scene& scene);

}  // namespace noether

// Discrete learning rules with exact torch.optim semantics in double precision (PHYSICS.md §0.1).
// MuJoCo-style split: the loss and RuleParams are constant, OptimizerState is small and mutable,
// and step() allocates nothing.
#pragma once

#include <optional>
#include <string>

#include "noether/loss.hpp"
#include "noether/types.hpp"

namespace noether {

/// The learning rules NoetherLab implements.
enum class Rule { Sgd, RmsProp, RmsPropNorm, Adam, AdamW };

/// CLI/scene name: "sgd", "rmsprop", "rmsprop-norm", "adam", "adamw".
const char* to_string(Rule rule);
/// Parses a rule name; nullopt if unknown.
std::optional<Rule> parse_rule(const std::string& name);

/// Hyperparameters of a learning rule (torch.optim names in comments).
struct RuleParams {
    Rule rule = Rule::Sgd;
    double lr = 0.01;             ///< eta (lr), > 0
    double momentum = 0.0;        ///< beta (momentum), in [0, 1)
    double weight_decay = 0.0;    ///< k (weight_decay), >= 0
    bool nesterov = false;        ///< SGD nesterov
    double alpha = 0.99;          ///< RMSprop smoothing rho (alpha), in [0, 1)
    double opt_eps = 1e-8;        ///< eps of RMSprop / Adam, >= 0
    double beta1 = 0.9;           ///< Adam betas[0], in [0, 1)
    double beta2 = 0.999;         ///< Adam betas[1], in [0, 1)
    bool centered = false;        ///< RMSprop centered
    bool constrain_norm = false;  ///< project q back to |q0| after each step (paper Fig. 4)

    bool operator==(const RuleParams&) const = default;
};

/// Checks ranges; the Error names the field (e.g. "lr: must be > 0 (got 0)").
Status validate(const RuleParams& p);

/// The momentum beta that enters m = eta(1+beta)/2 and mu = 1-beta: SGD's and RMSprop's
/// momentum, 0 for the rules without one (PHYSICS.md §0.1).
double model_momentum(const RuleParams& p);
/// Implicit mass m = eta (1 + beta) / 2.
double implicit_mass(const RuleParams& p);
/// Damping mu = 1 - beta.
double damping(const RuleParams& p);

/// Mutable state of a rule: parameters, buffers, step counter. Sized once by make_state.
struct OptimizerState {
    Vector q;            ///< parameters
    Vector grad;         ///< g = grad f(q_n) (+ k q_n where folded), of the last step
    Vector loss_grad;    ///< grad f(q_n) alone, of the last step
    Vector buf;          ///< momentum buffer (SGD, RMSprop)
    Vector sq;           ///< RMSprop square_avg / Adam exp_avg_sq
    Vector avg;          ///< RMSprop grad_avg / Adam exp_avg
    Vector work;         ///< scratch, same size
    double G = 0.0;      ///< RMSprop-norm scalar average of |g|^2
    double norm0 = 0.0;  ///< |q0| for the constrained-norm projection
    long step = 0;       ///< steps taken
    bool has_kick = false;
};

/// A fresh state at q0 with an optional initial velocity ("kick") v0.
/// With a kick, SGD's first buffer is beta v0 + g, RMSprop's momentum buffer starts at v0.
OptimizerState make_state(const RuleParams& p, VecRef q0, const Vector* v0 = nullptr);

/// One step of the rule; allocates nothing.
void step(const Loss& loss, const RuleParams& p, OptimizerState& s);

}  // namespace noether

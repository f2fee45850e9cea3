// The continuous models of every rule other than heavy-ball SGD, and the modified gradient flow
// (continuous_models.cpp). Internal to simulate().
#pragma once

#include "noether/run.hpp"

namespace noether::detail {

/// True if the model is the heavy-ball ODE or gradient flow that run.cpp integrates with the
/// four-term charge budget: SGD without the constrained norm (Nesterov's flow included: its
/// first-order limit is the same).
inline bool heavy_ball_model(const RuleParams& p, Model m) {
    if (p.rule != Rule::Sgd || p.constrain_norm || m == Model::ModifiedFlow) return false;
    return m == Model::Flow || !p.nesterov;
}

/// Simulates a continuous model that is not heavy_ball_model() into tr (dynamic-size state).
void run_rule_model(const Scene& sc, const Loss& loss, Model model, Trajectory& tr,
                    const std::atomic<bool>* cancel = nullptr, std::atomic<long>* done = nullptr);

}  // namespace noether::detail

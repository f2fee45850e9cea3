// Continuous models (PHYSICS.md §0.2): the implicit-acceleration ODE
//   m q'' + mu q' + grad f(q) + k q = 0,   m = eta(1+beta)/2, mu = 1 - beta
// and gradient flow mu q' = -(grad f + k q), integrated by an adaptive Dormand-Prince 5(4)
// method that lands exactly on every sample time t_n = n eta.
#pragma once

#include <atomic>
#include <functional>

#include "noether/loss.hpp"
#include "noether/types.hpp"

namespace noether {

/// Matched initial velocity q'(0) = -(g0 + 2 beta v0)/(1+beta), g0 = grad f(q0) + k q0 (§2.6).
Vector matched_initial_velocity(const Loss& loss, VecRef q0, const Vector* v0, double beta,
                                double k);

/// Options of the adaptive integrator.
struct IntegratorOptions {
    double rtol = 1e-11;  ///< relative tolerance per step
    double atol = 1e-13;  ///< absolute tolerance per step
    /// Total step budget (accepted + rejected): a guard against runaway cost only. A stiff
    /// problem over a long horizon takes as many steps as its stability limit needs.
    long max_steps = 200'000'000;
    /// Switch to the implicit BDF integrator (GSL's msbdf) from the current state when the
    /// problem is stiff: more than this many steps between two samples, most of them
    /// stability-limited (Hairer & Wanner's test) ...
    long stiff_interval_budget = 500;
    /// ... or more stability-limited steps in all than base + per_sample x samples.
    long stiff_budget_base = 20'000;
    long stiff_budget_per_sample = 5;
    /// Cost guard: right-hand-side evaluations of both integrators together, at most base +
    /// per_sample x samples (an integration failure beyond). A smooth model takes a few per
    /// sample; a sign-like RMSprop/Adam model at its minimum chatters and would take millions.
    long evaluation_base = 3'000'000;
    long evaluation_per_sample = 30;
    /// Set from another thread to stop at the next step (the report then says "cancelled").
    const std::atomic<bool>* cancel = nullptr;
};

/// Right-hand side y' = F(t, y) written into dy (must not allocate on the hot path).
using OdeRhs = std::function<void(double t, VecRef y, VecOut dy)>;
/// Called at every sample with the index and the state; return false to stop.
using SampleSink = std::function<bool(long n, VecRef y)>;

/// Outcome of an integration.
struct IntegrationReport {
    bool ok = true;
    long last_sample = -1;     ///< last sample delivered to the sink
    long steps = 0;            ///< accepted steps
    long rejected = 0;         ///< rejected steps
    long evaluations = 0;      ///< right-hand-side evaluations
    long stiff_steps = 0;      ///< accepted steps whose size stability limited (Hairer's test)
    double failed_t = 0.0;     ///< time of the last accepted state when it failed
    double bdf_from_t = -1.0;  ///< time from which the stiff BDF integrator took over (or -1)
    long bdf_steps = 0;        ///< its steps
    std::string message;       ///< why it stopped early (an integrator failure, not a divergence)
};

/// Integrates y' = F from y0 at t = 0, delivering y(n dt) for n = 0..samples-1 to the sink.
IntegrationReport integrate_dopri5(const OdeRhs& rhs, VecRef y0, double dt, long samples,
                                   const IntegratorOptions& opt, const SampleSink& sink);

/// Classical RK4 with a fixed number of substeps per sample (the reference for tests).
IntegrationReport integrate_rk4(const OdeRhs& rhs, VecRef y0, double dt, long samples, int substeps,
                                const SampleSink& sink);

}  // namespace noether

// A Run: the immutable result of simulating a Scene. Every array the app draws comes from here
// (ARCHITECTURE.md). Observables follow PHYSICS.md §0.3 (displayed charge), §1.1/§2.1 (the NLD
// budget of each charge) and §1–2 (closed-form laws and the Eq. 16/17/18 predictions).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "noether/loss.hpp"
#include "noether/scene.hpp"

namespace noether {

/// The Noether charge of one generator along one model, and the four terms of its budget
///   J' = -(mu/m) J + m<q', S q'> - k<q, xi> - L_xi f        (PHYSICS.md §1.1)
/// For the discrete model the terms are the exact identity of §2.1 in the same units
/// ((J_n - J_{n-1})/eta = sum of terms); for gradient flow J is <q', xi> and the terms are
/// its decomposition -(k<q, xi> + L_xi f)/mu (damping and kinetic are then 0).
struct ChargeSeries {
    std::string generator;                  ///< generator name: column J_<generator>
    std::vector<double> J;                  ///< displayed charge J = m <q', xi(q)>
    std::vector<double> damping;            ///< -(mu/m) J (discrete: (beta-1) J_{n-1} / eta)
    std::vector<double> kinetic;            ///< kinetic symmetry breaking m <q', S q'>
    std::vector<double> weight_decay;       ///< -k <q, xi(q)>
    std::vector<double> explicit_breaking;  ///< -L_xi f(q)
};

/// Where a prediction holds for the scene it is drawn on.
enum class Validity {
    Exact,         ///< an identity of this model: equal to its run up to rounding
    Approximate,   ///< a model of the run that holds only where its note says
    NotApplicable  ///< its assumptions fail for this scene: drawn for reference, if at all
};
/// "exact", "approximate", "not_applicable" (the JSON contract's words).
const char* to_string(Validity v);

/// A named series over the samples (predictions, derived quantities).
struct NamedSeries {
    std::string name;  ///< snake_case, e.g. "r2_eq17"
    std::string doc;   ///< one line: what it is and which equation
    std::vector<double> values;
    Validity validity = Validity::Exact;
    /// Where it holds and how far off it is, in words (measured against the run where it can
    /// be: "max 8.3 % of the peak |J| off the run").
    std::string note;
};

/// Samples of one model on the common grid t_n = n eta; possibly shorter if it diverged.
struct Trajectory {
    Model model = Model::Discrete;
    Matrix q;  ///< n x samples, column i = q(t_i)
    Matrix v;  ///< n x samples, q'(t_i) (discrete: forward step (q_{i+1} - q_i)/eta)
    std::vector<double> loss;              ///< f(q) without the weight-decay term
    std::vector<double> grad_norm;         ///< |grad f(q)|
    std::vector<double> r2;                ///< |q|^2
    std::vector<ChargeSeries> charges;     ///< one per generator of the loss
    std::vector<NamedSeries> predictions;  ///< closed-form laws and derived series
    bool diverged = false;
    long diverged_at = -1;  ///< first bad step (the samples end before it)
    /// A continuous model whose integrator could not go on: not a divergence (the model's
    /// solution exists; the integrator failed to follow it). The samples end before failed_at.
    bool integration_failed = false;
    long failed_at = -1;
    std::string message;  ///< e.g. "diverged at step 120 (|q| = 3.2e+08)"

    /// Number of finite samples kept.
    long samples() const { return static_cast<long>(loss.size()); }
    /// A prediction by name, or nullptr.
    const NamedSeries* prediction(const std::string& name) const;
    /// The charge of a generator by name, or nullptr.
    const ChargeSeries* charge(const std::string& generator) const;
};

/// The result of simulate(): immutable, shared between views.
struct Run {
    Scene scene;
    std::shared_ptr<const Loss> loss;
    std::vector<double> t;                 ///< t_n = n eta, n = 0..N
    double m = 0.0;                        ///< implicit mass eta(1+beta)/2
    double mu = 1.0;                       ///< damping 1 - beta
    std::vector<Trajectory> trajectories;  ///< selected models, order discrete, ode, ode-rest, flow

    /// The trajectory of a model, or nullptr if it was not run.
    const Trajectory* find(Model model) const;
    /// True if any model diverged.
    bool diverged() const;
};

/// Builds the loss and simulates every selected model. Errors are bad input only; divergence is
/// reported inside the Run.
Result<std::shared_ptr<const Run>> simulate(const Scene& scene);
/// Same with an already-built loss (e.g. one with adopted generators).
Result<std::shared_ptr<const Run>> simulate(const Scene& scene, std::shared_ptr<const Loss> loss);
/// Same, stopped early once *cancel turns true (set from another thread): the result is then
/// the error "cancelled". The app's run worker cancels a stale run when a newer scene arrives.
Result<std::shared_ptr<const Run>> simulate(const Scene& scene, std::shared_ptr<const Loss> loss,
                                            const std::atomic<bool>* cancel);

/// What another thread may do to a running simulation: stop it, and watch how far it got.
struct RunControl {
    const std::atomic<bool>* cancel = nullptr;  ///< set to true to stop (result "cancelled")
    /// Samples finished so far, summed over the models (updated every few thousand samples);
    /// the run is done at (steps + 1) x models.
    std::atomic<long>* done = nullptr;
};
/// Same as simulate(scene, loss, cancel), reporting progress through control.done.
Result<std::shared_ptr<const Run>> simulate(const Scene& scene, std::shared_ptr<const Loss> loss,
                                            const RunControl& control);
/// The number of models simulate() runs for this scene.
long model_count(const Scene& scene);

/// Runs one model only (building blocks of simulate, used by sweeps and tests).
Trajectory simulate_model(const Scene& scene, const Loss& loss, Model model);

namespace detail {
/// simulate_model with the fixed-size 2-D kernels on (the default) or off (every dimension
/// through dynamic-size vectors): tests check that both give the same bits.
/// `cancel`: as in simulate() (the trajectory then stops early).
/// `done`: as RunControl::done.
Trajectory simulate_model(const Scene& scene, const Loss& loss, Model model, bool fixed_size,
                          const std::atomic<bool>* cancel = nullptr,
                          std::atomic<long>* done = nullptr);
}  // namespace detail

}  // namespace noether

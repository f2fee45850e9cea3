// Training a network (docs/PHYSICS.md §8.4): full-batch or minibatch (each epoch a permutation
// of the data from our generator, cut into batches of B, the rest dropped), every learning rule
// of rule.hpp stepping on the batch's loss, and for every generator of the architecture the
// displayed charge J with its exact four-term budget (§2.1, per minibatch: each batch's loss has
// the symmetry), the quadratic charges Q = ⟨q, A q⟩ of the symmetric ones and the matrix charges
// W_l W_lᵀ + b_l b_lᵀ − W_{l+1}ᵀ W_{l+1} of the linear hidden layers.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "noether/network.hpp"
#include "noether/run.hpp"
#include "noether/scene.hpp"

namespace noether {

/// Everything that determines a network run.
struct NetworkScene {
    NetworkSpec net;
    DataSpec data;
    std::uint64_t init_seed = 1;   ///< seed of the initialisation
    double init_scale = 1.0;       ///< W entries scale · N(0,1)/sqrt(fan_in), > 0
    std::optional<Vector> q0;      ///< start; the seeded initialisation without it
    long batch = 0;                ///< batch size B in [1, N]; 0 = full batch
    std::uint64_t batch_seed = 1;  ///< seed of the epoch permutations
    /// Rule, steps, v0, models and the integrator tolerance (its loss and q0 are ignored).
    Scene scene;
};

/// The matrix charge C_l = W_l W_lᵀ + b_l b_lᵀ − W_{l+1}ᵀ W_{l+1} of a linear hidden layer.
struct MatrixChargeSeries {
    int layer = 0;          ///< l
    std::vector<Matrix> C;  ///< h × h per sample
};

/// The result of simulate_network().
struct NetworkRun {
    NetworkScene scene;
    std::shared_ptr<const Network> net;
    std::shared_ptr<const Dataset> data;
    std::vector<NetworkGenerator> generators;
    /// Run of the full-batch loss: scene (q0 = the start), t, m, mu, one trajectory per model
    /// with q, v, loss (full data), grad_norm, r2 and a ChargeSeries per generator.
    std::shared_ptr<const Run> run;
    /// Per model (same order as run->trajectories): Q_<name> of each symmetric generator.
    std::vector<std::vector<NamedSeries>> quadratic;
    /// Per model: the matrix charges of the linear hidden layers.
    std::vector<std::vector<MatrixChargeSeries>> matrix_charges;
    /// Points of the batch of every step of the discrete model (step i leaves sample i).
    std::vector<std::vector<int>> batches;
    /// f_B(q_i) of that batch (the discrete model).
    std::vector<double> batch_loss;
};

/// The batches of `steps` steps: epochs of a Fisher–Yates permutation of 0..N−1 by
/// Xoshiro256(seed).below, cut into floor(N/B) batches of B points (B = N: 0..N−1 each step).
std::vector<std::vector<int>> make_batches(long N, long B, std::uint64_t seed, long steps);

/// Builds data, network and start, and runs the selected models (continuous models need the
/// full batch). Errors are bad input (the field is the CLI option name); divergence is reported
/// inside the trajectories.
Result<std::shared_ptr<const NetworkRun>> simulate_network(const NetworkScene& scene);
/// Same, stoppable and observable from another thread (run.hpp's RunControl).
Result<std::shared_ptr<const NetworkRun>> simulate_network(const NetworkScene& scene,
                                                           const RunControl& control);

/// Per-sample charges of a generator on a trajectory's samples: Q_n = ⟨q_n, A q_n⟩.
std::vector<double> quadratic_charge(const NetworkGenerator& g, const Matrix& q);

}  // namespace noether

// Laws of network runs beyond the per-step identities (docs/PHYSICS.md §8.6–§8.7):
//  * the steady state that minibatch noise and weight decay reach for a scale-invariant
//    (normalised) unit w: the exact time-average consequence of §2.4,
//      ⟨|w|²⟩ = (1+β)⟨|Δw|²⟩/(2ηk)   (angular step² ⟨|Δw|²⟩/⟨|w|²⟩ = 2ηk/(1+β)),
//    and Eq. 17's overdamped closure |w|⁴ → η(1+β)⟨|ĝ_B|²⟩/(2k(1−β)²), ĝ_B = |w| ∇_w f_B;
//  * discrete mirror symmetries P (swap of two hidden neurons, sign flip of a tanh neuron):
//    the distance to Fix(P) and its predicted linear rate from the Hessian on P's −1 eigenspace.
#pragma once

#include <string>
#include <vector>

#include "noether/network_run.hpp"

namespace noether {

/// The steady state of one normalised unit (a scale generator) over samples [from, end).
struct ScaleSteadyState {
    std::string generator;              ///< "scale_l1_n2"
    double mean_r2 = 0;                 ///< ⟨|w|²⟩ measured
    double mean_r2_from_steps = 0;      ///< (1+β)⟨|Δw|²⟩/(2ηk): exact up to O(1/window)
    double mean_r4 = 0;                 ///< ⟨|w|⁴⟩ measured
    double r4_predicted = 0;            ///< η(1+β)⟨|ĝ_B|²⟩/(2k(1−β)²)
    double angular_step = 0;            ///< sqrt(⟨|Δw|²⟩/⟨|w|²⟩), radians per step
    double angular_step_predicted = 0;  ///< sqrt(2ηk/(1+β))
    std::vector<double> r2;             ///< |w_n|² per sample
    std::vector<double> r2_eq17;  ///< Eq. 17 with the batch |ĝ_B|² (left Riemann sum), per sample
};

/// Steady states of every scale generator of a discrete SGD run (k > 0), averaged over the
/// samples from `from` on. Errors: no normalised unit, no weight decay, or another rule.
Result<std::vector<ScaleSteadyState>> scale_steady_states(const NetworkRun& run, long from);

/// A mirror P of the parameters as a signed permutation: (Pq)[i] = sign[i] q[perm[i]].
struct Mirror {
    std::string name;
    std::vector<int> perm;
    std::vector<double> sign;
    /// Pq.
    Vector apply(VecRef q) const;
    /// Distance to Fix(P): |q − Pq| / 2 (the component in P's −1 eigenspace).
    double distance(VecRef q) const;
};

/// Swapping hidden neurons i and j (0-based) of layer l: rows of W_l and b_l, columns of W_{l+1}.
Mirror swap_mirror(const Network& net, int l, int i, int j);
/// The sign flip of hidden neuron j of layer l (a symmetry for odd activations: tanh, linear).
Mirror sign_mirror(const Network& net, int l, int j);

/// The predicted per-step growth factor of the distance to Fix(P) near q on Fix(P) under SGD
/// (η, β): the spectral radius of the heavy-ball map linearised on the −1 eigenspace, whose
/// Hessian block H₋ = U₋ᵀ H U₋ has eigenvalues λ: the roots of z² − (1+β−ηλ−ηk)z + β = 0.
double mirror_rate(const Network& net, const Dataset& data, VecRef q, const Mirror& P,
                   const RuleParams& rule);

}  // namespace noether

// Symmetry discovery on networks (docs/PHYSICS.md §8.5). aff(n) has n² + n unknowns, too many for
// n in the hundreds; the search runs instead over the structured space of per-layer linear maps
//   δW_l = P_l W_l + W_l R_l + T_l,   δb_l = P_l b_l + t_l        (P_l: out², R_l: in², T_l, t_l)
// whose Lie-derivative rows are ⟨∇f, ξ⟩ = ⟨G_l W_lᵀ + g_l b_lᵀ, P_l⟩ + ⟨W_lᵀ G_l, R_l⟩ + ⟨G_l, T_l⟩
// + ⟨g_l, t_l⟩ (G_l = ∂f/∂W_l, g_l = ∂f/∂b_l). The null space is read off an SVD as in §4.2 and
// compared with the span of the architecture's generators.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "noether/network.hpp"

namespace noether {

/// Parameters of the structured discovery.
struct StructuredDiscoveryOptions {
    long samples = 0;        ///< points q sampled; 0 = max(200, 2 p); at most 200000
    double tol = 1e-8;       ///< nullity = #{ s_j < tol }, s_j = σ_j/σ_1; in (0, 1)
    std::uint64_t seed = 1;  ///< sampler seed (Xoshiro256)
    double radius = 1.0;  ///< W entries radius · N(0,1)/sqrt(fan_in), b entries radius · N(0, ¼)
};

/// One null vector of the display basis (RREF), in words.
struct StructuredGenerator {
    std::string name;         ///< "structured_1", ...
    std::string description;  ///< its nonzero unknowns, e.g. "P1(2,2) = 1, R2(2,2) = −1"
    Vector theta;             ///< over the structured unknowns
};

/// The outcome.
struct StructuredDiscovery {
    int n = 0;             ///< parameters of the network
    int p = 0;             ///< structured unknowns
    std::string unknowns;  ///< their layout, e.g. "P1 4x4, R1 2x2, T1 4x2, t1 4, ..."
    long samples = 0;
    std::uint64_t seed = 0;
    double tol = 0.0;
    Vector singular_values;             ///< s_j descending, p entries
    int nullity = 0;                    ///< measured
    int expected_nullity = 0;           ///< the architecture's generators (§8.3, in this space)
    std::map<std::string, int> counts;  ///< expected generators by kind ("rescale", "gl", ...)
    Matrix expected;                    ///< p × expected_nullity, the architecture's generators
    double expected_residual = 0;       ///< max |(I − P) θ_e| / |θ_e| over them (0: all found)
    std::vector<StructuredGenerator> generators;  ///< display basis of the null space
};

/// Runs the structured search on the full data set. Errors name the CLI field.
Result<StructuredDiscovery> discover_network_symmetries(const Network& net, const Dataset& data,
                                                        const StructuredDiscoveryOptions& opt = {});

}  // namespace noether

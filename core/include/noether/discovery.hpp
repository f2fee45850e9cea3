// Symmetry discovery (PHYSICS.md §4): the affine generators ξ(q) = A q + b with L_ξ f ≡ 0 are
// the null space of the linear map θ = (vec_rowmajor(A), b) ↦ ⟨∇f(q_i), A q_i + b⟩ over samples
// q_i. Sampled rows are non-dimensionalised and normalised, the null space is read off an SVD
// by a relative threshold, and the basis is reported as a projector (basis-independent), an RREF
// display basis, generators classified in words, and a Lie-bracket closure check.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "noether/loss.hpp"
#include "noether/symmetry.hpp"
#include "noether/types.hpp"

namespace noether {

/// Parameters of the discovery (defaults are PHYSICS.md §4.2's).
struct DiscoveryOptions {
    long samples = 0;          ///< N_s; 0 = max(200, 10 p) with p = n² + n; at most 200000
    double tol = 1e-8;         ///< τ: nullity = #{ s_j < τ }, s_j = σ_j / σ_1; in (0, 1)
    std::uint64_t seed = 1;    ///< seed of the sampler (std::mt19937_64 + our Box–Muller)
    Vector center;             ///< c: samples are c + radius·z, z ~ N(0, I); empty = origin
    double radius = 1.0;       ///< s: length scale of the sampling region, > 0
    double gap_decades = 3.0;  ///< a log-gap at least this wide flags an approximate symmetry
};

/// Checks the options against the dimension n; the Error names the field.
Status validate(const DiscoveryOptions& opt, int n);

/// One discovered generator in the display basis, classified.
struct DiscoveredGenerator {
    Generator generator;      ///< A and b (name e.g. "rotation", "general_2"; kind set)
    std::string description;  ///< in words, e.g. "rotation in the (q1, q2) plane"
    Vector theta;             ///< (vec_rowmajor(A), b), the display-basis row
};

/// A subspace of aff(n) found by the SVD, in the three forms of §4.2 step 6.
struct SymmetryBasis {
    int dimension = 0;  ///< d, number of generators
    Matrix basis;       ///< p × d, orthonormal columns B (over (vec_rowmajor(A), b))
    Matrix projector;   ///< p × p, P = B Bᵀ (compare implementations with this)
    Matrix display;     ///< p × d, RREF(Bᵀ)ᵀ with pivots 1 (tolerance 1e-9)
    std::vector<DiscoveredGenerator> generators;  ///< one per display column
    double closure_residual = 0.0;  ///< max |(I−P) vec[ξ_i, ξ_j]| / (|θ_i||θ_j|), ≈ 0 if closed
};

/// The outcome of a discovery run.
struct Discovery {
    int n = 0;                 ///< dimension of q
    int p = 0;                 ///< n² + n unknowns
    long samples = 0;          ///< N_s drawn
    long rows = 0;             ///< rows used (samples with a finite, non-zero gradient)
    std::uint64_t seed = 0;    ///< seed used
    double tol = 0.0;          ///< τ used
    double sigma_max = 0.0;    ///< σ_1
    Vector singular_values;    ///< s_j = σ_j / σ_1, descending, p entries (zero-padded)
    int nullity = 0;           ///< d = #{ s_j < τ }
    int gap_index = 0;         ///< j* (1-based): the largest log10(s_j / s_{j+1})
    double gap_decades = 0.0;  ///< log10(s_{j*} / s_{j*+1})
    int nullity_gap = 0;       ///< d_gap = p − j*
    bool approximate = false;  ///< d_gap > d and the gap is >= options.gap_decades
    SymmetryBasis exact;       ///< the d-dimensional null space
    SymmetryBasis near;        ///< the d_gap-dimensional one if approximate, else empty
};

/// Finds the affine symmetries of a loss. Errors: bad options; no sample with a finite, non-zero
/// gradient ("samples").
Result<Discovery> discover_symmetries(const Loss& loss, const DiscoveryOptions& opt = {});

/// Classifies an affine field: translation (A = 0), rotation (A skew), scale (A = c I),
/// rescale (A symmetric traceless: rescale or shear), else general; with b outside range(A)
/// a non-zero A is general. Parts below rel_tol·|(A, b)| count as absent. `description` says
/// it in words (e.g. "rotation in the (q2, q3) plane", "scale about the point (1, 2)").
SymmetryKind classify_generator(const Matrix& A, const Vector& b, std::string* description,
                                double rel_tol = 1e-6);

/// A loss that behaves exactly as `base` but carries extra generators (adopted symmetries): the
/// charges J = m⟨q', ξ(q)⟩ of every generator then appear in runs. Names are made unique by
/// suffixes "_2", "_3", ...; with replace = true the base's own generators are dropped.
std::shared_ptr<const Loss> adopt_generators(std::shared_ptr<const Loss> base,
                                             std::vector<Generator> generators,
                                             bool replace = false);

}  // namespace noether

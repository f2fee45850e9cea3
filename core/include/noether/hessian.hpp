// Second-order geometry of a loss (PHYSICS.md §3): the Hessian's spectrum and eigenvectors,
// sharpness against the heavy-ball stability line 2(1+β)/η (§5.7, "edge of stability"), the
// gradient's components in the eigenbasis, the angle between each symmetry generator ξ(q) and
// the flattest direction, and the residuals of the identities
//   H1:  H ξ = −Aᵀ ∇f          H2:  ⟨ξ, H ξ⟩ = −⟨∇f, A ξ⟩
// which hold exactly for an exact symmetry and so serve as a live correctness check.
#pragma once

#include <string>
#include <vector>

#include "noether/loss.hpp"
#include "noether/rule.hpp"
#include "noether/run.hpp"
#include "noether/types.hpp"

namespace noether {

/// Heavy-ball stability line 2(1+β)/η: GD with momentum β is stable on a quadratic iff
/// η λ_max < 2(1+β). lr > 0, momentum in [0, 1).
double stability_line(double lr, double momentum);
/// The stability line of a rule: 2(1+β)/η with β = model_momentum(rule).
double stability_line(const RuleParams& rule);

/// How one symmetry generator sits in the Hessian geometry at a point.
struct GeneratorGeometry {
    std::string name;          ///< generator name (charge column J_<name>)
    Vector xi;                 ///< ξ(q) = A q + b
    double lie_derivative;     ///< L_ξ f(q) = ⟨∇f, ξ⟩ (0 for an exact symmetry)
    double angle_to_flattest;  ///< angle in [0, π/2] between the lines of ξ(q) and the flattest
                               ///< eigenvector (least |λ|); NaN where ξ(q) = 0
    double curvature;  ///< ⟨ξ, Hξ⟩/|ξ|², the curvature along ξ; NaN where ξ(q) = 0
    double h1_residual;  ///< |Hξ + Aᵀ∇f| / (‖H‖|ξ| + ‖A‖|∇f|), 0 when both scales are 0
    double h2_residual;  ///< |⟨ξ,Hξ⟩ + ⟨∇f,Aξ⟩| / (‖H‖|ξ|² + ‖A‖|∇f||ξ|), likewise
};

/// Second-order geometry at one point (norms: ‖H‖ = max |λ|, ‖A‖ the spectral norm).
struct HessianPoint {
    Vector q;                    ///< the point
    double value = 0.0;          ///< f(q)
    Vector gradient;             ///< ∇f(q)
    Matrix hessian;              ///< H(q), symmetric
    Vector eigenvalues;          ///< λ_1 <= ... <= λ_n (ascending)
    Matrix eigenvectors;         ///< columns u_i (unit, orthogonal), sign: largest |entry| > 0
    Vector gradient_components;  ///< ⟨∇f, u_i⟩, the gradient in the eigenbasis
    Vector alignment;            ///< ⟨∇f, u_i⟩ / |∇f| (cosines; 0 where ∇f = 0)
    double sharpness = 0.0;      ///< λ_max
    int flattest = 0;            ///< index i of the least |λ_i| (the flattest direction)
    std::vector<GeneratorGeometry> generators;  ///< one per generator of the loss
};

/// Analyses the loss at q. Errors: q of the wrong size or not finite ("q"), or f, ∇f or H not
/// finite there ("hessian").
Result<HessianPoint> hessian_at(const Loss& loss, VecRef q);

/// Per-generator series along a trajectory.
struct GeneratorGeometrySeries {
    std::string name;                       ///< generator name
    std::vector<double> angle_to_flattest;  ///< radians, NaN where ξ(q) = 0
    std::vector<double> curvature;          ///< ⟨ξ, Hξ⟩/|ξ|², NaN where ξ(q) = 0
    std::vector<double> h1_residual;        ///< normalised H1 residual
    std::vector<double> h2_residual;        ///< normalised H2 residual
};

/// Second-order geometry along a trajectory, on evenly spaced samples.
struct HessianSeries {
    std::vector<long> sample;       ///< trajectory sample indices analysed (time t = run.t[sample])
    Matrix eigenvalues;             ///< n × samples, ascending in each column
    std::vector<double> sharpness;  ///< λ_max per analysed sample
    double stability_line = 0.0;    ///< 2(1+β)/η of the rule, constant
    Matrix gradient_components;     ///< n × samples, ⟨∇f, u_i⟩
    Matrix alignment;               ///< n × samples, ⟨∇f, u_i⟩ / |∇f|
    std::vector<GeneratorGeometrySeries> generators;  ///< one per generator of the loss
    double max_h1_residual = 0.0;  ///< worst H1 residual over the analysed samples
    double max_h2_residual = 0.0;  ///< worst H2 residual
};

/// Analyses every sample of a trajectory, or at most max_samples of them evenly spaced
/// (always including the first and the last). Non-finite samples are skipped.
HessianSeries hessian_along(const Loss& loss, const Trajectory& tr, const RuleParams& rule,
                            long max_samples = 2000);
/// The same on the given sample indices (ascending; out-of-range and non-finite ones skipped),
/// e.g. spaced evenly in log time for a chart with a log time axis.
HessianSeries hessian_at_samples(const Loss& loss, const Trajectory& tr, const RuleParams& rule,
                                 const std::vector<long>& idx);

}  // namespace noether

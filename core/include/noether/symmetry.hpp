// Symmetry generators: affine vector fields xi(q) = A q + b (PHYSICS.md §0, table of symmetries).
// A loss f is xi-symmetric iff its Lie derivative L_xi f = <grad f, xi> vanishes identically.
#pragma once

#include <string>

#include "noether/types.hpp"

namespace noether {

/// Kind of a generator, in the paper's words.
enum class SymmetryKind { Translation, Rotation, Scale, Rescale, General };

/// snake_case name of a kind: "translation", "rotation", "scale", "rescale", "general".
const char* to_string(SymmetryKind kind);

/// An affine generator xi(q) = A q + b with a name used for charge columns (J_<name>).
struct Generator {
    std::string name;  ///< "translation", "rotation", "scale", "rescale", or user-chosen
    SymmetryKind kind = SymmetryKind::General;
    Matrix A;  ///< n x n
    Vector b;  ///< n

    /// xi(q) = A q + b.
    Vector xi(VecRef q) const { return A * q + b; }
    /// Symmetric part S = (A + A^T)/2, which drives kinetic symmetry breaking.
    Matrix S() const { return 0.5 * (A + A.transpose()); }
};

/// Generator of translation along the unit vector n_hat.
Generator translation_generator(VecRef n_hat);
/// Generator of rotation in the (i, j) plane of R^n: A = e_j e_i^T - e_i e_j^T (2-D: J).
Generator rotation_generator(int n, int i = 0, int j = 1);
/// Generator of scale, A = I.
Generator scale_generator(int n);
/// Generator of rescale (a, b) -> ((1+s)a, b/(1+s)): A = diag(I_na, -I_(n-na)).
Generator rescale_generator(int n, int na);

}  // namespace noether

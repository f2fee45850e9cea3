#include "noether/symmetry.hpp"

namespace noether {

const char* to_string(SymmetryKind kind) {
    switch (kind) {
        case SymmetryKind::Translation:
            return "translation";
        case SymmetryKind::Rotation:
            return "rotation";
        case SymmetryKind::Scale:
            return "scale";
        case SymmetryKind::Rescale:
            return "rescale";
        case SymmetryKind::General:
            return "general";
    }
    return "general";
}

Generator translation_generator(VecRef n_hat) {
    const auto n = n_hat.size();
    return {"translation", SymmetryKind::Translation, Matrix::Zero(n, n), n_hat.normalized()};
}

Generator rotation_generator(int n, int i, int j) {
    Matrix A = Matrix::Zero(n, n);
    A(j, i) = 1.0;  // 2-D: J = [[0, -1], [1, 0]]
    A(i, j) = -1.0;
    return {"rotation", SymmetryKind::Rotation, A, Vector::Zero(n)};
}

Generator scale_generator(int n) {
    return {"scale", SymmetryKind::Scale, Matrix::Identity(n, n), Vector::Zero(n)};
}

Generator rescale_generator(int n, int na) {
    Matrix A = Matrix::Identity(n, n);
    for (int i = na; i < n; ++i)
        A(i, i) = -1.0;
    return {"rescale", SymmetryKind::Rescale, A, Vector::Zero(n)};
}

}  // namespace noether

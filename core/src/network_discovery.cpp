// Structured symmetry discovery on networks (docs/PHYSICS.md §8.5).
#include "noether/network_discovery.hpp"

#include <Eigen/QR>
#include <Eigen/SVD>
#include <cmath>
#include <cstdio>

namespace noether {
namespace {

// Offsets of layer l's unknowns P_l, R_l, T_l, t_l in θ.
struct LayerUnknowns {
    int out = 0, in = 0;
    int P = 0, R = 0, T = 0, t = -1;
};

std::vector<LayerUnknowns> unknowns(const Network& net, int& p) {
    std::vector<LayerUnknowns> u(net.layers() + 1);
    p = 0;
    for (int l = 1; l <= net.layers(); ++l) {
        LayerUnknowns& x = u[l];
        x.out = net.spec().widths[l];
        x.in = net.spec().widths[l - 1];
        x.P = p;
        p += x.out * x.out;
        x.R = p;
        p += x.in * x.in;
        x.T = p;
        p += x.out * x.in;
        if (net.b_offset(l) >= 0) {
            x.t = p;
            p += x.out;
        }
    }
    return u;
}

std::string name_of(const std::vector<LayerUnknowns>& u, int k) {
    char buf[48];
    for (size_t l = 1; l < u.size(); ++l) {
        const auto& x = u[l];
        const int L = static_cast<int>(l);
        if (k >= x.P && k < x.R) {
            std::snprintf(buf, sizeof buf, "P%d(%d,%d)", L, (k - x.P) / x.out + 1,
                          (k - x.P) % x.out + 1);
            return buf;
        }
        if (k >= x.R && k < x.T) {
            std::snprintf(buf, sizeof buf, "R%d(%d,%d)", L, (k - x.R) / x.in + 1,
                          (k - x.R) % x.in + 1);
            return buf;
        }
        const int end_T = x.T + x.out * x.in;
        if (k >= x.T && k < end_T) {
            std::snprintf(buf, sizeof buf, "T%d(%d,%d)", L, (k - x.T) / x.in + 1,
                          (k - x.T) % x.in + 1);
            return buf;
        }
        if (x.t >= 0 && k >= x.t && k < x.t + x.out) {
            std::snprintf(buf, sizeof buf, "t%d(%d)", L, k - x.t + 1);
            return buf;
        }
    }
    return "?";
}

// Reduced row echelon form with partial pivoting; pivots exactly 1.
Matrix rref(Matrix R, double tol) {
    const Eigen::Index rows = R.rows(), cols = R.cols();
    Eigen::Index row = 0;
    for (Eigen::Index col = 0; col < cols && row < rows; ++col) {
        Eigen::Index k = row;
        R.col(col).segment(row, rows - row).cwiseAbs().maxCoeff(&k);
        k += row;
        if (std::abs(R(k, col)) < tol) continue;
        R.row(row).swap(R.row(k));
        R.row(row) /= R(row, col);
        for (Eigen::Index r = 0; r < rows; ++r)
            if (r != row) R.row(r) -= R(r, col) * R.row(row);
        ++row;
    }
    for (Eigen::Index i = 0; i < R.size(); ++i) {
        double& x = R.data()[i];
        if (std::abs(x) < tol) x = 0.0;
        const double r = std::round(x);
        if (std::abs(x - r) < 1e-9) x = r;
    }
    return R;
}

}  // namespace

Result<StructuredDiscovery> discover_network_symmetries(const Network& net, const Dataset& data,
                                                        const StructuredDiscoveryOptions& opt) {
    if (!(opt.tol > 0 && opt.tol < 1)) return Error{"tol", "must be in (0, 1)"};
    if (!(opt.radius > 0) || !std::isfinite(opt.radius))
        return Error{"radius", "must be a finite number > 0"};
    if (opt.samples < 0 || opt.samples > 200000)
        return Error{"samples", "must be between 1 and 200000"};
    StructuredDiscovery out;
    const auto u = unknowns(net, out.p);
    const int p = out.p, n = net.dim(), L = net.layers();
    if (p > 20000) return Error{"network", "too many structured unknowns for the SVD (p > 20000)"};
    out.n = n;
    out.seed = opt.seed;
    out.tol = opt.tol;
    out.samples = opt.samples > 0 ? opt.samples : std::max<long>(200, 2L * p);
    for (int l = 1; l <= L; ++l) {
        const auto& x = u[l];
        char buf[96];
        std::snprintf(buf, sizeof buf, "%sP%d %dx%d, R%d %dx%d, T%d %dx%d", l > 1 ? ", " : "", l,
                      x.out, x.out, l, x.in, x.in, l, x.out, x.in);
        out.unknowns += buf;
        if (x.t >= 0) out.unknowns += ", t" + std::to_string(l) + " " + std::to_string(x.out);
    }
    using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    Xoshiro256 rng(opt.seed);
    Matrix M(out.samples, p);
    Vector q(n), g(n);
    long rows = 0;
    for (long s = 0; s < out.samples; ++s) {
        for (int l = 1; l <= L; ++l) {
            const auto& x = u[l];
            const double sw = opt.radius / std::sqrt(static_cast<double>(x.in));
            for (int i = 0; i < x.out * x.in; ++i)
                q[net.w_offset(l) + i] = sw * rng.normal();
            if (net.b_offset(l) >= 0)
                for (int i = 0; i < x.out; ++i)
                    q[net.b_offset(l) + i] = 0.5 * opt.radius * rng.normal();
        }
        net.value_gradient(data, q, {}, g);
        if (!g.allFinite() || !(g.norm() > 0)) continue;
        auto row = M.row(rows);
        for (int l = 1; l <= L; ++l) {
            const auto& x = u[l];
            Eigen::Map<const RowMat> W(q.data() + net.w_offset(l), x.out, x.in);
            Eigen::Map<const RowMat> G(g.data() + net.w_offset(l), x.out, x.in);
            RowMat cP = G * W.transpose();
            if (x.t >= 0) {
                const auto b = q.segment(net.b_offset(l), x.out);
                const auto gb = g.segment(net.b_offset(l), x.out);
                cP += gb * b.transpose();
                row.segment(x.t, x.out) = gb.transpose();
            }
            const RowMat cR = W.transpose() * G;
            row.segment(x.P, x.out * x.out) = Eigen::Map<const Vector>(cP.data(), cP.size());
            row.segment(x.R, x.in * x.in) = Eigen::Map<const Vector>(cR.data(), cR.size());
            row.segment(x.T, x.out * x.in) = Eigen::Map<const Vector>(G.data(), G.size());
        }
        row /= row.norm();
        ++rows;
    }
    if (rows == 0) return Error{"samples", "the gradient is zero or not finite at every sample"};
    // The parametrisation's own kernel: without a bias, P_l = I, R_l = −I is the zero field
    // (δW_l = W_l − W_l). One row per such layer makes θ orthogonal to it, so the null space
    // counts fields, not parametrisations.
    std::vector<Vector> kernel;
    for (int l = 1; l <= L; ++l) {
        if (u[l].t >= 0) continue;
        Vector k = Vector::Zero(p);
        for (int j = 0; j < u[l].out; ++j)
            k[u[l].P + j * u[l].out + j] = 1.0;
        for (int j = 0; j < u[l].in; ++j)
            k[u[l].R + j * u[l].in + j] = -1.0;
        kernel.push_back(k / k.norm());
    }
    M.conservativeResize(rows + static_cast<long>(kernel.size()), p);
    for (const Vector& k : kernel)
        M.row(rows++) = k.transpose();
    Eigen::BDCSVD<Matrix> svd(M, Eigen::ComputeFullV);
    const Vector sigma = svd.singularValues();
    out.singular_values = Vector::Zero(p);
    if (sigma.size() && sigma[0] > 0) out.singular_values.head(sigma.size()) = sigma / sigma[0];
    for (int j = 0; j < p; ++j)
        if (out.singular_values[j] < opt.tol) ++out.nullity;
    const Matrix V0 = svd.matrixV().rightCols(out.nullity);

    // The architecture's generators in these unknowns.
    std::vector<Vector> ex;
    auto unit = [p]() { return Vector(Vector::Zero(p)); };
    const auto& spec = net.spec();
    for (int l = 1; l < L; ++l) {
        const auto &x = u[l], &y = u[l + 1];
        const int h = x.out;
        if (net.normalised(l)) {
            for (int j = 0; j < h; ++j) {
                if (spec.bn_eps == 0.0) {
                    Vector e = unit();
                    e[x.P + j * h + j] = 1.0;
                    ex.push_back(e);
                    ++out.counts["scale"];
                }
                if (x.t >= 0) {
                    Vector e = unit();
                    e[x.t + j] = 1.0;
                    ex.push_back(e);
                    ++out.counts["translation"];
                }
            }
            if (x.t >= 0) {
                // The redundant biases are free in every direction; this space also holds
                // δb_l = b_l (P_l = I, R_l = −I).
                Vector e = unit();
                for (int j = 0; j < h; ++j)
                    e[x.P + j * h + j] = 1.0;
                for (int j = 0; j < x.in; ++j)
                    e[x.R + j * x.in + j] = -1.0;
                ex.push_back(e);
                ++out.counts["bias_scale"];
            }
        } else if (spec.activation == Activation::Relu) {
            for (int j = 0; j < h; ++j) {
                Vector e = unit();
                e[x.P + j * h + j] = 1.0;
                e[y.R + j * h + j] = -1.0;
                ex.push_back(e);
                ++out.counts["rescale"];
            }
        } else if (spec.activation == Activation::Linear) {
            for (int i = 0; i < h; ++i)
                for (int j = 0; j < h; ++j) {
                    Vector e = unit();
                    e[x.P + i * h + j] = 1.0;
                    e[y.R + i * h + j] = -1.0;
                    ex.push_back(e);
                    ++out.counts["gl"];
                }
        }
    }
    if (spec.head == Head::Softmax) {
        const auto& x = u[L];
        Vector e = unit();
        e.segment(x.t, x.out).setOnes();
        ex.push_back(e);
        for (int c = 0; c < x.in; ++c) {
            Vector ec = unit();
            for (int k = 0; k < x.out; ++k)
                ec[x.T + k * x.in + c] = 1.0;
            ex.push_back(ec);
        }
        for (int c = 0; c < x.out; ++c) {  // P_L = 1 e_cᵀ: the logits move by z_c
            Vector ec = unit();
            for (int k = 0; k < x.out; ++k)
                ec[x.P + k * x.out + c] = 1.0;
            ex.push_back(ec);
        }
        out.counts["softmax_translation"] = 1 + x.in + x.out;
    }
    out.expected_nullity = static_cast<int>(ex.size());
    out.expected.resize(p, out.expected_nullity);
    for (int k = 0; k < out.expected_nullity; ++k)
        out.expected.col(k) = ex[k];
    for (int k = 0; k < out.expected_nullity; ++k) {
        for (const Vector& kv : kernel)  // the same field, orthogonal to the kernel
            ex[k] -= kv * kv.dot(ex[k]);
        out.expected.col(k) = ex[k];
        const Vector r = ex[k] - V0 * (V0.transpose() * ex[k]);
        out.expected_residual = std::max(out.expected_residual, r.norm() / ex[k].norm());
    }
    // Display basis.
    if (out.nullity > 0) {
        const Matrix R = rref(V0.transpose(), 1e-9);
        for (int k = 0; k < out.nullity; ++k) {
            StructuredGenerator sg;
            sg.name = "structured_" + std::to_string(k + 1);
            sg.theta = R.row(k).transpose();
            int shown = 0, nz = 0;
            for (int j = 0; j < p; ++j) {
                if (sg.theta[j] == 0.0) continue;
                ++nz;
                if (shown < 8) {
                    char buf[64];
                    std::snprintf(buf, sizeof buf, "%s%s = %.4g", shown ? ", " : "",
                                  name_of(u, j).c_str(), sg.theta[j]);
                    sg.description += buf;
                    ++shown;
                }
            }
            if (nz > shown) sg.description += ", ... (" + std::to_string(nz) + " entries)";
            out.generators.push_back(std::move(sg));
        }
    }
    return out;
}

}  // namespace noether

// Small real networks (docs/PHYSICS.md §8): a stack of dense layers D0-D1-…-DL with a hidden
// activation, optional batch normalisation of each hidden layer (no affine parameters; its ε is
// the explicit breaking strength), hidden biases on or off, and an MSE or softmax cross-entropy
// head. Parameters q are laid out layer by layer, each W (out × in, row-major) then b.
// The loss of a batch B of points is
//   f_B(q) = mean_{i∈B} ℓ(z_L(x_i), y_i),  z_l = W_l a_{l−1} + b_l,  a_l = σ(BN(z_l))
// with ℓ = mean_k (z_k − y_k)² (torch mse_loss) or logsumexp(z) − z_y (torch cross_entropy).
// The gradient is backpropagation; Hessian-vector products are exact by the complex step
// (∇f(q + i h v) = ∇f(q) + i h H v + O(h²), h = 1e-30: no cancellation, exact to rounding),
// and the dense Hessian is n of them.
#pragma once

#include <Eigen/SparseCore>
#include <complex>
#include <memory>
#include <string>
#include <vector>

#include "noether/data.hpp"
#include "noether/loss.hpp"
#include "noether/types.hpp"

namespace noether {

/// Hidden activation.
enum class Activation { Linear, Relu, Tanh };
/// Output head.
enum class Head { Mse, Softmax };
/// "linear", "relu", "tanh".
const char* to_string(Activation a);
/// "mse", "softmax".
const char* to_string(Head h);

/// The architecture of a network.
struct NetworkSpec {
    std::vector<int> widths{2, 16, 1};  ///< D0..DL, every width >= 1, at least two entries
    Activation activation = Activation::Relu;
    bool batch_norm = false;  ///< normalise each hidden layer before its activation
    double bn_eps = 0.0;      ///< BN's ε: the explicit breaking of the scale symmetry, >= 0
    bool hidden_bias = true;  ///< biases of the hidden layers (the output layer always has one)
    Head head = Head::Mse;
    bool operator==(const NetworkSpec&) const = default;
};

/// Parses "2-16-1"; the Error names the field "network".
Result<std::vector<int>> parse_widths(const std::string& text);
/// Checks the spec; the Error names the CLI field ("network", "eps", ...).
Status validate(const NetworkSpec& spec);

/// One block of q: a weight matrix or a bias.
struct ParamBlock {
    std::string name;  ///< "W1", "b1", ... (layer numbers from 1)
    int rows = 0;      ///< out (W and b)
    int cols = 0;      ///< in (W), 1 (b)
    int offset = 0;    ///< first index in q
    int layer = 0;     ///< layer l = 1..L
    bool is_bias = false;
};

/// A network: its spec and the layout of q.
class Network {
  public:
    explicit Network(NetworkSpec spec);
    const NetworkSpec& spec() const { return spec_; }
    /// Number of parameters n.
    int dim() const { return n_; }
    /// Number of layers L.
    int layers() const { return static_cast<int>(spec_.widths.size()) - 1; }
    /// Blocks in q order.
    const std::vector<ParamBlock>& layout() const { return layout_; }
    /// Offset of W_l (l = 1..L), row-major: W_l(r, c) is q[w_offset(l) + r * in + c].
    int w_offset(int l) const { return w_off_[l]; }
    /// Offset of b_l, or -1 if the layer has no bias.
    int b_offset(int l) const { return b_off_[l]; }
    /// Whether layer l (1..L) is normalised (a hidden layer with batch_norm).
    bool normalised(int l) const { return spec_.batch_norm && l < layers(); }

    /// Initialisation: W_l entries scale · N(0, 1)/sqrt(in), biases 0, from our generator.
    Vector init(std::uint64_t seed, double scale) const;

    /// f_B(q) on the points `batch` of data (all points when batch is empty).
    double value(const Dataset& data, VecRef q, const std::vector<int>& batch) const;
    /// f_B(q) and its gradient by backpropagation (g sized n).
    double value_gradient(const Dataset& data, VecRef q, const std::vector<int>& batch,
                          VecOut g) const;
    /// Exact Hessian-vector product H v by the complex step.
    Vector hvp(const Dataset& data, VecRef q, VecRef v, const std::vector<int>& batch) const;
    /// Dense Hessian (n complex-step passes), symmetrised.
    Matrix hessian(const Dataset& data, VecRef q, const std::vector<int>& batch) const;
    /// Network outputs z_L for the given inputs (N × D_L), BN with the statistics of X.
    Matrix forward(const Matrix& X, VecRef q) const;

    /// The templated pass (T = double or std::complex<double>): f, and the gradient if g.
    template <class T>
    T evaluate(const Dataset& data, const Eigen::Matrix<T, Eigen::Dynamic, 1>& q,
               const std::vector<int>& batch, Eigen::Matrix<T, Eigen::Dynamic, 1>* g) const;

  private:
    NetworkSpec spec_;
    int n_ = 0;
    std::vector<ParamBlock> layout_;
    std::vector<int> w_off_, b_off_;
};

/// Builds a data set for a network (teacher: a random network of the same shape labels
/// Gaussian inputs). Errors name the CLI field ("data", "data-n", "head", "network", ...).
Result<Dataset> make_dataset(const DataSpec& spec, const NetworkSpec& net);

/// A structured generator ξ(q) = A q + b of the network, A sparse.
struct NetworkGenerator {
    std::string name;  ///< e.g. "rescale_l1_n3", "scale_l1_n2", "translation_out", "gl_l1_2_3"
    SymmetryKind kind = SymmetryKind::General;
    Eigen::SparseMatrix<double, Eigen::RowMajor> A;  ///< n × n
    Vector b;                                        ///< n
    bool symmetric = false;  ///< A = Aᵀ and b = 0: it has a quadratic charge Q = ⟨q, A q⟩
    /// ξ(q).
    Vector xi(VecRef q) const { return A * q + b; }
    /// The dense Generator (for the toy machinery: hessian_at, adopt_generators).
    Generator dense() const;
};

/// The generators built from the architecture (§8.3): per hidden ReLU neuron the rescale, per
/// normalised unit the scale of its incoming weights and the translation of its bias, for a
/// softmax head the translations of all logits, for a linear hidden layer the h² generators of
/// GL(h): W_l → M W_l, b_l → M b_l, W_{l+1} → −W_{l+1} M with M = E_ij.
std::vector<NetworkGenerator> network_generators(const Network& net);

/// The loss of one batch of a data set as a Loss (what the learning rules step on). The batch
/// can be changed between steps (minibatch training); the last value is cached.
class NetworkLoss final : public Loss {
  public:
    /// dense_generators: carry the generators as dense Generators (small n only).
    NetworkLoss(std::shared_ptr<const Network> net, std::shared_ptr<const Dataset> data,
                bool dense_generators);
    std::string formula() const override;
    double value(VecRef q) const override;
    void gradient(VecRef q, VecOut g) const override;
    void hessian(VecRef q, MatOut H) const override;
    /// The points of the current batch (empty: all).
    void set_batch(std::vector<int> batch) { batch_ = std::move(batch); }
    const std::vector<int>& batch() const { return batch_; }
    /// f_B at the last gradient evaluation.
    double last_value() const { return last_value_; }
    const Network& network() const { return *net_; }
    const Dataset& data() const { return *data_; }

  private:
    std::shared_ptr<const Network> net_;
    std::shared_ptr<const Dataset> data_;
    std::vector<int> batch_;
    mutable double last_value_ = 0.0;
};

}  // namespace noether

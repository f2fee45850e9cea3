// Networks (docs/PHYSICS.md §8): layout, initialisation, the templated forward/backward pass
// (double for gradients, std::complex<double> for exact complex-step Hessian-vector products),
// the data sets that need a network (teacher) and the architecture's generators.
#include "noether/network.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>
#include <type_traits>

namespace noether {

const char* to_string(Activation a) {
    switch (a) {
        case Activation::Linear:
            return "linear";
        case Activation::Relu:
            return "relu";
        case Activation::Tanh:
            return "tanh";
    }
    return "relu";
}

const char* to_string(Head h) {
    return h == Head::Mse ? "mse" : "softmax";
}

Result<std::vector<int>> parse_widths(const std::string& text) {
    std::vector<int> w;
    size_t start = 0;
    while (true) {
        const size_t dash = text.find('-', start);
        const std::string part =
            text.substr(start, dash == std::string::npos ? std::string::npos : dash - start);
        if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos ||
            part.size() > 6)
            return Error{"network",
                         "expects widths D0-D1-...-DL of whole numbers >= 1 (got '" + text + "')"};
        w.push_back(std::stoi(part));
        if (dash == std::string::npos) break;
        start = dash + 1;
    }
    if (w.size() < 2)
        return Error{"network", "needs at least an input and an output width (got '" + text + "')"};
    for (int x : w)
        if (x < 1) return Error{"network", "every width must be >= 1 (got '" + text + "')"};
    return w;
}

Status validate(const NetworkSpec& s) {
    if (s.widths.size() < 2) return Error{"network", "needs at least two widths"};
    long n = 0;
    for (size_t l = 0; l < s.widths.size(); ++l) {
        if (s.widths[l] < 1) return Error{"network", "every width must be >= 1"};
        if (l > 0) n += static_cast<long>(s.widths[l]) * (s.widths[l - 1] + 1);
    }
    if (n > 2'000'000) return Error{"network", "has more than 2e6 parameters"};
    if (!(s.bn_eps >= 0.0) || !std::isfinite(s.bn_eps))
        return Error{"eps", "BatchNorm epsilon must be >= 0"};
    if (s.head == Head::Softmax && s.widths.back() < 2)
        return Error{"head", "softmax needs an output width >= 2 (one logit per class)"};
    return {};
}

namespace {
// "W3", "b3" (appending, not operator+: GCC 12's -Wrestrict misfires on "W" + to_string).
std::string block_name(char c, int l) {
    std::string s(1, c);
    s.append(std::to_string(l));
    return s;
}
}  // namespace

Network::Network(NetworkSpec spec) : spec_(std::move(spec)) {
    const int L = layers();
    w_off_.assign(L + 1, -1);
    b_off_.assign(L + 1, -1);
    int off = 0;
    for (int l = 1; l <= L; ++l) {
        const int out = spec_.widths[l], in = spec_.widths[l - 1];
        w_off_[l] = off;
        layout_.push_back({block_name('W', l), out, in, off, l, false});
        off += out * in;
        if (l == L || spec_.hidden_bias) {
            b_off_[l] = off;
            layout_.push_back({block_name('b', l), out, 1, off, l, true});
            off += out;
        }
    }
    n_ = off;
}

Vector Network::init(std::uint64_t seed, double scale) const {
    Xoshiro256 rng(seed);
    Vector q = Vector::Zero(n_);
    for (int l = 1; l <= layers(); ++l) {
        const int out = spec_.widths[l], in = spec_.widths[l - 1];
        const double s = scale / std::sqrt(static_cast<double>(in));
        for (int i = 0; i < out * in; ++i)
            q[w_off_[l] + i] = s * rng.normal();
    }
    return q;
}

namespace {

double re(double x) {
    return x;
}
double re(const std::complex<double>& x) {
    return x.real();
}

}  // namespace

template <class T>
T Network::evaluate(const Dataset& data, const Eigen::Matrix<T, Eigen::Dynamic, 1>& q,
                    const std::vector<int>& batch, Eigen::Matrix<T, Eigen::Dynamic, 1>* g) const {
    using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
    using RowMat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;
    const int L = layers();
    const long B = batch.empty() ? data.size() : static_cast<long>(batch.size());
    auto point = [&](long i) { return batch.empty() ? i : static_cast<long>(batch[i]); };
    // a_l, the normalised pre-activations ẑ_l and BN's s_l, column per point.
    std::vector<Mat> a(L + 1), zhat(L + 1);
    std::vector<Vec> s(L + 1);
    if (batch.empty()) {
        a[0] = data.X.transpose().template cast<T>();
    } else {
        a[0].resize(spec_.widths[0], B);
        for (long i = 0; i < B; ++i)
            a[0].col(i) = data.X.row(point(i)).transpose().template cast<T>();
    }
    for (int l = 1; l <= L; ++l) {
        const int out = spec_.widths[l], in = spec_.widths[l - 1];
        Eigen::Map<const RowMat> W(q.data() + w_off_[l], out, in);
        Mat z(out, B);
        z.noalias() = W * a[l - 1];
        if (b_off_[l] >= 0) z.colwise() += q.segment(b_off_[l], out);
        if (l == L) {
            zhat[l] = std::move(z);
            break;
        }
        if (normalised(l)) {
            // ẑ = (z − mean z)/s, s = sqrt(mean (z − mean z)² + ε), per unit over the batch.
            const Vec mean = z.rowwise().sum() / T(static_cast<double>(B));
            z.colwise() -= mean;
            const Vec var = z.cwiseProduct(z).rowwise().sum() / T(static_cast<double>(B));
            s[l] = (var.array() + T(spec_.bn_eps)).sqrt().matrix();
            for (int r = 0; r < out; ++r)
                z.row(r) /= s[l][r];
        }
        if (normalised(l)) zhat[l] = z;  // BN's backward needs ẑ; ReLU's reads a > 0
        switch (spec_.activation) {
            case Activation::Linear:
                a[l] = std::move(z);
                break;
            case Activation::Relu:
                if constexpr (std::is_same_v<T, double>)
                    a[l] = z.cwiseMax(0.0);  // vectorised; the same values
                else
                    a[l] = z.unaryExpr([](const T& x) { return re(x) > 0.0 ? x : T(0.0); });
                break;
            case Activation::Tanh:
                a[l] = z.unaryExpr([](const T& x) {
                    using std::tanh;
                    return tanh(x);
                });
                break;
        }
    }
    // The head: f and G = ∂f/∂z_L.
    const Mat& zL = zhat[L];
    const int C = spec_.widths[L];
    const double Bd = static_cast<double>(B);
    Mat G(C, B);
    T f(0.0);
    if (spec_.head == Head::Mse && batch.empty()) {
        // Full batch: whole-matrix expressions.
        const Mat D = zL - data.targets.transpose().template cast<T>();
        f = D.cwiseProduct(D).sum() / T(Bd * C);
        G = D * T(2.0 / (Bd * C));
    } else if (spec_.head == Head::Mse) {
        for (long i = 0; i < B; ++i) {
            const auto y = data.targets.row(point(i));
            for (int k = 0; k < C; ++k) {
                const T d = zL(k, i) - T(y[k]);
                f += d * d;
                G(k, i) = T(2.0) * d / T(Bd * C);
            }
        }
        f /= T(Bd * C);
    } else {
        for (long i = 0; i < B; ++i) {
            double m = re(zL(0, i));
            for (int k = 1; k < C; ++k)
                m = std::max(m, re(zL(k, i)));
            T S(0.0);
            for (int k = 0; k < C; ++k) {
                using std::exp;
                G(k, i) = exp(zL(k, i) - T(m));
                S += G(k, i);
            }
            using std::log;
            const int y = data.labels[point(i)];
            f += T(m) + log(S) - zL(y, i);
            for (int k = 0; k < C; ++k)
                G(k, i) = G(k, i) / S / T(Bd);
            G(y, i) -= T(1.0 / Bd);
        }
        f /= T(Bd);
    }
    if (!g) return f;
    // Backpropagation.
    g->resize(n_);
    for (int l = L; l >= 1; --l) {
        const int out = spec_.widths[l], in = spec_.widths[l - 1];
        Eigen::Map<RowMat>(g->data() + w_off_[l], out, in).noalias() = G * a[l - 1].transpose();
        // A normalised layer's bias cancels in the centring: its gradient is exactly 0 (summing
        // the centred ∂f/∂z would leave rounding noise, which Adam/RMSprop amplify).
        if (b_off_[l] >= 0) {
            if (normalised(l))
                g->segment(b_off_[l], out).setZero();
            else
                g->segment(b_off_[l], out) = G.rowwise().sum();
        }
        if (l == 1) break;
        Eigen::Map<const RowMat> W(q.data() + w_off_[l], out, in);
        Mat Gh(in, B);
        Gh.noalias() = W.transpose() * G;  // ∂f/∂a_{l−1}
        const int h = in, lh = l - 1;
        switch (spec_.activation) {
            case Activation::Linear:
                break;
            case Activation::Relu:
                if constexpr (std::is_same_v<T, double>)
                    Gh = (a[lh].array() > 0.0).select(Gh, 0.0);
                else
                    Gh = Gh.binaryExpr(
                        a[lh], [](const T& x, const T& z) { return re(z) > 0.0 ? x : T(0.0); });
                break;
            case Activation::Tanh:
                Gh = Gh.cwiseProduct(a[lh].unaryExpr([](const T& t) { return T(1.0) - t * t; }));
                break;
        }
        if (normalised(lh)) {
            // ∂f/∂c = (ḡ − ẑ mean(ḡ ẑ))/s, then centred: ∂f/∂z = ∂f/∂c − mean ∂f/∂c.
            for (int r = 0; r < h; ++r) {
                const T m = Gh.row(r).cwiseProduct(zhat[lh].row(r)).sum() / T(Bd);
                Gh.row(r) = (Gh.row(r) - m * zhat[lh].row(r)) / s[lh][r];
                const T c = Gh.row(r).sum() / T(Bd);
                Gh.row(r).array() -= c;
            }
        }
        G = std::move(Gh);
    }
    return f;
}

template double Network::evaluate<double>(const Dataset&, const Vector&, const std::vector<int>&,
                                          Vector*) const;
template std::complex<double> Network::evaluate<std::complex<double>>(const Dataset&,
                                                                      const Eigen::VectorXcd&,
                                                                      const std::vector<int>&,
                                                                      Eigen::VectorXcd*) const;

double Network::value(const Dataset& data, VecRef q, const std::vector<int>& batch) const {
    const Vector qq = q;
    return evaluate<double>(data, qq, batch, nullptr);
}

double Network::value_gradient(const Dataset& data, VecRef q, const std::vector<int>& batch,
                               VecOut g) const {
    const Vector qq = q;
    Vector gg;
    const double f = evaluate<double>(data, qq, batch, &gg);
    g = gg;
    return f;
}

Vector Network::hvp(const Dataset& data, VecRef q, VecRef v, const std::vector<int>& batch) const {
    // ∇f(q + i h v) = ∇f(q) + i h H v − O(h²): the imaginary part has no cancellation.
    constexpr double h = 1e-30;
    Eigen::VectorXcd qc(n_), gc;
    for (int i = 0; i < n_; ++i)
        qc[i] = std::complex<double>(q[i], h * v[i]);
    evaluate<std::complex<double>>(data, qc, batch, &gc);
    return gc.imag() / h;
}

Matrix Network::hessian(const Dataset& data, VecRef q, const std::vector<int>& batch) const {
    Matrix H(n_, n_);
    Vector e = Vector::Zero(n_);
    for (int j = 0; j < n_; ++j) {
        e[j] = 1.0;
        H.col(j) = hvp(data, q, e, batch);
        e[j] = 0.0;
    }
    return 0.5 * (H + H.transpose());
}

Matrix Network::forward(const Matrix& X, VecRef q) const {
    Dataset d;
    d.X = X;
    d.targets = Matrix::Zero(X.rows(), spec_.widths.back());
    // Re-run the forward pass by hand (the head is not needed).
    const int L = layers();
    Matrix a = X.transpose();
    for (int l = 1; l <= L; ++l) {
        const int out = spec_.widths[l], in = spec_.widths[l - 1];
        Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> W(
            q.data() + w_off_[l], out, in);
        Matrix z = W * a;
        if (b_off_[l] >= 0) z.colwise() += q.segment(b_off_[l], out);
        if (l == L) return z.transpose();
        if (normalised(l)) {
            const Vector mean = z.rowwise().mean();
            z.colwise() -= mean;
            const Vector s =
                (z.cwiseProduct(z).rowwise().mean().array() + spec_.bn_eps).sqrt().matrix();
            for (int r = 0; r < out; ++r)
                z.row(r) /= s[r];
        }
        switch (spec_.activation) {
            case Activation::Linear:
                break;
            case Activation::Relu:
                z = z.cwiseMax(0.0);
                break;
            case Activation::Tanh:
                z = z.array().tanh().matrix();
                break;
        }
        a = std::move(z);
    }
    return a.transpose();
}

Result<Dataset> make_dataset(const DataSpec& spec, const NetworkSpec& net) {
    Dataset d;
    d.name = spec.name;
    const auto& names = dataset_names();
    if (std::find(names.begin(), names.end(), spec.name) == names.end())
        return Error{"data",
                     "unknown data set '" + spec.name + "' (moons, spirals, blobs, xor, teacher)"};
    if (spec.n < 2 || spec.n > 100000)
        return Error{"data-n", "must be between 2 and 100000 (got " + std::to_string(spec.n) + ")"};
    if (!(spec.noise >= 0.0) || !std::isfinite(spec.noise))
        return Error{"data-noise", "must be >= 0"};
    const int d0 = net.widths.front(), C = net.widths.back();
    const long N = spec.n;
    Xoshiro256 rng(spec.seed);
    const double pi = std::numbers::pi;
    if (spec.name != "teacher" && d0 != 2)
        return Error{"network", "the input width must be 2 for the 2-D data set '" + spec.name +
                                    "' (got " + std::to_string(d0) + ")"};
    d.X.resize(N, d0);
    d.labels.assign(N, 0);
    if (spec.name == "moons") {
        // Two interleaved half circles (as sklearn's make_moons), evenly spaced in angle.
        d.classes = 2;
        const long n_out = (N + 1) / 2, n_in = N - n_out;
        for (long i = 0; i < N; ++i) {
            const bool outer = i < n_out;
            const long j = outer ? i : i - n_out, m = outer ? n_out : n_in;
            const double t = m > 1 ? pi * static_cast<double>(j) / static_cast<double>(m - 1) : 0;
            d.X(i, 0) = outer ? std::cos(t) : 1.0 - std::cos(t);
            d.X(i, 1) = outer ? std::sin(t) : 0.5 - std::sin(t);
            d.labels[i] = outer ? 0 : 1;
        }
    } else if (spec.name == "spirals") {
        // Two arms r = s, angle 3πs + kπ, s in (0, 1].
        d.classes = 2;
        for (long i = 0; i < N; ++i) {
            const int k = static_cast<int>(i % 2);
            const double s = (static_cast<double>(i / 2) + 1.0) / static_cast<double>((N + 1) / 2);
            const double th = 3.0 * pi * s + k * pi;
            d.X(i, 0) = s * std::cos(th);
            d.X(i, 1) = s * std::sin(th);
            d.labels[i] = k;
        }
    } else if (spec.name == "blobs") {
        // Three Gaussian blobs (std 0.5) centred on a circle of radius 2.
        d.classes = 3;
        for (long i = 0; i < N; ++i) {
            const int k = static_cast<int>(i % 3);
            const double th = 2.0 * pi * k / 3.0;
            d.X(i, 0) = 2.0 * std::cos(th) + 0.5 * rng.normal();
            d.X(i, 1) = 2.0 * std::sin(th) + 0.5 * rng.normal();
            d.labels[i] = k;
        }
    } else if (spec.name == "xor") {
        // Uniform on [−1, 1]², class 1 where x1 x2 > 0.
        d.classes = 2;
        for (long i = 0; i < N; ++i) {
            d.X(i, 0) = 2.0 * rng.uniform() - 1.0;
            d.X(i, 1) = 2.0 * rng.uniform() - 1.0;
            d.labels[i] = d.X(i, 0) * d.X(i, 1) > 0 ? 1 : 0;
        }
    } else {
        // Teacher: Gaussian inputs labelled by a random network of the same shape (biases
        // N(0, 0.5²)); its outputs are the targets (mse) or their argmax the classes (softmax).
        for (long i = 0; i < N; ++i)
            for (int j = 0; j < d0; ++j)
                d.X(i, j) = rng.normal();
        Network teacher(net);
        Vector qt = teacher.init(spec.seed ^ 0x7465616368657221ULL, 1.0);
        for (const auto& blk : teacher.layout())
            if (blk.is_bias)
                for (int r = 0; r < blk.rows; ++r)
                    qt[blk.offset + r] = 0.5 * rng.normal();
        const Matrix out = teacher.forward(d.X, qt);
        if (net.head == Head::Softmax) {
            d.classes = C;
            for (long i = 0; i < N; ++i)
                out.row(i).maxCoeff(&d.labels[i]);
        } else {
            d.classes = 0;
            d.labels.clear();
            d.targets = out;
            for (long i = 0; i < N; ++i)
                for (int k = 0; k < C; ++k)
                    d.targets(i, k) += spec.noise * rng.normal();
        }
    }
    if (spec.name != "teacher" && spec.noise > 0)
        for (long i = 0; i < N; ++i)
            for (int j = 0; j < 2; ++j)
                d.X(i, j) += spec.noise * rng.normal();
    // Targets of the head.
    if (d.classes > 0) {
        if (net.head == Head::Softmax) {
            if (C != d.classes)
                return Error{"head", "softmax needs one output per class: the data set '" +
                                         spec.name + "' has " + std::to_string(d.classes) +
                                         " classes, the network " + std::to_string(C) + " outputs"};
        } else if (C == 1 && d.classes == 2) {
            d.targets.resize(N, 1);
            for (long i = 0; i < N; ++i)
                d.targets(i, 0) = d.labels[i] == 1 ? 1.0 : -1.0;  // ±1 targets
        } else if (C == d.classes) {
            d.targets = Matrix::Zero(N, C);  // one-hot targets
            for (long i = 0; i < N; ++i)
                d.targets(i, d.labels[i]) = 1.0;
        } else {
            return Error{"head",
                         "mse needs 1 output (two classes, ±1 targets) or one per class "
                         "(one-hot) for '" +
                             spec.name + "' (" + std::to_string(d.classes) + " classes, got " +
                             std::to_string(C) + " outputs)"};
        }
    }
    return d;
}

Generator NetworkGenerator::dense() const {
    return Generator{name, kind, Matrix(A), b};
}

std::vector<NetworkGenerator> network_generators(const Network& net) {
    using Trip = Eigen::Triplet<double>;
    const int n = net.dim(), L = net.layers();
    const auto& w = net.spec().widths;
    std::vector<NetworkGenerator> out;
    auto make = [n](std::string name, SymmetryKind kind, const std::vector<Trip>& t, Vector b,
                    bool sym) {
        NetworkGenerator g;
        g.name = std::move(name);
        g.kind = kind;
        g.A.resize(n, n);
        g.A.setFromTriplets(t.begin(), t.end());
        g.b = b.size() ? std::move(b) : Vector::Zero(n);
        g.symmetric = sym;
        return g;
    };
    for (int l = 1; l < L; ++l) {
        const int h = w[l], in = w[l - 1], next = w[l + 1];
        const int wl = net.w_offset(l), bl = net.b_offset(l), wn = net.w_offset(l + 1);
        const std::string tag = "_l" + std::to_string(l);
        if (net.normalised(l)) {
            for (int j = 0; j < h; ++j) {
                std::vector<Trip> t;
                for (int c = 0; c < in; ++c)
                    t.emplace_back(wl + j * in + c, wl + j * in + c, 1.0);
                out.push_back(make("scale" + tag + "_n" + std::to_string(j + 1),
                                   SymmetryKind::Scale, t, {}, true));
                if (bl >= 0) {
                    Vector b = Vector::Zero(n);
                    b[bl + j] = 1.0;
                    out.push_back(make("translation" + tag + "_n" + std::to_string(j + 1),
                                       SymmetryKind::Translation, {}, b, false));
                }
            }
        } else if (net.spec().activation == Activation::Relu) {
            for (int j = 0; j < h; ++j) {
                std::vector<Trip> t;
                for (int c = 0; c < in; ++c)
                    t.emplace_back(wl + j * in + c, wl + j * in + c, 1.0);
                if (bl >= 0) t.emplace_back(bl + j, bl + j, 1.0);
                for (int r = 0; r < next; ++r)
                    t.emplace_back(wn + r * h + j, wn + r * h + j, -1.0);
                out.push_back(make("rescale" + tag + "_n" + std::to_string(j + 1),
                                   SymmetryKind::Rescale, t, {}, true));
            }
        } else if (net.spec().activation == Activation::Linear) {
            // M = E_ij: row i of W_l gains row j, b_i gains b_j, column j of W_{l+1} loses
            // column i.
            for (int i = 0; i < h; ++i)
                for (int j = 0; j < h; ++j) {
                    std::vector<Trip> t;
                    for (int c = 0; c < in; ++c)
                        t.emplace_back(wl + i * in + c, wl + j * in + c, 1.0);
                    if (bl >= 0) t.emplace_back(bl + i, bl + j, 1.0);
                    for (int r = 0; r < next; ++r)
                        t.emplace_back(wn + r * h + j, wn + r * h + i, -1.0);
                    out.push_back(make(
                        "gl" + tag + "_" + std::to_string(i + 1) + "_" + std::to_string(j + 1),
                        i == j ? SymmetryKind::Rescale : SymmetryKind::General, t, {}, i == j));
                }
        }
    }
    if (net.spec().head == Head::Softmax) {
        const int C = w[L], h = w[L - 1];
        const double u = 1.0 / std::sqrt(static_cast<double>(C));
        Vector b = Vector::Zero(n);
        for (int k = 0; k < C; ++k)
            b[net.b_offset(L) + k] = u;
        out.push_back(make("translation_out", SymmetryKind::Translation, {}, b, false));
        for (int c = 0; c < h; ++c) {
            Vector bc = Vector::Zero(n);
            for (int k = 0; k < C; ++k)
                bc[net.w_offset(L) + k * h + c] = u;
            out.push_back(make("translation_out_in" + std::to_string(c + 1),
                               SymmetryKind::Translation, {}, bc, false));
        }
    }
    return out;
}

NetworkLoss::NetworkLoss(std::shared_ptr<const Network> net, std::shared_ptr<const Dataset> data,
                         bool dense_generators)
    : Loss("network", net->dim(), net->spec().bn_eps),
      net_(std::move(net)),
      data_(std::move(data)) {
    if (dense_generators)
        for (const auto& g : network_generators(*net_))
            generators_.push_back(g.dense());
}

std::string NetworkLoss::formula() const {
    std::ostringstream os;
    const auto& s = net_->spec();
    for (size_t i = 0; i < s.widths.size(); ++i)
        os << (i ? "-" : "") << s.widths[i];
    os << " " << to_string(s.activation) << (s.batch_norm ? " batchnorm" : "")
       << (s.hidden_bias ? "" : " no-bias") << " " << to_string(s.head) << " on " << data_->name
       << " (N = " << data_->size() << ")";
    return os.str();
}

double NetworkLoss::value(VecRef q) const {
    return net_->value(*data_, q, batch_);
}

void NetworkLoss::gradient(VecRef q, VecOut g) const {
    last_value_ = net_->value_gradient(*data_, q, batch_, g);
}

void NetworkLoss::hessian(VecRef q, MatOut H) const {
    H = net_->hessian(*data_, q, batch_);
}

}  // namespace noether

// The built-in toy losses of PHYSICS.md §5, with closed-form gradients and Hessians.
#include <cmath>
#include <sstream>

#include "expression_loss.hpp"
#include "noether/loss.hpp"

namespace noether {
namespace {

// Numerically stable log(cosh(x)).
double log_cosh(double x) {
    const double a = std::abs(x);
    return a + std::log1p(std::exp(-2.0 * a)) - std::log(2.0);
}
// Numerically stable log(1 + e^x).
double softplus(double x) {
    return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}
double sigmoid(double x) {
    if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
    const double e = std::exp(x);
    return e / (1.0 + e);
}

// §5.1 f = 1 - <u*, q>/s, s = sqrt(|q|^2 + eps).
class ScaleCos final : public Loss {
  public:
    ScaleCos(double eps, double theta) : Loss("scale_cos", 2, eps), u_(2) {
        u_ << std::cos(theta), std::sin(theta);
        generators_.push_back(scale_generator(2));
    }
    std::string formula() const override {
        return "f = 1 − ⟨u*, q⟩ / √(|q|² + ε),  u* = (cos θ*, sin θ*)";
    }
    double value(VecRef q) const override {
        return 1.0 - u_.dot(q) / std::sqrt(q.squaredNorm() + eps_);
    }
    void gradient(VecRef q, VecOut g) const override {
        const double s = std::sqrt(q.squaredNorm() + eps_), c = u_.dot(q);
        g = -u_ / s + (c / (s * s * s)) * q;
    }
    void hessian(VecRef q, MatOut H) const override {
        const double s = std::sqrt(q.squaredNorm() + eps_), c = u_.dot(q);
        const double s3 = s * s * s, s5 = s3 * s * s;
        H = (u_ * q.transpose() + q * u_.transpose()) / s3;
        H.diagonal().array() += c / s3;
        H -= (3.0 * c / s5) * q * q.transpose();
    }

  private:
    Vector u_;
};

// §5.2 f = (|q|^2 - 1)^2/4 + eps q1.
class RotationHat final : public Loss {
  public:
    explicit RotationHat(double eps) : Loss("rotation_hat", 2, eps) {
        generators_.push_back(rotation_generator(2));
    }
    std::string formula() const override { return "f = (|q|² − 1)²/4 + ε q₁"; }
    double value(VecRef q) const override {
        const double a = q.squaredNorm() - 1.0;
        return 0.25 * a * a + eps_ * q[0];
    }
    void gradient(VecRef q, VecOut g) const override {
        g = (q.squaredNorm() - 1.0) * q;
        g[0] += eps_;
    }
    void hessian(VecRef q, MatOut H) const override {
        H = 2.0 * q * q.transpose();
        H.diagonal().array() += q.squaredNorm() - 1.0;
    }
};

// §5.3 f = (q1 - q2 - 1)^2/2 + eps log cosh(q1 + q2), and the logistic variant.
class TranslationValley final : public Loss {
  public:
    TranslationValley(double eps, bool logistic)
        : Loss(logistic ? "translation_logistic" : "translation_valley", 2, eps),
          logistic_(logistic) {
        Vector n(2);
        n << 1.0, 1.0;
        generators_.push_back(translation_generator(n));
    }
    std::string formula() const override {
        return logistic_ ? "f = log(1 + e^−(q₁−q₂)) + ε log cosh(q₁+q₂)"
                         : "f = (q₁ − q₂ − 1)²/2 + ε log cosh(q₁+q₂)";
    }
    double value(VecRef q) const override {
        const double z = q[0] - q[1];
        const double base = logistic_ ? softplus(-z) : 0.5 * (z - 1.0) * (z - 1.0);
        return base + eps_ * log_cosh(q[0] + q[1]);
    }
    void gradient(VecRef q, VecOut g) const override {
        const double z = q[0] - q[1];
        const double u = logistic_ ? -sigmoid(-z) : z - 1.0;
        const double t = std::tanh(q[0] + q[1]);
        g[0] = u + eps_ * t;
        g[1] = -u + eps_ * t;
    }
    void hessian(VecRef q, MatOut H) const override {
        const double z = q[0] - q[1];
        const double c = logistic_ ? sigmoid(z) * sigmoid(-z) : 1.0;
        const double t = std::tanh(q[0] + q[1]);
        const double e = eps_ * (1.0 - t * t);
        H << c + e, -c + e, -c + e, c + e;
    }

  private:
    bool logistic_;
};

// §5.4 f = (q1 q2 - 1)^2/2 + eps q1^2/2.
class Rescale2d final : public Loss {
  public:
    explicit Rescale2d(double eps) : Loss("rescale_2d", 2, eps) {
        generators_.push_back(rescale_generator(2, 1));
    }
    std::string formula() const override { return "f = (q₁q₂ − 1)²/2 + ε q₁²/2"; }
    double value(VecRef q) const override {
        const double a = q[0] * q[1] - 1.0;
        return 0.5 * a * a + 0.5 * eps_ * q[0] * q[0];
    }
    void gradient(VecRef q, VecOut g) const override {
        const double a = q[0] * q[1] - 1.0;
        g[0] = a * q[1] + eps_ * q[0];
        g[1] = a * q[0];
    }
    void hessian(VecRef q, MatOut H) const override {
        const double c = 2.0 * q[0] * q[1] - 1.0;
        H << q[1] * q[1] + eps_, c, c, q[0] * q[0];
    }
};

// §5.5 f = q^T B q / (|q|^2 + eps), B = diag(b).
class Rayleigh final : public Loss {
  public:
    Rayleigh(double eps, const std::vector<double>& diag)
        : Loss("rayleigh", static_cast<int>(diag.size()), eps),
          b_(Eigen::Map<const Vector>(diag.data(), static_cast<Eigen::Index>(diag.size()))) {
        generators_.push_back(scale_generator(dim_));
    }
    std::string formula() const override { return "f = qᵀBq / (|q|² + ε),  B = diag(b)"; }
    double value(VecRef q) const override {
        return q.dot(b_.cwiseProduct(q)) / (q.squaredNorm() + eps_);
    }
    void gradient(VecRef q, VecOut g) const override {
        const double s = q.squaredNorm() + eps_, qbq = q.dot(b_.cwiseProduct(q));
        g = (2.0 / s) * b_.cwiseProduct(q) - (2.0 * qbq / (s * s)) * q;
    }
    void hessian(VecRef q, MatOut H) const override {
        const double s = q.squaredNorm() + eps_, qbq = q.dot(b_.cwiseProduct(q));
        const Vector bq = b_.cwiseProduct(q);
        H = (-4.0 / (s * s)) * (bq * q.transpose() + q * bq.transpose());
        H.diagonal() += (2.0 / s) * b_;
        H.diagonal().array() -= 2.0 * qbq / (s * s);
        H += (8.0 * qbq / (s * s * s)) * q * q.transpose();
    }

  private:
    Vector b_;
};

// §5.7 f = q^T diag(lambda) q / 2.
class Quadratic final : public Loss {
  public:
    Quadratic(double eps, const std::vector<double>& diag)
        : Loss("quadratic", static_cast<int>(diag.size()), eps),
          l_(Eigen::Map<const Vector>(diag.data(), static_cast<Eigen::Index>(diag.size()))) {}
    std::string formula() const override { return "f = ½ qᵀ diag(λ) q"; }
    double value(VecRef q) const override { return 0.5 * q.dot(l_.cwiseProduct(q)); }
    void gradient(VecRef q, VecOut g) const override { g = l_.cwiseProduct(q); }
    void hessian(VecRef, MatOut H) const override { H = l_.asDiagonal(); }

  private:
    Vector l_;
};

// §5.6 linear filter + BatchNorm + logistic loss on the fixed 16 x 4 table.
class BnLogistic final : public Loss {
  public:
    BnLogistic(double eps, double gamma) : Loss("bn_logistic", 4, eps), gamma_(gamma) {
        static const double kData[16][5] = {
            {0.1257, -0.1321, 0.6404, 0.1049, 1},   {-0.5357, 0.3616, 1.3040, 0.9471, 1},
            {-0.7037, -1.2654, -0.6233, 0.0413, 1}, {-2.3250, -0.2188, -1.2459, -0.7323, -1},
            {-0.5443, -0.3163, 0.4116, 1.0425, 1},  {-0.1285, 1.3665, -0.6652, 0.3515, -1},
            {0.9035, 0.0940, -0.7435, -0.9217, -1}, {-0.4577, 0.2202, -1.0096, -0.2092, -1},
            {-0.1592, 0.5408, 0.2147, 0.3554, -1},  {-0.6538, -0.1296, 0.7840, 1.4934, 1},
            {-1.2591, 1.5139, 1.3459, 0.7813, -1},  {0.2645, -0.3139, 1.4580, 1.9603, 1},
            {1.8016, 1.3151, 0.3574, -1.2083, -1},  {-0.0045, 0.6565, -1.2884, 0.3951, -1},
            {0.4299, 0.6960, -1.1841, -0.6617, -1}, {-0.4364, -1.1698, 1.7394, -0.4959, 1}};
        Matrix X(16, 4);
        y_.resize(16);
        for (int i = 0; i < 16; ++i) {
            for (int j = 0; j < 4; ++j)
                X(i, j) = kData[i][j];
            y_[i] = kData[i][4];
        }
        // CX: centre the columns (C = I - 11^T/N).
        cx_ = X.rowwise() - X.colwise().mean();
        generators_.push_back(scale_generator(4));
    }
    std::string formula() const override {
        return "f = mean softplus(−γ y∘ẑ),  ẑ = u/√(|u|²/N + ε),  u = C X q";
    }
    double value(VecRef q) const override {
        const Vector u = cx_ * q;
        const double s = std::sqrt(u.squaredNorm() / kN + eps_);
        double sum = 0.0;
        for (int i = 0; i < kN; ++i)
            sum += softplus(-gamma_ * y_[i] * u[i] / s);
        return sum / kN;
    }
    void gradient(VecRef q, VecOut g) const override {
        // Fixed-size temporaries: the gradient allocates nothing (loss.hpp contract).
        const Sample u = cx_ * q;
        const double s = std::sqrt(u.squaredNorm() / kN + eps_);
        Sample h;
        for (int i = 0; i < kN; ++i)
            h[i] = -gamma_ * y_[i] * sigmoid(-gamma_ * y_[i] * u[i] / s) / kN;
        const Sample w = h / s - u * (u.dot(h) / (kN * s * s * s));
        g.noalias() = cx_.transpose() * w;
    }
    void hessian(VecRef q, MatOut H) const override {
        const Vector u = cx_ * q;
        const double s = std::sqrt(u.squaredNorm() / kN + eps_);
        const double s3 = s * s * s, s5 = s3 * s * s;
        Vector h(kN), d(kN);
        for (int i = 0; i < kN; ++i) {
            const double a = -gamma_ * y_[i] * u[i] / s;
            const double sa = sigmoid(a);
            h[i] = -gamma_ * y_[i] * sa / kN;
            d[i] = gamma_ * gamma_ * sa * (1.0 - sa) / kN;
        }
        Matrix J = Matrix::Identity(kN, kN) / s - u * u.transpose() / (kN * s3);
        const double hu = h.dot(u);
        Matrix inner = J * d.asDiagonal() * J;
        inner -= (h * u.transpose() + u * h.transpose()) / (kN * s3);
        inner.diagonal().array() -= hu / (kN * s3);
        inner += (3.0 * hu / (double(kN) * kN * s5)) * u * u.transpose();
        H = cx_.transpose() * inner * cx_;
    }

  private:
    static constexpr int kN = 16;
    using Sample = Eigen::Matrix<double, kN, 1>;
    double gamma_;
    Eigen::Matrix<double, kN, 4> cx_;
    Vector y_;
};

std::vector<double> param_or(const LossSpec& s, const LossInfo& info, const std::string& name) {
    if (auto it = s.params.find(name); it != s.params.end()) return it->second;
    for (const auto& p : info.params)
        if (p.name == name) return p.default_value;
    return {};
}

bool all_finite(const std::vector<double>& v) {
    for (double x : v)
        if (!std::isfinite(x)) return false;
    return true;
}

std::string join(const std::vector<double>& v) {
    std::ostringstream os;
    for (size_t i = 0; i < v.size(); ++i)
        os << (i ? "," : "") << v[i];
    return os.str();
}

}  // namespace

const std::vector<LossInfo>& builtin_losses() {
    static const std::vector<LossInfo> kLosses = {
        {"scale_cos",
         2,
         {{"theta_star", {0.0}, "direction θ* of the minimum valley (radians)", false}},
         {"scale"},
         "f = 1 − ⟨u*, q⟩ / √(|q|² + ε),  u* = (cos θ*, sin θ*)",
         "Scale-invariant (normalisation-layer) toy; ε is a BatchNorm-style epsilon that breaks "
         "scale symmetry.",
         {std::cos(2.0), std::sin(2.0)}},
        {"rotation_hat",
         2,
         {},
         {"rotation"},
         "f = (|q|² − 1)²/4 + ε q₁",
         "Mexican hat with rotation symmetry; ε tilts it (a torque).",
         {0.6, 0.5}},
        {"translation_valley",
         2,
         {},
         {"translation"},
         "f = (q₁ − q₂ − 1)²/2 + ε log cosh(q₁+q₂)",
         "A flat valley along (1,1); ε adds a pull towards the valley centre.",
         {0.5, -1.0}},
        {"translation_logistic",
         2,
         {},
         {"translation"},
         "f = log(1 + e^−(q₁−q₂)) + ε log cosh(q₁+q₂)",
         "Logistic loss of a difference: translation symmetry and no minimiser (it drifts).",
         {0.5, -1.0}},
        {"rescale_2d",
         2,
         {},
         {"rescale"},
         "f = (q₁q₂ − 1)²/2 + ε q₁²/2",
         "Two-layer scalar linear net: rescale symmetry (a, b) → (ca, b/c).",
         {2.0, 0.3}},
        {"rayleigh",
         4,
         {{"diag", {1, 2, 3, 4}, "diagonal of B (n = its length, 1..8)", true}},
         {"scale"},
         "f = qᵀBq / (|q|² + ε),  B = diag(b)",
         "Rayleigh quotient: scale symmetry in n dimensions.",
         {1, 1, 1, 1}},
        {"bn_logistic",
         4,
         {{"gamma", {2.0}, "BatchNorm gain γ", false}},
         {"scale"},
         "f = mean softplus(−γ y∘ẑ),  ẑ = u/√(|u|²/N + ε),  u = C X q",
         "Linear filter + BatchNorm + logistic loss on a fixed 16×4 data set; ε is BN's epsilon.",
         {1.0, 0.5, -0.3, 0.2}},
        {"quadratic",
         2,
         {{"diag", {1, 10}, "curvatures λᵢ > 0 (n = its length, 1..8)", true}},
         {},
         "f = ½ qᵀ diag(λ) q",
         "Ill-conditioned quadratic with no continuous symmetry: the stability reference "
         "η λ_max < 2(1+β).",
         {1.0, 1.0}},
    };
    return kLosses;
}

const LossInfo* find_loss_info(const std::string& name) {
    for (const auto& info : builtin_losses())
        if (info.name == name) return &info;
    return nullptr;
}

Result<std::shared_ptr<const Loss>> make_loss(const LossSpec& spec) {
    if (spec.name == "expr") return make_expression_loss(spec);
    const LossInfo* info = find_loss_info(spec.name);
    if (!info) {
        std::string names;
        for (const auto& l : builtin_losses())
            names += (names.empty() ? "" : ", ") + l.name;
        return Error{"loss", "unknown loss '" + spec.name + "' (known: " + names + ", or expr)"};
    }
    if (!std::isfinite(spec.eps)) return Error{"eps", "must be a finite number"};
    for (const auto& [key, value] : spec.params) {
        bool known = false;
        for (const auto& p : info->params)
            known |= p.name == key;
        if (!known) return Error{"param", "loss " + spec.name + " has no parameter '" + key + "'"};
        if (value.empty() || !all_finite(value))
            return Error{"param " + key, "needs finite numbers (got '" + join(value) + "')"};
    }
    const double eps = spec.eps;
    const std::string& n = spec.name;
    if ((n == "scale_cos" || n == "rayleigh" || n == "bn_logistic") && eps < 0)
        return Error{"eps", "must be >= 0 for " + n + " (it sits under a square root)"};
    std::shared_ptr<const Loss> loss;
    if (n == "scale_cos") {
        const auto th = param_or(spec, *info, "theta_star");
        if (th.size() != 1) return Error{"param theta_star", "takes one number"};
        loss = std::make_shared<ScaleCos>(eps, th[0]);
    } else if (n == "rotation_hat") {
        loss = std::make_shared<RotationHat>(eps);
    } else if (n == "translation_valley" || n == "translation_logistic") {
        loss = std::make_shared<TranslationValley>(eps, n == "translation_logistic");
    } else if (n == "rescale_2d") {
        loss = std::make_shared<Rescale2d>(eps);
    } else if (n == "rayleigh" || n == "quadratic") {
        const auto d = param_or(spec, *info, "diag");
        if (d.empty() || d.size() > 8)
            return Error{"param diag",
                         "needs 1 to 8 entries (got " + std::to_string(d.size()) + ")"};
        if (n == "quadratic") {
            for (double x : d)
                if (!(x > 0))
                    return Error{"param diag", "curvatures must be > 0 (got " + join(d) + ")"};
            loss = std::make_shared<Quadratic>(eps, d);
        } else {
            loss = std::make_shared<Rayleigh>(eps, d);
        }
    } else if (n == "bn_logistic") {
        const auto g = param_or(spec, *info, "gamma");
        if (g.size() != 1) return Error{"param gamma", "takes one number"};
        loss = std::make_shared<BnLogistic>(eps, g[0]);
    }
    return loss;
}

}  // namespace noether

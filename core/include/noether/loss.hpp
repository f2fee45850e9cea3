// Loss functions: value, analytic gradient and Hessian, symmetry generators and the explicit
// breaking strength eps (PHYSICS.md §5). Problem data only: a Loss is immutable once made.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "noether/symmetry.hpp"
#include "noether/types.hpp"

namespace noether {

/// A differentiable loss f: R^n -> R with its (eps = 0) symmetry generators.
class Loss {
  public:
    virtual ~Loss() = default;
    /// Dimension n of the parameter space.
    int dim() const { return dim_; }
    /// Registered name ("rotation_hat", ..., or "expr" for a typed loss).
    const std::string& name() const { return name_; }
    /// Explicit symmetry-breaking strength eps, >= 0.
    double eps() const { return eps_; }
    /// Generators of the continuous symmetries of the eps = 0 loss.
    const std::vector<Generator>& generators() const { return generators_; }
    /// Human-readable formula (Unicode).
    virtual std::string formula() const = 0;

    /// f(q).
    virtual double value(VecRef q) const = 0;
    /// grad f(q) written into g (size n). Allocates nothing.
    virtual void gradient(VecRef q, VecOut g) const = 0;
    /// Hessian of f at q written into H (n x n).
    virtual void hessian(VecRef q, MatOut H) const = 0;

    /// Convenience: returns grad f(q) (allocates).
    Vector gradient(VecRef q) const {
        Vector g(dim_);
        gradient(q, g);
        return g;
    }
    /// Convenience: returns the Hessian (allocates).
    Matrix hessian(VecRef q) const {
        Matrix H(dim_, dim_);
        hessian(q, H);
        return H;
    }
    /// Lie derivative L_xi f(q) = <grad f(q), xi(q)>.
    double lie_derivative(const Generator& xi, VecRef q) const { return gradient(q).dot(xi.xi(q)); }

  protected:
    Loss(std::string name, int dim, double eps) : name_(std::move(name)), dim_(dim), eps_(eps) {}
    std::string name_;
    int dim_;
    double eps_;
    std::vector<Generator> generators_;
};

/// One parameter of a built-in loss.
struct ParamInfo {
    std::string name;                   ///< e.g. "theta_star", "diag", "gamma"
    std::vector<double> default_value;  ///< scalar parameters have one entry
    std::string doc;                    ///< meaning and valid range
    bool is_vector = false;             ///< "diag" takes a list
};

/// Catalogue entry of a built-in loss (what `noetherlab-cli losses` prints).
struct LossInfo {
    std::string name;
    int dim = 2;  ///< default dimension (rayleigh/quadratic: from "diag")
    std::vector<ParamInfo> params;
    std::vector<std::string> symmetries;  ///< generator names at eps = 0
    std::string formula;
    std::string description;
    std::vector<double> suggested_q0;  ///< PHYSICS.md §5.8
};

/// Every built-in loss, in a fixed order.
const std::vector<LossInfo>& builtin_losses();
/// The catalogue entry for a name, or nullptr.
const LossInfo* find_loss_info(const std::string& name);

/// What to build: a built-in loss by name, or a typed expression (name "expr").
struct LossSpec {
    std::string name = "rotation_hat";
    double eps = 0.0;  ///< explicit breaking strength, >= 0 unless the loss allows negative
    std::map<std::string, std::vector<double>> params;  ///< overrides of the defaults
    // Typed losses (name == "expr"):
    std::string expr;                         ///< expression in q1..qn
    int expr_dim = 0;                         ///< n; 0 = infer from the highest q index
    std::map<std::string, double> constants;  ///< named constants (eps is always available)

    bool operator==(const LossSpec&) const = default;
};

/// Builds a loss, validating the name and every parameter (errors name the field).
Result<std::shared_ptr<const Loss>> make_loss(const LossSpec& spec);

}  // namespace noether

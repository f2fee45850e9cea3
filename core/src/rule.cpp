// torch.optim update rules, operation for operation (PHYSICS.md §0.1).
#include "noether/rule.hpp"

#include <cmath>
#include <sstream>

namespace noether {

const char* to_string(Rule rule) {
    switch (rule) {
        case Rule::Sgd:
            return "sgd";
        case Rule::RmsProp:
            return "rmsprop";
        case Rule::RmsPropNorm:
            return "rmsprop-norm";
        case Rule::Adam:
            return "adam";
        case Rule::AdamW:
            return "adamw";
    }
    return "sgd";
}

std::optional<Rule> parse_rule(const std::string& name) {
    for (Rule r : {Rule::Sgd, Rule::RmsProp, Rule::RmsPropNorm, Rule::Adam, Rule::AdamW})
        if (name == to_string(r)) return r;
    return std::nullopt;
}

namespace {
std::string got(double x) {
    std::ostringstream os;
    os << "(got " << x << ")";
    return os.str();
}
Status in_unit(const char* field, double x) {
    if (!(x >= 0.0 && x < 1.0)) return Error{field, "must be in [0, 1) " + got(x)};
    return {};
}
}  // namespace

Status validate(const RuleParams& p) {
    if (!(p.lr > 0.0) || !std::isfinite(p.lr)) return Error{"lr", "must be > 0 " + got(p.lr)};
    if (auto s = in_unit("momentum", p.momentum); !s) return s;
    if (!(p.weight_decay >= 0.0) || !std::isfinite(p.weight_decay))
        return Error{"weight-decay", "must be >= 0 " + got(p.weight_decay)};
    if (auto s = in_unit("alpha", p.alpha); !s) return s;
    if (!(p.opt_eps >= 0.0) || !std::isfinite(p.opt_eps))
        return Error{"opt-eps", "must be >= 0 " + got(p.opt_eps)};
    if (auto s = in_unit("betas", p.beta1); !s) return s;
    if (auto s = in_unit("betas", p.beta2); !s) return s;
    if (p.nesterov && p.rule == Rule::Sgd && p.momentum <= 0.0)
        return Error{"nesterov", "needs momentum > 0 (as in torch.optim.SGD)"};
    return {};
}

double model_momentum(const RuleParams& p) {
    return (p.rule == Rule::Sgd || p.rule == Rule::RmsProp) ? p.momentum : 0.0;
}
double implicit_mass(const RuleParams& p) {
    return 0.5 * p.lr * (1.0 + model_momentum(p));
}
double damping(const RuleParams& p) {
    return 1.0 - model_momentum(p);
}

OptimizerState make_state(const RuleParams& p, VecRef q0, const Vector* v0) {
    OptimizerState s;
    const auto n = q0.size();
    s.q = q0;
    s.grad = Vector::Zero(n);
    s.loss_grad = Vector::Zero(n);
    s.buf = Vector::Zero(n);
    s.sq = Vector::Zero(n);
    s.avg = Vector::Zero(n);
    s.work = Vector::Zero(n);
    s.norm0 = q0.norm();
    if (v0 && v0->size() == n) {
        s.buf = *v0;
        s.has_kick = true;
    }
    (void)p;
    return s;
}

void step(const Loss& loss, const RuleParams& p, OptimizerState& s) {
    const double lr = p.lr, k = p.weight_decay;
    Vector& g = s.grad;
    loss.gradient(s.q, s.loss_grad);
    g = s.loss_grad;
    switch (p.rule) {
        case Rule::Sgd: {
            if (k != 0.0) g += k * s.q;  // grad.add(param, alpha=weight_decay)
            const double beta = p.momentum;
            if (beta != 0.0) {
                // First step: buf = grad (PyTorch), or beta v0 + grad with a kick.
                if (s.step == 0 && !s.has_kick) {
                    s.buf = g;
                } else {
                    s.buf = beta * s.buf + g;  // buf.mul_(momentum).add_(grad)
                }
                if (p.nesterov) {
                    s.work = g + beta * s.buf;  // grad.add(buf, alpha=momentum)
                    s.q += (-lr) * s.work;
                } else {
                    s.q += (-lr) * s.buf;
                }
            } else {
                s.q += (-lr) * g;
            }
            break;
        }
        case Rule::RmsProp: {
            if (k != 0.0) g += k * s.q;
            const double a = p.alpha;
            // square_avg.mul_(alpha).addcmul_(grad, grad, value=1-alpha)
            s.sq = a * s.sq + ((1.0 - a) * g).cwiseProduct(g);  // (value*t1)*t2 as ATen
            if (p.centered) {
                s.avg = a * s.avg + (1.0 - a) * g;
                s.work = (s.sq - s.avg.cwiseProduct(s.avg)).cwiseSqrt().array() + p.opt_eps;
            } else {
                s.work = s.sq.cwiseSqrt().array() + p.opt_eps;
            }
            if (p.momentum > 0.0) {
                // buf.mul_(momentum).addcdiv_(grad, avg); param.add_(buf, alpha=-lr)
                s.buf = p.momentum * s.buf + g.cwiseQuotient(s.work);  // (1*t1)/t2
                s.q += (-lr) * s.buf;
            } else {
                s.q += ((-lr) * g).cwiseQuotient(s.work);  // (value*t1)/t2 as ATen
            }
            break;
        }
        case Rule::RmsPropNorm: {
            if (k != 0.0) g += k * s.q;
            s.G = p.alpha * s.G + (1.0 - p.alpha) * g.squaredNorm();
            s.q += (-lr / (std::sqrt(s.G) + p.opt_eps)) * g;
            break;
        }
        case Rule::Adam:
        case Rule::AdamW: {
            if (p.rule == Rule::AdamW) {
                s.q *= 1.0 - lr * k;  // param.mul_(1 - lr * weight_decay)
            } else if (k != 0.0) {
                g += k * s.q;
            }
            const double b1 = p.beta1, b2 = p.beta2;
            const double t = static_cast<double>(s.step + 1);
            s.avg = b1 * s.avg + (1.0 - b1) * g;                  // exp_avg
            s.sq = b2 * s.sq + ((1.0 - b2) * g).cwiseProduct(g);  // exp_avg_sq
            const double bc1 = 1.0 - std::pow(b1, t);
            const double bc2 = 1.0 - std::pow(b2, t);
            const double step_size = lr / bc1;
            const double bc2_sqrt = std::sqrt(bc2);
            // denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
            s.work = (s.sq.cwiseSqrt() / bc2_sqrt).array() + p.opt_eps;
            // param.addcdiv_(exp_avg, denom, value=-step_size)
            s.q += ((-step_size) * s.avg).cwiseQuotient(s.work);
            break;
        }
    }
    if (p.constrain_norm) {
        const double r = s.q.norm();
        if (r > 0.0) s.q *= s.norm0 / r;
    }
    ++s.step;
}

}  // namespace noether

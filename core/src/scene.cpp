#include "noether/scene.hpp"

#include <cmath>

#include "noether/loss.hpp"

namespace noether {

namespace {

// Row 0 of every run holds f(q0), grad f(q0), |grad f(q0)| and |q0|^2: all must be finite.
bool finite_start(const Loss& loss, const Vector& q0) {
    const Vector g = loss.gradient(q0);
    return std::isfinite(loss.value(q0)) && g.allFinite() && std::isfinite(g.norm()) &&
           std::isfinite(q0.squaredNorm());
}

}  // namespace

double divergence_r2() {
    static const double r2 = [] {
        double x = kDivergenceNorm * kDivergenceNorm;
        while (std::sqrt(x) > kDivergenceNorm)
            x = std::nextafter(x, 0.0);
        while (std::sqrt(std::nextafter(x, INFINITY)) <= kDivergenceNorm)
            x = std::nextafter(x, INFINITY);
        return x;
    }();
    return r2;
}

const char* to_string(Model m) {
    switch (m) {
        case Model::Discrete:
            return "discrete";
        case Model::Ode:
            return "ode";
        case Model::OdeRest:
            return "ode-rest";
        case Model::Flow:
            return "flow";
        case Model::ModifiedFlow:
            return "modified-flow";
    }
    return "discrete";
}

std::optional<Model> parse_model(const std::string& name) {
    for (Model m : kAllModels)
        if (name == to_string(m)) return m;
    return std::nullopt;
}

bool shows(const Scene& s, Model m) {
    switch (m) {
        case Model::Discrete:
            return s.show_discrete;
        case Model::Ode:
            return s.show_ode;
        case Model::OdeRest:
            return s.show_ode_rest;
        case Model::Flow:
            return s.show_flow;
        case Model::ModifiedFlow:
            return s.show_modified_flow;
    }
    return false;
}

void set_shown(Scene& s, Model m, bool on) {
    switch (m) {
        case Model::Discrete:
            s.show_discrete = on;
            break;
        case Model::Ode:
            s.show_ode = on;
            break;
        case Model::OdeRest:
            s.show_ode_rest = on;
            break;
        case Model::Flow:
            s.show_flow = on;
            break;
        case Model::ModifiedFlow:
            s.show_modified_flow = on;
            break;
    }
}

std::string model_unavailable(const RuleParams& p, Model m) {
    if (m == Model::Discrete) return {};
    const bool sgd = p.rule == Rule::Sgd;
    if (p.constrain_norm && !(sgd && !p.nesterov))
        return std::string("no continuous model of the constrained norm with ") +
               (sgd ? "Nesterov momentum" : to_string(p.rule)) +
               " (the projected flow is a model of heavy-ball SGD only)";
    if (m == Model::ModifiedFlow && !(sgd && !p.nesterov && !p.constrain_norm))
        return std::string(
                   "the modified gradient flow (§6.2) is derived for heavy-ball SGD, not ") +
               (sgd ? (p.nesterov ? "Nesterov momentum" : "the constrained norm")
                    : to_string(p.rule));
    return {};
}

std::string model_equation(const RuleParams& p, Model m) {
    const bool sgd = p.rule == Rule::Sgd;
    const bool second = m == Model::Ode || m == Model::OdeRest;
    const std::string start = m == Model::Ode ? ", matched start" : ", from the rule's own start";
    if (m == Model::Discrete) return std::string("the rule itself: ") + to_string(p.rule);
    if (!model_unavailable(p, m).empty()) return "none";
    if (m == Model::ModifiedFlow) return "μq′ = −(g + (m/μ²) H g), g = ∇f + kq (§6.2)";
    if (sgd && p.constrain_norm)
        return second ? "m q″ + μ q′ + P⊥∇f + m(|q′|²/|q|²) q = 0 on the sphere" + start
                      : "μ q′ = −P⊥∇f (projected gradient flow)";
    if (sgd && p.nesterov)
        return second ? "m q″ + (μ + ηβH) q′ + g = 0 (Nesterov)" + start : "μ q′ = −g";
    if (sgd) return second ? "m q″ + μ q′ + g = 0" + start : "μ q′ = −g";
    std::string dir, aux;
    switch (p.rule) {
        case Rule::RmsProp:
            dir = p.centered ? "g/(√(s − a²) + ε)" : "g/(√s + ε)";
            aux = p.centered ? ", s′ = ((1−α)/η)(g² − s), a′ = ((1−α)/η)(g − a)"
                             : ", s′ = ((1−α)/η)(g² − s)";
            break;
        case Rule::RmsPropNorm:
            dir = "g/(√G + ε)";
            aux = ", G′ = ((1−α)/η)(|g|² − G)";
            break;
        case Rule::Adam:
        case Rule::AdamW:
            dir = p.rule == Rule::AdamW ? "m̂/(√v̂ + ε) + kq" : "m̂/(√v̂ + ε)";
            aux = ", m̂′ = c₁(t)(g − m̂), v̂′ = c₂(t)(g² − v̂), cᵢ = (1−βᵢ)/(η(1−βᵢ^{t/η+2}))";
            break;
        case Rule::Sgd:
            break;
    }
    return (second ? "m q″ + μ q′ + " + dir + " = 0" + start : "q′ = −" + dir) + aux;
}

std::vector<std::string> warnings(const Scene& scene) {
    std::vector<std::string> w;
    if (scene.v0 && model_momentum(scene.rule) == 0.0 && scene.v0->norm() > 0.0)
        w.push_back(std::string("v0: ignored: with momentum 0, ") + to_string(scene.rule.rule) +
                    " has no velocity buffer for the kick to start");
    return w;
}

bool Scene::operator==(const Scene& o) const {
    const auto same = [](const Vector& a, const Vector& b) {
        return a.size() == b.size() && (a.size() == 0 || a == b);
    };
    if (v0.has_value() != o.v0.has_value()) return false;
    if (v0 && !same(*v0, *o.v0)) return false;
    return loss == o.loss && rule == o.rule && same(q0, o.q0) && steps == o.steps &&
           show_discrete == o.show_discrete && show_ode == o.show_ode &&
           show_ode_rest == o.show_ode_rest && show_flow == o.show_flow &&
           show_modified_flow == o.show_modified_flow && ode_rtol == o.ode_rtol;
}

Status validate(const Scene& scene, const Loss& loss) {
    if (auto s = validate(scene.rule); !s) return s;
    const auto n = loss.dim();
    if (scene.q0.size() != n)
        return Error{"q0", "needs " + std::to_string(n) + " numbers for loss " + loss.name() +
                               " (got " + std::to_string(scene.q0.size()) + ")"};
    if (!scene.q0.allFinite()) return Error{"q0", "must be finite"};
    if (scene.v0) {
        if (scene.v0->size() != n)
            return Error{"v0", "needs " + std::to_string(n) + " numbers (got " +
                                   std::to_string(scene.v0->size()) + ")"};
        if (!scene.v0->allFinite()) return Error{"v0", "must be finite"};
        const Rule r = scene.rule.rule;
        if (r != Rule::Sgd && r != Rule::RmsProp)
            return Error{"v0",
                         std::string("a kick needs a momentum buffer (sgd or rmsprop), not ") +
                             to_string(r)};
    }
    if (scene.steps < 1 || scene.steps > kMaxSteps)
        return Error{"steps", "must be between 1 and " + std::to_string(kMaxSteps) + " (got " +
                                  std::to_string(scene.steps) + ")"};
    bool any = false;
    for (Model m : kAllModels) {
        if (!shows(scene, m)) continue;
        any = true;
        if (auto why = model_unavailable(scene.rule, m); !why.empty())
            return Error{"model", std::string(to_string(m)) + ": " + why};
    }
    if (!any) return Error{"model", "select at least one model"};
    if (!(scene.ode_rtol >= 1e-14 && scene.ode_rtol <= 1e-3))
        return Error{"ode_rtol", "must be in [1e-14, 1e-3]"};
    if (!finite_start(loss, scene.q0)) {
        // Name the parameter that does it: eps, when the same start is finite without it.
        if (scene.loss.eps != 0.0) {
            LossSpec plain = scene.loss;
            plain.eps = 0.0;
            if (auto l = make_loss(plain); l && finite_start(**l, scene.q0))
                return Error{"eps",
                             "makes the loss or its gradient non-finite at the start point (got " +
                                 format_double(scene.loss.eps) + ")"};
        }
        return Error{"q0", "the loss or its gradient is not finite at the start point"};
    }
    return {};
}

}  // namespace noether

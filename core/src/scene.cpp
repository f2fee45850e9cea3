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
    }
    return "discrete";
}

std::optional<Model> parse_model(const std::string& name) {
    for (Model m : {Model::Discrete, Model::Ode, Model::OdeRest, Model::Flow})
        if (name == to_string(m)) return m;
    return std::nullopt;
}

bool Scene::operator==(const Scene& o) const {
    const auto same = [](const Vector& a, const Vector& b) {
        return a.size() == b.size() && (a.size() == 0 || a == b);
    };
    if (v0.has_value() != o.v0.has_value()) return false;
    if (v0 && !same(*v0, *o.v0)) return false;
    return loss == o.loss && rule == o.rule && same(q0, o.q0) && steps == o.steps &&
           show_discrete == o.show_discrete && show_ode == o.show_ode &&
           show_ode_rest == o.show_ode_rest && show_flow == o.show_flow && ode_rtol == o.ode_rtol;
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
    if (!scene.show_discrete && !scene.show_ode && !scene.show_ode_rest && !scene.show_flow)
        return Error{"model", "select at least one model"};
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

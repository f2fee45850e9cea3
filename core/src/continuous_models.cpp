// The continuous models of the rules other than heavy-ball SGD, and the modified gradient flow
// (docs/PHYSICS.md, "Continuous models per rule"). Each is the O(eta) (first-order models) or
// O(eta^2) (second-order models) Taylor model of its own discrete rule, with time t = n eta:
//   Nesterov        m q'' + (mu + eta beta H) q' + g = 0, integrated as (q, P = m q' + eta beta g)
//   RMSprop         m q'' + mu q' + g/(sqrt(s) + eps) = 0,  s' = ((1-alpha)/eta)(g^2 - s)
//   RMSprop-norm    the same with one scalar G' = ((1-alpha)/eta)(|g|^2 - G)
//   Adam / AdamW    (eta/2) q'' + q' + mh/(sqrt(vh) + eps) (+ k q) = 0 with the bias-corrected
//                   averages mh' = c1(t)(g - mh), vh' = c2(t)(g^2 - vh)
//   constrained     m q'' + mu q' + P g + m(|q'|^2/|q|^2) q = 0 on the sphere |q| = |q0|
//   modified flow   mu q' = -(g + (m/mu^2) H g)  (Kunin et al. 2021; PHYSICS.md §6.2)
// Their first-order ("flow") forms drop m q''. The heavy-ball ODE and flow of SGD are in run.cpp.
#include "continuous_models.hpp"

#include <cmath>

#include "dopri5.hpp"
#include "noether/flow.hpp"
#include "run_internal.hpp"

namespace noether::detail {

namespace {

// The averages a rule keeps beside q, and their ODEs.
struct Averages {
    const RuleParams& p;
    Eigen::Index n;
    Eigen::Index size() const {
        switch (p.rule) {
            case Rule::RmsProp:
                return p.centered ? 2 * n : n;
            case Rule::RmsPropNorm:
                return 1;
            case Rule::Adam:
            case Rule::AdamW:
                return 2 * n;
            case Rule::Sgd:
                return 0;
        }
        return 0;
    }
    // The averages after the rule's first update, from g0 (the rule's gradient at q0).
    void start(const Vector& g0, VecOut a) const {
        const double r = p.alpha;
        switch (p.rule) {
            case Rule::RmsProp:
                a.head(n) = (1.0 - r) * g0.cwiseProduct(g0);
                if (p.centered) a.tail(n) = (1.0 - r) * g0;
                break;
            case Rule::RmsPropNorm:
                a[0] = (1.0 - r) * g0.squaredNorm();
                break;
            case Rule::Adam:
            case Rule::AdamW:
                a.head(n) = g0;
                a.tail(n) = g0.cwiseProduct(g0);
                break;
            case Rule::Sgd:
                break;
        }
    }
    // The direction of descent `dir` the rule steps along (q_{n+1} - q_n = -eta dir for the
    // rules without momentum) and the averages' derivatives, at time t.
    void eval(double t, const Vector& g, VecRef q, VecRef a, VecOut dir, VecOut da) const {
        const double eta = p.lr, rate = (1.0 - p.alpha) / eta;
        switch (p.rule) {
            case Rule::RmsProp: {
                const auto s = a.head(n);
                da.head(n) = rate * (g.cwiseProduct(g) - s);
                if (p.centered) {
                    const auto avg = a.tail(n);
                    da.tail(n) = rate * (g - avg);
                    const Vector var = (s - avg.cwiseProduct(avg)).cwiseMax(0.0);
                    dir = g.cwiseQuotient((var.cwiseSqrt().array() + p.opt_eps).matrix());
                } else {
                    dir =
                        g.cwiseQuotient((s.cwiseMax(0.0).cwiseSqrt().array() + p.opt_eps).matrix());
                }
                break;
            }
            case Rule::RmsPropNorm:
                da[0] = rate * (g.squaredNorm() - a[0]);
                dir = g / (std::sqrt(std::max(a[0], 0.0)) + p.opt_eps);
                break;
            case Rule::Adam:
            case Rule::AdamW: {
                // The bias-corrected averages: step j + 1 (the one leaving q_j, t = j eta) moves
                // them by (1 - beta)/(1 - beta^(j+1)) of the way to g.
                const double j1 = t / eta + 1.0;
                const double c1 = (1.0 - p.beta1) / (eta * -std::expm1(j1 * std::log(p.beta1)));
                const double c2 = (1.0 - p.beta2) / (eta * -std::expm1(j1 * std::log(p.beta2)));
                const auto mh = a.head(n), vh = a.tail(n);
                da.head(n) = c1 * (g - mh);  // beta = 0: c = 1/eta, mh follows g with lag eta
                da.tail(n) = c2 * (g.cwiseProduct(g) - vh);
                dir = mh.cwiseQuotient((vh.cwiseMax(0.0).cwiseSqrt().array() + p.opt_eps).matrix());
                if (p.rule == Rule::AdamW) dir += p.weight_decay * q;
                break;
            }
            case Rule::Sgd:
                dir = g;
                break;
        }
    }
};

}  // namespace

void run_rule_model(const Scene& sc, const Loss& loss, Model model, Trajectory& tr,
                    const std::atomic<bool>* cancel, std::atomic<long>* done) {
    const RuleParams& p = sc.rule;
    const double eta = p.lr, beta = model_momentum(p), k = p.weight_decay;
    const double m = implicit_mass(p), mu = damping(p);
    const long count = sc.steps + 1;
    const Eigen::Index n = loss.dim();
    const bool second = model == Model::Ode || model == Model::OdeRest;
    const bool sgd = p.rule == Rule::Sgd;
    const bool nesterov = sgd && p.nesterov && second;
    const bool sphere = sgd && p.constrain_norm;
    const bool modified = model == Model::ModifiedFlow;
    // The rule's gradient: k q is folded in except for AdamW's decoupled decay.
    const double kg = p.rule == Rule::AdamW ? 0.0 : k;
    const Averages avg{p, n};
    const Eigen::Index na = avg.size(), off = second ? 2 * n : n;
    reserve_samples(tr, loss, count, false);

    Vector grad(n), g(n), dir(n), xi(n), vel(n), q(n), work(n);
    Matrix H(n, n);
    // g = grad f(q) + kg q and the rule's direction at (t, y); q' into dq.
    auto field = [&](double t, const Vector& y, VecOut dq, VecOut dw, VecOut da) {
        const auto qy = y.head(n);
        loss.gradient(qy, grad);
        g = grad + kg * qy;
        if (na > 0)
            avg.eval(t, g, qy, y.segment(off, na), dir, da);
        else
            dir = g;
        if (sphere) dir -= (qy.dot(dir) / qy.squaredNorm()) * qy;  // the tangent part P g
        if (!second) {
            if (modified) {
                loss.hessian(qy, H);
                work.noalias() = H * g;
                work += k * g;  // (H_f + k I) g
                dq = -(g + (m / (mu * mu)) * work) / mu;
            } else {
                dq = -dir / mu;
            }
            return;
        }
        const auto w = y.segment(n, n);
        if (nesterov) {
            // w = P = m q' + eta beta g:  q' = (P - eta beta g)/m,  P' = -mu q' - g.
            dq = (w - eta * beta * g) / m;
            dw = -mu * dq - g;
        } else {
            dq = w;
            dw = (-mu * w - dir) / m;
            if (sphere) dw -= (w.squaredNorm() / qy.squaredNorm()) * qy;  // centripetal
        }
    };

    // The start: q0 (shifted for the modified flow), the velocity, the averages.
    const Vector* v0 = sc.v0 ? &*sc.v0 : nullptr;
    const Vector kick = v0 ? *v0 : Vector::Zero(n);
    Vector y0 = Vector::Zero(off + na);
    y0.head(n) = sc.q0;
    const Vector g0 = loss.gradient(sc.q0) + kg * sc.q0;
    if (na > 0) avg.start(g0, y0.segment(off, na));
    if (modified) y0.head(n) += (eta * beta / mu) * (g0 / mu - kick);
    if (second) {
        Vector dq0(n), dw0(n), da0(na);
        field(0.0, y0, dq0, dw0, da0);
        const Vector d0 = dir;  // the direction of descent at q0 (P g on the sphere)
        Vector u0(n);
        if (model == Model::Ode) {
            // Matched start (§2.6) for the direction d0: -(d0 + 2 beta v0')/(1 + beta); Nesterov
            // is heavy ball with the buffer v0' = g0 + beta v0 for a constant gradient.
            const Vector vb = nesterov ? Vector(g0 + beta * kick) : kick;
            u0 = -(d0 + 2.0 * beta * vb) / (1.0 + beta);
        } else {
            u0 = -kick;
        }
        if (sphere) u0 -= (sc.q0.dot(u0) / sc.q0.squaredNorm()) * sc.q0;
        y0.segment(n, n) = nesterov ? Vector(m * u0 + eta * beta * g0) : u0;
    }

    const size_t ng = loss.generators().size();
    const double max_r2 = divergence_r2();
    long kept = 0;
    ProgressCounter progress(done, sc.steps + 1);
    Vector dq(n), dw(n), da(na), yv(y0.size());
    auto sink = [&](long i, const auto& y) {
        q = y.head(n);
        if (diverged_point(q, max_r2)) {
            tr.diverged = true;
            tr.diverged_at = i;
            tr.message = divergence_message(i, q.norm());
            return false;
        }
        yv = y;
        field(static_cast<double>(i) * eta, yv, dq, dw, da);
        vel = dq;
        record_point(tr, loss, i, q, vel, grad);
        // The displayed charge: m <q', xi> for the second-order models, <q', xi> for the
        // first-order ones (as for gradient flow, where m -> 0). No budget: the four-term
        // budget of §1.1 is the heavy-ball equation's.
        for (size_t j = 0; j < ng; ++j) {
            const Generator& gen = loss.generators()[j];
            xi = gen.A * q + gen.b;
            tr.charges[j].J.push_back((second ? m : 1.0) * vel.dot(xi));
        }
        kept = i + 1;
        progress.samples(kept);
        return true;
    };
    auto rhs = [&](double t, const auto& y, auto& dy) {
        yv = y;
        field(t, yv, dy.head(n), second ? dy.segment(n, n) : dy.head(0), dy.segment(off, na));
    };
    IntegratorOptions opt;
    opt.rtol = sc.ode_rtol;
    opt.atol = sc.ode_rtol * 1e-2;
    opt.cancel = cancel;
    const IntegrationReport rep = dopri5<Eigen::Dynamic>(rhs, y0, eta, count, opt, sink);
    record_integrator_failure(tr, rep, sc, kept > 0 ? tr.q.col(kept - 1).norm() : sc.q0.norm());
    truncate(tr, kept);
}

}  // namespace noether::detail

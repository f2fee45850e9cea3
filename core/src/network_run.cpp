// simulate_network(): the discrete rules on (mini)batches and the continuous models on the full
// batch, with the charges of the architecture's sparse generators (docs/PHYSICS.md §8.4). The
// observables are those of run.cpp's run_discrete/run_continuous (§0.3, §2.1, §1.1) computed
// with sparse A (n can be thousands, with as many generators).
#include "noether/network_run.hpp"

#include <cmath>
#include <cstdio>
#include <numeric>

#include "continuous_models.hpp"
#include "noether/flow.hpp"
#include "noether/rule.hpp"
#include "run_internal.hpp"

namespace noether {
namespace {

using detail::divergence_message;
using detail::ProgressCounter;
using detail::record_integrator_failure;

// The linear hidden layers (their matrix charges).
std::vector<int> linear_layers(const Network& net) {
    std::vector<int> out;
    if (net.spec().activation != Activation::Linear) return out;
    for (int l = 1; l < net.layers(); ++l)
        if (!net.normalised(l)) out.push_back(l);
    return out;
}

Matrix matrix_charge(const Network& net, int l, VecRef q) {
    using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const auto& w = net.spec().widths;
    Eigen::Map<const RowMat> W(q.data() + net.w_offset(l), w[l], w[l - 1]);
    Eigen::Map<const RowMat> Wn(q.data() + net.w_offset(l + 1), w[l + 1], w[l]);
    Matrix C = W * W.transpose() - Wn.transpose() * Wn;
    if (net.b_offset(l) >= 0) {
        const auto b = q.segment(net.b_offset(l), w[l]);
        C += b * b.transpose();
    }
    return C;
}

// A generator restricted to its support (the rows where A or b is nonzero): ξ and every charge
// term cost O(nnz) instead of O(n), which keeps a step O(n) with one generator per neuron.
struct SupportGenerator {
    std::vector<int> rows, start, cols;
    std::vector<double> vals, b;
    explicit SupportGenerator(const NetworkGenerator& g) {
        for (int r = 0; r < g.A.outerSize(); ++r) {
            const bool has_a = g.A.outerIndexPtr()[r + 1] > g.A.outerIndexPtr()[r];
            if (!has_a && g.b[r] == 0.0) continue;
            rows.push_back(r);
            start.push_back(static_cast<int>(cols.size()));
            for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator it(g.A, r); it; ++it) {
                cols.push_back(static_cast<int>(it.col()));
                vals.push_back(it.value());
            }
            b.push_back(g.b[r]);
        }
        start.push_back(static_cast<int>(cols.size()));
    }
    // (A x)_r for the k-th support row.
    double Ax(size_t k, const Vector& x) const {
        double s = 0.0;
        for (int e = start[k]; e < start[k + 1]; ++e)
            s += vals[e] * x[cols[e]];
        return s;
    }
    // ⟨y, ξ(q)⟩.
    double dot_xi(const Vector& y, const Vector& q) const {
        double s = 0.0;
        for (size_t k = 0; k < rows.size(); ++k)
            s += y[rows[k]] * (Ax(k, q) + b[k]);
        return s;
    }
    // ⟨x, A x⟩.
    double quad(const Vector& x) const {
        double s = 0.0;
        for (size_t k = 0; k < rows.size(); ++k)
            s += x[rows[k]] * Ax(k, x);
        return s;
    }
};

// Everything recorded per sample, beside the Trajectory's own arrays.
struct Recorder {
    const NetworkRun& nr;
    Trajectory& tr;
    std::vector<NamedSeries>& Q;
    std::vector<MatrixChargeSeries>& mc;
    std::vector<int> sym, lin;
    std::vector<SupportGenerator> sg;
    Recorder(const NetworkRun& r, Trajectory& t, std::vector<NamedSeries>& q,
             std::vector<MatrixChargeSeries>& m, long count, bool budget)
        : nr(r), tr(t), Q(q), mc(m) {
        const auto n = r.net->dim();
        tr.q.resize(n, count);
        tr.v.resize(n, count);
        for (const auto& g : r.generators) {
            ChargeSeries c;
            c.generator = g.name;
            c.J.reserve(count);
            if (budget)
                for (auto* v : {&c.damping, &c.kinetic, &c.weight_decay, &c.explicit_breaking})
                    v->reserve(count);
            tr.charges.push_back(std::move(c));
        }
        for (const auto& g : r.generators)
            sg.emplace_back(g);
        for (size_t k = 0; k < r.generators.size(); ++k)
            if (r.generators[k].symmetric) {
                sym.push_back(static_cast<int>(k));
                Q.push_back(NamedSeries{"Q_" + r.generators[k].name,
                                        "⟨q, A q⟩ (quadratic charge, §8.3)",
                                        {},
                                        Validity::Exact,
                                        "measured on the run"});
                Q.back().values.reserve(count);
            }
        lin = linear_layers(*r.net);
        for (int l : lin)
            mc.push_back(MatrixChargeSeries{l, {}});
    }
    void point(long i, const Vector& q, VecRef v, double f, double gnorm) {
        tr.q.col(i) = q;
        tr.v.col(i) = v;
        tr.loss.push_back(f);
        tr.grad_norm.push_back(gnorm);
        tr.r2.push_back(q.squaredNorm());
        for (size_t s = 0; s < sym.size(); ++s)
            Q[s].values.push_back(sg[sym[s]].quad(q));
        for (size_t k = 0; k < lin.size(); ++k)
            mc[k].C.push_back(matrix_charge(*nr.net, lin[k], q));
    }
    void truncate(long count) {
        const auto n = tr.q.rows();
        tr.q.conservativeResize(n, count);
        tr.v.conservativeResize(n, count);
        tr.loss.resize(count);
        tr.grad_norm.resize(count);
        tr.r2.resize(count);
        for (auto& c : tr.charges) {
            c.J.resize(std::min<size_t>(c.J.size(), count));
            for (auto* v : {&c.damping, &c.kinetic, &c.weight_decay, &c.explicit_breaking})
                if (!v->empty()) v->resize(std::min<size_t>(v->size(), count));
        }
        for (auto& s : Q)
            s.values.resize(std::min<size_t>(s.values.size(), count));
        for (auto& m : mc)
            m.C.resize(std::min<size_t>(m.C.size(), count));
    }
};

// The discrete rule on the batches: samples q_0..q_N plus one extra step (run.cpp's
// run_discrete with sparse generators and a batch per step).
void run_discrete(NetworkRun& nr, NetworkLoss& loss, Trajectory& tr, std::vector<NamedSeries>& Q,
                  std::vector<MatrixChargeSeries>& mc, const RunControl& control) {
    const Scene& sc = nr.run->scene;
    const RuleParams& p = sc.rule;
    const double eta = p.lr, beta = model_momentum(p), k = p.weight_decay;
    const double c = 0.5 * (1.0 + beta);
    const bool budget = p.rule == Rule::Sgd && !p.nesterov && !p.constrain_norm;
    const long count = sc.steps + 1;
    const auto n = loss.dim();
    const bool full = nr.scene.batch == 0 || nr.scene.batch == nr.data->size();
    Recorder rec(nr, tr, Q, mc, count, budget);
    const Vector* v0 = sc.v0 ? &*sc.v0 : nullptr;
    OptimizerState st = make_state(p, sc.q0, v0);
    Vector q = sc.q0, qnext(n), d = Vector::Zero(n), vel(n), grad(n), gfull(n), step_vec(n);
    if (v0) d = -eta * *v0;
    const size_t ng = nr.generators.size();
    std::vector<double> jraw_prev(ng, 0.0);
    for (size_t g = 0; g < ng; ++g)
        jraw_prev[g] = v0 ? d.dot(nr.generators[g].xi(sc.q0 - d)) : 0.0;
    const double max_r2 = divergence_r2();
    nr.batch_loss.clear();
    long kept = 0;
    ProgressCounter progress(control.done, count);
    for (long i = 0; i < count; ++i) {
        if ((i & 63) == 0) {
            if (control.cancel && control.cancel->load(std::memory_order_relaxed)) break;
            progress.samples(i);
        }
        if (!full) loss.set_batch(nr.batches[i]);
        step(loss, p, st);
        qnext = st.q;
        grad = st.loss_grad;  // ∇f_B(q_i) of this step's batch
        const double fB = loss.last_value();
        const bool bad = diverged_point(qnext, max_r2);
        if (bad) {
            tr.diverged = true;
            tr.diverged_at = i + 1;
            tr.message = divergence_message(i + 1, qnext.norm());
            if (!qnext.allFinite()) break;
        }
        vel = (qnext - q) / eta;
        double f = fB;
        if (full) {
            gfull = grad;
        } else {
            f = nr.net->value_gradient(*nr.data, q, {}, gfull);
        }
        nr.batch_loss.push_back(fB);
        rec.point(i, q, vel, f, gfull.norm());
        step_vec = qnext - q;
        for (size_t g = 0; g < ng; ++g) {
            const SupportGenerator& gen = rec.sg[g];
            const double jraw = gen.dot_xi(step_vec, q);
            ChargeSeries& cs = tr.charges[g];
            cs.J.push_back(c * jraw);
            if (budget) {
                // §2.1 per batch: J_n = β J_{n−1} + β⟨d,Sd⟩ − ηk⟨q,ξ⟩ − η⟨∇f_B, ξ⟩.
                cs.damping.push_back((beta - 1.0) * jraw_prev[g] * c / eta);
                cs.kinetic.push_back(beta * gen.quad(d) * c / eta);
                cs.weight_decay.push_back(-k * gen.dot_xi(q, q) * c);
                cs.explicit_breaking.push_back(-gen.dot_xi(grad, q) * c);
            }
            jraw_prev[g] = jraw;
        }
        d = step_vec;
        q = qnext;
        kept = i + 1;
        if (bad) break;
    }
    rec.truncate(kept);
}

// The continuous models on the full batch (run.cpp's run_continuous with sparse generators).
void run_continuous(NetworkRun& nr, const NetworkLoss& loss, Model model, Trajectory& tr,
                    std::vector<NamedSeries>& Q, std::vector<MatrixChargeSeries>& mc,
                    const RunControl& control) {
    const Scene& sc = nr.run->scene;
    const RuleParams& p = sc.rule;
    const double eta = p.lr, beta = model_momentum(p), k = p.weight_decay;
    const double m = implicit_mass(p), mu = damping(p);
    const long count = sc.steps + 1;
    const auto n = loss.dim();
    const bool second_order = model != Model::Flow;
    Recorder rec(nr, tr, Q, mc, count, true);
    Vector gwork(n), grad(n), xi(n), vel(n), q(n);
    const Vector* v0 = sc.v0 ? &*sc.v0 : nullptr;
    const double max_r2 = divergence_r2();
    long kept = 0;
    ProgressCounter progress(control.done, count);
    auto sink = [&](long i, VecRef y) {
        q = y.head(n);
        if (diverged_point(q, max_r2)) {
            tr.diverged = true;
            tr.diverged_at = i;
            tr.message = divergence_message(i, q.norm());
            return false;
        }
        const double f = nr.net->value_gradient(*nr.data, q, {}, grad);
        if (second_order)
            vel = y.tail(n);
        else
            vel = -(grad + k * q) / mu;
        rec.point(i, q, vel, f, grad.norm());
        for (size_t g = 0; g < nr.generators.size(); ++g) {
            const NetworkGenerator& gen = nr.generators[g];
            xi = gen.A * q + gen.b;
            ChargeSeries& cs = tr.charges[g];
            const double lie = grad.dot(xi), qxi = q.dot(xi);
            if (second_order) {
                const double J = m * vel.dot(xi);
                cs.J.push_back(J);
                cs.damping.push_back(-(mu / m) * J);
                cs.kinetic.push_back(m * vel.dot(gen.A * vel));
                cs.weight_decay.push_back(-k * qxi);
                cs.explicit_breaking.push_back(-lie);
            } else {
                cs.J.push_back(vel.dot(xi));
                cs.damping.push_back(0.0);
                cs.kinetic.push_back(0.0);
                cs.weight_decay.push_back(-k * qxi / mu);
                cs.explicit_breaking.push_back(-lie / mu);
            }
        }
        kept = i + 1;
        progress.samples(kept);
        return true;
    };
    IntegratorOptions opt;
    opt.rtol = sc.ode_rtol;
    opt.atol = sc.ode_rtol * 1e-2;
    opt.cancel = control.cancel;
    IntegrationReport rep;
    if (second_order) {
        Vector y0(2 * n);
        y0.head(n) = sc.q0;
        if (model == Model::Ode)
            y0.tail(n) = matched_initial_velocity(loss, sc.q0, v0, beta, k);
        else
            y0.tail(n) = v0 ? Vector(-*v0) : Vector::Zero(n);
        auto rhs = [&loss, &gwork, n, m, mu, k](double, VecRef y, VecOut dy) {
            loss.gradient(y.head(n), gwork);
            dy.head(n) = y.tail(n);
            dy.tail(n) = (-mu * y.tail(n) - gwork - k * y.head(n)) / m;
        };
        rep = integrate_dopri5(rhs, y0, eta, count, opt, sink);
    } else {
        auto rhs = [&loss, &gwork, mu, k](double, VecRef y, VecOut dy) {
            loss.gradient(y, gwork);
            dy = -(gwork + k * y) / mu;
        };
        rep = integrate_dopri5(rhs, sc.q0, eta, count, opt, sink);
    }
    // An integrator that stops is not a divergence (run_internal.hpp says which it is).
    record_integrator_failure(tr, rep, sc, kept > 0 ? tr.q.col(kept - 1).norm() : sc.q0.norm());
    rec.truncate(kept);
}

}  // namespace

std::vector<std::vector<int>> make_batches(long N, long B, std::uint64_t seed, long steps) {
    std::vector<std::vector<int>> out;
    out.reserve(steps);
    if (B <= 0 || B >= N) {
        std::vector<int> all(N);
        std::iota(all.begin(), all.end(), 0);
        out.assign(steps, all);
        return out;
    }
    Xoshiro256 rng(seed);
    std::vector<int> perm(N);
    const long per_epoch = N / B;
    while (static_cast<long>(out.size()) < steps) {
        std::iota(perm.begin(), perm.end(), 0);
        for (long i = N - 1; i > 0; --i)
            std::swap(perm[i], perm[rng.below(static_cast<std::uint64_t>(i + 1))]);
        for (long b = 0; b < per_epoch && static_cast<long>(out.size()) < steps; ++b)
            out.emplace_back(perm.begin() + b * B, perm.begin() + (b + 1) * B);
    }
    return out;
}

std::vector<double> quadratic_charge(const NetworkGenerator& g, const Matrix& q) {
    std::vector<double> out(q.cols());
    for (Eigen::Index i = 0; i < q.cols(); ++i)
        out[i] = q.col(i).dot(g.A * q.col(i));
    return out;
}

Result<std::shared_ptr<const NetworkRun>> simulate_network(const NetworkScene& ns) {
    return simulate_network(ns, RunControl{});
}

Result<std::shared_ptr<const NetworkRun>> simulate_network(const NetworkScene& ns,
                                                           const RunControl& control) {
    if (auto s = validate(ns.net); !s) return s.error();
    auto data = make_dataset(ns.data, ns.net);
    if (!data) return data.error();
    auto nr = std::make_shared<NetworkRun>();
    nr->scene = ns;
    nr->net = std::make_shared<const Network>(ns.net);
    nr->data = std::make_shared<const Dataset>(std::move(data).value());
    const long N = nr->data->size();
    if (ns.batch < 0 || ns.batch > N)
        return Error{"batch", "must be between 1 and the data size " + std::to_string(N) +
                                  " (got " + std::to_string(ns.batch) + ")"};
    const bool full = ns.batch == 0 || ns.batch == N;
    if (ns.net.batch_norm && !full && ns.batch < 2)
        return Error{"batch", "batch normalisation needs at least 2 points per batch"};
    if (!(ns.init_scale > 0.0) || !std::isfinite(ns.init_scale))
        return Error{"init-scale", "must be > 0"};
    Scene sc = ns.scene;
    sc.loss = LossSpec{};
    sc.loss.name = "network";
    sc.loss.eps = ns.net.bn_eps;
    sc.q0 = ns.q0 ? *ns.q0 : nr->net->init(ns.init_seed, ns.init_scale);
    if (!full && (sc.show_ode || sc.show_ode_rest || sc.show_flow || sc.show_modified_flow))
        return Error{"model", "the continuous models need the full batch (drop --batch)"};
    nr->generators = network_generators(*nr->net);
    auto loss = std::make_shared<NetworkLoss>(nr->net, nr->data, false);
    if (auto s = validate(sc, *loss); !s) return s.error();
    for (Model m : kAllModels)
        if (m != Model::Discrete && shows(sc, m) && !detail::heavy_ball_model(sc.rule, m))
            return Error{"model", std::string(to_string(m)) +
                                      ": the network engine integrates the heavy-ball SGD "
                                      "models only (ode, ode-rest, flow); for " +
                                      (sc.rule.constrain_norm ? std::string("the constrained norm")
                                       : sc.rule.nesterov     ? std::string("Nesterov momentum")
                                                          : std::string(to_string(sc.rule.rule))) +
                                      " use the discrete model"};
    nr->batches = make_batches(N, full ? N : ns.batch, ns.batch_seed, sc.steps + 1);
    auto run = std::make_shared<Run>();
    run->scene = sc;
    run->loss = loss;
    run->m = implicit_mass(sc.rule);
    run->mu = damping(sc.rule);
    run->t.resize(sc.steps + 1);
    for (long i = 0; i <= sc.steps; ++i)
        run->t[i] = static_cast<double>(i) * sc.rule.lr;
    nr->run = run;
    const std::pair<bool, Model> models[] = {{sc.show_discrete, Model::Discrete},
                                             {sc.show_ode, Model::Ode},
                                             {sc.show_ode_rest, Model::OdeRest},
                                             {sc.show_flow, Model::Flow}};
    for (const auto& [on, model] : models) {
        if (!on) continue;
        Trajectory tr;
        tr.model = model;
        nr->quadratic.emplace_back();
        nr->matrix_charges.emplace_back();
        if (model == Model::Discrete)
            run_discrete(*nr, *loss, tr, nr->quadratic.back(), nr->matrix_charges.back(), control);
        else
            run_continuous(*nr, *loss, model, tr, nr->quadratic.back(), nr->matrix_charges.back(),
                           control);
        run->trajectories.push_back(std::move(tr));
    }
    loss->set_batch({});
    if (control.cancel && control.cancel->load()) return Error{"", "cancelled"};
    return std::shared_ptr<const NetworkRun>(std::move(nr));
}

}  // namespace noether

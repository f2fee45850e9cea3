// simulate(): Scene -> Run. Discrete rule, implicit-acceleration ODE and gradient flow, their
// observables (PHYSICS.md §0.3), charge budgets (§1.1, §2.1) and closed-form laws (§1.2–§2.3).
#include "noether/run.hpp"

#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "continuous_models.hpp"
#include "dopri5.hpp"
#include "noether/flow.hpp"
#include "noether/rule.hpp"
#include "run_internal.hpp"

namespace noether {

const NamedSeries* Trajectory::prediction(const std::string& name) const {
    for (const auto& p : predictions)
        if (p.name == name) return &p;
    return nullptr;
}

const ChargeSeries* Trajectory::charge(const std::string& generator) const {
    for (const auto& c : charges)
        if (c.generator == generator) return &c;
    return nullptr;
}

const Trajectory* Run::find(Model model) const {
    for (const auto& t : trajectories)
        if (t.model == model) return &t;
    return nullptr;
}

bool Run::diverged() const {
    for (const auto& t : trajectories)
        if (t.diverged) return true;
    return false;
}

namespace {

using namespace detail;

// The discrete rule: samples q_0..q_N plus one extra step for the forward velocity at N.
// N is the dimension when it is known at compile time (2: every built-in 2-D loss), else
// Eigen::Dynamic: the same operations in the same order, so the same bits, at a fraction of the
// per-sample cost of dynamic-size expressions on 2-vectors.
template <int N>
void run_discrete(const Scene& sc, const Loss& loss, Trajectory& tr,
                  const std::atomic<bool>* cancel, std::atomic<long>* done) {
    using Vec = Eigen::Matrix<double, N, 1>;
    const RuleParams& p = sc.rule;
    const double eta = p.lr, beta = model_momentum(p), k = p.weight_decay;
    const double c = 0.5 * (1.0 + beta);
    const bool budget = p.rule == Rule::Sgd && !p.nesterov && !p.constrain_norm;
    const long count = sc.steps + 1;
    const auto n = loss.dim();
    reserve_samples(tr, loss, count, budget);

    const Vector* v0 = sc.v0 ? &*sc.v0 : nullptr;
    OptimizerState st = make_state(p, sc.q0, v0);
    Vec q = sc.q0, qnext = Vec::Zero(n), d = Vec::Zero(n), xi = Vec::Zero(n), vel = Vec::Zero(n),
        Sd = Vec::Zero(n), grad = Vec::Zero(n);
    // d_0 = -eta v0 and J_{-1} = <-eta v0, xi(q0 + eta v0)> (PHYSICS.md §0).
    if (v0) d = -eta * *v0;
    const size_t ng = loss.generators().size();
    const GeneratorKernels<N> gk(loss);
    const auto& A = gk.A;
    const auto& b = gk.b;
    const auto& S = gk.S;
    const double max_r2 = divergence_r2();
    std::vector<double> jraw_prev(ng, 0.0);
    for (size_t g = 0; g < ng; ++g) {
        const Generator& gen = loss.generators()[g];
        jraw_prev[g] = v0 ? d.dot(gen.xi(sc.q0 - Vector(d))) : 0.0;
    }
    long kept = 0;
    ProgressCounter progress(done, count);
    for (long i = 0; i < count; ++i) {
        if ((i & 4095) == 0) {
            if (cancel && cancel->load(std::memory_order_relaxed)) break;
            progress.samples(i);
        }
        step(loss, p, st);
        qnext = st.q;
        grad = st.loss_grad;  // grad f(q_i), from the step that leaves q_i
        // q_{i+1} is the first bad step; sample i (finite) is kept when its forward step is.
        const bool bad = diverged_point(qnext, max_r2);
        if (bad) {
            tr.diverged = true;
            tr.diverged_at = i + 1;
            tr.message = divergence_message(i + 1, qnext.norm());
            if (!qnext.allFinite()) break;
        }
        vel = (qnext - q) / eta;
        record_point(tr, loss, i, q, vel, grad);
        for (size_t g = 0; g < ng; ++g) {
            xi.noalias() = A[g].lazyProduct(q);  // coefficient-wise: no gemv kernel for 2x2
            xi += b[g];
            const double jraw = (qnext - q).dot(xi);
            ChargeSeries& cs = tr.charges[g];
            cs.J.push_back(c * jraw);
            if (budget) {
                // §2.1: J_n = beta J_{n-1} + beta<d,Sd> - eta k<q,xi> - eta L_xi f, in rate units.
                cs.damping.push_back((beta - 1.0) * jraw_prev[g] * c / eta);
                Sd.noalias() = S[g].lazyProduct(d);
                cs.kinetic.push_back(beta * d.dot(Sd) * c / eta);
                cs.weight_decay.push_back(-k * q.dot(xi) * c);
                cs.explicit_breaking.push_back(-grad.dot(xi) * c);
            }
            jraw_prev[g] = jraw;
        }
        d = qnext - q;
        q = qnext;
        kept = i + 1;
        if (bad) break;
    }
    truncate(tr, kept);
}

// The continuous models on the sample grid (N as in run_discrete).
template <int N>
void run_continuous(const Scene& sc, const Loss& loss, Model model, Trajectory& tr,
                    const std::atomic<bool>* cancel, std::atomic<long>* done) {
    using Vec = Eigen::Matrix<double, N, 1>;
    const RuleParams& p = sc.rule;
    const double eta = p.lr, beta = model_momentum(p), k = p.weight_decay;
    const double m = implicit_mass(p), mu = damping(p);
    const long count = sc.steps + 1;
    const auto n = loss.dim();
    const bool second_order = model != Model::Flow;
    reserve_samples(tr, loss, count, true);

    Vec gwork = Vec::Zero(n), grad = Vec::Zero(n), xi = Vec::Zero(n), vel = Vec::Zero(n),
        Sv = Vec::Zero(n), q = Vec::Zero(n);
    const size_t ng = loss.generators().size();
    const GeneratorKernels<N> gk(loss);
    const auto& A = gk.A;
    const auto& b = gk.b;
    const auto& S = gk.S;
    const Vector* v0 = sc.v0 ? &*sc.v0 : nullptr;
    const double max_r2 = divergence_r2();
    long kept = 0;
    ProgressCounter progress(done, count);
    // Sample i of the state y (q, and q' for the second-order models).
    auto sink = [&](long i, const auto& y) {
        q = head_n<N>(y, n);
        if (diverged_point(q, max_r2)) {
            tr.diverged = true;
            tr.diverged_at = i;
            tr.message = divergence_message(i, q.norm());
            return false;
        }
        loss.gradient(q, grad);
        if (second_order)
            vel = tail_n<N>(y, n);
        else
            vel = -(grad + k * q) / mu;
        record_point(tr, loss, i, q, vel, grad);
        for (size_t g = 0; g < ng; ++g) {
            xi.noalias() = A[g].lazyProduct(q);  // coefficient-wise: no gemv kernel for 2x2
            xi += b[g];
            ChargeSeries& cs = tr.charges[g];
            const double lie = grad.dot(xi), qxi = q.dot(xi);
            if (second_order) {
                const double J = m * vel.dot(xi);
                cs.J.push_back(J);
                cs.damping.push_back(-(mu / m) * J);
                Sv.noalias() = S[g].lazyProduct(vel);
                cs.kinetic.push_back(m * vel.dot(Sv));
                cs.weight_decay.push_back(-k * qxi);
                cs.explicit_breaking.push_back(-lie);
            } else {
                // Gradient flow: J = m<q',xi> -> 0; show <q', xi> = -(k<q,xi> + L_xi f)/mu.
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
    opt.cancel = cancel;
    // The state: (q, q') for the second-order models, q for gradient flow; 4 and 2 coefficients
    // when N is 2.
    constexpr int S2 = N == Eigen::Dynamic ? Eigen::Dynamic : 2 * N;
    IntegrationReport rep;
    if (second_order) {
        Eigen::Matrix<double, S2, 1> y0 = Eigen::Matrix<double, S2, 1>::Zero(2 * n);
        y0.head(n) = sc.q0;
        if (model == Model::Ode)
            y0.tail(n) = matched_initial_velocity(loss, sc.q0, v0, beta, k);
        else
            y0.tail(n) = v0 ? Vector(-*v0) : Vector::Zero(n);
        auto rhs = [&loss, &gwork, n, m, mu, k](double, const auto& y, auto& dy) {
            loss.gradient(head_n<N>(y, n), gwork);
            head_n<N>(dy, n) = tail_n<N>(y, n);
            tail_n<N>(dy, n) = (-mu * tail_n<N>(y, n) - gwork - k * head_n<N>(y, n)) / m;
        };
        rep = detail::dopri5<S2>(rhs, y0, eta, count, opt, sink);
    } else {
        const Vec y0 = sc.q0;
        auto rhs = [&loss, &gwork, n, mu, k](double, const auto& y, auto& dy) {
            loss.gradient(y, gwork);
            head_n<N>(dy, n) = -(gwork + k * head_n<N>(y, n)) / mu;
        };
        rep = detail::dopri5<N>(rhs, y0, eta, count, opt, sink);
    }
    record_integrator_failure(tr, rep, sc, kept > 0 ? tr.q.col(kept - 1).norm() : sc.q0.norm());
    truncate(tr, kept);
}

// Threads kept for the models of long runs. Starting a thread per model (std::async) cost
// 0.7–2 ms on the 2-core VMs this runs on: in the app the second and third models of a slider
// change began that long after the first (measured inside simulate()), which made the three
// models run one after the other. Kept threads wait on a condition variable and start within
// microseconds.
class ModelThreads {
  public:
    static ModelThreads& instance() {
        static ModelThreads pool(std::max(2u, std::thread::hardware_concurrency()));
        return pool;
    }
    std::future<void> submit(std::function<void()> job) {
        std::packaged_task<void()> task(std::move(job));
        std::future<void> done = task.get_future();
        {
            std::lock_guard lock(mutex_);
            queue_.push_back(std::move(task));
        }
        cv_.notify_one();
        return done;
    }
    ~ModelThreads() {
        {
            std::lock_guard lock(mutex_);
            quit_ = true;
        }
        cv_.notify_all();
        for (std::thread& t : threads_)
            t.join();
    }
    ModelThreads(const ModelThreads&) = delete;
    ModelThreads& operator=(const ModelThreads&) = delete;

  private:
    explicit ModelThreads(unsigned n) {
        for (unsigned i = 0; i < n; ++i)
            threads_.emplace_back([this] { work(); });
    }
    void work() {
        for (;;) {
            std::packaged_task<void()> task;
            {
                std::unique_lock lock(mutex_);
                cv_.wait(lock, [this] { return quit_ || !queue_.empty(); });
                if (queue_.empty()) return;  // quitting
                task = std::move(queue_.front());
                queue_.pop_front();
            }
            task();
        }
    }
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::packaged_task<void()>> queue_;
    std::vector<std::thread> threads_;
    bool quit_ = false;
};

}  // namespace

namespace detail {

Trajectory simulate_model(const Scene& scene, const Loss& loss, Model model, bool fixed_size,
                          const std::atomic<bool>* cancel, std::atomic<long>* done) {
    Trajectory tr;
    tr.model = model;
    const bool two = fixed_size && loss.dim() == 2;
    if (model == Model::Discrete) {
        if (two)
            run_discrete<2>(scene, loss, tr, cancel, done);
        else
            run_discrete<Eigen::Dynamic>(scene, loss, tr, cancel, done);
    } else if (!heavy_ball_model(scene.rule, model)) {
        run_rule_model(scene, loss, model, tr, cancel, done);
    } else {
        if (two)
            run_continuous<2>(scene, loss, model, tr, cancel, done);
        else
            run_continuous<Eigen::Dynamic>(scene, loss, model, tr, cancel, done);
    }
    add_predictions(scene, loss, tr);
    return tr;
}

}  // namespace detail

Trajectory simulate_model(const Scene& scene, const Loss& loss, Model model) {
    return detail::simulate_model(scene, loss, model, true);
}

Result<std::shared_ptr<const Run>> simulate(const Scene& scene, std::shared_ptr<const Loss> loss) {
    return simulate(scene, std::move(loss), nullptr);
}

Result<std::shared_ptr<const Run>> simulate(const Scene& scene, std::shared_ptr<const Loss> loss,
                                            const std::atomic<bool>* cancel) {
    return simulate(scene, std::move(loss), RunControl{cancel, nullptr});
}

long model_count(const Scene& scene) {
    long count = 0;
    for (Model model : kAllModels)
        count += shows(scene, model) ? 1 : 0;
    return count;
}

Result<std::shared_ptr<const Run>> simulate(const Scene& scene, std::shared_ptr<const Loss> loss,
                                            const RunControl& control) {
    const std::atomic<bool>* cancel = control.cancel;
    std::atomic<long>* done = control.done;
    if (auto s = validate(scene, *loss); !s) return s.error();
    auto run = std::make_shared<Run>();
    run->scene = scene;
    run->loss = loss;
    run->m = implicit_mass(scene.rule);
    run->mu = damping(scene.rule);
    run->t.resize(scene.steps + 1);
    for (long i = 0; i <= scene.steps; ++i)
        run->t[i] = static_cast<double>(i) * scene.rule.lr;
    std::vector<Model> selected;
    for (Model model : kAllModels)
        if (shows(scene, model)) selected.push_back(model);
    run->trajectories.resize(selected.size());
    // The models are independent: long runs simulate them concurrently (the first on this
    // thread, the others on kept threads), which is what makes a slider change of the app's
    // default scene fit in a frame. Each model's result is the same as alone, bit for bit,
    // whatever the thread count.
    constexpr long kParallelSamples = 2000;
    if (selected.size() > 1 && scene.steps >= kParallelSamples) {
        std::vector<std::future<void>> others;
        // The jobs use this frame (run, scene, selected): it is not left, even by an exception
        // of the model run here, before every job has finished (std::async's futures waited in
        // their destructors; packaged_task futures do not).
        struct WaitAll {
            std::vector<std::future<void>>& jobs;
            ~WaitAll() {
                for (auto& j : jobs)
                    if (j.valid()) j.wait();
            }
        } wait_all{others};
        for (size_t k = 1; k < selected.size(); ++k)
            others.push_back(
                ModelThreads::instance().submit([&run, &scene, &loss, &selected, k, cancel, done] {
                    run->trajectories[k] =
                        detail::simulate_model(scene, *loss, selected[k], true, cancel, done);
                }));
        run->trajectories[0] =
            detail::simulate_model(scene, *loss, selected[0], true, cancel, done);
        for (auto& f : others)
            f.get();
    } else {
        for (size_t k = 0; k < selected.size(); ++k)
            run->trajectories[k] =
                detail::simulate_model(scene, *loss, selected[k], true, cancel, done);
    }
    if (cancel && cancel->load()) return Error{"", "cancelled"};
    return std::shared_ptr<const Run>(std::move(run));
}

Result<std::shared_ptr<const Run>> simulate(const Scene& scene) {
    auto loss = make_loss(scene.loss);
    if (!loss) return loss.error();
    return simulate(scene, loss.value());
}

}  // namespace noether

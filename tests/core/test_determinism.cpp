// Divergence handling (ARCHITECTURE.md rule 4: "diverged at step N", nothing non-finite
// reaches a view) and determinism (rule 8: the same Scene gives bit-identical Runs, whatever
// the thread).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <thread>

#include "noether/run.hpp"
#include "test_support.hpp"

using namespace noether;
using namespace noether::testing;

namespace {

Scene unstable_quadratic(Rule rule, double lr, double momentum) {
    Scene sc;
    sc.loss.name = "quadratic";  // diag (1, 10): stable iff eta * 10 < 2 (1 + beta)
    sc.rule.rule = rule;
    sc.rule.lr = lr;
    sc.rule.momentum = momentum;
    sc.q0 = vec({1.0, 1.0});
    sc.steps = 500;
    return sc;
}

// First n >= 1 with |q_n| > kDivergenceNorm or q_n non-finite, by stepping the rule directly.
long first_bad_step(const Scene& sc) {
    auto loss = make(sc.loss.name, sc.loss.eps, sc.loss.params);
    OptimizerState s = make_state(sc.rule, sc.q0, sc.v0 ? &*sc.v0 : nullptr);
    for (long n = 1; n <= sc.steps + 1; ++n) {
        step(*loss, sc.rule, s);
        if (!s.q.allFinite() || s.q.norm() > kDivergenceNorm) return n;
    }
    return -1;
}

bool all_finite(const std::vector<double>& v) {
    for (double x : v)
        if (!std::isfinite(x)) return false;
    return true;
}

void expect_all_finite(const Trajectory& tr) {
    EXPECT_TRUE(tr.q.allFinite());
    EXPECT_TRUE(tr.v.allFinite());
    EXPECT_TRUE(all_finite(tr.loss) && all_finite(tr.grad_norm) && all_finite(tr.r2));
    for (const auto& c : tr.charges) {
        EXPECT_TRUE(all_finite(c.J) && all_finite(c.damping) && all_finite(c.kinetic) &&
                    all_finite(c.weight_decay) && all_finite(c.explicit_breaking));
        EXPECT_EQ(static_cast<long>(c.J.size()), tr.samples());
    }
    for (const auto& p : tr.predictions) {
        EXPECT_TRUE(all_finite(p.values)) << p.name;
        EXPECT_EQ(static_cast<long>(p.values.size()), tr.samples()) << p.name;
    }
    EXPECT_EQ(tr.q.cols(), tr.samples());
    EXPECT_EQ(tr.v.cols(), tr.samples());
}

// Raw bytes of a double array.
bool same_bytes(const double* a, const double* b, size_t n) {
    return std::memcmp(a, b, n * sizeof(double)) == 0;
}

void expect_bit_identical(const noether::Run& a, const noether::Run& b) {
    ASSERT_EQ(a.trajectories.size(), b.trajectories.size());
    ASSERT_EQ(a.t.size(), b.t.size());
    EXPECT_TRUE(same_bytes(a.t.data(), b.t.data(), a.t.size()));
    for (size_t m = 0; m < a.trajectories.size(); ++m) {
        const Trajectory& x = a.trajectories[m];
        const Trajectory& y = b.trajectories[m];
        SCOPED_TRACE(to_string(x.model));
        ASSERT_EQ(x.samples(), y.samples());
        ASSERT_EQ(x.q.size(), y.q.size());
        EXPECT_TRUE(same_bytes(x.q.data(), y.q.data(), static_cast<size_t>(x.q.size())));
        EXPECT_TRUE(same_bytes(x.v.data(), y.v.data(), static_cast<size_t>(x.v.size())));
        EXPECT_TRUE(same_bytes(x.loss.data(), y.loss.data(), x.loss.size()));
        EXPECT_TRUE(same_bytes(x.grad_norm.data(), y.grad_norm.data(), x.grad_norm.size()));
        EXPECT_TRUE(same_bytes(x.r2.data(), y.r2.data(), x.r2.size()));
        ASSERT_EQ(x.charges.size(), y.charges.size());
        for (size_t c = 0; c < x.charges.size(); ++c) {
            const ChargeSeries& p = x.charges[c];
            const ChargeSeries& r = y.charges[c];
            for (auto [u, v] : {std::pair{&p.J, &r.J},
                                {&p.damping, &r.damping},
                                {&p.kinetic, &r.kinetic},
                                {&p.weight_decay, &r.weight_decay},
                                {&p.explicit_breaking, &r.explicit_breaking}}) {
                ASSERT_EQ(u->size(), v->size());
                EXPECT_TRUE(same_bytes(u->data(), v->data(), u->size()));
            }
        }
        ASSERT_EQ(x.predictions.size(), y.predictions.size());
        for (size_t p = 0; p < x.predictions.size(); ++p) {
            EXPECT_EQ(x.predictions[p].name, y.predictions[p].name);
            EXPECT_TRUE(same_bytes(x.predictions[p].values.data(), y.predictions[p].values.data(),
                                   x.predictions[p].values.size()))
                << x.predictions[p].name;
        }
        EXPECT_EQ(x.diverged, y.diverged);
        EXPECT_EQ(x.message, y.message);
    }
}

}  // namespace

TEST(Divergence, TooLargeLearningRateStopsAtTheFirstBadStep) {
    // eta lambda_max = 2.5 > 2(1 + beta) for GD; with momentum 0.5: 10 eta = 3.5 > 3.
    for (auto [rule, lr, beta] :
         {std::tuple{Rule::Sgd, 0.25, 0.0}, {Rule::Sgd, 0.35, 0.5}, {Rule::Sgd, 1.0, 0.9}}) {
        SCOPED_TRACE(std::string(to_string(rule)) + " lr=" + std::to_string(lr));
        const Scene sc = unstable_quadratic(rule, lr, beta);
        const long N = first_bad_step(sc);
        ASSERT_GT(N, 1);
        ASSERT_LE(N, sc.steps);
        auto run = simulate(sc);
        ASSERT_TRUE(run.ok()) << "divergence is reported inside the Run, not as bad input";
        const Trajectory& tr = *(*run)->find(Model::Discrete);
        EXPECT_TRUE(tr.diverged);
        EXPECT_TRUE((*run)->diverged());
        EXPECT_EQ(tr.diverged_at, N);
        // Samples 0..N-1 are all finite: the last finite sample is kept.
        EXPECT_EQ(tr.samples(), N);
        expect_all_finite(tr);
        const std::string prefix = "diverged at step " + std::to_string(N) + " ";
        EXPECT_EQ(tr.message.rfind(prefix, 0), 0u) << tr.message;
        // The kept samples are the rule's iterates.
        auto loss = make("quadratic");
        OptimizerState s = make_state(sc.rule, sc.q0);
        for (long n = 0; n < tr.samples(); ++n) {
            ASSERT_EQ(tr.q.col(n), s.q) << n;
            step(*loss, sc.rule, s);
        }
    }
}

TEST(Divergence, StableRunsAreNotFlagged) {
    // Just inside the heavy-ball stability boundary eta lambda_max < 2(1 + beta).
    const Scene sc = unstable_quadratic(Rule::Sgd, 0.19, 0.0);
    auto run = simulate(sc);
    ASSERT_TRUE(run.ok());
    const Trajectory& tr = *(*run)->find(Model::Discrete);
    EXPECT_FALSE(tr.diverged);
    EXPECT_EQ(tr.diverged_at, -1);
    EXPECT_EQ(tr.samples(), sc.steps + 1);
    EXPECT_TRUE(tr.message.empty());
}

TEST(Divergence, NonFiniteIterateEndsTheRunWithFiniteSamples) {
    // scale_cos at eps = 0 with a kick through the origin: 0/0 gives NaN (not a bad input).
    Scene sc;
    sc.loss.name = "scale_cos";
    sc.q0 = vec({1.0, 0.0});
    sc.rule.lr = 1.0;
    sc.rule.momentum = 0.5;
    sc.v0 = vec({2.0, 0.0});  // q1 = q0 - lr (beta v0 + g) = (0, 0)
    sc.steps = 20;
    auto run = simulate(sc);
    ASSERT_TRUE(run.ok());
    const Trajectory& tr = *(*run)->find(Model::Discrete);
    EXPECT_TRUE(tr.diverged);
    EXPECT_GE(tr.diverged_at, 1);
    EXPECT_LE(tr.samples(), tr.diverged_at);
    expect_all_finite(tr);
    EXPECT_EQ(tr.message.rfind("diverged at step " + std::to_string(tr.diverged_at), 0), 0u)
        << tr.message;
}

TEST(Determinism, SameSceneGivesBitIdenticalRuns) {
    Scene sc;
    sc.loss.name = "rotation_hat";
    sc.loss.eps = 0.1;
    sc.q0 = vec({-0.2, 0.5});
    sc.v0 = vec({0.3, -0.5});
    sc.rule.lr = 0.02;
    sc.rule.momentum = 0.9;
    sc.rule.weight_decay = 0.01;
    sc.steps = 400;
    sc.show_ode = sc.show_ode_rest = sc.show_flow = true;
    auto a = simulate(sc);
    auto b = simulate(sc);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ((*a)->trajectories.size(), 4u);
    expect_bit_identical(**a, **b);
    // From two threads at once.
    std::shared_ptr<const noether::Run> c, d;
    std::thread t1([&] { c = simulate(sc).value(); });
    std::thread t2([&] { d = simulate(sc).value(); });
    t1.join();
    t2.join();
    expect_bit_identical(**a, *c);
    expect_bit_identical(**a, *d);
    // The comparison can fail: a one-ulp change of the start changes the bytes.
    Scene other = sc;
    other.q0[0] = std::nextafter(other.q0[0], 1.0);
    auto e = simulate(other);
    ASSERT_TRUE(e.ok());
    const Trajectory& x = (*a)->trajectories[0];
    const Trajectory& y = (*e)->trajectories[0];
    EXPECT_FALSE(same_bytes(x.q.data(), y.q.data(), static_cast<size_t>(x.q.size())));
}

TEST(Determinism, ScaleLossRunWithEveryModelIsBitIdentical) {
    Scene sc;
    sc.loss.name = "bn_logistic";
    sc.loss.eps = 1e-5;
    sc.q0 = vec({1, 0.5, -0.3, 0.2});
    sc.rule.lr = 0.05;
    sc.rule.momentum = 0.5;
    sc.rule.weight_decay = 0.01;
    sc.steps = 200;
    sc.show_ode = sc.show_flow = true;
    auto a = simulate(sc);
    auto b = simulate(sc);
    ASSERT_TRUE(a.ok() && b.ok());
    expect_bit_identical(**a, **b);
    for (const auto& tr : (*a)->trajectories)
        expect_all_finite(tr);
}

TEST(SceneValidation, BadScenesNameTheField) {
    auto base = [] {
        Scene sc;
        sc.loss.name = "rotation_hat";
        sc.q0 = vec({0.6, 0.5});
        sc.steps = 10;
        return sc;
    };
    struct Bad {
        Scene sc;
        std::string field;
    };
    std::vector<Bad> bad;
    Scene s = base();
    s.q0 = vec({1, 2, 3});
    bad.push_back({s, "q0"});
    s = base();
    s.q0 = vec({NAN, 0});
    bad.push_back({s, "q0"});
    s = base();
    s.v0 = vec({1});
    bad.push_back({s, "v0"});
    s = base();
    s.v0 = vec({1, 1});
    s.rule.rule = Rule::Adam;
    bad.push_back({s, "v0"});
    s = base();
    s.steps = 0;
    bad.push_back({s, "steps"});
    s = base();
    s.show_discrete = false;
    bad.push_back({s, "model"});
    s = base();
    s.rule.lr = -1;
    bad.push_back({s, "lr"});
    s = base();
    s.loss.name = "nope";
    bad.push_back({s, "loss"});
    for (const auto& b : bad) {
        auto r = simulate(b.sc);
        ASSERT_FALSE(r.ok()) << b.field;
        EXPECT_EQ(r.error().field, b.field) << r.error().what();
    }
    EXPECT_TRUE(simulate(base()).ok());
}

// simulate() runs the models of a long run concurrently; each must be bit-identical to the
// model simulated alone on this thread, in the order discrete, ODE, ODE from rest, flow.
TEST(Determinism, ConcurrentModelsOfALongRunAreBitIdenticalToEachModelAlone) {
    Scene sc;
    sc.loss.name = "rotation_hat";
    sc.rule.lr = 0.02;
    sc.rule.momentum = 0.9;
    sc.rule.weight_decay = 0.001;
    sc.q0 = vec({0.6, 0.5});
    sc.v0 = vec({0.3, -0.5});
    sc.steps = 4000;  // above the threshold for concurrent models
    sc.show_discrete = sc.show_ode = sc.show_ode_rest = sc.show_flow = true;
    auto run = simulate(sc);
    ASSERT_TRUE(run.ok());
    auto loss = make(sc.loss.name, sc.loss.eps, sc.loss.params);
    const Model order[] = {Model::Discrete, Model::Ode, Model::OdeRest, Model::Flow};
    ASSERT_EQ((*run)->trajectories.size(), 4u);
    for (size_t i = 0; i < 4; ++i) {
        const Trajectory alone = simulate_model(sc, *loss, order[i]);
        const Trajectory& a = (*run)->trajectories[i];
        EXPECT_EQ(a.model, order[i]);
        EXPECT_TRUE(a.q == alone.q);
        EXPECT_TRUE(a.v == alone.v);
        EXPECT_EQ(a.loss, alone.loss);
        ASSERT_EQ(a.charges.size(), alone.charges.size());
        for (size_t c = 0; c < a.charges.size(); ++c)
            EXPECT_EQ(a.charges[c].J, alone.charges[c].J);
    }
    EXPECT_TRUE((*run)->scene == sc);
}

// 2-D losses run through fixed-size kernels; every quantity of every model must be the same,
// bit for bit, as through the dynamic-size path that every other dimension takes.
TEST(Determinism, FixedSize2DKernelsGiveTheBitsOfTheDynamicPath) {
    struct Case {
        std::string loss;
        double eps, lr, beta, k;
        Vector q0;
        std::optional<Vector> v0;
        Rule rule;
    };
    const std::vector<Case> cases = {
        {"rotation_hat", 0.0, 0.02, 0.9, 0.001, vec({0.6, 0.5}), vec({0.3, -0.5}), Rule::Sgd},
        {"rotation_hat", 0.05, 0.05, 0.5, 0.0, vec({1.2, -0.1}), std::nullopt, Rule::Sgd},
        {"scale_cos", 0.0, 0.1, 0.9, 0.01, vec({-0.4, 0.9}), std::nullopt, Rule::Sgd},
        {"translation_valley", 0.1, 0.05, 0.8, 0.02, vec({0.5, -1.0}), vec({0.2, 0.1}), Rule::Sgd},
        {"rescale_2d", 0.01, 0.03, 0.7, 0.005, vec({1.5, 0.4}), std::nullopt, Rule::Sgd},
        {"quadratic", 0.0, 0.05, 0.9, 0.0, vec({1.0, 1.0}), std::nullopt, Rule::Adam},
        // Divergence: the kernels must stop at the same step with the same message.
        {"quadratic", 0.0, 0.5, 0.9, 0.0, vec({1.0, 1.0}), std::nullopt, Rule::Sgd},
    };
    for (const Case& c : cases) {
        Scene sc;
        sc.loss.name = c.loss;
        sc.loss.eps = c.eps;
        sc.rule.rule = c.rule;
        sc.rule.lr = c.lr;
        sc.rule.momentum = c.beta;
        sc.rule.weight_decay = c.k;
        sc.q0 = c.q0;
        sc.v0 = c.v0;
        sc.steps = 600;
        auto loss = make(sc.loss.name, sc.loss.eps, sc.loss.params);
        for (Model m : {Model::Discrete, Model::Ode, Model::OdeRest, Model::Flow}) {
            const Trajectory f = detail::simulate_model(sc, *loss, m, true);
            const Trajectory d = detail::simulate_model(sc, *loss, m, false);
            const std::string what = c.loss + " " + to_string(m);
            EXPECT_GT(f.samples(), 1) << what;
            EXPECT_TRUE(f.q == d.q) << what;
            EXPECT_TRUE(f.v == d.v) << what;
            EXPECT_EQ(f.loss, d.loss) << what;
            EXPECT_EQ(f.grad_norm, d.grad_norm) << what;
            EXPECT_EQ(f.r2, d.r2) << what;
            EXPECT_EQ(f.diverged, d.diverged) << what;
            EXPECT_EQ(f.diverged_at, d.diverged_at) << what;
            EXPECT_EQ(f.message, d.message) << what;
            if (c.lr == 0.5 && m == Model::Discrete) {
                EXPECT_TRUE(f.diverged) << what;
            }
            ASSERT_EQ(f.charges.size(), d.charges.size()) << what;
            for (size_t g = 0; g < f.charges.size(); ++g) {
                EXPECT_EQ(f.charges[g].J, d.charges[g].J) << what;
                EXPECT_EQ(f.charges[g].damping, d.charges[g].damping) << what;
                EXPECT_EQ(f.charges[g].kinetic, d.charges[g].kinetic) << what;
                EXPECT_EQ(f.charges[g].weight_decay, d.charges[g].weight_decay) << what;
                EXPECT_EQ(f.charges[g].explicit_breaking, d.charges[g].explicit_breaking) << what;
            }
            ASSERT_EQ(f.predictions.size(), d.predictions.size()) << what;
            for (size_t k = 0; k < f.predictions.size(); ++k)
                EXPECT_EQ(f.predictions[k].values, d.predictions[k].values) << what;
        }
    }
}

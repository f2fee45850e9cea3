// Network training (docs/PHYSICS.md §8.4): the exact discrete Noether identity (§2.1) and the
// quadratic-charge identity (§2.4) per minibatch step for every generator kind, the gradient-flow
// laws Q(t) = Q(0) e^{−2kt/μ} (matrix charges too; the antisymmetric GL(h) charges vanish), the
// epoch permutations, and an exactly symmetric start that stays symmetric bit for bit (§2.5).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "noether/network_run.hpp"

namespace noether {
namespace {

NetworkScene scene(std::vector<int> w, Activation a, Head h, bool bn, const std::string& data,
                   long batch) {
    NetworkScene ns;
    ns.net.widths = std::move(w);
    ns.net.activation = a;
    ns.net.head = h;
    ns.net.batch_norm = bn;
    ns.data.name = data;
    ns.data.n = 40;
    ns.data.seed = 2;
    ns.batch = batch;
    ns.batch_seed = 9;
    ns.init_seed = 4;
    ns.scene.rule.lr = 0.05;
    ns.scene.rule.momentum = 0.9;
    ns.scene.rule.weight_decay = 0.01;
    ns.scene.steps = 60;
    return ns;
}

std::shared_ptr<const NetworkRun> run(const NetworkScene& ns) {
    auto r = simulate_network(ns);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().what());
    return r.ok() ? *r : nullptr;
}

struct Case {
    std::string label;
    NetworkScene ns;
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << c.label;
}

std::vector<Case> cases() {
    return {
        {"relu_rescale", scene({2, 6, 1}, Activation::Relu, Head::Mse, false, "moons", 8)},
        {"linear_gl", scene({2, 3, 1}, Activation::Linear, Head::Mse, false, "moons", 8)},
        {"bn_scale_translation",
         scene({2, 4, 2}, Activation::Relu, Head::Softmax, true, "xor", 10)},
        {"softmax_translation",
         scene({2, 5, 3}, Activation::Tanh, Head::Softmax, false, "blobs", 5)},
        {"deep_relu_kick", scene({2, 4, 3, 1}, Activation::Relu, Head::Mse, false, "spirals", 4)},
    };
}

class NetworkIdentities : public ::testing::TestWithParam<Case> {};

// §2.1 per minibatch step: (J_n − J_{n−1})/η = damping + kinetic + weight decay + explicit, with
// the explicit term −⟨∇f_B, ξ⟩ ≈ 0 because each batch's loss has the symmetry. Normalised as in
// §2.1 (never by |J|).
TEST_P(NetworkIdentities, DiscreteNoetherIdentityHoldsPerMinibatchStep) {
    NetworkScene ns = GetParam().ns;
    if (GetParam().label == "deep_relu_kick") {
        Network net(ns.net);
        ns.scene.v0 = 0.1 * net.init(77, 1.0);
    }
    auto nr = run(ns);
    ASSERT_TRUE(nr);
    const Trajectory& tr = nr->run->trajectories[0];
    ASSERT_FALSE(tr.diverged);
    ASSERT_FALSE(nr->generators.empty());
    const double eta = ns.scene.rule.lr, beta = ns.scene.rule.momentum;
    const double k = ns.scene.rule.weight_decay, c = 0.5 * (1 + beta);
    std::set<SymmetryKind> kinds;
    double worst = 0, worst_lie = 0;
    for (size_t g = 0; g < nr->generators.size(); ++g) {
        const auto& gen = nr->generators[g];
        kinds.insert(gen.kind);
        const ChargeSeries& cs = tr.charges[g];
        ASSERT_EQ(cs.J.size(), static_cast<size_t>(tr.samples()));
        const double Anorm = gen.A.nonZeros() ? 1.0 : 0.0;  // |A| <= 1 for these generators
        for (long i = 1; i + 1 < tr.samples(); ++i) {
            const Vector q = tr.q.col(i), qp = tr.q.col(i - 1), qn = tr.q.col(i + 1);
            const double lhs = (cs.J[i] - cs.J[i - 1]) / eta;
            const double rhs =
                cs.damping[i] + cs.kinetic[i] + cs.weight_decay[i] + cs.explicit_breaking[i];
            const Vector xi = gen.xi(q), xip = gen.xi(qp);
            Vector gb(q.size());
            nr->net->value_gradient(*nr->data, q, nr->batches[i], gb);
            const double gB = gb.norm();
            const double scale = (qn.norm() + q.norm()) * xi.norm() +
                                 beta * (q.norm() + qp.norm()) * xip.norm() +
                                 beta * Anorm * (q - qp).squaredNorm() +
                                 eta * k * q.norm() * xi.norm() + eta * gB * xi.norm();
            worst = std::max(worst, std::abs(lhs - rhs) * eta / c / scale);
            worst_lie = std::max(worst_lie, std::abs(cs.explicit_breaking[i]) * eta / c / scale);
        }
    }
    EXPECT_LT(worst, 1e-13) << GetParam().label;
    EXPECT_LT(worst_lie, 1e-13) << GetParam().label;
    EXPECT_GE(kinds.size(), 1u);
}

// §2.4 per minibatch step, Φ_n = ⟨q_n, A q_n⟩ for the symmetric generators:
// Φ_{n+1} − (1+β)Φ_n + βΦ_{n−1} = ⟨d_{n+1},Ad_{n+1}⟩ + β⟨d_n,Ad_n⟩ − 2ηkΦ_n (− 2η⟨∇f_B, Aq⟩ = 0).
TEST_P(NetworkIdentities, QuadraticChargeIdentityHoldsPerMinibatchStep) {
    const NetworkScene& ns = GetParam().ns;
    auto nr = run(ns);
    ASSERT_TRUE(nr);
    const Trajectory& tr = nr->run->trajectories[0];
    const double eta = ns.scene.rule.lr, beta = ns.scene.rule.momentum;
    const double k = ns.scene.rule.weight_decay;
    size_t s = 0;
    double worst = 0;
    for (const auto& gen : nr->generators) {
        if (!gen.symmetric) continue;
        const auto& Q = nr->quadratic[0][s++].values;
        for (long i = 1; i + 1 < tr.samples(); ++i) {
            const Vector dn = tr.q.col(i + 1) - tr.q.col(i), d = tr.q.col(i) - tr.q.col(i - 1);
            const double lhs = Q[i + 1] - (1 + beta) * Q[i] + beta * Q[i - 1];
            const double rhs = dn.dot(gen.A * dn) + beta * d.dot(gen.A * d) - 2 * eta * k * Q[i];
            const double scale = tr.q.col(i + 1).squaredNorm() +
                                 (1 + beta) * tr.q.col(i).squaredNorm() +
                                 beta * tr.q.col(i - 1).squaredNorm() + dn.squaredNorm() +
                                 beta * d.squaredNorm() + 2 * eta * k * tr.r2[i];
            worst = std::max(worst, std::abs(lhs - rhs) / scale);
        }
    }
    EXPECT_EQ(s, nr->quadratic[0].size());
    EXPECT_LT(worst, 1e-13) << GetParam().label;
}

INSTANTIATE_TEST_SUITE_P(Kinds, NetworkIdentities, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.label; });

// Dropping the kinetic term breaks the identity by far more than 1e-13: the test can fail.
TEST(NetworkIdentities, DroppingTheKineticTermIsSeen) {
    auto nr = run(cases()[0].ns);
    ASSERT_TRUE(nr);
    const Trajectory& tr = nr->run->trajectories[0];
    const ChargeSeries& cs = tr.charges[0];
    const double eta = 0.05;
    double worst = 0, size = 0;
    for (long i = 1; i + 1 < tr.samples(); ++i) {
        const double lhs = (cs.J[i] - cs.J[i - 1]) / eta;
        worst = std::max(
            worst, std::abs(lhs - cs.damping[i] - cs.weight_decay[i] - cs.explicit_breaking[i]));
        size = std::max(size, std::abs(lhs));
    }
    EXPECT_GT(worst, 1e-6 * size);
}

// Gradient flow: every quadratic charge and every matrix charge decays as e^{−2kt/μ} (k = 0:
// conserved) to the integrator's accuracy, and the antisymmetric GL(h) charges vanish.
TEST(NetworkFlow, QuadraticAndMatrixChargesDecayAsExpMinus2kt) {
    for (double k : {0.0, 0.05}) {
        // Smooth losses only: a ReLU network's gradient jumps where a unit's input crosses 0 for
        // a data point, and the adaptive integrator stalls there (sliding on the kink).
        for (auto a : {Activation::Linear, Activation::Tanh}) {
            const bool bn = a == Activation::Tanh;  // normalised tanh units: scale charges |w|²
            NetworkScene ns = scene({2, 3, 1}, a, Head::Mse, bn, "moons", 0);
            ns.scene.rule.momentum = 0.0;
            ns.scene.rule.weight_decay = k;
            ns.scene.rule.lr = 0.05;
            ns.scene.steps = 100;
            ns.scene.show_discrete = false;
            ns.scene.show_flow = true;
            ns.scene.ode_rtol = 1e-12;
            auto nr = run(ns);
            ASSERT_TRUE(nr);
            const Trajectory& tr = nr->run->trajectories[0];
            ASSERT_EQ(tr.samples(), 101) << tr.message;
            ASSERT_GT(nr->quadratic[0].size(), 0u);
            double worst = 0;
            for (const auto& Q : nr->quadratic[0])
                for (long i = 0; i < tr.samples(); ++i) {
                    const double law = Q.values[0] * std::exp(-2 * k * nr->run->t[i]);
                    worst = std::max(worst, std::abs(Q.values[i] - law) / tr.r2[0]);
                }
            EXPECT_LT(worst, 1e-9) << to_string(a) << " k=" << k;
            if (a == Activation::Linear) {
                ASSERT_EQ(nr->matrix_charges[0].size(), 1u);
                const auto& C = nr->matrix_charges[0][0].C;
                double wm = 0;
                for (long i = 0; i < tr.samples(); ++i)
                    wm = std::max(wm, (C[i] - C[0] * std::exp(-2 * k * nr->run->t[i])).norm());
                EXPECT_LT(wm / tr.r2[0], 1e-9);
                // J of E_ij minus J of E_ji: ⟨q', (E_ij − E_ji) q⟩ = −k⟨q, skew q⟩/μ = 0.
                const auto J12 = tr.charge("gl_l1_1_2"), J21 = tr.charge("gl_l1_2_1");
                ASSERT_TRUE(J12 && J21);
                double wj = 0, size = 0;
                for (long i = 0; i < tr.samples(); ++i) {
                    wj = std::max(wj, std::abs(J12->J[i] - J21->J[i]));
                    size = std::max(size, std::abs(J12->J[i]));
                }
                EXPECT_LT(wj, 1e-9 * std::max(1.0, size));
            }
        }
    }
}

// Under the discrete rule with k = 0 the quadratic charges are NOT conserved (kinetic breaking):
// the flow test above would fail on discrete iterates.
TEST(NetworkFlow, DiscreteRuleBreaksTheConservationAtFiniteEta) {
    NetworkScene ns = scene({2, 3, 1}, Activation::Relu, Head::Mse, false, "moons", 0);
    ns.scene.rule.weight_decay = 0.0;
    ns.scene.rule.lr = 0.2;
    auto nr = run(ns);
    ASSERT_TRUE(nr);
    const auto& Q = nr->quadratic[0][0].values;
    EXPECT_GT(std::abs(Q.back() - Q.front()), 1e-6);
}

TEST(NetworkBatches, EveryEpochIsAPermutationCutIntoBatches) {
    const auto b = make_batches(10, 3, 5, 7);
    ASSERT_EQ(b.size(), 7u);
    for (const auto& x : b)
        EXPECT_EQ(x.size(), 3u);
    std::set<int> epoch;
    for (int i = 0; i < 3; ++i)
        epoch.insert(b[i].begin(), b[i].end());
    EXPECT_EQ(epoch.size(), 9u);
    EXPECT_EQ(make_batches(10, 3, 5, 7), b);
    EXPECT_NE(make_batches(10, 3, 6, 7), b);
    const auto full = make_batches(4, 4, 1, 2);
    EXPECT_EQ(full[1], (std::vector<int>{0, 1, 2, 3}));
}

TEST(NetworkRunInput, BadInputNamesTheField) {
    NetworkScene ns = scene({2, 3, 1}, Activation::Relu, Head::Mse, false, "moons", 41);
    EXPECT_EQ(simulate_network(ns).error().field, "batch");
    ns.batch = 4;
    ns.scene.show_flow = true;
    EXPECT_EQ(simulate_network(ns).error().field, "model");
    ns = scene({2, 3, 1}, Activation::Relu, Head::Mse, false, "moons", 0);
    ns.q0 = Vector::Zero(3);
    EXPECT_EQ(simulate_network(ns).error().field, "q0");
}

// Every rule runs on minibatches through rule.hpp's step(); its J is ((1+β)/2)⟨Δq, ξ⟩.
TEST(NetworkRules, EveryRuleTrainsOnMinibatches) {
    for (Rule r : {Rule::Sgd, Rule::RmsProp, Rule::RmsPropNorm, Rule::Adam, Rule::AdamW}) {
        NetworkScene ns = scene({2, 6, 1}, Activation::Relu, Head::Mse, false, "moons", 8);
        ns.scene.rule.rule = r;
        ns.scene.rule.lr = 0.01;
        ns.scene.rule.momentum = r == Rule::Sgd ? 0.9 : 0.0;
        auto nr = run(ns);
        ASSERT_TRUE(nr);
        const Trajectory& tr = nr->run->trajectories[0];
        EXPECT_FALSE(tr.diverged) << to_string(r);
        EXPECT_LT(tr.loss.back(), tr.loss.front()) << to_string(r);
        const double c = 0.5 * (1 + model_momentum(ns.scene.rule));
        const auto& g = nr->generators[0];
        for (long i = 0; i + 1 < tr.samples(); ++i)
            EXPECT_NEAR(tr.charges[0].J[i],
                        c * (tr.q.col(i + 1) - tr.q.col(i)).dot(g.xi(tr.q.col(i))), 1e-15);
    }
}

}  // namespace
}  // namespace noether

namespace noether {
namespace {

// RunControl on a network: every step counted, the same bits as unwatched, and a cancel stops
// the training with "cancelled".
TEST(NetworkRun, RunControlCountsEveryStepAndCancels) {
    NetworkScene ns = scene({2, 6, 1}, Activation::Relu, Head::Mse, false, "moons", 8);
    std::atomic<long> done{0};
    auto watched = simulate_network(ns, RunControl{nullptr, &done});
    auto plain = simulate_network(ns);
    ASSERT_TRUE(watched && plain);
    EXPECT_EQ(done.load(), ns.scene.steps + 1);
    EXPECT_EQ((*watched)->run->trajectories[0].q, (*plain)->run->trajectories[0].q);
    std::atomic<bool> cancel{true};
    auto stopped = simulate_network(ns, RunControl{&cancel, nullptr});
    ASSERT_FALSE(stopped);
    EXPECT_EQ(stopped.error().what(), "cancelled");
}

}  // namespace
}  // namespace noether

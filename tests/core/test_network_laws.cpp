// Minibatch noise + weight decay on normalised units (docs/PHYSICS.md §8.6) and mirror
// symmetries (§8.7, PHYSICS §2.5/H5): measured time averages against their predictions, a
// symmetric start that stays symmetric bit for bit, and the linear rate away from Fix(P).
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>

#include "noether/network_laws.hpp"

namespace noether {
namespace {

NetworkScene bn_scene(double beta, long steps) {
    NetworkScene ns;
    ns.net.widths = {2, 4, 2};
    ns.net.activation = Activation::Relu;
    ns.net.batch_norm = true;
    ns.net.head = Head::Softmax;
    ns.data.name = "xor";
    ns.data.n = 64;
    ns.data.noise = 0.2;
    ns.batch = 8;
    ns.scene.rule.lr = 0.1;
    ns.scene.rule.momentum = beta;
    ns.scene.rule.weight_decay = 0.01;
    ns.scene.steps = steps;
    return ns;
}

// ⟨|w|²⟩ = (1+β)⟨|Δw|²⟩/(2ηk) is the time average of the exact §2.4 identity (up to boundary
// terms of O(1/window)); the angular step per step follows; |w|⁴ ≈ η(1+β)⟨|ĝ_B|²⟩/(2k(1−β)²)
// is Eq. 17's overdamped closure, good to a few per cent at β = 0.
TEST(NetworkSteadyState, NoiseAndWeightDecayBalanceOnEveryNormalisedUnit) {
    for (double beta : {0.0, 0.9}) {
        auto r = simulate_network(bn_scene(beta, 6000));
        ASSERT_TRUE(r.ok()) << r.error().what();
        auto ss = scale_steady_states(**r, 2000);
        ASSERT_TRUE(ss.ok()) << ss.error().what();
        ASSERT_EQ(ss->size(), 4u);
        for (const auto& s : *ss) {
            SCOPED_TRACE(s.generator + " beta " + std::to_string(beta));
            EXPECT_NEAR(s.mean_r2_from_steps / s.mean_r2, 1.0, 1e-2);
            EXPECT_NEAR(s.angular_step / s.angular_step_predicted, 1.0, 1e-2);
            if (beta == 0.0) {
                EXPECT_NEAR(s.r4_predicted / s.mean_r4, 1.0, 0.05);
            } else {
                // β = 0.9: the overdamped closure overshoots many-fold (ζλ/r² ≫ 1, §6.1), as
                // minibatch noise averages out in the momentum buffer.
                EXPECT_GT(s.r4_predicted / s.mean_r4, 5.0);
            }

            // Far from the start: |w|² moved to the noise-set equilibrium.
            EXPECT_GT(std::abs(s.mean_r2 - s.r2.front()), 0.05 * s.r2.front());
        }
    }
}

TEST(NetworkSteadyState, NeedsWeightDecayAndANormalisedUnit) {
    NetworkScene ns = bn_scene(0.0, 10);
    ns.scene.rule.weight_decay = 0.0;
    EXPECT_EQ(scale_steady_states(**simulate_network(ns), 0).error().field, "weight-decay");
    ns = bn_scene(0.0, 10);
    ns.net.batch_norm = false;
    EXPECT_EQ(scale_steady_states(**simulate_network(ns), 0).error().field, "norm");
}

NetworkScene tanh_scene(long batch) {
    NetworkScene ns;
    ns.net.widths = {2, 4, 1};
    ns.net.activation = Activation::Tanh;
    ns.data.name = "moons";
    ns.data.n = 32;
    ns.batch = batch;
    ns.scene.rule.lr = 0.1;
    ns.scene.rule.momentum = 0.5;
    ns.scene.rule.weight_decay = 0.01;
    ns.scene.steps = 300;
    return ns;
}

// §2.5: P orthogonal, f∘P = f for every batch, Pq₀ = q₀ ⇒ Pq_n = q_n exactly.
TEST(NetworkMirror, ASymmetricStartStaysSymmetricBitForBit) {
    for (long batch : {0L, 8L}) {
        NetworkScene ns = tanh_scene(batch);
        const Network net(ns.net);
        Vector q0 = net.init(3, 1.0);
        const Mirror swap = swap_mirror(net, 1, 0, 2), sign = sign_mirror(net, 1, 3);
        q0 = 0.5 * (q0 + swap.apply(q0));  // on Fix(swap)
        q0 = 0.5 * (q0 + sign.apply(q0));  // and on Fix(sign): neuron 4 is zero
        ASSERT_EQ(swap.distance(q0), 0.0);
        ASSERT_EQ(sign.distance(q0), 0.0);
        ns.q0 = q0;
        auto r = simulate_network(ns);
        ASSERT_TRUE(r.ok());
        const Trajectory& tr = (*r)->run->trajectories[0];
        for (long i = 0; i < tr.samples(); ++i) {
            ASSERT_EQ(swap.distance(tr.q.col(i)), 0.0) << "batch " << batch << " sample " << i;
            ASSERT_EQ(sign.distance(tr.q.col(i)), 0.0) << "batch " << batch << " sample " << i;
        }
        EXPECT_LT(tr.loss.back(), tr.loss.front());
    }
}

// Near Fix(P) the distance grows or shrinks at the rate of heavy ball on the Hessian block of
// P's −1 eigenspace: a perturbation along the slowest-decaying mode, followed for 40 steps of
// GD, against the product of the predicted per-step factors along the symmetric trajectory.
TEST(NetworkMirror, DistanceToFixPFollowsThePredictedRate) {
    NetworkScene ns = tanh_scene(0);
    ns.scene.rule.momentum = 0.0;
    ns.scene.rule.lr = 0.2;
    ns.scene.steps = 40;
    const Network net(ns.net);
    DataSpec ds = ns.data;
    const Dataset data = *make_dataset(ds, ns.net);
    const Mirror P = swap_mirror(net, 1, 0, 1);
    Vector q0 = net.init(5, 1.0);
    q0 = 0.5 * (q0 + P.apply(q0));
    ns.q0 = q0;
    auto sym = simulate_network(ns);
    ASSERT_TRUE(sym.ok());
    const Trajectory& ts = (*sym)->run->trajectories[0];
    // The slowest-decaying −1 mode at q0: (e_a − e_b)/√2 combinations, via the Hessian block.
    std::vector<int> a, b;
    for (int i = 0; i < net.dim(); ++i)
        if (P.perm[i] > i) {
            a.push_back(i);
            b.push_back(P.perm[i]);
        }
    Matrix U = Matrix::Zero(net.dim(), static_cast<Eigen::Index>(a.size()));
    for (size_t c = 0; c < a.size(); ++c) {
        U(a[c], c) = 1 / std::sqrt(2.0);
        U(b[c], c) = -1 / std::sqrt(2.0);
    }
    const Matrix Hm = U.transpose() * net.hessian(data, q0, {}) * U;
    Eigen::SelfAdjointEigenSolver<Matrix> es(Hm);
    const Vector lam = es.eigenvalues();
    const double eta = 0.2, k = 0.01;
    Eigen::Index top = 0;
    (lam.array() * (-eta) + (1 - eta * k)).abs().maxCoeff(&top);
    const double delta = 1e-7;
    ns.q0 = q0 + delta * U * es.eigenvectors().col(top);
    auto off = simulate_network(ns);
    ASSERT_TRUE(off.ok());
    const Trajectory& to = (*off)->run->trajectories[0];
    // The linearised map along the symmetric trajectory: u ← u − η(H₋(q_n) + k) u.
    Vector u = U.transpose() * (to.q.col(0) - ts.q.col(0));
    const double u0 = u.norm();
    for (long i = 0; i < 40; ++i)
        u -= eta * (U.transpose() * net.hessian(data, ts.q.col(i), {}) * U * u + k * u);
    const double predicted = u.norm() / u0;
    const double measured = P.distance(to.q.col(40)) / P.distance(to.q.col(0));
    EXPECT_NEAR(measured / predicted, 1.0, 1e-4) << measured << " vs " << predicted;
    // mirror_rate: the per-step factor of the slowest-decaying mode, here at q0.
    EXPECT_NEAR(mirror_rate(net, data, q0, P, ns.scene.rule),
                (lam.array() * (-eta) + (1 - eta * k)).abs().maxCoeff(), 1e-12);
    // One step is exact to first order in δ.
    const double one = P.distance(to.q.col(1)) / P.distance(to.q.col(0));
    EXPECT_NEAR(one, std::abs(1 - eta * (lam[top] + k)), 1e-5);
}

}  // namespace
}  // namespace noether

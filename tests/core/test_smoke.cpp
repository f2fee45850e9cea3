#include <gtest/gtest.h>

#include "noether/run.hpp"

using namespace noether;

TEST(Engine, RotationWithoutKickKeepsZeroAngularMomentum) {
    Scene sc;
    sc.loss.name = "rotation_hat";
    sc.q0 = Vector(2);
    sc.q0 << 0.6, 0.5;
    sc.rule.momentum = 0.9;
    sc.steps = 100;
    auto run = simulate(sc);
    ASSERT_TRUE(run.ok());
    const auto* tr = (*run)->find(Model::Discrete);
    ASSERT_NE(tr, nullptr);
    EXPECT_EQ(tr->samples(), 101);
    // PHYSICS.md §2.3: with v0 = 0 the iterates stay on the initial ray, L_n = 0 (up to rounding).
    for (double J : tr->charges[0].J)
        EXPECT_LT(std::abs(J), 1e-15);
}

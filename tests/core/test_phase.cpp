// The phase portrait's arctangent against the C library's correctly rounded atan2.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "noether/phase.hpp"
#include "noether/run.hpp"

namespace {

// Distance in units in the last place of b (b's spacing at its magnitude).
double ulps(double a, double b) {
    const double spacing = std::nextafter(std::abs(b), INFINITY) - std::abs(b);
    return std::abs(a - b) / spacing;
}

}  // namespace

TEST(PhaseAtan2, WithinTwoUlpOfTheLibraryInEveryQuadrantAndMagnitude) {
    std::mt19937_64 rng(20261122);
    std::uniform_real_distribution<double> mantissa(-1.0, 1.0);
    std::uniform_int_distribution<int> exponent(-60, 60);
    double worst = 0.0;
    for (int k = 0; k < 400000; ++k) {
        const double y = std::ldexp(mantissa(rng), exponent(rng));
        const double x = std::ldexp(mantissa(rng), exponent(rng));
        if (y == 0.0 || x == 0.0) continue;
        const double u = ulps(noether::phase_atan2(y, x), std::atan2(y, x));
        worst = std::max(worst, u);
        ASSERT_LE(u, 2.0) << "atan2(" << y << ", " << x << ")";
    }
    EXPECT_GT(worst, 0.0);  // not the library's own function
}

TEST(PhaseAtan2, ExactOnTheAxesAndDiagonalsAndHandsTheRestToTheLibrary) {
    const double pi = 3.14159265358979323846;
    for (double r : {1e-200, 0.3, 1.0, 7.0, 1e200}) {
        EXPECT_EQ(noether::phase_atan2(0.0, r), 0.0);
        EXPECT_EQ(noether::phase_atan2(r, r), pi / 4.0);
        EXPECT_EQ(noether::phase_atan2(-r, r), -pi / 4.0);
        EXPECT_LE(ulps(noether::phase_atan2(r, -r), 3.0 * pi / 4.0), 1.0);
        EXPECT_LE(ulps(noether::phase_atan2(r, 0.0), pi / 2.0), 0.0);
        EXPECT_EQ(noether::phase_atan2(-r, 0.0), -pi / 2.0);
    }
    // Branch cut: the sign of y decides +-pi on the negative x axis, as for std::atan2.
    EXPECT_EQ(noether::phase_atan2(0.0, -1.0), std::atan2(0.0, -1.0));
    EXPECT_EQ(noether::phase_atan2(-0.0, -1.0), std::atan2(-0.0, -1.0));
    EXPECT_EQ(noether::phase_atan2(1e-30, -1.0), std::atan2(1e-30, -1.0));
    EXPECT_EQ(noether::phase_atan2(-1e-30, -1.0), std::atan2(-1e-30, -1.0));
    const double inf = std::numeric_limits<double>::infinity();
    EXPECT_EQ(noether::phase_atan2(inf, -inf), std::atan2(inf, -inf));
    EXPECT_EQ(noether::phase_atan2(1e-310, 1.0), std::atan2(1e-310, 1.0));
    EXPECT_TRUE(std::isnan(noether::phase_atan2(std::nan(""), 1.0)));
}

// Issue 14: every phase coordinate a preset names exists for its loss. Presets 2a/2b (rotation)
// ask for the radius: |q| is rotation invariant, the motion orthogonal to the orbits.
TEST(PhaseCoordinates, RotationOffersTheAngleAndTheRadiusScaleTheRadiusOnce) {
    auto ids = [](const char* name) {
        noether::LossSpec spec;
        spec.name = name;
        auto loss = noether::make_loss(spec);
        EXPECT_TRUE(static_cast<bool>(loss)) << name;
        std::vector<std::string> out;
        for (const auto& c : noether::phase_coordinates(**loss))
            out.push_back(c.id);
        return out;
    };
    EXPECT_EQ(ids("rotation_hat"), (std::vector<std::string>{"angle", "radius", "q1", "q2"}));
    const auto scale = ids("scale_cos");
    EXPECT_EQ(std::count(scale.begin(), scale.end(), "radius"), 1);
    // The radius of a rotation run is |q| at every sample, its rate d|q|/dt from q'.
    noether::Scene sc;
    sc.loss.name = "rotation_hat";
    sc.q0 = noether::Vector{{0.6, 0.5}};
    sc.rule.lr = 0.05;
    sc.rule.momentum = 0.9;
    sc.steps = 50;
    auto run = noether::simulate(sc);
    ASSERT_TRUE(static_cast<bool>(run));
    const noether::Trajectory& tr = (*run)->trajectories.front();
    const auto coords = noether::phase_coordinates(*(*run)->loss);
    const noether::PhaseCurve r = noether::phase_curve(tr, coords[1]);
    ASSERT_EQ(static_cast<long>(r.x.size()), tr.samples());
    for (long s = 0; s < tr.samples(); ++s) {
        EXPECT_NEAR(r.x[s], tr.q.col(s).norm(), 1e-15);
        EXPECT_NEAR(r.rate[s], tr.q.col(s).dot(tr.v.col(s)) / tr.q.col(s).norm(), 1e-12);
    }
}

// The phase portrait's arctangent against the C library's correctly rounded atan2.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "noether/phase.hpp"

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

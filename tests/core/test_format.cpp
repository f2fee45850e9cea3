// format_double: the bytes of printf's "%.17g" (the CSV contract's number format), now written
// with std::to_chars. Compared on values that exercise every branch of %g: exponents from
// subnormal to huge, the switch between fixed and scientific, exact integers, signed zero,
// infinities and NaN.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "noether/types.hpp"

namespace {

std::string printf17(double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", x);
    return buf;
}

TEST(FormatDouble, IsByteForBytePrintfPercent17g) {
    const double special[] = {0.0,
                              -0.0,
                              0.6,
                              0.1,
                              1.0,
                              -1.0,
                              1e16,
                              1e17,
                              123456789012345678.0,
                              1e-5,
                              1e-4,
                              9.9999999999999995e-5,
                              0.5e-323,
                              std::numeric_limits<double>::denorm_min(),
                              std::numeric_limits<double>::min(),
                              std::numeric_limits<double>::max(),
                              std::numeric_limits<double>::lowest(),
                              std::numeric_limits<double>::infinity(),
                              -std::numeric_limits<double>::infinity(),
                              std::numeric_limits<double>::quiet_NaN(),
                              -std::numeric_limits<double>::quiet_NaN()};
    for (double x : special)
        EXPECT_EQ(noether::format_double(x), printf17(x)) << printf17(x);
    std::mt19937_64 rng(20261204);
    std::uniform_int_distribution<std::uint64_t> bits;
    for (int i = 0; i < 200000; ++i) {
        // Random bit patterns (every exponent) and random decimals near 1 (short digit strings).
        std::uint64_t b = bits(rng);
        double x;
        std::memcpy(&x, &b, sizeof x);
        if (std::isnan(x)) continue;
        ASSERT_EQ(noether::format_double(x), printf17(x));
        const double y = std::round(std::ldexp(static_cast<double>(b >> 40), -10)) / 1000.0;
        ASSERT_EQ(noether::format_double(y), printf17(y));
    }
}

}  // namespace

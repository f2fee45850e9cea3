// Deterministic replay of the expression fuzz target under GoogleTest, so CI exercises the same
// entry point with any compiler: every file of the corpus, a list of nasty strings, and a few
// thousand pseudo-random mutations of them from a fixed seed.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "noether/expression.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

int feed(const std::string& s) {
    return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::vector<std::string> corpus() {
    std::vector<std::string> out;
    for (const auto& entry : std::filesystem::directory_iterator(NOETHER_FUZZ_CORPUS)) {
        if (!entry.is_regular_file()) continue;
        std::ifstream in(entry.path(), std::ios::binary);
        out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> nasty() {
    std::vector<std::string> v = {
        "",
        " ",
        "(",
        ")",
        "((",
        "))",
        "()",
        "q",
        "q0",
        "q9",
        "q1e5",
        "q99999999999999999999",
        "1e99999",
        "1e-99999",
        ".",
        "..",
        "1..2",
        "1e",
        "1e+",
        "--q1",
        "+-+-q1",
        "q1^",
        "^q1",
        "q1**",
        "**q1",
        "q1***q1",
        "pow(",
        "pow(q1,",
        "pow(q1,,q2)",
        "pow(,)",
        "exp()",
        "exp(,)",
        "exp((",
        "log(0*q1)",
        "log(-q1^2-1)",
        "q1/(q1-q1)",
        "1/0",
        "0/0",
        "0^-1",
        "(-1)^0.5",
        "q1^(1/3)",
        "(2*q1)^0.3",
        "q1^1e300",
        "q1^-1e300",
        "(q1^100)^100",
        "((q1^10)^10)^10",
        "exp(exp(exp(exp(q1))))",
        "sqrt(-q1^2)",
        "abs(q1)^0.5",
        "softplus(1e308*q1)",
        "sigmoid(-1e308*q1)",
        "tan(pi/2)+q1",
        "tan(q1*pi/2)",
        "pi",
        "eps",
        "c*q1",
        "eps^eps*q1",
        "sin",
        "sin q1",
        "q1 q2",
        "q1,q2",
        "q1;q2",
        "q1=q2",
        "q1<q2",
        "q1!",
        "'q1'",
        "\"q1\"",
        "q1 + \xff",
        "\xc3\xa9",
        "q1 +\t\n\r q2",
        std::string("q1\0+q2", 6),
        std::string(1, '\0'),
        "999999999999999999999999999999*q1",
        "0.000000000000000000000000000001*q1",
        "q1*q2*q3*q4*q5*q6*q7*q8",
        "q1+q2+q3+q4+q5+q6+q7+q8+q9",
        "Q1",
        "Exp(q1)",
        "EXP(q1)",
        "_",
        "_q1",
        "q_1",
        "q1_",
        "q01",
        "q001",
        "q8",
        "q08",
    };
    // Deep and long inputs around the limits.
    for (int d : {63, 64, 65, 200, 5000}) {
        v.push_back(std::string(d, '(') + "q1" + std::string(d, ')'));
        v.push_back(std::string(d, '-') + "q1");
        std::string calls, powers = "q1";
        for (int i = 0; i < d; ++i) {
            calls += "exp(";
            powers += "^q1";
        }
        v.push_back(calls + "q1" + std::string(d, ')'));
        v.push_back(powers);
    }
    std::string sum, prod;
    for (int i = 0; i < 2000; ++i) {
        sum += "+q" + std::to_string(i % 8 + 1);
        prod += "*sin(q" + std::to_string(i % 8 + 1) + "+" + std::to_string(i) + ")";
    }
    v.push_back(sum);
    v.push_back("q1" + prod.substr(0, 3990));
    v.push_back("q1" + prod.substr(0, 500));
    v.push_back(std::string(noether::kMaxExpressionLength, ' ') + "q1");
    v.push_back(std::string(100000, '('));
    return v;
}

}  // namespace

TEST(FuzzReplay, CorpusAndNastyStrings_NeverCrash) {
    const auto files = corpus();
    EXPECT_GE(files.size(), 10u);
    for (const auto& s : files)
        EXPECT_EQ(feed(s), 0);
    for (const auto& s : nasty())
        EXPECT_EQ(feed(s), 0);
}

TEST(FuzzReplay, RandomMutations_NeverCrash) {
    // Byte flips, insertions and splices of the seeds, from a fixed seed.
    std::vector<std::string> seeds = corpus();
    for (const auto& s : nasty())
        if (s.size() < 200) seeds.push_back(s);
    const std::string alphabet = "q12345678()+-*/^,. e.0pisoftplusexpgmd\x01\xff";
    std::mt19937_64 rng(20240607);
    for (int k = 0; k < 3000; ++k) {
        std::string s = seeds[rng() % seeds.size()];
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            const size_t at = s.empty() ? 0 : rng() % (s.size() + 1);
            switch (rng() % 4) {
                case 0:
                    s.insert(s.begin() + static_cast<long>(at), alphabet[rng() % alphabet.size()]);
                    break;
                case 1:
                    if (at < s.size()) s.erase(at, 1);
                    break;
                case 2:
                    if (at < s.size()) s[at] = alphabet[rng() % alphabet.size()];
                    break;
                default: {
                    const std::string& o = seeds[rng() % seeds.size()];
                    s.insert(at, o.substr(0, std::min<size_t>(o.size(), 40)));
                }
            }
        }
        ASSERT_EQ(feed(s), 0) << s;
    }
}

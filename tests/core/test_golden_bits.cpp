// Golden bits (issue 13; Box2D's test_determinism): a hash of every number a fixed set of scenes
// produces -- every built-in loss, under every rule, with every model alone -- checked against
// tests/core/golden_bits.txt. The other determinism tests compare runs within one process; this
// one sees a compiler, flag, library or code change that alters one bit of one run, or which
// models a rule offers. After an intended change, regenerate the file and say why in the commit:
//   NOETHER_WRITE_GOLDEN=1 ./build/release/tests/noether_core_tests --gtest_filter='GoldenBits.*'
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "noether/loss.hpp"
#include "noether/run.hpp"

using namespace noether;

namespace {

// FNV-1a, 64 bit, over raw bytes.
struct Fnv {
    std::uint64_t h = 1469598103934665603ull;
    void bytes(const void* p, size_t n) {
        const auto* c = static_cast<const unsigned char*>(p);
        for (size_t i = 0; i < n; ++i) {
            h ^= c[i];
            h *= 1099511628211ull;
        }
    }
    void doubles(const double* p, long n) { bytes(p, static_cast<size_t>(n) * sizeof(double)); }
    void values(const std::vector<double>& v) { doubles(v.data(), static_cast<long>(v.size())); }
    void text(const std::string& s) { bytes(s.data(), s.size()); }
    void number(long x) { bytes(&x, sizeof x); }
};

std::uint64_t hash_trajectory(const Trajectory& tr) {
    Fnv f;
    f.number(tr.samples());
    f.doubles(tr.q.data(), tr.q.size());
    f.doubles(tr.v.data(), tr.v.size());
    f.values(tr.loss);
    f.values(tr.grad_norm);
    f.values(tr.r2);
    for (const ChargeSeries& c : tr.charges) {
        f.text(c.generator);
        for (const auto* v : {&c.J, &c.damping, &c.kinetic, &c.weight_decay, &c.explicit_breaking})
            f.values(*v);
    }
    for (const NamedSeries& p : tr.predictions) {
        f.text(p.name);
        f.values(p.values);
        f.text(to_string(p.validity));
    }
    f.number(tr.diverged ? tr.diverged_at : -1);
    f.number(tr.integration_failed ? tr.failed_at : -1);
    return f.h;
}

struct RuleCase {
    const char* name;
    RuleParams p;
};

std::vector<RuleCase> rule_cases() {
    std::vector<RuleCase> out;
    auto add = [&out](const char* name, auto edit) {
        RuleParams p;
        p.lr = 0.05;
        edit(p);
        out.push_back({name, p});
    };
    add("sgd", [](RuleParams&) {});
    add("heavy-ball", [](RuleParams& p) { p.momentum = 0.9; });
    add("heavy-ball-wd", [](RuleParams& p) {
        p.momentum = 0.9;
        p.weight_decay = 0.01;
    });
    add("nesterov", [](RuleParams& p) {
        p.momentum = 0.9;
        p.nesterov = true;
    });
    add("constrained", [](RuleParams& p) {
        p.momentum = 0.5;
        p.constrain_norm = true;
    });
    add("rmsprop", [](RuleParams& p) { p.rule = Rule::RmsProp; });
    add("rmsprop-norm", [](RuleParams& p) { p.rule = Rule::RmsPropNorm; });
    add("adam", [](RuleParams& p) { p.rule = Rule::Adam; });
    add("adamw", [](RuleParams& p) {
        p.rule = Rule::AdamW;
        p.weight_decay = 0.01;
    });
    return out;
}

// "loss rule model" -> hash (or "refused:<hash of the message>").
std::map<std::string, std::string> compute() {
    std::map<std::string, std::string> out;
    for (const LossInfo& info : builtin_losses()) {
        Scene base;
        base.loss.name = info.name;
        base.q0 = Vector::Map(info.suggested_q0.data(),
                              static_cast<Eigen::Index>(info.suggested_q0.size()));
        base.steps = 60;
        base.show_discrete = false;
        for (const RuleCase& rc : rule_cases()) {
            for (Model m : kAllModels) {
                Scene sc = base;
                sc.rule = rc.p;
                sc.show_discrete = m == Model::Discrete;
                sc.show_ode = m == Model::Ode;
                sc.show_ode_rest = m == Model::OdeRest;
                sc.show_flow = m == Model::Flow;
                sc.show_modified_flow = m == Model::ModifiedFlow;
                const std::string key = info.name + " " + rc.name + " " + to_string(m);
                auto run = simulate(sc);
                std::ostringstream v;
                if (!run) {
                    Fnv f;
                    f.text(run.error().what());
                    v << "refused:" << std::hex << f.h;
                } else {
                    v << std::hex << hash_trajectory((*run)->trajectories.at(0));
                }
                out[key] = v.str();
            }
        }
    }
    return out;
}

const std::string kGolden = std::string(NOETHER_TESTS_DIR) + "/core/golden_bits.txt";

TEST(GoldenBits, EveryLossRuleAndModelGivesTheRecordedBits) {
    const auto now = compute();
    ASSERT_GE(now.size(), 8u * 9u * 5u);
    if (std::getenv("NOETHER_WRITE_GOLDEN")) {
        std::ofstream f(kGolden);
        f << "# tests/core/test_golden_bits.cpp: loss rule model -> FNV-1a of the run's bits\n";
        for (const auto& [k, v] : now)
            f << k << " " << v << "\n";
        GTEST_SKIP() << "wrote " << kGolden;
    }
    std::ifstream f(kGolden);
    ASSERT_TRUE(f) << "no " << kGolden << " (NOETHER_WRITE_GOLDEN=1 writes it)";
    std::map<std::string, std::string> golden;
    std::string line;
    while (std::getline(f, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto cut = line.rfind(' ');
        golden[line.substr(0, cut)] = line.substr(cut + 1);
    }
    int changed = 0;
    for (const auto& [k, v] : now) {
        const auto it = golden.find(k);
        if (it == golden.end()) {
            ADD_FAILURE() << k << ": not in the golden file";
        } else if (it->second != v) {
            ++changed;
            ADD_FAILURE() << k << ": bits changed (" << it->second << " -> " << v << ")";
        }
    }
    for (const auto& [k, v] : golden)
        if (!now.count(k)) ADD_FAILURE() << k << ": in the golden file, no longer run";
    EXPECT_EQ(changed, 0);
}

}  // namespace

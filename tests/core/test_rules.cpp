// Learning rules of PHYSICS.md §0.1 against hand-written torch.optim updates in double
// precision (same operation order, so results must be bit-identical), literal hand-computed
// first steps, the constrained-norm projection, and step() allocating nothing.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "test_support.hpp"

using namespace noether;
using namespace noether::testing;

// ---- Allocation counter: interpose malloc (Eigen allocates with std::malloc, operator new
// ends in malloc too). Only on glibc and without sanitizers, which own malloc themselves.
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define NOETHER_COUNT_MALLOC 1
extern "C" void* __libc_malloc(std::size_t size);
extern "C" void* __libc_realloc(void* p, std::size_t size);
extern "C" void* __libc_calloc(std::size_t n, std::size_t size);
namespace {
volatile bool g_counting = false;
volatile long g_allocations = 0;
}  // namespace
extern "C" void* malloc(std::size_t size) noexcept {
    if (g_counting) g_allocations = g_allocations + 1;
    return __libc_malloc(size);
}
extern "C" void* realloc(void* p, std::size_t size) noexcept {
    if (g_counting) g_allocations = g_allocations + 1;
    return __libc_realloc(p, size);
}
extern "C" void* calloc(std::size_t n, std::size_t size) noexcept {
    if (g_counting) g_allocations = g_allocations + 1;
    return __libc_calloc(n, size);
}
#endif

namespace {

// ---- Reference updates, written from torch.optim's documented code, one element at a time.
struct Ref {
    Vector q, buf, sq, avg;
    double G = 0.0;
    long t = 0;
    bool kick = false;
};

Ref ref_state(const Vector& q0, const Vector* v0) {
    const auto n = q0.size();
    Ref r{q0, Vector::Zero(n), Vector::Zero(n), Vector::Zero(n)};
    if (v0) {
        r.buf = *v0;
        r.kick = true;
    }
    return r;
}

void ref_step(const Loss& loss, const RuleParams& p, Ref& r) {
    const auto n = r.q.size();
    Vector g = loss.gradient(r.q);
    const double lr = p.lr, k = p.weight_decay;
    switch (p.rule) {
        case Rule::Sgd:
            for (Eigen::Index i = 0; i < n; ++i) {
                double gi = g[i];
                if (k != 0) gi = gi + k * r.q[i];  // grad.add(param, alpha=weight_decay)
                double d = gi;
                if (p.momentum != 0) {
                    // buf = grad (first step), buf.mul_(momentum).add_(grad) afterwards
                    r.buf[i] = (r.t == 0 && !r.kick) ? gi : r.buf[i] * p.momentum + gi;
                    d = p.nesterov ? gi + p.momentum * r.buf[i] : r.buf[i];
                }
                r.q[i] = r.q[i] + (-lr) * d;  // param.add_(d_p, alpha=-lr)
            }
            break;
        case Rule::RmsProp:
            for (Eigen::Index i = 0; i < n; ++i) {
                double gi = g[i];
                if (k != 0) gi = gi + k * r.q[i];
                // square_avg.mul_(alpha).addcmul_(grad, grad, value=1-alpha)
                r.sq[i] = r.sq[i] * p.alpha + ((1 - p.alpha) * gi) * gi;
                double den;
                if (p.centered) {
                    r.avg[i] =
                        r.avg[i] * p.alpha + (1 - p.alpha) * gi;  // §0.1: a <- rho a + (1-rho) g
                    den = std::sqrt(r.sq[i] - r.avg[i] * r.avg[i]) + p.opt_eps;
                } else {
                    den = std::sqrt(r.sq[i]) + p.opt_eps;
                }
                if (p.momentum > 0) {
                    r.buf[i] = r.buf[i] * p.momentum + gi / den;  // buf.mul_(m).addcdiv_(grad, avg)
                    r.q[i] = r.q[i] + (-lr) * r.buf[i];
                } else {
                    r.q[i] = r.q[i] + ((-lr) * gi) / den;  // param.addcdiv_(grad, avg, value=-lr)
                }
            }
            break;
        case Rule::RmsPropNorm: {
            double g2 = 0;
            for (Eigen::Index i = 0; i < n; ++i) {
                if (k != 0) g[i] = g[i] + k * r.q[i];
            }
            g2 = g.squaredNorm();
            r.G = p.alpha * r.G + (1 - p.alpha) * g2;
            const double scale = -lr / (std::sqrt(r.G) + p.opt_eps);
            for (Eigen::Index i = 0; i < n; ++i)
                r.q[i] = r.q[i] + scale * g[i];
            break;
        }
        case Rule::Adam:
        case Rule::AdamW: {
            const double t = static_cast<double>(r.t + 1);
            const double bc1 = 1 - std::pow(p.beta1, t), bc2 = 1 - std::pow(p.beta2, t);
            const double step_size = lr / bc1, bc2_sqrt = std::sqrt(bc2);
            for (Eigen::Index i = 0; i < n; ++i) {
                double gi = g[i];
                if (p.rule == Rule::AdamW)
                    r.q[i] = r.q[i] * (1 - lr * k);  // param.mul_(1 - lr * weight_decay)
                else if (k != 0)
                    gi = gi + k * r.q[i];
                r.avg[i] = r.avg[i] * p.beta1 + (1 - p.beta1) * gi;       // §0.1 m1
                r.sq[i] = r.sq[i] * p.beta2 + ((1 - p.beta2) * gi) * gi;  // addcmul_
                const double den = std::sqrt(r.sq[i]) / bc2_sqrt + p.opt_eps;
                r.q[i] = r.q[i] + ((-step_size) * r.avg[i]) / den;  // addcdiv_(value=-step_size)
            }
            break;
        }
    }
    if (p.constrain_norm) {
        (void)0;  // checked separately (the projection's rounding is the engine's own)
    }
    ++r.t;
}

struct RuleCase {
    std::string label;
    RuleParams p;
    bool kick = false;
};

RuleParams rule(Rule r, double lr) {
    RuleParams p;
    p.rule = r;
    p.lr = lr;
    return p;
}

std::vector<RuleCase> rule_cases() {
    std::vector<RuleCase> cs;
    auto add = [&](std::string label, RuleParams p, bool kick = false) {
        cs.push_back({std::move(label), p, kick});
    };
    RuleParams p = rule(Rule::Sgd, 0.05);
    add("sgd plain", p);
    p.momentum = 0.9;
    add("sgd momentum", p);
    p.weight_decay = 0.01;
    add("sgd momentum+wd", p);
    add("sgd momentum+wd+kick", p, true);
    p.nesterov = true;
    add("sgd nesterov+wd", p);
    p = rule(Rule::Sgd, 0.05);
    p.weight_decay = 0.1;
    add("sgd wd", p);
    p = rule(Rule::RmsProp, 0.01);
    add("rmsprop plain", p);
    p.centered = true;
    add("rmsprop centered", p);
    p.momentum = 0.5;
    add("rmsprop centered+momentum", p);
    p.centered = false;
    p.weight_decay = 0.02;
    add("rmsprop momentum+wd", p);
    add("rmsprop momentum+wd+kick", p, true);
    p = rule(Rule::RmsProp, 0.01);
    p.alpha = 0.9;
    p.opt_eps = 1e-3;
    p.weight_decay = 0.05;
    add("rmsprop wd alpha eps", p);
    p = rule(Rule::RmsPropNorm, 0.02);
    add("rmsprop-norm", p);
    p.weight_decay = 0.03;
    add("rmsprop-norm wd", p);
    p = rule(Rule::Adam, 0.01);
    add("adam", p);
    p.weight_decay = 0.1;
    p.beta1 = 0.8;
    p.beta2 = 0.95;
    p.opt_eps = 1e-6;
    add("adam L2", p);
    p.rule = Rule::AdamW;
    add("adamw decoupled", p);
    return cs;
}

}  // namespace

TEST(LearningRules, EveryRuleMatchesTorchOperationOrderBitForBit) {
    // Odd and even dimensions (Eigen's vectorised loops and their scalar tails).
    const std::vector<std::pair<std::shared_ptr<const Loss>, Vector>> problems = {
        {make("rotation_hat", 0.1), vec({0.6, 0.5})},
        {make("rayleigh", 0.05, {{"diag", {1, 2, 3}}}), vec({0.8, -0.5, 1.1})},
        {make("rescale_2d", 0.2), vec({2.0, 0.3})},
    };
    for (const auto& rc : rule_cases()) {
        for (const auto& [loss, q0] : problems) {
            SCOPED_TRACE(rc.label + " on " + loss->name());
            const Vector v0 = Vector::LinSpaced(q0.size(), 0.3, -0.5);
            OptimizerState s = make_state(rc.p, q0, rc.kick ? &v0 : nullptr);
            Ref r = ref_state(q0, rc.kick ? &v0 : nullptr);
            for (int n = 0; n < 25; ++n) {
                step(*loss, rc.p, s);
                ref_step(*loss, rc.p, r);
                for (Eigen::Index i = 0; i < q0.size(); ++i)
                    ASSERT_EQ(s.q[i], r.q[i]) << "step " << n + 1 << " coordinate " << i;
            }
            EXPECT_EQ(s.step, 25);
            EXPECT_NE(s.q, q0);
        }
    }
}

TEST(LearningRules, ReferenceDetectsAnOperationOrderChange) {
    // The bit-for-bit comparison can fail: (beta b) + g vs beta (b + g/beta) differ in rounding.
    auto loss = make("rayleigh", 0.05, {{"diag", {1, 2, 3}}});
    RuleParams p = rule(Rule::Sgd, 0.05);
    p.momentum = 0.9;
    OptimizerState s = make_state(p, vec({0.8, -0.5, 1.1}));
    Vector q = s.q, buf = Vector::Zero(3);
    bool differs = false;
    for (int n = 0; n < 25; ++n) {
        step(*loss, p, s);
        const Vector g = loss->gradient(q);
        buf = n == 0 ? g : Vector(p.momentum * (buf + g / p.momentum));
        q = q - p.lr * buf;
        differs |= q != s.q;
    }
    EXPECT_TRUE(differs);
}

TEST(LearningRules, SgdFirstStepsByHand) {
    // f = q^2/2 (quadratic diag 1), q0 = 1, lr = 0.1.
    auto loss = make("quadratic", 0.0, {{"diag", {1.0}}});
    RuleParams p = rule(Rule::Sgd, 0.1);
    p.momentum = 0.9;
    OptimizerState s = make_state(p, vec({1.0}));
    // buf = 1 -> q = 0.9; buf = 0.9 + 0.9 = 1.8 -> q = 0.72; buf = 1.62 + 0.72 = 2.34 -> q = 0.486.
    const double expect[] = {0.9, 0.72, 0.486};
    for (double e : expect) {
        step(*loss, p, s);
        EXPECT_NEAR(s.q[0], e, 1e-15 * e);
    }
    // Nesterov: d = g + beta buf. q1 = 1 - 0.1 (1 + 0.9) = 0.81;
    // g = 0.81, buf = 0.9 + 0.81 = 1.71, d = 0.81 + 1.539 = 2.349, q2 = 0.5751.
    p.nesterov = true;
    s = make_state(p, vec({1.0}));
    step(*loss, p, s);
    EXPECT_NEAR(s.q[0], 0.81, 1e-15);
    step(*loss, p, s);
    EXPECT_NEAR(s.q[0], 0.5751, 1e-15);
    // Kick v0 = 2: buf = 0.9*2 + 1 = 2.8 -> q1 = 0.72; weight decay 0.5 with no momentum:
    // q1 = 1 - 0.1 (1 + 0.5) = 0.85.
    p.nesterov = false;
    const Vector v0 = vec({2.0});
    s = make_state(p, vec({1.0}), &v0);
    step(*loss, p, s);
    EXPECT_NEAR(s.q[0], 0.72, 1e-15);
    p = rule(Rule::Sgd, 0.1);
    p.weight_decay = 0.5;
    s = make_state(p, vec({1.0}));
    step(*loss, p, s);
    EXPECT_NEAR(s.q[0], 0.85, 1e-15);
}

TEST(LearningRules, AdaptiveFirstStepsByHand) {
    auto loss = make("quadratic", 0.0, {{"diag", {1.0, 4.0}}});
    const Vector q0 = vec({1.0, -0.5});  // g0 = (1, -2)
    // Adam step 1: m1 = (1-b1) g, m2 = (1-b2) g^2, bias-corrected -> q - lr g/(|g| + eps').
    RuleParams p = rule(Rule::Adam, 0.01);
    OptimizerState s = make_state(p, q0);
    step(*loss, p, s);
    EXPECT_NEAR(s.q[0], 1.0 - 0.01 * 1.0 / (1.0 + 1e-8), 1e-15);
    EXPECT_NEAR(s.q[1], -0.5 + 0.01 * 2.0 / (2.0 + 1e-8), 1e-15);
    // RMSprop step 1 (alpha 0.99): s = 0.01 g^2, q = q - lr g/(0.1|g| + eps).
    p = rule(Rule::RmsProp, 0.01);
    s = make_state(p, q0);
    step(*loss, p, s);
    EXPECT_NEAR(s.q[0], 1.0 - 0.01 * 1.0 / (0.1 + 1e-8), 1e-14);
    EXPECT_NEAR(s.q[1], -0.5 + 0.01 * 2.0 / (0.2 + 1e-8), 1e-14);
    // Centered RMSprop step 1: s - a^2 = 0.01 g^2 - 1e-4 g^2 = 0.0099 g^2.
    p.centered = true;
    s = make_state(p, q0);
    step(*loss, p, s);
    EXPECT_NEAR(s.q[0], 1.0 - 0.01 / (std::sqrt(0.0099) + 1e-8), 1e-14);
    // RMSprop-norm step 1: G = 0.01 |g|^2 = 0.05, q = q - lr g/(sqrt(0.05) + eps).
    p = rule(Rule::RmsPropNorm, 0.01);
    s = make_state(p, q0);
    step(*loss, p, s);
    EXPECT_NEAR(s.G, 0.05, 1e-15 * 0.05);
    EXPECT_NEAR(s.q[1], -0.5 + 0.01 * 2.0 / (std::sqrt(0.05) + 1e-8), 1e-15);
    // AdamW with decay 0.5: q <- q (1 - lr k) first, then the Adam step with g at the old q.
    p = rule(Rule::AdamW, 0.01);
    p.weight_decay = 0.5;
    s = make_state(p, q0);
    step(*loss, p, s);
    EXPECT_NEAR(s.q[0], 0.995 - 0.01 / (1.0 + 1e-8), 1e-15);
    // Adam with L2 0.5 folds k q into g: g = (1.5, -2.25), still a sign step of size lr.
    p.rule = Rule::Adam;
    s = make_state(p, q0);
    step(*loss, p, s);
    EXPECT_NEAR(s.q[0], 1.0 - 0.01 * 1.5 / (1.5 + 1e-8), 1e-15);
    // Adam step 2 by hand (beta1 = 0.9, beta2 = 0.999), first coordinate.
    p = rule(Rule::Adam, 0.01);
    s = make_state(p, q0);
    step(*loss, p, s);
    const double q1 = s.q[0];
    step(*loss, p, s);
    const double m1 = 0.9 * 0.1 * 1.0 + 0.1 * q1, m2 = 0.999 * 0.001 + 0.001 * q1 * q1;
    const double expect = q1 - (0.01 / (1 - 0.81)) * m1 / (std::sqrt(m2 / (1 - 0.998001)) + 1e-8);
    EXPECT_NEAR(s.q[0], expect, 1e-15);
}

TEST(LearningRules, ConstrainedNormKeepsTheStartingNorm) {
    auto loss = make("rotation_hat", 0.1);
    const Vector q0 = vec({0.6, 0.5});
    for (const auto& rc : rule_cases()) {
        SCOPED_TRACE(rc.label);
        RuleParams p = rc.p;
        p.constrain_norm = true;
        OptimizerState s = make_state(p, q0);
        double moved = 0;
        for (int n = 0; n < 50; ++n) {
            step(*loss, p, s);
            EXPECT_NEAR(s.q.norm(), q0.norm(), 1e-15 * q0.norm());
            moved = std::max(moved, (s.q - q0).norm());
        }
        EXPECT_GT(moved, 1e-3) << "the projected rule still moves along the sphere";
    }
}

TEST(LearningRules, ValidationNamesTheField) {
    struct Bad {
        RuleParams p;
        const char* field;
    };
    std::vector<Bad> bad;
    auto add = [&](const char* field, auto&& edit) {
        RuleParams p;
        edit(p);
        bad.push_back({p, field});
    };
    add("lr", [](RuleParams& p) { p.lr = 0; });
    add("lr", [](RuleParams& p) { p.lr = -1; });
    add("lr", [](RuleParams& p) { p.lr = NAN; });
    add("momentum", [](RuleParams& p) { p.momentum = 1.0; });
    add("momentum", [](RuleParams& p) { p.momentum = -0.1; });
    add("weight-decay", [](RuleParams& p) { p.weight_decay = -0.1; });
    add("alpha", [](RuleParams& p) { p.alpha = 1.0; });
    add("opt-eps", [](RuleParams& p) { p.opt_eps = -1e-8; });
    add("betas", [](RuleParams& p) { p.beta1 = 1.0; });
    add("betas", [](RuleParams& p) { p.beta2 = -0.5; });
    add("nesterov", [](RuleParams& p) { p.nesterov = true; });
    for (const auto& b : bad) {
        const Status st = validate(b.p);
        ASSERT_FALSE(st.ok()) << b.field;
        EXPECT_EQ(st.error().field, b.field);
    }
    EXPECT_TRUE(validate(RuleParams{}).ok());
    EXPECT_EQ(parse_rule("rmsprop-norm"), Rule::RmsPropNorm);
    EXPECT_EQ(parse_rule("adamw"), Rule::AdamW);
    EXPECT_FALSE(parse_rule("lbfgs").has_value());
    for (Rule r : {Rule::Sgd, Rule::RmsProp, Rule::RmsPropNorm, Rule::Adam, Rule::AdamW})
        EXPECT_EQ(parse_rule(to_string(r)), r);
}

TEST(LearningRules, ContinuousModelConstantsUseTheRulesMomentum) {
    // §0.1: m = eta(1+beta)/2 and mu = 1 - beta with beta = SGD's/RMSprop's momentum, else 0.
    RuleParams p = rule(Rule::Sgd, 0.02);
    p.momentum = 0.9;
    EXPECT_DOUBLE_EQ(implicit_mass(p), 0.019);
    EXPECT_DOUBLE_EQ(damping(p), 1 - 0.9);
    p.rule = Rule::RmsProp;
    EXPECT_DOUBLE_EQ(model_momentum(p), 0.9);
    for (Rule r : {Rule::Adam, Rule::AdamW, Rule::RmsPropNorm}) {
        p.rule = r;
        EXPECT_EQ(model_momentum(p), 0.0);
        EXPECT_DOUBLE_EQ(implicit_mass(p), 0.01);
        EXPECT_EQ(damping(p), 1.0);
    }
}

#ifdef NOETHER_COUNT_MALLOC
TEST(LearningRules, StepAllocatesNothing) {
    // ARCHITECTURE.md rule 2: step() allocates nothing (losses whose gradient is allocation-free
    // by its contract in loss.hpp; every built-in is listed).
    const std::vector<std::pair<std::shared_ptr<const Loss>, Vector>> problems = {
        {make("scale_cos", 0.01), vec({0.6, 0.5})},
        {make("rotation_hat", 0.1), vec({0.6, 0.5})},
        {make("translation_valley", 0.1), vec({0.5, -1})},
        {make("translation_logistic", 0.1), vec({0.5, -1})},
        {make("rescale_2d", 0.1), vec({2, 0.3})},
        {make("rayleigh", 0.1), vec({1, 1, 1, 1})},
        {make("bn_logistic", 0.01), vec({1, 0.5, -0.3, 0.2})},
        {make("quadratic"), vec({1, 1})},
    };
    // The counter works: a fresh Vector allocates.
    g_allocations = 0;
    g_counting = true;
    Vector probe(7);
    probe.setZero();
    g_counting = false;
    ASSERT_GE(g_allocations, 1);
    for (const auto& rc : rule_cases()) {
        for (const auto& [loss, q0] : problems) {
            SCOPED_TRACE(rc.label + " on " + loss->name());
            RuleParams p = rc.p;
            p.constrain_norm = rc.label.find("wd") != std::string::npos;
            const Vector v0 = Vector::Constant(q0.size(), 0.1);
            OptimizerState s = make_state(p, q0, rc.kick ? &v0 : nullptr);
            step(*loss, p, s);  // warm-up outside the counted region
            g_allocations = 0;
            g_counting = true;
            for (int n = 0; n < 5; ++n)
                step(*loss, p, s);
            g_counting = false;
            EXPECT_EQ(g_allocations, 0);
        }
    }
}
#endif

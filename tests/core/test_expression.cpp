// Typed losses (issue 5): the parser's refusal paths with their positions, the symbolic
// derivatives against closed forms and finite differences, and typed versions of the built-in
// losses against the built-ins, value by value and run by run.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "noether/expression.hpp"
#include "noether/loss.hpp"
#include "noether/run.hpp"

using namespace noether;

namespace {

Result<std::shared_ptr<const Loss>> typed(const std::string& expr,
                                          std::map<std::string, double> consts = {}, int dim = 0) {
    LossSpec s;
    s.name = "expr";
    s.expr = expr;
    s.constants = std::move(consts);
    s.expr_dim = dim;
    return make_loss(s);
}

std::shared_ptr<const Loss> builtin(const std::string& name, double eps,
                                    std::map<std::string, std::vector<double>> params = {}) {
    LossSpec s;
    s.name = name;
    s.eps = eps;
    s.params = std::move(params);
    auto r = make_loss(s);
    EXPECT_TRUE(r.ok());
    return r.value();
}

// A typed expression and the built-in loss it must reproduce.
struct TypedCase {
    std::string expr;
    std::map<std::string, double> consts;
    std::string name;
    double eps;
    std::map<std::string, std::vector<double>> params;
    double min_norm;  // keep random points away from a singular origin
};

std::vector<TypedCase> typed_cases() {
    return {
        {"(q1^2+q2^2-1)^2/4 + eps*q1", {{"eps", 0.1}}, "rotation_hat", 0.1, {}, 0.0},
        {"(q1*q2 - 1)^2/2 + eps*q1^2/2", {{"eps", 0.2}}, "rescale_2d", 0.2, {}, 0.0},
        {"(q1 - q2 - 1)^2/2 + eps*logcosh(q1 + q2)",
         {{"eps", 0.3}},
         "translation_valley",
         0.3,
         {},
         0.0},
        {"(q1 - q2 - 1)^2/2 + eps*log(cosh(q1 + q2))",
         {{"eps", 0.3}},
         "translation_valley",
         0.3,
         {},
         0.0},
        {"softplus(-(q1 - q2)) + eps*logcosh(q1 + q2)",
         {{"eps", 0.3}},
         "translation_logistic",
         0.3,
         {},
         0.0},
        {"1 - (cos(th)*q1 + sin(th)*q2)/sqrt(q1^2 + q2^2 + eps)",
         {{"eps", 0.01}, {"th", 0.3}},
         "scale_cos",
         0.01,
         {{"theta_star", {0.3}}},
         0.3},
        {"(q1^2 + 2*q2^2 + 2*q3^2 + 4*q4^2)/(q1^2 + q2^2 + q3^2 + q4^2 + eps)",
         {{"eps", 0.05}},
         "rayleigh",
         0.05,
         {{"diag", {1, 2, 2, 4}}},
         0.3},
        {"(q1^2 + 10*q2^2)/2", {}, "quadratic", 0.0, {}, 0.0},
    };
}

double rel(double a, double b) {
    return std::abs(a - b) / (1.0 + std::abs(b));
}

}  // namespace

TEST(TypedLoss, TypedBuiltins_ValueGradientHessianMatchClosedFormsTo1e12) {
    std::mt19937_64 rng(7);
    std::normal_distribution<double> normal(0.0, 1.0);
    for (const auto& c : typed_cases()) {
        auto t = typed(c.expr, c.consts);
        ASSERT_TRUE(t.ok()) << c.expr << ": " << t.error().what();
        auto b = builtin(c.name, c.eps, c.params);
        ASSERT_EQ((*t)->dim(), b->dim()) << c.expr;
        EXPECT_TRUE((*t)->generators().empty()) << "typed losses carry no built-in symmetry";
        for (int k = 0; k < 200; ++k) {
            Vector q(b->dim());
            do {
                for (int i = 0; i < q.size(); ++i)
                    q[i] = 1.5 * normal(rng);
            } while (q.norm() < c.min_norm);
            EXPECT_LT(rel((*t)->value(q), b->value(q)), 1e-12) << c.expr;
            const Vector gt = (*t)->gradient(q), gb = b->gradient(q);
            EXPECT_LT((gt - gb).norm() / (1.0 + gb.norm()), 1e-12) << c.expr;
            const Matrix Ht = (*t)->hessian(q), Hb = b->hessian(q);
            EXPECT_LT((Ht - Hb).norm() / (1.0 + Hb.norm()), 1e-12) << c.expr;
        }
    }
}

TEST(TypedLoss, TypedBuiltins_RunsMatchBuiltinRunsTo1e12) {
    // Through noether::simulate: discrete heavy ball with a kick, the ODE and gradient flow.
    struct RunCase {
        size_t typed_index;
        std::vector<double> q0, v0;
    };
    const auto cases = typed_cases();
    const RunCase runs[] = {{0, {-0.2, 0.5}, {0.3, -0.5}},    {1, {2.0, 0.3}, {0.1, 0.1}},
                            {2, {0.5, -1.0}, {0.2, 0.0}},     {4, {0.5, -1.0}, {0.0, 0.3}},
                            {5, {-0.416, 0.909}, {0.1, 0.1}}, {6, {1, 1, 1, 1}, {0.1, 0, 0, -0.1}},
                            {7, {1.0, 1.0}, {0.0, 0.1}}};
    for (const auto& r : runs) {
        const auto& c = cases[r.typed_index];
        Scene typed_scene;
        typed_scene.loss.name = "expr";
        typed_scene.loss.expr = c.expr;
        typed_scene.loss.constants = c.consts;
        typed_scene.q0 = Eigen::Map<const Vector>(r.q0.data(), static_cast<long>(r.q0.size()));
        typed_scene.v0 =
            Vector(Eigen::Map<const Vector>(r.v0.data(), static_cast<long>(r.v0.size())));
        typed_scene.rule.lr = 0.02;
        typed_scene.rule.momentum = 0.9;
        typed_scene.steps = 400;
        typed_scene.show_ode = true;
        typed_scene.show_flow = true;
        Scene builtin_scene = typed_scene;
        builtin_scene.loss = LossSpec{};
        builtin_scene.loss.name = c.name;
        builtin_scene.loss.eps = c.eps;
        builtin_scene.loss.params = c.params;
        auto rt = simulate(typed_scene);
        auto rb = simulate(builtin_scene);
        ASSERT_TRUE(rt.ok()) << c.expr << ": " << rt.error().what();
        ASSERT_TRUE(rb.ok());
        ASSERT_EQ((*rt)->trajectories.size(), 3u);
        for (size_t m = 0; m < 3; ++m) {
            const Trajectory& a = (*rt)->trajectories[m];
            const Trajectory& b = (*rb)->trajectories[m];
            ASSERT_EQ(a.samples(), b.samples()) << c.expr;
            const double dq = (a.q - b.q).cwiseAbs().maxCoeff();
            // The discrete rule agrees to rounding. The adaptive integrator may choose another
            // step after a one-ulp difference in the gradient, so the continuous models agree to
            // its tolerance (rtol 1e-11; 7.6e-12 seen on the valley's gradient flow).
            const double tol = a.model == Model::Discrete ? 1e-12 : 1e-10;
            EXPECT_LT(dq, tol) << c.expr << " model " << to_string(a.model);
            for (long i = 0; i < a.samples(); ++i)
                ASSERT_LT(std::abs(a.loss[i] - b.loss[i]), tol) << c.expr;
        }
    }
}

TEST(TypedLoss, EveryFunction_DerivativesMatchClosedForms) {
    // f(x), f'(x), f''(x) at x = q1 for each function of the language.
    struct F {
        std::string expr;
        double x;
        double f, d1, d2;
    };
    const double x = 0.37, e = std::exp(x), s = 1.0 / (1.0 + std::exp(-x));
    const double t = std::tan(x), th = std::tanh(x);
    const F table[] = {
        {"exp(q1)", x, e, e, e},
        {"log(q1)", x, std::log(x), 1 / x, -1 / (x * x)},
        {"sqrt(q1)", x, std::sqrt(x), 0.5 / std::sqrt(x), -0.25 / (x * std::sqrt(x))},
        {"sin(q1)", x, std::sin(x), std::cos(x), -std::sin(x)},
        {"cos(q1)", x, std::cos(x), -std::sin(x), -std::cos(x)},
        {"tan(q1)", x, t, 1 + t * t, 2 * t * (1 + t * t)},
        {"tanh(q1)", x, th, 1 - th * th, -2 * th * (1 - th * th)},
        {"cosh(q1)", x, std::cosh(x), std::sinh(x), std::cosh(x)},
        {"sinh(q1)", x, std::sinh(x), std::cosh(x), std::sinh(x)},
        {"pow(q1, 2.5)", x, std::pow(x, 2.5), 2.5 * std::pow(x, 1.5), 3.75 * std::sqrt(x)},
        {"q1^-3", x, std::pow(x, -3), -3 * std::pow(x, -4), 12 * std::pow(x, -5)},
        {"abs(q1)", -x, x, -1.0, 0.0},
        {"softplus(q1)", x, std::log1p(e), s, s * (1 - s)},
        {"sigmoid(q1)", x, s, s * (1 - s), s * (1 - s) * (1 - 2 * s)},
        {"logcosh(q1)", x, std::log(std::cosh(x)), th, 1 - th * th},
        {"2^q1", x, std::pow(2, x), std::log(2) * std::pow(2, x),
         std::log(2) * std::log(2) * std::pow(2, x)},
    };
    for (const auto& f : table) {
        auto l = typed(f.expr);
        ASSERT_TRUE(l.ok()) << f.expr << ": " << l.error().what();
        Vector q(1);
        q << f.x;
        EXPECT_LT(rel((*l)->value(q), f.f), 1e-14) << f.expr;
        EXPECT_LT(rel((*l)->gradient(q)[0], f.d1), 1e-14) << f.expr;
        EXPECT_LT(rel((*l)->hessian(q)(0, 0), f.d2), 1e-13) << f.expr;
    }
}

TEST(TypedLoss, StableFunctions_StayFiniteFarOut) {
    // softplus, sigmoid and logcosh are computed stably: no overflow at |x| = 800.
    auto l = typed("softplus(q1) + sigmoid(q1) + logcosh(q1)");
    ASSERT_TRUE(l.ok());
    for (double x : {-800.0, 800.0}) {
        Vector q(1);
        q << x;
        EXPECT_TRUE(std::isfinite((*l)->value(q)));
        EXPECT_TRUE((*l)->gradient(q).allFinite());
        EXPECT_TRUE((*l)->hessian(q).allFinite());
    }
}

TEST(TypedLoss, MixedExpressions_DerivativesPassFiniteDifferenceCheck) {
    const char* exprs[] = {
        "exp(-q1^2 - q2^2)*sin(3*q1*q2) + q3^4/(1 + q3^2)",
        "softplus(q1 - 2*q2) * sigmoid(q3) + abs(q1)^3",
        "pow(q1^2 + 1, q2/3) - tanh(q1*q2*q3) + cosh(q2)/sinh(q3 + 3)",
        "log(1 + q1^2 + q2^2) * sqrt(q3^2 + 2) + tan(q1/3)",
        "((q1 - q2)^2 + q3)^3 / 7 - 2*q1*q2*q3 + pi*q1",
    };
    std::mt19937_64 rng(3);
    std::normal_distribution<double> normal(0.0, 0.7);
    for (const char* e : exprs) {
        auto l = typed(e);
        ASSERT_TRUE(l.ok()) << e << ": " << l.error().what();
        for (int k = 0; k < 20; ++k) {
            Vector q(3);
            for (int i = 0; i < 3; ++i)
                q[i] = normal(rng);
            const Status s = check_derivatives(**l, q);
            EXPECT_TRUE(s.ok()) << e << ": " << (s.ok() ? "" : s.error().what());
        }
    }
}

namespace {
// A deliberately wrong loss: the gradient is off by 1e-3 in its second component.
class WrongGradient final : public Loss {
  public:
    WrongGradient() : Loss("wrong", 2, 0.0) {}
    std::string formula() const override { return "f = q1 q2^2"; }
    double value(VecRef q) const override { return q[0] * q[1] * q[1]; }
    void gradient(VecRef q, VecOut g) const override {
        g[0] = q[1] * q[1];
        g[1] = 2 * q[0] * q[1] + 1e-3;
    }
    void hessian(VecRef q, MatOut H) const override { H << 0, 2 * q[1], 2 * q[1], 2 * q[0]; }
};
}  // namespace

TEST(TypedLoss, CheckDerivatives_DetectsAWrongGradient) {
    WrongGradient w;
    Vector q(2);
    q << 0.4, -0.7;
    const Status s = check_derivatives(w, q);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("df/dq2"), std::string::npos) << s.error().message;
}

TEST(TypedLoss, Refusals_NameThePositionAndTheProblem) {
    struct Bad {
        std::string expr;
        int dim;
        int pos;
        std::string problem;
    };
    const Bad table[] = {
        {"", 0, 1, "empty"},
        {"   ", 0, 1, "empty"},
        {"q1 +", 0, 5, "ends too early"},
        {"q1 * * q2", 0, 6, "expected a number"},
        {"2q1", 0, 2, "expected an operator before 'q1'"},
        {"(q1 + q2", 0, 9, "missing ')' for the '(' at position 1"},
        {"q1 + q2)", 0, 8, "unmatched ')'"},
        {"exp(q1", 0, 7, "missing ')' to close exp("},
        {"foo(q1)", 0, 1, "unknown function 'foo'"},
        {"q1 + bar", 0, 6, "unknown name 'bar'"},
        {"exp + q1", 0, 1, "'exp' is a function"},
        {"pow(q1)", 0, 1, "'pow' takes 2 arguments (got 1)"},
        {"exp(q1, q2)", 0, 1, "'exp' takes 1 argument (got 2)"},
        {"sin()", 0, 1, "'sin' takes 1 argument (got 0)"},
        {"q0 + q1", 0, 1, "'q0' is not a parameter"},
        {"q1 + q9", 0, 6, "at most 8 parameters"},
        {"q1 + q3", 2, 6, "'q3' is beyond the dimension: the loss has 2 parameters"},
        {"q1 / 0", 0, 4, "division by zero"},
        {"q1 / (q2 - q2)", 0, 4, "division by zero"},
        {"q1 + log(0)", 0, 6, "'log(0)' is not a finite real number"},
        {"q1 + (-8)^0.5", 0, 10, "not real"},
        {"q1 * 1e999", 0, 6, "out of range"},
        {"q1 + 1e308*1e308", 0, 11, "overflows"},
        {"q1 $ q2", 0, 4, "unexpected character '$'"},
        {"q1 + \xc3\xa9", 0, 6, "unexpected character (byte 0xC3)"},
        {std::string("q1 +\0 q2", 8), 0, 5, "(byte 0x00)"},
        {"((q1^10)^10)^1000", 0, 13, "exponent too large"},
        {"3", 0, 1, "uses no parameter"},
        {"q1 + q2, q3", 0, 8, "expected an operator before ','"},
    };
    for (const auto& b : table) {
        auto r = typed(b.expr, {}, b.dim);
        ASSERT_FALSE(r.ok()) << "accepted: " << b.expr;
        EXPECT_EQ(r.error().field, "expr") << b.expr;
        EXPECT_EQ(expression_error_position(r.error()), b.pos)
            << b.expr << " -> " << r.error().message;
        EXPECT_NE(r.error().message.find(b.problem), std::string::npos)
            << b.expr << " -> " << r.error().message;
    }
}

TEST(TypedLoss, Limits_LengthDepthAndSizeAreRefusedNotCrashed) {
    // Longer than the limit.
    std::string longer(kMaxExpressionLength + 1, ' ');
    longer.replace(0, 2, "q1");
    auto r = typed(longer);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("longer than"), std::string::npos);
    EXPECT_EQ(expression_error_position(r.error()), static_cast<int>(kMaxExpressionLength) + 1);
    // Nested too deeply: parentheses, signs, calls and powers.
    const std::string deep[] = {std::string(100, '(') + "q1" + std::string(100, ')'),
                                std::string(100, '-') + "q1",
                                [] {
                                    std::string s;
                                    for (int i = 0; i < 100; ++i)
                                        s += "sin(";
                                    return s + "q1" + std::string(100, ')');
                                }(),
                                [] {
                                    std::string s = "q1";
                                    for (int i = 0; i < 100; ++i)
                                        s += "^q1";
                                    return s;
                                }()};
    for (const auto& d : deep) {
        auto x = typed(d);
        ASSERT_FALSE(x.ok());
        EXPECT_NE(x.error().message.find("nested too deeply"), std::string::npos)
            << x.error().message;
    }
    // Within the limits but too large to differentiate twice: refused quickly.
    std::string product;
    for (int i = 1; i < 150; ++i)
        product.append(i > 1 ? "*" : "").append("sin(q1+").append(std::to_string(i)).append(")");
    auto big = typed(product);
    ASSERT_FALSE(big.ok());
    EXPECT_NE(big.error().message.find("too complex"), std::string::npos);
    // A long but harmless sum is fine.
    std::string sum;
    for (int i = 1; i < 300; ++i)
        sum.append(i > 1 ? "+" : "").append("q").append(std::to_string(i % 8 + 1)).append("^2");
    EXPECT_TRUE(typed(sum).ok());
}

TEST(TypedLoss, Constants_ValidatedAndEpsResolved) {
    EXPECT_EQ(typed("q1 + 1x", {{"1x", 1.0}}).error().field, "const");
    EXPECT_EQ(typed("q1", {{"q2", 1.0}}).error().field, "const");
    EXPECT_EQ(typed("q1", {{"exp", 1.0}}).error().field, "const");
    EXPECT_EQ(typed("q1", {{"a", NAN}}).error().field, "const");
    // eps: from the spec, or from a constant; both and different is an error.
    LossSpec s;
    s.name = "expr";
    s.expr = "q1^2 + eps*q1";
    s.eps = 0.25;
    auto a = make_loss(s);
    ASSERT_TRUE(a.ok());
    EXPECT_DOUBLE_EQ((*a)->eps(), 0.25);
    Vector q(1);
    q << 2.0;
    EXPECT_DOUBLE_EQ((*a)->value(q), 4.5);
    s.constants["eps"] = 0.5;
    auto b = make_loss(s);
    ASSERT_FALSE(b.ok());
    EXPECT_EQ(b.error().field, "eps");
    s.eps = 0.0;
    auto c = make_loss(s);
    ASSERT_TRUE(c.ok());
    EXPECT_DOUBLE_EQ((*c)->value(q), 5.0);
    // A named constant.
    auto k = typed("c*q1^2", {{"c", 3.0}});
    ASSERT_TRUE(k.ok());
    EXPECT_DOUBLE_EQ((*k)->value(q), 12.0);
}

TEST(TypedLoss, Dimension_InferredOrGiven) {
    auto a = typed("q3^2");
    ASSERT_TRUE(a.ok());
    EXPECT_EQ((*a)->dim(), 3);
    auto b = typed("q1^2", {}, 4);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ((*b)->dim(), 4);
    Vector q = Vector::Constant(4, 0.5);
    EXPECT_EQ((*b)->gradient(q)[3], 0.0);
    EXPECT_EQ(typed("q1", {}, 9).error().field, "dim");
    auto c = typed("7", {}, 2);  // a constant loss is fine once the dimension is given
    ASSERT_TRUE(c.ok());
    EXPECT_EQ((*c)->gradient(Vector::Zero(2)).norm(), 0.0);
}

TEST(TypedLoss, SameExpression_GivesBitIdenticalResults) {
    // Two parses (with another expression in between) compile to the same arithmetic.
    const std::string e = "(q1^2+q2^2-1)^2/4 + 0.1*q1 + exp(q1*q2)/(1+q2^2)";
    auto a = typed(e);
    ASSERT_TRUE(typed("q2*q1 + q1^3 - sin(q2)").ok());
    auto b = typed(e);
    ASSERT_TRUE(a.ok() && b.ok());
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> u(-2, 2);
    for (int k = 0; k < 100; ++k) {
        Vector q(2);
        q << u(rng), u(rng);
        EXPECT_EQ((*a)->value(q), (*b)->value(q));
        EXPECT_EQ((*a)->gradient(q), (*b)->gradient(q));
        EXPECT_EQ((*a)->hessian(q), (*b)->hessian(q));
    }
}

TEST(TypedLoss, Evaluation_IsThreadSafe) {
    auto l = typed("sin(q1*q2) + softplus(q1 - q2)^2");
    ASSERT_TRUE(l.ok());
    const Loss& loss = **l;
    std::vector<double> sums(4, 0.0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            Vector q(2), g(2);
            double acc = 0;
            for (int k = 0; k < 20000; ++k) {
                q << 0.001 * k, -0.002 * k;
                loss.gradient(q, g);
                acc += g[0] + g[1] + loss.value(q);
            }
            sums[t] = acc;
            // Parsing in parallel too (GiNaC runs under a lock).
            EXPECT_TRUE(typed("q1^2 + cos(q2)").ok());
        });
    for (auto& th : threads)
        th.join();
    for (int t = 1; t < 4; ++t)
        EXPECT_EQ(sums[t], sums[0]);
}

TEST(TypedLoss, NonFiniteStart_RefusedBySceneValidation) {
    Scene sc;
    sc.loss.name = "expr";
    sc.loss.expr = "log(q1) + q2^2";
    sc.q0 = Vector(2);
    sc.q0 << -1.0, 0.5;
    auto r = simulate(sc);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "q0");
}

TEST(TypedLoss, Examples_ParseAndAreFiniteAtTheirStart) {
    ASSERT_GE(expression_examples().size(), 5u);
    for (const auto& ex : expression_examples()) {
        auto l = typed(ex.expr, ex.constants);
        ASSERT_TRUE(l.ok()) << ex.expr << ": " << l.error().what();
        const Vector q0 =
            Eigen::Map<const Vector>(ex.q0.data(), static_cast<Eigen::Index>(ex.q0.size()));
        ASSERT_EQ((*l)->dim(), q0.size()) << ex.expr;
        EXPECT_TRUE(std::isfinite((*l)->value(q0)));
        EXPECT_TRUE(check_derivatives(**l, q0).ok()) << ex.expr;
    }
    EXPECT_EQ(expression_functions().size(), 14u);
}

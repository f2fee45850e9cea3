// Typed losses (issue 5): cost of one gradient of a typed 2-D loss on the compiled tape, against
// the closed-form built-in it reproduces; and the Hessian, value, and the one-off compile.
#include <benchmark/benchmark.h>

#include "noether/loss.hpp"

namespace {

using namespace noether;

std::shared_ptr<const Loss> loss(const char* name, const char* expr = "") {
    LossSpec s;
    s.name = name;
    s.expr = expr;
    s.constants = {{"eps", 0.1}};
    if (std::string(name) != "expr") s.eps = 0.1;
    return make_loss(s).value();
}

constexpr const char* kHat = "(q1^2+q2^2-1)^2/4 + eps*q1";
constexpr const char* kValley = "(q1 - q2 - 1)^2/2 + eps*logcosh(q1 + q2)";

void gradient(benchmark::State& st, std::shared_ptr<const Loss> f) {
    Vector q(2), g(2);
    q << 0.6, 0.5;
    for (auto _ : st) {
        f->gradient(q, g);
        benchmark::DoNotOptimize(g.data());
        q[0] += 1e-12;  // a new point every time
    }
}
void hessian(benchmark::State& st, std::shared_ptr<const Loss> f) {
    Vector q(2);
    Matrix H(2, 2);
    q << 0.6, 0.5;
    for (auto _ : st) {
        f->hessian(q, H);
        benchmark::DoNotOptimize(H.data());
        q[0] += 1e-12;
    }
}
void value(benchmark::State& st, std::shared_ptr<const Loss> f) {
    Vector q(2);
    q << 0.6, 0.5;
    for (auto _ : st) {
        benchmark::DoNotOptimize(f->value(q));
        q[0] += 1e-12;
    }
}

void BM_GradientBuiltinRotationHat(benchmark::State& st) {
    gradient(st, loss("rotation_hat"));
}
void BM_GradientTypedRotationHat(benchmark::State& st) {
    gradient(st, loss("expr", kHat));
}
void BM_GradientBuiltinTranslationValley(benchmark::State& st) {
    gradient(st, loss("translation_valley"));
}
void BM_GradientTypedTranslationValley(benchmark::State& st) {
    gradient(st, loss("expr", kValley));
}
void BM_HessianBuiltinRotationHat(benchmark::State& st) {
    hessian(st, loss("rotation_hat"));
}
void BM_HessianTypedRotationHat(benchmark::State& st) {
    hessian(st, loss("expr", kHat));
}
void BM_ValueTypedRotationHat(benchmark::State& st) {
    value(st, loss("expr", kHat));
}

// Parse, differentiate twice, compile and verify: what the loss editor pays per keystroke.
void BM_CompileTypedRotationHat(benchmark::State& st) {
    LossSpec s;
    s.name = "expr";
    s.expr = kHat;
    s.constants = {{"eps", 0.1}};
    for (auto _ : st)
        benchmark::DoNotOptimize(make_loss(s).ok());
}

}  // namespace

BENCHMARK(BM_GradientBuiltinRotationHat);
BENCHMARK(BM_GradientTypedRotationHat);
BENCHMARK(BM_GradientBuiltinTranslationValley);
BENCHMARK(BM_GradientTypedTranslationValley);
BENCHMARK(BM_HessianBuiltinRotationHat);
BENCHMARK(BM_HessianTypedRotationHat);
BENCHMARK(BM_ValueTypedRotationHat);
BENCHMARK(BM_CompileTypedRotationHat)->Unit(benchmark::kMicrosecond);

// BM_Sweep (issue #6): the regime-map sweep of rotation_hat with weight decay, final-loss metric,
// 1,000 heavy-ball steps per cell, over n x n cells of (eta log-spaced in [1e-3, 2], beta in
// [0, 0.99]) on 1 or 2 threads. items = trajectory-steps. The NumPy peer is
// bench/python/sweep_peer.py (same grid, same arithmetic).
//
// BM_PeakMulAdd measures the machine's attainable non-FMA double-precision rate (independent
// vector multiplies and adds in equal numbers, the same ISA dispatch as the sweep kernel; FMA
// contraction is off project-wide), the reference for "what the arithmetic alone allows".
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "noether/sweep.hpp"

namespace {

noether::SweepSpec bench_spec(long n, long steps) {
    noether::SweepSpec s;
    s.base.loss.name = "rotation_hat";
    s.base.rule.weight_decay = 1e-3;
    s.base.q0 = noether::Vector(2);
    s.base.q0 << 0.6, 0.5;
    s.base.v0 = noether::Vector(2);
    *s.base.v0 << 0.3, -0.5;
    s.base.steps = steps;
    s.x =
        noether::make_axis(noether::SweepParam::LearningRate, 1e-3, 2.0, n, noether::AxisScale::Log)
            .value();
    s.y = noether::make_axis(noether::SweepParam::Momentum, 0.0, 0.99, n).value();
    s.metrics = {noether::SweepMetric::FinalLoss};
    return s;
}

void BM_Sweep(benchmark::State& state) {
    const long n = state.range(0), steps = 1000;
    const noether::SweepSpec spec = bench_spec(n, steps);
    noether::SweepOptions opt;
    opt.threads = static_cast<int>(state.range(1));
    double checksum = 0.0, diverged = 0.0;
    for (auto _ : state) {
        auto r = noether::run_sweep(spec, opt);
        if (!r) {
            state.SkipWithError(r.error().what().c_str());
            return;
        }
        checksum = 0.0;
        diverged = 0.0;
        for (double v : r->values[0])
            if (std::isfinite(v)) checksum += v;
        for (long d : r->diverged_at)
            diverged += d >= 0;
        benchmark::DoNotOptimize(checksum);
    }
    state.SetItemsProcessed(state.iterations() * n * n * steps);
    state.counters["sum_final_loss"] = checksum;
    state.counters["diverged_cells"] = diverged;
}
BENCHMARK(BM_Sweep)
    ->ArgNames({"n", "threads"})
    ->ArgsProduct({{64, 128, 256}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// The CSV of the 256² sweep (what `noetherlab-cli sweep` writes): sweep_csv as built (numbers by
// std::to_chars with precision 17), beside the previous formatter (snprintf "%.17g" into a
// std::string per number) on the same result, in one run. Items = numbers written.
const noether::SweepResult& sweep_256() {
    static const noether::SweepResult r = noether::run_sweep(bench_spec(256, 1000), {}).value();
    return r;
}

void BM_SweepCsv(benchmark::State& state) {
    const noether::SweepResult& r = sweep_256();
    size_t bytes = 0;
    for (auto _ : state) {
        const std::string csv = noether::sweep_csv(r);
        bytes = csv.size();
        benchmark::DoNotOptimize(csv.data());
    }
    state.SetItemsProcessed(state.iterations() * r.cells() * 3);
    state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_SweepCsv)->Unit(benchmark::kMillisecond);

// What the CLI does since it streams: 64 KiB pieces into one reused buffer, no 4 MB string.
void BM_SweepCsvChunks(benchmark::State& state) {
    const noether::SweepResult& r = sweep_256();
    size_t bytes = 0;
    for (auto _ : state) {
        bytes = 0;
        noether::sweep_csv_chunks(r, [&bytes](const char* data, std::size_t size) {
            benchmark::DoNotOptimize(data);
            bytes += size;
            return true;
        });
    }
    state.SetItemsProcessed(state.iterations() * r.cells() * 3);
    state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_SweepCsvChunks)->Unit(benchmark::kMillisecond);

std::string snprintf17(double x) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", x);
    return buf;
}

void BM_SweepCsvSnprintf(benchmark::State& state) {
    const noether::SweepResult& r = sweep_256();
    size_t bytes = 0;
    for (auto _ : state) {
        std::string csv = "lr,momentum,final_loss\n";
        for (long ix = 0; ix < static_cast<long>(r.x.values.size()); ++ix)
            for (long iy = 0; iy < static_cast<long>(r.y.values.size()); ++iy) {
                csv.append(snprintf17(r.x.values[ix])).append(",");
                csv.append(snprintf17(r.y.values[iy]));
                const double v = r.values[0][r.index(ix, iy)];
                csv.append(",").append(std::isnan(v) ? std::string("nan") : snprintf17(v));
                csv.append("\n");
            }
        bytes = csv.size();
        benchmark::DoNotOptimize(csv.data());
    }
    state.SetItemsProcessed(state.iterations() * r.cells() * 3);
    state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_SweepCsvSnprintf)->Unit(benchmark::kMillisecond);

typedef double Vec8 __attribute__((vector_size(64)));

// 8 multiply chains and 8 add chains: enough independent work to fill every FP pipe.
__attribute__((target_clones("avx512f", "avx2", "default"), noinline)) double mul_add_peak(
    long iters) {
    Vec8 m[8], a[8];
    for (int j = 0; j < 8; ++j)
        for (int l = 0; l < 8; ++l) {
            m[j][l] = 1.0 + 0.01 * (8 * j + l);
            a[j][l] = 0.5 * (8 * j + l);
        }
    Vec8 f, d;
    for (int l = 0; l < 8; ++l) {
        f[l] = 0.9999999;
        d[l] = 1e-9;
    }
    for (long it = 0; it < iters; ++it) {
        m[0] *= f, m[1] *= f, m[2] *= f, m[3] *= f, m[4] *= f, m[5] *= f, m[6] *= f, m[7] *= f;
        a[0] += d, a[1] += d, a[2] += d, a[3] += d, a[4] += d, a[5] += d, a[6] += d, a[7] += d;
    }
    double s = 0.0;
    for (int j = 0; j < 8; ++j)
        for (int l = 0; l < 8; ++l)
            s += m[j][l] + a[j][l];
    return s;
}

void BM_PeakMulAdd(benchmark::State& state) {
    const long iters = 1'000'000;
    for (auto _ : state)
        benchmark::DoNotOptimize(mul_add_peak(iters));
    // 16 vector operations of 8 doubles per iteration.
    state.SetItemsProcessed(state.iterations() * iters * 16 * 8);
}
BENCHMARK(BM_PeakMulAdd)->ThreadRange(1, 2)->UseRealTime();

}  // namespace

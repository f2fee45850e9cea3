// BM_NetworkStep (issue #15): a 2-W-1 ReLU network on N `moons` points, full batch, SGD with
// momentum 0.9 and weight decay 0.01 (lr 0.05), through simulate_network(): every step the
// rule.hpp step on the batch's loss (forward + backprop), the loss, |grad f|, |q|², and for every
// generator (W rescales) J, its four budget terms and Q. items_per_second = optimizer steps per
// second. Arguments: width W, data size N. The PyTorch peer (bench/python/network_peer.py) runs
// the same loop with autograd + torch.optim in float64.
#include <benchmark/benchmark.h>

#include "noether/network_run.hpp"

namespace {

void BM_NetworkStep(benchmark::State& state) {
    noether::NetworkScene ns;
    ns.net.widths = {2, static_cast<int>(state.range(0)), 1};
    ns.net.activation = noether::Activation::Relu;
    ns.data.name = "moons";
    ns.data.n = state.range(1);
    ns.scene.rule.lr = 0.05;
    ns.scene.rule.momentum = 0.9;
    ns.scene.rule.weight_decay = 0.01;
    ns.scene.steps = 200;
    double checksum = 0.0;
    for (auto _ : state) {
        auto r = noether::simulate_network(ns);
        if (!r) {
            state.SkipWithError(r.error().what().c_str());
            return;
        }
        const auto& tr = (*r)->run->trajectories[0];
        checksum += tr.loss.back() + tr.charges[0].J.back();
        benchmark::DoNotOptimize(checksum);
    }
    state.SetItemsProcessed(state.iterations() * (ns.scene.steps + 1));
}
BENCHMARK(BM_NetworkStep)
    ->Args({32, 256})
    ->Args({8, 256})
    ->Args({64, 256})
    ->Args({128, 256})
    ->Args({256, 256})
    ->Args({32, 64})
    ->Args({32, 1024})
    ->Args({32, 4096})
    ->Unit(benchmark::kMillisecond);

}  // namespace

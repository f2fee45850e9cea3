// BM_HeavyBall2D (issue #2): heavy ball (SGD, momentum 0.9, weight decay 0.01, a kick) on
// rotation_hat with the engine's stepper noether::step(), recording q_n, f(q_n) and the displayed
// rotation charge J_n = ((1+beta)/2) <q_{n+1} - q_n, A q_n> (PHYSICS.md §0.3) every step into
// preallocated arrays. items_per_second = optimizer steps per second. The Python + NumPy peer
// (bench/python/heavy_ball_peer.py) runs the same loop; scripts/bench.sh runs both.
// BM_HeavyBall2D_SimulateModel is the full discrete Run: also velocity, |grad f|, |q|^2, the four
// NLD budget terms of the charge (§2.1) and the closed-form law J_0 beta^n (§2.3).
#include <benchmark/benchmark.h>

#include <vector>

#include "noether/phase.hpp"
#include "noether/rule.hpp"
#include "noether/run.hpp"

namespace {

noether::Scene heavy_ball_scene(long steps) {
    noether::Scene sc;
    sc.loss.name = "rotation_hat";
    sc.rule.rule = noether::Rule::Sgd;
    sc.rule.lr = 0.01;
    sc.rule.momentum = 0.9;
    sc.rule.weight_decay = 0.01;
    sc.q0 = noether::Vector(2);
    sc.q0 << 0.6, 0.5;
    sc.v0 = noether::Vector(2);
    *sc.v0 << 0.3, -0.5;
    sc.steps = steps;
    return sc;
}

void BM_HeavyBall2D(benchmark::State& state) {
    const long steps = state.range(0);
    const noether::Scene sc = heavy_ball_scene(steps);
    auto made = noether::make_loss(sc.loss);
    if (!made) {
        state.SkipWithError(made.error().what().c_str());
        return;
    }
    const noether::Loss& loss = *made.value();
    const noether::Generator& rotation = loss.generators().front();
    const double c = 0.5 * (1.0 + sc.rule.momentum);
    noether::Matrix Q(2, steps + 1);
    std::vector<double> f(steps + 1), J(steps + 1);
    noether::Vector q(2), xi(2);
    double checksum = 0.0;
    for (auto _ : state) {
        noether::OptimizerState st = noether::make_state(sc.rule, sc.q0, &*sc.v0);
        for (long n = 0; n <= steps; ++n) {
            q = st.q;
            Q.col(n) = q;
            f[n] = loss.value(q);
            noether::step(loss, sc.rule, st);
            xi.noalias() = rotation.A * q;
            J[n] = c * (st.q - q).dot(xi);
        }
        checksum = f[steps] + J[steps];
        benchmark::DoNotOptimize(checksum);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * (steps + 1));
    state.counters["final_loss_plus_J"] = checksum;
}
BENCHMARK(BM_HeavyBall2D)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_HeavyBall2D_SimulateModel(benchmark::State& state) {
    const long steps = state.range(0);
    const noether::Scene sc = heavy_ball_scene(steps);
    auto loss = noether::make_loss(sc.loss);
    if (!loss) {
        state.SkipWithError(loss.error().what().c_str());
        return;
    }
    double checksum = 0.0;
    for (auto _ : state) {
        const noether::Trajectory tr =
            noether::simulate_model(sc, *loss.value(), noether::Model::Discrete);
        checksum = tr.loss.back() + tr.charges.front().J.back();
        benchmark::DoNotOptimize(checksum);
    }
    state.SetItemsProcessed(state.iterations() * (steps + 1));
    state.counters["final_loss_plus_J"] = checksum;
}
BENCHMARK(BM_HeavyBall2D_SimulateModel)->Arg(10000)->Unit(benchmark::kMillisecond);

// The app's default scene (issue #3's interaction benchmark): rotation_hat from (0.6, 0.5) with
// the kick (0.3, -0.5), SGD eta = 0.01, beta = 0.9, 10^4 steps. One model per argument
// (0 discrete, 1 implicit-acceleration ODE, 3 gradient flow), and the whole simulate() with all
// three, which is what every slider change costs the engine.
noether::Scene default_app_scene() {
    noether::Scene s;
    s.loss.name = "rotation_hat";
    s.q0 = noether::Vector(2);
    s.q0 << 0.6, 0.5;
    noether::Vector v0(2);
    v0 << 0.3, -0.5;
    s.v0 = v0;
    s.rule.rule = noether::Rule::Sgd;
    s.rule.lr = 0.01;
    s.rule.momentum = 0.9;
    s.steps = 10000;
    s.show_discrete = s.show_ode = s.show_flow = true;
    return s;
}

void BM_DefaultSceneModel(benchmark::State& state) {
    const noether::Scene sc = default_app_scene();
    auto loss = noether::make_loss(sc.loss);
    const auto model = static_cast<noether::Model>(state.range(0));
    for (auto _ : state) {
        const noether::Trajectory tr = noether::simulate_model(sc, *loss.value(), model);
        benchmark::DoNotOptimize(tr.loss.back());
    }
}
BENCHMARK(BM_DefaultSceneModel)
    ->Arg(static_cast<int>(noether::Model::Discrete))
    ->Arg(static_cast<int>(noether::Model::Ode))
    ->Arg(static_cast<int>(noether::Model::Flow))
    ->Unit(benchmark::kMillisecond);

void BM_DefaultSceneSimulate(benchmark::State& state) {
    const noether::Scene sc = default_app_scene();
    for (auto _ : state) {
        auto run = noether::simulate(sc);
        benchmark::DoNotOptimize(run.value()->trajectories.size());
    }
}
BENCHMARK(BM_DefaultSceneSimulate)->Unit(benchmark::kMillisecond)->UseRealTime();

// The phase portrait's curves of the default run (angle against its rate, three models): what
// the phase chart computes per slider change before decimating.
void BM_DefaultScenePhaseCurves(benchmark::State& state) {
    const noether::Scene sc = default_app_scene();
    auto run = noether::simulate(sc).value();
    const noether::PhaseCoordinate c = noether::phase_coordinates(*run->loss).front();
    for (auto _ : state)
        for (const noether::Trajectory& tr : run->trajectories) {
            const noether::PhaseCurve pc = noether::phase_curve(tr, c);
            benchmark::DoNotOptimize(pc.x.data());
        }
    state.SetLabel(c.id);
}
BENCHMARK(BM_DefaultScenePhaseCurves)->Unit(benchmark::kMicrosecond);

}  // namespace

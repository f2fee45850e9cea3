// Laws of the batched hyperparameter sweep (issue #6): cells equal single simulate() runs bit for
// bit, any thread count gives the same bits, the quadratic's divergence boundary is
// eta lambda_max = 2(1+beta) (PHYSICS.md §5.7), the rotation charge decays at -ln beta (§2.3),
// cancel leaves nothing, and bad ranges are refused by name.
#include <gtest/gtest.h>

#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

#include "noether/run.hpp"
#include "noether/sweep.hpp"

namespace noether {
namespace {

SweepSpec base_spec(const std::string& loss, std::vector<double> q0, long steps) {
    SweepSpec s;
    s.base.loss.name = loss;
    s.base.q0 = Eigen::Map<const Vector>(q0.data(), static_cast<Eigen::Index>(q0.size()));
    s.base.steps = steps;
    return s;
}

SweepAxis axis(SweepParam p, std::vector<double> v) {
    return SweepAxis{p, std::move(v), AxisScale::Linear};
}

SweepResult run_ok(const SweepSpec& s, SweepOptions opt = {}) {
    auto r = run_sweep(s, opt);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().what());
    return r.ok() ? std::move(r).value() : SweepResult{};
}

// The discrete trajectory of one cell, as simulate() computes it.
Trajectory single_run(const SweepSpec& s, long ix, long iy) {
    Scene sc = cell_scene(s, ix, iy);
    auto loss = make_loss(sc.loss);
    EXPECT_TRUE(loss.ok());
    return simulate_model(sc, *loss.value(), Model::Discrete);
}

uint64_t bits(double x) {
    return std::bit_cast<uint64_t>(x);
}

// Every metric the batched path supports, checked cell by cell against simulate().
void expect_cells_equal_simulate(const SweepSpec& spec) {
    const SweepResult r = run_ok(spec);
    ASSERT_EQ(r.cells(), static_cast<long>(spec.x.values.size() * spec.y.values.size()));
    EXPECT_TRUE(r.batched) << spec.base.loss.name;
    const auto* fl = r.metric(SweepMetric::FinalLoss);
    const auto* ng = r.metric(SweepMetric::NormGrowth);
    const auto* el = r.metric(SweepMetric::EffectiveLr);
    ASSERT_TRUE(fl && ng && el);
    long compared = 0;
    for (long ix = 0; ix < static_cast<long>(r.x.values.size()); ++ix) {
        for (long iy = 0; iy < static_cast<long>(r.y.values.size()); ++iy) {
            const long c = r.index(ix, iy);
            const Trajectory tr = single_run(spec, ix, iy);
            const long N = spec.base.steps;
            // simulate() takes one extra step for the last velocity: compare where it kept q_N.
            if (tr.samples() < N + 1) {
                if (tr.diverged_at <= N) {
                    EXPECT_EQ(r.diverged_at[c], tr.diverged_at) << "cell " << ix << "," << iy;
                    EXPECT_TRUE(std::isnan((*fl)[c]));
                }
                continue;
            }
            EXPECT_EQ(r.diverged_at[c], -1);
            EXPECT_EQ((*fl)[c], tr.loss[N]) << spec.base.loss.name << " cell " << ix << "," << iy;
            EXPECT_EQ((*ng)[c], tr.r2[N] - tr.r2[0]);
            EXPECT_EQ((*el)[c], cell_scene(spec, ix, iy).rule.lr / tr.r2[N]);
            ++compared;
        }
    }
    EXPECT_GT(compared, 0);
}

std::vector<SweepMetric> exact_metrics() {
    return {SweepMetric::FinalLoss, SweepMetric::NormGrowth, SweepMetric::EffectiveLr};
}

TEST(Sweep, CellsAgreeExactlyWithSingleSimulateRuns_RotationHatWithKickAndWeightDecay) {
    SweepSpec s = base_spec("rotation_hat", {0.6, 0.5}, 300);
    s.base.v0 = Vector(2);
    *s.base.v0 << 0.3, -0.5;
    s.base.rule.weight_decay = 0.01;
    s.x = axis(SweepParam::LearningRate, {0.003, 0.05, 0.4, 1.7});
    s.y = axis(SweepParam::Momentum, {0.0, 0.5, 0.9, 0.99});
    s.metrics = exact_metrics();
    expect_cells_equal_simulate(s);
}

TEST(Sweep, CellsAgreeExactlyWithSingleSimulateRuns_EveryBatchedLoss) {
    struct Case {
        std::string loss;
        std::vector<double> q0;
        double eps;
    };
    for (const Case& c :
         {Case{"rotation_hat", {-0.2, 0.5}, 0.1}, Case{"scale_cos", {-0.4, 0.9}, 0.0},
          Case{"scale_cos", {-0.4, 0.9}, 1e-3}, Case{"translation_valley", {0.5, -1.0}, 0.0},
          Case{"translation_valley", {0.5, -1.0}, 0.2}, Case{"rescale_2d", {2.0, 0.3}, 0.0},
          Case{"rescale_2d", {3.0, -0.2}, 0.05}, Case{"quadratic", {1.0, 1.0}, 0.0}}) {
        SweepSpec s = base_spec(c.loss, c.q0, 200);
        s.base.loss.eps = c.eps;
        s.base.rule.weight_decay = 0.003;
        s.x = axis(SweepParam::LearningRate, {0.01, 0.1, 0.3});
        s.y = axis(SweepParam::Momentum, {0.0, 0.7, 0.95});
        s.metrics = exact_metrics();
        SCOPED_TRACE(c.loss);
        expect_cells_equal_simulate(s);
    }
}

TEST(Sweep, CellsAgreeExactlyWithSingleSimulateRuns_NesterovAndEpsAxis) {
    SweepSpec s = base_spec("rotation_hat", {-0.2, 0.5}, 250);
    s.base.rule.nesterov = true;
    s.base.rule.momentum = 0.9;
    s.base.rule.weight_decay = 1e-3;
    s.x = axis(SweepParam::LearningRate, {0.01, 0.2});
    s.y = axis(SweepParam::Eps, {0.0, 0.05, 0.3});
    s.metrics = exact_metrics();
    expect_cells_equal_simulate(s);
}

TEST(Sweep, CellsAgreeExactlyWithSingleSimulateRuns_WeightDecayAxis) {
    SweepSpec s = base_spec("scale_cos", {std::cos(2.0), std::sin(2.0)}, 300);
    s.base.rule.momentum = 0.5;
    s.x = axis(SweepParam::WeightDecay, {0.0, 0.01, 0.1});
    s.y = axis(SweepParam::LearningRate, {0.02, 0.2});
    s.metrics = exact_metrics();
    expect_cells_equal_simulate(s);
}

TEST(Sweep, PerCellPathAgreesWithSimulateForOtherLossesAndRules) {
    // rayleigh (4-D) and Adam: the generic noether::step() path.
    for (Rule rule : {Rule::Sgd, Rule::Adam, Rule::RmsProp}) {
        SweepSpec s = base_spec("rayleigh", {1.0, 1.0, 1.0, 1.0}, 150);
        s.base.rule.rule = rule;
        s.base.rule.weight_decay = 0.01;
        s.x = axis(SweepParam::LearningRate, {0.01, 0.1});
        s.y = axis(SweepParam::Momentum, {0.0, 0.8});
        s.metrics = exact_metrics();
        const SweepResult r = run_ok(s);
        EXPECT_FALSE(r.batched);
        for (long ix = 0; ix < 2; ++ix)
            for (long iy = 0; iy < 2; ++iy) {
                const Trajectory tr = single_run(s, ix, iy);
                ASSERT_EQ(tr.samples(), s.base.steps + 1);
                EXPECT_EQ((*r.metric(SweepMetric::FinalLoss))[r.index(ix, iy)], tr.loss.back());
                EXPECT_EQ((*r.metric(SweepMetric::NormGrowth))[r.index(ix, iy)],
                          tr.r2.back() - tr.r2.front());
            }
    }
}

// Every metric of both paths, compared bit for bit (NaN included).
TEST(Sweep, BatchedAndPerCellPathsGiveIdenticalBitsForEveryCheapMetric) {
    const std::vector<SweepMetric> metrics = {
        SweepMetric::FinalLoss,           SweepMetric::StepsToTol,
        SweepMetric::DivergedAt,          SweepMetric::ChargeDecayRate,
        SweepMetric::ChargeDecayRatePred, SweepMetric::NormGrowth,
        SweepMetric::EffectiveLr,         SweepMetric::Eq17Error};
    for (const std::string loss :
         {"rotation_hat", "scale_cos", "translation_valley", "rescale_2d", "quadratic"})
        for (double eps : {0.0, 0.05}) {
            SweepSpec s = base_spec(loss, {0.6, 0.5}, 400);
            s.base.loss.eps = eps;
            s.base.v0 = Vector(2);
            *s.base.v0 << 0.3, -0.5;
            s.base.rule.weight_decay = 0.01;
            s.tol = 0.02;  // crossed mid-run by many cells
            s.x = axis(SweepParam::LearningRate, {0.01, 0.1, 0.8, 3.0});
            s.y = axis(SweepParam::Momentum, {0.0, 0.5, 0.9});
            s.metrics = metrics;
            SweepOptions per_cell;
            per_cell.force_per_cell = true;
            const SweepResult a = run_ok(s), b = run_ok(s, per_cell);
            EXPECT_TRUE(a.batched);
            EXPECT_FALSE(b.batched);
            for (size_t m = 0; m < metrics.size(); ++m)
                for (long c = 0; c < a.cells(); ++c)
                    EXPECT_EQ(bits(a.values[m][c]), bits(b.values[m][c]))
                        << loss << " eps " << eps << " " << to_string(metrics[m]) << " cell " << c
                        << ": " << a.values[m][c] << " vs " << b.values[m][c];
            EXPECT_EQ(a.diverged_at, b.diverged_at);
            long reached = 0;
            for (double v : a.values[1])
                reached += v > 0.0;
            EXPECT_GT(reached, 3) << loss << " eps " << eps;
        }
}

TEST(Sweep, IdenticalBitsForOneTwoAndThreeThreads) {
    for (bool per_cell : {false, true}) {
        SweepSpec s = base_spec("rotation_hat", {0.6, 0.5}, 200);
        s.base.v0 = Vector(2);
        *s.base.v0 << 0.3, -0.5;
        s.base.rule.weight_decay = 0.01;
        // 23 x 29 cells: not a multiple of the block or of the thread count.
        s.x = make_axis(SweepParam::LearningRate, 1e-3, 2.0, 23, AxisScale::Log).value();
        s.y = make_axis(SweepParam::Momentum, 0.0, 0.99, 29).value();
        s.metrics = {SweepMetric::FinalLoss, SweepMetric::StepsToTol, SweepMetric::DivergedAt,
                     SweepMetric::ChargeDecayRate};
        std::vector<SweepResult> rs;
        for (int t : {1, 2, 3}) {
            SweepOptions opt;
            opt.threads = t;
            opt.force_per_cell = per_cell;
            rs.push_back(run_ok(s, opt));
        }
        EXPECT_EQ(rs[2].threads, 3);
        for (size_t i = 1; i < rs.size(); ++i) {
            EXPECT_EQ(rs[i].diverged_at, rs[0].diverged_at);
            for (size_t m = 0; m < s.metrics.size(); ++m)
                for (long c = 0; c < rs[0].cells(); ++c)
                    ASSERT_EQ(bits(rs[i].values[m][c]), bits(rs[0].values[m][c]))
                        << "threads " << i + 1 << " metric " << to_string(s.metrics[m]);
        }
    }
}

TEST(Sweep, QuadraticStabilityBoundaryIsEtaLambdaMaxEqualsTwoOnePlusBeta) {
    // f = (q1^2 + 10 q2^2)/2: heavy ball diverges iff eta lambda_max > 2(1+beta) (§5.7).
    SweepSpec s = base_spec("quadratic", {1.0, 1.0}, 2000);
    const double lambda = 10.0;
    const long n_eta = 400;
    s.x = make_axis(SweepParam::LearningRate, 0.001, 0.4, n_eta).value();
    s.y = make_axis(SweepParam::Momentum, 0.0, 0.9, 10).value();
    s.metrics = {SweepMetric::DivergedAt};
    const SweepResult r = run_ok(s);
    const double d_eta = (0.4 - 0.001) / static_cast<double>(n_eta - 1);
    for (long iy = 0; iy < 10; ++iy) {
        const double beta = r.y.values[iy];
        const double eta_star = 2.0 * (1.0 + beta) / lambda;
        long last_stable = -1;
        for (long ix = 0; ix < n_eta; ++ix)
            if (r.diverged_at[r.index(ix, iy)] < 0) last_stable = ix;
        ASSERT_GE(last_stable, 0);
        // Stable below the line, diverged above it, with one grid step of slack.
        EXPECT_NEAR(r.x.values[last_stable], eta_star, d_eta) << "beta " << beta;
        for (long ix = 0; ix < n_eta; ++ix) {
            const double eta = r.x.values[ix];
            if (eta < eta_star - d_eta) {
                EXPECT_LT(r.diverged_at[r.index(ix, iy)], 0);
            }
            if (eta > eta_star + d_eta) {
                EXPECT_GT(r.diverged_at[r.index(ix, iy)], 0);
            }
        }
    }
    // The overlay lies on the same line.
    auto ov = sweep_overlays(s);
    ASSERT_TRUE(ov.ok());
    const SweepOverlay* stab = nullptr;
    for (const auto& o : *ov)
        if (o.name == "stability_limit") stab = &o;
    ASSERT_TRUE(stab);
    EXPECT_DOUBLE_EQ(stab->curvature, lambda);
    ASSERT_EQ(stab->lines.size(), 1u);
    ASSERT_GT(stab->lines[0].x.size(), 100u);
    for (size_t i = 0; i < stab->lines[0].x.size(); ++i)
        EXPECT_NEAR(stab->lines[0].x[i], 2.0 * (1.0 + stab->lines[0].y[i]) / lambda, 1e-12);
}

TEST(Sweep, RotationChargeDecaysAtMinusLogBeta) {
    // With a kick, L_n = beta^n L_0 exactly for every k (§2.3).
    SweepSpec s = base_spec("rotation_hat", {0.6, 0.5}, 500);
    s.base.v0 = Vector(2);
    *s.base.v0 << 0.3, -0.5;
    s.base.rule.weight_decay = 0.01;
    s.x = axis(SweepParam::LearningRate, {0.005, 0.02});
    s.y = axis(SweepParam::Momentum, {0.5, 0.9, 0.97});
    s.metrics = {SweepMetric::ChargeDecayRate, SweepMetric::ChargeDecayRatePred};
    const SweepResult r = run_ok(s);
    for (long ix = 0; ix < 2; ++ix)
        for (long iy = 0; iy < 3; ++iy) {
            const long c = r.index(ix, iy);
            const double pred = -std::log(r.y.values[iy]);
            EXPECT_EQ(r.values[1][c], pred);
            EXPECT_NEAR(r.values[0][c], pred, 1e-6 * pred);
        }
    // Without a kick or tilt the charge is identically zero: no rate.
    s.base.v0.reset();
    const SweepResult z = run_ok(s);
    for (long c = 0; c < z.cells(); ++c)
        EXPECT_TRUE(std::isnan(z.values[0][c]));
}

TEST(Sweep, TranslationChargePredictionIsHeavyBallOnKXSquared) {
    SweepSpec s = base_spec("translation_valley", {0.5, -1.0}, 3000);
    s.base.v0 = Vector(2);
    *s.base.v0 << 0.2, 0.4;
    s.base.rule.weight_decay = 0.05;
    s.x = axis(SweepParam::LearningRate, {0.05, 0.2});
    s.y = axis(SweepParam::Momentum, {0.0, 0.6});
    s.metrics = {SweepMetric::ChargeDecayRate, SweepMetric::ChargeDecayRatePred};
    const SweepResult r = run_ok(s);
    for (long c = 0; c < r.cells(); ++c)
        EXPECT_NEAR(r.values[0][c], r.values[1][c], 2e-3 * r.values[1][c]) << c;
}

TEST(Sweep, StepsToTolIsTheFirstSampleWithinTolerance) {
    SweepSpec s = base_spec("rotation_hat", {0.6, 0.5}, 400);
    s.base.rule.weight_decay = 0.0;
    s.tol = 1e-6;
    s.x = axis(SweepParam::LearningRate, {0.001, 0.05, 0.3});
    s.y = axis(SweepParam::Momentum, {0.0, 0.9});
    s.metrics = {SweepMetric::StepsToTol};
    const SweepResult r = run_ok(s);
    long reached = 0;
    for (long ix = 0; ix < 3; ++ix)
        for (long iy = 0; iy < 2; ++iy) {
            const Trajectory tr = single_run(s, ix, iy);
            double expect = std::numeric_limits<double>::quiet_NaN();
            for (long n = 0; n <= s.base.steps && n < tr.samples(); ++n)
                if (tr.loss[n] < s.tol) {
                    expect = static_cast<double>(n);
                    break;
                }
            EXPECT_EQ(bits(r.values[0][r.index(ix, iy)]), bits(expect));
            reached += !std::isnan(expect);
        }
    EXPECT_GT(reached, 0);
    EXPECT_LT(reached, 6);  // the smallest lr does not get there in 400 steps
}

TEST(Sweep, Eq17ErrorIsTheRelativeErrorOfSimulatesEq17Prediction) {
    SweepSpec s = base_spec("scale_cos", {std::cos(2.0), std::sin(2.0)}, 300);
    s.base.rule.weight_decay = 0.01;
    s.x = axis(SweepParam::LearningRate, {0.001, 0.01, 0.1});
    s.y = axis(SweepParam::Momentum, {0.0, 0.9});
    s.metrics = {SweepMetric::Eq17Error};
    const SweepResult r = run_ok(s);
    for (long ix = 0; ix < 3; ++ix)
        for (long iy = 0; iy < 2; ++iy) {
            const Trajectory tr = single_run(s, ix, iy);
            const double r2N = tr.r2[s.base.steps];
            const double pred = tr.prediction("r2_eq17")->values[s.base.steps];
            EXPECT_EQ(r.values[0][r.index(ix, iy)], std::abs(pred - r2N) / r2N);
        }
    // Small for GD at small eta, large for beta = 0.9 at eta = 0.1 (§6.1).
    EXPECT_LT(r.values[0][r.index(0, 0)], 0.01);
    EXPECT_GT(r.values[0][r.index(2, 1)], 0.05);
    // No scale symmetry: not applicable.
    SweepSpec q = s;
    q.base.loss.name = "rotation_hat";
    q.base.q0 = Vector::Constant(2, 0.5);
    const SweepResult rq = run_ok(q);
    ASSERT_EQ(rq.values.size(), 1u);
    for (double v : rq.values[0])
        EXPECT_TRUE(std::isnan(v));
}

TEST(Sweep, GapsCompareTheDiscreteRunWithEachContinuousModel) {
    SweepSpec s = base_spec("rescale_2d", {2.0, 0.3}, 60);
    s.x = axis(SweepParam::LearningRate, {0.005, 0.02});
    s.y = axis(SweepParam::Momentum, {0.0, 0.9});
    s.base.ode_rtol = 1e-10;
    s.metrics = {SweepMetric::OdeGap, SweepMetric::FlowGap};
    const SweepResult r = run_ok(s);
    for (long ix = 0; ix < 2; ++ix)
        for (long iy = 0; iy < 2; ++iy) {
            const long c = r.index(ix, iy);
            Scene sc = cell_scene(s, ix, iy);
            auto loss = make_loss(sc.loss).value();
            const Trajectory d = simulate_model(sc, *loss, Model::Discrete);
            for (int m = 0; m < 2; ++m) {
                const Trajectory cm = simulate_model(sc, *loss, m == 0 ? Model::Ode : Model::Flow);
                double gap = 0.0, disp = 0.0;
                for (long n = 0; n <= s.base.steps; ++n) {
                    gap = std::max(gap, (d.q.col(n) - cm.q.col(n)).norm());
                    disp = std::max(disp, (d.q.col(n) - d.q.col(0)).norm());
                }
                EXPECT_NEAR(r.values[m][c], gap / disp, 1e-12 * (1.0 + gap / disp));
            }
            // With momentum, gradient flow is the poorer model (§6.2).
            if (iy == 1) {
                EXPECT_GT(r.values[1][c], 3.0 * r.values[0][c]);
            }
        }
}

TEST(Sweep, CancelLeavesNoPartialResult) {
    SweepSpec s = base_spec("rotation_hat", {0.6, 0.5}, 20000);
    s.x = make_axis(SweepParam::LearningRate, 1e-3, 0.5, 64, AxisScale::Log).value();
    s.y = make_axis(SweepParam::Momentum, 0.0, 0.95, 64).value();
    std::atomic<bool> cancel{false};
    SweepOptions opt;
    opt.cancel = &cancel;
    opt.threads = 2;
    long calls = 0;
    opt.progress = [&](long done, long total) {
        ++calls;
        EXPECT_LE(done, total);
        cancel = true;  // stop at the first report
    };
    auto r = run_sweep(s, opt);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "cancel");
    EXPECT_GE(calls, 1);
    // Cancelled before it starts: absent too; per-cell path likewise.
    opt.progress = nullptr;
    opt.force_per_cell = true;
    auto r2 = run_sweep(s, opt);
    ASSERT_FALSE(r2.ok());
    EXPECT_EQ(r2.error().field, "cancel");
}

TEST(Sweep, ProgressEndsAtTotalAndNeverDecreases) {
    SweepSpec s = base_spec("rotation_hat", {0.6, 0.5}, 3000);
    s.x = make_axis(SweepParam::LearningRate, 1e-3, 0.5, 40, AxisScale::Log).value();
    s.y = make_axis(SweepParam::Momentum, 0.0, 0.95, 40).value();
    SweepOptions opt;
    long last = -1, total_seen = 0;
    opt.progress = [&](long done, long total) {
        EXPECT_GE(done, last);
        last = done;
        total_seen = total;
    };
    run_ok(s, opt);
    EXPECT_EQ(last, 1600);
    EXPECT_EQ(total_seen, 1600);
}

TEST(Sweep, BadRangesAreRefusedNamingTheField) {
    auto field_of = [](const Result<SweepAxis>& r) {
        return r.ok() ? std::string() : r.error().field;
    };
    EXPECT_EQ(field_of(make_axis(SweepParam::LearningRate, 0.1, 1.0, 0)), "lr-range");
    EXPECT_EQ(field_of(make_axis(SweepParam::LearningRate, 0.0, 1.0, 5)), "lr-range");
    EXPECT_EQ(field_of(make_axis(SweepParam::LearningRate, -1.0, 1.0, 5)), "lr-range");
    EXPECT_EQ(field_of(make_axis(SweepParam::LearningRate, 1e-3, 1.0, 5, AxisScale::Log)), "");
    EXPECT_EQ(field_of(make_axis(SweepParam::Momentum, 0.0, 1.0, 5)), "momentum-range");
    EXPECT_EQ(field_of(make_axis(SweepParam::Momentum, -0.1, 0.5, 5)), "momentum-range");
    EXPECT_EQ(field_of(make_axis(SweepParam::Momentum, 0.0, 0.99, 0)), "momentum-range");
    EXPECT_EQ(field_of(make_axis(SweepParam::WeightDecay, -1.0, 0.0, 2)), "weight-decay-range");
    EXPECT_FALSE(parse_sweep_metric("no_such_metric").has_value());
    for (SweepMetric m : all_sweep_metrics())
        EXPECT_EQ(parse_sweep_metric(to_string(m)), m);

    SweepSpec s = base_spec("rotation_hat", {0.6, 0.5}, 10);
    s.x = axis(SweepParam::LearningRate, {0.1});
    s.y = axis(SweepParam::Momentum, {0.5, 1.0});
    EXPECT_EQ(run_sweep(s).error().field, "momentum-range");
    s.y = axis(SweepParam::Momentum, {});
    EXPECT_EQ(run_sweep(s).error().field, "momentum-range");
    s.y = axis(SweepParam::Momentum, {0.5});
    s.x = axis(SweepParam::LearningRate, {0.1, -0.1});
    EXPECT_EQ(run_sweep(s).error().field, "lr-range");
    s.x = axis(SweepParam::LearningRate, {0.1});
    s.base.steps = 0;
    EXPECT_EQ(run_sweep(s).error().field, "steps");
    s.base.steps = 10;
    s.metrics.clear();
    EXPECT_EQ(run_sweep(s).error().field, "metric");
    s.metrics = {SweepMetric::StepsToTol};
    s.tol = 0.0;
    EXPECT_EQ(run_sweep(s).error().field, "tol");
    s.tol = 1e-6;
    s.base.q0 = Vector::Zero(3);
    EXPECT_EQ(run_sweep(s).error().field, "q0");
    s.base.q0 = Vector::Zero(2);
    s.y = axis(SweepParam::LearningRate, {0.2});
    EXPECT_FALSE(run_sweep(s).ok());  // the same parameter on both axes
    s.y = axis(SweepParam::Eps, {0.0, -1.0});
    s.base.loss.name = "scale_cos";
    s.base.q0 = Vector::Constant(2, 1.0);
    EXPECT_EQ(run_sweep(s).error().field, "eps-range");
}

TEST(Sweep, CoarseCellsOfASubsampledGridEqualTheFineGridsCells) {
    SweepSpec fine = base_spec("rotation_hat", {0.6, 0.5}, 300);
    fine.base.rule.weight_decay = 0.01;
    fine.x = make_axis(SweepParam::LearningRate, 1e-3, 1.5, 17, AxisScale::Log).value();
    fine.y = make_axis(SweepParam::Momentum, 0.0, 0.95, 10).value();
    SweepSpec coarse = fine;
    coarse.x = subsample(fine.x, 4);
    coarse.y = subsample(fine.y, 4);
    ASSERT_EQ(coarse.x.values.size(), 5u);  // 0, 4, 8, 12, 16
    ASSERT_EQ(coarse.y.values.size(), 4u);  // 0, 4, 8 and the last, 9
    const SweepResult f = run_ok(fine), c = run_ok(coarse);
    const long ys[] = {0, 4, 8, 9};
    for (long ix = 0; ix < 5; ++ix)
        for (long j = 0; j < 4; ++j)
            EXPECT_EQ(bits(c.values[0][c.index(ix, j)]), bits(f.values[0][f.index(4 * ix, ys[j])]));
}

TEST(Sweep, DivergedCellsHaveNanMetricsAndTheirStep) {
    SweepSpec s = base_spec("rotation_hat", {0.6, 0.5}, 200);
    s.x = axis(SweepParam::LearningRate, {0.01, 5.0});
    s.y = axis(SweepParam::Momentum, {0.0});
    s.metrics = {SweepMetric::FinalLoss, SweepMetric::DivergedAt, SweepMetric::NormGrowth};
    const SweepResult r = run_ok(s);
    EXPECT_EQ(r.diverged_at[0], -1);
    EXPECT_TRUE(std::isnan(r.values[1][0]));
    EXPECT_GT(r.diverged_at[1], 0);
    EXPECT_EQ(r.values[1][1], static_cast<double>(r.diverged_at[1]));
    EXPECT_TRUE(std::isnan(r.values[0][1]));
    EXPECT_TRUE(std::isnan(r.values[2][1]));
    const Trajectory tr = single_run(s, 1, 0);
    EXPECT_EQ(tr.diverged_at, r.diverged_at[1]);
}

TEST(Sweep, OverlaysLieOnTheirDefiningCurves) {
    SweepSpec s = base_spec("translation_valley", {0.5, -1.0}, 1000);
    s.base.rule.weight_decay = 0.05;
    s.x = make_axis(SweepParam::LearningRate, 1e-3, 2.0, 64, AxisScale::Log).value();
    s.y = make_axis(SweepParam::Momentum, 0.0, 0.99, 64).value();
    auto ov = sweep_overlays(s, 101);
    ASSERT_TRUE(ov.ok()) << ov.error().what();
    bool critical = false;
    for (const auto& o : *ov) {
        EXPECT_FALSE(o.doc.empty());
        for (const auto& line : o.lines) {
            ASSERT_EQ(line.x.size(), line.y.size());
            for (size_t i = 0; i < line.x.size(); ++i) {
                EXPECT_GE(line.x[i], 1e-3);
                EXPECT_LE(line.x[i], 2.0);
                if (o.name == "charge_critical_damping") {
                    critical = true;
                    // mu^2 = 4 m k with m = eta (1+beta)/2, mu = 1 - beta.
                    const double eta = line.x[i], beta = line.y[i];
                    EXPECT_NEAR((1 - beta) * (1 - beta), 2.0 * eta * (1 + beta) * 0.05, 1e-12);
                }
            }
        }
    }
    EXPECT_TRUE(critical);
    // Scale-invariant loss: the Eq. 17 region appears; (k, beta) axes solve for k.
    SweepSpec sc = base_spec("scale_cos", {std::cos(2.0), std::sin(2.0)}, 1000);
    sc.x = make_axis(SweepParam::Momentum, 0.0, 0.95, 32).value();
    sc.y = make_axis(SweepParam::LearningRate, 1e-4, 1.0, 32, AxisScale::Log).value();
    auto ov2 = sweep_overlays(sc);
    ASSERT_TRUE(ov2.ok());
    bool eq17 = false;
    for (const auto& o : *ov2)
        if (o.name == "eq17_region") {
            eq17 = !o.lines.empty();
            for (const auto& line : o.lines)
                for (size_t i = 0; i < line.x.size(); ++i) {
                    const double beta = line.x[i], eta = line.y[i];
                    EXPECT_NEAR(2 * eta * (1 + beta) * o.curvature, 0.5 * (1 - beta) * (1 - beta),
                                1e-9);
                }
        }
    EXPECT_TRUE(eq17);
}

// The CSV contract: header, x outer / y inner, "%.17g" numbers, "nan"; the chunked writer gives
// exactly those bytes in pieces of about 64 KiB, and stops when its sink fails.
TEST(Sweep, CsvChunksAreTheContractsBytesInPiecesAndStopOnAFailedSink) {
    SweepSpec s = base_spec("rotation_hat", {0.6, 0.5}, 100);
    s.base.v0 = Vector(2);
    *s.base.v0 << 0.3, -0.5;
    s.x = make_axis(SweepParam::LearningRate, 1e-3, 2.0, 71, AxisScale::Log).value();
    s.y = make_axis(SweepParam::Momentum, 0.0, 0.99, 53).value();
    s.metrics = {SweepMetric::FinalLoss, SweepMetric::StepsToTol, SweepMetric::DivergedAt};
    const SweepResult r = run_ok(s, {});
    // The reference: snprintf per number, as the contract was first written.
    std::string want = "lr,momentum,final_loss,steps_to_tol,diverged_at\n";
    bool some_nan = false;
    for (size_t ix = 0; ix < s.x.values.size(); ++ix)
        for (size_t iy = 0; iy < s.y.values.size(); ++iy) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.17g,%.17g", s.x.values[ix], s.y.values[iy]);
            want += buf;
            for (const auto& v : r.values) {
                const double x = v[r.index(static_cast<long>(ix), static_cast<long>(iy))];
                some_nan = some_nan || std::isnan(x);
                std::snprintf(buf, sizeof buf, ",%.17g", x);
                want += std::isnan(x) ? std::string(",nan") : std::string(buf);
            }
            want += '\n';
        }
    ASSERT_TRUE(some_nan);
    ASSERT_GT(want.size(), 3u * 65536u);  // several chunks
    EXPECT_EQ(sweep_csv(r), want);
    std::string got;
    std::vector<std::size_t> sizes;
    EXPECT_TRUE(sweep_csv_chunks(r, [&](const char* d, std::size_t n) {
        got.append(d, n);
        sizes.push_back(n);
        return true;
    }));
    EXPECT_EQ(got, want);
    ASSERT_GE(sizes.size(), 4u);
    for (size_t i = 1; i + 1 < sizes.size(); ++i) {  // the header, then ~64 KiB pieces
        EXPECT_GE(sizes[i], 65536u);
        EXPECT_LT(sizes[i], 65536u + 200u);
    }
    int calls = 0;
    EXPECT_FALSE(sweep_csv_chunks(r, [&](const char*, std::size_t) { return ++calls < 2; }));
    EXPECT_EQ(calls, 2);  // nothing more after the failed piece
}

}  // namespace
}  // namespace noether

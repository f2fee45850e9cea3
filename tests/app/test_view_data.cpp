// Laws of the plain data the views draw (no display needed): orbits lie on level sets, phase
// coordinates obey the exact discrete identities, the reduced vector field closes only when the
// symmetry is exact, the quadratic's stability bound is the real one, the parallel run is the
// serial run bit for bit, and decimation keeps the envelope and drops non-finite values.
#include <gtest/gtest.h>

#include <QElapsedTimer>
#include <QSignalSpy>

#include <algorithm>
#include <cmath>
#include <limits>

#include "gui/model/run_controller.hpp"
#include "gui/views/decimate.hpp"
#include "noether/landscape.hpp"
#include "noether/phase.hpp"
#include "noether/run.hpp"

using namespace noether;

namespace {

std::shared_ptr<const Loss> loss(const std::string& name, double eps = 0.0) {
    LossSpec s;
    s.name = name;
    s.eps = eps;
    auto l = make_loss(s);
    EXPECT_TRUE(l.ok());
    return l.value();
}

Scene scene2d(const std::string& name, double eta, double beta, double k, long steps) {
    Scene s;
    s.loss.name = name;
    const auto& q0 = find_loss_info(name)->suggested_q0;
    s.q0 = Eigen::Map<const Vector>(q0.data(), static_cast<Eigen::Index>(q0.size()));
    s.rule.lr = eta;
    s.rule.momentum = beta;
    s.rule.weight_decay = k;
    s.steps = steps;
    return s;
}

}  // namespace

TEST(SymmetryOrbits, LieOnLevelSetsOfTheSymmetricLoss) {
    for (const char* name : {"rotation_hat", "scale_cos", "translation_valley", "rescale_2d"}) {
        auto f = loss(name);
        Slice s;
        s.through = Vector::Zero(2);
        const auto orbits = symmetry_orbits(*f, s, PlaneBox{-2.0, 2.0, -2.0, 2.0}, 5);
        ASSERT_FALSE(orbits.empty()) << name;
        size_t points = 0;
        for (const auto& o : orbits) {
            ASSERT_EQ(o.x.size(), o.y.size());
            Vector q(2);
            q << o.x[0], o.y[0];
            const double f0 = f->value(q);
            for (size_t k = 0; k < o.x.size(); ++k) {
                q << o.x[k], o.y[k];
                // RK4 with ~240 steps per box: f is constant along the orbit to ~1e-8.
                EXPECT_NEAR(f->value(q), f0, 1e-6 * (1.0 + std::abs(f0))) << name << " point " << k;
                ++points;
            }
        }
        EXPECT_GT(points, 100u) << name;
    }
}

TEST(SymmetryOrbits, RotationOrbitsAreClosedCircles) {
    auto f = loss("rotation_hat");
    Slice s;
    s.through = Vector::Zero(2);
    for (const auto& o : symmetry_orbits(*f, s, PlaneBox{-1.5, 1.5, -1.5, 1.5}, 6)) {
        const double r0 = std::hypot(o.x.front(), o.y.front());
        for (size_t k = 0; k < o.x.size(); ++k)
            EXPECT_NEAR(std::hypot(o.x[k], o.y[k]), r0, 1e-9 * r0);
        EXPECT_NEAR(o.x.back(), o.x.front(), 1e-12);
        EXPECT_NEAR(o.y.back(), o.y.front(), 1e-12);
    }
}

TEST(SampleLoss, GridHoldsTheLossAtCellCentres) {
    auto f = loss("rayleigh");
    Slice s;
    s.through = Vector::Constant(4, 0.5);
    s.i = 1;
    s.j = 3;
    auto g = sample_loss(*f, s, PlaneBox{-1.0, 2.0, -0.5, 1.5}, 7, 5);
    ASSERT_TRUE(g.ok());
    for (int r = 0; r < 5; ++r)
        for (int c = 0; c < 7; ++c) {
            Vector q = s.through;
            q[1] = -1.0 + (c + 0.5) * 3.0 / 7;
            q[3] = -0.5 + (r + 0.5) * 2.0 / 5;
            EXPECT_DOUBLE_EQ(g->values[static_cast<size_t>(r) * 7 + c], f->value(q));
        }
    EXPECT_FALSE(sample_loss(*f, s, PlaneBox{1.0, 0.0, 0.0, 1.0}, 4, 4).ok());
    s.j = 1;
    EXPECT_FALSE(sample_loss(*f, s, PlaneBox{}, 4, 4).ok());
}

TEST(PhaseCurve, TranslationCoordinateIsExactlyConservedWithoutKickOrDecay) {
    // PHYSICS.md §2.2: with v0 = 0 and k = 0, X = <q, n> is exactly conserved by heavy ball.
    Scene s = scene2d("translation_valley", 0.05, 0.9, 0.0, 500);
    auto f = loss("translation_valley");
    const Trajectory tr = simulate_model(s, *f, Model::Discrete);
    const auto coords = phase_coordinates(*f);
    ASSERT_EQ(coords.front().kind, PhaseKind::Translation);
    const PhaseCurve c = phase_curve(tr, coords.front());
    ASSERT_EQ(static_cast<long>(c.x.size()), tr.samples());
    for (size_t k = 0; k < c.x.size(); ++k) {
        EXPECT_NEAR(c.x[k], c.x[0], 1e-14);
        EXPECT_NEAR(c.rate[k], 0.0, 1e-12);
    }
}

TEST(PhaseCurve, AngleStaysOnTheInitialRayWithoutKick) {
    // §2.3: for a rotation-symmetric loss and v0 = 0 the iterates stay on the initial ray.
    Scene s = scene2d("rotation_hat", 0.05, 0.9, 0.01, 300);
    auto f = loss("rotation_hat");
    const Trajectory tr = simulate_model(s, *f, Model::Discrete);
    const auto coords = phase_coordinates(*f);
    ASSERT_EQ(coords.front().kind, PhaseKind::Angle);
    const PhaseCurve c = phase_curve(tr, coords.front());
    for (size_t k = 0; k < c.x.size(); ++k) {
        EXPECT_NEAR(c.x[k], std::atan2(0.5, 0.6), 1e-13);
        EXPECT_NEAR(c.rate[k], 0.0, 1e-11);
    }
}

TEST(PhaseCurve, RadiusRateIsTheRadialVelocity) {
    Scene s = scene2d("scale_cos", 0.01, 0.5, 0.0, 200);
    auto f = loss("scale_cos");
    const Trajectory tr = simulate_model(s, *f, Model::Ode);
    const auto c = phase_curve(tr, phase_coordinates(*f).front());
    for (long k = 0; k < tr.samples(); ++k) {
        const double r = tr.q.col(k).norm();
        EXPECT_DOUBLE_EQ(c.x[k], r);
        EXPECT_NEAR(c.rate[k], tr.q.col(k).dot(tr.v.col(k)) / r, 1e-15);
    }
}

TEST(PhaseVectorField, TranslationClosesOnlyWhenTheSymmetryIsExact) {
    RuleParams p;
    p.lr = 0.01;
    p.momentum = 0.9;
    p.weight_decay = 0.02;
    const auto coords = phase_coordinates(*loss("translation_valley"));
    auto field =
        phase_vector_field(*loss("translation_valley"), p, coords.front(), -1, 1, -1, 1, 4, 3);
    ASSERT_TRUE(field.has_value());
    ASSERT_EQ(field->size(), 12u);
    const double m = implicit_mass(p), mu = damping(p);
    for (const PhaseArrow& a : *field) {
        EXPECT_DOUBLE_EQ(a.dx, a.y);
        EXPECT_NEAR(a.dy, -(mu * a.y + p.weight_decay * a.x) / m, 1e-12);
    }
    EXPECT_FALSE(
        phase_vector_field(*loss("translation_valley", 0.1), p, coords.front(), -1, 1, -1, 1, 4, 3)
            .has_value());
    // Rotation's angle does not close (it depends on the radius).
    const auto rot = phase_coordinates(*loss("rotation_hat"));
    EXPECT_FALSE(
        phase_vector_field(*loss("rotation_hat"), p, rot.front(), -1, 1, -1, 1, 4, 3).has_value());
}

TEST(DampingRegime, QuadraticStabilityBoundSeparatesConvergenceFromDivergence) {
    // §5.7: heavy ball on (1/2) q^T diag(1, 10) q is stable iff eta * 10 < 2 (1 + beta).
    const double beta = 0.5, bound = 2.0 * (1.0 + beta) / 10.0;
    for (double eta : {0.97 * bound, 1.03 * bound}) {
        Scene s = scene2d("quadratic", eta, beta, 0.0, 3000);
        auto f = loss("quadratic");
        const DampingRegime d = damping_regime(*f, s.q0, s.rule);
        ASSERT_TRUE(d.has_bound);
        const bool stable = d.bound_lhs < d.bound_rhs;
        EXPECT_EQ(stable, eta < bound);
        const Trajectory tr = simulate_model(s, *f, Model::Discrete);
        const double end = tr.q.col(tr.samples() - 1).norm();
        if (stable)
            EXPECT_LT(end, 1e-3);
        else
            EXPECT_TRUE(tr.diverged || end > 10.0);
    }
}

TEST(Decimate, MinMaxPerColumnKeepsTheEnvelopeAndDropsNonFinite) {
    std::vector<double> y(100000);
    for (size_t i = 0; i < y.size(); ++i)
        y[i] = std::sin(0.37 * static_cast<double>(i)) * (1.0 + 1e-5 * static_cast<double>(i));
    y[500] = std::numeric_limits<double>::quiet_NaN();
    y[700] = std::numeric_limits<double>::infinity();
    const gui::AxisMap xmap{0.0, 100000.0, false, 400};
    const gui::AxisMap ymap{-3.0, 3.0, false, 300};
    QList<QPointF> out;
    gui::decimateColumns(y.data(), static_cast<long>(y.size()), 0.0, 1.0, xmap, ymap, out);
    EXPECT_LE(out.size(), 2 * 400 + 2);
    // The envelope: the largest and smallest finite values survive.
    double ymax = -1e300, ymin = 1e300, dmax = -1e300, dmin = 1e300;
    for (double v : y)
        if (std::isfinite(v)) {
            ymax = std::max(ymax, v);
            ymin = std::min(ymin, v);
        }
    for (const QPointF& p : out) {
        ASSERT_TRUE(std::isfinite(p.x()) && std::isfinite(p.y()));
        dmax = std::max(dmax, p.y());
        dmin = std::min(dmin, p.y());
    }
    EXPECT_EQ(dmax, ymax);
    EXPECT_EQ(dmin, ymin);
    // x stays increasing (one bulk replace of a valid line series).
    for (qsizetype k = 1; k < out.size(); ++k)
        EXPECT_LE(out[k - 1].x(), out[k].x());
}

TEST(Decimate, AxisMapsEndsOntoPixelsAndClampsOnlyFarOutsideTheAxis) {
    // Log axis 1e-3..1e1 over 400 px: four decades, 100 px each.
    const gui::AxisMap m{1e-3, 1e1, true, 400};
    EXPECT_NEAR(m.toPixel(1e-3), 0.0, 1e-9);
    EXPECT_NEAR(m.toPixel(1e1), 400.0, 1e-9);
    EXPECT_NEAR(m.toPixel(1e-1), 200.0, 1e-9);
    for (double v : {2e-3, 0.37, 5.0})
        EXPECT_NEAR(m.fromPixel(m.toPixel(v)), v, 1e-12 * v);
    // Inside the band of one axis length on either side (1e-7..1e5) a value is kept exactly.
    for (double v : {1e-3, 0.37, 1e1, 2e-7, 9e4})
        EXPECT_EQ(m.clampValue(v), v);
    EXPECT_NEAR(m.clampValue(1e-30), 1e-7, 1e-19);
    EXPECT_NEAR(m.clampValue(0.0), 1e-7, 1e-19);
    EXPECT_NEAR(m.clampValue(1e30), 1e5, 1e-7);
    // Linear axis -1..3 over 200 px; band -5..7.
    const gui::AxisMap l{-1.0, 3.0, false, 200};
    EXPECT_DOUBLE_EQ(l.toPixel(1.0), 100.0);
    EXPECT_DOUBLE_EQ(l.fromPixel(50.0), 0.0);
    EXPECT_EQ(l.clampValue(6.5), 6.5);
    EXPECT_EQ(l.clampValue(-100.0), -5.0);
    EXPECT_EQ(l.clampValue(100.0), 7.0);
}

TEST(Decimate, PathKeepsEndsAndSkipsSubpixelSteps) {
    std::vector<double> x(5000), y(5000);
    for (size_t i = 0; i < x.size(); ++i) {
        x[i] = std::cos(1e-3 * static_cast<double>(i));
        y[i] = std::sin(1e-3 * static_cast<double>(i));
    }
    QList<QPointF> out;
    const gui::AxisMap m{-1.0, 1.0, false, 200};
    gui::decimatePath(x.data(), y.data(), 5000, m, m, 1.0, out);
    EXPECT_LT(out.size(), 600);
    EXPECT_EQ(out.front(), QPointF(x.front(), y.front()));
    EXPECT_EQ(out.back(), QPointF(x.back(), y.back()));
}

namespace {
// Distance in pixels from p to the segment a-b.
double segmentDistance(QPointF p, QPointF a, QPointF b) {
    const double ux = b.x() - a.x(), uy = b.y() - a.y(), len2 = ux * ux + uy * uy;
    const double wx = p.x() - a.x(), wy = p.y() - a.y();
    const double t = len2 > 0 ? std::clamp((wx * ux + wy * uy) / len2, 0.0, 1.0) : 0.0;
    return std::hypot(wx - t * ux, wy - t * uy);
}

// Every point of `before` lies within tol pixels of the kept chord that spans it.
void expectWithinTolerance(const QList<QPointF>& before, const QList<QPointF>& after,
                           const gui::AxisMap& xm, const gui::AxisMap& ym, double tol) {
    auto px = [&](QPointF p) { return QPointF(xm.toPixel(p.x()), ym.toPixel(p.y())); };
    ASSERT_GE(after.size(), 2);
    EXPECT_EQ(after.front(), before.front());
    EXPECT_EQ(after.back(), before.back());
    qsizetype k = 0;  // chord after[k] - after[k + 1]
    for (qsizetype i = 0; i < before.size(); ++i) {
        if (before[i] == after[k + 1] && k + 2 < after.size()) ++k;
        EXPECT_LE(segmentDistance(px(before[i]), px(after[k]), px(after[k + 1])), tol + 1e-9)
            << "point " << i;
    }
}
}  // namespace

TEST(Decimate, SimplifiedLineStaysWithinAQuarterPixelAndDropsSmoothStretches) {
    const gui::AxisMap xm{0.0, 400.0, false, 400}, ym{-1.2, 1.2, false, 240};
    // A smooth decay, an oscillation of a few pixels and a single bump of half a pixel.
    QList<QPointF> smooth, wiggle, bump;
    for (int i = 0; i <= 400; ++i) {
        const double x = i;
        smooth.append({x, std::exp(-x / 80.0) * std::cos(x / 40.0)});
        wiggle.append({x, 0.05 * ((i % 2) ? 1.0 : -1.0)});
        bump.append({x, i == 200 ? 0.5 * 2.4 / 240.0 : 0.0});
    }
    for (const QList<QPointF>* line : {&smooth, &wiggle, &bump}) {
        QList<QPointF> s = *line;
        gui::simplifyPolyline(s, xm, ym, 0.25);
        expectWithinTolerance(*line, s, xm, ym, 0.25);
    }
    QList<QPointF> s = smooth;
    gui::simplifyPolyline(s, xm, ym, 0.25);
    EXPECT_LT(s.size(), smooth.size() / 4);  // a smooth curve needs few chords
    s = wiggle;
    gui::simplifyPolyline(s, xm, ym, 0.25);
    EXPECT_EQ(s.size(), wiggle.size());  // a 6-pixel oscillation keeps every turn
    s = bump;
    gui::simplifyPolyline(s, xm, ym, 0.25);
    EXPECT_TRUE(s.contains(bump[200]));  // half a pixel is more than the tolerance
    EXPECT_LE(s.size(), 401 / 48 + 5);   // flat: one chord per 48 points (the reach) + the bump
}

TEST(Decimate, EnvelopeRangeIsTheFiniteRangeOfTheWindow) {
    std::vector<double> y(20000);
    for (size_t i = 0; i < y.size(); ++i)
        y[i] = std::exp(-1e-3 * static_cast<double>(i)) * std::sin(0.3 * static_cast<double>(i));
    y[3] = std::numeric_limits<double>::quiet_NaN();
    y[9000] = -std::numeric_limits<double>::infinity();
    y[12000] = 7.0;  // outside the window [0, 10000] below
    for (bool log : {false, true})
        for (long end : {10000L, 19999L}) {
            const gui::AxisMap xmap{log ? 1.0 : 0.0, static_cast<double>(end) + (log ? 1.0 : 0.0),
                                    log, 333};
            gui::ColumnEnvelope env;
            env.build(y.data(), static_cast<long>(y.size()), log ? 1.0 : 0.0, 1.0, xmap, log);
            double lo = 0, hi = 0, elo = 0, ehi = 0;
            ASSERT_TRUE(gui::finiteRange(y.data(), end + 1, log, lo, hi));
            ASSERT_TRUE(env.range(elo, ehi));
            EXPECT_EQ(elo, lo) << log << " " << end;
            EXPECT_EQ(ehi, hi) << log << " " << end;
        }
}

TEST(Decimate, FiniteRangeSkipsNonFiniteAndNonPositiveValues) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    const std::vector<double> y = {nan, -inf, 3.0, -2.5, inf, 0.0, 1e-300, 7.0, nan};
    double lo = 0, hi = 0;
    ASSERT_TRUE(gui::finiteRange(y.data(), static_cast<long>(y.size()), false, lo, hi));
    EXPECT_EQ(lo, -2.5);
    EXPECT_EQ(hi, 7.0);
    ASSERT_TRUE(gui::finiteRange(y.data(), static_cast<long>(y.size()), true, lo, hi));
    EXPECT_EQ(lo, 1e-300);
    EXPECT_EQ(hi, 7.0);
    const std::vector<double> none = {nan, inf, -inf, 0.0, -1.0};
    EXPECT_FALSE(gui::finiteRange(none.data(), static_cast<long>(none.size()), true, lo, hi));
    EXPECT_TRUE(gui::finiteRange(none.data(), static_cast<long>(none.size()), false, lo, hi));
    EXPECT_EQ(lo, -1.0);
    EXPECT_EQ(hi, 0.0);
    EXPECT_FALSE(gui::finiteRange(none.data(), 0, false, lo, hi));
}

TEST(RunControllerTest, ANewRequestCancelsTheStaleRunInProgress) {
    // A ten-million-step ODE (many seconds), then a small scene: the stale run is cancelled and
    // never delivered; the new one arrives without waiting for the old one to finish.
    qRegisterMetaType<std::shared_ptr<const noether::Run>>();
    gui::RunController controller;
    QSignalSpy ready(&controller, &gui::RunController::runReady);
    QSignalSpy failed(&controller, &gui::RunController::runFailed);
    Scene slow = scene2d("quadratic", 1e-3, 0.9, 0.0, 10'000'000);
    slow.show_discrete = false;
    slow.show_ode = true;
    QElapsedTimer timer;
    timer.start();
    controller.request(slow);
    // Let the worker start on it.
    while (!controller.busy() && timer.elapsed() < 1000)
        QCoreApplication::processEvents();
    QThread::msleep(200);
    const Scene fast = scene2d("quadratic", 1e-2, 0.0, 0.0, 100);
    const quint64 gen = controller.request(fast);
    ASSERT_TRUE(ready.wait(20000));
    const double ms = static_cast<double>(timer.elapsed());
    ASSERT_EQ(ready.count(), 1);
    EXPECT_EQ(ready.front().at(1).value<quint64>(), gen);
    EXPECT_EQ(failed.count(), 0);  // "cancelled" is not an error the user sees
    EXPECT_EQ(controller.lastDelivered(), gen);
    std::fprintf(stderr, "the new run arrived after %.0f ms\n", ms);
}

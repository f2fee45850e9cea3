// The story presets (resources/presets): each one is loaded from the compiled-in resources, run
// headless through noether::simulate, and its stated effect is asserted from the Run's data.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <algorithm>
#include <cmath>

#include "io/scene_file.hpp"
#include "noether/run.hpp"

namespace noether::io {
namespace {

SceneDocument load(const char* file) {
    const auto d = load_scene_file(QString(":/presets/") + file);
    EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().what());
    if (!d.ok()) return {};
    EXPECT_TRUE(d->warnings.isEmpty()) << d->warnings.join("\n").toStdString();
    return *d;
}

std::shared_ptr<const Run> run(const Scene& sc) {
    auto r = simulate(sc);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().what());
    if (!r.ok()) return nullptr;
    EXPECT_FALSE((*r)->diverged());
    return *r;
}

const Trajectory& model(const Run& r, Model m) {
    const Trajectory* t = r.find(m);
    EXPECT_NE(t, nullptr) << to_string(m);
    return t ? *t : r.trajectories.front();
}

const std::vector<double>& prediction(const Trajectory& tr, const char* name) {
    static const std::vector<double> none;
    const NamedSeries* p = tr.prediction(name);
    EXPECT_NE(p, nullptr) << name;
    return p ? p->values : none;
}

int sign_changes(const std::vector<double>& x) {
    int n = 0;
    for (size_t i = 1; i < x.size(); ++i)
        n += (x[i] > 0) != (x[i - 1] > 0) && x[i] != 0 && x[i - 1] != 0;
    return n;
}

double max_abs(const std::vector<double>& x, size_t from, size_t to) {
    double m = 0;
    for (size_t i = from; i < to; ++i)
        m = std::max(m, std::abs(x[i]));
    return m;
}

double sharpness(const Loss& loss, VecRef q) {
    Eigen::SelfAdjointEigenSolver<Matrix> es(loss.hessian(q));
    return es.eigenvalues().maxCoeff();
}

// ---- The index and the resources ------------------------------------------------------------

TEST(Presets, IndexListsEveryPresetOnceInOrderWithItsTitle) {
    QFile f(":/presets/index.json");
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    const QJsonObject index = QJsonDocument::fromJson(f.readAll()).object();
    EXPECT_EQ(index.value("format").toString(), "noetherlab-presets");
    EXPECT_EQ(index.value("version").toInt(), 1);
    const QJsonArray list = index.value("presets").toArray();
    const QStringList on_disk =
        QDir(NOETHER_PRESETS_DIR).entryList({"*.noether"}, QDir::Files, QDir::Name);
    QStringList listed;
    for (const auto& e : list) {
        const QJsonObject o = e.toObject();
        const QString file = o.value("file").toString();
        listed << file;
        SCOPED_TRACE(file.toStdString());
        const SceneDocument d = load(file.toUtf8().constData());
        EXPECT_EQ(o.value("title").toString(), d.title);
        EXPECT_FALSE(o.value("summary").toString().isEmpty());
        EXPECT_FALSE(d.explanation.isEmpty());
        EXPECT_FALSE(d.equation.isEmpty());
        // The compiled-in copy is the file in the source tree.
        QFile res(":/presets/" + file), src(QString(NOETHER_PRESETS_DIR) + "/" + file);
        ASSERT_TRUE(res.open(QIODevice::ReadOnly) && src.open(QIODevice::ReadOnly));
        EXPECT_EQ(res.readAll(), src.readAll());
        // Every ghost run is a valid scene.
        EXPECT_TRUE(compare_variants(d).ok());
    }
    EXPECT_EQ(listed, on_disk);  // sorted by name = the lesson order
    EXPECT_GE(listed.size(), 8);
}

TEST(Presets, EveryPresetRoundTripsThroughSaveAndLoad) {
    for (const QString& file :
         QDir(NOETHER_PRESETS_DIR).entryList({"*.noether"}, QDir::Files, QDir::Name)) {
        SCOPED_TRACE(file.toStdString());
        const SceneDocument d = load(file.toUtf8().constData());
        const auto back = parse_scene(serialize_scene(d));
        ASSERT_TRUE(back.ok()) << back.error().what();
        EXPECT_TRUE(back->scene == d.scene);
        EXPECT_EQ(back->view, d.view);
    }
}

// ---- 1. Symmetry of the loss is not symmetry of the dynamics (Fig. 2) -----------------------

TEST(Preset1, ScaledStart_SameLossDifferentCurve_EquivalentToLrOverCSquared) {
    const SceneDocument x1 = load("01a-loss-vs-dynamics-x1.noether");
    const SceneDocument x3 = load("01b-loss-vs-dynamics-x3.noether");
    ASSERT_TRUE(x3.scene.q0.isApprox(3.0 * x1.scene.q0, 1e-15));
    // 1a's ghost run is exactly scene 1b.
    const auto ghost = compare_variants(x1);
    ASSERT_TRUE(ghost.ok() && ghost->size() == 1);
    EXPECT_TRUE((*ghost)[0].doc.scene == x3.scene);
    const auto r1 = run(x1.scene), r3 = run(x3.scene);
    ASSERT_TRUE(r1 && r3);
    const auto &a = r1->trajectories[0], &b = r3->trajectories[0];
    // Same loss at the start (the loss is symmetric) ...
    EXPECT_NEAR(a.loss[0], b.loss[0], 1e-15);
    // ... different loss curves (the dynamics is not).
    EXPECT_LT(a.loss[50], 1e-3);
    EXPECT_GT(b.loss[50], 0.5);
    // Exactly: GD from 3 q0 at eta is GD from q0 at eta/9, scaled by 3 (PHYSICS.md §1.3).
    Scene slow = x1.scene;
    slow.rule.lr = x1.scene.rule.lr / 9.0;
    const auto rs = run(slow);
    ASSERT_TRUE(rs);
    const auto& c = rs->trajectories[0];
    for (long n = 0; n < b.samples(); ++n) {
        ASSERT_NEAR(b.loss[n], c.loss[n], 1e-12) << n;
        ASSERT_LE((b.q.col(n) - 3.0 * c.q.col(n)).norm(), 1e-12 * b.q.col(n).norm()) << n;
    }
}

// ---- 2. Noether charge with damping (Fig. 3) ------------------------------------------------

void check_rotation_charge(const Run& r) {
    const double beta = r.scene.rule.momentum;
    const Trajectory& d = model(r, Model::Discrete);
    const auto& J = d.charge("rotation")->J;
    ASSERT_GT(std::abs(J[0]), 1e-3);
    // Discrete: J_n = beta^n J_0 exactly (PHYSICS.md §2.3), and the engine's law says so.
    for (size_t n = 0; n < J.size(); ++n) {
        const double law = J[0] * std::pow(beta, static_cast<double>(n));
        ASSERT_NEAR(J[n], law, 1e-13 * std::abs(J[0])) << n;
    }
    const auto& law = prediction(d, "J_rotation_law");
    for (size_t n = 0; n < J.size(); ++n)
        ASSERT_NEAR(J[n], law[n], 1e-12 * std::abs(J[0])) << n;
    // ODE: J(t) = J(0) e^{-mu t/m} (§1.2).
    const Trajectory& o = model(r, Model::Ode);
    const auto& Jo = o.charge("rotation")->J;
    for (size_t n = 0; n < Jo.size(); ++n) {
        const double law_o = Jo[0] * std::exp(-r.mu * r.t[n] / r.m);
        ASSERT_NEAR(Jo[n], law_o, 1e-7 * std::abs(Jo[0])) << n;
    }
}

std::vector<double> radius_minus_one(const Trajectory& tr) {
    std::vector<double> x;
    for (double r2 : tr.r2)
        x.push_back(std::sqrt(r2) - 1.0);
    return x;
}

double angle_turned(const Trajectory& tr) {
    double total = 0;
    for (long n = 1; n < tr.samples(); ++n) {
        const Vector a = tr.q.col(n - 1), b = tr.q.col(n);
        total += std::atan2(a[0] * b[1] - a[1] * b[0], a.dot(b));
    }
    return std::abs(total);
}

TEST(Preset2, UnderDamped_ChargeDecaysAsBetaPowerNAndTheRadiusRings) {
    const SceneDocument d = load("02a-noether-charge-underdamped.noether");
    const auto r = run(d.scene);
    ASSERT_TRUE(r);
    check_rotation_charge(*r);
    // mu^2 < 4 m lambda with lambda = 2, the radial curvature on the rim.
    EXPECT_LT(r->mu * r->mu, 4.0 * r->m * 2.0);
    const Trajectory& tr = model(*r, Model::Discrete);
    EXPECT_GE(sign_changes(radius_minus_one(tr)), 5);
    EXPECT_GT(angle_turned(tr), 1.0);
}

TEST(Preset2, OverDamped_ChargeDecaysAsBetaPowerNAndTheRadiusCreeps) {
    const SceneDocument d = load("02b-noether-charge-overdamped.noether");
    const auto r = run(d.scene);
    ASSERT_TRUE(r);
    check_rotation_charge(*r);
    EXPECT_GT(r->mu * r->mu, 4.0 * r->m * 2.0);
    const Trajectory& tr = model(*r, Model::Discrete);
    const auto x = radius_minus_one(tr);
    EXPECT_EQ(sign_changes(x), 0);
    for (size_t n = 1; n < x.size(); ++n)
        ASSERT_LE(std::abs(x[n]), std::abs(x[n - 1]) + 1e-15) << n;
    EXPECT_LT(angle_turned(tr), 0.3);
}

// ---- 3. Kinetic symmetry breaking and Eq. 17 (§6.1) -----------------------------------------

double eq17_max_error(const Trajectory& tr) {
    const auto& p = prediction(tr, "r2_eq17");
    double e = 0;
    for (long n = 0; n < tr.samples(); ++n)
        e = std::max(e, std::abs(p[n] - tr.r2[n]) / tr.r2[n]);
    return e;
}

void check_kinetic_breaking(const Trajectory& tr) {
    // Scale-invariant loss: no explicit breaking; the kinetic term m<q', q'> only adds.
    const ChargeSeries* c = tr.charge("scale");
    ASSERT_NE(c, nullptr);
    ASSERT_FALSE(c->kinetic.empty());
    for (size_t n = 0; n < c->kinetic.size(); ++n) {
        ASSERT_GE(c->kinetic[n], 0.0) << n;
        ASSERT_LE(std::abs(c->explicit_breaking[n]), 1e-12) << n;
    }
}

TEST(Preset3, SmallLr_NormGrowsAndEq17TracksItWithinFivePercent) {
    const SceneDocument d = load("03a-kinetic-breaking-eq17-holds.noether");
    const auto r = run(d.scene);
    ASSERT_TRUE(r);
    const Trajectory& tr = model(*r, Model::Discrete);
    check_kinetic_breaking(tr);
    EXPECT_GT(tr.r2.back(), 1.2 * tr.r2.front());
    EXPECT_LT(eq17_max_error(tr), 0.05);
    // The overdamped parameter zeta lambda / r^2 = 2 eta (1+beta)/(1-beta)^2 is below 0.5.
    EXPECT_LT(4.0 * r->m / (r->mu * r->mu), 0.5);
}

TEST(Preset3, LargeLr_Eq17FailsWhileTheOdeStillTracksTheIterates) {
    const SceneDocument d = load("03b-kinetic-breaking-eq17-fails.noether");
    const auto r = run(d.scene);
    ASSERT_TRUE(r);
    const Trajectory& tr = model(*r, Model::Discrete);
    check_kinetic_breaking(tr);
    EXPECT_GT(tr.r2.back(), 3.0 * tr.r2.front());
    EXPECT_GT(eq17_max_error(tr), 0.5);
    EXPECT_GT(4.0 * r->m / (r->mu * r->mu), 0.5);
    // The failure is the overdamped approximation, not the discretisation (§6.1).
    const Trajectory& ode = model(*r, Model::Ode);
    ASSERT_EQ(ode.samples(), tr.samples());
    for (long n = 0; n < tr.samples(); ++n)
        ASSERT_NEAR(ode.r2[n] / tr.r2[n], 1.0, 0.01) << n;
}

// ---- 4. Implicit adaptive optimisation ------------------------------------------------------

TEST(Preset4, EffectiveLrFallsThenRisesLikeRmsPropNormWithMatchedRho) {
    const SceneDocument d = load("04-implicit-adaptive-lr.noether");
    const RuleParams& p = d.scene.rule;
    // alpha is the matched forgetting factor rho = 1 - 4 eta k/(1 - beta).
    EXPECT_NEAR(p.alpha, 1.0 - 4.0 * p.lr * p.weight_decay / (1.0 - p.momentum), 1e-15);
    const auto r = run(d.scene);
    ASSERT_TRUE(r);
    const Trajectory& tr = model(*r, Model::Discrete);
    const long N = tr.samples();
    // The mechanism, exactly: |q_{n+1}|^2 = (1 - eta k)^2 |q_n|^2 + eta^2 |grad f(q_n)|^2.
    const double shrink = (1.0 - p.lr * p.weight_decay) * (1.0 - p.lr * p.weight_decay);
    for (long n = 0; n + 1 < N; ++n) {
        const double g = tr.grad_norm[n];
        ASSERT_NEAR(tr.r2[n + 1], shrink * tr.r2[n] + p.lr * p.lr * g * g, 1e-13 * tr.r2[n]) << n;
    }
    const auto& elr = prediction(tr, "effective_lr");
    const auto& elr17 = prediction(tr, "effective_lr_eq17");
    const auto& elrG = prediction(tr, "effective_lr_rmsprop");
    ASSERT_EQ(static_cast<long>(elr.size()), N);
    for (long n = 0; n < N; ++n) {
        ASSERT_DOUBLE_EQ(elr[n], p.lr / tr.r2[n]);
        ASSERT_NEAR(elr17[n] / elr[n], 1.0, 0.01) << n;  // Eq. 17 holds at beta = 0, eta = 0.1
    }
    // Both effective learning rates first fall, then rise as the gradients vanish.
    for (const auto* s : {&elr, &elrG}) {
        const auto lo = std::min_element(s->begin() + 1, s->end());
        EXPECT_GT(lo - s->begin(), 5);
        EXPECT_LT(lo - s->begin(), N / 2);
        EXPECT_GT(s->back() / *lo, 3.0);
    }
    EXPECT_GT(elr.front() / *std::min_element(elr.begin(), elr.end()), 1.05);
    // Once RMSProp's memory 1/(1 - rho) has filled, the two keep a constant ratio.
    const long warm = static_cast<long>(std::ceil(1.0 / (1.0 - p.alpha)));
    std::vector<double> ratio;
    for (long n = warm; n < N; ++n)
        ratio.push_back(elr[n] / elrG[n]);
    ASSERT_FALSE(ratio.empty());
    std::vector<double> sorted = ratio;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    const double median = sorted[sorted.size() / 2];
    for (size_t i = 0; i < ratio.size(); ++i)
        ASSERT_NEAR(ratio[i] / median, 1.0, 0.01) << i;
}

// ---- 5. The constrained-norm ablation (Fig. 4) ----------------------------------------------

struct Ablation {
    std::shared_ptr<const Run> constrained, free;
};

Ablation ablation(const char* file) {
    const SceneDocument d = load(file);
    EXPECT_TRUE(d.scene.rule.constrain_norm);
    const auto v = compare_variants(d);
    EXPECT_TRUE(v.ok() && v->size() == 1);
    Ablation a;
    a.constrained = run(d.scene);
    if (!v.ok() || v->empty()) return a;
    Scene expect = d.scene;
    expect.rule.constrain_norm = false;
    EXPECT_TRUE((*v)[0].doc.scene == expect);  // the ghost is the free-norm run
    a.free = run((*v)[0].doc.scene);
    // The projection keeps |q| = |q0| exactly (to rounding).
    if (a.constrained) {
        for (double r2 : a.constrained->trajectories[0].r2)
            EXPECT_NEAR(r2, a.constrained->trajectories[0].r2[0], 1e-12);
    }
    return a;
}

long first_below(const std::vector<double>& loss, double level) {
    for (size_t n = 0; n < loss.size(); ++n)
        if (loss[n] < level) return static_cast<long>(n);
    return -1;
}

TEST(Preset5, SmallLr_ConstrainingTheNormChangesLittleBothConverge) {
    const Ablation a = ablation("05a-constrained-norm-small-lr.noether");
    ASSERT_TRUE(a.constrained && a.free);
    const auto& c = a.constrained->trajectories[0];
    const auto& f = a.free->trajectories[0];
    EXPECT_LT(c.loss.back(), 1e-9);
    EXPECT_LT(f.loss.back(), 1e-9);
    EXPECT_LT(f.r2.back(), 1.2 * f.r2.front());  // the free norm barely grows
    const long nc = first_below(c.loss, 1e-4), nf = first_below(f.loss, 1e-4);
    ASSERT_GE(nc, 0);
    ASSERT_GE(nf, 0);
    EXPECT_LE(nc, nf);                           // no shrinking step: not slower
    EXPECT_LE(nf, static_cast<long>(1.3 * nc));  // and not much different
}

TEST(Preset5, LargeLr_ConstrainedRunBouncesFreeRunConvergesByNormGrowth) {
    const Ablation a = ablation("05b-constrained-norm-large-lr.noether");
    ASSERT_TRUE(a.constrained && a.free);
    const auto& c = a.constrained->trajectories[0];
    const auto& f = a.free->trajectories[0];
    const double eta = a.constrained->scene.rule.lr;
    // On the unit sphere GD is unstable (eta lambda / |q|^2 > 2, lambda = 1): it never converges.
    EXPECT_GT(eta / c.r2[0], 2.0);
    const double stuck = *std::min_element(c.loss.end() - 100, c.loss.end());
    EXPECT_GT(stuck, 0.1);
    // Free: the norm grows until eta/|q|^2 < 2, then it converges.
    EXPECT_LT(f.loss.back(), 1e-12);
    EXPECT_LT(eta / f.r2.back(), 2.0);
    EXPECT_GT(f.r2.back(), 2.0 * f.r2.front());
}

// ---- 6. Weight decay turns translation symmetry into a damped oscillator --------------------

TEST(Preset6, TranslationChargeOscillatesAndDecaysAsHeavyBallOnKX2) {
    const SceneDocument d = load("06-weight-decay-oscillator.noether");
    const auto r = run(d.scene);
    ASSERT_TRUE(r);
    for (Model m : {Model::Discrete, Model::Ode}) {
        SCOPED_TRACE(to_string(m));
        const Trajectory& tr = model(*r, m);
        const auto& J = tr.charge("translation")->J;
        const auto& law = prediction(tr, "J_translation_law");
        const size_t N = J.size();
        const double scale = max_abs(J, 0, N);
        ASSERT_GT(scale, 1e-2);
        // Exact for the discrete run (§2.2), to integrator accuracy for the ODE (§1.2).
        const double tol = m == Model::Discrete ? 1e-12 : 1e-6;
        for (size_t n = 0; n < N; ++n)
            ASSERT_NEAR(J[n], law[n], tol * scale) << n;
        EXPECT_GE(sign_changes(J), 6);
        EXPECT_LT(max_abs(J, 3 * N / 4, N), 1e-3 * max_abs(J, 0, N / 4));
    }
    // Without weight decay the charge is conserved at zero (the ghost run).
    const auto v = compare_variants(d);
    ASSERT_TRUE(v.ok() && v->size() == 1);
    EXPECT_EQ((*v)[0].doc.scene.rule.weight_decay, 0.0);
    const auto r0 = run((*v)[0].doc.scene);
    ASSERT_TRUE(r0);
    EXPECT_LT(max_abs(r0->trajectories[0].charge("translation")->J, 0, d.scene.steps + 1), 1e-12);
}

// ---- 7. Rescale symmetry: balancedness and implicit balancing (§3.5 H4) ---------------------

TEST(Preset7, FlowKeepsImbalanceEndsSharpGdBalancesToSharpness2068) {
    const SceneDocument d = load("07-rescale-balancing.noether");
    const auto r = run(d.scene);
    ASSERT_TRUE(r);
    const Loss& loss = *r->loss;
    const double eta = d.scene.rule.lr;
    const double D0 = d.scene.q0[0] * d.scene.q0[0] - d.scene.q0[1] * d.scene.q0[1];
    // GD: D_{n+1} = D_n [1 - eta^2 (q1 q2 - 1)^2] exactly (§2.4), ending balanced.
    const Trajectory& gd = model(*r, Model::Discrete);
    const auto& D = prediction(gd, "D_rescale");
    for (long n = 0; n + 1 < gd.samples(); ++n) {
        const double u = gd.q(0, n) * gd.q(1, n) - 1.0;
        ASSERT_NEAR(D[n + 1], D[n] * (1.0 - eta * eta * u * u), 1e-12 * std::abs(D0)) << n;
    }
    const Vector qg = gd.q.col(gd.samples() - 1);
    EXPECT_NEAR(qg[0], 1.13909, 1e-4);
    EXPECT_NEAR(qg[1], 0.87789, 1e-4);
    EXPECT_NEAR(sharpness(loss, qg), 2.068, 1e-3);
    EXPECT_LT(sharpness(loss, qg), 2.0 / eta);
    // Gradient flow conserves D and ends at sharpness sqrt(D0^2 + 4) > 2/eta.
    const Trajectory& flow = model(*r, Model::Flow);
    for (double x : prediction(flow, "D_rescale"))
        ASSERT_NEAR(x, D0, 1e-8 * std::abs(D0));
    const Vector qf = flow.q.col(flow.samples() - 1);
    EXPECT_NEAR(sharpness(loss, qf), std::sqrt(D0 * D0 + 4.0), 1e-6);
    EXPECT_NEAR(sharpness(loss, qf), 9.18, 5e-3);
    EXPECT_LT(flow.loss.back(), 1e-12);
    // The continuous ODE misses the balancing too (§6.3).
    const Trajectory& ode = model(*r, Model::Ode);
    EXPECT_GT(sharpness(loss, ode.q.col(ode.samples() - 1)), 2.0 / eta);
}

// ---- 8. Implicit acceleration: matched ODE vs gradient flow vs ODE from rest ----------------

TEST(Preset8, MatchedOdeTracksTheIteratesFarBetterThanFlowOrTheOdeFromRest) {
    const SceneDocument d = load("08-implicit-acceleration.noether");
    ASSERT_EQ(d.scene.rule.momentum, 0.9);
    const auto r = run(d.scene);
    ASSERT_TRUE(r);
    const Trajectory& disc = model(*r, Model::Discrete);
    const long N = disc.samples();
    const double travel = (disc.q.col(N - 1) - disc.q.col(0)).norm();
    auto error = [&](Model m) {
        const Trajectory& tr = model(*r, m);
        EXPECT_EQ(tr.samples(), N);
        double e = 0;
        for (long n = 0; n < std::min(N, tr.samples()); ++n)
            e = std::max(e, (tr.q.col(n) - disc.q.col(n)).norm());
        return e / travel;
    };
    const double ode = error(Model::Ode), rest = error(Model::OdeRest), flow = error(Model::Flow);
    EXPECT_GT(flow, 0.1);         // gradient flow is off by more than 10% of the distance
    EXPECT_LT(rest, 0.1 * flow);  // the ODE from rest: better, with a half-step lag
    EXPECT_LT(ode, 0.1 * rest);   // the matched ODE: far better still
    EXPECT_LT(ode, 1e-3);
    // The matched start q'(0) = -g0/(1+beta) (§2.6, v0 = 0).
    const Vector g0 = r->loss->gradient(d.scene.q0);
    const Trajectory& o = model(*r, Model::Ode);
    EXPECT_LE((o.v.col(0) + g0 / 1.9).norm(), 1e-14 * g0.norm());
}

}  // namespace
}  // namespace noether::io

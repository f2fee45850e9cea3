// The geometry tools on the real main window (issue 5). They skip without a display (run them
// with xvfb-run -a -s "-screen 0 1600x1000x24" ctest). With NOETHER_GEOMETRY_SHOTS=DIR set they
// also save screenshots of the Curvature dock, the eigen-cross and the discovery dialog there.
#include <gtest/gtest.h>

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTest>
#include <cmath>
#include <functional>
#include <memory>
#include <numbers>

#include "gui/app_driver.hpp"
#include "gui/geometry/curvature_panel.hpp"
#include "gui/geometry/discovery_dialog.hpp"
#include "gui/geometry/eigen_cross.hpp"
#include "gui/geometry/geometry_tools.hpp"
#include "gui/geometry/loss_editor.hpp"
#include "gui/main_window.hpp"
#include "gui/panels/controls_panel.hpp"
#include "gui/panels/timeline.hpp"
#include "gui/views/charge_chart.hpp"
#include "gui/views/landscape_view.hpp"
#include "main_window_fixture.hpp"
#include "noether/discovery.hpp"
#include "noether/expression.hpp"

using namespace noether;
using namespace noether::gui;

namespace {

const char* kTypedHat = "(q1^2 + q2^2 - 1)^2/4 + eps*q1";

// Processes events until `done` holds or the time is up.
bool waitFor(const std::function<bool()>& done, int timeout_ms = 20000) {
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeout_ms) return false;
        QApplication::processEvents(QEventLoop::AllEvents, 20);
    }
    return true;
}

// The screenshot directory, or empty.
QString shotDir() {
    return qEnvironmentVariable("NOETHER_GEOMETRY_SHOTS");
}

class GeometryGuiTest : public MainWindowFixture {
  protected:
    // Makes the typed Mexican hat the scene's loss through the editor.
    LossEditor* applyTypedHat() {
        LossEditor* ed = window_->geometry()->openLossEditor();
        ed->setExpression(kTypedHat);
        EXPECT_TRUE(ed->apply()) << ed->statusLabel()->text().toStdString();
        EXPECT_TRUE(settle());
        return ed;
    }
};

}  // namespace

TEST_F(GeometryGuiTest, CurvaturePanel_FillsWithSeriesAndH1H2ResidualsAreRoundOffForASymmetry) {
    MainWindow& w = *window_;
    GeometryTools* g = w.geometry();
    g->curvatureDock()->show();
    g->curvatureDock()->raise();
    CurvaturePanel* c = g->curvature();
    ASSERT_TRUE(waitFor([&] { return c->analysedGeneration() >= w.shownGeneration(); }));
    const HessianSeries* hs = c->hessianSeries();
    ASSERT_NE(hs, nullptr);
    // rotation_hat: two eigenvalues and the stability line; two alignments; one generator.
    EXPECT_EQ(c->spectrumChart()->curveCount(), 3);
    EXPECT_EQ(c->alignmentChart()->curveCount(), 2);
    EXPECT_EQ(c->angleChart()->curveCount(), 1);
    EXPECT_GT(c->spectrumChart()->series(1)->count(), 50);
    EXPECT_LE(static_cast<long>(hs->sample.size()), kCurvatureSamples);
    // The identities of PHYSICS.md §3 hold to round-off for the exact rotation symmetry.
    EXPECT_LE(hs->max_h1_residual, 1e-12);
    EXPECT_LE(hs->max_h2_residual, 1e-12);
    EXPECT_TRUE(c->identityLabel()->text().contains(QString::fromUtf8("✓")))
        << c->identityLabel()->text().toStdString();
    // The stability line is 2(1+β)/η of the scene's rule.
    const Scene& s = w.model()->scene();
    EXPECT_DOUBLE_EQ(hs->stability_line, 2.0 * (1.0 + s.rule.momentum) / s.rule.lr);
    if (!shotDir().isEmpty()) {
        w.timeline()->setIndex(2000);
        QApplication::processEvents();
        QTest::qWait(200);
        g->curvatureDock()->grab().save(QDir(shotDir()).filePath("curvature_dock.png"));
    }
}

TEST_F(GeometryGuiTest, CurvaturePanel_AnalysesADivergingRunWithFinitePoints) {
    MainWindow& w = *window_;
    w.geometry()->curvatureDock()->show();
    w.geometry()->curvatureDock()->raise();
    // Far beyond the stability line: |q| grows to the divergence threshold.
    w.model()->setLr(2.0);
    ASSERT_TRUE(settle());
    ASSERT_TRUE(w.currentRun()->diverged());
    CurvaturePanel* c = w.geometry()->curvature();
    ASSERT_TRUE(waitFor([&] { return c->analysedGeneration() >= w.shownGeneration(); }));
    for (CurveChart* chart : {c->spectrumChart(), c->alignmentChart(), c->angleChart()})
        for (int k = 0; chart->series(k); ++k)
            for (const QPointF& p : chart->series(k)->points())
                EXPECT_TRUE(std::isfinite(p.x()) && std::isfinite(p.y()));
    EXPECT_GE(c->spectrumChart()->curveCount(), 2);
}

TEST_F(GeometryGuiTest, CurvaturePanel_FlagsAGeneratorThatIsNotASymmetry) {
    MainWindow& w = *window_;
    // Scale is no symmetry of the Mexican hat: H1 must fail visibly.
    w.model()->setAdoptedGenerators({scale_generator(2)}, "test");
    ASSERT_TRUE(settle());
    ASSERT_EQ(w.currentRun()->loss->generators().size(), 1u);
    EXPECT_EQ(w.currentRun()->loss->generators()[0].name, "scale");
    CurvaturePanel* c = w.geometry()->curvature();
    c->analyse();
    ASSERT_NE(c->hessianSeries(), nullptr);
    EXPECT_GT(c->hessianSeries()->max_h1_residual, 1e-3);
    EXPECT_TRUE(c->identityLabel()->text().contains(QString::fromUtf8("✗")));
}

TEST_F(GeometryGuiTest, LossEditor_RefusesABadExpressionNamingItsPositionAndKeepsTheLoss) {
    MainWindow& w = *window_;
    const LossSpec before = w.model()->scene().loss;
    const int undo_before = w.model()->undoStack()->count();
    // The loss combo's last entry opens the editor; the combo keeps showing the scene's loss.
    QComboBox* combo = w.controls()->lossCombo();
    ASSERT_EQ(combo->itemData(combo->count() - 1).toString(), "expr");
    emit combo->activated(combo->count() - 1);
    auto* ed = w.findChild<LossEditor*>("lossEditor");
    ASSERT_NE(ed, nullptr);
    EXPECT_TRUE(ed->isVisible());
    EXPECT_EQ(combo->currentText(), "rotation_hat");
    // It starts from the built-in loss written out.
    EXPECT_EQ(ed->expressionEdit()->toPlainText().toStdString(), kTypedHat);
    ed->setExpression("(q1^2 + q2^2 - 1)^2/4 + foo(q2)");
    ed->validateNow();
    EXPECT_FALSE(ed->isValid());
    EXPECT_FALSE(ed->applyButton()->isEnabled());
    // "foo" starts at character 25.
    EXPECT_EQ(ed->errorPosition(), 25) << ed->statusLabel()->text().toStdString();
    EXPECT_TRUE(ed->statusLabel()->text().contains("position 25"))
        << ed->statusLabel()->text().toStdString();
    EXPECT_FALSE(ed->expressionEdit()->extraSelections().isEmpty());
    EXPECT_FALSE(ed->apply());
    EXPECT_EQ(w.model()->scene().loss, before);
    EXPECT_EQ(w.model()->undoStack()->count(), undo_before);
    // Live validation (debounced, off the GUI thread) reaches the same verdict.
    QSignalSpy spy(ed, &LossEditor::validated);
    ed->setExpression("q1^2 + q9");
    ASSERT_TRUE(waitFor([&] { return spy.count() > 0; }, 10000));
    EXPECT_FALSE(spy.last().at(0).toBool());
    EXPECT_GT(ed->errorPosition(), 0);
    if (!shotDir().isEmpty()) ed->grab().save(QDir(shotDir()).filePath("loss_editor_refused.png"));
}

TEST_F(GeometryGuiTest, LossEditor_AppliesAGoodExpressionAsOneUndoStepAndANewRunAppears) {
    MainWindow& w = *window_;
    const int undo_before = w.model()->undoStack()->count();
    LossEditor* ed = applyTypedHat();
    EXPECT_TRUE(ed->isValid());
    EXPECT_EQ(w.model()->scene().loss.name, "expr");
    EXPECT_EQ(w.model()->scene().loss.expr, kTypedHat);
    EXPECT_EQ(w.model()->undoStack()->count(), undo_before + 1);
    ASSERT_TRUE(w.currentRun());
    EXPECT_EQ(w.currentRun()->loss->name(), "expr");
    EXPECT_EQ(w.currentRun()->scene.loss.expr, kTypedHat);
    EXPECT_EQ(w.controls()->lossCombo()->currentData().toString(), "expr");
    // A typed loss has no generator until discovery adopts one: no charge.
    EXPECT_TRUE(w.currentRun()->loss->generators().empty());
    EXPECT_EQ(w.charges()->pointCount(Model::Discrete), 0);
    if (!shotDir().isEmpty()) ed->grab().save(QDir(shotDir()).filePath("loss_editor.png"));
    // Undo brings the built-in loss back.
    w.model()->undoStack()->undo();
    EXPECT_EQ(w.model()->scene().loss.name, "rotation_hat");
}

TEST_F(GeometryGuiTest, FindSymmetries_RotationHatHasNullityOneAndItIsARotation) {
    MainWindow& w = *window_;
    DiscoveryDialog* d = w.geometry()->openDiscovery();
    d->runNow();
    ASSERT_TRUE(d->outcome() && d->outcome()->found) << d->summaryLabel()->text().toStdString();
    const Discovery& r = *d->outcome()->found;
    EXPECT_EQ(r.nullity, 1);
    ASSERT_EQ(r.exact.generators.size(), 1u);
    EXPECT_EQ(r.exact.generators[0].generator.kind, SymmetryKind::Rotation);
    EXPECT_FALSE(r.approximate);
    EXPECT_TRUE(d->adoptButton()->isEnabled());
    EXPECT_TRUE(d->generatorsView()->toPlainText().contains("rotation"));
    EXPECT_GE(d->spectrumView()->chart()->series().size(), 3);
    if (!shotDir().isEmpty()) {
        QTest::qWait(100);
        d->grab().save(QDir(shotDir()).filePath("discovery_rotation_hat.png"));
    }
}

TEST_F(GeometryGuiTest, FindSymmetries_ReportsTheApproximateSymmetryOfABrokenLoss) {
    MainWindow& w = *window_;
    // ε = 1e-6: s_min ≈ 1.6e-5, a gap of about 4.6 decades (PHYSICS.md §4.3: linear in ε).
    w.model()->setEps(1e-6);
    ASSERT_TRUE(settle());
    DiscoveryDialog* d = w.geometry()->openDiscovery();
    d->runNow();
    ASSERT_TRUE(d->outcome() && d->outcome()->found);
    const Discovery& r = *d->outcome()->found;
    EXPECT_EQ(r.nullity, 0);
    EXPECT_TRUE(r.approximate);
    EXPECT_EQ(r.nullity_gap, 1);
    EXPECT_FALSE(d->adoptButton()->isEnabled());
    EXPECT_TRUE(d->adoptApproximateButton()->isEnabled());
    if (!shotDir().isEmpty()) {
        QTest::qWait(100);
        d->grab().save(QDir(shotDir()).filePath("discovery_broken.png"));
    }
}

TEST_F(GeometryGuiTest, Adopt_OnATypedMexicanHatAddsTheRotationChargeEqualToTheBuiltIns) {
    MainWindow& w = *window_;
    applyTypedHat();
    ASSERT_EQ(w.charges()->pointCount(Model::Discrete), 0);
    DiscoveryDialog* d = w.geometry()->openDiscovery();
    d->runNow();
    ASSERT_TRUE(d->outcome() && d->outcome()->found);
    EXPECT_EQ(d->outcome()->found->nullity, 1);
    ASSERT_TRUE(d->adopt());
    ASSERT_TRUE(settle());
    std::shared_ptr<const noether::Run> run = w.currentRun();
    ASSERT_EQ(run->loss->generators().size(), 1u);
    EXPECT_EQ(run->loss->generators()[0].name, "rotation");
    EXPECT_GT(w.charges()->pointCount(Model::Discrete), 10);
    // The adopted rotation is oriented as the built-in one: the same charge J = m⟨q′, Jq⟩.
    Scene builtin = run->scene;
    builtin.loss = LossSpec{};
    builtin.loss.name = "rotation_hat";
    auto ref = simulate(builtin);
    ASSERT_TRUE(ref);
    const ChargeSeries* a = run->find(Model::Discrete)->charge("rotation");
    const ChargeSeries* b = ref.value()->find(Model::Discrete)->charge("rotation");
    ASSERT_TRUE(a && b);
    ASSERT_EQ(a->J.size(), b->J.size());
    double worst = 0.0, scale = 0.0;
    for (size_t k = 0; k < a->J.size(); ++k) {
        worst = std::max(worst, std::abs(a->J[k] - b->J[k]));
        scale = std::max(scale, std::abs(b->J[k]));
    }
    EXPECT_GT(scale, 1e-4);
    EXPECT_LE(worst, 1e-9 * scale);
    // A slider move keeps the adopted generators; another loss drops them, undo restores them.
    w.model()->setLr(0.02);
    ASSERT_TRUE(settle());
    EXPECT_EQ(w.currentRun()->loss->generators().size(), 1u);
    w.model()->setLossName("scale_cos");
    ASSERT_TRUE(settle());
    EXPECT_TRUE(w.model()->adoptedGenerators().empty());
    EXPECT_EQ(w.currentRun()->loss->generators()[0].name, "scale");
    w.model()->undoStack()->undo();
    ASSERT_TRUE(settle());
    EXPECT_EQ(w.model()->adoptedGenerators().size(), 1u);
    EXPECT_EQ(w.currentRun()->loss->generators()[0].name, "rotation");
    if (!shotDir().isEmpty()) {
        w.geometry()->crossToggle()->setChecked(true);
        w.timeline()->setIndex(300);
        QTest::qWait(300);
        w.grabWindowImage().save(QDir(shotDir()).filePath("adopted_typed_hat.png"));
    }
}

TEST_F(GeometryGuiTest, ThreeDimensionalTypedLoss_RunsFindsScaleAndDrawsTheCrossOnTheSlice) {
    MainWindow& w = *window_;
    LossEditor* ed = w.geometry()->openLossEditor();
    int rayleigh = -1;
    for (size_t k = 0; k < expression_examples().size(); ++k)
        if (expression_examples()[k].title.find("Rayleigh") != std::string::npos)
            rayleigh = static_cast<int>(k);
    ASSERT_GE(rayleigh, 0);
    ed->loadExample(rayleigh);
    ASSERT_TRUE(ed->apply()) << ed->statusLabel()->text().toStdString();
    ASSERT_TRUE(settle());
    ASSERT_EQ(w.currentRun()->loss->dim(), 3);
    EXPECT_EQ(w.model()->scene().q0.size(), 3);
    // The Rayleigh quotient is scale invariant: one generator, A = I.
    DiscoveryDialog* d = w.geometry()->openDiscovery();
    d->runNow();
    ASSERT_TRUE(d->outcome() && d->outcome()->found);
    EXPECT_EQ(d->outcome()->found->nullity, 1);
    ASSERT_TRUE(d->adopt());
    ASSERT_TRUE(settle());
    ASSERT_EQ(w.currentRun()->loss->generators().size(), 1u);
    EXPECT_EQ(w.currentRun()->loss->generators()[0].kind, SymmetryKind::Scale);
    EXPECT_TRUE(w.currentRun()->loss->generators()[0].A.isApprox(Matrix::Identity(3, 3)));
    // The cross lives on the (q1, q2) slice: the arms cross at (q1, q2) of the current point.
    w.geometry()->crossToggle()->setChecked(true);
    w.timeline()->setIndex(50);
    const auto& segs = w.landscape()->glWindow()->overlay();
    ASSERT_GE(segs.size(), 2u);
    const Trajectory* tr = w.currentRun()->find(Model::Discrete);
    const QPointF mid = 0.5 * (segs[0].a + segs[0].b);
    EXPECT_NEAR(mid.x(), tr->q(0, 50), 1e-9);
    EXPECT_NEAR(mid.y(), tr->q(1, 50), 1e-9);
}

TEST_F(GeometryGuiTest, EigenCross_HasSegmentsCentredAtTheCurrentPointColouredBySign) {
    MainWindow& w = *window_;
    LandscapeWindow* gl = w.landscape()->glWindow();
    EXPECT_TRUE(gl->overlay().empty());
    w.geometry()->crossToggle()->setChecked(true);
    w.timeline()->setIndex(120);
    const long k = w.timeline()->index();
    ASSERT_GT(k, 0);
    const std::vector<GlSegment> segs = gl->overlay();
    // Two arms and the ξ arrow (shaft and two heads).
    ASSERT_EQ(segs.size(), 5u);
    const Trajectory* tr = w.currentRun()->find(Model::Discrete);
    const Vector q = tr->q.col(k);
    const auto arms = planeCurvature(*w.currentRun()->loss, q, 0, 1);
    ASSERT_EQ(arms.size(), 2u);
    for (int a = 0; a < 2; ++a) {
        const QPointF mid = 0.5 * (segs[a].a + segs[a].b);
        EXPECT_NEAR(mid.x(), q[0], 1e-9);
        EXPECT_NEAR(mid.y(), q[1], 1e-9);
        const double scale = curvatureScale(*w.currentRun()->loss, *tr, 0, 1);
        const QColor want = std::abs(arms[a].lambda) <= kFlatCurvature * scale
                                ? flatCurvatureColor(false)
                            : arms[a].lambda > 0 ? positiveCurvatureColor(false)
                                                 : negativeCurvatureColor(false);
        EXPECT_EQ(segs[a].color, want);
    }
    // The arms are the eigen-directions: orthogonal.
    const QPointF d0 = segs[0].b - segs[0].a, d1 = segs[1].b - segs[1].a;
    EXPECT_NEAR(
        QPointF::dotProduct(d0, d1) / std::hypot(d0.x(), d0.y()) / std::hypot(d1.x(), d1.y()), 0.0,
        1e-9);
    // The arrow runs beside the point along ξ(q) = J q (counter-clockwise): its shaft's line
    // passes within the offset of q.
    const QPointF dir = segs[2].b - segs[2].a;
    EXPECT_NEAR(std::atan2(dir.y(), dir.x()), std::atan2(q[0], -q[1]), 1e-9);
    const QPointF rel = QPointF(q[0], q[1]) - segs[2].a;
    const double gap =
        std::abs(rel.x() * dir.y() - rel.y() * dir.x()) / std::hypot(dir.x(), dir.y());
    const PlaneBox box = gl->visibleBox();
    EXPECT_NEAR(gap * gl->width() / (box.x1 - box.x0), EigenCrossStyle{}.arrow_offset_px, 1e-6);
    // It follows the time line, and the toggle removes it.
    w.timeline()->setIndex(k + 200);
    const QPointF mid = 0.5 * (gl->overlay()[0].a + gl->overlay()[0].b);
    EXPECT_NEAR(mid.x(), tr->q(0, w.timeline()->index()), 1e-9);
    if (!shotDir().isEmpty()) {
        QTest::qWait(300);
        const QImage img = w.grabWindowImage();
        img.save(QDir(shotDir()).filePath("eigen_cross.png"));
        const long n = w.timeline()->index();
        const QPoint at = w.landscape()->container()->mapTo(
            &w, gl->toPixel(QPointF(tr->q(0, n), tr->q(1, n))).toPoint());
        img.copy(QRect(at - QPoint(140, 140), QSize(280, 280)))
            .scaled(560, 560)
            .save(QDir(shotDir()).filePath("eigen_cross_zoom.png"));
    }
    w.geometry()->crossToggle()->setChecked(false);
    EXPECT_TRUE(gl->overlay().empty());
}

TEST(EigenCross, ArmLengthGrowsWithCurvatureAndIsClamped) {
    LossSpec spec;
    spec.name = "rotation_hat";
    auto loss = make_loss(spec);
    ASSERT_TRUE(loss);
    // H = (|q|² − 1) I + 2 q qᵀ: along the orbit λ = |q|² − 1, radially λ = 3|q|² − 1. At
    // (0.3, 0.4) the orbit curvature is −0.75 (PHYSICS.md §3.3).
    Vector q(2);
    q << 0.3, 0.4;
    EXPECT_NEAR(planeCurvature(*loss.value(), q, 0, 1)[0].lambda, -0.75, 1e-12);
    // At |q|² = 0.64: −0.36 along the orbit, 0.92 radially.
    q << 0.48, 0.64;
    const auto arms = planeCurvature(*loss.value(), q, 0, 1);
    ASSERT_EQ(arms.size(), 2u);
    EXPECT_NEAR(arms[0].lambda, -0.36, 1e-12);
    EXPECT_NEAR(arms[1].lambda, 0.92, 1e-12);
    EigenCrossStyle st;
    st.px_per_unit = 100.0;
    st.curvature_scale = 0.92;
    const auto segs = eigenCross(*loss.value(), q, 0, 1, st);
    ASSERT_GE(segs.size(), 2u);
    auto half_px = [&](const GlSegment& s) {
        return 0.5 * std::hypot(s.b.x() - s.a.x(), s.b.y() - s.a.y()) * st.px_per_unit;
    };
    EXPECT_NEAR(half_px(segs[1]), st.max_arm_px, 1e-9);
    EXPECT_NEAR(half_px(segs[0]), st.min_arm_px + (st.max_arm_px - st.min_arm_px) * 0.36 / 0.92,
                1e-9);
    EXPECT_EQ(segs[0].color, negativeCurvatureColor(false));
    EXPECT_EQ(segs[1].color, positiveCurvatureColor(false));
    // The orbit arm lies along ξ = J q, the radial one along q.
    const QPointF orbit = segs[0].b - segs[0].a;
    EXPECT_NEAR(orbit.x() * q[0] + orbit.y() * q[1], 0.0, 1e-12);
    // A smaller scale clamps both arms at the maximum.
    st.curvature_scale = 1e-3;
    for (int a = 0; a < 2; ++a)
        EXPECT_NEAR(half_px(eigenCross(*loss.value(), q, 0, 1, st)[a]), st.max_arm_px, 1e-9);
}

TEST(GeneratorsToAdopt, OrientsRotationsCounterClockwiseAndKeepsTheLossesOwn) {
    // RREF gives the rotation as A = −J (PHYSICS.md §4.2).
    DiscoveredGenerator d;
    d.generator.name = "rotation";
    d.generator.kind = SymmetryKind::Rotation;
    d.generator.A = Matrix::Zero(2, 2);
    d.generator.A(0, 1) = 1.0;
    d.generator.A(1, 0) = -1.0;
    d.generator.b = Vector::Zero(2);
    const auto flipped = generatorsToAdopt({d}, {});
    ASSERT_EQ(flipped.size(), 1u);
    EXPECT_EQ(flipped[0].A(1, 0), 1.0);
    EXPECT_EQ(flipped[0].A(0, 1), -1.0);
    // Parallel to the loss's own generator (any scale): the loss's own is kept.
    Generator own = rotation_generator(2);
    own.name = "rotation_builtin";
    d.generator.A *= 3.0;
    const auto kept = generatorsToAdopt({d}, {own});
    EXPECT_EQ(kept[0].name, "rotation_builtin");
    EXPECT_EQ(kept[0].A, own.A);
    // Not parallel: a scale stays a scale.
    DiscoveredGenerator s;
    s.generator = scale_generator(2);
    EXPECT_EQ(generatorsToAdopt({s}, {own})[0].name, "scale");
}

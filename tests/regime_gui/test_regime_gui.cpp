// GUI tests of the regime map (issue 6): coarse-to-fine computation, the quadratic's stability
// boundary, click-to-open as one undo step, cancel, recomputation on scene changes, the hover
// read-out, exports, and the dock in the main window. They skip without a display (run them
// with xvfb-run -a -s "-screen 0 1600x1000x24" ctest). Grids are small (32 x 32) to stay fast.
#include <gtest/gtest.h>

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QMouseEvent>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <memory>

#include "gui/app_driver.hpp"
#include "gui/main_window.hpp"
#include "gui/regime/regime_view.hpp"

using namespace noether;
using namespace noether::gui;

namespace {

// Waits until the view is idle and shows the final pass of its last request.
bool waitFinal(RegimeView& v, int timeout_ms = 60000) {
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeout_ms) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        const auto m = v.mapWidget()->map();
        if (v.idle() && m && m->isFinal() && m->generation == v.sweeper()->lastRequested())
            return true;
        QTest::qWait(5);
    }
    return false;
}

// The quadratic f = (q1² + 10 q2²)/2 from (1, 1), plain heavy ball, 1000 steps.
Scene quadraticScene() {
    Scene s = SceneModel::defaultScene();
    s.loss = LossSpec{};
    s.loss.name = "quadratic";
    s.loss.params["diag"] = {1.0, 10.0};
    s.q0 = Vector(2);
    s.q0 << 1.0, 1.0;
    s.v0.reset();
    s.rule.lr = 0.01;
    s.rule.momentum = 0.5;
    s.rule.weight_decay = 0.0;
    s.steps = 1000;
    return s;
}

class RegimeViewTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!qApp) GTEST_SKIP() << "no display (run under xvfb-run)";
        model_ = std::make_unique<SceneModel>();
        view_ = std::make_unique<RegimeView>(model_.get());
        view_->resize(900, 800);
        view_->setResolution(32);
        view_->show();
        ASSERT_TRUE(QTest::qWaitForWindowExposed(view_.get()));
    }
    void TearDown() override {
        view_.reset();
        model_.reset();
    }

    std::unique_ptr<SceneModel> model_;
    std::unique_ptr<RegimeView> view_;
};

}  // namespace

TEST(RegimeMapData, CellCentresSpanTheRangeAndPassesGoCoarseToFine) {
    const RegimeAxis eta{SweepParam::LearningRate, 1e-3, 1.0, AxisScale::Log};
    const SweepAxis a = cellAxis(eta, 30);
    ASSERT_EQ(a.values.size(), 30u);
    // Cell i covers [i, i+1]/n of the range: its centre sits at (i + 1/2)/n.
    for (size_t i = 0; i < a.values.size(); ++i)
        EXPECT_NEAR(axisUnit(eta, a.values[i]), (i + 0.5) / 30.0, 1e-12);
    EXPECT_NEAR(axisValue(eta, axisUnit(eta, 0.037)), 0.037, 1e-15);
    EXPECT_EQ(regimePasses(128), (std::vector<long>{16, 64, 128}));
    EXPECT_EQ(regimePasses(32), (std::vector<long>{16, 32}));
    EXPECT_EQ(regimePasses(16), (std::vector<long>{16}));
    // The key ignores the swept hyperparameters, not the fixed ones.
    const RegimeAxis beta = defaultRegimeAxis(SweepParam::Momentum);
    Scene s = SceneModel::defaultScene(), t = s;
    t.rule.lr = 0.3;
    t.rule.momentum = 0.1;
    t.show_flow = !s.show_flow;
    EXPECT_EQ(regimeKey(s, eta, beta, SweepMetric::FinalLoss),
              regimeKey(t, eta, beta, SweepMetric::FinalLoss));
    t.rule.weight_decay = 0.01;
    EXPECT_FALSE(regimeKey(s, eta, beta, SweepMetric::FinalLoss) ==
                 regimeKey(t, eta, beta, SweepMetric::FinalLoss));
}

TEST_F(RegimeViewTest, DefaultSceneComputesCoarseToFineAndShowsNonEmptyCells) {
    QSignalSpy shown(view_.get(), &RegimeView::mapShown);
    view_->recomputeNow();
    ASSERT_TRUE(waitFinal(*view_));
    ASSERT_EQ(shown.count(), 2);
    // A 16 x 16 picture comes first, the full 32 x 32 last.
    const auto first = shown.first().at(0).value<std::shared_ptr<const RegimeMap>>();
    const auto last = view_->mapWidget()->map();
    EXPECT_EQ(first->nx(), 16);
    EXPECT_EQ(first->ny(), 16);
    EXPECT_FALSE(first->isFinal());
    EXPECT_EQ(last->nx(), 32);
    EXPECT_EQ(last->ny(), 32);
    EXPECT_EQ(last->request.base.loss.name, "rotation_hat");
    EXPECT_EQ(last->request.metric, SweepMetric::StepsToTol);
    long finite = 0;
    for (long ix = 0; ix < last->nx(); ++ix)
        for (long iy = 0; iy < last->ny(); ++iy)
            finite += std::isfinite(last->value(ix, iy));
    EXPECT_GT(finite, last->nx() * last->ny() / 2);
    // The cells carry many colours, and the widget paints them.
    const QImage cells = view_->mapWidget()->cellImage();
    ASSERT_EQ(cells.width(), 32);
    QSet<QRgb> colours;
    for (int y = 0; y < cells.height(); ++y)
        for (int x = 0; x < cells.width(); ++x)
            colours.insert(cells.pixel(x, y));
    EXPECT_GE(colours.size(), 8);
    const QImage grab = view_->mapWidget()->grab().toImage();
    const QPointF c = view_->mapWidget()->cellCenter(5, 20);
    const QRgb on_screen = grab.pixel(c.toPoint() * grab.devicePixelRatio());
    EXPECT_EQ(on_screen, cells.pixel(5, 31 - 20));
    // The stability limit eta (lambda + k) = 2(1 + beta) and the damping boundary cross the
    // default axes of this loss.
    for (const char* name : {"stability_limit", "overdamped_boundary"}) {
        bool drawn = false;
        for (const SweepOverlay& o : last->overlays)
            drawn |= o.name == name && !o.lines.empty();
        EXPECT_TRUE(drawn) << name;
    }
}

TEST_F(RegimeViewTest, QuadraticDivergedRegionEndsOnEtaLambdaEqualsTwoOnePlusBeta) {
    model_->setScene(quadraticScene(), "quadratic");
    const RegimeAxis eta{SweepParam::LearningRate, 0.01, 1.0, AxisScale::Log};
    const RegimeAxis beta{SweepParam::Momentum, 0.0, 0.9, AxisScale::Linear};
    view_->setMetric(SweepMetric::DivergedAt);
    view_->setAxes(eta, beta);
    ASSERT_TRUE(waitFinal(*view_));
    const auto m = view_->mapWidget()->map();
    ASSERT_EQ(m->request.base.loss.name, "quadratic");
    ASSERT_EQ(m->nx(), 32);
    const double cell = std::log(eta.hi / eta.lo) / 32.0;  // width of a cell in ln(eta)
    const double lambda = 10.0;
    for (long iy = 0; iy < m->ny(); ++iy) {
        const double b = m->result.y.values[iy];
        const double eta_star = 2.0 * (1.0 + b) / lambda;
        // Stable then diverged along eta, one boundary per row.
        long first = -1;
        for (long ix = 0; ix < m->nx(); ++ix) {
            const bool d = m->divergedAt(ix, iy) >= 0;
            if (d && first < 0) first = ix;
            if (first >= 0) {
                EXPECT_TRUE(d) << "row " << iy << " cell " << ix;
            }
        }
        ASSERT_GT(first, 0) << "row " << iy;
        // The boundary (the edge between the last stable and the first diverged cell) lies on
        // eta lambda = 2(1 + beta) within one cell.
        const double edge =
            0.5 * (std::log(m->result.x.values[first - 1]) + std::log(m->result.x.values[first]));
        EXPECT_LE(std::abs(edge - std::log(eta_star)), cell) << "beta = " << b;
        // Every cell on the stable side of the limit stays finite.
        for (long ix = 0; ix < m->nx(); ++ix)
            if (m->result.x.values[ix] < eta_star) {
                EXPECT_LT(m->divergedAt(ix, iy), 0);
            }
    }
    // The overlay drawn is that line.
    const SweepOverlay* limit = nullptr;
    for (const SweepOverlay& o : m->overlays)
        if (o.name == "stability_limit") limit = &o;
    ASSERT_NE(limit, nullptr);
    EXPECT_DOUBLE_EQ(limit->curvature, lambda);
    ASSERT_FALSE(limit->lines.empty());
    for (const Polyline& l : limit->lines)
        for (size_t i = 0; i < l.x.size(); ++i)
            EXPECT_NEAR(l.x[i] * lambda, 2.0 * (1.0 + l.y[i]), 1e-9);
}

TEST_F(RegimeViewTest, ClickingACellMakesItsHyperparametersTheSceneInOneUndoStep) {
    ASSERT_TRUE(waitFinal(*view_));
    const auto m = view_->mapWidget()->map();
    const Scene before = model_->scene();
    const int undo_before = model_->undoStack()->count();
    const int started = view_->computationsStarted();
    const long ix = 9, iy = 21;
    QTest::mouseClick(view_->mapWidget(), Qt::LeftButton, Qt::NoModifier,
                      view_->mapWidget()->cellCenter(ix, iy).toPoint());
    const Scene& after = model_->scene();
    EXPECT_EQ(after.rule.lr, m->result.x.values[ix]);
    EXPECT_EQ(after.rule.momentum, m->result.y.values[iy]);
    EXPECT_NE(after.rule.lr, before.rule.lr);
    // Nothing else changed, and it is one undo step.
    Scene same = after;
    same.rule.lr = before.rule.lr;
    same.rule.momentum = before.rule.momentum;
    EXPECT_TRUE(same == before);
    EXPECT_EQ(model_->undoStack()->count(), undo_before + 1);
    // Opening a cell changes only the swept hyperparameters: the map stays, no recomputation.
    QTest::qWait(RegimeView::kDebounceMs + 200);
    EXPECT_EQ(view_->computationsStarted(), started);
    EXPECT_EQ(view_->mapWidget()->map(), m);
    model_->undoStack()->undo();
    EXPECT_TRUE(model_->scene() == before);
}

TEST_F(RegimeViewTest, CancelMidComputationLeavesThePreviousCompleteMap) {
    ASSERT_TRUE(waitFinal(*view_));
    const auto complete = view_->mapWidget()->map();
    // A slow sweep (the ODE gap integrates one ODE per cell); cancel once it reports progress.
    QSignalSpy progress(view_->sweeper(), &RegimeSweeper::progress);
    view_->setMetric(SweepMetric::OdeGap);
    ASSERT_TRUE(progress.wait(20000));
    ASSERT_TRUE(view_->sweeper()->busy());
    ASSERT_TRUE(view_->progressBar()->isVisible());
    QTest::mouseClick(view_->cancelButton(), Qt::LeftButton);
    EXPECT_FALSE(view_->sweeper()->busy());
    EXPECT_FALSE(view_->progressBar()->isVisible());
    EXPECT_EQ(view_->mapWidget()->map(), complete);
    // Nothing of the cancelled request arrives later.
    QTest::qWait(1500);
    EXPECT_EQ(view_->mapWidget()->map(), complete);
    EXPECT_EQ(complete->request.metric, SweepMetric::StepsToTol);
    EXPECT_TRUE(complete->isFinal());
    EXPECT_EQ(static_cast<long>(complete->result.values.front().size()),
              complete->nx() * complete->ny());
    EXPECT_TRUE(view_->statusLabel()->text().contains("Cancelled"));
    // The worker is free again: the next request completes.
    view_->setMetric(SweepMetric::NormGrowth);
    ASSERT_TRUE(waitFinal(*view_));
    EXPECT_EQ(view_->mapWidget()->map()->request.metric, SweepMetric::NormGrowth);
}

TEST_F(RegimeViewTest, ChangingTheLossOrAFixedParameterRecomputesButTheSweptOnesDoNot) {
    ASSERT_TRUE(waitFinal(*view_));
    int started = view_->computationsStarted();
    model_->setLossName("scale_cos");
    ASSERT_TRUE(waitFinal(*view_));
    EXPECT_EQ(view_->computationsStarted(), started + 1);
    EXPECT_EQ(view_->mapWidget()->map()->request.base.loss.name, "scale_cos");
    // A fixed hyperparameter (k, with eta and beta on the axes).
    started = view_->computationsStarted();
    model_->setWeightDecay(0.01);
    ASSERT_TRUE(waitFinal(*view_));
    EXPECT_EQ(view_->computationsStarted(), started + 1);
    EXPECT_EQ(view_->mapWidget()->map()->request.base.rule.weight_decay, 0.01);
    // A swept one: the same map.
    started = view_->computationsStarted();
    model_->setLr(0.2);
    QTest::qWait(RegimeView::kDebounceMs + 200);
    EXPECT_EQ(view_->computationsStarted(), started);
}

TEST_F(RegimeViewTest, HoverReadoutGivesTheCellAndTheStepItDivergedAt) {
    model_->setScene(quadraticScene(), "quadratic");
    view_->setAxes({SweepParam::LearningRate, 0.01, 1.0, AxisScale::Log},
                   {SweepParam::Momentum, 0.0, 0.9, AxisScale::Linear});
    ASSERT_TRUE(waitFinal(*view_));
    const auto m = view_->mapWidget()->map();
    ASSERT_GE(m->divergedAt(31, 0), 0);
    // A move event sent to the map itself: ctest -j2 runs other GUI tests on the same display,
    // and a real pointer may land on their windows, which can lie on top of this one.
    auto hover = [this](long ix, long iy, const QString& expect) {
        const QPointF at = view_->mapWidget()->cellCenter(ix, iy);
        QMouseEvent move(QEvent::MouseMove, at, view_->mapWidget()->mapToGlobal(at), Qt::NoButton,
                         Qt::NoButton, Qt::NoModifier);
        QApplication::sendEvent(view_->mapWidget(), &move);
        for (int i = 0; i < 100 && !view_->readoutLabel()->text().contains(expect); ++i)
            QTest::qWait(20);
        return view_->readoutLabel()->text();
    };
    const QString diverged = hover(31, 0, QString("diverged at step"));
    EXPECT_TRUE(diverged.contains(QString("diverged at step %1").arg(m->divergedAt(31, 0))))
        << diverged.toStdString();
    EXPECT_TRUE(diverged.contains("η = ")) << diverged.toStdString();
    ASSERT_LT(m->divergedAt(0, 16), 0);
    const QString stable = hover(0, 16, QString("steps_to_tol"));
    EXPECT_TRUE(stable.contains("steps_to_tol")) << stable.toStdString();
    EXPECT_TRUE(stable.contains(formatNumber(m->result.y.values[16], 4))) << stable.toStdString();
}

TEST_F(RegimeViewTest, ExportsPngSvgAndCsvOfTheMapOnScreen) {
    ASSERT_TRUE(waitFinal(*view_));
    const auto m = view_->mapWidget()->map();
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    RegimeMapWidget* w = view_->mapWidget();
    const QString png = dir.filePath("map.png"), svg = dir.filePath("map.svg"),
                  csv = dir.filePath("map.csv");
    EXPECT_EQ(w->exportPng(png), QString());
    EXPECT_EQ(w->exportSvg(svg), QString());
    EXPECT_EQ(w->exportCsv(csv), QString());
    // Atomic writes leave exactly the three files.
    EXPECT_EQ(QDir(dir.path()).entryList(QDir::Files).size(), 3);
    const QImage img(png);
    ASSERT_FALSE(img.isNull());
    EXPECT_EQ(img.width(), 2 * w->width());
    QFile s(svg);
    ASSERT_TRUE(s.open(QIODevice::ReadOnly));
    const QByteArray svg_text = s.readAll();
    EXPECT_TRUE(svg_text.contains("<svg"));
    EXPECT_TRUE(svg_text.contains("<image"));
    QFile c(csv);
    ASSERT_TRUE(c.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = c.readAll().trimmed().split('\n');
    ASSERT_EQ(lines.size(), 1 + m->nx() * m->ny());
    EXPECT_EQ(lines[0], "lr,momentum,steps_to_tol");
    const QList<QByteArray> row = lines[1 + m->result.index(3, 7)].split(',');
    ASSERT_EQ(row.size(), 3);
    EXPECT_EQ(row[0].toDouble(), m->result.x.values[3]);
    EXPECT_EQ(row[1].toDouble(), m->result.y.values[7]);
    const double v = m->value(3, 7);
    if (std::isnan(v)) {
        EXPECT_EQ(row[2], "nan");
    } else {
        EXPECT_EQ(row[2].toDouble(), v);
    }
}

TEST(RegimeMainWindow, DockIsIdleUntilShownThenAClickOpensTheCellInEveryView) {
    if (!qApp) GTEST_SKIP() << "no display (run under xvfb-run)";
    MainWindow w(false);
    w.resize(1600, 1000);
    w.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&w));
    ASSERT_TRUE(waitFirstFrame(w, 20000));
    RegimeView* view = w.regime();
    ASSERT_NE(view, nullptr);
    EXPECT_FALSE(w.regimeDock()->isVisible());
    // Hidden: scene edits compute nothing.
    w.model()->setWeightDecay(0.001);
    QTest::qWait(RegimeView::kDebounceMs + 200);
    EXPECT_EQ(view->computationsStarted(), 0);
    // View > Regime map shows it and it computes.
    view->setResolution(32);
    w.regimeDock()->toggleViewAction()->trigger();
    ASSERT_TRUE(w.regimeDock()->isVisible());
    ASSERT_TRUE(waitFinal(*view));
    EXPECT_EQ(view->mapWidget()->map()->request.base.rule.weight_decay, 0.001);
    // A click: the main views run the cell's scene.
    const auto m = view->mapWidget()->map();
    QTest::mouseClick(view->mapWidget(), Qt::LeftButton, Qt::NoModifier,
                      view->mapWidget()->cellCenter(4, 10).toPoint());
    ASSERT_TRUE(waitPresented(w, w.runs()->lastRequested(), 20000));
    ASSERT_TRUE(w.currentRun());
    EXPECT_EQ(w.currentRun()->scene.rule.lr, m->result.x.values[4]);
    EXPECT_EQ(w.currentRun()->scene.rule.momentum, m->result.y.values[10]);
}

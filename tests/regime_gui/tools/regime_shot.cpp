// regime_shot: screenshots of the regime map for review (not a test). Opens the real main
// window with the Regime map dock shown, waits for the final pass and writes
// PREFIX-window.png (the whole window), PREFIX-map.png and PREFIX-map.svg (the map's exports).
//   regime_shot PREFIX [--metric NAME] [--cells N] [--x PARAM:LO:HI:log|lin]
//               [--y PARAM:LO:HI:log|lin] [--lin-colour] [--float] [--dark]
//               [scene options of noetherlab]
#include <QApplication>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QPainter>
#include <QStyleFactory>
#include <QSvgRenderer>
#include <QTest>
#include <cstdio>

#include "gui/app_driver.hpp"
#include "gui/main_window.hpp"
#include "gui/regime/regime_view.hpp"

using namespace noether;
using namespace noether::gui;

namespace {

bool parseAxis(const QString& text, RegimeAxis& a) {
    const QStringList p = text.split(':');
    if (p.size() != 4) return false;
    const auto param = parse_sweep_param(p[0].toStdString());
    if (!param) return false;
    a.param = *param;
    a.lo = p[1].toDouble();
    a.hi = p[2].toDouble();
    a.scale = p[3] == "log" ? AxisScale::Log : AxisScale::Linear;
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QFont font = QApplication::font();
    if (font.pointSizeF() < 12.0) font.setPointSizeF(12.0);
    QApplication::setFont(font);
    const QStringList args = QApplication::arguments();
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: regime_shot PREFIX [options]\n");
        return 2;
    }
    const QString prefix = args[1];
    QStringList scene_args;
    std::optional<SweepMetric> metric;
    long cells = 128;
    std::optional<RegimeAxis> x, y;
    bool lin_colour = false, floating = false;
    for (int i = 2; i < args.size(); ++i) {
        const QString a = args[i];
        auto next = [&]() { return i + 1 < args.size() ? args[++i] : QString(); };
        if (a == "--metric") {
            metric = parse_sweep_metric(next().toStdString());
            if (!metric) return 2;
        } else if (a == "--cells") {
            cells = next().toLong();
        } else if (a == "--x" || a == "--y") {
            RegimeAxis ax;
            if (!parseAxis(next(), ax)) return 2;
            (a == "--x" ? x : y) = ax;
        } else if (a == "--lin-colour") {
            lin_colour = true;
        } else if (a == "--float") {
            floating = true;
        } else if (a == "--dark") {
            // The app's dark palette (main.cpp).
            QApplication::setStyle(QStyleFactory::create("Fusion"));
            QPalette p;
            const QColor window(40, 42, 46), base(28, 30, 33), text(235, 235, 235);
            for (auto [role, c] : {std::pair{QPalette::Window, window},
                                   {QPalette::WindowText, text},
                                   {QPalette::Base, base},
                                   {QPalette::AlternateBase, window},
                                   {QPalette::Text, text},
                                   {QPalette::Button, window},
                                   {QPalette::ButtonText, text}})
                p.setColor(role, c);
            QApplication::setPalette(p);
        } else if (a.startsWith("--")) {
            scene_args << a.mid(2) << next();
        }
    }

    MainWindow w(false);
    w.resize(1600, 1000);
    Scene scene = SceneModel::defaultScene();
    if (const QString err = applySceneOptions(scene_args, scene); !err.isEmpty()) {
        std::fprintf(stderr, "regime_shot: %s\n", qPrintable(err));
        return 2;
    }
    w.model()->setScene(scene, "shot");
    RegimeView* view = w.regime();
    if (metric) view->setMetric(*metric);
    if (x || y)
        view->setAxes(x.value_or(defaultRegimeAxis(SweepParam::LearningRate)),
                      y.value_or(defaultRegimeAxis(SweepParam::Momentum)));
    view->setResolution(cells);
    w.show();
    if (!QTest::qWaitForWindowExposed(&w) || !waitFirstFrame(w, 30000)) return 1;
    w.regimeDock()->toggleViewAction()->trigger();
    if (floating) {
        w.regimeDock()->setFloating(true);
        w.regimeDock()->resize(1000, 860);
    }
    if (lin_colour) view->logColourCheck()->setChecked(false);
    QElapsedTimer t;
    t.start();
    for (;;) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        const auto m = view->mapWidget()->map();
        if (view->idle() && m && m->isFinal() && m->generation == view->sweeper()->lastRequested())
            break;
        if (t.elapsed() > 300000) return 1;
        QTest::qWait(10);
    }
    waitPresented(w, w.runs()->lastRequested(), 20000);
    QTest::qWait(400);
    std::printf("%s\n", qPrintable(view->statusLabel()->text()));
    const QImage img = w.grabWindowImage();
    if (!img.save(prefix + "-window.png")) return 1;
    if (!view->mapWidget()->exportPng(prefix + "-map.png").isEmpty()) return 1;
    if (!view->mapWidget()->exportSvg(prefix + "-map.svg").isEmpty()) return 1;
    // The SVG drawn back by Qt's renderer, to look at.
    QSvgRenderer svg(prefix + "-map.svg");
    QImage back(svg.defaultSize() * 2, QImage::Format_ARGB32_Premultiplied);
    back.fill(Qt::white);
    {
        QPainter p(&back);
        svg.render(&p);
    }
    if (!back.save(prefix + "-map-svg.png")) return 1;
    return 0;
}

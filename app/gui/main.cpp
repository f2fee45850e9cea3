// noetherlab: the desktop application. Besides the normal start it has two scripted modes:
//   --bench-interaction N   time N η-slider changes until every view has presented its frame
//   --screenshot FILE.png   show the window, wait for the first complete frame, save it, exit
//   --bench-startup         print where the time from launch to the first frame went, exit
// and scene options for both (--scene FILE, --scene-loss NAME, --lr, --momentum, ...).
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QPalette>
#include <QStyleFactory>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include "gui/app_driver.hpp"
#include "gui/lecture/lecture_mode.hpp"
#include "gui/main_window.hpp"
#include "gui/panels/timeline.hpp"
#include "gui/profile.hpp"
#include "gui/scene_actions.hpp"
#include "gui/views/charge_chart.hpp"
#include "gui/views/phase_chart.hpp"
#include "gui/views/style.hpp"
#include "io/file_io.hpp"
#include "io/scene_file.hpp"
#include "noether/memory.hpp"

namespace {

void setIdentity() {
    QCoreApplication::setOrganizationName("NoetherLab");
    QCoreApplication::setApplicationName("noetherlab");
    QCoreApplication::setApplicationVersion("0.1.0");
}

void addOptions(QCommandLineParser& parser) {
    parser.setApplicationDescription(
        "NoetherLab: learning dynamics, symmetries and Noether charges in real time.");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({"bench-interaction",
                      "Time N η-slider changes (default scene) and print "
                      "'interaction p50=X ms p95=Y ms'.",
                      "N"});
    parser.addOption(
        {"screenshot", "Save the window as FILE.png after the first frame, exit.", "FILE"});
    parser.addOption({"bench-startup",
                      "Print where the time from launch to the first presented frame goes "
                      "(launch time from NOETHER_LAUNCH_NS, CLOCK_REALTIME ns), exit."});
    parser.addOption({"check-layout",
                      "After the first frame, list every text that is cut off, elided or "
                      "scrolls, and every plot area under 200x110 px; exit 1 if there is one."});
    parser.addOption({"scene", "Open a scene file.", "FILE"});
    parser.addOption({"scene-loss", "Start with this built-in loss (suggested start).", "NAME"});
    parser.addOption({"lr", "Learning rate η.", "X"});
    parser.addOption({"momentum", "Momentum β.", "X"});
    parser.addOption({"weight-decay", "Weight decay k.", "X"});
    parser.addOption({"eps", "Breaking strength ε.", "X"});
    parser.addOption({"q0", "Start point, comma-separated.", "X1,X2"});
    parser.addOption({"v0", "Kick, comma-separated, or 'none'.", "V1,V2"});
    parser.addOption({"steps", "Number of steps.", "N"});
    parser.addOption({"rule", "sgd | rmsprop | rmsprop-norm | adam | adamw.", "R"});
    parser.addOption({"models", "Models, e.g. discrete,ode,flow.", "LIST"});
    parser.addOption({"param", "Loss parameter NAME=V1[,V2..].", "NAME=V"});
    parser.addOption({"time", "Screenshot: current time as a fraction of the run.", "F"});
    parser.addOption(
        {"phase", "Phase coordinate id (radius, angle, translation, rescale, q1..).", "ID"});
    parser.addOption({"chart-window",
                      "Charts show this fraction of the run (1, 0.1, 0.01; 0 = "
                      "log time).",
                      "F"});
    parser.addOption({"budget", "Show the charge budget terms."});
    parser.addOption({"dark", "Use a dark palette."});
    parser.addOption({"size", "Window size WxH (default 1600x1000).", "WxH"});
    parser.addOption({"no-restore", "Do not restore the last scene and layout."});
    parser.addPositionalArgument("file", "A scene file to open (as --scene).", "[file]");
    parser.addOption({"lecture", "Start in lecture mode (the presets as a playlist)."});
}

/// True when Qt can open a window: an X11 or Wayland display, or a platform chosen explicitly.
bool haveDisplay() {
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY") ||
           qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
}

bool wantsHelpOrVersion(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "-h" || a == "--help" || a == "--help-all" || a == "-?" || a == "-v" ||
            a == "--version")
            return true;
    }
    return false;
}

/// Start-up phases for --bench-startup: wall time in ms since main() was entered.
class StartupClock {
  public:
    StartupClock() : main_ns_(realtime_ns()) { timer_.start(); }
    void mark(const char* phase) {
        markAt(phase, timer_.nsecsElapsed());
        if (noether::gui::profiling()) noether::gui::profileMark(phase);
    }
    /// A phase that ended at `ns` on clock().
    void markAt(const char* phase, qint64 ns) { marks_.emplace_back(phase, ns / 1e6); }
    const QElapsedTimer& clock() const { return timer_; }
    /// Launch (NOETHER_LAUNCH_NS, taken by the caller just before exec) to main(), or -1.
    double before_main_ms() const {
        const char* launch = std::getenv("NOETHER_LAUNCH_NS");
        if (!launch) return -1.0;
        char* end = nullptr;
        const long long t = std::strtoll(launch, &end, 10);
        const double ms = static_cast<double>(main_ns_ - t) / 1e6;
        // Not a launch time of this process (unparsable, in the future, over a minute ago).
        if (end == launch || *end != '\0' || ms < 0.0 || ms > 60000.0) return -1.0;
        return ms;
    }
    void print() const {
        const double pre = before_main_ms();
        std::printf("startup (ms)%s\n",
                    pre < 0 ? " since main(); set NOETHER_LAUNCH_NS for the loading before it"
                            : " since launch");
        if (pre >= 0)
            std::printf("  %-44s %8.1f %8.1f\n", "loader, libraries, static init", pre, pre);
        double last = 0.0;
        for (const auto& [phase, ms] : marks_) {
            std::printf("  %-44s %8.1f %8.1f\n", phase.c_str(), ms - last,
                        (pre < 0 ? 0.0 : pre) + ms);
            last = ms;
        }
        std::printf("first frame %.1f ms\n", (pre < 0 ? 0.0 : pre) + last);
    }

  private:
    static long long realtime_ns() {
        timespec ts{};
        clock_gettime(CLOCK_REALTIME, &ts);
        return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
    }
    long long main_ns_;
    QElapsedTimer timer_;
    std::vector<std::pair<std::string, double>> marks_;
};

}  // namespace

int main(int argc, char** argv) {
    StartupClock startup;
    noether::tune_allocator_for_runs();
    // --help and --version need no display; without one, say so instead of Qt's abort.
    if (wantsHelpOrVersion(argc, argv)) {
        QCoreApplication core(argc, argv);
        setIdentity();
        QCommandLineParser parser;
        addOptions(parser);
        parser.process(core);  // prints and exits
        return 0;
    }
    if (!haveDisplay()) {
        std::fprintf(stderr,
                     "noetherlab: no display (neither DISPLAY nor WAYLAND_DISPLAY is set).\n"
                     "  Run it in a desktop session, under xvfb-run, or use noetherlab-cli "
                     "(simulate, render, ...) for headless work.\n");
        return 2;
    }
    // A window paints as soon as the event loop is free after update(): otherwise Qt's platform
    // plugin waits for its update timer (QT_QPA_UPDATE_IDLE_TIME, 5 ms), and on a slider drag
    // the landscape was drawn when that timer fired, not when the run was ready: 0.6 ms of a
    // change's latency on average (docs/PERFORMANCE.md). A value the user sets wins.
    if (!qEnvironmentVariableIsSet("QT_QPA_UPDATE_IDLE_TIME"))
        qputenv("QT_QPA_UPDATE_IDLE_TIME", "0");
    // The arguments' bytes as given: a file name need not be UTF-8 (Qt's text of it would
    // turn such bytes into U+FFFD and name a different file).
    const std::vector<std::string> raw_args(argv, argv + argc);
    QApplication app(argc, argv);
    startup.mark("QApplication (platform plugin, X connection)");

    setIdentity();
    QApplication::setDesktopFileName("noetherlab");
    noether::gui::applyLectureAppFont();  // never below 12 pt

    QCommandLineParser parser;
    addOptions(parser);
    parser.process(app);

    if (parser.isSet("dark")) {
        QApplication::setStyle(QStyleFactory::create("Fusion"));
        QApplication::setPalette(noether::gui::darkPalette());
    }
    const bool scripted = parser.isSet("bench-interaction") || parser.isSet("screenshot") ||
                          parser.isSet("bench-startup") || parser.isSet("check-layout");
    // A scene file: --scene FILE, or the first positional argument (the .desktop entry's %f).
    QString scene_path = parser.value("scene");
    if (scene_path.isEmpty() && !parser.positionalArguments().isEmpty())
        scene_path = parser.positionalArguments().first();
    const bool custom_scene = !scene_path.isEmpty();
    std::string scene_native = noether::io::native_name(scene_path);
    for (size_t i = 1; i < raw_args.size(); ++i) {
        std::string a = raw_args[i];
        if (a.rfind("--scene=", 0) == 0) a.erase(0, 8);
        if (a != "--scene" && QString::fromLocal8Bit(a.c_str()) == scene_path) scene_native = a;
    }
    QStringList scene_args;
    for (const QString& name : noether::gui::sceneOptionNames())
        for (const QString& v : parser.values(name))
            scene_args << name << v;

    startup.mark("fonts, options");
    noether::gui::MainWindow window(!scripted && !parser.isSet("no-restore") && !custom_scene &&
                                    scene_args.isEmpty());
    startup.mark("MainWindow (widgets, docks, charts)");
    if (parser.isSet("size")) {
        const QStringList wh = parser.value("size").split('x');
        if (wh.size() == 2) window.resize(wh[0].toInt(), wh[1].toInt());
    }

    // The scene: default (or restored), a file, then the options.
    noether::Scene scene = window.model()->scene();
    if (scripted) scene = noether::gui::SceneModel::defaultScene();
    if (custom_scene) {
        auto doc = noether::io::load_scene_file_native(scene_native);
        if (!doc) {
            std::fprintf(stderr, "noetherlab: %s\n", doc.error().what().c_str());
            return 2;
        }
        scene = doc->scene;
    }
    if (const QString err = noether::gui::applySceneOptions(scene_args, scene); !err.isEmpty()) {
        std::fprintf(stderr, "noetherlab: %s\n", qPrintable(err));
        return 2;
    }
    if (!(scene == window.model()->scene())) {
        window.model()->setScene(scene, QObject::tr("Start scene"));
        window.model()->undoStack()->clear();
    }
    // A scene file brings its title, explanation and view settings.
    if (custom_scene && scene_args.isEmpty()) window.sceneActions()->openNativeFile(scene_native);
    if (parser.isSet("phase")) window.phase()->setCoordinate(parser.value("phase"));
    if (parser.isSet("budget")) window.charges()->setBudgetVisible(true);
    startup.mark("scene");
    window.show();
    startup.mark("show()");
    if (parser.isSet("lecture")) window.sceneActions()->lecture()->enter();

    if (parser.isSet("bench-startup")) {
        const qint64 at = noether::gui::waitEveryViewPainted(window, window.runs()->lastRequested(),
                                                             20000, startup.clock());
        const bool ok = at >= 0;
        startup.markAt("first run, GL init, every view on screen", at);
        startup.print();
        std::fflush(stdout);
        if (noether::gui::profiling()) noether::gui::profileReport();
        return ok ? 0 : 1;
    }

    if (parser.isSet("bench-interaction")) {
        bool ok = false;
        const int n = parser.value("bench-interaction").toInt(&ok);
        if (!ok || n < 1) {
            std::fprintf(stderr, "noetherlab: --bench-interaction: needs a positive count\n");
            return 2;
        }
        if (!noether::gui::waitFirstFrame(window, 20000)) {
            std::fprintf(stderr, "noetherlab: the first frame never appeared\n");
            return 1;
        }
        const auto st = noether::gui::benchInteraction(window, n);
        std::printf("interaction p50=%.2f ms p95=%.2f ms\n", st.p50_ms, st.p95_ms);
        std::printf("  (%d changes, mean %.2f ms, max %.2f ms, engine mean %.2f ms, %d timeouts)\n",
                    st.changes, st.mean_ms, st.max_ms, st.engine_mean_ms, st.timeouts);
        std::fflush(stdout);
        if (noether::gui::profiling()) noether::gui::profileReport();
        return st.timeouts == 0 ? 0 : 1;
    }
    if (parser.isSet("check-layout") && !parser.isSet("screenshot")) {
        const bool complete = noether::gui::waitFirstFrame(window, 20000);
        QElapsedTimer settle;  // as --screenshot: the explanation's fit and late layouts
        settle.start();
        while (settle.elapsed() < 400)
            QApplication::processEvents(QEventLoop::AllEvents, 20);
        const QStringList problems = noether::gui::layoutProblems(window);
        for (const QString& p : problems)
            std::printf("layout: %s\n", qPrintable(p));
        std::printf("%lld layout problem(s) at %dx%d\n", static_cast<long long>(problems.size()),
                    window.width(), window.height());
        return complete && problems.isEmpty() ? 0 : 1;
    }
    if (parser.isSet("screenshot")) {
        const bool complete = noether::gui::waitFirstFrame(window, 20000);
        if (!complete) std::fprintf(stderr, "noetherlab: the first frame never completed\n");
        if (parser.isSet("chart-window")) {
            // Goes through the time line's window combo.
            const double f = parser.value("chart-window").toDouble();
            window.timeline()->setWindowIndex(f <= 0.0 ? 0 : (f >= 0.5 ? 1 : (f >= 0.05 ? 2 : 3)));
        }
        if (parser.isSet("time")) {
            const double f = std::clamp(parser.value("time").toDouble(), 0.0, 1.0);
            window.timeline()->setIndex(
                static_cast<long>(f * static_cast<double>(window.model()->scene().steps)));
        }
        const qint64 until = 400;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < until)
            QApplication::processEvents(QEventLoop::AllEvents, 20);
        const QString err = noether::gui::saveScreenshot(window, parser.value("screenshot"));
        if (!err.isEmpty()) {
            std::fprintf(stderr, "noetherlab: %s\n", qPrintable(err));
            return 1;
        }
        return complete ? 0 : 1;
    }
    return QApplication::exec();
}

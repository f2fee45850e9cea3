// The scene workflow of the real window (under a display): refused files and links leave the
// scene untouched and say which field; copy → paste link gives the identical scene; save →
// open gives it back; the presets menu follows the index; lecture mode steps the playlist
// with PageDown / PageUp and leaves with Esc; exports from the window write valid files.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QDockWidget>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLegend>
#include <QLegendMarker>
#include <QLogValueAxis>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QStatusBar>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrl>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <tuple>

#include "gui/app_driver.hpp"
#include "gui/figure/chart_figures.hpp"
#include "gui/figure/figure_style.hpp"
#include "gui/lecture/lecture_mode.hpp"
#include "gui/main_window.hpp"
#include "gui/panels/controls_panel.hpp"
#include "gui/panels/explanation_panel.hpp"
#include "gui/panels/timeline.hpp"
#include "gui/panels/value_control.hpp"
#include "gui/scene_actions.hpp"
#include "gui/views/charge_chart.hpp"
#include "gui/views/landscape_view.hpp"
#include "gui/views/landscape_window.hpp"
#include "gui/views/loss_chart.hpp"
#include "gui/views/phase_chart.hpp"
#include "gui/views/style.hpp"
#include "main_window_fixture.hpp"
#include "pub_support.hpp"

using namespace noether;
using namespace noether::gui;

namespace {

class PubWindowTest : public MainWindowFixture {
  protected:
    // This program always has a QApplication (offscreen without a display).
    bool haveDisplay() const override { return g_display; }
    void TearDown() override {
        if (window_ && actions()->lecture()->active()) actions()->lecture()->leave();
        window_.reset();
    }
    SceneActions* actions() { return window_->sceneActions(); }
    const Scene& scene() { return window_->model()->scene(); }
    QTemporaryDir dir_;
};

QByteArray presetBytes(const char* file) {
    QFile f(QString(NOETHER_PRESETS_DIR) + "/" + file);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace

TEST_F(PubWindowTest, OpenOfABadFileLeavesTheSceneAndNamesTheField) {
    const Scene before = scene();
    QByteArray bad = presetBytes("07-rescale-balancing.noether");
    bad.replace("\"momentum\": 0.0", "\"momentum\": 1.5");
    const QString path = dir_.filePath("bad.noether");
    ASSERT_TRUE(writeBytes(path, bad));
    EXPECT_FALSE(actions()->openFile(path));
    EXPECT_TRUE(scene() == before);
    EXPECT_TRUE(actions()->lastError().contains("rule.momentum"))
        << actions()->lastError().toStdString();
    ASSERT_NE(actions()->messageBox(), nullptr);
    EXPECT_TRUE(actions()->messageBox()->isVisible());
    EXPECT_TRUE(actions()->messageBox()->text().contains("rule.momentum"));
    // Not JSON: line and column.
    ASSERT_TRUE(writeBytes(path, "{\"format\": \"noetherlab-scene\",\n \"version\": 1,,}"));
    EXPECT_FALSE(actions()->openFile(path));
    EXPECT_TRUE(scene() == before);
    EXPECT_TRUE(actions()->lastError().contains("line 2")) << actions()->lastError().toStdString();
}

TEST_F(PubWindowTest, DropOfABadFileLeavesTheSceneADropOfAGoodOneOpensIt) {
    const Scene before = scene();
    auto drop = [this](const QString& path) {
        QMimeData md;
        md.setUrls({QUrl::fromLocalFile(path)});
        const QPoint at(window_->width() / 2, window_->height() / 2);
        QDragEnterEvent enter(at, Qt::CopyAction, &md, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(window_.get(), &enter);
        EXPECT_TRUE(enter.isAccepted());
        QDropEvent ev(QPointF(at), Qt::CopyAction, &md, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(window_.get(), &ev);
        return ev.isAccepted();
    };
    QByteArray bad = presetBytes("04-implicit-adaptive-lr.noether");
    bad.replace("\"steps\": ", "\"steps\": -");
    const QString bad_path = dir_.filePath("bad.noether");
    ASSERT_TRUE(writeBytes(bad_path, bad));
    EXPECT_TRUE(drop(bad_path));
    EXPECT_TRUE(scene() == before);
    EXPECT_TRUE(actions()->lastError().contains("steps")) << actions()->lastError().toStdString();
    EXPECT_TRUE(actions()->messageBox() && actions()->messageBox()->isVisible());

    const QString good = QString(NOETHER_PRESETS_DIR) + "/04-implicit-adaptive-lr.noether";
    EXPECT_TRUE(drop(good));
    EXPECT_TRUE(scene() == presetDoc("04-implicit-adaptive-lr.noether").scene);
    EXPECT_EQ(actions()->recentFiles().value(0), QFileInfo(good).absoluteFilePath());
}

TEST_F(PubWindowTest, CopyThenPasteLinkGivesTheIdenticalScene) {
    ASSERT_TRUE(actions()->loadPreset("02a-noether-charge-underdamped.noether"));
    window_->model()->setLr(0.0371);
    window_->model()->setQ0((Vector(2) << 0.123456789012345, -0.7).finished());
    const Scene wanted = scene();
    actions()->copyLink();
    const QString link = QApplication::clipboard()->text();
    EXPECT_TRUE(link.startsWith("noether:"));
    window_->model()->setScene(SceneModel::defaultScene(), "reset");
    ASSERT_FALSE(scene() == wanted);
    EXPECT_TRUE(actions()->pasteLinkFromClipboard());
    EXPECT_TRUE(scene() == wanted);
    // The explanation travels with the link.
    EXPECT_TRUE(actions()->explanation()->titleText().startsWith("2a."));
}

TEST_F(PubWindowTest, AGarbledLinkIsRefusedAndTheSceneStays) {
    const Scene before = scene();
    QString link = actions()->link();
    link.chop(link.size() / 3);
    EXPECT_FALSE(actions()->pasteLink(link));
    EXPECT_TRUE(scene() == before);
    EXPECT_TRUE(actions()->lastError().startsWith("link")) << actions()->lastError().toStdString();
}

TEST_F(PubWindowTest, SaveThenOpenGivesTheSceneBackAndWarningsGoToTheStatusBar) {
    ASSERT_TRUE(actions()->loadPreset("06-weight-decay-oscillator.noether"));
    window_->model()->setWeightDecay(0.0123);
    const Scene wanted = scene();
    const QString path = dir_.filePath("saved.noether");
    ASSERT_TRUE(actions()->saveTo(path));
    window_->model()->setScene(SceneModel::defaultScene(), "reset");
    ASSERT_TRUE(actions()->openFile(path));
    EXPECT_TRUE(scene() == wanted);
    EXPECT_EQ(actions()->currentPath(), path);
    // An unknown field is kept, and said so in the status bar.
    QByteArray text = presetBytes("06-weight-decay-oscillator.noether");
    text.replace("\"steps\":", "\"learning_rate\": 3, \"steps\":");
    ASSERT_TRUE(writeBytes(path, text));
    ASSERT_TRUE(actions()->openFile(path));
    EXPECT_TRUE(window_->statusBar()->currentMessage().contains("learning_rate"))
        << window_->statusBar()->currentMessage().toStdString();
}

TEST_F(PubWindowTest, AFailedSaveOrExportNamesTheFileAndLosesNothing) {
    ASSERT_TRUE(actions()->loadPreset("06-weight-decay-oscillator.noether"));
    window_->model()->setWeightDecay(0.0123);
    ASSERT_TRUE(actions()->unsavedChanges());
    const Scene edited = scene();
    // A device that is full: refused, the file named with the reason, the scene still unsaved.
    const QString full = dir_.filePath("full.noether");
    ASSERT_TRUE(QFile::link("/dev/full", full));
    EXPECT_FALSE(actions()->saveTo(full));
    EXPECT_TRUE(actions()->lastError().contains(full + ": No space left on device"))
        << actions()->lastError().toStdString();
    ASSERT_TRUE(actions()->messageBox());
    EXPECT_TRUE(actions()->messageBox()->informativeText().contains("not saved"));
    EXPECT_TRUE(actions()->unsavedChanges());
    EXPECT_EQ(actions()->currentPath(), QString(":/presets/06-weight-decay-oscillator.noether"));
    EXPECT_TRUE(scene() == edited);
    // A full disk (RLIMIT_FSIZE below the file's size): the file saved before stays as it was
    // and no temporary is left beside it.
    const QString path = dir_.filePath("kept.noether");
    ASSERT_TRUE(actions()->saveTo(path));
    const QByteArray before = [&] {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }();
    ASSERT_FALSE(before.isEmpty());
    window_->model()->setWeightDecay(0.0456);
    EXPECT_TRUE(actions()->unsavedChanges());
    {
        struct rlimit old {};
        ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
        auto* previous = std::signal(SIGXFSZ, SIG_IGN);
        struct rlimit small = old;
        small.rlim_cur = 64;
        ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
        const bool saved = actions()->saveTo(path);
        ::setrlimit(RLIMIT_FSIZE, &old);
        std::signal(SIGXFSZ, previous);
        EXPECT_FALSE(saved);
    }
    EXPECT_TRUE(actions()->lastError().contains(path + ": File too large"))
        << actions()->lastError().toStdString();
    EXPECT_TRUE(actions()->unsavedChanges());
    EXPECT_EQ(actions()->currentPath(), path);
    {
        QFile f(path);
        ASSERT_TRUE(f.open(QIODevice::ReadOnly));
        EXPECT_EQ(f.readAll(), before);
    }
    EXPECT_EQ(QDir(dir_.path()).entryList({"kept*"}, QDir::Files | QDir::Hidden).size(), 1);
    // Exports: a figure onto the full device, data into a "folder" that is a file.
    ASSERT_TRUE(settle());
    figure::ExportSettings fig;
    const QString png = dir_.filePath("full.png");
    ASSERT_TRUE(QFile::link("/dev/full", png));
    const QString err = actions()->exportFigure(fig, png);
    EXPECT_TRUE(err.contains(png)) << err.toStdString();
    EXPECT_TRUE(err.contains("No space left on device")) << err.toStdString();
    const figure::DataExport data = actions()->exportData(path, "run");
    EXPECT_FALSE(data.error.isEmpty());
    EXPECT_TRUE(data.error.contains(path)) << data.error.toStdString();
    EXPECT_TRUE(data.files.isEmpty());
}

// Issue 18: 16 MiB of unknown fields (refused after ~0.5 s of parsing) is read off the GUI
// thread: the window's timers keep running (no gap over 100 ms) and the scene stays.
TEST_F(PubWindowTest, AHugeSceneFileIsReadWhileTheWindowKeepsRunning) {
    const QString path = dir_.filePath("unknown.noether");
    {
        std::string text =
            R"({"format": "noetherlab-scene", "version": 1, "loss": {"name": "rotation_hat"},)"
            R"( "q0": [0.6, 0.5], "steps": 10)";
        for (long i = 0; text.size() < 16 * 1024 * 1024 - 32; ++i)
            text += ", \"u" + std::to_string(i) + "\": 0";
        text += "}";
        QFile f(path);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        ASSERT_EQ(f.write(text.data(), static_cast<qint64>(text.size())),
                  static_cast<qint64>(text.size()));
    }
    const Scene before = scene();
    QElapsedTimer clock;
    qint64 last = 0, longest = 0;
    QTimer tick;
    tick.setInterval(5);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        const qint64 now = clock.elapsed();
        longest = std::max(longest, now - last);
        last = now;
    });
    tick.start();
    clock.start();
    EXPECT_FALSE(actions()->openFile(path));
    const qint64 total = clock.elapsed();
    tick.stop();
    longest = std::max(longest, total - last);
    // The read takes long enough to matter (else this test shows nothing) ...
    EXPECT_GT(total, 150) << "the file was refused in " << total << " ms";
    // ... and the event loop ran throughout.
    EXPECT_LT(longest, 100) << "the window stood still for " << longest << " ms of " << total;
    EXPECT_TRUE(actions()->lastError().contains("unknown fields"))
        << actions()->lastError().toStdString();
    EXPECT_TRUE(actions()->lastError().contains(path)) << actions()->lastError().toStdString();
    EXPECT_TRUE(scene() == before);
}

// Issue 18: a file whose name is not UTF-8 opens by its bytes (as `noetherlab --scene` passes
// them); Save then asks for a name instead of writing to the U+FFFD-mangled one.
TEST_F(PubWindowTest, AFileNamedByNonUtf8BytesOpensAndIsNotSavedUnderAnotherName) {
    ASSERT_TRUE(actions()->loadPreset("06-weight-decay-oscillator.noether"));
    const Scene preset = scene();
    ASSERT_TRUE(actions()->saveTo(dir_.filePath("plain.noether")));
    const std::string native = QFile::encodeName(dir_.path()).toStdString() + "/sc\xff\xfe.noether";
    ASSERT_EQ(
        std::rename(QFile::encodeName(dir_.filePath("plain.noether")).constData(), native.c_str()),
        0);
    ASSERT_TRUE(actions()->loadPreset("01a-loss-vs-dynamics-x1.noether"));
    ASSERT_FALSE(scene() == preset);
    // Qt's text of the name is another file.
    EXPECT_FALSE(actions()->openFile(QString::fromLocal8Bit(native.c_str())));
    ASSERT_TRUE(actions()->openNativeFile(native)) << actions()->lastError().toStdString();
    EXPECT_TRUE(scene() == preset);
    EXPECT_TRUE(actions()->currentPath().isEmpty());
}

// Issue 13: an exported chart has the time axis the screen shows (it used a linear axis while
// the screen showed log time): for each of the timeline's windows, the charge and loss charts'
// x axes on screen and in the figure are the same kind over the same range; the window is saved
// in the scene file (view.time_window) and comes back with it.
TEST_F(PubWindowTest, ExportedChartsHaveTheTimeAxisOnScreen) {
    ASSERT_TRUE(actions()->loadPreset("02a-noether-charge-underdamped.noether"));
    ASSERT_TRUE(settle());
    const figure::Theme th = figure::makeTheme(figure::Palette::Paper, 9.0, 1.0);
    auto screenAxis = [](ChartPanel* chart) {
        for (QAbstractAxis* a : chart->chart()->axes(Qt::Horizontal)) {
            if (!a->isVisible()) continue;
            if (auto* l = qobject_cast<QLogValueAxis*>(a))
                return std::tuple(true, l->min(), l->max());
            if (auto* v = qobject_cast<QValueAxis*>(a))
                return std::tuple(false, v->min(), v->max());
        }
        return std::tuple(false, double(NAN), double(NAN));
    };
    auto screenTitle = [](ChartPanel* chart) {
        for (QAbstractAxis* a : chart->chart()->axes(Qt::Horizontal))
            if (a->isVisible()) return a->titleText();
        return QString();
    };
    const char* names[] = {"log", "all", "first 10%", "first 1%"};
    for (int w = 0; w < 4; ++w) {
        window_->timeline()->setWindowIndex(w);
        ASSERT_TRUE(settle());
        auto data = actions()->figureData(false);
        ASSERT_TRUE(data) << data.error().what();
        const figure::FigureOptions opt;
        const figure::PlotSpec specs[] = {figure::chargeSpec(*data, opt, th, 400),
                                          figure::lossSpec(*data, opt, th, 400)};
        ChartPanel* charts[] = {window_->charges(), window_->lossChart()};
        for (int k = 0; k < 2; ++k) {
            const auto [log, lo, hi] = screenAxis(charts[k]);
            EXPECT_EQ(specs[k].x.log, log) << names[w] << " chart " << k;
            EXPECT_DOUBLE_EQ(specs[k].x.lo, lo) << names[w] << " chart " << k;
            EXPECT_DOUBLE_EQ(specs[k].x.hi, hi) << names[w] << " chart " << k;
            EXPECT_EQ(specs[k].x.title, screenTitle(charts[k])) << names[w] << " chart " << k;
        }
        EXPECT_EQ(actions()->document().view.value("time_window").toString(),
                  w == 0 ? QString() : QString(names[w]));
    }
    const QString path = dir_.filePath("window.noether");
    ASSERT_TRUE(actions()->saveTo(path));
    window_->timeline()->setWindowIndex(0);
    ASSERT_TRUE(actions()->openFile(path));
    EXPECT_DOUBLE_EQ(window_->timeline()->window(), 0.01);
    // A window the screen does not offer is refused, naming the field.
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    QByteArray bytes = f.readAll();
    f.close();
    bytes.replace("\"first 1%\"", "\"first 5%\"");
    const QString bad = dir_.filePath("bad-window.noether");
    QFile g(bad);
    ASSERT_TRUE(g.open(QIODevice::WriteOnly));
    g.write(bytes);
    g.close();
    EXPECT_FALSE(actions()->openFile(bad));
    EXPECT_TRUE(actions()->lastError().contains("view.time_window"))
        << actions()->lastError().toStdString();
}

// Issue 14: the legends listed the time marker ("now") and blank markers (the phase chart's
// per-model dots), crowding out the real entries until Qt cut them ("closed-f…"). After a load
// and a scrub no legend shows an unnamed entry or the time marker.
TEST_F(PubWindowTest, LegendsShowOnlyNamedSeries) {
    // With the application's font, as `noetherlab` starts (the legends are then crowded).
    const QFont before = QApplication::font();
    applyLectureAppFont();
    // The scene loaded before the window is shown, as `noetherlab --scene FILE` does.
    window_ = std::make_unique<MainWindow>(false);
    window_->resize(1600, 1000);
    ASSERT_TRUE(actions()->loadPreset("02a-noether-charge-underdamped.noether"));
    ASSERT_TRUE(settle());
    window_->show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(window_.get()));
    ASSERT_TRUE(waitFirstFrame(*window_, 20000));
    ASSERT_TRUE(settle());
    window_->timeline()->setIndex(60);
    ASSERT_TRUE(settle());
    ChartPanel* charts[] = {window_->charges(), window_->phase(), window_->lossChart()};
    int shown = 0;
    for (ChartPanel* c : charts) {
        // What the user sees is the key above the chart (Qt Charts' own legend is hidden): it
        // lists the named series only, never the time marker or an unnamed dot.
        EXPECT_FALSE(c->chart()->legend()->isVisible()) << c->objectName().toStdString();
        if (!c->isVisible()) continue;  // a panel the preset does not show
        ++shown;
        ASSERT_TRUE(c->key()->isVisible()) << c->objectName().toStdString();
        const QStringList keys = c->key()->labels();
        EXPECT_GE(keys.size(), 2) << c->objectName().toStdString();
        for (const QString& k : keys) {
            EXPECT_FALSE(k.isEmpty())
                << "a blank legend entry in " << c->objectName().toStdString();
            EXPECT_NE(k, QString("now")) << c->objectName().toStdString();
        }
    }
    EXPECT_GE(shown, 2);  // the charge chart and the phase portrait of 2a
    window_.reset();
    QApplication::setFont(before);
}

TEST_F(PubWindowTest, PresetsMenuListsTheIndexInOrder) {
    const QJsonArray index =
        QJsonDocument::fromJson(presetBytes("index.json")).object().value("presets").toArray();
    ASSERT_GE(index.size(), 8);
    QMenu* menu = actions()->presetsMenu();
    ASSERT_NE(menu, nullptr);
    const QList<QAction*> items = menu->actions();
    ASSERT_GE(items.size(), index.size());
    for (int i = 0; i < index.size(); ++i)
        EXPECT_EQ(items[i]->text(), index[i].toObject().value("title").toString()) << i;
    // Choosing one opens it, with its explanation.
    items[3]->trigger();
    const QString file = index[3].toObject().value("file").toString();
    EXPECT_TRUE(scene() == presetDoc(file).scene);
    EXPECT_EQ(actions()->explanation()->titleText(), presetDoc(file).title);
    EXPECT_EQ(actions()->explanation()->equationText(),
              ExplanationPanel::readingOf(presetDoc(file).equation));
    EXPECT_TRUE(actions()->explanationDock()->isVisible());
}

TEST_F(PubWindowTest, PresetGhostsAreDrawnOnEveryViewAndFollowTheScene) {
    // 1b's explanation: "The ×1 run is drawn as a ghost". Its loss chart shows it, dotted, and
    // it is the run of the variant (start at q0 / 3) simulated on its own.
    ASSERT_TRUE(actions()->loadPreset("01b-loss-vs-dynamics-x3.noether"));
    ASSERT_TRUE(settle());
    LossChart* loss = window_->lossChart();
    ASSERT_EQ(loss->ghostCount(), 1);
    QLineSeries* g = loss->ghostSeries(0);
    EXPECT_TRUE(g->name().contains("×1")) << g->name().toStdString();
    EXPECT_EQ(g->pen().style(), Qt::DotLine);
    EXPECT_EQ(window_->landscape()->glWindow()->ghostCount(), 1);
    // ... and on the phase portrait, in the same coordinate as the models: the ghost's curve
    // starts where its own run starts.
    PhaseChart* phase = window_->phase();
    ASSERT_EQ(phase->ghostCount(), 1);
    QLineSeries* pg = phase->ghostSeries(0);
    EXPECT_EQ(pg->pen().style(), Qt::DotLine);
    EXPECT_TRUE(pg->name().contains("×1")) << pg->name().toStdString();
    const auto ghosts = window_->runs()->ghosts();
    ASSERT_EQ(ghosts.size(), 1u);
    const Scene& gs = ghosts[0].run->scene;
    EXPECT_NEAR(gs.q0.norm() * 3.0, scene().q0.norm(), 1e-12);
    {
        ASSERT_NE(phase->coordinate(), nullptr);
        const PhaseCurve curve = phase_curve(ghosts[0].run->trajectories[0], *phase->coordinate());
        ASSERT_GT(pg->count(), 1);
        EXPECT_DOUBLE_EQ(pg->at(0).x(), curve.x[0]);
        EXPECT_DOUBLE_EQ(pg->at(0).y(), curve.rate[0]);
    }
    auto alone = simulate(gs);
    ASSERT_TRUE(alone.ok());
    EXPECT_EQ(ghosts[0].run->trajectories[0].loss, (*alone)->trajectories[0].loss);
    // The ghost follows an edit of the scene (the variant is a patch of the current scene).
    window_->model()->setLr(0.05);
    ASSERT_TRUE(settle());
    ASSERT_EQ(window_->runs()->ghosts().size(), 1u);
    EXPECT_EQ(window_->runs()->ghosts()[0].run->scene.rule.lr, 0.05);
    // 2a compares with the over-damped run: its charge is a ghost on the charge chart.
    ASSERT_TRUE(actions()->loadPreset("02a-noether-charge-underdamped.noether"));
    ASSERT_TRUE(settle());
    EXPECT_EQ(window_->charges()->ghostCount(), 1);
    // A scene without companions has none.
    window_->model()->setScene(SceneModel::defaultScene(), "default");
    actions()->newDocument();
    ASSERT_TRUE(settle());
    EXPECT_EQ(loss->ghostCount(), 0);
    EXPECT_EQ(window_->charges()->ghostCount(), 0);
    EXPECT_EQ(phase->ghostCount(), 0);
    EXPECT_EQ(window_->landscape()->glWindow()->ghostCount(), 0);
}

namespace {
// What a scene file's text must read as: every character, the markup (^{…}, _{…}, <b>, <i>,
// <br>) removed. Written without the panel's code.
QString expectedReading(QString t) {
    for (const char* tag : {"<b>", "</b>", "<i>", "</i>"})
        t.remove(QLatin1String(tag));
    t.replace(QLatin1String("<br>"), QLatin1String("\n"));
    QString out;
    for (qsizetype i = 0; i < t.size(); ++i) {
        if ((t[i] == u'^' || t[i] == u'_') && i + 1 < t.size() && t[i + 1] == u'{') {
            const qsizetype close = t.indexOf(u'}', i + 2);
            const qsizetype open = t.indexOf(u'{', i + 2);
            if (close > 0 && (open < 0 || close < open)) {
                out += t.mid(i + 2, close - i - 2);
                i = close;
                continue;
            }
        }
        out += t[i];
    }
    return out;
}
}  // namespace

TEST_F(PubWindowTest, TheExplanationPanelShowsEveryCharacterOfEveryPreset) {
    // A "<" used to swallow the rest of a sentence (2a, 5b) and TeX showed raw (e^{−μt/m}).
    for (const SceneActions::PresetEntry& p : SceneActions::presets()) {
        ASSERT_TRUE(actions()->loadPreset(p.file)) << p.file.toStdString();
        const io::SceneDocument d = presetDoc(p.file);
        ExplanationPanel* panel = actions()->explanation();
        EXPECT_EQ(panel->explanationText(), expectedReading(d.explanation)) << p.file.toStdString();
        EXPECT_EQ(panel->equationText(), expectedReading(d.equation)) << p.file.toStdString();
        EXPECT_FALSE(panel->explanationText().contains(u'{')) << p.file.toStdString();
    }
    // Hostile text: comparison signs, an ampersand, a tag that is not allowed, exponents.
    const QString raw =
        QStringLiteral("if a < b && c > d: e^{−μt/m} <script>x</script> <b>bold</b> q_{1}");
    EXPECT_EQ(ExplanationPanel::readingOf(raw),
              QStringLiteral("if a < b && c > d: e−μt/m <script>x</script> bold q1"));
    EXPECT_TRUE(ExplanationPanel::richText(raw).contains(QString::fromUtf8("<sup>−μt/m</sup>")));
    EXPECT_TRUE(ExplanationPanel::richText(raw).contains(QLatin1String("<b>bold</b>")));
}

TEST_F(PubWindowTest, KineticBreakingPresetsDrawTheGrowthOfTheNormWithBothLaws) {
    // 3a's lesson is |q|² growing by 27 %: it has its own curve, with Eq. 17 and Eq. 16 beside it.
    ASSERT_TRUE(actions()->loadPreset("03a-kinetic-breaking-eq17-holds.noether"));
    ASSERT_TRUE(settle());
    NormChart* norm = window_->normChart();
    ASSERT_TRUE(norm->isVisible());
    const auto run = window_->currentRun();
    ASSERT_TRUE(run);
    const Trajectory& tr = *run->find(Model::Discrete);
    QStringList laws;
    bool model_drawn = false;
    for (QAbstractSeries* a : norm->chart()->series()) {
        auto* s = qobject_cast<QLineSeries*>(a);
        if (!s || !s->isVisible() || s->count() == 0) continue;
        if (s->name().startsWith(u'≈')) laws << s->name();
        // The discrete run's curve ends at the run's |q|², 27 % above the start.
        if (s->name() == modelName(Model::Discrete)) {
            model_drawn = true;
            EXPECT_NEAR(s->at(s->count() - 1).y(), tr.r2.back(), 1e-3 * tr.r2.back());
            EXPECT_NEAR(s->at(s->count() - 1).y() / s->at(0).y(), 1.27, 0.005);
        }
    }
    EXPECT_TRUE(model_drawn);
    EXPECT_EQ(laws, (QStringList{QString::fromUtf8("≈ Eq. 17"), QString::fromUtf8("≈ Eq. 16")}));
    const QString tip = norm->view()->toolTip();
    EXPECT_TRUE(tip.contains(QString::fromUtf8("2.1 % vs Eq. 17's 3.6 % in preset 3a")))
        << tip.toStdString();
    EXPECT_TRUE(tip.contains(QString::fromUtf8("23 % vs 6.3 % at β = 0"))) << tip.toStdString();
    // The run's own measured errors, the same measure as the preset's "3.6 %".
    EXPECT_TRUE(tip.contains(QString::fromUtf8("here at most 3.58 % off the run's |q|²")))
        << tip.toStdString();
    EXPECT_TRUE(tip.contains(QString::fromUtf8("here at most 2.12 % off the run's |q|²")))
        << tip.toStdString();
}

TEST_F(PubWindowTest, EveryPresetsHyperparametersShowUnclampedInTheControls) {
    // A control whose range is narrower than a preset's value would show a different number
    // than the scene runs with (5b runs at η = 4).
    ControlsPanel* c = window_->controls();
    for (const SceneActions::PresetEntry& p : SceneActions::presets()) {
        ASSERT_TRUE(actions()->loadPreset(p.file)) << p.file.toStdString();
        const Scene& s = scene();
        EXPECT_DOUBLE_EQ(c->lrControl()->spinBox()->value(), s.rule.lr) << p.file.toStdString();
        EXPECT_DOUBLE_EQ(c->momentumControl()->spinBox()->value(), s.rule.momentum)
            << p.file.toStdString();
        EXPECT_DOUBLE_EQ(c->weightDecayControl()->spinBox()->value(), s.rule.weight_decay)
            << p.file.toStdString();
        EXPECT_DOUBLE_EQ(c->stepsControl()->spinBox()->value(), static_cast<double>(s.steps))
            << p.file.toStdString();
    }
}

TEST_F(PubWindowTest, LectureModeStepsThePlaylistWithPageDownAndPageUpAndEscLeaves) {
    const std::vector<SceneActions::PresetEntry> presets = SceneActions::presets();
    ASSERT_GE(presets.size(), 3u);
    auto presetScene = [&](size_t i) { return presetDoc(presets[i].file).scene; };
    auto* controls = window_->findChild<QDockWidget*>("controls");
    ASSERT_TRUE(controls && controls->isVisible());
    // F11 enters: full screen, controls hidden, the first preset on screen.
    QTest::keyClick(window_.get(), Qt::Key_F11);
    ASSERT_TRUE(actions()->lecture()->active());
    QTRY_VERIFY_WITH_TIMEOUT(window_->isFullScreen(), 5000);
    EXPECT_FALSE(controls->isVisible());
    EXPECT_TRUE(actions()->explanation()->large());
    EXPECT_TRUE(scene() == presetScene(0));
    // PageDown (a clicker's "next"): the next preset. PageUp: back.
    QTest::keyClick(window_.get(), Qt::Key_PageDown);
    EXPECT_TRUE(scene() == presetScene(1));
    EXPECT_EQ(actions()->explanation()->titleText(), presets[1].title);
    QTest::keyClick(window_.get(), Qt::Key_PageDown);
    EXPECT_TRUE(scene() == presetScene(2));
    QTest::keyClick(window_.get(), Qt::Key_PageUp);
    EXPECT_TRUE(scene() == presetScene(1));
    // Right / Left do the same, also with the keyboard focus in the landscape.
    window_->landscape()->container()->setFocus();
    QTest::keyClick(QApplication::focusWidget() ? QApplication::focusWidget() : window_.get(),
                    Qt::Key_Right);
    EXPECT_TRUE(scene() == presetScene(2));
    QTest::keyClick(window_.get(), Qt::Key_Left);
    EXPECT_TRUE(scene() == presetScene(1));
    // At the front, PageUp stays.
    QTest::keyClick(window_.get(), Qt::Key_PageUp);
    QTest::keyClick(window_.get(), Qt::Key_PageUp);
    EXPECT_TRUE(scene() == presetScene(0));
    EXPECT_TRUE(settle());
    if (const QByteArray shot = qgetenv("NOETHER_LECTURE_SCREENSHOT"); !shot.isEmpty()) {
        QTest::qWait(500);
        EXPECT_EQ(saveScreenshot(*window_, QString::fromLocal8Bit(shot)), QString());
    }
    // Esc leaves: not full screen, the controls back.
    QTest::keyClick(window_.get(), Qt::Key_Escape);
    EXPECT_FALSE(actions()->lecture()->active());
    QTRY_VERIFY_WITH_TIMEOUT(!window_->isFullScreen(), 5000);
    EXPECT_TRUE(controls->isVisible());
    EXPECT_TRUE(window_->menuBar()->isVisible());
    EXPECT_FALSE(actions()->explanation()->large());
    // Ctrl+L enters again (keyboard only), Ctrl+L leaves.
    QTest::keyClick(window_.get(), Qt::Key_L, Qt::ControlModifier);
    EXPECT_TRUE(actions()->lecture()->active());
    QTest::keyClick(window_.get(), Qt::Key_L, Qt::ControlModifier);
    EXPECT_FALSE(actions()->lecture()->active());
}

// Issue 14: in lecture mode the scene is locked. A drag on the landscape's start point (which
// moved q0 of preset 7), a double click, Ctrl+Z, Ctrl+Shift+V with a link, a dropped file, a
// model edit from any control: none changes the scene or the document; the playlist still does,
// and after Esc editing works again.
TEST_F(PubWindowTest, LectureModeLocksTheScene) {
    window_->model()->setLr(0.0123);  // something to undo
    auto* fit = window_->landscape()->findChild<QPushButton*>();
    ASSERT_NE(fit, nullptr);
    ASSERT_TRUE(fit->isVisible());
    QTest::keyClick(window_.get(), Qt::Key_F11);
    ASSERT_TRUE(actions()->lecture()->active());
    ASSERT_TRUE(settle());
    // The locked scene's view controls are not on screen (they would change nothing).
    EXPECT_FALSE(fit->isVisible());
    const Scene lesson = scene();
    const QString title = actions()->explanation()->titleText();
    LandscapeWindow* gl = window_->landscape()->glWindow();
    const QPoint p0 = gl->toPixel(QPointF(lesson.q0[0], lesson.q0[1])).toPoint();
    const QPoint p1 = p0 + QPoint(60, -40);
    QTest::mousePress(gl, Qt::LeftButton, Qt::NoModifier, p0);
    for (int k = 1; k <= 6; ++k)
        QTest::mouseMove(gl, p0 + (p1 - p0) * k / 6);
    QTest::mouseRelease(gl, Qt::LeftButton, Qt::NoModifier, p1);
    QTest::mouseDClick(gl, Qt::LeftButton, Qt::NoModifier, p1);
    QTest::mousePress(gl, Qt::LeftButton, Qt::ShiftModifier, p1);
    QTest::mouseRelease(gl, Qt::LeftButton, Qt::ShiftModifier, p1);
    EXPECT_TRUE(scene() == lesson) << "a drag moved the start";
    QTest::keyClick(window_.get(), Qt::Key_Z, Qt::ControlModifier);
    EXPECT_TRUE(scene() == lesson) << "Ctrl+Z changed the scene";
    window_->model()->setLr(0.5);
    window_->model()->setQ0(Vector{{0.1, 0.2}});
    EXPECT_TRUE(scene() == lesson) << "a control changed the scene";
    EXPECT_FALSE(actions()->openFile(":/presets/06-weight-decay-oscillator.noether"));
    EXPECT_TRUE(scene() == lesson);
    EXPECT_FALSE(actions()->pasteLink(io::scene_to_link(actions()->document())));
    EXPECT_TRUE(scene() == lesson);
    EXPECT_EQ(actions()->explanation()->titleText(), title);
    EXPECT_TRUE(window_->statusBar()->currentMessage().contains("locked"))
        << window_->statusBar()->currentMessage().toStdString();
    // The playlist still steps.
    QTest::keyClick(window_.get(), Qt::Key_PageDown);
    EXPECT_FALSE(scene() == lesson);
    // Esc: editing works again.
    QTest::keyClick(window_.get(), Qt::Key_Escape);
    ASSERT_FALSE(actions()->lecture()->active());
    EXPECT_TRUE(fit->isVisible());  // and back after Esc
    window_->model()->setLr(0.0456);
    EXPECT_DOUBLE_EQ(scene().rule.lr, 0.0456);
}

// Issue 14: each lesson opens at n = 0 (not at the time the last one was left at), and Esc
// brings back the document and the scene that were on screen, unsaved edits included.
TEST_F(PubWindowTest, LectureLessonsOpenAtTheStartAndEscBringsBackTheDeskScene) {
    ASSERT_TRUE(actions()->loadPreset("06-weight-decay-oscillator.noether"));
    window_->model()->setWeightDecay(0.0123);
    ASSERT_TRUE(settle());
    window_->timeline()->setIndex(37);
    const Scene desk = scene();
    const QString title = actions()->explanation()->titleText();
    const QString path = actions()->currentPath();
    QTest::keyClick(window_.get(), Qt::Key_F11);
    ASSERT_TRUE(actions()->lecture()->active());
    ASSERT_TRUE(settle());
    EXPECT_EQ(window_->timeline()->index(), 0);
    window_->timeline()->setIndex(50);
    QTest::keyClick(window_.get(), Qt::Key_PageDown);
    ASSERT_TRUE(settle());
    EXPECT_EQ(window_->timeline()->index(), 0) << "the next lesson opened at the old time";
    QTest::keyClick(window_.get(), Qt::Key_Escape);
    ASSERT_FALSE(actions()->lecture()->active());
    ASSERT_TRUE(settle());
    EXPECT_TRUE(scene() == desk);
    EXPECT_EQ(actions()->currentPath(), path);
    EXPECT_EQ(actions()->explanation()->titleText(), title);
    EXPECT_TRUE(actions()->unsavedChanges()) << "the desk's edit is still unsaved";
    EXPECT_EQ(window_->timeline()->index(), 37);
}

// `noetherlab --lecture --scene FILE` with a file of one's own showed the playlist's first
// lesson instead: a scene file not in the playlist is shown as it is, and the next key starts the
// playlist at its first lesson.
TEST_F(PubWindowTest, LectureModeShowsASceneFileOfOnesOwnThenThePlaylist) {
    ASSERT_TRUE(actions()->loadPreset("05a-constrained-norm-small-lr.noether"));
    const QString own = dir_.filePath("my-lesson.noether");
    ASSERT_TRUE(actions()->saveTo(own));
    ASSERT_TRUE(actions()->loadPreset("01a-loss-vs-dynamics-x1.noether"));
    ASSERT_TRUE(actions()->openFile(own));
    const Scene mine = scene();
    const QString title = actions()->explanation()->titleText();
    actions()->lecture()->enter();
    ASSERT_TRUE(actions()->lecture()->active());
    EXPECT_TRUE(scene() == mine);
    EXPECT_EQ(actions()->explanation()->titleText(), title);
    QTest::keyClick(window_.get(), Qt::Key_PageDown);
    EXPECT_TRUE(scene() == presetDoc(SceneActions::presets().front().file).scene);
}

TEST_F(PubWindowTest, ExportsFromTheWindowWriteValidFiles) {
    ASSERT_TRUE(actions()->loadPreset("03a-kinetic-breaking-eq17-holds.noether"));
    ASSERT_TRUE(settle());
    figure::ExportSettings s;
    s.view = figure::FigureView::Figure;
    s.dpi = 60;
    s.options.time_index = actions()->timeIndex();
    s.format = figure::FileFormat::Png;
    EXPECT_EQ(actions()->exportFigure(s, dir_.filePath("f.png")), QString());
    EXPECT_FALSE(QImage(dir_.filePath("f.png")).isNull());
    s.format = figure::FileFormat::Svg;
    s.view = figure::FigureView::Landscape;
    EXPECT_EQ(actions()->exportFigure(s, dir_.filePath("f.svg")), QString());
    EXPECT_TRUE(QSvgRenderer(dir_.filePath("f.svg")).isValid());
    s.format = figure::FileFormat::Pdf;
    s.view = figure::FigureView::Charges;
    EXPECT_EQ(actions()->exportFigure(s, dir_.filePath("f.pdf")), QString());
    QFile pdf(dir_.filePath("f.pdf"));
    ASSERT_TRUE(pdf.open(QIODevice::ReadOnly));
    EXPECT_TRUE(pdf.readAll().startsWith("%PDF"));
    // Data: one CSV per model on screen, the scene, a caption stating the scene.
    const figure::DataExport out = actions()->exportData(dir_.filePath("data"), "k");
    ASSERT_EQ(out.error, QString());
    EXPECT_TRUE(QFileInfo::exists(dir_.filePath("data/k-discrete.csv")));
    EXPECT_TRUE(QFileInfo::exists(dir_.filePath("data/k.noether")));
    EXPECT_TRUE(out.caption.contains(QString::fromUtf8("η = 0.001"))) << out.caption.toStdString();
    // An animation to MP4 without ffmpeg on PATH: the message, nothing rendered.
    const QByteArray path = qgetenv("PATH");
    qputenv("PATH", dir_.path().toUtf8());
    figure::AnimationSettings a;
    a.frames = 2;
    const QString err =
        actions()->exportAnimation(a, dir_.filePath("frames"), dir_.filePath("a.mp4"), nullptr);
    qputenv("PATH", path);
    EXPECT_TRUE(err.contains("ffmpeg")) << err.toStdString();
    EXPECT_FALSE(QFileInfo::exists(dir_.filePath("frames")));
}

#include "gui/scene_actions.hpp"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMenu>
#include <QMenuBar>
#include <QMimeData>
#include <QProgressDialog>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>

#include <chrono>
#include <future>

#include "gui/figure/export_dialogs.hpp"
#include "gui/lecture/lecture_mode.hpp"
#include "gui/main_window.hpp"
#include "gui/panels/explanation_panel.hpp"
#include "gui/panels/timeline.hpp"
#include "gui/views/charge_chart.hpp"
#include "gui/views/landscape_view.hpp"
#include "gui/views/loss_chart.hpp"
#include "gui/views/phase_chart.hpp"
#include "io/file_io.hpp"
#include "noether/phase.hpp"

namespace noether::gui {

namespace {
constexpr int kMaxRecent = 8;
const char* kRecentKey = "scene/recent";

QString displayName(const QString& path) {
    if (path.isEmpty()) return QObject::tr("scene link");
    return QFileInfo(path).fileName();
}

QString stemFor(const io::SceneDocument& doc) {
    return figure::fileStem(doc.title.isEmpty() ? QString::fromStdString(doc.scene.loss.name)
                                                : doc.title);
}

QString exportFolder() {
    QString dir = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    if (dir.isEmpty()) dir = QDir::homePath();
    return dir;
}
}  // namespace

SceneActions::SceneActions(MainWindow* window) : QObject(window), w_(window) {
    // The explanation dock, under the controls.
    explanation_ = new ExplanationPanel;
    explanation_dock_ = new QDockWidget(tr("Explanation"), w_);
    explanation_dock_->setObjectName("explanation");
    explanation_dock_->setWidget(explanation_);
    explanation_dock_->setFeatures(QDockWidget::DockWidgetMovable |
                                   QDockWidget::DockWidgetFloatable |
                                   QDockWidget::DockWidgetClosable);
    w_->addDockWidget(Qt::LeftDockWidgetArea, explanation_dock_);
    if (auto* controls = w_->findChild<QDockWidget*>("controls"))
        w_->splitDockWidget(controls, explanation_dock_, Qt::Vertical);
    explanation_dock_->hide();

    // The explanation describes the scene as loaded: say so once it is edited.
    connect(w_->model(), &SceneModel::sceneChanged, this, [this](const Scene& s, SceneField) {
        const bool loaded = !doc_.title.isEmpty() || !doc_.explanation.isEmpty();
        explanation_->setModified(loaded && !(s == doc_.scene));
    });
    // View settings of a loaded file that need its run on screen and the landscape laid out
    // (the landscape's box).
    connect(w_, &MainWindow::runApplied, this, [this](quint64) { applyPendingView(); });
    gl_ = w_->landscape()->glWindow();
    gl_->installEventFilter(this);
    // Drag and drop of scene files and scene links onto the window.
    w_->setAcceptDrops(true);
    w_->installEventFilter(this);
    lecture_ = std::make_unique<LectureMode>(w_, this);
}

SceneActions::~SceneActions() = default;

void SceneActions::addFileActions(QMenu* file) {
    QAction* save_action = file->addAction(tr("&Save scene"), this, [this] { save(); });
    save_action->setShortcut(QKeySequence::Save);
    save_action->setToolTip(
        tr("Save to the scene file it came from (Save As for a preset or link)"));
    recent_menu_ = file->addMenu(tr("Open &recent"));
    rebuildRecentMenu();
    file->addSeparator();
    QAction* copy = file->addAction(tr("&Copy scene link"), this, [this] { copyLink(); });
    copy->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    copy->setToolTip(
        tr("The whole scene as one text string (noether:…) to paste in a mail "
           "or a chat"));
    QAction* paste =
        file->addAction(tr("&Paste scene link"), this, [this] { pasteLinkFromClipboard(); });
    paste->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_V));
    file->addSeparator();
    QAction* view = file->addAction(tr("Export &view…"), this,
                                    [this] { exportFigureDialog(figure::FigureView::Landscape); });
    view->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    view->setToolTip(tr("One view as PNG, SVG or PDF, sized for a slide or a paper column"));
    QAction* fig = file->addAction(tr("Export &figure…"), this,
                                   [this] { exportFigureDialog(figure::FigureView::Figure); });
    fig->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    fig->setToolTip(tr("Every panel composed into one figure (PNG, SVG, PDF)"));
    file->addAction(tr("Export &data…"), this, [this] { exportDataDialog(); })
        ->setToolTip(tr("CSV of every series shown, the scene file and a caption"));
    file->addAction(tr("Export &animation…"), this, [this] { exportAnimationDialog(); })
        ->setToolTip(tr("The time line as a PNG sequence, MP4 or GIF (ffmpeg)"));
}

void SceneActions::addViewActions(QMenu* view) {
    QAction* ex = explanation_dock_->toggleViewAction();
    ex->setText(tr("&Explanation"));
    view->addAction(ex);
    QAction* lecture = view->addAction(tr("&Lecture mode"), this, [this] { lecture_->toggle(); });
    // The keys themselves are taken by LectureMode's filter (F11 also means full screen).
    lecture->setShortcuts({QKeySequence(Qt::Key_F11), QKeySequence(Qt::CTRL | Qt::Key_L)});
    lecture->setShortcutContext(Qt::WidgetShortcut);
    lecture->setToolTip(
        tr("Full screen, projector palette, the presets as a playlist: "
           "PageDown / PageUp step, Esc leaves"));
}

void SceneActions::addMenus(QMenuBar* bar, QAction* before) {
    presets_menu_ = new QMenu(tr("&Presets"), bar);
    for (const PresetEntry& p : presets()) {
        QAction* a = presets_menu_->addAction(p.title, this, [this, f = p.file] { loadPreset(f); });
        a->setToolTip(p.summary);
        a->setStatusTip(p.summary);
    }
    presets_menu_->setToolTipsVisible(true);
    presets_menu_->addSeparator();
    presets_menu_->addAction(tr("Start the lecture (presets as a playlist)"), this, [this] {
        if (!lecture_->active()) lecture_->enter();
    });
    if (before)
        bar->insertMenu(before, presets_menu_);
    else
        bar->addMenu(presets_menu_);
}

std::vector<SceneActions::PresetEntry> SceneActions::presets() {
    std::vector<PresetEntry> out;
    QFile f(":/presets/index.json");
    if (!f.open(QIODevice::ReadOnly)) return out;
    for (const QJsonValue& v :
         QJsonDocument::fromJson(f.readAll()).object().value("presets").toArray()) {
        const QJsonObject o = v.toObject();
        out.push_back({o.value("file").toString(), o.value("title").toString(),
                       o.value("summary").toString()});
    }
    return out;
}

// --- Scene workflow --------------------------------------------------------------------------

void SceneActions::refuse(const QString& what, const QString& message, const QString& consequence) {
    last_error_ = message;
    w_->statusBar()->showMessage(tr("%1 refused: %2").arg(what, message), 15000);
    if (box_) box_->close();
    // Not modal for the application: the lecture and the tests go on; the scene is untouched.
    auto* box = new QMessageBox(QMessageBox::Warning, what, message, QMessageBox::Ok, w_);
    box->setInformativeText(consequence.isEmpty() ? tr("The scene on screen is unchanged.")
                                                  : consequence);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::WindowModal);
    box->open();
    box_ = box;
}

void SceneActions::showWarnings(const QStringList& warnings) {
    if (warnings.isEmpty()) return;
    w_->statusBar()->showMessage(tr("Loaded with warnings: %1").arg(warnings.join("; ")), 20000);
}

void SceneActions::open() {
    const QStringList recent = recentFiles();
    const QString start = recent.isEmpty() ? QDir::homePath() : QFileInfo(recent.front()).path();
    const QString path = QFileDialog::getOpenFileName(
        w_, tr("Open scene"), start, tr("NoetherLab scenes (*.noether *.json);;All files (*)"));
    if (!path.isEmpty()) openFile(path);
}

bool SceneActions::openFile(const QString& path) {
    return openNative(io::native_name(path), path);
}

bool SceneActions::openNativeFile(const std::string& native_path) {
    return openNative(native_path, io::display_name(native_path));
}

bool SceneActions::lockedOut() {
    if (!w_->model()->locked()) return false;
    // Lecture mode: the document stays the lesson's (the model says so on the status bar).
    emit w_->model()->refused();
    return true;
}

bool SceneActions::openNative(const std::string& native, const QString& path) {
    if (lockedOut()) return false;
    // Read and parsed on another thread: a big or hostile file (16 MiB of unknown fields takes
    // ~0.5 s to refuse) leaves the window painting and its timers running, with a busy note
    // from 150 ms on. User input waits until the file is read, so nothing changes the scene
    // meanwhile.
    auto pending =
        std::async(std::launch::async, [native] { return io::load_scene_file_native(native); });
    if (pending.wait_for(std::chrono::milliseconds(5)) != std::future_status::ready) {
        QProgressDialog busy(tr("Reading %1 …").arg(displayName(path)), QString(), 0, 0, w_);
        busy.setWindowTitle(tr("Open scene"));
        busy.setWindowModality(Qt::WindowModal);
        busy.setMinimumDuration(150);
        busy.setValue(0);
        while (pending.wait_for(std::chrono::milliseconds(10)) != std::future_status::ready)
            QCoreApplication::processEvents(QEventLoop::ExcludeUserInputEvents, 10);
    }
    auto doc = pending.get();
    if (!doc) {
        refuse(tr("Open scene"), QString::fromStdString(doc.error().what()));
        return false;
    }
    loadDocument(*doc, path);
    if (io::native_name(path) != native) {
        // A name that is not UTF-8 has no Qt text that names it: Save asks for a name rather
        // than writing to a different file.
        path_.clear();
        return true;
    }
    if (!path.startsWith(":")) addRecent(path);
    return true;
}

bool SceneActions::loadPreset(const QString& file) {
    return openFile(":/presets/" + file);
}

void SceneActions::loadDocument(const io::SceneDocument& doc, const QString& path) {
    doc_ = doc;
    doc_.warnings.clear();
    path_ = path;
    const bool same = doc.scene == w_->model()->scene();
    w_->model()->setScene(doc.scene, tr("Open %1").arg(displayName(path)));
    explanation_->setDocument(doc);
    explanation_->setModified(false);
    if (!doc.title.isEmpty() || !doc.explanation.isEmpty()) {
        const figure::ViewSettings v = figure::readViewSettings(doc.view);
        if (v.panels.isEmpty() || v.panels.contains("explanation") || lecture_->active())
            explanation_dock_->show();
    }
    applyViewSettings(doc);
    if (same) {
        applyPendingView();
        w_->rerun();  // the same scene, but this document's ghosts
    }
    if (doc.warnings.isEmpty())
        w_->statusBar()->showMessage(
            tr("Opened %1").arg(doc.title.isEmpty() ? displayName(path) : doc.title), 8000);
    showWarnings(doc.warnings);
    emit documentLoaded(path);
}

void SceneActions::applyViewSettings(const io::SceneDocument& doc) {
    const figure::ViewSettings v = figure::readViewSettings(doc.view);
    w_->charges()->setBudgetVisible(v.budget);
    if (!v.phase.isEmpty()) w_->phase()->setCoordinate(v.phase);
    // The landscape's style controls.
    HeatmapStyle style = w_->landscape()->heatmapStyle();
    style.log_scale = v.log_scale;
    style.colormap = v.colormap;
    style.orbits = v.orbits;
    style.isolines = v.isolines;
    w_->landscape()->setHeatmapStyle(style);
    // The panels the scene asks for (in lecture mode the explanation stays).
    if (!v.panels.isEmpty()) {
        auto show = [this](const char* name, bool on) {
            if (auto* d = w_->findChild<QDockWidget*>(name)) d->setVisible(on);
        };
        show("charges", v.panels.contains("charges") || v.panels.contains("budget"));
        show("phase", v.panels.contains("phase"));
        show("loss", v.panels.contains("loss") || v.panels.contains("lr"));
        if (!lecture_->active()) explanation_dock_->setVisible(v.panels.contains("explanation"));
    }
    // The charts' time axis the file asks for (log time when it says nothing, as on start).
    for (int i = 0; i < 4; ++i)
        if (figure::kTimeWindows[i].fraction == v.time_window) w_->timeline()->setWindowIndex(i);
    pending_view_ = v;
    pending_gen_ = w_->runs()->lastRequested();
}

void SceneActions::applyPendingView() {
    if (!pending_view_ || w_->shownGeneration() < pending_gen_) return;
    LandscapeWindow* gl = w_->landscape()->glWindow();
    // The view keeps its pixels per unit when it is resized: fit once it has its size.
    if (!gl->isExposed() || gl->width() < 50 || gl->height() < 50) return;
    if (pending_view_->box) gl->fitTo(*pending_view_->box);
    pending_view_.reset();
}

bool SceneActions::unsavedChanges() const {
    return !(w_->model()->scene() == doc_.scene);
}

bool SceneActions::save() {
    if (path_.isEmpty() || path_.startsWith(":")) return saveAs();
    return saveTo(path_);
}

bool SceneActions::saveAs() {
    QString start = path_;
    if (start.isEmpty() || start.startsWith(":")) {
        const QString stem = figure::fileStem(
            doc_.title.isEmpty() ? QString::fromStdString(w_->model()->scene().loss.name)
                                 : doc_.title);
        const QStringList recent = recentFiles();
        const QString dir = recent.isEmpty() ? QDir::homePath() : QFileInfo(recent.front()).path();
        start = QDir(dir).filePath(stem + ".noether");
    }
    QString path = QFileDialog::getSaveFileName(w_, tr("Save scene"), start,
                                                tr("NoetherLab scenes (*.noether)"));
    if (path.isEmpty()) return false;
    if (QFileInfo(path).suffix().isEmpty()) path += ".noether";
    return saveTo(path);
}

bool SceneActions::saveTo(const QString& path) {
    const io::SceneDocument doc = document();
    const QString err = io::save_scene_file(path, doc);
    if (!err.isEmpty()) {
        refuse(tr("Save scene"), err,
               tr("The scene was not saved: it stays open with all its changes, and the file on "
                  "disk is as it was."));
        return false;
    }
    doc_ = doc;
    path_ = path;
    addRecent(path);
    explanation_->setModified(false);
    w_->statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 8000);
    return true;
}

QString SceneActions::link() const {
    return io::scene_to_link(document());
}

void SceneActions::copyLink() {
    const QString l = link();
    QApplication::clipboard()->setText(l);
    w_->statusBar()->showMessage(
        tr("Scene link copied (%1 characters): paste it with File → Paste scene link")
            .arg(l.size()),
        8000);
}

bool SceneActions::pasteLink(const QString& text) {
    if (lockedOut()) return false;
    auto doc = io::scene_from_link(text);
    if (!doc) {
        refuse(tr("Paste scene link"), QString::fromStdString(doc.error().what()));
        return false;
    }
    loadDocument(*doc, QString());
    return true;
}

bool SceneActions::pasteLinkFromClipboard() {
    const QString text = QApplication::clipboard()->text();
    if (text.trimmed().isEmpty()) {
        refuse(tr("Paste scene link"), tr("link: the clipboard holds no text"));
        return false;
    }
    return pasteLink(text);
}

QStringList SceneActions::recentFiles() const {
    return QSettings().value(kRecentKey).toStringList();
}

void SceneActions::addRecent(const QString& path) {
    QSettings s;
    QStringList list = s.value(kRecentKey).toStringList();
    const QString abs = QFileInfo(path).absoluteFilePath();
    list.removeAll(abs);
    list.prepend(abs);
    while (list.size() > kMaxRecent)
        list.removeLast();
    s.setValue(kRecentKey, list);
    rebuildRecentMenu();
}

void SceneActions::rebuildRecentMenu() {
    if (!recent_menu_) return;
    recent_menu_->clear();
    const QStringList list = recentFiles();
    int k = 1;
    for (const QString& p : list) {
        QAction* a =
            recent_menu_->addAction(QString("&%1  %2").arg(k++).arg(QFileInfo(p).fileName()), this,
                                    [this, p] { openFile(p); });
        a->setToolTip(p);
        a->setEnabled(QFileInfo::exists(p));
    }
    if (list.isEmpty()) recent_menu_->addAction(tr("(none)"))->setEnabled(false);
    recent_menu_->addSeparator();
    recent_menu_->addAction(tr("Clear the list"), this, [this] {
        QSettings().remove(kRecentKey);
        rebuildRecentMenu();
    });
    recent_menu_->setToolTipsVisible(true);
}

io::SceneDocument SceneActions::document() const {
    io::SceneDocument d = doc_;
    d.scene = w_->model()->scene();
    d.view = figure::writeViewSettings(doc_.view, screenViewSettings());
    d.warnings.clear();
    return d;
}

void SceneActions::newDocument() {
    if (lockedOut()) return;
    doc_ = io::SceneDocument{};
    doc_.scene = w_->model()->scene();
    path_.clear();
    explanation_->setDocument(doc_);
    explanation_->setModified(false);
    w_->rerun();
}

std::vector<GhostScene> SceneActions::ghostScenes(const Scene& scene) const {
    std::vector<GhostScene> out;
    if (!doc_.view.contains(QLatin1String("compare"))) return out;
    io::SceneDocument d = doc_;
    d.scene = scene;
    auto variants = io::compare_variants(d);
    if (!variants) return out;
    for (const io::SceneVariant& v : variants.value())
        out.push_back({v.label, v.doc.scene});
    return out;
}

// --- Figures ---------------------------------------------------------------------------------

figure::ViewSettings SceneActions::screenViewSettings() const {
    figure::ViewSettings v = figure::readViewSettings(doc_.view);
    // The landscape: the box on screen (once it has a size) and its style controls.
    LandscapeWindow* gl = w_->landscape()->glWindow();
    if (gl->isExposed() && gl->width() > 50 && gl->height() > 50) v.box = gl->visibleBox();
    const HeatmapStyle style = w_->landscape()->heatmapStyle();
    v.log_scale = style.log_scale;
    v.colormap = style.colormap;
    v.orbits = style.orbits;
    v.isolines = style.isolines;
    const Slice slice = w_->landscape()->currentSlice();
    v.slice_i = slice.i;
    v.slice_j = slice.j;
    // The phase coordinate and the budget the charts show.
    const std::shared_ptr<const Run> run = w_->currentRun();
    if (run) {
        if (auto* c = w_->phase()->findChild<QComboBox*>()) {
            const auto coords = phase_coordinates(*run->loss);
            const int i = c->currentIndex();
            if (i >= 0 && i < static_cast<int>(coords.size()))
                v.phase = QString::fromStdString(coords[static_cast<size_t>(i)].id);
        }
    }
    v.budget = w_->charges()->budgetVisible();
    // The panels shown.
    auto shown = [this](const char* name) {
        auto* d = w_->findChild<QDockWidget*>(name);
        return d && !d->isHidden();
    };
    QStringList panels{"landscape"};
    if (shown("charges")) panels << "charges";
    if (v.budget) panels << "budget";
    if (shown("phase")) panels << "phase";
    if (shown("loss")) panels << "loss";
    if (shown("loss") && run && EffectiveLrChart::applies(*run)) panels << "lr";
    if (!explanation_dock_->isHidden()) panels << "explanation";
    v.panels = panels;
    // The charts' time axis (the timeline's window).
    v.time_window = w_->timeline()->window();
    return v;
}

long SceneActions::timeIndex() const {
    return w_->timeline()->index();
}

Result<figure::FigureData> SceneActions::figureData(bool ghosts) const {
    io::SceneDocument doc = document();
    std::shared_ptr<const Run> run = w_->currentRun();
    // The figure is the run on screen (a newer scene may still be running).
    if (run) doc.scene = run->scene;
    auto data = figure::prepareFigureData(doc, run, ghosts);
    if (data) data.value().view = screenViewSettings();
    return data;
}

QString SceneActions::exportFigure(const figure::ExportSettings& s, const QString& path) {
    auto data = figureData();
    if (!data) return QString::fromStdString(data.error().what());
    figure::FigureComposer composer(std::move(data.value()));
    return composer.write(s, path);
}

figure::DataExport SceneActions::exportData(const QString& dir, const QString& base) {
    auto data = figureData();
    if (!data) {
        figure::DataExport out;
        out.error = QString::fromStdString(data.error().what());
        return out;
    }
    return figure::exportData(
        *data, dir, base, lecture_->active() ? figure::Palette::Projector : figure::Palette::Paper);
}

QString SceneActions::exportAnimation(const figure::AnimationSettings& s, const QString& dir,
                                      const QString& out, const figure::Progress& progress) {
    const bool video =
        out.endsWith(".mp4", Qt::CaseInsensitive) || out.endsWith(".gif", Qt::CaseInsensitive);
    QString ffmpeg;
    if (video) {
        ffmpeg = figure::findFfmpeg();
        if (ffmpeg.isEmpty()) return figure::ffmpegMissingMessage();
    }
    auto data = figureData();
    if (!data) return QString::fromStdString(data.error().what());
    figure::FigureComposer composer(std::move(data.value()));
    if (const QString err = figure::writeFrames(composer, s, dir, progress); !err.isEmpty())
        return err;
    if (!video) return {};
    return figure::encodeVideo(ffmpeg, dir, s.fps, out, [&progress, &s] {
        return progress && !progress(s.frames, s.frames);
    });
}

void SceneActions::exportFigureDialog(figure::FigureView view) {
    const figure::Palette palette =
        lecture_->active() ? figure::Palette::Projector : figure::Palette::Paper;
    ExportFigureDialog dlg(w_, view, palette, exportFolder(), stemFor(doc_));
    if (dlg.exec() != QDialog::Accepted) return;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    const QString err = exportFigure(dlg.settings(timeIndex()), dlg.path());
    QApplication::restoreOverrideCursor();
    if (!err.isEmpty())
        refuse(tr("Export"), err, tr("No figure was written; a file of that name is as it was."));
    else
        w_->statusBar()->showMessage(tr("Wrote %1").arg(QDir::toNativeSeparators(dlg.path())),
                                     8000);
}

void SceneActions::exportDataDialog() {
    const QString dir =
        QFileDialog::getExistingDirectory(w_, tr("Export data into folder"), exportFolder());
    if (dir.isEmpty()) return;
    const figure::DataExport out = exportData(dir, stemFor(doc_));
    if (!out.error.isEmpty()) {
        refuse(tr("Export data"), out.error,
               tr("The export stopped at that file; every file is written whole or not at "
                  "all. The scene is unchanged."));
        return;
    }
    auto* dlg = new CaptionDialog(w_, out.caption, out.files);
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    dlg->open();
}

void SceneActions::exportAnimationDialog() {
    const figure::Palette palette =
        lecture_->active() ? figure::Palette::Projector : figure::Palette::Paper;
    ExportAnimationDialog dlg(w_, palette, exportFolder(), stemFor(doc_));
    if (dlg.exec() != QDialog::Accepted) return;
    const figure::AnimationSettings s = dlg.settings();
    if (dlg.kind() != 0 && figure::findFfmpeg().isEmpty()) {
        refuse(tr("Export animation"), figure::ffmpegMissingMessage());
        return;
    }
    QProgressDialog progress(tr("Rendering %1 frames…").arg(s.frames), tr("Cancel"), 0, s.frames,
                             w_);
    progress.setWindowModality(Qt::WindowModal);
    progress.setMinimumDuration(0);
    auto step = [&progress](int done, int total) {
        progress.setMaximum(total);
        progress.setValue(done);
        if (done >= total) progress.setLabelText(tr("Encoding with ffmpeg…"));
        QCoreApplication::processEvents();
        return !progress.wasCanceled();
    };
    QTemporaryDir tmp;
    const QString dir = dlg.kind() == 0 ? dlg.path() : tmp.path();
    const QString out = dlg.kind() == 0 ? QString() : dlg.path();
    const QString err = exportAnimation(s, dir, out, step);
    progress.reset();
    if (err == "cancelled")
        w_->statusBar()->showMessage(tr("Animation cancelled"), 8000);
    else if (!err.isEmpty())
        refuse(tr("Export animation"), err);
    else
        w_->statusBar()->showMessage(tr("Wrote %1").arg(QDir::toNativeSeparators(dlg.path())),
                                     8000);
}

// --- Drag and drop ---------------------------------------------------------------------------

bool SceneActions::eventFilter(QObject* watched, QEvent* event) {
    if (watched == gl_) {
        if (event->type() == QEvent::Expose || event->type() == QEvent::Resize)
            QMetaObject::invokeMethod(
                this, [this] { applyPendingView(); }, Qt::QueuedConnection);
        return false;
    }
    if (watched != w_) return false;
    switch (event->type()) {
        case QEvent::DragEnter:
        case QEvent::DragMove: {
            auto* e = static_cast<QDragMoveEvent*>(event);
            const QMimeData* md = e->mimeData();
            const bool file =
                md->hasUrls() && !md->urls().isEmpty() && md->urls().front().isLocalFile();
            const bool link = md->hasText() && md->text().trimmed().startsWith("noether:");
            if (file || link) {
                e->acceptProposedAction();
                return true;
            }
            return false;
        }
        case QEvent::Drop: {
            auto* e = static_cast<QDropEvent*>(event);
            const QMimeData* md = e->mimeData();
            if (md->hasUrls() && !md->urls().isEmpty() && md->urls().front().isLocalFile()) {
                e->acceptProposedAction();
                openFile(md->urls().front().toLocalFile());
                return true;
            }
            if (md->hasText() && md->text().trimmed().startsWith("noether:")) {
                e->acceptProposedAction();
                pasteLink(md->text());
                return true;
            }
            return false;
        }
        default:
            return false;
    }
}

}  // namespace noether::gui

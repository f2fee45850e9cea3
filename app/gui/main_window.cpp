#include "gui/main_window.hpp"

#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QStyleFactory>
#include <QTimer>
#include <QVBoxLayout>

#include "gui/geometry/geometry_tools.hpp"
#include "gui/panels/controls_panel.hpp"
#include "gui/panels/timeline.hpp"
#include "gui/profile.hpp"
#include "gui/regime/regime_view.hpp"
#include "gui/scene_actions.hpp"
#include "gui/views/charge_chart.hpp"
#include "gui/views/landscape_view.hpp"
#include "gui/views/loss_chart.hpp"
#include "gui/views/phase_chart.hpp"
#include "gui/views/style.hpp"
#include "io/scene_file.hpp"

namespace noether::gui {

MainWindow::MainWindow(bool restore, QWidget* parent) : QMainWindow(parent), restore_(restore) {
    setWindowTitle(tr("NoetherLab"));
    setWindowIcon(QIcon(":/icons/noetherlab.svg"));
    setDockNestingEnabled(true);

    // Centre: banner, landscape, time line.
    auto* centre = new QWidget;
    auto* cl = new QVBoxLayout(centre);
    cl->setContentsMargins(0, 0, 0, 0);
    cl->setSpacing(2);
    banner_ = new QLabel;
    banner_->setWordWrap(true);
    banner_->setFont(lectureFont(1.1, true));
    banner_->setMargin(8);
    banner_->setVisible(false);
    banner_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    landscape_ = new LandscapeView;
    timeline_ = new Timeline;
    cl->addWidget(banner_);
    cl->addWidget(landscape_, 1);
    cl->addWidget(timeline_);
    setCentralWidget(centre);

    // Docks.
    controls_ = new ControlsPanel(&model_);
    auto* scroll = new QScrollArea;
    scroll->setWidget(controls_);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(std::max(320, controls_->minimumSizeHint().width() +
                                              scroll->verticalScrollBar()->sizeHint().width() + 6));
    controls_dock_ = addDock(tr("Controls"), "controls", scroll, Qt::LeftDockWidgetArea);
    charges_ = new ChargeChart;
    charges_dock_ = addDock(tr("Noether charges"), "charges", charges_, Qt::RightDockWidgetArea);
    phase_ = new PhaseChart;
    phase_dock_ = addDock(tr("Phase portrait"), "phase", phase_, Qt::RightDockWidgetArea);
    // The charts' header rows (title, equation, controls) are their docks' title bars.
    charges_dock_->setTitleBarWidget(charges_->headerWidget());
    charges_->view()->setObjectName("charges");
    phase_->view()->setObjectName("phase");
    phase_dock_->setTitleBarWidget(phase_->headerWidget());
    loss_ = new LossChart;
    elr_ = new EffectiveLrChart;
    norm_ = new NormChart;
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(loss_);
    split->addWidget(elr_);
    split->addWidget(norm_);
    split->setChildrenCollapsible(false);
    // |q|² has two law entries in its legend: it gets the larger share.
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 3);
    split->setStretchFactor(2, 4);
    loss_->view()->setObjectName("loss");
    elr_->view()->setObjectName("elr");
    elr_->setVisible(false);
    norm_->view()->setObjectName("norm");
    norm_->setVisible(false);
    // The loss sits under the landscape; the charts column keeps the full height.
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    loss_dock_ =
        addDock(tr("Loss and effective learning rate"), "loss", split, Qt::BottomDockWidgetArea);
    loss_->headerWidget()->setVisible(false);
    elr_->headerWidget()->setVisible(false);
    norm_->headerWidget()->setVisible(false);
    loss_title_ = new QLabel(tr("Loss f(q(t))"));
    loss_title_->setFont(lectureFont(1.0, true));
    loss_title_->setContentsMargins(8, 3, 8, 3);
    loss_dock_->setTitleBarWidget(loss_title_);
    resizeDocks({controls_dock_, charges_dock_}, {340, 560}, Qt::Horizontal);
    resizeDocks({loss_dock_}, {260}, Qt::Vertical);

    engine_label_ = new QLabel;
    statusBar()->addPermanentWidget(engine_label_);
    scene_actions_ = new SceneActions(this);
    buildMenus();
    geometry_ = new GeometryTools(this, view_menu_);
    // The regime map: a dock beside the phase portrait, hidden (and idle) until asked for.
    regime_ = new RegimeView(&model_);
    // In a scroll area: the map keeps a readable size (RegimeMapWidget's minimum) without its
    // dock column forcing the window past the screen (it grew to 1302 px on a 1000 px screen).
    auto* regime_scroll = new QScrollArea;
    regime_scroll->setWidget(regime_);
    regime_scroll->setWidgetResizable(true);
    regime_scroll->setFrameShape(QFrame::NoFrame);
    regime_dock_ = addDock(tr("Regime map"), "regime", regime_scroll, Qt::RightDockWidgetArea);
    regime_dock_->hide();
    QAction* regime_action = regime_dock_->toggleViewAction();
    regime_action->setText(tr("&Regime map"));
    regime_action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    connect(regime_action, &QAction::triggered, this, [this](bool on) {
        if (!on) return;
        // First shown: a tab over the phase portrait, the column wide enough for a map.
        if (!regime_dock_->isFloating() && tabifiedDockWidgets(regime_dock_).isEmpty() &&
            dockWidgetArea(phase_dock_) == Qt::RightDockWidgetArea && phase_dock_->isVisible()) {
            tabifyDockWidget(phase_dock_, regime_dock_);
            QMetaObject::invokeMethod(
                this,
                [this] {
                    resizeDocks({regime_dock_}, {std::max(640, width() * 2 / 5)}, Qt::Horizontal);
                },
                Qt::QueuedConnection);
        }
        regime_dock_->raise();
    });
    view_menu_->addAction(regime_action);

    // Data flow: scene -> engine -> views.
    connect(&model_, &SceneModel::sceneChanged, this, &MainWindow::onSceneChanged);
    connect(&runs_, &RunController::runReady, this, &MainWindow::onRunReady);
    connect(&runs_, &RunController::runFailed, this, &MainWindow::onRunFailed);
    connect(timeline_, &Timeline::indexChanged, this, &MainWindow::setTimeIndex);
    connect(timeline_, &Timeline::windowChanged, this, [this](double f) {
        window_ = f;
        for (ChartPanel* c :
             std::initializer_list<ChartPanel*>{charges_, phase_, loss_, elr_, norm_}) {
            c->setTimeWindow(f);
            if (run_ && ((c != elr_ && c != norm_) || EffectiveLrChart::applies(*run_)))
                c->setRun(run_, shown_);
        }
    });
    connect(landscape_, &LandscapeView::startDragBegan, &model_, &SceneModel::beginGesture);
    connect(landscape_, &LandscapeView::startDragEnded, &model_, &SceneModel::endGesture);
    connect(landscape_, &LandscapeView::startMoved, &model_, &SceneModel::setQ0);
    connect(landscape_, &LandscapeView::status, this, [this](const QString& s) {
        if (s.isEmpty())
            statusBar()->clearMessage();
        else
            statusBar()->showMessage(s);
    });
    // Frame presentation (the interaction benchmark and tests wait for it).
    connect(landscape_->glWindow(), &LandscapeWindow::presented, this, &MainWindow::checkPresented);
    for (ChartPanel* c : std::initializer_list<ChartPanel*>{charges_, phase_, loss_, elr_, norm_})
        connect(c->view(), &TrackedChartView::painted, this, &MainWindow::checkPresented);
    connect(landscape_->glWindow(), &LandscapeWindow::glFailed, this, [this](const QString& log) {
        showBanner(
            tr("OpenGL shaders failed to build; the landscape cannot be drawn:\n%1").arg(log),
            true);
    });

    for (ChartPanel* c : std::initializer_list<ChartPanel*>{charges_, phase_, loss_, elr_, norm_})
        c->setTimeWindow(timeline_->window());
    resize(1600, 1000);
    if (restore_) restoreSettings();
    applyTheme();
    onSceneChanged(model_.scene(), SceneField::Whole);
}

MainWindow::~MainWindow() = default;

QDockWidget* MainWindow::addDock(const QString& title, const QString& name, QWidget* w,
                                 Qt::DockWidgetArea area) {
    auto* d = new QDockWidget(title, this);
    d->setObjectName(name);
    d->setWidget(w);
    d->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                   QDockWidget::DockWidgetClosable);
    addDockWidget(area, d);
    return d;
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open scene…"), this, &MainWindow::openScene);
    open->setShortcut(QKeySequence::Open);
    QAction* save = file->addAction(tr("&Save scene as…"), this, &MainWindow::saveSceneAs);
    save->setShortcut(QKeySequence::SaveAs);
    scene_actions_->addFileActions(file);
    file->addAction(tr("Save &window image…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save window image"),
                                                          "noetherlab.png", tr("PNG (*.png)"));
        if (!path.isEmpty() && !grabWindowImage().save(path))
            statusBar()->showMessage(tr("Could not write %1").arg(path), 5000);
    });
    file->addSeparator();
    QAction* reset = file->addAction(tr("&Reset scene"), this, [this] {
        model_.setScene(SceneModel::defaultScene(), tr("Reset scene"));
        scene_actions_->newDocument();
    });
    reset->setToolTip(tr("Back to the default scene (undoable)"));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    // Undo and redo through the model, which refuses them while the scene is locked (lecture
    // mode); their text and enabled state follow the stack as QUndoStack's own actions do.
    QAction* undo = new QAction(tr("&Undo"), this);
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = new QAction(tr("&Redo"), this);
    redo->setShortcut(QKeySequence::Redo);
    connect(undo, &QAction::triggered, &model_, &SceneModel::undo);
    connect(redo, &QAction::triggered, &model_, &SceneModel::redo);
    QUndoStack* stack = model_.undoStack();
    auto follow = [undo, redo, stack] {
        undo->setEnabled(stack->canUndo());
        redo->setEnabled(stack->canRedo());
        undo->setText(stack->canUndo() ? tr("&Undo %1").arg(stack->undoText()) : tr("&Undo"));
        redo->setText(stack->canRedo() ? tr("&Redo %1").arg(stack->redoText()) : tr("&Redo"));
    };
    connect(stack, &QUndoStack::indexChanged, this, follow);
    connect(stack, &QUndoStack::cleanChanged, this, follow);
    follow();
    connect(&model_, &SceneModel::refused, this, [this] {
        statusBar()->showMessage(tr("The scene is locked in lecture mode (Esc leaves it)"), 4000);
    });
    edit->addAction(undo);
    edit->addAction(redo);

    view_menu_ = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* d : {controls_dock_, charges_dock_, phase_dock_, loss_dock_})
        view_menu_->addAction(d->toggleViewAction());
    view_menu_->addSeparator();
    view_menu_->addAction(tr("&Fit landscape"), this, [this] { landscape_->fit(); });
    QAction* play = view_menu_->addAction(tr("&Play / pause"), timeline_, &Timeline::togglePlay);
    play->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    QAction* full = view_menu_->addAction(
        tr("F&ull screen"), this, [this] { setWindowState(windowState() ^ Qt::WindowFullScreen); });
    full->setShortcut(QKeySequence::FullScreen);
    // The dark palette at any time, not only from --dark (the views re-colour on the change).
    QAction* dark = view_menu_->addAction(tr("&Dark palette"));
    dark->setObjectName("dark-palette");
    dark->setCheckable(true);
    dark->setChecked(isDark(QApplication::palette()));
    connect(dark, &QAction::toggled, this, [this](bool on) {
        static const QPalette light = isDark(QApplication::palette())
                                          ? QApplication::style()->standardPalette()
                                          : QApplication::palette();
        if (on) QApplication::setStyle(QStyleFactory::create("Fusion"));
        QApplication::setPalette(on ? darkPalette() : light);
        statusBar()->showMessage(on ? tr("Dark palette") : tr("Light palette"), 3000);
    });
    scene_actions_->addViewActions(view_menu_);

    scene_actions_->addMenus(menuBar());
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About NoetherLab"), this, [this] {
        QMessageBox::about(
            this, tr("About NoetherLab"),
            tr("<b>NoetherLab</b><p>Gradient descent with learning rate η, momentum β and weight "
               "decay k moves like a damped particle, m q″ + μ q′ + ∇f + k q = 0 with m = "
               "η(1+β)/2 and μ = 1−β. Every symmetry of the loss has a Noether charge "
               "J = m⟨q′, ξ(q)⟩; friction, weight decay and finite steps break it.</p>"
               "<p>Tanaka &amp; Kunin, <i>Noether's Learning Dynamics</i> (2021).</p>"));
    });
}

void MainWindow::onSceneChanged(const Scene& scene, SceneField field) {
    // A whole new scene (file, preset, start options, reset): fit the landscape to its run.
    if (field == SceneField::Whole || field == SceneField::Loss) refit_ = true;
    landscape_->setScene(scene);
    runs_.request(scene, model_.adoptedGenerators(),
                  scene_actions_ ? scene_actions_->ghostScenes(scene) : std::vector<GhostScene>{});
    setWindowTitle(tr("NoetherLab — %1, %2  η = %3  β = %4  k = %5")
                       .arg(QString::fromStdString(scene.loss.name),
                            QString::fromLatin1(to_string(scene.rule.rule)))
                       .arg(scene.rule.lr, 0, 'g', 3)
                       .arg(scene.rule.momentum, 0, 'g', 3)
                       .arg(scene.rule.weight_decay, 0, 'g', 3));
}

void MainWindow::onRunReady(std::shared_ptr<const Run> run, quint64 gen, double engine_ms) {
    if (gen <= shown_) return;
    const ProfileScope prof("onRunReady total");
    profileMark("run ready (GUI)");
    if (profiling()) profileAdd("engine (worker)", engine_ms);
    shown_ = gen;
    run_ = run;
    timeline_->setRun(run->scene.steps, run->scene.rule.lr);
    time_index_ = timeline_->index();
    // Companion scenes of the open file (view.compare), drawn faintly on the landscape and the time
    // charts.
    charges_->setGhosts(runs_.ghosts());
    loss_->setGhosts(runs_.ghosts());
    phase_->setGhosts(runs_.ghosts());
    {
        std::vector<std::shared_ptr<const Run>> ghost_runs;
        QStringList labels;
        for (const GhostRun& g : runs_.ghosts()) {
            ghost_runs.push_back(g.run);
            labels << g.label;
        }
        landscape_->setGhosts(std::move(ghost_runs), std::move(labels));
    }
    {
        const ProfileScope p("setRun landscape");
        landscape_->setRun(run, gen);
        if (refit_ && run->scene == model_.scene()) {
            refit_ = false;
            landscape_->fit();
        }
        // The landscape's frame first: software GL rasterises it on its own threads while this
        // thread brings the charts up to date; its paint then only swaps.
        landscape_->setTimeIndex(time_index_);
        landscape_->glWindow()->drawAhead();
    }
    {
        const ProfileScope p("setRun charges");
        charges_->setRun(run, gen);
    }
    {
        const ProfileScope p("setRun phase");
        phase_->setRun(run, gen);
    }
    {
        const ProfileScope p("setRun loss");
        loss_->setRun(run, gen);
    }
    const ProfileScope rest("onRunReady rest");
    const bool elr = EffectiveLrChart::applies(*run);
    {
        const ProfileScope p("setRun elr");
        if (elr) elr_->setRun(run, gen);
        if (elr_->isVisible() != elr) elr_->setVisible(elr);
        if (elr) norm_->setRun(run, gen);
        if (norm_->isVisible() != elr) norm_->setVisible(elr);
        // The dock's title names what it shows (the charts' own headers are hidden here).
        QString title = loss_->titleLabel()->text();
        if (!title.isEmpty()) title[0] = title[0].toUpper();
        if (elr) title += tr("  ·  effective learning rate η/|q|²  ·  |q|² (scale)");
        if (loss_title_->text() != title) loss_title_->setText(title);
    }
    {
        const ProfileScope p("setRun controls");
        controls_->setRun(run);
    }
    {
        const ProfileScope p("setTimeIndex");
        setTimeIndex(time_index_);
    }
    const ProfileScope posted("chart scene changes");
    // Let every chart's scene turn its changes into viewport updates now, in this call, rather
    // than in later passes of the event loop (each scene then sends the window's update request
    // itself: one repaint per chart, measured no slower than holding them for one pass).
    for (ChartPanel* c : std::initializer_list<ChartPanel*>{charges_, phase_, loss_, elr_, norm_})
        if (c->isVisible()) {
            // The chart's own layout first (new axis label widths move the plot area), so
            // that its geometry changes are part of this pass too.
            QCoreApplication::sendPostedEvents(c->chart(), QEvent::LayoutRequest);
            QCoreApplication::sendPostedEvents(c->chart()->scene(), 0);
        }
    // Divergence: say where and how, keep the last finite data on screen.
    // An integrator that stopped is said as such: the model did not diverge.
    QStringList why, stopped;
    for (const Trajectory& tr : run->trajectories) {
        const QString line =
            QString("%1: %2").arg(modelName(tr.model), QString::fromStdString(tr.message));
        if (tr.diverged) why << line;
        if (tr.integration_failed) stopped << line;
    }
    if (!why.isEmpty())
        showBanner(tr("Diverged — %1. The views show the samples before it.").arg(why.join("; ")),
                   false);
    else if (!stopped.isEmpty())
        showBanner(tr("Integrator stopped — %1.").arg(stopped.join("; ")), false);
    else
        showBanner(QString(), false);
    // The engine time in the status bar, at most twice a second (it is a repaint).
    if (!engine_clock_.isValid() || engine_clock_.elapsed() > 500) {
        engine_clock_.start();
        engine_label_->setText(tr("engine %1 ms").arg(engine_ms, 0, 'f', 1));
    }
    {
        const ProfileScope p("runApplied listeners");
        emit runApplied(gen);
    }
    profileMark("run applied");
    checkPresented();
}

void MainWindow::onRunFailed(const QString& message, quint64 gen) {
    if (gen <= shown_) return;
    shown_ = gen;
    showBanner(tr("Scene not valid — %1").arg(message), true);
    emit runApplied(gen);
    checkPresented();
}

void MainWindow::showBanner(const QString& text, bool error) {
    if (text.isEmpty()) {
        if (banner_->isVisible()) banner_->setVisible(false);
        return;
    }
    banner_->setText(text);
    banner_->setStyleSheet(error ? "QLabel { background: #CC79A7; color: black; }"
                                 : "QLabel { background: #E69F00; color: black; }");
    banner_->setVisible(true);
}

void MainWindow::setTimeIndex(long index) {
    time_index_ = index;
    landscape_->setTimeIndex(index);
    charges_->setTimeIndex(index);
    phase_->setTimeIndex(index);
    loss_->setTimeIndex(index);
    elr_->setTimeIndex(index);
    norm_->setTimeIndex(index);
}

bool MainWindow::event(QEvent* e) {
    if (profiling() && e->type() == QEvent::UpdateRequest) {
        profileMark("window UpdateRequest begin");
        const bool r = QMainWindow::event(e);
        profileMark("window UpdateRequest end");
        return r;
    }
    if (profiling() && e->type() == QEvent::LayoutRequest) {
        profileMark("window LayoutRequest begin");
        const bool r = QMainWindow::event(e);
        profileMark("window LayoutRequest end");
        return r;
    }
    return QMainWindow::event(e);
}

bool MainWindow::presented(quint64 gen) const {
    if (shown_ < gen) return false;
    // A view counts if it is on screen and was given data of this generation.
    const LandscapeWindow* gl = landscape_->glWindow();
    if (landscape_->isVisible() && gl->shaderErrors().isEmpty()) {
        if (!gl->glReady() || !gl->isExposed()) return false;
        if (gl->dataGeneration() >= gen && gl->presentedGeneration() < gen) return false;
    }
    for (const ChartPanel* c :
         std::initializer_list<const ChartPanel*>{charges_, phase_, loss_, elr_, norm_}) {
        // Views that cannot paint (hidden, in a background tab, obscured) do not count.
        if (!c->isVisible() || !c->view()->isVisible() || c->view()->visibleRegion().isEmpty())
            continue;
        if (c->dataGeneration() >= gen && c->paintedGeneration() < gen) return false;
    }
    return true;
}

void MainWindow::checkPresented() {
    if (shown_ > last_signalled_ && presented(shown_)) {
        last_signalled_ = shown_;
        profileMark("frame presented");
        emit framePresented(shown_);
    }
}

QImage MainWindow::grabWindowImage() {
    QImage img = grab().toImage();
    LandscapeWindow* gl = landscape_->glWindow();
    if (gl->isExposed()) {
        const QImage fb = gl->grabFramebuffer();
        QPainter p(&img);
        const QPoint at = landscape_->container()->mapTo(this, QPoint(0, 0));
        const qreal dpr = img.devicePixelRatio();
        p.drawImage(QRectF(at, QSizeF(landscape_->container()->size())), fb,
                    QRectF(QPointF(0, 0), QSizeF(fb.size())));
        Q_UNUSED(dpr);
    }
    return img;
}

void MainWindow::applyTheme() {
    const bool dark = isDark(palette());
    landscape_->applyTheme(dark);
    for (ChartPanel* c : std::initializer_list<ChartPanel*>{charges_, phase_, loss_, elr_, norm_})
        c->applyTheme(dark);
}

void MainWindow::showEvent(QShowEvent* e) {
    QMainWindow::showEvent(e);
    if (first_show_ && !restored_layout_) {
        // The charts column: charges and phase portrait share the height (once laid out).
        QTimer::singleShot(0, this, [this] {
            resizeDocks({charges_dock_, phase_dock_}, {1, 1}, Qt::Vertical);
        });
    }
    first_show_ = false;
}

void MainWindow::changeEvent(QEvent* e) {
    if (e->type() == QEvent::PaletteChange || e->type() == QEvent::ApplicationPaletteChange)
        applyTheme();
    QMainWindow::changeEvent(e);
}

void MainWindow::closeEvent(QCloseEvent* e) {
    if (restore_) saveSettings();
    QMainWindow::closeEvent(e);
}

void MainWindow::saveSettings() {
    QSettings s;
    s.setValue("window/geometry", saveGeometry());
    s.setValue("window/state", saveState());
    io::SceneDocument doc;
    doc.scene = model_.scene();
    s.setValue("scene/last", QString::fromUtf8(io::serialize_scene(doc)));
}

void MainWindow::restoreSettings() {
    QSettings s;
    if (s.contains("window/geometry")) restoreGeometry(s.value("window/geometry").toByteArray());
    if (s.contains("window/state"))
        restored_layout_ = restoreState(s.value("window/state").toByteArray());
    if (s.contains("scene/last")) {
        auto doc = io::parse_scene(s.value("scene/last").toString().toUtf8());
        if (doc) {
            model_.setScene(doc->scene, tr("Last scene"));
            model_.undoStack()->clear();
        }
    }
}

void MainWindow::openScene() {
    scene_actions_->open();
}

void MainWindow::saveSceneAs() {
    scene_actions_->saveAs();
}

}  // namespace noether::gui

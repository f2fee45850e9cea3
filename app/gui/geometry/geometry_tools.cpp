#include "gui/geometry/geometry_tools.hpp"

#include <QMenuBar>
#include <QPainter>
#include <QPixmap>
#include <QTimer>

#include "gui/geometry/curvature_panel.hpp"
#include "gui/geometry/discovery_dialog.hpp"
#include "gui/geometry/eigen_cross.hpp"
#include "gui/geometry/loss_editor.hpp"
#include "gui/main_window.hpp"
#include "gui/panels/timeline.hpp"
#include "gui/views/landscape_view.hpp"
#include "gui/views/style.hpp"

namespace noether::gui {

namespace {

// The toggle's icon: a blue and a vermillion arm and an orange arrow.
QIcon crossIcon(bool dark) {
    QPixmap pm(30, 22);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(positiveCurvatureColor(dark), 3.0, Qt::SolidLine, Qt::RoundCap));
    p.drawLine(QPointF(3, 18), QPointF(19, 4));
    p.setPen(QPen(negativeCurvatureColor(dark), 3.0, Qt::SolidLine, Qt::RoundCap));
    p.drawLine(QPointF(5, 6), QPointF(17, 16));
    p.setPen(QPen(generatorColor(0, dark), 2.5, Qt::SolidLine, Qt::RoundCap));
    p.drawLine(QPointF(11, 11), QPointF(27, 11));
    p.drawLine(QPointF(27, 11), QPointF(22, 7));
    p.drawLine(QPointF(27, 11), QPointF(22, 15));
    return QIcon(pm);
}

}  // namespace

GeometryTools::GeometryTools(MainWindow* window, QMenu* view_menu) : QObject(window), w_(window) {
    setObjectName("geometryTools");
    // The Curvature dock, tabbed with the phase portrait.
    curvature_ = new CurvaturePanel;
    dock_ = new QDockWidget(tr("Curvature (Hessian)"), w_);
    dock_->setObjectName("curvature");
    dock_->setWidget(curvature_);
    dock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                       QDockWidget::DockWidgetClosable);
    w_->addDockWidget(Qt::RightDockWidgetArea, dock_);
    if (auto* phase = w_->findChild<QDockWidget*>("phase")) {
        // Tabbed with the phase portrait, which stays in front (tabify puts its second argument
        // on top; a raise() before the window is shown would leave the phase chart flagged
        // visible but never painted). A restored window layout overrides this.
        w_->tabifyDockWidget(dock_, phase);
    }
    if (view_menu)
        view_menu->insertAction(view_menu->actions().value(4), dock_->toggleViewAction());

    // The eigen-cross toggle in the landscape's toolbar.
    cross_ = new QCheckBox(tr("eigen-cross"));
    cross_->setIcon(crossIcon(isDark(w_->palette())));
    cross_->setToolTip(
        tr("At the current point: the Hessian's eigen-directions in the slice plane, each arm as "
           "long as its curvature |λ|\n(on the run's scale): blue for λ > 0, vermillion for "
           "λ < 0, black for a flat direction (λ = 0);\nbeside it the symmetry generator ξ(q) "
           "as an orange arrow (PHYSICS.md §3)."));
    w_->landscape()->addControl(cross_);

    // Tools menu, before Help.
    auto* tools = new QMenu(tr("&Tools"), w_);
    QAction* help = w_->menuBar()->actions().isEmpty() ? nullptr : w_->menuBar()->actions().last();
    w_->menuBar()->insertMenu(help, tools);
    QAction* edit = tools->addAction(tr("Loss &expression…"), this, [this] { openLossEditor(); });
    // Ctrl+T (typed loss): Ctrl+E is Export view; bound twice, neither fired.
    edit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    edit->setToolTip(tr("Type a loss as an expression in q1..qn"));
    QAction* find = tools->addAction(tr("&Find symmetries…"), this, [this] { openDiscovery(); });
    find->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_F));
    tools->addAction(tr("&Clear adopted symmetries"), this, [this] {
        w_->model()->setAdoptedGenerators({}, tr("Clear adopted symmetries"));
    });
    tools->addSeparator();
    tools->addAction(tr("Show &curvature"), this, [this] {
        dock_->show();
        dock_->raise();
    });

    // Wiring.
    connect(dock_, &QDockWidget::visibilityChanged, curvature_, &CurvaturePanel::setOnScreen);
    connect(w_, &MainWindow::runApplied, this, &GeometryTools::onRunApplied);
    connect(w_->timeline(), &Timeline::indexChanged, this, [this](long i) {
        curvature_->setTimeIndex(i);
        updateCross();
    });
    connect(w_->timeline(), &Timeline::windowChanged, curvature_, &CurvaturePanel::setTimeWindow);
    connect(w_->landscape()->glWindow(), &LandscapeWindow::viewChanged, this,
            &GeometryTools::updateCross);
    connect(cross_, &QCheckBox::toggled, this, &GeometryTools::updateCross);
    curvature_->setTimeWindow(w_->timeline()->window());
}

void GeometryTools::onRunApplied() {
    std::shared_ptr<const Run> run = w_->currentRun();
    if (run == run_) return;
    run_ = std::move(run);
    if (!run_) return;
    curvature_->setRun(run_, w_->shownGeneration());
    curvature_->setTimeIndex(w_->timeline()->index());
    updateCross();
}

void GeometryTools::updateCross() {
    LandscapeWindow* gl = w_->landscape()->glWindow();
    const Trajectory* tr = nullptr;
    if (cross_->isChecked() && run_ && !run_->trajectories.empty())
        tr =
            run_->find(Model::Discrete) ? run_->find(Model::Discrete) : &run_->trajectories.front();
    if (!tr || tr->samples() == 0) {
        if (!gl->overlay().empty()) gl->setOverlay({});
        return;
    }
    const Slice s = w_->landscape()->currentSlice();
    if (s.i == s.j) {
        if (!gl->overlay().empty()) gl->setOverlay({});
        return;
    }
    if (scale_run_ != run_.get() || scale_i_ != s.i || scale_j_ != s.j) {
        scale_run_ = run_.get();
        scale_i_ = s.i;
        scale_j_ = s.j;
        scale_ = curvatureScale(*run_->loss, *tr, s.i, s.j);
    }
    const long k = std::clamp<long>(w_->timeline()->index(), 0, tr->samples() - 1);
    const PlaneBox box = gl->visibleBox();
    EigenCrossStyle st;
    st.px_per_unit = gl->width() / std::max(box.x1 - box.x0, 1e-300);
    st.curvature_scale = scale_;
    st.dark = isDark(w_->palette());
    gl->setOverlay(eigenCross(*run_->loss, tr->q.col(k), s.i, s.j, st));
}

LossEditor* GeometryTools::openLossEditor() {
    return noether::gui::openLossEditor(w_->centralWidget());
}

DiscoveryDialog* GeometryTools::openDiscovery() {
    if (!discovery_) discovery_ = new DiscoveryDialog(w_->model(), w_);
    discovery_->show();
    discovery_->raise();
    discovery_->activateWindow();
    return discovery_;
}

}  // namespace noether::gui

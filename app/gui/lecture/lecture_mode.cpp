#include "gui/lecture/lecture_mode.hpp"

#include <QAbstractAxis>
#include <QApplication>
#include <QDockWidget>
#include <QKeyEvent>
#include <QLegend>
#include <QMenuBar>
#include <QScreen>
#include <QStatusBar>
#include <QXYSeries>

#include "gui/main_window.hpp"
#include "gui/panels/explanation_panel.hpp"
#include "gui/panels/timeline.hpp"
#include "gui/scene_actions.hpp"
#include "gui/views/chart_panel.hpp"
#include "gui/views/landscape_view.hpp"

namespace noether::gui {

namespace {
constexpr double kFontScale = 1.35;  // application and chart type in lecture mode
constexpr double kLineScale = 1.6;   // chart series
}  // namespace

LectureMode::LectureMode(MainWindow* window, SceneActions* actions)
    : w_(window),
      gl_(window->landscape()->glWindow()),
      actions_(actions),
      playlist_(Playlist::presets()) {
    // Owned by SceneActions (no QObject parent: one owner). F11 and Ctrl+L work everywhere in
    // the window, the OpenGL landscape included.
    qApp->installEventFilter(this);
}

LectureMode::~LectureMode() {
    if (qApp) qApp->removeEventFilter(this);
}

QPalette LectureMode::projectorPalette() {
    QPalette p;
    const QColor white(255, 255, 255), black(0, 0, 0), panel(235, 235, 235);
    p.setColor(QPalette::Window, white);
    p.setColor(QPalette::WindowText, black);
    p.setColor(QPalette::Base, white);
    p.setColor(QPalette::AlternateBase, panel);
    p.setColor(QPalette::Text, black);
    p.setColor(QPalette::Button, panel);
    p.setColor(QPalette::ButtonText, black);
    p.setColor(QPalette::ToolTipBase, white);
    p.setColor(QPalette::ToolTipText, black);
    p.setColor(QPalette::Highlight, QColor(0x00, 0x72, 0xB2));
    p.setColor(QPalette::HighlightedText, white);
    p.setColor(QPalette::PlaceholderText, QColor(80, 80, 80));
    p.setColor(QPalette::Mid, QColor(90, 90, 90));
    p.setColor(QPalette::Dark, QColor(60, 60, 60));
    return p;
}

void LectureMode::toggle() {
    if (active_)
        leave();
    else
        enter();
}

void LectureMode::scaleCharts(bool up) {
    const auto charts = w_->findChildren<ChartPanel*>();
    if (up) {
        axis_fonts_.clear();
        legend_fonts_.clear();
        for (ChartPanel* c : charts) {
            for (QAbstractAxis* a : c->chart()->axes()) {
                axis_fonts_.push_back({a, a->labelsFont(), a->titleFont()});
                QFont lf = a->labelsFont(), tf = a->titleFont();
                lf.setPointSizeF(lf.pointSizeF() * kFontScale);
                tf.setPointSizeF(tf.pointSizeF() * kFontScale);
                a->setLabelsFont(lf);
                a->setTitleFont(tf);
            }
            QLegend* legend = c->chart()->legend();
            legend_fonts_.emplace_back(legend, legend->font());
            QFont f = legend->font();
            f.setPointSizeF(f.pointSizeF() * kFontScale);
            legend->setFont(f);
            // Thicker lines: the palette change has just reset every pen to its normal width.
            for (QAbstractSeries* s : c->chart()->series())
                if (auto* xy = qobject_cast<QXYSeries*>(s)) {
                    QPen pen = xy->pen();
                    pen.setWidthF(pen.widthF() * kLineScale);
                    xy->setPen(pen);
                }
        }
    } else {
        for (const AxisFonts& a : axis_fonts_) {
            a.axis->setLabelsFont(a.labels);
            a.axis->setTitleFont(a.title);
        }
        for (const auto& [legend, font] : legend_fonts_)
            legend->setFont(font);
        axis_fonts_.clear();
        legend_fonts_.clear();
    }
}

void LectureMode::enter() {
    if (active_) return;
    active_ = true;
    state_ = w_->saveState();
    window_states_ = w_->windowState();
    palette_ = QApplication::palette();
    font_ = QApplication::font();
    menu_visible_ = w_->menuBar()->isVisible() || !w_->isVisible();
    explanation_large_ = actions_->explanation()->large();
    doc_before_ = actions_->openedDocument();
    scene_before_ = w_->model()->scene();
    path_before_ = actions_->currentPath();
    index_before_ = w_->timeline()->index();

    // Projector palette and larger type (the views re-colour on the palette change; the chart
    // pens they reset are then made thicker).
    QFont big = font_;
    big.setPointSizeF(font_.pointSizeF() * kFontScale);
    QApplication::setFont(big);
    QApplication::setPalette(projectorPalette());
    scaleCharts(true);
    // Widgets with a font of their own (legends, chart headers, the banner) grow too; the
    // explanation panel has its own lecture sizes.
    widget_fonts_.clear();
    for (QWidget* wd : w_->findChildren<QWidget*>()) {
        if (!wd->testAttribute(Qt::WA_SetFont) || actions_->explanation()->isAncestorOf(wd) ||
            wd == actions_->explanation())
            continue;
        widget_fonts_.emplace_back(wd, wd->font());
        QFont f = wd->font();
        f.setPointSizeF(f.pointSizeF() * kFontScale);
        wd->setFont(f);
    }

    // A locked scene: no controls, no menu, no tool docks; the lesson's panels and the
    // explanation, large, on the left.
    for (QDockWidget* d : w_->findChildren<QDockWidget*>())
        if (!QStringList{"charges", "phase", "loss", "explanation"}.contains(d->objectName()))
            d->hide();
    w_->menuBar()->hide();
    QDockWidget* dock = actions_->explanationDock();
    w_->addDockWidget(Qt::LeftDockWidgetArea, dock);
    dock->setFloating(false);
    dock->show();
    actions_->explanation()->setLarge(true);
    // The scene is locked: the landscape's view controls and the charts' time-window choice
    // only take room (at 1280 px their row alone was wider than the landscape).
    w_->landscape()->setControlsHidden(true);
    w_->timeline()->setWindowChoiceVisible(false);
    // The bottom docks (the loss, η/|q|² and |q|² charts side by side) span the whole width and
    // a third of the height: squeezed under the landscape their plots were 130 x 80 px.
    for (Qt::Corner c : {Qt::BottomLeftCorner, Qt::BottomRightCorner}) {
        corners_[c == Qt::BottomLeftCorner ? 0 : 1] = w_->corner(c);
        w_->setCorner(c, Qt::BottomDockWidgetArea);
    }
    w_->showFullScreen();
    // Without a window manager (a projector's kiosk session, Xvfb) nobody applies the full-screen
    // state: the window kept its desk size, wider than a 1280 px screen.
    if (const QScreen* screen = w_->screen()) w_->setGeometry(screen->geometry());
    w_->resizeDocks({dock}, {std::max(420, w_->width() / 3)}, Qt::Horizontal);
    QList<QDockWidget*> bottom;
    for (QDockWidget* d : w_->findChildren<QDockWidget*>())
        if (d->isVisible() && !d->isFloating() && w_->dockWidgetArea(d) == Qt::BottomDockWidgetArea)
            bottom << d;
    if (!bottom.isEmpty())
        w_->resizeDocks({bottom.first()}, {std::max(260, w_->height() / 3)}, Qt::Vertical);

    // Start the playlist where the scene on screen is, or at its first entry.
    const int here = playlist_.indexOf(actions_->currentPath());
    if (here >= 0) {
        playlist_.setCurrent(here);
        w_->timeline()->setIndex(0);  // the lesson from its first step
        showHud();
    } else if (!actions_->currentPath().isEmpty() || !actions_->openedDocument().title.isEmpty()) {
        // A scene file of its own (`noetherlab --lecture --scene FILE`): shown as it is; the
        // next key starts the playlist.
        playlist_.setCurrent(-1);
        w_->timeline()->setIndex(0);
        showHud();
    } else if (!playlist_.empty()) {
        go(0);
    }
    w_->activateWindow();
    w_->setFocus();
    // Locked from here: no drag, wheel, key or stray shortcut changes the scene.
    w_->model()->setLocked(true);
    w_->landscape()->glWindow()->setStartLocked(true);
    emit activeChanged(true);
}

void LectureMode::leave() {
    if (!active_) return;
    active_ = false;
    w_->model()->setLocked(false);
    w_->landscape()->glWindow()->setStartLocked(false);
    // The document and the scene that were on screen, as they were (edits not yet saved stay
    // unsaved); the window's layout is put back after, so the document's view panels do not
    // override it.
    const bool other_scene = !(w_->model()->scene() == scene_before_);
    if (other_scene || actions_->currentPath() != path_before_) {
        actions_->loadDocument(doc_before_, path_before_);
        if (!(scene_before_ == doc_before_.scene))
            w_->model()->setScene(scene_before_, tr("Back from the lecture"));
    }
    // The time on screen too (once the scene's run is back when it is a new run).
    if (other_scene)
        w_->timeline()->setIndexAfterRun(index_before_);
    else
        w_->timeline()->setIndex(index_before_);
    scaleCharts(false);
    for (const auto& [wd, font] : widget_fonts_)
        if (wd) wd->setFont(font);
    widget_fonts_.clear();
    QApplication::setPalette(palette_);
    QApplication::setFont(font_);
    actions_->explanation()->setLarge(explanation_large_);
    actions_->explanation()->setPosition(QString());
    w_->setWindowState(window_states_ & ~Qt::WindowFullScreen);
    if (window_states_ & Qt::WindowFullScreen) w_->setWindowState(window_states_);
    w_->landscape()->setControlsHidden(false);
    w_->timeline()->setWindowChoiceVisible(true);
    w_->setCorner(Qt::BottomLeftCorner, corners_[0]);
    w_->setCorner(Qt::BottomRightCorner, corners_[1]);
    w_->restoreState(state_);
    w_->menuBar()->setVisible(menu_visible_);
    w_->statusBar()->clearMessage();
    emit activeChanged(false);
}

bool LectureMode::go(int i) {
    if (playlist_.empty() || i < 0 || i >= playlist_.size()) return false;
    playlist_.setCurrent(i);
    const Playlist::Entry& e = playlist_.at(i);
    // The lesson's own scene passes the lock; nothing else does.
    const SceneModel::Unlocked unlocked(*w_->model());
    const bool ok = actions_->openFile(e.path);
    // Each lesson starts at its first step, not at the time the previous one was left at.
    w_->timeline()->setIndex(0);
    showHud();
    emit stepped(i);
    return ok;
}

bool LectureMode::next() {
    const int i = playlist_.current() + 1;
    if (i >= playlist_.size()) return false;
    return go(i);
}

bool LectureMode::previous() {
    const int i = playlist_.current() - 1;
    if (i < 0) return false;
    return go(i);
}

void LectureMode::showHud() {
    if (!active_) return;
    const int i = playlist_.current();
    const QString where = i >= 0 ? tr("Scene %1 / %2").arg(i + 1).arg(playlist_.size()) : QString();
    actions_->explanation()->setPosition(where);
    const QString keys =
        tr("PageDown / → next   ·   PageUp / ← previous   ·   Space play / pause"
           "   ·   Esc leave");
    w_->statusBar()->showMessage(where.isEmpty() ? keys : where + "   ·   " + keys);
}

bool LectureMode::ours(QObject* watched) const {
    if (auto* widget = qobject_cast<QWidget*>(watched)) return widget->window() == w_;
    if (auto* window = qobject_cast<QWindow*>(watched))
        return window == w_->windowHandle() || window == gl_;
    return false;
}

bool LectureMode::handleKey(int key, Qt::KeyboardModifiers mods) {
    const bool ctrl_l = key == Qt::Key_L && (mods & Qt::ControlModifier);
    if (key == Qt::Key_F11 || ctrl_l) {
        toggle();
        return true;
    }
    if (!active_) return false;
    switch (key) {
        case Qt::Key_PageDown:
        case Qt::Key_Right:
            next();
            return true;
        case Qt::Key_PageUp:
        case Qt::Key_Left:
            previous();
            return true;
        case Qt::Key_Home:
            go(0);
            return true;
        case Qt::Key_End:
            go(playlist_.size() - 1);
            return true;
        case Qt::Key_Space:
            w_->timeline()->togglePlay();
            return true;
        case Qt::Key_Escape:
            leave();
            return true;
        default:
            return false;
    }
}

bool LectureMode::eventFilter(QObject* watched, QEvent* event) {
    const QEvent::Type t = event->type();
    if (t != QEvent::KeyPress && t != QEvent::ShortcutOverride) return false;
    auto* k = static_cast<QKeyEvent*>(event);
    const int key = k->key();
    const bool ctrl_l = key == Qt::Key_L && (k->modifiers() & Qt::ControlModifier);
    const bool lecture_key =
        active_ && (key == Qt::Key_PageDown || key == Qt::Key_PageUp || key == Qt::Key_Right ||
                    key == Qt::Key_Left || key == Qt::Key_Home || key == Qt::Key_End ||
                    key == Qt::Key_Space || key == Qt::Key_Escape);
    if (!(key == Qt::Key_F11 || ctrl_l || lecture_key) || !ours(watched)) return false;
    if (t == QEvent::ShortcutOverride) {
        // Ours, not a shortcut's (View → Full screen also listens to F11): the key press follows.
        event->accept();
        return true;
    }
    if (k->isAutoRepeat() && (key == Qt::Key_F11 || ctrl_l || key == Qt::Key_Escape)) return true;
    return handleKey(key, k->modifiers());
}

}  // namespace noether::gui

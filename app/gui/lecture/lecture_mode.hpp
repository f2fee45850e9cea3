// Lecture mode (View → Lecture mode, F11 or Ctrl+L): the window full screen with a projector
// palette (pure black on white, thicker chart lines, larger type), the controls dock and the
// menu bar hidden (a locked scene), the explanation panel large, and a playlist of scenes (by
// default the story presets in lesson order) stepped with PageDown / PageUp — what a
// presentation clicker sends — and Right / Left; Home / End jump to the first / last scene,
// Space plays or pauses the time line, Esc (or F11, Ctrl+L) leaves. Keyboard only.
#pragma once

#include <QByteArray>
#include <QFont>
#include <QObject>
#include <QPalette>
#include <QPointer>
#include <vector>

#include "gui/lecture/playlist.hpp"
#include "io/scene_file.hpp"

class QAbstractAxis;
class QLegend;
class QWidget;

namespace noether::gui {

class MainWindow;
class SceneActions;

/// Full-screen presentation of a playlist of scenes.
class LectureMode : public QObject {
    Q_OBJECT
  public:
    LectureMode(MainWindow* window, SceneActions* actions);
    ~LectureMode() override;

    bool active() const { return active_; }
    /// Enters lecture mode; loads the first playlist scene unless the one on screen is in it.
    void enter();
    /// Leaves lecture mode and restores the window as it was.
    void leave();
    void toggle();
    /// Steps the playlist (loads the scene); false at the ends.
    bool next();
    bool previous();
    /// Loads playlist entry i.
    bool go(int i);

    Playlist& playlist() { return playlist_; }

    /// The projector palette: high contrast, black on white.
    static QPalette projectorPalette();

  signals:
    void activeChanged(bool active);
    /// The playlist moved to entry `index`.
    void stepped(int index);

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

  private:
    bool ours(QObject* watched) const;
    bool handleKey(int key, Qt::KeyboardModifiers mods);
    void showHud();
    void scaleCharts(bool up);

    MainWindow* w_;
    QPointer<QObject> gl_;  // the landscape's GL window (its key events are ours too)
    SceneActions* actions_;
    Playlist playlist_;
    bool active_ = false;

    // What enter() changed, to put back on leave().
    QByteArray state_;
    Qt::DockWidgetArea corners_[2] = {Qt::LeftDockWidgetArea, Qt::RightDockWidgetArea};
    Qt::WindowStates window_states_;
    QPalette palette_;
    QFont font_;
    bool menu_visible_ = true;
    bool explanation_large_ = false;
    // The document and scene on screen before the lecture (Esc brings them back).
    io::SceneDocument doc_before_;
    Scene scene_before_;
    QString path_before_;
    long index_before_ = 0;
    struct AxisFonts {
        QAbstractAxis* axis;
        QFont labels, title;
    };
    std::vector<AxisFonts> axis_fonts_;
    std::vector<std::pair<QLegend*, QFont>> legend_fonts_;
    std::vector<std::pair<QPointer<QWidget>, QFont>> widget_fonts_;
};

}  // namespace noether::gui

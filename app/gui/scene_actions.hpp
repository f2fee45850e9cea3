// The scene-file workflow of the main window and its exports: Open, Save, Save As (atomic, via
// noether::io), recent files (QSettings), drag-and-drop of .noether files and scene links,
// Copy / Paste scene link, the Presets menu (:/presets/index.json in lesson order), the
// explanation dock, Export view / figure (PNG, SVG, PDF), Export data (CSV + scene + caption),
// Export animation (PNG sequence, MP4/GIF through ffmpeg), and lecture mode. A refused file or
// link is shown as a message naming the field and leaves the scene untouched; warnings
// (unknown fields kept) go to the status bar.
#pragma once

#include "gui/model/run_controller.hpp"

#include <QMessageBox>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <memory>
#include <string>
#include <vector>

#include "gui/figure/animation.hpp"
#include "gui/figure/data_export.hpp"
#include "gui/figure/figure_composer.hpp"
#include "io/scene_file.hpp"

class QAction;
class QDockWidget;
class QMenu;
class QMenuBar;

namespace noether::gui {

class MainWindow;
class ExplanationPanel;
class LectureMode;

/// File menu workflow, presets, exports and lecture mode of a MainWindow.
class SceneActions : public QObject {
    Q_OBJECT
  public:
    explicit SceneActions(MainWindow* window);
    ~SceneActions() override;

    /// Adds Save, Open recent, the scene-link and export actions to the File menu.
    void addFileActions(QMenu* file);
    /// Adds the explanation dock and lecture mode to the View menu.
    void addViewActions(QMenu* view);
    /// Adds the Presets menu to the menu bar (before `before`, or at the end).
    void addMenus(QMenuBar* bar, QAction* before = nullptr);

    // --- Scene workflow -------------------------------------------------------------------
    /// File → Open: a dialog, then openFile().
    void open();
    /// Loads a scene file; a refusal is shown (naming the field) and the scene is untouched.
    bool openFile(const QString& path);
    /// The same for a file named by its bytes (a command-line argument that need not be UTF-8).
    bool openNativeFile(const std::string& native_path);
    /// Loads a compiled-in preset by file name ("07-rescale-balancing.noether").
    bool loadPreset(const QString& file);
    /// Puts a document on screen (one undo step), its view settings and explanation.
    void loadDocument(const io::SceneDocument& doc, const QString& path);
    /// File → Save (Save As when there is no file yet).
    bool save();
    /// File → Save As: a dialog, then saveTo().
    bool saveAs();
    /// Writes the scene on screen atomically; a failure is shown and nothing is half-written.
    bool saveTo(const QString& path);
    /// The scene on screen as a link ("noether:…").
    QString link() const;
    /// Copies link() to the clipboard.
    void copyLink();
    /// Applies a pasted link (same validation as files); false and a message if refused.
    bool pasteLink(const QString& text);
    /// Paste scene link from the clipboard.
    bool pasteLinkFromClipboard();

    /// The scene on screen as a document: the loaded document's title, explanation, equation
    /// and unknown fields, the current scene, and the view settings of the screen.
    io::SceneDocument document() const;
    /// The open document's companion scenes (view.compare) applied to `scene`: drawn as ghosts
    /// beside it. Empty if the document has none.
    std::vector<GhostScene> ghostScenes(const Scene& scene) const;
    /// Starts a new, untitled document holding the current scene (File > Reset scene): the old
    /// file's title, explanation, view settings and ghosts no longer apply.
    void newDocument();
    /// True if the scene on screen differs from the one last opened or saved.
    bool unsavedChanges() const;
    /// The document as opened or saved last (its scene, not the one edited since).
    const io::SceneDocument& openedDocument() const { return doc_; }
    /// The path of the loaded file ("" if none, ":/presets/…" for a preset).
    QString currentPath() const { return path_; }
    /// Recent files, newest first.
    QStringList recentFiles() const;
    /// One entry of the preset index.
    struct PresetEntry {
        QString file, title, summary;
    };
    /// The presets of :/presets/index.json, in order.
    static std::vector<PresetEntry> presets();

    // --- Figures --------------------------------------------------------------------------
    /// The view settings the screen shows now (landscape box and style, phase coordinate,
    /// budget, panels).
    figure::ViewSettings screenViewSettings() const;
    /// What an export draws: document() and the run on screen (+ ghost runs).
    Result<figure::FigureData> figureData(bool ghosts = true) const;
    /// Renders and writes one view; returns an empty string or the error.
    QString exportFigure(const figure::ExportSettings& s, const QString& path);
    /// Writes the CSVs, the scene and the caption into `dir`.
    figure::DataExport exportData(const QString& dir, const QString& base);
    /// The frames of the time line into `dir`, then (for .mp4 / .gif `out`) the video through
    /// ffmpeg. Returns an empty string, "cancelled", or the error (ffmpeg missing: a message
    /// saying so, nothing rendered).
    QString exportAnimation(const figure::AnimationSettings& s, const QString& dir,
                            const QString& out, const figure::Progress& progress);
    /// The current time marker's sample on screen.
    long timeIndex() const;

    // --- Parts ----------------------------------------------------------------------------
    ExplanationPanel* explanation() const { return explanation_; }
    QDockWidget* explanationDock() const { return explanation_dock_; }
    LectureMode* lecture() const { return lecture_.get(); }
    QMenu* presetsMenu() const { return presets_menu_; }
    /// The text of the last refusal or error shown ("" if none since clearLastError()).
    QString lastError() const { return last_error_; }
    void clearLastError() { last_error_.clear(); }
    /// The message box of the last refusal (non-modal; null once closed).
    QMessageBox* messageBox() const { return box_; }

  signals:
    /// A document was put on screen.
    void documentLoaded(const QString& path);

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

  private:
    bool openNative(const std::string& native, const QString& path);
    /// True (and said) when the scene is locked (lecture mode): the caller changes nothing.
    bool lockedOut();
    void refuse(const QString& what, const QString& message, const QString& consequence = {});
    void showWarnings(const QStringList& warnings);
    void addRecent(const QString& path);
    void rebuildRecentMenu();
    void applyViewSettings(const io::SceneDocument& doc);
    void applyPendingView();
    void exportFigureDialog(figure::FigureView view);
    void exportDataDialog();
    void exportAnimationDialog();

    MainWindow* w_;
    QPointer<QObject> gl_;   // the landscape's GL window (watched for its first exposure)
    io::SceneDocument doc_;  // the document last loaded (its scene as loaded)
    QString path_;
    ExplanationPanel* explanation_ = nullptr;
    QDockWidget* explanation_dock_ = nullptr;
    QMenu* recent_menu_ = nullptr;
    QMenu* presets_menu_ = nullptr;
    std::unique_ptr<LectureMode> lecture_;
    QString last_error_;
    QPointer<QMessageBox> box_;
    // View settings to apply once the run of this generation is on screen (the landscape box).
    std::optional<figure::ViewSettings> pending_view_;
    quint64 pending_gen_ = 0;
};

}  // namespace noether::gui

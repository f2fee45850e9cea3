// The explanation panel: the loaded scene's title, its short explanation and the equation it
// illustrates (docs/SCENE-FORMAT.md: title, explanation, equation), large and readable; in
// lecture mode larger still. It notes when the scene on screen was edited after loading.
#pragma once

#include <QLabel>
#include <QScrollArea>
#include <QTimer>
#include <QWidget>

#include "io/scene_file.hpp"

namespace noether::gui {

/// Title, explanation and equation of the scene document.
class ExplanationPanel : public QWidget {
    Q_OBJECT
  public:
    explicit ExplanationPanel(QWidget* parent = nullptr);

    /// Shows a document's title, explanation and equation.
    void setDocument(const io::SceneDocument& doc);
    /// Marks the scene on screen as edited since it was loaded (or not).
    void setModified(bool modified);
    /// Lecture sizes (larger type, on top of lecture mode's larger application font).
    void setLarge(bool large);
    bool large() const { return large_; }
    /// Position in a playlist ("3 / 12"), empty to hide.
    void setPosition(const QString& text);

    QString titleText() const { return title_->text(); }
    /// What the reader sees (the rendered rich text as plain text).
    QString equationText() const;
    QString explanationText() const;

    /// A scene file's text as rich text: every character shown as written (a "<" or "&" is
    /// text), except the simple tags <b> <i> <br> the format allows; x^{…} and x_{…} become
    /// super- and subscripts, line breaks stay.
    static QString richText(const QString& text);
    /// What richText(text) reads as: the text without the markup.
    static QString readingOf(const QString& text);

    /// Lecture mode's type scale that makes the text fit the panel (1 = the full lecture size).
    double fit() const { return fit_; }

  protected:
    void resizeEvent(QResizeEvent* e) override;

  private:
    void applySizes(double fit = 1.0);
    void fitText();
    QWidget* inner_;
    QScrollArea* scroll_;
    QTimer fit_timer_;
    double fit_ = 1.0;

    QLabel* position_;
    QLabel* title_;
    QLabel* equation_;
    QLabel* text_;
    QLabel* modified_;
    bool large_ = false;
};

}  // namespace noether::gui

// A holder for a label whose text changes on every run (a read-out of numbers). A QLabel in a
// layout asks the whole dock to lay out again on every setText: with word-wrapped rich text that
// means shaping every wrapped label of the dock, a few milliseconds per slider change. In this
// box (no layout) a new text only repaints the label; the box asks for more room when the text
// needs more height than it has (and keeps it: heights only grow, so nothing jumps).
#pragma once

#include <QFont>
#include <QHash>
#include <QLabel>
#include <QWidget>

namespace noether::gui {

class SteadyBox : public QWidget {
    Q_OBJECT
  public:
    /// Takes `label` as its child.
    explicit SteadyBox(QLabel* label, QWidget* parent = nullptr);
    /// Sets the label's text (if different) and grows the box if it needs more height.
    void setText(const QString& text);
    QLabel* label() const { return label_; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool hasHeightForWidth() const override { return false; }

  protected:
    void resizeEvent(QResizeEvent* e) override;

  private:
    void refit();

    QLabel* label_;
    int reserved_ = 0;
    QHash<QString, int> measured_;  ///< height of each text shape (digits as 0) at measured_width_
    int measured_width_ = -1;
    QFont measured_font_;
};

}  // namespace noether::gui

// A read-out of rich text that changes on every run (numbers). A QLabel in a layout asks the
// whole dock to lay out again on every setText, and a QLabel with new rich text lays it out
// again while painting and asks for a second paint. This box holds one QTextDocument: a new
// text is laid out once, painted once, and never relays the dock; the box asks for more room
// when the text needs more height than it has (and keeps it: heights only grow, nothing jumps).
// Its text can be copied from its context menu.
#pragma once

#include <QTextDocument>
#include <QWidget>

namespace noether::gui {

class SteadyBox : public QWidget {
    Q_OBJECT
  public:
    explicit SteadyBox(QWidget* parent = nullptr);
    /// Sets the rich text (if different), lays it out at the box's width, grows if needed.
    void setText(const QString& html);
    QString text() const { return html_; }
    /// The text without markup (what "Copy" puts on the clipboard).
    QString plainText() const { return doc_.toPlainText(); }
    /// Height the current text needs at the current width.
    int neededHeight() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool hasHeightForWidth() const override { return false; }

  protected:
    void paintEvent(QPaintEvent* e) override;
    void resizeEvent(QResizeEvent* e) override;
    void changeEvent(QEvent* e) override;

  private:
    void refit();

    QString html_;
    QTextDocument doc_;
    int reserved_ = 0;
};

}  // namespace noether::gui

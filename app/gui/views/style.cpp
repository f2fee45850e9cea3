#include "gui/views/style.hpp"

#include <QApplication>

namespace noether::gui {

bool isDark(const QPalette& palette) {
    return palette.color(QPalette::Window).lightness() <
           palette.color(QPalette::WindowText).lightness();
}

void applyLectureAppFont() {
    QFont font = QApplication::font();
    if (font.pointSizeF() < 12.0) font.setPointSizeF(12.0);
    QApplication::setFont(font);
}

QFont lectureFont(double factor, bool bold) {
    QFont f = QApplication::font();
    f.setPointSizeF(f.pointSizeF() * factor);
    f.setBold(bold);
    return f;
}

QPalette darkPalette() {
    QPalette p;
    const QColor window(40, 42, 46), base(28, 30, 33), text(235, 235, 235);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Highlight, QColor(0x56, 0xB4, 0xE9));
    p.setColor(QPalette::HighlightedText, Qt::black);
    p.setColor(QPalette::PlaceholderText, QColor(150, 150, 150));
    return p;
}

}  // namespace noether::gui

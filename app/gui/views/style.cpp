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

}  // namespace noether::gui

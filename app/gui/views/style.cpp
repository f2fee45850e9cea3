#include "gui/views/style.hpp"

#include <QApplication>

namespace noether::gui {

bool isDark(const QPalette& palette) {
    return palette.color(QPalette::Window).lightness() <
           palette.color(QPalette::WindowText).lightness();
}

QFont lectureFont(double factor, bool bold) {
    QFont f = QApplication::font();
    f.setPointSizeF(f.pointSizeF() * factor);
    f.setBold(bold);
    return f;
}

}  // namespace noether::gui

#include "gui/panels/steady_box.hpp"

#include <QResizeEvent>
#include <algorithm>

namespace noether::gui {

SteadyBox::SteadyBox(QLabel* label, QWidget* parent) : QWidget(parent), label_(label) {
    label_->setParent(this);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    // Opaque: a new text repaints this box only, not the group box and the dock beneath it.
    setAutoFillBackground(true);
    reserved_ = label_->minimumHeight();
}

void SteadyBox::setText(const QString& text) {
    if (label_->text() == text) return;
    label_->setText(text);
    refit();
}

QSize SteadyBox::sizeHint() const {
    return {label_->sizeHint().width(), reserved_};
}

QSize SteadyBox::minimumSizeHint() const {
    return {label_->minimumSizeHint().width(), reserved_};
}

void SteadyBox::resizeEvent(QResizeEvent* e) {
    QWidget::resizeEvent(e);
    label_->setGeometry(rect());
    refit();
}

void SteadyBox::refit() {
    if (width() <= 0) return;
    // Measuring wrapped rich text lays it out (about half a millisecond for the read-out, twice per
    // slider change). Texts that differ only in their digits wrap alike (digits share one advance
    // width in text fonts), so each shape of text at each width is measured once.
    QString key = label_->text();
    for (QChar& c : key)
        if (c.isDigit()) c = u'0';
    if (width() != measured_width_ || label_->font() != measured_font_) {
        measured_.clear();
        measured_width_ = width();
        measured_font_ = label_->font();
    }
    auto it = measured_.constFind(key);
    if (it == measured_.constEnd()) {
        if (measured_.size() > 256) measured_.clear();
        it = measured_.insert(key, label_->hasHeightForWidth() ? label_->heightForWidth(width())
                                                               : label_->sizeHint().height());
    }
    const int need = *it;
    if (need > reserved_) {
        reserved_ = need;
        updateGeometry();
    }
}

}  // namespace noether::gui

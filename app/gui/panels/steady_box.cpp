#include "gui/panels/steady_box.hpp"

#include <QResizeEvent>
#include <algorithm>

namespace noether::gui {

SteadyBox::SteadyBox(QLabel* label, QWidget* parent) : QWidget(parent), label_(label) {
    label_->setParent(this);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
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
    const int need =
        label_->hasHeightForWidth() ? label_->heightForWidth(width()) : label_->sizeHint().height();
    if (need > reserved_) {
        reserved_ = need;
        updateGeometry();
    }
}

}  // namespace noether::gui

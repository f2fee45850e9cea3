#include "gui/panels/steady_box.hpp"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QPainter>
#include <QResizeEvent>
#include <algorithm>
#include <cmath>

namespace noether::gui {

SteadyBox::SteadyBox(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    // Opaque: a new text repaints this box only, not the group box and the dock beneath it.
    setAutoFillBackground(true);
    doc_.setDocumentMargin(0.0);
    doc_.setDefaultFont(font());
    auto* copy = new QAction(tr("Copy"), this);
    connect(copy, &QAction::triggered, this,
            [this] { QApplication::clipboard()->setText(plainText()); });
    addAction(copy);
    setContextMenuPolicy(Qt::ActionsContextMenu);
}

void SteadyBox::setText(const QString& html) {
    if (html == html_) return;
    html_ = html;
    doc_.setHtml(html);
    doc_.setTextWidth(width());
    refit();
    update();
}

int SteadyBox::neededHeight() const {
    return static_cast<int>(std::ceil(doc_.size().height()));
}

QSize SteadyBox::sizeHint() const {
    return {static_cast<int>(std::ceil(doc_.idealWidth())), std::max(reserved_, minimumHeight())};
}

QSize SteadyBox::minimumSizeHint() const {
    return {fontMetrics().averageCharWidth() * 12, std::max(reserved_, minimumHeight())};
}

void SteadyBox::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setPen(palette().color(QPalette::WindowText));  // drawContents takes the text colour from it
    doc_.drawContents(&p, rect());
}

void SteadyBox::resizeEvent(QResizeEvent* e) {
    QWidget::resizeEvent(e);
    doc_.setTextWidth(width());
    refit();
}

void SteadyBox::changeEvent(QEvent* e) {
    QWidget::changeEvent(e);
    if (e->type() == QEvent::FontChange) {
        doc_.setDefaultFont(font());
        doc_.setHtml(html_);  // fonts inside the markup follow the new default
        doc_.setTextWidth(width());
        refit();
    }
}

void SteadyBox::refit() {
    if (width() <= 0) return;
    const int need = neededHeight();
    if (need > reserved_) {
        reserved_ = need;
        updateGeometry();
    }
}

}  // namespace noether::gui

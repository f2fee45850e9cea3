#include "gui/panels/explanation_panel.hpp"

#include <QResizeEvent>
#include <QScrollArea>
#include <QVBoxLayout>
#include <algorithm>

#include "gui/figure/scene_text.hpp"
#include "gui/views/style.hpp"

namespace noether::gui {

ExplanationPanel::ExplanationPanel(QWidget* parent) : QWidget(parent) {
    position_ = new QLabel;
    position_->setVisible(false);
    title_ = new QLabel;
    title_->setTextFormat(Qt::PlainText);
    title_->setWordWrap(true);
    title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    equation_ = new QLabel;
    equation_->setWordWrap(true);
    equation_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    equation_->setFrameShape(QFrame::StyledPanel);
    equation_->setMargin(8);
    equation_->setToolTip(tr("The equation this scene illustrates (docs/PHYSICS.md)"));
    text_ = new QLabel;
    text_->setWordWrap(true);
    text_->setTextFormat(Qt::RichText);
    text_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    text_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    modified_ =
        new QLabel(tr("The scene was changed after it was loaded: the text describes "
                      "the scene as loaded."));
    modified_->setWordWrap(true);
    modified_->setVisible(false);

    inner_ = new QWidget;
    auto* inner = inner_;
    auto* lay = new QVBoxLayout(inner);
    lay->setContentsMargins(10, 6, 10, 6);
    lay->setSpacing(8);
    lay->addWidget(position_);
    lay->addWidget(title_);
    lay->addWidget(equation_);
    lay->addWidget(text_);
    lay->addWidget(modified_);
    lay->addStretch(1);
    scroll_ = new QScrollArea;
    auto* scroll = scroll_;
    scroll->setWidget(inner);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);
    setMinimumWidth(260);
    applySizes();
    setDocument(io::SceneDocument{});
    fit_timer_.setSingleShot(true);
    fit_timer_.setInterval(0);
    connect(&fit_timer_, &QTimer::timeout, this, &ExplanationPanel::fitText);
}

void ExplanationPanel::resizeEvent(QResizeEvent* e) {
    QWidget::resizeEvent(e);
    if (large_) fit_timer_.start();
}

void ExplanationPanel::fitText() {
    // Lecture mode: the whole text on the panel, never a scroll bar. The largest type, in 5 %
    // steps down to 60 % of the lecture size (still above the desk size), whose layout fits the
    // panel's height at its width.
    if (!large_) return;
    const int w = scroll_->viewport()->width(), h = scroll_->viewport()->height();
    if (w <= 0 || h <= 0) return;
    double fit = 1.0;
    for (; fit > 0.6; fit -= 0.05) {
        applySizes(fit);
        inner_->layout()->invalidate();  // its cached height-for-width is of the old type
        if (inner_->layout()->totalHeightForWidth(w) <= h) break;
    }
    if (fit <= 0.6) applySizes(0.6);
    fit_ = std::max(fit, 0.6);
}

QString ExplanationPanel::richText(const QString& text) {
    return figure::sceneRichText(text);
}

QString ExplanationPanel::readingOf(const QString& text) {
    return figure::sceneTextReading(text);
}

QString ExplanationPanel::equationText() const {
    return figure::renderedPlain(equation_->text());
}

QString ExplanationPanel::explanationText() const {
    return figure::renderedPlain(text_->text());
}

void ExplanationPanel::applySizes(double fit) {
    const double k = large_ ? 1.25 * fit : 1.0;
    title_->setFont(lectureFont(1.3 * k, true));
    QFont eq = lectureFont(1.25 * k);
    eq.setFamilies({"DejaVu Serif", "Noto Serif", "serif"});
    equation_->setFont(eq);
    text_->setFont(lectureFont(1.05 * k));
    modified_->setFont(lectureFont(0.95 * k));
    position_->setFont(lectureFont(0.95 * k, true));
}

void ExplanationPanel::setDocument(const io::SceneDocument& doc) {
    title_->setText(doc.title.isEmpty() ? tr("No scene file loaded") : doc.title);
    equation_->setTextFormat(Qt::RichText);
    equation_->setText(richText(doc.equation));
    equation_->setVisible(!doc.equation.isEmpty());
    text_->setText(doc.explanation.isEmpty() && doc.title.isEmpty()
                       ? tr("Open a scene (File → Open) or pick one of the presets (Presets menu): "
                            "each tells one lesson of the paper with its equation.")
                       : richText(doc.explanation));
    modified_->setVisible(false);
    if (large_) fit_timer_.start();
}

void ExplanationPanel::setModified(bool modified) {
    modified_->setVisible(modified);
}

void ExplanationPanel::setLarge(bool large) {
    if (large == large_) return;
    large_ = large;
    fit_ = 1.0;
    applySizes();
    if (large_) fit_timer_.start();
}

void ExplanationPanel::setPosition(const QString& text) {
    position_->setText(text);
    position_->setVisible(!text.isEmpty());
}

}  // namespace noether::gui

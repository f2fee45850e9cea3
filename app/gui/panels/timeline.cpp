#include "gui/panels/timeline.hpp"

#include <QHBoxLayout>
#include <QStyle>
#include <cmath>

#include "gui/views/style.hpp"

namespace noether::gui {

namespace {
// At 1x the whole run plays in 10 s.
constexpr double kRunSeconds = 10.0;
constexpr int kTickMs = 33;
}  // namespace

Timeline::Timeline(QWidget* parent) : QWidget(parent) {
    play_ = new QToolButton;
    play_->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    play_->setIconSize(QSize(28, 28));
    play_->setToolTip(tr("Play / pause (Ctrl+Space)"));
    play_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Space));
    slider_ = new QSlider(Qt::Horizontal);
    slider_->setRange(0, 1);
    slider_->setToolTip(
        tr("Current time: the marker on every view (arrows, PageUp/PageDown, "
           "Home/End)"));
    speed_ = new QComboBox;
    speed_->addItems({"0.25×", "0.5×", "1×", "2×", "4×"});
    speed_->setCurrentIndex(2);
    speed_->setToolTip(tr("Playback speed (1× plays the whole run in 10 s)"));
    window_ = new QComboBox;
    window_->setObjectName("window");
    window_->addItems({tr("charts: log time"), tr("charts: all steps"), tr("charts: first 10%"),
                       tr("charts: first 1%")});
    window_->setToolTip(
        tr("The stretch of time the charts show. Log time shows the fast "
           "transients of the first steps and the whole run at once."));
    label_ = new QLabel;
    label_->setFont(lectureFont(1.0));
    label_->setMinimumWidth(label_->fontMetrics().horizontalAdvance("n = 1000000   t = 1000.00") +
                            8);
    auto* lay = new QHBoxLayout(this);
    lay->setContentsMargins(4, 2, 4, 2);
    lay->addWidget(play_);
    lay->addWidget(slider_, 1);
    lay->addWidget(label_);
    lay->addWidget(speed_);
    lay->addWidget(window_);
    timer_.setInterval(kTickMs);
    connect(&timer_, &QTimer::timeout, this, &Timeline::tick);
    connect(play_, &QToolButton::clicked, this, &Timeline::togglePlay);
    connect(slider_, &QSlider::valueChanged, this, [this](int v) {
        updateLabel();
        emit indexChanged(v);
    });
    connect(window_, &QComboBox::currentIndexChanged, this,
            [this] { emit windowChanged(window()); });
    updateLabel();
}

double Timeline::window() const {
    static const double fractions[] = {0.0, 1.0, 0.1, 0.01};
    return fractions[std::clamp(window_->currentIndex(), 0, 3)];
}

void Timeline::setWindowChoiceVisible(bool visible) {
    window_->setVisible(visible);
}

void Timeline::setWindowIndex(int i) {
    window_->setCurrentIndex(i);
}

void Timeline::setRun(long steps, double eta) {
    steps_ = std::max<long>(steps, 1);
    eta_ = eta;
    const QSignalBlocker b(slider_);
    const long keep = pending_index_ >= 0 ? pending_index_ : slider_->value();
    pending_index_ = -1;
    slider_->setRange(0, static_cast<int>(steps_));
    slider_->setPageStep(static_cast<int>(std::max<long>(1, steps_ / 20)));
    slider_->setSingleStep(static_cast<int>(std::max<long>(1, steps_ / 1000)));
    slider_->setValue(static_cast<int>(std::min(keep, steps_)));
    updateLabel();
}

void Timeline::setIndex(long index) {
    slider_->setValue(static_cast<int>(std::clamp<long>(index, 0, steps_)));
}

void Timeline::togglePlay() {
    if (timer_.isActive()) {
        timer_.stop();
        play_->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    } else {
        if (slider_->value() >= steps_) slider_->setValue(0);
        carry_ = 0.0;
        timer_.start();
        play_->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
    }
}

void Timeline::tick() {
    static const double speeds[] = {0.25, 0.5, 1.0, 2.0, 4.0};
    const double speed = speeds[std::clamp(speed_->currentIndex(), 0, 4)];
    carry_ += speed * static_cast<double>(steps_) * kTickMs / (1000.0 * kRunSeconds);
    const long advance = static_cast<long>(carry_);
    carry_ -= static_cast<double>(advance);
    if (advance == 0) return;
    const long next = slider_->value() + advance;
    if (next >= steps_) {
        slider_->setValue(static_cast<int>(steps_));
        togglePlay();
    } else {
        slider_->setValue(static_cast<int>(next));
    }
}

void Timeline::updateLabel() {
    const long n = slider_->value();
    label_->setText(tr("n = %1   t = %2").arg(n).arg(static_cast<double>(n) * eta_, 0, 'f', 2));
}

}  // namespace noether::gui

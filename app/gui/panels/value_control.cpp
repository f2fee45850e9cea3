#include "gui/panels/value_control.hpp"

#include <QHBoxLayout>
#include <QLineEdit>
#include <cmath>

namespace noether::gui {

SciSpinBox::SciSpinBox(QWidget* parent) : QDoubleSpinBox(parent) {
    setDecimals(12);
    setKeyboardTracking(false);
    setAccelerated(true);
}

void SciSpinBox::setLogStepping(bool log, bool zero_allowed, double log_min) {
    log_ = log;
    zero_ = zero_allowed;
    log_min_ = log_min;
}

QString SciSpinBox::textFromValue(double v) const {
    return QString::number(v, 'g', digits_);
}

double SciSpinBox::valueFromText(const QString& text) const {
    return text.trimmed().toDouble();
}

QValidator::State SciSpinBox::validate(QString& text, int&) const {
    const QString t = text.trimmed();
    if (t.isEmpty() || t == "-" || t == "+" || t.endsWith('e') || t.endsWith('E') ||
        t.endsWith("e-") || t.endsWith("E-") || t == ".")
        return QValidator::Intermediate;
    bool ok = false;
    const double v = t.toDouble(&ok);
    if (!ok) return QValidator::Invalid;
    return (v >= minimum() && v <= maximum()) ? QValidator::Acceptable : QValidator::Intermediate;
}

void SciSpinBox::stepBy(int steps) {
    if (!log_) {
        QDoubleSpinBox::stepBy(steps);
        return;
    }
    double v = value();
    if (v <= 0.0 && zero_) {
        if (steps > 0) setValue(log_min_);
        emit editingFinished();
        return;
    }
    v *= std::pow(10.0, steps / 10.0);
    if (zero_ && v < log_min_) v = 0.0;
    setValue(std::clamp(v, minimum(), maximum()));
    emit editingFinished();
}

ValueControl::ValueControl(double lo, double hi, Scale scale, int significant, QWidget* parent)
    : QWidget(parent), lo_(lo), hi_(hi), scale_(scale), significant_(significant) {
    slider_ = new QSlider(Qt::Horizontal);
    slider_->setRange(0, kSteps);
    slider_->setSingleStep(5);
    slider_->setPageStep(50);
    slider_->setMinimumWidth(70);
    slider_->setFocusPolicy(Qt::StrongFocus);
    spin_ = new SciSpinBox;
    spin_->setRange(scale == Scale::LogWithZero ? 0.0 : lo, hi);
    spin_->setLogStepping(scale != Scale::Linear, scale == Scale::LogWithZero, lo);
    if (scale == Scale::Linear) spin_->setSingleStep((hi - lo) / 100.0);
    // Wide enough for the widest value six significant digits give ("-0.000123457"), in the
    // font it is shown in, plus the arrows and frame: 84..110 px cut "0.0011…" at 12 pt.
    const int text = spin_->fontMetrics().horizontalAdvance(QStringLiteral("-0.000123457"));
    spin_->setMinimumWidth(text + 40);
    spin_->setMaximumWidth(text + 56);
    auto* lay = new QHBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    lay->setSpacing(6);
    lay->addWidget(slider_, 1);
    lay->addWidget(spin_);
    connect(slider_, &QSlider::valueChanged, this, [this](int pos) {
        const double v = fromSlider(pos);
        if (v == value_) return;
        value_ = v;
        const QSignalBlocker b(spin_);
        spin_->setValue(v);
        emit valueEdited(v);
    });
    connect(spin_, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        if (integer_) v = std::round(v);
        if (v == value_) return;
        value_ = v;
        const QSignalBlocker b(slider_);
        slider_->setValue(toSlider(v));
        emit valueEdited(v);
    });
    connect(slider_, &QSlider::sliderPressed, this, &ValueControl::gestureStarted);
    connect(slider_, &QSlider::sliderReleased, this, &ValueControl::gestureFinished);
}

void ValueControl::setInteger(bool on) {
    integer_ = on;
    spin_->setDecimals(on ? 0 : 12);
}

void ValueControl::setToolTips(const QString& tip) {
    setToolTip(tip);
    slider_->setToolTip(tip);
    spin_->setToolTip(tip);
}

double ValueControl::rounded(double v) const {
    if (v == 0.0 || !std::isfinite(v)) return v;
    if (integer_) return std::round(v);
    const double p = std::pow(10.0, std::floor(std::log10(std::abs(v))) - (significant_ - 1));
    return std::round(v / p) * p;
}

double ValueControl::fromSlider(int pos) const {
    const double f = static_cast<double>(pos) / kSteps;
    switch (scale_) {
        case Scale::Linear:
            return std::clamp(rounded(lo_ + f * (hi_ - lo_)), lo_, hi_);
        case Scale::Log:
            return std::clamp(rounded(lo_ * std::pow(hi_ / lo_, f)), lo_, hi_);
        case Scale::LogWithZero: {
            if (pos == 0) return 0.0;
            const double g = static_cast<double>(pos - 1) / (kSteps - 1);
            return std::clamp(rounded(lo_ * std::pow(hi_ / lo_, g)), lo_, hi_);
        }
    }
    return lo_;
}

int ValueControl::toSlider(double v) const {
    double f = 0.0;
    switch (scale_) {
        case Scale::Linear:
            f = (v - lo_) / (hi_ - lo_);
            break;
        case Scale::Log:
            f = std::log(std::max(v, lo_) / lo_) / std::log(hi_ / lo_);
            break;
        case Scale::LogWithZero:
            if (v <= 0.0) return 0;
            return 1 + static_cast<int>(std::lround(
                           std::clamp(std::log(std::max(v, lo_) / lo_) / std::log(hi_ / lo_), 0.0,
                                      1.0) *
                           (kSteps - 1)));
    }
    return static_cast<int>(std::lround(std::clamp(f, 0.0, 1.0) * kSteps));
}

void ValueControl::setValue(double v) {
    // Re-setting the shown value would repaint slider and spin box on every scene change.
    if (shown_once_ && v == value_) return;
    shown_once_ = true;
    value_ = v;
    const QSignalBlocker a(slider_), b(spin_);
    slider_->setValue(toSlider(v));
    spin_->setValue(v);
}

}  // namespace noether::gui

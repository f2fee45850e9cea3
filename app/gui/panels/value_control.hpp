// A slider paired with a spin box for one number: linear, logarithmic, or logarithmic with an
// exact zero at the left end (weight decay). The slider gives speed (keyboard: arrows,
// PageUp/PageDown, Home/End), the spin box exact values. Emits only on user edits.
#pragma once

#include <QDoubleSpinBox>
#include <QSlider>
#include <QWidget>

namespace noether::gui {

/// A QDoubleSpinBox that shows numbers in %g form and steps by a factor on log scales.
class SciSpinBox : public QDoubleSpinBox {
    Q_OBJECT
  public:
    explicit SciSpinBox(QWidget* parent = nullptr);
    void setLogStepping(bool log, bool zero_allowed, double log_min);
    /// Digits shown (the value itself keeps full precision).
    void setSignificantDigits(int digits) { digits_ = digits; }
    QString textFromValue(double v) const override;
    double valueFromText(const QString& text) const override;
    QValidator::State validate(QString& text, int& pos) const override;
    void stepBy(int steps) override;

  private:
    bool log_ = false;
    bool zero_ = false;
    double log_min_ = 1e-6;
    int digits_ = 6;
};

/// Slider + spin box.
class ValueControl : public QWidget {
    Q_OBJECT
  public:
    enum class Scale { Linear, Log, LogWithZero };
    ValueControl(double lo, double hi, Scale scale, int significant = 3, QWidget* parent = nullptr);

    double value() const { return value_; }
    /// Sets the value without emitting.
    void setValue(double v);
    /// Integer mode (steps): spin box shows no decimals.
    void setInteger(bool on);
    void setToolTips(const QString& tip);
    QSlider* slider() const { return slider_; }
    QDoubleSpinBox* spinBox() const { return spin_; }

  signals:
    /// The user changed the value (slider or spin box).
    void valueEdited(double value);
    /// The slider was pressed / released (undo merging).
    void gestureStarted();
    void gestureFinished();

  private:
    double fromSlider(int pos) const;
    int toSlider(double v) const;
    double rounded(double v) const;

    QSlider* slider_;
    SciSpinBox* spin_;
    double lo_, hi_;
    Scale scale_;
    int significant_;
    bool integer_ = false;
    double value_ = 0.0;
    bool shown_once_ = false;  ///< setValue has put a value on screen
    static constexpr int kSteps = 1000;
};

}  // namespace noether::gui

// The loss f(q(t)) of every model on a log axis, and, for scale-symmetric losses, the implicit
// adaptive learning rate eta/|q|^2 beside the Eq. 17 prediction and RMSProp's eta/(sqrt G + eps)
// (PHYSICS.md §1.3, Eq. 17 and Eq. 18).
#pragma once

#include <array>

#include "gui/views/time_chart.hpp"

namespace noether::gui {

/// Loss against time.
class LossChart : public TimeChart {
    Q_OBJECT
  public:
    explicit LossChart(QWidget* parent = nullptr);
    void setRun(std::shared_ptr<const Run> run, quint64 gen) override;
    void applyTheme(bool dark) override;
    int pointCount(Model model) const;

  private:
    std::array<QLineSeries*, kModelCount> loss_{};
    std::vector<double> shifted_[kModelCount];
};

/// Effective learning rate against time (scale-symmetric losses).
class EffectiveLrChart : public TimeChart {
    Q_OBJECT
  public:
    explicit EffectiveLrChart(QWidget* parent = nullptr);
    void setRun(std::shared_ptr<const Run> run, quint64 gen) override;
    void applyTheme(bool dark) override;
    /// True if the run's loss has a scale symmetry (the chart has something to show).
    static bool applies(const Run& run);

  protected:
    void fixLegend() override;

  private:
    std::array<QLineSeries*, kModelCount> elr_{};
    QLineSeries* eq17_ = nullptr;
    QLineSeries* rms_ = nullptr;
};

/// |q|² against time with Eq. 17 and Eq. 16 (scale-symmetric losses): the growth that kinetic
/// symmetry breaking causes, drawn as its own curve.
class NormChart : public TimeChart {
    Q_OBJECT
  public:
    explicit NormChart(QWidget* parent = nullptr);
    void setRun(std::shared_ptr<const Run> run, quint64 gen) override;
    void applyTheme(bool dark) override;

  protected:
    void fixLegend() override;

  private:
    std::array<QLineSeries*, kModelCount> r2_{};
    QLineSeries* eq17_ = nullptr;
    QLineSeries* eq16_ = nullptr;
};

}  // namespace noether::gui

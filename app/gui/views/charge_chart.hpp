// Noether charges J(t) = m<q', xi(q)> of one generator for every model, the closed-form law
// dashed (J_rotation_law, J_translation_law: PHYSICS.md §1.2, §2.2, §2.3) and, on demand, the
// four terms of its budget J' = -(mu/m)J + m<q', S q'> - k<q, xi> - L_xi f (§1.1, §2.1).
#pragma once

#include <QCheckBox>
#include <QComboBox>
#include <array>

#include "gui/views/time_chart.hpp"

namespace noether::gui {

/// The charges panel.
class ChargeChart : public TimeChart {
    Q_OBJECT
  public:
    explicit ChargeChart(QWidget* parent = nullptr);
    void setRun(std::shared_ptr<const Run> run, quint64 gen) override;
    void applyTheme(bool dark) override;
    /// Shows or hides the budget terms.
    void setBudgetVisible(bool on);
    bool budgetVisible() const { return budget_->isChecked(); }
    /// Number of points currently in the charge series of a model (tests).
    int pointCount(Model model) const;

  private:
    void rebuild();
    void updateGenerators();

    std::shared_ptr<const Run> run_;
    quint64 gen_ = 0;
    QComboBox* generator_;
    QCheckBox* budget_;
    std::array<QLineSeries*, kModelCount> J_{};
    std::array<QLineSeries*, kModelCount> law_{};
    std::array<QLineSeries*, 4> terms_{};  ///< the budget's four terms
    std::string loss_key_;
    QString chart_view_tip_;  ///< what each drawn law is and where it holds
};

}  // namespace noether::gui

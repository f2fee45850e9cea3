// Phase portrait: a symmetry-reduced coordinate against its rate (r vs r′, θ vs θ′, X vs X′,
// D vs D′) or any q_i vs v_i, one curve per model, the current point of each, and the vector
// field of the reduced dynamics where it closes on its own (noether/phase.hpp).
#pragma once

#include <QComboBox>
#include <QGraphicsItem>
#include <QScatterSeries>
#include <array>
#include <vector>

#include "gui/views/chart_panel.hpp"
#include "noether/phase.hpp"

namespace noether::gui {

/// Arrows of a phase-plane vector field, drawn in the chart's plot area.
class FieldItem : public QGraphicsItem {
  public:
    explicit FieldItem(QChart* chart);
    void setArrows(std::vector<PhaseArrow> arrows, const QColor& color);
    QRectF boundingRect() const override;
    void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override;

  private:
    QChart* chart_;
    std::vector<PhaseArrow> arrows_;
    QColor color_;
};

/// The phase-portrait panel.
class PhaseChart : public ChartPanel {
    Q_OBJECT
  public:
    explicit PhaseChart(QWidget* parent = nullptr);
    void setRun(std::shared_ptr<const Run> run, quint64 gen) override;
    void setTimeIndex(long index) override;
    void setTimeWindow(double fraction) override;
    void applyTheme(bool dark) override;
    /// Selects a coordinate by id ("radius", "angle", "translation", "rescale", "q1", ...).
    void setCoordinate(const QString& id);
    /// True if the vector field is shown.
    bool fieldShown() const { return field_shown_; }
    int pointCount(Model model) const;
    /// The coordinate shown, or nullptr before the first run.
    const PhaseCoordinate* coordinate() const;

  protected:
    void fixLegend() override;

  private:
    void updateCoordinates();
    void rebuild();
    void updateMarkers();

    std::shared_ptr<const Run> run_;
    quint64 gen_ = 0;
    QComboBox* coordinate_;
    std::vector<PhaseCoordinate> coords_;
    std::string loss_key_;
    QString wanted_id_;
    QValueAxis* x_axis_;
    QValueAxis* y_axis_;
    RangeKeeper xr_, yr_;
    std::array<QLineSeries*, kModelCount> curve_{};
    std::array<QScatterSeries*, kModelCount> now_{};
    std::array<PhaseCurve, kModelCount> data_{};
    std::vector<PhaseCurve> ghost_data_;  ///< per ghost run drawn
    FieldItem* field_;
    bool field_shown_ = false;
    long time_index_ = 0;
};

}  // namespace noether::gui

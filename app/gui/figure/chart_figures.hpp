// The charts of a figure as plot specifications, with the series the screen's charts show
// (gui/views/charge_chart, phase_chart, loss_chart): Noether charges J(t) with the closed-form
// law and, on demand, the budget terms (PHYSICS.md §1.1, §2.1); the phase portrait of a
// symmetry-reduced coordinate with its vector field where it closes (§1.2, §1.3); the loss on a
// log axis; the effective learning rate η/|q|² beside Eq. 17 and RMSProp's η/√G (Eq. 17, 18).
// Ghost runs (view.compare) are drawn dotted beside the scene's own models.
#pragma once

#include "gui/figure/figure_data.hpp"
#include "gui/figure/plot.hpp"

namespace noether::figure {

/// Noether charges of the first generator.
PlotSpec chargeSpec(const FigureData& data, const FigureOptions& opt, const Theme& theme,
                    int columns);
/// Phase portrait of view.phase (or the first reduced coordinate).
PlotSpec phaseSpec(const FigureData& data, const FigureOptions& opt, const Theme& theme);
/// Loss against the step, log axis.
PlotSpec lossSpec(const FigureData& data, const FigureOptions& opt, const Theme& theme,
                  int columns);
/// Effective learning rate against the step (scale-symmetric losses).
PlotSpec effectiveLrSpec(const FigureData& data, const FigureOptions& opt, const Theme& theme,
                         int columns);
/// |q|² of every model with Eq. 17 and Eq. 16 where they apply (scale-symmetric losses).
PlotSpec normSpec(const FigureData& data, const FigureOptions& opt, const Theme& theme,
                  int columns);
/// True if the run's loss has a scale symmetry (the effective learning rate applies).
bool effectiveLrApplies(const Run& run);

}  // namespace noether::figure

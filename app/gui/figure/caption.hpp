// The caption of a figure, generated from the scene itself (loss, hyperparameters, start,
// length, models and their colours, ghost runs, divergence), so that text and figure cannot
// disagree. Example: "rotation_hat (ε = 0), SGD η = 0.01, β = 0.9, k = 0, 10⁴ steps from
// q₀ = (0.6, 0.5); discrete (vermilion), implicit-acceleration ODE (blue), gradient flow
// (green, dashed)."
#pragma once

#include <QString>

#include "gui/figure/figure_data.hpp"

namespace noether::figure {

/// The loss with its parameters and ε, e.g. "scale_cos (θ* = 0.3, ε = 0)".
QString lossSummary(const Scene& scene);
/// The learning rule and its hyperparameters, e.g. "SGD η = 0.01, β = 0.9, k = 0".
QString ruleSummary(const Scene& scene);
/// The number of steps, e.g. "10⁴ steps", "300 steps".
QString stepsSummary(long steps);
/// The models with their colours in a palette, e.g. "discrete (vermilion), gradient flow
/// (green, dashed)".
QString modelsSummary(const Scene& scene, bool dark);
/// The whole caption (title first when the scene has one).
QString figureCaption(const FigureData& data, Palette palette);

}  // namespace noether::figure

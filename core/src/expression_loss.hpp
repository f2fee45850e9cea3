// Internal: typed losses (name "expr"), parsed and differentiated symbolically.
#pragma once

#include <memory>

#include "noether/loss.hpp"

namespace noether {

/// Builds a loss from spec.expr; errors name the position and the problem.
Result<std::shared_ptr<const Loss>> make_expression_loss(const LossSpec& spec);

}  // namespace noether

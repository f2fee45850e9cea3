// Losses typed by the user (issue 5): an expression in q1..qn with named constants, parsed and
// differentiated symbolically and compiled to a flat tape. The loss itself comes from
// make_loss({.name = "expr", .expr = ...}); this header describes the language, its limits and
// examples, and checks derivatives against finite differences (PHYSICS.md §5 checks them too).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "noether/loss.hpp"
#include "noether/types.hpp"

namespace noether {

/// Largest number of parameters q1..qn of a typed loss.
inline constexpr int kMaxExpressionDim = 8;
/// Longest accepted expression, in characters.
inline constexpr std::size_t kMaxExpressionLength = 4000;
/// Deepest accepted nesting of parentheses, calls, signs and powers.
inline constexpr int kMaxExpressionDepth = 64;
/// Largest product of nested numeric exponents, e.g. ((q1^10)^10)^10 = 1000 is fine.
inline constexpr double kMaxExpressionExponent = 10000;

/// A function an expression may call.
struct ExpressionFunction {
    std::string name;  ///< e.g. "softplus"
    int arity = 1;     ///< number of arguments
    std::string doc;   ///< one line, e.g. "log(1 + e^x), computed stably"
};
/// Every function of the expression language, in a fixed order.
const std::vector<ExpressionFunction>& expression_functions();

/// A ready-made typed loss (for the loss editor and the docs).
struct ExpressionExample {
    std::string title;                        ///< e.g. "Mexican hat (= rotation_hat)"
    std::string expr;                         ///< the expression
    std::map<std::string, double> constants;  ///< its constants, including eps
    std::vector<double> q0;                   ///< a good start point
};
/// A few example expressions, including typed versions of the built-in losses.
const std::vector<ExpressionExample>& expression_examples();

/// The 1-based character position named by an expression Error ("at position P: ..."), or 0.
int expression_error_position(const Error& error);

/// Compares the loss's gradient and Hessian with central finite differences of its value and
/// gradient at q. Points where the differences are not self-consistent (kinks, poles, overflow)
/// are not judged. The Error (field "expr") says which derivative disagrees, and by how much.
Status check_derivatives(const Loss& loss, VecRef q);

}  // namespace noether

// libFuzzer target for the typed-loss expression parser (issue 5): any input is either refused
// with an Error{"expr", "at position P: ..."} whose position lies inside the text, or accepted
// as a loss whose value, gradient and Hessian can be evaluated. Nothing may crash, hang or trip
// a sanitizer. The same entry point is replayed under GoogleTest (test_fuzz_replay.cpp).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "expression_loss.hpp"
#include "noether/expression.hpp"
#include "noether/loss.hpp"

namespace {

// A violated invariant is a finding: abort so the fuzzer records the input.
void require(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace noether;
    LossSpec spec;
    spec.name = "expr";
    spec.expr.assign(reinterpret_cast<const char*>(data), size);
    spec.constants = {{"c", 1.5}, {"eps", 0.1}};
    auto loss = make_expression_loss(spec);
    if (!loss) {
        const Error& e = loss.error();
        require(!e.message.empty());
        if (e.field == "expr") {
            const int pos = expression_error_position(e);
            // Parse errors point inside the text (or just past its end); later checks say 1.
            if (e.message.rfind("at position ", 0) == 0)
                require(pos >= 1 && static_cast<size_t>(pos) <= size + 1);
        }
        return 0;
    }
    const Loss& f = **loss;
    require(f.dim() >= 1 && f.dim() <= kMaxExpressionDim);
    require(f.generators().empty());
    for (double x : {0.5, -1.25, 3.0}) {
        const Vector q = Vector::Constant(f.dim(), x);
        (void)f.value(q);
        const Vector g = f.gradient(q);
        const Matrix H = f.hessian(q);
        require(g.size() == f.dim() && H.rows() == f.dim() && H.cols() == f.dim());
        // The Hessian is symmetric by construction.
        for (int i = 0; i < f.dim(); ++i)
            for (int j = 0; j < i; ++j)
                require(H(i, j) == H(j, i) || (H(i, j) != H(i, j) && H(j, i) != H(j, i)));
    }
    return 0;
}

// Internal pieces of simulate() shared by the model kernels (run.cpp, continuous_models.cpp):
// per-sample recording, the generators as fixed-size kernels, messages.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "noether/flow.hpp"
#include "noether/run.hpp"

namespace noether::detail {

// Counts a model's finished samples into RunControl::done, one atomic add per 4096 samples;
// a model that ends early (diverged, cancelled) counts as done when it ends.
class ProgressCounter {
  public:
    ProgressCounter(std::atomic<long>* done, long count) : done_(done), count_(count) {}
    ProgressCounter(const ProgressCounter&) = delete;
    ProgressCounter& operator=(const ProgressCounter&) = delete;
    ~ProgressCounter() {
        if (done_) done_->fetch_add(count_ - reported_, std::memory_order_relaxed);
    }
    void samples(long kept) {
        if (done_ && kept - reported_ >= 4096) {
            done_->fetch_add(kept - reported_, std::memory_order_relaxed);
            reported_ = kept;
        }
    }

  private:
    std::atomic<long>* done_;
    long count_;
    long reported_ = 0;
};

inline std::string divergence_message(long step, double norm) {
    char buf[96];
    if (std::isfinite(norm))
        std::snprintf(buf, sizeof buf, "diverged at step %ld (|q| = %.3g)", step, norm);
    else
        std::snprintf(buf, sizeof buf, "diverged at step %ld (|q| is not finite)", step);
    return buf;
}

// f(i) = g(i) for i = 0..n-1 where g(a + b) = g(a) g(b) (powers, exponentials): the products of
// two tables of about sqrt(n) exact values, within two roundings of g(i) itself, for 2 sqrt(n)
// calls of pow or exp instead of n.
template <class G>
std::vector<double> exponential_table(long n, G g) {
    constexpr long kBlock = 128;
    std::vector<double> lo(kBlock), out(static_cast<size_t>(std::max<long>(n, 0)));
    for (long b = 0; b < kBlock; ++b)
        lo[b] = g(static_cast<double>(b));
    for (long a = 0; a * kBlock < n; ++a) {
        const double hi = g(static_cast<double>(a * kBlock));
        for (long b = 0; b < kBlock && a * kBlock + b < n; ++b)
            out[a * kBlock + b] = hi * lo[b];
    }
    return out;
}

// Resizes every per-sample array to `count` samples.
inline void reserve_samples(Trajectory& tr, const Loss& loss, long count, bool budget) {
    const auto n = loss.dim();
    tr.q.resize(n, count);
    tr.v.resize(n, count);
    tr.loss.reserve(count);
    tr.grad_norm.reserve(count);
    tr.r2.reserve(count);
    for (const auto& g : loss.generators()) {
        ChargeSeries c;
        c.generator = g.name;
        c.J.reserve(count);
        if (budget) {
            c.damping.reserve(count);
            c.kinetic.reserve(count);
            c.weight_decay.reserve(count);
            c.explicit_breaking.reserve(count);
        }
        tr.charges.push_back(std::move(c));
    }
}

// Cuts every array to the first `count` samples.
inline void truncate(Trajectory& tr, long count) {
    const auto n = tr.q.rows();
    tr.q.conservativeResize(n, count);
    tr.v.conservativeResize(n, count);
    tr.loss.resize(count);
    tr.grad_norm.resize(count);
    tr.r2.resize(count);
    for (auto& c : tr.charges) {
        c.J.resize(std::min<size_t>(c.J.size(), count));
        for (auto* v : {&c.damping, &c.kinetic, &c.weight_decay, &c.explicit_breaking})
            if (!v->empty()) v->resize(std::min<size_t>(v->size(), count));
    }
}

// Sample i: q, v, f(q), |grad f(q)| (grad given) and |q|^2 (fixed- or dynamic-size vectors).
template <class Q, class V, class G>
void record_point(Trajectory& tr, const Loss& loss, long i, const Q& q, const V& v, const G& grad) {
    tr.q.col(i) = q;
    tr.v.col(i) = v;
    tr.loss.push_back(loss.value(q));
    tr.grad_norm.push_back(grad.norm());
    tr.r2.push_back(q.squaredNorm());
}

// The loss's generators xi(q) = A q + b and their S, as N x N / N vectors for the kernels below.
template <int N>
struct GeneratorKernels {
    std::vector<Eigen::Matrix<double, N, N>> A, S;
    std::vector<Eigen::Matrix<double, N, 1>> b;
    explicit GeneratorKernels(const Loss& loss) {
        for (const auto& gen : loss.generators()) {
            A.push_back(gen.A);
            b.push_back(gen.b);
            S.push_back(gen.S());
        }
    }
};

// A continuous model's integrator stopped before the last sample. A state that is no longer
// finite after |q| had grown far beyond its start is the model's own blow-up between two
// samples (a divergence); anything else is the integrator's failure, said as such.
inline void record_integrator_failure(Trajectory& tr, const IntegrationReport& rep, const Scene& sc,
                                      double last_norm) {
    if (rep.ok || tr.diverged) return;
    const long at = rep.last_sample + 1;
    char buf[256];
    const bool blow_up = rep.message.rfind("the solution is not finite", 0) == 0 &&
                         last_norm > 1e4 * std::max(1.0, static_cast<double>(sc.q0.norm()));
    if (blow_up) {
        tr.diverged = true;
        tr.diverged_at = at;
        std::snprintf(buf, sizeof buf,
                      "diverged at step %ld (|q| = %.3g at the last sample, then not finite)", at,
                      last_norm);
    } else {
        tr.integration_failed = true;
        tr.failed_at = at;
        std::snprintf(buf, sizeof buf,
                      "integrator stopped at step %ld (t = %.6g): %s; the model has not "
                      "diverged, the samples before it are shown",
                      at, rep.failed_t, rep.message.c_str());
    }
    tr.message = buf;
}

/// The closed-form laws and derived series of a trajectory (predictions.cpp).
void add_predictions(const Scene& sc, const Loss& loss, Trajectory& tr);
/// Those of a scale symmetry: Eq. 16/17, effective learning rates, the RMSProp-norm analogy.
void add_scale_predictions(const Scene& sc, const Loss& loss, Trajectory& tr, bool broken);

// The first and last n coefficients of a state vector, fixed-size when N is.
template <int N, class V>
auto head_n(V&& v, Eigen::Index n) {
    if constexpr (N == Eigen::Dynamic)
        return v.head(n);
    else
        return v.template head<N>();
}
template <int N, class V>
auto tail_n(V&& v, Eigen::Index n) {
    if constexpr (N == Eigen::Dynamic)
        return v.tail(n);
    else
        return v.template tail<N>();
}

}  // namespace noether::detail

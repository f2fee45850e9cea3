// Adaptive Dormand-Prince 5(4) (Hairer, Norsett & Wanner, "Solving ODEs I", II.5), landing
// exactly on the sample times n*dt, with Hairer's DOPRI5 step-size control and dense output.
// Internal: a template on the state size S (Eigen::Dynamic for integrate_dopri5; fixed sizes for
// the 2-D kernels of run.cpp), the right-hand side and the sink, with the same operations in the
// same order for every S, so every instance gives the same bits.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "noether/flow.hpp"
#include "stiff_bdf.hpp"

namespace noether::detail {

// Dormand-Prince coefficients.
inline constexpr double c2 = 1.0 / 5, c3 = 3.0 / 10, c4 = 4.0 / 5, c5 = 8.0 / 9;
inline constexpr double a21 = 1.0 / 5;
inline constexpr double a31 = 3.0 / 40, a32 = 9.0 / 40;
inline constexpr double a41 = 44.0 / 45, a42 = -56.0 / 15, a43 = 32.0 / 9;
inline constexpr double a51 = 19372.0 / 6561, a52 = -25360.0 / 2187, a53 = 64448.0 / 6561,
                        a54 = -212.0 / 729;
inline constexpr double a61 = 9017.0 / 3168, a62 = -355.0 / 33, a63 = 46732.0 / 5247,
                        a64 = 49.0 / 176, a65 = -5103.0 / 18656;
inline constexpr double a71 = 35.0 / 384, a73 = 500.0 / 1113, a74 = 125.0 / 192,
                        a75 = -2187.0 / 6784, a76 = 11.0 / 84;
inline constexpr double e1 = 71.0 / 57600, e3 = -71.0 / 16695, e4 = 71.0 / 1920,
                        e5 = -17253.0 / 339200, e6 = 22.0 / 525, e7 = -1.0 / 40;
// Dense output coefficients (Hairer's CONTD5).
inline constexpr double d1 = -12715105075.0 / 11282082432.0, d3 = 87487479700.0 / 32700410799.0,
                        d4 = -10690763975.0 / 1880347072.0, d5 = 701980252875.0 / 199316789632.0,
                        d6 = -1453857185.0 / 822651844.0, d7 = 69997945.0 / 29380423.0;

inline constexpr const char* kCostMessage =
    "cost budget exhausted: the model's right-hand side is stiff or not smooth here";

template <int S, class Rhs, class Sink>
IntegrationReport dopri5(Rhs&& rhs, const Eigen::Matrix<double, S, 1>& y0, double dt, long samples,
                         const IntegratorOptions& opt, Sink&& sink) {
    using State = Eigen::Matrix<double, S, 1>;
    IntegrationReport rep;
    const auto n = y0.size();
    State y = y0, ynew = State::Zero(n), k1 = State::Zero(n), k2 = State::Zero(n),
          k3 = State::Zero(n), k4 = State::Zero(n), k5 = State::Zero(n), k6 = State::Zero(n),
          k7 = State::Zero(n), tmp = State::Zero(n), err = State::Zero(n);
    State r2 = State::Zero(n), r3 = State::Zero(n), r4 = State::Zero(n), r5 = State::Zero(n),
          ys = State::Zero(n);
    if (samples <= 0) return rep;
    rep.last_sample = 0;
    if (!sink(0, y)) return rep;
    const double t_end = static_cast<double>(samples - 1) * dt;
    double t = 0.0;
    long next = 1;  // next sample to deliver
    rhs(t, y, k1);
    ++rep.evaluations;
    // Initial step: a fraction of the state's time scale, at most one sample spacing.
    double h = dt;
    {
        const double d0 = y.norm(), d1 = k1.norm();
        if (d1 > 0.0 && d0 > 0.0) h = std::min(dt, 0.01 * d0 / d1);
        h = std::max(h, 1e-6 * dt);
    }
    const double fac_min = 0.2, fac_max = 5.0, safety = 0.9;
    // The smallest step that still moves t: below it the integration cannot progress.
    auto too_small = [dt](double step, double at) {
        return step <= 4.0 * std::numeric_limits<double>::epsilon() * std::max(std::abs(at), dt);
    };
    auto fail = [&rep, &t](const char* why) {
        rep.ok = false;
        rep.failed_t = t;
        rep.message = why;
        return rep;
    };
    long interval_steps = 0, interval_stiff = 0;  // since the last delivered sample
    const long stiff_total_budget = opt.stiff_budget_base + opt.stiff_budget_per_sample * samples;
    const long evaluation_budget = opt.evaluation_base + opt.evaluation_per_sample * samples;
    while (next < samples) {
        // A model whose step size stability holds far below the sample spacing for a long time
        // (an adaptive rule's preconditioned flow near its minimum, where g/sqrt(s) turns
        // sign-like) cannot be followed by an explicit method at a bounded cost: say so, as an
        // integrator failure, and keep the samples before it.
        if ((interval_steps > opt.stiff_interval_budget && 2 * interval_stiff > interval_steps) ||
            rep.stiff_steps > stiff_total_budget) {
            // Stiff: the rest goes to the implicit BDF integrator, from the last accepted state.
            State yi = State::Zero(n), dyi = State::Zero(n), ys_out = State::Zero(n);
            const RawRhs raw_rhs = [&](double ti, const double* yr, double* dyr) {
                for (Eigen::Index i = 0; i < n; ++i)
                    yi[i] = yr[i];
                rhs(ti, yi, dyi);
                for (Eigen::Index i = 0; i < n; ++i)
                    dyr[i] = dyi[i];
            };
            const RawSink raw_sink = [&](long s, const double* yr) {
                for (Eigen::Index i = 0; i < n; ++i)
                    ys_out[i] = yr[i];
                rep.last_sample = s;
                return sink(s, ys_out);
            };
            rep.bdf_from_t = t;
            const BdfOutcome b = continue_bdf(
                raw_rhs, std::vector<double>(y.data(), y.data() + n), t, dt, next, samples,
                opt.rtol, opt.atol, evaluation_budget - rep.evaluations, opt.cancel, raw_sink);
            rep.bdf_steps = b.steps;
            rep.evaluations += b.evaluations;
            if (!b.ok) {
                t = b.failed_t;
                return fail(b.message.c_str());
            }
            return rep;
        }
        // No step budget per sample: a long horizon on a stiff problem takes as many steps as
        // its stability limit asks (a budget of 20 per sample stopped converged gradient flows
        // at eta = 10 and was reported as a divergence); only a runaway cost stops it.
        if (rep.steps + rep.rejected >= opt.max_steps) return fail("step budget exhausted");
        if (rep.evaluations > evaluation_budget) return fail(kCostMessage);
        if (opt.cancel && opt.cancel->load(std::memory_order_relaxed)) return fail("cancelled");
        double hh = h;
        bool last = false;
        if (t + hh >= t_end * (1.0 - 1e-15) || t + hh >= t_end) {
            hh = t_end - t;
            last = true;
        }
        tmp = y + hh * a21 * k1;
        rhs(t + c2 * hh, tmp, k2);
        tmp = y + hh * (a31 * k1 + a32 * k2);
        rhs(t + c3 * hh, tmp, k3);
        tmp = y + hh * (a41 * k1 + a42 * k2 + a43 * k3);
        rhs(t + c4 * hh, tmp, k4);
        tmp = y + hh * (a51 * k1 + a52 * k2 + a53 * k3 + a54 * k4);
        rhs(t + c5 * hh, tmp, k5);
        tmp = y + hh * (a61 * k1 + a62 * k2 + a63 * k3 + a64 * k4 + a65 * k5);
        rhs(t + hh, tmp, k6);
        ynew = y + hh * (a71 * k1 + a73 * k3 + a74 * k4 + a75 * k5 + a76 * k6);
        rhs(t + hh, ynew, k7);
        rep.evaluations += 6;
        err = hh * (e1 * k1 + e3 * k3 + e4 * k4 + e5 * k5 + e6 * k6 + e7 * k7);
        double e2sum = 0.0;
        for (Eigen::Index i = 0; i < n; ++i) {
            const double sc = opt.atol + opt.rtol * std::max(std::abs(y[i]), std::abs(ynew[i]));
            const double r = err[i] / sc;
            e2sum += r * r;
        }
        const double enorm = std::sqrt(e2sum / static_cast<double>(n));
        if (!std::isfinite(enorm) || !ynew.allFinite() || !k7.allFinite()) {
            // A failed step: shrink hard. A persistent failure means the state blew up.
            ++rep.rejected;
            h = hh * fac_min;
            if (too_small(h, t)) return fail("the solution is not finite beyond this time");
            continue;
        }
        const double fac =
            std::clamp(safety * std::pow(std::max(enorm, 1e-300), -0.2), fac_min, fac_max);
        if (enorm > 1.0) {
            ++rep.rejected;
            h = hh * std::max(fac, fac_min);
            if (too_small(h, t)) return fail("step size underflow");
            continue;
        }
        // Stiffness (Hairer & Wanner's DOPRI5 test): h times the local Lipschitz estimate
        // |k7 - k6| / |ynew - y6| beyond the stability boundary 3.25 means the step size is
        // set by stability, not accuracy. Counted for the report; the run goes on.
        {
            const double den = (ynew - tmp).squaredNorm();
            if (den > 0.0 && hh * hh * (k7 - k6).squaredNorm() > 3.25 * 3.25 * den) {
                ++rep.stiff_steps;
                ++interval_stiff;
            }
        }
        ++interval_steps;
        // Accepted: deliver every sample in (t, t + hh] by Hairer's 4th-order dense output.
        const double t_new = last ? t_end : t + hh;
        r2 = ynew - y;
        r3 = hh * k1 - r2;
        r4 = r2 - hh * k7 - r3;
        r5 = hh * (d1 * k1 + d3 * k3 + d4 * k4 + d5 * k5 + d6 * k6 + d7 * k7);
        while (next < samples) {
            const double ts = static_cast<double>(next) * dt;
            if (next == samples - 1 ? !last : ts > t_new) break;
            if (next == samples - 1 || ts == t_new) {
                ys = ynew;
            } else {
                const double th = (ts - t) / hh, th1 = 1.0 - th;
                ys = y + th * (r2 + th1 * (r3 + th * (r4 + th1 * r5)));
            }
            rep.last_sample = next;
            interval_steps = interval_stiff = 0;
            if (!sink(next, ys)) {
                ++rep.steps;
                return rep;
            }
            ++next;
        }
        t = t_new;
        y = ynew;
        k1 = k7;  // first same as last
        ++rep.steps;
        h = last ? h : hh * fac;
        if (!last && too_small(h, t)) return fail("step size underflow");
    }
    return rep;
}

}  // namespace noether::detail

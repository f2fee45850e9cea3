// The stiff fallback of the DOPRI5 driver: GSL's variable-order BDF (gsl_odeiv2_step_msbdf,
// orders 1-5, Newton iterations on a finite-difference Jacobian) continues an integration from
// the state where the explicit method's step size was found to be held by stability.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace noether::detail {

/// y' = F(t, y) on raw arrays of the state size.
using RawRhs = std::function<void(double t, const double* y, double* dy)>;
/// Sample n (time n dt) of the state; return false to stop.
using RawSink = std::function<bool(long n, const double* y)>;

struct BdfOutcome {
    bool ok = true;
    bool stopped = false;   ///< the sink asked to stop
    long last_sample = -1;  ///< last sample delivered
    long steps = 0;         ///< BDF steps taken
    long evaluations = 0;   ///< right-hand-side evaluations (Jacobians included)
    double failed_t = 0.0;  ///< time reached when it failed
    std::string message;    ///< why it stopped early
};

/// Integrates from (t0, y) and delivers samples next..samples-1 at n dt (the last one at
/// (samples-1) dt exactly). Error control per component atol + rtol |y_i| (GSL's standard
/// control). Stops with a failure when a right-hand side is not finite, on `max_evaluations`,
/// or when *cancel turns true.
BdfOutcome continue_bdf(const RawRhs& rhs, std::vector<double> y, double t0, double dt, long next,
                        long samples, double rtol, double atol, long max_evaluations,
                        const std::atomic<bool>* cancel, const RawSink& sink);

}  // namespace noether::detail

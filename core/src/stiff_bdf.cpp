#include "stiff_bdf.hpp"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

namespace noether::detail {
namespace {

struct Context {
    const RawRhs* rhs = nullptr;
    size_t n = 0;
    std::vector<double> f0, f1, yp;
    const std::atomic<bool>* cancel = nullptr;
    long evaluations = 0;
    long max_evaluations = 0;
    bool cancelled = false, not_finite = false, budget = false;

    bool eval(double t, const double* y, double* dy) {
        if (cancel && cancel->load(std::memory_order_relaxed)) {
            cancelled = true;
            return false;
        }
        if (++evaluations > max_evaluations) {
            budget = true;
            return false;
        }
        (*rhs)(t, y, dy);
        for (size_t i = 0; i < n; ++i)
            if (!std::isfinite(dy[i])) {
                not_finite = true;
                return false;
            }
        return true;
    }
};

int function(double t, const double y[], double dydt[], void* params) {
    auto* c = static_cast<Context*>(params);
    return c->eval(t, y, dydt) ? GSL_SUCCESS : GSL_EBADFUNC;
}

// Forward differences, step sqrt(eps) max(|y_j|, 1): the Jacobian only drives the Newton
// iteration, so its accuracy sets the iteration count, not the solution's accuracy.
int jacobian(double t, const double y[], double* dfdy, double dfdt[], void* params) {
    auto* c = static_cast<Context*>(params);
    const size_t n = c->n;
    const double root_eps = std::sqrt(std::numeric_limits<double>::epsilon());
    if (!c->eval(t, y, c->f0.data())) return GSL_EBADFUNC;
    std::copy(y, y + n, c->yp.begin());
    for (size_t j = 0; j < n; ++j) {
        const double yj = y[j];
        c->yp[j] = yj + root_eps * std::max(std::abs(yj), 1.0);
        const double h = c->yp[j] - yj;  // the step actually taken
        if (!c->eval(t, c->yp.data(), c->f1.data())) return GSL_EBADFUNC;
        for (size_t i = 0; i < n; ++i)
            dfdy[i * n + j] = (c->f1[i] - c->f0[i]) / h;
        c->yp[j] = yj;
    }
    const double ht = root_eps * std::max(std::abs(t), 1.0);
    if (!c->eval(t + ht, y, c->f1.data())) return GSL_EBADFUNC;
    for (size_t i = 0; i < n; ++i)
        dfdt[i] = (c->f1[i] - c->f0[i]) / ht;
    return GSL_SUCCESS;
}

}  // namespace

BdfOutcome continue_bdf(const RawRhs& rhs, std::vector<double> y, double t0, double dt, long next,
                        long samples, double rtol, double atol, long max_evaluations,
                        const std::atomic<bool>* cancel, const RawSink& sink) {
    // GSL's default error handler aborts the process; its status codes are handled here.
    static std::once_flag quiet;
    std::call_once(quiet, [] { gsl_set_error_handler_off(); });
    BdfOutcome out;
    const size_t n = y.size();
    Context ctx;
    ctx.rhs = &rhs;
    ctx.n = n;
    ctx.f0.resize(n);
    ctx.f1.resize(n);
    ctx.yp.resize(n);
    ctx.cancel = cancel;
    ctx.max_evaluations = max_evaluations;
    gsl_odeiv2_system sys{function, jacobian, n, &ctx};
    gsl_odeiv2_driver* d =
        gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_msbdf, 1e-3 * dt, atol, rtol);
    // No step limit per sample: the evaluation budget bounds the cost.
    gsl_odeiv2_driver_set_nmax(d, 0);
    double t = t0;
    const double t_end = static_cast<double>(samples - 1) * dt;
    for (long s = next; s < samples; ++s) {
        const double ts = s == samples - 1 ? t_end : static_cast<double>(s) * dt;
        const int status = gsl_odeiv2_driver_apply(d, &t, ts, y.data());
        if (status != GSL_SUCCESS) {
            out.ok = false;
            out.failed_t = t;
            out.message = ctx.cancelled ? "cancelled"
                          : ctx.budget  ? "cost budget exhausted: the model's right-hand side is "
                                          "stiff or not smooth here"
                          : ctx.not_finite ? "the solution is not finite beyond this time"
                                           : "the stiff (BDF) integrator made no progress";
            break;
        }
        out.last_sample = s;
        if (!sink(s, y.data())) {
            out.stopped = true;
            break;
        }
    }
    out.steps = static_cast<long>(d->e->count);
    out.evaluations = ctx.evaluations;
    gsl_odeiv2_driver_free(d);
    return out;
}

}  // namespace noether::detail

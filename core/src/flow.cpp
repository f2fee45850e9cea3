// Adaptive Dormand-Prince 5(4) (Hairer, Norsett & Wanner, "Solving ODEs I", II.5) and classical
// RK4. Both land exactly on the sample times n*dt; step-size control follows Hairer's DOPRI5.
#include "noether/flow.hpp"

#include "dopri5.hpp"

#include <algorithm>
#include <cmath>

namespace noether {

Vector matched_initial_velocity(const Loss& loss, VecRef q0, const Vector* v0, double beta,
                                double k) {
    Vector g0 = loss.gradient(q0) + k * q0;
    if (v0) g0 += 2.0 * beta * (*v0);
    return -g0 / (1.0 + beta);
}

IntegrationReport integrate_dopri5(const OdeRhs& rhs, VecRef y0, double dt, long samples,
                                   const IntegratorOptions& opt, const SampleSink& sink) {
    return detail::dopri5<Eigen::Dynamic>(rhs, Vector(y0), dt, samples, opt, sink);
}

IntegrationReport integrate_rk4(const OdeRhs& rhs, VecRef y0, double dt, long samples, int substeps,
                                const SampleSink& sink) {
    IntegrationReport rep;
    const auto n = y0.size();
    Vector y = y0, k1(n), k2(n), k3(n), k4(n), tmp(n);
    if (samples <= 0) return rep;
    rep.last_sample = 0;
    if (!sink(0, y)) return rep;
    const double h = dt / substeps;
    for (long s = 1; s < samples; ++s) {
        for (int j = 0; j < substeps; ++j) {
            const double t = (static_cast<double>(s - 1) + static_cast<double>(j) / substeps) * dt;
            rhs(t, y, k1);
            tmp = y + 0.5 * h * k1;
            rhs(t + 0.5 * h, tmp, k2);
            tmp = y + 0.5 * h * k2;
            rhs(t + 0.5 * h, tmp, k3);
            tmp = y + h * k3;
            rhs(t + h, tmp, k4);
            y += (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
            rep.evaluations += 4;
            ++rep.steps;
        }
        if (!y.allFinite()) {
            rep.ok = false;
            rep.message = "state became non-finite";
            return rep;
        }
        rep.last_sample = s;
        if (!sink(s, y)) return rep;
    }
    return rep;
}

}  // namespace noether

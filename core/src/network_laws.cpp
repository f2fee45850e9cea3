// Steady states of normalised units under noise and weight decay, and mirror symmetries
// (docs/PHYSICS.md §8.6, §8.7).
#include "noether/network_laws.hpp"

#include <Eigen/Eigenvalues>
#include <cmath>
#include <complex>

namespace noether {

Result<std::vector<ScaleSteadyState>> scale_steady_states(const NetworkRun& nr, long from) {
    const Scene& sc = nr.run->scene;
    const RuleParams& p = sc.rule;
    if (p.rule != Rule::Sgd || p.nesterov || p.constrain_norm)
        return Error{"rule", "the steady state is derived for plain SGD (with momentum)"};
    const double eta = p.lr, beta = p.momentum, k = p.weight_decay, mu = 1.0 - beta;
    if (!(k > 0)) return Error{"weight-decay", "the steady state needs weight decay k > 0"};
    const Trajectory& tr = nr.run->trajectories.front();
    if (tr.model != Model::Discrete) return Error{"model", "needs the discrete model"};
    const long N = tr.samples();
    if (from < 0 || from + 2 > N) return Error{"from", "leaves fewer than two samples"};
    std::vector<ScaleSteadyState> out;
    const bool full = nr.scene.batch == 0 || nr.scene.batch == nr.data->size();
    // |∇_w f_B(q_n)|² of every unit, from one batch gradient per sample.
    std::vector<Vector> grads(N);
    for (long i = 0; i < N; ++i) {
        grads[i].resize(nr.net->dim());
        nr.net->value_gradient(*nr.data, tr.q.col(i), full ? std::vector<int>{} : nr.batches[i],
                               grads[i]);
    }
    for (const auto& g : nr.generators) {
        if (g.kind != SymmetryKind::Scale) continue;
        std::vector<int> idx;
        for (int r = 0; r < g.A.outerSize(); ++r)
            if (g.A.outerIndexPtr()[r + 1] > g.A.outerIndexPtr()[r]) idx.push_back(r);
        ScaleSteadyState s;
        s.generator = g.name;
        std::vector<double> ghat2(N);
        for (long i = 0; i < N; ++i) {
            double w2 = 0, gw2 = 0;
            for (int r : idx) {
                w2 += tr.q(r, i) * tr.q(r, i);
                gw2 += grads[i][r] * grads[i][r];
            }
            s.r2.push_back(w2);
            ghat2[i] = w2 * gw2;  // |ĝ_B|² = |w|² |∇_w f_B|²
        }
        // Eq. 17 with a left Riemann sum (as run.cpp's r2_eq17 for the toys).
        const double decay = std::exp(-4.0 * k * eta / mu);
        const double pref = 2.0 * eta * (1.0 + beta) / (mu * mu * mu);
        double I = 0;
        for (long i = 0; i < N; ++i) {
            if (i > 0) I = decay * (I + eta * ghat2[i - 1]);
            const double t = static_cast<double>(i) * eta;
            s.r2_eq17.push_back(
                std::sqrt(pref * I + std::exp(-4.0 * k * t / mu) * s.r2[0] * s.r2[0]));
        }
        double sr2 = 0, sr4 = 0, sd2 = 0, sg = 0;
        long m = 0;
        for (long i = from; i + 1 < N; ++i, ++m) {
            double d2 = 0;
            for (int r : idx) {
                const double d = tr.q(r, i + 1) - tr.q(r, i);
                d2 += d * d;
            }
            sr2 += s.r2[i];
            sr4 += s.r2[i] * s.r2[i];
            sd2 += d2;
            sg += ghat2[i];
        }
        s.mean_r2 = sr2 / m;
        s.mean_r4 = sr4 / m;
        s.mean_r2_from_steps = (1.0 + beta) * (sd2 / m) / (2.0 * eta * k);
        s.r4_predicted = eta * (1.0 + beta) * (sg / m) / (2.0 * k * mu * mu);
        s.angular_step = std::sqrt((sd2 / m) / s.mean_r2);
        s.angular_step_predicted = std::sqrt(2.0 * eta * k / (1.0 + beta));
        out.push_back(std::move(s));
    }
    if (out.empty()) return Error{"norm", "the network has no normalised unit (--norm batch)"};
    return out;
}

Vector Mirror::apply(VecRef q) const {
    Vector out(q.size());
    for (Eigen::Index i = 0; i < q.size(); ++i)
        out[i] = sign[i] * q[perm[i]];
    return out;
}

double Mirror::distance(VecRef q) const {
    return 0.5 * (q - apply(q)).norm();
}

namespace {
Mirror identity_mirror(const Network& net, std::string name) {
    Mirror m;
    m.name = std::move(name);
    m.perm.resize(net.dim());
    for (int i = 0; i < net.dim(); ++i)
        m.perm[i] = i;
    m.sign.assign(net.dim(), 1.0);
    return m;
}
}  // namespace

Mirror swap_mirror(const Network& net, int l, int i, int j) {
    Mirror m = identity_mirror(net, "swap_l" + std::to_string(l) + "_n" + std::to_string(i + 1) +
                                        "_n" + std::to_string(j + 1));
    const auto& w = net.spec().widths;
    const int in = w[l - 1], h = w[l], next = w[l + 1];
    auto swap = [&](int a, int b) {
        m.perm[a] = b;
        m.perm[b] = a;
    };
    for (int c = 0; c < in; ++c)
        swap(net.w_offset(l) + i * in + c, net.w_offset(l) + j * in + c);
    if (net.b_offset(l) >= 0) swap(net.b_offset(l) + i, net.b_offset(l) + j);
    for (int r = 0; r < next; ++r)
        swap(net.w_offset(l + 1) + r * h + i, net.w_offset(l + 1) + r * h + j);
    return m;
}

Mirror sign_mirror(const Network& net, int l, int j) {
    Mirror m = identity_mirror(net, "sign_l" + std::to_string(l) + "_n" + std::to_string(j + 1));
    const auto& w = net.spec().widths;
    const int in = w[l - 1], h = w[l], next = w[l + 1];
    for (int c = 0; c < in; ++c)
        m.sign[net.w_offset(l) + j * in + c] = -1.0;
    if (net.b_offset(l) >= 0) m.sign[net.b_offset(l) + j] = -1.0;
    for (int r = 0; r < next; ++r)
        m.sign[net.w_offset(l + 1) + r * h + j] = -1.0;
    return m;
}

double mirror_rate(const Network& net, const Dataset& data, VecRef q, const Mirror& P,
                   const RuleParams& rule) {
    // An orthonormal basis U₋ of P's −1 eigenspace: (e_a − s e_b)/√2 for a swapped pair,
    // e_a for a sign flip.
    const int n = net.dim();
    std::vector<Vector> cols;
    for (int a = 0; a < n; ++a) {
        const int b = P.perm[a];
        if (b == a) {
            if (P.sign[a] < 0) cols.push_back(Vector::Unit(n, a));
        } else if (a < b) {
            Vector u = Vector::Zero(n);
            u[a] = 1.0 / std::sqrt(2.0);
            u[b] = -P.sign[a] / std::sqrt(2.0);
            cols.push_back(u);
        }
    }
    Matrix U(n, static_cast<Eigen::Index>(cols.size()));
    for (size_t c = 0; c < cols.size(); ++c)
        U.col(static_cast<Eigen::Index>(c)) = cols[c];
    const Matrix H = net.hessian(data, q, {});
    const Matrix Hm = U.transpose() * H * U;
    const Vector lam = Eigen::SelfAdjointEigenSolver<Matrix>(Hm).eigenvalues();
    const double eta = rule.lr, beta = rule.momentum, k = rule.weight_decay;
    double rate = 0;
    for (Eigen::Index i = 0; i < lam.size(); ++i) {
        // Heavy ball on the mode: u_{n+1} = (1+β−ηλ−ηk) u_n − β u_{n−1}.
        const double b = 1.0 + beta - eta * (lam[i] + k);
        const std::complex<double> disc = std::sqrt(std::complex<double>(b * b - 4.0 * beta));
        rate = std::max({rate, std::abs(0.5 * (b + disc)), std::abs(0.5 * (b - disc))});
    }
    return rate;
}

}  // namespace noether

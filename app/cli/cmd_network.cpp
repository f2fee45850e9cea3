// noetherlab-cli simulate/hessian/discover --network: the network forms of the toy subcommands
// (docs/PHYSICS.md §8). Every rule, model and option of simulate applies; the network, data,
// initialisation and batch options are added here.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "cli/cli.hpp"
#include "cli/jobs.hpp"
#include "cli/long_work.hpp"
#include "io/run_export.hpp"
#include "noether/hessian.hpp"
#include "noether/network_discovery.hpp"
#include "noether/network_run.hpp"

namespace noether::cli {

namespace {

const char* kNetworkHelp =
    "network options (simulate, hessian, discover):\n"
    "  --network D0-D1-..-DL  layer widths, e.g. 2-16-1 (every width >= 1)\n"
    "  --activation A       relu | linear | tanh (default relu)\n"
    "  --norm N             none | batch: BatchNorm of each hidden layer, no affine (default "
    "none);\n"
    "                       --eps X is its epsilon (the scale symmetry's breaking)\n"
    "  --no-bias            no hidden biases (the output layer keeps its bias)\n"
    "  --head H             mse | softmax (default mse)\n"
    "  --data NAME          moons | spirals | blobs | xor | teacher (required)\n"
    "  --data-n N           points (default 256)   --data-seed S (default 1)\n"
    "  --data-noise X       input noise std (teacher: target noise; default 0.1)\n"
    "  --init-seed S        initialisation seed (default 1); --q0 overrides it\n"
    "  --init-scale X       W entries X N(0,1)/sqrt(fan_in), biases 0 (default 1)\n"
    "  --batch B            minibatch size in [1, N] (default N: full batch)\n"
    "  --batch-seed S       seed of the epoch permutations (default 1)\n";

const char* kSimulateHelp =
    "usage: noetherlab-cli simulate --network D0-..-DL --data NAME --steps N [options]\n"
    "  rule and model options as for the toys (--rule, --lr, --momentum, --weight-decay, ...,\n"
    "  --v0, --model, --ode-rtol; the continuous models need the full batch)\n"
    "  --out FILE           .csv or .json (CSV on stdout without it)\n"
    "CSV: step,t,q1..qn,loss,grad_norm,r2,J_<generator>...,Q_<generator>...,v1..vn,batch_loss\n";

void add_network_options(OptionSpec& spec) {
    for (const char* o : {"network", "activation", "norm", "head", "data", "data-n", "data-seed",
                          "data-noise", "init-seed", "init-scale", "batch", "batch-seed"})
        spec.valued.insert(o);
    spec.flags.insert("no-bias");
}

}  // namespace

const char* network_help() {
    return kNetworkHelp;
}

OptionSpec network_simulate_options() {
    OptionSpec spec = scene_options();
    add_network_options(spec);
    return spec;
}

Result<NetworkScene> network_job(const Args& args, bool require_steps) {
    for (const char* o : {"loss", "expr", "scene", "param", "const", "dim"})
        if (args.has(o))
            return Error{std::string("--") + o,
                         "does not apply to --network (a network is the loss)"};
    if (args.scene) return Error{"--scene", "does not apply to --network (a network is the loss)"};
    NetworkScene ns;
    auto w = parse_widths(*args.get("network"));
    if (!w) return as_flag(w.error());
    ns.net.widths = *w;
    if (auto a = args.get("activation")) {
        if (*a == "relu")
            ns.net.activation = Activation::Relu;
        else if (*a == "linear")
            ns.net.activation = Activation::Linear;
        else if (*a == "tanh")
            ns.net.activation = Activation::Tanh;
        else
            return Error{"--activation", "unknown activation '" + *a + "' (relu, linear, tanh)"};
    }
    if (auto n = args.get("norm")) {
        if (*n != "none" && *n != "batch")
            return Error{"--norm", "unknown normalisation '" + *n + "' (none, batch)"};
        ns.net.batch_norm = *n == "batch";
    }
    if (auto h = args.get("head")) {
        if (*h != "mse" && *h != "softmax")
            return Error{"--head", "unknown head '" + *h + "' (mse, softmax)"};
        ns.net.head = *h == "mse" ? Head::Mse : Head::Softmax;
    }
    ns.net.hidden_bias = !args.flags.count("no-bias");
    const auto data = args.get("data");
    if (!data) return Error{"--data", "is required (moons, spirals, blobs, xor, teacher)"};
    ns.data.name = *data;
    auto count = [&](const char* name, auto& dst) -> Status {
        if (auto v = args.get(name)) {
            auto x = parse_count(name, *v);
            if (!x) return x.error();
            dst = static_cast<std::remove_reference_t<decltype(dst)>>(*x);
        }
        return {};
    };
    auto number = [&](const char* name, double& dst) -> Status {
        if (auto v = args.get(name)) {
            auto x = parse_number(name, *v);
            if (!x) return x.error();
            dst = *x;
        }
        return {};
    };
    for (auto s : {count("data-n", ns.data.n), count("data-seed", ns.data.seed),
                   count("init-seed", ns.init_seed), count("batch", ns.batch),
                   count("batch-seed", ns.batch_seed), number("data-noise", ns.data.noise),
                   number("init-scale", ns.init_scale)})
        if (!s) return s.error();
    if (args.has("batch") && ns.batch < 1) return Error{"--batch", "must be >= 1 (got 0)"};
    // The toy scene options: a stand-in loss name satisfies scene_from_args (it is replaced by
    // the network); q0 is optional.
    Args toy = args;
    toy.values["loss"] = {"quadratic"};
    auto sc = scene_from_args(toy, false, require_steps);
    if (!sc) return sc.error();
    ns.scene = *sc;
    ns.net.bn_eps = sc->loss.eps;
    if (args.has("q0")) ns.q0 = sc->q0;
    if (auto s = validate(ns.net); !s) return as_flag(s.error());
    return ns;
}

namespace {

Result<std::shared_ptr<const NetworkRun>> run_network(const NetworkScene& ns) {
    // Long trainings show their progress on a terminal and stop cleanly on Ctrl-C.
    install_interrupt_handler();
    std::atomic<long> done{0};
    const ProgressLine line("simulate", "samples", done,
                            (ns.scene.steps + 1) * model_count(ns.scene));
    auto r = simulate_network(ns, RunControl{interrupt_flag(), &done});
    if (!r) return as_flag(r.error());
    return r;
}

}  // namespace

bool has_option(int argc, char** argv, const char* name) {
    const size_t len = std::strlen(name);
    for (int i = 2; i < argc; ++i)
        if (!std::strncmp(argv[i], name, len) && (argv[i][len] == '\0' || argv[i][len] == '='))
            return true;
    return false;
}

int cmd_simulate_network(int argc, char** argv) {
    OptionSpec spec = scene_options();
    add_network_options(spec);
    auto args = parse_args(argc, argv, 2, spec);
    if (!args) return fail(args.error());
    if (args->flags.count("help")) {
        std::fputs(kSimulateHelp, stdout);
        std::fputs(kNetworkHelp, stdout);
        return kExitOk;
    }
    auto ns = network_job(*args, true);
    if (!ns) return fail(ns.error());
    const auto out = args->get("out");
    const bool json = out && QString::fromStdString(*out).endsWith(".json", Qt::CaseInsensitive);
    if (out && !json && !QString::fromStdString(*out).endsWith(".csv", Qt::CaseInsensitive))
        return fail(Error{"--out", "file name must end in .csv or .json (got '" + *out + "')"});
    auto run = run_network(*ns);
    if (interrupted()) return fail_interrupted();
    if (!run) return fail(run.error());
    const NetworkRun& nr = **run;
    const Trajectory& tr = nr.run->trajectories.front();
    const QByteArray bytes =
        json ? QJsonDocument(io::network_run_json(nr)).toJson(QJsonDocument::Compact)
             : io::network_csv(nr, 0);
    if (out) {
        if (const int status = write_out(*out, bytes); status != kExitOk) return status;
    } else {
        write_stdout(bytes.constData(), static_cast<size_t>(bytes.size()));
        // Data lost on the way out outranks divergence.
        if (const int status = finish_stdout(kExitOk); status != kExitOk) return status;
    }
    if (tr.diverged) {
        std::fprintf(stderr, "noetherlab-cli: %s\n", tr.message.c_str());
        return kExitDiverged;
    }
    if (tr.integration_failed) {
        std::fprintf(stderr, "noetherlab-cli: %s\n", tr.message.c_str());
        return kExitIntegrator;
    }
    return kExitOk;
}

OptionSpec network_hessian_options() {
    OptionSpec spec = network_simulate_options();
    spec.valued.insert("at-step");
    spec.flags.insert("json");
    return spec;
}

Result<NetworkHessianJob> network_hessian_job(const Args& args) {
    const auto at = args.get("at-step");
    if (!at) return Error{"--at-step", "is required (the step N whose q_N is analysed)"};
    auto N = parse_count("at-step", *at);
    if (!N) return N.error();
    auto parsed = network_job(args, false);
    if (!parsed) return parsed.error();
    NetworkScene ns = *parsed;
    if (!args.has("steps")) ns.scene.steps = std::max<long>(*N, 1);
    if (*N > ns.scene.steps)
        return Error{"--at-step", "must be <= --steps (" + std::to_string(ns.scene.steps) +
                                      ", got " + std::to_string(*N) + ")"};
    ns.scene.show_discrete = true;
    ns.scene.show_ode = ns.scene.show_ode_rest = ns.scene.show_flow = false;
    return NetworkHessianJob{ns, *N};
}

Result<NetworkHessian> network_hessian_at(std::shared_ptr<const NetworkRun> run, long step) {
    const NetworkRun& nr = *run;
    const Trajectory& tr = nr.run->trajectories.front();
    if (step >= tr.samples()) return Error{"--at-step", tr.message};
    const int n = nr.net->dim();
    if (n > 4000) return Error{"--network", "the dense Hessian needs n <= 4000"};
    NetworkHessian out;
    out.run = run;
    out.step = step;
    // The generators as dense ones for hessian_at when they fit in memory.
    out.dense = static_cast<double>(n) * n * static_cast<double>(nr.generators.size()) <= 5e7;
    const NetworkLoss loss(nr.net, nr.data, out.dense);
    out.formula = loss.formula();
    auto res = hessian_at(loss, tr.q.col(step));
    if (!res) return Error{res.error().field, res.error().message};
    out.point = *res;
    out.stability_line = stability_line(nr.scene.scene.rule);
    return out;
}

QJsonObject network_hessian_json(const NetworkHessian& nh) {
    const HessianPoint& h = nh.point;
    QJsonArray gens;
    for (const auto& g : h.generators)
        gens.append(QJsonObject{{"name", QString::fromStdString(g.name)},
                                {"lie_derivative", num(g.lie_derivative)},
                                {"angle_to_flattest", num(g.angle_to_flattest)},
                                {"curvature", num(g.curvature)},
                                {"h1_residual", num(g.h1_residual)},
                                {"h2_residual", num(g.h2_residual)}});
    QJsonObject out = hessian_point_json(h, nh.stability_line);
    out.insert("loss", "network");
    out.insert("formula", QString::fromStdString(nh.formula));
    out.insert("step", static_cast<double>(nh.step));
    out.insert("generators", gens);
    return out;
}

int cmd_hessian_network(int argc, char** argv) {
    auto args = parse_args(argc, argv, 2, network_hessian_options());
    if (!args) return fail(args.error());
    if (args->flags.count("help")) {
        std::fputs(
            "usage: noetherlab-cli hessian --network D0-..-DL --data NAME --at-step N [--json]\n"
            "  trains as simulate does (discrete model) and analyses the full-data loss at q_N:\n"
            "  eigenvalues, sharpness against 2(1+beta)/eta, the gradient in the eigenbasis and\n"
            "  for every generator the H1/H2 residuals (dense Hessian by complex-step HVPs)\n",
            stdout);
        std::fputs(kNetworkHelp, stdout);
        return kExitOk;
    }
    auto job = network_hessian_job(*args);
    if (!job) return fail(job.error());
    auto run = run_network(job->scene);
    if (interrupted()) return fail_interrupted();
    if (!run) return fail(run.error());
    const Trajectory& tr = (*run)->run->trajectories.front();
    if (job->step >= tr.samples()) {
        std::fprintf(stderr, "noetherlab-cli: %s\n", tr.message.c_str());
        return kExitDiverged;
    }
    auto res = network_hessian_at(*run, job->step);
    if (!res) return fail(res.error());
    const HessianPoint& h = res->point;
    const double line = res->stability_line;
    if (args->flags.count("json")) {
        std::fputs(
            QJsonDocument(network_hessian_json(*res)).toJson(QJsonDocument::Indented).constData(),
            stdout);
        return kExitOk;
    }
    const int n = (*run)->net->dim();
    std::printf("network %s, step %ld, n = %d\n", res->formula.c_str(), job->step, n);
    std::printf("f = %.10g   |grad f| = %.10g\n", h.value, h.gradient.norm());
    std::printf("eigenvalues (ascending):");
    for (Eigen::Index i = 0; i < h.eigenvalues.size(); ++i)
        std::printf(" %.6g", h.eigenvalues[i]);
    std::printf("\n");
    int zero = 0;
    for (Eigen::Index i = 0; i < h.eigenvalues.size(); ++i)
        if (std::abs(h.eigenvalues[i]) <= 1e-10 * std::max(1.0, std::abs(h.sharpness))) ++zero;
    std::printf("zero eigenvalues (|lambda| <= 1e-10 lambda_max): %d\n", zero);
    std::printf("sharpness lambda_max = %.10g, stability line 2(1+beta)/eta = %.10g (ratio %.4g)\n",
                h.sharpness, line, h.sharpness / line);
    if (!res->dense) std::printf("generators: too many for dense H1/H2 checks at this size\n");
    for (const auto& g : h.generators)
        std::printf("generator %s: L_xi f = %.3g, curvature along xi = %.6g, H1 %.3g, H2 %.3g\n",
                    g.name.c_str(), g.lie_derivative, g.curvature, g.h1_residual, g.h2_residual);
    return kExitOk;
}

OptionSpec network_discover_options() {
    OptionSpec spec = network_simulate_options();
    for (const char* o : {"samples", "tol", "seed", "radius"})
        spec.valued.insert(o);
    spec.flags.insert("json");
    return spec;
}

Result<StructuredDiscovery> network_discover_job(const Args& args) {
    auto ns = network_job(args, false);
    if (!ns) return ns.error();
    StructuredDiscoveryOptions opt;
    if (auto s = args.get("samples")) {
        auto x = parse_count("samples", *s);
        if (!x) return x.error();
        if (*x < 1) return Error{"--samples", "must be >= 1"};
        opt.samples = *x;
    }
    if (auto s = args.get("tol")) {
        auto x = parse_number("tol", *s);
        if (!x) return x.error();
        opt.tol = *x;
    }
    if (auto s = args.get("seed")) {
        auto x = parse_count("seed", *s);
        if (!x) return x.error();
        opt.seed = static_cast<std::uint64_t>(*x);
    }
    if (auto s = args.get("radius")) {
        auto x = parse_number("radius", *s);
        if (!x) return x.error();
        opt.radius = *x;
    }
    auto data = make_dataset(ns->data, ns->net);
    if (!data) return as_flag(data.error());
    if (ns->batch > data->size())
        return Error{"--batch", "must be <= the data size " + std::to_string(data->size())};
    const Network net(ns->net);
    auto res = discover_network_symmetries(net, *data, opt);
    if (!res) return as_flag(res.error());
    return *res;
}

QJsonObject network_discover_json(const StructuredDiscovery& d) {
    QJsonArray gens, counts;
    for (const auto& g : d.generators)
        gens.append(QJsonObject{{"name", QString::fromStdString(g.name)},
                                {"description", QString::fromStdString(g.description)},
                                {"theta", vec_json(g.theta)}});
    for (const auto& [k, c] : d.counts)
        counts.append(QJsonObject{{"kind", QString::fromStdString(k)}, {"count", c}});
    return QJsonObject{{"loss", "network"},
                       {"n", d.n},
                       {"p", d.p},
                       {"samples", static_cast<double>(d.samples)},
                       {"seed", static_cast<double>(d.seed)},
                       {"tol", d.tol},
                       {"singular_values", vec_json(d.singular_values)},
                       {"nullity", d.nullity},
                       {"expected_nullity", d.expected_nullity},
                       {"unknowns", QString::fromStdString(d.unknowns)},
                       {"counts", counts},
                       {"generators", gens}};
}

int cmd_discover_network(int argc, char** argv) {
    auto args = parse_args(argc, argv, 2, network_discover_options());
    if (!args) return fail(args.error());
    if (args->flags.count("help")) {
        std::fputs(
            "usage: noetherlab-cli discover --network D0-..-DL --data NAME [--samples N]\n"
            "                               [--tol X] [--seed S] [--radius R] [--json]\n"
            "  searches the structured space of per-layer linear maps: for each layer l\n"
            "  dW_l = P_l W_l + W_l R_l + T_l, db_l = P_l b_l + t_l (PHYSICS.md §8.5)\n",
            stdout);
        std::fputs(kNetworkHelp, stdout);
        return kExitOk;
    }
    auto res = network_discover_job(*args);
    if (!res) return fail(res.error());
    const StructuredDiscovery& d = *res;
    if (args->flags.count("json")) {
        std::fputs(
            QJsonDocument(network_discover_json(d)).toJson(QJsonDocument::Indented).constData(),
            stdout);
        return kExitOk;
    }
    std::printf("network: n = %d parameters, p = %d structured unknowns (%s)\n", d.n, d.p,
                d.unknowns.c_str());
    std::printf("%ld samples, seed %llu, tol %g\n", d.samples,
                static_cast<unsigned long long>(d.seed), d.tol);
    std::printf("nullity: %d (the architecture's generators predict %d)\n", d.nullity,
                d.expected_nullity);
    for (const auto& [k, c] : d.counts)
        std::printf("  %s: %d\n", k.c_str(), c);
    std::printf("smallest singular values s_j = sigma_j/sigma_1:");
    const Eigen::Index m = d.singular_values.size();
    for (Eigen::Index j = std::max<Eigen::Index>(0, m - d.nullity - 5); j < m; ++j)
        std::printf(" %.3g", d.singular_values[j]);
    std::printf("\n");
    for (const auto& g : d.generators)
        std::printf("  %s: %s\n", g.name.c_str(), g.description.c_str());
    return kExitOk;
}

}  // namespace noether::cli

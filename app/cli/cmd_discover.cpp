// noetherlab-cli discover: the affine symmetries of a loss as the null space of its
// Lie-derivative operator (PHYSICS.md §4): nullity, singular values, the generators (A, b) in the
// RREF display basis with their classification, the projector and the closure residual.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>
#include <cstdio>

#include "cli/cli.hpp"
#include "cli/jobs.hpp"
#include "noether/discovery.hpp"

namespace noether::cli {

namespace {

const char* kHelp =
    "usage: noetherlab-cli discover (--loss NAME | --expr EXPR) [--samples N] [--tol X]\n"
    "                               [--seed S] [--json]\n"
    "  --eps X, --param NAME=VALUE, --const NAME=VALUE, --dim N   as for simulate\n"
    "  --samples N          sample count N_s (default max(200, 10 p), p = n^2 + n)\n"
    "  --tol X              relative threshold tau on s_j = sigma_j/sigma_1 (default 1e-8)\n"
    "  --seed S             sampler seed (default 1)\n"
    "  --center X1,..,Xn    centre of the sampling region (default the origin)\n"
    "  --radius R           its length scale (default 1)\n"
    "  --json               JSON on stdout; the projector is p x p over (row-major vec A, b)\n";

QJsonArray generators_json(const SymmetryBasis& basis) {
    QJsonArray gens;
    for (const auto& g : basis.generators)
        gens.append(QJsonObject{{"name", QString::fromStdString(g.generator.name)},
                                {"kind", to_string(g.generator.kind)},
                                {"description", QString::fromStdString(g.description)},
                                {"A", mat_json(g.generator.A)},
                                {"b", vec_json(g.generator.b)}});
    return gens;
}

void print_matrix(const Matrix& M, const char* indent) {
    for (Eigen::Index i = 0; i < M.rows(); ++i) {
        std::printf("%s", indent);
        for (Eigen::Index j = 0; j < M.cols(); ++j)
            std::printf(" %10.6g", std::abs(M(i, j)) < 5e-16 ? 0.0 : M(i, j));
        std::printf("\n");
    }
}

void print_basis(const SymmetryBasis& basis) {
    int k = 0;
    for (const auto& g : basis.generators) {
        std::printf("  %d. %s [%s]: %s\n", ++k, g.generator.name.c_str(),
                    to_string(g.generator.kind), g.description.c_str());
        std::printf("     A =\n");
        print_matrix(g.generator.A, "      ");
        std::printf("     b =\n");
        print_matrix(g.generator.b.transpose(), "      ");
    }
}

}  // namespace

const char* discover_help() {
    return kHelp;
}

OptionSpec discover_options() {
    OptionSpec spec = scene_options();
    for (const char* o : {"samples", "tol", "seed", "center", "radius"})
        spec.valued.insert(o);
    spec.flags.insert("json");
    return spec;
}

Result<DiscoverJob> discover_job(const Args& args) {
    auto scene = scene_from_args(args, false, false);
    if (!scene) return scene.error();
    DiscoveryOptions opt;
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
    if (auto s = args.get("center")) {
        auto x = parse_list("center", *s);
        if (!x) return x.error();
        opt.center = Eigen::Map<const Vector>(x->data(), static_cast<Eigen::Index>(x->size()));
    }
    auto loss = make_loss(scene->loss);
    if (!loss) return as_flag(loss.error());
    auto res = discover_symmetries(**loss, opt);
    if (!res) {
        const Error& e = res.error();
        return Error{"--" + e.field, e.message};
    }
    return DiscoverJob{*loss, *res};
}

QJsonObject discover_json(const DiscoverJob& job) {
    const Discovery& d = job.discovery;
    const Loss* loss = job.loss.get();
    QJsonObject out{{"loss", QString::fromStdString(loss->name())},
                    {"formula", QString::fromStdString(loss->formula())},
                    {"n", d.n},
                    {"p", d.p},
                    {"samples", static_cast<double>(d.samples)},
                    {"rows", static_cast<double>(d.rows)},
                    {"seed", static_cast<double>(d.seed)},
                    {"tol", d.tol},
                    {"sigma_max", num(d.sigma_max)},
                    {"singular_values", vec_json(d.singular_values)},
                    {"nullity", d.nullity},
                    {"gap_index", d.gap_index},
                    {"gap_decades", num(d.gap_decades)},
                    {"nullity_gap", d.nullity_gap},
                    {"approximate", d.approximate},
                    {"generators", generators_json(d.exact)},
                    {"projector", mat_json(d.exact.projector)},
                    {"closure_residual", num(d.exact.closure_residual)}};
    if (d.approximate) {
        out.insert("approximate_generators", generators_json(d.near));
        out.insert("approximate_projector", mat_json(d.near.projector));
        out.insert("approximate_closure_residual", num(d.near.closure_residual));
    }
    return out;
}

int cmd_discover(int argc, char** argv) {
    if (has_option(argc, argv, "--network")) return cmd_discover_network(argc, argv);
    auto args = parse_args(argc, argv, 2, discover_options());
    if (!args) return fail(args.error());
    if (args->flags.count("help")) {
        std::fputs(kHelp, stdout);
        return kExitOk;
    }
    auto job = discover_job(*args);
    if (!job) return fail(job.error());
    const Discovery& d = job->discovery;
    const Loss* loss = job->loss.get();
    if (args->flags.count("json")) {
        std::fputs(QJsonDocument(discover_json(*job)).toJson(QJsonDocument::Indented).constData(),
                   stdout);
        return kExitOk;
    }

    std::printf("loss %s: %s\n", loss->name().c_str(), loss->formula().c_str());
    std::printf("n = %d, p = %d unknowns (vec A, b), %ld samples (%ld rows), seed %llu, tol %g\n",
                d.n, d.p, d.samples, d.rows, static_cast<unsigned long long>(d.seed), d.tol);
    std::printf("nullity: %d\n", d.nullity);
    std::printf("largest log-gap: %.3g decades after s_%d (nullity by gap %d)%s\n", d.gap_decades,
                d.gap_index, d.nullity_gap,
                d.approximate ? ": APPROXIMATE SYMMETRY (gap above the threshold)" : "");
    std::printf("singular values s_j = sigma_j / sigma_1 (sigma_1 = %.6g):\n ", d.sigma_max);
    for (Eigen::Index j = 0; j < d.singular_values.size(); ++j)
        std::printf(" %.3g", d.singular_values[j]);
    std::printf("\n");
    if (d.nullity == 0) {
        std::printf("generators: none (no exact affine symmetry)\n");
    } else {
        std::printf("generators (RREF display basis):\n");
        print_basis(d.exact);
    }
    std::printf("projector P = B B^T (p x p over (row-major vec A, b)):\n");
    print_matrix(d.exact.projector, "  ");
    std::printf("closure residual: %.3g\n", d.exact.closure_residual);
    if (d.approximate) {
        std::printf("approximate generators (%d, below the log-gap):\n", d.near.dimension);
        print_basis(d.near);
    }
    return kExitOk;
}

}  // namespace noether::cli

// noetherlab-cli hessian: second-order geometry at one point (PHYSICS.md §3): eigenvalues and
// eigenvectors, the gradient in the eigenbasis, sharpness against the stability line, and the
// H1/H2 identity residuals of every generator of the loss.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>
#include <cstdio>

#include "cli/cli.hpp"
#include "cli/jobs.hpp"
#include "noether/hessian.hpp"

namespace noether::cli {

namespace {

const char* kHelp =
    "usage: noetherlab-cli hessian (--loss NAME | --expr EXPR) --at X1,..,Xn [--json]\n"
    "  --eps X, --param NAME=VALUE, --const NAME=VALUE, --dim N   as for simulate\n"
    "  --at X1,..,Xn        the point q\n"
    "  --lr X, --momentum X, --rule R   for the stability line 2(1+beta)/eta\n"
    "  --json               JSON on stdout (eigenvectors: the matrix whose columns they are)\n"
    "Prints eigenvalues (ascending), eigenvectors, the gradient in the eigenbasis, sharpness\n"
    "against the stability line, and for each generator xi(q), the angle to the flattest\n"
    "direction and the residuals of H1 (H xi = -A^T grad f) and H2 (<xi,H xi> = -<grad f,A xi>).\n";

std::string vec_text(const Vector& v) {
    std::string s = "(";
    for (Eigen::Index i = 0; i < v.size(); ++i) {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.10g", v[i]);
        s.append(i ? ", " : "").append(buf);
    }
    return s + ")";
}

}  // namespace

const char* hessian_help() {
    return kHelp;
}

OptionSpec hessian_options() {
    OptionSpec spec = scene_options();
    spec.valued.insert("at");
    spec.flags.insert("json");
    return spec;
}

Result<HessianJob> hessian_job(const Args& args) {
    auto scene = scene_from_args(args, false, false);
    if (!scene) return scene.error();
    const auto at = args.get("at");
    if (!at) return Error{"--at", "is required (e.g. --at=0.3,0.4)"};
    auto xs = parse_list("at", *at);
    if (!xs) return xs.error();
    auto loss = make_loss(scene->loss);
    if (!loss) return as_flag(loss.error());
    const Vector q = Eigen::Map<const Vector>(xs->data(), static_cast<Eigen::Index>(xs->size()));
    auto res = hessian_at(**loss, q);
    if (!res) {
        const Error& e = res.error();
        return Error{e.field == "q" ? "--at" : e.field, e.message};
    }
    return HessianJob{*loss, *res, stability_line(scene->rule)};
}

QJsonObject hessian_point_json(const HessianPoint& h, double stability_line) {
    return QJsonObject{{"q", vec_json(h.q)},
                       {"value", num(h.value)},
                       {"gradient", vec_json(h.gradient)},
                       {"hessian", mat_json(h.hessian)},
                       {"eigenvalues", vec_json(h.eigenvalues)},
                       {"eigenvectors", mat_json(h.eigenvectors)},
                       {"gradient_components", vec_json(h.gradient_components)},
                       {"alignment", vec_json(h.alignment)},
                       {"sharpness", num(h.sharpness)},
                       {"stability_line", num(stability_line)},
                       {"flattest", h.flattest}};
}

QJsonObject hessian_json(const HessianJob& job) {
    const HessianPoint& h = job.point;
    const Loss& loss = *job.loss;
    QJsonArray gens;
    for (size_t k = 0; k < h.generators.size(); ++k) {
        const auto& g = h.generators[k];
        const Generator& gen = loss.generators()[k];
        gens.append(QJsonObject{{"name", QString::fromStdString(g.name)},
                                {"kind", to_string(gen.kind)},
                                {"A", mat_json(gen.A)},
                                {"b", vec_json(gen.b)},
                                {"xi", vec_json(g.xi)},
                                {"lie_derivative", num(g.lie_derivative)},
                                {"angle_to_flattest", num(g.angle_to_flattest)},
                                {"curvature", num(g.curvature)},
                                {"h1_residual", num(g.h1_residual)},
                                {"h2_residual", num(g.h2_residual)}});
    }
    QJsonObject out = hessian_point_json(h, job.stability_line);
    out.insert("loss", QString::fromStdString(loss.name()));
    out.insert("formula", QString::fromStdString(loss.formula()));
    out.insert("generators", gens);
    return out;
}

int cmd_hessian(int argc, char** argv) {
    if (has_option(argc, argv, "--network")) return cmd_hessian_network(argc, argv);
    auto args = parse_args(argc, argv, 2, hessian_options());
    if (!args) return fail(args.error());
    if (args->flags.count("help")) {
        std::fputs(kHelp, stdout);
        return kExitOk;
    }
    auto job = hessian_job(*args);
    if (!job) return fail(job.error());
    if (args->flags.count("json")) {
        std::fputs(QJsonDocument(hessian_json(*job)).toJson(QJsonDocument::Indented).constData(),
                   stdout);
        return kExitOk;
    }
    const HessianPoint& h = job->point;
    const double line = job->stability_line;
    const Loss* loss = job->loss.get();
    const int n = loss->dim();

    std::printf("loss %s: %s\n", loss->name().c_str(), loss->formula().c_str());
    std::printf("q = %s\n", vec_text(h.q).c_str());
    std::printf("f = %.10g   |grad f| = %.10g\n", h.value, h.gradient.norm());
    std::printf("grad f = %s\n", vec_text(h.gradient).c_str());
    std::printf("eigenvalues (ascending): %s\n", vec_text(h.eigenvalues).c_str());
    std::printf("eigenvectors (columns u1..u%d):\n", n);
    for (int i = 0; i < n; ++i) {
        std::printf("  ");
        for (int j = 0; j < n; ++j)
            std::printf(" %14.10f", h.eigenvectors(i, j));
        std::printf("\n");
    }
    std::printf("gradient in the eigenbasis <grad f, u_i>: %s\n",
                vec_text(h.gradient_components).c_str());
    std::printf("alignment <grad f, u_i>/|grad f|:         %s\n", vec_text(h.alignment).c_str());
    std::printf("sharpness lambda_max = %.10g, stability line 2(1+beta)/eta = %.10g (ratio %.4g)\n",
                h.sharpness, line, h.sharpness / line);
    std::printf("flattest direction: u%d (lambda = %.10g)\n", h.flattest + 1,
                h.eigenvalues[h.flattest]);
    if (h.generators.empty()) std::printf("generators: none\n");
    for (const auto& g : h.generators) {
        std::printf("generator %s: xi(q) = %s, L_xi f = %.3g\n", g.name.c_str(),
                    vec_text(g.xi).c_str(), g.lie_derivative);
        std::printf("  angle to the flattest direction = %.6g rad, curvature along xi = %.6g\n",
                    g.angle_to_flattest, g.curvature);
        std::printf("  H1 residual |H xi + A^T grad f| = %.3g, H2 residual = %.3g (normalised)\n",
                    g.h1_residual, g.h2_residual);
    }
    return kExitOk;
}

}  // namespace noether::cli

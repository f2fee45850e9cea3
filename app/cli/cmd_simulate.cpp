// noetherlab-cli simulate: one model of a scene, as CSV (stdout or --out .csv) or JSON (--out
// .json).
#include <QJsonDocument>
#include <QString>
#include <cstdio>

#include "cli/cli.hpp"
#include "cli/jobs.hpp"
#include "cli/long_work.hpp"
#include "io/run_export.hpp"
#include "io/scene_file.hpp"
#include "noether/loss.hpp"
#include "noether/run.hpp"

namespace noether::cli {

namespace {
const char* kHelp =
    "usage: noetherlab-cli simulate (--loss NAME | --expr EXPR | --scene FILE) --q0 X1,..,Xn\n"
    "                               --steps N [options]\n"
    "  --eps X              explicit symmetry-breaking strength (default 0)\n"
    "  --param NAME=VALUE   loss parameter (theta_star=X, diag=X1,X2,..., gamma=X); repeatable\n"
    "  --expr EXPR          typed loss in q1..qn, with --const NAME=VALUE and --dim N\n"
    "  --rule R             sgd | rmsprop | rmsprop-norm | adam | adamw (default sgd)\n"
    "  --lr X               learning rate eta > 0 (default 0.01)\n"
    "  --momentum X         heavy-ball beta in [0,1) (default 0)\n"
    "  --weight-decay X     k >= 0 (default 0)\n"
    "  --nesterov           Nesterov momentum (sgd)\n"
    "  --alpha X            RMSprop smoothing (default 0.99)\n"
    "  --opt-eps X          RMSprop/Adam eps (default 1e-8)\n"
    "  --betas B1,B2        Adam betas (default 0.9,0.999)\n"
    "  --centered           centered RMSprop\n"
    "  --constrain-norm     project q back to |q0| after every step\n"
    "  --v0 X1,..,Xn        initial velocity kick\n"
    "  --model M            discrete | ode | ode-rest | flow | modified-flow (default\n"
    "                       discrete); each rule integrates its own continuous model\n"
    "                       (docs/PHYSICS.md), refused with exit 2 where it has none\n"
    "  --ode-rtol X         integrator tolerance (default 1e-11)\n"
    "  --out FILE           .csv or .json (CSV on stdout without it)\n"
    "  --network D0-..-DL   train a network instead (simulate --network 2-16-1 --help)\n"
    "Limits: steps 1..10000000 and (steps+1) x models x dimension <= 40000000 stored\n"
    "samples; a scene file at most 16 MiB (docs/SCENE-FORMAT.md lists every limit).\n"
    "Exit status: 0 success, 2 invalid input (one stderr line naming the flag or field),\n"
    "3 diverged (rows up to the last finite sample still written), 4 could not write\n"
    "(stdout or --out: \"could not write <file>: <reason>\"; no partial --out file),\n"
    "5 the integrator of a continuous model stopped early (not a divergence; rows up to its\n"
    "last sample still written), 130 interrupted by Ctrl-C (nothing written).\n"
    "On a terminal, runs longer than half a second show their progress on stderr.\n";
}  // namespace

const char* simulate_help() {
    return kHelp;
}

Result<SimulateJob> simulate_job(const Args& args) {
    auto scene = scene_from_args(args, true, true);
    if (!scene) return scene.error();
    auto loss = make_loss(scene->loss);
    if (!loss) return as_flag(loss.error());
    if (auto s = io::check_run_size(*scene, (*loss)->dim()); !s)
        return Error{"--steps", s.error().message};
    return SimulateJob{*scene, *loss};
}

int cmd_simulate(int argc, char** argv) {
    if (has_option(argc, argv, "--network")) return cmd_simulate_network(argc, argv);
    auto args = parse_args(argc, argv, 2, scene_options());
    if (!args) return fail(args.error());
    if (args->flags.count("help")) {
        std::fputs(kHelp, stdout);
        return kExitOk;
    }
    auto job = simulate_job(*args);
    if (!job) return fail(job.error());
    const Scene* scene = &job->scene;
    // Long runs show their progress on a terminal and stop cleanly on Ctrl-C (exit 130,
    // nothing written).
    install_interrupt_handler();
    std::atomic<long> done{0};
    auto run = [&] {
        const ProgressLine line("simulate", "samples", done,
                                (scene->steps + 1) * model_count(*scene));
        return simulate(*scene, job->loss, RunControl{interrupt_flag(), &done});
    }();
    if (interrupted()) return fail_interrupted();
    if (!run) return fail(as_flag(run.error()));
    // A valid scene that asks for something without effect (a kick with momentum 0): said.
    for (const auto& w : warnings(*scene))
        std::fprintf(stderr, "noetherlab-cli: warning: --%s\n", w.c_str());
    const Run& r = **run;
    const Trajectory& tr = r.trajectories.front();
    QByteArray bytes;
    const auto out = args->get("out");
    const bool json = out && QString::fromStdString(*out).endsWith(".json", Qt::CaseInsensitive);
    if (out && !json && !QString::fromStdString(*out).endsWith(".csv", Qt::CaseInsensitive))
        return fail(Error{"--out", "file name must end in .csv or .json (got '" + *out + "')"});
    bytes = json ? QJsonDocument(io::run_json(r)).toJson(QJsonDocument::Indented)
                 : io::trajectory_csv(r, tr);
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

}  // namespace noether::cli

// noetherlab-cli sweep: a regime map over (lr, momentum) as CSV, one row per cell:
//   lr,momentum,<metric>
// (issue #6 contract). NaN cells print "nan": not reached (steps_to_tol), never diverged
// (diverged_at), not applicable (eq17_error without a scale symmetry, charge_decay_rate without a
// measurable charge), or any measured metric of a diverged cell. A sweep with diverged cells is
// still a success (exit 0); invalid input exits 2 with one line naming the flag.
#include <QString>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli/jobs.hpp"
#include "cli/long_work.hpp"
#include "io/file_io.hpp"
#include "io/run_export.hpp"
#include "noether/sweep.hpp"

namespace noether::cli {

namespace {

const char* kHelp =
    "usage: noetherlab-cli sweep (--loss NAME | --expr EXPR) --q0 X1,..,Xn --steps N\n"
    "                            --lr-range A:B:N --momentum-range A:B:N --metric NAME\n"
    "                            [options] [--out FILE.csv]\n"
    "Writes one CSV row per cell, lr outer and momentum inner: lr,momentum,<metric>.\n"
    "  --lr-range A:B:N       N learning rates from A to B (inclusive), all > 0\n"
    "  --lr-scale lin|log     spacing of the learning rates (default lin)\n"
    "  --momentum-range A:B:N N momenta from A to B (inclusive), in [0, 1)\n"
    "  --metric NAME[,NAME]   final_loss, steps_to_tol, diverged_at, charge_decay_rate,\n"
    "                         charge_decay_rate_pred, norm_growth, effective_lr, eq17_error,\n"
    "                         ode_gap, flow_gap (several: comma-separated, one column each)\n"
    "  --tol X                steps_to_tol: first n with f(q_n) - f_min < X (default 1e-6)\n"
    "  --f-min X              infimum of the loss for steps_to_tol (default: closed form for\n"
    "                         the built-ins, else 0)\n"
    "  --threads T            worker threads, >= 1 (default: every core)\n"
    "  --weight-decay X, --eps X, --param NAME=VALUE, --rule R, --nesterov, --v0 X1,..,Xn, ...\n"
    "                         as for simulate (lr and momentum come from the ranges)\n"
    "  --ode-rtol X           integrator tolerance of ode_gap / flow_gap (default 1e-9 here)\n"
    "  --out FILE.csv         output file (CSV on stdout without it)\n"
    "\"nan\" marks a value that does not exist: not reached, never diverged, not applicable, or a\n"
    "measured metric of a diverged cell (see diverged_at). Diverged cells do not change the exit\n"
    "status: 0 on success, 2 on invalid input, 4 could not write (stdout or --out), 130\n"
    "interrupted by Ctrl-C (nothing written). On a terminal, big sweeps show their progress\n"
    "on stderr.\n"
    "Limits: at most 65536 cells per axis and 16777216 cells; steps 1..10000000.\n";

// "A:B:N" -> axis; errors name the flag.
Result<SweepAxis> parse_range(const std::string& flag, const std::string& text, SweepParam p,
                              AxisScale scale) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        const size_t colon = text.find(':', start);
        parts.push_back(text.substr(start, colon == std::string::npos ? colon : colon - start));
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    if (parts.size() != 3) return Error{"--" + flag, "expects A:B:N (got '" + text + "')"};
    auto a = parse_number(flag, parts[0]);
    if (!a) return a.error();
    auto b = parse_number(flag, parts[1]);
    if (!b) return b.error();
    auto n = parse_count(flag, parts[2]);
    if (!n) return n.error();
    auto axis = make_axis(p, *a, *b, *n, scale);
    if (!axis) return Error{"--" + flag, axis.error().message};
    return axis;
}

}  // namespace

const char* sweep_help() {
    return kHelp;
}

OptionSpec sweep_options() {
    OptionSpec spec = scene_options();
    spec.valued.erase("model");
    for (const char* name :
         {"lr-range", "lr-scale", "momentum-range", "metric", "threads", "tol", "f-min"})
        spec.valued.insert(name);
    return spec;
}

Result<SweepJob> sweep_job(const Args& a) {
    const Args* args = &a;
    if (args->has("lr")) return Error{"--lr", "is swept here: give --lr-range A:B:N"};
    if (args->has("momentum"))
        return Error{"--momentum", "is swept here: give --momentum-range A:B:N"};
    auto scene = scene_from_args(*args, true, true);
    if (!scene) return scene.error();

    SweepSpec sweep;
    sweep.base = *scene;
    if (!args->has("ode-rtol")) sweep.base.ode_rtol = 1e-9;
    AxisScale lr_scale = AxisScale::Linear;
    if (auto s = args->get("lr-scale")) {
        if (*s == "log") {
            lr_scale = AxisScale::Log;
        } else if (*s != "lin") {
            return Error{"--lr-scale", "must be lin or log (got '" + *s + "')"};
        }
    }
    const auto lr_text = args->get("lr-range");
    if (!lr_text) return Error{"--lr-range", "is required (A:B:N)"};
    auto lr = parse_range("lr-range", *lr_text, SweepParam::LearningRate, lr_scale);
    if (!lr) return lr.error();
    const auto mom_text = args->get("momentum-range");
    if (!mom_text) return Error{"--momentum-range", "is required (A:B:N)"};
    auto mom = parse_range("momentum-range", *mom_text, SweepParam::Momentum, AxisScale::Linear);
    if (!mom) return mom.error();
    sweep.x = *lr;
    sweep.y = *mom;

    const auto metric_text = args->get("metric");
    if (!metric_text) return Error{"--metric", "is required (e.g. final_loss)"};
    sweep.metrics.clear();
    size_t start = 0;
    while (true) {
        const size_t comma = metric_text->find(',', start);
        const std::string name =
            metric_text->substr(start, comma == std::string::npos ? comma : comma - start);
        const auto m = parse_sweep_metric(name);
        if (!m) {
            std::string known;
            for (SweepMetric k : all_sweep_metrics())
                known.append(known.empty() ? "" : ", ").append(to_string(k));
            std::string msg = "unknown metric '";
            msg.append(name).append("' (known: ").append(known).append(")");
            return Error{"--metric", msg};
        }
        sweep.metrics.push_back(*m);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (auto t = args->get("tol")) {
        auto x = parse_number("tol", *t);
        if (!x) return x.error();
        if (!(*x > 0.0)) return Error{"--tol", "must be > 0 (got " + *t + ")"};
        sweep.tol = *x;
    }
    if (auto f = args->get("f-min")) {
        auto x = parse_number("f-min", *f);
        if (!x) return x.error();
        sweep.f_min = *x;
    }
    SweepOptions opt;
    if (auto t = args->get("threads")) {
        auto n = parse_count("threads", *t);
        if (!n) return n.error();
        if (*n < 1 || *n > 1024)
            return Error{"--threads", "must be between 1 and 1024 (got " + *t + ")"};
        opt.threads = static_cast<int>(*n);
    }
    return SweepJob{sweep, opt};
}

int cmd_sweep(int argc, char** argv) {
    auto args = parse_args(argc, argv, 2, sweep_options());
    if (!args) return fail(args.error());
    if (args->flags.count("help")) {
        std::fputs(kHelp, stdout);
        return kExitOk;
    }
    auto job = sweep_job(*args);
    if (!job) return fail(job.error());
    const SweepSpec& sweep = job->spec;
    SweepOptions opt = job->options;
    const auto out = args->get("out");
    if (out && !QString::fromStdString(*out).endsWith(".csv", Qt::CaseInsensitive))
        return fail(Error{"--out", "file name must end in .csv (got '" + *out + "')"});

    // Big sweeps show their progress on a terminal and stop cleanly on Ctrl-C.
    install_interrupt_handler();
    opt.cancel = interrupt_flag();
    std::atomic<long> done{0};
    opt.progress = [&done](long cells, long) { done.store(cells, std::memory_order_relaxed); };
    auto result = [&] {
        const ProgressLine line("sweep", "cells", done,
                                static_cast<long>(sweep.x.values.size() * sweep.y.values.size()));
        return run_sweep(sweep, opt);
    }();
    if (interrupted()) return fail_interrupted();
    if (!result) return fail(as_flag(result.error()));
    const SweepResult& r = *result;

    // CSV: header lr,momentum,<metric>; lr outer, momentum inner; "nan" for NaN. Streamed in
    // 64 KiB pieces: never held whole (docs/PERFORMANCE.md, "The CLI end to end").
    if (out) {
        const std::string err = io::write_file_stream(
            *out, [&r](const io::ByteSink& sink) { return sweep_csv_chunks(r, sink); });
        return err.empty() ? kExitOk : fail_write(err);
    }
    sweep_csv_chunks(r, [](const char* data, std::size_t size) {
        write_stdout(data, size);
        return !std::ferror(stdout);
    });
    return kExitOk;
}

}  // namespace noether::cli

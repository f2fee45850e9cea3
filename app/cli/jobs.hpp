// The work of each noetherlab-cli subcommand, apart from how its result is written: the options
// it accepts, the checked job its arguments describe, and the JSON of its result. The CLI writes
// these to stdout or --out; the Python module (app/python) returns them as Python objects, so
// both accept the same options, refuse with the same messages and compute the same bits.
#pragma once

#include <QJsonObject>
#include <memory>

#include "cli/cli.hpp"
#include "noether/discovery.hpp"
#include "noether/hessian.hpp"
#include "noether/loss.hpp"
#include "noether/network_discovery.hpp"
#include "noether/network_run.hpp"
#include "noether/sweep.hpp"

namespace noether::cli {

/// `simulate` without --network: the scene and its loss, its size checked.
struct SimulateJob {
    Scene scene;
    std::shared_ptr<const Loss> loss;
};
Result<SimulateJob> simulate_job(const Args& args);
/// A core field name ("q0", "param diag") as the flag that sets it ("--q0"); names with a
/// space or already dashed are kept.
Error as_flag(Error e);

/// `simulate --network`: the options (scene options plus the network's).
OptionSpec network_simulate_options();
/// The NetworkScene of the flags; the rule, start, length and model come from scene_from_args.
Result<NetworkScene> network_job(const Args& args, bool require_steps);

/// `hessian --network`: the options, the checked job (the training to run, the step), the
/// analysis at that step of a finished training (Error "--at-step" with the run's message if it
/// diverged before), and the --json object.
OptionSpec network_hessian_options();
struct NetworkHessianJob {
    NetworkScene scene;  ///< discrete model only, steps >= step
    long step = 0;
};
Result<NetworkHessianJob> network_hessian_job(const Args& args);
struct NetworkHessian {
    std::shared_ptr<const NetworkRun> run;
    long step = 0;
    HessianPoint point;
    double stability_line = 0.0;
    bool dense = true;  ///< generators checked densely (H1/H2)
    std::string formula;
};
Result<NetworkHessian> network_hessian_at(std::shared_ptr<const NetworkRun> run, long step);
QJsonObject network_hessian_json(const NetworkHessian& h);

/// `discover --network`: the options, the structured search, and its --json object.
OptionSpec network_discover_options();
Result<StructuredDiscovery> network_discover_job(const Args& args);
QJsonObject network_discover_json(const StructuredDiscovery& d);

/// `sweep`: the options, and the checked sweep (options.threads from --threads; no cancel or
/// progress set).
OptionSpec sweep_options();
struct SweepJob {
    SweepSpec spec;
    SweepOptions options;
};
Result<SweepJob> sweep_job(const Args& args);

/// `hessian` (toys): the options, the analysis at --at, and its --json object.
OptionSpec hessian_options();
struct HessianJob {
    std::shared_ptr<const Loss> loss;
    HessianPoint point;
    double stability_line = 0.0;  ///< 2(1+beta)/eta of the scene's rule
};
Result<HessianJob> hessian_job(const Args& args);
QJsonObject hessian_json(const HessianJob& job);
/// The keys a toy's and a network's hessian --json share: the point's geometry and the line.
QJsonObject hessian_point_json(const HessianPoint& h, double stability_line);

/// `discover` (toys): the options, the discovery, and its --json object.
OptionSpec discover_options();
struct DiscoverJob {
    std::shared_ptr<const Loss> loss;
    Discovery discovery;
};
Result<DiscoverJob> discover_job(const Args& args);
QJsonObject discover_json(const DiscoverJob& job);

/// The --help texts of the subcommands (network_help: the options --network adds).
const char* simulate_help();
const char* sweep_help();
const char* hessian_help();
const char* discover_help();
const char* network_help();

/// `losses --json`: the catalogue of built-in losses.
QJsonObject losses_json();

}  // namespace noether::cli

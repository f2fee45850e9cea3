// noetherlab-cli: shared argument parsing and scene building for every subcommand.
// Options accept "--name value" and "--name=value"; a value may start with '-' (e.g. --q0 -1,2).
#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonValue>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "noether/scene.hpp"

namespace noether::cli {

/// Exit statuses of the CLI contract.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalid = 2;
inline constexpr int kExitDiverged = 3;
/// A write failed (stdout or --out): "could not write <file>: <reason>"; no partial --out file.
inline constexpr int kExitWrite = 4;
/// A continuous model's integrator stopped before the last step (not a divergence: the rows up
/// to its last sample are written, the message says where and why).
inline constexpr int kExitIntegrator = 5;

/// Parsed command line: option values (repeatable) and flags.
struct Args {
    std::map<std::string, std::vector<std::string>> values;
    std::set<std::string> flags;
    /// A scene given as a value instead of --scene FILE (the Python module's scene=dict): read
    /// by scene_from_args as a file's scene would be.
    std::optional<Scene> scene;

    bool has(const std::string& name) const { return values.count(name) || flags.count(name); }
    /// Last value of an option, or nullopt.
    std::optional<std::string> get(const std::string& name) const;
};

/// Which names a subcommand accepts.
struct OptionSpec {
    std::set<std::string> valued;  ///< take a value
    std::set<std::string> flags;   ///< take none
};

/// The options shared by simulate, hessian, discover and sweep (loss, rule, start, models).
OptionSpec scene_options();

/// Parses argv[first..]; unknown options and missing values are errors naming the option.
Result<Args> parse_args(int argc, char** argv, int first, const OptionSpec& spec);

/// Parses a finite double; the Error names the option.
Result<double> parse_number(const std::string& option, const std::string& text);
/// Parses "X1,X2,..." into doubles.
Result<std::vector<double>> parse_list(const std::string& option, const std::string& text);
/// Parses a non-negative integer.
Result<long> parse_count(const std::string& option, const std::string& text);

/// Builds a Scene from --scene FILE (if given) and the scene options. q0/steps may be optional.
Result<Scene> scene_from_args(const Args& args, bool require_q0, bool require_steps);

/// Prints "noetherlab-cli: <field>: <message>" to stderr and returns kExitInvalid.
int fail(const Error& e);
/// Prints "noetherlab-cli: <message>" (a "could not write ..." line) and returns kExitWrite.
int fail_write(const std::string& message);
/// Writes to stdout; a failure is remembered for finish_stdout.
void write_stdout(const char* data, std::size_t size);
/// Flushes stdout: if any write to it failed, says so and returns kExitWrite, else `status`.
int finish_stdout(int status);
/// Writes --out (the name's bytes as given) completely or not at all; kExitOk or kExitWrite.
int write_out(const std::string& native_path, const QByteArray& bytes);

/// JSON output: a number (null when not finite: JSON has no NaN), a vector, a matrix as a list
/// of rows.
QJsonValue num(double x);
QJsonArray vec_json(const Vector& v);
QJsonArray mat_json(const Matrix& M);

// Subcommands: each returns the process exit status.
int cmd_losses(int argc, char** argv);
int cmd_simulate(int argc, char** argv);
int cmd_hessian(int argc, char** argv);
int cmd_discover(int argc, char** argv);
int cmd_sweep(int argc, char** argv);
int cmd_render(int argc, char** argv);

// The --network forms of simulate, hessian and discover (cmd_network.cpp).
/// True if argv[2..] has the option `name` ("--network" or "--network=...").
bool has_option(int argc, char** argv, const char* name);
int cmd_simulate_network(int argc, char** argv);
int cmd_hessian_network(int argc, char** argv);
int cmd_discover_network(int argc, char** argv);

}  // namespace noether::cli

// The Python module `noetherlab`: noetherlab-cli's subcommands as functions (issue 17).
//
// Every keyword is a CLI option with dashes as underscores, turned into the CLI's parsed Args and
// handed to the same job functions the CLI runs (app/cli/jobs.hpp): the same options, the same
// refusals (ValueError with the CLI's message naming the flag) and the same bits. Results are
// NumPy arrays instead of CSV/JSON text. The engine runs on a worker thread with the GIL
// released; the calling thread polls for Ctrl-C (KeyboardInterrupt stops the engine at its next
// check) and calls the optional progress callback.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QVariant>
#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <future>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/jobs.hpp"
#include "io/file_io.hpp"
#include "io/scene_file.hpp"
#include "noether/run.hpp"

namespace py = pybind11;
using namespace noether;
using noether::cli::Args;
using noether::cli::OptionSpec;

namespace {

// ---------------------------------------------------------------------------------------------
// Errors

[[noreturn]] void refuse(const Error& e) {
    throw py::value_error(e.what());
}

template <class T>
T checked(Result<T> r) {
    if (!r) refuse(r.error());
    return std::move(*r);
}

// ---------------------------------------------------------------------------------------------
// Keywords -> the CLI's Args

std::string option_name(const std::string& keyword) {
    std::string s = keyword;
    for (char& c : s)
        if (c == '_') c = '-';
    return s;
}

// A number as the CLI would be given it: integers as written, floats in their shortest
// round-trip form (as Python's repr: strtod reads back the same double, and a message quotes
// 0.9 as "0.9").
std::string number_text(const std::string& flag, const py::handle& v) {
    if (py::isinstance<py::bool_>(v))
        refuse(Error{flag, "expects a number, not " + py::str(v).cast<std::string>()});
    if (py::isinstance<py::int_>(v)) return py::str(v).cast<std::string>();
    if (py::isinstance<py::str>(v)) return v.cast<std::string>();
    try {
        char buf[32];
        const auto r = std::to_chars(buf, buf + sizeof buf, v.cast<double>());
        return std::string(buf, r.ptr);
    } catch (const py::cast_error&) {
        refuse(Error{flag, "expects a number, got " + py::repr(v).cast<std::string>()});
    }
}

bool is_sequence(const py::handle& v) {
    return !py::isinstance<py::str>(v) && !py::isinstance<py::bytes>(v) &&
           (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v) ||
            py::isinstance<py::array>(v));
}

// A scalar or a sequence of scalars, joined by `sep` ("1,2" for lists, "A:B:N" for ranges).
std::string value_text(const std::string& flag, const py::handle& v, char sep) {
    if (py::isinstance<py::str>(v)) return v.cast<std::string>();
    if (!is_sequence(v)) return number_text(flag, v);
    std::string out;
    bool first = true;
    for (const py::handle item : py::iter(v)) {
        if (!first) out.push_back(sep);
        first = false;
        out += number_text(flag, item);
    }
    if (first) refuse(Error{flag, "is an empty list"});
    return out;
}

// The keywords the module adds to the CLI's options.
struct Extras {
    py::object progress = py::none();  ///< progress(done, total), called now and then
    py::object models = py::none();    ///< simulate: a list of model names
};

std::string fspath(const py::handle& p) {
    py::object b = py::module_::import("os").attr("fsencode")(p);
    return b.cast<std::string>();
}

Scene scene_from_dict(const py::handle& d) {
    const std::string text = py::module_::import("json").attr("dumps")(d).cast<std::string>();
    auto doc = io::parse_scene(QByteArray::fromStdString(text));
    if (!doc) refuse(Error{"--scene", doc.error().what()});
    return doc->scene;
}

Args args_from_kwargs(const py::kwargs& kwargs, const OptionSpec& spec, Extras* extras) {
    Args args;
    for (const auto& [key, value] : kwargs) {
        const std::string keyword = key.cast<std::string>();
        const std::string name = option_name(keyword);
        const std::string flag = "--" + name;
        if (extras && keyword == "progress") {
            if (!value.is_none() && !PyCallable_Check(value.ptr()))
                refuse(Error{"progress", "must be callable as progress(done, total)"});
            extras->progress = py::reinterpret_borrow<py::object>(value);
            continue;
        }
        if (extras && keyword == "models" && spec.valued.count("model")) {
            extras->models = py::reinterpret_borrow<py::object>(value);
            continue;
        }
        if (value.is_none()) {
            if (!spec.valued.count(name) && !spec.flags.count(name))
                refuse(Error{flag, "unknown option"});
            continue;  // None: as if not given
        }
        if (name == "help" || name == "json") refuse(Error{flag, "unknown option"});
        if (spec.flags.count(name)) {
            if (!py::isinstance<py::bool_>(value))
                refuse(Error{flag, "is a flag: give True or False"});
            if (value.cast<bool>()) args.flags.insert(name);
            continue;
        }
        if (!spec.valued.count(name) || name == "out") refuse(Error{flag, "unknown option"});
        auto& values = args.values[name];
        if (name == "scene" && py::isinstance<py::dict>(value)) {
            args.scene = scene_from_dict(value);
        } else if (name == "scene") {
            values.push_back(fspath(value));
        } else if ((name == "param" || name == "const") && py::isinstance<py::dict>(value)) {
            for (const auto& [k, v] : value.cast<py::dict>())
                values.push_back(py::str(k).cast<std::string>() + "=" + value_text(flag, v, ','));
        } else if (name == "param" || name == "const") {
            if (py::isinstance<py::str>(value))
                values.push_back(value.cast<std::string>());
            else
                for (const py::handle item : py::iter(value))
                    values.push_back(py::str(item).cast<std::string>());
        } else {
            const bool range = name.size() > 6 && name.compare(name.size() - 6, 6, "-range") == 0;
            values.push_back(value_text(flag, value, range ? ':' : ','));
        }
    }
    return args;
}

// ---------------------------------------------------------------------------------------------
// Running the engine: GIL released, Ctrl-C and progress on the calling thread

template <class Work>
auto run_engine(Work work, std::atomic<bool>& cancel, const std::atomic<long>& done, long total,
                const py::object& progress) {
    auto future = std::async(std::launch::async, std::move(work));
    long reported = -1;
    auto report = [&](long value) {
        if (progress.is_none() || value == reported) return;
        reported = value;
        progress(value, total);
    };
    while (true) {
        bool ready = false;
        {
            py::gil_scoped_release release;
            ready = future.wait_for(std::chrono::milliseconds(50)) == std::future_status::ready;
        }
        if (ready) break;
        try {
            if (PyErr_CheckSignals() != 0) throw py::error_already_set();
            report(done.load(std::memory_order_relaxed));
        } catch (...) {
            // KeyboardInterrupt, or the callback raised: stop the engine, then pass it on.
            cancel.store(true);
            {
                py::gil_scoped_release release;
                future.wait();
            }
            throw;
        }
    }
    auto result = future.get();
    if (result) report(total);
    return result;
}

// ---------------------------------------------------------------------------------------------
// Results -> Python

py::array_t<double> array(const std::vector<double>& v, long n) {
    py::array_t<double> a(n);
    std::copy(v.begin(), v.begin() + n, a.mutable_data());
    return a;
}

// n x samples (column = one sample) -> samples x n, row-major.
py::array_t<double> samples_by_dim(const Matrix& M, long samples) {
    const auto n = M.rows();
    py::array_t<double> a({static_cast<py::ssize_t>(samples), static_cast<py::ssize_t>(n)});
    auto w = a.mutable_unchecked<2>();
    for (long s = 0; s < samples; ++s)
        for (Eigen::Index i = 0; i < n; ++i)
            w(s, i) = M(i, s);
    return a;
}

py::dict trajectory_dict(const Run& run, const Trajectory& tr) {
    const long S = tr.samples();
    py::dict d;
    py::array_t<long> step(S);
    for (long s = 0; s < S; ++s)
        step.mutable_data()[s] = s;
    d["step"] = step;
    d["t"] = array(run.t, S);
    d["q"] = samples_by_dim(tr.q, S);
    d["loss"] = array(tr.loss, S);
    d["grad_norm"] = array(tr.grad_norm, S);
    d["r2"] = array(tr.r2, S);
    for (const auto& c : tr.charges)
        d[py::str("J_" + c.generator)] = array(c.J, S);
    d["v"] = samples_by_dim(tr.v, S);
    py::dict predictions;
    for (const auto& p : tr.predictions)
        predictions[py::str(p.name)] = array(p.values, S);
    d["predictions"] = predictions;
    d["diverged_at"] = tr.diverged ? py::object(py::int_(tr.diverged_at)) : py::object(py::none());
    d["integration_failed_at"] =
        tr.integration_failed ? py::object(py::int_(tr.failed_at)) : py::object(py::none());
    d["message"] = tr.message;
    return d;
}

// JSON -> Python: objects as dicts, numeric arrays (null = NaN) as float arrays, arrays of
// equal-length numeric arrays as 2-D arrays, other arrays as lists (numpy = false: lists only).
py::object from_json(const QJsonValue& v, bool numpy);

bool numeric_array(const QJsonArray& a) {
    if (a.isEmpty()) return false;
    for (const auto& x : a)
        if (!x.isDouble() && !x.isNull()) return false;
    return true;
}

py::object from_json_array(const QJsonArray& a, bool numpy) {
    if (numpy && numeric_array(a)) {
        py::array_t<double> out(a.size());
        for (qsizetype i = 0; i < a.size(); ++i)
            out.mutable_data()[i] = a[i].isNull() ? std::nan("") : a[i].toDouble();
        return out;
    }
    if (numpy && !a.isEmpty() && a[0].isArray()) {
        const qsizetype cols = a[0].toArray().size();
        bool matrix = true;
        for (const auto& row : a)
            matrix = matrix && row.isArray() && row.toArray().size() == cols &&
                     numeric_array(row.toArray());
        if (matrix) {
            py::array_t<double> out(
                {static_cast<py::ssize_t>(a.size()), static_cast<py::ssize_t>(cols)});
            auto w = out.mutable_unchecked<2>();
            for (qsizetype i = 0; i < a.size(); ++i) {
                const QJsonArray row = a[i].toArray();
                for (qsizetype j = 0; j < cols; ++j)
                    w(i, j) = row[j].isNull() ? std::nan("") : row[j].toDouble();
            }
            return out;
        }
    }
    py::list out;
    for (const auto& x : a)
        out.append(from_json(x, numpy));
    return out;
}

py::object from_json(const QJsonValue& v, bool numpy) {
    switch (v.type()) {
        case QJsonValue::Object: {
            py::dict d;
            const QJsonObject o = v.toObject();
            for (auto it = o.begin(); it != o.end(); ++it)
                d[py::str(it.key().toStdString())] = from_json(it.value(), numpy);
            return d;
        }
        case QJsonValue::Array:
            return from_json_array(v.toArray(), numpy);
        case QJsonValue::Bool:
            return py::bool_(v.toBool());
        case QJsonValue::String:
            return py::str(v.toString().toStdString());
        case QJsonValue::Double:
            if (v.toVariant().typeId() == QMetaType::LongLong) return py::int_(v.toInteger());
            return py::float_(v.toDouble());
        default:
            return py::none();
    }
}

// ---------------------------------------------------------------------------------------------
// The functions

bool wants_network(const py::kwargs& kwargs) {
    return kwargs.contains("network") && !kwargs["network"].is_none();
}

void apply_models(Scene& scene, const py::object& models) {
    if (models.is_none()) return;
    if (py::isinstance<py::str>(models) || !py::hasattr(models, "__iter__"))
        refuse(Error{"models", "expects a list of model names (e.g. [\"discrete\", \"ode\"])"});
    std::vector<Model> chosen;
    for (const py::handle m : py::iter(models)) {
        const std::string name = py::str(m).cast<std::string>();
        const auto model = parse_model(name);
        if (!model)
            refuse(Error{"models", "unknown model '" + name +
                                       "' (discrete, ode, ode-rest, flow, modified-flow)"});
        chosen.push_back(*model);
    }
    if (chosen.empty()) refuse(Error{"models", "is an empty list"});
    for (Model each : kAllModels)
        set_shown(scene, each, std::find(chosen.begin(), chosen.end(), each) != chosen.end());
}

py::dict run_dict(const Run& run, const NetworkRun* network) {
    py::dict out;
    for (size_t k = 0; k < run.trajectories.size(); ++k) {
        const Trajectory& tr = run.trajectories[k];
        py::dict d = trajectory_dict(run, tr);
        if (network) {
            for (const auto& Q : network->quadratic[k])
                d[py::str(Q.name)] = array(Q.values, tr.samples());
            if (tr.model == Model::Discrete)
                d["batch_loss"] = array(network->batch_loss, tr.samples());
        }
        out[py::str(to_string(tr.model))] = d;
    }
    return out;
}

void warn(const std::vector<std::string>& warnings) {
    for (const auto& w : warnings)
        PyErr_WarnEx(PyExc_UserWarning, ("--" + w).c_str(), 1);
}

py::dict py_simulate(const py::kwargs& kwargs) {
    Extras extras;
    const bool network = wants_network(kwargs);
    const OptionSpec spec = network ? cli::network_simulate_options() : cli::scene_options();
    Args args = args_from_kwargs(kwargs, spec, &extras);
    if (!extras.models.is_none() && args.has("model"))
        refuse(Error{"models", "give either model or models, not both"});
    if (network) {
        NetworkScene ns = checked(cli::network_job(args, true));
        apply_models(ns.scene, extras.models);
        if (auto s = io::check_run_size(ns.scene, 1); !s)
            refuse(Error{"--steps", s.error().message});
        std::atomic<bool> cancel{false};
        std::atomic<long> done{0};
        auto run = run_engine(
            [&] {
                return simulate_network(ns, RunControl{&cancel, &done});
            },
            cancel, done, (ns.scene.steps + 1) * model_count(ns.scene), extras.progress);
        if (!run) refuse(cli::as_flag(run.error()));
        return run_dict(*(*run)->run, run->get());
    }
    cli::SimulateJob job = checked(cli::simulate_job(args));
    apply_models(job.scene, extras.models);
    if (auto s = io::check_run_size(job.scene, job.loss->dim()); !s)
        refuse(Error{"--steps", s.error().message});
    std::atomic<bool> cancel{false};
    std::atomic<long> done{0};
    auto run = run_engine(
        [&] {
            return noether::simulate(job.scene, job.loss, RunControl{&cancel, &done});
        },
        cancel, done, (job.scene.steps + 1) * model_count(job.scene), extras.progress);
    if (!run) refuse(cli::as_flag(run.error()));
    warn(warnings(job.scene));
    return run_dict(**run, nullptr);
}

py::dict py_sweep(const py::kwargs& kwargs) {
    Extras extras;
    Args args = args_from_kwargs(kwargs, cli::sweep_options(), &extras);
    cli::SweepJob job = checked(cli::sweep_job(args));
    std::atomic<bool> cancel{false};
    std::atomic<long> done{0};
    job.options.cancel = &cancel;
    job.options.progress = [&done](long cells, long) {
        done.store(cells, std::memory_order_relaxed);
    };
    const long nx = static_cast<long>(job.spec.x.values.size());
    const long ny = static_cast<long>(job.spec.y.values.size());
    auto result = run_engine([&] { return run_sweep(job.spec, job.options); }, cancel, done,
                             nx * ny, extras.progress);
    if (!result) refuse(cli::as_flag(result.error()));
    const SweepResult& r = *result;
    py::dict out;
    out[py::str(to_string(r.x.param))] = array(r.x.values, nx);
    out[py::str(to_string(r.y.param))] = array(r.y.values, ny);
    for (size_t k = 0; k < r.metrics.size(); ++k) {
        py::array_t<double> a({static_cast<py::ssize_t>(nx), static_cast<py::ssize_t>(ny)});
        std::copy(r.values[k].begin(), r.values[k].end(), a.mutable_data());
        out[py::str(to_string(r.metrics[k]))] = a;
    }
    // Per cell whether it diverged (the metric diverged_at, when asked for, says at which step).
    py::array_t<bool> diverged({static_cast<py::ssize_t>(nx), static_cast<py::ssize_t>(ny)});
    for (long c = 0; c < nx * ny; ++c)
        diverged.mutable_data()[c] = r.diverged_at[static_cast<size_t>(c)] >= 0;
    out["diverged"] = diverged;
    out["steps"] = r.steps;
    out["tol"] = r.tol;
    out["f_min"] = r.f_min;
    return out;
}

py::object py_hessian(const py::kwargs& kwargs) {
    if (wants_network(kwargs)) {
        Extras extras;
        Args args = args_from_kwargs(kwargs, cli::network_hessian_options(), &extras);
        const cli::NetworkHessianJob job = checked(cli::network_hessian_job(args));
        std::atomic<bool> cancel{false};
        std::atomic<long> done{0};
        auto run = run_engine(
            [&] {
                return simulate_network(job.scene, RunControl{&cancel, &done});
            },
            cancel, done, job.scene.scene.steps + 1, extras.progress);
        if (!run) refuse(cli::as_flag(run.error()));
        return from_json(
            cli::network_hessian_json(checked(cli::network_hessian_at(*run, job.step))), true);
    }
    Args args = args_from_kwargs(kwargs, cli::hessian_options(), nullptr);
    return from_json(cli::hessian_json(checked(cli::hessian_job(args))), true);
}

py::object py_discover(const py::kwargs& kwargs) {
    if (wants_network(kwargs)) {
        Args args = args_from_kwargs(kwargs, cli::network_discover_options(), nullptr);
        return from_json(cli::network_discover_json(checked(cli::network_discover_job(args))),
                         true);
    }
    Args args = args_from_kwargs(kwargs, cli::discover_options(), nullptr);
    return from_json(cli::discover_json(checked(cli::discover_job(args))), true);
}

py::object py_losses() {
    return from_json(cli::losses_json()["losses"], false);
}

py::object py_load_scene(const py::object& path) {
    auto doc = io::load_scene_file_native(fspath(path));
    if (!doc) refuse(Error{"", doc.error().what()});
    for (const auto& w : doc->warnings)
        PyErr_WarnEx(PyExc_UserWarning, w.toStdString().c_str(), 1);
    return from_json(io::scene_to_json(*doc), false);
}

void py_save_scene(const py::object& scene, const py::object& path) {
    if (!py::isinstance<py::dict>(scene))
        refuse(Error{"scene", "expects a dict (as load_scene returns)"});
    const std::string text = py::module_::import("json").attr("dumps")(scene).cast<std::string>();
    auto doc = io::parse_scene(QByteArray::fromStdString(text));
    if (!doc) refuse(Error{"scene", doc.error().what()});
    const std::string err = io::write_file_bytes(fspath(path), io::serialize_scene(*doc));
    if (!err.empty()) throw std::runtime_error(err);
}

// ---------------------------------------------------------------------------------------------
// Docstrings: the CLI's option lines with keywords for flags

std::string keyword_lines(const char* help, const std::set<std::string>& skip) {
    std::string out, text = help;
    size_t pos = 0;
    bool keep = false;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        if (line.rfind("  --", 0) == 0) {
            const size_t name_end = line.find_first_of(" =", 4);
            const std::string name = line.substr(4, name_end - 4);
            keep = !skip.count(name);
        } else if (line.rfind("    ", 0) != 0) {
            keep = false;  // not an option's continuation line
        }
        if (!keep) continue;
        // "  --name-x VALUE   text" -> "  name_x=VALUE     text"; a flag -> "name=True"; other
        // --flags in the text become keywords too.
        if (line.rfind("  --", 0) == 0) {
            const size_t name_end = line.find_first_of(" =", 4);
            const size_t text_start = line.find("  ", name_end);
            std::string left = line.substr(4, name_end - 4);
            const std::string rest =
                line.substr(name_end, text_start == std::string::npos ? std::string::npos
                                                                      : text_start - name_end);
            const std::string placeholder = rest.empty() ? "" : rest.substr(1);
            left += "=" + (placeholder.empty() ? std::string("True") : placeholder);
            std::string text = text_start == std::string::npos
                                   ? ""
                                   : line.substr(line.find_first_not_of(' ', text_start));
            line = "  " + left;
            if (!text.empty()) {
                line += line.size() < 23 ? std::string(23 - line.size(), ' ') : std::string("  ");
                line += text;
            }
        }
        std::string converted;
        for (size_t i = 0; i < line.size(); ++i) {
            if (line.compare(i, 2, "--") == 0 && i + 2 < line.size() &&
                std::isalpha(static_cast<unsigned char>(line[i + 2]))) {
                i += 2;
                while (i < line.size() &&
                       (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '-')) {
                    converted.push_back(line[i] == '-' ? '_' : line[i]);
                    ++i;
                }
                --i;
            } else {
                converted.push_back(line[i]);
            }
        }
        if (line.rfind("  ", 0) == 0 && line.size() > 2 && line[2] != ' ') {
            // the option column itself: dashes inside the keyword
            const size_t eq = converted.find('=');
            for (size_t i = 2; i < eq; ++i)
                if (converted[i] == '-') converted[i] = '_';
        }
        out += converted + "\n";
    }
    return out;
}

const char* kModuleDoc =
    "NoetherLab's engine from Python: the subcommands of noetherlab-cli as functions.\n\n"
    "Every keyword is the CLI option of the same name with dashes as underscores\n"
    "(weight_decay=1e-3 is --weight-decay 1e-3); lists are given as lists (q0=[0.6, 0.5]),\n"
    "flags as True. The numbers are bit for bit those of the CLI; bad input raises\n"
    "ValueError with the CLI's message naming the option; divergence is data, not an error.\n"
    "Long calls release the GIL, stop on Ctrl-C (KeyboardInterrupt) and accept\n"
    "progress=callable(done, total).";

}  // namespace

PYBIND11_MODULE(noetherlab, m) {
    m.doc() = kModuleDoc;
    const std::set<std::string> cli_only{"out", "help", "json", "model", "network"};
    static std::string doc_simulate, doc_sweep, doc_hessian, doc_discover;
    std::string doc =

        "Runs one scene, as `noetherlab-cli simulate`. Returns a dict keyed by model name\n"
        "('discrete', 'ode', ...), each a dict of NumPy arrays named as the CSV's columns:\n"
        "step, t, q (samples x n), loss, grad_norm, r2, J_<generator> for every generator,\n"
        "v (samples x n), plus predictions (dict of the closed-form series), diverged_at\n"
        "(first bad step, or None), integration_failed_at (or None) and message.\n"
        "A network run (network='2-16-1', data='moons', ...) adds Q_<generator> for every\n"
        "symmetric generator and batch_loss (discrete model).\n\n"
        "Options:\n"
        "  loss=NAME            a built-in loss (losses() lists them), or expr=...\n"
        "  q0=[X1, .., Xn]      the start (required unless the scene gives it)\n"
        "  steps=N              the number of steps (required unless the scene gives it)\n"
        "  param={NAME: VALUE}  loss parameters (VALUE a number or a list)\n"
        "  const={NAME: VALUE}  the constants of expr\n"
        "  models=[M, ...]      the models to run: discrete, ode, ode-rest, flow,\n"
        "                       modified-flow (default: discrete, or the scene file's)\n"
        "  model=M              one model (the same names)\n"
        "  scene=PATH or dict   a scene file, or a scene as load_scene returns it\n"
        "  progress=f           called as f(samples done, samples total)\n";
    doc += keyword_lines(cli::simulate_help(), cli_only);
    doc += "Network options (with network='D0-D1-..-DL'):\n";
    doc += keyword_lines(cli::network_help(), {});
    doc_simulate = doc;
    m.def("simulate", &py_simulate, doc_simulate.c_str());

    doc =
        "A regime map over (lr, momentum), as `noetherlab-cli sweep`. Returns a dict with the\n"
        "axes 'lr' (nx) and 'momentum' (ny), one nx x ny array per metric (NaN as the CSV's\n"
        "'nan'), diverged (nx x ny booleans), steps, tol and f_min.\n"
        "Ranges are (A, B, N) tuples or 'A:B:N' strings; metric a list or 'a,b'.\n\n"
        "Options:\n"
        "  loss=NAME, expr=EXPR or scene=PATH|dict   the loss, as for simulate\n"
        "  q0=[X1, .., Xn], steps=N                  the start and the length\n"
        "  progress=f           called as f(cells done, cells total)\n";
    doc += keyword_lines(cli::sweep_help(), cli_only);
    doc_sweep = doc;
    m.def("sweep", &py_sweep, doc_sweep.c_str());

    doc =
        "Second-order geometry at one point, as `noetherlab-cli hessian --json`: the keys of\n"
        "its JSON, vectors and matrices as NumPy arrays.\n\nOptions:\n"
        "  loss=NAME, expr=EXPR or scene=PATH|dict   the loss, as for simulate\n";
    doc += keyword_lines(cli::hessian_help(), cli_only);
    doc_hessian = doc;
    m.def("hessian", &py_hessian, doc_hessian.c_str());

    doc =
        "The affine symmetries of a loss, as `noetherlab-cli discover --json`: the keys of its\n"
        "JSON, vectors and matrices as NumPy arrays.\n\nOptions:\n"
        "  loss=NAME, expr=EXPR or scene=PATH|dict   the loss, as for simulate\n";
    doc += keyword_lines(cli::discover_help(), cli_only);
    doc_discover = doc;
    m.def("discover", &py_discover, doc_discover.c_str());

    m.def("losses", &py_losses,

          "The built-in losses, as `noetherlab-cli losses --json`: name, dim, params (name,\n"
          "default, doc), symmetries, formula, description, suggested_q0.");
    m.def("load_scene", &py_load_scene, py::arg("path"),

          "Reads and checks a .noether scene file (docs/SCENE-FORMAT.md); returns its JSON as\n"
          "a dict, to edit and pass to simulate(scene=...) or save_scene. ValueError names\n"
          "the file and the field.");
    m.def("save_scene", &py_save_scene, py::arg("scene"), py::arg("path"),

          "Checks a scene dict and writes it atomically: the file is complete or untouched.\n"
          "ValueError names the field; RuntimeError says why the file could not be written.");
}

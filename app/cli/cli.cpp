#include "cli/cli.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cli/jobs.hpp"
#include "io/file_io.hpp"
#include "io/scene_file.hpp"
#include "noether/loss.hpp"

namespace noether::cli {

std::optional<std::string> Args::get(const std::string& name) const {
    auto it = values.find(name);
    if (it == values.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
}

OptionSpec scene_options() {
    return {{"loss",  "eps",     "param", "rule",  "lr",  "momentum", "weight-decay",
             "alpha", "opt-eps", "betas", "q0",    "v0",  "steps",    "model",
             "out",   "scene",   "expr",  "const", "dim", "ode-rtol"},
            {"nesterov", "centered", "constrain-norm", "help"}};
}

Result<Args> parse_args(int argc, char** argv, int first, const OptionSpec& spec) {
    Args args;
    for (int i = first; i < argc; ++i) {
        std::string tok = argv[i];
        if (tok.rfind("--", 0) != 0 || tok.size() == 2)
            return Error{tok, "unexpected argument (options start with --)"};
        std::string name = tok.substr(2), value;
        bool has_value = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            has_value = true;
        }
        if (spec.flags.count(name)) {
            if (has_value) return Error{"--" + name, "is a flag and takes no value"};
            args.flags.insert(name);
            continue;
        }
        if (!spec.valued.count(name)) return Error{"--" + name, "unknown option"};
        if (!has_value) {
            if (i + 1 >= argc) return Error{"--" + name, "needs a value"};
            value = argv[++i];
        }
        args.values[name].push_back(value);
    }
    return args;
}

Result<double> parse_number(const std::string& option, const std::string& text) {
    const char* s = text.c_str();
    char* end = nullptr;
    errno = 0;
    const double x = std::strtod(s, &end);
    if (text.empty() || end == s || *end != '\0')
        return Error{"--" + option, "'" + text + "' is not a number"};
    if (!std::isfinite(x) || errno == ERANGE)
        return Error{"--" + option, "'" + text + "' is not a finite number"};
    return x;
}

Result<std::vector<double>> parse_list(const std::string& option, const std::string& text) {
    std::vector<double> out;
    size_t start = 0;
    while (true) {
        const size_t comma = text.find(',', start);
        const std::string part =
            text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        auto x = parse_number(option, part);
        if (!x) return x.error();
        out.push_back(*x);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

Result<long> parse_count(const std::string& option, const std::string& text) {
    const char* s = text.c_str();
    char* end = nullptr;
    errno = 0;
    const long long x = std::strtoll(s, &end, 10);
    if (text.empty() || end == s || *end != '\0' || errno == ERANGE)
        return Error{"--" + option, "'" + text + "' is not a whole number"};
    if (x < 0) return Error{"--" + option, "must be >= 0 (got " + text + ")"};
    return static_cast<long>(x);
}

namespace {

Vector to_vector(const std::vector<double>& v) {
    return Eigen::Map<const Vector>(v.data(), static_cast<Eigen::Index>(v.size()));
}

}  // namespace

Result<Scene> scene_from_args(const Args& args, bool require_q0, bool require_steps) {
    Scene sc;
    // A scene file gives every field; the flags below override it.
    const bool from_file = args.has("scene") || args.scene;
    if (args.scene) {
        sc = *args.scene;
    } else if (auto path = args.get("scene")) {
        auto doc = io::load_scene_file_native(*path);
        if (!doc) return Error{"--scene", doc.error().what()};
        sc = doc->scene;
    }
    // Loss (another loss than the file's starts from that loss's defaults).
    if (auto name = args.get("loss")) {
        if (*name != sc.loss.name) sc.loss = LossSpec{};
        sc.loss.name = *name;
    }
    if (auto e = args.get("expr")) {
        if (args.has("loss")) return Error{"--expr", "give either --loss or --expr, not both"};
        if (sc.loss.name != "expr") sc.loss = LossSpec{};
        sc.loss.name = "expr";
        sc.loss.expr = *e;
    } else if (!args.has("loss") && !from_file) {
        return Error{"--loss", "is required (see `noetherlab-cli losses`)"};
    }
    if (auto d = args.get("dim")) {
        auto n = parse_count("dim", *d);
        if (!n) return n.error();
        sc.loss.expr_dim = static_cast<int>(*n);
    }
    if (auto it = args.values.find("const"); it != args.values.end()) {
        for (const auto& kv : it->second) {
            const auto eq = kv.find('=');
            if (eq == std::string::npos || eq == 0)
                return Error{"--const", "expects NAME=VALUE (got '" + kv + "')"};
            auto x = parse_number("const", kv.substr(eq + 1));
            if (!x) return x.error();
            sc.loss.constants[kv.substr(0, eq)] = *x;
        }
    }
    if (auto e = args.get("eps")) {
        auto x = parse_number("eps", *e);
        if (!x) return x.error();
        sc.loss.eps = *x;
    }
    if (auto it = args.values.find("param"); it != args.values.end()) {
        for (const auto& kv : it->second) {
            const auto eq = kv.find('=');
            if (eq == std::string::npos || eq == 0)
                return Error{"--param", "expects NAME=VALUE[,VALUE...] (got '" + kv + "')"};
            auto x = parse_list("param", kv.substr(eq + 1));
            if (!x) return x.error();
            sc.loss.params[kv.substr(0, eq)] = *x;
        }
    }
    // Rule.
    if (auto r = args.get("rule")) {
        auto rule = parse_rule(*r);
        if (!rule)
            return Error{"--rule",
                         "unknown rule '" + *r + "' (sgd, rmsprop, rmsprop-norm, adam, adamw)"};
        sc.rule.rule = *rule;
    }
    const std::pair<const char*, double*> numbers[] = {{"lr", &sc.rule.lr},
                                                       {"momentum", &sc.rule.momentum},
                                                       {"weight-decay", &sc.rule.weight_decay},
                                                       {"alpha", &sc.rule.alpha},
                                                       {"opt-eps", &sc.rule.opt_eps},
                                                       {"ode-rtol", &sc.ode_rtol}};
    for (const auto& [name, dst] : numbers) {
        if (auto v = args.get(name)) {
            auto x = parse_number(name, *v);
            if (!x) return x.error();
            *dst = *x;
        }
    }
    if (auto b = args.get("betas")) {
        auto x = parse_list("betas", *b);
        if (!x) return x.error();
        if (x->size() != 2) return Error{"--betas", "expects two numbers B1,B2 (got '" + *b + "')"};
        sc.rule.beta1 = (*x)[0];
        sc.rule.beta2 = (*x)[1];
    }
    if (args.flags.count("nesterov")) sc.rule.nesterov = true;
    if (args.flags.count("centered")) sc.rule.centered = true;
    if (args.flags.count("constrain-norm")) sc.rule.constrain_norm = true;
    if (auto s = validate(sc.rule); !s) return Error{"--" + s.error().field, s.error().message};
    // Start and length.
    if (auto q = args.get("q0")) {
        auto x = parse_list("q0", *q);
        if (!x) return x.error();
        sc.q0 = to_vector(*x);
    } else if (require_q0 && !from_file) {
        return Error{"--q0", "is required (e.g. --q0=0.6,0.5)"};
    }
    if (auto v = args.get("v0")) {
        auto x = parse_list("v0", *v);
        if (!x) return x.error();
        sc.v0 = to_vector(*x);
    }
    if (auto s = args.get("steps")) {
        auto n = parse_count("steps", *s);
        if (!n) return n.error();
        sc.steps = *n;
    } else if (require_steps && !from_file) {
        return Error{"--steps", "is required"};
    }
    if (auto m = args.get("model")) {
        auto model = parse_model(*m);
        if (!model)
            return Error{"--model", "unknown model '" + *m +
                                        "' (discrete, ode, ode-rest, flow, modified-flow)"};
        for (Model each : kAllModels)
            set_shown(sc, each, each == *model);
    }
    return sc;
}

Error as_flag(Error e) {
    if (!e.field.empty() && e.field.rfind("--", 0) != 0 && e.field.find(' ') == std::string::npos)
        e.field = "--" + e.field;
    return e;
}

int fail(const Error& e) {
    std::fprintf(stderr, "noetherlab-cli: %s\n", e.what().c_str());
    return kExitInvalid;
}

int fail_write(const std::string& message) {
    std::fprintf(stderr, "noetherlab-cli: %s\n", message.c_str());
    return kExitWrite;
}

namespace {
int g_stdout_errno = 0;  // the first failed write to stdout
}  // namespace

void write_stdout(const char* data, std::size_t size) {
    errno = 0;
    if (std::fwrite(data, 1, size, stdout) != size && g_stdout_errno == 0)
        g_stdout_errno = errno ? errno : EIO;
}

int finish_stdout(int status) {
    static bool reported = false;  // said once, even when checked again at exit
    if (reported) return kExitWrite;
    errno = 0;
    const bool flushed = std::fflush(stdout) == 0;
    const int flush_errno = errno;
    if (flushed && !std::ferror(stdout) && g_stdout_errno == 0) return status;
    const int err = g_stdout_errno ? g_stdout_errno : (flush_errno ? flush_errno : EIO);
    reported = true;
    return fail_write(std::string("could not write standard output: ") + std::strerror(err));
}

int write_out(const std::string& native_path, const QByteArray& bytes) {
    const std::string err = io::write_file_bytes(native_path, bytes);
    return err.empty() ? kExitOk : fail_write(err);
}

QJsonValue num(double x) {
    return std::isfinite(x) ? QJsonValue(x) : QJsonValue();
}

QJsonArray vec_json(const Vector& v) {
    QJsonArray a;
    for (Eigen::Index i = 0; i < v.size(); ++i)
        a.append(num(v[i]));
    return a;
}

QJsonArray mat_json(const Matrix& M) {
    QJsonArray rows;
    for (Eigen::Index i = 0; i < M.rows(); ++i)
        rows.append(vec_json(M.row(i).transpose()));
    return rows;
}

}  // namespace noether::cli

// Scene files (.noether): parse, validate, serialise, save atomically, and the pasteable link.
// The format is documented in docs/SCENE-FORMAT.md; every refusal names the JSON field.
#include "io/scene_file.hpp"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLocale>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <map>

#include "io/file_io.hpp"
#include "io/run_export.hpp"
#include "noether/loss.hpp"

namespace noether::io {
namespace {

constexpr const char* kFormatName = "noetherlab-scene";
constexpr const char* kLinkPrefix = "noether:";

// Panel and palette names the GUI knows (docs/SCENE-FORMAT.md, "view").
const QStringList kPanels = {"landscape", "charges", "budget",     "phase",
                             "loss",      "lr",      "explanation"};
const QStringList kPalettes = {"default", "projector", "colorblind"};
const QStringList kTimeWindows = {"log", "all", "first 10%", "first 1%"};

std::string shortest(double x) {
    return QString::number(x, 'g', QLocale::FloatingPointShortest).toStdString();
}

std::string join(const std::string& path, const std::string& key) {
    if (path.empty()) return key;
    std::string out = path;
    out.append(".").append(key);
    return out;
}

std::string index(const std::string& path, qsizetype i) {
    std::string out = path;
    out.append("[").append(std::to_string(i)).append("]");
    return out;
}

// What a JSON value is, for "must be X (got Y)".
std::string describe(const QJsonValue& v) {
    switch (v.type()) {
        case QJsonValue::Null:
            return "null";
        case QJsonValue::Bool:
            return v.toBool() ? "true" : "false";
        case QJsonValue::Double:
            return shortest(v.toDouble());
        case QJsonValue::String: {
            QString s = v.toString();
            if (s.size() > 40) s = s.left(37) + "...";
            std::string out = "\"";
            out.append(s.toStdString()).append("\"");
            return out;
        }
        case QJsonValue::Array:
            return "a list";
        case QJsonValue::Object:
            return "an object";
        case QJsonValue::Undefined:
            break;
    }
    return "nothing";
}

Error type_error(const std::string& path, const char* expected, const QJsonValue& v) {
    std::string msg = "must be ";
    msg.append(expected).append(" (got ").append(describe(v)).append(")");
    return Error{path, msg};
}

// Optional members of an object: absent keeps the default, a wrong type is an Error.
Status read_number(const QJsonObject& o, const char* key, const std::string& path, double& out) {
    const auto it = o.constFind(QLatin1String(key));
    if (it == o.constEnd()) return {};
    const std::string p = join(path, key);
    if (!it->isDouble()) return type_error(p, "a number", *it);
    const double x = it->toDouble();
    if (!std::isfinite(x)) return Error{p, "must be a finite number"};
    out = x;
    return {};
}

Status read_bool(const QJsonObject& o, const char* key, const std::string& path, bool& out) {
    const auto it = o.constFind(QLatin1String(key));
    if (it == o.constEnd()) return {};
    if (!it->isBool()) return type_error(join(path, key), "true or false", *it);
    out = it->toBool();
    return {};
}

Status read_string(const QJsonObject& o, const char* key, const std::string& path, QString& out) {
    const auto it = o.constFind(QLatin1String(key));
    if (it == o.constEnd()) return {};
    if (!it->isString()) return type_error(join(path, key), "text", *it);
    out = it->toString();
    return {};
}

// A whole number in [lo, hi].
Status read_whole(const QJsonObject& o, const char* key, const std::string& path, long lo, long hi,
                  long& out) {
    const auto it = o.constFind(QLatin1String(key));
    if (it == o.constEnd()) return {};
    const std::string p = join(path, key);
    if (!it->isDouble()) return type_error(p, "a whole number", *it);
    const double x = it->toDouble();
    if (!std::isfinite(x) || std::floor(x) != x)
        return Error{p, "must be a whole number (got " + shortest(x) + ")"};
    if (x < static_cast<double>(lo) || x > static_cast<double>(hi))
        return Error{p, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                            " (got " + shortest(x) + ")"};
    out = static_cast<long>(x);
    return {};
}

// A list of finite numbers.
Status to_numbers(const QJsonValue& v, const std::string& path, std::vector<double>& out) {
    if (!v.isArray()) return type_error(path, "a list of numbers", v);
    const QJsonArray a = v.toArray();
    out.clear();
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (!a[i].isDouble()) return type_error(index(path, i), "a number", a[i]);
        const double x = a[i].toDouble();
        if (!std::isfinite(x)) return Error{index(path, i), "must be a finite number"};
        out.push_back(x);
    }
    return {};
}

Vector to_vector(const std::vector<double>& v) {
    return Eigen::Map<const Vector>(v.data(), static_cast<Eigen::Index>(v.size()));
}

QJsonArray to_array(const std::vector<double>& v) {
    QJsonArray a;
    for (double x : v)
        a.append(x);
    return a;
}

QJsonArray to_array(const Vector& v) {
    QJsonArray a;
    for (Eigen::Index i = 0; i < v.size(); ++i)
        a.append(v[i]);
    return a;
}

// Unknown members of `o` go to `kept` and are reported; nothing is dropped silently. More than
// kMaxUnknownFields of them in one object is refused (before any is kept: a file of millions of
// unknown fields costs one pass, not a warning each).
Status keep_unknown(const QJsonObject& o, std::initializer_list<const char*> known,
                    const std::string& path, QJsonObject& kept, QStringList& warnings) {
    const auto is_known = [&](const QString& key) {
        for (const char* k : known)
            if (key == QLatin1String(k)) return true;
        return false;
    };
    qsizetype unknown = 0;
    for (auto it = o.constBegin(); it != o.constEnd(); ++it)
        unknown += is_known(it.key()) ? 0 : 1;
    if (unknown > kMaxUnknownFields)
        return Error{path.empty() ? "(top level)" : path,
                     "has " + std::to_string(unknown) + " unknown fields (at most " +
                         std::to_string(kMaxUnknownFields) + " are kept)"};
    for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
        if (is_known(it.key())) continue;
        kept.insert(it.key(), it.value());
        warnings << QString("unknown field '%1' kept (not used by this version of NoetherLab)")
                        .arg(QString::fromStdString(join(path, it.key().toStdString())));
    }
    return {};
}

// Core error fields (CLI-style names) -> JSON paths of the scene file.
std::string loss_path(const std::string& field) {
    static const std::map<std::string, std::string> kMap = {
        {"loss", "loss.name"},    {"name", "loss.name"},       {"eps", "loss.eps"},
        {"param", "loss.params"}, {"params", "loss.params"},   {"expr", "loss.expr"},
        {"dim", "loss.dim"},      {"const", "loss.constants"}, {"constants", "loss.constants"}};
    if (auto it = kMap.find(field); it != kMap.end()) return it->second;
    if (field.rfind("param ", 0) == 0) return "loss.params." + field.substr(6);
    if (field.rfind("const ", 0) == 0) return "loss.constants." + field.substr(6);
    if (field.empty()) return "loss";
    return join("loss", field);
}

std::string scene_path(const std::string& field) {
    static const std::map<std::string, std::string> kMap = {
        {"lr", "rule.lr"},
        {"momentum", "rule.momentum"},
        {"weight-decay", "rule.weight_decay"},
        {"weight_decay", "rule.weight_decay"},
        {"alpha", "rule.alpha"},
        {"opt-eps", "rule.opt_eps"},
        {"opt_eps", "rule.opt_eps"},
        {"betas", "rule.betas"},
        {"nesterov", "rule.nesterov"},
        {"centered", "rule.centered"},
        {"constrain-norm", "rule.constrain_norm"},
        {"rule", "rule.rule"},
        {"model", "models"},
        {"ode-rtol", "ode_rtol"}};
    if (auto it = kMap.find(field); it != kMap.end()) return it->second;
    if (field == "loss" || field == "eps" || field.rfind("param", 0) == 0 ||
        field.rfind("const", 0) == 0 || field == "expr" || field == "dim")
        return loss_path(field);
    return field;
}

// The "loss" object.
Status read_loss(const QJsonObject& root, SceneDocument& doc) {
    const auto it = root.constFind(QLatin1String("loss"));
    if (it == root.constEnd())
        return Error{"loss", "is missing (an object with at least \"name\")"};
    if (!it->isObject()) return type_error("loss", "an object", *it);
    const QJsonObject o = it->toObject();
    LossSpec& spec = doc.scene.loss;
    spec = LossSpec{};
    if (!o.contains("name")) return Error{"loss.name", "is missing (e.g. \"scale_cos\")"};
    QString name;
    if (auto s = read_string(o, "name", "loss", name); !s) return s;
    spec.name = name.toStdString();
    if (auto s = read_number(o, "eps", "loss", spec.eps); !s) return s;
    if (const auto p = o.constFind(QLatin1String("params")); p != o.constEnd()) {
        if (!p->isObject()) return type_error("loss.params", "an object", *p);
        const QJsonObject params = p->toObject();
        if (params.size() > kMaxListedMembers)
            return Error{"loss.params", "has " + std::to_string(params.size()) +
                                            " members (at most " +
                                            std::to_string(kMaxListedMembers) + ")"};
        for (auto q = params.constBegin(); q != params.constEnd(); ++q) {
            const std::string path = join("loss.params", q.key().toStdString());
            std::vector<double> values;
            if (q->isDouble()) {
                values = {q->toDouble()};
            } else if (auto s = to_numbers(*q, path, values); !s) {
                return Error{s.error().field, "must be a number or a list of numbers"};
            }
            spec.params[q.key().toStdString()] = values;
        }
    }
    QString expr;
    if (auto s = read_string(o, "expr", "loss", expr); !s) return s;
    spec.expr = expr.toStdString();
    long dim = 0;
    if (auto s = read_whole(o, "dim", "loss", 0, 64, dim); !s) return s;
    spec.expr_dim = static_cast<int>(dim);
    if (const auto c = o.constFind(QLatin1String("constants")); c != o.constEnd()) {
        if (!c->isObject()) return type_error("loss.constants", "an object", *c);
        const QJsonObject consts = c->toObject();
        if (consts.size() > kMaxListedMembers)
            return Error{"loss.constants", "has " + std::to_string(consts.size()) +
                                               " members (at most " +
                                               std::to_string(kMaxListedMembers) + ")"};
        for (auto q = consts.constBegin(); q != consts.constEnd(); ++q) {
            const std::string path = join("loss.constants", q.key().toStdString());
            if (!q->isDouble()) return type_error(path, "a number", *q);
            spec.constants[q.key().toStdString()] = q->toDouble();
        }
    }
    if (spec.name != "expr" && (o.contains("expr") || o.contains("dim") || o.contains("constants")))
        doc.warnings << QString(
            "loss.expr, loss.dim and loss.constants are only used when "
            "loss.name is \"expr\" (kept)");
    QJsonObject unknown;
    if (auto s = keep_unknown(o, {"name", "eps", "params", "expr", "dim", "constants"}, "loss",
                              unknown, doc.warnings);
        !s)
        return s;
    if (!unknown.isEmpty()) doc.extra.insert("loss", unknown);
    return {};
}

// The "rule" object (optional: torch.optim defaults).
Status read_rule(const QJsonObject& root, SceneDocument& doc) {
    RuleParams& r = doc.scene.rule;
    r = RuleParams{};
    const auto it = root.constFind(QLatin1String("rule"));
    if (it == root.constEnd()) return {};
    if (!it->isObject()) return type_error("rule", "an object", *it);
    const QJsonObject o = it->toObject();
    QString name = to_string(r.rule);
    if (auto s = read_string(o, "rule", "rule", name); !s) return s;
    const auto rule = parse_rule(name.toStdString());
    if (!rule)
        return Error{"rule.rule", "unknown rule \"" + name.toStdString() +
                                      "\" (sgd, rmsprop, rmsprop-norm, adam, adamw)"};
    r.rule = *rule;
    const std::pair<const char*, double*> numbers[] = {{"lr", &r.lr},
                                                       {"momentum", &r.momentum},
                                                       {"weight_decay", &r.weight_decay},
                                                       {"alpha", &r.alpha},
                                                       {"opt_eps", &r.opt_eps}};
    for (const auto& [key, dst] : numbers)
        if (auto s = read_number(o, key, "rule", *dst); !s) return s;
    const std::pair<const char*, bool*> flags[] = {{"nesterov", &r.nesterov},
                                                   {"centered", &r.centered},
                                                   {"constrain_norm", &r.constrain_norm}};
    for (const auto& [key, dst] : flags)
        if (auto s = read_bool(o, key, "rule", *dst); !s) return s;
    if (const auto b = o.constFind(QLatin1String("betas")); b != o.constEnd()) {
        std::vector<double> betas;
        if (auto s = to_numbers(*b, "rule.betas", betas); !s) return s;
        if (betas.size() != 2)
            return Error{"rule.betas", "needs two numbers [beta1, beta2] (got " +
                                           std::to_string(betas.size()) + ")"};
        r.beta1 = betas[0];
        r.beta2 = betas[1];
    }
    QJsonObject unknown;
    if (auto s = keep_unknown(o,
                              {"rule", "lr", "momentum", "weight_decay", "nesterov", "alpha",
                               "opt_eps", "betas", "centered", "constrain_norm"},
                              "rule", unknown, doc.warnings);
        !s)
        return s;
    if (!unknown.isEmpty()) doc.extra.insert("rule", unknown);
    return {};
}

// A [lo, hi] range with lo < hi.
Status check_range(const QJsonObject& o, const char* key, const std::string& path) {
    const auto it = o.constFind(QLatin1String(key));
    if (it == o.constEnd()) return {};
    const std::string p = join(path, key);
    std::vector<double> r;
    if (auto s = to_numbers(*it, p, r); !s) return s;
    if (r.size() != 2 || !(r[0] < r[1])) return Error{p, "must be [low, high] with low < high"};
    return {};
}

// The documented members of "view"; everything else in it is the GUI's and kept verbatim.
Status check_view(const QJsonObject& root, int dim, SceneDocument& doc) {
    doc.view = {};
    const auto it = root.constFind(QLatin1String("view"));
    if (it == root.constEnd()) return {};
    if (!it->isObject()) return type_error("view", "an object", *it);
    const QJsonObject v = it->toObject();
    if (const auto p = v.constFind(QLatin1String("panels")); p != v.constEnd()) {
        if (!p->isArray()) return type_error("view.panels", "a list of panel names", *p);
        const QJsonArray a = p->toArray();
        if (a.size() > kMaxListedMembers)
            return Error{"view.panels", "has " + std::to_string(a.size()) + " entries (at most " +
                                            std::to_string(kMaxListedMembers) + ")"};
        for (qsizetype i = 0; i < a.size(); ++i) {
            if (!a[i].isString()) return type_error(index("view.panels", i), "text", a[i]);
            if (!kPanels.contains(a[i].toString()))
                doc.warnings << QString("view.panels[%1]: unknown panel '%2' kept (known: %3)")
                                    .arg(i)
                                    .arg(a[i].toString(), kPanels.join(", "));
        }
    }
    if (const auto l = v.constFind(QLatin1String("landscape")); l != v.constEnd()) {
        if (!l->isObject()) return type_error("view.landscape", "an object", *l);
        const QJsonObject o = l->toObject();
        for (const char* key : {"x_range", "y_range"})
            if (auto s = check_range(o, key, "view.landscape"); !s) return s;
        bool b = false;
        for (const char* key : {"log_scale", "orbits"})
            if (auto s = read_bool(o, key, "view.landscape", b); !s) return s;
        if (const auto sl = o.constFind(QLatin1String("slice")); sl != o.constEnd()) {
            std::vector<double> ij;
            if (auto s = to_numbers(*sl, "view.landscape.slice", ij); !s) return s;
            const auto ok = [dim](double x) { return std::floor(x) == x && x >= 0 && x < dim; };
            if (ij.size() != 2 || !ok(ij[0]) || !ok(ij[1]) || ij[0] == ij[1])
                return Error{
                    "view.landscape.slice",
                    "must be two different coordinate indices in 0.." + std::to_string(dim - 1)};
        }
    }
    QString text;
    if (auto s = read_string(v, "phase", "view", text); !s) return s;
    if (auto s = read_string(v, "palette", "view", text); !s) return s;
    if (v.contains("time_window")) {
        QString w;
        if (auto s = read_string(v, "time_window", "view", w); !s) return s;
        if (!kTimeWindows.contains(w))
            return Error{"view.time_window", "must be one of " +
                                                 kTimeWindows.join(", ").toStdString() + " (got '" +
                                                 w.toStdString() + "')"};
    }
    if (v.contains("palette") && !kPalettes.contains(text))
        doc.warnings << QString("view.palette: unknown palette '%1' kept (known: %2)")
                            .arg(text, kPalettes.join(", "));
    if (const auto c = v.constFind(QLatin1String("compare")); c != v.constEnd()) {
        if (!c->isArray()) return type_error("view.compare", "a list of {label, patch}", *c);
        const QJsonArray a = c->toArray();
        if (a.size() > kMaxGhostRuns)
            return Error{"view.compare", "has " + std::to_string(a.size()) +
                                             " ghost runs (at most " +
                                             std::to_string(kMaxGhostRuns) + ")"};
        for (qsizetype i = 0; i < a.size(); ++i) {
            const std::string p = index("view.compare", i);
            if (!a[i].isObject()) return type_error(p, "an object {label, patch}", a[i]);
            const QJsonObject e = a[i].toObject();
            if (!e.value("label").isString())
                return type_error(join(p, "label"), "text", e.value("label"));
            if (!e.value("patch").isObject())
                return type_error(join(p, "patch"), "an object", e.value("patch"));
        }
    }
    doc.view = v;
    return {};
}

// Which models run: a list of names.
Status read_models(const QJsonObject& root, Scene& sc) {
    const auto it = root.constFind(QLatin1String("models"));
    if (it == root.constEnd()) return {};
    if (!it->isArray()) return type_error("models", "a list of model names", *it);
    for (Model m : kAllModels)
        set_shown(sc, m, false);
    const QJsonArray a = it->toArray();
    if (a.size() > kMaxListedMembers)
        return Error{"models", "has " + std::to_string(a.size()) + " entries (at most " +
                                   std::to_string(kMaxListedMembers) + ")"};
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (!a[i].isString()) return type_error(index("models", i), "a model name", a[i]);
        const auto m = parse_model(a[i].toString().toStdString());
        if (!m)
            return Error{index("models", i), "unknown model \"" + a[i].toString().toStdString() +
                                                 "\" (discrete, ode, ode-rest, flow, "
                                                 "modified-flow)"};
        set_shown(sc, *m, true);
    }
    return {};
}

// RFC 7396 JSON merge patch.
QJsonObject merge_patch(QJsonObject target, const QJsonObject& patch) {
    for (auto it = patch.constBegin(); it != patch.constEnd(); ++it) {
        if (it->isNull()) {
            target.remove(it.key());
        } else if (it->isObject()) {
            const QJsonValue cur = target.value(it.key());
            target.insert(it.key(), merge_patch(cur.isObject() ? cur.toObject() : QJsonObject{},
                                                it->toObject()));
        } else {
            target.insert(it.key(), *it);
        }
    }
    return target;
}

Result<SceneDocument> from_object(const QJsonObject& root, bool with_variants);

// A patched copy without its own variants (so variants never nest).
Result<SceneDocument> patched(const SceneDocument& doc, const QJsonObject& patch) {
    QJsonObject merged = merge_patch(scene_to_json(doc), patch);
    QJsonObject view = merged.value("view").toObject();
    view.remove("compare");
    if (view.isEmpty())
        merged.remove("view");
    else
        merged.insert("view", view);
    return from_object(merged, false);
}

Result<SceneDocument> from_object(const QJsonObject& root, bool with_variants) {
    SceneDocument doc;
    // Format and version come first: nothing else is read from a file of another kind.
    const QJsonValue format = root.value("format");
    if (format.isUndefined())
        return Error{"format", "is missing (a scene file has \"format\": \"noetherlab-scene\")"};
    if (format.toString() != kFormatName)
        return type_error("format", "\"noetherlab-scene\"", format);
    const QJsonValue version = root.value("version");
    if (version.isUndefined()) return Error{"version", "is missing (this NoetherLab writes 1)"};
    if (!version.isDouble()) return type_error("version", "a whole number", version);
    if (version.toDouble() != kSceneFormatVersion)
        return Error{"version", "unsupported version " + shortest(version.toDouble()) +
                                    " (this NoetherLab reads version " +
                                    std::to_string(kSceneFormatVersion) + ")"};
    if (auto s = keep_unknown(root,
                              {"format", "version", "title", "explanation", "equation", "loss",
                               "rule", "q0", "v0", "steps", "models", "ode_rtol", "view"},
                              "", doc.extra, doc.warnings);
        !s)
        return s.error();
    // Text.
    if (auto s = read_string(root, "title", "", doc.title); !s) return s.error();
    if (auto s = read_string(root, "explanation", "", doc.explanation); !s) return s.error();
    if (auto s = read_string(root, "equation", "", doc.equation); !s) return s.error();
    // Physics.
    Scene& sc = doc.scene;
    if (auto s = read_loss(root, doc); !s) return s.error();
    if (auto s = read_rule(root, doc); !s) return s.error();
    bool has_q0 = false;
    if (const auto q = root.constFind(QLatin1String("q0")); q != root.constEnd()) {
        std::vector<double> v;
        if (auto s = to_numbers(*q, "q0", v); !s) return s.error();
        sc.q0 = to_vector(v);
        has_q0 = true;
    }
    if (const auto v = root.constFind(QLatin1String("v0")); v != root.constEnd() && !v->isNull()) {
        std::vector<double> x;
        if (auto s = to_numbers(*v, "v0", x); !s) return s.error();
        sc.v0 = to_vector(x);
    }
    if (auto s = read_whole(root, "steps", "", 1, kMaxSteps, sc.steps); !s) return s.error();
    if (auto s = read_models(root, sc); !s) return s.error();
    if (auto s = read_number(root, "ode_rtol", "", sc.ode_rtol); !s) return s.error();
    // The engine's own validation, with its fields mapped to JSON paths.
    auto loss = make_loss(sc.loss);
    if (!loss) return Error{loss_path(loss.error().field), loss.error().message};
    if (!has_q0) {
        const LossInfo* info = find_loss_info(sc.loss.name);
        if (!info || static_cast<int>(info->suggested_q0.size()) != (*loss)->dim())
            return Error{"q0", "is missing (needs " + std::to_string((*loss)->dim()) +
                                   " numbers for this loss)"};
        sc.q0 = to_vector(info->suggested_q0);
    }
    if (auto s = validate(sc, **loss); !s)
        return Error{scene_path(s.error().field), s.error().message};
    if (auto s = check_run_size(sc, (*loss)->dim()); !s) return s.error();
    if (auto s = check_view(root, (*loss)->dim(), doc); !s) return s.error();
    // Every ghost run of view.compare must itself be a valid scene.
    if (with_variants) {
        const QJsonArray compare = doc.view.value("compare").toArray();
        for (qsizetype i = 0; i < compare.size(); ++i) {
            const QJsonObject e = compare[i].toObject();
            auto variant = patched(doc, e.value("patch").toObject());
            const std::string p = index("view.compare", i).append(".patch");
            if (!variant) {
                const Error& err = variant.error();
                return Error{err.field.empty() ? p : join(p, err.field), err.message};
            }
            for (const QString& w : variant->warnings)
                doc.warnings << QString::fromStdString(p) + ": " + w;
        }
    }
    return doc;
}

// 1-based line and column (in characters) of the character Qt's parser stopped at: its offset
// points just past the offending character.
std::pair<int, int> line_column(const QByteArray& text, qsizetype offset) {
    offset = std::clamp<qsizetype>(offset - 1, 0, text.size());
    int line = 1, column = 1;
    for (qsizetype i = 0; i < offset; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            ++line;
            column = 1;
        } else if ((c & 0xC0) != 0x80) {
            ++column;
        }
    }
    return {line, column};
}

}  // namespace

Status check_run_size(const Scene& sc, int dim) {
    const long long models = static_cast<long long>(sc.show_discrete) + sc.show_ode +
                             sc.show_ode_rest + sc.show_flow + sc.show_modified_flow;
    const long long samples =
        (static_cast<long long>(sc.steps) + 1) * std::max(1LL, models) * std::max(1, dim);
    if (samples > kMaxStoredSamples)
        return Error{"steps", "asks for " + std::to_string(samples) +
                                  " stored samples ((steps + 1) x models x dimension; at most " +
                                  std::to_string(kMaxStoredSamples) + ")"};
    return {};
}

QJsonObject scene_to_json(const SceneDocument& doc) {
    const Scene& sc = doc.scene;
    QJsonObject loss{{"name", QString::fromStdString(sc.loss.name)}, {"eps", sc.loss.eps}};
    QJsonObject params;
    for (const auto& [k, v] : sc.loss.params)
        params.insert(QString::fromStdString(k), to_array(v));
    loss.insert("params", params);
    const bool expr = sc.loss.name == "expr";
    if (expr || !sc.loss.expr.empty()) loss.insert("expr", QString::fromStdString(sc.loss.expr));
    if (expr || sc.loss.expr_dim != 0) loss.insert("dim", sc.loss.expr_dim);
    if (expr || !sc.loss.constants.empty()) {
        QJsonObject consts;
        for (const auto& [k, v] : sc.loss.constants)
            consts.insert(QString::fromStdString(k), v);
        loss.insert("constants", consts);
    }
    const RuleParams& r = sc.rule;
    QJsonObject rule{{"rule", to_string(r.rule)}, {"lr", r.lr},
                     {"momentum", r.momentum},    {"weight_decay", r.weight_decay},
                     {"nesterov", r.nesterov},    {"alpha", r.alpha},
                     {"opt_eps", r.opt_eps},      {"betas", QJsonArray{r.beta1, r.beta2}},
                     {"centered", r.centered},    {"constrain_norm", r.constrain_norm}};
    QJsonArray models;
    for (Model m : kAllModels)
        if (shows(sc, m)) models.append(to_string(m));
    QJsonObject o{{"format", kFormatName},
                  {"version", kSceneFormatVersion},
                  {"title", doc.title},
                  {"explanation", doc.explanation},
                  {"equation", doc.equation},
                  {"loss", loss},
                  {"rule", rule},
                  {"q0", to_array(sc.q0)},
                  {"steps", static_cast<double>(sc.steps)},
                  {"models", models},
                  {"ode_rtol", sc.ode_rtol}};
    if (sc.v0) o.insert("v0", to_array(*sc.v0));
    if (!doc.view.isEmpty()) o.insert("view", doc.view);
    // Unknown fields come back; under "loss"/"rule" they join the known members.
    for (auto it = doc.extra.constBegin(); it != doc.extra.constEnd(); ++it) {
        const QString& key = it.key();
        if (!o.contains(key)) {
            o.insert(key, *it);
        } else if ((key == "loss" || key == "rule") && it->isObject()) {
            QJsonObject known = o.value(key).toObject();
            const QJsonObject more = it->toObject();
            for (auto m = more.constBegin(); m != more.constEnd(); ++m)
                if (!known.contains(m.key())) known.insert(m.key(), *m);
            o.insert(key, known);
        }
    }
    return o;
}

Result<SceneDocument> scene_from_json(const QJsonObject& root) {
    return from_object(root, true);
}

Result<SceneDocument> parse_scene(const QByteArray& json) {
    QJsonParseError err;
    const QJsonDocument d = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError) {
        const auto [line, column] = line_column(json, err.offset);
        return Error{"", "not valid JSON: " + err.errorString().toStdString() + " at line " +
                             std::to_string(line) + ", column " + std::to_string(column)};
    }
    if (!d.isObject())
        return Error{"", "the top level of a scene file must be a JSON object (got a list)"};
    return from_object(d.object(), true);
}

QByteArray serialize_scene(const SceneDocument& doc) {
    return QJsonDocument(scene_to_json(doc)).toJson(QJsonDocument::Indented);
}

Result<SceneDocument> load_scene_file(const QString& path) {
    return load_scene_file_native(native_name(path));
}

Result<SceneDocument> load_scene_file_native(const std::string& path) {
    // At most the limit plus one byte, from a file, pipe or device alike.
    auto bytes = read_file_bounded(path, kMaxSceneFileBytes);
    if (!bytes) return bytes.error();
    auto doc = parse_scene(*bytes);
    if (!doc) {
        // Keep the JSON path as the field; the message says which file.
        const Error& e = doc.error();
        if (e.field.empty()) return Error{path, e.message};
        return Error{e.field, e.message + " (in " + path + ")"};
    }
    return doc;
}

QString save_scene_file(const QString& path, const SceneDocument& doc) {
    // Never write a file that would not load again.
    auto check = from_object(scene_to_json(doc), true);
    if (!check) return path + ": not saved: " + QString::fromStdString(check.error().what());
    return write_file_atomic(path, serialize_scene(doc));
}

QString scene_to_link(const SceneDocument& doc) {
    const QByteArray json = QJsonDocument(scene_to_json(doc)).toJson(QJsonDocument::Compact);
    return QString::fromLatin1(kLinkPrefix) +
           QString::fromLatin1(
               json.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

Result<SceneDocument> scene_from_link(const QString& link) {
    // Pasted text may be wrapped or indented: whitespace is ignored.
    QString s;
    for (QChar c : link)
        if (!c.isSpace()) s.append(c);
    if (!s.startsWith(QLatin1String(kLinkPrefix)))
        return Error{"link", "must start with \"noether:\" (a NoetherLab scene link)"};
    const QByteArray body = s.mid(static_cast<qsizetype>(std::strlen(kLinkPrefix))).toLatin1();
    if (body.isEmpty()) return Error{"link", "has no scene after \"noether:\""};
    for (qsizetype i = 0; i < body.size(); ++i) {
        const char c = body[i];
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                        (c == '=' && i >= body.size() - 2);
        if (!ok)
            return Error{"link", "character " + std::to_string(i + 1) +
                                     " after \"noether:\" is not base64url"};
    }
    if (body.size() % 4 == 1)
        return Error{"link", "is truncated (its base64url length cannot be complete)"};
    const auto decoded = QByteArray::fromBase64Encoding(
        body, QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) return Error{"link", "is not valid base64url"};
    auto doc = parse_scene(*decoded);
    if (!doc && doc.error().field.empty())
        return Error{"link", "does not hold a valid scene (truncated?): " + doc.error().message};
    return doc;
}

Result<SceneDocument> apply_patch(const SceneDocument& doc, const QJsonObject& patch) {
    return from_object(merge_patch(scene_to_json(doc), patch), true);
}

Result<std::vector<SceneVariant>> compare_variants(const SceneDocument& doc) {
    std::vector<SceneVariant> out;
    const QJsonArray compare = doc.view.value("compare").toArray();
    for (qsizetype i = 0; i < compare.size(); ++i) {
        const QJsonObject e = compare[i].toObject();
        auto variant = patched(doc, e.value("patch").toObject());
        if (!variant) {
            const std::string p = index("view.compare", i).append(".patch");
            return Error{join(p, variant.error().field), variant.error().message};
        }
        out.push_back({e.value("label").toString(), std::move(variant).value()});
    }
    return out;
}

}  // namespace noether::io

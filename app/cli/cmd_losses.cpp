// noetherlab-cli losses [--json]: the catalogue of built-in losses.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cstdio>

#include "cli/cli.hpp"
#include "cli/jobs.hpp"
#include "noether/loss.hpp"

namespace noether::cli {

QJsonObject losses_json() {
    QJsonArray list;
    for (const auto& l : builtin_losses()) {
        QJsonArray params, syms, q0;
        for (const auto& p : l.params) {
            QJsonArray def;
            for (double x : p.default_value)
                def.append(x);
            params.append(QJsonObject{{"name", QString::fromStdString(p.name)},
                                      {"default", p.is_vector ? QJsonValue(def) : def[0]},
                                      {"doc", QString::fromStdString(p.doc)}});
        }
        params.append(QJsonObject{
            {"name", "eps"}, {"default", 0.0}, {"doc", "explicit symmetry-breaking strength"}});
        for (const auto& s : l.symmetries)
            syms.append(QString::fromStdString(s));
        for (double x : l.suggested_q0)
            q0.append(x);
        list.append(QJsonObject{{"name", QString::fromStdString(l.name)},
                                {"dim", l.dim},
                                {"params", params},
                                {"symmetries", syms},
                                {"formula", QString::fromStdString(l.formula)},
                                {"description", QString::fromStdString(l.description)},
                                {"suggested_q0", q0}});
    }
    return QJsonObject{{"losses", list}};
}

int cmd_losses(int argc, char** argv) {
    auto args = parse_args(argc, argv, 2, {{}, {"json", "help"}});
    if (!args) return fail(args.error());
    if (args->flags.count("help")) {
        std::puts("usage: noetherlab-cli losses [--json]");
        return kExitOk;
    }
    if (args->flags.count("json")) {
        std::fputs(QJsonDocument(losses_json()).toJson().constData(), stdout);
        return kExitOk;
    }
    for (const auto& l : builtin_losses()) {
        std::string params = "eps=0";
        for (const auto& p : l.params) {
            params.append(", ").append(p.name).append("=");
            for (size_t i = 0; i < p.default_value.size(); ++i) {
                if (i) params.append(",");
                params.append(format_double(p.default_value[i]).substr(0, 8));
            }
        }
        std::string syms;
        for (const auto& s : l.symmetries)
            syms.append(syms.empty() ? "" : ",").append(s);
        std::printf("%-22s dim %d  symmetries: %-12s params: %s\n    %s\n", l.name.c_str(), l.dim,
                    syms.empty() ? "none" : syms.c_str(), params.c_str(), l.formula.c_str());
    }
    return kExitOk;
}

}  // namespace noether::cli

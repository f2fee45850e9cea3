#include "io/run_export.hpp"

#include <QJsonArray>

#include "io/file_io.hpp"

namespace noether::io {
namespace {

void append_number(QByteArray& out, double x) {
    char buf[kFormatDoubleChars];
    out.append(buf, format_double(x, buf));
}

QJsonArray to_array(const std::vector<double>& v) {
    QJsonArray a;
    for (double x : v)
        a.append(x);
    return a;
}

}  // namespace

QByteArray trajectory_csv(const Run& run, const Trajectory& tr) {
    const auto n = run.loss->dim();
    QByteArray out = "step,t";
    for (int i = 1; i <= n; ++i)
        out += ",q" + QByteArray::number(i);
    out += ",loss,grad_norm,r2";
    for (const auto& c : tr.charges)
        out += ",J_" + QByteArray::fromStdString(c.generator);
    for (int i = 1; i <= n; ++i)
        out += ",v" + QByteArray::number(i);
    for (const auto& p : tr.predictions)
        out += "," + QByteArray::fromStdString(p.name);
    out += '\n';
    out.reserve(out.size() + tr.samples() * (24 * (2 * n + 6)));
    for (long s = 0; s < tr.samples(); ++s) {
        out += QByteArray::number(static_cast<qlonglong>(s));
        out += ',';
        append_number(out, run.t[s]);
        for (int i = 0; i < n; ++i) {
            out += ',';
            append_number(out, tr.q(i, s));
        }
        for (double x : {tr.loss[s], tr.grad_norm[s], tr.r2[s]}) {
            out += ',';
            append_number(out, x);
        }
        for (const auto& c : tr.charges) {
            out += ',';
            append_number(out, c.J[s]);
        }
        for (int i = 0; i < n; ++i) {
            out += ',';
            append_number(out, tr.v(i, s));
        }
        for (const auto& p : tr.predictions) {
            out += ',';
            append_number(out, p.values[s]);
        }
        out += '\n';
    }
    return out;
}

QJsonObject scene_summary_json(const Scene& sc) {
    QJsonObject loss{{"name", QString::fromStdString(sc.loss.name)}, {"eps", sc.loss.eps}};
    QJsonObject params;
    for (const auto& [k, v] : sc.loss.params)
        params[QString::fromStdString(k)] = to_array(v);
    loss["params"] = params;
    if (sc.loss.name == "expr") {
        loss["expr"] = QString::fromStdString(sc.loss.expr);
        QJsonObject consts;
        for (const auto& [k, v] : sc.loss.constants)
            consts[QString::fromStdString(k)] = v;
        loss["constants"] = consts;
    }
    const RuleParams& r = sc.rule;
    QJsonObject rule{{"rule", to_string(r.rule)}, {"lr", r.lr},
                     {"momentum", r.momentum},    {"weight_decay", r.weight_decay},
                     {"nesterov", r.nesterov},    {"alpha", r.alpha},
                     {"opt_eps", r.opt_eps},      {"betas", QJsonArray{r.beta1, r.beta2}},
                     {"centered", r.centered},    {"constrain_norm", r.constrain_norm}};
    QJsonArray q0;
    for (double x : sc.q0)
        q0.append(x);
    QJsonObject o{{"loss", loss}, {"rule", rule}, {"q0", q0}, {"steps", double(sc.steps)}};
    if (sc.v0) {
        QJsonArray v0;
        for (double x : *sc.v0)
            v0.append(x);
        o["v0"] = v0;
    }
    QJsonArray models;
    for (Model m : kAllModels)
        if (shows(sc, m)) models.append(to_string(m));
    o["models"] = models;
    return o;
}

QJsonObject run_json(const Run& run) {
    QJsonObject root{{"scene", scene_summary_json(run.scene)},
                     {"m", run.m},
                     {"mu", run.mu},
                     {"t", to_array(run.t)}};
    QJsonArray models;
    for (const auto& tr : run.trajectories) {
        QJsonObject m{
            {"model", to_string(tr.model)},
            {"equation", QString::fromStdString(model_equation(run.scene.rule, tr.model))},
            {"samples", double(tr.samples())},
            {"diverged", tr.diverged},
            {"loss", to_array(tr.loss)},
            {"grad_norm", to_array(tr.grad_norm)},
            {"r2", to_array(tr.r2)}};
        if (tr.diverged) {
            m["diverged_at"] = double(tr.diverged_at);
            m["message"] = QString::fromStdString(tr.message);
        }
        if (tr.integration_failed) {
            m["integration_failed"] = true;
            m["failed_at"] = double(tr.failed_at);
            m["message"] = QString::fromStdString(tr.message);
        }
        QJsonArray q, v;
        for (Eigen::Index i = 0; i < tr.q.rows(); ++i) {
            std::vector<double> qi(tr.q.cols()), vi(tr.q.cols());
            for (Eigen::Index s = 0; s < tr.q.cols(); ++s) {
                qi[s] = tr.q(i, s);
                vi[s] = tr.v(i, s);
            }
            q.append(to_array(qi));
            v.append(to_array(vi));
        }
        m["q"] = q;
        m["v"] = v;
        QJsonObject charges;
        for (const auto& c : tr.charges) {
            QJsonObject co{{"J", to_array(c.J)}};
            if (!c.damping.empty()) {
                co["damping"] = to_array(c.damping);
                co["kinetic"] = to_array(c.kinetic);
                co["weight_decay"] = to_array(c.weight_decay);
                co["explicit_breaking"] = to_array(c.explicit_breaking);
            }
            charges[QString::fromStdString(c.generator)] = co;
        }
        m["charges"] = charges;
        QJsonObject preds;
        for (const auto& p : tr.predictions)
            preds[QString::fromStdString(p.name)] =
                QJsonObject{{"doc", QString::fromStdString(p.doc)},
                            {"validity", to_string(p.validity)},
                            {"note", QString::fromStdString(p.note)},
                            {"values", to_array(p.values)}};
        m["predictions"] = preds;
        models.append(m);
    }
    root["models"] = models;
    return root;
}

QByteArray network_csv(const NetworkRun& nr, size_t model) {
    const Run& run = *nr.run;
    const Trajectory& tr = run.trajectories[model];
    const auto& Q = nr.quadratic[model];
    const auto n = run.loss->dim();
    const bool discrete = tr.model == Model::Discrete;
    QByteArray out = "step,t";
    for (int i = 1; i <= n; ++i)
        out += ",q" + QByteArray::number(i);
    out += ",loss,grad_norm,r2";
    for (const auto& c : tr.charges)
        out += ",J_" + QByteArray::fromStdString(c.generator);
    for (const auto& s : Q)
        out += "," + QByteArray::fromStdString(s.name);
    for (int i = 1; i <= n; ++i)
        out += ",v" + QByteArray::number(i);
    if (discrete) out += ",batch_loss";
    out += '\n';
    for (long s = 0; s < tr.samples(); ++s) {
        out += QByteArray::number(static_cast<qlonglong>(s));
        out += ',';
        append_number(out, run.t[s]);
        for (int i = 0; i < n; ++i) {
            out += ',';
            append_number(out, tr.q(i, s));
        }
        for (double x : {tr.loss[s], tr.grad_norm[s], tr.r2[s]}) {
            out += ',';
            append_number(out, x);
        }
        for (const auto& c : tr.charges) {
            out += ',';
            append_number(out, c.J[s]);
        }
        for (const auto& q : Q) {
            out += ',';
            append_number(out, q.values[s]);
        }
        for (int i = 0; i < n; ++i) {
            out += ',';
            append_number(out, tr.v(i, s));
        }
        if (discrete) {
            out += ',';
            append_number(out, nr.batch_loss[s]);
        }
        out += '\n';
    }
    return out;
}

QJsonObject network_run_json(const NetworkRun& nr) {
    QJsonObject root = run_json(*nr.run);
    const NetworkSpec& ns = nr.net->spec();
    QJsonArray widths, layout;
    for (int w : ns.widths)
        widths.append(w);
    for (const auto& b : nr.net->layout())
        layout.append(
            QJsonObject{{"name", QString::fromStdString(b.name)},
                        {"shape", b.is_bias ? QJsonArray{b.rows} : QJsonArray{b.rows, b.cols}},
                        {"offset", b.offset}});
    root["network"] = QJsonObject{{"widths", widths},
                                  {"activation", to_string(ns.activation)},
                                  {"norm", ns.batch_norm ? "batch" : "none"},
                                  {"bn_eps", ns.bn_eps},
                                  {"hidden_bias", ns.hidden_bias},
                                  {"head", to_string(ns.head)},
                                  {"n", nr.net->dim()},
                                  {"param_layout", layout}};
    const Dataset& d = *nr.data;
    QJsonArray X, y;
    for (Eigen::Index i = 0; i < d.X.rows(); ++i) {
        QJsonArray row;
        for (Eigen::Index j = 0; j < d.X.cols(); ++j)
            row.append(d.X(i, j));
        X.append(row);
        if (ns.head == Head::Softmax) {
            y.append(d.labels[i]);
        } else {
            QJsonArray t;
            for (Eigen::Index k = 0; k < d.targets.cols(); ++k)
                t.append(d.targets(i, k));
            y.append(t);
        }
    }
    QJsonArray labels;
    for (int c : d.labels)
        labels.append(c);
    const DataSpec& ds = nr.scene.data;
    root["data"] = QJsonObject{{"name", QString::fromStdString(d.name)},
                               {"n", static_cast<double>(d.size())},
                               {"seed", static_cast<double>(ds.seed)},
                               {"noise", ds.noise},
                               {"classes", d.classes},
                               {"X", X},
                               {"y", y},
                               {"labels", labels}};
    root["init"] = QJsonObject{{"seed", static_cast<double>(nr.scene.init_seed)},
                               {"scale", nr.scene.init_scale},
                               {"from_q0", nr.scene.q0.has_value()}};
    const long B = nr.scene.batch == 0 ? d.size() : nr.scene.batch;
    root["batch"] = QJsonObject{{"size", static_cast<double>(B)},
                                {"seed", static_cast<double>(nr.scene.batch_seed)},
                                {"full", B == d.size()}};
    QJsonArray batches;
    for (const auto& b : nr.batches) {
        QJsonArray a;
        for (int i : b)
            a.append(i);
        batches.append(a);
    }
    root["batches"] = batches;
    root["batch_loss"] = to_array(nr.batch_loss);
    QJsonArray gens;
    for (const auto& g : nr.generators) {
        QJsonArray A, b;
        for (int r = 0; r < g.A.outerSize(); ++r)
            for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator it(g.A, r); it; ++it)
                A.append(
                    QJsonArray{static_cast<int>(it.row()), static_cast<int>(it.col()), it.value()});
        for (Eigen::Index i = 0; i < g.b.size(); ++i)
            if (g.b[i] != 0.0) b.append(QJsonArray{static_cast<int>(i), g.b[i]});
        gens.append(QJsonObject{{"name", QString::fromStdString(g.name)},
                                {"kind", to_string(g.kind)},
                                {"symmetric", g.symmetric},
                                {"A", A},
                                {"b", b}});
    }
    root["generators"] = gens;
    QJsonArray models = root["models"].toArray();
    QJsonArray mcs;
    for (qsizetype m = 0; m < models.size(); ++m) {
        QJsonObject mo = models[m].toObject();
        QJsonObject qc;
        for (const auto& s : nr.quadratic[m])
            qc[QString::fromStdString(s.name)] = to_array(s.values);
        mo["quadratic_charges"] = qc;
        models[m] = mo;
    }
    root["models"] = models;
    if (!nr.matrix_charges.empty() && !nr.matrix_charges[0].empty()) {
        for (const auto& mc : nr.matrix_charges[0]) {
            QJsonArray series;
            for (const Matrix& C : mc.C) {
                QJsonArray rows;
                for (Eigen::Index i = 0; i < C.rows(); ++i) {
                    QJsonArray row;
                    for (Eigen::Index j = 0; j < C.cols(); ++j)
                        row.append(C(i, j));
                    rows.append(row);
                }
                series.append(rows);
            }
            mcs.append(
                QJsonObject{{"layer", mc.layer},
                            {"name", QString::fromStdString("C_l" + std::to_string(mc.layer))},
                            {"doc", "W_l W_lᵀ + b_l b_lᵀ − W_{l+1}ᵀ W_{l+1} per sample"},
                            {"C", series}});
        }
        root["matrix_charges"] = mcs;
    }
    return root;
}

QString write_file_atomic(const QString& path, const QByteArray& bytes) {
    const std::string why = write_reason(native_name(path), bytes);
    if (why.empty()) return {};
    return "could not write " + path + ": " + QString::fromLocal8Bit(why);
}

}  // namespace noether::io

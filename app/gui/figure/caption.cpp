#include "gui/figure/caption.hpp"

#include <QJsonArray>
#include <QJsonDocument>
#include <cmath>

namespace noether::figure {

namespace {

QString num(double v) {
    QString s = QString::number(v, 'g', 6);
    if (s.contains('e')) {
        // 1e-05 -> 10⁻⁵, 2.5e-05 -> 2.5·10⁻⁵
        static const char* sup[10] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
        const int at = s.indexOf('e');
        const double mant = s.left(at).toDouble();
        const int ex = s.mid(at + 1).toInt();
        QString e = ex < 0 ? QString::fromUtf8("⁻") : QString();
        for (QChar c : QString::number(std::abs(ex)))
            e += QString::fromUtf8(sup[c.digitValue()]);
        s = (mant == 1.0 ? QString() : QString::number(mant, 'g', 6) + QString::fromUtf8("·")) +
            "10" + e;
    }
    return s.replace('-', QString::fromUtf8("−"));
}

QString vec(const Vector& v) {
    QStringList parts;
    for (Eigen::Index i = 0; i < v.size(); ++i)
        parts << num(v[i]);
    return "(" + parts.join(", ") + ")";
}

QString paramName(const std::string& name) {
    if (name == "theta_star") return QString::fromUtf8("θ*");
    if (name == "gamma") return QString::fromUtf8("γ");
    return QString::fromStdString(name);
}

// "rule.momentum = 0.3, q0 = (3, 0)" from a merge patch.
void flatten(const QString& prefix, const QJsonValue& v, QStringList& out) {
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            flatten(prefix.isEmpty() ? it.key() : prefix + "." + it.key(), it.value(), out);
        return;
    }
    QString text;
    if (v.isDouble())
        text = num(v.toDouble());
    else if (v.isBool())
        text = v.toBool() ? "true" : "false";
    else if (v.isNull())
        text = "default";
    else if (v.isString())
        text = v.toString();
    else if (v.isArray()) {
        QStringList parts;
        for (const QJsonValue& x : v.toArray())
            parts << (x.isDouble() ? num(x.toDouble()) : x.toVariant().toString());
        text = "(" + parts.join(", ") + ")";
    }
    out << prefix + " = " + text;
}

}  // namespace

QString lossSummary(const Scene& scene) {
    const LossSpec& l = scene.loss;
    QStringList parts;
    for (const auto& [name, values] : l.params) {
        QStringList vs;
        for (double x : values)
            vs << num(x);
        parts << paramName(name) + " = " +
                     (vs.size() == 1 ? vs.front() : "(" + vs.join(", ") + ")");
    }
    parts << QString::fromUtf8("ε = ") + num(l.eps);
    if (l.name == "expr")
        return QString::fromUtf8("f = %1 (%2)")
            .arg(QString::fromStdString(l.expr), parts.join(", "));
    return QString::fromStdString(l.name) + " (" + parts.join(", ") + ")";
}

QString ruleSummary(const Scene& scene) {
    const RuleParams& r = scene.rule;
    QStringList parts;
    QString name;
    switch (r.rule) {
        case Rule::Sgd:
            name = "SGD";
            parts << QString::fromUtf8("η = ") + num(r.lr)
                  << QString::fromUtf8("β = ") + num(r.momentum) << "k = " + num(r.weight_decay);
            if (r.nesterov) parts << "Nesterov";
            break;
        case Rule::RmsProp:
            name = "RMSprop";
            parts << QString::fromUtf8("η = ") + num(r.lr)
                  << QString::fromUtf8("ρ = ") + num(r.alpha)
                  << QString::fromUtf8("β = ") + num(r.momentum) << "k = " + num(r.weight_decay)
                  << "eps = " + num(r.opt_eps);
            if (r.centered) parts << "centered";
            break;
        case Rule::RmsPropNorm:
            name = "RMSProp-norm";
            parts << QString::fromUtf8("η = ") + num(r.lr)
                  << QString::fromUtf8("ρ = ") + num(r.alpha) << "k = " + num(r.weight_decay)
                  << "eps = " + num(r.opt_eps);
            break;
        case Rule::Adam:
        case Rule::AdamW:
            name = r.rule == Rule::Adam ? "Adam" : "AdamW";
            parts << QString::fromUtf8("η = ") + num(r.lr)
                  << QString::fromUtf8("β₁ = ") + num(r.beta1)
                  << QString::fromUtf8("β₂ = ") + num(r.beta2) << "k = " + num(r.weight_decay)
                  << "eps = " + num(r.opt_eps);
            break;
    }
    if (r.constrain_norm) parts << QString::fromUtf8("norm held at |q₀|");
    return name + " " + parts.join(", ");
}

QString stepsSummary(long steps) {
    if (steps == 1) return QObject::tr("1 step");
    // Powers of ten from 100 on as 10ⁿ, others with thin-space groups.
    long p = 1;
    int e = 0;
    while (p < steps && e < 12) {
        p *= 10;
        ++e;
    }
    if (p == steps && e >= 2) {
        static const char* sup[10] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
        QString s;
        for (QChar c : QString::number(e))
            s += QString::fromUtf8(sup[c.digitValue()]);
        return QObject::tr("10%1 steps").arg(s);
    }
    QString digits = QString::number(steps);
    if (steps >= 10000)
        for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
            digits.insert(i, QChar(0x2009));
    return QObject::tr("%1 steps").arg(digits);
}

QString modelsSummary(const Scene& scene, bool dark) {
    QStringList parts;
    for (Model m : kAllModels) {
        if (!shows(scene, m)) continue;
        QString look = modelColourName(m, dark);
        if (modelDashed(m)) look += QObject::tr(", dashed");
        parts << QString("%1 (%2)").arg(modelLongName(m), look);
    }
    return parts.join(", ");
}

QString figureCaption(const FigureData& data, Palette palette) {
    const Scene& s = data.doc.scene;
    const bool dark = palette == Palette::Dark;
    QString text;
    if (!data.doc.title.isEmpty()) {
        text += data.doc.title;
        if (!text.endsWith('.')) text += '.';
        text += ' ';
    }
    text += lossSummary(s) + ", " + ruleSummary(s) + ", " + stepsSummary(s.steps);
    text += QObject::tr(" from q₀ = %1").arg(vec(s.q0));
    if (s.v0) text += QObject::tr(" with kick v₀ = %1").arg(vec(*s.v0));
    text += "; " + modelsSummary(s, dark) + ".";
    if (!data.ghosts.empty()) {
        QStringList ghosts;
        auto variants = io::compare_variants(data.doc);
        for (size_t i = 0; i < data.ghosts.size(); ++i) {
            QString g = data.ghosts[i].label;
            if (variants && i < variants->size()) {
                const QJsonArray compare = data.doc.view.value("compare").toArray();
                QStringList changes;
                if (static_cast<qsizetype>(i) < compare.size())
                    flatten(QString(), compare[static_cast<qsizetype>(i)].toObject().value("patch"),
                            changes);
                if (!changes.isEmpty()) g += " (" + changes.join(", ") + ")";
            }
            if (!data.ghosts[i].run->trajectories.empty())
                g += QObject::tr(", its %1 model")
                         .arg(modelLongName(data.ghosts[i].run->trajectories.front().model));
            ghosts << g;
        }
        text += QObject::tr(" Dotted, the same scene changed: %1.").arg(ghosts.join("; "));
    }
    if (data.run) {
        for (const Trajectory& tr : data.run->trajectories)
            if (tr.diverged)
                text += QObject::tr(
                            " The %1 run diverged (%2); the figure shows the samples "
                            "before it.")
                            .arg(modelLongName(tr.model), QString::fromStdString(tr.message));
    }
    return text;
}

}  // namespace noether::figure

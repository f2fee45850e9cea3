#include "gui/figure/figure_style.hpp"

#include <QFontMetricsF>
#include <QGuiApplication>
#include <QPaintDevice>

namespace noether::figure {

using namespace okabe_ito;

std::optional<Palette> parsePalette(const QString& name) {
    if (name.isEmpty() || name == "default" || name == "paper" || name == "colorblind")
        return Palette::Paper;
    if (name == "projector") return Palette::Projector;
    if (name == "dark") return Palette::Dark;
    return std::nullopt;
}

QString paletteName(Palette p) {
    switch (p) {
        case Palette::Paper:
            return "default";
        case Palette::Projector:
            return "projector";
        case Palette::Dark:
            return "dark";
    }
    return "default";
}

Theme makeTheme(Palette palette, double font_pt, double unit) {
    Theme t;
    t.palette = palette;
    t.font_pt = font_pt;
    t.unit = unit;
    t.family = QGuiApplication::font().family();
    switch (palette) {
        case Palette::Paper:
            t.dark = false;
            t.background = Qt::white;
            t.foreground = QColor(20, 20, 20);
            t.grid = QColor(0, 0, 0, 38);
            t.muted = QColor(90, 90, 90);
            break;
        case Palette::Projector:
            // Pure black on white, heavier lines and larger type for the back of a hall.
            t.dark = false;
            t.background = Qt::white;
            t.foreground = Qt::black;
            t.grid = QColor(0, 0, 0, 60);
            t.muted = QColor(60, 60, 60);
            t.font_pt = font_pt * 1.25;
            t.unit = unit * 1.5;
            break;
        case Palette::Dark:
            t.dark = true;
            t.background = QColor(28, 30, 33);
            t.foreground = QColor(235, 235, 235);
            t.grid = QColor(255, 255, 255, 45);
            t.muted = QColor(170, 170, 170);
            break;
    }
    return t;
}

QString validityWord(Validity v) {
    switch (v) {
        case Validity::Exact:
            return QObject::tr("exact");
        case Validity::Approximate:
            return QObject::tr("approx.");
        case Validity::NotApplicable:
            return QObject::tr("n/a");
    }
    return {};
}

QString predictionTip(const NamedSeries& s) {
    QString tip = QString::fromStdString(s.doc);
    const QString v = s.validity == Validity::Exact         ? QObject::tr("exact")
                      : s.validity == Validity::Approximate ? QObject::tr("approximate")
                                                            : QObject::tr("not applicable");
    tip += QStringLiteral("\n") + v;
    if (!s.note.empty()) tip += QStringLiteral(": ") + QString::fromStdString(s.note);
    return tip;
}

Qt::PenStyle predictionStyle(Validity v) {
    return v == Validity::Exact ? Qt::DashLine : Qt::DotLine;
}

QColor modelColor(Model model, bool dark) {
    switch (model) {
        case Model::Discrete:
            return kVermillion;
        case Model::Ode:
            return dark ? kSkyBlue : kBlue;
        case Model::OdeRest:
            return kReddishPurple;
        case Model::Flow:
            return dark ? kYellow : kBluishGreen;
        case Model::ModifiedFlow:
            return kOrange;
    }
    return kVermillion;
}

QString modelName(Model model) {
    switch (model) {
        case Model::Discrete:
            return QObject::tr("discrete");
        case Model::Ode:
            return QObject::tr("ODE");
        case Model::OdeRest:
            return QObject::tr("ODE from rest");
        case Model::Flow:
            return QObject::tr("gradient flow");
        case Model::ModifiedFlow:
            return QObject::tr("modified flow");
    }
    return {};
}

QString modelLongName(Model model) {
    switch (model) {
        case Model::Discrete:
            return QObject::tr("discrete");
        case Model::Ode:
            return QObject::tr("implicit-acceleration ODE");
        case Model::OdeRest:
            return QObject::tr("implicit-acceleration ODE from rest");
        case Model::Flow:
            return QObject::tr("gradient flow");
        case Model::ModifiedFlow:
            return QObject::tr("modified gradient flow (finite-η correction)");
    }
    return {};
}

bool modelDashed(Model model) {
    return model == Model::Flow || model == Model::OdeRest || model == Model::ModifiedFlow;
}

double modelWidth(Model model) {
    switch (model) {
        case Model::Discrete:
            return 6.0;
        case Model::OdeRest:
            return 4.0;
        case Model::Ode:
            return 2.5;
        case Model::Flow:
        case Model::ModifiedFlow:
            return 3.0;
    }
    return 3.0;
}

double modelChartWidth(Model model) {
    switch (model) {
        case Model::Discrete:
            return 4.5;
        case Model::OdeRest:
            return 3.5;
        case Model::Ode:
        case Model::Flow:
        case Model::ModifiedFlow:
            return 2.5;
    }
    return 2.5;
}

QString modelColourName(Model model, bool dark) {
    switch (model) {
        case Model::Discrete:
            return QObject::tr("vermilion");
        case Model::Ode:
            return dark ? QObject::tr("sky blue") : QObject::tr("blue");
        case Model::OdeRest:
            return QObject::tr("pink");
        case Model::Flow:
            return dark ? QObject::tr("yellow") : QObject::tr("green");
        case Model::ModifiedFlow:
            return QObject::tr("orange");
    }
    return {};
}

Fonts::Fonts(const Theme& theme, const QPaintDevice* device) : theme_(theme), device_(device) {
    // The painter is scaled to point units; a font of point size P renders P * dpi / 72 device
    // pixels before that scale, so P = size * 72 / dpi renders `size` points.
    const int dpi = device ? device->logicalDpiY() : 72;
    k_ = 72.0 / (dpi > 0 ? dpi : 72);
}

QFont Fonts::font(double factor, bool bold, const QString& text) const {
    for (QChar c : text)
        if (c.unicode() >= 0x0300 && c.unicode() <= 0x036F) return serif(factor, bold);
    QFont f(theme_.family);
    f.setPointSizeF(theme_.font_pt * factor * k_);
    f.setBold(bold);
    f.setStyleStrategy(QFont::PreferAntialias);
    return f;
}

QFont Fonts::serif(double factor, bool bold) const {
    QFont f(QStringLiteral("DejaVu Serif"));
    f.setFamilies(
        {QStringLiteral("DejaVu Serif"), QStringLiteral("Noto Serif"), QStringLiteral("serif")});
    f.setPointSizeF(theme_.font_pt * factor * k_);
    f.setBold(bold);
    f.setStyleStrategy(QFont::PreferAntialias);
    return f;
}

double Fonts::lineHeight(double factor) const {
    return theme_.font_pt * factor * 1.35;
}

double Fonts::width(const QString& text, double factor, bool bold) const {
    // Metrics on the device itself are in its untransformed pixels: here, points.
    const QFontMetricsF fm(font(factor, bold, text), device_);
    return fm.horizontalAdvance(text);
}

}  // namespace noether::figure

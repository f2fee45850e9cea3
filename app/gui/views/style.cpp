#include "gui/views/style.hpp"

#include <QApplication>

namespace noether::gui {

QColor modelColor(Model model, bool dark) {
    switch (model) {
        case Model::Discrete:
            return okabe_ito::kVermillion;
        case Model::Ode:
            return dark ? okabe_ito::kSkyBlue : okabe_ito::kBlue;
        case Model::OdeRest:
            return okabe_ito::kReddishPurple;
        case Model::Flow:
            return dark ? okabe_ito::kYellow : okabe_ito::kBluishGreen;
    }
    return okabe_ito::kVermillion;
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
    }
    return {};
}

bool modelDashed(Model model) {
    return model == Model::Flow || model == Model::OdeRest;
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
            return 2.5;
    }
    return 2.5;
}

bool isDark(const QPalette& palette) {
    return palette.color(QPalette::Window).lightness() <
           palette.color(QPalette::WindowText).lightness();
}

QFont lectureFont(double factor, bool bold) {
    QFont f = QApplication::font();
    f.setPointSizeF(f.pointSizeF() * factor);
    f.setBold(bold);
    return f;
}

}  // namespace noether::gui

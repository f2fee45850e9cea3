#include "gui/figure/figure_data.hpp"

#include <QJsonArray>

#include "gui/figure/chart_figures.hpp"

namespace noether::figure {

QString viewName(FigureView v) {
    switch (v) {
        case FigureView::Landscape:
            return "landscape";
        case FigureView::Charges:
            return "charges";
        case FigureView::Phase:
            return "phase";
        case FigureView::Loss:
            return "loss";
        case FigureView::Figure:
            return "figure";
    }
    return {};
}

std::optional<FigureView> parseView(const QString& name) {
    for (FigureView v : kAllViews)
        if (viewName(v) == name) return v;
    return std::nullopt;
}

QString sizeName(SizePreset s) {
    return s == SizePreset::Slide ? "slide" : "column";
}

std::optional<SizePreset> parseSize(const QString& name) {
    if (name == "slide") return SizePreset::Slide;
    if (name == "column") return SizePreset::Column;
    return std::nullopt;
}

ViewSettings readViewSettings(const QJsonObject& view) {
    ViewSettings s;
    const QJsonObject land = view.value("landscape").toObject();
    auto range = [](const QJsonValue& v, double& lo, double& hi) {
        const QJsonArray a = v.toArray();
        if (a.size() != 2 || !a[0].isDouble() || !a[1].isDouble()) return false;
        lo = a[0].toDouble();
        hi = a[1].toDouble();
        return std::isfinite(lo) && std::isfinite(hi) && lo < hi;
    };
    PlaneBox b;
    if (range(land.value("x_range"), b.x0, b.x1) && range(land.value("y_range"), b.y0, b.y1))
        s.box = b;
    if (land.value("log_scale").isBool()) s.log_scale = land.value("log_scale").toBool();
    if (land.value("orbits").isBool()) s.orbits = land.value("orbits").toBool();
    if (land.value("isolines").isBool()) s.isolines = land.value("isolines").toBool();
    if (land.value("colormap").isString())
        s.colormap = land.value("colormap").toString() == "cividis" ? 1 : 0;
    const QJsonArray sl = land.value("slice").toArray();
    if (sl.size() == 2 && sl[0].isDouble() && sl[1].isDouble()) {
        s.slice_i = sl[0].toInt();
        s.slice_j = sl[1].toInt();
    }
    if (view.value("phase").isString()) s.phase = view.value("phase").toString();
    for (const QJsonValue& v : view.value("panels").toArray())
        if (v.isString()) s.panels << v.toString();
    s.budget = s.panels.contains("budget");
    if (view.value("palette").isString()) s.palette = view.value("palette").toString();
    for (const TimeWindowName& w : kTimeWindows)
        if (view.value("time_window").toString() == QLatin1String(w.name))
            s.time_window = w.fraction;
    return s;
}

QJsonObject writeViewSettings(QJsonObject view, const ViewSettings& s) {
    QJsonObject land = view.value("landscape").toObject();
    if (s.box) {
        land["x_range"] = QJsonArray{s.box->x0, s.box->x1};
        land["y_range"] = QJsonArray{s.box->y0, s.box->y1};
    }
    land["log_scale"] = s.log_scale;
    land["orbits"] = s.orbits;
    if (!s.isolines || land.contains("isolines")) land["isolines"] = s.isolines;
    if (s.colormap != 0 || land.contains("colormap"))
        land["colormap"] = s.colormap == 1 ? "cividis" : "viridis";
    if (s.slice_i != 0 || s.slice_j != 1 || land.contains("slice"))
        land["slice"] = QJsonArray{s.slice_i, s.slice_j};
    view["landscape"] = land;
    if (!s.phase.isEmpty()) view["phase"] = s.phase;
    if (!s.panels.isEmpty()) view["panels"] = QJsonArray::fromStringList(s.panels);
    if (!s.palette.isEmpty()) view["palette"] = s.palette;
    for (const TimeWindowName& w : kTimeWindows)
        if (w.fraction == s.time_window && (s.time_window != 0.0 || view.contains("time_window")))
            view["time_window"] = QLatin1String(w.name);
    return view;
}

Result<FigureData> prepareFigureData(const io::SceneDocument& doc, std::shared_ptr<const Run> run,
                                     bool ghosts) {
    FigureData d;
    d.doc = doc;
    d.view = readViewSettings(doc.view);
    if (!run) {
        auto r = simulate(doc.scene);
        if (!r) return r.error();
        run = *r;
    }
    d.run = std::move(run);
    if (ghosts) {
        auto variants = io::compare_variants(doc);
        if (!variants) return variants.error();
        for (const io::SceneVariant& v : *variants) {
            // A ghost is the variant's first model only: the lesson's contrast, not a crowd.
            Scene s = v.doc.scene;
            bool first = true;
            for (Model m : kAllModels) {
                const bool keep = first && shows(s, m);
                if (keep) first = false;
                set_shown(s, m, keep);
            }
            auto r = simulate(s);
            if (!r) return r.error();
            d.ghosts.push_back({v.label, *r});
        }
    }
    return d;
}

QStringList composedPanels(const FigureData& data) {
    const bool elr = data.run && effectiveLrApplies(*data.run);
    const bool charges = data.run && !data.run->loss->generators().empty();
    QStringList wanted = data.view.panels;
    if (wanted.isEmpty()) wanted = {"landscape", "charges", "phase", "loss", "lr"};
    QStringList out;
    for (const QString& p : wanted) {
        QString name = p == "budget" ? "charges" : p;
        if (name == "lr" && !elr) continue;
        if (name == "charges" && !charges && data.view.panels.isEmpty()) continue;
        if (!QStringList{"landscape", "charges", "phase", "loss", "lr"}.contains(name)) continue;
        if (!out.contains(name)) out << name;
        // |q|² goes with the effective learning rate, as on screen.
        if (name == "lr" && !out.contains("norm")) out << "norm";
    }
    if (out.isEmpty()) out << "landscape";
    return out;
}

Theme themeFor(SizePreset size, Palette palette) {
    return size == SizePreset::Slide ? makeTheme(palette, 13.0, 0.7) : makeTheme(palette, 7.0, 0.3);
}

QSizeF pageSizePt(FigureView view, SizePreset size, const FigureData& data) {
    if (size == SizePreset::Slide) return {960.0, 540.0};  // 13.33 × 7.5 in, 16:9
    const double w = 3.3 * 72.0;                           // one column of a paper
    switch (view) {
        case FigureView::Landscape:
            return {w, w * 1.12};
        case FigureView::Charges:
        case FigureView::Phase:
            return {w, w * 0.72};
        case FigureView::Loss:
            return {w, data.run && effectiveLrApplies(*data.run) ? w * 2.0 : w * 0.72};
        case FigureView::Figure: {
            const QStringList panels = composedPanels(data);
            double h = 40.0;
            for (const QString& p : panels)
                h += p == "landscape" ? w * 1.08 : w * 0.68;
            return {w, h};
        }
    }
    return {w, w};
}

}  // namespace noether::figure

#include "gui/figure/chart_figures.hpp"

#include <algorithm>
#include <tuple>

namespace noether::figure {

namespace {

// A time series' samples to draw: all, or up to the current time for animation frames.
long drawnSamples(long n, const FigureOptions& opt) {
    if (opt.progressive && opt.time_index >= 0) return std::min(n, opt.time_index + 1);
    return n;
}

PlotLine modelLine(Model m, const Theme& th, const QString& legend) {
    PlotLine l;
    l.color = modelColor(m, th.dark);
    l.width = modelChartWidth(m) * th.unit;
    l.style = modelDashed(m) ? Qt::DashLine : Qt::SolidLine;
    l.legend = legend;
    return l;
}

PlotLine ghostLine(const Ghost& g, Model m, const Theme& th, bool legend) {
    PlotLine l;
    QColor c = modelColor(m, th.dark);
    c.setAlphaF(0.75f);
    l.color = c;
    l.width = 3.0 * th.unit;
    l.style = Qt::DotLine;
    if (legend) l.legend = g.label;
    return l;
}

// The time axis of the charts, as on screen (Timeline's window, views/time_chart.cpp): the whole
// run on a log axis at n + 1 (view.time_window "log", the default), or steps 0..end of the
// whole run or its first 10 % / 1 %.
class TimeWindow {
  public:
    TimeWindow(long steps, double window) : log_(window <= 0.0) {
        const double f = log_ ? 1.0 : std::min(window, 1.0);
        end_ = std::max<long>(1, std::lround(f * static_cast<double>(std::max(steps, 1L))));
    }
    PlotAxis axis() const {
        if (log_) {
            PlotAxis a = niceLog(1.0, static_cast<double>(end_ + 1),
                                 QObject::tr("step n + 1   (log scale)"));
            a.lo = 1.0;
            a.hi = static_cast<double>(end_ + 1);
            return a;
        }
        PlotAxis a = niceLinear(0.0, static_cast<double>(end_), QObject::tr("step n   (t = nη)"));
        a.lo = 0.0;
        a.hi = static_cast<double>(end_);
        a.tick_values = niceTicks(a.lo, a.hi, 4);
        return a;
    }
    /// Samples inside the window.
    long cap() const { return end_ + 1; }
    /// The first n samples of y (clipped to the window), decimated for `columns` columns.
    std::vector<QPointF> series(const double* y, long n, int columns) const {
        return decimatedSeries(y, std::min(n, cap()), 0.0, static_cast<double>(end_), columns,
                               log_);
    }
    /// The x of sample i (NaN outside the window: no marker).
    double x(long i) const {
        if (i < 0 || i > end_) return NAN;
        return static_cast<double>(i) + (log_ ? 1.0 : 0.0);
    }

  private:
    bool log_;
    long end_ = 1;
};

struct Range {
    long cap = 1L << 62;  ///< samples inside the time window
    double lo = 0, hi = 0;
    bool any = false;
    void add(const std::vector<double>& v, long n, bool positive) {
        n = std::min(n, cap);
        double a, b;
        if (!finiteRange(v, n, positive, a, b)) return;
        lo = any ? std::min(lo, a) : a;
        hi = any ? std::max(hi, b) : b;
        any = true;
    }
};

}  // namespace

bool effectiveLrApplies(const Run& run) {
    for (const auto& g : run.loss->generators())
        if (g.kind == SymmetryKind::Scale) return true;
    return false;
}

PlotSpec chargeSpec(const FigureData& data, const FigureOptions& opt, const Theme& th,
                    int columns) {
    PlotSpec spec;
    spec.title = QObject::tr("Noether charge J = m⟨q′, ξ(q)⟩");
    spec.y.title = QObject::tr("J");
    if (!data.run) return spec;
    const Run& run = *data.run;
    const TimeWindow tw(run.scene.steps, data.view.time_window);
    spec.x = tw.axis();
    const auto& gens = run.loss->generators();
    if (gens.empty()) {
        spec.title = QObject::tr("No continuous symmetry: no Noether charge");
        spec.y = niceLinear(-1, 1, QObject::tr("J"));
        spec.message = QObject::tr("the loss has no continuous symmetry");
        return spec;
    }
    const std::string gname = gens.front().name;
    spec.title += QObject::tr(" for %1").arg(QString::fromStdString(gname));
    if (run.scene.loss.eps != 0.0) spec.title += QObject::tr(" (broken by ε)");
    const bool budget = data.view.budget;
    Range left{tw.cap()}, right{tw.cap()};
    bool named[3] = {false, false, false};
    int budget_model = -1;
    auto series = [&](const std::vector<double>& v, long n_all) {
        const long n = drawnSamples(n_all, opt);
        return tw.series(v.data(), n, columns);
    };
    for (Model m : kModelDrawOrder) {
        const Trajectory* tr = run.find(m);
        if (!tr) continue;
        const ChargeSeries* c = tr->charge(gname);
        if (!c) continue;
        if (budget_model < 0 && !firstOrderModel(m) && !c->damping.empty())
            budget_model = static_cast<int>(m);
        const int axis = firstOrderModel(m) ? 1 : 0;
        if (axis == 1 && budget) continue;
        const long n = static_cast<long>(c->J.size());
        PlotLine l = modelLine(
            m, th,
            firstOrderModel(m) ? QObject::tr("%1 ⟨q′,ξ⟩ (right)").arg(modelName(m)) : modelName(m));
        l.y_axis = axis;
        l.pts = series(c->J, n);
        spec.lines.push_back(l);
        (axis == 1 ? right : left).add(c->J, n, false);
        if (const NamedSeries* law = tr->prediction("J_" + gname + "_law");
            law && law->validity != Validity::NotApplicable) {
            PlotLine ll;
            ll.color = th.foreground;
            ll.width = 2.0 * th.unit;
            ll.style = predictionStyle(law->validity);
            ll.y_axis = axis;
            // One legend entry per kind of law, named by where it holds (as on screen).
            const int v = static_cast<int>(law->validity);
            if (!named[v])
                ll.legend = QObject::tr("closed-form law (%1)").arg(validityWord(law->validity));
            named[v] = true;
            ll.pts = series(law->values, static_cast<long>(law->values.size()));
            spec.lines.push_back(ll);
        }
    }
    for (const Ghost& g : data.ghosts) {
        if (!g.run || g.run->trajectories.empty()) continue;
        const Trajectory& tr = g.run->trajectories.front();
        const ChargeSeries* c = tr.charge(gname);
        if (!c || (firstOrderModel(tr.model) && budget)) continue;
        PlotLine l = ghostLine(g, tr.model, th, true);
        l.y_axis = firstOrderModel(tr.model) ? 1 : 0;
        l.pts = series(c->J, static_cast<long>(c->J.size()));
        (l.y_axis == 1 ? right : left).add(c->J, static_cast<long>(c->J.size()), false);
        spec.lines.push_back(l);
    }
    if (budget && budget_model >= 0) {
        const Trajectory* tr = run.find(kAllModels[budget_model]);
        const ChargeSeries* c = tr->charge(gname);
        const std::vector<double>* terms[4] = {&c->damping, &c->kinetic, &c->weight_decay,
                                               &c->explicit_breaking};
        const QString names[4] = {QObject::tr("damping"), QObject::tr("kinetic"),
                                  QObject::tr("weight decay"), QObject::tr("explicit")};
        QColor grey = th.foreground;
        grey.setAlphaF(0.55f);
        const QColor colours[4] = {QColor(0xE6, 0x9F, 0x00), QColor(0x56, 0xB4, 0xE9), grey,
                                   th.foreground};
        for (int t = 0; t < 4; ++t) {
            PlotLine l;
            l.color = colours[t];
            l.width = 3.0 * th.unit;
            l.style = Qt::DotLine;
            l.legend = names[t];
            l.y_axis = 1;
            l.pts = series(*terms[t], static_cast<long>(terms[t]->size()));
            right.add(*terms[t], static_cast<long>(terms[t]->size()), false);
            spec.lines.push_back(l);
        }
        spec.y2.title =
            QObject::tr("budget of %1 (dJ/dt)").arg(modelName(kAllModels[budget_model]));
    } else {
        spec.y2.title = QObject::tr("flow ⟨q′, ξ⟩");
    }
    spec.y = left.any ? niceLinear(left.lo, left.hi, QObject::tr("J")) : niceLinear(-1, 1, "J");
    if (right.any) {
        const QString t = spec.y2.title;
        spec.y2 = niceLinear(right.lo, right.hi, t);
        spec.has_y2 = true;
    }
    if (opt.time_index >= 0) spec.now_x = tw.x(opt.time_index);
    return spec;
}

PlotSpec phaseSpec(const FigureData& data, const FigureOptions& opt, const Theme& th) {
    PlotSpec spec;
    if (!data.run) return spec;
    const Run& run = *data.run;
    const std::vector<PhaseCoordinate> coords = phase_coordinates(*run.loss);
    if (coords.empty()) {
        spec.message = QObject::tr("no phase coordinate");
        return spec;
    }
    size_t ci = 0;
    for (size_t i = 0; i < coords.size(); ++i)
        if (QString::fromStdString(coords[i].id) == data.view.phase) ci = i;
    const PhaseCoordinate& c = coords[ci];
    std::vector<std::pair<Model, PhaseCurve>> curves;
    Range xr, yr;
    for (Model m : kModelDrawOrder) {
        const Trajectory* tr = run.find(m);
        if (!tr) continue;
        PhaseCurve pc = phase_curve(*tr, c);
        xr.add(pc.x, static_cast<long>(pc.x.size()), false);
        yr.add(pc.rate, static_cast<long>(pc.rate.size()), false);
        curves.emplace_back(m, std::move(pc));
    }
    std::vector<std::pair<const Ghost*, PhaseCurve>> ghost_curves;
    for (const Ghost& g : data.ghosts) {
        if (!g.run || g.run->trajectories.empty()) continue;
        PhaseCurve pc = phase_curve(g.run->trajectories.front(), c);
        xr.add(pc.x, static_cast<long>(pc.x.size()), false);
        yr.add(pc.rate, static_cast<long>(pc.rate.size()), false);
        ghost_curves.emplace_back(&g, std::move(pc));
    }
    spec.x = xr.any ? niceLinear(xr.lo, xr.hi, QString()) : niceLinear(-1, 1, QString());
    spec.y = yr.any ? niceLinear(yr.lo, yr.hi, QString()) : niceLinear(-1, 1, QString());
    spec.x.title = QString::fromStdString(c.label);
    spec.y.title = QString::fromStdString(c.rate);
    auto path = [&](const PhaseCurve& pc) {
        const long n = drawnSamples(static_cast<long>(pc.x.size()), opt);
        return decimatedPath(pc.x.data(), pc.rate.data(), n, spec.x.hi - spec.x.lo,
                             spec.y.hi - spec.y.lo, 1.0 / 1500.0);
    };
    for (const auto& [g, pc] : ghost_curves) {
        PlotLine l = ghostLine(*g, g->run->trajectories.front().model, th, true);
        l.pts = path(pc);
        spec.lines.push_back(l);
    }
    for (const auto& [m, pc] : curves) {
        PlotLine l = modelLine(m, th, modelName(m));
        l.pts = path(pc);
        spec.lines.push_back(l);
        if (opt.time_index >= 0 && !pc.x.empty()) {
            const long k = std::clamp<long>(opt.time_index, 0, static_cast<long>(pc.x.size()) - 1);
            spec.markers.push_back({QPointF(pc.x[k], pc.rate[k]), modelColor(m, th.dark), 0});
        }
    }
    auto field = phase_vector_field(*run.loss, run.scene.rule, c, spec.x.lo, spec.x.hi, spec.y.lo,
                                    spec.y.hi, 17, 13);
    if (field) {
        spec.arrows = std::move(*field);
        spec.title = c.kind == PhaseKind::Translation
                         ? QObject::tr("Phase portrait, closed: m X″ + μ X′ + k X = 0 (arrows)")
                         : QObject::tr("Phase portrait, closed: m q″ + μ q′ + f′(q) + k q = 0");
    } else {
        spec.title = QObject::tr("Phase portrait: %1 against its rate")
                         .arg(QString::fromStdString(c.label.substr(0, c.label.find(' '))));
    }
    return spec;
}

PlotSpec lossSpec(const FigureData& data, const FigureOptions& opt, const Theme& th, int columns) {
    PlotSpec spec;
    spec.title = QObject::tr("Loss f(q(t))");
    if (!data.run) return spec;
    const Run& run = *data.run;
    const TimeWindow tw(run.scene.steps, data.view.time_window);
    spec.x = tw.axis();
    // A log axis needs f > 0: if any model reaches f <= 0 (a tilted loss), show f − min f.
    double fmin = INFINITY;
    auto scan = [&fmin](const Trajectory& tr) {
        for (double f : tr.loss)
            if (std::isfinite(f)) fmin = std::min(fmin, f);
    };
    for (const Trajectory& tr : run.trajectories)
        scan(tr);
    for (const Ghost& g : data.ghosts)
        if (g.run && !g.run->trajectories.empty()) scan(g.run->trajectories.front());
    const bool shift = std::isfinite(fmin) && fmin < 0.0;
    if (shift) spec.title = QObject::tr("Loss f(q(t)) − min f");
    Range yr{tw.cap()};
    auto add = [&](const Trajectory& tr, PlotLine l) {
        std::vector<double> v = tr.loss;
        if (shift)
            for (double& f : v)
                f -= fmin;
        const long n = static_cast<long>(v.size());
        yr.add(v, n, true);
        l.pts = tw.series(v.data(), drawnSamples(n, opt), columns);
        spec.lines.push_back(l);
    };
    for (const Ghost& g : data.ghosts)
        if (g.run && !g.run->trajectories.empty())
            add(g.run->trajectories.front(),
                ghostLine(g, g.run->trajectories.front().model, th, true));
    for (Model m : kModelDrawOrder)
        if (const Trajectory* tr = run.find(m)) add(*tr, modelLine(m, th, modelName(m)));
    // Ghost legends after the models'.
    std::stable_partition(spec.lines.begin(), spec.lines.end(),
                          [](const PlotLine& l) { return l.style != Qt::DotLine; });
    spec.y = yr.any ? niceLog(yr.lo, yr.hi, shift ? QObject::tr("f − min f") : QObject::tr("f"))
                    : niceLog(1e-3, 1, QObject::tr("f"));
    if (opt.time_index >= 0) spec.now_x = tw.x(opt.time_index);
    return spec;
}

PlotSpec effectiveLrSpec(const FigureData& data, const FigureOptions& opt, const Theme& th,
                         int columns) {
    PlotSpec spec;
    spec.title = QObject::tr("Effective learning rate η/|q|²");
    if (!data.run) return spec;
    const Run& run = *data.run;
    const TimeWindow tw(run.scene.steps, data.view.time_window);
    spec.x = tw.axis();
    Range yr{tw.cap()};
    bool have17 = false, have_rms = false;
    std::vector<PlotLine> preds;
    for (const Ghost& g : data.ghosts) {
        if (!g.run || g.run->trajectories.empty()) continue;
        const Trajectory& tr = g.run->trajectories.front();
        if (const NamedSeries* s = tr.prediction("effective_lr")) {
            PlotLine l = ghostLine(g, tr.model, th, true);
            const long n = static_cast<long>(s->values.size());
            yr.add(s->values, n, true);
            l.pts = tw.series(s->values.data(), drawnSamples(n, opt), columns);
            spec.lines.push_back(l);
        }
    }
    for (Model m : kModelDrawOrder) {
        const Trajectory* tr = run.find(m);
        if (!tr) continue;
        if (const NamedSeries* s = tr->prediction("effective_lr")) {
            PlotLine l = modelLine(m, th, QString());
            const long n = static_cast<long>(s->values.size());
            yr.add(s->values, n, true);
            l.pts = tw.series(s->values.data(), drawnSamples(n, opt), columns);
            spec.lines.push_back(l);
        }
    }
    // The predictions of the first model (discrete if shown) only, to keep it readable.
    for (const Trajectory& tr : run.trajectories) {
        // A law whose assumptions fail for this scene is not drawn (as on screen).
        const NamedSeries* s17 = have17 ? nullptr : tr.prediction("effective_lr_eq17");
        if (s17) have17 = true;
        if (const NamedSeries* s = s17; s && s->validity != Validity::NotApplicable) {
            PlotLine l;
            l.color = th.foreground;
            l.width = 2.0 * th.unit;
            l.style = Qt::DashLine;
            l.legend = QObject::tr("Eq. 17 (%1)").arg(validityWord(s->validity));
            const long n = static_cast<long>(s->values.size());
            yr.add(s->values, n, true);
            l.pts = tw.series(s->values.data(), drawnSamples(n, opt), columns);
            preds.push_back(l);
        }
        if (const NamedSeries* s = tr.prediction("effective_lr_rmsprop"); s && !have_rms) {
            have_rms = true;
            PlotLine l;
            QColor grey = th.foreground;
            grey.setAlpha(150);
            l.color = grey;
            l.width = 2.5 * th.unit;
            l.style = Qt::DotLine;
            l.legend = QObject::tr("RMSProp-norm η/√G, matched ρ (analogy)");
            // G starts at 0: the early rate is large and clipped at the axis, as on screen.
            const long n = static_cast<long>(s->values.size());
            l.pts = tw.series(s->values.data(), drawnSamples(n, opt), columns);
            preds.push_back(l);
        }
    }
    spec.lines.insert(spec.lines.end(), preds.begin(), preds.end());
    spec.y = yr.any ? niceLog(yr.lo, yr.hi, QObject::tr("η_eff"))
                    : niceLog(1e-3, 1, QObject::tr("η_eff"));
    if (!yr.any) spec.message = QObject::tr("no scale symmetry: η/|q|² does not apply");
    if (opt.time_index >= 0) spec.now_x = tw.x(opt.time_index);
    return spec;
}

PlotSpec normSpec(const FigureData& data, const FigureOptions& opt, const Theme& th, int columns) {
    PlotSpec spec;
    spec.title = QObject::tr("Squared norm |q|²");
    if (!data.run) return spec;
    const Run& run = *data.run;
    const TimeWindow tw(run.scene.steps, data.view.time_window);
    spec.x = tw.axis();
    Range yr{tw.cap()};
    for (const Ghost& g : data.ghosts) {
        if (!g.run || g.run->trajectories.empty()) continue;
        const Trajectory& tr = g.run->trajectories.front();
        PlotLine l = ghostLine(g, tr.model, th, true);
        const long n = static_cast<long>(tr.r2.size());
        yr.add(tr.r2, n, false);
        l.pts = tw.series(tr.r2.data(), drawnSamples(n, opt), columns);
        spec.lines.push_back(l);
    }
    for (Model m : kModelDrawOrder) {
        const Trajectory* tr = run.find(m);
        if (!tr) continue;
        PlotLine l = modelLine(m, th, QString());
        const long n = static_cast<long>(tr->r2.size());
        yr.add(tr->r2, n, false);
        l.pts = tw.series(tr->r2.data(), drawnSamples(n, opt), columns);
        spec.lines.push_back(l);
    }
    // The laws of the first model (discrete if shown), where they apply (as on screen).
    if (!run.trajectories.empty()) {
        const Trajectory& tr = run.trajectories.front();
        for (const auto& [key, label, style] : {std::tuple{"r2_eq17", "Eq. 17", Qt::DashLine},
                                                std::tuple{"r2_eq16", "Eq. 16", Qt::DotLine}}) {
            const NamedSeries* s = tr.prediction(key);
            if (!s || s->validity == Validity::NotApplicable) continue;
            PlotLine l;
            l.color = th.foreground;
            l.width = 2.0 * th.unit;
            l.style = style;
            l.legend = QObject::tr("%1 (%2)").arg(QObject::tr(label), validityWord(s->validity));
            const long n = static_cast<long>(s->values.size());
            yr.add(s->values, n, false);
            l.pts = tw.series(s->values.data(), drawnSamples(n, opt), columns);
            spec.lines.push_back(l);
        }
    }
    spec.y = yr.any ? niceLinear(yr.lo, yr.hi, QObject::tr("|q|²"))
                    : niceLinear(0, 1, QObject::tr("|q|²"));
    if (!yr.any) spec.message = QObject::tr("no scale symmetry: |q|² is not a charge here");
    if (opt.time_index >= 0) spec.now_x = tw.x(opt.time_index);
    return spec;
}

}  // namespace noether::figure

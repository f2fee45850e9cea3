#include "gui/figure/landscape_figure.hpp"

#include <QFontMetricsF>
#include <QTransform>
#include <algorithm>
#include <cmath>

#include "gui/views/colormaps.hpp"

namespace noether::figure {

namespace {

constexpr double kLevels = 12.0;    // isolines over the colour scale (as the shader)
constexpr double kLogFloor = 1e-3;  // log scale starts at f_min + floor (f_max - f_min)

QColor mix(const QColor& a, const QColor& b, double t) {
    return QColor::fromRgbF(static_cast<float>(a.redF() * (1 - t) + b.redF() * t),
                            static_cast<float>(a.greenF() * (1 - t) + b.greenF() * t),
                            static_cast<float>(a.blueF() * (1 - t) + b.blueF() * t));
}

QString number(double v) {
    return tickLabel(v, false, 3);
}

}  // namespace

double LandscapeFigure::scaled(double f, double lo, double hi, bool log) {
    const double span = std::max(hi - lo, 1e-30);
    const double x = std::max(f - lo, 0.0);
    if (log) {
        const double d = kLogFloor * span;
        return (std::log(x + d) - std::log(d)) / (std::log(span + d) - std::log(d));
    }
    return x / span;
}

QColor LandscapeFigure::colormap(double t, int which) {
    const auto& lut = which == 1 ? gui::kCividis : gui::kViridis;
    // Linear interpolation between the 256 entries, as the GL texture lookup does.
    const double u = std::clamp(t, 0.0, 1.0) * 255.0;
    const int k0 = std::clamp(static_cast<int>(std::floor(u)), 0, 255);
    const int k1 = std::min(k0 + 1, 255);
    const double w = u - k0;
    auto ch = [&](int c) {
        return static_cast<int>(std::lround(lut[3 * k0 + c] * (1 - w) + lut[3 * k1 + c] * w));
    };
    return QColor(ch(0), ch(1), ch(2));
}

Slice LandscapeFigure::slice(const FigureData& data, long time_index) {
    Slice s;
    const int n = data.run ? data.run->loss->dim() : static_cast<int>(data.doc.scene.q0.size());
    s.i = std::clamp(data.view.slice_i, 0, std::max(n - 1, 0));
    s.j = std::clamp(data.view.slice_j, 0, std::max(n - 1, 0));
    if (s.i == s.j) {
        s.i = 0;
        s.j = n > 1 ? 1 : 0;
    }
    s.through = data.doc.scene.q0;
    if (data.run && !data.run->trajectories.empty() &&
        data.run->trajectories.front().samples() > 0 && n > 2) {
        const Trajectory& tr = data.run->trajectories.front();
        const long k =
            time_index < 0 ? tr.samples() - 1 : std::clamp<long>(time_index, 0, tr.samples() - 1);
        s.through = tr.q.col(k);
    }
    return s;
}

PlaneBox LandscapeFigure::dataBox(const FigureData& data) {
    if (data.view.box) return *data.view.box;
    const Slice s = slice(data, -1);
    PlaneBox b{INFINITY, -INFINITY, INFINITY, -INFINITY};
    auto add = [&b](double x, double y) {
        if (!std::isfinite(x) || !std::isfinite(y)) return;
        b.x0 = std::min(b.x0, x);
        b.x1 = std::max(b.x1, x);
        b.y0 = std::min(b.y0, y);
        b.y1 = std::max(b.y1, y);
    };
    auto addRun = [&](const Run& run) {
        for (const Trajectory& tr : run.trajectories)
            if (s.i < tr.q.rows() && s.j < tr.q.rows())
                for (long k = 0; k < tr.samples(); ++k)
                    add(tr.q(s.i, k), tr.q(s.j, k));
    };
    if (data.run) addRun(*data.run);
    for (const Ghost& g : data.ghosts)
        if (g.run) addRun(*g.run);
    const Vector& q0 = data.doc.scene.q0;
    if (s.i < q0.size() && s.j < q0.size()) add(q0[s.i], q0[s.j]);
    if (!(b.x1 >= b.x0)) return {-1.5, 1.5, -1.5, 1.5};
    // As the screen: the trajectories fill the view, at least the toys' unit scale around them,
    // with a margin.
    const double ext = std::max({b.x1 - b.x0, b.y1 - b.y0, 1.6});
    const double cx = 0.5 * (b.x0 + b.x1), cy = 0.5 * (b.y0 + b.y1);
    const double hx = 0.55 * std::max(b.x1 - b.x0, 0.25 * ext);
    const double hy = 0.55 * std::max(b.y1 - b.y0, 0.25 * ext);
    return {cx - hx, cx + hx, cy - hy, cy + hy};
}

void LandscapeFigure::updateLayer(const FigureData& data, const Slice& s, const PlaneBox& box,
                                  int nx, int ny, const Theme& theme) {
    const Loss& loss = *data.run->loss;
    // The cache key: everything the grid depends on.
    std::string key = data.run->scene.loss.name;
    auto add = [&key](double v) { key.append("|").append(format_double(v)); };
    add(data.run->scene.loss.eps);
    for (const auto& [k, v] : data.run->scene.loss.params) {
        key.append("|").append(k);
        for (double x : v)
            add(x);
    }
    key.append(data.run->scene.loss.expr);
    for (double v : {box.x0, box.x1, box.y0, box.y1})
        add(v);
    for (Eigen::Index i = 0; i < s.through.size(); ++i)
        if (i != s.i && i != s.j) add(s.through[i]);
    for (int v : {s.i, s.j, nx, ny, data.view.colormap, data.view.log_scale ? 1 : 0,
                  data.view.isolines ? 1 : 0, data.view.orbits ? 1 : 0})
        add(v);
    key.append(theme.background.name().toStdString());
    if (key == layer_.key) return;
    layer_ = LandscapeLayer{};
    layer_.key = key;
    auto grid = sample_loss(loss, s, box, nx, ny);
    if (!grid) return;
    // Colour range: log uses the full range; linear clips at the 95th percentile (as the screen).
    double lo = grid->f_min, hi = grid->f_max;
    const bool log = data.view.log_scale;
    if (!log && grid->finite > 10) {
        std::vector<double> v;
        v.reserve(grid->values.size());
        for (double x : grid->values)
            if (std::isfinite(x)) v.push_back(x);
        auto k = v.begin() + static_cast<long>(0.95 * static_cast<double>(v.size() - 1));
        std::nth_element(v.begin(), k, v.end());
        hi = *k;
    }
    if (!(hi > lo)) hi = lo + 1.0;
    layer_.lo = lo;
    layer_.hi = hi;
    // The heatmap: colour map, then washed towards the background (trajectories stay readable).
    const double wash = theme.dark ? 0.18 : 0.22;
    const QColor nan_colour = mix(QColor(128, 128, 128), theme.background, 0.5);
    QImage img(nx, ny, QImage::Format_RGB32);
    std::vector<double> level(static_cast<size_t>(nx) * ny, NAN);
    for (int j = 0; j < ny; ++j) {
        QRgb* row = reinterpret_cast<QRgb*>(img.scanLine(ny - 1 - j));
        for (int i = 0; i < nx; ++i) {
            const double f = grid->values[static_cast<size_t>(j) * nx + i];
            if (!std::isfinite(f)) {
                row[i] = nan_colour.rgb();
                continue;
            }
            const double t = scaled(f, lo, hi, log);
            level[static_cast<size_t>(j) * nx + i] = t * kLevels;
            row[i] = mix(colormap(t, data.view.colormap), theme.background, wash).rgb();
        }
    }
    layer_.heat = img;
    // Isolines: marching squares through the cell centres at the shader's levels 1..11; cells
    // where the levels crowd (closer than two cells) are left out, as the shader fades them.
    if (data.view.isolines) {
        const double dx = (box.x1 - box.x0) / nx, dy = (box.y1 - box.y0) / ny;
        QPainterPath path;
        for (int j = 0; j + 1 < ny; ++j) {
            for (int i = 0; i + 1 < nx; ++i) {
                const double a = level[static_cast<size_t>(j) * nx + i];
                const double b = level[static_cast<size_t>(j) * nx + i + 1];
                const double c = level[static_cast<size_t>(j + 1) * nx + i + 1];
                const double d = level[static_cast<size_t>(j + 1) * nx + i];
                if (!std::isfinite(a) || !std::isfinite(b) || !std::isfinite(c) ||
                    !std::isfinite(d))
                    continue;
                const double lo_v = std::min({a, b, c, d}), hi_v = std::max({a, b, c, d});
                if (hi_v - lo_v > 0.5) continue;
                const double x0 = box.x0 + (i + 0.5) * dx, y0 = box.y0 + (j + 0.5) * dy;
                for (double L = std::max(1.0, std::ceil(lo_v)); L <= std::min(kLevels - 1, hi_v);
                     L += 1.0) {
                    const int idx = (a > L) | ((b > L) << 1) | ((c > L) << 2) | ((d > L) << 3);
                    if (idx == 0 || idx == 15) continue;
                    auto at = [](double v0, double v1, double L_) {
                        const double den = v1 - v0;
                        return std::abs(den) < 1e-300 ? 0.5 : std::clamp((L_ - v0) / den, 0.0, 1.0);
                    };
                    const QPointF bottom(x0 + at(a, b, L) * dx, y0);
                    const QPointF right(x0 + dx, y0 + at(b, c, L) * dy);
                    const QPointF top(x0 + at(d, c, L) * dx, y0 + dy);
                    const QPointF left(x0, y0 + at(a, d, L) * dy);
                    std::vector<QPointF> crossed;
                    if ((a > L) != (b > L)) crossed.push_back(bottom);
                    if ((b > L) != (c > L)) crossed.push_back(right);
                    if ((d > L) != (c > L)) crossed.push_back(top);
                    if ((a > L) != (d > L)) crossed.push_back(left);
                    if (crossed.size() == 2) {
                        path.moveTo(crossed[0]);
                        path.lineTo(crossed[1]);
                    } else if (crossed.size() == 4) {
                        // Saddle: the centre value decides which corners are joined.
                        const bool centre_above = 0.25 * (a + b + c + d) > L;
                        const bool around_bd =
                            (idx == 5 && centre_above) || (idx == 10 && !centre_above);
                        if (around_bd) {
                            path.moveTo(bottom);
                            path.lineTo(right);
                            path.moveTo(top);
                            path.lineTo(left);
                        } else {
                            path.moveTo(left);
                            path.lineTo(bottom);
                            path.moveTo(right);
                            path.lineTo(top);
                        }
                    }
                }
            }
        }
        layer_.isolines = path;
    }
    // Orbits of the symmetry group through the box (a little beyond it).
    if (data.view.orbits && !loss.generators().empty()) {
        const PlaneBox wide{box.x0 - 0.1 * (box.x1 - box.x0), box.x1 + 0.1 * (box.x1 - box.x0),
                            box.y0 - 0.1 * (box.y1 - box.y0), box.y1 + 0.1 * (box.y1 - box.y0)};
        for (const OrbitPolyline& o : symmetry_orbits(loss, s, wide, 7)) {
            QPolygonF poly;
            for (size_t k = 0; k < o.x.size(); ++k)
                if (std::isfinite(o.x[k]) && std::isfinite(o.y[k])) poly << QPointF(o.x[k], o.y[k]);
            if (poly.size() > 1) layer_.orbits.push_back(poly);
        }
    }
}

void LandscapeFigure::paint(QPainter& p, const QRectF& rect, const FigureData& data,
                            const FigureOptions& opt, const Fonts& fonts) {
    const Theme& th = fonts.theme();
    PlotSpec spec;
    if (!data.run) {
        spec.message = QObject::tr("no run");
        paintPlot(p, rect, spec, fonts);
        return;
    }
    const Run& run = *data.run;
    const Slice s = slice(data, opt.time_index);
    const QString formula = QString::fromStdString(run.loss->formula());
    spec.title = QObject::tr("Landscape   %1")
                     .arg(formula.startsWith("f") ? formula : QObject::tr("f = %1").arg(formula));
    if (run.scene.loss.eps != 0.0)
        spec.title += QObject::tr("   (ε = %1)").arg(number(run.scene.loss.eps));
    spec.grid = false;
    spec.x.title = QString("q%1").arg(s.i + 1);
    spec.y.title = QString("q%1").arg(s.j + 1);

    // Legend: models, ghosts, start, kick, orbits, then the colour bar.
    for (const Trajectory& tr : run.trajectories) {
        LegendEntry e;
        e.text = modelName(tr.model);
        e.color = modelColor(tr.model, th.dark);
        e.width = modelWidth(tr.model) * th.unit;
        e.style = modelDashed(tr.model) ? Qt::DashLine : Qt::SolidLine;
        spec.legend.push_back(e);
    }
    for (const Ghost& g : data.ghosts) {
        if (!g.run || g.run->trajectories.empty()) continue;
        LegendEntry e;
        e.text = g.label;
        QColor c = modelColor(g.run->trajectories.front().model, th.dark);
        c.setAlphaF(0.6f);
        e.color = c;
        e.width = 3.0 * th.unit;
        e.style = Qt::DotLine;
        spec.legend.push_back(e);
    }
    {
        LegendEntry e;
        e.kind = LegendEntry::Ring;
        e.text = QObject::tr("start q₀");
        e.color = th.foreground;
        spec.legend.push_back(e);
    }
    if (run.scene.v0) {
        LegendEntry e;
        e.kind = LegendEntry::Arrow;
        e.text = QObject::tr("kick: step 1 moves by −ηβv₀");
        e.color = th.foreground;
        spec.legend.push_back(e);
    }
    if (data.view.orbits && !run.loss->generators().empty()) {
        LegendEntry e;
        e.text = QObject::tr("symmetry orbits");
        e.color = QColor(150, 150, 150);
        e.width = 1.6 * th.unit;
        spec.legend.push_back(e);
    }
    // Axes first with a provisional box (for the layout), then the box fitted to the area with
    // equal scales on both axes.
    PlaneBox box = dataBox(data);
    spec.x.lo = box.x0;
    spec.x.hi = box.x1;
    spec.y.lo = box.y0;
    spec.y.hi = box.y1;
    LegendEntry bar;
    bar.kind = LegendEntry::ColourBar;
    bar.text = data.view.log_scale ? QObject::tr("f (log)") : QObject::tr("f");
    bar.lo = number(0.0);
    bar.hi = number(1.0);
    for (int i = 0; i < 32; ++i)
        bar.ramp.push_back(colormap(i / 31.0, data.view.colormap));
    spec.legend.push_back(bar);
    QRectF area;
    // Equal scales: widen the box along the axis with room to spare (a few passes, since the
    // tick labels and the colour bar's numbers take room too).
    auto fit = [&] {
        for (int pass = 0; pass < 3; ++pass) {
            spec.x.tick_values = niceTicks(spec.x.lo, spec.x.hi, 5);
            spec.y.tick_values = niceTicks(spec.y.lo, spec.y.hi, 5);
            area = plotArea(p, rect, spec, fonts);
            if (area.width() < 10 || area.height() < 10) return;
            const double bw = box.x1 - box.x0, bh = box.y1 - box.y0;
            const double scale = std::min(area.width() / bw, area.height() / bh);
            const double hw = 0.5 * area.width() / scale, hh = 0.5 * area.height() / scale;
            const double cx = 0.5 * (box.x0 + box.x1), cy = 0.5 * (box.y0 + box.y1);
            spec.x.lo = cx - hw;
            spec.x.hi = cx + hw;
            spec.y.lo = cy - hh;
            spec.y.hi = cy + hh;
        }
    };
    PlaneBox shown;
    for (int round = 0; round < 2; ++round) {
        fit();
        shown = PlaneBox{spec.x.lo, spec.x.hi, spec.y.lo, spec.y.hi};
        // The grid: about one cell per 1.5 points of the output.
        const int nx = std::clamp(static_cast<int>(area.width() / 1.5), 64, 400);
        const int ny = std::clamp(static_cast<int>(area.height() / 1.5), 64, 400);
        if (s.through.size() == run.loss->dim()) updateLayer(data, s, shown, nx, ny, th);
        spec.legend.back().lo = number(layer_.lo);
        spec.legend.back().hi = number(layer_.hi);
        if (plotArea(p, rect, spec, fonts) == area) break;
    }

    const long limit = opt.progressive && opt.time_index >= 0 ? opt.time_index + 1 : -1;
    spec.underlay = [&](QPainter& q, const QRectF& a) {
        QTransform toArea;
        toArea.translate(a.left(), a.bottom());
        toArea.scale(a.width() / (shown.x1 - shown.x0), -a.height() / (shown.y1 - shown.y0));
        toArea.translate(-shown.x0, -shown.y0);
        auto map = [&](double x, double y) { return toArea.map(QPointF(x, y)); };
        // Heatmap and isolines.
        if (!layer_.heat.isNull()) q.drawImage(a, layer_.heat);
        if (!layer_.isolines.isEmpty()) {
            QColor ic(0, 0, 0, th.dark ? 110 : 90);
            q.setPen(QPen(ic, th.unit * 1.1));
            q.setBrush(Qt::NoBrush);
            q.drawPath(toArea.map(layer_.isolines));
        }
        // Lines are clipped here (SVG output ignores the painter's clip).
        const QRectF clip = a;
        // Orbits, faint.
        if (!layer_.orbits.empty()) {
            QColor oc(255, 255, 255, th.dark ? 90 : 140);
            q.setPen(QPen(oc, th.unit * 1.6));
            for (const QPolygonF& o : layer_.orbits) {
                const QPolygonF m = toArea.map(o);
                q.drawPath(clippedPath(std::vector<QPointF>(m.begin(), m.end()), clip));
            }
        }
        auto pathOf = [&](const Trajectory& tr, long n) {
            if (s.i >= tr.q.rows() || s.j >= tr.q.rows()) return QPainterPath();
            n = std::min(n < 0 ? tr.samples() : n, tr.samples());
            std::vector<double> xs(static_cast<size_t>(n)), ys(static_cast<size_t>(n));
            for (long k = 0; k < n; ++k) {
                xs[k] = tr.q(s.i, k);
                ys[k] = tr.q(s.j, k);
            }
            const auto pts = decimatedPath(xs.data(), ys.data(), n, shown.x1 - shown.x0,
                                           shown.y1 - shown.y0, 0.5 / std::max(a.width(), 1.0));
            std::vector<QPointF> px;
            px.reserve(pts.size());
            const double bx = 1e4 * (shown.x1 - shown.x0), by = 1e4 * (shown.y1 - shown.y0);
            for (const QPointF& d : pts)
                px.push_back(std::isfinite(d.x()) && std::isfinite(d.y())
                                 ? map(std::clamp(d.x(), shown.x0 - bx, shown.x1 + bx),
                                       std::clamp(d.y(), shown.y0 - by, shown.y1 + by))
                                 : QPointF(NAN, NAN));
            return clippedPath(px, clip);
        };
        // Ghost runs, thin and dotted, under the scene's own trajectories.
        for (const Ghost& g : data.ghosts) {
            if (!g.run || g.run->trajectories.empty()) continue;
            const Trajectory& tr = g.run->trajectories.front();
            QColor c = modelColor(tr.model, th.dark);
            c.setAlphaF(0.75f);
            const QPainterPath path = pathOf(tr, limit);
            q.setPen(QPen(th.dark ? QColor(0, 0, 0, 160) : QColor(255, 255, 255, 180),
                          (3.0 + 2.0) * th.unit, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
            q.drawPath(path);
            QPen pen(c, 3.0 * th.unit, Qt::DotLine, Qt::FlatCap, Qt::RoundJoin);
            q.setPen(pen);
            q.drawPath(path);
        }
        // Trajectories: every halo first, then the models bottom to top.
        const QColor halo = th.dark ? QColor(0, 0, 0, 200) : QColor(255, 255, 255, 220);
        std::vector<std::pair<const Trajectory*, QPainterPath>> paths;
        for (Model m : kModelDrawOrder)
            if (const Trajectory* tr = run.find(m)) paths.emplace_back(tr, pathOf(*tr, limit));
        for (const auto& [tr, path] : paths) {
            q.setPen(QPen(halo, (modelWidth(tr->model) + 3.0) * th.unit, Qt::SolidLine,
                          Qt::RoundCap, Qt::RoundJoin));
            q.drawPath(path);
        }
        for (const auto& [tr, path] : paths) {
            QPen pen(modelColor(tr->model, th.dark), modelWidth(tr->model) * th.unit);
            pen.setStyle(modelDashed(tr->model) ? Qt::DashLine : Qt::SolidLine);
            pen.setCapStyle(Qt::FlatCap);
            pen.setJoinStyle(Qt::RoundJoin);
            q.setPen(pen);
            q.drawPath(path);
        }
        // The kick: an arrow of 70 screen pixels from the start along −v₀.
        const Vector& q0 = run.scene.q0;
        const QPointF start = map(q0[s.i], q0[s.j]);
        if (run.scene.v0 && run.scene.v0->size() == q0.size()) {
            QPointF d(-(*run.scene.v0)[s.i], (*run.scene.v0)[s.j]);  // y grows downwards
            const double n = std::hypot(d.x(), d.y());
            if (n > 0) {
                d /= n;
                const double len = 70.0 * th.unit, head = 18.0 * th.unit;
                const QPointF tip = start + len * d;
                const double c = std::cos(0.45), sn = std::sin(0.45);
                const QPointF l(-(d.x() * c - d.y() * sn), -(d.x() * sn + d.y() * c));
                const QPointF r(-(d.x() * c + d.y() * sn), -(-d.x() * sn + d.y() * c));
                QPainterPath arrow;
                arrow.moveTo(start);
                arrow.lineTo(tip);
                arrow.moveTo(tip + head * l);
                arrow.lineTo(tip);
                arrow.lineTo(tip + head * r);
                q.setPen(QPen(halo, 6.5 * th.unit, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
                q.drawPath(arrow);
                q.setPen(QPen(th.dark ? Qt::white : QColor(20, 20, 20), 3.5 * th.unit,
                              Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
                q.drawPath(arrow);
            }
        }
        // Current-time markers, then the start point on top.
        if (opt.time_index >= 0) {
            for (Model m : kModelDrawOrder) {
                const Trajectory* tr = run.find(m);
                if (!tr || tr->samples() == 0 || s.i >= tr->q.rows() || s.j >= tr->q.rows())
                    continue;
                const long k = std::clamp<long>(opt.time_index, 0, tr->samples() - 1);
                q.setPen(QPen(th.dark ? Qt::black : Qt::white, 3.0 * th.unit));
                q.setBrush(modelColor(m, th.dark));
                q.drawEllipse(map(tr->q(s.i, k), tr->q(s.j, k)), 7.5 * th.unit, 7.5 * th.unit);
            }
        }
        q.setPen(QPen(th.dark ? Qt::white : QColor(20, 20, 20), 5.0 * th.unit));
        q.setBrush(th.dark ? QColor(20, 20, 20) : Qt::white);
        q.drawEllipse(start, 9.5 * th.unit, 9.5 * th.unit);
        q.setBrush(Qt::NoBrush);
    };
    paintPlot(p, rect, spec, fonts);
}

}  // namespace noether::figure

#include "gui/regime/regime_map_widget.hpp"

#include <QContextMenuEvent>
#include <QFileDialog>
#include <QFontInfo>
#include <QFontMetricsF>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QSaveFile>
#include <QSvgGenerator>
#include <algorithm>
#include <cmath>

#include "gui/views/colormaps.hpp"
#include "gui/views/style.hpp"

namespace noether::gui {

namespace {

// Cells that diverged: dark grey with red hatching; cells with no value: light grey.
const QColor kDivergedFill(58, 52, 52);
const QColor kDivergedHatch(235, 95, 70);
const QColor kUndefinedFill(200, 200, 200);
constexpr int kHatchPeriod = 9;  // logical pixels between hatch lines
constexpr int kHatchWidth = 2;

QRgb viridis(double t) {
    const int i = std::clamp(static_cast<int>(std::lround(t * 255.0)), 0, 255);
    return qRgb(kViridis[3 * i], kViridis[3 * i + 1], kViridis[3 * i + 2]);
}

// The colour and dash of each overlay (the Okabe–Ito palette, different dashes as well).
struct OverlayStyle {
    QColor colour;
    Qt::PenStyle dash;
};
OverlayStyle overlayStyle(const std::string& name) {
    if (name == "stability_limit") return {QColor(255, 255, 255), Qt::SolidLine};
    if (name == "overdamped_boundary") return {okabe_ito::kOrange, Qt::DashLine};
    if (name == "charge_critical_damping") return {okabe_ito::kSkyBlue, Qt::DashDotLine};
    if (name == "eq17_region") return {okabe_ito::kReddishPurple, Qt::DotLine};
    return {okabe_ito::kYellow, Qt::SolidLine};
}

// A font of `factor` times the app's lecture font, sized in pixels (so the screen, the PNG and
// the SVG lay out alike).
QFont pixelFont(double factor, bool bold = false) {
    QFont f = lectureFont(1.0, bold);
    const int px = QFontInfo(lectureFont()).pixelSize();
    f.setPixelSize(std::max(8, static_cast<int>(std::lround(px * factor))));
    return f;
}

QString tickText(double v, bool log) {
    if (log && v > 0.0) {
        const double e = std::log10(v);
        const int ei = static_cast<int>(std::lround(e));
        if (std::abs(e - ei) < 1e-9 && (ei < -2 || ei > 3))
            return QStringLiteral("10") + superscriptNumber(ei);
    }
    if (std::abs(v) < 1e-14) return QStringLiteral("0");
    return formatNumber(v, 3);
}

// Major ticks (labelled) and minor ticks over [lo, hi].
struct Ticks {
    std::vector<double> major, minor;
};
Ticks makeTicks(double lo, double hi, bool log, int target, int fine_decades = 2) {
    Ticks t;
    if (!(hi > lo)) return t;
    if (log && lo > 0.0) {
        const int e0 = static_cast<int>(std::floor(std::log10(lo) + 1e-9));
        const int e1 = static_cast<int>(std::ceil(std::log10(hi) - 1e-9));
        const int decades = e1 - e0;
        const int every = std::max(1, (decades + target - 1) / std::max(target, 1));
        for (int e = e0; e <= e1; ++e) {
            const double p = std::pow(10.0, e);
            for (int m = 1; m <= 9; ++m) {
                const double v = m * p;
                if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9)) continue;
                if (m == 1 && (e - e0) % every == 0)
                    t.major.push_back(v);
                else if (decades <= fine_decades && (m == 2 || m == 5))
                    t.major.push_back(v);
                else if (every == 1)
                    t.minor.push_back(v);
            }
        }
        if (t.major.size() < 2) t.major = {lo, hi};
        return t;
    }
    const double raw = (hi - lo) / std::max(target, 1);
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / p;
    const double step = (f < 1.5 ? 1.0 : f < 3.5 ? 2.0 : f < 7.5 ? 5.0 : 10.0) * p;
    for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step)
        t.major.push_back(std::abs(v) < 1e-12 * step ? 0.0 : v);
    return t;
}

// Draws a polyline with a dark halo under it.
void drawHaloLine(QPainter& p, const QPolygonF& poly, const OverlayStyle& st, double width) {
    QPen halo(QColor(0, 0, 0, 170), width + 3.0, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    p.setPen(halo);
    p.drawPolyline(poly);
    QPen pen(st.colour, width, st.dash, Qt::FlatCap, Qt::RoundJoin);
    p.setPen(pen);
    p.drawPolyline(poly);
}

}  // namespace

struct RegimeMapWidget::LegendItem {
    enum Kind { Diverged, Undefined, Overlay, Marker } kind;
    QString text;
    std::string overlay;
};

struct RegimeMapWidget::Layout {
    QRectF plot, bar;
    QFont tick, label, title, legend;
    double title_base = 0.0;
    double legend_top = 0.0;
    std::vector<LegendItem> items;
    std::vector<QRectF> item_rects;
};

RegimeMapWidget::RegimeMapWidget(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setMinimumSize(420, 340);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::ClickFocus);
    setToolTip(QString());
}

void RegimeMapWidget::setMap(std::shared_ptr<const RegimeMap> map) {
    map_ = std::move(map);
    hover_.reset();
    rebuildColours();
    update();
}

void RegimeMapWidget::setLogColour(bool on) {
    if (on == log_colour_) return;
    log_colour_ = on;
    rebuildColours();
    update();
}

void RegimeMapWidget::setCurrentScene(const Scene& scene) {
    scene_ = scene;
    update();
}

void RegimeMapWidget::setMessage(const QString& text) {
    if (text == message_) return;
    message_ = text;
    update();
}

void RegimeMapWidget::applyTheme(bool dark) {
    dark_ = dark;
    raster_dirty_ = true;
    update();
}

QRgb RegimeMapWidget::cellColour(long ix, long iy) const {
    const SweepMetric m = map_->request.metric;
    const double v = map_->value(ix, iy);
    const bool diverged = map_->divergedAt(ix, iy) >= 0;
    if (m == SweepMetric::DivergedAt) {
        if (!diverged) return kUndefinedFill.rgb();
        return viridis(scale_.unit(v));
    }
    if (diverged) return kDivergedFill.rgb();
    if (std::isnan(v)) return kUndefinedFill.rgb();
    return viridis(scale_.unit(v));
}

void RegimeMapWidget::rebuildColours() {
    raster_dirty_ = true;
    if (!map_ || map_->result.values.empty()) {
        scale_ = {};
        cells_ = QImage();
        return;
    }
    scale_ = fitColourScale(map_->result.values.front(), log_colour_);
    const long nx = map_->nx(), ny = map_->ny();
    cells_ = QImage(static_cast<int>(nx), static_cast<int>(ny), QImage::Format_RGB32);
    for (long iy = 0; iy < ny; ++iy) {
        auto* row = reinterpret_cast<QRgb*>(cells_.scanLine(static_cast<int>(ny - 1 - iy)));
        for (long ix = 0; ix < nx; ++ix)
            row[ix] = cellColour(ix, iy);
    }
}

QImage RegimeMapWidget::cellRaster(const QSize& pixels, double dpr) {
    if (!raster_dirty_ && raster_size_ == pixels && !raster_.isNull() &&
        raster_.devicePixelRatio() == dpr)
        return raster_;
    QImage img(pixels, QImage::Format_RGB32);
    img.setDevicePixelRatio(dpr);
    const long nx = map_->nx(), ny = map_->ny();
    const int W = pixels.width(), H = pixels.height();
    const bool hatch = map_->request.metric != SweepMetric::DivergedAt;
    const int period = std::max(4, static_cast<int>(std::lround(kHatchPeriod * dpr)));
    const int width = std::max(1, static_cast<int>(std::lround(kHatchWidth * dpr)));
    std::vector<long> col(static_cast<size_t>(W));
    for (int px = 0; px < W; ++px)
        col[px] = std::min(nx - 1, static_cast<long>(px) * nx / std::max(W, 1));
    for (int py = 0; py < H; ++py) {
        const long row_from_top = std::min(ny - 1, static_cast<long>(py) * ny / std::max(H, 1));
        const long iy = ny - 1 - row_from_top;
        const auto* src =
            reinterpret_cast<const QRgb*>(cells_.constScanLine(static_cast<int>(row_from_top)));
        auto* dst = reinterpret_cast<QRgb*>(img.scanLine(py));
        for (int px = 0; px < W; ++px) {
            const long ix = col[px];
            QRgb c = src[ix];
            if (hatch && (px + py) % period < width && map_->divergedAt(ix, iy) >= 0)
                c = kDivergedHatch.rgb();
            dst[px] = c;
        }
    }
    raster_ = img;
    raster_size_ = pixels;
    raster_dirty_ = false;
    return raster_;
}

std::vector<RegimeMapWidget::LegendItem> RegimeMapWidget::legendItems() const {
    std::vector<LegendItem> items;
    if (!map_) return items;
    const SweepMetric m = map_->request.metric;
    bool any_diverged = false, any_undefined = false;
    for (long ix = 0; ix < map_->nx(); ++ix)
        for (long iy = 0; iy < map_->ny(); ++iy) {
            const bool d = map_->divergedAt(ix, iy) >= 0;
            any_diverged |= d;
            any_undefined |= !d && std::isnan(map_->value(ix, iy));
        }
    if (m == SweepMetric::DivergedAt) {
        if (any_undefined)
            items.push_back({LegendItem::Undefined, tr("never diverged (within N steps)"), {}});
    } else {
        if (any_diverged)
            items.push_back({LegendItem::Diverged, tr("diverged (|q| > 10⁸ or not finite)"), {}});
        if (any_undefined) items.push_back({LegendItem::Undefined, metricUndefinedText(m), {}});
    }
    const RegimeAxis& x = map_->request.x;
    const RegimeAxis& y = map_->request.y;
    const bool k_in_limit = x.param == SweepParam::WeightDecay ||
                            y.param == SweepParam::WeightDecay ||
                            map_->request.base.rule.weight_decay != 0.0;
    for (const SweepOverlay& o : map_->overlays) {
        bool drawn = false;
        for (const Polyline& l : o.lines)
            drawn |= l.x.size() >= 2;
        if (drawn) items.push_back({LegendItem::Overlay, overlayLabel(o, k_in_limit), o.name});
    }
    if (scene_) {
        const double u = axisUnit(x, sceneValue(*scene_, x.param));
        const double v = axisUnit(y, sceneValue(*scene_, y.param));
        if (u >= 0.0 && u <= 1.0 && v >= 0.0 && v <= 1.0)
            items.push_back(
                {LegendItem::Marker, tr("current scene (click a cell to open it)"), {}});
    }
    return items;
}

RegimeMapWidget::Layout RegimeMapWidget::layoutFor(const QSizeF& size) const {
    Layout L;
    L.tick = pixelFont(1.0);
    L.label = pixelFont(1.1, true);
    L.title = pixelFont(1.15, true);
    L.legend = pixelFont(0.95);
    const QFontMetricsF ft(L.tick), fl(L.label), fti(L.title), fg(L.legend);
    const double pad = 8.0;
    L.items = legendItems();

    // Legend rows under the x axis, flowing left to right.
    const double swatch = 34.0, gap = 18.0, row_h = fg.height() + 6.0;
    std::vector<double> widths;
    for (const LegendItem& it : L.items)
        widths.push_back(swatch + 8.0 + fg.horizontalAdvance(it.text));
    const double avail = size.width() - 2 * pad;
    int rows = L.items.empty() ? 0 : 1;
    double xcur = 0.0;
    for (double w : widths) {
        if (xcur > 0.0 && xcur + w > avail) {
            ++rows;
            xcur = 0.0;
        }
        xcur += w + gap;
    }
    const double legend_h = rows * row_h;

    const double top = pad + fti.height() + 6.0;
    const double left =
        pad + fl.height() + 6.0 + ft.horizontalAdvance(QStringLiteral("0.999")) + 10.0;
    const double bar_w = 24.0;
    const double right = 18.0 + bar_w + 8.0 + ft.horizontalAdvance(QStringLiteral("−8.88e−88")) +
                         6.0 + fl.height() + pad;
    const double bottom = 8.0 + ft.height() + 4.0 + fl.height() + 8.0 + legend_h + pad;
    L.plot = QRectF(left, top, std::max(50.0, size.width() - left - right),
                    std::max(50.0, size.height() - top - bottom));
    L.bar = QRectF(L.plot.right() + 18.0, L.plot.top(), bar_w, L.plot.height());
    L.title_base = pad + fti.ascent();
    L.legend_top = L.plot.bottom() + 8.0 + ft.height() + 4.0 + fl.height() + 8.0;

    xcur = 0.0;
    double ycur = L.legend_top;
    for (size_t i = 0; i < L.items.size(); ++i) {
        if (xcur > 0.0 && xcur + widths[i] > avail) {
            xcur = 0.0;
            ycur += row_h;
        }
        L.item_rects.emplace_back(pad + xcur, ycur, widths[i], row_h);
        xcur += widths[i] + gap;
    }
    return L;
}

QRectF RegimeMapWidget::plotRect() const {
    return layoutFor(QSizeF(size())).plot;
}

std::optional<std::pair<long, long>> RegimeMapWidget::cellAt(const QPointF& p) const {
    if (!map_) return std::nullopt;
    const QRectF r = plotRect();
    if (!r.contains(p)) return std::nullopt;
    const double u = (p.x() - r.left()) / r.width();
    const double v = (r.bottom() - p.y()) / r.height();
    const long ix = std::clamp(static_cast<long>(std::floor(u * map_->nx())), 0L, map_->nx() - 1);
    const long iy = std::clamp(static_cast<long>(std::floor(v * map_->ny())), 0L, map_->ny() - 1);
    return std::make_pair(ix, iy);
}

QPointF RegimeMapWidget::cellCenter(long ix, long iy) const {
    const QRectF r = plotRect();
    if (!map_) return r.center();
    return {r.left() + (static_cast<double>(ix) + 0.5) / map_->nx() * r.width(),
            r.bottom() - (static_cast<double>(iy) + 0.5) / map_->ny() * r.height()};
}

QString RegimeMapWidget::readout(long ix, long iy) const {
    if (!map_ || ix < 0 || iy < 0 || ix >= map_->nx() || iy >= map_->ny()) return {};
    const SweepResult& r = map_->result;
    QString s = QStringLiteral("%1 = %2    %3 = %4    ")
                    .arg(paramSymbol(r.x.param), formatNumber(r.x.values[ix], 4),
                         paramSymbol(r.y.param), formatNumber(r.y.values[iy], 4));
    const long d = map_->divergedAt(ix, iy);
    const SweepMetric m = map_->request.metric;
    if (d >= 0) return s + tr("diverged at step %1").arg(d);
    const double v = map_->value(ix, iy);
    QString name = QString::fromLatin1(to_string(m));
    if (std::isnan(v)) return s + name + QStringLiteral(": ") + metricUndefinedText(m);
    QString units = metricUnits(m);
    return s + name + QStringLiteral(" = ") + formatNumber(v, 4) +
           (units.isEmpty() || m == SweepMetric::OdeGap || m == SweepMetric::FlowGap
                ? QString()
                : QStringLiteral(" ") + units);
}

void RegimeMapWidget::render(QPainter& p, const QSizeF& size, double dpr) {
    const QPalette pal = palette();
    const QColor bg = pal.color(QPalette::Base), fg = pal.color(QPalette::Text);
    p.fillRect(QRectF(QPointF(0, 0), size), bg);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setRenderHint(QPainter::TextAntialiasing, true);
    const Layout L = layoutFor(size);
    const QFontMetricsF ft(L.tick), fl(L.label), fg_m(L.legend);

    if (!map_ || map_->nx() == 0) {
        p.setPen(fg);
        p.setFont(L.label);
        p.drawText(QRectF(QPointF(0, 0), size), Qt::AlignCenter | Qt::TextWordWrap,
                   message_.isEmpty() ? tr("No regime map yet") : message_);
        return;
    }
    const RegimeMap& M = *map_;
    const RegimeAxis& ax = M.request.x;
    const RegimeAxis& ay = M.request.y;
    const QRectF& plot = L.plot;
    auto toX = [&](double v) { return plot.left() + axisUnit(ax, v) * plot.width(); };
    auto toY = [&](double v) { return plot.bottom() - axisUnit(ay, v) * plot.height(); };

    // Title: the scene the map is of (the metric names the colour bar).
    {
        const Scene& b = M.request.base;
        QStringList parts;
        parts << QString::fromStdString(b.loss.name) << QString::fromLatin1(to_string(b.rule.rule))
              << tr("N = %1").arg(b.steps);
        for (SweepParam q : {SweepParam::LearningRate, SweepParam::Momentum,
                             SweepParam::WeightDecay, SweepParam::Eps})
            if (q != ax.param && q != ay.param)
                parts << paramSymbol(q) + QStringLiteral(" = ") + formatNumber(sceneValue(b, q), 3);
        p.setFont(L.title);
        p.setPen(fg);
        const QFontMetricsF fti(L.title);
        const QString title =
            fti.elidedText(parts.join(QStringLiteral(" · ")), Qt::ElideRight, size.width() - 16.0);
        p.drawText(QPointF(8.0, L.title_base), title);
    }

    // Cells: a raster at the device's resolution (nearest neighbour, no smoothing).
    {
        const QSize px(std::max(1, static_cast<int>(std::lround(plot.width() * dpr))),
                       std::max(1, static_cast<int>(std::lround(plot.height() * dpr))));
        const QImage img = cellRaster(px, dpr);
        p.setRenderHint(QPainter::SmoothPixmapTransform, false);
        p.drawImage(plot, img, QRectF(QPointF(0, 0), QSizeF(img.size())));
    }

    // Theory overlays: halo lines, labels placed where they do not collide.
    // Where the current scene's marker goes (labels keep clear of it).
    std::optional<QPointF> marker;
    if (scene_) {
        const double u = axisUnit(ax, sceneValue(*scene_, ax.param));
        const double v = axisUnit(ay, sceneValue(*scene_, ay.param));
        if (u >= 0.0 && u <= 1.0 && v >= 0.0 && v <= 1.0)
            marker = QPointF(plot.left() + u * plot.width(), plot.bottom() - v * plot.height());
    }
    std::vector<QRectF> placed;
    if (marker) placed.emplace_back(*marker - QPointF(16, 16), QSizeF(32, 32));
    // Every curve first, then the labels (no curve crosses a label).
    for (const SweepOverlay& o : M.overlays) {
        for (const Polyline& l : o.lines) {
            if (l.x.size() < 2) continue;
            QPolygonF poly;
            for (size_t i = 0; i < l.x.size(); ++i)
                poly << QPointF(std::clamp(toX(l.x[i]), plot.left(), plot.right()),
                                std::clamp(toY(l.y[i]), plot.top(), plot.bottom()));
            drawHaloLine(p, poly, overlayStyle(o.name), o.name == "stability_limit" ? 3.5 : 3.0);
        }
    }
    for (const SweepOverlay& o : M.overlays) {
        const OverlayStyle st = overlayStyle(o.name);
        const Polyline* longest = nullptr;
        for (const Polyline& l : o.lines)
            if (l.x.size() >= 2 && (!longest || l.x.size() > longest->x.size())) longest = &l;
        if (!longest) continue;
        const QString text = QString::fromStdString(o.name) == QLatin1String("stability_limit")
                                 ? tr("stable ← → diverges")
                             : o.name == "overdamped_boundary" ? tr("overdamped ← → underdamped")
                             : o.name == "eq17_region"         ? tr("Eq. 17 holds ←")
                             : o.name == "charge_critical_damping"
                                 ? tr("charge: monotone ← → oscillates")
                                 : QString::fromStdString(o.name);
        p.setFont(L.legend);
        const double tw = fg_m.horizontalAdvance(text) + 12.0, th = fg_m.height() + 4.0;
        const size_t n = longest->x.size();
        for (double frac : {0.8, 0.6, 0.4, 0.2, 0.9, 0.1, 0.5}) {
            const size_t i = std::min(n - 1, static_cast<size_t>(frac * static_cast<double>(n)));
            const QPointF a(toX(longest->x[i]), toY(longest->y[i]));
            // Centred on the curve, pushed inside the plot near its edges.
            const QRectF inner = plot.adjusted(3, 3, -3, -3);
            if (tw > inner.width() || th > inner.height()) break;
            QRectF box(a.x() - tw / 2.0, a.y() - th / 2.0, tw, th);
            box.moveLeft(std::clamp(box.left(), inner.left(), inner.right() - tw));
            box.moveTop(std::clamp(box.top(), inner.top(), inner.bottom() - th));
            bool clash = false;
            for (const QRectF& r : placed)
                clash |= r.adjusted(-4, -4, 4, 4).intersects(box);
            if (clash) continue;
            placed.push_back(box);
            QColor boxbg = bg;
            boxbg.setAlpha(215);
            p.setPen(QPen(st.colour.darker(dark_ ? 100 : 130), 1.5));
            p.setBrush(boxbg);
            p.drawRoundedRect(box, 4, 4);
            p.setPen(fg);
            p.drawText(box, Qt::AlignCenter, text);
            break;
        }
    }
    p.setBrush(Qt::NoBrush);

    // The current scene and the hovered cell.
    auto drawMarker = [&](const QPointF& c, double r) {
        p.setPen(QPen(QColor(0, 0, 0), 5.0));
        p.drawEllipse(c, r, r);
        p.setPen(QPen(QColor(255, 255, 255), 2.5));
        p.drawEllipse(c, r, r);
        p.setPen(QPen(QColor(255, 255, 255), 2.0));
        p.drawLine(c + QPointF(-r - 6, 0), c + QPointF(-r + 3, 0));
        p.drawLine(c + QPointF(r - 3, 0), c + QPointF(r + 6, 0));
        p.drawLine(c + QPointF(0, -r - 6), c + QPointF(0, -r + 3));
        p.drawLine(c + QPointF(0, r - 3), c + QPointF(0, r + 6));
    };
    if (marker) drawMarker(*marker, 9.0);
    if (hover_) {
        const double cw = plot.width() / M.nx(), ch = plot.height() / M.ny();
        const QRectF cell(plot.left() + hover_->first * cw,
                          plot.bottom() - (hover_->second + 1) * ch, cw, ch);
        p.setPen(QPen(QColor(0, 0, 0), 4.0));
        p.drawRect(cell.adjusted(-1, -1, 1, 1));
        p.setPen(QPen(QColor(255, 255, 255), 2.0));
        p.drawRect(cell.adjusted(-1, -1, 1, 1));
    }

    // Frame, ticks and axis titles.
    p.setPen(QPen(fg, 1.5));
    p.drawRect(plot);
    p.setFont(L.tick);
    const Ticks tx = makeTicks(ax.lo, ax.hi, ax.scale == AxisScale::Log, 6);
    for (double v : tx.minor) {
        const double x = toX(v);
        p.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 4));
    }
    for (double v : tx.major) {
        const double x = toX(v);
        p.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 8));
        const QString s = tickText(v, ax.scale == AxisScale::Log);
        const double w = ft.horizontalAdvance(s);
        const double lx = std::clamp(x - w / 2.0, plot.left() - w / 2.0, size.width() - w - 2.0);
        p.drawText(QPointF(lx, plot.bottom() + 10.0 + ft.ascent()), s);
    }
    const Ticks ty = makeTicks(ay.lo, ay.hi, ay.scale == AxisScale::Log, 6);
    for (double v : ty.minor) {
        const double y = toY(v);
        p.drawLine(QPointF(plot.left() - 4, y), QPointF(plot.left(), y));
    }
    for (double v : ty.major) {
        const double y = toY(v);
        p.drawLine(QPointF(plot.left() - 8, y), QPointF(plot.left(), y));
        const QString s = tickText(v, ay.scale == AxisScale::Log);
        p.drawText(QPointF(plot.left() - 11.0 - ft.horizontalAdvance(s), y + ft.ascent() / 2.6), s);
    }
    p.setFont(L.label);
    {
        const QString xt =
            paramTitle(ax.param) + (ax.scale == AxisScale::Log ? tr("  (log)") : QString());
        p.drawText(
            QRectF(plot.left(), plot.bottom() + 12.0 + ft.height(), plot.width(), fl.height()),
            Qt::AlignHCenter | Qt::AlignTop, xt);
        const QString yt =
            paramTitle(ay.param) + (ay.scale == AxisScale::Log ? tr("  (log)") : QString());
        p.save();
        p.translate(8.0, plot.center().y());
        p.rotate(-90);
        p.drawText(QRectF(-plot.height() / 2.0, 0, plot.height(), fl.height()),
                   Qt::AlignHCenter | Qt::AlignTop, yt);
        p.restore();
    }

    // Colour bar with ticks and the metric's name and units.
    {
        const QRectF& bar = L.bar;
        QImage grad(1, 256, QImage::Format_RGB32);
        for (int i = 0; i < 256; ++i)
            grad.setPixel(0, 255 - i, viridis(i / 255.0));
        p.setRenderHint(QPainter::SmoothPixmapTransform, true);
        p.drawImage(bar, grad);
        p.setPen(QPen(fg, 1.2));
        p.drawRect(bar);
        p.setFont(L.tick);
        double label_w = 0.0;
        if (scale_.valid) {
            const Ticks tc = makeTicks(scale_.lo, scale_.hi, scale_.log, 5, 3);
            for (double v : tc.major) {
                const double y = bar.bottom() - scale_.unit(v) * bar.height();
                p.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 6, y));
                const QString s = tickText(v, scale_.log);
                label_w = std::max(label_w, ft.horizontalAdvance(s));
                p.drawText(QPointF(bar.right() + 9.0, y + ft.ascent() / 2.6), s);
            }
        }
        QString name = metricTitle(M.request.metric);
        const QString units = metricUnits(M.request.metric);
        if (!units.isEmpty()) name += QStringLiteral(" [") + units + QStringLiteral("]");
        if (scale_.log) name += tr(", log scale");
        p.setFont(L.label);
        name = fl.elidedText(name, Qt::ElideRight, bar.height());
        p.save();
        p.translate(
            std::min(bar.right() + 14.0 + label_w, size.width() - fl.height() - 4.0) + fl.height(),
            bar.center().y());
        p.rotate(90);
        p.drawText(QRectF(-bar.height() / 2.0, 0, bar.height(), fl.height()),
                   Qt::AlignHCenter | Qt::AlignTop, name);
        p.restore();
    }

    // Legend.
    p.setFont(L.legend);
    for (size_t i = 0; i < L.items.size(); ++i) {
        const LegendItem& it = L.items[i];
        const QRectF r = L.item_rects[i];
        const QRectF sw(r.left(), r.center().y() - 8.0, 34.0, 16.0);
        switch (it.kind) {
            case LegendItem::Diverged: {
                // Hatched like the cells (a raster: SVG keeps no clip paths).
                const double r = 2.0;
                QImage sw_img(QSize(34, 16) * r, QImage::Format_RGB32);
                sw_img.fill(kDivergedFill);
                for (int y = 0; y < sw_img.height(); ++y)
                    for (int x = 0; x < sw_img.width(); ++x)
                        if ((x + y) % static_cast<int>(kHatchPeriod * r) < kHatchWidth * r)
                            sw_img.setPixel(x, y, kDivergedHatch.rgb());
                p.drawImage(sw, sw_img);
                p.setPen(QPen(fg, 1.0));
                p.drawRect(sw);
                break;
            }
            case LegendItem::Undefined:
                p.fillRect(sw, kUndefinedFill);
                p.setPen(QPen(fg, 1.0));
                p.drawRect(sw);
                break;
            case LegendItem::Overlay: {
                QPolygonF line;
                line << QPointF(sw.left(), sw.center().y()) << QPointF(sw.right(), sw.center().y());
                drawHaloLine(p, line, overlayStyle(it.overlay), 3.0);
                break;
            }
            case LegendItem::Marker:
                drawMarker(sw.center(), 6.0);
                break;
        }
        p.setPen(fg);
        p.drawText(QRectF(sw.right() + 8.0, r.top(), r.width(), r.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, it.text);
    }

    // A coarse pass, or a message while computing.
    QString note = message_;
    if (!M.isFinal() && note.isEmpty()) note = tr("preview %1 × %2").arg(M.nx()).arg(M.ny());
    if (!note.isEmpty()) {
        p.setFont(L.legend);
        const double tw = fg_m.horizontalAdvance(note) + 16.0, th = fg_m.height() + 6.0;
        const QRectF box(plot.right() - tw - 6.0, plot.top() + 6.0, tw, th);
        QColor boxbg = bg;
        boxbg.setAlpha(225);
        p.setPen(Qt::NoPen);
        p.setBrush(boxbg);
        p.drawRoundedRect(box, 4, 4);
        p.setBrush(Qt::NoBrush);
        p.setPen(fg);
        p.drawText(box, Qt::AlignCenter, note);
    }
}

void RegimeMapWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    render(p, QSizeF(size()), devicePixelRatioF());
}

void RegimeMapWidget::mouseMoveEvent(QMouseEvent* e) {
    const auto cell = cellAt(e->position());
    if (cell != hover_) {
        hover_ = cell;
        update();
        emit hovered(cell ? readout(cell->first, cell->second) : QString());
    }
}

void RegimeMapWidget::mousePressEvent(QMouseEvent* e) {
    if (e->button() == Qt::LeftButton) {
        press_ = e->position();
        pressed_ = true;
    }
    QWidget::mousePressEvent(e);
}

void RegimeMapWidget::mouseReleaseEvent(QMouseEvent* e) {
    if (e->button() == Qt::LeftButton && pressed_) {
        pressed_ = false;
        const auto a = cellAt(press_), b = cellAt(e->position());
        if (a && a == b) emit cellActivated(a->first, a->second);
    }
    QWidget::mouseReleaseEvent(e);
}

void RegimeMapWidget::leaveEvent(QEvent* e) {
    if (hover_) {
        hover_.reset();
        update();
        emit hovered(QString());
    }
    QWidget::leaveEvent(e);
}

void RegimeMapWidget::contextMenuEvent(QContextMenuEvent* e) {
    QMenu menu(this);
    QAction* png = menu.addAction(tr("Export PNG…"), this, [this] { exportWithDialog("png"); });
    QAction* svg = menu.addAction(tr("Export SVG…"), this, [this] { exportWithDialog("svg"); });
    QAction* csv = menu.addAction(tr("Export CSV…"), this, [this] { exportWithDialog("csv"); });
    for (QAction* a : {png, svg, csv})
        a->setEnabled(map_ != nullptr);
    if (const auto cell = cellAt(e->pos())) {
        menu.addSeparator();
        const long ix = cell->first, iy = cell->second;
        menu.addAction(tr("Open this cell"), this, [this, ix, iy] { emit cellActivated(ix, iy); });
    }
    menu.exec(e->globalPos());
}

QString RegimeMapWidget::exportPng(const QString& path) {
    if (!map_) return tr("no regime map to export");
    const double scale = 2.0;
    QImage img(size() * scale, QImage::Format_ARGB32_Premultiplied);
    img.setDevicePixelRatio(scale);
    {
        QPainter p(&img);
        render(p, QSizeF(size()), scale);
    }
    raster_dirty_ = true;  // the screen raster has another resolution
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return tr("could not write %1: %2").arg(path, f.errorString());
    if (!img.save(&f, "PNG")) return tr("could not encode %1").arg(path);
    if (!f.commit()) return tr("could not write %1: %2").arg(path, f.errorString());
    return {};
}

QString RegimeMapWidget::exportSvg(const QString& path) {
    if (!map_) return tr("no regime map to export");
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return tr("could not write %1: %2").arg(path, f.errorString());
    {
        QSvgGenerator gen;
        gen.setOutputDevice(&f);
        gen.setSize(size());
        gen.setViewBox(QRect(QPoint(0, 0), size()));
        gen.setResolution(96);
        gen.setTitle(tr("NoetherLab regime map"));
        gen.setDescription(metricTitle(map_->request.metric));
        QPainter p(&gen);
        render(p, QSizeF(size()), 2.0);
    }
    raster_dirty_ = true;
    if (!f.commit()) return tr("could not write %1: %2").arg(path, f.errorString());
    return {};
}

QString RegimeMapWidget::exportCsv(const QString& path) {
    if (!map_) return tr("no regime map to export");
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return tr("could not write %1: %2").arg(path, f.errorString());
    f.write(regimeCsv(*map_));
    if (!f.commit()) return tr("could not write %1: %2").arg(path, f.errorString());
    return {};
}

void RegimeMapWidget::exportWithDialog(const QString& kind) {
    if (!map_) return;
    const QString base = QStringLiteral("regime_%1.%2")
                             .arg(QString::fromLatin1(to_string(map_->request.metric)), kind);
    const QString filter = kind == "png"   ? tr("PNG image (*.png)")
                           : kind == "svg" ? tr("SVG drawing (*.svg)")
                                           : tr("CSV table (*.csv)");
    const QString path = QFileDialog::getSaveFileName(this, tr("Export regime map"), base, filter);
    if (path.isEmpty()) return;
    const QString err = kind == "png"   ? exportPng(path)
                        : kind == "svg" ? exportSvg(path)
                                        : exportCsv(path);
    if (!err.isEmpty()) emit hovered(err);
}

}  // namespace noether::gui

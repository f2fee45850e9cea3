#include "gui/figure/plot.hpp"

#include <QFontMetricsF>
#include <QPainterPath>
#include <algorithm>

namespace noether::figure {

namespace {

double niceStep(double x) {
    const double p = std::pow(10.0, std::floor(std::log10(x)));
    const double f = x / p;
    return (f < 1.5 ? 1.0 : f < 3.5 ? 2.0 : f < 7.5 ? 5.0 : 10.0) * p;
}

const char* kSuperscripts[10] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};

QString superscript(int k) {
    QString s = k < 0 ? QString::fromUtf8("⁻") : QString();
    const QString digits = QString::number(std::abs(k));
    for (QChar c : digits)
        s += QString::fromUtf8(kSuperscripts[c.digitValue()]);
    return s;
}

// Maps data values of one axis onto [a, b] points (a may be > b: the y axis grows upwards).
struct Map {
    double lo, hi;
    bool log;
    double a, b;
    double operator()(double v) const {
        double t;
        if (log) {
            if (!(v > 0.0)) return NAN;
            t = (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
        } else {
            t = (v - lo) / (hi - lo);
        }
        // Keep QPainter sane far outside the axis (the clip hides it).
        t = std::clamp(t, -1e4, 1e4);
        return a + t * (b - a);
    }
};

}  // namespace

QPainterPath clippedPath(const std::vector<QPointF>& pts, const QRectF& clip) {
    QPainterPath path;
    const double x0 = clip.left(), x1 = clip.right(), y0 = clip.top(), y1 = clip.bottom();
    QPointF last_end(NAN, NAN);
    for (size_t k = 1; k < pts.size(); ++k) {
        const QPointF a = pts[k - 1], b = pts[k];
        if (!std::isfinite(a.x()) || !std::isfinite(a.y()) || !std::isfinite(b.x()) ||
            !std::isfinite(b.y()))
            continue;
        // Liang–Barsky: the part of the segment a + t (b − a), t in [0, 1], inside the box.
        const double dx = b.x() - a.x(), dy = b.y() - a.y();
        double t0 = 0.0, t1 = 1.0;
        bool visible = true;
        const double pq[4][2] = {
            {-dx, a.x() - x0}, {dx, x1 - a.x()}, {-dy, a.y() - y0}, {dy, y1 - a.y()}};
        for (const auto& [pp, qq] : pq) {
            if (pp == 0.0) {
                if (qq < 0.0) visible = false;
                continue;
            }
            const double r = qq / pp;
            if (pp < 0.0)
                t0 = std::max(t0, r);
            else
                t1 = std::min(t1, r);
        }
        if (!visible || t0 > t1) continue;
        const QPointF s(a.x() + t0 * dx, a.y() + t0 * dy), e(a.x() + t1 * dx, a.y() + t1 * dy);
        if (t0 > 0.0 || !(last_end == s)) path.moveTo(s);
        path.lineTo(e);
        last_end = t1 < 1.0 ? QPointF(NAN, NAN) : e;
    }
    return path;
}

QString tickLabel(double v, bool log, int digits) {
    if (log) {
        const double e = std::log10(v);
        const int k = static_cast<int>(std::lround(e));
        if (std::abs(e - k) < 1e-6) {
            if (k == 0) return "1";
            if (k == 1) return "10";
            return "10" + superscript(k);
        }
    }
    if (v == 0.0) return "0";
    const double a = std::abs(v);
    QString s = QString::number(v, 'g', a >= 1e-3 && a < 1e6 ? digits : std::min(digits, 3));
    if (s.contains('e')) {
        // 1.5e-05 -> 1.5×10⁻⁵
        const int at = s.indexOf('e');
        const double mant = s.left(at).toDouble();
        const int ex = s.mid(at + 1).toInt();
        s = (mant == 1.0 ? QString() : QString::number(mant, 'g', 3) + QString::fromUtf8("×")) +
            "10" + superscript(ex);
    }
    return s.replace('-', QString::fromUtf8("−"));
}

QString elided(const QString& text, const QFont& font, const QPaintDevice* device, double width) {
    const QFontMetricsF fm(font, device);
    return fm.elidedText(text, Qt::ElideRight, width);
}

NiceRange niceRange(double lo, double hi) {
    if (!std::isfinite(lo) || !std::isfinite(hi)) {
        lo = 0.0;
        hi = 1.0;
    }
    if (hi < lo) std::swap(lo, hi);
    // Round-off around an exact zero (a conserved charge of gradient flow): a zero band.
    if (std::max(std::abs(lo), std::abs(hi)) < 1e-12) lo = hi = 0.0;
    double span = hi - lo;
    const double mag = std::max(std::abs(lo), std::abs(hi));
    if (!(span > 1e-12 * mag) || span <= 0.0) {
        // A constant series (e.g. a charge that is exactly 0): a small symmetric band.
        const double pad = mag > 0.0 ? 0.1 * mag : 1.0;
        lo -= pad;
        hi += pad;
        span = hi - lo;
    }
    const double pad = 0.05 * span;
    NiceRange r;
    r.step = niceStep((span + 2.0 * pad) / 4.0);
    r.lo = std::floor((lo - pad) / r.step) * r.step;
    r.hi = std::ceil((hi + pad) / r.step) * r.step;
    if (std::abs(r.lo) < 1e-9 * r.step) r.lo = 0.0;
    if (std::abs(r.hi) < 1e-9 * r.step) r.hi = 0.0;
    r.ticks = std::clamp(static_cast<int>(std::lround((r.hi - r.lo) / r.step)) + 1, 2, 11);
    return r;
}

PlotAxis niceLinear(double lo, double hi, const QString& title) {
    const NiceRange r = niceRange(lo, hi);
    PlotAxis a;
    a.title = title;
    a.lo = r.lo;
    a.hi = r.hi;
    a.ticks = r.ticks;
    return a;
}

PlotAxis niceLog(double lo, double hi, const QString& title) {
    PlotAxis a;
    a.title = title;
    a.log = true;
    if (!(lo > 0.0) || !std::isfinite(hi) || !(hi > 0.0)) {
        lo = 1e-3;
        hi = 1.0;
    }
    if (hi < lo) std::swap(lo, hi);
    lo = std::max(lo, hi * 1e-12);
    double na = std::floor(std::log10(lo)), nb = std::ceil(std::log10(hi));
    if (nb <= na) nb = na + 1.0;
    a.lo = std::pow(10.0, na);
    a.hi = std::pow(10.0, nb);
    return a;
}

bool finiteRange(const std::vector<double>& v, long n, bool positive, double& lo, double& hi) {
    bool any = false;
    n = std::min<long>(n, static_cast<long>(v.size()));
    for (long i = 0; i < n; ++i) {
        const double x = v[i];
        if (!std::isfinite(x) || (positive && !(x > 0.0))) continue;
        lo = any ? std::min(lo, x) : x;
        hi = any ? std::max(hi, x) : x;
        any = true;
    }
    return any;
}

std::vector<QPointF> decimatedSeries(const double* y, long n, double x0, double x1, int columns,
                                     bool log_time) {
    std::vector<QPointF> out;
    if (n <= 0) return out;
    columns = std::max(columns, 16);
    // Sample i sits at x = i, or at i + 1 on a log time axis (which cannot show 0).
    const double shift = log_time ? 1.0 : 0.0;
    auto x_of = [shift](long i) { return static_cast<double>(i) + shift; };
    const double span = std::max(x1 - x0, 1e-300);
    const double decades = std::max(std::log10(std::max(x1 + shift, 1.0 + 1e-12)), 1e-300);
    auto column = [&](long i) {
        const double f =
            log_time ? std::log10(x_of(i)) / decades : (static_cast<double>(i) - x0) / span;
        return static_cast<long>(std::floor(f * columns));
    };
    // Short series: every point.
    if (n <= 2 * columns) {
        out.reserve(static_cast<size_t>(n));
        for (long i = 0; i < n; ++i)
            out.emplace_back(x_of(i), std::isfinite(y[i]) ? y[i] : NAN);
        return out;
    }
    long i = 0;
    bool broken = false;
    while (i < n) {
        const long col = column(i);
        long j = i;
        long imin = -1, imax = -1, ifirst = -1, ilast = -1;
        while (j < n && column(j) == col) {
            if (std::isfinite(y[j])) {
                if (ifirst < 0) ifirst = j;
                ilast = j;
                if (imin < 0 || y[j] < y[imin]) imin = j;
                if (imax < 0 || y[j] > y[imax]) imax = j;
            } else if (!broken) {
                out.emplace_back(x_of(j), NAN);
                broken = true;
            }
            ++j;
        }
        if (ifirst >= 0) {
            long idx[4] = {ifirst, std::min(imin, imax), std::max(imin, imax), ilast};
            long last = -1;
            for (long k : idx) {
                if (k == last) continue;
                out.emplace_back(x_of(k), y[k]);
                last = k;
            }
            broken = false;
        }
        i = j;
    }
    return out;
}

std::vector<QPointF> decimatedPath(const double* x, const double* y, long n, double xspan,
                                   double yspan, double min_frac) {
    std::vector<QPointF> out;
    const double dx = std::max(xspan * min_frac, 1e-300), dy = std::max(yspan * min_frac, 1e-300);
    QPointF last(NAN, NAN);
    for (long i = 0; i < n; ++i) {
        if (!std::isfinite(x[i]) || !std::isfinite(y[i])) {
            if (!out.empty() && std::isfinite(out.back().x())) out.emplace_back(NAN, NAN);
            last = QPointF(NAN, NAN);
            continue;
        }
        const bool keep = !std::isfinite(last.x()) || i == n - 1 ||
                          std::abs(x[i] - last.x()) >= dx || std::abs(y[i] - last.y()) >= dy;
        if (keep) {
            out.emplace_back(x[i], y[i]);
            last = out.back();
        }
    }
    return out;
}

double paintLegend(QPainter& p, const QRectF& rect, const std::vector<LegendEntry>& entries,
                   const Fonts& fonts, bool draw) {
    if (entries.empty()) return 0.0;
    const Theme& th = fonts.theme();
    const double fs = 0.9;
    const double rh = fonts.lineHeight(fs) * 1.05;
    const double sample = th.font_pt * 2.2, gap = th.font_pt * 0.5, sep = th.font_pt * 1.2;
    const QFont f = fonts.font(fs);
    const QFontMetricsF fm(f, p.device());
    double x = rect.left(), y = rect.top();
    if (draw) p.setFont(f);
    for (const LegendEntry& e : entries) {
        double w;
        if (e.kind == LegendEntry::ColourBar)
            w = fonts.width(e.text, fs) + gap + fonts.width(e.lo, fs) + gap + sample * 2.5 + gap +
                fonts.width(e.hi, fs);
        else
            w = sample + gap + fonts.width(e.text, fs);
        if (x > rect.left() && x + w > rect.right()) {
            x = rect.left();
            y += rh;
        }
        if (draw) {
            const double mid = y + rh / 2.0;
            const double base = mid + (fm.ascent() - fm.descent()) / 2.0;
            double tx = x + sample + gap;
            switch (e.kind) {
                case LegendEntry::Line: {
                    QPen halo(th.background, e.width + 2.0 * th.unit);
                    halo.setCapStyle(Qt::FlatCap);
                    QPen pen(e.color, e.width);
                    pen.setStyle(e.style);
                    pen.setCapStyle(Qt::FlatCap);
                    p.setPen(halo);
                    p.drawLine(QPointF(x, mid), QPointF(x + sample, mid));
                    p.setPen(pen);
                    p.drawLine(QPointF(x, mid), QPointF(x + sample, mid));
                    break;
                }
                case LegendEntry::Dot:
                    p.setPen(QPen(th.background, th.unit * 1.5));
                    p.setBrush(e.color);
                    p.drawEllipse(QPointF(x + sample / 2, mid), rh * 0.22, rh * 0.22);
                    p.setBrush(Qt::NoBrush);
                    break;
                case LegendEntry::Ring:
                    p.setPen(QPen(e.color, th.unit * 4.0));
                    p.setBrush(th.background);
                    p.drawEllipse(QPointF(x + sample / 2, mid), rh * 0.24, rh * 0.24);
                    p.setBrush(Qt::NoBrush);
                    break;
                case LegendEntry::Arrow: {
                    QPen pen(e.color, th.unit * 3.0);
                    pen.setCapStyle(Qt::RoundCap);
                    p.setPen(pen);
                    const double a = rh * 0.2;
                    p.drawLine(QPointF(x, mid), QPointF(x + sample, mid));
                    p.drawLine(QPointF(x + sample, mid), QPointF(x + sample - a, mid - a));
                    p.drawLine(QPointF(x + sample, mid), QPointF(x + sample - a, mid + a));
                    break;
                }
                case LegendEntry::ColourBar: {
                    p.setPen(th.foreground);
                    double cx = x;
                    p.drawText(QPointF(cx, base), e.text);
                    cx += fonts.width(e.text, fs) + gap;
                    p.drawText(QPointF(cx, base), e.lo);
                    cx += fonts.width(e.lo, fs) + gap;
                    const double bw = sample * 2.5, bh = rh * 0.55;
                    const int n = static_cast<int>(e.ramp.size());
                    for (int i = 0; i < n; ++i)
                        p.fillRect(QRectF(cx + bw * i / n, mid - bh / 2, bw / n + 0.05, bh),
                                   e.ramp[i]);
                    cx += bw + gap;
                    p.drawText(QPointF(cx, base), e.hi);
                    tx = -1;
                    break;
                }
            }
            if (tx >= 0) {
                p.setPen(th.foreground);
                p.setFont(fonts.font(fs, false, e.text));
                p.drawText(QPointF(tx, base), e.text);
                p.setFont(f);
            }
        }
        x += w + sep;
    }
    return y + rh - rect.top();
}

std::vector<double> niceTicks(double lo, double hi, int count) {
    std::vector<double> t;
    if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return t;
    const double step = niceStep((hi - lo) / std::max(count, 2));
    for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step)
        t.push_back(std::abs(v) < 1e-12 * step ? 0.0 : v);
    return t;
}

namespace {

std::vector<double> ticksOf(const PlotAxis& a) {
    if (!a.tick_values.empty()) return a.tick_values;
    std::vector<double> t;
    if (a.log) {
        const int k0 = static_cast<int>(std::lround(std::log10(a.lo)));
        const int k1 = static_cast<int>(std::lround(std::log10(a.hi)));
        const int every = std::max(1, (k1 - k0 + 5) / 6);
        for (int k = k0; k <= k1; k += every)
            t.push_back(std::pow(10.0, k));
    } else {
        const int n = std::max(a.ticks, 2);
        const double step = (a.hi - a.lo) / (n - 1);
        for (int i = 0; i < n; ++i) {
            const double v = a.lo + step * i;
            t.push_back(std::abs(v) < 1e-9 * std::abs(step) ? 0.0 : v);
        }
    }
    return t;
}

std::vector<LegendEntry> legendOf(const PlotSpec& spec) {
    std::vector<LegendEntry> legend;
    for (const PlotLine& l : spec.lines)
        if (!l.legend.isEmpty()) {
            LegendEntry e;
            e.kind = LegendEntry::Line;
            e.text = l.legend;
            e.color = l.color;
            e.width = l.width;
            e.style = l.style;
            legend.push_back(e);
        }
    legend.insert(legend.end(), spec.legend.begin(), spec.legend.end());
    return legend;
}

constexpr double kTickFs = 0.85;

// Layout of a plot: title and legend on top, tick labels and axis titles around the area.
struct Layout {
    double title_top = 0, title_h = 0, legend_top = 0;
    QRectF area;
};

// The title's height: wrapped over at most two lines.
double titleHeight(QPainter& p, const QRectF& rect, const QString& title, const Fonts& fonts) {
    if (title.isEmpty()) return 0.0;
    const QFontMetricsF fm(fonts.font(1.05, true, title), p.device());
    const QRectF r = fm.boundingRect(QRectF(0, 0, rect.width(), 1e6), Qt::TextWordWrap, title);
    const double line = fonts.lineHeight(1.05);
    return std::min(r.height() > fm.height() * 1.5 ? 2.0 * line : line, 2.0 * line);
}

Layout layoutPlot(QPainter& p, const QRectF& rect, const PlotSpec& spec, const Fonts& fonts) {
    Layout L;
    const double fs = fonts.theme().font_pt;
    double top = rect.top();
    L.title_top = top;
    L.title_h = titleHeight(p, rect, spec.title, fonts);
    top += L.title_h;
    L.legend_top = top;
    top += paintLegend(p, QRectF(rect.left(), top, rect.width(), rect.height()), legendOf(spec),
                       fonts, false);
    top += fs * 0.3;
    double ylab = 0, y2lab = 0;
    for (double v : ticksOf(spec.y))
        ylab = std::max(ylab, fonts.width(tickLabel(v, spec.y.log), kTickFs));
    if (spec.has_y2)
        for (double v : ticksOf(spec.y2))
            y2lab = std::max(y2lab, fonts.width(tickLabel(v, spec.y2.log), kTickFs));
    const double lh = fonts.lineHeight(kTickFs);
    const double left = ylab + fs * 0.5 + (spec.y.title.isEmpty() ? 0.0 : lh);
    const double right =
        spec.has_y2 ? y2lab + fs * 0.5 + (spec.y2.title.isEmpty() ? 0.0 : lh) : fs * 0.8;
    const double bottom = lh + fs * 0.3 + (spec.x.title.isEmpty() ? 0.0 : lh);
    L.area =
        QRectF(rect.left() + left, top, rect.width() - left - right, rect.bottom() - bottom - top);
    return L;
}

}  // namespace

QRectF plotArea(QPainter& p, const QRectF& rect, const PlotSpec& spec, const Fonts& fonts) {
    return layoutPlot(p, rect, spec, fonts).area;
}

void paintPlot(QPainter& p, const QRectF& rect, const PlotSpec& spec, const Fonts& fonts) {
    const Theme& th = fonts.theme();
    p.save();
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setRenderHint(QPainter::TextAntialiasing, true);
    p.setRenderHint(QPainter::SmoothPixmapTransform, true);
    const double fs = th.font_pt;
    const Layout L = layoutPlot(p, rect, spec, fonts);
    const QRectF area = L.area;
    // Title.
    if (!spec.title.isEmpty()) {
        const QFont tf = fonts.font(1.05, true, spec.title);
        p.setFont(tf);
        p.setPen(th.foreground);
        p.drawText(QRectF(rect.left(), L.title_top, rect.width(), L.title_h),
                   Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, spec.title);
    }
    paintLegend(p, QRectF(rect.left(), L.legend_top, rect.width(), rect.height()), legendOf(spec),
                fonts);
    if (area.width() < 10 || area.height() < 10) {
        p.restore();
        return;
    }
    const double tick_fs = kTickFs;
    const double lh = fonts.lineHeight(tick_fs);
    const std::vector<double> xt = ticksOf(spec.x), yt = ticksOf(spec.y);
    const std::vector<double> y2t = spec.has_y2 ? ticksOf(spec.y2) : std::vector<double>{};
    const Map mx{spec.x.lo, spec.x.hi, spec.x.log, area.left(), area.right()};
    const Map my{spec.y.lo, spec.y.hi, spec.y.log, area.bottom(), area.top()};
    const Map my2{spec.y2.lo, spec.y2.hi, spec.y2.log, area.bottom(), area.top()};

    // Grid and ticks.
    const QFont tfnt = fonts.font(tick_fs);
    p.setFont(tfnt);
    const QFontMetricsF fm(tfnt, p.device());
    QPen grid(th.grid, th.unit * 1.0);
    for (double v : xt) {
        const double x = mx(v);
        p.setPen(grid);
        if (spec.grid) p.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()));
        const QString s = tickLabel(v, spec.x.log);
        p.setPen(th.foreground);
        const double w = fm.horizontalAdvance(s);
        const double cx = std::clamp(x - w / 2, rect.left(), rect.right() - w);
        p.drawText(QPointF(cx, area.bottom() + fs * 0.2 + fm.ascent()), s);
    }
    for (double v : yt) {
        const double y = my(v);
        p.setPen(grid);
        if (spec.grid) p.drawLine(QPointF(area.left(), y), QPointF(area.right(), y));
        const QString s = tickLabel(v, spec.y.log);
        p.setPen(th.foreground);
        p.drawText(QPointF(area.left() - fs * 0.3 - fm.horizontalAdvance(s),
                           y + (fm.ascent() - fm.descent()) / 2),
                   s);
    }
    for (double v : y2t) {
        const double y = my2(v);
        const QString s = tickLabel(v, spec.y2.log);
        p.setPen(th.foreground);
        p.drawText(QPointF(area.right() + fs * 0.3, y + (fm.ascent() - fm.descent()) / 2), s);
    }
    // Axis titles.
    if (!spec.x.title.isEmpty()) {
        const QFont af = fonts.font(tick_fs, false, spec.x.title);
        const QFontMetricsF afm(af, p.device());
        const QString s = elided(spec.x.title, af, p.device(), area.width());
        p.setFont(af);
        p.drawText(QPointF(area.center().x() - afm.horizontalAdvance(s) / 2,
                           area.bottom() + fs * 0.2 + lh + fm.ascent()),
                   s);
    }
    auto verticalTitle = [&](const QString& t, double x, double angle) {
        const QFont af = fonts.font(tick_fs, false, t);
        const QFontMetricsF afm(af, p.device());
        const QString s = elided(t, af, p.device(), area.height());
        p.save();
        p.setFont(af);
        p.translate(x, area.center().y());
        p.rotate(angle);
        p.drawText(QPointF(-afm.horizontalAdvance(s) / 2, afm.ascent() / 2 - afm.descent() / 2), s);
        p.restore();
    };
    if (!spec.y.title.isEmpty()) verticalTitle(spec.y.title, rect.left() + lh / 2, -90);
    if (spec.has_y2 && !spec.y2.title.isEmpty())
        verticalTitle(spec.y2.title, rect.right() - lh / 2, 90);
    p.save();
    p.setClipRect(area.adjusted(-th.unit * 4, -th.unit * 4, th.unit * 4, th.unit * 4));
    if (spec.underlay) {
        p.save();
        p.setClipRect(area);
        spec.underlay(p, area);
        p.restore();
    }
    // Vector field, under the lines.
    if (!spec.arrows.empty()) {
        QColor ac = th.foreground;
        ac.setAlpha(80);
        p.setPen(QPen(ac, th.unit * 1.6));
        p.setBrush(ac);
        const double len = std::min(area.width(), area.height()) / 22.0;
        for (const PhaseArrow& a : spec.arrows) {
            const QPointF p0(mx(a.x), my(a.y));
            const double s = 1e-3 / std::max(std::hypot(a.dx, a.dy), 1e-300);
            const QPointF p1(mx(a.x + s * a.dx), my(a.y + s * a.dy));
            QPointF d = p1 - p0;
            const double n = std::hypot(d.x(), d.y());
            if (!(n > 0) || !std::isfinite(n) || !std::isfinite(p0.x()) || !std::isfinite(p0.y()))
                continue;
            d /= n;
            const QPointF tail = p0 - 0.5 * len * d, head = p0 + 0.5 * len * d;
            p.drawLine(tail, head);
            const QPointF nrm(-d.y(), d.x());
            const QPointF tri[3] = {head, head - 0.35 * len * d + 0.18 * len * nrm,
                                    head - 0.35 * len * d - 0.18 * len * nrm};
            p.drawPolygon(tri, 3);
        }
        p.setBrush(Qt::NoBrush);
    }
    // Time marker.
    if (std::isfinite(spec.now_x)) {
        QColor mc = th.foreground;
        mc.setAlpha(130);
        QPen pen(mc, th.unit * 1.5);
        pen.setStyle(Qt::DashLine);
        p.setPen(pen);
        const double x = mx(spec.now_x);
        p.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()));
    }
    // Lines: halos first, then the lines in order.
    const QRectF clip = area.adjusted(-th.unit, -th.unit, th.unit, th.unit);
    auto pathOf = [&](const PlotLine& l) {
        std::vector<QPointF> px;
        px.reserve(l.pts.size());
        const Map& ym = l.y_axis == 1 && spec.has_y2 ? my2 : my;
        for (const QPointF& d : l.pts)
            px.emplace_back(mx(d.x()), ym(d.y()));
        return clippedPath(px, clip);
    };
    for (const PlotLine& l : spec.lines) {
        if (!l.halo) continue;
        QPen halo(th.background, l.width + 2.5 * th.unit);
        halo.setJoinStyle(Qt::RoundJoin);
        p.setPen(halo);
        p.drawPath(pathOf(l));
    }
    for (const PlotLine& l : spec.lines) {
        QPen pen(l.color, l.width);
        pen.setStyle(l.style);
        pen.setCapStyle(Qt::FlatCap);
        pen.setJoinStyle(Qt::RoundJoin);
        p.setPen(pen);
        p.drawPath(pathOf(l));
    }
    // Markers.
    for (const PlotMarker& m : spec.markers) {
        const Map& ym = m.y_axis == 1 && spec.has_y2 ? my2 : my;
        const QPointF c(mx(m.at.x()), ym(m.at.y()));
        if (!std::isfinite(c.x()) || !std::isfinite(c.y())) continue;
        p.setPen(QPen(th.background, th.unit * 2.0));
        p.setBrush(m.color);
        p.drawEllipse(c, th.unit * 6.0, th.unit * 6.0);
    }
    p.restore();
    // Frame.
    QColor frame = th.foreground;
    frame.setAlpha(150);
    p.setPen(QPen(frame, th.unit * 1.2));
    p.setBrush(Qt::NoBrush);
    p.drawRect(area);

    if (!spec.message.isEmpty()) {
        const QFont mf = fonts.font(1.0);
        p.setFont(mf);
        p.setPen(th.muted);
        p.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, spec.message);
    }
    p.restore();
}

}  // namespace noether::figure

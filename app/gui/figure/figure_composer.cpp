#include "gui/figure/figure_composer.hpp"

#include <QAbstractTextDocumentLayout>
#include <QBuffer>
#include <QFontMetricsF>
#include <QPageSize>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <QTextDocument>
#include <algorithm>
#include <cmath>

#include "gui/figure/chart_figures.hpp"
#include "gui/figure/scene_text.hpp"
#include "io/run_export.hpp"

namespace noether::figure {

QString formatName(FileFormat f) {
    switch (f) {
        case FileFormat::Png:
            return "png";
        case FileFormat::Svg:
            return "svg";
        case FileFormat::Pdf:
            return "pdf";
    }
    return {};
}

std::optional<FileFormat> parseFormat(const QString& name) {
    const QString n = name.trimmed().toLower();
    if (n == "png") return FileFormat::Png;
    if (n == "svg") return FileFormat::Svg;
    if (n == "pdf") return FileFormat::Pdf;
    return std::nullopt;
}

QString figureTitle(const io::SceneDocument& doc) {
    if (!doc.title.isEmpty()) return doc.title;
    const Scene& s = doc.scene;
    return QObject::tr("%1, %2  η = %3  β = %4  k = %5")
        .arg(QString::fromStdString(s.loss.name), QString::fromLatin1(to_string(s.rule.rule)))
        .arg(s.rule.lr, 0, 'g', 3)
        .arg(s.rule.momentum, 0, 'g', 3)
        .arg(s.rule.weight_decay, 0, 'g', 3);
}

FigureComposer::FigureComposer(FigureData data) : data_(std::move(data)) {}

void FigureComposer::paintPanel(QPainter& p, const QString& panel, const QRectF& rect,
                                const Fonts& fonts, const FigureOptions& opt) {
    const Theme& th = fonts.theme();
    const int columns = std::max(64, static_cast<int>(rect.width() * 1.5));
    if (panel == "landscape")
        landscape_.paint(p, rect, data_, opt, fonts);
    else if (panel == "charges")
        paintPlot(p, rect, chargeSpec(data_, opt, th, columns), fonts);
    else if (panel == "phase")
        paintPlot(p, rect, phaseSpec(data_, opt, th), fonts);
    else if (panel == "loss")
        paintPlot(p, rect, lossSpec(data_, opt, th, columns), fonts);
    else if (panel == "lr")
        paintPlot(p, rect, effectiveLrSpec(data_, opt, th, columns), fonts);
    else if (panel == "norm")
        paintPlot(p, rect, normSpec(data_, opt, th, columns), fonts);
}

void FigureComposer::paint(QPainter& p, FigureView view, const QRectF& rect, const Theme& th,
                           const FigureOptions& opt) {
    const Fonts fonts(th, p.device());
    p.save();
    p.fillRect(rect, th.background);
    const double m = th.font_pt * 0.7;
    const QRectF inner = rect.adjusted(m, m, -m, -m);
    switch (view) {
        case FigureView::Landscape:
            paintPanel(p, "landscape", inner, fonts, opt);
            break;
        case FigureView::Charges:
            paintPanel(p, "charges", inner, fonts, opt);
            break;
        case FigureView::Phase:
            paintPanel(p, "phase", inner, fonts, opt);
            break;
        case FigureView::Loss: {
            // The loss, and beside it (or under it, in a narrow figure) the effective learning
            // rate and |q|² where they apply, as on screen.
            if (data_.run && effectiveLrApplies(*data_.run)) {
                const double gap = th.font_pt * 1.5;
                const char* names[] = {"loss", "lr", "norm"};
                const bool wide = inner.width() >= inner.height();
                const double w = wide ? (inner.width() - 2 * gap) / 3 : inner.width();
                const double h = wide ? inner.height() : (inner.height() - 2 * gap) / 3;
                for (int i = 0; i < 3; ++i) {
                    const QRectF r = wide ? QRectF(inner.left() + i * (w + gap), inner.top(), w, h)
                                          : QRectF(inner.left(), inner.top() + i * (h + gap), w, h);
                    paintPanel(p, names[i], r, fonts, opt);
                }
            } else {
                paintPanel(p, "loss", inner, fonts, opt);
            }
            break;
        }
        case FigureView::Figure:
            paintComposed(p, inner, fonts, opt);
            break;
    }
    p.restore();
}

void FigureComposer::paintComposed(QPainter& p, const QRectF& rect, const Fonts& fonts,
                                   const FigureOptions& opt) {
    const Theme& th = fonts.theme();
    double top = rect.top();
    // Heading: the title, the equation, and where a model diverged.
    if (opt.header) {
        const QString title = figureTitle(data_.doc);
        const QFont tf = fonts.font(1.3, true, title);
        const QFontMetricsF tfm(tf, p.device());
        const QRectF tr = tfm.boundingRect(QRectF(rect.left(), top, rect.width(), rect.height()),
                                           Qt::TextWordWrap, title);
        p.setFont(tf);
        p.setPen(th.foreground);
        p.drawText(QRectF(rect.left(), top, rect.width(), tr.height()), Qt::TextWordWrap, title);
        top += tr.height() + th.font_pt * 0.15;
        // The equation in the serif face, as mathematics is set, with its super- and
        // subscripts drawn as on screen (docs/SCENE-FORMAT.md).
        if (!data_.doc.equation.isEmpty()) {
            QTextDocument eq;
            eq.documentLayout()->setPaintDevice(p.device());
            eq.setDefaultFont(fonts.serif(1.05));
            eq.setDocumentMargin(0);
            eq.setTextWidth(rect.width());
            eq.setHtml(QStringLiteral("<span style=\"color: %1\">%2</span>")
                           .arg(th.muted.name(), sceneRichText(data_.doc.equation)));
            p.save();
            p.translate(rect.left(), top);
            QAbstractTextDocumentLayout::PaintContext ctx;
            ctx.palette.setColor(QPalette::Text, th.muted);
            eq.documentLayout()->draw(&p, ctx);
            p.restore();
            top += eq.size().height();
        }
        QStringList notes;
        if (data_.run)
            for (const Trajectory& t : data_.run->trajectories)
                if (t.diverged)
                    notes << QObject::tr("%1 diverged: %2")
                                 .arg(modelName(t.model), QString::fromStdString(t.message));
        if (!notes.isEmpty()) {
            const QFont ef = fonts.font(1.0);
            const QFontMetricsF efm(ef, p.device());
            const QString text = notes.join("\n");
            const QRectF er = efm.boundingRect(
                QRectF(rect.left(), top, rect.width(), rect.height()), Qt::TextWordWrap, text);
            p.setFont(ef);
            p.setPen(th.muted);
            p.drawText(QRectF(rect.left(), top, rect.width(), er.height()), Qt::TextWordWrap, text);
            top += er.height();
        }
        top += th.font_pt * 0.6;
    }
    const QRectF body(rect.left(), top, rect.width(), rect.bottom() - top);
    QStringList panels = composedPanels(data_);
    const bool land = panels.removeAll("landscape") > 0;
    const double gap = th.font_pt * 1.4;
    const bool wide = body.width() > 1.2 * body.height();
    QRectF rest = body;
    if (land) {
        if (wide) {
            // The landscape on the left, as large as the height allows, the charts beside it.
            const double w = panels.isEmpty() ? body.width()
                                              : std::min(body.height() * 1.02, body.width() * 0.5);
            paintPanel(p, "landscape", QRectF(body.left(), body.top(), w, body.height()), fonts,
                       opt);
            rest = QRectF(body.left() + w + gap, body.top(), body.width() - w - gap, body.height());
        } else {
            // Narrow (a paper column): the landscape on top, the charts under it.
            const double share = panels.isEmpty() ? 1.0 : 1.08 / (1.08 + 0.68 * panels.size());
            const double h = body.height() * share;
            paintPanel(p, "landscape", QRectF(body.left(), body.top(), body.width(), h), fonts,
                       opt);
            rest = QRectF(body.left(), body.top() + h + gap, body.width(),
                          body.bottom() - body.top() - h - gap);
        }
    }
    const int n = static_cast<int>(panels.size());
    if (n == 0) return;
    // The charts in a grid: one column when narrow or few, two otherwise; an odd last one
    // spans the row.
    const int cols = (!wide && land) || n <= 2 ? 1 : 2;
    const int rows = (n + cols - 1) / cols;
    const double cw = (rest.width() - gap * (cols - 1)) / cols;
    const double rh = (rest.height() - gap * (rows - 1)) / rows;
    for (int k = 0; k < n; ++k) {
        const int r = k / cols, c = k % cols;
        const bool span = cols == 2 && k == n - 1 && n % 2 == 1;
        const QRectF cell(rest.left() + c * (cw + gap), rest.top() + r * (rh + gap),
                          span ? rest.width() : cw, rh);
        paintPanel(p, panels[k], cell, fonts, opt);
    }
}

QImage FigureComposer::image(FigureView view, QSizeF size_pt, double dpi, const Theme& theme,
                             const FigureOptions& opt) {
    const QSize px(std::max(1, static_cast<int>(std::lround(size_pt.width() * dpi / 72.0))),
                   std::max(1, static_cast<int>(std::lround(size_pt.height() * dpi / 72.0))));
    QImage img(px, QImage::Format_ARGB32_Premultiplied);
    const int dpm = static_cast<int>(std::lround(dpi / 0.0254));
    img.setDotsPerMeterX(dpm);
    img.setDotsPerMeterY(dpm);
    img.fill(theme.background);
    QPainter p(&img);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setRenderHint(QPainter::TextAntialiasing, true);
    p.scale(px.width() / size_pt.width(), px.height() / size_pt.height());
    paint(p, view, QRectF(QPointF(0, 0), size_pt), theme, opt);
    p.end();
    return img;
}

QByteArray FigureComposer::render(const ExportSettings& s) {
    const QSizeF size = pageSizePt(s.view, s.size, data_);
    Theme theme = themeFor(s.size, s.options.palette);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    switch (s.format) {
        case FileFormat::Png: {
            const QImage img = image(s.view, size, s.dpi, theme, s.options);
            if (!img.save(&buffer, "PNG")) return {};
            break;
        }
        case FileFormat::Svg: {
            // True vector output: one point is one SVG user unit, the physical size is stated.
            QSvgGenerator gen;
            gen.setOutputDevice(&buffer);
            gen.setResolution(72);
            gen.setSize(QSize(static_cast<int>(std::ceil(size.width())),
                              static_cast<int>(std::ceil(size.height()))));
            gen.setViewBox(QRectF(QPointF(0, 0), size));
            gen.setTitle(figureTitle(data_.doc));
            gen.setDescription(QObject::tr("NoetherLab figure: %1").arg(viewName(s.view)));
            QPainter p;
            if (!p.begin(&gen)) return {};
            p.setRenderHint(QPainter::Antialiasing, true);
            paint(p, s.view, QRectF(QPointF(0, 0), size), theme, s.options);
            p.end();
            break;
        }
        case FileFormat::Pdf: {
            // Vector PDF, fonts embedded (TrueType subsets), one page of exactly the figure.
            QPdfWriter pdf(&buffer);
            pdf.setPageSize(QPageSize(size, QPageSize::Point, QString(), QPageSize::ExactMatch));
            pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
            pdf.setResolution(1200);
            pdf.setTitle(figureTitle(data_.doc));
            pdf.setCreator("NoetherLab");
            QPainter p;
            if (!p.begin(&pdf)) return {};
            p.setRenderHint(QPainter::Antialiasing, true);
            const double k = pdf.width() / size.width();
            p.scale(k, k);
            paint(p, s.view, QRectF(QPointF(0, 0), size), theme, s.options);
            p.end();
            break;
        }
    }
    buffer.close();
    return bytes;
}

QString FigureComposer::write(const ExportSettings& s, const QString& path) {
    const QByteArray bytes = render(s);
    if (bytes.isEmpty())
        return QObject::tr("could not render the %1 view as %2")
            .arg(viewName(s.view), formatName(s.format));
    return io::write_file_atomic(path, bytes);
}

}  // namespace noether::figure

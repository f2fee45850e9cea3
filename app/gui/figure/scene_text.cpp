#include "gui/figure/scene_text.hpp"

#include <QRegularExpression>
#include <QTextDocument>

namespace noether::figure {

QString sceneRichText(const QString& text) {
    QString html = text.toHtmlEscaped();
    // The format's simple tags, and only those, are markup.
    for (const char* tag : {"b", "i", "/b", "/i", "br", "br/", "br /"})
        html.replace(QStringLiteral("&lt;%1&gt;").arg(QLatin1String(tag)),
                     QStringLiteral("<%1>").arg(QLatin1String(tag)), Qt::CaseInsensitive);
    static const QRegularExpression sup(QStringLiteral("\\^\\{([^{}]*)\\}"));
    static const QRegularExpression sub(QStringLiteral("_\\{([^{}]*)\\}"));
    html.replace(sup, QStringLiteral("<sup>\\1</sup>"));
    html.replace(sub, QStringLiteral("<sub>\\1</sub>"));
    // Spaces and line breaks as written (equations are laid out with runs of spaces).
    return QStringLiteral("<span style=\"white-space: pre-wrap\">%1</span>").arg(html);
}

QString renderedPlain(const QString& html) {
    QTextDocument doc;
    doc.setHtml(html);
    return doc.toPlainText();
}

QString sceneTextReading(const QString& text) {
    return renderedPlain(sceneRichText(text));
}

}  // namespace noether::figure

// The text of a scene file (explanation, equation) as it is drawn: on screen by the explanation
// panel, in exported figures by the composer. One rule for both (docs/SCENE-FORMAT.md).
#pragma once
#include <QString>

namespace noether::figure {

/// A scene file's text as rich text: every character shown as written (a "<" or "&" is text),
/// except the simple tags <b> <i> <br> the format allows; x^{…} and x_{…} become super- and
/// subscripts; spaces and line breaks stay.
QString sceneRichText(const QString& text);
/// What sceneRichText(text) reads as: the text without the markup.
QString sceneTextReading(const QString& text);
/// The plain text a rich text renders to.
QString renderedPlain(const QString& html);

}  // namespace noether::figure

// Scene files (.noether): a documented, versioned JSON format holding the whole scene plus view
// settings, title and explanation. Shared by the GUI and the CLI (ARCHITECTURE.md rule 7).
// The format is documented in docs/SCENE-FORMAT.md.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <vector>

#include "noether/scene.hpp"

namespace noether::io {

/// Current version of the scene-file format.
inline constexpr int kSceneFormatVersion = 1;

/// A scene file's content: the physics (Scene) plus presentation.
struct SceneDocument {
    Scene scene;
    QString title;         ///< shown in the explanation panel and window title
    QString explanation;   ///< a short paragraph (plain text or simple HTML)
    QString equation;      ///< the equation the scene illustrates (Unicode)
    QJsonObject view;      ///< view settings: panels, axes, ranges, palette (free-form, kept)
    QJsonObject extra;     ///< unknown fields, kept on save ("loss"/"rule": their unknown members)
    QStringList warnings;  ///< non-fatal remarks from loading (e.g. unknown fields kept)
};

/// Parses scene JSON. Errors name the field (e.g. "rule.lr: must be > 0 (got -1)") or, for
/// syntax errors, the line and column. Nothing is half-applied: either a full document or an Error.
Result<SceneDocument> parse_scene(const QByteArray& json);
/// Serialises to indented JSON (UTF-8).
QByteArray serialize_scene(const SceneDocument& doc);
/// Reads and parses a file; the Error names the file.
Result<SceneDocument> load_scene_file(const QString& path);
/// Writes atomically (QSaveFile); returns an empty string or the error.
QString save_scene_file(const QString& path, const SceneDocument& doc);
/// The scene as one compact, pasteable text string ("noether:" + base64url of compact JSON).
QString scene_to_link(const SceneDocument& doc);
/// Parses a link made by scene_to_link, with the same validation as files.
Result<SceneDocument> scene_from_link(const QString& link);

/// The document as a JSON object (what serialize_scene writes); extra fields merged back in.
QJsonObject scene_to_json(const SceneDocument& doc);
/// Validates a JSON object as a scene document (what parse_scene does after the syntax check).
Result<SceneDocument> scene_from_json(const QJsonObject& root);

/// A ghost run listed in view.compare: its label and the patched document.
struct SceneVariant {
    QString label;      ///< legend text, e.g. "free norm"
    SceneDocument doc;  ///< the scene with the variant's patch applied
};
/// The document with `patch` applied as an RFC 7396 JSON merge patch (objects merge member-wise,
/// null removes a member, anything else replaces), validated like a file.
Result<SceneDocument> apply_patch(const SceneDocument& doc, const QJsonObject& patch);
/// Every variant of view.compare, in order (empty if there is none).
Result<std::vector<SceneVariant>> compare_variants(const SceneDocument& doc);

}  // namespace noether::io

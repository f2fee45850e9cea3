// Scene files (.noether): a documented, versioned JSON format holding the whole scene plus view
// settings, title and explanation. Shared by the GUI and the CLI (ARCHITECTURE.md rule 7).
// The format is documented in docs/SCENE-FORMAT.md.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <string>
#include <vector>

#include "noether/scene.hpp"

namespace noether::io {

/// Current version of the scene-file format.
inline constexpr int kSceneFormatVersion = 1;

// Limits on what a scene file may hold (docs/SCENE-FORMAT.md, "Limits"); beyond them the file is
// refused, naming the field. The file itself: at most kMaxSceneFileBytes (io/file_io.hpp).
/// Unknown fields kept per object (the top level, "loss", "rule").
inline constexpr qsizetype kMaxUnknownFields = 256;
/// Members of loss.params and loss.constants, entries of models and view.panels.
inline constexpr qsizetype kMaxListedMembers = 64;
/// Ghost runs in view.compare.
inline constexpr qsizetype kMaxGhostRuns = 16;
/// (steps + 1) x models x dimension: the samples of q a run stores (each with v, loss, charges:
/// about 1 GiB at this limit, e.g. 10^7 steps of a 2-D loss with one model).
inline constexpr long long kMaxStoredSamples = 40'000'000;

/// Refuses a scene whose run would store more than kMaxStoredSamples (field "steps").
Status check_run_size(const Scene& scene, int dim);

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
/// Reads (at most kMaxSceneFileBytes, from any file, pipe or device) and parses a file; the
/// Error names the file.
Result<SceneDocument> load_scene_file(const QString& path);
/// The same for a file name given as its bytes (not re-encoded: any Linux name).
Result<SceneDocument> load_scene_file_native(const std::string& native_path);
/// Writes atomically (temporary file + rename); returns an empty string or the error.
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

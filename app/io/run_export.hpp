// Run -> CSV / JSON, the format of `noetherlab-cli simulate` (issue #2 contract):
// step,t,q1..qn,loss,grad_norm,r2,J_<generator>..., then further columns.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include "noether/run.hpp"

namespace noether::io {

/// CSV of one trajectory: contract columns, then v1..vn and the prediction series.
QByteArray trajectory_csv(const Run& run, const Trajectory& tr);
/// JSON of a run: the scene, every selected model's series and predictions.
QJsonObject run_json(const Run& run);
/// The scene as JSON (shared with scene files).
QJsonObject scene_summary_json(const Scene& scene);
/// Writes bytes atomically (temporary file + rename, every write checked; see file_io.hpp);
/// returns an empty string or "could not write <file>: <reason>".
QString write_file_atomic(const QString& path, const QByteArray& bytes);

}  // namespace noether::io

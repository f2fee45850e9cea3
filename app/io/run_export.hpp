// Run -> CSV / JSON, the format of `noetherlab-cli simulate` (issue #2 contract):
// step,t,q1..qn,loss,grad_norm,r2,J_<generator>..., then further columns.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include "noether/network_run.hpp"
#include "noether/run.hpp"

namespace noether::io {

/// CSV of one trajectory: contract columns, then v1..vn and the prediction series.
QByteArray trajectory_csv(const Run& run, const Trajectory& tr);
/// JSON of a run: the scene, every selected model's series and predictions.
QJsonObject run_json(const Run& run);
/// The scene as JSON (shared with scene files).
QJsonObject scene_summary_json(const Scene& scene);
/// CSV of one model of a network run: step,t,q1..qn,loss,grad_norm,r2, J_<generator> for every
/// generator, Q_<generator> for every symmetric one, then v1..vn and batch_loss (discrete).
QByteArray network_csv(const NetworkRun& run, size_t model = 0);
/// JSON of a network run: run_json's keys plus network (with param_layout), data (X, y),
/// init, batch, batches, generators (sparse A, b), quadratic_charges per model and, for linear
/// hidden layers, matrix_charges.
QJsonObject network_run_json(const NetworkRun& run);
/// Writes bytes atomically (temporary file + rename, every write checked; see file_io.hpp);
/// returns an empty string or "could not write <file>: <reason>".
QString write_file_atomic(const QString& path, const QByteArray& bytes);

}  // namespace noether::io

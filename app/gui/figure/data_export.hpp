// "Export data": every series a figure shows as CSV (one file per model through
// noether::io::trajectory_csv, the contract columns of `noetherlab-cli simulate`, and one per
// ghost run), the scene file beside them, and the generated caption as a text file. Every
// write is atomic (QSaveFile).
#pragma once

#include <QString>
#include <QStringList>

#include "gui/figure/figure_data.hpp"

namespace noether::figure {

/// What an export wrote.
struct DataExport {
    QStringList files;  ///< every file written, in order
    QString caption;    ///< the caption text (also in BASE-caption.txt)
    QString error;      ///< empty on success
};

/// Writes DIR/BASE-<model>.csv, DIR/BASE-ghost<k>-<model>.csv, DIR/BASE.noether and
/// DIR/BASE-caption.txt. Stops at the first error.
DataExport exportData(const FigureData& data, const QString& dir, const QString& base,
                      Palette palette);

/// A file-name-safe stem from a title ("2a. Noether charge…" -> "2a-noether-charge…").
QString fileStem(const QString& text);

}  // namespace noether::figure

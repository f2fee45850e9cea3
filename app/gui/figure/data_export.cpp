#include "gui/figure/data_export.hpp"

#include <QDir>
#include <QRegularExpression>

#include "gui/figure/caption.hpp"
#include "io/run_export.hpp"

namespace noether::figure {

QString fileStem(const QString& text) {
    QString s = text.normalized(QString::NormalizationForm_KD).toLower();
    s.replace(QRegularExpression("[^a-z0-9]+"), "-");
    s.replace(QRegularExpression("^-+|-+$"), "");
    if (s.size() > 48) s = s.left(48).section('-', 0, -2);
    return s.isEmpty() ? QString("noetherlab") : s;
}

DataExport exportData(const FigureData& data, const QString& dir, const QString& base,
                      Palette palette) {
    DataExport out;
    if (!data.run) {
        out.error = QObject::tr("no run to export");
        return out;
    }
    if (!QDir().mkpath(dir)) {
        out.error = QObject::tr("cannot create the folder %1").arg(dir);
        return out;
    }
    const QDir d(dir);
    auto write = [&](const QString& name, const QByteArray& bytes) {
        const QString path = d.filePath(name);
        const QString err = io::write_file_atomic(path, bytes);
        if (!err.isEmpty()) {
            out.error = err;
            return false;
        }
        out.files << path;
        return true;
    };
    for (const Trajectory& tr : data.run->trajectories)
        if (!write(QString("%1-%2.csv").arg(base, QString::fromLatin1(to_string(tr.model))),
                   io::trajectory_csv(*data.run, tr)))
            return out;
    for (size_t k = 0; k < data.ghosts.size(); ++k) {
        const Ghost& g = data.ghosts[k];
        for (const Trajectory& tr : g.run->trajectories)
            if (!write(QString("%1-ghost%2-%3.csv")
                           .arg(base)
                           .arg(k + 1)
                           .arg(QString::fromLatin1(to_string(tr.model))),
                       io::trajectory_csv(*g.run, tr)))
                return out;
    }
    // The scene beside the data: the same document, so that the figure can be made again.
    const QString scene_path = d.filePath(base + ".noether");
    if (const QString err = io::save_scene_file(scene_path, data.doc); !err.isEmpty()) {
        out.error = err;
        return out;
    }
    out.files << scene_path;
    out.caption = figureCaption(data, palette);
    write(base + "-caption.txt", (out.caption + "\n").toUtf8());
    return out;
}

}  // namespace noether::figure

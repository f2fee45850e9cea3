// Shared helpers of the publishing tests.
#pragma once

#include <QByteArray>
#include <QFile>
#include <QString>

#include "io/scene_file.hpp"

/// True when a display is there (the window tests need one).
extern bool g_display;

/// A preset document from the source tree (the same files as :/presets/).
inline noether::io::SceneDocument presetDoc(const QString& file) {
    auto doc = noether::io::load_scene_file(QString(NOETHER_PRESETS_DIR) + "/" + file);
    return doc ? *doc : noether::io::SceneDocument{};
}

/// Writes bytes to a file (test set-up).
inline bool writeBytes(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) return false;
    return f.write(bytes) == bytes.size();
}

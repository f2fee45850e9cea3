#include "gui/lecture/playlist.hpp"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>

namespace noether::gui {

Playlist Playlist::presets() {
    Playlist p;
    QFile f(":/presets/index.json");
    if (!f.open(QIODevice::ReadOnly)) return p;
    const QJsonObject root = QJsonDocument::fromJson(f.readAll()).object();
    for (const QJsonValue& v : root.value("presets").toArray()) {
        const QJsonObject o = v.toObject();
        const QString file = o.value("file").toString();
        if (file.isEmpty()) continue;
        p.entries_.push_back({":/presets/" + file, o.value("title").toString(file)});
    }
    return p;
}

bool Playlist::setCurrent(int i) {
    if (entries_.empty()) return false;
    // -1: before the first entry (a scene of its own is on screen; next() opens entry 0).
    current_ = i < 0 ? -1 : std::clamp(i, 0, size() - 1);
    return true;
}

int Playlist::indexOf(const QString& path) const {
    for (int i = 0; i < size(); ++i)
        if (entries_[static_cast<size_t>(i)].path == path) return i;
    return -1;
}

}  // namespace noether::gui

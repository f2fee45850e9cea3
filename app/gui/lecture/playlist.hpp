// A lecture playlist: scene files stepped in order (by default the story presets of
// :/presets/index.json, in lesson order). Plain data: the lecture mode loads the entries.
#pragma once

#include <QString>
#include <QStringList>
#include <vector>

namespace noether::gui {

/// Scenes to step through.
class Playlist {
  public:
    /// One scene of the playlist.
    struct Entry {
        QString path;   ///< file or resource path (":/presets/…")
        QString title;  ///< shown in the lecture HUD
    };

    /// The story presets in index order (empty if the index cannot be read).
    static Playlist presets();

    int size() const { return static_cast<int>(entries_.size()); }
    bool empty() const { return entries_.empty(); }
    const Entry& at(int i) const { return entries_.at(static_cast<size_t>(i)); }
    /// The current entry's index, -1 before the first step.
    int current() const { return current_; }
    /// Makes entry i current (clamped); returns false if the playlist is empty.
    bool setCurrent(int i);
    /// The index of an entry with this path, or -1.
    int indexOf(const QString& path) const;

  private:
    std::vector<Entry> entries_;
    int current_ = -1;
};

}  // namespace noether::gui

// Bounded reads and checked, atomic writes of files named by their bytes (Linux file names are
// bytes, not necessarily UTF-8: a name is kept exactly as given, never re-encoded).
#pragma once

#include <QByteArray>
#include <QString>
#include <cstddef>
#include <functional>
#include <string>

#include "noether/types.hpp"

namespace noether::io {

/// The largest scene file read (docs/SCENE-FORMAT.md, "Limits").
inline constexpr long long kMaxSceneFileBytes = 16LL * 1024 * 1024;

/// The bytes of a file name given as text (QFile::encodeName), and back for display.
std::string native_name(const QString& path);
QString display_name(const std::string& native_path);

/// Reads a file, pipe or device, at most `limit` bytes: one byte more is refused ("is larger than
/// ..."), whatever size() says (0 for /dev/zero and pipes). ":/..." names are Qt resources. The
/// Error's field is the file name.
Result<QByteArray> read_file_bounded(const std::string& native_path, long long limit);

/// Writes `bytes` to a file, completely or not at all: into a temporary file in the same folder,
/// renamed over the target once every byte is written and the file is closed. An existing target
/// that is not a regular file (a device such as /dev/full, a pipe) is written directly. Every
/// write is checked; returns an empty string or "could not write <file>: <reason>".
std::string write_file_bytes(const std::string& native_path, const QByteArray& bytes);
/// The same, returning only the reason (strerror text) or an empty string.
std::string write_reason(const std::string& native_path, const QByteArray& bytes);

/// Bytes made in pieces: calls `sink` with each piece in order and returns false as soon as the
/// sink does (a failed write), true once all were given.
using ByteSink = std::function<bool(const char* data, std::size_t size)>;
using ByteSource = std::function<bool(const ByteSink& sink)>;
/// write_file_bytes for bytes made in pieces (a big CSV is never held whole in memory): the same
/// temporary file, checks and rename; nothing is left if any piece fails.
std::string write_file_stream(const std::string& native_path, const ByteSource& source);

}  // namespace noether::io

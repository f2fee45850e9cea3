#include "io/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QFile>
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace noether::io {
namespace {

std::string reason(int err) {
    return std::strerror(err);
}

std::string too_large(long long limit) {
    if (limit % (1024 * 1024) == 0)
        return "is too large for a scene file (over " + std::to_string(limit / (1024 * 1024)) +
               " MiB)";
    return "is too large (over " + std::to_string(limit) + " bytes)";
}

// Every byte, through short writes and signals.
bool write_all(int fd, const char* data, qsizetype size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, static_cast<size_t>(size));
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data += n;
        size -= n;
    }
    return true;
}

}  // namespace

std::string native_name(const QString& path) {
    return QFile::encodeName(path).toStdString();
}

QString display_name(const std::string& native_path) {
    return QFile::decodeName(QByteArray::fromStdString(native_path));
}

Result<QByteArray> read_file_bounded(const std::string& path, long long limit) {
    QByteArray out;
    if (path.rfind(":/", 0) == 0) {
        // A Qt resource (compiled-in preset): its size is known and small.
        QFile f(QString::fromStdString(path));
        if (!f.open(QIODevice::ReadOnly))
            return Error{path, "cannot open the scene file: " + f.errorString().toStdString()};
        out = f.read(limit + 1);
        if (out.size() > limit) return Error{path, too_large(limit)};
        return out;
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error{path, "cannot open the scene file: " + reason(errno)};
    // Grow in chunks up to limit + 1 bytes: a device or pipe never says how much it holds.
    constexpr qsizetype kChunk = 1 << 16;
    while (out.size() <= limit) {
        const qsizetype old = out.size();
        const qsizetype want = std::min<qsizetype>(kChunk, static_cast<qsizetype>(limit + 1) - old);
        out.resize(old + want);
        const ssize_t n = ::read(fd, out.data() + old, static_cast<size_t>(want));
        if (n < 0) {
            const int err = errno;
            out.resize(old);
            if (err == EINTR) continue;
            ::close(fd);
            return Error{path, "cannot read the scene file: " + reason(err)};
        }
        out.resize(old + n);
        if (n == 0) break;
    }
    ::close(fd);
    if (out.size() > limit) return Error{path, too_large(limit)};
    return out;
}

namespace {

// Writes every piece of source to fd; false (errno set) on the first failed write.
bool write_source(int fd, const ByteSource& source) {
    return source([fd](const char* data, std::size_t size) {
        return write_all(fd, data, static_cast<qsizetype>(size));
    });
}

std::string stream_reason(const std::string& path_in, const ByteSource& source) {
    const auto failed = [](int err) { return reason(err); };
    if (path_in.empty()) return reason(ENOENT);
    std::string path = path_in;
    // A symbolic link: write its target, as an editor would.
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
        if (char* real = ::realpath(path.c_str(), nullptr)) {
            path = real;
            std::free(real);
        }
    }
    const bool exists = ::stat(path.c_str(), &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) return failed(EISDIR);
    if (exists && !S_ISREG(st.st_mode)) {
        // A device or pipe: nothing to rename over; the write itself is checked.
        const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0) return failed(errno);
        if (!write_source(fd, source)) {
            const int err = errno;
            ::close(fd);
            return failed(err);
        }
        if (::close(fd) != 0) return failed(errno);
        return {};
    }
    // A temporary file beside the target (same file system, so the rename is atomic).
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
    std::string tmp = dir + (slash == std::string::npos ? "/" : "") + ".noetherlab-XXXXXX";
    const int fd = ::mkstemp(tmp.data());
    if (fd < 0) return failed(errno);
    const auto abandon = [&](int err) {
        ::close(fd);
        ::unlink(tmp.c_str());
        return failed(err);
    };
    // The target's permissions, or those of a new file (0666 less the umask).
    mode_t mode = 0;
    if (exists) {
        mode = st.st_mode & 07777;
    } else {
        const mode_t mask = ::umask(022);
        ::umask(mask);
        mode = 0666 & ~mask;
    }
    if (::fchmod(fd, mode) != 0) return abandon(errno);
    if (!write_source(fd, source)) return abandon(errno);
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return failed(err);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return failed(err);
    }
    return {};
}

}  // namespace

std::string write_reason(const std::string& native_path, const QByteArray& bytes) {
    return stream_reason(native_path, [&bytes](const ByteSink& sink) {
        return sink(bytes.constData(), static_cast<std::size_t>(bytes.size()));
    });
}

std::string write_file_stream(const std::string& native_path, const ByteSource& source) {
    const std::string why = stream_reason(native_path, source);
    return why.empty() ? why : "could not write " + native_path + ": " + why;
}

std::string write_file_bytes(const std::string& native_path, const QByteArray& bytes) {
    const std::string why = write_reason(native_path, bytes);
    return why.empty() ? why : "could not write " + native_path + ": " + why;
}

}  // namespace noether::io

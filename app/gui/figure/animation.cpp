#include "gui/figure/animation.hpp"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <algorithm>
#include <cmath>

#include "io/run_export.hpp"

namespace noether::figure {

std::vector<long> animationTimes(long samples, int frames) {
    std::vector<long> t;
    if (samples <= 0) return t;
    frames = std::max(2, frames);
    if (samples <= frames) {
        for (long k = 0; k < samples; ++k)
            t.push_back(k);
        return t;
    }
    for (int f = 0; f < frames; ++f)
        t.push_back(
            std::lround(static_cast<double>(f) * static_cast<double>(samples - 1) / (frames - 1)));
    return t;
}

QString writeFrames(FigureComposer& composer, const AnimationSettings& s, const QString& dir,
                    const Progress& progress) {
    const FigureData& data = composer.data();
    if (!data.run || data.run->trajectories.empty()) return QObject::tr("no run to animate");
    if (!QDir().mkpath(dir)) return QObject::tr("cannot create the folder %1").arg(dir);
    long samples = 0;
    for (const Trajectory& tr : data.run->trajectories)
        samples = std::max(samples, tr.samples());
    const std::vector<long> times = animationTimes(samples, s.frames);
    const QSizeF size = pageSizePt(s.view, s.size, data);
    const Theme theme = themeFor(s.size, s.palette);
    const int total = static_cast<int>(times.size());
    for (int f = 0; f < total; ++f) {
        if (progress && !progress(f, total)) return QStringLiteral("cancelled");
        FigureOptions opt;
        opt.palette = s.palette;
        opt.time_index = times[f];
        opt.progressive = true;
        const QImage img = composer.image(s.view, size, s.dpi, theme, opt);
        QByteArray bytes;
        QBuffer buf(&bytes);
        buf.open(QIODevice::WriteOnly);
        if (!img.save(&buf, "PNG")) return QObject::tr("could not encode frame %1").arg(f);
        const QString path = QDir(dir).filePath(QString("frame_%1.png").arg(f, 5, 10, QChar('0')));
        if (const QString err = io::write_file_atomic(path, bytes); !err.isEmpty()) return err;
    }
    if (progress) progress(total, total);
    return {};
}

QString findFfmpeg() {
    return QStandardPaths::findExecutable("ffmpeg");
}

QString ffmpegMissingMessage() {
    return QObject::tr(
        "ffmpeg is not installed (it was not found on PATH), so no MP4 or GIF can "
        "be made. Install it (e.g. 'sudo apt install ffmpeg') and export again, "
        "or export the animation as a PNG sequence.");
}

QString encodeVideo(const QString& ffmpeg, const QString& frames_dir, int fps, const QString& out,
                    const std::function<bool()>& cancelled) {
    const bool gif = out.endsWith(".gif", Qt::CaseInsensitive);
    const QFileInfo info(out);
    // Written beside the target, renamed over it only when ffmpeg succeeded.
    const QString tmp =
        info.dir().filePath(".noetherlab-" + info.completeBaseName() + "-part." + info.suffix());
    QStringList args{"-y",
                     "-loglevel",
                     "error",
                     "-framerate",
                     QString::number(fps),
                     "-i",
                     QDir(frames_dir).filePath("frame_%05d.png")};
    if (gif)
        args << "-vf"
             << "split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer"
             << "-loop"
             << "0";
    else
        args << "-c:v"
             << "libx264"
             << "-pix_fmt"
             << "yuv420p"
             << "-vf"
             << "pad=ceil(iw/2)*2:ceil(ih/2)*2"
             << "-movflags"
             << "+faststart";
    args << tmp;
    QProcess proc;
    proc.setProcessChannelMode(QProcess::MergedChannels);
    proc.start(ffmpeg, args);
    if (!proc.waitForStarted(10000)) return QObject::tr("could not start %1").arg(ffmpeg);
    while (!proc.waitForFinished(100)) {
        if (cancelled && cancelled()) {
            proc.kill();
            proc.waitForFinished(2000);
            QFile::remove(tmp);
            return QStringLiteral("cancelled");
        }
        if (proc.state() == QProcess::NotRunning) break;
    }
    if (proc.exitStatus() != QProcess::NormalExit || proc.exitCode() != 0) {
        QFile::remove(tmp);
        const QString log = QString::fromLocal8Bit(proc.readAll()).trimmed();
        return QObject::tr("ffmpeg failed (exit %1): %2").arg(proc.exitCode()).arg(log.right(400));
    }
    if (!QFileInfo::exists(tmp)) return QObject::tr("ffmpeg wrote no file");
    QFile::remove(out);
    if (!QFile::rename(tmp, out)) {
        QFile::remove(tmp);
        return QObject::tr("could not move the video to %1").arg(out);
    }
    return {};
}

}  // namespace noether::figure

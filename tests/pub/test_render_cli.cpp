// `noetherlab-cli render`: the contract of the issue. Exit 0 with every requested file valid;
// 2 for a bad flag, file, format or view with one stderr line naming the flag; 3 for a
// diverging scene, with the figures of its finite part still written.
#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QSvgRenderer>
#include <QTemporaryDir>

#include "pub_support.hpp"

namespace {

struct Out {
    int code = -1;
    QString out, err;
};

Out render(const QStringList& args) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("QT_QPA_PLATFORM");  // the CLI picks the offscreen platform itself
    env.remove("DISPLAY");
    p.setProcessEnvironment(env);
    p.start(NOETHER_CLI, QStringList{"render"} + args);
    p.waitForFinished(120000);
    Out o;
    o.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    o.out = QString::fromUtf8(p.readAllStandardOutput());
    o.err = QString::fromUtf8(p.readAllStandardError());
    return o;
}

QString preset(const char* file) {
    return QString(NOETHER_PRESETS_DIR) + "/" + file;
}

}  // namespace

TEST(RenderCli, WritesEveryRequestedViewAndFormatWithoutADisplay) {
    QTemporaryDir dir;
    const Out o = render({"--scene", preset("07-rescale-balancing.noether"), "--out",
                          dir.filePath("figs"), "--format", "png,svg,pdf", "--views",
                          "landscape,charges,phase,loss,figure", "--dpi", "60"});
    ASSERT_EQ(o.code, 0) << o.err.toStdString();
    const QDir d(dir.filePath("figs"));
    for (const char* v : {"landscape", "charges", "phase", "loss", "figure"}) {
        const QString stem = QString("07-rescale-balancing-%1.").arg(v);
        const QImage png(d.filePath(stem + "png"));
        EXPECT_FALSE(png.isNull()) << v;
        EXPECT_EQ(png.width(), 800) << v;  // 960 pt at 60 dpi
        QSvgRenderer svg(d.filePath(stem + "svg"));
        EXPECT_TRUE(svg.isValid()) << v;
        QFile pdf(d.filePath(stem + "pdf"));
        ASSERT_TRUE(pdf.open(QIODevice::ReadOnly)) << v;
        EXPECT_TRUE(pdf.readAll().startsWith("%PDF")) << v;
    }
    QFile cap(d.filePath("07-rescale-balancing-caption.txt"));
    ASSERT_TRUE(cap.open(QIODevice::ReadOnly));
    EXPECT_TRUE(QString::fromUtf8(cap.readAll()).contains("rescale_2d"));
    // Only the files asked for (and the caption).
    EXPECT_EQ(d.entryList(QDir::Files).size(), 16);
}

TEST(RenderCli, DefaultsToPngOfEveryViewAndReadsCompiledInPresets) {
    QTemporaryDir dir;
    const Out o = render({"--scene", ":/presets/05b-constrained-norm-large-lr.noether", "--out",
                          dir.path(), "--dpi", "30"});
    ASSERT_EQ(o.code, 0) << o.err.toStdString();
    EXPECT_EQ(QDir(dir.path()).entryList({"*.png"}, QDir::Files).size(), 5);
}

TEST(RenderCli, BadFlagsFilesFormatsAndViewsExitTwoNamingTheFlag) {
    QTemporaryDir dir;
    const QString good = preset("06-weight-decay-oscillator.noether");
    const QString bad_scene = dir.filePath("bad.noether");
    QByteArray text;
    {
        QFile f(good);
        ASSERT_TRUE(f.open(QIODevice::ReadOnly));
        text = f.readAll();
    }
    text.replace("\"lr\": 0.1", "\"lr\": -1");
    text.replace("\"lr\": 0.05", "\"lr\": -1");
    text.replace("\"lr\": 0.01", "\"lr\": -1");
    ASSERT_TRUE(text.contains("\"lr\": -1"));
    ASSERT_TRUE(writeBytes(bad_scene, text));
    struct Case {
        QStringList args;
        const char* names;
    } cases[] = {
        {{"--scene", good, "--out", dir.path(), "--bogus", "1"}, "--bogus"},
        {{"--out", dir.path()}, "--scene"},
        {{"--scene", good}, "--out"},
        {{"--scene", dir.filePath("missing.noether"), "--out", dir.path()}, "--scene"},
        {{"--scene", bad_scene, "--out", dir.path()}, "rule.lr"},
        {{"--scene", good, "--out", dir.path(), "--format", "png,tiff"}, "--format"},
        {{"--scene", good, "--out", dir.path(), "--views", "landscape,3d"}, "--views"},
        {{"--scene", good, "--out", dir.path(), "--dpi", "0"}, "--dpi"},
        {{"--scene", good, "--out", dir.path(), "--dpi", "abc"}, "--dpi"},
        {{"--scene", good, "--out", dir.path(), "--size", "poster"}, "--size"},
    };
    for (const Case& c : cases) {
        const Out o = render(c.args);
        EXPECT_EQ(o.code, 2) << c.args.join(' ').toStdString();
        const QStringList lines = o.err.split('\n', Qt::SkipEmptyParts);
        ASSERT_EQ(lines.size(), 1) << o.err.toStdString();
        EXPECT_TRUE(lines.front().startsWith("noetherlab-cli: "));
        EXPECT_TRUE(lines.front().contains(c.names)) << lines.front().toStdString();
    }
    // Nothing was written by the refused runs.
    EXPECT_TRUE(QDir(dir.path()).entryList({"*.png"}, QDir::Files).isEmpty());
}

TEST(RenderCli, DivergingSceneExitsThreeAndStillWritesItsFigures) {
    QTemporaryDir dir;
    const QString scene = dir.filePath("diverge.noether");
    ASSERT_TRUE(writeBytes(scene, R"({"format": "noetherlab-scene", "version": 1,
        "loss": {"name": "quadratic", "params": {"diag": [1, 2]}},
        "rule": {"rule": "sgd", "lr": 2.5}, "q0": [1, 1], "steps": 400,
        "models": ["discrete"]})"));
    const Out o = render({"--scene", scene, "--out", dir.filePath("out"), "--views",
                          "landscape,loss,figure", "--dpi", "40"});
    EXPECT_EQ(o.code, 3) << o.err.toStdString();
    // One line on stderr: where the run ended.
    const QStringList lines = o.err.split('\n', Qt::SkipEmptyParts);
    ASSERT_EQ(lines.size(), 1) << o.err.toStdString();
    EXPECT_TRUE(lines.front().startsWith("noetherlab-cli: discrete: diverged"))
        << lines.front().toStdString();
    for (const char* v : {"landscape", "loss", "figure"})
        EXPECT_FALSE(QImage(dir.filePath(QString("out/diverge-%1.png").arg(v))).isNull()) << v;
}

namespace {
// render under `ulimit -f KiB` (a "full disk" for regular files), SIGXFSZ ignored so that
// the write fails with EFBIG instead of killing the process.
Out renderOnAFullDisk(const QStringList& args, int kib) {
    QStringList quoted;
    for (const QString& a : QStringList{NOETHER_CLI, "render"} + args)
        quoted << "'" + a + "'";
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("QT_QPA_PLATFORM");
    env.remove("DISPLAY");
    p.setProcessEnvironment(env);
    p.start("/bin/sh",
            {"-c", QString("trap '' XFSZ; ulimit -f %1; exec %2").arg(kib).arg(quoted.join(' '))});
    p.waitForFinished(120000);
    Out o;
    o.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    o.err = QString::fromUtf8(p.readAllStandardError());
    return o;
}
}  // namespace

TEST(RenderCli, AFailedWriteExitsFourNamingTheFileAndLeavesNoPartialFile) {
    QTemporaryDir dir;
    const QString scene = preset("07-rescale-balancing.noether");
    // The output folder is a file.
    {
        QFile f(dir.filePath("taken"));
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    }
    const Out taken = render({"--scene", scene, "--out", dir.filePath("taken")});
    EXPECT_EQ(taken.code, 4);
    EXPECT_TRUE(taken.err.startsWith("noetherlab-cli: could not write " + dir.filePath("taken")))
        << taken.err.toStdString();
    // A figure's name is a link to a full device.
    QDir().mkpath(dir.filePath("full"));
    ASSERT_TRUE(QFile::link("/dev/full", dir.filePath("full/07-rescale-balancing-loss.png")));
    const Out full = render({"--scene", scene, "--out", dir.filePath("full"), "--views", "loss"});
    EXPECT_EQ(full.code, 4);
    EXPECT_TRUE(full.err.contains("07-rescale-balancing-loss.png: No space left on device"))
        << full.err.toStdString();
    // A full disk: the figure that was there stays as it was, and no temporary is left.
    QDir().mkpath(dir.filePath("disk"));
    const QString old = dir.filePath("disk/07-rescale-balancing-loss.png");
    {
        QFile f(old);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        f.write("old");
    }
    const Out disk = renderOnAFullDisk(
        {"--scene", scene, "--out", dir.filePath("disk"), "--views", "loss", "--dpi", "600"}, 32);
    EXPECT_EQ(disk.code, 4) << disk.err.toStdString();
    EXPECT_TRUE(disk.err.contains("could not write " + old + ": File too large"))
        << disk.err.toStdString();
    QFile f(old);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    EXPECT_EQ(f.readAll(), QByteArray("old"));
    EXPECT_EQ(QDir(dir.filePath("disk")).entryList(QDir::Files | QDir::Hidden).size(), 1)
        << QDir(dir.filePath("disk")).entryList(QDir::Files | QDir::Hidden).join(' ').toStdString();
}

// `noetherlab-cli simulate --scene FILE`: runs a scene file; explicit flags override its fields.
#include <gtest/gtest.h>

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

namespace {

struct Out {
    int code = -1;
    QByteArray out, err;
};

Out cli(const QStringList& args) {
    QProcess p;
    p.start(NOETHER_CLI, args);
    EXPECT_TRUE(p.waitForFinished(60000));
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

const QString kRescale =
    QString(NOETHER_SOURCE_DIR) + "/resources/presets/07-rescale-balancing.noether";

TEST(CliScene, SimulateSceneFile_EqualsTheSameSceneGivenAsFlags) {
    const Out a = cli({"simulate", "--scene", kRescale});
    ASSERT_EQ(a.code, 0) << a.err.toStdString();
    EXPECT_EQ(a.out.count('\n'), 302);  // header + samples 0..300
    const Out b = cli({"simulate", "--loss=rescale_2d", "--q0=3,-0.2", "--lr=0.3", "--steps=300"});
    ASSERT_EQ(b.code, 0);
    EXPECT_EQ(a.out, b.out);
}

TEST(CliScene, FlagsOverrideTheFile) {
    const Out a = cli({"simulate", "--scene", kRescale, "--steps=5", "--lr=0.1"});
    ASSERT_EQ(a.code, 0) << a.err.toStdString();
    const Out b = cli({"simulate", "--loss=rescale_2d", "--q0=3,-0.2", "--lr=0.1", "--steps=5"});
    EXPECT_EQ(a.out, b.out);
    const Out flow = cli({"simulate", "--scene", kRescale, "--steps=5", "--model=flow"});
    ASSERT_EQ(flow.code, 0);
    EXPECT_NE(flow.out, cli({"simulate", "--scene", kRescale, "--steps=5"}).out);
}

TEST(CliScene, CompiledInPresetsRunByResourcePath) {
    const Out a = cli({"simulate", "--scene", ":/presets/07-rescale-balancing.noether"});
    ASSERT_EQ(a.code, 0) << a.err.toStdString();
    EXPECT_EQ(a.out, cli({"simulate", "--scene", kRescale}).out);
}

TEST(CliScene, BadSceneFileExitsTwoNamingTheField) {
    QTemporaryDir dir;
    const QString path = dir.filePath("bad.noether");
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(R"({"format": "noetherlab-scene", "version": 1, "loss": {"name": "scale_cos"},
               "rule": {"lr": -1}})");
    f.close();
    const Out a = cli({"simulate", "--scene", path});
    EXPECT_EQ(a.code, 2);
    EXPECT_TRUE(a.err.contains("--scene")) << a.err.toStdString();
    EXPECT_TRUE(a.err.contains("rule.lr: must be > 0 (got -1)")) << a.err.toStdString();
    EXPECT_TRUE(a.out.isEmpty());
    const Out missing = cli({"simulate", "--scene", dir.filePath("none.noether")});
    EXPECT_EQ(missing.code, 2);
    EXPECT_TRUE(missing.err.contains("none.noether")) << missing.err.toStdString();
}

}  // namespace

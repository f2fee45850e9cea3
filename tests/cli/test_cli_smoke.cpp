#include <gtest/gtest.h>

#include <QProcess>

TEST(Cli, UnknownLossExitsTwo) {
    QProcess p;
    p.start(NOETHER_CLI, {"simulate", "--loss=no_such_loss", "--q0=1,1", "--steps=3"});
    ASSERT_TRUE(p.waitForFinished(10000));
    EXPECT_EQ(p.exitCode(), 2);
    EXPECT_TRUE(p.readAllStandardError().contains("--loss"));
}

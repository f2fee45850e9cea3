// The `noetherlab-cli sweep` contract (issue #6): header lr,momentum,<metric>, one row per cell
// (N_lr x N_mom, lr outer), exit 0 even with diverged cells, exit 2 with one stderr line naming
// the flag on invalid input, and each row equal to `simulate` of the same hyperparameters.
#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

namespace {

struct Outcome {
    int code = -1;
    QString out, err;
};

Outcome run_cli(const QStringList& args) {
    QProcess p;
    p.start(NOETHER_CLI, args);
    EXPECT_TRUE(p.waitForFinished(60000));
    Outcome o;
    o.code = p.exitCode();
    o.out = QString::fromUtf8(p.readAllStandardOutput());
    o.err = QString::fromUtf8(p.readAllStandardError());
    return o;
}

QStringList lines_of(const QString& text) {
    return text.split('\n', Qt::SkipEmptyParts);
}

QStringList base_args() {
    return {"sweep",          "--loss", "rotation_hat", "--q0=0.6,0.5",
            "--weight-decay", "0.01",   "--steps",      "200"};
}

TEST(CliSweep, WritesHeaderAndOneRowPerCellToTheOutFile) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString path = dir.filePath("map.csv");
    QStringList args = base_args();
    args << "--lr-range"
         << "0.001:0.5:7"
         << "--lr-scale"
         << "log"
         << "--momentum-range"
         << "0:0.9:4"
         << "--metric"
         << "final_loss"
         << "--threads"
         << "2"
         << "--out" << path;
    const Outcome o = run_cli(args);
    ASSERT_EQ(o.code, 0) << o.err.toStdString();
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    const QStringList rows = lines_of(QString::fromUtf8(f.readAll()));
    ASSERT_EQ(rows.size(), 1 + 7 * 4);
    EXPECT_EQ(rows[0], "lr,momentum,final_loss");
    // lr outer, momentum inner; the ends are exact.
    EXPECT_TRUE(rows[1].startsWith("0.001,0,"));
    EXPECT_TRUE(rows[4].startsWith("0.001,0.90000000000000002,"));
    EXPECT_TRUE(rows[28].startsWith("0.5,0.90000000000000002,"));
    for (int i = 1; i < rows.size(); ++i)
        EXPECT_EQ(rows[i].split(',').size(), 3) << rows[i].toStdString();
}

TEST(CliSweep, RowsMatchSimulateOfTheSameHyperparameters) {
    QStringList args = base_args();
    args << "--lr-range=0.05:0.05:1"
         << "--momentum-range=0.9:0.9:1"
         << "--metric=final_loss";
    const Outcome sweep = run_cli(args);
    ASSERT_EQ(sweep.code, 0) << sweep.err.toStdString();
    const QStringList rows = lines_of(sweep.out);
    ASSERT_EQ(rows.size(), 2);
    const Outcome sim =
        run_cli({"simulate", "--loss", "rotation_hat", "--q0=0.6,0.5", "--weight-decay", "0.01",
                 "--steps", "200", "--lr", "0.05", "--momentum", "0.9"});
    ASSERT_EQ(sim.code, 0);
    const QStringList sim_rows = lines_of(sim.out);
    const QStringList header = sim_rows[0].split(',');
    const int loss_col = static_cast<int>(header.indexOf("loss"));
    ASSERT_GE(loss_col, 0);
    // The last row is step 200: its loss printed with 17 digits equals the sweep's cell.
    EXPECT_EQ(rows[1].split(',')[2], sim_rows.last().split(',')[loss_col]);
}

TEST(CliSweep, DivergedCellsStillExitZeroAndPrintNan) {
    QStringList args = base_args();
    args << "--lr-range"
         << "0.01:6:3"
         << "--momentum-range"
         << "0:0.5:2"
         << "--metric"
         << "final_loss,diverged_at";
    const Outcome o = run_cli(args);
    ASSERT_EQ(o.code, 0) << o.err.toStdString();
    const QStringList rows = lines_of(o.out);
    ASSERT_EQ(rows.size(), 1 + 3 * 2);
    EXPECT_EQ(rows[0], "lr,momentum,final_loss,diverged_at");
    // lr = 0.01 converges (diverged_at nan); lr = 6 diverges (final_loss nan, a step number).
    EXPECT_TRUE(rows[1].endsWith(",nan"));
    const QStringList last = rows.last().split(',');
    EXPECT_EQ(last[2], "nan");
    bool ok = false;
    EXPECT_GT(last[3].toLong(&ok), 0);
    EXPECT_TRUE(ok);
}

TEST(CliSweep, EveryContractMetricIsAccepted) {
    for (const char* m : {"final_loss", "steps_to_tol", "diverged_at", "charge_decay_rate",
                          "norm_growth", "effective_lr", "eq17_error", "ode_gap", "flow_gap"}) {
        QStringList args = {"sweep",
                            "--loss",
                            "scale_cos",
                            "--q0=-0.4,0.9",
                            "--steps",
                            "20",
                            "--lr-range=0.01:0.1:2",
                            "--momentum-range=0:0.5:2",
                            "--metric",
                            m,
                            "--tol",
                            "1e-3"};
        const Outcome o = run_cli(args);
        ASSERT_EQ(o.code, 0) << m << ": " << o.err.toStdString();
        const QStringList rows = lines_of(o.out);
        ASSERT_EQ(rows.size(), 5) << m;
        EXPECT_EQ(rows[0], QString("lr,momentum,") + m);
    }
}

struct BadCase {
    QStringList extra;
    const char* flag;
};

TEST(CliSweep, InvalidInputExitsTwoWithOneLineNamingTheFlag) {
    const QStringList ok_ranges = {"--lr-range", "0.01:0.1:3", "--momentum-range",
                                   "0:0.9:3",    "--metric",   "final_loss"};
    const std::vector<BadCase> cases = {
        {{"--lr-range", "0.01:0.1:0", "--momentum-range", "0:0.9:3", "--metric", "final_loss"},
         "--lr-range"},
        {{"--lr-range", "0:0.1:3", "--momentum-range", "0:0.9:3", "--metric", "final_loss"},
         "--lr-range"},
        {{"--lr-range", "-1:0.1:3", "--momentum-range", "0:0.9:3", "--metric", "final_loss"},
         "--lr-range"},
        {{"--lr-range", "0.01:0.1", "--momentum-range", "0:0.9:3", "--metric", "final_loss"},
         "--lr-range"},
        {{"--lr-range", "a:0.1:3", "--momentum-range", "0:0.9:3", "--metric", "final_loss"},
         "--lr-range"},
        {{"--lr-range", "0.01:0.1:3", "--momentum-range", "0:1:3", "--metric", "final_loss"},
         "--momentum-range"},
        {{"--lr-range", "0.01:0.1:3", "--momentum-range", "-0.5:0.5:3", "--metric", "final_loss"},
         "--momentum-range"},
        {{"--lr-range", "0.01:0.1:3", "--momentum-range", "0:0.5:0", "--metric", "final_loss"},
         "--momentum-range"},
        {{"--lr-range", "0.01:0.1:3", "--momentum-range", "0:0.9:3", "--metric", "nope"},
         "--metric"},
        {{"--lr-range", "0.01:0.1:3", "--momentum-range", "0:0.9:3"}, "--metric"},
        {{"--momentum-range", "0:0.9:3", "--metric", "final_loss"}, "--lr-range"},
        {ok_ranges + QStringList{"--lr-scale", "cubic"}, "--lr-scale"},
        {{"--lr-range", "0:1:3", "--lr-scale", "log", "--momentum-range", "0:0.9:3", "--metric",
          "final_loss"},
         "--lr-range"},
        {ok_ranges + QStringList{"--threads", "0"}, "--threads"},
        {ok_ranges + QStringList{"--tol", "-1"}, "--tol"},
        {ok_ranges + QStringList{"--lr", "0.1"}, "--lr"},
        {ok_ranges + QStringList{"--out", "map.txt"}, "--out"},
        {ok_ranges + QStringList{"--weight-decay", "-1"}, "--weight-decay"},
    };
    for (const BadCase& c : cases) {
        const Outcome o = run_cli(base_args() + c.extra);
        EXPECT_EQ(o.code, 2) << c.extra.join(' ').toStdString();
        EXPECT_TRUE(o.err.contains(c.flag)) << c.flag << " not in: " << o.err.toStdString();
        EXPECT_EQ(lines_of(o.err).size(), 1) << o.err.toStdString();
        EXPECT_TRUE(o.out.isEmpty());
    }
    // Missing --steps and --q0, wrong q0 dimension, unknown loss.
    const Outcome no_steps =
        run_cli(QStringList{"sweep", "--loss", "rotation_hat", "--q0=1,1"} + ok_ranges);
    EXPECT_EQ(no_steps.code, 2);
    EXPECT_TRUE(no_steps.err.contains("--steps"));
    const Outcome bad_q0 = run_cli(
        QStringList{"sweep", "--loss", "rotation_hat", "--q0=1,1,1", "--steps", "5"} + ok_ranges);
    EXPECT_EQ(bad_q0.code, 2);
    EXPECT_TRUE(bad_q0.err.contains("--q0"));
}

}  // namespace

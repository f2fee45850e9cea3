// The noetherlab-cli contract of issue #2, checked against the real binary: CSV columns and
// rows, number format, both option spellings, negative values, JSON output, the loss catalogue,
// exit status 2 with one stderr line naming the flag for every bad input, and exit status 3 on
// divergence with the rows up to the last finite sample.
#include <gtest/gtest.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

namespace {

struct CliResult {
    int code = -1;
    QByteArray out, err;
};

CliResult run_cli(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral(NOETHER_CLI), args);
    CliResult r;
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

using Row = std::vector<std::string>;

std::vector<Row> parse_csv(const QByteArray& text) {
    std::vector<Row> rows;
    for (const QByteArray& line : text.split('\n')) {
        if (line.isEmpty()) continue;
        Row row;
        for (const QByteArray& cell : line.split(','))
            row.push_back(cell.toStdString());
        rows.push_back(std::move(row));
    }
    return rows;
}

double num(const std::string& s) {
    char* end = nullptr;
    const double x = std::strtod(s.c_str(), &end);
    EXPECT_TRUE(end && *end == '\0' && !s.empty()) << "'" << s << "' is not a number";
    return x;
}

std::string g17(double x) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", x);
    return buf;
}

// Index of a column by name, -1 if absent.
int column(const Row& header, const std::string& name) {
    for (size_t i = 0; i < header.size(); ++i)
        if (header[i] == name) return static_cast<int>(i);
    return -1;
}

// Exit 2, nothing on stdout, exactly one stderr line that names the flag.
void expect_invalid(const QStringList& args, const std::string& flag) {
    SCOPED_TRACE(args.join(' ').toStdString());
    const CliResult r = run_cli(args);
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(r.out.isEmpty()) << r.out.toStdString();
    EXPECT_EQ(r.err.count('\n'), 1) << r.err.toStdString();
    EXPECT_TRUE(r.err.endsWith('\n'));
    EXPECT_TRUE(r.err.contains(QByteArray::fromStdString(flag))) << r.err.toStdString();
}

const QStringList kHat = {"simulate", "--loss", "rotation_hat", "--q0", "0.6,0.5", "--steps", "10"};

}  // namespace

TEST(CliContract, SimulateCsvHasTheContractColumnsAndOneRowPerStep) {
    const CliResult r = run_cli(kHat + QStringList{"--lr", "0.01", "--momentum", "0.9"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_TRUE(r.err.isEmpty());
    ASSERT_TRUE(r.out.startsWith("step,t,q1,q2,loss,grad_norm,r2,J_rotation\n") ||
                r.out.startsWith("step,t,q1,q2,loss,grad_norm,r2,J_rotation,"))
        << r.out.left(200).toStdString();
    const auto rows = parse_csv(r.out);
    ASSERT_EQ(rows.size(), 12u);  // header + steps 0..10
    for (size_t i = 1; i < rows.size(); ++i) {
        ASSERT_EQ(rows[i].size(), rows[0].size()) << "row " << i;
        const long step = static_cast<long>(i) - 1;
        EXPECT_EQ(rows[i][0], std::to_string(step));
        EXPECT_EQ(num(rows[i][1]), static_cast<double>(step) * 0.01) << "t = step * lr";
    }
    // Row 0 is the start; r2 = |q|^2 and loss = (|q|^2 - 1)^2/4 there.
    EXPECT_EQ(num(rows[1][2]), 0.6);
    EXPECT_EQ(num(rows[1][3]), 0.5);
    const double r2 = 0.6 * 0.6 + 0.5 * 0.5;
    EXPECT_NEAR(num(rows[1][6]), r2, 1e-16);
    EXPECT_NEAR(num(rows[1][4]), (r2 - 1) * (r2 - 1) / 4, 1e-16);
    // No kick: the angular momentum is 0 up to rounding (§2.3).
    for (size_t i = 1; i < rows.size(); ++i)
        EXPECT_LT(std::abs(num(rows[i][7])), 1e-15);
}

TEST(CliContract, NumbersAreWrittenWithSeventeenSignificantDigits) {
    const CliResult r = run_cli(kHat + QStringList{"--lr", "0.03"});
    ASSERT_EQ(r.code, 0);
    const auto rows = parse_csv(r.out);
    ASSERT_GT(rows.size(), 2u);
    EXPECT_EQ(rows[1][2], "0.59999999999999998");  // 0.6 as %.17g
    size_t seventeen = 0, total = 0;
    for (size_t i = 1; i < rows.size(); ++i) {
        for (size_t j = 1; j < rows[i].size(); ++j) {
            const std::string& cell = rows[i][j];
            EXPECT_EQ(g17(num(cell)), cell) << "cell (" << i << ", " << j << ")";
            std::string digits;
            for (char ch : cell.substr(0, cell.find_first_of("eE")))
                if (ch >= '0' && ch <= '9') digits += ch;
            digits.erase(0, digits.find_first_not_of('0'));
            seventeen += digits.size() == 17;
            ++total;
        }
    }
    EXPECT_GT(seventeen, total / 2) << "most values need all 17 digits";
}

TEST(CliContract, CsvValuesAreTheEnginesIteratesBitForBit) {
    // quadratic diag (1, 10), SGD lr 0.05 from (1, 1): q <- q + (-lr)(lambda q) elementwise.
    const CliResult r = run_cli(
        {"simulate", "--loss", "quadratic", "--q0", "1,1", "--steps", "30", "--lr", "0.05"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    const auto rows = parse_csv(r.out);
    ASSERT_EQ(rows.size(), 32u);
    const int c1 = column(rows[0], "q1"), c2 = column(rows[0], "q2");
    ASSERT_EQ(c1, 2);
    ASSERT_EQ(c2, 3);
    double q1 = 1, q2 = 1;
    for (size_t i = 1; i < rows.size(); ++i) {
        EXPECT_EQ(num(rows[i][c1]), q1) << i;
        EXPECT_EQ(num(rows[i][c2]), q2) << i;
        q1 = q1 + (-0.05) * (1.0 * q1);
        q2 = q2 + (-0.05) * (10.0 * q2);
    }
}

TEST(CliContract, BothOptionSpellingsGiveTheSameOutput) {
    const CliResult a = run_cli({"simulate", "--loss", "rotation_hat", "--q0", "0.6,0.5", "--steps",
                                 "20", "--lr", "0.02", "--momentum", "0.9", "--v0", "0.3,-0.5",
                                 "--weight-decay", "0.01", "--eps", "0.1"});
    const CliResult b =
        run_cli({"simulate", "--loss=rotation_hat", "--q0=0.6,0.5", "--steps=20", "--lr=0.02",
                 "--momentum=0.9", "--v0=0.3,-0.5", "--weight-decay=0.01", "--eps=0.1"});
    ASSERT_EQ(a.code, 0) << a.err.toStdString();
    ASSERT_EQ(b.code, 0) << b.err.toStdString();
    EXPECT_EQ(a.out, b.out);
    const CliResult mixed =
        run_cli({"simulate", "--loss=rotation_hat", "--q0", "0.6,0.5", "--steps=20", "--lr", "0.02",
                 "--momentum=0.9", "--v0", "0.3,-0.5", "--weight-decay", "0.01", "--eps=0.1"});
    EXPECT_EQ(mixed.out, a.out);
    // The kick and momentum are really used: J_rotation is nonzero.
    const auto rows = parse_csv(a.out);
    EXPECT_GT(std::abs(num(rows[1][7])), 1e-4);
}

TEST(CliContract, NegativeValuesAreAcceptedInBothSpellings) {
    const CliResult a = run_cli({"simulate", "--loss", "rotation_hat", "--q0", "-0.4,0.9",
                                 "--steps", "5", "--eps", "-0.1"});
    const CliResult b = run_cli(
        {"simulate", "--loss", "rotation_hat", "--q0=-0.4,0.9", "--steps", "5", "--eps=-0.1"});
    ASSERT_EQ(a.code, 0) << a.err.toStdString();
    ASSERT_EQ(b.code, 0) << b.err.toStdString();
    EXPECT_EQ(a.out, b.out);
    const auto rows = parse_csv(a.out);
    ASSERT_EQ(rows.size(), 7u);
    EXPECT_EQ(num(rows[1][2]), -0.4);
    EXPECT_EQ(num(rows[1][3]), 0.9);
    // eps = -0.1 is used: f(q0) = (0.97 - 1)^2/4 - 0.1 * (-0.4).
    EXPECT_NEAR(num(rows[1][4]), 0.0009 / 4 + 0.04, 1e-15);
}

TEST(CliContract, OutJsonWritesSceneAndPredictions) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString path = dir.filePath("run.json");
    const CliResult r =
        run_cli({"simulate", "--loss", "rotation_hat", "--q0", "0.6,0.5", "--steps", "25", "--lr",
                 "0.02", "--momentum", "0.9", "--v0", "0.3,-0.5", "--out", path});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_TRUE(r.out.isEmpty());
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &perr);
    ASSERT_EQ(perr.error, QJsonParseError::NoError) << perr.errorString().toStdString();
    const QJsonObject root = doc.object();
    ASSERT_TRUE(root.contains("scene"));
    const QJsonObject scene = root["scene"].toObject();
    EXPECT_EQ(scene["loss"].toObject()["name"].toString(), "rotation_hat");
    EXPECT_EQ(scene["q0"].toArray().size(), 2);
    EXPECT_EQ(scene["q0"].toArray()[0].toDouble(), 0.6);
    EXPECT_EQ(scene["rule"].toObject()["lr"].toDouble(), 0.02);
    EXPECT_EQ(scene["steps"].toDouble(), 25);
    EXPECT_EQ(root["t"].toArray().size(), 26);
    const QJsonArray models = root["models"].toArray();
    ASSERT_EQ(models.size(), 1);
    const QJsonObject m = models[0].toObject();
    EXPECT_EQ(m["model"].toString(), "discrete");
    EXPECT_FALSE(m["diverged"].toBool());
    const QJsonObject preds = m["predictions"].toObject();
    ASSERT_TRUE(preds.contains("J_rotation_law"));
    EXPECT_EQ(preds["J_rotation_law"].toObject()["values"].toArray().size(), 26);
    EXPECT_TRUE(m["charges"].toObject().contains("rotation"));
    // The same run as CSV on stdout carries the same numbers (JSON doubles round-trip).
    const CliResult csv =
        run_cli({"simulate", "--loss", "rotation_hat", "--q0", "0.6,0.5", "--steps", "25", "--lr",
                 "0.02", "--momentum", "0.9", "--v0", "0.3,-0.5"});
    const auto rows = parse_csv(csv.out);
    const QJsonArray q1 = m["q"].toArray()[0].toArray();
    ASSERT_EQ(q1.size(), 26);
    for (int i = 0; i < 26; ++i)
        EXPECT_EQ(q1[i].toDouble(), num(rows[i + 1][2])) << i;
}

TEST(CliContract, OutCsvWritesTheSameBytesAsStdout) {
    QTemporaryDir dir;
    const QString path = dir.filePath("run.csv");
    const CliResult file = run_cli(kHat + QStringList{"--out", path});
    ASSERT_EQ(file.code, 0) << file.err.toStdString();
    const CliResult out = run_cli(kHat);
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    EXPECT_EQ(f.readAll(), out.out);
}

TEST(CliContract, LossesJsonListsEveryBuiltInLoss) {
    const CliResult r = run_cli({"losses", "--json"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    const QJsonDocument doc = QJsonDocument::fromJson(r.out);
    ASSERT_TRUE(doc.isObject());
    const QJsonArray list = doc.object()["losses"].toArray();
    std::set<std::string> names;
    for (const auto& v : list) {
        const QJsonObject o = v.toObject();
        names.insert(o["name"].toString().toStdString());
        EXPECT_GE(o["dim"].toInt(), 1);
        EXPECT_TRUE(o["params"].isArray());
        EXPECT_TRUE(o["symmetries"].isArray());
        EXPECT_FALSE(o["formula"].toString().isEmpty());
        EXPECT_EQ(o["suggested_q0"].toArray().size(), o["dim"].toInt());
    }
    const std::set<std::string> expected = {
        "scale_cos",  "rotation_hat", "translation_valley", "translation_logistic",
        "rescale_2d", "rayleigh",     "bn_logistic",        "quadratic"};
    EXPECT_EQ(names, expected);
    const CliResult plain = run_cli({"losses"});
    ASSERT_EQ(plain.code, 0);
    for (const auto& n : expected)
        EXPECT_TRUE(plain.out.contains(QByteArray::fromStdString(n))) << n;
}

TEST(CliContract, EveryBadInputExitsTwoNamingTheFlag) {
    const QStringList sim = {"simulate"};
    expect_invalid(sim + QStringList{"--loss", "nope", "--q0", "1,1", "--steps", "3"}, "--loss");
    expect_invalid(sim + QStringList{"--q0", "1,1", "--steps", "3"}, "--loss");
    expect_invalid(sim + QStringList{"--loss", "rotation_hat", "--steps", "3"}, "--q0");
    expect_invalid(sim + QStringList{"--loss", "rotation_hat", "--q0", "1,2,3", "--steps", "3"},
                   "--q0");
    expect_invalid(sim + QStringList{"--loss", "rayleigh", "--q0", "1,2", "--steps", "3"}, "--q0");
    expect_invalid(kHat + QStringList{"--lr", "0"}, "--lr");
    expect_invalid(kHat + QStringList{"--lr", "-0.1"}, "--lr");
    expect_invalid(kHat + QStringList{"--lr=-0.1"}, "--lr");
    expect_invalid(kHat + QStringList{"--momentum", "1"}, "--momentum");
    expect_invalid(kHat + QStringList{"--momentum", "-0.1"}, "--momentum");
    expect_invalid(kHat + QStringList{"--momentum", "1.5"}, "--momentum");
    expect_invalid(kHat + QStringList{"--weight-decay", "-1"}, "--weight-decay");
    expect_invalid(kHat + QStringList{"--lr", "abc"}, "--lr");
    expect_invalid(kHat + QStringList{"--lr", "0.1x"}, "--lr");
    expect_invalid(kHat + QStringList{"--lr", "inf"}, "--lr");
    expect_invalid(kHat + QStringList{"--lr", ""}, "--lr");
    expect_invalid(sim + QStringList{"--loss", "rotation_hat", "--q0", "1,x", "--steps", "3"},
                   "--q0");
    expect_invalid(sim + QStringList{"--loss", "rotation_hat", "--q0", "1,1", "--steps", "1.5"},
                   "--steps");
    expect_invalid(kHat + QStringList{"--bogus", "1"}, "--bogus");
    expect_invalid(kHat + QStringList{"--bogus"}, "--bogus");
    expect_invalid(kHat + QStringList{"--lr"}, "--lr");
    expect_invalid(sim + QStringList{"--loss", "rotation_hat", "--q0", "1,1", "--steps"},
                   "--steps");
    expect_invalid(kHat + QStringList{"--rule", "lbfgs"}, "--rule");
    expect_invalid(kHat + QStringList{"--model", "quantum"}, "--model");
    expect_invalid(kHat + QStringList{"--rule", "adam", "--v0", "1,1"}, "--v0");
    expect_invalid(kHat + QStringList{"--v0", "1"}, "--v0");
    expect_invalid(kHat + QStringList{"--param", "diag=1,2"}, "--param");
    expect_invalid(sim + QStringList{"--loss", "quadratic", "--param", "diag=1,0", "--q0", "1,1",
                                     "--steps", "3"},
                   "diag");
    expect_invalid(
        sim + QStringList{"--loss", "scale_cos", "--eps", "-0.1", "--q0", "1,1", "--steps", "3"},
        "--eps");
    expect_invalid(kHat + QStringList{"--nesterov=1"}, "--nesterov");
    QTemporaryDir dir;
    const QString bad = dir.filePath("run.txt");
    expect_invalid(kHat + QStringList{"--out", bad}, "--out");
    EXPECT_FALSE(QFile::exists(bad)) << "nothing is written for a bad --out";
    // An unknown subcommand: exit 2, the first stderr line names it (the usage follows).
    const CliResult cmd = run_cli({"frobnicate"});
    EXPECT_EQ(cmd.code, 2);
    EXPECT_TRUE(cmd.out.isEmpty());
    EXPECT_TRUE(cmd.err.split('\n').front().contains("frobnicate")) << cmd.err.toStdString();
}

TEST(CliContract, DivergenceExitsThreeWithRowsUpToTheLastFiniteSample) {
    // quadratic diag (1, 10) with lr 0.25: eta lambda_max = 2.5 > 2, |q_n| ~ 1.5^n.
    long N = -1;
    {
        double q1 = 1, q2 = 1;
        for (long n = 1; n <= 100; ++n) {
            q1 = q1 + (-0.25) * (1.0 * q1);
            q2 = q2 + (-0.25) * (10.0 * q2);
            if (std::sqrt(q1 * q1 + q2 * q2) > 1e8) {
                N = n;
                break;
            }
        }
    }
    ASSERT_EQ(N, 46);
    const QStringList args = {"simulate", "--loss", "quadratic", "--q0", "1,1",
                              "--steps",  "100",    "--lr",      "0.25"};
    const CliResult r = run_cli(args);
    EXPECT_EQ(r.code, 3);
    EXPECT_EQ(r.err.count('\n'), 1) << r.err.toStdString();
    EXPECT_TRUE(r.err.contains(QByteArray("diverged at step ") + QByteArray::number(qlonglong(N))))
        << r.err.toStdString();
    const auto rows = parse_csv(r.out);
    ASSERT_EQ(rows.size(), static_cast<size_t>(N + 1)) << "header + samples 0..N-1";
    for (size_t i = 1; i < rows.size(); ++i) {
        EXPECT_EQ(rows[i][0], std::to_string(i - 1));
        for (size_t j = 1; j < rows[i].size(); ++j)
            EXPECT_TRUE(std::isfinite(num(rows[i][j]))) << "row " << i << " col " << j;
    }
    EXPECT_LE(std::hypot(num(rows.back()[2]), num(rows.back()[3])), 1e8);
    // The JSON export says so too.
    QTemporaryDir dir;
    const QString path = dir.filePath("div.json");
    const CliResult j = run_cli(args + QStringList{"--out", path});
    EXPECT_EQ(j.code, 3);
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    const QJsonObject m =
        QJsonDocument::fromJson(f.readAll()).object()["models"].toArray()[0].toObject();
    EXPECT_TRUE(m["diverged"].toBool());
    EXPECT_EQ(m["diverged_at"].toDouble(), N);
    EXPECT_EQ(m["samples"].toDouble(), N);
}

TEST(CliContract, ContinuousModelsAndHelp) {
    for (const char* model : {"discrete", "ode", "ode-rest", "flow", "modified-flow"}) {
        const CliResult r = run_cli(kHat + QStringList{"--model", model, "--momentum", "0.5"});
        ASSERT_EQ(r.code, 0) << model << ": " << r.err.toStdString();
        EXPECT_EQ(parse_csv(r.out).size(), 12u) << model;
    }
    const CliResult h = run_cli({"simulate", "--help"});
    EXPECT_EQ(h.code, 0);
    EXPECT_TRUE(h.out.contains("--q0"));
    const CliResult top = run_cli({"--help"});
    EXPECT_EQ(top.code, 0);
    const CliResult none = run_cli({});
    EXPECT_EQ(none.code, 2);
}

// Issue 12: every prediction says where it holds; a model the rule does not have is refused
// with exit 2 naming --model; a kick that momentum 0 ignores is said on stderr; each model says
// which equation it integrates.
TEST(CliContract, PredictionsCarryTheirValidityAndANote) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString path = dir.filePath("run.json");
    const CliResult r =
        run_cli({"simulate", "--loss", "rotation_hat", "--q0", "0.6,0.5", "--steps", "40", "--lr",
                 "0.02", "--momentum", "0.9", "--eps", "0.05", "--model", "ode", "--out", path});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    const QJsonObject m =
        QJsonDocument::fromJson(f.readAll()).object()["models"].toArray()[0].toObject();
    EXPECT_EQ(m["equation"].toString().isEmpty(), false);
    const QJsonObject preds = m["predictions"].toObject();
    ASSERT_FALSE(preds.isEmpty());
    for (auto it = preds.begin(); it != preds.end(); ++it) {
        const QJsonObject p = it->toObject();
        const QString v = p["validity"].toString();
        EXPECT_TRUE(v == "exact" || v == "approximate" || v == "not_applicable")
            << it.key().toStdString() << ": " << v.toStdString();
        EXPECT_TRUE(p.contains("note")) << it.key().toStdString();
    }
    // The ODE's rotation law ignores the torque of eps > 0: approximate, with its error.
    const QJsonObject law = preds["J_rotation_law"].toObject();
    EXPECT_EQ(law["validity"].toString(), "approximate");
    EXPECT_TRUE(law["note"].toString().contains("%")) << law["note"].toString().toStdString();
}

TEST(CliContract, AModelTheRuleDoesNotHaveExitsTwo) {
    const CliResult r = run_cli({"simulate", "--loss", "rayleigh", "--q0", "1,1,1,1", "--steps",
                                 "10", "--rule", "adam", "--constrain-norm", "--model", "ode"});
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(r.err.startsWith("noetherlab-cli: --model: ode: ")) << r.err.toStdString();
    EXPECT_EQ(r.err.count('\n'), 1) << r.err.toStdString();
    EXPECT_TRUE(r.out.isEmpty());
    const CliResult mf = run_cli({"simulate", "--loss", "quadratic", "--q0", "1,1", "--steps", "10",
                                  "--rule", "rmsprop", "--model", "modified-flow"});
    EXPECT_EQ(mf.code, 2);
    EXPECT_TRUE(mf.err.contains("--model")) << mf.err.toStdString();
}

TEST(CliContract, AKickWithoutMomentumIsAWarningNamingV0) {
    const CliResult r = run_cli(
        {"simulate", "--loss", "quadratic", "--q0", "1,1", "--steps", "5", "--v0", "0.1,0"});
    EXPECT_EQ(r.code, 0);
    EXPECT_TRUE(r.err.startsWith("noetherlab-cli: warning: --v0: ")) << r.err.toStdString();
    const CliResult quiet = run_cli({"simulate", "--loss", "quadratic", "--q0", "1,1", "--steps",
                                     "5", "--v0", "0.1,0", "--momentum", "0.5"});
    EXPECT_TRUE(quiet.err.isEmpty()) << quiet.err.toStdString();
}

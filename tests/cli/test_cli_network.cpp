// The --network contract of noetherlab-cli (issue #15), against the real binary: CSV columns
// step,t,q1..qn,loss,grad_norm,r2,J_<generator>...,Q_<generator>..., the JSON keys network
// (param_layout), data (X, y), batches and matrix_charges, exit 2 naming the flag for bad input,
// exit 3 on divergence, and the network forms of discover and hessian.
#include <gtest/gtest.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <string>

namespace {

struct Out {
    int code = -1;
    QByteArray out, err;
};

Out cli(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral(NOETHER_CLI), args);
    Out r;
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QStringList header(const QByteArray& csv) {
    return QString::fromUtf8(csv.left(csv.indexOf('\n'))).split(',');
}

TEST(CliNetwork, CsvColumnsAreTheToyContractThenChargesThenQuadraticCharges) {
    const Out r = cli({"simulate", "--network", "2-3-1", "--data", "moons", "--data-n", "16",
                       "--steps", "4", "--lr", "0.1", "--momentum", "0.9"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    const QStringList h = header(r.out);
    const int n = 2 * 3 + 3 + 3 + 1;
    QStringList want{"step", "t"};
    for (int i = 1; i <= n; ++i)
        want << QString("q%1").arg(i);
    want << "loss"
         << "grad_norm"
         << "r2";
    for (int j = 1; j <= 3; ++j)
        want << QString("J_rescale_l1_n%1").arg(j);
    for (int j = 1; j <= 3; ++j)
        want << QString("Q_rescale_l1_n%1").arg(j);
    ASSERT_GE(h.size(), want.size());
    EXPECT_EQ(h.mid(0, want.size()), want);
    EXPECT_EQ(r.out.count('\n'), 1 + 5);
}

TEST(CliNetwork, JsonCarriesNetworkLayoutDataBatchesAndMatrixCharges) {
    QTemporaryDir dir;
    const QString path = dir.filePath("run.json");
    const Out r = cli({"simulate", "--network=2-3-1", "--activation=linear", "--data=moons",
                       "--data-n=20", "--batch=5", "--batch-seed=3", "--steps=6", "--out=" + path});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    for (const char* k : {"scene", "models", "t", "network", "data", "batches", "matrix_charges"})
        EXPECT_TRUE(o.contains(k)) << k;
    const QJsonObject net = o["network"].toObject();
    EXPECT_EQ(net["activation"].toString(), "linear");
    const QJsonArray layout = net["param_layout"].toArray();
    ASSERT_EQ(layout.size(), 4);
    EXPECT_EQ(layout[2].toObject()["name"].toString(), "W2");
    EXPECT_EQ(layout[2].toObject()["offset"].toInt(), 9);
    EXPECT_EQ(layout[2].toObject()["shape"].toArray(), (QJsonArray{1, 3}));
    EXPECT_EQ(o["data"].toObject()["X"].toArray().size(), 20);
    EXPECT_EQ(o["data"].toObject()["y"].toArray().size(), 20);
    const QJsonArray batches = o["batches"].toArray();
    EXPECT_EQ(batches.size(), 7);  // steps + 1 (the last defines J at the last sample)
    EXPECT_EQ(batches[0].toArray().size(), 5);
    const QJsonArray mc = o["matrix_charges"].toArray();
    ASSERT_EQ(mc.size(), 1);
    EXPECT_EQ(mc[0].toObject()["C"].toArray().size(), 7);
}

TEST(CliNetwork, BadInputExitsTwoNamingTheFlag) {
    const std::vector<std::pair<QStringList, std::string>> cases{
        {{"--network", "2-0-1", "--data", "moons"}, "--network"},
        {{"--network", "2-4-2", "--head", "softmax", "--data", "blobs"}, "--head"},
        {{"--network", "2-4-1", "--head", "softmax", "--data", "moons"}, "--head"},
        {{"--network", "3-4-1", "--data", "moons"}, "--network"},
        {{"--network", "2-4-1", "--data", "moons", "--batch", "300"}, "--batch"},
        {{"--network", "2-4-1", "--data", "moons", "--batch", "0"}, "--batch"},
        {{"--network", "2-4-1", "--data", "nope"}, "--data"},
        {{"--network", "2-4-1"}, "--data"},
        {{"--network", "2-4-1", "--data", "moons", "--activation", "gelu"}, "--activation"},
        {{"--network", "2-4-1", "--data", "moons", "--q0", "1,2"}, "--q0"},
        {{"--network", "2-4-1", "--data", "moons", "--batch", "8", "--model", "flow"}, "--model"},
        {{"--network", "2-4-1", "--data", "moons", "--init-scale", "0"}, "--init-scale"},
        {{"--network", "2-4-1", "--data", "moons", "--lr", "-1"}, "--lr"},
        {{"--network", "2-4-1", "--data", "moons", "--loss", "rescale_2d"}, "--loss"},
    };
    for (const auto& [args, flag] : cases) {
        QStringList a{"simulate", "--steps", "3"};
        a << args;
        SCOPED_TRACE(a.join(' ').toStdString());
        const Out r = cli(a);
        EXPECT_EQ(r.code, 2);
        EXPECT_TRUE(r.out.isEmpty());
        EXPECT_EQ(r.err.count('\n'), 1);
        EXPECT_NE(r.err.toStdString().find(flag), std::string::npos) << r.err.toStdString();
    }
}

TEST(CliNetwork, DivergenceExitsThree) {
    const Out r =
        cli({"simulate", "--network", "2-4-1", "--data", "moons", "--steps", "200", "--lr", "50"});
    EXPECT_EQ(r.code, 3);
    EXPECT_NE(r.err.indexOf("diverged at step"), -1);
}

TEST(CliNetwork, DiscoverFindsTheArchitecturesGenerators) {
    const Out r = cli({"discover", "--network", "2-3-1", "--activation", "linear", "--data",
                       "moons", "--data-n", "64", "--json"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    EXPECT_EQ(o["nullity"].toInt(), 9);
    EXPECT_EQ(o["expected_nullity"].toInt(), 9);
}

TEST(CliNetwork, HessianAtStepHasOneFlatDirectionPerRescale) {
    const Out r = cli({"hessian", "--network", "2-3-1", "--data", "moons", "--data-n", "32",
                       "--at-step", "5", "--lr", "0.1", "--json"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    EXPECT_EQ(o["eigenvalues"].toArray().size(), 13);
    const QJsonArray g = o["generators"].toArray();
    ASSERT_EQ(g.size(), 3);
    for (const auto& x : g)
        EXPECT_LT(x.toObject()["h1_residual"].toDouble(), 1e-12);
    const Out bad =
        cli({"hessian", "--network", "2-3-1", "--data", "moons", "--steps", "3", "--at-step", "9"});
    EXPECT_EQ(bad.code, 2);
    EXPECT_NE(bad.err.indexOf("--at-step"), -1);
}

}  // namespace

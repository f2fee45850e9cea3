// CLI contracts of issue 5: `hessian` (eigen-decomposition and identity residuals at a point),
// `discover` (affine symmetries), and `--expr` typed losses end to end through `simulate`.
#include <gtest/gtest.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStringList>
#include <cmath>
#include <vector>

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

QJsonObject json_of(const Out& o) {
    QJsonParseError e;
    const auto doc = QJsonDocument::fromJson(o.out, &e);
    EXPECT_EQ(e.error, QJsonParseError::NoError) << o.out.toStdString();
    return doc.object();
}

std::vector<std::vector<double>> matrix(const QJsonValue& v) {
    std::vector<std::vector<double>> m;
    for (const auto& row : v.toArray()) {
        m.emplace_back();
        for (const auto& x : row.toArray())
            m.back().push_back(x.toDouble());
    }
    return m;
}

std::vector<double> vec(const QJsonValue& v) {
    std::vector<double> out;
    for (const auto& x : v.toArray())
        out.push_back(x.toDouble());
    return out;
}

// The q columns of a simulate CSV, as rows of numbers.
std::vector<std::vector<double>> csv_q(const QByteArray& csv, int n) {
    std::vector<std::vector<double>> rows;
    const auto lines = csv.split('\n');
    for (int i = 1; i < lines.size(); ++i) {
        if (lines[i].isEmpty()) continue;
        const auto cells = lines[i].split(',');
        std::vector<double> r;
        for (int k = 0; k < n; ++k)
            r.push_back(cells[2 + k].toDouble());
        rows.push_back(r);
    }
    return rows;
}

}  // namespace

TEST(CliGeometry, HessianJson_EigenpairsAscendingAndExact) {
    const Out o =
        cli({"hessian", "--loss=scale_cos", "--param=theta_star=0.3", "--at=1.2,-0.9", "--json"});
    ASSERT_EQ(o.code, 0) << o.err.toStdString();
    const QJsonObject j = json_of(o);
    const auto lambda = vec(j["eigenvalues"]);
    const auto U = matrix(j["eigenvectors"]);  // columns are the eigenvectors
    const auto H = matrix(j["hessian"]);
    ASSERT_EQ(lambda.size(), 2u);
    EXPECT_LE(lambda[0], lambda[1]);
    EXPECT_NEAR(lambda[0], -0.2523, 1e-4);  // PHYSICS.md §3.2 example
    EXPECT_NEAR(lambda[1], 0.5132, 1e-4);
    for (int c = 0; c < 2; ++c)
        for (int r = 0; r < 2; ++r) {
            const double Hu = H[r][0] * U[0][c] + H[r][1] * U[1][c];
            EXPECT_NEAR(Hu, lambda[c] * U[r][c], 1e-14);
        }
    const auto gens = j["generators"].toArray();
    ASSERT_EQ(gens.size(), 1);
    EXPECT_EQ(gens[0].toObject()["name"].toString(), "scale");
    EXPECT_LT(gens[0].toObject()["h1_residual"].toDouble(), 1e-12);
    EXPECT_LT(gens[0].toObject()["h2_residual"].toDouble(), 1e-12);
    EXPECT_EQ(vec(j["gradient_components"]).size(), 2u);
}

TEST(CliGeometry, HessianText_PrintsEveryPart) {
    const Out o = cli({"hessian", "--loss=rotation_hat", "--at=0.3,0.4", "--lr=0.1"});
    ASSERT_EQ(o.code, 0) << o.err.toStdString();
    for (const char* s : {"eigenvalues (ascending)", "eigenvectors", "gradient in the eigenbasis",
                          "stability line", "H1 residual", "H2 residual", "generator rotation"})
        EXPECT_TRUE(o.out.contains(s)) << s << "\n" << o.out.toStdString();
}

TEST(CliGeometry, HessianBadInput_ExitsTwoNamingTheOption) {
    Out o = cli({"hessian", "--loss=rotation_hat"});
    EXPECT_EQ(o.code, 2);
    EXPECT_TRUE(o.err.contains("--at")) << o.err.toStdString();
    o = cli({"hessian", "--loss=rotation_hat", "--at=1,2,3"});
    EXPECT_EQ(o.code, 2);
    EXPECT_TRUE(o.err.contains("--at")) << o.err.toStdString();
    o = cli({"hessian", "--expr=q1^2 + foo", "--at=1"});
    EXPECT_EQ(o.code, 2);
    EXPECT_TRUE(o.err.contains("--expr: at position 8: unknown name 'foo'")) << o.err.toStdString();
    o = cli({"hessian", "--expr=log(q1)", "--at=-1"});
    EXPECT_EQ(o.code, 2);
    EXPECT_TRUE(o.err.contains("not finite")) << o.err.toStdString();
}

TEST(CliGeometry, HessianExpr_MatchesTheBuiltin) {
    const Out a = cli({"hessian", "--expr=(q1^2+q2^2-1)^2/4", "--at=0.3,0.4", "--json"});
    const Out b = cli({"hessian", "--loss=rotation_hat", "--at=0.3,0.4", "--json"});
    ASSERT_EQ(a.code, 0) << a.err.toStdString();
    ASSERT_EQ(b.code, 0);
    const auto la = vec(json_of(a)["eigenvalues"]), lb = vec(json_of(b)["eigenvalues"]);
    for (int i = 0; i < 2; ++i)
        EXPECT_NEAR(la[i], lb[i], 1e-14);
}

TEST(CliGeometry, DiscoverJson_RotationHatHasOneRotation) {
    const Out o = cli({"discover", "--loss=rotation_hat", "--json"});
    ASSERT_EQ(o.code, 0) << o.err.toStdString();
    const QJsonObject j = json_of(o);
    EXPECT_EQ(j["nullity"].toInt(), 1);
    const auto s = vec(j["singular_values"]);
    ASSERT_EQ(s.size(), 6u);
    EXPECT_EQ(s[0], 1.0);
    for (size_t i = 0; i + 1 < s.size(); ++i)
        EXPECT_GE(s[i], s[i + 1]);
    EXPECT_LT(s[5], 1e-8);
    const auto gens = j["generators"].toArray();
    ASSERT_EQ(gens.size(), 1);
    const QJsonObject g = gens[0].toObject();
    EXPECT_EQ(g["kind"].toString(), "rotation");
    const auto A = matrix(g["A"]);
    EXPECT_EQ(A, (std::vector<std::vector<double>>{{0, 1}, {-1, 0}}));  // −J in RREF
    EXPECT_EQ(vec(g["b"]), (std::vector<double>{0, 0}));
    // The projector is p × p, symmetric, idempotent, of trace 1, and contains vec(J).
    const auto P = matrix(j["projector"]);
    ASSERT_EQ(P.size(), 6u);
    double trace = 0;
    for (int r = 0; r < 6; ++r) {
        ASSERT_EQ(P[r].size(), 6u);
        trace += P[r][r];
        for (int c = 0; c < 6; ++c) {
            EXPECT_NEAR(P[r][c], P[c][r], 1e-15);
            double pp = 0;
            for (int k = 0; k < 6; ++k)
                pp += P[r][k] * P[k][c];
            EXPECT_NEAR(pp, P[r][c], 1e-14);
        }
    }
    EXPECT_NEAR(trace, 1.0, 1e-14);
    EXPECT_NEAR(P[1][1], 0.5, 1e-14);
    EXPECT_NEAR(P[1][2], -0.5, 1e-14);
    EXPECT_LT(j["closure_residual"].toDouble(), 1e-12);
}

TEST(CliGeometry, DiscoverJson_TranslationValleyHasNullityThree) {
    const Out o = cli({"discover", "--loss=translation_valley", "--json"});
    ASSERT_EQ(o.code, 0) << o.err.toStdString();
    const QJsonObject j = json_of(o);
    EXPECT_EQ(j["nullity"].toInt(), 3);
    const auto gens = j["generators"].toArray();
    ASSERT_EQ(gens.size(), 3);
    EXPECT_EQ(gens[2].toObject()["kind"].toString(), "translation");
    EXPECT_EQ(vec(gens[2].toObject()["b"]), (std::vector<double>{1, 1}));
    EXPECT_LT(j["closure_residual"].toDouble(), 1e-12);
}

TEST(CliGeometry, DiscoverExpr_FindsTheTypedLossSymmetry) {
    const Out o = cli({"discover", "--expr", "(q1*q2 - 1)^2/2", "--json"});
    ASSERT_EQ(o.code, 0) << o.err.toStdString();
    const QJsonObject j = json_of(o);
    EXPECT_EQ(j["nullity"].toInt(), 1);
    EXPECT_EQ(j["generators"].toArray()[0].toObject()["kind"].toString(), "rescale");
    // With breaking, nullity 0 and the text says so.
    const Out t =
        cli({"discover", "--expr", "(q1*q2 - 1)^2/2 + eps*q1^2/2", "--const", "eps=0.01"});
    ASSERT_EQ(t.code, 0) << t.err.toStdString();
    EXPECT_TRUE(t.out.contains("nullity: 0")) << t.out.toStdString();
    EXPECT_TRUE(t.out.contains("generators: none"));
}

TEST(CliGeometry, DiscoverSeed_IsDeterministicAndOptionsAreChecked) {
    const QStringList args = {"discover", "--loss=rescale_2d", "--seed=7", "--samples=300",
                              "--json"};
    const Out a = cli(args), b = cli(args);
    ASSERT_EQ(a.code, 0) << a.err.toStdString();
    EXPECT_EQ(a.out, b.out);
    EXPECT_EQ(json_of(a)["samples"].toInt(), 300);
    Out o = cli({"discover", "--loss=rescale_2d", "--tol=2"});
    EXPECT_EQ(o.code, 2);
    EXPECT_TRUE(o.err.contains("--tol")) << o.err.toStdString();
    o = cli({"discover", "--loss=rescale_2d", "--samples=0"});
    EXPECT_EQ(o.code, 2);
    EXPECT_TRUE(o.err.contains("--samples")) << o.err.toStdString();
    o = cli({"discover", "--loss=rescale_2d", "--seed=x"});
    EXPECT_EQ(o.code, 2);
    EXPECT_TRUE(o.err.contains("--seed")) << o.err.toStdString();
    o = cli({"discover"});
    EXPECT_EQ(o.code, 2);
    EXPECT_TRUE(o.err.contains("--loss")) << o.err.toStdString();
    o = cli({"discover", "--expr=q1 +"});
    EXPECT_EQ(o.code, 2);
    EXPECT_TRUE(o.err.contains("--expr: at position 5")) << o.err.toStdString();
}

TEST(CliGeometry, SimulateExpr_SameRunAsTheBuiltinTo1e12) {
    const Out t = cli({"simulate", "--expr", "(q1^2+q2^2-1)^2/4 + eps*q1", "--const", "eps=0.1",
                       "--q0=-0.2,0.5", "--v0=0.3,-0.5", "--momentum=0.9", "--steps=300"});
    const Out b = cli({"simulate", "--loss=rotation_hat", "--eps=0.1", "--q0=-0.2,0.5",
                       "--v0=0.3,-0.5", "--momentum=0.9", "--steps=300"});
    ASSERT_EQ(t.code, 0) << t.err.toStdString();
    ASSERT_EQ(b.code, 0);
    EXPECT_TRUE(t.out.startsWith("step,t,q1,q2,loss,grad_norm,r2")) << t.out.left(80).toStdString();
    const auto qt = csv_q(t.out, 2), qb = csv_q(b.out, 2);
    ASSERT_EQ(qt.size(), 301u);
    ASSERT_EQ(qt.size(), qb.size());
    for (size_t i = 0; i < qt.size(); ++i)
        for (int k = 0; k < 2; ++k)
            EXPECT_NEAR(qt[i][k], qb[i][k], 1e-12);
}

TEST(CliGeometry, SimulateExpr_BadExpressionsExitTwoWithThePosition) {
    Out o = cli({"simulate", "--expr=q1^2 + 2q2", "--q0=1,1", "--steps=3"});
    EXPECT_EQ(o.code, 2);
    EXPECT_TRUE(o.err.contains("--expr: at position 9: expected an operator"))
        << o.err.toStdString();
    o = cli({"simulate", "--expr=q1^2 + q3", "--dim=2", "--q0=1,1", "--steps=3"});
    EXPECT_EQ(o.code, 2);
    EXPECT_TRUE(o.err.contains("beyond the dimension")) << o.err.toStdString();
    o = cli({"simulate", "--expr=log(q1)", "--q0=-1", "--steps=3"});
    EXPECT_EQ(o.code, 2);
    EXPECT_TRUE(o.err.contains("--q0")) << o.err.toStdString();
    o = cli({"simulate", "--expr=q1^2", "--q0=1", "--steps=100", "--lr=1.5"});
    EXPECT_EQ(o.code, 3);  // q -> -2q every step: diverged
}

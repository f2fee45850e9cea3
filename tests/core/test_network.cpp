// Networks (docs/PHYSICS.md §8): layout, deterministic data and initialisation, backpropagation
// and the complex-step Hessian against finite differences, and the architecture's generators as
// exact symmetries of every batch's loss (L_ξ f_B = 0) with the Hessian identity H1.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "noether/network.hpp"

namespace noether {
namespace {

struct Arch {
    std::string label;
    NetworkSpec net;
    std::string data;
};

NetworkSpec spec(std::vector<int> w, Activation a, Head h = Head::Mse, bool bn = false,
                 bool bias = true, double eps = 0.0) {
    NetworkSpec s;
    s.widths = std::move(w);
    s.activation = a;
    s.head = h;
    s.batch_norm = bn;
    s.hidden_bias = bias;
    s.bn_eps = eps;
    return s;
}

void PrintTo(const Arch& a, std::ostream* os) {
    *os << a.label;
}

std::vector<Arch> architectures() {
    return {
        {"relu_mse_moons", spec({2, 5, 1}, Activation::Relu), "moons"},
        {"tanh_mse_spirals", spec({2, 4, 3, 1}, Activation::Tanh), "spirals"},
        {"linear_mse_teacher", spec({3, 3, 2}, Activation::Linear), "teacher"},
        {"linear_nobias_teacher", spec({3, 2, 2, 1}, Activation::Linear, Head::Mse, false, false),
         "teacher"},
        {"relu_softmax_blobs", spec({2, 4, 3}, Activation::Relu, Head::Softmax), "blobs"},
        {"bn_relu_softmax_xor", spec({2, 4, 2}, Activation::Relu, Head::Softmax, true), "xor"},
        {"bn_tanh_mse_moons_eps", spec({2, 3, 1}, Activation::Tanh, Head::Mse, true, true, 1e-3),
         "moons"},
        {"bn_linear_nobias_teacher", spec({3, 4, 2}, Activation::Linear, Head::Mse, true, false),
         "teacher"},
    };
}

struct Built {
    std::shared_ptr<const Network> net;
    std::shared_ptr<const Dataset> data;
};

Built build(const Arch& a, long n = 24) {
    DataSpec ds;
    ds.name = a.data;
    ds.n = n;
    ds.seed = 7;
    auto d = make_dataset(ds, a.net);
    EXPECT_TRUE(d.ok()) << a.label << ": " << (d.ok() ? "" : d.error().what());
    return {std::make_shared<const Network>(a.net), std::make_shared<const Dataset>(*d)};
}

// A generic point: the seeded initialisation plus biases, so no unit is dead everywhere.
Vector point(const Network& net, std::uint64_t seed) {
    Vector q = net.init(seed, 1.0);
    Xoshiro256 rng(seed + 100);
    for (const auto& b : net.layout())
        if (b.is_bias)
            for (int r = 0; r < b.rows; ++r)
                q[b.offset + r] = 0.3 * rng.normal();
    return q;
}

TEST(NetworkLayout, BlocksAreWThenBLayerByLayerRowMajor) {
    Network net(spec({2, 3, 1}, Activation::Relu));
    ASSERT_EQ(net.dim(), 2 * 3 + 3 + 3 + 1);
    const auto& L = net.layout();
    ASSERT_EQ(L.size(), 4u);
    EXPECT_EQ(L[0].name, "W1");
    EXPECT_EQ(L[0].offset, 0);
    EXPECT_EQ(L[1].name, "b1");
    EXPECT_EQ(L[1].offset, 6);
    EXPECT_EQ(L[2].name, "W2");
    EXPECT_EQ(L[2].offset, 9);
    EXPECT_EQ(L[3].name, "b2");
    EXPECT_EQ(L[3].offset, 12);
    // Row-major W1: the output for x = e_1 with b = 0 reads W1(:, 0) = q[0], q[2], q[4].
    Vector q = Vector::Zero(net.dim());
    q[2] = 1.0;      // W1(1, 0)
    q[9 + 1] = 2.0;  // W2(0, 1)
    Matrix X(1, 2);
    X << 3.0, 0.0;
    EXPECT_DOUBLE_EQ(net.forward(X, q)(0, 0), 6.0);
    Network nb(spec({2, 3, 1}, Activation::Relu, Head::Mse, false, false));
    EXPECT_EQ(nb.dim(), 2 * 3 + 3 + 1);
    EXPECT_EQ(nb.b_offset(1), -1);
}

TEST(NetworkData, SameSeedSameBitsOnEveryRun) {
    // The generator is ours: splitmix64 → xoshiro256**; its stream is pinned by golden values.
    Xoshiro256 a(1), b(1);
    for (int i = 0; i < 100; ++i)
        ASSERT_EQ(a.next(), b.next());
    for (const auto& name : dataset_names()) {
        DataSpec ds;
        ds.name = name;
        ds.n = 50;
        ds.seed = 3;
        NetworkSpec ns = spec({2, 4, name == "blobs" ? 3 : 1}, Activation::Relu);
        auto d1 = make_dataset(ds, ns), d2 = make_dataset(ds, ns);
        ASSERT_TRUE(d1.ok()) << name;
        EXPECT_EQ(d1->X, d2->X) << name;
        EXPECT_EQ(d1->targets, d2->targets) << name;
        EXPECT_TRUE(d1->X.allFinite());
        ds.seed = 4;
        auto d3 = make_dataset(ds, ns);
        if (name != "moons" && name != "spirals") {
            EXPECT_NE(d1->X, d3->X) << name;
        }
    }
    Network net(spec({2, 8, 1}, Activation::Relu));
    EXPECT_EQ(net.init(5, 1.0), net.init(5, 1.0));
    EXPECT_NE(net.init(5, 1.0), net.init(6, 1.0));
    EXPECT_EQ(net.init(5, 2.0), 2.0 * net.init(5, 1.0));
}

TEST(NetworkData, HeadsThatDoNotFitTheDataAreErrorsNamingTheField) {
    DataSpec ds;
    ds.name = "blobs";
    auto e1 = make_dataset(ds, spec({2, 4, 2}, Activation::Relu, Head::Softmax));
    ASSERT_FALSE(e1.ok());
    EXPECT_EQ(e1.error().field, "head");
    auto e2 = make_dataset(ds, spec({3, 4, 3}, Activation::Relu, Head::Softmax));
    ASSERT_FALSE(e2.ok());
    EXPECT_EQ(e2.error().field, "network");
    ds.name = "nope";
    EXPECT_EQ(make_dataset(ds, spec({2, 4, 1}, Activation::Relu)).error().field, "data");
    EXPECT_FALSE(parse_widths("2-0-1").ok());
    EXPECT_FALSE(parse_widths("2").ok());
    EXPECT_FALSE(parse_widths("2-x-1").ok());
    EXPECT_EQ(*parse_widths("2-16-1"), (std::vector<int>{2, 16, 1}));
}

class NetworkDerivatives : public ::testing::TestWithParam<Arch> {};

// Central differences with a step h: error O(h²) ≈ 1e-10 relative; the gradient and the
// complex-step Hessian agree with them at 1e-6 (ReLU kinks are measure zero at these points).
TEST_P(NetworkDerivatives, GradientAndHessianMatchFiniteDifferences) {
    const Arch& a = GetParam();
    const Built b = build(a);
    const Network& net = *b.net;
    const int n = net.dim();
    const std::vector<int> batch{0, 3, 5, 8, 11, 13, 17, 20};
    for (std::uint64_t seed : {1u, 2u}) {
        const Vector q = point(net, seed);
        Vector g(n);
        const double f = net.value_gradient(*b.data, q, batch, g);
        EXPECT_DOUBLE_EQ(f, net.value(*b.data, q, batch));
        const double h = 1e-5;
        Vector fd(n);
        for (int i = 0; i < n; ++i) {
            Vector qp = q, qm = q;
            qp[i] += h;
            qm[i] -= h;
            fd[i] = (net.value(*b.data, qp, batch) - net.value(*b.data, qm, batch)) / (2 * h);
        }
        EXPECT_LT((g - fd).norm(), 1e-7 * std::max(1.0, g.norm())) << a.label;
        const Matrix H = net.hessian(*b.data, q, batch);
        Matrix Hfd(n, n);
        for (int i = 0; i < n; ++i) {
            Vector qp = q, qm = q, gp(n), gm(n);
            qp[i] += h;
            qm[i] -= h;
            net.value_gradient(*b.data, qp, batch, gp);
            net.value_gradient(*b.data, qm, batch, gm);
            Hfd.col(i) = (gp - gm) / (2 * h);
        }
        EXPECT_LT((H - Hfd).norm(), 1e-6 * std::max(1.0, H.norm())) << a.label;
        // The complex step's real part is the gradient; H is symmetric before symmetrising.
        Vector v = Vector::LinSpaced(n, -1.0, 1.0);
        EXPECT_LT((net.hvp(*b.data, q, v, batch) - H * v).norm(), 1e-12 * H.norm() * v.norm())
            << a.label;
    }
}

// Every generator of the architecture is an exact symmetry of every batch's loss at ε = 0
// (L_ξ f_B = 0 to rounding), and H1 (H ξ = −Aᵀ ∇f) holds with the complex-step Hessian.
TEST_P(NetworkDerivatives, GeneratorsAreExactSymmetriesOfEveryBatch) {
    const Arch& a = GetParam();
    const Built b = build(a);
    const Network& net = *b.net;
    const auto gens = network_generators(net);
    const int n = net.dim();
    const std::vector<int> batch{1, 2, 6, 9, 15, 22};
    const Vector q = point(net, 3);
    Vector g(n);
    net.value_gradient(*b.data, q, batch, g);
    const Matrix H = net.hessian(*b.data, q, batch);
    for (const auto& gen : gens) {
        const Vector xi = gen.xi(q);
        const double lie = g.dot(xi);
        const bool broken = gen.kind == SymmetryKind::Scale && a.net.bn_eps > 0;
        if (broken) {
            EXPECT_GT(std::abs(lie), 1e-10 * g.norm() * xi.norm()) << a.label << " " << gen.name;
            continue;
        }
        EXPECT_LT(std::abs(lie), 1e-14 * std::max(1.0, g.norm() * xi.norm()))
            << a.label << " " << gen.name;
        const Matrix A(gen.A);
        const Vector h1 = H * xi + A.transpose() * g;
        EXPECT_LT(h1.norm(), 1e-10 * (H.norm() * xi.norm() + A.norm() * g.norm()))
            << a.label << " " << gen.name;
    }
}

INSTANTIATE_TEST_SUITE_P(Architectures, NetworkDerivatives, ::testing::ValuesIn(architectures()),
                         [](const auto& info) { return info.param.label; });

TEST(NetworkGenerators, NamesAndCountsFollowTheArchitecture) {
    auto names = [](const NetworkSpec& s) {
        std::vector<std::string> out;
        for (const auto& g : network_generators(Network(s)))
            out.push_back(g.name);
        return out;
    };
    const auto relu = names(spec({2, 3, 1}, Activation::Relu));
    EXPECT_EQ(relu, (std::vector<std::string>{"rescale_l1_n1", "rescale_l1_n2", "rescale_l1_n3"}));
    EXPECT_EQ(names(spec({2, 3, 1}, Activation::Tanh)).size(), 0u);
    EXPECT_EQ(names(spec({2, 3, 2, 1}, Activation::Linear)).size(), 9u + 4u);
    const auto bn = names(spec({2, 2, 1}, Activation::Relu, Head::Mse, true));
    EXPECT_EQ(bn, (std::vector<std::string>{"scale_l1_n1", "translation_l1_n1", "scale_l1_n2",
                                            "translation_l1_n2"}));
    const auto sm = names(spec({2, 2, 3}, Activation::Tanh, Head::Softmax));
    EXPECT_EQ(sm, (std::vector<std::string>{"translation_out", "translation_out_in1",
                                            "translation_out_in2"}));
}

}  // namespace
}  // namespace noether

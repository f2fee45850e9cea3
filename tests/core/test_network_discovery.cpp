// Structured discovery on networks (docs/PHYSICS.md §8.5): the null space of the per-layer
// linear-map search is exactly the span of the architecture's generators — GL(h) for a linear
// hidden layer, one rescale per ReLU neuron, scale and translation per normalised unit, the
// softmax translations — and nothing else.
#include <gtest/gtest.h>

#include "noether/network_discovery.hpp"

namespace noether {
namespace {

struct DiscCase {
    std::string label;
    NetworkSpec net;
    std::string data;
    int nullity;
};

void PrintTo(const DiscCase& c, std::ostream* os) {
    *os << c.label;
}

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

class NetworkDiscovery : public ::testing::TestWithParam<DiscCase> {};

TEST_P(NetworkDiscovery, NullSpaceIsExactlyTheArchitecturesGenerators) {
    const DiscCase& c = GetParam();
    DataSpec ds;
    ds.name = c.data;
    ds.n = 64;
    auto data = make_dataset(ds, c.net);
    ASSERT_TRUE(data.ok());
    const Network net(c.net);
    auto d = discover_network_symmetries(net, *data);
    ASSERT_TRUE(d.ok()) << d.error().what();
    EXPECT_EQ(d->nullity, c.nullity) << c.label;
    EXPECT_EQ(d->expected_nullity, c.nullity) << c.label;
    // Every generator of the architecture lies in the null space: together with the count, the
    // null space is their span.
    EXPECT_LT(d->expected_residual, 1e-8) << c.label;
    // A clear gap: the first non-null singular value is far above the threshold.
    const auto p = d->singular_values.size();
    if (c.nullity < p) {
        EXPECT_GT(d->singular_values[p - c.nullity - 1], 1e-4) << c.label;
    }
}

INSTANTIATE_TEST_SUITE_P(
    Architectures, NetworkDiscovery,
    ::testing::Values(
        DiscCase{"relu_rescale_per_neuron", spec({2, 5, 1}, Activation::Relu), "moons", 5},
        DiscCase{"deep_relu_no_bias", spec({2, 4, 3, 1}, Activation::Relu, Head::Mse, false, false),
                 "spirals", 7},
        DiscCase{"linear_gl_h_squared", spec({2, 3, 1}, Activation::Linear), "moons", 9},
        DiscCase{"deep_linear_no_bias",
                 spec({2, 3, 2, 1}, Activation::Linear, Head::Mse, false, false), "moons", 9 + 4},
        DiscCase{"tanh_nothing", spec({2, 4, 1}, Activation::Tanh), "xor", 0},
        // Softmax: biases (1), each input direction of the output rows (h), and P_L = 1 e_cᵀ
        // (C): every field that moves all logits of a point together.
        DiscCase{"softmax_translations", spec({2, 3, 3}, Activation::Tanh, Head::Softmax), "blobs",
                 1 + 3 + 3},
        // BN: scale + translation per unit, and the free biases' δb = b once.
        DiscCase{"batchnorm_scale_translation", spec({2, 3, 1}, Activation::Relu, Head::Mse, true),
                 "moons", 3 + 3 + 1},
        DiscCase{"batchnorm_eps_breaks_scale",
                 spec({2, 3, 1}, Activation::Relu, Head::Mse, true, true, 1e-3), "moons", 3 + 1},
        DiscCase{"batchnorm_no_bias", spec({2, 3, 1}, Activation::Tanh, Head::Mse, true, false),
                 "moons", 3}),
    [](const auto& info) { return info.param.label; });

}  // namespace
}  // namespace noether

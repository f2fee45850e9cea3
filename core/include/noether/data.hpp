// Small data sets for the networks, generated deterministically from a seed by our own generator
// (docs/PHYSICS.md §8.1): splitmix64 seeds xoshiro256**, uniforms are the top 53 bits, normals
// come from a Box–Muller transform written out here. The integer stream is the same on every
// machine; the normals use std::log/sqrt/cos/sin once per pair (correctly rounded sqrt, glibc's
// log/cos/sin), and every data set is exported in the run's JSON so a replay never regenerates.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "noether/types.hpp"

namespace noether {

/// xoshiro256** (Blackman & Vigna 2018) seeded by splitmix64: a documented, portable stream.
class Xoshiro256 {
  public:
    /// The state is four splitmix64 outputs of the seed.
    explicit Xoshiro256(std::uint64_t seed);
    /// Next 64-bit output.
    std::uint64_t next();
    /// Uniform in [0, 1): the top 53 bits times 2^-53.
    double uniform();
    /// Standard normal by Box–Muller: u1 in (0, 1], u2 in [0, 1), r = sqrt(-2 log u1), the pair
    /// (r cos 2πu2, r sin 2πu2), returned one at a time.
    double normal();
    /// Uniform integer in [0, n) by Lemire's unbiased multiply-and-reject, n >= 1.
    std::uint64_t below(std::uint64_t n);

  private:
    std::uint64_t s_[4];
    double spare_ = 0.0;
    bool has_spare_ = false;
};

/// A data set: inputs X (N × d, one row per point) and integer class labels, or regression
/// targets for the teacher.
struct Dataset {
    std::string name;         ///< "moons", "spirals", "blobs", "xor", "teacher"
    Matrix X;                 ///< N × d inputs
    std::vector<int> labels;  ///< class of each point (teacher + mse head: empty)
    int classes = 0;          ///< number of classes (0 for a regression teacher)
    Matrix targets;           ///< N × D_L regression targets of the teacher (else empty)
    /// Number of points N.
    long size() const { return static_cast<long>(X.rows()); }
};

/// What to generate.
struct DataSpec {
    std::string name = "moons";  ///< moons | spirals | blobs | xor | teacher
    long n = 256;                ///< N points, >= 2 (at most 100000)
    std::uint64_t seed = 1;      ///< generator seed
    double noise = 0.1;          ///< std of the Gaussian noise added to the inputs, >= 0
    bool operator==(const DataSpec&) const = default;
};

/// The names of the data sets, in a fixed order.
const std::vector<std::string>& dataset_names();
/// The input dimension a data set has (teacher: any, returns 0).
int dataset_input_dim(const std::string& name);
/// The number of classes (teacher: 0; its classes come from the head).
int dataset_classes(const std::string& name);

}  // namespace noether

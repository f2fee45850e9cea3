// The generator and the 2-D data sets of docs/PHYSICS.md §8.1 (the teacher is in network.cpp).
#include "noether/data.hpp"

#include <cmath>
#include <numbers>

namespace noether {
namespace {

__extension__ typedef unsigned __int128 u128;  // the 64×64→128 product of Lemire's method

// splitmix64 (Steele, Lea & Flood 2014): one step of the seeding sequence.
std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

}  // namespace

Xoshiro256::Xoshiro256(std::uint64_t seed) {
    std::uint64_t x = seed;
    for (auto& s : s_)
        s = splitmix64(x);
}

std::uint64_t Xoshiro256::next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

double Xoshiro256::uniform() {
    return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

double Xoshiro256::normal() {
    if (has_spare_) {
        has_spare_ = false;
        return spare_;
    }
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();        // [0, 1)
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double a = 2.0 * std::numbers::pi * u2;
    spare_ = r * std::sin(a);
    has_spare_ = true;
    return r * std::cos(a);
}

std::uint64_t Xoshiro256::below(std::uint64_t n) {
    // Lemire (2019): the high word of x·n, rejecting the biased low range.
    u128 m = static_cast<u128>(next()) * n;
    auto lo = static_cast<std::uint64_t>(m);
    if (lo < n) {
        const std::uint64_t t = (0 - n) % n;
        while (lo < t) {
            m = static_cast<u128>(next()) * n;
            lo = static_cast<std::uint64_t>(m);
        }
    }
    return static_cast<std::uint64_t>(m >> 64);
}

const std::vector<std::string>& dataset_names() {
    static const std::vector<std::string> names{"moons", "spirals", "blobs", "xor", "teacher"};
    return names;
}

int dataset_input_dim(const std::string& name) {
    return name == "teacher" ? 0 : 2;
}

int dataset_classes(const std::string& name) {
    if (name == "blobs") return 3;
    if (name == "teacher") return 0;
    return 2;
}

}  // namespace noether

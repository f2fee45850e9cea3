// Deterministic replay of the scene-loader, scene-link and CLI-option fuzz targets (issue 18)
// under GoogleTest, so CI exercises the same entry points with any compiler: every file of their
// corpora (seeds and regression inputs) and a few thousand seeded mutations of them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int fuzz_scene_entry(const uint8_t* data, size_t size);
extern "C" int fuzz_link_entry(const uint8_t* data, size_t size);
extern "C" int fuzz_cli_entry(const uint8_t* data, size_t size);

namespace {

using Entry = int (*)(const uint8_t*, size_t);

int feed(Entry f, const std::string& s) {
    return f(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::vector<std::string> corpus(const char* name) {
    std::vector<std::string> out;
    for (const auto& e :
         std::filesystem::directory_iterator(std::string(NOETHER_FUZZ_DIR) + "/" + name)) {
        if (!e.is_regular_file()) continue;
        std::ifstream in(e.path(), std::ios::binary);
        out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Byte flips, insertions, deletions and splices of the seeds, from a fixed seed.
void mutate_and_feed(Entry f, const std::vector<std::string>& seeds, int count,
                     const std::string& alphabet) {
    std::mt19937_64 rng(20261203);
    for (int k = 0; k < count; ++k) {
        std::string s = seeds[rng() % seeds.size()];
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            const size_t at = s.empty() ? 0 : rng() % (s.size() + 1);
            switch (rng() % 4) {
                case 0:
                    s.insert(s.begin() + static_cast<long>(at), alphabet[rng() % alphabet.size()]);
                    break;
                case 1:
                    if (at < s.size()) s.erase(at, 1 + rng() % 8);
                    break;
                case 2:
                    if (at < s.size()) s[at] = alphabet[rng() % alphabet.size()];
                    break;
                default: {
                    const std::string& o = seeds[rng() % seeds.size()];
                    const size_t from = o.empty() ? 0 : rng() % o.size();
                    s.insert(at, o.substr(from, 40));
                }
            }
        }
        ASSERT_EQ(feed(f, s), 0) << s.substr(0, 200);
    }
}

TEST(FuzzSceneReplay, SceneLoaderCorpusAndMutations) {
    const auto files = corpus("corpus_scene");
    EXPECT_GE(files.size(), 20u);
    for (const auto& s : files)
        EXPECT_EQ(feed(fuzz_scene_entry, s), 0);
    mutate_and_feed(fuzz_scene_entry, files, 1500, "{}[],:\"0123456789.-e nulltruefalse\\\xff");
}

TEST(FuzzSceneReplay, SceneLinkCorpusAndMutations) {
    const auto files = corpus("corpus_link");
    EXPECT_GE(files.size(), 10u);
    for (const auto& s : files)
        EXPECT_EQ(feed(fuzz_link_entry, s), 0);
    mutate_and_feed(fuzz_link_entry, files, 1500,
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_= \n=:!");
}

TEST(FuzzSceneReplay, CliOptionParserCorpusAndMutations) {
    const auto files = corpus("corpus_cli");
    EXPECT_GE(files.size(), 10u);
    for (const auto& s : files)
        EXPECT_EQ(feed(fuzz_cli_entry, s), 0);
    mutate_and_feed(fuzz_cli_entry, files, 3000, std::string("-=,.0123456789e\0\nq", 18));
}

}  // namespace

// libFuzzer target for the CLI's option parser (issue 18): the input is split at NUL or newline
// into argv tokens and parsed with simulate's and sweep's options, then built into a scene and
// validated. Every token sequence is either refused with an Error naming something, or gives a
// scene the engine accepts or refuses with an Error. --scene is left out (it would read files).
// Replayed by test_fuzz_scene_replay.cpp.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "io/scene_file.hpp"
#include "noether/loss.hpp"

#ifndef FUZZ_ENTRY
#define FUZZ_ENTRY LLVMFuzzerTestOneInput
#endif

namespace {
void require(bool ok) {
    if (!ok) std::abort();
}
}  // namespace

extern "C" int FUZZ_ENTRY(const uint8_t* data, size_t size) {
    using namespace noether;
    if (size > 4096) return 0;
    std::vector<std::string> tokens = {"noetherlab-cli", "simulate"};
    std::string cur;
    for (size_t i = 0; i < size; ++i) {
        const char c = static_cast<char>(data[i]);
        if (c == '\0' || c == '\n') {
            tokens.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    tokens.push_back(cur);
    std::vector<char*> argv;
    for (auto& t : tokens)
        argv.push_back(t.data());
    argv.push_back(nullptr);
    const int argc = static_cast<int>(tokens.size());
    cli::OptionSpec spec = cli::scene_options();
    for (const char* name : {"lr-range", "momentum-range", "metric", "samples", "at"})
        spec.valued.insert(name);
    auto args = cli::parse_args(argc, argv.data(), 2, spec);
    if (!args) {
        require(!args.error().message.empty());
        return 0;
    }
    if (args->has("scene")) return 0;
    auto scene = cli::scene_from_args(*args, true, true);
    if (!scene) {
        require(!scene.error().message.empty());
        return 0;
    }
    auto loss = make_loss(scene->loss);
    if (!loss) {
        require(!loss.error().message.empty());
        return 0;
    }
    if (auto s = validate(*scene, **loss); !s) require(!s.error().message.empty());
    if (auto s = io::check_run_size(*scene, (*loss)->dim()); !s) require(!s.error().field.empty());
    return 0;
}

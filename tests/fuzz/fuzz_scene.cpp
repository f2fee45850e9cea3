// libFuzzer target for the scene loader (issue 18): any bytes are either refused with an Error
// that has a message, or accepted as a document that serialises, loads again to the same scene,
// and survives its own scene link. Nothing may crash, hang, leak or trip a sanitizer. Replayed
// under GoogleTest by test_fuzz_scene_replay.cpp (FUZZ_ENTRY renames the entry point there).
#include <QByteArray>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "io/file_io.hpp"
#include "io/scene_file.hpp"

#ifndef FUZZ_ENTRY
#define FUZZ_ENTRY LLVMFuzzerTestOneInput
#endif

namespace {
void require(bool ok) {
    if (!ok) std::abort();
}
}  // namespace

extern "C" int FUZZ_ENTRY(const uint8_t* data, size_t size) {
    using namespace noether::io;
    if (size > static_cast<size_t>(kMaxSceneFileBytes)) return 0;
    const QByteArray bytes(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    auto doc = parse_scene(bytes);
    if (!doc) {
        require(!doc.error().message.empty());
        return 0;
    }
    // What loads, saves and loads again to the same scene; its link does too.
    auto again = parse_scene(serialize_scene(*doc));
    require(again.ok());
    require(again->scene == doc->scene);
    auto linked = scene_from_link(scene_to_link(*doc));
    require(linked.ok());
    require(linked->scene == doc->scene);
    auto variants = compare_variants(*doc);
    require(variants.ok());
    return 0;
}

// libFuzzer target for the scene-link decoder (issue 18): any pasted text is refused (field
// "link" for a malformed link, a JSON path for a valid link of a bad scene) or gives a document
// whose own link decodes to the same scene. Replayed by test_fuzz_scene_replay.cpp.
#include <QByteArray>
#include <QString>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "io/scene_file.hpp"

#ifndef FUZZ_ENTRY
#define FUZZ_ENTRY LLVMFuzzerTestOneInput
#endif

namespace {
void require(bool ok) {
    if (!ok) std::abort();
}

void check(const QString& text) {
    using namespace noether::io;
    auto doc = scene_from_link(text);
    if (!doc) {
        require(!doc.error().message.empty());
        return;
    }
    auto back = scene_from_link(scene_to_link(*doc));
    require(back.ok());
    require(back->scene == doc->scene);
}
}  // namespace

extern "C" int FUZZ_ENTRY(const uint8_t* data, size_t size) {
    if (size > (1u << 20)) return 0;
    const QByteArray bytes(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    // As pasted text, and as the body of a link (so the decoder's JSON stage is reached).
    check(QString::fromUtf8(bytes));
    check("noether:" + QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding |
                                                          QByteArray::OmitTrailingEquals)));
    return 0;
}

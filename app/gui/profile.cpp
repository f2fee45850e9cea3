#include "gui/profile.hpp"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

namespace noether::gui {

namespace {
struct Acc {
    double sum = 0.0;
    long count = 0;
};
std::map<std::string, Acc>& table() {
    static std::map<std::string, Acc> t;
    return t;
}
}  // namespace

bool profiling() {
    static const bool on = std::getenv("NOETHER_PROFILE") != nullptr;
    return on;
}

void profileAdd(const char* name, double ms) {
    Acc& a = table()[name];
    a.sum += ms;
    ++a.count;
}

void profileMark(const char* what) {
    static const bool on = [] {
        const char* v = std::getenv("NOETHER_PROFILE");
        return v && std::string(v) == "2";
    }();
    if (!on) return;
    static QElapsedTimer clock;
    if (!clock.isValid()) clock.start();
    std::fprintf(stderr, "%10.3f ms  %s\n", static_cast<double>(clock.nsecsElapsed()) * 1e-6, what);
}

void profileReport() {
    for (const auto& [name, a] : table())
        std::fprintf(stderr, "  %-28s %8.3f ms  (%ld)\n", name.c_str(), a.sum / a.count, a.count);
    table().clear();
}

}  // namespace noether::gui

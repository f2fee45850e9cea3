#include "cli/long_work.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>

namespace noether::cli {

namespace {
std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

extern "C" void on_interrupt(int) {
    if (g_interrupted.exchange(true)) _exit(kExitInterrupted);  // the second: at once
}
}  // namespace

void install_interrupt_handler() {
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

const std::atomic<bool>* interrupt_flag() {
    return &g_interrupted;
}

bool interrupted() {
    return g_interrupted.load();
}

int fail_interrupted() {
    std::fputs("noetherlab-cli: interrupted: nothing written\n", stderr);
    return kExitInterrupted;
}

bool stderr_is_terminal() {
    return isatty(STDERR_FILENO) == 1;
}

ProgressLine::ProgressLine(std::string label, std::string unit, const std::atomic<long>& done,
                           long total) {
    if (!stderr_is_terminal() || total <= 0) return;
    watcher_ = std::thread([this, label = std::move(label), unit = std::move(unit), &done, total] {
        using clock = std::chrono::steady_clock;
        const auto start = clock::now();
        bool shown = false;
        double last = 0.0;
        while (!stop_.load()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            const auto elapsed = std::chrono::duration<double>(clock::now() - start).count();
            if (elapsed < 0.5) continue;
            if (shown && elapsed - last < 0.25) continue;
            last = elapsed;
            const long d = std::min(done.load(std::memory_order_relaxed), total);
            const double frac = static_cast<double>(d) / static_cast<double>(total);
            char eta[48] = "";
            if (frac > 0.02 && d < total)
                std::snprintf(eta, sizeof eta, ", about %.0f s left",
                              elapsed * (1.0 - frac) / frac);
            std::fprintf(stderr, "\rnoetherlab-cli %s: %3.0f %% (%ld of %ld %s)%s\033[K",
                         label.c_str(), 100.0 * frac, d, total, unit.c_str(), eta);
            std::fflush(stderr);
            shown = true;
        }
        if (shown) {
            std::fputs("\r\033[K", stderr);
            std::fflush(stderr);
        }
    });
}

ProgressLine::~ProgressLine() {
    stop_.store(true);
    if (watcher_.joinable()) watcher_.join();
}

}  // namespace noether::cli

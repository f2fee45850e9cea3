// Long CLI work, visible and stoppable (issues 17 and 18): a progress line on stderr when it is a
// terminal, and Ctrl-C that stops the engine cleanly instead of killing the process mid-write.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace noether::cli {

/// Exit status after Ctrl-C (SIGINT) or SIGTERM stopped a command: nothing was written.
inline constexpr int kExitInterrupted = 130;

/// Installs the handlers: the first SIGINT/SIGTERM sets interrupt_flag() (the engine polls it
/// and stops at its next check); a second one ends the process at once (exit 130).
void install_interrupt_handler();
/// The flag the handlers set; pass it as the engine's cancel pointer.
const std::atomic<bool>* interrupt_flag();
/// True once SIGINT/SIGTERM arrived.
bool interrupted();
/// Says "noetherlab-cli: interrupted: nothing written" and returns kExitInterrupted.
int fail_interrupted();

/// While alive, shows "noetherlab-cli <label>: 42 % (4200000 of 10000000 <unit>)" on stderr,
/// redrawn four times a second from the first half second on, if stderr is a terminal (nothing
/// otherwise, so logs and pipes get no control characters); the line is cleared at the end.
/// `done` is read from the watcher thread: it must be an atomic counter of the work.
class ProgressLine {
  public:
    ProgressLine(std::string label, std::string unit, const std::atomic<long>& done, long total);
    ~ProgressLine();
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;

  private:
    std::atomic<bool> stop_{false};
    std::thread watcher_;
};

/// Whether stderr is a terminal (the progress line shows only then).
bool stderr_is_terminal();

}  // namespace noether::cli

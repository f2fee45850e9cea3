// A tiny opt-in profiler for the interaction path (NOETHER_PROFILE=1): named wall-time samples,
// reported as means by the interaction benchmark. Off, it costs one branch.
#pragma once

#include <QElapsedTimer>

namespace noether::gui {

/// True if NOETHER_PROFILE is set.
bool profiling();
/// Adds a sample (milliseconds) under a name.
void profileAdd(const char* name, double ms);
/// Prints "name: mean ms (count)" for every name to stderr and clears.
void profileReport();
/// Records an event on the frame time line (NOETHER_PROFILE=2 prints them as they happen).
void profileMark(const char* what);

/// Times a scope when profiling.
class ProfileScope {
  public:
    explicit ProfileScope(const char* name) : name_(name) {
        if (profiling()) timer_.start();
    }
    ~ProfileScope() {
        if (profiling()) profileAdd(name_, static_cast<double>(timer_.nsecsElapsed()) * 1e-6);
    }

  private:
    const char* name_;
    QElapsedTimer timer_;
};

}  // namespace noether::gui

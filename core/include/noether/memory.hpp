// Allocator tuning for programs that build large runs again and again (the app re-simulates
// on every slider change; a Run of 10^4 samples holds a few MB in many vectors).
#pragma once

namespace noether {

/// Keeps freed run buffers in the process (glibc: no mmap for blocks below 32 MiB, no trimming
/// below 256 MiB), so the next run reuses warm pages instead of page-faulting fresh ones. This
/// halves the engine time of the app's default scene on this machine kind (docs/PERFORMANCE.md).
/// Call once at start-up, before threads start. A no-op where the C library has no mallopt.
void tune_allocator_for_runs();

}  // namespace noether

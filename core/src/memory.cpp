#include "noether/memory.hpp"

#include <cstdlib>  // defines __GLIBC__ where glibc is the C library

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace noether {

void tune_allocator_for_runs() {
#if defined(__GLIBC__)
    // Fixed thresholds also switch off glibc's dynamic mmap threshold.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's maximum on 64-bit
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_TOP_PAD, 64 << 20);
#endif
}

}  // namespace noether

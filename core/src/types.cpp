#include "noether/types.hpp"

#include <cstdio>

namespace noether {

std::string format_double(double x) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", x);
    return buf;
}

}  // namespace noether

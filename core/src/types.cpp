#include "noether/types.hpp"

#include <charconv>

#include <cstdio>

namespace noether {

int format_double(double x, char* buf) {
    // Precision 17 in the general format is specified as printf's %.17g (C++17 [charconv]).
    const auto r = std::to_chars(buf, buf + kFormatDoubleChars, x, std::chars_format::general, 17);
    return static_cast<int>(r.ptr - buf);
}

std::string format_double(double x) {
    char buf[kFormatDoubleChars];
    return std::string(buf, static_cast<size_t>(format_double(x, buf)));
}

}  // namespace noether

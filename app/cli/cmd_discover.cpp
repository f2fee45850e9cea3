// noetherlab-cli discover: not built yet (placeholder until its issue lands).
#include <cstdio>

#include "cli/cli.hpp"

namespace noether::cli {

int cmd_discover(int, char**) {
    std::fputs("noetherlab-cli: 'discover' is not available in this build yet\n", stderr);
    return kExitInvalid;
}

}  // namespace noether::cli

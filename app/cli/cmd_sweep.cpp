// noetherlab-cli sweep: not built yet (placeholder until its issue lands).
#include <cstdio>

#include "cli/cli.hpp"

namespace noether::cli {

int cmd_sweep(int, char**) {
    std::fputs("noetherlab-cli: 'sweep' is not available in this build yet\n", stderr);
    return kExitInvalid;
}

}  // namespace noether::cli

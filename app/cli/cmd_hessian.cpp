// noetherlab-cli hessian: not built yet (placeholder until its issue lands).
#include <cstdio>

#include "cli/cli.hpp"

namespace noether::cli {

int cmd_hessian(int, char**) {
    std::fputs("noetherlab-cli: 'hessian' is not available in this build yet\n", stderr);
    return kExitInvalid;
}

}  // namespace noether::cli

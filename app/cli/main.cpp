// noetherlab-cli: the scriptable face of the engine.
#include <QCoreApplication>
#include <cstdio>
#include <cstring>

#include "cli/cli.hpp"
#include "noether/memory.hpp"

namespace {

void usage(std::FILE* out) {
    std::fputs(
        "usage: noetherlab-cli COMMAND [options]\n"
        "\n"
        "commands:\n"
        "  losses [--json]        list the built-in losses\n"
        "  simulate               run one model and print CSV (or --out FILE.csv|.json)\n"
        "  hessian                eigen-decomposition of the Hessian at a point\n"
        "  discover               find the affine symmetries of a loss\n"
        "  sweep                  hyperparameter sweep over (lr, momentum)\n"
        "  render                 render a scene file's figures without a display\n"
        "\n"
        "Run 'noetherlab-cli COMMAND --help' for the options of a command.\n"
        "Exit status: 0 success, 2 invalid input, 3 diverged.\n",
        out);
}

}  // namespace

int main(int argc, char** argv) {
    noether::tune_allocator_for_runs();
    using namespace noether::cli;
    if (argc < 2) {
        usage(stderr);
        return kExitInvalid;
    }
    const char* cmd = argv[1];
    if (!std::strcmp(cmd, "--help") || !std::strcmp(cmd, "-h") || !std::strcmp(cmd, "help")) {
        usage(stdout);
        return kExitOk;
    }
    struct Command {
        const char* name;
        int (*run)(int, char**);
    };
    static const Command commands[] = {{"losses", cmd_losses},   {"simulate", cmd_simulate},
                                       {"hessian", cmd_hessian}, {"discover", cmd_discover},
                                       {"sweep", cmd_sweep},     {"render", cmd_render}};
    for (const auto& c : commands) {
        if (!std::strcmp(cmd, c.name)) {
            // render needs a QGuiApplication of its own; the others only need Qt Core.
            if (!std::strcmp(cmd, "render")) return c.run(argc, argv);
            QCoreApplication app(argc, argv);
            return c.run(argc, argv);
        }
    }
    std::fprintf(stderr, "noetherlab-cli: unknown command '%s'\n", cmd);
    usage(stderr);
    return kExitInvalid;
}

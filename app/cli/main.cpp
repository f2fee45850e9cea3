// noetherlab-cli: the scriptable face of the engine.
#include <unistd.h>

#include <QCoreApplication>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

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
        "\n"
        "Limits (docs/SCENE-FORMAT.md; beyond them: exit 2 naming the field):\n"
        "  scene file 16 MiB (read from any file, pipe or device), 256 unknown fields per\n"
        "  object, 64 loss parameters/constants/models/panels, 16 ghost runs; steps 1..10000000;\n"
        "  dimension 64 (loss.dim; typed losses use q1..q8); (steps+1) x models x dimension at\n"
        "  most 40000000 stored samples; discover --samples 1..200000; sweep at most 65536\n"
        "  cells per axis and 16777216 cells.\n"
        "\n"
        "Exit status: 0 success, 2 invalid input (one stderr line naming the flag or field),\n"
        "3 diverged (rows up to the last finite sample still written), 4 could not write\n"
        "(stdout or --out: \"could not write <file>: <reason>\"; no partial --out file),\n"
        "5 a continuous model's integrator stopped early (not a divergence; rows up to its\n"
        "last sample still written), 130 interrupted by Ctrl-C during simulate or sweep\n"
        "(nothing written). On a terminal, simulate and sweep show their progress on stderr.\n",
        out);
}

// `render` runs in noetherlab-render, installed beside this program (app/cli/CMakeLists.txt):
// the figure path's libraries are loaded only for it.
int exec_render(char** argv) {
    std::string self(4096, '\0');
    const ssize_t n = ::readlink("/proc/self/exe", self.data(), self.size() - 1);
    std::string helper = "noetherlab-render";
    if (n > 0) {
        self.resize(static_cast<size_t>(n));
        helper = self.substr(0, self.rfind('/') + 1) + helper;
    }
    argv[0] = helper.data();
    ::execv(helper.c_str(), argv);
    std::fprintf(stderr, "noetherlab-cli: render: cannot start %s: %s\n", helper.c_str(),
                 std::strerror(errno));
    return noether::cli::kExitInvalid;
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
        return finish_stdout(kExitOk);
    }
    struct Command {
        const char* name;
        int (*run)(int, char**);
    };
    static const Command commands[] = {{"losses", cmd_losses},   {"simulate", cmd_simulate},
                                       {"hessian", cmd_hessian}, {"discover", cmd_discover},
                                       {"sweep", cmd_sweep},     {"render", nullptr}};
    for (const auto& c : commands) {
        if (!std::strcmp(cmd, c.name)) {
            // Every command's stdout is checked at the end: a lost write is exit 4.
            if (!std::strcmp(cmd, "render")) return exec_render(argv);
            QCoreApplication app(argc, argv);
            return finish_stdout(c.run(argc, argv));
        }
    }
    std::fprintf(stderr, "noetherlab-cli: unknown command '%s'\n", cmd);
    usage(stderr);
    return kExitInvalid;
}

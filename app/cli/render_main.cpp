// noetherlab-render: `noetherlab-cli render`, in its own executable so that the other commands do
// not load Qt Gui, Svg, fontconfig and the rest of the figure path at every start (~20 ms of the
// 33 ms a command took to start; docs/PERFORMANCE.md). noetherlab-cli execs it with its own
// arguments ("render" ...); it can also be run directly the same way.
#include <cstdio>
#include <cstring>

#include "cli/cli.hpp"
#include "noether/memory.hpp"

int main(int argc, char** argv) {
    noether::tune_allocator_for_runs();
    using namespace noether::cli;
    if (argc < 2 || std::strcmp(argv[1], "render") != 0) {
        std::fputs(
            "usage: noetherlab-render render --scene FILE --out DIR [options]\n"
            "  (the same as noetherlab-cli render; see noetherlab-cli render --help)\n",
            stderr);
        return kExitInvalid;
    }
    return finish_stdout(cmd_render(argc, argv));
}

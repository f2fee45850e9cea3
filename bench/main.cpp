// Google Benchmark's main, with the allocator set up as in the app and the CLI
// (noether::tune_allocator_for_runs), so that the figures are those the programs see.
#include <benchmark/benchmark.h>

#include "noether/memory.hpp"

int main(int argc, char** argv) {
    noether::tune_allocator_for_runs();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

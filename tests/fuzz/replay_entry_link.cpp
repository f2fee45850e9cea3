// The libFuzzer entry point of fuzz_scene_link.cpp under another name, for the GoogleTest replay
// (test_fuzz_scene_replay.cpp). A wrapper, not a source property: source properties are shared by
// every target of this directory and would rename the real libFuzzer target's entry point too.
#define FUZZ_ENTRY fuzz_link_entry
#include "fuzz_scene_link.cpp"

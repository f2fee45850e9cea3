#!/usr/bin/env bash
# The README figures, rendered headless by `noetherlab-cli render` from the story presets
# compiled into the binary (so the pictures are the scenes a reader can open):
#   docs/img/02a-noether-charge-underdamped-figure.png   Noether charge with damping (Fig. 3)
#   docs/img/07-rescale-balancing-figure.png             rescale symmetry, implicit balancing
#   docs/img/08-implicit-acceleration-figure.png         implicit acceleration (a paper column)
# with each figure's generated caption beside it (-caption.txt).
#   bash scripts/make-figures.sh [BUILD_DIR]        (default build)
# Builds noetherlab-cli in BUILD_DIR if it is not there. No display needed.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cli="$build/app/cli/noetherlab-cli"
if [ ! -x "$cli" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
  ninja -C "$build" noetherlab-cli > /dev/null
fi
out=docs/img
mkdir -p "$out"
# Slides (16:9) at 1.5x a 96 dpi screen: 1920 x 1080 pixels, small enough for a README.
for preset in 02a-noether-charge-underdamped 07-rescale-balancing; do
  "$cli" render --scene ":/presets/$preset.noether" --out "$out" --views figure --format png \
         --dpi 144 > /dev/null
done
# A paper column (3.3 in wide) at 300 dpi.
"$cli" render --scene ":/presets/08-implicit-acceleration.noether" --out "$out" --views figure \
       --format png --size column --dpi 300 > /dev/null
ls -1 "$out"

#!/usr/bin/env bash
# One-step set-up for a fresh Debian 12 machine.
#   bash scripts/setup.sh run    install dependencies, build, start the app
#   bash scripts/setup.sh test   install dependencies, build, run every test
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}

packages=(build-essential cmake ninja-build pkg-config
          qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev libgl-dev
          libxcb1-dev libeigen3-dev libgtest-dev libgmock-dev libbenchmark-dev libginac-dev libgsl-dev
          xvfb xauth libgl1-mesa-dri fonts-dejavu-core
          pybind11-dev python3-dev python3-numpy)
# The tests also run the libFuzzer targets for a bounded time (clang).
[ "$mode" = test ] && packages+=(clang libclang-rt-14-dev)
# The network runs are replayed in PyTorch by a test (tests/torch), and bench/ has a torch peer;
# the Python module's tests run under pytest.
[ "$mode" = test ] && packages+=(python3-torch python3-pytest python3-matplotlib)
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  $sudo_cmd apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends "${missing[@]}"
fi

cmake --preset release
cmake --build --preset release

case "$mode" in
  run)
    exec ./build/release/app/gui/noetherlab "${@:2}"
    ;;
  test)
    # GUI tests need a display: Xvfb gives one (Mesa llvmpipe, OpenGL 4.5).
    if [ -z "${DISPLAY:-}" ]; then
      xvfb-run -a -s "-screen 0 1600x1000x24" ctest --preset release -j2
    else
      ctest --preset release -j2
    fi
    # libFuzzer, 60 s split across the expression parser, the scene loader, the scene-link
    # decoder and the CLI's option parser: no crash, sanitizer report, leak or hang.
    bash scripts/fuzz.sh 60
    ;;
  *)
    echo "usage: $0 run|test" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# Every preset in lecture mode on a 1920x1080 screen (its own Xvfb): `noetherlab --check-layout`
# finds no text cut off, elided or scrolling, no legend cut and no plot area under 200x110 px
# (issue 14). Usage: lecture_layout.sh APP PRESET_DIR [WxH]
set -uo pipefail
app=$1
presets=$2
size=${3:-1920x1080}
status=0
for f in "$presets"/*.noether; do
  name=$(basename "$f")
  out=$(xvfb-run -a -s "-screen 0 ${size}x24" "$app" --lecture --scene ":/presets/$name" \
        --size "$size" --check-layout 2>/dev/null)
  rc=$?
  if [ $rc -ne 0 ]; then
    echo "$name at $size:"
    echo "$out" | sed 's/^/  /'
    status=1
  fi
done
[ $status -eq 0 ] && echo "every preset readable in lecture mode at $size"
exit $status

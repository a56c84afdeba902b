#!/usr/bin/env bash
# Renders Wharf's icon from dev.wharf.Wharf.svg: the hicolor PNGs that Linux packages install,
# the Windows .ico and the macOS .icns. The results are committed; run this after changing
# the SVG. Needs rsvg-convert (librsvg2-bin), icotool (icoutils) and png2icns (icnsutils).
set -euo pipefail
cd "$(dirname "$0")"

id=dev.wharf.Wharf
sizes=(16 24 32 48 64 128 256 512)

for size in "${sizes[@]}"; do
  folder="hicolor/${size}x${size}/apps"
  mkdir -p "$folder"
  rsvg-convert --width "$size" --height "$size" "$id.svg" --output "$folder/$id.png"
done

png() { echo "hicolor/$1x$1/apps/$id.png"; }
# Windows shows 16 to 256; sizes of 256 are stored as PNG inside the .ico.
icotool --create --output wharf.ico \
  "$(png 16)" "$(png 24)" "$(png 32)" "$(png 48)" "$(png 64)" "$(png 128)" --raw="$(png 256)"
# The sizes an .icns holds that png2icns knows.
png2icns wharf.icns "$(png 16)" "$(png 32)" "$(png 48)" "$(png 128)" "$(png 256)" "$(png 512)" >/dev/null

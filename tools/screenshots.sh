#!/usr/bin/env bash
# The first pages of every built document as PNGs, for a reviewer to look at without
# opening each file: PDF pages by pdftoppm, the top of each HTML document by headless Chromium.
# Usage: tools/screenshots.sh BUILD_DIR OUT_DIR [PAGES]
set -euo pipefail
build=${1:?usage: screenshots.sh BUILD_DIR OUT_DIR [PAGES]}
out=${2:?usage: screenshots.sh BUILD_DIR OUT_DIR [PAGES]}
pages=${3:-3}
chromium=${CHROMIUM:-chromium}
rm -rf "$out" && mkdir -p "$out"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
shopt -s nullglob
for pdf in "$build"/*.pdf; do
  name=$(basename "$pdf" .pdf)
  pdftoppm -png -r 60 -f 1 -l "$pages" "$pdf" "$out/$name-pdf"
done
for html in "$build"/*.html; do
  name=$(basename "$html" .html)
  "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --window-size=1000,1400 \
    --screenshot="$(realpath "$out")/$name-html.png" "file://$(realpath "$html")" >/dev/null 2>&1
done
count=$(find "$out" -name '*.png' | wc -l)
echo "screenshots: $count PNGs in $out/"

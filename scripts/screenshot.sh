#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Takes a screenshot of a local HTML page (e.g. report.html) with headless Chromium, to look at
# it the way a person would.
#   scripts/screenshot.sh PAGE.html OUT.png [WIDTH [HEIGHT]]    (defaults: 1280 x 4000)
# Chromium shoots the window, not the whole page: pick a HEIGHT tall enough for the page.
set -euo pipefail

die() { echo "screenshot: $*" >&2; exit 1; }

[ $# -ge 2 ] && [ $# -le 4 ] || die "usage: scripts/screenshot.sh PAGE.html OUT.png [WIDTH [HEIGHT]]"
page=$1 out=$2 width=${3:-1280} height=${4:-4000}
[[ $width =~ ^[0-9]+$ && $height =~ ^[0-9]+$ ]] || die "WIDTH and HEIGHT are numbers of pixels"
[ -f "$page" ] || die "$page: no such file"

browser=
for b in chromium chromium-browser google-chrome; do
	if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
[ -n "$browser" ] || die "chromium is not installed; install it with scripts/deps.sh --browser"

abs=$(realpath -- "$page")
outabs=$(realpath -m -- "$out")
profile=$(mktemp -d "${TMPDIR:-/tmp}/syslab-chromium-XXXXXX")
trap 'rm -rf -- "$profile"' EXIT

# A throwaway profile, and every background service off: the shot needs no network.
if ! timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--disable-dev-shm-usage --user-data-dir="$profile" --hide-scrollbars \
	--window-size="$width,$height" --screenshot="$outabs" "file://$abs" >"$profile/log" 2>&1; then
	tail -n 5 "$profile/log" >&2
	die "$browser failed to take the screenshot"
fi
[ -s "$outabs" ] || die "$browser wrote no screenshot"
echo "$outabs"

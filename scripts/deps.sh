#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages syslab needs that are missing; idempotent, and quiet when
# nothing is missing. `apt-get update` runs once, and only when something must be installed.
#
#   scripts/deps.sh            build + run + test dependencies
#   scripts/deps.sh --browser  also Chromium, for looking at report.html the way a person would
set -euo pipefail

# Build: compiler, make, JSON (jansson). Plots: gnuplot (SVG). Anchors: Concurrency Kit (ck_ring),
# fio and ioping (syslat); busybox-static (a rootfs), bubblewrap, runc, crun and tini (procjail's
# experiment); redis-server, redis-tools (redis-cli, redis-benchmark) and libhiredis-dev (kvd's
# experiment, its tests and its C client test). Tests: util-linux's setpriv and setsid, coreutils' timeout and
# python3 (checks results.json in the integration tests) are on every Debian machine of this kind.
pkgs=(gcc make libjansson-dev gnuplot-nox libck-dev fio ioping busybox-static bubblewrap runc crun tini
	redis-server redis-tools libhiredis-dev)
[ "${1:-}" = "--browser" ] && pkgs+=(chromium)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "deps: need root to install: ${missing[*]}" >&2; exit 1; }
	sudo=sudo
else
	sudo=
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# Debian starts the redis-server it installs as a service on 127.0.0.1:6379. The experiment and the
# tests start their own servers on ports of their own, so it is not needed, and an idle server would
# still be one more process on the measured CPUs: stopped and disabled, but only when installed now
# (a redis-server that was there before is someone's, and left alone).
if [[ " ${missing[*]} " == *" redis-server "* ]] && [ -d /run/systemd/system ]; then
	$sudo systemctl disable --now redis-server >/dev/null 2>&1 || true
fi

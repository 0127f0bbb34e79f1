#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kvd through hiredis, a real C client: runs build/tests/kvd/hiredis against a kvd on a unix socket.
. "$(dirname "$0")/tap.bash"
K="$SYSLAB_BIN/kvd"
H="$SYSLAB_BIN/../tests/kvd/hiredis"

if [ ! -x "$H" ]; then
	echo "1..0 # SKIP $H is not built (needs libhiredis-dev: scripts/deps.sh, then make)"
	exit 77
fi
S="$TMP/kvd.sock"
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$TMP"' EXIT
"$K" --port 0 --unixsocket "$S" >"$TMP/log" 2>&1 &
pid=$!
for _ in $(seq 200); do [ -S "$S" ] && break; sleep 0.02; done
# The C program's TAP is this test's TAP.
"$H" "$S"
rc=$?
kill -0 "$pid" 2>/dev/null || { echo "not ok - kvd exited during the test"; rc=1; }
exit $rc

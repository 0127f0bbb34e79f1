# SPDX-License-Identifier: MIT
# tap.bash: TAP helpers for the integration tests, which run programs as a user would.
# Source it; call `finish` at the end. $SYSLAB_BIN is where the programs are.
set -u
: "${SYSLAB_BIN:?run through tests/run.sh, or set SYSLAB_BIN}"
tap_n=0
tap_fail=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/syslab-integ.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

ok() { # ok COND-EXIT-STATUS NAME
	local rc=$1
	shift
	tap_n=$((tap_n + 1))
	if [ "$rc" -eq 0 ]; then
		echo "ok $tap_n - $*"
	else
		echo "not ok $tap_n - $*"
		tap_fail=$((tap_fail + 1))
	fi
}

# run CMD...: runs a command, keeps its exit code in $rc, stdout in $out, stderr in $err.
run() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/err")
}

# expect_fail CODE PATTERN NAME: the last run exited CODE with one line on stderr matching PATTERN.
expect_fail() {
	local code=$1 pattern=$2
	shift 2
	local lines
	lines=$(printf '%s' "$err" | grep -c '')
	if [ "$rc" -eq "$code" ] && [ "$lines" -eq 1 ] && printf '%s' "$err" | grep -qE -- "$pattern"; then
		ok 0 "$*"
	else
		ok 1 "$*"
		echo "#   exit $rc (want $code), stderr ($lines lines): $err"
	fi
}

expect_ok() { # expect_ok NAME: the last run exited 0
	ok "$rc" "$*"
	[ "$rc" -eq 0 ] || echo "#   exit $rc, stderr: $err"
}

finish() {
	echo "1..$tap_n"
	[ "$tap_n" -gt 0 ] && [ "$tap_fail" -eq 0 ]
}

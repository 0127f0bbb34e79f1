#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every unit test program and every integration test, each under a timeout, and prints one
# closing line, "N passed, N failed, N skipped". A test exits 0 (pass), 77 (skip) or else (fail);
# the TAP output of a failing or skipped test is shown, the rest is kept in build/.../tests/logs.
#   tests/run.sh [PATTERN]   only tests whose name contains PATTERN
set -u
BUILD=${BUILD:-build}
export SYSLAB_BIN="$PWD/$BUILD/bin"
export SYSLAB_SRC="$PWD"
# Third-party code that synchronises in ways ThreadSanitizer cannot see (see the file).
export TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp ${TSAN_OPTIONS:-}"
logs="$BUILD/tests/logs"
mkdir -p "$logs"
timeout_s=${TEST_TIMEOUT:-600}
pattern=${1:-}

tests=()
for t in "$BUILD"/tests/unit/*; do [ -x "$t" ] && [ -f "$t" ] && tests+=("$t"); done
for t in tests/integ/*.sh; do [ -f "$t" ] && tests+=("$t"); done

pass=0 fail=0 skip=0 asserts=0 failed_names=()
for t in "${tests[@]}"; do
	name=$(basename "$t")
	case $t in */integ/*) name="integ/$name" ;; *) name="unit/$name" ;; esac
	[ -n "$pattern" ] && [[ $name != *"$pattern"* ]] && continue
	log="$logs/${name//\//_}.log"
	start=$(date +%s%N)
	if [[ $t == *.sh ]]; then
		timeout -k 10 "$timeout_s" bash "$t" >"$log" 2>&1 </dev/null
	else
		timeout -k 10 "$timeout_s" "$t" >"$log" 2>&1 </dev/null
	fi
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	secs="$((ms / 1000)).$((ms % 1000 / 100))"
	n=$(grep -cE '^(not )?ok ' "$log")
	asserts=$((asserts + n))
	case $rc in
	0)
		if grep -qE '^not ok ' "$log"; then
			rc=1
		fi
		;;
	esac
	case $rc in
	0) pass=$((pass + 1)); printf 'PASS  %-32s %4d assertions  %6ss\n' "$name" "$n" "$secs" ;;
	77) skip=$((skip + 1)); printf 'SKIP  %-32s %s\n' "$name" "$(grep -m1 -oE '# SKIP.*' "$log")" ;;
	*)
		fail=$((fail + 1)); failed_names+=("$name")
		[ $rc -eq 124 ] && why="timed out after ${timeout_s}s" || why="exit $rc"
		printf 'FAIL  %-32s (%s)\n' "$name" "$why"
		sed 's/^/      | /' "$log" | grep -vE '^      \| ok ' | tail -n 60
		;;
	esac
done
echo
echo "tests: $asserts assertions in $((pass + fail + skip)) programs; logs in $logs"
[ $fail -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ] && [ $((pass + fail + skip)) -gt 0 ]

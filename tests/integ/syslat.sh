#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# syslat as a user runs it: the lab's own file, a user's file on disk and on tmpfs, bad files, Ctrl-C.
. "$(dirname "$0")/tap.bash"
S="$SYSLAB_BIN/syslab"

# What a results file says of syslat, as lines "name status" and the notes; python3 reads the JSON.
cases() {
	python3 - "$1" <<'EOF'
import json, sys
e = [x for x in json.load(open(sys.argv[1]))["experiments"] if x["name"] == "syslat"][0]
for c in e["cases"]:
    print(c["name"], c["status"], c.get("reason", "").replace(" ", "_"))
for cl in e["claims"]:
    print("claim", cl["verdict"].replace(" ", "_"), cl["a"])
for n in e.get("notes", []) + e.get("conditions", []):
    print("text", n)
EOF
}

scratch_before=$(ls -A /var/tmp 2>/dev/null | sort)

# The lab's own file, in /var/tmp: every state, each case with a histogram.
R="$TMP/own"
run "$S" run --smoke --out "$R" syslat
expect_ok "run --smoke syslat"
cases "$R/results.json" >"$TMP/own.txt"
for c in timer/overhead syscall/getppid syscall/getppid/loop vdso/clock_gettime warm/512/rand warm/4k/rand \
	warm/1m/seq warm/4k/rand/loop mmap/warm; do
	grep -q "^$c ok" "$TMP/own.txt"
	ok $? "$c measured"
done
fs=$(stat -f -c %T /var/tmp 2>/dev/null)
if [ "$fs" != tmpfs ]; then
	for c in cold/4k/rand cold/512/seq cold/1m/rand mmap/cold; do
		grep -q "^$c ok" "$TMP/own.txt"
		ok $? "$c measured on $fs"
	done
	grep -q "^text cold state verified with mincore() before each of [1-9][0-9]* cold operations; [0-9]* found" "$TMP/own.txt"
	ok $? "the report counts the verified cold reads and the discarded ones"
else
	echo "# /var/tmp is tmpfs here: no cold cases to check"
fi
grep -q "^text measurement overhead per timed operation" "$TMP/own.txt"
ok $? "the report states the timing overhead"
grep -q "^claim .* warm/4k/rand$" "$TMP/own.txt" && ! grep -q "^claim not_tested warm/4k/rand$" "$TMP/own.txt"
ok $? "the overhead claim was tested"
python3 - "$R/results.json" <<'EOF'
import json, sys
e = [x for x in json.load(open(sys.argv[1]))["experiments"] if x["name"] == "syslat"][0]
c = {x["name"]: x for x in e["cases"]}
h = c["warm/4k/rand"]["hist"]
assert h["total"] > 0 and h["p50"] <= h["p99"] <= h["max"], h
assert "hist" not in c["warm/4k/rand/loop"], "an untimed loop has no per-operation values"
EOF
ok $? "timed cases carry a per-operation histogram, loops do not"
grep -q "syslat" "$R/report.html" && grep -q "Latency by percentile" "$R/report.html"
ok $? "the report has syslat's percentile plots"

# The tools: where fio or ioping is installed, its cases ran; where not, they say so.
for t in fio ioping; do
	if command -v "$t" >/dev/null; then
		grep -q "^$t/warm ok" "$TMP/own.txt"
		ok $? "$t/warm ran beside the lab's cases"
	else
		grep -q "^$t/warm unsupported .*not_installed" "$TMP/own.txt"
		ok $? "$t/warm: unsupported, not installed"
	fi
done
grep -q "^fio/cold unsupported fio_drops_the_cache_once_per_job" "$TMP/own.txt"
ok $? "fio has no cold mode, and the case says why"

# A user's file on tmpfs: warm works, cold and O_DIRECT are unsupported with the reason.
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
	shm=$(mktemp /dev/shm/syslab-integ.XXXXXX)
	head -c $((2 << 20)) /dev/urandom >"$shm"
	run "$S" run --smoke --out "$TMP/shm" --file "$shm" syslat
	expect_ok "run syslat --file on tmpfs"
	cases "$TMP/shm/results.json" >"$TMP/shm.txt"
	grep -q "^warm/4k/rand ok" "$TMP/shm.txt"
	ok $? "tmpfs: warm measured"
	grep -q "^cold/4k/rand unsupported tmpfs_keeps_every_page_in_memory" "$TMP/shm.txt"
	ok $? "tmpfs: cold unsupported, and why"
	grep -q "^direct/4k/rand unsupported tmpfs_has_no_device" "$TMP/shm.txt"
	ok $? "tmpfs: O_DIRECT unsupported, and why"
	cmp -s "$shm" <(cat "$shm") && [ "$(stat -c %s "$shm")" -eq $((2 << 20)) ]
	ok $? "the user's file is untouched"
	rm -f "$shm"
else
	echo "# /dev/shm is not tmpfs: tmpfs checks skipped"
fi

# A user's small file: sizes beyond it are unsupported, not an error.
small="$TMP/small"
head -c 10000 /dev/urandom >"$small"
sum=$(md5sum <"$small")
run "$S" run --smoke --out "$TMP/small-out" --file "$small" syslat
expect_ok "run syslat --file on a 10000-byte file"
cases "$TMP/small-out/results.json" >"$TMP/small.txt"
grep -q "^warm/4k/seq ok" "$TMP/small.txt"
ok $? "small file: 4 KiB reads measured"
grep -q "^warm/16k/seq unsupported the_file_has_10000_bytes,_less_than_one_16384-byte_read" "$TMP/small.txt"
ok $? "small file: 16 KiB reads unsupported, with the sizes"
[ "$(md5sum <"$small")" = "$sum" ]
ok $? "small file: its contents are unchanged"

# A block device (a loop device over a file), where this machine lets us make one.
if [ "$(id -u)" -eq 0 ] && command -v losetup >/dev/null && head -c $((4 << 20)) /dev/urandom >"$TMP/disk.img" &&
	dev=$(losetup -f --show "$TMP/disk.img" 2>/dev/null); then
	run "$S" run --smoke --out "$TMP/blk" --file "$dev" syslat
	expect_ok "run syslat --file on a block device ($dev)"
	cases "$TMP/blk/results.json" >"$TMP/blk.txt"
	grep -q "^warm/4k/rand ok" "$TMP/blk.txt" && grep -q "^cold/4k/rand ok" "$TMP/blk.txt"
	ok $? "block device: warm and cold measured"
	grep -q "^text file: $dev on blockdev" "$TMP/blk.txt"
	ok $? "block device: named as one"
	losetup -d "$dev"
else
	echo "# no loop device here (not root, or losetup refused): block-device checks skipped"
fi

# Bad files: one line, exit 2, before anything runs.
mkdir -p "$TMP/dir"
: >"$TMP/empty"
mkfifo "$TMP/fifo"
run "$S" run --smoke --out "$TMP/x" --file "$TMP/missing" syslat
expect_fail 2 "^syslab: run: --file: cannot open .*/missing: No such file or directory$" "a missing file"
run "$S" run --smoke --out "$TMP/x" --file "$TMP/dir" syslat
expect_fail 2 "is a directory, not a file" "a directory"
run "$S" run --smoke --out "$TMP/x" --file "$TMP/empty" syslat
expect_fail 2 "is empty" "an empty file"
run timeout 10 "$S" run --smoke --out "$TMP/x" --file "$TMP/fifo" syslat
expect_fail 2 "is not a regular file or a block device" "a FIFO, without waiting for a writer"
run "$S" run --smoke --out "$TMP/x" --file /dev/null syslat
expect_fail 2 "is not a regular file or a block device" "a character device"
run "$S" run --smoke --out "$TMP/x" --file "$small" falseshare
expect_fail 2 "--file is for the syslat experiment" "--file without syslat"
run "$S" run --smoke --out "$TMP/x" syslat --file
expect_fail 2 "options go before experiment names|needs a value" "--file without a path"
run "$S" run --smoke --out "$TMP/x" --file "" syslat
expect_fail 2 "--file needs a path" "an empty --file"
[ ! -e "$TMP/x" ]
ok $? "nothing was written for the bad files"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	secret="$TMP/secret"
	head -c 8192 /dev/urandom >"$secret"
	chmod 600 "$secret"
	chmod 755 "$TMP"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$S" run --smoke --out "$TMP/x" --file "$secret" syslat
	expect_fail 2 "cannot open .*/secret: Permission denied" "an unreadable file"
else
	echo "# not root: the unreadable-file check is skipped"
fi

# Ctrl-C in the middle, as a terminal sends it: to the whole foreground process group, once
# early (the lab's own cases) and once while a tool runs (a fake fio that hangs, so the signal
# is sure to land inside it). The lab's file has no name; the signal handler kills the tool's
# process group and removes its directory. TMPDIR and the fake tool's marker are this test's own,
# so tests running beside it cannot confuse the checks.
mkdir -p "$TMP/fakebin" "$TMP/tmpdir"
marker="37.$$"
cat >"$TMP/fakebin/fio" <<FAKE
#!/bin/sh
[ "\$1" = --version ] && { echo fio-fake; exit 0; }
exec sleep $marker
FAKE
chmod +x "$TMP/fakebin/fio"
for when in early tool; do
	# A background job of a script starts with SIGINT ignored; a terminal's job does not.
	PATH="$TMP/fakebin:$PATH" TMPDIR="$TMP/tmpdir" setsid env --default-signal=INT \
		"$S" run --quick --out "$TMP/int" syslat >/dev/null 2>&1 &
	pid=$!
	if [ "$when" = early ]; then
		sleep 2
	else
		for _ in $(seq 1200); do pgrep -f "sleep $marker" >/dev/null && break; sleep 0.1; done
		pgrep -f "sleep $marker" >/dev/null
		ok $? "the run reached the (fake) fio"
	fi
	kill -INT -- -"$pid"
	wait "$pid"
	st=$?
	[ "$st" -ne 0 ]
	ok $? "Ctrl-C $when: the run stops with a failure status ($st)"
done
sleep 0.5
! pgrep -f "sleep $marker" >/dev/null
ok $? "no tool left running"
[ -z "$(ls -A "$TMP/tmpdir")" ]
ok $? "no tool directory left behind"
scratch_after=$(ls -A /var/tmp 2>/dev/null | sort)
[ "$scratch_before" = "$scratch_after" ]
ok $? "no file left in /var/tmp, after the runs and the interrupted ones"

finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# procjail as a user runs it: exit codes, signals, reaping, limits, isolation, privileges, bad input.
. "$(dirname "$0")/tap.bash"
P="$SYSLAB_BIN/procjail"

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP procjail's tests make namespaces and cgroups: run as root"
	exit 77
fi

# In an ASan build, a process that runs on a stack of its own (procjail's clone() child, the
# jail's init) prints a three-line warning, once, that its stack is not the one ASan knows: not
# procjail's output. Any other sanitizer report still fails the checks (exit codes, output).
run() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	out=$(cat "$TMP/out")
	err=$(grep -v -e "ASan is ignoring requested __asan_handle_no_return" -e "^False positive error reports may follow" \
		-e "^For details see https://github.com/google/sanitizers/issues/189" "$TMP/err")
}

# No procjail cgroup may be left anywhere after a run.
cgroups_left() { find /sys/fs/cgroup -maxdepth 6 -type d -name 'procjail-*' 2>/dev/null | head -5; }
# A field of a --report file.
field() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); [v:=v[k] for k in sys.argv[2:]]; print(json.dumps(v))' "$@"; }

# Exit codes pass through, from 0 to 255.
bad=
for n in 0 1 2 42 125 126 127 128 200 255; do
	"$P" -- sh -c "exit $n" 2>/dev/null
	got=$?
	[ "$got" -eq "$n" ] || bad="$bad $n->$got"
done
[ -z "$bad" ]
ok $? "exit codes 0..255 come back as they were${bad:+ (wrong:$bad)}"

# A command that cannot be run: 127 not found, 126 not executable, with one line each.
run "$P" -- /nonexistent/cmd
expect_fail 127 "procjail: cannot run /nonexistent/cmd: No such file or directory" "a missing command exits 127"
printf 'not a program' >"$TMP/notexec"
chmod 644 "$TMP/notexec"
run "$P" -- "$TMP/notexec"
expect_fail 126 "procjail: cannot run .*notexec: Permission denied" "a file that is not executable exits 126"

# Signals sent to procjail reach the command, whose death comes back as 128+N.
marker="sleep 1000.$$"
for sig in TERM INT HUP QUIT USR1 USR2; do
	# A script's background job starts with INT and QUIT ignored; a terminal's job does not.
	env --default-signal=INT,QUIT "$P" -- sh -c "exec $marker" &
	pid=$!
	# "^": the command itself, not procjail, whose arguments hold the same words.
	for _ in $(seq 100); do pgrep -f "^$marker" >/dev/null && break; sleep 0.05; done
	kill -s "$sig" "$pid"
	wait "$pid"
	got=$?
	want=$((128 + $(kill -l "$sig")))
	[ "$got" -eq "$want" ]
	ok $? "SIG$sig to procjail reaches the command: exit $got (want $want)"
done

# An orphan storm: 100 processes reparented to the jail's init, all reaped.
run "$P" --report "$TMP/storm.json" -- sh -c 'for i in $(seq 100); do (sleep 0.2 &); done; sleep 1'
expect_ok "an orphan storm of 100 processes"
orphans=$(field "$TMP/storm.json" orphans_reaped)
[ "${orphans:-0}" -ge 100 ]
ok $? "the report counts $orphans orphans reaped (>= 100)"

# The main command exits, its background children are ended: nothing keeps running.
run timeout 20 "$P" --grace 0.5 -- sh -c "($marker &) ; trap '' TERM; exit 3"
[ "$rc" -eq 3 ] && ! pgrep -f "$marker" >/dev/null
ok $? "after the command exits (3), what it left running is killed ($rc)"

# Limits: a fork bomb stopped by --pids, a memory hog killed by --memory, both in the report.
run timeout 60 "$P" --pids 32 --report "$TMP/pids.json" -- sh -c 'for i in $(seq 200); do sleep 2 & done 2>/dev/null; wait'
[ "$(field "$TMP/pids.json" pids_limit_hit)" = true ]
ok $? "--pids 32 stops a fork bomb, and the report says the limit was hit"
run timeout 60 "$P" --memory 32M --report "$TMP/mem.json" -- python3 -c 'b = bytearray(512 << 20); print(len(b))'
[ "$rc" -eq 137 ] && { [ "$(field "$TMP/mem.json" memory_limit_hit)" = true ] || [ "$(field "$TMP/mem.json" oom_kills)" != 0 ]; }
ok $? "--memory 32M: a 512 MiB hog is OOM-killed (exit $rc) and reported"
[ -z "$(cgroups_left)" ]
ok $? "no procjail cgroup is left after the runs"

# The cgroup goes, whatever ends the run: the command SIGKILLed, procjail itself signalled.
run "$P" --memory 64M -- sh -c 'kill -9 $$'
[ "$rc" -eq 137 ] && [ -z "$(cgroups_left)" ]
ok $? "a SIGKILLed command: exit $rc, no cgroup left"
env --default-signal=INT,QUIT "$P" --memory 64M --pids 20 -- sh -c "exec $marker" &
pid=$!
for _ in $(seq 100); do pgrep -f "^$marker" >/dev/null && break; sleep 0.05; done
kill -TERM "$pid"
wait "$pid"
got=$?
[ "$got" -eq 143 ] && [ -z "$(cgroups_left)" ] && ! pgrep -f "$marker" >/dev/null
ok $? "procjail signalled while the command runs: exit $got, no cgroup and no process left"

# Isolation.
run "$P" -- sh -c 'echo $$; ls /proc | grep -c "^[0-9]"'
[ "$(echo "$out" | head -1)" = 2 ] && [ "$(echo "$out" | tail -1)" -le 4 ]
ok $? "/proc shows the jail's processes only (the shell is pid 2; $(echo "$out" | tail -1) pids)"
run "$P" --hostname jailhost -- hostname
[ "$out" = jailhost ] && [ "$(hostname)" != jailhost ]
ok $? "the hostname is the jail's"
run "$P" -- cat /proc/net/dev
devs=$(echo "$out" | tail -n +3 | cut -d: -f1 | tr -d ' ' | tr '\n' ' ')
[ "$devs" = "lo " ]
ok $? "the network has lo only ($devs)"
run "$P" -- python3 -c 'import fcntl, socket, struct; s = socket.socket(); print(struct.unpack("H", fcntl.ioctl(s, 0x8913, struct.pack("256s", b"lo"))[16:18])[0] & 1)'
[ "$out" = 1 ]
ok $? "and lo is up"
exec 7</etc/passwd 8>"$TMP/fd8"
# ls runs as the shell's child and lists the shell's descriptors (a glob would list its own).
run "$P" -- sh -c 'ls /proc/$$/fd'
exec 7<&- 8>&-
[ "$(echo $out)" = "0 1 2" ]
ok $? "no descriptor above 2 reaches the command (saw: $(echo $out))"
run "$P" -- grep NoNewPrivs /proc/self/status
[ "$(echo $out | tr -d ' \t')" = "NoNewPrivs:1" ]
ok $? "no_new_privs is set"
run "$P" -- grep CapBnd /proc/self/status
[ "$(echo $out | awk '{print $2}')" = 00000000a80425fb ]
ok $? "the bounding set is the default one (a80425fb, $out)"
run "$P" --cap-drop ALL --cap-add NET_ADMIN -- grep CapEff /proc/self/status
[ "$(echo $out | awk '{print $2}')" = 0000000000001000 ]
ok $? "--cap-drop ALL --cap-add NET_ADMIN leaves just that one"
run "$P" --uid 1000 --gid 1000 -- sh -c 'id -u; id -g; grep CapEff /proc/self/status'
[ "$(echo $out)" = "1000 1000 CapEff: 0000000000000000" ]
ok $? "--uid/--gid: the ids inside, and no capability left"
run "$P" --clearenv --env A=1 --env B=two -- env
[ "$(echo $out | tr ' ' '\n' | sort | tr '\n' ' ')" = "A=1 B=two " ]
ok $? "--clearenv and --env"
run "$P" --cwd /tmp -- pwd
[ "$out" = /tmp ]
ok $? "--cwd"
run "$P" --rlimit NOFILE=64 -- sh -c 'ulimit -n'
[ "$out" = 64 ]
ok $? "--rlimit NOFILE=64"
run timeout 20 "$P" --timeout 1 --grace 0.5 -- sleep 30
[ "$rc" -eq 143 ]
ok $? "--timeout 1: TERM after a second (exit $rc)"

# A root filesystem of its own, from busybox, with pivot_root.
if [ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q static || [ -x /bin/busybox ]; then
	R="$TMP/rootfs"
	mkdir -p "$R/bin" "$R/proc" "$R/dev" "$R/tmp"
	cp /bin/busybox "$R/bin/"
	for a in sh ls cat echo true; do ln -s busybox "$R/bin/$a"; done
	run "$P" --rootfs "$R" -- /bin/sh -c 'ls /; ls /dev; cat /proc/1/cmdline | tr "\0" " "'
	expect_ok "--rootfs with busybox"
	echo "$out" | grep -qx bin && ! echo "$out" | grep -qx usr && echo "$out" | grep -qx null &&
		echo "$out" | grep -qx urandom && echo "$out" | grep -qx ptmx
	ok $? "the jail sees its own root and a minimal /dev"
	run "$P" --rootfs "$R" -- /bin/ls /nonexistent-host-dir-$$
	[ "$rc" -ne 0 ]
	ok $? "the host's files are not reachable"
else
	echo "# busybox is not installed: --rootfs checks skipped"
fi

# The report: every field there, the status as it was.
run "$P" --report "$TMP/r.json" --memory 64M --pids 50 -- sh -c 'exit 7'
python3 - "$TMP/r.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["schema"] == "procjail-report" and r["status"]["exit_code"] == 7 and r["status"]["exited"] == 7, r
for k in ("signals_forwarded", "orphans_reaped", "memory_peak_bytes", "oom_kills", "memory_limit_hit",
          "pids_limit_hit", "cpu_time_s", "wall_time_s", "cgroup", "limits"):
    assert k in r, k
assert r["limits"]["memory_bytes"] == 64 << 20 and r["limits"]["pids"] == 50, r["limits"]
assert r["memory_limit_hit"] is False and r["pids_limit_hit"] is False and r["wall_time_s"] > 0, r
EOF
ok $? "--report: exit status, limits, counters"

# Without root: a user namespace maps the caller to root inside.
if command -v setpriv >/dev/null; then
	chmod 755 "$TMP"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$P" -- sh -c 'id -u; cat /proc/self/uid_map'
	[ "$rc" -eq 0 ] && [ "$(echo $out)" = "0 0 65534 1" ]
	ok $? "as uid 65534: root inside, mapped to 65534 ($(echo $out))"
fi

# --die-with-parent: procjail's parent dies, the jail goes with it.
{ sh -c "\"$P\" --die-with-parent -- sh -c 'exec $marker' & sleep 0.5; kill -9 \$\$"; } >/dev/null 2>&1
sleep 1
! pgrep -f "$marker" >/dev/null
ok $? "--die-with-parent: the command dies with procjail's parent"
pkill -f "$marker" 2>/dev/null

# The experiment: every tool it finds runs, crun's refusal on a hybrid host is a reason, nothing is left.
run "$SYSLAB_BIN/syslab" run --smoke --out "$TMP/jail" jail
expect_ok "syslab run --smoke jail"
python3 - "$TMP/jail/results.json" <<'EOF'
import json, sys
e = [x for x in json.load(open(sys.argv[1]))["experiments"] if x["name"] == "jail"][0]
c = {x["name"]: x for x in e["cases"]}
for name in ("bare", "procjail/full", "procjail/none", "procjail/ns-net"):
    assert c[name]["status"] == "ok", (name, c[name].get("reason"))
for name, x in c.items():
    assert x["status"] == "ok" or x.get("reason"), name
assert any(cl["a"] == "procjail/full" and cl["b"] == "bwrap" for cl in e["claims"])
EOF
ok $? "the jail experiment measured procjail, and every case that did not run says why"
[ -z "$(cgroups_left)" ] && [ -z "$(ls -d "${TMPDIR:-/tmp}"/syslab-jail-* 2>/dev/null)" ]
ok $? "and left no cgroup and no rootfs behind"

# Bad input: one line, exit 125, nothing left behind.
run "$P" --frobnicate -- true
expect_fail 125 "unknown option '--frobnicate'" "an unknown option"
run "$P"
expect_fail 125 "no command given" "no command"
run "$P" --rootfs /nonexistent -- true
expect_fail 125 "--rootfs: /nonexistent: No such file or directory" "a missing rootfs"
run "$P" --memory lots -- true
expect_fail 125 "--memory: 'lots' is not a size" "a malformed size"
run "$P" --pids -3 -- true
expect_fail 125 "--pids: '-3' is not a whole number" "a negative count"
run "$P" --rlimit FOO=1 -- true
expect_fail 125 "--rlimit: unknown limit 'FOO'" "an unknown rlimit"
run "$P" --cap-add CAP_FLY -- true
expect_fail 125 "unknown capability 'CAP_FLY'" "an unknown capability"
run "$P" --share nope -- true
expect_fail 125 "--share: unknown namespace 'nope'" "an unknown namespace"
run "$P" --cpu 0.001 -- true
expect_fail 125 "cpu" "a CPU limit the kernel refuses (0.001 of a CPU: below its 1 ms quota)"
run "$P" --bind /nonexistent:/x -- true
expect_fail 125 "--bind: /nonexistent: No such file or directory" "a bind of a missing path"
[ -z "$(cgroups_left)" ]
ok $? "no procjail cgroup is left after the bad inputs"

finish

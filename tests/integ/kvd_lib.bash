# SPDX-License-Identifier: MIT
# kvd_lib.bash: what kvd's comparison tests share: skip without kvd or python3, servers started
# on unix sockets and killed at exit, and the line-by-line comparison of two servers' replies.
# Source it after tap.bash.
KVD="$SYSLAB_BIN/kvd"
KVD_RESP="$(dirname "${BASH_SOURCE[0]}")/kvd_resp.py"
if [ ! -x "$KVD" ]; then
	echo "1..0 # SKIP $KVD is not built"
	exit 77
fi
if ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP python3 (the RESP client of this test) is missing"
	exit 77
fi

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# start_server NAME CMD...: starts a server on $TMP/NAME.sock and waits for its socket.
start_server() {
	local name=$1
	shift
	"$@" >"$TMP/$name.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 200); do
		[ -S "$TMP/$name.sock" ] && return 0
		sleep 0.02
	done
	echo "# $name did not start: $(cat "$TMP/$name.log")"
	return 1
}

# compare NAME GOT EXPECTED: one assertion per line.
compare() {
	local name=$1 n=0 shown=0
	local -a got want
	mapfile -t got <"$2"
	mapfile -t want <"$3"
	[ "${#got[@]}" -eq "${#want[@]}" ]
	ok $? "$name: as many replies as $ref (${#got[@]} and ${#want[@]})"
	for ((n = 0; n < ${#want[@]}; n++)); do
		if [ "${got[n]:-}" = "${want[n]}" ]; then
			ok 0 "$name: ${want[n]%% -> *}"
		else
			ok 1 "$name: ${want[n]%% -> *}"
			if [ $((shown++)) -lt 10 ]; then
				echo "#   kvd:  ${got[n]:-(nothing)}"
				echo "#   want: ${want[n]}"
			fi
		fi
	done
}

# compare_script NAME: kvd (and redis-server, when installed, as the reference; else the replies
# recorded in $TMP/expected) on unix sockets, $TMP/cmds run through both, the replies compared.
# Sets $ref to what the reference was.
compare_script() {
	start_server kvd "$KVD" --port 0 --unixsocket "$TMP/kvd.sock" || exit 1
	ref=recorded
	if command -v redis-server >/dev/null &&
		start_server redis redis-server --port 0 --unixsocket "$TMP/redis.sock" --save "" --appendonly no; then
		ref=redis-server
		python3 "$KVD_RESP" script "$TMP/redis.sock" <"$TMP/cmds" >"$TMP/expected"
	fi
	echo "# reference: $ref"
	python3 "$KVD_RESP" script "$TMP/kvd.sock" <"$TMP/cmds" >"$TMP/got" 2>"$TMP/drv.err"
	ok $? "the command script ran against kvd"
	[ -s "$TMP/drv.err" ] && sed 's/^/#   /' "$TMP/drv.err"
	compare "$1" "$TMP/got" "$TMP/expected"
}

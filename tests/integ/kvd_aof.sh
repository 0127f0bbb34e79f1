#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kvd's AOF: replay after restart, a torn tail cut, garbage refused, BGREWRITEAOF, kill -9 durability.
. "$(dirname "$0")/tap.bash"
K="$SYSLAB_BIN/kvd"

if ! command -v redis-cli >/dev/null || ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP needs redis-cli (Debian package redis-tools) and python3"
	exit 77
fi

D="$TMP/data"
S="$TMP/kvd.sock"
mkdir -p "$D"
pid=
stop() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	pid=
	cat "$TMP/log" >>"$TMP/all.log" 2>/dev/null
}
trap 'stop; rm -rf "$TMP"' EXIT

# start [OPTIONS]: kvd on a unix socket with the AOF in $D; waits until it answers PING.
start() {
	rm -f "$S"
	"$K" --port 0 --unixsocket "$S" --appendonly yes --dir "$D" "$@" >"$TMP/log" 2>&1 &
	pid=$!
	for _ in $(seq 200); do
		[ -S "$S" ] && [ "$(redis-cli -s "$S" ping 2>/dev/null)" = PONG ] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}
cli() { redis-cli -s "$S" "$@"; }

# Every key of every db with its type, value and whether it has a TTL: two datasets compare equal.
dump() {
	python3 - "$S" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile('rb')
def cmd(*a):
    s.sendall(b''.join([b'*%d\r\n' % len(a)] + [b'$%d\r\n%s\r\n' % (len(x), x) for x in (y if isinstance(y, bytes) else str(y).encode() for y in a)]))
    return read()
def read():
    l = f.readline()[:-2]; t, v = l[:1], l[1:]
    if t in b'+-': return v
    if t == b':': return int(v)
    if t == b'$': return None if int(v) < 0 else f.read(int(v) + 2)[:-2]
    if t == b'*': return None if int(v) < 0 else [read() for _ in range(int(v))]
for db in range(16):
    cmd('SELECT', db)
    for k in sorted(cmd('KEYS', '*')):
        t = cmd('TYPE', k)
        v = {b'string': lambda: cmd('GET', k), b'list': lambda: cmd('LRANGE', k, 0, -1),
             b'hash': lambda: sorted(cmd('HGETALL', k)), b'set': lambda: sorted(cmd('SMEMBERS', k)),
             b'zset': lambda: cmd('ZRANGE', k, 0, -1, 'WITHSCORES')}[t]()
        print(db, k, t, v, cmd('PTTL', k) > 0)
EOF
}

# Writes of every type, TTLs, other dbs and a transaction; the restart replays them.
start --appendfsync always
ok $? "kvd starts with --appendonly yes"
cli set str "hello world" >/dev/null
cli rpush list a b c >/dev/null
cli lpush list z >/dev/null
cli hset hash f1 v1 f2 v2 >/dev/null
cli sadd set m1 m2 m3 >/dev/null
cli srem set m2 >/dev/null
cli zadd zset 1.5 one 2 two 3.25 three >/dev/null
cli zincrby zset 10 one >/dev/null
cli set ttl v ex 1000 >/dev/null
cli expire hash 500 >/dev/null
cli set gone soon px 1 >/dev/null
cli -n 5 set in5 five >/dev/null
cli -n 15 incrby counter 42 >/dev/null
printf 'MULTI\nSET tx1 a\nINCR tx2\nRPUSH list tail\nEXEC\n' | cli >/dev/null
cli setrange str 0 HELLO >/dev/null
before=$(dump)
ttl_before=$(cli pttl ttl)
stop
start --appendfsync always
ok $? "kvd restarts from its AOF"
after=$(dump)
[ -n "$before" ] && [ "$before" = "$after" ]
ok $? "every type, TTL, db and transaction replays to the same dataset"
[ "$after" = "$before" ] || diff <(echo "$before") <(echo "$after") | sed 's/^/#   /'
ttl_after=$(cli pttl ttl)
[ "$ttl_after" -gt 0 ] && [ "$ttl_after" -le "$ttl_before" ]
ok $? "a TTL is kept as an absolute time ($ttl_before ms, then $ttl_after ms)"
[ "$(cli exists gone)" = 0 ]
ok $? "a key that expired stays gone"
grep -q 'commands' "$TMP/log"
ok $? "the load is logged"

# A torn tail: a command cut in the middle by a crash.
stop
size=$(stat -c %s "$D/appendonly.aof")
printf '*3\r\n$3\r\nSET\r\n$4\r\ntorn\r\n$5\r\nval' >>"$D/appendonly.aof"
start
ok $? "kvd starts from an AOF with a torn tail"
grep -q "truncated the AOF at offset $size, 30 bytes cut" "$TMP/log" || { grep -i truncated "$TMP/log" | sed "s/^/#   /"; false; }
ok $? "the torn tail is cut, with a log line saying how much"
[ "$(stat -c %s "$D/appendonly.aof")" = "$size" ]
ok $? "the file is cut at the last whole command"
[ "$(dump)" = "$before" ] && [ "$(cli exists torn)" = 0 ]
ok $? "everything before the torn command is loaded"

# An unfinished transaction at the end is reverted as Redis does.
stop
printf '*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$1\r\n1\r\n' >>"$D/appendonly.aof"
start
ok $? "kvd starts from an AOF ending inside MULTI"
[ "$(cli exists half)" = 0 ] && [ "$(stat -c %s "$D/appendonly.aof")" = "$size" ]
ok $? "the unfinished MULTI is reverted and cut"

# Garbage in the middle: refused, one line, exit 1.
stop
cp "$D/appendonly.aof" "$TMP/good.aof"
head -c 40 "$TMP/good.aof" >"$D/appendonly.aof"
printf 'GARBAGE\r\n' >>"$D/appendonly.aof"
tail -c +41 "$TMP/good.aof" >>"$D/appendonly.aof"
run "$K" --port 0 --unixsocket "$S" --appendonly yes --dir "$D"
err=$(printf '%s' "$err$out" | grep -v '^[0-9]*:[A-Z] .* [*.-] ')
expect_fail 1 "bad file format reading the AOF .* at offset" "garbage in the middle stops kvd with one line"
cp "$TMP/good.aof" "$D/appendonly.aof"

run "$K" --port 0 --unixsocket "$S" --appendonly yes --dir "$TMP/no/such/dir"
err=$(printf '%s' "$err$out" | grep -v '^[0-9]*:[A-Z] .* [*.-] ')
expect_fail 1 "not writable" "an AOF directory that cannot take files stops kvd with one line"

# BGREWRITEAOF: many overwrites shrink to the dataset, which reloads the same.
start --appendfsync everysec
python3 - "$S" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
cmds = b''.join(b'*3\r\n$3\r\nSET\r\n$3\r\nhot\r\n$%d\r\n%d\r\n' % (len(str(i)), i) for i in range(5000))
cmds += b''.join(b'*3\r\n$5\r\nRPUSH\r\n$3\r\nbig\r\n$%d\r\n%d\r\n' % (len(str(i)), i) for i in range(300))
s.sendall(cmds); got = b''
while got.count(b'\r\n') < 5300: got += s.recv(65536)
EOF
cli zadd bigz 1 a 2 b 3 c inf d -inf e 0.1 f >/dev/null
cli hset bigh $(seq 1 200) >/dev/null
before=$(dump)
big=$(stat -c %s "$D/appendonly.aof")
[ "$(cli bgrewriteaof)" = "Background append only file rewriting started" ]
ok $? "BGREWRITEAOF starts"
cli set during rewrite >/dev/null
for _ in $(seq 200); do
	[ "$(cli info persistence | tr -d '\r' | grep aof_rewrite_in_progress:)" = aof_rewrite_in_progress:0 ] && break
	sleep 0.05
done
cli info persistence | tr -d '\r' | grep -q aof_last_bgrewrite_status:ok
ok $? "the rewrite finishes with status ok"
cli set after rewrite >/dev/null
sleep 0.1
small=$(stat -c %s "$D/appendonly.aof")
[ "$small" -lt $((big / 4)) ]
ok $? "the rewritten AOF is smaller ($big bytes, then $small)"
before=$(dump)
stop
start
after=$(dump)
[ "$before" = "$after" ] && [ "$(cli get during)" = rewrite ] && [ "$(cli get after)" = rewrite ]
ok $? "after a restart the dataset is identical, writes during and after the rewrite included"
[ "$after" = "$before" ] || diff <(echo "$before") <(echo "$after") | head -5 | sed 's/^/#   /'
stop

# Durability: with appendfsync always, every acknowledged write survives kill -9.
rm -f "$D/appendonly.aof"
start --appendfsync always
python3 - "$S" "$TMP/acked" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile('rb')
out = open(sys.argv[2], 'w')
try:
    for i in range(1000000):
        s.sendall(b'*2\r\n$4\r\nINCR\r\n$7\r\ncounter\r\n')
        n = f.readline()
        if not n.startswith(b':'): break
        s.sendall(b'*3\r\n$3\r\nSET\r\n$%d\r\nk:%d\r\n$1\r\nx\r\n' % (len(b'k:%d' % i), i))
        if f.readline() != b'+OK\r\n': break
        out.write('%d %d\n' % (int(n[1:]), i)); out.flush()
except OSError:
    pass
EOF
writer=$!
sleep 0.7
kill -9 "$pid"
wait "$pid" 2>/dev/null
pid=
wait "$writer"
last=$(tail -n 1 "$TMP/acked")
start --appendfsync always
ok $? "kvd restarts after kill -9"
count=${last%% *}
i=${last##* }
[ -n "$last" ] && [ "$(cli get counter)" -ge "$count" ]
ok $? "the counter holds every acknowledged INCR ($count acknowledged, $(cli get counter) after restart)"
missing=$(python3 - "$S" "$i" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile('rb')
n = int(sys.argv[2]) + 1
s.sendall(b''.join(b'*2\r\n$6\r\nEXISTS\r\n$%d\r\nk:%d\r\n' % (len(b'k:%d' % i), i) for i in range(n)))
print(sum(1 for _ in range(n) if f.readline() != b':1\r\n'))
EOF
)
[ "$missing" = 0 ]
ok $? "every acknowledged SET k:i is there ($((i + 1)) acknowledged, $missing missing)"
stop
! grep -E 'Sanitizer|runtime error' "$TMP/all.log"
ok $? "no sanitizer report from any kvd of this test"

finish

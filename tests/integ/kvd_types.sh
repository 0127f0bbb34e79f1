#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kvd's keyspace, string, hash and set commands against redis-server 7.0's replies: errors, edge cases, expiry, binary data.
. "$(dirname "$0")/tap.bash"
K="$SYSLAB_BIN/kvd"

[ -x "$K" ] || { echo "1..0 # SKIP $K not built"; exit 77; }
command -v redis-cli >/dev/null || { echo "1..0 # SKIP redis-cli (redis-tools) not installed"; exit 77; }

kpid= rpid=
cleanup() {
	[ -n "$kpid" ] && kill "$kpid" 2>/dev/null
	[ -n "$rpid" ] && kill "$rpid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

wait_sock() { # wait_sock PATH: up to 5 s for a server to answer PING there
	for _ in $(seq 50); do
		[ "$(redis-cli -s "$1" ping 2>/dev/null)" = PONG ] && return 0
		sleep 0.1
	done
	return 1
}

KS="$TMP/kvd.sock"
"$K" --port 0 --unixsocket "$KS" >"$TMP/kvd.log" 2>&1 &
kpid=$!
wait_sock "$KS"
ok $? "kvd answers on its unix socket"
kcli() { redis-cli --no-raw -s "$KS" "$@"; }

# The replies redis-server 7.0.15 gave to the commands below (redis-cli --no-raw), one per line.
cat >"$TMP/cmds" <<'CMDS'
FLUSHALL
SET k v
GET k
SET k v2 NX
SET k v3 XX GET
GET k
SET k v NX XX
SET k v EX 10 PX 100
SET k v EX 10 EX 20
SET k v KEEPTTL EX 10
SET k v EX 0
SET k v EX -1
SET k v PX abc
SET k v EX 9223372036854775807
SET k v GET NX
SET k v EX
SET k v FOO
SETNX k x
SETNX nk x
SETEX k 0 v
SETEX k abc v
PSETEX k -5 v
GETSET k new
GETSET nokey new
GETDEL k
GETDEL k
GETEX nokey
GETEX nk EX 0
GETEX nk PERSIST EX 10
GETEX nk FOO
MSET a 1 b 2 c
MSET a 1 b 2
MGET a b nokey
MSETNX a 1 z 2
MSETNX y 1 z 2
INCR a
INCRBY a 10
INCRBY a abc
DECR a
DECRBY a -5
DECRBY a -9223372036854775808
SET big 9223372036854775807
INCR big
SET small -9223372036854775808
DECR small
SET f 1.5
INCR f
INCRBYFLOAT f 0.1
INCRBYFLOAT f abc
INCRBYFLOAT f 1e400
INCRBYFLOAT nf 3.0e3
INCRBYFLOAT nf -inf
SET sp " 1"
INCR sp
APPEND ap hello
APPEND ap " world"
GET ap
STRLEN ap
STRLEN nokey
GETRANGE ap 0 4
GETRANGE ap -5 -1
GETRANGE ap 5 2
GETRANGE ap -1 -5
GETRANGE ap 0 -100
GETRANGE nokey 0 1
GETRANGE ap x 1
SETRANGE ap 6 WORLD
GET ap
SETRANGE sr 3 abc
GET sr
SETRANGE sr -1 x
SETRANGE sr 536870911 xy
SETRANGE nosr 5 ""
SETRANGE ap 100 ""
SET bin "a\x00b\r\nc"
GET bin
STRLEN bin
APPEND bin "\x00"
GETRANGE bin 1 3
LPUSH lst x
GET lst
INCR lst
APPEND lst x
STRLEN lst
SET lst str
TYPE lst
HSET h a 1 b 2
HSET h a 3
HSET h a
HMSET h c 3 d
HMSET h c 3
HGET h a
HGET h zz
HGET nokey a
HMGET h a zz b
HMGET nokey a
HLEN h
HEXISTS h a
HEXISTS h zz
HSTRLEN h a
HSETNX h a 9
HSETNX h e 5
HINCRBY h a 5
HINCRBY h a x
HINCRBY h new -3
HSET h s notnum
HINCRBY h s 1
HSET h m 9223372036854775807
HINCRBY h m 1
HINCRBYFLOAT h f 1.25
HINCRBYFLOAT h f inf
HINCRBYFLOAT h s 1
HINCRBYFLOAT h f abc
HDEL h a b zz
HDEL nokey a
HGETALL nokey
HKEYS nokey
HVALS nokey
HRANDFIELD nokey
HRANDFIELD nokey 5
HRANDFIELD h 0
HRANDFIELD h 3 WITHVALUES x
HRANDFIELD h 3 FOO
HRANDFIELD h abc
HRANDFIELD h -9223372036854775808
HRANDFIELD h 9223372036854775807 WITHVALUES
HSET one f v
HRANDFIELD one
HRANDFIELD one -3
HRANDFIELD one -2 WITHVALUES
HRANDFIELD one 5 WITHVALUES
HDEL one f
EXISTS one
HGET k a
HSET lst a b
HSCAN nokey 0
HSCAN one 0 FOO
HSCAN one x
SADD s a b c
SADD s a d
SADD s
SREM s a zz
SREM nokey a
SISMEMBER s b
SISMEMBER s a
SISMEMBER nokey a
SMISMEMBER s a b zz
SMISMEMBER nokey a
SCARD s
SCARD nokey
SMEMBERS nokey
SPOP nokey
SPOP nokey 3
SPOP s -1
SPOP s abc
SPOP s 0
SPOP s 1 2
SRANDMEMBER nokey
SRANDMEMBER nokey 3
SRANDMEMBER s 0
SRANDMEMBER s abc
SRANDMEMBER s 1 2
SRANDMEMBER s -9223372036854775808
SADD single x
SRANDMEMBER single -3
SRANDMEMBER single
SPOP single
EXISTS single
SADD s1 a b c
SADD s2 b c d
SINTERSTORE dst s1 s2
SCARD dst
SINTERSTORE dst s1 nokey
EXISTS dst
SUNIONSTORE dst s1 s2
SCARD dst
SDIFFSTORE dst s1 s2
SMEMBERS dst
SDIFFSTORE dst s1 s1
EXISTS dst
SINTER s1 lst
SINTER nokey lst
SUNION s1 h
SINTERCARD 2 s1 s2
SINTERCARD 2 s1 s2 LIMIT 1
SINTERCARD 2 s1 s2 LIMIT 0
SINTERCARD 0 s1
SINTERCARD abc s1
SINTERCARD 3 s1 s2
SINTERCARD 2 s1 s2 LIMIT -1
SINTERCARD 2 s1 s2 LIMIT
SINTERCARD 1 s1 FOO
SINTERCARD 1 lst
SMOVE s1 s2 a
SMOVE s1 s2 a
SMOVE nokey s2 a
SMOVE s1 lst b
SMOVE s1 s1 b
SMOVE s1 s1 zz
SMOVE s1 newset b
SMOVE s1 newset c
EXISTS s1
SCARD newset
SMISMEMBER newset b c a
SADD lst x
SCARD lst
SSCAN nokey 0
SSCAN s 0 TYPE string
DEL a b nokey a
EXISTS a b c y y
TYPE nokey
TYPE h
TYPE s
TYPE y
SET e v
EXPIRE e 100 NX XX
EXPIRE e 100 GT LT
EXPIRE e 100 FOO
EXPIRE e abc
EXPIRE e 9223372036854775807
PEXPIRE e 9223372036854775807
EXPIRE nokey 100
EXPIRE e 100 XX
EXPIRE e 100 GT
EXPIRE e 100 NX
EXPIRE e 100 LT
TTL e
EXPIRE e 50 GT
EXPIRE e 200 GT
TTL e
EXPIRE e 300 NX
EXPIRE e 100 LT
TTL e
PERSIST e
PERSIST e
PERSIST nokey
TTL e
TTL nokey
PTTL nokey
EXPIRETIME e
EXPIRETIME nokey
PEXPIREAT e 1000
EXISTS e
SET e v
EXPIRE e -1
EXISTS e
SET e v EXAT 1
EXISTS e
SET e v
EXPIREAT e 4102444800
EXPIRETIME e
PEXPIRETIME e
SET e v2 KEEPTTL
EXPIRETIME e
SET e v3
TTL e
SETEX e 1000 v
TTL e
GETEX e PERSIST
TTL e
GETEX e EXAT 4102444800
EXPIRETIME e
GETEX e PXAT 1
EXISTS e
RENAME nokey x
RENAME h h
RENAMENX h h
RENAMENX nokey x
SET r1 v
SET r2 w
RENAMENX r1 r2
EXPIRE r1 100
RENAME r1 r2
TTL r2
GET r2
EXISTS r1
RENAME r2 r3
TTL r3
MOVE r3 abc
MOVE r3 16
MOVE r3 -1
MOVE r3 0
MOVE nokey 1
MOVE r3 1
EXISTS r3
SELECT 1
GET r3
TTL r3
SET r3 other
MOVE r3 0
SELECT 0
SET r3 zero
SELECT 1
MOVE r3 0
DBSIZE
SELECT 0
DBSIZE
FLUSHDB FOO
FLUSHDB ASYNC x
FLUSHALL foo
KEYS nomatch*
SET "k\x00ey" v
KEYS "k?ey"
SCAN abc
SCAN -1 COUNT 0
SCAN 0 COUNT abc
SCAN 0 FOO bar
TOUCH h s nokey
FLUSHDB SYNC
DBSIZE
RANDOMKEY
SCAN 0
KEYS *
SCAN 0 MATCH nomatch*
SCAN 0 TYPE nosuchtype
SET x 1
RANDOMKEY
SCAN 0 MATCH x
SCAN 0 TYPE hash
SCAN 0 TYPE string
GET
SET k
HSET h
SADD s
EXPIRE e
DEL
FLUSHALL
CMDS
cat >"$TMP/expected" <<'EXPECTED'
OK
OK
"v"
(nil)
"v"
"v3"
(error) ERR syntax error
(error) ERR syntax error
OK
(error) ERR syntax error
(error) ERR invalid expire time in 'set' command
(error) ERR invalid expire time in 'set' command
(error) ERR value is not an integer or out of range
(error) ERR invalid expire time in 'set' command
"v"
(error) ERR syntax error
(error) ERR syntax error
(integer) 0
(integer) 1
(error) ERR invalid expire time in 'setex' command
(error) ERR value is not an integer or out of range
(error) ERR invalid expire time in 'psetex' command
"v"
(nil)
"new"
(nil)
"new"
(error) ERR invalid expire time in 'getex' command
(error) ERR syntax error
(error) ERR syntax error
(error) ERR wrong number of arguments for 'mset' command
OK
1) "1"
2) "2"
3) "new"
(integer) 0
(integer) 1
(integer) 2
(integer) 12
(error) ERR value is not an integer or out of range
(integer) 11
(integer) 16
(error) ERR decrement would overflow
OK
(error) ERR increment or decrement would overflow
OK
(error) ERR increment or decrement would overflow
OK
(error) ERR value is not an integer or out of range
"1.6"
(error) ERR value is not a valid float
"10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880"
"3000"
(error) ERR increment would produce NaN or Infinity
OK
(error) ERR value is not an integer or out of range
(integer) 5
(integer) 11
"hello world"
(integer) 11
(integer) 3
"hello"
"world"
""
""
"h"
"ne"
(error) ERR value is not an integer or out of range
(integer) 11
"hello WORLD"
(integer) 6
"\x00\x00\x00abc"
(error) ERR offset is out of range
(error) ERR string exceeds maximum allowed size (proto-max-bulk-len)
(integer) 0
(integer) 11
OK
"a\x00b\r\nc"
(integer) 6
(integer) 7
"\x00b\r"
(integer) 1
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(error) WRONGTYPE Operation against a key holding the wrong kind of value
OK
string
(integer) 2
(integer) 0
(error) ERR wrong number of arguments for 'hset' command
(error) ERR wrong number of arguments for 'hmset' command
OK
"3"
(nil)
(error) WRONGTYPE Operation against a key holding the wrong kind of value
1) "3"
2) (nil)
3) "2"
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(integer) 3
(integer) 1
(integer) 0
(integer) 1
(integer) 0
(integer) 1
(integer) 8
(error) ERR value is not an integer or out of range
(integer) -3
(integer) 1
(error) ERR hash value is not an integer
(integer) 1
(error) ERR increment or decrement would overflow
"1.25"
(error) ERR value is NaN or Infinity
(error) ERR hash value is not a float
(error) ERR value is not a valid float
(integer) 2
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(empty array)
(error) ERR syntax error
(error) ERR syntax error
(error) ERR value is not an integer or out of range
(error) ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807
(error) ERR value is out of range
(integer) 1
"f"
1) "f"
2) "f"
3) "f"
1) "f"
2) "v"
3) "f"
4) "v"
1) "f"
2) "v"
(integer) 1
(integer) 0
(nil)
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(error) WRONGTYPE Operation against a key holding the wrong kind of value
1) "0"
2) (empty array)
(error) ERR invalid cursor
(integer) 3
(integer) 1
(error) ERR wrong number of arguments for 'sadd' command
(integer) 1
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(integer) 1
(integer) 0
(error) WRONGTYPE Operation against a key holding the wrong kind of value
1) (integer) 0
2) (integer) 1
3) (integer) 0
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(integer) 3
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(error) ERR value is out of range, must be positive
(error) ERR value is out of range, must be positive
(empty array)
(error) ERR syntax error
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(empty array)
(error) ERR value is not an integer or out of range
(error) ERR syntax error
(error) ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807
(integer) 1
1) "x"
2) "x"
3) "x"
"x"
"x"
(integer) 0
(integer) 3
(integer) 3
(integer) 2
(integer) 2
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(integer) 1
(integer) 4
(integer) 4
(integer) 1
1) "a"
(integer) 0
(integer) 0
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(integer) 2
(integer) 1
(integer) 2
(error) ERR numkeys should be greater than 0
(error) ERR numkeys should be greater than 0
(error) ERR Number of keys can't be greater than number of args
(error) ERR LIMIT can't be negative
(error) ERR syntax error
(error) ERR syntax error
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(integer) 1
(integer) 0
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(integer) 1
(integer) 0
(integer) 1
(integer) 1
(integer) 0
(integer) 2
1) (integer) 1
2) (integer) 1
3) (integer) 0
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(error) WRONGTYPE Operation against a key holding the wrong kind of value
(error) ERR syntax error
(integer) 3
(integer) 2
none
hash
set
string
OK
(error) ERR NX and XX, GT or LT options at the same time are not compatible
(error) ERR GT and LT options at the same time are not compatible
(error) ERR Unsupported option FOO
(error) ERR value is not an integer or out of range
(error) ERR invalid expire time in 'expire' command
(error) ERR invalid expire time in 'pexpire' command
(integer) 0
(integer) 0
(integer) 0
(integer) 1
(integer) 0
(integer) 100
(integer) 0
(integer) 1
(integer) 200
(integer) 0
(integer) 1
(integer) 100
(integer) 1
(integer) 0
(integer) 0
(integer) -1
(integer) -2
(integer) -2
(integer) -1
(integer) -2
(integer) 1
(integer) 0
OK
(integer) 1
(integer) 0
OK
(integer) 0
OK
(integer) 1
(integer) 4102444800
(integer) 4102444800000
OK
(integer) 4102444800
OK
(integer) -1
OK
(integer) 1000
"v"
(integer) -1
"v"
(integer) 4102444800
"v"
(integer) 0
(error) ERR no such key
OK
(integer) 0
(error) ERR no such key
OK
OK
(integer) 0
(integer) 1
OK
(integer) 100
"v"
(integer) 0
OK
(integer) 100
(error) ERR value is not an integer or out of range
(error) ERR DB index is out of range
(error) ERR DB index is out of range
(error) ERR source and destination objects are the same
(integer) 0
(integer) 1
(integer) 0
OK
"v"
(integer) 100
OK
(integer) 1
OK
OK
OK
(integer) 0
(integer) 0
OK
(integer) 17
(error) ERR syntax error
(error) ERR syntax error
(error) ERR syntax error
(empty array)
OK
1) "k\x00ey"
(error) ERR invalid cursor
(error) ERR syntax error
(error) ERR value is not an integer or out of range
(error) ERR syntax error
(integer) 2
OK
(integer) 0
(nil)
1) "0"
2) (empty array)
(empty array)
1) "0"
2) (empty array)
1) "0"
2) (empty array)
OK
"x"
1) "0"
2) 1) "x"
1) "0"
2) (empty array)
1) "0"
2) 1) "x"
(error) ERR wrong number of arguments for 'get' command
(error) ERR wrong number of arguments for 'set' command
(error) ERR wrong number of arguments for 'hset' command
(error) ERR wrong number of arguments for 'sadd' command
(error) ERR wrong number of arguments for 'expire' command
(error) ERR wrong number of arguments for 'del' command
OK
EXPECTED

kcli <"$TMP/cmds" >"$TMP/kvd.out" 2>&1
diff -u "$TMP/expected" "$TMP/kvd.out" >"$TMP/diff"
ok $? "$(grep -c . "$TMP/cmds") commands reply as redis-server 7.0.15 did"
[ -s "$TMP/diff" ] && head -60 "$TMP/diff" | sed 's/^/#   /'

# The same commands against a live redis-server, when one is installed.
if command -v redis-server >/dev/null; then
	RS="$TMP/redis.sock"
	redis-server --port 0 --unixsocket "$RS" --save '' --appendonly no >"$TMP/redis.log" 2>&1 &
	rpid=$!
	if wait_sock "$RS"; then
		redis-cli --no-raw -s "$RS" <"$TMP/cmds" >"$TMP/redis.out" 2>&1
		diff -u "$TMP/redis.out" "$TMP/kvd.out" >"$TMP/diff2"
		ok $? "the same replies as the installed redis-server"
		[ -s "$TMP/diff2" ] && head -40 "$TMP/diff2" | sed 's/^/#   /'
	fi
fi

# Expiry: PTTL after PEXPIRE, a key expiring while being read, SET KEEPTTL, active expiry.
kcli flushall >/dev/null
kcli set e v >/dev/null
kcli pexpire e 400 >/dev/null
t=$(kcli pttl e | tr -dc 0-9)
[ "$t" -gt 0 ] && [ "$t" -le 400 ]
ok $? "PTTL after PEXPIRE 400 is in (0, 400] ($t)"
kcli set e v2 keepttl >/dev/null
t=$(kcli pttl e | tr -dc 0-9)
[ "$t" -gt 0 ] && [ "$t" -le 400 ]
ok $? "SET KEEPTTL keeps the TTL ($t)"
sleep 0.6
[ "$(kcli get e)" = "(nil)" ] && [ "$(kcli exists e)" = "(integer) 0" ]
ok $? "the key is gone once its time passed"
kcli debug set-active-expire 1 >/dev/null 2>&1
for i in $(seq 200); do echo "SET vol$i x PX 50"; done | kcli >/dev/null
kcli set keep v >/dev/null
sleep 1.5
n=$(kcli dbsize | tr -dc 0-9)
[ "$n" -eq 1 ]
ok $? "active expiry removed 200 volatile keys nobody read (dbsize $n)"

# SCAN returns every key at least once while the table grows under it.
kcli flushall >/dev/null
for i in $(seq 1000); do echo "SET key:$i $i"; done | kcli >/dev/null
cursor=0 i=0
: >"$TMP/seen"
while :; do
	redis-cli -s "$KS" scan "$cursor" count 50 >"$TMP/page"
	cursor=$(head -1 "$TMP/page")
	tail -n +2 "$TMP/page" >>"$TMP/seen"
	i=$((i + 1))
	[ "$i" -le 5 ] && for j in $(seq 200); do echo "SET extra:$i:$j x"; done | kcli >/dev/null
	[ "$cursor" = 0 ] && break
done
n=$(grep -c '^key:' <(sort -u "$TMP/seen"))
[ "$n" -eq 1000 ]
ok $? "SCAN saw all 1000 keys across resizes ($n, $i calls)"

# HSCAN, SSCAN over big containers, SPOP and SRANDMEMBER counts, HRANDFIELD.
(echo -n "HSET h"; for i in $(seq 500); do echo -n " f$i v$i"; done; echo) | kcli >/dev/null
(echo -n "SADD s"; for i in $(seq 500); do echo -n " m$i"; done; echo) | kcli >/dev/null
scan_all() { # scan_all CMD KEY: every element a full HSCAN/SSCAN returns, sorted and unique
	local c=0
	while :; do
		redis-cli -s "$KS" "$1" "$2" "$c" >"$TMP/page"
		c=$(head -1 "$TMP/page")
		tail -n +2 "$TMP/page"
		[ "$c" = 0 ] && break
	done | sort -u
}
[ "$(scan_all hscan h | grep -c '^f')" -eq 500 ] && [ "$(scan_all hscan h | grep -c '^v')" -eq 500 ]
ok $? "HSCAN returns all 500 fields and values"
[ "$(scan_all sscan s | grep -c '^m')" -eq 500 ]
ok $? "SSCAN returns all 500 members"
n=$(redis-cli -s "$KS" srandmember s 100 | sort -u | grep -c '^m')
[ "$n" -eq 100 ]
ok $? "SRANDMEMBER 100 gives 100 distinct members ($n)"
n=$(redis-cli -s "$KS" srandmember s -1000 | grep -c '^m')
[ "$n" -eq 1000 ]
ok $? "SRANDMEMBER -1000 gives 1000 members ($n)"
n=$(redis-cli -s "$KS" spop s 450 | sort -u | grep -c '^m')
[ "$n" -eq 450 ] && [ "$(kcli scard s)" = "(integer) 50" ]
ok $? "SPOP 450 pops 450 distinct members, 50 left"
n=$(redis-cli -s "$KS" spop s 100 | grep -c '^m')
[ "$n" -eq 50 ] && [ "$(kcli exists s)" = "(integer) 0" ]
ok $? "SPOP more than the set empties it and deletes the key"
n=$(redis-cli -s "$KS" hrandfield h 10 withvalues | grep -c '^[fv]')
[ "$n" -eq 20 ]
ok $? "HRANDFIELD 10 WITHVALUES gives 10 pairs (RESP2, flat)"
n=$(redis-cli -3 --no-raw -s "$KS" hrandfield h 3 withvalues | grep -c '^[0-9]) 1) "f')
[ "$n" -eq 3 ]
ok $? "HRANDFIELD WITHVALUES in RESP3 nests the pairs"

# Binary keys and values with NUL and CRLF survive a round trip.
printf '*3\r\n$3\r\nSET\r\n$5\r\na\0b\r\n\r\n$6\r\n\r\n\0\0xy\r\n*2\r\n$3\r\nGET\r\n$5\r\na\0b\r\n\r\n' >"$TMP/bin.req"
kcli flushall >/dev/null
if command -v python3 >/dev/null; then
	got=$(python3 - "$KS" "$TMP/bin.req" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(open(sys.argv[2], 'rb').read())
want = b'+OK\r\n$6\r\n\r\n\x00\x00xy\r\n'; buf = b''; end = time.time() + 5
while len(buf) < len(want) and time.time() < end:
    buf += s.recv(4096)
print('same' if buf == want else repr(buf))
PY
)
	[ "$got" = same ]
	ok $? "SET/GET of a binary key and value, raw RESP ($got)"
fi

kill "$kpid" 2>/dev/null
wait "$kpid" 2>/dev/null
kpid=
finish

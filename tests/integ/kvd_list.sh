#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kvd's list commands against redis-server: the same commands on both, the raw RESP replies
# compared byte for byte (errors, wrong types, counts, empty keys, binary data, RESP3 shapes);
# and the blocking pops with several clients: woken by a push, timeouts, BLMOVE, FIFO order,
# a disconnected waiter.
# Without redis-server, the replies it gave (7.0.15), recorded below, are the reference.
. "$(dirname "$0")/tap.bash"
. "$(dirname "$0")/kvd_lib.bash"

cat >"$TMP/blocking.py" <<'PY'
import socket, sys, time
sys.path.insert(0, sys.argv[2])
from kvd_resp import Conn, show, wait_blocked

def blocking(path):
    new = lambda: Conn(path)
    ctl = new()
    ctl.cmd("FLUSHALL")
    out = []
    # BLPOP woken by an LPUSH of another client; the emptied list is gone after.
    a = new(); a.send("BLPOP", "bl1", "0"); out.append(wait_blocked(ctl, 1))
    out.append("lpush " + show(ctl.cmd("LPUSH", "bl1", "x")))
    out.append("blpop woken " + show(a.read()))
    out.append("exists " + show(ctl.cmd("EXISTS", "bl1")))
    # BRPOP on two keys, the second one gets the element.
    a.send("BRPOP", "k1", "k2", "0"); out.append(wait_blocked(ctl, 1))
    out.append("rpush " + show(ctl.cmd("RPUSH", "k2", "p", "q")))
    out.append("brpop woken " + show(a.read()))
    # A timeout answers a null array, in RESP2 and in RESP3.
    out.append("timeout " + show(a.cmd("BLPOP", "bl2", "0.05")))
    r3 = new(); r3.cmd("HELLO", "3")
    out.append("timeout resp3 " + show(r3.cmd("BRPOP", "bl2", "0.05")))
    out.append("blmove timeout resp3 " + show(r3.cmd("BLMOVE", "bl2", "x", "LEFT", "LEFT", "0.05")))
    # BLMOVE woken: the element goes to the destination.
    a.send("BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"); out.append(wait_blocked(ctl, 1))
    out.append("rpush " + show(ctl.cmd("RPUSH", "src", "a", "b")))
    out.append("blmove woken " + show(a.read()))
    out.append("dst " + show(ctl.cmd("LRANGE", "dst", "0", "-1")))
    out.append("src " + show(ctl.cmd("LRANGE", "src", "0", "-1")))
    # BRPOPLPUSH woken.
    ctl.cmd("DEL", "src")
    a.send("BRPOPLPUSH", "src", "dst", "0"); out.append(wait_blocked(ctl, 1))
    out.append("lpush " + show(ctl.cmd("LPUSH", "src", "c")))
    out.append("brpoplpush woken " + show(a.read()))
    out.append("dst " + show(ctl.cmd("LRANGE", "dst", "0", "-1")))
    # Two clients on one key are served in the order they blocked.
    b = new()
    a.send("BLPOP", "q", "0"); out.append(wait_blocked(ctl, 1))
    b.send("BLPOP", "q", "0"); out.append(wait_blocked(ctl, 2))
    out.append("rpush " + show(ctl.cmd("RPUSH", "q", "first", "second")))
    out.append("first client " + show(a.read()))
    out.append("second client " + show(b.read()))
    # One element for two: the first gets it, the second waits for the next.
    a.send("BLPOP", "q", "0"); out.append(wait_blocked(ctl, 1))
    b.send("BLPOP", "q", "0"); out.append(wait_blocked(ctl, 2))
    out.append("rpush " + show(ctl.cmd("RPUSH", "q", "one")))
    out.append("first client " + show(a.read()))
    out.append(wait_blocked(ctl, 1))
    out.append("rpush " + show(ctl.cmd("RPUSH", "q", "two")))
    out.append("second client " + show(b.read()))
    # A push undone in the same transaction does not wake the waiter for good.
    a.send("BLPOP", "w", "0"); out.append(wait_blocked(ctl, 1))
    ctl.cmd("MULTI"); ctl.cmd("LPUSH", "w", "gone"); ctl.cmd("DEL", "w")
    out.append("exec " + show(ctl.cmd("EXEC")))
    out.append(wait_blocked(ctl, 1))
    out.append("lpush " + show(ctl.cmd("LPUSH", "w", "kept")))
    out.append("woken " + show(a.read()))
    # A blocked client that disconnects consumes nothing.
    d = new(); d.send("BLPOP", "dq", "0"); out.append(wait_blocked(ctl, 1))
    d.s.close()
    out.append(wait_blocked(ctl, 0))
    out.append("lpush " + show(ctl.cmd("LPUSH", "dq", "x")))
    out.append("llen " + show(ctl.cmd("LLEN", "dq")))
    # Regression: a waiter woken for nothing (a push undone in its transaction) blocks again with
    # the deadline it had, not a new one: pokes every 0.1 s for 3 s must not hold off a 0.5 s timeout.
    a.send("BLPOP", "w2", "0.5"); out.append(wait_blocked(ctl, 1))
    a.s.settimeout(0.1)
    end, got = time.time() + 3, b""
    while time.time() < end and not got:
        ctl.cmd("MULTI"); ctl.cmd("LPUSH", "w2", "x"); ctl.cmd("DEL", "w2"); ctl.cmd("EXEC")
        try:
            got = a.read()
        except socket.timeout:
            pass
    a.s.settimeout(10)
    out.append("timed out while woken for nothing " + show(got))
    # The server still answers everyone.
    out.append("ping " + show(a.cmd("PING")) + " " + show(b.cmd("PING")))
    print("\n".join(out))


blocking(sys.argv[1])
PY

cat >"$TMP/cmds" <<'CMDS'
flushall
set s x
lpush s a
lpushx s a
lpop s
lpop s 0
llen s
lrange s 0 1
lindex s 0
lset s 0 a
lrem s 0 a
ltrim s 0 1
linsert s before a b
lpos s a
lmove s x left right
rpoplpush s x
blpop s 0
rpush l a b c d e f g a b c
lpos l a
lpos l a rank 0
lpos l a rank -1
lpos l a rank -9223372036854775808
lpos l a rank x
lpos l a count -1
lpos l a count 0
lpos l a count 0 rank -1
lpos l a maxlen -1
lpos l a maxlen 3 count 0
lpos l z count 0
lpos nokey z count 0
lpos nokey z
lpos l a foo 1
lpos l a rank
lpos l a rank 1 count
lpos l a count 2 rank 2
lset l 100 x
lset nokey 0 x
lset l -1 z
lset l x z
lindex l x
lindex l -1
lindex l 100
lrange l -100 100
lrange l 5 2
lrange l x 2
lrange nokey 0 -1
ltrim l x 1
linsert l middle a x
linsert l before zz x
linsert nokey before a x
linsert l after a x
lrem l x a
lrem l -1 a
lrange l 0 -1
lpushx nokey a
rpushx l 1 2 3
lmove l l2 up left
lmove l l2 left right
lmove nokey l2 left right
rpoplpush l l
lrange l 0 -1
ltrim l 5 2
exists l
blpop l2 x
blpop l2 -1
blpop l2 0.01
blpop l2 1e100
blpop l2 inf
blpop l2 nan
blpop l2 100000000000000000000
blmove l2 l3 left right x
blmove l2 l3 up right 0
brpoplpush l2 l3 -1
lpush
lpop l 1 2 3
blpop nokey 0.01
brpop nokey nokey2 0.01
blmove nokey l3 left left 0.01
brpoplpush nokey l3 0.01
flushall
multi
blpop nokey 0
blmove nokey x left left 0
brpoplpush nokey x 0
exec
lindex nokey x
lset nokey x v
lpos l a count x
lpos l a maxlen x
lpos l a rank 1 rank 0 count -1
rpush l a
ltrim nokey x 1
lrem nokey x a
lrange nokey x 1
llen nokey
lmove l l left right
lrange l 0 -1
linsert nokey foo a x
lpos l a count 1 count 2
blpop
blpop x
lpos l
lpos nokey a count 1
multi
blpop nokey 0
blmove nokey x left left 0
exec
# binary elements, long lists, counts
del bin
rpush bin "a\x00b" "\xff\xfe" "" "\r\n"
lrange bin 0 -1
lpos bin "\xff\xfe"
lrem bin 0 ""
linsert bin before "\r\n" "\x00"
lrange bin 0 -1
lpop bin 2
rpop bin 5
exists bin
rpush big 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39
lrange big 10 14
lrange big -3 -1
lrange big -100 -38
ltrim big 5 -5
llen big
lindex big 0
lindex big -1
lrem big 2 7
rpush big 7 7 7 8 7
lrem big -2 7
lrange big -5 -1
lpos big 7 count 0
lpos big 7 rank -2 maxlen 3
lpos big 7 rank 2 maxlen 10
lmove big big right left
lrange big 0 2
lpop big 0
rpop big 3
lpop nokey 0
rpop nokey 3
rpop big 1000
exists big
lpushx big a
rpushx big a
lpush l2 a
rpoplpush l2 l2
rpoplpush l2 other
exists l2
lrange other 0 -1
set str v
lmove other str left left
lrange other 0 -1
lmove str other left left
blmove other str left left 0
blpop nokey other 0
brpop nokey str 0
brpop other nokey str 0
multi
blpop other 0
blpop empty 0
exec
rpush other z
multi
blmove other x right right 0
exec
lrange x 0 -1
blpop x -0.0001
rpush ws w
blpop ws 1e-320
blpop ws 0.5e
lpush
lpushx k
rpop
llen
llen a b
lrange k 0
lindex k
lset k 0
lrem k 0
ltrim k 0
linsert k before a
lmove a b left
rpoplpush a
brpop k
blmove a b left right
brpoplpush a b
!hello 3
rpush r3 a b c
lpop r3 2
lpop r3 0
lpop nokey 2
lpop nokey
rpop r3
lrange nokey 0 -1
lindex nokey 0
lpos r3 x
lpos r3 x count 0
lmove nokey x left left
blpop nokey 0.01
brpoplpush nokey x 0.01
!hello 2
CMDS

cat >"$TMP/expected" <<'EXPECTED'
flushall -> +OK\r\n
set s x -> +OK\r\n
lpush s a -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
lpushx s a -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
lpop s -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
lpop s 0 -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
llen s -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
lrange s 0 1 -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
lindex s 0 -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
lset s 0 a -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
lrem s 0 a -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
ltrim s 0 1 -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
linsert s before a b -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
lpos s a -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
lmove s x left right -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
rpoplpush s x -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
blpop s 0 -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
rpush l a b c d e f g a b c -> :10\r\n
lpos l a -> :0\r\n
lpos l a rank 0 -> -ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n
lpos l a rank -1 -> :7\r\n
lpos l a rank -9223372036854775808 -> :7\r\n
lpos l a rank x -> -ERR value is not an integer or out of range\r\n
lpos l a count -1 -> -ERR COUNT can't be negative\r\n
lpos l a count 0 -> *2\r\n:0\r\n:7\r\n
lpos l a count 0 rank -1 -> *2\r\n:7\r\n:0\r\n
lpos l a maxlen -1 -> -ERR MAXLEN can't be negative\r\n
lpos l a maxlen 3 count 0 -> *1\r\n:0\r\n
lpos l z count 0 -> *0\r\n
lpos nokey z count 0 -> *0\r\n
lpos nokey z -> $-1\r\n
lpos l a foo 1 -> -ERR syntax error\r\n
lpos l a rank -> -ERR syntax error\r\n
lpos l a rank 1 count -> -ERR syntax error\r\n
lpos l a count 2 rank 2 -> *1\r\n:7\r\n
lset l 100 x -> -ERR index out of range\r\n
lset nokey 0 x -> -ERR no such key\r\n
lset l -1 z -> +OK\r\n
lset l x z -> -ERR value is not an integer or out of range\r\n
lindex l x -> -ERR value is not an integer or out of range\r\n
lindex l -1 -> $1\r\nz\r\n
lindex l 100 -> $-1\r\n
lrange l -100 100 -> *10\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nz\r\n
lrange l 5 2 -> *0\r\n
lrange l x 2 -> -ERR value is not an integer or out of range\r\n
lrange nokey 0 -1 -> *0\r\n
ltrim l x 1 -> -ERR value is not an integer or out of range\r\n
linsert l middle a x -> -ERR syntax error\r\n
linsert l before zz x -> :-1\r\n
linsert nokey before a x -> :0\r\n
linsert l after a x -> :11\r\n
lrem l x a -> -ERR value is not an integer or out of range\r\n
lrem l -1 a -> :1\r\n
lrange l 0 -1 -> *10\r\n$1\r\na\r\n$1\r\nx\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n$1\r\nb\r\n$1\r\nz\r\n
lpushx nokey a -> :0\r\n
rpushx l 1 2 3 -> :13\r\n
lmove l l2 up left -> -ERR syntax error\r\n
lmove l l2 left right -> $1\r\na\r\n
lmove nokey l2 left right -> $-1\r\n
rpoplpush l l -> $1\r\n3\r\n
lrange l 0 -1 -> *12\r\n$1\r\n3\r\n$1\r\nx\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n$1\r\nb\r\n$1\r\nz\r\n$1\r\n1\r\n$1\r\n2\r\n
ltrim l 5 2 -> +OK\r\n
exists l -> :0\r\n
blpop l2 x -> -ERR timeout is not a float or out of range\r\n
blpop l2 -1 -> -ERR timeout is negative\r\n
blpop l2 0.01 -> *2\r\n$2\r\nl2\r\n$1\r\na\r\n
blpop l2 1e100 -> -ERR timeout is negative\r\n
blpop l2 inf -> -ERR timeout is negative\r\n
blpop l2 nan -> -ERR timeout is not a float or out of range\r\n
blpop l2 100000000000000000000 -> -ERR timeout is negative\r\n
blmove l2 l3 left right x -> -ERR timeout is not a float or out of range\r\n
blmove l2 l3 up right 0 -> -ERR syntax error\r\n
brpoplpush l2 l3 -1 -> -ERR timeout is negative\r\n
lpush -> -ERR wrong number of arguments for 'lpush' command\r\n
lpop l 1 2 3 -> -ERR wrong number of arguments for 'lpop' command\r\n
blpop nokey 0.01 -> *-1\r\n
brpop nokey nokey2 0.01 -> *-1\r\n
blmove nokey l3 left left 0.01 -> *-1\r\n
brpoplpush nokey l3 0.01 -> *-1\r\n
flushall -> +OK\r\n
multi -> +OK\r\n
blpop nokey 0 -> +QUEUED\r\n
blmove nokey x left left 0 -> +QUEUED\r\n
brpoplpush nokey x 0 -> +QUEUED\r\n
exec -> *3\r\n*-1\r\n$-1\r\n$-1\r\n
lindex nokey x -> $-1\r\n
lset nokey x v -> -ERR no such key\r\n
lpos l a count x -> -ERR COUNT can't be negative\r\n
lpos l a maxlen x -> -ERR MAXLEN can't be negative\r\n
lpos l a rank 1 rank 0 count -1 -> -ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n
rpush l a -> :1\r\n
ltrim nokey x 1 -> -ERR value is not an integer or out of range\r\n
lrem nokey x a -> -ERR value is not an integer or out of range\r\n
lrange nokey x 1 -> -ERR value is not an integer or out of range\r\n
llen nokey -> :0\r\n
lmove l l left right -> $1\r\na\r\n
lrange l 0 -1 -> *1\r\n$1\r\na\r\n
linsert nokey foo a x -> -ERR syntax error\r\n
lpos l a count 1 count 2 -> *1\r\n:0\r\n
blpop -> -ERR wrong number of arguments for 'blpop' command\r\n
blpop x -> -ERR wrong number of arguments for 'blpop' command\r\n
lpos l -> -ERR wrong number of arguments for 'lpos' command\r\n
lpos nokey a count 1 -> *0\r\n
multi -> +OK\r\n
blpop nokey 0 -> +QUEUED\r\n
blmove nokey x left left 0 -> +QUEUED\r\n
exec -> *2\r\n*-1\r\n$-1\r\n
del bin -> :0\r\n
rpush bin "a\x00b" "\xff\xfe" "" "\r\n" -> :4\r\n
lrange bin 0 -1 -> *4\r\n$3\r\na\x00b\r\n$2\r\n\xff\xfe\r\n$0\r\n\r\n$2\r\n\r\n\r\n
lpos bin "\xff\xfe" -> :1\r\n
lrem bin 0 "" -> :1\r\n
linsert bin before "\r\n" "\x00" -> :4\r\n
lrange bin 0 -1 -> *4\r\n$3\r\na\x00b\r\n$2\r\n\xff\xfe\r\n$1\r\n\x00\r\n$2\r\n\r\n\r\n
lpop bin 2 -> *2\r\n$3\r\na\x00b\r\n$2\r\n\xff\xfe\r\n
rpop bin 5 -> *2\r\n$2\r\n\r\n\r\n$1\r\n\x00\r\n
exists bin -> :0\r\n
rpush big 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 -> :40\r\n
lrange big 10 14 -> *5\r\n$2\r\n10\r\n$2\r\n11\r\n$2\r\n12\r\n$2\r\n13\r\n$2\r\n14\r\n
lrange big -3 -1 -> *3\r\n$2\r\n37\r\n$2\r\n38\r\n$2\r\n39\r\n
lrange big -100 -38 -> *3\r\n$1\r\n0\r\n$1\r\n1\r\n$1\r\n2\r\n
ltrim big 5 -5 -> +OK\r\n
llen big -> :31\r\n
lindex big 0 -> $1\r\n5\r\n
lindex big -1 -> $2\r\n35\r\n
lrem big 2 7 -> :1\r\n
rpush big 7 7 7 8 7 -> :35\r\n
lrem big -2 7 -> :2\r\n
lrange big -5 -1 -> *5\r\n$2\r\n34\r\n$2\r\n35\r\n$1\r\n7\r\n$1\r\n7\r\n$1\r\n8\r\n
lpos big 7 count 0 -> *2\r\n:30\r\n:31\r\n
lpos big 7 rank -2 maxlen 3 -> :30\r\n
lpos big 7 rank 2 maxlen 10 -> $-1\r\n
lmove big big right left -> $1\r\n8\r\n
lrange big 0 2 -> *3\r\n$1\r\n8\r\n$1\r\n5\r\n$1\r\n6\r\n
lpop big 0 -> *0\r\n
rpop big 3 -> *3\r\n$1\r\n7\r\n$1\r\n7\r\n$2\r\n35\r\n
lpop nokey 0 -> *-1\r\n
rpop nokey 3 -> *-1\r\n
rpop big 1000 -> *30\r\n$2\r\n34\r\n$2\r\n33\r\n$2\r\n32\r\n$2\r\n31\r\n$2\r\n30\r\n$2\r\n29\r\n$2\r\n28\r\n$2\r\n27\r\n$2\r\n26\r\n$2\r\n25\r\n$2\r\n24\r\n$2\r\n23\r\n$2\r\n22\r\n$2\r\n21\r\n$2\r\n20\r\n$2\r\n19\r\n$2\r\n18\r\n$2\r\n17\r\n$2\r\n16\r\n$2\r\n15\r\n$2\r\n14\r\n$2\r\n13\r\n$2\r\n12\r\n$2\r\n11\r\n$2\r\n10\r\n$1\r\n9\r\n$1\r\n8\r\n$1\r\n6\r\n$1\r\n5\r\n$1\r\n8\r\n
exists big -> :0\r\n
lpushx big a -> :0\r\n
rpushx big a -> :0\r\n
lpush l2 a -> :1\r\n
rpoplpush l2 l2 -> $1\r\na\r\n
rpoplpush l2 other -> $1\r\na\r\n
exists l2 -> :0\r\n
lrange other 0 -1 -> *1\r\n$1\r\na\r\n
set str v -> +OK\r\n
lmove other str left left -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
lrange other 0 -1 -> *1\r\n$1\r\na\r\n
lmove str other left left -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
blmove other str left left 0 -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
blpop nokey other 0 -> *2\r\n$5\r\nother\r\n$1\r\na\r\n
brpop nokey str 0 -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
brpop other nokey str 0 -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
multi -> +OK\r\n
blpop other 0 -> +QUEUED\r\n
blpop empty 0 -> +QUEUED\r\n
exec -> *2\r\n*-1\r\n*-1\r\n
rpush other z -> :1\r\n
multi -> +OK\r\n
blmove other x right right 0 -> +QUEUED\r\n
exec -> *1\r\n$1\r\nz\r\n
lrange x 0 -1 -> *1\r\n$1\r\nz\r\n
blpop x -0.0001 -> *2\r\n$1\r\nx\r\n$1\r\nz\r\n
rpush ws w -> :1\r\n
blpop ws 1e-320 -> *2\r\n$2\r\nws\r\n$1\r\nw\r\n
blpop ws 0.5e -> -ERR timeout is not a float or out of range\r\n
lpush -> -ERR wrong number of arguments for 'lpush' command\r\n
lpushx k -> -ERR wrong number of arguments for 'lpushx' command\r\n
rpop -> -ERR wrong number of arguments for 'rpop' command\r\n
llen -> -ERR wrong number of arguments for 'llen' command\r\n
llen a b -> -ERR wrong number of arguments for 'llen' command\r\n
lrange k 0 -> -ERR wrong number of arguments for 'lrange' command\r\n
lindex k -> -ERR wrong number of arguments for 'lindex' command\r\n
lset k 0 -> -ERR wrong number of arguments for 'lset' command\r\n
lrem k 0 -> -ERR wrong number of arguments for 'lrem' command\r\n
ltrim k 0 -> -ERR wrong number of arguments for 'ltrim' command\r\n
linsert k before a -> -ERR wrong number of arguments for 'linsert' command\r\n
lmove a b left -> -ERR wrong number of arguments for 'lmove' command\r\n
rpoplpush a -> -ERR wrong number of arguments for 'rpoplpush' command\r\n
brpop k -> -ERR wrong number of arguments for 'brpop' command\r\n
blmove a b left right -> -ERR wrong number of arguments for 'blmove' command\r\n
brpoplpush a b -> -ERR wrong number of arguments for 'brpoplpush' command\r\n
!hello 3 -> (not compared)
rpush r3 a b c -> :3\r\n
lpop r3 2 -> *2\r\n$1\r\na\r\n$1\r\nb\r\n
lpop r3 0 -> *0\r\n
lpop nokey 2 -> _\r\n
lpop nokey -> _\r\n
rpop r3 -> $1\r\nc\r\n
lrange nokey 0 -1 -> *0\r\n
lindex nokey 0 -> _\r\n
lpos r3 x -> _\r\n
lpos r3 x count 0 -> *0\r\n
lmove nokey x left left -> _\r\n
blpop nokey 0.01 -> _\r\n
brpoplpush nokey x 0.01 -> _\r\n
!hello 2 -> (not compared)
EXPECTED

cat >"$TMP/blocking.expected" <<'EXPECTED'
blocked 1
lpush :1\r\n
blpop woken *2\r\n$3\r\nbl1\r\n$1\r\nx\r\n
exists :0\r\n
blocked 1
rpush :2\r\n
brpop woken *2\r\n$2\r\nk2\r\n$1\r\nq\r\n
timeout *-1\r\n
timeout resp3 _\r\n
blmove timeout resp3 _\r\n
blocked 1
rpush :2\r\n
blmove woken $1\r\nb\r\n
dst *1\r\n$1\r\nb\r\n
src *1\r\n$1\r\na\r\n
blocked 1
lpush :1\r\n
brpoplpush woken $1\r\nc\r\n
dst *2\r\n$1\r\nc\r\n$1\r\nb\r\n
blocked 1
blocked 2
rpush :2\r\n
first client *2\r\n$1\r\nq\r\n$5\r\nfirst\r\n
second client *2\r\n$1\r\nq\r\n$6\r\nsecond\r\n
blocked 1
blocked 2
rpush :1\r\n
first client *2\r\n$1\r\nq\r\n$3\r\none\r\n
blocked 1
rpush :1\r\n
second client *2\r\n$1\r\nq\r\n$3\r\ntwo\r\n
blocked 1
exec *2\r\n:1\r\n:1\r\n
blocked 1
lpush :1\r\n
woken *2\r\n$1\r\nw\r\n$4\r\nkept\r\n
blocked 1
blocked 0
lpush :1\r\n
llen :1\r\n
blocked 1
timed out while woken for nothing *-1\r\n
ping +PONG\r\n +PONG\r\n
EXPECTED

compare_script list

if [ "$ref" = redis-server ]; then
	python3 "$TMP/blocking.py" "$TMP/redis.sock" "$(dirname "$0")" >"$TMP/blocking.expected"
fi
python3 "$TMP/blocking.py" "$TMP/kvd.sock" "$(dirname "$0")" >"$TMP/blocking.got" 2>"$TMP/drv.err"
ok $? "the blocking scenarios ran against kvd"
[ -s "$TMP/drv.err" ] && sed 's/^/#   /' "$TMP/drv.err"
compare blocking "$TMP/blocking.got" "$TMP/blocking.expected"

kill -0 "${pids[0]}"
ok $? "kvd is still running"
finish

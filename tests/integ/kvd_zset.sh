#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kvd's zset commands against redis-server: the same commands on both, the raw RESP replies
# compared byte for byte (errors, wrong types, counts, empty keys, binary data, RESP3 shapes).
# Without redis-server, the replies it gave (7.0.15), recorded below, are the reference.
. "$(dirname "$0")/tap.bash"
. "$(dirname "$0")/kvd_lib.bash"

cat >"$TMP/cmds" <<'CMDS'
flushall
zadd z 1 a 2 b 3 c
zpopmin z 0
zpopmin nokey 0
zpopmin nokey
zpopmin z -1
zpopmin z x
zpopmin z
zpopmin z 1
zadd z 1 a 1.5 x
zrange z 0 -1 withscores
zadd z nx xx 1 a
zadd z nx gt 1 a
zadd z gt lt 1 a
zadd z incr 1 a 2 b
zadd z 1 a 2
zadd z x a
zadd z nan a
zadd z incr inf a
zadd z incr -inf a
zadd nokey xx 1 a
zadd nokey xx incr 1 a
zadd z gt ch 0 a 5 b 6 c
zadd z nx incr 1 a
zadd z lt incr 1 a
zincrby z x a
zincrby z 1.5 a
zscore z a
zscore z nope
zscore nokey a
zmscore z a nope b
zmscore nokey a b
zcount z x 1
zcount z ( (10
zcount z "" +inf
zcount z " 1" +inf
zcount z -inf +inf
zcount z 1 0
zrangebyscore z (1 +inf withscores limit 0 1
zrangebyscore z (1 +inf withscores limit -1 1
zrangebyscore z (1 +inf withscores limit 1 -1
zrangebyscore z (1 +inf rev
zrange z 0 -1 limit 0 1
zrange z - + bylex withscores
zrange z - + bylex
zrange z [a + bylex limit 1 1
zrange z a + bylex
zrange z 3 0 byscore rev withscores
zrange z 0 1 rev
zrange z 0 1 byscore bylex
zrevrange z 0 -1 withscores
zrevrangebyscore z +inf -inf withscores limit 1 2
zrangebylex z - +
zrevrangebylex z + -
zlexcount z - +
zlexcount z x +
zrank z a
zrevrank z a
zrank z nope
zrank nokey a
zrem z a nope
zrem nokey a
zcard z
zcard nokey
zremrangebyrank z 0 0
zremrangebyrank z x 0
zremrangebyscore z x 0
zremrangebyscore z -inf +inf
exists z
zadd z 1 a 2 b
zrangestore dst z 0 -1
zrangestore dst z 0 -1 withscores
zrange dst 0 -1 withscores
zrangestore dst nokey 0 -1
exists dst
zrangestore dst z 1 0 byscore
zadd z 1.1 c 0.1 d 1e300 e -0.0 f 3.14159265358979 g
zrange z 0 -1 withscores
zscore z a
zscan z 0
zscan nokey 0
zscan nokey x
zscan z x
zscan z 0 count 0
zscan z 0 match *b*
zrange z 0 1 withscores
zrange z 0 1
zpopmin z
zpopmin z 2
zpopmax z 0
zpopmin nokey
zpopmin nokey 1
zscore z b
zmscore z b x
zadd z incr 1 b
zincrby z 1 b
zscan z 0
zrangebyscore z -inf +inf withscores
# binary members, a big set (a skip list in Redis too), counts and limits
del bz
zadd bz 1 "a\x00b" 1 "\xff" 1 "" 2 "\r\n"
zrange bz 0 -1 withscores
zrangebylex bz - + 
zrangebylex bz "[" "(\xff"
zscore bz ""
zrank bz "\xff"
zrem bz "" "a\x00b"
zrange bz 0 -1
zadd big 1 m1 2 m2 3 m3 4 m4 5 m5 6 m6 7 m7 8 m8 9 m9 10 m10 11 m11 12 m12 13 m13 14 m14 15 m15 16 m16 17 m17 18 m18 19 m19 20 m20 21 m21 22 m22 23 m23 24 m24 25 m25 26 m26 27 m27 28 m28 29 m29 30 m30 31 m31 32 m32 33 m33 34 m34 35 m35 36 m36 37 m37 38 m38 39 m39 40 m40 41 m41 42 m42 43 m43 44 m44 45 m45 46 m46 47 m47 48 m48 49 m49 50 m50 51 m51 52 m52 53 m53 54 m54 55 m55 56 m56 57 m57 58 m58 59 m59 60 m60 61 m61 62 m62 63 m63 64 m64 65 m65 66 m66 67 m67 68 m68 69 m69 70 m70 71 m71 72 m72 73 m73 74 m74 75 m75 76 m76 77 m77 78 m78 79 m79 80 m80 81 m81 82 m82 83 m83 84 m84 85 m85 86 m86 87 m87 88 m88 89 m89 90 m90 91 m91 92 m92 93 m93 94 m94 95 m95 96 m96 97 m97 98 m98 99 m99 100 m100 101 m101 102 m102 103 m103 104 m104 105 m105 106 m106 107 m107 108 m108 109 m109 110 m110 111 m111 112 m112 113 m113 114 m114 115 m115 116 m116 117 m117 118 m118 119 m119 120 m120 121 m121 122 m122 123 m123 124 m124 125 m125 126 m126 127 m127 128 m128 129 m129 130 m130
zcard big
zadd big -0.0 negzero
zscore big negzero
zincrby big -0.0 negzero2
zrank big m100
zrevrank big m100
zcount big (10 20
zcount big -inf (1
zrangebyscore big 125 +inf withscores
zrevrangebyscore big (5 -inf limit 1 2
zrange big 50 60 byscore limit 2 3 withscores
zrange big 60 50 byscore rev limit 0 2
zrange big -3 -1 withscores
zrange big 0 2 rev
zremrangebyrank big 0 9
zremrangebyrank big -5 -1
zremrangebyscore big (20 30
zremrangebyscore big 1000 2000
zcard big
zpopmax big 3
zpopmin big
@zscanall big
@zscanall big match m1*
@zscanall big count 1000
zrangestore small big 0 4
zrange small 0 -1 withscores
zrangestore small big (50 +inf byscore limit 0 3
zrange small 0 -1 withscores
zrangestore small big [m2 [m3 bylex
zrange small 0 -1
zadd lex 0 a 0 b 0 c 0 d 0 e
zrangebylex lex (b [d
zrevrangebylex lex [d (b
zrangebylex lex - + limit 1 2
zrevrangebylex lex + - limit 0 1
zlexcount lex (a [c
zlexcount lex [z +
zremrangebylex lex [b (d
zremrangebylex lex x y
zrange lex 0 -1
zrangestore lex lex 0 0
zrange lex 0 -1
zrangestore lex nokey 0 -1
exists lex
zadd z2 10 a
zadd z2 gt 5 a
zadd z2 gt ch 15 a
zadd z2 lt ch 20 a
zadd z2 lt ch 1 a 2 b
zadd z2 xx ch 3 b 4 c
zadd z2 nx 100 a 5 d
zrange z2 0 -1 withscores
zadd z2 incr gt -1 a
zadd z2 incr lt -1 a
zadd z2 1e400 a
zadd z2 "1 " a
zadd z2 " 1" a
zadd z2 0x10 a
zincrby z2 1e308 a
zincrby z2 1e308 a
zincrby z2 -1e308 a
zadd z2 -inf a
zincrby z2 inf a
zcount z2 "(" "(inf"
zcount z2 "[1" 2
zcount z2 "(1e400" 1
zcount z2 0x1 2
set s x
zadd s 1 a
zincrby s 1 a
zrem s a
zscore s a
zmscore s a
zcard s
zcount s 0 1
zlexcount s - +
zrank s a
zrevrank s a
zrange s 0 1
zrangebyscore s 0 1
zrevrange s 0 1
zrevrangebyscore s 1 0
zrangebylex s - +
zrevrangebylex s + -
zpopmin s
zpopmax s 1
zpopmin s 0
zremrangebyrank s 0 1
zremrangebyscore s 0 1
zremrangebylex s - +
zrangestore d s 0 1
zscan s 0
zadd
zadd k
zincrby k 1
zrem k
zscore k
zmscore k
zcard
zcount k 1
zrank k
zrange k 0
zrangebyscore k 0
zpopmin
zremrangebyrank k 0
zscan k
zrangestore d k 0
!hello 3
zadd r3 1 a 2 b 3 c
zrange r3 0 -1 withscores
zrevrange r3 0 0 withscores
zrangebyscore r3 -inf +inf withscores limit 1 1
zrange r3 0 -1
zscore r3 b
zscore r3 nope
zmscore r3 a nope
zincrby r3 0.5 a
zadd r3 incr 1 a
zadd r3 xx incr 1 nope
zpopmin r3
zpopmax r3 1
zpopmin r3 5
zpopmin r3
zrank r3 a
zscan nokey 0
zadd r3 1.5 x 2.5 y
zscan r3 0
zrangestore d r3 0 -1
zrange d 0 -1 withscores
!hello 2
CMDS

cat >"$TMP/expected" <<'EXPECTED'
flushall -> +OK\r\n
zadd z 1 a 2 b 3 c -> :3\r\n
zpopmin z 0 -> *0\r\n
zpopmin nokey 0 -> *0\r\n
zpopmin nokey -> *0\r\n
zpopmin z -1 -> -ERR value is out of range, must be positive\r\n
zpopmin z x -> -ERR value is out of range, must be positive\r\n
zpopmin z -> *2\r\n$1\r\na\r\n$1\r\n1\r\n
zpopmin z 1 -> *2\r\n$1\r\nb\r\n$1\r\n2\r\n
zadd z 1 a 1.5 x -> :2\r\n
zrange z 0 -1 withscores -> *6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nx\r\n$3\r\n1.5\r\n$1\r\nc\r\n$1\r\n3\r\n
zadd z nx xx 1 a -> -ERR XX and NX options at the same time are not compatible\r\n
zadd z nx gt 1 a -> -ERR GT, LT, and/or NX options at the same time are not compatible\r\n
zadd z gt lt 1 a -> -ERR GT, LT, and/or NX options at the same time are not compatible\r\n
zadd z incr 1 a 2 b -> -ERR INCR option supports a single increment-element pair\r\n
zadd z 1 a 2 -> -ERR syntax error\r\n
zadd z x a -> -ERR value is not a valid float\r\n
zadd z nan a -> -ERR value is not a valid float\r\n
zadd z incr inf a -> $3\r\ninf\r\n
zadd z incr -inf a -> -ERR resulting score is not a number (NaN)\r\n
zadd nokey xx 1 a -> :0\r\n
zadd nokey xx incr 1 a -> $-1\r\n
zadd z gt ch 0 a 5 b 6 c -> :2\r\n
zadd z nx incr 1 a -> $-1\r\n
zadd z lt incr 1 a -> $-1\r\n
zincrby z x a -> -ERR value is not a valid float\r\n
zincrby z 1.5 a -> $3\r\ninf\r\n
zscore z a -> $3\r\ninf\r\n
zscore z nope -> $-1\r\n
zscore nokey a -> $-1\r\n
zmscore z a nope b -> *3\r\n$3\r\ninf\r\n$-1\r\n$1\r\n5\r\n
zmscore nokey a b -> *2\r\n$-1\r\n$-1\r\n
zcount z x 1 -> -ERR min or max is not a float\r\n
zcount z ( (10 -> :3\r\n
zcount z "" +inf -> :4\r\n
zcount z " 1" +inf -> :4\r\n
zcount z -inf +inf -> :4\r\n
zcount z 1 0 -> :0\r\n
zrangebyscore z (1 +inf withscores limit 0 1 -> *2\r\n$1\r\nx\r\n$3\r\n1.5\r\n
zrangebyscore z (1 +inf withscores limit -1 1 -> *0\r\n
zrangebyscore z (1 +inf withscores limit 1 -1 -> *6\r\n$1\r\nb\r\n$1\r\n5\r\n$1\r\nc\r\n$1\r\n6\r\n$1\r\na\r\n$3\r\ninf\r\n
zrangebyscore z (1 +inf rev -> -ERR syntax error\r\n
zrange z 0 -1 limit 0 1 -> -ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n
zrange z - + bylex withscores -> -ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n
zrange z - + bylex -> *4\r\n$1\r\nx\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n
zrange z [a + bylex limit 1 1 -> *1\r\n$1\r\nb\r\n
zrange z a + bylex -> -ERR min or max not valid string range item\r\n
zrange z 3 0 byscore rev withscores -> *2\r\n$1\r\nx\r\n$3\r\n1.5\r\n
zrange z 0 1 rev -> *2\r\n$1\r\na\r\n$1\r\nc\r\n
zrange z 0 1 byscore bylex -> -ERR syntax error\r\n
zrevrange z 0 -1 withscores -> *8\r\n$1\r\na\r\n$3\r\ninf\r\n$1\r\nc\r\n$1\r\n6\r\n$1\r\nb\r\n$1\r\n5\r\n$1\r\nx\r\n$3\r\n1.5\r\n
zrevrangebyscore z +inf -inf withscores limit 1 2 -> *4\r\n$1\r\nc\r\n$1\r\n6\r\n$1\r\nb\r\n$1\r\n5\r\n
zrangebylex z - + -> *4\r\n$1\r\nx\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n
zrevrangebylex z + - -> *4\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\nx\r\n
zlexcount z - + -> :4\r\n
zlexcount z x + -> -ERR min or max not valid string range item\r\n
zrank z a -> :3\r\n
zrevrank z a -> :0\r\n
zrank z nope -> $-1\r\n
zrank nokey a -> $-1\r\n
zrem z a nope -> :1\r\n
zrem nokey a -> :0\r\n
zcard z -> :3\r\n
zcard nokey -> :0\r\n
zremrangebyrank z 0 0 -> :1\r\n
zremrangebyrank z x 0 -> -ERR value is not an integer or out of range\r\n
zremrangebyscore z x 0 -> -ERR min or max is not a float\r\n
zremrangebyscore z -inf +inf -> :2\r\n
exists z -> :0\r\n
zadd z 1 a 2 b -> :2\r\n
zrangestore dst z 0 -1 -> :2\r\n
zrangestore dst z 0 -1 withscores -> -ERR syntax error\r\n
zrange dst 0 -1 withscores -> *4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n
zrangestore dst nokey 0 -1 -> :0\r\n
exists dst -> :0\r\n
zrangestore dst z 1 0 byscore -> :0\r\n
zadd z 1.1 c 0.1 d 1e300 e -0.0 f 3.14159265358979 g -> :5\r\n
zrange z 0 -1 withscores -> *14\r\n$1\r\nf\r\n$1\r\n0\r\n$1\r\nd\r\n$19\r\n0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nc\r\n$18\r\n1.1000000000000001\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\ng\r\n$16\r\n3.14159265358979\r\n$1\r\ne\r\n$23\r\n1.0000000000000001e+300\r\n
zscore z a -> $1\r\n1\r\n
zscan z 0 -> *2\r\n$1\r\n0\r\n*14\r\n$1\r\nf\r\n$1\r\n0\r\n$1\r\nd\r\n$19\r\n0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nc\r\n$18\r\n1.1000000000000001\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\ng\r\n$16\r\n3.14159265358979\r\n$1\r\ne\r\n$23\r\n1.0000000000000001e+300\r\n
zscan nokey 0 -> *2\r\n$1\r\n0\r\n*0\r\n
zscan nokey x -> -ERR invalid cursor\r\n
zscan z x -> -ERR invalid cursor\r\n
zscan z 0 count 0 -> -ERR syntax error\r\n
zscan z 0 match *b* -> *2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n
zrange z 0 1 withscores -> *4\r\n$1\r\nf\r\n$1\r\n0\r\n$1\r\nd\r\n$19\r\n0.10000000000000001\r\n
zrange z 0 1 -> *2\r\n$1\r\nf\r\n$1\r\nd\r\n
zpopmin z -> *2\r\n$1\r\nf\r\n$1\r\n0\r\n
zpopmin z 2 -> *4\r\n$1\r\nd\r\n$19\r\n0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n
zpopmax z 0 -> *0\r\n
zpopmin nokey -> *0\r\n
zpopmin nokey 1 -> *0\r\n
zscore z b -> $1\r\n2\r\n
zmscore z b x -> *2\r\n$1\r\n2\r\n$-1\r\n
zadd z incr 1 b -> $1\r\n3\r\n
zincrby z 1 b -> $1\r\n4\r\n
zscan z 0 -> *2\r\n$1\r\n0\r\n*8\r\n$1\r\nc\r\n$18\r\n1.1000000000000001\r\n$1\r\ng\r\n$16\r\n3.14159265358979\r\n$1\r\nb\r\n$1\r\n4\r\n$1\r\ne\r\n$23\r\n1.0000000000000001e+300\r\n
zrangebyscore z -inf +inf withscores -> *8\r\n$1\r\nc\r\n$18\r\n1.1000000000000001\r\n$1\r\ng\r\n$16\r\n3.14159265358979\r\n$1\r\nb\r\n$1\r\n4\r\n$1\r\ne\r\n$23\r\n1.0000000000000001e+300\r\n
del bz -> :0\r\n
zadd bz 1 "a\x00b" 1 "\xff" 1 "" 2 "\r\n" -> :4\r\n
zrange bz 0 -1 withscores -> *8\r\n$0\r\n\r\n$1\r\n1\r\n$3\r\na\x00b\r\n$1\r\n1\r\n$1\r\n\xff\r\n$1\r\n1\r\n$2\r\n\r\n\r\n$1\r\n2\r\n
zrangebylex bz - +  -> *4\r\n$0\r\n\r\n$3\r\na\x00b\r\n$1\r\n\xff\r\n$2\r\n\r\n\r\n
zrangebylex bz "[" "(\xff" -> *2\r\n$0\r\n\r\n$3\r\na\x00b\r\n
zscore bz "" -> $1\r\n1\r\n
zrank bz "\xff" -> :2\r\n
zrem bz "" "a\x00b" -> :2\r\n
zrange bz 0 -1 -> *2\r\n$1\r\n\xff\r\n$2\r\n\r\n\r\n
zadd big 1 m1 2 m2 3 m3 4 m4 5 m5 6 m6 7 m7 8 m8 9 m9 10 m10 11 m11 12 m12 13 m13 14 m14 15 m15 16 m16 17 m17 18 m18 19 m19 20 m20 21 m21 22 m22 23 m23 24 m24 25 m25 26 m26 27 m27 28 m28 29 m29 30 m30 31 m31 32 m32 33 m33 34 m34 35 m35 36 m36 37 m37 38 m38 39 m39 40 m40 41 m41 42 m42 43 m43 44 m44 45 m45 46 m46 47 m47 48 m48 49 m49 50 m50 51 m51 52 m52 53 m53 54 m54 55 m55 56 m56 57 m57 58 m58 59 m59 60 m60 61 m61 62 m62 63 m63 64 m64 65 m65 66 m66 67 m67 68 m68 69 m69 70 m70 71 m71 72 m72 73 m73 74 m74 75 m75 76 m76 77 m77 78 m78 79 m79 80 m80 81 m81 82 m82 83 m83 84 m84 85 m85 86 m86 87 m87 88 m88 89 m89 90 m90 91 m91 92 m92 93 m93 94 m94 95 m95 96 m96 97 m97 98 m98 99 m99 100 m100 101 m101 102 m102 103 m103 104 m104 105 m105 106 m106 107 m107 108 m108 109 m109 110 m110 111 m111 112 m112 113 m113 114 m114 115 m115 116 m116 117 m117 118 m118 119 m119 120 m120 121 m121 122 m122 123 m123 124 m124 125 m125 126 m126 127 m127 128 m128 129 m129 130 m130 -> :130\r\n
zcard big -> :130\r\n
zadd big -0.0 negzero -> :1\r\n
zscore big negzero -> $2\r\n-0\r\n
zincrby big -0.0 negzero2 -> $2\r\n-0\r\n
zrank big m100 -> :101\r\n
zrevrank big m100 -> :30\r\n
zcount big (10 20 -> :10\r\n
zcount big -inf (1 -> :2\r\n
zrangebyscore big 125 +inf withscores -> *12\r\n$4\r\nm125\r\n$3\r\n125\r\n$4\r\nm126\r\n$3\r\n126\r\n$4\r\nm127\r\n$3\r\n127\r\n$4\r\nm128\r\n$3\r\n128\r\n$4\r\nm129\r\n$3\r\n129\r\n$4\r\nm130\r\n$3\r\n130\r\n
zrevrangebyscore big (5 -inf limit 1 2 -> *2\r\n$2\r\nm3\r\n$2\r\nm2\r\n
zrange big 50 60 byscore limit 2 3 withscores -> *6\r\n$3\r\nm52\r\n$2\r\n52\r\n$3\r\nm53\r\n$2\r\n53\r\n$3\r\nm54\r\n$2\r\n54\r\n
zrange big 60 50 byscore rev limit 0 2 -> *2\r\n$3\r\nm60\r\n$3\r\nm59\r\n
zrange big -3 -1 withscores -> *6\r\n$4\r\nm128\r\n$3\r\n128\r\n$4\r\nm129\r\n$3\r\n129\r\n$4\r\nm130\r\n$3\r\n130\r\n
zrange big 0 2 rev -> *3\r\n$4\r\nm130\r\n$4\r\nm129\r\n$4\r\nm128\r\n
zremrangebyrank big 0 9 -> :10\r\n
zremrangebyrank big -5 -1 -> :5\r\n
zremrangebyscore big (20 30 -> :10\r\n
zremrangebyscore big 1000 2000 -> :0\r\n
zcard big -> :107\r\n
zpopmax big 3 -> *6\r\n$4\r\nm125\r\n$3\r\n125\r\n$4\r\nm124\r\n$3\r\n124\r\n$4\r\nm123\r\n$3\r\n123\r\n
zpopmin big -> *2\r\n$2\r\nm9\r\n$1\r\n9\r\n
@zscanall big -> 103 pairs m10=10 m100=100 m101=101 m102=102 m103=103 m104=104 m105=105 m106=106 m107=107 m108=108 m109=109 m11=11 m110=110 m111=111 m112=112 m113=113 m114=114 m115=115 m116=116 m117=117 m118=118 m119=119 m12=12 m120=120 m121=121 m122=122 m13=13 m14=14 m15=15 m16=16 m17=17 m18=18 m19=19 m20=20 m31=31 m32=32 m33=33 m34=34 m35=35 m36=36 m37=37 m38=38 m39=39 m40=40 m41=41 m42=42 m43=43 m44=44 m45=45 m46=46 m47=47 m48=48 m49=49 m50=50 m51=51 m52=52 m53=53 m54=54 m55=55 m56=56 m57=57 m58=58 m59=59 m60=60 m61=61 m62=62 m63=63 m64=64 m65=65 m66=66 m67=67 m68=68 m69=69 m70=70 m71=71 m72=72 m73=73 m74=74 m75=75 m76=76 m77=77 m78=78 m79=79 m80=80 m81=81 m82=82 m83=83 m84=84 m85=85 m86=86 m87=87 m88=88 m89=89 m90=90 m91=91 m92=92 m93=93 m94=94 m95=95 m96=96 m97=97 m98=98 m99=99
@zscanall big match m1* -> 33 pairs m10=10 m100=100 m101=101 m102=102 m103=103 m104=104 m105=105 m106=106 m107=107 m108=108 m109=109 m11=11 m110=110 m111=111 m112=112 m113=113 m114=114 m115=115 m116=116 m117=117 m118=118 m119=119 m12=12 m120=120 m121=121 m122=122 m13=13 m14=14 m15=15 m16=16 m17=17 m18=18 m19=19
@zscanall big count 1000 -> 103 pairs m10=10 m100=100 m101=101 m102=102 m103=103 m104=104 m105=105 m106=106 m107=107 m108=108 m109=109 m11=11 m110=110 m111=111 m112=112 m113=113 m114=114 m115=115 m116=116 m117=117 m118=118 m119=119 m12=12 m120=120 m121=121 m122=122 m13=13 m14=14 m15=15 m16=16 m17=17 m18=18 m19=19 m20=20 m31=31 m32=32 m33=33 m34=34 m35=35 m36=36 m37=37 m38=38 m39=39 m40=40 m41=41 m42=42 m43=43 m44=44 m45=45 m46=46 m47=47 m48=48 m49=49 m50=50 m51=51 m52=52 m53=53 m54=54 m55=55 m56=56 m57=57 m58=58 m59=59 m60=60 m61=61 m62=62 m63=63 m64=64 m65=65 m66=66 m67=67 m68=68 m69=69 m70=70 m71=71 m72=72 m73=73 m74=74 m75=75 m76=76 m77=77 m78=78 m79=79 m80=80 m81=81 m82=82 m83=83 m84=84 m85=85 m86=86 m87=87 m88=88 m89=89 m90=90 m91=91 m92=92 m93=93 m94=94 m95=95 m96=96 m97=97 m98=98 m99=99
zrangestore small big 0 4 -> :5\r\n
zrange small 0 -1 withscores -> *10\r\n$3\r\nm10\r\n$2\r\n10\r\n$3\r\nm11\r\n$2\r\n11\r\n$3\r\nm12\r\n$2\r\n12\r\n$3\r\nm13\r\n$2\r\n13\r\n$3\r\nm14\r\n$2\r\n14\r\n
zrangestore small big (50 +inf byscore limit 0 3 -> :3\r\n
zrange small 0 -1 withscores -> *6\r\n$3\r\nm51\r\n$2\r\n51\r\n$3\r\nm52\r\n$2\r\n52\r\n$3\r\nm53\r\n$2\r\n53\r\n
zrangestore small big [m2 [m3 bylex -> :0\r\n
zrange small 0 -1 -> *0\r\n
zadd lex 0 a 0 b 0 c 0 d 0 e -> :5\r\n
zrangebylex lex (b [d -> *2\r\n$1\r\nc\r\n$1\r\nd\r\n
zrevrangebylex lex [d (b -> *2\r\n$1\r\nd\r\n$1\r\nc\r\n
zrangebylex lex - + limit 1 2 -> *2\r\n$1\r\nb\r\n$1\r\nc\r\n
zrevrangebylex lex + - limit 0 1 -> *1\r\n$1\r\ne\r\n
zlexcount lex (a [c -> :2\r\n
zlexcount lex [z + -> :0\r\n
zremrangebylex lex [b (d -> :2\r\n
zremrangebylex lex x y -> -ERR min or max not valid string range item\r\n
zrange lex 0 -1 -> *3\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n
zrangestore lex lex 0 0 -> :1\r\n
zrange lex 0 -1 -> *1\r\n$1\r\na\r\n
zrangestore lex nokey 0 -1 -> :0\r\n
exists lex -> :0\r\n
zadd z2 10 a -> :1\r\n
zadd z2 gt 5 a -> :0\r\n
zadd z2 gt ch 15 a -> :1\r\n
zadd z2 lt ch 20 a -> :0\r\n
zadd z2 lt ch 1 a 2 b -> :2\r\n
zadd z2 xx ch 3 b 4 c -> :1\r\n
zadd z2 nx 100 a 5 d -> :1\r\n
zrange z2 0 -1 withscores -> *6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n5\r\n
zadd z2 incr gt -1 a -> $-1\r\n
zadd z2 incr lt -1 a -> $1\r\n0\r\n
zadd z2 1e400 a -> -ERR value is not a valid float\r\n
zadd z2 "1 " a -> -ERR value is not a valid float\r\n
zadd z2 " 1" a -> -ERR value is not a valid float\r\n
zadd z2 0x10 a -> :0\r\n
zincrby z2 1e308 a -> $6\r\n1e+308\r\n
zincrby z2 1e308 a -> $3\r\ninf\r\n
zincrby z2 -1e308 a -> $3\r\ninf\r\n
zadd z2 -inf a -> :0\r\n
zincrby z2 inf a -> -ERR resulting score is not a number (NaN)\r\n
zcount z2 "(" "(inf" -> :2\r\n
zcount z2 "[1" 2 -> -ERR min or max is not a float\r\n
zcount z2 "(1e400" 1 -> :0\r\n
zcount z2 0x1 2 -> :0\r\n
set s x -> +OK\r\n
zadd s 1 a -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zincrby s 1 a -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zrem s a -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zscore s a -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zmscore s a -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zcard s -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zcount s 0 1 -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zlexcount s - + -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zrank s a -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zrevrank s a -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zrange s 0 1 -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zrangebyscore s 0 1 -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zrevrange s 0 1 -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zrevrangebyscore s 1 0 -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zrangebylex s - + -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zrevrangebylex s + - -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zpopmin s -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zpopmax s 1 -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zpopmin s 0 -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zremrangebyrank s 0 1 -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zremrangebyscore s 0 1 -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zremrangebylex s - + -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zrangestore d s 0 1 -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zscan s 0 -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
zadd -> -ERR wrong number of arguments for 'zadd' command\r\n
zadd k -> -ERR wrong number of arguments for 'zadd' command\r\n
zincrby k 1 -> -ERR wrong number of arguments for 'zincrby' command\r\n
zrem k -> -ERR wrong number of arguments for 'zrem' command\r\n
zscore k -> -ERR wrong number of arguments for 'zscore' command\r\n
zmscore k -> -ERR wrong number of arguments for 'zmscore' command\r\n
zcard -> -ERR wrong number of arguments for 'zcard' command\r\n
zcount k 1 -> -ERR wrong number of arguments for 'zcount' command\r\n
zrank k -> -ERR wrong number of arguments for 'zrank' command\r\n
zrange k 0 -> -ERR wrong number of arguments for 'zrange' command\r\n
zrangebyscore k 0 -> -ERR wrong number of arguments for 'zrangebyscore' command\r\n
zpopmin -> -ERR wrong number of arguments for 'zpopmin' command\r\n
zremrangebyrank k 0 -> -ERR wrong number of arguments for 'zremrangebyrank' command\r\n
zscan k -> -ERR wrong number of arguments for 'zscan' command\r\n
zrangestore d k 0 -> -ERR wrong number of arguments for 'zrangestore' command\r\n
!hello 3 -> (not compared)
zadd r3 1 a 2 b 3 c -> :3\r\n
zrange r3 0 -1 withscores -> *3\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\nc\r\n,3\r\n
zrevrange r3 0 0 withscores -> *1\r\n*2\r\n$1\r\nc\r\n,3\r\n
zrangebyscore r3 -inf +inf withscores limit 1 1 -> *1\r\n*2\r\n$1\r\nb\r\n,2\r\n
zrange r3 0 -1 -> *3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n
zscore r3 b -> ,2\r\n
zscore r3 nope -> _\r\n
zmscore r3 a nope -> *2\r\n,1\r\n_\r\n
zincrby r3 0.5 a -> ,1.5\r\n
zadd r3 incr 1 a -> ,2.5\r\n
zadd r3 xx incr 1 nope -> _\r\n
zpopmin r3 -> *2\r\n$1\r\nb\r\n,2\r\n
zpopmax r3 1 -> *1\r\n*2\r\n$1\r\nc\r\n,3\r\n
zpopmin r3 5 -> *1\r\n*2\r\n$1\r\na\r\n,2.5\r\n
zpopmin r3 -> *0\r\n
zrank r3 a -> _\r\n
zscan nokey 0 -> *2\r\n$1\r\n0\r\n*0\r\n
zadd r3 1.5 x 2.5 y -> :2\r\n
zscan r3 0 -> *2\r\n$1\r\n0\r\n*4\r\n$1\r\nx\r\n$3\r\n1.5\r\n$1\r\ny\r\n$3\r\n2.5\r\n
zrangestore d r3 0 -1 -> :2\r\n
zrange d 0 -1 withscores -> *2\r\n*2\r\n$1\r\nx\r\n,1.5\r\n*2\r\n$1\r\ny\r\n,2.5\r\n
!hello 2 -> (not compared)
EXPECTED

compare_script zset

kill -0 "${pids[0]}"
ok $? "kvd is still running"
finish

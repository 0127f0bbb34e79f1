#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `syslab run kv` as make run drives it, in smoke mode: the three servers start, redis-benchmark
# runs against each, every case and claim lands in the results, and nothing is left running.
# Plus a kvd that is not there, which must make kvd's cases unsupported, not fail the run.
. "$(dirname "$0")/tap.bash"
S="$SYSLAB_BIN/syslab"

if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
	echo "1..0 # SKIP redis-server and redis-benchmark are needed (Debian redis-server, redis-tools)"
	exit 0
fi

# Our servers are the only ones started with --maxclients 10100.
ours() { pgrep -fc -- "--maxclients 10100" || true; }
before=$(ours)

R="$TMP/r"
run "$S" run --smoke --out "$R" kv
expect_ok "run --smoke kv"
python3 - "$R/results.json" >"$TMP/check" 2>&1 <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
e = [x for x in d["experiments"] if x["name"] == "kv"][0]
cases = {c["name"]: c for c in e["cases"]}
claims = {c["text"]: c for c in e["claims"]}
def say(ok, what):
    print(("ok " if ok else "FAIL ") + what)
tests = "ping set get incr lpush rpush lpop rpop sadd hset spop zadd zpopmin lrange_100 lrange_300 mset".split()
want = [f"{s}/{t}/{c}{m}" for s in ("kvd", "redis") for t in tests for c in ("c50", "c50-P32") for m in ("", "/cpu")]
missing = [n for n in want if n not in cases]
say(not missing, f"kvd and redis cases for all 16 tests at -c 50 and -P 32, req/s and CPU (missing {missing[:3]})")
bad = [n for n in want if n in cases and (cases[n]["status"] != "ok" or len(cases[n]["samples"]) != 2 or min(cases[n]["samples"]) <= 0)]
say(not bad, f"each measured: status ok, 2 rounds, positive values (bad {bad[:3]})")
bp = ["kvd-bp/get/c50", "kvd-bp/get/c50/cpu", "kvd-bp/get/c50/client-cpu", "kvd/get/c50/client-cpu", "redis/get/c50/client-cpu"]
say(all(n in cases and cases[n]["status"] == "ok" for n in bp), "kvd --busy-poll 50 on get at -c 50, with the client's CPU per request against each server")
say(not any(n.startswith("kvd-bp/") and "/get/" not in n for n in cases), "kvd --busy-poll runs get alone in smoke mode")
say(not any("c10000" in n for n in cases), "no -c 10000 in smoke mode")
mem = [cases.get(n) for n in ("kvd/idle-conn-memory", "redis/idle-conn-memory")]
say(all(m and m["status"] == "ok" and m["summary"]["median"] > 0 for m in mem), "memory per idle connection measured for both")
verdicts = {c["verdict"] for c in e["claims"]}
say(len(e["claims"]) == 2 * 32 + 3 + 1 and verdicts <= {"holds", "does not hold", "inconclusive"},
    f"a verdict for each of the 68 claims ({len(e['claims'])}: {sorted(verdicts)})")
cond = " ".join(e["conditions"])
say("--busy-poll 50" in cond and "redis-benchmark" in cond and "pinned" in cond, "the conditions name the servers, the pinning and --busy-poll")
EOF
while read -r verdict what; do
	[ "$verdict" = ok ]
	ok $? "$what"
done <"$TMP/check"
[ "$(grep -c "" "$TMP/check")" -eq 8 ]
ok $? "the results were read ($(head -c 200 "$TMP/check"))"
sleep 0.2
[ "$(ours)" = "$before" ]
ok $? "no server is left running after the run"

# A kvd that is not there: its cases are unsupported with the reason, redis-server's still run.
SYSLAB_KVD=/nonexistent/kvd run "$S" run --smoke --out "$TMP/n" kv
expect_ok "run --smoke kv without a kvd still completes"
python3 - "$TMP/n/results.json" <<'EOF'
import json, sys
e = [x for x in json.load(open(sys.argv[1]))["experiments"] if x["name"] == "kv"][0]
c = {x["name"]: x for x in e["cases"]}
k, r = c["kvd/get/c50"], c["redis/get/c50"]
assert k["status"] == "unsupported" and "kvd is not built: no /nonexistent/kvd" in k.get("reason", ""), k
assert r["status"] == "ok", r["status"]
assert c["kvd-bp/get/c50"]["status"] == "unsupported"
EOF
ok $? "without a kvd, kvd's cases say why they were not run, and redis-server's are measured"
[ "$(ours)" = "$before" ]
ok $? "and nothing is left running"

finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The driver as a user runs it: commands, bad input, a smoke run, show, compare, report.
. "$(dirname "$0")/tap.bash"
S=$SYSLAB_BIN/syslab
FIX=${SYSLAB_SRC:-.}/tests/fixtures

run "$S" --help
expect_ok "--help exits 0"
printf '%s' "$out" | grep -q '^usage: syslab COMMAND'
ok $? "--help prints the usage"
run "$S" --version
[ "$rc" -eq 0 ] && printf '%s' "$out" | grep -qE '^syslab [0-9]+\.[0-9]+\.[0-9]+$'
ok $? "--version prints the version"
run "$S" run --help
expect_ok "a command's --help exits 0"

# Bad invocations: one line on stderr, exit 2, nothing written.
run "$S"
expect_fail 2 'no command' "no command"
run "$S" frobnicate
expect_fail 2 "unknown command 'frobnicate'" "an unknown command"
run "$S" list extra
expect_fail 2 'takes no arguments' "list with an argument"
run "$S" env --yaml
expect_fail 2 "unknown argument '--yaml'" "env with an unknown option"
cd "$TMP" || exit 1
run "$S" run nosuch
expect_fail 2 "no experiment 'nosuch'" "run of an unknown experiment"
[ ! -e syslab-results ]
ok $? "... and no output directory is created"
run "$S" run c2c c2c
expect_fail 2 "'c2c' is named twice" "an experiment named twice"
run "$S" run --seed abc falseshare
expect_fail 2 'seed takes a non-negative integer' "--seed abc"
run "$S" run --seed -3 falseshare
expect_fail 2 'seed takes a non-negative integer' "--seed -3"
run "$S" run --seed 99999999999999999999999 falseshare
expect_fail 2 'seed takes a non-negative integer' "--seed that overflows"
run "$S" run --quick --full
expect_fail 2 'one of --quick, --full' "--quick with --full"
run "$S" run --bogus
expect_fail 2 "unknown option '--bogus'" "run with an unknown option"
run "$S" run --out
expect_fail 2 "needs a value" "--out without a value"
run "$S" run --out ''
expect_fail 2 'needs a directory' "--out ''"
touch "$TMP/afile"
run "$S" run --smoke --out "$TMP/afile/x" falseshare
expect_fail 1 'not a directory' "--out under a regular file"
cd - >/dev/null || exit 1

# list and env.
run "$S" list
[ "$rc" -eq 0 ] && printf '%s' "$out" | grep -q '^falseshare ' && printf '%s' "$out" | grep -q '^c2c '
ok $? "list names falseshare and c2c"
run "$S" env
[ "$rc" -eq 0 ] && printf '%s' "$out" | grep -qE '^cpus_online +[0-9]+' && printf '%s' "$out" | grep -q '^perf.task-clock'
ok $? "env shows the CPUs and the perf counters"
run "$S" env --json
expect_ok "env --json exits 0"
if command -v python3 >/dev/null; then
	printf '%s' "$out" | python3 -c 'import json,sys; e=json.load(sys.stdin); assert e["cpus_online"] >= 1 and "timer" in e and "perf" in e'
	ok $? "env --json is JSON with cpus_online, timer and perf"
fi

# A smoke run of both experiments: the files, their structure, and the report.
R=$TMP/run1
run "$S" run --smoke --seed 7 --out "$R" falseshare c2c
expect_ok "run --smoke falseshare c2c"
[ -s "$R/results.json" ] && [ -s "$R/report.html" ]
ok $? "it writes results.json and report.html"
printf '%s' "$out" | grep -q '== falseshare' && printf '%s' "$out" | grep -q '== c2c'
ok $? "it prints a summary of both experiments"
if command -v python3 >/dev/null; then
	python3 - "$R/results.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "syslab-results" and d["version"] == 1 and d["mode"] == "smoke" and d["seed"] == 7
ex = {e["name"]: e for e in d["experiments"]}
fs = ex["falseshare"]
assert len(fs["cases"]) == 12, len(fs["cases"])
smt = d["env"]["smt"]["siblings_seen"]
for c in fs["cases"]:
    assert c["status"] in ("ok", "unsupported"), c
    if c["status"] == "ok":
        s = c["summary"]
        assert len(c["samples"]) == s["n"] >= 2
        assert s["min"] <= s["median"] <= s["max"]
        assert c["ci"]["lo"] <= s["median"] <= c["ci"]["hi"]
    else:
        assert c["reason"]
    if c["name"].endswith("/smt"):
        assert (c["status"] == "ok") == smt
for cl in fs["claims"]:
    assert cl["verdict"] in ("holds", "does not hold", "inconclusive", "not tested"), cl
    if cl["verdict"] != "not tested":
        assert cl["ci"]["lo"] <= cl["ratio"] <= cl["ci"]["hi"]
c2c = ex["c2c"]
n = d["env"]["cpus_online"]
if n >= 2:
    m = c2c["matrices"][0]
    assert len(m["values"]) == n and all(len(r) == n for r in m["values"])
    assert all(m["values"][i][i] is None for i in range(n))
    assert all(v is None or v > 0 for r in m["values"] for v in r)
PY
	ok $? "results.json follows the schema: 12 falseshare cases, claims, a c2c matrix"
fi
grep -q '<!DOCTYPE html>' "$R/report.html" && grep -q 'falseshare' "$R/report.html"
ok $? "report.html is a page about the run"

# The queue experiments: every sample checks that each item arrived exactly once, so a case
# that failed means a queue lost or duplicated an item.
Q=$TMP/queues
run "$S" run --smoke --out "$Q" ring bqueue
expect_ok "run --smoke ring bqueue"
if command -v python3 >/dev/null; then
	python3 - "$Q/results.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ex = {e["name"]: e for e in d["experiments"]}
two_cores = d["env"]["cores"] >= 2 and d["env"]["allowed_cpus"] not in ("0", "")
for name in ("ring", "bqueue"):
    e = ex[name]
    if not two_cores:
        continue
    failed = [c["name"] + ": " + c.get("reason", "") for c in e["cases"] if c["status"] == "failed"]
    assert not failed, failed
    ok = [c for c in e["cases"] if c["status"] == "ok"]
    assert len(ok) >= (13 if name == "ring" else 45), (name, len(ok))
    for cl in e["claims"]:
        assert cl["verdict"] in ("holds", "does not hold", "inconclusive", "not tested"), cl
names = {c["name"] for c in ex["ring"]["cases"]}
assert {"spsc", "ck-spsc", "mpmc-1p1c", "ck-mpmc-1p1c", "pipe", "mqueue", "rtt/spsc"} <= names, names
m = {x["name"] for x in ex["bqueue"]["matrices"]}
assert {"ns_per_item_cap1", "ns_per_item_cap1024", "ns_per_item_pipe", "wakeups_per_item_cap16"} <= m, m
PY
	ok $? "ring and bqueue: no item lost in any case, every anchor measured, the matrices written"
fi

# Under taskset the lab runs only where it is allowed to.
last=$(($(nproc) - 1))
if command -v taskset >/dev/null && command -v python3 >/dev/null; then
	run taskset -c "$last" "$S" run --smoke --out "$TMP/ts" falseshare c2c
	expect_ok "run under taskset -c $last"
	python3 - "$TMP/ts/results.json" "$last" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); cpu = int(sys.argv[2])
assert d["env"]["allowed_cpus"] == str(cpu), d["env"]["allowed_cpus"]
cases = {c["name"]: c for e in d["experiments"] for c in e["cases"]}
assert cases["packed/same-cpu"]["cpus"] == [cpu, cpu], cases["packed/same-cpu"]["cpus"]
assert cases["packed/cores"]["status"] == "unsupported"
assert "may use" in cases["packed/cores"]["reason"]
assert not any(n.startswith("cpu") for n in cases), "no c2c pair on one CPU"
assert cases["timer/clock_gettime"]["cpus"] == [cpu]
PY
	ok $? "... it uses only CPU $last, and says why the other placements are missing"
fi

# show, report, compare.
run "$S" show "$R/results.json"
[ "$rc" -eq 0 ] && printf '%s' "$out" | grep -q '== c2c'
ok $? "show prints a results file"
run "$S" report "$R/results.json" --out "$TMP/again.html"
[ "$rc" -eq 0 ] && [ -s "$TMP/again.html" ]
ok $? "report re-renders a page"
run "$S" compare "$R/results.json" "$R/results.json"
[ "$rc" -eq 0 ] && ! printf '%s' "$out" | grep -qE ' (slower|faster)$' &&
	printf '%s' "$out" | grep -q 'no significant change'
ok $? "compare of a run with itself finds no significant change"
if command -v python3 >/dev/null; then
	# The doubled run is made from the fixture, whose samples are fixed: a smoke run's few, noisy
	# samples can leave even an exact 2x inside the noise, and a test must not depend on timing.
	python3 - "$FIX/results-v1.json" "$TMP/slow.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for e in d["experiments"]:
    for c in e["cases"]:
        if c.get("status") == "ok":
            c["samples"] = [2 * v for v in c["samples"]]
json.dump(d, open(sys.argv[2], "w"))
PY
	run "$S" compare "$FIX/results-v1.json" "$TMP/slow.json"
	slower=$(printf '%s' "$out" | grep -cE ' slower$')
	okcases=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(c.get("status")=="ok" for e in d["experiments"] for c in e["cases"]))' "$FIX/results-v1.json")
	[ "$rc" -eq 0 ] && [ "$slower" -eq "$okcases" ] && [ "$okcases" -gt 0 ]
	ok $? "compare flags every case of a run made 2x slower as slower ($slower of $okcases)"
	run "$S" compare --json "$FIX/results-v1.json" "$TMP/slow.json"
	printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); r=[c["ratio"] for c in d["cases"] if "ratio" in c]; assert r and all(abs(x-2)<1e-9 for x in r)'
	ok $? "compare --json gives the ratio 2 for every case"
fi

# Bad results files: one line, exit 1.
run "$S" show "$TMP/nonexistent.json"
expect_fail 1 'No such file' "show of a missing file"
printf '{"schema": "syslab-results", "version": 1, "experim' >"$TMP/trunc.json"
run "$S" show "$TMP/trunc.json"
expect_fail 1 'not valid JSON' "show of a truncated file"
printf '[1, 2, 3]' >"$TMP/array.json"
run "$S" show "$TMP/array.json"
expect_fail 1 'not a syslab results document' "show of JSON that is not a results document"
printf '{"schema": "syslab-results", "version": 99, "experiments": []}' >"$TMP/v99.json"
run "$S" show "$TMP/v99.json"
expect_fail 1 'version 99 is newer' "show of a newer version"
run "$S" show "$R"
expect_fail 1 "$R" "show of a directory"
run "$S" compare "$R/results.json"
expect_fail 2 'takes two results files' "compare with one file"
run "$S" compare "$R/results.json" "$TMP/trunc.json"
expect_fail 1 'not valid JSON' "compare with a truncated file"
run "$S" report "$TMP/v99.json"
expect_fail 1 'newer' "report of a newer version"
[ ! -e "$TMP/report.html" ]
ok $? "... writes no page"

finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# procjail at a terminal: an interactive bash in a pseudo-terminal runs it as a user would, and
# Ctrl-C, Ctrl-Z, fg, bg and a background read must behave as they do without procjail.
. "$(dirname "$0")/tap.bash"
P="$SYSLAB_BIN/procjail"
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 is not installed"; exit 77; }
command -v bash >/dev/null || { echo "1..0 # SKIP bash is not installed"; exit 77; }

# The driver prints one TAP line per check; ok/not ok are counted by tap.bash's finish below.
python3 - "$P" >"$TMP/tap" 2>&1 <<'PY'
import os, pty, re, select, subprocess, sys, time

pj = sys.argv[1]
n = 0


def check(cond, name, why=""):
    global n
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, name))
    if not cond and why:
        print("#   " + why.replace("\n", "\n#   "))


pid, fd = pty.fork()
if pid == 0:
    os.environ["PS1"] = "PJ> "
    os.environ["TERM"] = "dumb"
    os.execvp("bash", ["bash", "--norc", "--noprofile", "-i"])

seen = b""


def expect(pattern, timeout=15.0):
    """Reads the terminal until pattern (a regex) shows up in what came after the last match."""
    global seen
    end = time.time() + timeout
    while True:
        m = re.search(pattern.encode(), seen)
        if m:
            seen = seen[m.end():]
            return True
        left = end - time.time()
        if left <= 0:
            print("#   waited for %r; the terminal showed: %r" % (pattern, seen[-300:]))
            return False
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                return False


def send(text):
    os.write(fd, text.encode())


def running(cmdline, want=True, timeout=10.0):
    """Waits until a process with exactly this command line exists (or is gone)."""
    end = time.time() + timeout
    while time.time() < end:
        found = subprocess.run(["pgrep", "-fx", cmdline], capture_output=True).returncode == 0
        if found == want:
            return True
        time.sleep(0.05)
    return False


def status_of(cmdline):
    out = subprocess.run(["pgrep", "-fx", cmdline], capture_output=True, text=True).stdout.split()
    if not out:
        return ""
    with open("/proc/%s/stat" % out[0]) as f:
        return f.read().rsplit(")", 1)[1].split()[0]


check(expect(r"PJ> "), "an interactive bash in a pseudo-terminal")

# Ctrl-C: the command is in the terminal's foreground group and dies of SIGINT: 128+2.
send("%s -- sleep 101\n" % pj)
check(running("sleep 101"), "the jailed command runs")
send("\x03")
check(running("sleep 101", want=False), "Ctrl-C ends it")
send("echo rc=$?\n")
check(expect(r"rc=130"), "and procjail exits 130, as the shell would see it without procjail")

# Ctrl-Z stops the job (procjail too, so the shell sees it stopped), fg resumes it.
send("%s -- sleep 102\n" % pj)
check(running("sleep 102"), "a second command runs")
send("\x1a")
check(expect(r"Stopped"), "Ctrl-Z: the shell reports the job stopped")
check(status_of("sleep 102") == "T", "the jailed command is stopped (state %r)" % status_of("sleep 102"))
send("fg\n")
time.sleep(0.3)
check(status_of("sleep 102") == "S", "fg: it runs again (state %r)" % status_of("sleep 102"))
send("\x03")
send("echo rc=$?\n")
check(expect(r"rc=130"), "Ctrl-C after fg: 130")

# bg: stopped, then continued in the background; the shell can kill it as a job.
send("%s -- sleep 103\n" % pj)
check(running("sleep 103"), "a third command runs")
send("\x1a")
check(expect(r"Stopped"), "stopped again")
send("bg\n")
time.sleep(0.3)
check(status_of("sleep 103") == "S", "bg: running in the background (state %r)" % status_of("sleep 103"))
send("kill %1; wait %1; echo rc=$?\n")
check(expect(r"rc=143"), "kill %1: the job ends with SIGTERM, 143")
check(running("sleep 103", want=False), "and the jailed command is gone")

# A background job that reads the terminal is stopped by SIGTTIN, as cat & would be.
send("%s -- cat &\n" % pj)
check(running("cat"), "a background job that reads the terminal")
time.sleep(0.5)
send("\n")  # bash reports a job's change of state before it prints the next prompt
check(expect(r"Stopped"), "the job is stopped (SIGTTIN), as cat & would be")
check(status_of("cat") == "T", "the jailed cat is stopped (state %r)" % status_of("cat"))
# bash's kill sends SIGCONT after SIGTERM to a stopped job: procjail relays both, cat dies of TERM.
send("kill %1; sleep 0.5\n")
check(expect(r"Exit 143"), "kill %1 on the stopped job: bash reports it ended with SIGTERM, 143")
check(running("cat", want=False), "no cat left")

send("exit\n")
os.waitpid(pid, 0)
print("1..%d" % n)
PY
py=$?
cat "$TMP/tap"
# The python driver's TAP lines are the test's; count them for tests/run.sh.
[ $py -eq 0 ] && ! grep -q '^not ok' "$TMP/tap" && grep -q '^1\.\.' "$TMP/tap"

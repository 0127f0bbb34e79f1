# SPDX-License-Identifier: MIT
"""kvd_resp: a raw RESP client for kvd's integration tests, and the command-script runner.

`python3 kvd_resp.py script SOCKET < COMMANDS`: one command a line, "cmd -> reply" printed for
each, the reply's bytes as they came (so two servers' answers compare byte for byte).
"""
import socket, sys, shlex, time

def enc(args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out

class Conn:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(10)
        self.s.connect(path)
        self.buf = b""
    def _fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError("connection closed")
        self.buf += d
    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        i = self.buf.index(b"\r\n")
        l, self.buf = self.buf[:i], self.buf[i + 2:]
        return l
    def read(self):
        l = self._line()
        t, out = l[:1], l + b"\r\n"
        if t in b"$=!":
            n = int(l[1:])
            if n >= 0:
                while len(self.buf) < n + 2:
                    self._fill()
                out += self.buf[:n + 2]
                self.buf = self.buf[n + 2:]
        elif t in b"*~%>":
            n = int(l[1:]) * (2 if t == b"%" else 1)
            for _ in range(max(n, 0)):
                out += self.read()
        return out
    def send(self, *args):
        self.s.sendall(enc([a if isinstance(a, bytes) else a.encode() for a in args]))
    def cmd(self, *args):
        self.send(*args)
        return self.read()

def show(b):
    return repr(b)[2:-1]

def parse(line):
    # Shell-like words; \xNN and \r\n escapes give binary arguments.
    return [a.encode("latin1").decode("unicode_escape").encode("latin1") for a in shlex.split(line)]

def script(path):
    # One command a line: "cmd -> reply". A line "!cmd" runs without comparing its reply (HELLO).
    c = Conn(path)
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        if line.startswith("@zscanall "):
            print(line, "->", zscan_all(c, *parse(line[10:])))
            continue
        if line.startswith("!"):
            c.cmd(*parse(line[1:]))
            print(line, "-> (not compared)")
            continue
        print(line, "->", show(c.cmd(*parse(line))))

def zscan_all(c, key, *opts):
    # A whole ZSCAN iteration, as a sorted list of distinct pairs: cursors and order may differ.
    cursor, seen = b"0", set()
    for _ in range(100000):
        r = c.cmd(b"ZSCAN", key, cursor, *opts)
        if not r.startswith(b"*2\r\n"):
            return show(r)
        c2 = Conn.__new__(Conn)
        c2.buf, c2.s = r[4:], None
        cursor = c2.read().split(b"\r\n")[1]
        items = c2.read().split(b"\r\n")[1:-1]
        vals = items[1::2]
        seen.update(zip(vals[0::2], vals[1::2]))
        if cursor == b"0":
            return "%d pairs %s" % (len(seen), show(b" ".join(m + b"=" + s for m, s in sorted(seen))))
    return "no end"

def wait_blocked(c, n):
    # Until INFO says n clients are blocked: a waiting client is then certainly registered.
    for _ in range(1000):
        info = c.cmd("INFO", "clients")
        if b"blocked_clients:%d\r\n" % n in info:
            return "blocked %d" % n
        time.sleep(0.005)
    return "not blocked %d" % n


if __name__ == "__main__":
    {"script": script}[sys.argv[1]](sys.argv[2])

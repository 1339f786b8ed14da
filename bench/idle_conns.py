#!/usr/bin/env python3
"""Idle keep-alive connections against one HTTP proxy, and what they cost it in RSS.

Used by bench/compare.sh (scenario idle8000); python3 standard library only.

  idle_conns.py --port PORT --pid PID [--count 8000] [--hold 3] [--window 64] [--warmup 64]

1. warm-up: WARMUP connections, one request each, closed again (so lazily allocated state and
   the proxy's upstream pool exist before the first measurement), then SETTLE_S seconds of
   quiet: state made at a proxy's next periodic tick after its first traffic must land before
   the first measurement too (meshlb's analytics store makes the first series of its backends
   then: two blocks of 1.2 MB, which a 0.5 s pause put after it, about 200 bytes per connection
   of 8,000 that no connection costs);
2. VmRSS of PID plus its direct children (nginx: master + workers) = "before";
3. COUNT connections to 127.0.0.1:PORT, each sending one complete keep-alive request
   ("GET / HTTP/1.1") and reading the whole answer; at most WINDOW connections are connecting or
   waiting for their answer at any time, so the proxy never needs more than about WINDOW
   upstream connections; answered connections stay open and silent;
4. HOLD seconds of silence, then VmRSS again = "after", then every connection is checked to be
   still open (the proxy did not close it);
5. one JSON object on stdout: count, answered, held, failures by reason, rss_before_kb,
   rss_after_kb, bytes_per_conn = (after - before) * 1024 / held, setup_s.

Exit status 0 when the measurement could be taken (even if some connections failed: the JSON
says how many), 2 on bad usage or when the descriptor limit is too low.
"""

import argparse
import errno
import json
import os
import resource
import selectors
import socket
import sys
import time

# Quiet after the warm-up: longer than meshlb's one-second analytics and stats ticks.
SETTLE_S = 2.0

REQUEST_TEMPLATE = "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: meshlb-idle-conns\r\nAccept: */*\r\n\r\n"


def rss_kb(pid):
    """VmRSS in kB of pid plus its direct children (as compare.sh's rss_kb)."""
    pids = [pid]
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # the comm field may hold spaces and parentheses: the ppid follows the last ')'
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            pids.append(int(entry))
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


class Conn:
    __slots__ = ("sock", "state", "out", "buf")

    def __init__(self, sock, request):
        self.sock = sock
        self.state = "connecting"
        self.out = request
        self.buf = b""


def response_complete(buf):
    """None while incomplete; else (status, keep_alive)."""
    head_end = buf.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    head = buf[:head_end].decode("latin-1").split("\r\n")
    try:
        status = int(head[0].split()[1])
    except (IndexError, ValueError):
        return (0, False)
    length, chunked, keep_alive = None, False, True
    for line in head[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value:
            chunked = True
        elif name == "connection" and "close" in value:
            keep_alive = False
    body = buf[head_end + 4:]
    if chunked:
        return (status, keep_alive) if body.endswith(b"0\r\n\r\n") else None
    if length is None:
        return None  # read-until-close answer: not a keep-alive exchange; ends as eof
    return (status, keep_alive) if len(body) >= length else None


def run(port, count, window, deadline, failures, keep):
    """Opens count connections, one request each, at most window in progress at once.
    Returns the answered sockets (kept open when keep)."""
    request = REQUEST_TEMPLATE.format(port=port).encode()
    sel = selectors.DefaultSelector()
    answered = []
    started = in_progress = 0

    def fail(conn, reason):
        nonlocal in_progress
        failures[reason] = failures.get(reason, 0) + 1
        sel.unregister(conn.sock)
        conn.sock.close()
        in_progress -= 1

    while (started < count or in_progress > 0) and time.monotonic() < deadline:
        while started < count and in_progress < window:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            rc = s.connect_ex(("127.0.0.1", port))
            started += 1
            in_progress += 1
            conn = Conn(s, request)
            if rc not in (0, errno.EINPROGRESS):
                sel.register(s, selectors.EVENT_WRITE, conn)
                fail(conn, "connect: " + errno.errorcode.get(rc, str(rc)))
                continue
            sel.register(s, selectors.EVENT_WRITE, conn)
        for key, _ in sel.select(timeout=0.2):
            conn = key.data
            if conn.state == "connecting":
                err = conn.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    fail(conn, "connect: " + errno.errorcode.get(err, str(err)))
                    continue
                conn.state = "sending"
            if conn.state == "sending":
                try:
                    sent = conn.sock.send(conn.out)
                except BlockingIOError:
                    continue
                except OSError as e:
                    fail(conn, "send: " + errno.errorcode.get(e.errno, str(e.errno)))
                    continue
                conn.out = conn.out[sent:]
                if not conn.out:
                    conn.state = "reading"
                    sel.modify(conn.sock, selectors.EVENT_READ, conn)
                continue
            try:
                data = conn.sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError as e:
                fail(conn, "recv: " + errno.errorcode.get(e.errno, str(e.errno)))
                continue
            if not data:
                fail(conn, "closed before a complete answer")
                continue
            conn.buf += data
            done = response_complete(conn.buf)
            if done is None:
                continue
            status, keep_alive = done
            if not 200 <= status < 400:
                fail(conn, f"status {status}")
                continue
            if not keep_alive:
                fail(conn, "answer said Connection: close")
                continue
            sel.unregister(conn.sock)
            in_progress -= 1
            if keep:
                answered.append(conn.sock)
            else:
                conn.sock.close()
                answered.append(None)
    for key in list(sel.get_map().values()):
        failures["timed out"] = failures.get("timed out", 0) + 1
        key.fileobj.close()
    sel.close()
    return answered


def still_open(socks):
    """How many of the idle sockets the proxy has not closed (no EOF, no error, no stray data)."""
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    readable = {key.fileobj for key, _ in sel.select(timeout=0)}
    sel.close()
    held = 0
    for s in socks:
        if s not in readable:
            held += 1
            continue
        try:
            if s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT):
                held += 1  # unexpected bytes, but the connection is still open
        except BlockingIOError:
            held += 1
        except OSError:
            pass
    return held


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True, help="process whose VmRSS (+ children) is measured")
    ap.add_argument("--count", type=int, default=8000)
    ap.add_argument("--hold", type=float, default=3.0)
    ap.add_argument("--window", type=int, default=64)
    ap.add_argument("--warmup", type=int, default=64)
    ap.add_argument("--timeout", type=float, default=60.0, help="limit for opening all connections")
    args = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = args.count + args.window + 64
    if hard != resource.RLIM_INFINITY and hard < need:
        print(f"idle_conns.py: the descriptor hard limit {hard} is below the {need} needed", file=sys.stderr)
        return 2
    if soft != resource.RLIM_INFINITY and soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else need, hard))

    warm_failures = {}
    warm = run(args.port, args.warmup, args.window, time.monotonic() + 10, warm_failures, keep=False)
    time.sleep(SETTLE_S)
    before = rss_kb(args.pid)

    failures = {}
    t0 = time.monotonic()
    socks = run(args.port, args.count, args.window, t0 + args.timeout, failures, keep=True)
    setup_s = time.monotonic() - t0
    time.sleep(args.hold)
    after = rss_kb(args.pid)
    held = still_open(socks)
    for s in socks:
        s.close()

    print(json.dumps({
        "count": args.count,
        "answered": len(socks),
        "held": held,
        "failures": failures,
        "warmup_answered": len(warm),
        "warmup_failures": warm_failures,
        "rss_before_kb": before,
        "rss_after_kb": after,
        "bytes_per_conn": round((after - before) * 1024 / held, 1) if held else None,
        "setup_s": round(setup_s, 2),
        "hold_s": args.hold,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())

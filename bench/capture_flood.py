#!/usr/bin/env python3
"""Capture under stress: a flood of tiny UDP packets on lo overruns meshlb's capture buffer.
The drops must be counted, and the proxy's latency must not suffer from them.

  bench/capture_flood.py [--build build] [--seconds 10] [--rate 1000] [--senders 1]

meshlb (1 worker) runs with capture on lo, a filter for this run's ports only (the proxy's and
the flood's), the smallest kernel buffer
(buffer_mb 1) and snaplen 64, so the flood lands in the capture buffer. Three phases of SECONDS
each, the same latency probe in all of them (one keep-alive client, RATE requests/s, a fixed
schedule, each request timed):
  1. quiet:      no flood;
  2. flood unseen: SENDERS processes send 1-byte UDP datagrams to a socket on 127.0.0.1 that
                 never reads them, on a port outside the capture filter: what the flood's own
                 CPU use does to the proxy (on 2 cores the senders compete with it);
  3. flood seen:   the same flood to a port inside the filter: the capture buffer overruns;
  4. quiet again   (the capture recovers).
The capture's own effect on latency is phase 3 against phase 2 (same flood, same CPU use).
Prints a table and writes bench/results/capture-flood-<date>.json; exit 1 when no drop was
counted, a probe request failed, or meshlb died. Needs root (capture).
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from meshlb_fixture import MeshlbFixture, read_response, save_result, utc_now  # noqa: E402

FLOOD_SENDER = """
import socket, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.monotonic() + seconds
sent = 0
while True:
    for _ in range(1000):
        try:
            s.sendto(b"x", ("127.0.0.1", port))
            sent += 1
        except OSError:
            pass
    if time.monotonic() >= end:
        break
print(sent)
"""


def probe(port, seconds, rate):
    """Keep-alive GETs on a fixed schedule; latencies in ms and the number of failures."""
    request = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    latencies, failures = [], 0
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    interval = 1.0 / rate
    start = time.monotonic()
    n = 0
    while time.monotonic() - start < seconds:
        due = start + n * interval
        n += 1
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        t0 = time.perf_counter()
        try:
            sock.sendall(request)
            head = read_response(sock)
            if not head.startswith(b"HTTP/1.1 200"):
                raise OSError(head.split(b"\r\n")[0].decode())
            latencies.append((time.perf_counter() - t0) * 1000)
        except OSError:
            failures += 1
            sock.close()
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.close()
    return latencies, failures


def cpu_busy_percent(seconds_fn):
    """Runs seconds_fn() and returns (its result, the machine's busy CPU % meanwhile)."""
    def ticks():
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        return sum(fields), fields[3] + fields[4]
    total0, idle0 = ticks()
    result = seconds_fn()
    total1, idle1 = ticks()
    return result, round(100 * (1 - (idle1 - idle0) / max(1, total1 - total0)), 1)


def capture_counts(fx):
    return {name: fx.stat(name) for name in
            ("capture_packets_total", "capture_kernel_drops_total", "capture_interface_drops_total",
             "capture_decoded_packets_total")}


def summary(latencies):
    if not latencies:
        return {"count": 0}
    ordered = sorted(latencies)
    return {"count": len(ordered), "p50_ms": round(statistics.median(ordered), 3),
            "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 3),
            "max_ms": round(ordered[-1], 3)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=1)
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("capture_flood.py: needs root for live capture on lo")

    sinks = []  # never read: the flood's targets, one the capture sees and one it does not
    for _ in range(2):
        sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sink.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sink.bind(("127.0.0.1", 0))
        sinks.append(sink)
    seen_port, unseen_port = (s.getsockname()[1] for s in sinks)
    capture = {"interfaces": ["lo"], "buffer_mb": 1, "snaplen": 64}
    fixture = MeshlbFixture(args.build, upstreams=3, workers=1, capture=capture)
    # This run's own traffic only (the proxy's ports and the flood's), not the rest of lo.
    capture["filter"] = " or ".join([f"udp port {seen_port}", f"tcp port {fixture.listen_port}"] +
                                    [f"tcp port {p}" for p in fixture.upstream_ports])
    phases = []
    with fixture as fx:
        time.sleep(1)
        for name, flood_port in (("quiet", None), ("flood unseen", unseen_port),
                                 ("flood seen", seen_port), ("quiet again", None)):
            before = capture_counts(fx)
            senders = []
            if flood_port is not None:
                senders = [subprocess.Popen([sys.executable, "-c", FLOOD_SENDER, str(flood_port),
                                             str(args.seconds)], stdout=subprocess.PIPE, text=True)
                           for _ in range(args.senders)]
            (latencies, failures), busy = cpu_busy_percent(
                lambda: probe(fx.listen_port, args.seconds, args.rate))
            sent = sum(int(s.communicate()[0] or 0) for s in senders)
            time.sleep(1.5)  # the capture thread reports its counters once a second
            after = capture_counts(fx)
            delta = {k: after[k] - before[k] for k in after}
            phases.append({"phase": name, "latency": summary(latencies), "failures": failures,
                           "cpu_busy_percent": busy, "flood_datagrams_sent": sent,
                           "capture": delta})
        alive = fx.alive()

    print(f"{'phase':12} {'requests':>8} {'fail':>4} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} "
          f"{'CPU %':>5} {'sent':>9} {'captured':>9} {'kern drop':>9} {'if drop':>7}")
    for p in phases:
        lat, cap = p["latency"], p["capture"]
        print(f"{p['phase']:12} {lat['count']:8d} {p['failures']:4d} {lat.get('p50_ms', 0):7.3f} "
              f"{lat.get('p99_ms', 0):7.3f} {lat.get('max_ms', 0):7.3f} {p['cpu_busy_percent']:5.1f} "
              f"{p['flood_datagrams_sent']:9d} {cap['capture_packets_total']:9.0f} "
              f"{cap['capture_kernel_drops_total']:9.0f} {cap['capture_interface_drops_total']:7.0f}")
    result = {
        "date": utc_now(),
        "command": " ".join(["bench/capture_flood.py"] + sys.argv[1:]),
        "capture_config": capture, "rate": args.rate, "seconds": args.seconds,
        "senders": args.senders, "meshlb_alive": alive, "phases": phases,
    }
    unseen, seen = phases[1], phases[2]
    ratio = seen["latency"]["p99_ms"] / max(unseen["latency"]["p99_ms"], 0.001)
    result["p99_seen_over_unseen"] = round(ratio, 2)
    path = save_result("capture-flood", result)
    print(f"result: {path}")
    print(f"p99 with the flood captured / with the same flood outside the filter: {ratio:.2f}")
    ok = (alive and seen["capture"]["capture_kernel_drops_total"] > 0 and
          all(p["failures"] == 0 for p in phases))
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

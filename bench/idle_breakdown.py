#!/usr/bin/env python3
"""Where an idle keep-alive connection's memory goes in meshlb, mapping by mapping.

bench/compare.sh's idle8000 gives one figure per connection from VmRSS, whose "before" depends on
how much memory the process freed and kept during the warm-up (a few hundred bytes per
connection either way). This script reads /proc/PID/smaps before and after instead, so each
anonymous mapping's growth can be told apart: a worker's malloc arena (the sessions), the flow
table's entries (a mapping of their own; with transparent huge pages it grows in 2 MiB steps),
the capture thread's arena. python3 standard library only.

  bench/idle_breakdown.py [--build build] [--count 8000] [--hold 3] [--nocap]

1. meshlb (1 worker, analytics on, capture on lo unless --nocap; capture needs root) in front of
   3 meshlb-test-upstream backends (bench/meshlb_fixture.py);
2. warm-up: 64 connections of one request each, closed again; 1.5 s to settle; smaps "before";
3. COUNT connections, one answered keep-alive request each, held open; HOLD s; smaps "after";
4. prints bytes per connection in total (VmRSS) and for the mappings that grew most.
"""

import argparse
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from meshlb_fixture import MeshlbFixture, raise_fd_limit, read_response  # noqa: E402


def rss_by_mapping(pid):
    """{mapping header line: Rss in kB} from /proc/PID/smaps."""
    sizes = {}
    current = None
    with open(f"/proc/{pid}/smaps") as smaps:
        for line in smaps:
            fields = line.split()
            if fields and "-" in fields[0] and not fields[0].endswith(":"):
                current = line.strip()
            elif fields and fields[0] == "Rss:" and current is not None:
                sizes[current] = int(fields[1])
    return sizes


def one_request(port):
    """A connection that sent one keep-alive request and read its whole answer."""
    conn = socket.create_connection(("127.0.0.1", port))
    conn.sendall(b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n")
    read_response(conn)
    return conn


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--count", type=int, default=8000)
    parser.add_argument("--hold", type=float, default=3.0)
    parser.add_argument("--nocap", action="store_true", help="without the capture section")
    args = parser.parse_args()
    if raise_fd_limit() < args.count + 1000:
        sys.exit(f"the descriptor limit is too low for {args.count} connections")
    capture = None if args.nocap else {"interfaces": ["lo"]}
    with MeshlbFixture(args.build, upstreams=3, workers=1, capture=capture) as fx:
        port = fx.listen_port
        for _ in range(64):
            one_request(port).close()
        time.sleep(1.5)
        before, rss_before = rss_by_mapping(fx.pid), fx.rss_kb()
        held = [one_request(port) for _ in range(args.count)]
        time.sleep(args.hold)
        after, rss_after = rss_by_mapping(fx.pid), fx.rss_kb()
        print(f"meshlb {'without' if args.nocap else 'with'} capture, {len(held)} idle "
              f"connections: {(rss_after - rss_before) * 1024 / len(held):.0f} bytes each (VmRSS)")
        growth = sorted(((after.get(k, 0) - before.get(k, 0), k) for k in after), reverse=True)
        for kb, mapping in growth[:6]:
            if kb > 0:
                print(f"  {kb * 1024 / len(held):6.0f} B/conn  {kb:7d} kB  {mapping[:100]}")
        for conn in held:
            conn.close()


if __name__ == "__main__":
    main()

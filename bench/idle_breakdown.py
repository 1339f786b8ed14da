#!/usr/bin/env python3
"""Where an idle keep-alive connection's memory goes in meshlb, mapping by mapping.

bench/compare.sh's idle8000 gives one figure per connection from VmRSS, whose "before" depends on
how much memory the process freed and kept during the warm-up (a few hundred bytes per
connection either way). This script reads /proc/PID/smaps before and after instead, so each
anonymous mapping's growth can be told apart: a worker's malloc arena (the sessions), the flow
table's entries (a mapping of their own; with transparent huge pages it grows in 2 MiB steps),
the capture thread's arena. python3 standard library only.

  bench/idle_breakdown.py [--build build] [--count 8000] [--hold 3] [--nocap] [--window N]

1. meshlb (1 worker, analytics on, capture on lo unless --nocap; capture needs root) in front of
   3 meshlb-test-upstream backends (bench/meshlb_fixture.py);
2. warm-up: 64 connections of one request each, closed again; idle_conns.SETTLE_S to settle;
   smaps "before";
3. COUNT connections, one answered keep-alive request each, held open; HOLD s; smaps "after";
   both through bench/idle_conns.py's run(), N at a time with --window N (compare.sh's
   idle8000 uses 64; the default 1 runs them one after the other);
4. prints bytes per connection in total (VmRSS) and for the mappings that grew most.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from meshlb_fixture import MeshlbFixture, raise_fd_limit  # noqa: E402
import idle_conns  # noqa: E402


def rss_by_mapping(pid):
    """[(start, end, header line, Rss in kB)] from /proc/PID/smaps."""
    mappings = []
    with open(f"/proc/{pid}/smaps") as smaps:
        for line in smaps:
            fields = line.split()
            if fields and "-" in fields[0] and not fields[0].endswith(":"):
                start, end = (int(x, 16) for x in fields[0].split("-"))
                mappings.append([start, end, line.strip(), 0])
            elif fields and fields[0] == "Rss:" and mappings:
                mappings[-1][3] = int(fields[1])
    return mappings


def growth_by_mapping(before, after):
    """[(kB grown, header line)] for each mapping of `after`: its Rss minus the Rss of the
    mappings of `before` that overlap it. A mapping's range changes as it grows (brk's heap and a
    malloc arena at the end, a stack or a neighbour merged below at the start), so matching by
    range or by one end would count some of them whole."""
    growth = []
    for start, end, header, rss in after:
        earlier = sum(b_rss for b_start, b_end, _, b_rss in before if b_start < end and start < b_end)
        growth.append((rss - earlier, header))
    return growth


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--count", type=int, default=8000)
    parser.add_argument("--hold", type=float, default=3.0)
    parser.add_argument("--nocap", action="store_true", help="without the capture section")
    parser.add_argument("--window", type=int, default=1,
                        help="connections in progress at once (compare.sh's idle8000 uses 64)")
    args = parser.parse_args()
    if raise_fd_limit() < args.count + 1000:
        sys.exit(f"the descriptor limit is too low for {args.count} connections")
    capture = None if args.nocap else {"interfaces": ["lo"]}
    with MeshlbFixture(args.build, upstreams=3, workers=1, capture=capture) as fx:
        port = fx.listen_port
        warm_failures, failures = {}, {}
        idle_conns.run(port, 64, args.window, time.monotonic() + 10, warm_failures, keep=False)
        if warm_failures:
            sys.exit(f"warm-up connections failed: {warm_failures}")
        time.sleep(idle_conns.SETTLE_S)
        before, rss_before = rss_by_mapping(fx.pid), fx.rss_kb()
        held = idle_conns.run(port, args.count, args.window, time.monotonic() + 60, failures,
                              keep=True)
        if failures:
            sys.exit(f"connections failed: {failures}")
        time.sleep(args.hold)
        after, rss_after = rss_by_mapping(fx.pid), fx.rss_kb()
        print(f"meshlb {'without' if args.nocap else 'with'} capture, {len(held)} idle "
              f"connections: {(rss_after - rss_before) * 1024 / len(held):.0f} bytes each (VmRSS)")
        growth = sorted(growth_by_mapping(before, after), reverse=True)
        for kb, mapping in growth[:6]:
            if kb > 0:
                print(f"  {kb * 1024 / len(held):6.0f} B/conn  {kb:7d} kB  {mapping[:100]}")
        for conn in held:
            conn.close()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Soak: meshlb (2 workers, capture and analytics on) under wrk at 1,000 keep-alive connections
for DURATION seconds. Does memory creep, do descriptors leak?

  bench/soak.py [--build build] [--duration 600] [--connections 1000] [--warmup 60]

- baseline: meshlb's open descriptors and RSS, ready and idle, before the load;
- under load, every 10 s: RSS, descriptors, active downstream connections (a table per minute);
- RSS drift = (RSS at the end of the load - RSS after the warm-up) / RSS after the warm-up:
  the warm-up lets buffers, pools and the flow table reach their working size first;
- after the load: how long until the descriptors are back at the baseline (at most 90 s: the
  pooled upstream connections close after their idle timeout, 60 s by default).
The config is the defaults' (upstream_idle_timeout_ms 60 s): with a short one the pools close and
reopen connections all the time, and the heap's high-water mark follows the busiest moment.
Prints a summary and writes bench/results/soak-<date>.json. Exit 1 when meshlb died, wrk saw
errors, drift >= 2 % or descriptors did not come back. Needs wrk; root for capture.
"""

import argparse
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from meshlb_fixture import MeshlbFixture, raise_fd_limit, save_result, utc_now  # noqa: E402


def parse_wrk(text):
    result = {"requests": 0, "socket_errors": 0, "non_2xx": 0, "p99_ms": None}
    if m := re.search(r"(\d+) requests in", text):
        result["requests"] = int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text):
        result["socket_errors"] = sum(int(x) for x in m.groups())
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", text):
        result["non_2xx"] = int(m.group(1))
    if m := re.search(r"99%\s+([\d.]+)(us|ms|s)", text):
        scale = {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
        result["p99_ms"] = round(float(m.group(1)) * scale, 2)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--duration", type=int, default=600)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=60)
    args = parser.parse_args()
    if args.warmup >= args.duration:
        parser.error("--warmup must be shorter than --duration")
    raise_fd_limit()

    capture = {"interfaces": ["lo"]} if os.geteuid() == 0 else None
    with MeshlbFixture(args.build, upstreams=3, workers=2, capture=capture) as fx:
        time.sleep(2)
        base_fds, base_rss = fx.open_fds(), fx.rss_kb()
        print(f"baseline: {base_fds} descriptors, RSS {base_rss} kB "
              f"(capture {'on' if capture else 'off: not root'})", flush=True)
        wrk = subprocess.Popen(
            ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "5s",
             "--latency", fx.url], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        start = time.monotonic()
        samples = []
        next_sample = 10
        while wrk.poll() is None and fx.alive():
            time.sleep(0.5)
            if time.monotonic() - start < next_sample or wrk.poll() is not None:
                continue
            next_sample += 10
            t = round(time.monotonic() - start)
            sample = {"t_s": t, "rss_kb": fx.rss_kb(), "fds": fx.open_fds(),
                      "active": fx.stat("downstream_connections_active")}
            samples.append(sample)
            if t % 60 < 10:
                print(f"  t={t:4d} s  RSS {sample['rss_kb']:7d} kB  fds {sample['fds']:5d}  "
                      f"client connections {sample['active']:5.0f}", flush=True)
        wrk_out = wrk.communicate()[0]
        load = parse_wrk(wrk_out)
        alive = fx.alive()
        after_warmup = next((s for s in samples if s["t_s"] >= args.warmup), None)
        under_load = [s for s in samples if s["active"] >= args.connections * 0.9]
        end = under_load[-1] if under_load else None
        drift = None
        if after_warmup and end:
            drift = (end["rss_kb"] - after_warmup["rss_kb"]) / after_warmup["rss_kb"] * 100
        fds_back_s = None
        settle = time.monotonic()
        while alive and time.monotonic() - settle < 90:
            if fx.open_fds() <= base_fds:
                fds_back_s = round(time.monotonic() - settle, 1)
                break
            time.sleep(0.2)
        final_fds = fx.open_fds() if alive else None
        final_rss = fx.rss_kb() if alive else None
        requests_total = fx.stat("downstream_requests_total") if alive else None

    result = {
        "date": utc_now(),
        "command": " ".join(["bench/soak.py"] + sys.argv[1:]),
        "capture": capture is not None, "duration_s": args.duration,
        "connections": args.connections, "warmup_s": args.warmup,
        "baseline": {"fds": base_fds, "rss_kb": base_rss},
        "after_warmup": after_warmup, "end_of_load": end,
        "rss_drift_percent": None if drift is None else round(drift, 2),
        "after_load": {"fds": final_fds, "rss_kb": final_rss, "fds_back_after_s": fds_back_s},
        "wrk": load, "meshlb_requests_total": requests_total, "meshlb_alive": alive,
        "samples": samples,
    }
    path = save_result("soak", result)

    print(f"wrk: {load['requests']} requests in {args.duration} s "
          f"({load['requests'] / args.duration:.0f}/s), p99 {load['p99_ms']} ms, "
          f"socket errors {load['socket_errors']}, non-2xx {load['non_2xx']}")
    if after_warmup and end:
        print(f"RSS after the {args.warmup} s warm-up {after_warmup['rss_kb']} kB, at the end of "
              f"the load (t={end['t_s']} s) {end['rss_kb']} kB: drift {drift:+.2f} %")
    print(f"descriptors: baseline {base_fds}, under load up to "
          f"{max((s['fds'] for s in samples), default=0)}, after the load {final_fds} "
          f"(back after {fds_back_s} s)")
    print(f"result: {path}")
    ok = (alive and load["socket_errors"] == 0 and load["non_2xx"] == 0 and drift is not None
          and abs(drift) < 2 and fds_back_s is not None)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

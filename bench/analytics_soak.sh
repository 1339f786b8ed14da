#!/usr/bin/env bash
# The analytics false-alarm soak: the steady load of the scenario tests (tests/integration/data/
# analytics_load.lua, about 100 requests/s with natural jitter) through meshlb in front of three
# test upstreams, with capture on lo, for DURATION seconds after the warm-up. Prints the
# anomalies raised (there should be none), the largest tick lag and duration seen, and meshlb's
# RSS. Needs root for capture (without it the run still works, with capture off).
# Usage: bench/analytics_soak.sh [BUILD_DIR] [DURATION_S]   (defaults: build, 600)
set -euo pipefail
build_dir=$(realpath "${1:-build}")
duration=${2:-600}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
base=$((20000 + RANDOM % 20000))
admin=$((base)); listen=$((base + 1))
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

hosts=""
for i in 1 2 3; do
  port=$((base + 1 + i))
  "$build_dir/tests/upstream/meshlb-test-upstream" --name "b$i" --listen "127.0.0.1:$port" \
    >/dev/null 2>&1 &
  pids+=($!)
  hosts+="{\"address\": \"127.0.0.1:$port\"},"
done
cat >"$work/soak.json" <<JSON
{"admin": {"address": "127.0.0.1:$admin"}, "workers": 2,
 "capture": {"interfaces": ["lo"]},
 "listeners": [{"name": "web", "address": "127.0.0.1:$listen", "routes": [{"cluster": "app"}]}],
 "clusters": [{"name": "app", "connect_timeout_ms": 3000,
   "health_check": {"type": "tcp", "interval_ms": 500, "timeout_ms": 400,
                    "unhealthy_threshold": 2, "healthy_threshold": 2},
   "hosts": [${hosts%,}]}]}
JSON
"$build_dir/meshlb" --config "$work/soak.json" >"$work/meshlb.log" 2>&1 &
meshlb_pid=$!
pids+=($meshlb_pid)
for _ in $(seq 1 50); do
  curl -sf "http://127.0.0.1:$admin/ready" >/dev/null 2>&1 && break
  sleep 0.1
done

status() { curl -sf "http://127.0.0.1:$admin/analytics/status"; }
warmup=$(status | python3 -c 'import json,sys; print(json.load(sys.stdin)["warmup_remaining_s"])')
# The load outlasts the measurement: its end (every host's rate falling at once) is itself an
# anomaly, correctly diagnosed cluster_wide, and must not be counted.
total=$((warmup + duration + 60))
wrk -t2 -c48 -d"${total}s" --timeout 10s -s tests/integration/data/analytics_load.lua \
  "http://127.0.0.1:$listen" -- / >"$work/wrk.out" 2>&1 &
pids+=($!)
echo "warm-up ${warmup} s, then ${duration} s of steady load..."
sleep "$((warmup + 5))"
max_lag=0; max_tick=0
end=$((SECONDS + duration))
while ((SECONDS < end)); do
  read -r lag tick < <(status | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["tick_lag_ms"], s["tick_duration_ms"]["max_1m"])')
  max_lag=$(python3 -c "print(max($max_lag, $lag))")
  max_tick=$(python3 -c "print(max($max_tick, $tick))")
  sleep 5
done
anomalies=$(curl -sf "http://127.0.0.1:$admin/analytics/anomalies?state=all&limit=1000")
count=$(echo "$anomalies" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["anomalies"]))')
rss=$(awk '/VmRSS/ {print $2}' "/proc/$meshlb_pid/status")
capture=$(status | python3 -c 'import json,sys; print(json.load(sys.stdin)["capture"]["enabled"])')
echo "steady load for ${duration} s after the warm-up (capture: $capture)"
echo "  anomalies raised:        $count"
echo "  max tick lag:            ${max_lag} ms"
echo "  max tick duration:       ${max_tick} ms"
echo "  meshlb RSS at the end:   $((rss / 1024)) MiB"
rate=$(curl -sf "http://127.0.0.1:$admin/analytics/summary" |
  python3 -c 'import json,sys; print(round(json.load(sys.stdin)["clusters"][0]["current"]["rps"] or 0))')
echo "  request rate at the end: ${rate}/s (wrk, still running)"
if ((count > 0)); then
  echo "$anomalies" | python3 -c 'import json,sys
for a in json.load(sys.stdin)["anomalies"]:
    print("  ", a["scope"], a["host"], a["metric"], a["direction"], a["diagnosis"]["cause"], a["start_unix_ms"])'
fi

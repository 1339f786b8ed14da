#!/usr/bin/env bash
# `make run`: three demo backends (the project's test upstream) and meshlb in front of them with
# configs/demo.json. Ctrl-C stops everything.
set -euo pipefail
build_dir=${1:-build}
cd "$(dirname "$0")/.."

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "stopped."
}
trap stop INT TERM EXIT

for i in 1 2 3; do
  "$build_dir/tests/upstream/meshlb-test-upstream" --name "backend-$i" --listen "127.0.0.1:900$i" \
    >/dev/null &
  pids+=($!)
done
"$build_dir/meshlb" --config configs/demo.json &
pids+=($!)

for _ in $(seq 1 50); do
  curl -sf http://127.0.0.1:9901/ready >/dev/null 2>&1 && break
  sleep 0.1
done

# A trickle of requests (about 20 a second) so the dashboard's charts have something to show;
# DEMO_TRAFFIC=0 turns it off.
if [[ ${DEMO_TRAFFIC:-1} != 0 ]]; then
  (while true; do curl -s -o /dev/null http://127.0.0.1:8080/ || true; sleep 0.05; done) &
  pids+=($!)
fi

cat <<'TXT'

meshlb demo is running: three backends (127.0.0.1:9001-9003) behind meshlb, with a trickle of
requests (DEMO_TRAFFIC=0 to turn it off).
  http://127.0.0.1:9901/                             the live dashboard (open it in a browser)
  curl http://127.0.0.1:8080/                        HTTP, round robin (answers with the backend's name)
  curl -H 'X-Upstream-Delay-Ms: 300' http://127.0.0.1:8080/    a slow answer
  curl -H 'X-Upstream-Status: 503' http://127.0.0.1:8080/      a failing one
  curl http://127.0.0.1:8081/                        the same backends through the TCP listener
  curl http://127.0.0.1:9901/help                    admin: the list of endpoints
  curl -N http://127.0.0.1:9901/events               the dashboard's live feed (a JSON tick a second)
  curl http://127.0.0.1:9901/clusters                hosts: health, weight, live stats; stop a backend to see it go
  curl 'http://127.0.0.1:9901/stats?filter=upstream_responses'   stats, one per line
  curl http://127.0.0.1:9901/metrics                 Prometheus (configs/prometheus.yml scrapes it)
  curl http://127.0.0.1:9901/flows/summary           what the network did to each backend (capture on lo)
  curl 'http://127.0.0.1:9901/flows?sort=rtt&limit=5'   captured flows with the largest RTT
  curl http://127.0.0.1:9901/analytics/summary       health scores and open anomalies with their cause
  curl 'http://127.0.0.1:9901/analytics/anomalies?state=all'   what the detectors saw, with the evidence
  curl http://127.0.0.1:9901/alerts                  alerts (kill a backend: BackendDown fires in ~3 s)
  curl http://127.0.0.1:9901/alerts/rules            the alert rules (configs/alerting-default-rules.json)
  curl -X POST 'http://127.0.0.1:9003/_upstream/fault?delay_ms=200'   slow down backend-3 (with traffic
      flowing, e.g. wrk, after the 60 s warm-up): an 'application' anomaly appears in seconds
  curl -X POST http://127.0.0.1:9901/clusters/app/hosts/127.0.0.1:9002/drain   take backend-2 out
  curl -X POST 'http://127.0.0.1:9002/_upstream/fault?status=500'   make backend-2 fail: ejected
Access log lines (JSON) follow below. Ctrl-C stops everything.

TXT
wait "${pids[@]}"

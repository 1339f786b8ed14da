#!/usr/bin/env bash
# Makes the pcap fixtures in tests/data/ by capturing meshlb's own test traffic with tcpdump.
# Run as root from the repository root after a build: scripts/make-capture-fixtures.sh [build]
# The fixtures are committed; the tests never run this script (they compare meshlb's reading
# of the committed files with tshark's).
#   loopback_http.pcap     lo (Ethernet link type), HTTP through meshlb to three backends
#   loopback_ipv6.pcapng   lo, the same over ::1, written as pcapng
#   any_sll2.pcap          the "any" device (Linux cooked v2 headers)
#   lossy_veth.pcap        a backend in a network namespace behind a veth pair whose egress is
#                          shaped with tbf (small queue): drops, so retransmissions
set -euo pipefail
[[ -n ${TRACE:-} ]] && set -x
build=${1:-build}
meshlb=$build/meshlb
upstream=$build/tests/upstream/meshlb-test-upstream
out=tests/data
work=$(mktemp -d)
ns=meshlb-fixture
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  ip link del mlbfx0 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
[[ $(id -u) -eq 0 ]] || { echo "run as root (tcpdump and network namespaces)" >&2; exit 1; }

# Functions set globals rather than print: a $(...) subshell would inherit the EXIT trap and
# keep the background processes' pipes open.
start_upstream() {  # name address; sets PORT
  local log=$work/$1.out
  "$upstream" --name "$1" --listen "$2" >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do
    grep -q "listening on" "$log" && break
    sleep 0.05
  done
  PORT=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$log")
}

start_meshlb() {  # config-file
  "$meshlb" --config "$1" --log-level warn >"$work/meshlb.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    curl -sf "http://$2/ready" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "meshlb did not start" >&2
  cat "$work/meshlb.log" >&2
  exit 1
}

capture() {  # interface file filter; starts tcpdump, waits until it listens; sets DUMP
  local iface=$1 file=$2
  shift 2
  : >"$work/tcpdump.log"
  tcpdump -i "$iface" -s 128 --immediate-mode -U -w "$file" "$@" 2>"$work/tcpdump.log" &
  DUMP=$!
  pids+=($DUMP)
  for _ in $(seq 50); do
    grep -q "listening on" "$work/tcpdump.log" && break
    sleep 0.05
  done
}

stop_capture() {
  sleep 0.3
  kill -TERM "$1"  # not INT: background jobs of a script ignore SIGINT
  wait "$1" 2>/dev/null || true
}

# --- loopback, IPv4 and IPv6 ------------------------------------------------------------------
for family in 4 6; do
  if [[ $family == 4 ]]; then ip=127.0.0.1; bracket=127.0.0.1; else ip=::1; bracket='[::1]'; fi
  start_upstream b1 "$bracket:0"; p1=$PORT
  start_upstream b2 "$bracket:0"; p2=$PORT
  start_upstream b3 "$bracket:0"; p3=$PORT
  cat >"$work/loop$family.json" <<JSON
{ "admin": { "address": "127.0.0.1:19911" }, "workers": 1,
  "listeners": [ { "name": "web", "address": "$bracket:18180", "routes": [ { "cluster": "app" } ] } ],
  "clusters": [ { "name": "app", "hosts": [ { "address": "$bracket:$p1" },
    { "address": "$bracket:$p2" }, { "address": "$bracket:$p3" } ] } ] }
JSON
  start_meshlb "$work/loop$family.json" 127.0.0.1:19911
  filter="tcp and (port 18180 or port $p1 or port $p2 or port $p3)"
  if [[ $family == 4 ]]; then
    capture lo "$work/loop4.pcap" "$filter"
  else
    capture lo "$work/loop6.pcap" "$filter"
  fi
  for i in $(seq 6); do curl -s -o /dev/null "http://$bracket:18180/echo?i=$i"; done
  curl -s -o /dev/null "http://$bracket:18180/bytes/300000"
  curl -s -o /dev/null -H 'X-Upstream-Delay-Ms: 20' "http://$bracket:18180/slow"
  curl -s -o /dev/null -H 'X-Upstream-Reset: 1' "http://$bracket:18180/reset" || true
  # keep-alive: several requests on one client connection
  curl -s -o /dev/null "http://$bracket:18180/a" -o /dev/null "http://$bracket:18180/b"
  stop_capture "$DUMP"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
done
cp "$work/loop4.pcap" "$out/loopback_http.pcap"
editcap -F pcapng "$work/loop6.pcap" "$out/loopback_ipv6.pcapng"

# --- the any device: Linux cooked v2 ----------------------------------------------------------
start_upstream b1 127.0.0.1:0; p1=$PORT
cat >"$work/any.json" <<JSON
{ "admin": { "address": "127.0.0.1:19911" }, "workers": 1,
  "listeners": [ { "name": "web", "address": "127.0.0.1:18181", "routes": [ { "cluster": "app" } ] } ],
  "clusters": [ { "name": "app", "hosts": [ { "address": "127.0.0.1:$p1" } ] } ] }
JSON
start_meshlb "$work/any.json" 127.0.0.1:19911
capture any "$work/any.pcap" "tcp and (port 18181 or port $p1)"
for i in $(seq 4); do curl -s -o /dev/null "http://127.0.0.1:18181/echo?i=$i"; done
stop_capture "$DUMP"
for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
wait 2>/dev/null || true
pids=()
cp "$work/any.pcap" "$out/any_sll2.pcap"

# --- a lossy path: backend in a namespace behind a shaped veth --------------------------------
ip netns add "$ns"
ip link add mlbfx0 type veth peer name mlbfx1
ip link set mlbfx1 netns "$ns"
ip addr add 10.201.0.1/30 dev mlbfx0
ip link set mlbfx0 up
ip netns exec "$ns" ip addr add 10.201.0.2/30 dev mlbfx1
ip netns exec "$ns" ip link set mlbfx1 up
ip netns exec "$ns" ip link set lo up
# The backend's answers leave through a 4 Mbit/s token bucket with a short queue: bursts drop.
ip netns exec "$ns" tc qdisc add dev mlbfx1 root tbf rate 4mbit burst 6kb limit 12kb
ip netns exec "$ns" "$upstream" --name lossy --listen 10.201.0.2:0 >"$work/lossy.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q "listening on" "$work/lossy.out" && break; sleep 0.05; done
lp=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$work/lossy.out")
cat >"$work/lossy.json" <<JSON
{ "admin": { "address": "127.0.0.1:19911" }, "workers": 1,
  "listeners": [ { "name": "web", "address": "127.0.0.1:18182", "routes": [ { "cluster": "far" } ] } ],
  "clusters": [ { "name": "far", "hosts": [ { "address": "10.201.0.2:$lp" } ] } ] }
JSON
start_meshlb "$work/lossy.json" 127.0.0.1:19911
capture mlbfx0 "$work/lossy.pcap" "tcp and port $lp"
curls=()
for i in 1 2 3; do
  curl -s -o /dev/null --max-time 30 "http://127.0.0.1:18182/bytes/400000" &
  curls+=($!)
done
wait "${curls[@]}" || true
sleep 3
stop_capture "$DUMP"
cp "$work/lossy.pcap" "$out/lossy_veth.pcap"

ls -l "$out"
for f in "$out"/*.pcap*; do
  printf '%s: %s packets, %s retransmissions\n' "$f" "$(tshark -r "$f" 2>/dev/null | wc -l)" \
    "$(tshark -r "$f" -Y tcp.analysis.retransmission 2>/dev/null | wc -l)"
done

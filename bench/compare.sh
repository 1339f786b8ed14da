#!/usr/bin/env bash
# Side-by-side benchmark: wrk against a backend directly, meshlb, HAProxy and nginx, in one run
# on the same machine, alternating targets so that drift (thermal, noisy neighbours) hits all.
#
# Usage: bench/compare.sh [BUILD_DIR]          (BUILD_DIR defaults to build)
#
# Environment:
#   WORKERS=1        worker threads/processes of every proxy (meshlb workers, haproxy nbthread,
#                    nginx worker_processes)
#   DURATION=10      seconds per wrk run
#   ROUNDS=2         rounds; each round runs every scenario once against every target, and the
#                    target order is rotated from round to round
#   BACKEND=upstream three meshlb-test-upstream instances (answer "b1\n"...), or
#   BACKEND=nginx    three nginx server blocks answering "ok\n" (one nginx worker)
#   SCENARIOS="ka50 ka1000 close50 tcp50"   subset/order of scenarios to run
#   SETTLE=1         seconds of pause between two wrk runs
#   KEEP_TMP=1       keep the temp dir (rendered configs, logs, raw wrk output) for inspection
#
# Only 127.0.0.1 is used. Everything started here is stopped on exit (also on Ctrl-C).
# The peer configurations are the templates in bench/peers/.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
PEERS_DIR="$SCRIPT_DIR/peers"

WORKERS=${WORKERS:-1}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-2}
BACKEND=${BACKEND:-upstream}
SCENARIOS=${SCENARIOS:-ka50 ka1000 close50 tcp50}
SETTLE=${SETTLE:-1}
WRK_THREADS=2

die() { echo "compare.sh: error: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

[[ $WORKERS =~ ^[1-9][0-9]*$ ]] || die "WORKERS must be a positive integer (got '$WORKERS')"
[[ $DURATION =~ ^[1-9][0-9]*$ ]] || die "DURATION must be a positive integer of seconds (got '$DURATION')"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer (got '$ROUNDS')"
[[ $SETTLE =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "SETTLE must be a number of seconds (got '$SETTLE')"
[[ $BACKEND == upstream || $BACKEND == nginx ]] || die "BACKEND must be 'upstream' or 'nginx' (got '$BACKEND')"

# ---- build dir and binaries ----------------------------------------------------------------------
BUILD_ARG=${1:-build}
if [[ -d $BUILD_ARG ]]; then
  BUILD_DIR=$(cd "$BUILD_ARG" && pwd)
elif [[ -d $REPO_DIR/$BUILD_ARG ]]; then
  BUILD_DIR=$(cd "$REPO_DIR/$BUILD_ARG" && pwd)
else
  die "build directory '$BUILD_ARG' not found (build first: cmake -B build && cmake --build build)"
fi
MESHLB=$BUILD_DIR/meshlb
UPSTREAM=$BUILD_DIR/tests/upstream/meshlb-test-upstream
[[ -x $MESHLB ]] || die "missing binary $MESHLB (build meshlb first)"
if [[ $BACKEND == upstream ]]; then
  [[ -x $UPSTREAM ]] || die "missing binary $UPSTREAM (build the tests, or use BACKEND=nginx)"
fi
for tool in wrk haproxy nginx curl python3 ps awk sed; do
  command -v "$tool" >/dev/null 2>&1 || die "missing required program '$tool' (not in PATH)"
done
WRK=$(command -v wrk); HAPROXY=$(command -v haproxy); NGINX=$(command -v nginx)
for t in meshlb.json.in haproxy.cfg.in nginx-proxy.conf.in nginx-backends.conf.in; do
  [[ -f $PEERS_DIR/$t ]] || die "missing template $PEERS_DIR/$t"
done

declare -A SCEN_TITLE SCEN_TARGETS SCEN_CONNS SCEN_HEADER
SCEN_TITLE[ka50]="HTTP keep-alive, 50 connections"
SCEN_TARGETS[ka50]="direct meshlb haproxy nginx"; SCEN_CONNS[ka50]=50; SCEN_HEADER[ka50]=""
SCEN_TITLE[ka1000]="HTTP keep-alive, 1000 connections"
SCEN_TARGETS[ka1000]="direct meshlb haproxy nginx"; SCEN_CONNS[ka1000]=1000; SCEN_HEADER[ka1000]=""
SCEN_TITLE[close50]="HTTP 'Connection: close' (new connection per request), 50 connections"
SCEN_TARGETS[close50]="direct meshlb haproxy nginx"; SCEN_CONNS[close50]=50
SCEN_HEADER[close50]="Connection: close"
SCEN_TITLE[tcp50]="TCP proxying (HTTP keep-alive through an L4 listener), 50 connections"
SCEN_TARGETS[tcp50]="meshlb-tcp haproxy-tcp"; SCEN_CONNS[tcp50]=50; SCEN_HEADER[tcp50]=""
for s in $SCENARIOS; do
  [[ -n ${SCEN_TITLE[$s]:-} ]] || die "unknown scenario '$s' (known: ka50 ka1000 close50 tcp50)"
done

# ---- file descriptors ----------------------------------------------------------------------------
HARD_NOFILE=$(ulimit -Hn)
[[ $HARD_NOFILE == unlimited ]] && HARD_NOFILE=65536
NOFILE=$HARD_NOFILE
(( NOFILE > 65536 )) && NOFILE=65536
ulimit -n "$NOFILE" || die "cannot raise the fd limit to $NOFILE"
(( NOFILE >= 4096 )) || die "fd limit $NOFILE is too low for 1000 connections through a proxy (need >= 4096)"
# HAProxy needs about 2*maxconn+14 descriptors and refuses to start when it cannot get them.
HAPROXY_MAXCONN=$(( (NOFILE - 200) / 2 ))
(( HAPROXY_MAXCONN > 9000 )) && HAPROXY_MAXCONN=9000
NGINX_CONNECTIONS=$(( NOFILE / 2 ))
(( NGINX_CONNECTIONS > 8192 )) && NGINX_CONNECTIONS=8192

# ---- temp dir, process bookkeeping, cleanup ------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/meshlb-compare.XXXXXX")
chmod 755 "$TMP"   # nginx workers may run as an unprivileged user when started as root
mkdir -p "$TMP/logs" "$TMP/results"
PIDS=()

children_of() { ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' ' || true; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local pid kids=() deadline
  for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || continue
    for k in $(children_of "$pid"); do kids+=("$k"); done
    kill -TERM "$pid" 2>/dev/null || true
  done
  deadline=$(( SECONDS + 5 ))
  for pid in "${PIDS[@]}"; do
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.1; done
  done
  for pid in "${PIDS[@]}" "${kids[@]}"; do
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [[ ${KEEP_TMP:-0} == 1 ]]; then
    echo "compare.sh: kept $TMP (configs, logs, raw wrk output)" >&2
  else
    rm -rf "$TMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "compare.sh: interrupted" >&2; exit 130' INT
trap 'echo "compare.sh: terminated" >&2; exit 143' TERM

# ---- ports ---------------------------------------------------------------------------------------
# Free ports below the ephemeral range (32768+), so no outgoing connection of the benchmark can
# ever sit on one of them. Checked by binding; all are held until the list is complete.
free_ports() {
  python3 - "$1" <<'PY'
import random, socket, sys
n, socks, port = int(sys.argv[1]), [], random.randint(20000, 29000)
while len(socks) < n and port < 32000:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", port))
        socks.append(s)
    except OSError:
        s.close()
    port += 1
if len(socks) < n:
    sys.exit("not enough free ports")
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}
read -r B1_PORT B2_PORT B3_PORT MESH_ADMIN MESH_HTTP MESH_TCP HAP_HTTP HAP_TCP NGX_HTTP \
  < <(free_ports 9) || die "could not find free ports"
[[ -n ${NGX_HTTP:-} ]] || die "could not find free ports"

render() {  # render TEMPLATE OUT DIR
  sed -e "s|@WORKERS@|$WORKERS|g" -e "s|@NOFILE@|$NOFILE|g" \
      -e "s|@HAPROXY_MAXCONN@|$HAPROXY_MAXCONN|g" -e "s|@NGINX_CONNECTIONS@|$NGINX_CONNECTIONS|g" \
      -e "s|@B1_PORT@|$B1_PORT|g" -e "s|@B2_PORT@|$B2_PORT|g" -e "s|@B3_PORT@|$B3_PORT|g" \
      -e "s|@ADMIN_PORT@|$MESH_ADMIN|g" -e "s|@DIR@|$3|g" \
      -e "s|@HTTP_PORT@|$4|g" -e "s|@TCP_PORT@|${5:-0}|g" \
      "$PEERS_DIR/$1" > "$2"
}

start() {  # start NAME CMD... ; sets LAST_PID
  local name=$1; shift
  "$@" >"$TMP/logs/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

wait_http() {  # wait_http NAME PID URL
  local name=$1 pid=$2 url=$3 i
  for (( i = 0; i < 100; i++ )); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "---- $name log ----" >&2; cat "$TMP/logs/$name.log" >&2 || true
      die "$name exited during startup"
    fi
    curl -sf -o /dev/null --max-time 1 "$url" && return 0
    sleep 0.1
  done
  echo "---- $name log ----" >&2; cat "$TMP/logs/$name.log" >&2 || true
  die "$name did not answer $url within 10 s"
}

# ---- start backends and proxies ------------------------------------------------------------------
log "starting backends ($BACKEND) on 127.0.0.1:$B1_PORT,$B2_PORT,$B3_PORT"
if [[ $BACKEND == upstream ]]; then
  i=1
  for p in "$B1_PORT" "$B2_PORT" "$B3_PORT"; do
    start "b$i" "$UPSTREAM" --name "b$i" --listen "127.0.0.1:$p"
    eval "B${i}_PID=$LAST_PID"
    i=$(( i + 1 ))
  done
  wait_http b1 "$B1_PID" "http://127.0.0.1:$B1_PORT/"
  wait_http b2 "$B2_PID" "http://127.0.0.1:$B2_PORT/"
  wait_http b3 "$B3_PID" "http://127.0.0.1:$B3_PORT/"
else
  mkdir -p "$TMP/nginx-backends"
  render nginx-backends.conf.in "$TMP/nginx-backends/nginx.conf" "$TMP/nginx-backends" 0
  start nginx-backends "$NGINX" -p "$TMP/nginx-backends/" -e "$TMP/nginx-backends/error.log" \
    -c "$TMP/nginx-backends/nginx.conf" -g 'daemon off;'
  BN_PID=$LAST_PID
  for p in "$B1_PORT" "$B2_PORT" "$B3_PORT"; do
    wait_http nginx-backends "$BN_PID" "http://127.0.0.1:$p/"
  done
fi

log "starting meshlb (workers $WORKERS) on 127.0.0.1:$MESH_HTTP (http), :$MESH_TCP (tcp)"
render meshlb.json.in "$TMP/meshlb.json" "$TMP" "$MESH_HTTP" "$MESH_TCP"
start meshlb "$MESHLB" --config "$TMP/meshlb.json" --log-level warn
MESH_PID=$LAST_PID
for (( i = 0; ; i++ )); do
  kill -0 "$MESH_PID" 2>/dev/null || { cat "$TMP/logs/meshlb.log" >&2; die "meshlb exited during startup"; }
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$MESH_ADMIN/ready" || true) == 200 ]] && break
  (( i < 100 )) || { cat "$TMP/logs/meshlb.log" >&2; die "meshlb not ready within 10 s"; }
  sleep 0.1
done
wait_http meshlb "$MESH_PID" "http://127.0.0.1:$MESH_HTTP/"
wait_http meshlb "$MESH_PID" "http://127.0.0.1:$MESH_TCP/"

log "starting haproxy (nbthread $WORKERS, maxconn $HAPROXY_MAXCONN) on :$HAP_HTTP (http), :$HAP_TCP (tcp)"
render haproxy.cfg.in "$TMP/haproxy.cfg" "$TMP" "$HAP_HTTP" "$HAP_TCP"
"$HAPROXY" -c -q -f "$TMP/haproxy.cfg" >"$TMP/logs/haproxy-check.log" 2>&1 \
  || { cat "$TMP/logs/haproxy-check.log" >&2; die "haproxy rejected its configuration"; }
start haproxy "$HAPROXY" -db -f "$TMP/haproxy.cfg"
HAP_PID=$LAST_PID
wait_http haproxy "$HAP_PID" "http://127.0.0.1:$HAP_HTTP/"
wait_http haproxy "$HAP_PID" "http://127.0.0.1:$HAP_TCP/"

log "starting nginx (worker_processes $WORKERS) on :$NGX_HTTP"
mkdir -p "$TMP/nginx"
render nginx-proxy.conf.in "$TMP/nginx/nginx.conf" "$TMP/nginx" "$NGX_HTTP"
start nginx "$NGINX" -p "$TMP/nginx/" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" -g 'daemon off;'
NGX_PID=$LAST_PID
wait_http nginx "$NGX_PID" "http://127.0.0.1:$NGX_HTTP/"

declare -A TARGET_URL TARGET_PID
TARGET_URL[direct]="http://127.0.0.1:$B1_PORT/";       TARGET_PID[direct]=""
TARGET_URL[meshlb]="http://127.0.0.1:$MESH_HTTP/";     TARGET_PID[meshlb]=$MESH_PID
TARGET_URL[haproxy]="http://127.0.0.1:$HAP_HTTP/";     TARGET_PID[haproxy]=$HAP_PID
TARGET_URL[nginx]="http://127.0.0.1:$NGX_HTTP/";       TARGET_PID[nginx]=$NGX_PID
TARGET_URL[meshlb-tcp]="http://127.0.0.1:$MESH_TCP/";  TARGET_PID[meshlb-tcp]=$MESH_PID
TARGET_URL[haproxy-tcp]="http://127.0.0.1:$HAP_TCP/";  TARGET_PID[haproxy-tcp]=$HAP_PID

# VmRSS (kB) of a process plus its direct children (nginx master + workers; haproxy -db and meshlb
# are single processes).
rss_kb() {
  local total=0 p kb
  for p in "$1" $(children_of "$1"); do
    kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)
    total=$(( total + ${kb:-0} ))
  done
  echo "$total"
}

check_alive() {
  local name pid
  for name in "${!TARGET_PID[@]}"; do
    pid=${TARGET_PID[$name]}
    [[ -z $pid ]] && continue
    kill -0 "$pid" 2>/dev/null || { cat "$TMP/logs/${name%-tcp}.log" >&2 || true; die "$name (pid $pid) died"; }
  done
}

wrk_args() {  # wrk_args SCENARIO URL -> sets WRK_ARGS
  local s=$1 url=$2
  WRK_ARGS=("-t$WRK_THREADS" "-c${SCEN_CONNS[$s]}" "-d${DURATION}s" --latency)
  if [[ -n ${SCEN_HEADER[$s]} ]]; then WRK_ARGS+=(-H "${SCEN_HEADER[$s]}"); fi
  WRK_ARGS+=("$url")
}
wrk_display() {  # the wrk command line of a scenario, for humans
  local s=$1
  printf 'wrk -t%s -c%s -d%ss --latency%s http://127.0.0.1:PORT/' "$WRK_THREADS" "${SCEN_CONNS[$s]}" \
    "$DURATION" "${SCEN_HEADER[$s]:+ -H \"${SCEN_HEADER[$s]}\"}"
}

# Parses wrk --latency output into key=value lines: rps p50_ms p99_ms requests errors_total errors.
parse_wrk() {
  awk '
    function ms(v,   n) {
      n = v + 0
      if (v ~ /us$/) return n / 1000
      if (v ~ /ms$/) return n
      if (v ~ /m$/)  return n * 60000
      if (v ~ /s$/)  return n * 1000
      return n
    }
    /^ +50% /                  { p50 = ms($2) }
    /^ +99% /                  { p99 = ms($2) }
    /requests in /             { req = $1 }
    /^Requests\/sec:/          { rps = $2 }
    /Socket errors:/ {
      gsub(",", "")
      for (i = 3; i < NF; i += 2) if ($(i + 1) > 0) { err = err sprintf("%s%s %d", err == "" ? "" : ", ", $i, $(i + 1)); tot += $(i + 1) }
    }
    /Non-2xx or 3xx responses:/ { err = err sprintf("%snon-2xx/3xx %d", err == "" ? "" : ", ", $NF); tot += $NF }
    END {
      printf "rps=%s\np50_ms=%s\np99_ms=%s\nrequests=%s\nerrors_total=%d\nerrors=%s\n",
        rps == "" ? "0" : rps, p50 == "" ? "-" : sprintf("%.2f", p50), p99 == "" ? "-" : sprintf("%.2f", p99),
        req == "" ? "0" : req, tot, err == "" ? "0" : err
    }'
}

# ---- run -----------------------------------------------------------------------------------------
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
if awk -v l="${LOAD_START%% *}" -v n="$(nproc)" 'BEGIN {exit !(l > n / 2)}'; then
  log "warning: load average is $LOAD_START on $(nproc) cores; something else is running, expect noise"
fi
count=0
for s in $SCENARIOS; do for t in ${SCEN_TARGETS[$s]}; do count=$(( count + 1 )); done; done
total_runs=$(( count * ROUNDS ))
log "running $total_runs wrk runs of ${DURATION}s (${ROUNDS} rounds), about $(( total_runs * (DURATION + 1) / 60 + 1 )) min"

run=0
for (( r = 1; r <= ROUNDS; r++ )); do
  for s in $SCENARIOS; do
    read -r -a targets <<< "${SCEN_TARGETS[$s]}"
    n=${#targets[@]}
    for (( k = 0; k < n; k++ )); do
      t=${targets[$(( (k + r - 1) % n ))]}   # rotate the order from round to round
      run=$(( run + 1 ))
      check_alive
      wrk_args "$s" "${TARGET_URL[$t]}"
      log "[$run/$total_runs] round $r  $s  $t"
      out_file="$TMP/results/$s.$t.$r"
      wrk_rc=0
      "$WRK" "${WRK_ARGS[@]}" > "$out_file.wrk" 2>&1 || wrk_rc=$?
      rss="-"
      [[ -n ${TARGET_PID[$t]} ]] && rss=$(rss_kb "${TARGET_PID[$t]}")
      parse_wrk < "$out_file.wrk" > "$out_file"
      echo "rss_kb=$rss" >> "$out_file"
      if (( wrk_rc != 0 )) || ! grep -q '^Requests/sec:' "$out_file.wrk"; then
        log "wrk failed (exit $wrk_rc) for $s/$t:"; cat "$out_file.wrk" >&2
        sed -i 's/^errors=.*/errors=wrk failed (exit '"$wrk_rc"')/; s/^errors_total=.*/errors_total=1/' "$out_file"
      fi
      awk -F= '/^(rps|p50_ms|p99_ms|errors)=/ {printf "%s=%s  ", $1, $2} END {print ""}' "$out_file" >&2
      sleep "$SETTLE"
    done
  done
done
check_alive

# ---- report --------------------------------------------------------------------------------------
get() { sed -n "s/^$2=//p" "$1"; }

echo
echo "## meshlb vs HAProxy vs nginx"
echo
echo "- date: $(date -u +'%Y-%m-%d %H:%M UTC')"
echo "- machine: $(nproc) cores ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)), $(uname -sr), $(awk '/^MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo)"
GIT_REV=$(cd "$REPO_DIR" && git rev-parse --short HEAD 2>/dev/null || true)
if [[ -n $GIT_REV ]] && ! (cd "$REPO_DIR" && git --no-optional-locks diff --quiet HEAD -- 2>/dev/null); then
  GIT_REV+=" + uncommitted changes"
fi
echo "- meshlb: $("$MESHLB" --version 2>&1 | head -1)${GIT_REV:+ (commit $GIT_REV)}, $MESHLB"
echo "- $("$HAPROXY" -v 2>&1 | head -1)"
echo "- $("$NGINX" -v 2>&1 | head -1)"
echo "- $("$WRK" -v 2>&1 | head -1 | sed 's/ Copyright.*//')"
echo "- load average (1/5/15 min): $LOAD_START at start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "- workers per proxy (W): $WORKERS (meshlb \"workers\", haproxy nbthread, nginx worker_processes)"
if [[ $BACKEND == upstream ]]; then
  echo "- backends: 3 x meshlb-test-upstream (1 thread each, body \"bN\\n\"); \"direct\" = wrk against one of them"
else
  echo "- backends: 3 nginx server blocks in one nginx (1 worker, body \"ok\\n\"); \"direct\" = wrk against one of them"
fi
echo "- everything on 127.0.0.1 of this one machine (wrk, proxies and backends share the $(nproc) cores)"
echo "- ${DURATION}s per run, $ROUNDS round(s), targets alternated within each round (order rotated per round)"
echo "- each row is the median round by req/s (for an even ROUNDS the upper median, i.e. best of 2 for ROUNDS=2);"
echo "  latency, RSS and errors are from that round; errors in other rounds are listed too. RSS = VmRSS"
echo "  right after the run (nginx: master + workers)."
echo "- command: \`$(printf 'WORKERS=%s DURATION=%s ROUNDS=%s BACKEND=%s SCENARIOS="%s" bench/compare.sh %s' \
  "$WORKERS" "$DURATION" "$ROUNDS" "$BACKEND" "$SCENARIOS" "${1:-build}")\`"
echo "- peer configs: bench/peers/ (haproxy: mode http, http-reuse always, roundrobin; nginx: upstream keepalive 1024)"

for s in $SCENARIOS; do
  echo
  echo "### ${SCEN_TITLE[$s]}"
  echo
  echo "\`$(wrk_display "$s")\`"
  echo
  echo "| target | req/s | p50 (ms) | p99 (ms) | proxy RSS (MiB) | errors | req/s per round |"
  echo "|---|---:|---:|---:|---:|---|---|"
  for t in ${SCEN_TARGETS[$s]}; do
    # sort the rounds by req/s and pick the (upper) median
    mapfile -t sorted < <(for (( r = 1; r <= ROUNDS; r++ )); do
      echo "$(get "$TMP/results/$s.$t.$r" rps) $r"; done | sort -g -k1,1)
    pick=${sorted[$(( ROUNDS / 2 ))]##* }
    f="$TMP/results/$s.$t.$pick"
    per_round=""; other_err=""
    for (( r = 1; r <= ROUNDS; r++ )); do
      per_round+="${per_round:+ / }$(printf '%.0f' "$(get "$TMP/results/$s.$t.$r" rps)")"
      if (( r != pick )) && [[ $(get "$TMP/results/$s.$t.$r" errors_total) != 0 ]]; then
        other_err+="; round $r: $(get "$TMP/results/$s.$t.$r" errors)"
      fi
    done
    rss=$(get "$f" rss_kb)
    [[ $rss != "-" ]] && rss=$(awk -v k="$rss" 'BEGIN {printf "%.1f", k / 1024}')
    label=$t
    [[ $t == direct ]] && label="direct (backend)"
    printf '| %s | %.0f | %s | %s | %s | %s | %s |\n' "$label" "$(get "$f" rps)" "$(get "$f" p50_ms)" \
      "$(get "$f" p99_ms)" "$rss" "$(get "$f" errors)$other_err" "$per_round"
  done
done

# Anything the proxies complained about during the run.
for f in meshlb haproxy nginx; do
  if [[ -s $TMP/logs/$f.log ]]; then
    echo; echo "$f output during the run (last 20 lines):"; tail -n 20 "$TMP/logs/$f.log" | sed 's/^/    /'
  fi
done
if [[ -s $TMP/nginx/error.log ]]; then
  echo; echo "nginx error.log (last 20 lines):"; tail -n 20 "$TMP/nginx/error.log" | sed 's/^/    /'
fi

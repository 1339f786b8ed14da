#!/usr/bin/env bash
# Installs, from Debian's packages, whatever meshlb needs to build, test and benchmark and is
# not on this machine yet. Idempotent: prints nothing and touches nothing when all is present.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config clang-format
  # libraries
  libuv1-dev node-llhttp libssl-dev libpcap-dev prometheus-cpp-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # real peers and tools used by tests and benchmarks
  haproxy nginx wrk curl openssl procps iproute2 python3
  prometheus prometheus-alertmanager tcpdump tshark
  # the dashboard's browser test (playwright-core from npm drives Debian's chromium)
  chromium
)
# The dashboard's assets come from the npm registry at build time. A machine that already has
# Node.js and npm (from any source) keeps them; otherwise Debian's packages bring them.
if ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root (or sudo $0)" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
# Packaged daemons (nginx, haproxy) must not start system services on install: the tests start
# their own instances on free loopback ports. policy-rc.d is Debian's switch for exactly that.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  own_policy=1
fi
trap '[[ $own_policy -eq 1 ]] && rm -f "$policy"' EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"

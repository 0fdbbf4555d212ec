#!/usr/bin/env bash
# Installs the Debian 12 packages dsbroker needs, only those that are missing.
#   scripts/install-deps.sh          build dependencies
#   scripts/install-deps.sh --test   also the real servers and tools the tests start
# Safe to run on every CI start: when everything is present it touches nothing,
# not even the apt lists.
set -euo pipefail

build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  librocksdb-dev libsimdjson-dev libssh2-1-dev libssl-dev libpq-dev libmariadb-dev
  libpugixml-dev libtomlplusplus-dev libsqlite3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
# tests/services/start.sh runs these servers itself; installing them starts none
# (no systemd), and --no-install-recommends leaves nothing out that the tests use.
test_pkgs=(
  postgresql mariadb-server clickhouse-server openssh-server
  sshpass curl openssl wrk procps iproute2 jq
)

pkgs=("${build_pkgs[@]}")
case "${1:-}" in
  --test) pkgs+=("${test_pkgs[@]}") ;;
  '') ;;
  *) echo "usage: $0 [--test]" >&2; exit 2 ;;
esac

missing=()
for pkg in "${pkgs[@]}"; do
  # "hold ok installed" counts too; "deinstall ok config-files" or no record does not.
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ $status == *" ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#pkgs[@]} packages already present"
  exit 0
fi

as_root=()
if ((EUID != 0)); then
  command -v sudo >/dev/null 2>&1 ||
    { echo "install-deps: must run as root, or with sudo installed, to install: ${missing[*]}" >&2; exit 1; }
  as_root=(sudo)
fi

# apt's chatter goes to a log that is shown only when something fails.
log=$(mktemp "${TMPDIR:-/tmp}/dsb-install-deps.XXXXXX")
apt() {
  # env carries DEBIAN_FRONTEND through sudo, which resets the environment.
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=120 "$@" >>"$log" 2>&1 ||
    { echo "install-deps: apt-get $1 failed; last lines of $log:" >&2; tail -n 30 "$log" >&2; exit 1; }
}
start=$SECONDS
apt update
apt install -y --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${#missing[@]} package(s) in $((SECONDS - start)) s: ${missing[*]}"
rm -f "$log"

#!/usr/bin/env bash
# Starts the real test servers, runs every test through ctest, stops the servers.
#   tests/run.sh BUILD_DIR [ctest args...]
set -euo pipefail
build=${1:-build}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
services="$root/$build/test-services"

cleanup() { "$root/tests/services/stop.sh" "$services" >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM

start=$(date +%s)
"$root/tests/services/start.sh" "$services"
# shellcheck disable=SC1091
source "$services/env.sh"
echo "test services up in $(( $(date +%s) - start ))s"

cd "$root/$build"
ctest --output-on-failure --timeout 600 -j 2 "$@"

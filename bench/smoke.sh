#!/usr/bin/env bash
# bench/smoke.sh BUILD_DIR: every bench binary runs for a moment and succeeds
# (ctest bench_smoke). Figures from here mean nothing.
set -euo pipefail

BUILD=${1:-build}
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

for bench in dsb_request_bench dsb_store_bench dsb_catalogue_bench dsb_vault_bench; do
  if [[ -x "$BUILD/bench/$bench" ]]; then
    "$BUILD/bench/$bench" --benchmark_min_time=0.01 >"$WORK/$bench.out" 2>&1 ||
      { cat "$WORK/$bench.out" >&2; echo "bench smoke: $bench failed" >&2; exit 1; }
    echo "bench smoke: $bench ok"
  fi
done

start_broker "$BUILD" 2 false
LOADGEN="$BUILD/bench/dsb_loadgen"
TOKEN=$("$LOADGEN" --scenario setup --port "$PORT" --admin-token "$ADMIN_TOKEN")
for scenario in get create; do
  "$LOADGEN" --scenario "$scenario" --port "$PORT" --token "$TOKEN" --connections 4 \
    --duration-s 1 --records 2 | grep '^RESULT'
done
echo "bench smoke: dsb_loadgen ok"

#!/usr/bin/env bash
# bench/neighbour_run.sh BUILD_DIR: does one org at its rate limit slow another?
#
# A broker (2 shards); a "quiet" org whose GET /v1/datasources/{id} latency is
# measured by dsb_loadgen, first alone, then while a "noisy" org (held to
# Databrain's 500 requests per 120 s) is hammered by wrk with 64 connections.
# Prints the quiet org's req/s, p50 and p99 in both runs and how many of the
# noisy org's requests were refused (429). Everything it starts stops on exit.
#
# Environment: BENCH_SECONDS (10), BENCH_QUIET_CONNECTIONS (4),
# BENCH_NOISY_CONNECTIONS (64), BENCH_SHARDS (2), BENCH_AUTOGROUP_NICE (see run.sh).
set -euo pipefail

BUILD=${1:-build}

# shellcheck source=bench/autogroup.sh
source "$(dirname "$0")/autogroup.sh"
run_in_own_autogroup "$0" "$BUILD"

SECS=${BENCH_SECONDS:-10}
QUIET_CONNECTIONS=${BENCH_QUIET_CONNECTIONS:-4}
NOISY_CONNECTIONS=${BENCH_NOISY_CONNECTIONS:-64}
SHARDS=${BENCH_SHARDS:-2}
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 2; }
for bin in server/dsbroker bench/dsb_loadgen; do
  [[ -x "$BUILD/$bin" ]] || { echo "bench: $BUILD/$bin is missing; build it first" >&2; exit 2; }
done

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
start_broker "$BUILD" "$SHARDS" false
LOADGEN="$BUILD/bench/dsb_loadgen"
BASE="http://127.0.0.1:$PORT"

# The noisy org, with the default limit of the Databrain API it imitates.
noisy=$(curl -sS --max-time 10 -H "Authorization: Bearer $ADMIN_TOKEN" \
  -H 'Content-Type: application/json' -d '{"name":"noisy"}' "$BASE/v1/orgs")
NOISY_ID=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["org"]["id"])' <<<"$noisy")
NOISY_TOKEN=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["token"]["token"])' <<<"$noisy")
curl -sS --max-time 10 -o /dev/null -X PATCH -H "Authorization: Bearer $ADMIN_TOKEN" \
  -H 'Content-Type: application/json' \
  -d '{"limits":{"requests_per_window":500,"window_s":120}}' "$BASE/v1/orgs/$NOISY_ID"
QUIET_TOKEN=$("$LOADGEN" --scenario setup --port "$PORT" --admin-token "$ADMIN_TOKEN")

quiet_run() {
  "$LOADGEN" --scenario get --port "$PORT" --token "$QUIET_TOKEN" \
    --connections "$QUIET_CONNECTIONS" --duration-s "$SECS" --warmup-s 1 | grep '^RESULT'
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

echo "== neighbour: $(nproc) cores, broker $SHARDS shards, quiet org $QUIET_CONNECTIONS connections, noisy org $NOISY_CONNECTIONS connections (limit 500/120 s), ${SECS}s each"
alone=$(quiet_run)
wrk -t1 -c"$NOISY_CONNECTIONS" -d"$((SECS + 2))s" --timeout 10s \
  -H "Authorization: Bearer $NOISY_TOKEN" "$BASE/v1/datasources" >"$WORK/wrk.txt" 2>&1 &
WRK_PID=$!
sleep 0.5
loaded=$(quiet_run)
wait "$WRK_PID" || true

noisy_total=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$WORK/wrk.txt")
noisy_refused=$(sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$WORK/wrk.txt")
noisy_rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$WORK/wrk.txt")
echo
row() {
  printf '%-32s %9s %9s %9s %9s %7s\n' "$1" "$(field rps "$2")" "$(field p50_ms "$2")" \
    "$(field p99_ms "$2")" "$(field max_ms "$2")" "$(field errors "$2")"
}
printf '%-32s %9s %9s %9s %9s %7s\n' 'quiet org' 'req/s' 'p50 ms' 'p99 ms' 'max ms' errors
row 'alone' "$alone"
row 'noisy org at its limit' "$loaded"
echo "noisy org: ${noisy_total:-?} requests (${noisy_rps:-?}/s), ${noisy_refused:-0} refused with 429"

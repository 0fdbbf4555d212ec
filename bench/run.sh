#!/usr/bin/env bash
# bench/run.sh BUILD_DIR: load and micro benchmarks on this machine (`make bench`).
#
# Starts a broker (2 shards, temp data dir), creates an org, runs dsb_loadgen
# GET and create for 10 s each with 64 keep-alive connections, prints a table,
# then runs the micro benchmarks. Everything it starts is stopped on exit.
#
# Environment: BENCH_SECONDS (10), BENCH_CONNECTIONS (64), BENCH_CLIENT_THREADS (1),
# BENCH_ORGS (1; with more, connections are spread over that many orgs),
# BENCH_SHARDS (2), BENCH_ACCESS_LOG (true: the broker's default, one line per
# request, written to a file here), BENCH_MIN_TIME (0.2, seconds per micro benchmark),
# BENCH_MICRO (1; 0 skips the micro benchmarks), BENCH_AUTOGROUP_NICE (unset; e.g.
# -15 on a machine shared with other work: the run gets its own scheduler autogroup
# at that priority, so other sessions' builds do not eat into the figures; needs root).
set -euo pipefail

BUILD=${1:-build}

# shellcheck source=bench/autogroup.sh
source "$(dirname "$0")/autogroup.sh"
run_in_own_autogroup "$0" "$BUILD"

SECONDS_PER_RUN=${BENCH_SECONDS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
CLIENT_THREADS=${BENCH_CLIENT_THREADS:-1}
SHARDS=${BENCH_SHARDS:-2}
ORGS=${BENCH_ORGS:-1}
ACCESS_LOG=${BENCH_ACCESS_LOG:-true}
MIN_TIME=${BENCH_MIN_TIME:-0.2}
MICRO=${BENCH_MICRO:-1}

for bin in server/dsbroker bench/dsb_loadgen bench/dsb_store_bench bench/dsb_request_bench; do
  [[ -x "$BUILD/$bin" ]] || { echo "bench: $BUILD/$bin is missing; build it first" >&2; exit 2; }
done

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
start_broker "$BUILD" "$SHARDS" "$ACCESS_LOG"
LOADGEN="$BUILD/bench/dsb_loadgen"
TOKEN=$("$LOADGEN" --scenario setup --port "$PORT" --admin-token "$ADMIN_TOKEN" --orgs "$ORGS")

echo "== load: $(nproc) cores, broker $SHARDS shards (access log $ACCESS_LOG), $CONNECTIONS connections, $ORGS org(s), $CLIENT_THREADS client thread(s), ${SECONDS_PER_RUN}s each"
# CPU seconds (user + system) the broker has used so far.
broker_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$BROKER_PID/stat"; }

results=()
for scenario in get create; do
  cpu_before=$(broker_cpu)
  out=$("$LOADGEN" --scenario "$scenario" --port "$PORT" --token "$TOKEN" \
    --connections "$CONNECTIONS" --threads "$CLIENT_THREADS" --duration-s "$SECONDS_PER_RUN" \
    --warmup-s 1) || true
  cpu_after=$(broker_cpu)
  echo "$out" | grep -v '^RESULT'
  result=$(echo "$out" | grep '^RESULT' || echo "RESULT scenario=$scenario failed=1")
  # The broker's CPU per response: what bounds req/s once the cores are busy.
  server_us=$(awk -v a="$cpu_before" -v b="$cpu_after" -v n="$(sed -n 's/.* all_responses=\([0-9]*\).*/\1/p' <<<"$result")" \
    'BEGIN { if (n > 0) printf "%.1f", (b - a) * 1e6 / n; else print "-" }')
  results+=("$result server_cpu_us=$server_us")
done

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
echo
row() { printf '%-8s %9s %9s %9s %9s %9s %7s %13s %13s\n' "$@"; }
row scenario 'req/s' 'p50 ms' 'p90 ms' 'p99 ms' 'max ms' errors 'broker us/req' 'client us/req'
for r in "${results[@]}"; do
  row "$(field scenario "$r")" "$(field rps "$r")" "$(field p50_ms "$r")" \
    "$(field p90_ms "$r")" "$(field p99_ms "$r")" "$(field max_ms "$r")" "$(field errors "$r")" \
    "$(field server_cpu_us "$r")" "$(field client_cpu_us "$r")"
done

if [[ "$MICRO" != 0 ]]; then
  echo
  echo "== micro benchmarks (min time ${MIN_TIME}s)"
  for bench in dsb_request_bench dsb_store_bench dsb_catalogue_bench dsb_vault_bench; do
    [[ -x "$BUILD/bench/$bench" ]] || continue
    "$BUILD/bench/$bench" --benchmark_min_time="$MIN_TIME"
  done
fi

# ---- WebSocket events (the jobs/events work): latency and fan-out -----------
# A fresh broker ($SHARDS shards) with server.max_connections 20000 (the default
# 10000 leaves no room for 10,000 subscribers plus HTTP connections) and the
# open-file limit raised to the hard limit; dsb_event_loadgen opens N org
# subscribers, measures event latency (paced jobs, "at" -> receipt) and the
# fan-out rate (a burst of jobs). Counts the open-file limit cannot hold (both
# processes need about N + 300) are skipped with a note.
# Environment: BENCH_EVENTS (1; 0 skips), BENCH_EVENT_SUBSCRIBERS ("1000 10000"),
# BENCH_EVENT_CLIENT_THREADS (2), BENCH_EVENT_PACED_JOBS (10), BENCH_EVENT_BURST_JOBS (20).
if [[ "${BENCH_EVENTS:-1}" != 0 && -x "$BUILD/bench/dsb_event_loadgen" ]]; then
  kill -TERM "$BROKER_PID" 2>/dev/null || true
  wait "$BROKER_PID" 2>/dev/null || true
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  DSB_SERVER_MAX_CONNECTIONS=20000 start_broker "$BUILD" "$SHARDS" false
  echo
  echo "== events: broker $SHARDS shards, ${BENCH_EVENT_CLIENT_THREADS:-2} client thread(s), open-file limit $(ulimit -n)"
  for n in ${BENCH_EVENT_SUBSCRIBERS:-1000 10000}; do
    if ((n + 300 > $(ulimit -n))); then
      echo "events: skipping $n subscribers: the open-file limit is $(ulimit -n)"
      continue
    fi
    "$BUILD/bench/dsb_event_loadgen" --port "$PORT" --admin-token "$ADMIN_TOKEN" --subscribers "$n" \
      --threads "${BENCH_EVENT_CLIENT_THREADS:-2}" --paced-jobs "${BENCH_EVENT_PACED_JOBS:-10}" \
      --burst-jobs "${BENCH_EVENT_BURST_JOBS:-20}" --broker-pid "$BROKER_PID" ||
      echo "events: the run with $n subscribers failed"
  done
fi

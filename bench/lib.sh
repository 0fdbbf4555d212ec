# shellcheck shell=bash
# Shared by run.sh and smoke.sh: start a broker on a temp data dir, stop it on exit.
# Sets BROKER_PID, PORT, ADMIN_TOKEN, WORK (the temp dir, removed on exit).

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dsb-bench.XXXXXX")
BROKER_PID=""

cleanup() {
  if [[ -n "$BROKER_PID" ]] && kill -0 "$BROKER_PID" 2>/dev/null; then
    kill -TERM "$BROKER_PID" 2>/dev/null || true
    # The broker drains for up to its shutdown grace; do not wait longer than that.
    for _ in $(seq 1 100); do kill -0 "$BROKER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$BROKER_PID" 2>/dev/null || true
    wait "$BROKER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_broker BUILD_DIR THREADS LOG_REQUESTS(true|false)
start_broker() {
  local build=$1 threads=$2 log_requests=$3
  ADMIN_TOKEN="bench-admin-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  : >"$WORK/broker.log"  # exists before the first poll below, whenever the broker opens it
  # The per-org request rate (default 500 per 120 s) is lifted so that the
  # figures measure the broker, not the limiter; the limiter still runs.
  DSB_ADMIN_TOKEN="$ADMIN_TOKEN" DSB_SERVER_THREADS="$threads" DSB_LOG_REQUESTS="$log_requests" \
    DSB_LIMITS_REQUESTS_PER_WINDOW=10000000 DSB_LIMITS_WINDOW_S=1 \
    "$build/server/dsbroker" serve --listen 127.0.0.1:0 --data-dir "$WORK/data" \
    >"$WORK/broker.log" 2>&1 &
  BROKER_PID=$!
  PORT=""
  for _ in $(seq 1 100); do
    PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p;T;q' "$WORK/broker.log")
    [[ -n "$PORT" ]] && return 0
    kill -0 "$BROKER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "bench: the broker did not start; its log:" >&2
  cat "$WORK/broker.log" >&2
  return 1
}

#!/usr/bin/env bash
# bench/conn_run.sh BUILD_DIR: connection-test and schema latency, broker vs direct.
#
# Starts the real test servers (tests/services/start.sh: PostgreSQL 15 with TLS, a
# private sshd) in BUILD_DIR/bench-services and a broker (lib.sh), then, in one run:
#  (a) sequential: dsb_conn_bench libpq (PQconnectdb + SELECT 1 + PQfinish) vs
#      broker (POST /v1/datasources/{id}/test), per TLS mode in BENCH_CONN_SSLMODES;
#  (b) 16 concurrent: broker vs dsb_conn_bench libpq -c 16 vs pgbench -C -S -c 16;
#  (c) SSH: broker test through the bastion (a new SSH session per test) vs libpq
#      through one long-lived `ssh -L` to the same sshd, and vs a new `ssh -f -L`
#      per connection (what the broker does); both sides log in with the same key;
#  (d) schema: a database of 10,000 tables x 10 columns, broker schema refresh
#      (fetch + cache) vs the broker's catalog queries run over libpq;
# and prints a table of broker/direct ratios. Everything it starts is stopped on exit.
#
# Environment: BENCH_CONN_ITERATIONS (200), BENCH_CONN_WARMUP (20),
# BENCH_CONN_SSLMODES ("require disable"; the first is also used by (b)-(d)),
# BENCH_CONN_CONCURRENCY (16), BENCH_CONN_SECONDS (10: each concurrent run),
# BENCH_SSH_ITERATIONS (100), BENCH_SCHEMA_ITERATIONS (5), BENCH_SCHEMA_TABLES (10000),
# BENCH_CONN_PARTS ("seq conc ssh schema"), BENCH_SHARDS (2), BENCH_ACCESS_LOG (true),
# BENCH_AUTOGROUP_NICE (as in run.sh: e.g. -15 gives the run its own scheduler
# autogroup at that priority on a shared machine; needs root).
set -euo pipefail

BUILD=${1:-build}

# shellcheck source=bench/autogroup.sh
source "$(dirname "$0")/autogroup.sh"
run_in_own_autogroup "$0" "$BUILD"

ITER=${BENCH_CONN_ITERATIONS:-200}
WARMUP=${BENCH_CONN_WARMUP:-20}
read -ra SSLMODES <<<"${BENCH_CONN_SSLMODES:-require disable}"
CONC=${BENCH_CONN_CONCURRENCY:-16}
CONC_SECONDS=${BENCH_CONN_SECONDS:-10}
SSH_ITER=${BENCH_SSH_ITERATIONS:-100}
SCHEMA_ITER=${BENCH_SCHEMA_ITERATIONS:-5}
SCHEMA_TABLES=${BENCH_SCHEMA_TABLES:-10000}
PARTS=" ${BENCH_CONN_PARTS:-seq conc ssh schema} "
MODE=${SSLMODES[0]}

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(realpath "$BUILD")
CONN="$BUILD/bench/dsb_conn_bench"
for bin in server/dsbroker bench/dsb_conn_bench; do
  [[ -x "$BUILD/$bin" ]] || { echo "conn_run: $BUILD/$bin is missing; build it first" >&2; exit 2; }
done
for tool in curl jq psql pgbench ssh; do
  command -v "$tool" >/dev/null || { echo "conn_run: $tool is missing" >&2; exit 2; }
done

# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"
SVC="$BUILD/bench-services"
TUNNEL_PID=""
stop_all() {
  [[ -z "$TUNNEL_PID" ]] || kill -TERM "$TUNNEL_PID" 2>/dev/null || true
  cleanup
  "$HERE/../tests/services/stop.sh" "$SVC" >/dev/null 2>&1 || true
}
trap stop_all EXIT

echo "== services (pg, ssh) in $SVC"
DSB_SERVICES=pg,ssh "$HERE/../tests/services/start.sh" "$SVC" | grep -v '^\[services\] note' || true
[[ -f "$SVC/env.sh" ]] || { echo "conn_run: the test services did not start" >&2; exit 1; }
# shellcheck disable=SC1091  # written at run time
source "$SVC/env.sh"
PG_PORT=$DSB_TEST_PG_PORT

# The per-org request rate and test budget are lifted so the figures measure
# connection work, not the limiters (which still run).
export DSB_LIMITS_CONCURRENT_TESTS=$((CONC * 2)) DSB_LIMITS_QUEUED_TESTS=10000
start_broker "$BUILD" "${BENCH_SHARDS:-2}" "${BENCH_ACCESS_LOG:-true}"
API="http://127.0.0.1:$PORT"

# api TOKEN METHOD PATH [BODY]: one call with a deadline; prints the body, fails on >= 400.
api() {
  curl -sS --fail-with-body --max-time 30 -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
    -X "$2" "$API$3" ${4:+-d "$4"}
}
TOKEN=$(api "$ADMIN_TOKEN" POST /v1/orgs '{"name":"conn-bench"}' | jq -r .token.token)

# datasource NAME SSLMODE DATABASE [SSH_JSON]: a stored, untested postgres datasource; prints its id.
datasource() {
  local body
  body=$(jq -nc --arg name "$1" --arg mode "$2" --arg db "$3" --argjson port "$PG_PORT" \
    --argjson ssh "${4:-null}" \
    '{name: $name, type: "postgres", host: "127.0.0.1", port: $port, database: $db,
      username: "testuser", password: "testpass", tls: {mode: $mode}}
     + (if $ssh == null then {} else {ssh: $ssh} end)')
  api "$TOKEN" POST '/v1/datasources?test=false' "$body" | jq -r .id
}

# conninfo SSLMODE [PORT] [DATABASE]: what the direct side connects with. Like the
# broker: numeric address (no DNS), no GSSAPI encryption attempt, no .pgpass.
conninfo() {
  echo "host=127.0.0.1 port=${2:-$PG_PORT} dbname=${3:-testdb} user=testuser password=testpass" \
    "sslmode=$1 gssencmode=disable connect_timeout=10 application_name=conn-bench"
}

declare -A RES=()
# run NAME dsb_conn_bench-args...: prints its report and keeps its RESULT line.
# For broker runs it adds the broker's CPU per operation (warm-up included).
run() {
  local name=$1 out cpu0 cpu1 cpu
  shift
  echo "-- $name"
  cpu0=$(broker_cpu)
  out=$("$CONN" --label "$name" "$@") || echo "conn_run: $name had failures (see above)" >&2
  cpu1=$(broker_cpu)
  grep -v '^RESULT' <<<"$out" || true
  RES[$name]=$(grep '^RESULT' <<<"$out" || echo "RESULT failed=1")
  [[ $name == *broker* ]] || return 0
  cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v n="$(field samples "$name")" -v f="$(field failures "$name")" \
    -v w="$(field warmup "$name")" 'BEGIN { if (n + f + w > 0) printf "%.0f", (b - a) * 1e6 / (n + f + w) }')
  echo "  broker CPU ${cpu:--} us per operation"
  RES[$name]+=" broker_cpu_us=${cpu:--}"
}
# CPU seconds (user + system) the broker has used so far.
broker_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$BROKER_PID/stat"; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"${RES[$2]:-}"; }
broker_args() { echo --port "$PORT" --token "$TOKEN" --datasource "$1"; }

if [[ $PARTS == *" seq "* ]]; then
  echo
  echo "== (a) sequential: $ITER tests each after $WARMUP warm-up"
  for mode in "${SSLMODES[@]}"; do
    id=$(datasource "seq-$mode" "$mode" testdb)
    run "seq_libpq_$mode" --mode libpq --conninfo "$(conninfo "$mode")" --iterations "$ITER" --warmup "$WARMUP"
    # shellcheck disable=SC2046  # word splitting intended
    run "seq_broker_$mode" --mode broker $(broker_args "$id") --iterations "$ITER" --warmup "$WARMUP"
  done
fi

# pgbench_run: -C (a new connection per transaction), -S (one SELECT); its own
# figures go into RES[conc_pgbench] in the RESULT shape.
pgbench_run() {
  local out tps lat conn
  PGPASSWORD=testpass PGSSLMODE=$MODE PGGSSENCMODE=disable PGCONNECT_TIMEOUT=10 \
    pgbench -i -s 1 -q -h 127.0.0.1 -p "$PG_PORT" -U testuser testdb >/dev/null 2>&1
  out=$(PGPASSWORD=testpass PGSSLMODE=$MODE PGGSSENCMODE=disable PGCONNECT_TIMEOUT=10 \
    timeout $((CONC_SECONDS + 60)) pgbench -n -C -S -c "$CONC" -j 2 -T "$CONC_SECONDS" \
    -h 127.0.0.1 -p "$PG_PORT" -U testuser testdb 2>&1) || echo "conn_run: pgbench failed" >&2
  echo "-- conc_pgbench"
  grep -E 'latency|connection time|tps|processed|failed' <<<"$out" | sed 's/^/  /'
  tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out")
  lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$out")
  conn=$(sed -n 's/^average connection time = \([0-9.]*\) ms/\1/p' <<<"$out")
  # A closed loop of CONC clients: the time per transaction, reconnection included, is CONC / tps.
  RES[conc_pgbench]=$(awk -v c="$CONC" -v t="${tps:-0}" -v l="${lat:--}" -v a="${conn:--}" 'BEGIN {
    m = "-"; if (t > 0) m = sprintf("%.3f", c * 1000 / t)
    printf "RESULT mode=pgbench ops_s=%.2f mean_ms=%s latency_avg_ms=%s conn_avg_ms=%s\n", t, m, l, a }')
}

if [[ $PARTS == *" conc "* ]]; then
  echo
  echo "== (b) $CONC concurrent, ${CONC_SECONDS}s each, sslmode=$MODE"
  id=$(datasource "conc-$MODE" "$MODE" testdb)
  many=(--concurrency "$CONC" --iterations 1000000 --duration-s "$CONC_SECONDS" --warmup $((CONC * 2)))
  # shellcheck disable=SC2046
  run conc_broker --mode broker $(broker_args "$id") "${many[@]}"
  run conc_libpq --mode libpq --conninfo "$(conninfo "$MODE")" "${many[@]}"
  pgbench_run
fi

# open_tunnel: one `ssh -L` to the test sshd (key login), forwarding a free local
# port to PostgreSQL; sets TUNNEL_PORT and TUNNEL_PID once the port accepts.
open_tunnel() {
  TUNNEL_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  ssh -N -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
    -o ConnectTimeout=10 -o ExitOnForwardFailure=yes -o ServerAliveInterval=5 \
    -i "$DSB_TEST_SSH_DIR/id_ed25519" -p "$DSB_TEST_SSH_PORT" \
    -L "127.0.0.1:$TUNNEL_PORT:127.0.0.1:$PG_PORT" sshtest@127.0.0.1 &
  TUNNEL_PID=$!
  for _ in $(seq 1 100); do
    (: <"/dev/tcp/127.0.0.1/$TUNNEL_PORT") 2>/dev/null && return 0
    kill -0 "$TUNNEL_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "conn_run: ssh -L did not open" >&2
  return 1
}

# fresh_tunnel_run: what the broker does per test, by hand: a new `ssh -f -L`
# (returns once authenticated and forwarding), one libpq connect + SELECT 1
# through it, the ssh ended. Timed whole, process starts included; kept as RES[ssh_fresh].
fresh_tunnel_run() {
  local ms=() port t0 t1 i
  for ((i = 0; i < SSH_ITER; i++)); do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    t0=$EPOCHREALTIME
    ssh -f -N -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
      -o LogLevel=ERROR -o ConnectTimeout=10 -o ExitOnForwardFailure=yes \
      -i "$DSB_TEST_SSH_DIR/id_ed25519" -p "$DSB_TEST_SSH_PORT" \
      -L "127.0.0.1:$port:127.0.0.1:$PG_PORT" sshtest@127.0.0.1
    "$CONN" --mode libpq --conninfo "$(conninfo "$MODE" "$port")" --iterations 1 --warmup 0 >/dev/null
    t1=$EPOCHREALTIME
    pkill -TERM -f -- "-L 127.0.0.1:$port:" || true
    ms+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) * 1000 }')")
  done
  RES[ssh_fresh]=$(printf '%s\n' "${ms[@]}" | python3 -c '
import sys
v = sorted(float(x) for x in sys.stdin)
n = len(v)
print("RESULT mode=ssh_fresh samples=%d p50_ms=%.3f p99_ms=%.3f mean_ms=%.3f ops_s=%.2f" % (
    n, v[n // 2], v[min(n - 1, n * 99 // 100)], sum(v) / n, n / (sum(v) / 1000)))')
  echo "-- ssh_fresh (a new ssh -f -L per connection)"
  echo "${RES[ssh_fresh]}"
}

if [[ $PARTS == *" ssh "* ]]; then
  echo
  echo "== (c) SSH bastion: $SSH_ITER tests each after $WARMUP warm-up, sslmode=$MODE"
  # The same ed25519 key as the ssh -L side (a password login adds PAM's hashing).
  ssh_json=$(jq -nc --argjson port "$DSB_TEST_SSH_PORT" --rawfile key "$DSB_TEST_SSH_DIR/id_ed25519" \
    '{enabled: true, host: "127.0.0.1", port: $port, username: "sshtest", private_key: $key}')
  id=$(datasource "ssh-$MODE" "$MODE" testdb "$ssh_json")
  # shellcheck disable=SC2046
  run ssh_broker --mode broker $(broker_args "$id") --iterations "$SSH_ITER" --warmup "$WARMUP"
  open_tunnel
  run ssh_libpq --mode libpq --conninfo "$(conninfo "$MODE" "$TUNNEL_PORT")" --iterations "$SSH_ITER" --warmup "$WARMUP"
  kill -TERM "$TUNNEL_PID" 2>/dev/null || true
  wait "$TUNNEL_PID" 2>/dev/null || true
  TUNNEL_PID=""
  fresh_tunnel_run
fi

# make_schema_db: bench_schema owned by testuser with SCHEMA_TABLES tables of 10
# columns (a primary key and 9 others). Committed every 500 tables: one
# transaction would need a lock per table, beyond max_locks_per_transaction.
make_schema_db() {
  local t0=$EPOCHREALTIME
  psql -h "$DSB_TEST_PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres -qX -v ON_ERROR_STOP=1 \
    -c 'CREATE DATABASE bench_schema OWNER testuser'
  PGPASSWORD=testpass psql "$(conninfo disable "$PG_PORT" bench_schema)" -qX -v ON_ERROR_STOP=1 -c "
    DO \$\$ BEGIN
      FOR i IN 1..$SCHEMA_TABLES LOOP
        EXECUTE format('CREATE TABLE t%s (id bigint PRIMARY KEY, name text NOT NULL, qty integer,
          price numeric(12,2), created_at timestamptz, flag boolean, note varchar(200),
          ref uuid, payload jsonb, score double precision)', i);
        IF i % 500 = 0 THEN COMMIT; END IF;
      END LOOP;
    END \$\$"
  awk -v a="$t0" -v b="$EPOCHREALTIME" -v n="$SCHEMA_TABLES" \
    'BEGIN { printf "created %d tables x 10 columns in %.1f s\n", n, b - a }'
}

if [[ $PARTS == *" schema "* ]]; then
  echo
  echo "== (d) schema: $SCHEMA_TABLES tables x 10 columns, $SCHEMA_ITER refreshes each after 1 warm-up, sslmode=$MODE"
  make_schema_db
  id=$(datasource "schema-$MODE" "$MODE" bench_schema)
  # shellcheck disable=SC2046
  run schema_broker --mode schema-broker $(broker_args "$id") --iterations "$SCHEMA_ITER" --warmup 1
  run schema_libpq --mode schema-psql --conninfo "$(conninfo "$MODE" "$PG_PORT" bench_schema)" \
    --iterations "$SCHEMA_ITER" --warmup 1
fi

# ---- summary -----------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }
row() { printf '%-26s %8s %8s %8s %8s %8s %8s %6s %6s %6s %8s %8s\n' "$@"; }
# compare TITLE BROKER DIRECT: p50, p99, mean and ops/s of both, and broker/direct.
compare() {
  [[ -n "${RES[$2]:-}" && -n "${RES[$3]:-}" ]] || return 0
  local bp50 dp50 bp99 dp99 bm dm
  bp50=$(field p50_ms "$2") dp50=$(field p50_ms "$3") bp99=$(field p99_ms "$2") dp99=$(field p99_ms "$3")
  bm=$(field mean_ms "$2") dm=$(field mean_ms "$3")
  row "$1" "$bp50" "${dp50:--}" "$bp99" "${dp99:--}" "$(field ops_s "$2")" "$(field ops_s "$3")" \
    "$(ratio "$bp50" "$dp50")" "$(ratio "$bp99" "$dp99")" "$(ratio "$bm" "$dm")" \
    "$(field broker_cpu_us "$2")" "$(field client_cpu_us "$3")"
}
echo
echo "== summary (ms; ops/s; ratios are broker / direct; cpu: us per operation of the broker"
echo "   process and of the direct client: libpq's client side, pgbench not measured)"
row comparison 'brk p50' 'dir p50' 'brk p99' 'dir p99' 'brk op/s' 'dir op/s' 'x p50' 'x p99' 'x mean' \
  'brk cpu' 'dir cpu'
for mode in "${SSLMODES[@]}"; do compare "test seq, ssl $mode" "seq_broker_$mode" "seq_libpq_$mode"; done
compare "test x$CONC vs libpq x$CONC" conc_broker conc_libpq
compare "test x$CONC vs pgbench -C" conc_broker conc_pgbench
compare "test via ssh vs ssh -L" ssh_broker ssh_libpq
compare "test via ssh vs new ssh -L" ssh_broker ssh_fresh
compare "schema refresh vs libpq" schema_broker schema_libpq
echo
echo "stage means (ms) per run:"
for name in "${!RES[@]}"; do
  stages=$(grep -o 'stage_[a-z_0-9]*=[0-9.]*' <<<"${RES[$name]}" | sed 's/^stage_//; s/_ms=/ /' | tr '\n' ' ') || true
  [[ -z "$stages" ]] || printf '  %-20s %s\n' "$name" "$stages"
done | sort

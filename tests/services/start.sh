#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Starts throw-away test servers on 127.0.0.1, each on a free port picked now:
#   pg       PostgreSQL 15, ssl=on, scram-sha-256 + client-certificate auth
#   pgplain  PostgreSQL 15, ssl=off (for "TLS required against a plaintext server")
#   mysql    MariaDB 10.11 with TLS          clickhouse  ClickHouse 18.16, HTTP
#   ssh      a private sshd (password and key logins, TCP forwarding)
# Usage: tests/services/start.sh DIR        (as root; DSB_SERVICES=pg,mysql for a subset;
#        DSB_SERVICES_TIMEOUT=30: seconds each server may take to become ready)
# Writes DIR/env.sh (source it: DSB_TEST_* ports, sockets and dirs), DIR/pids (for
# stop.sh) and DIR/tls (test CA, server and client certs, an unrelated CA).
# A DIR left by an earlier run is stopped and recreated. On failure everything
# started is stopped again and the logs stay in DIR. Stop with tests/services/stop.sh DIR.
set -euo pipefail
umask 022
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib/common.sh"
source "$HERE/lib/tls.sh"
source "$HERE/lib/postgres.sh"
source "$HERE/lib/mariadb.sh"
source "$HERE/lib/clickhouse.sh"
source "$HERE/lib/sshd.sh"

(($# == 1)) || { echo "usage: $0 DIR   (env DSB_SERVICES=pg,pgplain,mysql,clickhouse,ssh)" >&2; exit 2; }
((EUID == 0)) || die "must run as root: it starts servers as the postgres, mysql and clickhouse users"
T0=$(now_ms)
DSB_DIR=$(realpath -m -- "$1")
TLS_DIR=$DSB_DIR/tls
# The path goes unquoted into server configs, and unix socket paths must stay
# under 108 bytes ($DSB_DIR/pg-plain/.s.PGSQL.NNNNN is the longest).
[[ $DSB_DIR =~ ^/[A-Za-z0-9._/+@~-]+$ ]] || die "DIR may only contain letters, digits and ._/+@~-: $DSB_DIR"
((${#DSB_DIR} <= 80)) || die "DIR is too long for unix socket paths (max 80 characters): $DSB_DIR"
[[ $DSB_DIR != / ]] || die "DIR must not be /"

# Which services: DSB_SERVICES is a comma list; the aliases are accepted for convenience.
declare -A WANT=()
IFS=, read -ra names <<<"${DSB_SERVICES:-pg,pgplain,mysql,clickhouse,ssh}"
for n in "${names[@]}"; do
  case ${n// /} in
    pg | postgres | postgresql) WANT[pg]=1 ;;
    pgplain | pg-plain | pg_plain) WANT[pgplain]=1 ;;
    mysql | mariadb) WANT[mysql]=1 ;;
    clickhouse | ch) WANT[clickhouse]=1 ;;
    ssh | sshd) WANT[ssh]=1 ;;
    '') ;;
    *) die "unknown service '$n' in DSB_SERVICES (known: pg,pgplain,mysql,clickhouse,ssh)" ;;
  esac
done
((${#WANT[@]})) || die "DSB_SERVICES selects no service"
wants() { [[ -n ${WANT[$1]:-} ]]; }

# Reuse DIR only if an earlier run made it (it holds .dsb-services), so a mistyped
# argument can never wipe an unrelated directory.
if [[ -e $DSB_DIR ]]; then
  [[ -f $DSB_DIR/.dsb-services || -z $(ls -A "$DSB_DIR" 2>/dev/null) ]] ||
    die "$DSB_DIR exists and was not made by start.sh; refusing to delete it"
  "$HERE/stop.sh" "$DSB_DIR"
  rm -rf "$DSB_DIR"
fi
mkdir -p "$DSB_DIR/logs"
chmod 755 "$DSB_DIR"
touch "$DSB_DIR/.dsb-services" "$DSB_DIR/pids"

# From here on, a failure or Ctrl-C stops whatever was started.
declare -A JOB=()
on_exit() {
  local rc=$? pid
  ((rc != 0)) || return 0
  log "start failed; stopping what was started (logs stay in $DSB_DIR)" >&2
  # Let startups still under way end first (each has its own deadline), so every
  # server they launch is recorded before stop.sh looks.
  for pid in "${JOB[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$HERE/stop.sh" "$DSB_DIR" >&2 || true
}
trap on_exit EXIT
trap 'exit 130' INT # bash runs the EXIT trap on exit, not when a signal kills it
trap 'exit 143' TERM

# The servers run as their own users, which must be able to reach DIR: add o+x to
# any parent without it (mktemp -d makes 0700 directories).
d=$DSB_DIR
while d=$(dirname "$d") && [[ $d != / ]]; do
  [[ $(stat -c %A "$d") == *[xt] ]] || { chmod o+x "$d"; log "note: added o+x to $d so the servers can reach $DSB_DIR"; }
done
for u in postgres mysql clickhouse; do
  id "$u" >/dev/null 2>&1 || continue
  runuser -u "$u" -- test -x "$DSB_DIR" || die "user $u cannot enter $DSB_DIR (check its parents' permissions)"
done

# Ports are all picked here, in one shell, so no two services get the same one.
PORT_PG='' PORT_PGPLAIN='' PORT_MYSQL='' PORT_CH='' PORT_SSH=''
wants pg && pick_port PORT_PG
wants pgplain && pick_port PORT_PGPLAIN
wants mysql && pick_port PORT_MYSQL
wants clickhouse && pick_port PORT_CH
wants ssh && pick_port PORT_SSH

# run_job NAME CMD...: one service's startup in the background, output to DIR/logs.
run_job() {
  local name=$1
  shift
  (trap - EXIT; "$@") >"$DSB_DIR/logs/$name.log" 2>&1 </dev/null &
  JOB[$name]=$!
}
# The services are independent, so they start in parallel, slowest first. pg and
# mysql set up their data dirs meanwhile and wait (tls_wait) only to copy the key.
run_job tls tls_generate
TLS_JOB_PID=${JOB[tls]}
wants pg && run_job pg pg_start pg "$PORT_PG" on
wants pgplain && run_job pgplain pg_start pg-plain "$PORT_PGPLAIN" off
wants mysql && run_job mysql mysql_start "$PORT_MYSQL"
wants ssh && run_job ssh ssh_start "$PORT_SSH"
wants clickhouse && run_job clickhouse ch_start "$PORT_CH"

failed=()
for name in tls pg pgplain mysql clickhouse ssh; do
  [[ -n ${JOB[$name]:-} ]] || continue
  if wait "${JOB[$name]}"; then
    grep '^\[services\]' "$DSB_DIR/logs/$name.log" || true
  else
    failed+=("$name")
    cat "$DSB_DIR/logs/$name.log" >&2
  fi
  unset "JOB[$name]"
done
((${#failed[@]} == 0)) || die "failed to start: ${failed[*]}"

# env.sh: everything a test needs to reach the services; written last and renamed
# into place, so its presence means the whole start succeeded.
{
  echo "# Written by tests/services/start.sh; source it to reach the test services."
  env_line() { printf 'export %s=%q\n' "$1" "$2"; }
  env_line DSB_TEST_SERVICES_DIR "$DSB_DIR"
  env_line DSB_TEST_TLS_DIR "$TLS_DIR"
  if wants pg; then
    env_line DSB_TEST_PG_PORT "$PORT_PG"
    env_line DSB_TEST_PG_SOCKET_DIR "$DSB_DIR/pg"
  fi
  if wants pgplain; then
    env_line DSB_TEST_PG_PLAIN_PORT "$PORT_PGPLAIN"
    env_line DSB_TEST_PG_PLAIN_SOCKET_DIR "$DSB_DIR/pg-plain"
  fi
  if wants mysql; then
    env_line DSB_TEST_MYSQL_PORT "$PORT_MYSQL"
    env_line DSB_TEST_MYSQL_SOCKET "$DSB_DIR/mysql/mysqld.sock"
  fi
  wants clickhouse && env_line DSB_TEST_CH_PORT "$PORT_CH"
  if wants ssh; then
    env_line DSB_TEST_SSH_PORT "$PORT_SSH"
    env_line DSB_TEST_SSH_DIR "$DSB_DIR/sshd"
  fi
} >"$DSB_DIR/env.sh.tmp"
mv "$DSB_DIR/env.sh.tmp" "$DSB_DIR/env.sh"
log "all started in $(($(now_ms) - T0)) ms; source $DSB_DIR/env.sh"

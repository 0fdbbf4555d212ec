#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Stops the servers tests/services/start.sh started in DIR: usage: stop.sh DIR
# Safe to run twice, on a DIR whose start failed halfway, or on no DIR at all: it
# only signals live processes whose command line still names DIR, so a recycled
# PID is never hit. DIR and its logs are left in place.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib/common.sh"

(($# == 1)) || { echo "usage: $0 DIR" >&2; exit 2; }
DIR=$(realpath -m -- "$1")
[[ -d $DIR ]] || exit 0
((EUID == 0)) || die "must run as root: the servers run as root, postgres, mysql and clickhouse"
T0=$(now_ms)

# Which servers: DIR/pids, plus the servers' own pid files, which also cover a
# start.sh killed between launching a server and recording it.
declare -A NAME=() # pid -> service
add() { if [[ $2 =~ ^[0-9]+$ ]]; then NAME[$2]=$1; fi; }
if [[ -f $DIR/pids ]]; then
  while read -r name pid; do add "$name" "$pid"; done <"$DIR/pids"
fi
for f in pg:pg/data/postmaster.pid pg-plain:pg-plain/data/postmaster.pid \
  mysql:mysql/mysqld.pid ssh:sshd/sshd.pid clickhouse:clickhouse/clickhouse.pid; do
  pid=$(head -n 1 "$DIR/${f#*:}" 2>/dev/null) || continue
  add "${f%%:*}" "$pid"
done

# All servers get their signal at once and then share one deadline.
declare -A LIVE=() # pid -> what its command line must contain to still be ours
stopping=()
for pid in "${!NAME[@]}"; do
  proc_alive "$pid" "$DIR/" || continue
  case ${NAME[$pid]} in
    # SIGINT is PostgreSQL's fast shutdown: it ends open sessions instead of waiting.
    pg*) kill -INT "$pid" 2>/dev/null || true ;;
    ssh)
      # Per-connection sshd processes (e.g. a test's tunnel) outlive the listener;
      # they are its children, so end them first and wait for them too.
      children=()
      { read -ra children <"/proc/$pid/task/$pid/children"; } 2>/dev/null || true
      for child in "${children[@]}"; do
        if kill -TERM "$child" 2>/dev/null; then LIVE[$child]=''; fi
      done
      kill -TERM "$pid" 2>/dev/null || true
      ;;
    *) kill -TERM "$pid" 2>/dev/null || true ;;
  esac
  LIVE[$pid]="$DIR/"
  stopping+=("${NAME[$pid]}")
done
((${#stopping[@]})) || exit 0

deadline=$((SECONDS + DSB_SERVICES_TIMEOUT))
killed=0
while :; do
  for pid in "${!LIVE[@]}"; do
    proc_alive "$pid" "${LIVE[$pid]}" || unset "LIVE[$pid]"
  done
  ((${#LIVE[@]})) || break
  if ((SECONDS >= deadline)); then
    ((killed == 0)) || die "pids ${!LIVE[*]} still running 5 s after SIGKILL"
    # Past the deadline: SIGKILL; the zombie left behind counts as stopped.
    log "sending SIGKILL to pids ${!LIVE[*]}: not stopped after ${DSB_SERVICES_TIMEOUT}s"
    kill -KILL "${!LIVE[@]}" 2>/dev/null || true
    killed=1 deadline=$((SECONDS + 5))
  fi
  sleep 0.05
done
log "stopped ${stopping[*]} in $(($(now_ms) - T0)) ms"

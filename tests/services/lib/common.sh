# shellcheck shell=bash
# Helpers shared by start.sh, stop.sh and the per-service files; sourced, never run.
# Globals the service files rely on (set by start.sh):
#   DSB_DIR  absolute services directory     TLS_DIR  $DSB_DIR/tls

# Seconds to wait for a server to become ready, or to stop, before giving up.
: "${DSB_SERVICES_TIMEOUT:=30}"
RESERVED_PORTS=()

log() { printf '[services] %s\n' "$*"; }
die() { printf '[services] error: %s\n' "$*" >&2; exit 1; }

# Milliseconds since the epoch, for the timings printed at startup.
now_ms() {
  local t=${EPOCHREALTIME/[.,]/}
  echo $((t / 1000))
}

# fail_with_log MESSAGE DIR: the message, then the tail of every non-empty log in DIR.
fail_with_log() {
  local f
  printf '[services] error: %s\n' "$1" >&2
  for f in "$2"/*.log; do
    [[ -s $f ]] || continue
    printf '  --- last lines of %s ---\n' "$f" >&2
    tail -n 20 "$f" | sed 's/^/  | /' >&2
  done
  exit 1
}

# proc_alive PID [MATCH]: the process exists, is not a zombie, and its command line
# contains MATCH. PID 1 on these machines reaps orphans late (~2 s), so a zombie
# counts as stopped; MATCH guards against signalling a recycled PID.
proc_alive() {
  local pid=$1 match=${2:-} stat cmd
  { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]] || return 1
  [[ -n $match ]] || return 0
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmd == *"$match"* ]]
}

# record_pid NAME PID: stop.sh reads DIR/pids; one short append is atomic, so
# services starting in parallel can share the file.
record_pid() { echo "$1 $2" >>"$DSB_DIR/pids"; }

# wait_ready NAME PID LOGDIR CMD...: poll CMD until it succeeds. Fails fast if the
# server exits, else after DSB_SERVICES_TIMEOUT seconds, showing its logs.
wait_ready() {
  local name=$1 pid=$2 logdir=$3 deadline=$((SECONDS + DSB_SERVICES_TIMEOUT))
  shift 3
  until "$@" >/dev/null 2>&1; do
    proc_alive "$pid" || fail_with_log "$name exited during startup" "$logdir"
    ((SECONDS < deadline)) || fail_with_log "$name not ready after ${DSB_SERVICES_TIMEOUT}s" "$logdir"
    sleep 0.05
  done
}

port_in_use() {
  if command -v ss >/dev/null 2>&1; then
    # Any TCP socket on the port counts, TIME_WAIT included, not only listeners.
    [[ -n $(ss -Htan "sport = :$1") ]]
  else
    (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# pick_port VAR: store a free TCP port in VAR. Must run in the main shell, as it
# reserves the port in RESERVED_PORTS so no two services of one start get the same.
# Ports come from below the kernel's ephemeral range, so outgoing connections made
# by the tests cannot take them between this check and the server's bind.
pick_port() {
  local eph lo=15000 hi p tries
  read -r eph _ </proc/sys/net/ipv4/ip_local_port_range
  hi=$((eph > lo + 1000 ? eph - 1 : 29999))
  for ((tries = 0; tries < 500; tries++)); do
    p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1)))
    [[ " ${RESERVED_PORTS[*]} " != *" $p "* ]] || continue
    port_in_use "$p" && continue
    RESERVED_PORTS+=("$p")
    printf -v "$1" %s "$p"
    return 0
  done
  die "no free TCP port found in $lo-$hi"
}

# shellcheck shell=bash
# Sourced first by the bench run scripts (before lib.sh starts anything).
# run_in_own_autogroup SCRIPT BUILD_DIR: with BENCH_AUTOGROUP_NICE set (e.g. -15,
# on a machine shared with other work; needs root), runs SCRIPT BUILD_DIR again in
# a new session, which is a scheduler autogroup of its own at that priority, and
# exits with its status. Otherwise it returns and the script goes on.
run_in_own_autogroup() {
  [[ -n "${BENCH_AUTOGROUP_NICE:-}" && -z "${DSB_BENCH_IN_AUTOGROUP:-}" ]] || return 0
  # A new session is a new autogroup; its nice applies to it alone.
  # shellcheck disable=SC2016  # $0..$2 are the inner shell's arguments
  DSB_BENCH_IN_AUTOGROUP=1 setsid --wait bash -c 'echo "$1" >/proc/self/autogroup && exec "$0" "$2"' \
    "$1" "$BENCH_AUTOGROUP_NICE" "$2" &
  AUTOGROUP_CHILD=$!
  trap 'kill -TERM -- "-$AUTOGROUP_CHILD" 2>/dev/null || true' INT TERM
  wait "$AUTOGROUP_CHILD"
  exit $?
}

#!/usr/bin/env bash
# psql as the superuser over the unix socket of the test PostgreSQL (trust auth), so
# tests can create fixtures:  tests/services/psql.sh -d testdb -c "create table t (i int)"
# --plain as the first argument targets the ssl=off instance instead.
# Needs DSB_TEST_SERVICES_DIR (the DIR given to start.sh). ON_ERROR_STOP makes any
# failed statement a non-zero exit.
set -euo pipefail
: "${DSB_TEST_SERVICES_DIR:?set it to the DIR given to tests/services/start.sh}"
# shellcheck source=/dev/null
source "$DSB_TEST_SERVICES_DIR/env.sh"
socket=${DSB_TEST_PG_SOCKET_DIR:-} port=${DSB_TEST_PG_PORT:-}
if [[ ${1:-} == --plain ]]; then
  shift
  socket=${DSB_TEST_PG_PLAIN_SOCKET_DIR:-} port=${DSB_TEST_PG_PLAIN_PORT:-}
fi
[[ -n $port ]] || { echo "psql.sh: that PostgreSQL was not started (see DSB_SERVICES)" >&2; exit 1; }
psql=/usr/lib/postgresql/15/bin/psql # skips the perl wrapper that /usr/bin/psql is
[[ -x $psql ]] || psql=psql
exec "$psql" -h "$socket" -p "$port" -U postgres -X -v ON_ERROR_STOP=1 "$@"

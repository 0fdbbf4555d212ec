#!/usr/bin/env bash
# Posts one query to the test ClickHouse's HTTP port as user default and prints the
# result; exits non-zero, with the server's message on stderr, on any non-200 answer.
#   tests/services/clickhouse.sh "CREATE TABLE t (i UInt32) ENGINE = Memory"
#   echo "SELECT 1" | tests/services/clickhouse.sh        (query from stdin)
# Needs DSB_TEST_SERVICES_DIR (the DIR given to start.sh).
set -euo pipefail
: "${DSB_TEST_SERVICES_DIR:?set it to the DIR given to tests/services/start.sh}"
# shellcheck source=/dev/null
source "$DSB_TEST_SERVICES_DIR/env.sh"
[[ -n ${DSB_TEST_CH_PORT:-} ]] || { echo "clickhouse.sh: ClickHouse was not started (see DSB_SERVICES)" >&2; exit 1; }
(($# <= 1)) || { echo "usage: $0 [QUERY]   (else the query is read from stdin)" >&2; exit 2; }
query=${1-$(cat)}
# The status code goes on a last line of its own, so the body keeps its own trailing newline.
resp=$(curl -sS --max-time 60 --data-binary "$query" -w '\n%{http_code}' "http://127.0.0.1:$DSB_TEST_CH_PORT/")
code=${resp##*$'\n'}
body=${resp%$'\n'*}
if [[ $code != 200 ]]; then
  printf 'clickhouse.sh: HTTP %s: %s\n' "$code" "$body" >&2
  exit 1
fi
printf '%s' "$body"

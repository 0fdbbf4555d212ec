#!/usr/bin/env bash
# The mariadb client as root over the unix socket of the test MariaDB, so tests can
# create fixtures:  tests/services/mysql.sh testdb -e "create table t (i int)"
# root@localhost is unix_socket-authenticated: this must run as OS root.
# Needs DSB_TEST_SERVICES_DIR (the DIR given to start.sh).
set -euo pipefail
: "${DSB_TEST_SERVICES_DIR:?set it to the DIR given to tests/services/start.sh}"
# shellcheck source=/dev/null
source "$DSB_TEST_SERVICES_DIR/env.sh"
[[ -n ${DSB_TEST_MYSQL_SOCKET:-} ]] || { echo "mysql.sh: MariaDB was not started (see DSB_SERVICES)" >&2; exit 1; }
((EUID == 0)) || { echo "mysql.sh: must run as root (root@localhost uses unix_socket auth)" >&2; exit 1; }
# --no-defaults first, or /etc/mysql/* is read.
exec mariadb --no-defaults -S "$DSB_TEST_MYSQL_SOCKET" -u root "$@"

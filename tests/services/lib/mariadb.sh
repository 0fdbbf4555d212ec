# shellcheck shell=bash
# A throw-away MariaDB 10.11 server with TLS in $DSB_DIR/mysql. Users: root (unix_socket
# auth: OS root over the socket only), testuser/testpass, tlsuser/testpass REQUIRE SSL,
# certuser (no password) REQUIRE SUBJECT '/CN=certuser' AND ISSUER '/CN=Test CA'.
# --no-defaults must come first on every server and client call, or /etc/mysql is read.

mysql_start() {
  local port=$1 m=$DSB_DIR/mysql t0 pid
  # install-db needs the same redo log size as the server; 8M instead of 96M halves its time.
  local opts=(--innodb-log-file-size=8M --innodb-buffer-pool-size=64M --skip-name-resolve)
  t0=$(now_ms)
  [[ -x /usr/sbin/mariadbd ]] || die "mysql: /usr/sbin/mariadbd not found (run scripts/install-deps.sh --test)"
  mkdir -p "$m"
  chown mysql:mysql "$m"
  mariadb-install-db --no-defaults --user=mysql --datadir="$m/data" --skip-test-db "${opts[@]}" \
    >"$m/install-db.log" 2>&1 || fail_with_log "mysql: mariadb-install-db failed" "$m"
  tls_wait
  install -o mysql -g mysql -m 600 "$TLS_DIR/server.key" "$m/"
  install -o mysql -g mysql -m 644 "$TLS_DIR/server.crt" "$TLS_DIR/ca.crt" "$m/"

  # mariadbd drops to the mysql user itself. setsid: its own session, so a terminal's
  # Ctrl-C reaches only stop.sh; output to a file, so no caller's pipe is held open.
  setsid /usr/sbin/mariadbd --no-defaults --user=mysql --datadir="$m/data" \
    --bind-address=127.0.0.1 --port="$port" --socket="$m/mysqld.sock" \
    --pid-file="$m/mysqld.pid" --log-error="$m/error.log" "${opts[@]}" \
    --ssl-ca="$m/ca.crt" --ssl-cert="$m/server.crt" --ssl-key="$m/server.key" \
    --innodb-flush-log-at-trx-commit=0 --skip-log-bin >"$m/stdout.log" 2>&1 </dev/null &
  pid=$!
  record_pid mysql "$pid"
  wait_ready mysql "$pid" "$m" \
    mariadb-admin --no-defaults -S "$m/mysqld.sock" -u root --connect-timeout=2 ping

  mariadb --no-defaults -S "$m/mysqld.sock" -u root -e "
    CREATE DATABASE testdb;
    CREATE USER 'testuser'@'%' IDENTIFIED BY 'testpass';
    CREATE USER 'tlsuser'@'%' IDENTIFIED BY 'testpass' REQUIRE SSL;
    CREATE USER 'certuser'@'%' REQUIRE SUBJECT '/CN=certuser' AND ISSUER '/CN=Test CA';
    GRANT ALL ON testdb.* TO 'testuser'@'%', 'tlsuser'@'%', 'certuser'@'%';" \
    >"$m/setup.log" 2>&1 || fail_with_log "mysql: creating users failed" "$m"
  log "mysql: ready on 127.0.0.1:$port, pid $pid, in $(($(now_ms) - t0)) ms"
}

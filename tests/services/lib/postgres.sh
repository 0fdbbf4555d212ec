# shellcheck shell=bash
# A throw-away PostgreSQL 15 cluster in $DSB_DIR/NAME, run as the postgres user.
# Roles: postgres (superuser, trust over the unix socket only), testuser/testpass
# (scram-sha-256, owner of testdb), certuser (client certificate, TLS instance only).

PGBIN=/usr/lib/postgresql/15/bin # not on PATH; the pg_ctlcluster wrappers are not used

# pg_start NAME PORT SSL: a cluster in $DSB_DIR/NAME. SSL is "on" (the test certs)
# or "off" (a plaintext server). Copying one initdb result for the second cluster
# was tried: creating its ~1000 files took as long as initdb itself (~1.3 s) here.
pg_start() {
  local name=$1 port=$2 ssl=$3 p=$DSB_DIR/$1 t0 pid
  t0=$(now_ms)
  [[ -x $PGBIN/initdb ]] || die "$name: PostgreSQL 15 not found in $PGBIN (run scripts/install-deps.sh --test)"
  mkdir -p "$p"
  # initdb wants a superuser password once host auth is scram; nobody logs in with it.
  echo testpass >"$p/pwfile"
  chown -R postgres:postgres "$p"
  chmod 600 "$p/pwfile"
  runuser -u postgres -- "$PGBIN/initdb" -D "$p/data" -U postgres --pwfile="$p/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$p/initdb.log" 2>&1 || fail_with_log "$name: initdb failed" "$p"
  if [[ $ssl == on ]]; then
    tls_wait
    # The server refuses a key that is not 0600 and owned by the server's user.
    install -o postgres -g postgres -m 600 "$TLS_DIR/server.key" "$p/server.key"
    install -o postgres -g postgres -m 644 "$TLS_DIR/server.crt" "$TLS_DIR/ca.crt" "$p/"
  fi

  cat >>"$p/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$p'
password_encryption = 'scram-sha-256'
ssl = $ssl
# Throw-away data: durability only costs time.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  [[ $ssl == off ]] || cat >>"$p/data/postgresql.conf" <<EOF
ssl_cert_file = '$p/server.crt'
ssl_key_file = '$p/server.key'
ssl_ca_file = '$p/ca.crt'
EOF
  # The hostssl cert line must come before the generic host line to win for certuser.
  {
    echo "local   all  all                    trust"
    [[ $ssl == off ]] || echo "hostssl all  certuser 127.0.0.1/32  cert"
    echo "host    all  all      127.0.0.1/32  scram-sha-256"
  } >"$p/data/pg_hba.conf"

  # pg_ctl -w waits for readiness itself and sends the server's output to server.log.
  if ! runuser -u postgres -- "$PGBIN/pg_ctl" -D "$p/data" -l "$p/server.log" -w \
    -t "$DSB_SERVICES_TIMEOUT" start >"$p/pg_ctl.log" 2>&1; then
    # A postmaster that is up but not ready must still be stopped by stop.sh.
    pid=$(head -n 1 "$p/data/postmaster.pid" 2>/dev/null || true)
    [[ -z $pid ]] || record_pid "$name" "$pid"
    fail_with_log "$name: server did not become ready within ${DSB_SERVICES_TIMEOUT}s" "$p"
  fi
  pid=$(head -n 1 "$p/data/postmaster.pid")
  record_pid "$name" "$pid"

  # One -c per statement: psql runs a multi-statement -c as one transaction, and
  # CREATE DATABASE cannot run inside one.
  "$PGBIN/psql" -h "$p" -p "$port" -U postgres -d postgres -qX -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE testuser LOGIN PASSWORD 'testpass'" -c "CREATE ROLE certuser LOGIN" \
    -c "CREATE DATABASE testdb OWNER testuser" >"$p/setup.log" 2>&1 ||
    fail_with_log "$name: creating roles failed" "$p"
  log "$name: ready on 127.0.0.1:$port, ssl=$ssl, pid $pid, in $(($(now_ms) - t0)) ms"
}

# shellcheck shell=bash
# A throw-away ClickHouse 18.16 server in $DSB_DIR/clickhouse, HTTP interface only
# (no native TCP or interserver port is configured, so none is opened).
# Users: default (no password), testuser/testpass; both from 127.0.0.1 and ::1 only.

ch_start() {
  local port=$1 c=$DSB_DIR/clickhouse t0 pid hash
  t0=$(now_ms)
  [[ -x /usr/sbin/clickhouse-server ]] ||
    die "clickhouse: /usr/sbin/clickhouse-server not found (run scripts/install-deps.sh --test)"
  mkdir -p "$c"/{data,tmp,user_files,format_schemas}
  hash=$(printf %s testpass | sha256sum | cut -d' ' -f1)
  cat >"$c/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>information</level>
        <log>$c/server.log</log>
        <errorlog>$c/server.err.log</errorlog>
        <size>100M</size>
        <count>1</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <http_port>$port</http_port>
    <path>$c/data/</path>
    <tmp_path>$c/tmp/</tmp_path>
    <user_files_path>$c/user_files/</user_files_path>
    <format_schema_path>$c/format_schemas/</format_schema_path>
    <users_config>$c/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <mark_cache_size>268435456</mark_cache_size>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <max_concurrent_queries>100</max_concurrent_queries>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
</yandex>
EOF
  cat >"$c/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile><quota>default</quota>
        </default>
        <testuser>
            <password_sha256_hex>$hash</password_sha256_hex>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile><quota>default</quota>
        </testuser>
    </users>
    <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
        <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
    </interval></default></quotas>
</yandex>
EOF
  chown -R clickhouse:clickhouse "$c"
  # setpriv execs the server as clickhouse, so $! is the server's own PID (runuser
  # would stay in between and make stopping take seconds). --pidfile is Poco's
  # option (--pid-file writes nothing in 18.16); stop.sh reads it too.
  setsid setpriv --reuid=clickhouse --regid=clickhouse --init-groups /usr/sbin/clickhouse-server \
    --config-file="$c/config.xml" --pidfile="$c/clickhouse.pid" >"$c/stdout.log" 2>&1 </dev/null &
  pid=$!
  record_pid clickhouse "$pid"
  wait_ready clickhouse "$pid" "$c" curl -fsS --max-time 2 "http://127.0.0.1:$port/ping"
  log "clickhouse: ready on http://127.0.0.1:$port, pid $pid, in $(($(now_ms) - t0)) ms"
}

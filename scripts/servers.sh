#!/usr/bin/env bash
# Starts / stops throwaway RabbitMQ, PostgreSQL and ClickHouse servers on loopback in a temp dir.
#   eval "$(scripts/servers.sh start)"   -> prints export lines (VIRALOOP_RABBITMQ, VIRALOOP_POSTGRES, VIRALOOP_CLICKHOUSE,
#                                           VIRALOOP_SERVERS_DIR, VIRALOOP_SERVERS_SCRIPT)
#   scripts/servers.sh stop DIR
#   scripts/servers.sh clickhouse-stop DIR [--kill]   stops only ClickHouse (SIGTERM and wait, or SIGKILL); data stays
#   scripts/servers.sh clickhouse-start DIR           starts it again on the same ports and data, waits for SELECT 1
set -euo pipefail
cmd="${1:-start}"
RMQ_BIN=/usr/lib/rabbitmq/bin
PG_BIN=/usr/lib/postgresql/15/bin
CH_BIN=/usr/sbin/clickhouse-server

free_port() { python3 - <<'PY' 2>/dev/null || shuf -i 20000-60000 -n 1
import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()
PY
}

start() {
  local dir; dir=$(mktemp -d /tmp/viraloop-servers.XXXXXX)
  chmod 755 "$dir"
  local amqp mgmt dist pg chhttp chtcp
  amqp=$(free_port); mgmt=$(free_port); dist=$(free_port); pg=$(free_port); chhttp=$(free_port); chtcp=$(free_port)
  local node="vl$(basename "$dir" | tr -dc 'a-zA-Z0-9' | tail -c 6)@localhost"
  # --- RabbitMQ -------------------------------------------------------------
  mkdir -p "$dir/rmq/mnesia" "$dir/rmq/log"
  cat > "$dir/rmq/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$amqp
management.tcp.ip = 127.0.0.1
management.tcp.port = $mgmt
loopback_users = none
heartbeat = 5
CONF
  echo "[rabbitmq_management]." > "$dir/rmq/enabled_plugins"
  cat > "$dir/rmq/env" <<ENV
export RABBITMQ_NODENAME=$node
export RABBITMQ_MNESIA_BASE=$dir/rmq/mnesia
export RABBITMQ_LOG_BASE=$dir/rmq/log
export RABBITMQ_CONFIG_FILE=$dir/rmq/rabbitmq
export RABBITMQ_ENABLED_PLUGINS_FILE=$dir/rmq/enabled_plugins
export RABBITMQ_DIST_PORT=$dist
export RABBITMQ_PID_FILE=$dir/rmq/pid
export ERL_EPMD_ADDRESS=127.0.0.1
ENV
  ( source "$dir/rmq/env"; "$RMQ_BIN/rabbitmq-server" >"$dir/rmq/stdout.log" 2>&1 & echo $! > "$dir/rmq/shell.pid" )
  # --- ClickHouse (boots in the background while PostgreSQL starts) ---------
  clickhouse_config "$dir" "$chhttp" "$chtcp"
  clickhouse_launch "$dir"
  # --- PostgreSQL -----------------------------------------------------------
  mkdir -p "$dir/pg"; chown postgres "$dir/pg" 2>/dev/null || true
  local as_pg=()
  [[ $(id -u) -eq 0 ]] && as_pg=(runuser -u postgres --)
  "${as_pg[@]}" "$PG_BIN/initdb" -D "$dir/pg/data" -U postgres -A trust >/dev/null
  "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/log" -w \
     -o "-c listen_addresses=127.0.0.1 -p $pg -k $dir/pg -c fsync=off -c max_connections=300" start >/dev/null
  # --- wait for RabbitMQ ----------------------------------------------------
  for _ in $(seq 1 120); do
    (echo > /dev/tcp/127.0.0.1/$amqp) 2>/dev/null && break
    sleep 0.5
  done
  ( source "$dir/rmq/env"; "$RMQ_BIN/rabbitmqctl" -n "$node" await_startup --timeout 60 >/dev/null )
  clickhouse_wait "$dir"
  echo "export VIRALOOP_SERVERS_DIR=$dir"
  echo "export VIRALOOP_SERVERS_SCRIPT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
  echo "export VIRALOOP_CLICKHOUSE=http://127.0.0.1:$chhttp"
  echo "export VIRALOOP_RABBITMQ=amqp://guest:guest@127.0.0.1:$amqp/"
  echo "export VIRALOOP_RABBITMQ_MANAGEMENT=http://guest:guest@127.0.0.1:$mgmt/"
  echo "export VIRALOOP_POSTGRES='Host=127.0.0.1;Port=$pg;Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50'"
}

# ClickHouse 18.16 as its own unprivileged process: config, users and data under DIR/ch. Under root it runs as the
# package's `clickhouse` user (runuser), as PostgreSQL runs as `postgres`; otherwise as the caller.
clickhouse_config() {
  local dir="$1" http="$2" tcp="$3" ch="$1/ch"
  mkdir -p "$ch/data/tmp" "$ch/data/user_files" "$ch/log"
  cat > "$ch/config.xml" <<CONF
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$ch/log/server.log</log><errorlog>$ch/log/error.log</errorlog><size>10M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <path>$ch/data/</path>
  <tmp_path>$ch/data/tmp/</tmp_path>
  <user_files_path>$ch/data/user_files/</user_files_path>
  <users_config>$ch/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <umask>022</umask>
  <mlock_executable>false</mlock_executable>
  <max_connections>256</max_connections>
  <keep_alive_timeout>10</keep_alive_timeout>
  <max_concurrent_queries>64</max_concurrent_queries>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <mark_cache_size>67108864</mark_cache_size>
  <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
  <max_session_timeout>3600</max_session_timeout>
  <default_session_timeout>60</default_session_timeout>
</yandex>
CONF
  cat > "$ch/users.xml" <<CONF
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage><max_threads>2</max_threads></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
CONF
  echo "$http" > "$ch/http_port"
  [[ $(id -u) -eq 0 ]] && chown -R clickhouse:clickhouse "$ch" 2>/dev/null || true
}

clickhouse_launch() {
  local dir="$1" ch="$1/ch"
  local as_ch=()
  [[ $(id -u) -eq 0 ]] && as_ch=(runuser -u clickhouse --)
  # Not --daemon: the shell keeps its pid (the server's own, runuser execs nothing else once it has switched user).
  ( cd "$ch" && exec "${as_ch[@]}" "$CH_BIN" --config-file="$ch/config.xml" >"$ch/log/stdout.log" 2>&1 ) &
  echo $! > "$ch/pid"
}

clickhouse_wait() {
  local dir="$1" ch="$1/ch" http
  http=$(cat "$ch/http_port")
  for _ in $(seq 1 300); do
    [[ "$(curl -fsS --max-time 2 "http://127.0.0.1:$http/?query=SELECT%201" 2>/dev/null)" == 1 ]] && return 0
    if ! kill -0 "$(cat "$ch/pid")" 2>/dev/null; then
      echo "[servers] ClickHouse exited during start-up:" >&2; tail -n 20 "$ch/log/stdout.log" "$ch/log/error.log" >&2 2>/dev/null || true
      return 1
    fi
    sleep 0.1
  done
  echo "[servers] ClickHouse did not answer SELECT 1 on port $http within 30 s" >&2
  return 1
}

clickhouse_stop() {
  local dir="$1" how="${2:-}" ch="$1/ch" pid
  [[ -f "$ch/pid" ]] || return 0
  pid=$(cat "$ch/pid")
  # runuser forks: the server is its child, so signal the whole tree (the server, then runuser).
  local pids; pids="$(pgrep -P "$pid" 2>/dev/null || true) $pid"
  if [[ "$how" == --kill ]]; then
    kill -9 $pids 2>/dev/null || true
  else
    kill -TERM $pids 2>/dev/null || true
  fi
  for _ in $(seq 1 300); do
    local alive=0
    for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for p in $pids; do kill -9 "$p" 2>/dev/null || true; done
  rm -f "$ch/pid"
}

stop() {
  local dir="$1"
  [[ -d "$dir" ]] || return 0
  clickhouse_stop "$dir"
  if [[ -f "$dir/rmq/env" ]]; then
    ( source "$dir/rmq/env"; timeout 30 "$RMQ_BIN/rabbitmqctl" -n "$RABBITMQ_NODENAME" stop >/dev/null 2>&1 ) || true
    [[ -f "$dir/rmq/pid" ]] && kill -9 "$(cat "$dir/rmq/pid")" 2>/dev/null || true
  fi
  local as_pg=()
  [[ $(id -u) -eq 0 ]] && as_pg=(runuser -u postgres --)
  [[ -d "$dir/pg/data" ]] && "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$dir/pg/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "$cmd" in
  start) start ;;
  stop) stop "${2:?servers dir}" ;;
  clickhouse-stop) clickhouse_stop "${2:?servers dir}" "${3:-}" ;;
  clickhouse-start) clickhouse_launch "${2:?servers dir}"; clickhouse_wait "$2" ;;
  *) echo "usage: $0 start | stop DIR | clickhouse-stop DIR [--kill] | clickhouse-start DIR" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Starts / stops throwaway RabbitMQ and PostgreSQL servers on loopback in a temp dir.
#   eval "$(scripts/servers.sh start)"   -> prints export lines (VIRALOOP_RABBITMQ, VIRALOOP_POSTGRES, VIRALOOP_SERVERS_DIR)
#   scripts/servers.sh stop DIR
set -euo pipefail
cmd="${1:-start}"
RMQ_BIN=/usr/lib/rabbitmq/bin
PG_BIN=/usr/lib/postgresql/15/bin

free_port() { python3 - <<'PY' 2>/dev/null || shuf -i 20000-60000 -n 1
import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()
PY
}

start() {
  local dir; dir=$(mktemp -d /tmp/viraloop-servers.XXXXXX)
  chmod 755 "$dir"
  local amqp mgmt dist pg
  amqp=$(free_port); mgmt=$(free_port); dist=$(free_port); pg=$(free_port)
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
  echo "export VIRALOOP_SERVERS_DIR=$dir"
  echo "export VIRALOOP_RABBITMQ=amqp://guest:guest@127.0.0.1:$amqp/"
  echo "export VIRALOOP_RABBITMQ_MANAGEMENT=http://guest:guest@127.0.0.1:$mgmt/"
  echo "export VIRALOOP_POSTGRES='Host=127.0.0.1;Port=$pg;Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50'"
}

stop() {
  local dir="$1"
  [[ -d "$dir" ]] || return 0
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
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# A local ViraLoop cluster on loopback: throwaway PostgreSQL + RabbitMQ, the schema migrated, two silos and a GPU silo.
#   scripts/cluster.sh start     -> prints the editor, API and dashboard URLs, the admin key and the line to stop it
#   scripts/cluster.sh stop DIR
#   scripts/cluster.sh status DIR -> one line a silo (up or down); exit 1 when one is down
# `viraloop cluster start|stop|status` runs this script (VIRALOOP_CLI: the viraloop.dll to use instead of building one).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

start() {
  scripts/deps.sh all # servers, media tools, and npm for the editor page's build
  dotnet build src/Silo/ViraLoop.Silo -c Release -nologo -clp:ErrorsOnly -v:q >&2
  dotnet build src/GpuSilo/ViraLoop.GpuSilo -c Release -nologo -clp:ErrorsOnly -v:q >&2
  local cli="${VIRALOOP_CLI:-}"
  if [[ -z "$cli" ]]; then
    dotnet build src/Client/ViraLoop.Cli -c Release -nologo -clp:ErrorsOnly -v:q >&2
    cli=src/Client/ViraLoop.Cli/bin/Release/net10.0/viraloop.dll
  fi
  eval "$(scripts/servers.sh start)"
  local dir="$VIRALOOP_SERVERS_DIR"
  trap 'stop "$dir"' ERR
  local admin; admin="vladm-$(head -c 18 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9')"
  mkdir -p "$dir/blobs"
  export ViraLoop__Mode=cluster ViraLoop__RabbitMq="$VIRALOOP_RABBITMQ" ViraLoop__Postgres="$VIRALOOP_POSTGRES" ViraLoop__AdvertisedAddress=127.0.0.1 \
    ViraLoop__Blobs="$dir/blobs" ViraLoop__AdminKey="$admin"
  dotnet "$cli" db migrate >&2
  local i=0
  for silo in silo-1 silo-2 gpu-1; do
    local dll=src/Silo/ViraLoop.Silo/bin/Release/net10.0/ViraLoop.Silo.dll
    [[ $silo == gpu-* ]] && dll=src/GpuSilo/ViraLoop.GpuSilo/bin/Release/net10.0/ViraLoop.GpuSilo.dll
    ViraLoop__SiloId=$silo ViraLoop__SiloPort=$((21111 + i)) ViraLoop__GatewayPort=$((31000 + i)) \
      nohup dotnet "$dll" --urls "http://127.0.0.1:$((5001 + i))" >"$dir/$silo.log" 2>&1 &
    echo $! >"$dir/$silo.pid"
    i=$((i + 1))
  done
  for port in 5001 5002 5003; do
    local up=""
    for _ in $(seq 1 120); do
      curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && { up=1; break; }
      sleep 0.5
    done
    if [[ -z "$up" ]]; then
      echo "the silo on :$port did not become healthy in 60 s; its log:" >&2
      tail -20 "$dir"/*.log >&2 || true
      stop "$dir"
      exit 1
    fi
  done
  trap - ERR
  cat <<INFO
silos:     http://127.0.0.1:5001, http://127.0.0.1:5002, GPU silo http://127.0.0.1:5003 (each serves all of the below)
editor:    http://127.0.0.1:5001/editor/
dashboard: http://127.0.0.1:5001/ops/ (ViraLoop: GPU workers, jobs, stream queues, traces; admin key below)
orleans:   http://127.0.0.1:5001/dashboard/     API: http://127.0.0.1:5001/v1/videos (OpenAPI /openapi/v1.json, metrics /metrics)
admin key: $admin
an API key for tenant "demo": curl -s -X POST http://127.0.0.1:5001/v1/admin/tenants/demo/keys -H "X-Admin-Key: $admin"
logs:      $dir/*.log
stop:      scripts/cluster.sh stop $dir
INFO
}

stop() {
  local dir="$1"
  for f in "$dir"/*.pid; do [[ -f "$f" ]] && kill "$(cat "$f")" 2>/dev/null || true; done
  scripts/servers.sh stop "$dir"
}

status() {
  local dir="$1" down=0 i=0
  [[ -d "$dir" ]] || { echo "no cluster state in $dir" >&2; exit 2; }
  for silo in silo-1 silo-2 gpu-1; do
    local port=$((5001 + i)) pid
    i=$((i + 1))
    pid="$(cat "$dir/$silo.pid" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
      echo "$silo: up    http://127.0.0.1:$port (pid $pid)"
    else
      echo "$silo: down  http://127.0.0.1:$port"
      down=1
    fi
  done
  return $down
}

case "${1:-start}" in
  start) start ;;
  stop) stop "${2:?servers dir}" ;;
  status) status "${2:?servers dir}" ;;
  *) echo "usage: $0 start | stop DIR | status DIR" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Runs a benchmark (default: runtime) with throwaway RabbitMQ/PostgreSQL servers on loopback.
#   scripts/bench.sh runtime [--embedded-messages N --cluster-messages N --calls N]
#   scripts/bench.sh video   [--duration 30]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh all
servers_dir=""
cleanup() { [[ -n "$servers_dir" ]] && scripts/servers.sh stop "$servers_dir" || true; }
trap cleanup EXIT
if [[ "${1:-runtime}" == runtime ]]; then
  eval "$(scripts/servers.sh start)"
  servers_dir="$VIRALOOP_SERVERS_DIR"
fi
dotnet build bench/ViraLoop.Bench -c Release -nologo -clp:ErrorsOnly -v:q >/dev/null
dotnet bench/ViraLoop.Bench/bin/Release/net10.0/ViraLoop.Bench.dll "$@"

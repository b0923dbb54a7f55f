#!/usr/bin/env bash
# Runs a benchmark (default: orleans) with throwaway RabbitMQ/PostgreSQL/ClickHouse servers on loopback.
#   scripts/bench.sh orleans            all Orleans benchmarks (calls, storage, streams, failover, start)
#   scripts/bench.sh orleans-calls [--rounds 2] | orleans-calls-inproc | orleans-calls-cluster
#   scripts/bench.sh orleans-storage | orleans-streams [--streams 32] [--classic] | orleans-failover | orleans-start
#   scripts/bench.sh video   [--duration 30]
#   scripts/bench.sh frames
#   scripts/bench.sh trust [--duration 30] [--pairs 2]   moderation, flash analysis, watermark embedding and C2PA signing against the render
#   scripts/bench.sh languages [--duration 30] [--rounds 2]   a 30 s preview in Arabic and Chinese against English, in the same run
#   scripts/bench.sh dna [--n 100000] [--queries 1000] [--m 16] [--efc 100] [--no-video]   video DNA: HNSW build time, QPS and recall@10 per efSearch; DNA of a 30 s preview
#   scripts/bench.sh watermark [--duration 30] [--keys 1000]   the invisible watermark: picture cost, embedding cost, robustness table, false positives
#   scripts/bench.sh api [--seconds 20] [--concurrency 32] [--rate 200] [--jobs 3] [--cross-jobs 6]   submissions/min and p99 from this process to a silo process; progress → SignalR latency, on one silo and across two
#   scripts/bench.sh pipeline [--jobs 6] [--rounds 1] [--dispatches 2000] [--kills 3] [--kills-only]   jobs/hour embedded, cluster, bare; scheduler; cache hits; kill -9
#   scripts/bench.sh bandits [--impressions 100000] [--seeds 20] [--genomes 120]   issue 8: regret of Thompson vs ε-greedy vs UCB1; shared per-gene evidence vs independent arms (offline simulation)
#   scripts/bench.sh ingest [--events 200000] [--batches 1000,10000]   engagement events/s into ClickHouse (HTTP) and the embedded SQLite store
# Set VIRALOOP_ALT_OUT=/some/dir to build into a separate tree (beside a running build/test).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh all
set -- "${1:-orleans}" "${@:2}"
servers_dir=""
cleanup() { [[ -n "$servers_dir" ]] && scripts/servers.sh stop "$servers_dir" || true; }
trap cleanup EXIT
case "$1" in
  orleans*|pipeline|api|ingest)
    eval "$(scripts/servers.sh start)"
    servers_dir="$VIRALOOP_SERVERS_DIR"
    ;;
esac
dotnet build bench/ViraLoop.Bench -c Release -nologo -clp:ErrorsOnly -v:q >/tmp/bench-build.log || { cat /tmp/bench-build.log >&2; exit 1; }
out="bench/ViraLoop.Bench/bin/Release/net10.0"
[[ -n "${VIRALOOP_ALT_OUT:-}" ]] && out="$VIRALOOP_ALT_OUT/ViraLoop.Bench/bin/Release/net10.0"
dotnet "$out/ViraLoop.Bench.dll" "$@"

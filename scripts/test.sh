#!/usr/bin/env bash
# Runs the whole test suite: installs missing Debian packages, starts throwaway RabbitMQ, ClickHouse and
# PostgreSQL servers on loopback, builds, runs every test project, stops the servers.
# Tests that kill silos and assert membership timings (the multi-process cluster tests, and the stream
# provider's in-process clusters) run last, one project at a time, not beside the video renders.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

scripts/deps.sh all

servers_dir=""
cleanup() { [[ -n "$servers_dir" ]] && scripts/servers.sh stop "$servers_dir" || true; }
trap cleanup EXIT
echo "[test] starting RabbitMQ, PostgreSQL and ClickHouse on loopback" >&2
eval "$(scripts/servers.sh start)"
servers_dir="$VIRALOOP_SERVERS_DIR"

echo "[test] building" >&2
dotnet build ViraLoop.sln -c Release -nologo -clp:ErrorsOnly -v:q
echo "[test] known vulnerabilities in the packages (high or critical fail)" >&2
scripts/vulnerable.sh

results=$(mktemp -d)
rc=0
run() {
  local r
  set +e
  dotnet test "$@" -c Release --no-build --nologo --logger "trx" --results-directory "$results" 2>&1 | tee -a "$results/console.log"
  r=${PIPESTATUS[0]}
  set -e
  return "$r"
}
serial_projects=(tests/ViraLoop.Streams.Tests/ViraLoop.Streams.Tests.csproj tests/ViraLoop.Cluster.Tests/ViraLoop.Cluster.Tests.csproj)
parallel_projects=()
for p in tests/*/*.Tests.csproj; do
  [[ " ${serial_projects[*]} " == *" $p "* ]] || parallel_projects+=("$p")
done
echo "[test] unit, provider, media and host tests (in parallel)" >&2
pids=()
for p in "${parallel_projects[@]}"; do run "$p" "$@" & pids+=($!); done
for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
echo "[test] stream provider and multi-process cluster tests (one project at a time)" >&2
for p in "${serial_projects[@]}"; do run "$p" "$@" || rc=1; done

count() { cat "$results"/*.trx 2>/dev/null | grep -oE "<UnitTestResult [^>]*outcome=\"$1\"" | wc -l || true; }
passed=$(count Passed); failed=$(count Failed); skipped=$(count NotExecuted)
echo "tests: $passed passed, $failed failed, $skipped skipped"
rm -rf "$results"
if [[ $rc -eq 0 && $failed -gt 0 ]]; then rc=1; fi
if [[ $rc -eq 0 && $passed -eq 0 ]]; then echo "[test] no test ran" >&2; exit 1; fi
exit "$rc"

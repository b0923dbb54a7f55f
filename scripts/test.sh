#!/usr/bin/env bash
# Runs the whole test suite: installs missing Debian packages, starts throwaway RabbitMQ and
# PostgreSQL servers on loopback, builds, runs every test project, stops the servers.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

scripts/deps.sh all

servers_dir=""
cleanup() { [[ -n "$servers_dir" ]] && scripts/servers.sh stop "$servers_dir" || true; }
trap cleanup EXIT
echo "[test] starting RabbitMQ and PostgreSQL on loopback" >&2
eval "$(scripts/servers.sh start)"
servers_dir="$VIRALOOP_SERVERS_DIR"

echo "[test] building" >&2
dotnet build ViraLoop.sln -c Release -nologo -clp:ErrorsOnly -v:q

results=$(mktemp -d)
set +e
dotnet test ViraLoop.sln -c Release --no-build --nologo --logger "trx" --results-directory "$results" "$@" 2>&1 | tee "$results/console.log"
rc=${PIPESTATUS[0]}
set -e
count() { cat "$results"/*.trx 2>/dev/null | grep -oE "<UnitTestResult [^>]*outcome=\"$1\"" | wc -l || true; }
passed=$(count Passed); failed=$(count Failed); skipped=$(count NotExecuted)
echo "tests: $passed passed, $failed failed, $skipped skipped"
rm -rf "$results"
if [[ $rc -eq 0 && $passed -eq 0 ]]; then echo "[test] no test ran" >&2; exit 1; fi
exit "$rc"

#!/usr/bin/env bash
# One command from a fresh Debian machine (with the .NET SDK) to a video:
#   scripts/viraloop.sh generate --topic "Why octopuses are smart" --out out/octopus
# Installs what is missing (ffmpeg, espeak-ng, fonts), builds the CLI, runs it (embedded, no servers).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
"$root/scripts/deps.sh" media
dotnet build "$root/src/Client/ViraLoop.Cli" -c Release -nologo -clp:ErrorsOnly -v:q >&2
exec dotnet "$root/src/Client/ViraLoop.Cli/bin/Release/net10.0/viraloop.dll" "$@"

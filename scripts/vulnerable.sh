#!/usr/bin/env bash
# Fails when a NuGet package the solution uses (directly or transitively) has a known high or critical vulnerability,
# by the advisories the package sources publish (dotnet list package --vulnerable). Run after a restore.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! dotnet list ViraLoop.sln package --vulnerable --include-transitive --format json >"$out" 2>&1; then
  cat "$out" >&2
  echo "[vulnerable] dotnet list package --vulnerable failed" >&2
  exit 1
fi
found=$(grep -Eic '"severity": *"(high|critical)"' "$out" || true)
if [[ "$found" -gt 0 ]]; then
  grep -Ei -B6 '"severity": *"(high|critical)"' "$out" | grep -E '"id"|"resolvedVersion"|"severity"|"advisoryurl"' >&2 || true
  echo "[vulnerable] $found high or critical advisories among the packages: update them (Directory.Packages.props)" >&2
  exit 1
fi
moderate=$(grep -Eic '"severity": *"(moderate|low)"' "$out" || true)
# A canary: a package version with a published high advisory (Newtonsoft.Json 12.0.1, GHSA-5crp-9r3c-p9vr). If the
# sources do not flag it, they publish no vulnerability data and the "none found" above means nothing: say so loudly.
canary=$(mktemp -d)
trap 'rm -f "$out"; rm -rf "$canary"' EXIT
cat >"$canary/canary.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally><NuGetAudit>false</NuGetAudit></PropertyGroup>
  <ItemGroup><PackageReference Include="Newtonsoft.Json" Version="12.0.1" /></ItemGroup>
</Project>
XML
if dotnet restore "$canary/canary.csproj" -v q >/dev/null 2>&1 \
   && dotnet list "$canary/canary.csproj" package --vulnerable --format json 2>/dev/null | grep -Eiq '"severity": *"high"'; then
  echo "[vulnerable] no high or critical advisories ($moderate moderate or low); the sources publish advisories (the canary was flagged)" >&2
else
  echo "[vulnerable] WARNING: no advisories found, but the package sources publish no vulnerability data (a known-vulnerable canary was not flagged): nothing was really checked" >&2
fi

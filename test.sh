#!/usr/bin/env bash
# Runs every test of Tyto: restore, build (warnings are errors), formatting check, then all test projects.
# The tests need nothing beyond the .NET 10 SDK and coreutils yet; later suites install their Debian
# packages (chromium, postgresql) here when missing.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET 10 SDK (dotnet) is required" >&2
  exit 1
fi

dotnet restore Tyto.sln
dotnet build Tyto.sln --no-restore
dotnet format Tyto.sln --no-restore --verify-no-changes
dotnet test Tyto.sln --no-build

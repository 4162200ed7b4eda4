#!/usr/bin/env bash
# Runs every test of Tyto: restore, build (warnings are errors), formatting check, then all test projects.
# Beyond the .NET 10 SDK the tests use promtool (Debian's prometheus package) to check /metrics; later
# suites install their Debian packages (chromium, postgresql) here when missing.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET 10 SDK (dotnet) is required" >&2
  exit 1
fi

# Only promtool is needed, not a Prometheus server: the package is unpacked under .tools/ rather than installed.
promtool="$(command -v promtool || true)"
if [[ -z "$promtool" ]]; then
  promtool=".tools/prometheus/usr/bin/promtool"
  if [[ ! -x "$promtool" ]] && command -v apt-get >/dev/null 2>&1; then
    download="$(mktemp -d)"
    (cd "$download" && { apt-get download prometheus || { apt-get update -qq && apt-get download prometheus; }; }) || true
    if ls "$download"/prometheus_*.deb >/dev/null 2>&1; then
      mkdir -p .tools/prometheus && dpkg-deb -x "$download"/prometheus_*.deb .tools/prometheus
    fi
    rm -rf "$download"
  fi
fi
if [[ -x "$promtool" ]]; then
  export TYTO_PROMTOOL="$(realpath "$promtool")"
else
  echo "test.sh: promtool is not available; /metrics is checked by the tests' own parser only" >&2
fi

# The file log tests rotate real files with logrotate (Debian's logrotate package), installed when missing.
logrotate="$(command -v logrotate || command -v /usr/sbin/logrotate || true)"
if [[ -z "$logrotate" ]] && command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
  { apt-get install -y -qq --no-install-recommends logrotate || { apt-get update -qq && apt-get install -y -qq --no-install-recommends logrotate; }; } >/dev/null || true
  logrotate="$(command -v logrotate || command -v /usr/sbin/logrotate || true)"
fi
if [[ -n "$logrotate" ]]; then
  export TYTO_LOGROTATE="$logrotate"
else
  echo "test.sh: logrotate is not available; the logrotate rotation tests are skipped" >&2
fi

# The dashboard: Node for its type check and unit tests (front-end packages pinned by src/Tyto.Web/package-lock.json),
# and Debian's Chromium for the browser tests; each installed when missing.
apt_install() {
  { apt-get install -y -qq --no-install-recommends "$@" || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@"; }; } >/dev/null
}
if ! command -v npm >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  apt_install nodejs npm
fi
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  apt_install chromium fonts-dejavu-core
fi
TYTO_CHROMIUM="$(command -v chromium || true)"
export TYTO_CHROMIUM
# The stores' tests run on SQLite and on a throwaway PostgreSQL server of Debian's postgresql, installed when missing.
postgres_bin() { { ls -d /usr/lib/postgresql/*/bin 2>/dev/null || true; } | sort -V | tail -n 1; }
if [[ -z "${TYTO_POSTGRES_BIN:-}" && -z "$(postgres_bin)" ]] && command -v apt-get >/dev/null 2>&1; then
  apt_install postgresql
fi
TYTO_POSTGRES_BIN="${TYTO_POSTGRES_BIN:-$(postgres_bin)}"
export TYTO_POSTGRES_BIN
(cd src/Tyto.Web && npm ci --no-audit --no-fund --loglevel=error && npm run --silent check && npm test)

dotnet restore Tyto.sln
dotnet build Tyto.sln --no-restore
dotnet format Tyto.sln --no-restore --verify-no-changes
dotnet test Tyto.sln --no-build

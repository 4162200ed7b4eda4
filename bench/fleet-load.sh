#!/usr/bin/env bash
# Simulated agents against one real server (bench/README.md, section 6): runs Tyto.Host (Release build output, a copy
# with its own data dir and ports) and the fleet driver of Tyto.Bench, which pre-registers COUNT agents, enrolls each
# with its token, holds COUNT mutual-TLS WebSockets sending one sample a second, and measures the server's CPU and
# memory and the latency from a sample to its SSE frame.
#
# COUNT     simulated agents (default 1000)        DURATION  measured seconds after a 20 s warm-up (default 120)
# PORT      HTTP port on 127.0.0.1 (default 18193)  AGENT_PORT  agent endpoint port (default 18443)
# SKIP_BUILD=1  reuse the existing Release builds
set -euo pipefail

readonly COUNT="${COUNT:-1000}"
readonly DURATION="${DURATION:-120}"
readonly PORT="${PORT:-18193}"
readonly AGENT_PORT="${AGENT_PORT:-18443}"
SERVER_ARGS=(--Tyto:Agents:Listen="https://127.0.0.1:${AGENT_PORT}")

# shellcheck source=server-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/server-lib.sh"
bench_init fleet
build_server
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    dotnet build "${REPO}/bench/Tyto.Bench/Tyto.Bench.csproj" -c Release --nologo -v quiet --disable-build-servers > "${TMP}/bench-build.log" 2>&1 \
        || { tail -n 30 "${TMP}/bench-build.log" >&2; exit 1; }
fi
copy_app
start_server
wait_healthy 60
dotnet "${REPO}/bench/Tyto.Bench/bin/Release/net10.0/Tyto.Bench.dll" fleet "${URL}" "https://127.0.0.1:${AGENT_PORT}" bench-password-1 \
    "${SERVER_PID}" "${COUNT}" "${DURATION}"
stop_server
echo "Server exit code ${SERVER_EXIT_CODE}; warnings and errors in its log:"
grep -Eic 'warn|fail|error' "${TMP}/server.log" || true

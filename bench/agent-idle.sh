#!/usr/bin/env bash
# The agent process at a 1 s interval (bench/README.md, section 7): runs a real server and a real agent (the same
# Release build output, copies with their own data dirs), enrolls the agent with a one-time token, and after a
# warm-up measures the agent's CPU over DURATION seconds and its RSS at the end.
#
# DURATION  measured seconds (default 540)    WARMUP  seconds after the agent is online (default 60)
# PORT      server HTTP port on 127.0.0.1 (default 18194)    AGENT_PORT  agent endpoint port (default 18444)
# SKIP_BUILD=1  reuse the existing Release build. Any DOTNET_* variable reaches both processes.
set -euo pipefail

readonly DURATION="${DURATION:-540}"
readonly WARMUP="${WARMUP:-60}"
readonly PORT="${PORT:-18194}"
readonly AGENT_PORT="${AGENT_PORT:-18444}"
SERVER_ARGS=(--Tyto:Agents:Listen="https://127.0.0.1:${AGENT_PORT}")

# shellcheck source=server-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/server-lib.sh"
bench_init agent
trap 'stop_agent; cleanup' EXIT

build_server
copy_app
start_server
wait_healthy 60

token=$(login)
start_agent "${token}"
echo "Agent online; warming up for ${WARMUP} s"
sleep "${WARMUP}"

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
start_ticks=$(ticks "${AGENT_PID}")
start_rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/${AGENT_PID}/status")
sleep "${DURATION}"
end_ticks=$(ticks "${AGENT_PID}")
end_rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/${AGENT_PID}/status")
awk -v t=$((end_ticks - start_ticks)) -v d="${DURATION}" -v a="${start_rss}" -v b="${end_rss}" \
    'BEGIN { printf "Agent CPU %.2f %% of one core over %d s; RSS %.1f -> %.1f MB\n", t / d, d, a / 1024, b / 1024 }'
curl -fsS "${URL}/api/v1/agents/bench-agent" -H "Authorization: Bearer ${token}" | jq -c '{status, buffered, dropped}'
echo "Assemblies the agent mapped:"
grep -oE '[^/]+\.dll$' "/proc/${AGENT_PID}/maps" | sort -u | tr '\n' ' '
echo
stop_agent
stop_server

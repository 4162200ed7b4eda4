#!/usr/bin/env bash
# Backlog drain after an outage (bench/README.md, section 8): a real server and a real agent collecting every 1 s
# (the same Release build, own data dirs); the server is stopped for OUTAGE seconds while the agent buffers, then
# started again, and the script times how long the agent's outbox takes to empty, as GET /api/v1/agents shows it.
#
# OUTAGE    seconds the server is away (default 3600)
# PORT      server HTTP port on 127.0.0.1 (default 18196)    AGENT_PORT  agent endpoint port (default 18446)
# SKIP_BUILD=1  reuse the existing Release build. Any DOTNET_* variable reaches both processes.
set -euo pipefail

readonly OUTAGE="${OUTAGE:-3600}"
readonly PORT="${PORT:-18196}"
readonly AGENT_PORT="${AGENT_PORT:-18446}"
SERVER_ARGS=(--Tyto:Agents:Listen="https://127.0.0.1:${AGENT_PORT}")

# shellcheck source=server-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/server-lib.sh"
bench_init drain
trap 'stop_agent; cleanup' EXIT

build_server
copy_app
start_server
wait_healthy 60
token=$(login)
start_agent "${token}"

echo "Agent online; stopping the server for ${OUTAGE} s"
stopped=$(date -u +%Y-%m-%dT%H:%M:%SZ)
stop_server
sleep "${OUTAGE}"
start_server
wait_healthy 120
answered=$(date +%s.%N)
token=$(login)
peak=0
online=""
while true; do
    status=$(agent_field "${token}" status)
    buffered=$(agent_field "${token}" buffered)
    if [[ "${status}" == online ]]; then
        [[ -z "${online}" ]] && online=$(date +%s.%N)
        (( buffered > peak )) && peak=${buffered}
        [[ "${buffered}" == 0 && "${peak}" -gt 0 ]] && break
    fi
    sleep 0.5
done
drained=$(date +%s.%N)
awk -v p="${peak}" -v r="$(echo "${online} - ${answered}" | bc)" -v d="$(echo "${drained} - ${online}" | bc)" \
    'BEGIN { printf "The agent reconnected %.0f s after the server answered again; its backlog of at least %d samples drained %.1f s later (%.0f samples/s beside the live ones; polled every 0.5 s)\n", r, p, d, p / d }'
drained_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
curl -fsS "${URL}/api/v1/history?resolution=raw&agent_id=bench-agent&from=${stopped}&to=${drained_at}" \
    -H "Authorization: Bearer ${token}" \
    | jq -r --arg from "${stopped}" --arg to "${drained_at}" '[.data[].timestamp | sub("\\.[0-9]+"; "")] as $t
        | (($to | fromdate) - ($from | fromdate) + 1) as $span
        | "Raw history from \($from) to \($to) (\($span) s): \($t | length) samples, \($t | unique | length) distinct seconds"'
echo "Agent log:"
cat "${TMP}/agent.log"
stop_agent
stop_server

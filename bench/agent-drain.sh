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
AGENT_PID=""
stop_agent() {
    if [[ -n "${AGENT_PID}" ]] && kill -0 "${AGENT_PID}" 2>/dev/null; then
        kill -TERM "${AGENT_PID}" 2>/dev/null || true
        sleep 2
        kill -KILL "${AGENT_PID}" 2>/dev/null || true
    fi
}
trap 'stop_agent; cleanup' EXIT

login() {
    curl -fsS "${URL}/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d '{"username":"admin","password":"bench-password-1"}' | jq -r .token
}
agent_field() { curl -fsS "${URL}/api/v1/agents/bench-agent" -H "Authorization: Bearer $1" | jq -r ".$2"; }

build_server
copy_app
start_server
wait_healthy 60
token=$(login)
enrollment=$(curl -fsS "${URL}/api/v1/agents" -H "Authorization: Bearer ${token}" -H 'Content-Type: application/json' \
    -d '{"id":"bench-agent","name":"Bench agent"}')
jq -r .enrollment.token <<< "${enrollment}" > "${TMP}/enrollment-token"
mkdir -p "${TMP}/agent-data"
(cd "${TMP}/app" && exec dotnet Tyto.Host.dll agent --Tyto:DataDir="${TMP}/agent-data" --Tyto:Agent:Id=bench-agent \
    --Tyto:Agent:Server:0="https://127.0.0.1:${AGENT_PORT}" --Tyto:Agent:EnrollmentTokenFile="${TMP}/enrollment-token" \
    --Tyto:Agent:CaFingerprint="$(jq -r .enrollment.ca_fingerprint <<< "${enrollment}")" --Tyto:Collection:Interval=1) \
    > "${TMP}/agent.log" 2>&1 &
AGENT_PID=$!
for attempt in $(seq 1 60); do
    [[ "$(agent_field "${token}" status)" == online ]] && break
    (( attempt == 60 )) && { echo "The agent is not online after 60 s" >&2; tail -n 30 "${TMP}/agent.log" >&2; exit 1; }
    sleep 1
done

echo "Agent online; stopping the server for ${OUTAGE} s"
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
echo "Agent log:"
cat "${TMP}/agent.log"
stop_agent
stop_server

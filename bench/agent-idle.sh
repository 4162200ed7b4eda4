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
AGENT_PID=""
stop_agent() {
    if [[ -n "${AGENT_PID}" ]] && kill -0 "${AGENT_PID}" 2>/dev/null; then
        kill -TERM "${AGENT_PID}" 2>/dev/null || true
        sleep 2
        kill -KILL "${AGENT_PID}" 2>/dev/null || true
    fi
}
trap 'stop_agent; cleanup' EXIT

build_server
copy_app
start_server
wait_healthy 60

token=$(curl -fsS "${URL}/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d '{"username":"admin","password":"bench-password-1"}' | jq -r .token)
enrollment=$(curl -fsS "${URL}/api/v1/agents" -H "Authorization: Bearer ${token}" -H 'Content-Type: application/json' \
    -d '{"id":"bench-agent","name":"Bench agent"}')
jq -r .enrollment.token <<< "${enrollment}" > "${TMP}/enrollment-token"
mkdir -p "${TMP}/agent-data"
(cd "${TMP}/app" && exec dotnet Tyto.Host.dll agent --Tyto:DataDir="${TMP}/agent-data" --Tyto:Agent:Id=bench-agent \
    --Tyto:Agent:Server:0="https://127.0.0.1:${AGENT_PORT}" --Tyto:Agent:EnrollmentTokenFile="${TMP}/enrollment-token" \
    --Tyto:Agent:CaFingerprint="$(jq -r .enrollment.ca_fingerprint <<< "${enrollment}")" --Tyto:Collection:Interval=1) \
    > "${TMP}/agent.log" 2>&1 &
AGENT_PID=$!
echo "Agent pid ${AGENT_PID}"

for attempt in $(seq 1 60); do
    status=$(curl -fsS "${URL}/api/v1/agents/bench-agent" -H "Authorization: Bearer ${token}" | jq -r .status)
    [[ "${status}" == online ]] && break
    if (( attempt == 60 )); then
        echo "The agent is not online after 60 s; its log:" >&2
        tail -n 30 "${TMP}/agent.log" >&2
        exit 1
    fi
    sleep 1
done
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

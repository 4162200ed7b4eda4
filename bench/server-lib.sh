# Shared by the bench scripts, which source it: build Tyto.Host in Release, run a copy of the
# build output with its own data dir on 127.0.0.1, wait for /health, stop it on SIGTERM, and clean up on exit.
# Not run on its own. The sourcing script sets PORT first and `set -euo pipefail`.
#
# SKIP_BUILD=1  reuse the existing Release build     APP_DIR  run that build output instead; implies SKIP_BUILD=1
# Any DOTNET_* variable set by the caller reaches the server; SERVER_ARGS (an array the sourcing script may set) adds
# configuration arguments.

readonly URL="http://127.0.0.1:${PORT}"
SERVER_ARGS=("${SERVER_ARGS[@]}")
readonly REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly BUILD_DIR="${REPO}/src/Tyto.Host/bin/Release/net10.0"

TMP=""
SERVER_PID=""
SERVER_EXIT_CODE=""

cleanup() {
    if [[ -n "${SERVER_PID}" ]] && kill -0 "${SERVER_PID}" 2>/dev/null; then
        kill -TERM "${SERVER_PID}" 2>/dev/null || true
        for _ in $(seq 1 20); do
            kill -0 "${SERVER_PID}" 2>/dev/null || break
            sleep 1
        done
        kill -KILL "${SERVER_PID}" 2>/dev/null || true
    fi
    if [[ -n "${TMP}" ]]; then
        rm -rf "${TMP}"
    fi
}

# bench_init NAME: a temp dir /tmp/tyto-NAME.XXXXXX for the build log, the app copy, its data and its log, removed on
# exit with the server stopped.
bench_init() {
    TMP="$(mktemp -d -t "tyto-$1.XXXXXX")"
    trap cleanup EXIT
    trap 'exit 130' INT TERM
}

require_alive() {
    if ! kill -0 "${SERVER_PID}" 2>/dev/null; then
        echo "The server exited early; its log:" >&2
        tail -n 50 "${TMP}/server.log" >&2
        exit 1
    fi
}

build_server() {
    if [[ "${SKIP_BUILD:-0}" != 1 && -z "${APP_DIR:-}" ]]; then
        echo "Building src/Tyto.Host (Release)..."
        dotnet build "${REPO}/src/Tyto.Host/Tyto.Host.csproj" -c Release --nologo -v quiet --disable-build-servers > "${TMP}/build.log" 2>&1 \
            || { tail -n 30 "${TMP}/build.log" >&2; exit 1; }
    fi
}

# Run from a copy, so a rebuild during the run cannot touch the running binaries and a file can be swapped in.
copy_app() {
    mkdir -p "${TMP}/app" "${TMP}/data"
    cp -r "${APP_DIR:-${BUILD_DIR}}/." "${TMP}/app/"
}

# replace_in_app FILE PATH WHAT: when FILE is set, it replaces PATH (relative to the app copy).
replace_in_app() {
    if [[ -n "$1" ]]; then
        cp "$1" "${TMP}/app/$2"
        echo "Using $3 $1"
    fi
}

# The app directory is the content root, as in an installed service: appsettings.json applies.
start_server() {
    (cd "${TMP}/app" && exec dotnet Tyto.Host.dll --urls "${URL}" --Tyto:DataDir="${TMP}/data" \
        --Tyto:Auth:AdminPassword=bench-password-1 --Tyto:Collection:Interval=1 "${SERVER_ARGS[@]}") > "${TMP}/server.log" 2>&1 &
    SERVER_PID=$!
    echo "Server pid ${SERVER_PID}"
}

# wait_healthy SECONDS: until /health answers; exits if the server dies or SECONDS pass first.
wait_healthy() {
    local limit="$1" attempt
    for attempt in $(seq 1 "${limit}"); do
        require_alive
        if curl -fsS --max-time 2 "${URL}/health" > /dev/null 2>&1; then
            return 0
        fi
        if (( attempt == limit )); then
            echo "No answer from ${URL}/health after ${limit} s" >&2
            exit 1
        fi
        sleep 1
    done
}

# SIGTERM, then up to 30 s for the server to exit; its exit code goes to SERVER_EXIT_CODE.
stop_server() {
    kill -TERM "${SERVER_PID}"
    for _ in $(seq 1 30); do
        kill -0 "${SERVER_PID}" 2>/dev/null || break
        sleep 1
    done
    if kill -0 "${SERVER_PID}" 2>/dev/null; then
        echo "The server did not stop within 30 s of SIGTERM" >&2
        exit 1
    fi
    SERVER_EXIT_CODE=0
    wait "${SERVER_PID}" || SERVER_EXIT_CODE=$?
    SERVER_PID=""
}

# The agent benches: log in as the bench admin, pre-register bench-agent, start a real agent (the same app copy, its
# own data dir, 1 s interval) enrolled with its one-time token against the endpoint on AGENT_PORT, and stop it.
AGENT_PID=""
login() {
    curl -fsS "${URL}/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d '{"username":"admin","password":"bench-password-1"}' | jq -r .token
}

# agent_field TOKEN FIELD: that field of GET /api/v1/agents/bench-agent.
agent_field() { curl -fsS "${URL}/api/v1/agents/bench-agent" -H "Authorization: Bearer $1" | jq -r ".$2"; }

# start_agent TOKEN: pre-registers bench-agent, starts it, and waits up to 60 s for it to be online.
start_agent() {
    local enrollment attempt
    enrollment=$(curl -fsS "${URL}/api/v1/agents" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
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
        [[ "$(agent_field "$1" status)" == online ]] && return 0
        sleep 1
    done
    echo "The agent is not online after 60 s; its log:" >&2
    tail -n 30 "${TMP}/agent.log" >&2
    exit 1
}

stop_agent() {
    if [[ -n "${AGENT_PID}" ]] && kill -0 "${AGENT_PID}" 2>/dev/null; then
        kill -TERM "${AGENT_PID}" 2>/dev/null || true
        sleep 2
        kill -KILL "${AGENT_PID}" 2>/dev/null || true
    fi
}

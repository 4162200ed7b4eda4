#!/usr/bin/env bash
# CPU and memory of an idle Tyto server that samples its host every second with no client connected.
#
#   bench/server-idle.sh                      # builds src/Tyto.Host in Release, 30 s warm-up, 600 s window
#   DURATION=120 WARMUP=20 bench/server-idle.sh
#   SKIP_BUILD=1 AKKA_HOCON=/tmp/akka.hocon DOTNET_TieredPGO=0 bench/server-idle.sh   # an experiment
#
# DURATION  seconds measured (default 600)          WARMUP      seconds after /health answers (default 30)
# PORT      HTTP port on 127.0.0.1 (default 18181)
# SKIP_BUILD=1  reuse the existing Release build     AKKA_HOCON  a hocon file to run with instead of hocon/akka.hocon
# APP_DIR   run that build output (a `dotnet publish` folder, say) instead; implies SKIP_BUILD=1
# Any DOTNET_* variable set by the caller reaches the server. The server listens on 127.0.0.1 only.
set -euo pipefail

readonly DURATION="${DURATION:-600}"
readonly WARMUP="${WARMUP:-30}"
readonly PORT="${PORT:-18181}"
readonly URL="http://127.0.0.1:${PORT}"
readonly REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly BUILD_DIR="${REPO}/src/Tyto.Host/bin/Release/net10.0"
readonly CLK_TCK="$(getconf CLK_TCK)"

TMP="$(mktemp -d -t tyto-idle.XXXXXX)"
SERVER_PID=""

cleanup() {
    if [[ -n "${SERVER_PID}" ]] && kill -0 "${SERVER_PID}" 2>/dev/null; then
        kill -TERM "${SERVER_PID}" 2>/dev/null || true
        for _ in $(seq 1 20); do
            kill -0 "${SERVER_PID}" 2>/dev/null || break
            sleep 1
        done
        kill -KILL "${SERVER_PID}" 2>/dev/null || true
    fi
    rm -rf "${TMP}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# utime + stime of the server in clock ticks (fields 14 and 15; the name in parentheses may hold spaces).
cpu_ticks() {
    local stat
    stat="$(< "/proc/${SERVER_PID}/stat")"
    read -r -a fields <<< "${stat##*) }"
    echo $(( fields[11] + fields[12] ))
}

# One line per thread: tid, name, utime + stime; shows where the idle CPU goes.
thread_ticks() {
    local task stat name
    local -a fields
    for task in "/proc/${SERVER_PID}/task/"*; do
        { stat="$(< "${task}/stat")"; } 2>/dev/null || continue
        name="${stat#*(}"
        read -r -a fields <<< "${stat##*) }"
        printf '%s\t%s\t%s\n' "${task##*/}" "${name%)*}" "$(( fields[11] + fields[12] ))"
    done
}

rss_mb() {
    awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/${SERVER_PID}/status"
}

now_ns() { date +%s%N; }

# CPU % of one core between two (ticks, ns) readings.
cpu_percent() {
    awk -v dt="$(( $3 - $1 ))" -v dn="$(( $4 - $2 ))" -v hz="${CLK_TCK}" \
        'BEGIN { printf "%.2f", dt / hz / (dn / 1e9) * 100 }'
}

require_alive() {
    if ! kill -0 "${SERVER_PID}" 2>/dev/null; then
        echo "The server exited early; its log:" >&2
        tail -n 50 "${TMP}/server.log" >&2
        exit 1
    fi
}

if [[ "${SKIP_BUILD:-0}" != 1 && -z "${APP_DIR:-}" ]]; then
    echo "Building src/Tyto.Host (Release)..."
    dotnet build "${REPO}/src/Tyto.Host/Tyto.Host.csproj" -c Release --nologo -v quiet --disable-build-servers > "${TMP}/build.log" 2>&1 \
        || { tail -n 30 "${TMP}/build.log" >&2; exit 1; }
fi

# Run from a copy, so a rebuild during the window cannot touch the running binaries and a hocon can be swapped in.
mkdir -p "${TMP}/app" "${TMP}/data"
cp -r "${APP_DIR:-${BUILD_DIR}}/." "${TMP}/app/"
if [[ -n "${AKKA_HOCON:-}" ]]; then
    cp "${AKKA_HOCON}" "${TMP}/app/hocon/akka.hocon"
    echo "Using hocon ${AKKA_HOCON}"
fi

# The app directory is the content root, as in an installed service: appsettings.json applies.
(cd "${TMP}/app" && exec dotnet Tyto.Host.dll --urls "${URL}" --Tyto:DataDir="${TMP}/data" \
    --Tyto:Auth:AdminPassword=bench-password-1 --Tyto:Collection:Interval=1) > "${TMP}/server.log" 2>&1 &
SERVER_PID=$!
echo "Server pid ${SERVER_PID}"

for attempt in $(seq 1 60); do
    require_alive
    if curl -fsS --max-time 2 "${URL}/health" > /dev/null 2>&1; then
        break
    fi
    if (( attempt == 60 )); then
        echo "No answer from ${URL}/health after 60 s" >&2
        exit 1
    fi
    sleep 1
done
echo "Healthy; warming up ${WARMUP} s"
sleep "${WARMUP}"
require_alive

thread_ticks > "${TMP}/threads-start"
start_ticks="$(cpu_ticks)"
start_ns="$(now_ns)"
start_rss="$(rss_mb)"
echo "Measuring ${DURATION} s; RSS at start ${start_rss} MB"

remaining="${DURATION}"
while (( remaining > 0 )); do
    step=$(( remaining < 60 ? remaining : 60 ))
    sleep "${step}"
    remaining=$(( remaining - step ))
    require_alive
    printf '  %4d s: CPU %s %% so far, RSS %s MB\n' "$(( DURATION - remaining ))" \
        "$(cpu_percent "${start_ticks}" "${start_ns}" "$(cpu_ticks)" "$(now_ns)")" "$(rss_mb)"
done

end_ticks="$(cpu_ticks)"
end_ns="$(now_ns)"
end_rss="$(rss_mb)"
thread_ticks > "${TMP}/threads-end"

echo
echo "Window:            $(awk -v dn="$(( end_ns - start_ns ))" 'BEGIN { printf "%.1f", dn / 1e9 }') s after ${WARMUP} s warm-up"
echo "CPU ticks:         $(( end_ticks - start_ticks )) (1/${CLK_TCK} s)"
echo "CPU (one core):    $(cpu_percent "${start_ticks}" "${start_ns}" "${end_ticks}" "${end_ns}") %"
echo "RSS at start:      ${start_rss} MB"
echo "RSS at end:        ${end_rss} MB"
echo "Threads:           $(awk '/^Threads:/ { print $2 }' "/proc/${SERVER_PID}/status")"
echo "CPU by thread name (ticks in the window; threads started in it count from 0):"
awk -F'\t' -v total="$(( end_ticks - start_ticks ))" 'NR == FNR { start[$1] = $3; next }
    { ticks[$2] += $3 - ($1 in start ? start[$1] : 0); count[$2]++; seen += $3 - ($1 in start ? start[$1] : 0) }
    END {
        for (n in ticks) if (ticks[n] > 0) printf "  %6d  %s (x%d)\n", ticks[n], n, count[n]
        printf "  %6d  threads that ended during the window\n", total - seen
    }' "${TMP}/threads-start" "${TMP}/threads-end" | sort -rn

kill -TERM "${SERVER_PID}"
for _ in $(seq 1 30); do
    kill -0 "${SERVER_PID}" 2>/dev/null || break
    sleep 1
done
if kill -0 "${SERVER_PID}" 2>/dev/null; then
    echo "The server did not stop within 30 s of SIGTERM" >&2
    exit 1
fi
exit_code=0
wait "${SERVER_PID}" || exit_code=$?
SERVER_PID=""
echo "Server stopped on SIGTERM (exit code ${exit_code})"

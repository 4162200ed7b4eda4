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
# Building, starting and stopping the server: server-lib.sh, shared with server-memory.sh.
set -euo pipefail

readonly DURATION="${DURATION:-600}"
readonly WARMUP="${WARMUP:-30}"
readonly PORT="${PORT:-18181}"
readonly CLK_TCK="$(getconf CLK_TCK)"

# shellcheck source=server-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/server-lib.sh"
bench_init idle

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

build_server
copy_app
replace_in_app "${AKKA_HOCON:-}" hocon/akka.hocon hocon
start_server
wait_healthy 60
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

stop_server
echo "Server stopped on SIGTERM (exit code ${SERVER_EXIT_CODE})"
